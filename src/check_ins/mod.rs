//! Check-ins: rate each part of life from 1 to 7 in under a minute (any can be skipped),
//! saved as each answer is picked; then a chart of each part over time, drawn here as
//! SVG, with the same numbers as a table for anyone who cannot see the chart.

use coplan_domain::plan::check_ins::{ChartBox, check_ins, series};
use coplan_domain::plan::schema::RATINGS;
use coplan_domain::plan::{Edit, ItemId, LIFE_AREAS, SectionKind};
use leptos::prelude::*;

use crate::i18n::{Text, choice_label, fill, t, words};
use crate::plan::{BoxKind, Editing, EditorFrame, TextBox};
use crate::platform::{format_date, random_id};

const CHART: ChartBox = ChartBox {
    width: 320.0,
    height: 150.0,
    margin: 16.0,
};

#[component]
pub fn CheckInsPage() -> impl IntoView {
    let editing = Editing::open(SectionKind::CheckIns);
    let current = RwSignal::new(None::<String>);
    let start = move |_| {
        let Ok(id) = ItemId::parse(&random_id()) else {
            return;
        };
        let shown = id.as_str().to_string();
        editing.edit(Edit::AddItem {
            list: "check_ins",
            id,
            parts: Vec::new(),
        });
        current.set(Some(shown));
        request_animation_frame(|| crate::plan::focus_first_in("check-in-now"));
    };
    view! {
        <h1>{t(Text::CheckInsHeading)}</h1>
        <p>{t(Text::CheckInsIntro)}</p>
        <EditorFrame editing=editing>
            {move || match current.get() {
                None => view! {
                    <button class="app-button" type="button" on:click=start>{t(Text::CheckInNow)}</button>
                }
                .into_any(),
                Some(id) => view! { <CheckInForm editing=editing id=id current=current/> }.into_any(),
            }}
            <Charts editing=editing/>
        </EditorFrame>
    }
}

#[component]
fn CheckInForm(editing: Editing, id: String, current: RwSignal<Option<String>>) -> impl IntoView {
    let note = {
        let id = id.clone();
        Signal::derive(move || {
            editing
                .view
                .with(|v| v.part("check_ins", &id, "note").to_string())
        })
    };
    let on_note = {
        let id = id.clone();
        Callback::new(move |text: String| editing.set_part("check_ins", &id, "note", text))
    };
    view! {
        <section class="app-step" id="check-in-now" aria-labelledby="check-in-now-heading">
            <h2 id="check-in-now-heading">{t(Text::CheckInNowHeading)}</h2>
            <p class="app-field__hint">{t(Text::CheckInHint)}</p>
            {LIFE_AREAS.iter().map(|area| view! { <RatingPicker editing=editing id=id.clone() area=area/> }).collect_view()}
            <TextBox
                id=format!("check-in-{id}-note")
                kind=BoxKind::Line
                label=words(SectionKind::CheckIns, "note").title.to_string()
                value=note
                on_input=on_note
                max_chars=500
            />
            <button class="app-button" type="button" on:click=move |_| current.set(None)>{t(Text::CheckInDone)}</button>
        </section>
    }
}

#[component]
fn RatingPicker(editing: Editing, id: String, area: &'static str) -> impl IntoView {
    let title = words(SectionKind::CarePlan, area).title;
    let picked = {
        let id = id.clone();
        Signal::derive(move || {
            editing
                .view
                .with(|v| v.part("check_ins", &id, area).to_string())
        })
    };
    let options = RATINGS.iter().copied().chain([""]).map(|value| {
        let option_id = format!("check-in-{id}-{area}-{}", if value.is_empty() { "none" } else { value });
        let id = id.clone();
        view! {
            <div class="app-radio app-radio--inline">
                <input
                    class="app-radio__input"
                    type="radio"
                    id=option_id.clone()
                    name=format!("check-in-{area}")
                    prop:checked=move || picked.get() == value
                    on:change=move |_| editing.set_part("check_ins", &id, area, value.to_string())
                />
                <label class="app-radio__label" for=option_id>{choice_label("rating", value)}</label>
            </div>
        }
    });
    view! {
        <fieldset class="app-field app-choice">
            <legend class="app-field__label">{title}</legend>
            <div class="app-choice__options app-choice__options--row">{options.collect_view()}</div>
        </fieldset>
    }
}

/// A chart per part of life that has ratings, each with its table.
#[component]
fn Charts(editing: Editing) -> impl IntoView {
    move || {
        let all = editing.view.with(check_ins);
        let drawn: Vec<_> = LIFE_AREAS
            .iter()
            .map(|area| (*area, series(&all, area)))
            .filter(|(_, s)| !s.is_empty())
            .collect();
        if drawn.is_empty() {
            return view! { <p>{t(Text::NoCheckInsYet)}</p> }.into_any();
        }
        view! {
            <h2>{t(Text::CheckInsOverTime)}</h2>
            {drawn.into_iter().map(|(area, points)| view! { <AreaChart area=area points=points/> }).collect_view()}
        }
        .into_any()
    }
}

#[component]
fn AreaChart(area: &'static str, points: Vec<(u64, u8)>) -> impl IntoView {
    let title = words(SectionKind::CarePlan, area).title;
    // Whole SVG units are plenty at this size, and leave float formatting out of the app.
    let round = |v: f64| v.round() as i32;
    let dots: Vec<(i32, i32)> = CHART
        .points(&points)
        .into_iter()
        .map(|(x, y)| (round(x), round(y)))
        .collect();
    let line = dots
        .iter()
        .map(|(x, y)| format!("{x},{y}"))
        .collect::<Vec<_>>()
        .join(" ");
    let (left, right) = (round(CHART.margin), round(CHART.width - CHART.margin));
    let guides = [1u8, 4, 7].map(|rating| {
        let y = round(CHART.y_of(rating));
        view! {
            <line class="app-chart__guide" x1=left x2=right y1=y y2=y/>
            <text class="app-chart__label" x="2" y=y + 4>{rating}</text>
        }
    });
    let rows = points.clone();
    view! {
        <figure class="app-chart">
            <figcaption class="app-chart__title">{title}</figcaption>
            <svg
                class="app-chart__svg"
                viewBox=format!("0 0 {} {}", round(CHART.width), round(CHART.height))
                aria-hidden="true"
                focusable="false"
            >
                {guides.into_iter().collect_view()}
                <polyline class="app-chart__line" points=line/>
                {dots.into_iter().map(|(x, y)| view! { <circle class="app-chart__dot" cx=x cy=y r="5"/> }).collect_view()}
            </svg>
            <details class="app-chart__table">
                <summary>{fill(t(Text::ShowAsTable), &[("what", title)])}</summary>
                <table>
                    <caption class="app-visually-hidden">{title}</caption>
                    <thead><tr><th scope="col">{t(Text::TableDate)}</th><th scope="col">{t(Text::TableRating)}</th></tr></thead>
                    <tbody>
                        {rows.into_iter().map(|(at, rating)| view! {
                            <tr><td>{format_date(at)}</td><td>{rating}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </details>
        </figure>
    }
}

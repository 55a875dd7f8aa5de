//! The plan overview: each section with what it holds, in neutral words ("Warning signs:
//! 2", or "Nothing here yet"), never as progress. With no plan on this phone yet, it
//! offers to start one.

use crate::route::use_route;
use coplan_domain::plan::SectionKind;
use coplan_domain::plan::summary::{SummaryLine, summarise};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::session::{open_plan, read_section};
use crate::i18n::{Say, Text, fill, t, words};
use crate::platform::format_date;
use crate::storage::{Storage, StorageError};

/// The sections in the order the overview lists them, with where each is written.
pub const SECTIONS: [(SectionKind, Text, &str); 5] = [
    (SectionKind::AboutMe, Text::SectionAboutMe, "/about-me"),
    (SectionKind::CarePlan, Text::SectionCarePlan, "/care-plan"),
    (
        SectionKind::SafetyPlan,
        Text::SectionSafetyPlan,
        "/safety-plan",
    ),
    (
        SectionKind::CrisisWishes,
        Text::SectionCrisisWishes,
        "/crisis",
    ),
    (SectionKind::CheckIns, Text::SectionCheckIns, "/check-ins"),
];

/// A section's name as the person sees it.
pub fn section_title(kind: SectionKind) -> Text {
    SECTIONS
        .iter()
        .find(|(k, ..)| *k == kind)
        .map(|(_, title, _)| *title)
        .unwrap_or(Text::SectionAboutMe)
}

#[derive(Debug, Clone, PartialEq)]
enum Phase {
    Opening,
    NoPlan,
    Open {
        called: String,
        sections: Vec<(SectionKind, Vec<String>)>,
    },
    CannotOpen(StorageError),
}

#[component]
pub fn OverviewPage() -> impl IntoView {
    let phase = RwSignal::new(Phase::Opening);
    spawn_local(async move { phase.set(load().await) });
    let route = use_route();
    // One plan per tap, however fast the taps come: the button waits for the first.
    let starting = RwSignal::new(false);
    let start = move |_| {
        if starting.get_untracked() {
            return;
        }
        starting.set(true);
        spawn_local(async move {
            let started = match Storage::shared().await {
                Ok(storage) => storage.start_plan().await,
                Err(e) => Err(e),
            };
            starting.set(false);
            match started {
                // Straight to the first question: what they like to be called.
                Ok(_) => route.go("/about-me"),
                Err(e) => phase.set(Phase::CannotOpen(e)),
            }
        });
    };

    view! {
        {move || match phase.get() {
            Phase::Opening => view! {
                <h1>{t(Text::HomeHeading)}</h1>
                <p role="status">{t(Text::HomeLoading)}</p>
            }
            .into_any(),
            Phase::NoPlan => view! {
                <h1>{t(Text::HomeHeading)}</h1>
                <p>{t(Text::HomeIntro)}</p>
                <button class="app-button" type="button" disabled=move || starting.get() on:click=start>{t(Text::HomeStart)}</button>
            }
            .into_any(),
            Phase::CannotOpen(error) => view! {
                <h1>{t(Text::HomeHeading)}</h1>
                <div class="app-problem" role="alert" aria-labelledby="storage-problem-heading">
                    <h2 id="storage-problem-heading">{t(Text::StorageProblemHeading)}</h2>
                    <p>{error.say()}</p>
                </div>
            }
            .into_any(),
            Phase::Open { called, sections } => view! {
                <h1>{t(Text::HomeHeading)}</h1>
                {(!called.trim().is_empty()).then(|| view! {
                    <p class="app-overview__for">{fill(t(Text::PlanFor), &[("name", &called)])}</p>
                })}
                <ul class="app-overview">
                    {sections.into_iter().map(|(kind, lines)| {
                        let (_, title, href) = SECTIONS.iter().find(|(k, ..)| *k == kind).copied().unwrap_or(SECTIONS[0]);
                        view! {
                            <li class="app-overview__section">
                                <a class="app-overview__link" href=href>{t(title)}</a>
                                {if lines.is_empty() {
                                    view! { <p class="app-overview__holds">{t(Text::NothingHereYet)}</p> }.into_any()
                                } else {
                                    view! {
                                        <ul class="app-overview__holds">
                                            {lines.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}
                                        </ul>
                                    }
                                    .into_any()
                                }}
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <ul class="app-links">
                    <li><a href="/plans">{t(Text::PlansLink)}</a></li>
                    <li><a href="/print">{t(Text::PrintPlanLink)}</a></li>
                    <li><a href="/crisis-card">{t(Text::CrisisCardLink)}</a></li>
                </ul>
                <crate::parts::Lazy part=crate::parts::Part::Export/>
                <crate::components::keeping::StorageKeeping/>
            }
            .into_any(),
        }}
    }
}

async fn load() -> Phase {
    let opened = async {
        let storage = Storage::shared().await?;
        let Some(plan) = open_plan(&storage).await? else {
            return Ok(None);
        };
        let mut sections = Vec::new();
        let mut called = String::new();
        for (kind, ..) in SECTIONS {
            let view = read_section(&storage, &plan, kind).await?;
            if kind == SectionKind::AboutMe {
                called = view.field("called").to_string();
            }
            let lines = summarise(kind, &view)
                .iter()
                .map(|line| say(kind, line))
                .collect();
            sections.push((kind, lines));
        }
        Ok::<_, StorageError>(Some((called, sections)))
    };
    match opened.await {
        Ok(Some((called, sections))) => Phase::Open { called, sections },
        Ok(None) => Phase::NoPlan,
        Err(e) => {
            web_sys::console::warn_1(&format!("coplan storage: {}", e.detail()).into());
            Phase::CannotOpen(e)
        }
    }
}

/// One line of a section's summary, in words.
pub fn say(kind: SectionKind, line: &SummaryLine) -> String {
    let n = |count: &usize| count.to_string();
    match line {
        SummaryLine::Count { list, count } => fill(
            t(Text::SummaryCount),
            &[("what", words(kind, list).title), ("count", &n(count))],
        ),
        SummaryLine::Written { fields } => {
            let titles: Vec<&str> = fields.iter().map(|f| words(kind, f).title).collect();
            fill(t(Text::SummaryWritten), &[("what", &titles.join(", "))])
        }
        SummaryLine::Rated { count } => fill(t(Text::SummaryRated), &[("count", &n(count))]),
        SummaryLine::Steps { count, done } => fill(
            t(Text::SummarySteps),
            &[("count", &n(count)), ("done", &n(done))],
        ),
        SummaryLine::CheckIns { count, last_at_ms } => fill(
            t(Text::SummaryCheckIns),
            &[("count", &n(count)), ("date", &format_date(*last_at_ms))],
        ),
    }
}

//! Paper copies, for people without a phone of their own: the whole plan laid out to
//! print, and a one-page crisis card (what helps in a crisis, who to call and who not to,
//! and the 24/7 lines) that folds to the size of a bank card. The stylesheet's print
//! rules do the layout; these screens only lay the words out in reading order.

use coplan_domain::CRISIS_LINES;
use coplan_domain::plan::care_plan::CarePlan;
use coplan_domain::plan::safety_plan::contact_phone;
use coplan_domain::plan::schema::PartKind;
use coplan_domain::plan::{ItemView, SectionKind, SectionView};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::i18n::{Text, choice_label, fill, t, words};
use crate::plan::{open_plan, read_section};
use crate::storage::Storage;

/// Every section of the open plan, read once.
async fn read_all() -> Option<Vec<(SectionKind, SectionView)>> {
    let storage = Storage::shared().await.ok()?;
    let plan = open_plan(&storage).await.ok()??;
    let mut all = Vec::new();
    for kind in SectionKind::ALL {
        all.push((kind, read_section(&storage, &plan, kind).await.ok()?));
    }
    Some(all)
}

fn print_now() {
    if let Some(window) = web_sys::window() {
        let _ = window.print();
    }
}

#[component]
fn PrintButton(label: Text) -> impl IntoView {
    view! {
        <p class="app-no-print">
            <button class="app-button" type="button" data-steps-out="" on:click=|_| print_now()>{t(label)}</button>
        </p>
    }
}

#[component]
pub fn PrintPlanPage() -> impl IntoView {
    let sections = RwSignal::new(None::<Vec<(SectionKind, SectionView)>>);
    spawn_local(async move { sections.set(read_all().await) });
    view! {
        <h1>{t(Text::PrintPlanHeading)}</h1>
        <p class="app-no-print">{t(Text::PrintPlanIntro)}</p>
        <PrintButton label=Text::PrintNow/>
        <p class="app-paper__version">{printed_on()}</p>
        {move || sections.get().map(|all| all.into_iter().map(|(kind, view)| {
            let title = crate::plan::section_title(kind);
            let body = match kind {
                SectionKind::CarePlan => care_plan_on_paper(&view),
                SectionKind::CheckIns => ().into_any(),
                _ => section_on_paper(kind, &view),
            };
            // Which version this is: agreed, or changed since (a shared plan).
            let version = crate::plan::agreed::line(kind)
                .map(|line| view! { <p class="app-paper__version">{line}</p> });
            view! { <section class="app-paper__section"><h2>{t(title)}</h2>{version}{body}</section> }
        }).collect_view())}
    }
}

/// When this was printed, so that two printouts can be told apart.
fn printed_on() -> String {
    fill(
        t(Text::PrintedOn),
        &[(
            "date",
            &crate::platform::format_date(crate::platform::now_ms()),
        )],
    )
}

/// A section's written fields, then its shown lists, as plain text.
fn section_on_paper(kind: SectionKind, view: &SectionView) -> AnyView {
    let spec = kind.spec();
    let fields = spec
        .fields
        .iter()
        .filter(|f| !view.field(f.name).trim().is_empty())
        .map(|f| {
            view! {
                <h3>{words(kind, f.name).title}</h3>
                <p class="app-paper__words">{view.field(f.name).to_string()}</p>
            }
        })
        .collect_view();
    let lists = spec
        .lists
        .iter()
        .filter(|l| view.lists.get(l.name).is_some_and(|found| !found.hidden && !found.items.is_empty()))
        .map(|l| {
            view! {
                <h3>{words(kind, l.name).title}</h3>
                <ul>{view.items(l.name).iter().map(|item| view! { <li>{item_words(kind, l.name, item)}</li> }).collect_view()}</ul>
            }
        })
        .collect_view();
    view! { {fields}{lists} }.into_any()
}

/// An item's parts in one line: "Jo, 07700 900123, my sister".
fn item_words(kind: SectionKind, list: &str, item: &ItemView) -> String {
    let Some(spec) = kind.spec().list(list) else {
        return String::new();
    };
    spec.parts
        .iter()
        .filter(|p| matches!(p.kind, PartKind::Text | PartKind::Phone))
        .map(|p| item.part(p.name).trim())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

fn care_plan_on_paper(view: &SectionView) -> AnyView {
    let plan = CarePlan::from_view(view);
    let kind = SectionKind::CarePlan;
    let areas = plan
        .areas
        .into_iter()
        .filter(|a| a.has_anything())
        .map(|area| {
            view! {
                <h3>{words(kind, area.key).title}</h3>
                {area.rating.map(|r| view! { <p>{fill(t(Text::PaperRating), &[("rating", &r.to_string())])}</p> })}
                {(!area.different.trim().is_empty()).then(|| view! { <p class="app-paper__words">{area.different.clone()}</p> })}
                <ul>
                    {area.goals.into_iter().map(|goal| view! {
                        <li>
                            {goal.item.part("text").to_string()}
                            <ul>
                                {goal.actions.into_iter().map(|step| {
                                    let mut line = vec![step.part("what").to_string()];
                                    for (part, said) in [("who", step.part("who")), ("by_when", step.part("by_when"))] {
                                        if !said.is_empty() {
                                            line.push(format!("{}: {said}", crate::i18n::part_label(kind, part)));
                                        }
                                    }
                                    if step.part("done") == "yes" {
                                        line.push(crate::i18n::part_label(kind, "done").to_string());
                                    }
                                    view! { <li>{line.join(". ")}</li> }
                                }).collect_view()}
                            </ul>
                        </li>
                    }).collect_view()}
                </ul>
            }
        })
        .collect_view();
    let support = (!plan.support_network.is_empty()).then(|| {
        view! {
            <h3>{words(kind, "support_network").title}</h3>
            <ul>{plan.support_network.iter().map(|i| view! { <li>{item_words(kind, "support_network", i)}</li> }).collect_view()}</ul>
        }
    });
    let now = plan.continuum.as_deref().map(|stage| {
        view! { <h3>{words(kind, "continuum").title}</h3><p>{choice_label("continuum", stage)}</p> }
    });
    let review = plan.next_review.map(|date| {
        view! { <h3>{words(kind, "next_review").title}</h3><p>{date}</p> }
    });
    view! { {areas}{support}{now}{review} }.into_any()
}

/// The crisis card: two small panels that fold together to the size of a bank card.
#[component]
pub fn CrisisCardPage() -> impl IntoView {
    let sections = RwSignal::new(None::<Vec<(SectionKind, SectionView)>>);
    spawn_local(async move { sections.set(read_all().await) });
    let find = move |kind: SectionKind| {
        sections.with(|all| {
            all.as_ref()
                .and_then(|all| all.iter().find(|(k, _)| *k == kind).map(|(_, v)| v.clone()))
                .unwrap_or_default()
        })
    };
    view! {
        <h1 class="app-no-print">{t(Text::CrisisCardHeading)}</h1>
        <p class="app-no-print">{t(Text::CrisisCardIntro)}</p>
        <PrintButton label=Text::PrintNow/>
        <div class="app-card">
            <div class="app-card__panel">
                <p class="app-card__title">{move || {
                    let called = find(SectionKind::AboutMe).field("called").to_string();
                    if called.is_empty() { t(Text::CrisisCardTitle).to_string() } else { fill(t(Text::CrisisCardTitleFor), &[("name", &called)]) }
                }}</p>
                {move || {
                    let wishes = find(SectionKind::CrisisWishes);
                    ["what_helps", "what_does_not_help"].into_iter().filter(|l| !wishes.items(l).is_empty()).map(|l| view! {
                        <p class="app-card__heading">{words(SectionKind::CrisisWishes, l).title}</p>
                        <ul>{wishes.items(l).iter().map(|i| view! { <li>{i.part("text").to_string()}</li> }).collect_view()}</ul>
                    }).collect_view()
                }}
            </div>
            <div class="app-card__panel">
                {move || {
                    let wishes = find(SectionKind::CrisisWishes);
                    let safety = find(SectionKind::SafetyPlan);
                    let mut people: Vec<(String, String)> = Vec::new();
                    for (view, list) in [(&wishes, "contact"), (&safety, "ask_for_help"), (&safety, "professionals")] {
                        for item in view.items(list) {
                            if let Some(Ok(phone)) = contact_phone(item) {
                                people.push((item.part("name").to_string(), phone.as_typed().to_string()));
                            }
                        }
                    }
                    let not = wishes.items("do_not_contact").iter().map(|i| i.part("name").to_string()).filter(|n| !n.is_empty()).collect::<Vec<_>>();
                    view! {
                        {(!people.is_empty()).then(|| view! {
                            <p class="app-card__heading">{t(Text::CrisisCardCall)}</p>
                            <ul>{people.into_iter().map(|(name, number)| view! { <li>{name}": "{number}</li> }).collect_view()}</ul>
                        })}
                        {(!not.is_empty()).then(|| view! {
                            <p class="app-card__heading">{words(SectionKind::CrisisWishes, "do_not_contact").title}</p>
                            <p>{not.join(", ")}</p>
                        })}
                    }
                }}
                <p class="app-card__note">{printed_on()}{move || crate::plan::agreed::line(SectionKind::CrisisWishes).map(|line| format!(" · {line}"))}</p>
                <p class="app-card__heading">{t(Text::CrisisLinesHeading)}</p>
                <ul>
                    {CRISIS_LINES.iter().map(|line| {
                        let (said, note) = crate::components::crisis_lines::words(line);
                        view! { <li>{said}<span class="app-card__note">" "{note}</span></li> }
                    }).collect_view()}
                </ul>
            </div>
        </div>
    }
}

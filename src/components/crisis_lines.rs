//! The 24/7 lines, as one-tap links, with a plain note on each.

use coplan_domain::CRISIS_LINES;
use coplan_domain::crisis_lines::{Contact, CrisisLine};
use leptos::prelude::*;

use crate::i18n::{Text, fill, t};

/// The link's words and the note for a line, from the translation layer.
pub fn words(line: &CrisisLine) -> (String, &'static str) {
    let (link, note) = match line.id {
        "samaritans" => (Text::CrisisCallSamaritans, Text::CrisisNoteSamaritans),
        "nhs111" => (Text::CrisisCallNhs111, Text::CrisisNoteNhs111),
        "shout" => (Text::CrisisTextShout, Text::CrisisNoteShout),
        _ => (Text::CrisisCallEmergency, Text::CrisisNoteEmergency),
    };
    let word = match line.contact {
        Contact::Text { word, .. } => word,
        Contact::Call { .. } => "",
    };
    let slots = [
        ("name", line.name),
        ("number", line.display_number()),
        ("word", word),
    ];
    (fill(t(link), &slots), t(note))
}

#[component]
pub fn CrisisLines() -> impl IntoView {
    view! {
        <section class="app-crisis" aria-labelledby="crisis-lines-heading">
            <h2 id="crisis-lines-heading" class="app-crisis__heading">{t(Text::CrisisLinesHeading)}</h2>
            <p>{t(Text::CrisisLinesIntro)}</p>
            <ul class="app-crisis__list">
                {CRISIS_LINES
                    .iter()
                    .map(|line| {
                        let (link, note) = words(line);
                        let class = if line.id == "emergency" {
                            "app-crisis__link app-crisis__link--emergency"
                        } else {
                            "app-crisis__link"
                        };
                        view! {
                            <li class="app-crisis__item">
                                <a class=class href=line.href()>{link}</a>
                                <span class="app-crisis__note">{note}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}

//! The privacy screen: where the plan is kept and who can see it, in plain words that
//! never claim more than the software does.

mod forget;

use leptos::prelude::*;

pub use forget::{ForgetThisPhone, ForgottenPage};

use crate::i18n::{AccountText, Text, t, ta};
use crate::lock::LockSettings;

#[component]
pub fn PrivacyPage() -> impl IntoView {
    let sections = [
        (Text::AboutWhatHeading, Text::AboutWhat),
        (Text::AboutWhereHeading, Text::AboutWhere),
        (Text::AboutServerHeading, Text::AboutServer),
        (Text::AboutWhoHeading, Text::AboutWho),
        (Text::AboutLimitsHeading, Text::AboutLimits),
        (Text::AboutClearedHeading, Text::AboutCleared),
    ];
    view! {
        <h1>{t(Text::AboutHeading)}</h1>
        {sections
            .into_iter()
            .map(|(heading, body)| view! {
                <h2>{t(heading)}</h2>
                <p>{t(body)}</p>
            })
            .collect_view()}
        <h2>{ta(AccountText::Heading)}</h2>
        <p>{ta(AccountText::Intro)}</p>
        <h3>{ta(AccountText::ServerSeesHeading)}</h3>
        <ul>
            {[
                AccountText::ServerSees1,
                AccountText::ServerSees2,
                AccountText::ServerSees3,
                AccountText::ServerSees4,
                AccountText::ServerSees5,
                AccountText::ServerSees6,
            ]
                .into_iter()
                .map(|line| view! { <li>{ta(line)}</li> })
                .collect_view()}
        </ul>
        <p>{ta(AccountText::ServerCannotSee)}</p>
        <p>{ta(AccountText::ServerForgets)}</p>
        <p><a href="/account">{ta(AccountText::Open)}</a></p>
        <LockSettings/>
        <ForgetThisPhone/>
    }
}

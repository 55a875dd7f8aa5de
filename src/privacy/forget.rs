//! "Forget this phone": removes every plan, the offline copy and everything else Coplan
//! keeps in this browser, after a confirmation that names what will be lost.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::i18n::{Say, Text, fill, t};
use crate::storage::Storage;

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Offer,
    Confirm { plans: usize },
    Forgotten,
    Failed(String),
}

#[component]
pub fn ForgetThisPhone() -> impl IntoView {
    let step = RwSignal::new(Step::Offer);
    let ask = move |_| {
        spawn_local(async move {
            let plans = match Storage::shared().await {
                Ok(storage) => storage.all_plans().await.map(|p| p.len()).unwrap_or(0),
                Err(_) => 0,
            };
            step.set(Step::Confirm { plans });
        })
    };
    let forget = move |_| {
        spawn_local(async move {
            match Storage::forget_this_phone().await {
                Ok(()) => step.set(Step::Forgotten),
                Err(e) => step.set(Step::Failed(e.say())),
            }
        })
    };
    view! {
        <section class="app-step" aria-labelledby="forget-heading">
            <h2 id="forget-heading">{t(Text::ForgetHeading)}</h2>
            <p>{t(Text::ForgetIntro)}</p>
            {move || match step.get() {
                Step::Offer => view! {
                    <button class="app-button app-button--secondary" type="button" on:click=ask>{t(Text::ForgetButton)}</button>
                }
                .into_any(),
                Step::Confirm { plans } => view! {
                    <div class="app-confirm" role="alertdialog" aria-labelledby="forget-confirm-heading">
                        <h3 id="forget-confirm-heading">{t(Text::ForgetConfirmHeading)}</h3>
                        <p>{t(Text::ForgetConfirmBody)}</p>
                        <ul>
                            <li>{fill(t(Text::ForgetConfirmPlans), &[("count", &plans.to_string())])}</li>
                            <li>{t(Text::ForgetConfirmCopy)}</li>
                        </ul>
                        <p>{t(Text::ForgetConfirmNotServer)}</p>
                        <p>{t(Text::DeleteConfirmFiles)}</p>
                        <div class="app-item__actions app-item__actions--flat">
                            <button class="app-button app-button--danger" type="button" on:click=forget>{t(Text::ForgetYes)}</button>
                            <button class="app-button app-button--secondary" type="button" on:click=move |_| step.set(Step::Offer)>
                                {t(Text::ForgetNo)}
                            </button>
                        </div>
                    </div>
                }
                .into_any(),
                Step::Forgotten => view! { <p role="status">{t(Text::Forgotten)}</p> }.into_any(),
                Step::Failed(message) => view! {
                    <p class="app-field__error" role="alert">
                        <span class="app-visually-hidden">{t(Text::ErrorPrefix)}" "</span>{message}
                    </p>
                }
                .into_any(),
            }}
        </section>
    }
}

/// Where another tab lands when this phone was forgotten: it reads no storage, so it
/// creates nothing again.
#[component]
pub fn ForgottenPage() -> impl IntoView {
    view! {
        <h1>{t(Text::ForgetHeading)}</h1>
        <p>{t(Text::Forgotten)}</p>
    }
}

//! Leaving a plan someone shared with this account (issue 14 item 7, the member's own
//! removal), at `/leave`, for the plan open on this phone. After a plain question: what
//! this phone wrote and has not sent yet goes first, then the server is told
//! (`DELETE /plans/{plan}/membership`, which refuses this account everything in the plan
//! from then on), then the plan comes off this phone and is never taken in again. The
//! person sees that they left and removes them, which makes new keys. Online only: with
//! no answer from the server nothing changes here.

use leptos::prelude::*;
use leptos::task::spawn_local;

use coplan_domain::PlanId;
use coplan_domain::plan::SectionKind;
use coplan_domain::sync::id_to_hex;

use super::api::{self, ApiProblem};
use super::flows::Problem;
use crate::i18n::{AccountText as A, Text, fill, t, ta};
use crate::storage::Storage;

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Loading,
    /// The plan open here is the account's own (or not shared): nothing to leave.
    NotShared,
    /// Asking first: the local plan, its id on the server, whose it is.
    Asking(PlanId, [u8; 16], String),
    Leaving,
    Left(String),
    Failed(String),
}

/// The plan open here, when it is someone else's: its local id, its id on the server
/// and the name on its card (or plain words for "the person" when the card has none).
async fn open_shared_plan() -> Result<Option<(PlanId, [u8; 16], String)>, Problem> {
    let storage = Storage::shared().await?;
    let Some(open) = storage.current_plan().await? else {
        return Ok(None);
    };
    let Some((local, plan)) = storage
        .sync_records()
        .await?
        .into_iter()
        .find(|(p, r)| p.as_str() == open && r.person.is_some() && !r.is_left())
        .and_then(|(p, r)| Some((p, r.plan?)))
    else {
        return Ok(None);
    };
    let name = crate::plan::read_section(&storage, &local, SectionKind::Card)
        .await
        .map(|card| card.choice("called").trim().to_string())
        .unwrap_or_default();
    let name = if name.is_empty() {
        ta(A::LeaveThePerson).to_string()
    } else {
        name
    };
    Ok(Some((local, plan, name)))
}

/// Sends what is waiting, tells the server, then takes the plan off this phone.
async fn leave(local: &PlanId, plan: [u8; 16]) -> Result<(), Problem> {
    // Words this phone wrote and has not sent yet go first, if they can; a failure here
    // is said by the request below, which needs the server too.
    let _ = super::sync::sync_now().await;
    let path = format!("/api/v1/plans/{}/membership", id_to_hex(&plan));
    match api::send_only::<()>("DELETE", &path, None).await {
        Ok(()) => {}
        // Not a member any more (left from another phone, or removed): the same end.
        Err(ApiProblem::Refused { code, .. }) if code == "not_found" => {}
        Err(other) => return Err(other.into()),
    }
    let storage = Storage::shared().await?;
    let record = storage
        .sync_records()
        .await?
        .into_iter()
        .find(|(p, _)| p == local)
        .map(|(_, r)| r);
    storage.delete_plan(local).await?;
    if let Some(mut record) = record {
        record.leave();
        storage.save_sync_record(local, &record).await?;
    }
    // The round after says what is open now (and no longer names whose plan it was).
    let _ = super::sync::sync_now().await;
    Ok(())
}

#[component]
pub fn LeavePage() -> impl IntoView {
    let step = RwSignal::new(Step::Loading);
    spawn_local(async move {
        step.set(match open_shared_plan().await {
            Ok(Some((local, plan, name))) => Step::Asking(local, plan, name),
            Ok(None) => Step::NotShared,
            Err(problem) => Step::Failed(super::invite::problem_words(&problem)),
        });
    });
    let go = move |local: PlanId, plan: [u8; 16], name: String| {
        if step.get_untracked() == Step::Leaving {
            return;
        }
        step.set(Step::Leaving);
        spawn_local(async move {
            step.set(match leave(&local, plan).await {
                Ok(()) => Step::Left(name),
                Err(Problem::Api(ApiProblem::Offline)) => Step::Failed(ta(A::LeaveOffline).into()),
                Err(problem) => Step::Failed(super::invite::problem_words(&problem)),
            });
        });
    };
    view! {
        <h1>{ta(A::LeaveHeading)}</h1>
        {move || match step.get() {
            Step::Loading => view! { <p role="status">{t(Text::HomeLoading)}</p> }.into_any(),
            Step::NotShared => view! {
                <p>{ta(A::LeaveNotShared)}</p>
                <p><a class="app-link" href="/plans">{ta(A::LeaveBackToPlans)}</a></p>
            }
            .into_any(),
            Step::Asking(local, plan, name) => {
                let leave_label = fill(ta(A::LeaveYes), &[("name", &name)]);
                view! {
                    <section class="app-step" aria-labelledby="leave-question">
                        <h2 id="leave-question">{fill(ta(A::LeaveQuestion), &[("name", &name)])}</h2>
                        <ul>
                            <li>{ta(A::LeaveComesOff)}</li>
                            <li>{fill(ta(A::LeaveTheySee), &[("name", &name)])}</li>
                            <li>{fill(ta(A::LeaveWordsStay), &[("name", &name)])}</li>
                        </ul>
                        <div class="app-item__actions app-item__actions--flat">
                            <button class="app-button app-button--danger" type="button" on:click={
                                let name = name.clone();
                                move |_| go(local.clone(), plan, name.clone())
                            }>
                                {leave_label}
                            </button>
                            <a class="app-button app-button--secondary" href="/plans">{ta(A::LeaveStay)}</a>
                        </div>
                    </section>
                }
                .into_any()
            }
            Step::Leaving => view! { <p role="status">{ta(A::LeaveLeaving)}</p> }.into_any(),
            Step::Left(name) => view! {
                <p role="status">{fill(ta(A::LeaveDone), &[("name", &name)])}</p>
                <p><a class="app-link" href="/plans">{ta(A::LeaveBackToPlans)}</a></p>
            }
            .into_any(),
            Step::Failed(words) => view! {
                <p class="app-field__error" role="alert">{words}</p>
                <p><a class="app-link" href="/plans">{ta(A::LeaveBackToPlans)}</a></p>
            }
            .into_any(),
        }}
    }
}

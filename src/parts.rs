//! The parts of Coplan that a first visit does not need before its first screen: their code
//! is split out of the main module by `cargo xtask build` and fetched when first drawn.
//!
//! Every part here is needed offline, so the service worker precaches each one in the same
//! install as the shell. A part that cannot be fetched (offline before it was ever cached,
//! or the server already on a newer build) never takes the app down: its place says so in
//! plain words, with a way to try again, and the header's safety plan button and the 24/7
//! lines keep working, because they live in the main module.
//!
//! Each split point is a plain function whose body draws the part; `wasm_split` makes the
//! call an `async` one that fetches the part's code first, and `fallible` makes a failed
//! fetch an `Err` instead of an abort.
// The split macro declares each part's import and export (`extern "C"`, `no_mangle`); this
// module is the only place in the app allowed that.
#![allow(unsafe_code)]

use std::rc::Rc;

use leptos::prelude::*;
use wasm_split_helpers::{SplitLoaderError, wasm_split};

use crate::i18n::{Text, t};

/// A part's code could not be fetched; the next try fetches again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartMissing;

impl From<SplitLoaderError> for PartMissing {
    fn from(_: SplitLoaderError) -> Self {
        Self
    }
}

/// Draws a part, with code that lives in the part's own module.
pub type Draw = Rc<dyn Fn() -> AnyView>;

/// The parts loaded later. A screen takes the whole `<main>`; the others sit inside one.
#[derive(Clone, Copy)]
pub enum Part {
    CarePlan,
    CheckIns,
    CrisisWishes,
    PrintPlan,
    CrisisCard,
    Plans,
    Privacy,
    Export,
    /// Online only: accounts (never precached, see `xtask/src/build.rs`).
    Account,
}

impl Part {
    fn is_screen(self) -> bool {
        !matches!(self, Self::Export)
    }

    async fn fetch(self) -> Result<Draw, PartMissing> {
        match self {
            Self::CarePlan => care_plan().await,
            Self::CheckIns => check_ins().await,
            Self::CrisisWishes => crisis_wishes().await,
            Self::PrintPlan => print_plan().await,
            Self::CrisisCard => crisis_card().await,
            Self::Plans => plans().await,
            Self::Privacy => privacy().await,
            Self::Export => export().await,
            Self::Account => account().await,
        }
    }
}

/// A part, drawn once its code is here; while it comes, a short "Opening…" (screens only);
/// if it cannot come, plain words and a way to try again.
#[component]
pub fn Lazy(part: Part) -> impl IntoView {
    let loaded = LocalResource::new(move || part.fetch());
    move || match loaded.get() {
        Some(Ok(draw)) => draw(),
        Some(Err(PartMissing)) => missing(part.is_screen(), move || loaded.refetch()),
        None if part.is_screen() => {
            view! { <p role="status">{t(Text::PartOpening)}</p> }.into_any()
        }
        None => ().into_any(),
    }
}

fn missing(screen: bool, again: impl Fn() + 'static) -> AnyView {
    let heading = t(Text::PartMissingHeading);
    view! {
        <div class="app-problem" role="alert">
            {if screen {
                view! { <h1>{heading}</h1> }.into_any()
            } else {
                view! { <h2>{heading}</h2> }.into_any()
            }}
            <p>{t(Text::PartMissingBody)}</p>
            <button class="app-button app-button--secondary" type="button" on:click=move |_| again()>
                {t(Text::PartTryAgain)}
            </button>
        </div>
    }
    .into_any()
}

#[wasm_split(care_plan, fallible)]
fn care_plan() -> Result<Draw, PartMissing> {
    Ok(Rc::new(|| {
        view! { <crate::care_plan::CarePlanPage/> }.into_any()
    }))
}

#[wasm_split(check_ins, fallible)]
fn check_ins() -> Result<Draw, PartMissing> {
    Ok(Rc::new(|| {
        view! { <crate::check_ins::CheckInsPage/> }.into_any()
    }))
}

#[wasm_split(crisis_wishes, fallible)]
fn crisis_wishes() -> Result<Draw, PartMissing> {
    Ok(Rc::new(|| {
        view! { <crate::plan::CrisisWishesPage/> }.into_any()
    }))
}

#[wasm_split(print_plan, fallible)]
fn print_plan() -> Result<Draw, PartMissing> {
    Ok(Rc::new(|| {
        view! { <crate::paper::PrintPlanPage/> }.into_any()
    }))
}

#[wasm_split(crisis_card, fallible)]
fn crisis_card() -> Result<Draw, PartMissing> {
    Ok(Rc::new(|| {
        view! { <crate::paper::CrisisCardPage/> }.into_any()
    }))
}

#[wasm_split(plans, fallible)]
fn plans() -> Result<Draw, PartMissing> {
    Ok(Rc::new(|| view! { <crate::plan::PlansPage/> }.into_any()))
}

#[wasm_split(privacy, fallible)]
fn privacy() -> Result<Draw, PartMissing> {
    Ok(Rc::new(|| {
        view! { <crate::privacy::PrivacyPage/> }.into_any()
    }))
}

#[wasm_split(export, fallible)]
fn export() -> Result<Draw, PartMissing> {
    Ok(Rc::new(|| {
        view! { <crate::plan::ExportButton/> }.into_any()
    }))
}

#[wasm_split(account, fallible)]
fn account() -> Result<Draw, PartMissing> {
    Ok(Rc::new(|| {
        view! { <crate::account::AccountPage/> }.into_any()
    }))
}

/// Starts backup and sync when this phone has an account: the sync code lives in the
/// account part, fetched only then (online only; offline the next start tries again).
pub async fn start_sync_if_signed_in() {
    if crate::storage::signed_in_hint() {
        let _ = account_sync().await;
    }
}

#[wasm_split(account, fallible)]
fn account_sync() -> Result<(), PartMissing> {
    crate::account::sync::start();
    Ok(())
}

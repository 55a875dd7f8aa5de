//! English: every phrase, in plain words for someone who may be struggling.

use super::{StepText, Text};

pub fn text(text: Text) -> &'static str {
    match text {
        Text::AppName => "Coplan",
        Text::SkipToContent => "Skip to main content",
        Text::SafetyPlanButton => "Safety plan",
        Text::NavHome => "My plan",
        Text::NavAbout => "Privacy and your data",
        Text::MainNavigation => "Main",

        Text::HomeHeading => "Your plan",
        Text::HomeIntro => {
            "Your plan is yours. You write it, with the people who support you if you want, and it stays on this phone."
        }
        Text::HomeStart => "Start my plan",
        Text::HomeLoading => "Opening your plan…",
        Text::PreferredNameLabel => "What would you like to be called?",
        Text::PreferredNameHint => {
            "The name you would like people to use. You can change it at any time."
        }
        Text::ErrorPrefix => "Error:",
        Text::SavedOnPhone => "Saved on this phone",
        Text::NotSavedYet => "Not saved yet.",
        Text::TryingAgain => "Your words are still here, and Coplan will keep trying to save them.",
        Text::StorageProblemHeading => "There is a problem",

        Text::SafetyPlanHeading => "Safety plan",
        Text::SafetyPlanYours => {
            "When you write your own safety plan, it will be here, ready to read even with no signal."
        }
        Text::CrisisLinesHeading => "Talk to someone now",
        Text::CrisisLinesIntro => "These lines are open day and night, every day.",
        Text::CrisisCallSamaritans => "Call {name} on {number}",
        Text::CrisisNoteSamaritans => "Free. Someone will listen, whatever you are going through.",
        Text::CrisisCallNhs111 => "Call {name}",
        Text::CrisisNoteNhs111 => "Then choose option 2 to talk to a mental health team (England).",
        Text::CrisisTextShout => "Text {word} to {number}",
        Text::CrisisNoteShout => "Free text support, if talking is hard.",
        Text::CrisisCallEmergency => "Call {number}",
        Text::CrisisNoteEmergency => "If your life or someone else's is in danger now.",

        Text::AboutHeading => "Privacy and your data",
        Text::AboutWhatHeading => "What Coplan keeps",
        Text::AboutWhat => "Only what you type into your plan, and when you last changed it.",
        Text::AboutWhereHeading => "Where it is kept",
        Text::AboutWhere => {
            "On this phone, inside this browser's own storage for Coplan. It is not in your photos, files or messages."
        }
        Text::AboutServerHeading => "What is sent to the internet",
        Text::AboutServer => {
            "Nothing you write. The Coplan server only sends the app itself to this phone. Sharing your plan with people you choose will come later, and only when you turn it on."
        }
        Text::AboutWhoHeading => "Who can see it",
        Text::AboutWho => {
            "For now, anyone who can open this browser on this phone could read your plan. Coplan does not lock it yet. If you share this phone, think about who might pick it up."
        }
        Text::AboutClearedHeading => "When it could be lost",
        Text::AboutCleared => {
            "If you clear this browser's data, or uninstall the browser, your plan is deleted from this phone. Some browsers also clear it when the phone runs short of space."
        }

        Text::MySafetyPlanHeading => "My safety plan",
        Text::SafetyPlanEmpty => {
            "You have not written your own safety plan yet. You can write it on your own, or with someone you trust."
        }
        Text::ChangeSafetyPlan => "Write or change my safety plan",
        Text::EditSafetyPlanHeading => "Write my safety plan",
        Text::EditSafetyPlanIntro => {
            "Fill in as much or as little as you like. Leave out or hide any step that does not fit you. Everything is saved on this phone as you type."
        }
        Text::BackToSafetyPlan => "Back to my safety plan",
        Text::HideStep => "Hide this step",
        Text::ShowStep => "Show this step",
        Text::StepHiddenNote => {
            "Hidden. What you wrote is kept, and you can show it again at any time."
        }
        Text::MoveUp => "Move up",
        Text::MoveDown => "Move down",
        Text::Remove => "Remove",
        Text::RemovedItem => "Removed.",
        Text::Undo => "Undo",
        Text::ContactName => "Name",
        Text::ContactPhone => "Phone number",
        Text::CallContact => "Call {name}",
        Text::TextContact => "Text {name}",
        Text::NothingHereYet => "Nothing here yet",

        Text::NotFoundHeading => "This page does not exist",
        Text::NotFoundBody => "The address may be mistyped, or the page may have moved.",
        Text::NotFoundHome => "Go to your plan",
    }
}

pub fn step(step: &str, text: StepText) -> &'static str {
    let (title, hint, item, add) = match step {
        "warning_signs" => (
            "Warning signs",
            "Thoughts, feelings or things that happen that tell me a hard time may be coming.",
            "Warning sign",
            "Add a warning sign",
        ),
        "on_my_own" => (
            "Things I can do on my own",
            "What helps me feel a little better, without needing anyone else.",
            "Something I can do",
            "Add something I can do",
        ),
        "distractions" => (
            "People and places that take my mind off things",
            "Somewhere to go, or someone to be with, without having to talk about how I feel.",
            "Person or place",
            "Add a person or place",
        ),
        "ask_for_help" => (
            "People I can ask for help",
            "People I trust to talk to when things get hard.",
            "Person",
            "Add a person",
        ),
        "professionals" => (
            "Professionals and services",
            "Workers and services I can contact. The lines open day and night are at the top of this page.",
            "Service",
            "Add a service",
        ),
        "safer_place" => (
            "Making where I am safer",
            "Things I can do, or ask someone to do, to make my surroundings safer.",
            "Step",
            "Add a step",
        ),
        "reasons_for_living" => (
            "My reasons for living",
            "What matters to me and keeps me going.",
            "Reason",
            "Add a reason",
        ),
        _ => ("", "", "", ""),
    };
    match text {
        StepText::Title => title,
        StepText::Hint => hint,
        StepText::Item => item,
        StepText::Add => add,
    }
}

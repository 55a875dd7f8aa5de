//! English: every phrase, in plain words for someone who may be struggling.

use super::Text;

pub fn text(text: Text) -> &'static str {
    match text {
        Text::ErrPinShape => "A PIN is 6 or more numbers, and nothing else.",
        Text::ErrPassphraseShort => {
            "A passphrase needs at least 16 characters. Four or more words that do not belong together are easy to remember and hard to guess."
        }
        Text::ErrSecretTooLong => "That is too long. Keep it under 200 characters.",
        Text::ErrSecretMismatch => "The two you typed are not the same. Type it again, twice.",
        Text::ErrLockDamaged => {
            "The app lock on this phone is damaged, so Coplan cannot unlock it."
        }
        Text::ErrLockNewer => {
            "The app lock was set by a newer version of Coplan. Reload the app to get it."
        }
        Text::ErrBadPlanId => "Plan ids are 1 to 64 letters, digits, dashes or underscores",
        Text::ErrNameTooLong => "What you like to be called can be up to {max} characters",
        Text::ErrDraftNewer => {
            "This plan was saved by a newer version of Coplan. Reload the app to open it"
        }
        Text::ErrDraftUnreadable => "This plan could not be read: it may be damaged",
        Text::ErrTooLong => "This can be up to {max} characters",
        Text::ErrTooManyItems => "This list can hold up to {max} things. Remove one to add another",
        Text::ErrNoSuchItem => "That has been removed, perhaps on another phone",
        Text::ErrUnknownName => "Coplan does not know that part of the plan",
        Text::ErrEditNewer => {
            "This was saved by a newer version of Coplan. Reload the app to get it"
        }
        Text::ErrNotAChoice => "Choose one of the options given",
        Text::ErrBadDate => "Enter a real date, like 31 12 2026",
        Text::ErrBadUpdate => "This change could not be read: it may be damaged or too large",
        Text::ErrFileTooLarge => {
            "This file is too large to be a Coplan plan. Choose the file Coplan saved for you"
        }
        Text::ErrFileNotAPlan => {
            "This file is not a Coplan plan. Choose the file Coplan saved for you"
        }
        Text::ErrFileNewer => {
            "This plan was saved by a newer version of Coplan. Reload Coplan to get the newest version, then try again"
        }
        Text::ErrFileDamaged => {
            "This file is damaged or incomplete, so nothing was loaded. Your plan on this phone has not changed"
        }
        Text::ErrPhoneEmpty => "Enter a phone number",
        Text::ErrPhoneTooLong => "A phone number can be at most {max} characters",
        Text::ErrPhoneBadCharacter => {
            "A phone number can only have digits, spaces, brackets, dashes and a + at the start"
        }
        Text::ErrPhoneWrongLength => {
            "Enter a phone number, like 07700 900123, 116 123 or +353 1 234 5678"
        }
        Text::ErrSealedDamaged => {
            "Part of your plan on this phone is damaged and could not be read. The rest is shown."
        }
        Text::ErrSealedNewer => {
            "Part of your plan was saved by a newer version of Coplan. Reload the app to get it."
        }
        Text::ErrStorageUnavailable => {
            "This browser will not let Coplan keep anything on this phone. It may be in private mode, or set to block site storage."
        }
        Text::ErrDatabaseNewer => {
            "Your plan was saved by a newer version of Coplan. Close every Coplan tab and open it again to get the new version."
        }
        Text::ErrWriteFailed => {
            "Coplan could not save on this phone. The phone may be short of space."
        }
        Text::ErrReadFailed => "Coplan could not read what is saved on this phone.",
        Text::ErrNotProtected => {
            "Coplan cannot protect your plan on this connection, so it keeps nothing here. Open Coplan from its secure address, which starts with https://."
        }
        Text::ErrKeysMissing => {
            "Coplan cannot read what is saved on this phone because the key to it is missing. Nothing has been changed or removed. If the browser's data was restored, closing every Coplan tab and opening it again may bring the key back."
        }
        Text::ErrPlanGone => "This plan was deleted on this phone, so nothing more is saved to it.",
        Text::ErrForgotten => "Coplan has forgotten this phone. Reload the page to start again.",
        Text::ErrLocked => "Coplan is locked.",
        Text::ErrRemoved => "Everything Coplan kept on this phone has been removed.",
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
        Text::ErrorPrefix => "Error:",
        Text::SavedOnPhone => "Saved on this phone",
        Text::NotSavedYet => "Not saved yet.",
        Text::UpdatedElsewhere => {
            "Coplan was updated in another tab, so this page can no longer save. Everything shown as saved is kept. Reload this page to keep writing."
        }
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
            "Without an account, nothing you write: the Coplan server only sends the app itself to this phone. With one, your plan is backed up locked, so that the server cannot read it (see below)."
        }
        Text::AboutWhoHeading => "Who can see it",
        Text::AboutLimitsHeading => "What Coplan cannot stop",
        Text::AboutWho => {
            "Coplan keeps your plan encrypted on this phone, with a key that this browser keeps for Coplan and will not show to anyone. This stops someone reading your plan with the browser's developer tools, or from a copy of what Coplan stores. It does not stop someone who copies this browser's whole profile, and without a lock, anyone who opens Coplan on this phone can read your plan. You can set a lock below. If you share this phone, press Hide (or Escape twice) to hide Coplan at once, and use Forget this phone before you give it away."
        }
        Text::AboutLimits => {
            "Some things a website cannot stop: the phone may keep a picture of the last screen in its list of recent apps, and the keyboard may learn words you type. Press Hide before you switch apps if that matters to you."
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
        Text::HistoryOpen => "What changed here, and who changed it",
        Text::CaseloadLink => "What needs you in the plans shared with you",
        Text::PrintedOn => "Printed on {date}",
        Text::ContactName => "Name",
        Text::ContactPhone => "Phone number",
        Text::CallContact => "Call {name}",
        Text::TextContact => "Text {name}",
        Text::NothingHereYet => "Nothing here yet",

        Text::ClearedWords => "Words cleared.",
        Text::AboutMeHeading => "About me",
        Text::AboutMeIntro => {
            "Tell your story once, in your own words, so you do not have to repeat it to each new team. Write as much or as little as you like."
        }
        Text::CrisisWishesHeading => "If I am in crisis",
        Text::CrisisWishesIntro => {
            "What you would like to happen if you are in crisis and find it hard to say. Write it now, when you can, so the people helping you know."
        }
        Text::OwnWordsNote => {
            "Everything on this page is in your own words. Other people cannot change it without your agreement."
        }
        Text::SectionAboutMe => "About me",
        Text::SectionCarePlan => "My care and support plan",
        Text::SectionSafetyPlan => "My safety plan",
        Text::SectionCrisisWishes => "If I am in crisis",
        Text::SectionCheckIns => "Check-ins",
        Text::PlanFor => "Plan for {name}",
        Text::PlansLink => "Plans on this phone",
        Text::SummaryCount => "{what}: {count}",
        Text::SummaryWritten => "Written: {what}",
        Text::SummaryRated => "Parts of life rated: {count}",
        Text::SummarySteps => "Steps: {count}, {done} done",
        Text::SummaryCheckIns => "Check-ins: {count}, the last on {date}",
        Text::PlanDeleted => "The plan was deleted from this phone.",
        Text::PlansHeading => "Plans on this phone",
        Text::PlansIntro => {
            "A phone can hold more than one plan, for example a worker's phone. Only open a plan if it is yours, or its owner asked you to."
        }
        Text::NoPlansYet => "There are no plans on this phone yet.",
        Text::StartAnotherPlan => "Start a new plan",
        Text::PlanStartedOn => "Started on {date}",
        Text::PlanNextReview => "Next review: {date}",
        Text::OpenThisPlan => "Open this plan",
        Text::DeleteThisPlan => "Delete this plan",
        Text::LeaveThisPlan => "Leave this plan",
        Text::DeleteConfirmHeading => "Delete this plan from this phone?",
        Text::DeleteConfirmBody => {
            "Everything in this plan will be deleted from this phone and cannot be brought back. It holds:"
        }
        Text::DeleteConfirmFiles => "Copies you saved as a file or printed are not deleted.",
        Text::DeleteForGood => "Yes, delete this plan",
        Text::KeepThisPlan => "No, keep it",
        Text::CarePlanHeading => "My care and support plan",
        Text::CarePlanIntro => {
            "Each part of your life, how you feel about it, and what you would like to change. Skip any part that does not matter to you now."
        }
        Text::CarePlanSupportHeading => "My support now",
        Text::CheckInsHeading => "Check-ins",
        Text::CheckInsIntro => {
            "A quick look at how things are in each part of your life, so you can see how they change over time. It takes about a minute."
        }
        Text::CheckInNow => "Check in now",
        Text::CheckInNowHeading => "How are things now?",
        Text::CheckInHint => {
            "1 is not at all happy, 7 is very happy. Skip any you like. Each answer is saved as you pick it."
        }
        Text::CheckInDone => "Finish check-in",
        Text::NoCheckInsYet => "Your check-ins will show here as charts over time.",
        Text::CheckInsOverTime => "Over time",
        Text::ShowAsTable => "Show {what} as a table",
        Text::TableDate => "Date",
        Text::TableRating => "Rating, 1 to 7",

        Text::KeepACopyHeading => "Keep a copy",
        Text::KeepACopyBody => {
            "Save your plan as a file, so it is not lost if this phone is lost, reset or runs out of space. Anyone who has the file can read your plan, unless you lock it with a passphrase below. You will need that passphrase to open the file again."
        }
        Text::SaveACopy => "Save a copy of my plan",
        Text::CopyNeedsPassphrase => {
            "Coplan is locked on this phone, so a copy should be locked too. Type a passphrase for the file, or tick \"Save it without a passphrase\" if you are sure."
        }
        Text::SaveWithoutPassphrase => "Save it without a passphrase",
        Text::SaveACopyFailed => {
            "Coplan could not make the file. Try again, or try another browser."
        }
        Text::NoPlanToSave => "There is no plan on this phone to save yet.",
        Text::OpenFromFileHeading => "Open a plan from a file",
        Text::ChooseAFile => "Choose a Coplan file",
        Text::ChooseAFileHint => {
            "A file saved with \"Save a copy of my plan\". If the same plan is already on this phone, the two are joined together and nothing on the phone is lost."
        }
        Text::PlanOpenedFromFile => "The plan from the file is on this phone now, and open.",
        Text::FileUnreadable => "Coplan could not read that file. Try choosing it again.",
        Text::KeepingHeading => "Keeping your plan on this phone",
        Text::KeepingYes => {
            "This browser has agreed to keep your plan, even when the phone is short of space."
        }
        Text::KeepingMaybe => {
            "This browser may delete your plan if the phone runs short of space. To keep it safe, add Coplan to your home screen, and save a copy of your plan as a file."
        }
        Text::KeepingApple => {
            "On an iPhone or iPad, Safari deletes what a website keeps after seven days without a visit, unless the website is on the home screen. To keep your plan, tap Share, then Add to Home Screen, and open Coplan from there."
        }
        Text::PrintPlanLink => "Print my plan",
        Text::CrisisCardLink => "Print a crisis card",
        Text::PrintPlanHeading => "My plan, ready to print",
        Text::PrintPlanIntro => {
            "A paper copy of everything you have written, for you or for someone you choose to give it to. Anyone who picks it up can read it."
        }
        Text::PrintNow => "Print, or save as a PDF",
        Text::PaperRating => "How happy I am with this: {rating} out of 7",
        Text::PrintSafetyPlan => "Print my safety plan",
        Text::CrisisCardHeading => "Crisis card",
        Text::CrisisCardIntro => {
            "A small card for a wallet or purse. Print it, cut around the outside line, and fold it in half."
        }
        Text::CrisisCardTitle => "If I am in crisis",
        Text::CrisisCardTitleFor => "{name}: if I am in crisis",
        Text::CrisisCardCall => "Who to call",
        Text::ForgetHeading => "Forget this phone",
        Text::ForgetIntro => {
            "If you are giving this phone away, or someone else may use it, you can remove everything Coplan keeps on it."
        }
        Text::ForgetButton => "Forget this phone",
        Text::ForgetConfirmHeading => "Remove everything Coplan keeps on this phone?",
        Text::ForgetConfirmBody => "This deletes, from this browser on this phone:",
        Text::ForgetConfirmPlans => {
            "every plan, and everything in them (plans on this phone: {count})"
        }
        Text::ForgetConfirmCopy => "Coplan's offline copy and its settings",
        Text::ForgetConfirmNotServer => {
            "Coplan does not keep your plan anywhere else yet, so it cannot be brought back. Save a copy first if you want to keep it."
        }
        Text::ForgetYes => "Yes, forget this phone",
        Text::ForgetNo => "No, keep everything",
        Text::Forgotten => {
            "Coplan has forgotten this phone: nothing of it is left in this browser. You can close this page."
        }
        Text::LockHeading => "App lock",
        Text::LockIntro => {
            "A lock asks for a PIN or a passphrase before Coplan shows your plan. A PIN stops someone who picks up this phone. Only a long passphrase also protects your plan if someone copies this browser's whole profile. If you forget it, your plan cannot be opened: save a copy first. The 24/7 lines always show on the lock screen."
        }
        Text::LockKindQuestion => "Lock with",
        Text::LockKindPin => "A PIN (6 or more numbers)",
        Text::LockKindPassphrase => "A passphrase (16 or more characters)",
        Text::LockNew => "New PIN or passphrase",
        Text::LockAgain => "Type it again",
        Text::LockSet => "Turn the lock on",
        Text::LockWorking => "Working…",
        Text::LockIsOn => "The lock is on.",
        Text::LockIsOff => {
            "The lock is off. Anyone who opens Coplan on this phone can read your plan."
        }
        Text::LockChanged => "Changed. Use the new one from now on.",
        Text::FileNotChecked => {
            "Coplan could not finish checking this file, so nothing was loaded. Your plan on this phone has not changed."
        }
        Text::SectionGettingLong => {
            "This section is getting very long. Everything in it is saved on this phone, but if it grows much longer it will not fit in a saved copy of your plan. Taking out what you no longer need makes room."
        }
        Text::LockCurrentWrong => "That is not the PIN or passphrase set now. Nothing was changed.",
        Text::LockCurrentWrongWait => {
            "That is not the PIN or passphrase set now. Nothing was changed. You can try again in {wait}."
        }
        Text::LockOnPin => "Coplan is locked with a PIN.",
        Text::LockOnPassphrase => "Coplan is locked with a passphrase.",
        Text::LockNow => "Lock now",
        Text::LockOpensWithoutPin => "My safety plan opens without my PIN",
        Text::LockChangeHeading => "Change or turn off the lock",
        Text::LockChange => "Change it",
        Text::LockRemove => "Turn the lock off",
        Text::LockGraceQuestion => "Lock when Coplan is not on screen",
        Text::LockIdleQuestion => "Lock when I have not used Coplan",
        Text::LockWipeQuestion => "Remove everything from this phone after wrong tries",
        Text::AtOnce => "At once",
        Text::AfterOneMinute => "After 1 minute",
        Text::AfterMinutes => "After {n} minutes",
        Text::Never => "Never",
        Text::AfterWrongTries => "After {n} wrong tries",
        Text::LockPin => "Your PIN",
        Text::LockPassphrase => "Your passphrase",
        Text::LockPinOrPassphrase => "Your PIN or passphrase",
        Text::LockedHeading => "Coplan is locked",
        Text::LockedOpenSafetyPlan => "Open my safety plan",
        Text::LockedSafetyPlanNumbered => "Safety plan {n}",
        Text::LockedSafetyPlanAfterUnlock => {
            "Your own safety plan shows once Coplan is unlocked. The 24/7 lines above are always here."
        }
        Text::UnlockHeading => "Unlock",
        Text::UnlockButton => "Unlock",
        Text::LockChecking => "Checking…",
        Text::UnlockWrong => "That is not it. Try again.",
        Text::TriesLeft => "{n} tries left before everything on this phone is removed.",
        Text::OneTryLeft => "1 try left before everything on this phone is removed.",
        Text::UnlockWrongWait => "That is not it. You can try again in {wait}.",
        Text::UnlockTooSoon => "Please wait {wait} before trying again.",
        Text::WaitSeconds => "{n} seconds",
        Text::WaitMinutes => "{n} minutes",
        Text::FilePassphrase => "A passphrase to lock the file (you can leave this empty)",
        Text::FileIsLocked => "This file is locked. Type its passphrase",
        Text::OpenLockedFile => "Open the file",
        Text::FilePassphraseWrong => "That passphrase does not open this file. Nothing was loaded.",
        Text::QuickHide => "Hide",
        Text::NeutralTitle => "Notes",
        Text::NeutralBody => "No notes yet.",
        Text::NeutralReturn => "Continue",
        Text::NotFoundHeading => "This page does not exist",
        Text::NotFoundBody => "The address may be mistyped, or the page may have moved.",
        Text::NotFoundHome => "Go to your plan",
        Text::PartOpening => "Opening…",
        Text::PartMissingHeading => "This part of Coplan could not open",
        Text::PartMissingBody => {
            "Coplan could not fetch this part just now. You may be offline, or Coplan may have just been updated. Everything you wrote is still on this phone, and your safety plan is one tap away at the top of the screen."
        }
        Text::PartTryAgain => "Try again",
    }
}

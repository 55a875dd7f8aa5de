//! English words for the account screens. Only the account part calls [`text`], so these
//! words travel with that part, not with the first visit.

use super::AccountText as A;

pub fn text(text: A) -> &'static str {
    match text {
        A::Heading => "Back up and use on your other phones",
        A::Intro => {
            "With an account, your plan is backed up, and you can open it on your other phones. It is locked with keys that only your phones hold: whoever runs the server cannot read it. You do not need an email address."
        }
        A::Open => "Your account: back up, sign in, your phones",
        A::ServerSeesHeading => "What the server can see if you have an account",
        A::ServerSees1 => {
            "Your username, the names you give your phones, and when each phone signed in and was last used."
        }
        A::ServerSees2 => {
            "Which plans are yours and, for each part of a plan, how many changes it holds, roughly how big each one is, which of your phones sent it and when it arrived."
        }
        A::ServerSees3 => "A list, signed by your phones, of which phones may write in each plan.",
        A::ServerSees4 => {
            "Each time it let one of your phones in or turned it away, and what for. It keeps this for a year."
        }
        A::ServerSees5 => {
            "A scrambled form of the internet address and the username used to sign in, so that it can slow down anyone guessing. It keeps this for a day after the last try."
        }
        A::ServerSees6 => {
            "Its own log of requests: what was asked for and when, naming plans and phones only by the codes Coplan gives them, never by your words. Whoever runs the server decides how long to keep it."
        }
        A::ServerCannotSee => {
            "It cannot see any word you write, when you wrote it, or your passphrase. Whoever runs it could try to guess a short passphrase, which is why yours must be long."
        }
        A::ServerForgets => {
            "When you delete your account, the server deletes everything it holds about you, apart from its own log and the scrambled addresses, which go within a day."
        }
        A::OnlineOnly => {
            "This needs an internet connection. Your plan keeps working on this phone without one."
        }
        A::ChooseMake => "Make an account",
        A::ChooseSignIn => "Sign in",
        A::ChooseRecover => "I have a recovery code",
        A::Back => "Back",
        A::Username => "Username",
        A::UsernameHint => {
            "3 to 32 letters a to z, digits, dots, dashes or underscores. No email address needed."
        }
        A::Passphrase => "Passphrase",
        A::PassphraseHint => {
            "At least 15 characters. A few ordinary words that you will remember work well."
        }
        A::PassphraseWarning => {
            "Nobody can reset your passphrase for you, not even the people who run Coplan. If you forget it and lose your recovery code, your backup cannot be opened. Your plan stays on this phone either way."
        }
        A::PassphraseGuessable => {
            "Whoever runs the server could try to guess a short passphrase, so make it long."
        }
        A::PhoneName => "A name for this phone",
        A::PhoneNameHint => {
            "So you can tell your phones apart, for example \u{201c}my phone\u{201d}."
        }
        A::PhoneNameDefault => "My phone",
        A::Make => "Make my account",
        A::Making => "Making your account. This can take a few seconds\u{2026}",
        A::SignIn => "Sign in on this phone",
        A::SigningIn => "Signing in. This can take a few seconds\u{2026}",
        A::RecoveryCode => "Recovery code",
        A::RecoveryCodeHint => {
            "The code you wrote down or printed when you made your account. Dashes and spaces do not matter."
        }
        A::Recover => "Use my recovery code",
        A::CodeHeading => "Your recovery code",
        A::CodeBody => {
            "Write this code down or print it, and keep it somewhere safe. It is shown only now. If you forget your passphrase, this code gets you back into your account, once."
        }
        A::CodePrint => "Print it",
        A::CodeKept => "I have kept it safe",
        A::NewPassphraseHeading => "Choose a new passphrase",
        A::NewPassphraseBody => {
            "Your recovery code has now been used. Choose a new passphrase, and you will get a new recovery code."
        }
        A::NewPassphrase => "New passphrase",
        A::SaveNewPassphrase => "Save my new passphrase",
        A::ChangePassphraseBody => {
            "Type the passphrase you use now, then a new one. You will get a new recovery code, and the old code will stop working."
        }
        A::CurrentPassphrase => "The passphrase you use now",
        A::ErrCurrentPassphrase => {
            "That is not the passphrase you use now. Check it and try again."
        }
        A::Saving => "Saving\u{2026}",
        A::SignedInAs => "Signed in as {name}.",
        A::PhonesHeading => "Your phones",
        A::ThisPhone => "this phone",
        A::SignedInOn => "signed in {date}",
        A::PhonesOffline => "Your phones can be listed only when this phone is online.",
        A::ChangePassphrase => "Change my passphrase",
        A::SignOutHeading => "Sign out on this phone",
        A::SignOutBody => {
            "This phone will forget your account's keys. Your plan stays on this phone; to open your backup here again, sign in."
        }
        A::SignOut => "Sign out on this phone",
        A::SignedOut => "This phone is signed out. Your plan is still here.",
        A::BackedUpAt => "Your plan was last backed up at {time}.",
        A::NotBackedUpYet => "Your plan has not been backed up yet.",
        A::NotBackedUpSince => {
            "Your plan has not been backed up since {time}: Coplan cannot reach the server. Everything is safe on this phone, and Coplan keeps trying."
        }
        A::SignInAgainToBackUp => {
            "This phone is no longer signed in, so your plan is not being backed up. Everything is safe on this phone. Sign in again to go on."
        }
        A::NewPhoneSignedIn => {
            "A new phone signed in to your account: {name}, {date}. If that was not you, sign it out."
        }
        A::OpenAccount => "Your account",
        A::SignOutOther => "Sign out {name}",
        A::ErrUsernameLength => "A username has 3 to 32 characters.",
        A::ErrUsernameCharacter => {
            "A username can have only letters a to z, digits, dots, dashes and underscores."
        }
        A::ErrPassphraseShort => "Your passphrase has {found} characters. It needs at least 15.",
        A::ErrPassphraseLong => "That passphrase is too long: use at most 1,000 characters.",
        A::ErrPassphraseGuessable => {
            "That passphrase is too easy to guess. Try a few ordinary words."
        }
        A::ErrPassphraseCommon => {
            "Many people use that passphrase, so it is easy to guess. Choose another."
        }
        A::ErrPhoneName => "Give this phone a name of 1 to 40 characters.",
        A::ErrRecoveryCode => {
            "That recovery code is incomplete or has a typo. Check it and try again."
        }
        A::ErrNameTaken => "Someone already has that username. Choose another.",
        A::ErrSignInFailed => {
            "That username and passphrase do not match an account. Check them and try again."
        }
        A::ErrRecoveryFailed => {
            "That username and recovery code do not match an account, or the code was used already."
        }
        A::ErrSlowDown => "Too many tries. Wait {wait}, then try again.",
        A::ErrSignInAgain => "For this, sign out and sign in again first.",
        A::ErrBusy => {
            "The server is busy just now. Wait {wait}, then try again. Your plan is safe on this phone."
        }
        A::ErrOffline => {
            "Coplan cannot reach the server. Check your connection and try again. Your plan is safe on this phone."
        }
        A::ErrServer => {
            "Something went wrong on the server. Try again later. Your plan is safe on this phone."
        }
        A::ErrKeys => {
            "The server sent keys that do not open with what you typed. Nothing was changed on this phone."
        }
        A::InviteHeading => "Invite someone to your plan",
        A::InviteNeedsAccount => {
            "To invite someone, first make an account or sign in on this phone. Your plan is then backed up, and the people you invite get their own copy of the parts you choose."
        }
        A::InviteNeedsBackup => {
            "Your plan is not backed up to your account yet. Write something in it, stay online for a moment, then try again."
        }
        A::InviteIntro => {
            "Do this when you are with the person, in the same room. They need Coplan open on their own phone, signed in to their own account."
        }
        A::InviteWho => "Who are you inviting?",
        A::InviteRoleWorker => "A worker, for example a peer worker or care coordinator",
        A::InviteRoleCarer => "A carer, family member or friend",
        A::InviteRoleOther => "Someone else",
        A::InviteRoleWorkerWord => "worker",
        A::InviteRoleCarerWord => "carer",
        A::InviteName => "Their name",
        A::InviteNameHint => "The name you know them by. Only your phones see it.",
        A::InviteNameProblem => "Type their name, up to 60 letters.",
        A::InviteWhatTheyMayDo => "What they may do with each part of your plan",
        A::InviteRightsHint => {
            "You can change this later, or take it away. Everyone you invite also sees the name you like to be called and when your plan is next reviewed, so they know whose plan it is."
        }
        A::RightNone => "Cannot see it",
        A::RightRead => "Can read it",
        A::RightSuggest => "Can read it and suggest changes for you to accept",
        A::RightEdit => "Can read and change it",
        A::InviteMake => "Make the invite",
        A::InviteTooMany => {
            "You have 5 invites open already. Wait for them to end (15 minutes at most), then try again."
        }
        A::InviteShowHeading => "Show them this code",
        A::InviteShowBody => {
            "Or, on their phone, they open Coplan, choose Join someone's plan, and type this code:"
        }
        A::InviteUntil => "The code works until {time}, and only once.",
        A::InviteWaiting => "Waiting for their phone…",
        A::InviteWantsToJoin => "{name} wants to join your plan",
        A::InviteSignedInAs => "Their account's username is {username}.",
        A::InviteMayEdit => "They will be able to change: {sections}.",
        A::InviteMaySuggest => "They will be able to suggest changes to: {sections}.",
        A::InviteMayRead => "They will be able to read: {sections}.",
        A::InviteCompare => "Their phone shows a number too. Check that it is this one:",
        A::InviteCompareDiffer => {
            "If the two numbers are not the same, do not go on: someone else may be trying to join. Choose Decline and make a new invite."
        }
        A::InviteLetIn => "Let them join",
        A::InviteDecline => "Decline",
        A::InviteJoined => "{name} has joined your plan.",
        A::InviteDeclined => "You declined. Nobody joined your plan.",
        A::InviteAgain => "Make a new invite",
        A::InviteEnded => "This invite has ended. Make a new one if you still want to invite them.",
        A::InviteStopWrongCode => {
            "Someone tried this invite without the right code (or what they sent was changed on the way), so it was stopped. Nobody joined. Make a new invite."
        }
        A::InviteStopOwnAccount => {
            "That phone is signed in to your own account. To use your plan on another of your phones, sign in there instead."
        }
        A::InviteStopChanged => {
            "Something changed part-way through, so this invite was stopped for safety. Nobody joined. Make a new invite."
        }
        A::InviteStopNotThePerson => {
            "The plan this code leads to is not the one the QR code was made for, so nothing was joined. Ask for a new invite."
        }
        A::JoinHeading => "Join someone's plan",
        A::JoinNeedsAccount => {
            "To join someone's plan, first make an account or sign in on this phone, then choose Join someone's plan on your account screen. An invite from a QR code is kept until then, as long as this page stays open."
        }
        A::JoinCode => "The code on their phone",
        A::JoinCodeHint => "13 letters and numbers. Dashes and spaces do not matter.",
        A::JoinCodeProblem => {
            "That is not a whole code. Check it against their phone: it has 13 letters and numbers."
        }
        A::JoinCodeDidNotWork => {
            "That code did not work. It may have a typo, have been used, or have ended. Check it, or ask for a new one."
        }
        A::JoinButton => "Join",
        A::JoinWaiting => "Waiting for their phone…",
        A::JoinCompare => "Their phone shows a number too. Check that it is this one:",
        A::JoinWaitingAnswer => "Waiting for them to let you join…",
        A::JoinJoined => {
            "You have joined their plan. The parts they chose are on this phone now, and stay up to date while you are online."
        }
        A::JoinSeePlan => "See their plan",
        A::InviteScanBody => {
            "They can point their phone's camera at this QR code. It opens Coplan on their phone, ready to join."
        }
        A::InviteQrLabel => "QR code to join your plan",
        A::JoinNeedsLock => {
            "Before you join, set an app lock on this phone. Their plan will be kept on it, and the lock keeps it from anyone who picks up your phone. Then come back here."
        }
        A::JoinSetLock => "Set an app lock",
        A::JoinCodeUsed => {
            "Someone has already used that invite, so it cannot be used again. Ask for a new one, and tell the person: they will see who used it and can decline."
        }
        A::PeopleOpen => "Who can see your plan",
        A::PeopleHeading => "Who can see your plan",
        A::PeopleIntro => "Besides you, these people can see parts of your plan, as you chose.",
        A::PeopleNobody => "Nobody else can see your plan. It is only on your own phones.",
        A::PeopleNotShared => {
            "This is not a plan of your own backed up to your account, so there is nobody to show here."
        }
        A::PeopleRemove => "Remove {name}",
        A::PeopleRemoveQuestion => "Remove {name} from your plan?",
        A::PeopleRemoveBody => {
            "From now on they cannot get your plan, and their phone takes it off. What they have already seen, or printed, cannot be taken back."
        }
        A::PeopleRemoveYes => "Yes, remove them",
        A::PeopleKeep => "No, keep them",
        A::PeopleRemoved => "You removed {name}. They can no longer see your plan.",
        A::PeopleChange => "Change what {name} may do",
        A::PeopleChangeHeading => "What {name} may do",
        A::PeopleChangeHint => {
            "Where you take away what they can see, new keys are made, so nothing you write there from now on reaches them. What they have already seen cannot be taken back."
        }
        A::PeopleChangeSave => "Save",
        A::PeopleChanged => "Saved. {name} may now do what you chose.",
        A::PeopleNamesInferred => {
            "You choose whether the others who can see your plan see each person's name. Without it, they still see that someone else can see a part, that person's role, and what they may do with it. Where that person changes a part the others can read, the others see the new words, and may guess who wrote them."
        }
        A::PeopleShownAs => "The others who can see your plan see them as \u{201c}{shown}\u{201d}.",
        A::PeopleNotShownToOthers => {
            "The others who can see your plan do not see their name, only their role."
        }
        A::PeopleShowName => "Show {name} to the others by name",
        A::PeopleHideName => "Stop showing {name}'s name",
        A::PeopleShowNameHeading => "What should the others call {name}?",
        A::PeopleShowNameLabel => "Name the others will see",
        A::PeopleShowNameHint => {
            "Everyone else who can see any part of your plan will see this name. Put nothing in it that you would not want all of them to know."
        }
        A::PeopleShowNameSave => "Show this name",
        A::PeopleShowNameCancel => "Back",
        A::PeopleShowNameNeeded => "Type the name the others should see.",
        A::PeopleShowNameTooLong => "Use 60 characters or fewer.",
        A::PeopleNameShown => "The others now see {name} as \u{201c}{shown}\u{201d}.",
        A::PeopleNameHidden => "The others no longer see {name}'s name, only their role.",
        A::PeopleLeft => {
            "They chose to leave your plan, and can no longer reach it. Remove them here, so that new keys are made for what you write from now on."
        }
        A::PeopleAccountOff => {
            "The service has turned off this account, for someone who has left. Remove them, so that nothing you write from now on can reach them."
        }
        A::AccountTurnedOff => {
            "The service that runs your Coplan server has turned off your account. Your plans stay on this phone, but are no longer backed up or shared."
        }
        A::ErrAccountTurnedOff => {
            "The service that runs this Coplan server has turned off this account, so it cannot sign in."
        }
        A::LeaveHeading => "Leave a plan",
        A::LeaveThePerson => "this person",
        A::LeaveNotShared => {
            "The plan open now is your own, so there is nothing to leave. You can delete a plan from Plans on this phone."
        }
        A::LeaveBackToPlans => "Back to Plans on this phone",
        A::LeaveQuestion => "Leave {name}'s plan?",
        A::LeaveComesOff => "It comes off this phone, and you can no longer see it or change it.",
        A::LeaveTheySee => "{name} will see that you left.",
        A::LeaveWordsStay => {
            "What you already wrote stays in {name}'s plan. Changes this phone has not sent yet are sent first, if it can."
        }
        A::LeaveYes => "Leave {name}'s plan",
        A::LeaveStay => "Stay in the plan",
        A::LeaveLeaving => "Leaving…",
        A::LeaveDone => "You left {name}'s plan. It is no longer on this phone.",
        A::LeaveOffline => {
            "This phone could not reach the Coplan server, so you have not left yet. Try again when you are online."
        }
        A::ReadersOnlyYou => "Only you can see this part of your plan.",
        A::ReadersAlso => "Who else can see this part: {people}.",
        A::ReadersShared => "Who can see this part: {people}.",
        A::ReaderPerson => "{name}, whose plan it is",
        A::ReaderThePerson => "the person",
        A::ReaderYou => "you",
        A::ReaderInvitedRole => "a {role} {name} invited",
        A::ReaderInvitedOther => "someone else {name} invited",
        A::ReaderChanges => "{who}, who can change it",
        A::ReaderSuggests => "{who}, who can read it and suggest changes",
        A::ReaderReads => "{who}, who can read it",
        A::MembersToRemove => {
            "Someone who could see your plan has left it, or the service turned their account off. Remove them in Who can see your plan, so that new keys are made for what you write next."
        }
        A::HistoryHeading => "What changed in {section}",
        A::HistoryIntro => {
            "Every change that reached this phone, newest first, and who made it. Only the people who can see this part can see its history."
        }
        A::HistoryBack => "Back to {section}",
        A::HistoryNotSynced => {
            "There is no history yet. It starts once this plan is backed up to your account, and shows what reaches this phone from then on."
        }
        A::HistoryNone => "Nothing has changed here yet.",
        A::HistoryBringBack => "Bring it back",
        A::HistoryBroughtBack => "Brought back. It is in {section} again.",
        A::HistoryWrittenOffline => "Written offline on {written}, arrived {arrived}",
        A::HistoryEarlier => "Show earlier changes",
        A::HistoryYou => "You",
        A::HistoryBeforeSharingYou => "Before you shared this plan, you",
        A::HistoryBeforeSharing => "Before sharing the plan, {name}",
        A::HistoryThePerson => "The person whose plan it is",
        A::HistorySomeoneYouInvited => "Someone you invited",
        A::HistorySomeoneInvited => "Someone {name} invited",
        A::AgreeHeading => "Agreeing {section}",
        A::AgreeIntro => {
            "When you and someone you share this part with both mark it as agreed, the plan says so, with the date. If anyone changes it after that, it says it has changed since you agreed it, and the agreed words stay here to look at and print."
        }
        A::AgreeBack => "Back to {section}",
        A::AgreeNotSynced => {
            "This part can be agreed once the plan is backed up to an account and shared, and this phone has been online since it opened."
        }
        A::AgreeNone => "Not agreed yet",
        A::AgreedBy => "Agreed by {who} on {date}",
        A::AgreedChanged => "Changed since {who} agreed it on {date}",
        A::AgreedNextReview => "next review {date}",
        A::AgreeWaitingMine => {
            "You marked this as agreed on {date}. It is waiting for someone else to mark it too."
        }
        A::AgreeWaitingTheirs => "{who} marked this as agreed on {date}. It is waiting for you.",
        A::AgreeMark => "Mark it as agreed",
        A::AgreeMarkToo => "Mark it as agreed too",
        A::AgreeMarked => "Marked as agreed. It is agreed once someone else marks it too.",
        A::AgreeMarkedBoth => "Marked as agreed. It is agreed now.",
        A::AgreeSyncFirst => {
            "Your phone does not have every change {who} saw when they marked it yet. Let it sync (it needs a connection), then try again."
        }
        A::AgreeMarkedNew => {
            "This part has changed since {who} marked it, so your mark is for it as it reads now. It is agreed once they mark it again."
        }
        A::AgreeMayNot => {
            "You can read this part but not change it, so you cannot mark it as agreed."
        }
        A::AgreeNoOneElse => {
            "No one you share this part with can change it yet, so there is no one to agree it with. You can let someone change it in Who can see your plan."
        }
        A::AgreeShow => "See the agreed version",
        A::AgreeHide => "Hide the agreed version",
        A::AgreeVersionHeading => "{section}, as agreed on {date}",
        A::AgreePrint => "Print the agreed version",
        A::AgreeYouAnd => "you and {who}",
        A::CaseloadHeading => "Plans shared with you",
        A::CaseloadIntro => {
            "Everyone who shares their plan with you on this phone, with what needs you first: a review that is due, a part changed since you agreed it, and your suggestions still waiting for them."
        }
        A::CaseloadSynced => "Last synced at {when}.",
        A::CaseloadNone => "No one has shared a plan with you on this phone yet.",
        A::CaseloadNothing => "Nothing is waiting.",
        A::CaseloadOpen => "Open the plan for {name}",
        A::CaseloadReviewPassed => "The review was due on {date}",
        A::CaseloadReviewSoon => "Review due on {date}",
        A::CaseloadReviewLater => "Next review {date}",
        A::CaseloadChanged => "{section} has changed since it was agreed on {date}",
        A::CaseloadSuggestionOne => "1 of your suggestions is waiting for them",
        A::CaseloadSuggestions => "{count} of your suggestions are waiting for them",
        A::ReviewRemind => "Remind me on this phone in the week before my review",
        A::ReviewSoon => "Your review with {who} is on {date}.",
        A::ReviewSoonAlone => "Your review is on {date}.",
        A::ReviewPassed => {
            "Your review with {who} was due on {date}. You can set a new date in your care plan."
        }
        A::ReviewPassedAlone => {
            "Your review was due on {date}. You can set a new date in your care plan."
        }
        A::ReviewOpen => "Open my care plan",
        A::RefusedChange => {
            "At {time} the server sent a change to {section} that was not signed by anyone who may change that part. Coplan left it out; nothing else changed. If you see this again, tell the service that runs your Coplan server."
        }
        A::RefusedChangeCard => {
            "At {time} the server sent a change to the plan's name or review date that the plan's owner did not sign. Coplan left it out; nothing else changed. If you see this again, tell the service that runs your Coplan server."
        }
        A::RefusedKey => {
            "At {time} the server sent a key for part of a plan that the plan's owner did not sign. Coplan did not use it; nothing on this phone changed. If you see this again, tell the service that runs your Coplan server."
        }
        A::RefusedMembers => {
            "At {time} the server sent a list of who can see a plan that is not the one the plan's owner signed. Coplan did not use it, and that plan waits to sync until the server sends the signed one. Nothing on this phone changed. Tell the service that runs your Coplan server."
        }
        A::SecondFactorOpen => "Second factor",
        A::SecondFactorHeading => "Second factor",
        A::SecondFactorSignedOut => "Sign in first, then come back here.",
        A::SecondFactorToAccount => "Go to your account",
        A::SecondFactorOn => {
            "This account asks for a code from your authenticator app each time it signs in on a phone, as well as the passphrase."
        }
        A::SecondFactorOff => "This account signs in with its passphrase alone.",
        A::SecondFactorWhy => {
            "With a second factor, signing in also needs the code an authenticator app shows, so a passphrase someone guessed or saw is not enough. You need one to join someone else's plan as a worker or carer, because their plan is then reached through your account. You may add one to your own account too."
        }
        A::SecondFactorSetUp => "Set up a second factor",
        A::SecondFactorSetUpHeading => "Add this account to your authenticator app",
        A::SecondFactorScan => {
            "In your authenticator app, add an account and scan this code with it."
        }
        A::SecondFactorQrLabel => "QR code for your authenticator app",
        A::SecondFactorOrType => "Or type this key into the app:",
        A::SecondFactorCode => "Code from your authenticator app",
        A::SecondFactorCodeHint => "6 digits. A new one shows every 30 seconds.",
        A::SecondFactorTurnOn => "Turn it on",
        A::SecondFactorDone => {
            "Done. From now on, signing in on a phone also asks for the code your app shows."
        }
        A::SecondFactorNewApp => "Use a new authenticator app",
        A::SecondFactorTurnOff => "Stop asking for a code",
        A::SecondFactorRemoved => "This account no longer asks for a code when it signs in.",
        A::SecondFactorInUse => {
            "This account can see someone else's plan, so it must go on asking for a code. Leave that plan first, if you want to stop."
        }
        A::SecondFactorSignInAgain => {
            "For this, sign out and sign in again on this phone first, then come back within 15 minutes."
        }
        A::ErrSecondFactorNeeded => {
            "This account also asks for the code your authenticator app shows now. Type it below, then try again."
        }
        A::ErrSecondFactorWrong => {
            "That code did not work. It may have just changed, or been used already: type the one your app shows now."
        }
        A::JoinNeedsSecondFactor => {
            "Before you join, set up a second factor for this account: a code from an authenticator app, asked for when you sign in. Then come back here."
        }
        A::JoinSetSecondFactor => "Set up a second factor",
        A::RemovedFromPlan => {
            "A plan someone shared with you is no longer shared with this account (you left it, or they removed you), so it has been taken off this phone."
        }

        A::SharedPlansNeedLock => {
            "This phone holds plans other people shared with you, and has no app lock. They are not kept up to date until you set one."
        }
        A::JoinHomeScreen => {
            "If you use Coplan from your home screen, your account is there, not in this browser: open Coplan from your home screen, choose Join someone's plan, and type the code shown under the QR code."
        }
        A::SharedPlanMayChange => {
            "This is someone else's plan, shared with you. You can change: {sections}. Anything you write in the other parts stays on this phone and is not sent to them."
        }
        A::SharedPlanMayChangeNamed => {
            "This is {name}'s plan, shared with you. You can change: {sections}. Anything you write in the other parts stays on this phone and is not sent to them."
        }
        A::SharedPlanReadOnlyNamed => {
            "This is {name}'s plan, shared with you to read. Anything you write in it stays on this phone and is not sent to them."
        }
        A::SharedPlanReadOnly => {
            "This is someone else's plan, shared with you to read. Anything you write in it stays on this phone and is not sent to them."
        }
        A::JoinNotLetIn => "You were not let in. If that was a mistake, ask them for a new invite.",
        A::JoinOpen => "Join someone's plan",
        A::InviteOpen => "Invite someone to your plan",
        A::SharingHeading => "Writing your plan with others",
        A::SuggestOpen => "Suggestions",
        A::SuggestHeading => "Suggestions",
        A::SuggestNone => "There are no suggestions for this plan.",
        A::SuggestPersonIntro => {
            "People you invited can suggest changes to some parts of your plan. Nothing in your plan changes until you take a suggestion in."
        }
        A::SuggestsTo => "{name} suggests a change to {section}",
        A::SuggestNow => "Your plan says now",
        A::SuggestWords => "Suggested words",
        A::SuggestAdd => "Add to {list}",
        A::SuggestRemove => "Take out of {list}",
        A::SuggestChanged => {
            "Your words have changed since this was suggested. Compare them before you choose."
        }
        A::SuggestAlreadySo => "Your plan already says this.",
        A::SuggestGone => "That entry is no longer in your plan, so this cannot be taken in.",
        A::SuggestWhen => "Suggested at {time}",
        A::SuggestTake => "Take it in",
        A::SuggestDecline => "Leave it out",
        A::SuggestTaken => "Taken in: your plan now says this.",
        A::SuggestDeclined => "Left out: your plan did not change.",
        A::SuggestMemberIntro => {
            "You can suggest changes to these parts of this plan. The person whose plan it is decides whether to take each one in."
        }
        A::SuggestNewWords => "Suggest new words",
        A::SuggestAddTo => "Suggest something to add",
        A::SuggestYourWords => "Your suggestion",
        A::SuggestSend => "Send suggestion",
        A::SuggestCancel => "Cancel",
        A::SuggestYours => "Your suggestions",
        A::SuggestWaiting => "Waiting for their decision",
        A::SuggestWasTaken => "Taken in",
        A::SuggestWasLeft => "Not taken in",
        A::SuggestSent => "Saved on this phone. It is sent as soon as you are online.",
        A::SuggestEmpty => "Nothing written here yet.",
        A::SuggestTakeAll => "Take them all in",
        A::AccessOpen => "What others did with your plan",
        A::AccessHeading => "What others did with your plan",
        A::AccessIntro => {
            "This is built on this phone from what the server recorded: when someone's phone received your words, sent changes or suggestions, or fetched the keys to your plan. It cannot show what anyone read on their screen, or wrote down."
        }
        A::AccessNone => "Nobody else has done anything with your plan yet.",
        A::AccessOnce => "once",
        A::AccessTimes => "{count} times",
        A::AccessToday => "today",
        A::AccessOnDay => "on {date}",
        A::AccessReceived => "{name}'s phone received {section} ({times} {day})",
        A::AccessSent => "{name} changed {section} ({times} {day})",
        A::AccessSuggested => "{name} suggested changes to {section} ({times} {day})",
        A::AccessKeys => "{name}'s phone fetched the keys to your plan ({times} {day})",
        A::AccessJoined => "You let {name} join your plan ({day})",
        A::AccessRemoved => "You removed {name} ({day})",
        A::AccessLeft => "{name} left your plan ({day})",
        A::AccessChanged => "You changed what {name} may do ({day})",
        A::AccessSomeone => "someone you invited",
        A::AccessKept => "You are offline: this is how it was at {time}.",
        A::SuggestLeaveAll => "Leave them all out",
        A::SuggestAllTaken => "All taken in: your plan now says them.",
        A::SuggestAllLeft => "All left out: your plan did not change.",
        A::SuggestTooMany => {
            "You have many suggestions waiting. You can make more once some have been decided."
        }
    }
}

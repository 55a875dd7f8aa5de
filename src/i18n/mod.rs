//! The one translation layer: every word the app shows comes from here.
//!
//! Each language is a file with one `match` over [`Text`], so the compiler refuses a
//! language that misses a phrase. Phrases with `{name}`-style slots are filled by
//! [`fill`]; word order belongs to the language, not the code.

mod en;
mod en_account;
mod en_sections;
mod errors;

pub use errors::{Say, wait_words};

use coplan_domain::plan::SectionKind;

/// A language the app can be shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    En,
}

/// Which way a language's text runs; the stylesheet uses logical properties, so setting
/// `dir` on `<html>` is all a right-to-left language needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Ltr,
    Rtl,
}

impl Locale {
    /// The BCP 47 tag for `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
        }
    }

    pub fn direction(self) -> Direction {
        match self {
            Self::En => Direction::Ltr,
        }
    }

    /// The phrase for `text` in this language.
    pub fn text(self, text: Text) -> &'static str {
        match self {
            Self::En => en::text(text),
        }
    }
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ltr => "ltr",
            Self::Rtl => "rtl",
        }
    }
}

/// The language in use. One for now; later chosen by the person and kept on the phone.
pub fn locale() -> Locale {
    Locale::En
}

/// The phrase for `text` in the language in use.
pub fn t(text: Text) -> &'static str {
    locale().text(text)
}

/// The phrase for `text` on the account screens (only the account part asks, so these
/// words are not in the first visit's code).
pub fn ta(text: AccountText) -> &'static str {
    match locale() {
        Locale::En => en_account::text(text),
    }
}

/// Every phrase of the account screens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountText {
    Heading,
    Intro,
    /// The link from the privacy screen.
    Open,
    /// The privacy screen: what the server can see of a person with an account.
    ServerSeesHeading,
    ServerSees1,
    ServerSees2,
    ServerSees3,
    ServerSees4,
    ServerSees5,
    ServerSees6,
    ServerCannotSee,
    ServerForgets,
    OnlineOnly,
    ChooseMake,
    ChooseSignIn,
    ChooseRecover,
    Back,
    Username,
    UsernameHint,
    Passphrase,
    PassphraseHint,
    PassphraseWarning,
    PassphraseGuessable,
    PhoneName,
    PhoneNameHint,
    PhoneNameDefault,
    Make,
    Making,
    SignIn,
    SigningIn,
    RecoveryCode,
    RecoveryCodeHint,
    Recover,
    CodeHeading,
    CodeBody,
    CodePrint,
    CodeKept,
    NewPassphraseHeading,
    NewPassphraseBody,
    NewPassphrase,
    SaveNewPassphrase,
    ChangePassphraseBody,
    CurrentPassphrase,
    ErrCurrentPassphrase,
    Saving,
    /// "Signed in as {name}."
    SignedInAs,
    PhonesHeading,
    ThisPhone,
    /// "signed in {date}"
    SignedInOn,
    PhonesOffline,
    ChangePassphrase,
    SignOutHeading,
    SignOutBody,
    SignOut,
    SignedOut,
    /// "{time}"
    BackedUpAt,
    NotBackedUpYet,
    /// "{time}"
    NotBackedUpSince,
    SignInAgainToBackUp,
    /// "{name}", "{date}"
    NewPhoneSignedIn,
    OpenAccount,
    /// "{name}"
    SignOutOther,
    ErrUsernameLength,
    ErrUsernameCharacter,
    /// "{found} characters"
    ErrPassphraseShort,
    ErrPassphraseLong,
    ErrPassphraseGuessable,
    ErrPassphraseCommon,
    ErrPhoneName,
    ErrRecoveryCode,
    ErrNameTaken,
    ErrSignInFailed,
    ErrRecoveryFailed,
    /// "{seconds}"
    ErrSlowDown,
    ErrSignInAgain,
    /// "{wait}"
    ErrBusy,
    ErrOffline,
    ErrServer,
    ErrKeys,
    InviteHeading,
    InviteNeedsAccount,
    InviteNeedsBackup,
    InviteIntro,
    InviteWho,
    InviteRoleWorker,
    InviteRoleCarer,
    InviteRoleOther,
    InviteRoleWorkerWord,
    InviteRoleCarerWord,
    InviteName,
    InviteNameHint,
    InviteNameProblem,
    InviteWhatTheyMayDo,
    InviteRightsHint,
    RightNone,
    RightRead,
    RightSuggest,
    RightEdit,
    InviteMake,
    InviteTooMany,
    InviteShowHeading,
    InviteShowBody,
    InviteUntil,
    InviteWaiting,
    InviteWantsToJoin,
    InviteSignedInAs,
    InviteMayEdit,
    InviteMaySuggest,
    InviteMayRead,
    InviteCompare,
    InviteCompareDiffer,
    InviteLetIn,
    InviteDecline,
    InviteJoined,
    InviteDeclined,
    InviteAgain,
    InviteEnded,
    InviteStopWrongCode,
    InviteStopOwnAccount,
    InviteStopChanged,
    InviteStopNotThePerson,
    JoinHeading,
    JoinNeedsAccount,
    JoinCode,
    JoinCodeHint,
    JoinCodeProblem,
    JoinCodeDidNotWork,
    JoinButton,
    JoinWaiting,
    JoinCompare,
    JoinWaitingAnswer,
    JoinJoined,
    JoinSeePlan,
    SharedPlanMayChange,
    SharedPlanMayChangeNamed,
    InviteScanBody,
    InviteQrLabel,
    JoinHomeScreen,
    JoinNeedsLock,
    JoinSetLock,
    JoinCodeUsed,
    PeopleOpen,
    PeopleHeading,
    PeopleIntro,
    PeopleNobody,
    PeopleNotShared,
    PeopleRemove,
    PeopleRemoveQuestion,
    PeopleRemoveBody,
    PeopleRemoveYes,
    PeopleKeep,
    PeopleRemoved,
    PeopleAccountOff,
    PeopleLeft,
    PeopleChange,
    PeopleChangeHeading,
    PeopleChangeHint,
    PeopleChangeSave,
    PeopleChanged,
    PeopleNamesInferred,
    PeopleShownAs,
    PeopleNotShownToOthers,
    PeopleShowName,
    PeopleHideName,
    PeopleShowNameHeading,
    PeopleShowNameLabel,
    PeopleShowNameHint,
    PeopleShowNameSave,
    PeopleShowNameCancel,
    PeopleShowNameNeeded,
    PeopleShowNameTooLong,
    PeopleNameShown,
    PeopleNameHidden,
    RemovedFromPlan,
    /// The second factor (`/second-factor`, sign-in, joining).
    SecondFactorOpen,
    SecondFactorHeading,
    SecondFactorSignedOut,
    SecondFactorToAccount,
    SecondFactorOn,
    SecondFactorOff,
    SecondFactorWhy,
    SecondFactorSetUp,
    SecondFactorSetUpHeading,
    SecondFactorScan,
    SecondFactorQrLabel,
    SecondFactorOrType,
    SecondFactorCode,
    SecondFactorCodeHint,
    SecondFactorTurnOn,
    SecondFactorDone,
    SecondFactorNewApp,
    SecondFactorTurnOff,
    SecondFactorRemoved,
    SecondFactorInUse,
    SecondFactorSignInAgain,
    ErrSecondFactorNeeded,
    ErrSecondFactorWrong,
    JoinNeedsSecondFactor,
    JoinSetSecondFactor,
    MembersToRemove,
    /// A part's history (`account/history.rs`).
    HistoryHeading,
    HistoryIntro,
    HistoryBack,
    HistoryNotSynced,
    HistoryNone,
    HistoryBringBack,
    HistoryBroughtBack,
    HistoryWrittenOffline,
    HistoryEarlier,
    HistoryYou,
    HistoryBeforeSharingYou,
    HistoryBeforeSharing,
    HistoryThePerson,
    HistorySomeoneYouInvited,
    HistorySomeoneInvited,
    /// Marking a part agreed (`account/agree.rs`).
    AgreeHeading,
    AgreeIntro,
    AgreeBack,
    AgreeNotSynced,
    AgreeNone,
    AgreedBy,
    AgreedChanged,
    AgreedNextReview,
    AgreeWaitingMine,
    AgreeWaitingTheirs,
    AgreeMark,
    AgreeMarkToo,
    AgreeMarked,
    AgreeMarkedBoth,
    AgreeSyncFirst,
    AgreeMarkedNew,
    AgreeMayNot,
    AgreeNoOneElse,
    AgreeShow,
    AgreeHide,
    AgreeVersionHeading,
    AgreePrint,
    AgreeYouAnd,
    /// A worker's caseload (`account/caseload.rs`).
    CaseloadHeading,
    CaseloadIntro,
    CaseloadSynced,
    CaseloadNone,
    CaseloadNothing,
    CaseloadOpen,
    CaseloadReviewPassed,
    CaseloadReviewSoon,
    CaseloadReviewLater,
    CaseloadChanged,
    CaseloadSuggestionOne,
    CaseloadSuggestions,
    /// The person's review reminder (`account/agree.rs`, `account/notice.rs`).
    ReviewRemind,
    ReviewSoon,
    ReviewSoonAlone,
    ReviewPassed,
    ReviewPassedAlone,
    ReviewOpen,
    /// What this phone turned away from the server (`account/notice.rs`).
    RefusedChange,
    RefusedChangeCard,
    RefusedKey,
    RefusedMembers,
    /// Who can see and change a part (`account/readers.rs`).
    ReadersOnlyYou,
    ReadersAlso,
    ReadersShared,
    ReaderPerson,
    ReaderThePerson,
    ReaderYou,
    ReaderInvitedRole,
    ReaderInvitedOther,
    ReaderChanges,
    ReaderSuggests,
    ReaderReads,
    /// Leaving a plan someone shared with this account (`/leave`).
    LeaveHeading,
    LeaveThePerson,
    LeaveNotShared,
    LeaveBackToPlans,
    LeaveQuestion,
    LeaveComesOff,
    LeaveTheySee,
    LeaveWordsStay,
    LeaveYes,
    LeaveStay,
    LeaveLeaving,
    LeaveDone,
    LeaveOffline,
    AccountTurnedOff,
    ErrAccountTurnedOff,
    SharedPlansNeedLock,
    SharedPlanReadOnly,
    SharedPlanReadOnlyNamed,
    JoinNotLetIn,
    JoinOpen,
    InviteOpen,
    SharingHeading,
    SuggestOpen,
    SuggestHeading,
    SuggestNone,
    SuggestPersonIntro,
    SuggestsTo,
    SuggestNow,
    SuggestWords,
    SuggestAdd,
    SuggestRemove,
    SuggestChanged,
    SuggestAlreadySo,
    SuggestGone,
    SuggestWhen,
    SuggestTake,
    SuggestDecline,
    SuggestTaken,
    SuggestDeclined,
    SuggestMemberIntro,
    SuggestNewWords,
    SuggestAddTo,
    SuggestYourWords,
    SuggestSend,
    SuggestCancel,
    SuggestYours,
    SuggestWaiting,
    SuggestWasTaken,
    SuggestWasLeft,
    SuggestSent,
    SuggestEmpty,
    SuggestTooMany,
    SuggestTakeAll,
    AccessOpen,
    AccessHeading,
    AccessIntro,
    AccessNone,
    AccessOnce,
    AccessTimes,
    AccessToday,
    AccessOnDay,
    AccessReceived,
    AccessSent,
    AccessSuggested,
    AccessKeys,
    AccessJoined,
    AccessRemoved,
    AccessLeft,
    AccessChanged,
    AccessSomeone,
    AccessKept,
    SuggestLeaveAll,
    SuggestAllTaken,
    SuggestAllLeft,
}

/// What is said about one thing in a section: a field, a list, a choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Words {
    /// Its heading or label.
    pub title: &'static str,
    /// A line under the heading, for someone who is struggling (may be empty).
    pub hint: &'static str,
    /// The label of one item of a list ("Warning sign 2").
    pub item: &'static str,
    /// The button that adds an item.
    pub add: &'static str,
}

/// The words for a field, list or choice, found by the section and the stored name.
pub fn words(section: SectionKind, name: &str) -> Words {
    match locale() {
        Locale::En => en_sections::words(section.key(), name),
    }
}

/// The label of one part of a list item ("Name", "By when").
pub fn part_label(section: SectionKind, part: &str) -> &'static str {
    match locale() {
        Locale::En => en_sections::part(section.key(), part),
    }
}

/// The words for one value of a choice ("Getting advice", "7, very happy").
pub fn choice_label(name: &str, value: &str) -> &'static str {
    match locale() {
        Locale::En => en_sections::choice(name, value),
    }
}

/// The words for a safety plan step.
pub fn step_words(step: &str) -> Words {
    words(SectionKind::SafetyPlan, step)
}

/// Fills `{slot}` placeholders in a phrase, in one pass over the phrase: a value is put
/// in as it is, so words a person typed that look like `{date}` stay as typed.
pub fn fill(phrase: &str, slots: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(phrase.len());
    let mut rest = phrase;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            let (_, value) = slots.iter().find(|(slot, _)| *slot == name)?;
            Some((value, close))
        });
        match value {
            Some((value, close)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every phrase the app shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    ErrPinShape,
    ErrPassphraseShort,
    ErrSecretTooLong,
    ErrSecretMismatch,
    ErrLockDamaged,
    ErrLockNewer,
    ErrBadPlanId,
    ErrNameTooLong,
    ErrDraftNewer,
    ErrDraftUnreadable,
    ErrTooLong,
    ErrTooManyItems,
    ErrNoSuchItem,
    ErrUnknownName,
    ErrEditNewer,
    ErrNotAChoice,
    ErrBadDate,
    ErrBadUpdate,
    ErrFileTooLarge,
    ErrFileNotAPlan,
    ErrFileNewer,
    ErrFileDamaged,
    ErrPhoneEmpty,
    ErrPhoneTooLong,
    ErrPhoneBadCharacter,
    ErrPhoneWrongLength,
    ErrSealedDamaged,
    ErrSealedNewer,
    ErrStorageUnavailable,
    ErrDatabaseNewer,
    ErrWriteFailed,
    ErrReadFailed,
    ErrNotProtected,
    ErrKeysMissing,
    ErrPlanGone,
    ErrForgotten,
    ErrLocked,
    ErrRemoved,
    AppName,
    SkipToContent,
    SafetyPlanButton,
    NavHome,
    NavAbout,
    MainNavigation,

    HomeHeading,
    HomeIntro,
    HomeStart,
    HomeLoading,
    ErrorPrefix,
    SavedOnPhone,
    NotSavedYet,
    UpdatedElsewhere,
    TryingAgain,
    StorageProblemHeading,

    SafetyPlanHeading,
    SafetyPlanYours,
    CrisisLinesHeading,
    CrisisLinesIntro,
    /// "Call {name} on {number}"
    CrisisCallSamaritans,
    CrisisNoteSamaritans,
    CrisisCallNhs111,
    CrisisNoteNhs111,
    /// "Text {word} to {number}"
    CrisisTextShout,
    CrisisNoteShout,
    CrisisCallEmergency,
    CrisisNoteEmergency,

    AboutHeading,
    AboutWhatHeading,
    AboutWhat,
    AboutWhereHeading,
    AboutWhere,
    AboutServerHeading,
    AboutServer,
    AboutWhoHeading,
    AboutWho,
    AboutLimits,
    AboutLimitsHeading,
    AboutClearedHeading,
    AboutCleared,

    MySafetyPlanHeading,
    SafetyPlanEmpty,
    ChangeSafetyPlan,
    EditSafetyPlanHeading,
    EditSafetyPlanIntro,
    BackToSafetyPlan,
    HideStep,
    ShowStep,
    StepHiddenNote,
    MoveUp,
    MoveDown,
    Remove,
    RemovedItem,
    Undo,
    /// The link from a writing screen to that part's history.
    HistoryOpen,
    CaseloadLink,
    PrintedOn,
    ContactName,
    ContactPhone,
    /// "Call {name}"
    CallContact,
    /// "Text {name}"
    TextContact,
    NothingHereYet,

    ClearedWords,
    AboutMeHeading,
    AboutMeIntro,
    CrisisWishesHeading,
    CrisisWishesIntro,
    OwnWordsNote,
    SectionAboutMe,
    SectionCarePlan,
    SectionSafetyPlan,
    SectionCrisisWishes,
    SectionCheckIns,
    PlanFor,
    PlansLink,
    SummaryCount,
    SummaryWritten,
    SummaryRated,
    SummarySteps,
    SummaryCheckIns,
    PlanDeleted,
    PlansHeading,
    PlansIntro,
    NoPlansYet,
    StartAnotherPlan,
    PlanNextReview,
    PlanStartedOn,
    OpenThisPlan,
    DeleteThisPlan,
    LeaveThisPlan,
    DeleteConfirmHeading,
    DeleteConfirmBody,
    DeleteConfirmFiles,
    DeleteForGood,
    KeepThisPlan,
    CarePlanHeading,
    CarePlanIntro,
    CarePlanSupportHeading,
    CheckInsHeading,
    CheckInsIntro,
    CheckInNow,
    CheckInNowHeading,
    CheckInHint,
    CheckInDone,
    NoCheckInsYet,
    CheckInsOverTime,
    ShowAsTable,
    TableDate,
    TableRating,

    KeepACopyHeading,
    KeepACopyBody,
    SaveACopy,
    CopyNeedsPassphrase,
    SaveWithoutPassphrase,
    SaveACopyFailed,
    NoPlanToSave,
    OpenFromFileHeading,
    ChooseAFile,
    ChooseAFileHint,
    PlanOpenedFromFile,
    FileUnreadable,
    KeepingHeading,
    KeepingYes,
    KeepingMaybe,
    KeepingApple,
    PrintPlanLink,
    CrisisCardLink,
    PrintPlanHeading,
    PrintPlanIntro,
    PrintNow,
    PaperRating,
    PrintSafetyPlan,
    CrisisCardHeading,
    CrisisCardIntro,
    CrisisCardTitle,
    CrisisCardTitleFor,
    CrisisCardCall,
    ForgetHeading,
    ForgetIntro,
    ForgetButton,
    ForgetConfirmHeading,
    ForgetConfirmBody,
    ForgetConfirmPlans,
    ForgetConfirmCopy,
    ForgetConfirmNotServer,
    ForgetYes,
    ForgetNo,
    Forgotten,
    LockHeading,
    LockIntro,
    LockKindQuestion,
    LockKindPin,
    LockKindPassphrase,
    LockNew,
    LockAgain,
    LockSet,
    LockWorking,
    LockIsOn,
    LockIsOff,
    LockChanged,
    LockCurrentWrong,
    SectionGettingLong,
    FileNotChecked,
    LockCurrentWrongWait,
    LockOnPin,
    LockOnPassphrase,
    LockNow,
    LockOpensWithoutPin,
    LockChangeHeading,
    LockChange,
    LockRemove,
    LockGraceQuestion,
    LockIdleQuestion,
    LockWipeQuestion,
    AtOnce,
    AfterOneMinute,
    AfterMinutes,
    Never,
    AfterWrongTries,
    LockPin,
    LockPassphrase,
    LockPinOrPassphrase,
    LockedHeading,
    LockedOpenSafetyPlan,
    LockedSafetyPlanNumbered,
    LockedSafetyPlanAfterUnlock,
    UnlockHeading,
    UnlockButton,
    LockChecking,
    UnlockWrong,
    TriesLeft,
    OneTryLeft,
    UnlockWrongWait,
    UnlockTooSoon,
    WaitSeconds,
    WaitMinutes,
    FilePassphrase,
    FileIsLocked,
    OpenLockedFile,
    FilePassphraseWrong,
    QuickHide,
    NeutralTitle,
    NeutralBody,
    NeutralReturn,
    NotFoundHeading,
    NotFoundBody,
    NotFoundHome,
    PartOpening,
    PartMissingHeading,
    PartMissingBody,
    PartTryAgain,
}

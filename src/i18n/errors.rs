//! The words a person reads for each error. Errors carry codes and values (the domain's
//! own text for them is for logs); the sentence is chosen here, in the person's language.

use coplan_domain::DraftError;
use coplan_domain::lock::{LockRecordError, SecretError};
use coplan_domain::phone::{MAX_PHONE_CHARS, PhoneError};
use coplan_domain::plan::PlanError;
use coplan_domain::plan::file::FileError;
use coplan_domain::sealed::SealError;

use super::{Text, fill, t};
use crate::storage::{StorageError, UnlockError};

/// An error a person may meet, worded for them.
pub trait Say {
    fn say(&self) -> String;
}

/// A wait in whole seconds, or whole minutes from a minute up ("5 seconds", "2 minutes").
pub fn wait_words(ms: u64) -> String {
    let seconds = ms.div_ceil(1_000);
    if seconds < 60 {
        fill(t(Text::WaitSeconds), &[("n", &seconds.to_string())])
    } else {
        fill(
            t(Text::WaitMinutes),
            &[("n", &seconds.div_ceil(60).to_string())],
        )
    }
}

fn with_max(text: Text, max: impl ToString) -> String {
    fill(t(text), &[("max", &max.to_string())])
}

impl Say for PlanError {
    fn say(&self) -> String {
        match self {
            PlanError::TooLong { max } => with_max(Text::ErrTooLong, max),
            PlanError::TooManyItems { max } => with_max(Text::ErrTooManyItems, max),
            PlanError::NoSuchItem => t(Text::ErrNoSuchItem).into(),
            PlanError::UnknownName(_) => t(Text::ErrUnknownName).into(),
            PlanError::NewerSchema { .. } => t(Text::ErrEditNewer).into(),
            PlanError::NotAChoice => t(Text::ErrNotAChoice).into(),
            PlanError::BadDate => t(Text::ErrBadDate).into(),
            PlanError::BadUpdate => t(Text::ErrBadUpdate).into(),
        }
    }
}

impl Say for FileError {
    fn say(&self) -> String {
        t(match self {
            FileError::TooLarge => Text::ErrFileTooLarge,
            FileError::NotAPlan => Text::ErrFileNotAPlan,
            FileError::NewerVersion { .. } => Text::ErrFileNewer,
            // Only sync meets a change that waits; a file never does.
            FileError::Damaged | FileError::Waits => Text::ErrFileDamaged,
        })
        .into()
    }
}

impl Say for SealError {
    fn say(&self) -> String {
        t(match self {
            SealError::Damaged => Text::ErrSealedDamaged,
            SealError::NewerVersion { .. } => Text::ErrSealedNewer,
        })
        .into()
    }
}

impl Say for DraftError {
    fn say(&self) -> String {
        match self {
            DraftError::BadPlanId => t(Text::ErrBadPlanId).into(),
            DraftError::NameTooLong => with_max(
                Text::ErrNameTooLong,
                coplan_domain::PreferredName::MAX_CHARS,
            ),
            DraftError::NewerSchema { .. } => t(Text::ErrDraftNewer).into(),
            DraftError::Unreadable => t(Text::ErrDraftUnreadable).into(),
        }
    }
}

impl Say for SecretError {
    fn say(&self) -> String {
        t(match self {
            SecretError::PinShape => Text::ErrPinShape,
            SecretError::PassphraseShort => Text::ErrPassphraseShort,
            SecretError::TooLong => Text::ErrSecretTooLong,
            SecretError::Mismatch => Text::ErrSecretMismatch,
        })
        .into()
    }
}

impl Say for LockRecordError {
    fn say(&self) -> String {
        t(match self {
            LockRecordError::Damaged => Text::ErrLockDamaged,
            LockRecordError::NewerVersion => Text::ErrLockNewer,
        })
        .into()
    }
}

impl Say for PhoneError {
    fn say(&self) -> String {
        match self {
            PhoneError::Empty => t(Text::ErrPhoneEmpty).into(),
            PhoneError::TooLong => with_max(Text::ErrPhoneTooLong, MAX_PHONE_CHARS),
            PhoneError::BadCharacter => t(Text::ErrPhoneBadCharacter).into(),
            PhoneError::WrongLength => t(Text::ErrPhoneWrongLength).into(),
        }
    }
}

impl Say for StorageError {
    fn say(&self) -> String {
        match self {
            StorageError::Unavailable { .. } => t(Text::ErrStorageUnavailable).into(),
            StorageError::NewerVersion => t(Text::ErrDatabaseNewer).into(),
            StorageError::WriteFailed { .. } => t(Text::ErrWriteFailed).into(),
            StorageError::ReadFailed { .. } => t(Text::ErrReadFailed).into(),
            StorageError::NotProtected => t(Text::ErrNotProtected).into(),
            StorageError::KeysMissing => t(Text::ErrKeysMissing).into(),
            StorageError::PlanGone => t(Text::ErrPlanGone).into(),
            StorageError::Forgotten => t(Text::ErrForgotten).into(),
            StorageError::Locked => t(Text::ErrLocked).into(),
            StorageError::Sealed(e) => e.say(),
            StorageError::Draft(e) => e.say(),
        }
    }
}

impl Say for UnlockError {
    fn say(&self) -> String {
        match self {
            // The lock screen and settings put these together with the wait and tries left
            // (`lock::screen::try_problem`); alone, each says the first part.
            UnlockError::Wrong { .. } => t(Text::UnlockWrong).into(),
            UnlockError::TooSoon { wait_ms } => {
                fill(t(Text::UnlockTooSoon), &[("wait", &wait_words(*wait_ms))])
            }
            UnlockError::Removed => t(Text::ErrRemoved).into(),
            UnlockError::Record(e) => e.say(),
            UnlockError::Storage(e) => e.say(),
        }
    }
}

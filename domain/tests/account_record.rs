//! The signed-in phone's account record, version 1, pinned: a record written by this
//! build reads back, and a record as version 1 wrote it still reads.

use coplan_domain::account::Username;
use coplan_domain::keys::{AccountKeys, AccountRecord, AccountRecordError, known_answer};

const PINNED: &str = r#"{"v":1,"server":"b2c1f0de-0000-4000-8000-000000000001","username":"river.walker","account":"acc-1","phone":"phone-1","range_start":8192,"private":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0-Pw"}"#;

fn record() -> AccountRecord {
    AccountRecord {
        server_id: known_answer::SERVER.into(),
        username: Username::parse(known_answer::USERNAME).unwrap(),
        account: "acc-1".into(),
        phone: "phone-1".into(),
        range_start: 8192,
        keys: AccountKeys::from_random(&known_answer::random()),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn a_record_is_written_exactly_as_version_1() {
    assert_eq!(record().to_stored(), PINNED);
}

#[test]
fn a_version_1_record_reads_back_with_the_same_keys() {
    let read = AccountRecord::from_stored(PINNED).unwrap();
    assert_eq!(read.server_id, known_answer::SERVER);
    assert_eq!(read.username.as_str(), "river.walker");
    assert_eq!(
        (read.account.as_str(), read.phone.as_str()),
        ("acc-1", "phone-1")
    );
    assert_eq!(read.range_start, 8192);
    assert_eq!(
        hex(&read.keys.public().signing),
        known_answer::SIGNING_PUBLIC
    );
    assert_eq!(
        hex(&read.keys.public().receiving),
        known_answer::RECEIVING_PUBLIC
    );
}

#[test]
fn a_newer_or_damaged_record_is_refused_plainly() {
    let newer = PINNED.replace(r#""v":1"#, r#""v":2"#);
    assert!(matches!(
        AccountRecord::from_stored(&newer),
        Err(AccountRecordError::Newer { found: 2 })
    ));
    let short = PINNED.replace("Pw\"", "\"");
    assert!(matches!(
        AccountRecord::from_stored(&short),
        Err(AccountRecordError::Damaged)
    ));
    assert!(matches!(
        AccountRecord::from_stored("{}"),
        Err(AccountRecordError::Damaged)
    ));
}

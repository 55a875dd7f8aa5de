//! The `/api/v1` formats (`coplan_domain::wire`), pinned: a phone of an older build and
//! a newer server (or the reverse) must read each other's text exactly.

use coplan_domain::wire::{
    Access, AccessCopy, AccessLog, Account, AccountKeys, AppendMembership, AttachPlan,
    AttachedPlan, Blob, Bytes, Cost, InviteNonce, InviteOpened, InviteState, Joiner, KeyEnvelopes,
    MembershipLog, NewInvite, NewPassphrase, NewSecondFactor, People, Phone, PlanDocument, Plans,
    ReadersCopy, RecoveryKeys, Redemption, ServerInfo, SignIn, SignUp, SignedIn, Someone,
    phone_name,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// `value` writes exactly `text`, and `text` reads back as `value`.
fn pinned<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(value: &T, text: &str) {
    assert_eq!(serde_json::to_string(value).unwrap(), text);
    assert_eq!(&serde_json::from_str::<T>(text).unwrap(), value);
}

fn keys() -> AccountKeys {
    AccountKeys {
        signing: Bytes([1; 32]),
        receiving: Bytes([2; 32]),
        wrapped: Blob::new(vec![3; 4]).unwrap(),
    }
}

const ONES: &str = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE";
const TWOS: &str = "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI";
const THREES: &str = "AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM";

#[test]
fn the_account_formats_are_pinned() {
    let cost = Cost {
        memory_kib: 19456,
        passes: 2,
    };
    pinned(
        &ServerInfo {
            server_id: "s-1".into(),
            api: 1,
            cost,
        },
        r#"{"server_id":"s-1","api":1,"cost":{"memory_kib":19456,"passes":2}}"#,
    );
    let keys_text = format!(r#"{{"signing":"{ONES}","receiving":"{TWOS}","wrapped":"AwMDAw"}}"#);
    pinned(
        &SignUp {
            username: "alex".into(),
            verifier: Bytes([1; 32]),
            cost,
            keys: keys(),
            recovery: RecoveryKeys {
                verifier: Bytes([2; 32]),
                wrapped: Blob::new(vec![4; 3]).unwrap(),
            },
            phone_name: "Phone".into(),
            range_start: 4096,
        },
        &format!(
            r#"{{"username":"alex","verifier":"{ONES}","cost":{{"memory_kib":19456,"passes":2}},"keys":{keys_text},"recovery":{{"verifier":"{TWOS}","wrapped":"BAQE"}},"phone_name":"Phone","range_start":4096}}"#
        ),
    );
    let sign_in = SignIn {
        username: "alex".into(),
        verifier: Bytes([1; 32]),
        phone_name: "Phone".into(),
        range_start: 8192,
        code: None,
    };
    pinned(
        &sign_in,
        &format!(
            r#"{{"username":"alex","verifier":"{ONES}","phone_name":"Phone","range_start":8192}}"#
        ),
    );
    pinned(
        &SignIn {
            code: Some("123456".into()),
            ..sign_in
        },
        &format!(
            r#"{{"username":"alex","verifier":"{ONES}","phone_name":"Phone","range_start":8192,"code":"123456"}}"#
        ),
    );
    pinned(
        &NewSecondFactor {
            secret: Bytes([1; 20]),
            code: "012345".into(),
        },
        r#"{"secret":"AQEBAQEBAQEBAQEBAQEBAQEBAQE","code":"012345"}"#,
    );
    pinned(
        &SignedIn {
            account: "a-1".into(),
            phone: "p-1".into(),
            keys: keys(),
        },
        &format!(r#"{{"account":"a-1","phone":"p-1","keys":{keys_text}}}"#),
    );
    let new_passphrase = NewPassphrase {
        verifier: Bytes([1; 32]),
        cost,
        wrapped: Blob::new(vec![3; 4]).unwrap(),
        recovery: RecoveryKeys {
            verifier: Bytes([2; 32]),
            wrapped: Blob::new(vec![4; 3]).unwrap(),
        },
        current: None,
    };
    pinned(
        &new_passphrase,
        &format!(
            r#"{{"verifier":"{ONES}","cost":{{"memory_kib":19456,"passes":2}},"wrapped":"AwMDAw","recovery":{{"verifier":"{TWOS}","wrapped":"BAQE"}}}}"#
        ),
    );
    pinned(
        &NewPassphrase {
            current: Some(Bytes([2; 32])),
            ..new_passphrase
        },
        &format!(
            r#"{{"verifier":"{ONES}","cost":{{"memory_kib":19456,"passes":2}},"wrapped":"AwMDAw","recovery":{{"verifier":"{TWOS}","wrapped":"BAQE"}},"current":"{TWOS}"}}"#
        ),
    );
    pinned(
        &Account {
            username: "alex".into(),
            has_recovery: true,
            phones: vec![Phone {
                id: "p-1".into(),
                name: "Phone".into(),
                signed_in_ms: 5,
                last_seen_ms: 6,
                this_phone: true,
            }],
            second_factor: false,
        },
        r#"{"username":"alex","has_recovery":true,"phones":[{"id":"p-1","name":"Phone","signed_in_ms":5,"last_seen_ms":6,"this_phone":true}]}"#,
    );
    pinned(
        &Account {
            username: "sam".into(),
            has_recovery: true,
            phones: Vec::new(),
            second_factor: true,
        },
        r#"{"username":"sam","has_recovery":true,"phones":[],"second_factor":true}"#,
    );
}

#[test]
fn the_invite_formats_are_pinned() {
    pinned(
        &NewInvite {
            id: "1AQKFF".into(),
        },
        r#"{"id":"1AQKFF"}"#,
    );
    pinned(
        &InviteOpened {
            expires_ms: 900_000,
        },
        r#"{"expires_ms":900000}"#,
    );
    pinned(
        &Redemption {
            commitment: Bytes([1; 32]),
            proof: Bytes([2; 32]),
            scanned: true,
        },
        &format!(r#"{{"commitment":"{ONES}","proof":"{TWOS}","scanned":true}}"#),
    );
    pinned(
        &InviteNonce {
            nonce: Bytes([1; 32]),
        },
        &format!(r#"{{"nonce":"{ONES}"}}"#),
    );
    let waiting = InviteState {
        plan: "0123456789abcdef0123456789abcdef".into(),
        expires_ms: 5,
        signing: Bytes([1; 32]),
        receiving: Bytes([2; 32]),
        joiner: None,
        person_nonce: None,
        joiner_nonce: None,
    };
    pinned(
        &waiting,
        &format!(
            r#"{{"plan":"0123456789abcdef0123456789abcdef","expires_ms":5,"signing":"{ONES}","receiving":"{TWOS}","joiner":null,"person_nonce":null,"joiner_nonce":null}}"#
        ),
    );
    let redeemed = InviteState {
        joiner: Some(Joiner {
            username: "sam.w".into(),
            phone: "00112233445566778899aabbccddeeff".into(),
            range_start: 8192,
            signing: Bytes([2; 32]),
            receiving: Bytes([1; 32]),
            commitment: Bytes([1; 32]),
            proof: Bytes([2; 32]),
            scanned: false,
        }),
        person_nonce: Some(Bytes([1; 32])),
        joiner_nonce: Some(Bytes([2; 32])),
        ..waiting
    };
    pinned(
        &redeemed,
        &format!(
            r#"{{"plan":"0123456789abcdef0123456789abcdef","expires_ms":5,"signing":"{ONES}","receiving":"{TWOS}","joiner":{{"username":"sam.w","phone":"00112233445566778899aabbccddeeff","range_start":8192,"signing":"{TWOS}","receiving":"{ONES}","commitment":"{ONES}","proof":"{TWOS}","scanned":false}},"person_nonce":"{ONES}","joiner_nonce":"{TWOS}"}}"#
        ),
    );
}

/// The plan formats: attaching, listing, key envelopes and the membership log (each blob
/// is bytes the domain writes and pins elsewhere; here, only how they travel).
#[test]
fn the_plan_formats_are_pinned() {
    pinned(
        &AttachPlan {
            request: Bytes([1; 16]),
        },
        r#"{"request":"AQEBAQEBAQEBAQEBAQEBAQ"}"#,
    );
    let mut plan = AttachedPlan {
        plan: "p1".into(),
        documents: vec![PlanDocument {
            section: "about_me".into(),
            id: "d1".into(),
        }],
        to_remove: 2,
    };
    pinned(
        &plan,
        r#"{"plan":"p1","documents":[{"section":"about_me","id":"d1"}],"to_remove":2}"#,
    );
    plan.to_remove = 0;
    let plan_text = r#"{"plan":"p1","documents":[{"section":"about_me","id":"d1"}]}"#;
    pinned(&plan, plan_text);
    pinned(
        &Plans { plans: vec![plan] },
        &format!(r#"{{"plans":[{plan_text}]}}"#),
    );
    pinned(
        &KeyEnvelopes {
            envelopes: vec![Blob::new(vec![1, 2, 3]).unwrap()],
        },
        r#"{"envelopes":["AQID"]}"#,
    );
    pinned(
        &MembershipLog {
            entries: vec![Blob::new(vec![4, 5]).unwrap()],
        },
        r#"{"entries":["BAU"]}"#,
    );
    // An append without new epochs reads as it did before `keys` came.
    let mut append = AppendMembership {
        after: 3,
        entries: vec![Blob::new(vec![4, 5]).unwrap()],
        keys: Vec::new(),
    };
    pinned(&append, r#"{"after":3,"entries":["BAU"]}"#);
    append.keys = vec![Blob::new(vec![6]).unwrap()];
    pinned(&append, r#"{"after":3,"entries":["BAU"],"keys":["Bg"]}"#);
}

#[test]
fn the_people_of_a_plan_are_pinned() {
    pinned(
        &People {
            people: vec![
                Someone {
                    signing: Bytes([1; 32]),
                    username: "sam.w".into(),
                    disabled: false,
                    left: false,
                },
                Someone {
                    signing: Bytes([2; 32]),
                    username: "off.w".into(),
                    disabled: true,
                    left: false,
                },
                Someone {
                    signing: Bytes([3; 32]),
                    username: "gone.c".into(),
                    disabled: false,
                    left: true,
                },
            ],
        },
        &format!(
            r#"{{"people":[{{"signing":"{ONES}","username":"sam.w"}},{{"signing":"{TWOS}","username":"off.w","disabled":true}},{{"signing":"{THREES}","username":"gone.c","left":true}}]}}"#
        ),
    );
}

#[test]
fn the_access_log_is_pinned() {
    pinned(
        &AccessLog {
            entries: vec![Access {
                at_ms: 5,
                who: Bytes([1; 32]),
                action: "received".into(),
                target: "0123456789abcdef0123456789abcdef".into(),
            }],
        },
        &format!(
            r#"{{"entries":[{{"at_ms":5,"who":"{ONES}","action":"received","target":"0123456789abcdef0123456789abcdef"}}]}}"#
        ),
    );
}

#[test]
fn the_access_logs_copy_on_the_phone_is_pinned() {
    pinned(
        &AccessCopy {
            v: 1,
            at_ms: 7,
            lines: vec!["You removed sam.w (today)".into()],
        },
        r#"{"v":1,"at_ms":7,"lines":["You removed sam.w (today)"]}"#,
    );
}

#[test]
fn who_can_see_each_part_as_kept_on_the_phone_is_pinned() {
    pinned(
        &ReadersCopy {
            v: 1,
            lines: [
                (
                    "care_plan".to_string(),
                    "Only you can see this part of your plan.".to_string(),
                ),
                (
                    "about_me".to_string(),
                    "Who else can see this part: Sam (worker), who can read it.".to_string(),
                ),
            ]
            .into(),
        },
        r#"{"v":1,"lines":{"about_me":"Who else can see this part: Sam (worker), who can read it.","care_plan":"Only you can see this part of your plan."}}"#,
    );
}

#[test]
fn bytes_of_the_wrong_size_or_encoding_are_refused() {
    let read = |text: &str| serde_json::from_str::<Bytes<32>>(&format!("\"{text}\""));
    assert!(read(ONES).is_ok());
    assert!(read(&ONES[..42]).is_err()); // 31 bytes and a bit
    assert!(read(&format!("{ONES}AQ")).is_err()); // 33 bytes
    assert!(read(&format!("{ONES}=")).is_err()); // padding
    assert!(read(&ONES.replace('A', "+")).is_err()); // not the URL-safe alphabet
    let blob = |text: &str| serde_json::from_str::<Blob<4>>(&format!("\"{text}\""));
    assert!(blob("AwMDAw").is_ok());
    assert!(blob("").is_err()); // empty
    assert!(blob("AwMDAwM").is_err()); // 5 bytes
    assert!(blob(&"A".repeat(10_000)).is_err()); // refused before decoding
    // Unknown fields are refused rather than silently dropped.
    assert!(serde_json::from_str::<Cost>(r#"{"memory_kib":1,"passes":1,"lanes":4}"#).is_err());
}

#[test]
fn a_phone_never_stretches_less_than_the_minimum_whatever_a_server_says() {
    let cost = |memory_kib, passes| Cost { memory_kib, passes }.checked();
    assert!(cost(19456, 2).is_some());
    assert!(cost(19455, 2).is_none());
    assert!(cost(19456, 1).is_none());
    assert!(cost(1024 * 1024 + 1, 2).is_none());
    assert!(cost(65536, 11).is_none());
}

#[test]
fn phone_names_are_trimmed_and_bounded() {
    assert_eq!(
        phone_name("  Alex's phone ").as_deref(),
        Some("Alex's phone")
    );
    assert_eq!(
        phone_name(&"é".repeat(40)).map(|n| n.chars().count()),
        Some(40)
    );
    assert_eq!(phone_name(&"é".repeat(41)), None);
    assert_eq!(phone_name("   "), None);
    assert_eq!(phone_name("a\nb"), None);
}

#[test]
fn a_phones_range_starts_on_the_grid_and_fits() {
    use coplan_domain::wire::range_start_ok;
    assert!(range_start_ok(4096));
    assert!(range_start_ok(4096 * 1_048_575));
    assert!(!range_start_ok(0));
    assert!(!range_start_ok(4097));
    assert!(!range_start_ok(u32::MAX));
}

//! A person and their phones as the API sees them: sign-up, sign-in, attaching a plan,
//! sealed changes and sync requests, over real HTTP to any running server (one inside the
//! test, or the built binary in its own process).

use coplan_domain::envelope::{Encoding, Header, What, seal};
use coplan_domain::keys::AccountKeys;
use coplan_domain::sync::wire::{read_response, write_request};
use coplan_domain::sync::{DocumentRequest, DocumentResponse};
use coplan_domain::wire::{
    AccountKeys as WireKeys, AttachedPlan, Blob, Bytes, Cost, RecoveryKeys, SignIn, SignUp,
    SignedIn,
};
use reqwest::StatusCode;

use crate::helpers::TestApp;

/// A server the tests can reach over HTTP.
pub trait Served {
    fn client(&self) -> &reqwest::Client;
    fn url(&self, path: &str) -> String;
}

impl Served for TestApp {
    fn client(&self) -> &reqwest::Client {
        &self.client
    }

    fn url(&self, path: &str) -> String {
        TestApp::url(self, path)
    }
}

impl<T: Served> Served for std::sync::Arc<T> {
    fn client(&self) -> &reqwest::Client {
        T::client(self)
    }

    fn url(&self, path: &str) -> String {
        T::url(self, path)
    }
}

pub const KEY: [u8; 32] = [0x4b; 32];

pub struct Person {
    pub keys: AccountKeys,
    pub name: &'static str,
}

impl Person {
    pub fn new(name: &'static str, seed: u8) -> Self {
        Self {
            keys: AccountKeys::from_random(&[seed; 64]),
            name,
        }
    }

    pub fn sign_up(&self) -> SignUp {
        let public = self.keys.public();
        SignUp {
            username: self.name.into(),
            verifier: Bytes([7; 32]),
            cost: Cost {
                memory_kib: 19 * 1024,
                passes: 2,
            },
            keys: WireKeys {
                signing: Bytes(public.signing),
                receiving: Bytes(public.receiving),
                wrapped: Blob::new(vec![1; 105]).unwrap(),
            },
            recovery: RecoveryKeys {
                verifier: Bytes([8; 32]),
                wrapped: Blob::new(vec![2; 105]).unwrap(),
            },
            phone_name: "Phone".into(),
            range_start: 4096,
        }
    }
}

/// A signed-in phone: its cookie and its id.
pub struct Phone {
    pub cookie: String,
    pub id: [u8; 16],
    pub account: String,
    pub range: u32,
}

pub fn cookie_of(response: &reqwest::Response) -> String {
    let set = response.headers()["set-cookie"].to_str().unwrap();
    set.split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_string()
}

pub fn id_bytes(text: &str) -> [u8; 16] {
    std::array::from_fn(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).unwrap())
}

pub async fn json_post(
    app: &impl Served,
    path: &str,
    body: &impl serde::Serialize,
    cookie: Option<&str>,
) -> reqwest::Response {
    let mut request = app
        .client()
        .post(app.url(path))
        .header("x-coplan", "1")
        .json(body);
    if let Some(cookie) = cookie {
        request = request.header("cookie", format!("__Host-coplan_session={cookie}"));
    }
    request.send().await.unwrap()
}

pub async fn signed_up(app: &impl Served, person: &Person) -> Phone {
    let response = json_post(app, "/api/v1/accounts", &person.sign_up(), None).await;
    phone_from(response, StatusCode::CREATED, 4096).await
}

pub async fn signed_in(app: &impl Served, person: &Person) -> Phone {
    signed_in_as(app, person, 2).await
}

/// The person's `nth` phone signs in (its range is the `nth` 4,096 ids).
pub async fn signed_in_as(app: &impl Served, person: &Person, nth: u32) -> Phone {
    let body = SignIn {
        username: person.name.into(),
        verifier: Bytes([7; 32]),
        phone_name: "Second".into(),
        range_start: nth * 4096,
        code: None,
    };
    let response = json_post(app, "/api/v1/sessions", &body, None).await;
    phone_from(response, StatusCode::OK, nth * 4096).await
}

/// The phone a sign-up or sign-in answered with, which must have the status `expected`.
async fn phone_from(response: reqwest::Response, expected: StatusCode, range: u32) -> Phone {
    assert_eq!(response.status(), expected);
    let cookie = cookie_of(&response);
    let signed: SignedIn = response.json().await.unwrap();
    Phone {
        cookie,
        id: id_bytes(&signed.phone),
        account: signed.account,
        range,
    }
}

pub async fn attach(app: &impl Served, phone: &Phone, request: u8) -> (StatusCode, AttachedPlan) {
    let body = serde_json::json!({ "request": base64_16(request) });
    let response = json_post(app, "/api/v1/plans", &body, Some(&phone.cookie)).await;
    (response.status(), response.json().await.unwrap())
}

pub fn base64_16(byte: u8) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([byte; 16])
}

pub fn document(plan: &AttachedPlan, section: &str) -> [u8; 16] {
    id_bytes(
        &plan
            .documents
            .iter()
            .find(|d| d.section == section)
            .unwrap()
            .id,
    )
}

pub fn envelope(
    signer: &AccountKeys,
    document: [u8; 16],
    phone: &Phone,
    counter: u64,
    payload: &[u8],
) -> Vec<u8> {
    envelope_in(signer, document, phone.id, phone.range, counter, payload)
}

pub fn envelope_in(
    signer: &AccountKeys,
    document: [u8; 16],
    device: [u8; 16],
    range_start: u32,
    counter: u64,
    payload: &[u8],
) -> Vec<u8> {
    envelope_at(signer, document, (device, range_start), counter, payload, 0)
}

/// A change sealed by `signer` from `phone` (its id and range) under key epoch `epoch`.
pub fn envelope_at(
    signer: &AccountKeys,
    document: [u8; 16],
    (device, range_start): ([u8; 16], u32),
    counter: u64,
    payload: &[u8],
    epoch: u32,
) -> Vec<u8> {
    let header = Header {
        what: What::Change,
        encoding: Encoding::Yrs,
        kind: 3,
        plan: [0; 16],
        document,
        epoch,
        device,
        counter,
        range_start,
        covers: 0,
    };
    seal(&header, payload, &KEY, &[counter as u8; 24], signer).unwrap()
}

pub async fn sync_raw(app: &impl Served, cookie: Option<&str>, body: Vec<u8>) -> reqwest::Response {
    let mut request = app
        .client()
        .post(app.url("/api/v1/sync"))
        .header("x-coplan", "1")
        .header("content-type", "application/octet-stream")
        .body(body);
    if let Some(cookie) = cookie {
        request = request.header("cookie", format!("__Host-coplan_session={cookie}"));
    }
    request.send().await.unwrap()
}

pub async fn sync(
    app: &impl Served,
    phone: &Phone,
    requests: &[DocumentRequest],
) -> Vec<DocumentResponse> {
    let response = sync_raw(app, Some(&phone.cookie), write_request(requests)).await;
    assert_eq!(response.status(), StatusCode::OK);
    read_response(&response.bytes().await.unwrap()).unwrap()
}

//! Talking to Coplan's server: JSON over `fetch`, same origin, with the header every
//! request that changes something must carry (`X-Coplan: 1`, see `docs/accounts.md`).
//! The session is an `HttpOnly` cookie the browser sends by itself; this code never sees
//! it.

use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Why a request did not give the answer asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiProblem {
    /// The server could not be reached (offline, or it is down).
    Offline,
    /// The server said no, with its code (`sign_in_failed`, `name_taken`, `slow_down`, …)
    /// and, for `slow_down`, how many seconds to wait.
    Refused {
        code: String,
        retry_after_s: Option<u32>,
    },
    /// An answer Coplan does not understand (a status or body this build does not know).
    Unexpected { status: u16 },
}

#[derive(serde::Deserialize)]
struct ErrorAnswer {
    error: ErrorCode,
}

#[derive(serde::Deserialize)]
struct ErrorCode {
    code: String,
}

/// `GET path`, read as JSON.
pub async fn get<R: DeserializeOwned>(path: &str) -> Result<R, ApiProblem> {
    json(call("GET", path, None).await?)
}

/// `method path` with `body` as JSON, the answer read as JSON.
pub async fn send<B: Serialize, R: DeserializeOwned>(
    method: &str,
    path: &str,
    body: &B,
) -> Result<R, ApiProblem> {
    let body = serde_json::to_string(body).expect("wire types always serialise");
    json(call(method, path, Some(&body)).await?)
}

/// `method path` with `body` as JSON (if any), for an answer with nothing to read.
pub async fn send_only<B: Serialize>(
    method: &str,
    path: &str,
    body: Option<&B>,
) -> Result<(), ApiProblem> {
    let body = body.map(|b| serde_json::to_string(b).expect("wire types always serialise"));
    call(method, path, body.as_deref()).await.map(drop)
}

/// `POST path` with binary `body`, the answer's bytes (the sync route).
pub async fn send_bytes(path: &str, body: Vec<u8>) -> Result<Vec<u8>, ApiProblem> {
    send_bytes_until(path, body, None).await
}

/// The same, given up (as [`ApiProblem::Offline`]) when `signal` aborts.
pub async fn send_bytes_until(
    path: &str,
    body: Vec<u8>,
    signal: Option<&web_sys::AbortSignal>,
) -> Result<Vec<u8>, ApiProblem> {
    let init = web_sys::RequestInit::new();
    init.set_signal(signal);
    init.set_method("POST");
    let headers = web_sys::Headers::new().map_err(|_| ApiProblem::Offline)?;
    let _ = headers.set("X-Coplan", "1");
    let _ = headers.set("Content-Type", "application/octet-stream");
    init.set_headers(&headers);
    init.set_body(&js_sys::Uint8Array::from(body.as_slice()));
    init.set_cache(web_sys::RequestCache::NoStore);
    let request =
        web_sys::Request::new_with_str_and_init(path, &init).map_err(|_| ApiProblem::Offline)?;
    let response = fetched(&request).await?;
    let status = response.status();
    if !response.ok() {
        let text = read_text(&response).await;
        return Err(refusal(&response, status, &text));
    }
    let buffer = JsFuture::from(response.array_buffer().map_err(|_| ApiProblem::Offline)?)
        .await
        .map_err(|_| ApiProblem::Offline)?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// `GET path` as text (a file the app serves, such as the list of common passphrases).
pub async fn get_text(path: &str) -> Result<String, ApiProblem> {
    Ok(call("GET", path, None).await?.text)
}

struct Answer {
    status: u16,
    text: String,
}

fn json<R: DeserializeOwned>(answer: Answer) -> Result<R, ApiProblem> {
    serde_json::from_str(&answer.text).map_err(|_| ApiProblem::Unexpected {
        status: answer.status,
    })
}

async fn call(method: &str, path: &str, body: Option<&str>) -> Result<Answer, ApiProblem> {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new().map_err(|_| ApiProblem::Offline)?;
    let _ = headers.set("X-Coplan", "1");
    if let Some(body) = body {
        let _ = headers.set("Content-Type", "application/json");
        init.set_body(&JsValue::from_str(body));
    }
    init.set_headers(&headers);
    // No answer from a cache: every answer here is about this person, now.
    init.set_cache(web_sys::RequestCache::NoStore);
    let request =
        web_sys::Request::new_with_str_and_init(path, &init).map_err(|_| ApiProblem::Offline)?;
    let response = fetched(&request).await?;
    let status = response.status();
    let text = read_text(&response).await;
    if response.ok() {
        return Ok(Answer { status, text });
    }
    Err(refusal(&response, status, &text))
}

async fn fetched(request: &web_sys::Request) -> Result<web_sys::Response, ApiProblem> {
    JsFuture::from(global_fetch(request)?)
        .await
        .map_err(|_| ApiProblem::Offline)?
        .dyn_into()
        .map_err(|_| ApiProblem::Offline)
}

async fn read_text(response: &web_sys::Response) -> String {
    match response.text() {
        Ok(promise) => JsFuture::from(promise)
            .await
            .ok()
            .and_then(|t| t.as_string())
            .unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// A refusal in the API's error shape, or an answer this build does not know.
fn refusal(response: &web_sys::Response, status: u16, text: &str) -> ApiProblem {
    let retry_after_s = response
        .headers()
        .get("Retry-After")
        .ok()
        .flatten()
        .and_then(|s| s.trim().parse().ok());
    match serde_json::from_str::<ErrorAnswer>(text) {
        Ok(answer) => ApiProblem::Refused {
            code: answer.error.code,
            retry_after_s,
        },
        Err(_) => ApiProblem::Unexpected { status },
    }
}

/// `fetch` from the global scope, so this works in a Web Worker as on a page.
fn global_fetch(request: &web_sys::Request) -> Result<js_sys::Promise, ApiProblem> {
    let fetch: js_sys::Function = js_sys::Reflect::get(&js_sys::global(), &"fetch".into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or(ApiProblem::Offline)?;
    fetch
        .call1(&js_sys::global(), request)
        .ok()
        .and_then(|p| p.dyn_into().ok())
        .ok_or(ApiProblem::Offline)
}

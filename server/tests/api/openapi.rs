//! `server/openapi.json`, the API's description, written by hand and held true here: the
//! server serves it as written, it names exactly the routes the router registers, and
//! what it says needs a session or the `X-Coplan` header is what the server refuses
//! without them (and nothing else is).

use std::collections::BTreeSet;
use std::path::Path;

use reqwest::Method;
use serde_json::Value;

use crate::helpers::{Db, TestApp, TestDatabase};
use crate::on_both_databases;

on_both_databases!(
    the_description_is_served_as_written_in_openapi_3_1,
    the_description_names_exactly_the_routes_the_router_registers,
    what_the_description_says_needs_a_session_answers_401_without_one,
    what_the_description_says_needs_x_coplan_answers_403_without_it,
);

/// The methods an OpenAPI path item may hold, in its spelling.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// What a path parameter is filled with: shaped like the server's ids.
const SOME_ID: &str = "0123456789abcdef0123456789abcdef";

/// `server/openapi.json` as it is on disk now.
fn written() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.json"))
        .expect("server/openapi.json is there")
}

fn on_disk() -> Value {
    serde_json::from_str(&written()).expect("server/openapi.json is JSON")
}

/// One operation of the description.
struct Described<'a> {
    method: Method,
    path: String,
    operation: &'a Value,
    /// The path item's parameters and the operation's own, references followed.
    parameters: Vec<&'a Value>,
}

/// Every operation the description names, in the order of its paths.
fn operations(description: &Value) -> Vec<Described<'_>> {
    let paths = description["paths"].as_object().expect("paths");
    let mut found = Vec::new();
    for (path, item) in paths {
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let parameters = [item, operation]
                .iter()
                .filter_map(|holder| holder.get("parameters")?.as_array())
                .flatten()
                .map(|parameter| resolve(description, parameter))
                .collect();
            found.push(Described {
                method: Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(),
                path: path.clone(),
                operation,
                parameters,
            });
        }
    }
    found
}

/// `value`, or what its `$ref` points at.
fn resolve<'a>(description: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let pointer = reference
                .strip_prefix('#')
                .expect("a reference inside the file");
            description
                .pointer(pointer)
                .unwrap_or_else(|| panic!("{reference} points at nothing"))
        }
        None => value,
    }
}

/// Every `$ref` anywhere in `value`.
fn references(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("$ref", Value::String(reference)) => found.push(reference.clone()),
                    _ => references(inner, found),
                }
            }
        }
        Value::Array(list) => list.iter().for_each(|inner| references(inner, found)),
        _ => {}
    }
}

async fn the_description_is_served_as_written_in_openapi_3_1(db: Db) {
    let database = TestDatabase::new(db).await;
    let app = TestApp::spawn(&database, Path::new("no-dist")).await;
    let res = app.get("/api/v1/openapi.json").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/json");
    let text = res.text().await.expect("a body");
    assert!(
        text == written(),
        "the server does not serve server/openapi.json as written"
    );
    let served: Value = serde_json::from_str(&text).expect("JSON");
    let version = served["openapi"].as_str().expect("an `openapi` version");
    assert!(version.starts_with("3.1"), "OpenAPI {version}");
    // Written by hand, so a reference can name something the file does not hold.
    let mut found = Vec::new();
    references(&served, &mut found);
    assert!(!found.is_empty());
    for reference in &found {
        resolve(&served, &serde_json::json!({ "$ref": reference }));
    }
    app.stop().await;
}

async fn the_description_names_exactly_the_routes_the_router_registers(db: Db) {
    let description = on_disk();
    let described: BTreeSet<(String, String)> = operations(&description)
        .iter()
        .map(|op| (op.method.to_string(), op.path.clone()))
        .collect();
    assert_eq!(described, registered());

    // And the prefixes were read right: each reaches a handler, which without a cookie
    // answers neither "no such address" nor "no such method".
    let database = TestDatabase::new(db).await;
    let app = TestApp::spawn(&database, Path::new("no-dist")).await;
    for op in operations(&description) {
        let res = ask(&app, &op, true).await;
        assert!(
            ![404, 405].contains(&res.status().as_u16()),
            "{} {} answered {}",
            op.method,
            op.path,
            res.status()
        );
    }
    app.stop().await;
}

async fn what_the_description_says_needs_a_session_answers_401_without_one(db: Db) {
    let description = on_disk();
    let database = TestDatabase::new(db).await;
    let app = TestApp::spawn(&database, Path::new("no-dist")).await;
    for op in operations(&description) {
        // With the header and a body, so the check on cross-site requests and reading the
        // body do not answer first.
        let code = error_code(ask(&app, &op, true).await).await;
        let what = format!("{} {}", op.method, op.path);
        if needs_session(&description, &op) {
            assert_eq!(code.as_deref(), Some("401 sign_in_needed"), "{what}");
            assert!(
                says(&description, &op, "401", "sign_in_needed"),
                "{what}: the description lists no 401 `sign_in_needed`"
            );
        } else {
            assert_ne!(
                code.as_deref(),
                Some("401 sign_in_needed"),
                "{what} needs a session, which the description does not say"
            );
        }
    }
    app.stop().await;
}

async fn what_the_description_says_needs_x_coplan_answers_403_without_it(db: Db) {
    let description = on_disk();
    let database = TestDatabase::new(db).await;
    let app = TestApp::spawn(&database, Path::new("no-dist")).await;
    for op in operations(&description) {
        let code = error_code(ask(&app, &op, false).await).await;
        let what = format!("{} {}", op.method, op.path);
        if needs_x_coplan(&op) {
            assert_eq!(code.as_deref(), Some("403 cross_site"), "{what}");
            assert!(
                says(&description, &op, "403", "cross_site"),
                "{what}: the description lists no 403 `cross_site`"
            );
        } else {
            assert_ne!(
                code.as_deref(),
                Some("403 cross_site"),
                "{what} needs `X-Coplan: 1`, which the description does not say"
            );
        }
    }
    app.stop().await;
}

/// Whether the operation's security (or the description's, when it has none of its own)
/// asks for the session cookie.
fn needs_session(description: &Value, op: &Described<'_>) -> bool {
    op.operation
        .get("security")
        .or_else(|| description.get("security"))
        .and_then(Value::as_array)
        .is_some_and(|ways| ways.iter().any(|way| way.get("session").is_some()))
}

fn needs_x_coplan(op: &Described<'_>) -> bool {
    op.parameters.iter().any(|parameter| {
        parameter["in"] == "header"
            && parameter["name"]
                .as_str()
                .is_some_and(|name| name.eq_ignore_ascii_case("x-coplan"))
            && parameter["required"] == true
    })
}

/// Whether the description lists `status` for the operation and names `code` for it.
fn says(description: &Value, op: &Described<'_>, status: &str, code: &str) -> bool {
    op.operation["responses"]
        .get(status)
        .map(|response| resolve(description, response))
        .and_then(|response| response["description"].as_str())
        .is_some_and(|text| text.contains(&format!("`{code}`")))
}

/// The operation asked without a cookie, with ids in its path and the smallest body of
/// its kind; with `X-Coplan: 1` or without.
async fn ask(app: &TestApp, op: &Described<'_>, x_coplan: bool) -> reqwest::Response {
    let path = filled(&op.path);
    let mut request = app.client.request(op.method.clone(), app.url(&path));
    if x_coplan {
        request = request.header("X-Coplan", "1");
    }
    let content = &op.operation["requestBody"]["content"];
    if content.get("application/json").is_some() {
        request = request
            .header("content-type", "application/json")
            .body("{}");
    } else if content.get("application/octet-stream").is_some() {
        request = request
            .header("content-type", "application/octet-stream")
            .body(coplan_domain::sync::wire::write_request(&[]));
    }
    request.send().await.expect("request sent")
}

/// `path` with each `{parameter}` replaced by an id.
fn filled(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some((before, after)) = rest.split_once('{') {
        out.push_str(before);
        out.push_str(SOME_ID);
        rest = after.split_once('}').expect("a closed parameter").1;
    }
    out.push_str(rest);
    out
}

/// The answer's status and error code, as `"401 sign_in_needed"`; None for an answer
/// that is not an error in the API's shape.
async fn error_code(res: reqwest::Response) -> Option<String> {
    let status = res.status().as_u16();
    let body: Value = res.json().await.ok()?;
    let code = body["error"]["code"].as_str()?;
    Some(format!("{status} {code}"))
}

/// The (method, path) pairs the router registers, read from its source. `router.rs` nests
/// the API under `/api`, and `api::v1::routes` under `/v1` in it. Left out, as they are no
/// operations of the API: the app's own files (`fallback_service`) and the API's answers
/// for unknown addresses and methods (`fallback`, `method_not_allowed_fallback`).
fn registered() -> BTreeSet<(String, String)> {
    let router = source("src/router.rs");
    let v1 = source("src/api/v1.rs");
    // The prefixes below stand for exactly these nests; any other way of adding routes
    // must be taught to this test before it can pass.
    assert!(router.contains(r#".nest("/api", api)"#));
    assert!(router.contains(r#".nest("/v1", api::v1::routes("#));
    assert_eq!(router.matches(".nest(").count(), 2);
    for code in [&router, &v1] {
        for form in [".merge(", ".nest_service(", ".route_service("] {
            assert!(!code.contains(form), "routes added with {form}");
        }
    }
    assert!(!v1.contains(".nest("));
    let mut found = BTreeSet::new();
    found.extend(routes_in(&router, "/api"));
    found.extend(routes_in(&v1, "/api/v1"));
    found
}

/// A source file of this crate, without its `//` comments.
fn source(path: &str) -> String {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .expect("source file");
    text.lines()
        .map(|line| line.split_once("//").map_or(line, |(code, _)| code))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Each `.route("path", method router)` in `code`, as (method, path) pairs. Axum writes
/// a path's parameters as OpenAPI does (`{id}`).
fn routes_in(code: &str, prefix: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for (at, call) in code.match_indices(".route(") {
        let arguments = inside_parens(&code[at + call.len()..]);
        let (path, router) = arguments.split_once(',').expect("a path, then a router");
        let path = path.trim().trim_matches('"');
        assert!(!path.contains("{*"), "a wildcard route: {path}");
        for method in methods_of(router) {
            found.push((method, format!("{prefix}{path}")));
        }
    }
    found
}

/// The text up to the parenthesis that closes the one just before it.
fn inside_parens(text: &str) -> &str {
    let mut depth = 0;
    let mut quoted = false;
    for (at, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted && depth == 0 => return &text[..at],
            ')' if !quoted => depth -= 1,
            _ => {}
        }
    }
    panic!("a `.route(` that never closes");
}

/// The methods a method router names at its top level: `get(a).put(b)` is GET and PUT;
/// `.layer(..)` adds none. Any other call there is a form this test does not know yet.
fn methods_of(router: &str) -> Vec<String> {
    let mut methods = Vec::new();
    let mut depth = 0;
    let mut word = String::new();
    for c in router.chars() {
        match c {
            '(' => {
                if depth == 0 {
                    if METHODS.contains(&word.as_str()) {
                        methods.push(word.to_uppercase());
                    } else {
                        assert!(
                            ["layer", "route_layer"].contains(&word.as_str()),
                            "`{word}(` in a route's method router: teach this test what it adds"
                        );
                    }
                }
                depth += 1;
                word.clear();
            }
            ')' => {
                depth -= 1;
                word.clear();
            }
            c if c.is_alphanumeric() || c == '_' => word.push(c),
            _ => word.clear(),
        }
    }
    assert!(!methods.is_empty(), "a route with no method: {router}");
    methods
}

//! The control API: the emulator's own endpoints under `/_emulator/`, on the same port as the
//! services, so tests in any language can inspect and steer it over HTTP.
//!
//! | request | does |
//! |---|---|
//! | `GET /_emulator` | lists these endpoints |
//! | `GET /_emulator/record` | the request record: `{"total_requests", "submissions", "requests": […]}` |
//! | `DELETE /_emulator/record` | empties the record (and the submission counts) |
//! | `GET /_emulator/faults` | the active faults: `{"faults": [{"id", "kind", …}]}` |
//! | `POST /_emulator/faults` | injects a fault (JSON body, see [`Fault`]'s `FromStr`); answers `201 {"id": n}` |
//! | `DELETE /_emulator/faults` | removes every fault |
//! | `DELETE /_emulator/faults/<id>` | removes one fault (404 if it is gone) |
//! | `POST /_emulator/reset` | empties the record and removes every fault |
//! | `GET /_emulator/clock` | `{"now_unix", "now_millis", "manual"}` |
//! | `POST /_emulator/clock` | moves the clock: one of `{"advance_secs"}`, `{"advance_ms"}`, `{"rewind_secs"}`, `{"rewind_ms"}`, `{"set_unix"}`; answers the new time |
//!
//! These requests are never recorded, counted, rate limited or hit by faults (a fault on
//! every request can still be cleared). The paths cannot collide with a service: API 3.0
//! requests carry `X-TC-Action` (and go to the services whatever their path), COS and CI
//! are addressed by a bucket host or under `/cos/` and `/ci/`, PicWish under `/api/`, result
//! files under `/files/`; only a request with none of these reaches `/_emulator/`.

use std::time::Duration;

use axum::body::to_bytes;
use axum::extract::Request;
use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use crate::fault::{Fault, FaultId, FaultKind, FaultScope, Trigger};
use crate::record::RecordedRequest;
use crate::shared::Shared;

/// The path prefix of the control API.
pub(crate) const PREFIX: &str = "/_emulator";

/// Largest request body the control API reads.
const MAX_BODY: usize = 64 * 1024;

fn json_response(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    json_response(status, &json!({ "error": message.into() }))
}

fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

/// Answers a control request.
pub(crate) async fn handle(shared: &Shared, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = to_bytes(body, MAX_BODY).await else {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("control requests take at most {MAX_BODY} bytes"),
        );
    };
    let path = parts.uri.path().trim_end_matches('/');
    let rest = path.strip_prefix(PREFIX).unwrap_or_default();
    let method = &parts.method;
    match (rest, method) {
        ("", &Method::GET) => index(),
        ("/record", &Method::GET) => record(shared),
        ("/record", &Method::DELETE) => {
            shared.recorder.reset();
            no_content()
        }
        ("/faults", &Method::GET) => faults(shared),
        ("/faults", &Method::POST) => inject(shared, &body),
        ("/faults", &Method::DELETE) => {
            shared.faults.clear();
            no_content()
        }
        ("/reset", &Method::POST) => {
            shared.recorder.reset();
            shared.faults.clear();
            no_content()
        }
        ("/clock", &Method::GET) => clock(shared),
        ("/clock", &Method::POST) => move_clock(shared, &body),
        _ => match rest.strip_prefix("/faults/") {
            Some(id) if method == Method::DELETE => remove_fault(shared, id),
            _ if known(rest) => error(
                StatusCode::METHOD_NOT_ALLOWED,
                format!("{method} is not allowed on {path}"),
            ),
            _ => error(
                StatusCode::NOT_FOUND,
                format!("no control endpoint at {path}; GET {PREFIX} lists them"),
            ),
        },
    }
}

fn known(rest: &str) -> bool {
    matches!(rest, "" | "/record" | "/faults" | "/reset" | "/clock") || rest.starts_with("/faults/")
}

fn index() -> Response {
    json_response(
        StatusCode::OK,
        &json!({
            "endpoints": [
                "GET /_emulator/record",
                "DELETE /_emulator/record",
                "GET /_emulator/faults",
                "POST /_emulator/faults",
                "DELETE /_emulator/faults",
                "DELETE /_emulator/faults/<id>",
                "POST /_emulator/reset",
                "GET /_emulator/clock",
                "POST /_emulator/clock",
            ],
            "fault_kinds": crate::fault::FAULT_KIND_NAMES,
        }),
    )
}

fn request_json(r: &RecordedRequest) -> Value {
    json!({
        "seq": r.seq,
        "at_millis": r.at_millis,
        "method": r.method,
        "path": r.path,
        "query": r.query,
        "headers": r.headers.iter().map(|(n, v)| json!([n, v])).collect::<Vec<_>>(),
        "body_size": r.body_size,
        "service": r.service.as_str(),
        "action": r.action,
        "status": r.status,
        "fault": r.fault,
    })
}

fn record(shared: &Shared) -> Response {
    let requests: Vec<Value> = shared
        .recorder
        .snapshot()
        .iter()
        .map(request_json)
        .collect();
    json_response(
        StatusCode::OK,
        &json!({
            "total_requests": shared.recorder.total(),
            "submissions": shared.recorder.submission_counts(),
            "requests": requests,
        }),
    )
}

/// A fault in the fields a `POST /_emulator/faults` body takes.
fn fault_json(id: FaultId, fault: &Fault) -> Value {
    let mut map = Map::new();
    map.insert("id".into(), json!(id.0));
    map.insert("kind".into(), json!(fault.kind.name()));
    match &fault.kind {
        FaultKind::HttpStatus(status) => {
            map.insert("status".into(), json!(status));
        }
        FaultKind::Latency(delay) => {
            let ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
            map.insert("latency_ms".into(), json!(ms));
        }
        FaultKind::TaskFailure { code, message } => {
            map.insert("code".into(), json!(code));
            map.insert("message".into(), json!(message));
        }
        FaultKind::FailedPages(pages) => {
            map.insert("pages".into(), json!(pages));
        }
        _ => {}
    }
    match &fault.scope {
        FaultScope::Any => {}
        FaultScope::Service(service) => {
            map.insert("service".into(), json!(service.as_str()));
        }
        FaultScope::Action(action) => {
            map.insert("action".into(), json!(action));
        }
    }
    match fault.trigger {
        Trigger::Next(n) => map.insert("times".into(), json!(n)),
        Trigger::Every(n) => map.insert("every".into(), json!(n)),
        Trigger::Probability(p) => map.insert("probability".into(), json!(p)),
        Trigger::Always => map.insert("always".into(), json!(true)),
    };
    Value::Object(map)
}

fn faults(shared: &Shared) -> Response {
    let list: Vec<Value> = shared
        .faults
        .list()
        .iter()
        .map(|(id, fault)| fault_json(*id, fault))
        .collect();
    json_response(StatusCode::OK, &json!({ "faults": list }))
}

fn inject(shared: &Shared, body: &[u8]) -> Response {
    let Ok(text) = std::str::from_utf8(body) else {
        return error(StatusCode::BAD_REQUEST, "the body is not UTF-8 text");
    };
    match text.parse::<Fault>() {
        Ok(fault) => {
            let id = shared.faults.inject(fault);
            json_response(StatusCode::CREATED, &json!({ "id": id.0 }))
        }
        Err(e) => error(StatusCode::BAD_REQUEST, e.to_string()),
    }
}

fn remove_fault(shared: &Shared, id: &str) -> Response {
    let Ok(id) = id.parse::<u64>() else {
        return error(StatusCode::BAD_REQUEST, format!("`{id}` is not a fault id"));
    };
    if shared.faults.remove(FaultId(id)) {
        no_content()
    } else {
        error(StatusCode::NOT_FOUND, format!("no active fault {id}"))
    }
}

fn clock_json(shared: &Shared) -> Value {
    json!({
        "now_unix": shared.clock.now_unix(),
        "now_millis": shared.clock.now_millis(),
        "manual": shared.clock.is_manual(),
    })
}

fn clock(shared: &Shared) -> Response {
    json_response(StatusCode::OK, &clock_json(shared))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockMove {
    advance_secs: Option<u64>,
    advance_ms: Option<u64>,
    rewind_secs: Option<u64>,
    rewind_ms: Option<u64>,
    set_unix: Option<u64>,
}

fn move_clock(shared: &Shared, body: &[u8]) -> Response {
    let request: ClockMove = match serde_json::from_slice(body) {
        Ok(r) => r,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("not a clock move ({e}); send one of advance_secs, advance_ms, rewind_secs, rewind_ms, set_unix"),
            )
        }
    };
    let clock = &shared.clock;
    match request {
        ClockMove {
            advance_secs: Some(s),
            advance_ms: None,
            rewind_secs: None,
            rewind_ms: None,
            set_unix: None,
        } => clock.advance(Duration::from_secs(s)),
        ClockMove {
            advance_secs: None,
            advance_ms: Some(ms),
            rewind_secs: None,
            rewind_ms: None,
            set_unix: None,
        } => clock.advance(Duration::from_millis(ms)),
        ClockMove {
            advance_secs: None,
            advance_ms: None,
            rewind_secs: Some(s),
            rewind_ms: None,
            set_unix: None,
        } => clock.rewind(Duration::from_secs(s)),
        ClockMove {
            advance_secs: None,
            advance_ms: None,
            rewind_secs: None,
            rewind_ms: Some(ms),
            set_unix: None,
        } => clock.rewind(Duration::from_millis(ms)),
        ClockMove {
            advance_secs: None,
            advance_ms: None,
            rewind_secs: None,
            rewind_ms: None,
            set_unix: Some(t),
        } => clock.set_unix(t),
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "send exactly one of advance_secs, advance_ms, rewind_secs, rewind_ms, set_unix",
            )
        }
    }
    json_response(StatusCode::OK, &clock_json(shared))
}

//! The API 3.0 response envelope: `{"Response": {…, "RequestId": "…"}}`, errors as
//! `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}`, always HTTP 200.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use crate::shared::Shared;

/// An API 3.0 error: code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TcError {
    pub(crate) code: String,
    pub(crate) message: String,
}

impl TcError {
    pub(crate) fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
        }
    }
}

fn json_response(body: &Value) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// A success answer: the fields plus `RequestId`.
pub(crate) fn ok(shared: &Shared, fields: Map<String, Value>) -> Response {
    let mut fields = fields;
    fields.insert("RequestId".to_owned(), Value::String(shared.ids.uuid()));
    json_response(&json!({ "Response": fields }))
}

/// An error answer.
pub(crate) fn error(shared: &Shared, code: &str, message: &str) -> Response {
    json_response(&json!({
        "Response": {
            "Error": { "Code": code, "Message": message },
            "RequestId": shared.ids.uuid(),
        }
    }))
}

/// An error answer from a [`TcError`].
pub(crate) fn from_error(shared: &Shared, e: &TcError) -> Response {
    error(shared, &e.code, &e.message)
}

/// Turns a `serde_json::json!` object into a field map.
pub(crate) fn fields(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

//! The API 3.0 response envelope: `{"Response": {…, "RequestId": "…"}}`, errors as
//! `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}`, always HTTP 200.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use crate::app::App;

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
pub(crate) fn ok(app: &App, fields: Map<String, Value>) -> Response {
    let mut fields = fields;
    fields.insert("RequestId".to_owned(), Value::String(app.ids.uuid()));
    json_response(&json!({ "Response": fields }))
}

/// An error answer.
pub(crate) fn error(app: &App, code: &str, message: &str) -> Response {
    json_response(&json!({
        "Response": {
            "Error": { "Code": code, "Message": message },
            "RequestId": app.ids.uuid(),
        }
    }))
}

/// An error answer from a [`TcError`].
pub(crate) fn from_error(app: &App, e: &TcError) -> Response {
    error(app, &e.code, &e.message)
}

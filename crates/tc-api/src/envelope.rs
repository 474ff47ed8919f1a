//! The `{"Response": {...}}` envelope of every API 3.0 answer.

use ocr_core::{Error, ErrorKind, Result};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error_code::classify;

/// The code Tencent answers when the request's timestamp is too far from its clock.
pub const SIGNATURE_EXPIRE: &str = "AuthFailure.SignatureExpire";

/// An API error carried in `Response.Error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// `Response.Error.Code`.
    pub code: String,
    /// `Response.Error.Message`.
    pub message: String,
    /// `Response.RequestId`.
    pub request_id: Option<String>,
}

impl ApiError {
    /// Converts into the workspace error, classified by its code.
    pub fn into_error(self) -> Error {
        let class = classify(&self.code);
        let mut err = Error::new(class.kind, self.message)
            .with_code(self.code)
            .with_retryable(class.retryable);
        if let Some(id) = self.request_id {
            err = err.with_request_id(id);
        }
        err
    }
}

/// What an envelope held.
#[derive(Debug)]
pub enum Envelope {
    /// A successful response: the `Response` object (with `RequestId` in it).
    Ok(Value),
    /// An API error.
    Err(ApiError),
}

/// Keys of the envelope itself; any other key in `Response` is the action's output.
const ENVELOPE_KEYS: [&str; 3] = ["Error", "RequestId", "DeprecatedWarning"];

/// Splits a response body into success or API error.
///
/// `Response.Error` is an API error only when it stands alone (beside `RequestId`). Beside output
/// fields it belongs to the output: the polling actions of asynchronous tasks report a failed
/// task as `{"Status": "Failed", "Error": {...}, ...}` in a successful response, and that task
/// error must reach the caller as data, not as a failed call.
///
/// Also recognises the legacy pre-3.0 error shape `{"code": n, "message": "...", "codeDesc": "..."}`.
pub fn parse_envelope(body: &[u8]) -> Result<Envelope> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        Error::decode("the response is not JSON")
            .with_source(e)
            .with_maybe_sent(true)
    })?;
    let Some(response) = value.get("Response") else {
        if let Some(code) = value.get("code").and_then(Value::as_i64) {
            if code != 0 {
                let desc = value
                    .get("codeDesc")
                    .and_then(Value::as_str)
                    .filter(|d| !d.is_empty())
                    .map(str::to_owned)
                    .unwrap_or_else(|| code.to_string());
                let message = value
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                return Ok(Envelope::Err(ApiError {
                    code: desc,
                    message,
                    request_id: None,
                }));
            }
        }
        return Err(Error::decode("the response has no \"Response\" object"));
    };
    // An empty RequestId is no request id.
    let request_id = response
        .get("RequestId")
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty())
        .map(str::to_owned);
    let has_output = response
        .as_object()
        .is_some_and(|o| o.keys().any(|k| !ENVELOPE_KEYS.contains(&k.as_str())));
    if let Some(error) = response.get("Error").filter(|_| !has_output) {
        let code = error
            .get("Code")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !code.is_empty() {
            let message = error
                .get("Message")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            return Ok(Envelope::Err(ApiError {
                code: code.to_owned(),
                message,
                request_id,
            }));
        }
    }
    Ok(Envelope::Ok(response.clone()))
}

/// Deserialises the `Response` object into the action's output type.
pub fn decode_response<T: DeserializeOwned>(response: Value) -> Result<T> {
    let request_id = response
        .get("RequestId")
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty())
        .map(str::to_owned);
    serde_json::from_value(response).map_err(|e| {
        let mut err = Error::new(
            ErrorKind::Decode,
            format!("the response does not match the documented shape: {e}"),
        );
        if let Some(id) = request_id {
            err = err.with_request_id(id);
        }
        err.with_source(e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_and_error_shapes() {
        let ok = parse_envelope(br#"{"Response":{"Angle":1.5,"RequestId":"r1"}}"#).unwrap();
        assert!(matches!(ok, Envelope::Ok(v) if v["Angle"] == 1.5));
        let err = parse_envelope(
            br#"{"Response":{"Error":{"Code":"InternalError","Message":"oops"},"RequestId":"r2"}}"#,
        )
        .unwrap();
        match err {
            Envelope::Err(e) => {
                assert_eq!(e.code, "InternalError");
                assert_eq!(e.request_id.as_deref(), Some("r2"));
                let e = e.into_error();
                assert!(e.is_retryable());
                assert_eq!(e.to_string(), "InternalError: oops (request r2)");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_error_beside_output_fields_is_the_tasks_and_stays_data() {
        // The LKEAP GetReconstructDocumentResult seed's failed-task example.
        let body = br#"{"Response":{"FailedPages":[],"RequestId":"a37b","Status":"Failed",
            "Error":{"Code":"InvalidParameter.FileURLInvalid","Message":"url download failed"}}}"#;
        match parse_envelope(body).unwrap() {
            Envelope::Ok(v) => {
                assert_eq!(v["Status"], "Failed");
                assert_eq!(v["Error"]["Code"], "InvalidParameter.FileURLInvalid");
            }
            other => panic!("{other:?}"),
        }
        let alone = br#"{"Response":{"Error":{"Code":"InvalidParameter","Message":"m"},
            "RequestId":"r","DeprecatedWarning":"w"}}"#;
        assert!(matches!(parse_envelope(alone).unwrap(), Envelope::Err(_)));
    }

    #[test]
    fn legacy_and_malformed() {
        let legacy =
            parse_envelope(br#"{"code":4100,"message":"bad sig","codeDesc":"AuthFailure"}"#)
                .unwrap();
        assert!(matches!(legacy, Envelope::Err(e) if e.code == "AuthFailure"));
        let bare = parse_envelope(br#"{"code":8200,"message":"m","codeDesc":""}"#).unwrap();
        assert!(matches!(bare, Envelope::Err(e) if e.code == "8200"));
        assert_eq!(
            parse_envelope(b"<html>").unwrap_err().kind(),
            ErrorKind::Decode
        );
        assert_eq!(parse_envelope(b"{}").unwrap_err().kind(), ErrorKind::Decode);
    }
}

//! `tc_api_envelope`: the Tencent Cloud API 3.0 envelope (`tc_api::envelope`), then the
//! `Response` object decoded into the LKEAP outputs the client reads from it.
//!
//! Input: a response body.
//!
//! Invariants:
//! - an API error has a non-empty code, keeps `Response.RequestId`, and converts into an
//!   error carrying that code and request id, classified as `tc_api::error_code` says;
//! - a success is exactly the `Response` object, and an `Error` with a code standing alone in
//!   it (beside `RequestId` / `DeprecatedWarning` only) is never a success;
//! - the split is stable: the success re-enveloped parses to the same success;
//! - a decoding failure of the output keeps the request id; what decodes is shown in `Debug`
//!   without the result URL's signature (one is planted in whatever URL the input holds).

use lkeap::{
    CreateReconstructDocumentFlowResponse, GetReconstructDocumentResultResponse,
    GetSplitDocumentResultResponse, ResultUrl,
};
use ocr_core::ErrorKind;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tc_api::envelope::{decode_response, parse_envelope, Envelope};

/// Checks one input.
pub fn check(data: &[u8]) {
    let parsed = match parse_envelope(data) {
        Ok(p) => p,
        Err(err) => {
            assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
            return;
        }
    };
    let value: Value = match serde_json::from_slice(data) {
        Ok(v) => v,
        Err(e) => panic!("an envelope was read from a body that is not JSON: {e}"),
    };
    match parsed {
        Envelope::Err(api) => {
            assert!(!api.code.is_empty(), "an API error without a code");
            if let Some(response) = value.get("Response") {
                assert_eq!(
                    api.request_id.as_deref(),
                    response
                        .get("RequestId")
                        .and_then(Value::as_str)
                        .filter(|id| !id.is_empty()),
                    "the request id is not Response.RequestId (an empty one is none)"
                );
            } else {
                assert!(api.request_id.is_none(), "a legacy error with a request id");
            }
            let class = tc_api::error_code::classify(&api.code);
            let (code, request_id) = (api.code.clone(), api.request_id.clone());
            let err = api.into_error();
            assert_eq!(err.code(), Some(code.as_str()));
            assert_eq!(err.request_id(), request_id.as_deref());
            assert_eq!(err.kind(), class.kind);
            assert_eq!(err.is_retryable(), class.retryable);
            let shown = err.to_string();
            assert!(shown.contains(&code), "the code is not shown: {shown}");
        }
        Envelope::Ok(response) => {
            assert_eq!(
                Some(&response),
                value.get("Response"),
                "not the Response object"
            );
            if let Some(obj) = response.as_object() {
                let only_envelope = obj
                    .keys()
                    .all(|k| matches!(k.as_str(), "Error" | "RequestId" | "DeprecatedWarning"));
                let coded_error = obj
                    .get("Error")
                    .and_then(|e| e.get("Code"))
                    .and_then(Value::as_str)
                    .is_some_and(|c| !c.is_empty());
                assert!(
                    !(only_envelope && coded_error),
                    "an API error was taken for a success"
                );
            }
            let again = serde_json::to_vec(&serde_json::json!({ "Response": response }))
                .unwrap_or_else(|e| panic!("a parsed value does not serialise: {e}"));
            match parse_envelope(&again) {
                Ok(Envelope::Ok(v)) => assert!(
                    same(&v, &response),
                    "re-enveloped differently: {v:?} vs {response:?}"
                ),
                other => panic!("the re-enveloped success is now {other:?}"),
            }
            // (Decoded strings appear in `to_string` unescaped: the mark has no character
            // that JSON escapes.)
            outputs(&response, !response.to_string().contains(MARK));
        }
    }
}

/// Equal JSON values, floats within rounding (serde_json, without its `float_roundtrip`
/// feature, may read back a printed float one unit in the last place away).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => {
            match (x.as_f64(), y.as_f64()) {
                (Some(x), Some(y)) => x == y || (x - y).abs() <= x.abs().max(y.abs()) * 1e-15,
                _ => false,
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// Decodes the `Response` object as each LKEAP output.
fn outputs(response: &Value, plant: bool) {
    let request_id = response
        .get("RequestId")
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty());
    decode::<CreateReconstructDocumentFlowResponse>(response, request_id);
    if let Some(mut out) = decode::<GetReconstructDocumentResultResponse>(response, request_id) {
        if let Some(url) = out.document_recognize_result_url.take().filter(|_| plant) {
            out.document_recognize_result_url = Some(signed(&url));
            not_shown(&format!("{out:?}"));
            not_shown(&format!("{:?}", out.result_url()));
        }
    }
    if let Some(mut out) = decode::<GetSplitDocumentResultResponse>(response, request_id) {
        if let Some(url) = out.document_recognize_result_url.take().filter(|_| plant) {
            out.document_recognize_result_url = Some(signed(&url));
            not_shown(&format!("{out:?}"));
        }
    }
}

fn decode<T: DeserializeOwned>(response: &Value, request_id: Option<&str>) -> Option<T> {
    match decode_response::<T>(response.clone()) {
        Ok(out) => Some(out),
        Err(err) => {
            assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
            assert_eq!(
                err.request_id(),
                request_id,
                "the request id is lost: {err}"
            );
            None
        }
    }
}

/// A signature planted in result URLs: `Debug` must never show it. (Inputs that hold it
/// themselves are not checked for it.)
const MARK: &str = "f0f0f0f0SIGNATUREf0f0f0f0";

/// The URL as received with a signature parameter added, as the service signs them.
fn signed(url: &ResultUrl) -> ResultUrl {
    let raw = url.expose();
    let sep = if raw.contains('?') { '&' } else { '?' };
    ResultUrl::new(format!("{raw}{sep}q-signature={MARK}"))
}

fn not_shown(shown: &str) {
    assert!(
        !shown.contains(MARK),
        "a result URL's signature is shown: {shown}"
    );
}

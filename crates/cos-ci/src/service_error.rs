//! COS and CI error responses (`<Error><Code>…`) and how their codes map to
//! [`ErrorKind`]s.
//!
//! | codes | kind | retried |
//! |---|---|---|
//! | `SignatureDoesNotMatch`, `AccessDenied`, `InvalidAccessKeyId`, `ExpiredToken`, `InvalidToken`, `AccessForbidden`, `NoProcessAuthority`, `UserNotSourceBucketOwner`, `UserNotTargetBucketOwner`, `RequestTimeTooSkewed`, other 401/403 | `Auth` | no (`RequestTimeTooSkewed` and an expired signature window are re-signed once after learning the server's clock) |
//! | `SlowDown`, `ServiceUnavailable`, `KmsFreqControl`, any 429 or 503 | `Throttled` | yes |
//! | `InternalError` and any other 5xx (bare gateway 502/504 too) | `Service` | yes for reads and uploads to a fixed key; a billed call (job submission, template creation, synchronous OCR) may have been acted on, so it fails as `OutcomeUnknown` instead |
//! | `PaymentRequired` (402) | `Quota` | no |
//! | `NoSuchJob` | `ResultExpired` | no |
//! | `NoSuchKey`, `NoSuchBucket` and other 404 | `Service` | no |
//! | `RequestTimeout`, `UserNetworkTooSlow` | `Timeout` | yes (the service says it did not get the whole request) |
//! | `InvalidArgument`, `BadDigest`, `EntityTooLarge`, `MalformedXML`, … and any other 400, 411, 413, 414, 416 | `InvalidInput` | no |
//! | anything else | `Service` | no |
//!
//! A `Retry-After` header (seconds or an HTTP date) sets the least wait before the next attempt.

use std::time::SystemTime;

use ocr_core::{Error, ErrorKind};
use reqwest::header::HeaderMap;
use serde::Deserialize;

use crate::xml;

/// The body of a COS/CI error: `<Error><Code/><Message/><Resource/><RequestId/><TraceId/></Error>`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ServiceError {
    /// `Code`: the error code, e.g. `NoSuchKey`.
    #[serde(rename = "Code", default, deserialize_with = "xml::string")]
    pub code: String,
    /// `Message`: what went wrong.
    #[serde(rename = "Message", default, deserialize_with = "xml::string")]
    pub message: String,
    /// `Resource`: the bucket or object address (COS only).
    #[serde(rename = "Resource", default, deserialize_with = "xml::opt_string")]
    pub resource: Option<String>,
    /// `RequestId`: the id of the request.
    #[serde(rename = "RequestId", default, deserialize_with = "xml::opt_string")]
    pub request_id: Option<String>,
    /// `TraceId`: the id of the error.
    #[serde(rename = "TraceId", default, deserialize_with = "xml::opt_string")]
    pub trace_id: Option<String>,
}

/// The JSON error form some newer services answer with.
#[derive(Debug, Deserialize)]
struct JsonError {
    #[serde(default, alias = "Code")]
    code: Option<String>,
    #[serde(default, alias = "Message")]
    message: Option<String>,
    #[serde(default, alias = "RequestId", alias = "requestId")]
    request_id: Option<String>,
}

impl ServiceError {
    /// Parses an error body: the XML `<Error>` form, else the JSON `{code, message, request_id}`
    /// form, else the `x-cos-error-code` header. `None` when nothing names a code.
    pub fn parse(body: &[u8], headers: &HeaderMap) -> Option<ServiceError> {
        let from_xml = xml::from_xml::<ServiceError>(body)
            .ok()
            .filter(|e| !e.code.is_empty());
        let from_json = || {
            serde_json::from_slice::<JsonError>(body)
                .ok()
                .and_then(|j| {
                    Some(ServiceError {
                        code: j.code.filter(|c| !c.is_empty())?,
                        message: j.message.unwrap_or_default(),
                        request_id: j.request_id,
                        ..ServiceError::default()
                    })
                })
        };
        let from_header = || {
            header(headers, "x-cos-error-code").map(|code| ServiceError {
                code,
                message: header(headers, "x-cos-error-message").unwrap_or_default(),
                ..ServiceError::default()
            })
        };
        from_xml.or_else(from_json).or_else(from_header)
    }
}

/// A response header as text.
pub(crate) fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

/// The request id of a response: `x-cos-request-id` or `x-ci-request-id`.
pub(crate) fn header_request_id(headers: &HeaderMap) -> Option<String> {
    header(headers, "x-cos-request-id").or_else(|| header(headers, "x-ci-request-id"))
}

const AUTH: &[&str] = &[
    "SignatureDoesNotMatch",
    "AccessDenied",
    "InvalidAccessKeyId",
    "ExpiredToken",
    "InvalidToken",
    "AccessForbidden",
    "NoProcessAuthority",
    "UserNotSourceBucketOwner",
    "UserNotTargetBucketOwner",
    "RequestTimeTooSkewed",
];
const THROTTLED: &[&str] = &["SlowDown", "ServiceUnavailable", "KmsFreqControl"];
const TIMEOUT: &[&str] = &["RequestTimeout", "UserNetworkTooSlow"];

/// The kind and retryability of an error `code` answered with HTTP `status`.
///
/// ```
/// use cos_ci::service_error::classify;
/// use ocr_core::ErrorKind;
///
/// assert_eq!(classify("SignatureDoesNotMatch", 403), (ErrorKind::Auth, false));
/// assert_eq!(classify("SlowDown", 503), (ErrorKind::Throttled, true));
/// assert_eq!(classify("InternalError", 500), (ErrorKind::Service, true));
/// assert_eq!(classify("InvalidArgument", 400), (ErrorKind::InvalidInput, false));
/// assert_eq!(classify("NoSuchJob", 404), (ErrorKind::ResultExpired, false));
/// ```
pub fn classify(code: &str, status: u16) -> (ErrorKind, bool) {
    use ErrorKind::*;
    if AUTH.contains(&code) {
        return (Auth, false);
    }
    if THROTTLED.contains(&code) || status == 429 || status == 503 {
        return (Throttled, true);
    }
    if TIMEOUT.contains(&code) {
        return (Timeout, true);
    }
    if code == "PaymentRequired" || status == 402 {
        return (Quota, false);
    }
    if code == "NoSuchJob" {
        return (ResultExpired, false);
    }
    match status {
        500..=599 => (Service, true),
        401 | 403 => (Auth, false),
        400 | 411 | 413 | 414 | 416 => (InvalidInput, false),
        _ => (Service, false),
    }
}

/// Whether the service refused the request's time: `RequestTimeTooSkewed`, or `AccessDenied`
/// with "Request has expired" (now outside the signed window). Both are fixed by learning the
/// server's clock and signing again.
pub(crate) fn is_stale_signature(err: &ServiceError) -> bool {
    err.code == "RequestTimeTooSkewed"
        || (err.code == "AccessDenied" && err.message.to_ascii_lowercase().contains("expired"))
}

/// The error for a non-success response; `now` (the server's time as far as it is known)
/// turns a `Retry-After` date into a wait.
pub(crate) fn to_error(status: u16, headers: &HeaderMap, body: &[u8], now: SystemTime) -> Error {
    let header_id = header_request_id(headers);
    let mut err = match ServiceError::parse(body, headers) {
        Some(api) => {
            let (kind, retryable) = classify(&api.code, status);
            let message = if api.message.is_empty() {
                format!("HTTP {status}")
            } else {
                api.message.clone()
            };
            let mut err = Error::new(kind, message)
                .with_code(api.code.clone())
                .with_retryable(retryable);
            if let Some(id) = api.request_id.clone().or(header_id) {
                err = err.with_request_id(id);
            }
            err
        }
        None => {
            let (kind, retryable) = classify("", status);
            let mut err = Error::new(kind, format!("HTTP {status} without an error body"))
                .with_retryable(retryable);
            if let Some(id) = header_id {
                err = err.with_request_id(id);
            }
            err
        }
    };
    err = err.with_http_status(status);
    if (500..=599).contains(&status) && status != 503 {
        // The service got the request and failed while handling it: whether it acted (created
        // a job, billed a recognition) is unknown, so billed calls are not resent.
        err = err.with_maybe_sent(true);
    }
    if let Some(after) = ocr_core::http::retry_after(headers, now) {
        err = err.with_retry_after(after);
    }
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_xml_json_and_header_forms() {
        let none = HeaderMap::new();
        let body = b"<?xml version='1.0' encoding='utf-8' ?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Resource>examplebucket-1250000000.cos.ap-beijing.myqcloud.com/a.jpg</Resource><RequestId>NjQ1</RequestId><TraceId>OGVm</TraceId></Error>";
        let e = ServiceError::parse(body, &none).unwrap();
        assert_eq!(e.code, "NoSuchKey");
        assert_eq!(e.request_id.as_deref(), Some("NjQ1"));
        assert_eq!(e.trace_id.as_deref(), Some("OGVm"));
        let e = ServiceError::parse(
            br#"{"code":"InvalidArgument","message":"m","request_id":"r"}"#,
            &none,
        )
        .unwrap();
        assert_eq!(
            (e.code.as_str(), e.request_id.as_deref()),
            ("InvalidArgument", Some("r"))
        );
        let mut h = HeaderMap::new();
        h.insert("x-cos-error-code", "SlowDown".parse().unwrap());
        assert_eq!(ServiceError::parse(b"", &h).unwrap().code, "SlowDown");
        assert!(ServiceError::parse(b"", &none).is_none());
        assert!(ServiceError::parse(b"<Error><Code/></Error>", &none).is_none());
    }

    #[test]
    fn classification_table() {
        use ErrorKind::*;
        for (code, status, kind, retry) in [
            ("AccessDenied", 403, Auth, false),
            ("InvalidAccessKeyId", 403, Auth, false),
            ("ExpiredToken", 400, Auth, false),
            ("RequestTimeTooSkewed", 403, Auth, false),
            ("ServiceUnavailable", 503, Throttled, true),
            ("", 503, Throttled, true),
            ("", 429, Throttled, true),
            ("", 502, Service, true),
            ("PaymentRequired", 402, Quota, false),
            ("NoSuchKey", 404, Service, false),
            ("NoSuchBucket", 404, Service, false),
            ("", 404, Service, false),
            ("RequestTimeout", 400, Timeout, true),
            ("EntityTooLarge", 400, InvalidInput, false),
            ("MalformedXML", 400, InvalidInput, false),
            ("MissingContentLength", 411, InvalidInput, false),
            ("BucketAlreadyExists", 409, Service, false),
            ("", 401, Auth, false),
        ] {
            assert_eq!(classify(code, status), (kind, retry), "{code} {status}");
        }
    }

    #[test]
    fn retry_after_is_read_as_seconds_or_a_date() {
        use std::time::{Duration, UNIX_EPOCH};
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let body = b"<Error><Code>SlowDown</Code><Message>m</Message></Error>";
        let mut h = HeaderMap::new();
        h.insert("retry-after", "4".parse().unwrap());
        let err = to_error(503, &h, body, now);
        assert_eq!(err.kind(), ErrorKind::Throttled);
        assert_eq!(err.retry_after(), Some(Duration::from_secs(4)));
        let date = httpdate::fmt_http_date(now + Duration::from_secs(9));
        h.insert("retry-after", date.parse().unwrap());
        assert_eq!(
            to_error(503, &h, body, now).retry_after(),
            Some(Duration::from_secs(9))
        );
        assert_eq!(
            to_error(503, &HeaderMap::new(), body, now).retry_after(),
            None
        );
    }

    #[test]
    fn stale_signature_detection() {
        let e = |code: &str, message: &str| ServiceError {
            code: code.into(),
            message: message.into(),
            ..ServiceError::default()
        };
        assert!(is_stale_signature(&e("RequestTimeTooSkewed", "")));
        assert!(is_stale_signature(&e(
            "AccessDenied",
            "Request has expired"
        )));
        assert!(!is_stale_signature(&e("AccessDenied", "Access Denied.")));
    }
}

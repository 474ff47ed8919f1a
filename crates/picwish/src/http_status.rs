//! HTTP response status codes, both as the HTTP status line and as the body's `status` field,
//! mapped to [`ocr_core::Error`] kinds.
//!
//! | Code | Kind | Retried |
//! | --- | --- | --- |
//! | 400 | `InvalidInput` | no |
//! | 401 | `Auth` | no |
//! | 403 | `Auth` (not documented; treated like 401) | no |
//! | 404 on create | `Service` (the endpoint does not exist: check the base URL) | no |
//! | 404 on query | `ResultExpired` (the task id is unknown: mistyped, or no longer kept) | no |
//! | 404 / 403 / 410 on result download | `ResultExpired` (the one-hour URL lapsed) | no |
//! | 413 | `InvalidInput` (field `image_file`) | no |
//! | 429 | `Throttled`, with `Retry-After` honoured | yes |
//! | 5xx | `Service` | yes |
//! | any other | `Service` | no |

use std::time::Duration;

use ocr_core::{Error, ErrorKind};

/// Which call a status came from: a 404 means different things for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Call {
    /// `POST /api/tasks/document/ocr`.
    Create,
    /// `GET /api/tasks/document/ocr/{task_id}`.
    Query,
    /// `GET` of the result file URL.
    Download,
}

impl Call {
    /// The operation name errors and traces carry.
    pub(crate) fn operation(self) -> &'static str {
        match self {
            Call::Create => "CreateTask",
            Call::Query => "QueryTask",
            Call::Download => "DownloadResult",
        }
    }
}

/// The documented meaning of an HTTP response status code, if the documentation lists it.
///
/// ```
/// assert_eq!(
///     picwish::http_status::meaning(429),
///     Some("Request frequency exceeds the QPS limit (default QPS is 2). Slow down or contact us to raise your QPS.")
/// );
/// assert_eq!(picwish::http_status::meaning(418), None);
/// ```
pub fn meaning(status: u16) -> Option<&'static str> {
    Some(match status {
        200 => "The request is successful.",
        400 => "Wrong parameter passed by the client. Check whether a parameter is missing or has an incorrect value.",
        401 => "Unauthorized API key. Check that X-API-KEY is correct and the service is enabled.",
        404 => "The requested URL or resource does not exist. Check that the URL or task_id is correct.",
        413 => "The uploaded file exceeds the allowed size. Refer to the supported image size.",
        429 => "Request frequency exceeds the QPS limit (default QPS is 2). Slow down or contact us to raise your QPS.",
        500 => "Server-side exception. Please contact support.",
        _ => return None,
    })
}

/// The error for a non-success `status` of `call`, with the service's message (already
/// scrubbed of secrets) and the wait the server asked for.
pub(crate) fn status_error(
    call: Call,
    status: u16,
    server_message: Option<&str>,
    retry_after: Option<Duration>,
) -> Error {
    let (kind, retryable, field) = match (status, call) {
        (429, _) => (ErrorKind::Throttled, true, None),
        (401 | 403, Call::Create | Call::Query) => (ErrorKind::Auth, false, None),
        (403 | 404 | 410, Call::Download) => (ErrorKind::ResultExpired, false, None),
        (404, Call::Query) => (ErrorKind::ResultExpired, false, Some("task_id")),
        (400, _) => (ErrorKind::InvalidInput, false, None),
        (413, _) => (ErrorKind::InvalidInput, false, Some("image_file")),
        (500..=599, _) => (ErrorKind::Service, true, None),
        _ => (ErrorKind::Service, false, None),
    };
    let documented = match (status, call) {
        (404, Call::Create) => {
            "The create-task endpoint does not exist: check the base URL.".to_owned()
        }
        (404, Call::Query) => "The task is unknown: the task_id is wrong, or PicWish no longer \
                               keeps the task."
            .to_owned(),
        (403 | 404 | 410, Call::Download) => "The result file is no longer available: its URL \
                                             is valid for one hour after processing succeeds."
            .to_owned(),
        _ => meaning(status)
            .map(str::to_owned)
            .unwrap_or_else(|| format!("Unexpected HTTP status {status}.")),
    };
    let message = match server_message.map(str::trim).filter(|m| !m.is_empty()) {
        Some(said) => format!("{documented} Server said: {}", truncate(said, 300)),
        None => documented,
    };
    let mut err = Error::new(kind, message)
        .with_http_status(status)
        .with_retryable(retryable);
    if let Some(field) = field {
        err = err.with_field(field);
    }
    if let Some(after) = retry_after {
        err = err.with_retry_after(after);
    }
    err
}

fn truncate(s: &str, max_chars: usize) -> String {
    match s.char_indices().nth(max_chars) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_status_and_call() {
        let table = [
            (Call::Create, 400, ErrorKind::InvalidInput, false),
            (Call::Create, 401, ErrorKind::Auth, false),
            (Call::Create, 404, ErrorKind::Service, false),
            (Call::Query, 404, ErrorKind::ResultExpired, false),
            (Call::Download, 404, ErrorKind::ResultExpired, false),
            (Call::Download, 403, ErrorKind::ResultExpired, false),
            (Call::Create, 413, ErrorKind::InvalidInput, false),
            (Call::Query, 429, ErrorKind::Throttled, true),
            (Call::Create, 500, ErrorKind::Service, true),
            (Call::Download, 503, ErrorKind::Service, true),
            (Call::Query, 418, ErrorKind::Service, false),
        ];
        for (call, status, kind, retryable) in table {
            let err = status_error(call, status, None, None);
            assert_eq!(err.kind(), kind, "{call:?} {status}");
            assert_eq!(err.is_retryable(), retryable, "{call:?} {status}");
            assert_eq!(err.http_status(), Some(status));
        }
    }

    #[test]
    fn message_has_the_documented_meaning_and_the_server_text() {
        let err = status_error(Call::Create, 401, Some(" key disabled "), None);
        assert_eq!(
            err.message(),
            "Unauthorized API key. Check that X-API-KEY is correct and the service is enabled. \
             Server said: key disabled"
        );
        let long = "x".repeat(400);
        let err = status_error(Call::Query, 500, Some(&long), None);
        assert!(err.message().ends_with('…'));
    }
}

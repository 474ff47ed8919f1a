//! The result-file service: `GET`/`HEAD /files/<id>/<name>` answered from the
//! [`FileStore`](crate::files::FileStore), its refusals (expired or tampered URL, no such file)
//! as COS-style XML errors.

use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use axum::response::Response;

use crate::cos::xml::error_response;
use crate::shared::Shared;

/// Answers `GET`/`HEAD /files/…`.
pub(crate) fn handle(shared: &Shared, method: &Method, path: &str, query: &str) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return error_response(
            shared,
            false,
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "The specified method is not allowed against this resource.",
            path,
        );
    }
    match shared
        .files
        .resolve(method.as_str(), path, query, shared.clock.now_unix())
    {
        Ok(file) => {
            let len = file.bytes.len();
            let body = if method == Method::HEAD {
                Body::empty()
            } else {
                Body::from(file.bytes)
            };
            Response::builder()
                .status(StatusCode::OK)
                .header(header::CONTENT_TYPE, file.content_type)
                .header(header::CONTENT_LENGTH, len)
                .header(
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{}\"", file.name.replace('"', "")),
                )
                .header("x-cos-request-id", shared.ids.cos_request_id())
                .body(body)
                .unwrap_or_default()
        }
        Err(e) => {
            let (status, code, message) = e.answer();
            error_response(shared, false, status, code, &message, path)
        }
    }
}

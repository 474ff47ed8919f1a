//! COS objects and Cloud Infinite (CI) OCR: bucket lookup, signature check, rate
//! limit, then the operation.

pub(crate) mod call;
pub(crate) mod ci;
pub(crate) mod ci_ocr;
pub(crate) mod objects;
pub(crate) mod xml;

use axum::body::Body;
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::response::Response;

use crate::auth::{verify_cos, CosInput};
use crate::http_util::{borrow_pairs, drain, header_pairs, parse_query};
use crate::shared::Shared;
use call::BucketCall;
pub(crate) use call::BucketTarget;

/// The CI jobs and templates (objects are in the shared [`Buckets`](crate::buckets::Buckets)).
#[derive(Default)]
pub(crate) struct CosState {
    pub(crate) ci: ci::CiState,
}

/// The emulator's name of a COS operation.
pub(crate) fn cos_action(method: &Method, key: &str, query: &[(String, String)]) -> &'static str {
    let ci_process = query.iter().any(|(k, _)| k == "ci-process");
    match *method {
        Method::GET if ci_process => "CiProcessOCR",
        Method::GET if key.is_empty() => "GetBucket",
        Method::GET => "GetObject",
        Method::HEAD => "HeadObject",
        Method::PUT => "PutObject",
        Method::DELETE => "DeleteObject",
        _ => "Unsupported",
    }
}

/// The emulator's name of a CI operation.
pub(crate) fn ci_action(method: &Method, path: &str, _query: &[(String, String)]) -> &'static str {
    let path = path.trim_end_matches('/');
    let (resource, id) = match path.trim_start_matches('/').split_once('/') {
        Some((r, id)) => (r, Some(id)),
        None => (path.trim_start_matches('/'), None),
    };
    match (resource, id, method.clone()) {
        ("jobs", None, Method::POST) => "SubmitJob",
        ("jobs", None, Method::GET) => "ListJobs",
        ("jobs", Some(_), Method::GET) => "DescribeJobs",
        ("jobs", Some(_), Method::PUT) => "CancelJob",
        ("template", None, Method::POST) => "CreateTemplate",
        ("template", None, Method::GET) => "DescribeTemplates",
        ("template", Some(_), Method::PUT) => "UpdateTemplate",
        ("template", Some(_), Method::DELETE) => "DeleteTemplate",
        _ => "Unsupported",
    }
}

/// Handles a COS or CI request.
pub(crate) async fn handle(
    shared: &Shared,
    state: &CosState,
    action: Option<&str>,
    target: &BucketTarget,
    parts: Parts,
    body: Body,
) -> Response {
    let query = parse_query(parts.uri.query().unwrap_or_default());
    let action = action.unwrap_or("Unsupported");
    let call = BucketCall {
        shared,
        target,
        action,
        parts,
        query,
    };
    // Refusals before the body is read discard the body first (see `drain`).
    if !shared.buckets.bucket_exists(&target.bucket) {
        drain(body).await;
        return call.error(
            StatusCode::NOT_FOUND,
            "NoSuchBucket",
            "The specified bucket does not exist.",
        );
    }
    let headers = header_pairs(&call.parts.headers);
    let header_refs = borrow_pairs(&headers);
    let query_refs = borrow_pairs(&call.query);
    let input = CosInput {
        method: call.parts.method.as_str(),
        path: &target.sign_path,
        query: &query_refs,
        headers: &header_refs,
        ci_host: target.ci,
    };
    if let Err(e) = verify_cos(&input, &shared.config.credentials, shared.clock.now_unix()) {
        drain(body).await;
        let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::FORBIDDEN);
        return call.error(status, e.code, &e.message);
    }
    if !shared.within_rate_limit(action) {
        drain(body).await;
        return call.error(
            StatusCode::SERVICE_UNAVAILABLE,
            "SlowDown",
            "Please reduce your request rate.",
        );
    }
    if target.ci {
        ci::handle(&call, &state.ci, body).await
    } else {
        objects::handle(&call, body).await
    }
}

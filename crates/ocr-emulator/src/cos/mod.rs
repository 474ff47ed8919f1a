//! COS objects and Cloud Infinite (CI) OCR: bucket lookup, signature check, rate
//! limit, then the operation.

pub(crate) mod ci;
pub(crate) mod ci_ocr;
pub(crate) mod objects;
pub(crate) mod xml;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::response::Response;
use bytes::Bytes;

use crate::app::App;
use crate::auth::{verify_cos, CosInput};
use crate::config::EmulatorConfig;
use crate::fault::lock;
use crate::http_util::{borrow_pairs, drain, header_pairs, parse_query};
use crate::route::{BucketTarget, Route};

/// A stored object.
#[derive(Clone)]
pub(crate) struct Object {
    pub(crate) data: Bytes,
    pub(crate) content_type: String,
    pub(crate) etag: String,
    pub(crate) crc64: u64,
    pub(crate) last_modified: u64,
    pub(crate) meta: Vec<(String, String)>,
}

impl Object {
    pub(crate) fn new(
        data: Bytes,
        content_type: String,
        meta: Vec<(String, String)>,
        now: u64,
    ) -> Self {
        use md5::Digest as _;
        let etag = format!("\"{}\"", hex::encode(md5::Md5::digest(&data)));
        let crc64 = crate::artifacts::checksum::crc64_ecma(&data);
        Self {
            data,
            content_type,
            etag,
            crc64,
            last_modified: now,
            meta,
        }
    }
}

/// Buckets, objects, CI jobs and templates.
pub(crate) struct CosState {
    buckets: Mutex<HashMap<String, HashMap<String, Object>>>,
    pub(crate) ci: ci::CiState,
}

impl CosState {
    pub(crate) fn new(config: &EmulatorConfig) -> Self {
        let mut buckets = HashMap::new();
        buckets.insert(config.default_bucket.clone(), HashMap::new());
        for b in &config.extra_buckets {
            buckets.insert(b.clone(), HashMap::new());
        }
        Self {
            buckets: Mutex::new(buckets),
            ci: ci::CiState::default(),
        }
    }

    pub(crate) fn bucket_exists(&self, bucket: &str) -> bool {
        lock(&self.buckets).contains_key(bucket)
    }

    pub(crate) fn object(&self, bucket: &str, key: &str) -> Option<Object> {
        lock(&self.buckets).get(bucket)?.get(key).cloned()
    }

    pub(crate) fn put(&self, bucket: &str, key: &str, object: Object) -> bool {
        match lock(&self.buckets).get_mut(bucket) {
            Some(objects) => {
                objects.insert(key.to_owned(), object);
                true
            }
            None => false,
        }
    }

    pub(crate) fn delete(&self, bucket: &str, key: &str) {
        if let Some(objects) = lock(&self.buckets).get_mut(bucket) {
            objects.remove(key);
        }
    }

    /// Test setup: stores an object without a request (creating the bucket if needed).
    pub(crate) fn put_direct(&self, bucket: &str, key: &str, data: Vec<u8>, now: u64) {
        let object = Object::new(
            Bytes::from(data),
            "application/octet-stream".to_owned(),
            Vec::new(),
            now,
        );
        lock(&self.buckets)
            .entry(bucket.to_owned())
            .or_default()
            .insert(key.to_owned(), object);
    }
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

/// What a COS / CI handler needs about the request.
pub(crate) struct BucketCall<'a> {
    pub(crate) app: &'a Arc<App>,
    pub(crate) target: &'a BucketTarget,
    pub(crate) action: &'a str,
    pub(crate) parts: Parts,
    pub(crate) query: Vec<(String, String)>,
}

impl BucketCall<'_> {
    /// An error answer for this request.
    pub(crate) fn error(&self, status: StatusCode, code: &str, message: &str) -> Response {
        xml::error_for(
            self.app,
            &self.parts.method,
            self.target.ci,
            status,
            code,
            message,
            &self.resource(),
        )
    }

    /// The `Resource` of COS errors: `<bucket>.cos.<region>.myqcloud.com/<key>`.
    pub(crate) fn resource(&self) -> String {
        format!(
            "{}.{}.{}.myqcloud.com/{}",
            self.target.bucket,
            if self.target.ci { "ci" } else { "cos" },
            self.app.config.region,
            self.target.key.trim_start_matches('/')
        )
    }
}

/// Handles a COS or CI request.
pub(crate) async fn handle(
    app: &Arc<App>,
    route: &Route,
    target: &BucketTarget,
    parts: Parts,
    body: Body,
) -> Response {
    let query = parse_query(parts.uri.query().unwrap_or_default());
    let action = route.action.as_deref().unwrap_or("Unsupported");
    let call = BucketCall {
        app,
        target,
        action,
        parts,
        query,
    };
    // Refusals before the body is read discard the body first (see `drain`).
    if !app.cos.bucket_exists(&target.bucket) {
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
    if let Err(e) = verify_cos(&input, &app.config.credentials, app.clock.now_unix()) {
        drain(body).await;
        let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::FORBIDDEN);
        return call.error(status, e.code, &e.message);
    }
    if !app.within_rate_limit(action) {
        drain(body).await;
        return call.error(
            StatusCode::SERVICE_UNAVAILABLE,
            "SlowDown",
            "Please reduce your request rate.",
        );
    }
    if target.ci {
        ci::handle(&call, body).await
    } else {
        objects::handle(&call, body).await
    }
}

//! COS object operations: PUT, GET (with `Range` and `response-*` overrides), HEAD,
//! DELETE, and routing of `GET /<key>?ci-process=OCR` to synchronous OCR.

use axum::body::{to_bytes, Body};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::Response;
use base64::Engine as _;

use super::call::BucketCall;
use crate::buckets::Object;
use crate::clock::http_date;
use crate::http_util::{header_str, query_value};
use crate::shared::BodySize;

/// Longest object key, in bytes.
const MAX_KEY: usize = 850;

pub(crate) async fn handle(call: &BucketCall<'_>, body: Body) -> Response {
    match call.action {
        "PutObject" => put(call, body).await,
        "GetObject" | "HeadObject" => get(call),
        "DeleteObject" => {
            call.shared
                .buckets
                .delete(&call.target.bucket, &call.target.key);
            with_request_id(call, StatusCode::NO_CONTENT, Body::empty())
        }
        "CiProcessOCR" => super::ci_ocr::sync_ocr(call),
        "GetBucket" => call.error(
            StatusCode::NOT_IMPLEMENTED,
            "NotImplemented",
            "Listing objects is not emulated.",
        ),
        _ => call.error(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "The specified method is not allowed against this resource.",
        ),
    }
}

fn with_request_id(call: &BucketCall<'_>, status: StatusCode, body: Body) -> Response {
    Response::builder()
        .status(status)
        .header("x-cos-request-id", call.shared.ids.cos_request_id())
        .header(header::SERVER, "tencent-cos")
        .body(body)
        .unwrap_or_default()
}

async fn put(call: &BucketCall<'_>, body: Body) -> Response {
    let key = &call.target.key;
    if key.is_empty() {
        return call.error(
            StatusCode::BAD_REQUEST,
            "InvalidObjectName",
            "The object key is empty.",
        );
    }
    if key.len() > MAX_KEY {
        return call.error(
            StatusCode::BAD_REQUEST,
            "KeyTooLong",
            "Your key is too long.",
        );
    }
    let max = usize::try_from(call.shared.config.max_object_size).unwrap_or(usize::MAX);
    let data = match to_bytes(body, max).await {
        Ok(d) => d,
        Err(_) => {
            return call.error(
                StatusCode::BAD_REQUEST,
                "EntityTooLarge",
                &format!(
                    "Your proposed upload exceeds the maximum allowed object size ({max} bytes)."
                ),
            )
        }
    };
    let size = data.len() as u64;
    let mut response = put_checked(call, data);
    response.extensions_mut().insert(BodySize(size));
    response
}

fn put_checked(call: &BucketCall<'_>, data: bytes::Bytes) -> Response {
    let headers = &call.parts.headers;
    if let Some(md5) = header_str(headers, "content-md5") {
        let Some(expected) = base64::engine::general_purpose::STANDARD
            .decode(md5.trim())
            .ok()
            .filter(|b| b.len() == 16)
        else {
            return call.error(
                StatusCode::BAD_REQUEST,
                "InvalidDigest",
                "The Content-MD5 you specified is not valid.",
            );
        };
        use md5::Digest as _;
        if md5::Md5::digest(&data).as_slice() != expected.as_slice() {
            return call.error(
                StatusCode::BAD_REQUEST,
                "BadDigest",
                "The Content-MD5 you specified did not match what we received.",
            );
        }
    }
    let content_type = header_str(headers, "content-type")
        .unwrap_or("application/octet-stream")
        .to_owned();
    let meta: Vec<(String, String)> = headers
        .iter()
        .filter(|(n, _)| n.as_str().starts_with("x-cos-meta-"))
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let object = Object::new(data, content_type, meta, call.shared.clock.now_unix());
    let etag = object.etag.clone();
    let crc = object.crc64;
    call.shared
        .buckets
        .put(&call.target.bucket, &call.target.key, object);
    Response::builder()
        .status(StatusCode::OK)
        .header(header::ETAG, etag)
        .header("x-cos-hash-crc64ecma", crc.to_string())
        .header("x-cos-request-id", call.shared.ids.cos_request_id())
        .header(header::SERVER, "tencent-cos")
        .header(header::CONTENT_LENGTH, 0)
        .body(Body::empty())
        .unwrap_or_default()
}

/// `(start, end_inclusive)` of a single `bytes=` range, or Err for an unsatisfiable one.
fn parse_range(value: &str, len: u64) -> Option<Result<(u64, u64), ()>> {
    let spec = value.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let range = match (a.trim(), b.trim()) {
        ("", suffix) => {
            let n: u64 = suffix.parse().ok()?;
            if n == 0 || len == 0 {
                return Some(Err(()));
            }
            (len.saturating_sub(n), len - 1)
        }
        (start, "") => {
            let s: u64 = start.parse().ok()?;
            if s >= len {
                return Some(Err(()));
            }
            (s, len - 1)
        }
        (start, end) => {
            let s: u64 = start.parse().ok()?;
            let e: u64 = end.parse().ok()?;
            if s > e || s >= len {
                return Some(Err(()));
            }
            (s, e.min(len - 1))
        }
    };
    Some(Ok(range))
}

fn get(call: &BucketCall<'_>) -> Response {
    let Some(object) = call
        .shared
        .buckets
        .object(&call.target.bucket, &call.target.key)
    else {
        return call.error(
            StatusCode::NOT_FOUND,
            "NoSuchKey",
            "The specified key does not exist.",
        );
    };
    let head = call.parts.method == Method::HEAD;
    let len = object.data.len() as u64;
    let mut status = StatusCode::OK;
    let mut body = object.data.clone();
    let mut content_range = None;
    if let Some(range) = header_str(&call.parts.headers, "range") {
        match parse_range(range, len) {
            Some(Ok((s, e))) => {
                status = StatusCode::PARTIAL_CONTENT;
                let (s_us, e_us) = (
                    usize::try_from(s).unwrap_or(0),
                    usize::try_from(e).unwrap_or(0),
                );
                body = object.data.slice(s_us..=e_us);
                content_range = Some(format!("bytes {s}-{e}/{len}"));
            }
            Some(Err(())) => {
                return call.error(
                    StatusCode::RANGE_NOT_SATISFIABLE,
                    "InvalidRange",
                    "The requested range is not satisfiable.",
                )
            }
            None => {}
        }
    }
    let content_type = query_value(&call.query, "response-content-type")
        .map(str::to_owned)
        .unwrap_or(object.content_type.clone());
    let mut builder = Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CONTENT_LENGTH, body.len())
        .header(header::ETAG, &object.etag)
        .header(header::LAST_MODIFIED, http_date(object.last_modified))
        .header("x-cos-hash-crc64ecma", object.crc64.to_string())
        .header("x-cos-storage-class", "STANDARD")
        .header("x-cos-request-id", call.shared.ids.cos_request_id())
        .header(header::SERVER, "tencent-cos")
        .header(header::ACCEPT_RANGES, "bytes");
    if let Some(range) = content_range {
        builder = builder.header(header::CONTENT_RANGE, range);
    }
    for (name, header_name) in [
        ("response-cache-control", header::CACHE_CONTROL),
        ("response-content-disposition", header::CONTENT_DISPOSITION),
        ("response-content-encoding", header::CONTENT_ENCODING),
        ("response-content-language", header::CONTENT_LANGUAGE),
        ("response-expires", header::EXPIRES),
    ] {
        if let Some(value) = query_value(&call.query, name) {
            if let Ok(v) = HeaderValue::from_str(value) {
                builder = builder.header(header_name, v);
            }
        }
    }
    for (name, value) in &object.meta {
        if let Ok(v) = HeaderValue::from_str(value) {
            builder = builder.header(name.as_str(), v);
        }
    }
    let body = if head {
        Body::empty()
    } else {
        Body::from(body)
    };
    builder.body(body).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::parse_range;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-3", 10), Some(Ok((0, 3))));
        assert_eq!(parse_range("bytes=5-", 10), Some(Ok((5, 9))));
        assert_eq!(parse_range("bytes=-4", 10), Some(Ok((6, 9))));
        assert_eq!(parse_range("bytes=0-99", 10), Some(Ok((0, 9))));
        assert_eq!(parse_range("bytes=10-", 10), Some(Err(())));
        assert_eq!(parse_range("items=1-2", 10), None);
    }
}

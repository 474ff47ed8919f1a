//! A recording reverse proxy: clients talk to it as if it were the service, it forwards each
//! request unchanged (the `Host` header included, so signatures still verify) and keeps a
//! scrubbed copy of both sides for the fixtures.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Router;
use base64::Engine as _;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// The placeholder every loopback address in a fixture is replaced with.
pub const PLACEHOLDER_HOST: &str = "emulator.invalid";

/// What replaces secret header values.
pub const REDACTED: &str = "<redacted>";

/// Headers whose values are secrets.
const SECRET_HEADERS: [&str; 5] = [
    "authorization",
    "x-tc-token",
    "x-api-key",
    "x-cos-security-token",
    "x-ci-security-token",
];

/// Request headers worth keeping in a fixture (the rest is transport noise).
fn keep_request_header(name: &str) -> bool {
    name.starts_with("x-")
        || matches!(
            name,
            "authorization" | "content-type" | "content-md5" | "content-length" | "host" | "range"
        )
}

/// Response headers worth keeping in a fixture.
fn keep_response_header(name: &str) -> bool {
    matches!(
        name,
        "content-type"
            | "x-tc-requestid"
            | "x-cos-request-id"
            | "x-ci-request-id"
            | "etag"
            | "x-cos-hash-crc64ecma"
    )
}

/// Bodies larger than this are recorded by size and SHA-256 only.
const MAX_RECORDED_BODY: usize = 48 * 1024;

/// Recorded exchanges, in order.
#[derive(Clone, Default)]
pub struct Recording {
    exchanges: Arc<Mutex<Vec<Value>>>,
}

impl Recording {
    /// The exchanges so far.
    pub fn take(&self) -> Vec<Value> {
        match self.exchanges.lock() {
            Ok(mut guard) => std::mem::take(&mut *guard),
            Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
        }
    }

    fn push(&self, exchange: Value) {
        match self.exchanges.lock() {
            Ok(mut guard) => guard.push(exchange),
            Err(poisoned) => poisoned.into_inner().push(exchange),
        }
    }
}

#[derive(Clone)]
struct ProxyState {
    target: String,
    http: reqwest::Client,
    recording: Recording,
    /// Loopback authorities (`127.0.0.1:port`) to replace with the placeholder.
    authorities: Arc<Mutex<Vec<String>>>,
}

/// A running proxy.
pub struct Proxy {
    /// Its base URL (`http://127.0.0.1:<port>/`).
    pub base_url: String,
    /// What it recorded.
    pub recording: Recording,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts a proxy on a random loopback port in front of `target` (a base URL with a trailing
/// `/`); `target` authority and the proxy's own are replaced by [`PLACEHOLDER_HOST`] in records.
pub async fn start(target: &str) -> Result<Proxy, String> {
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let target_authority = target
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let recording = Recording::default();
    let state = ProxyState {
        target: target.trim_end_matches('/').to_owned(),
        http: reqwest::Client::builder()
            .no_proxy()
            .build()
            .map_err(|e| e.to_string())?,
        recording: recording.clone(),
        authorities: Arc::new(Mutex::new(vec![addr.to_string(), target_authority])),
    };
    let app = Router::new().fallback(forward).with_state(state);
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(Proxy {
        base_url: format!("http://{addr}/"),
        recording,
        task,
    })
}

async fn forward(State(state): State<ProxyState>, request: Request) -> Response {
    match forward_inner(&state, request).await {
        Ok(response) => response,
        Err(message) => Response::builder()
            .status(StatusCode::BAD_GATEWAY)
            .body(Body::from(message))
            .unwrap_or_default(),
    }
}

async fn forward_inner(state: &ProxyState, request: Request) -> Result<Response, String> {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 512 * 1024 * 1024)
        .await
        .map_err(|e| e.to_string())?;
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "/".to_owned());
    let method =
        reqwest::Method::from_bytes(parts.method.as_str().as_bytes()).map_err(|e| e.to_string())?;
    let mut upstream = state
        .http
        .request(method, format!("{}{}", state.target, path));
    for (name, value) in &parts.headers {
        if matches!(
            name.as_str(),
            "content-length" | "transfer-encoding" | "connection"
        ) {
            continue;
        }
        upstream = upstream.header(name.as_str(), value.as_bytes());
    }
    let answer = upstream
        .body(body.clone())
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = answer.status().as_u16();
    let headers = answer.headers().clone();
    let answer_body = answer.bytes().await.map_err(|e| e.to_string())?;

    let authorities = match state.authorities.lock() {
        Ok(a) => a.clone(),
        Err(p) => p.into_inner().clone(),
    };
    let request_record = json!({
        "method": parts.method.as_str(),
        "path": normalise(&path, &authorities),
        "headers": header_record(&parts.headers, true, &authorities),
        "body": body_record(content_type(&parts.headers), &body, &authorities),
    });
    let response_record = json!({
        "status": status,
        "headers": header_record(&to_axum_headers(&headers), false, &authorities),
        "body": body_record(content_type(&to_axum_headers(&headers)), &answer_body, &authorities),
    });
    state
        .recording
        .push(json!({ "request": request_record, "response": response_record }));

    let mut response = Response::builder().status(status);
    for (name, value) in &headers {
        if matches!(
            name.as_str(),
            "content-length" | "transfer-encoding" | "connection"
        ) {
            continue;
        }
        response = response.header(name.as_str(), value.as_bytes());
    }
    response
        .body(Body::from(answer_body))
        .map_err(|e| e.to_string())
}

fn to_axum_headers(headers: &reqwest::header::HeaderMap) -> HeaderMap {
    let mut out = HeaderMap::new();
    for (name, value) in headers {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_str().as_bytes()),
            HeaderValue::from_bytes(value.as_bytes()),
        ) {
            out.append(n, v);
        }
    }
    out
}

fn content_type(headers: &HeaderMap) -> String {
    headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Replaces loopback authorities with the placeholder and redacts URL signatures.
fn normalise(text: &str, authorities: &[String]) -> String {
    let mut out = text.to_owned();
    for a in authorities {
        out = out.replace(a.as_str(), PLACEHOLDER_HOST);
    }
    redact_url_signatures(&out)
}

/// Query parameters of signed URLs whose values are secrets.
const SIGNATURE_PARAMS: [&str; 4] = ["sign=", "q-signature=", "q-ak=", "x-cos-security-token="];

/// Replaces the value of every signature parameter in URLs inside `text` with [`REDACTED`].
pub fn redact_url_signatures(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    'scan: while !rest.is_empty() {
        for param in SIGNATURE_PARAMS {
            // A parameter starts after `?` or `&`.
            if let Some(after) = rest
                .strip_prefix('?')
                .or_else(|| rest.strip_prefix('&'))
                .and_then(|r| r.strip_prefix(param))
            {
                out.push_str(&rest[..1 + param.len()]);
                out.push_str(REDACTED);
                let end = after
                    .find(|c: char| c == '&' || c == '"' || c == '\'' || c.is_whitespace())
                    .unwrap_or(after.len());
                rest = &after[end..];
                continue 'scan;
            }
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            out.push(c);
        }
        rest = chars.as_str();
    }
    out
}

fn header_record(headers: &HeaderMap, request: bool, authorities: &[String]) -> Value {
    let mut pairs: Vec<(String, String)> = headers
        .iter()
        .filter(|(name, _)| {
            if request {
                keep_request_header(name.as_str())
            } else {
                keep_response_header(name.as_str())
            }
        })
        .map(|(name, value)| {
            let value = if SECRET_HEADERS.contains(&name.as_str()) {
                REDACTED.to_owned()
            } else {
                normalise(&String::from_utf8_lossy(value.as_bytes()), authorities)
            };
            (name.as_str().to_owned(), value)
        })
        .collect();
    pairs.sort();
    let boundary = pairs
        .iter()
        .find(|(n, _)| n == "content-type")
        .and_then(|(_, v)| v.split("boundary=").nth(1))
        .map(str::to_owned);
    Value::Array(
        pairs
            .into_iter()
            .map(|(n, v)| {
                let v = match &boundary {
                    Some(b) => v.replace(b.as_str(), "BOUNDARY"),
                    None => v,
                };
                json!([n, v])
            })
            .collect(),
    )
}

/// A body as JSON when it is JSON, text when it is UTF-8, base64 when small, else its digest.
fn body_record(content_type: String, body: &[u8], authorities: &[String]) -> Value {
    if body.is_empty() {
        return Value::Null;
    }
    let mut bytes = body.to_vec();
    if let Some(boundary) = content_type.split("boundary=").nth(1) {
        bytes = replace_bytes(&bytes, boundary.as_bytes(), b"BOUNDARY");
    }
    if bytes.len() > MAX_RECORDED_BODY {
        return json!({
            "size": body.len(),
            "sha256": hex::encode(Sha256::digest(body)),
        });
    }
    if let Ok(text) = std::str::from_utf8(&bytes) {
        let text = normalise(text, authorities);
        if let Ok(value) = serde_json::from_str::<Value>(&text) {
            return json!({ "json": value });
        }
        return json!({ "text": text });
    }
    json!({ "base64": base64::engine::general_purpose::STANDARD.encode(&bytes) })
}

fn replace_bytes(hay: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    if from.is_empty() {
        return hay.to_vec();
    }
    let mut out = Vec::with_capacity(hay.len());
    let mut i = 0;
    while i < hay.len() {
        if hay[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(hay[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_signatures_are_redacted() {
        assert_eq!(
            redact_url_signatures(r#"{"u":"http://h/f.zip?expires=1&sign=abc123","v":"x&sign=y"}"#),
            r#"{"u":"http://h/f.zip?expires=1&sign=<redacted>","v":"x&sign=<redacted>"}"#
        );
        assert_eq!(
            redact_url_signatures("a?q-ak=AKID1&q-sign-time=1;2&q-signature=ff end"),
            "a?q-ak=<redacted>&q-sign-time=1;2&q-signature=<redacted> end"
        );
        assert_eq!(redact_url_signatures("no query here"), "no query here");
    }
}

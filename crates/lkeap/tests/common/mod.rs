//! Helpers shared by the integration tests: a client pointed at wiremock with a fixed clock,
//! envelope bodies, the exact-request check and zip builders.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use lkeap::prelude::*;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use lkeap::{Lkeap, LkeapBuilder, Site};
use ocr_core::clock::FixedClock;
use ocr_core::retry::FixedJitter;
use ocr_core::{PollPolicy, RetryPolicy};
use serde_json::{json, Value};
use tc_api::Endpoint;
use tc_signing::{sign_tc3, Credential, PayloadHash, Tc3Request};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockBuilder, MockServer, Request, ResponseTemplate};

/// A fixed time inside the validity window of the seed's example URL (…;1718804311).
pub const NOW: u64 = 1_718_800_000;
pub const SECRET_ID: &str = "AKIDEXAMPLE";
pub const SECRET_KEY: &str = "lkeap-test-secret-key";

pub const SEED_SUCCESS_REQUEST: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/lkeap/seed/get_reconstruct_document_result.success.request.json"
));
pub const SEED_SUCCESS_RESPONSE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/lkeap/seed/get_reconstruct_document_result.success.response.json"
));
pub const SEED_FAILED_REQUEST: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/lkeap/seed/get_reconstruct_document_result.failed.request.json"
));
pub const SEED_FAILED_RESPONSE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/lkeap/seed/get_reconstruct_document_result.failed.response.json"
));

/// A builder aimed at `server`, with a fixed credential and clock, no jitter and fast polling,
/// on the domestic site (region `ap-guangzhou`, its file rules and default config) unless a
/// test chooses another.
pub fn builder(server: &MockServer) -> LkeapBuilder {
    Lkeap::builder()
        .site(Site::Domestic)
        .endpoint(Endpoint::custom(&server.uri()).unwrap())
        .credential(Credential::new(SECRET_ID, SECRET_KEY))
        .clock(Arc::new(FixedClock::at_unix(NOW)))
        .retry(RetryPolicy::default().with_jitter(FixedJitter(0.0)))
        .poll_policy(PollPolicy::fixed(
            Duration::from_millis(5),
            Duration::from_secs(5),
        ))
}

pub fn client(server: &MockServer) -> Lkeap {
    builder(server).build().unwrap()
}

/// A POST of `action` to `/`.
pub fn action(name: &str) -> MockBuilder {
    Mock::given(method("POST"))
        .and(path("/"))
        .and(header("x-tc-action", name))
}

/// `{"Response": body}` with status 200.
pub fn envelope(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({ "Response": body }))
}

/// A raw JSON body with status 200.
pub fn raw_json(body: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.as_bytes().to_vec(), "application/json")
}

pub fn header_of<'a>(r: &'a Request, name: &str) -> Option<&'a str> {
    r.headers.get(name).map(|v| v.to_str().unwrap())
}

/// Asserts the common headers and the TC3 signature of an API 3.0 request.
pub fn assert_signed(r: &Request, server: &MockServer, action: &str, region: &str) {
    let host = server.address().to_string();
    assert_eq!(r.method.as_str(), "POST");
    assert_eq!(r.url.path(), "/");
    assert_eq!(r.url.query(), None);
    assert_eq!(header_of(r, "host"), Some(host.as_str()));
    assert_eq!(header_of(r, "content-type"), Some("application/json"));
    assert_eq!(header_of(r, "x-tc-action"), Some(action));
    assert_eq!(header_of(r, "x-tc-version"), Some("2024-05-22"));
    assert_eq!(
        header_of(r, "x-tc-timestamp"),
        Some(NOW.to_string().as_str())
    );
    assert_eq!(header_of(r, "x-tc-region"), Some(region));
    assert_eq!(header_of(r, "x-tc-token"), None);
    let expected = sign_tc3(
        &Tc3Request {
            method: "POST",
            host: &host,
            path: "/",
            query: "",
            content_type: "application/json",
            extra_signed_headers: &[],
            payload: PayloadHash::Bytes(&r.body),
        },
        &Credential::new(SECRET_ID, SECRET_KEY),
        "lkeap",
        NOW,
    );
    let auth = header_of(r, "authorization").unwrap();
    assert_eq!(auth, expected.authorization());
    assert!(auth.starts_with(
        "TC3-HMAC-SHA256 Credential=AKIDEXAMPLE/2024-06-19/lkeap/tc3_request, SignedHeaders=content-type;host, Signature="
    ));
}

/// The requests `server` received whose `X-TC-Action` is `action`.
pub async fn requests_for(server: &MockServer, action: &str) -> Vec<Request> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| header_of(r, "x-tc-action") == Some(action))
        .collect()
}

/// A signed-looking result URL on `server`, valid from NOW-60 until `until`.
pub fn result_url(server: &MockServer, file: &str, until: u64) -> String {
    format!(
        "{}/doc_parse/output_files/{file}?q-sign-algorithm=sha1&q-ak=AKIDEXAMPLE&q-sign-time={}%3B{until}&q-key-time={}%3B{until}&q-header-list=host&q-url-param-list=&q-signature=placeholder-signature",
        server.uri(),
        NOW - 60,
        NOW - 60,
    )
}

/// A zip of `(name, content)` entries, deflated.
pub fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        zip.start_file(*name, options).unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// A tiny valid PNG header of `w`×`h` pixels.
pub fn png(w: u32, h: u32) -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    v.extend_from_slice(&w.to_be_bytes());
    v.extend_from_slice(&h.to_be_bytes());
    v.extend_from_slice(&[8, 2, 0, 0, 0]);
    v
}

/// The archive a full-featured parse (ResultType "5") plausibly returns.
pub fn sample_archive() -> Vec<u8> {
    zip_of(&[
        ("report.md", b"# Report\n\nHello world.\n"),
        ("pages/page_1.md", b"# Report"),
        ("pages/page_2.md", b"Hello world."),
        ("json/page_1.json", br#"{"page":1,"blocks":[]}"#),
        ("json/page_2.json", br#"{"page":2,"blocks":[]}"#),
        ("images/fig1.png", &png(40, 30)),
    ])
}

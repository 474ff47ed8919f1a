//! Shared test helpers: a client on a wiremock server with a fixed clock, the fixtures, the
//! exact-request assertion, tiny images.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;
use tc_ocr::prelude::*;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use ocr_core::clock::FixedClock;
use ocr_core::retry::FixedJitter;
use ocr_core::{PollPolicy, RetryPolicy};
use serde_json::Value;
use tc_ocr::{Endpoint, TencentOcr, TencentOcrBuilder};
use tc_signing::{sign_tc3, Credential, PayloadHash, Tc3Request};
use wiremock::matchers::{any, header};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// 2023-11-14 22:13:20 UTC.
pub const NOW: u64 = 1_700_000_000;
pub const SECRET_ID: &str = "AKIDEXAMPLEtcocr0001";
pub const SECRET_KEY: &str = "tcocrEXAMPLEsecretKEY0001";

pub const SEED_EDM_REQUEST: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/tc-ocr/seed/ExtractDocMulti.request.as-published.txt"
));
pub const SEED_EDM_RESPONSE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/tc-ocr/seed/ExtractDocMulti.response.json"
));
pub const SEED_EDM_ERRORS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/tc-ocr/seed/ExtractDocMulti.errors.md"
));
pub const SEED_CARD_REQUEST: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/tc-ocr/seed/GetCardVerificationExternalResult.request.json"
));
pub const SEED_CARD_RESPONSE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/tc-ocr/seed/GetCardVerificationExternalResult.response.json"
));
pub const SEED_CARD_ERRORS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/tc-ocr/seed/GetCardVerificationExternalResult.errors.md"
));
pub const ACCURATE_RESPONSE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/tc-ocr/GeneralAccurateOCR.response.json"
));
pub const BASIC_RESPONSE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/tc-ocr/GeneralBasicOCR.response.json"
));
pub const APPLY_RESPONSE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/tc-ocr/ApplyCardVerificationExternal.response.json"
));

pub fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

/// The ExtractDocMulti request example as published is not JSON: `ItemNames` holds the bare
/// word `number`. This quotes that one token and nothing else.
pub fn seed_edm_request() -> Value {
    assert!(
        serde_json::from_str::<Value>(SEED_EDM_REQUEST).is_err(),
        "the published example is no longer broken; drop the repair"
    );
    let repaired = SEED_EDM_REQUEST.replace("[\nnumber\n]", "[\n\"number\"\n]");
    json(&repaired)
}

/// The seed's error table: `(code, description)` rows.
pub fn error_table(markdown: &str) -> Vec<(String, String)> {
    markdown
        .lines()
        .skip(2)
        .filter(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split(" | ").map(str::trim).collect();
            (cells[0].to_owned(), cells[1].to_owned())
        })
        .collect()
}

pub fn fast_retry() -> RetryPolicy {
    RetryPolicy::default()
        .with_jitter(FixedJitter(0.0))
        .with_max_attempts(3)
}

pub fn fast_poll() -> PollPolicy {
    PollPolicy::fixed(Duration::from_millis(10), Duration::from_secs(5))
}

pub fn credential() -> Credential {
    Credential::new(SECRET_ID, SECRET_KEY)
}

/// A builder pointed at `server` (both API clients) with a fixed clock and no backoff.
pub fn builder(server: &MockServer) -> TencentOcrBuilder {
    TencentOcr::builder()
        .endpoint(Endpoint::custom(&server.uri()).unwrap())
        .credential(credential())
        .clock(Arc::new(FixedClock::at_unix(NOW)))
        .retry(fast_retry())
        .poll_policy(fast_poll())
}

pub fn client(server: &MockServer) -> TencentOcr {
    builder(server).build().unwrap()
}

/// Answers `action` with `body` (a whole `{"Response": …}` envelope).
pub async fn answer(server: &MockServer, action: &str, body: Value, times: u64) {
    Mock::given(header("x-tc-action", action))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .expect(times)
        .mount(server)
        .await;
}

/// A server that must receive nothing: any request fails the test when the server drops.
pub async fn silent_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    server
}

pub async fn assert_nothing_sent(server: &MockServer) {
    assert!(server.received_requests().await.unwrap().is_empty());
    server.verify().await;
}

pub fn header_of<'a>(r: &'a Request, name: &str) -> Option<&'a str> {
    r.headers.get(name).map(|v| v.to_str().unwrap())
}

/// The exact request: method, path, no query, every common header, the TC3 signature for the
/// fixed clock and the body as JSON.
pub fn assert_signed_request(
    r: &Request,
    server: &MockServer,
    action: &str,
    region: Option<&str>,
    body: &Value,
) {
    assert_eq!(r.method.as_str(), "POST");
    assert_eq!(r.url.path(), "/");
    assert_eq!(r.url.query(), None);
    let host = server.address().to_string();
    assert_eq!(header_of(r, "host"), Some(host.as_str()));
    assert_eq!(header_of(r, "content-type"), Some("application/json"));
    assert_eq!(header_of(r, "x-tc-action"), Some(action));
    assert_eq!(header_of(r, "x-tc-version"), Some("2018-11-19"));
    assert_eq!(header_of(r, "x-tc-timestamp"), Some("1700000000"));
    assert_eq!(header_of(r, "x-tc-region"), region);
    assert_eq!(header_of(r, "x-tc-token"), None);
    assert!(header_of(r, "x-tc-requestclient")
        .unwrap()
        .starts_with("CLOUD_OCR_RUST_"));
    let sent: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(&sent, body);
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
        &credential(),
        "ocr",
        NOW,
    );
    let auth = header_of(r, "authorization").unwrap();
    assert_eq!(auth, expected.authorization());
    assert!(auth.starts_with(&format!(
        "TC3-HMAC-SHA256 Credential={SECRET_ID}/2023-11-14/ocr/tc3_request, \
         SignedHeaders=content-type;host, Signature="
    )));
}

/// Drops explicit `null`s and compares numbers as floats, so a typed round trip can be compared
/// with the published JSON (`0` vs `0.0`, absent vs `null`).
pub fn normalise(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, normalise(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(normalise).collect()),
        Value::Number(n) => serde_json::json!(n.as_f64().unwrap()),
        other => other,
    }
}

/// The header of a PNG of `w` × `h` pixels (enough to be recognised and measured).
pub fn png(w: u32, h: u32) -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    v.extend_from_slice(&w.to_be_bytes());
    v.extend_from_slice(&h.to_be_bytes());
    v.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    v
}

/// The start of a JPEG of `w` × `h` pixels (SOI, then a baseline start-of-frame).
pub fn jpeg(w: u16, h: u16) -> Vec<u8> {
    let mut v = vec![0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08];
    v.extend_from_slice(&h.to_be_bytes());
    v.extend_from_slice(&w.to_be_bytes());
    v.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xFF, 0xD9]);
    v
}

pub fn gif(w: u16, h: u16) -> Vec<u8> {
    let mut v = b"GIF89a".to_vec();
    v.extend_from_slice(&w.to_le_bytes());
    v.extend_from_slice(&h.to_le_bytes());
    v.extend_from_slice(&[0, 0, 0]);
    v
}

pub fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n".to_vec()
}

pub fn b64(data: &[u8]) -> String {
    STANDARD.encode(data)
}

/// A valid PDF of `n` pages (page `i` shows the line `Page i`), whose pages can be counted.
pub fn pdf_pages(n: usize) -> Vec<u8> {
    let lines: Vec<String> = (1..=n).map(|i| format!("Page {i}")).collect();
    let pages: Vec<[&str; 1]> = lines.iter().map(|l| [l.as_str()]).collect();
    let pages: Vec<&[&str]> = pages.iter().map(|p| &p[..]).collect();
    ocr_emulator::samples::pdf_with_text(&pages)
}

//! Shared helpers of the picwish integration tests: fixtures, a client for a mock server, a
//! multipart parser, and tiny documents of each format.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use picwish::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use ocr_core::clock::FixedClock;
use ocr_core::retry::FixedJitter;
use ocr_core::RetryPolicy;
use picwish::{PicWish, PicWishBuilder};
use wiremock::{MockServer, Request, Respond, ResponseTemplate};

/// A fixture file under `fixtures/picwish/`, embedded at compile time.
#[macro_export]
macro_rules! fixture {
    ($path:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/picwish/",
            $path
        ))
    };
}

/// A fake API key (never a real one).
pub const KEY: &str = "pw-test-key-5f1e9a7c03d24b68";
/// The task id of the response fixtures.
pub const TASK_ID: &str = "8c2f3a4e-6b1d-4f0a-9e57-2d8b7c1a9f30";
/// `completed_at` of `query-succeeded-txt.json`.
pub const COMPLETED_TXT: u64 = 1_718_000_007;
/// A moment shortly after the fixtures' tasks completed.
pub const NOW: u64 = 1_718_000_100;
/// The path of the create call.
pub const TASKS_PATH: &str = "/api/tasks/document/ocr";
/// The result host the fixtures name, replaced by a mock server's address.
pub const RESULT_HOST: &str = "https://result.example.com";

/// A builder for `server` with fast test settings: no real waiting between retries, a 10 ms
/// poll interval, a generous rate limit and a fixed clock at [`NOW`].
pub fn builder(server: &MockServer) -> PicWishBuilder {
    PicWish::builder()
        .api_key(KEY)
        .base_url(server.uri())
        .retry(RetryPolicy::default().with_jitter(FixedJitter(0.0)))
        .rate_limit_all(1000.0)
        .poll_interval(Duration::from_millis(10))
        .wait_deadline(Duration::from_secs(5))
        .clock(Arc::new(FixedClock::at_unix(NOW)))
}

/// A client for `server` with [`builder`]'s settings.
pub fn client(server: &MockServer) -> PicWish {
    builder(server).build().unwrap()
}

/// A JSON response, dated [`NOW`]: the service's clock agrees with the client's (the client
/// corrects its clock by the API's `Date` header when it judges result expiry).
pub fn json(status: u16, body: &str) -> ResponseTemplate {
    json_dated(status, body, NOW)
}

/// A JSON response whose `Date` header says `unix` (the service's clock).
pub fn json_dated(status: u16, body: &str, unix: u64) -> ResponseTemplate {
    let date = httpdate::fmt_http_date(std::time::UNIX_EPOCH + Duration::from_secs(unix));
    ResponseTemplate::new(status)
        .insert_header("date", date.as_str())
        .set_body_raw(body.as_bytes().to_vec(), "application/json")
}

/// `body` with the fixtures' result host replaced by `server`'s address.
pub fn on_server(body: &str, server: &MockServer) -> String {
    body.replace(RESULT_HOST, &server.uri())
}

/// `body` (a query fixture) with `data.state` set to `state`.
pub fn with_state(body: &str, state: i64) -> String {
    let mut v: serde_json::Value = serde_json::from_str(body).unwrap();
    v["data"]["state"] = state.into();
    v.to_string()
}

/// Answers with each response in turn, repeating the last one.
pub struct Sequence {
    responses: Vec<ResponseTemplate>,
    next: AtomicUsize,
}

impl Sequence {
    /// Responses in order.
    pub fn new(responses: Vec<ResponseTemplate>) -> Self {
        Sequence {
            responses,
            next: AtomicUsize::new(0),
        }
    }
}

impl Respond for Sequence {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let i = self.next.fetch_add(1, Ordering::SeqCst);
        self.responses[i.min(self.responses.len() - 1)].clone()
    }
}

/// One part of a multipart/form-data body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormPart {
    /// `name` of the Content-Disposition.
    pub name: String,
    /// `filename` of the Content-Disposition.
    pub file_name: Option<String>,
    /// The part's Content-Type.
    pub content_type: Option<String>,
    /// The content.
    pub data: Vec<u8>,
}

impl FormPart {
    /// A text field.
    pub fn text(name: &str, value: &str) -> Self {
        FormPart {
            name: name.into(),
            file_name: None,
            content_type: None,
            data: value.as_bytes().to_vec(),
        }
    }

    /// A file field.
    pub fn file(name: &str, file_name: &str, content_type: &str, data: &[u8]) -> Self {
        FormPart {
            name: name.into(),
            file_name: Some(file_name.into()),
            content_type: Some(content_type.into()),
            data: data.to_vec(),
        }
    }
}

/// Splits a multipart/form-data request into its parts, strictly (RFC 7578 framing).
pub fn parse_multipart(req: &Request) -> Vec<FormPart> {
    let content_type = req
        .headers
        .get("content-type")
        .expect("content-type")
        .to_str()
        .unwrap();
    let boundary = content_type
        .strip_prefix("multipart/form-data; boundary=")
        .unwrap_or_else(|| panic!("not multipart/form-data: {content_type}"));
    let delimiter = format!("--{boundary}").into_bytes();
    let body = &req.body;
    assert!(
        body.starts_with(&delimiter),
        "body must start with the boundary"
    );
    let closing = format!("\r\n--{boundary}--\r\n").into_bytes();
    assert!(
        body.ends_with(&closing),
        "body must end with the closing boundary"
    );
    let inner = &body[delimiter.len()..body.len() - closing.len()];
    let separator = format!("\r\n--{boundary}\r\n").into_bytes();
    let mut parts = Vec::new();
    let mut rest = inner
        .strip_prefix(b"\r\n")
        .expect("CRLF after the boundary");
    loop {
        let (chunk, next) = match find(rest, &separator) {
            Some(i) => (&rest[..i], Some(&rest[i + separator.len()..])),
            None => (rest, None),
        };
        parts.push(parse_part(chunk));
        match next {
            Some(n) => rest = n,
            None => break,
        }
    }
    parts
}

fn parse_part(chunk: &[u8]) -> FormPart {
    let split = find(chunk, b"\r\n\r\n").expect("part headers end");
    let headers = std::str::from_utf8(&chunk[..split]).unwrap();
    let data = chunk[split + 4..].to_vec();
    let mut name = None;
    let mut file_name = None;
    let mut content_type = None;
    for line in headers.split("\r\n") {
        let (key, value) = line.split_once(": ").expect("header line");
        match key.to_ascii_lowercase().as_str() {
            "content-disposition" => {
                let mut attrs = value.split("; ");
                assert_eq!(attrs.next(), Some("form-data"));
                for attr in attrs {
                    let (k, v) = attr.split_once('=').unwrap();
                    let v = v.trim_matches('"').to_owned();
                    match k {
                        "name" => name = Some(v),
                        "filename" => file_name = Some(v),
                        other => panic!("unexpected attribute {other}"),
                    }
                }
            }
            "content-type" => content_type = Some(value.to_owned()),
            other => panic!("unexpected part header {other}"),
        }
    }
    FormPart {
        name: name.expect("part name"),
        file_name,
        content_type,
        data,
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A small PDF-looking document (the content sniffs as PDF).
pub fn pdf(len: usize) -> Vec<u8> {
    let mut v = b"%PDF-1.7\n".to_vec();
    v.extend((0..len.saturating_sub(v.len())).map(|i| (i % 251) as u8));
    v
}

/// A PNG header with the given size.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    v.extend_from_slice(&width.to_be_bytes());
    v.extend_from_slice(&height.to_be_bytes());
    v.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    v
}

/// A JPEG with a start-of-frame giving the size.
pub fn jpeg(width: u16, height: u16) -> Vec<u8> {
    let mut v = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
    v.extend_from_slice(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
    v.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08]);
    v.extend_from_slice(&height.to_be_bytes());
    v.extend_from_slice(&width.to_be_bytes());
    v.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xFF, 0xD9]);
    v
}

/// The rows of a Markdown table in a seed fixture, as cells (header and rule rows skipped).
pub fn table_rows(markdown: &str) -> Vec<Vec<String>> {
    markdown
        .lines()
        .filter(|l| l.starts_with('|'))
        .skip(2)
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_owned())
                .collect()
        })
        .collect()
}

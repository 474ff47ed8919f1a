//! Shared test setup: a wiremock server standing in for COS (under `/cos/<bucket>/`) and CI
//! (under `/ci/<bucket>/`), a client with a fixed clock, and an independent computation of the
//! expected `Authorization`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use cos_ci::prelude::*;
use std::sync::Arc;
use std::time::Duration;

use cos_ci::{CosCi, CosCiBuilder};
use ocr_core::clock::FixedClock;
use ocr_core::retry::FixedJitter;
use ocr_core::{PollPolicy, RetryPolicy};
use tc_signing::{sign_cos, CosRequest, Credential, KeyTime};
use wiremock::{MockServer, Request};

/// The fixed time of every test: 2023-11-14 22:13:20 UTC.
pub const NOW: u64 = 1_700_000_000;
pub const SECRET_ID: &str = "AKIDEXAMPLEcosci";
pub const SECRET_KEY: &str = "example-secret-key-cosci";
pub const TOKEN: &str = "example-session-token";
pub const BUCKET: &str = "test-1234567890";
pub const REGION: &str = "ap-chongqing";
pub const COS_PREFIX: &str = "/cos/test-1234567890";
pub const CI_PREFIX: &str = "/ci/test-1234567890";

/// Reads a fixture under `fixtures/cos-ci/`.
#[macro_export]
macro_rules! fixture {
    ($path:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/cos-ci/",
            $path
        ))
    };
}

pub fn credential() -> Credential {
    Credential::new(SECRET_ID, SECRET_KEY)
}

/// A builder pointed at `server` with a fixed clock, fast retries and polls.
pub fn builder(server: &MockServer) -> CosCiBuilder {
    CosCi::builder()
        .bucket(BUCKET)
        .region(REGION)
        .credential(credential())
        .cos_base_url(format!("{}{COS_PREFIX}/", server.uri()))
        .ci_base_url(format!("{}{CI_PREFIX}", server.uri()))
        .clock(Arc::new(FixedClock::at_unix(NOW)))
        .retry(
            RetryPolicy::default()
                .with_max_attempts(3)
                .with_jitter(FixedJitter(0.0)),
        )
        .poll_policy(PollPolicy::fixed(
            Duration::from_millis(1),
            Duration::from_secs(5),
        ))
}

pub fn client(server: &MockServer) -> CosCi {
    builder(server).build().unwrap()
}

pub fn host(server: &MockServer) -> String {
    server.address().to_string()
}

pub fn header<'a>(r: &'a Request, name: &str) -> Option<&'a str> {
    r.headers.get(name).map(|v| v.to_str().unwrap())
}

/// The decoded query pairs of a received request, in order.
pub fn query(r: &Request) -> Vec<(String, String)> {
    r.url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The `Authorization` the client must send for `method path?query` with `headers` (decoded,
/// exactly the signed ones) at the fixed clock: window `NOW-60 .. NOW+3600`.
pub fn expected_authorization(
    method: &str,
    path: &str,
    query: &[(&str, &str)],
    headers: &[(&str, &str)],
    cred: &Credential,
) -> String {
    sign_cos(
        &CosRequest {
            method,
            path,
            query,
            headers,
        },
        cred,
        KeyTime::new(NOW - 60, NOW + 3600),
    )
    .authorization()
}

/// Asserts the received request carries the expected signature for `signed` headers, and that
/// the signed list is exactly their names.
pub fn assert_signed(
    r: &Request,
    path: &str,
    query: &[(&str, &str)],
    signed: &[(&str, &str)],
    cred: &Credential,
) {
    let auth = header(r, "authorization").expect("an Authorization header");
    let expected = expected_authorization(r.method.as_str(), path, query, signed, cred);
    assert_eq!(auth, expected);
    let mut names: Vec<&str> = signed.iter().map(|(n, _)| *n).collect();
    names.sort_unstable();
    assert!(
        auth.contains(&format!("&q-header-list={}&", names.join(";"))),
        "{auth}"
    );
    assert!(auth.starts_with(&format!(
        "q-sign-algorithm=sha1&q-ak={}&q-sign-time={};{}&q-key-time={};{}&",
        cred.secret_id(),
        NOW - 60,
        NOW + 3600,
        NOW - 60,
        NOW + 3600
    )));
    // Every signed header is sent with exactly the signed value.
    for (name, value) in signed {
        assert_eq!(header(r, name), Some(*value), "{name}");
    }
}

/// A COS/CI error body.
pub fn error_body(code: &str, message: &str, request_id: &str) -> String {
    format!(
        "<?xml version='1.0' encoding='utf-8' ?>\n<Error><Code>{code}</Code><Message>{message}</Message><RequestId>{request_id}</RequestId><TraceId>dHJhY2U=</TraceId></Error>"
    )
}

/// The seed XML with its line breaks removed: the compact form the client sends.
pub fn compact(xml: &str) -> String {
    xml.lines().map(str::trim).collect::<Vec<_>>().concat()
}

//! Builder transport settings reach the wire: the caller's HTTP client, timeouts with the
//! billed / idempotent distinction per action, and the optional signed `X-TC-Action`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use std::time::Duration;
use tc_ocr::prelude::*;

use common::*;
use ocr_core::{ErrorKind, Timeouts};
use serde_json::json;
use tc_ocr::{ExtractDocMultiRequest, GetCardVerificationExternalResultRequest};
use tc_signing::{sign_tc3, PayloadHash, Tc3Request};
use wiremock::matchers::header;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn the_callers_http_client_is_used() {
    let server = MockServer::start().await;
    answer(&server, "ExtractDocMulti", json(SEED_EDM_RESPONSE), 1).await;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-test-client", "mine".parse().unwrap());
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap();
    let ocr = builder(&server).http_client(http).build().unwrap();
    ocr.extract_doc_multi(&ExtractDocMultiRequest::from_url(
        "https://example.com/a.png",
    ))
    .await
    .unwrap();
    let received = server.received_requests().await.unwrap();
    assert_eq!(header_of(&received[0], "x-test-client"), Some("mine"));
}

fn short_timeouts() -> Timeouts {
    Timeouts {
        connect: Duration::from_secs(1),
        attempt: Duration::from_millis(100),
        total: Duration::from_secs(5),
    }
}

#[tokio::test]
async fn a_billed_call_that_timed_out_is_not_resent() {
    let server = MockServer::start().await;
    Mock::given(header("x-tc-action", "ExtractDocMulti"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json(SEED_EDM_RESPONSE))
                .set_delay(Duration::from_millis(400)),
        )
        .expect(1)
        .mount(&server)
        .await;
    let ocr = builder(&server).timeouts(short_timeouts()).build().unwrap();
    let err = ocr
        .extract_doc_multi(&ExtractDocMultiRequest::from_url(
            "https://example.com/a.png",
        ))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OutcomeUnknown);
    assert_eq!(err.operation(), Some("ExtractDocMulti"));
}

#[tokio::test]
async fn a_result_poll_that_timed_out_is_retried() {
    let server = MockServer::start().await;
    Mock::given(header("x-tc-action", "GetCardVerificationExternalResult"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json(SEED_CARD_RESPONSE))
                .set_delay(Duration::from_millis(400)),
        )
        .expect(3)
        .mount(&server)
        .await;
    let ocr = builder(&server).timeouts(short_timeouts()).build().unwrap();
    let err = ocr
        .get_card_verification_external_result(&GetCardVerificationExternalResultRequest::new(
            "token",
        ))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
}

#[tokio::test]
async fn the_action_header_can_be_signed_too() {
    let server = MockServer::start().await;
    answer(&server, "ExtractDocMulti", json(SEED_EDM_RESPONSE), 1).await;
    let ocr = builder(&server).sign_action_header(true).build().unwrap();
    ocr.extract_doc_multi(&ExtractDocMultiRequest::from_url(
        "https://example.com/a.png",
    ))
    .await
    .unwrap();
    let received = server.received_requests().await.unwrap();
    let r = &received[0];
    let host = server.address().to_string();
    let expected = sign_tc3(
        &Tc3Request {
            method: "POST",
            host: &host,
            path: "/",
            query: "",
            content_type: "application/json",
            extra_signed_headers: &[("X-TC-Action", "ExtractDocMulti")],
            payload: PayloadHash::Bytes(&r.body),
        },
        &credential(),
        "ocr",
        NOW,
    );
    let auth = header_of(r, "authorization").unwrap();
    assert_eq!(auth, expected.authorization());
    assert!(
        auth.contains("SignedHeaders=content-type;host;x-tc-action,"),
        "{auth}"
    );
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&r.body).unwrap(),
        json!({"ImageUrl": "https://example.com/a.png"})
    );
}

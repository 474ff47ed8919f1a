//! Secrets (the secret key, session tokens, signed URL query strings) never appear in `Debug`,
//! `Display` or errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use lkeap::prelude::*;
use lkeap::{
    CreateReconstructDocumentFlowRequest, CreateSplitDocumentFlowRequest, FileType,
    GetReconstructDocumentResultResponse, Lkeap, ReconstructDocumentSseRequest,
};
use ocr_core::{Job, OcrProvider};
use serde_json::Value;
use tc_signing::Credential;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "session-token-that-must-stay-hidden";

fn assert_clean(shown: &str) {
    for secret in [
        SECRET_KEY,
        TOKEN,
        "placeholder-signature",
        "q-signature",
        "q-ak=",
    ] {
        assert!(!shown.contains(secret), "{secret:?} leaked in: {shown}");
    }
}

#[tokio::test]
async fn client_and_builder_debug_show_no_secret() {
    let server = MockServer::start().await;
    let cred = Credential::new(SECRET_ID, SECRET_KEY).with_session_token(TOKEN);
    let builder = builder(&server).credential(cred.clone());
    assert_clean(&format!("{builder:?}"));
    let client = builder.build().unwrap();
    assert_clean(&format!("{client:?}"));
    assert_clean(&format!("{:?}", client.api()));
    let plain = Lkeap::builder().credential(cred).build().unwrap();
    assert_clean(&format!("{plain:?}"));
}

#[tokio::test]
async fn session_tokens_are_sent_but_not_shown() {
    let server = MockServer::start().await;
    action("GetReconstructDocumentResult")
        .respond_with(envelope(
            serde_json::json!({"Status": "Processing", "RequestId": "r"}),
        ))
        .mount(&server)
        .await;
    let client = builder(&server)
        .credential(Credential::new(SECRET_ID, SECRET_KEY).with_session_token(TOKEN))
        .build()
        .unwrap();
    client.get_reconstruct_document_result("t").await.unwrap();
    let r = &server.received_requests().await.unwrap()[0];
    assert_eq!(header_of(r, "x-tc-token"), Some(TOKEN));
}

#[test]
fn requests_hide_signed_urls_and_inline_content() {
    let signed = "https://b.cos.example.com/a.pdf?q-sign-algorithm=sha1&q-ak=AKIDEXAMPLE&q-signature=placeholder-signature";
    assert_clean(&format!(
        "{:?}",
        CreateReconstructDocumentFlowRequest::from_url(FileType::Pdf, signed)
    ));
    assert_clean(&format!(
        "{:?}",
        CreateSplitDocumentFlowRequest::new(FileType::Pdf, signed)
    ));
    assert_clean(&format!(
        "{:?}",
        ReconstructDocumentSseRequest::from_url(FileType::Pdf, signed)
    ));
    let inline = format!(
        "{:?}",
        CreateReconstructDocumentFlowRequest::from_base64(FileType::Pdf, "SECRETCONTENT")
    );
    assert!(!inline.contains("SECRETCONTENT"), "{inline}");
}

#[test]
fn responses_hide_the_result_url_signature() {
    let body: Value = serde_json::from_str(SEED_SUCCESS_RESPONSE).unwrap();
    let r: GetReconstructDocumentResultResponse =
        serde_json::from_value(body["Response"].clone()).unwrap();
    let shown = format!("{r:?} {}", r.result_url().unwrap());
    assert!(
        !shown.contains("71b568b8632d7e45gertdc3d235ef68d41fdfe7f8"),
        "{shown}"
    );
    assert!(
        !shown.contains("AKIDlWFaadfHLNbidLwPqOrAKGzXrx40scL7l"),
        "{shown}"
    );
    assert!(
        shown.contains("a9c6a9482c72412fa84445a44ss125531.zip?<redacted>"),
        "{shown}"
    );
}

#[tokio::test]
async fn download_errors_show_no_signature() {
    let server = MockServer::start().await;
    let url = result_url(&server, "r.zip", NOW + 1800);
    action("GetReconstructDocumentResult")
        .respond_with(envelope(serde_json::json!({
            "Status": "Success", "DocumentRecognizeResultUrl": url, "RequestId": "r"
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let err = client(&server)
        .poll(&Job::new("lkeap", "t", NOW))
        .await
        .unwrap_err();
    assert_eq!(err.http_status(), Some(500));
    assert_clean(&format!("{err} {err:?} {}", ocr_core::error::report(&err)));
    // A transport failure carries reqwest's error, whose URL is stripped.
    let dead = lkeap::ResultUrl::new(
        "http://127.0.0.1:9/doc.zip?q-ak=AKIDEXAMPLE&q-signature=placeholder-signature",
    );
    let err = client(&server).download_zip(&dead).await.unwrap_err();
    assert_clean(&format!("{err} {err:?} {}", ocr_core::error::report(&err)));
}

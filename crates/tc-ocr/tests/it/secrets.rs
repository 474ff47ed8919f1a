//! Secrets never show: not in `Debug` of the builder, the client or requests, not in errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use std::sync::Arc;
use tc_ocr::prelude::*;

use common::*;
use ocr_core::clock::FixedClock;
use ocr_core::{OcrProvider, Request};
use serde_json::json;
use tc_ocr::{
    ApplyCardVerificationExternalRequest, Endpoint, ExtractDocMultiRequest,
    GeneralAccurateOcrRequest, GeneralBasicOcrRequest, TencentOcr,
};
use tc_signing::{Credential, StaticEnv};
use wiremock::matchers::header;
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "session-token-SECRET-value";
const SIGNED_URL: &str = "https://bucket-1250000000.cos.ap-guangzhou.myqcloud.com/a.png?\
q-sign-algorithm=sha1&q-ak=AKIDx&q-signature=SECRETSIGNATURE0123&x-cos-security-token=SECRETTOKEN";

fn assert_clean(text: &str) {
    for secret in [
        SECRET_KEY,
        TOKEN,
        "SECRETSIGNATURE0123",
        "SECRETTOKEN",
        "Signature=",
    ] {
        assert!(!text.contains(secret), "{secret:?} leaked into {text}");
    }
}

#[tokio::test]
async fn builder_and_client_debug_show_no_secret() {
    let server = MockServer::start().await;
    let cred = Credential::new(SECRET_ID, SECRET_KEY).with_session_token(TOKEN);
    let b = builder(&server).credential(cred);
    assert_clean(&format!("{b:?}"));
    let ocr = b.build().unwrap();
    let shown = format!("{ocr:?}");
    assert_clean(&shown);
    assert!(shown.contains("TencentOcr"), "{shown}");

    let env = StaticEnv::new()
        .var("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .var("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .var("TENCENTCLOUD_SESSION_TOKEN", TOKEN);
    let from_env = TencentOcr::builder()
        .endpoint(Endpoint::custom(&server.uri()).unwrap())
        .credentials_from(Arc::new(env))
        .clock(Arc::new(FixedClock::at_unix(NOW)))
        .build()
        .unwrap();
    assert_clean(&format!("{from_env:?}"));
}

#[tokio::test]
async fn temporary_credentials_send_the_token_but_errors_do_not_show_it() {
    let server = MockServer::start().await;
    let refusal = json!({"Response": {"Error": {"Code": "AuthFailure.TokenFailure",
        "Message": "token is invalid"}, "RequestId": "rid-token"}});
    Mock::given(header("x-tc-token", TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(refusal))
        .expect(1)
        .mount(&server)
        .await;
    let ocr = builder(&server)
        .credential(Credential::new(SECRET_ID, SECRET_KEY).with_session_token(TOKEN))
        .build()
        .unwrap();
    let err = ocr
        .extract_doc_multi(&ExtractDocMultiRequest::from_url(SIGNED_URL))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AuthFailure.TokenFailure"));
    assert_clean(&err.to_string());
    assert_clean(&format!("{err:?}"));
    assert_clean(&ocr_core::error::report(&err));
}

#[test]
fn request_debug_redacts_signed_urls_and_payloads() {
    let payload = "iVBORw0KGgoSECRETPAYLOAD";
    let edm = ExtractDocMultiRequest {
        image_base64: Some(payload.into()),
        ..ExtractDocMultiRequest::from_url(SIGNED_URL)
    };
    let accurate = GeneralAccurateOcrRequest {
        image_base64: Some(payload.into()),
        ..GeneralAccurateOcrRequest::from_url(SIGNED_URL)
    };
    let basic = GeneralBasicOcrRequest {
        image_base64: Some(payload.into()),
        ..GeneralBasicOcrRequest::from_url(SIGNED_URL)
    };
    let card = ApplyCardVerificationExternalRequest {
        image_url_front: Some(SIGNED_URL.into()),
        image_url_back: Some(SIGNED_URL.into()),
        image_base64_front: Some(payload.into()),
        webhook_url: Some("https://user:SECRETTOKEN@example.com/hook?key=SECRETTOKEN".into()),
        ..ApplyCardVerificationExternalRequest::new("PHL", "PASSPORT")
    };
    for shown in [
        format!("{edm:?}"),
        format!("{accurate:?}"),
        format!("{basic:?}"),
        format!("{card:?}"),
    ] {
        assert_clean(&shown);
        assert!(!shown.contains("SECRETPAYLOAD"), "{shown}");
        assert!(
            shown.contains(
                "https://bucket-1250000000.cos.ap-guangzhou.myqcloud.com/a.png?<redacted>"
            ),
            "{shown}"
        );
        assert!(shown.contains("<24 base64 characters>"), "{shown}");
    }
}

#[tokio::test]
async fn a_card_job_holds_no_signed_url() {
    let server = MockServer::start().await;
    answer(
        &server,
        "ApplyCardVerificationExternal",
        json(APPLY_RESPONSE),
        1,
    )
    .await;
    let ocr = builder(&server).card_nationality("PHL").build().unwrap();
    let request = Request::from_url(SIGNED_URL)
        .unwrap()
        .with_document_kind(ocr_core::DocumentKind::IdCard);
    let job = ocr.submit(&request).await.unwrap();
    assert_clean(&serde_json::to_string(&job).unwrap());
    assert_clean(&format!("{job:?}"));
}

//! `TcClient::call` against a loopback wiremock server.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;
use tc_api::prelude::*;

use ocr_core::clock::FixedClock;
use ocr_core::retry::FixedJitter;
use ocr_core::{ErrorKind, RetryPolicy};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tc_api::{Action, Endpoint, Language, Service, TcClient};
use tc_signing::{sign_tc3, Credential, PayloadHash, Tc3Request};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const OCR: Service = Service {
    name: "ocr",
    version: "2018-11-19",
    provider_id: "tc-ocr",
};
const NOW: u64 = 1_551_113_065; // 2019-02-25 16:44:25 UTC
const SECRET_ID: &str = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
const SECRET_KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Req {
    image_url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pdf_page_number: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    enable_coord: Option<bool>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
struct Resp {
    angle: f64,
    request_id: String,
}

fn req() -> Req {
    Req {
        image_url: "https://example.com/a.png".into(),
        pdf_page_number: None,
        enable_coord: Some(false),
    }
}

fn client(server: &MockServer, credential: Credential) -> TcClient {
    TcClient::builder(OCR)
        .endpoint(Endpoint::custom(&server.uri()).unwrap())
        .region("ap-guangzhou")
        .language(Language::EnUs)
        .credential(credential)
        .clock(Arc::new(FixedClock::at_unix(NOW)))
        .retry(
            RetryPolicy::default()
                .with_jitter(FixedJitter(0.0))
                .with_max_attempts(3),
        )
        .build()
        .unwrap()
}

fn ok_body() -> serde_json::Value {
    json!({"Response": {"Angle": 0.5, "RequestId": "req-ok"}})
}

fn error_body(code: &str, message: &str, id: &str) -> serde_json::Value {
    json!({"Response": {"Error": {"Code": code, "Message": message}, "RequestId": id}})
}

fn header_of<'a>(r: &'a Request, name: &str) -> Option<&'a str> {
    r.headers.get(name).map(|v| v.to_str().unwrap())
}

#[tokio::test]
async fn sends_the_exact_signed_request() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_body()))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server, Credential::new(SECRET_ID, SECRET_KEY));
    let out: Resp = c
        .call(Action::billed("ExtractDocMulti"), &req())
        .await
        .unwrap();
    assert_eq!(
        out,
        Resp {
            angle: 0.5,
            request_id: "req-ok".into()
        }
    );

    let received = server.received_requests().await.unwrap();
    let r = &received[0];
    // Unset fields are omitted, set ones keep their JSON types.
    assert_eq!(
        r.body,
        br#"{"ImageUrl":"https://example.com/a.png","EnableCoord":false}"#
    );
    let host = server.address().to_string();
    assert_eq!(header_of(r, "host"), Some(host.as_str()));
    assert_eq!(header_of(r, "content-type"), Some("application/json"));
    assert_eq!(header_of(r, "x-tc-action"), Some("ExtractDocMulti"));
    assert_eq!(header_of(r, "x-tc-version"), Some("2018-11-19"));
    assert_eq!(header_of(r, "x-tc-timestamp"), Some("1551113065"));
    assert_eq!(header_of(r, "x-tc-region"), Some("ap-guangzhou"));
    assert_eq!(header_of(r, "x-tc-language"), Some("en-US"));
    assert_eq!(header_of(r, "x-tc-token"), None);
    assert!(header_of(r, "x-tc-requestclient")
        .unwrap()
        .starts_with("CLOUD_OCR_RUST_"));

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
        "ocr",
        NOW,
    );
    let auth = header_of(r, "authorization").unwrap();
    assert_eq!(auth, expected.authorization());
    assert!(auth.starts_with(&format!(
        "TC3-HMAC-SHA256 Credential={SECRET_ID}/2019-02-25/ocr/tc3_request, SignedHeaders=content-type;host, Signature="
    )));
}

#[tokio::test]
async fn temporary_credentials_send_x_tc_token() {
    let server = MockServer::start().await;
    Mock::given(header("x-tc-token", "session-token-value"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_body()))
        .expect(1)
        .mount(&server)
        .await;
    let cred = Credential::new(SECRET_ID, SECRET_KEY).with_session_token("session-token-value");
    let c = client(&server, cred);
    let _: Resp = c
        .call(Action::billed("GeneralBasicOCR"), &req())
        .await
        .unwrap();
}

#[tokio::test]
async fn error_codes_map_to_kinds_with_code_message_and_request_id() {
    let cases = [
        ("AuthFailure.SignatureFailure", ErrorKind::Auth),
        ("AuthFailure.SecretIdNotFound", ErrorKind::Auth),
        ("AuthFailure.UnauthorizedOperation", ErrorKind::Auth),
        ("InvalidParameter.FileURLInvalid", ErrorKind::InvalidInput),
        (
            "InvalidParameterValue.InvalidParameterValueLimit",
            ErrorKind::InvalidInput,
        ),
        ("MissingParameter", ErrorKind::InvalidInput),
        ("UnknownParameter", ErrorKind::InvalidInput),
        ("LimitExceeded.TooLargeFileError", ErrorKind::InvalidInput),
        ("ResourceUnavailable.InArrears", ErrorKind::Quota),
        (
            "ResourceUnavailable.ResourcePackageRunOut",
            ErrorKind::Quota,
        ),
        ("ResourcesSoldOut.ChargeStatusException", ErrorKind::Quota),
        ("FailedOperation.ImageDecodeFailed", ErrorKind::InvalidInput),
        ("UnsupportedRegion", ErrorKind::Unsupported),
        ("FailedOperation.UnOpenError", ErrorKind::Unsupported),
    ];
    for (code, kind) in cases {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_body_json(error_body(
                code,
                "what happened",
                "rid-7",
            )))
            .expect(1) // none of these is retried
            .mount(&server)
            .await;
        let c = client(&server, Credential::new(SECRET_ID, SECRET_KEY));
        let err = c
            .call::<_, Resp>(Action::idempotent("GetSomething"), &req())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), kind, "{code}");
        assert_eq!(err.code(), Some(code));
        assert_eq!(err.message(), "what happened");
        assert_eq!(err.request_id(), Some("rid-7"));
        assert_eq!(err.provider(), Some("tc-ocr"));
        assert_eq!(
            err.to_string(),
            format!("tc-ocr GetSomething: {code}: what happened (request rid-7)")
        );
    }
}

#[tokio::test]
async fn request_limit_exceeded_is_retried_then_succeeds() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(error_body(
            "RequestLimitExceeded",
            "too many",
            "r-throttled",
        )))
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_body()))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server, Credential::new(SECRET_ID, SECRET_KEY));
    let out: Resp = c
        .call(Action::billed("ExtractDocMulti"), &req())
        .await
        .unwrap();
    assert_eq!(out.request_id, "req-ok");
}

#[tokio::test]
async fn throttling_that_persists_gives_up_after_three_attempts() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(error_body(
            "RequestLimitExceeded",
            "too many",
            "r",
        )))
        .expect(3)
        .mount(&server)
        .await;
    let c = client(&server, Credential::new(SECRET_ID, SECRET_KEY));
    let err = c
        .call::<_, Resp>(Action::billed("ExtractDocMulti"), &req())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Throttled);
}

#[tokio::test]
async fn signature_failure_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(error_body(
            "AuthFailure.SignatureFailure",
            "The provided credentials could not be validated.",
            "r-auth",
        )))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server, Credential::new(SECRET_ID, SECRET_KEY));
    let err = c
        .call::<_, Resp>(Action::idempotent("GetReconstructDocumentResult"), &req())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn internal_error_and_http_5xx_are_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(error_body(
            "InternalError",
            "oops",
            "r1",
        )))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>bad gateway</html>"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_body()))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server, Credential::new(SECRET_ID, SECRET_KEY));
    let out: Resp = c
        .call(Action::billed("ExtractDocMulti"), &req())
        .await
        .unwrap();
    assert_eq!(out.angle, 0.5);
}

#[tokio::test]
async fn stale_timestamp_learns_skew_from_date_and_resigns_once() {
    let server = MockServer::start().await;
    // The server's clock is 10 minutes ahead of ours.
    let server_now = std::time::UNIX_EPOCH + Duration::from_secs(NOW + 600);
    Mock::given(header("x-tc-timestamp", NOW.to_string().as_str()))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("date", httpdate::fmt_http_date(server_now).as_str())
                .set_body_json(error_body(
                    "AuthFailure.SignatureExpire",
                    "Signature expired.",
                    "r-stale",
                )),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(header("x-tc-timestamp", (NOW + 600).to_string().as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_body()))
        .expect(2)
        .mount(&server)
        .await;
    let c = client(&server, Credential::new(SECRET_ID, SECRET_KEY));
    let _: Resp = c
        .call(Action::billed("ExtractDocMulti"), &req())
        .await
        .unwrap();
    assert_eq!(c.clock_skew_secs(), 600);
    // The learned offset is kept: the next call is signed right the first time.
    let _: Resp = c
        .call(Action::billed("ExtractDocMulti"), &req())
        .await
        .unwrap();
    let received = server.received_requests().await.unwrap();
    let second = &received[1];
    let auth = header_of(second, "authorization").unwrap();
    assert!(auth.contains("/2019-02-25/ocr/tc3_request"), "{auth}");
}

#[tokio::test]
async fn stale_timestamp_is_resigned_only_once() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("date", "Mon, 25 Feb 2019 17:00:00 GMT")
                .set_body_json(error_body("AuthFailure.SignatureExpire", "expired", "r")),
        )
        .expect(2)
        .mount(&server)
        .await;
    let c = client(&server, Credential::new(SECRET_ID, SECRET_KEY));
    let err = c
        .call::<_, Resp>(Action::billed("ExtractDocMulti"), &req())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AuthFailure.SignatureExpire"));
    assert_eq!(err.kind(), ErrorKind::Auth);
}

#[tokio::test]
async fn undecodable_success_is_a_decode_error_with_request_id() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"Response": {"Angle": "not a number", "RequestId": "r-d"}})),
        )
        .mount(&server)
        .await;
    let c = client(&server, Credential::new(SECRET_ID, SECRET_KEY));
    let err = c
        .call::<_, Resp>(Action::idempotent("X"), &req())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert_eq!(err.request_id(), Some("r-d"));
}

#[tokio::test]
async fn missing_credentials_fail_before_sending() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_body()))
        .expect(0)
        .mount(&server)
        .await;
    let env = tc_signing::StaticEnv::new().home("/nonexistent-home");
    let c = TcClient::builder(OCR)
        .endpoint(Endpoint::custom(&server.uri()).unwrap())
        .credentials_from(Arc::new(env))
        .build()
        .unwrap();
    let err = c
        .call::<_, Resp>(Action::billed("ExtractDocMulti"), &req())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(err.to_string().contains("TENCENTCLOUD_SECRET_ID"), "{err}");
}

#[tokio::test]
async fn client_debug_shows_no_secret() {
    let server = MockServer::start().await;
    let c = client(
        &server,
        Credential::new(SECRET_ID, "very-secret-key-material").with_session_token("tok-material"),
    );
    let debug = format!("{c:?}");
    assert!(!debug.contains("secret-key"), "{debug}");
    assert!(!debug.contains("tok-material"), "{debug}");
}

//! COS/CI XML errors mapped to error kinds, retries, the clock-skew re-sign, and redaction of
//! secrets.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use cos_ci::prelude::*;
use std::time::{Duration, UNIX_EPOCH};

use common::*;
use cos_ci::{ImageOcr, SubmitJob};
use ocr_core::ErrorKind;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn xml_error(status: u16, body: String) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .insert_header("content-type", "application/xml")
        .set_body_string(body)
}

#[tokio::test]
async fn a_cos_error_body_is_parsed_with_its_request_id() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .respond_with(xml_error(
            404,
            fixture!("responses/error_no_such_key.xml").to_owned(),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .delete_object("input/missing.jpg")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Service);
    assert_eq!(err.code(), Some("NoSuchKey"));
    assert_eq!(err.message(), "The specified key does not exist.");
    assert_eq!(err.request_id(), Some("NjQ5ZmE2NmVfNWUzMzUyMDlfNmM2NF8x"));
    assert_eq!(err.http_status(), Some(404));
    assert!(!err.is_retryable());
    assert_eq!(
        err.to_string(),
        "cos-ci DeleteObject: NoSuchKey: The specified key does not exist. (request NjQ5ZmE2NmVfNWUzMzUyMDlfNmM2NF8x)"
    );
}

#[tokio::test]
async fn a_ci_error_body_maps_to_invalid_input() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(xml_error(
            400,
            fixture!("responses/error_ci_invalid_argument.xml").to_owned(),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .submit_job(&SubmitJob::with_params("a.jpg", ImageOcr::default()))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(err.code(), Some("InvalidArgument"));
    assert_eq!(err.request_id(), Some("NjQ5ZmE2NmVfNWUzMzUyMDlfNmM2NF8y"));
    assert_eq!(err.operation(), Some("SubmitJob"));
}

/// (status, code, kind, requests sent to an idempotent call with 3 attempts)
const CASES: &[(u16, &str, ErrorKind, usize)] = &[
    (403, "SignatureDoesNotMatch", ErrorKind::Auth, 1),
    (403, "AccessDenied", ErrorKind::Auth, 1),
    (403, "InvalidAccessKeyId", ErrorKind::Auth, 1),
    (400, "ExpiredToken", ErrorKind::Auth, 1),
    (404, "NoSuchKey", ErrorKind::Service, 1),
    (404, "NoSuchBucket", ErrorKind::Service, 1),
    (404, "NoSuchJob", ErrorKind::ResultExpired, 1),
    (503, "SlowDown", ErrorKind::Throttled, 3),
    (503, "ServiceUnavailable", ErrorKind::Throttled, 3),
    (500, "InternalError", ErrorKind::Service, 3),
    (400, "InvalidArgument", ErrorKind::InvalidInput, 1),
    (400, "MalformedXML", ErrorKind::InvalidInput, 1),
    (402, "PaymentRequired", ErrorKind::Quota, 1),
    (409, "BucketAlreadyExists", ErrorKind::Service, 1),
];

#[tokio::test]
async fn error_codes_map_to_kinds_and_retries() {
    for &(status, code, kind, sent) in CASES {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(
                xml_error(status, error_body(code, "m", ""))
                    .insert_header("x-ci-request-id", "hdr-req"),
            )
            .mount(&server)
            .await;
        let err = client(&server).describe_jobs(&["a1"]).await.unwrap_err();
        assert_eq!(err.kind(), kind, "{code}");
        assert_eq!(err.code(), Some(code));
        assert_eq!(err.http_status(), Some(status));
        // The body's RequestId is empty here, so the header's is used.
        assert_eq!(err.request_id(), Some("hdr-req"), "{code}");
        assert_eq!(
            server.received_requests().await.unwrap().len(),
            sent,
            "{code}"
        );
    }
}

#[tokio::test]
async fn a_status_without_a_body_still_maps() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(429).insert_header("x-cos-request-id", "r429"))
        .mount(&server)
        .await;
    let err = client(&server).delete_object("a.jpg").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Throttled);
    assert_eq!(err.code(), None);
    assert_eq!(err.request_id(), Some("r429"));
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn a_server_error_on_a_billed_submit_is_not_resent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(xml_error(500, error_body("InternalError", "oops", "r500")))
        .mount(&server)
        .await;
    let err = client(&server)
        .submit_job(&SubmitJob::with_params("a.jpg", ImageOcr::default()))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OutcomeUnknown);
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn throttled_submit_is_retried_then_succeeds() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(xml_error(503, error_body("SlowDown", "slow down", "r503")))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(fixture!("seed/submit_template_response.xml")),
        )
        .mount(&server)
        .await;
    let job = client(&server)
        .submit_job(&SubmitJob::with_params("a.jpg", ImageOcr::default()))
        .await
        .unwrap();
    assert_eq!(job.job_id, "a3c193f288b2c11eeb60f39de2f86f409");
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

fn http_date(unix: u64) -> String {
    httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(unix))
}

#[tokio::test]
async fn a_skewed_clock_is_learned_from_date_and_the_request_re_signed_once() {
    for (code, message) in [
        (
            "RequestTimeTooSkewed",
            "The difference between the request time and the server's time is too large.",
        ),
        ("AccessDenied", "Request has expired"),
    ] {
        let server = MockServer::start().await;
        let server_now = NOW + 1000;
        Mock::given(method("DELETE"))
            .respond_with(
                xml_error(403, error_body(code, message, "skew"))
                    .insert_header("date", http_date(server_now)),
            )
            .up_to_n_times(1)
            .mount(&server)
            .await;
        Mock::given(method("DELETE"))
            .respond_with(ResponseTemplate::new(204))
            .mount(&server)
            .await;
        let c = client(&server);
        c.delete_object("a.jpg").await.unwrap();
        assert_eq!(c.clock_skew_secs(), 1000, "{code}");
        assert_eq!(c.now_unix(), server_now);
        let received = server.received_requests().await.unwrap();
        assert_eq!(received.len(), 2);
        let first = header(&received[0], "authorization").unwrap();
        let second = header(&received[1], "authorization").unwrap();
        assert!(first.contains(&format!("q-sign-time={};{}", NOW - 60, NOW + 3600)));
        assert!(second.contains(&format!(
            "q-sign-time={};{}",
            server_now - 60,
            server_now + 3600
        )));
    }
}

#[tokio::test]
async fn a_skew_refusal_is_re_signed_only_once() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            xml_error(403, error_body("RequestTimeTooSkewed", "skewed", "s1"))
                .insert_header("date", http_date(NOW + 5000)),
        )
        .mount(&server)
        .await;
    let err = client(&server).describe_jobs(&["a1"]).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert_eq!(err.code(), Some("RequestTimeTooSkewed"));
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn secrets_never_show_in_debug_display_or_errors() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(xml_error(
            403,
            error_body("SignatureDoesNotMatch", "bad", "r1"),
        ))
        .mount(&server)
        .await;
    let builder = builder(&server).credential(credential().with_session_token(TOKEN));
    let shown_builder = format!("{builder:?}");
    let c = builder.build().unwrap();
    let err = c.describe_jobs(&["a1"]).await.unwrap_err();
    let received = server.received_requests().await.unwrap();
    let auth = header(&received[0], "authorization").unwrap().to_owned();
    let signature = auth.rsplit("q-signature=").next().unwrap().to_owned();
    for shown in [
        shown_builder,
        format!("{c:?}"),
        format!("{c:#?}"),
        format!("{err:?}"),
        err.to_string(),
        ocr_core::error::report(&err),
    ] {
        assert!(!shown.contains(SECRET_KEY), "{shown}");
        assert!(!shown.contains(TOKEN), "{shown}");
        assert!(!shown.contains(&signature), "{shown}");
        assert!(!shown.contains("q-sign"), "{shown}");
    }
    assert!(format!("{c:?}").contains(BUCKET));
}

//! Retry behaviour through the public API: 429 is retried after Retry-After, 401 is not, 5xx
//! queries are retried, and a create that may have reached the service is never resent.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use picwish::prelude::*;
use std::time::{Duration, Instant};

use common::*;
use ocr_core::retry::FixedJitter;
use ocr_core::{ErrorKind, RetryPolicy, Timeouts};
use picwish::CreateTask;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn throttled_create_is_retried_after_retry_after_then_succeeds() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TASKS_PATH))
        .respond_with(Sequence::new(vec![
            json(429, r#"{"status":429,"message":"Too Many Requests"}"#)
                .insert_header("Retry-After", "1"),
            json(200, fixture!("responses/create.json")),
        ]))
        .expect(2)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("scan.pdf");
    let content = pdf(50_000);
    std::fs::write(&file, &content).unwrap();

    let started = Instant::now();
    let created = client(&server)
        .create(&CreateTask::from_file(&file))
        .await
        .unwrap();

    assert_eq!(created.data.task_id, TASK_ID);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 was honoured ({:?})",
        started.elapsed()
    );
    // The file is streamed again, whole, for the second attempt.
    let requests = server.received_requests().await.unwrap();
    for req in &requests {
        assert_eq!(
            parse_multipart(req),
            vec![FormPart::file(
                "image_file",
                "scan.pdf",
                "application/pdf",
                &content
            )]
        );
    }
}

#[tokio::test]
async fn unauthorized_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(json(401, fixture!("responses/error-401.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(json(401, fixture!("responses/error-401.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let task = CreateTask::from_url("https://example.com/a.png").unwrap();
    let create = client.create(&task).await.unwrap_err();
    let query = client.query(TASK_ID).await.unwrap_err();
    for err in [create, query] {
        assert_eq!(err.kind(), ErrorKind::Auth);
        assert!(!err.is_retryable());
        assert_eq!(err.http_status(), Some(401));
        assert_eq!(
            err.message(),
            "Unauthorized API key. Check that X-API-KEY is correct and the service is \
             enabled. Server said: Unauthorized"
        );
    }
}

#[tokio::test]
async fn retry_after_is_kept_on_the_error_when_retries_run_out() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "7"))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server)
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap();
    let err = client.query(TASK_ID).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Throttled);
    assert!(err.is_retryable());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
}

#[tokio::test]
async fn server_errors_on_query_are_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(Sequence::new(vec![
            ResponseTemplate::new(500),
            json(503, r#"{"status":503,"message":"busy"}"#),
            json(200, fixture!("responses/query-processing.json")),
        ]))
        .expect(3)
        .mount(&server)
        .await;
    let info = client(&server).query(TASK_ID).await.unwrap().data;
    assert_eq!(info.progress_percent(), Some(40));
}

#[tokio::test]
async fn a_create_that_timed_out_is_not_resent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            json(200, fixture!("responses/create.json")).set_delay(Duration::from_secs(2)),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server)
        .retry(RetryPolicy::default().with_jitter(FixedJitter(0.0)))
        .timeouts(Timeouts {
            connect: Duration::from_secs(1),
            attempt: Duration::from_millis(200),
            total: Duration::from_secs(5),
        })
        .build()
        .unwrap();
    let task = CreateTask::from_bytes(pdf(1000), Some("a.pdf"));
    let err = client.create(&task).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OutcomeUnknown);
    assert_eq!(err.operation(), Some("CreateTask"));
}

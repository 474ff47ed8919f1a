//! Client configuration: default hosts, base URLs, per-operation rate limits, a caller's HTTP
//! client.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use cos_ci::prelude::*;
use std::time::{Duration, Instant};

use common::*;
use cos_ci::{CosCi, CosCiOp};
use ocr_core::Idempotency;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[test]
fn default_hosts_follow_bucket_and_region() {
    let c = CosCi::builder()
        .bucket("examplebucket-1250000000")
        .region("ap-beijing")
        .credential(credential())
        .build()
        .unwrap();
    assert_eq!(c.bucket(), "examplebucket-1250000000");
    assert_eq!(c.region(), "ap-beijing");
    assert_eq!(
        c.cos_base_url(),
        "https://examplebucket-1250000000.cos.ap-beijing.myqcloud.com/"
    );
    assert_eq!(
        c.ci_base_url(),
        "https://examplebucket-1250000000.ci.ap-beijing.myqcloud.com/"
    );
}

#[tokio::test]
async fn base_urls_get_a_trailing_slash() {
    let server = MockServer::start().await;
    let c = client(&server);
    assert_eq!(c.cos_base_url(), format!("{}{COS_PREFIX}/", server.uri()));
    assert_eq!(c.ci_base_url(), format!("{}{CI_PREFIX}/", server.uri()));
}

#[test]
fn operations_know_their_idempotency_and_documented_rates() {
    // The same bytes to the same key: an upload may be resent.
    assert_eq!(CosCiOp::PutObject.idempotency(), Idempotency::Idempotent);
    assert_eq!(CosCiOp::SubmitJob.idempotency(), Idempotency::Billed);
    assert_eq!(CosCiOp::SyncOcr.idempotency(), Idempotency::Billed);
    assert_eq!(CosCiOp::DescribeJobs.idempotency(), Idempotency::Idempotent);
    assert_eq!(CosCiOp::DeleteObject.idempotency(), Idempotency::Idempotent);
    assert_eq!(CosCiOp::SubmitJob.default_rate("ap-beijing"), 100.0);
    assert_eq!(CosCiOp::SubmitJob.default_rate("ap-singapore"), 50.0);
    assert_eq!(CosCiOp::SyncOcr.default_rate("ap-shenzhen-fsi"), 50.0);
}

#[tokio::test]
async fn a_rate_limit_spaces_the_calls_of_its_operation() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let c = builder(&server)
        .rate_limit(CosCiOp::DeleteObject, 4.0)
        .build()
        .unwrap();
    let start = Instant::now();
    // A burst of 4, then one more at 4/s: at least 250 ms.
    for _ in 0..5 {
        c.delete_object("a.jpg").await.unwrap();
    }
    assert!(
        start.elapsed() >= Duration::from_millis(240),
        "{:?}",
        start.elapsed()
    );

    let unlimited = builder(&server)
        .rate_limit(CosCiOp::DeleteObject, 1.0)
        .no_rate_limit(CosCiOp::DeleteObject)
        .build()
        .unwrap();
    let start = Instant::now();
    for _ in 0..5 {
        unlimited.delete_object("a.jpg").await.unwrap();
    }
    assert!(
        start.elapsed() < Duration::from_millis(900),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn a_callers_http_client_is_used() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let http = reqwest::Client::builder()
        .user_agent("my-app/1.0")
        .build()
        .unwrap();
    builder(&server)
        .http_client(http)
        .build()
        .unwrap()
        .delete_object("a.jpg")
        .await
        .unwrap();
    let r = &server.received_requests().await.unwrap()[0];
    assert_eq!(header(r, "user-agent"), Some("my-app/1.0"));
}

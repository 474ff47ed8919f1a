//! The API key, passwords and signed result URLs never show in Debug, Display or errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use picwish::prelude::*;
use std::time::Duration;

use bytes::Bytes;
use common::*;
use ocr_core::ErrorKind;
use picwish::{CreateTask, PicWish, TaskInfo};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer};

#[tokio::test]
async fn the_api_key_never_shows() {
    let server = MockServer::start().await;
    // A server that echoes the key back in its message.
    Mock::given(method("POST"))
        .respond_with(json(
            401,
            &format!(r#"{{"status":401,"message":"invalid key {KEY}"}}"#),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let builder = builder(&server);
    assert!(!format!("{builder:?}").contains(KEY));
    let client = builder.build().unwrap();
    assert!(!format!("{client:?}").contains(KEY));
    assert!(!format!("{:?}", client.clone()).contains(KEY));

    let task = CreateTask::from_url("https://example.com/a.png").unwrap();
    let err = client.create(&task).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert!(!err.to_string().contains(KEY), "{err}");
    assert!(!format!("{err:?}").contains(KEY), "{err:?}");
    assert!(!ocr_core::error::report(&err).contains(KEY));
    assert!(err.message().ends_with("invalid key <redacted>"), "{err}");
    // It was sent, where it belongs.
    let req = &server.received_requests().await.unwrap()[0];
    assert_eq!(req.headers.get("x-api-key").unwrap(), KEY);
}

#[test]
fn unusable_keys_are_configuration_errors_that_do_not_echo_them() {
    let missing = PicWish::builder().build().unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::Config);
    assert!(missing.message().contains("PICWISH_API_KEY"), "{missing}");
    let blank = PicWish::builder().api_key("   ").build().unwrap_err();
    assert_eq!(blank.kind(), ErrorKind::Config);
    let broken = "abc\ndef-secret";
    let err = PicWish::builder().api_key(broken).build().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(!format!("{err} {err:?}").contains("def-secret"));
}

#[test]
fn other_settings_are_checked_when_building() {
    let with = |b: picwish::PicWishBuilder| b.api_key(KEY).build().unwrap_err().kind();
    assert_eq!(
        with(PicWish::builder().base_url("ftp://x")),
        ErrorKind::Config
    );
    assert_eq!(
        with(PicWish::builder().base_url("not a url")),
        ErrorKind::Config
    );
    assert_eq!(
        with(PicWish::builder().rate_limit_all(0.0)),
        ErrorKind::Config
    );
    assert_eq!(
        with(PicWish::builder().rate_limit_all(f64::NAN)),
        ErrorKind::Config
    );
    assert_eq!(
        with(PicWish::builder().poll_interval(Duration::ZERO)),
        ErrorKind::Config
    );
    assert_eq!(
        with(PicWish::builder().wait_deadline(Duration::ZERO)),
        ErrorKind::Config
    );
    let no_limit = PicWish::builder()
        .api_key(KEY)
        .no_rate_limits()
        .build()
        .unwrap();
    assert_eq!(no_limit.rate_limit(), None);
    assert_eq!(
        PicWish::builder()
            .api_key(KEY)
            .build()
            .unwrap()
            .base_url()
            .as_str(),
        "https://techhk.aoscdn.com/"
    );
}

#[test]
fn passwords_and_signed_urls_are_redacted_in_debug() {
    let task = CreateTask::from_url("https://files.example.com/a.pdf?token=url-secret")
        .unwrap()
        .with_password("pdf-secret");
    let shown = format!("{task:?}");
    assert!(!shown.contains("pdf-secret"), "{shown}");
    assert!(!shown.contains("url-secret"), "{shown}");
    assert!(task.has_password());

    let response: picwish::ApiResponse<TaskInfo> =
        serde_json::from_str(fixture!("responses/query-succeeded-txt.json")).unwrap();
    let shown = format!("{response:?}");
    assert!(!shown.contains("FAKE-SIGNATURE"), "{shown}");
    assert!(shown.contains("8c2f3a4e-6b1d-4f0a-9e57-2d8b7c1a9f30.txt?<redacted>"));
}

#[tokio::test]
async fn downloaded_files_show_their_size_not_their_bytes() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(wiremock::ResponseTemplate::new(200).set_body_string("secret words"))
        .mount(&server)
        .await;
    let body = on_server(fixture!("responses/query-succeeded-txt.json"), &server);
    let response: picwish::ApiResponse<TaskInfo> = serde_json::from_str(&body).unwrap();
    let file = client(&server).download(&response.data).await.unwrap();
    assert_eq!(file.data, Bytes::from_static(b"secret words"));
    let shown = format!("{file:?}");
    assert!(!shown.contains("secret words"), "{shown}");
    assert!(shown.contains("bytes: 12"), "{shown}");
}

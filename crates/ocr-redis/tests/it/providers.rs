//! Real providers against the emulator with the Redis limiter configured through
//! `ClientOptions`: the calls go through Redis under the account's key (a hash, never the
//! credential), Redis stopped mid-run fails the next call before it is sent, and the default
//! in-process limiter needs no Redis at all.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use ocr_core::rate_limit::account_hash;
use ocr_core::retry::FixedJitter;
use ocr_core::{ClientOptions, ConfigureClient, ErrorKind, OcrProvider, Request, RetryPolicy};
use ocr_emulator::{Emulator, EmulatorConfig, TaskDurations};
use ocr_redis::RedisRateLimiter;
use tc_ocr::prelude::*;
use tc_ocr::{Endpoint, GeneralBasicOcrRequest, TencentOcr};

fn image() -> GeneralBasicOcrRequest {
    let png = ocr_emulator::samples::png_with_text(320, 240, "Hello through Redis");
    GeneralBasicOcrRequest::from_base64(base64::engine::general_purpose::STANDARD.encode(png))
}

fn tencent(emulator: &Emulator, options: ClientOptions) -> TencentOcr {
    TencentOcr::builder()
        .client_options(options)
        .endpoint(Endpoint::Custom(emulator.endpoints().tencent))
        .credential(ocr_emulator::test_credential())
        .build()
        .unwrap()
}

async fn all_keys(redis: &common::RedisServer) -> Vec<String> {
    redis.query(&["KEYS", "*"]).await
}

#[tokio::test]
async fn tc_ocr_calls_go_through_redis_under_a_hash_of_the_secret_id() {
    let redis = common::RedisServer::start();
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let limiter = Arc::new(RedisRateLimiter::connect(&redis.url()).await.unwrap());
    let ocr = tencent(
        &emulator,
        ClientOptions::default().rate_limit_backend(limiter),
    );
    for _ in 0..3 {
        ocr.general_basic_ocr(&image()).await.unwrap();
    }
    let key = format!(
        "cloud-ocr:rl:tc-ocr:{}:GeneralBasicOCR",
        account_hash(ocr_emulator::SECRET_ID)
    );
    assert_eq!(all_keys(&redis).await, std::slice::from_ref(&key));
    let ttl: i64 = redis.query(&["PTTL", &key]).await;
    assert!(ttl > 0, "{ttl}");
    // At least one script run per request (more when one had to wait and asked again).
    assert!(redis.script_calls().await >= 3);
    for key in all_keys(&redis).await {
        assert!(!key.contains(ocr_emulator::SECRET_ID), "{key}");
        assert!(!key.contains(ocr_emulator::SECRET_KEY), "{key}");
    }

    // A named account replaces the derived one.
    let limiter = Arc::new(RedisRateLimiter::connect(&redis.url()).await.unwrap());
    let named = tencent(
        &emulator,
        ClientOptions::default()
            .rate_limit_backend(limiter)
            .rate_limit_account("team-a"),
    );
    named.general_basic_ocr(&image()).await.unwrap();
    let exists: u64 = redis
        .query(&["EXISTS", "cloud-ocr:rl:tc-ocr:team-a:GeneralBasicOCR"])
        .await;
    assert_eq!(exists, 1);
    emulator.shutdown().await;
}

#[tokio::test]
async fn picwish_tasks_go_through_redis_under_a_hash_of_the_api_key() {
    let redis = common::RedisServer::start();
    let config = EmulatorConfig::default().with_task_durations(TaskDurations::INSTANT);
    let emulator = Emulator::start(config).await.unwrap();
    let limiter = Arc::new(RedisRateLimiter::connect(&redis.url()).await.unwrap());
    let picwish = picwish::PicWish::builder()
        .api_key(ocr_emulator::PICWISH_API_KEY)
        .base_url(emulator.endpoints().picwish.as_str())
        .rate_limit_backend(limiter)
        .build()
        .unwrap();
    let png = ocr_emulator::samples::png_with_text(800, 600, "Shared by every pod");
    let doc = picwish
        .recognize(&Request::from_bytes(png, Some("a.png")))
        .await
        .unwrap();
    assert_eq!(doc.text(), "Shared by every pod");
    let key = format!(
        "cloud-ocr:rl:picwish:{}:{}",
        account_hash(ocr_emulator::PICWISH_API_KEY),
        picwish::TASKS
    );
    assert_eq!(all_keys(&redis).await, [key]);
    // Create and query, each limited through Redis.
    let api_calls = emulator
        .recorded_requests()
        .iter()
        .filter(|r| r.path.starts_with("/api/tasks"))
        .count() as u64;
    assert!(api_calls >= 2);
    assert!(redis.script_calls().await >= api_calls);
    emulator.shutdown().await;
}

#[tokio::test]
async fn redis_stopped_mid_run_fails_the_next_call_before_it_is_sent() {
    let mut redis = common::RedisServer::start();
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let limiter = Arc::new(RedisRateLimiter::connect(&redis.url()).await.unwrap());
    let retry = RetryPolicy::default()
        .with_max_attempts(2)
        .with_base_delay(Duration::from_millis(50))
        .with_jitter(FixedJitter(1.0));
    let ocr = tencent(
        &emulator,
        ClientOptions::default()
            .rate_limit_backend(limiter)
            .retry(retry),
    );
    ocr.general_basic_ocr(&image()).await.unwrap();
    redis.stop();
    let err = ocr.general_basic_ocr(&image()).await.unwrap_err();
    println!("{err}");
    assert_eq!(err.kind(), ErrorKind::Service, "{err}");
    assert!(err.to_string().contains(&redis.url()), "{err}");
    assert!(err.to_string().contains("not sent"), "{err}");
    assert_eq!(err.operation(), Some("GeneralBasicOCR"));
    assert_eq!(
        emulator.total_requests(),
        1,
        "the second call never reached the service"
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn the_default_in_process_limiter_needs_no_redis() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let ocr = tencent(&emulator, ClientOptions::default());
    ocr.general_basic_ocr(&image()).await.unwrap();
    assert_eq!(emulator.total_requests(), 1);
    emulator.shutdown().await;
}

//! `RedisRateLimiter` against a real `redis-server` on loopback: spacing at the rate, one budget
//! for every connection, the burst, errors that name the URL without its password, Redis
//! stopped mid-run (an error, or the local fallback with one warning), and coming back.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ocr_core::rate_limit::{LimitKey, RateLimitBackend};
use ocr_core::ErrorKind;
use ocr_redis::{redis_key, RedisRateLimiter};

fn key(account: &str) -> LimitKey {
    LimitKey::new("demo", account, "Submit")
}

#[tokio::test]
async fn requests_of_one_key_are_spaced_at_the_rate_on_the_server() {
    let redis = common::RedisServer::start();
    let limiter = RedisRateLimiter::connect(&redis.url()).await.unwrap();
    let start = Instant::now();
    for _ in 0..26 {
        limiter.acquire(&key("a"), 50.0).await.unwrap();
    }
    // The first at once, then 25 more 20 ms apart (server time).
    let elapsed = start.elapsed();
    assert!(
        elapsed >= Duration::from_millis(490) && elapsed < Duration::from_millis(1_500),
        "{elapsed:?}"
    );
    // At 2/s the second request waits half a second; another account's does not.
    limiter.acquire(&key("slow"), 2.0).await.unwrap();
    let start = Instant::now();
    limiter.acquire(&key("slow"), 2.0).await.unwrap();
    assert!(
        start.elapsed() >= Duration::from_millis(450),
        "{:?}",
        start.elapsed()
    );
    let start = Instant::now();
    limiter.acquire(&key("other"), 2.0).await.unwrap();
    assert!(
        start.elapsed() < Duration::from_millis(250),
        "{:?}",
        start.elapsed()
    );

    // The key: the next theoretical arrival time (server microseconds), with a TTL.
    let name = redis_key(&key("a"));
    assert_eq!(name, "cloud-ocr:rl:demo:a:Submit");
    let tat: String = redis.query(&["GET", &name]).await;
    assert!(tat.parse::<u64>().unwrap() > 1_600_000_000_000_000, "{tat}");
    let ttl: i64 = redis.query(&["PTTL", &name]).await;
    assert!(ttl > 9_000 && ttl <= 10_100, "{ttl}");
    assert!(redis.script_calls().await >= 27);
}

#[tokio::test]
async fn separate_connections_draw_from_one_budget() {
    let redis = common::RedisServer::start();
    // Three connections, as three processes would have.
    let mut limiters = Vec::new();
    for _ in 0..3 {
        limiters.push(Arc::new(
            RedisRateLimiter::connect(&redis.url()).await.unwrap(),
        ));
    }
    let run = Duration::from_millis(1_000);
    let start = Instant::now();
    let tasks: Vec<_> = limiters
        .iter()
        .map(|limiter| {
            let limiter = limiter.clone();
            tokio::spawn(async move {
                let mut granted = 0u32;
                loop {
                    limiter.acquire(&key("shared"), 20.0).await.unwrap();
                    if start.elapsed() >= run {
                        return granted;
                    }
                    granted += 1;
                }
            })
        })
        .collect();
    let mut total = 0;
    for task in tasks {
        total += task.await.unwrap();
    }
    // 20/s with a burst of 1: at most 21 in one second, and not much less.
    assert!((18..=21).contains(&total), "{total}");
}

#[tokio::test]
async fn a_burst_lets_that_many_go_at_once() {
    let redis = common::RedisServer::start();
    let limiter = RedisRateLimiter::connect(&redis.url())
        .await
        .unwrap()
        .with_burst(5);
    let start = Instant::now();
    for _ in 0..5 {
        limiter.acquire(&key("a"), 10.0).await.unwrap();
    }
    assert!(
        start.elapsed() < Duration::from_millis(300),
        "{:?}",
        start.elapsed()
    );
    limiter.acquire(&key("a"), 10.0).await.unwrap();
    assert!(
        start.elapsed() >= Duration::from_millis(90),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn an_unreachable_or_invalid_url_is_a_config_error_without_the_password() {
    let port = common::free_port();
    let err = RedisRateLimiter::connect(&format!("redis://:hunter2@127.0.0.1:{port}/"))
        .await
        .unwrap_err();
    println!("{err}");
    assert_eq!(err.kind(), ErrorKind::Config);
    let shown = format!("{err} {err:?} {}", ocr_core::error::report(&err));
    assert!(
        shown.contains(&format!("redis://127.0.0.1:{port}/")),
        "{shown}"
    );
    assert!(!shown.contains("hunter2"), "{shown}");

    let err = RedisRateLimiter::connect("http://user:hunter2@127.0.0.1/")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(!format!("{err} {err:?}").contains("hunter2"), "{err}");
}

#[tokio::test]
async fn redis_stopped_mid_run_is_a_clear_retryable_error() {
    let mut redis = common::RedisServer::start();
    let limiter = RedisRateLimiter::connect(&redis.url()).await.unwrap();
    limiter.acquire(&key("a"), 10.0).await.unwrap();
    redis.stop();
    let start = Instant::now();
    let err = limiter.acquire(&key("a"), 10.0).await.unwrap_err();
    println!("after {:?}: {err}", start.elapsed());
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(err.kind(), ErrorKind::Service);
    assert!(err.is_retryable());
    assert!(!err.maybe_sent());
    let message = err.to_string();
    assert!(message.contains(&redis.url()), "{message}");
    assert!(message.contains("was not sent"), "{message}");
    assert!(!limiter.is_falling_back());
}

/// Log lines written by `tracing`, kept for the test to read.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Logs {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[tokio::test(flavor = "current_thread")]
async fn with_the_fallback_an_outage_is_limited_locally_and_warned_once() {
    let logs = Logs::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer({
            let logs = logs.clone();
            move || logs.clone()
        })
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let mut redis = common::RedisServer::start();
    let port = redis.port();
    let limiter = RedisRateLimiter::connect(&redis.url())
        .await
        .unwrap()
        .with_local_fallback(true);
    limiter.acquire(&key("a"), 20.0).await.unwrap();
    redis.stop();

    // Still limited, in this process: a burst of 20 (one second's worth), then 20/s.
    let start = Instant::now();
    for _ in 0..25 {
        limiter.acquire(&key("a"), 20.0).await.unwrap();
    }
    assert!(limiter.is_falling_back());
    assert!(
        start.elapsed() >= Duration::from_millis(200),
        "{:?}",
        start.elapsed()
    );
    let warned = logs.text();
    assert_eq!(
        warned.matches("cannot be reached").count(),
        1,
        "one warning per outage:\n{warned}"
    );
    assert!(warned.contains("WARN") && warned.contains(&format!("127.0.0.1:{port}")));

    // Redis back on the same port: the limit is shared again (asked at most once a second).
    let redis = common::RedisServer::start_on(port).expect("the port is free again");
    let deadline = Instant::now() + Duration::from_secs(10);
    while limiter.is_falling_back() || redis.script_calls().await == 0 {
        assert!(Instant::now() < deadline, "never went back to Redis");
        tokio::time::sleep(Duration::from_millis(300)).await;
        limiter.acquire(&key("a"), 20.0).await.unwrap();
    }
    let exists: u64 = redis.query(&["EXISTS", &redis_key(&key("a"))]).await;
    assert_eq!(exists, 1);
    assert!(logs.text().contains("reachable again"), "{}", logs.text());
}

#[tokio::test]
async fn a_password_protected_redis_works_and_the_password_is_never_shown() {
    let redis = common::RedisServer::start();
    let _: String = redis
        .query(&["CONFIG", "SET", "requirepass", "s3cret-pw"])
        .await;
    let url = format!("redis://:s3cret-pw@127.0.0.1:{}/0", redis.port());
    let limiter = RedisRateLimiter::connect(&url).await.unwrap();
    limiter.acquire(&key("a"), 10.0).await.unwrap();
    let shown = format!("{limiter:?}");
    assert!(
        shown.contains(&format!("127.0.0.1:{}/0", redis.port())),
        "{shown}"
    );
    assert!(!shown.contains("s3cret"), "{shown}");
    assert_eq!(
        limiter.url(),
        format!("redis://127.0.0.1:{}/0", redis.port())
    );

    let wrong = format!("redis://:wrong-pw@127.0.0.1:{}/0", redis.port());
    let err = RedisRateLimiter::connect(&wrong).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(!format!("{err} {err:?}").contains("wrong-pw"), "{err:?}");
}

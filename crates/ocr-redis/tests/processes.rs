//! The acceptance test of the shared limit: five OS processes of one account call one action
//! (GeneralBasicOCR, documented 20 requests/s) through tc-ocr with the Redis limiter, against
//! one emulator. From the requests the emulator received: no one-second window holds more than
//! the limit + 1 (the burst), and together they reach at least 90 % of the limit.
//!
//! The processes are this test binary run again with `OCR_REDIS_WORKER` set (the `worker`
//! test), so no extra binary is built. Alone in its binary, so no other test shares the CPU.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use ocr_emulator::{Emulator, EmulatorConfig};
use ocr_redis::RedisRateLimiter;
use tc_ocr::prelude::*;
use tc_ocr::{Endpoint, GeneralBasicOcrRequest, TencentOcr};

const PROCESSES: usize = 5;
const ACTION: &str = "GeneralBasicOCR";
/// tc-ocr's documented default for GeneralBasicOCR (the emulator enforces the same).
const LIMIT: f64 = 20.0;
const RUN: Duration = Duration::from_secs(3);

const WORKER: &str = "OCR_REDIS_WORKER";
const REDIS_URL: &str = "OCR_REDIS_WORKER_REDIS";
const EMULATOR_URL: &str = "OCR_REDIS_WORKER_EMULATOR";
const START_MS: &str = "OCR_REDIS_WORKER_START_MS";
const END_MS: &str = "OCR_REDIS_WORKER_END_MS";

fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

async fn sleep_until_unix_ms(at: u64) {
    let now = unix_ms();
    if at > now {
        tokio::time::sleep(Duration::from_millis(at - now)).await;
    }
}

/// One of the five processes (a no-op unless started by `five_processes_share_one_limit`):
/// calls the action from the start time to the end time, as fast as the limiter lets it, and
/// prints `worker-report: calls N errors E`.
#[tokio::test]
async fn worker() {
    if std::env::var_os(WORKER).is_none() {
        return;
    }
    let env = |name: &str| std::env::var(name).unwrap();
    let redis = RedisRateLimiter::connect(&env(REDIS_URL)).await.unwrap();
    let ocr = TencentOcr::builder()
        .endpoint(Endpoint::Custom(env(EMULATOR_URL).parse().unwrap()))
        .credential(ocr_emulator::test_credential())
        .rate_limit_backend(Arc::new(redis))
        .build()
        .unwrap();
    let png = ocr_emulator::samples::png_with_text(320, 240, "shared limit");
    let request =
        GeneralBasicOcrRequest::from_base64(base64::engine::general_purpose::STANDARD.encode(png));
    let (start, end) = (
        env(START_MS).parse().unwrap(),
        env(END_MS).parse::<u64>().unwrap(),
    );
    sleep_until_unix_ms(start).await;
    let (mut calls, mut errors) = (0u32, 0u32);
    while unix_ms() < end {
        match ocr.general_basic_ocr(&request).await {
            Ok(_) => calls += 1,
            Err(err) => {
                eprintln!("worker error: {err}");
                errors += 1;
            }
        }
    }
    println!("worker-report: calls {calls} errors {errors}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_processes_share_one_limit() {
    let redis = common::RedisServer::start();
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    assert_eq!(emulator.rate_limit(ACTION), LIMIT);
    // Time for the processes to start and connect before the common start.
    let start = unix_ms() + 1_000;
    let end = start + RUN.as_millis() as u64;
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..PROCESSES)
        .map(|_| {
            Command::new(&exe)
                .args(["--exact", "worker", "--nocapture", "--test-threads=1"])
                .env(WORKER, "1")
                .env(REDIS_URL, redis.url())
                .env(EMULATOR_URL, emulator.endpoints().tencent.as_str())
                .env(START_MS, start.to_string())
                .env(END_MS, end.to_string())
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<_> = tokio::task::spawn_blocking(move || {
        children
            .into_iter()
            .map(|child| child.wait_with_output().unwrap())
            .collect()
    })
    .await
    .unwrap();

    let mut reported = Vec::new();
    for output in &outputs {
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "a worker failed:\n{stdout}\n{stderr}"
        );
        // libtest prints `test worker ... ` first, on the same line.
        let report = stdout
            .lines()
            .find_map(|l| l.split_once("worker-report: ").map(|(_, r)| r))
            .unwrap_or_else(|| panic!("no report from a worker:\n{stdout}\n{stderr}"));
        let words: Vec<&str> = report.split_whitespace().collect();
        let (calls, errors): (u64, u64) = (words[1].parse().unwrap(), words[3].parse().unwrap());
        assert_eq!(errors, 0, "{stdout}\n{stderr}");
        reported.push(calls);
    }

    // What the service saw: every GeneralBasicOCR request, by arrival time.
    let arrivals: Vec<u64> = emulator
        .recorded_requests()
        .iter()
        .filter(|r| r.action.as_deref() == Some(ACTION))
        .map(|r| r.at_millis)
        .collect();
    let total: u64 = reported.iter().sum();
    assert_eq!(
        arrivals.len() as u64,
        total,
        "every call was sent once: none was throttled and retried"
    );
    let busiest = arrivals
        .iter()
        .map(|&from| {
            arrivals
                .iter()
                .filter(|&&t| t >= from && t < from + 1_000)
                .count()
        })
        .max()
        .unwrap_or(0);
    let in_run = arrivals.iter().filter(|&&t| t >= start && t < end).count();
    let expected = LIMIT * RUN.as_secs_f64();
    let achieved = in_run as f64 / RUN.as_secs_f64();
    println!(
        "{PROCESSES} processes, limit {LIMIT}/s for {:.1} s: {in_run} requests in the run \
         ({achieved:.2}/s, {:.1} % of the limit), per process {reported:?}, busiest 1-s window \
         {busiest} (allowed {})",
        RUN.as_secs_f64(),
        100.0 * in_run as f64 / expected,
        LIMIT as usize + 1,
    );
    assert!(
        busiest <= LIMIT as usize + 1,
        "a one-second window held {busiest} requests; the limit is {LIMIT}/s with a burst of 1"
    );
    assert!(
        in_run as f64 >= 0.9 * expected,
        "{in_run} requests in {:?}: under 90 % of {expected}",
        RUN
    );
    assert!(
        reported.iter().all(|&calls| calls > 0),
        "every process got a share: {reported:?}"
    );
    // The budget lives in Redis under the account's key (a hash, not the SecretId).
    let key = format!(
        "cloud-ocr:rl:tc-ocr:{}:{ACTION}",
        ocr_core::rate_limit::account_hash(ocr_emulator::SECRET_ID)
    );
    let exists: u64 = redis.query(&["EXISTS", &key]).await;
    assert_eq!(exists, 1, "{key}");
    emulator.shutdown().await;
}

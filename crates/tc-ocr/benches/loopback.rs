//! One GeneralBasicOCR call over loopback against the emulator, through `TencentOcr` and as a
//! bare signed POST with `reqwest` (the reference: the least any client must do), sequentially
//! and 32 at a time, with the client's CPU time per call.
//!
//! Not a criterion bench (`harness = false`): `cargo xtask bench` runs it and reads the one
//! JSON line it prints. The emulator runs on its own runtime threads; every client runs on a
//! current-thread runtime on the main thread, so the main thread's CPU time is the client's.
//! The rounds alternate (ours, raw, ours, raw …) and each figure is the best of its rounds, so
//! a burst of load elsewhere on the machine does not land on one side only.
//!
//! `cargo bench -p tc-ocr --bench loopback -- [--quick]`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a bench: a failed call ends it

use std::time::{Duration, Instant};

use base64::Engine as _;
use futures_util::stream::{self, StreamExt};
use ocr_emulator::{Emulator, EmulatorConfig};
use tc_ocr::prelude::*;
use tc_ocr::{Endpoint, GeneralBasicOcrRequest, TencentOcr};
use tc_signing::{sign_tc3, Credential, PayloadHash, Tc3Request};

const ACTION: &str = "GeneralBasicOCR";
const VERSION: &str = "2018-11-19";
const CONCURRENT: usize = 32;

/// A way to make the call: ours or the bare reference.
trait Caller {
    async fn call(&self);
}

struct Ours(TencentOcr, GeneralBasicOcrRequest);

impl Caller for Ours {
    async fn call(&self) {
        let response = self.0.general_basic_ocr(&self.1).await;
        assert!(response.is_ok(), "{response:?}");
    }
}

/// The same signed POST with `reqwest` alone, the same headers on the wire (so the emulator
/// does the same work for both): sign, send, read the body and parse it as JSON (any client
/// must at least do that).
struct Raw {
    http: reqwest::Client,
    url: String,
    host: String,
    body: bytes::Bytes,
    credential: Credential,
}

impl Caller for Raw {
    async fn call(&self) {
        let timestamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let extra = [("X-TC-Action", ACTION)];
        let signature = sign_tc3(
            &Tc3Request {
                extra_signed_headers: &extra,
                ..Tc3Request::new(
                    "POST",
                    &self.host,
                    "application/json",
                    PayloadHash::Bytes(&self.body),
                )
            },
            &self.credential,
            "ocr",
            timestamp,
        );
        let mut request = self
            .http
            .post(&self.url)
            .header("authorization", signature.authorization())
            .header("content-type", "application/json")
            .header("x-tc-action", ACTION)
            .header("x-tc-version", VERSION)
            .header("x-tc-region", ocr_emulator::DEFAULT_REGION)
            .header("x-tc-requestclient", tc_api::REQUEST_CLIENT);
        for (name, value) in signature.headers() {
            request = request.header(name.as_str(), value.as_str());
        }
        let response = request.body(self.body.clone()).send().await.unwrap();
        let bytes = response.bytes().await.unwrap();
        let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert!(value["Response"]["Error"].is_null(), "{value}");
    }
}

/// Calls `n` times, `width` at a time; returns (calls per second, CPU of this thread per call).
async fn measure(caller: &impl Caller, n: usize, width: usize) -> (f64, Duration) {
    let cpu = thread_cpu();
    let start = Instant::now();
    stream::iter(0..n)
        .for_each_concurrent(width, |_| caller.call())
        .await;
    let wall = start.elapsed();
    let cpu = thread_cpu().saturating_sub(cpu);
    (n as f64 / wall.as_secs_f64(), cpu / n as u32)
}

/// CPU time of the calling thread, in nanoseconds (`/proc/thread-self/schedstat`'s first
/// field: time spent running).
fn thread_cpu() -> Duration {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    let nanos = text
        .split_whitespace()
        .next()
        .and_then(|f| f.parse::<u64>().ok())
        .unwrap_or(0);
    Duration::from_nanos(nanos)
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (calls, rounds) = if quick { (300, 2) } else { (3000, 3) };

    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let emulator = server
        .block_on(Emulator::start(
            EmulatorConfig::default().without_rate_limits(),
        ))
        .unwrap();
    let endpoint = emulator.endpoints().tencent;

    let client = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let png = ocr_emulator::samples::png_with_text(64, 24, "LOOPBACK");
    let image = base64::engine::general_purpose::STANDARD.encode(&png);
    let ours = client.block_on(async {
        let ocr = TencentOcr::builder()
            .credential(Credential::new(
                ocr_emulator::SECRET_ID,
                ocr_emulator::SECRET_KEY,
            ))
            .endpoint(Endpoint::Custom(endpoint.clone()))
            .region(ocr_emulator::DEFAULT_REGION)
            .no_rate_limits()
            .build()
            .unwrap();
        Ours(
            ocr,
            GeneralBasicOcrRequest {
                image_base64: Some(image.clone()),
                ..GeneralBasicOcrRequest::default()
            },
        )
    });
    let raw = Raw {
        http: reqwest::Client::new(),
        url: endpoint.to_string(),
        host: format!(
            "{}:{}",
            endpoint.host_str().unwrap_or("127.0.0.1"),
            endpoint.port().unwrap_or(80)
        ),
        body: serde_json::to_vec(&serde_json::json!({ "ImageBase64": image }))
            .unwrap()
            .into(),
        credential: Credential::new(ocr_emulator::SECRET_ID, ocr_emulator::SECRET_KEY),
    };

    let mut best = [(0.0f64, Duration::MAX); 4];
    client.block_on(async {
        // Warm up both (connections, caches).
        measure(&ours, calls / 10, CONCURRENT).await;
        measure(&raw, calls / 10, CONCURRENT).await;
        for _ in 0..rounds {
            let figures = [
                measure(&ours, calls, 1).await,
                measure(&raw, calls, 1).await,
                measure(&ours, calls, CONCURRENT).await,
                measure(&raw, calls, CONCURRENT).await,
            ];
            for (best, (rate, cpu)) in best.iter_mut().zip(figures) {
                *best = (best.0.max(rate), best.1.min(cpu));
            }
        }
    });
    let [ours_seq, raw_seq, ours_conc, raw_conc] = best;
    println!(
        "{}",
        serde_json::json!({
            "sequential": { "ours_per_s": ours_seq.0, "raw_per_s": raw_seq.0,
                            "ours_cpu_ns": ours_seq.1.as_nanos() as u64,
                            "raw_cpu_ns": raw_seq.1.as_nanos() as u64 },
            "concurrent": { "ours_per_s": ours_conc.0, "raw_per_s": raw_conc.0,
                            "ours_cpu_ns": ours_conc.1.as_nanos() as u64,
                            "raw_cpu_ns": raw_conc.1.as_nanos() as u64 },
        })
    );
    drop(emulator);
}

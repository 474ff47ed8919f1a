//! The ocr-core conformance suite, run against the emulator.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use lkeap::prelude::*;
use std::sync::Arc;
use std::time::Duration;

use lkeap::Lkeap;
use ocr_core::conformance::{run_all, Harness};
use ocr_core::{OcrProvider, PollPolicy, Request};
use ocr_emulator::samples::{pdf_with_text, png_with_text};
use ocr_emulator::{Emulator, EmulatorConfig, Fault, Service, ServiceDurations, TaskDurations};
use tc_api::Endpoint;

/// How many requests the emulator has received (its record counts on past its cap).
fn received(emulator: &Emulator) -> usize {
    emulator
        .recorded_requests()
        .last()
        .map_or(0, |r| r.seq as usize)
}

/// Tasks finish 100 ms after they are created, on the real clock.
async fn quick_emulator() -> Emulator {
    Emulator::start(
        EmulatorConfig::default().with_service_durations(ServiceDurations::all(
            TaskDurations::new(Duration::ZERO, Duration::from_millis(100)),
        )),
    )
    .await
    .unwrap()
}

fn fast_polling() -> PollPolicy {
    PollPolicy::fixed(Duration::from_millis(150), Duration::from_secs(30))
}

struct LkeapHarness(Emulator);

#[async_trait::async_trait]
impl Harness for LkeapHarness {
    fn provider(&self) -> Arc<dyn OcrProvider> {
        Arc::new(
            Lkeap::builder()
                .endpoint(Endpoint::Custom(self.0.endpoints().tencent))
                .credential(ocr_emulator::test_credential())
                .poll_policy(fast_polling())
                .build()
                .unwrap(),
        )
    }

    fn requests_received(&self) -> usize {
        received(&self.0)
    }

    fn pdf(&self, pages: &[Vec<String>]) -> Vec<u8> {
        let pages: Vec<Vec<&str>> = pages
            .iter()
            .map(|p| p.iter().map(String::as_str).collect())
            .collect();
        let refs: Vec<&[&str]> = pages.iter().map(Vec::as_slice).collect();
        pdf_with_text(&refs)
    }

    fn image(&self, lines: &[String]) -> Vec<u8> {
        png_with_text(800, 600, &lines.join("\n"))
    }

    async fn arrange_task_failure(&self) -> (Request, String) {
        let code = "FailedOperation.FileParseError";
        self.0.inject(
            Fault::task_failure(code, "The file could not be parsed").for_service(Service::Lkeap),
        );
        let request = Request::from_bytes(png_with_text(800, 600, "Doomed"), Some("doomed.png"));
        (request, code.to_owned())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lkeap_conforms() {
    let harness = LkeapHarness(quick_emulator().await);
    if let Err(failure) = run_all(&harness).await {
        panic!("{failure}");
    }
}

//! The ocr-core conformance suite, run against the emulator.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use ocr_core::conformance::{run_all, Harness};
use ocr_core::{OcrProvider, PollPolicy, Request};
use ocr_emulator::samples::{pdf_with_text, png_with_text};
use ocr_emulator::{Emulator, EmulatorConfig, Fault, Service, ServiceDurations, TaskDurations};
use picwish::PicWish;

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

#[allow(dead_code)]
fn fast_polling() -> PollPolicy {
    PollPolicy::fixed(Duration::from_millis(150), Duration::from_secs(30))
}

struct PicWishHarness(Emulator);

#[async_trait::async_trait]
impl Harness for PicWishHarness {
    fn provider(&self) -> Arc<dyn OcrProvider> {
        Arc::new(
            PicWish::builder()
                .api_key(ocr_emulator::PICWISH_API_KEY)
                .base_url(self.0.endpoints().picwish.as_str())
                .poll_interval(Duration::from_millis(150))
                .wait_deadline(Duration::from_secs(30))
                .build()
                .unwrap(),
        )
    }

    fn requests_received(&self) -> usize {
        received(&self.0)
    }

    /// Created tasks (the emulator's `CreateOcrTask` is the provider's `CreateTask`).
    fn billed_calls(&self) -> BTreeMap<String, u64> {
        self.0
            .submission_counts()
            .into_iter()
            .map(|(action, n)| match action.as_str() {
                "CreateOcrTask" => ("CreateTask".to_owned(), n),
                _ => (action, n),
            })
            .collect()
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
        self.0.inject(
            Fault::task_failure("-7", "The file could not be recognised")
                .for_service(Service::PicWish),
        );
        let request = Request::from_bytes(png_with_text(800, 600, "Doomed"), Some("doomed.png"));
        (request, "-7".to_owned())
    }

    fn service_has_request_ids(&self) -> bool {
        false
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn picwish_conforms() {
    let harness = PicWishHarness(quick_emulator().await);
    if let Err(failure) = run_all(&harness).await {
        panic!("{failure}");
    }
}

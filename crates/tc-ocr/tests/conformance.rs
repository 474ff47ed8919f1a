//! The ocr-core conformance suite, run against the emulator.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;
use tc_ocr::prelude::*;

use ocr_core::conformance::{run_all, Harness};
use ocr_core::{DocumentKind, OcrProvider, PollPolicy, Request};
use ocr_emulator::samples::{pdf_with_text, png_with_text};
use ocr_emulator::{Emulator, EmulatorConfig, Fault, ServiceDurations, TaskDurations};
use tc_api::Endpoint;
use tc_ocr::TencentOcr;

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

struct TcOcrHarness(Emulator);

#[async_trait::async_trait]
impl Harness for TcOcrHarness {
    fn provider(&self) -> Arc<dyn OcrProvider> {
        Arc::new(
            TencentOcr::builder()
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

    /// The asynchronous path of tc-ocr is the identity-document pair.
    async fn arrange_task_failure(&self) -> (Request, String) {
        let code = "FailedOperation.ImageDecodeFailed";
        self.0.inject(
            Fault::task_failure(code, "Image decoding failed")
                .for_action("ApplyCardVerificationExternal"),
        );
        let mut request = Request::from_bytes(
            png_with_text(1000, 630, "FullName: ADA LOVELACE"),
            Some("card.png"),
        )
        .with_document_kind(DocumentKind::IdCard);
        request.options.card_nationality = Some("PHL".into());
        request.options.card_type = Some("PASSPORT".into());
        (request, code.to_owned())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tc_ocr_conforms() {
    let harness = TcOcrHarness(quick_emulator().await);
    if let Err(failure) = run_all(&harness).await {
        panic!("{failure}");
    }
}

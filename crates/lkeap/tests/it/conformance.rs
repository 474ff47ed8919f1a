//! The ocr-core conformance suite, run against the emulator.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use lkeap::prelude::*;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use lkeap::Lkeap;
use ocr_core::conformance::{billing_matches_estimate, run_all, Harness};
use ocr_core::{ErrorKind, OcrProvider, PageRange, PollPolicy, Request};
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

    /// The emulator counts created tasks under their action names.
    fn billed_calls(&self) -> BTreeMap<String, u64> {
        self.0.submission_counts()
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

/// The tokens LKEAP reports come with the document; a PDF by URL is billed as estimated when
/// its pages are named, and has no estimate when they are not (only LKEAP can count them).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_reports_tokens_and_pages() {
    let harness = LkeapHarness(quick_emulator().await);
    let pages: Vec<Vec<String>> = (1..=3).map(|n| vec![format!("Page {n} P{n}X")]).collect();
    let pdf = harness.pdf(&pages);

    let doc = harness
        .provider()
        .recognize(&Request::from_bytes(pdf.clone(), Some("three.pdf")))
        .await
        .unwrap();
    assert_eq!(doc.usage.pages, 3);
    assert_eq!(
        doc.usage.calls,
        BTreeMap::from([("CreateReconstructDocumentFlow".to_owned(), 1)])
    );
    assert!(doc.usage.tokens.is_some_and(|t| t > 0), "{:?}", doc.usage);

    let endpoints = harness.0.endpoints();
    harness
        .0
        .put_object(&endpoints.bucket, "input/three.pdf", pdf);
    let url = endpoints.cos.join("input/three.pdf").unwrap();
    let selected = Request::from_url(url.as_str())
        .unwrap()
        .with_pages(PageRange::new(2, 3).unwrap());
    if let Err(failure) =
        billing_matches_estimate(&harness, "pages 2-3 of a PDF by URL", &selected).await
    {
        panic!("{failure}");
    }

    let whole = Request::from_url(url.as_str()).unwrap();
    let before = harness.requests_received();
    let err = harness.provider().estimate(&whole).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported, "{err}");
    assert_eq!(err.field(), Some("pages"));
    assert_eq!(harness.requests_received(), before);
}

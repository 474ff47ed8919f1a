//! The ocr-core conformance suite, run against the emulator.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cos_ci::prelude::*;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use cos_ci::CosCi;
use ocr_core::conformance::{billing_matches_estimate, run_all, Harness};
use ocr_core::{ErrorKind, OcrProvider, PageRange, PollPolicy, Request, Source};
use ocr_emulator::samples::{pdf_with_text, png_with_text};
use ocr_emulator::{Emulator, EmulatorConfig, Fault, Service, ServiceDurations, TaskDurations};

/// How many requests the emulator has received (its record counts on past its cap).
fn received(emulator: &Emulator) -> usize {
    emulator
        .recorded_requests()
        .last()
        .map_or(0, |r| r.seq as usize)
}

/// Tasks finish 100 ms after they are created, on the real clock. The record keeps every
/// request of the suite, so uploads can be counted from it.
async fn quick_emulator() -> Emulator {
    Emulator::start(
        EmulatorConfig::default()
            .with_service_durations(ServiceDurations::all(TaskDurations::new(
                Duration::ZERO,
                Duration::from_millis(100),
            )))
            .with_record_capacity(1_000_000),
    )
    .await
    .unwrap()
}

fn fast_polling() -> PollPolicy {
    PollPolicy::fixed(Duration::from_millis(150), Duration::from_secs(30))
}

struct CosCiHarness(Emulator);

#[async_trait::async_trait]
impl Harness for CosCiHarness {
    fn provider(&self) -> Arc<dyn OcrProvider> {
        let endpoints = self.0.endpoints();
        Arc::new(
            CosCi::builder()
                .bucket(&endpoints.bucket)
                .region(&endpoints.region)
                .cos_base_url(endpoints.cos.as_str())
                .ci_base_url(endpoints.ci.as_str())
                .credential(ocr_emulator::test_credential())
                .poll_policy(fast_polling())
                .build()
                .unwrap(),
        )
    }

    fn requests_received(&self) -> usize {
        received(&self.0)
    }

    /// Accepted job submissions and synchronous recognitions (the emulator's `CiProcessOCR`
    /// is the provider's `SyncOcr`), plus the uploads COS accepted (`PutObject`, from the
    /// record).
    fn billed_calls(&self) -> BTreeMap<String, u64> {
        let mut calls: BTreeMap<String, u64> = self
            .0
            .submission_counts()
            .into_iter()
            .map(|(action, n)| match action.as_str() {
                "CiProcessOCR" => ("SyncOcr".to_owned(), n),
                _ => (action, n),
            })
            .collect();
        let uploads = self
            .0
            .recorded_requests()
            .iter()
            .filter(|r| r.action.as_deref() == Some("PutObject"))
            .filter(|r| r.status.is_some_and(|s| (200..300).contains(&s)))
            .count();
        calls.insert("PutObject".to_owned(), uploads as u64);
        calls
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
        let code = "InternalError";
        self.0
            .inject(Fault::task_failure(code, "The job failed").for_service(Service::Ci));
        let request = Request::from_bytes(png_with_text(800, 600, "Doomed"), Some("doomed.png"));
        (request, code.to_owned())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cos_ci_conforms() {
    let harness = CosCiHarness(quick_emulator().await);
    if let Err(failure) = run_all(&harness).await {
        panic!("{failure}");
    }
}

/// The sources the suite's samples do not reach are billed as estimated too: a URL (one
/// `SyncOcr` per page) and an object already in the bucket (one `SubmitJob` per page, no
/// upload).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn urls_and_bucket_objects_are_billed_as_estimated() {
    let harness = CosCiHarness(quick_emulator().await);
    let endpoints = harness.0.endpoints();
    let pages: Vec<Vec<String>> = (1..=5).map(|n| vec![format!("Page {n} P{n}X")]).collect();
    harness
        .0
        .put_object(&endpoints.bucket, "input/five.pdf", harness.pdf(&pages));
    harness.0.put_object(
        &endpoints.bucket,
        "input/scan.png",
        harness.image(&["Scanned".to_owned()]),
    );
    let url = |key: &str| Request::from_url(endpoints.cos.join(key).unwrap().as_str()).unwrap();
    let object = |key: &str| {
        Request::new(Source::Url(
            url::Url::parse(&format!("cos://{}/{key}", endpoints.bucket)).unwrap(),
        ))
    };
    let two_three = || PageRange::new(2, 3).unwrap();
    let cases = [
        ("an image by URL", url("input/scan.png")),
        (
            "pages 2-3 of a PDF by URL",
            url("input/five.pdf").with_pages(two_three()),
        ),
        ("an image in the bucket", object("input/scan.png")),
        (
            "pages 2-3 of a PDF in the bucket",
            object("input/five.pdf").with_pages(two_three()),
        ),
    ];
    for (what, request) in &cases {
        if let Err(failure) = billing_matches_estimate(&harness, what, request).await {
            panic!("{failure}");
        }
    }

    // A PDF by URL without a selection: its page count comes with the first page's answer,
    // so there is no estimate (and nothing is sent for asking); the real run still counts
    // one call per page.
    let whole = url("input/five.pdf");
    let before = harness.requests_received();
    let err = harness.provider().estimate(&whole).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported, "{err}");
    assert_eq!(err.field(), Some("pages"));
    assert_eq!(harness.requests_received(), before);
    let doc = harness.provider().recognize(&whole).await.unwrap();
    assert_eq!(doc.usage.calls, BTreeMap::from([("SyncOcr".to_owned(), 5)]));
    assert_eq!(doc.usage.pages, 5);
}

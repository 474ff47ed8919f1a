//! The ocr-core conformance suite, run against the emulator.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tc_ocr::prelude::*;

use ocr_core::conformance::{billing_matches_estimate, estimate_matches_billing, run_all, Harness};
use ocr_core::{
    Capabilities, Document, DocumentKind, Job, JobStatus, OcrProvider, PageRange, PollPolicy,
    Request, Result, Usage,
};
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

/// Tasks finish 100 ms after they are created, on the real clock. No server-side rate limits:
/// every check takes a fresh provider (a fresh client-side limiter with its full burst), so
/// the per-page calls of consecutive checks would add up in one second's window; throttling
/// has tests of its own (`fault_matrix.rs`, `emulator_e2e.rs`).
async fn quick_emulator() -> Emulator {
    Emulator::start(
        EmulatorConfig::default()
            .with_service_durations(ServiceDurations::all(TaskDurations::new(
                Duration::ZERO,
                Duration::from_millis(100),
            )))
            .without_rate_limits(),
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

    /// The emulator counts accepted recognitions and applications under their action names.
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

/// An identity document is one billed `ApplyCardVerificationExternal` (its result query is
/// free); fields and a PDF by URL with named pages are billed per page, as estimated; a PDF by
/// URL without named pages is refused by both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cards_fields_and_urls_are_billed_as_estimated() {
    let harness = TcOcrHarness(quick_emulator().await);
    let mut card = Request::from_bytes(
        png_with_text(1000, 630, "FullName: ADA LOVELACE"),
        Some("card.png"),
    )
    .with_document_kind(DocumentKind::IdCard);
    card.options.card_nationality = Some("PHL".into());
    card.options.card_type = Some("PASSPORT".into());

    let pages: Vec<Vec<String>> = (1..=5).map(|n| vec![format!("Total: {n}0.00")]).collect();
    let fields = Request::from_bytes(harness.pdf(&pages), Some("five.pdf"))
        .with_output(ocr_core::OutputKind::Fields)
        .with_pages(PageRange::new(2, 3).unwrap());

    let endpoints = harness.0.endpoints();
    harness
        .0
        .put_object(&endpoints.bucket, "input/five.pdf", harness.pdf(&pages));
    let url = endpoints.cos.join("input/five.pdf").unwrap();
    let by_url = Request::from_url(url.as_str())
        .unwrap()
        .with_pages(PageRange::new(2, 3).unwrap());

    for (what, request) in [
        ("an identity card", &card),
        ("fields of pages 2-3", &fields),
        ("pages 2-3 of a PDF by URL", &by_url),
    ] {
        if let Err(failure) = billing_matches_estimate(&harness, what, request).await {
            panic!("{failure}");
        }
    }

    // A PDF by URL needs its pages named: refused alike by both, with nothing sent.
    let whole = Request::from_url(url.as_str()).unwrap();
    let before = harness.requests_received();
    let estimated = harness.provider().estimate(&whole).await.unwrap_err();
    let submitted = harness.provider().submit(&whole).await.unwrap_err();
    assert_eq!(harness.requests_received(), before);
    assert_eq!(
        (estimated.kind(), estimated.field()),
        (submitted.kind(), submitted.field())
    );
    assert_eq!(estimated.field(), Some("PdfPageNumber"));
    let usage = harness.provider().estimate(&card).await.unwrap();
    assert_eq!(
        usage.calls,
        BTreeMap::from([("ApplyCardVerificationExternal".to_owned(), 1)])
    );
    let usage = harness.provider().estimate(&fields).await.unwrap();
    assert_eq!(
        (usage.calls.get("ExtractDocMulti"), usage.pages),
        (Some(&2), 2)
    );
}

/// A provider that bills what `inner` bills, but reports one call of `phantom` more in its
/// estimates, and (when `in_documents`) in its documents too.
#[derive(Debug)]
struct Miscounting {
    inner: Arc<dyn OcrProvider>,
    in_documents: bool,
}

fn with_phantom_call(mut usage: Usage) -> Usage {
    usage.call("GeneralAccurateOCR");
    usage
}

#[async_trait::async_trait]
impl OcrProvider for Miscounting {
    fn id(&self) -> &'static str {
        self.inner.id()
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }

    async fn submit(&self, request: &Request) -> Result<Job> {
        self.inner.submit(request).await
    }

    async fn poll(&self, job: &Job) -> Result<JobStatus> {
        self.inner.poll(job).await
    }

    async fn estimate(&self, request: &Request) -> Result<Usage> {
        Ok(with_phantom_call(self.inner.estimate(request).await?))
    }

    async fn recognize(&self, request: &Request) -> Result<Document> {
        let mut doc = self.inner.recognize(request).await?;
        if self.in_documents {
            doc.usage = with_phantom_call(doc.usage);
        }
        Ok(doc)
    }
}

/// The tc-ocr harness, handing out a miscounting provider.
struct MiscountingHarness {
    inner: TcOcrHarness,
    in_documents: bool,
}

#[async_trait::async_trait]
impl Harness for MiscountingHarness {
    fn provider(&self) -> Arc<dyn OcrProvider> {
        Arc::new(Miscounting {
            inner: self.inner.provider(),
            in_documents: self.in_documents,
        })
    }

    fn requests_received(&self) -> usize {
        self.inner.requests_received()
    }

    fn billed_calls(&self) -> BTreeMap<String, u64> {
        self.inner.billed_calls()
    }

    fn pdf(&self, pages: &[Vec<String>]) -> Vec<u8> {
        self.inner.pdf(pages)
    }

    fn image(&self, lines: &[String]) -> Vec<u8> {
        self.inner.image(lines)
    }

    async fn arrange_task_failure(&self) -> (Request, String) {
        self.inner.arrange_task_failure().await
    }
}

/// The billing check catches an estimate that differs from the document, and a document
/// whose calls differ from what the backend billed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_count_fails_the_billing_check() {
    for in_documents in [false, true] {
        let harness = MiscountingHarness {
            inner: TcOcrHarness(quick_emulator().await),
            in_documents,
        };
        let failure = estimate_matches_billing(&harness)
            .await
            .expect_err("a phantom call went unnoticed");
        let expected = if in_documents {
            "the backend billed"
        } else {
            "estimated calls"
        };
        assert!(failure.message.contains(expected), "{failure}");
    }
}

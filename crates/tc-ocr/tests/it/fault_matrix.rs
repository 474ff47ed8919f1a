//! The fault matrix (issue 13) for the synchronous provider: 20 documents go through
//! `OcrProvider::recognize` at once with a transient fault on every 3rd `GeneralAccurateOCR`
//! call. Every call is billed, so what the client may do depends on the fault:
//!
//! - a throttling answer, an `InternalError` answer or a bare 502 from a gateway proves the
//!   service did not run the recognition: the call is resent, and at least 19 of 20 documents
//!   end done with the right text;
//! - an answer cut short or garbled comes after the recognition ran (and was billed): the call
//!   is never resent, the document fails as `OutcomeUnknown`, and it is billed exactly once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};
use tc_ocr::prelude::*;

use ocr_core::retry::FixedJitter;
use ocr_core::{ErrorKind, OcrProvider, Request, RetryPolicy};
use ocr_emulator::samples::png_with_text;
use ocr_emulator::{Emulator, EmulatorConfig, Fault};
use tc_ocr::{Endpoint, TencentOcr};

const DOCS: usize = 20;
const ACTION: &str = "GeneralAccurateOCR";

/// (name, fault, whether the client can ride it out)
fn kinds() -> Vec<(&'static str, Fault, bool)> {
    vec![
        ("server error", Fault::server_error(), true),
        ("bare HTTP 502", Fault::http_status(502), true),
        ("throttle", Fault::throttle(), true),
        ("truncated body", Fault::truncated_body(), false),
        ("malformed body", Fault::malformed_body(), false),
    ]
}

struct Outcome {
    done: usize,
    failures: Vec<ocr_core::Error>,
    requests: usize,
    faulted: usize,
    billed: u64,
}

async fn run(kind: &str, fault: &Fault) -> Outcome {
    let emulator = Emulator::start(
        EmulatorConfig::default()
            .without_rate_limits()
            .with_record_capacity(20_000)
            .with_seed(37),
    )
    .await
    .unwrap();
    emulator.inject(fault.clone().for_action(ACTION).every(3));
    let provider: Arc<dyn OcrProvider> = Arc::new(
        TencentOcr::builder()
            .endpoint(Endpoint::Custom(emulator.endpoints().tencent))
            .credential(ocr_emulator::test_credential())
            .no_rate_limit(ACTION)
            .retry(
                RetryPolicy::default()
                    .with_max_attempts(6)
                    .with_base_delay(Duration::from_millis(2))
                    .with_max_delay(Duration::from_millis(20))
                    .with_jitter(FixedJitter(1.0)),
            )
            .build()
            .unwrap(),
    );

    let runs: Vec<_> = (0..DOCS)
        .map(|i| {
            let provider = Arc::clone(&provider);
            tokio::spawn(async move {
                let text = format!("Document {i} of the matrix");
                let png = png_with_text(640, 480, &text);
                let request = Request::from_bytes(png, Some("page.png"));
                (text, provider.recognize(&request).await)
            })
        })
        .collect();
    let mut done = 0;
    let mut failures = Vec::new();
    for run in runs {
        let (text, result) = run.await.unwrap();
        match result {
            Ok(doc) => {
                assert_eq!(doc.text(), text, "{kind}: a document came back wrong");
                done += 1;
            }
            Err(err) => {
                assert_eq!(err.provider(), Some("tc-ocr"), "{kind}: {err}");
                assert_eq!(err.operation(), Some(ACTION), "{kind}: {err}");
                failures.push(err);
            }
        }
    }
    let records = emulator.recorded_requests();
    let calls: Vec<_> = records
        .iter()
        .filter(|r| r.action.as_deref() == Some(ACTION))
        .collect();
    let outcome = Outcome {
        done,
        failures,
        requests: calls.len(),
        faulted: calls.iter().filter(|r| r.fault.is_some()).count(),
        billed: emulator
            .submission_counts()
            .get(ACTION)
            .copied()
            .unwrap_or(0),
    };
    println!(
        "tc-ocr | {kind:<15} | done {:>2}/{DOCS} | failed {} | faulted requests {:>3} \
         | requests {:>3} | billed {}",
        outcome.done,
        outcome.failures.len(),
        outcome.faulted,
        outcome.requests,
        outcome.billed
    );
    outcome
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_documents_ride_out_what_may_be_resent_and_are_never_billed_twice() {
    let start = Instant::now();
    for (kind, fault, ridden_out) in kinds() {
        let out = run(kind, &fault).await;
        if ridden_out {
            assert!(
                out.done >= DOCS - 1,
                "{kind}: only {} of {DOCS} done: {:#?}",
                out.done,
                out.failures
            );
            // Resent only when the service did not run it: one billed call per document done.
            assert!(out.billed as usize <= DOCS, "{kind}");
            assert!(out.billed as usize >= out.done, "{kind}");
        } else {
            // Nothing is resent: one call per document, each billed, and every document whose
            // answer broke fails as OutcomeUnknown.
            assert_eq!(out.requests, DOCS, "{kind}: a billed call was resent");
            assert_eq!(out.billed as usize, DOCS, "{kind}");
            assert_eq!(out.faulted, out.failures.len(), "{kind}");
            assert_eq!(out.done + out.failures.len(), DOCS, "{kind}");
            for err in &out.failures {
                assert_eq!(err.kind(), ErrorKind::OutcomeUnknown, "{kind}: {err}");
            }
        }
    }
    println!("tc-ocr matrix: {:?}", start.elapsed());
}

//! Retries follow what each operation really is (issue 13), against the emulator: a status query
//! or result download whose answer is cut short or garbled is asked again, within the runtime's
//! retry loop; the create that started the task is not sent twice.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use lkeap::prelude::*;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use lkeap::{Lkeap, LkeapBuilder, Site};
use ocr_core::clock::Clock;
use ocr_core::retry::FixedJitter;
use ocr_core::{OcrProvider, PollPolicy, Request, RetryPolicy};
use ocr_emulator::samples::png_with_text;
use ocr_emulator::{
    ClockMode, Emulator, EmulatorClock, EmulatorConfig, Fault, RecordedRequest, Service,
    ServiceDurations, TaskDurations,
};

const START: u64 = 1_700_000_000;
const GET_RESULT: &str = "GetReconstructDocumentResult";
const CREATE: &str = "CreateReconstructDocumentFlow";

/// The client signs with the emulator's time, however far a test moves it.
#[derive(Debug)]
struct EmulatorTime(EmulatorClock);

impl Clock for EmulatorTime {
    fn now(&self) -> SystemTime {
        self.0.now_system_time()
    }
}

async fn emulator() -> Emulator {
    Emulator::start(
        EmulatorConfig::default()
            .with_clock(ClockMode::Manual { start_unix: START })
            .with_service_durations(ServiceDurations::all(TaskDurations::new(
                Duration::from_secs(2),
                Duration::from_secs(8),
            )))
            .with_seed(29),
    )
    .await
    .unwrap()
}

fn builder(emulator: &Emulator) -> LkeapBuilder {
    Lkeap::builder()
        .site(Site::Domestic)
        .endpoint(tc_api::Endpoint::Custom(emulator.endpoints().tencent))
        .credential(ocr_emulator::test_credential())
        .clock(Arc::new(EmulatorTime(emulator.clock().clone())))
        .retry(
            RetryPolicy::default()
                .with_base_delay(Duration::from_millis(10))
                .with_jitter(FixedJitter(1.0)),
        )
        .poll_policy(PollPolicy::fixed(
            Duration::from_millis(10),
            Duration::from_secs(10),
        ))
}

/// Moves the manual emulator clock forward in the background (500 ms every 5 ms).
fn tick(emulator: &Emulator) -> tokio::task::JoinHandle<()> {
    let clock = emulator.clock().clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(5)).await;
            clock.advance(Duration::from_millis(500));
        }
    })
}

fn requests_of(emulator: &Emulator, action: &str) -> Vec<RecordedRequest> {
    emulator
        .recorded_requests()
        .into_iter()
        .filter(|r| r.action.as_deref() == Some(action))
        .collect()
}

#[tokio::test]
async fn status_queries_and_downloads_cut_short_or_garbled_are_asked_again() {
    for action in [GET_RESULT, "GetFile"] {
        for fault in [Fault::truncated_body(), Fault::malformed_body()] {
            let emulator = emulator().await;
            let client = builder(&emulator).build().unwrap();
            emulator.inject(fault.clone().for_action(action).times(2));
            let ticker = tick(&emulator);

            let doc = client
                .recognize(&Request::from_bytes(
                    png_with_text(800, 600, "Meeting notes\nDecision: ship it"),
                    Some("notes.png"),
                ))
                .await
                .unwrap_or_else(|e| panic!("{action} {fault:?}: {e}"));
            ticker.abort();

            let md = doc.markdown.unwrap();
            assert!(
                md.starts_with("# Meeting notes\n\nDecision: ship it\n"),
                "{action} {fault:?}: {md}"
            );
            let faulted = requests_of(&emulator, action)
                .iter()
                .filter(|r| r.fault.is_some())
                .count();
            assert_eq!(faulted, 2, "{action} {fault:?}");
            assert_eq!(requests_of(&emulator, CREATE).len(), 1);
            assert_eq!(emulator.submissions(Service::Lkeap), 1);
        }
    }
}

#[tokio::test]
async fn an_archive_garbled_on_the_way_is_downloaded_again_for_extraction() {
    let emulator = emulator().await;
    let client = builder(&emulator).build().unwrap();
    let png = png_with_text(800, 600, "Meeting notes\nDecision: ship it");
    let job = client
        .submit(&Request::from_bytes(png, Some("notes.png")))
        .await
        .unwrap();
    emulator.clock().advance(Duration::from_secs(30));
    let response = client
        .get_reconstruct_document_result(&job.task_id)
        .await
        .unwrap();
    emulator.inject(Fault::malformed_body().for_action("GetFile").times(1));
    let dir = tempfile::tempdir().unwrap();

    let written = client
        .extract_reconstruct_archive(&job.task_id, &response, dir.path())
        .await
        .unwrap();

    assert!(!written.is_empty());
    let downloads = requests_of(&emulator, "GetFile");
    assert_eq!(downloads.len(), 2);
    assert!(downloads[0].fault.is_some());
    assert!(written
        .iter()
        .all(|p| p.starts_with(dir.path()) && p.exists()));
}

//! End to end against the in-process emulator: TC3-signed LKEAP calls checked as the service
//! checks them, the parse task's whole lifecycle on a manual clock, the result zip downloaded
//! and mapped into a `Document`, through the public API only.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use lkeap::prelude::*;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use lkeap::{
    FileType, Lkeap, LkeapBuilder, ReconstructDocumentSseRequest, ReconstructResult, ResultArchive,
    Site, TaskStatus,
};
use ocr_core::clock::Clock;
use ocr_core::retry::FixedJitter;
use ocr_core::{ErrorKind, Job, JobStatus, OcrProvider, PollPolicy, Request, RetryPolicy};
use ocr_emulator::samples::{pdf_with_text, png_with_text};
use ocr_emulator::{
    ClockMode, Emulator, EmulatorClock, EmulatorConfig, Fault, Service, ServiceDurations,
    TaskDurations,
};

/// Where the manual emulator clock starts.
const START: u64 = 1_700_000_000;
/// Queued 2 s, then processing 8 s, on the emulator clock.
const QUEUED: Duration = Duration::from_secs(2);
const PROCESSING: Duration = Duration::from_secs(8);

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
                QUEUED, PROCESSING,
            )))
            .with_seed(11),
    )
    .await
    .unwrap()
}

/// On the domestic site (region `ap-guangzhou`, ResultType 5 with the page JSON files).
fn builder(emulator: &Emulator) -> LkeapBuilder {
    Lkeap::builder()
        .site(Site::Domestic)
        .endpoint(tc_api::Endpoint::Custom(emulator.endpoints().tencent))
        .credential(ocr_emulator::test_credential())
        .clock(Arc::new(EmulatorTime(emulator.clock().clone())))
        .retry(RetryPolicy::default().with_jitter(FixedJitter(0.0)))
        .poll_policy(PollPolicy::fixed(
            Duration::from_millis(10),
            Duration::from_secs(5),
        ))
}

/// Moves the manual emulator clock forward in the background, 500 ms of emulated time every
/// 5 ms of real time, so `recognize` sees the task go through its phases.
fn tick(emulator: &Emulator) -> tokio::task::JoinHandle<()> {
    let clock = emulator.clock().clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(5)).await;
            clock.advance(Duration::from_millis(500));
        }
    })
}

fn report_pdf() -> Vec<u8> {
    pdf_with_text(&[
        &["Annual report 2025", "Revenue: 12.5 million"],
        &["Outlook", "Growth is expected."],
    ])
}

const PAGE_1_MD: &str =
    "# Annual report 2025\n\nRevenue: 12.5 million\n\n![image](images/document_1.png)\n";
const PAGE_2_MD: &str = "Outlook\n\nGrowth is expected.\n";

/// The document of the report: Markdown of the whole and of each page, the other files.
fn assert_report(doc: &ocr_core::Document) {
    assert_eq!(doc.provider, "lkeap");
    assert_eq!(
        doc.markdown.as_deref(),
        Some(format!("{PAGE_1_MD}\n{PAGE_2_MD}").as_str())
    );
    assert_eq!(doc.pages.len(), 2);
    assert_eq!(doc.pages[0].number, 1);
    assert_eq!(doc.pages[0].markdown.as_deref(), Some(PAGE_1_MD));
    assert_eq!(doc.pages[1].number, 2);
    assert_eq!(doc.pages[1].markdown.as_deref(), Some(PAGE_2_MD));
    let mut names: Vec<&str> = doc.files.iter().map(|f| f.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["images/document_1.png", "pages/1.json", "pages/2.json"]
    );
    let page_json = doc.files.iter().find(|f| f.name == "pages/2.json").unwrap();
    let json: serde_json::Value = serde_json::from_slice(page_json.data.as_ref().unwrap()).unwrap();
    assert_eq!(json["lines"][1]["text"], "Growth is expected.");
    let image = doc.files.iter().find(|f| f.name.ends_with(".png")).unwrap();
    assert!(image.data.as_ref().unwrap().starts_with(b"\x89PNG"));
    assert_eq!(image.media_type.as_deref(), Some("image/png"));
    let native = doc.native::<ReconstructResult>().unwrap();
    assert_eq!(native.response.status, Some(TaskStatus::Success));
    assert_eq!(native.response.usage.as_ref().unwrap().page_number, Some(2));
}

#[tokio::test]
async fn recognize_parses_a_pdf_into_markdown_and_pages() {
    let emulator = emulator().await;
    let client = builder(&emulator).build().unwrap();
    let ticker = tick(&emulator);

    let doc = client
        .recognize(&Request::from_bytes(report_pdf(), Some("report.pdf")))
        .await
        .unwrap();
    ticker.abort();

    assert_report(&doc);
    assert_eq!(doc.request_ids.len(), 2, "create and the final poll");
    assert_eq!(emulator.submissions(Service::Lkeap), 1);
    let actions: Vec<String> = emulator
        .recorded_requests()
        .into_iter()
        .filter(|r| r.service == Service::Lkeap)
        .filter_map(|r| r.action)
        .collect();
    assert_eq!(actions[0], "CreateReconstructDocumentFlow");
    assert!(actions[1..]
        .iter()
        .all(|a| a == "GetReconstructDocumentResult"));
    assert!(actions.len() >= 2, "{actions:?}");
}

#[tokio::test]
async fn a_submitted_job_is_polled_through_its_phases_by_a_later_process() {
    let emulator = emulator().await;
    let first = builder(&emulator).build().unwrap();
    let job = first
        .submit(&Request::from_bytes(report_pdf(), Some("report.pdf")))
        .await
        .unwrap();
    assert_eq!(job.provider, "lkeap");
    assert_eq!(job.created_at, START);
    assert_eq!(job.expires_at, Some(START + 30 * 24 * 3600));
    assert_eq!(job.meta("region"), Some("ap-guangzhou"));
    assert_eq!(job.meta("site"), Some("domestic"));
    let create_request_id = job.meta("request_id").unwrap().to_owned();

    let state = |status: JobStatus| match status {
        JobStatus::Pending(p) => p.state.unwrap(),
        other => panic!("expected a pending job, got {other:?}"),
    };
    assert_eq!(state(first.poll(&job).await.unwrap()), "WaitExecute");
    emulator.clock().advance(QUEUED);
    assert_eq!(state(first.poll(&job).await.unwrap()), "Processing");

    // The first process stops; the job is all a later one has.
    let saved = serde_json::to_string(&job).unwrap();
    drop(first);
    let job: Job = serde_json::from_str(&saved).unwrap();
    let later = builder(&emulator).build().unwrap();
    assert_eq!(state(later.poll(&job).await.unwrap()), "Processing");
    emulator.clock().advance(PROCESSING);

    let JobStatus::Done(doc) = later.poll(&job).await.unwrap() else {
        panic!("expected the result");
    };
    assert_report(&doc);
    assert_eq!(doc.request_ids[0], create_request_id);
    assert_eq!(emulator.submissions(Service::Lkeap), 1);
    // The result file was fetched from the emulator's signed URL.
    let download = emulator
        .recorded_requests()
        .into_iter()
        .find(|r| r.service == Service::Files)
        .unwrap();
    assert_eq!(download.status, Some(200));
}

#[tokio::test]
async fn an_expired_result_url_is_replaced_by_a_fresh_one() {
    let emulator = emulator().await;
    let client = builder(&emulator).build().unwrap();
    let job = client
        .submit(&Request::from_bytes(report_pdf(), Some("report.pdf")))
        .await
        .unwrap();
    emulator.clock().advance(QUEUED + PROCESSING);
    let done = client
        .get_reconstruct_document_result(&job.task_id)
        .await
        .unwrap();
    assert_eq!(done.status, Some(TaskStatus::Success));
    assert!(done.result_url().is_some());

    // Half an hour later the URL has expired.
    emulator.clock().advance(Duration::from_secs(31 * 60));
    emulator.clear_recorded();
    let archive = client
        .download_reconstruct_archive(&job.task_id, &done)
        .await
        .unwrap();

    assert_eq!(
        archive.markdown(),
        Some(format!("{PAGE_1_MD}\n{PAGE_2_MD}").as_str())
    );
    let seen: Vec<(String, Option<u16>)> = emulator
        .recorded_requests()
        .into_iter()
        .map(|r| (r.action.unwrap_or_else(|| r.service.to_string()), r.status))
        .collect();
    let kinds: Vec<&str> = seen.iter().map(|(a, _)| a.as_str()).collect();
    // The URL says when it expires (q-sign-time): a fresh one is asked for at once.
    assert_eq!(kinds.len(), 2, "{seen:?}");
    assert_eq!(kinds[0], "GetReconstructDocumentResult");
    assert_eq!(seen[1].1, Some(200));

    // A client whose clock does not see the expiry tries the stale URL, is refused, and
    // then asks for a fresh one.
    let behind = builder(&emulator)
        .clock(Arc::new(ocr_core::FixedClock::at_unix(START)))
        .build()
        .unwrap();
    emulator.clear_recorded();
    let archive = behind
        .download_reconstruct_archive(&job.task_id, &done)
        .await
        .unwrap();
    assert!(archive.markdown().is_some());
    let seen: Vec<(String, Option<u16>)> = emulator
        .recorded_requests()
        .into_iter()
        .map(|r| (r.action.unwrap_or_else(|| r.service.to_string()), r.status))
        .collect();
    let kinds: Vec<&str> = seen.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(seen[0].1, Some(403), "the stale URL is refused: {seen:?}");
    assert_eq!(seen.last().and_then(|s| s.1), Some(200), "{seen:?}");
    let middle = &kinds[1..kinds.len() - 1];
    assert!(
        !middle.is_empty() && middle.iter().all(|k| *k == "GetReconstructDocumentResult"),
        "{seen:?}"
    );
}

#[tokio::test]
async fn an_injected_task_failure_surfaces_with_its_code_and_request_id() {
    let emulator = emulator().await;
    let client = builder(&emulator).build().unwrap();
    emulator.inject(
        Fault::task_failure("FailedOperation.FileParseError", "file parse timeout")
            .for_action("CreateReconstructDocumentFlow"),
    );
    let job = client
        .submit(&Request::from_bytes(report_pdf(), Some("report.pdf")))
        .await
        .unwrap();
    assert!(matches!(
        client.poll(&job).await.unwrap(),
        JobStatus::Pending(_)
    ));
    emulator.clock().advance(QUEUED + PROCESSING);

    let JobStatus::Failed(err) = client.poll(&job).await.unwrap() else {
        panic!("expected a failed task");
    };
    assert_eq!(err.kind(), ErrorKind::TaskFailed);
    assert_eq!(err.code(), Some("FailedOperation.FileParseError"));
    assert_eq!(err.message(), "file parse timeout");
    assert_eq!(err.provider(), Some("lkeap"));
    assert_eq!(err.operation(), Some("GetReconstructDocumentResult"));
    assert!(err.request_id().is_some_and(|id| !id.is_empty()));
    // And `recognize` ends with the same error.
    emulator.inject(Fault::task_failure(
        "FailedOperation.FileParseError",
        "file parse timeout",
    ));
    let ticker = tick(&emulator);
    let err = client
        .recognize(&Request::from_bytes(report_pdf(), Some("report.pdf")))
        .await
        .unwrap_err();
    ticker.abort();
    assert_eq!(err.kind(), ErrorKind::TaskFailed);
    assert_eq!(err.code(), Some("FailedOperation.FileParseError"));
}

#[tokio::test]
async fn an_image_is_parsed_from_its_text() {
    let emulator = emulator().await;
    let client = builder(&emulator).build().unwrap();
    let ticker = tick(&emulator);
    let png = png_with_text(800, 600, "Meeting notes\nDecision: ship it");
    let doc = client
        .recognize(&Request::from_bytes(png, Some("notes.png")))
        .await
        .unwrap();
    ticker.abort();
    let md = doc.markdown.unwrap();
    assert!(
        md.starts_with("# Meeting notes\n\nDecision: ship it\n"),
        "{md}"
    );
    assert_eq!(doc.pages.len(), 1);
}

#[tokio::test]
async fn the_event_stream_is_read_to_its_final_event() {
    let emulator = emulator().await;
    let client = builder(&emulator).build().unwrap();
    let request =
        ReconstructDocumentSseRequest::from_base64(FileType::Pdf, STANDARD.encode(report_pdf()));

    let stream = client.reconstruct_document_sse(&request).await.unwrap();
    assert!(stream.request_id().is_some_and(|id| !id.is_empty()));
    let last = stream.final_event().await.unwrap();

    assert!(last.is_final());
    assert_eq!(last.percent(), Some(100));
    assert_eq!(last.success_page_num, Some(2));
    assert_eq!(last.fail_page_num, Some(0));
    let url = last.result_url().unwrap().clone();
    let zip = client.download_zip(&url).await.unwrap();
    let archive = ResultArchive::from_zip(&zip, client.archive_limits()).unwrap();
    // The stream's default ResultType is "3": the whole Markdown plus per-page JSON.
    assert_eq!(
        archive.markdown(),
        Some(format!("{PAGE_1_MD}\n{PAGE_2_MD}").as_str())
    );
    assert_eq!(archive.page_json_entries().len(), 2);
    assert_eq!(emulator.submissions(Service::Lkeap), 1);
}

#[tokio::test]
async fn a_wrong_secret_key_is_refused() {
    let emulator = emulator().await;
    let client = builder(&emulator)
        .credential(tc_signing::Credential::new(
            ocr_emulator::SECRET_ID,
            "wrong-secret-key",
        ))
        .build()
        .unwrap();
    let err = client
        .submit(&Request::from_bytes(report_pdf(), Some("report.pdf")))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert_eq!(err.code(), Some("AuthFailure.SignatureFailure"));
    assert!(err.request_id().is_some());
    assert_eq!(emulator.submissions(Service::Lkeap), 0);
}

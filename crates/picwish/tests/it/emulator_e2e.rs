//! End to end against the in-process emulator: `X-API-KEY` checked, local files streamed as
//! multipart uploads, tasks polled through their states on a manual clock, result files
//! downloaded and mapped into `Document`s, through the public API only.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use picwish::prelude::*;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use ocr_core::clock::Clock;
use ocr_core::retry::FixedJitter;
use ocr_core::{ErrorKind, Job, JobStatus, OcrProvider, Request, RetryPolicy};
use ocr_emulator::samples::png_with_text;
use ocr_emulator::{
    ClockMode, Emulator, EmulatorClock, EmulatorConfig, Fault, Service, ServiceDurations,
    TaskDurations, PICWISH_CREATE_ACTION,
};
use picwish::{CreateTask, PicWish, PicWishBuilder, ResultFormat, TaskInfo, TaskState};

const START: u64 = 1_700_000_000;
/// Queued 2 s, then processing 8 s, on the emulator clock.
const QUEUED: Duration = Duration::from_secs(2);
const PROCESSING: Duration = Duration::from_secs(8);

/// The client reads the emulator's time (job times, result expiry).
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
            .with_seed(3),
    )
    .await
    .unwrap()
}

fn builder(emulator: &Emulator) -> PicWishBuilder {
    PicWish::builder()
        .api_key(ocr_emulator::PICWISH_API_KEY)
        .base_url(emulator.endpoints().picwish.as_str())
        .clock(Arc::new(EmulatorTime(emulator.clock().clone())))
        .retry(RetryPolicy::default().with_jitter(FixedJitter(0.0)))
        .poll_interval(Duration::from_millis(100))
        .wait_deadline(Duration::from_secs(5))
}

/// Moves the manual emulator clock forward in the background (1 s every 5 ms).
fn tick(emulator: &Emulator) -> tokio::task::JoinHandle<()> {
    let clock = emulator.clock().clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(5)).await;
            clock.advance(Duration::from_secs(1));
        }
    })
}

const SCAN_TEXT: &str = "Quarterly summary\nRevenue: 12.5 million\nOutlook: stable";

/// A PNG carrying `SCAN_TEXT`, written to a file of its own.
fn scan_file(dir: &tempfile::TempDir) -> PathBuf {
    let path = dir.path().join("scan.png");
    std::fs::write(&path, png_with_text(1200, 900, SCAN_TEXT)).unwrap();
    path
}

fn lines(doc: &ocr_core::Document) -> Vec<&str> {
    doc.lines().map(|l| l.text.as_str()).collect()
}

#[tokio::test]
async fn recognize_streams_a_local_png_and_reads_the_txt_result() {
    let emulator = emulator().await;
    let client = builder(&emulator).build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = scan_file(&dir);
    let size = std::fs::metadata(&path).unwrap().len();
    let ticker = tick(&emulator);

    let doc = client.recognize(&Request::from_path(&path)).await.unwrap();
    ticker.abort();

    assert_eq!(doc.provider, "picwish");
    assert_eq!(
        lines(&doc),
        [
            "Quarterly summary",
            "Revenue: 12.5 million",
            "Outlook: stable"
        ]
    );
    assert!(doc.files.is_empty());
    let info = doc.native::<TaskInfo>().unwrap();
    assert_eq!(info.state, TaskState::Succeeded);
    assert_eq!(info.progress_percent(), Some(100));
    assert_eq!(emulator.submissions(Service::PicWish), 1);
    let create = emulator
        .recorded_requests()
        .into_iter()
        .find(|r| r.action.as_deref() == Some(PICWISH_CREATE_ACTION))
        .unwrap();
    assert_eq!(create.status, Some(200));
    assert!(create.body_size >= size, "the whole file was uploaded");
    let content_type = create
        .headers
        .iter()
        .find(|(n, _)| n == "content-type")
        .map(|(_, v)| v.as_str())
        .unwrap();
    assert!(content_type.starts_with("multipart/form-data; boundary="));
    // The API key is redacted in the record.
    let key = create
        .headers
        .iter()
        .find(|(n, _)| n == "x-api-key")
        .map(|(_, v)| v.as_str())
        .unwrap();
    assert_eq!(key, ocr_emulator::REDACTED);
}

#[tokio::test]
async fn a_job_goes_queued_processing_done_and_a_later_process_finishes_it() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let path = scan_file(&dir);
    let first = builder(&emulator).build().unwrap();

    let job = first.submit(&Request::from_path(&path)).await.unwrap();
    assert_eq!(job.provider, "picwish");
    assert_eq!(job.created_at, START);
    assert_eq!(job.meta("format"), Some("txt"));
    assert_eq!(job.expires_at, Some(START + 3600));

    let pending = |status: JobStatus| match status {
        JobStatus::Pending(p) => (p.state.unwrap(), p.percent),
        other => panic!("expected a pending job, got {other:?}"),
    };
    assert_eq!(
        pending(first.poll(&job).await.unwrap()),
        ("queued".into(), Some(0))
    );
    emulator.clock().advance(QUEUED);
    assert_eq!(
        pending(first.poll(&job).await.unwrap()),
        ("preparing".into(), Some(0))
    );
    emulator.clock().advance(PROCESSING / 2);
    assert_eq!(
        pending(first.poll(&job).await.unwrap()),
        ("processing".into(), Some(50))
    );

    let saved = serde_json::to_string(&job).unwrap();
    drop(first);
    let job: Job = serde_json::from_str(&saved).unwrap();
    let later = builder(&emulator).build().unwrap();
    emulator.clock().advance(PROCESSING / 2);
    let JobStatus::Done(doc) = later.poll(&job).await.unwrap() else {
        panic!("expected the result");
    };
    assert_eq!(doc.text(), SCAN_TEXT);
    let info = doc.native::<TaskInfo>().unwrap();
    assert_eq!(info.created_at_unix(), Some(START));
    assert_eq!(
        info.completed_at_unix(),
        Some(START + (QUEUED + PROCESSING).as_secs())
    );
    assert_eq!(emulator.submissions(Service::PicWish), 1);
}

#[tokio::test]
async fn a_docx_result_becomes_an_artifact() {
    let emulator = emulator().await;
    let client = builder(&emulator).build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = scan_file(&dir);
    let ticker = tick(&emulator);

    let doc = client
        .recognize(&Request::from_path(&path).with_result_format("docx"))
        .await
        .unwrap();
    ticker.abort();

    assert!(doc.pages.is_empty());
    assert_eq!(doc.files.len(), 1);
    let file = &doc.files[0];
    assert_eq!(file.name, "scan.docx");
    assert_eq!(
        file.media_type.as_deref(),
        Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    );
    let data = file.data.as_ref().unwrap();
    assert!(data.starts_with(b"PK"), "a zip container");
    // A Word document: its main part is named in the zip directory.
    assert!(data
        .windows(b"word/document.xml".len())
        .any(|w| w == b"word/document.xml"));
    let info = doc.native::<TaskInfo>().unwrap();
    assert_eq!(file.expires_at, info.result_expires_at());
}

#[tokio::test]
async fn the_typed_flow_creates_from_bytes_and_waits_for_a_pdf() {
    let emulator = emulator().await;
    let client = builder(&emulator).build().unwrap();
    let task = CreateTask::from_bytes(png_with_text(640, 480, "Hello PDF"), Some("hello.png"))
        .with_language(["English", "Digits"])
        .with_format(ResultFormat::Pdf);
    let created = client.create(&task).await.unwrap();
    assert_eq!(created.status, 200);
    emulator.clock().advance(QUEUED + PROCESSING);
    let doc = client
        .wait(&created.data.task_id, task.format())
        .await
        .unwrap();
    assert_eq!(doc.files[0].name, "hello.pdf");
    assert!(doc.files[0].data.as_ref().unwrap().starts_with(b"%PDF-"));
}

#[tokio::test]
async fn a_negative_state_is_a_task_failure_with_its_code() {
    let emulator = emulator().await;
    let client = builder(&emulator).build().unwrap();
    emulator.inject(
        Fault::task_failure("-8", "Processing timed out.").for_action(PICWISH_CREATE_ACTION),
    );
    let dir = tempfile::tempdir().unwrap();
    let job = client
        .submit(&Request::from_path(scan_file(&dir)))
        .await
        .unwrap();
    emulator.clock().advance(QUEUED + PROCESSING);

    let JobStatus::Failed(err) = client.poll(&job).await.unwrap() else {
        panic!("expected a failed task");
    };
    assert_eq!(err.kind(), ErrorKind::TaskFailed);
    assert_eq!(err.code(), Some("-8"));
    assert_eq!(err.provider(), Some("picwish"));
    assert!(err.message().contains(&job.task_id), "{err}");
    assert!(err.message().contains("timed out"), "{err}");
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn an_invalid_image_state_is_the_callers_input() {
    let emulator = emulator().await;
    let client = builder(&emulator).build().unwrap();
    emulator.inject(Fault::task_failure("-7", "Invalid image file."));
    let task = CreateTask::from_bytes(png_with_text(640, 480, "x"), Some("x.png"));
    let created = client.create(&task).await.unwrap();
    emulator.clock().advance(QUEUED + PROCESSING);
    let err = client
        .wait(&created.data.task_id, task.format())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(err.code(), Some("-7"));
}

#[tokio::test]
async fn a_429_on_create_is_retried_and_the_file_is_sent_again() {
    let emulator = emulator().await;
    let client = builder(&emulator).build().unwrap();
    emulator.inject(Fault::throttle().for_action(PICWISH_CREATE_ACTION).times(1));
    let dir = tempfile::tempdir().unwrap();
    let path = scan_file(&dir);
    let size = std::fs::metadata(&path).unwrap().len();
    let ticker = tick(&emulator);

    let doc = client.recognize(&Request::from_path(&path)).await.unwrap();
    ticker.abort();

    assert_eq!(doc.text(), SCAN_TEXT);
    let creates: Vec<_> = emulator
        .recorded_requests()
        .into_iter()
        .filter(|r| r.action.as_deref() == Some(PICWISH_CREATE_ACTION))
        .collect();
    assert_eq!(creates.len(), 2);
    assert_eq!(creates[0].status, Some(429));
    assert_eq!(creates[1].status, Some(200));
    assert!(creates[1].body_size >= size);
    assert_eq!(emulator.submissions(Service::PicWish), 1);
}

#[tokio::test]
async fn a_result_past_its_hour_is_expired() {
    let emulator = emulator().await;
    let client = builder(&emulator).build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let job = client
        .submit(&Request::from_path(scan_file(&dir)))
        .await
        .unwrap();
    emulator
        .clock()
        .advance(QUEUED + PROCESSING + Duration::from_secs(3601));
    let err = client.poll(&job).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ResultExpired);
}

#[tokio::test]
async fn a_wrong_api_key_is_refused_while_the_file_is_still_uploading() {
    let emulator = emulator().await;
    let client = builder(&emulator)
        .api_key("not-the-key")
        .no_rate_limits()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = scan_file(&dir);
    // The service refuses the key before it reads the upload; the client must still see the
    // 401, not a connection cut in the middle of the file (an "outcome unknown").
    for _ in 0..5 {
        let err = client.submit(&Request::from_path(&path)).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Auth, "{err:?}");
        assert_eq!(err.http_status(), Some(401));
        assert!(!err.to_string().contains("not-the-key"));
    }
    assert_eq!(emulator.submissions(Service::PicWish), 0);
}

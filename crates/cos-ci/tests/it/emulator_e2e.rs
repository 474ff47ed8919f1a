//! End to end against the in-process emulator: COS-signed uploads, CI `ImageOCR` jobs through
//! their lifecycle on a manual clock, synchronous OCR, temporary keys and failed jobs, through
//! the public API only; results mapped into `Document`s whose text is the sample's.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cos_ci::prelude::*;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use cos_ci::{CosCi, CosCiBuilder, ImageOcr, JobDetail, JobState, OcrType};
use ocr_core::clock::Clock;
use ocr_core::retry::FixedJitter;
use ocr_core::{
    ErrorKind, Job, JobStatus, OcrProvider, Options, OutputKind, PollPolicy, Request, RetryPolicy,
};
use ocr_emulator::samples::{jpeg_with_comment, pdf_with_text, png_with_text};
use ocr_emulator::{
    ClockMode, Emulator, EmulatorClock, EmulatorConfig, Fault, Service, ServiceDurations,
    TaskDurations,
};
use tc_signing::Credential;

const START: u64 = 1_700_000_000;
/// Submitted 2 s, then Running 8 s, on the emulator clock.
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
            .with_seed(5),
    )
    .await
    .unwrap()
}

fn builder(emulator: &Emulator) -> CosCiBuilder {
    let endpoints = emulator.endpoints();
    CosCi::builder()
        .bucket(&endpoints.bucket)
        .region(&endpoints.region)
        .cos_base_url(endpoints.cos.as_str())
        .ci_base_url(endpoints.ci.as_str())
        .credential(ocr_emulator::test_credential())
        .clock(Arc::new(EmulatorTime(emulator.clock().clone())))
        .retry(RetryPolicy::default().with_jitter(FixedJitter(0.0)))
        // CI job queries are rate limited (the emulator allows 10/s): poll at 10/s.
        .poll_policy(PollPolicy::fixed(
            Duration::from_millis(100),
            Duration::from_secs(5),
        ))
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

fn sample(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/samples")
        .join(name)
}

fn actions(emulator: &Emulator) -> Vec<String> {
    emulator
        .recorded_requests()
        .into_iter()
        .filter_map(|r| r.action)
        .collect()
}

#[tokio::test]
async fn recognize_uploads_runs_a_job_maps_the_lines_and_deletes_the_upload() {
    let emulator = emulator().await;
    let client = builder(&emulator)
        .ocr_params(ImageOcr::new(OcrType::General).with_words(true))
        .build()
        .unwrap();
    let ticker = tick(&emulator);

    let doc = client
        .recognize(&Request::from_path(sample("invoice.png")).with_output(OutputKind::Layout))
        .await
        .unwrap();
    ticker.abort();

    assert_eq!(doc.provider, "cos-ci");
    assert_eq!(
        doc.text(),
        "INVOICE No. 2026-0117\nDate: 2026-11-21\nBill to: Example Trading Co.\n\
         Item: OCR credits x 1000\nTotal: 42.00 USD"
    );
    let page = &doc.pages[0];
    assert_eq!(page.number, 1);
    assert_eq!(page.angle, Some(0.0));
    assert!(page.width.is_some() && page.height.is_some());
    for line in &page.lines {
        assert!(line.confidence.is_some_and(|c| (0.0..=1.0).contains(&c)));
        assert!(line.bbox.is_some());
        let chars: String = line.words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(
            chars,
            line.text.replace(' ', ""),
            "IsWord: one word per character"
        );
        assert!(line.words.iter().all(|w| w.bbox.is_some()));
    }
    assert!(!doc.request_ids.is_empty());
    let native = doc.native::<JobDetail>().unwrap();
    assert_eq!(native.state, JobState::Success);

    // Upload, submit, polls, then the upload is deleted.
    let seen = actions(&emulator);
    assert_eq!(seen[0], "PutObject");
    assert_eq!(seen[1], "SubmitJob");
    assert_eq!(seen.last().map(String::as_str), Some("DeleteObject"));
    assert!(seen[2..seen.len() - 1].iter().all(|a| a == "DescribeJobs"));
    let key = native.input.as_ref().unwrap().object.as_deref().unwrap();
    assert!(
        key.starts_with("cloud-ocr/") && key.ends_with(".png"),
        "{key}"
    );
    assert_eq!(emulator.object(&emulator.endpoints().bucket, key), None);
    assert_eq!(emulator.submissions(Service::Ci), 1);
}

#[tokio::test]
async fn a_submitted_job_goes_submitted_running_success_and_a_later_process_finishes_it() {
    let emulator = emulator().await;
    let bucket = emulator.endpoints().bucket;
    let client = builder(&emulator).build().unwrap();
    let jpeg = jpeg_with_comment(1024, 768, "CORNER CAFE\nFlat white 3.80\nTotal 6.20");

    let job = client
        .submit(&Request::from_bytes(jpeg.clone(), Some("receipt.jpg")))
        .await
        .unwrap();
    assert_eq!(job.provider, "cos-ci");
    let key = job.meta("cleanup_key").unwrap().to_owned();
    assert_eq!(job.meta("key"), Some(key.as_str()));
    assert_eq!(job.meta("width"), Some("1024"));
    // The upload is in the bucket, byte for byte.
    assert_eq!(emulator.object(&bucket, &key).as_deref(), Some(&jpeg[..]));

    let state = |status: JobStatus| match status {
        JobStatus::Pending(p) => p.state.unwrap(),
        other => panic!("expected a pending job, got {other:?}"),
    };
    assert_eq!(state(client.poll(&job).await.unwrap()), "Submitted");
    emulator.clock().advance(QUEUED);
    assert_eq!(state(client.poll(&job).await.unwrap()), "Running");

    let saved = serde_json::to_string(&job).unwrap();
    let job: Job = serde_json::from_str(&saved).unwrap();
    let later = builder(&emulator).build().unwrap();
    emulator.clock().advance(PROCESSING);
    let JobStatus::Done(doc) = later.poll(&job).await.unwrap() else {
        panic!("expected the result");
    };
    assert_eq!(doc.text(), "CORNER CAFE\nFlat white 3.80\nTotal 6.20");
    // Without IsWord the placeholder `Words` elements are not words.
    assert!(doc.pages[0].lines.iter().all(|l| l.words.is_empty()));
    assert_eq!(doc.pages[0].width, Some(1024.0));
    assert_eq!(emulator.object(&bucket, &key), None, "upload deleted");
}

#[tokio::test]
async fn a_pdf_page_is_recognised_with_is_pdf() {
    let emulator = emulator().await;
    let client = builder(&emulator).build().unwrap();
    let pdf = pdf_with_text(&[&["Page one"], &["Second page", "Total: 3"]]);
    let ticker = tick(&emulator);
    let doc = client
        .recognize(
            &Request::from_bytes(pdf, Some("doc.pdf"))
                .with_pages(ocr_core::PageRange::single(2).unwrap()),
        )
        .await
        .unwrap();
    ticker.abort();
    assert_eq!(doc.text(), "Second page\nTotal: 3");
    assert_eq!(doc.pages[0].number, 2);
    let detection = doc.native::<JobDetail>().unwrap().detection().unwrap();
    assert_eq!(detection.pdf_page_size, Some(2));
}

#[tokio::test]
async fn synchronous_ocr_reads_an_object_already_in_the_bucket() {
    let emulator = emulator().await;
    let endpoints = emulator.endpoints();
    let client = builder(&emulator).build().unwrap();
    let receipt = std::fs::read(sample("receipt.jpg")).unwrap();
    emulator.put_object(&endpoints.bucket, "scans/receipt 1.jpg", receipt);

    let result = client
        .ocr_object(
            "scans/receipt 1.jpg",
            &ImageOcr::new(OcrType::General).with_words(true),
        )
        .await
        .unwrap();

    let lines: Vec<&str> = result
        .text_detections
        .iter()
        .map(|t| t.detected_text.as_str())
        .collect();
    assert_eq!(
        lines,
        [
            "CORNER CAFE",
            "Flat white 3.80",
            "Croissant 2.40",
            "Total 6.20",
            "Thank you!"
        ]
    );
    assert!(result.request_id.is_some());
    let first = &result.text_detections[0];
    assert_eq!(first.polygon.len(), 4);
    assert_eq!(first.words.len(), "CORNERCAFE".len());
    assert_eq!(emulator.submissions(Service::Cos), 1);
    // The object stays.
    assert!(emulator
        .object(&endpoints.bucket, "scans/receipt 1.jpg")
        .is_some());
}

#[tokio::test]
async fn an_object_already_in_the_bucket_is_submitted_as_a_job_and_kept() {
    let emulator = emulator().await;
    let endpoints = emulator.endpoints();
    let client = builder(&emulator).build().unwrap();
    emulator.put_object(
        &endpoints.bucket,
        "input/form.png",
        png_with_text(900, 700, "Name: Ada\nCity: London"),
    );

    let job = client
        .submit_existing_object("input/form.png", &Options::default())
        .await
        .unwrap();
    assert_eq!(job.meta("cleanup_key"), None);
    emulator.clock().advance(QUEUED + PROCESSING);
    let doc = ocr_core::provider::wait(&client, &job).await.unwrap();

    assert_eq!(doc.text(), "Name: Ada\nCity: London");
    assert!(emulator
        .object(&endpoints.bucket, "input/form.png")
        .is_some());
    // The same through a cos:// URL.
    let url = format!("cos://{}/input/form.png", endpoints.bucket);
    let url = url::Url::parse(&url).unwrap();
    let job = client
        .submit(&Request::new(ocr_core::Source::Url(url)))
        .await
        .unwrap();
    emulator.clock().advance(QUEUED + PROCESSING);
    let doc = ocr_core::provider::wait(&client, &job).await.unwrap();
    assert_eq!(doc.text(), "Name: Ada\nCity: London");
}

#[tokio::test]
async fn temporary_credentials_send_their_token_to_cos_and_ci() {
    let emulator = emulator().await;
    let client = builder(&emulator)
        .credential(ocr_emulator::temporary_test_credential())
        .build()
        .unwrap();
    let ticker = tick(&emulator);
    let doc = client
        .recognize(&Request::from_bytes(
            png_with_text(800, 600, "Temporary keys work"),
            Some("t.png"),
        ))
        .await
        .unwrap();
    ticker.abort();
    assert_eq!(doc.text(), "Temporary keys work");
    let recorded = emulator.recorded_requests();
    let put = recorded
        .iter()
        .find(|r| r.action.as_deref() == Some("PutObject"))
        .unwrap();
    assert!(put.headers.iter().any(|(n, _)| n == "x-cos-security-token"));
    let submit = recorded
        .iter()
        .find(|r| r.action.as_deref() == Some("SubmitJob"))
        .unwrap();
    assert!(submit
        .headers
        .iter()
        .any(|(n, _)| n == "x-ci-security-token" || n == "x-cos-security-token"));
}

#[tokio::test]
async fn temporary_credentials_without_their_token_are_refused() {
    let emulator = emulator().await;
    let client = builder(&emulator)
        .credential(Credential::new(
            ocr_emulator::TEMP_SECRET_ID,
            ocr_emulator::TEMP_SECRET_KEY,
        ))
        .build()
        .unwrap();
    let err = client
        .recognize(&Request::from_bytes(
            png_with_text(800, 600, "x"),
            Some("t.png"),
        ))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert_eq!(err.http_status(), Some(403));
    assert!(err.code().is_some());
    assert!(err.request_id().is_some());
    assert_eq!(emulator.submissions(Service::Ci), 0);
}

#[tokio::test]
async fn a_failed_job_surfaces_its_code_and_message_and_the_upload_is_deleted() {
    let emulator = emulator().await;
    let bucket = emulator.endpoints().bucket;
    let client = builder(&emulator).build().unwrap();
    emulator.inject(
        Fault::task_failure("InternalError", "The OCR engine failed on this image.")
            .for_action("SubmitJob"),
    );
    let job = client
        .submit(&Request::from_bytes(
            png_with_text(800, 600, "Doomed"),
            Some("d.png"),
        ))
        .await
        .unwrap();
    let key = job.meta("cleanup_key").unwrap().to_owned();
    assert!(emulator.object(&bucket, &key).is_some());
    emulator.clock().advance(QUEUED + PROCESSING);

    let JobStatus::Failed(err) = client.poll(&job).await.unwrap() else {
        panic!("expected a failed job");
    };
    assert_eq!(err.kind(), ErrorKind::TaskFailed);
    assert_eq!(err.code(), Some("InternalError"));
    assert_eq!(err.message(), "The OCR engine failed on this image.");
    assert_eq!(err.provider(), Some("cos-ci"));
    assert!(err.request_id().is_some());
    assert_eq!(emulator.object(&bucket, &key), None, "upload deleted");
}

#[tokio::test]
async fn throttled_uploads_are_retried() {
    let emulator = emulator().await;
    let client = builder(&emulator).build().unwrap();
    emulator.inject(Fault::throttle().for_action("PutObject").times(1));
    emulator.inject(Fault::server_error().for_action("DescribeJobs").times(1));
    let ticker = tick(&emulator);
    let doc = client
        .recognize(&Request::from_bytes(
            png_with_text(800, 600, "Retried"),
            Some("r.png"),
        ))
        .await
        .unwrap();
    ticker.abort();
    assert_eq!(doc.text(), "Retried");
    let puts: Vec<Option<u16>> = emulator
        .recorded_requests()
        .into_iter()
        .filter(|r| r.action.as_deref() == Some("PutObject"))
        .map(|r| r.status)
        .collect();
    assert_eq!(puts, [Some(503), Some(200)]);
}

#[tokio::test]
async fn a_wrong_secret_key_is_refused_before_anything_is_stored() {
    let emulator = emulator().await;
    let client = builder(&emulator)
        .credential(Credential::new(ocr_emulator::SECRET_ID, "wrong-key"))
        .build()
        .unwrap();
    let err = client
        .recognize(&Request::from_bytes(
            png_with_text(800, 600, "x"),
            Some("x.png"),
        ))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert_eq!(err.code(), Some("SignatureDoesNotMatch"));
    assert_eq!(err.http_status(), Some(403));
    assert_eq!(err.operation(), Some("PutObject"));
    assert!(err.request_id().is_some());
    assert_eq!(emulator.total_requests(), 1);
}

#[tokio::test]
async fn objects_are_put_headed_and_deleted_with_their_metadata() {
    let emulator = emulator().await;
    let bucket = emulator.endpoints().bucket;
    let client = builder(&emulator).build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("note.txt");
    std::fs::write(&path, "Total: 3\n").unwrap();

    let put = client
        .put_object_file(
            "docs/a note (1).txt",
            &path,
            &cos_ci::PutObjectOptions::default().with_metadata("origin", "e2e"),
        )
        .await
        .unwrap();
    assert!(put.request_id.is_some());
    assert_eq!(
        emulator.object(&bucket, "docs/a note (1).txt").as_deref(),
        Some(&b"Total: 3\n"[..])
    );
    let meta = client
        .head_object("docs/a note (1).txt")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(meta.content_length, Some(9));
    assert_eq!(meta.metadata.get("origin").map(String::as_str), Some("e2e"));
    assert!(meta.etag.is_some() && meta.crc64ecma.is_some());
    assert!(client
        .head_object("docs/missing.txt")
        .await
        .unwrap()
        .is_none());
    client.delete_object("docs/a note (1).txt").await.unwrap();
    assert_eq!(emulator.object(&bucket, "docs/a note (1).txt"), None);
}

#[tokio::test]
async fn templates_are_created_listed_used_updated_and_deleted() {
    let emulator = emulator().await;
    let bucket = emulator.endpoints().bucket;
    let client = builder(&emulator).build().unwrap();
    let created = client
        .create_template(
            "e2e-template",
            &ImageOcr::new(OcrType::General).with_words(true),
        )
        .await
        .unwrap();
    let id = created.template.template_id.clone();
    assert_eq!(created.template.name, "e2e-template");
    assert_eq!(created.template.bucket_id.as_deref(), Some(bucket.as_str()));
    assert!(created.template.create_time.is_some());

    let listed = client
        .describe_templates(&cos_ci::TemplateQuery::default().with_ids([id.as_str()]))
        .await
        .unwrap();
    assert_eq!(listed.total_count, Some(1));
    assert_eq!(listed.template_list[0].template_id, id);

    // A provider that submits with the template.
    let provider = builder(&emulator).template_id(&id).build().unwrap();
    emulator.put_object(&bucket, "in/t.png", png_with_text(800, 600, "Template job"));
    let job = provider
        .submit_existing_object("in/t.png", &Options::default())
        .await
        .unwrap();
    emulator.clock().advance(QUEUED + PROCESSING);
    let doc = ocr_core::provider::wait(&provider, &job).await.unwrap();
    assert_eq!(doc.text(), "Template job");
    assert!(
        !doc.pages[0].lines[0].words.is_empty(),
        "the template asks for words"
    );
    let detail = doc.native::<JobDetail>().unwrap();
    assert_eq!(
        detail.operation.as_ref().unwrap().template_id.as_deref(),
        Some(id.as_str())
    );

    let updated = client
        .update_template(&id, "e2e-template-2", &ImageOcr::new(OcrType::Accurate))
        .await
        .unwrap();
    assert_eq!(updated.template.name, "e2e-template-2");
    let deleted = client.delete_template(&id).await.unwrap();
    assert_eq!(deleted.template_id.as_deref(), Some(id.as_str()));
    let listed = client
        .describe_templates(&cos_ci::TemplateQuery::default())
        .await
        .unwrap();
    assert_eq!(listed.total_count, Some(0));
}

#[tokio::test]
async fn jobs_are_listed_described_and_cancelled() {
    let emulator = emulator().await;
    let bucket = emulator.endpoints().bucket;
    let client = builder(&emulator).build().unwrap();
    emulator.put_object(&bucket, "in/a.png", png_with_text(800, 600, "A"));
    emulator.put_object(&bucket, "in/b.png", png_with_text(800, 600, "B"));
    let a = client
        .submit_job(
            &cos_ci::SubmitJob::with_params("in/a.png", ImageOcr::new(OcrType::General))
                .with_user_data("first"),
        )
        .await
        .unwrap();
    assert_eq!(a.state, JobState::Submitted);
    assert!(a.creation_time.is_some());
    assert_eq!(a.start_time, None, "`-` is no time");
    emulator.clock().advance(Duration::from_secs(1));
    let b = client
        .submit_job(&cos_ci::SubmitJob::with_params(
            "in/b.png",
            ImageOcr::new(OcrType::General),
        ))
        .await
        .unwrap();

    // Both are queued: cancel the second.
    client.cancel_jobs(&[b.job_id.as_str()]).await.unwrap();
    let described = client
        .describe_jobs(&[a.job_id.as_str(), b.job_id.as_str(), "nosuchjob"])
        .await
        .unwrap();
    assert_eq!(described.jobs_detail.len(), 2);
    assert_eq!(described.non_exist_job_ids, ["nosuchjob"]);
    assert_eq!(described.jobs_detail[1].state, JobState::Cancel);

    emulator.clock().advance(QUEUED + PROCESSING);
    let listed = client
        .list_jobs(&cos_ci::ListJobs::default().with_states([JobState::Success]))
        .await
        .unwrap();
    assert_eq!(listed.jobs_detail.len(), 1);
    let done = &listed.jobs_detail[0];
    assert_eq!(done.job_id, a.job_id);
    assert!(done.end_time.is_some());
    assert_eq!(
        done.operation.as_ref().unwrap().user_data.as_deref(),
        Some("first")
    );
    assert_eq!(
        done.detection().unwrap().text_detections[0].detected_text,
        "A"
    );
    // A running job can no longer be cancelled.
    assert!(client.cancel_jobs(&[a.job_id.as_str()]).await.is_err());
}

#[tokio::test]
async fn a_client_clock_far_off_is_corrected_from_the_date_header() {
    #[derive(Debug)]
    struct Off(EmulatorClock, i64);
    impl Clock for Off {
        fn now(&self) -> SystemTime {
            let t = self.0.now_system_time();
            if self.1 >= 0 {
                t + Duration::from_secs(self.1.unsigned_abs())
            } else {
                t - Duration::from_secs(self.1.unsigned_abs())
            }
        }
    }
    for offset in [-7200_i64, 3600] {
        let emulator = emulator().await;
        let client = builder(&emulator)
            .clock(Arc::new(Off(emulator.clock().clone(), offset)))
            .build()
            .unwrap();
        client
            .put_object_bytes(
                "skew.txt",
                bytes::Bytes::from_static(b"hi"),
                &cos_ci::PutObjectOptions::default(),
            )
            .await
            .unwrap();
        assert_eq!(client.clock_skew_secs(), -offset, "offset {offset}");
    }
}

/// A 3 MB PNG: more than the socket buffers hold, so the upload is still being sent when the
/// service answers.
fn large_png(text: &str) -> Vec<u8> {
    png_with_text(2000, 1500, text)
}

#[tokio::test]
async fn a_large_upload_with_a_wrong_key_is_answered_403_not_cut_off() {
    let emulator = emulator().await;
    let client = builder(&emulator)
        .credential(Credential::new(ocr_emulator::SECRET_ID, "wrong-key"))
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.bin");
    std::fs::write(&path, vec![7u8; 8 * 1024 * 1024]).unwrap();
    for _ in 0..5 {
        // Streamed from disk: still being sent when the service refuses it.
        let err = client
            .put_object_file("big.bin", &path, &cos_ci::PutObjectOptions::default())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Auth, "{err:?}");
        assert_eq!(err.code(), Some("SignatureDoesNotMatch"));
        assert_eq!(err.http_status(), Some(403));
    }
    assert_eq!(
        emulator.object(&emulator.endpoints().bucket, "big.bin"),
        None
    );
}

#[tokio::test]
async fn a_large_throttled_upload_is_answered_503_and_retried() {
    let emulator = emulator().await;
    let client = builder(&emulator).build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.png");
    std::fs::write(&path, large_png("Large upload")).unwrap();
    for _ in 0..3 {
        emulator.inject(Fault::throttle().for_action("PutObject").times(1));
        let ticker = tick(&emulator);
        let doc = client.recognize(&Request::from_path(&path)).await.unwrap();
        ticker.abort();
        assert_eq!(doc.text(), "Large upload");
    }
}

//! Retries follow what each operation really is (issue 13), against the emulator: uploads to a
//! fixed key are resent like reads and stream the file again; a status query whose answer is
//! cut short or garbled is asked again; throttled queries back off and go on; uploads are
//! deleted on every path; identical files in flight get keys of their own.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use cos_ci::prelude::*;
use std::collections::BTreeSet;
use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use cos_ci::provider::meta;
use cos_ci::{CosCi, CosCiBuilder, CosCiOp, PutObjectOptions};
use ocr_core::clock::Clock;
use ocr_core::retry::FixedJitter;
use ocr_core::{ErrorKind, Job, JobStatus, OcrProvider, PollPolicy, Request, RetryPolicy};
use ocr_emulator::samples::png_with_text;
use ocr_emulator::{
    ClockMode, Emulator, EmulatorClock, EmulatorConfig, Fault, RecordedRequest, Service,
    ServiceDurations, TaskDurations,
};

const START: u64 = 1_700_000_000;

/// The client signs with the emulator's time, however far a test moves it.
#[derive(Debug)]
struct EmulatorTime(EmulatorClock);

impl Clock for EmulatorTime {
    fn now(&self) -> SystemTime {
        self.0.now_system_time()
    }
}

/// An emulator on a manual clock whose CI jobs take 2 s queued and 8 s running.
async fn manual_emulator() -> Emulator {
    Emulator::start(
        EmulatorConfig::default()
            .with_clock(ClockMode::Manual { start_unix: START })
            .with_service_durations(ServiceDurations::all(TaskDurations::new(
                Duration::from_secs(2),
                Duration::from_secs(8),
            )))
            .with_seed(13),
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
        .retry(
            RetryPolicy::default()
                .with_base_delay(Duration::from_millis(10))
                .with_jitter(FixedJitter(1.0)),
        )
        .poll_policy(PollPolicy::fixed(
            Duration::from_millis(100),
            Duration::from_secs(10),
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

fn requests_of(emulator: &Emulator, action: &str) -> Vec<RecordedRequest> {
    emulator
        .recorded_requests()
        .into_iter()
        .filter(|r| r.action.as_deref() == Some(action))
        .collect()
}

/// The object keys of the recorded requests of `action` (path-style `/cos/<bucket>/<key>`).
fn keys_of(emulator: &Emulator, action: &str) -> Vec<String> {
    let prefix = format!("/cos/{}/", emulator.endpoints().bucket);
    requests_of(emulator, action)
        .into_iter()
        .map(|r| r.path.strip_prefix(&prefix).unwrap().to_owned())
        .collect()
}

/// Every object this client uploaded is gone from the bucket.
fn no_upload_left(emulator: &Emulator) {
    let bucket = emulator.endpoints().bucket;
    for key in keys_of(emulator, "PutObject") {
        assert_eq!(emulator.object(&bucket, &key), None, "{key} left behind");
    }
}

// ---- 1. uploads to a fixed key are retried like reads ------------------------------------

#[tokio::test]
async fn an_upload_is_resent_after_a_server_error_and_a_bare_gateway_status() {
    let emulator = manual_emulator().await;
    let client = builder(&emulator).build().unwrap();
    let data = png_with_text(1200, 900, "Streamed twice more");
    let mut file = tempfile::Builder::new().suffix(".png").tempfile().unwrap();
    file.write_all(&data).unwrap();
    emulator.inject(Fault::server_error().for_action("PutObject").times(1));
    emulator.inject(Fault::http_status(502).for_action("PutObject").times(1));

    let out = client
        .put_object_file("in/scan.png", file.path(), &PutObjectOptions::default())
        .await
        .unwrap();

    assert_eq!(out.key, "in/scan.png");
    let bucket = emulator.endpoints().bucket;
    assert_eq!(emulator.object(&bucket, "in/scan.png"), Some(data.clone()));
    let puts = requests_of(&emulator, "PutObject");
    let statuses: Vec<Option<u16>> = puts.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [Some(500), Some(502), Some(200)]);
    // Each attempt streamed the whole file again, with the same Content-MD5.
    for put in &puts {
        assert_eq!(put.body_size, data.len() as u64);
        assert_eq!(put.header("content-md5"), Some(out.content_md5.as_str()));
    }
}

#[tokio::test]
async fn recognize_goes_on_after_a_gateway_timeout_and_a_dropped_connection_on_upload() {
    let emulator = manual_emulator().await;
    let client = builder(&emulator).build().unwrap();
    emulator.inject(Fault::http_status(504).for_action("PutObject").times(1));
    emulator.inject(Fault::drop_connection().for_action("PutObject").times(1));
    let ticker = tick(&emulator);

    let doc = client
        .recognize(&Request::from_bytes(
            png_with_text(800, 600, "Uploaded on the third try"),
            None,
        ))
        .await
        .unwrap();
    ticker.abort();

    assert_eq!(doc.text(), "Uploaded on the third try");
    let puts = requests_of(&emulator, "PutObject");
    assert_eq!(puts.len(), 3);
    assert_eq!(puts[2].status, Some(200));
    // One key for all three attempts, and one job.
    assert_eq!(
        keys_of(&emulator, "PutObject")
            .into_iter()
            .collect::<BTreeSet<_>>()
            .len(),
        1
    );
    assert_eq!(emulator.submissions(Service::Ci), 1);
    no_upload_left(&emulator);
}

// ---- 2. a status query with a body cut short or garbled is asked again --------------------

#[tokio::test]
async fn status_queries_with_a_truncated_or_garbled_body_are_asked_again() {
    for fault in [Fault::truncated_body(), Fault::malformed_body()] {
        let emulator = manual_emulator().await;
        let client = builder(&emulator).build().unwrap();
        emulator.inject(fault.clone().for_action("DescribeJobs").times(2));
        let ticker = tick(&emulator);

        let doc = client
            .recognize(&Request::from_bytes(
                png_with_text(800, 600, "Read it again"),
                None,
            ))
            .await
            .unwrap_or_else(|e| panic!("{fault:?}: {e}"));
        ticker.abort();

        assert_eq!(doc.text(), "Read it again", "{fault:?}");
        let describes = requests_of(&emulator, "DescribeJobs");
        assert_eq!(
            describes.iter().filter(|r| r.fault.is_some()).count(),
            2,
            "{fault:?}"
        );
        assert_eq!(emulator.submissions(Service::Ci), 1, "{fault:?}");
        no_upload_left(&emulator);
    }
}

#[tokio::test]
async fn a_garbled_answer_to_a_submission_is_not_resent_and_keeps_the_upload() {
    let emulator = manual_emulator().await;
    let client = builder(&emulator).build().unwrap();
    emulator.inject(Fault::malformed_body().for_action("SubmitJob").times(1));

    let err = client
        .submit(&Request::from_bytes(png_with_text(800, 600, "Once"), None))
        .await
        .unwrap_err();

    // The job was created (the answer came back garbled): it is not submitted twice, and its
    // input stays for it.
    assert_eq!(err.kind(), ErrorKind::OutcomeUnknown, "{err}");
    assert_eq!(err.operation(), Some("SubmitJob"));
    assert_eq!(requests_of(&emulator, "SubmitJob").len(), 1);
    assert_eq!(emulator.submissions(Service::Ci), 1);
    let key = &keys_of(&emulator, "PutObject")[0];
    assert!(emulator.object(&emulator.endpoints().bucket, key).is_some());
}

// ---- 3. throttled reads back off and go on; uploads deleted on every path ----------------

#[tokio::test]
async fn many_documents_in_flight_ride_out_throttled_status_queries() {
    const DOCS: usize = 20;
    let emulator = Emulator::start(
        EmulatorConfig::default()
            .with_service_durations(ServiceDurations::all(TaskDurations::new(
                Duration::ZERO,
                Duration::from_millis(300),
            )))
            .with_seed(17),
    )
    .await
    .unwrap();
    // Only the status queries are short of capacity: 10 a second for 20 documents polling
    // every 50 ms.
    for action in ["PutObject", "SubmitJob", "DeleteObject"] {
        emulator.set_rate_limit(action, 0.0);
    }
    emulator.set_rate_limit("DescribeJobs", 10.0);
    let endpoints = emulator.endpoints();
    let client = CosCi::builder()
        .bucket(&endpoints.bucket)
        .region(&endpoints.region)
        .cos_base_url(endpoints.cos.as_str())
        .ci_base_url(endpoints.ci.as_str())
        .credential(ocr_emulator::test_credential())
        .no_rate_limit(CosCiOp::DescribeJobs)
        .poll_policy(PollPolicy::fixed(
            Duration::from_millis(50),
            Duration::from_secs(25),
        ))
        .build()
        .unwrap();

    let runs: Vec<_> = (0..DOCS)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move {
                let text = format!("Document number {i}");
                let doc = client
                    .recognize(&Request::from_bytes(png_with_text(640, 480, &text), None))
                    .await;
                (text, doc)
            })
        })
        .collect();
    let mut results = Vec::new();
    for run in runs {
        results.push(run.await.unwrap());
    }

    for (text, doc) in &results {
        match doc {
            Ok(doc) => assert_eq!(&doc.text(), text),
            Err(e) => panic!("{text}: {e}"),
        }
    }
    let throttled = requests_of(&emulator, "DescribeJobs")
        .iter()
        .filter(|r| r.status == Some(503))
        .count();
    assert!(throttled > 0, "the status queries were never throttled");
    assert_eq!(emulator.submissions(Service::Ci), DOCS as u64);
    no_upload_left(&emulator);
}

#[tokio::test]
async fn a_retry_after_date_is_waited_for() {
    use wiremock::matchers::method;
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    let date =
        httpdate::fmt_http_date(std::time::UNIX_EPOCH + Duration::from_secs(common::NOW + 2));
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(503)
                .insert_header("retry-after", date.as_str())
                .set_body_string(
                    "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>",
                ),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string(
            "<Response><NonExistJobIds>a3c193f288b2c11eeb60f39de2f86f409</NonExistJobIds></Response>",
        ))
        .mount(&server)
        .await;
    let client = common::builder(&server)
        .retry(
            RetryPolicy::default()
                .with_max_delay(Duration::from_secs(5))
                .with_jitter(FixedJitter(0.0)),
        )
        .build()
        .unwrap();

    let start = std::time::Instant::now();
    let out = client
        .describe_jobs(&["a3c193f288b2c11eeb60f39de2f86f409"])
        .await
        .unwrap();

    assert_eq!(out.non_exist_job_ids, ["a3c193f288b2c11eeb60f39de2f86f409"]);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
    // The date is 2 s after the client's (fixed) clock; the backoff alone would be 0.
    assert!(
        start.elapsed() >= Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn a_wait_that_times_out_cancels_the_job_and_deletes_the_upload() {
    let emulator = manual_emulator().await;
    // The emulator clock stands still: the job stays Submitted.
    let client = builder(&emulator)
        .poll_policy(PollPolicy::fixed(
            Duration::from_millis(150),
            Duration::from_millis(500),
        ))
        .build()
        .unwrap();

    let err = client
        .recognize(&Request::from_bytes(
            png_with_text(800, 600, "Never done"),
            None,
        ))
        .await
        .unwrap_err();

    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    let cancels = requests_of(&emulator, "CancelJob");
    assert_eq!(cancels.len(), 1);
    assert_eq!(cancels[0].status, Some(200));
    assert_eq!(keys_of(&emulator, "DeleteObject").len(), 1);
    no_upload_left(&emulator);
}

#[tokio::test]
async fn a_recognition_dropped_midway_deletes_its_upload() {
    let emulator = manual_emulator().await;
    let client = builder(&emulator).build().unwrap();

    let dropped = tokio::time::timeout(
        Duration::from_millis(400),
        client.recognize(&Request::from_bytes(
            png_with_text(800, 600, "Abandoned"),
            None,
        )),
    )
    .await;
    assert!(dropped.is_err(), "the job cannot finish on a still clock");

    // The cleanup runs in the background once the future is dropped.
    for _ in 0..100 {
        if requests_of(&emulator, "DeleteObject").len() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(requests_of(&emulator, "CancelJob").len(), 1);
    assert_eq!(keys_of(&emulator, "DeleteObject").len(), 1);
    no_upload_left(&emulator);
}

#[tokio::test]
async fn polling_a_job_the_service_no_longer_knows_deletes_its_upload() {
    let emulator = manual_emulator().await;
    let client = builder(&emulator).build().unwrap();
    let bucket = emulator.endpoints().bucket;
    emulator.put_object(&bucket, "cloud-ocr/orphan.png", png_with_text(10, 10, "x"));
    let job = Job::new("cos-ci", "a3c193f288b2c11eeb60f39de2f86f409", START)
        .with_meta(meta::BUCKET, bucket.clone())
        .with_meta(meta::KEY, "cloud-ocr/orphan.png")
        .with_meta(meta::CLEANUP_KEY, "cloud-ocr/orphan.png");

    let err = client.poll(&job).await.unwrap_err();

    assert_eq!(err.kind(), ErrorKind::ResultExpired);
    assert_eq!(err.code(), Some("NoSuchJob"));
    assert_eq!(emulator.object(&bucket, "cloud-ocr/orphan.png"), None);
}

// ---- 4. identical files in flight do not share an upload ---------------------------------

#[tokio::test]
async fn identical_files_in_flight_do_not_share_an_upload() {
    let emulator = manual_emulator().await;
    let client = builder(&emulator).build().unwrap();
    let data = png_with_text(800, 600, "Same bytes twice");

    // The first document is submitted and runs.
    let first = client
        .submit(&Request::from_bytes(data.clone(), None))
        .await
        .unwrap();
    // The second one's submission is held up after its upload…
    emulator.inject(Fault::latency(Duration::from_millis(800)).for_action("SubmitJob"));
    let second = tokio::spawn({
        let client = client.clone();
        let data = data.clone();
        async move { client.recognize(&Request::from_bytes(data, None)).await }
    });
    for _ in 0..100 {
        if requests_of(&emulator, "PutObject").len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(requests_of(&emulator, "PutObject").len(), 2);
    // …while the first finishes and deletes its upload.
    emulator.clock().advance(Duration::from_secs(30));
    let JobStatus::Done(doc) = client.poll(&first).await.unwrap() else {
        panic!("the first job is done");
    };
    assert_eq!(doc.text(), "Same bytes twice");
    assert_eq!(requests_of(&emulator, "DeleteObject").len(), 1);
    let ticker = tick(&emulator);
    let second = second.await.unwrap();
    ticker.abort();

    let doc = second.unwrap_or_else(|e| panic!("the second document failed: {e}"));
    assert_eq!(doc.text(), "Same bytes twice");
    let uploaded = keys_of(&emulator, "PutObject");
    assert_ne!(
        uploaded[0], uploaded[1],
        "each submission has a key of its own"
    );
    assert_eq!(first.meta(meta::KEY), Some(uploaded[0].as_str()));
    for key in &uploaded {
        // Still `<prefix><md5 of the content>-<suffix>.png`.
        assert!(
            key.starts_with("cloud-ocr/") && key.ends_with(".png"),
            "{key}"
        );
        assert_eq!(
            key.len(),
            "cloud-ocr/".len() + 32 + 1 + 17 + ".png".len(),
            "{key}"
        );
    }
    let mut deleted = keys_of(&emulator, "DeleteObject");
    deleted.sort();
    let mut expected = uploaded.clone();
    expected.sort();
    assert_eq!(deleted, expected);
    no_upload_left(&emulator);
}

//! Retries follow what each operation really is (issue 13), against the emulator: a task query
//! or result download whose answer is cut short or garbled is asked again (the create is not);
//! result expiry is judged by the service's clock, learned from `Date`, and when in doubt the
//! download is tried and the server decides.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use picwish::prelude::*;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use ocr_core::clock::Clock;
use ocr_core::retry::FixedJitter;
use ocr_core::{ErrorKind, JobStatus, OcrProvider, Request, RetryPolicy};
use ocr_emulator::samples::png_with_text;
use ocr_emulator::{
    ClockMode, Emulator, EmulatorClock, EmulatorConfig, Fault, RecordedRequest, Service,
    ServiceDurations, TaskDurations, PICWISH_CREATE_ACTION, PICWISH_QUERY_ACTION,
};
use picwish::{PicWish, PicWishBuilder};

const START: u64 = 1_700_000_000;
const QUEUED: Duration = Duration::from_secs(2);
const PROCESSING: Duration = Duration::from_secs(8);
const TEXT: &str = "Quarterly summary\nRevenue: 12.5 million";

/// The client's clock: the emulator's, off by `offset_secs` (a machine whose clock is wrong).
#[derive(Debug)]
struct OffClock {
    emulator: EmulatorClock,
    offset_secs: i64,
}

impl Clock for OffClock {
    fn now(&self) -> SystemTime {
        let t = self.emulator.now_system_time();
        let off = Duration::from_secs(self.offset_secs.unsigned_abs());
        if self.offset_secs >= 0 {
            t + off
        } else {
            t - off
        }
    }
}

async fn emulator() -> Emulator {
    Emulator::start(
        EmulatorConfig::default()
            .with_clock(ClockMode::Manual { start_unix: START })
            .with_service_durations(ServiceDurations::all(TaskDurations::new(
                QUEUED, PROCESSING,
            )))
            .without_rate_limits()
            .with_seed(23),
    )
    .await
    .unwrap()
}

fn builder(emulator: &Emulator, offset_secs: i64) -> PicWishBuilder {
    PicWish::builder()
        .api_key(ocr_emulator::PICWISH_API_KEY)
        .base_url(emulator.endpoints().picwish.as_str())
        .clock(Arc::new(OffClock {
            emulator: emulator.clock().clone(),
            offset_secs,
        }))
        .no_rate_limits()
        .retry(
            RetryPolicy::default()
                .with_base_delay(Duration::from_millis(10))
                .with_jitter(FixedJitter(1.0)),
        )
        .poll_interval(Duration::from_millis(50))
        .wait_deadline(Duration::from_secs(10))
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

fn lines(doc: &ocr_core::Document) -> Vec<&str> {
    doc.lines().map(|l| l.text.as_str()).collect()
}

#[tokio::test]
async fn task_queries_and_downloads_cut_short_or_garbled_are_asked_again() {
    let cases = [
        (PICWISH_QUERY_ACTION, Fault::truncated_body()),
        (PICWISH_QUERY_ACTION, Fault::malformed_body()),
        // A garbled txt file cannot be told from a shorter one; one cut short on the wire can.
        ("GetFile", Fault::truncated_body()),
    ];
    for (action, fault) in cases {
        let emulator = emulator().await;
        let client = builder(&emulator, 0).build().unwrap();
        emulator.inject(fault.clone().for_action(action).times(2));
        let ticker = tick(&emulator);

        let doc = client
            .recognize(&Request::from_bytes(png_with_text(1200, 900, TEXT), None))
            .await
            .unwrap_or_else(|e| panic!("{action} {fault:?}: {e}"));
        ticker.abort();

        assert_eq!(lines(&doc), TEXT.lines().collect::<Vec<_>>(), "{action}");
        let faulted = requests_of(&emulator, action)
            .iter()
            .filter(|r| r.fault.is_some())
            .count();
        assert_eq!(faulted, 2, "{action} {fault:?}");
        assert_eq!(requests_of(&emulator, PICWISH_CREATE_ACTION).len(), 1);
        assert_eq!(emulator.submissions(Service::PicWish), 1);
    }
}

#[tokio::test]
async fn a_garbled_answer_to_a_create_is_not_resent() {
    let emulator = emulator().await;
    let client = builder(&emulator, 0).build().unwrap();
    emulator.inject(
        Fault::malformed_body()
            .for_action(PICWISH_CREATE_ACTION)
            .times(1),
    );

    let err = client
        .submit(&Request::from_bytes(png_with_text(1200, 900, TEXT), None))
        .await
        .unwrap_err();

    assert_eq!(err.kind(), ErrorKind::OutcomeUnknown, "{err}");
    assert_eq!(requests_of(&emulator, PICWISH_CREATE_ACTION).len(), 1);
    assert_eq!(emulator.submissions(Service::PicWish), 1);
}

#[tokio::test]
async fn a_client_clock_an_hour_off_still_gets_its_results() {
    for offset in [3600 + 600, -(3600 + 600)] {
        let emulator = emulator().await;
        let client = builder(&emulator, offset).build().unwrap();
        let ticker = tick(&emulator);

        let doc = client
            .recognize(&Request::from_bytes(png_with_text(1200, 900, TEXT), None))
            .await
            .unwrap_or_else(|e| panic!("clock off by {offset} s: {e}"));
        ticker.abort();

        assert_eq!(lines(&doc), TEXT.lines().collect::<Vec<_>>());
        let downloads = requests_of(&emulator, "GetFile");
        assert_eq!(downloads.len(), 1, "clock off by {offset} s");
        assert_eq!(downloads[0].status, Some(200));
        // The offset was learned from the API's `Date` (to the second, give or take one).
        assert!(
            (client.clock_skew_secs() + offset).abs() <= 1,
            "{} vs {offset}",
            client.clock_skew_secs()
        );
    }
}

#[tokio::test]
async fn near_its_expiry_a_result_is_tried_and_the_server_decides() {
    let emulator = emulator().await;
    let client = builder(&emulator, 0).build().unwrap();
    let job = client
        .submit(&Request::from_bytes(png_with_text(1200, 900, TEXT), None))
        .await
        .unwrap();
    // Half a minute past the hour after completion: too close to call on the client's side.
    emulator
        .clock()
        .advance(QUEUED + PROCESSING + Duration::from_secs(3600 + 30));

    let err = client.poll(&job).await.unwrap_err();

    assert_eq!(err.kind(), ErrorKind::ResultExpired, "{err}");
    assert_eq!(err.http_status(), Some(403));
    let downloads = requests_of(&emulator, "GetFile");
    assert_eq!(downloads.len(), 1, "asked once, not retried");
    assert_eq!(downloads[0].status, Some(403));
}

#[tokio::test]
async fn long_past_its_expiry_a_result_is_refused_without_a_request() {
    let emulator = emulator().await;
    let client = builder(&emulator, 0).build().unwrap();
    let job = client
        .submit(&Request::from_bytes(png_with_text(1200, 900, TEXT), None))
        .await
        .unwrap();
    emulator
        .clock()
        .advance(QUEUED + PROCESSING + Duration::from_secs(2 * 3600));

    let status = client.poll(&job).await;

    let err = match status {
        Err(err) => err,
        Ok(JobStatus::Done(_)) => panic!("an expired result was returned"),
        Ok(other) => panic!("{other:?}"),
    };
    assert_eq!(err.kind(), ErrorKind::ResultExpired, "{err}");
    assert_eq!(err.operation(), Some("DownloadResult"));
    assert!(requests_of(&emulator, "GetFile").is_empty());
}

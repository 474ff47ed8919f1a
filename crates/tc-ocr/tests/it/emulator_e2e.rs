//! End to end against the in-process emulator: real TC3-signed requests, checked by the
//! emulator as the service checks them, through the public API only; results mapped into
//! `Document`s whose content is the text the sample documents carry.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tc_ocr::prelude::*;

use ocr_core::clock::Clock;
use ocr_core::retry::FixedJitter;
use ocr_core::{
    DocumentKind, ErrorKind, JobStatus, OcrProvider, OutputKind, PollPolicy, Request, RetryPolicy,
};
use ocr_emulator::samples::png_with_text;
use ocr_emulator::{
    ClockMode, Emulator, EmulatorClock, EmulatorConfig, Fault, Service, ServiceDurations,
    TaskDurations,
};
use tc_ocr::{
    Endpoint, ExtractDocMultiResponse, GeneralAccurateOcrResponse,
    GetCardVerificationExternalResultResponse, TencentOcr, TencentOcrBuilder,
};
use tc_signing::Credential;

/// 2023-11-14 22:13:20 UTC: where the manual emulator clock starts.
const START: u64 = 1_700_000_000;

/// The client reads the emulator's clock, so signatures stay inside the 5-minute window
/// however far a test moves time.
#[derive(Debug)]
struct EmulatorTime(EmulatorClock);

impl Clock for EmulatorTime {
    fn now(&self) -> SystemTime {
        self.0.now_system_time()
    }
}

async fn emulator() -> Emulator {
    let durations = TaskDurations::new(Duration::from_secs(2), Duration::from_secs(8));
    Emulator::start(
        EmulatorConfig::default()
            .with_clock(ClockMode::Manual { start_unix: START })
            .with_service_durations(ServiceDurations::all(durations))
            .with_seed(7),
    )
    .await
    .unwrap()
}

fn builder(emulator: &Emulator) -> TencentOcrBuilder {
    TencentOcr::builder()
        .endpoint(Endpoint::Custom(emulator.endpoints().tencent))
        .credential(ocr_emulator::test_credential())
        .clock(Arc::new(EmulatorTime(emulator.clock().clone())))
        .retry(
            RetryPolicy::default()
                .with_jitter(FixedJitter(0.0))
                .with_max_attempts(3),
        )
        .poll_policy(PollPolicy::fixed(
            Duration::from_millis(10),
            Duration::from_secs(5),
        ))
}

fn sample(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/samples")
        .join(name)
}

#[tokio::test]
async fn general_accurate_ocr_recognises_the_lines_with_boxes_and_confidence() {
    let emulator = emulator().await;
    let ocr = builder(&emulator).build().unwrap();
    let png = png_with_text(800, 600, "Invoice 2024\nTotal: 42.00");
    let request = Request::from_bytes(png, Some("scan.png")).with_output(OutputKind::Layout);

    let doc = ocr.recognize(&request).await.unwrap();

    assert_eq!(doc.provider, "tc-ocr");
    assert_eq!(doc.text(), "Invoice 2024\nTotal: 42.00");
    assert_eq!(doc.pages.len(), 1);
    let page = &doc.pages[0];
    assert_eq!(page.number, 1);
    assert_eq!(page.angle, Some(0.0));
    for line in &page.lines {
        let confidence = line.confidence.expect("a line confidence");
        assert!((0.0..=1.0).contains(&confidence), "{confidence}");
        let (x, y, w, h) = line.bbox.expect("a line box").bounding_rect();
        assert!(
            x >= 0.0 && y >= 0.0 && w > 0.0 && h > 0.0,
            "{x} {y} {w} {h}"
        );
        assert!(x + w <= 800.0 && y + h <= 600.0, "box inside the image");
        // IsWords: one word per character, each with its own box and confidence.
        let chars: String = line.words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(chars, line.text.replace(' ', ""));
        assert!(line
            .words
            .iter()
            .all(|w| w.bbox.is_some() && w.confidence.is_some_and(|c| (0.0..=1.0).contains(&c))));
    }
    assert!(
        page.lines[0].bbox.unwrap().bounding_rect().1
            < page.lines[1].bbox.unwrap().bounding_rect().1
    );
    assert_eq!(doc.request_ids.len(), 1);
    let native = doc.native::<GeneralAccurateOcrResponse>().unwrap();
    assert_eq!(
        native.request_id.as_deref(),
        Some(doc.request_ids[0].as_str())
    );
    assert_eq!(emulator.submissions(Service::Ocr), 1);
}

#[tokio::test]
async fn the_committed_jpeg_sample_is_read_from_disk() {
    let emulator = emulator().await;
    let ocr = builder(&emulator).build().unwrap();
    let doc = ocr
        .recognize(&Request::from_path(sample("receipt.jpg")))
        .await
        .unwrap();
    assert_eq!(
        doc.text(),
        "CORNER CAFE\nFlat white 3.80\nCroissant 2.40\nTotal 6.20\nThank you!"
    );
}

#[tokio::test]
async fn extract_doc_multi_returns_the_named_fields_and_the_full_text() {
    let emulator = emulator().await;
    let ocr = builder(&emulator).build().unwrap();
    let request = Request::from_path(sample("invoice.png"))
        .with_field_names(["Total", "Bill to", "Due date"])
        .with_output(OutputKind::Text)
        .with_output(OutputKind::Layout);

    let doc = ocr.recognize(&request).await.unwrap();

    let keys: Vec<&str> = doc.fields.iter().map(|f| f.key.as_str()).collect();
    assert_eq!(keys, ["Total", "Bill to", "Due date"]);
    let total = doc.field("Total").unwrap();
    assert_eq!(total.value, "42.00 USD");
    assert_eq!(total.page, Some(1));
    assert!(total.bbox.is_some());
    assert_eq!(doc.field("Bill to").unwrap().value, "Example Trading Co.");
    // A name the document does not carry comes back empty, without a box.
    let due = doc.field("Due date").unwrap();
    assert_eq!(due.value, "");
    assert_eq!(due.bbox, None);
    // The restored full text, line by line, each line with its words' boxes (EnableCoord).
    assert_eq!(
        doc.text(),
        "INVOICE No. 2026-0117\nDate: 2026-11-21\nBill to: Example Trading Co.\n\
         Item: OCR credits x 1000\nTotal: 42.00 USD"
    );
    let first = &doc.pages[0].lines[0];
    assert!(first.bbox.is_some());
    let words: Vec<&str> = first.words.iter().map(|w| w.text.as_str()).collect();
    assert_eq!(words, ["INVOICE", "No.", "2026-0117"]);
    assert!(first.words.iter().all(|w| w.bbox.is_some()));
    let native = doc.native::<ExtractDocMultiResponse>().unwrap();
    assert_eq!(native.token_num, Some(3));
}

#[tokio::test]
async fn extract_doc_multi_without_names_returns_every_key_value_line() {
    let emulator = emulator().await;
    let ocr = builder(&emulator).build().unwrap();
    let png = png_with_text(1000, 800, "Waybill\nNumber: SF1234567\nWeight: 2.5 kg");
    let request = Request::from_bytes(png, Some("waybill.png")).with_output(OutputKind::Fields);

    let doc = ocr.recognize(&request).await.unwrap();

    let pairs: Vec<(&str, &str)> = doc
        .fields
        .iter()
        .map(|f| (f.key.as_str(), f.value.as_str()))
        .collect();
    assert_eq!(pairs, [("Number", "SF1234567"), ("Weight", "2.5 kg")]);
    assert_eq!(doc.fields[0].group.as_deref(), Some("0.0"));
    assert_eq!(doc.fields[1].group.as_deref(), Some("0.1"));
}

#[tokio::test]
async fn card_verification_is_processing_until_the_emulator_clock_moves_then_passed() {
    let emulator = emulator().await;
    let ocr = builder(&emulator).card_nationality("IDN").build().unwrap();
    let front = png_with_text(
        1024,
        640,
        "REPUBLIK INDONESIA\nFullName: SITI RAHAYU\nBirthday: 1990-04-12\nSex: F",
    );
    let request =
        Request::from_bytes(front, Some("front.png")).with_document_kind(DocumentKind::IdCard);

    let job = ocr.submit(&request).await.unwrap();
    assert_eq!(job.provider, "tc-ocr");
    assert_eq!(job.meta("action"), Some("ApplyCardVerificationExternal"));
    assert_eq!(job.created_at, START);
    let apply_request_id = job.meta("request_id").unwrap().to_owned();
    assert_eq!(emulator.submissions(Service::Ocr), 1);

    // The emulator clock has not moved: still processing.
    match ocr.poll(&job).await.unwrap() {
        JobStatus::Pending(progress) => assert_eq!(progress.state.as_deref(), Some("PROCESSING")),
        other => panic!("expected PROCESSING, got {other:?}"),
    }
    emulator.clock().advance(Duration::from_secs(5));
    assert!(matches!(
        ocr.poll(&job).await.unwrap(),
        JobStatus::Pending(_)
    ));

    // The job survives a restart: a new client polls the serialised job.
    let json = serde_json::to_string(&job).unwrap();
    let restored: ocr_core::Job = serde_json::from_str(&json).unwrap();
    let later = builder(&emulator).card_nationality("IDN").build().unwrap();
    emulator.clock().advance(Duration::from_secs(6));
    let doc = match later.poll(&restored).await.unwrap() {
        JobStatus::Done(doc) => doc,
        other => panic!("expected a result, got {other:?}"),
    };

    assert_eq!(doc.field("FullName").unwrap().value, "SITI RAHAYU");
    assert_eq!(
        doc.field("FullName").unwrap().group.as_deref(),
        Some("front")
    );
    assert_eq!(doc.field("Birthday").unwrap().value, "1990-04-12");
    assert_eq!(doc.field("Sex").unwrap().value, "F");
    assert_eq!(doc.field("Nationality").unwrap().value, "IDN");
    let status = doc.field("Status").unwrap();
    assert_eq!(status.value, "PASSED");
    assert_eq!(status.group.as_deref(), Some("verification"));
    assert!(doc.field("WarnInfo").is_none());
    assert_eq!(doc.request_ids.len(), 2);
    assert_eq!(doc.request_ids[0], apply_request_id);
    let native = doc
        .native::<GetCardVerificationExternalResultResponse>()
        .unwrap();
    assert_eq!(
        native.card_verification_token.as_deref(),
        Some(job.task_id.as_str())
    );
    // The apply call went to the card region.
    let applied = emulator
        .recorded_requests()
        .into_iter()
        .find(|r| r.action.as_deref() == Some("ApplyCardVerificationExternal"))
        .unwrap();
    let region = applied
        .headers
        .iter()
        .find(|(n, _)| n == "x-tc-region")
        .map(|(_, v)| v.as_str());
    assert_eq!(region, Some("ap-singapore"));
}

#[tokio::test]
async fn card_warnings_are_reported_as_verification_fields() {
    let emulator = emulator().await;
    let ocr = builder(&emulator).card_nationality("IDN").build().unwrap();
    let front = png_with_text(800, 500, "FullName: BUDI SANTOSO\nWarnInfo: PaperCopy");
    let job = ocr
        .submit(
            &Request::from_bytes(front, Some("front.png")).with_document_kind(DocumentKind::IdCard),
        )
        .await
        .unwrap();
    emulator.clock().advance(Duration::from_secs(10));
    let JobStatus::Done(doc) = ocr.poll(&job).await.unwrap() else {
        panic!("expected a result");
    };
    assert_eq!(doc.field("Status").unwrap().value, "WARNING");
    assert_eq!(doc.field("WarnInfo").unwrap().value, "PaperCopy");
    assert_eq!(doc.field("FullName").unwrap().value, "BUDI SANTOSO");
}

#[tokio::test]
async fn an_injected_card_failure_ends_the_job_with_its_code() {
    let emulator = emulator().await;
    let ocr = builder(&emulator).card_nationality("IDN").build().unwrap();
    emulator.inject(Fault::task_failure(
        "FailedOperation.OcrFailed",
        "The document could not be recognised.",
    ));
    let front = png_with_text(800, 500, "FullName: X");
    let job = ocr
        .submit(
            &Request::from_bytes(front, Some("front.png")).with_document_kind(DocumentKind::IdCard),
        )
        .await
        .unwrap();
    emulator.clock().advance(Duration::from_secs(10));
    let JobStatus::Failed(err) = ocr.poll(&job).await.unwrap() else {
        panic!("expected a failed job");
    };
    assert_eq!(err.kind(), ErrorKind::TaskFailed);
    assert_eq!(err.code(), Some("FailedOperation.OcrFailed"));
    assert!(err.request_id().is_some());
}

#[tokio::test]
async fn throttling_answers_are_retried() {
    let emulator = emulator().await;
    let ocr = builder(&emulator).build().unwrap();
    emulator.inject(Fault::throttle().for_action("GeneralAccurateOCR").times(2));
    let png = png_with_text(640, 480, "Hello emulator");

    let doc = ocr
        .recognize(&Request::from_bytes(png, Some("a.png")))
        .await
        .unwrap();

    assert_eq!(doc.text(), "Hello emulator");
    let attempts: Vec<_> = emulator
        .recorded_requests()
        .into_iter()
        .filter(|r| r.action.as_deref() == Some("GeneralAccurateOCR"))
        .collect();
    assert_eq!(attempts.len(), 3);
    assert!(attempts[0].fault.is_some() && attempts[1].fault.is_some());
    assert!(attempts[2].fault.is_none());
    assert_eq!(emulator.submissions(Service::Ocr), 1);
    assert!(emulator.faults().is_empty());
}

#[tokio::test]
async fn throttling_that_outlasts_the_retries_is_a_throttled_error() {
    let emulator = emulator().await;
    let ocr = builder(&emulator).build().unwrap();
    emulator.inject(Fault::throttle().for_action("ExtractDocMulti").always());
    let png = png_with_text(640, 480, "Total: 1");
    let err = ocr
        .recognize(&Request::from_bytes(png, Some("a.png")).with_field_names(["Total"]))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Throttled);
    assert_eq!(err.code(), Some("RequestLimitExceeded"));
    assert_eq!(err.operation(), Some("ExtractDocMulti"));
    assert_eq!(emulator.submissions(Service::Ocr), 0);
    assert_eq!(emulator.total_requests(), 3);
}

#[tokio::test]
async fn a_wrong_secret_key_is_refused_as_an_auth_error() {
    let emulator = emulator().await;
    let ocr = builder(&emulator)
        .credential(Credential::new(
            ocr_emulator::SECRET_ID,
            "not-the-secret-key",
        ))
        .build()
        .unwrap();
    let png = png_with_text(640, 480, "Hello");

    let err = ocr
        .recognize(&Request::from_bytes(png, Some("a.png")))
        .await
        .unwrap_err();

    assert_eq!(err.kind(), ErrorKind::Auth);
    assert_eq!(err.code(), Some("AuthFailure.SignatureFailure"));
    assert_eq!(err.provider(), Some("tc-ocr"));
    assert_eq!(err.operation(), Some("GeneralAccurateOCR"));
    assert!(err.request_id().is_some_and(|id| !id.is_empty()));
    assert!(!err.is_retryable());
    assert_eq!(
        emulator.total_requests(),
        1,
        "auth failures are not retried"
    );
    assert_eq!(emulator.submissions(Service::Ocr), 0);
}

#[tokio::test]
async fn an_unknown_secret_id_is_refused() {
    let emulator = emulator().await;
    let ocr = builder(&emulator)
        .credential(Credential::new("AKIDunknown000000000000000000000000", "k"))
        .build()
        .unwrap();
    let err = ocr
        .recognize(&Request::from_bytes(
            png_with_text(640, 480, "x"),
            Some("a.png"),
        ))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert_eq!(err.code(), Some("AuthFailure.SecretIdNotFound"));
}

#[tokio::test]
async fn temporary_credentials_send_their_token() {
    let emulator = emulator().await;
    let ocr = builder(&emulator)
        .credential(ocr_emulator::temporary_test_credential())
        .build()
        .unwrap();
    let doc = ocr
        .recognize(&Request::from_bytes(
            png_with_text(640, 480, "Temporary"),
            Some("a.png"),
        ))
        .await
        .unwrap();
    assert_eq!(doc.text(), "Temporary");
}

#[tokio::test]
async fn a_client_clock_far_off_is_corrected_from_the_date_header() {
    let emulator = emulator().await;
    // The client's clock is an hour behind the emulator's: the first attempt is refused as
    // expired, the client learns the offset from `Date` and re-signs.
    #[derive(Debug)]
    struct Behind(EmulatorClock);
    impl Clock for Behind {
        fn now(&self) -> SystemTime {
            self.0.now_system_time() - Duration::from_secs(3600)
        }
    }
    let ocr = builder(&emulator)
        .clock(Arc::new(Behind(emulator.clock().clone())))
        .build()
        .unwrap();
    let doc = ocr
        .recognize(&Request::from_bytes(
            png_with_text(640, 480, "Skewed"),
            Some("a.png"),
        ))
        .await
        .unwrap();
    assert_eq!(doc.text(), "Skewed");
    assert_eq!(ocr.general_client().clock_skew_secs(), 3600);
}

#[tokio::test]
async fn a_pdf_page_goes_to_general_accurate_ocr_with_is_pdf() {
    let emulator = emulator().await;
    let ocr = builder(&emulator).build().unwrap();
    let pdf =
        ocr_emulator::samples::pdf_with_text(&[&["First page"], &["Second page", "Total: 9"]]);
    let doc = ocr
        .recognize(
            &Request::from_bytes(pdf, Some("two.pdf"))
                .with_pages(ocr_core::PageRange::single(2).unwrap()),
        )
        .await
        .unwrap();
    assert_eq!(doc.text(), "Second page\nTotal: 9");
    assert_eq!(doc.pages[0].number, 2);
}

#[tokio::test]
async fn the_committed_pdf_sample_page_two_goes_to_extract_doc_multi() {
    let emulator = emulator().await;
    let ocr = builder(&emulator).build().unwrap();
    let doc = ocr
        .recognize(
            &Request::from_path(sample("letter.pdf"))
                .with_output(OutputKind::Fields)
                .with_pages(ocr_core::PageRange::single(2).unwrap()),
        )
        .await
        .unwrap();
    assert_eq!(
        doc.text(),
        "The second page ends the letter.\nKind regards,\nThe cloud-ocr team"
    );
    assert_eq!(doc.pages[0].number, 2);
    assert!(doc.fields.is_empty(), "the letter has no Key: Value lines");
}

#[tokio::test]
async fn languages_other_than_chinese_and_english_select_the_multilingual_model() {
    let emulator = emulator().await;
    let ocr = builder(&emulator).build().unwrap();
    let doc = ocr
        .recognize(
            &Request::from_bytes(png_with_text(640, 480, "Guten Tag"), Some("de.png"))
                .with_languages(["de"]),
        )
        .await
        .unwrap();
    assert_eq!(doc.text(), "Guten Tag");
    let native = doc.native::<GeneralAccurateOcrResponse>().unwrap();
    let detection = &native.text_detections.as_ref().unwrap()[0];
    assert_eq!(
        detection.language.as_deref(),
        Some("en"),
        "MulOCR reports a language"
    );
}

#[tokio::test]
async fn general_basic_ocr_reports_its_language_and_pdf_size() {
    use base64::Engine as _;
    let emulator = emulator().await;
    let ocr = builder(&emulator).build().unwrap();
    let pdf = ocr_emulator::samples::pdf_with_text(&[&["One"], &["Two"], &["Three"]]);
    let response = ocr
        .general_basic_ocr(&tc_ocr::GeneralBasicOcrRequest {
            is_pdf: Some(true),
            pdf_page_number: Some(3),
            language_type: Some("auto".into()),
            ..tc_ocr::GeneralBasicOcrRequest::from_base64(
                base64::engine::general_purpose::STANDARD.encode(pdf),
            )
        })
        .await
        .unwrap();
    assert_eq!(response.pdf_page_size, Some(3));
    assert_eq!(response.language.as_deref(), Some("zh"));
    let doc = response.to_document(Some(3));
    assert_eq!(doc.text(), "Three");
}

#[tokio::test]
async fn the_typed_card_pair_reads_both_sides_and_returns_the_portrait() {
    use base64::Engine as _;
    let emulator = emulator().await;
    let ocr = builder(&emulator).build().unwrap();
    let b64 = |text: &str| {
        base64::engine::general_purpose::STANDARD.encode(png_with_text(1000, 640, text))
    };
    let applied = ocr
        .apply_card_verification_external(&tc_ocr::ApplyCardVerificationExternalRequest {
            image_base64_front: Some(b64("FullName: JUAN DELA CRUZ\nLicenseNumber: P1234567")),
            image_base64_back: Some(b64("Address: 12 Rizal Ave, Manila")),
            return_head_image: Some(true),
            ..tc_ocr::ApplyCardVerificationExternalRequest::new("PHL", tc_ocr::card_type::ID_CARD)
        })
        .await
        .unwrap();
    let token = applied.card_verification_token.unwrap();

    let ticker = {
        let clock = emulator.clock().clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(5)).await;
                clock.advance(Duration::from_secs(1));
            }
        })
    };
    let done = ocr
        .wait_card_verification_external_result(
            &token,
            &PollPolicy::fixed(Duration::from_millis(10), Duration::from_secs(5)),
        )
        .await
        .unwrap();
    ticker.abort();

    assert_eq!(done.status.as_deref(), Some("PASSED"));
    let front = done.card_info.as_ref().unwrap();
    assert_eq!(front.full_name.as_deref(), Some("JUAN DELA CRUZ"));
    assert_eq!(front.license_number.as_deref(), Some("P1234567"));
    assert_eq!(front.nationality.as_deref(), Some("PHL"));
    let back = done.back_card_info.as_ref().unwrap();
    let address = back.address.as_ref().unwrap();
    assert_eq!(
        address.formatted_address.as_deref(),
        Some("12 Rizal Ave, Manila")
    );
    let doc = done.to_document();
    assert_eq!(
        doc.field("Address.FormattedAddress")
            .unwrap()
            .group
            .as_deref(),
        Some("back")
    );
    let head = &doc.files[0];
    assert_eq!(head.name, "head.png");
    assert!(head.data.as_ref().unwrap().starts_with(b"\x89PNG"));
}

#[tokio::test]
async fn a_card_whose_back_side_is_required_is_refused_without_it() {
    let emulator = emulator().await;
    // A Philippine ID card needs its back side; the provider path sends only the front.
    let ocr = builder(&emulator).card_nationality("PHL").build().unwrap();
    let err = ocr
        .submit(
            &Request::from_bytes(png_with_text(800, 500, "FullName: X"), Some("f.png"))
                .with_document_kind(DocumentKind::IdCard),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.message().contains("back"), "{err}");
}

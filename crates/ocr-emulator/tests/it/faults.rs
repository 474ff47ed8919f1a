//! Faults on demand and rate limits, per service.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::time::{Duration, Instant};

use common::*;
use ocr_emulator::samples::png_with_text;
use ocr_emulator::{Fault, Service};
use reqwest::multipart::Form;
use serde_json::{json, Value};

fn png_body() -> Value {
    json!({ "ImageBase64": b64(&png_with_text(800, 600, "Hello")) })
}

#[tokio::test]
async fn throttling_per_service() {
    let emu = start(manual_config()).await;
    emu.inject(Fault::throttle().for_action("GeneralBasicOCR").times(2));
    for _ in 0..2 {
        let r = tc3(&emu, "GeneralBasicOCR", png_body()).await;
        assert_eq!(error_code(&r), "RequestLimitExceeded");
    }
    success(tc3(&emu, "GeneralBasicOCR", png_body()).await);
    assert!(emu.faults().is_empty());

    emu.inject(Fault::throttle().for_service(Service::PicWish));
    let r = picwish_query(&emu, "x").send().await.unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], 429);

    emu.inject(Fault::throttle().for_service(Service::Cos));
    let r = CosCall::cos(&emu, "GET", "a").send(&emu).await;
    let (status, code, _) = cos_error(r).await;
    assert_eq!((status, code.as_str()), (503, "SlowDown"));

    let recorded = emu.recorded_requests();
    assert!(recorded
        .last()
        .unwrap()
        .fault
        .as_deref()
        .unwrap()
        .contains("Throttle"));
}

#[tokio::test]
async fn server_errors_and_gateway_statuses() {
    let emu = start(manual_config()).await;
    emu.inject(Fault::server_error().for_service(Service::Ocr));
    let r = tc3(&emu, "GeneralBasicOCR", png_body()).await;
    assert_eq!(error_code(&r), "InternalError");
    emu.inject(Fault::server_error().for_service(Service::PicWish));
    assert_eq!(picwish_query(&emu, "x").send().await.unwrap().status(), 500);
    emu.inject(Fault::server_error().for_service(Service::Ci));
    let r = CosCall::ci(&emu, "GET", "jobs")
        .query("tag", "ImageOCR")
        .send(&emu)
        .await;
    let (status, code, _) = cos_error(r).await;
    assert_eq!((status, code.as_str()), (500, "InternalError"));
    emu.inject(Fault::http_status(502));
    let r = Tc3Call::new(&emu, "GeneralBasicOCR", &png_body())
        .request(&emu)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 502);
}

#[tokio::test]
async fn latency_delays_the_answer() {
    let emu = start(manual_config()).await;
    emu.inject(Fault::latency(Duration::from_millis(300)).for_service(Service::PicWish));
    let started = Instant::now();
    let r = picwish_query(&emu, "x").send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert!(started.elapsed() >= Duration::from_millis(300));
    let started = Instant::now();
    picwish_query(&emu, "x").send().await.unwrap();
    assert!(started.elapsed() < Duration::from_millis(300));
}

#[tokio::test]
async fn dropped_connections_get_no_answer() {
    let emu = start(manual_config()).await;
    emu.inject(Fault::drop_connection().for_action("GeneralBasicOCR"));
    let err = Tc3Call::new(&emu, "GeneralBasicOCR", &png_body())
        .request(&emu)
        .send()
        .await
        .unwrap_err();
    assert!(err.status().is_none(), "{err:?}");
    let recorded = emu.recorded_requests();
    assert_eq!(recorded.last().unwrap().status, None);
    // The next call works (on a fresh connection).
    success(tc3(&emu, "GeneralBasicOCR", png_body()).await);

    emu.inject(
        Fault::drop_connection()
            .for_service(Service::PicWish)
            .every(2),
    );
    assert!(picwish_query(&emu, "x").send().await.is_ok());
    assert!(picwish_query(&emu, "x").send().await.is_err());
    assert!(picwish_query(&emu, "x").send().await.is_ok());
}

#[tokio::test]
async fn truncated_and_malformed_bodies() {
    let emu = start(manual_config()).await;
    emu.inject(Fault::truncated_body().for_action("GeneralBasicOCR"));
    let r = Tc3Call::new(&emu, "GeneralBasicOCR", &png_body())
        .request(&emu)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.bytes().await.is_err(), "the body must end early");

    emu.inject(Fault::malformed_body().for_action("GeneralBasicOCR"));
    let r = Tc3Call::new(&emu, "GeneralBasicOCR", &png_body())
        .request(&emu)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    assert!(text.starts_with("{\"Response\""));
    assert!(serde_json::from_str::<Value>(&text).is_err());
}

#[tokio::test]
async fn tasks_fail_with_the_chosen_code() {
    let emu = start(instant_config()).await;
    // LKEAP: Status Failed with Error.
    emu.inject(
        Fault::task_failure("FailedOperation.FileParseTimeout", "file parse timeout")
            .for_action("CreateReconstructDocumentFlow"),
    );
    let r = success(
        tc3(
            &emu,
            "CreateReconstructDocumentFlow",
            json!({ "FileType": "PDF", "FileUrl": "https://example.com/a.pdf" }),
        )
        .await,
    );
    let r = tc3(
        &emu,
        "GetReconstructDocumentResult",
        json!({ "TaskId": r["TaskId"] }),
    )
    .await;
    assert_eq!(r["Status"], "Failed");
    assert_eq!(
        r["Error"],
        json!({ "Code": "FailedOperation.FileParseTimeout", "Message": "file parse timeout" })
    );

    // Card verification: the poll answers the error.
    emu.inject(
        Fault::task_failure("FailedOperation.OcrFailed", "OCR failed").for_service(Service::Ocr),
    );
    let front = b64(&png_with_text(1024, 640, "FullName: X"));
    let r = success(
        tc3(
            &emu,
            "ApplyCardVerificationExternal",
            json!({ "Nationality": "IDN", "CardType": "ID_CARD", "ImageBase64Front": front }),
        )
        .await,
    );
    let r = tc3(
        &emu,
        "GetCardVerificationExternalResult",
        json!({ "CardVerificationToken": r["CardVerificationToken"] }),
    )
    .await;
    assert_eq!(error_code(&r), "FailedOperation.OcrFailed");

    // CI: State Failed with Code and Message.
    emu.put_object(
        ocr_emulator::DEFAULT_BUCKET,
        "a.png",
        png_with_text(800, 600, "A"),
    );
    emu.inject(Fault::task_failure("InternalError", "engine crashed").for_service(Service::Ci));
    let body = "<Request><Tag>ImageOCR</Tag><Input><Object>a.png</Object></Input><Operation><ImageOCR><Type>general</Type></ImageOCR></Operation></Request>";
    let xml = CosCall::ci(&emu, "POST", "jobs")
        .body(body)
        .send(&emu)
        .await
        .text()
        .await
        .unwrap();
    let job = xml_value(&xml, "JobId").unwrap();
    let xml = CosCall::ci(&emu, "GET", &format!("jobs/{job}"))
        .send(&emu)
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(xml_value(&xml, "State").unwrap(), "Failed");
    assert_eq!(xml_value(&xml, "Code").unwrap(), "InternalError");
    assert_eq!(xml_value(&xml, "Message").unwrap(), "engine crashed");
    assert!(xml_value(&xml, "Detection").is_none());

    // PicWish: a negative state.
    emu.inject(Fault::task_failure("-8", "Processing timed out").for_service(Service::PicWish));
    let r = picwish_create(
        &emu,
        Form::new().text("image_url", "https://example.com/a.png"),
    )
    .send()
    .await
    .unwrap();
    let body: Value = r.json().await.unwrap();
    let q: Value = picwish_query(&emu, body["data"]["task_id"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(q["data"]["state"], -8);
    assert_eq!(q["message"], "Processing timed out");
}

#[tokio::test]
async fn rate_limits_answer_the_documented_throttling() {
    let emu = start(manual_config()).await;
    emu.set_rate_limit("GeneralBasicOCR", 1.0);
    success(tc3(&emu, "GeneralBasicOCR", png_body()).await);
    let r = tc3(&emu, "GeneralBasicOCR", png_body()).await;
    assert_eq!(error_code(&r), "RequestLimitExceeded");
    // Other actions keep their own buckets.
    success(tc3(&emu, "GeneralAccurateOCR", png_body()).await);

    emu.set_rate_limit(ocr_emulator::PICWISH_QUERY_ACTION, 1.0);
    assert_eq!(picwish_query(&emu, "x").send().await.unwrap().status(), 404);
    assert_eq!(picwish_query(&emu, "x").send().await.unwrap().status(), 429);

    emu.set_rate_limit("GetObject", 1.0);
    emu.put_object(ocr_emulator::DEFAULT_BUCKET, "a", b"a".to_vec());
    assert_eq!(
        CosCall::cos(&emu, "GET", "a").send(&emu).await.status(),
        200
    );
    let (status, code, _) = cos_error(CosCall::cos(&emu, "GET", "a").send(&emu).await).await;
    assert_eq!((status, code.as_str()), (503, "SlowDown"));
    // The bucket refills with real time.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        CosCall::cos(&emu, "GET", "a").send(&emu).await.status(),
        200
    );
}

#[tokio::test]
async fn documented_defaults_are_in_force() {
    let emu = start(ocr_emulator::EmulatorConfig::default()).await;
    assert_eq!(emu.rate_limit("ExtractDocMulti"), 5.0);
    assert_eq!(emu.rate_limit("GetCardVerificationExternalResult"), 20.0);
    assert_eq!(emu.rate_limit("CreateReconstructDocumentFlow"), 20.0);
    assert_eq!(emu.rate_limit(ocr_emulator::PICWISH_CREATE_ACTION), 2.0);
    assert_eq!(emu.rate_limit("SubmitJob"), 100.0);
    assert_eq!(emu.rate_limit("DescribeJobs"), 20.0);
    assert_eq!(emu.rate_limit("ListJobs"), 10.0);
    // A burst of ExtractDocMulti calls: the bucket holds 5 (one second's worth), so the
    // first five pass and the burst soon runs dry (12 calls would need 1.4 s to pass).
    let body = json!({ "ImageUrl": "https://example.com/a.png" });
    let mut codes = Vec::new();
    for _ in 0..12 {
        let r = tc3(&emu, "ExtractDocMulti", body.clone()).await;
        codes.push(r["Error"]["Code"].as_str().unwrap_or("ok").to_owned());
    }
    assert_eq!(codes[..5], ["ok", "ok", "ok", "ok", "ok"]);
    assert!(
        codes.iter().any(|c| c == "RequestLimitExceeded"),
        "{codes:?}"
    );
    assert!(codes
        .iter()
        .all(|c| c == "ok" || c == "RequestLimitExceeded"));
}

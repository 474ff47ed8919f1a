//! OCR 2018-11-19: ExtractDocMulti, GeneralBasicOCR, GeneralAccurateOCR and the card
//! verification lifecycle, with the request rules around them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::time::Duration;

use common::*;
use ocr_emulator::samples::{pdf_with_text, png_with_text};
use serde_json::{json, Value};

const INVOICE: &str = "ACME Invoice\nInvoice Number: INV-42\nName: Ada Lovelace\nTotal: 12.50";

#[tokio::test]
async fn extract_doc_multi_reads_fields_and_full_text() {
    let emu = start(manual_config()).await;
    let png = png_with_text(1000, 800, INVOICE);
    let r = success(
        tc3(
            &emu,
            "ExtractDocMulti",
            json!({ "ImageBase64": b64(&png), "ItemNamesShowMode": false, "EnableCoord": true }),
        )
        .await,
    );
    assert_eq!(r["Angle"], json!(0));
    let items = r["StructuralList"][0]["Groups"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    let first = &items[0]["Lines"][0];
    assert_eq!(first["Key"]["AutoName"], "Invoice Number");
    assert_eq!(first["Key"]["ConfigName"], Value::Null);
    assert_eq!(first["Value"]["AutoContent"], "INV-42");
    assert_eq!(first["Value"]["PageIndex"], "1");
    let coord = &first["Value"]["Coord"];
    for corner in ["LeftTop", "RightTop", "RightBottom", "LeftBottom"] {
        let x = coord[corner]["X"].as_i64().unwrap();
        let y = coord[corner]["Y"].as_i64().unwrap();
        assert!(
            (0..=1000).contains(&x) && (0..=800).contains(&y),
            "{corner} {x},{y}"
        );
    }
    assert!(coord["LeftTop"]["X"].as_i64() < coord["RightTop"]["X"].as_i64());
    let words = r["WordList"].as_array().unwrap();
    assert_eq!(words.len(), 4);
    assert_eq!(words[0]["DetectedText"], "ACME Invoice");
    assert_eq!(words[0]["WordCoord"][1]["DetectedText"], "Invoice");
    let advanced: Value = serde_json::from_str(words[0]["AdvancedInfo"].as_str().unwrap()).unwrap();
    assert_eq!(advanced["Parag"]["ParagNo"], 1);
    assert_eq!(r["TokenNum"], 3);
    assert_eq!(emu.submissions(ocr_emulator::Service::Ocr), 1);
    assert_eq!(emu.submission_counts()["ExtractDocMulti"], 1);
}

#[tokio::test]
async fn extract_doc_multi_custom_item_names() {
    let emu = start(manual_config()).await;
    let png = png_with_text(1000, 800, INVOICE);
    let r = success(
        tc3(
            &emu,
            "ExtractDocMulti",
            json!({ "ImageBase64": b64(&png), "ItemNames": ["total", "Phone"], "ConfigId": "General" }),
        )
        .await,
    );
    let groups = r["StructuralList"][0]["Groups"].as_array().unwrap();
    // ItemNamesShowMode defaults to true: only the requested names.
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0]["Lines"][0]["Key"]["AutoName"], "Total");
    assert_eq!(groups[0]["Lines"][0]["Key"]["ConfigName"], "total");
    assert_eq!(groups[0]["Lines"][0]["Value"]["AutoContent"], "12.50");
    assert_eq!(groups[1]["Lines"][0]["Key"]["ConfigName"], "Phone");
    assert_eq!(groups[1]["Lines"][0]["Value"]["AutoContent"], "");
    assert_eq!(groups[1]["Lines"][0]["Value"]["Coord"], Value::Null);
}

#[tokio::test]
async fn extract_doc_multi_rules() {
    let emu = start(manual_config()).await;
    let png = b64(&png_with_text(800, 600, "x"));
    let cases = [
        (json!({ "ImageBase64": png, "Foo": 1 }), "UnknownParameter"),
        (
            json!({ "ImageBase64": png, "ConfigAdvanced": { "Bar": "x" } }),
            "UnknownParameter",
        ),
        (json!({}), "MissingParameter"),
        (
            json!({ "ImageBase64": png, "PdfPageNumber": "1" }),
            "InvalidParameter",
        ),
        (
            json!({ "ImageBase64": png, "ReturnFullText": null }),
            "InvalidParameter",
        ),
        (
            json!({ "ImageBase64": png, "ItemNames": "a" }),
            "InvalidParameter",
        ),
        (
            json!({ "ImageBase64": png, "ImageUrl": "https://example.com/a.png" }),
            "InvalidParameterValue.InvalidParameterValueLimit",
        ),
        (
            json!({ "ImageBase64": png, "ConfigId": "Nope" }),
            "InvalidParameterValue.InvalidParameterValueLimit",
        ),
        (
            json!({ "ImageBase64": "***" }),
            "FailedOperation.ImageDecodeFailed",
        ),
        (
            json!({ "ImageBase64": b64(b"GIF89a\x01\x00\x01\x00") }),
            "FailedOperation.ImageDecodeFailed",
        ),
        (
            json!({ "ImageBase64": png, "PdfPageNumber": 2 }),
            "InvalidParameterValue.InvalidParameterValueLimit",
        ),
    ];
    for (body, code) in cases {
        let r = tc3(&emu, "ExtractDocMulti", body.clone()).await;
        assert_eq!(error_code(&r), code, "{body}");
    }
    let r = tc3(
        &emu,
        "ExtractDocMulti",
        json!({ "ImageBase64": png, "Foo": 1 }),
    )
    .await;
    assert!(r["Error"]["Message"].as_str().unwrap().contains("`Foo`"));
    // Nothing was billed.
    assert_eq!(emu.submissions(ocr_emulator::Service::Ocr), 0);
}

#[tokio::test]
async fn base64_size_limit_is_ten_megabytes() {
    let emu = start(manual_config()).await;
    let too_big = "A".repeat(10 * 1024 * 1024 + 4);
    let r = tc3(&emu, "ExtractDocMulti", json!({ "ImageBase64": too_big })).await;
    assert_eq!(error_code(&r), "LimitExceeded.TooLargeFileError");
    let recorded = emu.recorded_requests();
    assert!(recorded.last().unwrap().body_size > 10 * 1024 * 1024);
}

#[tokio::test]
async fn url_inputs_are_derived_from_the_url_without_fetching() {
    let emu = start(manual_config()).await;
    let url = "https://example.com/scans/receipt-7.png";
    let a = success(
        tc3(
            &emu,
            "ExtractDocMulti",
            json!({ "ImageUrl": url, "ItemNamesShowMode": false }),
        )
        .await,
    );
    let b = success(
        tc3(
            &emu,
            "ExtractDocMulti",
            json!({ "ImageUrl": url, "ItemNamesShowMode": false }),
        )
        .await,
    );
    assert_eq!(a["WordList"], b["WordList"]);
    assert_eq!(a["StructuralList"], b["StructuralList"]);
    assert_eq!(a["WordList"][0]["DetectedText"], "receipt-7.png");
    assert!(a["StructuralList"][0]["Groups"].as_array().unwrap().len() >= 3);
    let r = tc3(&emu, "ExtractDocMulti", json!({ "ImageUrl": "not a url" })).await;
    assert_eq!(error_code(&r), "FailedOperation.DownLoadError");
}

#[tokio::test]
async fn general_basic_ocr_lines_words_and_pdf_pages() {
    let emu = start(manual_config()).await;
    let png = png_with_text(640, 480, "Hello world\nSecond line");
    let r = success(
        tc3(
            &emu,
            "GeneralBasicOCR",
            json!({ "ImageBase64": b64(&png), "IsWords": true, "LanguageType": "auto" }),
        )
        .await,
    );
    let d = r["TextDetections"].as_array().unwrap();
    assert_eq!(d.len(), 2);
    assert_eq!(d[0]["DetectedText"], "Hello world");
    let confidence = d[0]["Confidence"].as_i64().unwrap();
    assert!((0..=100).contains(&confidence));
    assert_eq!(d[0]["Polygon"].as_array().unwrap().len(), 4);
    let item = &d[0]["ItemPolygon"];
    assert!(item["Width"].as_i64().unwrap() > 0 && item["Height"].as_i64().unwrap() > 0);
    assert_eq!(d[0]["Words"].as_array().unwrap().len(), 10);
    assert_eq!(d[0]["Words"][0]["Character"], "H");
    assert_eq!(
        d[0]["WordCoordPoint"][0]["WordCoordinate"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    assert!(d[1]["ItemPolygon"]["Y"].as_i64() > d[0]["ItemPolygon"]["Y"].as_i64());
    assert_eq!(r["Language"], "zh");
    assert_eq!(r["PdfPageSize"], 0);
    assert_eq!(r["Angel"], json!(0));

    let pdf = pdf_with_text(&[&["Page one"], &["Page two", "More"]]);
    let r = tc3(&emu, "GeneralBasicOCR", json!({ "ImageBase64": b64(&pdf) })).await;
    assert_eq!(error_code(&r), "FailedOperation.ImageDecodeFailed");
    let r = success(
        tc3(
            &emu,
            "GeneralBasicOCR",
            json!({ "ImageBase64": b64(&pdf), "IsPdf": true, "PdfPageNumber": 2 }),
        )
        .await,
    );
    assert_eq!(r["PdfPageSize"], 2);
    assert_eq!(r["TextDetections"][0]["DetectedText"], "Page two");
    assert_eq!(r["TextDetections"][0]["Words"], json!([]));

    let empty = png_with_text(640, 480, " ");
    let r = tc3(
        &emu,
        "GeneralBasicOCR",
        json!({ "ImageBase64": b64(&empty) }),
    )
    .await;
    assert_eq!(error_code(&r), "FailedOperation.ImageNoText");
    let r = tc3(
        &emu,
        "GeneralBasicOCR",
        json!({ "ImageBase64": b64(&png), "LanguageType": "elvish" }),
    )
    .await;
    assert_eq!(
        error_code(&r),
        "InvalidParameterValue.InvalidParameterValueLimit"
    );
}

#[tokio::test]
async fn general_accurate_ocr_shape() {
    let emu = start(manual_config()).await;
    let png = png_with_text(640, 480, "Alpha\n第二行");
    let r = success(
        tc3(
            &emu,
            "GeneralAccurateOCR",
            json!({ "ImageBase64": b64(&png), "ConfigID": "MulOCR" }),
        )
        .await,
    );
    assert!(r.get("Language").is_none() && r.get("PdfPageSize").is_none());
    assert_eq!(r["Angle"], json!(0));
    assert_eq!(r["TextDetections"][0]["Language"], "en");
    assert_eq!(r["TextDetections"][1]["Language"], "zh");
    let r = success(
        tc3(
            &emu,
            "GeneralAccurateOCR",
            json!({ "ImageBase64": b64(&png), "EnableDetectText": false }),
        )
        .await,
    );
    assert_eq!(r["TextDetections"].as_array().unwrap().len(), 1);
    let r = tc3(
        &emu,
        "GeneralAccurateOCR",
        json!({ "ImageBase64": b64(&png), "LanguageType": "zh" }),
    )
    .await;
    assert_eq!(error_code(&r), "UnknownParameter");
}

#[tokio::test]
async fn same_bytes_same_result() {
    let emu = start(manual_config()).await;
    // No text chunk: stand-in lines derived from the bytes' hash.
    let png = png_with_text(800, 600, "");
    let a = success(tc3(&emu, "GeneralBasicOCR", json!({ "ImageBase64": b64(&png) })).await);
    let b = success(tc3(&emu, "GeneralBasicOCR", json!({ "ImageBase64": b64(&png) })).await);
    assert_eq!(a["TextDetections"], b["TextDetections"]);
    assert_ne!(a["RequestId"], b["RequestId"]);
    let other = png_with_text(801, 600, "");
    let c = success(
        tc3(
            &emu,
            "GeneralBasicOCR",
            json!({ "ImageBase64": b64(&other) }),
        )
        .await,
    );
    assert_ne!(a["TextDetections"], c["TextDetections"]);
}

#[tokio::test]
async fn get_requests_carry_flattened_parameters() {
    let emu = start(manual_config()).await;
    let host = host(&emu);
    let query = "ImageUrl=https%3A%2F%2Fexample.com%2Fa.png&IsWords=true";
    let signed = tc_signing::sign_tc3(
        &tc_signing::Tc3Request {
            method: "GET",
            host: &host,
            path: "/",
            query,
            content_type: "application/x-www-form-urlencoded",
            extra_signed_headers: &[],
            payload: tc_signing::PayloadHash::Bytes(b""),
        },
        &ocr_emulator::test_credential(),
        "ocr",
        T0,
    );
    let mut rb = client()
        .get(format!("{}?{query}", emu.endpoints().tencent))
        .header("Authorization", signed.authorization())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("X-TC-Action", "GeneralBasicOCR")
        .header("X-TC-Version", "2018-11-19");
    for (k, v) in signed.headers() {
        rb = rb.header(k, v);
    }
    let r: Value = rb.send().await.unwrap().json().await.unwrap();
    let r = success(r["Response"].clone());
    assert!(!r["TextDetections"][0]["Words"]
        .as_array()
        .unwrap()
        .is_empty());
}

fn card_png(text: &str) -> String {
    b64(&png_with_text(1024, 640, text))
}

#[tokio::test]
async fn card_verification_lifecycle() {
    let emu = start(manual_config()).await;
    let front = card_png(
        "FullName: DOE JANE\nLicenseNumber: P1234567\nBirthday: 1990/01/02\nAddress: 1 Main St",
    );
    let r = success(
        tc3(
            &emu,
            "ApplyCardVerificationExternal",
            json!({ "Nationality": "PHL", "CardType": "PASSPORT", "ImageBase64Front": front, "ReturnHeadImage": true }),
        )
        .await,
    );
    let token = r["CardVerificationToken"].as_str().unwrap().to_owned();
    assert_eq!(token.len(), 36);

    let poll = || {
        tc3(
            &emu,
            "GetCardVerificationExternalResult",
            json!({ "CardVerificationToken": token }),
        )
    };
    let r = success(poll().await);
    assert_eq!(r["Status"], "PROCESSING");
    assert_eq!(r["CardInfo"], Value::Null);
    emu.clock().advance(Duration::from_secs(31));
    let r = success(poll().await);
    assert_eq!(r["Status"], "PASSED");
    assert_eq!(r["WarnInfo"], Value::Null);
    assert_eq!(r["CardVerificationToken"], token.as_str());
    assert_eq!(r["Nationality"], "PHL");
    let card = &r["CardInfo"];
    assert_eq!(card["FullName"], "DOE JANE");
    assert_eq!(card["LicenseNumber"], "P1234567");
    assert_eq!(card["Birthday"], "1990/01/02");
    assert_eq!(card["IssuedCountry"], "Philippines");
    assert_eq!(card["IssuedCountryCode"], "PHL");
    assert_eq!(card["Address"]["FormattedAddress"], "1 Main St");
    assert_eq!(card["MRZLine1"].as_str().unwrap().len(), 44);
    assert!(card["Height"].is_string() && card["Age"].is_string());
    assert_eq!(r["BackCardInfo"], Value::Null);
    assert!(!r["HeadImageBase64"].as_str().unwrap().is_empty());
    assert_eq!(emu.submissions(ocr_emulator::Service::Ocr), 1);

    // A document that says it is a photocopy.
    let warn = card_png("FullName: X\nWarnInfo: PaperCopy, RetakeSuspected");
    let r = success(
        tc3(
            &emu,
            "ApplyCardVerificationExternal",
            json!({ "Nationality": "IDN", "CardType": "ID_CARD", "ImageBase64Front": warn }),
        )
        .await,
    );
    let token2 = r["CardVerificationToken"].as_str().unwrap().to_owned();
    emu.clock().advance(Duration::from_secs(31));
    let r = success(
        tc3(
            &emu,
            "GetCardVerificationExternalResult",
            json!({ "CardVerificationToken": token2 }),
        )
        .await,
    );
    assert_eq!(r["Status"], "WARNING");
    assert_eq!(r["WarnInfo"], json!(["PaperCopy", "RetakeSuspected"]));
    assert_eq!(r["HeadImageBase64"], "");
}

#[tokio::test]
async fn card_verification_rules_and_region() {
    let emu = start(manual_config()).await;
    let front = card_png("FullName: X");
    // ap-singapore only.
    let mut call = Tc3Call::new(
        &emu,
        "GetCardVerificationExternalResult",
        &json!({ "CardVerificationToken": "t" }),
    );
    call.region = Some("ap-guangzhou".into());
    let (r, _) = call.send(&emu).await;
    assert_eq!(error_code(&r["Response"]), "UnsupportedRegion");
    call.region = None;
    let (r, _) = call.send(&emu).await;
    assert_eq!(error_code(&r["Response"]), "MissingParameter");

    let cases = [
        (
            json!({ "CardType": "PASSPORT", "ImageBase64Front": front }),
            "MissingParameter",
        ),
        (
            json!({ "Nationality": "PHL", "CardType": "VISA", "ImageBase64Front": front }),
            "InvalidParameterValue.InvalidParameterValueLimit",
        ),
        (
            json!({ "Nationality": "ph", "CardType": "PASSPORT", "ImageBase64Front": front }),
            "InvalidParameterValue.InvalidParameterValueLimit",
        ),
        (
            json!({ "Nationality": "PHL", "CardType": "PASSPORT" }),
            "MissingParameter",
        ),
        // The Philippine ID card needs its back side.
        (
            json!({ "Nationality": "PHL", "CardType": "ID_CARD", "ImageBase64Front": front }),
            "InvalidParameterValue.InvalidParameterValueLimit",
        ),
        (
            json!({ "Nationality": "PHL", "CardType": "PASSPORT", "ImageBase64Front": "A".repeat(2 * 1024 * 1024 + 4) }),
            "FailedOperation.ImageSizeTooLarge",
        ),
        (
            json!({ "Nationality": "PHL", "CardType": "PASSPORT", "ImageBase64Front": b64(&png_with_text(100, 100, "x")) }),
            "InvalidParameterValue.InvalidParameterValueLimit",
        ),
        (
            json!({ "Nationality": "PHL", "CardType": "PASSPORT", "ImageBase64Front": b64(&pdf_with_text(&[&["x"]])) }),
            "InvalidParameter.EngineImageDecodeFailed",
        ),
    ];
    for (body, code) in cases {
        let r = tc3(&emu, "ApplyCardVerificationExternal", body.clone()).await;
        assert_eq!(error_code(&r), code, "{body}");
    }
    let r = tc3(
        &emu,
        "GetCardVerificationExternalResult",
        json!({ "CardVerificationToken": "nope" }),
    )
    .await;
    assert_eq!(
        error_code(&r),
        "InvalidParameterValue.InvalidParameterValueLimit"
    );
    // With both sides the ID card is accepted, and the back is read too.
    let r = success(
        tc3(
            &emu,
            "ApplyCardVerificationExternal",
            json!({ "Nationality": "PHL", "CardType": "ID_CARD", "ImageBase64Front": front, "ImageUrlBack": "https://example.com/back.jpg" }),
        )
        .await,
    );
    emu.clock().advance(Duration::from_secs(60));
    let r = success(
        tc3(
            &emu,
            "GetCardVerificationExternalResult",
            json!({ "CardVerificationToken": r["CardVerificationToken"] }),
        )
        .await,
    );
    assert!(r["BackCardInfo"].is_object());
}

//! GeneralAccurateOCR and GeneralBasicOCR through the public API against wiremock.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use common::*;
use ocr_core::{ErrorKind, Point, Quad};
use serde_json::json;
use tc_ocr::{
    Coord, GeneralAccurateOcrRequest, GeneralAccurateOcrResponse, GeneralBasicOcrRequest,
    ItemCoord, Language,
};
use wiremock::MockServer;

fn c(x: i64, y: i64) -> Coord {
    Coord {
        x: Some(x),
        y: Some(y),
    }
}

#[tokio::test]
async fn general_accurate_ocr_sends_the_exact_request_and_parses_every_field() {
    let server = MockServer::start().await;
    answer(&server, "GeneralAccurateOCR", json(ACCURATE_RESPONSE), 1).await;
    let ocr = builder(&server)
        .region("ap-guangzhou")
        .language(Language::EnUs)
        .build()
        .unwrap();
    let req = GeneralAccurateOcrRequest {
        is_words: Some(true),
        enable_detect_split: Some(false),
        is_pdf: Some(true),
        pdf_page_number: Some(3),
        enable_detect_text: Some(true),
        config_id: Some("OCR".into()),
        words_type: Some("0".into()),
        ..GeneralAccurateOcrRequest::from_url("https://example.com/scan.pdf")
    };
    let out = ocr.general_accurate_ocr(&req).await.unwrap();

    let received = server.received_requests().await.unwrap();
    let r = &received[0];
    assert_eq!(
        std::str::from_utf8(&r.body).unwrap(),
        concat!(
            r#"{"ImageUrl":"https://example.com/scan.pdf","IsWords":true,"#,
            r#""EnableDetectSplit":false,"IsPdf":true,"PdfPageNumber":3,"#,
            r#""EnableDetectText":true,"ConfigID":"OCR","WordsType":"0"}"#
        )
    );
    assert_eq!(header_of(r, "x-tc-language"), Some("en-US"));
    let body = serde_json::from_slice(&r.body).unwrap();
    assert_signed_request(
        r,
        &server,
        "GeneralAccurateOCR",
        Some("ap-guangzhou"),
        &body,
    );

    assert_eq!(out.angle, Some(-0.5));
    assert_eq!(out.angel, Some(359.5));
    assert_eq!(out.request_id.as_deref(), Some("6f1f0c2e-accurate-0001"));
    let lines = out.text_detections.as_ref().unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0].detected_text.as_deref(), Some("Invoice 2024"));
    assert_eq!(lines[0].confidence, Some(99));
    assert_eq!(
        lines[0].polygon,
        Some(vec![c(10, 20), c(210, 22), c(209, 60), c(9, 58)])
    );
    assert_eq!(
        lines[0].advanced_info.as_deref(),
        Some("{\"Parag\":{\"ParagNo\":1}}")
    );
    assert_eq!(
        lines[0].item_polygon,
        Some(ItemCoord {
            x: Some(10),
            y: Some(20),
            width: Some(200),
            height: Some(40)
        })
    );
    let words = lines[0].words.as_ref().unwrap();
    assert_eq!(words[0].character.as_deref(), Some("I"));
    assert_eq!(words[0].confidence, Some(98));
    assert_eq!(words[1].character.as_deref(), Some("n"));
    let points = lines[0].word_coord_point.as_ref().unwrap();
    assert_eq!(
        points[1].word_coordinate,
        Some(vec![c(21, 20), c(30, 20), c(30, 60), c(21, 60)])
    );
    assert_eq!(lines[0].language, None);
    assert_eq!(lines[1].polygon, None);
    assert_eq!(lines[1].confidence, Some(87));
    assert_eq!(
        normalise(serde_json::to_value(&out).unwrap()),
        normalise(json(ACCURATE_RESPONSE)["Response"].clone())
    );

    // The neutral model: confidence 0..=1, polygons as quads, ItemPolygon as the fallback box.
    let doc = out.to_document(req.pdf_page_number);
    let page = &doc.pages[0];
    assert_eq!(page.number, 3);
    assert_eq!(page.angle, Some(-0.5));
    assert_eq!(page.lines[0].text, "Invoice 2024");
    assert_eq!(page.lines[0].confidence, Some(0.99));
    assert_eq!(
        page.lines[0].bbox,
        Some(Quad::new([
            Point::new(10.0, 20.0),
            Point::new(210.0, 22.0),
            Point::new(209.0, 60.0),
            Point::new(9.0, 58.0)
        ]))
    );
    assert_eq!(page.lines[0].words.len(), 2);
    assert_eq!(page.lines[0].words[1].text, "n");
    assert_eq!(page.lines[0].words[1].confidence, Some(0.97));
    assert_eq!(
        page.lines[0].words[1].bbox,
        Some(Quad::from_rect(21.0, 20.0, 9.0, 40.0))
    );
    assert_eq!(page.lines[1].confidence, Some(0.87));
    assert_eq!(
        page.lines[1].bbox,
        Some(Quad::from_rect(12.0, 80.0, 150.0, 30.0))
    );
    assert_eq!(doc.text(), "Invoice 2024\nTotal 42.00");
    assert_eq!(doc.request_ids, vec!["6f1f0c2e-accurate-0001".to_owned()]);
    assert_eq!(doc.native::<GeneralAccurateOcrResponse>(), Some(&out));
}

#[tokio::test]
async fn general_basic_ocr_sends_the_exact_request_and_parses_every_field() {
    let server = MockServer::start().await;
    answer(&server, "GeneralBasicOCR", json(BASIC_RESPONSE), 1).await;
    let image = b64(&jpeg(640, 480));
    let req = GeneralBasicOcrRequest {
        scene: Some("doc".into()),
        language_type: Some("fre".into()),
        is_words: Some(false),
        ..GeneralBasicOcrRequest::from_base64(image.clone())
    };
    let out = client(&server).general_basic_ocr(&req).await.unwrap();
    let received = server.received_requests().await.unwrap();
    assert_eq!(
        std::str::from_utf8(&received[0].body).unwrap(),
        format!(
            r#"{{"ImageBase64":"{image}","Scene":"doc","LanguageType":"fre","IsWords":false}}"#
        )
    );
    assert_signed_request(
        &received[0],
        &server,
        "GeneralBasicOCR",
        None,
        &json!({"ImageBase64": image, "Scene": "doc", "LanguageType": "fre", "IsWords": false}),
    );
    assert_eq!(out.language.as_deref(), Some("fre"));
    assert_eq!(out.pdf_page_size, Some(0));
    assert_eq!(out.angle, Some(0.0));
    assert_eq!(out.angel, Some(0.0));
    assert_eq!(out.request_id.as_deref(), Some("6f1f0c2e-basic-0001"));
    let lines = out.text_detections.as_ref().unwrap();
    assert_eq!(lines[0].detected_text.as_deref(), Some("Bonjour"));
    assert_eq!(lines[0].confidence, Some(95));
    assert_eq!(lines[0].words, Some(vec![]));
    assert_eq!(
        normalise(serde_json::to_value(&out).unwrap()),
        normalise(json(BASIC_RESPONSE)["Response"].clone())
    );
    let doc = out.to_document(None);
    assert_eq!(doc.pages[0].number, 1);
    assert_eq!(doc.pages[0].lines[0].confidence, Some(0.95));
    assert_eq!(
        doc.pages[0].lines[0].bbox,
        Some(Quad::from_rect(0.0, 0.0, 100.0, 30.0))
    );
}

#[tokio::test]
async fn no_text_found_is_an_error_not_an_empty_result() {
    let server = MockServer::start().await;
    let body = json!({"Response": {"Error": {"Code": "FailedOperation.ImageNoText",
        "Message": "no text in the image"}, "RequestId": "rid-notext"}});
    answer(&server, "GeneralAccurateOCR", body, 1).await;
    let err = client(&server)
        .general_accurate_ocr(&GeneralAccurateOcrRequest::from_url(
            "https://example.com/a.png",
        ))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Service);
    assert_eq!(err.code(), Some("FailedOperation.ImageNoText"));
    assert_eq!(err.request_id(), Some("rid-notext"));
    assert_eq!(err.operation(), Some("GeneralAccurateOCR"));
}

#[tokio::test]
async fn a_signature_refusal_is_an_auth_error() {
    let server = MockServer::start().await;
    let body = json!({"Response": {"Error": {"Code": "AuthFailure.SignatureFailure",
        "Message": "The provided credentials could not be validated."}, "RequestId": "rid-auth"}});
    answer(&server, "GeneralBasicOCR", body, 1).await;
    let err = client(&server)
        .general_basic_ocr(&GeneralBasicOcrRequest::from_url(
            "https://example.com/a.png",
        ))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert_eq!(err.request_id(), Some("rid-auth"));
}

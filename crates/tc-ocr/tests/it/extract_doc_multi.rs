//! ExtractDocMulti through the public API against wiremock, with the seed page's examples.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use std::time::{Duration, Instant};
use tc_ocr::prelude::*;

use common::*;
use ocr_core::ErrorKind;
use serde_json::{json, Value};
use tc_ocr::{
    ConfigAdvanced, Coord, ExtractDocMultiRequest, ExtractDocMultiResponse, ItemNames, Polygon,
};
use wiremock::MockServer;

fn zero_polygon() -> Polygon {
    let z = Some(Coord {
        x: Some(0),
        y: Some(0),
    });
    Polygon {
        left_top: z,
        right_top: z,
        right_bottom: z,
        left_bottom: z,
    }
}

#[test]
fn seed_request_maps_onto_the_typed_request_field_for_field() {
    let seed = seed_edm_request();
    // deny_unknown_fields: every key of the example is a known wire name.
    let req: ExtractDocMultiRequest = serde_json::from_value(seed.clone()).unwrap();
    assert_eq!(
        req.image_url.as_deref(),
        Some("https://ocr-demo-1254418846.cos.ap-guangzhou.myqcloud.com/document/SmartStructuralOCR/SmartStructuralPro1.png")
    );
    assert_eq!(
        req.image_base64.as_deref(),
        Some("/9j/4AAQSkZJRg.....s97n//2Q==")
    );
    assert_eq!(req.pdf_page_number, Some(1));
    assert_eq!(req.enable_coord, Some(false));
    assert_eq!(req.item_names, Some(vec!["number".to_owned()]));
    assert_eq!(req.return_full_text, Some(false));
    assert_eq!(req.config_id.as_deref(), Some("General"));
    assert_eq!(req.item_names_show_mode, None);
    assert_eq!(req.output_parent_key, None);
    assert_eq!(req.config_advanced, None);
    assert_eq!(req.output_language, None);
    assert_eq!(req.new_item_names, None);
    assert_eq!(req.multi_model_version, None);
    // And back: the same JSON, unset fields omitted.
    assert_eq!(serde_json::to_value(&req).unwrap(), seed);
}

#[tokio::test]
async fn seed_request_as_published_is_refused_because_it_sets_both_sources() {
    let server = silent_server().await;
    let req: ExtractDocMultiRequest = serde_json::from_value(seed_edm_request()).unwrap();
    let err = client(&server).extract_doc_multi(&req).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(err.field(), Some("ImageBase64"));
    assert_eq!(err.provider(), Some("tc-ocr"));
    assert_eq!(err.operation(), Some("ExtractDocMulti"));
    assert_eq!(
        err.to_string(),
        "tc-ocr ExtractDocMulti: invalid input: `ImageBase64` must not be set together with \
         ImageUrl: give exactly one of ImageUrl or ImageBase64"
    );
    assert_nothing_sent(&server).await;
}

#[tokio::test]
async fn sends_the_seed_request_and_parses_the_seed_response() {
    let server = MockServer::start().await;
    answer(&server, "ExtractDocMulti", json(SEED_EDM_RESPONSE), 1).await;
    // The service uses ImageUrl when both are given, so this is the request it acts on.
    let mut body = seed_edm_request();
    body.as_object_mut().unwrap().remove("ImageBase64");
    let req: ExtractDocMultiRequest = serde_json::from_value(body.clone()).unwrap();

    let out = client(&server).extract_doc_multi(&req).await.unwrap();

    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 1);
    assert_signed_request(&received[0], &server, "ExtractDocMulti", None, &body);

    assert_eq!(out.angle, Some(0.0));
    assert_eq!(out.token_num, None);
    assert_eq!(out.request_id.as_deref(), Some("2378****90"));
    let groups = out.structural_list.as_ref().unwrap();
    assert_eq!(groups.len(), 1);
    let lines = groups[0].groups.as_ref().unwrap();
    assert_eq!(lines.len(), 1);
    let items = lines[0].lines.as_ref().unwrap();
    assert_eq!(items.len(), 1);
    let key = items[0].key.as_ref().unwrap();
    assert_eq!(key.auto_name.as_deref(), Some("Number"));
    assert_eq!(key.config_name.as_deref(), Some("number"));
    let value = items[0].value.as_ref().unwrap();
    assert_eq!(value.auto_content.as_deref(), Some("176***101"));
    assert_eq!(value.coord, Some(zero_polygon()));
    assert_eq!(value.page_index, None);
    assert_eq!(items[0].audit_result, None);
    let words = out.word_list.as_ref().unwrap();
    assert_eq!(words.len(), 1);
    assert_eq!(words[0].detected_text.as_deref(), Some("ORD0****9"));
    assert_eq!(words[0].coord, Some(zero_polygon()));
    assert_eq!(words[0].advanced_info, None);
    assert_eq!(words[0].word_coord, None);

    // Nothing of the example was dropped or renamed.
    assert_eq!(
        normalise(serde_json::to_value(&out).unwrap()),
        normalise(json(SEED_EDM_RESPONSE)["Response"].clone())
    );
}

#[tokio::test]
async fn every_request_field_goes_out_under_its_wire_name() {
    let server = MockServer::start().await;
    answer(&server, "ExtractDocMulti", json(SEED_EDM_RESPONSE), 1).await;
    let req = ExtractDocMultiRequest {
        pdf_page_number: Some(2),
        item_names: Some(vec!["name".into(), "gender".into()]),
        item_names_show_mode: Some(false),
        return_full_text: Some(true),
        config_id: Some("InvoiceEng".into()),
        enable_coord: Some(true),
        output_parent_key: Some(false),
        config_advanced: Some(ConfigAdvanced {
            scene: Some("only_hw".into()),
        }),
        output_language: Some("en".into()),
        new_item_names: Some(vec![ItemNames {
            key_name: Some("total".into()),
            key_type: Some(1),
            key_prompt: Some("the amount due".into()),
            key_expected_value: Some("42".into()),
            key_audit_prompt: Some("exact match passes".into()),
        }]),
        multi_model_version: Some("2.0".into()),
        ..ExtractDocMultiRequest::from_url("https://example.com/doc.pdf")
    };
    client(&server).extract_doc_multi(&req).await.unwrap();
    let received = server.received_requests().await.unwrap();
    assert_eq!(
        std::str::from_utf8(&received[0].body).unwrap(),
        concat!(
            r#"{"ImageUrl":"https://example.com/doc.pdf","PdfPageNumber":2,"#,
            r#""ItemNames":["name","gender"],"ItemNamesShowMode":false,"ReturnFullText":true,"#,
            r#""ConfigId":"InvoiceEng","EnableCoord":true,"OutputParentKey":false,"#,
            r#""ConfigAdvanced":{"Scene":"only_hw"},"OutputLanguage":"en","#,
            r#""NewItemNames":[{"KeyName":"total","KeyType":1,"KeyPrompt":"the amount due","#,
            r#""KeyExpectedValue":"42","KeyAuditPrompt":"exact match passes"}],"#,
            r#""MultiModelVersion":"2.0"}"#
        )
    );
}

#[tokio::test]
async fn base64_requests_are_sent_as_given() {
    let server = MockServer::start().await;
    answer(&server, "ExtractDocMulti", json(SEED_EDM_RESPONSE), 1).await;
    let image = b64(&png(800, 600));
    let req = ExtractDocMultiRequest::from_base64(image.clone());
    client(&server).extract_doc_multi(&req).await.unwrap();
    let received = server.received_requests().await.unwrap();
    assert_signed_request(
        &received[0],
        &server,
        "ExtractDocMulti",
        None,
        &json!({ "ImageBase64": image }),
    );
}

#[tokio::test]
async fn responses_accept_nulls_and_loose_numbers() {
    let server = MockServer::start().await;
    let body = json!({"Response": {
        "Angle": 1,
        "TokenNum": 3.0,
        "StructuralList": [{"Groups": [{"Lines": [
            {"Key": null, "Value": null},
            {"Key": {"AutoName": "Total", "ConfigName": null},
             "Value": {"AutoContent": "42", "Coord": null, "PageIndex": 2},
             "AuditResult": true}
        ]}]}, {"Groups": null}],
        "WordList": [{"DetectedText": "x", "Coord": {"LeftTop": {"X": "1", "Y": 2.0},
            "RightTop": null, "RightBottom": null, "LeftBottom": null},
            "AdvancedInfo": "{\"Parag\":{\"ParagNo\":2}}", "WordCoord": null}],
        "RequestId": "rid-null"
    }});
    answer(&server, "ExtractDocMulti", body, 1).await;
    let out = client(&server)
        .extract_doc_multi(&ExtractDocMultiRequest::from_url(
            "https://example.com/a.png",
        ))
        .await
        .unwrap();
    assert_eq!(out.angle, Some(1.0));
    assert_eq!(out.token_num, Some(3));
    let groups = out.structural_list.as_ref().unwrap();
    let items = groups[0].groups.as_ref().unwrap()[0]
        .lines
        .as_ref()
        .unwrap();
    assert_eq!(items[0].key, None);
    assert_eq!(items[0].value, None);
    let key = items[1].key.as_ref().unwrap();
    assert_eq!(key.config_name, None);
    let value = items[1].value.as_ref().unwrap();
    assert_eq!(value.page_index.as_deref(), Some("2"));
    assert_eq!(value.coord, None);
    assert_eq!(items[1].audit_result, Some(true));
    assert_eq!(groups[1].groups, None);
    let word = &out.word_list.as_ref().unwrap()[0];
    let lt = word.coord.unwrap().left_top.unwrap();
    assert_eq!((lt.x, lt.y), (Some(1), Some(2)));
    assert_eq!(word.coord.unwrap().quad(), None);

    // In the neutral model: a null key falls back to the recognised name, the page comes from
    // PageIndex.
    let doc = out.to_document(None);
    assert_eq!(doc.fields.len(), 2);
    assert_eq!(doc.fields[1].key, "Total");
    assert_eq!(doc.fields[1].value, "42");
    assert_eq!(doc.fields[1].page, Some(2));
    assert_eq!(doc.fields[1].group.as_deref(), Some("0.0"));
    assert_eq!(doc.pages[0].angle, Some(1.0));
    assert_eq!(doc.request_ids, vec!["rid-null".to_owned()]);
    assert_eq!(doc.native::<ExtractDocMultiResponse>(), Some(&out));
}

fn expected_kind(code: &str) -> ErrorKind {
    match code {
        // The document itself was refused: the caller's to fix.
        "FailedOperation.DownLoadError" | "FailedOperation.ImageDecodeFailed" => {
            ErrorKind::InvalidInput
        }
        "FailedOperation.OcrFailed" | "FailedOperation.UnKnowError" => ErrorKind::Service,
        "FailedOperation.UnOpenError" => ErrorKind::Unsupported,
        "InvalidParameterValue.InvalidParameterValueLimit" | "LimitExceeded.TooLargeFileError" => {
            ErrorKind::InvalidInput
        }
        "ResourceUnavailable.InArrears"
        | "ResourceUnavailable.ResourcePackageRunOut"
        | "ResourcesSoldOut.ChargeStatusException" => ErrorKind::Quota,
        other => panic!("the seed page lists a code this test does not know: {other}"),
    }
}

#[tokio::test]
async fn seed_error_codes_map_to_error_kinds_with_code_message_and_request_id() {
    let table = error_table(SEED_EDM_ERRORS);
    assert_eq!(table.len(), 10);
    for (i, (code, message)) in table.iter().enumerate() {
        let server = MockServer::start().await;
        let request_id = format!("rid-edm-{i}");
        let body = json!({"Response": {"Error": {"Code": code, "Message": message},
                                        "RequestId": request_id}});
        answer(&server, "ExtractDocMulti", body, 1).await; // none is retried
        let err = client(&server)
            .extract_doc_multi(&ExtractDocMultiRequest::from_url(
                "https://example.com/a.png",
            ))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), expected_kind(code), "{code}");
        assert_eq!(err.code(), Some(code.as_str()));
        assert_eq!(err.message(), message);
        assert_eq!(err.request_id(), Some(request_id.as_str()));
        assert_eq!(err.provider(), Some("tc-ocr"));
        assert_eq!(err.operation(), Some("ExtractDocMulti"));
        assert!(!err.is_retryable(), "{code}");
        assert_eq!(
            err.to_string(),
            format!("tc-ocr ExtractDocMulti: {code}: {message} (request {request_id})")
        );
        server.verify().await;
    }
}

#[tokio::test]
async fn throttling_is_retried_and_then_succeeds() {
    let server = MockServer::start().await;
    let throttled = json!({"Response": {"Error": {"Code": "RequestLimitExceeded",
        "Message": "slow down"}, "RequestId": "rid-throttled"}});
    wiremock::Mock::given(wiremock::matchers::header("x-tc-action", "ExtractDocMulti"))
        .respond_with(wiremock::ResponseTemplate::new(200).set_body_json(throttled))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    answer(&server, "ExtractDocMulti", json(SEED_EDM_RESPONSE), 1).await;
    let out = client(&server)
        .extract_doc_multi(&ExtractDocMultiRequest::from_url(
            "https://example.com/a.png",
        ))
        .await
        .unwrap();
    assert_eq!(out.request_id.as_deref(), Some("2378****90"));
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn the_documented_rate_limit_of_5_per_second_applies_by_default() {
    let server = MockServer::start().await;
    answer(&server, "ExtractDocMulti", json(SEED_EDM_RESPONSE), 7).await;
    let ocr = client(&server);
    assert_eq!(ocr.rate_limits()["ExtractDocMulti"], 5.0);
    assert_eq!(ocr.rate_limits()["GetCardVerificationExternalResult"], 20.0);
    let req = ExtractDocMultiRequest::from_url("https://example.com/a.png");
    let start = Instant::now();
    for _ in 0..7 {
        ocr.extract_doc_multi(&req).await.unwrap();
    }
    // A burst of 5, then one token every 200 ms.
    assert!(
        start.elapsed() >= Duration::from_millis(350),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn rate_limits_can_be_overridden_or_removed() {
    let server = MockServer::start().await;
    answer(&server, "ExtractDocMulti", json(SEED_EDM_RESPONSE), 12).await;
    let ocr = builder(&server)
        .no_rate_limit("ExtractDocMulti")
        .rate_limit("GeneralAccurateOCR", 1.0)
        .build()
        .unwrap();
    assert!(!ocr.rate_limits().contains_key("ExtractDocMulti"));
    assert_eq!(ocr.rate_limits()["GeneralAccurateOCR"], 1.0);
    let req = ExtractDocMultiRequest::from_url("https://example.com/a.png");
    let start = Instant::now();
    for _ in 0..12 {
        ocr.extract_doc_multi(&req).await.unwrap();
    }
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn unknown_request_fields_are_refused_when_reading_a_request() {
    let err =
        serde_json::from_value::<ExtractDocMultiRequest>(json!({"ImageUrl": "u", "IsPdf": true}))
            .unwrap_err();
    assert!(err.to_string().contains("IsPdf"), "{err}");
    let _: Value = serde_json::to_value(ExtractDocMultiRequest::default()).unwrap();
}

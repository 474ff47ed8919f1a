//! The card-verification pair through the public API against wiremock, with the seed page's
//! examples: the typed calls, the polling helper and the `OcrProvider` flow.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use std::time::Duration;
use tc_ocr::prelude::*;

use common::*;
use ocr_core::{DocumentKind, ErrorKind, Job, JobStatus, OcrProvider, PollPolicy, Request};
use serde_json::{json, Value};
use tc_api::Site;
use tc_ocr::{
    card_type, AddressInfo, ApplyCardVerificationExternalRequest, CardVerificationStatus, Endpoint,
    GeneralCard, GetCardVerificationExternalResultRequest,
    GetCardVerificationExternalResultResponse, TencentOcr,
};
use wiremock::matchers::header;
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "9943345f-a690-4220-a749-9c68518f2e17";
const GET: &str = "GetCardVerificationExternalResult";
const APPLY: &str = "ApplyCardVerificationExternal";

fn processing() -> Value {
    json!({"Response": {"Status": "PROCESSING", "CardVerificationToken": TOKEN,
                        "WarnInfo": null, "CardInfo": null, "RequestId": "rid-processing"}})
}

async fn answer_once(server: &MockServer, action: &str, body: Value) {
    Mock::given(header("x-tc-action", action))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .up_to_n_times(1)
        .expect(1)
        .mount(server)
        .await;
}

fn empty() -> Option<String> {
    Some(String::new())
}

fn s(v: &str) -> Option<String> {
    Some(v.to_owned())
}

/// The seed's `CardInfo`, field by field.
fn seed_card() -> GeneralCard {
    GeneralCard {
        address: Some(AddressInfo {
            city: empty(),
            country: empty(),
            formatted_address: empty(),
            line_five: empty(),
            line_four: empty(),
            line_one: empty(),
            line_three: empty(),
            line_two: empty(),
            postal_code: empty(),
            subdivision: empty(),
            district: None,
            subdistrict: None,
        }),
        age: empty(),
        birth_place: s("SAN FELIPE ZBS"),
        birthday: s("1997/10/01"),
        due_date: empty(),
        expiration_date: s("2033/10/19"),
        first_name: s("IVY ROSE"),
        first_name_local: s("IVY ROSE"),
        full_name: s("GOLIMLIM EREDIA IVY ROSE"),
        full_name_local: s("GOLIMLIM EREDIA IVY ROSE"),
        issued_authority: s("DFA TARLAC"),
        issued_country: s("Philippines"),
        issued_date: s("2023/10/20"),
        last_name: s("GOLIMLIM"),
        last_name_local: s("GOLIMLIM"),
        license_number: s("P5784986C"),
        nationality: s("PHL"),
        passport_code_first: empty(),
        passport_code_second: empty(),
        personal_number: s("P5784986C"),
        registration_number: empty(),
        sex: s("FEMALE"),
        ..GeneralCard::default()
    }
}

#[test]
fn default_endpoints_are_international_for_text_and_international_singapore_for_cards() {
    let ocr = TencentOcr::builder()
        .credential(credential())
        .build()
        .unwrap();
    assert_eq!(
        ocr.general_client().endpoint_url().as_str(),
        "https://ocr.intl.tencentcloudapi.com/"
    );
    assert_eq!(ocr.general_client().region(), None);
    assert_eq!(
        ocr.card_client().endpoint_url().as_str(),
        "https://ocr.intl.tencentcloudapi.com/"
    );
    assert_eq!(ocr.card_client().region(), Some("ap-singapore"));

    // The domestic site, chosen explicitly, moves the text actions only.
    let ocr = TencentOcr::builder()
        .credential(credential())
        .site(Site::Domestic)
        .build()
        .unwrap();
    assert_eq!(
        ocr.general_client().endpoint_url().as_str(),
        "https://ocr.tencentcloudapi.com/"
    );
    assert_eq!(ocr.general_client().region(), None);
    assert_eq!(
        ocr.card_client().endpoint_url().as_str(),
        "https://ocr.intl.tencentcloudapi.com/"
    );
    assert_eq!(ocr.card_client().region(), Some("ap-singapore"));

    let ocr = TencentOcr::builder()
        .credential(credential())
        .endpoint(Endpoint::International)
        .region("ap-hongkong")
        .card_endpoint(Endpoint::Regional("ap-singapore".into()))
        .card_region("ap-singapore")
        .build()
        .unwrap();
    assert_eq!(
        ocr.general_client().endpoint_url().as_str(),
        "https://ocr.intl.tencentcloudapi.com/"
    );
    assert_eq!(ocr.general_client().region(), Some("ap-hongkong"));
    assert_eq!(
        ocr.card_client().endpoint_url().as_str(),
        "https://ocr.ap-singapore.tencentcloudapi.com/"
    );
}

#[test]
fn a_custom_endpoint_wins_over_the_site_whichever_is_set_last() {
    let proxy = Endpoint::Custom("http://127.0.0.1:9/".parse().unwrap());
    for site_last in [false, true] {
        let b = TencentOcr::builder().credential(credential());
        let b = match site_last {
            true => b.endpoint(proxy.clone()).site(Site::Domestic),
            false => b.site(Site::Domestic).endpoint(proxy.clone()),
        };
        let ocr = b.build().unwrap();
        assert_eq!(
            ocr.general_client().endpoint_url().as_str(),
            "http://127.0.0.1:9/",
            "site set last: {site_last}"
        );
        assert_eq!(
            ocr.card_client().endpoint_url().as_str(),
            "http://127.0.0.1:9/"
        );
    }
}

#[test]
fn building_without_credentials_is_a_config_error() {
    let err = TencentOcr::builder().build().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
}

#[tokio::test]
async fn apply_sends_the_exact_request_with_the_singapore_region() {
    let server = MockServer::start().await;
    answer(&server, APPLY, json(APPLY_RESPONSE), 1).await;
    let front = b64(&jpeg(1200, 800));
    let req = ApplyCardVerificationExternalRequest {
        image_base64_front: Some(format!("data:image/jpeg;base64,{front}")),
        image_url_back: Some("https://example.com/back.jpg".into()),
        return_head_image: Some(true),
        webhook_url: Some("https://example.com/hook".into()),
        ..ApplyCardVerificationExternalRequest::new("PHL", card_type::ID_CARD)
    };
    let out = client(&server)
        .apply_card_verification_external(&req)
        .await
        .unwrap();
    assert_eq!(out.card_verification_token.as_deref(), Some(TOKEN));
    assert_eq!(out.request_id.as_deref(), Some("0b5e3c1a-apply-0001"));
    let received = server.received_requests().await.unwrap();
    assert_signed_request(
        &received[0],
        &server,
        APPLY,
        Some("ap-singapore"),
        &json!({
            "Nationality": "PHL",
            "CardType": "ID_CARD",
            "ImageBase64Front": format!("data:image/jpeg;base64,{front}"),
            "ImageUrlBack": "https://example.com/back.jpg",
            "ReturnHeadImage": true,
            "WebhookUrl": "https://example.com/hook"
        }),
    );
}

#[tokio::test]
async fn get_result_sends_the_seed_request_and_parses_the_seed_response() {
    let server = MockServer::start().await;
    answer(&server, GET, json(SEED_CARD_RESPONSE), 1).await;
    let seed_request = json(SEED_CARD_REQUEST);
    let req: GetCardVerificationExternalResultRequest =
        serde_json::from_value(seed_request.clone()).unwrap();
    assert_eq!(req.card_verification_token, TOKEN);

    let out = client(&server)
        .get_card_verification_external_result(&req)
        .await
        .unwrap();

    let received = server.received_requests().await.unwrap();
    assert_signed_request(
        &received[0],
        &server,
        GET,
        Some("ap-singapore"),
        &seed_request,
    );
    assert_eq!(out.status.as_deref(), Some("PASSED"));
    assert_eq!(out.status_kind(), CardVerificationStatus::Passed);
    assert_eq!(out.warn_info, None);
    assert_eq!(out.nationality.as_deref(), Some("PHL"));
    assert_eq!(out.card_verification_token.as_deref(), Some(TOKEN));
    assert_eq!(out.back_card_info, None);
    assert_eq!(out.head_image_base64, None);
    assert_eq!(
        out.request_id.as_deref(),
        Some("d4413701-8afc-48e1-920f-defd04157c65")
    );
    assert_eq!(out.card_info, Some(seed_card()));
    assert_eq!(
        normalise(serde_json::to_value(&out).unwrap()),
        normalise(json(SEED_CARD_RESPONSE)["Response"].clone())
    );
}

#[tokio::test]
async fn wait_polls_processing_until_passed() {
    let server = MockServer::start().await;
    Mock::given(header("x-tc-action", GET))
        .respond_with(ResponseTemplate::new(200).set_body_json(processing()))
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    answer(&server, GET, json(SEED_CARD_RESPONSE), 1).await;
    let out = client(&server)
        .wait_card_verification_external_result(TOKEN, &fast_poll())
        .await
        .unwrap();
    assert_eq!(out.status.as_deref(), Some("PASSED"));
    assert_eq!(out.card_info, Some(seed_card()));
    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 3);
    for r in &received {
        assert_signed_request(
            r,
            &server,
            GET,
            Some("ap-singapore"),
            &json(SEED_CARD_REQUEST),
        );
    }
}

#[tokio::test]
async fn provider_flow_applies_then_polls_processing_to_passed() {
    let server = MockServer::start().await;
    answer(&server, APPLY, json(APPLY_RESPONSE), 1).await;
    answer_once(&server, GET, processing()).await;
    answer(&server, GET, json(SEED_CARD_RESPONSE), 1).await;
    let ocr = builder(&server)
        .card_nationality("PHL")
        .card_type(card_type::PASSPORT)
        .build()
        .unwrap();
    let image = jpeg(1200, 800);
    let request = Request::from_bytes(image.clone(), Some("passport.jpg"))
        .with_document_kind(DocumentKind::IdCard);

    let doc = ocr.recognize(&request).await.unwrap();

    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 3);
    assert_signed_request(
        &received[0],
        &server,
        APPLY,
        Some("ap-singapore"),
        &json!({"Nationality": "PHL", "CardType": "PASSPORT", "ImageBase64Front": b64(&image)}),
    );
    for r in &received[1..] {
        assert_signed_request(
            r,
            &server,
            GET,
            Some("ap-singapore"),
            &json(SEED_CARD_REQUEST),
        );
    }
    assert_eq!(doc.provider, "tc-ocr");
    assert!(doc.pages.is_empty());
    assert_eq!(
        doc.request_ids,
        vec![
            "0b5e3c1a-apply-0001".to_owned(),
            "d4413701-8afc-48e1-920f-defd04157c65".to_owned()
        ]
    );
    let front: Vec<(&str, &str)> = doc
        .fields
        .iter()
        .filter(|f| f.group.as_deref() == Some("front"))
        .map(|f| (f.key.as_str(), f.value.as_str()))
        .collect();
    assert_eq!(
        front,
        vec![
            ("LicenseNumber", "P5784986C"),
            ("PersonalNumber", "P5784986C"),
            ("FullName", "GOLIMLIM EREDIA IVY ROSE"),
            ("FullNameLocal", "GOLIMLIM EREDIA IVY ROSE"),
            ("FirstName", "IVY ROSE"),
            ("FirstNameLocal", "IVY ROSE"),
            ("LastName", "GOLIMLIM"),
            ("LastNameLocal", "GOLIMLIM"),
            ("Sex", "FEMALE"),
            ("Birthday", "1997/10/01"),
            ("BirthPlace", "SAN FELIPE ZBS"),
            ("IssuedDate", "2023/10/20"),
            ("IssuedAuthority", "DFA TARLAC"),
            ("IssuedCountry", "Philippines"),
            ("ExpirationDate", "2033/10/19"),
            ("Nationality", "PHL"),
        ]
    );
    assert_eq!(doc.field("Status").unwrap().value, "PASSED");
    assert_eq!(
        doc.field("Status").unwrap().group.as_deref(),
        Some("verification")
    );
    assert!(doc.field("WarnInfo").is_none());
    let native = doc
        .native::<GetCardVerificationExternalResultResponse>()
        .unwrap();
    assert_eq!(native.card_info, Some(seed_card()));
    assert!(doc.text().contains("FullName: GOLIMLIM EREDIA IVY ROSE"));
}

#[tokio::test]
async fn a_card_job_survives_serialisation_and_is_polled_by_another_client() {
    let server = MockServer::start().await;
    answer(&server, APPLY, json(APPLY_RESPONSE), 1).await;
    answer_once(&server, GET, processing()).await;
    answer(&server, GET, json(SEED_CARD_RESPONSE), 1).await;
    let request = Request::from_url("https://example.com/id.jpg")
        .unwrap()
        .with_document_kind(DocumentKind::IdCard);
    let job = builder(&server)
        .card_nationality("PHL")
        .build()
        .unwrap()
        .submit(&request)
        .await
        .unwrap();
    assert_eq!(job.provider, "tc-ocr");
    assert_eq!(job.task_id, TOKEN);
    assert_eq!(job.created_at, NOW);
    assert_eq!(job.meta("action"), Some(APPLY));
    assert_eq!(job.meta("request_id"), Some("0b5e3c1a-apply-0001"));
    assert!(job.result.is_none());
    let apply = &server.received_requests().await.unwrap()[0];
    assert_signed_request(
        apply,
        &server,
        APPLY,
        Some("ap-singapore"),
        &json!({"Nationality": "PHL", "CardType": "ID_CARD",
                "ImageUrlFront": "https://example.com/id.jpg"}),
    );

    let saved = serde_json::to_string(&job).unwrap();
    let restored: Job = serde_json::from_str(&saved).unwrap();
    let later = client(&server);
    match later.poll(&restored).await.unwrap() {
        JobStatus::Pending(p) => assert_eq!(p.state.as_deref(), Some("PROCESSING")),
        other => panic!("{other:?}"),
    }
    match later.poll(&restored).await.unwrap() {
        JobStatus::Done(doc) => {
            assert_eq!(
                doc.field("FullName").unwrap().value,
                "GOLIMLIM EREDIA IVY ROSE"
            );
            assert_eq!(doc.request_ids[0], "0b5e3c1a-apply-0001");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_card_nationality_and_type_of_the_request_come_before_the_builder_ones() {
    let server = MockServer::start().await;
    answer(&server, APPLY, json(APPLY_RESPONSE), 2).await;
    let ocr = builder(&server)
        .card_nationality("PHL")
        .card_type(card_type::PASSPORT)
        .build()
        .unwrap();
    let mut request = Request::from_url("https://example.com/id.jpg")
        .unwrap()
        .with_document_kind(DocumentKind::IdCard);
    request.options.card_nationality = Some("IDN".into());
    request.options.card_type = Some(card_type::ID_CARD.into());
    ocr.submit(&request).await.unwrap();
    // Without a builder nationality, the request's is enough.
    request.options.card_type = None;
    client(&server).submit(&request).await.unwrap();

    let received = server.received_requests().await.unwrap();
    assert_signed_request(
        &received[0],
        &server,
        APPLY,
        Some("ap-singapore"),
        &json!({"Nationality": "IDN", "CardType": "ID_CARD",
                "ImageUrlFront": "https://example.com/id.jpg"}),
    );
    assert_signed_request(
        &received[1],
        &server,
        APPLY,
        Some("ap-singapore"),
        &json!({"Nationality": "IDN", "CardType": "ID_CARD",
                "ImageUrlFront": "https://example.com/id.jpg"}),
    );
}

#[tokio::test]
async fn warning_keeps_warn_info_and_the_portrait() {
    let server = MockServer::start().await;
    let portrait = png(64, 80);
    let body = json!({"Response": {
        "Status": "WARNING",
        "WarnInfo": ["PaperCopy", "PoorImageQuality"],
        "CardInfo": {"FullName": "A B", "MRZLine1": "P<PHLA<<B", "Type": "P", "Height": 178,
                     "Address": {"City": "Manila", "LineOne": "1 Main St", "District": null}},
        "BackCardInfo": {"MRZLine2": "X123", "Others": "{\"side\":\"back\"}"},
        "CardVerificationToken": TOKEN,
        "HeadImageBase64": b64(&portrait),
        "RequestId": "rid-warning"
    }});
    answer(&server, GET, body, 1).await;
    let out = client(&server)
        .wait_card_verification_external_result(TOKEN, &fast_poll())
        .await
        .unwrap();
    assert_eq!(out.status_kind(), CardVerificationStatus::Warning);
    assert_eq!(
        out.warn_info,
        Some(vec!["PaperCopy".to_owned(), "PoorImageQuality".to_owned()])
    );
    let card = out.card_info.as_ref().unwrap();
    assert_eq!(card.mrz_line1.as_deref(), Some("P<PHLA<<B"));
    assert_eq!(card.card_type.as_deref(), Some("P"));
    assert_eq!(card.height.as_deref(), Some("178"));
    assert_eq!(card.address.as_ref().unwrap().district, None);

    let doc = out.to_document();
    let warnings: Vec<&str> = doc
        .fields
        .iter()
        .filter(|f| f.key == "WarnInfo")
        .map(|f| f.value.as_str())
        .collect();
    assert_eq!(warnings, vec!["PaperCopy", "PoorImageQuality"]);
    assert_eq!(doc.field("Address.City").unwrap().value, "Manila");
    assert_eq!(
        doc.field("MRZLine2").unwrap().group.as_deref(),
        Some("back")
    );
    assert_eq!(doc.field("Others").unwrap().value, "{\"side\":\"back\"}");
    assert_eq!(doc.files.len(), 1);
    assert_eq!(doc.files[0].name, "head.png");
    assert_eq!(doc.files[0].media_type.as_deref(), Some("image/png"));
    assert_eq!(doc.files[0].data.as_deref(), Some(portrait.as_slice()));
}

#[tokio::test]
async fn an_abnormal_status_is_a_task_failure_with_code_and_request_id() {
    let server = MockServer::start().await;
    answer(&server, APPLY, json(APPLY_RESPONSE), 1).await;
    answer_once(&server, GET, processing()).await;
    let body = json!({"Response": {"Status": "ABNORMAL", "WarnInfo": ["FakeSuspected"],
        "CardInfo": null, "CardVerificationToken": TOKEN, "RequestId": "rid-abnormal"}});
    answer(&server, GET, body, 1).await;
    let ocr = builder(&server).card_nationality("PHL").build().unwrap();
    let request = Request::from_url("https://example.com/id.jpg")
        .unwrap()
        .with_document_kind(DocumentKind::IdCard);
    let err = ocr.recognize(&request).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TaskFailed);
    assert_eq!(err.code(), Some("ABNORMAL"));
    assert_eq!(err.request_id(), Some("rid-abnormal"));
    assert_eq!(err.provider(), Some("tc-ocr"));
    assert_eq!(err.operation(), Some(GET));
    assert_eq!(
        err.message(),
        "the card verification ended with status ABNORMAL (warnings: FakeSuspected)"
    );
}

#[tokio::test]
async fn a_failed_operation_from_the_result_call_is_a_task_failure() {
    for code in ["FailedOperation.OcrFailed", "FailedOperation.UnKnowError"] {
        let server = MockServer::start().await;
        answer(&server, APPLY, json(APPLY_RESPONSE), 1).await;
        let body = json!({"Response": {"Error": {"Code": code, "Message": "recognition failed"},
                                        "RequestId": "rid-failed"}});
        answer(&server, GET, body, 1).await; // a task failure is not polled again
        let ocr = builder(&server).card_nationality("PHL").build().unwrap();
        let request = Request::from_url("https://example.com/id.jpg")
            .unwrap()
            .with_document_kind(DocumentKind::IdCard);
        let err = ocr.recognize(&request).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TaskFailed, "{code}");
        assert_eq!(err.code(), Some(code));
        assert_eq!(err.message(), "recognition failed");
        assert_eq!(err.request_id(), Some("rid-failed"));
        assert_eq!(
            err.to_string(),
            format!("tc-ocr {GET}: {code}: recognition failed (request rid-failed)")
        );
        server.verify().await;
    }
}

fn expected_kind(code: &str) -> ErrorKind {
    match code {
        "FailedOperation.OcrFailed" | "FailedOperation.UnKnowError" => ErrorKind::Service,
        "FailedOperation.UnOpenError" => ErrorKind::Unsupported,
        "InvalidParameterValue.InvalidParameterValueLimit" => ErrorKind::InvalidInput,
        "ResourceUnavailable.InArrears" | "ResourceUnavailable.ResourcePackageRunOut" => {
            ErrorKind::Quota
        }
        other => panic!("the seed page lists a code this test does not know: {other}"),
    }
}

#[tokio::test]
async fn seed_error_codes_map_to_error_kinds_with_code_message_and_request_id() {
    let table = error_table(SEED_CARD_ERRORS);
    assert_eq!(table.len(), 6);
    for (i, (code, message)) in table.iter().enumerate() {
        let server = MockServer::start().await;
        let request_id = format!("rid-card-{i}");
        let body = json!({"Response": {"Error": {"Code": code, "Message": message},
                                        "RequestId": request_id}});
        answer(&server, GET, body, 2).await;
        let ocr = client(&server);
        // The typed call reports the code's kind …
        let err = ocr
            .get_card_verification_external_result(&GetCardVerificationExternalResultRequest::new(
                TOKEN,
            ))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), expected_kind(code), "{code}");
        assert_eq!(err.code(), Some(code.as_str()));
        assert_eq!(err.message(), message);
        assert_eq!(err.request_id(), Some(request_id.as_str()));
        assert_eq!(err.operation(), Some(GET));
        // … and a poll turns recognition failures into a failed job, the rest into errors.
        let job = Job::new("tc-ocr", TOKEN, NOW).with_meta("action", APPLY);
        match ocr.poll(&job).await {
            Ok(JobStatus::Failed(e)) => {
                assert_eq!(expected_kind(code), ErrorKind::Service, "{code}");
                assert_eq!(e.kind(), ErrorKind::TaskFailed);
                assert_eq!(e.code(), Some(code.as_str()));
                assert_eq!(e.request_id(), Some(request_id.as_str()));
            }
            Err(e) => {
                assert_ne!(expected_kind(code), ErrorKind::Service, "{code}");
                assert_eq!(e.kind(), expected_kind(code));
                assert_eq!(e.code(), Some(code.as_str()));
            }
            Ok(other) => panic!("{code}: {other:?}"),
        }
        server.verify().await;
    }
}

#[tokio::test]
async fn polling_past_the_deadline_is_a_timeout_naming_the_token() {
    let server = MockServer::start().await;
    Mock::given(header("x-tc-action", GET))
        .respond_with(ResponseTemplate::new(200).set_body_json(processing()))
        .mount(&server)
        .await;
    let policy = PollPolicy::fixed(Duration::from_millis(20), Duration::from_millis(100));
    let err = client(&server)
        .wait_card_verification_external_result(TOKEN, &policy)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(err.message().contains(TOKEN), "{err}");
    assert!(err.message().contains("PROCESSING"), "{err}");
    assert_eq!(err.operation(), Some(GET));
}

//! `OcrProvider` for `TencentOcr`: the action chosen from the request options, the exact
//! request sent, and the native result mapped into `Document`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use common::*;
use ocr_core::{
    Document, ErrorKind, Format, Job, JobStatus, OcrProvider, OutputKind, PageRange, Point, Quad,
    Request,
};
use serde_json::json;
use tc_ocr::{ExtractDocMultiResponse, GeneralAccurateOcrResponse};
use wiremock::matchers::{body_partial_json, header};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn text_goes_to_general_accurate_ocr_as_base64_and_maps_lines() {
    let server = MockServer::start().await;
    answer(&server, "GeneralAccurateOCR", json(ACCURATE_RESPONSE), 2).await;
    let ocr = client(&server);
    let image = png(300, 120);
    let request =
        Request::from_bytes(image.clone(), Some("scan.png")).with_output(OutputKind::Layout);

    let job = ocr.submit(&request).await.unwrap();
    assert_eq!(job.provider, "tc-ocr");
    assert_eq!(job.task_id, "6f1f0c2e-accurate-0001");
    assert_eq!(job.created_at, NOW);
    assert_eq!(job.meta("action"), Some("GeneralAccurateOCR"));
    let doc = ocr.recognize(&request).await.unwrap();

    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 2);
    assert_signed_request(
        &received[0],
        &server,
        "GeneralAccurateOCR",
        None,
        &json!({"ImageBase64": b64(&image), "IsWords": true}),
    );
    assert_eq!(doc.provider, "tc-ocr");
    assert_eq!(doc.pages.len(), 1);
    let page = &doc.pages[0];
    assert_eq!(page.number, 1);
    assert_eq!(page.angle, Some(-0.5));
    assert_eq!(page.lines.len(), 2);
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
    assert_eq!(page.lines[0].words[0].text, "I");
    assert_eq!(page.lines[0].words[0].confidence, Some(0.98));
    assert_eq!(
        page.lines[0].words[0].bbox,
        Some(Quad::from_rect(10.0, 20.0, 10.0, 40.0))
    );
    assert_eq!(page.lines[1].text, "Total 42.00");
    assert!(page.lines[1].words.is_empty());
    assert_eq!(doc.request_ids, vec!["6f1f0c2e-accurate-0001".to_owned()]);
    let native = doc.native::<GeneralAccurateOcrResponse>().unwrap();
    assert_eq!(native.angel, Some(359.5));
}

#[tokio::test]
async fn field_names_go_to_extract_doc_multi_and_map_fields() {
    let server = MockServer::start().await;
    answer(&server, "ExtractDocMulti", json(SEED_EDM_RESPONSE), 1).await;
    let request = Request::from_url("https://example.com/waybill.png")
        .unwrap()
        .with_field_names(["number"])
        .with_languages(["en"]);
    let doc = client(&server).recognize(&request).await.unwrap();

    let received = server.received_requests().await.unwrap();
    assert_signed_request(
        &received[0],
        &server,
        "ExtractDocMulti",
        None,
        &json!({"ImageUrl": "https://example.com/waybill.png", "ItemNames": ["number"],
                "OutputLanguage": "en"}),
    );
    let zero = Quad::new([Point::new(0.0, 0.0); 4]);
    assert_eq!(doc.fields.len(), 1);
    let f = &doc.fields[0];
    assert_eq!(f.key, "number");
    assert_eq!(f.value, "176***101");
    assert_eq!(f.bbox, Some(zero));
    assert_eq!(f.group.as_deref(), Some("0.0"));
    assert_eq!(f.page, Some(1));
    assert_eq!(f.confidence, None);
    assert_eq!(doc.pages.len(), 1);
    assert_eq!(doc.pages[0].angle, Some(0.0));
    assert_eq!(doc.pages[0].lines.len(), 1);
    assert_eq!(doc.pages[0].lines[0].text, "ORD0****9");
    assert_eq!(doc.pages[0].lines[0].bbox, Some(zero));
    assert_eq!(doc.request_ids, vec!["2378****90".to_owned()]);
    let native = doc.native::<ExtractDocMultiResponse>().unwrap();
    let parsed: ExtractDocMultiResponse =
        serde_json::from_value(json(SEED_EDM_RESPONSE)["Response"].clone()).unwrap();
    assert_eq!(native, &parsed);
}

#[tokio::test]
async fn fields_output_with_a_pdf_page_sends_pdf_page_number_and_options() {
    let server = MockServer::start().await;
    answer(&server, "ExtractDocMulti", json(SEED_EDM_RESPONSE), 1).await;
    let data = pdf_pages(3);
    let request = Request::from_bytes(data.clone(), Some("doc.pdf"))
        .with_output(OutputKind::Fields)
        .with_output(OutputKind::Layout)
        .with_output(OutputKind::Text)
        .with_pages(PageRange::single(2).unwrap());
    let doc = client(&server).recognize(&request).await.unwrap();
    let received = server.received_requests().await.unwrap();
    assert_signed_request(
        &received[0],
        &server,
        "ExtractDocMulti",
        None,
        &json!({"ImageBase64": b64(&data), "PdfPageNumber": 2, "ReturnFullText": true,
                "EnableCoord": true}),
    );
    assert_eq!(doc.pages[0].number, 2);
    assert_eq!(doc.fields[0].page, Some(2));
    assert_eq!(doc.pages_requested, vec![2]);
    // A single call keeps its native response.
    assert!(doc.native::<ExtractDocMultiResponse>().is_some());
}

#[tokio::test]
async fn a_pdf_page_for_text_sets_is_pdf_and_other_languages_select_mulocr() {
    let server = MockServer::start().await;
    answer(&server, "GeneralAccurateOCR", json(ACCURATE_RESPONSE), 2).await;
    let ocr = client(&server);
    let data = pdf_pages(4);
    let request = Request::from_bytes(data.clone(), None)
        .with_pages(PageRange::single(4).unwrap())
        .with_languages(["ja"]);
    let doc = ocr.recognize(&request).await.unwrap();
    assert_eq!(doc.pages[0].number, 4);
    // A PDF by URL needs its pages named (its page count is not known before sending).
    let url_request = Request::from_url("https://example.com/report.pdf")
        .unwrap()
        .with_languages(["zh-CN", "en"]);
    let err = ocr.recognize(&url_request).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    assert_eq!(err.field(), Some("PdfPageNumber"), "{err}");
    ocr.recognize(&url_request.with_pages(PageRange::single(1).unwrap()))
        .await
        .unwrap();

    let received = server.received_requests().await.unwrap();
    assert_signed_request(
        &received[0],
        &server,
        "GeneralAccurateOCR",
        None,
        &json!({"ImageBase64": b64(&data), "IsPdf": true, "PdfPageNumber": 4,
                "ConfigID": "MulOCR"}),
    );
    assert_signed_request(
        &received[1],
        &server,
        "GeneralAccurateOCR",
        None,
        &json!({"ImageUrl": "https://example.com/report.pdf", "IsPdf": true,
                "PdfPageNumber": 1}),
    );
}

/// The pages of `received`, by the `PdfPageNumber` each request carried (pages are sent a few
/// at a time, so they may arrive in any order).
fn sent_pages(received: &[wiremock::Request]) -> Vec<u64> {
    let mut pages: Vec<u64> = received
        .iter()
        .map(|r| {
            let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
            body["PdfPageNumber"].as_u64().unwrap()
        })
        .collect();
    pages.sort_unstable();
    pages
}

#[tokio::test]
async fn several_pdf_pages_are_recognised_one_call_each_in_page_order() {
    let server = MockServer::start().await;
    answer(&server, "GeneralAccurateOCR", json(ACCURATE_RESPONSE), 2).await;
    let data = pdf_pages(3);
    let request = Request::from_bytes(data.clone(), Some("doc.pdf"))
        .with_pages(PageRange::new(2, 3).unwrap());
    let doc = client(&server).recognize(&request).await.unwrap();

    let received = server.received_requests().await.unwrap();
    assert_eq!(sent_pages(&received), [2, 3]);
    for r in &received {
        let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        let page = body["PdfPageNumber"].clone();
        assert_signed_request(
            r,
            &server,
            "GeneralAccurateOCR",
            None,
            &json!({"ImageBase64": b64(&data), "IsPdf": true, "PdfPageNumber": page}),
        );
    }
    let numbers: Vec<u32> = doc.pages.iter().map(|p| p.number).collect();
    assert_eq!(numbers, [2, 3]);
    assert_eq!(doc.pages_requested, vec![2, 3]);
    assert!(doc.is_complete());
    assert_eq!(
        doc.text(),
        "Invoice 2024\nTotal 42.00\n\nInvoice 2024\nTotal 42.00"
    );
    assert_eq!(doc.request_ids.len(), 2);
    // Several calls: the native result is one document per page, each with its response.
    let parts = doc.native::<Vec<Document>>().unwrap();
    assert_eq!(parts.len(), 2);
    assert!(parts[0].native::<GeneralAccurateOcrResponse>().is_some());
}

#[tokio::test]
async fn every_page_of_a_local_pdf_by_default_and_a_failed_page_is_listed_missing() {
    let server = MockServer::start().await;
    Mock::given(header("x-tc-action", "ExtractDocMulti"))
        .and(body_partial_json(json!({"PdfPageNumber": 2})))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"Response": {
            "Error": {"Code": "FailedOperation.ImageNoText", "Message": "no text"},
            "RequestId": "rid-page-2"}})),
        )
        .expect(2)
        .mount(&server)
        .await;
    // Pages 1 and 3, twice (the second time in strict mode).
    answer(&server, "ExtractDocMulti", json(SEED_EDM_RESPONSE), 4).await;
    let request = Request::from_bytes(pdf_pages(3), Some("doc.pdf")).with_field_names(["number"]);
    let doc = client(&server).recognize(&request).await.unwrap();

    assert_eq!(
        sent_pages(&server.received_requests().await.unwrap()),
        [1, 2, 3]
    );
    let numbers: Vec<u32> = doc.pages.iter().map(|p| p.number).collect();
    assert_eq!(numbers, [1, 3]);
    let field_pages: Vec<Option<u32>> = doc.fields.iter().map(|f| f.page).collect();
    assert_eq!(field_pages, [Some(1), Some(3)]);
    assert_eq!(doc.pages_requested, vec![1, 2, 3]);
    assert_eq!(doc.missing.len(), 1);
    assert_eq!(doc.missing[0].page, 2);
    assert_eq!(
        doc.missing[0].code.as_deref(),
        Some("FailedOperation.ImageNoText")
    );
    assert_eq!(doc.missing[0].request_id.as_deref(), Some("rid-page-2"));
    assert!(!doc.is_complete());
    // Strict turns the incomplete document into an error.
    let err = client(&server)
        .recognize(&request.strict())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("IncompleteDocument"), "{err}");
}

#[tokio::test]
async fn files_on_disk_are_read_and_sent_as_base64() {
    let server = MockServer::start().await;
    answer(&server, "GeneralAccurateOCR", json(ACCURATE_RESPONSE), 1).await;
    let dir = std::env::temp_dir().join(format!("tc-ocr-provider-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("scan.jpg");
    let image = jpeg(800, 600);
    std::fs::write(&path, &image).unwrap();
    let doc = client(&server)
        .recognize(&Request::from_path(&path))
        .await
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(doc.pages[0].lines.len(), 2);
    let received = server.received_requests().await.unwrap();
    assert_signed_request(
        &received[0],
        &server,
        "GeneralAccurateOCR",
        None,
        &json!({"ImageBase64": b64(&image)}),
    );
}

#[tokio::test]
async fn identity_and_capabilities() {
    let server = silent_server().await;
    let ocr = client(&server);
    assert_eq!(ocr.id(), "tc-ocr");
    let caps = ocr.capabilities();
    assert!(caps.produces(OutputKind::Text));
    assert!(caps.produces(OutputKind::Layout));
    assert!(caps.produces(OutputKind::Fields));
    assert!(!caps.produces(OutputKind::Markdown));
    assert!(!caps.asynchronous);
    assert_eq!(
        caps.input.formats,
        vec![Format::Png, Format::Jpeg, Format::Bmp, Format::Pdf]
    );
    assert_eq!(caps.input.max_bytes, 7_864_320);
    assert_eq!(ocr.poll_policy(), fast_poll());
    let provider: std::sync::Arc<dyn OcrProvider> = std::sync::Arc::new(ocr.clone());
    assert_eq!(provider.id(), "tc-ocr");
    assert_nothing_sent(&server).await;
}

#[tokio::test]
async fn polling_a_completed_job_returns_its_document_without_a_call() {
    let server = silent_server().await;
    let ocr = client(&server);
    let job = Job::completed("tc-ocr", "rid", NOW, Document::new("tc-ocr"));
    assert!(matches!(ocr.poll(&job).await.unwrap(), JobStatus::Done(_)));
    assert_nothing_sent(&server).await;
}

#[tokio::test]
async fn polling_a_foreign_or_unknown_job_is_refused_without_a_call() {
    let server = silent_server().await;
    let ocr = client(&server);
    let err = ocr.poll(&Job::new("picwish", "t", NOW)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(err.field(), Some("job"));
    let err = ocr.poll(&Job::new("tc-ocr", "t", NOW)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(err.field(), Some("job"));
    assert_nothing_sent(&server).await;
}

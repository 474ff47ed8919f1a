//! OCR templates and synchronous OCR against wiremock.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use cos_ci::{ImageOcr, LanguageType, OcrType, TemplateCategory, TemplateQuery};
use ocr_core::ErrorKind;
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TEMPLATE_ID: &str = "t1460606b9752148c4ab182f55163ba7cd";

fn xml_response(body: &str) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("content-type", "application/xml")
        .insert_header("x-ci-request-id", "hdr-req")
        .set_body_string(body)
}

fn template_params() -> ImageOcr {
    ImageOcr::new(OcrType::General)
        .with_language(LanguageType::Zh)
        .with_pdf(false)
        .with_words(true)
}

/// The Go SDK test's template body (spec §4.1.2), minus `EnableWordPolygon`, which only
/// applies to handwriting.
const TEMPLATE_BODY: &str = "<Request><Tag>ImageOCR</Tag><Name>ImageOCR-123</Name><ImageOCR><Type>general</Type><LanguageType>zh</LanguageType><IsPdf>false</IsPdf><IsWord>true</IsWord></ImageOCR></Request>";

fn check_template(t: &cos_ci::OcrTemplate) {
    assert_eq!(t.template_id, TEMPLATE_ID);
    assert_eq!(t.tag, "ImageOCR");
    assert_eq!(t.name, "ImageOCR-123");
    assert_eq!(t.bucket_id.as_deref(), Some("test-1234567890"));
    assert_eq!(t.category.as_deref(), Some("Custom"));
    assert_eq!(
        t.create_time.as_ref().unwrap().as_str(),
        "2023-11-25T08:47:39+0800"
    );
    assert_eq!(
        t.update_time.as_ref().unwrap().as_str(),
        "2023-11-25T08:47:39+0800"
    );
    let p = t.image_ocr.as_ref().unwrap();
    assert_eq!(p.ocr_type, Some(OcrType::General));
    assert_eq!(p.language_type, Some(LanguageType::Zh));
    assert_eq!(p.is_pdf, Some(false));
    assert_eq!(p.is_word, Some(true));
    assert_eq!(p.enable_word_polygon, Some(false));
    assert_eq!(p.pdf_page_number, None);
}

async fn assert_xml_request(server: &MockServer, method: &str, path: &str, body: &str) {
    let r = &server.received_requests().await.unwrap()[0];
    assert_eq!(r.method.as_str(), method);
    assert_eq!(r.url.path(), path);
    assert_eq!(r.url.query(), None);
    assert_eq!(std::str::from_utf8(&r.body).unwrap(), body);
    let md5 = {
        use base64::Engine as _;
        use md5::Digest as _;
        base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(body))
    };
    assert_signed(
        r,
        path,
        &[],
        &[
            ("content-length", &body.len().to_string()),
            ("content-md5", &md5),
            ("content-type", "application/xml"),
            ("host", &host(server)),
        ],
        &credential(),
    );
}

#[tokio::test]
async fn create_template_posts_the_template_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("{CI_PREFIX}/template")))
        .respond_with(xml_response(fixture!("responses/template_create.xml")))
        .expect(1)
        .mount(&server)
        .await;
    let out = client(&server)
        .create_template("ImageOCR-123", &template_params())
        .await
        .unwrap();
    assert_xml_request(
        &server,
        "POST",
        &format!("{CI_PREFIX}/template"),
        TEMPLATE_BODY,
    )
    .await;
    assert_eq!(
        out.request_id.as_deref(),
        Some("NjQ5ZmE2NmVfMmE0MWI3MDlfNTUzM18y")
    );
    check_template(&out.template);
}

#[tokio::test]
async fn update_template_puts_the_same_body_to_its_id() {
    let server = MockServer::start().await;
    let p = format!("{CI_PREFIX}/template/{TEMPLATE_ID}");
    Mock::given(method("PUT"))
        .and(path(p.clone()))
        .respond_with(xml_response(fixture!("responses/template_create.xml")))
        .expect(1)
        .mount(&server)
        .await;
    let out = client(&server)
        .update_template(TEMPLATE_ID, "ImageOCR-123", &template_params())
        .await
        .unwrap();
    assert_xml_request(&server, "PUT", &p, TEMPLATE_BODY).await;
    check_template(&out.template);
}

#[tokio::test]
async fn describe_templates_sends_the_filters_and_parses_the_list() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{CI_PREFIX}/template")))
        .respond_with(xml_response(fixture!("responses/template_list.xml")))
        .expect(1)
        .mount(&server)
        .await;
    let q = TemplateQuery::default()
        .with_tag("ImageOCR")
        .with_category(TemplateCategory::Custom)
        .with_ids([TEMPLATE_ID, "t1a545cd125ea04ec7a3cd455065d601cc"])
        .with_name("ImageOCR")
        .with_page(1, 10);
    let list = client(&server).describe_templates(&q).await.unwrap();
    let r = &server.received_requests().await.unwrap()[0];
    let ids = format!("{TEMPLATE_ID},t1a545cd125ea04ec7a3cd455065d601cc");
    let expected: Vec<(&str, &str)> = vec![
        ("tag", "ImageOCR"),
        ("category", "Custom"),
        ("ids", &ids),
        ("name", "ImageOCR"),
        ("pageNumber", "1"),
        ("pageSize", "10"),
    ];
    let got = query(r);
    assert_eq!(
        got.iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect::<Vec<_>>(),
        expected
    );
    assert_signed(
        r,
        &format!("{CI_PREFIX}/template"),
        &expected,
        &[("host", &host(&server))],
        &credential(),
    );
    assert!(header(r, "authorization")
        .unwrap()
        .contains("&q-url-param-list=category;ids;name;pagenumber;pagesize;tag&"));

    assert_eq!(
        list.request_id.as_deref(),
        Some("NjQ5ZmE2NmVfMmE0MWI3MDlfNTUzM18z")
    );
    assert_eq!(list.total_count, Some(1));
    assert_eq!(list.page_number, Some(1));
    assert_eq!(list.page_size, Some(10));
    assert_eq!(list.template_list.len(), 1);
    let t = &list.template_list[0];
    assert_eq!(t.template_id, "t1a545cd125ea04ec7a3cd455065d601cc");
    assert_eq!(t.name, "ImageOCR-fast");
    assert_eq!(
        t.update_time.as_ref().unwrap().as_str(),
        "2023-11-26T10:00:00+0800"
    );
    let p = t.image_ocr.as_ref().unwrap();
    assert_eq!(p.ocr_type, Some(OcrType::Fast));
    assert_eq!(p.is_pdf, Some(true));
    assert_eq!(p.pdf_page_number, Some(2));
}

#[tokio::test]
async fn delete_template_deletes_by_id() {
    let server = MockServer::start().await;
    let p = format!("{CI_PREFIX}/template/{TEMPLATE_ID}");
    Mock::given(method("DELETE"))
        .and(path(p.clone()))
        .respond_with(xml_response(fixture!("responses/template_delete.xml")))
        .expect(1)
        .mount(&server)
        .await;
    let out = client(&server).delete_template(TEMPLATE_ID).await.unwrap();
    let r = &server.received_requests().await.unwrap()[0];
    assert!(r.body.is_empty());
    assert_signed(r, &p, &[], &[("host", &host(&server))], &credential());
    assert_eq!(
        out.request_id.as_deref(),
        Some("NjQ5ZmE2NmVfMmE0MWI3MDlfNTUzM180")
    );
    assert_eq!(out.template_id.as_deref(), Some(TEMPLATE_ID));
}

#[tokio::test]
async fn sync_ocr_on_an_object_sends_its_parameters_and_parses_the_result() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{COS_PREFIX}/dir/test%201.jpg")))
        .respond_with(
            xml_response(fixture!("responses/sync_ocr.xml"))
                .insert_header("x-cos-request-id", "cos-hdr"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let params = ImageOcr::new(OcrType::General)
        .with_language(LanguageType::Zh)
        .with_pdf_page(1)
        .with_words(true);
    let out = client(&server)
        .ocr_object("dir/test 1.jpg", &params)
        .await
        .unwrap();
    let r = &server.received_requests().await.unwrap()[0];
    let expected: Vec<(&str, &str)> = vec![
        ("ci-process", "OCR"),
        ("type", "general"),
        ("language-type", "zh"),
        ("ispdf", "true"),
        ("pdf-pagenumber", "1"),
        ("isword", "true"),
    ];
    assert_eq!(
        r.url.query(),
        Some(
            "ci-process=OCR&type=general&language-type=zh&ispdf=true&pdf-pagenumber=1&isword=true"
        )
    );
    assert_signed(
        r,
        &format!("{COS_PREFIX}/dir/test 1.jpg"),
        &expected,
        &[("host", &host(&server))],
        &credential(),
    );

    assert_eq!(
        out.request_id.as_deref(),
        Some("NjQ5ZmE2NmVfMmE0MWI3MDlfNTUzM18x")
    );
    assert_eq!(out.angel, Some(359.99));
    assert_eq!(out.language.as_deref(), Some("mix"));
    assert_eq!(out.pdf_page_size, Some(0));
    assert_eq!(out.text_detections.len(), 2);
    let line = &out.text_detections[0];
    assert_eq!(line.detected_text, "腾讯云");
    assert_eq!(line.confidence, Some(99));
    let item = line.item_polygon.unwrap();
    assert_eq!(
        (item.height, item.width, item.x, item.y),
        (Some(64), Some(123), Some(140), Some(167))
    );
    let poly: Vec<_> = line.polygon.iter().map(|c| c.xy().unwrap()).collect();
    assert_eq!(poly, vec![(140, 167), (263, 167), (263, 231), (140, 231)]);
    assert_eq!(line.words.len(), 3);
    assert_eq!(line.words[0].character, "腾");
    assert_eq!(line.words[0].confidence, Some(99));
    let corners: Vec<_> = line.words[0]
        .word_coord_point
        .as_ref()
        .unwrap()
        .word_coordinate
        .iter()
        .map(|c| c.xy().unwrap())
        .collect();
    assert_eq!(
        corners,
        vec![(140, 167), (181, 167), (181, 231), (140, 231)]
    );
    assert_eq!(line.words[1].character, "讯");
    assert_eq!(line.words[1].confidence, Some(98));
    assert!(out.text_detections[1].words.is_empty());
    assert_eq!(out.text_detections[1].detected_text, "COS");
}

#[tokio::test]
async fn sync_ocr_of_a_url_sends_detect_url_encoded_once() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{COS_PREFIX}/")))
        .respond_with(xml_response(fixture!("responses/sync_ocr.xml")))
        .expect(1)
        .mount(&server)
        .await;
    let out = client(&server)
        .ocr_url(
            "http://www.example.com/abc.jpg",
            &ImageOcr::new(OcrType::Handwriting).with_word_polygon(true),
        )
        .await
        .unwrap();
    assert_eq!(out.text_detections.len(), 2);
    let r = &server.received_requests().await.unwrap()[0];
    assert_eq!(
        r.url.query(),
        Some("ci-process=OCR&detect-url=http%3A%2F%2Fwww.example.com%2Fabc.jpg&type=handwriting&enable-word-polygon=true")
    );
    assert_signed(
        r,
        &format!("{COS_PREFIX}/"),
        &[
            ("ci-process", "OCR"),
            ("detect-url", "http://www.example.com/abc.jpg"),
            ("type", "handwriting"),
            ("enable-word-polygon", "true"),
        ],
        &[("host", &host(&server))],
        &credential(),
    );
}

#[tokio::test]
async fn template_and_sync_validation_refuses_before_sending() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let c = client(&server);
    let ok = template_params();
    let bad_type = ImageOcr {
        ocr_type: Some(OcrType::Other("ocr".into())),
        ..ImageOcr::default()
    };
    let page_only = ImageOcr {
        pdf_page_number: Some(3),
        ..ImageOcr::default()
    };

    let cases: Vec<(ocr_core::Result<()>, &str)> = vec![
        (c.create_template("bad name", &ok).await.map(drop), "Name"),
        (c.create_template("", &ok).await.map(drop), "Name"),
        (
            c.create_template(&"n".repeat(65), &ok).await.map(drop),
            "Name",
        ),
        (
            c.create_template("ok", &bad_type).await.map(drop),
            "ImageOCR.Type",
        ),
        (
            c.create_template("ok", &ImageOcr::new(OcrType::Handwriting).with_words(true))
                .await
                .map(drop),
            "ImageOCR.IsWord",
        ),
        (
            c.update_template("t/1", "ok", &ok).await.map(drop),
            "TemplateId",
        ),
        (
            c.update_template("t1", "ok", &page_only).await.map(drop),
            "ImageOCR.PdfPageNumber",
        ),
        (c.delete_template("").await.map(drop), "TemplateId"),
        (
            c.describe_templates(&TemplateQuery::default().with_page(0, 10))
                .await
                .map(drop),
            "pageNumber",
        ),
        (
            c.describe_templates(&TemplateQuery::default().with_page(1, 101))
                .await
                .map(drop),
            "pageSize",
        ),
        (
            c.describe_templates(&TemplateQuery::default().with_ids(["a,b"]))
                .await
                .map(drop),
            "ids",
        ),
        (c.ocr_object("/a.jpg", &ok).await.map(drop), "Key"),
        (
            c.ocr_object("a.jpg", &page_only).await.map(drop),
            "pdf-pagenumber",
        ),
        (c.ocr_object("a.jpg", &bad_type).await.map(drop), "type"),
        (
            c.ocr_object(
                "a.jpg",
                &ImageOcr::new(OcrType::Accurate).with_language(LanguageType::Jap),
            )
            .await
            .map(drop),
            "language-type",
        ),
        (
            c.ocr_object("a.jpg", &ImageOcr::new(OcrType::Efficient).with_pdf(true))
                .await
                .map(drop),
            "ispdf",
        ),
        (
            c.ocr_object("a.jpg", &ImageOcr::new(OcrType::Fast).with_words(true))
                .await
                .map(drop),
            "isword",
        ),
        (
            c.ocr_object(
                "a.jpg",
                &ImageOcr::new(OcrType::General).with_word_polygon(true),
            )
            .await
            .map(drop),
            "enable-word-polygon",
        ),
        (
            c.ocr_url("ftp://example.com/a.jpg", &ok).await.map(drop),
            "detect-url",
        ),
        (c.ocr_url("not a url", &ok).await.map(drop), "detect-url"),
    ];
    for (result, field) in cases {
        let err = result.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{field}: {err}");
        assert_eq!(err.field(), Some(field), "{err}");
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

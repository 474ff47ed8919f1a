//! `OcrProvider for CosCi` against wiremock: upload → submit → poll (Submitted → Running →
//! Success) → Document → delete; failures; restored jobs; sources that skip the upload; and
//! the checks that refuse a request before anything is sent.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use cos_ci::prelude::*;
use std::io::Write;

use common::*;
use cos_ci::provider::meta;
use cos_ci::{ImageOcr, JobDetail, OcrType, SyncOcrResult};
use ocr_core::{
    DocumentKind, ErrorKind, Format, Job, JobStatus, OcrProvider, OutputKind, PageRange, Point,
    Quad, Request, Source,
};
use wiremock::matchers::{any, body_string_contains, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const JOB_ID: &str = "a3c193f288b2c11eeb60f39de2f86f409";

fn png(w: u32, h: u32) -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    v.extend_from_slice(&w.to_be_bytes());
    v.extend_from_slice(&h.to_be_bytes());
    v.extend_from_slice(&[8, 2, 0, 0, 0]);
    v.extend_from_slice(&[0u8; 64]);
    v
}

/// A valid PDF of `n` pages (page `i` shows `Page i`), whose pages can be counted.
fn pdf_pages(n: usize) -> Vec<u8> {
    let lines: Vec<String> = (1..=n).map(|i| format!("Page {i}")).collect();
    let pages: Vec<[&str; 1]> = lines.iter().map(|l| [l.as_str()]).collect();
    let pages: Vec<&[&str]> = pages.iter().map(|p| &p[..]).collect();
    ocr_emulator::samples::pdf_with_text(&pages)
}

fn md5_hex(data: &[u8]) -> String {
    use md5::Digest as _;
    hex::encode(md5::Md5::digest(data))
}

/// The key the first upload of a fresh client (on the fixed clock at `NOW`) gets: the prefix,
/// the MD5 of the content, a suffix unique to the submission (the time in nanoseconds, 16 hex
/// digits, then the client's upload count, `0`), and the extension.
fn upload_key(prefix: &str, data: &[u8], ext: &str) -> String {
    let nanos = NOW * 1_000_000_000;
    format!("{prefix}{}-{nanos:016x}0.{ext}", md5_hex(data))
}

fn xml_response(body: &str, request_id: &str) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("content-type", "application/xml")
        .insert_header("x-ci-request-id", request_id)
        .set_body_string(body)
}

/// Mounts the whole flow for an upload under `key`: PUT, POST /jobs, three describes
/// (Submitted, Running, then `final_body`), DELETE.
async fn mount_flow(server: &MockServer, key: &str, final_body: &'static str, deletes: u64) {
    Mock::given(method("PUT"))
        .and(path(format!("{COS_PREFIX}/{key}")))
        .respond_with(ResponseTemplate::new(200).insert_header("x-cos-request-id", "put-1"))
        .expect(1)
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{CI_PREFIX}/jobs")))
        .respond_with(xml_response(
            fixture!("seed/submit_template_response.xml"),
            "submit-1",
        ))
        .expect(1)
        .mount(server)
        .await;
    mount_polls(server, final_body).await;
    Mock::given(method("DELETE"))
        .and(path(format!("{COS_PREFIX}/{key}")))
        .respond_with(ResponseTemplate::new(204))
        .expect(deletes)
        .mount(server)
        .await;
}

async fn mount_polls(server: &MockServer, final_body: &'static str) {
    let describe = || path(format!("{CI_PREFIX}/jobs/{JOB_ID}"));
    Mock::given(method("GET"))
        .and(describe())
        .respond_with(xml_response(
            fixture!("seed/response_body_sample.xml"),
            "poll-1",
        ))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(describe())
        .respond_with(xml_response(
            fixture!("responses/describe_running.xml"),
            "poll-2",
        ))
        .up_to_n_times(1)
        .with_priority(2)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(describe())
        .respond_with(xml_response(final_body, "poll-3"))
        .with_priority(3)
        .mount(server)
        .await;
}

fn approx(a: Option<f32>, b: f32) {
    let a = a.unwrap();
    assert!((a - b).abs() < 1e-6, "{a} != {b}");
}

fn quad(points: [(f64, f64); 4]) -> Quad {
    Quad::new(points.map(|(x, y)| Point::new(x, y)))
}

#[tokio::test]
async fn recognize_uploads_submits_polls_maps_and_deletes() {
    let server = MockServer::start().await;
    let data = png(640, 480);
    let key = upload_key("cloud-ocr/", &data, "png");
    mount_flow(&server, &key, fixture!("responses/describe_success.xml"), 1).await;
    let c = client(&server);

    let request = Request::from_bytes(data.clone(), Some("scan.png"))
        .with_languages(["zh"])
        .with_output(OutputKind::Text);
    let doc = c.recognize(&request).await.unwrap();

    let received = server.received_requests().await.unwrap();
    let calls: Vec<String> = received
        .iter()
        .map(|r| format!("{} {}", r.method, r.url.path()))
        .collect();
    assert_eq!(
        calls,
        vec![
            format!("PUT {COS_PREFIX}/{key}"),
            format!("POST {CI_PREFIX}/jobs"),
            format!("GET {CI_PREFIX}/jobs/{JOB_ID}"),
            format!("GET {CI_PREFIX}/jobs/{JOB_ID}"),
            format!("GET {CI_PREFIX}/jobs/{JOB_ID}"),
            format!("DELETE {COS_PREFIX}/{key}"),
        ]
    );
    assert_eq!(received[0].body, data);
    assert_eq!(header(&received[0], "content-type"), Some("image/png"));
    assert_eq!(
        std::str::from_utf8(&received[1].body).unwrap(),
        format!(
            "<Request><Tag>ImageOCR</Tag><Input><Object>{key}</Object></Input><Operation><ImageOCR><Type>general</Type><LanguageType>zh</LanguageType></ImageOCR></Operation></Request>"
        )
    );

    assert_eq!(doc.provider, "cos-ci");
    assert_eq!(doc.request_ids, vec!["poll-3".to_owned()]);
    assert_eq!(doc.pages.len(), 1);
    let page = &doc.pages[0];
    assert_eq!(page.number, 1);
    assert_eq!((page.width, page.height), (Some(640.0), Some(480.0)));
    assert_eq!(page.angle, Some(0.0));
    assert_eq!(page.lines.len(), 3);
    let l0 = &page.lines[0];
    assert_eq!(l0.text, "锄禾日当午");
    approx(l0.confidence, 0.98);
    assert_eq!(
        l0.bbox,
        Some(quad([
            (40.0, 24.0),
            (215.0, 24.0),
            (215.0, 58.0),
            (40.0, 58.0)
        ]))
    );
    assert!(l0.words.is_empty(), "placeholders are not words");
    approx(page.lines[1].confidence, 0.91);
    // No Polygon: the ItemPolygon box.
    assert_eq!(
        page.lines[2].bbox,
        Some(Quad::from_rect(40.0, 124.0, 176.0, 35.0))
    );
    assert_eq!(doc.text(), "锄禾日当午\n汗滴禾下土\n谁知盘中餐");
    let native = doc.native::<JobDetail>().unwrap();
    assert_eq!(native.job_id, JOB_ID);
    assert_eq!(native.detection().unwrap().text_detections.len(), 3);
}

#[tokio::test]
async fn a_job_survives_a_restart_and_a_later_process_polls_and_cleans_up() {
    let server = MockServer::start().await;
    let data = png(800, 600);
    let key = upload_key("scans/", &data, "png");
    // Deleted when the job ends, and once more by the explicit cleanup below.
    mount_flow(&server, &key, fixture!("responses/describe_success.xml"), 2).await;
    let mut file = tempfile::Builder::new().suffix(".png").tempfile().unwrap();
    file.write_all(&data).unwrap();

    let first = builder(&server).key_prefix("scans/").build().unwrap();
    let job = first
        .submit(&Request::from_path(file.path()))
        .await
        .unwrap();
    assert_eq!(job.provider, "cos-ci");
    assert_eq!(job.task_id, JOB_ID);
    assert_eq!(job.created_at, NOW);
    assert_eq!(job.meta(meta::BUCKET), Some(BUCKET));
    assert_eq!(job.meta(meta::REGION), Some(REGION));
    assert_eq!(job.meta(meta::KEY), Some(key.as_str()));
    assert_eq!(job.meta(meta::CLEANUP_KEY), Some(key.as_str()));
    assert_eq!(job.meta(meta::WIDTH), Some("800"));
    assert_eq!(job.meta(meta::HEIGHT), Some("600"));
    let saved = serde_json::to_string(&job).unwrap();
    drop(first);

    // A later process with its own client.
    let later = client(&server);
    let restored: Job = serde_json::from_str(&saved).unwrap();
    assert_eq!(restored, job);
    let mut states = Vec::new();
    let doc = loop {
        match later.poll(&restored).await.unwrap() {
            JobStatus::Pending(p) => states.push(p.state.unwrap()),
            JobStatus::Done(doc) => break doc,
            JobStatus::Failed(err) => panic!("{err}"),
        }
    };
    assert_eq!(states, vec!["Submitted", "Running"]);
    assert_eq!(
        (doc.pages[0].width, doc.pages[0].height),
        (Some(800.0), Some(600.0))
    );
    assert_eq!(doc.pages[0].lines.len(), 3);
    // Cleaning up again (a process that lost track) is harmless.
    assert!(later.cleanup(&restored).await.unwrap());
}

#[tokio::test]
async fn a_failed_job_surfaces_its_code_and_message() {
    let server = MockServer::start().await;
    let data = png(10, 10);
    let key = upload_key("cloud-ocr/", &data, "png");
    mount_flow(&server, &key, fixture!("responses/describe_failed.xml"), 1).await;
    let err = client(&server)
        .recognize(&Request::from_bytes(data, None))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TaskFailed);
    assert_eq!(err.code(), Some("InvalidImageFormat"));
    assert_eq!(err.message(), "The image cannot be decoded.");
    assert_eq!(err.request_id(), Some("poll-3"));
    assert_eq!(err.provider(), Some("cos-ci"));
    assert_eq!(
        err.to_string(),
        "cos-ci DescribeJobs: InvalidImageFormat: The image cannot be decoded. (request poll-3)"
    );
}

#[tokio::test]
async fn kept_uploads_are_not_deleted() {
    let server = MockServer::start().await;
    let data = png(10, 10);
    let key = upload_key("cloud-ocr/", &data, "png");
    mount_flow(&server, &key, fixture!("responses/describe_success.xml"), 0).await;
    let c = builder(&server).keep_uploads(true).build().unwrap();
    let job = c.submit(&Request::from_bytes(data, None)).await.unwrap();
    assert_eq!(job.meta(meta::KEY), Some(key.as_str()));
    assert_eq!(job.meta(meta::CLEANUP_KEY), None);
    ocr_core::provider::wait(&c, &job).await.unwrap();
    assert!(!c.cleanup(&job).await.unwrap());
}

#[tokio::test]
async fn handwriting_word_polygons_become_words() {
    let server = MockServer::start().await;
    let data = png(60, 40);
    let key = upload_key("cloud-ocr/", &data, "png");
    mount_flow(
        &server,
        &key,
        fixture!("responses/describe_handwriting.xml"),
        1,
    )
    .await;
    let c = builder(&server)
        .ocr_params(ImageOcr::new(OcrType::Handwriting).with_word_polygon(true))
        .build()
        .unwrap();
    let doc = c.recognize(&Request::from_bytes(data, None)).await.unwrap();
    let received = server.received_requests().await.unwrap();
    assert!(std::str::from_utf8(&received[1].body).unwrap().contains(
        "<Operation><ImageOCR><Type>handwriting</Type><EnableWordPolygon>true</EnableWordPolygon></ImageOCR></Operation>"
    ));
    let page = &doc.pages[0];
    assert_eq!(page.angle, Some(-1.5));
    let line = &page.lines[0];
    assert_eq!(line.text, "手写");
    approx(line.confidence, 0.88);
    assert_eq!(line.bbox, Some(Quad::from_rect(10.0, 10.0, 40.0, 20.0)));
    let words: Vec<_> = line
        .words
        .iter()
        .map(|w| (w.text.as_str(), w.bbox))
        .collect();
    assert_eq!(
        words,
        vec![
            (
                "手",
                Some(quad([
                    (10.0, 10.0),
                    (30.0, 10.0),
                    (30.0, 30.0),
                    (10.0, 30.0)
                ]))
            ),
            (
                "写",
                Some(quad([
                    (30.0, 10.0),
                    (50.0, 10.0),
                    (50.0, 30.0),
                    (30.0, 30.0)
                ]))
            ),
        ]
    );
}

#[tokio::test]
async fn a_pdf_page_is_sent_as_is_pdf_and_page_number() {
    let server = MockServer::start().await;
    let data = pdf_pages(3);
    let key = upload_key("cloud-ocr/", &data, "pdf");
    mount_flow(&server, &key, fixture!("responses/describe_success.xml"), 1).await;
    let request =
        Request::from_bytes(data, Some("doc.pdf")).with_pages(PageRange::single(3).unwrap());
    let job = client(&server).submit(&request).await.unwrap();
    assert_eq!(job.meta(meta::PAGE), Some("3"));
    // One page keeps the single-job shape.
    assert!(job.page_tasks.is_empty());
    assert_eq!(job.pages_requested, vec![3]);
    let received = server.received_requests().await.unwrap();
    assert_eq!(
        header(&received[0], "content-type"),
        Some("application/pdf")
    );
    assert!(std::str::from_utf8(&received[1].body)
        .unwrap()
        .contains("<ImageOCR><Type>general</Type><IsPdf>true</IsPdf><PdfPageNumber>3</PdfPageNumber></ImageOCR>"));
    let doc = ocr_core::provider::wait(&client(&server), &job)
        .await
        .unwrap();
    assert_eq!(doc.pages[0].number, 3);
}

const JOB_P2: &str = "a3c193f288b2c11eeb60f39de2f86f402";
const JOB_P3: &str = "a3c193f288b2c11eeb60f39de2f86f403";

/// The `JobsDetail` elements of a describe fixture, for job `id`.
fn details_of(fixture: &str, id: &str) -> String {
    fixture
        .replace(JOB_ID, id)
        .replace("<Response>", "")
        .replace("</Response>", "")
}

/// A `DescribeJobs` answer listing `details`, in order.
fn describe_body(details: &[String]) -> String {
    format!("<Response>{}</Response>", details.concat())
}

#[tokio::test]
async fn several_pdf_pages_are_one_job_each_polled_together() {
    let server = MockServer::start().await;
    let data = pdf_pages(3);
    let key = upload_key("cloud-ocr/", &data, "pdf");
    Mock::given(method("PUT"))
        .and(path(format!("{COS_PREFIX}/{key}")))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    for (page, id) in [(2, JOB_P2), (3, JOB_P3)] {
        Mock::given(method("POST"))
            .and(path(format!("{CI_PREFIX}/jobs")))
            .and(body_string_contains(format!(
                "<PdfPageNumber>{page}</PdfPageNumber>"
            )))
            .respond_with(xml_response(
                &fixture!("seed/submit_template_response.xml").replace(JOB_ID, id),
                &format!("submit-{page}"),
            ))
            .expect(1)
            .mount(&server)
            .await;
    }
    // One DescribeJobs for both pages: page 3 still runs, then both are done.
    let describe = || path(format!("{CI_PREFIX}/jobs/{JOB_P2},{JOB_P3}"));
    let success = fixture!("responses/describe_success.xml");
    Mock::given(method("GET"))
        .and(describe())
        .respond_with(xml_response(
            &describe_body(&[
                details_of(success, JOB_P2),
                details_of(fixture!("responses/describe_running.xml"), JOB_P3),
            ]),
            "poll-1",
        ))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(describe())
        .respond_with(xml_response(
            &describe_body(&[details_of(success, JOB_P2), details_of(success, JOB_P3)]),
            "poll-2",
        ))
        .with_priority(2)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{COS_PREFIX}/{key}")))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;

    let c = client(&server);
    let request =
        Request::from_bytes(data, Some("doc.pdf")).with_pages(PageRange::new(2, 3).unwrap());
    let job = c.submit(&request).await.unwrap();
    let tasks: Vec<(u32, &str)> = job
        .page_tasks
        .iter()
        .map(|t| (t.page, t.task_id.as_str()))
        .collect();
    assert_eq!(tasks, [(2, JOB_P2), (3, JOB_P3)]);
    assert_eq!(job.pages_requested, vec![2, 3]);
    assert_eq!(job.meta(meta::PAGE), None);
    assert_eq!(job.meta(meta::CLEANUP_KEY), Some(key.as_str()));

    // A later process polls the saved job.
    let restored: Job = serde_json::from_str(&serde_json::to_string(&job).unwrap()).unwrap();
    match c.poll(&restored).await.unwrap() {
        JobStatus::Pending(p) => assert_eq!(p.state.as_deref(), Some("1 of 2 pages done")),
        other => panic!("{other:?}"),
    }
    let doc = ocr_core::provider::wait(&c, &restored).await.unwrap();

    let received = server.received_requests().await.unwrap();
    let mut bodies: Vec<String> = received
        .iter()
        .filter(|r| r.method.as_str() == "POST")
        .map(|r| String::from_utf8(r.body.clone()).unwrap())
        .collect();
    bodies.sort();
    let expected = |page: u32| {
        format!("<Request><Tag>ImageOCR</Tag><Input><Object>{key}</Object></Input><Operation><ImageOCR><Type>general</Type><IsPdf>true</IsPdf><PdfPageNumber>{page}</PdfPageNumber></ImageOCR></Operation></Request>")
    };
    assert_eq!(bodies, [expected(2), expected(3)]);
    let numbers: Vec<u32> = doc.pages.iter().map(|p| p.number).collect();
    assert_eq!(numbers, [2, 3]);
    assert!(doc.pages.iter().all(|p| p.lines.len() == 3));
    assert_eq!(doc.pages_requested, vec![2, 3]);
    assert!(doc.is_complete());
    let parts = doc.native::<Vec<ocr_core::Document>>().unwrap();
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[1].native::<JobDetail>().unwrap().job_id, JOB_P3);
}

#[tokio::test]
async fn a_failed_page_job_is_listed_as_missing() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    for (page, id) in [(1, JOB_P2), (2, JOB_P3)] {
        Mock::given(method("POST"))
            .and(body_string_contains(format!(
                "<PdfPageNumber>{page}</PdfPageNumber>"
            )))
            .respond_with(xml_response(
                &fixture!("seed/submit_template_response.xml").replace(JOB_ID, id),
                "s",
            ))
            .expect(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path(format!("{CI_PREFIX}/jobs/{JOB_P2},{JOB_P3}")))
        .respond_with(xml_response(
            &describe_body(&[
                details_of(fixture!("responses/describe_success.xml"), JOB_P2),
                details_of(fixture!("responses/describe_failed.xml"), JOB_P3),
            ]),
            "poll-1",
        ))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;

    // Every page by default.
    let doc = client(&server)
        .recognize(&Request::from_bytes(pdf_pages(2), Some("doc.pdf")))
        .await
        .unwrap();
    assert_eq!(doc.pages.len(), 1);
    assert_eq!(doc.pages[0].number, 1);
    assert_eq!(doc.pages_requested, vec![1, 2]);
    assert_eq!(doc.missing.len(), 1);
    assert_eq!(doc.missing[0].page, 2);
    assert_eq!(doc.missing[0].code.as_deref(), Some("InvalidImageFormat"));
    assert_eq!(doc.missing[0].message, "The image cannot be decoded.");
    assert!(!doc.is_complete());
}

#[tokio::test]
async fn a_pdf_url_is_read_page_by_page_up_to_its_page_count() {
    let server = MockServer::start().await;
    let sync = fixture!("responses/sync_ocr.xml");
    for page in 1..=3 {
        let mut body = sync.replace(
            "NjQ5ZmE2NmVfMmE0MWI3MDlfNTUzM18x",
            &format!("sync-page-{page}"),
        );
        if page == 1 {
            body = body.replace(
                "<PdfPageSize>0</PdfPageSize>",
                "<PdfPageSize>3</PdfPageSize>",
            );
        }
        Mock::given(method("GET"))
            .and(path(format!("{COS_PREFIX}/")))
            .and(query_param("pdf-pagenumber", page.to_string()))
            .respond_with(xml_response(&body, "h"))
            .expect(if page == 2 { 2 } else { 1 })
            .mount(&server)
            .await;
    }
    let c = client(&server);
    let doc = c
        .recognize(&Request::from_url("https://www.example.com/report.pdf").unwrap())
        .await
        .unwrap();
    let numbers: Vec<u32> = doc.pages.iter().map(|p| p.number).collect();
    assert_eq!(numbers, [1, 2, 3]);
    assert_eq!(doc.pages_requested, vec![1, 2, 3]);
    assert_eq!(
        doc.request_ids,
        ["sync-page-1", "sync-page-2", "sync-page-3"]
    );
    let received = server.received_requests().await.unwrap();
    assert_eq!(
        received[0].url.query(),
        Some("ci-process=OCR&detect-url=https%3A%2F%2Fwww.example.com%2Freport.pdf&type=general&ispdf=true&pdf-pagenumber=1")
    );

    // Named pages are read as named, without asking for the page count first.
    let doc = c
        .recognize(
            &Request::from_url("https://www.example.com/report.pdf")
                .unwrap()
                .with_pages(PageRange::single(2).unwrap()),
        )
        .await
        .unwrap();
    assert_eq!(doc.pages[0].number, 2);
    assert_eq!(doc.pages_requested, vec![2]);
    assert_eq!(server.received_requests().await.unwrap().len(), 4);
}

#[tokio::test]
async fn an_object_already_in_the_bucket_is_not_uploaded_or_deleted() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(204))
        .expect(0)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(xml_response(
            fixture!("seed/submit_template_response.xml"),
            "s",
        ))
        .expect(2)
        .mount(&server)
        .await;
    mount_polls(&server, fixture!("responses/describe_success.xml")).await;
    let c = client(&server);

    let url = url::Url::parse("cos://test-1234567890/input/test%20page.jpg").unwrap();
    let doc = c.recognize(&Request::new(Source::Url(url))).await.unwrap();
    assert_eq!(doc.pages[0].lines.len(), 3);

    let job = c
        .submit_existing_object(
            "input/report.pdf",
            &Request::from_path("x")
                .with_pages(PageRange::single(2).unwrap())
                .options,
        )
        .await
        .unwrap();
    assert_eq!(job.meta(meta::CLEANUP_KEY), None);
    assert_eq!(job.meta(meta::PAGE), Some("2"));

    let received = server.received_requests().await.unwrap();
    let bodies: Vec<String> = received
        .iter()
        .filter(|r| r.method.as_str() == "POST")
        .map(|r| String::from_utf8(r.body.clone()).unwrap())
        .collect();
    assert_eq!(
        bodies,
        vec![
            "<Request><Tag>ImageOCR</Tag><Input><Object>input/test page.jpg</Object></Input><Operation><ImageOCR><Type>general</Type></ImageOCR></Operation></Request>".to_owned(),
            "<Request><Tag>ImageOCR</Tag><Input><Object>input/report.pdf</Object></Input><Operation><ImageOCR><Type>general</Type><IsPdf>true</IsPdf><PdfPageNumber>2</PdfPageNumber></ImageOCR></Operation></Request>".to_owned(),
        ]
    );
}

#[tokio::test]
async fn a_template_configured_provider_submits_the_template_id() {
    let server = MockServer::start().await;
    let data = png(10, 10);
    let key = upload_key("cloud-ocr/", &data, "png");
    mount_flow(&server, &key, fixture!("responses/describe_success.xml"), 1).await;
    let c = builder(&server)
        .template_id("t1460606b9752148c4ab182f55163ba7cd")
        .queue_id("pcaffdc4229a543b296b10b22586a1e57")
        .build()
        .unwrap();
    c.recognize(&Request::from_bytes(data, None)).await.unwrap();
    let received = server.received_requests().await.unwrap();
    assert_eq!(
        std::str::from_utf8(&received[1].body).unwrap(),
        format!("<Request><Tag>ImageOCR</Tag><Input><Object>{key}</Object></Input><Operation><TemplateId>t1460606b9752148c4ab182f55163ba7cd</TemplateId></Operation><QueueId>pcaffdc4229a543b296b10b22586a1e57</QueueId></Request>")
    );
}

#[tokio::test]
async fn a_url_source_runs_synchronous_ocr_with_detect_url() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{COS_PREFIX}/")))
        .respond_with(xml_response(fixture!("responses/sync_ocr.xml"), "h"))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let request = Request::from_url("https://www.example.com/a.png").unwrap();
    let job = c.submit(&request).await.unwrap();
    assert!(job.result.is_some());
    assert_eq!(job.task_id, "NjQ5ZmE2NmVfMmE0MWI3MDlfNTUzM18x");
    let doc = ocr_core::provider::wait(&c, &job).await.unwrap();
    let r = &server.received_requests().await.unwrap()[0];
    assert_eq!(
        r.url.query(),
        Some("ci-process=OCR&detect-url=https%3A%2F%2Fwww.example.com%2Fa.png&type=general")
    );
    assert_eq!(
        doc.request_ids,
        vec!["NjQ5ZmE2NmVfMmE0MWI3MDlfNTUzM18x".to_owned()]
    );
    let page = &doc.pages[0];
    assert_eq!(page.angle, Some(359.99));
    let line = &page.lines[0];
    assert_eq!(line.text, "腾讯云");
    approx(line.confidence, 0.99);
    assert_eq!(line.words.len(), 3);
    assert_eq!(line.words[1].text, "讯");
    approx(line.words[1].confidence, 0.98);
    assert_eq!(
        line.words[0].bbox,
        Some(quad([
            (140.0, 167.0),
            (181.0, 167.0),
            (181.0, 231.0),
            (140.0, 231.0)
        ]))
    );
    // Synchronous results keep the Detection as their native form.
    assert!(doc.native::<cos_ci::Detection>().is_some());
    assert!(doc.native::<SyncOcrResult>().is_none());
}

#[tokio::test]
async fn a_refused_submission_removes_the_upload_unless_the_job_may_exist() {
    for (status, code, deletes, kind) in [
        (400, "InvalidArgument", 1, ErrorKind::InvalidInput),
        (500, "InternalError", 0, ErrorKind::OutcomeUnknown),
    ] {
        let server = MockServer::start().await;
        let data = png(10, 10);
        let key = upload_key("cloud-ocr/", &data, "png");
        Mock::given(method("PUT"))
            .respond_with(ResponseTemplate::new(200))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(status).set_body_string(error_body(code, "no", "r")),
            )
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("DELETE"))
            .and(path(format!("{COS_PREFIX}/{key}")))
            .respond_with(ResponseTemplate::new(204))
            .expect(deletes)
            .mount(&server)
            .await;
        let err = client(&server)
            .submit(&Request::from_bytes(data, None))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), kind, "{code}");
    }
}

#[tokio::test]
async fn capabilities_describe_the_documented_limits() {
    let server = MockServer::start().await;
    let c = client(&server);
    assert_eq!(c.id(), "cos-ci");
    let caps = c.capabilities();
    assert!(caps.asynchronous);
    assert_eq!(
        caps.input.formats,
        vec![Format::Png, Format::Jpeg, Format::Bmp, Format::Pdf]
    );
    assert_eq!(caps.input.max_bytes, 5_505_024);
    assert!(caps.produces(OutputKind::Layout));
    assert!(!caps.produces(OutputKind::Markdown));
}

#[tokio::test]
async fn provider_validation_refuses_before_sending() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let c = client(&server);
    let bytes = |d: Vec<u8>| Request::from_bytes(d, None);
    let mut too_big = png(10, 10);
    too_big.resize(5_505_025, 0);
    let gif = b"GIF89a\x0a\x00\x0a\x00\x00\x00\x00;".to_vec();
    let url = |s: &str| Request::new(Source::Url(url::Url::parse(s).unwrap()));

    let mut png_file = tempfile::Builder::new().suffix(".png").tempfile().unwrap();
    png_file.write_all(&png(10, 10)).unwrap();
    let cases: Vec<(Request, &str)> = vec![
        (
            Request::from_path(png_file.path()).with_pages(PageRange::single(2).unwrap()),
            "pages",
        ),
        (
            Request::from_path(png_file.path()).with_languages(["xx"]),
            "LanguageType",
        ),
        (bytes(too_big), "source"),
        (bytes(gif), "source"),
        (bytes(b"just some text".to_vec()), "source"),
        (bytes(Vec::new()), "source"),
        (Request::from_path("/definitely/not/here.png"), "source"),
        (
            bytes(png(10, 10)).with_languages(["zh", "jap"]),
            "languages",
        ),
        (bytes(png(10, 10)).with_languages(["ja"]), "LanguageType"),
        // Several pages are one job each; a page the PDF does not have is refused.
        (
            bytes(pdf_pages(2)).with_pages(PageRange::new(2, 3).unwrap()),
            "pages",
        ),
        (
            bytes(png(10, 10)).with_pages(PageRange::single(2).unwrap()),
            "pages",
        ),
        (
            bytes(png(10, 10)).with_output(OutputKind::Markdown),
            "outputs",
        ),
        (
            bytes(png(10, 10)).with_document_kind(DocumentKind::IdCard),
            "document_kind",
        ),
        (url("cos://other-1250000000/a.jpg"), "source"),
        (url("cos://test-1234567890/"), "Input.Object"),
        (url("ftp://example.com/a.png"), "source"),
        // A PDF already in the bucket needs its pages named (they cannot be counted here).
        (url("cos://test-1234567890/input/report.pdf"), "pages"),
    ];
    for (request, field) in cases {
        let err = c.submit(&request).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{field}: {err}");
        assert_eq!(err.field(), Some(field), "{err}");
        assert_eq!(err.provider(), Some("cos-ci"));
    }

    // Settings that make some requests impossible.
    let hw = builder(&server)
        .ocr_params(ImageOcr::new(OcrType::Handwriting))
        .build()
        .unwrap();
    let err = hw
        .submit(&bytes(png(10, 10)).with_languages(["zh"]))
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("Operation.ImageOCR.LanguageType"));
    let err = hw.submit(&bytes(pdf_pages(1))).await.unwrap_err();
    assert_eq!(err.field(), Some("Operation.ImageOCR.IsPdf"));
    let templated = builder(&server).template_id("t1").build().unwrap();
    let err = templated
        .submit(&bytes(png(10, 10)).with_languages(["zh"]))
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("languages"));

    // Jobs that are not this client's.
    let foreign = Job::new("picwish", "t", 0);
    assert_eq!(c.poll(&foreign).await.unwrap_err().field(), Some("job"));
    let other_bucket = Job::new("cos-ci", JOB_ID, 0).with_meta(meta::BUCKET, "other-1250000000");
    assert_eq!(
        c.poll(&other_bucket).await.unwrap_err().field(),
        Some("job")
    );
    assert_eq!(
        c.cleanup(&other_bucket).await.unwrap_err().field(),
        Some("job")
    );

    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn the_builder_checks_bucket_region_and_settings() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    for (b, field) in [
        (builder(&server).bucket("Test_Bucket-1"), "Bucket"),
        (builder(&server).bucket("examplebucket"), "Bucket"),
        (
            builder(&server).bucket("a-very-long-bucket-name-for-this-region-1250000000"),
            "Bucket",
        ),
        (builder(&server).region("AP-Beijing"), "Region"),
        (builder(&server).region("ap_beijing"), "Region"),
        (builder(&server).key_prefix("/abs/"), "key_prefix"),
        (builder(&server).key_prefix("a/../b/"), "key_prefix"),
        (builder(&server).template_id("t/1"), "Operation.TemplateId"),
        (
            builder(&server).ocr_params(ImageOcr::new(OcrType::Fast).with_words(true)),
            "IsWord",
        ),
    ] {
        let err = b.build().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{field}: {err}");
        assert_eq!(err.field(), Some(field));
    }
    for b in [
        cos_ci::CosCi::builder()
            .region(REGION)
            .credential(credential()),
        builder(&server).cos_base_url("ftp://x/"),
        builder(&server).ci_base_url("http://user:pw@127.0.0.1/"),
    ] {
        assert_eq!(b.build().unwrap_err().kind(), ErrorKind::Config);
    }
    let no_credentials = cos_ci::CosCi::builder()
        .bucket(BUCKET)
        .region(REGION)
        .build();
    assert_eq!(no_credentials.unwrap_err().kind(), ErrorKind::Config);
    assert!(server.received_requests().await.unwrap().is_empty());
}

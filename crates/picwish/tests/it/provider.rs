//! PicWish through the OcrProvider trait: submit → serialisable Job, poll → Pending / Done /
//! Failed, recognize end to end, and capabilities that match the documented limits.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::sync::Arc;

use common::*;
use ocr_core::{
    ErrorKind, Format, Job, JobStatus, OcrProvider, OutputKind, PageBoundaries, Request,
};
use picwish::{ResultFormat, TaskInfo};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn server_accepting_create() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TASKS_PATH))
        .respond_with(json(200, fixture!("responses/create.json")))
        .expect(1)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn submit_returns_a_serialisable_job() {
    let server = server_accepting_create().await;
    let document = pdf(2048);
    let request =
        Request::from_bytes(document.clone(), Some("a.pdf")).with_languages(["English", "Digits"]);

    let job = client(&server).submit(&request).await.unwrap();

    assert_eq!(job.provider, "picwish");
    assert_eq!(job.task_id, TASK_ID);
    assert_eq!(job.created_at, NOW);
    assert_eq!(job.expires_at, Some(NOW + 3600));
    assert_eq!(job.meta("format"), Some("txt"));
    assert_eq!(job.meta("result_validity_secs"), Some("3600"));
    assert!(job.result.is_none());
    let json = serde_json::to_value(&job).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "provider": "picwish",
            "task_id": TASK_ID,
            "created_at": NOW,
            "expires_at": NOW + 3600,
            "meta": {"format": "txt", "result_validity_secs": "3600"},
            "usage": {"calls": {"CreateTask": 1}, "pages": 0, "credits": 1}
        })
    );
    assert_eq!(serde_json::from_value::<Job>(json).unwrap(), job);

    let req = &server.received_requests().await.unwrap()[0];
    assert_eq!(
        parse_multipart(req),
        vec![
            FormPart::file("image_file", "a.pdf", "application/pdf", &document),
            FormPart::text("language", "English,Digits"),
            FormPart::text("format", "txt"),
        ]
    );
}

#[tokio::test]
async fn submit_sends_the_requested_result_format_and_urls() {
    let server = server_accepting_create().await;
    let request = Request::from_url("https://files.example.com/deck.pptx")
        .unwrap()
        .with_result_format("xlsx")
        .with_output(OutputKind::Files);
    let job = client(&server).submit(&request).await.unwrap();
    assert_eq!(job.meta("format"), Some("xlsx"));
    let req = &server.received_requests().await.unwrap()[0];
    assert_eq!(
        parse_multipart(req),
        vec![
            FormPart::text("image_url", "https://files.example.com/deck.pptx"),
            FormPart::text("format", "xlsx"),
        ]
    );
}

#[tokio::test]
async fn poll_reports_progress_then_the_document() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{TASKS_PATH}/{TASK_ID}")))
        .respond_with(Sequence::new(vec![
            json(200, fixture!("responses/query-queued.json")),
            json(200, fixture!("responses/query-processing.json")),
            json(
                200,
                &on_server(fixture!("responses/query-succeeded-txt.json"), &server),
            ),
        ]))
        .expect(3)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/ocr/{TASK_ID}.txt")))
        .respond_with(ResponseTemplate::new(200).set_body_string(fixture!("responses/result.txt")))
        .expect(1)
        .mount(&server)
        .await;
    // A job restored from storage by a later process.
    let job: Job = serde_json::from_str(&format!(
        r#"{{"provider":"picwish","task_id":"{TASK_ID}","created_at":{NOW},"meta":{{"format":"txt"}}}}"#
    ))
    .unwrap();
    let client = client(&server);

    match client.poll(&job).await.unwrap() {
        JobStatus::Pending(p) => {
            assert_eq!(p.percent, Some(0));
            assert_eq!(p.state.as_deref(), Some("queued"));
        }
        other => panic!("{other:?}"),
    }
    match client.poll(&job).await.unwrap() {
        JobStatus::Pending(p) => {
            assert_eq!(p.percent, Some(40));
            assert_eq!(p.state.as_deref(), Some("processing"));
        }
        other => panic!("{other:?}"),
    }
    match client.poll(&job).await.unwrap() {
        JobStatus::Done(doc) => {
            assert_eq!(doc.lines().count(), 4);
            assert_eq!(doc.lines().next().unwrap().text, "INVOICE No. 2024-0611");
            assert_eq!(
                doc.native::<TaskInfo>().unwrap().completed_at_unix(),
                Some(COMPLETED_TXT)
            );
            // A txt result of a document not known to be one image has no page boundaries.
            assert_eq!(doc.page_boundaries, PageBoundaries::Unknown);
            assert!(doc.files.is_empty());
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_txt_result_of_an_image_is_its_page_and_is_kept_as_a_file_when_asked() {
    let server = server_accepting_create().await;
    Mock::given(method("GET"))
        .and(path(format!("{TASKS_PATH}/{TASK_ID}")))
        .respond_with(json(
            200,
            &on_server(fixture!("responses/query-succeeded-txt.json"), &server),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/ocr/{TASK_ID}.txt")))
        .respond_with(ResponseTemplate::new(200).set_body_string(fixture!("responses/result.txt")))
        .expect(1)
        .mount(&server)
        .await;
    let request = Request::from_bytes(png(100, 100), Some("scan.png"))
        .with_output(OutputKind::Text)
        .with_output(OutputKind::Files);

    let doc = client(&server).recognize(&request).await.unwrap();

    assert_eq!(doc.page_boundaries, PageBoundaries::Known);
    assert_eq!(doc.lines().count(), 4);
    assert_eq!(doc.files.len(), 1);
    let file = &doc.files[0];
    assert_eq!(file.name, format!("{TASK_ID}.txt"));
    assert_eq!(
        file.media_type.as_deref(),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(file.data.as_deref(), Some(doc.text().as_bytes()));
}

#[tokio::test]
async fn recognize_runs_the_whole_flow_through_the_trait_object() {
    let server = server_accepting_create().await;
    Mock::given(method("GET"))
        .and(path(format!("{TASKS_PATH}/{TASK_ID}")))
        .respond_with(Sequence::new(vec![
            json(200, fixture!("responses/query-processing.json")),
            json(
                200,
                &on_server(fixture!("responses/query-succeeded-docx.json"), &server),
            ),
        ]))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/ocr/{TASK_ID}.docx")))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(b"PK\x03\x04docx".to_vec()))
        .expect(1)
        .mount(&server)
        .await;
    let provider: Arc<dyn OcrProvider> = Arc::new(client(&server));
    let request = Request::from_bytes(png(100, 100), Some("scan.png")).with_result_format("docx");

    let doc = provider.recognize(&request).await.unwrap();

    assert_eq!(doc.provider, "picwish");
    assert_eq!(doc.files.len(), 1);
    assert_eq!(doc.files[0].data.as_deref(), Some(&b"PK\x03\x04docx"[..]));
}

#[tokio::test]
async fn poll_refuses_jobs_it_cannot_have_made() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let client = client(&server);
    let foreign = Job::new("lkeap", TASK_ID, NOW);
    let err = client.poll(&foreign).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(err.field(), Some("job"));
    let odd = Job::new("picwish", TASK_ID, NOW).with_meta("format", "rtf");
    let err = client.poll(&odd).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(err.field(), Some("job"));
}

#[test]
fn capabilities_match_the_documented_limits() {
    let server_less = picwish::PicWish::builder().api_key(KEY).build().unwrap();
    let caps = server_less.capabilities();
    let rows = table_rows(fixture!("seed/limits.md"));
    let row = &rows[0];
    // Source formats: jpeg and jpg are one format.
    let mut documented: Vec<Format> = row[0]
        .split(", ")
        .map(|ext| Format::from_extension(ext).unwrap())
        .collect();
    documented.dedup();
    let mut ours = caps.input.formats.clone();
    let key = |f: &Format| f.extension();
    documented.sort_by_key(key);
    ours.sort_by_key(key);
    assert_eq!(ours, documented);
    // Output formats.
    let mut outputs: Vec<&str> = row[1].split(", ").collect();
    let mut result_formats: Vec<&str> = ResultFormat::ALL.iter().map(|f| f.as_str()).collect();
    outputs.sort_unstable();
    result_formats.sort_unstable();
    assert_eq!(result_formats, outputs);
    // Resolution and size.
    assert_eq!(row[2], "Image files up to 32512 x 32512");
    assert_eq!(caps.input.max_side, Some(32_512));
    assert_eq!(row[3], "Up to 200 MB");
    assert_eq!(caps.input.max_bytes, 200 * 1024 * 1024);
    assert_eq!(caps.input.url_ports, Some(vec![80, 443]));
    assert!(caps.asynchronous);
    assert!(caps.produces(OutputKind::Text) && caps.produces(OutputKind::Files));
    assert_eq!(server_less.id(), "picwish");
    assert_eq!(
        server_less.poll_policy(),
        ocr_core::PollPolicy::fixed(
            std::time::Duration::from_secs(1),
            std::time::Duration::from_secs(120)
        )
    );
}

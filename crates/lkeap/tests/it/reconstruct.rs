//! The parse flow through the public API against wiremock: exact requests, the seed's two
//! examples, create → Processing → Success → zip → Document, expired URLs, jobs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use lkeap::prelude::*;
use lkeap::{
    CreateReconstructDocumentFlowConfig, CreateReconstructDocumentFlowRequest, EntryKind, FileType,
    Lkeap, ReconstructResult, ResultType, Site, TableResultType, TaskStatus,
};
use ocr_core::{ErrorKind, Job, JobStatus, OcrProvider, Request};
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const GET: &str = "GetReconstructDocumentResult";
const CREATE: &str = "CreateReconstructDocumentFlow";
const SPEC_CREATE_REQUEST: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/lkeap/spec/create_reconstruct_document_flow.request.json"
));
const SPEC_CREATE_RESPONSE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/lkeap/spec/create_reconstruct_document_flow.response.json"
));

#[tokio::test]
async fn create_sends_the_exact_signed_request_and_returns_the_task_id() {
    let server = MockServer::start().await;
    action(CREATE)
        .respond_with(raw_json(SPEC_CREATE_RESPONSE))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let created = client
        .create_reconstruct_document_flow(&CreateReconstructDocumentFlowRequest::from_url(
            FileType::Pdf,
            "http://example.com/example.pdf",
        ))
        .await
        .unwrap();
    assert_eq!(created.task_id, "123123123");
    assert_eq!(created.request_id, "1d569fb4-0000-4000-8000-000000000001");

    let reqs = requests_for(&server, CREATE).await;
    assert_signed(&reqs[0], &server, CREATE, "ap-guangzhou");
    assert_eq!(reqs[0].body, SPEC_CREATE_REQUEST.trim().as_bytes());
}

#[tokio::test]
async fn create_sends_every_config_option_with_string_enums() {
    let server = MockServer::start().await;
    action(CREATE)
        .respond_with(envelope(json!({"TaskId": "t-9", "RequestId": "r"})))
        .mount(&server)
        .await;
    let mut config = CreateReconstructDocumentFlowConfig::default()
        .with_table_result_type(TableResultType::Html)
        .with_result_type(ResultType::MarkdownAndPageJson)
        .with_ignore_failed_page(false)
        .with_page_format("<p>{{p}}</p>");
    config.return_page_format = Some(true);
    let req = CreateReconstructDocumentFlowRequest::from_url(
        FileType::Docx,
        "https://bucket.cos.example.com/a.docx",
    )
    .with_pages(2, 4)
    .with_config(config);
    client(&server)
        .create_reconstruct_document_flow(&req)
        .await
        .unwrap();
    let body = &requests_for(&server, CREATE).await[0].body;
    assert_eq!(
        std::str::from_utf8(body).unwrap(),
        r#"{"FileType":"DOCX","FileUrl":"https://bucket.cos.example.com/a.docx","FileStartPageNumber":2,"FileEndPageNumber":4,"Config":{"TableResultType":"1","ResultType":"3","IgnoreFailedPage":false,"ReturnPageFormat":true,"PageFormat":"<p>{{p}}</p>"}}"#
    );
}

#[tokio::test]
async fn seed_success_example_is_parsed_field_by_field() {
    let server = MockServer::start().await;
    action(GET)
        .respond_with(raw_json(SEED_SUCCESS_RESPONSE))
        .expect(1)
        .mount(&server)
        .await;
    let r = client(&server)
        .get_reconstruct_document_result("123123123")
        .await
        .unwrap();
    let reqs = requests_for(&server, GET).await;
    assert_signed(&reqs[0], &server, GET, "ap-guangzhou");
    let sent: Value = serde_json::from_slice(&reqs[0].body).unwrap();
    let seed: Value = serde_json::from_str(SEED_SUCCESS_REQUEST).unwrap();
    assert_eq!(sent, seed);
    assert_eq!(reqs[0].body, br#"{"TaskId":"123123123"}"#);

    let seed_body: Value = serde_json::from_str(SEED_SUCCESS_RESPONSE).unwrap();
    assert_eq!(r.status, Some(TaskStatus::Success));
    let url = r.result_url().unwrap();
    assert_eq!(
        url.expose(),
        seed_body["Response"]["DocumentRecognizeResultUrl"]
            .as_str()
            .unwrap()
    );
    assert_eq!(url.expires_at(), Some(1_718_804_311));
    assert_eq!(r.failed_pages, Some(vec![]));
    assert_eq!(r.usage, None);
    assert_eq!(r.error, None);
    assert_eq!(r.request_id, "a37b0d0b-c3af-44bd-iuiu-632442644a80");
    let shown = format!("{r:?}");
    assert!(!shown.contains("q-signature"), "{shown}");
    assert!(!shown.contains("AKIDlWFa"), "{shown}");
}

#[tokio::test]
async fn seed_failed_example_surfaces_the_task_error() {
    let server = MockServer::start().await;
    action(GET)
        .respond_with(raw_json(SEED_FAILED_RESPONSE))
        .mount(&server)
        .await;
    let client = client(&server);

    // Typed API: a successful call reporting a failed task.
    let r = client
        .get_reconstruct_document_result("25adcef61750343903609")
        .await
        .unwrap();
    assert_eq!(r.status, Some(TaskStatus::Failed));
    let e = r.error.clone().unwrap();
    assert_eq!(e.code.as_deref(), Some("InvalidParameter.FileURLInvalid"));
    assert_eq!(e.message.as_deref(), Some("url download failed"));
    assert_eq!(r.request_id, "a37b0d0b-c3af-44bd-iuiu-632442644a80");
    let sent: Value = serde_json::from_slice(&requests_for(&server, GET).await[0].body).unwrap();
    assert_eq!(
        sent,
        serde_json::from_str::<Value>(SEED_FAILED_REQUEST).unwrap()
    );

    // Provider: poll → Failed(TaskFailed) with code, message and request id.
    let job = Job::new("lkeap", "25adcef61750343903609", NOW);
    let JobStatus::Failed(err) = client.poll(&job).await.unwrap() else {
        panic!("expected a failed job");
    };
    assert_eq!(err.kind(), ErrorKind::TaskFailed);
    assert_eq!(err.code(), Some("InvalidParameter.FileURLInvalid"));
    assert_eq!(err.message(), "url download failed");
    assert_eq!(
        err.request_id(),
        Some("a37b0d0b-c3af-44bd-iuiu-632442644a80")
    );
    assert_eq!(
        err.to_string(),
        "lkeap GetReconstructDocumentResult: InvalidParameter.FileURLInvalid: url download failed (request a37b0d0b-c3af-44bd-iuiu-632442644a80)"
    );

    // The wait helper ends with the same error.
    let err = client
        .wait_reconstruct_document("25adcef61750343903609")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TaskFailed);
    assert_eq!(err.code(), Some("InvalidParameter.FileURLInvalid"));
}

#[tokio::test]
async fn call_level_errors_of_the_poll_stay_errors() {
    let server = MockServer::start().await;
    action(GET)
        .respond_with(envelope(json!({
            "Error": {"Code": "AuthFailure.SignatureFailure", "Message": "bad signature"},
            "RequestId": "rid-auth"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .get_reconstruct_document_result("t")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert_eq!(err.code(), Some("AuthFailure.SignatureFailure"));
    assert_eq!(err.request_id(), Some("rid-auth"));
}

#[tokio::test]
async fn a_failed_status_with_its_error_object_is_a_task_failure() {
    // Should the service ever send the failure without tripping the envelope error test
    // (empty code), the status still decides.
    let server = MockServer::start().await;
    action(GET)
        .respond_with(envelope(json!({
            "Status": "Failed", "FailedPages": [{"PageNumber": 2}],
            "Usage": {"PageNumber": 3, "FailPageNum": 1}, "RequestId": "rid-f"
        })))
        .mount(&server)
        .await;
    let client = client(&server);
    let r = client.get_reconstruct_document_result("t").await.unwrap();
    assert_eq!(r.usage.as_ref().unwrap().fail_page_num, Some(1));
    let JobStatus::Failed(err) = client.poll(&Job::new("lkeap", "t", NOW)).await.unwrap() else {
        panic!("expected failure");
    };
    assert_eq!(err.kind(), ErrorKind::TaskFailed);
    assert_eq!(err.request_id(), Some("rid-f"));
}

fn processing(status: &str) -> ResponseTemplate {
    envelope(json!({"Status": status, "FailedPages": [], "RequestId": format!("rid-{status}")}))
}

fn success(url: &str) -> ResponseTemplate {
    envelope(json!({
        "Status": "Success",
        "DocumentRecognizeResultUrl": url,
        "FailedPages": [{"PageNumber": 3}],
        "Usage": {"PageNumber": 3, "TotalTokens": 2048, "SuccessPageNum": 2, "FailPageNum": 1},
        "RequestId": "rid-success"
    }))
}

async fn mount_zip(server: &MockServer, file: &str, zip: Vec<u8>, times: u64) {
    Mock::given(method("GET"))
        .and(path(format!("/doc_parse/output_files/{file}")))
        .respond_with(ResponseTemplate::new(200).set_body_raw(zip, "application/zip"))
        .expect(times)
        .mount(server)
        .await;
}

#[tokio::test]
async fn recognize_runs_create_processing_success_download_to_a_document() {
    let server = MockServer::start().await;
    action(CREATE)
        .respond_with(envelope(
            json!({"TaskId": "task-42", "RequestId": "rid-create"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    for status in ["WaitExecute", "Processing", "Pause"] {
        action(GET)
            .respond_with(processing(status))
            .up_to_n_times(1)
            .mount(&server)
            .await;
    }
    let url = result_url(&server, "task-42.zip", NOW + 1800);
    action(GET).respond_with(success(&url)).mount(&server).await;
    mount_zip(&server, "task-42.zip", sample_archive(), 1).await;

    let client = client(&server);
    let request = Request::from_url("https://bucket.cos.example.com/docs/report.pdf?sign=abc")
        .unwrap()
        .with_pages(ocr_core::PageRange::new(1, 2).unwrap());
    let doc = client.recognize(&request).await.unwrap();

    // The submission: type from the URL, page range, explicit ResultType.
    let create = &requests_for(&server, CREATE).await[0];
    assert_signed(create, &server, CREATE, "ap-guangzhou");
    assert_eq!(
        std::str::from_utf8(&create.body).unwrap(),
        r#"{"FileType":"PDF","FileUrl":"https://bucket.cos.example.com/docs/report.pdf?sign=abc","FileStartPageNumber":1,"FileEndPageNumber":2,"Config":{"ResultType":"5"}}"#
    );
    let polls = requests_for(&server, GET).await;
    assert_eq!(polls.len(), 4, "three pending statuses, then success");
    for p in &polls {
        assert_eq!(p.body, br#"{"TaskId":"task-42"}"#);
    }

    // The document.
    assert_eq!(doc.provider, "lkeap");
    assert_eq!(doc.markdown.as_deref(), Some("# Report\n\nHello world.\n"));
    assert_eq!(doc.pages.len(), 2);
    assert_eq!(doc.pages[0].number, 1);
    assert_eq!(doc.pages[0].markdown.as_deref(), Some("# Report"));
    assert_eq!(doc.pages[1].number, 2);
    assert_eq!(doc.pages[1].markdown.as_deref(), Some("Hello world."));
    assert_eq!(doc.request_ids, vec!["rid-create", "rid-success"]);
    let names: Vec<_> = doc.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        ["json/page_1.json", "json/page_2.json", "images/fig1.png"]
    );
    let image = &doc.files[2];
    assert_eq!(image.media_type.as_deref(), Some("image/png"));
    assert_eq!(image.data.as_deref(), Some(png(40, 30).as_slice()));
    assert_eq!(doc.files[0].media_type.as_deref(), Some("application/json"));
    assert_eq!(doc.text(), "# Report\n\nHello world.\n");

    // The typed result stays reachable.
    let native = doc.native::<ReconstructResult>().unwrap();
    assert_eq!(native.task_id, "task-42");
    let usage = native.response.usage.as_ref().unwrap();
    assert_eq!(usage.total_tokens, Some(2048));
    assert_eq!(usage.success_page_num, Some(2));
    assert_eq!(
        native.response.failed_pages.as_ref().unwrap()[0].page_number,
        Some(3)
    );
    let json = native.archive.page_json().unwrap();
    assert_eq!(json[&2]["page"], 2);
    assert_eq!(
        native.archive.get("images/fig1.png").unwrap().kind(),
        EntryKind::Image
    );
}

#[tokio::test]
async fn submit_returns_a_serialisable_job_a_later_client_can_poll() {
    let server = MockServer::start().await;
    action(CREATE)
        .respond_with(envelope(json!({"TaskId": "task-7", "RequestId": "rid-c7"})))
        .mount(&server)
        .await;
    let url = result_url(&server, "task-7.zip", NOW + 1800);
    action(GET).respond_with(success(&url)).mount(&server).await;
    mount_zip(&server, "task-7.zip", sample_archive(), 1).await;

    // A three-page PDF, whose pages are counted before sending.
    let pdf = ocr_emulator::samples::pdf_with_text(&[&["one"], &["two"], &["three"]]);
    let job = client(&server)
        .submit(&Request::from_bytes(pdf.clone(), Some("scan.pdf")))
        .await
        .unwrap();
    assert_eq!(job.provider, "lkeap");
    assert_eq!(job.task_id, "task-7");
    assert_eq!(job.created_at, NOW);
    assert_eq!(job.expires_at, Some(NOW + 30 * 24 * 3600));
    assert_eq!(job.meta("region"), Some("ap-guangzhou"));
    assert_eq!(job.meta("site"), Some("domestic"));
    assert_eq!(job.meta("request_id"), Some("rid-c7"));
    assert_eq!(job.pages_requested, vec![1, 2, 3]);

    // The local PDF went inline.
    let create: Value =
        serde_json::from_slice(&requests_for(&server, CREATE).await[0].body).unwrap();
    use base64::Engine as _;
    assert_eq!(
        create,
        json!({
            "FileType": "PDF",
            "FileBase64": base64::engine::general_purpose::STANDARD.encode(&pdf),
            "Config": {"ResultType": "5"}
        })
    );

    let saved = serde_json::to_string(&job).unwrap();
    let restored: Job = serde_json::from_str(&saved).unwrap();
    let later = client(&server);
    let JobStatus::Done(doc) = later.poll(&restored).await.unwrap() else {
        panic!("expected a finished job");
    };
    assert_eq!(doc.request_ids, vec!["rid-c7", "rid-success"]);
    assert_eq!(doc.pages.len(), 2);
    // Page 3 is in FailedPages: listed as missing, not dropped.
    assert_eq!(doc.pages_requested, vec![1, 2, 3]);
    assert_eq!(doc.missing.len(), 1);
    assert_eq!(doc.missing[0].page, 3);
    assert_eq!(doc.missing[0].code.as_deref(), Some("FailedPages"));
    assert_eq!(doc.missing[0].request_id.as_deref(), Some("rid-success"));
    assert!(!doc.is_complete());
    assert_eq!(
        requests_for(&server, CREATE).await.len(),
        1,
        "never resubmitted"
    );
}

#[tokio::test]
async fn an_expired_url_is_replaced_by_a_fresh_one() {
    let server = MockServer::start().await;
    let stale = result_url(&server, "stale.zip", NOW - 1);
    let fresh = result_url(&server, "fresh.zip", NOW + 1800);
    action(GET)
        .respond_with(success(&stale))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    action(GET)
        .respond_with(success(&fresh))
        .mount(&server)
        .await;
    mount_zip(&server, "stale.zip", sample_archive(), 0).await;
    mount_zip(&server, "fresh.zip", sample_archive(), 1).await;

    let client = client(&server);
    let first = client.get_reconstruct_document_result("t1").await.unwrap();
    let archive = client
        .download_reconstruct_archive("t1", &first)
        .await
        .unwrap();
    assert_eq!(archive.markdown(), Some("# Report\n\nHello world.\n"));
    assert_eq!(requests_for(&server, GET).await.len(), 2);
}

#[tokio::test]
async fn a_refused_download_asks_once_for_a_fresh_url() {
    let server = MockServer::start().await;
    let gone = result_url(&server, "gone.zip", NOW + 1800);
    let fresh = result_url(&server, "fresh.zip", NOW + 1800);
    action(GET)
        .respond_with(success(&gone))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    action(GET)
        .respond_with(success(&fresh))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/doc_parse/output_files/gone.zip"))
        .respond_with(ResponseTemplate::new(403).set_body_string("<Error>AccessDenied</Error>"))
        .expect(1)
        .mount(&server)
        .await;
    mount_zip(&server, "fresh.zip", sample_archive(), 1).await;

    let client = client(&server);
    let doc = client.poll(&Job::new("lkeap", "t2", NOW)).await.unwrap();
    let JobStatus::Done(doc) = doc else {
        panic!("expected done")
    };
    assert_eq!(doc.pages.len(), 2);
    assert_eq!(requests_for(&server, GET).await.len(), 2);
}

#[tokio::test]
async fn a_url_that_stays_expired_is_a_result_expired_error() {
    let server = MockServer::start().await;
    let gone = result_url(&server, "gone.zip", NOW + 1800);
    action(GET)
        .respond_with(success(&gone))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/doc_parse/output_files/gone.zip"))
        .respond_with(ResponseTemplate::new(404))
        .expect(2)
        .mount(&server)
        .await;
    let client = client(&server);
    let first = client.get_reconstruct_document_result("t3").await.unwrap();
    let err = client
        .download_reconstruct_archive("t3", &first)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ResultExpired);
    assert_eq!(err.http_status(), Some(404));
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("placeholder-signature"), "{shown}");
    assert!(
        shown.contains("/doc_parse/output_files/gone.zip?<redacted>"),
        "{shown}"
    );
}

#[tokio::test]
async fn extract_writes_the_archive_under_the_directory() {
    let server = MockServer::start().await;
    let url = result_url(&server, "x.zip", NOW + 1800);
    action(GET).respond_with(success(&url)).mount(&server).await;
    mount_zip(&server, "x.zip", sample_archive(), 1).await;
    let client = client(&server);
    let done = client.wait_reconstruct_document("t4").await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let written = client
        .extract_reconstruct_archive("t4", &done, dir.path())
        .await
        .unwrap();
    assert_eq!(written.len(), 6);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("pages/page_2.md")).unwrap(),
        "Hello world."
    );
    assert_eq!(
        std::fs::read(dir.path().join("images/fig1.png")).unwrap(),
        png(40, 30)
    );
}

#[tokio::test]
async fn wait_times_out_naming_the_task_and_its_state() {
    let server = MockServer::start().await;
    action(GET)
        .respond_with(processing("Pause"))
        .mount(&server)
        .await;
    let client = builder(&server)
        .poll_policy(ocr_core::PollPolicy::fixed(
            std::time::Duration::from_millis(10),
            std::time::Duration::from_millis(60),
        ))
        .build()
        .unwrap();
    let err = client
        .wait_reconstruct_document("t-slow")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(err.message().contains("t-slow"), "{err}");
    assert!(err.message().contains("Pause"), "{err}");
}

#[tokio::test]
async fn international_site_uses_jakarta_and_its_default_config() {
    let server = MockServer::start().await;
    action(CREATE)
        .respond_with(envelope(json!({"TaskId": "t", "RequestId": "r"})))
        .mount(&server)
        .await;
    let client = builder(&server).site(Site::International).build().unwrap();
    let job = client
        .submit(&Request::from_url("https://example.com/a.pptx").unwrap())
        .await
        .unwrap();
    let r = &requests_for(&server, CREATE).await[0];
    assert_signed(r, &server, CREATE, "ap-jakarta");
    assert_eq!(
        std::str::from_utf8(&r.body).unwrap(),
        r#"{"FileType":"PPTX","FileUrl":"https://example.com/a.pptx","Config":{"ResultType":"4"}}"#
    );
    assert_eq!(job.meta("site"), Some("intl"));
    assert_eq!(job.meta("region"), Some("ap-jakarta"));

    // A job saved under the former name of the site is still this client's.
    action(GET)
        .respond_with(processing("Processing"))
        .expect(1)
        .mount(&server)
        .await;
    let old = Job::new("lkeap", "t", NOW)
        .with_meta("site", "international")
        .with_meta("region", "ap-jakarta");
    assert!(matches!(
        client.poll(&old).await.unwrap(),
        JobStatus::Pending(_)
    ));
}

#[tokio::test]
async fn default_hosts_per_site() {
    let cred = tc_signing::Credential::new(SECRET_ID, SECRET_KEY);
    let dom = Lkeap::builder()
        .site(Site::Domestic)
        .credential(cred.clone())
        .build()
        .unwrap();
    assert_eq!(
        dom.api().endpoint_url().as_str(),
        "https://lkeap.tencentcloudapi.com/"
    );
    assert_eq!(
        dom.sse_api().endpoint_url().as_str(),
        "https://lkeap.tencentcloudapi.com/"
    );
    assert_eq!(dom.region(), "ap-guangzhou");
    let intl = Lkeap::builder()
        .site(Site::International)
        .credential(cred)
        .build()
        .unwrap();
    assert_eq!(
        intl.api().endpoint_url().as_str(),
        "https://lkeap.intl.tencentcloudapi.com/"
    );
    assert_eq!(
        intl.sse_api().endpoint_url().as_str(),
        "https://lkeap.ai.intl.tencentcloudapi.com/"
    );
    assert_eq!(intl.region(), "ap-jakarta");
    assert_eq!(intl.api().region(), Some("ap-jakarta"));
    // The international site is the default.
    let default = Lkeap::builder()
        .credential(tc_signing::Credential::new(SECRET_ID, SECRET_KEY))
        .build()
        .unwrap();
    assert_eq!(default.site(), Site::International);
    assert_eq!(
        default.api().endpoint_url().as_str(),
        "https://lkeap.intl.tencentcloudapi.com/"
    );
    assert_eq!(default.region(), "ap-jakarta");
}

#[tokio::test]
async fn trial_accounts_are_limited_to_one_create_per_second() {
    let server = MockServer::start().await;
    action(CREATE)
        .respond_with(envelope(json!({"TaskId": "t", "RequestId": "r"})))
        .expect(2)
        .mount(&server)
        .await;
    let client = builder(&server).trial_account().build().unwrap();
    let req = CreateReconstructDocumentFlowRequest::from_url(FileType::Pdf, "https://e.com/a.pdf");
    let start = std::time::Instant::now();
    client.create_reconstruct_document_flow(&req).await.unwrap();
    client.create_reconstruct_document_flow(&req).await.unwrap();
    assert!(
        start.elapsed() >= std::time::Duration::from_millis(900),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn cancel_and_character_usage_on_the_domestic_site() {
    let server = MockServer::start().await;
    action("CancelTask")
        .respond_with(envelope(json!({"RequestId": "rid-cancel"})))
        .expect(1)
        .mount(&server)
        .await;
    action("GetCharacterUsage")
        .respond_with(envelope(
            json!({"Used": 1200, "Total": 1000000, "RequestId": "rid-u"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    assert_eq!(
        client.cancel_task("t-1").await.unwrap().request_id,
        "rid-cancel"
    );
    let usage = client.get_character_usage().await.unwrap();
    assert_eq!((usage.used, usage.total), (Some(1200), Some(1_000_000)));
    let cancel = &requests_for(&server, "CancelTask").await[0];
    assert_signed(cancel, &server, "CancelTask", "ap-guangzhou");
    assert_eq!(cancel.body, br#"{"TaskId":"t-1"}"#);
    assert_eq!(
        requests_for(&server, "GetCharacterUsage").await[0].body,
        b"{}"
    );
}

#[tokio::test]
async fn missing_credentials_are_a_config_error() {
    let err = Lkeap::builder().build().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(err.message().contains("TENCENTCLOUD_SECRET_ID"), "{err}");
}

#[tokio::test]
async fn capabilities_describe_the_parse_flow() {
    let server = MockServer::start().await;
    let caps = client(&server).capabilities();
    assert!(caps.asynchronous);
    assert!(caps.produces(ocr_core::OutputKind::Markdown));
    assert!(caps.produces(ocr_core::OutputKind::Files));
    assert_eq!(caps.input.max_bytes, 300 * 1024 * 1024);
    assert!(caps.input.formats.contains(&ocr_core::Format::Pdf));
    assert!(caps.input.formats.contains(&ocr_core::Format::Csv));
    assert_eq!(caps.input.min_side, Some(20));
    assert_eq!(caps.input.max_side, Some(10_000));
    let intl = builder(&server).site(Site::International).build().unwrap();
    assert_eq!(intl.capabilities().input.max_bytes, 200 * 1024 * 1024);
    assert_eq!(client(&server).id(), "lkeap");
}

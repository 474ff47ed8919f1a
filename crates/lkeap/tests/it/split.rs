//! The split flow: exact request, polling, and the JSONL chunks of its archive.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use lkeap::{
    CreateSplitDocumentFlowConfig, CreateSplitDocumentFlowRequest, FileType, ResultType,
    TableResultType, TaskStatus,
};
use ocr_core::ErrorKind;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const CREATE: &str = "CreateSplitDocumentFlow";
const GET: &str = "GetSplitDocumentResult";
const SPEC_REQUEST: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/lkeap/spec/create_split_document_flow.request.json"
));

#[tokio::test]
async fn create_sends_the_documented_example_exactly() {
    let server = MockServer::start().await;
    action(CREATE)
        .respond_with(envelope(json!({"TaskId": "split-1", "RequestId": "rid-s"})))
        .expect(1)
        .mount(&server)
        .await;
    let req = CreateSplitDocumentFlowRequest::new(FileType::Pdf, "https://example.com/example.pdf")
        .with_file_name("example.pdf")
        .with_pages(1, 2)
        .with_config(CreateSplitDocumentFlowConfig::default().with_enable_mllm(true));
    let created = client(&server)
        .create_split_document_flow(&req)
        .await
        .unwrap();
    assert_eq!(created.task_id, "split-1");
    assert_eq!(created.request_id, "rid-s");
    let r = &requests_for(&server, CREATE).await[0];
    assert_signed(r, &server, CREATE, "ap-guangzhou");
    assert_eq!(r.body, SPEC_REQUEST.trim().as_bytes());
}

#[tokio::test]
async fn every_split_option_is_sent_with_its_wire_name() {
    let server = MockServer::start().await;
    action(CREATE)
        .respond_with(envelope(json!({"TaskId": "split-2", "RequestId": "r"})))
        .mount(&server)
        .await;
    let mut config = CreateSplitDocumentFlowConfig::default()
        .with_enable_mllm(false)
        .with_max_chunk_size(4800)
        .with_ignore_failed_page(true)
        .with_split_result_type(ResultType::MarkdownAndPageMarkdown)
        .with_split_table_result_type(TableResultType::Html)
        .with_page_format("--{{p}}--");
    config.table_result_type = Some(TableResultType::Markdown);
    config.result_type = Some(ResultType::Markdown);
    let req = CreateSplitDocumentFlowRequest::new(FileType::Docx, "https://e.com/a.docx")
        .with_config(config);
    client(&server)
        .create_split_document_flow(&req)
        .await
        .unwrap();
    assert_eq!(
        std::str::from_utf8(&requests_for(&server, CREATE).await[0].body).unwrap(),
        r#"{"FileType":"DOCX","FileUrl":"https://e.com/a.docx","Config":{"TableResultType":"0","ResultType":"0","EnableMllm":false,"MaxChunkSize":4800,"IgnoreFailedPage":true,"SplitResultType":"4","SplitTableResultType":"1","ReturnPageFormat":true,"PageFormat":"--{{p}}--"}}"#
    );
}

#[tokio::test]
async fn wait_download_and_read_the_chunks() {
    let server = MockServer::start().await;
    action(GET)
        .respond_with(envelope(
            json!({"Status": "WaitExecute", "RequestId": "r0"}),
        ))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    let url = result_url(&server, "split.zip", NOW + 1800);
    action(GET)
        .respond_with(envelope(json!({
            "Status": "Success", "DocumentRecognizeResultUrl": url,
            "Usage": {"PageNumber": 2, "SplitTokens": 120, "MllmTokens": 40},
            "RequestId": "r1"
        })))
        .mount(&server)
        .await;
    let jsonl = concat!(
        r#"{"page_content":"Intro [image1]","org_data":"Intro paragraph.","big_data":"Intro section."}"#,
        "\n",
        r#"{"page_content":"Results","org_data":"Results table","big_data":"Results section","chunk_id":2}"#,
        "\n"
    );
    let zip = zip_of(&[
        ("doc.md", b"# Doc"),
        ("doc.jsonl", jsonl.as_bytes()),
        ("doc_mllm.json", br#"{"image1":"a chart"}"#),
        ("images/image1.png", &png(30, 30)),
    ]);
    Mock::given(method("GET"))
        .and(path("/doc_parse/output_files/split.zip"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(zip, "application/zip"))
        .expect(1)
        .mount(&server)
        .await;

    let client = client(&server);
    let done = client.wait_split_document("split-3").await.unwrap();
    assert_eq!(done.status, Some(TaskStatus::Success));
    assert_eq!(done.usage.as_ref().unwrap().split_tokens, Some(120));
    let polls = requests_for(&server, GET).await;
    assert_eq!(polls.len(), 2);
    assert_signed(&polls[0], &server, GET, "ap-guangzhou");
    assert_eq!(polls[0].body, br#"{"TaskId":"split-3"}"#);

    let archive = client
        .download_split_archive("split-3", &done)
        .await
        .unwrap();
    let chunks = archive.split_chunks().unwrap();
    assert_eq!(chunks.len(), 2);
    assert_eq!(chunks[0].page_content.as_deref(), Some("Intro [image1]"));
    assert_eq!(chunks[0].org_data.as_deref(), Some("Intro paragraph."));
    assert_eq!(chunks[0].big_data.as_deref(), Some("Intro section."));
    assert_eq!(chunks[1].extra["chunk_id"], 2);
    assert_eq!(archive.markdown(), Some("# Doc"));
    assert_eq!(
        archive.get("doc_mllm.json").unwrap().kind(),
        lkeap::EntryKind::Json
    );
    assert_eq!(archive.images().count(), 1);
}

#[tokio::test]
async fn a_failed_split_task_is_a_task_failure() {
    let server = MockServer::start().await;
    action(GET)
        .respond_with(envelope(json!({
            "Status": "Failed",
            "Error": {"Code": "FailedOperation.FileParseTimeout", "Message": "file parse timeout"},
            "RequestId": "rid-split-failed"
        })))
        .mount(&server)
        .await;
    let client = client(&server);
    let r = client.get_split_document_result("s").await.unwrap();
    assert_eq!(r.status, Some(TaskStatus::Failed));
    assert_eq!(
        r.error.as_ref().unwrap().code.as_deref(),
        Some("FailedOperation.FileParseTimeout")
    );
    let err = client.wait_split_document("s").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TaskFailed);
    assert_eq!(err.message(), "file parse timeout");
    assert_eq!(err.request_id(), Some("rid-split-failed"));
}

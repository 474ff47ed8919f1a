//! `ReconstructDocumentSSE`: recorded event streams replayed through the client, including the
//! final `TASK_RSP` / `"2"` event, errors before and during the stream, and the separate host.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::time::Duration;

use common::*;
use futures_util::StreamExt;
use lkeap::{
    FileType, MarkdownImageResponseType, ReconstructDocumentSseConfig,
    ReconstructDocumentSseRequest, ReconstructDocumentStream, ResponseType, ResultType,
    TableResultType,
};
use ocr_core::ErrorKind;
use serde_json::json;
use tc_api::Endpoint;
use wiremock::{MockServer, ResponseTemplate};

const SSE: &str = "ReconstructDocumentSSE";
const NAMED: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/lkeap/sse/reconstruct_document_sse.named.txt"
));
const NUMERIC: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/lkeap/sse/reconstruct_document_sse.numeric.txt"
));

fn event_stream(body: &str) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("x-tc-requestid", "rid-sse-1")
        .set_body_raw(body.as_bytes().to_vec(), "text/event-stream")
}

fn request() -> ReconstructDocumentSseRequest {
    ReconstructDocumentSseRequest::from_url(FileType::Pdf, "https://e.com/a.pdf")
}

#[tokio::test]
async fn recorded_stream_is_parsed_into_typed_events_ending_in_the_result() {
    let server = MockServer::start().await;
    action(SSE)
        .respond_with(event_stream(NAMED))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let req = request().with_pages(1, 3).with_config(
        ReconstructDocumentSseConfig::default()
            .with_table_result_type(TableResultType::Markdown)
            .with_markdown_image_response_type(MarkdownImageResponseType::TextOnly)
            .with_result_type(ResultType::MarkdownAndPageJson)
            .with_ignore_failed_page(true)
            .with_page_format("[{{p}}]"),
    );
    let stream = client.reconstruct_document_sse(&req).await.unwrap();
    assert_eq!(stream.request_id(), Some("rid-sse-1"));
    let events: Vec<_> = stream.collect().await;
    let events: Vec<_> = events.into_iter().map(Result::unwrap).collect();

    let r = &requests_for(&server, SSE).await[0];
    assert_signed(r, &server, SSE, "ap-guangzhou");
    assert_eq!(
        std::str::from_utf8(&r.body).unwrap(),
        r#"{"FileType":"PDF","FileUrl":"https://e.com/a.pdf","FileStartPageNumber":1,"FileEndPageNumber":3,"Config":{"TableResultType":"0","MarkdownImageResponseType":"1","ReturnPageFormat":true,"PageFormat":"[{{p}}]","IgnoreFailedPage":true,"ResultType":"3"}}"#
    );

    assert_eq!(events.len(), 3);
    let percents: Vec<_> = events.iter().map(|e| e.percent()).collect();
    assert_eq!(percents, [Some(0), Some(50), Some(100)]);
    assert_eq!(events[0].progress_message.as_deref(), Some("开始文档解析"));
    assert_eq!(events[0].response_type, Some(ResponseType::Progress));
    assert!(events[0].result_url().is_none());
    assert_eq!(
        events[1].success_page_num,
        Some(1),
        "multi-line data joined"
    );
    let last = &events[2];
    assert!(last.is_final());
    assert_eq!(last.response_type, Some(ResponseType::TaskResponse));
    assert_eq!(last.task_id.as_deref(), Some("sse-task-0001"));
    assert_eq!(last.progress_message.as_deref(), Some("完成文档解析"));
    assert_eq!(last.fail_page_num, Some(1));
    assert_eq!(last.success_page_num, Some(2));
    assert_eq!(last.failed_pages.as_ref().unwrap()[0].page_number, Some(3));
    let url = last.result_url().unwrap();
    assert!(url
        .expose()
        .contains("/doc_parse/output_files/sse-example.zip?"));
    assert_eq!(url.expires_at(), Some(1_718_804_311));
}

#[tokio::test]
async fn numeric_response_types_with_crlf_split_into_single_bytes() {
    let chunks: Vec<ocr_core::Result<Vec<u8>>> = NUMERIC.bytes().map(|b| Ok(vec![b])).collect();
    let stream = ReconstructDocumentStream::from_chunks(
        futures_util::stream::iter(chunks),
        Some("rid-replay".into()),
        Duration::from_secs(5),
    );
    let last = stream.final_event().await.unwrap();
    assert_eq!(last.response_type, Some(ResponseType::TaskResponse));
    assert_eq!(last.task_id.as_deref(), Some("sse-task-0002"));
    assert_eq!(last.percent(), Some(100));
    assert_eq!(last.failed_pages, Some(vec![]));
}

#[tokio::test]
async fn the_stream_stops_after_the_final_event() {
    let body = format!("{NAMED}data: {{\"ResponseType\":\"PROGRESS\",\"Progress\":\"1\"}}\n\n");
    let chunks = vec![Ok::<_, ocr_core::Error>(body.into_bytes())];
    let events: Vec<_> = ReconstructDocumentStream::from_chunks(
        futures_util::stream::iter(chunks),
        None,
        Duration::from_secs(5),
    )
    .collect()
    .await;
    assert_eq!(events.len(), 3);
    assert!(events[2].as_ref().unwrap().is_final());
}

#[tokio::test]
async fn an_error_before_the_stream_is_the_api_error() {
    let server = MockServer::start().await;
    action(SSE)
        .respond_with(envelope(json!({
            "Error": {"Code": "LimitExceeded.TooLargeFileError", "Message": "file too large"},
            "RequestId": "rid-err"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .reconstruct_document_sse(&request())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("LimitExceeded.TooLargeFileError"));
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(err.request_id(), Some("rid-err"));
}

#[tokio::test]
async fn an_error_inside_the_stream_ends_it() {
    let server = MockServer::start().await;
    let body = "data: {\"TaskId\":\"t\",\"ResponseType\":\"PROGRESS\",\"Progress\":\"5\"}\n\n\
                data: {\"Response\":{\"Error\":{\"Code\":\"FailedOperation.OcrFailed\",\"Message\":\"ocr failed\"}}}\n\n";
    action(SSE)
        .respond_with(event_stream(body))
        .mount(&server)
        .await;
    let mut stream = client(&server)
        .reconstruct_document_sse(&request())
        .await
        .unwrap();
    assert_eq!(stream.next().await.unwrap().unwrap().percent(), Some(5));
    let err = stream.next().await.unwrap().unwrap_err();
    assert_eq!(err.code(), Some("FailedOperation.OcrFailed"));
    assert_eq!(
        err.request_id(),
        Some("rid-sse-1"),
        "the header's request id"
    );
    assert!(stream.next().await.is_none());
}

#[tokio::test]
async fn a_stream_cut_before_the_result_is_an_error() {
    let server = MockServer::start().await;
    let body = "data: {\"TaskId\":\"t\",\"ResponseType\":\"1\",\"Progress\":\"5\"}\n\n";
    action(SSE)
        .respond_with(event_stream(body))
        .mount(&server)
        .await;
    let stream = client(&server)
        .reconstruct_document_sse(&request())
        .await
        .unwrap();
    let err = stream.final_event().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert!(err.message().contains("before the final result"), "{err}");
}

#[tokio::test]
async fn a_silent_stream_times_out() {
    let chunks = futures_util::stream::pending::<ocr_core::Result<Vec<u8>>>();
    let stream = ReconstructDocumentStream::from_chunks(chunks, None, Duration::from_millis(20));
    let err = stream.final_event().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
}

#[tokio::test]
async fn the_streaming_action_goes_to_its_own_host() {
    let api = MockServer::start().await;
    let sse = MockServer::start().await;
    action(SSE)
        .respond_with(event_stream(NAMED))
        .expect(1)
        .mount(&sse)
        .await;
    let client = builder(&api)
        .sse_endpoint(Endpoint::custom(&sse.uri()).unwrap())
        .build()
        .unwrap();
    let last = client
        .reconstruct_document_sse(&request())
        .await
        .unwrap()
        .final_event()
        .await
        .unwrap();
    assert!(last.is_final());
    assert!(api.received_requests().await.unwrap().is_empty());
    assert_signed(&requests_for(&sse, SSE).await[0], &sse, SSE, "ap-guangzhou");
}

//! wait: queued → processing → done → download, result formats, failures with their codes and
//! meanings, the deadline, and the one-hour validity of the result file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::error::Error as _;
use std::time::Duration;

use common::*;
use ocr_core::{ErrorKind, Job, JobStatus, OcrProvider};
use picwish::{ResultFormat, TaskFailure, TaskInfo, TaskState};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TXT_PATH: &str = "/ocr/8c2f3a4e-6b1d-4f0a-9e57-2d8b7c1a9f30.txt";
const DOCX_PATH: &str = "/ocr/8c2f3a4e-6b1d-4f0a-9e57-2d8b7c1a9f30.docx";

/// Mounts the three query answers in turn (queued, processing, `done`) on `api`.
async fn mount_lifecycle(api: &MockServer, done: String) {
    Mock::given(method("GET"))
        .and(path(format!("{TASKS_PATH}/{TASK_ID}")))
        .respond_with(Sequence::new(vec![
            json(200, fixture!("responses/query-queued.json")),
            json(200, fixture!("responses/query-processing.json")),
            json(200, &done),
        ]))
        .expect(3)
        .mount(api)
        .await;
}

#[tokio::test]
async fn queued_then_processing_then_done_downloads_the_txt_into_lines() {
    let api = MockServer::start().await;
    let results = MockServer::start().await;
    mount_lifecycle(
        &api,
        on_server(fixture!("responses/query-succeeded-txt.json"), &results),
    )
    .await;
    Mock::given(method("GET"))
        .and(path(TXT_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(fixture!("responses/result.txt").as_bytes(), "text/plain"),
        )
        .expect(1)
        .mount(&results)
        .await;

    let doc = client(&api)
        .wait(TASK_ID, Some(ResultFormat::Txt))
        .await
        .unwrap();

    assert_eq!(doc.provider, "picwish");
    assert_eq!(doc.pages.len(), 1);
    assert_eq!(doc.pages[0].number, 1);
    let lines: Vec<&str> = doc.lines().map(|l| l.text.as_str()).collect();
    assert_eq!(
        lines,
        [
            "INVOICE No. 2024-0611",
            "Date: 2024-06-11",
            "",
            "Total: 1,234.00 USD"
        ]
    );
    assert_eq!(
        doc.text(),
        "INVOICE No. 2024-0611\nDate: 2024-06-11\n\nTotal: 1,234.00 USD"
    );
    assert!(doc.files.is_empty());
    let native = doc.native::<TaskInfo>().unwrap();
    assert_eq!(native.state, TaskState::Succeeded);
    assert_eq!(native.task_id.as_deref(), Some(TASK_ID));

    // The result host is not the API: the key is not sent there, and the signed query is.
    let download = &results.received_requests().await.unwrap()[0];
    assert!(download.headers.get("x-api-key").is_none());
    assert_eq!(
        download.url.query(),
        Some("Expires=1718003607&Signature=FAKE-SIGNATURE")
    );
}

#[tokio::test]
async fn a_result_on_the_api_origin_is_fetched_with_the_key() {
    let api = MockServer::start().await;
    mount_lifecycle(
        &api,
        on_server(fixture!("responses/query-succeeded-txt.json"), &api),
    )
    .await;
    Mock::given(method("GET"))
        .and(path(TXT_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_string("one line"))
        .expect(1)
        .mount(&api)
        .await;
    let doc = client(&api).wait(TASK_ID, None).await.unwrap();
    assert_eq!(doc.text(), "one line");
    let requests = api.received_requests().await.unwrap();
    let download = requests.iter().find(|r| r.url.path() == TXT_PATH).unwrap();
    assert_eq!(download.headers.get("x-api-key").unwrap(), KEY);
}

#[tokio::test]
async fn other_formats_become_a_document_artifact() {
    let api = MockServer::start().await;
    mount_lifecycle(
        &api,
        on_server(fixture!("responses/query-succeeded-docx.json"), &api),
    )
    .await;
    let docx = b"PK\x03\x04 word/document.xml (not really)".to_vec();
    Mock::given(method("GET"))
        .and(path(DOCX_PATH))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(docx.clone(), "application/octet-stream"),
        )
        .expect(1)
        .mount(&api)
        .await;

    let doc = client(&api)
        .wait(TASK_ID, Some(ResultFormat::Docx))
        .await
        .unwrap();

    assert!(doc.pages.is_empty());
    assert_eq!(doc.files.len(), 1);
    let file = &doc.files[0];
    assert_eq!(file.name, format!("{TASK_ID}.docx"));
    assert_eq!(
        file.media_type.as_deref(),
        Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    );
    assert_eq!(file.data.as_deref(), Some(&docx[..]));
    assert_eq!(file.expires_at, Some(1_718_000_009 + 3600));
    assert_eq!(file.url, None, "the signed URL is not kept once downloaded");
}

#[tokio::test]
async fn download_alone_returns_the_file() {
    let api = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(TXT_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_string("a\nb\n"))
        .expect(1)
        .mount(&api)
        .await;
    let body = on_server(fixture!("responses/query-succeeded-txt.json"), &api);
    let response: picwish::ApiResponse<TaskInfo> = serde_json::from_str(&body).unwrap();
    let file = client(&api).download(&response.data).await.unwrap();
    assert_eq!(file.name, format!("{TASK_ID}.txt"));
    assert_eq!(file.format, Some(ResultFormat::Txt));
    assert_eq!(file.text().as_deref(), Some("a\nb\n"));
    assert_eq!(file.expires_at, Some(COMPLETED_TXT + 3600));
}

#[tokio::test]
async fn each_negative_state_surfaces_its_code_meaning_and_task_id() {
    let rows = table_rows(fixture!("seed/task-status-codes.md"));
    let failures: Vec<(i64, String)> = rows
        .into_iter()
        .filter(|r| r[0].starts_with('-'))
        .map(|r| (r[0].parse().unwrap(), r[1].clone()))
        .collect();
    assert_eq!(failures.len(), 14);
    let input_codes = [-17, -14, -7, -5, -3];
    for (code, meaning) in failures {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path(format!("{TASKS_PATH}/{TASK_ID}")))
            .respond_with(json(
                200,
                &with_state(fixture!("responses/query-failed.json"), code),
            ))
            .expect(2)
            .mount(&server)
            .await;
        Mock::given(path_regex("^/ocr/"))
            .respond_with(ResponseTemplate::new(200))
            .expect(0)
            .mount(&server)
            .await;
        let client = client(&server);

        let err = client.wait(TASK_ID, None).await.unwrap_err();
        let expected_kind = if input_codes.contains(&code) {
            ErrorKind::InvalidInput
        } else {
            ErrorKind::TaskFailed
        };
        assert_eq!(err.kind(), expected_kind, "{code}");
        assert_eq!(err.code(), Some(code.to_string().as_str()));
        assert_eq!(err.provider(), Some("picwish"));
        assert_eq!(err.operation(), Some("QueryTask"));
        assert!(!err.is_retryable());
        assert_eq!(
            err.message(),
            format!("task {TASK_ID} failed: {meaning} Server said: image decode error")
        );
        assert_eq!(
            err.to_string(),
            format!(
                "picwish QueryTask: {code}: task {TASK_ID} failed: {meaning} Server said: \
                 image decode error"
            )
        );
        let typed = err
            .source()
            .and_then(|s| s.downcast_ref::<TaskFailure>())
            .copied()
            .unwrap();
        assert_eq!(typed.code(), code);
        assert_eq!(typed.meaning(), meaning);

        // The same failure through the provider's poll.
        let job = Job::new("picwish", TASK_ID, NOW);
        match client.poll(&job).await.unwrap() {
            JobStatus::Failed(e) => {
                assert_eq!(e.code(), Some(code.to_string().as_str()));
                assert_eq!(e.kind(), expected_kind);
            }
            other => panic!("{code}: {other:?}"),
        }
        server.verify().await;
    }
}

#[tokio::test]
async fn the_wait_deadline_is_a_timeout_naming_the_task() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(json(200, fixture!("responses/query-processing.json")))
        .mount(&server)
        .await;
    let client = builder(&server)
        .poll_interval(Duration::from_millis(20))
        .wait_deadline(Duration::from_millis(150))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = client.wait(TASK_ID, None).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(err.provider(), Some("picwish"));
    assert!(err.message().contains(TASK_ID), "{err}");
    assert!(err.message().contains("processing, 40%"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(2));
    let polls = server.received_requests().await.unwrap().len();
    assert!((3..=9).contains(&polls), "{polls} polls");
}

#[tokio::test]
async fn an_expired_result_is_refused_without_a_download() {
    let server = MockServer::start().await;
    // By the service's clock the hour has passed, more than a minute ago; the client's own
    // clock (still at NOW) is corrected by the `Date` of the query's answer.
    Mock::given(method("GET"))
        .and(path(format!("{TASKS_PATH}/{TASK_ID}")))
        .respond_with(json_dated(
            200,
            &on_server(fixture!("responses/query-succeeded-txt.json"), &server),
            COMPLETED_TXT + 3600 + 61,
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(TXT_PATH))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let err = client.wait(TASK_ID, None).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ResultExpired);
    assert_eq!(err.operation(), Some("DownloadResult"));
    assert!(err.message().contains(TASK_ID), "{err}");
}

#[tokio::test]
async fn a_missing_result_file_is_expired_and_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{TASKS_PATH}/{TASK_ID}")))
        .respond_with(json(
            200,
            &on_server(fixture!("responses/query-succeeded-txt.json"), &server),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(TXT_PATH))
        .respond_with(ResponseTemplate::new(404).set_body_string("<Error>NoSuchKey</Error>"))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server).wait(TASK_ID, None).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ResultExpired);
    assert_eq!(err.http_status(), Some(404));
    assert!(!err.to_string().contains("FAKE-SIGNATURE"), "{err}");
    assert!(!format!("{err:?}").contains("FAKE-SIGNATURE"), "{err:?}");
}

#[tokio::test]
async fn a_failing_download_is_retried() {
    let server = MockServer::start().await;
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
        .and(path(TXT_PATH))
        .respond_with(Sequence::new(vec![
            ResponseTemplate::new(503),
            ResponseTemplate::new(200).set_body_string("ok"),
        ]))
        .expect(2)
        .mount(&server)
        .await;
    let doc = client(&server).wait(TASK_ID, None).await.unwrap();
    assert_eq!(doc.text(), "ok");
}

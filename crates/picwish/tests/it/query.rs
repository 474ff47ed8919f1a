//! Query task: the exact request, every field parsed, every state code typed, and the HTTP
//! statuses of both API calls mapped to error kinds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use ocr_core::ErrorKind;
use picwish::{CreateTask, PendingState, TaskFailure, TaskState};
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn task_path(id: &str) -> String {
    format!("{TASKS_PATH}/{id}")
}

#[tokio::test]
async fn query_sends_a_get_with_the_key_and_parses_every_field() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(task_path(TASK_ID)))
        .respond_with(json(200, fixture!("responses/query-succeeded-txt.json")))
        .expect(1)
        .mount(&server)
        .await;

    let response = client(&server).query(TASK_ID).await.unwrap();

    let req = &server.received_requests().await.unwrap()[0];
    assert_eq!(req.url.query(), None);
    assert_eq!(req.headers.get("x-api-key").unwrap(), KEY);
    assert!(req.body.is_empty());
    assert_eq!(response.status, 200);
    assert_eq!(response.message.as_deref(), Some("success"));
    let info = response.data;
    assert_eq!(info.task_id.as_deref(), Some(TASK_ID));
    assert_eq!(info.created_at.as_deref(), Some("1718000000"));
    assert_eq!(info.processed_at.as_deref(), Some("1718000001"));
    assert_eq!(info.completed_at.as_deref(), Some("1718000007"));
    assert_eq!(info.created_at_unix(), Some(1_718_000_000));
    assert_eq!(info.processed_at_unix(), Some(1_718_000_001));
    assert_eq!(info.completed_at_unix(), Some(COMPLETED_TXT));
    assert_eq!(info.result_expires_at(), Some(COMPLETED_TXT + 3600));
    assert_eq!(
        info.file.as_deref(),
        Some(
            "https://result.example.com/ocr/8c2f3a4e-6b1d-4f0a-9e57-2d8b7c1a9f30.txt\
             ?Expires=1718003607&Signature=FAKE-SIGNATURE"
        )
    );
    assert_eq!(info.progress, Some(100.0));
    assert_eq!(info.progress_percent(), Some(100));
    assert_eq!(info.state, TaskState::Succeeded);
}

#[tokio::test]
async fn pending_fields_may_be_null() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(json(200, fixture!("responses/query-queued.json")))
        .mount(&server)
        .await;
    let info = client(&server).query(TASK_ID).await.unwrap().data;
    assert_eq!(info.state, TaskState::Pending(PendingState::Queued));
    assert_eq!(info.created_at.as_deref(), Some("1718000000"));
    assert_eq!(info.processed_at, None);
    assert_eq!(info.completed_at, None);
    assert_eq!(info.file, None);
    assert_eq!(info.progress, Some(0.0));
}

#[tokio::test]
async fn loose_types_are_decoded_leniently() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(json(200, fixture!("responses/query-loose-types.json")))
        .mount(&server)
        .await;
    let response = client(&server).query(TASK_ID).await.unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.message, None);
    let info = response.data;
    assert_eq!(info.created_at.as_deref(), Some("1718000000"));
    assert_eq!(info.processed_at_unix(), Some(1_718_000_001));
    assert_eq!(info.completed_at, None);
    assert_eq!(info.file, None);
    assert_eq!(info.progress_percent(), Some(56));
    assert_eq!(info.state, TaskState::Pending(PendingState::LoopProcessing));
}

#[test]
fn field_names_are_the_documented_ones() {
    let documented: Vec<String> = table_rows(fixture!("seed/query-return-parameters.md"))
        .into_iter()
        .map(|row| row[0].clone())
        .collect();
    let body: serde_json::Value =
        serde_json::from_str(fixture!("responses/query-succeeded-txt.json")).unwrap();
    let response: picwish::ApiResponse<picwish::TaskInfo> =
        serde_json::from_value(body.clone()).unwrap();
    // Serialising the parsed response gives back the body (progress is kept as a float).
    let mut back = serde_json::to_value(&response).unwrap();
    assert_eq!(back["data"]["progress"].as_f64(), Some(100.0));
    back["data"]["progress"] = 100.into();
    assert_eq!(back, body);
    let mut ours: Vec<String> = vec!["status".into(), "message".into()];
    ours.extend(
        back["data"]
            .as_object()
            .unwrap()
            .keys()
            .map(|k| format!("data.{k}")),
    );
    let mut documented_sorted = documented.clone();
    documented_sorted.sort();
    ours.sort();
    assert_eq!(ours, documented_sorted);
}

#[tokio::test]
async fn every_documented_state_code_is_typed_with_its_meaning() {
    let rows = table_rows(fixture!("seed/task-status-codes.md"));
    assert_eq!(rows.len(), 21);
    let server = MockServer::start().await;
    for row in &rows {
        let code: i64 = row[0].parse().unwrap();
        Mock::given(method("GET"))
            .and(path(task_path(&format!("task{code}"))))
            .respond_with(json(
                200,
                &with_state(fixture!("responses/query-queued.json"), code),
            ))
            .expect(1)
            .mount(&server)
            .await;
    }
    let client = client(&server);
    for row in &rows {
        let code: i64 = row[0].parse().unwrap();
        let state = client
            .query(&format!("task{code}"))
            .await
            .unwrap()
            .data
            .state;
        assert_eq!(state.code(), code);
        assert_eq!(state.meaning(), row[1], "meaning of {code}");
        match state {
            TaskState::Succeeded => assert_eq!(code, 1),
            TaskState::Pending(p) => {
                assert!(code == 0 || code > 1);
                assert!(!matches!(p, PendingState::Other(_)), "{code} is documented");
            }
            TaskState::Failed(f) => {
                assert!(code < 0);
                assert!(!matches!(f, TaskFailure::Other(_)), "{code} is documented");
                assert!(TaskFailure::DOCUMENTED.contains(&f));
            }
        }
    }
    let failures = rows.iter().filter(|r| r[0].starts_with('-')).count();
    assert_eq!(failures, TaskFailure::DOCUMENTED.len());
}

#[tokio::test]
async fn task_ids_are_sent_as_one_encoded_path_segment() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(json(200, fixture!("responses/query-queued.json")))
        .expect(1)
        .mount(&server)
        .await;
    client(&server).query("a/b c?d").await.unwrap();
    let req = &server.received_requests().await.unwrap()[0];
    assert_eq!(req.url.path(), format!("{TASKS_PATH}/a%2Fb%20c%3Fd"));
    assert_eq!(req.url.query(), None);
}

/// The documented meaning of an HTTP status, from the seed table.
fn documented_meaning(status: u16) -> String {
    table_rows(fixture!("seed/http-status-codes.md"))
        .into_iter()
        .find(|row| row[0] == status.to_string())
        .map(|row| row[1].clone())
        .unwrap()
}

/// Each documented failure status of the query: kind, attempts made, and the error's fields.
#[tokio::test]
async fn query_statuses_map_to_error_kinds() {
    let table = [
        (400, ErrorKind::InvalidInput, 1, true),
        (401, ErrorKind::Auth, 1, true),
        (404, ErrorKind::ResultExpired, 1, false),
        (413, ErrorKind::InvalidInput, 1, true),
        (429, ErrorKind::Throttled, 3, true),
        (500, ErrorKind::Service, 3, true),
    ];
    for (status, kind, attempts, says_documented_meaning) in table {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(json(status, r#"{"status":0,"message":"nope"}"#))
            .expect(attempts)
            .mount(&server)
            .await;
        let err = client(&server).query(TASK_ID).await.unwrap_err();
        assert_eq!(err.kind(), kind, "{status}");
        assert_eq!(err.http_status(), Some(status));
        assert_eq!(err.provider(), Some("picwish"));
        assert_eq!(err.operation(), Some("QueryTask"));
        assert!(err.message().ends_with("Server said: nope"), "{err}");
        if says_documented_meaning {
            assert!(
                err.message().starts_with(&documented_meaning(status)),
                "{err}"
            );
        }
        assert_eq!(err.is_retryable(), attempts > 1, "{status}");
        server.verify().await;
    }
}

#[tokio::test]
async fn an_unknown_task_says_which_id() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server).query(TASK_ID).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ResultExpired);
    assert_eq!(err.field(), Some("task_id"));
    assert!(err.message().contains("task_id is wrong"), "{err}");
    assert_eq!(
        err.to_string(),
        "picwish QueryTask: The task is unknown: the task_id is wrong, or PicWish no longer \
         keeps the task. (HTTP 404)"
    );
}

/// Each documented failure status of the create call. A 5xx is retried even though the call
/// is billed (the service refused it; nothing was created), a 404 means a wrong base URL.
#[tokio::test]
async fn create_statuses_map_to_error_kinds() {
    let table = [
        (400, ErrorKind::InvalidInput, 1, None),
        (401, ErrorKind::Auth, 1, None),
        (404, ErrorKind::Service, 1, None),
        (413, ErrorKind::InvalidInput, 1, Some("image_file")),
        (429, ErrorKind::Throttled, 3, None),
        (500, ErrorKind::Service, 3, None),
        (502, ErrorKind::Service, 3, None),
    ];
    let task = CreateTask::from_bytes(pdf(100), Some("a.pdf"));
    for (status, kind, attempts, field) in table {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(TASKS_PATH))
            .respond_with(ResponseTemplate::new(status).set_body_string("<html>oops</html>"))
            .expect(attempts)
            .mount(&server)
            .await;
        let err = client(&server).create(&task).await.unwrap_err();
        assert_eq!(err.kind(), kind, "{status}");
        assert_eq!(err.http_status(), Some(status));
        assert_eq!(err.operation(), Some("CreateTask"));
        assert_eq!(err.field(), field, "{status}");
        assert!(
            !err.message().contains("oops"),
            "a non-JSON body is not quoted"
        );
        server.verify().await;
    }
}

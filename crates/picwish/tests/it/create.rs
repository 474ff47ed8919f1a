//! Create task: the exact multipart request for each source form, and the parsed response.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use ocr_core::ErrorKind;
use picwish::{CreateTask, ResultFormat};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer};

async fn server_accepting_create() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TASKS_PATH))
        .and(header("x-api-key", KEY))
        .respond_with(json(200, fixture!("responses/create.json")))
        .expect(1)
        .mount(&server)
        .await;
    server
}

/// The one request the server received, checked for what every create shares.
async fn only_create_request(server: &MockServer) -> wiremock::Request {
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let req = requests.into_iter().next().unwrap();
    assert_eq!(req.method.as_str(), "POST");
    assert_eq!(req.url.path(), TASKS_PATH);
    assert_eq!(req.url.query(), None);
    assert_eq!(req.headers.get("x-api-key").unwrap(), KEY);
    let length: usize = req
        .headers
        .get("content-length")
        .expect("a streamed form of known size still has a Content-Length")
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(length, req.body.len());
    req
}

#[tokio::test]
async fn create_from_url_sends_every_field_as_a_text_part() {
    let server = server_accepting_create().await;
    let task = CreateTask::from_url("https://files.example.com/scans/invoice%20no.1.png?v=2")
        .unwrap()
        .with_language(["English", "ChinesePRC", "Digits"])
        .with_password("pdf-pass")
        .with_format(ResultFormat::Docx);

    let created = client(&server).create(&task).await.unwrap();

    assert_eq!(created.status, 200);
    assert_eq!(created.message.as_deref(), Some("success"));
    assert_eq!(created.data.task_id, TASK_ID);
    let req = only_create_request(&server).await;
    assert_eq!(
        parse_multipart(&req),
        vec![
            FormPart::text(
                "image_url",
                "https://files.example.com/scans/invoice%20no.1.png?v=2"
            ),
            FormPart::text("language", "English,ChinesePRC,Digits"),
            FormPart::text("password", "pdf-pass"),
            FormPart::text("format", "docx"),
        ]
    );
}

#[tokio::test]
async fn create_from_file_streams_it_as_the_image_file_part() {
    let server = server_accepting_create().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.pdf");
    let content = pdf(300_000);
    std::fs::write(&file, &content).unwrap();
    let task = CreateTask::from_file(&file).with_format(ResultFormat::Txt);

    let created = client(&server).create(&task).await.unwrap();

    assert_eq!(created.data.task_id, TASK_ID);
    let req = only_create_request(&server).await;
    assert_eq!(
        parse_multipart(&req),
        vec![
            FormPart::file("image_file", "report.pdf", "application/pdf", &content),
            FormPart::text("format", "txt"),
        ]
    );
}

#[tokio::test]
async fn create_from_bytes_names_the_upload_after_its_format() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TASKS_PATH))
        .respond_with(json(200, fixture!("responses/create.json")))
        .expect(3)
        .mount(&server)
        .await;
    let client = client(&server);
    let image = png(640, 480);
    let photo = jpeg(800, 600);
    client
        .create(&CreateTask::from_bytes(image.clone(), None))
        .await
        .unwrap();
    client
        .create(&CreateTask::from_bytes(photo.clone(), Some("photo.jpeg")))
        .await
        .unwrap();
    // An OLE container is told apart by its file name: here a legacy Excel workbook.
    let mut xls = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    xls.extend([0u8; 504]);
    client
        .create(&CreateTask::from_bytes(xls.clone(), Some("sheet.xls")))
        .await
        .unwrap();

    let requests = server.received_requests().await.unwrap();
    let parts: Vec<Vec<FormPart>> = requests.iter().map(parse_multipart).collect();
    assert_eq!(
        parts,
        vec![
            vec![FormPart::file(
                "image_file",
                "upload.png",
                "image/png",
                &image
            )],
            vec![FormPart::file(
                "image_file",
                "photo.jpeg",
                "image/jpeg",
                &photo
            )],
            vec![FormPart::file(
                "image_file",
                "sheet.xls",
                "application/vnd.ms-excel",
                &xls
            )],
        ]
    );
}

/// The names of the `-F` fields and `-H` headers of a documented curl example, and its path.
fn curl_example(text: &str) -> (String, Vec<String>, Vec<String>) {
    let url = text
        .split('\'')
        .nth(1)
        .expect("the first quoted word is the URL");
    let path = url
        .strip_prefix(picwish::DEFAULT_BASE_URL)
        .unwrap()
        .to_owned();
    let quoted_after = |flag: &str| -> Vec<String> {
        text.split(flag)
            .skip(1)
            .map(|rest| rest.split('\'').next().unwrap().to_owned())
            .collect()
    };
    let fields = quoted_after("-F '")
        .iter()
        .map(|f| f.split('=').next().unwrap().to_owned())
        .collect();
    let headers = quoted_after("-H '")
        .iter()
        .map(|h| h.split(':').next().unwrap().to_owned())
        .collect();
    (path, fields, headers)
}

#[tokio::test]
async fn requests_match_the_documented_curl_examples() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("file.pdf");
    std::fs::write(&file, pdf(1000)).unwrap();
    let cases = [
        (
            fixture!("seed/create-from-url.sh"),
            CreateTask::from_url("https://example.com/a.png").unwrap(),
        ),
        (
            fixture!("seed/create-from-file.sh"),
            CreateTask::from_file(&file),
        ),
    ];
    for (example, task) in cases {
        let (doc_path, doc_fields, doc_headers) = curl_example(example);
        let server = server_accepting_create().await;
        client(&server)
            .create(&task.with_format(ResultFormat::Txt))
            .await
            .unwrap();
        let req = only_create_request(&server).await;
        assert_eq!(req.url.path(), doc_path);
        let names: Vec<String> = parse_multipart(&req).into_iter().map(|p| p.name).collect();
        assert_eq!(names, doc_fields);
        assert_eq!(doc_headers, [picwish::API_KEY_HEADER]);
        for name in doc_headers {
            assert_eq!(req.headers.get(name.as_str()).unwrap(), KEY);
        }
        // -F 'format=txt' in the example: the value is sent as written.
        assert!(example.contains("-F 'format=txt'"));
    }
}

#[tokio::test]
async fn a_base_url_path_prefix_is_kept() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/picwish/api/tasks/document/ocr"))
        .respond_with(json(200, fixture!("responses/create.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server)
        .base_url(format!("{}/picwish/", server.uri()))
        .build()
        .unwrap();
    let task = CreateTask::from_url("https://example.com/a.png").unwrap();
    assert_eq!(client.create(&task).await.unwrap().data.task_id, TASK_ID);
}

#[tokio::test]
async fn a_refusal_in_the_body_of_a_200_is_an_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(json(200, fixture!("responses/body-status-400.json")))
        .expect(1)
        .mount(&server)
        .await;
    let task = CreateTask::from_url("https://example.com/a.png").unwrap();
    let err = client(&server).create(&task).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(err.code(), Some("400"));
    assert_eq!(err.http_status(), Some(200));
    assert_eq!(err.provider(), Some("picwish"));
    assert_eq!(err.operation(), Some("CreateTask"));
    assert!(
        err.message()
            .ends_with("Server said: image_url and image_file cannot both be empty"),
        "{err}"
    );
}

#[tokio::test]
async fn a_response_without_a_task_id_is_not_resent_and_its_outcome_is_unknown() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(json(200, r#"{"status":200,"message":"success","data":{}}"#))
        .expect(1)
        .mount(&server)
        .await;
    let task = CreateTask::from_url("https://example.com/a.png").unwrap();
    let err = client(&server).create(&task).await.unwrap_err();
    // The service answered "success": a task may exist (and be billed) though its id is not
    // known, so the create is not sent again.
    assert_eq!(err.kind(), ErrorKind::OutcomeUnknown);
    assert!(err.message().contains("task_id"), "{err}");
    let cause = std::error::Error::source(&err)
        .and_then(|s| s.downcast_ref::<ocr_core::Error>())
        .map(ocr_core::Error::kind);
    assert_eq!(cause, Some(ErrorKind::Decode));
}

//! Every documented rule refuses bad input with a typed error naming the wire field, and
//! nothing reaches the server.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use ocr_core::{ErrorKind, OcrProvider, OutputKind, PageRange, Request, Source};
use picwish::{CreateTask, MAX_FILE_BYTES};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A server that fails the test if anything reaches it.
async fn silent_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    server
}

async fn assert_nothing_sent(server: &MockServer) {
    assert!(server.received_requests().await.unwrap().is_empty());
    server.verify().await;
}

/// Creates `task` and expects a refusal of `field` whose message contains `rule`.
async fn assert_refused(task: CreateTask, field: &str, rule: &str) {
    let server = silent_server().await;
    let err = client(&server).create(&task).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    assert_eq!(err.field(), Some(field), "{err}");
    assert_eq!(err.provider(), Some("picwish"));
    assert_eq!(err.operation(), Some("CreateTask"));
    assert!(err.message().contains(rule), "{err} should say {rule:?}");
    assert_nothing_sent(&server).await;
}

fn bytes(data: Vec<u8>, name: &str) -> CreateTask {
    CreateTask::from_bytes(data, Some(name))
}

#[tokio::test]
async fn content_that_is_no_known_format_is_refused() {
    assert_refused(
        bytes(b"just some words".to_vec(), "notes.pdf"),
        "image_file",
        "not a recognised document format",
    )
    .await;
}

#[tokio::test]
async fn formats_outside_the_documented_list_are_refused() {
    let tiff = b"II*\0\x08\0\0\0 rest of a tiff".to_vec();
    let mut webp = b"RIFF\0\0\0\0WEBPVP8 ".to_vec();
    webp.extend([0u8; 20]);
    let cases = [
        (tiff, "scan.tiff", "is tiff"),
        (webp, "photo.webp", "is webp"),
        (b"plain text".to_vec(), "notes.txt", "is txt"),
    ];
    for (data, name, rule) in cases {
        assert_refused(bytes(data, name), "image_file", rule).await;
    }
}

#[tokio::test]
async fn files_over_200_mb_are_refused_without_reading_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.pdf");
    let file = std::fs::File::create(&path).unwrap();
    std::io::Write::write_all(&mut &file, &pdf(64)).unwrap();
    file.set_len(MAX_FILE_BYTES + 1).unwrap(); // sparse: nothing is written
    assert_refused(
        CreateTask::from_file(&path),
        "image_file",
        &format!("over the limit of {MAX_FILE_BYTES} bytes"),
    )
    .await;
    // Exactly the limit is accepted by validation.
    file.set_len(MAX_FILE_BYTES).unwrap();
    CreateTask::from_file(&path).validate().await.unwrap();
}

#[tokio::test]
async fn empty_and_missing_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.pdf");
    std::fs::write(&empty, b"").unwrap();
    assert_refused(CreateTask::from_file(&empty), "image_file", "is empty").await;
    let missing = dir.path().join("missing.pdf");
    assert_refused(CreateTask::from_file(&missing), "image_file", "cannot read").await;
}

#[tokio::test]
async fn image_sides_over_32512_are_refused() {
    let mut gif = b"GIF89a".to_vec();
    gif.extend_from_slice(&40_000u16.to_le_bytes());
    gif.extend_from_slice(&10u16.to_le_bytes());
    gif.extend([0u8; 8]);
    let cases = [
        (png(32_513, 10), "wide.png", "32513x10"),
        (png(10, 32_513), "tall.png", "10x32513"),
        (jpeg(10, 40_000), "tall.jpg", "10x40000"),
        (gif, "wide.gif", "40000x10"),
    ];
    for (data, name, size) in cases {
        assert_refused(bytes(data, name), "image_file", size).await;
    }
    // The largest documented size passes.
    bytes(png(32_512, 32_512), "max.png")
        .validate()
        .await
        .unwrap();
}

#[tokio::test]
async fn url_scheme_and_port_are_checked() {
    let cases = [
        (
            "ftp://files.example.com/a.png",
            "scheme must be http or https",
        ),
        ("https://files.example.com:8443/a.png", "port 8443"),
        ("http://files.example.com:8080/a.png", "port 8080"),
    ];
    for (url, rule) in cases {
        let task = CreateTask::new(Source::Url(url.parse().unwrap()));
        assert_refused(task, "image_url", rule).await;
    }
    for ok in [
        "http://files.example.com/a.png",
        "https://files.example.com/a.png",
        "http://files.example.com:443/a.png",
        "https://files.example.com:80/a.png",
    ] {
        CreateTask::from_url(ok).unwrap().validate().await.unwrap();
    }
    let err = CreateTask::from_url("files.example.com/a.png").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(err.field(), Some("image_url"));
}

#[tokio::test]
async fn at_most_ten_languages() {
    let eleven: Vec<String> = (0..11).map(|i| format!("Lang{i}")).collect();
    let task = CreateTask::from_url("https://example.com/a.png")
        .unwrap()
        .with_language(eleven);
    assert_refused(task, "language", "at most 10").await;
}

#[tokio::test]
async fn language_names_are_single_words() {
    for bad in ["English,Digits", "Chinese PRC", "", "English;Digits"] {
        let task = CreateTask::from_url("https://example.com/a.png")
            .unwrap()
            .with_language(["English", bad]);
        assert_refused(task, "language", "has the name").await;
    }
}

#[tokio::test]
async fn passwords_have_1_to_32_characters() {
    let long = "p".repeat(33);
    let task = CreateTask::from_url("https://example.com/a.png")
        .unwrap()
        .with_password(long.clone());
    let server = silent_server().await;
    let err = client(&server).create(&task).await.unwrap_err();
    assert!(!err.to_string().contains(&long), "{err}");
    assert!(!format!("{err:?}").contains(&long), "{err:?}");
    assert_nothing_sent(&server).await;
    assert_refused(task, "password", "up to 32").await;
    let empty = CreateTask::from_url("https://example.com/a.png")
        .unwrap()
        .with_password("");
    assert_refused(empty, "password", "is empty").await;
}

#[tokio::test]
async fn the_result_format_must_be_a_documented_value() {
    let server = silent_server().await;
    let client = client(&server);
    for bad in ["doc", "TXT", "md", ""] {
        let request = Request::from_bytes(pdf(100), Some("a.pdf")).with_result_format(bad);
        let err = client.submit(&request).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad}");
        assert_eq!(err.field(), Some("result_format"));
        assert!(
            err.message().contains("txt, pdf, docx, xlsx, pptx"),
            "{err}"
        );
    }
    assert_nothing_sent(&server).await;
}

#[tokio::test]
async fn an_empty_task_id_is_refused() {
    let server = silent_server().await;
    let client = client(&server);
    for err in [
        client.query("").await.unwrap_err(),
        client.wait("  ", None).await.unwrap_err(),
    ] {
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert_eq!(err.field(), Some("task_id"));
    }
    assert_nothing_sent(&server).await;
}

#[tokio::test]
async fn provider_requests_picwish_cannot_serve_are_refused() {
    let server = silent_server().await;
    let client = client(&server);
    let base = || Request::from_bytes(pdf(100), Some("a.pdf"));
    let cases = [
        (base().with_pages(PageRange::new(1, 2).unwrap()), "pages"),
        (base().with_field_names(["Total"]), "field_names"),
        (base().with_output(OutputKind::Markdown), "outputs"),
    ];
    for (request, field) in cases {
        let err = client.submit(&request).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{field}");
        assert_eq!(err.field(), Some(field));
        assert!(err.message().contains("picwish"), "{err}");
        assert!(err.message().contains("does not honour"), "{err}");
    }
    // Through the provider, the source rules apply too.
    let err = client
        .submit(&Request::from_bytes(b"hello".to_vec(), Some("a.bin")))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(err.field(), Some("image_file"));
    assert_nothing_sent(&server).await;
}

//! PicWish OCR: API key, multipart rules and limits, task states and result files.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::time::Duration;

use common::*;
use ocr_emulator::samples::{pdf_with_text, png_with_text};
use reqwest::multipart::{Form, Part};
use serde_json::Value;

fn file_form(bytes: Vec<u8>, name: &str) -> Form {
    Form::new().part("image_file", Part::bytes(bytes).file_name(name.to_owned()))
}

async fn create(emu: &ocr_emulator::Emulator, form: Form) -> (u16, Value) {
    let r = picwish_create(emu, form).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn file_task_runs_through_its_states_to_a_text_result() {
    let emu = start(manual_config()).await;
    let png = png_with_text(1200, 900, "Meeting notes\nBudget: 1200");
    let (status, body) = create(
        &emu,
        file_form(png.clone(), "notes.png")
            .text("format", "txt")
            .text("language", "English,ChinesePRC,Digits"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], 200);
    let task = body["data"]["task_id"].as_str().unwrap().to_owned();
    assert_eq!(task.len(), 36);
    let recorded = emu.recorded_requests();
    assert!(recorded.last().unwrap().body_size >= png.len() as u64);

    let query = || async {
        let r = picwish_query(&emu, &task).send().await.unwrap();
        assert_eq!(r.status(), 200);
        r.json::<Value>().await.unwrap()
    };
    let q = query().await;
    assert_eq!(q["data"]["state"], 0);
    assert_eq!(q["data"]["progress"], 0);
    assert_eq!(q["data"]["created_at"], T0.to_string());
    assert!(q["data"].get("file").is_none());

    let mut seen = Vec::new();
    for _ in 0..10 {
        emu.clock().advance(Duration::from_secs(3));
        let q = query().await;
        seen.push(q["data"]["state"].as_i64().unwrap());
    }
    assert_eq!(seen.last(), Some(&1));
    let processing: Vec<i64> = seen.iter().copied().filter(|s| *s > 1).collect();
    assert!(
        !processing.is_empty() && processing.iter().all(|s| (2..=6).contains(s)),
        "{seen:?}"
    );
    let q = query().await;
    assert_eq!(q["data"]["progress"], 100);
    assert_eq!(q["data"]["processed_at"], (T0 + 10).to_string());
    assert_eq!(q["data"]["completed_at"], (T0 + 30).to_string());
    let url = q["data"]["file"].as_str().unwrap().to_owned();
    let file = client().get(&url).send().await.unwrap();
    assert_eq!(file.status(), 200);
    assert!(file.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    assert_eq!(file.text().await.unwrap(), "Meeting notes\nBudget: 1200\n");

    // Valid one hour after completion.
    emu.clock().set_unix(T0 + 30 + 3600);
    assert_eq!(client().get(&url).send().await.unwrap().status(), 200);
    emu.clock().advance(Duration::from_secs(1));
    let (status, code, _) = cos_error(client().get(&url).send().await.unwrap()).await;
    assert_eq!((status, code.as_str()), (403, "AccessDenied"));
    assert_eq!(emu.submissions(ocr_emulator::Service::PicWish), 1);
}

#[tokio::test]
async fn result_formats_are_real_files() {
    let emu = start(instant_config()).await;
    let pdf = pdf_with_text(&[&["Page one", "Total: 3"], &["Page two"]]);
    for (format, magic, content_type) in [
        ("pdf", &b"%PDF-"[..], "application/pdf"),
        (
            "docx",
            &b"PK\x03\x04"[..],
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "xlsx",
            &b"PK\x03\x04"[..],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "pptx",
            &b"PK\x03\x04"[..],
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
    ] {
        let (_, body) = create(
            &emu,
            file_form(pdf.clone(), "doc.pdf").text("format", format),
        )
        .await;
        let task = body["data"]["task_id"].as_str().unwrap();
        let q: Value = picwish_query(&emu, task)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(q["data"]["state"], 1);
        let url = q["data"]["file"].as_str().unwrap();
        assert!(url.contains(&format!("doc.{format}?")));
        let r = client().get(url).send().await.unwrap();
        assert_eq!(r.headers()["content-type"], content_type);
        let bytes = r.bytes().await.unwrap();
        assert!(bytes.starts_with(magic), "{format}");
        if format == "docx" {
            let entries = unzip(&bytes);
            let doc = entries
                .iter()
                .find(|(n, _)| n == "word/document.xml")
                .unwrap();
            let xml = String::from_utf8(doc.1.clone()).unwrap();
            assert!(xml.contains("Total: 3") && xml.contains("Page two"));
        }
        if format == "pdf" {
            assert!(String::from_utf8_lossy(&bytes).contains("(Page two) Tj"));
        }
    }
}

#[tokio::test]
async fn url_source_and_the_one_source_rule() {
    let emu = start(instant_config()).await;
    let (status, body) = create(
        &emu,
        Form::new().text("image_url", "https://example.com/scan.jpg"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let task = body["data"]["task_id"].as_str().unwrap();
    let q: Value = picwish_query(&emu, task)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let text = client()
        .get(q["data"]["file"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.starts_with("scan.jpg\n"));

    let png = png_with_text(100, 100, "x");
    let cases: Vec<(Form, u16)> = vec![
        (Form::new().text("format", "txt"), 400),
        (
            file_form(png.clone(), "a.png").text("image_url", "https://example.com/a.png"),
            400,
        ),
        (
            Form::new().text("image_url", "https://example.com:8443/a.png"),
            400,
        ),
        (
            Form::new().text("image_url", "ftp://example.com/a.png"),
            400,
        ),
        (file_form(png.clone(), "a.png").text("format", "doc"), 400),
        (
            file_form(png.clone(), "a.png").text("password", "x".repeat(33)),
            400,
        ),
        (
            file_form(png.clone(), "a.png").text("language", "A,B,C,D,E,F,G,H,I,J,K"),
            400,
        ),
        (
            file_form(png.clone(), "a.png").text("language", "english"),
            400,
        ),
        (file_form(png_with_text(40_000, 10, ""), "wide.png"), 400),
    ];
    for (i, (form, status)) in cases.into_iter().enumerate() {
        let (got, body) = create(&emu, form).await;
        assert_eq!(got, status, "case {i}: {body}");
        assert_eq!(body["status"], status);
        assert!(!body["message"].as_str().unwrap().is_empty());
    }
    // The limits themselves pass.
    let (status, _) = create(
        &emu,
        file_form(png.clone(), "a.png")
            .text("password", "x".repeat(32))
            .text("language", "A,B,C,D,E,F,G,H,I,J"),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = create(&emu, file_form(png.clone(), "a.png").text("image_url", "")).await;
    assert_eq!(status, 200, "an empty image_url counts as absent");
    assert_eq!(emu.submissions(ocr_emulator::Service::PicWish), 3);
}

#[tokio::test]
async fn api_key_size_limit_and_unknown_tasks() {
    let mut config = instant_config();
    config.picwish_max_upload = 1000;
    let emu = start(config).await;
    let r = client()
        .post(format!("{}api/tasks/document/ocr", emu.endpoints().picwish))
        .header("X-API-KEY", "wrong")
        .multipart(Form::new().text("image_url", "https://example.com/a.png"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["status"], 401);
    let r = client()
        .get(format!(
            "{}api/tasks/document/ocr/x",
            emu.endpoints().picwish
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let recorded = emu.recorded_requests();
    assert_eq!(
        recorded[0].header("x-api-key"),
        Some(ocr_emulator::REDACTED)
    );

    let (status, body) = create(&emu, file_form(vec![b'x'; 3000], "big.txt")).await;
    assert_eq!(status, 413, "{body}");
    let r = picwish_query(&emu, "no-such-task").send().await.unwrap();
    assert_eq!(r.status(), 404);
    // Not multipart.
    let r = client()
        .post(format!("{}api/tasks/document/ocr", emu.endpoints().picwish))
        .header("X-API-KEY", ocr_emulator::PICWISH_API_KEY)
        .json(&serde_json::json!({ "image_url": "https://example.com/a.png" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn unsupported_files_fail_with_minus_seven() {
    let emu = start(instant_config()).await;
    let (status, body) = create(&emu, file_form(b"just some text".to_vec(), "a.txt")).await;
    assert_eq!(status, 200);
    let q: Value = picwish_query(&emu, body["data"]["task_id"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(q["data"]["state"], -7);
    assert!(q["data"].get("file").is_none());
}

/// A multipart form whose 1 MB file part is streamed in 64 KiB chunks with its length announced,
/// as a client uploading from disk sends it.
fn streamed_form() -> Form {
    const CHUNKS: u32 = 17;
    const CHUNK: usize = 64 * 1024;
    let chunks = futures_util::stream::unfold(0u32, |n| async move {
        if n == CHUNKS {
            return None;
        }
        // Each chunk comes from a blocking read, as a file read does.
        let _ = tokio::task::spawn_blocking(|| ()).await;
        let chunk = bytes::Bytes::from(vec![b'x'; CHUNK]);
        Some((Ok::<_, std::io::Error>(chunk), n + 1))
    });
    let body = reqwest::Body::wrap_stream(chunks);
    let len = u64::from(CHUNKS) * CHUNK as u64;
    Form::new().part(
        "image_file",
        Part::stream_with_length(body, len).file_name("big.pdf"),
    )
}

#[tokio::test]
async fn refusals_of_a_streamed_upload_are_answered_not_reset() {
    let mut config = instant_config();
    config.picwish_max_upload = 256 * 1024;
    let emu = start(config).await;
    for _ in 0..3 {
        // Refused on the key, before the body is read.
        let r = client()
            .post(format!("{}api/tasks/document/ocr", emu.endpoints().picwish))
            .header("X-API-KEY", "wrong")
            .multipart(streamed_form())
            .send()
            .await
            .expect("an answer, not a reset connection");
        assert_eq!(r.status(), 401);
        // Refused by an injected throttling fault, before the body is read.
        emu.inject(ocr_emulator::Fault::throttle().for_action(ocr_emulator::PICWISH_CREATE_ACTION));
        let r = picwish_create(&emu, streamed_form())
            .send()
            .await
            .expect("an answer, not a reset connection");
        assert_eq!(r.status(), 429);
        // Refused part-way through the file: too large.
        let r = picwish_create(&emu, streamed_form())
            .send()
            .await
            .expect("an answer, not a reset connection");
        assert_eq!(r.status(), 413);
    }
    assert_eq!(emu.submissions(ocr_emulator::Service::PicWish), 0);
}

#[tokio::test]
async fn unexpected_and_oversized_fields_are_refused() {
    let emu = start(instant_config()).await;
    let (status, body) = create(
        &emu,
        Form::new()
            .text("image_url", "https://example.com/a.png")
            .text("colour", "red"),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["message"].as_str().unwrap().contains("`colour`"),
        "{body}"
    );
    let long = format!("https://example.com/{}.png", "a".repeat(70 * 1024));
    let (status, body) = create(&emu, Form::new().text("image_url", long)).await;
    assert_eq!(status, 400);
    assert!(
        body["message"].as_str().unwrap().contains("longer than"),
        "{body}"
    );
    assert_eq!(emu.submissions(ocr_emulator::Service::PicWish), 0);
}

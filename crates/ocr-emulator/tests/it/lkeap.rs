//! LKEAP 2024-05-22: reconstruct and split lifecycles with real result zips behind
//! expiring URLs, the SSE stream, and the request rules.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::time::Duration;

use common::*;
use ocr_emulator::samples::{pdf_with_text, png_with_text};
use serde_json::{json, Value};

#[tokio::test]
async fn reconstruct_lifecycle_and_zip_download() {
    let emu = start(manual_config()).await;
    let pdf = pdf_with_text(&[&["Quarterly Report", "Revenue: 100"], &["Second page text"]]);
    let r = success(
        tc3(
            &emu,
            "CreateReconstructDocumentFlow",
            json!({ "FileType": "PDF", "FileBase64": b64(&pdf), "Config": { "ResultType": "5", "ReturnPageFormat": true } }),
        )
        .await,
    );
    let task = r["TaskId"].as_str().unwrap().to_owned();
    let poll = || {
        tc3(
            &emu,
            "GetReconstructDocumentResult",
            json!({ "TaskId": task }),
        )
    };

    let r = success(poll().await);
    assert_eq!(r["Status"], "WaitExecute");
    emu.clock().advance(Duration::from_secs(15));
    assert_eq!(success(poll().await)["Status"], "Processing");
    emu.clock().advance(Duration::from_secs(15));
    let r = success(poll().await);
    assert_eq!(r["Status"], "Success");
    assert_eq!(r["FailedPages"], json!([]));
    let usage = &r["Usage"];
    assert_eq!(usage["PageNumber"], 2);
    assert_eq!(usage["SuccessPageNum"], 2);
    assert_eq!(usage["FailPageNum"], 0);
    assert_eq!(usage["FileSize"], pdf.len());
    assert!(usage["TotalTokens"].as_i64().unwrap() > 0);
    let url = r["DocumentRecognizeResultUrl"].as_str().unwrap().to_owned();
    assert!(
        url.contains("?q-sign-algorithm=sha1&q-ak=") && url.contains("&q-signature="),
        "{url}"
    );

    let zip = client().get(&url).send().await.unwrap();
    assert_eq!(zip.status(), 200);
    assert_eq!(zip.headers()["content-type"], "application/zip");
    let entries = unzip(&zip.bytes().await.unwrap());
    let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "document.md",
            "pages/1.md",
            "pages/1.json",
            "pages/2.md",
            "pages/2.json",
            "images/document_1.png"
        ]
    );
    let md = String::from_utf8(entries[0].1.clone()).unwrap();
    assert!(
        md.starts_with("# Quarterly Report\n\nRevenue: 100\n\n![image](images/document_1.png)"),
        "{md}"
    );
    assert!(md.contains("<page_num>page 1</page_num>") && md.contains("Second page text"));
    let page: Value = serde_json::from_slice(&entries[2].1).unwrap();
    assert_eq!(page["page_number"], 1);
    assert_eq!(page["lines"][0]["text"], "Quarterly Report");
    assert!(page["lines"][0]["confidence"].as_f64().unwrap() <= 1.0);
    assert!(entries[5].1.starts_with(b"\x89PNG"));

    // Each poll signs a fresh URL; an old one expires after 30 minutes.
    emu.clock().advance(Duration::from_secs(30 * 60 + 1));
    let expired = client().get(&url).send().await.unwrap();
    let (status, code, body) = cos_error(expired).await;
    assert_eq!((status, code.as_str()), (403, "AccessDenied"));
    assert!(body.contains("Request has expired"));
    let fresh = success(poll().await)["DocumentRecognizeResultUrl"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(client().get(&fresh).send().await.unwrap().status(), 200);
    // A tampered URL is refused.
    let tampered = fresh.replace("q-signature=", "q-signature=0");
    assert_eq!(client().get(&tampered).send().await.unwrap().status(), 403);
    assert_eq!(emu.submission_counts()["CreateReconstructDocumentFlow"], 1);
}

#[tokio::test]
async fn reconstruct_default_result_type_and_failed_pages() {
    let emu = start(instant_config()).await;
    let r = success(
        tc3(
            &emu,
            "CreateReconstructDocumentFlow",
            json!({ "FileType": "PDF", "FileUrl": "https://example.com/report.pdf", "FileStartPageNumber": 2, "FileEndPageNumber": 4 }),
        )
        .await,
    );
    let r = success(
        tc3(
            &emu,
            "GetReconstructDocumentResult",
            json!({ "TaskId": r["TaskId"] }),
        )
        .await,
    );
    assert_eq!(r["Status"], "Success");
    // A URL document has two pages: pages 3 and 4 failed.
    assert_eq!(
        r["FailedPages"],
        json!([{ "PageNumber": 3 }, { "PageNumber": 4 }])
    );
    assert_eq!(r["Usage"]["PageNumber"], 1);
    let zip = client()
        .get(r["DocumentRecognizeResultUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let names: Vec<String> = unzip(&zip).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["report.md", "images/report_1.png"]);

    // With IgnoreFailedPage false the task fails.
    let r = success(
        tc3(
            &emu,
            "CreateReconstructDocumentFlow",
            json!({ "FileType": "PDF", "FileUrl": "https://example.com/report.pdf", "FileEndPageNumber": 3, "Config": { "IgnoreFailedPage": false } }),
        )
        .await,
    );
    // A failed task is a successful call whose answer carries Status and Error.
    let r = tc3(
        &emu,
        "GetReconstructDocumentResult",
        json!({ "TaskId": r["TaskId"] }),
    )
    .await;
    assert_eq!(r["RequestId"].as_str().unwrap().len(), 36);
    assert_eq!(r["Status"], "Failed");
    assert_eq!(r["Error"]["Code"], "FailedOperation.FileParseError");
    assert!(r.get("DocumentRecognizeResultUrl").is_none());
}

#[tokio::test]
async fn reconstruct_rules_and_regions() {
    let emu = start(manual_config()).await;
    let png = b64(&png_with_text(800, 600, "x"));
    let cases = [
        (json!({ "FileBase64": png }), "MissingParameter"),
        (
            json!({ "FileType": "EXE", "FileBase64": png }),
            "InvalidParameter.InvalidFileType",
        ),
        (json!({ "FileType": "PNG" }), "MissingParameter"),
        (
            json!({ "FileType": "PNG", "FileBase64": png, "FileUrl": "https://example.com/a.png" }),
            "InvalidParameterValue.InvalidParameterValueLimit",
        ),
        (
            json!({ "FileType": "DOCX", "FileBase64": png }),
            "InvalidParameter.InvalidFileType",
        ),
        (
            json!({ "FileType": "PDF", "FileBase64": png }),
            "InvalidParameter.InvalidFileFormat",
        ),
        (
            json!({ "FileType": "PNG", "FileBase64": "A".repeat(8 * 1024 * 1024 + 4) }),
            "LimitExceeded.TooLargeFileError",
        ),
        (
            json!({ "FileType": "PNG", "FileBase64": b64(&png_with_text(10, 10, "x")) }),
            "InvalidParameter.InvalidFileFormat",
        ),
        (
            json!({ "FileType": "PDF", "FileUrl": "ftp://example.com/a.pdf" }),
            "InvalidParameter.FileURLInvalid",
        ),
        (
            json!({ "FileType": "PNG", "FileBase64": png, "Config": { "ResultType": 1 } }),
            "InvalidParameter",
        ),
        (
            json!({ "FileType": "PNG", "FileBase64": png, "Config": { "ResultType": "9" } }),
            "InvalidParameterValue.InvalidParameterValueLimit",
        ),
        (
            json!({ "FileType": "PNG", "FileBase64": png, "Config": { "Foo": "1" } }),
            "UnknownParameter",
        ),
        (
            json!({ "FileType": "PDF", "FileUrl": "https://example.com/a.pdf", "FileStartPageNumber": 3, "FileEndPageNumber": 2 }),
            "InvalidParameterValue.InvalidParameterValueLimit",
        ),
    ];
    for (body, code) in cases {
        let r = tc3(&emu, "CreateReconstructDocumentFlow", body.clone()).await;
        assert_eq!(error_code(&r), code, "{body}");
    }
    assert_eq!(emu.submissions(ocr_emulator::Service::Lkeap), 0);

    let body = json!({ "FileType": "PNG", "FileBase64": png });
    for (region, expected) in [
        (Some("ap-shanghai"), Some("UnsupportedRegion")),
        (None, Some("MissingParameter")),
        (Some("ap-beijing"), None),
        (Some("ap-jakarta"), None),
    ] {
        let mut call = Tc3Call::new(&emu, "CreateReconstructDocumentFlow", &body);
        call.region = region.map(str::to_owned);
        let (r, _) = call.send(&emu).await;
        match expected {
            Some(code) => assert_eq!(error_code(&r["Response"]), code, "{region:?}"),
            None => {
                success(r["Response"].clone());
            }
        }
    }
    let r = tc3(
        &emu,
        "GetReconstructDocumentResult",
        json!({ "TaskId": "missing" }),
    )
    .await;
    assert_eq!(error_code(&r), "InvalidParameter");
}

#[tokio::test]
async fn split_lifecycle_gives_jsonl_chunks() {
    let emu = start(instant_config()).await;
    let text = "Handbook\nChapter one explains the rules.\nChapter two lists the exceptions.\nChapter three closes.";
    emu.put_object(
        ocr_emulator::DEFAULT_BUCKET,
        "docs/handbook.txt",
        text.as_bytes().to_vec(),
    );
    // FileUrl pointing at the emulator's own COS path is read internally.
    let url = format!("{}docs/handbook.txt", emu.endpoints().cos);
    let r = success(
        tc3(
            &emu,
            "CreateSplitDocumentFlow",
            json!({ "FileType": "TXT", "FileUrl": url, "Config": { "MaxChunkSize": 40, "EnableMllm": true } }),
        )
        .await,
    );
    let task = r["TaskId"].as_str().unwrap().to_owned();
    // Split and reconstruct tasks do not mix.
    let r = tc3(
        &emu,
        "GetReconstructDocumentResult",
        json!({ "TaskId": task }),
    )
    .await;
    assert_eq!(error_code(&r), "InvalidParameter");
    let mut call = Tc3Call::new(&emu, "GetSplitDocumentResult", &json!({ "TaskId": task }));
    call.region = Some("ap-beijing".into());
    let (r, _) = call.send(&emu).await;
    assert_eq!(error_code(&r["Response"]), "UnsupportedRegion");
    let r = success(tc3(&emu, "GetSplitDocumentResult", json!({ "TaskId": task })).await);
    assert_eq!(r["Status"], "Success");
    assert!(r["Usage"]["SplitTokens"].as_i64().unwrap() > 0);
    assert!(r["Usage"]["MllmTokens"].as_i64().unwrap() > 0);
    let zip = client()
        .get(r["DocumentRecognizeResultUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let entries = unzip(&zip);
    let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "handbook.md",
            "handbook.jsonl",
            "handbook_mllm.json",
            "images/handbook_1.png"
        ]
    );
    let jsonl = String::from_utf8(entries[1].1.clone()).unwrap();
    let chunks: Vec<Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(chunks.len() >= 3, "{jsonl}");
    for chunk in &chunks {
        assert!(chunk["page_content"].as_str().unwrap().chars().count() <= 80);
        assert!(chunk["org_data"].is_string());
        assert!(chunk["big_data"]
            .as_str()
            .unwrap()
            .contains("Chapter three closes."));
    }
    assert!(chunks[0]["page_content"]
        .as_str()
        .unwrap()
        .starts_with("Handbook"));

    let r = tc3(
        &emu,
        "CreateSplitDocumentFlow",
        json!({ "FileType": "TXT" }),
    )
    .await;
    assert_eq!(error_code(&r), "MissingParameter");
    let r = tc3(
        &emu,
        "CreateSplitDocumentFlow",
        json!({ "FileType": "GIF", "FileUrl": "https://example.com/a.gif" }),
    )
    .await;
    assert_eq!(error_code(&r), "InvalidParameter.InvalidFileType");
    let r = tc3(
        &emu,
        "CreateSplitDocumentFlow",
        json!({ "FileType": "PDF", "FileUrl": "https://example.com/x", "FileName": "noext" }),
    )
    .await;
    assert_eq!(error_code(&r), "InvalidParameter.InvalidFileFormat");
}

#[tokio::test]
async fn sse_streams_progress_then_the_result() {
    let emu = start(manual_config()).await;
    let pdf = pdf_with_text(&[&["Title page"], &["Body"]]);
    let body = json!({ "FileType": "PDF", "FileBase64": b64(&pdf) });
    let response = Tc3Call::new(&emu, "ReconstructDocumentSSE", &body)
        .request(&emu)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    assert_eq!(
        response.headers()["x-tc-requestid"].to_str().unwrap().len(),
        36
    );
    let text = response.text().await.unwrap();
    let events: Vec<Value> = text
        .split("\n\n")
        .filter(|e| !e.trim().is_empty())
        .map(|e| serde_json::from_str(e.strip_prefix("data: ").unwrap()).unwrap())
        .collect();
    assert_eq!(events.len(), 4);
    assert_eq!(events[0]["ResponseType"], "PROGRESS");
    assert_eq!(events[0]["Progress"], "0");
    assert_eq!(events[1]["Progress"], "33");
    let last = events.last().unwrap();
    assert_eq!(last["ResponseType"], "TASK_RSP");
    assert_eq!(last["Progress"], "100");
    assert_eq!(last["SuccessPageNum"], 2);
    assert_eq!(last["FailPageNum"], 0);
    let task = last["TaskId"].as_str().unwrap();
    assert!(events.iter().all(|e| e["TaskId"] == task));
    // ResultType defaults to "3" for the stream: full Markdown + per-page JSON.
    let zip = client()
        .get(last["DocumentRecognizeResultUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let names: Vec<String> = unzip(&zip).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "document.md",
            "pages/1.json",
            "pages/2.json",
            "images/document_1.png"
        ]
    );
    assert_eq!(emu.submission_counts()["ReconstructDocumentSSE"], 1);

    // Errors before the stream are plain JSON.
    let mut call = Tc3Call::new(&emu, "ReconstructDocumentSSE", &body);
    call.region = Some("ap-beijing".into());
    let response = call.request(&emu).send().await.unwrap();
    assert_eq!(response.headers()["content-type"], "application/json");
    let r: Value = response.json().await.unwrap();
    assert_eq!(error_code(&r["Response"]), "UnsupportedRegion");
}

//! The emulator fails where the real services fail (issue 13): garbage input is refused with
//! each service's documented error, header names go out in the services' case, queries are
//! decoded as the SDKs encode them, CI ignores a page number without `ispdf`, and LKEAP result
//! URLs are COS pre-signed URLs that expire.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use std::time::Duration;

use common::*;
use ocr_emulator::samples::{jpeg_with_comment, pdf_with_text, png_with_text};
use ocr_emulator::Emulator;
use reqwest::multipart::{Form, Part};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A 40-byte "PNG": the signature and a valid IHDR, then the file stops.
fn fake_png() -> Vec<u8> {
    let png = png_with_text(800, 600, "Total: 3");
    png[..40].to_vec()
}

/// A two-page PDF cut in half (no `%%EOF`, no trailer).
fn truncated_pdf() -> Vec<u8> {
    let pdf = pdf_with_text(&[&["Quarterly report", "Total: 3"], &["Second page"]]);
    pdf[..pdf.len() / 2].to_vec()
}

/// A URL no service can download (RFC 6761 `.invalid`).
const UNREACHABLE: &str = "https://scans.example.invalid/a.png";

async fn lkeap_task_outcome(emu: &Emulator, create: Value) -> Value {
    let r = success(tc3(emu, "CreateReconstructDocumentFlow", create).await);
    let task = r["TaskId"].as_str().unwrap().to_owned();
    // A failed task is a successful call whose `Response` carries `Status` and `Error`.
    let r = tc3(
        emu,
        "GetReconstructDocumentResult",
        json!({ "TaskId": task }),
    )
    .await;
    assert!(r["Status"].is_string(), "{r}");
    r
}

async fn picwish_state(emu: &Emulator, form: Form) -> Value {
    let r = picwish_create(emu, form).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    let task = body["data"]["task_id"].as_str().unwrap().to_owned();
    let q: Value = picwish_query(emu, &task)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    q["data"].clone()
}

fn file_form(bytes: Vec<u8>, name: &str) -> Form {
    Form::new().part("image_file", Part::bytes(bytes).file_name(name.to_owned()))
}

#[tokio::test]
async fn tencent_ocr_refuses_garbage_and_unreachable_urls() {
    let emu = start(instant_config()).await;
    for action in ["ExtractDocMulti", "GeneralBasicOCR", "GeneralAccurateOCR"] {
        let r = tc3(&emu, action, json!({ "ImageBase64": b64(&fake_png()) })).await;
        assert_eq!(
            error_code(&r),
            "FailedOperation.ImageDecodeFailed",
            "{action}"
        );
        let r = tc3(&emu, action, json!({ "ImageUrl": UNREACHABLE })).await;
        assert_eq!(error_code(&r), "FailedOperation.DownLoadError", "{action}");
    }
    let r = tc3(
        &emu,
        "ExtractDocMulti",
        json!({ "ImageBase64": b64(&truncated_pdf()) }),
    )
    .await;
    assert_eq!(error_code(&r), "FailedOperation.ImageDecodeFailed");
    let r = tc3(
        &emu,
        "GeneralBasicOCR",
        json!({ "ImageBase64": b64(&truncated_pdf()), "IsPdf": true }),
    )
    .await;
    assert_eq!(error_code(&r), "FailedOperation.ImageDecodeFailed");
    // Loopback and private addresses other than the emulator, and the emulator's own URLs
    // that answer an error, cannot be downloaded either.
    for url in [
        "http://127.0.0.1:1/a.png".to_owned(),
        "http://10.0.0.8/a.png".to_owned(),
        "http://localhost:9/a.png".to_owned(),
        format!("{}missing.png", emu.endpoints().cos),
    ] {
        let r = tc3(&emu, "ExtractDocMulti", json!({ "ImageUrl": url })).await;
        assert_eq!(error_code(&r), "FailedOperation.DownLoadError", "{url}");
    }
    // A URL that looks downloadable still "succeeds", its text derived from the URL.
    let r = success(
        tc3(
            &emu,
            "ExtractDocMulti",
            json!({ "ImageUrl": "https://example.com/scan.png" }),
        )
        .await,
    );
    assert_eq!(r["WordList"][0]["DetectedText"], "scan.png");
    // Card verification: its own decode code, and the download code.
    let card = |front: Value| {
        let mut body = json!({ "Nationality": "ARG", "CardType": "PASSPORT" });
        body.as_object_mut()
            .unwrap()
            .extend(front.as_object().unwrap().clone());
        body
    };
    let r = tc3(
        &emu,
        "ApplyCardVerificationExternal",
        card(json!({ "ImageBase64Front": b64(&fake_png()) })),
    )
    .await;
    assert_eq!(error_code(&r), "InvalidParameter.EngineImageDecodeFailed");
    let r = tc3(
        &emu,
        "ApplyCardVerificationExternal",
        card(json!({ "ImageUrlFront": UNREACHABLE })),
    )
    .await;
    assert_eq!(error_code(&r), "FailedOperation.DownLoadError");
    assert_eq!(emu.submissions(ocr_emulator::Service::Ocr), 1);
}

#[tokio::test]
async fn lkeap_tasks_fail_on_garbage_and_unreachable_urls() {
    let emu = start(instant_config()).await;
    for (file_type, bytes) in [("PNG", fake_png()), ("PDF", truncated_pdf())] {
        let r = lkeap_task_outcome(
            &emu,
            json!({ "FileType": file_type, "FileBase64": b64(&bytes) }),
        )
        .await;
        assert_eq!(r["Status"], "Failed", "{file_type}: {r}");
        assert_eq!(r["Error"]["Code"], "FailedOperation.FileParseError");
        assert!(r.get("DocumentRecognizeResultUrl").is_none());
    }
    let r = lkeap_task_outcome(&emu, json!({ "FileType": "PDF", "FileUrl": UNREACHABLE })).await;
    assert_eq!(r["Status"], "Failed", "{r}");
    assert_eq!(r["Error"]["Code"], "InvalidParameter.FileURLInvalid");
    assert!(r["Error"]["Message"]
        .as_str()
        .unwrap()
        .starts_with("url download failed"));
    // The stream answers at once.
    let r = tc3(
        &emu,
        "ReconstructDocumentSSE",
        json!({ "FileType": "PDF", "FileBase64": b64(&truncated_pdf()) }),
    )
    .await;
    assert_eq!(error_code(&r), "FailedOperation.NonsupportParse");
    // A whole file still parses.
    let r = lkeap_task_outcome(
        &emu,
        json!({ "FileType": "PDF", "FileBase64": b64(&pdf_with_text(&[&["ok"]])) }),
    )
    .await;
    assert_eq!(r["Status"], "Success", "{r}");
}

#[tokio::test]
async fn ci_refuses_garbage_and_unreachable_urls() {
    let emu = start(instant_config()).await;
    let bucket = ocr_emulator::DEFAULT_BUCKET;
    emu.put_object(bucket, "in/bad.png", fake_png());
    emu.put_object(bucket, "in/bad.pdf", truncated_pdf());
    let r = CosCall::cos(&emu, "GET", "in/bad.png")
        .query("ci-process", "OCR")
        .send(&emu)
        .await;
    let (status, code, _) = cos_error(r).await;
    assert_eq!((status, code.as_str()), (400, "InvalidImageFormat"));
    let r = CosCall::cos(&emu, "GET", "in/bad.pdf")
        .query("ci-process", "OCR")
        .query("ispdf", "true")
        .send(&emu)
        .await;
    assert_eq!(cos_error(r).await.1, "InvalidImageFormat");
    let r = CosCall::cos(&emu, "GET", "")
        .query("ci-process", "OCR")
        .query("detect-url", UNREACHABLE)
        .send(&emu)
        .await;
    let (status, code, _) = cos_error(r).await;
    assert_eq!((status, code.as_str()), (400, "InvalidImageSource"));

    // A job on the broken object fails with Code and Message.
    let job = "<Request><Tag>ImageOCR</Tag><Input><Object>in/bad.png</Object></Input><Operation><ImageOCR><Type>general</Type></ImageOCR></Operation></Request>";
    let r = CosCall::ci(&emu, "POST", "jobs").body(job).send(&emu).await;
    assert_eq!(r.status(), 200);
    let xml = r.text().await.unwrap();
    let id = xml_value(&xml, "JobId").unwrap();
    let r = CosCall::ci(&emu, "GET", &format!("jobs/{id}"))
        .send(&emu)
        .await;
    let xml = r.text().await.unwrap();
    assert_eq!(xml_value(&xml, "State").as_deref(), Some("Failed"), "{xml}");
    assert_eq!(
        xml_value(&xml, "Code").as_deref(),
        Some("InvalidImageFormat")
    );
    assert!(xml_value(&xml, "Message").unwrap().contains("decoded"));
    assert_eq!(emu.submission_counts().get("CiProcessOCR"), None);
}

#[tokio::test]
async fn picwish_tasks_fail_with_their_state_codes() {
    let emu = start(instant_config()).await;
    let data = picwish_state(&emu, file_form(fake_png(), "scan.png")).await;
    assert_eq!(data["state"], -7, "{data}");
    let data = picwish_state(&emu, file_form(truncated_pdf(), "report.pdf")).await;
    assert_eq!(data["state"], -7, "{data}");
    let data = picwish_state(&emu, Form::new().text("image_url", UNREACHABLE)).await;
    assert_eq!(data["state"], -3, "{data}");
    assert!(data.get("file").is_none());
    let data = picwish_state(
        &emu,
        file_form(jpeg_with_comment(640, 480, "Total: 3"), "ok.jpg"),
    )
    .await;
    assert_eq!(data["state"], 1, "{data}");
}

#[tokio::test]
async fn samples_and_fixture_files_are_still_accepted() {
    let emu = start(instant_config()).await;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/samples");
    let mut inputs: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    assert!(
        inputs.len() >= 4,
        "fixtures/samples holds the sample documents"
    );
    inputs.push(("sample.png".into(), png_with_text(1200, 900, "Total: 3")));
    inputs.push(("large.png".into(), png_with_text(9_000, 9_000, "Big")));
    inputs.push((
        "sample.jpg".into(),
        jpeg_with_comment(1024, 768, "Name: Ada"),
    ));
    inputs.push(("sample.pdf".into(), pdf_with_text(&[&["One"], &["Two"]])));
    for (name, bytes) in inputs {
        let r = tc3(
            &emu,
            "ExtractDocMulti",
            json!({ "ImageBase64": b64(&bytes), "ItemNamesShowMode": false }),
        )
        .await;
        assert!(r.get("Error").is_none(), "{name}: {r}");
        let data = picwish_state(&emu, file_form(bytes.clone(), &name)).await;
        assert_eq!(data["state"], 1, "{name}: {data}");
        let key = format!("samples/{name}");
        emu.put_object(ocr_emulator::DEFAULT_BUCKET, &key, bytes);
        let r = CosCall::cos(&emu, "GET", &key)
            .query("ci-process", "OCR")
            .query(
                "ispdf",
                if name.ends_with(".pdf") {
                    "true"
                } else {
                    "false"
                },
            )
            .send(&emu)
            .await;
        assert_eq!(r.status(), 200, "{name}: {}", r.text().await.unwrap());
    }
}

/// The raw response head of a GET, as written on the wire.
async fn raw_head(emu: &Emulator, path_and_query: &str) -> String {
    let mut stream = tokio::net::TcpStream::connect(emu.local_addr())
        .await
        .unwrap();
    let request = format!(
        "GET {path_and_query} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        host(emu)
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let text = String::from_utf8_lossy(&answer).into_owned();
    text.split("\r\n\r\n").next().unwrap().to_owned()
}

#[tokio::test]
async fn header_names_go_out_in_the_services_case() {
    let emu = start(manual_config()).await;
    emu.put_object(
        ocr_emulator::DEFAULT_BUCKET,
        "wire.txt",
        b"on the wire".to_vec(),
    );
    let url = CosCall::cos(&emu, "GET", "wire.txt").presigned_url(&emu);
    let path = url.strip_prefix(emu.base_url().as_str()).unwrap();
    let head = raw_head(&emu, &format!("/{path}")).await;
    let names: Vec<&str> = head
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(':').map(|(n, _)| n))
        .collect();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    for name in [
        "ETag",
        "Content-Type",
        "Content-Length",
        "Date",
        "Last-Modified",
        "x-cos-request-id",
        "x-cos-hash-crc64ecma",
    ] {
        assert!(names.contains(&name), "`{name}` not in {names:?}");
    }
    // The control API answers in the same case.
    let head = raw_head(&emu, "/_emulator/clock").await;
    assert!(
        head.contains("\r\nContent-Type: application/json"),
        "{head}"
    );
}

#[tokio::test]
async fn a_plus_in_a_query_is_a_space() {
    let emu = start(manual_config()).await;
    emu.put_object(ocr_emulator::DEFAULT_BUCKET, "a.txt", b"x".to_vec());
    // Signed over the decoded value, sent with `+` for spaces as the official SDKs send it.
    let call = CosCall::cos(&emu, "GET", "a.txt").query(
        "response-content-disposition",
        "attachment; filename=a b.txt",
    );
    let authorization = call.signature(&emu).authorization();
    let url = format!(
        "{}a.txt?response-content-disposition=attachment%3B+filename%3Da+b.txt",
        emu.endpoints().cos
    );
    let r = client()
        .get(&url)
        .header("Authorization", authorization)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert_eq!(
        r.headers()["content-disposition"],
        "attachment; filename=a b.txt"
    );

    // API 3.0 GET parameters too.
    let host = host(&emu);
    let query = "ImageUrl=https%3A%2F%2Fexample.com%2Fscan+1.png";
    let signed = tc_signing::sign_tc3(
        &tc_signing::Tc3Request {
            method: "GET",
            host: &host,
            path: "/",
            query,
            content_type: "application/x-www-form-urlencoded",
            extra_signed_headers: &[],
            payload: tc_signing::PayloadHash::Bytes(b""),
        },
        &ocr_emulator::test_credential(),
        "ocr",
        T0,
    );
    let mut rb = client()
        .get(format!("{}?{query}", emu.endpoints().tencent))
        .header("Authorization", signed.authorization())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("X-TC-Action", "GeneralBasicOCR")
        .header("X-TC-Version", "2018-11-19");
    for (k, v) in signed.headers() {
        rb = rb.header(k, v);
    }
    let r: Value = rb.send().await.unwrap().json().await.unwrap();
    let r = success(r["Response"].clone());
    assert_eq!(r["TextDetections"][0]["DetectedText"], "scan 1.png");
}

#[tokio::test]
async fn ci_ignores_a_page_number_without_ispdf() {
    let emu = start(manual_config()).await;
    emu.put_object(
        ocr_emulator::DEFAULT_BUCKET,
        "pic/a.png",
        png_with_text(800, 600, "Hello"),
    );
    // What cos-python-sdk-v5 sends on every call.
    let r = CosCall::cos(&emu, "GET", "pic/a.png")
        .query("ci-process", "OCR")
        .query("ispdf", "false")
        .query("pdf-pagenumber", "1")
        .send(&emu)
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        xml_value(&r.text().await.unwrap(), "DetectedText").as_deref(),
        Some("Hello")
    );
}

#[tokio::test]
async fn lkeap_result_urls_are_cos_presigned_and_expire() {
    let emu = start(instant_config()).await;
    let r = lkeap_task_outcome(
        &emu,
        json!({ "FileType": "PDF", "FileBase64": b64(&pdf_with_text(&[&["Hi"]])) }),
    )
    .await;
    let url = r["DocumentRecognizeResultUrl"].as_str().unwrap().to_owned();
    let parsed = url::Url::parse(&url).unwrap();
    let pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let names: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "q-sign-algorithm",
            "q-ak",
            "q-sign-time",
            "q-key-time",
            "q-header-list",
            "q-url-param-list",
            "q-signature"
        ]
    );
    let value = |name: &str| pairs.iter().find(|(k, _)| k == name).unwrap().1.clone();
    assert_eq!(value("q-sign-algorithm"), "sha1");
    assert!(value("q-ak").starts_with("AKID"));
    let now = emu.clock().now_unix();
    assert_eq!(value("q-sign-time"), format!("{now};{}", now + 30 * 60));
    assert_eq!(value("q-key-time"), value("q-sign-time"));
    let signature = value("q-signature");
    assert!(signature.len() == 40 && signature.bytes().all(|b| b.is_ascii_hexdigit()));
    assert!(parsed.path().starts_with("/files/"));

    // Served by the emulator within its window, with GET only; refused after it.
    assert_eq!(client().get(&url).send().await.unwrap().status(), 200);
    assert_eq!(client().head(&url).send().await.unwrap().status(), 403);
    emu.clock().advance(Duration::from_secs(30 * 60 + 1));
    let (status, code, body) = cos_error(client().get(&url).send().await.unwrap()).await;
    assert_eq!((status, code.as_str()), (403, "AccessDenied"));
    assert!(body.contains("Request has expired"));
}

//! Every validation rule: a typed `InvalidInput` error naming the wire field, and nothing sent.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::future::Future;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use common::*;
use lkeap::{
    CreateReconstructDocumentFlowRequest, CreateSplitDocumentFlowConfig,
    CreateSplitDocumentFlowRequest, FileType, Lkeap, ReconstructDocumentSseRequest, Site,
    SiteRules,
};
use ocr_core::{Error, ErrorKind, Job, OcrProvider, PageRange, Request, Result};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A server that fails the test if it receives anything.
async fn silent_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    server
}

/// Runs `call` against a silent server and returns its error, after checking nothing was sent.
async fn refused<T, F, Fut>(site: Site, call: F) -> Error
where
    T: std::fmt::Debug,
    F: FnOnce(Lkeap) -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let server = silent_server().await;
    let client = builder(&server)
        .site(site)
        .region(site.default_region())
        .build()
        .unwrap();
    let err = call(client).await.unwrap_err();
    assert!(
        server.received_requests().await.unwrap().is_empty(),
        "a request was sent for: {err}"
    );
    err
}

fn assert_invalid(err: &Error, field: &str, says: &str) {
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    assert_eq!(err.field(), Some(field), "{err}");
    assert!(err.message().contains(says), "{err:?} should say {says:?}");
}

fn b64_png(w: u32, h: u32) -> String {
    STANDARD.encode(png(w, h))
}

// ----- typed API: CreateReconstructDocumentFlow ---------------------------------------------

#[tokio::test]
async fn file_type_not_offered_on_the_site() {
    let err = refused(Site::International, |c| async move {
        c.create_reconstruct_document_flow(&CreateReconstructDocumentFlowRequest::from_url(
            FileType::Wps,
            "https://e.com/a.wps",
        ))
        .await
    })
    .await;
    assert_invalid(
        &err,
        "FileType",
        "WPS is not accepted by CreateReconstructDocumentFlow",
    );
}

#[tokio::test]
async fn a_url_or_base64_is_required() {
    let err = refused(Site::Domestic, |c| async move {
        let mut req = CreateReconstructDocumentFlowRequest::from_url(FileType::Pdf, "x");
        req.file_url = None;
        c.create_reconstruct_document_flow(&req).await
    })
    .await;
    assert_invalid(&err, "FileUrl", "or FileBase64 is required");
}

#[tokio::test]
async fn file_url_must_be_http() {
    let err = refused(Site::Domestic, |c| async move {
        c.create_reconstruct_document_flow(&CreateReconstructDocumentFlowRequest::from_url(
            FileType::Pdf,
            "file:///etc/passwd",
        ))
        .await
    })
    .await;
    assert_invalid(&err, "FileUrl", "must use http or https");
    let err = refused(Site::Domestic, |c| async move {
        c.create_reconstruct_document_flow(&CreateReconstructDocumentFlowRequest::from_url(
            FileType::Pdf,
            "not a url",
        ))
        .await
    })
    .await;
    assert_invalid(&err, "FileUrl", "is not a valid URL");
}

#[tokio::test]
async fn base64_only_for_the_documented_types() {
    let err = refused(Site::Domestic, |c| async move {
        c.create_reconstruct_document_flow(&CreateReconstructDocumentFlowRequest::from_base64(
            FileType::Docx,
            "UEsDBA==",
        ))
        .await
    })
    .await;
    assert_invalid(
        &err,
        "FileBase64",
        "is accepted only for PDF, PNG, JPG, JPEG, BMP, GIF, TIFF",
    );
    // GIF inline is domestic only.
    let err = refused(Site::International, |c| async move {
        c.create_reconstruct_document_flow(&CreateReconstructDocumentFlowRequest::from_base64(
            FileType::Gif,
            STANDARD.encode(b"GIF89a\x40\x00\x40\x00"),
        ))
        .await
    })
    .await;
    assert_invalid(&err, "FileBase64", "not GIF");
}

#[tokio::test]
async fn base64_at_most_8_mb_after_encoding() {
    let big = "A".repeat(8 * 1024 * 1024 + 4);
    let err = refused(Site::Domestic, |c| async move {
        c.create_reconstruct_document_flow(&CreateReconstructDocumentFlowRequest::from_base64(
            FileType::Pdf,
            big,
        ))
        .await
    })
    .await;
    assert_invalid(&err, "FileBase64", "over the limit of 8388608 bytes");
}

#[tokio::test]
async fn base64_must_decode() {
    let err = refused(Site::Domestic, |c| async move {
        c.create_reconstruct_document_flow(&CreateReconstructDocumentFlowRequest::from_base64(
            FileType::Png,
            "not base64!",
        ))
        .await
    })
    .await;
    assert_invalid(&err, "FileBase64", "is not valid base64");
}

#[tokio::test]
async fn base64_content_must_match_the_file_type() {
    let err = refused(Site::Domestic, |c| async move {
        c.create_reconstruct_document_flow(&CreateReconstructDocumentFlowRequest::from_base64(
            FileType::Pdf,
            b64_png(100, 100),
        ))
        .await
    })
    .await;
    assert_invalid(&err, "FileType", "is PDF but FileBase64 holds a PNG file");
}

#[tokio::test]
async fn inline_images_between_20_and_10000_pixels() {
    for (w, h) in [(19, 100), (100, 10_001)] {
        let err = refused(Site::Domestic, |c| async move {
            c.create_reconstruct_document_flow(&CreateReconstructDocumentFlowRequest::from_base64(
                FileType::Png,
                b64_png(w, h),
            ))
            .await
        })
        .await;
        assert_invalid(&err, "FileBase64", "each side must be between 20 and 10000");
    }
}

#[tokio::test]
async fn pages_are_numbered_from_one() {
    let err = refused(Site::Domestic, |c| async move {
        c.create_reconstruct_document_flow(
            &CreateReconstructDocumentFlowRequest::from_url(FileType::Pdf, "https://e.com/a.pdf")
                .with_pages(0, 3),
        )
        .await
    })
    .await;
    assert_invalid(&err, "FileStartPageNumber", "numbered from 1");
}

#[tokio::test]
async fn page_range_must_not_be_reversed() {
    let err = refused(Site::Domestic, |c| async move {
        c.create_reconstruct_document_flow(
            &CreateReconstructDocumentFlowRequest::from_url(FileType::Pdf, "https://e.com/a.pdf")
                .with_pages(5, 2),
        )
        .await
    })
    .await;
    assert_invalid(
        &err,
        "FileEndPageNumber",
        "must not be before FileStartPageNumber",
    );
}

#[tokio::test]
async fn page_range_only_for_paged_documents() {
    let err = refused(Site::Domestic, |c| async move {
        c.create_reconstruct_document_flow(
            &CreateReconstructDocumentFlowRequest::from_url(FileType::Png, "https://e.com/a.png")
                .with_pages(1, 1),
        )
        .await
    })
    .await;
    assert_invalid(
        &err,
        "FileStartPageNumber",
        "applies only to paged documents",
    );
}

#[tokio::test]
async fn region_must_be_documented_for_the_action() {
    let server = silent_server().await;
    let client = builder(&server).region("ap-beijing").build().unwrap();
    let err = client
        .reconstruct_document_sse(&ReconstructDocumentSseRequest::from_url(
            FileType::Pdf,
            "https://e.com/a.pdf",
        ))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert_eq!(err.field(), Some("Region"));
    assert!(err.message().contains("ap-guangzhou, ap-shanghai"), "{err}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

// ----- typed API: other actions -------------------------------------------------------------

#[tokio::test]
async fn task_id_is_required() {
    let err = refused(Site::Domestic, |c| async move {
        c.get_reconstruct_document_result("").await
    })
    .await;
    assert_invalid(&err, "TaskId", "is required");
    let err = refused(Site::Domestic, |c| async move {
        c.get_split_document_result(" ").await
    })
    .await;
    assert_invalid(&err, "TaskId", "is required");
}

#[tokio::test]
async fn split_requires_a_url() {
    let err = refused(Site::Domestic, |c| async move {
        let mut req = CreateSplitDocumentFlowRequest::new(FileType::Pdf, "");
        req.file_base64 = Some("JVBERi0xLjc=".into());
        c.create_split_document_flow(&req).await
    })
    .await;
    assert_invalid(&err, "FileUrl", "is required by CreateSplitDocumentFlow");
}

#[tokio::test]
async fn split_accepts_only_its_types() {
    let err = refused(Site::Domestic, |c| async move {
        c.create_split_document_flow(&CreateSplitDocumentFlowRequest::new(
            FileType::Gif,
            "https://e.com/a.gif",
        ))
        .await
    })
    .await;
    assert_invalid(
        &err,
        "FileType",
        "GIF is not accepted by CreateSplitDocumentFlow",
    );
}

#[tokio::test]
async fn split_chunk_size_must_be_positive() {
    let err = refused(Site::Domestic, |c| async move {
        c.create_split_document_flow(
            &CreateSplitDocumentFlowRequest::new(FileType::Pdf, "https://e.com/a.pdf")
                .with_config(CreateSplitDocumentFlowConfig::default().with_max_chunk_size(0)),
        )
        .await
    })
    .await;
    assert_invalid(&err, "MaxChunkSize", "at least 1");
}

#[tokio::test]
async fn sse_refuses_types_it_does_not_parse() {
    let err = refused(Site::Domestic, |c| async move {
        c.reconstruct_document_sse(&ReconstructDocumentSseRequest::from_url(
            FileType::Html,
            "https://e.com/a.html",
        ))
        .await
    })
    .await;
    assert_invalid(
        &err,
        "FileType",
        "HTML is not accepted by ReconstructDocumentSSE",
    );
}

#[tokio::test]
async fn domestic_only_actions_are_refused_internationally() {
    let err = refused(
        Site::International,
        |c| async move { c.cancel_task("t").await },
    )
    .await;
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    let err = refused(Site::International, |c| async move {
        c.get_character_usage().await
    })
    .await;
    assert_eq!(err.kind(), ErrorKind::Unsupported);
}

// ----- provider interface -------------------------------------------------------------------

#[tokio::test]
async fn provider_local_file_of_a_type_that_cannot_go_inline() {
    let docx = b"PK\x03\x04\x14\x00\x06\x00word/document.xml".to_vec();
    let err = refused(Site::Domestic, |c| async move {
        c.submit(&Request::from_bytes(docx, Some("a.docx"))).await
    })
    .await;
    assert_invalid(&err, "FileBase64", "cannot carry a local DOCX file");
}

#[tokio::test]
async fn provider_documented_size_limit_per_type() {
    let md = vec![b'a'; 10 * 1024 * 1024 + 1];
    let err = refused(Site::Domestic, |c| async move {
        c.submit(&Request::from_bytes(md, Some("notes.md"))).await
    })
    .await;
    assert_invalid(&err, "FileBase64", "MD documents are limited to 10 MB");
}

#[tokio::test]
async fn provider_inline_file_at_most_8_mb_encoded() {
    let mut big = png(1000, 1000);
    big.resize(6 * 1024 * 1024 + 1, 0);
    let err = refused(Site::Domestic, |c| async move {
        c.submit(&Request::from_bytes(big, Some("big.png"))).await
    })
    .await;
    assert_invalid(&err, "FileBase64", "over the limit of 8388608 bytes");
}

#[tokio::test]
async fn provider_file_type_must_be_recognisable() {
    let err = refused(Site::Domestic, |c| async move {
        c.submit(&Request::from_bytes(vec![0u8, 1, 2, 3], Some("blob.bin")))
            .await
    })
    .await;
    assert_invalid(&err, "FileType", "cannot be told");
    // A name claiming a format the content does not have.
    let err = refused(Site::Domestic, |c| async move {
        c.submit(&Request::from_bytes(
            b"plain text".to_vec(),
            Some("photo.png"),
        ))
        .await
    })
    .await;
    assert_invalid(&err, "FileType", "cannot be told");
}

#[tokio::test]
async fn provider_url_needs_an_extension() {
    let err = refused(Site::Domestic, |c| async move {
        c.submit(&Request::from_url("https://e.com/download?id=7").unwrap())
            .await
    })
    .await;
    assert_invalid(&err, "FileType", "has no supported file extension");
}

#[tokio::test]
async fn provider_empty_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.pdf");
    std::fs::write(&path, b"").unwrap();
    let err = refused(Site::Domestic, |c| async move {
        c.submit(&Request::from_path(&path)).await
    })
    .await;
    assert_invalid(&err, "FileBase64", "would be empty");
}

#[tokio::test]
async fn provider_image_sides() {
    let err = refused(Site::Domestic, |c| async move {
        c.submit(&Request::from_bytes(png(10_001, 50), Some("wide.png")))
            .await
    })
    .await;
    assert_invalid(&err, "FileBase64", "each side must be between 20 and 10000");
}

#[tokio::test]
async fn provider_page_range_on_an_image() {
    let err = refused(Site::Domestic, |c| async move {
        c.submit(
            &Request::from_bytes(png(100, 100), Some("a.png"))
                .with_pages(PageRange::new(1, 2).unwrap()),
        )
        .await
    })
    .await;
    assert_invalid(
        &err,
        "FileStartPageNumber",
        "applies only to paged documents",
    );
}

#[tokio::test]
async fn provider_refuses_foreign_jobs() {
    let err = refused(Site::Domestic, |c| async move {
        c.poll(&Job::new("picwish", "t", NOW)).await
    })
    .await;
    assert_invalid(&err, "job", "belongs to provider picwish");
    let err = refused(Site::Domestic, |c| async move {
        c.poll(&Job::new("lkeap", "t", NOW).with_meta("region", "ap-beijing"))
            .await
    })
    .await;
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(err.message().contains("region ap-beijing"), "{err}");
    // A job of the other site.
    let err = refused(Site::International, |c| async move {
        c.poll(&Job::new("lkeap", "t", NOW).with_meta("site", "domestic"))
            .await
    })
    .await;
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(err.message().contains("site domestic"), "{err}");
    let err = refused(Site::Domestic, |c| async move {
        c.poll(&Job::new("lkeap", "t", NOW).with_meta("site", "intl"))
            .await
    })
    .await;
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(err.message().contains("site intl"), "{err}");
}

#[tokio::test]
async fn provider_pages_are_one_range_within_the_document() {
    let err = refused(Site::Domestic, |c| async move {
        c.submit(
            &Request::from_url("https://e.com/a.pdf")
                .unwrap()
                .with_pages("1-2,5".parse::<ocr_core::PageSet>().unwrap()),
        )
        .await
    })
    .await;
    assert_invalid(&err, "pages", "one contiguous page range");
    let pdf = ocr_emulator::samples::pdf_with_text(&[&["one"], &["two"]]);
    let err = refused(Site::Domestic, |c| async move {
        c.submit(&Request::from_bytes(pdf, Some("a.pdf")).with_pages(PageRange::new(2, 3).unwrap()))
            .await
    })
    .await;
    assert_invalid(
        &err,
        "pages",
        "asks for page 3 but the document has 2 pages",
    );
    assert_eq!(err.provider(), Some("lkeap"));
    // An option LKEAP does not honour.
    let err = refused(Site::Domestic, |c| async move {
        c.submit(
            &Request::from_url("https://e.com/a.pdf")
                .unwrap()
                .with_field_names(["Total"]),
        )
        .await
    })
    .await;
    assert_invalid(&err, "field_names", "does not honour");
    assert!(err.message().contains("lkeap"), "{err}");
}

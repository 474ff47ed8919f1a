//! Every input rule: a typed `InvalidInput` error naming the wire field and the rule, and
//! nothing sent (the server fails the test if it receives anything).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use common::*;
use ocr_core::{DocumentKind, Error, ErrorKind, OcrProvider, OutputKind, PageRange, Request};
use tc_ocr::limits::{CARD_MAX_BASE64_LEN, MAX_BASE64_LEN};
use tc_ocr::{
    ApplyCardVerificationExternalRequest, ExtractDocMultiRequest, GeneralAccurateOcrRequest,
    GeneralBasicOcrRequest, GetCardVerificationExternalResultRequest,
};

fn check(err: Error, operation: &str, field: &str, rule: &str) {
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    assert_eq!(err.field(), Some(field), "{err}");
    assert_eq!(err.provider(), Some("tc-ocr"), "{err}");
    assert_eq!(err.operation(), Some(operation), "{err}");
    assert!(
        err.message().contains(rule),
        "{err:?} does not say {rule:?}"
    );
    assert!(
        err.to_string()
            .starts_with(&format!("tc-ocr {operation}: invalid input: `{field}` ")),
        "{err}"
    );
}

async fn edm(req: ExtractDocMultiRequest, field: &str, rule: &str) {
    let server = silent_server().await;
    let err = client(&server).extract_doc_multi(&req).await.unwrap_err();
    check(err, "ExtractDocMulti", field, rule);
    assert_nothing_sent(&server).await;
}

async fn accurate(req: GeneralAccurateOcrRequest, field: &str, rule: &str) {
    let server = silent_server().await;
    let err = client(&server)
        .general_accurate_ocr(&req)
        .await
        .unwrap_err();
    check(err, "GeneralAccurateOCR", field, rule);
    assert_nothing_sent(&server).await;
}

async fn apply(req: ApplyCardVerificationExternalRequest, field: &str, rule: &str) {
    let server = silent_server().await;
    let err = client(&server)
        .apply_card_verification_external(&req)
        .await
        .unwrap_err();
    check(err, "ApplyCardVerificationExternal", field, rule);
    assert_nothing_sent(&server).await;
}

async fn recognize(request: Request, operation: &str, field: &str, rule: &str) {
    let server = silent_server().await;
    let ocr = builder(&server).build().unwrap();
    let err = ocr.recognize(&request).await.unwrap_err();
    check(err, operation, field, rule);
    assert_nothing_sent(&server).await;
}

fn card() -> ApplyCardVerificationExternalRequest {
    ApplyCardVerificationExternalRequest::new("PHL", "ID_CARD")
}

// --- exactly one of URL or bytes ---

#[tokio::test]
async fn extract_doc_multi_needs_a_source() {
    edm(
        ExtractDocMultiRequest::default(),
        "ImageUrl",
        "give exactly one of ImageUrl or ImageBase64",
    )
    .await;
}

#[tokio::test]
async fn extract_doc_multi_refuses_both_sources() {
    let req = ExtractDocMultiRequest {
        image_base64: Some(b64(&png(100, 100))),
        ..ExtractDocMultiRequest::from_url("https://example.com/a.png")
    };
    edm(req, "ImageBase64", "must not be set together with ImageUrl").await;
}

#[tokio::test]
async fn general_ocr_needs_exactly_one_source() {
    accurate(
        GeneralAccurateOcrRequest::default(),
        "ImageUrl",
        "give exactly one",
    )
    .await;
    let server = silent_server().await;
    let req = GeneralBasicOcrRequest {
        image_url: Some("https://example.com/a.png".into()),
        ..GeneralBasicOcrRequest::from_base64(b64(&png(100, 100)))
    };
    let err = client(&server).general_basic_ocr(&req).await.unwrap_err();
    check(
        err,
        "GeneralBasicOCR",
        "ImageBase64",
        "must not be set together",
    );
    assert_nothing_sent(&server).await;
}

#[tokio::test]
async fn card_needs_exactly_one_front_and_at_most_one_back() {
    apply(
        card(),
        "ImageUrlFront",
        "give exactly one of ImageUrlFront or ImageBase64Front",
    )
    .await;
    let both_front = ApplyCardVerificationExternalRequest {
        image_url_front: Some("https://example.com/f.jpg".into()),
        image_base64_front: Some(b64(&jpeg(600, 400))),
        ..card()
    };
    apply(
        both_front,
        "ImageBase64Front",
        "must not be set together with ImageUrlFront",
    )
    .await;
    let both_back = ApplyCardVerificationExternalRequest {
        image_url_front: Some("https://example.com/f.jpg".into()),
        image_url_back: Some("https://example.com/b.jpg".into()),
        image_base64_back: Some(b64(&jpeg(600, 400))),
        ..card()
    };
    apply(
        both_back,
        "ImageBase64Back",
        "must not be set together with ImageUrlBack",
    )
    .await;
}

// --- base64 size, after encoding ---

#[tokio::test]
async fn base64_over_10_mib_is_refused() {
    let mut big = b64(&png(100, 100));
    big.push_str(&"A".repeat(MAX_BASE64_LEN + 1 - big.len()));
    assert_eq!(big.len(), MAX_BASE64_LEN + 1);
    edm(
        ExtractDocMultiRequest::from_base64(big.clone()),
        "ImageBase64",
        "is 10485761 characters long; at most 10485760 (10 MiB after base64 encoding)",
    )
    .await;
    accurate(
        GeneralAccurateOcrRequest::from_base64(big),
        "ImageBase64",
        "at most 10485760",
    )
    .await;
}

#[tokio::test]
async fn a_base64_of_exactly_10_mib_passes_validation() {
    let server = wiremock::MockServer::start().await;
    answer(&server, "ExtractDocMulti", json(SEED_EDM_RESPONSE), 1).await;
    // The length is checked before decoding; only the first bytes are decoded to sniff.
    let mut exact = b64(&png(100, 100));
    exact.push_str(&"A".repeat(MAX_BASE64_LEN - exact.len()));
    client(&server)
        .extract_doc_multi(&ExtractDocMultiRequest::from_base64(exact))
        .await
        .unwrap();
}

#[tokio::test]
async fn card_base64_over_2_mib_is_refused() {
    let mut big = b64(&jpeg(600, 400));
    big.push_str(&"A".repeat(CARD_MAX_BASE64_LEN + 4 - big.len()));
    let req = ApplyCardVerificationExternalRequest {
        image_base64_front: Some(big),
        ..card()
    };
    apply(
        req,
        "ImageBase64Front",
        "at most 2097152 (2 MiB after base64 encoding)",
    )
    .await;
}

#[tokio::test]
async fn a_local_file_whose_base64_would_exceed_10_mib_is_refused() {
    let mut data = png(100, 100);
    data.resize(7_864_321, 0);
    recognize(
        Request::from_bytes(data, Some("big.png")),
        "GeneralAccurateOCR",
        "ImageBase64",
        "would be 10485764 characters after base64 encoding (7864321 bytes); at most 10485760",
    )
    .await;
}

#[tokio::test]
async fn empty_and_malformed_base64_are_refused() {
    edm(
        ExtractDocMultiRequest::from_base64(""),
        "ImageBase64",
        "must not be empty",
    )
    .await;
    edm(
        ExtractDocMultiRequest::from_base64("not base64!"),
        "ImageBase64",
        "is not valid base64",
    )
    .await;
}

// --- formats ---

#[tokio::test]
async fn extract_doc_multi_refuses_gif() {
    edm(
        ExtractDocMultiRequest::from_base64(b64(&gif(100, 100))),
        "ImageBase64",
        "is gif, which this provider does not accept",
    )
    .await;
    recognize(
        Request::from_bytes(gif(100, 100), Some("a.gif")).with_output(OutputKind::Fields),
        "ExtractDocMulti",
        "ImageBase64",
        "is gif",
    )
    .await;
}

#[tokio::test]
async fn unrecognised_content_is_refused() {
    edm(
        ExtractDocMultiRequest::from_base64(b64(b"just some text, not a document")),
        "ImageBase64",
        "is not a recognised document format",
    )
    .await;
}

#[tokio::test]
async fn card_images_must_be_png_or_jpeg() {
    let req = ApplyCardVerificationExternalRequest {
        image_base64_front: Some(b64(&gif(600, 400))),
        ..card()
    };
    apply(req, "ImageBase64Front", "is gif").await;
    let pdf_front = ApplyCardVerificationExternalRequest {
        image_base64_front: Some(b64(&pdf())),
        ..card()
    };
    apply(pdf_front, "ImageBase64Front", "is pdf").await;
}

// --- pixel bounds, where the header tells them ---

#[tokio::test]
async fn extract_doc_multi_pixel_bounds() {
    edm(
        ExtractDocMultiRequest::from_base64(b64(&png(19, 500))),
        "ImageBase64",
        "image is 19x500 pixels; each side must be at least 20",
    )
    .await;
    edm(
        ExtractDocMultiRequest::from_base64(b64(&jpeg(10_001, 500))),
        "ImageBase64",
        "image is 10001x500 pixels; each side must be at most 10000",
    )
    .await;
}

#[tokio::test]
async fn card_pixel_bounds_depend_on_return_head_image() {
    let small = ApplyCardVerificationExternalRequest {
        image_base64_front: Some(b64(&jpeg(255, 400))),
        ..card()
    };
    apply(small, "ImageBase64Front", "each side must be at least 256").await;
    let large = ApplyCardVerificationExternalRequest {
        image_base64_front: Some(b64(&png(4097, 400))),
        ..card()
    };
    apply(large, "ImageBase64Front", "each side must be at most 4096").await;
    let png_head = ApplyCardVerificationExternalRequest {
        image_base64_front: Some(b64(&png(2001, 400))),
        return_head_image: Some(true),
        ..card()
    };
    apply(
        png_head,
        "ImageBase64Front",
        "with ReturnHeadImage a non-JPEG image may be at most 2000",
    )
    .await;
    let jpeg_head = ApplyCardVerificationExternalRequest {
        image_base64_front: Some(b64(&jpeg(4001, 400))),
        return_head_image: Some(true),
        ..card()
    };
    apply(
        jpeg_head,
        "ImageBase64Front",
        "each side must be at most 4000",
    )
    .await;
    let back = ApplyCardVerificationExternalRequest {
        image_url_front: Some("https://example.com/f.jpg".into()),
        image_base64_back: Some(b64(&png(100, 100))),
        ..card()
    };
    apply(back, "ImageBase64Back", "each side must be at least 256").await;
}

// --- PdfPageNumber ---

#[tokio::test]
async fn pdf_page_number_must_be_at_least_one() {
    edm(
        ExtractDocMultiRequest {
            pdf_page_number: Some(0),
            ..ExtractDocMultiRequest::from_base64(b64(&pdf()))
        },
        "PdfPageNumber",
        "must be at least 1",
    )
    .await;
    accurate(
        GeneralAccurateOcrRequest {
            is_pdf: Some(true),
            pdf_page_number: Some(0),
            ..GeneralAccurateOcrRequest::from_base64(b64(&pdf()))
        },
        "PdfPageNumber",
        "must be at least 1",
    )
    .await;
}

#[tokio::test]
async fn pdf_page_number_only_with_a_pdf() {
    edm(
        ExtractDocMultiRequest {
            pdf_page_number: Some(1),
            ..ExtractDocMultiRequest::from_base64(b64(&png(100, 100)))
        },
        "PdfPageNumber",
        "applies only to a PDF, and ImageBase64 holds png",
    )
    .await;
    accurate(
        GeneralAccurateOcrRequest {
            pdf_page_number: Some(1),
            ..GeneralAccurateOcrRequest::from_url("https://example.com/a.pdf")
        },
        "PdfPageNumber",
        "applies only to a PDF: set IsPdf to true",
    )
    .await;
    recognize(
        Request::from_bytes(png(100, 100), None).with_pages(PageRange::single(1).unwrap()),
        "GeneralAccurateOCR",
        "PdfPageNumber",
        "applies only to a PDF, and the source is png",
    )
    .await;
}

#[tokio::test]
async fn is_pdf_must_match_the_content() {
    accurate(
        GeneralAccurateOcrRequest {
            is_pdf: Some(true),
            ..GeneralAccurateOcrRequest::from_base64(b64(&png(100, 100)))
        },
        "IsPdf",
        "is true, but ImageBase64 holds png, not a PDF",
    )
    .await;
    accurate(
        GeneralAccurateOcrRequest::from_base64(b64(&pdf())),
        "IsPdf",
        "must be true when ImageBase64 holds a PDF",
    )
    .await;
}

// Several pages are recognised one call each (see `provider.rs`); what is still refused before
// sending is a page the PDF does not have, and a PDF by URL whose pages are not named.
#[tokio::test]
async fn pdf_pages_must_exist_and_be_named_for_a_pdf_url() {
    recognize(
        Request::from_bytes(pdf_pages(2), None).with_pages(PageRange::new(2, 3).unwrap()),
        "GeneralAccurateOCR",
        "PdfPageNumber",
        "asks for page 3 but the document has 2 pages",
    )
    .await;
    recognize(
        Request::from_bytes(pdf_pages(2), None)
            .with_output(OutputKind::Fields)
            .with_pages(PageRange::single(5).unwrap()),
        "ExtractDocMulti",
        "PdfPageNumber",
        "asks for page 5 but the document has 2 pages",
    )
    .await;
    recognize(
        Request::from_url("https://example.com/report.pdf").unwrap(),
        "GeneralAccurateOCR",
        "PdfPageNumber",
        "is needed for a PDF given by URL",
    )
    .await;
}

// --- URLs ---

#[tokio::test]
async fn urls_must_be_http_or_https() {
    edm(
        ExtractDocMultiRequest::from_url("ftp://example.com/a.png"),
        "ImageUrl",
        "URL scheme must be http or https, not ftp",
    )
    .await;
    edm(
        ExtractDocMultiRequest::from_url("not a url"),
        "ImageUrl",
        "is not a valid URL",
    )
    .await;
    let hook = ApplyCardVerificationExternalRequest {
        image_url_front: Some("https://example.com/f.jpg".into()),
        webhook_url: Some("ftp://example.com/hook".into()),
        ..card()
    };
    apply(hook, "WebhookUrl", "URL scheme must be http or https").await;
}

// --- required card fields and the token ---

#[tokio::test]
async fn card_nationality_and_type_are_required() {
    let no_nationality = ApplyCardVerificationExternalRequest {
        image_url_front: Some("https://example.com/f.jpg".into()),
        ..ApplyCardVerificationExternalRequest::new("", "ID_CARD")
    };
    apply(no_nationality, "Nationality", "is required").await;
    let no_type = ApplyCardVerificationExternalRequest {
        image_url_front: Some("https://example.com/f.jpg".into()),
        ..ApplyCardVerificationExternalRequest::new("PHL", " ")
    };
    apply(no_type, "CardType", "is required").await;
    recognize(
        Request::from_url("https://example.com/id.jpg")
            .unwrap()
            .with_document_kind(DocumentKind::IdCard),
        "ApplyCardVerificationExternal",
        "Nationality",
        "in the request options or with TencentOcrBuilder::card_nationality",
    )
    .await;
}

#[tokio::test]
async fn layout_is_refused_for_identity_documents_not_dropped() {
    recognize(
        Request::from_url("https://example.com/id.jpg")
            .unwrap()
            .with_document_kind(DocumentKind::IdCard)
            .with_output(OutputKind::Layout),
        "ApplyCardVerificationExternal",
        "outputs",
        "layout output",
    )
    .await;
}

#[tokio::test]
async fn the_result_call_needs_a_token() {
    for token in ["", "   "] {
        let server = silent_server().await;
        let ocr = client(&server);
        let err = ocr
            .get_card_verification_external_result(&GetCardVerificationExternalResultRequest::new(
                token,
            ))
            .await
            .unwrap_err();
        check(
            err,
            "GetCardVerificationExternalResult",
            "CardVerificationToken",
            "is required",
        );
        let err = ocr
            .wait_card_verification_external_result(token, &fast_poll())
            .await
            .unwrap_err();
        check(
            err,
            "GetCardVerificationExternalResult",
            "CardVerificationToken",
            "is required",
        );
        assert_nothing_sent(&server).await;
    }
}

#[tokio::test]
async fn a_missing_file_is_refused() {
    recognize(
        Request::from_path("/definitely/not/here/scan.png"),
        "GeneralAccurateOCR",
        "ImageBase64",
        "cannot read",
    )
    .await;
}

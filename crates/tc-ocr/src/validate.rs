//! The checks every request passes before anything is sent. Each refusal is an
//! [`ErrorKind::InvalidInput`](ocr_core::ErrorKind::InvalidInput) error naming the wire field and
//! the rule.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use ocr_core::request::{inspect, SourceInfo, SNIFF_LEN};
use ocr_core::{Error, Format, InputLimits, Result, Source};

use crate::card_verification::{
    ApplyCardVerificationExternalRequest, GetCardVerificationExternalResultRequest,
};
use crate::extract_doc_multi::ExtractDocMultiRequest;
use crate::general_ocr::{GeneralAccurateOcrRequest, GeneralBasicOcrRequest};
use crate::limits;

/// Base64 characters decoded to recognise the format: enough for [`SNIFF_LEN`] bytes.
const HEAD_BASE64_LEN: usize = SNIFF_LEN / 3 * 4;

/// Renames the neutral `source` field of an [`inspect`] refusal to the wire field.
pub(crate) fn rename_source(field: &'static str) -> impl Fn(Error) -> Error {
    move |err| {
        if err.field() == Some("source") {
            err.with_field(field)
        } else {
            err
        }
    }
}

/// `data:image/jpeg;base64,` prefixes (the card examples send one) are not part of the payload.
fn strip_data_url(value: &str) -> &str {
    if value.starts_with("data:") {
        if let Some((_, rest)) = value.split_once(";base64,") {
            return rest;
        }
    }
    value
}

/// Checks a base64 field: its length after encoding, that it decodes, and (from its first
/// bytes) the format and pixel bounds against `limits`.
pub(crate) async fn base64_field(
    field: &'static str,
    value: &str,
    limits: &InputLimits,
    max_len: usize,
) -> Result<SourceInfo> {
    if value.len() > max_len {
        return Err(Error::invalid_input(
            field,
            format!(
                "is {} characters long; at most {} ({} MiB after base64 encoding) are accepted",
                value.len(),
                max_len,
                max_len / (1024 * 1024)
            ),
        ));
    }
    let payload = strip_data_url(value).as_bytes();
    if payload.is_empty() {
        return Err(Error::invalid_input(field, "must not be empty"));
    }
    let head = if payload.len() <= HEAD_BASE64_LEN {
        payload
    } else {
        &payload[..HEAD_BASE64_LEN]
    };
    let bytes = STANDARD.decode(head).map_err(|e| {
        Error::invalid_input(
            field,
            "is not valid base64 (standard alphabet, padded, no line breaks)",
        )
        .with_source(e)
    })?;
    let mut unbounded = limits.clone();
    unbounded.max_bytes = u64::MAX; // the encoded length was checked above
    let source = Source::Bytes {
        data: bytes.into(),
        file_name: None,
    };
    inspect(&source, &unbounded)
        .await
        .map_err(rename_source(field))
}

/// Checks a URL field: it parses, is http or https, has a host.
pub(crate) async fn url_field(
    field: &'static str,
    value: &str,
    limits: &InputLimits,
) -> Result<()> {
    let url = url::Url::parse(value).map_err(|e| {
        Error::invalid_input(field, format!("is not a valid URL ({e})")).with_source(e)
    })?;
    inspect(&Source::Url(url), limits)
        .await
        .map(|_| ())
        .map_err(rename_source(field))
}

/// Exactly one of a URL field and a base64 field; returns what the base64 holds, if given.
async fn one_image(
    url: (&'static str, &Option<String>),
    base64: (&'static str, &Option<String>),
    limits: &InputLimits,
    max_len: usize,
) -> Result<Option<SourceInfo>> {
    match (url.1, base64.1) {
        (Some(_), Some(_)) => Err(Error::invalid_input(
            base64.0,
            format!(
                "must not be set together with {}: give exactly one of {} or {}",
                url.0, url.0, base64.0
            ),
        )),
        (None, None) => Err(Error::invalid_input(
            url.0,
            format!("is missing: give exactly one of {} or {}", url.0, base64.0),
        )),
        (Some(u), None) => url_field(url.0, u, limits).await.map(|_| None),
        (None, Some(b)) => base64_field(base64.0, b, limits, max_len).await.map(Some),
    }
}

fn page_number_at_least_one(page: Option<u64>) -> Result<()> {
    if page == Some(0) {
        return Err(Error::invalid_input(
            "PdfPageNumber",
            "must be at least 1 (pages are 1-based)",
        ));
    }
    Ok(())
}

fn format_of(info: &Option<SourceInfo>) -> Option<Format> {
    info.as_ref().and_then(|i| i.format)
}

/// ExtractDocMulti: one image source; size, format (no GIF) and 20–10000 px; `PdfPageNumber`
/// ≥ 1 and only for a PDF.
pub(crate) async fn extract_doc_multi(req: &ExtractDocMultiRequest) -> Result<()> {
    let info = one_image(
        ("ImageUrl", &req.image_url),
        ("ImageBase64", &req.image_base64),
        &limits::extract_doc_multi(),
        limits::MAX_BASE64_LEN,
    )
    .await?;
    page_number_at_least_one(req.pdf_page_number)?;
    if let (Some(_), Some(format)) = (req.pdf_page_number, format_of(&info)) {
        if format != Format::Pdf {
            return Err(Error::invalid_input(
                "PdfPageNumber",
                format!("applies only to a PDF, and ImageBase64 holds {format}"),
            ));
        }
    }
    Ok(())
}

/// The rules GeneralAccurateOCR and GeneralBasicOCR share.
async fn general(
    image_url: &Option<String>,
    image_base64: &Option<String>,
    is_pdf: Option<bool>,
    pdf_page_number: Option<u64>,
) -> Result<()> {
    let info = one_image(
        ("ImageUrl", image_url),
        ("ImageBase64", image_base64),
        &limits::general_ocr(),
        limits::MAX_BASE64_LEN,
    )
    .await?;
    page_number_at_least_one(pdf_page_number)?;
    let is_pdf = is_pdf.unwrap_or(false);
    if pdf_page_number.is_some() && !is_pdf {
        return Err(Error::invalid_input(
            "PdfPageNumber",
            "applies only to a PDF: set IsPdf to true",
        ));
    }
    match format_of(&info) {
        Some(Format::Pdf) if !is_pdf => Err(Error::invalid_input(
            "IsPdf",
            "must be true when ImageBase64 holds a PDF",
        )),
        Some(format) if is_pdf && format != Format::Pdf => Err(Error::invalid_input(
            "IsPdf",
            format!("is true, but ImageBase64 holds {format}, not a PDF"),
        )),
        _ => Ok(()),
    }
}

/// GeneralAccurateOCR.
pub(crate) async fn general_accurate_ocr(req: &GeneralAccurateOcrRequest) -> Result<()> {
    general(
        &req.image_url,
        &req.image_base64,
        req.is_pdf,
        req.pdf_page_number,
    )
    .await
}

/// GeneralBasicOCR.
pub(crate) async fn general_basic_ocr(req: &GeneralBasicOcrRequest) -> Result<()> {
    general(
        &req.image_url,
        &req.image_base64,
        req.is_pdf,
        req.pdf_page_number,
    )
    .await
}

fn required(field: &'static str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid_input(
            field,
            "is required and must not be empty",
        ));
    }
    Ok(())
}

/// ApplyCardVerificationExternal: `Nationality`, `CardType`, exactly one front image, at most
/// one back image, sizes, formats and pixel bounds by `ReturnHeadImage`, an http(s) webhook.
pub(crate) async fn apply_card_verification_external(
    req: &ApplyCardVerificationExternalRequest,
) -> Result<()> {
    required("Nationality", &req.nationality)?;
    required("CardType", &req.card_type)?;
    let head = req.return_head_image.unwrap_or(false);
    let limits = limits::card_verification(head);
    let max_len = limits::card_max_base64_len(head);
    let front = one_image(
        ("ImageUrlFront", &req.image_url_front),
        ("ImageBase64Front", &req.image_base64_front),
        &limits,
        max_len,
    )
    .await?;
    head_image_side(head, "ImageBase64Front", &front)?;
    if req.image_url_back.is_some() || req.image_base64_back.is_some() {
        let back = one_image(
            ("ImageUrlBack", &req.image_url_back),
            ("ImageBase64Back", &req.image_base64_back),
            &limits,
            max_len,
        )
        .await?;
        head_image_side(head, "ImageBase64Back", &back)?;
    }
    if let Some(hook) = &req.webhook_url {
        url_field("WebhookUrl", hook, &ocr_core::InputLimits::new(vec![], 0)).await?;
    }
    Ok(())
}

/// With `ReturnHeadImage`, non-JPEG images may be at most 2000 px on a side.
fn head_image_side(head: bool, field: &'static str, info: &Option<SourceInfo>) -> Result<()> {
    let Some(info) = info else { return Ok(()) };
    if !head || info.format == Some(Format::Jpeg) {
        return Ok(());
    }
    if let Some((w, h)) = info.dimensions {
        let max = limits::CARD_HEAD_IMAGE_MAX_SIDE_NON_JPEG;
        if w > max || h > max {
            return Err(Error::invalid_input(
                field,
                format!(
                    "image is {w}x{h} pixels; with ReturnHeadImage a non-JPEG image may be at \
                     most {max} on each side"
                ),
            ));
        }
    }
    Ok(())
}

/// GetCardVerificationExternalResult: the token is present.
pub(crate) fn get_card_verification_external_result(
    req: &GetCardVerificationExternalResultRequest,
) -> Result<()> {
    required("CardVerificationToken", &req.card_verification_token)
}

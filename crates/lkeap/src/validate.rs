//! The documented request rules, checked before anything is sent.
//!
//! Every refusal is an [`ErrorKind::InvalidInput`](ocr_core::ErrorKind::InvalidInput) error
//! naming the wire field and the rule.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use ocr_core::format::image_dimensions;
use ocr_core::{Error, Result};

use crate::file_type::{FileType, Flow, MAX_BASE64_BYTES};
use crate::site::Site;

/// Smallest image side accepted, in pixels.
pub const MIN_IMAGE_SIDE: u32 = 20;
/// Largest image side accepted, in pixels.
pub const MAX_IMAGE_SIDE: u32 = 10_000;

/// The source fields every document request has.
pub(crate) struct SourceFields<'a> {
    pub file_type: FileType,
    pub file_url: Option<&'a str>,
    pub file_base64: Option<&'a str>,
    pub start: Option<i64>,
    pub end: Option<i64>,
}

/// A document request: its source fields, and rules of its own beyond them.
pub(crate) trait DocumentRequest {
    /// The fields the documented source rules apply to.
    fn source(&self) -> SourceFields<'_>;

    /// Checks the request's other fields (nothing to check by default).
    fn check_options(&self) -> Result<()> {
        Ok(())
    }
}

/// Checks a `flow` request on `site`: its source, then its other fields.
pub(crate) fn check_request(flow: Flow, site: Site, request: &impl DocumentRequest) -> Result<()> {
    check_source(flow, site, &request.source())?;
    request.check_options()
}

/// Checks a `flow` request on `site` whose file goes inline at send time (it names neither
/// `FileUrl` nor `FileBase64`; the file was checked where it was read): its type, page range
/// and other fields.
pub(crate) fn check_request_inline(
    flow: Flow,
    site: Site,
    request: &impl DocumentRequest,
) -> Result<()> {
    let f = request.source();
    check_file_type(flow, site, f.file_type)?;
    if f.file_url.is_some() || f.file_base64.is_some() {
        return Err(invalid(
            "FileBase64",
            "is sent from the file: the request must name no other source",
        ));
    }
    if !f.file_type.allows_base64(flow, site) {
        return Err(invalid(
            "FileBase64",
            format!("cannot carry a {} file on the {site} site", f.file_type),
        ));
    }
    check_pages(f.file_type, f.start, f.end)?;
    request.check_options()
}

fn invalid(field: &str, rule: impl Into<String>) -> Error {
    Error::invalid_input(field, rule).with_provider(crate::PROVIDER_ID)
}

/// Checks the fields of a `flow` request on `site`.
pub(crate) fn check_source(flow: Flow, site: Site, f: &SourceFields<'_>) -> Result<()> {
    check_file_type(flow, site, f.file_type)?;
    match (f.file_url, f.file_base64) {
        (None, None) => {
            return Err(invalid(
                "FileUrl",
                format!("or FileBase64 is required by {}", flow.action()),
            ))
        }
        (None, Some(_)) if flow == Flow::Split => {
            return Err(invalid("FileUrl", "is required by CreateSplitDocumentFlow"))
        }
        _ => {}
    }
    if let Some(url) = f.file_url {
        check_url(url)?;
    }
    if let Some(b64) = f.file_base64 {
        check_base64(flow, site, f.file_type, b64)?;
    }
    check_pages(f.file_type, f.start, f.end)
}

/// The type must be one `flow` accepts on `site`.
pub(crate) fn check_file_type(flow: Flow, site: Site, file_type: FileType) -> Result<()> {
    if file_type.accepted_by(flow, site) {
        Ok(())
    } else {
        Err(invalid(
            "FileType",
            format!(
                "{file_type} is not accepted by {} on the {site} site",
                flow.action()
            ),
        ))
    }
}

/// `FileUrl` must be an absolute http(s) URL with a host.
pub(crate) fn check_url(url: &str) -> Result<()> {
    let parsed = url::Url::parse(url.trim())
        .map_err(|e| invalid("FileUrl", format!("is not a valid URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid(
            "FileUrl",
            format!("must use http or https, not {}", parsed.scheme()),
        ));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(invalid("FileUrl", "has no host"));
    }
    Ok(())
}

/// `FileBase64`: only for some types, at most 8 MB after encoding, valid base64, content of the
/// declared type, image sides within 20–10000 px.
pub(crate) fn check_base64(flow: Flow, site: Site, file_type: FileType, b64: &str) -> Result<()> {
    if !file_type.allows_base64(flow, site) {
        return Err(invalid(
            "FileBase64",
            format!(
                "is accepted only for {} on the {site} site, not {file_type}; pass FileUrl instead",
                FileType::base64_types(flow, site).join(", ")
            ),
        ));
    }
    check_encoded_len(b64.len() as u64)?;
    if b64.is_empty() {
        return Err(invalid("FileBase64", "is empty"));
    }
    let data = STANDARD
        .decode(b64.as_bytes())
        .map_err(|e| invalid("FileBase64", format!("is not valid base64: {e}")))?;
    if flow == Flow::Split {
        return Ok(());
    }
    let name = format!("file.{}", file_type.as_str().to_ascii_lowercase());
    let head = &data[..data.len().min(ocr_core::request::SNIFF_LEN)];
    match FileType::detect(head, Some(&name)) {
        Some(found) if found == file_type => {}
        Some(found) => {
            return Err(invalid(
                "FileType",
                format!("is {file_type} but FileBase64 holds a {found} file"),
            ))
        }
        None => {
            return Err(invalid(
                "FileType",
                format!("is {file_type} but FileBase64 does not hold a {file_type} file"),
            ))
        }
    }
    if file_type.is_image() {
        check_image_sides(head, "FileBase64")?;
    }
    Ok(())
}

/// The encoded length must be within the 8 MB `FileBase64` limit.
pub(crate) fn check_encoded_len(len: u64) -> Result<()> {
    if len > MAX_BASE64_BYTES {
        return Err(invalid(
            "FileBase64",
            format!(
                "is {len} bytes after base64 encoding, over the limit of {MAX_BASE64_BYTES} bytes \
                 (8 MB); pass FileUrl instead"
            ),
        ));
    }
    Ok(())
}

/// Image sides must be within 20–10000 px when the header tells them.
pub(crate) fn check_image_sides(head: &[u8], field: &str) -> Result<()> {
    if let Some((w, h)) = image_dimensions(head) {
        let ok = |s: u32| (MIN_IMAGE_SIDE..=MAX_IMAGE_SIDE).contains(&s);
        if !ok(w) || !ok(h) {
            return Err(invalid(
                field,
                format!(
                    "image is {w}x{h} pixels; each side must be between {MIN_IMAGE_SIDE} and \
                     {MAX_IMAGE_SIDE}"
                ),
            ));
        }
    }
    Ok(())
}

/// Image sides of a local image file, before it is encoded.
pub(crate) fn check_image_sides_if(file_type: FileType, head: &[u8]) -> Result<()> {
    if file_type.is_image() {
        check_image_sides(head, "FileBase64")
    } else {
        Ok(())
    }
}

/// The page range: 1-based, not reversed, and only for paged documents.
pub(crate) fn check_pages(file_type: FileType, start: Option<i64>, end: Option<i64>) -> Result<()> {
    if let Some(s) = start {
        if s < 1 {
            return Err(invalid(
                "FileStartPageNumber",
                format!("is {s}; pages are numbered from 1"),
            ));
        }
    }
    if let Some(e) = end {
        if e < 1 {
            return Err(invalid(
                "FileEndPageNumber",
                format!("is {e}; pages are numbered from 1"),
            ));
        }
    }
    if let (Some(s), Some(e)) = (start, end) {
        if e < s {
            return Err(invalid(
                "FileEndPageNumber",
                format!("({e}) must not be before FileStartPageNumber ({s})"),
            ));
        }
    }
    if (start.is_some() || end.is_some()) && !file_type.is_paged() {
        let field = if start.is_some() {
            "FileStartPageNumber"
        } else {
            "FileEndPageNumber"
        };
        return Err(invalid(
            field,
            format!(
                "applies only to paged documents (PDF, DOC, DOCX, PPT, PPTX, WPS), not {file_type}"
            ),
        ));
    }
    Ok(())
}

/// A task id must be non-empty.
pub(crate) fn check_task_id(task_id: &str) -> Result<()> {
    if task_id.trim().is_empty() {
        return Err(invalid("TaskId", "is required"));
    }
    Ok(())
}

/// `MaxChunkSize`, when set, must be positive.
pub(crate) fn check_max_chunk_size(size: Option<i64>) -> Result<()> {
    match size {
        Some(n) if n < 1 => Err(invalid(
            "MaxChunkSize",
            format!("is {n}; it must be at least 1"),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ocr_core::ErrorKind;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let mut v = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        v.extend_from_slice(&w.to_be_bytes());
        v.extend_from_slice(&h.to_be_bytes());
        v.extend_from_slice(&[8, 2, 0, 0, 0]);
        v
    }

    fn fields(file_type: FileType, url: Option<&str>, b64: Option<&str>) -> SourceFields<'static> {
        // Leak is fine in a test: it keeps the helper simple.
        SourceFields {
            file_type,
            file_url: url.map(|s| &*Box::leak(s.to_owned().into_boxed_str())),
            file_base64: b64.map(|s| &*Box::leak(s.to_owned().into_boxed_str())),
            start: None,
            end: None,
        }
    }

    fn field_of(r: Result<()>) -> String {
        let e = r.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        e.field().unwrap().to_owned()
    }

    #[test]
    fn rules() {
        let d = Site::Domestic;
        let ok_png = STANDARD.encode(png(100, 100));
        assert!(check_source(
            Flow::Reconstruct,
            d,
            &fields(FileType::Png, None, Some(&ok_png))
        )
        .is_ok());
        assert_eq!(
            field_of(check_source(
                Flow::Reconstruct,
                d,
                &fields(FileType::Png, None, None)
            )),
            "FileUrl"
        );
        assert_eq!(
            field_of(check_source(
                Flow::Reconstruct,
                d,
                &fields(FileType::Pdf, Some("ftp://x/a.pdf"), None)
            )),
            "FileUrl"
        );
        assert_eq!(
            field_of(check_source(
                Flow::Reconstruct,
                d,
                &fields(FileType::Docx, None, Some("QUJD"))
            )),
            "FileBase64"
        );
        assert_eq!(
            field_of(check_source(
                Flow::Reconstruct,
                d,
                &fields(FileType::Png, None, Some("@@@"))
            )),
            "FileBase64"
        );
        assert_eq!(
            field_of(check_source(
                Flow::Reconstruct,
                d,
                &fields(FileType::Pdf, None, Some(&ok_png))
            )),
            "FileType"
        );
        let tiny = STANDARD.encode(png(10, 100));
        assert_eq!(
            field_of(check_source(
                Flow::Reconstruct,
                d,
                &fields(FileType::Png, None, Some(&tiny))
            )),
            "FileBase64"
        );
        assert_eq!(
            field_of(check_source(
                Flow::Reconstruct,
                Site::International,
                &fields(FileType::Wps, Some("https://x/a.wps"), None)
            )),
            "FileType"
        );
        assert_eq!(
            field_of(check_source(
                Flow::Split,
                d,
                &fields(FileType::Pdf, None, Some("JVBERi0="))
            )),
            "FileUrl"
        );
        assert_eq!(
            field_of(check_pages(FileType::Pdf, Some(0), None)),
            "FileStartPageNumber"
        );
        assert_eq!(
            field_of(check_pages(FileType::Pdf, Some(3), Some(2))),
            "FileEndPageNumber"
        );
        assert_eq!(
            field_of(check_pages(FileType::Png, Some(1), Some(1))),
            "FileStartPageNumber"
        );
        assert!(check_pages(FileType::Pptx, Some(2), Some(2)).is_ok());
        assert_eq!(field_of(check_task_id(" ")), "TaskId");
        assert_eq!(field_of(check_max_chunk_size(Some(0))), "MaxChunkSize");
        assert_eq!(
            field_of(check_encoded_len(MAX_BASE64_BYTES + 1)),
            "FileBase64"
        );
        assert!(check_encoded_len(MAX_BASE64_BYTES).is_ok());
    }
}

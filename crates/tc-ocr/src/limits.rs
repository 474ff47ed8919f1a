//! The documented input limits of each action, as [`InputLimits`] for
//! [`ocr_core::request::inspect`].
//!
//! Tencent states size limits *after base64 encoding*. `InputLimits::max_bytes` is a raw file
//! size, so it is set to the largest file whose encoding still fits; the client also checks the
//! encoded length itself. "10 MB" is taken as 10 MiB (10 485 760 characters).

use ocr_core::{Format, InputLimits};

/// ExtractDocMulti and General*OCR: largest `ImageBase64`, in characters.
pub const MAX_BASE64_LEN: usize = 10 * 1024 * 1024;

/// ApplyCardVerificationExternal: largest image as base64, in characters.
pub const CARD_MAX_BASE64_LEN: usize = 2 * 1024 * 1024;

/// ApplyCardVerificationExternal with `ReturnHeadImage`: largest image as base64.
pub const CARD_HEAD_IMAGE_MAX_BASE64_LEN: usize = 5 * 1024 * 1024;

/// With `ReturnHeadImage`, the longest side of a non-JPEG image (JPEG may have 4000).
pub const CARD_HEAD_IMAGE_MAX_SIDE_NON_JPEG: u32 = 2000;

/// The length of the base64 encoding (padded, no line breaks) of `raw_len` bytes.
///
/// ```
/// assert_eq!(tc_ocr::limits::base64_len(3), 4);
/// assert_eq!(tc_ocr::limits::base64_len(4), 8);
/// ```
pub fn base64_len(raw_len: u64) -> u64 {
    raw_len.div_ceil(3).saturating_mul(4)
}

/// The largest raw size whose base64 encoding is at most `max_base64_len` characters.
///
/// ```
/// use tc_ocr::limits::{base64_len, max_raw_len, MAX_BASE64_LEN};
/// let raw = max_raw_len(MAX_BASE64_LEN);
/// assert!(base64_len(raw) <= MAX_BASE64_LEN as u64);
/// assert!(base64_len(raw + 1) > MAX_BASE64_LEN as u64);
/// ```
pub fn max_raw_len(max_base64_len: usize) -> u64 {
    (max_base64_len as u64 / 4) * 3
}

/// ExtractDocMulti: PNG, JPEG, BMP, PDF (domestic text) plus Word and Excel (international
/// text), never GIF; ≤ 10 MB after base64; 20–10000 px.
pub fn extract_doc_multi() -> InputLimits {
    InputLimits::new(
        vec![
            Format::Png,
            Format::Jpeg,
            Format::Bmp,
            Format::Pdf,
            Format::Doc,
            Format::Docx,
            Format::Xls,
            Format::Xlsx,
        ],
        max_raw_len(MAX_BASE64_LEN),
    )
    .with_sides(Some(20), Some(10_000))
}

/// GeneralAccurateOCR / GeneralBasicOCR: PNG, JPEG, BMP, PDF; ≤ 10 MB after base64. The spec
/// documents no pixel bounds for them, so none are enforced.
pub fn general_ocr() -> InputLimits {
    InputLimits::new(
        vec![Format::Png, Format::Jpeg, Format::Bmp, Format::Pdf],
        max_raw_len(MAX_BASE64_LEN),
    )
}

/// ApplyCardVerificationExternal images. Without `ReturnHeadImage`: PNG or JPEG, ≤ 2 MB after
/// base64, 256–4096 px. With it: PNG, JPEG or BMP, ≤ 5 MB after base64, 64–4000 px (and at
/// most [`CARD_HEAD_IMAGE_MAX_SIDE_NON_JPEG`] for non-JPEG images, checked separately).
pub fn card_verification(return_head_image: bool) -> InputLimits {
    if return_head_image {
        InputLimits::new(
            vec![Format::Png, Format::Jpeg, Format::Bmp],
            max_raw_len(CARD_HEAD_IMAGE_MAX_BASE64_LEN),
        )
        .with_sides(Some(64), Some(4000))
    } else {
        InputLimits::new(
            vec![Format::Png, Format::Jpeg],
            max_raw_len(CARD_MAX_BASE64_LEN),
        )
        .with_sides(Some(256), Some(4096))
    }
}

/// The base64 limit that goes with [`card_verification`].
pub fn card_max_base64_len(return_head_image: bool) -> usize {
    if return_head_image {
        CARD_HEAD_IMAGE_MAX_BASE64_LEN
    } else {
        CARD_MAX_BASE64_LEN
    }
}

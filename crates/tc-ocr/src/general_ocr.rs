//! GeneralAccurateOCR and GeneralBasicOCR: the plain-text path (spec §6.4).
//!
//! Both return `TextDetections`: lines with a four-point polygon and a confidence of 0–100.
//! Documented rate limits: GeneralAccurateOCR 10 requests per second, GeneralBasicOCR 20.

use serde::{Deserialize, Serialize};

use crate::geometry::{Coord, ItemCoord};
use crate::redact::image_request;
use ocr_core::lenient;

/// The request of GeneralAccurateOCR (high-accuracy general text). All fields optional;
/// exactly one of `ImageUrl` / `ImageBase64` must be set.
///
/// ```
/// use tc_ocr::GeneralAccurateOcrRequest;
/// let req = GeneralAccurateOcrRequest {
///     is_pdf: Some(true),
///     pdf_page_number: Some(2),
///     config_id: Some("MulOCR".into()),
///     ..GeneralAccurateOcrRequest::from_url("https://example.com/scan.pdf")
/// };
/// assert_eq!(
///     serde_json::to_string(&req).unwrap(),
///     r#"{"ImageUrl":"https://example.com/scan.pdf","IsPdf":true,"PdfPageNumber":2,"ConfigID":"MulOCR"}"#
/// );
/// ```
#[derive(Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct GeneralAccurateOcrRequest {
    /// Base64 of the image or PDF (≤ 10 MB after encoding; PNG, JPG, JPEG, BMP, PDF).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_base64: Option<String>,
    /// URL of the image or PDF (same limits; downloaded within 3 s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    /// Returns per-character results (`Words`, `WordCoordPoint`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_words: Option<bool>,
    /// Splits large images (exam papers) before detection; `ConfigID` `OCR` only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_detect_split: Option<bool>,
    /// The input is a PDF.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_pdf: Option<bool>,
    /// The PDF page to recognise (1-based; needs `IsPdf`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pdf_page_number: Option<u64>,
    /// `false` recognises the image as a single line (service default `true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_detect_text: Option<bool>,
    /// `OCR` (default) or `MulOCR` (multilingual). Wire name `ConfigID`, upper-case `ID`.
    #[serde(default, rename = "ConfigID", skip_serializing_if = "Option::is_none")]
    pub config_id: Option<String>,
    /// `0` all text, `1` handwriting only, `2` print only (`ConfigID` `OCR`, `IsWords` false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub words_type: Option<String>,
}

image_request!(GeneralAccurateOcrRequest {
    is_words,
    enable_detect_split,
    is_pdf,
    pdf_page_number,
    enable_detect_text,
    config_id,
    words_type
});

/// The response of GeneralAccurateOCR.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct GeneralAccurateOcrResponse {
    /// The recognised lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text_detections: Option<Vec<TextDetection>>,
    /// Deprecated, misspelt duplicate of `Angle`.
    #[serde(
        deserialize_with = "lenient::opt_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub angel: Option<f64>,
    /// Image rotation in degrees.
    #[serde(
        deserialize_with = "lenient::opt_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub angle: Option<f64>,
    /// The request id, for support.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// The request of GeneralBasicOCR (general print). All fields optional; exactly one of
/// `ImageUrl` / `ImageBase64` must be set.
///
/// ```
/// use tc_ocr::GeneralBasicOcrRequest;
/// let req = GeneralBasicOcrRequest {
///     language_type: Some("auto".into()),
///     ..GeneralBasicOcrRequest::from_url("https://example.com/a.png")
/// };
/// assert_eq!(
///     serde_json::to_string(&req).unwrap(),
///     r#"{"ImageUrl":"https://example.com/a.png","LanguageType":"auto"}"#
/// );
/// ```
#[derive(Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct GeneralBasicOcrRequest {
    /// Base64 of the image or PDF (≤ 10 MB after encoding; PNG, JPG, JPEG, BMP, PDF).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_base64: Option<String>,
    /// URL of the image or PDF.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    /// Reserved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scene: Option<String>,
    /// `zh` (default, Chinese and English), `zh_rare`, `auto`, `mix`, `jap`, `kor`, `spa`,
    /// `fre`, `ger`, `por`, `vie`, `may`, `rus`, `ita`, `hol`, `swe`, `fin`, `dan`, `nor`, `hun`,
    /// `tha`, `hi`, `ara`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language_type: Option<String>,
    /// The input is a PDF.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_pdf: Option<bool>,
    /// The PDF page to recognise (1-based; needs `IsPdf`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pdf_page_number: Option<u64>,
    /// Returns per-character results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_words: Option<bool>,
}

image_request!(GeneralBasicOcrRequest {
    scene,
    language_type,
    is_pdf,
    pdf_page_number,
    is_words
});

/// The response of GeneralBasicOCR.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct GeneralBasicOcrResponse {
    /// The recognised lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text_detections: Option<Vec<TextDetection>>,
    /// The detected language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Deprecated, misspelt duplicate of `Angle`.
    #[serde(
        deserialize_with = "lenient::opt_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub angel: Option<f64>,
    /// Total pages when the input is a PDF, else 0.
    #[serde(
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub pdf_page_size: Option<i64>,
    /// Image rotation in degrees.
    #[serde(
        deserialize_with = "lenient::opt_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub angle: Option<f64>,
    /// The request id, for support.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// One recognised line (model type `TextDetection`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TextDetection {
    /// The text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detected_text: Option<String>,
    /// Confidence, 0–100.
    #[serde(
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub confidence: Option<i64>,
    /// Four corners, clockwise from the top-left (an array here, unlike ExtractDocMulti's
    /// `Polygon` object); nullable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub polygon: Option<Vec<Coord>>,
    /// Paragraph information: JSON inside a string (`Parag`, `ParagNo`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advanced_info: Option<String>,
    /// The axis-aligned box of the line in the rotation-corrected image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_polygon: Option<ItemCoord>,
    /// Per-character text and confidence (with `IsWords`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub words: Option<Vec<DetectedWords>>,
    /// Per-character coordinates (with `IsWords`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub word_coord_point: Option<Vec<DetectedWordCoordPoint>>,
    /// The language of the line (`MulOCR` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// One character of a line (model type `DetectedWords`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DetectedWords {
    /// Confidence, 0–100.
    #[serde(
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub confidence: Option<i64>,
    /// The character.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub character: Option<String>,
}

/// The corners of one character (model type `DetectedWordCoordPoint`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DetectedWordCoordPoint {
    /// Four corners, clockwise from the top-left.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub word_coordinate: Option<Vec<Coord>>,
}

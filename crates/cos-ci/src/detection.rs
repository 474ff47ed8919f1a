//! The OCR result (`Detection` of a job, and the body of synchronous OCR): text lines with
//! polygons, boxes and per-character details.

use serde::{Deserialize, Deserializer};

use crate::xml;

/// A pixel coordinate `{X, Y}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub struct Coord {
    /// `X`: horizontal position.
    #[serde(rename = "X", default, deserialize_with = "xml::opt_int")]
    pub x: Option<i64>,
    /// `Y`: vertical position.
    #[serde(rename = "Y", default, deserialize_with = "xml::opt_int")]
    pub y: Option<i64>,
}

impl Coord {
    /// Both coordinates, when both are present.
    pub fn xy(&self) -> Option<(i64, i64)> {
        Some((self.x?, self.y?))
    }
}

/// `ItemPolygon`: the line's box after rotation correction, `(X, Y)` top-left plus
/// `Width` × `Height`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub struct ItemPolygon {
    /// `X`: top-left x.
    #[serde(rename = "X", default, deserialize_with = "xml::opt_int")]
    pub x: Option<i64>,
    /// `Y`: top-left y.
    #[serde(rename = "Y", default, deserialize_with = "xml::opt_int")]
    pub y: Option<i64>,
    /// `Width`.
    #[serde(rename = "Width", default, deserialize_with = "xml::opt_int")]
    pub width: Option<i64>,
    /// `Height`.
    #[serde(rename = "Height", default, deserialize_with = "xml::opt_int")]
    pub height: Option<i64>,
}

/// `WordCoordPoint`: the four corners of a character, clockwise from the top-left.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct WordCoordPoint {
    /// `WordCoordinate` (repeated).
    #[serde(rename = "WordCoordinate", default)]
    pub word_coordinate: Vec<Coord>,
}

/// One `Words` element: a recognised character (general/accurate with `IsWord=true`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct CharDetection {
    /// `Character`.
    #[serde(rename = "Character", default, deserialize_with = "xml::string")]
    pub character: String,
    /// `Confidence`, 0–100.
    #[serde(rename = "Confidence", default, deserialize_with = "xml::opt_int")]
    pub confidence: Option<u32>,
    /// `WordCoordPoint`: its corners in the original image.
    #[serde(rename = "WordCoordPoint", default)]
    pub word_coord_point: Option<WordCoordPoint>,
}

/// One `WordPolygon` element: a character's four corners (handwriting with
/// `EnableWordPolygon=true`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct WordPolygon {
    /// `LeftTop`.
    #[serde(rename = "LeftTop", default)]
    pub left_top: Option<Coord>,
    /// `RightTop`.
    #[serde(rename = "RightTop", default)]
    pub right_top: Option<Coord>,
    /// `RightBottom`.
    #[serde(rename = "RightBottom", default)]
    pub right_bottom: Option<Coord>,
    /// `LeftBottom`.
    #[serde(rename = "LeftBottom", default)]
    pub left_bottom: Option<Coord>,
}

impl WordPolygon {
    /// The four corners clockwise from the top-left, when all are present.
    pub fn corners(&self) -> Option<[(i64, i64); 4]> {
        Some([
            self.left_top?.xy()?,
            self.right_top?.xy()?,
            self.right_bottom?.xy()?,
            self.left_bottom?.xy()?,
        ])
    }

    fn is_placeholder(&self) -> bool {
        self.left_top.is_none()
            && self.right_top.is_none()
            && self.right_bottom.is_none()
            && self.left_bottom.is_none()
    }
}

/// One `TextDetections` element: a line of text.
///
/// Without `IsWord` / `EnableWordPolygon` the service still sends placeholder elements
/// (`<WordPolygon/>`, and `Words` with an empty `Character`); they are dropped while decoding,
/// so `words` and `word_polygon` hold only real entries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct TextDetection {
    /// `DetectedText`: the line's text.
    #[serde(rename = "DetectedText", default, deserialize_with = "xml::string")]
    pub detected_text: String,
    /// `Confidence`, 0–100.
    #[serde(rename = "Confidence", default, deserialize_with = "xml::opt_int")]
    pub confidence: Option<u32>,
    /// `Polygon` (repeated): the line's vertices, normally four, clockwise from the top-left.
    #[serde(rename = "Polygon", default)]
    pub polygon: Vec<Coord>,
    /// `ItemPolygon`: the line's box after rotation correction.
    #[serde(rename = "ItemPolygon", default)]
    pub item_polygon: Option<ItemPolygon>,
    /// `Words` (repeated): per-character results.
    #[serde(rename = "Words", default, deserialize_with = "real_words")]
    pub words: Vec<CharDetection>,
    /// `WordPolygon` (repeated): per-character quads.
    #[serde(
        rename = "WordPolygon",
        default,
        deserialize_with = "real_word_polygons"
    )]
    pub word_polygon: Vec<WordPolygon>,
}

fn real_words<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<CharDetection>, D::Error> {
    let all: Vec<CharDetection> = Vec::deserialize(d)?;
    Ok(all
        .into_iter()
        .filter(|w| !w.character.is_empty())
        .collect())
}

fn real_word_polygons<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<WordPolygon>, D::Error> {
    let all: Vec<WordPolygon> = Vec::deserialize(d)?;
    Ok(all.into_iter().filter(|w| !w.is_placeholder()).collect())
}

/// `Operation.Detection` of a finished job: the OCR result.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Detection {
    /// `TextDetections` (repeated): the lines.
    #[serde(rename = "TextDetections", default)]
    pub text_detections: Vec<TextDetection>,
    /// `Language`: the detected language code; `None` when empty.
    #[serde(rename = "Language", default, deserialize_with = "xml::opt_string")]
    pub language: Option<String>,
    /// `Angel` (sic): the image's rotation in degrees; 0 is horizontal, positive clockwise.
    #[serde(rename = "Angel", default, deserialize_with = "xml::opt_f64")]
    pub angel: Option<f64>,
    /// `PdfPageSize`: the PDF's page count, or 0 for images.
    #[serde(rename = "PdfPageSize", default, deserialize_with = "xml::opt_int")]
    pub pdf_page_size: Option<u32>,
    /// `InputObjectName` (declared by the Go SDK; not in the documented samples).
    #[serde(
        rename = "InputObjectName",
        default,
        deserialize_with = "xml::opt_string"
    )]
    pub input_object_name: Option<String>,
    /// `InputObjectUrl` (Go SDK).
    #[serde(
        rename = "InputObjectUrl",
        default,
        deserialize_with = "xml::opt_string"
    )]
    pub input_object_url: Option<String>,
    /// `ObjectName` (Go SDK).
    #[serde(rename = "ObjectName", default, deserialize_with = "xml::opt_string")]
    pub object_name: Option<String>,
    /// `ObjectUrl` (Go SDK).
    #[serde(rename = "ObjectUrl", default, deserialize_with = "xml::opt_string")]
    pub object_url: Option<String>,
    /// `Code` (Go SDK).
    #[serde(rename = "Code", default, deserialize_with = "xml::opt_string")]
    pub code: Option<String>,
    /// `State` (Go SDK).
    #[serde(rename = "State", default, deserialize_with = "xml::opt_string")]
    pub state: Option<String>,
    /// `Message` (Go SDK).
    #[serde(rename = "Message", default, deserialize_with = "xml::opt_string")]
    pub message: Option<String>,
}

/// The body of synchronous OCR (`GET /<key>?ci-process=OCR`): the same result as a job's
/// `Detection`, plus the request id.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct SyncOcrResult {
    /// `TextDetections` (repeated): the lines.
    #[serde(rename = "TextDetections", default)]
    pub text_detections: Vec<TextDetection>,
    /// `Language`: the detected language code; `None` when empty.
    #[serde(rename = "Language", default, deserialize_with = "xml::opt_string")]
    pub language: Option<String>,
    /// `Angel` (sic): the image's rotation in degrees (e.g. `359.99`).
    #[serde(rename = "Angel", default, deserialize_with = "xml::opt_f64")]
    pub angel: Option<f64>,
    /// `PdfPageSize`: the PDF's page count, or 0 for images.
    #[serde(rename = "PdfPageSize", default, deserialize_with = "xml::opt_int")]
    pub pdf_page_size: Option<u32>,
    /// `RequestId`, else the `x-cos-request-id` header.
    #[serde(rename = "RequestId", default, deserialize_with = "xml::opt_string")]
    pub request_id: Option<String>,
}

impl SyncOcrResult {
    /// The result as a [`Detection`], to map it like a job's.
    pub fn to_detection(&self) -> Detection {
        Detection {
            text_detections: self.text_detections.clone(),
            language: self.language.clone(),
            angel: self.angel,
            pdf_page_size: self.pdf_page_size,
            ..Detection::default()
        }
    }
}

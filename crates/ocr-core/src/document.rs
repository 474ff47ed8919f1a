//! The provider-neutral result: pages of lines of words, structured fields, Markdown and files.
//!
//! Every provider maps its native result into a [`Document`]. The JSON form of this model
//! (serde, field names in `snake_case`) is what the command-line tool prints with
//! `--format json`; fields are only ever added to it.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::usage::Usage;

/// A point in the page's pixel space (origin top-left, y grows downwards).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// Horizontal position in pixels.
    pub x: f64,
    /// Vertical position in pixels.
    pub y: f64,
}

impl Point {
    /// A point at `(x, y)`.
    pub fn new(x: f64, y: f64) -> Self {
        Point { x, y }
    }
}

/// A quadrilateral around a piece of text, clockwise from the top-left corner as the text reads
/// (so rotated text keeps its corners straight).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Quad {
    /// Top-left, top-right, bottom-right, bottom-left.
    pub points: [Point; 4],
}

impl Quad {
    /// A quadrilateral from its four corners, clockwise from the top-left.
    pub fn new(points: [Point; 4]) -> Self {
        Quad { points }
    }

    /// The axis-aligned rectangle at `(x, y)` of `width` × `height`.
    ///
    /// ```
    /// let q = ocr_core::Quad::from_rect(10.0, 20.0, 30.0, 40.0);
    /// assert_eq!(q.points[2], ocr_core::Point::new(40.0, 60.0));
    /// ```
    pub fn from_rect(x: f64, y: f64, width: f64, height: f64) -> Self {
        Quad {
            points: [
                Point::new(x, y),
                Point::new(x + width, y),
                Point::new(x + width, y + height),
                Point::new(x, y + height),
            ],
        }
    }

    /// The smallest axis-aligned rectangle holding the quadrilateral, as `(x, y, width, height)`.
    pub fn bounding_rect(&self) -> (f64, f64, f64, f64) {
        let xs = self.points.iter().map(|p| p.x);
        let ys = self.points.iter().map(|p| p.y);
        let min_x = xs.clone().fold(f64::INFINITY, f64::min);
        let max_x = xs.fold(f64::NEG_INFINITY, f64::max);
        let min_y = ys.clone().fold(f64::INFINITY, f64::min);
        let max_y = ys.fold(f64::NEG_INFINITY, f64::max);
        (min_x, min_y, max_x - min_x, max_y - min_y)
    }
}

/// Clamps a provider's confidence into `0.0..=1.0`, given the scale it uses (`100.0` for
/// percentages, `1.0` for fractions). Out-of-range or non-finite values become `None`.
///
/// ```
/// assert_eq!(ocr_core::document::normalize_confidence(97.0, 100.0), Some(0.97));
/// assert_eq!(ocr_core::document::normalize_confidence(-1.0, 100.0), None);
/// ```
pub fn normalize_confidence(value: f64, scale: f64) -> Option<f32> {
    if !value.is_finite() || scale <= 0.0 || value < 0.0 || value > scale {
        return None;
    }
    Some((value / scale) as f32)
}

/// One recognised word (or character, for scripts without spaces).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Word {
    /// The text.
    pub text: String,
    /// Confidence in `0.0..=1.0`, when the provider reports one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f32>,
    /// Where it is on the page, when the provider reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bbox: Option<Quad>,
}

/// One line of text.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Line {
    /// The text of the whole line.
    pub text: String,
    /// Confidence in `0.0..=1.0`, when the provider reports one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f32>,
    /// Where it is on the page, when the provider reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bbox: Option<Quad>,
    /// The words, when the provider splits lines into words.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub words: Vec<Word>,
}

impl Line {
    /// A line with only its text.
    pub fn new(text: impl Into<String>) -> Self {
        Line {
            text: text.into(),
            ..Line::default()
        }
    }
}

/// One page (or one image).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Page {
    /// 1-based page number.
    pub number: u32,
    /// Width in pixels, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<f64>,
    /// Height in pixels, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<f64>,
    /// Rotation of the text in degrees, when the provider reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub angle: Option<f64>,
    /// Lines in reading order.
    #[serde(default)]
    pub lines: Vec<Line>,
    /// The page as Markdown, for providers that produce it per page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub markdown: Option<String>,
}

impl Page {
    /// An empty page with the given 1-based number.
    pub fn new(number: u32) -> Self {
        Page {
            number,
            ..Page::default()
        }
    }

    /// The page's text: its lines joined by newlines, or its Markdown when it has no lines.
    pub fn text(&self) -> String {
        if self.lines.is_empty() {
            return self.markdown.clone().unwrap_or_default();
        }
        let mut out = String::new();
        for (i, line) in self.lines.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str(&line.text);
        }
        out
    }
}

/// A structured field: a key and its value, as ID-card and form extraction return them.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Field {
    /// The field's name (`"Name"`, `"Invoice number"` …).
    pub key: String,
    /// The recognised value.
    pub value: String,
    /// Confidence in `0.0..=1.0`, when the provider reports one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f32>,
    /// Where the value is, when the provider reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bbox: Option<Quad>,
    /// The group the field belongs to (a table row, a repeated block), when the provider groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// 1-based page the field was found on, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
}

/// A result file the provider produced (a docx, the images of a parsed PDF, a result zip).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Artifact {
    /// File name, relative, without directories that climb (`..`).
    pub name: String,
    /// Media type, e.g. `application/vnd.openxmlformats-officedocument.wordprocessingml.document`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// Where the provider serves it, when it was not downloaded. Such URLs expire.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// When `url` stops working, as Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<u64>,
    /// The bytes, when downloaded (base64 in JSON).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "base64_bytes"
    )]
    pub data: Option<Vec<u8>>,
}

impl Artifact {
    /// Size in bytes of the downloaded data, if downloaded.
    pub fn size(&self) -> Option<usize> {
        self.data.as_ref().map(Vec::len)
    }
}

/// The native, provider-typed result a [`Document`] was mapped from.
///
/// Reach it with [`Document::native`]; it is not serialised.
#[derive(Clone)]
pub struct NativeResult(Arc<dyn Any + Send + Sync>, &'static str);

impl NativeResult {
    /// Wraps a provider's typed result.
    pub fn new<T: Any + Send + Sync>(value: T) -> Self {
        NativeResult(Arc::new(value), std::any::type_name::<T>())
    }
}

impl fmt::Debug for NativeResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NativeResult<{}>", self.1)
    }
}

/// A recognised document.
///
/// It says what was asked and what arrived: [`pages_requested`](Document::pages_requested)
/// and [`missing`](Document::missing) (a page that failed is listed there, never dropped
/// silently), and whether its pages are real page boundaries
/// ([`page_boundaries`](Document::page_boundaries)).
///
/// ```
/// use ocr_core::{Document, Line, Page};
/// let mut doc = Document::new("example");
/// let mut page = Page::new(1);
/// page.lines.push(Line::new("Hello"));
/// page.lines.push(Line::new("world"));
/// doc.pages.push(page);
/// assert_eq!(doc.text(), "Hello\nworld");
/// ```
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Document {
    /// The provider id that produced it.
    pub provider: String,
    /// Pages in order.
    #[serde(default)]
    pub pages: Vec<Page>,
    /// Structured fields, for extraction and ID cards.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<Field>,
    /// The whole document as Markdown, for providers that produce it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub markdown: Option<String>,
    /// Result files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<Artifact>,
    /// The request ids of the calls that produced it, for support tickets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub request_ids: Vec<String>,
    /// The pages that were asked for (all pages of the document unless a selection was
    /// given), when the provider knows them. Empty when it does not (a single image, a
    /// provider without page boundaries).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pages_requested: Vec<u32>,
    /// Pages that were asked for and did not arrive, with why. A document with entries here
    /// is incomplete ([`Document::is_complete`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<MissingPage>,
    /// Whether `pages` are the document's real pages.
    #[serde(default, skip_serializing_if = "PageBoundaries::is_known")]
    pub page_boundaries: PageBoundaries,
    /// What was billed to produce it, in the service's own units (calls per action, pages,
    /// tokens, credits); see [`Usage`]. Not written to JSON when nothing is recorded.
    #[serde(default, skip_serializing_if = "Usage::is_empty")]
    pub usage: Usage,
    /// Providers of a fallback chain that were tried before the one that produced this
    /// document, and why each was passed over, in the order they were tried.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped_providers: Vec<SkippedProvider>,
    #[serde(skip)]
    native: Option<NativeResult>,
}

/// A provider a fallback chain tried and moved on from, and why.
///
/// ```
/// use ocr_core::{Document, SkippedProvider};
/// let mut doc = Document::new("lkeap");
/// doc.skipped_providers.push(SkippedProvider {
///     provider: "tc-ocr".into(),
///     code: "invalid_input".into(),
///     message: "PDF pages beyond 100 are not read".into(),
/// });
/// let json = serde_json::to_value(&doc).unwrap();
/// assert_eq!(json["skipped_providers"][0]["provider"], "tc-ocr");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkippedProvider {
    /// The provider id (`"tc-ocr"` …).
    pub provider: String,
    /// Why it was skipped, as a short code (an error kind or the service's error code).
    pub code: String,
    /// Why it was skipped, in words.
    pub message: String,
}

/// A page that was asked for and did not arrive.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MissingPage {
    /// The 1-based page number.
    pub page: u32,
    /// The service's error code, when it gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// What went wrong.
    pub message: String,
    /// The request id of the call that reported it, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl MissingPage {
    /// Page `page` failed with `err` (its code, message and request id are kept).
    pub fn from_error(page: u32, err: &crate::error::Error) -> Self {
        MissingPage {
            page,
            code: err.code().map(str::to_owned),
            message: err.message().to_owned(),
            request_id: err.request_id().map(str::to_owned),
        }
    }
}

/// Whether a document's `pages` follow the document's real page boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PageBoundaries {
    /// Each entry of `pages` is one page of the document, numbered as in the document.
    #[default]
    Known,
    /// The provider returned the whole document's text without page boundaries: `pages`
    /// holds one entry with all of it, whatever the document's page count.
    Unknown,
}

impl PageBoundaries {
    /// Whether boundaries are known (the default, not written to JSON).
    pub fn is_known(&self) -> bool {
        *self == PageBoundaries::Known
    }
}

impl PartialEq for Document {
    fn eq(&self, other: &Self) -> bool {
        self.provider == other.provider
            && self.pages == other.pages
            && self.fields == other.fields
            && self.markdown == other.markdown
            && self.files == other.files
            && self.request_ids == other.request_ids
            && self.pages_requested == other.pages_requested
            && self.missing == other.missing
            && self.page_boundaries == other.page_boundaries
            && self.usage == other.usage
            && self.skipped_providers == other.skipped_providers
    }
}

impl Document {
    /// An empty document from `provider`.
    pub fn new(provider: impl Into<String>) -> Self {
        Document {
            provider: provider.into(),
            ..Document::default()
        }
    }

    /// Keeps the provider's typed result reachable through [`Document::native`].
    pub fn with_native<T: Any + Send + Sync>(mut self, native: T) -> Self {
        self.native = Some(NativeResult::new(native));
        self
    }

    /// The provider's typed result, if it kept one of type `T`.
    ///
    /// ```
    /// let doc = ocr_core::Document::new("p").with_native(42u32);
    /// assert_eq!(doc.native::<u32>(), Some(&42));
    /// assert_eq!(doc.native::<String>(), None);
    /// ```
    pub fn native<T: Any + Send + Sync>(&self) -> Option<&T> {
        self.native.as_ref().and_then(|n| n.0.downcast_ref::<T>())
    }

    /// The text in reading order: page texts separated by a blank line. A document with no
    /// lines falls back to its Markdown, and then to its fields as `key: value` lines.
    pub fn text(&self) -> String {
        let has_lines = self.pages.iter().any(|p| !p.lines.is_empty());
        if !has_lines {
            if let Some(md) = &self.markdown {
                return md.clone();
            }
            let page_md: Vec<String> = self
                .pages
                .iter()
                .filter_map(|p| p.markdown.clone())
                .collect();
            if !page_md.is_empty() {
                return page_md.join("\n\n");
            }
            return self
                .fields
                .iter()
                .map(|f| format!("{}: {}", f.key, f.value))
                .collect::<Vec<_>>()
                .join("\n");
        }
        self.pages
            .iter()
            .map(Page::text)
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join("\n\n")
    }

    /// Whether every page asked for arrived.
    pub fn is_complete(&self) -> bool {
        self.missing.is_empty()
    }

    /// The document, or an error when pages are missing: what
    /// [`Options::strict`](crate::Options::strict) asks for. The error is a
    /// [`TaskFailed`](crate::ErrorKind::TaskFailed) with code `IncompleteDocument`, naming
    /// each missing page and its reason.
    ///
    /// ```
    /// use ocr_core::{Document, MissingPage};
    /// let mut doc = Document::new("p");
    /// assert!(doc.clone().require_complete().is_ok());
    /// doc.missing.push(MissingPage { page: 2, message: "timed out".into(), ..MissingPage::default() });
    /// let err = doc.require_complete().unwrap_err();
    /// assert!(err.to_string().contains("page 2"));
    /// ```
    pub fn require_complete(self) -> crate::error::Result<Document> {
        if self.is_complete() {
            return Ok(self);
        }
        let mut err = crate::error::Error::new(
            crate::error::ErrorKind::TaskFailed,
            format!("incomplete document: {}", self.missing_summary()),
        )
        .with_code("IncompleteDocument")
        .with_provider(self.provider.clone());
        if let Some(id) = self.missing.iter().find_map(|m| m.request_id.clone()) {
            err = err.with_request_id(id);
        }
        Err(err)
    }

    /// The missing pages on one line: `page 2 (Code: message); page 5 (…)`.
    pub fn missing_summary(&self) -> String {
        self.missing
            .iter()
            .map(|m| match &m.code {
                Some(code) => format!("page {} ({code}: {})", m.page, m.message),
                None => format!("page {} ({})", m.page, m.message),
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// One document from per-page results, in page order: `requested` lists the pages asked
    /// for; each `(page, result)` is the document of one call or job for that page, or why
    /// it failed (recorded in [`missing`](Document::missing)).
    ///
    /// When every page failed, the first error is returned instead: there is no document.
    /// A single page's document keeps its native result; several pages' documents are kept
    /// as the native `Vec<Document>` (each with its own native result). The
    /// [`usage`](Document::usage) is the sum of the pages' usage (a page that failed brought
    /// none).
    ///
    /// ```
    /// use ocr_core::{Document, Error, ErrorKind, Line, Page};
    /// let page = |n: u32, text: &str| {
    ///     let mut doc = Document::new("p");
    ///     let mut page = Page::new(n);
    ///     page.lines.push(Line::new(text));
    ///     doc.pages.push(page);
    ///     doc.usage.call("Recognize");
    ///     doc.usage.pages = 1;
    ///     doc
    /// };
    /// let doc = Document::from_pages(
    ///     "p",
    ///     vec![1, 2, 3],
    ///     vec![
    ///         (1, Ok(page(1, "one"))),
    ///         (2, Err(Error::new(ErrorKind::Service, "busy").with_code("InternalError"))),
    ///         (3, Ok(page(3, "three"))),
    ///     ],
    /// )?;
    /// assert_eq!(doc.text(), "one\n\nthree");
    /// assert_eq!(doc.missing[0].page, 2);
    /// assert!(!doc.is_complete());
    /// assert_eq!((doc.usage.total_calls(), doc.usage.pages), (2, 2));
    /// # Ok::<(), ocr_core::Error>(())
    /// ```
    pub fn from_pages(
        provider: impl Into<String>,
        requested: Vec<u32>,
        mut results: Vec<(u32, crate::error::Result<Document>)>,
    ) -> crate::error::Result<Document> {
        results.sort_by_key(|(page, _)| *page);
        if results.len() == 1 {
            let Some((page, result)) = results.pop() else {
                return Ok(Document::new(provider));
            };
            let mut doc = match result {
                Ok(doc) => doc,
                Err(err) if requested.len() <= 1 => return Err(err),
                Err(err) => {
                    let mut doc = Document::new(provider);
                    doc.missing.push(MissingPage::from_error(page, &err));
                    doc
                }
            };
            doc.pages_requested = requested;
            return Ok(doc);
        }
        let mut out = Document::new(provider);
        let mut parts = Vec::new();
        let mut first_error = None;
        for (page, result) in results {
            match result {
                Ok(mut doc) => {
                    out.usage.add(&doc.usage);
                    out.pages.append(&mut doc.pages);
                    out.fields.append(&mut doc.fields);
                    out.files.append(&mut doc.files);
                    out.request_ids.append(&mut doc.request_ids);
                    out.missing.append(&mut doc.missing);
                    if let Some(md) = doc.markdown.take() {
                        let joined = match out.markdown.take() {
                            Some(prev) => format!("{prev}\n\n{md}"),
                            None => md,
                        };
                        out.markdown = Some(joined);
                    }
                    parts.push(doc);
                }
                Err(err) => {
                    out.missing.push(MissingPage::from_error(page, &err));
                    first_error.get_or_insert(err);
                }
            }
        }
        if parts.is_empty() {
            if let Some(err) = first_error {
                return Err(err);
            }
        }
        out.missing.sort_by_key(|m| m.page);
        out.pages_requested = requested;
        Ok(out.with_native(parts))
    }

    /// Every line of every page, in order.
    pub fn lines(&self) -> impl Iterator<Item = &Line> {
        self.pages.iter().flat_map(|p| p.lines.iter())
    }

    /// The first field named `key`.
    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }
}

mod base64_bytes {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(data: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
        match data {
            Some(bytes) => s.serialize_str(&STANDARD.encode(bytes)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
        let text: Option<String> = Option::deserialize(d)?;
        text.map(|t| STANDARD.decode(t).map_err(serde::de::Error::custom))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Document {
        let mut doc = Document::new("p");
        let mut p1 = Page::new(1);
        p1.lines.push(Line::new("a"));
        p1.lines.push(Line::new("b"));
        let mut p2 = Page::new(2);
        p2.lines.push(Line::new("c"));
        doc.pages = vec![p1, p2];
        doc
    }

    #[test]
    fn text_joins_pages_with_blank_line() {
        assert_eq!(sample().text(), "a\nb\n\nc");
    }

    #[test]
    fn text_falls_back_to_markdown_then_fields() {
        let mut doc = Document::new("p");
        doc.fields.push(Field {
            key: "Name".into(),
            value: "Ada".into(),
            ..Field::default()
        });
        assert_eq!(doc.text(), "Name: Ada");
        doc.markdown = Some("# Title".into());
        assert_eq!(doc.text(), "# Title");
    }

    #[test]
    fn json_round_trip_keeps_everything_but_native() {
        let mut doc = sample().with_native(String::from("raw"));
        doc.files.push(Artifact {
            name: "out.docx".into(),
            data: Some(vec![0, 1, 2, 255]),
            ..Artifact::default()
        });
        doc.pages[0].lines[0].bbox = Some(Quad::from_rect(1.0, 2.0, 3.0, 4.0));
        let json = serde_json::to_string(&doc).unwrap();
        assert!(json.contains("\"data\":\"AAEC/w==\""), "{json}");
        let back: Document = serde_json::from_str(&json).unwrap();
        assert_eq!(back, doc);
        assert!(back.native::<String>().is_none());
    }

    #[test]
    fn confidence_normalisation() {
        assert_eq!(normalize_confidence(100.0, 100.0), Some(1.0));
        assert_eq!(normalize_confidence(0.5, 1.0), Some(0.5));
        assert_eq!(normalize_confidence(101.0, 100.0), None);
        assert_eq!(normalize_confidence(f64::NAN, 1.0), None);
    }

    #[test]
    fn bounding_rect_of_rotated_quad() {
        let q = Quad::new([
            Point::new(5.0, 0.0),
            Point::new(10.0, 5.0),
            Point::new(5.0, 10.0),
            Point::new(0.0, 5.0),
        ]);
        assert_eq!(q.bounding_rect(), (0.0, 0.0, 10.0, 10.0));
    }
}

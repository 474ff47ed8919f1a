//! What to recognise ([`Source`]) and how ([`Options`]), and the up-front checks that refuse a
//! request a provider would reject, before anything is sent.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use tokio::io::AsyncReadExt;

use crate::error::{Error, ErrorKind, Result};
use crate::format::{image_dimensions, Format};

/// How many leading bytes are read to recognise a format and an image size.
pub const SNIFF_LEN: usize = 64 * 1024;

/// Where the document is.
///
/// Usually built by [`Request::from_url`], [`Request::from_path`] or [`Request::from_bytes`];
/// the variants can also be built directly.
///
/// ```
/// use std::path::PathBuf;
/// use ocr_core::Source;
///
/// // A URL the service downloads itself: nothing is uploaded.
/// let url = Source::Url("https://example.com/scans/invoice.png?sign=abc".parse()?);
/// // A local file, streamed from disk where the provider allows it.
/// let path = Source::Path(PathBuf::from("scans/invoice.png"));
/// // Bytes already in memory; the name gives text files their format and uploads their name.
/// let bytes = Source::Bytes {
///     data: b"%PDF-1.7\n".to_vec().into(),
///     file_name: Some("invoice.pdf".into()),
/// };
///
/// assert_eq!(url.file_name().as_deref(), Some("invoice.png"));
/// assert_eq!(path.file_name().as_deref(), Some("invoice.png"));
/// assert_eq!(bytes.file_name().as_deref(), Some("invoice.pdf"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A URL the provider downloads itself.
    Url(url::Url),
    /// Bytes in memory, with an optional file name (used for the format of text files and as
    /// the upload name).
    Bytes {
        /// The content.
        data: Bytes,
        /// The file name, if any.
        file_name: Option<String>,
    },
    /// A local file, streamed where the provider allows it.
    Path(PathBuf),
}

impl Source {
    /// A file name for the source: the path's or URL's last segment, or the given name.
    ///
    /// ```
    /// use ocr_core::Source;
    ///
    /// let path = Source::Path("scans/page 1.png".into());
    /// assert_eq!(path.file_name().as_deref(), Some("page 1.png"));
    /// // The query is not part of the name; a URL ending in `/` has none.
    /// let signed = Source::Url("https://example.com/a.png?q-signature=abc".parse()?);
    /// assert_eq!(signed.file_name().as_deref(), Some("a.png"));
    /// assert_eq!(Source::Url("https://example.com/scans/".parse()?).file_name(), None);
    /// let unnamed = Source::Bytes { data: vec![0xFF, 0xD8, 0xFF].into(), file_name: None };
    /// assert_eq!(unnamed.file_name(), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn file_name(&self) -> Option<String> {
        match self {
            Source::Url(u) => u
                .path_segments()
                .and_then(|mut s| s.next_back())
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            Source::Bytes { file_name, .. } => file_name.clone(),
            Source::Path(p) => p.file_name().map(|n| n.to_string_lossy().into_owned()),
        }
    }

    /// Reads the whole content into memory (not for URLs), refusing more than `max_bytes`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] (field `source`) for an empty, oversized or unreadable
    /// source; [`ErrorKind::Unsupported`] for a URL.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), ocr_core::Error> {
    /// use ocr_core::{ErrorKind, Source};
    ///
    /// let source = Source::Bytes { data: b"hello".to_vec().into(), file_name: None };
    /// assert_eq!(source.read_all(1024).await?.as_ref(), b"hello");
    /// assert_eq!(source.read_all(4).await.unwrap_err().field(), Some("source"));
    ///
    /// let url = Source::Url("https://example.com/a.png".parse().unwrap());
    /// assert_eq!(url.read_all(1024).await.unwrap_err().kind(), ErrorKind::Unsupported);
    /// # Ok(()) }
    /// ```
    pub async fn read_all(&self, max_bytes: u64) -> Result<Bytes> {
        match self {
            Source::Bytes { data, .. } => {
                check_size(data.len() as u64, max_bytes)?;
                Ok(data.clone())
            }
            Source::Path(path) => {
                let len = file_len(path).await?;
                check_size(len, max_bytes)?;
                let data = tokio::fs::read(path)
                    .await
                    .map_err(|e| read_error(path, e))?;
                check_size(data.len() as u64, max_bytes)?;
                Ok(Bytes::from(data))
            }
            Source::Url(_) => Err(Error::unsupported(
                "a URL source cannot be read locally; pass it to a provider that downloads URLs",
            )),
        }
    }
}

fn check_size(len: u64, max: u64) -> Result<()> {
    if len > max {
        return Err(Error::invalid_input(
            "source",
            format!("is {} bytes, over the limit of {} bytes", len, max),
        ));
    }
    if len == 0 {
        return Err(Error::invalid_input("source", "is empty"));
    }
    Ok(())
}

fn read_error(path: &Path, err: std::io::Error) -> Error {
    Error::new(
        ErrorKind::InvalidInput,
        format!("cannot read {}", path.display()),
    )
    .with_field("source")
    .with_source(err)
}

async fn file_len(path: &Path) -> Result<u64> {
    let meta = tokio::fs::metadata(path)
        .await
        .map_err(|e| read_error(path, e))?;
    if !meta.is_file() {
        return Err(Error::invalid_input(
            "source",
            format!("{} is not a regular file", path.display()),
        ));
    }
    Ok(meta.len())
}

/// A kind of output a caller wants.
///
/// ```
/// use ocr_core::OutputKind;
/// assert_eq!("markdown".parse::<OutputKind>()?, OutputKind::Markdown);
/// assert_eq!(OutputKind::Fields.as_str(), "fields");
/// # Ok::<(), ocr_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum OutputKind {
    /// Plain text in reading order.
    Text,
    /// Lines and words with their boxes.
    Layout,
    /// Structured key/value fields.
    Fields,
    /// The document as Markdown.
    Markdown,
    /// Result files (docx, xlsx, images …).
    Files,
}

impl OutputKind {
    /// Every kind, in order.
    pub const ALL: [OutputKind; 5] = [
        OutputKind::Text,
        OutputKind::Layout,
        OutputKind::Fields,
        OutputKind::Markdown,
        OutputKind::Files,
    ];

    /// The name used in configuration and on the command line (`"text"`, `"layout"` …).
    pub fn as_str(self) -> &'static str {
        match self {
            OutputKind::Text => "text",
            OutputKind::Layout => "layout",
            OutputKind::Fields => "fields",
            OutputKind::Markdown => "markdown",
            OutputKind::Files => "files",
        }
    }
}

impl fmt::Display for OutputKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for OutputKind {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        OutputKind::ALL
            .into_iter()
            .find(|k| k.as_str() == text.trim())
            .ok_or_else(|| {
                Error::invalid_input(
                    "outputs",
                    format!(
                        "`{text}` is not an output kind (one of: text, layout, fields, markdown, files)"
                    ),
                )
            })
    }
}

/// A hint of what the document is, which some providers use to pick an API.
///
/// ```
/// use ocr_core::DocumentKind;
/// assert_eq!("id-card".parse::<DocumentKind>()?, DocumentKind::IdCard);
/// assert_eq!(DocumentKind::IdCard.as_str(), "id-card");
/// # Ok::<(), ocr_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DocumentKind {
    /// Any document.
    #[default]
    General,
    /// An identity card, passport or similar card.
    IdCard,
}

impl DocumentKind {
    /// Every kind, in order.
    pub const ALL: [DocumentKind; 2] = [DocumentKind::General, DocumentKind::IdCard];

    /// The name used on the command line (`"general"`, `"id-card"`).
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::General => "general",
            DocumentKind::IdCard => "id-card",
        }
    }
}

impl fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for DocumentKind {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        let wanted = text.trim().replace('_', "-");
        DocumentKind::ALL
            .into_iter()
            .find(|k| k.as_str() == wanted)
            .ok_or_else(|| {
                Error::invalid_input(
                    "document_kind",
                    format!("`{text}` is not a document kind (one of: general, id-card)"),
                )
            })
    }
}

/// An inclusive, 1-based page range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PageRange {
    start: u32,
    end: u32,
}

impl PageRange {
    /// Pages `start..=end`, 1-based; refuses 0 and reversed ranges.
    ///
    /// ```
    /// assert!(ocr_core::PageRange::new(2, 5).is_ok());
    /// assert!(ocr_core::PageRange::new(0, 5).is_err());
    /// assert!(ocr_core::PageRange::new(5, 2).is_err());
    /// ```
    pub fn new(start: u32, end: u32) -> Result<Self> {
        if start == 0 {
            return Err(Error::invalid_input(
                "pages",
                "start at page 1 (pages are 1-based)",
            ));
        }
        if end < start {
            return Err(Error::invalid_input(
                "pages",
                format!("must not end ({end}) before they start ({start})"),
            ));
        }
        Ok(PageRange { start, end })
    }

    /// One page.
    pub fn single(page: u32) -> Result<Self> {
        PageRange::new(page, page)
    }

    /// First page, 1-based.
    pub fn start(&self) -> u32 {
        self.start
    }

    /// Last page, 1-based, inclusive.
    pub fn end(&self) -> u32 {
        self.end
    }

    /// Number of pages in the range.
    pub fn len(&self) -> u32 {
        self.end - self.start + 1
    }

    /// Always false: a range holds at least one page.
    pub fn is_empty(&self) -> bool {
        false
    }
}

/// A set of 1-based pages: sorted, merged ranges such as `1-3,7`.
///
/// Written and read (also by serde) as text: comma-separated pages and inclusive ranges.
///
/// ```
/// use ocr_core::PageSet;
/// let pages: PageSet = "7, 1-3,2".parse()?;
/// assert_eq!(pages.to_string(), "1-3,7");
/// assert_eq!(pages.iter().collect::<Vec<_>>(), [1, 2, 3, 7]);
/// assert!(pages.contains(2) && !pages.contains(5));
/// assert_eq!(pages.within(5).unwrap_err().field(), Some("pages"));
/// # Ok::<(), ocr_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PageSet {
    /// Non-empty, sorted, neither overlapping nor touching.
    ranges: Vec<PageRange>,
}

impl PageSet {
    /// The pages of `ranges`, merged; refuses an empty list.
    pub fn new(ranges: impl IntoIterator<Item = PageRange>) -> Result<Self> {
        let mut ranges: Vec<PageRange> = ranges.into_iter().collect();
        if ranges.is_empty() {
            return Err(Error::invalid_input("pages", "must name at least one page"));
        }
        ranges.sort_by_key(|r| (r.start, r.end));
        let mut merged: Vec<PageRange> = Vec::with_capacity(ranges.len());
        for r in ranges {
            match merged.last_mut() {
                Some(last) if r.start <= last.end.saturating_add(1) => {
                    last.end = last.end.max(r.end);
                }
                _ => merged.push(r),
            }
        }
        Ok(PageSet { ranges: merged })
    }

    /// The merged ranges, in order.
    pub fn ranges(&self) -> &[PageRange] {
        &self.ranges
    }

    /// The one range the set is, when it is contiguous.
    pub fn as_range(&self) -> Option<PageRange> {
        match self.ranges.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }

    /// Whether page `n` is in the set.
    pub fn contains(&self, n: u32) -> bool {
        self.ranges.iter().any(|r| r.start <= n && n <= r.end)
    }

    /// The first page.
    pub fn first(&self) -> u32 {
        self.ranges.first().map_or(1, |r| r.start)
    }

    /// The last page.
    pub fn last(&self) -> u32 {
        self.ranges.last().map_or(1, |r| r.end)
    }

    /// How many pages.
    pub fn len(&self) -> u64 {
        self.ranges.iter().map(|r| u64::from(r.len())).sum()
    }

    /// Always false: a set holds at least one page.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Every page, in order.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.ranges.iter().flat_map(|r| r.start..=r.end)
    }

    /// Every page, checked against a document of `page_count` pages: a page beyond the end
    /// is refused (field `pages`) rather than silently skipped.
    pub fn within(&self, page_count: u32) -> Result<Vec<u32>> {
        if self.last() > page_count {
            return Err(Error::invalid_input(
                "pages",
                format!(
                    "asks for page {} but the document has {page_count} page{}",
                    self.last(),
                    if page_count == 1 { "" } else { "s" }
                ),
            ));
        }
        Ok(self.iter().collect())
    }
}

impl From<PageRange> for PageSet {
    fn from(range: PageRange) -> Self {
        PageSet {
            ranges: vec![range],
        }
    }
}

impl fmt::Display for PageSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.ranges.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            if r.start == r.end {
                write!(f, "{}", r.start)?;
            } else {
                write!(f, "{}-{}", r.start, r.end)?;
            }
        }
        Ok(())
    }
}

impl std::str::FromStr for PageSet {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        let number = |part: &str| -> Result<u32> {
            part.trim().parse::<u32>().map_err(|_| {
                Error::invalid_input(
                    "pages",
                    format!(
                        "`{}` is not a page number (write pages like 1-3,7)",
                        part.trim()
                    ),
                )
            })
        };
        let mut ranges = Vec::new();
        for part in text.split(',') {
            let range = match part.split_once('-') {
                Some((a, b)) => PageRange::new(number(a)?, number(b)?)?,
                None => PageRange::single(number(part)?)?,
            };
            ranges.push(range);
        }
        PageSet::new(ranges)
    }
}

impl TryFrom<String> for PageSet {
    type Error = Error;

    fn try_from(text: String) -> Result<Self> {
        text.parse()
    }
}

impl From<PageSet> for String {
    fn from(pages: PageSet) -> String {
        pages.to_string()
    }
}

/// How to recognise: what to return and any hints. Every field has a neutral default.
///
/// A provider honours only what its [`Capabilities`](crate::Capabilities) list; it refuses
/// anything else before sending a request ([`Capabilities::check`](crate::Capabilities::check)),
/// so no option is ever dropped silently.
///
/// ```
/// use ocr_core::{Options, OutputKind};
/// let options: Options = serde_json::from_str(r#"{"outputs":["fields"],"pages":"1-2","field_names":["Total"]}"#)?;
/// assert!(options.outputs.contains(&OutputKind::Fields));
/// assert_eq!(options.pages.unwrap().len(), 2);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Options {
    /// What the caller wants back; empty means the provider's natural output.
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub outputs: BTreeSet<OutputKind>,
    /// Which pages of a multi-page document; `None` means every page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pages: Option<PageSet>,
    /// Languages to recognise, in the provider's naming; empty means automatic.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<String>,
    /// What kind of document it is.
    pub document_kind: DocumentKind,
    /// Names of fields to extract, for structured extraction.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub field_names: Vec<String>,
    /// The result file format, for providers that produce files (`"docx"`, `"txt"` …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result_format: Option<String>,
    /// A named extraction configuration of the provider (tc-ocr: ExtractDocMulti `ConfigId`,
    /// such as `InvoiceEng`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_id: Option<String>,
    /// For identity documents: the issuing country (ISO 3166-1 alpha-3, e.g. `PHL`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_nationality: Option<String>,
    /// For identity documents: the card type in the provider's naming (tc-ocr: `ID_CARD`,
    /// `PASSPORT` …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_type: Option<String>,
    /// Turn an incomplete document (a page asked for that did not arrive) into an error in
    /// [`recognize`](crate::OcrProvider::recognize) instead of a partial result.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub strict: bool,
}

/// A document to recognise and how.
///
/// ```
/// use ocr_core::{OutputKind, Request};
/// let req = Request::from_path("scan.png").with_output(OutputKind::Text);
/// assert_eq!(req.source.file_name().as_deref(), Some("scan.png"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// Where the document is.
    pub source: Source,
    /// How to recognise it.
    pub options: Options,
}

impl Request {
    /// A request for the document at `source` with default options.
    ///
    /// ```
    /// use ocr_core::{Options, Request, Source};
    ///
    /// let req = Request::new(Source::Path("scan.png".into()));
    /// assert_eq!(req.options, Options::default());
    /// assert_eq!(req, Request::from_path("scan.png"));
    /// ```
    pub fn new(source: Source) -> Self {
        Request {
            source,
            options: Options::default(),
        }
    }

    /// A local file. Nothing is read until the request is submitted, where the provider checks
    /// the file's size and format (see [`inspect`]).
    ///
    /// ```
    /// use ocr_core::{Request, Source};
    ///
    /// let req = Request::from_path("scans/invoice.png");
    /// assert!(matches!(&req.source, Source::Path(p) if p.ends_with("invoice.png")));
    /// ```
    pub fn from_path(path: impl Into<PathBuf>) -> Self {
        Request::new(Source::Path(path.into()))
    }

    /// Bytes in memory, with an optional file name.
    ///
    /// The format is recognised from the content; the name still matters for text files
    /// (which have no magic bytes) and as the upload name.
    ///
    /// ```
    /// use ocr_core::Request;
    ///
    /// let pdf = b"%PDF-1.7\n".to_vec(); // e.g. from std::fs::read or an HTTP body
    /// let req = Request::from_bytes(pdf, Some("statement.pdf"));
    /// assert_eq!(req.source.file_name().as_deref(), Some("statement.pdf"));
    /// ```
    pub fn from_bytes(data: impl Into<Bytes>, file_name: Option<&str>) -> Self {
        Request::new(Source::Bytes {
            data: data.into(),
            file_name: file_name.map(str::to_owned),
        })
    }

    /// A URL the provider fetches or resolves itself (`https://…`, or a provider's own scheme
    /// such as `cos://<bucket>/<key>`). Local `file:` and inline `data:` URLs are refused: use
    /// [`Request::from_path`] or [`Request::from_bytes`]. Each provider checks at submission which
    /// schemes it accepts.
    ///
    /// ```
    /// use ocr_core::Request;
    ///
    /// let req = Request::from_url("https://example.com/scans/a.png")?;
    /// assert_eq!(req.source.file_name().as_deref(), Some("a.png"));
    /// assert!(Request::from_url("cos://examplebucket-1250000000/scans/a.png").is_ok());
    ///
    /// let err = Request::from_url("file:///tmp/a.png").unwrap_err();
    /// assert_eq!(err.field(), Some("source"));
    /// # Ok::<(), ocr_core::Error>(())
    /// ```
    pub fn from_url(url: &str) -> Result<Self> {
        let parsed = url::Url::parse(url)
            .map_err(|e| Error::invalid_input("source", format!("is not a valid URL: {e}")))?;
        if matches!(parsed.scheme(), "file" | "data") {
            return Err(Error::invalid_input(
                "source",
                format!(
                    "must not be a {}: URL; pass local content as a path or bytes",
                    parsed.scheme()
                ),
            ));
        }
        Ok(Request::new(Source::Url(parsed)))
    }

    /// Adds an output kind.
    ///
    /// ```
    /// use ocr_core::{OutputKind, Request};
    ///
    /// let req = Request::from_path("invoice.png")
    ///     .with_output(OutputKind::Text)
    ///     .with_output(OutputKind::Layout);
    /// assert!(req.wants(OutputKind::Layout));
    /// assert_eq!(req.options.outputs.len(), 2);
    /// ```
    pub fn with_output(mut self, kind: OutputKind) -> Self {
        self.options.outputs.insert(kind);
        self
    }

    /// Restricts to some pages: a [`PageRange`] or a [`PageSet`].
    ///
    /// ```
    /// use ocr_core::{PageRange, PageSet, Request};
    ///
    /// let first_three = Request::from_path("report.pdf").with_pages(PageRange::new(1, 3)?);
    /// assert_eq!(first_three.options.pages.map(|p| p.len()), Some(3));
    ///
    /// let pages: PageSet = "1-3,7".parse()?;
    /// let some = Request::from_path("report.pdf").with_pages(pages);
    /// assert_eq!(some.options.pages.map(|p| p.to_string()).as_deref(), Some("1-3,7"));
    /// # Ok::<(), ocr_core::Error>(())
    /// ```
    pub fn with_pages(mut self, pages: impl Into<PageSet>) -> Self {
        self.options.pages = Some(pages.into());
        self
    }

    /// Replaces every option, including any set before: for defaults kept in configuration.
    ///
    /// ```
    /// use ocr_core::{Options, OutputKind, Request};
    ///
    /// let defaults: Options = serde_json::from_str(r#"{"languages": ["en"], "strict": true}"#)?;
    /// let req = Request::from_path("scan.png")
    ///     .with_output(OutputKind::Fields) // replaced by the next line
    ///     .with_options(defaults.clone());
    /// assert_eq!(req.options, defaults);
    /// assert!(!req.wants(OutputKind::Fields));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn with_options(mut self, options: Options) -> Self {
        self.options = options;
        self
    }

    /// Makes an incomplete document an error (see [`Options::strict`]).
    ///
    /// ```
    /// let req = ocr_core::Request::from_path("contract.pdf").strict();
    /// assert!(req.options.strict);
    /// ```
    pub fn strict(mut self) -> Self {
        self.options.strict = true;
        self
    }

    /// Sets the languages, in the provider's naming.
    ///
    /// ```
    /// let req = ocr_core::Request::from_path("menu.jpg").with_languages(["ja", "en"]);
    /// assert_eq!(req.options.languages, ["ja", "en"]);
    /// ```
    pub fn with_languages<I, S>(mut self, languages: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.options.languages = languages.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the document kind.
    ///
    /// ```
    /// use ocr_core::{DocumentKind, Request};
    ///
    /// let mut req = Request::from_path("passport.jpg").with_document_kind(DocumentKind::IdCard);
    /// req.options.card_nationality = Some("PHL".into()); // only meaningful for id cards
    /// assert_eq!(req.options.document_kind, DocumentKind::IdCard);
    /// ```
    pub fn with_document_kind(mut self, kind: DocumentKind) -> Self {
        self.options.document_kind = kind;
        self
    }

    /// Sets the names of the fields to extract.
    ///
    /// ```
    /// use ocr_core::{OutputKind, Request};
    ///
    /// let req = Request::from_path("invoice.png")
    ///     .with_output(OutputKind::Fields)
    ///     .with_field_names(["Invoice No", "Total"]);
    /// assert_eq!(req.options.field_names, ["Invoice No", "Total"]);
    /// ```
    pub fn with_field_names<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.options.field_names = names.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the result file format.
    ///
    /// ```
    /// use ocr_core::{OutputKind, Request};
    ///
    /// let req = Request::from_path("scan.pdf")
    ///     .with_output(OutputKind::Files)
    ///     .with_result_format("docx");
    /// assert_eq!(req.options.result_format.as_deref(), Some("docx"));
    /// ```
    pub fn with_result_format(mut self, format: impl Into<String>) -> Self {
        self.options.result_format = Some(format.into());
        self
    }

    /// Whether the caller asked for `kind`. Nothing asked for means the provider's natural
    /// output, so this is false for every kind then.
    ///
    /// ```
    /// use ocr_core::{OutputKind, Request};
    ///
    /// let plain = Request::from_path("scan.png");
    /// assert!(!plain.wants(OutputKind::Text));
    /// let markdown = plain.with_output(OutputKind::Markdown);
    /// assert!(markdown.wants(OutputKind::Markdown) && !markdown.wants(OutputKind::Text));
    /// ```
    pub fn wants(&self, kind: OutputKind) -> bool {
        self.options.outputs.contains(&kind)
    }
}

/// The documented input limits of a provider (or of one of its APIs).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct InputLimits {
    /// Formats accepted.
    pub formats: Vec<Format>,
    /// Largest accepted file, in bytes.
    pub max_bytes: u64,
    /// Longest accepted image side in pixels, if limited.
    pub max_side: Option<u32>,
    /// Shortest accepted image side in pixels, if limited.
    pub min_side: Option<u32>,
    /// Whether URL sources are accepted.
    pub accepts_url: bool,
    /// Whether local sources (bytes, paths) are accepted.
    pub accepts_local: bool,
    /// If set, URL sources must use one of these ports (explicit or the scheme's default).
    pub url_ports: Option<Vec<u16>>,
}

impl InputLimits {
    /// Limits accepting `formats` up to `max_bytes`, URLs and local files, with no pixel bounds.
    pub fn new(formats: impl Into<Vec<Format>>, max_bytes: u64) -> Self {
        InputLimits {
            formats: formats.into(),
            max_bytes,
            max_side: None,
            min_side: None,
            accepts_url: true,
            accepts_local: true,
            url_ports: None,
        }
    }

    /// Sets pixel bounds for images.
    pub fn with_sides(mut self, min_side: Option<u32>, max_side: Option<u32>) -> Self {
        self.min_side = min_side;
        self.max_side = max_side;
        self
    }

    /// Sets whether URLs and local files are accepted.
    pub fn with_sources(mut self, url: bool, local: bool) -> Self {
        self.accepts_url = url;
        self.accepts_local = local;
        self
    }

    /// Restricts URL ports.
    pub fn with_url_ports(mut self, ports: impl Into<Vec<u16>>) -> Self {
        self.url_ports = Some(ports.into());
        self
    }
}

/// What [`inspect`] learned about a local source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceInfo {
    /// The format recognised; `None` for URLs (the provider downloads them).
    pub format: Option<Format>,
    /// Size in bytes; `None` for URLs.
    pub size: Option<u64>,
    /// Image width and height, when the header tells them.
    pub dimensions: Option<(u32, u32)>,
    /// The file name, if any.
    pub file_name: Option<String>,
}

/// Checks a source against a provider's limits without sending anything: reads a local file's
/// size and first bytes, recognises the format from its content, and checks pixel bounds where
/// the image header tells them. URLs are checked for scheme, host and port.
///
/// Every refusal is an [`ErrorKind::InvalidInput`] error naming the field `source` and the rule.
pub async fn inspect(source: &Source, limits: &InputLimits) -> Result<SourceInfo> {
    let file_name = source.file_name();
    match source {
        Source::Url(url) => {
            if !limits.accepts_url {
                return Err(Error::invalid_input(
                    "source",
                    "must be a local file or bytes: this provider does not download URLs",
                ));
            }
            check_url(url, limits)?;
            Ok(SourceInfo {
                format: None,
                size: None,
                dimensions: None,
                file_name,
            })
        }
        Source::Bytes { data, .. } => {
            local_allowed(limits)?;
            let head = &data[..data.len().min(SNIFF_LEN)];
            check_local(head, data.len() as u64, file_name, limits)
        }
        Source::Path(path) => {
            local_allowed(limits)?;
            let size = file_len(path).await?;
            let mut head = Vec::with_capacity(SNIFF_LEN.min(size as usize));
            let file = tokio::fs::File::open(path)
                .await
                .map_err(|e| read_error(path, e))?;
            file.take(SNIFF_LEN as u64)
                .read_to_end(&mut head)
                .await
                .map_err(|e| read_error(path, e))?;
            check_local(&head, size, file_name, limits)
        }
    }
}

fn local_allowed(limits: &InputLimits) -> Result<()> {
    if limits.accepts_local {
        Ok(())
    } else {
        Err(Error::invalid_input(
            "source",
            "must be a URL: this provider does not accept uploads",
        ))
    }
}

/// The longest URL sent: longer ones are refused by the services' front ends and proxies (and
/// are a sign of a mistake), so they are refused here before anything is sent.
pub const MAX_URL_LEN: usize = 8 * 1024;

fn check_url(url: &url::Url, limits: &InputLimits) -> Result<()> {
    let len = url.as_str().len();
    if len > MAX_URL_LEN {
        return Err(Error::invalid_input(
            "source",
            format!("URL is {len} bytes long; at most {MAX_URL_LEN} are accepted"),
        ));
    }
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::invalid_input(
            "source",
            format!("URL scheme must be http or https, not {}", url.scheme()),
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::invalid_input("source", "URL has no host"));
    }
    if let Some(ports) = &limits.url_ports {
        let port = url.port_or_known_default().unwrap_or(0);
        if !ports.contains(&port) {
            return Err(Error::invalid_input(
                "source",
                format!("URL port {port} is not accepted (allowed: {ports:?})"),
            ));
        }
    }
    Ok(())
}

fn check_local(
    head: &[u8],
    size: u64,
    file_name: Option<String>,
    limits: &InputLimits,
) -> Result<SourceInfo> {
    check_size(size, limits.max_bytes)?;
    let format = Format::detect(head, file_name.as_deref()).ok_or_else(|| {
        Error::invalid_input(
            "source",
            format!(
                "is not a recognised document format (accepted: {})",
                list_formats(&limits.formats)
            ),
        )
    })?;
    if !limits.formats.contains(&format) {
        return Err(Error::invalid_input(
            "source",
            format!(
                "is {}, which this provider does not accept (accepted: {})",
                format,
                list_formats(&limits.formats)
            ),
        ));
    }
    let dimensions = if format.is_image() {
        image_dimensions(head)
    } else {
        None
    };
    if let Some((w, h)) = dimensions {
        if let Some(max) = limits.max_side {
            if w > max || h > max {
                return Err(Error::invalid_input(
                    "source",
                    format!("image is {w}x{h} pixels; each side must be at most {max}"),
                ));
            }
        }
        if let Some(min) = limits.min_side {
            if w < min || h < min {
                return Err(Error::invalid_input(
                    "source",
                    format!("image is {w}x{h} pixels; each side must be at least {min}"),
                ));
            }
        }
    }
    Ok(SourceInfo {
        format: Some(format),
        size: Some(size),
        dimensions,
        file_name,
    })
}

fn list_formats(formats: &[Format]) -> String {
    formats
        .iter()
        .map(|f| f.extension())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let mut v = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        v.extend_from_slice(&w.to_be_bytes());
        v.extend_from_slice(&h.to_be_bytes());
        v.extend_from_slice(&[8, 2, 0, 0, 0]);
        v
    }

    fn limits() -> InputLimits {
        InputLimits::new(vec![Format::Png, Format::Pdf], 100).with_sides(Some(10), Some(1000))
    }

    #[tokio::test]
    async fn accepts_a_valid_png() {
        let src = Source::Bytes {
            data: png(20, 30).into(),
            file_name: Some("a.png".into()),
        };
        let info = inspect(&src, &limits()).await.unwrap();
        assert_eq!(info.format, Some(Format::Png));
        assert_eq!(info.dimensions, Some((20, 30)));
        assert_eq!(info.size, Some(png(20, 30).len() as u64));
    }

    #[tokio::test]
    async fn refusals_name_the_rule() {
        let cases: Vec<(Source, &str)> = vec![
            (
                Source::Bytes {
                    data: png(5, 30).into(),
                    file_name: None,
                },
                "at least 10",
            ),
            (
                Source::Bytes {
                    data: png(2000, 30).into(),
                    file_name: None,
                },
                "at most 1000",
            ),
            (
                Source::Bytes {
                    data: vec![0u8; 101].into(),
                    file_name: None,
                },
                "over the limit of 100 bytes",
            ),
            (
                Source::Bytes {
                    data: Bytes::new(),
                    file_name: None,
                },
                "is empty",
            ),
            (
                Source::Bytes {
                    data: b"GIF89a\x01\0\x01\0".to_vec().into(),
                    file_name: None,
                },
                "is gif, which this provider does not accept",
            ),
            (
                Source::Bytes {
                    data: b"hello".to_vec().into(),
                    file_name: None,
                },
                "not a recognised document format",
            ),
            (
                Source::Url("ftp://example.com/a.png".parse().unwrap()),
                "scheme must be http or https",
            ),
            (
                Source::Path("/definitely/not/here.png".into()),
                "cannot read",
            ),
            (
                Source::Url(
                    format!("https://example.com/{}", "a".repeat(9000))
                        .parse()
                        .unwrap(),
                ),
                "at most 8192",
            ),
        ];
        for (src, needle) in cases {
            let err = inspect(&src, &limits()).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput);
            assert_eq!(err.field(), Some("source"));
            assert!(err.to_string().contains(needle), "{err} !~ {needle}");
        }
    }

    #[tokio::test]
    async fn url_ports_and_source_kinds() {
        let l = limits().with_url_ports(vec![80, 443]);
        let ok = Source::Url("https://example.com/x.png".parse().unwrap());
        assert!(inspect(&ok, &l).await.is_ok());
        let bad = Source::Url("https://example.com:8443/x.png".parse().unwrap());
        assert!(inspect(&bad, &l)
            .await
            .unwrap_err()
            .to_string()
            .contains("8443"));
        let no_url = limits().with_sources(false, true);
        assert!(inspect(&ok, &no_url).await.is_err());
        let no_local = limits().with_sources(true, false);
        let bytes = Source::Bytes {
            data: png(20, 20).into(),
            file_name: None,
        };
        assert!(inspect(&bytes, &no_local).await.is_err());
    }

    #[tokio::test]
    async fn reads_paths_and_caps_reading() {
        let dir = std::env::temp_dir().join(format!("ocr-core-req-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("doc.pdf");
        std::fs::write(&path, b"%PDF-1.4\n%%EOF\n").unwrap();
        let src = Source::Path(path.clone());
        let info = inspect(&src, &limits()).await.unwrap();
        assert_eq!(info.format, Some(Format::Pdf));
        assert_eq!(info.file_name.as_deref(), Some("doc.pdf"));
        assert_eq!(src.read_all(100).await.unwrap().len(), 15);
        assert!(src.read_all(10).await.is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn from_url_refuses_local_schemes_and_leaves_the_rest_to_providers() {
        assert!(Request::from_url("https://a.example/x.pdf").is_ok());
        assert!(Request::from_url("cos://examplebucket-1250000000/in/a.png").is_ok());
        assert!(Request::from_url("file:///etc/passwd").is_err());
        assert!(Request::from_url("data:text/plain,hi").is_err());
        assert!(Request::from_url("not a url").is_err());
    }
}

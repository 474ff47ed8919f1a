//! What to recognise ([`Source`]) and how ([`Options`]), and the up-front checks that refuse a
//! request a provider would reject, before anything is sent.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use tokio::io::AsyncReadExt;

use crate::error::{Error, ErrorKind, Result};
use crate::format::{image_dimensions, Format};

/// How many leading bytes are read to recognise a format and an image size.
pub const SNIFF_LEN: usize = 64 * 1024;

/// Where the document is.
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

/// A hint of what the document is, which some providers use to pick an API.
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

/// An inclusive, 1-based page range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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

/// How to recognise: what to return and any hints. Every field has a neutral default.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Options {
    /// What the caller wants back; empty means the provider's natural output.
    #[serde(default)]
    pub outputs: BTreeSet<OutputKind>,
    /// Which pages of a multi-page document.
    #[serde(default)]
    pub pages: Option<PageRange>,
    /// Languages to recognise, in the provider's naming; empty means automatic.
    #[serde(default)]
    pub languages: Vec<String>,
    /// What kind of document it is.
    #[serde(default)]
    pub document_kind: DocumentKind,
    /// Names of fields to extract, for structured extraction.
    #[serde(default)]
    pub field_names: Vec<String>,
    /// The result file format, for providers that produce files (`"docx"`, `"txt"` …).
    #[serde(default)]
    pub result_format: Option<String>,
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
    pub fn new(source: Source) -> Self {
        Request {
            source,
            options: Options::default(),
        }
    }

    /// A local file.
    pub fn from_path(path: impl Into<PathBuf>) -> Self {
        Request::new(Source::Path(path.into()))
    }

    /// Bytes in memory, with an optional file name.
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
    pub fn with_output(mut self, kind: OutputKind) -> Self {
        self.options.outputs.insert(kind);
        self
    }

    /// Restricts to a page range.
    pub fn with_pages(mut self, pages: PageRange) -> Self {
        self.options.pages = Some(pages);
        self
    }

    /// Sets the languages.
    pub fn with_languages<I, S>(mut self, languages: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.options.languages = languages.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the document kind.
    pub fn with_document_kind(mut self, kind: DocumentKind) -> Self {
        self.options.document_kind = kind;
        self
    }

    /// Sets the names of the fields to extract.
    pub fn with_field_names<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.options.field_names = names.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the result file format.
    pub fn with_result_format(mut self, format: impl Into<String>) -> Self {
        self.options.result_format = Some(format.into());
        self
    }

    /// Whether the caller asked for `kind`.
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

fn check_url(url: &url::Url, limits: &InputLimits) -> Result<()> {
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

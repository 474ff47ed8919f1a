//! How a recognised document is written out: plain text, the stable JSON wrapper, or Markdown.
//!
//! The JSON form is [`ScanOutput`]:
//!
//! ```json
//! {
//!   "provider": "tc-ocr",
//!   "source": "fixtures/samples/invoice.png",
//!   "simulated": true,
//!   "document": { "provider": "tc-ocr", "pages": [ … ], "request_ids": [ … ] }
//! }
//! ```
//!
//! - `provider`: the id of the provider that produced the result;
//! - `source`: the input as given (a path or a URL);
//! - `simulated`: `true` when the result came from the embedded emulator, not a real service;
//! - `document`: the [`Document`] as serialised by `ocr-core` (`pages` → `lines` → `words`
//!   with `text`, `confidence` and `bbox`; `fields`, `markdown`, `files` and `request_ids`
//!   when present).
//!
//! Fields are only ever added to this wrapper, never renamed or removed.

use std::fmt;
use std::str::FromStr;

use ocr_core::{Document, Error, ErrorKind, Result};
use serde::{Deserialize, Serialize};

/// An output format.
///
/// ```
/// use cloud_ocr::OutputFormat;
/// let format: OutputFormat = "markdown".parse()?;
/// assert_eq!(format.extension(), "md");
/// # Ok::<(), ocr_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    /// The text in reading order ([`Document::text`]).
    #[default]
    Text,
    /// The [`ScanOutput`] wrapper as JSON.
    Json,
    /// The document's Markdown, or its text rendered as Markdown paragraphs.
    Markdown,
}

impl OutputFormat {
    /// Every format.
    pub const ALL: [OutputFormat; 3] = [
        OutputFormat::Text,
        OutputFormat::Json,
        OutputFormat::Markdown,
    ];

    /// The name used on the command line and in configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            OutputFormat::Text => "text",
            OutputFormat::Json => "json",
            OutputFormat::Markdown => "markdown",
        }
    }

    /// The file extension of result files: `txt`, `json` or `md`.
    pub fn extension(self) -> &'static str {
        match self {
            OutputFormat::Text => "txt",
            OutputFormat::Json => "json",
            OutputFormat::Markdown => "md",
        }
    }
}

impl fmt::Display for OutputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OutputFormat {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "text" | "txt" => Ok(OutputFormat::Text),
            "json" => Ok(OutputFormat::Json),
            "markdown" | "md" => Ok(OutputFormat::Markdown),
            other => Err(Error::config(format!(
                "unknown output format `{other}`; expected text, json or markdown"
            ))
            .with_field("format")),
        }
    }
}

/// One recognised input as written out: the stable JSON wrapper (see the [module](self)
/// docs), also the input of the text and Markdown renderings.
///
/// ```
/// use cloud_ocr::{OutputFormat, ScanOutput};
/// use ocr_core::{Document, Line, Page};
///
/// let mut doc = Document::new("tc-ocr");
/// let mut page = Page::new(1);
/// page.lines.push(Line::new("Total: 42.00"));
/// doc.pages.push(page);
/// let out = ScanOutput::new("tc-ocr", "invoice.png", false, doc);
/// assert_eq!(out.render(OutputFormat::Text)?, "Total: 42.00\n");
/// let json: serde_json::Value = serde_json::from_str(&out.render(OutputFormat::Json)?).unwrap();
/// assert_eq!(json["simulated"], false);
/// assert_eq!(json["document"]["pages"][0]["lines"][0]["text"], "Total: 42.00");
/// # Ok::<(), ocr_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ScanOutput {
    /// The id of the provider that produced the result.
    pub provider: String,
    /// The input as given: a path or a URL.
    pub source: String,
    /// Whether the result came from the embedded emulator rather than a real service.
    pub simulated: bool,
    /// The recognised document.
    pub document: Document,
}

impl ScanOutput {
    /// Bundles a result for output.
    pub fn new(
        provider: impl Into<String>,
        source: impl Into<String>,
        simulated: bool,
        document: Document,
    ) -> Self {
        ScanOutput {
            provider: provider.into(),
            source: source.into(),
            simulated,
            document,
        }
    }

    /// The result in `format`, ending with a newline.
    ///
    /// # Errors
    ///
    /// [`Decode`](ErrorKind::Decode) if the document cannot be serialised to JSON (it always
    /// can, unless a provider put something unserialisable in it).
    pub fn render(&self, format: OutputFormat) -> Result<String> {
        let mut out = match format {
            OutputFormat::Text => self.document.text(),
            OutputFormat::Json => serde_json::to_string_pretty(self).map_err(|e| {
                Error::new(ErrorKind::Decode, "cannot serialise the document as JSON")
                    .with_source(e)
            })?,
            OutputFormat::Markdown => markdown(&self.document),
        };
        if !out.ends_with('\n') {
            out.push('\n');
        }
        Ok(out)
    }
}

/// The document as Markdown: its own Markdown when the provider made some (the whole
/// document's, else the pages' joined), otherwise each line of text as a paragraph, with a
/// rule between pages. Characters that would start Markdown syntax at the beginning of a line
/// are escaped.
///
/// ```
/// use ocr_core::{Document, Line, Page};
/// let mut doc = Document::new("p");
/// let mut page = Page::new(1);
/// page.lines.push(Line::new("# not a heading"));
/// page.lines.push(Line::new("Total: 3"));
/// doc.pages.push(page);
/// assert_eq!(cloud_ocr::output::markdown(&doc), "\\# not a heading\n\nTotal: 3\n");
/// ```
pub fn markdown(doc: &Document) -> String {
    if let Some(md) = &doc.markdown {
        return md.clone();
    }
    let page_md: Vec<&str> = doc
        .pages
        .iter()
        .filter_map(|p| p.markdown.as_deref())
        .collect();
    if !page_md.is_empty() && doc.pages.iter().all(|p| p.lines.is_empty()) {
        return page_md.join("\n\n");
    }
    let pages: Vec<String> = doc
        .pages
        .iter()
        .map(|page| {
            page.lines
                .iter()
                .map(|l| escape_line(l.text.trim()))
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join("\n\n")
        })
        .filter(|p| !p.is_empty())
        .collect();
    let mut out = if pages.is_empty() {
        // No lines at all: fields, as `Document::text` falls back to them.
        doc.text()
            .lines()
            .map(escape_line)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("\n\n")
    } else {
        pages.join("\n\n---\n\n")
    };
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// Escapes what would make a line of plain text a heading, quote, list item or rule.
fn escape_line(line: &str) -> String {
    let first = line.chars().next();
    let ordered = {
        let digits = line.chars().take_while(char::is_ascii_digit).count();
        digits > 0 && matches!(line[digits..].chars().next(), Some('.') | Some(')'))
    };
    if ordered {
        let digits = line.chars().take_while(char::is_ascii_digit).count();
        return format!("{}\\{}", &line[..digits], &line[digits..]);
    }
    match first {
        Some('#' | '>' | '-' | '+' | '*' | '=' | '|' | '`' | '~' | '_') => format!("\\{line}"),
        _ => line.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ocr_core::{Line, Page};

    fn doc(pages: &[&[&str]]) -> Document {
        let mut doc = Document::new("p");
        for (i, lines) in pages.iter().enumerate() {
            let mut page = Page::new(i as u32 + 1);
            page.lines = lines.iter().map(|l| Line::new(*l)).collect();
            doc.pages.push(page);
        }
        doc
    }

    #[test]
    fn markdown_paragraphs_pages_and_escapes() {
        let d = doc(&[&["INVOICE", "1. item", "- dash"], &["second page"]]);
        assert_eq!(
            markdown(&d),
            "INVOICE\n\n1\\. item\n\n\\- dash\n\n---\n\nsecond page\n"
        );
    }

    #[test]
    fn markdown_prefers_the_providers_own() {
        let mut d = doc(&[&["x"]]);
        d.markdown = Some("# Title\n".into());
        assert_eq!(markdown(&d), "# Title\n");
    }

    #[test]
    fn json_wrapper_has_the_documented_keys_and_round_trips() {
        let out = ScanOutput::new("p", "a.png", true, doc(&[&["hello"]]));
        let text = out.render(OutputFormat::Json).unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let mut keys: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(keys, ["document", "provider", "simulated", "source"]);
        assert_eq!(value["simulated"], true);
        let back: ScanOutput = serde_json::from_str(&text).unwrap();
        assert_eq!(back, out);
    }

    #[test]
    fn formats_parse_and_name_their_extensions() {
        for f in OutputFormat::ALL {
            assert_eq!(f.as_str().parse::<OutputFormat>().unwrap(), f);
        }
        assert_eq!(OutputFormat::Text.extension(), "txt");
        assert!("yaml".parse::<OutputFormat>().is_err());
    }
}

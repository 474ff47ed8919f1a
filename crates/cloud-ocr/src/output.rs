//! How a recognised document is written out: plain text, the stable JSON wrapper, or Markdown.
//!
//! The JSON form is [`ScanOutput`]:
//!
//! ```json
//! {
//!   "provider": "tc-ocr",
//!   "source": "fixtures/samples/invoice.png",
//!   "simulated": true,
//!   "complete": true,
//!   "document": { "provider": "tc-ocr", "pages": [ … ], "request_ids": [ … ] }
//! }
//! ```
//!
//! - `provider`: the id of the provider that produced the result;
//! - `source`: the input as given (a path or a URL);
//! - `simulated`: `true` when the result came from the embedded emulator, not a real service;
//! - `complete`: `false` when a page asked for did not arrive (`document.missing` says which
//!   and why; `document.pages_requested` lists what was asked);
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
/// Parsed from the command line or configuration (`text`, `json`, `markdown`; `txt` and `md`
/// too), and named the same way by serde.
///
/// ```
/// use cloud_ocr::OutputFormat;
/// let format: OutputFormat = "markdown".parse()?;
/// assert_eq!(format.extension(), "md");
/// assert_eq!("md".parse::<OutputFormat>()?, OutputFormat::Markdown);
/// assert_eq!(serde_json::to_string(&OutputFormat::Json).unwrap(), "\"json\"");
/// let err = "yaml".parse::<OutputFormat>().unwrap_err();
/// assert_eq!(err.field(), Some("format"));
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
    ///
    /// ```
    /// use cloud_ocr::OutputFormat;
    /// assert_eq!(OutputFormat::ALL.map(OutputFormat::as_str), ["text", "json", "markdown"]);
    /// for format in OutputFormat::ALL {
    ///     assert_eq!(format.as_str().parse::<OutputFormat>()?, format);
    /// }
    /// # Ok::<(), ocr_core::Error>(())
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            OutputFormat::Text => "text",
            OutputFormat::Json => "json",
            OutputFormat::Markdown => "markdown",
        }
    }

    /// The file extension of result files: `txt`, `json` or `md`.
    ///
    /// ```
    /// use cloud_ocr::OutputFormat;
    /// let result_file = format!("invoice.png.{}", OutputFormat::Text.extension());
    /// assert_eq!(result_file, "invoice.png.txt");
    /// ```
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
    /// Whether every page asked for arrived (see `document.missing` when not).
    pub complete: bool,
    /// Whether the result came from the result cache: no request was made for it (its
    /// `document.usage` is then empty: nothing was billed this time).
    #[serde(default)]
    pub cached: bool,
    /// The recognised document.
    pub document: Document,
}

impl ScanOutput {
    /// Bundles a result for output; `complete` is taken from the document. A `simulated`
    /// result bills nothing, so its document's usage becomes zero and says it was simulated
    /// (what the emulator would have billed is not what anyone paid).
    ///
    /// ```
    /// use cloud_ocr::ScanOutput;
    /// use ocr_core::{Document, MissingPage};
    ///
    /// let mut doc = Document::new("lkeap");
    /// let failed = MissingPage { page: 2, message: "parse failed".into(), ..Default::default() };
    /// doc.missing.push(failed);
    /// let out = ScanOutput::new("lkeap", "report.pdf", false, doc.clone());
    /// assert!(!out.complete);
    ///
    /// doc.usage.call("CreateReconstructDocumentFlow");
    /// let out = ScanOutput::new("lkeap", "report.pdf", true, doc);
    /// assert!(out.document.usage.simulated && out.document.usage.total_calls() == 0);
    /// ```
    pub fn new(
        provider: impl Into<String>,
        source: impl Into<String>,
        simulated: bool,
        mut document: Document,
    ) -> Self {
        if simulated {
            document.usage = ocr_core::Usage {
                simulated: true,
                ..ocr_core::Usage::default()
            };
        }
        ScanOutput {
            provider: provider.into(),
            source: source.into(),
            simulated,
            complete: document.is_complete(),
            cached: false,
            document,
        }
    }

    /// Marks the result as served from the result cache.
    pub fn with_cached(mut self, cached: bool) -> Self {
        self.cached = cached;
        self
    }

    /// The result in `format`, ending with a newline.
    ///
    /// # Errors
    ///
    /// [`Decode`](ErrorKind::Decode) if the document cannot be serialised to JSON (it always
    /// can, unless a provider put something unserialisable in it).
    ///
    /// ```
    /// use cloud_ocr::{OutputFormat, ScanOutput};
    /// use ocr_core::{Document, Line, Page};
    ///
    /// let mut page = Page::new(1);
    /// page.lines.push(Line::new("# Invoice 7"));
    /// let mut doc = Document::new("picwish");
    /// doc.pages.push(page);
    /// let out = ScanOutput::new("picwish", "scan.jpg", true, doc);
    /// assert_eq!(out.render(OutputFormat::Text)?, "# Invoice 7\n");
    /// assert_eq!(out.render(OutputFormat::Markdown)?, "\\# Invoice 7\n"); // text, not a heading
    /// assert!(out.render(OutputFormat::Json)?.contains("\"simulated\": true"));
    /// # Ok::<(), ocr_core::Error>(())
    /// ```
    pub fn render(&self, format: OutputFormat) -> Result<String> {
        self.render_with(format, false)
    }

    /// The result in `format`, ending with a newline; with `compact`, JSON is written on one
    /// line (a JSON Lines record).
    ///
    /// ```
    /// use cloud_ocr::{OutputFormat, ScanOutput};
    /// let out = ScanOutput::new("p", "a.png", false, ocr_core::Document::new("p"));
    /// let line = out.render_with(OutputFormat::Json, true)?;
    /// assert_eq!(line.lines().count(), 1);
    /// # Ok::<(), ocr_core::Error>(())
    /// ```
    pub fn render_with(&self, format: OutputFormat, compact: bool) -> Result<String> {
        let json = |value: &ScanOutput| {
            let text = if compact {
                serde_json::to_string(value)
            } else {
                serde_json::to_string_pretty(value)
            };
            text.map_err(|e| {
                Error::new(ErrorKind::Decode, "cannot serialise the document as JSON")
                    .with_source(e)
            })
        };
        let mut out = match format {
            OutputFormat::Text => text(&self.document),
            OutputFormat::Json => json(self)?,
            OutputFormat::Markdown => markdown(&self.document),
        };
        if !out.ends_with('\n') {
            out.push('\n');
        }
        Ok(out)
    }
}

/// The document as text: its text in reading order, then its fields (when it has lines, so
/// the fields are not already the text), as a `key: value` list; fields that form a table
/// (groups repeating the same keys) as aligned columns.
///
/// ```
/// use ocr_core::{Document, Field, Line, Page};
/// let mut doc = Document::new("p");
/// let mut page = Page::new(1);
/// page.lines.push(Line::new("INVOICE"));
/// doc.pages.push(page);
/// let field = |k: &str, v: &str, g: &str| Field { key: k.into(), value: v.into(), group: Some(g.into()), ..Field::default() };
/// doc.fields = vec![field("Total", "42.00", "0.0"), field("Item", "Pens", "1.0"), field("Qty", "2", "1.0"), field("Item", "Ink", "1.1"), field("Qty", "10", "1.1")];
/// assert_eq!(
///     cloud_ocr::output::text(&doc),
///     "INVOICE\n\nFields:\n  Total: 42.00\n\nTable:\n  Item  Qty\n  Pens  2\n  Ink   10\n"
/// );
/// ```
pub fn text(doc: &Document) -> String {
    let body = doc.text();
    let has_lines = doc.lines().next().is_some();
    if doc.fields.is_empty() || !has_lines {
        return body;
    }
    let mut out = body;
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&fields_text(&doc.fields));
    out
}

/// Fields as text: plain `key: value` lines, and tables for groups of rows with the same keys.
fn fields_text(fields: &[ocr_core::Field]) -> String {
    // Rows: consecutive fields sharing a group; a table is a run of 2+ rows with one key set.
    let mut rows: Vec<(Option<&str>, Vec<&ocr_core::Field>)> = Vec::new();
    for f in fields {
        match rows.last_mut() {
            Some((group, row)) if *group == f.group.as_deref() && f.group.is_some() => row.push(f),
            _ => rows.push((f.group.as_deref(), vec![f])),
        }
    }
    let keys = |row: &[&ocr_core::Field]| row.iter().map(|f| f.key.clone()).collect::<Vec<_>>();
    let mut singles: Vec<&ocr_core::Field> = Vec::new();
    let mut tables: Vec<Vec<Vec<&ocr_core::Field>>> = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        let head = keys(&rows[i].1);
        let mut j = i + 1;
        while j < rows.len() && rows[i].1.len() > 1 && keys(&rows[j].1) == head {
            j += 1;
        }
        if j - i >= 2 {
            tables.push(rows[i..j].iter().map(|(_, r)| r.clone()).collect());
        } else {
            singles.extend(rows[i].1.iter().copied());
        }
        i = j;
    }
    let mut out = String::new();
    if !singles.is_empty() {
        out.push_str("\nFields:\n");
        for f in singles {
            out.push_str(&format!("  {}: {}\n", f.key, f.value));
        }
    }
    for table in tables {
        out.push_str("\nTable:\n");
        let header: Vec<String> = table[0].iter().map(|f| f.key.clone()).collect();
        let mut grid: Vec<Vec<String>> = vec![header];
        grid.extend(
            table
                .iter()
                .map(|row| row.iter().map(|f| f.value.clone()).collect()),
        );
        let widths: Vec<usize> = (0..grid[0].len())
            .map(|c| {
                grid.iter()
                    .map(|r| r.get(c).map_or(0, |v| v.chars().count()))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for row in grid {
            let cells: Vec<String> = row
                .iter()
                .enumerate()
                .map(|(c, v)| format!("{v:<width$}", width = widths.get(c).copied().unwrap_or(0)))
                .collect();
            out.push_str(&format!("  {}\n", cells.join("  ").trim_end()));
        }
    }
    out
}

/// The document as Markdown: its own Markdown when the provider made some (the whole
/// document's, else the pages' joined), otherwise each line of text as a paragraph, with a
/// rule between pages, followed by the fields as a table when there are fields too.
/// Characters that would start Markdown syntax at the beginning of a line are escaped.
///
/// ```
/// use ocr_core::{Document, Field, Line, Page};
/// let mut doc = Document::new("p");
/// let mut page = Page::new(1);
/// page.lines.push(Line::new("# not a heading"));
/// page.lines.push(Line::new("Total: 3"));
/// doc.pages.push(page);
/// assert_eq!(cloud_ocr::output::markdown(&doc), "\\# not a heading\n\nTotal: 3\n");
/// doc.fields.push(Field { key: "Total".into(), value: "3 | EUR".into(), ..Field::default() });
/// assert!(cloud_ocr::output::markdown(&doc).ends_with("| Field | Value |\n| --- | --- |\n| Total | 3 \\| EUR |\n"));
/// doc.markdown = Some("# Invoice".into());
/// assert_eq!(
///     cloud_ocr::output::markdown(&doc),
///     "# Invoice\n\n| Field | Value |\n| --- | --- |\n| Total | 3 \\| EUR |\n"
/// );
/// ```
pub fn markdown(doc: &Document) -> String {
    let (mut out, shows_fields) = markdown_body(doc);
    // Fields the body does not already show follow as a table, as `text` lists them after
    // the text (never dropped).
    if !shows_fields && !doc.fields.is_empty() {
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str("\n| Field | Value |\n| --- | --- |\n");
        for f in &doc.fields {
            out.push_str(&format!(
                "| {} | {} |\n",
                table_cell(&f.key),
                table_cell(&f.value)
            ));
        }
    }
    out
}

/// The Markdown of `doc` without its fields, and whether it shows them already (a document
/// with no text at all falls back to its fields, as `Document::text` does).
fn markdown_body(doc: &Document) -> (String, bool) {
    if let Some(md) = &doc.markdown {
        return (md.clone(), false);
    }
    let page_md: Vec<&str> = doc
        .pages
        .iter()
        .filter_map(|p| p.markdown.as_deref())
        .collect();
    if !page_md.is_empty() && doc.pages.iter().all(|p| p.lines.is_empty()) {
        return (page_md.join("\n\n"), false);
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
    (out, pages.is_empty())
}

/// A value made safe for one cell of a Markdown table: no line break, `|` escaped.
fn table_cell(value: &str) -> String {
    value
        .split(['\n', '\r'])
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
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
        assert_eq!(
            keys,
            [
                "cached",
                "complete",
                "document",
                "provider",
                "simulated",
                "source"
            ]
        );
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

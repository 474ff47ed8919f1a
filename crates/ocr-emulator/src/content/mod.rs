//! "Recognition": what text a document carries, page by page, and where it sits.
//!
//! Deterministic: the same bytes (or the same URL) always give the same pages.
//! Readable text comes from a PNG `Text` chunk, a JPEG comment, PDF `Tj`/`TJ` strings in
//! uncompressed content streams, or the file itself when it is UTF-8 text; otherwise
//! stand-in lines are derived from the SHA-256 of the input. For URL inputs nothing is
//! fetched: the text is derived from the URL string.
//!
//! A file that is not whole (see [`integrity`]) or a URL that cannot be downloaded is
//! marked [`Unreadable`]; each service answers it with its own documented error.

pub(crate) mod extract;
pub(crate) mod format;
pub(crate) mod integrity;
pub(crate) mod layout;
pub(crate) mod placeholder;

use sha2::{Digest, Sha256};

pub(crate) use format::Format;
pub(crate) use layout::{layout, LaidLine, Rect};

/// Page size used when the input does not tell (A4 at 150 dpi).
pub(crate) const DEFAULT_PAGE: (u32, u32) = (1240, 1754);
/// Text files are cut into pages of this many lines (or at form feeds).
const TEXT_LINES_PER_PAGE: usize = 60;
/// Most pages the emulator models for one document.
const MAX_PAGES: usize = 2_000;

/// One page of recognised text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Page {
    pub(crate) lines: Vec<String>,
    pub(crate) width: u32,
    pub(crate) height: u32,
}

impl Page {
    /// The page's lines with boxes.
    pub(crate) fn laid_out(&self) -> Vec<LaidLine> {
        layout(&self.lines, self.width, self.height)
    }

    /// The lines joined by newlines.
    pub(crate) fn text(&self) -> String {
        self.lines.join("\n")
    }
}

/// A recognised document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Document {
    /// A file name for result files (`invoice.pdf`, `document`).
    pub(crate) name: String,
    pub(crate) format: Format,
    /// Pixel size of an image input (None for documents and URLs).
    pub(crate) image_size: Option<(u32, u32)>,
    pub(crate) pages: Vec<Page>,
    /// Input size in bytes (0 for URLs).
    pub(crate) size: u64,
    /// SHA-256 of the input bytes (or of the URL string).
    pub(crate) digest: [u8; 32],
    /// True when the text came from the file itself, not from a placeholder.
    pub(crate) readable: bool,
    /// Why the service could not read the input at all, if it could not.
    pub(crate) unreadable: Option<Unreadable>,
}

/// Why an input cannot be recognised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unreadable {
    /// The bytes are not a whole file of their format (truncated, broken): the reason.
    Damaged(String),
    /// The URL cannot be downloaded: the reason.
    Unreachable(String),
}

impl Document {
    /// The whole text, pages separated by blank lines.
    pub(crate) fn text(&self) -> String {
        self.pages
            .iter()
            .map(Page::text)
            .collect::<Vec<_>>()
            .join("\n\n")
    }

    /// The file name without extension.
    pub(crate) fn stem(&self) -> String {
        let stem = match self.name.rsplit_once('.') {
            Some((stem, _)) if !stem.is_empty() => stem,
            _ => self.name.as_str(),
        };
        let clean: String = stem
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if clean.is_empty() {
            "document".to_owned()
        } else {
            clean
        }
    }

    /// `Key: Value` pairs found in the lines, in order, with their (page, line) index.
    pub(crate) fn fields(&self) -> Vec<Field> {
        let mut out = Vec::new();
        for (pi, page) in self.pages.iter().enumerate() {
            for (li, line) in page.lines.iter().enumerate() {
                if let Some((key, value)) = split_field(line) {
                    out.push(Field {
                        key: key.to_owned(),
                        value: value.to_owned(),
                        page: pi,
                        line: li,
                    });
                }
            }
        }
        out
    }
}

/// A `Key: Value` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Field {
    pub(crate) key: String,
    pub(crate) value: String,
    pub(crate) page: usize,
    pub(crate) line: usize,
}

/// `("Key", "Value")` for a line `Key: Value` (also the full-width colon `：`); keys
/// are short and do not look like URLs or times.
pub(crate) fn split_field(line: &str) -> Option<(&str, &str)> {
    let (pos, sep_len) = match (line.find(':'), line.find('：')) {
        (Some(a), Some(b)) if b < a => (b, '：'.len_utf8()),
        (Some(a), _) => (a, 1),
        (None, Some(b)) => (b, '：'.len_utf8()),
        (None, None) => return None,
    };
    let key = line[..pos].trim();
    let value = line[pos + sep_len..].trim();
    let key_ok = !key.is_empty()
        && key.chars().count() <= 40
        && !key.chars().all(|c| c.is_ascii_digit())
        && !value.starts_with("//");
    (key_ok && !value.is_empty()).then_some((key, value))
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

fn lines_of(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect()
}

/// Recognises a document from its bytes.
pub(crate) fn recognize_bytes(bytes: &[u8], name: &str) -> Document {
    let mut doc = recognize_prefix(bytes, sha256(bytes), bytes.len() as u64, name);
    doc.unreadable = integrity::check(bytes, doc.format)
        .err()
        .map(Unreadable::Damaged);
    doc
}

/// Recognises an upload of `size` bytes that was hashed while streamed, of which only the
/// beginning (`head`) and, when it is longer than that, the end (`tail`) were kept.
pub(crate) fn recognize_upload(
    head: &[u8],
    tail: &[u8],
    digest: [u8; 32],
    size: u64,
    name: &str,
) -> Document {
    let mut doc = recognize_prefix(head, digest, size, name);
    let integrity = if head.len() as u64 == size {
        integrity::check(head, doc.format)
    } else {
        // A short tail continues the head: let the end checks see a few KiB either way.
        let from = head
            .len()
            .saturating_sub(8192usize.saturating_sub(tail.len()));
        let mut end = head.get(from..).unwrap_or_default().to_vec();
        end.extend_from_slice(tail);
        integrity::check_head_and_tail(head, &end, size, doc.format)
    };
    doc.unreadable = integrity.err().map(Unreadable::Damaged);
    doc
}

/// Recognises a document of which only a prefix is at hand, without judging whether it is
/// whole.
fn recognize_prefix(prefix: &[u8], digest: [u8; 32], size: u64, name: &str) -> Document {
    let format = Format::sniff(prefix);
    let image_size = format::image_dimensions(prefix, format);
    let (w, h) = image_size.unwrap_or(DEFAULT_PAGE);
    let mut readable = true;
    let pages = match format {
        Format::Png | Format::Jpeg => {
            let text = if format == Format::Png {
                extract::png_text(prefix)
            } else {
                extract::jpeg_comment(prefix)
            };
            match text {
                Some(t) => vec![Page {
                    lines: lines_of(&t),
                    width: w,
                    height: h,
                }],
                None => {
                    readable = false;
                    vec![placeholder_page(&digest, 1, w, h)]
                }
            }
        }
        Format::Pdf => {
            let info = extract::pdf_info(prefix);
            let (pw, ph) = info
                .page_size
                .map(|(a, b)| (a.saturating_mul(2), b.saturating_mul(2)))
                .unwrap_or(DEFAULT_PAGE);
            let count = info.pages.max(info.streams.len()).clamp(1, MAX_PAGES);
            readable = !info.streams.is_empty();
            (0..count)
                .map(|i| match info.streams.get(i) {
                    Some(lines) => Page {
                        lines: lines.clone(),
                        width: pw,
                        height: ph,
                    },
                    None if readable => Page {
                        lines: Vec::new(),
                        width: pw,
                        height: ph,
                    },
                    None => placeholder_page(&digest, i + 1, pw, ph),
                })
                .collect()
        }
        Format::Text => {
            let text = String::from_utf8_lossy(prefix);
            let mut pages = Vec::new();
            for chunk in text.split('\x0c') {
                let lines = lines_of(chunk);
                for part in lines.chunks(TEXT_LINES_PER_PAGE) {
                    pages.push(Page {
                        lines: part.to_vec(),
                        width: w,
                        height: h,
                    });
                }
            }
            pages.truncate(MAX_PAGES);
            if pages.is_empty() {
                pages.push(Page {
                    lines: Vec::new(),
                    width: w,
                    height: h,
                });
            }
            pages
        }
        _ => {
            readable = false;
            vec![placeholder_page(&digest, 1, w, h)]
        }
    };
    Document {
        name: if name.is_empty() {
            "document".to_owned()
        } else {
            name.to_owned()
        },
        format,
        image_size,
        pages,
        size,
        digest,
        readable,
        unreadable: None,
    }
}

fn placeholder_page(digest: &[u8; 32], page: usize, w: u32, h: u32) -> Page {
    Page {
        lines: placeholder::lines(digest, page, None),
        width: w,
        height: h,
    }
}

/// "Recognises" the document behind a URL without fetching it: one page of lines
/// derived from the URL string, titled with the file name.
pub(crate) fn recognize_url(url: &str) -> Document {
    let digest = sha256(url.as_bytes());
    let name = url_file_name(url);
    let format = extension_format(&name);
    let pages = if format == Format::Pdf {
        (1..=2)
            .map(|p| Page {
                lines: placeholder::lines(&digest, p, Some(&name)),
                width: DEFAULT_PAGE.0,
                height: DEFAULT_PAGE.1,
            })
            .collect()
    } else {
        vec![Page {
            lines: placeholder::lines(&digest, 1, Some(&name)),
            width: DEFAULT_PAGE.0,
            height: DEFAULT_PAGE.1,
        }]
    };
    Document {
        name,
        format,
        image_size: None,
        pages,
        size: 0,
        digest,
        readable: false,
        unreadable: None,
    }
}

/// A URL that cannot be downloaded, for `reason`.
pub(crate) fn unreachable_url(url: &str, reason: String) -> Document {
    let mut doc = recognize_url(url);
    doc.unreadable = Some(Unreadable::Unreachable(reason));
    doc
}

/// The last path segment of a URL, percent-decoded (`document` if there is none).
pub(crate) fn url_file_name(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let path = path.split_once("://").map_or(path, |(_, rest)| rest);
    let segment = path
        .split_once('/')
        .map_or("", |(_, p)| p)
        .rsplit('/')
        .next()
        .unwrap_or_default();
    let decoded = percent_encoding::percent_decode_str(segment)
        .decode_utf8_lossy()
        .into_owned();
    if decoded.is_empty() {
        "document".to_owned()
    } else {
        decoded
    }
}

/// The format a file name's extension announces.
pub(crate) fn extension_format(name: &str) -> Format {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "png" => Format::Png,
        "jpg" | "jpeg" => Format::Jpeg,
        "gif" => Format::Gif,
        "bmp" => Format::Bmp,
        "tif" | "tiff" => Format::Tiff,
        "webp" => Format::Webp,
        "heic" | "heif" => Format::Heic,
        "pdf" => Format::Pdf,
        "docx" | "xlsx" | "pptx" | "epub" => Format::Zip,
        "doc" | "xls" | "ppt" | "wps" => Format::Ole,
        "txt" | "md" | "csv" | "html" | "htm" => Format::Text,
        _ => Format::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_files_are_read_and_fields_found() {
        let doc = recognize_bytes(b"Receipt\n\nName: Ada Lovelace\nTotal: 12.50\n", "r.txt");
        assert!(doc.readable);
        assert_eq!(doc.pages.len(), 1);
        assert_eq!(
            doc.pages[0].lines,
            ["Receipt", "Name: Ada Lovelace", "Total: 12.50"]
        );
        let fields = doc.fields();
        assert_eq!(fields.len(), 2);
        assert_eq!(
            (fields[0].key.as_str(), fields[0].value.as_str()),
            ("Name", "Ada Lovelace")
        );
        assert_eq!(doc.stem(), "r");
    }

    #[test]
    fn unreadable_bytes_get_stable_placeholders() {
        let a = recognize_bytes(&[0, 1, 2, 3], "x.bin");
        assert!(!a.readable);
        assert_eq!(a, recognize_bytes(&[0, 1, 2, 3], "x.bin"));
        assert_ne!(a.pages, recognize_bytes(&[0, 1, 2, 4], "x.bin").pages);
    }

    #[test]
    fn large_uploads_are_judged_by_head_and_tail() {
        let pdf = crate::samples::pdf_with_text(&[&["Hi"]]);
        let digest = sha256(&pdf);
        let size = pdf.len() as u64;
        // The kept tail may be only the last few bytes after the kept head.
        let (head, tail) = pdf.split_at(pdf.len() - 3);
        let doc = recognize_upload(head, tail, digest, size, "a.pdf");
        assert_eq!(doc.unreadable, None);
        let cut = &pdf[..pdf.len() / 2];
        let doc = recognize_upload(&cut[..100], &cut[100..], digest, cut.len() as u64, "a.pdf");
        assert!(matches!(doc.unreadable, Some(Unreadable::Damaged(_))));
    }

    #[test]
    fn urls_name_the_document() {
        let d = recognize_url("https://example.com/docs/My%20File.pdf?x=1");
        assert_eq!(d.name, "My File.pdf");
        assert_eq!(d.pages.len(), 2);
        assert_eq!(d.pages[0].lines[0], "My File.pdf");
        assert_eq!(url_file_name("https://example.com"), "document");
    }

    #[test]
    fn field_split_rules() {
        assert_eq!(split_field("Name: Bo"), Some(("Name", "Bo")));
        assert_eq!(split_field("姓名：张三"), Some(("姓名", "张三")));
        assert_eq!(split_field("see https://x"), None);
        assert_eq!(split_field("12:30"), None);
    }
}

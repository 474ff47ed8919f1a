//! Result files: the documented output formats, a downloaded file, and its mapping into an
//! ocr-core [`Document`] (text lines for `txt`, an artefact for the others).

use std::fmt;
use std::str::FromStr;

use bytes::Bytes;
use ocr_core::{Artifact, Document, Error, Line, Page};
use serde::{Deserialize, Serialize};

use crate::http_status::Call;
use crate::limits::PROVIDER_ID;
use crate::task::TaskInfo;

/// A result file format (`format` when creating a task).
///
/// ```
/// use picwish::ResultFormat;
/// assert_eq!("docx".parse::<ResultFormat>().unwrap(), ResultFormat::Docx);
/// assert_eq!(ResultFormat::Txt.as_str(), "txt");
/// let err = "doc".parse::<ResultFormat>().unwrap_err();
/// assert_eq!(err.field(), Some("format"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ResultFormat {
    /// Plain text.
    Txt,
    /// PDF.
    Pdf,
    /// Word document.
    Docx,
    /// Excel workbook.
    Xlsx,
    /// PowerPoint deck.
    Pptx,
}

impl ResultFormat {
    /// Every documented format.
    pub const ALL: [ResultFormat; 5] = [
        ResultFormat::Txt,
        ResultFormat::Pdf,
        ResultFormat::Docx,
        ResultFormat::Xlsx,
        ResultFormat::Pptx,
    ];

    /// The wire value, also the file extension.
    pub fn as_str(self) -> &'static str {
        match self {
            ResultFormat::Txt => "txt",
            ResultFormat::Pdf => "pdf",
            ResultFormat::Docx => "docx",
            ResultFormat::Xlsx => "xlsx",
            ResultFormat::Pptx => "pptx",
        }
    }

    /// The media type of a file in this format.
    pub fn media_type(self) -> &'static str {
        self.core_format().media_type()
    }

    fn core_format(self) -> ocr_core::Format {
        match self {
            ResultFormat::Txt => ocr_core::Format::Txt,
            ResultFormat::Pdf => ocr_core::Format::Pdf,
            ResultFormat::Docx => ocr_core::Format::Docx,
            ResultFormat::Xlsx => ocr_core::Format::Xlsx,
            ResultFormat::Pptx => ocr_core::Format::Pptx,
        }
    }

    /// The format a file name's extension names, if it is a result format.
    fn from_file_name(name: &str) -> Option<Self> {
        let (_, ext) = name.rsplit_once('.')?;
        ext.to_ascii_lowercase().parse().ok()
    }

    /// The format a `Content-Type` names, if it is a result format.
    fn from_media_type(media_type: &str) -> Option<Self> {
        let essence = media_type.split(';').next().unwrap_or("").trim();
        ResultFormat::ALL
            .into_iter()
            .find(|f| f.media_type().eq_ignore_ascii_case(essence))
    }
}

impl fmt::Display for ResultFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ResultFormat {
    type Err = Error;

    /// Parses a wire value (exact, lowercase); anything else is invalid input for `format`.
    fn from_str(s: &str) -> Result<Self, Error> {
        ResultFormat::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| {
                Error::invalid_input(
                    "format",
                    format!("must be one of txt, pdf, docx, xlsx, pptx, not {s:?}"),
                )
            })
    }
}

/// A downloaded result file.
///
/// `Debug` shows the size, not the bytes.
#[derive(Clone, PartialEq)]
pub struct ResultFile {
    /// The file name: the last segment of the result URL, or `<task_id>.<ext>`.
    pub name: String,
    /// The format, from the URL's extension or else the response `Content-Type`, when it is
    /// one of the result formats.
    pub format: Option<ResultFormat>,
    /// The media type: the format's, or the response's `Content-Type`.
    pub media_type: Option<String>,
    /// The content.
    pub data: Bytes,
    /// When the result URL stops working (Unix seconds), if `completed_at` was known.
    pub expires_at: Option<u64>,
}

impl fmt::Debug for ResultFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResultFile")
            .field("name", &self.name)
            .field("format", &self.format)
            .field("media_type", &self.media_type)
            .field("bytes", &self.data.len())
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl ResultFile {
    /// Builds the description of a downloaded file from its URL path and response type.
    pub(crate) fn new(
        url_path_name: Option<&str>,
        content_type: Option<&str>,
        task_id: &str,
        expected: Option<ResultFormat>,
        data: Bytes,
        expires_at: Option<u64>,
    ) -> Self {
        let format = url_path_name
            .and_then(safe_name)
            .as_deref()
            .and_then(ResultFormat::from_file_name)
            .or_else(|| content_type.and_then(ResultFormat::from_media_type))
            .or(expected);
        let name = match url_path_name.and_then(safe_name) {
            Some(n) => n,
            None => match format {
                Some(f) => format!("{task_id}.{f}"),
                None => task_id.to_owned(),
            },
        };
        let media_type = format
            .map(|f| f.media_type().to_owned())
            .or_else(|| content_type.map(str::to_owned));
        ResultFile {
            name,
            format,
            media_type,
            data,
            expires_at,
        }
    }

    /// The text of a `txt` result (UTF-8, a leading byte-order mark dropped, invalid bytes
    /// replaced); `None` for the other formats.
    pub fn text(&self) -> Option<String> {
        if self.format != Some(ResultFormat::Txt) {
            return None;
        }
        let raw = self
            .data
            .strip_prefix(b"\xEF\xBB\xBF")
            .unwrap_or(&self.data);
        Some(String::from_utf8_lossy(raw).into_owned())
    }

    /// The neutral document: a `txt` result becomes one page of lines (the file has no page
    /// breaks to follow); any other format becomes a [`Document::files`] artefact with the
    /// bytes. The task's [`TaskInfo`] stays reachable through [`Document::native`]. Its
    /// usage is the one billed `CreateTask` call this task was created by and the one credit
    /// a successful task consumes (the page count is not known here: 0).
    ///
    /// ```
    /// use picwish::{ResultFile, ResultFormat, TaskInfo};
    /// let file = ResultFile {
    ///     name: "t.txt".into(),
    ///     format: Some(ResultFormat::Txt),
    ///     media_type: None,
    ///     data: "Hello\n".into(),
    ///     expires_at: None,
    /// };
    /// let info: TaskInfo = serde_json::from_str(r#"{"task_id":"t","state":1}"#).unwrap();
    /// let doc = file.into_document(info);
    /// assert_eq!(doc.text(), "Hello");
    /// assert_eq!(doc.usage.calls["CreateTask"], 1);
    /// assert_eq!(doc.usage.credits, Some(1));
    /// ```
    pub fn into_document(self, task: TaskInfo) -> Document {
        let mut doc = Document::new(PROVIDER_ID);
        doc.usage.call(Call::Create.operation());
        doc.usage.credits = Some(1);
        if let Some(text) = self.text() {
            let mut page = Page::new(1);
            let body = text.strip_suffix('\n').unwrap_or(&text);
            if !body.is_empty() {
                page.lines = body
                    .split('\n')
                    .map(|l| Line::new(l.strip_suffix('\r').unwrap_or(l)))
                    .collect();
            }
            doc.pages.push(page);
        } else {
            doc.files.push(Artifact {
                name: self.name,
                media_type: self.media_type,
                url: None,
                expires_at: self.expires_at,
                data: Some(self.data.to_vec()),
            });
        }
        doc.with_native(task)
    }
}

/// A file name that cannot climb out of a folder: its last path component, if that is a
/// real name (not empty, `.` or `..`).
fn safe_name(name: &str) -> Option<String> {
    let last = name.rsplit(['/', '\\']).next().unwrap_or(name).trim();
    match last {
        "" | "." | ".." => None,
        n => Some(n.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::TaskState;

    fn info() -> TaskInfo {
        TaskInfo {
            task_id: Some("t".into()),
            created_at: None,
            processed_at: None,
            completed_at: None,
            file: None,
            progress: Some(100.0),
            state: TaskState::Succeeded,
        }
    }

    #[test]
    fn format_from_url_then_content_type_then_expected() {
        let f = |name, ct, exp| ResultFile::new(name, ct, "t", exp, Bytes::new(), None);
        assert_eq!(
            f(Some("a.DOCX"), None, None).format,
            Some(ResultFormat::Docx)
        );
        let by_type = f(Some("blob"), Some("text/plain; charset=utf-8"), None);
        assert_eq!(by_type.format, Some(ResultFormat::Txt));
        assert_eq!(by_type.name, "blob");
        let fallback = f(
            None,
            Some("application/octet-stream"),
            Some(ResultFormat::Pdf),
        );
        assert_eq!(fallback.format, Some(ResultFormat::Pdf));
        assert_eq!(fallback.name, "t.pdf");
        assert_eq!(fallback.media_type.as_deref(), Some("application/pdf"));
        let unknown = f(None, Some("application/octet-stream"), None);
        assert_eq!(unknown.format, None);
        assert_eq!(
            unknown.media_type.as_deref(),
            Some("application/octet-stream")
        );
    }

    #[test]
    fn names_do_not_climb() {
        assert_eq!(safe_name("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(safe_name("a\\b.txt").as_deref(), Some("b.txt"));
        assert_eq!(safe_name(".."), None);
        let f = ResultFile::new(
            Some(".."),
            None,
            "t",
            Some(ResultFormat::Txt),
            Bytes::new(),
            None,
        );
        assert_eq!(f.name, "t.txt");
    }

    #[test]
    fn txt_becomes_lines() {
        let file = ResultFile::new(
            Some("r.txt"),
            None,
            "t",
            None,
            Bytes::from_static(b"\xEF\xBB\xBFfirst\r\n\nthird\n"),
            Some(9),
        );
        let doc = file.into_document(info());
        let lines: Vec<&str> = doc.lines().map(|l| l.text.as_str()).collect();
        assert_eq!(lines, ["first", "", "third"]);
        assert_eq!(doc.text(), "first\n\nthird");
        assert!(doc.files.is_empty());
        assert_eq!(doc.native::<TaskInfo>(), Some(&info()));
    }

    #[test]
    fn other_formats_become_artifacts() {
        let file = ResultFile::new(
            Some("r.xlsx"),
            None,
            "t",
            None,
            Bytes::from_static(b"PK"),
            Some(9),
        );
        assert!(format!("{file:?}").contains("bytes: 2"));
        let doc = file.into_document(info());
        assert!(doc.pages.is_empty());
        assert_eq!(doc.files.len(), 1);
        assert_eq!(doc.files[0].name, "r.xlsx");
        assert_eq!(doc.files[0].data.as_deref(), Some(&b"PK"[..]));
        assert_eq!(doc.files[0].expires_at, Some(9));
        assert_eq!(doc.files[0].url, None);
    }
}

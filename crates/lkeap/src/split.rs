//! `CreateSplitDocumentFlow` / `GetSplitDocumentResult`: split a document into chunks for
//! retrieval (spec §5.4–5.5), and the chunk records of its result archive.

use std::collections::BTreeMap;
use std::fmt;

use ocr_core::{Error, ErrorKind, Result};
use serde::{Deserialize, Serialize};

use crate::file_type::FileType;
use crate::reconstruct::{Base64Len, UrlShown};
use crate::result_url::ResultUrl;
use crate::task::{
    DocumentUsage, ErrorInfo, ResultType, SplitDocumentFailedPage, TableResultType, TaskStatus,
};

/// The request of `CreateSplitDocumentFlow`. Unlike the parse flow, `FileUrl` is required.
///
/// ```
/// use lkeap::{CreateSplitDocumentFlowConfig, CreateSplitDocumentFlowRequest, FileType};
/// let req = CreateSplitDocumentFlowRequest::new(FileType::Pdf, "https://example.com/example.pdf")
///     .with_file_name("example.pdf")
///     .with_pages(1, 2)
///     .with_config(CreateSplitDocumentFlowConfig::default().with_enable_mllm(true));
/// assert_eq!(
///     serde_json::to_string(&req).unwrap(),
///     r#"{"FileType":"PDF","FileUrl":"https://example.com/example.pdf","FileName":"example.pdf","FileStartPageNumber":1,"FileEndPageNumber":2,"Config":{"EnableMllm":true}}"#
/// );
/// ```
#[derive(Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct CreateSplitDocumentFlowRequest {
    /// `FileType` (required).
    pub file_type: FileType,
    /// `FileUrl` (required here).
    pub file_url: String,
    /// `FileName`, with its extension; needed when the URL does not tell it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    /// `FileBase64` (deprecated; `FileUrl` wins): at most 8 MB after encoding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_base64: Option<String>,
    /// `FileStartPageNumber`: first page, 1-based, inclusive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_start_page_number: Option<i64>,
    /// `FileEndPageNumber`: last page, inclusive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_end_page_number: Option<i64>,
    /// `Config`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<CreateSplitDocumentFlowConfig>,
}

impl CreateSplitDocumentFlowRequest {
    /// A document the service downloads from `url`.
    pub fn new(file_type: FileType, url: impl Into<String>) -> Self {
        CreateSplitDocumentFlowRequest {
            file_type,
            file_url: url.into(),
            file_name: None,
            file_base64: None,
            file_start_page_number: None,
            file_end_page_number: None,
            config: None,
        }
    }

    /// Sets `FileName`.
    pub fn with_file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// Splits pages `start..=end` only (1-based).
    pub fn with_pages(mut self, start: i64, end: i64) -> Self {
        self.file_start_page_number = Some(start);
        self.file_end_page_number = Some(end);
        self
    }

    /// Sets the options.
    pub fn with_config(mut self, config: CreateSplitDocumentFlowConfig) -> Self {
        self.config = Some(config);
        self
    }
}

impl fmt::Debug for CreateSplitDocumentFlowRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreateSplitDocumentFlowRequest")
            .field("file_type", &self.file_type)
            .field("file_url", &UrlShown(Some(&self.file_url)))
            .field("file_name", &self.file_name)
            .field("file_base64", &Base64Len(&self.file_base64))
            .field("file_start_page_number", &self.file_start_page_number)
            .field("file_end_page_number", &self.file_end_page_number)
            .field("config", &self.config)
            .finish()
    }
}

/// `CreateSplitDocumentFlowConfig`; unset fields are not sent. The international model has only
/// `TableResultType`, `ResultType` (both deprecated), `EnableMllm` and `MaxChunkSize`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct CreateSplitDocumentFlowConfig {
    /// `TableResultType` (deprecated; see `SplitTableResultType`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table_result_type: Option<TableResultType>,
    /// `ResultType` (deprecated; see `SplitResultType`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
    /// `EnableMllm`: let the multimodal model describe charts and images.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_mllm: Option<bool>,
    /// `MaxChunkSize`: the longest chunk (unit not documented; example 4800).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_chunk_size: Option<i64>,
    /// `IgnoreFailedPage`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore_failed_page: Option<bool>,
    /// `SplitResultType`: which files the archive holds (same values as `ResultType`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split_result_type: Option<ResultType>,
    /// `SplitTableResultType`: tables as Markdown or HTML.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split_table_result_type: Option<TableResultType>,
    /// `ReturnPageFormat`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_page_format: Option<bool>,
    /// `PageFormat` (`{{p}}` is the page number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_format: Option<String>,
}

impl CreateSplitDocumentFlowConfig {
    /// Sets `EnableMllm`.
    pub fn with_enable_mllm(mut self, value: bool) -> Self {
        self.enable_mllm = Some(value);
        self
    }

    /// Sets `MaxChunkSize`.
    pub fn with_max_chunk_size(mut self, value: i64) -> Self {
        self.max_chunk_size = Some(value);
        self
    }

    /// Sets `SplitResultType`.
    pub fn with_split_result_type(mut self, value: ResultType) -> Self {
        self.split_result_type = Some(value);
        self
    }

    /// Sets `SplitTableResultType`.
    pub fn with_split_table_result_type(mut self, value: TableResultType) -> Self {
        self.split_table_result_type = Some(value);
        self
    }

    /// Sets `IgnoreFailedPage`.
    pub fn with_ignore_failed_page(mut self, value: bool) -> Self {
        self.ignore_failed_page = Some(value);
        self
    }

    /// Sets `PageFormat` and `ReturnPageFormat`.
    pub fn with_page_format(mut self, value: impl Into<String>) -> Self {
        self.page_format = Some(value.into());
        self.return_page_format = Some(true);
        self
    }
}

/// The response of `CreateSplitDocumentFlow`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateSplitDocumentFlowResponse {
    /// `TaskId`: query the result with it for 30 days.
    #[serde(default)]
    pub task_id: String,
    /// `RequestId`.
    #[serde(default)]
    pub request_id: String,
}

/// The response of `GetSplitDocumentResult`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetSplitDocumentResultResponse {
    /// `Status`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TaskStatus>,
    /// `DocumentRecognizeResultUrl`: a zip of `*.md`, `*.jsonl`, `*mllm.json` and `images/`,
    /// valid for 30 minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_recognize_result_url: Option<ResultUrl>,
    /// `FailedPages` (deprecated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_pages: Option<Vec<SplitDocumentFailedPage>>,
    /// `Usage`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<DocumentUsage>,
    /// `Error` (domestic model).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorInfo>,
    /// `RequestId`.
    #[serde(default)]
    pub request_id: String,
}

impl GetSplitDocumentResultResponse {
    /// The result URL, when the service sent a non-empty one.
    pub fn result_url(&self) -> Option<&ResultUrl> {
        self.document_recognize_result_url
            .as_ref()
            .filter(|u| !u.is_empty())
    }
}

/// One line of a split result's JSONL file: a chunk for retrieval-augmented generation.
///
/// Fields the documentation does not name are kept in `extra`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SplitChunk {
    /// `page_content`: the text to embed (images replaced by placeholders).
    #[serde(default, deserialize_with = "json_text")]
    pub page_content: Option<String>,
    /// `org_data`: the smallest semantically complete block holding the chunk.
    #[serde(default, deserialize_with = "json_text")]
    pub org_data: Option<String>,
    /// `big_data`: the largest semantically complete block holding the chunk.
    #[serde(default, deserialize_with = "json_text")]
    pub big_data: Option<String>,
    /// Any other keys of the line.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// A free-form chunk field: a string as is, any other JSON value (an object, a number) kept as its
/// JSON text, `null` as absent.
fn json_text<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<String>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(d)? {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s),
        Some(other) => Some(other.to_string()),
    })
}

/// Parses a JSONL file of chunks; blank lines are skipped, a malformed line is an error naming
/// the file and line.
///
/// ```
/// let chunks = lkeap::split::parse_chunks("a.jsonl", b"{\"page_content\":\"hi\",\"org_data\":\"hi there\"}\n\n").unwrap();
/// assert_eq!(chunks[0].page_content.as_deref(), Some("hi"));
/// assert_eq!(chunks[0].big_data, None);
/// ```
pub fn parse_chunks(name: &str, data: &[u8]) -> Result<Vec<SplitChunk>> {
    let text = std::str::from_utf8(data).map_err(|e| {
        Error::new(
            ErrorKind::Decode,
            format!("chunk file {name:?} is not UTF-8"),
        )
        .with_provider(crate::PROVIDER_ID)
        .with_source(e)
    })?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let chunk = serde_json::from_str(line).map_err(|e| {
            Error::new(
                ErrorKind::Decode,
                format!(
                    "chunk file {name:?} line {} is not a chunk record: {e}",
                    i + 1
                ),
            )
            .with_provider(crate::PROVIDER_ID)
            .with_source(e)
        })?;
        out.push(chunk);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_keep_unknown_keys_and_text_of_structured_values() {
        let data = br#"{"page_content":"p","org_data":{"t":"x"},"big_data":"b","page_no":2}"#;
        let c = parse_chunks("x.jsonl", data).unwrap();
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].org_data.as_deref(), Some(r#"{"t":"x"}"#));
        assert_eq!(c[0].extra["page_no"], 2);
        let err = parse_chunks("x.jsonl", b"{}\nnot json").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode);
        assert!(err.message().contains("line 2"), "{err}");
    }

    #[test]
    fn split_result_accepts_the_documented_shape() {
        let r: GetSplitDocumentResultResponse = serde_json::from_str(
            r#"{"Status":"Success","DocumentRecognizeResultUrl":"https://x/y.zip?sig=1","FailedPages":[],"Usage":{"PageNumber":2,"SplitTokens":30},"RequestId":"r"}"#,
        )
        .unwrap();
        assert_eq!(r.status, Some(TaskStatus::Success));
        assert_eq!(r.usage.unwrap().split_tokens, Some(30));
        assert!(!format!("{:?}", r.document_recognize_result_url).contains("sig=1"));
    }
}

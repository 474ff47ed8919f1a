//! `CreateSplitDocumentFlow` / `GetSplitDocumentResult`: split a document into chunks for
//! retrieval (spec §5.4–5.5), and the chunk records of its result archive.

use std::collections::BTreeMap;
use std::fmt;

use ocr_core::{Error, ErrorKind, Result};
use serde::{Deserialize, Serialize};

use crate::file_type::FileType;
use crate::result_url::{non_empty, ResultUrl};
use crate::task::{
    DocumentUsage, ErrorInfo, ResultType, SplitDocumentFailedPage, TableResultType, TaskStatus,
};
use crate::validate::{self, DocumentRequest, SourceFields};
use crate::wire::{setters, wire_struct, Base64Len, UrlShown};

wire_struct! {
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
        file_type: FileType,
        /// `FileUrl` (required here).
        file_url: String,
        /// `FileName`, with its extension; needed when the URL does not tell it.
        file_name: Option<String>,
        /// `FileBase64` (deprecated; `FileUrl` wins): at most 8 MB after encoding.
        file_base64: Option<String>,
        /// `FileStartPageNumber`: first page, 1-based, inclusive.
        file_start_page_number: Option<i64>,
        /// `FileEndPageNumber`: last page, inclusive.
        file_end_page_number: Option<i64>,
        /// `Config`.
        config: Option<CreateSplitDocumentFlowConfig>,
    }
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

    setters! {
        /// Sets `FileName`.
        with_file_name(name: impl Into<String>) => file_name;
        /// Splits pages `start..=end` only (1-based).
        with_pages(pages);
        /// Sets the options.
        with_config(config: CreateSplitDocumentFlowConfig) => config;
    }
}

impl DocumentRequest for CreateSplitDocumentFlowRequest {
    /// The fields the documented source rules apply to (an empty `FileUrl` counts as none).
    fn source(&self) -> SourceFields<'_> {
        SourceFields {
            file_type: self.file_type,
            file_url: Some(self.file_url.as_str()).filter(|u| !u.is_empty()),
            file_base64: self.file_base64.as_deref(),
            start: self.file_start_page_number,
            end: self.file_end_page_number,
        }
    }

    fn check_options(&self) -> Result<()> {
        validate::check_max_chunk_size(self.config.as_ref().and_then(|c| c.max_chunk_size))
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

wire_struct! {
    /// `CreateSplitDocumentFlowConfig`; unset fields are not sent. The international model has
    /// only `TableResultType`, `ResultType` (both deprecated), `EnableMllm` and `MaxChunkSize`.
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase")]
    #[non_exhaustive]
    pub struct CreateSplitDocumentFlowConfig {
        /// `TableResultType` (deprecated; see `SplitTableResultType`).
        table_result_type: Option<TableResultType>,
        /// `ResultType` (deprecated; see `SplitResultType`).
        result_type: Option<ResultType>,
        /// `EnableMllm`: let the multimodal model describe charts and images.
        enable_mllm: Option<bool>,
        /// `MaxChunkSize`: the longest chunk (unit not documented; example 4800).
        max_chunk_size: Option<i64>,
        /// `IgnoreFailedPage`.
        ignore_failed_page: Option<bool>,
        /// `SplitResultType`: which files the archive holds (same values as `ResultType`).
        split_result_type: Option<ResultType>,
        /// `SplitTableResultType`: tables as Markdown or HTML.
        split_table_result_type: Option<TableResultType>,
        /// `ReturnPageFormat`.
        return_page_format: Option<bool>,
        /// `PageFormat` (`{{p}}` is the page number).
        page_format: Option<String>,
    }
}

impl CreateSplitDocumentFlowConfig {
    setters! {
        /// Sets `EnableMllm`.
        with_enable_mllm(value: bool) => enable_mllm;
        /// Sets `MaxChunkSize`.
        with_max_chunk_size(value: i64) => max_chunk_size;
        /// Sets `SplitResultType`.
        with_split_result_type(value: ResultType) => split_result_type;
        /// Sets `SplitTableResultType`.
        with_split_table_result_type(value: TableResultType) => split_table_result_type;
        /// Sets `IgnoreFailedPage`.
        with_ignore_failed_page(value: bool) => ignore_failed_page;
        /// Sets `PageFormat` and `ReturnPageFormat`.
        with_page_format(page_format);
    }
}

wire_struct! {
    /// The response of `CreateSplitDocumentFlow`.
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase")]
    pub struct CreateSplitDocumentFlowResponse {
        /// `TaskId`: query the result with it for 30 days.
        task_id: String,
        /// `RequestId`.
        request_id: String,
    }
}

wire_struct! {
    /// The response of `GetSplitDocumentResult`.
    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase")]
    pub struct GetSplitDocumentResultResponse {
        /// `Status`.
        status: Option<TaskStatus>,
        /// `DocumentRecognizeResultUrl`: a zip of `*.md`, `*.jsonl`, `*mllm.json` and `images/`,
        /// valid for 30 minutes.
        document_recognize_result_url: Option<ResultUrl>,
        /// `FailedPages` (deprecated).
        failed_pages: Option<Vec<SplitDocumentFailedPage>>,
        /// `Usage`.
        usage: Option<DocumentUsage>,
        /// `Error` (domestic model).
        error: Option<ErrorInfo>,
        /// `RequestId`.
        request_id: String,
    }
}

impl GetSplitDocumentResultResponse {
    /// The result URL, when the service sent a non-empty one.
    pub fn result_url(&self) -> Option<&ResultUrl> {
        non_empty(&self.document_recognize_result_url)
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

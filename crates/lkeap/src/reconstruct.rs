//! `CreateReconstructDocumentFlow` / `GetReconstructDocumentResult`: parse a document into
//! Markdown asynchronously (spec §5.1–5.2).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::file_type::FileType;
use crate::result_url::{redact_url, ResultUrl};
use crate::task::{
    DocumentUsage, ErrorInfo, ReconstructDocumentFailedPage, ResultType, TableResultType,
    TaskStatus,
};

/// The request of `CreateReconstructDocumentFlow`.
///
/// Exactly one of `FileUrl` and `FileBase64` must be set (if both are, the service uses the
/// URL). `Debug` hides the URL's query string and the base64 content.
///
/// ```
/// use lkeap::{CreateReconstructDocumentFlowRequest, FileType};
/// let req = CreateReconstructDocumentFlowRequest::from_url(FileType::Pdf, "https://example.com/a.pdf")
///     .with_pages(1, 3);
/// assert_eq!(
///     serde_json::to_string(&req).unwrap(),
///     r#"{"FileType":"PDF","FileUrl":"https://example.com/a.pdf","FileStartPageNumber":1,"FileEndPageNumber":3}"#
/// );
/// ```
#[derive(Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct CreateReconstructDocumentFlowRequest {
    /// `FileType` (required): the document's type.
    pub file_type: FileType,
    /// `FileUrl`: where the service downloads the document (Tencent COS is fastest).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_url: Option<String>,
    /// `FileBase64`: the document inline; PNG, JPG, JPEG, PDF, GIF (domestic), BMP or TIFF,
    /// at most 8 MB after encoding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_base64: Option<String>,
    /// `FileStartPageNumber`: first page to parse, 1-based, inclusive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_start_page_number: Option<i64>,
    /// `FileEndPageNumber`: last page to parse, inclusive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_end_page_number: Option<i64>,
    /// `Config`: output options.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<CreateReconstructDocumentFlowConfig>,
}

impl CreateReconstructDocumentFlowRequest {
    /// A document the service downloads from `url`.
    pub fn from_url(file_type: FileType, url: impl Into<String>) -> Self {
        CreateReconstructDocumentFlowRequest {
            file_type,
            file_url: Some(url.into()),
            file_base64: None,
            file_start_page_number: None,
            file_end_page_number: None,
            config: None,
        }
    }

    /// A document sent inline, already base64-encoded.
    pub fn from_base64(file_type: FileType, base64: impl Into<String>) -> Self {
        CreateReconstructDocumentFlowRequest {
            file_url: None,
            file_base64: Some(base64.into()),
            ..CreateReconstructDocumentFlowRequest::from_url(file_type, String::new())
        }
    }

    /// Parses pages `start..=end` only (1-based).
    pub fn with_pages(mut self, start: i64, end: i64) -> Self {
        self.file_start_page_number = Some(start);
        self.file_end_page_number = Some(end);
        self
    }

    /// Sets the output options.
    pub fn with_config(mut self, config: CreateReconstructDocumentFlowConfig) -> Self {
        self.config = Some(config);
        self
    }
}

/// Formats the inline content of a request as its size only.
pub(crate) struct Base64Len<'a>(pub(crate) &'a Option<String>);

impl fmt::Debug for Base64Len<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(b) => write!(f, "<{} base64 characters>", b.len()),
            None => f.write_str("None"),
        }
    }
}

/// Formats a caller's URL (possibly pre-signed) without its query string.
pub(crate) struct UrlShown<'a>(pub(crate) Option<&'a str>);

impl fmt::Debug for UrlShown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(u) => write!(f, "{:?}", redact_url(u)),
            None => f.write_str("None"),
        }
    }
}

impl fmt::Debug for CreateReconstructDocumentFlowRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreateReconstructDocumentFlowRequest")
            .field("file_type", &self.file_type)
            .field("file_url", &UrlShown(self.file_url.as_deref()))
            .field("file_base64", &Base64Len(&self.file_base64))
            .field("file_start_page_number", &self.file_start_page_number)
            .field("file_end_page_number", &self.file_end_page_number)
            .field("config", &self.config)
            .finish()
    }
}

/// `CreateReconstructDocumentFlowConfig`: output options; unset fields are not sent.
///
/// `IgnoreFailedPage`, `ReturnPageFormat` and `PageFormat` exist in the domestic model only.
///
/// ```
/// use lkeap::{CreateReconstructDocumentFlowConfig, ResultType, TableResultType};
/// let config = CreateReconstructDocumentFlowConfig::default()
///     .with_result_type(ResultType::All)
///     .with_table_result_type(TableResultType::Html);
/// assert_eq!(serde_json::to_string(&config).unwrap(), r#"{"TableResultType":"1","ResultType":"5"}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct CreateReconstructDocumentFlowConfig {
    /// `TableResultType`: tables as Markdown (`"0"`, default) or HTML (`"1"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table_result_type: Option<TableResultType>,
    /// `ResultType`: which files the result archive holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
    /// `IgnoreFailedPage`: return the pages that worked when some fail (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore_failed_page: Option<bool>,
    /// `ReturnPageFormat`: put page-number markers into the Markdown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_page_format: Option<bool>,
    /// `PageFormat`: the marker, `{{p}}` standing for the page number (default
    /// `<page_num>page {{p}}</page_num>`); only used with `ReturnPageFormat`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_format: Option<String>,
}

impl CreateReconstructDocumentFlowConfig {
    /// Sets `TableResultType`.
    pub fn with_table_result_type(mut self, value: TableResultType) -> Self {
        self.table_result_type = Some(value);
        self
    }

    /// Sets `ResultType`.
    pub fn with_result_type(mut self, value: ResultType) -> Self {
        self.result_type = Some(value);
        self
    }

    /// Sets `IgnoreFailedPage`.
    pub fn with_ignore_failed_page(mut self, value: bool) -> Self {
        self.ignore_failed_page = Some(value);
        self
    }

    /// Sets `ReturnPageFormat`.
    pub fn with_return_page_format(mut self, value: bool) -> Self {
        self.return_page_format = Some(value);
        self
    }

    /// Sets `PageFormat` (and `ReturnPageFormat`, without which it has no effect).
    pub fn with_page_format(mut self, value: impl Into<String>) -> Self {
        self.page_format = Some(value.into());
        self.return_page_format = Some(true);
        self
    }
}

/// The response of `CreateReconstructDocumentFlow`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateReconstructDocumentFlowResponse {
    /// `TaskId`: query the result with it for 30 days.
    #[serde(default)]
    pub task_id: String,
    /// `RequestId`.
    #[serde(default)]
    pub request_id: String,
}

/// The request of `GetReconstructDocumentResult` (and of `GetSplitDocumentResult` and
/// `CancelTask`, which take the same single field).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TaskIdRequest {
    /// `TaskId` (required).
    pub task_id: String,
}

/// The response of `GetReconstructDocumentResult`.
///
/// `Debug` shows the result URL without its signature.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetReconstructDocumentResultResponse {
    /// `Status`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TaskStatus>,
    /// `DocumentRecognizeResultUrl`: the result zip, valid for 30 minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_recognize_result_url: Option<ResultUrl>,
    /// `FailedPages`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_pages: Option<Vec<ReconstructDocumentFailedPage>>,
    /// `Usage`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<DocumentUsage>,
    /// `Error`: why the task failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorInfo>,
    /// `RequestId`.
    #[serde(default)]
    pub request_id: String,
}

impl GetReconstructDocumentResultResponse {
    /// The result URL, when the service sent a non-empty one.
    pub fn result_url(&self) -> Option<&ResultUrl> {
        self.document_recognize_result_url
            .as_ref()
            .filter(|u| !u.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_fields_are_omitted_and_debug_hides_content() {
        let req = CreateReconstructDocumentFlowRequest::from_base64(FileType::Png, "QUJD")
            .with_config(
                CreateReconstructDocumentFlowConfig::default().with_page_format("[{{p}}]"),
            );
        assert_eq!(
            serde_json::to_string(&req).unwrap(),
            r#"{"FileType":"PNG","FileBase64":"QUJD","Config":{"ReturnPageFormat":true,"PageFormat":"[{{p}}]"}}"#
        );
        let shown = format!("{req:?}");
        assert!(!shown.contains("QUJD"), "{shown}");
        assert!(shown.contains("<4 base64 characters>"), "{shown}");

        let signed = CreateReconstructDocumentFlowRequest::from_url(
            FileType::Pdf,
            "https://b.example.com/a.pdf?q-signature=topsecret",
        );
        let shown = format!("{signed:?}");
        assert!(!shown.contains("topsecret"), "{shown}");
        assert!(
            shown.contains("https://b.example.com/a.pdf?<redacted>"),
            "{shown}"
        );
    }

    #[test]
    fn responses_accept_nulls_and_missing_fields() {
        let r: GetReconstructDocumentResultResponse = serde_json::from_str(
            r#"{"Status":"Processing","DocumentRecognizeResultUrl":"","FailedPages":[{"PageNumber":null},{"PageNumber":3}],"Usage":null,"Error":null,"RequestId":"r"}"#,
        )
        .unwrap();
        assert_eq!(r.status, Some(TaskStatus::Processing));
        assert!(r.result_url().is_none());
        assert_eq!(
            r.failed_pages.unwrap(),
            vec![
                ReconstructDocumentFailedPage { page_number: None },
                ReconstructDocumentFailedPage {
                    page_number: Some(3)
                }
            ]
        );
        let empty: GetReconstructDocumentResultResponse = serde_json::from_str("{}").unwrap();
        assert_eq!(empty, GetReconstructDocumentResultResponse::default());
    }
}

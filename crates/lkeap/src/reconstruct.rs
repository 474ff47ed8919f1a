//! `CreateReconstructDocumentFlow` / `GetReconstructDocumentResult`: parse a document into
//! Markdown asynchronously (spec §5.1–5.2).

use serde::{Deserialize, Serialize};

use crate::file_type::FileType;
use crate::result_url::{non_empty, ResultUrl};
use crate::task::{
    DocumentUsage, ErrorInfo, ReconstructDocumentFailedPage, ResultType, TableResultType,
    TaskStatus,
};
use crate::wire::{setters, source_request, wire_struct};

wire_struct! {
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
        file_type: FileType,
        /// `FileUrl`: where the service downloads the document (Tencent COS is fastest).
        file_url: Option<String>,
        /// `FileBase64`: the document inline; PNG, JPG, JPEG, PDF, GIF (domestic), BMP or TIFF,
        /// at most 8 MB after encoding.
        file_base64: Option<String>,
        /// `FileStartPageNumber`: first page to parse, 1-based, inclusive.
        file_start_page_number: Option<i64>,
        /// `FileEndPageNumber`: last page to parse, inclusive.
        file_end_page_number: Option<i64>,
        /// `Config`: output options.
        config: Option<CreateReconstructDocumentFlowConfig>,
    }
}

source_request!(
    CreateReconstructDocumentFlowRequest,
    /// Sets the output options.
    config: CreateReconstructDocumentFlowConfig
);

wire_struct! {
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
        table_result_type: Option<TableResultType>,
        /// `ResultType`: which files the result archive holds.
        result_type: Option<ResultType>,
        /// `IgnoreFailedPage`: return the pages that worked when some fail (default true).
        ignore_failed_page: Option<bool>,
        /// `ReturnPageFormat`: put page-number markers into the Markdown.
        return_page_format: Option<bool>,
        /// `PageFormat`: the marker, `{{p}}` standing for the page number (default
        /// `<page_num>page {{p}}</page_num>`); only used with `ReturnPageFormat`.
        page_format: Option<String>,
    }
}

impl CreateReconstructDocumentFlowConfig {
    setters! {
        /// Sets `TableResultType`.
        with_table_result_type(value: TableResultType) => table_result_type;
        /// Sets `ResultType`.
        with_result_type(value: ResultType) => result_type;
        /// Sets `IgnoreFailedPage`.
        with_ignore_failed_page(value: bool) => ignore_failed_page;
        /// Sets `ReturnPageFormat`.
        with_return_page_format(value: bool) => return_page_format;
        /// Sets `PageFormat` (and `ReturnPageFormat`, without which it has no effect).
        with_page_format(page_format);
    }
}

wire_struct! {
    /// The response of `CreateReconstructDocumentFlow`.
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase")]
    pub struct CreateReconstructDocumentFlowResponse {
        /// `TaskId`: query the result with it for 30 days.
        task_id: String,
        /// `RequestId`.
        request_id: String,
    }
}

/// The request of `GetReconstructDocumentResult` (and of `GetSplitDocumentResult` and
/// `CancelTask`, which take the same single field).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TaskIdRequest {
    /// `TaskId` (required).
    pub task_id: String,
}

wire_struct! {
    /// The response of `GetReconstructDocumentResult`.
    ///
    /// `Debug` shows the result URL without its signature.
    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase")]
    pub struct GetReconstructDocumentResultResponse {
        /// `Status`.
        status: Option<TaskStatus>,
        /// `DocumentRecognizeResultUrl`: the result zip, valid for 30 minutes.
        document_recognize_result_url: Option<ResultUrl>,
        /// `FailedPages`.
        failed_pages: Option<Vec<ReconstructDocumentFailedPage>>,
        /// `Usage`.
        usage: Option<DocumentUsage>,
        /// `Error`: why the task failed.
        error: Option<ErrorInfo>,
        /// `RequestId`.
        request_id: String,
    }
}

impl GetReconstructDocumentResultResponse {
    /// The result URL, when the service sent a non-empty one.
    pub fn result_url(&self) -> Option<&ResultUrl> {
        non_empty(&self.document_recognize_result_url)
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

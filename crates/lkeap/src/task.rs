//! Types shared by the asynchronous flows: task status, task error, usage, failed pages and the
//! string-valued output options.

use std::fmt;

use ocr_core::{Error, ErrorKind};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use ocr_core::lenient;

use crate::wire::wire_struct;

/// `Status` of an asynchronous task (`Success`, `Processing`, `Pause`, `Failed`, `WaitExecute`).
///
/// Values this version does not know are kept in [`TaskStatus::Other`] rather than failing the
/// whole response.
///
/// ```
/// use lkeap::TaskStatus;
/// let s: TaskStatus = serde_json::from_str("\"WaitExecute\"").unwrap();
/// assert!(s.is_pending());
/// assert_eq!(serde_json::to_string(&TaskStatus::Success).unwrap(), "\"Success\"");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TaskStatus {
    /// `Success`: done; the result URL is set.
    Success,
    /// `Processing`: running.
    Processing,
    /// `Pause`: paused; treated as still pending.
    Pause,
    /// `Failed`: the task failed; `Error` says why.
    Failed,
    /// `WaitExecute`: queued.
    WaitExecute,
    /// A value not documented when this crate was written.
    Other(String),
}

impl TaskStatus {
    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            TaskStatus::Success => "Success",
            TaskStatus::Processing => "Processing",
            TaskStatus::Pause => "Pause",
            TaskStatus::Failed => "Failed",
            TaskStatus::WaitExecute => "WaitExecute",
            TaskStatus::Other(s) => s,
        }
    }

    /// The status a wire value names.
    pub fn from_wire(s: &str) -> TaskStatus {
        match s {
            "Success" => TaskStatus::Success,
            "Processing" => TaskStatus::Processing,
            "Pause" => TaskStatus::Pause,
            "Failed" => TaskStatus::Failed,
            "WaitExecute" => TaskStatus::WaitExecute,
            other => TaskStatus::Other(other.to_owned()),
        }
    }

    /// Whether the task is still to finish (`Processing`, `Pause`, `WaitExecute`).
    pub fn is_pending(&self) -> bool {
        matches!(
            self,
            TaskStatus::Processing | TaskStatus::Pause | TaskStatus::WaitExecute
        )
    }
}

impl fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for TaskStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for TaskStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(TaskStatus::from_wire(&String::deserialize(d)?))
    }
}

wire_struct! {
    /// `ErrorInfo`: why a task failed (`Code` such as `FailedOperation.FileParseError`, `Message`).
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase")]
    pub struct ErrorInfo {
        /// `Code`.
        code: Option<String>,
        /// `Message`.
        message: Option<String>,
    }
}

impl ErrorInfo {
    /// The task failure as a workspace error of kind [`ErrorKind::TaskFailed`], with the
    /// task's code and message and the request id of the call that reported it.
    pub fn to_error(&self, operation: &'static str, request_id: &str) -> Error {
        let message = self
            .message
            .clone()
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| "the task failed without a message".to_owned());
        let mut err = Error::new(ErrorKind::TaskFailed, message)
            .with_provider(crate::PROVIDER_ID)
            .with_operation(operation)
            .with_request_id(request_id)
            .with_retryable(false);
        if let Some(code) = self.code.as_ref().filter(|c| !c.is_empty()) {
            err = err.with_code(code.clone());
        }
        err
    }
}

wire_struct! {
    /// `ReconstructDocumentFailedPage`: a page that could not be parsed.
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase")]
    pub struct ReconstructDocumentFailedPage {
        /// `PageNumber` (nullable).
        page_number: Option<i64> = "lenient::opt_i64",
    }
}

/// `SplitDocumentFailedPage`: the same shape as [`ReconstructDocumentFailedPage`].
pub type SplitDocumentFailedPage = ReconstructDocumentFailedPage;

wire_struct! {
    /// `DocumentUsage`: what a task consumed. Every field is optional; the international model
    /// only has `PageNumber`, `TotalToken` and `TotalTokens`.
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase")]
    pub struct DocumentUsage {
        /// `PageNumber`: pages of the task.
        page_number: Option<i64> = "lenient::opt_i64",
        /// `TotalToken` (deprecated; see `TotalTokens`).
        total_token: Option<i64> = "lenient::opt_i64",
        /// `TotalTokens`: tokens in all.
        total_tokens: Option<i64> = "lenient::opt_i64",
        /// `SplitTokens`: tokens for splitting.
        split_tokens: Option<i64> = "lenient::opt_i64",
        /// `MllmTokens`: tokens of the multimodal model.
        mllm_tokens: Option<i64> = "lenient::opt_i64",
        /// `SuccessPageNum`: pages parsed.
        success_page_num: Option<i64> = "lenient::opt_i64",
        /// `FailPageNum`: pages that failed.
        fail_page_num: Option<i64> = "lenient::opt_i64",
        /// `FileSize`: bytes of the document.
        file_size: Option<i64> = "lenient::opt_i64",
    }
}

/// `TableResultType`: how tables are written (a string on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TableResultType {
    /// `"0"`: Markdown tables (the default).
    #[serde(rename = "0")]
    Markdown,
    /// `"1"`: HTML tables.
    #[serde(rename = "1")]
    Html,
}

/// `ResultType` (and the split flow's `SplitResultType`): which files the result archive
/// holds (a string on the wire). The default differs between the domestic (`"0"`) and the
/// international (`"3"`) models, so this crate always sends one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ResultType {
    /// `"0"`: the whole document as Markdown.
    #[serde(rename = "0")]
    Markdown,
    /// `"1"`: per-page OCR JSON only.
    #[serde(rename = "1")]
    PageJson,
    /// `"2"`: per-page Markdown only.
    #[serde(rename = "2")]
    PageMarkdown,
    /// `"3"`: whole-document Markdown and per-page OCR JSON.
    #[serde(rename = "3")]
    MarkdownAndPageJson,
    /// `"4"`: whole-document Markdown and per-page Markdown.
    #[serde(rename = "4")]
    MarkdownAndPageMarkdown,
    /// `"5"`: whole-document Markdown, per-page OCR JSON and per-page Markdown (domestic).
    #[serde(rename = "5")]
    All,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_and_unknowns_are_kept() {
        for s in [
            "Success",
            "Processing",
            "Pause",
            "Failed",
            "WaitExecute",
            "Cancelled",
        ] {
            let st: TaskStatus = serde_json::from_value(serde_json::json!(s)).unwrap();
            assert_eq!(st.as_str(), s);
            assert_eq!(serde_json::to_value(&st).unwrap(), s);
        }
        assert!(TaskStatus::Pause.is_pending());
        assert!(!TaskStatus::Failed.is_pending());
        assert!(!TaskStatus::Other("x".into()).is_pending());
    }

    #[test]
    fn string_enums_are_strings_on_the_wire() {
        assert_eq!(serde_json::to_string(&ResultType::All).unwrap(), "\"5\"");
        assert_eq!(
            serde_json::to_string(&TableResultType::Html).unwrap(),
            "\"1\""
        );
        let r: ResultType = serde_json::from_str("\"3\"").unwrap();
        assert_eq!(r, ResultType::MarkdownAndPageJson);
    }

    #[test]
    fn usage_is_lenient() {
        let u: DocumentUsage = serde_json::from_str(
            r#"{"PageNumber":10,"TotalTokens":2048.0,"FileSize":"77","MllmTokens":null}"#,
        )
        .unwrap();
        assert_eq!(u.page_number, Some(10));
        assert_eq!(u.total_tokens, Some(2048));
        assert_eq!(u.file_size, Some(77));
        assert_eq!(u.mllm_tokens, None);
    }

    #[test]
    fn task_error_carries_code_message_and_request_id() {
        let e = ErrorInfo {
            code: Some("FailedOperation.FileParseError".into()),
            message: Some("file parse timeout".into()),
        }
        .to_error("GetReconstructDocumentResult", "rid");
        assert_eq!(e.kind(), ErrorKind::TaskFailed);
        assert_eq!(e.code(), Some("FailedOperation.FileParseError"));
        assert_eq!(e.request_id(), Some("rid"));
        assert!(!e.is_retryable());
    }
}

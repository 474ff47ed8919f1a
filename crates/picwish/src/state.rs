//! Task status codes (`data.state`): 1 succeeded, 0 and greater than 1 pending, less than 0
//! failed, each documented code as a typed value with its documented meaning.

use std::fmt;

use ocr_core::ErrorKind;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Where a task is, decoded from `data.state`.
///
/// ```
/// use picwish::{PendingState, TaskFailure, TaskState};
/// assert_eq!(TaskState::from_code(1), TaskState::Succeeded);
/// assert_eq!(TaskState::from_code(0), TaskState::Pending(PendingState::Queued));
/// assert_eq!(TaskState::from_code(-8), TaskState::Failed(TaskFailure::Timeout));
/// assert_eq!(TaskState::from_code(-8).code(), -8);
/// assert!(TaskState::from_code(-8).is_finished());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskState {
    /// `1`: processing succeeded; the result file is ready for one hour.
    Succeeded,
    /// `0` or greater than `1`: still queued or processing.
    Pending(PendingState),
    /// Less than `0`: the task failed; polling again will not change that.
    Failed(TaskFailure),
}

impl TaskState {
    /// Decodes a `data.state` value. Codes the documentation does not list keep their number
    /// and fall on the documented side (greater than 1 pending, less than 0 failed).
    pub fn from_code(code: i64) -> Self {
        match code {
            1 => TaskState::Succeeded,
            c if c < 0 => TaskState::Failed(TaskFailure::from_code(c)),
            c => TaskState::Pending(PendingState::from_code(c)),
        }
    }

    /// The wire value.
    pub fn code(self) -> i64 {
        match self {
            TaskState::Succeeded => 1,
            TaskState::Pending(p) => p.code(),
            TaskState::Failed(f) => f.code(),
        }
    }

    /// Whether polling should stop (`state = 1` or `state < 0`).
    pub fn is_finished(self) -> bool {
        !matches!(self, TaskState::Pending(_))
    }

    /// The documented meaning of the code.
    pub fn meaning(self) -> &'static str {
        match self {
            TaskState::Succeeded => "Completed. Processing succeeded.",
            TaskState::Pending(p) => p.meaning(),
            TaskState::Failed(f) => f.meaning(),
        }
    }
}

impl fmt::Display for TaskState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.code(), self.meaning())
    }
}

impl Serialize for TaskState {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.code())
    }
}

impl<'de> Deserialize<'de> for TaskState {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        ocr_core::lenient::opt_i64(d)?
            .map(TaskState::from_code)
            .ok_or_else(|| serde::de::Error::custom("the task state is missing"))
    }
}

/// A task that is still on its way (`state` 0 or greater than 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PendingState {
    /// `0`: queued, waiting in the queue.
    Queued,
    /// `2`: preparing.
    Preparing,
    /// `3`: waiting.
    Waiting,
    /// `4`: processing in progress.
    Processing,
    /// `5`: internally publishing the result.
    Publishing,
    /// `6`: internal loop processing in progress.
    LoopProcessing,
    /// Another code greater than 1, which the documentation counts as processing.
    Other(i64),
}

impl PendingState {
    /// Decodes a pending code (0 or greater than 1).
    pub fn from_code(code: i64) -> Self {
        match code {
            0 => PendingState::Queued,
            2 => PendingState::Preparing,
            3 => PendingState::Waiting,
            4 => PendingState::Processing,
            5 => PendingState::Publishing,
            6 => PendingState::LoopProcessing,
            other => PendingState::Other(other),
        }
    }

    /// The wire value.
    pub fn code(self) -> i64 {
        match self {
            PendingState::Queued => 0,
            PendingState::Preparing => 2,
            PendingState::Waiting => 3,
            PendingState::Processing => 4,
            PendingState::Publishing => 5,
            PendingState::LoopProcessing => 6,
            PendingState::Other(code) => code,
        }
    }

    /// A short name for progress displays (`"queued"`, `"processing"` …).
    pub fn name(self) -> &'static str {
        match self {
            PendingState::Queued => "queued",
            PendingState::Preparing => "preparing",
            PendingState::Waiting => "waiting",
            PendingState::Processing => "processing",
            PendingState::Publishing => "publishing",
            PendingState::LoopProcessing => "loop-processing",
            PendingState::Other(_) => "processing (undocumented state)",
        }
    }

    /// The documented meaning of the code.
    pub fn meaning(self) -> &'static str {
        match self {
            PendingState::Queued => "Queued. The task is waiting in the queue.",
            PendingState::Preparing => "Preparing.",
            PendingState::Waiting => "Waiting.",
            PendingState::Processing => "Processing in progress.",
            PendingState::Publishing => "Internally publishing the result.",
            PendingState::LoopProcessing => "Processing. Internal loop processing is in progress.",
            PendingState::Other(_) => {
                "Still processing (a state code the documentation does not list)."
            }
        }
    }
}

/// Why a task failed (`state` less than 0), with the documented meaning as its `Display`.
///
/// It is attached as the [`source`](std::error::Error::source) of the [`ocr_core::Error`] a
/// failed task surfaces as, so callers can recover the typed code:
///
/// ```
/// use picwish::TaskFailure;
/// let failure = TaskFailure::from_code(-7);
/// assert_eq!(failure, TaskFailure::InvalidImage);
/// assert_eq!(
///     failure.to_string(),
///     "Invalid image file (e.g. corrupted image or incorrect format)."
/// );
/// assert_eq!(failure.error_kind(), ocr_core::ErrorKind::InvalidInput);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskFailure {
    /// `-17`: the prompt is invalid.
    InvalidPrompt,
    /// `-16`: a third-party review detected prohibited content.
    ProhibitedContentExternalReview,
    /// `-15`: insufficient resources.
    InsufficientResources,
    /// `-14`: the input image content does not meet the requirements.
    UnsuitableContent,
    /// `-13`: the task was canceled due to an exception.
    Canceled,
    /// `-11`: the result is empty.
    EmptyResult,
    /// `-10`: internal review detected prohibited content.
    ProhibitedContentInternalReview,
    /// `-9`: the internal program failed during loop processing.
    LoopProcessingFailed,
    /// `-8`: processing timed out (the maximum processing time is 180 seconds).
    Timeout,
    /// `-7`: invalid image file (corrupted or in an incorrect format).
    InvalidImage,
    /// `-5`: the `image_url` image exceeds the size limit (30 MB).
    UrlImageTooLarge,
    /// `-3`: the server failed to download the file at `image_url`.
    DownloadFailed,
    /// `-2`: processing completed, but uploading the result to storage failed.
    ResultUploadFailed,
    /// `-1`: processing failed.
    Failed,
    /// Another negative code, which the documentation counts as failed.
    Other(i64),
}

impl TaskFailure {
    /// Every documented failure, for listings and tests.
    pub const DOCUMENTED: [TaskFailure; 14] = [
        TaskFailure::InvalidPrompt,
        TaskFailure::ProhibitedContentExternalReview,
        TaskFailure::InsufficientResources,
        TaskFailure::UnsuitableContent,
        TaskFailure::Canceled,
        TaskFailure::EmptyResult,
        TaskFailure::ProhibitedContentInternalReview,
        TaskFailure::LoopProcessingFailed,
        TaskFailure::Timeout,
        TaskFailure::InvalidImage,
        TaskFailure::UrlImageTooLarge,
        TaskFailure::DownloadFailed,
        TaskFailure::ResultUploadFailed,
        TaskFailure::Failed,
    ];

    /// Decodes a failure code (less than 0).
    pub fn from_code(code: i64) -> Self {
        match code {
            -17 => TaskFailure::InvalidPrompt,
            -16 => TaskFailure::ProhibitedContentExternalReview,
            -15 => TaskFailure::InsufficientResources,
            -14 => TaskFailure::UnsuitableContent,
            -13 => TaskFailure::Canceled,
            -11 => TaskFailure::EmptyResult,
            -10 => TaskFailure::ProhibitedContentInternalReview,
            -9 => TaskFailure::LoopProcessingFailed,
            -8 => TaskFailure::Timeout,
            -7 => TaskFailure::InvalidImage,
            -5 => TaskFailure::UrlImageTooLarge,
            -3 => TaskFailure::DownloadFailed,
            -2 => TaskFailure::ResultUploadFailed,
            -1 => TaskFailure::Failed,
            other => TaskFailure::Other(other),
        }
    }

    /// The wire value.
    pub fn code(self) -> i64 {
        match self {
            TaskFailure::InvalidPrompt => -17,
            TaskFailure::ProhibitedContentExternalReview => -16,
            TaskFailure::InsufficientResources => -15,
            TaskFailure::UnsuitableContent => -14,
            TaskFailure::Canceled => -13,
            TaskFailure::EmptyResult => -11,
            TaskFailure::ProhibitedContentInternalReview => -10,
            TaskFailure::LoopProcessingFailed => -9,
            TaskFailure::Timeout => -8,
            TaskFailure::InvalidImage => -7,
            TaskFailure::UrlImageTooLarge => -5,
            TaskFailure::DownloadFailed => -3,
            TaskFailure::ResultUploadFailed => -2,
            TaskFailure::Failed => -1,
            TaskFailure::Other(code) => code,
        }
    }

    /// The documented meaning, word for word.
    pub fn meaning(self) -> &'static str {
        match self {
            TaskFailure::InvalidPrompt => "Processing failed because the prompt is invalid.",
            TaskFailure::ProhibitedContentExternalReview => {
                "Processing failed because a third-party review detected prohibited content."
            }
            TaskFailure::InsufficientResources => {
                "Processing failed due to insufficient resources."
            }
            TaskFailure::UnsuitableContent => {
                "Processing failed because the input image content does not meet the requirements."
            }
            TaskFailure::Canceled => {
                "Processing failed because the task was canceled due to an exception."
            }
            TaskFailure::EmptyResult => "Processing failed because the result is empty.",
            TaskFailure::ProhibitedContentInternalReview => {
                "Processing failed because internal review detected prohibited content."
            }
            TaskFailure::LoopProcessingFailed => {
                "Processing failed because the internal program failed during loop processing."
            }
            TaskFailure::Timeout => {
                "Processing timed out. The maximum processing time is 180 seconds."
            }
            TaskFailure::InvalidImage => {
                "Invalid image file (e.g. corrupted image or incorrect format)."
            }
            TaskFailure::UrlImageTooLarge => "The image_url image exceeds the size limit (30MB).",
            TaskFailure::DownloadFailed => {
                "The server failed to download your file. Check that the source image URL is available."
            }
            TaskFailure::ResultUploadFailed => {
                "Processing completed, but uploading the result to OSS failed."
            }
            TaskFailure::Failed => "Processing failed.",
            TaskFailure::Other(_) => "Processing failed (a state code the documentation does not list).",
        }
    }

    /// The [`ErrorKind`] the failure surfaces as.
    ///
    /// [`ErrorKind::InvalidInput`] where the documented meaning puts the fault in the caller's
    /// input, so resubmitting the same input cannot help: `-17` invalid prompt, `-14` content
    /// that does not meet the requirements, `-7` invalid image file, `-5` `image_url` image over
    /// 30 MB, `-3` `image_url` could not be downloaded. Every other code (the service's own
    /// failures, timeouts and content-review refusals) is [`ErrorKind::TaskFailed`].
    pub fn error_kind(self) -> ErrorKind {
        match self {
            TaskFailure::InvalidPrompt
            | TaskFailure::UnsuitableContent
            | TaskFailure::InvalidImage
            | TaskFailure::UrlImageTooLarge
            | TaskFailure::DownloadFailed => ErrorKind::InvalidInput,
            _ => ErrorKind::TaskFailed,
        }
    }

    /// The request field a failure is about, where the documented meaning names one: the
    /// `image_url` download (`-3`) and size (`-5`) failures.
    pub fn field(self) -> Option<&'static str> {
        match self {
            TaskFailure::UrlImageTooLarge | TaskFailure::DownloadFailed => Some("image_url"),
            _ => None,
        }
    }
}

impl fmt::Display for TaskFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.meaning())
    }
}

impl std::error::Error for TaskFailure {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for code in -20..=10 {
            assert_eq!(TaskState::from_code(code).code(), code);
        }
        for f in TaskFailure::DOCUMENTED {
            assert_eq!(TaskFailure::from_code(f.code()), f);
            assert!(!matches!(f, TaskFailure::Other(_)));
        }
    }

    #[test]
    fn undocumented_codes_fall_on_the_documented_side() {
        assert_eq!(
            TaskState::from_code(9),
            TaskState::Pending(PendingState::Other(9))
        );
        assert_eq!(
            TaskState::from_code(-4),
            TaskState::Failed(TaskFailure::Other(-4))
        );
        assert!(!TaskState::from_code(7).is_finished());
        assert!(TaskState::from_code(-99).is_finished());
    }

    #[test]
    fn serde_is_the_number() {
        let s: TaskState = serde_json::from_str("-8").unwrap();
        assert_eq!(s, TaskState::Failed(TaskFailure::Timeout));
        let s: TaskState = serde_json::from_str("\"4\"").unwrap();
        assert_eq!(s, TaskState::Pending(PendingState::Processing));
        assert_eq!(serde_json::to_string(&s).unwrap(), "4");
        assert!(serde_json::from_str::<TaskState>("null").is_err());
    }
}

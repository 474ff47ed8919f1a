//! The wire shapes of responses: the `{status, message, data}` envelope, the created task and
//! the queried task with every documented field.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::limits::RESULT_VALIDITY;
use crate::redact::redact_url;
use crate::state::TaskState;
use ocr_core::lenient;

/// A decoded response: the HTTP-style `status`, the `message`, and the `data` object.
///
/// ```
/// let body = r#"{"status":200,"message":"success","data":{"task_id":"t-1"}}"#;
/// let resp: picwish::ApiResponse<picwish::CreatedTask> = serde_json::from_str(body).unwrap();
/// assert_eq!(resp.status, 200);
/// assert_eq!(resp.data.task_id, "t-1");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiResponse<T> {
    /// HTTP-style status code: 200 means success (see [`crate::http_status`]).
    #[serde(deserialize_with = "status_code")]
    pub status: i64,
    /// The service's message; quote it to support when a task fails.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub message: Option<String>,
    /// The payload.
    pub data: T,
}

fn status_code<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    lenient::opt_i64(d)?.ok_or_else(|| serde::de::Error::custom("status is null"))
}

/// `data` of a create-task response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedTask {
    /// The OCR task id: poll it with [`PicWish::query`](crate::PicWish::query).
    #[serde(deserialize_with = "task_id")]
    pub task_id: String,
}

fn task_id<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match lenient::opt_string(d)? {
        Some(id) if !id.trim().is_empty() => Ok(id),
        _ => Err(serde::de::Error::custom("task_id is empty")),
    }
}

/// `data` of a query response: every documented field.
///
/// The timestamps are documented as Unix-timestamp strings and kept as sent (numbers are
/// accepted too); the `*_unix` methods parse them. `Debug` hides the query string of `file`,
/// which is a signed URL.
///
/// ```
/// let data = r#"{"task_id":"t-1","created_at":"1700000000","processed_at":"1700000001",
///     "completed_at":"1700000009","file":"https://r.example/t-1.txt?sig=x",
///     "progress":100,"state":1}"#;
/// let info: picwish::TaskInfo = serde_json::from_str(data).unwrap();
/// assert_eq!(info.state, picwish::TaskState::Succeeded);
/// assert_eq!(info.completed_at_unix(), Some(1_700_000_009));
/// assert_eq!(info.result_expires_at(), Some(1_700_003_609));
/// assert!(!format!("{info:?}").contains("sig=x"));
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskInfo {
    /// The task id; quote it to support when a task fails.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub task_id: Option<String>,
    /// When the task was created (Unix-timestamp string).
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_at: Option<String>,
    /// When processing started (Unix-timestamp string).
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub processed_at: Option<String>,
    /// When the task completed (Unix-timestamp string).
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub completed_at: Option<String>,
    /// The result file URL, valid for one hour after processing succeeds.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub file: Option<String>,
    /// Progress; 100 means complete.
    #[serde(
        default,
        deserialize_with = "lenient::opt_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub progress: Option<f64>,
    /// The task status code, typed.
    pub state: TaskState,
}

impl TaskInfo {
    /// `created_at` as Unix seconds, if present and numeric.
    pub fn created_at_unix(&self) -> Option<u64> {
        self.created_at.as_deref().and_then(lenient::unix_seconds)
    }

    /// `processed_at` as Unix seconds, if present and numeric.
    pub fn processed_at_unix(&self) -> Option<u64> {
        self.processed_at.as_deref().and_then(lenient::unix_seconds)
    }

    /// `completed_at` as Unix seconds, if present and numeric.
    pub fn completed_at_unix(&self) -> Option<u64> {
        self.completed_at.as_deref().and_then(lenient::unix_seconds)
    }

    /// When the result file URL stops working: one hour after `completed_at`.
    pub fn result_expires_at(&self) -> Option<u64> {
        self.completed_at_unix()
            .map(|t| t.saturating_add(RESULT_VALIDITY.as_secs()))
    }

    /// `progress` as a whole percentage in `0..=100`.
    pub fn progress_percent(&self) -> Option<u8> {
        self.progress
            .filter(|p| p.is_finite())
            .map(|p| p.clamp(0.0, 100.0).round() as u8)
    }
}

impl fmt::Debug for TaskInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskInfo")
            .field("task_id", &self.task_id)
            .field("created_at", &self.created_at)
            .field("processed_at", &self.processed_at)
            .field("completed_at", &self.completed_at)
            .field("file", &self.file.as_deref().map(redact_url))
            .field("progress", &self.progress)
            .field("state", &self.state)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nulls_and_missing_fields_are_none() {
        let info: TaskInfo = serde_json::from_str(
            r#"{"task_id":"t","created_at":null,"file":null,"progress":null,"state":0}"#,
        )
        .unwrap();
        assert_eq!(info.task_id.as_deref(), Some("t"));
        assert!(info.created_at.is_none() && info.processed_at.is_none());
        assert!(info.file.is_none() && info.progress.is_none());
        assert_eq!(info.result_expires_at(), None);
        assert!(
            serde_json::from_str::<TaskInfo>("{}").is_err(),
            "state is required"
        );
    }

    #[test]
    fn serialises_back_to_the_wire_names() {
        let info: TaskInfo = serde_json::from_str(
            r#"{"task_id":"t","created_at":1700000000,"progress":42.5,"state":"4"}"#,
        )
        .unwrap();
        let back = serde_json::to_value(&info).unwrap();
        assert_eq!(
            back,
            serde_json::json!({"task_id":"t","created_at":"1700000000","progress":42.5,"state":4})
        );
        assert_eq!(info.progress_percent(), Some(43));
    }

    #[test]
    fn empty_task_id_is_refused() {
        assert!(serde_json::from_str::<CreatedTask>(r#"{"task_id":""}"#).is_err());
        assert!(serde_json::from_str::<CreatedTask>(r#"{"task_id":null}"#).is_err());
        let t: CreatedTask = serde_json::from_str(r#"{"task_id":123}"#).unwrap();
        assert_eq!(t.task_id, "123");
    }
}

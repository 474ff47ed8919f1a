//! `CancelTask` and `GetCharacterUsage` (domestic site only; spec §5.6).

use serde::{Deserialize, Serialize};

use ocr_core::lenient;

/// The response of `CancelTask`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CancelTaskResponse {
    /// `RequestId`.
    #[serde(default)]
    pub request_id: String,
}

/// The response of `GetCharacterUsage`: the account's character quota.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetCharacterUsageResponse {
    /// `Used`: characters used.
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub used: Option<i64>,
    /// `Total`: characters available.
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub total: Option<i64>,
    /// `RequestId`.
    #[serde(default)]
    pub request_id: String,
}

/// The (empty) request of `GetCharacterUsage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub(crate) struct Empty {}

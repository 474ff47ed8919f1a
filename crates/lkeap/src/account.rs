//! `CancelTask` and `GetCharacterUsage` (domestic site only; spec §5.6).

use serde::{Deserialize, Serialize};

use ocr_core::lenient;

use crate::wire::wire_struct;

wire_struct! {
    /// The response of `CancelTask`.
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase")]
    pub struct CancelTaskResponse {
        /// `RequestId`.
        request_id: String,
    }
}

wire_struct! {
    /// The response of `GetCharacterUsage`: the account's character quota.
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase")]
    pub struct GetCharacterUsageResponse {
        /// `Used`: characters used.
        used: Option<i64> = "lenient::opt_i64",
        /// `Total`: characters available.
        total: Option<i64> = "lenient::opt_i64",
        /// `RequestId`.
        request_id: String,
    }
}

/// The (empty) request of `GetCharacterUsage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub(crate) struct Empty {}

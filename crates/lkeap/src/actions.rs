//! The product, its action names and their documented limits: the names the client, the
//! builder, the flows and the downloads share, kept here so that none of them needs another for a
//! name. The public ones are re-exported from the crate root and from the `client` module.

use std::time::Duration;

use tc_api::Service;

use crate::PROVIDER_ID;

/// The product as `tc-api` needs it.
pub const SERVICE: Service = Service {
    name: "lkeap",
    version: "2024-05-22",
    provider_id: PROVIDER_ID,
};

/// The documented rate limit of every document action, per second.
pub const DEFAULT_RATE_LIMIT: f64 = 20.0;
/// The documented rate limit of `CreateReconstructDocumentFlow` for trial accounts, per second.
pub const TRIAL_RATE_LIMIT: f64 = 1.0;
/// How long a result URL stays valid after the service hands it out.
pub const RESULT_URL_VALIDITY: Duration = Duration::from_secs(30 * 60);
/// How long a task id can be queried.
pub const TASK_RETENTION: Duration = Duration::from_secs(30 * 24 * 3600);

pub(crate) const CREATE_RECONSTRUCT: &str = "CreateReconstructDocumentFlow";
pub(crate) const GET_RECONSTRUCT: &str = "GetReconstructDocumentResult";
pub(crate) const CREATE_SPLIT: &str = "CreateSplitDocumentFlow";
pub(crate) const GET_SPLIT: &str = "GetSplitDocumentResult";
pub(crate) const CANCEL_TASK: &str = "CancelTask";
pub(crate) const GET_CHARACTER_USAGE: &str = "GetCharacterUsage";

/// Every action of the API 3.0 endpoint (all but the streaming one).
pub(crate) const API_ACTIONS: [&str; 6] = [
    CREATE_RECONSTRUCT,
    GET_RECONSTRUCT,
    CREATE_SPLIT,
    GET_SPLIT,
    CANCEL_TASK,
    GET_CHARACTER_USAGE,
];

//! The two asynchronous flows, parse to Markdown and split into chunks, have one shape: create a
//! task, ask for its result until it is done, download its archive. [`DocumentFlow`] names what
//! differs between them (actions, wire types); the calls are written once for any flow, in
//! `client.rs` (create, get, wait) and `download.rs` (the archive).

use ocr_core::{Error, Progress, Result};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::actions::{CREATE_RECONSTRUCT, CREATE_SPLIT, GET_RECONSTRUCT, GET_SPLIT};
use crate::file_type::Flow;
use crate::reconstruct::{
    CreateReconstructDocumentFlowRequest, CreateReconstructDocumentFlowResponse,
    GetReconstructDocumentResultResponse,
};
use crate::result_url::ResultUrl;
use crate::split::{
    CreateSplitDocumentFlowRequest, CreateSplitDocumentFlowResponse, GetSplitDocumentResultResponse,
};
use crate::task::{ErrorInfo, TaskStatus};
use crate::validate::DocumentRequest;
use crate::PROVIDER_ID;

/// One asynchronous flow: its actions and wire types, and where its responses keep what the
/// generic calls read.
pub(crate) trait DocumentFlow {
    /// The file-type rules the flow's requests follow.
    const FLOW: Flow;
    /// The create action (billed: never resent when its outcome is unknown).
    const CREATE: &'static str;
    /// The result action (idempotent).
    const GET: &'static str;
    /// The request of [`CREATE`](Self::CREATE).
    type CreateRequest: DocumentRequest + Serialize + Sync;
    /// The response of [`CREATE`](Self::CREATE).
    type CreateResponse: DeserializeOwned + Send;
    /// The response of [`GET`](Self::GET).
    type Result: DeserializeOwned + Clone + Send + Sync + 'static;

    /// The task id and the request id of a create response.
    fn created(response: &Self::CreateResponse) -> (&str, &str);

    /// What a result response says about its task.
    fn report(response: &Self::Result) -> TaskReport<'_>;

    /// Whether a result response means done, pending or failed.
    fn classify(response: &Self::Result) -> Result<StatusClass> {
        let report = Self::report(response);
        classify_status(Self::GET, report.status, report.error, report.request_id)
    }
}

/// What a result response says about its task.
pub(crate) struct TaskReport<'a> {
    pub(crate) status: Option<&'a TaskStatus>,
    pub(crate) error: Option<&'a ErrorInfo>,
    pub(crate) request_id: &'a str,
    pub(crate) result_url: Option<&'a ResultUrl>,
}

/// Defines a flow's marker type and its [`DocumentFlow`] implementation; the responses of both
/// flows name their fields alike.
macro_rules! document_flow {
    (
        $(#[$meta:meta])*
        $marker:ident: $flow:expr, $create:expr, $get:expr,
        $request:ty => $created:ty, $result:ty
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) struct $marker;

        impl DocumentFlow for $marker {
            const FLOW: Flow = $flow;
            const CREATE: &'static str = $create;
            const GET: &'static str = $get;
            type CreateRequest = $request;
            type CreateResponse = $created;
            type Result = $result;

            fn created(response: &$created) -> (&str, &str) {
                (&response.task_id, &response.request_id)
            }

            fn report(response: &$result) -> TaskReport<'_> {
                TaskReport {
                    status: response.status.as_ref(),
                    error: response.error.as_ref(),
                    request_id: &response.request_id,
                    result_url: response.result_url(),
                }
            }
        }
    };
}

document_flow! {
    /// Parse to Markdown: `CreateReconstructDocumentFlow`, then `GetReconstructDocumentResult`.
    Reconstruct: Flow::Reconstruct, CREATE_RECONSTRUCT, GET_RECONSTRUCT,
    CreateReconstructDocumentFlowRequest => CreateReconstructDocumentFlowResponse,
    GetReconstructDocumentResultResponse
}

document_flow! {
    /// Split into chunks for retrieval: `CreateSplitDocumentFlow`, then `GetSplitDocumentResult`.
    Split: Flow::Split, CREATE_SPLIT, GET_SPLIT,
    CreateSplitDocumentFlowRequest => CreateSplitDocumentFlowResponse,
    GetSplitDocumentResultResponse
}

/// What a status means for a waiting caller.
#[derive(Debug)]
pub(crate) enum StatusClass {
    Done,
    Pending(Progress),
    Failed(Error),
}

/// Maps a task status (and its error) to done, pending or failed.
pub(crate) fn classify_status(
    operation: &'static str,
    status: Option<&TaskStatus>,
    error: Option<&ErrorInfo>,
    request_id: &str,
) -> Result<StatusClass> {
    match status {
        Some(TaskStatus::Success) => Ok(StatusClass::Done),
        Some(TaskStatus::Failed) => Ok(StatusClass::Failed(
            error
                .cloned()
                .unwrap_or_default()
                .to_error(operation, request_id),
        )),
        Some(s) if s.is_pending() => Ok(StatusClass::Pending(Progress::state(s.as_str()))),
        other => Err(Error::decode(format!(
            "the task status {:?} is not one this client knows",
            other.map(TaskStatus::as_str).unwrap_or("(missing)")
        ))
        .with_provider(PROVIDER_ID)
        .with_operation(operation)
        .with_request_id(request_id)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ocr_core::ErrorKind;

    #[test]
    fn statuses_classify() {
        assert!(matches!(
            classify_status(GET_RECONSTRUCT, Some(&TaskStatus::Pause), None, "r"),
            Ok(StatusClass::Pending(p)) if p.state.as_deref() == Some("Pause")
        ));
        assert!(matches!(
            classify_status(GET_RECONSTRUCT, Some(&TaskStatus::Failed), None, "r"),
            Ok(StatusClass::Failed(e)) if e.kind() == ErrorKind::TaskFailed
        ));
        assert!(classify_status(GET_RECONSTRUCT, None, None, "r").is_err());
    }
}

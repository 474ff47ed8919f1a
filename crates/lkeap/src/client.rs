//! [`Lkeap`], the typed client: every document action, each asynchronous flow's calls written
//! once for any `DocumentFlow` (create, get the result, wait), the streaming action and the
//! account actions. Archive downloads live in `download.rs`, configuration in `builder.rs`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use ocr_core::poll::poll_until_done;
use ocr_core::{Document, Error, JobStatus, PollPolicy, Result};
use tc_api::{Action, TcClient};

use crate::account::{CancelTaskResponse, Empty, GetCharacterUsageResponse};
use crate::actions::{CANCEL_TASK, GET_CHARACTER_USAGE};
use crate::archive::ArchiveLimits;
use crate::file_type::Flow;
use crate::flow::{DocumentFlow, Reconstruct, Split, StatusClass};
use crate::reconstruct::{
    CreateReconstructDocumentFlowConfig, CreateReconstructDocumentFlowRequest,
    CreateReconstructDocumentFlowResponse, GetReconstructDocumentResultResponse, TaskIdRequest,
};
use crate::site::{Site, SiteRules};
use crate::split::{
    CreateSplitDocumentFlowRequest, CreateSplitDocumentFlowResponse, GetSplitDocumentResultResponse,
};
use crate::sse::{ReconstructDocumentSseRequest, ReconstructDocumentStream};
use crate::task::ResultType;
use crate::validate;
use crate::PROVIDER_ID;

pub use crate::actions::{
    DEFAULT_RATE_LIMIT, RESULT_URL_VALIDITY, SERVICE, TASK_RETENTION, TRIAL_RATE_LIMIT,
};

/// The Tencent LKEAP document-parsing client: typed calls of every document action, result
/// archives, and the [`OcrProvider`](ocr_core::OcrProvider) interface. Cheap to clone; clones
/// share connections, rate limits and credentials.
///
/// ```no_run
/// use lkeap::prelude::*;
/// use lkeap::{CreateReconstructDocumentFlowRequest, FileType, Lkeap};
///
/// # async fn demo() -> Result<(), ocr_core::Error> {
/// let client = Lkeap::builder().credentials_from_env().build()?;
/// let task = client
///     .create_reconstruct_document_flow(&CreateReconstructDocumentFlowRequest::from_url(
///         FileType::Pdf,
///         "https://example.com/report.pdf",
///     ))
///     .await?;
/// let done = client.wait_reconstruct_document(&task.task_id).await?;
/// let archive = client.download_reconstruct_archive(&task.task_id, &done).await?;
/// println!("{}", archive.markdown().unwrap_or_default());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Lkeap {
    pub(crate) inner: Arc<ClientParts>,
}

/// What a client is made of; built by `LkeapBuilder`.
pub(crate) struct ClientParts {
    pub(crate) api: TcClient,
    pub(crate) sse: TcClient,
    pub(crate) site: Site,
    pub(crate) region: String,
    pub(crate) poll_policy: PollPolicy,
    pub(crate) archive_limits: ArchiveLimits,
    pub(crate) reconstruct_config: Option<CreateReconstructDocumentFlowConfig>,
    pub(crate) sse_idle_timeout: Duration,
}

impl fmt::Debug for Lkeap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lkeap")
            .field("site", &self.inner.site)
            .field("region", &self.inner.region)
            .field("endpoint", &self.inner.api.endpoint_url().as_str())
            .field("sse_endpoint", &self.inner.sse.endpoint_url().as_str())
            .finish_non_exhaustive()
    }
}

impl Lkeap {
    /// The site.
    pub fn site(&self) -> Site {
        self.inner.site
    }

    /// The region sent with every call.
    pub fn region(&self) -> &str {
        &self.inner.region
    }

    /// The API 3.0 client of the non-streaming actions.
    pub fn api(&self) -> &TcClient {
        &self.inner.api
    }

    /// The API 3.0 client of `ReconstructDocumentSSE` (its own host internationally).
    pub fn sse_api(&self) -> &TcClient {
        &self.inner.sse
    }

    /// The caps applied to result archives.
    pub fn archive_limits(&self) -> &ArchiveLimits {
        &self.inner.archive_limits
    }

    /// The current time as the server sees it, Unix seconds.
    pub fn now_unix(&self) -> u64 {
        self.inner.api.now_unix()
    }

    pub(crate) fn poll_policy_value(&self) -> PollPolicy {
        self.inner.poll_policy.clone()
    }

    pub(crate) fn default_reconstruct_config(&self) -> CreateReconstructDocumentFlowConfig {
        self.inner.reconstruct_config.clone().unwrap_or_else(|| {
            let rt = match self.inner.site {
                Site::Domestic => ResultType::All,
                Site::International => ResultType::MarkdownAndPageMarkdown,
            };
            CreateReconstructDocumentFlowConfig::default().with_result_type(rt)
        })
    }

    fn check_region(&self, action: &str) -> Result<()> {
        self.inner.site.check_region(action, &self.inner.region)
    }

    fn domestic_only(&self, action: &'static str) -> Result<()> {
        if self.inner.site == Site::International {
            return Err(
                Error::unsupported(format!("{action} exists on the domestic site only"))
                    .with_provider(PROVIDER_ID)
                    .with_operation(action),
            );
        }
        Ok(())
    }

    // ----- parse to Markdown -------------------------------------------------------------

    /// `CreateReconstructDocumentFlow`: submits a document for parsing and returns its task id.
    ///
    /// The request is validated first (type accepted on this site, one of `FileUrl` /
    /// `FileBase64`, base64 only for the documented types and at most 8 MB, page range); a
    /// refusal is an `InvalidInput` error and nothing is sent. The call is billed, so it is not
    /// resent when its outcome is unknown.
    ///
    /// ```no_run
    /// # async fn demo(client: lkeap::Lkeap) -> Result<(), ocr_core::Error> {
    /// use lkeap::{CreateReconstructDocumentFlowConfig, CreateReconstructDocumentFlowRequest, FileType, ResultType};
    /// let req = CreateReconstructDocumentFlowRequest::from_url(FileType::Pdf, "https://example.com/a.pdf")
    ///     .with_config(CreateReconstructDocumentFlowConfig::default().with_result_type(ResultType::All));
    /// let created = client.create_reconstruct_document_flow(&req).await?;
    /// println!("task {}", created.task_id);
    /// # Ok(()) }
    /// ```
    pub async fn create_reconstruct_document_flow(
        &self,
        request: &CreateReconstructDocumentFlowRequest,
    ) -> Result<CreateReconstructDocumentFlowResponse> {
        self.create_task::<Reconstruct>(request).await
    }

    /// `GetReconstructDocumentResult`: asks once how a parse task is doing.
    ///
    /// A failed task is a successful call: the response has `Status` `Failed` and the task's
    /// `Error` beside its other fields (the shared API 3.0 layer treats a `Response.Error` that
    /// stands beside output fields as data, not as a failed call).
    ///
    /// ```no_run
    /// # async fn demo(client: lkeap::Lkeap) -> Result<(), ocr_core::Error> {
    /// let r = client.get_reconstruct_document_result("25adcef61750343903609").await?;
    /// println!("{:?} {:?}", r.status, r.error);
    /// # Ok(()) }
    /// ```
    pub async fn get_reconstruct_document_result(
        &self,
        task_id: &str,
    ) -> Result<GetReconstructDocumentResultResponse> {
        self.task_result::<Reconstruct>(task_id).await
    }

    /// Polls `GetReconstructDocumentResult` with the client's [`PollPolicy`] until the task
    /// succeeds (returned), fails (an error of kind `TaskFailed` with the task's code, message
    /// and request id) or the deadline passes (`Timeout`; the task keeps running). `Processing`,
    /// `Pause` and `WaitExecute` count as pending.
    ///
    /// ```no_run
    /// # async fn demo(client: lkeap::Lkeap) -> Result<(), ocr_core::Error> {
    /// let done = client.wait_reconstruct_document("task-id").await?;
    /// assert!(done.result_url().is_some());
    /// # Ok(()) }
    /// ```
    pub async fn wait_reconstruct_document(
        &self,
        task_id: &str,
    ) -> Result<GetReconstructDocumentResultResponse> {
        self.wait_task::<Reconstruct>(task_id).await
    }

    // ----- split for retrieval -----------------------------------------------------------

    /// `CreateSplitDocumentFlow`: submits a document (by URL) for splitting into chunks.
    ///
    /// ```no_run
    /// # async fn demo(client: lkeap::Lkeap) -> Result<(), ocr_core::Error> {
    /// use lkeap::{CreateSplitDocumentFlowRequest, FileType};
    /// let created = client
    ///     .create_split_document_flow(&CreateSplitDocumentFlowRequest::new(FileType::Pdf, "https://example.com/a.pdf"))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn create_split_document_flow(
        &self,
        request: &CreateSplitDocumentFlowRequest,
    ) -> Result<CreateSplitDocumentFlowResponse> {
        self.create_task::<Split>(request).await
    }

    /// `GetSplitDocumentResult`: asks once how a split task is doing (a failed task comes
    /// back as `Status` `Failed` with its `Error`, as for the parse flow).
    ///
    /// ```no_run
    /// # async fn demo(client: lkeap::Lkeap) -> Result<(), ocr_core::Error> {
    /// let r = client.get_split_document_result("task-id").await?;
    /// # Ok(()) }
    /// ```
    pub async fn get_split_document_result(
        &self,
        task_id: &str,
    ) -> Result<GetSplitDocumentResultResponse> {
        self.task_result::<Split>(task_id).await
    }

    /// Polls `GetSplitDocumentResult` until success, failure or the deadline, as
    /// [`wait_reconstruct_document`](Self::wait_reconstruct_document) does.
    ///
    /// ```no_run
    /// # async fn demo(client: lkeap::Lkeap) -> Result<(), ocr_core::Error> {
    /// let done = client.wait_split_document("task-id").await?;
    /// let chunks = client.download_split_archive("task-id", &done).await?.split_chunks()?;
    /// # Ok(()) }
    /// ```
    pub async fn wait_split_document(
        &self,
        task_id: &str,
    ) -> Result<GetSplitDocumentResultResponse> {
        self.wait_task::<Split>(task_id).await
    }

    // ----- streaming ---------------------------------------------------------------------

    /// `ReconstructDocumentSSE`: parses a document and reports progress as a stream of
    /// events ending with the result. The service is retiring this action; prefer the
    /// asynchronous flow. The stream's silence is bounded by the builder's
    /// [`sse_idle_timeout`](../builder/struct.LkeapBuilder.html#method.sse_idle_timeout).
    ///
    /// ```no_run
    /// use futures_util::StreamExt;
    /// use lkeap::{FileType, ReconstructDocumentSseRequest};
    /// # async fn demo(client: lkeap::Lkeap) -> Result<(), ocr_core::Error> {
    /// let mut stream = client
    ///     .reconstruct_document_sse(&ReconstructDocumentSseRequest::from_url(FileType::Pdf, "https://example.com/a.pdf"))
    ///     .await?;
    /// while let Some(event) = stream.next().await {
    ///     let event = event?;
    ///     println!("{:?}% {}", event.percent(), event.progress_message.unwrap_or_default());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn reconstruct_document_sse(
        &self,
        request: &ReconstructDocumentSseRequest,
    ) -> Result<ReconstructDocumentStream> {
        validate::check_request(Flow::ReconstructSse, self.inner.site, request)?;
        self.check_region(crate::sse::ACTION)?;
        let response = self
            .inner
            .sse
            .call_stream(Action::billed(crate::sse::ACTION), request)
            .await?;
        let request_id = response
            .headers()
            .get("x-tc-requestid")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let chunks = response
            .bytes_stream()
            .map(|r| r.map_err(Error::from_reqwest));
        Ok(ReconstructDocumentStream::from_chunks(
            chunks,
            request_id,
            self.inner.sse_idle_timeout,
        ))
    }

    // ----- account (domestic) ------------------------------------------------------------

    /// `CancelTask` (domestic site only): cancels a parse task.
    ///
    /// ```no_run
    /// # async fn demo(client: lkeap::Lkeap) -> Result<(), ocr_core::Error> {
    /// client.cancel_task("task-id").await?;
    /// # Ok(()) }
    /// ```
    pub async fn cancel_task(&self, task_id: &str) -> Result<CancelTaskResponse> {
        self.domestic_only(CANCEL_TASK)?;
        validate::check_task_id(task_id)?;
        let req = TaskIdRequest {
            task_id: task_id.to_owned(),
        };
        self.inner
            .api
            .call(Action::idempotent(CANCEL_TASK), &req)
            .await
    }

    /// `GetCharacterUsage` (domestic site only): the account's character quota.
    ///
    /// ```no_run
    /// # async fn demo(client: lkeap::Lkeap) -> Result<(), ocr_core::Error> {
    /// let usage = client.get_character_usage().await?;
    /// println!("{:?} of {:?}", usage.used, usage.total);
    /// # Ok(()) }
    /// ```
    pub async fn get_character_usage(&self) -> Result<GetCharacterUsageResponse> {
        self.domestic_only(GET_CHARACTER_USAGE)?;
        self.inner
            .api
            .call(Action::idempotent(GET_CHARACTER_USAGE), &Empty {})
            .await
    }

    // ----- any asynchronous flow ----------------------------------------------------------

    /// `F`'s create action: the request is checked (documented rules, then the region) before
    /// anything is sent, and sent once (it is billed); the response must name a task.
    async fn create_task<F: DocumentFlow>(
        &self,
        request: &F::CreateRequest,
    ) -> Result<F::CreateResponse> {
        validate::check_request(F::FLOW, self.inner.site, request)?;
        self.send_create::<F, _>(request).await
    }

    /// As [`create_task`](Self::create_task), for a request that names no file, with `file`
    /// sent as `FileBase64`, encoded into the body as it is written (the provider's path: it
    /// checked the file's type, size and sides while planning).
    pub(crate) async fn create_task_inline<F: DocumentFlow>(
        &self,
        request: &F::CreateRequest,
        file: &[u8],
    ) -> Result<F::CreateResponse> {
        validate::check_request_inline(F::FLOW, self.inner.site, request)?;
        let body = WithFile {
            request,
            file: tc_api::inline::Base64Bytes(file),
        };
        self.send_create::<F, _>(&body).await
    }

    /// Sends `F`'s create action once (it is billed); the response must name a task.
    async fn send_create<F: DocumentFlow, B: serde::Serialize + Sync>(
        &self,
        body: &B,
    ) -> Result<F::CreateResponse> {
        self.check_region(F::CREATE)?;
        let resp: F::CreateResponse = self.inner.api.call(Action::billed(F::CREATE), body).await?;
        let (task_id, request_id) = F::created(&resp);
        require_task_id(task_id, F::CREATE, request_id)?;
        Ok(resp)
    }

    /// `F`'s result action, once.
    pub(crate) async fn task_result<F: DocumentFlow>(&self, task_id: &str) -> Result<F::Result> {
        validate::check_task_id(task_id)?;
        self.check_region(F::GET)?;
        let req = TaskIdRequest {
            task_id: task_id.to_owned(),
        };
        // A failed task comes back as a successful response with `Status: Failed` and its
        // `Error` beside the other fields; tc-api keeps that as data.
        self.inner.api.call(Action::idempotent(F::GET), &req).await
    }

    /// Polls `F`'s result action with the client's policy until the task is done (its response
    /// returned), has failed, or the deadline passes.
    async fn wait_task<F: DocumentFlow>(&self, task_id: &str) -> Result<F::Result> {
        // `poll_until_done` is the workspace's one polling loop; the typed response travels
        // through it as the document's native value.
        let doc = poll_until_done(
            &self.inner.poll_policy,
            task_id,
            || async {
                let response = self.task_result::<F>(task_id).await?;
                Ok(match F::classify(&response)? {
                    StatusClass::Done => {
                        JobStatus::Done(Box::new(Document::new(PROVIDER_ID).with_native(response)))
                    }
                    StatusClass::Pending(p) => JobStatus::Pending(p),
                    StatusClass::Failed(e) => JobStatus::Failed(e),
                })
            },
            |_| {},
        )
        .await?;
        doc.native::<F::Result>()
            .cloned()
            .ok_or_else(|| Error::decode("the polled response was lost").with_provider(PROVIDER_ID))
    }
}

fn require_task_id(task_id: &str, action: &'static str, request_id: &str) -> Result<()> {
    if task_id.trim().is_empty() {
        return Err(Error::decode("the response has no TaskId")
            .with_provider(PROVIDER_ID)
            .with_operation(action)
            .with_request_id(request_id));
    }
    Ok(())
}

/// A create request (naming no file) plus `FileBase64` from raw bytes: the body carries the
/// file's base64 without a base64 copy of it ever being held ([`tc_api::inline`]).
#[derive(serde::Serialize)]
struct WithFile<'a, T> {
    #[serde(flatten)]
    request: &'a T,
    #[serde(rename = "FileBase64")]
    file: tc_api::inline::Base64Bytes<'a>,
}

//! [`Lkeap`], the typed client: every document action, the `wait_*` helpers and the archive
//! helpers (the download itself lives in `download.rs`, configuration in [`crate::builder`]).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use ocr_core::poll::poll_until_done;
use ocr_core::{Document, Error, JobStatus, PollPolicy, Progress, Result};
use tc_api::{Action, Service, TcClient};

use crate::account::{CancelTaskResponse, Empty, GetCharacterUsageResponse};
use crate::archive::{ArchiveLimits, ResultArchive};
use crate::builder::LkeapBuilder;
use crate::download::ResultFlow;
use crate::file_type::Flow;
use crate::reconstruct::{
    CreateReconstructDocumentFlowConfig, CreateReconstructDocumentFlowRequest,
    CreateReconstructDocumentFlowResponse, GetReconstructDocumentResultResponse, TaskIdRequest,
};
use crate::site::{Site, SiteRules};
use crate::split::{
    CreateSplitDocumentFlowRequest, CreateSplitDocumentFlowResponse, GetSplitDocumentResultResponse,
};
use crate::sse::{ReconstructDocumentSseRequest, ReconstructDocumentStream};
use crate::task::{ErrorInfo, ResultType, TaskStatus};
use crate::validate::{self, SourceFields};
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

/// The Tencent LKEAP document-parsing client: typed calls of every document action, result
/// archives, and the [`OcrProvider`](ocr_core::OcrProvider) interface. Cheap to clone; clones
/// share connections, rate limits and credentials.
///
/// ```no_run
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

/// What a client is made of; built by [`LkeapBuilder`].
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
    /// A builder with the documented defaults.
    pub fn builder() -> LkeapBuilder {
        LkeapBuilder::default()
    }

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
        validate::check_source(
            Flow::Reconstruct,
            self.inner.site,
            &SourceFields {
                file_type: request.file_type,
                file_url: request.file_url.as_deref(),
                file_base64: request.file_base64.as_deref(),
                start: request.file_start_page_number,
                end: request.file_end_page_number,
            },
        )?;
        self.check_region(CREATE_RECONSTRUCT)?;
        let resp: CreateReconstructDocumentFlowResponse = self
            .inner
            .api
            .call(Action::billed(CREATE_RECONSTRUCT), request)
            .await?;
        require_task_id(&resp.task_id, CREATE_RECONSTRUCT, &resp.request_id)?;
        Ok(resp)
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
        validate::check_task_id(task_id)?;
        self.check_region(GET_RECONSTRUCT)?;
        let req = TaskIdRequest {
            task_id: task_id.to_owned(),
        };
        // A failed task comes back as a successful response with `Status: Failed` and its
        // `Error` beside the other fields; tc-api keeps that as data.
        self.inner
            .api
            .call(Action::idempotent(GET_RECONSTRUCT), &req)
            .await
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
        self.wait(task_id, || async {
            let r = self.get_reconstruct_document_result(task_id).await?;
            let class = classify_status(
                GET_RECONSTRUCT,
                r.status.as_ref(),
                r.error.as_ref(),
                &r.request_id,
            )?;
            Ok((class, r))
        })
        .await
    }

    /// Downloads the result zip of a finished parse task and reads it into memory, with the
    /// archive caps applied. An expired URL (by its signature window, or answered with HTTP
    /// 403/404) is replaced once by asking `GetReconstructDocumentResult` again.
    ///
    /// ```no_run
    /// # async fn demo(client: lkeap::Lkeap) -> Result<(), ocr_core::Error> {
    /// let done = client.wait_reconstruct_document("task-id").await?;
    /// let archive = client.download_reconstruct_archive("task-id", &done).await?;
    /// for (page, md) in archive.page_markdown() {
    ///     println!("page {page}: {} bytes", md.len());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn download_reconstruct_archive(
        &self,
        task_id: &str,
        response: &GetReconstructDocumentResultResponse,
    ) -> Result<ResultArchive> {
        self.fetch_archive(ResultFlow::Reconstruct, task_id, response.result_url())
            .await
    }

    /// Like [`download_reconstruct_archive`](Self::download_reconstruct_archive), but writes
    /// the files under `dir` (never outside it) and returns their paths.
    ///
    /// ```no_run
    /// # async fn demo(client: lkeap::Lkeap) -> Result<(), ocr_core::Error> {
    /// let done = client.wait_reconstruct_document("task-id").await?;
    /// let files = client.extract_reconstruct_archive("task-id", &done, "out".as_ref()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn extract_reconstruct_archive(
        &self,
        task_id: &str,
        response: &GetReconstructDocumentResultResponse,
        dir: &Path,
    ) -> Result<Vec<PathBuf>> {
        let bytes = self
            .fetch_zip(ResultFlow::Reconstruct, task_id, response.result_url())
            .await?;
        self.extract_archive(bytes, dir).await
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
        validate::check_source(
            Flow::Split,
            self.inner.site,
            &SourceFields {
                file_type: request.file_type,
                file_url: Some(request.file_url.as_str()).filter(|u| !u.is_empty()),
                file_base64: request.file_base64.as_deref(),
                start: request.file_start_page_number,
                end: request.file_end_page_number,
            },
        )?;
        validate::check_max_chunk_size(request.config.as_ref().and_then(|c| c.max_chunk_size))?;
        self.check_region(CREATE_SPLIT)?;
        let resp: CreateSplitDocumentFlowResponse = self
            .inner
            .api
            .call(Action::billed(CREATE_SPLIT), request)
            .await?;
        require_task_id(&resp.task_id, CREATE_SPLIT, &resp.request_id)?;
        Ok(resp)
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
        validate::check_task_id(task_id)?;
        self.check_region(GET_SPLIT)?;
        let req = TaskIdRequest {
            task_id: task_id.to_owned(),
        };
        // A failed task comes back as a successful response with `Status: Failed` and its
        // `Error` beside the other fields; tc-api keeps that as data.
        self.inner
            .api
            .call(Action::idempotent(GET_SPLIT), &req)
            .await
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
        self.wait(task_id, || async {
            let r = self.get_split_document_result(task_id).await?;
            let class = classify_status(
                GET_SPLIT,
                r.status.as_ref(),
                r.error.as_ref(),
                &r.request_id,
            )?;
            Ok((class, r))
        })
        .await
    }

    /// Downloads and reads the result zip of a finished split task; its chunks are in
    /// [`ResultArchive::split_chunks`].
    ///
    /// ```no_run
    /// # async fn demo(client: lkeap::Lkeap, done: lkeap::GetSplitDocumentResultResponse) -> Result<(), ocr_core::Error> {
    /// for chunk in client.download_split_archive("task-id", &done).await?.split_chunks()? {
    ///     println!("{}", chunk.page_content.unwrap_or_default());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn download_split_archive(
        &self,
        task_id: &str,
        response: &GetSplitDocumentResultResponse,
    ) -> Result<ResultArchive> {
        self.fetch_archive(ResultFlow::Split, task_id, response.result_url())
            .await
    }

    /// Writes the files of a finished split task under `dir`.
    ///
    /// ```no_run
    /// # async fn demo(client: lkeap::Lkeap, done: lkeap::GetSplitDocumentResultResponse) -> Result<(), ocr_core::Error> {
    /// client.extract_split_archive("task-id", &done, "chunks".as_ref()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn extract_split_archive(
        &self,
        task_id: &str,
        response: &GetSplitDocumentResultResponse,
        dir: &Path,
    ) -> Result<Vec<PathBuf>> {
        let bytes = self
            .fetch_zip(ResultFlow::Split, task_id, response.result_url())
            .await?;
        self.extract_archive(bytes, dir).await
    }

    // ----- streaming ---------------------------------------------------------------------

    /// `ReconstructDocumentSSE`: parses a document and reports progress as a stream of
    /// events ending with the result. The service is retiring this action; prefer the
    /// asynchronous flow. The stream's silence is bounded by the builder's
    /// [`sse_idle_timeout`](LkeapBuilder::sse_idle_timeout).
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
        validate::check_source(
            Flow::ReconstructSse,
            self.inner.site,
            &SourceFields {
                file_type: request.file_type,
                file_url: request.file_url.as_deref(),
                file_base64: request.file_base64.as_deref(),
                start: request.file_start_page_number,
                end: request.file_end_page_number,
            },
        )?;
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

    /// Polls with the client's policy; `attempt` returns the status class and the response.
    async fn wait<T, F, Fut>(&self, task_id: &str, mut attempt: F) -> Result<T>
    where
        T: Clone + Send + Sync + 'static,
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<(StatusClass, T)>>,
    {
        // `poll_until_done` is the workspace's one polling loop; the typed response travels
        // through it as the document's native value.
        let doc = poll_until_done(
            &self.inner.poll_policy,
            task_id,
            || {
                let fut = attempt();
                async move {
                    let (class, response) = fut.await?;
                    Ok(match class {
                        StatusClass::Done => JobStatus::Done(Box::new(
                            Document::new(PROVIDER_ID).with_native(response),
                        )),
                        StatusClass::Pending(p) => JobStatus::Pending(p),
                        StatusClass::Failed(e) => JobStatus::Failed(e),
                    })
                }
            },
            |_| {},
        )
        .await?;
        doc.native::<T>()
            .cloned()
            .ok_or_else(|| Error::decode("the polled response was lost").with_provider(PROVIDER_ID))
    }
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

fn require_task_id(task_id: &str, action: &'static str, request_id: &str) -> Result<()> {
    if task_id.trim().is_empty() {
        return Err(Error::decode("the response has no TaskId")
            .with_provider(PROVIDER_ID)
            .with_operation(action)
            .with_request_id(request_id));
    }
    Ok(())
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

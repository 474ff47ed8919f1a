//! The one trait every provider implements.

use std::fmt;

use async_trait::async_trait;

use crate::document::Document;
use crate::error::{Error, ErrorKind, Result};
use crate::job::{Job, JobStatus};
use crate::poll::{poll_until_done, PollPolicy};
use crate::request::{InputLimits, OutputKind, Request};

/// What a provider accepts and returns, so callers can choose one and refuse early.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Capabilities {
    /// Input formats, sizes and source kinds.
    pub input: InputLimits,
    /// Output kinds the provider can produce.
    pub outputs: Vec<OutputKind>,
    /// Whether results arrive later (submit, then poll) rather than in the submit response.
    pub asynchronous: bool,
}

impl Capabilities {
    /// Capabilities from their parts.
    pub fn new(input: InputLimits, outputs: Vec<OutputKind>, asynchronous: bool) -> Self {
        Capabilities {
            input,
            outputs,
            asynchronous,
        }
    }

    /// Whether the provider can produce `kind`.
    pub fn produces(&self, kind: OutputKind) -> bool {
        self.outputs.contains(&kind)
    }
}

/// A document-recognition service.
///
/// The trait is object safe: programs hold an `Arc<dyn OcrProvider>` and switch providers by
/// configuration. It has two primitive operations, [`submit`](OcrProvider::submit) and
/// [`poll`](OcrProvider::poll), so a job can be persisted between them (see [`Job`]);
/// [`recognize`](OcrProvider::recognize) combines them. Synchronous services complete in
/// `submit` and `poll` returns the stored result.
///
/// ```
/// use std::sync::Arc;
/// use ocr_core::{OcrProvider, Request};
///
/// async fn run(provider: Arc<dyn OcrProvider>) -> Result<String, ocr_core::Error> {
///     let doc = provider.recognize(&Request::from_path("invoice.pdf")).await?;
///     Ok(doc.text())
/// }
/// ```
#[async_trait]
pub trait OcrProvider: Send + Sync + fmt::Debug {
    /// The provider id: `"tc-ocr"`, `"lkeap"`, `"cos-ci"`, `"picwish"` …
    fn id(&self) -> &'static str;

    /// What it accepts and produces.
    fn capabilities(&self) -> Capabilities;

    /// How [`recognize`](OcrProvider::recognize) polls this provider.
    fn poll_policy(&self) -> PollPolicy {
        PollPolicy::default()
    }

    /// Validates the request and submits it. Validation failures are returned before anything
    /// is sent.
    async fn submit(&self, request: &Request) -> Result<Job>;

    /// Asks once how a job is doing.
    async fn poll(&self, job: &Job) -> Result<JobStatus>;

    /// Submits and polls until the job finishes or the poll deadline passes.
    async fn recognize(&self, request: &Request) -> Result<Document> {
        let job = self.submit(request).await?;
        wait(self, &job).await
    }
}

/// Polls `job` on `provider` with the provider's [`PollPolicy`] until it finishes.
pub async fn wait<P: OcrProvider + ?Sized>(provider: &P, job: &Job) -> Result<Document> {
    if job.provider != provider.id() {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!(
                "job {} belongs to provider {}, not {}",
                job.task_id,
                job.provider,
                provider.id()
            ),
        )
        .with_field("job"));
    }
    if let Some(doc) = &job.result {
        return Ok((**doc).clone());
    }
    let policy = provider.poll_policy();
    poll_until_done(&policy, &job.task_id, || provider.poll(job), |_| {}).await
}

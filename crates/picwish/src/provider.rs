//! PicWish as an [`OcrProvider`]: submit creates a task and returns a serialisable [`Job`];
//! poll queries it once (pending with progress, failed with the typed failure, or done with
//! the downloaded result).

use ocr_core::{
    async_trait, Capabilities, Error, Job, JobStatus, OcrProvider, OutputKind, PollPolicy, Request,
    Result,
};

use crate::client::PicWish;
use crate::create::CreateTask;
use crate::limits::{input_limits, PROVIDER_ID, RESULT_VALIDITY};
use crate::result::ResultFormat;

/// The [`Job::meta`] key holding the result format the task was created with.
pub const META_FORMAT: &str = "format";

/// The [`Job::meta`] key holding how long the result file stays valid after completion, in
/// seconds (`"3600"`).
pub const META_RESULT_VALIDITY: &str = "result_validity_secs";

/// What the provider can produce: text (from `txt` results) and files (the other formats).
const OUTPUTS: [OutputKind; 2] = [OutputKind::Text, OutputKind::Files];

#[async_trait]
impl OcrProvider for PicWish {
    fn id(&self) -> &'static str {
        PROVIDER_ID
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::new(input_limits(), OUTPUTS.to_vec(), true)
    }

    /// Every second for at most 120 s by default (see [`crate::PicWishBuilder::poll_interval`]).
    fn poll_policy(&self) -> PollPolicy {
        self.wait_policy()
    }

    /// Creates a task from the request: `Options::languages` → `language`,
    /// `Options::result_format` → `format` (default `txt`, so the text comes back as lines).
    /// Page ranges, field names and outputs other than text and files are refused as
    /// [`ocr_core::ErrorKind::Unsupported`] before anything is sent.
    ///
    /// The job holds the task id, the local creation time, the result format (meta `format`),
    /// the result validity (meta `result_validity_secs`) and, as `expires_at`, the earliest
    /// moment the result may expire (creation + 1 h; the exact expiry is one hour after the
    /// task's `completed_at`, which `poll` checks).
    async fn submit(&self, request: &Request) -> Result<Job> {
        let task = task_for(request)
            .map_err(|e| e.with_provider(PROVIDER_ID).with_operation("CreateTask"))?;
        let created = self.create(&task).await?;
        let now = self.now_unix();
        let mut job = Job::new(PROVIDER_ID, created.data.task_id, now)
            .with_expiry(now.saturating_add(RESULT_VALIDITY.as_secs()))
            .with_meta(META_RESULT_VALIDITY, RESULT_VALIDITY.as_secs().to_string());
        if let Some(format) = task.format() {
            job = job.with_meta(META_FORMAT, format.as_str());
        }
        Ok(job)
    }

    async fn poll(&self, job: &Job) -> Result<JobStatus> {
        let tag = |e: Error| e.with_provider(PROVIDER_ID).with_operation("QueryTask");
        if job.provider != PROVIDER_ID {
            return Err(tag(Error::invalid_input(
                "job",
                format!("belongs to provider {}, not {PROVIDER_ID}", job.provider),
            )));
        }
        let format = job
            .meta(META_FORMAT)
            .map(str::parse::<ResultFormat>)
            .transpose()
            .map_err(|e| tag(e.with_field("job")))?;
        self.check(&job.task_id, format).await
    }
}

/// The create-task request for a neutral request, refusing what PicWish cannot do.
fn task_for(request: &Request) -> Result<CreateTask> {
    let options = &request.options;
    if options.pages.is_some() {
        return Err(Error::unsupported(
            "PicWish OCR has no page selection; the whole document is recognised",
        )
        .with_field("pages"));
    }
    if !options.field_names.is_empty() {
        return Err(
            Error::unsupported("PicWish OCR does not extract named fields")
                .with_field("field_names"),
        );
    }
    if let Some(kind) = options.outputs.iter().find(|k| !OUTPUTS.contains(k)) {
        return Err(Error::unsupported(format!(
            "PicWish OCR produces text and result files, not {kind:?}"
        ))
        .with_field("outputs"));
    }
    let format = match &options.result_format {
        Some(name) => name.parse::<ResultFormat>()?,
        None => ResultFormat::Txt,
    };
    Ok(CreateTask::new(request.source.clone())
        .with_language(options.languages.iter().cloned())
        .with_format(format))
}

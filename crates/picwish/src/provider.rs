//! PicWish as an [`OcrProvider`]: submit creates a task and returns a serialisable [`Job`];
//! poll queries it once (pending with progress, failed with the typed failure, or done with
//! the downloaded result).
//!
//! Usage: each successful task consumes one credit. A document's [`Usage`] counts the one
//! billed `CreateTask` call, one credit, and 1 page for an image (PicWish reports no page
//! count: 0 for other documents); queries and the download are free.
//! [`estimate`](OcrProvider::estimate) validates as `submit` does (the same code).

use ocr_core::request::inspect;
use ocr_core::{
    async_trait, Artifact, Capabilities, Error, Format, Job, JobStatus, OcrProvider, OutputKind,
    PageBoundaries, PollPolicy, Request, Result, Source, Usage,
};

use crate::client::PicWish;
use crate::create::CreateTask;
use crate::http_status::Call;
use crate::limits::{input_limits, PROVIDER_ID, RESULT_VALIDITY};
use crate::result::ResultFormat;

/// The [`Job::meta`] key holding the result format the task was created with.
pub const META_FORMAT: &str = "format";

/// The [`Job::meta`] key holding how long the result file stays valid after completion, in
/// seconds (`"3600"`).
pub const META_RESULT_VALIDITY: &str = "result_validity_secs";

/// What the provider can produce: text (from `txt` results) and files (the other formats).
const OUTPUTS: [OutputKind; 2] = [OutputKind::Text, OutputKind::Files];

/// The [`Job::meta`] key saying the input was a single image (`"1"`): its text is that one
/// page. Otherwise the `txt` result's text has no page boundaries.
pub const META_SINGLE_PAGE: &str = "single_page";

/// The [`Job::meta`] key saying result files were asked for (`"1"`): a `txt` result is then
/// also returned as a file.
pub const META_KEEP_FILE: &str = "keep_file";

#[async_trait]
impl OcrProvider for PicWish {
    fn id(&self) -> &'static str {
        PROVIDER_ID
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::new(input_limits(), OUTPUTS.to_vec(), true)
            .with_languages()
            .with_result_formats(ResultFormat::ALL.map(ResultFormat::as_str))
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
    /// The job holds the task id, the creation time (by the service's clock as far as the
    /// client knows it: its own, corrected by the `Date` of the create's answer), the result
    /// format (meta `format`), the result validity (meta `result_validity_secs`) and, as
    /// `expires_at`, the earliest moment the result may expire (creation + 1 h; the exact
    /// expiry is one hour after the task's `completed_at`, which `poll` checks).
    async fn submit(&self, request: &Request) -> Result<Job> {
        let Planned { task, single_page } = plan(self, request).await?;
        let usage = usage(single_page);
        let created = self.create(&task).await?;
        let now = self.now_unix();
        let mut job = Job::new(PROVIDER_ID, created.data.task_id, now)
            .with_expiry(now.saturating_add(RESULT_VALIDITY.as_secs()))
            .with_meta(META_RESULT_VALIDITY, RESULT_VALIDITY.as_secs().to_string())
            .with_usage(usage);
        if let Some(format) = task.format() {
            job = job.with_meta(META_FORMAT, format.as_str());
        }
        if single_page {
            job = job.with_meta(META_SINGLE_PAGE, "1");
        }
        if request.wants(OutputKind::Files) {
            job = job.with_meta(META_KEEP_FILE, "1");
        }
        Ok(job)
    }

    /// One billed `CreateTask` call and one credit (PicWish bills a credit per task, whatever
    /// its length); 1 page for an image file, 0 (not known) for a PDF, an Office document or
    /// a URL. Validated exactly as [`submit`](OcrProvider::submit) validates, the rules of
    /// [`CreateTask::validate`] included.
    async fn estimate(&self, request: &Request) -> Result<Usage> {
        Ok(usage(plan(self, request).await?.single_page))
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
        let status = self.check(&job.task_id, format).await?;
        let JobStatus::Done(mut doc) = status else {
            return Ok(status);
        };
        // The result counts the create it answers; the job also knows the pages (a job from
        // an older version records nothing: keep the result's).
        if !job.usage.is_empty() {
            doc.usage = job.usage.clone();
        }
        if doc.files.is_empty() {
            // A txt result: one text for the whole document.
            if job.meta(META_SINGLE_PAGE) != Some("1") {
                doc.page_boundaries = PageBoundaries::Unknown;
            }
            if job.meta(META_KEEP_FILE) == Some("1") {
                doc.files.push(Artifact {
                    name: format!("{}.txt", job.task_id),
                    media_type: Some("text/plain; charset=utf-8".to_owned()),
                    data: Some(doc.text().into_bytes()),
                    ..Artifact::default()
                });
            }
        }
        Ok(JobStatus::Done(doc))
    }
}

/// A validated request: the task to create, and whether its source is one image.
struct Planned {
    task: CreateTask,
    single_page: bool,
}

/// Validates a request as `submit` does, without sending anything: the capabilities, the
/// task's own rules ([`CreateTask::validate`]), and the source's format.
async fn plan(client: &PicWish, request: &Request) -> Result<Planned> {
    let tag = |e: Error| e.with_provider(PROVIDER_ID).with_operation("CreateTask");
    client
        .capabilities()
        .check(PROVIDER_ID, &request.options)
        .map_err(tag)?;
    let task = task_for(request).map_err(tag)?;
    let single_page = match &request.source {
        Source::Url(_) => false,
        source => inspect(source, &input_limits())
            .await
            .map_err(|e| tag(e.with_field("image_file")))?
            .format
            .is_some_and(|f| matches!(f, Format::Png | Format::Jpeg | Format::Bmp | Format::Webp)),
    };
    task.validate().await.map_err(tag)?;
    Ok(Planned { task, single_page })
}

/// What creating a task bills: one `CreateTask` call and one credit; one page for an image
/// (PicWish reports no page count, and bills per task).
fn usage(single_page: bool) -> Usage {
    let mut usage = Usage::default();
    usage.call(Call::Create.operation());
    usage.credits = Some(1);
    usage.pages = u64::from(single_page);
    usage
}

/// The create-task request for a neutral request (its options were checked against the
/// capabilities already).
fn task_for(request: &Request) -> Result<CreateTask> {
    let options = &request.options;
    let format = match &options.result_format {
        Some(name) => name.parse::<ResultFormat>()?,
        None => ResultFormat::Txt,
    };
    Ok(CreateTask::new(request.source.clone())
        .with_language(options.languages.iter().cloned())
        .with_format(format))
}

//! A submitted piece of work, as plain data that survives a restart.
//!
//! A [`Job`] serialises to JSON, so one process can submit and stop, and a later process can
//! poll the same job with the same provider: nothing billed is submitted twice because of a
//! restart.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::document::{Document, MissingPage};
use crate::error::Error;
use crate::usage::Usage;

/// A submitted job.
///
/// ```
/// use ocr_core::Job;
/// let job = Job::new("lkeap", "task-123", 1_700_000_000).with_meta("region", "ap-guangzhou");
/// let json = serde_json::to_string(&job).unwrap();
/// let back: Job = serde_json::from_str(&json).unwrap();
/// assert_eq!(back, job);
/// assert_eq!(back.meta("region"), Some("ap-guangzhou"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    /// The id of the provider that owns the job (`"tc-ocr"`, `"lkeap"` …).
    pub provider: String,
    /// The provider's task id or token.
    pub task_id: String,
    /// When it was submitted, as Unix seconds.
    pub created_at: u64,
    /// Until when its result can be fetched, as Unix seconds, if the provider says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<u64>,
    /// Provider-specific details needed to poll and fetch: region, object key, result format …
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub meta: BTreeMap<String, String>,
    /// For synchronous services: the result, complete at submission.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Box<Document>>,
    /// The pages asked for, when the provider knows them at submission.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pages_requested: Vec<u32>,
    /// For a document recognised page by page: the task of each page, in page order. Polling
    /// asks about these tasks only; nothing is submitted again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub page_tasks: Vec<PageTask>,
    /// Pages whose submission failed: they will be listed as missing in the result.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<MissingPage>,
    /// What the submission billed (uploads, submissions), so a job restored in another process
    /// still reports it: the finished document's [`usage`](Document::usage) is this plus
    /// anything billed after (what the service reports with the result, such as LKEAP's
    /// tokens). For a job complete at submission it equals its result's usage.
    #[serde(default, skip_serializing_if = "Usage::is_empty")]
    pub usage: Usage,
}

/// The task recognising one page of a multi-page [`Job`].
///
/// ```
/// use ocr_core::{Job, PageTask};
/// let mut job = Job::new("cos-ci", "j1", 0);
/// job.page_tasks = vec![PageTask::new(1, "j1"), PageTask::new(2, "j2")];
/// let back: Job = serde_json::from_str(&serde_json::to_string(&job).unwrap()).unwrap();
/// assert_eq!(back.page_tasks[1].task_id, "j2");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageTask {
    /// The 1-based page number.
    pub page: u32,
    /// The provider's task id for this page.
    pub task_id: String,
}

impl PageTask {
    /// Page `page` is recognised by task `task_id`.
    pub fn new(page: u32, task_id: impl Into<String>) -> Self {
        PageTask {
            page,
            task_id: task_id.into(),
        }
    }
}

impl Job {
    /// A job of `provider` with the provider's `task_id`, submitted at `created_at` (Unix s).
    pub fn new(provider: impl Into<String>, task_id: impl Into<String>, created_at: u64) -> Self {
        Job {
            provider: provider.into(),
            task_id: task_id.into(),
            created_at,
            expires_at: None,
            meta: BTreeMap::new(),
            result: None,
            pages_requested: Vec::new(),
            page_tasks: Vec::new(),
            missing: Vec::new(),
            usage: Usage::default(),
        }
    }

    /// A job that completed at submission (synchronous services); its
    /// [`usage`](Job::usage) is the document's.
    ///
    /// ```
    /// use ocr_core::{Document, Job};
    /// let mut doc = Document::new("tc-ocr");
    /// doc.usage.call("GeneralAccurateOCR");
    /// doc.usage.pages = 1;
    /// let job = Job::completed("tc-ocr", "req-1", 0, doc);
    /// assert_eq!(job.usage.calls["GeneralAccurateOCR"], 1);
    /// ```
    pub fn completed(
        provider: impl Into<String>,
        task_id: impl Into<String>,
        created_at: u64,
        document: Document,
    ) -> Self {
        let mut job = Job::new(provider, task_id, created_at);
        job.usage = document.usage.clone();
        job.result = Some(Box::new(document));
        job
    }

    /// Sets what the submission billed.
    ///
    /// ```
    /// use ocr_core::{Job, Usage};
    /// let mut usage = Usage::default();
    /// usage.call("CreateReconstructDocumentFlow");
    /// let job = Job::new("lkeap", "task-1", 0).with_usage(usage.clone());
    /// let back: Job = serde_json::from_str(&serde_json::to_string(&job).unwrap()).unwrap();
    /// assert_eq!(back.usage, usage);
    /// ```
    pub fn with_usage(mut self, usage: Usage) -> Self {
        self.usage = usage;
        self
    }

    /// Adds a provider-specific detail.
    pub fn with_meta(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.meta.insert(key.into(), value.into());
        self
    }

    /// Sets when its result stops being fetchable (Unix s).
    pub fn with_expiry(mut self, expires_at: u64) -> Self {
        self.expires_at = Some(expires_at);
        self
    }

    /// A provider-specific detail.
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.meta.get(key).map(String::as_str)
    }
}

/// Progress of a pending job, as far as the provider tells it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Progress {
    /// Percent done, `0..=100`, if reported.
    pub percent: Option<u8>,
    /// The provider's own state name (`"Processing"`, `"queued"` …).
    pub state: Option<String>,
}

impl Progress {
    /// Progress with a provider state name and no percentage.
    pub fn state(state: impl Into<String>) -> Self {
        Progress {
            percent: None,
            state: Some(state.into()),
        }
    }
}

/// What a poll found.
///
/// A `Failed` job failed for good: the error carries the task's code and message, and polling
/// again will not change it. An `Err` from [`OcrProvider::poll`](crate::OcrProvider::poll) is
/// different: it is about that one query, the job keeps running, and a
/// [retryable](Error::is_retryable) error is worth another poll.
///
/// ```
/// use ocr_core::{Document, Error, ErrorKind, JobStatus, Progress};
///
/// /// `None` while the job runs: poll again later.
/// fn outcome(status: JobStatus) -> Result<Option<Document>, Error> {
///     match status {
///         JobStatus::Pending(progress) => {
///             eprintln!("{}% ({:?})", progress.percent.unwrap_or(0), progress.state);
///             Ok(None)
///         }
///         JobStatus::Done(doc) => Ok(Some(*doc)),
///         JobStatus::Failed(err) => Err(err),
///     }
/// }
///
/// assert!(outcome(JobStatus::Pending(Progress::state("Processing")))?.is_none());
/// let doc = outcome(JobStatus::Done(Box::new(Document::new("lkeap"))))?;
/// assert_eq!(doc.map(|d| d.provider), Some("lkeap".to_owned()));
/// let failed = JobStatus::Failed(Error::new(ErrorKind::TaskFailed, "unreadable file"));
/// assert_eq!(outcome(failed).unwrap_err().kind(), ErrorKind::TaskFailed);
/// # Ok::<(), Error>(())
/// ```
#[derive(Debug)]
pub enum JobStatus {
    /// Still running.
    Pending(Progress),
    /// Finished, with its result.
    Done(Box<Document>),
    /// Finished and failed: the task's own code and message. Polling again will not help.
    Failed(Error),
}

/// The current time as Unix seconds (0 if the clock is before 1970).
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{Line, Page};

    #[test]
    fn completed_job_round_trips_with_its_document() {
        let mut doc = Document::new("tc-ocr");
        let mut page = Page::new(1);
        page.lines.push(Line::new("hello"));
        doc.pages.push(page);
        let job = Job::completed("tc-ocr", "req-1", 5, doc.clone()).with_expiry(10);
        let json = serde_json::to_value(&job).unwrap();
        assert_eq!(json["provider"], "tc-ocr");
        assert_eq!(json["expires_at"], 10);
        let back: Job = serde_json::from_value(json).unwrap();
        assert_eq!(back, job);
        assert_eq!(back.result.as_deref(), Some(&doc));
    }

    #[test]
    fn minimal_json_is_accepted() {
        let job: Job =
            serde_json::from_str(r#"{"provider":"p","task_id":"t","created_at":1}"#).unwrap();
        assert!(job.meta.is_empty());
        assert!(job.result.is_none());
    }
}

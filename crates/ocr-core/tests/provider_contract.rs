//! The `OcrProvider` contract, driven through a small in-memory provider.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ocr_core::provider::wait;
use ocr_core::request::inspect;
use ocr_core::{
    async_trait, Capabilities, Document, Error, ErrorKind, Format, InputLimits, Job, JobStatus,
    Line, OcrProvider, OutputKind, Page, PollPolicy, Progress, Request,
};

/// Finishes each job after `polls_needed` polls; fails documents whose bytes start with "FAIL".
#[derive(Debug, Default)]
struct CountingProvider {
    submissions: AtomicU32,
    polls: Mutex<HashMap<String, u32>>,
    texts: Mutex<HashMap<String, String>>,
}

const POLLS_NEEDED: u32 = 3;

#[async_trait]
impl OcrProvider for CountingProvider {
    fn id(&self) -> &'static str {
        "counting"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::new(
            InputLimits::new(vec![Format::Txt], 1024),
            vec![OutputKind::Text],
            true,
        )
    }

    fn poll_policy(&self) -> PollPolicy {
        PollPolicy::fixed(Duration::from_secs(1), Duration::from_secs(30))
    }

    async fn submit(&self, request: &Request) -> Result<Job, Error> {
        inspect(&request.source, &self.capabilities().input).await?;
        let data = request.source.read_all(1024).await?;
        let n = self.submissions.fetch_add(1, Ordering::SeqCst);
        let id = format!("task-{n}");
        self.texts
            .lock()
            .unwrap()
            .insert(id.clone(), String::from_utf8_lossy(&data).into_owned());
        Ok(Job::new(self.id(), id, 0))
    }

    async fn poll(&self, job: &Job) -> Result<JobStatus, Error> {
        let mut polls = self.polls.lock().unwrap();
        let count = polls.entry(job.task_id.clone()).or_default();
        *count += 1;
        if *count < POLLS_NEEDED {
            return Ok(JobStatus::Pending(Progress {
                percent: Some((*count * 30) as u8),
                state: Some("running".into()),
            }));
        }
        let text = self.texts.lock().unwrap()[&job.task_id].clone();
        if text.starts_with("FAIL") {
            return Ok(JobStatus::Failed(
                Error::new(ErrorKind::TaskFailed, "the document could not be read")
                    .with_provider(self.id())
                    .with_code("E_BAD_DOC")
                    .with_request_id("rid-1"),
            ));
        }
        let mut doc = Document::new(self.id());
        let mut page = Page::new(1);
        page.lines = text.lines().map(Line::new).collect();
        doc.pages.push(page);
        Ok(JobStatus::Done(Box::new(doc)))
    }
}

#[tokio::test(start_paused = true)]
async fn recognize_through_a_trait_object() {
    let provider: Arc<dyn OcrProvider> = Arc::new(CountingProvider::default());
    let doc = provider
        .recognize(&Request::from_bytes(&b"one\ntwo"[..], Some("a.txt")))
        .await
        .unwrap();
    assert_eq!(doc.text(), "one\ntwo");
    assert_eq!(doc.provider, "counting");
}

#[tokio::test(start_paused = true)]
async fn a_later_process_polls_a_persisted_job_without_resubmitting() {
    let first = CountingProvider::default();
    let job = first
        .submit(&Request::from_bytes(&b"hello"[..], Some("a.txt")))
        .await
        .unwrap();
    let saved = serde_json::to_string(&job).unwrap();

    // "Restart": the same provider state (the service) but a job read back from disk.
    let restored: Job = serde_json::from_str(&saved).unwrap();
    let doc = wait(&first, &restored).await.unwrap();
    assert_eq!(doc.text(), "hello");
    assert_eq!(first.submissions.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn task_failure_surfaces_code_and_request_id() {
    let provider = CountingProvider::default();
    let err = provider
        .recognize(&Request::from_bytes(&b"FAIL"[..], Some("a.txt")))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TaskFailed);
    assert_eq!(err.code(), Some("E_BAD_DOC"));
    assert_eq!(err.request_id(), Some("rid-1"));
}

#[tokio::test(start_paused = true)]
async fn invalid_input_is_refused_before_submitting() {
    let provider = CountingProvider::default();
    let err = provider
        .recognize(&Request::from_bytes(vec![b'a'; 2048], Some("big.txt")))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(provider.submissions.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_job_of_another_provider_is_refused() {
    let provider = CountingProvider::default();
    let job = Job::new("someone-else", "t", 0);
    let err = wait(&provider, &job).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
}

#[tokio::test]
async fn a_completed_job_needs_no_poll() {
    let provider = CountingProvider::default();
    let job = Job::completed("counting", "sync-1", 0, Document::new("counting"));
    let doc = wait(&provider, &job).await.unwrap();
    assert_eq!(doc.provider, "counting");
    assert!(provider.polls.lock().unwrap().is_empty());
}

//! Polling an asynchronous job until it finishes or a deadline passes.
//!
//! The deadline ends the *wait*, not the job: the [`Job`](crate::Job) can still be polled later,
//! so the timeout error says so.
//!
//! A status query is a read and the job keeps running whatever happens to one query, so a poll
//! that fails with a retryable error (after the runtime's own attempts) does not end the wait:
//! the next poll follows after the usual interval, or after the wait the service asked for
//! (`Retry-After`) if that is longer. Throttling is waited out until the deadline; other
//! retryable errors end the wait after [`MAX_FAILED_POLLS`] failed polls in a row.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use crate::document::Document;
use crate::error::{Error, ErrorKind, Result};
use crate::job::{JobStatus, Progress};

/// How many polls in a row may fail with a retryable error other than throttling before
/// [`poll_until_done`] returns that error.
pub const MAX_FAILED_POLLS: u32 = 5;

/// How often to poll and for how long.
///
/// ```
/// use std::time::Duration;
/// let policy = ocr_core::PollPolicy::default().with_deadline(Duration::from_secs(600));
/// assert_eq!(policy.interval(0), Duration::from_secs(1));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PollPolicy {
    initial_interval: Duration,
    max_interval: Duration,
    multiplier: f64,
    deadline: Duration,
}

impl Default for PollPolicy {
    /// Every second at first, growing by 1.5× up to 10 s, for at most 120 s.
    fn default() -> Self {
        PollPolicy {
            initial_interval: Duration::from_secs(1),
            max_interval: Duration::from_secs(10),
            multiplier: 1.5,
            deadline: Duration::from_secs(120),
        }
    }
}

impl PollPolicy {
    /// A fixed interval with no growth.
    pub fn fixed(interval: Duration, deadline: Duration) -> Self {
        PollPolicy {
            initial_interval: interval,
            max_interval: interval,
            multiplier: 1.0,
            deadline,
        }
    }

    /// The wait before the first re-poll.
    pub fn with_initial_interval(mut self, interval: Duration) -> Self {
        self.initial_interval = interval;
        self.max_interval = self.max_interval.max(interval);
        self
    }

    /// The longest wait between polls.
    pub fn with_max_interval(mut self, interval: Duration) -> Self {
        self.max_interval = interval.max(self.initial_interval);
        self
    }

    /// Growth of the wait per poll (at least 1).
    pub fn with_multiplier(mut self, multiplier: f64) -> Self {
        self.multiplier = if multiplier.is_finite() {
            multiplier.max(1.0)
        } else {
            1.0
        };
        self
    }

    /// How long to keep polling in all.
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// How long to keep polling in all.
    pub fn deadline(&self) -> Duration {
        self.deadline
    }

    /// The wait after poll number `n` (0-based).
    pub fn interval(&self, n: u32) -> Duration {
        let grown = self
            .initial_interval
            .mul_f64(self.multiplier.powi(n.min(64) as i32));
        grown.min(self.max_interval)
    }
}

/// Learns how long a provider's tasks take, so that the first poll of a new task comes when
/// the task is probably done: most tasks are then asked about once, which is what lets a batch
/// run at the service's rate limit for queries rather than spend it on "still running".
///
/// The estimate tracks a high quantile (about the 95th percentile) of the task durations seen:
/// a first poll that finds the task pending moves it up by a large step, one that finds it
/// done moves it down by a small one, so at equilibrium about one first poll in twenty is
/// early. A poll that finds the task pending can only raise the estimate to 1.5 times the time
/// it was made at, so many polls sent before the estimate grew do not inflate it. Shared by
/// every job of one kind (clone the `Arc`); the lock is held for a few instructions.
///
/// ```
/// use std::time::Duration;
/// let timer = ocr_core::poll::TaskTimer::new(Duration::from_secs(1));
/// timer.observe(false, Duration::from_secs(1)); // still running after 1 s
/// assert!(timer.estimate() > Duration::from_secs(1));
/// ```
#[derive(Debug)]
pub struct TaskTimer {
    estimate_secs: std::sync::Mutex<f64>,
}

impl TaskTimer {
    /// Up by this factor after a first poll that found the task pending.
    const UP: f64 = 1.25;
    /// Down by this factor after one that found it finished (`ln UP × 5 % ≈ ln(1/DOWN) × 95 %`).
    const DOWN: f64 = 0.9883;
    /// Never below this (a task that is done at once is still one round trip away).
    const FLOOR_SECS: f64 = 0.02;
    /// Never above this (a day).
    const CEILING_SECS: f64 = 86_400.0;

    /// A timer whose first guess is `initial` (for instance the provider's first poll
    /// interval): too long costs latency at the start, too short costs queries.
    pub fn new(initial: Duration) -> Self {
        TaskTimer {
            estimate_secs: std::sync::Mutex::new(
                initial
                    .as_secs_f64()
                    .clamp(Self::FLOOR_SECS, Self::CEILING_SECS),
            ),
        }
    }

    /// When to ask about a new task first, counted from its submission.
    pub fn estimate(&self) -> Duration {
        Duration::from_secs_f64(*self.lock())
    }

    /// What the first poll of a task found, `elapsed` after its submission: `done` (finished
    /// or failed) or still pending.
    pub fn observe(&self, done: bool, elapsed: Duration) {
        let mut estimate = self.lock();
        let next = if done {
            *estimate * Self::DOWN
        } else {
            (*estimate * Self::UP).min(estimate.max(elapsed.as_secs_f64() * 1.5))
        };
        *estimate = next.clamp(Self::FLOOR_SECS, Self::CEILING_SECS);
    }

    /// The wait after the `n`-th poll (0-based) of a task found it pending `elapsed` after its
    /// submission: until the estimate (which that answer may just have raised), and at least a
    /// tenth of the estimate, growing by half each time.
    pub fn next_poll(&self, n: u32, elapsed: Duration) -> Duration {
        let estimate = *self.lock();
        let step = (estimate / 10.0).max(Self::FLOOR_SECS) * 1.5f64.powi(n.min(32) as i32);
        let until_estimate = estimate - elapsed.as_secs_f64();
        Duration::from_secs_f64(step.max(until_estimate).min(Self::CEILING_SECS))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, f64> {
        // A poisoned lock still holds a usable number (an f64 cannot be half written).
        self.estimate_secs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Calls `poll` until it reports `Done` or `Failed`, sleeping between calls as `policy` says.
///
/// Returns the document, the task's failure, an error from `poll` itself that another poll
/// cannot fix (not [retryable](Error::is_retryable), or [`MAX_FAILED_POLLS`] retryable ones in
/// a row, throttling aside), or, once the deadline passes, an [`ErrorKind::Timeout`] error
/// naming `job_label` and its last known progress (with the last poll's error as its source,
/// if that poll failed). `on_progress` sees every pending status (for progress bars).
pub async fn poll_until_done<F, Fut>(
    policy: &PollPolicy,
    job_label: &str,
    poll: F,
    on_progress: impl FnMut(&Progress),
) -> Result<Document>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<JobStatus>>,
{
    poll_scheduled(policy, None, job_label, poll, on_progress).await
}

/// As [`poll_until_done`], for a job submitted at `submitted`, with the first poll when
/// `timer` expects the task to be done rather than at once, and the polls after a miss a
/// fraction of that apart; what each first poll finds teaches `timer`. The deadline counts
/// from `submitted`.
///
/// Many jobs of one kind share one timer: after a few tasks, most are asked about once.
pub async fn poll_timed<F, Fut>(
    policy: &PollPolicy,
    timer: &TaskTimer,
    submitted: Instant,
    job_label: &str,
    poll: F,
    on_progress: impl FnMut(&Progress),
) -> Result<Document>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<JobStatus>>,
{
    poll_scheduled(
        policy,
        Some((timer, submitted)),
        job_label,
        poll,
        on_progress,
    )
    .await
}

async fn poll_scheduled<F, Fut>(
    policy: &PollPolicy,
    timed: Option<(&TaskTimer, Instant)>,
    job_label: &str,
    mut poll: F,
    mut on_progress: impl FnMut(&Progress),
) -> Result<Document>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<JobStatus>>,
{
    let start = timed.map_or_else(Instant::now, |(_, submitted)| submitted);
    if let Some((timer, _)) = timed {
        let first = timer.estimate().min(policy.deadline);
        tokio::time::sleep_until(start + first).await;
    }
    // Only a job's first answer teaches the timer: later polls are scheduled from the miss.
    let mut first_answer = true;
    let mut learn = |done: bool, elapsed: Duration| {
        if let (Some((timer, _)), true) = (timed, first_answer) {
            timer.observe(done, elapsed);
        }
        first_answer = false;
    };
    let next_wait = |n: u32| match timed {
        Some((timer, _)) => timer.next_poll(n, start.elapsed()).min(policy.max_interval),
        None => policy.interval(n),
    };
    let mut n = 0u32;
    let mut failed_in_a_row = 0u32;
    loop {
        let progress = match poll().await {
            Ok(JobStatus::Done(doc)) => {
                learn(true, start.elapsed());
                return Ok(*doc);
            }
            Ok(JobStatus::Failed(err)) => {
                learn(true, start.elapsed());
                return Err(err);
            }
            Ok(JobStatus::Pending(progress)) => {
                learn(false, start.elapsed());
                progress
            }
            Err(err) => {
                failed_in_a_row = failed_in_a_row.saturating_add(1);
                let throttled = err.kind() == ErrorKind::Throttled;
                if !err.is_retryable() || (!throttled && failed_in_a_row >= MAX_FAILED_POLLS) {
                    return Err(err);
                }
                let wait = next_wait(n).max(err.retry_after().unwrap_or_default());
                n = n.saturating_add(1);
                if start.elapsed() + wait > policy.deadline {
                    return Err(Error::new(
                        ErrorKind::Timeout,
                        format!(
                            "job {job_label} not seen to finish within {}s: the last poll failed ({}); it keeps running and can be polled again later",
                            start.elapsed().as_secs(),
                            err.kind()
                        ),
                    )
                    .with_source(err));
                }
                tracing::debug!(job = job_label, error = %err, ?wait, "poll failed; polling again");
                tokio::time::sleep(wait).await;
                continue;
            }
        };
        failed_in_a_row = 0;
        on_progress(&progress);
        let wait = next_wait(n);
        n = n.saturating_add(1);
        if start.elapsed() + wait > policy.deadline {
            let state = match (&progress.state, progress.percent) {
                (Some(s), Some(p)) => format!(" (last state {s}, {p}%)"),
                (Some(s), None) => format!(" (last state {s})"),
                (None, Some(p)) => format!(" ({p}%)"),
                (None, None) => String::new(),
            };
            return Err(Error::new(
                ErrorKind::Timeout,
                format!(
                    "job {job_label} still pending after {}s{state}; it keeps running and can be \
                     polled again later",
                    start.elapsed().as_secs()
                ),
            ));
        }
        tokio::time::sleep(wait).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[test]
    fn intervals_grow_and_cap() {
        let p = PollPolicy::default();
        assert_eq!(p.interval(0), Duration::from_secs(1));
        assert_eq!(p.interval(1), Duration::from_millis(1500));
        assert_eq!(p.interval(30), Duration::from_secs(10));
        let f = PollPolicy::fixed(Duration::from_secs(2), Duration::from_secs(9));
        assert_eq!(f.interval(7), Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn returns_the_document_when_done() {
        let calls = AtomicU32::new(0);
        let mut seen = Vec::new();
        let doc = poll_until_done(
            &PollPolicy::fixed(Duration::from_secs(1), Duration::from_secs(60)),
            "t1",
            || async {
                let n = calls.fetch_add(1, Ordering::SeqCst);
                Ok(if n < 3 {
                    JobStatus::Pending(Progress {
                        percent: Some((n * 30) as u8),
                        state: None,
                    })
                } else {
                    JobStatus::Done(Box::new(Document::new("p")))
                })
            },
            |p| seen.push(p.percent),
        )
        .await
        .unwrap();
        assert_eq!(doc.provider, "p");
        assert_eq!(calls.load(Ordering::SeqCst), 4);
        assert_eq!(seen, vec![Some(0), Some(30), Some(60)]);
    }

    #[tokio::test(start_paused = true)]
    async fn deadline_is_a_timeout_that_names_the_job() {
        let start = Instant::now();
        let err = poll_until_done(
            &PollPolicy::fixed(Duration::from_secs(1), Duration::from_secs(5)),
            "task-9",
            || async { Ok(JobStatus::Pending(Progress::state("Processing"))) },
            |_| {},
        )
        .await
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Timeout);
        assert!(err.message().contains("task-9"), "{err}");
        assert!(err.message().contains("Processing"), "{err}");
        assert!(start.elapsed() <= Duration::from_secs(5));
        assert!(start.elapsed() >= Duration::from_secs(4));
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_poll_is_polled_again_after_the_wait_asked_for() {
        let calls = AtomicU32::new(0);
        let start = Instant::now();
        let doc = poll_until_done(
            &PollPolicy::fixed(Duration::from_secs(1), Duration::from_secs(60)),
            "t",
            || async {
                match calls.fetch_add(1, Ordering::SeqCst) {
                    0 => Err(Error::new(ErrorKind::Throttled, "SlowDown")
                        .with_retry_after(Duration::from_secs(7))),
                    1 => Err(Error::new(ErrorKind::Transport, "reset")),
                    2 => Ok(JobStatus::Pending(Progress::state("Running"))),
                    _ => Ok(JobStatus::Done(Box::new(Document::new("p")))),
                }
            },
            |_| {},
        )
        .await
        .unwrap();
        assert_eq!(doc.provider, "p");
        assert_eq!(calls.load(Ordering::SeqCst), 4);
        // 7 s as asked, then the 1 s interval twice.
        assert_eq!(start.elapsed(), Duration::from_secs(9));
    }

    #[tokio::test(start_paused = true)]
    async fn throttling_is_waited_out_until_the_deadline() {
        let calls = AtomicU32::new(0);
        let start = Instant::now();
        let err = poll_until_done(
            &PollPolicy::fixed(Duration::from_secs(1), Duration::from_secs(30)),
            "t",
            || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err::<JobStatus, _>(Error::new(ErrorKind::Throttled, "SlowDown"))
            },
            |_| {},
        )
        .await
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Timeout);
        let cause = std::error::Error::source(&err)
            .and_then(|s| s.downcast_ref::<Error>())
            .map(Error::kind);
        assert_eq!(cause, Some(ErrorKind::Throttled));
        // Polled every second from 0 s to 30 s, then the deadline.
        assert_eq!(calls.load(Ordering::SeqCst), 31);
        assert_eq!(start.elapsed(), Duration::from_secs(30));
    }

    #[tokio::test(start_paused = true)]
    async fn errors_another_poll_cannot_fix_end_the_wait() {
        let calls = AtomicU32::new(0);
        let err = poll_until_done(
            &PollPolicy::fixed(Duration::from_secs(1), Duration::from_secs(60)),
            "t",
            || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err::<JobStatus, _>(Error::new(ErrorKind::Auth, "bad key"))
            },
            |_| {},
        )
        .await
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Auth);
        assert_eq!(calls.load(Ordering::SeqCst), 1);

        let calls = AtomicU32::new(0);
        let err = poll_until_done(
            &PollPolicy::fixed(Duration::from_secs(1), Duration::from_secs(60)),
            "t",
            || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err::<JobStatus, _>(Error::decode("not JSON"))
            },
            |_| {},
        )
        .await
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode);
        assert_eq!(calls.load(Ordering::SeqCst), MAX_FAILED_POLLS);
    }

    #[tokio::test(start_paused = true)]
    async fn task_failure_is_returned_as_is() {
        let err = poll_until_done(
            &PollPolicy::default(),
            "t",
            || async {
                Ok(JobStatus::Failed(
                    Error::new(ErrorKind::TaskFailed, "bad file").with_code("E1"),
                ))
            },
            |_| {},
        )
        .await
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TaskFailed);
        assert_eq!(err.code(), Some("E1"));
    }

    /// A task that takes `duration` from `submitted`: pending before, done after; counts polls.
    fn task(
        submitted: Instant,
        duration: Duration,
        polls: &AtomicU32,
    ) -> impl FnMut() -> std::future::Ready<Result<JobStatus>> + '_ {
        move || {
            polls.fetch_add(1, Ordering::SeqCst);
            std::future::ready(Ok(if submitted.elapsed() >= duration {
                JobStatus::Done(Box::new(Document::new("p")))
            } else {
                JobStatus::Pending(Progress::state("Processing"))
            }))
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_shared_timer_learns_to_ask_about_most_tasks_once() {
        let policy = PollPolicy::default();
        let timer = TaskTimer::new(policy.interval(0));
        let duration = Duration::from_millis(2_000);
        let mut polls_after_warm_up = 0;
        let mut late = Duration::ZERO;
        for i in 0..400 {
            let polls = AtomicU32::new(0);
            let submitted = Instant::now();
            poll_timed(
                &policy,
                &timer,
                submitted,
                "t",
                task(submitted, duration, &polls),
                |_| {},
            )
            .await
            .unwrap();
            if i >= 100 {
                polls_after_warm_up += polls.load(Ordering::SeqCst);
                late += submitted.elapsed() - duration;
            }
        }
        // About one first poll in twenty is early and costs one more.
        assert!(
            polls_after_warm_up <= 330,
            "{polls_after_warm_up} polls for 300 tasks"
        );
        // And the answer comes soon after the task ends (on average within a fifth of it).
        assert!(
            late / 300 < duration / 5,
            "{:?} late on average",
            late / 300
        );
        let estimate = timer.estimate();
        assert!(
            estimate > duration * 9 / 10 && estimate < duration * 13 / 10,
            "{estimate:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn many_early_polls_at_once_do_not_inflate_the_estimate() {
        let timer = TaskTimer::new(Duration::from_secs(1));
        for _ in 0..100 {
            timer.observe(false, Duration::from_secs(1));
        }
        assert_eq!(timer.estimate(), Duration::from_millis(1500));
        // Without the timer, the first poll is at once (poll_until_done is unchanged).
        let polls = AtomicU32::new(0);
        let submitted = Instant::now();
        poll_until_done(
            &PollPolicy::default(),
            "t",
            task(submitted, Duration::ZERO, &polls),
            |_| {},
        )
        .await
        .unwrap();
        assert_eq!(submitted.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn the_deadline_counts_from_submission() {
        let policy = PollPolicy::fixed(Duration::from_secs(1), Duration::from_secs(5));
        let timer = TaskTimer::new(Duration::from_secs(60));
        let polls = AtomicU32::new(0);
        let submitted = Instant::now();
        let err = poll_timed(
            &policy,
            &timer,
            submitted,
            "t",
            task(submitted, Duration::from_secs(600), &polls),
            |_| {},
        )
        .await
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Timeout);
        assert!(submitted.elapsed() <= Duration::from_secs(5));
    }
}

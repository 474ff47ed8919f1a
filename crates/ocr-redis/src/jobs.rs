//! [`RedisJobStore`]: a run's inputs and their jobs in Redis, shared by every worker of the
//! run: claims with leases, the submit steps, and the run's status.
//!
//! Layout (`<run>` is the run id, `<id>` the first 32 hex digits of SHA-256 of the input key):
//!
//! ```text
//! cloud-ocr:run:<run>:meta        hash  total (inputs in the list), settings, created_ms
//! cloud-ocr:run:<run>:index       set   <id> of every input ever claimed
//! cloud-ocr:run:<run>:input:<id>  hash  input, state, worker, lease_until (server ms),
//!                                       job (JSON), output, submissions, updated_ms,
//!                                       error_kind, error_code, error_message,
//!                                       error_request_id, unknown_of
//! ```
//!
//! States: (absent) → `claimed` (nothing sent) → `submitting` (a billed request may be on
//! its way) → `submitted` (the job is kept) → `done` | `failed`. Every step is one script run
//! atomically by the server, on the server's clock ([`CLAIM_SCRIPT`], [`STEP_SCRIPT`]).

use std::fmt;
use std::time::Duration;

use ocr_core::{Error, ErrorKind, Job, Result};
use redis::aio::ConnectionManager;
use sha2::{Digest, Sha256};

use crate::limiter::{check_segment, connect_manager, DEFAULT_TIMEOUT};

/// The script that claims an input (see the file for its keys, arguments and answers).
pub const CLAIM_SCRIPT: &str = include_str!("claim.lua");

/// The script of every other step of an input a worker holds.
pub const STEP_SCRIPT: &str = include_str!("step.lua");

/// The prefix of every key of a run: `cloud-ocr:run:<run>:`.
pub const RUN_PREFIX: &str = "cloud-ocr:run:";

/// What a claim answered.
#[derive(Debug, Clone, PartialEq)]
pub enum Claim {
    /// Nothing was sent for this input: submit it (the lease is the caller's).
    Submit,
    /// A job was submitted for it: poll this job, never submit (the lease is the caller's).
    Resume(Job),
    /// Finished: the result file's name.
    Done(String),
    /// Failed (by any worker, or now: an outcome left unknown by a worker that stopped).
    Failed(Failure),
    /// Another worker holds it; its lease ends in this long.
    Busy(Duration),
}

/// A failure as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The error kind (`task_failed`, `outcome_unknown` …, as [`ErrorKind::as_str`]).
    pub kind: String,
    /// The provider's error code, if any.
    pub code: Option<String>,
    /// The message.
    pub message: String,
    /// The request id, if any.
    pub request_id: Option<String>,
}

impl Failure {
    /// The record of `err`.
    pub fn of(err: &Error) -> Failure {
        Failure {
            kind: err.kind().as_str().to_owned(),
            code: err.code().map(str::to_owned),
            message: err.message().to_owned(),
            request_id: err.request_id().map(str::to_owned),
        }
    }
}

/// One input of a run as the store holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct InputStatus {
    /// The input key (a path or a URL).
    pub input: String,
    /// `claimed`, `submitting`, `submitted`, `done` or `failed`.
    pub state: String,
    /// The worker that holds it or last held it.
    pub worker: String,
    /// Whether its lease is still running (on the server's clock).
    pub leased: bool,
    /// The result file's name, when done.
    pub output: Option<String>,
    /// Why it failed, when failed.
    pub failure: Option<Failure>,
    /// How many times a submission was started for it (at most 1 unless retried on request).
    pub submissions: u64,
}

/// The whole run, as every worker sees it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunStatus {
    /// How many inputs the run's list holds (as the first worker registered it).
    pub total: u64,
    /// Every input some worker claimed.
    pub inputs: Vec<InputStatus>,
}

impl RunStatus {
    /// How many inputs are in `state`.
    pub fn count(&self, state: &str) -> u64 {
        self.inputs.iter().filter(|i| i.state == state).count() as u64
    }

    /// Inputs no worker has claimed yet.
    pub fn pending(&self) -> u64 {
        self.total.saturating_sub(self.inputs.len() as u64)
    }

    /// Whether every input is done or failed.
    pub fn finished(&self) -> bool {
        self.count("done") + self.count("failed") >= self.total
    }
}

/// A run's inputs and their jobs, kept in Redis and shared by every worker of the run: an
/// input is claimed by one worker at a time under a lease (renewed while it works), submitted
/// at most once, and a job whose worker stopped is polled by another after the lease ends.
///
/// Cheap to clone (one multiplexed connection, re-established after a failure).
#[derive(Clone)]
pub struct RedisJobStore {
    manager: ConnectionManager,
    shown_url: String,
    run: String,
    claim: redis::Script,
    step: redis::Script,
    timeout: Duration,
}

impl fmt::Debug for RedisJobStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisJobStore")
            .field("url", &self.shown_url)
            .field("run", &self.run)
            .finish()
    }
}

/// The key part of an input: the first 32 hex digits of SHA-256 of its key.
pub fn input_id(input: &str) -> String {
    let digest = Sha256::digest(input.as_bytes());
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

impl RedisJobStore {
    /// Connects to Redis at `url` for the run `run` (letters, digits, `-`, `_`, `.`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Config`] naming the URL without its password when it is not valid or
    /// Redis does not answer, or when `run` is empty or holds other characters.
    pub async fn connect(url: &str, run: &str) -> Result<Self> {
        check_segment(run, "the run id", "run-id")?;
        let (manager, shown_url) = connect_manager(url, "coordinator").await?;
        Ok(RedisJobStore {
            manager,
            shown_url,
            run: run.to_owned(),
            claim: redis::Script::new(CLAIM_SCRIPT),
            step: redis::Script::new(STEP_SCRIPT),
            timeout: DEFAULT_TIMEOUT,
        })
    }

    /// The Redis URL without its password.
    pub fn url(&self) -> &str {
        &self.shown_url
    }

    /// The run id.
    pub fn run(&self) -> &str {
        &self.run
    }

    fn key(&self, rest: &str) -> String {
        format!("{RUN_PREFIX}{}:{rest}", self.run)
    }

    fn input_key(&self, input: &str) -> String {
        self.key(&format!("input:{}", input_id(input)))
    }

    fn unreachable(&self, why: &str) -> Error {
        Error::new(
            ErrorKind::Service,
            format!(
                "the coordinator (Redis at {}) cannot be reached: {why}",
                self.shown_url
            ),
        )
        .with_retryable(true)
    }

    async fn timed<T>(
        &self,
        what: impl std::future::Future<Output = redis::RedisResult<T>>,
    ) -> Result<T> {
        match tokio::time::timeout(self.timeout, what).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(self.unreachable(&e.to_string()).with_source(e)),
            Err(_) => {
                Err(self.unreachable(&format!("no answer within {}s", self.timeout.as_secs_f64())))
            }
        }
    }

    /// Records how many inputs the run's list holds (the first worker's count stays).
    pub async fn register(&self, total: usize) -> Result<()> {
        let mut c = self.manager.clone();
        let key = self.key("meta");
        let mut pipe = redis::pipe();
        pipe.hset_nx(&key, "total", total).ignore();
        pipe.cmd("TIME").ignore();
        self.timed(pipe.query_async::<()>(&mut c)).await
    }

    /// Records the settings every worker of the run must share (the first worker's stay),
    /// and refuses a worker whose `settings` differ: workers of one run applying different
    /// recognition options or result formats would each write their own kind of result.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Config`] (field `run-id`) naming both settings when they differ; a
    /// service error when Redis cannot be reached.
    pub async fn agree_settings(&self, settings: &str) -> Result<()> {
        let mut c = self.manager.clone();
        let key = self.key("meta");
        let mut pipe = redis::pipe();
        pipe.hset_nx(&key, "settings", settings).ignore();
        pipe.hget(&key, "settings");
        let (kept,): (Option<String>,) = self.timed(pipe.query_async(&mut c)).await?;
        match kept {
            Some(kept) if kept != settings => Err(Error::config(format!(
                "the run {} was started with other settings ({kept}) than this worker's \
                 ({settings}): start it with the same ones, or give another --run-id",
                self.run
            ))
            .with_field("run-id")),
            _ => Ok(()),
        }
    }

    /// Claims `input` for `worker` with a lease of `lease`; `retry_failed_before` (server time
    /// in ms, 0 for never) lets failures recorded before it be tried again.
    pub async fn claim(
        &self,
        input: &str,
        worker: &str,
        lease: Duration,
        retry_failed_before: u64,
    ) -> Result<Claim> {
        let mut c = self.manager.clone();
        let mut invocation = self.claim.key(self.input_key(input));
        invocation
            .key(self.key("index"))
            .arg(worker)
            .arg(lease.as_millis() as u64)
            .arg(input)
            .arg(input_id(input))
            .arg(retry_failed_before);
        let answer: Vec<String> = self.timed(invocation.invoke_async(&mut c)).await?;
        let field = |i: usize| answer.get(i).cloned().unwrap_or_default();
        let non_empty = |s: String| (!s.is_empty()).then_some(s);
        match answer.first().map(String::as_str) {
            Some("submit") => Ok(Claim::Submit),
            Some("resume") => {
                let job: Job = serde_json::from_str(&field(1)).map_err(|e| {
                    Error::new(
                        ErrorKind::Decode,
                        format!("the coordinator holds an unreadable job for {input}: {e}"),
                    )
                })?;
                Ok(Claim::Resume(job))
            }
            Some("done") => Ok(Claim::Done(field(1))),
            Some("failed") => Ok(Claim::Failed(Failure {
                kind: field(1),
                code: non_empty(field(2)),
                message: field(3),
                request_id: non_empty(field(4)),
            })),
            Some("busy") => Ok(Claim::Busy(Duration::from_millis(
                field(1).parse().unwrap_or(1000),
            ))),
            _ => Err(Error::new(
                ErrorKind::Decode,
                format!("the coordinator answered a claim of {input} with {answer:?}"),
            )),
        }
    }

    async fn step(&self, input: &str, worker: &str, step: &str, args: &[&str]) -> Result<bool> {
        let mut c = self.manager.clone();
        let mut invocation = self.step.key(self.input_key(input));
        invocation.arg(worker).arg(step);
        for arg in args {
            invocation.arg(*arg);
        }
        let answer: i64 = self.timed(invocation.invoke_async(&mut c)).await?;
        Ok(answer == 1)
    }

    /// Extends the lease; `false` when the worker no longer holds the input.
    pub async fn renew(&self, input: &str, worker: &str, lease: Duration) -> Result<bool> {
        let ms = (lease.as_millis() as u64).to_string();
        self.step(input, worker, "renew", &[&ms]).await
    }

    /// Records that a billed request is about to be sent; `false` (send nothing) when the
    /// worker no longer holds the input unsent.
    pub async fn submitting(&self, input: &str, worker: &str, lease: Duration) -> Result<bool> {
        let ms = (lease.as_millis() as u64).to_string();
        self.step(input, worker, "submitting", &[&ms]).await
    }

    /// Records the submitted job.
    pub async fn submitted(&self, input: &str, worker: &str, job: &Job) -> Result<bool> {
        let json = job_json(job)?;
        self.step(input, worker, "submitted", &[&json]).await
    }

    /// Gives the input back unsent: another worker (or this one) may submit it at once.
    pub async fn release(&self, input: &str, worker: &str) -> Result<bool> {
        self.step(input, worker, "release", &[]).await
    }

    /// Records the result file's name.
    pub async fn done(&self, input: &str, worker: &str, output: &str) -> Result<bool> {
        self.step(input, worker, "done", &[output]).await
    }

    /// Records a failure.
    pub async fn failed(&self, input: &str, worker: &str, failure: &Failure) -> Result<bool> {
        let code = failure.code.clone().unwrap_or_default();
        let request_id = failure.request_id.clone().unwrap_or_default();
        self.step(
            input,
            worker,
            "failed",
            &[&failure.kind, &code, &failure.message, &request_id],
        )
        .await
    }

    /// Records a job that `worker` (now stopped) submitted but could not record because Redis
    /// was unreachable: the input becomes `submitted` with no lease, so the next claim polls
    /// it. `false` when the input is no longer in that worker's `submitting` state.
    pub async fn recover_submitted(&self, input: &str, worker: &str, job: &Job) -> Result<bool> {
        let json = job_json(job)?;
        self.step(input, worker, "recover", &[&json]).await
    }

    /// Records that `worker` (now stopped) did not send the request it was about to send for
    /// `input` (Redis failed first): the input may be submitted.
    pub async fn recover_unsent(&self, input: &str, worker: &str) -> Result<bool> {
        self.step(input, worker, "unsend", &[]).await
    }

    /// The server's clock, in ms since the Unix epoch.
    pub async fn server_time_ms(&self) -> Result<u64> {
        let mut c = self.manager.clone();
        let (secs, micros): (u64, u64) = self.timed(redis::cmd("TIME").query_async(&mut c)).await?;
        Ok(secs * 1000 + micros / 1000)
    }

    /// Every input of the run some worker claimed, and the run's size.
    pub async fn status(&self) -> Result<RunStatus> {
        let mut c = self.manager.clone();
        let now = self.server_time_ms().await?;
        let total: Option<u64> = self
            .timed(
                redis::cmd("HGET")
                    .arg(self.key("meta"))
                    .arg("total")
                    .query_async(&mut c),
            )
            .await?;
        let ids: Vec<String> = self
            .timed(
                redis::cmd("SMEMBERS")
                    .arg(self.key("index"))
                    .query_async(&mut c),
            )
            .await?;
        let mut pipe = redis::pipe();
        for id in &ids {
            pipe.cmd("HMGET")
                .arg(self.key(&format!("input:{id}")))
                .arg(&[
                    "input",
                    "state",
                    "worker",
                    "lease_until",
                    "output",
                    "error_kind",
                    "error_code",
                    "error_message",
                    "error_request_id",
                    "submissions",
                ]);
        }
        let rows: Vec<Vec<Option<String>>> = if ids.is_empty() {
            Vec::new()
        } else {
            self.timed(pipe.query_async(&mut c)).await?
        };
        let mut inputs = Vec::new();
        for row in rows {
            let get = |i: usize| row.get(i).cloned().flatten();
            let Some(state) = get(1) else { continue };
            let failure = (state == "failed").then(|| Failure {
                kind: get(5).unwrap_or_default(),
                code: get(6).filter(|s| !s.is_empty()),
                message: get(7).unwrap_or_default(),
                request_id: get(8).filter(|s| !s.is_empty()),
            });
            inputs.push(InputStatus {
                input: get(0).unwrap_or_default(),
                worker: get(2).unwrap_or_default(),
                leased: get(3).and_then(|s| s.parse::<u64>().ok()).unwrap_or(0) > now,
                output: get(4).filter(|s| !s.is_empty()),
                failure,
                submissions: get(9).and_then(|s| s.parse().ok()).unwrap_or(0),
                state,
            });
        }
        inputs.sort_by(|a, b| a.input.cmp(&b.input));
        Ok(RunStatus {
            total: total.unwrap_or(inputs.len() as u64),
            inputs,
        })
    }
}

fn job_json(job: &Job) -> Result<String> {
    serde_json::to_string(job).map_err(|e| {
        Error::new(
            ErrorKind::Decode,
            format!("cannot serialise the job {}: {e}", job.task_id),
        )
    })
}

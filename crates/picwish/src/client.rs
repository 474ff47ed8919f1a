//! The PicWish client: configuration, and the three calls (create, query, download) plus
//! `wait`, each sent through the shared ocr-core [`Runtime`] with the client's rate limit.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use ocr_core::clock::ServerClock;
use ocr_core::poll::poll_until_done;
use ocr_core::rate_limit::AccountId;
use ocr_core::{
    ClientOptions, ConfigureClient, Document, Error, ErrorKind, JobStatus, Operation, PollPolicy,
    Progress, RateLimiter, Result, Runtime,
};
use percent_encoding::percent_decode_str;
use reqwest::header::{HeaderMap, HeaderValue, CONTENT_TYPE};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use url::Url;

use crate::create::CreateTask;
use crate::http_status::{status_error, Call};
use crate::limits::{
    API_KEY_ENV, API_KEY_HEADER, DEFAULT_BASE_URL, DEFAULT_POLL_INTERVAL, DEFAULT_RATE_LIMIT,
    DEFAULT_WAIT_DEADLINE, PROVIDER_ID, TASKS,
};
use crate::redact::scrub;
use crate::result::{ResultFile, ResultFormat};
use crate::state::{TaskFailure, TaskState};
use crate::task::{ApiResponse, CreatedTask, TaskInfo};
use ocr_core::http::retry_after;
use ocr_core::lenient;

/// The API path of the OCR tasks, below the base URL.
const TASKS_PATH: [&str; 4] = ["api", "tasks", "document", "ocr"];

/// How far past its expiry (by the service's clock) a result must be before it is refused
/// without a request: `Date` has whole seconds and the answer took a while to arrive, so a
/// result near its expiry is tried and the server decides.
pub(crate) const EXPIRY_MARGIN: Duration = Duration::from_secs(60);

/// Configures a [`PicWish`] client. `Debug` never shows the API key.
///
/// ```
/// use std::time::Duration;
/// use picwish::prelude::*;
/// let client = picwish::PicWish::builder()
///     .api_key("YOUR_API_KEY")
///     .base_url("http://127.0.0.1:8080")
///     .poll_interval(Duration::from_millis(500))
///     .wait_deadline(Duration::from_secs(300))
///     .build()
///     .unwrap();
/// assert_eq!(client.base_url().as_str(), "http://127.0.0.1:8080/");
/// assert_eq!(client.rate_limit(), Some(2.0));
/// assert!(!format!("{client:?}").contains("YOUR_API_KEY"));
/// ```
#[must_use]
pub struct PicWishBuilder {
    api_key: Option<String>,
    base_url: String,
    options: ClientOptions,
    poll_interval: Duration,
    wait_deadline: Duration,
}

impl fmt::Debug for PicWishBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PicWishBuilder")
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("base_url", &self.base_url)
            .field("options", &self.options)
            .field("poll_interval", &self.poll_interval)
            .field("wait_deadline", &self.wait_deadline)
            .finish_non_exhaustive()
    }
}

/// The clock is used for job times and result-expiry checks; either way the client corrects
/// it by the offset to the service's clock, learned from the `Date` header of every answer.
/// Create and query calls share one rate limit, named [`TASKS`](crate::TASKS) (default 2/s, the
/// documented QPS). An upload must finish within the per-attempt timeout (60 s by default):
/// raise it for large files on slow links.
impl ConfigureClient for PicWishBuilder {
    fn client_options_mut(&mut self) -> &mut ClientOptions {
        &mut self.options
    }
}

impl PicWishBuilder {
    /// Sets the API key sent in `X-API-KEY`.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// Sets the API key from the `PICWISH_API_KEY` environment variable, if it is set and not
    /// empty. This is the only place the crate reads the process environment.
    pub fn api_key_from_env(mut self) -> Self {
        if let Some(key) = std::env::var(API_KEY_ENV)
            .ok()
            .filter(|k| !k.trim().is_empty())
        {
            self.api_key = Some(key);
        }
        self
    }

    /// Sets the base URL (default `https://techhk.aoscdn.com`); any http(s) URL works, for
    /// tests and the emulator. A path prefix is kept.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// How long `wait` sleeps between polls (default 1 s, as recommended).
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }

    /// How long `wait` keeps polling in all (default 120 s, as recommended). The task keeps
    /// running after the deadline and can be polled again.
    pub fn wait_deadline(mut self, deadline: Duration) -> Self {
        self.wait_deadline = deadline;
        self
    }

    /// Builds the client; fails with [`ErrorKind::Config`] on a missing or unusable API key,
    /// a base URL that is not http(s), or a non-positive rate, interval or deadline.
    pub fn build(self) -> Result<PicWish> {
        let config = |msg: String| Error::config(msg).with_provider(PROVIDER_ID);
        let key = self
            .api_key
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .ok_or_else(|| {
                config(format!(
                    "no API key: pass one with PicWishBuilder::api_key or set {API_KEY_ENV} \
                     and use PicWish::from_env"
                ))
            })?;
        let mut api_key = HeaderValue::from_str(key).map_err(|_| {
            config("the API key contains characters that cannot be sent in a header".into())
        })?;
        api_key.set_sensitive(true);
        let base = Url::parse(&self.base_url).map_err(|e| {
            config(format!(
                "the base URL {:?} is not a URL: {e}",
                self.base_url
            ))
        })?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            return Err(config(format!(
                "the base URL {:?} must be an http or https URL",
                self.base_url
            )));
        }
        // Shared limits are per account: a hash of the API key (never the key) names it.
        let account = AccountId::from_secret(key);
        let limiter = self
            .options
            .limiters(
                PROVIDER_ID,
                &account,
                &[((), TASKS, Some(DEFAULT_RATE_LIMIT))],
            )?
            .remove(&());
        if self.poll_interval.is_zero() || self.wait_deadline.is_zero() {
            return Err(config(
                "the poll interval and the wait deadline must be greater than zero".into(),
            ));
        }
        let runtime = self.options.build_runtime()?;
        Ok(PicWish {
            inner: Arc::new(Inner {
                api_key,
                base,
                runtime,
                limiter,
                poll: PollPolicy::fixed(self.poll_interval, self.wait_deadline),
                clock: ServerClock::new(self.options.clock),
            }),
        })
    }
}

/// A PicWish OCR client. Cheap to clone; clones share the HTTP connection pool and the rate
/// limiter. `Debug` never shows the API key.
///
/// ```no_run
/// use picwish::{CreateTask, PicWish, ResultFormat};
///
/// # async fn run() -> Result<(), ocr_core::Error> {
/// let client = PicWish::from_env()?;
/// let task = CreateTask::from_file("scan.pdf").with_format(ResultFormat::Txt);
/// let document = client.run_task(&task).await?;
/// println!("{}", document.text());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct PicWish {
    inner: Arc<Inner>,
}

struct Inner {
    api_key: HeaderValue,
    base: Url,
    runtime: Runtime,
    limiter: Option<RateLimiter>,
    poll: PollPolicy,
    /// Our clock and the offset to the service's, learned from `Date` headers.
    clock: ServerClock,
}

impl fmt::Debug for PicWish {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PicWish")
            .field("api_key", &"<redacted>")
            .field("base_url", &self.inner.base.as_str())
            .field("rate_limit", &self.rate_limit())
            .field("poll", &self.inner.poll)
            .field("runtime", &self.inner.runtime)
            .finish()
    }
}

/// The lenient shape of any response body, success or error.
#[derive(Deserialize)]
struct RawEnvelope {
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    status: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    message: Option<String>,
    #[serde(default)]
    data: Option<serde_json::Value>,
}

impl PicWish {
    /// A builder with the documented defaults: base URL `https://techhk.aoscdn.com`, 2
    /// requests/s, polling every second for at most 120 s, ocr-core's default timeouts and
    /// retry policy.
    pub fn builder() -> PicWishBuilder {
        PicWishBuilder {
            api_key: None,
            base_url: DEFAULT_BASE_URL.to_owned(),
            options: ClientOptions::default(),
            poll_interval: DEFAULT_POLL_INTERVAL,
            wait_deadline: DEFAULT_WAIT_DEADLINE,
        }
    }

    /// A client with the defaults and the API key from the `PICWISH_API_KEY` environment
    /// variable (see [`PicWishBuilder::api_key_from_env`]).
    ///
    /// ```no_run
    /// let client = picwish::PicWish::from_env()?;
    /// # Ok::<(), ocr_core::Error>(())
    /// ```
    pub fn from_env() -> Result<PicWish> {
        PicWish::builder().api_key_from_env().build()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    /// The client-side rate limit in requests per second, if any.
    pub fn rate_limit(&self) -> Option<f64> {
        self.inner.limiter.as_ref().map(RateLimiter::rate)
    }

    /// The current time as the service sees it, Unix seconds: the client's clock corrected by
    /// the offset learned from `Date` headers (uncorrected until a response has told it).
    pub(crate) fn now_unix(&self) -> u64 {
        self.inner.clock.now_unix()
    }

    /// The service's current time, if a response has told the offset to our clock.
    fn service_now_if_known(&self) -> Option<u64> {
        self.inner.clock.is_known().then(|| self.now_unix())
    }

    /// The offset between the service's clock and the client's, in seconds (service minus
    /// client), as learned from the `Date` header of the latest API response; 0 before any.
    pub fn clock_skew_secs(&self) -> i64 {
        self.inner.clock.offset_secs()
    }

    /// Learns the service's clock from a response's `Date` header.
    fn learn_clock(&self, headers: &HeaderMap) {
        let Some(date) = headers
            .get(reqwest::header::DATE)
            .and_then(|v| v.to_str().ok())
        else {
            return;
        };
        self.inner.clock.learn_from_date(date);
    }

    /// How [`PicWish::wait`] polls.
    pub(crate) fn wait_policy(&self) -> PollPolicy {
        self.inner.poll.clone()
    }

    /// Creates an OCR task (`POST /api/tasks/document/ocr`, multipart/form-data).
    ///
    /// The request is validated first ([`CreateTask::validate`]); nothing is sent if a rule is
    /// broken. A file source is streamed from disk as the `image_file` part. The call is
    /// billed: it is retried after throttling (429), server errors (5xx) and failures to
    /// connect, but never after a failure that may have happened once the service had the
    /// request (that surfaces as [`ErrorKind::OutcomeUnknown`]).
    ///
    /// ```no_run
    /// # async fn run(client: picwish::PicWish) -> Result<(), ocr_core::Error> {
    /// let task = picwish::CreateTask::from_url("https://example.com/scan.png")?;
    /// let created = client.create(&task).await?;
    /// println!("task {}", created.data.task_id);
    /// # Ok(()) }
    /// ```
    pub async fn create(&self, task: &CreateTask) -> Result<ApiResponse<CreatedTask>> {
        let call = Call::Create;
        let prepared = task.prepare().await.map_err(|e| tag(e, call))?;
        let url = self.tasks_url(None);
        let op = Operation::billed(PROVIDER_ID, call.operation());
        self.inner
            .runtime
            .run(&op, self.inner.limiter.as_ref(), |_| async {
                let form = prepared.form().await?;
                let request = self
                    .inner
                    .runtime
                    .http()
                    .post(url.clone())
                    .header(API_KEY_HEADER, self.inner.api_key.clone())
                    .multipart(form);
                let (status, headers, body) = self.exchange(request).await?;
                let response: ApiResponse<CreatedTask> =
                    self.api_response(call, status, &headers, &body)?;
                tracing::debug!(task_id = %response.data.task_id, "task created");
                Ok(response)
            })
            .await
    }

    /// Queries a task (`GET /api/tasks/document/ocr/{task_id}`): every documented field, the
    /// state typed as [`TaskState`]. A failed task is a successful query; see
    /// [`TaskInfo::state`].
    ///
    /// ```no_run
    /// # async fn run(client: picwish::PicWish) -> Result<(), ocr_core::Error> {
    /// let info = client.query("your-task-id").await?.data;
    /// println!("{} ({:?}%)", info.state, info.progress_percent());
    /// # Ok(()) }
    /// ```
    pub async fn query(&self, task_id: &str) -> Result<ApiResponse<TaskInfo>> {
        let call = Call::Query;
        check_task_id(task_id).map_err(|e| tag(e, call))?;
        let url = self.tasks_url(Some(task_id));
        let op = Operation::idempotent(PROVIDER_ID, call.operation());
        self.inner
            .runtime
            .run(&op, self.inner.limiter.as_ref(), |_| async {
                let request = self
                    .inner
                    .runtime
                    .http()
                    .get(url.clone())
                    .header(API_KEY_HEADER, self.inner.api_key.clone());
                let (status, headers, body) = self.exchange(request).await?;
                self.api_response(call, status, &headers, &body)
            })
            .await
    }

    /// Downloads the result file of a succeeded task (`data.file`).
    ///
    /// The file is valid for one hour after `completed_at`, a time on the service's clock. It is
    /// refused with [`ErrorKind::ResultExpired`] without a request only when that hour has
    /// certainly passed: by the service's clock (the client's, corrected by the offset learned
    /// from the `Date` header of API responses), more than a minute ago. Otherwise, when the
    /// offset is not known yet or the expiry is close, the download is tried and the server
    /// decides: 403, 404 or 410 is [`ErrorKind::ResultExpired`]. The API key is sent only if
    /// the file is served from the API's own origin. Downloads are retried freely and are not
    /// counted against the API rate limit (the file is served by storage, not by the API).
    ///
    /// ```no_run
    /// # async fn run(client: picwish::PicWish) -> Result<(), ocr_core::Error> {
    /// let info = client.query("your-task-id").await?.data;
    /// let file = client.download(&info).await?;
    /// std::fs::write(&file.name, &file.data).ok();
    /// # Ok(()) }
    /// ```
    pub async fn download(&self, task: &TaskInfo) -> Result<ResultFile> {
        self.download_as(task, None).await
    }

    /// Waits for a task: polls at the configured interval until `state` is 1 or below 0 or the
    /// deadline passes, then downloads the result. A `txt` result becomes the document's lines;
    /// any other format becomes a document artefact. `format` is the format the task was
    /// created with, used when the result URL and content type do not tell.
    ///
    /// A failed task is an error of kind [`ErrorKind::TaskFailed`] or
    /// [`ErrorKind::InvalidInput`] (see [`TaskFailure::error_kind`]) whose code is the state
    /// code and whose source is the [`TaskFailure`]; the deadline is [`ErrorKind::Timeout`].
    ///
    /// ```no_run
    /// # async fn run(client: picwish::PicWish) -> Result<(), ocr_core::Error> {
    /// let doc = client.wait("your-task-id", Some(picwish::ResultFormat::Txt)).await?;
    /// println!("{}", doc.text());
    /// # Ok(()) }
    /// ```
    pub async fn wait(&self, task_id: &str, format: Option<ResultFormat>) -> Result<Document> {
        check_task_id(task_id).map_err(|e| tag(e, Call::Query))?;
        poll_until_done(
            &self.inner.poll,
            task_id,
            || self.check(task_id, format),
            |progress| tracing::debug!(task_id, ?progress, "pending"),
        )
        .await
        .map_err(|e| e.with_provider(PROVIDER_ID).with_operation("Wait"))
    }

    /// Creates a task and waits for its result: [`PicWish::create`] then [`PicWish::wait`].
    ///
    /// ```no_run
    /// # async fn run(client: picwish::PicWish) -> Result<(), ocr_core::Error> {
    /// let task = picwish::CreateTask::from_file("scan.pdf");
    /// let doc = client.run_task(&task).await?;
    /// # Ok(()) }
    /// ```
    pub async fn run_task(&self, task: &CreateTask) -> Result<Document> {
        let created = self.create(task).await?;
        self.wait(&created.data.task_id, task.format()).await
    }

    /// Polls once: pending with progress, failed with the typed failure, or done with the
    /// downloaded result mapped into a document.
    pub(crate) async fn check(
        &self,
        task_id: &str,
        format: Option<ResultFormat>,
    ) -> Result<JobStatus> {
        let response = self.query(task_id).await?;
        let info = response.data;
        Ok(match info.state {
            TaskState::Pending(state) => JobStatus::Pending(Progress {
                percent: info.progress_percent(),
                state: Some(state.name().to_owned()),
            }),
            TaskState::Failed(failure) => {
                JobStatus::Failed(failure_error(task_id, failure, response.message.as_deref()))
            }
            TaskState::Succeeded => {
                let file = self.download_as(&info, format).await?;
                JobStatus::Done(Box::new(file.into_document(info)))
            }
        })
    }

    async fn download_as(
        &self,
        task: &TaskInfo,
        expected: Option<ResultFormat>,
    ) -> Result<ResultFile> {
        let call = Call::Download;
        let task_id = task.task_id.as_deref().unwrap_or_default();
        let file = task
            .file
            .as_deref()
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .ok_or_else(|| {
                tag(
                    Error::decode(format!(
                        "task {task_id} reports no result file URL (state {})",
                        task.state.code()
                    )),
                    call,
                )
            })?;
        let expires_at = task.result_expires_at();
        let service_now = self.service_now_if_known();
        if let (Some(expiry), Some(now)) = (expires_at, service_now) {
            if now >= expiry.saturating_add(EXPIRY_MARGIN.as_secs()) {
                return Err(tag(
                    Error::new(
                        ErrorKind::ResultExpired,
                        format!(
                            "the result of task {task_id} expired {}s ago: its URL is valid for \
                             one hour after completion",
                            now - expiry
                        ),
                    ),
                    call,
                ));
            }
        }
        let url = self
            .inner
            .base
            .join(file)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .ok_or_else(|| {
                tag(
                    Error::decode(format!(
                        "task {task_id} has a result file URL that is not an http(s) URL"
                    )),
                    call,
                )
            })?;
        let send_key = url.origin() == self.inner.base.origin();
        let op = Operation::idempotent(PROVIDER_ID, call.operation());
        let (headers, data) = self
            .inner
            .runtime
            .run(&op, None, |_| async {
                let mut request = self.inner.runtime.http().get(url.clone());
                if send_key {
                    request = request.header(API_KEY_HEADER, self.inner.api_key.clone());
                }
                let (status, headers, body) = self.exchange(request).await?;
                if !(200..300).contains(&status) {
                    let wait = retry_after(&headers, self.inner.clock.local_now());
                    return Err(status_error(call, status, None, wait));
                }
                Ok((headers, body))
            })
            .await?;
        let name = url
            .path_segments()
            .and_then(|mut s| s.next_back())
            .filter(|s| !s.is_empty())
            .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned());
        let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok());
        Ok(ResultFile::new(
            name.as_deref(),
            content_type,
            task_id,
            expected,
            data,
            expires_at,
        ))
    }

    /// The tasks URL, or one task's URL (the id percent-encoded as one path segment).
    fn tasks_url(&self, task_id: Option<&str>) -> Url {
        let mut url = self.inner.base.clone();
        url.set_query(None);
        url.set_fragment(None);
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty().extend(TASKS_PATH);
            if let Some(id) = task_id {
                segments.push(id);
            }
        }
        url
    }

    /// Sends a request and reads the whole response.
    async fn exchange(&self, request: reqwest::RequestBuilder) -> Result<(u16, HeaderMap, Bytes)> {
        let response = request.send().await.map_err(Error::from_reqwest)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(Error::from_reqwest)?;
        Ok((status, headers, body))
    }

    /// Interprets an API response: the HTTP status, then the body's `status`, then `data`.
    fn api_response<T: DeserializeOwned>(
        &self,
        call: Call,
        http: u16,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<ApiResponse<T>> {
        self.learn_clock(headers);
        let envelope = serde_json::from_slice::<RawEnvelope>(body);
        let secret = self.inner.api_key.to_str().unwrap_or_default();
        let message = |env: &RawEnvelope| env.message.as_deref().map(|m| scrub(m, secret));
        let wait = || retry_after(headers, self.inner.clock.local_now());
        if !(200..300).contains(&http) {
            let said = envelope.as_ref().ok().and_then(message);
            return Err(status_error(call, http, said.as_deref(), wait()));
        }
        let envelope = envelope.map_err(|e| {
            Error::decode("the response is not the documented JSON object").with_source(e)
        })?;
        let status = envelope.status.unwrap_or(200);
        if status != 200 {
            let code = u16::try_from(status).unwrap_or(0);
            return Err(
                status_error(call, code, message(&envelope).as_deref(), wait())
                    .with_http_status(http)
                    .with_code(status.to_string()),
            );
        }
        let message = message(&envelope);
        let data = envelope
            .data
            .ok_or_else(|| Error::decode("the response has no data object"))?;
        let data = serde_json::from_value::<T>(data).map_err(|e| {
            Error::decode(format!(
                "the response data does not match the documentation: {e}"
            ))
            .with_source(e)
        })?;
        Ok(ApiResponse {
            status,
            message,
            data,
        })
    }
}

/// Tags an error raised outside the runtime with the provider and the call.
fn tag(err: Error, call: Call) -> Error {
    err.with_provider(PROVIDER_ID)
        .with_operation(call.operation())
}

fn check_task_id(task_id: &str) -> Result<()> {
    if task_id.trim().is_empty() {
        Err(Error::invalid_input(
            "task_id",
            "is empty; pass the task_id returned by the create call",
        ))
    } else {
        Ok(())
    }
}

/// The error a failed task surfaces as: kind by [`TaskFailure::error_kind`], the state code as
/// the code, the documented meaning and the task id in the message, and the typed failure as
/// the source.
fn failure_error(task_id: &str, failure: TaskFailure, server_message: Option<&str>) -> Error {
    let mut message = format!("task {task_id} failed: {}", failure.meaning());
    if let Some(said) = server_message.map(str::trim).filter(|m| {
        !m.is_empty() && !m.eq_ignore_ascii_case("success") && !m.eq_ignore_ascii_case("ok")
    }) {
        message.push_str(" Server said: ");
        message.push_str(said);
    }
    let mut err = Error::new(failure.error_kind(), message)
        .with_provider(PROVIDER_ID)
        .with_operation(Call::Query.operation())
        .with_code(failure.code().to_string())
        .with_retryable(false)
        .with_source(failure);
    if let Some(field) = failure.field() {
        err = err.with_field(field);
    }
    err
}

//! The one place where calls are timed out, rate-limited, retried and traced.
//!
//! Providers describe a call as an [`Operation`] and hand [`Runtime::run`] a closure that makes
//! one attempt (sign, send, parse). The runtime wraps each attempt in the per-attempt timeout,
//! takes a token from the operation's [`RateLimiter`] first, retries as the [`RetryPolicy`]
//! decides, stops at the total timeout, and records it all in a `tracing` span. A limiter that
//! cannot be consulted (a shared store that is down) fails the attempt before anything is sent,
//! so the policy may try again, a billed call included.

use std::borrow::Cow;
use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;
use tracing::Instrument;

use crate::error::{Error, ErrorKind, Result};
use crate::rate_limit::RateLimiter;
use crate::retry::{Decision, Idempotency, RetryPolicy};

/// Timeouts, always on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Establishing a connection.
    pub connect: Duration,
    /// One attempt: sending the request and reading the whole response.
    pub attempt: Duration,
    /// The whole operation, all attempts and backoff included.
    pub total: Duration,
}

impl Default for Timeouts {
    /// 5 s to connect, 60 s per attempt, 180 s in all.
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(5),
            attempt: Duration::from_secs(60),
            total: Duration::from_secs(180),
        }
    }
}

/// Everything a provider client's builder collects about transport behaviour.
///
/// ```
/// use std::time::Duration;
/// use ocr_core::RuntimeConfig;
/// let runtime = RuntimeConfig::default()
///     .with_attempt_timeout(Duration::from_secs(30))
///     .build()
///     .unwrap();
/// assert_eq!(runtime.timeouts().attempt, Duration::from_secs(30));
/// ```
#[derive(Debug, Clone, Default)]
pub struct RuntimeConfig {
    /// Timeouts.
    pub timeouts: Timeouts,
    /// Retry policy.
    pub retry: RetryPolicy,
    /// A caller's HTTP client (proxies, custom CAs, middleware). Its own timeouts apply in
    /// addition to ours; our connect timeout does not (it is set when a client is built).
    pub http_client: Option<reqwest::Client>,
    /// Extra text appended to the `User-Agent`.
    pub user_agent_suffix: Option<String>,
}

impl RuntimeConfig {
    /// Sets the connect timeout.
    pub fn with_connect_timeout(mut self, t: Duration) -> Self {
        self.timeouts.connect = t;
        self
    }

    /// Sets the per-attempt timeout.
    pub fn with_attempt_timeout(mut self, t: Duration) -> Self {
        self.timeouts.attempt = t;
        self
    }

    /// Sets the whole-operation timeout.
    pub fn with_total_timeout(mut self, t: Duration) -> Self {
        self.timeouts.total = t;
        self
    }

    /// Sets the retry policy.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Uses the caller's HTTP client.
    pub fn with_http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Builds the runtime, creating an HTTP client unless one was given.
    pub fn build(self) -> Result<Runtime> {
        if self.timeouts.attempt.is_zero() || self.timeouts.total.is_zero() {
            return Err(Error::config("timeouts must be greater than zero"));
        }
        let http = match self.http_client {
            Some(client) => client,
            None => {
                let mut agent = format!("cloud-ocr/{}", env!("CARGO_PKG_VERSION"));
                if let Some(suffix) = &self.user_agent_suffix {
                    agent.push(' ');
                    agent.push_str(suffix);
                }
                reqwest::Client::builder()
                    .connect_timeout(self.timeouts.connect)
                    .user_agent(agent)
                    .build()
                    .map_err(|e| Error::config("cannot build the HTTP client").with_source(e))?
            }
        };
        Ok(Runtime {
            http,
            retry: self.retry,
            timeouts: self.timeouts,
        })
    }
}

/// A call as the runtime sees it: who, what, and whether it may be resent.
#[derive(Debug, Clone)]
pub struct Operation {
    /// Provider id, e.g. `"tc-ocr"`.
    pub provider: &'static str,
    /// Action or operation name, e.g. `"ExtractDocMulti"`.
    pub name: Cow<'static, str>,
    /// Whether resending it is safe.
    pub idempotency: Idempotency,
}

impl Operation {
    /// A call that may be resent freely (reads, polls).
    pub fn idempotent(provider: &'static str, name: impl Into<Cow<'static, str>>) -> Self {
        Operation {
            provider,
            name: name.into(),
            idempotency: Idempotency::Idempotent,
        }
    }

    /// A billed or task-creating call.
    pub fn billed(provider: &'static str, name: impl Into<Cow<'static, str>>) -> Self {
        Operation {
            provider,
            name: name.into(),
            idempotency: Idempotency::Billed,
        }
    }
}

/// The context of one attempt, handed to the attempt closure.
#[derive(Debug, Clone, Copy)]
pub struct Attempt {
    /// 1-based attempt number.
    pub number: u32,
}

/// An HTTP client with its retry policy and timeouts: cheap to clone, shared by a provider.
#[derive(Debug, Clone)]
pub struct Runtime {
    http: reqwest::Client,
    retry: RetryPolicy,
    timeouts: Timeouts,
}

impl Runtime {
    /// The HTTP client to send with.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The retry policy.
    pub fn retry(&self) -> &RetryPolicy {
        &self.retry
    }

    /// The timeouts.
    pub fn timeouts(&self) -> Timeouts {
        self.timeouts
    }

    /// Runs `attempt` until it succeeds, fails for good, or the total timeout passes.
    ///
    /// Before each attempt a token is taken from `limiter`; when the limiter fails (a shared
    /// backend that cannot be reached), that attempt fails with its error without sending
    /// anything, and is retried if the error is retryable. Each attempt is cut off at the
    /// per-attempt timeout (such a timeout counts as "may have been sent"). Errors are tagged
    /// with the operation's provider and name.
    pub async fn run<T, F, Fut>(
        &self,
        op: &Operation,
        limiter: Option<&RateLimiter>,
        mut attempt: F,
    ) -> Result<T>
    where
        F: FnMut(Attempt) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let span = tracing::debug_span!(
            "ocr_call",
            provider = op.provider,
            operation = %op.name,
            attempts = tracing::field::Empty,
        );
        async {
            let deadline = Instant::now() + self.timeouts.total;
            let mut number = 0u32;
            loop {
                number += 1;
                span_record_attempts(number);
                let acquired = match limiter {
                    Some(limiter) => limiter.acquire().await,
                    None => Ok(()),
                };
                let outcome = match acquired {
                    Err(err) => Err(err.with_maybe_sent(false)),
                    Ok(()) => {
                        let remaining = deadline.saturating_duration_since(Instant::now());
                        let budget = self.timeouts.attempt.min(remaining);
                        match tokio::time::timeout(budget, attempt(Attempt { number })).await {
                            Ok(result) => result,
                            Err(_) => Err(Error::new(
                                ErrorKind::Timeout,
                                format!("no complete response within {}s", budget.as_secs_f64()),
                            )
                            .with_maybe_sent(true)),
                        }
                    }
                };
                let err = match outcome {
                    Ok(value) => return Ok(value),
                    Err(err) => err
                        .with_provider(op.provider)
                        .with_operation(op.name.clone()),
                };
                match self.retry.decide(err, number, op.idempotency) {
                    Decision::GiveUp(err) => {
                        tracing::debug!(error = %err, "giving up");
                        return Err(err);
                    }
                    Decision::RetryAfter(delay) => {
                        if Instant::now() + delay >= deadline {
                            return Err(Error::new(
                                ErrorKind::Timeout,
                                format!(
                                    "gave up after {number} attempts: the total timeout of {}s \
                                     would pass before the next one",
                                    self.timeouts.total.as_secs()
                                ),
                            )
                            .with_provider(op.provider)
                            .with_operation(op.name.clone()));
                        }
                        tracing::debug!(attempt = number, ?delay, "retrying");
                        tokio::time::sleep(delay).await;
                    }
                }
            }
        }
        .instrument(span.clone())
        .await
    }
}

fn span_record_attempts(n: u32) {
    tracing::Span::current().record("attempts", n);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::retry::FixedJitter;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn runtime(attempts: u32) -> Runtime {
        RuntimeConfig::default()
            .with_retry(
                RetryPolicy::default()
                    .with_max_attempts(attempts)
                    .with_jitter(FixedJitter(1.0)),
            )
            .with_attempt_timeout(Duration::from_secs(2))
            .with_total_timeout(Duration::from_secs(30))
            .build()
            .unwrap()
    }

    #[tokio::test(start_paused = true)]
    async fn retries_throttling_then_succeeds() {
        let calls = AtomicU32::new(0);
        let rt = runtime(3);
        let out = rt
            .run(&Operation::billed("p", "Submit"), None, |a| {
                calls.fetch_add(1, Ordering::SeqCst);
                async move {
                    if a.number < 3 {
                        Err(Error::new(ErrorKind::Throttled, "slow down"))
                    } else {
                        Ok(a.number)
                    }
                }
            })
            .await
            .unwrap();
        assert_eq!(out, 3);
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn attempt_timeout_of_billed_call_is_outcome_unknown() {
        let calls = AtomicU32::new(0);
        let err = runtime(3)
            .run(&Operation::billed("p", "Submit"), None, |_| {
                calls.fetch_add(1, Ordering::SeqCst);
                async {
                    tokio::time::sleep(Duration::from_secs(10)).await;
                    Ok(())
                }
            })
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::OutcomeUnknown);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(err.provider(), Some("p"));
        assert_eq!(err.operation(), Some("Submit"));
    }

    #[tokio::test(start_paused = true)]
    async fn attempt_timeout_of_poll_is_retried() {
        let calls = AtomicU32::new(0);
        let err = runtime(3)
            .run(&Operation::idempotent("p", "Poll"), None, |_| {
                calls.fetch_add(1, Ordering::SeqCst);
                async {
                    tokio::time::sleep(Duration::from_secs(10)).await;
                    Ok(())
                }
            })
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Timeout);
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn an_undecodable_answer_to_a_read_is_read_again() {
        let calls = AtomicU32::new(0);
        let out = runtime(3)
            .run(&Operation::idempotent("p", "Poll"), None, |a| {
                calls.fetch_add(1, Ordering::SeqCst);
                async move {
                    if a.number == 1 {
                        Err(Error::decode("the response is not JSON"))
                    } else {
                        Ok(a.number)
                    }
                }
            })
            .await
            .unwrap();
        assert_eq!(out, 2);
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn an_undecodable_answer_to_a_billed_call_is_not_resent() {
        let calls = AtomicU32::new(0);
        let err = runtime(3)
            .run(&Operation::billed("p", "Submit"), None, |_| {
                calls.fetch_add(1, Ordering::SeqCst);
                async { Err::<(), _>(Error::decode("the response is not JSON")) }
            })
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::OutcomeUnknown);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(err.operation(), Some("Submit"));
    }

    #[tokio::test(start_paused = true)]
    async fn non_retryable_error_returns_at_once() {
        let calls = AtomicU32::new(0);
        let err = runtime(3)
            .run(&Operation::idempotent("p", "Poll"), None, |_| {
                calls.fetch_add(1, Ordering::SeqCst);
                async { Err::<(), _>(Error::new(ErrorKind::Auth, "bad key").with_code("A")) }
            })
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Auth);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn total_timeout_stops_retrying() {
        let rt = RuntimeConfig::default()
            .with_retry(
                RetryPolicy::default()
                    .with_max_attempts(100)
                    .with_base_delay(Duration::from_secs(4))
                    .with_max_delay(Duration::from_secs(4))
                    .with_jitter(FixedJitter(1.0)),
            )
            .with_total_timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        let start = Instant::now();
        let calls = AtomicU32::new(0);
        let err = rt
            .run(&Operation::idempotent("p", "Poll"), None, |_| {
                calls.fetch_add(1, Ordering::SeqCst);
                async { Err::<(), _>(Error::new(ErrorKind::Throttled, "x")) }
            })
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Timeout);
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        assert!(start.elapsed() <= Duration::from_secs(10));
    }

    #[tokio::test(start_paused = true)]
    async fn limiter_spaces_attempts() {
        let limiter = RateLimiter::new(1.0, 1);
        let rt = runtime(1);
        let start = Instant::now();
        for _ in 0..3 {
            rt.run(
                &Operation::idempotent("p", "x"),
                Some(&limiter),
                |_| async { Ok(()) },
            )
            .await
            .unwrap();
        }
        assert_eq!(start.elapsed(), Duration::from_secs(2));
    }

    /// Fails the first `failures` acquisitions (retryable), then lets everything through.
    #[derive(Debug)]
    struct Flaky {
        failures: AtomicU32,
    }

    #[async_trait::async_trait]
    impl crate::rate_limit::RateLimitBackend for Flaky {
        async fn acquire(&self, _: &crate::rate_limit::LimitKey, _: f64) -> Result<()> {
            let left = self.failures.load(Ordering::SeqCst);
            if left == 0 {
                return Ok(());
            }
            self.failures.store(left - 1, Ordering::SeqCst);
            Err(
                Error::new(ErrorKind::Service, "the shared limiter is unreachable")
                    .with_retryable(true),
            )
        }
    }

    fn flaky_limiter(failures: u32) -> RateLimiter {
        let backend = std::sync::Arc::new(Flaky {
            failures: AtomicU32::new(failures),
        });
        let account = crate::rate_limit::AccountId::new("a");
        RateLimiter::with_backend(backend, "p", account, "Submit", 1.0)
    }

    #[tokio::test(start_paused = true)]
    async fn a_limiter_failure_sends_nothing_and_is_retried_even_for_a_billed_call() {
        let calls = AtomicU32::new(0);
        let limiter = flaky_limiter(1);
        let out = runtime(3)
            .run(&Operation::billed("p", "Submit"), Some(&limiter), |a| {
                calls.fetch_add(1, Ordering::SeqCst);
                async move { Ok(a.number) }
            })
            .await
            .unwrap();
        assert_eq!((out, calls.load(Ordering::SeqCst)), (2, 1));

        let limiter = flaky_limiter(5);
        let calls = AtomicU32::new(0);
        let err = runtime(3)
            .run(&Operation::billed("p", "Submit"), Some(&limiter), |_| {
                calls.fetch_add(1, Ordering::SeqCst);
                async { Ok(()) }
            })
            .await
            .unwrap_err();
        assert_eq!(calls.load(Ordering::SeqCst), 0, "nothing was sent");
        assert_eq!(err.kind(), ErrorKind::Service, "{err}");
        assert!(!err.maybe_sent());
        assert!(
            err.to_string().contains("shared limiter is unreachable"),
            "{err}"
        );
        assert_eq!(err.operation(), Some("Submit"));
    }

    #[test]
    fn zero_timeouts_are_a_config_error() {
        let err = RuntimeConfig::default()
            .with_total_timeout(Duration::ZERO)
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
    }
}

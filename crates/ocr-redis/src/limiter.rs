//! [`RedisRateLimiter`]: the [`RateLimitBackend`] whose budgets live in Redis.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ocr_core::async_trait;
use ocr_core::rate_limit::{InProcessBackend, LimitKey, RateLimitBackend};
use ocr_core::{Error, ErrorKind, Result};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

/// The prefix of every key this crate writes: `cloud-ocr:rl:<provider>:<account>:<action>`.
pub const KEY_PREFIX: &str = "cloud-ocr:rl:";

/// The script every request runs on the server (GCRA on the server's clock; see the file for
/// its keys and arguments).
pub const GCRA_SCRIPT: &str = include_str!("gcra.lua");

/// How long a connection attempt may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// How long one round trip to Redis may take by default before it counts as a failure.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);

/// How long a key outlives the moment its budget is whole again.
const KEEP_MS: u64 = 10_000;

/// While Redis is failing and the local fallback is on, how long the fallback is used without
/// asking Redis again.
const RETRY_REDIS_AFTER: Duration = Duration::from_secs(1);

/// Connects a [`ConnectionManager`] to `url`, checking that Redis answers; errors name the
/// URL without its password and `what` connects (`rate limiter`, `coordinator`).
pub(crate) async fn connect_manager(url: &str, what: &str) -> Result<(ConnectionManager, String)> {
    let shown_url = ocr_core::redact::url(url);
    let client = redis::Client::open(url).map_err(|e| {
        Error::config(format!("the Redis URL {shown_url} is not valid: {e}")).with_source(e)
    })?;
    let config = ConnectionManagerConfig::new()
        .set_connection_timeout(Some(CONNECT_TIMEOUT))
        .set_number_of_retries(1)
        .set_min_delay(Duration::from_millis(50));
    let manager = tokio::time::timeout(
        CONNECT_TIMEOUT * 2,
        ConnectionManager::new_with_config(client, config),
    )
    .await
    .map_err(|_| {
        Error::config(format!(
            "cannot connect to the Redis {what} at {shown_url}: no answer within {}s",
            (CONNECT_TIMEOUT * 2).as_secs()
        ))
    })?
    .map_err(|e| {
        Error::config(format!(
            "cannot connect to the Redis {what} at {shown_url}: {e}"
        ))
        .with_source(e)
    })?;
    Ok((manager, shown_url))
}

/// The Redis key of a budget: `cloud-ocr:rl:<provider>:<account>:<action>`.
///
/// ```
/// use ocr_core::rate_limit::LimitKey;
/// let key = LimitKey::new("tc-ocr", "a32804e1e31f8d1a", "ExtractDocMulti");
/// assert_eq!(ocr_redis::redis_key(&key), "cloud-ocr:rl:tc-ocr:a32804e1e31f8d1a:ExtractDocMulti");
/// ```
pub fn redis_key(key: &LimitKey) -> String {
    format!(
        "{KEY_PREFIX}{}:{}:{}",
        key.provider, key.account, key.action
    )
}

/// A rate limiter shared by every process that uses the same Redis: each request runs one
/// atomic script ([`GCRA_SCRIPT`]) that admits it or says how long to wait, on the server's
/// clock, so N processes of one account together stay within the account's limit.
///
/// Cheap to share: hand one `Arc` to every client with
/// [`ConfigureClient::rate_limit_backend`](ocr_core::ConfigureClient::rate_limit_backend).
/// The connection is multiplexed and re-established after a failure.
///
/// When Redis cannot be reached, [`acquire`](RateLimitBackend::acquire) fails (a retryable
/// [`ErrorKind::Service`] naming the URL without its password; the runtime then sends nothing)
/// unless [`with_local_fallback`](Self::with_local_fallback) is on: then the limit is kept in
/// this process, and a warning is logged once per outage.
pub struct RedisRateLimiter {
    manager: ConnectionManager,
    shown_url: String,
    script: redis::Script,
    burst: u32,
    timeout: Duration,
    fallback: Option<InProcessBackend>,
    /// Whether the fallback is in use (the warning was logged).
    falling_back: AtomicBool,
    /// When Redis last failed, while the fallback is in use.
    failed_at: Mutex<Option<Instant>>,
}

impl RedisRateLimiter {
    /// Connects to Redis at `url` (`redis://[[user]:password@]host[:port][/db]`; TLS,
    /// `rediss://`, is not built in), checking that it answers.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Config`] naming the URL (without its password) when the URL is not valid
    /// or Redis cannot be reached within [`CONNECT_TIMEOUT`].
    pub async fn connect(url: &str) -> Result<Self> {
        let (manager, shown_url) = connect_manager(url, "rate limiter").await?;
        Ok(RedisRateLimiter {
            manager,
            shown_url,
            script: redis::Script::new(GCRA_SCRIPT),
            burst: 1,
            timeout: DEFAULT_TIMEOUT,
            fallback: None,
            falling_back: AtomicBool::new(false),
            failed_at: Mutex::new(None),
        })
    }

    /// When Redis cannot be reached, keep the limits in this process (each process then
    /// allows the whole rate on its own) and log a warning once per outage, instead of
    /// failing the request. Off by default. While Redis keeps failing it is asked again at
    /// most once a second.
    pub fn with_local_fallback(mut self, fallback: bool) -> Self {
        self.fallback = fallback.then(InProcessBackend::new);
        self
    }

    /// How many requests may go at once after a quiet spell (default 1: evenly spaced).
    pub fn with_burst(mut self, burst: u32) -> Self {
        self.burst = burst.max(1);
        self
    }

    /// How long one round trip to Redis may take before it counts as a failure (default
    /// [`DEFAULT_TIMEOUT`]).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The Redis URL without its password.
    pub fn url(&self) -> &str {
        &self.shown_url
    }

    /// Whether the last request was limited locally because Redis could not be reached.
    pub fn is_falling_back(&self) -> bool {
        self.falling_back.load(Ordering::SeqCst)
    }

    /// Runs the script until it admits the request, sleeping as long as it says.
    async fn acquire_shared(&self, key: &str, interval_us: u64) -> Result<()> {
        let mut connection = self.manager.clone();
        loop {
            let mut invocation = self.script.key(key);
            invocation.arg(interval_us).arg(self.burst).arg(KEEP_MS);
            let answer: redis::RedisResult<u64> =
                match tokio::time::timeout(self.timeout, invocation.invoke_async(&mut connection))
                    .await
                {
                    Ok(answer) => answer,
                    Err(_) => {
                        return Err(self.unreachable(
                            &format!("no answer within {}s", self.timeout.as_secs_f64()),
                            true,
                        ))
                    }
                };
            let wait_ms = answer.map_err(|e| {
                let transient = e.is_io_error()
                    || e.is_timeout()
                    || e.is_connection_dropped()
                    || e.is_connection_refusal();
                self.unreachable(&e.to_string(), transient).with_source(e)
            })?;
            if wait_ms == 0 {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(wait_ms)).await;
        }
    }

    fn unreachable(&self, why: &str, retryable: bool) -> Error {
        Error::new(
            ErrorKind::Service,
            format!(
                "the shared rate limiter (Redis at {}) failed: {why}; the request was not sent",
                self.shown_url
            ),
        )
        .with_retryable(retryable)
    }

    /// Whether Redis failed less than [`RETRY_REDIS_AFTER`] ago (fallback on).
    fn failed_recently(&self) -> bool {
        let failed_at = match self.failed_at.lock() {
            Ok(guard) => *guard,
            Err(poisoned) => *poisoned.into_inner(),
        };
        failed_at.is_some_and(|at| at.elapsed() < RETRY_REDIS_AFTER)
    }

    fn set_failed_at(&self, at: Option<Instant>) {
        match self.failed_at.lock() {
            Ok(mut guard) => *guard = at,
            Err(poisoned) => *poisoned.into_inner() = at,
        }
    }
}

#[async_trait]
impl RateLimitBackend for RedisRateLimiter {
    async fn acquire(&self, key: &LimitKey, per_second: f64) -> Result<()> {
        if !(per_second.is_finite() && per_second > 0.0) {
            return Err(Error::config(format!(
                "the rate limit of {key} must be a positive number of requests per second, \
                 not {per_second}"
            )));
        }
        let interval_us = (1_000_000.0 / per_second).round().max(1.0) as u64;
        if let Some(local) = &self.fallback {
            if self.failed_recently() {
                return local.acquire(key, per_second).await;
            }
        }
        match self.acquire_shared(&redis_key(key), interval_us).await {
            Ok(()) => {
                if self.falling_back.swap(false, Ordering::SeqCst) {
                    self.set_failed_at(None);
                    tracing::info!(
                        redis = %self.shown_url,
                        "the shared rate limiter is reachable again; limits are shared again"
                    );
                }
                Ok(())
            }
            Err(err) => {
                let Some(local) = &self.fallback else {
                    return Err(err);
                };
                self.set_failed_at(Some(Instant::now()));
                if !self.falling_back.swap(true, Ordering::SeqCst) {
                    tracing::warn!(
                        redis = %self.shown_url,
                        error = %err,
                        "the shared rate limiter cannot be reached: limiting in this process \
                         only until it is back (other processes are not counted)"
                    );
                }
                local.acquire(key, per_second).await
            }
        }
    }
}

impl fmt::Debug for RedisRateLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisRateLimiter")
            .field("url", &self.shown_url)
            .field("burst", &self.burst)
            .field("timeout", &self.timeout)
            .field("local_fallback", &self.fallback.is_some())
            .field("falling_back", &self.is_falling_back())
            .finish()
    }
}

/// Checks a name that becomes part of Redis keys (a run id, a namespace): 1 to 128 letters,
/// digits, `-`, `_` or `.`, so it can never reach into another key's `:`-separated parts.
pub(crate) fn check_segment(value: &str, what: &str, field: &'static str) -> Result<()> {
    let ok = !value.is_empty()
        && value.len() <= 128
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        return Ok(());
    }
    Err(Error::config(format!(
        "{what} `{value}` must be 1 to 128 letters, digits, `-`, `_` or `.`"
    ))
    .with_field(field))
}

//! [`RedisJobs`]: jobs kept in Redis under keys the caller chooses, with leases for the
//! workers that poll them: the Redis side of `cloud_ocr::jobs::JobStore`.
//!
//! Layout (`<ns>` is the namespace, `<key>` the caller's key):
//!
//! ```text
//! cloud-ocr:jobs:<ns>:<key>        string  the job (JSON)
//! cloud-ocr:jobs-index:<ns>        set     every <key> that holds a job
//! cloud-ocr:jobs-lease:<ns>:<key>  string  the worker holding the lease (expires: PX)
//! ```
//!
//! The namespace holds no `:`, so the three kinds of key never collide.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use ocr_core::job_store::{validate_key, validate_lease};
use ocr_core::{Error, ErrorKind, Job, JobStore, Result};
use redis::aio::ConnectionManager;

use crate::limiter::{check_segment, connect_manager, DEFAULT_TIMEOUT};

/// The prefix of every job key: `cloud-ocr:jobs:<namespace>:<key>`.
pub const JOBS_PREFIX: &str = "cloud-ocr:jobs:";

/// The longest job key, in characters (the rule of [`ocr_core::job_store::validate_key`]).
pub const MAX_JOB_KEY_CHARS: usize = ocr_core::job_store::MAX_KEY_CHARS;

/// Takes or renews a lease atomically: `SET NX PX` when free, `PEXPIRE` when the caller holds
/// it already, else nothing. Answers 1 when the lease is the caller's.
const LEASE_SCRIPT: &str = r"
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return 1
end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
";

/// Jobs in Redis under keys the caller chooses, shared by every process: a request handler
/// [`put`](Self::put)s the job it submitted, workers list the [`keys`](Self::keys),
/// [`lease`](Self::lease) one, poll it and [`remove`](Self::remove) it when done.
///
/// It implements [`ocr_core::JobStore`], as `cloud_ocr::jobs::FileJobStore` does, so either
/// is an `Arc<dyn JobStore>`. Leases hold across machines: they are taken on the
/// server (`SET NX PX`) and expire on the server's clock.
///
/// Cheap to clone (one multiplexed connection, re-established after a failure).
#[derive(Clone)]
pub struct RedisJobs {
    manager: ConnectionManager,
    shown_url: String,
    namespace: String,
    lease: redis::Script,
    timeout: Duration,
}

impl fmt::Debug for RedisJobs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisJobs")
            .field("url", &self.shown_url)
            .field("namespace", &self.namespace)
            .finish()
    }
}

impl RedisJobs {
    /// Connects to Redis at `url` and keeps jobs under `namespace` (1 to 128 letters, digits,
    /// `-`, `_` or `.`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Config`] naming the URL without its password when it is not valid or
    /// Redis does not answer, or when `namespace` breaks its rule.
    pub async fn connect(url: &str, namespace: &str) -> Result<Self> {
        check_segment(namespace, "the job namespace", "namespace")?;
        let (manager, shown_url) = connect_manager(url, "job store").await?;
        Ok(RedisJobs {
            manager,
            shown_url,
            namespace: namespace.to_owned(),
            lease: redis::Script::new(LEASE_SCRIPT),
            timeout: DEFAULT_TIMEOUT,
        })
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

    /// The namespace.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The Redis key of the job under `key`: `cloud-ocr:jobs:<namespace>:<key>`.
    pub fn job_key(&self, key: &str) -> String {
        format!("{JOBS_PREFIX}{}:{key}", self.namespace)
    }

    fn index_key(&self) -> String {
        format!("cloud-ocr:jobs-index:{}", self.namespace)
    }

    fn lease_key(&self, key: &str) -> String {
        format!("cloud-ocr:jobs-lease:{}:{key}", self.namespace)
    }

    async fn timed<T>(
        &self,
        what: impl std::future::Future<Output = redis::RedisResult<T>>,
    ) -> Result<T> {
        let unreachable = |why: &str| {
            Error::new(
                ErrorKind::Service,
                format!(
                    "the job store (Redis at {}) cannot be reached: {why}",
                    self.shown_url
                ),
            )
            .with_retryable(true)
        };
        match tokio::time::timeout(self.timeout, what).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(unreachable(&e.to_string()).with_source(e)),
            Err(_) => Err(unreachable(&format!(
                "no answer within {}s",
                self.timeout.as_secs_f64()
            ))),
        }
    }
}

#[async_trait]
impl JobStore for RedisJobs {
    /// Stores `job` under `key`, replacing any job there (job and index in one transaction).
    async fn put(&self, key: &str, job: &Job) -> Result<()> {
        validate_key(key)?;
        let json = serde_json::to_string(job)
            .map_err(|e| Error::new(ErrorKind::Decode, format!("cannot encode a job: {e}")))?;
        let mut c = self.manager.clone();
        let mut pipe = redis::pipe();
        pipe.atomic()
            .set(self.job_key(key), json)
            .ignore()
            .sadd(self.index_key(), key)
            .ignore();
        self.timed(pipe.query_async::<()>(&mut c)).await
    }

    /// The job under `key`, if any.
    async fn get(&self, key: &str) -> Result<Option<Job>> {
        validate_key(key)?;
        let mut c = self.manager.clone();
        let json: Option<String> = self
            .timed(redis::cmd("GET").arg(self.job_key(key)).query_async(&mut c))
            .await?;
        json.map(|json| {
            serde_json::from_str(&json).map_err(|e| {
                Error::new(
                    ErrorKind::Decode,
                    format!("the job store holds an unreadable job under `{key}`: {e}"),
                )
            })
        })
        .transpose()
    }

    /// Removes the job under `key` and its lease (nothing to remove is not an error).
    async fn remove(&self, key: &str) -> Result<()> {
        validate_key(key)?;
        let mut c = self.manager.clone();
        let mut pipe = redis::pipe();
        pipe.atomic()
            .del(self.job_key(key))
            .ignore()
            .del(self.lease_key(key))
            .ignore()
            .srem(self.index_key(), key)
            .ignore();
        self.timed(pipe.query_async::<()>(&mut c)).await
    }

    /// Every key that holds a job, sorted (from the index set, never `KEYS`).
    async fn keys(&self) -> Result<Vec<String>> {
        let mut c = self.manager.clone();
        let mut keys: Vec<String> = self
            .timed(
                redis::cmd("SMEMBERS")
                    .arg(self.index_key())
                    .query_async(&mut c),
            )
            .await?;
        keys.sort();
        Ok(keys)
    }

    /// Claims `key` for `worker` for `ttl` (at least 1 ms), on the server's clock: `true`
    /// when the lease is now `worker`'s (taken, or renewed because `worker` held it already),
    /// `false` when another worker holds an unexpired lease.
    async fn lease(&self, key: &str, worker: &str, ttl: Duration) -> Result<bool> {
        validate_lease(key, worker)?;
        let ms = (ttl.as_millis() as u64).max(1);
        let mut c = self.manager.clone();
        let mut invocation = self.lease.key(self.lease_key(key));
        invocation.arg(worker).arg(ms);
        let answer: i64 = self.timed(invocation.invoke_async(&mut c)).await?;
        Ok(answer == 1)
    }
}

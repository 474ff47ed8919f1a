//! [`JobStore`]: submitted jobs kept between the code that submits and the workers that poll.
//!
//! Implemented by `cloud_ocr::jobs::FileJobStore` (one machine) and `ocr_redis::RedisJobs`
//! (any number of machines); both are an `Arc<dyn JobStore>`.

use std::fmt::Debug;
use std::time::Duration;

use async_trait::async_trait;

use crate::error::{Error, Result};
use crate::job::Job;

/// The longest key, in characters.
pub const MAX_KEY_CHARS: usize = 200;

/// Jobs kept under keys the caller chooses (a request id, an upload id …), shared by the code
/// that submits and the workers that poll.
///
/// A worker [`lease`](JobStore::lease)s a key before polling it, so that two workers do not
/// poll (and finish) the same job at once. Nothing here ever submits: a job in the store was
/// submitted once, and is only polled.
///
/// Object safe: hand an `Arc<dyn JobStore>` to handlers and workers.
#[async_trait]
pub trait JobStore: Send + Sync + Debug {
    /// Stores `job` under `key`, replacing any job there.
    async fn put(&self, key: &str, job: &Job) -> Result<()>;

    /// The job under `key`, if any.
    async fn get(&self, key: &str) -> Result<Option<Job>>;

    /// Removes the job under `key` and its lease (nothing to remove is not an error).
    async fn remove(&self, key: &str) -> Result<()>;

    /// Every key that holds a job, sorted.
    async fn keys(&self) -> Result<Vec<String>>;

    /// Claims `key` for `worker` for `ttl`: `true` when the lease is now `worker`'s (taken, or
    /// renewed because `worker` held it already), `false` when another worker holds an
    /// unexpired lease. Does not check that a job is stored under `key`.
    async fn lease(&self, key: &str, worker: &str, ttl: Duration) -> Result<bool>;
}

/// Checks a job key: 1 to [`MAX_KEY_CHARS`] characters, no control character and no `/`.
///
/// # Errors
///
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) naming the rule the key breaks
/// (field `key`).
///
/// ```
/// use ocr_core::job_store::validate_key;
/// assert!(validate_key("req-42").is_ok());
/// let err = validate_key("a/b").unwrap_err();
/// assert!(err.to_string().contains("`/`"));
/// ```
pub fn validate_key(key: &str) -> Result<()> {
    let rule = if key.is_empty() {
        "must not be empty".to_owned()
    } else if key.chars().count() > MAX_KEY_CHARS {
        format!("must be at most {MAX_KEY_CHARS} characters")
    } else if key.chars().any(char::is_control) {
        "must not hold control characters".to_owned()
    } else if key.contains('/') {
        "must not hold `/`".to_owned()
    } else {
        return Ok(());
    };
    Err(Error::invalid_input("key", format!("a job key {rule}")))
}

/// Checks what [`JobStore::lease`] is given: the key ([`validate_key`]) and a worker name that
/// is not empty.
///
/// ```
/// use ocr_core::job_store::validate_lease;
/// assert!(validate_lease("req-42", "worker-1").is_ok());
/// assert_eq!(validate_lease("req-42", "").unwrap_err().field(), Some("worker"));
/// ```
pub fn validate_lease(key: &str, worker: &str) -> Result<()> {
    validate_key(key)?;
    if worker.is_empty() {
        return Err(Error::invalid_input(
            "worker",
            "a worker name must not be empty",
        ));
    }
    Ok(())
}

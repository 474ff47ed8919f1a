//! Submitted jobs kept between a request handler and the workers that poll them: the
//! [`JobStore`] trait and [`FileJobStore`], one JSON file per job in a folder.
//!
//! The trait lives in `ocr-core`, so the Redis store, `ocr_redis::RedisJobs` (crate
//! `ocr-redis`), implements it too: either is an `Arc<dyn JobStore>`.
//!
//! Keys are checked by [`validate_key`]: 1 to [`MAX_KEY_CHARS`] characters, no control
//! character, no `/`.

use std::fmt::Debug;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use ocr_core::{Error, ErrorKind, Job, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use ocr_core::job_store::{validate_key, validate_lease, JobStore, MAX_KEY_CHARS};

/// Jobs as JSON files in one folder: `<id>.json` holds the key and the job, `<id>.lease` the
/// lease, where `<id>` is the first 32 hex digits of SHA-256 of the key (any key makes a safe
/// file name).
///
/// Every file is written whole or not at all (a temporary file renamed into place), so a
/// reader never sees half a job. Leases are best effort and for one machine: taking a free
/// lease is atomic (the file is created only if absent), but two processes taking over the
/// same expired lease at the same instant may both succeed, and leases on a network file
/// system are not reliable. Workers on several machines need the Redis store
/// (`ocr_redis::RedisJobs`).
#[derive(Debug, Clone)]
pub struct FileJobStore {
    dir: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct StoredJob {
    key: String,
    job: Job,
}

#[derive(Serialize, Deserialize)]
struct StoredLease {
    worker: String,
    /// Unix time in ms when the lease ends.
    until_ms: u64,
}

impl FileJobStore {
    /// A store in `dir` (created at the first write).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        FileJobStore { dir: dir.into() }
    }

    /// Its folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn file_id(key: &str) -> String {
        hex::encode(&Sha256::digest(key.as_bytes())[..16])
    }

    fn job_path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{}.json", Self::file_id(key)))
    }

    fn lease_path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{}.lease", Self::file_id(key)))
    }

    async fn blocking<T: Send + 'static>(
        what: &str,
        f: impl FnOnce() -> Result<T> + Send + 'static,
    ) -> Result<T> {
        tokio::task::spawn_blocking(f).await.map_err(|e| {
            Error::new(
                ErrorKind::Service,
                format!("the job store's {what} task failed: {e}"),
            )
        })?
    }
}

fn io_error(what: &str, path: &Path, e: std::io::Error) -> Error {
    Error::new(
        ErrorKind::Service,
        format!("the job store cannot {what} {}: {e}", path.display()),
    )
    .with_source(e)
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_millis() as u64
}

/// Writes `bytes` to `target` whole or not at all.
fn write_atomic(dir: &Path, target: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| io_error("create", dir, e))?;
    let mut file =
        tempfile::NamedTempFile::new_in(dir).map_err(|e| io_error("write in", dir, e))?;
    std::io::Write::write_all(&mut file, bytes).map_err(|e| io_error("write", target, e))?;
    file.persist(target)
        .map_err(|e| io_error("write", target, e.error))?;
    Ok(())
}

/// Reads `path`; `None` when it does not exist.
fn read_optional(path: &Path) -> Result<Option<Vec<u8>>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_error("read", path, e)),
    }
}

fn remove_optional(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_error("remove", path, e)),
    }
}

fn damaged(path: &Path, e: serde_json::Error) -> Error {
    Error::new(
        ErrorKind::Decode,
        format!("the job store file {} is damaged: {e}", path.display()),
    )
}

fn lease_bytes(worker: &str, until_ms: u64) -> Result<Vec<u8>> {
    serde_json::to_vec(&StoredLease {
        worker: worker.to_owned(),
        until_ms,
    })
    .map_err(|e| Error::new(ErrorKind::Decode, format!("cannot encode a lease: {e}")))
}

#[async_trait]
impl JobStore for FileJobStore {
    async fn put(&self, key: &str, job: &Job) -> Result<()> {
        validate_key(key)?;
        let bytes = serde_json::to_vec(&StoredJob {
            key: key.to_owned(),
            job: job.clone(),
        })
        .map_err(|e| Error::new(ErrorKind::Decode, format!("cannot encode a job: {e}")))?;
        let (dir, path) = (self.dir.clone(), self.job_path(key));
        Self::blocking("write", move || write_atomic(&dir, &path, &bytes)).await
    }

    async fn get(&self, key: &str) -> Result<Option<Job>> {
        validate_key(key)?;
        let path = self.job_path(key);
        let read = path.clone();
        let Some(bytes) = Self::blocking("read", move || read_optional(&read)).await? else {
            return Ok(None);
        };
        let stored: StoredJob = serde_json::from_slice(&bytes).map_err(|e| damaged(&path, e))?;
        Ok(Some(stored.job))
    }

    async fn remove(&self, key: &str) -> Result<()> {
        validate_key(key)?;
        let (job, lease) = (self.job_path(key), self.lease_path(key));
        Self::blocking("remove", move || {
            remove_optional(&job)?;
            remove_optional(&lease)
        })
        .await
    }

    async fn keys(&self) -> Result<Vec<String>> {
        let dir = self.dir.clone();
        Self::blocking("list", move || {
            let entries = match std::fs::read_dir(&dir) {
                Ok(entries) => entries,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
                Err(e) => return Err(io_error("list", &dir, e)),
            };
            let mut keys = Vec::new();
            for entry in entries {
                let path = entry.map_err(|e| io_error("list", &dir, e))?.path();
                if path.extension().and_then(|e| e.to_str()) != Some("json") {
                    continue;
                }
                // Removed since the listing: not a key any more.
                let Some(bytes) = read_optional(&path)? else {
                    continue;
                };
                let stored: StoredJob =
                    serde_json::from_slice(&bytes).map_err(|e| damaged(&path, e))?;
                keys.push(stored.key);
            }
            keys.sort();
            Ok(keys)
        })
        .await
    }

    async fn lease(&self, key: &str, worker: &str, ttl: Duration) -> Result<bool> {
        validate_lease(key, worker)?;
        let (dir, path) = (self.dir.clone(), self.lease_path(key));
        let worker = worker.to_owned();
        Self::blocking("lease", move || {
            let now = now_ms();
            let bytes = lease_bytes(&worker, now.saturating_add(ttl.as_millis() as u64))?;
            std::fs::create_dir_all(&dir).map_err(|e| io_error("create", &dir, e))?;
            // A free lease: created only if absent, so one process of several wins.
            let mut file =
                tempfile::NamedTempFile::new_in(&dir).map_err(|e| io_error("write in", &dir, e))?;
            std::io::Write::write_all(&mut file, &bytes)
                .map_err(|e| io_error("write", &path, e))?;
            match file.persist_noclobber(&path) {
                Ok(_) => return Ok(true),
                Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(io_error("write", &path, e.error)),
            }
            // Held: ours (renew) or expired (take over); a damaged lease counts as expired.
            let Some(held) = read_optional(&path)? else {
                // Released meanwhile: it is free; try once more next time.
                return Ok(false);
            };
            let free = match serde_json::from_slice::<StoredLease>(&held) {
                Ok(lease) => lease.worker == worker || lease.until_ms <= now,
                Err(_) => true,
            };
            if !free {
                return Ok(false);
            }
            write_atomic(&dir, &path, &bytes)?;
            Ok(true)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use ocr_core::PageTask;
    use std::sync::Arc;

    fn job_with_pages() -> Job {
        let mut job = Job::new("cos-ci", "j1", 1_700_000_000).with_meta("region", "ap-beijing");
        job.page_tasks = vec![PageTask::new(1, "j1"), PageTask::new(2, "j2")];
        job.pages_requested = vec![1, 2];
        job
    }

    #[tokio::test]
    async fn jobs_round_trip_through_files() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn JobStore> = Arc::new(FileJobStore::new(dir.path().join("jobs")));
        assert!(store.keys().await.unwrap().is_empty());
        assert!(store.get("req-1").await.unwrap().is_none());

        let job = job_with_pages();
        store.put("req-1", &job).await.unwrap();
        store
            .put("req 2: ünïcode", &Job::new("lkeap", "t2", 0))
            .await
            .unwrap();
        assert_eq!(store.get("req-1").await.unwrap(), Some(job.clone()));
        assert_eq!(
            store.get("req-1").await.unwrap().unwrap().page_tasks[1].task_id,
            "j2"
        );
        assert_eq!(
            store.keys().await.unwrap(),
            vec!["req 2: ünïcode".to_owned(), "req-1".to_owned()]
        );

        // Replacing keeps one entry; removing twice is fine.
        store
            .put("req-1", &Job::new("lkeap", "t3", 0))
            .await
            .unwrap();
        assert_eq!(store.keys().await.unwrap().len(), 2);
        store.remove("req-1").await.unwrap();
        store.remove("req-1").await.unwrap();
        assert!(store.get("req-1").await.unwrap().is_none());
        assert_eq!(
            store.keys().await.unwrap(),
            vec!["req 2: ünïcode".to_owned()]
        );
        // Only job and lease files, nothing left over from atomic writes.
        let files = std::fs::read_dir(dir.path().join("jobs")).unwrap().count();
        assert_eq!(files, 1);
    }

    #[tokio::test]
    async fn a_lease_refuses_other_workers_until_it_expires() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileJobStore::new(dir.path());
        store.put("k", &job_with_pages()).await.unwrap();
        let ttl = Duration::from_millis(300);
        assert!(store.lease("k", "w1", ttl).await.unwrap());
        assert!(!store.lease("k", "w2", ttl).await.unwrap());
        // The holder renews.
        assert!(store.lease("k", "w1", ttl).await.unwrap());
        assert!(!store.lease("k", "w2", ttl).await.unwrap());
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert!(store.lease("k", "w2", ttl).await.unwrap());
        assert!(!store.lease("k", "w1", ttl).await.unwrap());
        // Removing the job frees its lease.
        store.remove("k").await.unwrap();
        assert!(store.lease("k", "w1", ttl).await.unwrap());
    }

    #[tokio::test]
    async fn bad_keys_are_refused_naming_the_rule() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileJobStore::new(dir.path());
        let long = "x".repeat(MAX_KEY_CHARS + 1);
        for (key, rule) in [
            ("", "empty"),
            (long.as_str(), "at most 200"),
            ("a\nb", "control"),
            ("a/b", "`/`"),
        ] {
            let err = store.put(key, &Job::new("p", "t", 0)).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput);
            assert_eq!(err.field(), Some("key"));
            assert!(err.to_string().contains(rule), "{err} should name {rule}");
            assert!(store.get(key).await.is_err());
            assert!(store.lease(key, "w", Duration::from_secs(1)).await.is_err());
        }
        assert!(store
            .put(&"é".repeat(MAX_KEY_CHARS), &Job::new("p", "t", 0))
            .await
            .is_ok());
        assert!(store.keys().await.unwrap().len() == 1);
    }
}

//! A result cache, so the same document is never paid for twice.
//!
//! [`Cached`] wraps any provider: before submitting, it looks the request up by a key made of
//! the SHA-256 of the document's bytes, a scope naming the provider and where it sends
//! (site, region, endpoint, bucket), and every option; a hit is answered from the store
//! without any request, as a completed [`Job`] marked `cached`. A complete result is stored
//! when it arrives; an incomplete one (missing pages) is not, so it is asked for again next
//! time. URL sources are cached only when asked for ([`Cached::cache_urls`]), because what a
//! URL serves can change.
//!
//! ```no_run
//! # async fn demo(provider: std::sync::Arc<dyn cloud_ocr::OcrProvider>) -> cloud_ocr::Result<()> {
//! use std::sync::Arc;
//! use cloud_ocr::cache::{Cached, DirStore};
//! use cloud_ocr::{OcrProvider, Request};
//!
//! let store = Arc::new(DirStore::new("/var/cache/cloud-ocr"));
//! let cached = Cached::new(provider, store, "tc-ocr intl");
//! let first = cached.recognize(&Request::from_path("invoice.png")).await?; // billed
//! let again = cached.recognize(&Request::from_path("invoice.png")).await?; // from the store
//! assert_eq!(first.text(), again.text());
//! # Ok(()) }
//! ```

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use ocr_core::{
    Capabilities, Document, Error, ErrorKind, Job, JobStatus, OcrProvider, PollPolicy, Request,
    Result, Source,
};
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;

/// `Job::meta` key set on a job answered from the cache.
pub const META_CACHED: &str = "cached";

/// `Job::meta` key holding the cache key of a job whose result is to be stored.
pub const META_CACHE_KEY: &str = "cache_key";

/// Bumped when what a key covers changes, so old entries are not served.
const KEY_VERSION: &str = "cloud-ocr-cache-v1";

/// Where cached documents live.
#[async_trait]
pub trait ResultStore: Send + Sync + fmt::Debug {
    /// The document stored under `key`, if there is one and it is still valid.
    async fn get(&self, key: &str) -> Result<Option<Document>>;

    /// Stores `document` under `key`.
    async fn put(&self, key: &str, document: &Document) -> Result<()>;
}

/// A directory of JSON files, one per document, with a size cap (least recently used entries
/// go first) and an age cap.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> cloud_ocr::Result<()> {
/// use cloud_ocr::cache::{DirStore, ResultStore};
/// use cloud_ocr::Document;
///
/// let dir = tempfile::tempdir().unwrap();
/// let store = DirStore::new(dir.path());
/// let doc = Document::new("tc-ocr");
/// store.put("abc", &doc).await?;
/// assert_eq!(store.get("abc").await?, Some(doc));
/// assert_eq!(store.get("other").await?, None);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct DirStore {
    dir: PathBuf,
    max_bytes: u64,
    max_age: Duration,
}

impl DirStore {
    /// Default size cap: 1 GiB.
    pub const DEFAULT_MAX_BYTES: u64 = 1 << 30;
    /// Default age cap: 30 days.
    pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(30 * 24 * 3600);

    /// A store in `dir` (created when first written) with the default caps.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        DirStore {
            dir: dir.into(),
            max_bytes: Self::DEFAULT_MAX_BYTES,
            max_age: Self::DEFAULT_MAX_AGE,
        }
    }

    /// Keeps at most `bytes` of entries; the least recently used go first.
    pub fn with_max_bytes(mut self, bytes: u64) -> Self {
        self.max_bytes = bytes;
        self
    }

    /// Serves entries at most `age` old; older ones are removed when met.
    pub fn with_max_age(mut self, age: Duration) -> Self {
        self.max_age = age;
        self
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path_of(&self, key: &str) -> Result<PathBuf> {
        let ok = !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric());
        if !ok {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                "a cache key is letters and digits only",
            )
            .with_field("cache_key"));
        }
        Ok(self.dir.join(format!("{key}.json")))
    }

    /// Removes the least recently used entries until the store is within its size cap.
    fn evict(dir: &Path, max_bytes: u64) -> std::io::Result<()> {
        let mut entries = Vec::new();
        let mut total = 0u64;
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let meta = entry.metadata()?;
            let is_entry = entry.path().extension().is_some_and(|e| e == "json");
            if meta.is_file() && is_entry {
                total += meta.len();
                let used = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
                entries.push((used, meta.len(), entry.path()));
            }
        }
        entries.sort();
        for (_, len, path) in entries {
            if total <= max_bytes {
                break;
            }
            std::fs::remove_file(&path)?;
            total = total.saturating_sub(len);
        }
        Ok(())
    }
}

/// A store error naming what could not be done where, with the kind of failure only (an I/O
/// error's own text may name a temporary file nobody asked about).
fn io_error(what: &str, path: &Path, e: std::io::Error) -> Error {
    Error::new(
        ErrorKind::Config,
        format!("cannot {what} {} ({})", path.display(), e.kind()),
    )
    .with_source(e)
}

#[async_trait]
impl ResultStore for DirStore {
    async fn get(&self, key: &str) -> Result<Option<Document>> {
        let path = self.path_of(key)?;
        let meta = match tokio::fs::metadata(&path).await {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_error("read", &path, e)),
        };
        let written = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
        let age = SystemTime::now()
            .duration_since(written)
            .unwrap_or_default();
        if age > self.max_age {
            tokio::fs::remove_file(&path)
                .await
                .map_err(|e| io_error("remove", &path, e))?;
            return Ok(None);
        }
        let bytes = tokio::fs::read(&path)
            .await
            .map_err(|e| io_error("read", &path, e))?;
        let doc = serde_json::from_slice(&bytes).map_err(|e| {
            Error::new(
                ErrorKind::Decode,
                format!("the result cache entry {} is damaged: {e}", path.display()),
            )
        })?;
        Ok(Some(doc))
    }

    async fn put(&self, key: &str, document: &Document) -> Result<()> {
        let path = self.path_of(key)?;
        let json = serde_json::to_vec(document)
            .map_err(|e| Error::new(ErrorKind::Decode, format!("cannot encode a document: {e}")))?;
        let (dir, max_bytes) = (self.dir.clone(), self.max_bytes);
        let target = path.clone();
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            std::fs::create_dir_all(&dir)?;
            // Written whole or not at all: another process may be reading the same entry.
            let mut file = tempfile::NamedTempFile::new_in(&dir)?;
            std::io::Write::write_all(&mut file, &json)?;
            file.persist(&target).map_err(|e| e.error)?;
            DirStore::evict(&dir, max_bytes)
        })
        .await
        .map_err(|e| Error::new(ErrorKind::Service, format!("the cache writer failed: {e}")))?
        .map_err(|e| io_error("write in the cache folder", &self.dir, e))
    }
}

/// The platform's cache folder for cloud-ocr, from `env`: `$XDG_CACHE_HOME/cloud-ocr`, else
/// `~/Library/Caches/cloud-ocr` on macOS, `%LOCALAPPDATA%\cloud-ocr` on Windows,
/// `~/.cache/cloud-ocr` elsewhere; `None` when the environment names no home.
///
/// ```
/// use cloud_ocr::Env;
/// let env = Env::new().with_var("XDG_CACHE_HOME", "/tmp/c");
/// assert_eq!(cloud_ocr::cache::default_dir(&env), Some("/tmp/c/cloud-ocr".into()));
/// ```
pub fn default_dir(env: &crate::env::Env) -> Option<PathBuf> {
    let var = |name: &str| env.var(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    let base = if let Some(xdg) = var("XDG_CACHE_HOME") {
        xdg
    } else if cfg!(windows) {
        var("LOCALAPPDATA")?
    } else if cfg!(target_os = "macos") {
        var("HOME")?.join("Library").join("Caches")
    } else {
        var("HOME")?.join(".cache")
    };
    Some(base.join("cloud-ocr"))
}

/// A provider whose complete results are kept in a [`ResultStore`] and served from it.
pub struct Cached {
    inner: Arc<dyn OcrProvider>,
    store: Arc<dyn ResultStore>,
    scope: String,
    refresh: bool,
    cache_urls: bool,
    warnings: Mutex<Vec<String>>,
}

impl fmt::Debug for Cached {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cached")
            .field("inner", &self.inner)
            .field("store", &self.store)
            .field("scope", &self.scope)
            .field("refresh", &self.refresh)
            .field("cache_urls", &self.cache_urls)
            .finish_non_exhaustive()
    }
}

impl Cached {
    /// Caches `inner`'s results in `store`. `scope` names where `inner` sends and anything else
    /// its results depend on besides the document and the options (provider, site, region,
    /// endpoint, bucket): entries of another scope are never served.
    pub fn new(
        inner: Arc<dyn OcrProvider>,
        store: Arc<dyn ResultStore>,
        scope: impl Into<String>,
    ) -> Self {
        Cached {
            inner,
            store,
            scope: scope.into(),
            refresh: false,
            cache_urls: false,
            warnings: Mutex::new(Vec::new()),
        }
    }

    /// Recognises every document again and stores the new results (nothing is served).
    pub fn refresh(mut self, yes: bool) -> Self {
        self.refresh = yes;
        self
    }

    /// Caches URL sources too, keyed by the URL (what a URL serves can change: opt in only
    /// for URLs whose content does not).
    pub fn cache_urls(mut self, yes: bool) -> Self {
        self.cache_urls = yes;
        self
    }

    /// Problems with the store met so far (a result that could not be stored, an entry that
    /// could not be read), each once with how often it happened: recognition went on without
    /// the cache; callers show these.
    pub fn take_warnings(&self) -> Vec<String> {
        let all = self
            .warnings
            .lock()
            .map(|mut w| std::mem::take(&mut *w))
            .unwrap_or_default();
        let mut counted: Vec<(String, usize)> = Vec::new();
        for warning in all {
            match counted.iter_mut().find(|(w, _)| *w == warning) {
                Some((_, n)) => *n += 1,
                None => counted.push((warning, 1)),
            }
        }
        counted
            .into_iter()
            .map(|(w, n)| if n > 1 { format!("{w} ({n} times)") } else { w })
            .collect()
    }

    fn warn(&self, what: String) {
        tracing::warn!("{what}");
        if let Ok(mut w) = self.warnings.lock() {
            w.push(what);
        }
    }

    /// The key of `request`, or `None` when it is not cached (a URL without opting in).
    pub async fn key(&self, request: &Request) -> Result<Option<String>> {
        let mut key = Sha256::new();
        key.update(KEY_VERSION.as_bytes());
        for part in [self.inner.id(), self.scope.as_str()] {
            key.update([0]);
            key.update(part.as_bytes());
        }
        let options = serde_json::to_vec(&request.options).map_err(|e| {
            Error::new(
                ErrorKind::InvalidInput,
                format!("options cannot be encoded: {e}"),
            )
        })?;
        key.update([0]);
        key.update(&options);
        key.update([0]);
        match &request.source {
            Source::Url(url) if self.cache_urls => key.update(format!("url:{url}").as_bytes()),
            Source::Url(_) => return Ok(None),
            Source::Bytes { data, file_name } => {
                key.update(Sha256::digest(data));
                key.update(extension(file_name.as_deref()).as_bytes());
            }
            Source::Path(path) => {
                key.update(file_digest(path).await?);
                key.update(extension(path.to_str()).as_bytes());
            }
        }
        Ok(Some(hex::encode(key.finalize())))
    }

    /// Whether `request` would be answered from the store (no request, nothing billed).
    pub async fn is_cached(&self, request: &Request) -> bool {
        if self.refresh {
            return false;
        }
        match self.key(request).await {
            Ok(Some(key)) => matches!(self.store.get(&key).await, Ok(Some(_))),
            _ => false,
        }
    }

    async fn store(&self, key: &str, document: &Document) {
        if !document.missing.is_empty() {
            return; // Incomplete: asked for again next time.
        }
        if let Err(e) = self.store.put(key, document).await {
            self.warn(format!("a result was not cached: {e}"));
        }
    }
}

/// The file-name extension (it decides the format of text files), lower-case.
fn extension(name: Option<&str>) -> String {
    name.and_then(|n| Path::new(n).extension())
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default()
}

/// SHA-256 of a file, read in pieces.
async fn file_digest(path: &Path) -> Result<[u8; 32]> {
    let cannot = |e: std::io::Error| {
        Error::new(
            ErrorKind::InvalidInput,
            format!("cannot read {}: {e}", path.display()),
        )
        .with_field("source")
    };
    let mut file = tokio::fs::File::open(path).await.map_err(cannot)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf).await.map_err(cannot)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finalize().into())
}

#[async_trait]
impl OcrProvider for Cached {
    fn id(&self) -> &'static str {
        self.inner.id()
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }

    fn poll_policy(&self) -> PollPolicy {
        self.inner.poll_policy()
    }

    /// Nothing for a request the store would answer; otherwise the inner provider's estimate.
    async fn estimate(&self, request: &Request) -> Result<ocr_core::Usage> {
        let usage = self.inner.estimate(request).await?;
        if self.is_cached(request).await {
            return Ok(ocr_core::Usage::default());
        }
        Ok(usage)
    }

    fn owns(&self, job: &Job) -> bool {
        self.inner.owns(job)
    }

    fn poll_policy_for(&self, job: &Job) -> PollPolicy {
        self.inner.poll_policy_for(job)
    }

    async fn submit(&self, request: &Request) -> Result<Job> {
        let key = self.key(request).await?;
        if let (Some(key), false) = (&key, self.refresh) {
            match self.store.get(key).await {
                Ok(Some(mut doc)) => {
                    // Nothing was billed for this answer.
                    doc.usage = Default::default();
                    let short = &key[..key.len().min(16)];
                    return Ok(
                        Job::completed(self.inner.id(), format!("cache-{short}"), 0, doc)
                            .with_meta(META_CACHED, "1"),
                    );
                }
                Ok(None) => {}
                Err(e) => self.warn(format!("the result cache was not read: {e}")),
            }
        }
        let mut job = self.inner.submit(request).await?;
        if let Some(key) = key {
            match job.result.as_deref() {
                Some(doc) => self.store(&key, doc).await,
                None => {
                    job.meta.insert(META_CACHE_KEY.to_owned(), key);
                }
            }
        }
        Ok(job)
    }

    async fn poll(&self, job: &Job) -> Result<JobStatus> {
        let status = self.inner.poll(job).await?;
        if let (JobStatus::Done(doc), Some(key)) = (&status, job.meta(META_CACHE_KEY)) {
            self.store(key, doc).await;
        }
        Ok(status)
    }
}

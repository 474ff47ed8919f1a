//! Result archives: downloading the zip within its validity (asking once for a fresh URL when it
//! has expired) and reading it off the async executor.

use std::path::{Path, PathBuf};

use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use ocr_core::{Error, ErrorKind, Operation, Result};

use crate::archive::ResultArchive;
use crate::client::{Lkeap, GET_RECONSTRUCT, GET_SPLIT};
use crate::result_url::ResultUrl;
use crate::task::TaskStatus;
use crate::PROVIDER_ID;

/// The operation name downloads are traced and tagged with.
const DOWNLOAD: &str = "DownloadResult";

/// Which flow a result belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ResultFlow {
    Reconstruct,
    Split,
}

impl ResultFlow {
    fn get_action(self) -> &'static str {
        match self {
            ResultFlow::Reconstruct => GET_RECONSTRUCT,
            ResultFlow::Split => GET_SPLIT,
        }
    }
}

impl Lkeap {
    /// Downloads a result zip once, as it is (no URL refresh), through the client's runtime
    /// (timeouts, retries of transient failures) and within the archive size cap. HTTP 403 or
    /// 404 is a `ResultExpired` error.
    ///
    /// ```no_run
    /// # async fn demo(client: lkeap::Lkeap, url: lkeap::ResultUrl) -> Result<(), ocr_core::Error> {
    /// let zip = client.download_zip(&url).await?;
    /// # Ok(()) }
    /// ```
    pub async fn download_zip(&self, url: &ResultUrl) -> Result<Bytes> {
        self.download_then(url, |bytes| async move { Ok(bytes) })
            .await
    }

    /// Downloads a result zip and hands the bytes to `check` within the same attempt, so an
    /// archive cut short or garbled on the way (a retryable `Decode` error from `check`) is
    /// downloaded again like any other transient failure.
    pub(crate) async fn download_then<T, F, Fut>(&self, url: &ResultUrl, check: F) -> Result<T>
    where
        F: Fn(Bytes) -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        let max = self.inner.archive_limits.max_archive_bytes;
        let http = self.inner.api.runtime().http().clone();
        let op = Operation::idempotent(PROVIDER_ID, DOWNLOAD);
        let check = &check;
        self.inner
            .api
            .runtime()
            .run(&op, None, |_| {
                let http = http.clone();
                async move {
                    let response = http
                        .get(url.expose())
                        .send()
                        .await
                        .map_err(Error::from_reqwest)?;
                    let status = response.status().as_u16();
                    if !(200..300).contains(&status) {
                        return Err(download_status_error(status, url));
                    }
                    if let Some(len) = response.content_length() {
                        if len > max {
                            return Err(too_big(url, max));
                        }
                    }
                    let mut body = BytesMut::new();
                    let mut chunks = response.bytes_stream();
                    while let Some(chunk) = chunks.next().await {
                        let chunk = chunk.map_err(Error::from_reqwest)?;
                        if (body.len() + chunk.len()) as u64 > max {
                            return Err(too_big(url, max));
                        }
                        body.extend_from_slice(&chunk);
                    }
                    check(body.freeze()).await
                }
            })
            .await
    }

    /// Downloads the zip and reads it (every entry checked), replacing an expired URL once
    /// with a fresh one; a damaged download is downloaded again.
    pub(crate) async fn fetch_archive(
        &self,
        flow: ResultFlow,
        task_id: &str,
        url: Option<&ResultUrl>,
    ) -> Result<ResultArchive> {
        self.fetch_then(flow, task_id, url, |bytes| self.read_archive(bytes))
            .await
    }

    /// Downloads the zip and checks that it opens as a zip archive (for extraction, which
    /// streams the entries to disk afterwards), replacing an expired URL once with a fresh one;
    /// a damaged download is downloaded again.
    pub(crate) async fn fetch_zip(
        &self,
        flow: ResultFlow,
        task_id: &str,
        url: Option<&ResultUrl>,
    ) -> Result<Bytes> {
        let limits = self.inner.archive_limits;
        self.fetch_then(flow, task_id, url, |bytes| async move {
            crate::archive::check_opens(&bytes, &limits)?;
            Ok(bytes)
        })
        .await
    }

    /// Downloads the zip through `check`, replacing an expired URL once with a fresh one.
    async fn fetch_then<T, F, Fut>(
        &self,
        flow: ResultFlow,
        task_id: &str,
        url: Option<&ResultUrl>,
        check: F,
    ) -> Result<T>
    where
        F: Fn(Bytes) -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        let mut next = url.cloned();
        let mut refreshed = false;
        loop {
            let url = match next.take() {
                Some(u) if !u.is_expired_at(self.now_unix()) => u,
                stale => {
                    if refreshed {
                        return Err(expired_error(stale.as_ref()));
                    }
                    refreshed = true;
                    tracing::debug!(
                        task_id,
                        "result URL missing or expired; asking for a fresh one"
                    );
                    self.fresh_url(flow, task_id).await?
                }
            };
            match self.download_then(&url, &check).await {
                Err(err) if err.kind() == ErrorKind::ResultExpired && !refreshed => {
                    tracing::debug!(task_id, "result URL refused; asking for a fresh one");
                    next = None;
                }
                other => return other,
            }
        }
    }

    pub(crate) async fn fresh_url(&self, flow: ResultFlow, task_id: &str) -> Result<ResultUrl> {
        let (status, url) = match flow {
            ResultFlow::Reconstruct => {
                let r = self.get_reconstruct_document_result(task_id).await?;
                (r.status.clone(), r.result_url().cloned())
            }
            ResultFlow::Split => {
                let r = self.get_split_document_result(task_id).await?;
                (r.status.clone(), r.result_url().cloned())
            }
        };
        match (status, url) {
            (Some(TaskStatus::Success), Some(url)) if !url.is_expired_at(self.now_unix()) => {
                Ok(url)
            }
            (status, _) => Err(Error::new(
                ErrorKind::ResultExpired,
                format!(
                    "task {task_id} has no current result URL (status {})",
                    status.as_ref().map_or("unknown", TaskStatus::as_str)
                ),
            )
            .with_provider(PROVIDER_ID)
            .with_operation(flow.get_action())),
        }
    }

    pub(crate) async fn read_archive(&self, bytes: Bytes) -> Result<ResultArchive> {
        let limits = self.inner.archive_limits;
        tokio::task::spawn_blocking(move || ResultArchive::from_zip(&bytes, &limits))
            .await
            .map_err(join_error)?
    }

    pub(crate) async fn extract_archive(&self, bytes: Bytes, dir: &Path) -> Result<Vec<PathBuf>> {
        let limits = self.inner.archive_limits;
        let dir = dir.to_path_buf();
        tokio::task::spawn_blocking(move || ResultArchive::extract_zip(&bytes, &dir, &limits))
            .await
            .map_err(join_error)?
    }
}

fn download_status_error(status: u16, url: &ResultUrl) -> Error {
    let (kind, retryable, what) = match status {
        403 | 404 => (
            ErrorKind::ResultExpired,
            false,
            "has expired or no longer exists",
        ),
        429 => (ErrorKind::Throttled, true, "is throttled"),
        500..=599 => (ErrorKind::Service, true, "failed on the server"),
        _ => (ErrorKind::Service, false, "was refused"),
    };
    Error::new(
        kind,
        format!("the result download from {url} {what} (HTTP {status})"),
    )
    .with_http_status(status)
    .with_retryable(retryable)
}

fn too_big(url: &ResultUrl, max: u64) -> Error {
    Error::new(
        ErrorKind::Decode,
        format!("the result archive at {url} is larger than the cap of {max} bytes"),
    )
    .with_retryable(false)
}

fn expired_error(url: Option<&ResultUrl>) -> Error {
    let what = url.map_or_else(|| "(none)".to_owned(), ToString::to_string);
    Error::new(
        ErrorKind::ResultExpired,
        format!("the result URL {what} has expired, and so has the fresh one"),
    )
    .with_provider(PROVIDER_ID)
    .with_operation(DOWNLOAD)
}

fn join_error(err: tokio::task::JoinError) -> Error {
    Error::new(ErrorKind::Decode, "reading the result archive was aborted")
        .with_provider(PROVIDER_ID)
        .with_source(err)
}

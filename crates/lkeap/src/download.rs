//! Result archives: downloading the zip within its validity (asking once for a fresh URL when it
//! has expired) and reading it off the async executor, written once for any [`DocumentFlow`].

use std::path::{Path, PathBuf};

use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use ocr_core::{Error, ErrorKind, Operation, Result};

use crate::archive::ResultArchive;
use crate::client::Lkeap;
use crate::flow::{DocumentFlow, Reconstruct, Split};
use crate::reconstruct::GetReconstructDocumentResultResponse;
use crate::result_url::ResultUrl;
use crate::split::GetSplitDocumentResultResponse;
use crate::task::TaskStatus;
use crate::PROVIDER_ID;

/// The operation name downloads are traced and tagged with.
const DOWNLOAD: &str = "DownloadResult";

impl Lkeap {
    /// Downloads the result zip of a finished parse task and reads it into memory, with the
    /// archive caps applied. An expired URL (by its signature window, or answered with HTTP
    /// 403/404) is replaced once by asking `GetReconstructDocumentResult` again.
    ///
    /// ```no_run
    /// # async fn demo(client: lkeap::Lkeap) -> Result<(), ocr_core::Error> {
    /// let done = client.wait_reconstruct_document("task-id").await?;
    /// let archive = client.download_reconstruct_archive("task-id", &done).await?;
    /// for (page, md) in archive.page_markdown() {
    ///     println!("page {page}: {} bytes", md.len());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn download_reconstruct_archive(
        &self,
        task_id: &str,
        response: &GetReconstructDocumentResultResponse,
    ) -> Result<ResultArchive> {
        self.read_result::<Reconstruct>(task_id, response).await
    }

    /// Like [`download_reconstruct_archive`](Self::download_reconstruct_archive), but writes
    /// the files under `dir` (never outside it) and returns their paths.
    ///
    /// ```no_run
    /// # async fn demo(client: lkeap::Lkeap) -> Result<(), ocr_core::Error> {
    /// let done = client.wait_reconstruct_document("task-id").await?;
    /// let files = client.extract_reconstruct_archive("task-id", &done, "out".as_ref()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn extract_reconstruct_archive(
        &self,
        task_id: &str,
        response: &GetReconstructDocumentResultResponse,
        dir: &Path,
    ) -> Result<Vec<PathBuf>> {
        self.extract_result::<Reconstruct>(task_id, response, dir)
            .await
    }

    /// Downloads and reads the result zip of a finished split task; its chunks are in
    /// [`ResultArchive::split_chunks`].
    ///
    /// ```no_run
    /// # async fn demo(client: lkeap::Lkeap, done: lkeap::GetSplitDocumentResultResponse) -> Result<(), ocr_core::Error> {
    /// for chunk in client.download_split_archive("task-id", &done).await?.split_chunks()? {
    ///     println!("{}", chunk.page_content.unwrap_or_default());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn download_split_archive(
        &self,
        task_id: &str,
        response: &GetSplitDocumentResultResponse,
    ) -> Result<ResultArchive> {
        self.read_result::<Split>(task_id, response).await
    }

    /// Writes the files of a finished split task under `dir`.
    ///
    /// ```no_run
    /// # async fn demo(client: lkeap::Lkeap, done: lkeap::GetSplitDocumentResultResponse) -> Result<(), ocr_core::Error> {
    /// client.extract_split_archive("task-id", &done, "chunks".as_ref()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn extract_split_archive(
        &self,
        task_id: &str,
        response: &GetSplitDocumentResultResponse,
        dir: &Path,
    ) -> Result<Vec<PathBuf>> {
        self.extract_result::<Split>(task_id, response, dir).await
    }

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

    /// Downloads the archive of a finished `F` task and reads it (every entry checked),
    /// replacing an expired URL once with a fresh one; a damaged download is downloaded again.
    async fn read_result<F: DocumentFlow>(
        &self,
        task_id: &str,
        response: &F::Result,
    ) -> Result<ResultArchive> {
        let url = F::report(response).result_url;
        self.fetch_then::<F, _, _, _>(task_id, url, |bytes| self.read_archive(bytes))
            .await
    }

    /// Downloads the archive of a finished `F` task, checks that it opens as a zip archive and
    /// writes its files under `dir`, replacing an expired URL once with a fresh one; a damaged
    /// download is downloaded again.
    async fn extract_result<F: DocumentFlow>(
        &self,
        task_id: &str,
        response: &F::Result,
        dir: &Path,
    ) -> Result<Vec<PathBuf>> {
        let limits = self.inner.archive_limits;
        let url = F::report(response).result_url;
        let bytes = self
            .fetch_then::<F, _, _, _>(task_id, url, |bytes| async move {
                crate::archive::check_opens(&bytes, &limits)?;
                Ok(bytes)
            })
            .await?;
        self.extract_archive(bytes, dir).await
    }

    /// Downloads the zip through `check`, replacing an expired URL once with a fresh one.
    async fn fetch_then<F, T, C, Fut>(
        &self,
        task_id: &str,
        url: Option<&ResultUrl>,
        check: C,
    ) -> Result<T>
    where
        F: DocumentFlow,
        C: Fn(Bytes) -> Fut,
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
                    self.fresh_url::<F>(task_id).await?
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

    /// A current result URL of a finished `F` task, asked for again.
    async fn fresh_url<F: DocumentFlow>(&self, task_id: &str) -> Result<ResultUrl> {
        let response = self.task_result::<F>(task_id).await?;
        let report = F::report(&response);
        let (status, url) = (report.status.cloned(), report.result_url.cloned());
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
            .with_operation(F::GET)),
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

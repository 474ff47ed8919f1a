//! [`OcrProvider`] for COS + CI: upload, submit an `ImageOCR` job, poll it, map the result,
//! delete the upload.

use std::str::FromStr;
use std::sync::atomic::Ordering;
use std::time::UNIX_EPOCH;

use async_trait::async_trait;
use ocr_core::request::{inspect, InputLimits, SourceInfo};
use ocr_core::{
    Capabilities, Document, Error, ErrorKind, Format, Job, JobStatus, MissingPage, OcrProvider,
    Options, OutputKind, PageTask, PollPolicy, Progress, Request, Result, Source, Usage,
};

use crate::client::{tag, CosCi, CosCiOp, PROVIDER_ID};
use crate::jobs::{prefix_field, JobDetail, JobOperation, JobState, SubmitJob};
use crate::mapping::{detection_to_document, PageInfo};
use crate::object::hash_file;
use crate::params::{ImageOcr, LanguageType, OcrType};
use crate::transport::{md5_base64, Payload};
use crate::validate::{self, base64_len, MAX_OCR_BASE64_BYTES, MAX_OCR_FILE_BYTES};

/// `Job.meta` keys this provider writes.
pub mod meta {
    /// The bucket the job ran in.
    pub const BUCKET: &str = "bucket";
    /// The region of the bucket.
    pub const REGION: &str = "region";
    /// The input object's key.
    pub const KEY: &str = "key";
    /// The key of an object this provider uploaded and will delete when the job ends (absent
    /// when the object was already in the bucket, or uploads are kept).
    pub const CLEANUP_KEY: &str = "cleanup_key";
    /// The PDF page recognised (1-based), for PDF input.
    pub const PAGE: &str = "page";
    /// The image width in pixels, when known.
    pub const WIDTH: &str = "width";
    /// The image height in pixels, when known.
    pub const HEIGHT: &str = "height";
}

/// The formats CI OCR reads: PNG, JPG/JPEG, BMP and PDF.
pub const FORMATS: [Format; 4] = [Format::Png, Format::Jpeg, Format::Bmp, Format::Pdf];

/// The input limits of the provider: the four formats, at most 7 MB after Base64 encoding;
/// local files and bytes are uploaded, `http`/`https` URLs go to synchronous OCR with
/// `detect-url`, and `cos://<bucket>/<key>` names an object already in the bucket.
pub fn input_limits() -> InputLimits {
    InputLimits::new(FORMATS.to_vec(), MAX_OCR_FILE_BYTES)
}

/// A validated request: how `submit` will run it. Everything `submit` refuses is refused
/// while planning, so [`OcrProvider::estimate`] and `submit` fail alike, before sending.
enum Plan {
    /// A local file: uploaded, then one job per page (`None`: one job for an image).
    Upload {
        info: SourceInfo,
        format: Format,
        pages: Option<Vec<u32>>,
    },
    /// An object already in the bucket: one job per page (`None`: one job).
    Existing {
        key: String,
        pages: Option<Vec<u32>>,
    },
    /// An `http`/`https` URL: synchronous OCR once per page of the selection; without one,
    /// once for an image, or once per page of a PDF (its count learned from page 1).
    Sync {
        url: url::Url,
        pages: Option<Vec<u32>>,
        pdf: bool,
    },
}

impl Plan {
    /// What the plan bills, when known before sending (not for a PDF by URL without a
    /// selection).
    fn usage(&self) -> Option<Usage> {
        let count = |pages: &Option<Vec<u32>>| pages.as_ref().map_or(1, Vec::len);
        match self {
            Plan::Upload { pages, .. } => {
                let mut usage = submissions_usage(count(pages));
                usage.call(CosCiOp::PutObject.name());
                Some(usage)
            }
            Plan::Existing { pages, .. } => Some(submissions_usage(count(pages))),
            Plan::Sync {
                pages: None,
                pdf: true,
                ..
            } => None,
            Plan::Sync { pages, .. } => Some(pages_usage(CosCiOp::SyncOcr, count(pages))),
        }
    }
}

/// The usage of `n` calls of `op`, one page each.
fn pages_usage(op: CosCiOp, n: usize) -> Usage {
    let mut usage = Usage::default();
    for _ in 0..n {
        usage.call(op.name());
    }
    usage.pages = n as u64;
    usage
}

/// The usage of `n` accepted job submissions, one page each.
fn submissions_usage(n: usize) -> Usage {
    pages_usage(CosCiOp::SubmitJob, n)
}

impl CosCi {
    /// Validates a request as `submit` does, without sending anything: the options, then the
    /// source's own rules.
    async fn plan(&self, request: &Request) -> Result<Plan> {
        self.capabilities()
            .check(PROVIDER_ID, &request.options)
            .map_err(|e| tag(e, CosCiOp::SubmitJob))?;
        match &request.source {
            Source::Url(url) if url.scheme() == "cos" => self.plan_existing(url, &request.options),
            Source::Url(url) => self.plan_sync(url, &request.options).await,
            _ => self.plan_local(request).await,
        }
    }

    /// The `ImageOCR` parameters for a request: the configured ones plus the request's
    /// language, and `IsPdf` + `PdfPageNumber` for one page of a PDF.
    fn params_for(&self, options: &Options, page: Option<u32>) -> Result<Option<ImageOcr>> {
        if options.languages.len() > 1 {
            return Err(Error::invalid_input(
                "languages",
                "CI takes one LanguageType per job",
            ));
        }
        let settings = &self.inner.settings;
        if settings.template_id.is_some() {
            let field = if options.pages.is_some() {
                Some("pages")
            } else if !options.languages.is_empty() {
                Some("languages")
            } else {
                None
            };
            if let Some(field) = field {
                return Err(Error::invalid_input(
                    field,
                    "a job with an OCR template takes its language and PDF page from the \
                     template; set them there",
                ));
            }
            return Ok(None);
        }
        let mut params = settings.ocr.clone();
        // Name the engine explicitly rather than sending an empty `<ImageOCR/>`.
        params.ocr_type.get_or_insert(OcrType::General);
        if let Some(lang) = options.languages.first() {
            params.language_type = Some(LanguageType::from_str(lang)?);
        }
        if let Some(page) = page {
            params.is_pdf = Some(true);
            params.pdf_page_number = Some(page);
        }
        params
            .validate()
            .map_err(|e| prefix_field(e, "Operation.ImageOCR."))?;
        Ok(Some(params))
    }

    /// The pages of a local source to recognise, one job each: `None` for an image, else
    /// the requested pages of the PDF (counted locally; a page beyond the end is refused).
    async fn local_pages(&self, request: &Request, format: Format) -> Result<Option<Vec<u32>>> {
        let selection = request.options.pages.as_ref();
        if self.inner.settings.template_id.is_some() {
            // One job: the template names the page (a selection is refused by `params_for`).
            return Ok(None);
        }
        if format != Format::Pdf {
            if selection.is_some() {
                return Err(Error::invalid_input(
                    "pages",
                    "only apply to PDF input (PdfPageNumber needs IsPdf)",
                ));
            }
            return Ok(None);
        }
        let data = request.source.read_all(MAX_OCR_FILE_BYTES).await?;
        let count = ocr_core::pages::pdf_page_count(&data)?;
        ocr_core::pages::requested_pages(selection, count).map(Some)
    }

    fn job_request(&self, key: &str, params: Option<ImageOcr>) -> SubmitJob {
        let settings = &self.inner.settings;
        let operation = JobOperation {
            template_id: settings.template_id.clone(),
            image_ocr: params,
            ..JobOperation::default()
        };
        let mut job = SubmitJob::new(key, operation);
        job.queue_id = settings.queue_id.clone();
        job
    }

    /// Checks a local source without sending anything: at most 7 MB after Base64 encoding, a
    /// PNG/JPEG/BMP/PDF by its content, pixel size read from the header.
    async fn check_local(&self, source: &Source) -> Result<(SourceInfo, Format)> {
        let size = match source {
            Source::Bytes { data, .. } => data.len() as u64,
            Source::Path(path) => tokio::fs::metadata(path)
                .await
                .map(|m| m.len())
                .unwrap_or(0),
            Source::Url(_) => 0,
        };
        check_base64_size(size)?;
        let info = inspect(source, &input_limits()).await?;
        let format = info
            .format
            .ok_or_else(|| Error::invalid_input("source", "has no recognisable format"))?;
        Ok((info, format))
    }

    /// A suffix no other upload of this client (or, through the clock's nanoseconds, of another
    /// process) uses: the time in nanoseconds, 16 hex digits, then a per-client count in hex.
    /// With a fixed clock (tests, fixtures) it is still unique per submission, and repeatable.
    fn upload_suffix(&self) -> String {
        let seq = self.inner.uploads.fetch_add(1, Ordering::Relaxed);
        let nanos = self
            .inner
            .clock
            .local_now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        // The low 64 bits: nanoseconds since 1970 fit until 2554.
        let nanos = (nanos & u128::from(u64::MAX)) as u64;
        format!("{nanos:016x}{seq:x}")
    }

    /// Uploads a checked local source under the key prefix, named by the MD5 of its content and
    /// a suffix unique to this submission (two submissions of the same file in flight must not
    /// share an object: each deletes its own when its job ends); returns the key.
    async fn upload(&self, source: &Source, format: Format) -> Result<String> {
        let (payload, md5) = match source {
            Source::Bytes { data, .. } => {
                let md5 = md5_base64(data);
                let payload = Payload::Memory {
                    data: data.clone(),
                    content_type: format.media_type().to_owned(),
                    md5: md5.clone(),
                };
                (payload, md5)
            }
            Source::Path(path) => {
                let (len, md5) = hash_file(path).await?;
                // The file may have changed since it was checked.
                check_base64_size(len)?;
                let payload = Payload::File {
                    path: path.clone(),
                    len,
                    content_type: format.media_type().to_owned(),
                    md5: md5.clone(),
                };
                (payload, md5)
            }
            Source::Url(_) => {
                return Err(Error::invalid_input("source", "a URL is not uploaded"));
            }
        };
        let key = format!(
            "{}{}-{}.{}",
            self.inner.settings.key_prefix,
            md5_hex(&md5),
            self.upload_suffix(),
            format.extension()
        );
        validate::object_key("Key", &key)?;
        self.put(&key, Vec::new(), payload, md5).await?;
        Ok(key)
    }

    /// Submits an OCR job for an object already in the bucket, without uploading anything,
    /// and returns it as a serialisable [`Job`] for [`OcrProvider::poll`]. The object is not
    /// deleted afterwards.
    ///
    /// ```no_run
    /// use ocr_core::{OcrProvider, Options};
    /// # async fn demo(client: cos_ci::CosCi) -> Result<(), ocr_core::Error> {
    /// let job = client.submit_existing_object("input/test.jpg", &Options::default()).await?;
    /// let doc = ocr_core::provider::wait(&client, &job).await?;
    /// println!("{}", doc.text());
    /// # Ok(()) }
    /// ```
    pub async fn submit_existing_object(&self, key: &str, options: &Options) -> Result<Job> {
        let pages = self.existing_pages(key, options)?;
        // No cleanup key: the object was the caller's before and stays.
        self.submit_pages(key, options, pages, None).await
    }

    /// Checks a submission of an object already in the bucket (its key, the options, and the
    /// pages, which a PDF needs named) and returns the pages to submit one job each (`None`:
    /// one job).
    fn existing_pages(&self, key: &str, options: &Options) -> Result<Option<Vec<u32>>> {
        let op = CosCiOp::SubmitJob;
        validate::object_key("Input.Object", key).map_err(|e| tag(e, op))?;
        self.capabilities()
            .check(PROVIDER_ID, options)
            .map_err(|e| tag(e, op))?;
        let is_pdf = key.to_ascii_lowercase().ends_with(".pdf");
        let templated = self.inner.settings.template_id.is_some();
        let pages =
            match (&options.pages, is_pdf) {
                _ if templated => None,
                (Some(pages), _) => Some(pages.iter().collect()),
                (None, true) => return Err(tag(
                    Error::invalid_input(
                        "pages",
                        "are needed for a PDF already in the bucket: CI recognises one page per \
                         job and its page count is not known here; name the pages (e.g. 1-5)",
                    ),
                    op,
                )),
                (None, false) => None,
            };
        self.page_params(options, pages.as_deref())?;
        Ok(pages)
    }

    /// The `ImageOCR` parameters of each job: one per page, or one for an image (`None`),
    /// every one checked.
    fn page_params(
        &self,
        options: &Options,
        pages: Option<&[u32]>,
    ) -> Result<Vec<Option<ImageOcr>>> {
        let op = CosCiOp::SubmitJob;
        match pages {
            None => Ok(vec![self
                .params_for(options, None)
                .map_err(|e| tag(e, op))?]),
            Some(pages) => pages
                .iter()
                .map(|page| {
                    self.params_for(options, Some(*page))
                        .map_err(|e| tag(e, op))
                })
                .collect(),
        }
    }

    /// Submits one job for an image, or one per page of a PDF (a few at a time); a page
    /// whose submission fails is recorded in the job as missing. When every submission
    /// fails, the first error is returned.
    async fn submit_pages(
        &self,
        key: &str,
        options: &Options,
        pages: Option<Vec<u32>>,
        cleanup_key: Option<&str>,
    ) -> Result<Job> {
        // Every job's parameters are checked before the first job is submitted.
        let mut requests: Vec<SubmitJob> = self
            .page_params(options, pages.as_deref())?
            .into_iter()
            .map(|params| self.job_request(key, params))
            .collect();
        let Some(pages) = pages else {
            let Some(request) = requests.pop() else {
                return Err(Error::decode("no job was prepared"));
            };
            let detail = self.submit_job(&request).await?;
            let mut job = self
                .job_of(&detail, key, None)
                .with_usage(submissions_usage(1));
            if let Some(k) = cleanup_key {
                job = job.with_meta(meta::CLEANUP_KEY, k);
            }
            return Ok(job);
        };
        let results =
            ocr_core::pages::for_each_page(&pages, self.inner.settings.page_concurrency, |page| {
                let index = pages.iter().position(|p| *p == page).unwrap_or(0);
                let request = &requests[index];
                async move { self.submit_job(request).await }
            })
            .await;
        let mut tasks = Vec::new();
        let mut missing = Vec::new();
        let mut first_error = None;
        for (page, result) in results {
            match result {
                Ok(detail) => tasks.push(PageTask::new(page, detail.job_id)),
                Err(err) => {
                    missing.push(MissingPage::from_error(page, &err));
                    // An unknown outcome wins: a job that may exist must keep its input.
                    let unknown = |e: &Error| e.kind() == ErrorKind::OutcomeUnknown;
                    if first_error
                        .as_ref()
                        .is_none_or(|e| !unknown(e) && unknown(&err))
                    {
                        first_error = Some(err);
                    }
                }
            }
        }
        let Some(first) = tasks.first() else {
            return Err(first_error.unwrap_or_else(|| Error::decode("no job was submitted")));
        };
        let mut job = Job::new(PROVIDER_ID, first.task_id.clone(), self.now_unix())
            .with_meta(meta::BUCKET, self.inner.bucket.clone())
            .with_meta(meta::REGION, self.inner.region.clone())
            .with_meta(meta::KEY, key)
            .with_usage(submissions_usage(tasks.len()));
        if let Some(k) = cleanup_key {
            job = job.with_meta(meta::CLEANUP_KEY, k);
        }
        if let ([task], true) = (tasks.as_slice(), missing.is_empty()) {
            job = job.with_meta(meta::PAGE, task.page.to_string());
        } else {
            job.page_tasks = tasks;
            job.missing = missing;
        }
        job.pages_requested = pages;
        Ok(job)
    }

    fn job_of(&self, detail: &JobDetail, key: &str, page: Option<u32>) -> Job {
        let mut job = Job::new(PROVIDER_ID, detail.job_id.clone(), self.now_unix())
            .with_meta(meta::BUCKET, self.inner.bucket.clone())
            .with_meta(meta::REGION, self.inner.region.clone())
            .with_meta(meta::KEY, key);
        if let Some(page) = page {
            job = job.with_meta(meta::PAGE, page.to_string());
        }
        job
    }

    /// Deletes the object a provider job uploaded (`Job.meta["cleanup_key"]`), if any; a
    /// missing object counts as deleted. Returns whether there was something to delete.
    ///
    /// Polling deletes it by itself once the job ends; call this from a process that gives up
    /// on a job, or after cancelling one.
    ///
    /// ```no_run
    /// # async fn demo(client: cos_ci::CosCi, job: ocr_core::Job) -> Result<(), ocr_core::Error> {
    /// client.cleanup(&job).await?;
    /// # Ok(()) }
    /// ```
    pub async fn cleanup(&self, job: &Job) -> Result<bool> {
        self.check_job(job)
            .map_err(|e| tag(e, CosCiOp::DeleteObject))?;
        let Some(key) = job.meta(meta::CLEANUP_KEY) else {
            return Ok(false);
        };
        match self.delete_object(key).await {
            Ok(_) => Ok(true),
            Err(e) if e.http_status() == Some(404) => Ok(true),
            Err(e) => Err(e),
        }
    }

    fn check_job(&self, job: &Job) -> Result<()> {
        if job.provider != PROVIDER_ID {
            return Err(Error::invalid_input(
                "job",
                format!("belongs to provider {}, not {PROVIDER_ID}", job.provider),
            ));
        }
        if let Some(bucket) = job.meta(meta::BUCKET) {
            if bucket != self.inner.bucket {
                return Err(Error::invalid_input(
                    "job",
                    format!(
                        "ran in bucket {bucket}; this client is for {}",
                        self.inner.bucket
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Deletes the upload of a finished job, logging (not failing) on errors: the result is
    /// already in hand, and [`cleanup`](Self::cleanup) can be retried later.
    async fn cleanup_quietly(&self, job: &Job) {
        if let Err(err) = self.cleanup(job).await {
            tracing::warn!(
                job = %job.task_id,
                key = job.meta(meta::CLEANUP_KEY).unwrap_or_default(),
                error = %err,
                "could not delete the uploaded document"
            );
        }
    }

    /// Checks a URL submission: synchronous OCR, once per page; the pages are the selection,
    /// `None` for an image or for a PDF without a selection (its page count is learned from
    /// the first page's answer).
    async fn plan_sync(&self, url: &url::Url, options: &Options) -> Result<Plan> {
        let op = CosCiOp::SyncOcr;
        inspect(&Source::Url(url.clone()), &input_limits())
            .await
            .map_err(|e| tag(e, op))?;
        if self.inner.settings.template_id.is_some() {
            return Err(tag(
                Error::invalid_input(
                    "source",
                    "URL sources use synchronous OCR, which takes no template; \
                     upload the document instead",
                ),
                op,
            ));
        }
        let pdf = url.path().to_ascii_lowercase().ends_with(".pdf");
        // Checked for every page before the first call.
        self.params_for(options, None).map_err(|e| tag(e, op))?;
        Ok(Plan::Sync {
            url: url.clone(),
            pages: options.pages.as_ref().map(|pages| pages.iter().collect()),
            pdf,
        })
    }

    async fn run_sync(
        &self,
        url: &url::Url,
        options: &Options,
        pages: Option<Vec<u32>>,
        pdf: bool,
    ) -> Result<Job> {
        let doc = match (pages, pdf) {
            (Some(pages), _) => self.sync_pages(url, options, pages).await?,
            (None, true) => {
                // The first page tells the page count (PdfPageSize); the rest follow.
                let first = self.sync_page(url, options, Some(1)).await;
                let count = match &first {
                    Ok((_, size)) => size.unwrap_or(1).max(1),
                    Err(_) => 1,
                };
                let mut results = vec![(1, first.map(|(doc, _)| doc))];
                let rest: Vec<u32> = (2..=count).collect();
                results.extend(
                    ocr_core::pages::for_each_page(
                        &rest,
                        self.inner.settings.page_concurrency,
                        |page| async move {
                            self.sync_page(url, options, Some(page))
                                .await
                                .map(|(doc, _)| doc)
                        },
                    )
                    .await,
                );
                Document::from_pages(PROVIDER_ID, (1..=count).collect(), results)?
            }
            (None, false) => self.sync_page(url, options, None).await?.0,
        };
        let task_id = doc
            .request_ids
            .first()
            .cloned()
            .unwrap_or_else(|| format!("sync-{}", self.now_unix()));
        Ok(Job::completed(PROVIDER_ID, task_id, self.now_unix(), doc)
            .with_meta(meta::BUCKET, self.inner.bucket.clone())
            .with_meta(meta::REGION, self.inner.region.clone()))
    }

    /// Synchronous OCR of the selected pages of a PDF URL, a few at a time.
    async fn sync_pages(
        &self,
        url: &url::Url,
        options: &Options,
        pages: Vec<u32>,
    ) -> Result<Document> {
        let results = ocr_core::pages::for_each_page(
            &pages,
            self.inner.settings.page_concurrency,
            |page| async move {
                self.sync_page(url, options, Some(page))
                    .await
                    .map(|(doc, _)| doc)
            },
        )
        .await;
        Document::from_pages(PROVIDER_ID, pages, results)
    }

    /// One synchronous OCR call: the page's document and the PDF's page count, if reported.
    async fn sync_page(
        &self,
        url: &url::Url,
        options: &Options,
        page: Option<u32>,
    ) -> Result<(Document, Option<u32>)> {
        let op = CosCiOp::SyncOcr;
        let params = self
            .params_for(options, page)
            .map_err(|e| tag(e, op))?
            .unwrap_or_default();
        let result = self.ocr_url(url.as_str(), &params).await?;
        let mut doc = detection_to_document(
            &result.to_detection(),
            PageInfo {
                number: page.unwrap_or(1),
                size: None,
            },
        );
        doc.request_ids.extend(result.request_id.clone());
        doc.usage.call(op.name());
        doc.usage.pages = 1;
        Ok((doc, result.pdf_page_size.filter(|n| *n > 0)))
    }

    /// Checks a `cos://<bucket>/<key>` submission: the bucket, then as
    /// [`existing_pages`](Self::existing_pages).
    fn plan_existing(&self, url: &url::Url, options: &Options) -> Result<Plan> {
        let bucket = url.host_str().unwrap_or_default();
        if bucket != self.inner.bucket {
            return Err(tag(
                Error::invalid_input(
                    "source",
                    format!(
                        "cos:// object is in bucket `{bucket}`; this client is for `{}`",
                        self.inner.bucket
                    ),
                ),
                CosCiOp::SubmitJob,
            ));
        }
        let key = crate::endpoint::signed_path(url);
        let key = key.trim_start_matches('/').to_owned();
        let pages = self.existing_pages(&key, options)?;
        Ok(Plan::Existing { key, pages })
    }

    /// Checks a local source: everything that can be refused is refused before the upload.
    async fn plan_local(&self, request: &Request) -> Result<Plan> {
        let op = CosCiOp::SubmitJob;
        let (info, format) = self
            .check_local(&request.source)
            .await
            .map_err(|e| tag(e, op))?;
        let pages = self
            .local_pages(request, format)
            .await
            .map_err(|e| tag(e, op))?;
        self.page_params(&request.options, pages.as_deref())?;
        Ok(Plan::Upload {
            info,
            format,
            pages,
        })
    }

    async fn run_local(
        &self,
        request: &Request,
        info: SourceInfo,
        format: Format,
        pages: Option<Vec<u32>>,
    ) -> Result<Job> {
        let key = self
            .upload(&request.source, format)
            .await
            .map_err(|e| tag(e, CosCiOp::PutObject))?;
        let keep = self.inner.settings.keep_uploads;
        let cleanup = (!keep).then_some(key.as_str());
        // Should this future be dropped before the submission returns, nobody will ever hold
        // the job: the upload is deleted in the background.
        let mut guard = UploadGuard::new(self, cleanup.map(str::to_owned), Vec::new());
        let submitted = self
            .submit_pages(&key, &request.options, pages, cleanup)
            .await;
        guard.disarm();
        match submitted {
            Ok(mut job) => {
                job.usage.call(CosCiOp::PutObject.name());
                if let Some((w, h)) = info.dimensions {
                    job = job
                        .with_meta(meta::WIDTH, w.to_string())
                        .with_meta(meta::HEIGHT, h.to_string());
                }
                Ok(job)
            }
            Err(err) => {
                // A job that may exist still needs its input; otherwise remove the upload.
                if !keep && err.kind() != ErrorKind::OutcomeUnknown {
                    if let Err(del) = self.delete_object(&key).await {
                        tracing::warn!(key = %key, error = %del, "could not delete the upload of a refused job");
                    }
                }
                Err(err)
            }
        }
    }

    fn page_info(job: &Job) -> PageInfo {
        let num = |k: &str| job.meta(k).and_then(|v| v.parse::<u32>().ok());
        PageInfo {
            number: num(meta::PAGE).unwrap_or(1),
            size: num(meta::WIDTH).zip(num(meta::HEIGHT)),
        }
    }
}

/// The error of a job that ended without a result: its `Code` and `Message`.
fn task_error(detail: &JobDetail, request_id: Option<String>) -> Error {
    let message = if !detail.message.is_empty() {
        detail.message.clone()
    } else if detail.state == JobState::Cancel {
        "the job was cancelled".to_owned()
    } else {
        "the job failed".to_owned()
    };
    let code = if detail.code.is_empty() {
        detail.state.as_str().to_owned()
    } else {
        detail.code.clone()
    };
    let mut err = Error::new(ErrorKind::TaskFailed, message)
        .with_provider(PROVIDER_ID)
        .with_operation(CosCiOp::DescribeJobs.name())
        .with_code(code);
    if let Some(id) = request_id {
        err = err.with_request_id(id);
    }
    err
}

impl CosCi {
    /// Polls every page job of a multi-page job in one `DescribeJobs` call (at most 100 ids
    /// per call): pending while any runs; then the pages in order, failed ones listed as
    /// missing, and the upload deleted.
    async fn poll_pages(&self, job: &Job) -> Result<JobStatus> {
        let mut details: Vec<(u32, JobDetail, Option<String>)> = Vec::new();
        for chunk in job.page_tasks.chunks(100) {
            let ids: Vec<&str> = chunk.iter().map(|t| t.task_id.as_str()).collect();
            let out = self.describe_jobs(&ids).await?;
            for task in chunk {
                match out.jobs_detail.iter().find(|d| d.job_id == task.task_id) {
                    Some(detail) => {
                        details.push((task.page, detail.clone(), out.request_id.clone()))
                    }
                    None => {
                        let mut err = Error::new(
                            ErrorKind::ResultExpired,
                            format!("job {} does not exist (NonExistJobIds)", task.task_id),
                        )
                        .with_code("NoSuchJob");
                        if let Some(rid) = &out.request_id {
                            err = err.with_request_id(rid.clone());
                        }
                        // The job is gone: nothing will read its upload again.
                        self.cleanup_quietly(job).await;
                        return Err(tag(err, CosCiOp::DescribeJobs));
                    }
                }
            }
        }
        let ended = details
            .iter()
            .filter(|(_, d, _)| {
                matches!(
                    d.state,
                    JobState::Success | JobState::Failed | JobState::Cancel
                )
            })
            .count();
        if ended < details.len() {
            let percent = (ended * 100 / details.len().max(1)) as u8;
            return Ok(JobStatus::Pending(Progress {
                percent: Some(percent),
                state: Some(format!("{ended} of {} pages done", details.len())),
            }));
        }
        self.cleanup_quietly(job).await;
        let size = Self::page_info(job).size;
        let mut results: Vec<(u32, Result<Document>)> = details
            .into_iter()
            .map(|(page, detail, request_id)| {
                let result = if detail.state == JobState::Success {
                    let detection = detail.detection().cloned().unwrap_or_default();
                    let mut doc =
                        detection_to_document(&detection, PageInfo { number: page, size });
                    doc.request_ids.extend(request_id);
                    Ok(doc.with_native(detail))
                } else {
                    Err(task_error(&detail, request_id))
                };
                (page, result)
            })
            .collect();
        for missing in &job.missing {
            let mut err = Error::new(ErrorKind::TaskFailed, missing.message.clone());
            if let Some(code) = &missing.code {
                err = err.with_code(code.clone());
            }
            if let Some(id) = &missing.request_id {
                err = err.with_request_id(id.clone());
            }
            results.push((missing.page, Err(tag(err, CosCiOp::SubmitJob))));
        }
        match Document::from_pages(PROVIDER_ID, job.pages_requested.clone(), results) {
            Ok(mut doc) => {
                // Everything billed was billed at submission.
                doc.usage = job.usage.clone();
                Ok(JobStatus::Done(Box::new(doc)))
            }
            Err(err) => Ok(JobStatus::Failed(err)),
        }
    }
}

/// The upload (and jobs) of a document nobody will hold once this guard's owner is gone.
///
/// Its owner disarms it on the paths that settle the upload themselves;
/// [`abandon`](Self::abandon) cancels the jobs still queued and deletes the upload; dropped
/// while armed (the owning future was cancelled), it does the same in a background task, when
/// a Tokio runtime is there to run it.
struct UploadGuard {
    client: CosCi,
    key: Option<String>,
    jobs: Vec<String>,
}

impl UploadGuard {
    fn new(client: &CosCi, key: Option<String>, jobs: Vec<String>) -> Self {
        UploadGuard {
            client: client.clone(),
            key,
            jobs,
        }
    }

    fn disarm(&mut self) {
        self.key = None;
        self.jobs.clear();
    }

    /// Cancels the jobs (only queued ones can be) and deletes the upload, logging failures.
    async fn abandon(&mut self) {
        let key = self.key.take();
        let jobs = std::mem::take(&mut self.jobs);
        abandon(&self.client, key, jobs).await;
    }
}

impl Drop for UploadGuard {
    fn drop(&mut self) {
        if self.key.is_none() && self.jobs.is_empty() {
            return;
        }
        let (key, jobs) = (self.key.take(), std::mem::take(&mut self.jobs));
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                let client = self.client.clone();
                handle.spawn(async move { abandon(&client, key, jobs).await });
            }
            Err(_) => tracing::warn!(
                key = key.as_deref().unwrap_or_default(),
                "no runtime left to delete the upload of an abandoned document"
            ),
        }
    }
}

async fn abandon(client: &CosCi, key: Option<String>, jobs: Vec<String>) {
    for chunk in jobs.chunks(crate::validate::MAX_CANCEL_IDS) {
        let ids: Vec<&str> = chunk.iter().map(String::as_str).collect();
        if let Err(err) = client.cancel_jobs(&ids).await {
            // Running and finished jobs cannot be cancelled; that is expected here.
            tracing::debug!(error = %err, "could not cancel the jobs of an abandoned document");
        }
    }
    if let Some(key) = key {
        match client.delete_object(&key).await {
            Ok(_) => {}
            Err(err) if err.http_status() == Some(404) => {}
            Err(err) => tracing::warn!(
                key = %key,
                error = %err,
                "could not delete the upload of an abandoned document"
            ),
        }
    }
}

fn check_base64_size(size: u64) -> Result<()> {
    if base64_len(size) > MAX_OCR_BASE64_BYTES {
        return Err(Error::invalid_input(
            "source",
            format!(
                "is {size} bytes, {} after Base64 encoding; CI OCR reads at most 7 MB \
                 ({MAX_OCR_BASE64_BYTES} bytes) after Base64 encoding",
                base64_len(size)
            ),
        ));
    }
    Ok(())
}

fn md5_hex(md5_base64: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(md5_base64)
        .map(hex::encode)
        .unwrap_or_else(|_| md5_base64.replace(['/', '+', '='], "_"))
}

#[async_trait]
impl OcrProvider for CosCi {
    fn id(&self) -> &'static str {
        PROVIDER_ID
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::new(
            input_limits(),
            vec![OutputKind::Text, OutputKind::Layout],
            true,
        )
        .with_pages()
        .with_languages()
    }

    fn poll_policy(&self) -> PollPolicy {
        self.inner.settings.poll.clone()
    }

    /// Local files and bytes: checked (format PNG/JPEG/BMP/PDF, at most 7 MB after Base64),
    /// uploaded under the key prefix, then submitted as an `ImageOCR` job. `cos://<bucket>/<key>`
    /// submits an object already in the bucket. `http`/`https` URLs run synchronous OCR with
    /// `detect-url` and complete at once.
    async fn submit(&self, request: &Request) -> Result<Job> {
        let options = &request.options;
        match self.plan(request).await? {
            Plan::Upload {
                info,
                format,
                pages,
            } => self.run_local(request, info, format, pages).await,
            Plan::Existing { key, pages } => self.submit_pages(&key, options, pages, None).await,
            Plan::Sync { url, pages, pdf } => self.run_sync(&url, options, pages, pdf).await,
        }
    }

    /// What [`submit`](OcrProvider::submit) and the polls after it bill, validated exactly as
    /// `submit` validates: for a local file one `PutObject` (COS bills requests) and one
    /// `SubmitJob` per page (one for an image); for a `cos://` object the `SubmitJob`s only;
    /// for a URL one `SyncOcr` per page. `pages` is the number of pages recognised. A PDF
    /// given by URL without a selection is [`ErrorKind::Unsupported`] (field `pages`): its
    /// page count is learned from the first page's answer.
    async fn estimate(&self, request: &Request) -> Result<Usage> {
        self.plan(request).await?.usage().ok_or_else(|| {
            tag(
                Error::unsupported(
                    "the page count of a PDF given by URL is known only from the first \
                     page's recognition: name the pages (e.g. 1-5) to estimate what it would \
                     be billed",
                )
                .with_field("pages"),
                CosCiOp::SyncOcr,
            )
        })
    }

    /// Submits, then polls until the job ends, as the provided `recognize` does; and since
    /// nobody else holds the job, a wait that ends without a result (the poll deadline, an
    /// error, or this future being dropped) abandons it: jobs still queued are cancelled
    /// (best effort) and the upload is deleted (unless uploads are kept).
    async fn recognize(&self, request: &Request) -> Result<Document> {
        let job = self.submit(request).await?;
        let mut ids: Vec<String> = job.page_tasks.iter().map(|t| t.task_id.clone()).collect();
        if ids.is_empty() && job.result.is_none() {
            ids.push(job.task_id.clone());
        }
        let cleanup = job.meta(meta::CLEANUP_KEY).map(str::to_owned);
        let mut guard = UploadGuard::new(self, cleanup, ids);
        let waited = ocr_core::provider::wait(self, &job).await;
        match waited {
            Ok(doc) => {
                // Polling deleted the upload when the job ended.
                guard.disarm();
                if request.options.strict {
                    return doc.require_complete();
                }
                Ok(doc)
            }
            Err(err) if err.kind() == ErrorKind::TaskFailed => {
                guard.disarm();
                Err(err)
            }
            Err(err) => {
                guard.abandon().await;
                Err(err)
            }
        }
    }

    /// Describes the job; when it has ended, deletes its upload (unless kept) and returns the
    /// mapped document, or the job's `Code` and `Message` as a `TaskFailed` error. A job the
    /// service no longer knows is a `ResultExpired` error, and its upload is deleted too.
    async fn poll(&self, job: &Job) -> Result<JobStatus> {
        self.check_job(job)
            .map_err(|e| tag(e, CosCiOp::DescribeJobs))?;
        if let Some(doc) = &job.result {
            return Ok(JobStatus::Done(doc.clone()));
        }
        if !job.page_tasks.is_empty() {
            return self.poll_pages(job).await;
        }
        let (detail, request_id) = match self.describe_one(&job.task_id).await {
            Ok(found) => found,
            Err(err) => {
                if err.kind() == ErrorKind::ResultExpired {
                    // The job is gone: nothing will read its upload again.
                    self.cleanup_quietly(job).await;
                }
                return Err(err);
            }
        };
        match &detail.state {
            JobState::Success => {
                self.cleanup_quietly(job).await;
                let detection = detail.detection().cloned().unwrap_or_default();
                let mut doc = detection_to_document(&detection, Self::page_info(job));
                doc.request_ids.extend(request_id);
                doc.pages_requested = job.pages_requested.clone();
                doc.usage = job.usage.clone();
                // The whole JobsDetail (state, times, input, echoed parameters) is the native result.
                Ok(JobStatus::Done(Box::new(doc.with_native(detail))))
            }
            JobState::Failed | JobState::Cancel => {
                self.cleanup_quietly(job).await;
                Ok(JobStatus::Failed(task_error(&detail, request_id)))
            }
            state => Ok(JobStatus::Pending(Progress {
                percent: detail
                    .progress
                    .as_deref()
                    .and_then(|p| p.trim_end_matches('%').trim().parse::<f64>().ok())
                    .filter(|p| (0.0..=100.0).contains(p))
                    .map(|p| p as u8),
                state: Some(state.as_str().to_owned()),
            })),
        }
    }
}

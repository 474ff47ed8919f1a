//! [`OcrProvider`] for COS + CI: upload, submit an `ImageOCR` job, poll it, map the result,
//! delete the upload.

use std::str::FromStr;

use async_trait::async_trait;
use ocr_core::request::{inspect, InputLimits, SourceInfo};
use ocr_core::{
    Capabilities, DocumentKind, Error, ErrorKind, Format, Job, JobStatus, OcrProvider, Options,
    OutputKind, PollPolicy, Progress, Request, Result, Source,
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

impl CosCi {
    /// The `ImageOCR` parameters for a request: the configured ones plus the request's
    /// language and PDF page, and `IsPdf` for PDF input.
    fn params_for(&self, options: &Options, format: Option<Format>) -> Result<Option<ImageOcr>> {
        if let Some(kind) = options
            .outputs
            .iter()
            .find(|k| !matches!(k, OutputKind::Text | OutputKind::Layout))
        {
            return Err(Error::invalid_input(
                "outputs",
                format!("cos-ci produces text and layout only, not {kind:?}"),
            ));
        }
        if options.document_kind != DocumentKind::General {
            return Err(Error::invalid_input(
                "document_kind",
                "cos-ci runs general OCR only",
            ));
        }
        if options.languages.len() > 1 {
            return Err(Error::invalid_input(
                "languages",
                "CI takes one LanguageType per job",
            ));
        }
        let settings = &self.inner.settings;
        if settings.template_id.is_some() {
            if !options.languages.is_empty() || options.pages.is_some() {
                return Err(Error::invalid_input(
                    "languages",
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
        if let Some(pages) = options.pages {
            if pages.len() > 1 {
                return Err(Error::invalid_input(
                    "pages",
                    "CI recognises one PDF page per job (PdfPageNumber); give a single page",
                ));
            }
            if format.is_some_and(|f| f != Format::Pdf) {
                return Err(Error::invalid_input(
                    "pages",
                    "only apply to PDF input (PdfPageNumber needs IsPdf)",
                ));
            }
            params.is_pdf = Some(true);
            params.pdf_page_number = Some(pages.start());
        }
        if format == Some(Format::Pdf) {
            params.is_pdf = Some(true);
        }
        params
            .validate()
            .map_err(|e| prefix_field(e, "Operation.ImageOCR."))?;
        Ok(Some(params))
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

    /// Uploads a checked local source under the key prefix, named by the MD5 of its content;
    /// returns the key.
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
            "{}{}.{}",
            self.inner.settings.key_prefix,
            md5_hex(&md5),
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
        let op = CosCiOp::SubmitJob;
        validate::object_key("Input.Object", key).map_err(|e| tag(e, op))?;
        let is_pdf = key.to_ascii_lowercase().ends_with(".pdf");
        let params = self
            .params_for(options, is_pdf.then_some(Format::Pdf))
            .map_err(|e| tag(e, op))?;
        let page = params.as_ref().and_then(|p| p.pdf_page_number);
        let detail = self.submit_job(&self.job_request(key, params)).await?;
        // No cleanup key: the object was the caller's before and stays.
        Ok(self.job_of(&detail, key, page))
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

    async fn submit_url(&self, url: &url::Url, options: &Options) -> Result<Job> {
        let op = CosCiOp::SyncOcr;
        inspect(&Source::Url(url.clone()), &input_limits())
            .await
            .map_err(|e| tag(e, op))?;
        let params = self
            .params_for(options, None)
            .map_err(|e| tag(e, op))?
            .ok_or_else(|| {
                tag(
                    Error::invalid_input(
                        "source",
                        "URL sources use synchronous OCR, which takes no template; \
                         upload the document instead",
                    ),
                    op,
                )
            })?;
        let page = params.pdf_page_number.unwrap_or(1);
        let result = self.ocr_url(url.as_str(), &params).await?;
        let request_id = result.request_id.clone();
        let mut doc = detection_to_document(
            &result.to_detection(),
            PageInfo {
                number: page,
                size: None,
            },
        );
        doc.request_ids.extend(request_id.clone());
        let task_id = request_id.unwrap_or_else(|| format!("sync-{}", self.now_unix()));
        Ok(Job::completed(PROVIDER_ID, task_id, self.now_unix(), doc)
            .with_meta(meta::BUCKET, self.inner.bucket.clone())
            .with_meta(meta::REGION, self.inner.region.clone()))
    }

    async fn submit_cos_url(&self, url: &url::Url, options: &Options) -> Result<Job> {
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
        let key = key.trim_start_matches('/');
        self.submit_existing_object(key, options).await
    }

    async fn submit_local(&self, request: &Request) -> Result<Job> {
        let op = CosCiOp::SubmitJob;
        // Everything that can be refused is refused before the upload.
        let (info, format) = self
            .check_local(&request.source)
            .await
            .map_err(|e| tag(e, op))?;
        let params = self
            .params_for(&request.options, Some(format))
            .map_err(|e| tag(e, op))?;
        let page = params
            .as_ref()
            .and_then(|p| p.pdf_page_number)
            .or((format == Format::Pdf).then_some(1));
        let key = self
            .upload(&request.source, format)
            .await
            .map_err(|e| tag(e, CosCiOp::PutObject))?;
        let keep = self.inner.settings.keep_uploads;
        match self.submit_job(&self.job_request(&key, params)).await {
            Ok(detail) => {
                let mut job = self.job_of(&detail, &key, page);
                if !keep {
                    job = job.with_meta(meta::CLEANUP_KEY, key.clone());
                }
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
    }

    fn poll_policy(&self) -> PollPolicy {
        self.inner.settings.poll.clone()
    }

    /// Local files and bytes: checked (format PNG/JPEG/BMP/PDF, at most 7 MB after Base64),
    /// uploaded under the key prefix, then submitted as an `ImageOCR` job. `cos://<bucket>/<key>`
    /// submits an object already in the bucket. `http`/`https` URLs run synchronous OCR with
    /// `detect-url` and complete at once.
    async fn submit(&self, request: &Request) -> Result<Job> {
        match &request.source {
            Source::Url(url) if url.scheme() == "cos" => {
                self.submit_cos_url(url, &request.options).await
            }
            Source::Url(url) => self.submit_url(url, &request.options).await,
            _ => self.submit_local(request).await,
        }
    }

    /// Describes the job; when it has ended, deletes its upload (unless kept) and returns the
    /// mapped document, or the job's `Code` and `Message` as a `TaskFailed` error.
    async fn poll(&self, job: &Job) -> Result<JobStatus> {
        self.check_job(job)
            .map_err(|e| tag(e, CosCiOp::DescribeJobs))?;
        if let Some(doc) = &job.result {
            return Ok(JobStatus::Done(doc.clone()));
        }
        let (detail, request_id) = self.describe_one(&job.task_id).await?;
        match &detail.state {
            JobState::Success => {
                self.cleanup_quietly(job).await;
                let detection = detail.detection().cloned().unwrap_or_default();
                let mut doc = detection_to_document(&detection, Self::page_info(job));
                doc.request_ids.extend(request_id);
                // The whole JobsDetail (state, times, input, echoed parameters) is the native result.
                Ok(JobStatus::Done(Box::new(doc.with_native(detail))))
            }
            JobState::Failed | JobState::Cancel => {
                self.cleanup_quietly(job).await;
                let message = if !detail.message.is_empty() {
                    detail.message.clone()
                } else if detail.state == JobState::Cancel {
                    "the job was cancelled".to_owned()
                } else {
                    "the job failed".to_owned()
                };
                let mut err = Error::new(ErrorKind::TaskFailed, message)
                    .with_provider(PROVIDER_ID)
                    .with_operation(CosCiOp::DescribeJobs.name());
                let code = if detail.code.is_empty() {
                    detail.state.as_str().to_owned()
                } else {
                    detail.code.clone()
                };
                err = err.with_code(code);
                if let Some(id) = request_id {
                    err = err.with_request_id(id);
                }
                Ok(JobStatus::Failed(err))
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

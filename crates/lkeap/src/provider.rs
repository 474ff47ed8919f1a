//! LKEAP as an [`OcrProvider`]: submit = `CreateReconstructDocumentFlow`, poll =
//! `GetReconstructDocumentResult` (+ the result archive), mapped into a [`Document`].
//!
//! Usage: LKEAP bills per page and token. A document's [`Usage`] counts the one billed
//! `CreateReconstructDocumentFlow` call (the result queries and the download are free), the
//! pages the service reports (`Usage.PageNumber`; else the pages known at submission) and its
//! tokens (`Usage.TotalTokens`). [`estimate`](OcrProvider::estimate) validates as `submit`
//! does (the same code) and counts the pages locally; tokens are known only afterwards.

use std::collections::BTreeSet;

use async_trait::async_trait;
use bytes::Bytes;
use ocr_core::request::SNIFF_LEN;
use ocr_core::{
    Artifact, Capabilities, Document, Error, ErrorKind, Format, InputLimits, Job, JobStatus,
    MissingPage, OcrProvider, OutputKind, Page, PollPolicy, Request, Result, Source, Usage,
};
use tokio::io::AsyncReadExt;

use crate::actions::{CREATE_RECONSTRUCT, TASK_RETENTION};
use crate::archive::{EntryKind, ResultArchive};
use crate::client::Lkeap;
use crate::file_type::{FileType, Flow, MAX_BASE64_BYTES, MB};
use crate::flow::{DocumentFlow, Reconstruct, StatusClass};
use crate::reconstruct::{
    CreateReconstructDocumentFlowRequest, GetReconstructDocumentResultResponse,
};
use crate::result_url::redact_url;
use crate::site::Site;
use crate::task::DocumentUsage;
use crate::validate;
use crate::PROVIDER_ID;

/// `Job::meta` key of the site a job was submitted to.
pub const META_SITE: &str = "site";
/// `Job::meta` key of the region a job was submitted in.
pub const META_REGION: &str = "region";
/// `Job::meta` key of the submission's request id.
pub const META_REQUEST_ID: &str = "request_id";
/// `Job::meta` key of the flow (`"reconstruct"`).
pub const META_FLOW: &str = "flow";

/// The typed result of a finished parse task: the final poll response (status, usage, failed
/// pages) and the archive read from its URL. A [`Document`] made by this provider keeps it
/// reachable with `document.native::<ReconstructResult>()`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ReconstructResult {
    /// The task id.
    pub task_id: String,
    /// The `GetReconstructDocumentResult` response that reported success.
    pub response: GetReconstructDocumentResultResponse,
    /// The result archive.
    pub archive: ResultArchive,
}

impl ReconstructResult {
    /// Bundles a finished task's response and archive.
    pub fn new(
        task_id: impl Into<String>,
        response: GetReconstructDocumentResultResponse,
        archive: ResultArchive,
    ) -> Self {
        ReconstructResult {
            task_id: task_id.into(),
            response,
            archive,
        }
    }

    /// Maps the result into the neutral [`Document`]:
    ///
    /// - `markdown`: the whole-document Markdown;
    /// - `pages`: one page per page number found in per-page Markdown or JSON files (numbered
    ///   from 1; an archive numbering from 0 is shifted), with its Markdown;
    /// - `files`: every other file (images, per-page JSON, anything else), with its bytes;
    /// - `request_ids`: the poll's request id;
    /// - `usage`: the one billed `CreateReconstructDocumentFlow` call this is the result of,
    ///   the pages (`Usage.PageNumber` when reported, else the pages found) and the tokens
    ///   (`Usage.TotalTokens`, or `TotalToken`) when reported;
    /// - the native value: this result.
    ///
    /// ```
    /// use lkeap::{GetReconstructDocumentResultResponse, ReconstructResult, ResultArchive};
    /// let doc = ReconstructResult::new("t", GetReconstructDocumentResultResponse::default(), ResultArchive::default())
    ///     .to_document();
    /// assert_eq!(doc.provider, "lkeap");
    /// assert!(doc.native::<ReconstructResult>().is_some());
    /// assert_eq!(doc.usage.calls["CreateReconstructDocumentFlow"], 1);
    /// assert_eq!(doc.usage.tokens, None); // the response reported no usage
    /// ```
    pub fn to_document(&self) -> Document {
        let archive = &self.archive;
        let mut doc = Document::new(PROVIDER_ID);
        let main_md = archive.markdown_entry().map(|e| e.path().to_owned());
        doc.markdown = archive.markdown().map(str::to_owned);

        let page_md = archive.page_markdown();
        let page_json = archive.page_json_entries();
        let numbers: BTreeSet<u32> = page_md.keys().chain(page_json.keys()).copied().collect();
        let shift = u32::from(numbers.first() == Some(&0));
        for n in &numbers {
            let mut page = Page::new(n + shift);
            page.markdown = page_md.get(n).map(|s| (*s).to_owned());
            doc.pages.push(page);
        }

        for entry in archive.entries() {
            let is_page_md = matches!(entry.kind(), EntryKind::PageMarkdown(_));
            let is_main_md = main_md.as_deref() == Some(entry.path());
            if is_page_md || is_main_md {
                continue;
            }
            doc.files.push(Artifact {
                name: entry.path().to_owned(),
                media_type: Some(entry.media_type().to_owned()),
                data: Some(entry.data().to_vec()),
                ..Artifact::default()
            });
        }
        if !self.response.request_id.is_empty() {
            doc.request_ids.push(self.response.request_id.clone());
        }
        doc.usage.call(CREATE_RECONSTRUCT);
        let reported = self.response.usage.as_ref();
        doc.usage.pages = reported
            .and_then(reported_pages)
            .unwrap_or(doc.pages.len() as u64);
        doc.usage.tokens = reported.and_then(reported_tokens);
        doc.with_native(self.clone())
    }
}

/// A validated request: what `submit` sends and what it will bill.
struct Planned {
    /// The create request; it names no file when `inline` holds one.
    create: CreateReconstructDocumentFlowRequest,
    /// A local file, raw: sent as `FileBase64`, encoded into the body as the body is written,
    /// so no base64 copy of it is ever held.
    inline: Option<Bytes>,
    /// The pages asked for, when known (a local PDF's pages, or the selection).
    requested: Vec<u32>,
    /// The pages the task will parse, when known before sending: the pages asked for, or 1
    /// for an image. Not known for a document given by URL or an Office or text file without
    /// a selection (the service counts them).
    pages: Option<u64>,
}

impl Planned {
    /// What the submission bills: one create call, and the pages when known (0 otherwise; the
    /// service reports them with the result).
    fn usage(&self) -> Usage {
        let mut usage = Usage::default();
        usage.call(CREATE_RECONSTRUCT);
        usage.pages = self.pages.unwrap_or(0);
        usage
    }
}

impl Lkeap {
    /// Validates a request as `submit` does, without sending anything: the capabilities, then
    /// [`reconstruct_request`](Self::reconstruct_request).
    async fn plan(&self, request: &Request) -> Result<Planned> {
        self.capabilities().check(PROVIDER_ID, &request.options)?;
        self.reconstruct_request(request).await
    }

    /// Turns a neutral [`Request`] into a validated `CreateReconstructDocumentFlow` request:
    /// URLs are passed as `FileUrl` (the type from the URL's extension); local files are sent
    /// as `FileBase64` when their type allows it (type sniffed from content, or from the name
    /// for text formats), after the documented size checks.
    async fn reconstruct_request(&self, request: &Request) -> Result<Planned> {
        let site = self.site();
        let mut page_count = None;
        let range = match &request.options.pages {
            Some(pages) => Some(pages.as_range().ok_or_else(|| {
                invalid(
                    "pages",
                    format!(
                        "LKEAP parses one contiguous page range per task (FileStartPageNumber-FileEndPageNumber), not {pages}"
                    ),
                )
            })?),
            None => None,
        };
        let mut inline = None;
        let (mut out, file_type) = match &request.source {
            Source::Url(url) => {
                let file_type = request
                    .source
                    .file_name()
                    .as_deref()
                    .and_then(FileType::from_file_name)
                    .ok_or_else(|| {
                        invalid(
                            "FileType",
                            format!(
                                "cannot be told from the URL {}: its path has no supported file \
                                 extension (use the typed API to name the type)",
                                redact_url(url.as_str())
                            ),
                        )
                    })?;
                validate::check_file_type(Flow::Reconstruct, site, file_type)?;
                (
                    CreateReconstructDocumentFlowRequest::from_url(file_type, url.as_str()),
                    file_type,
                )
            }
            Source::Bytes { data, file_name } => {
                let head = &data[..data.len().min(SNIFF_LEN)];
                let file_type = local_type(site, head, file_name.as_deref(), data.len() as u64)?;
                validate::check_image_sides_if(file_type, head)?;
                page_count = local_page_count(file_type, data)?;
                inline = Some(data.clone());
                (
                    CreateReconstructDocumentFlowRequest::for_inline_file(file_type),
                    file_type,
                )
            }
            Source::Path(path) => {
                let unreadable = |e: std::io::Error| {
                    Error::new(
                        ErrorKind::InvalidInput,
                        format!("cannot read {}", path.display()),
                    )
                    .with_field("source")
                    .with_provider(PROVIDER_ID)
                    .with_source(e)
                };
                let meta = tokio::fs::metadata(path).await.map_err(unreadable)?;
                if !meta.is_file() {
                    return Err(invalid(
                        "source",
                        format!("{} is not a regular file", path.display()),
                    ));
                }
                let mut head = Vec::new();
                tokio::fs::File::open(path)
                    .await
                    .map_err(unreadable)?
                    .take(SNIFF_LEN as u64)
                    .read_to_end(&mut head)
                    .await
                    .map_err(unreadable)?;
                let name = request.source.file_name();
                let file_type = local_type(site, &head, name.as_deref(), meta.len())?;
                validate::check_image_sides_if(file_type, &head)?;
                let data = request.source.read_all(max_raw_for_base64()).await?;
                page_count = local_page_count(file_type, &data)?;
                inline = Some(data);
                (
                    CreateReconstructDocumentFlowRequest::for_inline_file(file_type),
                    file_type,
                )
            }
        };
        let requested = match (&request.options.pages, page_count) {
            (Some(pages), Some(count)) => pages
                .within(count)
                .map_err(|e| e.with_provider(PROVIDER_ID))?,
            (Some(pages), None) => pages.iter().collect(),
            (None, Some(count)) => (1..=count).collect(),
            (None, None) => Vec::new(),
        };
        if let Some(range) = range {
            out = out.with_pages(i64::from(range.start()), i64::from(range.end()));
        }
        let pages = match (requested.len(), file_type.is_image()) {
            (0, true) => Some(1),
            (0, false) => None,
            (n, _) => Some(n as u64),
        };
        Ok(Planned {
            create: out.with_config(self.default_reconstruct_config()),
            inline,
            requested,
            pages,
        })
    }
}

/// The page count of a local PDF (read from its page tree, refused when unreadable); other
/// types' page counts are not known locally.
fn local_page_count(file_type: FileType, data: &[u8]) -> Result<Option<u32>> {
    if file_type != FileType::Pdf {
        return Ok(None);
    }
    ocr_core::pages::pdf_page_count(data)
        .map(Some)
        .map_err(|e| e.with_provider(PROVIDER_ID))
}

/// What arrived against what was asked: `FailedPages` and, when the archive numbers its
/// pages, any requested page it does not hold, become [`MissingPage`]s.
fn record_missing(
    doc: &mut Document,
    requested: &[u32],
    response: &GetReconstructDocumentResultResponse,
) {
    let request_id = Some(response.request_id.clone()).filter(|id| !id.is_empty());
    let mut missing: Vec<MissingPage> = response
        .failed_pages
        .iter()
        .flatten()
        .map(|f| MissingPage {
            page: f
                .page_number
                .and_then(|n| u32::try_from(n).ok())
                .unwrap_or(0),
            code: Some("FailedPages".to_owned()),
            message: "LKEAP listed this page in FailedPages: it could not be parsed".to_owned(),
            request_id: request_id.clone(),
        })
        .collect();
    if !doc.pages.is_empty() {
        for page in requested {
            let arrived = doc.pages.iter().any(|p| p.number == *page);
            let listed = missing.iter().any(|m| m.page == *page);
            if !arrived && !listed {
                missing.push(MissingPage {
                    page: *page,
                    code: Some("PageNotInResult".to_owned()),
                    message: "the result archive holds no content for this page".to_owned(),
                    request_id: request_id.clone(),
                });
            }
        }
    }
    missing.sort_by_key(|m| m.page);
    doc.missing = missing;
    doc.pages_requested = requested.to_vec();
}

/// The usage of a finished task: what its submission billed (`submitted`), with the pages and
/// tokens the service reported in the result's `Usage` (pages not reported and not known at
/// submission are the pages found, as in `mapped`). A job from an older version records
/// nothing: the result's own usage (`mapped`) stands.
fn settle_usage(
    submitted: &Usage,
    response: &GetReconstructDocumentResultResponse,
    mapped: Usage,
) -> Usage {
    if submitted.is_empty() {
        return mapped;
    }
    let mut usage = submitted.clone();
    match response.usage.as_ref().and_then(reported_pages) {
        Some(pages) => usage.pages = pages,
        None if usage.pages == 0 => usage.pages = mapped.pages,
        None => {}
    }
    usage.tokens = mapped.tokens;
    usage
}

/// `Usage.PageNumber`, when reported and not negative.
fn reported_pages(usage: &DocumentUsage) -> Option<u64> {
    usage.page_number.and_then(|n| u64::try_from(n).ok())
}

/// `Usage.TotalTokens` (or the deprecated `TotalToken`), when reported and not negative.
fn reported_tokens(usage: &DocumentUsage) -> Option<u64> {
    usage
        .total_tokens
        .or(usage.total_token)
        .and_then(|n| u64::try_from(n).ok())
}

/// The largest raw file whose base64 form fits the 8 MB limit.
fn max_raw_for_base64() -> u64 {
    MAX_BASE64_BYTES / 4 * 3
}

/// The base64 length of `n` raw bytes.
fn encoded_len(n: u64) -> u64 {
    n.div_ceil(3) * 4
}

fn invalid(field: &str, rule: impl Into<String>) -> Error {
    Error::invalid_input(field, rule).with_provider(PROVIDER_ID)
}

/// Checks a local file before it is read in full: type recognised and accepted, within the
/// type's documented size, of a type that may be sent inline, and within 8 MB once encoded.
fn local_type(site: Site, head: &[u8], file_name: Option<&str>, size: u64) -> Result<FileType> {
    if size == 0 {
        return Err(invalid(
            "FileBase64",
            "would be empty: the file has no content",
        ));
    }
    let file_type = FileType::detect(head, file_name).ok_or_else(|| {
        invalid(
            "FileType",
            format!(
                "cannot be told: the content is not a recognised format and the file name ({}) \
                 names no supported type",
                file_name.unwrap_or("none")
            ),
        )
    })?;
    validate::check_file_type(Flow::Reconstruct, site, file_type)?;
    let limit = file_type.max_bytes(Flow::Reconstruct, site);
    if size > limit {
        return Err(invalid(
            "FileBase64",
            format!(
                "would carry a {size}-byte file; {file_type} documents are limited to {} MB",
                limit / MB
            ),
        ));
    }
    if !file_type.allows_base64(Flow::Reconstruct, site) {
        return Err(invalid(
            "FileBase64",
            format!(
                "cannot carry a local {file_type} file: only {} may be sent inline on the {site} \
                 site; upload it and pass its URL",
                FileType::base64_types(Flow::Reconstruct, site).join(", ")
            ),
        ));
    }
    validate::check_encoded_len(encoded_len(size))?;
    Ok(file_type)
}

#[async_trait]
impl OcrProvider for Lkeap {
    fn id(&self) -> &'static str {
        PROVIDER_ID
    }

    fn capabilities(&self) -> Capabilities {
        let max = FileType::ALL
            .iter()
            .filter(|t| t.accepted_by(Flow::Reconstruct, self.site()))
            .map(|t| t.max_bytes(Flow::Reconstruct, self.site()))
            .max()
            .unwrap_or(0);
        let formats: Vec<Format> = Format::ALL
            .into_iter()
            .filter(|f| {
                FileType::from_format(*f)
                    .is_some_and(|t| t.accepted_by(Flow::Reconstruct, self.site()))
            })
            .collect();
        Capabilities::new(
            InputLimits::new(formats, max).with_sides(
                Some(validate::MIN_IMAGE_SIDE),
                Some(validate::MAX_IMAGE_SIDE),
            ),
            vec![OutputKind::Text, OutputKind::Markdown, OutputKind::Files],
            true,
        )
        .with_pages()
    }

    fn poll_policy(&self) -> PollPolicy {
        self.poll_policy_value()
    }

    /// Validates, then calls `CreateReconstructDocumentFlow`. The job carries the task id and,
    /// in `meta`, the site, region and request id; it can be serialised and polled later (for
    /// 30 days) by a client configured for the same site and region.
    async fn submit(&self, request: &Request) -> Result<Job> {
        let planned = self.plan(request).await?;
        let created = match &planned.inline {
            Some(file) => {
                self.create_task_inline::<Reconstruct>(&planned.create, file)
                    .await?
            }
            None => {
                self.create_reconstruct_document_flow(&planned.create)
                    .await?
            }
        };
        let now = self.now_unix();
        let mut job = Job::new(PROVIDER_ID, created.task_id, now).with_usage(planned.usage());
        job.pages_requested = planned.requested;
        Ok(job
            .with_expiry(now + TASK_RETENTION.as_secs())
            .with_meta(META_FLOW, "reconstruct")
            .with_meta(META_SITE, self.site().as_str())
            .with_meta(META_REGION, self.region())
            .with_meta(META_REQUEST_ID, created.request_id))
    }

    /// One `CreateReconstructDocumentFlow` call and the pages the task will parse: the
    /// requested pages of a local PDF (all by default) or of a selection, 1 for an image.
    /// Validated exactly as [`submit`](OcrProvider::submit) validates. A document whose page
    /// count only the service can tell (given by URL, or an Office or text file, without a
    /// selection) is [`ErrorKind::Unsupported`] (field `pages`): LKEAP bills per page.
    async fn estimate(&self, request: &Request) -> Result<Usage> {
        let planned = self.plan(request).await?;
        if planned.pages.is_none() {
            return Err(Error::unsupported(
                "the page count of this document is known only once LKEAP has parsed it (a \
                 document given by URL, or an Office or text file): name the pages (e.g. 1-5) \
                 to estimate what it would be billed",
            )
            .with_field("pages")
            .with_provider(PROVIDER_ID));
        }
        Ok(planned.usage())
    }

    /// Calls `GetReconstructDocumentResult` once: `Processing`, `Pause` and `WaitExecute` are
    /// pending; `Failed` is the task's error (kind `TaskFailed`); `Success` downloads and reads
    /// the archive (refreshing an expired URL once) and returns the document.
    async fn poll(&self, job: &Job) -> Result<JobStatus> {
        self.check_job(job)?;
        let response = self.get_reconstruct_document_result(&job.task_id).await?;
        match Reconstruct::classify(&response)? {
            StatusClass::Pending(progress) => Ok(JobStatus::Pending(progress)),
            StatusClass::Failed(err) => Ok(JobStatus::Failed(err)),
            StatusClass::Done => {
                let archive = self
                    .download_reconstruct_archive(&job.task_id, &response)
                    .await?;
                let failed = response.clone();
                let mut doc =
                    ReconstructResult::new(job.task_id.clone(), response, archive).to_document();
                record_missing(&mut doc, &job.pages_requested, &failed);
                doc.usage = settle_usage(&job.usage, &failed, doc.usage);
                if let Some(id) = job.meta(META_REQUEST_ID).filter(|id| !id.is_empty()) {
                    doc.request_ids.insert(0, id.to_owned());
                }
                Ok(JobStatus::Done(Box::new(doc)))
            }
        }
    }
}

impl Lkeap {
    fn check_job(&self, job: &Job) -> Result<()> {
        if job.provider != PROVIDER_ID {
            return Err(invalid(
                "job",
                format!("belongs to provider {}, not {PROVIDER_ID}", job.provider),
            ));
        }
        if job.task_id.trim().is_empty() {
            return Err(invalid("job", "has no task id"));
        }
        let mismatch = |what: &str, theirs: &str, ours: &str| {
            Error::new(
                ErrorKind::Config,
                format!(
                    "job {} was submitted with {what} {theirs}; poll it with a client configured \
                     for {what} {theirs} (this one uses {ours})",
                    job.task_id
                ),
            )
            .with_field("job")
            .with_provider(PROVIDER_ID)
        };
        if let Some(site) = job.meta(META_SITE) {
            if Site::from_name(site) != Some(self.site()) {
                return Err(mismatch("site", site, self.site().as_str()));
            }
        }
        if let Some(region) = job.meta(META_REGION) {
            if region != self.region() {
                return Err(mismatch("region", region, self.region()));
            }
        }
        Ok(())
    }
}

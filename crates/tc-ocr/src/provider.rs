//! [`OcrProvider`] for [`TencentOcr`]: picks the action from the request options and maps the
//! result into a [`Document`](ocr_core::Document).
//!
//! | options | action | kind |
//! |---|---|---|
//! | `document_kind == IdCard` | ApplyCardVerificationExternal → GetCardVerificationExternalResult | asynchronous: the job's task id is the `CardVerificationToken` |
//! | `outputs` has `Fields`, `field_names` is not empty, or `config_id` is set | ExtractDocMulti (`ItemNames` = `field_names`, `ConfigId` = `config_id`) | synchronous |
//! | anything else | GeneralAccurateOCR | synchronous |
//!
//! Local sources are sent as base64 (`ImageBase64…`), URLs as `ImageUrl…`. The API reads one
//! PDF page per call (`PdfPageNumber`), so a local PDF's pages are counted and each requested
//! page (every page by default) is one call, a few at a time
//! ([`page_concurrency`](crate::TencentOcrBuilder::page_concurrency)), assembled in page order
//! with failed pages listed in `Document::missing`. A PDF given by URL needs `pages` (its page
//! count is not known before paying for calls); `pages` on an image is refused. For text,
//! `Layout` asks for per-character results (`IsWords`) and languages other than Chinese and
//! English select `ConfigID` `MulOCR`. For fields, `Layout` sets `EnableCoord`, `Text` sets
//! `ReturnFullText`, and one English or Chinese language sets `OutputLanguage` (any other is
//! refused). For identity documents the `Nationality` and `CardType` come from the options
//! (`card_nationality`, `card_type`), else from the builder
//! ([`card_nationality`](crate::TencentOcrBuilder::card_nationality),
//! [`card_type`](crate::TencentOcrBuilder::card_type)); the source is the front side. Options
//! outside [`Capabilities`] are refused before anything is sent.
//!
//! Usage: the service bills per call, so a document's [`Usage`] counts one call of its action
//! per page read (`{"GeneralAccurateOCR": 5}` and 5 pages for a 5-page PDF; a page whose call
//! failed is not counted), and one `ApplyCardVerificationExternal` for an identity document
//! (the result query is free). [`estimate`](OcrProvider::estimate) validates the request as
//! `submit` does (the same code) and gives the same numbers without sending anything.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use bytes::Bytes;
use ocr_core::request::inspect;
use ocr_core::{
    async_trait, Capabilities, DocumentKind, Error, Format, InputLimits, Job, JobStatus,
    OcrProvider, OutputKind, PollPolicy, Request, Result, Source, Usage,
};

use crate::actions::{
    APPLY_CARD_VERIFICATION_EXTERNAL, EXTRACT_DOC_MULTI, GENERAL_ACCURATE_OCR, PROVIDER_ID,
};
use crate::card_verification::{
    ApplyCardVerificationExternalRequest, GetCardVerificationExternalResultRequest,
};
use crate::client::TencentOcr;
use crate::extract_doc_multi::ExtractDocMultiRequest;
use crate::general_ocr::GeneralAccurateOcrRequest;
use crate::limits;
use crate::validate::rename_source;

/// `Job::meta` key naming the action that created the job.
pub const META_ACTION: &str = "action";
/// `Job::meta` key holding the request id of the call that created the job.
pub const META_REQUEST_ID: &str = "request_id";

/// The image of a request, as the API takes it.
enum Image {
    Url(String),
    /// A local file, raw: encoded into the JSON body as the body is written
    /// ([`tc_api::inline`]), so no base64 copy of it is ever held.
    Base64 {
        data: Bytes,
        format: Option<Format>,
        /// The page count of a PDF, read locally.
        pages: Option<u32>,
    },
}

/// Checks `source` against `limits` and turns it into a URL or base64 for the wire.
async fn load_image(
    source: &Source,
    limits: &InputLimits,
    max_base64_len: usize,
    url_field: &'static str,
    base64_field: &'static str,
) -> Result<Image> {
    if let Source::Url(url) = source {
        inspect(source, limits)
            .await
            .map_err(rename_source(url_field))?;
        return Ok(Image::Url(url.to_string()));
    }
    let mut unbounded = limits.clone();
    unbounded.max_bytes = u64::MAX; // checked below, after base64
    let info = inspect(source, &unbounded)
        .await
        .map_err(rename_source(base64_field))?;
    let size = info.size.unwrap_or(0);
    let encoded = limits::base64_len(size);
    if encoded > max_base64_len as u64 {
        return Err(Error::invalid_input(
            base64_field,
            format!(
                "would be {encoded} characters after base64 encoding ({size} bytes); at most \
                 {max_base64_len} ({} MiB) are accepted",
                max_base64_len / (1024 * 1024)
            ),
        ));
    }
    let data = source
        .read_all(limits::max_raw_len(max_base64_len))
        .await
        .map_err(rename_source(base64_field))?;
    let pages = match info.format {
        Some(Format::Pdf) => {
            Some(ocr_core::pages::pdf_page_count(&data).map_err(rename_source(base64_field))?)
        }
        _ => None,
    };
    Ok(Image::Base64 {
        data,
        format: info.format,
        pages,
    })
}

/// Which pages to recognise, one call each: `None` for a single image (no `PdfPageNumber`),
/// else the requested pages of the PDF. Everything is refused before sending: a selection on
/// an image, a page beyond a local PDF's end, a PDF given by URL without a selection (the API
/// does not report its page count, and guessing would drop pages silently).
fn pages_to_call(request: &Request, image: &Image, pdf_by_url: bool) -> Result<Option<Vec<u32>>> {
    let selection = request.options.pages.as_ref();
    match image {
        Image::Base64 {
            pages: Some(count), ..
        } => ocr_core::pages::requested_pages(selection, *count)
            .map(Some)
            .map_err(|e| e.with_field("PdfPageNumber")),
        Image::Base64 { format, .. } => match selection {
            None => Ok(None),
            Some(_) => Err(Error::invalid_input(
                "PdfPageNumber",
                format!(
                    "applies only to a PDF, and the source is {}",
                    format.map_or("not a PDF".to_owned(), |f| f.to_string())
                ),
            )),
        },
        Image::Url(_) => match (selection, pdf_by_url) {
            (Some(pages), _) => Ok(Some(pages.iter().collect())),
            (None, true) => Err(Error::invalid_input(
                "PdfPageNumber",
                "is needed for a PDF given by URL: the API recognises one page per call and \
                 does not report the page count; name the pages (e.g. 1-5), or pass the file \
                 itself so its pages can be counted",
            )),
            (None, false) => Ok(None),
        },
    }
}

fn url_names_pdf(request: &Request) -> bool {
    matches!(request.source, Source::Url(_))
        && request
            .source
            .file_name()
            .and_then(|n| Format::from_file_name(&n))
            == Some(Format::Pdf)
}

fn language_family(language: &str) -> String {
    language
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// Languages other than Chinese and English need the multilingual model.
fn needs_multilingual(languages: &[String]) -> bool {
    languages
        .iter()
        .map(|l| language_family(l))
        .any(|l| !matches!(l.as_str(), "zh" | "cn" | "en" | "chi" | "eng"))
}

/// ExtractDocMulti's `OutputLanguage` (the language of the keys it adds): one of English or
/// Chinese; anything else would be ignored by the service, so it is refused.
fn output_language(languages: &[String]) -> Result<Option<String>> {
    let Some(first) = languages.first() else {
        return Ok(None);
    };
    if languages.len() > 1 {
        return Err(Error::invalid_input(
            "OutputLanguage",
            "takes one language (en or zh) for field extraction",
        ));
    }
    match language_family(first).as_str() {
        "en" | "eng" => Ok(Some("en".to_owned())),
        "zh" | "cn" | "chi" => Ok(Some("cn".to_owned())),
        _ => Err(Error::invalid_input(
            "OutputLanguage",
            format!("is en or zh for field extraction, not {first}"),
        )),
    }
}

fn tag(action: &'static str) -> impl Fn(Error) -> Error {
    move |e| e.with_provider(PROVIDER_ID).with_operation(action)
}

/// A validated request: the native request of its action and the pages it reads, one billed
/// call each. Everything `submit` refuses is refused while planning, so
/// [`estimate`](OcrProvider::estimate) and `submit` fail alike and neither sends anything
/// then.
enum Plan {
    /// GeneralAccurateOCR, once for an image or once per page; `inline` is the local file
    /// sent as `ImageBase64` (the native request then names no image).
    Text {
        native: GeneralAccurateOcrRequest,
        inline: Option<Bytes>,
        pages: Option<Vec<u32>>,
    },
    /// ExtractDocMulti, once for an image or once per page, as `Text`.
    Fields {
        native: ExtractDocMultiRequest,
        inline: Option<Bytes>,
        pages: Option<Vec<u32>>,
    },
    /// ApplyCardVerificationExternal, once (then polled).
    Card(ApplyCardVerificationExternalRequest),
}

impl Plan {
    fn action(&self) -> &'static str {
        match self {
            Plan::Text { .. } => GENERAL_ACCURATE_OCR,
            Plan::Fields { .. } => EXTRACT_DOC_MULTI,
            Plan::Card(_) => APPLY_CARD_VERIFICATION_EXTERNAL,
        }
    }

    /// What it bills: one call of its action per page read (an image is one page).
    fn usage(&self) -> Usage {
        let calls = match self {
            Plan::Text { pages, .. } | Plan::Fields { pages, .. } => {
                pages.as_ref().map_or(1, Vec::len)
            }
            Plan::Card(_) => 1,
        };
        let mut usage = Usage::default();
        for _ in 0..calls {
            usage.call(self.action());
        }
        usage.pages = calls as u64;
        usage
    }
}

impl TencentOcr {
    /// Validates a request as `submit` does, choosing the action from the options (see the
    /// module documentation), without sending anything.
    async fn plan(&self, request: &Request) -> Result<Plan> {
        self.capabilities().check(PROVIDER_ID, &request.options)?;
        if request.options.document_kind == DocumentKind::IdCard {
            return self
                .plan_card(request)
                .await
                .map_err(tag(APPLY_CARD_VERIFICATION_EXTERNAL));
        }
        if request.wants(OutputKind::Fields)
            || !request.options.field_names.is_empty()
            || request.options.config_id.is_some()
        {
            return self
                .plan_fields(request)
                .await
                .map_err(tag(EXTRACT_DOC_MULTI));
        }
        self.plan_text(request)
            .await
            .map_err(tag(GENERAL_ACCURATE_OCR))
    }

    async fn plan_text(&self, request: &Request) -> Result<Plan> {
        let image = load_image(
            &request.source,
            &limits::general_ocr(),
            limits::MAX_BASE64_LEN,
            "ImageUrl",
            "ImageBase64",
        )
        .await?;
        let pages = pages_to_call(request, &image, url_names_pdf(request))?;
        let mut native = GeneralAccurateOcrRequest {
            is_words: request.wants(OutputKind::Layout).then_some(true),
            config_id: needs_multilingual(&request.options.languages).then(|| "MulOCR".to_owned()),
            ..GeneralAccurateOcrRequest::default()
        };
        let inline = match image {
            Image::Url(u) => {
                native.image_url = Some(u);
                None
            }
            Image::Base64 { data, .. } => Some(data),
        };
        Ok(Plan::Text {
            native,
            inline,
            pages,
        })
    }

    async fn run_text(
        &self,
        native: GeneralAccurateOcrRequest,
        inline: Option<Bytes>,
        pages: Option<Vec<u32>>,
    ) -> Result<Job> {
        let call = |page: Option<u32>| {
            let mut native = native.clone();
            native.is_pdf = page.map(|_| true);
            native.pdf_page_number = page.map(u64::from);
            let inline = inline.as_deref();
            async move {
                let response = match inline {
                    Some(image) => self.general_accurate_ocr_inline(&native, image).await?,
                    None => self.general_accurate_ocr(&native).await?,
                };
                Ok(response.to_document(page.map(u64::from)))
            }
        };
        let doc = self.run_pages(pages, call).await?;
        Ok(self.completed(doc, GENERAL_ACCURATE_OCR))
    }

    async fn plan_fields(&self, request: &Request) -> Result<Plan> {
        let image = load_image(
            &request.source,
            &limits::extract_doc_multi(),
            limits::MAX_BASE64_LEN,
            "ImageUrl",
            "ImageBase64",
        )
        .await?;
        let pages = pages_to_call(request, &image, url_names_pdf(request))?;
        let options = &request.options;
        let names = &options.field_names;
        let mut native = ExtractDocMultiRequest {
            item_names: (!names.is_empty()).then(|| names.clone()),
            config_id: options.config_id.clone(),
            enable_coord: request.wants(OutputKind::Layout).then_some(true),
            return_full_text: request.wants(OutputKind::Text).then_some(true),
            output_language: output_language(&options.languages)?,
            ..ExtractDocMultiRequest::default()
        };
        let inline = match image {
            Image::Url(u) => {
                native.image_url = Some(u);
                None
            }
            Image::Base64 { data, .. } => Some(data),
        };
        Ok(Plan::Fields {
            native,
            inline,
            pages,
        })
    }

    async fn run_fields(
        &self,
        native: ExtractDocMultiRequest,
        inline: Option<Bytes>,
        pages: Option<Vec<u32>>,
    ) -> Result<Job> {
        let call = |page: Option<u32>| {
            let mut native = native.clone();
            native.pdf_page_number = page.map(u64::from);
            let inline = inline.as_deref();
            async move {
                let response = match inline {
                    Some(image) => self.extract_doc_multi_inline(&native, image).await?,
                    None => self.extract_doc_multi(&native).await?,
                };
                Ok(response.to_document(page.map(u64::from)))
            }
        };
        let doc = self.run_pages(pages, call).await?;
        Ok(self.completed(doc, EXTRACT_DOC_MULTI))
    }

    /// One call for a single image, or one per page (a few at a time, under the rate limits),
    /// assembled in page order with failed pages listed as missing.
    async fn run_pages<F, Fut>(
        &self,
        pages: Option<Vec<u32>>,
        call: F,
    ) -> Result<ocr_core::Document>
    where
        F: Fn(Option<u32>) -> Fut,
        Fut: std::future::Future<Output = Result<ocr_core::Document>>,
    {
        let Some(pages) = pages else {
            return call(None).await;
        };
        let results = ocr_core::pages::for_each_page(&pages, self.inner.page_concurrency, |page| {
            call(Some(page))
        })
        .await;
        ocr_core::Document::from_pages(PROVIDER_ID, pages, results)
    }

    /// A job complete at submission; its task id is the first request id.
    fn completed(&self, doc: ocr_core::Document, action: &'static str) -> Job {
        let request_id = doc.request_ids.first().cloned().unwrap_or_default();
        Job::completed(
            PROVIDER_ID,
            request_id,
            self.general_client().now_unix(),
            doc,
        )
        .with_meta(META_ACTION, action)
    }

    async fn plan_card(&self, request: &Request) -> Result<Plan> {
        let options = &request.options;
        for (set, field, what) in [
            (
                !options.field_names.is_empty(),
                "field_names",
                "field names",
            ),
            (!options.languages.is_empty(), "languages", "languages"),
            (options.config_id.is_some(), "config_id", "a config id"),
            (
                request.wants(OutputKind::Layout),
                "outputs",
                "layout output (it returns fields)",
            ),
        ] {
            if set {
                return Err(Error::invalid_input(
                    field,
                    format!("identity-document verification takes no {what}"),
                ));
            }
        }
        let nationality = options
            .card_nationality
            .clone()
            .or_else(|| self.inner.card_nationality.clone())
            .ok_or_else(|| {
                Error::invalid_input(
                    "Nationality",
                    "is required for identity documents: give the card nationality (ISO \
                     3166-1 alpha-3, e.g. PHL) in the request options or with \
                     TencentOcrBuilder::card_nationality",
                )
            })?;
        let card_type = options
            .card_type
            .clone()
            .unwrap_or_else(|| self.inner.card_type.clone());
        let image = load_image(
            &request.source,
            &limits::card_verification(false),
            limits::card_max_base64_len(false),
            "ImageUrlFront",
            "ImageBase64Front",
        )
        .await?;
        if request.options.pages.is_some() {
            return Err(Error::invalid_input(
                "pages",
                "do not apply to identity documents (one image per side)",
            ));
        }
        let mut native = ApplyCardVerificationExternalRequest::new(nationality, card_type);
        match image {
            Image::Url(u) => native.image_url_front = Some(u),
            // Cards are small (a few MB at most): the typed field takes the base64 itself.
            Image::Base64 { data, .. } => native.image_base64_front = Some(STANDARD.encode(data)),
        }
        Ok(Plan::Card(native))
    }

    async fn run_card(
        &self,
        native: ApplyCardVerificationExternalRequest,
        usage: Usage,
    ) -> Result<Job> {
        let response = self.apply_card_verification_external(&native).await?;
        let token = response
            .card_verification_token
            .clone()
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                let mut err = Error::decode("the response has no CardVerificationToken")
                    .with_provider(PROVIDER_ID)
                    .with_operation(APPLY_CARD_VERIFICATION_EXTERNAL);
                if let Some(id) = &response.request_id {
                    err = err.with_request_id(id.clone());
                }
                err
            })?;
        let mut job = Job::new(PROVIDER_ID, token, self.card_client().now_unix())
            .with_meta(META_ACTION, APPLY_CARD_VERIFICATION_EXTERNAL)
            .with_usage(usage);
        if let Some(id) = response.request_id.filter(|id| !id.is_empty()) {
            job = job.with_meta(META_REQUEST_ID, id);
        }
        Ok(job)
    }
}

#[async_trait]
impl OcrProvider for TencentOcr {
    fn id(&self) -> &'static str {
        PROVIDER_ID
    }

    /// The limits of the default (text) path: PNG, JPEG, BMP, PDF up to 10 MiB after base64.
    /// Fields also accept Word and Excel; identity documents have tighter limits (see
    /// [`limits`]). Only identity documents are asynchronous.
    fn capabilities(&self) -> Capabilities {
        Capabilities::new(
            limits::general_ocr(),
            vec![OutputKind::Text, OutputKind::Layout, OutputKind::Fields],
            false,
        )
        .with_pages()
        .with_languages()
        .with_field_names()
        .with_config_id()
        .with_document_kinds([DocumentKind::General, DocumentKind::IdCard])
    }

    fn poll_policy(&self) -> PollPolicy {
        self.inner.poll_policy.clone()
    }

    async fn submit(&self, request: &Request) -> Result<Job> {
        let plan = self.plan(request).await?;
        let action = plan.action();
        let usage = plan.usage();
        match plan {
            Plan::Text {
                native,
                inline,
                pages,
            } => self.run_text(native, inline, pages).await,
            Plan::Fields {
                native,
                inline,
                pages,
            } => self.run_fields(native, inline, pages).await,
            Plan::Card(native) => self.run_card(native, usage).await,
        }
        .map_err(tag(action))
    }

    /// One billed call per page read: `GeneralAccurateOCR` or `ExtractDocMulti` once for an
    /// image and once per requested page of a PDF, `ApplyCardVerificationExternal` once for an
    /// identity document (its result query is not billed); `pages` is the number of those
    /// calls. Validated exactly as [`submit`](OcrProvider::submit) validates.
    async fn estimate(&self, request: &Request) -> Result<Usage> {
        Ok(self.plan(request).await?.usage())
    }

    async fn poll(&self, job: &Job) -> Result<JobStatus> {
        if job.provider != PROVIDER_ID {
            return Err(Error::invalid_input(
                "job",
                format!("belongs to provider {}, not {PROVIDER_ID}", job.provider),
            )
            .with_provider(PROVIDER_ID));
        }
        if let Some(doc) = &job.result {
            return Ok(JobStatus::Done(doc.clone()));
        }
        if job.meta(META_ACTION) != Some(APPLY_CARD_VERIFICATION_EXTERNAL) {
            return Err(Error::invalid_input(
                "job",
                "has no result and is not a card verification, so there is nothing to poll",
            )
            .with_provider(PROVIDER_ID));
        }
        let request = GetCardVerificationExternalResultRequest::new(job.task_id.clone());
        let status = self.card_status(&request).await?;
        Ok(match status {
            JobStatus::Done(mut doc) => {
                if let Some(id) = job.meta(META_REQUEST_ID) {
                    doc.request_ids.insert(0, id.to_owned());
                }
                // The result counts the apply it answers; the job knows what that apply
                // billed (a job from an older version records nothing: keep the result's).
                if !job.usage.is_empty() {
                    doc.usage = job.usage.clone();
                }
                JobStatus::Done(doc)
            }
            other => other,
        })
    }
}

//! [`OcrProvider`] for [`TencentOcr`]: picks the action from the request options and maps the
//! result into a [`Document`](ocr_core::Document).
//!
//! | options | action | kind |
//! |---|---|---|
//! | `document_kind == IdCard` | ApplyCardVerificationExternal → GetCardVerificationExternalResult | asynchronous: the job's task id is the `CardVerificationToken` |
//! | `outputs` has `Fields`, or `field_names` is not empty | ExtractDocMulti (`ItemNames` = `field_names`) | synchronous |
//! | anything else | GeneralAccurateOCR | synchronous |
//!
//! Local sources are sent as base64 (`ImageBase64…`), URLs as `ImageUrl…`. `pages` must be a
//! single page (`PdfPageNumber`) and only for a PDF. For text, `Layout` asks for per-character
//! results (`IsWords`) and languages other than Chinese and English select `ConfigID`
//! `MulOCR`. For fields, `Layout` sets `EnableCoord`, `Text` sets `ReturnFullText`, and an
//! English or Chinese first language sets `OutputLanguage`. For identity documents the
//! `Nationality` and `CardType` come from the builder
//! ([`card_nationality`](crate::TencentOcrBuilder::card_nationality),
//! [`card_type`](crate::TencentOcrBuilder::card_type)); the source is the front side.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use ocr_core::request::inspect;
use ocr_core::{
    async_trait, Capabilities, DocumentKind, Error, Format, InputLimits, Job, JobStatus,
    OcrProvider, OutputKind, PollPolicy, Request, Result, Source,
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
    Base64 {
        data: String,
        format: Option<Format>,
    },
}

impl Image {
    fn is_pdf(&self) -> bool {
        matches!(
            self,
            Image::Base64 {
                format: Some(Format::Pdf),
                ..
            }
        )
    }
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
    Ok(Image::Base64 {
        data: STANDARD.encode(&data),
        format: info.format,
    })
}

/// The one page of `request`, refused unless it is a single page of a PDF (when the format is
/// known).
fn single_page(request: &Request, image: &Image) -> Result<Option<u64>> {
    let Some(pages) = request.options.pages else {
        return Ok(None);
    };
    if pages.len() != 1 {
        return Err(Error::invalid_input(
            "PdfPageNumber",
            format!(
                "takes a single page; pages {}-{} were asked for (one call per page)",
                pages.start(),
                pages.end()
            ),
        ));
    }
    if let Image::Base64 {
        format: Some(format),
        ..
    } = image
    {
        if *format != Format::Pdf {
            return Err(Error::invalid_input(
                "PdfPageNumber",
                format!("applies only to a PDF, and the source is {format}"),
            ));
        }
    }
    Ok(Some(u64::from(pages.start())))
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

fn output_language(languages: &[String]) -> Option<String> {
    match language_family(languages.first()?).as_str() {
        "en" | "eng" => Some("en".to_owned()),
        "zh" | "cn" | "chi" => Some("cn".to_owned()),
        _ => None,
    }
}

fn tag(action: &'static str) -> impl Fn(Error) -> Error {
    move |e| e.with_provider(PROVIDER_ID).with_operation(action)
}

impl TencentOcr {
    async fn submit_text(&self, request: &Request) -> Result<Job> {
        let image = load_image(
            &request.source,
            &limits::general_ocr(),
            limits::MAX_BASE64_LEN,
            "ImageUrl",
            "ImageBase64",
        )
        .await?;
        let page = single_page(request, &image)?;
        let is_pdf = image.is_pdf()
            || (matches!(image, Image::Url(_)) && page.is_some())
            || url_names_pdf(request);
        let mut native = GeneralAccurateOcrRequest {
            is_pdf: is_pdf.then_some(true),
            pdf_page_number: page,
            is_words: request.wants(OutputKind::Layout).then_some(true),
            config_id: needs_multilingual(&request.options.languages).then(|| "MulOCR".to_owned()),
            ..GeneralAccurateOcrRequest::default()
        };
        match image {
            Image::Url(u) => native.image_url = Some(u),
            Image::Base64 { data, .. } => native.image_base64 = Some(data),
        }
        let response = self.general_accurate_ocr(&native).await?;
        let doc = response.to_document(page);
        let request_id = response.request_id.clone().unwrap_or_default();
        Ok(Job::completed(
            PROVIDER_ID,
            request_id,
            self.general_client().now_unix(),
            doc,
        )
        .with_meta(META_ACTION, GENERAL_ACCURATE_OCR))
    }

    async fn submit_fields(&self, request: &Request) -> Result<Job> {
        let image = load_image(
            &request.source,
            &limits::extract_doc_multi(),
            limits::MAX_BASE64_LEN,
            "ImageUrl",
            "ImageBase64",
        )
        .await?;
        let page = single_page(request, &image)?;
        let names = &request.options.field_names;
        let mut native = ExtractDocMultiRequest {
            pdf_page_number: page,
            item_names: (!names.is_empty()).then(|| names.clone()),
            enable_coord: request.wants(OutputKind::Layout).then_some(true),
            return_full_text: request.wants(OutputKind::Text).then_some(true),
            output_language: output_language(&request.options.languages),
            ..ExtractDocMultiRequest::default()
        };
        match image {
            Image::Url(u) => native.image_url = Some(u),
            Image::Base64 { data, .. } => native.image_base64 = Some(data),
        }
        let response = self.extract_doc_multi(&native).await?;
        let doc = response.to_document(page);
        let request_id = response.request_id.clone().unwrap_or_default();
        Ok(Job::completed(
            PROVIDER_ID,
            request_id,
            self.general_client().now_unix(),
            doc,
        )
        .with_meta(META_ACTION, EXTRACT_DOC_MULTI))
    }

    async fn submit_card(&self, request: &Request) -> Result<Job> {
        let nationality = self.inner.card_nationality.clone().ok_or_else(|| {
            Error::invalid_input(
                "Nationality",
                "is required for identity documents: set it with \
                 TencentOcrBuilder::card_nationality (ISO 3166-1 alpha-3, e.g. PHL)",
            )
        })?;
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
        let mut native =
            ApplyCardVerificationExternalRequest::new(nationality, self.inner.card_type.clone());
        match image {
            Image::Url(u) => native.image_url_front = Some(u),
            Image::Base64 { data, .. } => native.image_base64_front = Some(data),
        }
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
            .with_meta(META_ACTION, APPLY_CARD_VERIFICATION_EXTERNAL);
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
    }

    fn poll_policy(&self) -> PollPolicy {
        self.inner.poll_policy.clone()
    }

    async fn submit(&self, request: &Request) -> Result<Job> {
        if request.options.document_kind == DocumentKind::IdCard {
            return self
                .submit_card(request)
                .await
                .map_err(tag(APPLY_CARD_VERIFICATION_EXTERNAL));
        }
        if request.wants(OutputKind::Fields) || !request.options.field_names.is_empty() {
            return self
                .submit_fields(request)
                .await
                .map_err(tag(EXTRACT_DOC_MULTI));
        }
        self.submit_text(request)
            .await
            .map_err(tag(GENERAL_ACCURATE_OCR))
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
                JobStatus::Done(doc)
            }
            other => other,
        })
    }
}

//! [`TencentOcr`]: one typed method per action, validation first.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use ocr_core::poll::poll_until_done;
use ocr_core::{Error, ErrorKind, JobStatus, PollPolicy, Progress, Result};
use tc_api::TcClient;

use crate::actions::{
    ACT_APPLY_CARD, ACT_EXTRACT_DOC_MULTI, ACT_GENERAL_ACCURATE_OCR, ACT_GENERAL_BASIC_OCR,
    ACT_GET_CARD_RESULT, PROVIDER_ID,
};
use crate::card_verification::{
    ApplyCardVerificationExternalRequest, ApplyCardVerificationExternalResponse,
    CardVerificationStatus, GetCardVerificationExternalResultRequest,
    GetCardVerificationExternalResultResponse,
};
use crate::extract_doc_multi::{ExtractDocMultiRequest, ExtractDocMultiResponse};
use crate::general_ocr::{
    GeneralAccurateOcrRequest, GeneralAccurateOcrResponse, GeneralBasicOcrRequest,
    GeneralBasicOcrResponse,
};
use crate::validate;

/// A Tencent Cloud OCR (2018-11-19) client.
///
/// Cheap to clone: clones share the HTTP connection pool, the rate limiters, the credential
/// cache and the learned clock skew. Every method validates its request first and returns an
/// [`ErrorKind::InvalidInput`] error naming the wire field and the rule without sending
/// anything; calls then go through the shared runtime (rate limit, timeouts, retry, clock-skew
/// re-sign). It also implements [`ocr_core::OcrProvider`].
#[derive(Clone)]
pub struct TencentOcr {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) general: TcClient,
    pub(crate) card: TcClient,
    pub(crate) limits: BTreeMap<&'static str, f64>,
    pub(crate) poll_policy: PollPolicy,
    pub(crate) card_nationality: Option<String>,
    pub(crate) card_type: String,
    pub(crate) page_concurrency: usize,
}

impl fmt::Debug for TencentOcr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TencentOcr")
            .field("general", &self.inner.general)
            .field("card", &self.inner.card)
            .field("limits", &self.inner.limits)
            .finish_non_exhaustive()
    }
}

fn tag(action: &'static str) -> impl Fn(Error) -> Error {
    move |e| e.with_provider(PROVIDER_ID).with_operation(action)
}

impl TencentOcr {
    /// The API client of ExtractDocMulti and General*OCR, for actions this crate does not
    /// wrap (`client.call(Action::billed("GeneralFastOCR"), &body)`).
    pub fn general_client(&self) -> &TcClient {
        &self.inner.general
    }

    /// The API client of the card-verification pair (international, `ap-singapore`).
    pub fn card_client(&self) -> &TcClient {
        &self.inner.card
    }

    /// The client-side rate limits in force, per action, requests per second.
    pub fn rate_limits(&self) -> &BTreeMap<&'static str, f64> {
        &self.inner.limits
    }

    /// ExtractDocMulti: structured fields and full text from a document, synchronously.
    ///
    /// ```no_run
    /// use tc_ocr::prelude::*;
    /// use tc_ocr::{ExtractDocMultiRequest, TencentOcr};
    /// # async fn demo() -> Result<(), ocr_core::Error> {
    /// let ocr = TencentOcr::builder().credentials_from_env().build()?;
    /// let response = ocr
    ///     .extract_doc_multi(&ExtractDocMultiRequest {
    ///         item_names: Some(vec!["number".into()]),
    ///         config_id: Some("General".into()),
    ///         ..ExtractDocMultiRequest::from_url("https://example.com/waybill.png")
    ///     })
    ///     .await?;
    /// for group in response.structural_list.iter().flatten() {
    ///     println!("{group:?}");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn extract_doc_multi(
        &self,
        request: &ExtractDocMultiRequest,
    ) -> Result<ExtractDocMultiResponse> {
        let t = tag(ACT_EXTRACT_DOC_MULTI.name);
        validate::extract_doc_multi(request).await.map_err(&t)?;
        self.inner
            .general
            .call(ACT_EXTRACT_DOC_MULTI, request)
            .await
            .map_err(t)
    }

    /// ExtractDocMulti with a local file as `ImageBase64`, encoded into the body as it is
    /// written (the provider's path: `request` names no image, and the provider checked the
    /// file and the pages while planning).
    pub(crate) async fn extract_doc_multi_inline(
        &self,
        request: &ExtractDocMultiRequest,
        image: &[u8],
    ) -> Result<ExtractDocMultiResponse> {
        self.inner
            .general
            .call(ACT_EXTRACT_DOC_MULTI, &WithImage::new(request, image))
            .await
            .map_err(tag(ACT_EXTRACT_DOC_MULTI.name))
    }

    /// GeneralAccurateOCR with a local file as `ImageBase64`, as
    /// [`extract_doc_multi_inline`](Self::extract_doc_multi_inline).
    pub(crate) async fn general_accurate_ocr_inline(
        &self,
        request: &GeneralAccurateOcrRequest,
        image: &[u8],
    ) -> Result<GeneralAccurateOcrResponse> {
        self.inner
            .general
            .call(ACT_GENERAL_ACCURATE_OCR, &WithImage::new(request, image))
            .await
            .map_err(tag(ACT_GENERAL_ACCURATE_OCR.name))
    }

    /// GeneralAccurateOCR: high-accuracy text lines with polygons and confidence.
    ///
    /// ```no_run
    /// use tc_ocr::prelude::*;
    /// use tc_ocr::{GeneralAccurateOcrRequest, TencentOcr};
    /// # async fn demo() -> Result<(), ocr_core::Error> {
    /// let ocr = TencentOcr::builder().credentials_from_env().build()?;
    /// let response = ocr
    ///     .general_accurate_ocr(&GeneralAccurateOcrRequest::from_url("https://example.com/a.png"))
    ///     .await?;
    /// for line in response.text_detections.iter().flatten() {
    ///     println!("{:?} {:?}", line.detected_text, line.confidence);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn general_accurate_ocr(
        &self,
        request: &GeneralAccurateOcrRequest,
    ) -> Result<GeneralAccurateOcrResponse> {
        let t = tag(ACT_GENERAL_ACCURATE_OCR.name);
        validate::general_accurate_ocr(request).await.map_err(&t)?;
        self.inner
            .general
            .call(ACT_GENERAL_ACCURATE_OCR, request)
            .await
            .map_err(t)
    }

    /// GeneralBasicOCR: general print text lines (with a language choice).
    ///
    /// ```no_run
    /// use tc_ocr::prelude::*;
    /// use tc_ocr::{GeneralBasicOcrRequest, TencentOcr};
    /// # async fn demo() -> Result<(), ocr_core::Error> {
    /// let ocr = TencentOcr::builder().credentials_from_env().build()?;
    /// let response = ocr
    ///     .general_basic_ocr(&GeneralBasicOcrRequest {
    ///         language_type: Some("auto".into()),
    ///         ..GeneralBasicOcrRequest::from_url("https://example.com/a.png")
    ///     })
    ///     .await?;
    /// println!("{:?}", response.language);
    /// # Ok(()) }
    /// ```
    pub async fn general_basic_ocr(
        &self,
        request: &GeneralBasicOcrRequest,
    ) -> Result<GeneralBasicOcrResponse> {
        let t = tag(ACT_GENERAL_BASIC_OCR.name);
        validate::general_basic_ocr(request).await.map_err(&t)?;
        self.inner
            .general
            .call(ACT_GENERAL_BASIC_OCR, request)
            .await
            .map_err(t)
    }

    /// ApplyCardVerificationExternal: starts recognising an overseas identity document and
    /// returns the token to fetch the result with.
    ///
    /// ```no_run
    /// use tc_ocr::prelude::*;
    /// use tc_ocr::{card_type, ApplyCardVerificationExternalRequest, TencentOcr};
    /// # async fn demo() -> Result<(), ocr_core::Error> {
    /// let ocr = TencentOcr::builder().credentials_from_env().build()?;
    /// let applied = ocr
    ///     .apply_card_verification_external(&ApplyCardVerificationExternalRequest {
    ///         image_url_front: Some("https://example.com/passport.jpg".into()),
    ///         ..ApplyCardVerificationExternalRequest::new("PHL", card_type::PASSPORT)
    ///     })
    ///     .await?;
    /// println!("token {:?}", applied.card_verification_token);
    /// # Ok(()) }
    /// ```
    pub async fn apply_card_verification_external(
        &self,
        request: &ApplyCardVerificationExternalRequest,
    ) -> Result<ApplyCardVerificationExternalResponse> {
        let t = tag(ACT_APPLY_CARD.name);
        validate::apply_card_verification_external(request)
            .await
            .map_err(&t)?;
        self.inner
            .card
            .call(ACT_APPLY_CARD, request)
            .await
            .map_err(t)
    }

    /// GetCardVerificationExternalResult: asks once how a verification is doing. `Status`
    /// `PROCESSING` means ask again later; see
    /// [`wait_card_verification_external_result`](Self::wait_card_verification_external_result).
    ///
    /// ```no_run
    /// use tc_ocr::prelude::*;
    /// use tc_ocr::{GetCardVerificationExternalResultRequest, TencentOcr};
    /// # async fn demo() -> Result<(), ocr_core::Error> {
    /// let ocr = TencentOcr::builder().credentials_from_env().build()?;
    /// let result = ocr
    ///     .get_card_verification_external_result(&GetCardVerificationExternalResultRequest::new(
    ///         "9943345f-a690-4220-a749-9c68518f2e17",
    ///     ))
    ///     .await?;
    /// println!("{:?} {:?}", result.status, result.card_info);
    /// # Ok(()) }
    /// ```
    pub async fn get_card_verification_external_result(
        &self,
        request: &GetCardVerificationExternalResultRequest,
    ) -> Result<GetCardVerificationExternalResultResponse> {
        let t = tag(ACT_GET_CARD_RESULT.name);
        validate::get_card_verification_external_result(request).map_err(&t)?;
        self.inner
            .card
            .call(ACT_GET_CARD_RESULT, request)
            .await
            .map_err(t)
    }

    /// Polls GetCardVerificationExternalResult with `policy` until the status is no longer
    /// `PROCESSING`.
    ///
    /// Returns the final response for `PASSED`, `WARNING` and `COMPLETED`. A verification that
    /// ended otherwise (`ABNORMAL`, an unknown status, or a `FailedOperation.*` error from the
    /// result call) is an [`ErrorKind::TaskFailed`] error with the code, message and request id;
    /// past the policy's deadline it is an [`ErrorKind::Timeout`] (the token stays valid).
    ///
    /// ```no_run
    /// use tc_ocr::prelude::*;
    /// use std::time::Duration;
    /// use ocr_core::PollPolicy;
    /// use tc_ocr::TencentOcr;
    /// # async fn demo() -> Result<(), ocr_core::Error> {
    /// let ocr = TencentOcr::builder().credentials_from_env().build()?;
    /// let policy = PollPolicy::fixed(Duration::from_secs(1), Duration::from_secs(60));
    /// let done = ocr
    ///     .wait_card_verification_external_result("9943345f-a690-4220-a749-9c68518f2e17", &policy)
    ///     .await?;
    /// println!("{:?} warnings {:?}", done.status, done.warn_info);
    /// # Ok(()) }
    /// ```
    pub async fn wait_card_verification_external_result(
        &self,
        token: &str,
        policy: &PollPolicy,
    ) -> Result<GetCardVerificationExternalResultResponse> {
        let request = GetCardVerificationExternalResultRequest::new(token);
        let doc = poll_until_done(policy, token, || self.card_status(&request), |_| {})
            .await
            .map_err(tag(ACT_GET_CARD_RESULT.name))?;
        doc.native::<GetCardVerificationExternalResultResponse>()
            .cloned()
            .ok_or_else(|| {
                Error::decode("the card result was not kept")
                    .with_provider(PROVIDER_ID)
                    .with_operation(ACT_GET_CARD_RESULT.name)
            })
    }

    /// One poll of a card verification, as a [`JobStatus`].
    pub(crate) async fn card_status(
        &self,
        request: &GetCardVerificationExternalResultRequest,
    ) -> Result<JobStatus> {
        let response = match self.get_card_verification_external_result(request).await {
            Ok(r) => r,
            Err(e) if is_task_failure(&e) => {
                return Ok(JobStatus::Failed(e.with_kind(ErrorKind::TaskFailed)))
            }
            Err(e) => return Err(e),
        };
        let status = response.status_kind();
        if status.has_result() {
            return Ok(JobStatus::Done(Box::new(response.to_document())));
        }
        match status {
            CardVerificationStatus::Processing => {
                Ok(JobStatus::Pending(Progress::state("PROCESSING")))
            }
            _ => Ok(JobStatus::Failed(ended_badly(&response))),
        }
    }
}

/// A `FailedOperation.*` answer to the result call means the recognition itself failed (the
/// seed page lists `OcrFailed` and `UnKnowError`); service activation and transient internal
/// errors are not task failures.
fn is_task_failure(e: &Error) -> bool {
    e.kind() == ErrorKind::Service
        && !e.is_retryable()
        && e.code().is_some_and(|c| c.starts_with("FailedOperation."))
}

fn ended_badly(response: &GetCardVerificationExternalResultResponse) -> Error {
    let status = response.status.clone().unwrap_or_default();
    let mut message = if status.is_empty() {
        "the card verification ended without a status".to_owned()
    } else {
        format!("the card verification ended with status {status}")
    };
    if let Some(warnings) = response.warn_info.as_ref().filter(|w| !w.is_empty()) {
        message.push_str(&format!(" (warnings: {})", warnings.join(", ")));
    }
    let mut err = Error::new(ErrorKind::TaskFailed, message)
        .with_provider(PROVIDER_ID)
        .with_operation(ACT_GET_CARD_RESULT.name);
    if !status.is_empty() {
        err = err.with_code(status);
    }
    if let Some(id) = &response.request_id {
        err = err.with_request_id(id.clone());
    }
    err
}

/// A typed request (naming no image) plus `ImageBase64` from raw bytes: the body carries the
/// file's base64 without a base64 copy of it ever being held ([`tc_api::inline`]).
#[derive(serde::Serialize)]
struct WithImage<'a, T> {
    #[serde(flatten)]
    request: &'a T,
    #[serde(rename = "ImageBase64")]
    image: tc_api::inline::Base64Bytes<'a>,
}

impl<'a, T> WithImage<'a, T> {
    fn new(request: &'a T, image: &'a [u8]) -> Self {
        WithImage {
            request,
            image: tc_api::inline::Base64Bytes(image),
        }
    }
}

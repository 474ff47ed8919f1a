//! ApplyCardVerificationExternal → GetCardVerificationExternalResult: overseas identity
//! documents, recognised asynchronously and fetched with a token (spec §6.2, §6.3).
//!
//! International site only (`ocr.intl.tencentcloudapi.com`, region `ap-singapore`). The result
//! call is documented at 20 requests per second.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::redact::{OptBase64, OptUrl};
use ocr_core::lenient;

/// Values of `CardType`.
pub mod card_type {
    /// Identity card.
    pub const ID_CARD: &str = "ID_CARD";
    /// Passport.
    pub const PASSPORT: &str = "PASSPORT";
    /// Driving licence.
    pub const DRIVING_LICENSE: &str = "DRIVING_LICENSE";
    /// Residence permit (Australia, Canada, Germany, New Zealand, Nigeria, Singapore).
    pub const RESIDENCE_PERMIT: &str = "RESIDENCE_PERMIT";
}

/// The request of ApplyCardVerificationExternal.
///
/// `Nationality` and `CardType` are required; one of `ImageUrlFront` / `ImageBase64Front` is
/// required, and the back side for documents that need it.
///
/// ```
/// use tc_ocr::{card_type, ApplyCardVerificationExternalRequest};
/// let req = ApplyCardVerificationExternalRequest {
///     image_url_front: Some("https://example.com/front.jpg".into()),
///     ..ApplyCardVerificationExternalRequest::new("PHL", card_type::PASSPORT)
/// };
/// assert_eq!(
///     serde_json::to_string(&req).unwrap(),
///     r#"{"Nationality":"PHL","CardType":"PASSPORT","ImageUrlFront":"https://example.com/front.jpg"}"#
/// );
/// ```
#[derive(Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ApplyCardVerificationExternalRequest {
    /// Country or region of the document, ISO 3166-1 alpha-3 in the examples (`PHL`, `ARG`).
    pub nationality: String,
    /// `ID_CARD`, `PASSPORT`, `DRIVING_LICENSE` or `RESIDENCE_PERMIT` (see [`card_type`]).
    pub card_type: String,
    /// Front image as base64 (PNG, JPG/JPEG; ≤ 2 MB after encoding, 5 MB with
    /// `ReturnHeadImage`; 256–4096 px). A `data:image/...;base64,` prefix is accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_base64_front: Option<String>,
    /// Back image as base64, same limits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_base64_back: Option<String>,
    /// Front image URL, same limits; downloaded within 5 s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url_front: Option<String>,
    /// Back image URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url_back: Option<String>,
    /// Crops and returns the portrait (service default `false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_head_image: Option<bool>,
    /// Called with the final result when processing completes; delivery is not guaranteed, so
    /// poll as well.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<String>,
}

impl ApplyCardVerificationExternalRequest {
    /// A request for a document of `card_type` from `nationality`, with no image yet.
    pub fn new(nationality: impl Into<String>, card_type: impl Into<String>) -> Self {
        ApplyCardVerificationExternalRequest {
            nationality: nationality.into(),
            card_type: card_type.into(),
            ..Self::default()
        }
    }
}

impl fmt::Debug for ApplyCardVerificationExternalRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApplyCardVerificationExternalRequest")
            .field("nationality", &self.nationality)
            .field("card_type", &self.card_type)
            .field("image_base64_front", &OptBase64(&self.image_base64_front))
            .field("image_base64_back", &OptBase64(&self.image_base64_back))
            .field("image_url_front", &OptUrl(&self.image_url_front))
            .field("image_url_back", &OptUrl(&self.image_url_back))
            .field("return_head_image", &self.return_head_image)
            .field("webhook_url", &OptUrl(&self.webhook_url))
            .finish()
    }
}

/// The response of ApplyCardVerificationExternal.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ApplyCardVerificationExternalResponse {
    /// The token to fetch the result with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_verification_token: Option<String>,
    /// The request id, for support.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// The request of GetCardVerificationExternalResult.
///
/// ```
/// use tc_ocr::GetCardVerificationExternalResultRequest;
/// let req = GetCardVerificationExternalResultRequest::new("9943345f-a690-4220-a749-9c68518f2e17");
/// assert_eq!(
///     serde_json::to_string(&req).unwrap(),
///     r#"{"CardVerificationToken":"9943345f-a690-4220-a749-9c68518f2e17"}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct GetCardVerificationExternalResultRequest {
    /// The token ApplyCardVerificationExternal returned (required).
    pub card_verification_token: String,
}

impl GetCardVerificationExternalResultRequest {
    /// A request for the result of `token`.
    pub fn new(token: impl Into<String>) -> Self {
        GetCardVerificationExternalResultRequest {
            card_verification_token: token.into(),
        }
    }
}

/// The response of GetCardVerificationExternalResult.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct GetCardVerificationExternalResultResponse {
    /// `PROCESSING` (poll again), `PASSED`, `WARNING`; the model text also names `COMPLETED`
    /// and `ABNORMAL`. Kept as a string; see [`Self::status_kind`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Anti-counterfeiting warnings (nullable): `ScreenshotSuspected`, `RetakeSuspected`,
    /// `PaperCopy`, `FakeSuspected`, `PoorImageQuality`, `InformationVerificationFailed`,
    /// `TooManyCards`, `IncompleteCard`, `OtherWarning`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warn_info: Option<Vec<String>>,
    /// Country code (deprecated, nullable).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    /// Front-side result (nullable).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_info: Option<GeneralCard>,
    /// Back-side result (nullable).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub back_card_info: Option<GeneralCard>,
    /// Echo of the token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_verification_token: Option<String>,
    /// The portrait as base64; empty unless `ReturnHeadImage` was set (and empty with it set
    /// when extraction failed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub head_image_base64: Option<String>,
    /// The request id, for support.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// What a `Status` value means for a caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardVerificationStatus {
    /// `PROCESSING`: not finished; poll again.
    Processing,
    /// `PASSED`: finished, no warnings.
    Passed,
    /// `WARNING`: finished, with warnings in `WarnInfo`.
    Warning,
    /// `COMPLETED` (model text): finished.
    Completed,
    /// `ABNORMAL` (model text): finished without a usable result.
    Abnormal,
    /// Any other value, or none.
    Other(String),
}

impl CardVerificationStatus {
    /// Whether the verification is over (successfully or not).
    pub fn is_finished(&self) -> bool {
        !matches!(self, CardVerificationStatus::Processing)
    }

    /// Whether it finished with a result.
    pub fn has_result(&self) -> bool {
        matches!(
            self,
            CardVerificationStatus::Passed
                | CardVerificationStatus::Warning
                | CardVerificationStatus::Completed
        )
    }
}

impl GetCardVerificationExternalResultResponse {
    /// Interprets `Status` (case-insensitively).
    ///
    /// ```
    /// use tc_ocr::{CardVerificationStatus, GetCardVerificationExternalResultResponse};
    /// let r = GetCardVerificationExternalResultResponse { status: Some("PASSED".into()), ..Default::default() };
    /// assert_eq!(r.status_kind(), CardVerificationStatus::Passed);
    /// ```
    pub fn status_kind(&self) -> CardVerificationStatus {
        let raw = self.status.as_deref().unwrap_or_default();
        match raw.trim().to_ascii_uppercase().as_str() {
            "PROCESSING" => CardVerificationStatus::Processing,
            "PASSED" => CardVerificationStatus::Passed,
            "WARNING" => CardVerificationStatus::Warning,
            "COMPLETED" => CardVerificationStatus::Completed,
            "ABNORMAL" => CardVerificationStatus::Abnormal,
            _ => CardVerificationStatus::Other(raw.to_owned()),
        }
    }
}

/// A recognised identity document (model type `GeneralCard`). Every field is a string and may
/// be `null`. Dates are kept as sent (`1997/10/01` and `1993-06-29` both occur).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct GeneralCard {
    /// Document (ID) number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license_number: Option<String>,
    /// Personal number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub personal_number: Option<String>,
    /// Full name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    /// Full name in the local language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub full_name_local: Option<String>,
    /// First name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// First name in the local language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name_local: Option<String>,
    /// Middle name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    /// Middle name in the local language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub middle_name_local: Option<String>,
    /// Last name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Last name in the local language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name_local: Option<String>,
    /// Sex: `M`, `F`, `X` per the doc; the official example says `FEMALE`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sex: Option<String>,
    /// Date of birth, as printed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birthday: Option<String>,
    /// Place of birth.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_place: Option<String>,
    /// Date of issue.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued_date: Option<String>,
    /// Issuing authority.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued_authority: Option<String>,
    /// Place of issue.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued_place: Option<String>,
    /// Issuing country, as a name ("Philippines").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued_country: Option<String>,
    /// Issuing country, ISO alpha-3.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued_country_code: Option<String>,
    /// Expiry date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<String>,
    /// First machine-readable-zone line.
    #[serde(rename = "MRZLine1", skip_serializing_if = "Option::is_none")]
    pub mrz_line1: Option<String>,
    /// Second machine-readable-zone line.
    #[serde(rename = "MRZLine2", skip_serializing_if = "Option::is_none")]
    pub mrz_line2: Option<String>,
    /// Nationality (ISO 3166; alpha-3 in the examples).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    /// Address (nullable).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<AddressInfo>,
    /// Religion.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub religion: Option<String>,
    /// Document type, e.g. `PR`. Wire name `Type`.
    #[serde(rename = "Type", skip_serializing_if = "Option::is_none")]
    pub card_type: Option<String>,
    /// Blood type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blood_type: Option<String>,
    /// Height, a string such as `"178"`.
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub height: Option<String>,
    /// Weight, a string.
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub weight: Option<String>,
    /// Driving-licence class.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vehicle_class: Option<String>,
    /// Driving-licence restrictions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restrictions: Option<String>,
    /// Driving-licence endorsement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endorsement: Option<String>,
    /// Document-specific extras: a JSON document inside a string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub others: Option<String>,
    /// Deprecated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passport_code_first: Option<String>,
    /// Deprecated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passport_code_second: Option<String>,
    /// Deprecated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
    /// Deprecated; a string.
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub age: Option<String>,
    /// Deprecated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registration_number: Option<String>,
}

/// An address on a document (model type `AddressInfo`). Every field may be `null`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AddressInfo {
    /// Country.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Postal code.
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub postal_code: Option<String>,
    /// State or province.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subdivision: Option<String>,
    /// District.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub district: Option<String>,
    /// City.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Township.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subdistrict: Option<String>,
    /// The whole address, formatted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub formatted_address: Option<String>,
    /// Address line 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line_one: Option<String>,
    /// Address line 2.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line_two: Option<String>,
    /// Address line 3.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line_three: Option<String>,
    /// Address line 4.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line_four: Option<String>,
    /// Address line 5.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line_five: Option<String>,
}

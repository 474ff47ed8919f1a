//! The product, its actions, and their documented rate limits.

use tc_api::{Action, Service};

/// The provider id of this crate: `"tc-ocr"`.
pub const PROVIDER_ID: &str = "tc-ocr";

/// Tencent Cloud OCR, API version 2018-11-19.
pub const OCR: Service = Service {
    name: "ocr",
    version: "2018-11-19",
    provider_id: PROVIDER_ID,
};

/// `ExtractDocMulti`.
pub const EXTRACT_DOC_MULTI: &str = "ExtractDocMulti";
/// `GeneralAccurateOCR`.
pub const GENERAL_ACCURATE_OCR: &str = "GeneralAccurateOCR";
/// `GeneralBasicOCR`.
pub const GENERAL_BASIC_OCR: &str = "GeneralBasicOCR";
/// `ApplyCardVerificationExternal`.
pub const APPLY_CARD_VERIFICATION_EXTERNAL: &str = "ApplyCardVerificationExternal";
/// `GetCardVerificationExternalResult`.
pub const GET_CARD_VERIFICATION_EXTERNAL_RESULT: &str = "GetCardVerificationExternalResult";

/// The region the card-verification pair is served from (the only one documented).
pub const DEFAULT_CARD_REGION: &str = "ap-singapore";

/// Client-side rate limits per action, requests per second, applied unless overridden:
///
/// | action | limit | source |
/// |---|---|---|
/// | ExtractDocMulti | 5/s | documented |
/// | GetCardVerificationExternalResult | 20/s | documented |
/// | GeneralAccurateOCR | 10/s | documented |
/// | GeneralBasicOCR | 20/s | documented (domestic) |
/// | ApplyCardVerificationExternal | 10/s | not documented; 10/s chosen |
pub const DEFAULT_RATE_LIMITS: [(&str, f64); 5] = [
    (EXTRACT_DOC_MULTI, 5.0),
    (GET_CARD_VERIFICATION_EXTERNAL_RESULT, 20.0),
    (GENERAL_ACCURATE_OCR, 10.0),
    (GENERAL_BASIC_OCR, 20.0),
    (APPLY_CARD_VERIFICATION_EXTERNAL, 10.0),
];

// Billed submissions are not resent when they may have reached the service; the result call is
// a read.
pub(crate) const ACT_EXTRACT_DOC_MULTI: Action = Action::billed(EXTRACT_DOC_MULTI);
pub(crate) const ACT_GENERAL_ACCURATE_OCR: Action = Action::billed(GENERAL_ACCURATE_OCR);
pub(crate) const ACT_GENERAL_BASIC_OCR: Action = Action::billed(GENERAL_BASIC_OCR);
pub(crate) const ACT_APPLY_CARD: Action = Action::billed(APPLY_CARD_VERIFICATION_EXTERNAL);
pub(crate) const ACT_GET_CARD_RESULT: Action =
    Action::idempotent(GET_CARD_VERIFICATION_EXTERNAL_RESULT);

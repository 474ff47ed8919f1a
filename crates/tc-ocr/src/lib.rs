#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod actions;
mod builder;
pub mod card_verification;
mod client;
pub mod extract_doc_multi;
pub mod general_ocr;
pub mod geometry;
pub mod limits;
mod mapping;
pub mod provider;
pub mod redact;
mod validate;

pub use actions::{DEFAULT_RATE_LIMITS, OCR, PROVIDER_ID};
pub use builder::TencentOcrBuilder;
pub use card_verification::{
    card_type, AddressInfo, ApplyCardVerificationExternalRequest,
    ApplyCardVerificationExternalResponse, CardVerificationStatus, GeneralCard,
    GetCardVerificationExternalResultRequest, GetCardVerificationExternalResultResponse,
};
pub use client::TencentOcr;
pub use extract_doc_multi::{
    ConfigAdvanced, ExtractDocMultiRequest, ExtractDocMultiResponse, GroupInfo, ItemInfo, ItemKey,
    ItemNames, ItemValue, LineInfo, WordItem, WordPolygon,
};
pub use general_ocr::{
    DetectedWordCoordPoint, DetectedWords, GeneralAccurateOcrRequest, GeneralAccurateOcrResponse,
    GeneralBasicOcrRequest, GeneralBasicOcrResponse, TextDetection,
};
pub use geometry::{Coord, ItemCoord, Polygon};
pub use ocr_core::{ClientOptions, ConfigureClient};
pub use tc_api::{prelude, Endpoint, Language, Site};
pub use tc_signing::ConfigureCredentials;

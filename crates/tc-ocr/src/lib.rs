//! # tc-ocr
//!
//! Tencent Cloud OCR (API version 2018-11-19) as a typed client and as an
//! [`ocr_core::OcrProvider`]:
//!
//! - **ExtractDocMulti** ([`TencentOcr::extract_doc_multi`]): structured fields
//!   (`StructuralList` → `GroupInfo` → `LineInfo` → `ItemInfo`) and the restored full text
//!   (`WordList`), synchronously;
//! - **ApplyCardVerificationExternal → GetCardVerificationExternalResult**
//!   ([`TencentOcr::apply_card_verification_external`],
//!   [`TencentOcr::get_card_verification_external_result`],
//!   [`TencentOcr::wait_card_verification_external_result`]): overseas identity documents,
//!   polled by token on the international site (`ap-singapore`);
//! - **GeneralAccurateOCR** and **GeneralBasicOCR** ([`TencentOcr::general_accurate_ocr`],
//!   [`TencentOcr::general_basic_ocr`]): lines of text with polygons and confidence.
//!
//! Requests and responses carry the exact wire names (`ConfigId` here, `ConfigID` there,
//! `Angel`, `MRZLine1` …); every response field is an `Option` that also accepts `null`, and
//! numbers are decoded leniently. Requests are validated before anything is sent: exactly one
//! of URL or base64, the base64 length limit, accepted formats (sniffed from the bytes), pixel
//! bounds, `PdfPageNumber` ≥ 1 and only for a PDF, a token for the result call. The API 3.0
//! plumbing (signing, envelope, error codes, retries, rate limits, clock skew) is `tc-api`'s.
//!
//! What is checked where: the format, pixel and PDF-only rules need the content, so they apply
//! to base64 and local files; a URL is checked for scheme and host (the service downloads it).
//!
//! ## Into the neutral [`Document`](ocr_core::Document)
//!
//! Each response type has a `to_document` method, used by the [`ocr_core::OcrProvider`] impl
//! (see [`provider`] for how the action is chosen); the typed response stays reachable with
//! [`Document::native`](ocr_core::Document::native).
//!
//! - ExtractDocMulti: `WordList` → the lines of one page (per-word boxes from `WordCoord`);
//!   `StructuralList` → fields with key = `ConfigName` (else `AutoName`), value =
//!   `AutoContent`, box = `Coord`, group = `"g.l"` (index in `StructuralList`, then in its
//!   `Groups`), page = `PageIndex` (else the requested page); `Angle` → the page angle.
//! - General*OCR: `TextDetections` → lines with confidence 0–100 scaled to 0..=1, `Polygon` as
//!   the box (else `ItemPolygon`), characters (`Words` + `WordCoordPoint`) as words; `Angle`
//!   (else the deprecated `Angel`) → the page angle.
//! - Card verification: every non-empty `GeneralCard` string → a field named by its wire name
//!   (group `front` or `back`; address parts as `Address.City` …), `Status` and each `WarnInfo`
//!   → fields of group `verification`, `HeadImageBase64` → an artifact `head.<ext>`.
//!
//! ```no_run
//! use ocr_core::{OcrProvider, OutputKind, Request};
//! use tc_ocr::TencentOcr;
//!
//! # async fn demo() -> Result<(), ocr_core::Error> {
//! let ocr = TencentOcr::builder().credentials_from_env().build()?;
//!
//! // Text: GeneralAccurateOCR.
//! let doc = ocr.recognize(&Request::from_path("scan.png")).await?;
//! println!("{}", doc.text());
//!
//! // Fields: ExtractDocMulti, with the typed response still reachable.
//! let doc = ocr
//!     .recognize(&Request::from_path("waybill.pdf").with_field_names(["number"]))
//!     .await?;
//! for field in &doc.fields {
//!     println!("{} = {}", field.key, field.value);
//! }
//! let native = doc.native::<tc_ocr::ExtractDocMultiResponse>();
//! # let _ = native;
//! # Ok(()) }
//! ```
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
pub use tc_api::{Endpoint, Language, Site};

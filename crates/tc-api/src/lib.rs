//! # tc-api
//!
//! Tencent Cloud API 3.0 plumbing shared by the `tc-ocr` and `lkeap` clients, written once:
//!
//! - [`Endpoint`]: domestic, international, region-pinned or any base URL;
//! - [`TcClient::call`]: serialises the action's request, sets the common headers
//!   (`X-TC-Action`, `X-TC-Version`, `X-TC-Timestamp`, `X-TC-Region`, `X-TC-Language`,
//!   `X-TC-Token`), signs with TC3-HMAC-SHA256, sends through the `ocr-core` runtime (rate
//!   limit, retry, timeouts, tracing), unwraps the `{"Response": …}` envelope and maps
//!   `Response.Error` codes to [`ocr_core::ErrorKind`]s ([`error_code::classify`]);
//! - clock-skew correction: on `AuthFailure.SignatureExpire` the offset is learned from the
//!   server's `Date` header and the request is re-signed and sent once more.
//!
//! ```no_run
//! use serde_json::{json, Value};
//! use tc_api::{Action, Service, TcClient};
//!
//! # async fn demo() -> Result<(), ocr_core::Error> {
//! const OCR: Service = Service { name: "ocr", version: "2018-11-19", provider_id: "tc-ocr" };
//! let client = TcClient::builder(OCR).credentials_from_env().region("ap-guangzhou").build()?;
//! let response: Value = client
//!     .call(Action::billed("GeneralBasicOCR"), &json!({"ImageUrl": "https://example.com/a.png"}))
//!     .await?;
//! println!("{}", response["RequestId"]);
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod client;
pub mod endpoint;
pub mod envelope;
pub mod error_code;

pub use client::{Action, Service, TcClient, TcClientBuilder, JSON_CONTENT_TYPE, REQUEST_CLIENT};
pub use endpoint::{Endpoint, Language, Site};

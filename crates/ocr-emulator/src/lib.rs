//! A local stand-in for every service the cloud-ocr clients talk to: Tencent Cloud
//! OCR and LKEAP (API 3.0), COS + Cloud Infinite, and PicWish — on one port.
//!
//! It is written from the service documentation, independently of the client crates,
//! and behaves closely enough that a client which passes against it should pass against
//! the cloud:
//!
//! * **Signatures are verified**: TC3-HMAC-SHA256 (any signed-header set that includes
//!   `content-type` and `host`, a 5-minute window, credential date and service,
//!   `X-TC-Token` for temporary keys) and COS `q-sign-algorithm=sha1` (header and
//!   pre-signed forms, `q-sign-time` window, security tokens); PicWish checks
//!   `X-API-KEY`. Failures answer the documented codes (`AuthFailure.*`,
//!   `SignatureDoesNotMatch`, HTTP 401…).
//! * **Request rules are enforced**: unknown, missing, mistyped and conflicting
//!   parameters, size limits, regions per action, value sets, the PicWish one-source rule
//!   and limits, CI `ImageOCR` option rules.
//! * **Asynchronous tasks run their lifecycles** (queued → processing → done, with
//!   progress) on the emulator clock, computed when polled: an idle emulator does nothing.
//! * **Results are deterministic and plausible**: text read from PNG `Text` chunks, JPEG
//!   comments, PDF text or UTF-8 files (see [`samples`]), else derived from the input's
//!   hash; lines with boxes and confidences, fields, Markdown, real zip / PDF / Office
//!   result files behind expiring URLs.
//! * **Rate limits** per action (the documented defaults) and **faults on demand**
//!   ([`Fault`]): throttling, server errors, latency, dropped connections, broken
//!   bodies, failing tasks.
//! * **Every request is recorded** in a bounded buffer, secrets redacted.
//!
//! ```no_run
//! use ocr_emulator::{Emulator, EmulatorConfig};
//!
//! # async fn demo() -> Result<(), ocr_emulator::StartError> {
//! let emulator = Emulator::start(EmulatorConfig::default()).await?;
//! let endpoints = emulator.endpoints();
//! // Point a TC3 client at endpoints.tencent, a COS client at endpoints.cos, a PicWish
//! // client at endpoints.picwish, with ocr_emulator::test_credential() /
//! // ocr_emulator::PICWISH_API_KEY.
//! println!("{}", endpoints.tencent);
//! emulator.shutdown().await;
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod app;
mod artifacts;
pub mod auth;
pub mod cli;
mod clock;
mod config;
mod connection;
mod content;
mod cos;
mod crypto;
mod endpoints;
mod fault;
mod files;
mod http_util;
mod ids;
mod picwish;
mod rate_limit;
mod record;
mod route;
pub mod samples;
mod server;
mod service;
mod tasks;
mod tencent;

pub use clock::{ClockMode, EmulatorClock};
pub use config::{
    documented_rate_limits, temporary_test_credential, test_credential, EmulatorConfig,
    ServiceDurations, TaskDurations, DEFAULT_BUCKET, DEFAULT_REGION, PICWISH_API_KEY, SECRET_ID,
    SECRET_KEY, TEMP_SECRET_ID, TEMP_SECRET_KEY, TEMP_SESSION_TOKEN,
};
pub use endpoints::Endpoints;
pub use fault::{Fault, FaultId, FaultKind, FaultScope, Trigger};
pub use picwish::{ACTION_CREATE as PICWISH_CREATE_ACTION, ACTION_QUERY as PICWISH_QUERY_ACTION};
pub use record::{RecordedRequest, REDACTED};
pub use server::{Emulator, StartError};
pub use service::Service;

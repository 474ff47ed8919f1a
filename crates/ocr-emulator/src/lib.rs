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
//! * **Input the service could not read fails as it would there** (see below): a
//!   truncated or broken file, or a URL the service could not download.
//! * **Rate limits** per action (the documented defaults) and **faults on demand**
//!   ([`Fault`]): throttling, server errors, latency, dropped connections, broken
//!   bodies, failing tasks.
//! * **Every request is recorded** in a bounded buffer, secrets redacted.
//! * **A control API on the same port** (`/_emulator/…`, below), so tests in any language
//!   can read the record, inject faults and move the clock.
//! * **Response header names in the services' case** (`ETag`, `Content-Type`,
//!   `x-cos-request-id`), for clients that read them case-sensitively.
//!
//! # Inputs the services cannot read
//!
//! A file must be whole for its format, as a decoder needs it: a PNG needs `IHDR`, `IDAT`
//! and `IEND` with valid CRCs and one complete zlib stream; a JPEG needs `SOI`, a frame
//! header (`SOF`) and `EOI`; a PDF needs `%%EOF` at its end, `startxref` and a page tree;
//! GIF, BMP, TIFF, WebP, HEIC, ZIP (Office) and OLE files get similar structural checks.
//! Every input made by [`samples`] passes (the JPEG of [`samples::jpeg_with_comment`] is
//! a header without scan data: `SOI`, comment, `SOF`, `EOI` is enough). A file that fails is
//! answered with each service's documented error:
//!
//! | service | undecodable file | URL that cannot be downloaded |
//! |---|---|---|
//! | OCR (ExtractDocMulti, General*OCR) | `FailedOperation.ImageDecodeFailed` | `FailedOperation.DownLoadError` |
//! | OCR card verification | `InvalidParameter.EngineImageDecodeFailed` | `FailedOperation.DownLoadError` |
//! | LKEAP tasks | `Status: Failed`, `FailedOperation.FileParseError` | `Status: Failed`, `InvalidParameter.FileURLInvalid` ("url download failed") |
//! | LKEAP SSE | `FailedOperation.NonsupportParse` | `InvalidParameter.FileURLInvalid` |
//! | CI synchronous OCR | 400 `InvalidImageFormat` | 400 `InvalidImageSource` |
//! | CI ImageOCR job | `State: Failed`, `Code: InvalidImageFormat` | (jobs read objects) |
//! | PicWish | `state: -7` | `state: -3` |
//!
//! URLs are not fetched. Whether one can be downloaded is decided by a fixed rule:
//!
//! * a URL of this emulator (its port on a loopback address, `localhost` or the bound
//!   address, or on any host when it listens on every interface: result files, path-style
//!   COS objects) is read, and fails as that request fails (expired or tampered result
//!   link, missing object);
//! * a host under the reserved `.invalid` domain (RFC 6761: it never resolves), port 0,
//!   and any other loopback, private (`10/8`, `172.16/12`, `192.168/16`, `fc00::/7`),
//!   link-local, unspecified or `localhost` address cannot be downloaded (a cloud service
//!   cannot reach the caller's machine or network);
//! * any other http(s) URL counts as downloadable; its text is derived from the URL string.
//!
//! So `https://scans.example.invalid/a.png` is the URL to use for a download failure.
//!
//! # Control API
//!
//! On the emulator's port, JSON in and out; these requests are never recorded, counted,
//! rate limited or hit by faults:
//!
//! | request | does |
//! |---|---|
//! | `GET /_emulator/record` | `{"total_requests", "submissions": {action: n}, "requests": [{"seq", "at_millis", "method", "path", "query", "headers": [[name, value]…], "body_size", "service", "action", "status", "fault"}…]}` |
//! | `DELETE /_emulator/record` | empties the record and the submission counts |
//! | `POST /_emulator/faults` | injects a fault, body as in [`Fault`]'s `FromStr`, e.g. `{"kind": "http_status", "status": 503, "service": "cos", "every": 3}`; answers `201 {"id": n}` |
//! | `GET /_emulator/faults` | `{"faults": [{"id", "kind", …}]}` in the same fields |
//! | `DELETE /_emulator/faults`, `DELETE /_emulator/faults/<id>` | removes every fault, or one |
//! | `POST /_emulator/reset` | empties the record and removes every fault |
//! | `GET /_emulator/clock` | `{"now_unix", "now_millis", "manual"}` |
//! | `POST /_emulator/clock` | one of `{"advance_secs": n}`, `advance_ms`, `rewind_secs`, `rewind_ms`, `set_unix`: expire result URLs, skew the clock against signatures |
//!
//! The paths never take a service request: API 3.0 requests carry `X-TC-Action` and COS /
//! CI requests a bucket host or a `/cos/`, `/ci/` path, and those always go to the
//! services; PicWish lives under `/api/`, result files under `/files/`.
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
#![doc = ""]
#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod app;
mod artifacts;
pub mod auth;
mod buckets;
pub mod cli;
mod clock;
mod config;
mod connection;
mod content;
mod control;
mod cos;
mod crypto;
mod endpoints;
mod fault;
mod files;
mod header_case;
mod http_util;
mod ids;
mod picwish;
mod rate_limit;
mod record;
mod result_files;
mod route;
pub mod samples;
mod server;
mod service;
mod shared;
mod tasks;
mod tencent;

pub use clock::{ClockMode, EmulatorClock};
pub use config::{
    documented_rate_limits, temporary_test_credential, test_credential, EmulatorConfig,
    ServiceDurations, TaskDurations, DEFAULT_BUCKET, DEFAULT_REGION, PICWISH_API_KEY,
    PICWISH_CREATE_ACTION, PICWISH_QUERY_ACTION, SECRET_ID, SECRET_KEY, TEMP_SECRET_ID,
    TEMP_SECRET_KEY, TEMP_SESSION_TOKEN,
};
pub use endpoints::Endpoints;
pub use fault::{Fault, FaultId, FaultKind, FaultScope, FaultSpecError, Trigger, FAULT_KIND_NAMES};
pub use record::{RecordedRequest, REDACTED};
pub use server::{Emulator, StartError};
pub use service::Service;

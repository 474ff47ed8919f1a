//! # cloud-ocr
//!
//! One crate for cloud OCR: the provider-neutral core, every provider behind a cargo feature,
//! and providers built from configuration. The `cloud-ocr` command-line tool lives in its own
//! crate, `cloud-ocr-cli`, so this library pulls in no CLI dependency.
//!
//! | feature | what it adds |
//! |---|---|
//! | `tc-ocr` | [`tc_ocr`]: Tencent Cloud OCR (GeneralAccurateOCR, ExtractDocMulti, ID cards) |
//! | `lkeap` | [`lkeap`]: Tencent LKEAP document parsing (documents to Markdown) |
//! | `cos-ci` | [`cos_ci`]: COS upload + Cloud Infinite OCR jobs |
//! | `picwish` | [`picwish`]: PicWish OCR tasks |
//! | `toml` | [`config::ConfigFile`]: provider settings from a TOML file |
//!
//! The providers are on by default (`toml` is not). A build with one provider feature compiles only that provider
//! (`--no-default-features --features picwish` pulls in no Tencent crate).
//!
//! ## Switching providers by configuration
//!
//! ```no_run
//! use cloud_ocr::{build_provider, Env, ProviderConfig, Request};
//!
//! # async fn demo() -> Result<(), cloud_ocr::Error> {
//! let kind = "tc-ocr".parse()?;                       // from your configuration
//! let provider = build_provider(&ProviderConfig::new(kind), &Env::from_process())?;
//! let doc = provider.recognize(&Request::from_path("invoice.png")).await?;
//! println!("{}", doc.text());
//! # Ok(()) }
//! ```
//!
//! [`build_provider`] returns an `Arc<dyn OcrProvider>`; credentials left out of the
//! [`ProviderConfig`] come from the usual variables (`TENCENTCLOUD_SECRET_ID` /
//! `TENCENTCLOUD_SECRET_KEY` or the Tencent profile file, `PICWISH_API_KEY`, and for `cos-ci`
//! `CLOUD_OCR_COS_BUCKET` / `CLOUD_OCR_COS_REGION`), read through an [`Env`] so tests never
//! touch the process environment. See [`config`].
//!
//! ## Output
//!
//! [`ScanOutput`] is the stable JSON shape the CLI prints with `--format json`:
//! `{"provider", "source", "simulated", "document"}`, where `document` is the
//! [`Document`] as `ocr-core` serialises it; see [`output`].
//!
//! ## The command-line tool
//!
//! In the `cloud-ocr-cli` crate (`cargo install cloud-ocr-cli`, binary `cloud-ocr`):
//! `cloud-ocr scan <FILE|URL>`, `cloud-ocr batch <DIR|LIST-FILE> --out DIR` and
//! `cloud-ocr emulator`; with no credentials at all it runs on an embedded emulator and says so.
//! Run `cloud-ocr --help`, or see the README, for flags, exit codes and the batch journal.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod config;
pub mod env;
pub mod output;

/// The provider-neutral core: the [`OcrProvider`] trait, [`Request`], [`Document`], [`Job`],
/// [`Error`] and the shared runtime.
pub use ocr_core as core;
pub use ocr_core::{
    Capabilities, Document, Error, ErrorKind, Format, Job, JobStatus, OcrProvider, Options,
    OutputKind, Request, Result, Source,
};

/// Tencent Cloud OCR (feature `tc-ocr`).
#[cfg(feature = "tc-ocr")]
pub use tc_ocr;

/// Tencent LKEAP document parsing (feature `lkeap`).
#[cfg(feature = "lkeap")]
pub use lkeap;

/// COS + Cloud Infinite OCR (feature `cos-ci`).
#[cfg(feature = "cos-ci")]
pub use cos_ci;

/// PicWish OCR (feature `picwish`).
#[cfg(feature = "picwish")]
pub use picwish;

/// Tencent Cloud credentials and signing, shared by the Tencent providers.
#[cfg(any(feature = "tc-ocr", feature = "lkeap", feature = "cos-ci"))]
pub use tc_signing;

pub use config::{build_provider, ProviderConfig, ProviderKind};
pub use env::Env;
pub use output::{OutputFormat, ScanOutput};

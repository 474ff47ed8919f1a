#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod cache;
pub mod config;
pub mod env;
pub mod fallback;
pub mod jobs;
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

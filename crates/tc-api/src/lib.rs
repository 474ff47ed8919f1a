#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod client;
pub mod endpoint;
pub mod envelope;
pub mod error_code;
pub mod inline;

pub use client::{Action, Service, TcClient, TcClientBuilder, JSON_CONTENT_TYPE, REQUEST_CLIENT};
pub use endpoint::{Endpoint, Language, Site};

/// The traits every builder's shared methods come from: `use tc_api::prelude::*;`.
pub mod prelude {
    pub use ocr_core::{ConfigureClient, OcrProvider};
    pub use tc_signing::ConfigureCredentials;
}

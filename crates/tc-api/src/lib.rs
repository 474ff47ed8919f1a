#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod client;
pub mod endpoint;
pub mod envelope;
pub mod error_code;

pub use client::{Action, Service, TcClient, TcClientBuilder, JSON_CONTENT_TYPE, REQUEST_CLIENT};
pub use endpoint::{Endpoint, Language, Site};

#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod client_options;
pub mod clock;
#[cfg(feature = "conformance")]
pub mod conformance;
pub mod document;
pub mod error;
pub mod format;
pub mod http;
pub mod job;
pub mod job_store;
pub mod lenient;
pub mod pages;
pub mod poll;
pub mod provider;
pub mod rate_limit;
pub mod redact;
pub mod request;
pub mod retry;
pub mod runtime;
pub mod usage;

pub use client_options::{ClientOptions, ConfigureClient, RateLimits};
pub use clock::{Clock, ClockSkew, FixedClock, ServerClock, SystemClock};
pub use document::{
    Artifact, Document, Field, Line, MissingPage, Page, PageBoundaries, Point, Quad,
    SkippedProvider, Word,
};
pub use error::{Error, ErrorKind, Result};
pub use format::Format;
pub use job::{Job, JobStatus, PageTask, Progress};
pub use job_store::JobStore;
pub use poll::PollPolicy;
pub use provider::{Capabilities, OcrProvider};
pub use rate_limit::{AccountId, InProcessBackend, LimitKey, RateLimitBackend, RateLimiter};
pub use request::{
    DocumentKind, InputLimits, Options, OutputKind, PageRange, PageSet, Request, Source,
};
pub use retry::{Idempotency, RetryPolicy};
pub use runtime::{Operation, Runtime, RuntimeConfig, Timeouts};
pub use usage::Usage;

/// Re-exported so providers and users name the same `async_trait`.
pub use async_trait::async_trait;

#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod account;
mod actions;
pub mod archive;
pub mod builder;
pub mod client;
mod download;
pub mod event_stream;
pub mod file_type;
mod flow;
pub mod provider;
pub mod reconstruct;
pub mod result_url;
pub mod site;
pub mod split;
pub mod sse;
pub mod task;
mod validate;
mod wire;

/// The provider id: errors, jobs and documents are tagged with it.
pub const PROVIDER_ID: &str = "lkeap";

pub use account::{CancelTaskResponse, GetCharacterUsageResponse};
pub use archive::{ArchiveEntry, ArchiveLimits, EntryKind, ResultArchive};
pub use builder::LkeapBuilder;
pub use client::{Lkeap, DEFAULT_RATE_LIMIT, SERVICE, TRIAL_RATE_LIMIT};
pub use file_type::{FileType, Flow};
pub use provider::ReconstructResult;
pub use reconstruct::{
    CreateReconstructDocumentFlowConfig, CreateReconstructDocumentFlowRequest,
    CreateReconstructDocumentFlowResponse, GetReconstructDocumentResultResponse, TaskIdRequest,
};
pub use result_url::ResultUrl;
pub use site::{Site, SiteRules};
pub use split::{
    CreateSplitDocumentFlowConfig, CreateSplitDocumentFlowRequest, CreateSplitDocumentFlowResponse,
    GetSplitDocumentResultResponse, SplitChunk,
};
pub use sse::{
    MarkdownImageResponseType, ReconstructDocumentSseConfig, ReconstructDocumentSseEvent,
    ReconstructDocumentSseRequest, ReconstructDocumentStream, ResponseType,
};
pub use task::{
    DocumentUsage, ErrorInfo, ReconstructDocumentFailedPage, ResultType, SplitDocumentFailedPage,
    TableResultType, TaskStatus,
};

pub use ocr_core::{ClientOptions, ConfigureClient};
pub use tc_signing::ConfigureCredentials;

/// The traits every builder's shared methods come from: `use lkeap::prelude::*;`.
pub mod prelude {
    pub use ocr_core::{ConfigureClient, OcrProvider};
    pub use tc_signing::ConfigureCredentials;
}

//! # lkeap
//!
//! Tencent Cloud LKEAP (知识引擎原子能力, API version 2024-05-22) document parsing: documents
//! (PDF, Office, images, text …) to Markdown, and documents to chunks for retrieval, as a typed
//! client and as an [`ocr_core::OcrProvider`].
//!
//! - [`Lkeap`] with [`LkeapBuilder`]: site (international `ap-jakarta` by default, domestic
//!   `ap-guangzhou`), credentials, timeouts, retries, the documented 20 requests/s per action
//!   ([`LkeapBuilder::trial_account`] for the 1/s trial limit), polling and archive caps;
//! - the parse flow: [`Lkeap::create_reconstruct_document_flow`],
//!   [`Lkeap::get_reconstruct_document_result`], [`Lkeap::wait_reconstruct_document`],
//!   [`Lkeap::download_reconstruct_archive`] / [`Lkeap::extract_reconstruct_archive`];
//! - the split flow: [`Lkeap::create_split_document_flow`], [`Lkeap::get_split_document_result`],
//!   [`Lkeap::wait_split_document`], [`Lkeap::download_split_archive`] and
//!   [`ResultArchive::split_chunks`];
//! - [`Lkeap::reconstruct_document_sse`]: the streaming variant, which the service is retiring
//!   (never used by default);
//! - [`ResultArchive`]: the result zip read safely (paths, entry count, sizes capped);
//! - the provider interface: `submit` creates a parse task and returns a serialisable
//!   [`ocr_core::Job`]; `poll` returns progress, the task's failure, or a [`ocr_core::Document`]
//!   with the Markdown, pages and files (the typed [`ReconstructResult`] stays reachable).
//!
//! Every request is checked against the documented rules first; a refusal is an
//! [`ocr_core::ErrorKind::InvalidInput`] error naming the field, and nothing is sent.
//!
//! ```no_run
//! use ocr_core::{OcrProvider, Request};
//!
//! # async fn demo() -> Result<(), ocr_core::Error> {
//! let lkeap = lkeap::Lkeap::builder().credentials_from_env().build()?;
//! let doc = lkeap.recognize(&Request::from_url("https://example.com/report.pdf")?).await?;
//! println!("{}", doc.markdown.unwrap_or_default());
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod account;
pub mod archive;
pub mod builder;
pub mod client;
mod download;
pub mod event_stream;
pub mod file_type;
pub mod provider;
pub mod reconstruct;
pub mod result_url;
pub mod site;
pub mod split;
pub mod sse;
pub mod task;
mod validate;

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

//! cloud-ocr-cli's integration tests, one module per former test file, linked into one
//! binary: one link instead of one per file keeps the build small and fast.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../common/mod.rs"]
mod common;

mod cli_batch;
mod cli_config;
mod cli_coordinator;
mod cli_cost;
mod cli_hostile;
mod cli_pages;
mod cli_resume;
mod cli_scan;
mod cli_ux;

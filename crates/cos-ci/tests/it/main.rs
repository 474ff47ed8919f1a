//! cos-ci's integration tests, one module per former test file, linked into one
//! binary: one link instead of one per file keeps the build small and fast.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

mod client;
mod conformance;
mod emulator_e2e;
mod errors;
mod fault_matrix;
mod jobs;
mod objects;
mod provider;
mod retries;
mod templates_and_sync_ocr;

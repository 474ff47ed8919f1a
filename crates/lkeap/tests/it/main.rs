//! lkeap's integration tests, one module per former test file, linked into one
//! binary: one link instead of one per file keeps the build small and fast.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../common/mod.rs"]
mod common;

mod archive;
mod conformance;
mod emulator_e2e;
mod fault_matrix;
mod reconstruct;
mod redaction;
mod retries;
mod split;
mod sse;
mod validation;

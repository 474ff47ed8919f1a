//! picwish's integration tests, one module per former test file, linked into one
//! binary: one link instead of one per file keeps the build small and fast.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

mod conformance;
mod create;
mod emulator_e2e;
mod fault_matrix;
mod provider;
mod query;
mod rate_limit;
mod retries;
mod retry;
mod secrets;
mod validation;
mod wait;

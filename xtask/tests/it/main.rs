//! xtask's integration tests, one module per former test file, linked into one
//! binary: one link instead of one per file keeps the build small and fast.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod fixtures;
mod fuzz;
mod layers;
mod msrv;

//! tc-signing's integration tests, one module per former test file, linked into one
//! binary: one link instead of one per file keeps the build small and fast.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod cos_properties;
mod cos_vectors;
mod credentials;
mod signer_reference;
mod tc3_properties;
mod tc3_vectors;

//! tc-ocr's integration tests, one module per former test file, linked into one
//! binary: one link instead of one per file keeps the build small and fast.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../common/mod.rs"]
mod common;

mod card_verification;
mod conformance;
mod emulator_e2e;
mod extract_doc_multi;
mod fault_matrix;
mod general_ocr;
mod provider;
mod secrets;
mod transport;
mod validation;

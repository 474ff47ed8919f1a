//! ocr-emulator's integration tests, one module per former test file, linked into one
//! binary: one link instead of one per file keeps the build small and fast.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../common/mod.rs"]
mod common;

mod behaviour;
mod control_api;
mod cos_ci;
mod faults;
mod lkeap;
mod picwish;
mod tencent_auth;
mod tencent_ocr;
mod truth;

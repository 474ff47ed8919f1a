//! The invariants asserted by the fuzz targets in `fuzz/fuzz_targets/`.
//!
//! Each module has one `check(data: &[u8])`: it feeds the input to a parser through the
//! crate's public API and panics (an assertion) when the result breaks a rule that must hold
//! for every input, not only "does not panic". The fuzz targets call these functions; so does
//! `tests/replay.rs`, which replays the seeds (`fuzz/corpus/<target>`) and every input that
//! once failed (`fuzz/regressions/<target>`) as ordinary tests on the stable toolchain.

pub mod archive;
pub mod cos_xml;
pub mod envelope;
pub mod sse;

/// The fuzz targets, by name, with their check: the names of `fuzz/fuzz_targets/*.rs` and of
/// the folders under `fuzz/corpus` and `fuzz/regressions`.
pub const TARGETS: &[(&str, fn(&[u8]))] = &[
    ("lkeap_sse", sse::check),
    ("cos_ci_xml", cos_xml::check),
    ("tc_api_envelope", envelope::check),
    ("lkeap_archive", archive::check),
];

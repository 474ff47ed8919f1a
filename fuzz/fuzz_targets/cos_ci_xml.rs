//! `cargo xtask fuzz --target cos_ci_xml`: see `fuzz_checks::cos_xml` for the input and the invariants.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_checks::cos_xml::check(data));

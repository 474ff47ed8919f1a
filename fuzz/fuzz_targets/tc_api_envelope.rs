//! `cargo xtask fuzz --target tc_api_envelope`: see `fuzz_checks::envelope` for the input and the invariants.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_checks::envelope::check(data));

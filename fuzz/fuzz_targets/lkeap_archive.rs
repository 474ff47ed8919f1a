//! `cargo xtask fuzz --target lkeap_archive`: see `fuzz_checks::archive` for the input and the invariants.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_checks::archive::check(data));

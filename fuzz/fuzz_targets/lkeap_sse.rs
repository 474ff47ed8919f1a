//! `cargo xtask fuzz --target lkeap_sse`: see `fuzz_checks::sse` for the input and the invariants.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_checks::sse::check(data));

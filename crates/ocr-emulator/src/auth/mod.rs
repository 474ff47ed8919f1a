//! Signature verification, written from the specs: TC3-HMAC-SHA256 for API 3.0 and
//! COS `q-sign-algorithm=sha1` for COS and CI.
//!
//! Both verifiers are pure functions of the request parts, the accepted credentials
//! and "now", so they can be checked against the published vectors directly (the
//! server uses them for every request). They take the key derivation from
//! `tc-signing` but rebuild the canonical request and string to sign themselves, so a
//! canonicalisation bug in the signer cannot hide behind the same bug here.

mod cos;
mod tc3;

pub use cos::{verify_cos, CosAuthError, CosInput, CosVerified};
pub use tc3::{verify_tc3, Tc3AuthError, Tc3Input, Tc3Verified, TC3_MAX_SKEW_SECS};

/// The first value of a header, by case-insensitive name.
pub(crate) fn header<'a>(headers: &'a [(&'a str, &'a str)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| *v)
}

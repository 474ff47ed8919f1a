//! Request signing and credentials for Tencent Cloud clients.
//!
//! Two signature schemes, both pure functions of their inputs and an explicit time:
//!
//! * **TC3-HMAC-SHA256** for Tencent Cloud API 3.0 (OCR, LKEAP, STS…):
//!   [`sign_tc3`], or [`Tc3Signer`] which caches the per-day signing key.
//! * **COS `q-sign-algorithm=sha1`** for COS and Cloud Infinite (CI) hosts:
//!   [`sign_cos`], or [`CosSigner`] which caches the `SignKey`.
//!
//! And where the keys come from: a [`Credential`] produced by a
//! [`ProvideCredential`] — [`StaticProvider`], [`EnvProvider`]
//! (`TENCENTCLOUD_SECRET_ID` / `_KEY` / `_SESSION_TOKEN`), [`ProfileProvider`]
//! (`~/.tencentcloud/credentials`) or a [`CredentialChain`] of them. Providers read
//! the environment and files only through an [`EnvSource`], so tests use
//! [`StaticEnv`] and never touch the real environment.
//!
//! The crate does no network I/O. Secrets never appear in `Debug` or `Display`
//! output: secret keys, session tokens and derived keys print as `<redacted>`.
//!
//! ```
//! use std::sync::Arc;
//! use tc_signing::{
//!     CredentialChain, PayloadHash, ProvideCredential, StaticEnv, Tc3Request, Tc3Signer,
//! };
//!
//! // In production: CredentialChain::default_chain(Arc::new(tc_signing::ProcessEnv)).
//! let env = StaticEnv::new()
//!     .var("TENCENTCLOUD_SECRET_ID", "AKIDexample")
//!     .var("TENCENTCLOUD_SECRET_KEY", "example-key");
//! let credential = CredentialChain::default_chain(Arc::new(env)).provide_credential()?;
//!
//! let body = br#"{"ImageUrl":"https://example.com/a.png"}"#;
//! let request = Tc3Request {
//!     method: "POST",
//!     host: "ocr.tencentcloudapi.com",
//!     path: "/",
//!     query: "",
//!     content_type: "application/json",
//!     extra_signed_headers: &[],
//!     payload: PayloadHash::Bytes(body),
//! };
//! let signer = Tc3Signer::new();
//! let signed = signer.sign(&request, &credential, "ocr", 1_700_000_000);
//! // Send `Authorization: signed.authorization()` plus `signed.headers()`
//! // (X-TC-Timestamp, and X-TC-Token for temporary keys).
//! assert!(signed.authorization().starts_with("TC3-HMAC-SHA256 Credential=AKIDexample/"));
//! # Ok::<(), tc_signing::CredentialError>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod cache;
mod cos;
mod credential;
mod crypto;
mod date;
mod encoding;
mod env;
mod error;
mod provider;
mod redact;
mod tc3;

pub use cos::{
    should_sign_header, sign_cos, signable_headers, CosRequest, CosSignature, CosSigner, KeyTime,
    TokenHeader, COS_ALGORITHM, DEFAULT_SIGNED_HEADERS, QUERY_SECURITY_TOKEN,
};
pub use credential::Credential;
pub use date::utc_date;
pub use encoding::{cos_encode, cos_encode_path};
pub use env::{EnvSource, ProcessEnv, StaticEnv};
pub use error::CredentialError;
pub use provider::{
    CredentialChain, EnvProvider, ProfileProvider, ProvideCredential, StaticProvider,
    DEFAULT_PROFILE, ENV_CREDENTIALS_FILE, ENV_PROFILE, ENV_SECRET_ID, ENV_SECRET_KEY,
    ENV_SESSION_TOKEN, PROFILE_DIR, PROFILE_FILE_NAME,
};
pub use tc3::{
    derive_signing_key, derive_tc3_keys, sign_tc3, PayloadHash, Tc3DerivedKeys, Tc3Request,
    Tc3Signature, Tc3Signer, HEADER_CONTENT_SHA256, HEADER_TIMESTAMP, HEADER_TOKEN, TC3_ALGORITHM,
    UNSIGNED_PAYLOAD,
};

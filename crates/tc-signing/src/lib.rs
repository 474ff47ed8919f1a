#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod cache;
mod cached;
mod configure;
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
mod text;

pub use cached::{CachedCredentials, CREDENTIAL_REFRESH_MARGIN};
pub use configure::ConfigureCredentials;
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

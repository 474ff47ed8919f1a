//! The credential value that every signer consumes.

use std::fmt;
use std::time::SystemTime;

use sha2::{Digest, Sha256};

use crate::redact::Redacted;

/// A Tencent Cloud key pair, optionally temporary (with a session token and an expiry).
///
/// Long-term keys have neither token nor expiry. Temporary keys (STS, CVM role, OIDC)
/// must travel with their session token: the signers add it as `X-TC-Token` (TC3) and
/// callers add it as `x-cos-security-token` / `x-ci-security-token` (COS).
///
/// `Debug` shows the secret id only; the secret key and the token print as
/// `<redacted>`.
///
/// ```
/// use tc_signing::Credential;
///
/// let cred = Credential::new("AKIDexample", "example-key").with_session_token("example-token");
/// assert_eq!(cred.secret_id(), "AKIDexample");
/// assert_eq!(cred.session_token(), Some("example-token"));
/// assert!(!format!("{cred:?}").contains("example-key"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Credential {
    secret_id: String,
    secret_key: String,
    /// Computed once from `secret_key`; the signers' caches are keyed by it.
    key_id: KeyId,
    session_token: Option<String>,
    expires_at: Option<SystemTime>,
}

/// A fingerprint of a secret key: SHA-256 of a domain label and the key.
///
/// Computed once, in [`Credential::new`], so that the signers' key caches can tell
/// secret keys apart on every call without hashing (or holding) the key itself. Two
/// credentials have the same id exactly when they have the same secret key (a
/// SHA-256 collision aside). Crate-private and without `Debug`: never shown.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct KeyId([u8; 32]);

impl KeyId {
    /// Domain separation: this hash is not the SHA-256 of the key anyone else computes.
    const LABEL: &'static [u8] = b"tc-signing key id v1\0";

    fn of(secret_key: &str) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(Self::LABEL);
        hasher.update(secret_key.as_bytes());
        Self(hasher.finalize().into())
    }
}

impl Credential {
    /// A long-term key pair: no token, no expiry.
    ///
    /// ```
    /// use tc_signing::Credential;
    ///
    /// let cred = Credential::new("AKIDexample", "example-key");
    /// assert_eq!(cred.session_token(), None);
    /// assert_eq!(cred.expires_at(), None);
    /// ```
    pub fn new(secret_id: impl Into<String>, secret_key: impl Into<String>) -> Self {
        let secret_key = secret_key.into();
        Self {
            secret_id: secret_id.into(),
            key_id: KeyId::of(&secret_key),
            secret_key,
            session_token: None,
            expires_at: None,
        }
    }

    /// Attaches the session token that temporary keys require.
    ///
    /// The TC3 signer then sends it as `X-TC-Token`; without it the service refuses
    /// temporary keys.
    ///
    /// ```
    /// use tc_signing::{sign_tc3, Credential, PayloadHash, Tc3Request};
    ///
    /// let cred = Credential::new("AKIDexample", "example-key")
    ///     .with_session_token("example-token");
    /// let body = PayloadHash::Bytes(b"{}");
    /// let request = Tc3Request::new("POST", "ocr.tencentcloudapi.com", "application/json", body);
    /// let signed = sign_tc3(&request, &cred, "ocr", 1_700_000_000);
    /// let token = ("X-TC-Token".to_owned(), "example-token".to_owned());
    /// assert!(signed.headers().contains(&token));
    /// ```
    #[must_use]
    pub fn with_session_token(mut self, token: impl Into<String>) -> Self {
        self.session_token = Some(token.into());
        self
    }

    /// Records when temporary keys stop working, so callers can refresh in time.
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// use tc_signing::Credential;
    ///
    /// let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_003_600);
    /// let cred = Credential::new("AKIDexample", "example-key").with_expiry(at);
    /// assert_eq!(cred.expires_at(), Some(at));
    /// ```
    #[must_use]
    pub fn with_expiry(mut self, at: SystemTime) -> Self {
        self.expires_at = Some(at);
        self
    }

    /// The public half of the key pair (`AKID…`); safe to log.
    ///
    /// ```
    /// let cred = tc_signing::Credential::new("AKIDexample", "example-key");
    /// assert_eq!(cred.secret_id(), "AKIDexample");
    /// assert!(format!("{cred:?}").contains("AKIDexample"));
    /// ```
    pub fn secret_id(&self) -> &str {
        &self.secret_id
    }

    /// The private half of the key pair; never log it.
    ///
    /// ```
    /// let cred = tc_signing::Credential::new("AKIDexample", "example-key");
    /// assert_eq!(cred.secret_key(), "example-key");
    /// assert!(!format!("{cred:?}").contains("example-key"));
    /// ```
    pub fn secret_key(&self) -> &str {
        &self.secret_key
    }

    /// The fingerprint of the secret key, computed when the credential was made.
    pub(crate) fn key_id(&self) -> KeyId {
        self.key_id
    }

    /// The session token of temporary keys, if any; never log it.
    ///
    /// ```
    /// use tc_signing::Credential;
    ///
    /// let long_term = Credential::new("AKIDexample", "example-key");
    /// assert_eq!(long_term.session_token(), None);
    /// let temporary = long_term.with_session_token("example-token");
    /// assert_eq!(temporary.session_token(), Some("example-token"));
    /// ```
    pub fn session_token(&self) -> Option<&str> {
        self.session_token.as_deref()
    }

    /// When temporary keys expire, if known.
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// use tc_signing::Credential;
    ///
    /// let cred = Credential::new("AKIDexample", "example-key");
    /// assert_eq!(cred.expires_at(), None);
    /// let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_003_600);
    /// assert_eq!(cred.with_expiry(at).expires_at(), Some(at));
    /// ```
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at
    }

    /// True when an expiry is known and `now` is at or past it. Keys without an expiry
    /// never expire.
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// use tc_signing::Credential;
    ///
    /// let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_003_600);
    /// let temporary = Credential::new("AKIDexample", "example-key").with_expiry(at);
    /// assert!(!temporary.is_expired_at(at - Duration::from_secs(1)));
    /// assert!(temporary.is_expired_at(at));
    /// assert!(!Credential::new("AKIDexample", "example-key").is_expired_at(at));
    /// ```
    pub fn is_expired_at(&self, now: SystemTime) -> bool {
        self.expires_at.is_some_and(|at| now >= at)
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("secret_id", &self.secret_id)
            .field("secret_key", &Redacted)
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| Redacted),
            )
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn expiry_is_inclusive_and_absent_means_never() {
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let cred = Credential::new("id", "key").with_expiry(at);
        assert!(!cred.is_expired_at(at - Duration::from_secs(1)));
        assert!(cred.is_expired_at(at));
        assert!(!Credential::new("id", "key").is_expired_at(at));
    }

    #[test]
    fn key_id_follows_the_secret_key_only() {
        let cred = Credential::new("id", "key");
        let same = Credential::new("other-id", "key")
            .with_session_token("token")
            .with_expiry(SystemTime::UNIX_EPOCH);
        assert!(cred.key_id() == same.key_id());
        assert!(cred.key_id() == cred.clone().key_id());
        assert!(cred.key_id() != Credential::new("id", "key2").key_id());
        assert!(cred.key_id() != Credential::new("id", "").key_id());
    }

    #[test]
    fn debug_hides_key_and_token() {
        let cred = Credential::new("AKIDvisible", "hidden-key").with_session_token("hidden-tok");
        let shown = format!("{cred:?}");
        assert!(shown.contains("AKIDvisible"));
        assert!(!shown.contains("hidden"));
    }
}

//! [`CachedCredentials`]: a provider's answer kept until shortly before it expires.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use crate::credential::Credential;
use crate::error::CredentialError;
use crate::provider::ProvideCredential;

/// How long before its expiry a temporary credential is fetched anew.
pub const CREDENTIAL_REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// A credential provider whose answer is kept, so that a client asks its provider (a file, a
/// chain, a refreshing source) once, not on every request, and again only when a temporary key
/// nears its expiry. Shared by a client's clones behind an `Arc`.
///
/// ```
/// use std::sync::Arc;
/// use std::time::{Duration, SystemTime};
/// use tc_signing::{CachedCredentials, Credential, StaticProvider};
///
/// let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
/// let temporary = Credential::new("AKIDexample", "example-key")
///     .with_session_token("token")
///     .with_expiry(now + Duration::from_secs(600));
/// let cache = CachedCredentials::new(Arc::new(StaticProvider::new(temporary)));
/// assert_eq!(cache.get(now).unwrap().secret_id(), "AKIDexample");
/// ```
pub struct CachedCredentials {
    provider: Arc<dyn ProvideCredential>,
    cached: Mutex<Option<Credential>>,
}

impl CachedCredentials {
    /// Caches what `provider` answers.
    pub fn new(provider: Arc<dyn ProvideCredential>) -> Self {
        CachedCredentials {
            provider,
            cached: Mutex::new(None),
        }
    }

    /// The provider behind the cache.
    pub fn provider(&self) -> &Arc<dyn ProvideCredential> {
        &self.provider
    }

    /// The kept credential while it stays valid [`CREDENTIAL_REFRESH_MARGIN`] past `now`
    /// (keys without an expiry stay valid), else a fresh one from the provider.
    pub fn get(&self, now: SystemTime) -> Result<Credential, CredentialError> {
        if let Ok(guard) = self.cached.lock() {
            if let Some(cred) = guard.as_ref() {
                if !cred.is_expired_at(now + CREDENTIAL_REFRESH_MARGIN) {
                    return Ok(cred.clone());
                }
            }
        }
        let cred = self.provider.provide_credential()?;
        if let Ok(mut guard) = self.cached.lock() {
            *guard = Some(cred.clone());
        }
        Ok(cred)
    }
}

impl fmt::Debug for CachedCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The provider's own Debug never shows a secret; the cached credential is not shown.
        f.debug_struct("CachedCredentials")
            .field("provider", &self.provider)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::CredentialError;

    /// Counts how often it is asked, answering a key that expires at `expiry`.
    #[derive(Debug)]
    struct Counting {
        asked: std::sync::atomic::AtomicU32,
        expiry: Option<SystemTime>,
    }

    impl ProvideCredential for Counting {
        fn name(&self) -> &'static str {
            "counting"
        }
        fn provide_credential(&self) -> Result<Credential, CredentialError> {
            self.asked
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let cred = Credential::new("AKIDexample", "example-key");
            Ok(match self.expiry {
                Some(at) => cred.with_session_token("t").with_expiry(at),
                None => cred,
            })
        }
    }

    fn asked(cache: &CachedCredentials, provider: &Counting, now: SystemTime) -> u32 {
        cache.get(now).unwrap();
        provider.asked.load(std::sync::atomic::Ordering::Relaxed)
    }

    #[test]
    fn asks_once_and_again_near_expiry() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let provider = Arc::new(Counting {
            asked: 0.into(),
            expiry: Some(now + Duration::from_secs(900)),
        });
        let cache = CachedCredentials::new(provider.clone());
        assert_eq!(asked(&cache, &provider, now), 1);
        assert_eq!(asked(&cache, &provider, now + Duration::from_secs(599)), 1);
        // Within the margin of its expiry: asked again.
        assert_eq!(asked(&cache, &provider, now + Duration::from_secs(601)), 2);
        let forever = Arc::new(Counting {
            asked: 0.into(),
            expiry: None,
        });
        let cache = CachedCredentials::new(forever.clone());
        assert_eq!(asked(&cache, &forever, now), 1);
        assert_eq!(
            asked(&cache, &forever, now + Duration::from_secs(1 << 30)),
            1
        );
    }
}

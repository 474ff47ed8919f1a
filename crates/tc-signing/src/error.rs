//! The error type of credential providers.

use std::path::PathBuf;

/// Why a credential provider could not produce a [`Credential`](crate::Credential).
///
/// The three variants tell a [`CredentialChain`](crate::CredentialChain) what to do:
/// only [`NotConfigured`](Self::NotConfigured) lets the chain move on to the next
/// provider; the other two stop it, because a half-written configuration should be
/// fixed rather than silently skipped.
///
/// No variant ever carries a secret: reasons name variables, files and rules, never
/// values.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialError {
    /// The provider found nothing to read (variables unset, file absent).
    #[error("credential provider `{provider}` is not configured: {reason}")]
    NotConfigured {
        /// Short name of the provider, see [`ProvideCredential::name`](crate::ProvideCredential::name).
        provider: &'static str,
        /// What was looked for and not found.
        reason: String,
    },
    /// The provider found a configuration, but it is incomplete or malformed.
    #[error("credential provider `{provider}` has an invalid configuration: {reason}")]
    Invalid {
        /// Short name of the provider.
        provider: &'static str,
        /// Which rule was broken (names the variable or file, never a value).
        reason: String,
    },
    /// A file exists (or may exist) but could not be read.
    #[error("credential provider `{provider}` could not read {}: {}", path.display(), source.kind())]
    Io {
        /// Short name of the provider.
        provider: &'static str,
        /// The file that could not be read.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
}

impl CredentialError {
    /// True when the provider simply had nothing configured, so a chain may try the
    /// next provider.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use tc_signing::{EnvProvider, ProvideCredential, StaticEnv};
    ///
    /// // Nothing set: not configured, a chain moves on.
    /// let nothing = EnvProvider::new(Arc::new(StaticEnv::new()));
    /// assert!(nothing.provide_credential().is_err_and(|e| e.is_not_configured()));
    ///
    /// // Half set: a mistake to report, not a reason to move on.
    /// let half = StaticEnv::new().var("TENCENTCLOUD_SECRET_ID", "AKIDexample");
    /// let half = EnvProvider::new(Arc::new(half));
    /// assert!(half.provide_credential().is_err_and(|e| !e.is_not_configured()));
    /// ```
    pub fn is_not_configured(&self) -> bool {
        matches!(self, Self::NotConfigured { .. })
    }

    /// The short name of the provider that produced this error.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use tc_signing::{ProfileProvider, ProvideCredential, StaticEnv};
    ///
    /// let env = StaticEnv::new().home("/home/me");
    /// let err = ProfileProvider::new(Arc::new(env)).provide_credential().err();
    /// assert_eq!(err.map(|e| e.provider()), Some("profile"));
    /// ```
    pub fn provider(&self) -> &'static str {
        match self {
            Self::NotConfigured { provider, .. }
            | Self::Invalid { provider, .. }
            | Self::Io { provider, .. } => provider,
        }
    }
}

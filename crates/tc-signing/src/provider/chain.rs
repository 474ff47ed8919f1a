//! Trying several credential providers in order.

use std::sync::Arc;

use super::{EnvProvider, ProfileProvider, ProvideCredential};
use crate::{Credential, CredentialError, EnvSource};

const NAME: &str = "chain";

/// Tries providers in order and returns the first credential found.
///
/// It moves on only when a provider reports [`CredentialError::NotConfigured`]; any
/// other error stops the chain and is returned unchanged (it names the provider), so
/// a broken configuration is reported instead of being skipped. When every provider
/// is not configured, the result is a `NotConfigured` error from `"chain"` that lists
/// each provider tried and why it had nothing.
///
/// ```
/// use std::sync::Arc;
/// use tc_signing::{CredentialChain, ProvideCredential, StaticEnv};
///
/// let env = StaticEnv::new()
///     .var("TENCENTCLOUD_SECRET_ID", "AKIDexample")
///     .var("TENCENTCLOUD_SECRET_KEY", "example-key");
/// let chain = CredentialChain::default_chain(Arc::new(env));
/// assert_eq!(chain.provide_credential()?.secret_id(), "AKIDexample");
///
/// let empty = CredentialChain::default_chain(Arc::new(StaticEnv::new()));
/// assert!(empty.provide_credential().is_err_and(|e| e.is_not_configured()));
/// # Ok::<(), tc_signing::CredentialError>(())
/// ```
#[derive(Debug, Clone)]
pub struct CredentialChain {
    providers: Vec<Arc<dyn ProvideCredential>>,
}

impl CredentialChain {
    /// A chain over the given providers, tried first to last.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use tc_signing::{
    ///     Credential, CredentialChain, EnvProvider, ProvideCredential, StaticEnv, StaticProvider,
    /// };
    ///
    /// // The environment wins when set; otherwise the application's own keys.
    /// let fallback = StaticProvider::new(Credential::new("AKIDfallback", "example-key"));
    /// let chain = CredentialChain::new(vec![
    ///     Arc::new(EnvProvider::new(Arc::new(StaticEnv::new()))),
    ///     Arc::new(fallback),
    /// ]);
    /// assert_eq!(chain.provide_credential()?.secret_id(), "AKIDfallback");
    /// # Ok::<(), tc_signing::CredentialError>(())
    /// ```
    pub fn new(providers: Vec<Arc<dyn ProvideCredential>>) -> Self {
        Self { providers }
    }

    /// The standard order: environment variables, then the profile file (the Go SDK's
    /// chain without the CVM-role provider, which needs the network).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use tc_signing::{CredentialChain, ProvideCredential, StaticEnv};
    ///
    /// // No variables set: the profile file answers.
    /// let env = StaticEnv::new().home("/home/me").file(
    ///     "/home/me/.tencentcloud/credentials",
    ///     "[default]\nsecret_id = AKIDprofile\nsecret_key = example-key\n",
    /// );
    /// let chain = CredentialChain::default_chain(Arc::new(env));
    /// assert_eq!(chain.provide_credential()?.secret_id(), "AKIDprofile");
    /// # Ok::<(), tc_signing::CredentialError>(())
    /// ```
    pub fn default_chain(env: Arc<dyn EnvSource>) -> Self {
        Self::new(vec![
            Arc::new(EnvProvider::new(Arc::clone(&env))),
            Arc::new(ProfileProvider::new(env)),
        ])
    }

    /// The providers, in the order they are tried.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use tc_signing::{CredentialChain, StaticEnv};
    ///
    /// let chain = CredentialChain::default_chain(Arc::new(StaticEnv::new()));
    /// let names: Vec<&str> = chain.providers().iter().map(|p| p.name()).collect();
    /// assert_eq!(names, ["environment", "profile"]);
    /// ```
    pub fn providers(&self) -> &[Arc<dyn ProvideCredential>] {
        &self.providers
    }
}

impl ProvideCredential for CredentialChain {
    fn name(&self) -> &'static str {
        NAME
    }

    fn provide_credential(&self) -> Result<Credential, CredentialError> {
        let mut tried = Vec::with_capacity(self.providers.len());
        for provider in &self.providers {
            match provider.provide_credential() {
                Ok(credential) => return Ok(credential),
                Err(CredentialError::NotConfigured { provider, reason }) => {
                    tried.push(format!("{provider}: {reason}"));
                }
                Err(other) => return Err(other),
            }
        }
        let reason = if tried.is_empty() {
            "the chain has no providers".to_owned()
        } else {
            format!("no provider had credentials ({})", tried.join("; "))
        };
        Err(CredentialError::NotConfigured {
            provider: NAME,
            reason,
        })
    }
}

//! [`ConfigureCredentials`]: the credential methods every Tencent Cloud client builder shares.

use std::sync::Arc;

use crate::credential::Credential;
use crate::env::{EnvSource, ProcessEnv};
use crate::provider::{CredentialChain, ProvideCredential, StaticProvider};

/// How a client builder is given its Tencent Cloud credentials: the same four methods on
/// every builder, written once here. Implementors provide [`credentials`](Self::credentials).
///
/// ```
/// use std::sync::Arc;
/// use tc_signing::{ConfigureCredentials, Credential, ProvideCredential};
///
/// #[derive(Default)]
/// struct MyBuilder(Option<Arc<dyn ProvideCredential>>);
///
/// impl ConfigureCredentials for MyBuilder {
///     fn credentials(mut self, provider: Arc<dyn ProvideCredential>) -> Self {
///         self.0 = Some(provider);
///         self
///     }
/// }
///
/// let b = MyBuilder::default().credential(Credential::new("AKIDexample", "example-key"));
/// assert_eq!(b.0.unwrap().provide_credential().unwrap().secret_id(), "AKIDexample");
/// ```
pub trait ConfigureCredentials: Sized {
    /// Uses a credential provider (a chain, a profile, your own refreshing source).
    fn credentials(self, provider: Arc<dyn ProvideCredential>) -> Self;

    /// Uses a fixed credential; a temporary key carries its session token.
    fn credential(self, credential: Credential) -> Self {
        self.credentials(Arc::new(StaticProvider::new(credential)))
    }

    /// Uses the default chain (environment variables, then the profile file) read through
    /// `env`.
    fn credentials_from(self, env: Arc<dyn EnvSource>) -> Self {
        self.credentials(Arc::new(CredentialChain::default_chain(env)))
    }

    /// Uses the default chain over the process environment and home directory
    /// (`TENCENTCLOUD_SECRET_ID`, `TENCENTCLOUD_SECRET_KEY`, `TENCENTCLOUD_SESSION_TOKEN`,
    /// `~/.tencentcloud/credentials`).
    fn credentials_from_env(self) -> Self {
        self.credentials_from(Arc::new(ProcessEnv))
    }
}

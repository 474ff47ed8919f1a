//! Credential providers: where a [`Credential`] comes from.
//!
//! Each provider looks in one place. [`CredentialChain`] tries several in order,
//! moving on only when a provider reports
//! [`CredentialError::NotConfigured`].

mod chain;
mod environment;
mod ini;
mod profile;

pub use chain::CredentialChain;
pub use environment::EnvProvider;
pub use profile::ProfileProvider;

use std::fmt;

use crate::{Credential, CredentialError};

/// Environment variable holding the secret id (all official SDKs).
pub const ENV_SECRET_ID: &str = "TENCENTCLOUD_SECRET_ID";
/// Environment variable holding the secret key (all official SDKs).
pub const ENV_SECRET_KEY: &str = "TENCENTCLOUD_SECRET_KEY";
/// Environment variable holding the session token of temporary keys (Node SDK).
pub const ENV_SESSION_TOKEN: &str = "TENCENTCLOUD_SESSION_TOKEN";
/// Environment variable overriding the profile file path (Go SDK).
pub const ENV_CREDENTIALS_FILE: &str = "TENCENTCLOUD_CREDENTIALS_FILE";
/// Directory under the home directory that holds the profile file.
pub const PROFILE_DIR: &str = ".tencentcloud";
/// File name of the profile file inside [`PROFILE_DIR`].
pub const PROFILE_FILE_NAME: &str = "credentials";
/// The profile section read unless another is chosen.
pub const DEFAULT_PROFILE: &str = "default";
/// Environment variable naming the profile section to read when none is chosen in code.
pub const ENV_PROFILE: &str = "TENCENTCLOUD_PROFILE";

/// Something that can produce a [`Credential`] on demand.
///
/// Implementations are cheap to call repeatedly; they do no caching themselves
/// (a refreshing provider for temporary keys would be another implementation).
pub trait ProvideCredential: Send + Sync + fmt::Debug {
    /// Short stable name for errors and logs (`"environment"`, `"profile"`,
    /// `"static"`, `"chain"`).
    fn name(&self) -> &'static str;

    /// Produces a credential, or says why it cannot.
    ///
    /// # Errors
    ///
    /// [`CredentialError::NotConfigured`] when this source has nothing at all (a chain
    /// then tries the next provider); [`CredentialError::Invalid`] or
    /// [`CredentialError::Io`] when something is there but unusable.
    fn provide_credential(&self) -> Result<Credential, CredentialError>;
}

/// Always returns the same credential: for keys the application already holds.
///
/// ```
/// use tc_signing::{Credential, ProvideCredential, StaticProvider};
///
/// let provider = StaticProvider::new(Credential::new("AKIDexample", "example-key"));
/// let cred = provider.provide_credential()?;
/// assert_eq!(cred.secret_id(), "AKIDexample");
/// # Ok::<(), tc_signing::CredentialError>(())
/// ```
#[derive(Debug, Clone)]
pub struct StaticProvider {
    credential: Credential,
}

impl StaticProvider {
    /// Wraps a credential (its `Debug` stays redacted).
    ///
    /// ```
    /// use tc_signing::{Credential, ProvideCredential, StaticProvider};
    ///
    /// let cred = Credential::new("AKIDexample", "example-key");
    /// let provider = StaticProvider::new(cred.clone());
    /// assert_eq!(provider.name(), "static");
    /// assert_eq!(provider.provide_credential()?, cred);
    /// assert!(!format!("{provider:?}").contains("example-key"));
    /// # Ok::<(), tc_signing::CredentialError>(())
    /// ```
    pub fn new(credential: Credential) -> Self {
        Self { credential }
    }
}

impl ProvideCredential for StaticProvider {
    fn name(&self) -> &'static str {
        "static"
    }

    fn provide_credential(&self) -> Result<Credential, CredentialError> {
        Ok(self.credential.clone())
    }
}

/// Returns the value trimmed, or `None` when it is empty or whitespace-only: the
/// providers treat blank as unset.
fn non_blank(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

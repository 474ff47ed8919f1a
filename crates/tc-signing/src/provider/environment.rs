//! Credentials from `TENCENTCLOUD_*` environment variables.

use std::sync::Arc;

use super::{non_blank, ProvideCredential, ENV_SECRET_ID, ENV_SECRET_KEY, ENV_SESSION_TOKEN};
use crate::{Credential, CredentialError, EnvSource};

const NAME: &str = "environment";

/// Reads [`ENV_SECRET_ID`], [`ENV_SECRET_KEY`] and the optional [`ENV_SESSION_TOKEN`].
///
/// Values are trimmed, and a blank (empty or whitespace-only) variable counts as unset,
/// as in the Python and Node SDKs. Both id and key unset gives
/// [`CredentialError::NotConfigured`]; only one of them set gives
/// [`CredentialError::Invalid`] naming the missing variable. A session token without
/// id and key is ignored (not configured).
///
/// ```
/// use std::sync::Arc;
/// use tc_signing::{EnvProvider, ProvideCredential, StaticEnv};
///
/// let env = StaticEnv::new()
///     .var("TENCENTCLOUD_SECRET_ID", "AKIDexample")
///     .var("TENCENTCLOUD_SECRET_KEY", "example-key");
/// let cred = EnvProvider::new(Arc::new(env)).provide_credential()?;
/// assert_eq!(cred.secret_id(), "AKIDexample");
/// assert_eq!(cred.session_token(), None);
/// # Ok::<(), tc_signing::CredentialError>(())
/// ```
#[derive(Debug, Clone)]
pub struct EnvProvider {
    env: Arc<dyn EnvSource>,
}

impl EnvProvider {
    /// Reads from the given source (use [`ProcessEnv`](crate::ProcessEnv) for the real
    /// environment).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use tc_signing::{EnvProvider, ProvideCredential, StaticEnv};
    ///
    /// let env = StaticEnv::new()
    ///     .var("TENCENTCLOUD_SECRET_ID", " AKIDexample ")
    ///     .var("TENCENTCLOUD_SECRET_KEY", "example-key")
    ///     .var("TENCENTCLOUD_SESSION_TOKEN", "example-token");
    /// let cred = EnvProvider::new(Arc::new(env)).provide_credential()?;
    /// assert_eq!(cred.secret_id(), "AKIDexample"); // trimmed
    /// assert_eq!(cred.session_token(), Some("example-token"));
    /// # Ok::<(), tc_signing::CredentialError>(())
    /// ```
    pub fn new(env: Arc<dyn EnvSource>) -> Self {
        Self { env }
    }
}

impl ProvideCredential for EnvProvider {
    fn name(&self) -> &'static str {
        NAME
    }

    fn provide_credential(&self) -> Result<Credential, CredentialError> {
        let id = non_blank(self.env.var(ENV_SECRET_ID));
        let key = non_blank(self.env.var(ENV_SECRET_KEY));
        let (id, key) = match (id, key) {
            (Some(id), Some(key)) => (id, key),
            (None, None) => {
                return Err(CredentialError::NotConfigured {
                    provider: NAME,
                    reason: format!("{ENV_SECRET_ID} and {ENV_SECRET_KEY} are unset or blank"),
                })
            }
            (Some(_), None) => return Err(half_set(ENV_SECRET_ID, ENV_SECRET_KEY)),
            (None, Some(_)) => return Err(half_set(ENV_SECRET_KEY, ENV_SECRET_ID)),
        };
        let credential = Credential::new(id, key);
        Ok(match non_blank(self.env.var(ENV_SESSION_TOKEN)) {
            Some(token) => credential.with_session_token(token),
            None => credential,
        })
    }
}

fn half_set(present: &str, missing: &str) -> CredentialError {
    CredentialError::Invalid {
        provider: NAME,
        reason: format!("{present} is set but {missing} is unset or blank"),
    }
}

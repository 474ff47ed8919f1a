//! Credentials from the INI profile file `~/.tencentcloud/credentials`.

use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use super::ini::read_section;
use super::{
    non_blank, ProvideCredential, DEFAULT_PROFILE, ENV_CREDENTIALS_FILE, ENV_PROFILE, PROFILE_DIR,
    PROFILE_FILE_NAME,
};
use crate::{Credential, CredentialError, EnvSource};

const NAME: &str = "profile";
const KEY_SECRET_ID: &str = "secret_id";
const KEY_SECRET_KEY: &str = "secret_key";
const KEY_TOKEN: &str = "token";

/// Reads `secret_id`, `secret_key` and the optional `token` from one section of the
/// profile file (section `[default]` unless [`with_profile_name`](Self::with_profile_name)
/// chooses another).
///
/// The file is [`ENV_CREDENTIALS_FILE`] when that variable is set and not blank
/// (as in the Go SDK), otherwise `<home>/.tencentcloud/credentials`. A missing file
/// (or no home directory) is [`CredentialError::NotConfigured`], unless something named it:
/// the variable, [`with_path`](Self::with_path), or a profile chosen in code or by
/// [`ENV_PROFILE`] (then it is [`CredentialError::Invalid`]); a file that breaks
/// the format, lacks the section or lacks a key is [`CredentialError::Invalid`], with
/// a reason that names the path and the rule but never a value.
///
/// File format: `[section]` headers, `key = value` lines (values trimmed), whole-line
/// comments starting with `;` or `#`, blank lines. Blank values count as missing.
///
/// ```
/// use std::sync::Arc;
/// use tc_signing::{ProfileProvider, ProvideCredential, StaticEnv};
///
/// let env = StaticEnv::new().home("/home/me").file(
///     "/home/me/.tencentcloud/credentials",
///     "[default]\nsecret_id = AKIDexample\nsecret_key = example-key\n",
/// );
/// let cred = ProfileProvider::new(Arc::new(env)).provide_credential()?;
/// assert_eq!(cred.secret_id(), "AKIDexample");
/// # Ok::<(), tc_signing::CredentialError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ProfileProvider {
    env: Arc<dyn EnvSource>,
    /// The section chosen in code; else [`ENV_PROFILE`], else [`DEFAULT_PROFILE`].
    profile: Option<String>,
    path: Option<PathBuf>,
}

impl ProfileProvider {
    /// Reads the section named by [`ENV_PROFILE`] (`TENCENTCLOUD_PROFILE`), else
    /// `[default]`, of the file located through `env`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use tc_signing::{ProfileProvider, ProvideCredential, StaticEnv};
    ///
    /// let env = StaticEnv::new().home("/home/me").var("TENCENTCLOUD_PROFILE", "work").file(
    ///     "/home/me/.tencentcloud/credentials",
    ///     "[default]\nsecret_id = AKIDhome\nsecret_key = k1\n[work]\nsecret_id = AKIDwork\nsecret_key = k2\n",
    /// );
    /// let cred = ProfileProvider::new(Arc::new(env)).provide_credential()?;
    /// assert_eq!(cred.secret_id(), "AKIDwork");
    /// # Ok::<(), tc_signing::CredentialError>(())
    /// ```
    pub fn new(env: Arc<dyn EnvSource>) -> Self {
        Self {
            env,
            profile: None,
            path: None,
        }
    }

    /// Reads section `[name]`, whatever [`ENV_PROFILE`] says.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use tc_signing::{ProfileProvider, ProvideCredential, StaticEnv};
    ///
    /// let env = StaticEnv::new().home("/home/me").var("TENCENTCLOUD_PROFILE", "other").file(
    ///     "/home/me/.tencentcloud/credentials",
    ///     "[work]\nsecret_id = AKIDwork\nsecret_key = example-key\n",
    /// );
    /// let provider = ProfileProvider::new(Arc::new(env)).with_profile_name("work");
    /// assert_eq!(provider.provide_credential()?.secret_id(), "AKIDwork");
    /// # Ok::<(), tc_signing::CredentialError>(())
    /// ```
    #[must_use]
    pub fn with_profile_name(mut self, name: impl Into<String>) -> Self {
        self.profile = Some(name.into());
        self
    }

    /// The section this provider reads now.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use tc_signing::{ProfileProvider, StaticEnv};
    ///
    /// assert_eq!(ProfileProvider::new(Arc::new(StaticEnv::new())).profile_name(), "default");
    /// let env = Arc::new(StaticEnv::new().var("TENCENTCLOUD_PROFILE", "work"));
    /// assert_eq!(ProfileProvider::new(env.clone()).profile_name(), "work");
    /// assert_eq!(ProfileProvider::new(env).with_profile_name("ci").profile_name(), "ci");
    /// ```
    pub fn profile_name(&self) -> String {
        self.profile
            .clone()
            .or_else(|| non_blank(self.env.var(ENV_PROFILE)))
            .unwrap_or_else(|| DEFAULT_PROFILE.to_owned())
    }

    /// What names the file or the profile explicitly, if anything: then a missing file is an
    /// error rather than "not configured".
    fn asked_for(&self) -> Option<String> {
        if self.path.is_some() {
            return Some("the configuration".to_owned());
        }
        if non_blank(self.env.var(ENV_CREDENTIALS_FILE)).is_some() {
            return Some(ENV_CREDENTIALS_FILE.to_owned());
        }
        if let Some(profile) = &self.profile {
            return Some(format!(
                "the profile [{profile}] named in the configuration"
            ));
        }
        non_blank(self.env.var(ENV_PROFILE)).map(|p| format!("{ENV_PROFILE}={p}"))
    }

    /// Reads this file instead of locating one through the environment.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use tc_signing::{ProfileProvider, ProvideCredential, StaticEnv};
    ///
    /// let env = StaticEnv::new().file(
    ///     "/etc/app/tencentcloud.ini",
    ///     "[default]\nsecret_id = AKIDexample\nsecret_key = example-key\n",
    /// );
    /// let provider = ProfileProvider::new(Arc::new(env)).with_path("/etc/app/tencentcloud.ini");
    /// assert_eq!(provider.provide_credential()?.secret_id(), "AKIDexample");
    /// # Ok::<(), tc_signing::CredentialError>(())
    /// ```
    #[must_use]
    pub fn with_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// The file this provider would read now, or `None` when neither
    /// [`ENV_CREDENTIALS_FILE`] nor a home directory is available.
    ///
    /// ```
    /// use std::path::PathBuf;
    /// use std::sync::Arc;
    /// use tc_signing::{ProfileProvider, StaticEnv};
    ///
    /// assert_eq!(ProfileProvider::new(Arc::new(StaticEnv::new())).resolve_path(), None);
    /// let env = StaticEnv::new()
    ///     .home("/home/me")
    ///     .var("TENCENTCLOUD_CREDENTIALS_FILE", "/run/secrets/tencentcloud");
    /// let path = ProfileProvider::new(Arc::new(env)).resolve_path();
    /// assert_eq!(path, Some(PathBuf::from("/run/secrets/tencentcloud")));
    /// ```
    pub fn resolve_path(&self) -> Option<PathBuf> {
        if let Some(path) = &self.path {
            return Some(path.clone());
        }
        if let Some(path) = non_blank(self.env.var(ENV_CREDENTIALS_FILE)) {
            return Some(PathBuf::from(path));
        }
        self.env
            .home_dir()
            .map(|home| home.join(PROFILE_DIR).join(PROFILE_FILE_NAME))
    }
}

impl ProvideCredential for ProfileProvider {
    fn name(&self) -> &'static str {
        NAME
    }

    fn provide_credential(&self) -> Result<Credential, CredentialError> {
        let path = self
            .resolve_path()
            .ok_or_else(|| CredentialError::NotConfigured {
                provider: NAME,
                reason: format!("{ENV_CREDENTIALS_FILE} is unset and no home directory is known"),
            })?;
        let text = match self.env.read_to_string(&path) {
            Ok(text) => text,
            // Asked for by name (the file, or a profile), its absence is a mistake to report,
            // not "nothing configured" (which would let a caller fall back to something else).
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                let reason = format!("no credentials file at {}", path.display());
                return Err(match self.asked_for() {
                    Some(by) => CredentialError::Invalid {
                        provider: NAME,
                        reason: format!("{reason}, which {by} asks for"),
                    },
                    None => CredentialError::NotConfigured {
                        provider: NAME,
                        reason,
                    },
                });
            }
            Err(source) => {
                return Err(CredentialError::Io {
                    provider: NAME,
                    path,
                    source,
                })
            }
        };
        let invalid = |rule: String| CredentialError::Invalid {
            provider: NAME,
            reason: format!("{}: {rule}", path.display()),
        };

        let profile = self.profile_name();
        let section = read_section(&text, &profile)
            .map_err(|e| invalid(format!("line {}: {}", e.line, e.rule)))?
            .ok_or_else(|| invalid(format!("no [{profile}] section")))?;
        let required = |key: &str| {
            non_blank(section.get(key).cloned())
                .ok_or_else(|| invalid(format!("section [{profile}] has no non-blank `{key}`")))
        };
        let credential = Credential::new(required(KEY_SECRET_ID)?, required(KEY_SECRET_KEY)?);
        Ok(match non_blank(section.get(KEY_TOKEN).cloned()) {
            Some(token) => credential.with_session_token(token),
            None => credential,
        })
    }
}

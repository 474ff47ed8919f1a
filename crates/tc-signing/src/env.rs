//! The injectable source of environment variables and files.
//!
//! Credential providers never call `std::env` or `std::fs` directly: they go through
//! an [`EnvSource`], so tests (and embedders with their own configuration system)
//! can supply a fixed environment with [`StaticEnv`].

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::redact::{is_sensitive_name, Redacted};

/// Where credential providers read environment variables and files from.
///
/// [`ProcessEnv`] is the real process environment; [`StaticEnv`] is a fixed, in-memory
/// one for tests.
pub trait EnvSource: Send + Sync + fmt::Debug {
    /// The value of an environment variable, or `None` when it is unset (or not
    /// valid Unicode).
    fn var(&self, name: &str) -> Option<String>;

    /// The user's home directory, used to locate `~/.tencentcloud/credentials`.
    fn home_dir(&self) -> Option<PathBuf>;

    /// Reads a whole file as UTF-8 text.
    ///
    /// # Errors
    ///
    /// Any I/O error; a missing file must be reported with
    /// [`io::ErrorKind::NotFound`], which providers treat as "not configured".
    fn read_to_string(&self, path: &Path) -> io::Result<String>;
}

/// The real process environment and file system.
///
/// The home directory is `$HOME`, or `%USERPROFILE%` when `HOME` is unset or blank
/// (Windows).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProcessEnv;

impl EnvSource for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn home_dir(&self) -> Option<PathBuf> {
        ["HOME", "USERPROFILE"]
            .into_iter()
            .filter_map(|name| self.var(name))
            .find(|value| !value.trim().is_empty())
            .map(PathBuf::from)
    }

    fn read_to_string(&self, path: &Path) -> io::Result<String> {
        std::fs::read_to_string(path)
    }
}

/// A fixed environment for tests: variables, a home directory and file contents, all
/// in memory.
///
/// Built in builder style. Note that the builder method [`StaticEnv::var`] shadows
/// [`EnvSource::var`] on a `StaticEnv` value; read through the trait
/// (`EnvSource::var(&env, "NAME")`) or through an `Arc<dyn EnvSource>`.
///
/// `Debug` prints variable values except for names containing `KEY`, `TOKEN` or
/// `SECRET` (any case), and prints file paths and sizes but never file contents.
///
/// ```
/// use std::sync::Arc;
/// use tc_signing::{EnvSource, StaticEnv};
///
/// let env: Arc<dyn EnvSource> = Arc::new(
///     StaticEnv::new()
///         .var("TENCENTCLOUD_SECRET_ID", "AKIDexample")
///         .home("/home/test")
///         .file("/home/test/.tencentcloud/credentials", "[default]\n"),
/// );
/// assert_eq!(env.var("TENCENTCLOUD_SECRET_ID").as_deref(), Some("AKIDexample"));
/// assert!(env.var("UNSET").is_none());
/// ```
#[derive(Clone, Default)]
pub struct StaticEnv {
    vars: BTreeMap<String, String>,
    home: Option<PathBuf>,
    files: BTreeMap<PathBuf, String>,
}

impl StaticEnv {
    /// An empty environment: no variables, no home directory, no files.
    ///
    /// Every provider reading it is "not configured", which is what a test of the
    /// no-credentials path needs.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use tc_signing::{CredentialChain, EnvSource, ProvideCredential, StaticEnv};
    ///
    /// let env = StaticEnv::new();
    /// assert_eq!(env.home_dir(), None);
    /// let chain = CredentialChain::default_chain(Arc::new(env));
    /// assert!(chain.provide_credential().is_err_and(|e| e.is_not_configured()));
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a variable (replacing an earlier value).
    ///
    /// ```
    /// use tc_signing::{EnvSource, StaticEnv};
    ///
    /// let env = StaticEnv::new()
    ///     .var("TENCENTCLOUD_PROFILE", "a")
    ///     .var("TENCENTCLOUD_PROFILE", "b");
    /// // The builder method shadows `EnvSource::var`: read through the trait.
    /// assert_eq!(EnvSource::var(&env, "TENCENTCLOUD_PROFILE").as_deref(), Some("b"));
    /// ```
    #[must_use]
    pub fn var(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.vars.insert(name.into(), value.into());
        self
    }

    /// Sets the home directory.
    ///
    /// The profile provider looks for `.tencentcloud/credentials` under it.
    ///
    /// ```
    /// use std::path::PathBuf;
    /// use std::sync::Arc;
    /// use tc_signing::{EnvSource, ProfileProvider, StaticEnv};
    ///
    /// let env = StaticEnv::new().home("/home/me");
    /// assert_eq!(env.home_dir(), Some(PathBuf::from("/home/me")));
    /// let expected = PathBuf::from("/home/me").join(".tencentcloud").join("credentials");
    /// assert_eq!(ProfileProvider::new(Arc::new(env)).resolve_path(), Some(expected));
    /// ```
    #[must_use]
    pub fn home(mut self, path: impl Into<PathBuf>) -> Self {
        self.home = Some(path.into());
        self
    }

    /// Adds a readable file (replacing earlier contents). Reading any other path
    /// fails with [`io::ErrorKind::NotFound`].
    ///
    /// ```
    /// use std::io;
    /// use std::path::Path;
    /// use tc_signing::{EnvSource, StaticEnv};
    ///
    /// let env = StaticEnv::new().file("/etc/app/credentials", "[default]\n");
    /// assert_eq!(env.read_to_string(Path::new("/etc/app/credentials"))?, "[default]\n");
    /// let missing = env.read_to_string(Path::new("/etc/other"));
    /// assert!(missing.is_err_and(|e| e.kind() == io::ErrorKind::NotFound));
    /// # Ok::<(), io::Error>(())
    /// ```
    #[must_use]
    pub fn file(mut self, path: impl Into<PathBuf>, contents: impl Into<String>) -> Self {
        self.files.insert(path.into(), contents.into());
        self
    }
}

impl EnvSource for StaticEnv {
    fn var(&self, name: &str) -> Option<String> {
        self.vars.get(name).cloned()
    }

    fn home_dir(&self) -> Option<PathBuf> {
        self.home.clone()
    }

    fn read_to_string(&self, path: &Path) -> io::Result<String> {
        self.files.get(path).cloned().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                format!("no such file in StaticEnv: {}", path.display()),
            )
        })
    }
}

impl fmt::Debug for StaticEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Vars<'a>(&'a BTreeMap<String, String>);
        impl fmt::Debug for Vars<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut map = f.debug_map();
                for (name, value) in self.0 {
                    if is_sensitive_name(name) {
                        map.entry(name, &Redacted);
                    } else {
                        map.entry(name, value);
                    }
                }
                map.finish()
            }
        }

        struct Files<'a>(&'a BTreeMap<PathBuf, String>);
        impl fmt::Debug for Files<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut map = f.debug_map();
                for (path, contents) in self.0 {
                    map.entry(path, &format_args!("<{} bytes>", contents.len()));
                }
                map.finish()
            }
        }

        f.debug_struct("StaticEnv")
            .field("vars", &Vars(&self.vars))
            .field("home", &self.home)
            .field("files", &Files(&self.files))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_env_reads_back_what_was_set() {
        let env = StaticEnv::new().var("A", "1").home("/h").file("/f", "text");
        assert_eq!(EnvSource::var(&env, "A").as_deref(), Some("1"));
        assert_eq!(EnvSource::var(&env, "B"), None);
        assert_eq!(env.home_dir(), Some(PathBuf::from("/h")));
        assert_eq!(
            env.read_to_string(Path::new("/f")).ok().as_deref(),
            Some("text")
        );
        let missing = env.read_to_string(Path::new("/nope"));
        assert_eq!(
            missing.map_err(|e| e.kind()).err(),
            Some(io::ErrorKind::NotFound)
        );
    }

    #[test]
    fn static_env_debug_hides_secret_values_and_file_contents() {
        let env = StaticEnv::new()
            .var("TENCENTCLOUD_SECRET_KEY", "hidden-value-1")
            .var("TENCENTCLOUD_SESSION_TOKEN", "hidden-value-2")
            .var("PLAIN", "shown-value")
            .file("/creds", "hidden-value-3");
        let shown = format!("{env:?}");
        assert!(shown.contains("shown-value"));
        assert!(shown.contains("/creds"));
        assert!(!shown.contains("hidden"));
    }
}

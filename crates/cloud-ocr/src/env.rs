//! [`Env`]: the environment variables and home directory that provider configuration reads,
//! as a small value that tests and embedders can build by hand.
//!
//! The process environment is read in one place only, [`Env::from_process`]; everything else
//! (credential look-ups, bucket and region defaults, the CLI's provider detection) goes through
//! an `Env`, so a test never has to mutate the real environment.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// Variable prefixes whose values `Debug` may show (unless the name looks secret); the values
/// of every other variable are hidden (fewer places for an unrelated secret to travel).
pub const KEPT_PREFIXES: [&str; 3] = ["TENCENTCLOUD_", "PICWISH_", "CLOUD_OCR_"];

/// A snapshot of the environment variables and home directory that configuration reads.
///
/// Values of variables whose name contains `KEY`, `SECRET` or `TOKEN` never appear in `Debug`.
///
/// ```
/// use cloud_ocr::Env;
///
/// let env = Env::new()
///     .with_var("PICWISH_API_KEY", "example-key")
///     .with_home("/home/example");
/// assert_eq!(env.var("PICWISH_API_KEY"), Some("example-key"));
/// assert_eq!(env.var("UNSET"), None);
/// assert!(!format!("{env:?}").contains("example-key"));
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Env {
    vars: BTreeMap<String, String>,
    home: Option<PathBuf>,
}

impl Env {
    /// An empty environment: no variables, no home directory (so no profile file either).
    ///
    /// What a test of the "no credentials" path starts from, whatever the machine has set.
    ///
    /// ```
    /// use cloud_ocr::config::detect_provider;
    /// use cloud_ocr::Env;
    ///
    /// let env = Env::new();
    /// assert_eq!((env.var("HOME"), env.home_dir()), (None, None));
    /// assert_eq!(detect_provider(&env), None);
    /// ```
    pub fn new() -> Self {
        Env::default()
    }

    /// The process environment: every variable (so a variable named in configuration, such as
    /// `credentials.api_key_env = "MY_PICWISH_KEY"`, is found whatever its name) and the home
    /// directory (`HOME`, else `USERPROFILE`). The only place this crate reads the process
    /// environment. `Debug` shows only the names of variables outside [`KEPT_PREFIXES`].
    ///
    /// ```
    /// let env = cloud_ocr::Env::from_process();
    /// # let _ = env;
    /// ```
    pub fn from_process() -> Self {
        let mut env = Env::new();
        for (name, value) in std::env::vars_os() {
            let (Some(name), Some(value)) = (name.to_str(), value.to_str()) else {
                continue;
            };
            env.vars.insert(name.to_owned(), value.to_owned());
        }
        env.home = ["HOME", "USERPROFILE"]
            .into_iter()
            .filter_map(|name| std::env::var(name).ok())
            .find(|v| !v.trim().is_empty())
            .map(PathBuf::from);
        env
    }

    /// Sets a variable (replacing an earlier value).
    ///
    /// ```
    /// let env = cloud_ocr::Env::new()
    ///     .with_var("CLOUD_OCR_COS_REGION", "ap-beijing")
    ///     .with_var("CLOUD_OCR_COS_REGION", "ap-guangzhou");
    /// assert_eq!(env.var("CLOUD_OCR_COS_REGION"), Some("ap-guangzhou"));
    /// ```
    #[must_use]
    pub fn with_var(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.vars.insert(name.into(), value.into());
        self
    }

    /// Sets the home directory, where the Tencent profile file
    /// (`~/.tencentcloud/credentials`) is looked for.
    ///
    /// ```
    /// # #[cfg(feature = "tc-ocr")]
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use cloud_ocr::config::detect_provider;
    /// use cloud_ocr::{Env, ProviderKind};
    ///
    /// let home = tempfile::tempdir()?;
    /// std::fs::create_dir(home.path().join(".tencentcloud"))?;
    /// std::fs::write(
    ///     home.path().join(".tencentcloud").join("credentials"),
    ///     "[default]\nsecret_id = AKIDexample\nsecret_key = example-key\n",
    /// )?;
    /// let env = Env::new().with_home(home.path());
    /// assert_eq!(detect_provider(&env), Some(ProviderKind::TcOcr));
    /// # Ok(()) }
    /// # #[cfg(not(feature = "tc-ocr"))]
    /// # fn main() {}
    /// ```
    #[must_use]
    pub fn with_home(mut self, home: impl Into<PathBuf>) -> Self {
        self.home = Some(home.into());
        self
    }

    /// The value of a variable, if it is set and not blank (a blank value counts as unset, as
    /// the providers' own variables do).
    ///
    /// ```
    /// let env = cloud_ocr::Env::new()
    ///     .with_var("PICWISH_API_KEY", "example-key")
    ///     .with_var("TENCENTCLOUD_SECRET_ID", "  ");
    /// assert_eq!(env.var("PICWISH_API_KEY"), Some("example-key"));
    /// assert_eq!(env.var("TENCENTCLOUD_SECRET_ID"), None);
    /// ```
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    }

    /// The home directory, if known.
    ///
    /// ```
    /// use std::path::Path;
    /// use cloud_ocr::Env;
    ///
    /// assert_eq!(Env::new().home_dir(), None);
    /// let env = Env::new().with_home("/home/example");
    /// assert_eq!(env.home_dir(), Some(Path::new("/home/example")));
    /// ```
    pub fn home_dir(&self) -> Option<&Path> {
        self.home.as_deref()
    }
}

/// Whether a variable's value must not be shown.
fn is_sensitive(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    ["KEY", "SECRET", "TOKEN"].iter().any(|w| upper.contains(w))
}

impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Vars<'a>(&'a BTreeMap<String, String>);
        impl fmt::Debug for Vars<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut map = f.debug_map();
                for (name, value) in self.0 {
                    let kept = KEPT_PREFIXES.iter().any(|p| name.starts_with(p));
                    if is_sensitive(name) || !kept {
                        map.entry(name, &format_args!("<redacted>"));
                    } else {
                        map.entry(name, value);
                    }
                }
                map.finish()
            }
        }
        f.debug_struct("Env")
            .field("vars", &Vars(&self.vars))
            .field("home", &self.home)
            .finish()
    }
}

/// Tencent credential providers read through an `Env`: variables from the snapshot, the
/// profile file from disk under its home directory.
#[cfg(any(feature = "tc-ocr", feature = "lkeap", feature = "cos-ci"))]
impl tc_signing::EnvSource for Env {
    fn var(&self, name: &str) -> Option<String> {
        Env::var(self, name).map(str::to_owned)
    }

    fn home_dir(&self) -> Option<PathBuf> {
        self.home.clone()
    }

    fn read_to_string(&self, path: &Path) -> std::io::Result<String> {
        std::fs::read_to_string(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_values_count_as_unset() {
        let env = Env::new().with_var("A", "  ").with_var("B", "x");
        assert_eq!(env.var("A"), None);
        assert_eq!(env.var("B"), Some("x"));
    }

    #[test]
    fn debug_hides_secret_values_but_shows_names() {
        let env = Env::new()
            .with_var("TENCENTCLOUD_SECRET_KEY", "very-secret-value")
            .with_var("PICWISH_API_KEY", "api-key-value")
            .with_var("TENCENTCLOUD_SESSION_TOKEN", "token-value")
            .with_var("CLOUD_OCR_COS_REGION", "ap-beijing");
        let debug = format!("{env:?}");
        for secret in ["very-secret-value", "api-key-value", "token-value"] {
            assert!(!debug.contains(secret), "{debug}");
        }
        assert!(debug.contains("TENCENTCLOUD_SECRET_KEY"));
        assert!(debug.contains("ap-beijing"));
        let other = Env::new().with_var("DATABASE_URL", "postgres://u:pw@h/db");
        assert!(!format!("{other:?}").contains("pw@h"));
    }
}

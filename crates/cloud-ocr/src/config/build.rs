//! [`build_provider`]: a [`ProviderConfig`] and an [`Env`] in, an `Arc<dyn OcrProvider>` out.

// With some provider features off, helpers of the others are unused; the default build (all
// features) keeps every lint.
#![cfg_attr(
    not(all(
        feature = "tc-ocr",
        feature = "lkeap",
        feature = "cos-ci",
        feature = "picwish"
    )),
    allow(dead_code, unused_variables, unused_imports)
)]

use std::sync::Arc;
use std::time::Duration;

use ocr_core::{
    ClientOptions, ConfigureClient, Error, OcrProvider, PollPolicy, Result, RetryPolicy,
};
#[cfg(any(feature = "tc-ocr", feature = "lkeap", feature = "cos-ci"))]
use tc_signing::ConfigureCredentials;
use url::Url;

use super::vars;
use super::{ProviderConfig, ProviderKind};
use crate::env::Env;

/// Builds the provider `config` describes, reading whatever it leaves unset (credentials, the
/// `cos-ci` bucket and region) from `env`. Nothing is sent: the result is ready for
/// [`OcrProvider::submit`] / [`recognize`](OcrProvider::recognize).
///
/// # Errors
///
/// [`ErrorKind::Config`](ocr_core::ErrorKind::Config), tagged with the provider id:
/// - missing credentials (or bucket / region), naming the exact variables to set, e.g.
///   `tc-ocr: no credentials: set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY (or write
///   them to ~/.tencentcloud/credentials)`;
/// - a setting that does not apply to the provider, a malformed endpoint URL, a non-positive
///   timeout, rate or poll interval, an unknown operation name in `rate_limits`;
/// - whatever the provider's own builder refuses (a malformed bucket name …).
///
/// ```
/// # #[cfg(feature = "picwish")]
/// # fn main() -> Result<(), ocr_core::Error> {
/// use cloud_ocr::{build_provider, Env, ProviderConfig, ProviderKind};
///
/// // Applications switch provider by configuration: the kind is data.
/// let kind: ProviderKind = "picwish".parse()?;
/// let env = Env::new().with_var("PICWISH_API_KEY", "example-key");
/// let provider = build_provider(&ProviderConfig::new(kind), &env)?;
/// assert_eq!(provider.id(), "picwish");
///
/// // Without credentials: an error that says what to set.
/// let err = build_provider(&ProviderConfig::new(kind), &Env::new()).unwrap_err();
/// assert_eq!(err.kind(), ocr_core::ErrorKind::Config);
/// assert!(err.to_string().contains("PICWISH_API_KEY"));
/// # Ok(()) }
/// # #[cfg(not(feature = "picwish"))]
/// # fn main() {}
/// ```
pub fn build_provider(config: &ProviderConfig, env: &Env) -> Result<Arc<dyn OcrProvider>> {
    let kind = config.provider;
    let tag = |e: Error| e.with_provider(kind.as_str());
    check_applicable(config).map_err(tag)?;
    check_region(config, env).map_err(tag)?;
    let options = config.client_options().map_err(tag)?;
    match kind {
        #[cfg(feature = "tc-ocr")]
        ProviderKind::TcOcr => tencent_ocr(config, env, options).map_err(tag),
        #[cfg(feature = "lkeap")]
        ProviderKind::Lkeap => lkeap(config, env, options).map_err(tag),
        #[cfg(feature = "cos-ci")]
        ProviderKind::CosCi => cos_ci(config, env, options).map_err(tag),
        #[cfg(feature = "picwish")]
        ProviderKind::PicWish => picwish(config, env, options).map_err(tag),
    }
}

/// Checks every setting of `config` on its own, without credentials or the environment: the
/// settings apply to its provider and their values are valid (site, endpoints, page
/// concurrency, polling, timeouts, rate limits). [`build_provider`] makes the same checks; this
/// lets a program judge a configuration it will not build now (one member of a list, a file
/// read while the emulator runs).
///
/// ```
/// use cloud_ocr::config::check_settings;
/// use cloud_ocr::{ProviderConfig, ProviderKind};
///
/// let mut config = ProviderConfig::new(ProviderKind::ALL[0]);
/// assert!(check_settings(&config).is_ok());
/// config.page_concurrency = Some(0);
/// assert!(check_settings(&config).unwrap_err().to_string().contains("page_concurrency"));
/// ```
pub fn check_settings(config: &ProviderConfig) -> Result<()> {
    let kind = config.provider;
    let tag = |e: Error| e.with_provider(kind.as_str());
    check_applicable(config).map_err(tag)?;
    #[cfg(any(feature = "tc-ocr", feature = "lkeap"))]
    site(config).map_err(tag)?;
    page_concurrency(config).map_err(tag)?;
    poll_policy(config, (1.0, 120.0)).map_err(tag)?;
    config.client_options().map_err(tag)?;
    let endpoints = [
        ("endpoint", &config.endpoint),
        ("cos_endpoint", &config.cos_endpoint),
        ("ci_endpoint", &config.ci_endpoint),
    ];
    for (field, text) in endpoints {
        if let Some(text) = text {
            base_url(field, text).map_err(tag)?;
        }
    }
    Ok(())
}

/// Whether `config` has everything it needs from itself and `env` (credentials, and for
/// `cos-ci` the bucket and region), without building anything. The error is the one
/// [`build_provider`] would return for the missing pieces.
///
/// ```
/// # #[cfg(feature = "picwish")]
/// # fn main() -> Result<(), ocr_core::Error> {
/// use cloud_ocr::config::check_ready;
/// use cloud_ocr::{Env, ProviderConfig, ProviderKind};
///
/// let config = ProviderConfig::new(ProviderKind::PicWish);
/// assert!(check_ready(&config, &Env::new()).is_err());
/// assert!(check_ready(&config, &Env::new().with_var("PICWISH_API_KEY", "k")).is_ok());
/// # Ok(()) }
/// # #[cfg(not(feature = "picwish"))]
/// # fn main() {}
/// ```
pub fn check_ready(config: &ProviderConfig, env: &Env) -> Result<()> {
    let kind = config.provider;
    let tag = |e: Error| e.with_provider(kind.as_str());
    check_applicable(config).map_err(tag)?;
    match kind {
        #[cfg(feature = "tc-ocr")]
        ProviderKind::TcOcr => tencent_credentials_or_error(config, env)
            .map(drop)
            .map_err(tag),
        #[cfg(feature = "lkeap")]
        ProviderKind::Lkeap => tencent_credentials_or_error(config, env)
            .map(drop)
            .map_err(tag),
        #[cfg(feature = "cos-ci")]
        ProviderKind::CosCi => cos_settings(config, env).map(drop).map_err(tag),
        #[cfg(feature = "picwish")]
        ProviderKind::PicWish => picwish_key(config, env).map(drop).map_err(tag),
    }
}

/// Whether `config` is usable with `env`, telling "nothing configured" apart from "configured
/// but unusable": `Ok(true)` when everything it needs is found, `Ok(false)` when nothing of it
/// is configured at all (no credentials anywhere, no named variable, no setting that needs
/// them), and an error when something is configured but wrong or incomplete: a malformed
/// profile file, a named variable that is unset, one of a pair, a bad region, a setting that
/// does not apply. A caller choosing a provider must stop on the error, never fall back.
///
/// ```
/// # #[cfg(feature = "picwish")]
/// # fn main() -> Result<(), ocr_core::Error> {
/// use cloud_ocr::config::{readiness, CredentialsConfig};
/// use cloud_ocr::{Env, ProviderConfig, ProviderKind};
///
/// let plain = ProviderConfig::new(ProviderKind::PicWish);
/// assert_eq!(readiness(&plain, &Env::new())?, false);
/// assert_eq!(readiness(&plain, &Env::new().with_var("PICWISH_API_KEY", "k"))?, true);
/// let named = plain.with_credentials(CredentialsConfig {
///     api_key_env: Some("MY_PICWISH_KEY".into()),
///     ..CredentialsConfig::default()
/// });
/// assert!(readiness(&named, &Env::new()).unwrap_err().to_string().contains("MY_PICWISH_KEY"));
/// # Ok(()) }
/// # #[cfg(not(feature = "picwish"))]
/// # fn main() {}
/// ```
pub fn readiness(config: &ProviderConfig, env: &Env) -> Result<bool> {
    let kind = config.provider;
    let tag = |e: Error| e.with_provider(kind.as_str());
    check_applicable(config).map_err(tag)?;
    let named = !config.credentials.is_empty();
    let answer = match kind {
        #[cfg(any(feature = "tc-ocr", feature = "lkeap"))]
        ProviderKind::TcOcr | ProviderKind::Lkeap => {
            check_region(config, env)?;
            match tencent_credentials(config, env)? {
                Ok(_) => Ok(true),
                Err(missing) if named => Err(missing.into_error()),
                Err(_) => Ok(false),
            }
        }
        #[cfg(feature = "cos-ci")]
        ProviderKind::CosCi => {
            check_region(config, env)?;
            let cos_named = config.bucket.is_some()
                || config.region.is_some()
                || env.var(vars::COS_BUCKET).is_some()
                || env.var(vars::COS_REGION).is_some();
            match tencent_credentials(config, env)? {
                Err(missing) if named => Err(missing.into_error()),
                Err(_) if !cos_named => Ok(false),
                Ok(_) if !cos_named => Ok(false),
                _ => cos_settings(config, env).map(|_| true),
            }
        }
        #[cfg(feature = "picwish")]
        ProviderKind::PicWish => match picwish_key(config, env) {
            Ok(_) => Ok(true),
            Err(e) if named => Err(e),
            Err(_) => Ok(false),
        },
        #[allow(unreachable_patterns)]
        _ => check_ready(config, env).map(|()| true),
    };
    answer.map_err(tag)
}

/// A region, from the configuration or (for cos-ci) `CLOUD_OCR_COS_REGION`: lower-case
/// letters, digits and `-` only, so it can travel in a header and a host name.
fn check_region(config: &ProviderConfig, env: &Env) -> Result<()> {
    let from_env = config.provider.as_str() == "cos-ci" && config.region.is_none();
    let (value, name) = match (&config.region, from_env) {
        (Some(region), _) => (Some(region.as_str()), "`region`".to_owned()),
        (None, true) => (env.var(vars::COS_REGION), vars::COS_REGION.to_owned()),
        (None, false) => (None, String::new()),
    };
    let Some(region) = value else {
        return Ok(());
    };
    let ok = !region.is_empty()
        && region.len() <= 64
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        return Ok(());
    }
    Err(Error::config(format!(
        "{name} must be a region name such as ap-beijing (lower-case letters, digits and `-`)"
    ))
    .with_field("region"))
}

/// A session token must fit in a header: no control characters.
fn check_token(token: &str, source: &str) -> Result<()> {
    if token.chars().any(char::is_control) {
        return Err(Error::config(format!(
            "{source} holds a control character (a line break?); a session token is one line"
        ))
        .with_field("credentials.session_token"));
    }
    Ok(())
}

/// The first provider of this build (in [`ProviderKind::ALL`] order) whose credentials are
/// found in `env` (variables, or the Tencent profile file under its home directory) with no
/// further configuration; `None` when there are none at all.
///
/// ```
/// # #[cfg(feature = "picwish")]
/// # fn main() -> Result<(), ocr_core::Error> {
/// use cloud_ocr::config::detect_provider;
/// use cloud_ocr::Env;
///
/// assert_eq!(detect_provider(&Env::new()), None);
/// let env = Env::new().with_var("PICWISH_API_KEY", "example-key");
/// assert_eq!(detect_provider(&env).map(|k| k.as_str()), Some("picwish"));
/// # Ok(()) }
/// # #[cfg(not(feature = "picwish"))]
/// # fn main() {}
/// ```
pub fn detect_provider(env: &Env) -> Option<ProviderKind> {
    ProviderKind::ALL
        .iter()
        .copied()
        .find(|kind| check_ready(&ProviderConfig::new(*kind), env).is_ok())
}

/// "set A and B" / "set A, B and C".
fn and_list(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The error for missing settings: names every variable to set.
fn missing(names: &[String], hint: &str) -> Error {
    Error::config(format!("no credentials: set {}{hint}", and_list(names)))
}

/// Refuses settings the provider does not use.
fn check_applicable(config: &ProviderConfig) -> Result<()> {
    let kind = config.provider;
    let tencent = kind.uses_tencent_credentials();
    let is_cos = kind.as_str() == "cos-ci";
    let is_lkeap = kind.as_str() == "lkeap";
    let is_tc_ocr = kind.as_str() == "tc-ocr";
    let c = &config.credentials;
    let checks: [(&str, bool, bool); 17] = [
        ("cos_endpoint", config.cos_endpoint.is_some(), is_cos),
        ("ci_endpoint", config.ci_endpoint.is_some(), is_cos),
        ("bucket", config.bucket.is_some(), is_cos),
        ("key_prefix", config.key_prefix.is_some(), is_cos),
        ("keep_uploads", config.keep_uploads.is_some(), is_cos),
        ("site", config.site.is_some(), is_lkeap || is_tc_ocr),
        (
            "page_concurrency",
            config.page_concurrency.is_some(),
            is_tc_ocr || is_cos,
        ),
        ("region", config.region.is_some(), tencent),
        ("rate_limits", !config.rate_limits.is_empty(), tencent),
        ("credentials.secret_id", c.secret_id.is_some(), tencent),
        ("credentials.secret_key", c.secret_key.is_some(), tencent),
        (
            "credentials.session_token",
            c.session_token.is_some(),
            tencent,
        ),
        (
            "credentials.secret_id_env",
            c.secret_id_env.is_some(),
            tencent,
        ),
        (
            "credentials.secret_key_env",
            c.secret_key_env.is_some(),
            tencent,
        ),
        (
            "credentials.session_token_env",
            c.session_token_env.is_some(),
            tencent,
        ),
        ("credentials.profile", c.profile.is_some(), tencent),
        (
            "credentials.api_key",
            c.api_key.is_some() || c.api_key_env.is_some(),
            !tencent,
        ),
    ];
    if let Some((name, _, _)) = checks.iter().find(|(_, set, applies)| *set && !applies) {
        return Err(
            Error::config(format!("the setting `{name}` does not apply to {kind}"))
                .with_field(*name),
        );
    }
    // tc-ocr's site chooses its host only (LKEAP's also chooses its rules): with an endpoint
    // it would have no effect.
    if is_tc_ocr && config.site.is_some() && config.endpoint.is_some() {
        return Err(Error::config(
            "the settings `site` and `endpoint` of tc-ocr both choose where requests go, and \
             `endpoint` wins: keep one",
        )
        .with_field("site"));
    }
    Ok(())
}

/// A positive, finite number of seconds as a duration.
fn seconds(field: &str, value: f64) -> Result<Duration> {
    if !(value.is_finite() && value > 0.0) {
        return Err(Error::config(format!(
            "`{field}` must be a positive number of seconds, not {value}"
        ))
        .with_field(field));
    }
    Duration::try_from_secs_f64(value)
        .map_err(|e| Error::config(format!("`{field}` is out of range: {e}")).with_field(field))
}

/// A positive, finite rate.
fn rate(field: &str, value: f64) -> Result<f64> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(Error::config(format!(
            "`{field}` must be a positive number of requests per second, not {value}"
        ))
        .with_field(field))
    }
}

impl ProviderConfig {
    /// The settings every provider builder shares, as [`ClientOptions`]: `timeouts` →
    /// [`timeouts`](ConfigureClient::timeouts), `max_attempts` →
    /// [`retry`](ConfigureClient::retry), `http_client` →
    /// [`http_client`](ConfigureClient::http_client), `rate_limit` →
    /// [`rate_limit_all`](ConfigureClient::rate_limit_all), `rate_limits` →
    /// [`rate_limit`](ConfigureClient::rate_limit) per action. Action names are checked by the
    /// provider's builder.
    ///
    /// ```
    /// use cloud_ocr::{ProviderConfig, ProviderKind};
    /// let mut config = ProviderConfig::new(ProviderKind::TcOcr).with_rate_limit(3.0);
    /// config.rate_limits.insert("ExtractDocMulti".into(), 1.0);
    /// let options = config.client_options()?;
    /// assert_eq!(options.rate_limits.for_action("ExtractDocMulti", Some(5.0)), Some(1.0));
    /// assert_eq!(options.rate_limits.for_action("GeneralBasicOCR", Some(20.0)), Some(3.0));
    /// # Ok::<(), ocr_core::Error>(())
    /// ```
    pub fn client_options(&self) -> Result<ClientOptions> {
        let mut options = ClientOptions::default();
        let t = &self.timeouts;
        if let Some(v) = t.connect_secs {
            options = options.connect_timeout(seconds("timeouts.connect_secs", v)?);
        }
        if let Some(v) = t.attempt_secs {
            options = options.attempt_timeout(seconds("timeouts.attempt_secs", v)?);
        }
        if let Some(v) = t.total_secs {
            options = options.total_timeout(seconds("timeouts.total_secs", v)?);
        }
        if let Some(n) = self.max_attempts {
            if n == 0 {
                return Err(
                    Error::config("`max_attempts` must be at least 1").with_field("max_attempts")
                );
            }
            options = options.retry(RetryPolicy::default().with_max_attempts(n));
        }
        if let Some(client) = &self.http_client {
            options = options.http_client(client.0.clone());
        }
        if let Some(backend) = &self.rate_limit_backend {
            options = options.rate_limit_backend(backend.0.clone());
        }
        if let Some(r) = self.rate_limit {
            options = options.rate_limit_all(rate("rate_limit", r)?);
        }
        for (name, r) in &self.rate_limits {
            options = options.rate_limit(name, rate("rate_limits", *r)?);
        }
        Ok(options)
    }
}

/// The poll policy, if any poll setting is given; unset parts take `defaults`.
fn poll_policy(config: &ProviderConfig, defaults: (f64, f64)) -> Result<Option<PollPolicy>> {
    if config.poll_interval_secs.is_none() && config.poll_deadline_secs.is_none() {
        return Ok(None);
    }
    let interval = seconds(
        "poll_interval_secs",
        config.poll_interval_secs.unwrap_or(defaults.0),
    )?;
    let deadline = seconds(
        "poll_deadline_secs",
        config.poll_deadline_secs.unwrap_or(defaults.1),
    )?;
    Ok(Some(PollPolicy::fixed(interval, deadline)))
}

/// The Tencent Cloud site of `tc-ocr` and `lkeap`, if set.
#[cfg(any(feature = "tc-ocr", feature = "lkeap"))]
fn site(config: &ProviderConfig) -> Result<Option<tc_api::Site>> {
    config.site.as_deref().map(str::parse).transpose()
}

/// Pages recognised at once, if set: at least 1.
fn page_concurrency(config: &ProviderConfig) -> Result<Option<usize>> {
    match config.page_concurrency {
        Some(0) => {
            Err(Error::config("`page_concurrency` must be at least 1")
                .with_field("page_concurrency"))
        }
        other => Ok(other),
    }
}

/// An http(s) base URL.
fn base_url(field: &str, text: &str) -> Result<Url> {
    let url = Url::parse(text.trim())
        .map_err(|e| Error::config(format!("`{field}` is not a URL ({e})")).with_field(field))?;
    if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
        return Err(
            Error::config(format!("`{field}` must be an http or https URL")).with_field(field),
        );
    }
    Ok(url)
}

/// Settings that were looked for and not found: the variables to set.
struct Missing {
    names: Vec<String>,
    hint: &'static str,
}

impl Missing {
    fn into_error(self) -> Error {
        missing(&self.names, self.hint)
    }
}

/// What a look-up found: `Err` for an unusable configuration, `Ok(Err(_))` for nothing
/// configured.
type Lookup<T> = Result<std::result::Result<T, Missing>>;

const PROFILE_HINT: &str = " (or write them to ~/.tencentcloud/credentials)";

/// The Tencent credentials of `config`: by value, from named variables, from a named profile
/// of the profile file, or the default chain (environment, then profile file) over `env`.
#[cfg(any(feature = "tc-ocr", feature = "lkeap", feature = "cos-ci"))]
fn tencent_credentials(
    config: &ProviderConfig,
    env: &Env,
) -> Lookup<Arc<dyn tc_signing::ProvideCredential>> {
    use tc_signing::{
        Credential, CredentialChain, EnvSource, ProfileProvider, ProvideCredential, StaticProvider,
    };

    let c = &config.credentials;
    let explicit = |cred: Credential| -> Lookup<Arc<dyn ProvideCredential>> {
        let token = match (&c.session_token, &c.session_token_env) {
            (Some(token), _) => {
                check_token(token.expose(), "credentials.session_token")?;
                Some(token.expose().to_owned())
            }
            (None, Some(name)) => match env.var(name) {
                Some(token) => {
                    check_token(token, &format!("the variable {name}"))?;
                    Some(token.to_owned())
                }
                None => {
                    return Ok(Err(Missing {
                        names: vec![name.clone()],
                        hint: "",
                    }))
                }
            },
            (None, None) => None,
        };
        let cred = match token {
            Some(token) => cred.with_session_token(token),
            None => cred,
        };
        Ok(Ok(Arc::new(StaticProvider::new(cred))))
    };
    let given_elsewhere = [
        c.secret_id.is_some() || c.secret_key.is_some(),
        c.secret_id_env.is_some() || c.secret_key_env.is_some(),
    ];
    if c.profile.is_some() && given_elsewhere.contains(&true) {
        return Err(Error::config(
            "credentials.profile (or --profile) and credentials.secret_id / secret_key \
             (or secret_id_env / secret_key_env) are two sources of the keys: give one",
        )
        .with_field("credentials.profile"));
    }
    if c.secret_id.is_some() || c.secret_key.is_some() {
        let (Some(id), Some(key)) = (&c.secret_id, &c.secret_key) else {
            return Err(Error::config(
                "credentials.secret_id and credentials.secret_key must be given together",
            )
            .with_field("credentials"));
        };
        return explicit(Credential::new(id.clone(), key.expose().to_owned()));
    }
    if c.secret_id_env.is_some() || c.secret_key_env.is_some() {
        let id_var = c
            .secret_id_env
            .as_deref()
            .unwrap_or(vars::TENCENT_SECRET_ID);
        let key_var = c
            .secret_key_env
            .as_deref()
            .unwrap_or(vars::TENCENT_SECRET_KEY);
        let (Some(id), Some(key)) = (env.var(id_var), env.var(key_var)) else {
            let names = [id_var, key_var]
                .into_iter()
                .filter(|v| env.var(v).is_none())
                .map(str::to_owned)
                .collect();
            return Ok(Err(Missing { names, hint: "" }));
        };
        return explicit(Credential::new(id, key));
    }
    if c.session_token.is_some() || c.session_token_env.is_some() {
        return Err(Error::config(
            "a session token needs its secret id and key configured the same way \
             (credentials.secret_id / secret_key or secret_id_env / secret_key_env)",
        )
        .with_field("credentials"));
    }
    let source: Arc<dyn EnvSource> = Arc::new(env.clone());
    // A profile named explicitly is what the user asked for: the environment's keys (which
    // the default chain reads first) never stand in for it.
    let chain = match &c.profile {
        Some(profile) => CredentialChain::new(vec![Arc::new(
            ProfileProvider::new(source).with_profile_name(profile.clone()),
        )]),
        None => CredentialChain::default_chain(source),
    };
    match chain.provide_credential() {
        Ok(cred) => {
            if let Some(token) = cred.session_token() {
                check_token(
                    token,
                    &format!(
                        "{} (or the profile file's token)",
                        vars::TENCENT_SESSION_TOKEN
                    ),
                )?;
            }
            if cred.secret_id().chars().any(char::is_control) {
                return Err(Error::config(format!(
                    "{} (or the profile file's secret id) holds a control character",
                    vars::TENCENT_SECRET_ID
                ))
                .with_field("credentials.secret_id"));
            }
            Ok(Ok(Arc::new(chain)))
        }
        Err(e) if e.is_not_configured() => Ok(Err(Missing {
            names: vec![
                vars::TENCENT_SECRET_ID.to_owned(),
                vars::TENCENT_SECRET_KEY.to_owned(),
            ],
            hint: PROFILE_HINT,
        })),
        Err(e) => {
            Err(Error::config(format!("cannot load Tencent Cloud credentials: {e}")).with_source(e))
        }
    }
}

/// The Tencent credentials, or the error naming what to set.
#[cfg(any(feature = "tc-ocr", feature = "lkeap"))]
fn tencent_credentials_or_error(
    config: &ProviderConfig,
    env: &Env,
) -> Result<Arc<dyn tc_signing::ProvideCredential>> {
    tencent_credentials(config, env)?.map_err(Missing::into_error)
}

#[cfg(feature = "tc-ocr")]
fn tencent_ocr(
    config: &ProviderConfig,
    env: &Env,
    options: ClientOptions,
) -> Result<Arc<dyn OcrProvider>> {
    let credentials = tencent_credentials_or_error(config, env)?;
    let mut b = tc_ocr::TencentOcr::builder()
        .credentials(credentials)
        .client_options(options);
    if let Some(text) = &config.endpoint {
        b = b.endpoint(tc_ocr::Endpoint::Custom(base_url("endpoint", text)?));
    }
    if let Some(region) = &config.region {
        b = b.region(region.clone());
    }
    if let Some(site) = site(config)? {
        b = b.site(site);
    }
    if let Some(n) = page_concurrency(config)? {
        b = b.page_concurrency(n);
    }
    if let Some(policy) = poll_policy(config, (1.0, 120.0))? {
        b = b.poll_policy(policy);
    }
    Ok(Arc::new(b.build()?))
}

#[cfg(feature = "lkeap")]
fn lkeap(
    config: &ProviderConfig,
    env: &Env,
    options: ClientOptions,
) -> Result<Arc<dyn OcrProvider>> {
    let credentials = tencent_credentials_or_error(config, env)?;
    let mut b = lkeap::Lkeap::builder()
        .credentials(credentials)
        .client_options(options);
    if let Some(site) = site(config)? {
        b = b.site(site);
    }
    if let Some(region) = &config.region {
        b = b.region(region.clone());
    }
    if let Some(text) = &config.endpoint {
        b = b.endpoint(tc_api::Endpoint::Custom(base_url("endpoint", text)?));
    }
    if let Some(policy) = poll_policy(config, (2.0, 600.0))? {
        b = b.poll_policy(policy);
    }
    Ok(Arc::new(b.build()?))
}

/// The bucket and region of `cos-ci` (configuration, else environment) and its credentials.
#[cfg(feature = "cos-ci")]
fn cos_settings(
    config: &ProviderConfig,
    env: &Env,
) -> Result<(String, String, Arc<dyn tc_signing::ProvideCredential>)> {
    let bucket = config
        .bucket
        .clone()
        .or_else(|| env.var(vars::COS_BUCKET).map(str::to_owned));
    let region = config
        .region
        .clone()
        .or_else(|| env.var(vars::COS_REGION).map(str::to_owned));
    let credentials = tencent_credentials(config, env)?;
    let mut absent: Vec<String> = Vec::new();
    if let Err(m) = &credentials {
        absent.push(format!("{}{}", and_list(&m.names), m.hint));
    }
    if bucket.is_none() {
        absent.push(format!(
            "{} (the bucket, <name>-<appid>, e.g. examplebucket-1250000000)",
            vars::COS_BUCKET
        ));
    }
    if region.is_none() {
        absent.push(format!("{} (e.g. ap-beijing)", vars::COS_REGION));
    }
    match (bucket, region, credentials) {
        (Some(bucket), Some(region), Ok(credentials)) => Ok((bucket, region, credentials)),
        _ => Err(Error::config(format!(
            "missing settings: set {}; `bucket` and `region` may also be set in the configuration",
            absent.join("; ")
        ))),
    }
}

#[cfg(feature = "cos-ci")]
fn cos_ci(
    config: &ProviderConfig,
    env: &Env,
    options: ClientOptions,
) -> Result<Arc<dyn OcrProvider>> {
    let (bucket, region, credentials) = cos_settings(config, env)?;
    let mut b = cos_ci::CosCi::builder()
        .bucket(bucket.clone())
        .region(region)
        .credentials(credentials)
        .client_options(options);
    if let Some(text) = &config.endpoint {
        let mut root = base_url("endpoint", text)?;
        if !root.path().ends_with('/') {
            let path = format!("{}/", root.path());
            root.set_path(&path);
        }
        let join = |service: &str| {
            root.join(&format!("{service}/{bucket}/")).map_err(|e| {
                Error::config(format!("`endpoint` cannot carry a bucket path ({e})"))
                    .with_field("endpoint")
            })
        };
        b = b
            .cos_base_url(join("cos")?.as_str())
            .ci_base_url(join("ci")?.as_str());
    }
    if let Some(text) = &config.cos_endpoint {
        b = b.cos_base_url(base_url("cos_endpoint", text)?.as_str());
    }
    if let Some(text) = &config.ci_endpoint {
        b = b.ci_base_url(base_url("ci_endpoint", text)?.as_str());
    }
    if let Some(prefix) = &config.key_prefix {
        b = b.key_prefix(prefix.clone());
    }
    if let Some(keep) = config.keep_uploads {
        b = b.keep_uploads(keep);
    }
    if let Some(n) = page_concurrency(config)? {
        b = b.page_concurrency(n);
    }
    if let Some(policy) = poll_policy(config, (1.0, 120.0))? {
        b = b.poll_policy(policy);
    }
    let from_config = config.bucket.is_some();
    b.build()
        .map(|c| Arc::new(c) as Arc<dyn OcrProvider>)
        .map_err(|e| {
            // The client names its wire field; the user set a configuration key or a variable.
            if e.field() == Some("Bucket") {
                let source = if from_config {
                    "`bucket`"
                } else {
                    vars::COS_BUCKET
                };
                return Error::config(format!("{source}: {}", e.message())).with_field("bucket");
            }
            e
        })
}

/// The PicWish API key: by value, else from the named variable, else `PICWISH_API_KEY`.
#[cfg(feature = "picwish")]
fn picwish_key(config: &ProviderConfig, env: &Env) -> Result<String> {
    let c = &config.credentials;
    if let Some(key) = &c.api_key {
        return Ok(key.expose().to_owned());
    }
    let var = c.api_key_env.as_deref().unwrap_or(vars::PICWISH_API_KEY);
    env.var(var)
        .map(str::to_owned)
        .ok_or_else(|| missing(&[var.to_owned()], " (your PicWish API key)"))
}

#[cfg(feature = "picwish")]
fn picwish(
    config: &ProviderConfig,
    env: &Env,
    options: ClientOptions,
) -> Result<Arc<dyn OcrProvider>> {
    let key = picwish_key(config, env)?;
    let mut b = picwish::PicWish::builder()
        .api_key(key)
        .client_options(options);
    if let Some(text) = &config.endpoint {
        b = b.base_url(base_url("endpoint", text)?.as_str());
    }
    if let Some(interval) = config.poll_interval_secs {
        b = b.poll_interval(seconds("poll_interval_secs", interval)?);
    }
    if let Some(deadline) = config.poll_deadline_secs {
        b = b.wait_deadline(seconds("poll_deadline_secs", deadline)?);
    }
    Ok(Arc::new(b.build()?))
}

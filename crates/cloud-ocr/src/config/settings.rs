//! [`ProviderConfig`]: everything needed to build one provider, as plain serde data.

use std::collections::BTreeMap;
use std::fmt;

use ocr_core::Options;
use serde::{Deserialize, Serialize};

use super::kind::ProviderKind;

/// A secret configured by value (a key, a token). `Debug` never shows it; serde reads and
/// writes it as a plain string.
///
/// ```
/// use cloud_ocr::config::Secret;
/// let key = Secret::new("example-key");
/// assert_eq!(key.expose(), "example-key");
/// assert_eq!(format!("{key:?}"), "<redacted>");
/// ```
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    ///
    /// ```
    /// use cloud_ocr::config::Secret;
    ///
    /// // serde reads and writes the plain string, so a configuration file can hold it.
    /// let key: Secret = serde_json::from_str("\"example-key\"").unwrap();
    /// assert_eq!(key, Secret::new("example-key"));
    /// ```
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value, for handing to a client builder.
    ///
    /// ```
    /// use cloud_ocr::config::{CredentialsConfig, Secret};
    ///
    /// let credentials = CredentialsConfig {
    ///     api_key: Some(Secret::new("example-key")),
    ///     ..CredentialsConfig::default()
    /// };
    /// assert_eq!(credentials.api_key.as_ref().map(Secret::expose), Some("example-key"));
    /// ```
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Where a provider's credentials come from. Everything unset means the usual places: the
/// Tencent chain (`TENCENTCLOUD_SECRET_ID` / `TENCENTCLOUD_SECRET_KEY` /
/// `TENCENTCLOUD_SESSION_TOKEN`, then the profile file `~/.tencentcloud/credentials`) or
/// `PICWISH_API_KEY`.
///
/// Values given here win over `*_env` names, which win over the usual places.
///
/// ```
/// use cloud_ocr::config::{CredentialsConfig, Secret};
/// let by_value = CredentialsConfig {
///     secret_id: Some("AKIDexample".into()),
///     secret_key: Some(Secret::new("example-key")),
///     ..CredentialsConfig::default()
/// };
/// assert!(!format!("{by_value:?}").contains("example-key"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CredentialsConfig {
    /// Tencent Cloud secret id, by value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_id: Option<String>,
    /// Tencent Cloud secret key, by value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_key: Option<Secret>,
    /// Session token of temporary Tencent Cloud keys, by value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_token: Option<Secret>,
    /// PicWish API key, by value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_key: Option<Secret>,
    /// Read the Tencent secret id from this variable instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_id_env: Option<String>,
    /// Read the Tencent secret key from this variable instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_key_env: Option<String>,
    /// Read the Tencent session token from this variable instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_token_env: Option<String>,
    /// Read the PicWish API key from this variable instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_key_env: Option<String>,
    /// The section of the Tencent profile file to read (default `default`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
}

impl CredentialsConfig {
    /// Whether anything at all is set.
    ///
    /// ```
    /// use cloud_ocr::config::CredentialsConfig;
    ///
    /// assert!(CredentialsConfig::default().is_empty());
    /// let profile = Some("work".to_owned());
    /// assert!(!CredentialsConfig { profile, ..CredentialsConfig::default() }.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self == &CredentialsConfig::default()
    }
}

/// Timeouts in seconds; unset ones keep the defaults (5 s to connect, 60 s per attempt, 180 s
/// per operation).
///
/// A misspelt name is refused rather than ignored, and a value that is not a positive number of
/// seconds is refused when the provider is built.
///
/// ```
/// # #[cfg(feature = "picwish")]
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use cloud_ocr::config::TimeoutsConfig;
/// use cloud_ocr::{build_provider, Env, ProviderConfig, ProviderKind};
///
/// let timeouts: TimeoutsConfig = serde_json::from_str(r#"{"attempt_secs": 30}"#)?;
/// assert_eq!((timeouts.attempt_secs, timeouts.total_secs), (Some(30.0), None));
/// assert!(serde_json::from_str::<TimeoutsConfig>(r#"{"attempt": 30}"#).is_err());
///
/// let mut config = ProviderConfig::new(ProviderKind::PicWish);
/// config.timeouts = TimeoutsConfig { connect_secs: Some(0.0), ..timeouts };
/// let env = Env::new().with_var("PICWISH_API_KEY", "example-key");
/// let err = build_provider(&config, &env).unwrap_err();
/// assert_eq!(err.field(), Some("timeouts.connect_secs"));
/// # Ok(()) }
/// # #[cfg(not(feature = "picwish"))]
/// # fn main() {}
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TimeoutsConfig {
    /// Establishing a connection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect_secs: Option<f64>,
    /// One attempt: sending the request and reading the whole response (uploads too).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempt_secs: Option<f64>,
    /// A whole operation, retries included.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_secs: Option<f64>,
}

/// How to build one provider: its [`ProviderKind`] and settings. Every setting is optional;
/// what is unset comes from the environment ([`Env`](crate::Env)) or the provider's documented
/// default. Settings that do not apply to the chosen provider are refused when it is built,
/// so a typo or a misplaced setting does not pass silently.
///
/// In TOML (see `ConfigFile`, feature `toml`, for the whole file):
///
/// ```toml
/// provider = "cos-ci"
/// bucket = "examplebucket-1250000000"
/// region = "ap-beijing"
/// key_prefix = "scans/"
/// rate_limit = 5.0
/// timeouts = { attempt_secs = 30 }
/// credentials = { secret_id_env = "MY_TC_ID", secret_key_env = "MY_TC_KEY" }
/// ```
///
/// | setting | tc-ocr | lkeap | cos-ci | picwish |
/// |---|---|---|---|---|
/// | `endpoint` (base URL) | API 3.0 URL | API 3.0 URL | path-style root serving `cos/<bucket>/` and `ci/<bucket>/` | base URL |
/// | `cos_endpoint`, `ci_endpoint`, `bucket`, `key_prefix`, `keep_uploads` | | | ✓ | |
/// | `region` | ✓ | ✓ | ✓ | |
/// | `site` (`intl` default / `domestic`) | ✓ | ✓ | | |
/// | `page_concurrency` | ✓ | | ✓ | |
/// | `options` (request defaults) | ✓ | ✓ | ✓ | ✓ |
/// | `credentials` | Tencent | Tencent | Tencent | `api_key` |
/// | `timeouts`, `max_attempts`, `rate_limit`, `rate_limits`, `poll_*` | ✓ | ✓ | ✓ | ✓ (`rate_limits` no) |
///
/// ```
/// # #[cfg(feature = "picwish")]
/// # fn main() -> Result<(), ocr_core::Error> {
/// use cloud_ocr::{ProviderConfig, ProviderKind};
///
/// let config = ProviderConfig::new(ProviderKind::PicWish)
///     .with_endpoint("http://127.0.0.1:18000/")
///     .with_rate_limit(1.0);
/// assert_eq!(config.provider, ProviderKind::PicWish);
/// # Ok(()) }
/// # #[cfg(not(feature = "picwish"))]
/// # fn main() {}
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ProviderConfig {
    /// Which provider.
    pub provider: ProviderKind,
    /// Base URL replacing the provider's default host (a proxy, the emulator).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// `cos-ci`: the COS base URL (default `https://<bucket>.cos.<region>.myqcloud.com/`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cos_endpoint: Option<String>,
    /// `cos-ci`: the CI base URL (default `https://<bucket>.ci.<region>.myqcloud.com/`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci_endpoint: Option<String>,
    /// The region (`cos-ci`: required, else `CLOUD_OCR_COS_REGION`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// `tc-ocr`, `lkeap`: the Tencent Cloud site, `intl` (default: the site the documented
    /// APIs describe; `ocr.intl.tencentcloudapi.com`, `lkeap.intl.tencentcloudapi.com` in
    /// `ap-jakarta`) or `domestic` (`ocr.tencentcloudapi.com`, `lkeap.tencentcloudapi.com` in
    /// `ap-guangzhou`). Accounts are site-specific.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// `tc-ocr`, `cos-ci`: how many pages of a PDF are recognised at once (default 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_concurrency: Option<usize>,
    /// `cos-ci`: the bucket, `<name>-<appid>` (required, else `CLOUD_OCR_COS_BUCKET`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket: Option<String>,
    /// `cos-ci`: where local documents are uploaded (default `cloud-ocr/`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_prefix: Option<String>,
    /// `cos-ci`: keep uploaded documents after their job (default: delete them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_uploads: Option<bool>,
    /// Where the credentials come from.
    #[serde(default, skip_serializing_if = "CredentialsConfig::is_empty")]
    pub credentials: CredentialsConfig,
    /// Timeouts.
    #[serde(default, skip_serializing_if = "is_default")]
    pub timeouts: TimeoutsConfig,
    /// Attempts per call, the first included (default 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_attempts: Option<u32>,
    /// Client-side limit of every operation, requests per second (default: the documented
    /// limit of each operation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<f64>,
    /// Client-side limits of single operations by name (`ExtractDocMulti`,
    /// `CreateReconstructDocumentFlow`, `SubmitJob` …), requests per second; they win over
    /// `rate_limit`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rate_limits: BTreeMap<String, f64>,
    /// Seconds between polls of an asynchronous job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll_interval_secs: Option<f64>,
    /// Seconds to keep polling a job before giving up on it (it keeps running and can be
    /// polled again later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll_deadline_secs: Option<f64>,
    /// Request options applied to every document (pages, languages, outputs, field names,
    /// config id, document kind and card, result format, strict); the command line's flags
    /// win over them. Build requests with
    /// [`Request::with_options`](ocr_core::Request::with_options)`(config.options.clone())`.
    /// An option the provider does not honour is refused when a request is submitted.
    #[serde(default, skip_serializing_if = "is_default_options")]
    pub options: Options,
    /// Your own HTTP client (proxies, custom CAs, middleware), used instead of the one built
    /// from the timeouts; not serialised. See [`ProviderConfig::with_http_client`].
    #[serde(skip)]
    pub http_client: Option<HttpClient>,
    /// Where rate-limit budgets are kept instead of this process (a budget shared by every
    /// process, e.g. `ocr_redis::RedisRateLimiter`); not serialised. See
    /// [`ProviderConfig::with_rate_limit_backend`].
    #[serde(skip)]
    pub rate_limit_backend: Option<SharedRateLimit>,
}

/// A [`RateLimitBackend`](ocr_core::rate_limit::RateLimitBackend) carried by a
/// [`ProviderConfig`]. Configurations compare equal whatever backend they carry.
#[derive(Clone)]
pub struct SharedRateLimit(pub std::sync::Arc<dyn ocr_core::rate_limit::RateLimitBackend>);

impl fmt::Debug for SharedRateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SharedRateLimit")
    }
}

impl PartialEq for SharedRateLimit {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// A caller's `reqwest::Client` carried by a [`ProviderConfig`]. Configurations compare equal
/// whatever client they carry (clients cannot be compared).
#[derive(Clone, Debug)]
pub struct HttpClient(pub reqwest::Client);

impl PartialEq for HttpClient {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

fn is_default_options(o: &Options) -> bool {
    o == &Options::default()
}

fn is_default(t: &TimeoutsConfig) -> bool {
    t == &TimeoutsConfig::default()
}

impl ProviderConfig {
    /// The configuration of `provider` with every setting unset: credentials and the rest
    /// come from the environment and the documented defaults.
    ///
    /// ```
    /// # #[cfg(feature = "picwish")]
    /// # fn main() -> Result<(), serde_json::Error> {
    /// use cloud_ocr::{ProviderConfig, ProviderKind};
    ///
    /// let config = ProviderConfig::new(ProviderKind::PicWish);
    /// assert!(config.credentials.is_empty());
    /// // Unset settings are left out when it is written back.
    /// assert_eq!(serde_json::to_string(&config)?, r#"{"provider":"picwish"}"#);
    /// # Ok(()) }
    /// # #[cfg(not(feature = "picwish"))]
    /// # fn main() {}
    /// ```
    pub fn new(provider: ProviderKind) -> Self {
        ProviderConfig {
            provider,
            endpoint: None,
            cos_endpoint: None,
            ci_endpoint: None,
            region: None,
            site: None,
            page_concurrency: None,
            bucket: None,
            key_prefix: None,
            keep_uploads: None,
            credentials: CredentialsConfig::default(),
            timeouts: TimeoutsConfig::default(),
            max_attempts: None,
            rate_limit: None,
            rate_limits: BTreeMap::new(),
            poll_interval_secs: None,
            poll_deadline_secs: None,
            options: Options::default(),
            http_client: None,
            rate_limit_backend: None,
        }
    }

    /// What a provider's results depend on besides the document and the options: the
    /// provider and where it sends (site, region, endpoints, bucket). Cached results of
    /// another scope are never served ([`crate::cache::Cached`]).
    ///
    /// ```
    /// use cloud_ocr::{ProviderConfig, ProviderKind};
    /// let a = ProviderConfig::new(ProviderKind::TcOcr).with_region("ap-guangzhou");
    /// let b = ProviderConfig::new(ProviderKind::TcOcr).with_region("ap-singapore");
    /// assert_ne!(a.cache_scope(), b.cache_scope());
    /// ```
    pub fn cache_scope(&self) -> String {
        let parts = [
            Some(self.provider.as_str()),
            self.site.as_deref(),
            self.region.as_deref(),
            self.endpoint.as_deref(),
            self.cos_endpoint.as_deref(),
            self.ci_endpoint.as_deref(),
            self.bucket.as_deref(),
        ];
        parts
            .iter()
            .map(|p| p.unwrap_or("-"))
            .collect::<Vec<_>>()
            .join("|")
    }

    /// Sends through your own HTTP client (proxies, corporate CAs, middleware), as the
    /// provider builders' `http_client` does. Its own timeouts apply besides the configured
    /// ones.
    ///
    /// ```
    /// # #[cfg(feature = "picwish")]
    /// # fn main() -> Result<(), ocr_core::Error> {
    /// use cloud_ocr::{build_provider, Env, ProviderConfig, ProviderKind};
    /// let client = reqwest::Client::builder().no_proxy().build().unwrap();
    /// let config = ProviderConfig::new(ProviderKind::PicWish).with_http_client(client);
    /// let provider = build_provider(&config, &Env::new().with_var("PICWISH_API_KEY", "k"))?;
    /// assert_eq!(provider.id(), "picwish");
    /// # Ok(()) }
    /// # #[cfg(not(feature = "picwish"))]
    /// # fn main() {}
    /// ```
    #[must_use]
    pub fn with_http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(HttpClient(client));
        self
    }

    /// Keeps the rate-limit budgets in `backend` (shared by every process that uses it, e.g.
    /// `ocr_redis::RedisRateLimiter`) instead of this process, as the provider builders'
    /// `rate_limit_backend` does.
    #[must_use]
    pub fn with_rate_limit_backend(
        mut self,
        backend: std::sync::Arc<dyn ocr_core::rate_limit::RateLimitBackend>,
    ) -> Self {
        self.rate_limit_backend = Some(SharedRateLimit(backend));
        self
    }

    /// Sets the base URL.
    ///
    /// ```
    /// # #[cfg(feature = "picwish")]
    /// # fn main() -> Result<(), ocr_core::Error> {
    /// use cloud_ocr::{build_provider, Env, ProviderConfig, ProviderKind};
    ///
    /// let env = Env::new().with_var("PICWISH_API_KEY", "example-key");
    /// let local = ProviderConfig::new(ProviderKind::PicWish)
    ///     .with_endpoint("http://127.0.0.1:18000/");
    /// assert_eq!(build_provider(&local, &env)?.id(), "picwish");
    ///
    /// let typo = ProviderConfig::new(ProviderKind::PicWish).with_endpoint("127.0.0.1:18000");
    /// assert_eq!(build_provider(&typo, &env).unwrap_err().field(), Some("endpoint"));
    /// # Ok(()) }
    /// # #[cfg(not(feature = "picwish"))]
    /// # fn main() {}
    /// ```
    #[must_use]
    pub fn with_endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self
    }

    /// Sets the region.
    ///
    /// It travels in a header and a host name, so it is checked when the provider is built.
    ///
    /// ```
    /// # #[cfg(feature = "tc-ocr")]
    /// # fn main() -> Result<(), ocr_core::Error> {
    /// use cloud_ocr::{build_provider, Env, ProviderConfig, ProviderKind};
    ///
    /// let env = Env::new()
    ///     .with_var("TENCENTCLOUD_SECRET_ID", "AKIDexample")
    ///     .with_var("TENCENTCLOUD_SECRET_KEY", "example-key");
    /// let config = ProviderConfig::new(ProviderKind::TcOcr).with_region("ap-singapore");
    /// assert_eq!(build_provider(&config, &env)?.id(), "tc-ocr");
    ///
    /// let bad = ProviderConfig::new(ProviderKind::TcOcr).with_region("AP Singapore");
    /// assert_eq!(build_provider(&bad, &env).unwrap_err().field(), Some("region"));
    /// # Ok(()) }
    /// # #[cfg(not(feature = "tc-ocr"))]
    /// # fn main() {}
    /// ```
    #[must_use]
    pub fn with_region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Sets the bucket (`cos-ci`).
    ///
    /// ```
    /// # #[cfg(feature = "cos-ci")]
    /// # fn main() -> Result<(), ocr_core::Error> {
    /// use cloud_ocr::{build_provider, Env, ProviderConfig, ProviderKind};
    ///
    /// let env = Env::new()
    ///     .with_var("TENCENTCLOUD_SECRET_ID", "AKIDexample")
    ///     .with_var("TENCENTCLOUD_SECRET_KEY", "example-key");
    /// let config = ProviderConfig::new(ProviderKind::CosCi)
    ///     .with_bucket("examplebucket-1250000000")
    ///     .with_region("ap-beijing");
    /// assert_eq!(build_provider(&config, &env)?.id(), "cos-ci");
    ///
    /// // Without it (and without CLOUD_OCR_COS_BUCKET), the error says what to set.
    /// let unset = ProviderConfig::new(ProviderKind::CosCi).with_region("ap-beijing");
    /// let err = build_provider(&unset, &env).unwrap_err();
    /// assert!(err.to_string().contains("CLOUD_OCR_COS_BUCKET"));
    /// # Ok(()) }
    /// # #[cfg(not(feature = "cos-ci"))]
    /// # fn main() {}
    /// ```
    #[must_use]
    pub fn with_bucket(mut self, bucket: impl Into<String>) -> Self {
        self.bucket = Some(bucket.into());
        self
    }

    /// Sets where the credentials come from.
    ///
    /// ```
    /// # #[cfg(feature = "picwish")]
    /// # fn main() -> Result<(), ocr_core::Error> {
    /// use cloud_ocr::config::CredentialsConfig;
    /// use cloud_ocr::{build_provider, Env, ProviderConfig, ProviderKind};
    ///
    /// // The key comes from a variable of your choosing.
    /// let config = ProviderConfig::new(ProviderKind::PicWish).with_credentials(CredentialsConfig {
    ///     api_key_env: Some("MY_PICWISH_KEY".into()),
    ///     ..CredentialsConfig::default()
    /// });
    /// let env = Env::new().with_var("MY_PICWISH_KEY", "example-key");
    /// assert_eq!(build_provider(&config, &env)?.id(), "picwish");
    /// # Ok(()) }
    /// # #[cfg(not(feature = "picwish"))]
    /// # fn main() {}
    /// ```
    #[must_use]
    pub fn with_credentials(mut self, credentials: CredentialsConfig) -> Self {
        self.credentials = credentials;
        self
    }

    /// Sets the client-side limit of every operation, in requests per second.
    ///
    /// ```
    /// # #[cfg(feature = "picwish")]
    /// # fn main() {
    /// use cloud_ocr::{build_provider, Env, ProviderConfig, ProviderKind};
    ///
    /// let env = Env::new().with_var("PICWISH_API_KEY", "example-key");
    /// let slow = ProviderConfig::new(ProviderKind::PicWish).with_rate_limit(0.5);
    /// assert!(build_provider(&slow, &env).is_ok());
    /// let zero = ProviderConfig::new(ProviderKind::PicWish).with_rate_limit(0.0);
    /// assert_eq!(build_provider(&zero, &env).unwrap_err().field(), Some("rate_limit"));
    /// # }
    /// # #[cfg(not(feature = "picwish"))]
    /// # fn main() {}
    /// ```
    #[must_use]
    pub fn with_rate_limit(mut self, per_second: f64) -> Self {
        self.rate_limit = Some(per_second);
        self
    }

    /// Sets the poll interval and deadline, in seconds.
    ///
    /// ```
    /// # #[cfg(feature = "lkeap")]
    /// # fn main() {
    /// use cloud_ocr::{build_provider, Env, ProviderConfig, ProviderKind};
    ///
    /// let env = Env::new()
    ///     .with_var("TENCENTCLOUD_SECRET_ID", "AKIDexample")
    ///     .with_var("TENCENTCLOUD_SECRET_KEY", "example-key");
    /// // Large documents: poll every 5 s for up to half an hour.
    /// let config = ProviderConfig::new(ProviderKind::Lkeap).with_polling(5.0, 1800.0);
    /// assert_eq!(config.poll_deadline_secs, Some(1800.0));
    /// assert!(build_provider(&config, &env).is_ok());
    /// let never = ProviderConfig::new(ProviderKind::Lkeap).with_polling(-1.0, 60.0);
    /// let err = build_provider(&never, &env).unwrap_err();
    /// assert_eq!(err.field(), Some("poll_interval_secs"));
    /// # }
    /// # #[cfg(not(feature = "lkeap"))]
    /// # fn main() {}
    /// ```
    #[must_use]
    pub fn with_polling(mut self, interval_secs: f64, deadline_secs: f64) -> Self {
        self.poll_interval_secs = Some(interval_secs);
        self.poll_deadline_secs = Some(deadline_secs);
        self
    }
}

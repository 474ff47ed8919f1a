//! [`LkeapBuilder`]: configuration of an [`Lkeap`] client, with the documented defaults.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use ocr_core::{Clock, PollPolicy, Result, RetryPolicy, RuntimeConfig, Timeouts};
use tc_api::{Endpoint, Language, TcClient};
use tc_signing::{
    Credential, CredentialChain, EnvSource, ProcessEnv, ProvideCredential, StaticProvider,
};

use crate::archive::ArchiveLimits;
use crate::client::{
    ClientParts, Lkeap, API_ACTIONS, CREATE_RECONSTRUCT, DEFAULT_RATE_LIMIT, SERVICE,
    TRIAL_RATE_LIMIT,
};
use crate::reconstruct::CreateReconstructDocumentFlowConfig;
use crate::site::{Site, SiteRules};

/// Configures an [`Lkeap`] client.
///
/// ```
/// use std::time::Duration;
/// use lkeap::{Lkeap, Site};
/// use tc_signing::Credential;
///
/// let client = Lkeap::builder()
///     .site(Site::International)
///     .credential(Credential::new("AKIDEXAMPLE", "example-key"))
///     .trial_account()
///     .poll_policy(ocr_core::PollPolicy::default().with_deadline(Duration::from_secs(900)))
///     .build()
///     .unwrap();
/// assert_eq!(client.region(), "ap-jakarta");
/// ```
#[must_use]
pub struct LkeapBuilder {
    site: Site,
    region: Option<String>,
    endpoint: Option<Endpoint>,
    sse_endpoint: Option<Endpoint>,
    language: Option<Language>,
    credentials: Option<Arc<dyn ProvideCredential>>,
    runtime: RuntimeConfig,
    limits: HashMap<&'static str, Option<f64>>,
    clock: Option<Arc<dyn Clock>>,
    poll_policy: PollPolicy,
    archive_limits: ArchiveLimits,
    reconstruct_config: Option<CreateReconstructDocumentFlowConfig>,
    sse_idle_timeout: Duration,
}

impl fmt::Debug for LkeapBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LkeapBuilder")
            .field("site", &self.site)
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .field("credentials", &self.credentials.as_ref().map(|c| c.name()))
            .finish_non_exhaustive()
    }
}

impl Default for LkeapBuilder {
    fn default() -> Self {
        let limits = API_ACTIONS
            .iter()
            .chain(std::iter::once(&crate::sse::ACTION))
            .map(|a| (*a, Some(DEFAULT_RATE_LIMIT)))
            .collect();
        LkeapBuilder {
            site: Site::default(),
            region: None,
            endpoint: None,
            sse_endpoint: None,
            language: None,
            credentials: None,
            runtime: RuntimeConfig::default(),
            limits,
            clock: None,
            poll_policy: default_poll_policy(),
            archive_limits: ArchiveLimits::default(),
            reconstruct_config: None,
            sse_idle_timeout: Duration::from_secs(60),
        }
    }
}

/// Every 2 s at first, growing to 15 s, for at most 10 minutes: parsing takes minutes.
fn default_poll_policy() -> PollPolicy {
    PollPolicy::default()
        .with_initial_interval(Duration::from_secs(2))
        .with_max_interval(Duration::from_secs(15))
        .with_deadline(Duration::from_secs(600))
}

impl LkeapBuilder {
    /// Chooses the site (default international, the site the documentation describes): its hosts and default region.
    pub fn site(mut self, site: Site) -> Self {
        self.site = site;
        self
    }

    /// Overrides the region (default: `ap-guangzhou` domestic, `ap-jakarta` international).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Sends every action to `endpoint` (a proxy, a test server). The streaming action goes
    /// there too unless [`sse_endpoint`](Self::sse_endpoint) says otherwise.
    pub fn endpoint(mut self, endpoint: Endpoint) -> Self {
        self.endpoint = Some(endpoint);
        self
    }

    /// Sends `ReconstructDocumentSSE` to `endpoint`.
    pub fn sse_endpoint(mut self, endpoint: Endpoint) -> Self {
        self.sse_endpoint = Some(endpoint);
        self
    }

    /// Sets the language of error messages.
    pub fn language(mut self, language: Language) -> Self {
        self.language = Some(language);
        self
    }

    /// Uses a fixed credential.
    pub fn credential(self, credential: Credential) -> Self {
        self.credentials(Arc::new(StaticProvider::new(credential)))
    }

    /// Uses a credential provider.
    pub fn credentials(mut self, provider: Arc<dyn ProvideCredential>) -> Self {
        self.credentials = Some(provider);
        self
    }

    /// Uses the default chain (environment, then profile file) over `env`.
    pub fn credentials_from(self, env: Arc<dyn EnvSource>) -> Self {
        self.credentials(Arc::new(CredentialChain::default_chain(env)))
    }

    /// Uses the default chain over the process environment and home directory.
    pub fn credentials_from_env(self) -> Self {
        self.credentials_from(Arc::new(ProcessEnv))
    }

    /// Replaces all transport settings.
    pub fn runtime(mut self, runtime: RuntimeConfig) -> Self {
        self.runtime = runtime;
        self
    }

    /// Sets the timeouts. The attempt timeout also bounds a result download.
    pub fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.runtime.timeouts = timeouts;
        self
    }

    /// Sets the retry policy.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.runtime.retry = retry;
        self
    }

    /// Sends through the caller's HTTP client.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.runtime.http_client = Some(client);
        self
    }

    /// Limits every document action to `per_second` requests per second (default 20, as
    /// documented), shared by all clones of the client.
    pub fn rate_limit(mut self, per_second: f64) -> Self {
        for limit in self.limits.values_mut() {
            *limit = Some(per_second);
        }
        self
    }

    /// Limits one action to `per_second` requests per second.
    pub fn action_rate_limit(mut self, action: &'static str, per_second: f64) -> Self {
        self.limits.insert(action, Some(per_second));
        self
    }

    /// Removes the client-side limit of one action.
    pub fn no_rate_limit(mut self, action: &'static str) -> Self {
        self.limits.insert(action, None);
        self
    }

    /// Applies the trial-period limit: 1 `CreateReconstructDocumentFlow` per second.
    pub fn trial_account(self) -> Self {
        self.action_rate_limit(CREATE_RECONSTRUCT, TRIAL_RATE_LIMIT)
    }

    /// Uses another clock (tests, reproducible fixtures).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// How [`Lkeap::wait_reconstruct_document`], [`Lkeap::wait_split_document`] and the
    /// provider's `recognize` poll (default: every 2 s growing to 15 s, for 10 minutes).
    pub fn poll_policy(mut self, policy: PollPolicy) -> Self {
        self.poll_policy = policy;
        self
    }

    /// Caps for reading result archives.
    pub fn archive_limits(mut self, limits: ArchiveLimits) -> Self {
        self.archive_limits = limits;
        self
    }

    /// The `Config` the provider interface sends (default: `ResultType` `"5"` on the domestic
    /// site, `"4"` on the international one, whose model stops at `"4"`).
    pub fn reconstruct_config(mut self, config: CreateReconstructDocumentFlowConfig) -> Self {
        self.reconstruct_config = Some(config);
        self
    }

    /// How long the event stream may stay silent before it is given up (default 60 s).
    pub fn sse_idle_timeout(mut self, idle: Duration) -> Self {
        self.sse_idle_timeout = idle;
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Lkeap> {
        let region = self
            .region
            .clone()
            .unwrap_or_else(|| self.site.default_region().to_owned());
        // One HTTP client (one connection pool) for both hosts and the downloads.
        let mut runtime = self.runtime.clone();
        if runtime.http_client.is_none() {
            let built = runtime.clone().build()?;
            runtime.http_client = Some(built.http().clone());
        }
        let endpoint = self
            .endpoint
            .clone()
            .unwrap_or_else(|| self.site.endpoint());
        let sse_endpoint = match (&self.sse_endpoint, &self.endpoint) {
            (Some(e), _) => e.clone(),
            (None, Some(e)) => e.clone(),
            (None, None) => self.site.sse_endpoint()?,
        };
        let make = |endpoint: Endpoint, actions: &[&'static str]| -> Result<TcClient> {
            let mut b = TcClient::builder(SERVICE)
                .endpoint(endpoint)
                .region(region.clone())
                .runtime(runtime.clone());
            if let Some(lang) = self.language {
                b = b.language(lang);
            }
            if let Some(creds) = &self.credentials {
                b = b.credentials(creds.clone());
            }
            if let Some(clock) = &self.clock {
                b = b.clock(clock.clone());
            }
            for action in actions {
                if let Some(Some(rate)) = self.limits.get(action) {
                    b = b.rate_limit(action, *rate);
                }
            }
            b.build()
        };
        let api = make(endpoint, &API_ACTIONS)?;
        let sse = make(sse_endpoint, &[crate::sse::ACTION])?;
        Ok(Lkeap {
            inner: Arc::new(ClientParts {
                api,
                sse,
                site: self.site,
                region,
                poll_policy: self.poll_policy,
                archive_limits: self.archive_limits,
                reconstruct_config: self.reconstruct_config,
                sse_idle_timeout: self.sse_idle_timeout,
            }),
        })
    }
}

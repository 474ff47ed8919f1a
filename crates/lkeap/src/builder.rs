//! [`LkeapBuilder`]: configuration of an [`Lkeap`] client, with the documented defaults.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use ocr_core::{ClientOptions, ConfigureClient, PollPolicy, Result};
use tc_api::{Endpoint, Language, TcClient};
use tc_signing::{ConfigureCredentials, ProvideCredential};

use crate::actions::{
    API_ACTIONS, CREATE_RECONSTRUCT, DEFAULT_RATE_LIMIT, SERVICE, TRIAL_RATE_LIMIT,
};
use crate::archive::ArchiveLimits;
use crate::client::{ClientParts, Lkeap};
use crate::reconstruct::CreateReconstructDocumentFlowConfig;
use crate::site::{Site, SiteRules};

impl Lkeap {
    /// A builder with the documented defaults.
    pub fn builder() -> LkeapBuilder {
        LkeapBuilder::default()
    }
}

/// Configures an [`Lkeap`] client.
///
/// ```
/// use lkeap::prelude::*;
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
    options: ClientOptions,
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
        LkeapBuilder {
            site: Site::default(),
            region: None,
            endpoint: None,
            sse_endpoint: None,
            language: None,
            credentials: None,
            options: ClientOptions::default(),
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

/// Every action is limited to 20 requests per second by default, as documented (see
/// [`trial_account`](LkeapBuilder::trial_account) for the trial period's lower limit); the
/// attempt timeout also bounds a result download.
impl ConfigureClient for LkeapBuilder {
    fn client_options_mut(&mut self) -> &mut ClientOptions {
        &mut self.options
    }
}

impl ConfigureCredentials for LkeapBuilder {
    fn credentials(mut self, provider: Arc<dyn ProvideCredential>) -> Self {
        self.credentials = Some(provider);
        self
    }
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

    /// Applies the trial-period limit: 1 `CreateReconstructDocumentFlow` per second.
    pub fn trial_account(self) -> Self {
        self.rate_limit(CREATE_RECONSTRUCT, TRIAL_RATE_LIMIT)
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
        let options = self.options.clone().with_shared_http_client()?;
        // Both clients know every action, so that a limit may name any of them.
        let actions: Vec<(&'static str, Option<f64>)> = API_ACTIONS
            .iter()
            .chain(std::iter::once(&crate::sse::ACTION))
            .map(|action| (*action, Some(DEFAULT_RATE_LIMIT)))
            .collect();
        let endpoint = self
            .endpoint
            .clone()
            .unwrap_or_else(|| self.site.endpoint());
        let sse_endpoint = match (&self.sse_endpoint, &self.endpoint) {
            (Some(e), _) => e.clone(),
            (None, Some(e)) => e.clone(),
            (None, None) => self.site.sse_endpoint()?,
        };
        let make = |endpoint: Endpoint| -> Result<TcClient> {
            let mut b = TcClient::builder(SERVICE)
                .endpoint(endpoint)
                .region(region.clone())
                .client_options(options.clone())
                .actions(&actions);
            if let Some(lang) = self.language {
                b = b.language(lang);
            }
            if let Some(creds) = &self.credentials {
                b = b.credentials(creds.clone());
            }
            b.build()
        };
        let api = make(endpoint)?;
        let sse = make(sse_endpoint)?;
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

//! Configuration of a [`TencentOcr`] client.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use ocr_core::{ClientOptions, ConfigureClient, PollPolicy, Result};
use tc_api::{Endpoint, Language, Site, TcClient};
use tc_signing::{ConfigureCredentials, ProvideCredential};

use crate::actions::{DEFAULT_CARD_REGION, DEFAULT_RATE_LIMITS, OCR};
use crate::card_verification::card_type;
use crate::client::{Inner, TencentOcr};

/// Builds a [`TencentOcr`].
///
/// Two API 3.0 clients are built from one configuration: one for ExtractDocMulti and the
/// General*OCR actions (international site by default, no region unless set) and one for the
/// card-verification pair (international endpoint, region `ap-singapore`). Credentials,
/// transport settings, clock and rate limits apply to both; a [`Endpoint::Custom`] endpoint
/// (a proxy, a test server) applies to both unless [`card_endpoint`](Self::card_endpoint) says
/// otherwise.
///
/// ```
/// use tc_ocr::prelude::*;
/// use tc_ocr::{Endpoint, TencentOcr};
/// use tc_signing::Credential;
///
/// let ocr = TencentOcr::builder()
///     .credential(Credential::new("AKIDexample", "example-key"))
///     .region("ap-guangzhou")
///     .rate_limit("ExtractDocMulti", 2.0)
///     .build()?;
/// assert_eq!(ocr.general_client().endpoint_url().as_str(), "https://ocr.intl.tencentcloudapi.com/");
/// assert_eq!(ocr.card_client().endpoint_url().as_str(), "https://ocr.intl.tencentcloudapi.com/");
/// assert_eq!(ocr.card_client().region(), Some("ap-singapore"));
/// assert_eq!(ocr.rate_limits()["ExtractDocMulti"], 2.0);
/// # Ok::<(), ocr_core::Error>(())
/// ```
#[must_use]
pub struct TencentOcrBuilder {
    credentials: Option<Arc<dyn ProvideCredential>>,
    site: Site,
    endpoint: Option<Endpoint>,
    card_endpoint: Option<Endpoint>,
    region: Option<String>,
    card_region: String,
    language: Option<Language>,
    options: ClientOptions,
    sign_action_header: bool,
    poll_policy: PollPolicy,
    card_nationality: Option<String>,
    card_type: String,
    page_concurrency: usize,
}

impl fmt::Debug for TencentOcrBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TencentOcrBuilder")
            .field("credentials", &self.credentials)
            .field("site", &self.site)
            .field("endpoint", &self.endpoint)
            .field("card_endpoint", &self.card_endpoint)
            .field("region", &self.region)
            .field("card_region", &self.card_region)
            .field("rate_limits", &self.options.rate_limits)
            .field("poll_policy", &self.poll_policy)
            .finish_non_exhaustive()
    }
}

impl Default for TencentOcrBuilder {
    fn default() -> Self {
        TencentOcrBuilder {
            credentials: None,
            site: Site::default(),
            endpoint: None,
            card_endpoint: None,
            region: None,
            card_region: DEFAULT_CARD_REGION.to_owned(),
            language: None,
            options: ClientOptions::default(),
            sign_action_header: false,
            poll_policy: PollPolicy::default(),
            card_nationality: None,
            card_type: card_type::ID_CARD.to_owned(),
            page_concurrency: ocr_core::pages::DEFAULT_PAGE_CONCURRENCY,
        }
    }
}

impl ConfigureClient for TencentOcrBuilder {
    fn client_options_mut(&mut self) -> &mut ClientOptions {
        &mut self.options
    }
}

impl ConfigureCredentials for TencentOcrBuilder {
    fn credentials(mut self, provider: Arc<dyn ProvideCredential>) -> Self {
        self.credentials = Some(provider);
        self
    }
}

impl TencentOcr {
    /// A builder with the documented defaults.
    pub fn builder() -> TencentOcrBuilder {
        TencentOcrBuilder::default()
    }
}

impl TencentOcrBuilder {
    /// The site of ExtractDocMulti and General*OCR: its hosts (default
    /// [`Site::International`], `ocr.intl.tencentcloudapi.com`, the site the documentation
    /// describes; [`Site::Domestic`] is `ocr.tencentcloudapi.com`). Keys are site-specific.
    /// An [`endpoint`](Self::endpoint) set before or after takes precedence, as in every
    /// Tencent builder: a proxy or test server is never bypassed for the site's host.
    pub fn site(mut self, site: Site) -> Self {
        self.site = site;
        self
    }

    /// How many pages of a PDF are recognised at once (default 4); the rate limits apply
    /// too. At least 1.
    pub fn page_concurrency(mut self, pages: usize) -> Self {
        self.page_concurrency = pages.max(1);
        self
    }

    /// The endpoint of ExtractDocMulti and General*OCR (default: the [`site`](Self::site)'s).
    /// A [`Endpoint::Custom`] one is used by the card pair too, unless
    /// [`card_endpoint`](Self::card_endpoint) is set.
    pub fn endpoint(mut self, endpoint: Endpoint) -> Self {
        self.endpoint = Some(endpoint);
        self
    }

    /// The endpoint of the card-verification pair (default [`Endpoint::International`]).
    pub fn card_endpoint(mut self, endpoint: Endpoint) -> Self {
        self.card_endpoint = Some(endpoint);
        self
    }

    /// The region sent with ExtractDocMulti and General*OCR (optional for them; not sent by
    /// default).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// The region of the card-verification pair (default `ap-singapore`, the only documented
    /// one).
    pub fn card_region(mut self, region: impl Into<String>) -> Self {
        self.card_region = region.into();
        self
    }

    /// The language of error messages (`X-TC-Language`).
    pub fn language(mut self, language: Language) -> Self {
        self.language = Some(language);
        self
    }

    /// Also signs `X-TC-Action`, as the current documentation example does.
    pub fn sign_action_header(mut self, yes: bool) -> Self {
        self.sign_action_header = yes;
        self
    }

    /// How [`OcrProvider::recognize`](ocr_core::OcrProvider::recognize) and
    /// [`TencentOcr::wait_card_verification_external_result`] poll the card result.
    pub fn poll_policy(mut self, policy: PollPolicy) -> Self {
        self.poll_policy = policy;
        self
    }

    /// The `Nationality` sent when the [`OcrProvider`](ocr_core::OcrProvider) path verifies an
    /// identity document (`DocumentKind::IdCard`); ISO 3166-1 alpha-3, e.g. `"PHL"`. Required
    /// for that path: the request options have no such field.
    pub fn card_nationality(mut self, nationality: impl Into<String>) -> Self {
        self.card_nationality = Some(nationality.into());
        self
    }

    /// The `CardType` sent on the [`OcrProvider`](ocr_core::OcrProvider) path (default
    /// `ID_CARD`; see [`card_type`]).
    pub fn card_type(mut self, card_type: impl Into<String>) -> Self {
        self.card_type = card_type.into();
        self
    }

    /// Builds the client. Fails with [`ErrorKind::Config`](ocr_core::ErrorKind::Config) when no
    /// credentials were given or a setting is impossible.
    pub fn build(self) -> Result<TencentOcr> {
        // One HTTP client (one connection pool) for both API clients.
        let options = self.options.with_shared_http_client()?;
        let actions: Vec<(&'static str, Option<f64>)> = DEFAULT_RATE_LIMITS
            .iter()
            .map(|&(action, rate)| (action, Some(rate)))
            .collect();
        let limits: BTreeMap<&'static str, f64> = actions
            .iter()
            .filter_map(|&(action, default)| {
                let rate = options.rate_limits.for_action(action, default)?;
                Some((action, rate))
            })
            .collect();
        let endpoint = self.endpoint.unwrap_or_else(|| self.site.endpoint());
        let card_endpoint = match (self.card_endpoint, &endpoint) {
            (Some(e), _) => e,
            (None, Endpoint::Custom(url)) => Endpoint::Custom(url.clone()),
            (None, _) => Endpoint::International,
        };
        let make = |endpoint: Endpoint, region: Option<&str>| -> Result<TcClient> {
            let mut b = TcClient::builder(OCR)
                .endpoint(endpoint)
                .client_options(options.clone())
                .actions(&actions)
                .sign_action_header(self.sign_action_header);
            if let Some(region) = region {
                b = b.region(region);
            }
            if let Some(language) = self.language {
                b = b.language(language);
            }
            if let Some(credentials) = &self.credentials {
                b = b.credentials(credentials.clone());
            }
            b.build()
        };
        let general = make(endpoint, self.region.as_deref())?;
        let card = make(card_endpoint, Some(&self.card_region))?;
        Ok(TencentOcr {
            inner: Arc::new(Inner {
                general,
                card,
                limits,
                poll_policy: self.poll_policy,
                card_nationality: self.card_nationality,
                card_type: self.card_type,
                page_concurrency: self.page_concurrency,
            }),
        })
    }
}

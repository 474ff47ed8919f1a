//! One client configuration for every provider: transport (HTTP client, timeouts, retry), rate
//! limits per action (kept in this process, or shared by many through a
//! [`RateLimitBackend`]), and the clock.
//!
//! Every provider builder embeds a [`ClientOptions`] and implements [`ConfigureClient`], so the
//! same calls configure any provider, and a program that switches provider changes only the
//! builder's name and the settings specific to the service (site, region, bucket, polling).
//! What is specific to a provider is only which action names exist and their documented
//! default rates; [`RateLimits::check`] refuses a name the provider does not know, so a typo is
//! an error instead of a limit that silently never applies.
//!
//! ```
//! use std::time::Duration;
//! use ocr_core::{ClientOptions, ConfigureClient, RetryPolicy};
//!
//! let shared = ClientOptions::default()
//!     .attempt_timeout(Duration::from_secs(30))
//!     .retry(RetryPolicy::default().with_max_attempts(5))
//!     .rate_limit_all(2.0);
//! assert_eq!(shared.runtime.timeouts.attempt, Duration::from_secs(30));
//! assert_eq!(shared.rate_limits.for_action("AnyAction", Some(20.0)), Some(2.0));
//! ```

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::rate_limit::{AccountId, RateLimitBackend, RateLimiter};
use crate::retry::RetryPolicy;
use crate::runtime::{Runtime, RuntimeConfig, Timeouts};

/// What a client is told about one action's rate.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Limit {
    PerSecond(f64),
    Unlimited,
}

impl Limit {
    fn rate(self) -> Option<f64> {
        match self {
            Limit::PerSecond(rate) => Some(rate),
            Limit::Unlimited => None,
        }
    }
}

/// Client-side rate limits: per action, for all actions, or the provider's documented
/// defaults, in that order of precedence.
///
/// ```
/// use ocr_core::client_options::RateLimits;
///
/// let mut limits = RateLimits::default();
/// limits.set_all(10.0);
/// limits.set("Slow", 1.0);
/// limits.remove("Free");
/// assert_eq!(limits.for_action("Slow", Some(5.0)), Some(1.0));
/// assert_eq!(limits.for_action("Other", Some(5.0)), Some(10.0));
/// assert_eq!(limits.for_action("Free", Some(5.0)), None);
/// assert!(limits.check("demo", &["Slow", "Other"]).is_err()); // "Free" is not an action of demo
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RateLimits {
    all: Option<Limit>,
    per_action: BTreeMap<String, Limit>,
}

impl RateLimits {
    /// Limits `action` to `per_second` requests per second.
    pub fn set(&mut self, action: impl AsRef<str>, per_second: f64) {
        self.per_action
            .insert(action.as_ref().to_owned(), Limit::PerSecond(per_second));
    }

    /// Limits every action to `per_second`, except those given a limit of their own.
    pub fn set_all(&mut self, per_second: f64) {
        self.all = Some(Limit::PerSecond(per_second));
    }

    /// Removes the client-side limit of `action` (the service's throttling answers are still
    /// retried).
    pub fn remove(&mut self, action: impl AsRef<str>) {
        self.per_action
            .insert(action.as_ref().to_owned(), Limit::Unlimited);
    }

    /// Removes the client-side limit of every action, except those given a limit of their own.
    pub fn remove_all(&mut self) {
        self.all = Some(Limit::Unlimited);
    }

    /// The rate of `action` in requests per second, given the provider's documented default;
    /// `None` means unlimited.
    pub fn for_action(&self, action: &str, default: Option<f64>) -> Option<f64> {
        match self.per_action.get(action).or(self.all.as_ref()) {
            Some(limit) => limit.rate(),
            None => default,
        }
    }

    /// The actions given a setting of their own, with their rate (`None`: unlimited).
    pub fn named(&self) -> impl Iterator<Item = (&str, Option<f64>)> {
        self.per_action.iter().map(|(k, v)| (k.as_str(), v.rate()))
    }

    /// Refuses an action name `provider` does not know (listing the known ones) and a rate
    /// that is not a positive, finite number of requests per second.
    pub fn check(&self, provider: &'static str, known: &[&str]) -> Result<()> {
        let rates = self
            .all
            .iter()
            .map(|l| ("all actions", *l))
            .chain(self.per_action.iter().map(|(k, v)| (k.as_str(), *v)));
        for (action, limit) in rates {
            if let Limit::PerSecond(rate) = limit {
                if !(rate.is_finite() && rate > 0.0) {
                    return Err(Error::config(format!(
                        "the rate limit of {action} must be a positive number of requests \
                         per second, not {rate}"
                    ))
                    .with_field("rate_limits")
                    .with_provider(provider));
                }
            }
        }
        if let Some(unknown) = self
            .per_action
            .keys()
            .find(|name| !known.contains(&name.as_str()))
        {
            return Err(Error::config(format!(
                "`rate_limits` names `{unknown}`, which is not an operation of {provider}; \
                 known: {}",
                known.join(", ")
            ))
            .with_field("rate_limits")
            .with_provider(provider));
        }
        Ok(())
    }

    /// One limiter per action of `actions` (name, documented default) that ends up limited,
    /// after [`check`](Self::check)ing the names against them. Limiters are shared by clones.
    pub fn limiters<K: Copy + Ord>(
        &self,
        provider: &'static str,
        actions: &[(K, &str, Option<f64>)],
    ) -> Result<BTreeMap<K, RateLimiter>> {
        let known: Vec<&str> = actions.iter().map(|(_, name, _)| *name).collect();
        self.check(provider, &known)?;
        Ok(actions
            .iter()
            .filter_map(|&(key, name, default)| {
                self.for_action(name, default)
                    .map(|rate| (key, RateLimiter::per_second(rate)))
            })
            .collect())
    }
}

/// The configuration every provider client shares: transport, rate limits and clock.
///
/// Build it once and hand it to any provider builder with
/// [`ConfigureClient::client_options`], or adjust a builder's own with the same methods
/// ([`ConfigureClient`] is implemented by this type and by every builder).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ClientOptions {
    /// HTTP client, timeouts, retry policy, `User-Agent` suffix.
    pub runtime: RuntimeConfig,
    /// Client-side rate limits by action.
    pub rate_limits: RateLimits,
    /// Where the budgets of those limits are kept. `None` (the default): in this process,
    /// one token bucket per action shared by the clones of one client. A backend (the
    /// `ocr-redis` crate's, or [`InProcessBackend`](crate::rate_limit::InProcessBackend))
    /// keeps one budget per provider, account and action, shared by every client given it.
    pub rate_limit_backend: Option<Arc<dyn RateLimitBackend>>,
    /// The account shared budgets are counted against, instead of the one the provider
    /// derives from its credentials ([`AccountId::from_secret`]). Used only with a backend.
    pub rate_limit_account: Option<String>,
    /// The clock requests are signed and expiries judged with.
    pub clock: Arc<dyn Clock>,
}

impl Default for ClientOptions {
    /// Default timeouts and retry, the providers' documented rate limits kept in this process,
    /// the system clock.
    fn default() -> Self {
        ClientOptions {
            runtime: RuntimeConfig::default(),
            rate_limits: RateLimits::default(),
            rate_limit_backend: None,
            rate_limit_account: None,
            clock: Arc::new(SystemClock),
        }
    }
}

impl ClientOptions {
    /// One limiter per action of `actions` (key, name, documented default) that ends up
    /// limited, after [`RateLimits::check`]ing the names against them: in-process buckets
    /// shared by clones, or, with a [`rate_limit_backend`](Self::rate_limit_backend), budgets
    /// kept by the backend under (`provider`, account, action). The account is
    /// [`rate_limit_account`](Self::rate_limit_account) if set, else `account`, which the
    /// provider derives from its credentials (and which is resolved only with a backend, at
    /// the first request).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use ocr_core::{ClientOptions, ConfigureClient};
    /// use ocr_core::rate_limit::{AccountId, InProcessBackend};
    ///
    /// let options = ClientOptions::default().rate_limit_backend(Arc::new(InProcessBackend::new()));
    /// let limiters = options.limiters("demo", &AccountId::from_secret("AKIDexample"), &[
    ///     (1, "Submit", Some(5.0)),
    ///     (2, "Poll", None),
    /// ])?;
    /// assert_eq!(limiters[&1].rate(), 5.0);
    /// assert!(limiters[&1].backend().is_some());
    /// assert!(!limiters.contains_key(&2));
    /// # Ok::<(), ocr_core::Error>(())
    /// ```
    pub fn limiters<K: Copy + Ord>(
        &self,
        provider: &'static str,
        account: &AccountId,
        actions: &[(K, &str, Option<f64>)],
    ) -> Result<BTreeMap<K, RateLimiter>> {
        let Some(backend) = &self.rate_limit_backend else {
            return self.rate_limits.limiters(provider, actions);
        };
        let known: Vec<&str> = actions.iter().map(|(_, name, _)| *name).collect();
        self.rate_limits.check(provider, &known)?;
        let account = match &self.rate_limit_account {
            Some(named) => AccountId::new(named.clone()),
            None => account.clone(),
        };
        Ok(actions
            .iter()
            .filter_map(|&(key, name, default)| {
                let rate = self.rate_limits.for_action(name, default)?;
                let limiter = RateLimiter::with_backend(
                    backend.clone(),
                    provider,
                    account.clone(),
                    name,
                    rate,
                );
                Some((key, limiter))
            })
            .collect())
    }

    /// Builds the runtime (creating an HTTP client unless one was given).
    pub fn build_runtime(&self) -> Result<Runtime> {
        self.runtime.clone().build()
    }

    /// The same options with the HTTP client built now, so that several API clients made from
    /// them share one connection pool.
    pub fn with_shared_http_client(mut self) -> Result<Self> {
        if self.runtime.http_client.is_none() {
            let http = self.build_runtime()?.http().clone();
            self.runtime.http_client = Some(http);
        }
        Ok(self)
    }
}

/// The configuration methods every provider builder has, with the same names and meaning.
///
/// Implementors provide [`client_options_mut`](Self::client_options_mut); every other method
/// is written once, here.
///
/// ```
/// use std::time::Duration;
/// use ocr_core::{ClientOptions, ConfigureClient, Timeouts};
///
/// // A provider builder is configured the same way; `ClientOptions` itself is too.
/// let options = ClientOptions::default()
///     .timeouts(Timeouts { attempt: Duration::from_secs(20), ..Timeouts::default() })
///     .rate_limit("ExtractDocMulti", 2.0)
///     .no_rate_limit("GeneralBasicOCR");
/// assert_eq!(options.rate_limits.for_action("GeneralBasicOCR", Some(10.0)), None);
/// ```
pub trait ConfigureClient: Sized {
    /// The options this builder collects.
    fn client_options_mut(&mut self) -> &mut ClientOptions;

    /// Replaces all shared options at once (transport, rate limits and their backend, clock).
    fn client_options(mut self, options: ClientOptions) -> Self {
        *self.client_options_mut() = options;
        self
    }

    /// Adjusts the shared options in place: `builder.options(|o| o.retry(policy))`.
    fn options(mut self, adjust: impl FnOnce(ClientOptions) -> ClientOptions) -> Self {
        let current = std::mem::take(self.client_options_mut());
        *self.client_options_mut() = adjust(current);
        self
    }

    /// Sets the connect, per-attempt and total timeouts.
    fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.client_options_mut().runtime.timeouts = timeouts;
        self
    }

    /// Sets the time allowed to establish a connection.
    fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.client_options_mut().runtime.timeouts.connect = timeout;
        self
    }

    /// Sets the time one attempt may take (sending, and reading the whole answer).
    fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.client_options_mut().runtime.timeouts.attempt = timeout;
        self
    }

    /// Sets the time a whole operation may take, all attempts and backoff included.
    fn total_timeout(mut self, timeout: Duration) -> Self {
        self.client_options_mut().runtime.timeouts.total = timeout;
        self
    }

    /// Sets the retry policy (a billed call that may have reached the service is never
    /// resent, whatever the policy).
    fn retry(mut self, retry: RetryPolicy) -> Self {
        self.client_options_mut().runtime.retry = retry;
        self
    }

    /// Sends through the caller's HTTP client (proxies, custom CAs, middleware).
    fn http_client(mut self, client: reqwest::Client) -> Self {
        self.client_options_mut().runtime.http_client = Some(client);
        self
    }

    /// Appends text to the `User-Agent` of the HTTP client built by the library.
    fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.client_options_mut().runtime.user_agent_suffix = Some(suffix.into());
        self
    }

    /// Limits `action` (its wire name) to `per_second` requests per second, shared by all
    /// clones of the client. A name the provider does not know fails the build.
    fn rate_limit(mut self, action: impl AsRef<str>, per_second: f64) -> Self {
        self.client_options_mut()
            .rate_limits
            .set(action, per_second);
        self
    }

    /// Limits every action to `per_second`, except those given a limit of their own.
    fn rate_limit_all(mut self, per_second: f64) -> Self {
        self.client_options_mut().rate_limits.set_all(per_second);
        self
    }

    /// Removes the client-side limit of `action`.
    fn no_rate_limit(mut self, action: impl AsRef<str>) -> Self {
        self.client_options_mut().rate_limits.remove(action);
        self
    }

    /// Removes every client-side limit, except those given a limit of their own.
    fn no_rate_limits(mut self) -> Self {
        self.client_options_mut().rate_limits.remove_all();
        self
    }

    /// Keeps the rate-limit budgets in `backend` instead of in this client: one budget per
    /// provider, account and action, shared by every client (in any process, for a shared
    /// store such as the `ocr-redis` crate's `RedisRateLimiter`) given the same backend.
    fn rate_limit_backend(mut self, backend: Arc<dyn RateLimitBackend>) -> Self {
        self.client_options_mut().rate_limit_backend = Some(backend);
        self
    }

    /// Counts shared budgets against `account` (a name, not a secret) instead of the account
    /// the provider derives from its credentials; for keys of one account whose ids differ
    /// (temporary keys). Used only with a [`rate_limit_backend`](Self::rate_limit_backend).
    fn rate_limit_account(mut self, account: impl Into<String>) -> Self {
        self.client_options_mut().rate_limit_account = Some(account.into());
        self
    }

    /// Uses another clock (tests, reproducible fixtures).
    fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.client_options_mut().clock = clock;
        self
    }
}

impl ConfigureClient for ClientOptions {
    fn client_options_mut(&mut self) -> &mut ClientOptions {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_is_action_then_all_then_default() {
        let limits = ClientOptions::default()
            .rate_limit("A", 1.0)
            .rate_limit_all(3.0)
            .rate_limits;
        assert_eq!(limits.for_action("A", Some(9.0)), Some(1.0));
        assert_eq!(limits.for_action("B", Some(9.0)), Some(3.0));
        assert_eq!(RateLimits::default().for_action("B", Some(9.0)), Some(9.0));
        assert_eq!(RateLimits::default().for_action("B", None), None);
        let off = ClientOptions::default()
            .no_rate_limits()
            .rate_limit("A", 2.0);
        assert_eq!(off.rate_limits.for_action("B", Some(9.0)), None);
        assert_eq!(off.rate_limits.for_action("A", Some(9.0)), Some(2.0));
    }

    #[test]
    fn an_unknown_action_or_a_bad_rate_fails_naming_it() {
        let typo = ClientOptions::default().rate_limit("ExtractDocMuti", 1.0);
        let err = typo
            .rate_limits
            .check("tc-ocr", &["ExtractDocMulti"])
            .unwrap_err();
        assert!(err.to_string().contains("ExtractDocMuti"), "{err}");
        assert!(err.to_string().contains("known: ExtractDocMulti"), "{err}");
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let options = ClientOptions::default().rate_limit_all(bad);
            assert!(options.rate_limits.check("x", &[]).is_err(), "{bad}");
        }
    }

    #[test]
    fn limiters_cover_limited_actions_only() {
        let options = ClientOptions::default().no_rate_limit("B");
        let limiters = options
            .rate_limits
            .limiters(
                "x",
                &[(1, "A", Some(5.0)), (2, "B", Some(5.0)), (3, "C", None)],
            )
            .unwrap();
        assert_eq!(limiters.keys().copied().collect::<Vec<_>>(), vec![1]);
        assert_eq!(limiters[&1].rate(), 5.0);
    }

    #[tokio::test]
    async fn a_backend_gets_keys_of_provider_account_and_action() {
        use crate::rate_limit::InProcessBackend;
        let backend: Arc<dyn RateLimitBackend> = Arc::new(InProcessBackend::new());
        let options = ClientOptions::default()
            .rate_limit_backend(backend.clone())
            .no_rate_limit("B");
        let derived = AccountId::lazy(|| Ok("derived".to_owned()));
        let limiters = options
            .limiters("x", &derived, &[(1, "A", Some(5.0)), (2, "B", Some(5.0))])
            .unwrap();
        assert_eq!(limiters.keys().copied().collect::<Vec<_>>(), vec![1]);
        limiters[&1].acquire().await.unwrap();
        let shown = format!("{:?}", limiters[&1]);
        assert!(
            shown.contains("derived") && shown.contains("InProcessBackend"),
            "{shown}"
        );
        // A named account replaces the derived one; unknown names still fail.
        let named = options.clone().rate_limit_account("team-a");
        let limiters = named
            .limiters("x", &derived, &[(1, "A", Some(5.0)), (2, "B", None)])
            .unwrap();
        limiters[&1].acquire().await.unwrap();
        assert!(format!("{:?}", limiters[&1]).contains("team-a"));
        let typo = named.rate_limit("Z", 1.0);
        assert!(typo
            .limiters("x", &derived, &[(1, "A", None), (2, "B", None)])
            .unwrap_err()
            .to_string()
            .contains("`Z`"));
        // Without a backend the account is never asked for.
        let never = AccountId::lazy(|| panic!("resolved without a backend"));
        let local = ClientOptions::default()
            .limiters("x", &never, &[(1, "A", Some(5.0))])
            .unwrap();
        local[&1].acquire().await.unwrap();
        assert!(local[&1].backend().is_none());
    }

    #[test]
    fn options_adjusts_in_place_and_client_options_replaces() {
        let base = ClientOptions::default().rate_limit("A", 1.0);
        let adjusted = base
            .clone()
            .options(|o| o.total_timeout(Duration::from_secs(7)));
        assert_eq!(adjusted.runtime.timeouts.total, Duration::from_secs(7));
        assert_eq!(adjusted.rate_limits, base.rate_limits);
        let replaced = adjusted.client_options(ClientOptions::default());
        assert_eq!(replaced.rate_limits, RateLimits::default());
    }
}

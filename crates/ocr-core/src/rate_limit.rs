//! Client-side rate limits, so a client stays within a provider's documented request rate
//! instead of collecting throttling errors.
//!
//! A [`RateLimiter`] is the handle [`Runtime::run`](crate::Runtime::run) takes a token from
//! before each attempt. It is cheap to clone and every clone draws from the same budget. It is
//! one of two things:
//!
//! - **in-process** (the default): a token bucket in this process, shared by the clones of one
//!   client ([`RateLimiter::new`], [`RateLimiter::per_second`]). It runs on tokio's clock, so
//!   tests can use `tokio::time::pause` and measure it exactly;
//! - **shared through a [`RateLimitBackend`]**: every limiter with the same [`LimitKey`]
//!   (provider, account, action) draws from one budget kept by the backend, for instance in
//!   Redis (the `ocr-redis` crate), so that many processes of one account stay within the
//!   account's limit together ([`RateLimiter::with_backend`]).
//!
//! Providers build their limiters with
//! [`ClientOptions::limiters`](crate::ClientOptions::limiters), which picks the backend the
//! options name ([`ConfigureClient::rate_limit_backend`](crate::ConfigureClient::rate_limit_backend))
//! and the account id the provider derives from its credentials ([`AccountId`]).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use async_trait::async_trait;
use sha2::{Digest, Sha256};
use tokio::time::Instant;

use crate::error::Result;

/// The domain-separation prefix of [`AccountId::from_secret`]'s hash.
const ACCOUNT_HASH_PREFIX: &[u8] = b"cloud-ocr-account\0";

/// Which budget a request draws from: the provider, the account and the action.
///
/// The services' limits are per account and action (ExtractDocMulti 5 requests/s per account,
/// …), so every process of one account that calls one action shares one key.
///
/// ```
/// let key = ocr_core::rate_limit::LimitKey::new("tc-ocr", "0123456789abcdef", "ExtractDocMulti");
/// assert_eq!(key.to_string(), "tc-ocr:0123456789abcdef:ExtractDocMulti");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub struct LimitKey {
    /// The provider id, e.g. `"tc-ocr"`.
    pub provider: String,
    /// The account: a hash of the credential's id ([`AccountId::from_secret`]) or a name the
    /// application chose; never a secret.
    pub account: String,
    /// The action (its wire name), e.g. `"ExtractDocMulti"`.
    pub action: String,
}

impl LimitKey {
    /// A key of `provider`, `account` and `action`.
    pub fn new(
        provider: impl Into<String>,
        account: impl Into<String>,
        action: impl Into<String>,
    ) -> Self {
        LimitKey {
            provider: provider.into(),
            account: account.into(),
            action: action.into(),
        }
    }
}

impl fmt::Display for LimitKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.provider, self.account, self.action)
    }
}

/// Where rate-limit budgets are kept: in this process ([`InProcessBackend`]) or in a store that
/// many processes share (the `ocr-redis` crate's `RedisRateLimiter`).
///
/// Object safe; hand one to every client with
/// [`ConfigureClient::rate_limit_backend`](crate::ConfigureClient::rate_limit_backend).
///
/// ```
/// use std::sync::Arc;
/// use ocr_core::rate_limit::{InProcessBackend, LimitKey, RateLimitBackend};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> ocr_core::Result<()> {
/// let backend: Arc<dyn RateLimitBackend> = Arc::new(InProcessBackend::new());
/// backend.acquire(&LimitKey::new("demo", "team-a", "Submit"), 5.0).await?;
/// # Ok(()) }
/// ```
#[async_trait]
pub trait RateLimitBackend: Send + Sync + fmt::Debug {
    /// Waits until one more request under `key` keeps it within `per_second` requests per
    /// second (across everyone sharing this backend's store), and counts that request.
    ///
    /// # Errors
    ///
    /// When the budget cannot be consulted (a store that cannot be reached): the request must
    /// then not be sent, and the error says why. A backend never lets requests through
    /// unlimited without saying so.
    async fn acquire(&self, key: &LimitKey, per_second: f64) -> Result<()>;
}

/// The in-process [`RateLimitBackend`]: one token bucket per [`LimitKey`] (as
/// [`RateLimiter::per_second`]), shared by every client given this backend. It is also what a
/// shared backend can fall back to.
///
/// ```
/// use std::sync::Arc;
/// use ocr_core::{ClientOptions, ConfigureClient};
/// use ocr_core::rate_limit::InProcessBackend;
///
/// // Two clients of the same account built from these options share their budgets.
/// let options = ClientOptions::default().rate_limit_backend(Arc::new(InProcessBackend::new()));
/// assert!(options.rate_limit_backend.is_some());
/// ```
#[derive(Debug, Default)]
pub struct InProcessBackend {
    buckets: Mutex<HashMap<LimitKey, RateLimiter>>,
}

impl InProcessBackend {
    /// No buckets yet; each key gets its own on first use.
    pub fn new() -> Self {
        Self::default()
    }

    /// The bucket of `key` at `per_second` (a new one if the key is new or its rate changed).
    fn bucket(&self, key: &LimitKey, per_second: f64) -> RateLimiter {
        let mut buckets = match self.buckets.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let wanted = RateLimiter::per_second(per_second);
        match buckets.get(key) {
            Some(bucket) if bucket.rate() == wanted.rate() => bucket.clone(),
            _ => {
                buckets.insert(key.clone(), wanted.clone());
                wanted
            }
        }
    }
}

#[async_trait]
impl RateLimitBackend for InProcessBackend {
    async fn acquire(&self, key: &LimitKey, per_second: f64) -> Result<()> {
        let bucket = self.bucket(key, per_second);
        bucket.acquire().await
    }
}

/// The account a limit is counted against: the services' limits are per account, so every
/// process of one account must name it the same way, and no secret may end up in a key.
///
/// Providers derive it from the credential's id with [`AccountId::from_secret`] (a hash;
/// lazily, at the first request that needs it, with [`AccountId::lazy`], so building a client
/// still needs no credentials). An application that wants another grouping (temporary keys,
/// whose ids change, of one account) names it with
/// [`ConfigureClient::rate_limit_account`](crate::ConfigureClient::rate_limit_account).
///
/// `Debug` shows the id once known, never what it was derived from.
///
/// ```
/// use ocr_core::rate_limit::AccountId;
///
/// let id = AccountId::from_secret("AKIDexample");
/// let shown = id.resolve()?;
/// assert_eq!(shown.len(), 16);
/// assert!(!shown.contains("AKID"));
/// assert_eq!(AccountId::new("team-a").resolve()?, "team-a");
/// # Ok::<(), ocr_core::Error>(())
/// ```
#[derive(Clone)]
pub struct AccountId {
    inner: Arc<AccountInner>,
}

type Resolve = Box<dyn Fn() -> Result<String> + Send + Sync>;

struct AccountInner {
    resolve: Option<Resolve>,
    resolved: OnceLock<String>,
}

impl AccountId {
    /// An account named by the application (not a secret: it becomes part of shared keys).
    pub fn new(id: impl Into<String>) -> Self {
        AccountId {
            inner: Arc::new(AccountInner {
                resolve: None,
                resolved: OnceLock::from(id.into()),
            }),
        }
    }

    /// The account of a credential or API key: the first 16 hex digits of
    /// SHA-256(`"cloud-ocr-account\0"` + `secret_id`). Pass the *id* of a key pair (Tencent's
    /// SecretId), never its secret key; for a lone API key (PicWish) the key itself, which the
    /// hash does not reveal.
    pub fn from_secret(secret_id: &str) -> Self {
        AccountId::new(account_hash(secret_id))
    }

    /// An account found when first needed (by `resolve`, which caches the first success), so
    /// that credentials are read when a request is made, not when a client is built.
    pub fn lazy(resolve: impl Fn() -> Result<String> + Send + Sync + 'static) -> Self {
        AccountId {
            inner: Arc::new(AccountInner {
                resolve: Some(Box::new(resolve)),
                resolved: OnceLock::new(),
            }),
        }
    }

    /// The account id, resolving it the first time.
    ///
    /// # Errors
    ///
    /// What the lazy resolver returned (credentials that cannot be loaded).
    pub fn resolve(&self) -> Result<String> {
        if let Some(id) = self.inner.resolved.get() {
            return Ok(id.clone());
        }
        let id = match &self.inner.resolve {
            Some(resolve) => resolve()?,
            None => String::new(),
        };
        Ok(self.inner.resolved.get_or_init(|| id).clone())
    }
}

impl fmt::Debug for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.inner.resolved.get() {
            Some(id) => f.debug_tuple("AccountId").field(id).finish(),
            None => f.write_str("AccountId(<not resolved yet>)"),
        }
    }
}

/// The account id of a credential: the first 16 hex digits of
/// SHA-256(`"cloud-ocr-account\0"` + `secret_id`), as [`AccountId::from_secret`] uses (for a
/// lazy [`AccountId`] that reads the credential when first needed).
///
/// ```
/// assert_eq!(ocr_core::rate_limit::account_hash("AKIDexample"), "a32804e1e31f8d1a");
/// ```
pub fn account_hash(secret_id: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(ACCOUNT_HASH_PREFIX);
    hasher.update(secret_id.as_bytes());
    let digest = hasher.finalize();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// A rate limit a client takes a token from before each request: an in-process token bucket,
/// or a budget kept by a shared [`RateLimitBackend`]. Clones share one budget.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> ocr_core::Result<()> {
/// let limiter = ocr_core::RateLimiter::per_second(5.0);
/// limiter.acquire().await?; // returns at once while tokens are left
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RateLimiter {
    inner: Arc<Kind>,
}

enum Kind {
    Local(Bucket),
    Shared(Shared),
}

/// An in-process token bucket: `rate` per second on average, bursts up to `burst`.
struct Bucket {
    rate: f64,
    burst: f64,
    state: Mutex<State>,
}

struct State {
    tokens: f64,
    updated: Instant,
}

/// A budget kept by a backend, under a key whose account is resolved at the first request.
struct Shared {
    backend: Arc<dyn RateLimitBackend>,
    provider: String,
    action: String,
    account: AccountId,
    rate: f64,
    key: OnceLock<LimitKey>,
}

/// A usable rate: a non-finite or non-positive rate becomes 1 per hour rather than a division
/// by zero.
fn sane_rate(rate: f64) -> f64 {
    if rate.is_finite() && rate > 0.0 {
        rate
    } else {
        1.0 / 3600.0
    }
}

impl RateLimiter {
    /// An in-process token bucket of `rate` requests per second, with a burst of `burst` (both
    /// at least a small positive value; a non-finite or non-positive rate is treated as 1 per
    /// hour rather than dividing by zero).
    pub fn new(rate: f64, burst: u32) -> Self {
        let burst = f64::from(burst.max(1));
        RateLimiter {
            inner: Arc::new(Kind::Local(Bucket {
                rate: sane_rate(rate),
                burst,
                state: Mutex::new(State {
                    tokens: burst,
                    updated: Instant::now(),
                }),
            })),
        }
    }

    /// An in-process token bucket of `rate` requests per second with a burst of one second's
    /// worth less one (at least 1).
    ///
    /// The one held back is a margin: a service counts requests as they arrive, and a
    /// request that spent longer in transit than the next one (a new connection, say) would
    /// otherwise make that next one arrive a little early, at a service whose bucket is
    /// exactly empty, and be throttled.
    pub fn per_second(rate: f64) -> Self {
        let burst = if rate.is_finite() && rate >= 2.0 {
            rate.floor() as u32 - 1
        } else {
            1
        };
        RateLimiter::new(rate, burst)
    }

    /// `rate` requests per second of `action`, counted by `backend` against `account` of
    /// `provider`: every limiter with the same key shares one budget, in whichever process it
    /// runs when the backend's store is shared. The account is resolved at the first
    /// [`acquire`](Self::acquire).
    pub fn with_backend(
        backend: Arc<dyn RateLimitBackend>,
        provider: impl Into<String>,
        account: AccountId,
        action: impl Into<String>,
        rate: f64,
    ) -> Self {
        RateLimiter {
            inner: Arc::new(Kind::Shared(Shared {
                backend,
                provider: provider.into(),
                action: action.into(),
                account,
                rate: sane_rate(rate),
                key: OnceLock::new(),
            })),
        }
    }

    /// The configured average rate per second.
    pub fn rate(&self) -> f64 {
        match &*self.inner {
            Kind::Local(bucket) => bucket.rate,
            Kind::Shared(shared) => shared.rate,
        }
    }

    /// The backend keeping this limiter's budget; `None` for an in-process bucket.
    pub fn backend(&self) -> Option<&Arc<dyn RateLimitBackend>> {
        match &*self.inner {
            Kind::Local(_) => None,
            Kind::Shared(shared) => Some(&shared.backend),
        }
    }

    /// Waits until a request may be sent, and takes its token.
    ///
    /// # Errors
    ///
    /// Never for an in-process bucket. For a shared one: when the account cannot be resolved
    /// (credentials that cannot be loaded) or the backend cannot be consulted; the request
    /// must not be sent then.
    pub async fn acquire(&self) -> Result<()> {
        match &*self.inner {
            Kind::Local(bucket) => {
                let wait = bucket.reserve();
                if !wait.is_zero() {
                    tokio::time::sleep(wait).await;
                }
                Ok(())
            }
            Kind::Shared(shared) => {
                let key = match shared.key.get() {
                    Some(key) => key,
                    None => {
                        let account = shared.account.resolve()?;
                        let key = LimitKey::new(&*shared.provider, account, &*shared.action);
                        shared.key.get_or_init(|| key)
                    }
                };
                shared.backend.acquire(key, shared.rate).await
            }
        }
    }
}

impl Bucket {
    /// Takes a token now (possibly going into debt) and returns how long the caller must wait
    /// before using it. Reserving up front keeps waiters in first-come order.
    fn reserve(&self) -> Duration {
        let now = Instant::now();
        let mut state = match self.state.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let elapsed = now.saturating_duration_since(state.updated).as_secs_f64();
        state.tokens = (state.tokens + elapsed * self.rate).min(self.burst);
        state.updated = now;
        state.tokens -= 1.0;
        if state.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-state.tokens / self.rate)
        }
    }
}

impl fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.inner {
            Kind::Local(bucket) => f
                .debug_struct("RateLimiter")
                .field("rate", &bucket.rate)
                .field("burst", &bucket.burst)
                .finish(),
            Kind::Shared(shared) => f
                .debug_struct("RateLimiter")
                .field("rate", &shared.rate)
                .field("backend", &shared.backend)
                .field("provider", &shared.provider)
                .field("account", &shared.account)
                .field("action", &shared.action)
                .finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{Error, ErrorKind};
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test(start_paused = true)]
    async fn limits_to_the_rate_after_the_burst() {
        let limiter = RateLimiter::new(5.0, 5);
        let start = Instant::now();
        for _ in 0..25 {
            limiter.acquire().await.unwrap();
        }
        // 5 free, then 20 more at 5/s = 4 s.
        let elapsed = start.elapsed();
        assert_eq!(elapsed, Duration::from_secs(4), "{elapsed:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn clones_share_one_bucket() {
        let a = RateLimiter::new(2.0, 1);
        let b = a.clone();
        let start = Instant::now();
        let t1 = tokio::spawn({
            let a = a.clone();
            async move {
                for _ in 0..3 {
                    a.acquire().await.unwrap();
                }
            }
        });
        let t2 = tokio::spawn(async move {
            for _ in 0..3 {
                b.acquire().await.unwrap();
            }
        });
        t1.await.unwrap();
        t2.await.unwrap();
        // 6 requests, 1 free, 5 more at 2/s = 2.5 s.
        assert_eq!(start.elapsed(), Duration::from_millis(2500));
    }

    #[tokio::test(start_paused = true)]
    async fn refills_while_idle_up_to_burst() {
        let limiter = RateLimiter::new(1.0, 2);
        limiter.acquire().await.unwrap();
        limiter.acquire().await.unwrap();
        tokio::time::sleep(Duration::from_secs(60)).await;
        let start = Instant::now();
        limiter.acquire().await.unwrap();
        limiter.acquire().await.unwrap();
        assert_eq!(start.elapsed(), Duration::ZERO);
        limiter.acquire().await.unwrap();
        assert_eq!(start.elapsed(), Duration::from_secs(1));
    }

    #[test]
    fn nonsense_rates_do_not_divide_by_zero() {
        assert!(RateLimiter::new(0.0, 0).rate() > 0.0);
        assert!(RateLimiter::per_second(f64::NAN).rate() > 0.0);
        let backend: Arc<dyn RateLimitBackend> = Arc::new(InProcessBackend::new());
        let shared = RateLimiter::with_backend(backend, "p", AccountId::new("a"), "x", -1.0);
        assert!(shared.rate() > 0.0);
    }

    #[tokio::test(start_paused = true)]
    async fn limiters_with_one_key_share_the_in_process_backend() {
        let backend: Arc<dyn RateLimitBackend> = Arc::new(InProcessBackend::new());
        let limiter = |account: &str| {
            RateLimiter::with_backend(backend.clone(), "p", AccountId::new(account), "x", 2.0)
        };
        // Two clients of account a (separately built) and one of account b.
        let (a1, a2, b) = (limiter("a"), limiter("a"), limiter("b"));
        let start = Instant::now();
        for _ in 0..3 {
            a1.acquire().await.unwrap();
            a2.acquire().await.unwrap();
        }
        // 6 requests of account a at 2/s with a burst of 1 (a second's worth less one): 5
        // after the burst = 2.5 s.
        assert_eq!(start.elapsed(), Duration::from_millis(2500));
        let start = Instant::now();
        b.acquire().await.unwrap();
        assert_eq!(
            start.elapsed(),
            Duration::ZERO,
            "account b has a budget of its own"
        );
        assert!(a1.backend().is_some());
        assert!(RateLimiter::per_second(1.0).backend().is_none());
    }

    /// Records the keys it is asked about; fails for account "down".
    #[derive(Debug, Default)]
    struct Recording {
        keys: Mutex<Vec<String>>,
    }

    #[async_trait]
    impl RateLimitBackend for Recording {
        async fn acquire(&self, key: &LimitKey, per_second: f64) -> Result<()> {
            if key.account == "down" {
                return Err(Error::new(ErrorKind::Service, "store unreachable"));
            }
            self.keys
                .lock()
                .unwrap()
                .push(format!("{key} @ {per_second}"));
            Ok(())
        }
    }

    #[tokio::test]
    async fn the_account_is_resolved_once_at_the_first_request() {
        let backend = Arc::new(Recording::default());
        let resolved = Arc::new(AtomicU32::new(0));
        let account = AccountId::lazy({
            let resolved = resolved.clone();
            move || {
                resolved.fetch_add(1, Ordering::SeqCst);
                Ok("acct".to_owned())
            }
        });
        let limiter = RateLimiter::with_backend(backend.clone(), "p", account.clone(), "x", 3.0);
        assert_eq!(resolved.load(Ordering::SeqCst), 0, "not when built");
        assert!(format!("{account:?}").contains("not resolved"));
        limiter.acquire().await.unwrap();
        limiter.clone().acquire().await.unwrap();
        assert_eq!(resolved.load(Ordering::SeqCst), 1);
        assert_eq!(
            *backend.keys.lock().unwrap(),
            ["p:acct:x @ 3", "p:acct:x @ 3"]
        );
        assert_eq!(format!("{account:?}"), "AccountId(\"acct\")");
    }

    #[tokio::test]
    async fn failures_to_resolve_or_to_reach_the_store_are_errors() {
        let backend = Arc::new(Recording::default());
        let unresolvable = AccountId::lazy(|| Err(Error::config("cannot load credentials")));
        let limiter = RateLimiter::with_backend(backend.clone(), "p", unresolvable, "x", 1.0);
        assert_eq!(
            limiter.acquire().await.unwrap_err().kind(),
            ErrorKind::Config
        );
        let down = RateLimiter::with_backend(backend, "p", AccountId::new("down"), "x", 1.0);
        let err = down.acquire().await.unwrap_err();
        assert!(err.to_string().contains("store unreachable"), "{err}");
    }

    #[test]
    fn account_ids_are_a_fixed_hash_of_the_id_only() {
        let id = AccountId::from_secret("AKIDexample").resolve().unwrap();
        // printf 'cloud-ocr-account\0AKIDexample' | sha256sum | cut -c1-16
        assert_eq!(id, "a32804e1e31f8d1a");
        assert_eq!(id.len(), 16);
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(id, account_hash("AKIDexample2"));
        assert_eq!(id, AccountId::from_secret("AKIDexample").resolve().unwrap());
    }
}

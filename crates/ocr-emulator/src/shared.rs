//! What every handler shares, below the dispatcher and the services: the configuration,
//! clock, ids, record, faults, rate limits, result files and buckets, and the hooks the
//! services call into them (rate limits, task-failure faults, downloads of URLs, the size of
//! the body a handler read).

use std::net::SocketAddr;

use bytes::Bytes;
use url::Url;

use crate::buckets::Buckets;
use crate::clock::EmulatorClock;
use crate::config::EmulatorConfig;
use crate::content::{self, Document};
use crate::fault::{Category, FaultBook, FaultKind};
use crate::files::FileStore;
use crate::ids::IdGen;
use crate::rate_limit::RateLimits;
use crate::record::Recorder;
use crate::service::Service;

/// Set by handlers on their response: how many request-body bytes they read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodySize(pub(crate) u64);

/// Everything the handlers share.
pub(crate) struct Shared {
    pub(crate) config: EmulatorConfig,
    pub(crate) clock: EmulatorClock,
    pub(crate) ids: IdGen,
    pub(crate) recorder: Recorder,
    pub(crate) faults: FaultBook,
    pub(crate) limits: RateLimits,
    /// Requests refused for their action's rate limit.
    pub(crate) throttled: std::sync::atomic::AtomicU64,
    pub(crate) files: FileStore,
    pub(crate) buckets: Buckets,
    pub(crate) base_url: Url,
    pub(crate) local_addr: SocketAddr,
}

impl Shared {
    pub(crate) fn new(
        config: EmulatorConfig,
        clock: EmulatorClock,
        seed: u64,
        local_addr: SocketAddr,
        base_url: Url,
    ) -> Self {
        let mut secret = [0u8; 32];
        let derived = crate::crypto::hmac_sha256(&seed.to_le_bytes(), b"file-url-secret");
        secret.copy_from_slice(&derived);
        let faults = FaultBook::new(seed, &config.faults);
        let limits = RateLimits::new(config.rate_limits.clone(), config.default_rate_limit);
        let buckets = Buckets::new(&config);
        Self {
            recorder: Recorder::new(config.record_capacity),
            ids: IdGen::new(seed),
            faults,
            limits,
            throttled: std::sync::atomic::AtomicU64::new(0),
            files: FileStore::new(secret),
            buckets,
            base_url,
            local_addr,
            clock,
            config,
        }
    }

    /// True when the action may proceed under its rate limit.
    pub(crate) fn within_rate_limit(&self, action: &str) -> bool {
        let within = self.limits.try_acquire(action);
        if !within {
            self.throttled
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        within
    }

    /// Takes a task-failure fault for a create call, if one is due.
    pub(crate) fn take_task_failure(
        &self,
        service: Service,
        action: &str,
    ) -> Option<(String, String)> {
        match self.faults.take(Category::Task, service, Some(action)) {
            Some(FaultKind::TaskFailure { code, message }) => Some((code, message)),
            _ => None,
        }
    }

    /// Takes a failed-pages fault for a create call, if one is due.
    pub(crate) fn take_failed_pages(&self, service: Service, action: &str) -> Option<Vec<u32>> {
        match self.faults.take(Category::Pages, service, Some(action)) {
            Some(FaultKind::FailedPages(pages)) => Some(pages),
            _ => None,
        }
    }

    /// True if `url` points at this emulator: its port, on a loopback address, `localhost`
    /// or the bound address (any host when the emulator listens on every interface).
    pub(crate) fn is_own_url(&self, url: &Url) -> bool {
        if url.port_or_known_default() != Some(self.local_addr.port()) {
            return false;
        }
        if self.local_addr.ip().is_unspecified() {
            return url.host_str().is_some();
        }
        match url.host() {
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => {
                std::net::IpAddr::V4(ip) == self.local_addr.ip() || ip.is_loopback()
            }
            Some(url::Host::Ipv6(ip)) => {
                std::net::IpAddr::V6(ip) == self.local_addr.ip() || ip.is_loopback()
            }
            None => false,
        }
    }

    /// The bytes behind a URL that points at this emulator's own result files or
    /// path-style COS objects; the error says what this emulator answers instead.
    fn resolve_own_url(&self, url: &Url) -> Result<(Bytes, String), String> {
        let path = url.path();
        if path.starts_with("/files/") {
            let now = self.clock.now_unix();
            return self
                .files
                .resolve("GET", path, url.query().unwrap_or_default(), now)
                .map(|file| (file.bytes, file.name))
                .map_err(|e| format!("the URL answers {}", e.describe()));
        }
        let decoded = crate::http_util::decode(path);
        let object = decoded
            .strip_prefix("/cos/")
            .and_then(|rest| rest.split_once('/'))
            .and_then(|(bucket, key)| Some((key, self.buckets.object(bucket, key)?)));
        match object {
            Some((key, object)) => {
                let name = key.rsplit('/').next().unwrap_or(key).to_owned();
                Ok((object.data, name))
            }
            None => Err("the URL answers HTTP 404 (no such file or object)".to_owned()),
        }
    }

    /// The document behind a URL, as the service would download it:
    ///
    /// * a URL of this emulator (its result files, path-style COS objects) is read, and
    ///   fails as that request would fail (expired or tampered link, missing object);
    /// * a URL the service could not download fails: an `.invalid` host (RFC 6761: never
    ///   resolves), port 0, or a loopback, private, link-local or unspecified address or a
    ///   `localhost` name other than this emulator (a cloud service cannot reach the
    ///   caller's machine or network);
    /// * any other http(s) URL is taken as downloadable and "recognised" from the URL
    ///   string, without fetching it.
    pub(crate) fn url_document(&self, url: &str) -> Document {
        let Ok(parsed) = Url::parse(url.trim()) else {
            return content::unreachable_url(url, "the URL cannot be parsed".to_owned());
        };
        if self.is_own_url(&parsed) {
            return match self.resolve_own_url(&parsed) {
                Ok((bytes, name)) => content::recognize_bytes(&bytes, &name),
                Err(reason) => content::unreachable_url(url, reason),
            };
        }
        match unreachable_reason(&parsed) {
            Some(reason) => content::unreachable_url(url, reason),
            None => content::recognize_url(url),
        }
    }
}

/// Why the service could not download a URL that is not this emulator's, if it could not.
pub(crate) fn unreachable_reason(url: &Url) -> Option<String> {
    if !matches!(url.scheme(), "http" | "https") {
        return Some(format!(
            "the scheme `{}` cannot be downloaded",
            url.scheme()
        ));
    }
    if url.port() == Some(0) {
        return Some("port 0 cannot be connected to".to_owned());
    }
    let private = |what: &str| {
        Some(format!(
            "{what} is not reachable from the service (it is on the caller's machine or private network)"
        ))
    };
    match url.host()? {
        url::Host::Domain(domain) => {
            let domain = domain.trim_end_matches('.').to_ascii_lowercase();
            if domain == "invalid" || domain.ends_with(".invalid") {
                return Some(format!("the host `{domain}` cannot be resolved"));
            }
            if domain == "localhost" || domain.ends_with(".localhost") {
                return private(&format!("`{domain}`"));
            }
            None
        }
        url::Host::Ipv4(ip) => {
            let local = ip.is_loopback()
                || ip.is_private()
                || ip.is_link_local()
                || ip.is_unspecified()
                || ip.is_broadcast();
            local
                .then(|| private(&format!("the address {ip}")))
                .flatten()
        }
        url::Host::Ipv6(ip) => {
            let first = ip.segments()[0];
            let local = ip.is_loopback()
                || ip.is_unspecified()
                || (first & 0xFE00) == 0xFC00
                || (first & 0xFFC0) == 0xFE80;
            local
                .then(|| private(&format!("the address {ip}")))
                .flatten()
        }
    }
}

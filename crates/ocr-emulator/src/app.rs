//! The shared state behind the one port, and the dispatcher every request goes through:
//! classify → record → faults → service handler → common headers.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, Extensions, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use url::Url;

use crate::clock::{http_date, EmulatorClock};
use crate::config::EmulatorConfig;
use crate::connection::ConnInfo;
use crate::content::{self, Document};
use crate::fault::{Category, FaultBook, FaultKind};
use crate::files::FileStore;
use crate::http_util::drain;
use crate::ids::IdGen;
use crate::rate_limit::RateLimits;
use crate::record::{redact_header, redact_query, RecordedRequest, Recorder};
use crate::route::{classify, Route, Target};
use crate::service::Service;

/// Set by handlers on their response: how many request-body bytes they read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodySize(pub(crate) u64);

/// Everything the handlers share.
pub(crate) struct App {
    pub(crate) config: EmulatorConfig,
    pub(crate) clock: EmulatorClock,
    pub(crate) ids: IdGen,
    pub(crate) recorder: Recorder,
    pub(crate) faults: FaultBook,
    pub(crate) limits: RateLimits,
    pub(crate) files: FileStore,
    pub(crate) base_url: Url,
    pub(crate) local_addr: SocketAddr,
    pub(crate) tencent: crate::tencent::TencentState,
    pub(crate) cos: crate::cos::CosState,
    pub(crate) picwish: crate::picwish::PicWishState,
    /// Added to every response: hyper's header-case map (see `header_case`).
    pub(crate) header_case: Extensions,
}

impl App {
    pub(crate) fn new(
        config: EmulatorConfig,
        clock: EmulatorClock,
        seed: u64,
        local_addr: SocketAddr,
        base_url: Url,
        header_case: Extensions,
    ) -> Self {
        let mut secret = [0u8; 32];
        let derived = crate::crypto::hmac_sha256(&seed.to_le_bytes(), b"file-url-secret");
        secret.copy_from_slice(&derived);
        let faults = FaultBook::new(seed, &config.faults);
        let limits = RateLimits::new(config.rate_limits.clone(), config.default_rate_limit);
        let cos = crate::cos::CosState::new(&config);
        Self {
            recorder: Recorder::new(config.record_capacity),
            ids: IdGen::new(seed),
            faults,
            limits,
            files: FileStore::new(secret),
            base_url,
            local_addr,
            tencent: crate::tencent::TencentState::default(),
            cos,
            picwish: crate::picwish::PicWishState::default(),
            header_case,
            clock,
            config,
        }
    }

    /// True when the action may proceed under its rate limit.
    pub(crate) fn within_rate_limit(&self, action: &str) -> bool {
        self.limits.try_acquire(action)
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
            .and_then(|(bucket, key)| Some((key, self.cos.object(bucket, key)?)));
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

/// The one handler behind every path.
pub(crate) async fn dispatch(
    State(app): State<Arc<App>>,
    ConnectInfo(conn): ConnectInfo<ConnInfo>,
    request: Request,
) -> Response {
    if crate::route::is_control(request.uri(), request.headers()) {
        let mut response = crate::control::handle(&app, request).await;
        finish(&app, &mut response);
        return response;
    }
    let seq = app.recorder.next_seq();
    let at_millis = app.clock.now_millis();
    let (parts, body) = request.into_parts();
    let route = classify(&parts.method, &parts.uri, &parts.headers);
    let announced_size = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    let mut record = RecordedRequest {
        seq,
        at_millis,
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: redact_query(parts.uri.query().unwrap_or_default()),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| {
                let value = String::from_utf8_lossy(v.as_bytes());
                (n.as_str().to_owned(), redact_header(n.as_str(), &value))
            })
            .collect(),
        body_size: announced_size,
        service: route.service,
        action: route.action.clone(),
        status: None,
        fault: None,
    };
    let action = route.action.as_deref();
    let mut notes: Vec<String> = Vec::new();

    if let Some(FaultKind::Latency(delay)) =
        app.faults.take(Category::Latency, route.service, action)
    {
        notes.push(format!("{:?}", FaultKind::Latency(delay)));
        tokio::time::sleep(delay).await;
    }
    let fault = app.faults.take(Category::Response, route.service, action);
    if let Some(kind) = &fault {
        notes.push(format!("{kind:?}"));
    }

    // A fault answers in place of the service: the request body is read and discarded first,
    // so a client still uploading gets the answer rather than a reset connection.
    let mut response = match &fault {
        Some(FaultKind::Throttle) => {
            drain(body).await;
            throttled(&app, &route)
        }
        Some(FaultKind::ServerError) => {
            drain(body).await;
            internal_error(&app, &route)
        }
        Some(FaultKind::HttpStatus(status)) => {
            drain(body).await;
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::BAD_GATEWAY);
            (status, format!("{status}\n")).into_response()
        }
        Some(FaultKind::DropConnection) => {
            conn.kill();
            record.fault = Some(notes.join(", "));
            app.recorder.push(record);
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
        _ => handle(&app, &route, parts, body).await,
    };

    if let Some(BodySize(size)) = response.extensions().get::<BodySize>() {
        record.body_size = *size;
    }
    match &fault {
        Some(FaultKind::TruncatedBody) => response = truncate(response).await,
        Some(FaultKind::MalformedBody) => response = malform(response).await,
        _ => {}
    }
    finish(&app, &mut response);
    record.status = Some(response.status().as_u16());
    if !notes.is_empty() {
        record.fault = Some(notes.join(", "));
    }
    app.recorder.push(record);
    response
}

/// What every answer gets: the `Date` of the emulator clock, and header names in the case
/// the services write them.
fn finish(app: &App, response: &mut Response) {
    if let Ok(date) = HeaderValue::from_str(&http_date(app.clock.now_unix())) {
        response.headers_mut().insert(header::DATE, date);
    }
    response.extensions_mut().extend(app.header_case.clone());
}

async fn handle(
    app: &Arc<App>,
    route: &Route,
    parts: axum::http::request::Parts,
    body: Body,
) -> Response {
    match &route.target {
        Target::Tencent => crate::tencent::handle(app, route, parts, body).await,
        Target::PicWishCreate => crate::picwish::create(app, parts, body).await,
        Target::PicWishQuery(id) => crate::picwish::query(app, &parts, id),
        Target::PicWishBadMethod => crate::picwish::error(
            StatusCode::NOT_FOUND,
            "The requested URL or method does not exist.",
        ),
        Target::Bucket(target) => crate::cos::handle(app, route, target, parts, body).await,
        Target::File => crate::files::handle(
            app,
            &parts.method,
            parts.uri.path(),
            parts.uri.query().unwrap_or_default(),
        ),
        Target::Index => index(app),
        Target::NotFound => (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"error":"no emulated service at this path"}"#,
        )
            .into_response(),
    }
}

fn index(app: &App) -> Response {
    let e = crate::endpoints::Endpoints::new(&app.base_url, &app.config);
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!(
            "ocr-emulator\ntencent (OCR, LKEAP): {}\npicwish: {}\ncos: {}\nci: {}\n",
            e.tencent, e.picwish, e.cos, e.ci
        ),
    )
        .into_response()
}

fn throttled(app: &App, route: &Route) -> Response {
    match &route.target {
        Target::Tencent => crate::tencent::envelope::error(
            app,
            "RequestLimitExceeded",
            "Your current request rate exceeds the frequency limit of this action. Please reduce the frequency of calls.",
        ),
        Target::PicWishCreate | Target::PicWishQuery(_) | Target::PicWishBadMethod => {
            crate::picwish::error(
                StatusCode::TOO_MANY_REQUESTS,
                "Request frequency exceeds the QPS limit.",
            )
        }
        Target::Bucket(t) => crate::cos::xml::error_response(
            app,
            t.ci,
            StatusCode::SERVICE_UNAVAILABLE,
            "SlowDown",
            "Please reduce your request rate.",
            &t.sign_path,
        ),
        Target::File => crate::cos::xml::error_response(
            app,
            false,
            StatusCode::SERVICE_UNAVAILABLE,
            "SlowDown",
            "Please reduce your request rate.",
            "",
        ),
        Target::Index | Target::NotFound => {
            (StatusCode::TOO_MANY_REQUESTS, "Too Many Requests\n").into_response()
        }
    }
}

fn internal_error(app: &App, route: &Route) -> Response {
    match &route.target {
        Target::Tencent => crate::tencent::envelope::error(
            app,
            "InternalError",
            "An internal error has occurred. Retry your request, but if the problem persists, contact us.",
        ),
        Target::PicWishCreate | Target::PicWishQuery(_) | Target::PicWishBadMethod => {
            crate::picwish::error(StatusCode::INTERNAL_SERVER_ERROR, "Server-side exception.")
        }
        Target::Bucket(t) => crate::cos::xml::error_response(
            app,
            t.ci,
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            "We encountered an internal error. Please try again.",
            &t.sign_path,
        ),
        Target::File => crate::cos::xml::error_response(
            app,
            false,
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            "We encountered an internal error. Please try again.",
            "",
        ),
        Target::Index | Target::NotFound => {
            (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error\n").into_response()
        }
    }
}

/// Sends the headers with the full `Content-Length`, half the body, then aborts.
async fn truncate(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    let half = bytes.slice(..bytes.len() / 2);
    let stream = futures_util::stream::unfold(0u8, move |step| {
        let half = half.clone();
        async move {
            match step {
                0 => Some((Ok::<Bytes, std::io::Error>(half), 1)),
                1 => {
                    // Let hyper flush what it has before the connection is aborted.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    Some((
                        Err(std::io::Error::other("body truncated by the emulator")),
                        2,
                    ))
                }
                _ => None,
            }
        }
    });
    Response::from_parts(parts, Body::from_stream(stream))
}

/// A complete response whose body is cut in half (unparseable).
async fn malform(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
    let cut = if bytes.is_empty() {
        Bytes::from_static(b"{\"")
    } else {
        bytes.slice(..bytes.len() / 2)
    };
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(cut.len()));
    Response::from_parts(parts, Body::from(cut))
}

//! The dispatcher every request goes through: classify → record → faults → service handler
//! → common headers. It depends on the services (and on what they share, [`Shared`]); no
//! service depends on it.

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
use crate::fault::{Category, FaultKind};
use crate::http_util::drain;
use crate::record::{redact_header, redact_query, RecordedRequest};
use crate::route::{classify, Route, Target};
use crate::shared::{BodySize, Shared};

/// The dispatcher's state: what the handlers share, and each service's own tables.
pub(crate) struct App {
    pub(crate) shared: Shared,
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
        Self {
            shared: Shared::new(config, clock, seed, local_addr, base_url),
            tencent: crate::tencent::TencentState::default(),
            cos: crate::cos::CosState::default(),
            picwish: crate::picwish::PicWishState::default(),
            header_case,
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
        let mut response = crate::control::handle(&app.shared, request).await;
        finish(&app, &mut response);
        return response;
    }
    let seq = app.shared.recorder.next_seq();
    let at_millis = app.shared.clock.now_millis();
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
        app.shared
            .faults
            .take(Category::Latency, route.service, action)
    {
        notes.push(format!("{:?}", FaultKind::Latency(delay)));
        tokio::time::sleep(delay).await;
    }
    let fault = app
        .shared
        .faults
        .take(Category::Response, route.service, action);
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
            app.shared.recorder.push(record);
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
    app.shared.recorder.push(record);
    response
}

/// What every answer gets: the `Date` of the emulator clock, and header names in the case
/// the services write them.
fn finish(app: &App, response: &mut Response) {
    if let Ok(date) = HeaderValue::from_str(&http_date(app.shared.clock.now_unix())) {
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
        Target::Tencent => {
            let (action, service) = (route.action.as_deref(), route.service);
            crate::tencent::handle(&app.shared, &app.tencent, service, action, parts, body).await
        }
        Target::PicWishCreate => {
            crate::picwish::create(&app.shared, &app.picwish, parts, body).await
        }
        Target::PicWishQuery(id) => crate::picwish::query(&app.shared, &app.picwish, &parts, id),
        Target::PicWishBadMethod => crate::picwish::error(
            StatusCode::NOT_FOUND,
            "The requested URL or method does not exist.",
        ),
        Target::Bucket(target) => {
            let action = route.action.as_deref();
            crate::cos::handle(&app.shared, &app.cos, action, target, parts, body).await
        }
        Target::File => crate::result_files::handle(
            &app.shared,
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
    let e = crate::endpoints::Endpoints::new(&app.shared.base_url, &app.shared.config);
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
            &app.shared,
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
            &app.shared,
            t.ci,
            StatusCode::SERVICE_UNAVAILABLE,
            "SlowDown",
            "Please reduce your request rate.",
            &t.sign_path,
        ),
        Target::File => crate::cos::xml::error_response(
            &app.shared,
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
            &app.shared,
            "InternalError",
            "An internal error has occurred. Retry your request, but if the problem persists, contact us.",
        ),
        Target::PicWishCreate | Target::PicWishQuery(_) | Target::PicWishBadMethod => {
            crate::picwish::error(StatusCode::INTERNAL_SERVER_ERROR, "Server-side exception.")
        }
        Target::Bucket(t) => crate::cos::xml::error_response(
            &app.shared,
            t.ci,
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            "We encountered an internal error. Please try again.",
            &t.sign_path,
        ),
        Target::File => crate::cos::xml::error_response(
            &app.shared,
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

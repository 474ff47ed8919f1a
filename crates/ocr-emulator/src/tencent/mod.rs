//! Tencent Cloud API 3.0: OCR (2018-11-19) and LKEAP (2024-05-22) on `/`, told apart
//! by `X-TC-Action`.
//!
//! Order of checks: method, body size, TC3 signature (and token), action, version,
//! credential-scope service, region, rate limit, parameters, then the action itself.

pub(crate) mod card;
pub(crate) mod envelope;
pub(crate) mod lkeap;
pub(crate) mod ocr;
pub(crate) mod params;
pub(crate) mod regions;

use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::http::request::Parts;
use axum::http::Method;
use axum::response::Response;
use base64::Engine as _;
use serde_json::{Map, Value};

use crate::app::{App, BodySize};
use crate::auth::{verify_tc3, Tc3Input};
use crate::content::{self, Document};
use crate::http_util::{borrow_pairs, header_pairs, header_str, parse_query};
use crate::route::Route;
use crate::service::Service;
use crate::tasks::{TaskTable, MAX_TASKS};
use envelope::TcError;

/// Largest request body accepted (the documented 10 MB base64 limits plus the JSON
/// around them fit; beyond: `RequestSizeLimitExceeded`).
const MAX_BODY: usize = 16 * 1024 * 1024;

/// OCR API version.
pub(crate) const OCR_VERSION: &str = "2018-11-19";
/// LKEAP API version.
pub(crate) const LKEAP_VERSION: &str = "2024-05-22";

const OCR_ACTIONS: &[&str] = &[
    "ExtractDocMulti",
    "GeneralBasicOCR",
    "GeneralAccurateOCR",
    "ApplyCardVerificationExternal",
    "GetCardVerificationExternalResult",
];
const LKEAP_ACTIONS: &[&str] = &[
    "CreateReconstructDocumentFlow",
    "GetReconstructDocumentResult",
    "ReconstructDocumentSSE",
    "CreateSplitDocumentFlow",
    "GetSplitDocumentResult",
];

/// The service an action belongs to (`Unknown` for actions the emulator lacks).
pub(crate) fn service_of(action: &str) -> Service {
    if OCR_ACTIONS.contains(&action) {
        Service::Ocr
    } else if LKEAP_ACTIONS.contains(&action) {
        Service::Lkeap
    } else {
        Service::Unknown
    }
}

/// Tasks of the API 3.0 services.
pub(crate) struct TencentState {
    pub(crate) lkeap: TaskTable<String, lkeap::LkeapTask>,
    pub(crate) cards: TaskTable<String, card::CardTask>,
}

impl Default for TencentState {
    fn default() -> Self {
        Self {
            lkeap: TaskTable::new(MAX_TASKS),
            cards: TaskTable::new(MAX_TASKS),
        }
    }
}

/// What an action handler gets.
pub(crate) struct Call<'a> {
    pub(crate) app: &'a Arc<App>,
    pub(crate) action: &'a str,
    pub(crate) service: Service,
    pub(crate) params: Map<String, Value>,
}

impl Call<'_> {
    /// The parameters as a typed request (after the table check).
    pub(crate) fn typed<T: serde::de::DeserializeOwned>(&self) -> Result<T, TcError> {
        serde_json::from_value(Value::Object(self.params.clone()))
            .map_err(|e| TcError::new("InvalidParameter", format!("invalid parameters: {e}")))
    }
}

fn with_size(mut response: Response, size: usize) -> Response {
    response.extensions_mut().insert(BodySize(size as u64));
    response
}

/// Handles one API 3.0 request.
pub(crate) async fn handle(app: &Arc<App>, route: &Route, parts: Parts, body: Body) -> Response {
    let action = route.action.clone().unwrap_or_default();
    if parts.method != Method::POST && parts.method != Method::GET {
        return envelope::error(
            app,
            "UnsupportedProtocol",
            "Only GET and POST are supported.",
        );
    }
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return envelope::error(
            app,
            "RequestSizeLimitExceeded",
            "The request body is larger than the service accepts.",
        );
    };
    let size = bytes.len();
    let outcome = run(app, route, &action, &parts, &bytes).await;
    let response = match outcome {
        Ok(response) => response,
        Err(e) => envelope::from_error(app, &e),
    };
    with_size(response, size)
}

async fn run(
    app: &Arc<App>,
    route: &Route,
    action: &str,
    parts: &Parts,
    body: &[u8],
) -> Result<Response, TcError> {
    let headers = header_pairs(&parts.headers);
    let pairs = borrow_pairs(&headers);
    let input = Tc3Input {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query().unwrap_or_default(),
        headers: &pairs,
        body,
    };
    let verified = verify_tc3(&input, &app.config.credentials, app.clock.now_unix())
        .map_err(|e| TcError::new(e.code, e.message))?;

    let version = header_str(&parts.headers, "x-tc-version")
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            TcError::new(
                "MissingParameter",
                "The request is missing a required parameter `Version` (header X-TC-Version).",
            )
        })?;
    let (product, product_version) = match route.service {
        Service::Ocr => ("ocr", OCR_VERSION),
        Service::Lkeap => ("lkeap", LKEAP_VERSION),
        _ => {
            return Err(TcError::new(
                "InvalidAction",
                format!("The action `{action}` does not exist (emulated: OCR {OCR_VERSION}, LKEAP {LKEAP_VERSION})."),
            ))
        }
    };
    if version != product_version {
        return Err(TcError::new(
            "NoSuchVersion",
            format!(
                "The API version `{version}` of `{action}` does not exist (use {product_version})."
            ),
        ));
    }
    if verified.service != product {
        return Err(TcError::new(
            "AuthFailure.SignatureFailure",
            format!(
                "The credential scope service `{}` does not match the service `{product}` of `{action}`.",
                verified.service
            ),
        ));
    }
    regions::check(action, header_str(&parts.headers, "x-tc-region"))?;
    if !app.within_rate_limit(action) {
        return Err(TcError::new(
            "RequestLimitExceeded",
            format!(
                "The request rate of `{action}` exceeds its limit of {} per second. Please reduce the frequency of calls.",
                app.limits.rate(action)
            ),
        ));
    }

    let params = if parts.method == Method::GET {
        let table = table(action);
        params::from_query(&parse_query(parts.uri.query().unwrap_or_default()), table)?
    } else {
        let content_type = header_str(&parts.headers, "content-type").unwrap_or_default();
        if !content_type
            .trim()
            .to_ascii_lowercase()
            .starts_with("application/json")
        {
            return Err(TcError::new(
                "InvalidParameter",
                format!("POST requests of `{action}` need `Content-Type: application/json` (got `{content_type}`)."),
            ));
        }
        if body.iter().all(u8::is_ascii_whitespace) {
            Map::new()
        } else {
            match serde_json::from_slice::<Value>(body) {
                Ok(Value::Object(map)) => map,
                Ok(_) => {
                    return Err(TcError::new(
                        "InvalidParameter",
                        "The request body must be a JSON object.",
                    ))
                }
                Err(e) => {
                    return Err(TcError::new(
                        "InvalidParameter",
                        format!("The request body is not valid JSON: {e}."),
                    ))
                }
            }
        }
    };
    params::validate(&params, table(action))?;
    let call = Call {
        app,
        action,
        service: route.service,
        params,
    };
    match action {
        "ExtractDocMulti" => ocr::extract_doc_multi(&call),
        "GeneralBasicOCR" => ocr::general_basic(&call),
        "GeneralAccurateOCR" => ocr::general_accurate(&call),
        "ApplyCardVerificationExternal" => card::apply(&call),
        "GetCardVerificationExternalResult" => card::get_result(&call),
        "CreateReconstructDocumentFlow" => lkeap::create_reconstruct(&call),
        "GetReconstructDocumentResult" => lkeap::get_reconstruct(&call),
        "CreateSplitDocumentFlow" => lkeap::create_split(&call),
        "GetSplitDocumentResult" => lkeap::get_split(&call),
        "ReconstructDocumentSSE" => lkeap::sse(&call),
        _ => Err(TcError::new(
            "InvalidAction",
            format!("The action `{action}` does not exist."),
        )),
    }
}

fn table(action: &str) -> &'static [params::Field] {
    match action {
        "ExtractDocMulti" => ocr::EXTRACT_DOC_MULTI,
        "GeneralBasicOCR" => ocr::GENERAL_BASIC,
        "GeneralAccurateOCR" => ocr::GENERAL_ACCURATE,
        "ApplyCardVerificationExternal" => card::APPLY,
        "GetCardVerificationExternalResult" => card::GET_RESULT,
        "CreateReconstructDocumentFlow" => lkeap::CREATE_RECONSTRUCT,
        "GetReconstructDocumentResult" | "GetSplitDocumentResult" => lkeap::GET_RESULT,
        "CreateSplitDocumentFlow" => lkeap::CREATE_SPLIT,
        "ReconstructDocumentSSE" => lkeap::SSE,
        _ => &[],
    }
}

/// Where a document comes from.
pub(crate) enum Source {
    Url(String),
    Bytes(Vec<u8>),
}

/// The one source of a pair of URL / base64 parameters.
///
/// Both given is refused (the services would silently prefer the URL, which hides a
/// client bug); neither given is `MissingParameter`; a base64 text longer than
/// `max_base64` answers `too_large_code`; undecodable base64 answers `decode_code`.
pub(crate) fn one_source(
    params: &Map<String, Value>,
    url_key: &str,
    base64_key: &str,
    max_base64: usize,
    too_large_code: &str,
    decode_code: &str,
    required: bool,
) -> Result<Option<Source>, TcError> {
    let url = params
        .get(url_key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    let b64 = params
        .get(base64_key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    match (url, b64) {
        (Some(_), Some(_)) => Err(TcError::new(
            "InvalidParameterValue.InvalidParameterValueLimit",
            format!("`{url_key}` and `{base64_key}` are mutually exclusive: send exactly one."),
        )),
        (None, None) if required => Err(TcError::new(
            "MissingParameter",
            format!("One of `{url_key}` or `{base64_key}` is required."),
        )),
        (None, None) => Ok(None),
        (Some(url), None) => Ok(Some(Source::Url(url.to_owned()))),
        (None, Some(text)) => {
            if text.len() > max_base64 {
                return Err(TcError::new(
                    too_large_code,
                    format!(
                        "`{base64_key}` is {} bytes of base64; the limit is {} bytes.",
                        text.len(),
                        max_base64
                    ),
                ));
            }
            let bytes = decode_base64(text).ok_or_else(|| {
                TcError::new(decode_code, format!("`{base64_key}` is not valid base64."))
            })?;
            Ok(Some(Source::Bytes(bytes)))
        }
    }
}

/// Decodes standard base64 (padding optional, whitespace ignored, an optional
/// `data:<type>;base64,` prefix skipped).
pub(crate) fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let text = match text.split_once(";base64,") {
        Some((prefix, rest)) if prefix.starts_with("data:") => rest,
        _ => text,
    };
    let cleaned: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let trimmed = cleaned.trim_end_matches('=');
    base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(trimmed)
        .ok()
        .filter(|b| !b.is_empty())
}

/// Checks that a URL is an http(s) URL.
pub(crate) fn check_url(url: &str, key: &str, code: &str) -> Result<(), TcError> {
    match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => Ok(()),
        _ => Err(TcError::new(
            code,
            format!("`{key}` `{url}` is not an http(s) URL."),
        )),
    }
}

/// The document behind a source: bytes are recognised, URLs as
/// [`App::url_document`] downloads them. Either may come back
/// [`Unreadable`](content::Unreadable).
pub(crate) fn document(app: &App, source: &Source, name: &str) -> Document {
    match source {
        Source::Bytes(bytes) => content::recognize_bytes(bytes, name),
        Source::Url(url) => app.url_document(url),
    }
}

/// A JSON `{X, Y}`.
pub(crate) fn coord(x: i64, y: i64) -> Value {
    serde_json::json!({ "X": x, "Y": y })
}

/// A JSON `Polygon` object (`LeftTop`, `RightTop`, `RightBottom`, `LeftBottom`).
pub(crate) fn polygon_object(rect: &content::Rect) -> Value {
    let [lt, rt, rb, lb] = rect.corners();
    serde_json::json!({
        "LeftTop": coord(lt.0, lt.1),
        "RightTop": coord(rt.0, rt.1),
        "RightBottom": coord(rb.0, rb.1),
        "LeftBottom": coord(lb.0, lb.1),
    })
}

/// A JSON array of the 4 corners.
pub(crate) fn polygon_array(rect: &content::Rect) -> Value {
    Value::Array(rect.corners().iter().map(|(x, y)| coord(*x, *y)).collect())
}

/// Turns a `serde_json::json!` object into a field map.
pub(crate) fn fields(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

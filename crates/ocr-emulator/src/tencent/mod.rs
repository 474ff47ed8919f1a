//! Tencent Cloud API 3.0: OCR (2018-11-19) and LKEAP (2024-05-22) on `/`, told apart
//! by `X-TC-Action`.
//!
//! Order of checks: method, body size, TC3 signature (and token), action, version,
//! credential-scope service, region, rate limit, parameters, then the action itself.

pub(crate) mod call;
pub(crate) mod card;
pub(crate) mod envelope;
pub(crate) mod lkeap;
pub(crate) mod ocr;
pub(crate) mod params;
pub(crate) mod regions;

use axum::body::{to_bytes, Body};
use axum::http::request::Parts;
use axum::http::Method;
use axum::response::Response;
use serde_json::{Map, Value};

use crate::auth::{verify_tc3, Tc3Input};
use crate::http_util::{borrow_pairs, header_pairs, header_str, parse_query};
use crate::service::Service;
use crate::shared::{BodySize, Shared};
use crate::tasks::{TaskTable, MAX_TASKS};
use call::Call;
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
    pub(crate) lkeap: lkeap::LkeapTasks,
    pub(crate) cards: card::CardTasks,
}

impl Default for TencentState {
    fn default() -> Self {
        Self {
            lkeap: TaskTable::new(MAX_TASKS),
            cards: TaskTable::new(MAX_TASKS),
        }
    }
}

fn with_size(mut response: Response, size: usize) -> Response {
    response.extensions_mut().insert(BodySize(size as u64));
    response
}

/// Handles one API 3.0 request.
pub(crate) async fn handle(
    shared: &Shared,
    state: &TencentState,
    service: Service,
    action: Option<&str>,
    parts: Parts,
    body: Body,
) -> Response {
    let action = action.unwrap_or_default();
    if parts.method != Method::POST && parts.method != Method::GET {
        return envelope::error(
            shared,
            "UnsupportedProtocol",
            "Only GET and POST are supported.",
        );
    }
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return envelope::error(
            shared,
            "RequestSizeLimitExceeded",
            "The request body is larger than the service accepts.",
        );
    };
    let size = bytes.len();
    let outcome = run(shared, state, service, action, &parts, &bytes).await;
    let response = match outcome {
        Ok(response) => response,
        Err(e) => envelope::from_error(shared, &e),
    };
    with_size(response, size)
}

async fn run(
    shared: &Shared,
    state: &TencentState,
    service: Service,
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
    let verified = verify_tc3(&input, &shared.config.credentials, shared.clock.now_unix())
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
    let (product, product_version) = match service {
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
    if !shared.within_rate_limit(action) {
        return Err(TcError::new(
            "RequestLimitExceeded",
            format!(
                "The request rate of `{action}` exceeds its limit of {} per second. Please reduce the frequency of calls.",
                shared.limits.rate(action)
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
        shared,
        action,
        service,
        params,
    };
    match action {
        "ExtractDocMulti" => ocr::extract_doc_multi(&call),
        "GeneralBasicOCR" => ocr::general_basic(&call),
        "GeneralAccurateOCR" => ocr::general_accurate(&call),
        "ApplyCardVerificationExternal" => card::apply(&call, &state.cards),
        "GetCardVerificationExternalResult" => card::get_result(&call, &state.cards),
        "CreateReconstructDocumentFlow" => lkeap::create_reconstruct(&call, &state.lkeap),
        "GetReconstructDocumentResult" => lkeap::get_reconstruct(&call, &state.lkeap),
        "CreateSplitDocumentFlow" => lkeap::create_split(&call, &state.lkeap),
        "GetSplitDocumentResult" => lkeap::get_split(&call, &state.lkeap),
        "ReconstructDocumentSSE" => lkeap::sse(&call, &state.lkeap),
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

//! The signed API 3.0 call: one client per product (OCR, LKEAP), shared by its provider crate.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use ocr_core::clock::{send_resigning_once, ServerClock};
use ocr_core::rate_limit::{account_hash, AccountId};
use ocr_core::{
    ClientOptions, ConfigureClient, Error, ErrorKind, Idempotency, Operation, RateLimiter, Result,
    Runtime,
};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::de::DeserializeOwned;
use serde::Serialize;
use tc_signing::{
    CachedCredentials, ConfigureCredentials, Credential, CredentialError, PayloadHash,
    ProvideCredential, Tc3Request, Tc3Signer,
};
use url::Url;

use crate::endpoint::{host_header, Endpoint, Language};
use crate::envelope::{decode_response, parse_envelope, ApiError, Envelope, SIGNATURE_EXPIRE};

/// The content type every JSON call sends and signs (as the official SDKs do).
pub const JSON_CONTENT_TYPE: &str = "application/json";

/// Identifies this library to Tencent in `X-TC-RequestClient` (allowed characters only).
pub const REQUEST_CLIENT: &str = concat!("CLOUD_OCR_RUST_", env!("CARGO_PKG_VERSION"));

/// A product of API 3.0 as a client needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Service {
    /// The product's short name: first label of its domain and the credential-scope service
    /// (`"ocr"`, `"lkeap"`).
    pub name: &'static str,
    /// The API version sent in `X-TC-Version` (`"2018-11-19"`, `"2024-05-22"`).
    pub version: &'static str,
    /// The provider id errors are tagged with (`"tc-ocr"`, `"lkeap"`).
    pub provider_id: &'static str,
}

/// One action of a product.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Action {
    /// The action name sent in `X-TC-Action`.
    pub name: &'static str,
    /// Whether resending it is safe. Submissions that are billed or create a task are
    /// [`Idempotency::Billed`]: they are retried only when the earlier attempt certainly had
    /// no effect.
    pub idempotency: Idempotency,
}

impl Action {
    /// A billed or task-creating action.
    pub const fn billed(name: &'static str) -> Self {
        Action {
            name,
            idempotency: Idempotency::Billed,
        }
    }

    /// A read or poll.
    pub const fn idempotent(name: &'static str) -> Self {
        Action {
            name,
            idempotency: Idempotency::Idempotent,
        }
    }
}

/// Configures a [`TcClient`]. The shared settings (transport, rate limits, clock) come from
/// [`ConfigureClient`], the credentials from [`ConfigureCredentials`].
///
/// ```
/// use tc_api::{Endpoint, Service, TcClient};
/// use tc_api::prelude::*;
/// use tc_signing::Credential;
///
/// const OCR: Service = Service { name: "ocr", version: "2018-11-19", provider_id: "tc-ocr" };
/// let client = TcClient::builder(OCR)
///     .endpoint(Endpoint::International)
///     .region("ap-singapore")
///     .credential(Credential::new("AKIDexample", "secret"))
///     .rate_limit("ExtractDocMulti", 5.0)
///     .build()
///     .unwrap();
/// assert_eq!(client.endpoint_url().as_str(), "https://ocr.intl.tencentcloudapi.com/");
/// ```
#[must_use]
pub struct TcClientBuilder {
    service: Service,
    endpoint: Endpoint,
    region: Option<String>,
    language: Option<Language>,
    credentials: Option<Arc<dyn ProvideCredential>>,
    options: ClientOptions,
    actions: Option<Vec<(&'static str, Option<f64>)>>,
    sign_action_header: bool,
}

impl fmt::Debug for TcClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcClientBuilder")
            .field("service", &self.service)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

impl ConfigureClient for TcClientBuilder {
    fn client_options_mut(&mut self) -> &mut ClientOptions {
        &mut self.options
    }
}

impl ConfigureCredentials for TcClientBuilder {
    fn credentials(mut self, provider: Arc<dyn ProvideCredential>) -> Self {
        self.credentials = Some(provider);
        self
    }
}

impl TcClientBuilder {
    /// Sets the endpoint (default: [`Endpoint::Domestic`]).
    pub fn endpoint(mut self, endpoint: Endpoint) -> Self {
        self.endpoint = endpoint;
        self
    }

    /// Sets the region sent in `X-TC-Region` (omitted when unset).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Sets the language of error messages.
    pub fn language(mut self, language: Language) -> Self {
        self.language = Some(language);
        self
    }

    /// Declares the product's actions this client sends, each with its documented default
    /// rate (`None`: no client-side limit by default). A rate limit naming another action then
    /// fails the build. Without it, any action may be given a limit and none has a default.
    pub fn actions(mut self, actions: &[(&'static str, Option<f64>)]) -> Self {
        self.actions = Some(actions.to_vec());
        self
    }

    /// Also signs `X-TC-Action`, as the current documentation example does (the SDKs sign only
    /// `content-type;host`, the default).
    pub fn sign_action_header(mut self, yes: bool) -> Self {
        self.sign_action_header = yes;
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<TcClient> {
        let provider = self.service.provider_id;
        let credentials = self.credentials.ok_or_else(|| {
            Error::config(format!(
                "no credentials configured for {provider}: set {} and {} or pass a credential",
                tc_signing::ENV_SECRET_ID,
                tc_signing::ENV_SECRET_KEY
            ))
            .with_provider(provider)
        })?;
        let url = self.endpoint.url(self.service.name)?;
        let host = host_header(&url)?;
        let runtime = self.options.build_runtime()?;
        let limits = &self.options.rate_limits;
        // Declared actions with their defaults; undeclared, whatever was named, no defaults.
        let actions: Vec<(String, Option<f64>)> = match &self.actions {
            Some(declared) => declared.iter().map(|&(n, d)| (n.to_owned(), d)).collect(),
            None => limits.named().map(|(n, _)| (n.to_owned(), None)).collect(),
        };
        let keyed: Vec<(&str, &str, Option<f64>)> = actions
            .iter()
            .map(|(n, d)| (n.as_str(), n.as_str(), *d))
            .collect();
        let credentials = Arc::new(CachedCredentials::new(credentials));
        let account = account_of(&credentials, &self.options, provider);
        let limiters: HashMap<String, RateLimiter> = self
            .options
            .limiters(provider, &account, &keyed)?
            .into_iter()
            .map(|(name, limiter)| (name.to_owned(), limiter))
            .collect();
        Ok(TcClient {
            inner: Arc::new(Inner {
                service: self.service,
                url,
                host,
                region: self.region,
                language: self.language,
                credentials,
                signer: Tc3Signer::new(),
                runtime,
                limiters,
                clock: ServerClock::new(self.options.clock),
                sign_action_header: self.sign_action_header,
            }),
        })
    }
}

/// A Tencent Cloud API 3.0 client for one product. Cheap to clone; clones share the HTTP
/// connection pool, rate limiters, credential cache and learned clock skew.
#[derive(Clone)]
pub struct TcClient {
    inner: Arc<Inner>,
}

struct Inner {
    service: Service,
    url: Url,
    host: String,
    region: Option<String>,
    language: Option<Language>,
    credentials: Arc<CachedCredentials>,
    signer: Tc3Signer,
    runtime: Runtime,
    limiters: HashMap<String, RateLimiter>,
    clock: ServerClock,
    sign_action_header: bool,
}

impl fmt::Debug for TcClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcClient")
            .field("service", &self.inner.service)
            .field("url", &self.inner.url.as_str())
            .field("region", &self.inner.region)
            .field("credentials", &self.inner.credentials)
            .finish_non_exhaustive()
    }
}

impl TcClient {
    /// A builder for `service`.
    pub fn builder(service: Service) -> TcClientBuilder {
        TcClientBuilder {
            service,
            endpoint: Endpoint::Domestic,
            region: None,
            language: None,
            credentials: None,
            options: ClientOptions::default(),
            actions: None,
            sign_action_header: false,
        }
    }

    /// The product.
    pub fn service(&self) -> Service {
        self.inner.service
    }

    /// The URL requests are posted to.
    pub fn endpoint_url(&self) -> &Url {
        &self.inner.url
    }

    /// The region sent, if any.
    pub fn region(&self) -> Option<&str> {
        self.inner.region.as_deref()
    }

    /// The runtime (HTTP client, retry policy, timeouts), for downloads that belong to the
    /// same product (result files).
    pub fn runtime(&self) -> &Runtime {
        &self.inner.runtime
    }

    /// The learned clock offset, in seconds (server minus local).
    pub fn clock_skew_secs(&self) -> i64 {
        self.inner.clock.offset_secs()
    }

    /// The current time as the server sees it (the client's clock plus the learned skew).
    pub fn now_unix(&self) -> u64 {
        self.inner.clock.now_unix()
    }

    /// Calls `action` with `request` as its JSON body and decodes the `Response` object.
    ///
    /// Unset optional fields of `request` must be skipped by its `Serialize` impl
    /// (`#[serde(skip_serializing_if = "Option::is_none")]`): the service rejects unknown and
    /// null parameters. The call is rate limited, retried as the action's idempotency allows,
    /// timed out, re-signed once if the server says the timestamp is stale, and traced.
    pub async fn call<Req, Resp>(&self, action: Action, request: &Req) -> Result<Resp>
    where
        Req: Serialize + ?Sized,
        Resp: DeserializeOwned,
    {
        let body = self.encode(action, request)?;
        let op = self.operation(action);
        self.inner
            .runtime
            .run(&op, self.inner.limiters.get(action.name), |_| async {
                let (status, headers, bytes) = self.exchange(action, &body).await?;
                if let Some(decoded) = decode_plain_success(status, &bytes) {
                    tracing::debug!(action = action.name, "ok");
                    return Ok(decoded);
                }
                let response = self.interpret(status, &headers, &bytes)?;
                let request_id = response
                    .get("RequestId")
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned();
                tracing::debug!(action = action.name, request_id, "ok");
                decode_response(response)
            })
            .await
    }

    /// Calls a streaming action (Server-Sent Events) and returns the open response once its
    /// headers say `text/event-stream`; an error answered as JSON instead is returned as an
    /// error. The request id of a stream is in the `X-TC-RequestId` header.
    pub async fn call_stream<Req>(&self, action: Action, request: &Req) -> Result<reqwest::Response>
    where
        Req: Serialize + ?Sized,
    {
        let body = self.encode(action, request)?;
        let op = self.operation(action);
        self.inner
            .runtime
            .run(&op, self.inner.limiters.get(action.name), |_| async {
                let send = || async {
                    let response = self.send_signed(action, &body).await?;
                    let is_stream = response
                        .headers()
                        .get(reqwest::header::CONTENT_TYPE)
                        .and_then(|v| v.to_str().ok())
                        .is_some_and(|ct| ct.starts_with("text/event-stream"));
                    if is_stream && response.status().is_success() {
                        return Ok(Err(response));
                    }
                    Ok(Ok(read_answer(response).await?))
                };
                let relearned = |answer: &std::result::Result<Answer, reqwest::Response>| {
                    answer.as_ref().is_ok_and(|a| self.refused_as_stale(a))
                };
                match send_resigning_once(send, relearned).await? {
                    Err(stream) => Ok(stream),
                    Ok((status, headers, bytes)) => {
                        self.interpret(status, &headers, &bytes)?;
                        Err(Error::decode(
                            "expected an event stream, got a JSON response without an error",
                        ))
                    }
                }
            })
            .await
    }

    fn operation(&self, action: Action) -> Operation {
        Operation {
            provider: self.inner.service.provider_id,
            name: action.name.into(),
            idempotency: action.idempotency,
        }
    }

    /// The JSON body, encoded once: every attempt sends the same bytes without copying them
    /// (a base64 document makes bodies of megabytes).
    fn encode<Req: Serialize + ?Sized>(&self, action: Action, request: &Req) -> Result<Bytes> {
        serde_json::to_vec(request).map(Bytes::from).map_err(|e| {
            Error::new(
                ErrorKind::InvalidInput,
                "the request cannot be encoded as JSON",
            )
            .with_provider(self.inner.service.provider_id)
            .with_operation(action.name)
            .with_source(e)
        })
    }

    /// Sends once, re-signing and resending once if the server calls the timestamp stale.
    async fn exchange(&self, action: Action, body: &Bytes) -> Result<Answer> {
        let send = || async { read_answer(self.send_signed(action, body).await?).await };
        send_resigning_once(send, |answer| self.refused_as_stale(answer)).await
    }

    /// Whether `answer` refuses the request's timestamp and the server's clock was learned
    /// from it (so a resend with a corrected timestamp can succeed).
    fn refused_as_stale(&self, (status, headers, body): &Answer) -> bool {
        // Only an answer that names the code can be it: most answers are not even parsed here.
        if memchr::memmem::find(body, SIGNATURE_EXPIRE.as_bytes()).is_none() {
            return false;
        }
        let stale = self
            .interpret(*status, headers, body)
            .is_err_and(|err| err.code() == Some(SIGNATURE_EXPIRE));
        let date = headers
            .get(reqwest::header::DATE)
            .and_then(|v| v.to_str().ok());
        stale && self.inner.clock.relearn_after_stale_refusal(date)
    }

    fn interpret(
        &self,
        status: u16,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<serde_json::Value> {
        let header_request_id = headers
            .get("x-tc-requestid")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let success = (200..300).contains(&status);
        match parse_envelope(body) {
            Ok(Envelope::Err(api)) => {
                let api = ApiError {
                    request_id: api.request_id.or(header_request_id),
                    ..api
                };
                Err(api.into_error().with_http_status(status))
            }
            Ok(Envelope::Ok(value)) if success => Ok(value),
            Err(err) if success => Err(err),
            _ => Err(http_status_error(
                status,
                headers,
                header_request_id,
                self.inner.clock.local_now(),
            )),
        }
    }

    fn credential(&self) -> Result<Credential> {
        self.inner
            .credentials
            .get(self.inner.clock.local_now())
            .map_err(|e| credential_error(e).with_provider(self.inner.service.provider_id))
    }

    async fn send_signed(&self, action: Action, body: &Bytes) -> Result<reqwest::Response> {
        let cred = self.credential()?;
        let timestamp = self.now_unix();
        let extra: &[(&str, &str)] = if self.inner.sign_action_header {
            &[("X-TC-Action", action.name)]
        } else {
            &[]
        };
        let signature = self.inner.signer.sign(
            &Tc3Request {
                method: "POST",
                host: &self.inner.host,
                path: "/",
                query: "",
                content_type: JSON_CONTENT_TYPE,
                extra_signed_headers: extra,
                payload: PayloadHash::Bytes(body),
            },
            &cred,
            self.inner.service.name,
            timestamp,
        );
        let mut headers = HeaderMap::new();
        let mut put = |name: &str, value: &str, sensitive: bool| -> Result<()> {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|e| Error::config(format!("bad header name {name}")).with_source(e))?;
            let mut value = HeaderValue::from_str(value).map_err(|e| {
                Error::new(
                    ErrorKind::InvalidInput,
                    format!("header {name} has a value that cannot be sent"),
                )
                .with_source(e)
            })?;
            value.set_sensitive(sensitive);
            headers.insert(name, value);
            Ok(())
        };
        put("authorization", signature.authorization(), true)?;
        put("content-type", JSON_CONTENT_TYPE, false)?;
        put("host", &self.inner.host, false)?;
        put("x-tc-action", action.name, false)?;
        put("x-tc-version", self.inner.service.version, false)?;
        for (name, value) in signature.headers() {
            let sensitive = name.eq_ignore_ascii_case("x-tc-token");
            put(name, value, sensitive)?;
        }
        if let Some(region) = &self.inner.region {
            put("x-tc-region", region, false)?;
        }
        if let Some(language) = self.inner.language {
            put("x-tc-language", language.as_str(), false)?;
        }
        put("x-tc-requestclient", REQUEST_CLIENT, false)?;
        self.inner
            .runtime
            .http()
            .post(self.inner.url.clone())
            .headers(headers)
            .body(body.clone())
            .send()
            .await
            .map_err(Error::from_reqwest)
    }
}

/// The account shared rate limits are counted against: a hash of the SecretId (never the
/// SecretKey), read from the credentials at the first request that needs it, so building a
/// client still reads no credentials.
fn account_of(
    credentials: &Arc<CachedCredentials>,
    options: &ClientOptions,
    provider: &'static str,
) -> AccountId {
    let credentials = credentials.clone();
    let clock = options.clock.clone();
    AccountId::lazy(move || {
        credentials
            .get(clock.now())
            .map(|credential| account_hash(credential.secret_id()))
            .map_err(|e| credential_error(e).with_provider(provider))
    })
}

/// A credential provider's failure as this crate reports it: `Config` when nothing is
/// configured, `Auth` when what is configured cannot be used.
fn credential_error(e: CredentialError) -> Error {
    let kind = if e.is_not_configured() {
        ErrorKind::Config
    } else {
        ErrorKind::Auth
    };
    Error::new(kind, format!("cannot load credentials: {e}")).with_source(e)
}

/// An answer read whole: status, headers, body.
type Answer = (u16, HeaderMap, Vec<u8>);

async fn read_answer(response: reqwest::Response) -> Result<Answer> {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.map_err(Error::from_reqwest)?;
    Ok((status, headers, bytes.to_vec()))
}

fn http_status_error(
    status: u16,
    headers: &HeaderMap,
    request_id: Option<String>,
    now: std::time::SystemTime,
) -> Error {
    let (kind, retryable) = match status {
        429 => (ErrorKind::Throttled, true),
        401 | 403 => (ErrorKind::Auth, false),
        500..=599 => (ErrorKind::Service, true),
        _ => (ErrorKind::Service, false),
    };
    let mut err = Error::new(kind, format!("HTTP {status} without an API error body"))
        .with_http_status(status)
        .with_retryable(retryable);
    if let Some(after) = ocr_core::http::retry_after(headers, now) {
        err = err.with_retry_after(after);
    }
    if let Some(id) = request_id {
        err = err.with_request_id(id);
    }
    err
}

/// The typed `Response` of a plain success, decoded straight from the bytes: a 2xx answer
/// whose text never says `"Error"` (nor escapes a character) cannot be an error envelope (nor carry a task's `Error`
/// beside its output), so the one-pass typed decode is the whole answer. `None` sends every
/// other answer (an error, a shape the type does not take, a body that names `"Error"`
/// anywhere, even in a recognised line of text) through the general path, which reports it
/// precisely.
fn decode_plain_success<Resp: DeserializeOwned>(status: u16, body: &[u8]) -> Option<Resp> {
    #[derive(serde::Deserialize)]
    struct Envelope<T> {
        #[serde(rename = "Response")]
        response: T,
    }
    // A key can be spelt with escapes (`"\u0045rror"`): a body with any `\u` takes the
    // general path too.
    let names_error = |needle: &[u8]| memchr::memmem::find(body, needle).is_some();
    if !(200..300).contains(&status) || names_error(b"\"Error\"") || names_error(b"\\u") {
        return None;
    }
    serde_json::from_slice::<Envelope<Resp>>(body)
        .ok()
        .map(|e| e.response)
}

#[cfg(test)]
mod plain_success_tests {
    use super::decode_plain_success;

    #[derive(Debug, PartialEq, serde::Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Angle {
        angle: Option<f64>,
        request_id: Option<String>,
    }

    #[test]
    fn a_plain_success_is_decoded_in_one_pass() {
        let body = br#"{"Response":{"Angle":1.5,"RequestId":"r1"}}"#;
        assert_eq!(
            decode_plain_success::<Angle>(200, body),
            Some(Angle {
                angle: Some(1.5),
                request_id: Some("r1".to_owned())
            })
        );
    }

    #[test]
    fn anything_that_may_be_an_error_takes_the_general_path() {
        // An error envelope (which this type would otherwise take as an empty success).
        let error =
            br#"{"Response":{"Error":{"Code":"InternalError","Message":"x"},"RequestId":"r"}}"#;
        assert_eq!(decode_plain_success::<Angle>(200, error), None);
        // The same, spelt with an escape.
        let escaped = br#"{"Response":{"\u0045rror":{"Code":"InternalError"},"RequestId":"r"}}"#;
        assert_eq!(decode_plain_success::<Angle>(200, escaped), None);
        // A status that is not a success, a body that is not the type's shape.
        let ok = br#"{"Response":{"Angle":1.5,"RequestId":"r1"}}"#;
        assert_eq!(decode_plain_success::<Angle>(500, ok), None);
        assert_eq!(
            decode_plain_success::<Angle>(200, b"{\"Response\":3}"),
            None
        );
        assert_eq!(decode_plain_success::<Angle>(200, b"not json"), None);
    }
}

//! One signed exchange: URL, headers, `q-sign-algorithm=sha1` signature, token header, the
//! runtime loop, error mapping and the clock-skew re-sign.

use std::path::PathBuf;

use bytes::Bytes;
use ocr_core::clock::send_resigning_once;
use ocr_core::{Error, ErrorKind, Operation, Result};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::Method;
use tc_signing::{CosRequest, KeyTime, TokenHeader};
use tokio::io::AsyncReadExt;
use url::Url;

use crate::client::{CosCi, CosCiOp, PROVIDER_ID, SIGNATURE_BACKDATE, SIGNATURE_LIFETIME};
use crate::endpoint::{host_header, signed_path, Service};
use crate::service_error::{self, is_stale_signature, ServiceError};

/// The content type of CI request bodies.
pub(crate) const XML_CONTENT_TYPE: &str = "application/xml";

/// What a request carries.
#[derive(Debug, Clone)]
pub(crate) enum Payload {
    /// No body (GET, HEAD, DELETE, `?cancel`).
    Empty,
    /// A body in memory with its type and Base64 MD5.
    Memory {
        data: Bytes,
        content_type: String,
        md5: String,
    },
    /// A file streamed from disk, `len` bytes, with its type and Base64 MD5.
    File {
        path: PathBuf,
        len: u64,
        content_type: String,
        md5: String,
    },
}

impl Payload {
    /// An XML body: `application/xml` with its MD5.
    pub(crate) fn xml(body: String) -> Payload {
        let md5 = md5_base64(body.as_bytes());
        Payload::Memory {
            data: Bytes::from(body),
            content_type: XML_CONTENT_TYPE.to_owned(),
            md5,
        }
    }

    fn len(&self) -> Option<u64> {
        match self {
            Payload::Empty => None,
            Payload::Memory { data, .. } => Some(data.len() as u64),
            Payload::File { len, .. } => Some(*len),
        }
    }

    fn content_type(&self) -> Option<&str> {
        match self {
            Payload::Empty => None,
            Payload::Memory { content_type, .. } | Payload::File { content_type, .. } => {
                Some(content_type)
            }
        }
    }

    fn md5(&self) -> Option<&str> {
        match self {
            Payload::Empty => None,
            Payload::Memory { md5, .. } | Payload::File { md5, .. } => Some(md5),
        }
    }

    async fn body(&self) -> Result<Option<reqwest::Body>> {
        Ok(match self {
            Payload::Empty => None,
            Payload::Memory { data, .. } => Some(reqwest::Body::from(data.clone())),
            Payload::File { path, len, .. } => {
                let file = tokio::fs::File::open(path).await.map_err(|e| {
                    Error::invalid_input("body", format!("cannot open {}", path.display()))
                        .with_source(e)
                })?;
                let stream = tokio_util::io::ReaderStream::new(file.take(*len));
                Some(reqwest::Body::wrap_stream(stream))
            }
        })
    }
}

/// The Base64 MD5 of `data`, as `Content-MD5` carries it.
pub(crate) fn md5_base64(data: &[u8]) -> String {
    use base64::Engine as _;
    use md5::Digest as _;
    base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(data))
}

/// One call as the transport sees it.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub(crate) op: CosCiOp,
    pub(crate) method: Method,
    /// Encoded path relative to the service's base URL (no leading `/`).
    pub(crate) path: String,
    /// Decoded query pairs, in the order they are sent.
    pub(crate) query: Vec<(String, String)>,
    /// Extra request headers (`x-cos-*`, `cache-control` …), lower-case names; all signed.
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) payload: Payload,
    /// Whether a 404 is an answer (HEAD of a missing object) rather than an error.
    pub(crate) accept_404: bool,
}

impl Call {
    pub(crate) fn new(op: CosCiOp, method: Method, path: impl Into<String>) -> Call {
        Call {
            op,
            method,
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            payload: Payload::Empty,
            accept_404: false,
        }
    }

    pub(crate) fn query(mut self, name: &str, value: impl Into<String>) -> Call {
        self.query.push((name.to_owned(), value.into()));
        self
    }

    pub(crate) fn payload(mut self, payload: Payload) -> Call {
        self.payload = payload;
        self
    }
}

/// A response: status, headers and the whole body.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl Reply {
    pub(crate) fn request_id(&self) -> Option<String> {
        service_error::header_request_id(&self.headers)
    }

    pub(crate) fn header(&self, name: &str) -> Option<String> {
        service_error::header(&self.headers, name)
    }
}

/// What the signature covers: the decoded path, the decoded query pairs and the headers to
/// sign (`(name, value, sensitive)`, `host` first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SigningInput {
    pub(crate) path: String,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: Vec<(String, String, bool)>,
}

impl SigningInput {
    /// `host` (the authority actually sent), `content-type`, `content-length` and
    /// `content-md5` of a body, the call's extra headers, and the session token header
    /// (`x-ci-security-token` on CI hosts, `x-cos-security-token` elsewhere).
    pub(crate) fn of(call: &Call, url: &Url, session_token: Option<&str>) -> SigningInput {
        let host = host_header(url);
        let mut headers: Vec<(String, String, bool)> = vec![("host".into(), host.clone(), false)];
        if let Some(ct) = call.payload.content_type() {
            headers.push(("content-type".into(), ct.to_owned(), false));
        }
        if let Some(len) = call.payload.len() {
            headers.push(("content-length".into(), len.to_string(), false));
        }
        if let Some(md5) = call.payload.md5() {
            headers.push(("content-md5".into(), md5.to_owned(), false));
        }
        for (name, value) in &call.headers {
            headers.push((name.clone(), value.clone(), false));
        }
        if let Some(token) = session_token {
            let name = TokenHeader::for_host(&host).name();
            headers.push((name.to_owned(), token.to_owned(), true));
        }
        SigningInput {
            path: signed_path(url),
            query: call.query.clone(),
            headers,
        }
    }

    /// Signs for `key_time`.
    pub(crate) fn sign(
        &self,
        signer: &tc_signing::CosSigner,
        method: &Method,
        cred: &tc_signing::Credential,
        key_time: KeyTime,
    ) -> tc_signing::CosSignature {
        let query: Vec<(&str, &str)> = self
            .query
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(k, v, _)| (k.as_str(), v.as_str()))
            .collect();
        signer.sign(
            &CosRequest {
                method: method.as_str(),
                path: &self.path,
                query: &query,
                headers: &headers,
            },
            cred,
            key_time,
        )
    }
}

/// The headers of one request, signed at `now`: `(name, value, sensitive)`, `Authorization`
/// first, `Host` left to the HTTP client (it writes the same authority that was signed).
pub(crate) fn signed_headers(
    client: &CosCi,
    call: &Call,
    url: &Url,
    now: u64,
) -> Result<Vec<(String, String, bool)>> {
    let cred = client.credential()?;
    let input = SigningInput::of(call, url, cred.session_token());
    let key_time = KeyTime::new(
        now.saturating_sub(SIGNATURE_BACKDATE.as_secs()),
        now.saturating_add(SIGNATURE_LIFETIME.as_secs()),
    );
    let signature = input.sign(&client.inner.signer, &call.method, &cred, key_time);
    let mut out = vec![("authorization".to_owned(), signature.authorization(), true)];
    out.extend(
        input
            .headers
            .into_iter()
            .filter(|(name, _, _)| name != "host"),
    );
    Ok(out)
}

impl CosCi {
    /// The URL of a call.
    pub(crate) fn url_of(&self, call: &Call) -> Result<Url> {
        let base = match call.op.service() {
            Service::Cos => &self.inner.cos,
            Service::Ci => &self.inner.ci,
        };
        base.url(&call.path, &call.query)
    }

    /// Runs `call` through the runtime (rate limit, timeouts, retries) and returns the reply of
    /// a successful exchange; error statuses become typed errors.
    pub(crate) async fn execute(&self, call: &Call) -> Result<Reply> {
        self.execute_then(call, Ok).await
    }

    /// Like [`execute`](Self::execute), with the reply read by `parse` inside each attempt: an
    /// answer that cannot be understood (a body cut short or garbled on the way) is a
    /// [`Decode`](ErrorKind::Decode) error of that attempt, so a read is read again while a
    /// billed call is not resent (it fails as `OutcomeUnknown`).
    pub(crate) async fn execute_then<T, F>(&self, call: &Call, parse: F) -> Result<T>
    where
        F: Fn(Reply) -> Result<T>,
    {
        let url = self.url_of(call)?;
        let op = Operation {
            provider: PROVIDER_ID,
            name: call.op.name().into(),
            idempotency: call.op.idempotency(),
        };
        let (url, parse) = (&url, &parse);
        self.inner
            .runtime
            .run(&op, self.limiter(call.op), |_| async move {
                parse(self.exchange(call, url).await?)
            })
            .await
    }

    /// One attempt: sends, and on a refused timestamp learns the server's clock from `Date`
    /// and sends once more with a fresh signature.
    async fn exchange(&self, call: &Call, url: &Url) -> Result<Reply> {
        let ok = |reply: &Reply| {
            (200..300).contains(&reply.status) || (call.accept_404 && reply.status == 404)
        };
        let relearned = |reply: &Reply| !ok(reply) && self.refused_as_stale(reply);
        let reply = send_resigning_once(|| self.send_once(call, url), relearned).await?;
        if !ok(&reply) {
            return Err(service_error::to_error(
                reply.status,
                &reply.headers,
                &reply.body,
                self.inner.clock.now(),
            ));
        }
        tracing::debug!(
            operation = call.op.name(),
            status = reply.status,
            request_id = reply.request_id().unwrap_or_default(),
            "ok"
        );
        Ok(reply)
    }

    /// True when the reply refuses the request's time and the server's `Date` was learned.
    fn refused_as_stale(&self, reply: &Reply) -> bool {
        let stale = ServiceError::parse(&reply.body, &reply.headers)
            .is_some_and(|e| is_stale_signature(&e));
        stale
            && self
                .inner
                .clock
                .relearn_after_stale_refusal(reply.header("date").as_deref())
    }

    async fn send_once(&self, call: &Call, url: &Url) -> Result<Reply> {
        let headers = signed_headers(self, call, url, self.now_unix())?;
        let mut map = HeaderMap::new();
        for (name, value, sensitive) in headers {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| {
                Error::invalid_input(name.clone(), "is not a valid header name").with_source(e)
            })?;
            let mut value = HeaderValue::from_str(&value).map_err(|e| {
                Error::new(
                    ErrorKind::InvalidInput,
                    format!("header {name} has a value that cannot be sent"),
                )
                .with_field(name.as_str().to_owned())
                .with_source(e)
            })?;
            value.set_sensitive(sensitive);
            map.insert(name, value);
        }
        let mut request = self
            .inner
            .runtime
            .http()
            .request(call.method.clone(), url.clone())
            .headers(map);
        if let Some(body) = call.payload.body().await? {
            request = request.body(body);
        }
        let response = request.send().await.map_err(Error::from_reqwest)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(Error::from_reqwest)?;
        Ok(Reply {
            status,
            headers,
            body,
        })
    }
}

#[cfg(test)]
mod tests {
    //! The derived CI signing vectors D1–D5 of the spec (§1.7), reproduced from the calls this
    //! crate builds for the default hosts: path decoding, query naming, the signed header set
    //! and the token header all have to match.
    use super::*;
    use crate::endpoint::{key_path, Base};
    use crate::jobs::SubmitJob;
    use crate::params::{ImageOcr, LanguageType, OcrType};
    use tc_signing::{CosSigner, Credential};

    const BUCKET: &str = "examplebucket-1250000000";
    const REGION: &str = "ap-beijing";

    fn cred() -> Credential {
        Credential::new(
            "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q",
            "BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz",
        )
    }

    fn sign(call: &Call, token: Option<&str>) -> tc_signing::CosSignature {
        let base = Base::default_for(call.op.service(), BUCKET, REGION).unwrap();
        let url = base.url(&call.path, &call.query).unwrap();
        SigningInput::of(call, &url, token).sign(
            &CosSigner::new(),
            &call.method,
            &cred(),
            KeyTime::new(1622702557, 1622706157),
        )
    }

    #[test]
    fn d1_sync_ocr_on_an_object() {
        let params = ImageOcr::new(OcrType::General).with_language(LanguageType::Zh);
        let mut call = Call::new(CosCiOp::SyncOcr, Method::GET, key_path("test.jpg"))
            .query("ci-process", "OCR");
        call.query.extend(params.query_pairs());
        let sig = sign(&call, None);
        assert_eq!(
            sig.http_string(),
            "get\n/test.jpg\nci-process=OCR&language-type=zh&type=general\nhost=examplebucket-1250000000.cos.ap-beijing.myqcloud.com\n"
        );
        assert_eq!(sig.url_param_list(), "ci-process;language-type;type");
        assert_eq!(sig.signature(), "b03b2be12ada096270c0bb537bf3188858f0fc63");
    }

    #[test]
    fn d2_list_jobs() {
        let mut call = Call::new(CosCiOp::ListJobs, Method::GET, "jobs");
        call.query = crate::jobs::ListJobs::default()
            .with_order(crate::jobs::TimeOrder::Desc)
            .with_size(10)
            .query_for_test();
        call.query.push(("states".into(), "All".into()));
        let sig = sign(&call, None);
        assert_eq!(sig.url_param_list(), "orderbytime;size;states;tag");
        assert_eq!(sig.signature(), "4831bded8594d6d58262d04f0e617615c2d32202");
    }

    #[test]
    fn d3_cancel() {
        let call = Call::new(
            CosCiOp::CancelJobs,
            Method::PUT,
            "jobs/a3c193f288b2c11eeb60f39de2f86f409",
        )
        .query("cancel", "");
        let sig = sign(&call, None);
        assert_eq!(
            sig.http_string(),
            "put\n/jobs/a3c193f288b2c11eeb60f39de2f86f409\ncancel=\nhost=examplebucket-1250000000.ci.ap-beijing.myqcloud.com\n"
        );
        assert_eq!(sig.signature(), "e71e9604496cf7f82b341bb14193ba4bc33c9711");
    }

    #[test]
    fn d4_reserved_key_characters_detect_url_and_cos_token() {
        let call = Call::new(
            CosCiOp::SyncOcr,
            Method::GET,
            key_path("dir/a b+c(1)!*'~.jpg"),
        )
        .query("ci-process", "OCR")
        .query("detect-url", "http://www.example.com/abc.jpg");
        let sig = sign(&call, Some("tok/en+=="));
        assert_eq!(sig.header_list(), "host;x-cos-security-token");
        assert_eq!(sig.signature(), "a58f2d21337e6f3a778ced3ac23ec8223968e44a");
    }

    #[test]
    fn d5_submit_with_ci_token() {
        let body = SubmitJob::with_template("input/test.jpg", "t1460606b9752148c4ab182f55163ba7cd")
            .to_xml()
            .unwrap();
        assert_eq!(body.len(), 166);
        let payload = Payload::xml(body);
        assert_eq!(payload.md5(), Some("z0E41hV0pbCgH3LydQJ/Jw=="));
        let call = Call::new(CosCiOp::SubmitJob, Method::POST, "jobs").payload(payload);
        let sig = sign(&call, Some("exampletoken"));
        assert_eq!(
            sig.header_list(),
            "content-length;content-md5;content-type;host;x-ci-security-token"
        );
        assert_eq!(sig.signature(), "a70c2f9b2f47554cbc98f780dc94e8c40da7b0fb");
    }
}

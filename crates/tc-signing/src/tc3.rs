//! TC3-HMAC-SHA256, the request signature of Tencent Cloud API 3.0 (OCR, LKEAP, STS…).
//!
//! The four steps: build the canonical request, hash it into the string to sign
//! (with a credential scope of UTC date, service and `tc3_request`), derive a
//! per-day, per-service signing key from the secret key by chained HMAC-SHA256, and
//! put the HMAC of the string to sign into the `Authorization` header.

use std::fmt;

use crate::cache::KeyCache;
use crate::credential::KeyId;
use crate::crypto::{hmac_sha256, sha256, sha256_hex};
use crate::date::{push_utc_date, utc_day};
use crate::redact::{Redacted, RedactedPairs};
use crate::text::{cmp_lower, trim, Span, TextBuf};
use crate::{utc_date, Credential};

/// The algorithm name at the start of the `Authorization` header and string to sign.
pub const TC3_ALGORITHM: &str = "TC3-HMAC-SHA256";
/// Body placeholder of unsigned-payload mode; its SHA-256 replaces the body hash.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// Header carrying the signing timestamp (decimal Unix seconds).
pub const HEADER_TIMESTAMP: &str = "X-TC-Timestamp";
/// Header carrying the session token of temporary keys.
pub const HEADER_TOKEN: &str = "X-TC-Token";
/// Header announcing unsigned-payload mode.
pub const HEADER_CONTENT_SHA256: &str = "X-TC-Content-SHA256";

/// Terminator of the credential scope and message of the last key-derivation step.
const SCOPE_TERMINATOR: &str = "tc3_request";
/// Derived keys kept by a [`Tc3Signer`]: a few credentials × services × days.
const SIGNER_CACHE_CAPACITY: usize = 16;
/// Lower-case hex SHA-256 of [`UNSIGNED_PAYLOAD`].
const UNSIGNED_PAYLOAD_SHA256: &str =
    "438d4109ef0d676b8c2c7ed13cdfcb418e494d53b843d4634ce3b1085f07bb96";
/// Signed headers kept on the stack while sorting (more spill to the heap).
const STACK_HEADERS: usize = 8;

/// How the request body enters the signature.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum PayloadHash<'a> {
    /// Hash these exact body bytes (empty for a GET).
    Bytes(&'a [u8]),
    /// The body's SHA-256 is already known (lower-case hex; upper case is accepted
    /// and lowered). Lets callers hash large or streamed bodies themselves.
    Precomputed(&'a str),
    /// Unsigned-payload mode: the hash of the literal `UNSIGNED-PAYLOAD` is signed and
    /// the header `X-TC-Content-SHA256: UNSIGNED-PAYLOAD` must be sent (it is listed
    /// in [`Tc3Signature::headers`]).
    Unsigned,
}

impl PayloadHash<'_> {
    /// The lower-case hex SHA-256 that goes into the canonical request.
    ///
    /// ```
    /// use tc_signing::PayloadHash;
    ///
    /// let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    /// assert_eq!(PayloadHash::Bytes(b"").hex(), empty);
    /// assert_eq!(PayloadHash::Precomputed(&empty.to_ascii_uppercase()).hex(), empty);
    /// let unsigned = PayloadHash::Bytes(b"UNSIGNED-PAYLOAD").hex();
    /// assert_eq!(PayloadHash::Unsigned.hex(), unsigned);
    /// ```
    pub fn hex(&self) -> String {
        match self {
            Self::Bytes(bytes) => sha256_hex(bytes),
            Self::Precomputed(hex) => hex.trim().to_ascii_lowercase(),
            Self::Unsigned => UNSIGNED_PAYLOAD_SHA256.to_owned(),
        }
    }

    /// Appends [`hex`](Self::hex) to `out`.
    fn push_hex(&self, out: &mut TextBuf) {
        match self {
            Self::Bytes(bytes) => out.push_hex(&sha256(bytes)),
            Self::Precomputed(hex) => out.push_lower(hex.trim()),
            Self::Unsigned => out.push_str(UNSIGNED_PAYLOAD_SHA256),
        }
    }
}

impl fmt::Debug for PayloadHash<'_> {
    /// Shows the body length, not the body: bodies can be large (base64 images).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bytes(bytes) => write!(f, "Bytes(<{} bytes>)", bytes.len()),
            Self::Precomputed(hex) => f.debug_tuple("Precomputed").field(hex).finish(),
            Self::Unsigned => f.write_str("Unsigned"),
        }
    }
}

/// The parts of an HTTP request that TC3 signs.
///
/// `content-type` and `host` are always signed. The official SDKs sign only those
/// two; the current doc example also signs `X-TC-Action`, which is what
/// `extra_signed_headers` is for. Send every signed header byte-identical to what is
/// given here.
///
/// In the canonical form every signed header value (content type and host
/// included) is trimmed and ASCII lower-cased, the rule the official doc states and
/// its example shows (`x-tc-action:describeinstances`). The SDKs' values are
/// already lower case, so this only matters for mixed-case values.
#[derive(Clone, Copy)]
pub struct Tc3Request<'a> {
    /// HTTP method; upper-cased in the canonical request.
    pub method: &'a str,
    /// The `Host` header as sent: no scheme, no port (e.g. `ocr.tencentcloudapi.com`).
    pub host: &'a str,
    /// The URL path; always `/` for API 3.0. Empty is treated as `/`.
    pub path: &'a str,
    /// The exact query string sent after `?` (empty for POST).
    pub query: &'a str,
    /// The `Content-Type` header exactly as sent (`application/json` is not
    /// `application/json; charset=utf-8`).
    pub content_type: &'a str,
    /// Further headers to sign, as `(name, value)`. Names and values are trimmed and
    /// lower-cased in the canonical form (the doc's rule). A name that is empty,
    /// `content-type` or `host`, or repeats an earlier one, is ignored.
    pub extra_signed_headers: &'a [(&'a str, &'a str)],
    /// The body, or its hash.
    pub payload: PayloadHash<'a>,
}

impl<'a> Tc3Request<'a> {
    /// A request to `/` with no query and no extra signed headers: the shape of every
    /// API 3.0 POST call.
    ///
    /// ```
    /// use tc_signing::{PayloadHash, Tc3Request};
    ///
    /// let body = PayloadHash::Bytes(b"{}");
    /// let request = Tc3Request::new("POST", "ocr.tencentcloudapi.com", "application/json", body);
    /// assert_eq!((request.path, request.query), ("/", ""));
    /// assert!(request.extra_signed_headers.is_empty());
    /// ```
    pub fn new(
        method: &'a str,
        host: &'a str,
        content_type: &'a str,
        payload: PayloadHash<'a>,
    ) -> Self {
        Self {
            method,
            host,
            path: "/",
            query: "",
            content_type,
            extra_signed_headers: &[],
            payload,
        }
    }
}

impl fmt::Debug for Tc3Request<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tc3Request")
            .field("method", &self.method)
            .field("host", &self.host)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("content_type", &self.content_type)
            .field(
                "extra_signed_headers",
                &RedactedPairs(self.extra_signed_headers),
            )
            .field("payload", &self.payload)
            .finish()
    }
}

/// The result of signing: the `Authorization` value, the headers to add, and every
/// intermediate (for debugging signature mismatches against the doc's examples).
///
/// Holds no secret key. It does hold the session token (in [`headers`](Self::headers)),
/// so `Debug` prints `X-TC-Token` as `<redacted>`.
#[derive(Clone, PartialEq, Eq)]
pub struct Tc3Signature {
    /// Canonical request, string to sign and `Authorization` value, one after the
    /// other; every intermediate is a span of it (one allocation, not seven).
    text: String,
    authorization: Span,
    canonical_request: Span,
    string_to_sign: Span,
    signature: Span,
    credential_scope: Span,
    signed_headers: Span,
    payload_hash: Span,
    timestamp: u64,
    headers: Vec<(String, String)>,
}

impl Tc3Signature {
    /// The value of the `Authorization` header.
    ///
    /// ```
    /// use tc_signing::{sign_tc3, Credential, PayloadHash, Tc3Request};
    ///
    /// let body = PayloadHash::Bytes(b"{}");
    /// let request = Tc3Request::new("POST", "ocr.tencentcloudapi.com", "application/json", body);
    /// let cred = Credential::new("AKIDexample", "example-key");
    /// let signed = sign_tc3(&request, &cred, "ocr", 1_551_113_065);
    /// assert_eq!(
    ///     signed.authorization(),
    ///     format!(
    ///         "TC3-HMAC-SHA256 Credential=AKIDexample/2019-02-25/ocr/tc3_request, \
    ///          SignedHeaders=content-type;host, Signature={}",
    ///         signed.signature()
    ///     )
    /// );
    /// ```
    pub fn authorization(&self) -> &str {
        self.authorization.of(&self.text)
    }

    /// Headers the caller must add besides `Authorization`: always
    /// `X-TC-Timestamp`; `X-TC-Token` when the credential has a session token;
    /// `X-TC-Content-SHA256: UNSIGNED-PAYLOAD` for [`PayloadHash::Unsigned`].
    /// (`X-TC-Action`, `X-TC-Version`, `X-TC-Region` remain the caller's.)
    ///
    /// ```
    /// use tc_signing::{sign_tc3, Credential, PayloadHash, Tc3Request};
    ///
    /// let cred = Credential::new("AKIDexample", "example-key")
    ///     .with_session_token("example-token");
    /// let body = PayloadHash::Unsigned;
    /// let request = Tc3Request::new("POST", "ocr.tencentcloudapi.com", "application/json", body);
    /// let signed = sign_tc3(&request, &cred, "ocr", 1_551_113_065);
    /// let names: Vec<&str> = signed.headers().iter().map(|(name, _)| name.as_str()).collect();
    /// assert_eq!(names, ["X-TC-Timestamp", "X-TC-Token", "X-TC-Content-SHA256"]);
    /// ```
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// Step 1: the canonical request.
    ///
    /// Compare it with the server's when a signature is refused: it shows which
    /// header or body hash differs.
    ///
    /// ```
    /// use tc_signing::{sign_tc3, Credential, PayloadHash, Tc3Request};
    ///
    /// let body = PayloadHash::Bytes(b"{}");
    /// let request = Tc3Request::new("POST", "ocr.tencentcloudapi.com", "application/json", body);
    /// let cred = Credential::new("AKIDexample", "example-key");
    /// let signed = sign_tc3(&request, &cred, "ocr", 1_551_113_065);
    /// assert_eq!(
    ///     signed.canonical_request(),
    ///     format!(
    ///         "POST\n/\n\ncontent-type:application/json\nhost:ocr.tencentcloudapi.com\n\n\
    ///          content-type;host\n{}",
    ///         signed.payload_hash()
    ///     )
    /// );
    /// ```
    pub fn canonical_request(&self) -> &str {
        self.canonical_request.of(&self.text)
    }

    /// Step 2: the string to sign.
    ///
    /// ```
    /// use tc_signing::{sign_tc3, Credential, PayloadHash, Tc3Request};
    ///
    /// let body = PayloadHash::Bytes(b"{}");
    /// let request = Tc3Request::new("POST", "ocr.tencentcloudapi.com", "application/json", body);
    /// let cred = Credential::new("AKIDexample", "example-key");
    /// let signed = sign_tc3(&request, &cred, "ocr", 1_551_113_065);
    /// let lines: Vec<&str> = signed.string_to_sign().lines().collect();
    /// assert_eq!(lines[..3], ["TC3-HMAC-SHA256", "1551113065", "2019-02-25/ocr/tc3_request"]);
    /// assert_eq!(lines[3].len(), 64); // hex SHA-256 of the canonical request
    /// ```
    pub fn string_to_sign(&self) -> &str {
        self.string_to_sign.of(&self.text)
    }

    /// Step 3: the lower-case hex signature.
    ///
    /// ```
    /// use tc_signing::{sign_tc3, Credential, PayloadHash, Tc3Request};
    ///
    /// let body = PayloadHash::Bytes(b"{}");
    /// let request = Tc3Request::new("POST", "ocr.tencentcloudapi.com", "application/json", body);
    /// let cred = Credential::new("AKIDexample", "example-key");
    /// let signed = sign_tc3(&request, &cred, "ocr", 1_551_113_065);
    /// assert_eq!(signed.signature().len(), 64);
    /// assert!(signed.authorization().ends_with(&format!("Signature={}", signed.signature())));
    /// ```
    pub fn signature(&self) -> &str {
        self.signature.of(&self.text)
    }

    /// `<UTC date>/<service>/tc3_request`.
    ///
    /// ```
    /// use tc_signing::{sign_tc3, Credential, PayloadHash, Tc3Request};
    ///
    /// let body = PayloadHash::Bytes(b"{}");
    /// let request = Tc3Request::new("POST", "ocr.tencentcloudapi.com", "application/json", body);
    /// let cred = Credential::new("AKIDexample", "example-key");
    /// let signed = sign_tc3(&request, &cred, "ocr", 1_551_113_065);
    /// // 00:44 on the 26th in UTC+8 is still the 25th in UTC, and the scope must say so.
    /// assert_eq!(signed.credential_scope(), "2019-02-25/ocr/tc3_request");
    /// ```
    pub fn credential_scope(&self) -> &str {
        self.credential_scope.of(&self.text)
    }

    /// The signed header names, sorted, joined by `;`.
    ///
    /// ```
    /// use tc_signing::{sign_tc3, Credential, PayloadHash, Tc3Request};
    ///
    /// let body = PayloadHash::Bytes(b"{}");
    /// let request = Tc3Request {
    ///     extra_signed_headers: &[("X-TC-Action", "GeneralAccurateOCR")],
    ///     ..Tc3Request::new("POST", "ocr.tencentcloudapi.com", "application/json", body)
    /// };
    /// let cred = Credential::new("AKIDexample", "example-key");
    /// let signed = sign_tc3(&request, &cred, "ocr", 1_551_113_065);
    /// assert_eq!(signed.signed_headers(), "content-type;host;x-tc-action");
    /// ```
    pub fn signed_headers(&self) -> &str {
        self.signed_headers.of(&self.text)
    }

    /// The lower-case hex body hash that was signed.
    ///
    /// ```
    /// use tc_signing::{sign_tc3, Credential, PayloadHash, Tc3Request};
    ///
    /// let empty = PayloadHash::Bytes(b"");
    /// let request = Tc3Request::new("GET", "ocr.tencentcloudapi.com", "text/plain", empty);
    /// let cred = Credential::new("AKIDexample", "example-key");
    /// let signed = sign_tc3(&request, &cred, "ocr", 1_551_113_065);
    /// assert_eq!(
    ///     signed.payload_hash(),
    ///     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    /// );
    /// ```
    pub fn payload_hash(&self) -> &str {
        self.payload_hash.of(&self.text)
    }

    /// The Unix timestamp that was signed (also sent as `X-TC-Timestamp`).
    ///
    /// ```
    /// use tc_signing::{sign_tc3, Credential, PayloadHash, Tc3Request};
    ///
    /// let body = PayloadHash::Bytes(b"{}");
    /// let request = Tc3Request::new("POST", "ocr.tencentcloudapi.com", "application/json", body);
    /// let cred = Credential::new("AKIDexample", "example-key");
    /// let signed = sign_tc3(&request, &cred, "ocr", 1_551_113_065);
    /// assert_eq!(signed.timestamp(), 1_551_113_065);
    /// assert_eq!(signed.headers()[0], ("X-TC-Timestamp".to_owned(), "1551113065".to_owned()));
    /// ```
    pub fn timestamp(&self) -> u64 {
        self.timestamp
    }
}

impl fmt::Debug for Tc3Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tc3Signature")
            .field("authorization", &self.authorization())
            .field("canonical_request", &self.canonical_request())
            .field("string_to_sign", &self.string_to_sign())
            .field("signature", &self.signature())
            .field("credential_scope", &self.credential_scope())
            .field("signed_headers", &self.signed_headers())
            .field("payload_hash", &self.payload_hash())
            .field("timestamp", &self.timestamp)
            .field("headers", &RedactedPairs(&self.headers))
            .finish()
    }
}

/// The three keys of TC3 step 3, each the raw 32-byte HMAC-SHA256 output.
///
/// Exposed so that the intermediates published in the official doc can be checked;
/// signing needs only [`derive_signing_key`]. These are secrets: `Debug` redacts them.
#[derive(Clone, PartialEq, Eq)]
pub struct Tc3DerivedKeys {
    /// `HMAC-SHA256("TC3" + SecretKey, date)`.
    pub secret_date: [u8; 32],
    /// `HMAC-SHA256(secret_date, service)`.
    pub secret_service: [u8; 32],
    /// `HMAC-SHA256(secret_service, "tc3_request")`: the key that signs.
    pub secret_signing: [u8; 32],
}

impl fmt::Debug for Tc3DerivedKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tc3DerivedKeys")
            .field("secret_date", &Redacted)
            .field("secret_service", &Redacted)
            .field("secret_signing", &Redacted)
            .finish()
    }
}

/// Derives all three TC3 keys for a UTC date (`YYYY-MM-DD`) and service.
///
/// ```
/// use tc_signing::derive_tc3_keys;
///
/// let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
/// // The worked example of the API 3.0 signature documentation (its key is 32 `*`).
/// let keys = derive_tc3_keys(&"*".repeat(32), "2019-02-25", "cvm");
/// assert_eq!(
///     hex(&keys.secret_date),
///     "da98fb70dcf6b112dc21038d1eeeb3a95c74b4dcb12c1131f864f6066bd02be0"
/// );
/// assert_eq!(
///     hex(&keys.secret_signing),
///     "b596b923aad85185e2d1f6659d2a062e0a86731226e021e61bfe06f7ed05f5af"
/// );
/// ```
pub fn derive_tc3_keys(secret_key: &str, date: &str, service: &str) -> Tc3DerivedKeys {
    let mut first_key = Vec::with_capacity(3 + secret_key.len());
    first_key.extend_from_slice(b"TC3");
    first_key.extend_from_slice(secret_key.as_bytes());
    let secret_date = hmac_sha256(&first_key, date.as_bytes());
    let secret_service = hmac_sha256(&secret_date, service.as_bytes());
    let secret_signing = hmac_sha256(&secret_service, SCOPE_TERMINATOR.as_bytes());
    Tc3DerivedKeys {
        secret_date,
        secret_service,
        secret_signing,
    }
}

/// The TC3 signing key for a UTC date (`YYYY-MM-DD`) and service: valid for every
/// request of that day and service, which is why [`Tc3Signer`] caches it.
///
/// ```
/// use tc_signing::{derive_signing_key, derive_tc3_keys};
///
/// let key = derive_signing_key("example-key", "2019-02-25", "ocr");
/// assert_eq!(key, derive_tc3_keys("example-key", "2019-02-25", "ocr").secret_signing);
/// // A new key each UTC day, and per service.
/// assert_ne!(key, derive_signing_key("example-key", "2019-02-26", "ocr"));
/// assert_ne!(key, derive_signing_key("example-key", "2019-02-25", "lkeap"));
/// ```
pub fn derive_signing_key(secret_key: &str, date: &str, service: &str) -> [u8; 32] {
    derive_tc3_keys(secret_key, date, service).secret_signing
}

/// Signs a request with TC3-HMAC-SHA256 at the given Unix time.
///
/// `service` is the product's short name, the first label of the endpoint
/// (`ocr`, `lkeap`, `sts`). Pure: no clock, no cache (see [`Tc3Signer`]).
///
/// ```
/// use tc_signing::{sign_tc3, Credential, PayloadHash, Tc3Request};
///
/// let body = br#"{"ImageUrl":"https://example.com/a.png"}"#;
/// let request = Tc3Request::new(
///     "POST",
///     "ocr.tencentcloudapi.com",
///     "application/json",
///     PayloadHash::Bytes(body),
/// );
/// let cred = Credential::new("AKIDexample", "example-key");
/// let signed = sign_tc3(&request, &cred, "ocr", 1_551_113_065);
///
/// assert!(signed.authorization().starts_with(
///     "TC3-HMAC-SHA256 Credential=AKIDexample/2019-02-25/ocr/tc3_request, \
///      SignedHeaders=content-type;host, Signature="
/// ));
/// assert_eq!(
///     signed.headers(),
///     [("X-TC-Timestamp".to_owned(), "1551113065".to_owned())]
/// );
/// ```
pub fn sign_tc3(
    request: &Tc3Request<'_>,
    credential: &Credential,
    service: &str,
    timestamp: u64,
) -> Tc3Signature {
    let date = utc_date(timestamp);
    let key = derive_signing_key(credential.secret_key(), &date, service);
    sign_with_key(request, credential, service, timestamp, &key)
}

/// The signing steps once the day's signing key is known.
///
/// Writes the canonical request, the string to sign and the `Authorization` value
/// one after the other into a single buffer, hashing each part in place; nothing
/// else is allocated but the extra headers.
fn sign_with_key(
    request: &Tc3Request<'_>,
    credential: &Credential,
    service: &str,
    timestamp: u64,
    signing_key: &[u8; 32],
) -> Tc3Signature {
    let mut stack = [("", ""); STACK_HEADERS];
    let mut heap = Vec::new();
    let headers = canonical_headers(request, &mut stack, &mut heap);
    // Names appear three times (canonical headers and two lists), values once.
    let header_bytes: usize = headers.iter().map(|(n, v)| 3 * n.len() + v.len() + 4).sum();
    let path = if request.path.is_empty() {
        "/"
    } else {
        request.path
    };
    let mut text = TextBuf::with_capacity(
        request.method.len()
            + path.len()
            + request.query.len()
            + header_bytes
            + credential.secret_id().len()
            + 2 * service.len()
            + 384,
    );

    // Step 1: the canonical request.
    text.push_upper(request.method);
    text.push_ascii(b'\n');
    text.push_str(path);
    text.push_ascii(b'\n');
    text.push_str(request.query);
    text.push_ascii(b'\n');
    for (name, value) in headers.iter() {
        text.push_lower(name);
        text.push_ascii(b':');
        text.push_lower(value);
        text.push_ascii(b'\n');
    }
    text.push_ascii(b'\n');
    let start = text.len();
    for (i, (name, _)) in headers.iter().enumerate() {
        if i > 0 {
            text.push_ascii(b';');
        }
        text.push_lower(name);
    }
    let signed_headers = text.since(start);
    text.push_ascii(b'\n');
    let start = text.len();
    request.payload.push_hex(&mut text);
    let payload_hash = text.since(start);
    let canonical_request = text.since(0);
    let canonical_hash = sha256(text.bytes_of(canonical_request));
    text.push_ascii(b'\n');

    // Step 2: the string to sign.
    let sts_start = text.len();
    text.push_str(TC3_ALGORITHM);
    text.push_ascii(b'\n');
    let start = text.len();
    text.push_decimal(timestamp, 1);
    let stamp = text.since(start);
    text.push_ascii(b'\n');
    let start = text.len();
    push_utc_date(&mut text, timestamp);
    text.push_ascii(b'/');
    text.push_str(service);
    text.push_ascii(b'/');
    text.push_str(SCOPE_TERMINATOR);
    let credential_scope = text.since(start);
    text.push_ascii(b'\n');
    text.push_hex(&canonical_hash);
    let string_to_sign = text.since(sts_start);
    let mac = hmac_sha256(signing_key, text.bytes_of(string_to_sign));
    text.push_ascii(b'\n');

    // Steps 3 and 4: the signature, in the `Authorization` value.
    let auth_start = text.len();
    text.push_str(TC3_ALGORITHM);
    text.push_str(" Credential=");
    text.push_str(credential.secret_id());
    text.push_ascii(b'/');
    text.push_span(credential_scope);
    text.push_str(", SignedHeaders=");
    text.push_span(signed_headers);
    text.push_str(", Signature=");
    let start = text.len();
    text.push_hex(&mac);
    let signature = text.since(start);
    let authorization = text.since(auth_start);
    let text = text.into_string();

    let mut extra = Vec::with_capacity(3);
    extra.push((HEADER_TIMESTAMP.to_owned(), stamp.of(&text).to_owned()));
    if let Some(token) = credential.session_token() {
        extra.push((HEADER_TOKEN.to_owned(), token.to_owned()));
    }
    if matches!(request.payload, PayloadHash::Unsigned) {
        extra.push((
            HEADER_CONTENT_SHA256.to_owned(),
            UNSIGNED_PAYLOAD.to_owned(),
        ));
    }

    Tc3Signature {
        text,
        authorization,
        canonical_request,
        string_to_sign,
        signature,
        credential_scope,
        signed_headers,
        payload_hash,
        timestamp,
        headers: extra,
    }
}

/// The signed headers as trimmed `(name, value)` slices of the request, sorted by
/// lower-cased name, without empty names or repeats (the first one given wins, and
/// `content-type` and `host` come first): the canonical order. Lower-casing is left
/// to the writer, which does it while copying.
///
/// Uses `stack` when the headers fit (always, in practice), `heap` otherwise.
fn canonical_headers<'r, 's>(
    request: &Tc3Request<'r>,
    stack: &'s mut [(&'r str, &'r str); STACK_HEADERS],
    heap: &'s mut Vec<(&'r str, &'r str)>,
) -> &'s [(&'r str, &'r str)] {
    let given = 2 + request.extra_signed_headers.len();
    let slots: &mut [(&'r str, &'r str)] = if given <= STACK_HEADERS {
        &mut stack[..given]
    } else {
        heap.resize(given, ("", ""));
        heap
    };
    let fixed = [
        ("content-type", request.content_type),
        ("host", request.host),
    ];
    let mut len = 0;
    for (name, value) in fixed.iter().chain(request.extra_signed_headers) {
        let name = trim(name);
        if !name.is_empty() {
            slots[len] = (name, trim(value));
            len += 1;
        }
    }
    let slots = &mut slots[..len];
    // Stable: among equal names the first given stays first, and is the one kept.
    slots.sort_by(|a, b| cmp_lower(a.0, b.0));
    let mut kept = 0;
    for i in 0..slots.len() {
        if kept == 0 || !slots[kept - 1].0.eq_ignore_ascii_case(slots[i].0) {
            slots[kept] = slots[i];
            kept += 1;
        }
    }
    &slots[..kept]
}

/// A TC3 signer that caches derived signing keys.
///
/// Produces exactly what [`sign_tc3`] produces, but derives the signing key once per
/// (secret key, UTC date, service) instead of on every request. The cache is small
/// and bounded (least recently used entries are dropped) and is keyed by a
/// fingerprint of the secret key, computed once when the [`Credential`] is made,
/// rather than the key itself; a hit costs one short lock and no allocation. Share
/// one signer between threads. `Debug` shows only cache counts.
///
/// ```
/// use tc_signing::{sign_tc3, Credential, PayloadHash, Tc3Request, Tc3Signer};
///
/// let signer = Tc3Signer::new();
/// let cred = Credential::new("AKIDexample", "example-key");
/// let request = Tc3Request::new("POST", "lkeap.tencentcloudapi.com", "application/json", PayloadHash::Bytes(b"{}"));
/// let first = signer.sign(&request, &cred, "lkeap", 1_700_000_000);
/// let second = signer.sign(&request, &cred, "lkeap", 1_700_000_060);
/// assert_eq!(first, sign_tc3(&request, &cred, "lkeap", 1_700_000_000));
/// assert_ne!(first.signature(), second.signature());
/// assert_eq!(signer.key_derivations(), 1); // same day and service: derived once
/// ```
pub struct Tc3Signer {
    cache: KeyCache<Tc3CacheKey, [u8; 32]>,
}

/// What a TC3 signing key depends on: the secret key (by fingerprint), the UTC day
/// and the service.
struct Tc3CacheKey {
    key_id: KeyId,
    day: u64,
    service: String,
}

impl Tc3Signer {
    /// A signer with an empty cache.
    ///
    /// ```
    /// let signer = tc_signing::Tc3Signer::new();
    /// assert_eq!((signer.cached_keys(), signer.key_derivations()), (0, 0));
    /// ```
    pub fn new() -> Self {
        Self {
            cache: KeyCache::new(SIGNER_CACHE_CAPACITY),
        }
    }

    /// Same as [`sign_tc3`], with the signing key taken from the cache when possible.
    ///
    /// ```
    /// use tc_signing::{sign_tc3, Credential, PayloadHash, Tc3Request, Tc3Signer};
    ///
    /// let signer = Tc3Signer::new();
    /// let body = PayloadHash::Bytes(b"{}");
    /// let request = Tc3Request::new("POST", "ocr.tencentcloudapi.com", "application/json", body);
    /// let cred = Credential::new("AKIDexample", "example-key");
    /// let signed = signer.sign(&request, &cred, "ocr", 1_551_113_065);
    /// assert_eq!(signed, sign_tc3(&request, &cred, "ocr", 1_551_113_065));
    /// ```
    pub fn sign(
        &self,
        request: &Tc3Request<'_>,
        credential: &Credential,
        service: &str,
        timestamp: u64,
    ) -> Tc3Signature {
        let key_id = credential.key_id();
        let day = utc_day(timestamp);
        // Keyed by the credential's fingerprint: the cache never holds the secret key.
        let key = self.cache.get_or_insert_with(
            |k| k.key_id == key_id && k.day == day && k.service == service,
            || {
                let key =
                    derive_signing_key(credential.secret_key(), &utc_date(timestamp), service);
                let cache_key = Tc3CacheKey {
                    key_id,
                    day,
                    service: service.to_owned(),
                };
                (cache_key, key)
            },
        );
        sign_with_key(request, credential, service, timestamp, &key)
    }

    /// How many signing keys are cached now.
    ///
    /// ```
    /// use tc_signing::{Credential, PayloadHash, Tc3Request, Tc3Signer};
    ///
    /// let signer = Tc3Signer::new();
    /// let cred = Credential::new("AKIDexample", "example-key");
    /// let body = PayloadHash::Bytes(b"{}");
    /// let ocr = Tc3Request::new("POST", "ocr.tencentcloudapi.com", "application/json", body);
    /// let lkeap = Tc3Request { host: "lkeap.tencentcloudapi.com", ..ocr };
    /// signer.sign(&ocr, &cred, "ocr", 1_551_113_065);
    /// signer.sign(&lkeap, &cred, "lkeap", 1_551_113_065);
    /// signer.sign(&ocr, &cred, "ocr", 1_551_113_125);
    /// assert_eq!(signer.cached_keys(), 2); // one per service and day
    /// ```
    pub fn cached_keys(&self) -> usize {
        self.cache.len()
    }

    /// How many signing keys have been derived (cache misses) since creation; for
    /// observing cache effectiveness.
    ///
    /// ```
    /// use tc_signing::{Credential, PayloadHash, Tc3Request, Tc3Signer};
    ///
    /// let signer = Tc3Signer::new();
    /// let cred = Credential::new("AKIDexample", "example-key");
    /// let body = PayloadHash::Bytes(b"{}");
    /// let request = Tc3Request::new("POST", "ocr.tencentcloudapi.com", "application/json", body);
    /// signer.sign(&request, &cred, "ocr", 1_551_139_199); // 2019-02-25 23:59:59 UTC
    /// signer.sign(&request, &cred, "ocr", 1_551_139_200); // 2019-02-26 00:00:00 UTC
    /// signer.sign(&request, &cred, "ocr", 1_551_139_260);
    /// assert_eq!(signer.key_derivations(), 2); // a new key at midnight UTC, then cached
    /// ```
    pub fn key_derivations(&self) -> u64 {
        self.cache.misses()
    }
}

impl Default for Tc3Signer {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Tc3Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tc3Signer")
            .field("cached_keys", &self.cached_keys())
            .field("key_derivations", &self.key_derivations())
            .finish()
    }
}

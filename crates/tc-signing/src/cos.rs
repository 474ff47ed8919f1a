//! The COS / CI request signature, `q-sign-algorithm=sha1` (COS XML API v5).
//!
//! Used for every COS host (`*.cos.*`), CI host (`*.ci.*`, `ci.<region>.*`) and
//! picture host. Steps: `SignKey = hex(HMAC-SHA1(SecretKey, KeyTime))`; encode, sort
//! and join the query parameters and the chosen headers; hash the `HttpString`
//! (method, decoded path, parameters, headers); sign `sha1\nKeyTime\nSHA1(HttpString)\n`
//! with the hex `SignKey`; place the seven `q-*` fields in the `Authorization` header
//! or in the query string.

mod headers;

pub use headers::{should_sign_header, signable_headers, TokenHeader, DEFAULT_SIGNED_HEADERS};

use std::cell::RefCell;
use std::fmt;

use crate::cache::KeyCache;
use crate::credential::KeyId;
use crate::crypto::{hmac_sha1, sha1};
use crate::encoding::{
    classify, push_cos_encoded, push_uri_component_encoded, uri_component_encode, Case,
};
use crate::redact::{Redacted, RedactedPairs};
use crate::text::{decimal, hex_into, trim, Span, TextBuf};
use crate::Credential;

/// The value of `q-sign-algorithm`, and the first line of the string to sign.
pub const COS_ALGORITHM: &str = "sha1";
/// Query parameter carrying the session token in a presigned URL.
pub const QUERY_SECURITY_TOKEN: &str = "x-cos-security-token";

/// SignKeys kept by a [`CosSigner`]: a few credentials × validity windows.
const SIGNER_CACHE_CAPACITY: usize = 16;
/// A per-thread scratch buffer larger than this is given back after use.
const SCRATCH_KEEP_BYTES: usize = 16 * 1024;
/// Nor are more query parameters and headers than this kept room for.
const SCRATCH_KEEP_PAIRS: usize = 256;

/// What every request of one validity window shares: the `SignKey` (40 lower-case
/// hex digits) and the `KeyTime` text (`"<start>;<end>"`). A derived secret: no `Debug`.
#[derive(Clone, Copy)]
struct WindowKey {
    sign_key: [u8; 40],
    key_time: [u8; 41],
    key_time_len: usize,
}

impl WindowKey {
    /// `SignKey` = lower-case hex HMAC-SHA1(SecretKey, "start;end").
    fn derive(secret_key: &str, key_time: KeyTime) -> Self {
        let mut text = [0u8; 41];
        let mut len = 0;
        for (i, n) in [key_time.start, key_time.end].into_iter().enumerate() {
            if i > 0 {
                text[len] = b';';
                len += 1;
            }
            let (digits, start) = decimal(n, 1);
            let digits = &digits[start..];
            text[len..len + digits.len()].copy_from_slice(digits);
            len += digits.len();
        }
        let mac = hmac_sha1(secret_key.as_bytes(), &text[..len]);
        let mut sign_key = [0u8; 40];
        hex_into(&mac, &mut sign_key);
        Self {
            sign_key,
            key_time: text,
            key_time_len: len,
        }
    }

    fn key_time_text(&self) -> &[u8] {
        self.key_time.get(..self.key_time_len).unwrap_or_default()
    }
}

/// The validity window of a signature, in Unix seconds; used for both `q-sign-time`
/// and `q-key-time`, as every SDK does.
///
/// Starting the window a little in the past (the Python and PHP SDKs use 60 s)
/// tolerates a client clock that runs ahead of the server's.
///
/// ```
/// use tc_signing::KeyTime;
///
/// assert_eq!(KeyTime::new(1557989151, 1557996351).to_string(), "1557989151;1557996351");
/// assert_eq!(KeyTime::starting_at(100, 3600), KeyTime::new(100, 3700));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyTime {
    /// First second of validity.
    pub start: u64,
    /// Last second of validity.
    pub end: u64,
}

impl KeyTime {
    /// The window `start..=end`.
    ///
    /// ```
    /// use tc_signing::KeyTime;
    ///
    /// let window = KeyTime::new(1_700_000_000, 1_700_003_600);
    /// assert_eq!(window.end - window.start, 3600);
    /// assert_eq!(window.to_string(), "1700000000;1700003600");
    /// ```
    pub fn new(start: u64, end: u64) -> Self {
        Self { start, end }
    }

    /// The window that opens at `start` and lasts `lifetime_secs` seconds.
    ///
    /// ```
    /// use tc_signing::KeyTime;
    ///
    /// // Opened a minute early, for a client clock that runs ahead of the server's.
    /// let now = 1_700_000_000;
    /// let window = KeyTime::starting_at(now - 60, 3600 + 60);
    /// assert_eq!(window, KeyTime::new(1_699_999_940, 1_700_003_600));
    /// assert_eq!(KeyTime::starting_at(u64::MAX - 1, 60).end, u64::MAX); // saturates
    /// ```
    pub fn starting_at(start: u64, lifetime_secs: u64) -> Self {
        Self::new(start, start.saturating_add(lifetime_secs))
    }
}

impl fmt::Display for KeyTime {
    /// `"<start>;<end>"`, the `KeyTime` string of the algorithm.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{};{}", self.start, self.end)
    }
}

/// The parts of an HTTP request that the COS signature covers.
///
/// Everything is given **decoded**: the signer encodes it once (giving an
/// already-encoded path or query would sign double-encoded text).
///
/// * `query`: every parameter you send, `(key, value)`; a parameter without value
///   such as `?cancel` is `("cancel", "")` and is signed as `cancel=`. Duplicate keys
///   are all kept: both pairs are signed, sorted by encoded lower-case key and then
///   by encoded value, and the key is listed twice in `q-url-param-list` (the Go SDK's
///   behaviour). Avoid duplicates if you can.
/// * `headers`: exactly the headers to sign (see [`should_sign_header`] and
///   [`signable_headers`]); names and values are trimmed, as the server sees them.
///   Send each with exactly the signed value.
#[derive(Clone, Copy)]
pub struct CosRequest<'a> {
    /// HTTP method; lower-cased in the signature.
    pub method: &'a str,
    /// The decoded path, starting with `/` (e.g. `/exampleobject(腾讯云)`, `/jobs`).
    /// An empty path is `/`; a missing leading `/` is added.
    pub path: &'a str,
    /// Decoded query parameters.
    pub query: &'a [(&'a str, &'a str)],
    /// The headers to sign, with decoded values.
    pub headers: &'a [(&'a str, &'a str)],
}

impl fmt::Debug for CosRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CosRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &RedactedPairs(self.query))
            .field("headers", &RedactedPairs(self.headers))
            .finish()
    }
}

/// A computed COS signature with all its intermediates.
///
/// `Debug` omits the `SignKey` (a derived secret) and the values of sensitive
/// headers and parameters such as `x-cos-security-token`.
#[derive(Clone, PartialEq, Eq)]
pub struct CosSignature {
    /// `HttpString`, `StringToSign`, the `Authorization` value and the `SignKey`, one
    /// after the other; every intermediate is a span of it (one allocation).
    text: String,
    key_time: KeyTime,
    /// `"<start>;<end>"`.
    key_time_text: Span,
    secret_id: Span,
    sign_key: Span,
    url_param_list: Span,
    header_list: Span,
    http_parameters: Span,
    http_headers: Span,
    http_string: Span,
    http_string_sha1: Span,
    string_to_sign: Span,
    signature: Span,
    authorization: Span,
}

impl CosSignature {
    /// The `Authorization` header value:
    /// `q-sign-algorithm=sha1&q-ak=…&q-sign-time=…&q-key-time=…&q-header-list=…&q-url-param-list=…&q-signature=…`
    /// (literal `;` inside; empty lists as `q-header-list=`).
    ///
    /// With temporary keys, also send the token header ([`TokenHeader`]).
    ///
    /// ```
    /// use tc_signing::{sign_cos, CosRequest, Credential, KeyTime};
    ///
    /// let request = CosRequest {
    ///     method: "GET",
    ///     path: "/photos/cat 1.jpg",
    ///     query: &[("ci-process", "OCR"), ("Type", "general")],
    ///     headers: &[("Host", "examplebucket-1250000000.cos.ap-beijing.myqcloud.com")],
    /// };
    /// let cred = Credential::new("AKIDexample", "example-key");
    /// let signed = sign_cos(&request, &cred, KeyTime::new(1_700_000_000, 1_700_003_600));
    /// let authorization = signed.authorization();
    /// let names: Vec<&str> =
    ///     authorization.split('&').filter_map(|f| f.split_once('=')).map(|(n, _)| n).collect();
    /// assert_eq!(
    ///     names,
    ///     ["q-sign-algorithm", "q-ak", "q-sign-time", "q-key-time", "q-header-list",
    ///      "q-url-param-list", "q-signature"]
    /// );
    /// assert!(authorization.contains("&q-url-param-list=ci-process;type&"));
    /// ```
    pub fn authorization(&self) -> String {
        self.authorization_str().to_owned()
    }

    /// [`authorization`](Self::authorization), borrowed: built once, when signing.
    fn authorization_str(&self) -> &str {
        self.authorization.of(&self.text)
    }

    /// The same seven `q-*` fields as a query string for a presigned URL (the
    /// "expanded" form), each value percent-encoded (`;` becomes `%3B`), plus
    /// `&x-cos-security-token=<token>` when a session token is given (appended
    /// unsigned, as the Java/JS/PHP SDKs do).
    ///
    /// Values are encoded like JavaScript's `encodeURIComponent`, which is what the
    /// Go SDK's presign helper does: RFC 3986 unreserved characters and `! * ' ( )`
    /// stay literal. Real secret ids are alphanumeric, so in practice only the `;`
    /// of the times and lists, and the `%` of encoded parameter names, are escaped.
    /// Append the result to your own (encoded) query with `&`.
    ///
    /// ```
    /// use tc_signing::{sign_cos, CosRequest, Credential, KeyTime};
    ///
    /// let request = CosRequest {
    ///     method: "GET",
    ///     path: "/photos/cat 1.jpg",
    ///     query: &[("ci-process", "OCR"), ("Type", "general")],
    ///     headers: &[("Host", "examplebucket-1250000000.cos.ap-beijing.myqcloud.com")],
    /// };
    /// let cred = Credential::new("AKIDexample", "example-key");
    /// let signed = sign_cos(&request, &cred, KeyTime::new(1_700_000_000, 1_700_003_600));
    /// let query = signed.presigned_query(Some("example-token"));
    /// assert!(query.contains("&q-sign-time=1700000000%3B1700003600&"));
    /// assert!(query.ends_with("&x-cos-security-token=example-token"));
    /// let host = "https://examplebucket-1250000000.cos.ap-beijing.myqcloud.com";
    /// let path = tc_signing::cos_encode_path(request.path);
    /// let url = format!("{host}{path}?ci-process=OCR&Type=general&{query}");
    /// assert!(url.contains("/photos/cat%201.jpg?ci-process=OCR&"));
    /// ```
    pub fn presigned_query(&self, session_token: Option<&str>) -> String {
        let mut query = String::with_capacity(self.authorization.of(&self.text).len() + 32);
        for (i, (name, value)) in self.q_fields().iter().enumerate() {
            if i > 0 {
                query.push('&');
            }
            query.push_str(name);
            query.push('=');
            push_uri_component_encoded(&mut query, value);
        }
        push_token(&mut query, session_token);
        query
    }

    /// The "merged" presigned form (Go `SignMerged`, Java prefix mode, PHP default):
    /// `sign=<the whole Authorization value, percent-encoded>`, plus
    /// `&x-cos-security-token=<token>` when a token is given.
    ///
    /// ```
    /// use tc_signing::{sign_cos, CosRequest, Credential, KeyTime};
    ///
    /// let request = CosRequest {
    ///     method: "GET",
    ///     path: "/photos/cat 1.jpg",
    ///     query: &[("ci-process", "OCR"), ("Type", "general")],
    ///     headers: &[("Host", "examplebucket-1250000000.cos.ap-beijing.myqcloud.com")],
    /// };
    /// let cred = Credential::new("AKIDexample", "example-key");
    /// let signed = sign_cos(&request, &cred, KeyTime::new(1_700_000_000, 1_700_003_600));
    /// let query = signed.presigned_query_merged(None);
    /// assert!(query.starts_with("sign=q-sign-algorithm%3Dsha1%26q-ak%3DAKIDexample%26"));
    /// assert!(!query.contains("x-cos-security-token"));
    /// ```
    pub fn presigned_query_merged(&self, session_token: Option<&str>) -> String {
        let mut query = String::from("sign=");
        push_uri_component_encoded(&mut query, self.authorization_str());
        push_token(&mut query, session_token);
        query
    }

    /// The `q-ak` value (the secret id).
    ///
    /// ```
    /// use tc_signing::{sign_cos, CosRequest, Credential, KeyTime};
    ///
    /// let request = CosRequest {
    ///     method: "GET",
    ///     path: "/photos/cat 1.jpg",
    ///     query: &[("ci-process", "OCR"), ("Type", "general")],
    ///     headers: &[("Host", "examplebucket-1250000000.cos.ap-beijing.myqcloud.com")],
    /// };
    /// let cred = Credential::new("AKIDexample", "example-key");
    /// let signed = sign_cos(&request, &cred, KeyTime::new(1_700_000_000, 1_700_003_600));
    /// assert_eq!(signed.secret_id(), "AKIDexample");
    /// assert!(signed.authorization().contains("&q-ak=AKIDexample&"));
    /// ```
    pub fn secret_id(&self) -> &str {
        self.secret_id.of(&self.text)
    }

    /// The validity window that was signed.
    ///
    /// ```
    /// use tc_signing::{sign_cos, CosRequest, Credential, KeyTime};
    ///
    /// let request = CosRequest {
    ///     method: "GET",
    ///     path: "/photos/cat 1.jpg",
    ///     query: &[("ci-process", "OCR"), ("Type", "general")],
    ///     headers: &[("Host", "examplebucket-1250000000.cos.ap-beijing.myqcloud.com")],
    /// };
    /// let cred = Credential::new("AKIDexample", "example-key");
    /// let signed = sign_cos(&request, &cred, KeyTime::new(1_700_000_000, 1_700_003_600));
    /// assert_eq!(signed.key_time(), KeyTime::new(1_700_000_000, 1_700_003_600));
    /// ```
    pub fn key_time(&self) -> KeyTime {
        self.key_time
    }

    /// `SignKey`: lower-case hex HMAC-SHA1 of `KeyTime` under the secret key. A
    /// derived secret (valid for this window); never log it.
    ///
    /// ```
    /// use tc_signing::{sign_cos, CosRequest, Credential, KeyTime};
    ///
    /// let request = CosRequest {
    ///     method: "GET",
    ///     path: "/photos/cat 1.jpg",
    ///     query: &[("ci-process", "OCR"), ("Type", "general")],
    ///     headers: &[("Host", "examplebucket-1250000000.cos.ap-beijing.myqcloud.com")],
    /// };
    /// let cred = Credential::new("AKIDexample", "example-key");
    /// let signed = sign_cos(&request, &cred, KeyTime::new(1_700_000_000, 1_700_003_600));
    /// // The key and the window alone decide it: every request in the window shares it.
    /// let head = CosRequest { method: "HEAD", ..request };
    /// let other = sign_cos(&head, &cred, KeyTime::new(1_700_000_000, 1_700_003_600));
    /// assert_eq!(signed.sign_key(), other.sign_key());
    /// assert_eq!(signed.sign_key().len(), 40);
    /// assert!(!format!("{signed:?}").contains(signed.sign_key()));
    /// ```
    pub fn sign_key(&self) -> &str {
        self.sign_key.of(&self.text)
    }

    /// `HeaderList` (`q-header-list`): the encoded, lower-cased, sorted header names
    /// joined by `;`.
    ///
    /// ```
    /// use tc_signing::{sign_cos, CosRequest, Credential, KeyTime};
    ///
    /// let request = CosRequest {
    ///     method: "PUT",
    ///     path: "/scans/page 1.png",
    ///     query: &[],
    ///     headers: &[
    ///         ("Host", "examplebucket-1250000000.cos.ap-beijing.myqcloud.com"),
    ///         ("Content-MD5", "mQ/fVh815F3k6TAUm8m0eg=="),
    ///     ],
    /// };
    /// let cred = Credential::new("AKIDexample", "example-key");
    /// let signed = sign_cos(&request, &cred, KeyTime::new(1_700_000_000, 1_700_003_600));
    /// assert_eq!(signed.header_list(), "content-md5;host");
    /// ```
    pub fn header_list(&self) -> &str {
        self.header_list.of(&self.text)
    }

    /// `UrlParamList` (`q-url-param-list`): the encoded, lower-cased, sorted
    /// parameter names joined by `;`.
    ///
    /// ```
    /// use tc_signing::{sign_cos, CosRequest, Credential, KeyTime};
    ///
    /// let request = CosRequest {
    ///     method: "GET",
    ///     path: "/photos/cat 1.jpg",
    ///     query: &[("ci-process", "OCR"), ("Type", "general")],
    ///     headers: &[("Host", "examplebucket-1250000000.cos.ap-beijing.myqcloud.com")],
    /// };
    /// let cred = Credential::new("AKIDexample", "example-key");
    /// let signed = sign_cos(&request, &cred, KeyTime::new(1_700_000_000, 1_700_003_600));
    /// assert_eq!(signed.url_param_list(), "ci-process;type");
    /// ```
    pub fn url_param_list(&self) -> &str {
        self.url_param_list.of(&self.text)
    }

    /// `HttpParameters`: `key=value` pairs joined by `&`.
    ///
    /// ```
    /// use tc_signing::{sign_cos, CosRequest, Credential, KeyTime};
    ///
    /// let request = CosRequest {
    ///     method: "GET",
    ///     path: "/photos/cat 1.jpg",
    ///     query: &[("ci-process", "OCR"), ("Type", "general")],
    ///     headers: &[("Host", "examplebucket-1250000000.cos.ap-beijing.myqcloud.com")],
    /// };
    /// let cred = Credential::new("AKIDexample", "example-key");
    /// let signed = sign_cos(&request, &cred, KeyTime::new(1_700_000_000, 1_700_003_600));
    /// assert_eq!(signed.http_parameters(), "ci-process=OCR&type=general");
    /// ```
    pub fn http_parameters(&self) -> &str {
        self.http_parameters.of(&self.text)
    }

    /// `HttpHeaders`: `name=value` pairs joined by `&`.
    ///
    /// ```
    /// use tc_signing::{sign_cos, CosRequest, Credential, KeyTime};
    ///
    /// let request = CosRequest {
    ///     method: "PUT",
    ///     path: "/scans/page 1.png",
    ///     query: &[],
    ///     headers: &[
    ///         ("Host", "examplebucket-1250000000.cos.ap-beijing.myqcloud.com"),
    ///         ("Content-MD5", "mQ/fVh815F3k6TAUm8m0eg=="),
    ///     ],
    /// };
    /// let cred = Credential::new("AKIDexample", "example-key");
    /// let signed = sign_cos(&request, &cred, KeyTime::new(1_700_000_000, 1_700_003_600));
    /// // Values are percent-encoded: `/` and `=` of the base64 digest included.
    /// let md5 = "content-md5=mQ%2FfVh815F3k6TAUm8m0eg%3D%3D";
    /// assert!(signed.http_headers().starts_with(&format!("{md5}&host=")));
    /// ```
    pub fn http_headers(&self) -> &str {
        self.http_headers.of(&self.text)
    }

    /// `HttpString`: `method\npath\nHttpParameters\nHttpHeaders\n`.
    ///
    /// ```
    /// use tc_signing::{sign_cos, CosRequest, Credential, KeyTime};
    ///
    /// let request = CosRequest {
    ///     method: "GET",
    ///     path: "/photos/cat 1.jpg",
    ///     query: &[("ci-process", "OCR"), ("Type", "general")],
    ///     headers: &[("Host", "examplebucket-1250000000.cos.ap-beijing.myqcloud.com")],
    /// };
    /// let cred = Credential::new("AKIDexample", "example-key");
    /// let signed = sign_cos(&request, &cred, KeyTime::new(1_700_000_000, 1_700_003_600));
    /// // Lower-case method, decoded path.
    /// let (params, headers) = (signed.http_parameters(), signed.http_headers());
    /// assert_eq!(signed.http_string(), format!("get\n/photos/cat 1.jpg\n{params}\n{headers}\n"));
    /// ```
    pub fn http_string(&self) -> &str {
        self.http_string.of(&self.text)
    }

    /// Lower-case hex SHA-1 of [`http_string`](Self::http_string).
    ///
    /// ```
    /// use tc_signing::{sign_cos, CosRequest, Credential, KeyTime};
    ///
    /// let request = CosRequest {
    ///     method: "GET",
    ///     path: "/photos/cat 1.jpg",
    ///     query: &[("ci-process", "OCR"), ("Type", "general")],
    ///     headers: &[("Host", "examplebucket-1250000000.cos.ap-beijing.myqcloud.com")],
    /// };
    /// let cred = Credential::new("AKIDexample", "example-key");
    /// let signed = sign_cos(&request, &cred, KeyTime::new(1_700_000_000, 1_700_003_600));
    /// assert_eq!(signed.http_string_sha1().len(), 40);
    /// assert!(signed.string_to_sign().ends_with(&format!("\n{}\n", signed.http_string_sha1())));
    /// ```
    pub fn http_string_sha1(&self) -> &str {
        self.http_string_sha1.of(&self.text)
    }

    /// `StringToSign`: `sha1\nKeyTime\nSHA1(HttpString)\n`.
    ///
    /// ```
    /// use tc_signing::{sign_cos, CosRequest, Credential, KeyTime};
    ///
    /// let request = CosRequest {
    ///     method: "GET",
    ///     path: "/photos/cat 1.jpg",
    ///     query: &[("ci-process", "OCR"), ("Type", "general")],
    ///     headers: &[("Host", "examplebucket-1250000000.cos.ap-beijing.myqcloud.com")],
    /// };
    /// let cred = Credential::new("AKIDexample", "example-key");
    /// let signed = sign_cos(&request, &cred, KeyTime::new(1_700_000_000, 1_700_003_600));
    /// assert_eq!(
    ///     signed.string_to_sign(),
    ///     format!("sha1\n1700000000;1700003600\n{}\n", signed.http_string_sha1())
    /// );
    /// ```
    pub fn string_to_sign(&self) -> &str {
        self.string_to_sign.of(&self.text)
    }

    /// `q-signature`: lower-case hex HMAC-SHA1 of the string to sign under the hex
    /// `SignKey`.
    ///
    /// ```
    /// use tc_signing::{sign_cos, CosRequest, Credential, KeyTime};
    ///
    /// let request = CosRequest {
    ///     method: "GET",
    ///     path: "/photos/cat 1.jpg",
    ///     query: &[("ci-process", "OCR"), ("Type", "general")],
    ///     headers: &[("Host", "examplebucket-1250000000.cos.ap-beijing.myqcloud.com")],
    /// };
    /// let cred = Credential::new("AKIDexample", "example-key");
    /// let signed = sign_cos(&request, &cred, KeyTime::new(1_700_000_000, 1_700_003_600));
    /// assert_eq!(signed.signature().len(), 40);
    /// assert!(signed.authorization().ends_with(&format!("&q-signature={}", signed.signature())));
    /// ```
    pub fn signature(&self) -> &str {
        self.signature.of(&self.text)
    }

    fn q_fields(&self) -> [(&'static str, &str); 7] {
        let key_time = self.key_time_text.of(&self.text);
        [
            ("q-sign-algorithm", COS_ALGORITHM),
            ("q-ak", self.secret_id()),
            ("q-sign-time", key_time),
            ("q-key-time", key_time),
            ("q-header-list", self.header_list()),
            ("q-url-param-list", self.url_param_list()),
            ("q-signature", self.signature()),
        ]
    }
}

fn push_token(query: &mut String, session_token: Option<&str>) {
    if let Some(token) = session_token {
        query.push('&');
        query.push_str(QUERY_SECURITY_TOKEN);
        query.push('=');
        query.push_str(&uri_component_encode(token));
    }
}

impl fmt::Debug for CosSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Names and values are encoded, so `&` and `=` only ever separate them.
        fn pairs(joined: &str) -> Vec<(&str, &str)> {
            joined
                .split('&')
                .filter(|pair| !pair.is_empty())
                .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
                .collect()
        }
        f.debug_struct("CosSignature")
            .field("secret_id", &self.secret_id())
            .field("key_time", &self.key_time)
            .field("sign_key", &Redacted)
            .field("header_list", &self.header_list())
            .field("url_param_list", &self.url_param_list())
            .field(
                "http_parameters",
                &RedactedPairs(&pairs(self.http_parameters())),
            )
            .field("http_headers", &RedactedPairs(&pairs(self.http_headers())))
            .field("string_to_sign", &self.string_to_sign())
            .field("signature", &self.signature())
            .finish_non_exhaustive()
    }
}

/// Signs a COS / CI request for the given validity window.
///
/// Pure: no clock, no cache (see [`CosSigner`]). The session token is not part of
/// the computation unless you list its header in `request.headers`; either way send
/// it (header [`TokenHeader::name`] or [`CosSignature::presigned_query`]).
///
/// ```
/// use tc_signing::{sign_cos, CosRequest, Credential, KeyTime};
///
/// let cred = Credential::new("AKIDexample", "example-key");
/// let request = CosRequest {
///     method: "GET",
///     path: "/photos/cat 1.jpg",
///     query: &[("ci-process", "OCR"), ("type", "general")],
///     headers: &[("host", "examplebucket-1250000000.cos.ap-beijing.myqcloud.com")],
/// };
/// let signed = sign_cos(&request, &cred, KeyTime::starting_at(1_700_000_000, 3600));
///
/// assert_eq!(signed.url_param_list(), "ci-process;type");
/// assert_eq!(signed.header_list(), "host");
/// assert!(signed.authorization().starts_with(
///     "q-sign-algorithm=sha1&q-ak=AKIDexample&q-sign-time=1700000000;1700003600&"
/// ));
/// ```
pub fn sign_cos(
    request: &CosRequest<'_>,
    credential: &Credential,
    key_time: KeyTime,
) -> CosSignature {
    let window = WindowKey::derive(credential.secret_key(), key_time);
    sign_with_key(request, credential.secret_id(), key_time, &window)
}

/// Bytes of a signature's text that do not depend on the request: the `q-*` names
/// (98), three key times (up to 123), three hex digests (120), newlines and slack.
const FIXED_TEXT_BYTES: usize = 384;

thread_local! {
    /// Per-thread working memory of [`sign_in`], reused so that signing allocates
    /// only its result.
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Working memory of [`sign_in`].
#[derive(Default)]
struct Scratch {
    /// The names and values that percent-encoding changes, encoded, back to back.
    encoded: TextBuf,
    /// The query parameters in signing order.
    params: Vec<PairForm>,
    /// The headers in signing order.
    headers: Vec<PairForm>,
}

fn sign_with_key(
    request: &CosRequest<'_>,
    secret_id: &str,
    key_time: KeyTime,
    window: &WindowKey,
) -> CosSignature {
    let sign = |scratch: &mut Scratch| sign_in(scratch, request, secret_id, key_time, window);
    SCRATCH
        .try_with(|cell| match cell.try_borrow_mut() {
            Ok(mut scratch) => {
                let signature = sign(&mut scratch);
                let pairs = scratch.params.capacity() + scratch.headers.capacity();
                if scratch.encoded.capacity() > SCRATCH_KEEP_BYTES || pairs > SCRATCH_KEEP_PAIRS {
                    *scratch = Scratch::default();
                }
                signature
            }
            // Not reached (signing never re-enters), but a fresh scratch is always right.
            Err(_) => sign(&mut Scratch::default()),
        })
        // During thread teardown, when the thread-local is already gone.
        .unwrap_or_else(|_| sign(&mut Scratch::default()))
}

/// How a name or value is signed: as the request gives it (names lower-cased while
/// copying, if they need it), or encoded, as a span of [`Scratch::encoded`].
#[derive(Clone, Copy)]
enum Form {
    /// This span of the given text (all of it, or trimmed).
    Given {
        span: Span,
        lower: bool,
    },
    Encoded(Span),
}

impl Form {
    /// The form of `given`, trimmed if `trimmed`; names are lower-cased, values are not.
    fn new(encoded: &mut TextBuf, given: &str, trimmed: bool, name: bool) -> Self {
        let text = if trimmed { trim(given) } else { given };
        let class = classify(text);
        if class.unreserved {
            // `text` is a slice of `given`: where it starts, without pointer arithmetic.
            let start = if text.len() < given.len() {
                given.len() - given.trim_start().len()
            } else {
                0
            };
            return Self::Given {
                span: Span::new(start, start + text.len()),
                lower: name && class.upper,
            };
        }
        let start = encoded.len();
        push_cos_encoded(encoded, text, if name { Case::Lower } else { Case::Upper });
        Self::Encoded(encoded.since(start))
    }
}

/// One query parameter or header: its position in the request and how its name
/// and value are signed.
#[derive(Clone, Copy)]
struct PairForm {
    index: usize,
    name: Form,
    value: Form,
}

/// The request's pairs of one kind (query or headers) with their forms: resolves a
/// [`PairForm`] to the bytes that are signed.
#[derive(Clone, Copy)]
struct Pairs<'a> {
    given: &'a [(&'a str, &'a str)],
    encoded: &'a TextBuf,
}

impl<'a> Pairs<'a> {
    /// The signed bytes of a name or value, and whether they still need lower-casing.
    fn bytes(self, index: usize, form: Form, name: bool) -> (&'a [u8], bool) {
        match form {
            Form::Given { span, lower } => {
                let (n, v) = self.given.get(index).copied().unwrap_or_default();
                (span.bytes_of(if name { n } else { v }), lower)
            }
            Form::Encoded(span) => (self.encoded.bytes_of(span), false),
        }
    }

    fn name(self, pair: &PairForm) -> (&'a [u8], bool) {
        self.bytes(pair.index, pair.name, true)
    }

    fn value(self, pair: &PairForm) -> (&'a [u8], bool) {
        self.bytes(pair.index, pair.value, false)
    }

    /// Signing order: by signed name, then signed value.
    fn cmp(self, a: &PairForm, b: &PairForm) -> std::cmp::Ordering {
        fn lowered((bytes, lower): (&[u8], bool)) -> impl Iterator<Item = u8> + '_ {
            bytes
                .iter()
                .map(move |&b| if lower { b.to_ascii_lowercase() } else { b })
        }
        let signed = |x: (&[u8], bool), y: (&[u8], bool)| match (x, y) {
            ((x, false), (y, false)) => x.cmp(y),
            (x, y) => lowered(x).cmp(lowered(y)),
        };
        signed(self.name(a), self.name(b)).then_with(|| signed(self.value(a), self.value(b)))
    }
}

/// Appends the signed form of a name or value.
fn push_signed(text: &mut TextBuf, (bytes, lower): (&[u8], bool)) {
    if lower {
        text.push_lower_bytes(bytes);
    } else {
        text.push_text_bytes(bytes);
    }
}

/// Fills `forms` with the forms of `given`, encoding what needs it into `encoded`.
fn forms(encoded: &mut TextBuf, forms: &mut Vec<PairForm>, given: &[(&str, &str)], trimmed: bool) {
    forms.clear();
    for (index, (name, value)) in given.iter().enumerate() {
        forms.push(PairForm {
            index,
            name: Form::new(encoded, name, trimmed, true),
            value: Form::new(encoded, value, trimmed, false),
        });
    }
}

/// The signing steps once the `SignKey` is known: encode and sort the parameters
/// and headers, then write `HttpString`, `StringToSign`, the `Authorization` value
/// and the `SignKey` one after the other into one buffer, hashing each part in
/// place.
fn sign_in(
    scratch: &mut Scratch,
    request: &CosRequest<'_>,
    secret_id: &str,
    key_time: KeyTime,
    window: &WindowKey,
) -> CosSignature {
    let Scratch {
        encoded,
        params,
        headers,
    } = scratch;
    encoded.clear();
    forms(encoded, params, request.query, false);
    forms(encoded, headers, request.headers, true);
    let encoded: &TextBuf = encoded;
    let query_pairs = Pairs {
        given: request.query,
        encoded,
    };
    let header_pairs = Pairs {
        given: request.headers,
        encoded,
    };
    params.sort_by(|a, b| query_pairs.cmp(a, b));
    headers.sort_by(|a, b| header_pairs.cmp(a, b));
    let (params, headers): (&[PairForm], &[PairForm]) = (params, headers);

    // Names appear twice (pairs and lists), values once, with a separator each;
    // encoding only lengthens what is in `encoded`.
    let pairs_len = |given: &[(&str, &str)]| -> usize {
        given.iter().map(|(n, v)| 2 * n.len() + v.len() + 3).sum()
    };
    let mut text = TextBuf::with_capacity(
        request.method.len()
            + request.path.len()
            + pairs_len(request.query)
            + pairs_len(request.headers)
            + 2 * encoded.len()
            + secret_id.len()
            + FIXED_TEXT_BYTES,
    );

    // HttpString: method, decoded path, HttpParameters, HttpHeaders.
    text.push_lower(request.method);
    text.push_ascii(b'\n');
    if !request.path.starts_with('/') {
        text.push_ascii(b'/');
    }
    text.push_str(request.path);
    text.push_ascii(b'\n');
    let http_parameters = push_joined_pairs(&mut text, query_pairs, params);
    text.push_ascii(b'\n');
    let http_headers = push_joined_pairs(&mut text, header_pairs, headers);
    text.push_ascii(b'\n');
    let http_string = text.since(0);
    let http_string_sha1 = sha1(text.bytes_of(http_string));

    // StringToSign: algorithm, KeyTime, SHA-1 of HttpString.
    let sts_start = text.len();
    text.push_str("sha1\n"); // COS_ALGORITHM
    let start = text.len();
    text.push_text_bytes(window.key_time_text());
    let key_time_text = text.since(start);
    text.push_ascii(b'\n');
    let start = text.len();
    text.push_hex(&http_string_sha1);
    let http_string_sha1 = text.since(start);
    text.push_ascii(b'\n');
    let string_to_sign = text.since(sts_start);
    let mac = hmac_sha1(&window.sign_key, text.bytes_of(string_to_sign));

    // The seven q-* fields of the Authorization value.
    let auth_start = text.len();
    text.push_str("q-sign-algorithm=sha1&q-ak="); // COS_ALGORITHM
    let start = text.len();
    text.push_str(secret_id);
    let secret_id = text.since(start);
    text.push_str("&q-sign-time=");
    text.push_span(key_time_text);
    text.push_str("&q-key-time=");
    text.push_span(key_time_text);
    text.push_str("&q-header-list=");
    let header_list = push_joined_names(&mut text, header_pairs, headers);
    text.push_str("&q-url-param-list=");
    let url_param_list = push_joined_names(&mut text, query_pairs, params);
    text.push_str("&q-signature=");
    let start = text.len();
    text.push_hex(&mac);
    let signature = text.since(start);
    let authorization = text.since(auth_start);

    let start = text.len();
    text.push_text_bytes(&window.sign_key);
    let sign_key = text.since(start);

    CosSignature {
        text: text.into_string(),
        key_time,
        key_time_text,
        secret_id,
        sign_key,
        url_param_list,
        header_list,
        http_parameters,
        http_headers,
        http_string,
        http_string_sha1,
        string_to_sign,
        signature,
        authorization,
    }
}

/// Appends the `&`-joined `name=value` pairs; returns their span.
fn push_joined_pairs(text: &mut TextBuf, pairs: Pairs<'_>, forms: &[PairForm]) -> Span {
    let start = text.len();
    for (i, pair) in forms.iter().enumerate() {
        if i > 0 {
            text.push_ascii(b'&');
        }
        push_signed(text, pairs.name(pair));
        text.push_ascii(b'=');
        push_signed(text, pairs.value(pair));
    }
    text.since(start)
}

/// Appends the `;`-joined names; returns their span.
fn push_joined_names(text: &mut TextBuf, pairs: Pairs<'_>, forms: &[PairForm]) -> Span {
    let start = text.len();
    for (i, pair) in forms.iter().enumerate() {
        if i > 0 {
            text.push_ascii(b';');
        }
        push_signed(text, pairs.name(pair));
    }
    text.since(start)
}

/// A COS signer that caches `SignKey`s.
///
/// Produces exactly what [`sign_cos`] produces, but computes the `SignKey` once per
/// (secret key, key time) — useful when many requests share one validity window.
/// Bounded (least recently used entries are dropped), keyed by a fingerprint of the
/// secret key computed once when the [`Credential`] is made (a hit costs one short
/// lock and no allocation), safe to share between threads. `Debug` shows only cache
/// counts.
///
/// ```
/// use tc_signing::{sign_cos, CosRequest, CosSigner, Credential, KeyTime};
///
/// let signer = CosSigner::new();
/// let cred = Credential::new("AKIDexample", "example-key");
/// let window = KeyTime::starting_at(1_700_000_000, 3600);
/// let request = CosRequest { method: "HEAD", path: "/a.jpg", query: &[], headers: &[] };
/// assert_eq!(signer.sign(&request, &cred, window), sign_cos(&request, &cred, window));
/// signer.sign(&request, &cred, window);
/// assert_eq!(signer.key_derivations(), 1);
/// ```
pub struct CosSigner {
    cache: KeyCache<(KeyId, KeyTime), WindowKey>,
}

impl CosSigner {
    /// A signer with an empty cache.
    ///
    /// ```
    /// let signer = tc_signing::CosSigner::new();
    /// assert_eq!((signer.cached_keys(), signer.key_derivations()), (0, 0));
    /// ```
    pub fn new() -> Self {
        Self {
            cache: KeyCache::new(SIGNER_CACHE_CAPACITY),
        }
    }

    /// Same as [`sign_cos`], with the `SignKey` taken from the cache when possible.
    ///
    /// ```
    /// use tc_signing::{sign_cos, CosRequest, CosSigner, Credential, KeyTime};
    ///
    /// let signer = CosSigner::new();
    /// let cred = Credential::new("AKIDexample", "example-key");
    /// let request = CosRequest { method: "DELETE", path: "/a.png", query: &[], headers: &[] };
    /// let window = KeyTime::starting_at(1_700_000_000, 600);
    /// assert_eq!(signer.sign(&request, &cred, window), sign_cos(&request, &cred, window));
    /// ```
    pub fn sign(
        &self,
        request: &CosRequest<'_>,
        credential: &Credential,
        key_time: KeyTime,
    ) -> CosSignature {
        // Keyed by the credential's fingerprint: the cache never holds the secret key.
        let key_id = credential.key_id();
        let window = self.cache.get_or_insert_with(
            |k| *k == (key_id, key_time),
            || {
                let window = WindowKey::derive(credential.secret_key(), key_time);
                ((key_id, key_time), window)
            },
        );
        sign_with_key(request, credential.secret_id(), key_time, &window)
    }

    /// How many `SignKey`s are cached now.
    ///
    /// ```
    /// use tc_signing::{CosRequest, CosSigner, Credential, KeyTime};
    ///
    /// let signer = CosSigner::new();
    /// let cred = Credential::new("AKIDexample", "example-key");
    /// let request = CosRequest { method: "HEAD", path: "/scans/a.png", query: &[], headers: &[] };
    /// signer.sign(&request, &cred, KeyTime::starting_at(1_700_000_000, 600));
    /// signer.sign(&request, &cred, KeyTime::starting_at(1_700_000_600, 600));
    /// assert_eq!(signer.cached_keys(), 2); // one per window
    /// ```
    pub fn cached_keys(&self) -> usize {
        self.cache.len()
    }

    /// How many `SignKey`s have been computed (cache misses) since creation.
    ///
    /// ```
    /// use tc_signing::{CosRequest, CosSigner, Credential, KeyTime};
    ///
    /// let signer = CosSigner::new();
    /// let cred = Credential::new("AKIDexample", "example-key");
    /// let window = KeyTime::starting_at(1_700_000_000, 600);
    /// for path in ["/scans/a.png", "/scans/b.png", "/scans/c.png"] {
    ///     let request = CosRequest { method: "HEAD", path, query: &[], headers: &[] };
    ///     signer.sign(&request, &cred, window);
    /// }
    /// assert_eq!(signer.key_derivations(), 1);
    /// ```
    pub fn key_derivations(&self) -> u64 {
        self.cache.misses()
    }
}

impl Default for CosSigner {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for CosSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CosSigner")
            .field("cached_keys", &self.cached_keys())
            .field("key_derivations", &self.key_derivations())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_algorithm_name_written_inline_is_cos_algorithm() {
        // `sign_in` writes `sha1` as part of longer literals.
        assert_eq!(COS_ALGORITHM, "sha1");
    }

    #[test]
    fn window_key_text_is_the_key_time_display() {
        for key_time in [
            KeyTime::new(0, 0),
            KeyTime::new(1_557_989_151, 1_557_996_351),
            KeyTime::new(u64::MAX, u64::MAX),
        ] {
            let window = WindowKey::derive("key", key_time);
            assert_eq!(window.key_time_text(), key_time.to_string().as_bytes());
        }
    }

    #[test]
    fn a_fresh_scratch_and_a_reused_one_sign_alike() {
        let cred = Credential::new("AKIDexample", "example-key");
        let window = KeyTime::new(1_700_000_000, 1_700_003_600);
        let big: Vec<(String, String)> = (0..40)
            .map(|i| (format!("X-Cos-Meta-{i} "), format!(" v/{i}=")))
            .collect();
        let big: Vec<(&str, &str)> = big.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let requests = [
            CosRequest {
                method: "PUT",
                path: "a b",
                query: &[("Z", "1"), ("a b", "c/d"), ("a b", "c")],
                headers: &big,
            },
            CosRequest {
                method: "GET",
                path: "",
                query: &[],
                headers: &[],
            },
        ];
        for request in &requests {
            // The thread-local scratch, used twice (second time: reused).
            let first = sign_cos(request, &cred, window);
            let again = sign_cos(request, &cred, window);
            let key = WindowKey::derive(cred.secret_key(), window);
            let fresh = sign_in(
                &mut Scratch::default(),
                request,
                cred.secret_id(),
                window,
                &key,
            );
            assert!(first == again && first == fresh);
        }
    }
}

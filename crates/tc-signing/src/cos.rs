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

use std::fmt;

use crate::cache::KeyCache;
use crate::crypto::{hmac_sha1, sha1_hex, sha256};
use crate::encoding::uri_component_encode;
use crate::redact::{Redacted, RedactedPairs};
use crate::{cos_encode, Credential};

/// The value of `q-sign-algorithm`, and the first line of the string to sign.
pub const COS_ALGORITHM: &str = "sha1";
/// Query parameter carrying the session token in a presigned URL.
pub const QUERY_SECURITY_TOKEN: &str = "x-cos-security-token";

/// SignKeys kept by a [`CosSigner`]: a few credentials × validity windows.
const SIGNER_CACHE_CAPACITY: usize = 16;

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
    secret_id: String,
    key_time: KeyTime,
    sign_key: String,
    params: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    url_param_list: String,
    header_list: String,
    http_parameters: String,
    http_headers: String,
    http_string: String,
    http_string_sha1: String,
    string_to_sign: String,
    signature: String,
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
        self.q_fields()
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("&")
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
        let mut query = self
            .q_fields()
            .iter()
            .map(|(name, value)| format!("{name}={}", uri_component_encode(value)))
            .collect::<Vec<_>>()
            .join("&");
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
        let mut query = format!("sign={}", uri_component_encode(&self.authorization()));
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
        &self.secret_id
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
        &self.sign_key
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
        &self.header_list
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
        &self.url_param_list
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
        &self.http_parameters
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
        &self.http_headers
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
        &self.http_string
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
        &self.http_string_sha1
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
        &self.string_to_sign
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
        &self.signature
    }

    fn q_fields(&self) -> [(&'static str, String); 7] {
        let key_time = self.key_time.to_string();
        [
            ("q-sign-algorithm", COS_ALGORITHM.to_owned()),
            ("q-ak", self.secret_id.clone()),
            ("q-sign-time", key_time.clone()),
            ("q-key-time", key_time),
            ("q-header-list", self.header_list.clone()),
            ("q-url-param-list", self.url_param_list.clone()),
            ("q-signature", self.signature.clone()),
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
        f.debug_struct("CosSignature")
            .field("secret_id", &self.secret_id)
            .field("key_time", &self.key_time)
            .field("sign_key", &Redacted)
            .field("header_list", &self.header_list)
            .field("url_param_list", &self.url_param_list)
            .field("http_parameters", &RedactedPairs(&self.params))
            .field("http_headers", &RedactedPairs(&self.headers))
            .field("string_to_sign", &self.string_to_sign)
            .field("signature", &self.signature)
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
    let sign_key = derive_sign_key(credential.secret_key(), key_time);
    sign_with_key(request, credential.secret_id(), key_time, sign_key)
}

/// `SignKey` = lower-case hex HMAC-SHA1(SecretKey, "start;end").
fn derive_sign_key(secret_key: &str, key_time: KeyTime) -> String {
    hex::encode(hmac_sha1(
        secret_key.as_bytes(),
        key_time.to_string().as_bytes(),
    ))
}

fn sign_with_key(
    request: &CosRequest<'_>,
    secret_id: &str,
    key_time: KeyTime,
    sign_key: String,
) -> CosSignature {
    let params = encode_pairs(request.query.iter().copied());
    let headers = encode_pairs(
        request
            .headers
            .iter()
            .map(|(name, value)| (name.trim(), value.trim())),
    );
    let (url_param_list, http_parameters) = lists(&params);
    let (header_list, http_headers) = lists(&headers);

    let path = match request.path {
        "" => "/".to_owned(),
        p if p.starts_with('/') => p.to_owned(),
        p => format!("/{p}"),
    };
    let http_string = format!(
        "{}\n{path}\n{http_parameters}\n{http_headers}\n",
        request.method.to_ascii_lowercase()
    );
    let http_string_sha1 = sha1_hex(http_string.as_bytes());
    let string_to_sign = format!("{COS_ALGORITHM}\n{key_time}\n{http_string_sha1}\n");
    let signature = hex::encode(hmac_sha1(sign_key.as_bytes(), string_to_sign.as_bytes()));

    CosSignature {
        secret_id: secret_id.to_owned(),
        key_time,
        sign_key,
        params,
        headers,
        url_param_list,
        header_list,
        http_parameters,
        http_headers,
        http_string,
        http_string_sha1,
        string_to_sign,
        signature,
    }
}

/// `(lowercase(encode(key)), encode(value))` for each pair, sorted by key then value.
fn encode_pairs<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> Vec<(String, String)> {
    let mut encoded: Vec<(String, String)> = pairs
        .map(|(key, value)| (cos_encode(key).to_ascii_lowercase(), cos_encode(value)))
        .collect();
    encoded.sort();
    encoded
}

/// The `;`-joined names and the `&`-joined `name=value` pairs.
fn lists(pairs: &[(String, String)]) -> (String, String) {
    let names = pairs
        .iter()
        .map(|(name, _)| name.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let joined = pairs
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join("&");
    (names, joined)
}

/// A COS signer that caches `SignKey`s.
///
/// Produces exactly what [`sign_cos`] produces, but computes the `SignKey` once per
/// (secret key, key time) — useful when many requests share one validity window.
/// Bounded (least recently used entries are dropped), keyed by a SHA-256 of the
/// secret key, safe to share between threads. `Debug` shows only cache counts.
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
    cache: KeyCache<([u8; 32], KeyTime), String>,
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
        // Keyed by a hash so the cache never holds the secret key itself.
        let secret_hash = sha256(credential.secret_key().as_bytes());
        let sign_key = self.cache.get_or_insert_with((secret_hash, key_time), || {
            derive_sign_key(credential.secret_key(), key_time)
        });
        sign_with_key(request, credential.secret_id(), key_time, sign_key)
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

//! COS `q-sign-algorithm=sha1` verification (COS and CI hosts), header and pre-signed
//! query forms.

use std::fmt;

use percent_encoding::percent_decode_str;
use tc_signing::{cos_encode, Credential};

use super::header;
use crate::crypto::{constant_time_eq, hmac_sha1, sha1_hex};

/// How far a `Date` header (or a signature start) may be ahead of / behind the server
/// clock before `RequestTimeTooSkewed` (15 minutes).
pub const COS_MAX_SKEW_SECS: u64 = 900;

/// The parts of a received COS / CI request the signature covers.
#[derive(Clone, Copy)]
pub struct CosInput<'a> {
    /// HTTP method as received.
    pub method: &'a str,
    /// The decoded path the client signed (`/exampleobject(腾讯云)`, `/jobs`,
    /// `/cos/<bucket>/<key>` in path-style addressing).
    pub path: &'a str,
    /// Every query parameter, decoded, in received order (including the `q-*`
    /// parameters of a pre-signed URL).
    pub query: &'a [(&'a str, &'a str)],
    /// Every received header.
    pub headers: &'a [(&'a str, &'a str)],
    /// True on a CI host, where `x-ci-security-token` is accepted besides
    /// `x-cos-security-token`.
    pub ci_host: bool,
}

impl fmt::Debug for CosInput<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CosInput")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("params", &self.query.len())
            .field("headers", &self.headers.len())
            .field("ci_host", &self.ci_host)
            .finish()
    }
}

/// What a verified request proved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CosVerified {
    /// `q-ak`.
    pub secret_id: String,
    /// `q-sign-time` as (start, end).
    pub sign_time: (u64, u64),
    /// True when the signature came in the query string.
    pub presigned: bool,
    /// True for a temporary key (whose token matched).
    pub temporary: bool,
}

/// Why a request was refused: a COS error code with its HTTP status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CosAuthError {
    /// `SignatureDoesNotMatch`, `AccessDenied`, `InvalidAccessKeyId`,
    /// `RequestTimeTooSkewed`.
    pub code: &'static str,
    /// The HTTP status (403 for all of them).
    pub status: u16,
    /// A message a person can act on.
    pub message: String,
}

impl CosAuthError {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            status: 403,
            message: message.into(),
        }
    }
}

impl fmt::Display for CosAuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.message)
    }
}

impl std::error::Error for CosAuthError {}

const Q_FIELDS: [&str; 7] = [
    "q-sign-algorithm",
    "q-ak",
    "q-sign-time",
    "q-key-time",
    "q-header-list",
    "q-url-param-list",
    "q-signature",
];

fn denied(message: impl Into<String>) -> CosAuthError {
    CosAuthError::new("AccessDenied", message)
}

fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// The seven `q-*` fields of an `Authorization` value (`k=v&k=v…`). Values are
/// literal (the lists keep their own percent-escapes of encoded names).
fn parse_fields(text: &str) -> Vec<(String, String)> {
    text.trim()
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.trim().to_owned(), v.trim().to_owned())
        })
        .collect()
}

fn parse_key_time(text: &str) -> Option<(u64, u64)> {
    let (start, end) = text.split_once(';')?;
    let start = start.trim().parse().ok()?;
    let end = end.trim().parse().ok()?;
    (start <= end).then_some((start, end))
}

/// Verifies a COS / CI request signature as COS does.
///
/// The signature is looked for in the `Authorization` header, else in the query
/// string (the expanded `q-signature=…` form or the merged `sign=…` form). Checks:
/// a signature is present and well formed (`AccessDenied`), `q-ak` is known
/// (`InvalidAccessKeyId`), a `Date` header within 15 minutes of `now_unix` and a
/// `q-sign-time` that does not start more than 15 minutes in the future
/// (`RequestTimeTooSkewed`), `now_unix` not after the end of `q-sign-time`
/// (`AccessDenied`, "Request has expired"), the signature over the decoded path, the
/// listed parameters and the listed headers (`SignatureDoesNotMatch`), and the
/// session token of a temporary key (`AccessDenied`). All answer HTTP 403.
///
/// Only the parameters named in `q-url-param-list` are verified (unlisted ones such
/// as an unsigned `?cancel` pass, as the real service lets them).
///
/// ```
/// use ocr_emulator::auth::{verify_cos, CosInput};
/// use tc_signing::{sign_cos, CosRequest, Credential, KeyTime};
///
/// let cred = Credential::new("AKIDexample", "example-key");
/// let host = "127.0.0.1:9000";
/// let signed = sign_cos(
///     &CosRequest { method: "HEAD", path: "/cos/b-1250000000/a.png", query: &[], headers: &[("host", host)] },
///     &cred, KeyTime::starting_at(1_700_000_000, 3600),
/// );
/// let auth = signed.authorization();
/// let headers = [("Host", host), ("Authorization", auth.as_str())];
/// let input = CosInput { method: "HEAD", path: "/cos/b-1250000000/a.png", query: &[], headers: &headers, ci_host: false };
/// assert!(verify_cos(&input, &[cred], 1_700_000_010).is_ok());
/// ```
pub fn verify_cos(
    input: &CosInput<'_>,
    credentials: &[Credential],
    now_unix: u64,
) -> Result<CosVerified, CosAuthError> {
    let (fields, presigned) = match header(input.headers, "authorization") {
        Some(value) if !value.trim().is_empty() => (parse_fields(value), false),
        _ => {
            if input.query.iter().any(|(k, _)| *k == "q-signature") {
                let fields = input
                    .query
                    .iter()
                    .filter(|(k, _)| Q_FIELDS.contains(k))
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect();
                (fields, true)
            } else if let Some((_, merged)) = input.query.iter().find(|(k, _)| *k == "sign") {
                (parse_fields(merged), true)
            } else {
                return Err(denied(
                    "Access Denied. The request is anonymous and the bucket is private: sign it (Authorization header or pre-signed URL).",
                ));
            }
        }
    };
    let field = |name: &str| -> Option<&str> {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    for name in Q_FIELDS {
        if field(name).is_none() {
            return Err(denied(format!("the signature has no `{name}` field")));
        }
    }
    let algorithm = field("q-sign-algorithm").unwrap_or_default();
    if algorithm != "sha1" {
        return Err(denied(format!(
            "q-sign-algorithm `{algorithm}` is not supported (only sha1)"
        )));
    }
    let secret_id = field("q-ak").unwrap_or_default();
    let credential = credentials
        .iter()
        .find(|c| c.secret_id() == secret_id)
        .ok_or_else(|| {
            CosAuthError::new(
                "InvalidAccessKeyId",
                "The Access Key Id you provided does not exist in our records.",
            )
        })?;
    let sign_time_text = field("q-sign-time").unwrap_or_default();
    let key_time_text = field("q-key-time").unwrap_or_default();
    let sign_time = parse_key_time(sign_time_text).ok_or_else(|| {
        denied(format!(
            "q-sign-time `{sign_time_text}` is not `<start>;<end>`"
        ))
    })?;
    parse_key_time(key_time_text).ok_or_else(|| {
        denied(format!(
            "q-key-time `{key_time_text}` is not `<start>;<end>`"
        ))
    })?;

    if let Some(date) = header(input.headers, "date") {
        if let Ok(t) = httpdate::parse_http_date(date.trim()) {
            let t = t
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0);
            if t.abs_diff(now_unix) > COS_MAX_SKEW_SECS {
                return Err(CosAuthError::new(
                    "RequestTimeTooSkewed",
                    "The difference between the request time and the server's time is too large.",
                ));
            }
        }
    }
    if sign_time.0 > now_unix.saturating_add(COS_MAX_SKEW_SECS) {
        return Err(CosAuthError::new(
            "RequestTimeTooSkewed",
            "The difference between the request time and the server's time is too large (the signature starts in the future).",
        ));
    }
    if now_unix > sign_time.1 {
        return Err(denied("Request has expired"));
    }

    // HttpHeaders from the listed header names.
    let header_list = field("q-header-list").unwrap_or_default();
    let mut signed_headers: Vec<(String, String)> = Vec::new();
    for name in header_list.split(';').filter(|n| !n.is_empty()) {
        let plain = decode(name);
        let value = header(input.headers, &plain).ok_or_else(|| {
            CosAuthError::new(
                "SignatureDoesNotMatch",
                format!("the signed header `{plain}` is not in the request"),
            )
        })?;
        signed_headers.push((
            cos_encode(plain.trim()).to_ascii_lowercase(),
            cos_encode(value.trim()),
        ));
    }
    signed_headers.sort();
    // HttpParameters from the listed parameter names.
    let param_list = field("q-url-param-list").unwrap_or_default();
    let mut signed_params: Vec<(String, String)> = Vec::new();
    for name in param_list.split(';').filter(|n| !n.is_empty()) {
        let wanted = name.to_ascii_lowercase();
        let matching: Vec<(String, String)> = input
            .query
            .iter()
            .filter(|(k, _)| cos_encode(k).to_ascii_lowercase() == wanted)
            .map(|(k, v)| (cos_encode(k).to_ascii_lowercase(), cos_encode(v)))
            .collect();
        if matching.is_empty() {
            return Err(CosAuthError::new(
                "SignatureDoesNotMatch",
                format!("the signed parameter `{name}` is not in the request"),
            ));
        }
        for pair in matching {
            if !signed_params.contains(&pair) {
                signed_params.push(pair);
            }
        }
    }
    signed_params.sort();
    let join = |pairs: &[(String, String)]| {
        pairs
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&")
    };
    let path = if input.path.starts_with('/') {
        input.path.to_owned()
    } else {
        format!("/{}", input.path)
    };
    let http_string = format!(
        "{}\n{path}\n{}\n{}\n",
        input.method.to_ascii_lowercase(),
        join(&signed_params),
        join(&signed_headers)
    );
    let sign_key = hex::encode(hmac_sha1(
        credential.secret_key().as_bytes(),
        key_time_text.as_bytes(),
    ));
    let string_to_sign = format!(
        "sha1\n{sign_time_text}\n{}\n",
        sha1_hex(http_string.as_bytes())
    );
    let expected = hex::encode(hmac_sha1(sign_key.as_bytes(), string_to_sign.as_bytes()));
    let given = field("q-signature").unwrap_or_default();
    if !constant_time_eq(&expected, given) {
        return Err(CosAuthError::new(
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
        ));
    }

    if let Some(expected_token) = credential.session_token() {
        let mut names = vec!["x-cos-security-token"];
        if input.ci_host {
            names.push("x-ci-security-token");
        }
        let from_header = names.iter().find_map(|n| header(input.headers, n));
        let from_query = input
            .query
            .iter()
            .find(|(k, _)| names.contains(k))
            .map(|(_, v)| *v);
        match from_header.or(from_query).map(str::trim) {
            Some(token) if constant_time_eq(token, expected_token) => {}
            Some(_) => {
                return Err(denied(
                    "The security token does not belong to this temporary key.",
                ))
            }
            None => {
                return Err(denied(format!(
                    "This is a temporary key: send its token in {}.",
                    names.join(" or ")
                )))
            }
        }
    }

    Ok(CosVerified {
        secret_id: secret_id.to_owned(),
        sign_time,
        presigned,
        temporary: credential.session_token().is_some(),
    })
}

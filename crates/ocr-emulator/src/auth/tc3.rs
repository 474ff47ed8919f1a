//! TC3-HMAC-SHA256 verification (Tencent Cloud API 3.0).

use std::fmt;

use tc_signing::{derive_signing_key, utc_date, Credential};

use super::header;
use crate::crypto::{constant_time_eq, hmac_sha256, sha256_hex};

/// How far the request timestamp may be from the server clock (5 minutes).
pub const TC3_MAX_SKEW_SECS: u64 = 300;

const ALGORITHM: &str = "TC3-HMAC-SHA256";
const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// The parts of a received request that TC3 covers.
#[derive(Clone, Copy)]
pub struct Tc3Input<'a> {
    /// HTTP method as received.
    pub method: &'a str,
    /// The path as received (`/` for API 3.0).
    pub path: &'a str,
    /// The raw query string as received (empty for POST).
    pub query: &'a str,
    /// Every received header, `(name, value)`.
    pub headers: &'a [(&'a str, &'a str)],
    /// The body bytes as received.
    pub body: &'a [u8],
}

impl fmt::Debug for Tc3Input<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tc3Input")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("headers", &self.headers.len())
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

/// What a verified request proved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tc3Verified {
    /// The SecretId that signed.
    pub secret_id: String,
    /// The credential-scope service (`ocr`, `lkeap`, …).
    pub service: String,
    /// The credential-scope date.
    pub date: String,
    /// `X-TC-Timestamp`.
    pub timestamp: u64,
    /// The signed header names, as listed.
    pub signed_headers: Vec<String>,
    /// True when the key is temporary (and the token matched).
    pub temporary: bool,
}

/// Why a request was refused: an API 3.0 error code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tc3AuthError {
    /// `AuthFailure.SignatureFailure`, `MissingParameter`, …
    pub code: &'static str,
    /// A message a person can act on.
    pub message: String,
}

impl Tc3AuthError {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for Tc3AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for Tc3AuthError {}

struct Authorization<'a> {
    secret_id: &'a str,
    date: &'a str,
    service: &'a str,
    signed_headers: Vec<&'a str>,
    signature: &'a str,
}

fn invalid(message: impl Into<String>) -> Tc3AuthError {
    Tc3AuthError::new("AuthFailure.InvalidAuthorization", message)
}

fn parse_authorization(value: &str) -> Result<Authorization<'_>, Tc3AuthError> {
    let rest = value
        .strip_prefix(ALGORITHM)
        .filter(|r| r.starts_with(' '))
        .ok_or_else(|| {
            invalid("Authorization must start with `TC3-HMAC-SHA256 ` (only TC3 is supported)")
        })?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let part = part.trim();
        let (key, val) = part
            .split_once('=')
            .ok_or_else(|| invalid(format!("malformed Authorization part `{part}`")))?;
        let slot = match key {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed,
            "Signature" => &mut signature,
            _ => return Err(invalid(format!("unknown Authorization part `{key}`"))),
        };
        if slot.replace(val).is_some() {
            return Err(invalid(format!("Authorization repeats `{key}`")));
        }
    }
    let credential =
        credential.ok_or_else(|| invalid("Authorization has no `Credential=` part"))?;
    let signed = signed.ok_or_else(|| invalid("Authorization has no `SignedHeaders=` part"))?;
    let signature = signature.ok_or_else(|| invalid("Authorization has no `Signature=` part"))?;
    let scope: Vec<&str> = credential.split('/').collect();
    let [secret_id, date, service, terminator] = scope.as_slice() else {
        return Err(invalid(
            "Credential must be `<SecretId>/<YYYY-MM-DD>/<service>/tc3_request`",
        ));
    };
    if *terminator != "tc3_request" || secret_id.is_empty() || service.is_empty() {
        return Err(invalid(
            "Credential must be `<SecretId>/<YYYY-MM-DD>/<service>/tc3_request`",
        ));
    }
    let date_ok = date.len() == 10
        && date.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !date_ok {
        return Err(invalid(format!(
            "credential date `{date}` is not YYYY-MM-DD"
        )));
    }
    if signature.len() != 64
        || !signature
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return Err(invalid("Signature must be 64 lower-case hex characters"));
    }
    let signed_headers: Vec<&str> = signed.split(';').collect();
    for (i, name) in signed_headers.iter().enumerate() {
        if name.is_empty() || name.bytes().any(|b| b.is_ascii_uppercase() || b == b' ') {
            return Err(invalid(format!(
                "SignedHeaders `{signed}` must list lower-case header names separated by `;`"
            )));
        }
        if signed_headers[..i].contains(name) {
            return Err(invalid(format!("SignedHeaders lists `{name}` twice")));
        }
    }
    for required in ["content-type", "host"] {
        if !signed_headers.contains(&required) {
            return Err(invalid(format!(
                "SignedHeaders `{signed}` must include `{required}` (content-type and host are always signed)"
            )));
        }
    }
    Ok(Authorization {
        secret_id,
        date,
        service,
        signed_headers,
        signature,
    })
}

/// Verifies a TC3-HMAC-SHA256 request exactly as API 3.0 does.
///
/// Checks, in order: the `Authorization` format (`AuthFailure.InvalidAuthorization`,
/// also when `SignedHeaders` lacks `content-type` or `host`), `X-TC-Timestamp`
/// present (`MissingParameter`), the SecretId known (`AuthFailure.SecretIdNotFound`),
/// the timestamp within 5 minutes of `now_unix` (`AuthFailure.SignatureExpire`), the
/// credential date equal to the UTC date of the timestamp and the signature over the
/// canonical request (`AuthFailure.SignatureFailure`), then the session token: a
/// temporary key needs a matching `X-TC-Token`, a long-term key must not send one
/// (`AuthFailure.TokenFailure`).
///
/// The canonical request is rebuilt from what was received: method, path, raw query,
/// each signed header's value (trimmed and lower-cased, in the listed order), the
/// SHA-256 of the body, or of `UNSIGNED-PAYLOAD` when `X-TC-Content-SHA256` says so.
///
/// ```
/// use ocr_emulator::auth::{verify_tc3, Tc3Input};
/// use tc_signing::{sign_tc3, Credential, PayloadHash, Tc3Request};
///
/// let cred = Credential::new("AKIDexample", "example-key");
/// let body = br#"{"TaskId":"1"}"#;
/// let signed = sign_tc3(
///     &Tc3Request::new("POST", "127.0.0.1:8080", "application/json", PayloadHash::Bytes(body)),
///     &cred, "lkeap", 1_700_000_000,
/// );
/// let headers = [
///     ("Authorization", signed.authorization()),
///     ("Content-Type", "application/json"),
///     ("Host", "127.0.0.1:8080"),
///     ("X-TC-Timestamp", "1700000000"),
/// ];
/// let input = Tc3Input { method: "POST", path: "/", query: "", headers: &headers, body };
/// let ok = verify_tc3(&input, &[cred], 1_700_000_100).unwrap();
/// assert_eq!(ok.service, "lkeap");
/// ```
pub fn verify_tc3(
    input: &Tc3Input<'_>,
    credentials: &[Credential],
    now_unix: u64,
) -> Result<Tc3Verified, Tc3AuthError> {
    let authorization = header(input.headers, "authorization")
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| invalid("the request carries no Authorization header"))?;
    let auth = parse_authorization(authorization)?;
    let timestamp_text = header(input.headers, "x-tc-timestamp").ok_or_else(|| {
        Tc3AuthError::new(
            "MissingParameter",
            "The request is missing a required parameter `Timestamp` (header X-TC-Timestamp).",
        )
    })?;
    let timestamp: u64 = timestamp_text.trim().parse().map_err(|_| {
        Tc3AuthError::new(
            "InvalidParameter",
            format!("X-TC-Timestamp `{timestamp_text}` is not a Unix time in seconds"),
        )
    })?;
    let credential = credentials
        .iter()
        .find(|c| c.secret_id() == auth.secret_id)
        .ok_or_else(|| {
            Tc3AuthError::new(
                "AuthFailure.SecretIdNotFound",
                format!(
                    "The SecretId `{}` is not found, please ensure that your SecretId is correct.",
                    auth.secret_id
                ),
            )
        })?;
    if timestamp.abs_diff(now_unix) > TC3_MAX_SKEW_SECS {
        return Err(Tc3AuthError::new(
            "AuthFailure.SignatureExpire",
            format!(
                "Signature expired: the request timestamp {timestamp} is more than {TC3_MAX_SKEW_SECS} seconds away from the server time {now_unix}; see the Date response header."
            ),
        ));
    }
    let expected_date = utc_date(timestamp);
    if auth.date != expected_date {
        return Err(Tc3AuthError::new(
            "AuthFailure.SignatureFailure",
            format!(
                "The credential date `{}` is not the UTC date `{expected_date}` of the timestamp {timestamp}.",
                auth.date
            ),
        ));
    }

    let mut canonical_headers = String::new();
    for name in &auth.signed_headers {
        let value = header(input.headers, name).unwrap_or_default();
        canonical_headers.push_str(name);
        canonical_headers.push(':');
        canonical_headers.push_str(&value.trim().to_ascii_lowercase());
        canonical_headers.push('\n');
    }
    let unsigned =
        header(input.headers, "x-tc-content-sha256").is_some_and(|v| v.trim() == UNSIGNED_PAYLOAD);
    let payload_hash = if unsigned {
        sha256_hex(UNSIGNED_PAYLOAD.as_bytes())
    } else {
        sha256_hex(input.body)
    };
    let path = if input.path.is_empty() {
        "/"
    } else {
        input.path
    };
    let canonical_request = format!(
        "{}\n{path}\n{}\n{canonical_headers}\n{}\n{payload_hash}",
        input.method.to_ascii_uppercase(),
        input.query,
        auth.signed_headers.join(";")
    );
    let scope = format!("{}/{}/tc3_request", auth.date, auth.service);
    let string_to_sign = format!(
        "{ALGORITHM}\n{timestamp}\n{scope}\n{}",
        sha256_hex(canonical_request.as_bytes())
    );
    let key = derive_signing_key(credential.secret_key(), auth.date, auth.service);
    let expected = hex::encode(hmac_sha256(&key, string_to_sign.as_bytes()));
    if !constant_time_eq(&expected, auth.signature) {
        return Err(Tc3AuthError::new(
            "AuthFailure.SignatureFailure",
            "The provided credentials could not be validated. Please check your signature is correct.",
        ));
    }

    let token = header(input.headers, "x-tc-token").map(str::trim);
    match (credential.session_token(), token) {
        (Some(expected), Some(got)) if constant_time_eq(expected, got) => {}
        (Some(_), Some(_)) => {
            return Err(Tc3AuthError::new(
                "AuthFailure.TokenFailure",
                "The X-TC-Token does not belong to this temporary SecretId.",
            ))
        }
        (Some(_), None) => {
            return Err(Tc3AuthError::new(
                "AuthFailure.TokenFailure",
                "This SecretId is a temporary key: send its session token in X-TC-Token.",
            ))
        }
        (None, Some(_)) => {
            return Err(Tc3AuthError::new(
                "AuthFailure.TokenFailure",
                "X-TC-Token must not be sent with a long-term SecretId.",
            ))
        }
        (None, None) => {}
    }

    Ok(Tc3Verified {
        secret_id: auth.secret_id.to_owned(),
        service: auth.service.to_owned(),
        date: auth.date.to_owned(),
        timestamp,
        signed_headers: auth
            .signed_headers
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
        temporary: credential.session_token().is_some(),
    })
}

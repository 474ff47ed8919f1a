//! What an action handler gets, and the request pieces every action reads the same way: the
//! one document source of a URL / base64 pair, base64, URLs.

use base64::Engine as _;
use serde_json::{Map, Value};

use super::envelope::TcError;
use crate::content::{self, Document};
use crate::service::Service;
use crate::shared::Shared;

/// What an action handler gets.
pub(crate) struct Call<'a> {
    pub(crate) shared: &'a Shared,
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
/// [`Shared::url_document`] downloads them. Either may come back
/// [`Unreadable`](content::Unreadable).
pub(crate) fn document(shared: &Shared, source: &Source, name: &str) -> Document {
    match source {
        Source::Bytes(bytes) => content::recognize_bytes(bytes, name),
        Source::Url(url) => shared.url_document(url),
    }
}

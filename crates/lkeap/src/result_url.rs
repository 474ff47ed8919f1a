//! Temporary download URLs of result archives, which are pre-signed and therefore secret.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A pre-signed, temporary URL of a result archive (`DocumentRecognizeResultUrl`).
///
/// Its query string carries a signature and the signer's key id, so `Debug` and `Display`
/// show only scheme, host and path; call [`ResultUrl::expose`] when the full URL is needed.
/// The service says it stays valid for 30 minutes; [`ResultUrl::expires_at`] reads the end of
/// the signature's validity from the URL itself when it carries one.
///
/// ```
/// use lkeap::ResultUrl;
/// let url = ResultUrl::new("https://b.cos.example.com/out.zip?q-sign-time=1%3B2000&q-signature=abc");
/// assert_eq!(url.to_string(), "https://b.cos.example.com/out.zip?<redacted>");
/// assert_eq!(url.expires_at(), Some(2000));
/// assert!(url.expose().ends_with("q-signature=abc"));
/// ```
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ResultUrl(String);

/// The URL, unless the service sent an empty one (as it does until the result exists).
pub(crate) fn non_empty(url: &Option<ResultUrl>) -> Option<&ResultUrl> {
    url.as_ref().filter(|u| !u.is_empty())
}

impl ResultUrl {
    /// Wraps a URL as the service returned it.
    pub fn new(url: impl Into<String>) -> Self {
        ResultUrl(url.into())
    }

    /// The full URL, signature included. Do not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the service sent an empty string (as the SSE events do until the result exists).
    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }

    /// The end of the signature's validity as Unix seconds, from the COS `q-sign-time` (or
    /// `q-key-time`) parameter `start;end`, if the URL has one.
    pub fn expires_at(&self) -> Option<u64> {
        let url = url::Url::parse(&self.0).ok()?;
        let window = |name: &str| {
            url.query_pairs()
                .find(|(k, _)| k == name)
                .and_then(|(_, v)| {
                    v.split(';')
                        .nth(1)
                        .and_then(|e| e.trim().parse::<u64>().ok())
                })
        };
        window("q-sign-time").or_else(|| window("q-key-time"))
    }

    /// Whether the URL's own validity window has passed at `now` (Unix seconds). URLs without
    /// a readable window are assumed valid (the download then tells).
    pub fn is_expired_at(&self, now: u64) -> bool {
        self.expires_at().is_some_and(|end| end <= now)
    }
}

impl fmt::Debug for ResultUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResultUrl({:?})", redact_url(&self.0))
    }
}

impl fmt::Display for ResultUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact_url(&self.0))
    }
}

/// A URL with its query string (and any user info or fragment) replaced, safe to log.
///
/// ```
/// assert_eq!(
///     lkeap::result_url::redact_url("https://u:p@h.example/a/b.pdf?sign=x#f"),
///     "https://h.example/a/b.pdf?<redacted>"
/// );
/// assert_eq!(lkeap::result_url::redact_url("https://h.example/a.pdf"), "https://h.example/a.pdf");
/// ```
pub fn redact_url(raw: &str) -> String {
    ocr_core::redact::url(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_style_url_is_redacted_and_dated() {
        let u = ResultUrl::new(
            "https://document-restruction-1258344699.cos.ap-guangzhou.myqcloud.com/doc_parse/x.zip?q-sign-algorithm=sha1&q-ak=AKIDEXAMPLE&q-sign-time=1715503711%3B1718804311&q-key-time=1718855711%3B1718804311&q-header-list=host&q-url-param-list=&q-signature=fake",
        );
        let shown = format!("{u:?} {u}");
        assert!(!shown.contains("AKIDEXAMPLE"));
        assert!(!shown.contains("fake"));
        assert!(shown.contains("/doc_parse/x.zip"));
        assert_eq!(u.expires_at(), Some(1_718_804_311));
        assert!(u.is_expired_at(1_718_804_311));
        assert!(!u.is_expired_at(1_718_804_310));
    }

    #[test]
    fn urls_without_window_never_expire_locally() {
        let u = ResultUrl::new("http://127.0.0.1:1/a.zip");
        assert_eq!(u.expires_at(), None);
        assert!(!u.is_expired_at(u64::MAX));
        assert!(ResultUrl::new(" ").is_empty());
    }

    #[test]
    fn unparsable_urls_still_lose_their_query() {
        assert_eq!(redact_url("not a url?sig=1"), "not a url?<redacted>");
        assert_eq!(redact_url("x@y"), "<redacted url>");
    }
}

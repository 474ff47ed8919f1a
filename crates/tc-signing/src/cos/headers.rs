//! Which headers to sign, and which header carries the session token.

/// Header names the official Python SDK signs when present (lower case, sorted).
///
/// Together with the prefix rule of [`should_sign_header`] this is the conventional
/// choice. `date`, `user-agent`, `authorization` and `connection` are never signed
/// by the SDKs.
pub const DEFAULT_SIGNED_HEADERS: &[&str] = &[
    "cache-control",
    "content-disposition",
    "content-encoding",
    "content-length",
    "content-md5",
    "content-type",
    "expect",
    "expires",
    "host",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-unmodified-since",
    "origin",
    "pic-operations",
    "range",
    "transfer-encoding",
];

/// True when the official SDKs would sign a header of this name: it is in
/// [`DEFAULT_SIGNED_HEADERS`] or starts with `x-cos-` or `x-ci-` (case-insensitive).
///
/// Only sign headers your HTTP stack sends unchanged: a signed header that is
/// rewritten later (a `host` gaining a port, a recomputed `content-length`) breaks
/// the signature.
///
/// ```
/// use tc_signing::should_sign_header;
///
/// assert!(should_sign_header("Content-MD5"));
/// assert!(should_sign_header("x-cos-security-token"));
/// assert!(!should_sign_header("Date"));
/// assert!(!should_sign_header("User-Agent"));
/// ```
pub fn should_sign_header(name: &str) -> bool {
    let name = name.trim().to_ascii_lowercase();
    DEFAULT_SIGNED_HEADERS.contains(&name.as_str())
        || name.starts_with("x-cos-")
        || name.starts_with("x-ci-")
}

/// Keeps the headers that [`should_sign_header`] accepts, in their original order:
/// a ready-made `CosRequest::headers` from the headers a request will send.
///
/// ```
/// use tc_signing::signable_headers;
///
/// let sent = [
///     ("Host", "examplebucket-1250000000.cos.ap-beijing.myqcloud.com"),
///     ("User-Agent", "my-app/1.0"),
///     ("x-cos-acl", "private"),
/// ];
/// assert_eq!(signable_headers(&sent), [sent[0], sent[2]]);
/// ```
pub fn signable_headers<'a>(headers: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    headers
        .iter()
        .copied()
        .filter(|(name, _)| should_sign_header(name))
        .collect()
}

/// The header that carries the session token of temporary keys.
///
/// COS hosts require `x-cos-security-token`. CI hosts accept it too, but also
/// `x-ci-security-token`, which the Python and JS SDKs use for CI calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenHeader {
    /// `x-cos-security-token`: COS hosts (and accepted everywhere).
    Cos,
    /// `x-ci-security-token`: CI hosts only.
    Ci,
}

impl TokenHeader {
    /// The header name, lower case.
    ///
    /// ```
    /// use tc_signing::TokenHeader;
    ///
    /// let ci = TokenHeader::for_host("examplebucket-1250000000.ci.ap-beijing.myqcloud.com");
    /// assert_eq!(ci.name(), "x-ci-security-token");
    /// assert_eq!(TokenHeader::Cos.name(), "x-cos-security-token");
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            Self::Cos => "x-cos-security-token",
            Self::Ci => "x-ci-security-token",
        }
    }

    /// [`Ci`](Self::Ci) for CI hosts (`<bucket>.ci.<region>.…` and
    /// `ci.<region>.…`), [`Cos`](Self::Cos) for everything else, including the
    /// COS host that synchronous `?ci-process=OCR` calls use.
    ///
    /// ```
    /// use tc_signing::TokenHeader;
    ///
    /// assert_eq!(TokenHeader::for_host("examplebucket-1250000000.ci.ap-beijing.myqcloud.com"), TokenHeader::Ci);
    /// assert_eq!(TokenHeader::for_host("ci.ap-beijing.myqcloud.com"), TokenHeader::Ci);
    /// assert_eq!(TokenHeader::for_host("examplebucket-1250000000.cos.ap-beijing.myqcloud.com"), TokenHeader::Cos);
    /// ```
    pub fn for_host(host: &str) -> Self {
        let host = host.trim().to_ascii_lowercase();
        let host = host.split(':').next().unwrap_or_default();
        let labels: Vec<&str> = host.split('.').collect();
        let account_scoped = labels.first() == Some(&"ci") && labels.len() >= 3;
        let bucket_scoped = labels.get(1) == Some(&"ci") && labels.len() >= 4;
        if account_scoped || bucket_scoped {
            Self::Ci
        } else {
            Self::Cos
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_list_is_sorted_lower_case() {
        let mut sorted = DEFAULT_SIGNED_HEADERS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, DEFAULT_SIGNED_HEADERS);
        assert!(DEFAULT_SIGNED_HEADERS
            .iter()
            .all(|h| *h == h.to_ascii_lowercase()));
    }

    #[test]
    fn token_header_by_host() {
        assert_eq!(
            TokenHeader::for_host("B-1.CI.ap-beijing.myqcloud.com:443"),
            TokenHeader::Ci
        );
        assert_eq!(
            TokenHeader::for_host("b-1.pic.ap-beijing.myqcloud.com"),
            TokenHeader::Cos
        );
        assert_eq!(TokenHeader::for_host("ci.com"), TokenHeader::Cos);
        assert_eq!(TokenHeader::for_host(""), TokenHeader::Cos);
        assert_eq!(TokenHeader::Ci.name(), "x-ci-security-token");
        assert_eq!(TokenHeader::Cos.name(), "x-cos-security-token");
    }

    #[test]
    fn signable_headers_filters_in_order() {
        let headers = [
            ("Host", "h"),
            ("Date", "d"),
            ("x-ci-security-token", "t"),
            ("User-Agent", "u"),
        ];
        assert_eq!(
            signable_headers(&headers),
            vec![("Host", "h"), ("x-ci-security-token", "t")]
        );
    }
}

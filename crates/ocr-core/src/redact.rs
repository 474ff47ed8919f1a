//! Showing URLs without their secrets.
//!
//! Pre-signed result URLs and source URLs carry signatures and tokens in their query string
//! (and sometimes credentials as user info). Anything that prints a URL in `Debug`, `Display`,
//! an error or a log uses [`url()`], so no provider writes its own redaction.

/// What replaces a URL's query string and fragment.
pub const REDACTED_QUERY: &str = "?<redacted>";

/// `raw` as it may be shown: scheme, host, port and path; user info dropped, and query and
/// fragment replaced by [`REDACTED_QUERY`]. Text that is not a URL keeps only what precedes a
/// query marker, and is hidden whole if it holds an `@`.
///
/// ```
/// assert_eq!(
///     ocr_core::redact::url("https://u:p@h.example/a/b.pdf?sign=x#f"),
///     "https://h.example/a/b.pdf?<redacted>"
/// );
/// assert_eq!(ocr_core::redact::url("https://h.example/a.pdf"), "https://h.example/a.pdf");
/// ```
pub fn url(raw: &str) -> String {
    match url::Url::parse(raw) {
        // With a host, user info is a part of its own and is dropped below. Without one
        // (`user:pw@host/x` parses as scheme `user`, path `pw@host/x`), the text is judged as
        // text.
        Ok(url) if url.host_str().is_some() => {
            let mut out = format!("{}://", url.scheme());
            if let Some(host) = url.host_str() {
                out.push_str(host);
            }
            if let Some(port) = url.port() {
                out.push_str(&format!(":{port}"));
            }
            out.push_str(url.path());
            if url.query().is_some() || url.fragment().is_some() {
                out.push_str(REDACTED_QUERY);
            }
            out
        }
        _ => match raw.split_once(['?', '#']) {
            Some((head, _)) if !head.contains('@') => format!("{head}{REDACTED_QUERY}"),
            _ if raw.contains('@') => "<redacted url>".to_owned(),
            _ => raw.to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_secret_part_is_hidden() {
        assert_eq!(
            url("https://h.example:8443/r/a.txt?Signature=abc&Expires=1"),
            "https://h.example:8443/r/a.txt?<redacted>"
        );
        assert_eq!(
            url("https://h.example/a#x"),
            "https://h.example/a?<redacted>"
        );
        assert_eq!(url("not a url?sig=1"), "not a url?<redacted>");
        assert_eq!(url("x@y"), "<redacted url>");
        // User info without a scheme: parsed as scheme `user`, no host.
        assert_eq!(url("user:pw@h.example/a.pdf"), "<redacted url>");
        assert_eq!(url("user:pw@h.example/a.pdf?sig=1"), "<redacted url>");
        assert_eq!(url("mailto:a@b.example"), "<redacted url>");
        assert_eq!(url("plain"), "plain");
    }
}

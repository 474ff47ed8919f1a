//! Redaction of signed URLs: result file URLs carry their signature in the query string, so
//! Debug output and error messages show only scheme, host and path.

/// `url` without user info, query string and fragment (`?<redacted>` marks that there was one).
pub(crate) fn redact_url(url: &str) -> String {
    ocr_core::redact::url(url)
}

/// `text` with every occurrence of `secret` replaced, for server messages that might echo it.
pub(crate) fn scrub(text: &str, secret: &str) -> String {
    if secret.is_empty() {
        text.to_owned()
    } else {
        text.replace(secret, "<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_query_and_fragment() {
        assert_eq!(
            redact_url("https://h.example/r/a.txt?Signature=abc&Expires=1"),
            "https://h.example/r/a.txt?<redacted>"
        );
        assert_eq!(
            redact_url("https://h.example/a#x"),
            "https://h.example/a?<redacted>"
        );
        assert_eq!(redact_url("https://h.example/a"), "https://h.example/a");
    }

    #[test]
    fn scrubs_secrets() {
        assert_eq!(scrub("bad key k123", "k123"), "bad key <redacted>");
        assert_eq!(scrub("x", ""), "x");
    }
}

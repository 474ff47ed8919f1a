//! Redaction of signed URLs: result file URLs carry their signature in the query string, so
//! Debug output and error messages show only scheme, host and path.

/// `url` without user info, query string and fragment (`?<redacted>` marks that there was one).
pub(crate) fn redact_url(url: &str) -> String {
    ocr_core::redact::url(url)
}

/// `text` with every occurrence of `secret` as a whole token replaced, for server messages
/// that might echo it. Only whole tokens (not inside a longer run of letters and digits) are
/// replaced, so a short key does not garble ordinary words (`k` in "key").
pub(crate) fn scrub(text: &str, secret: &str) -> String {
    if secret.is_empty() {
        return text.to_owned();
    }
    let is_word = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(secret) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + secret.len()..].chars().next();
        let whole = !before.is_some_and(is_word) && !after.is_some_and(is_word);
        out.push_str(&rest[..at]);
        out.push_str(if whole { "<redacted>" } else { secret });
        rest = &rest[at + secret.len()..];
    }
    out.push_str(rest);
    out
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
        assert_eq!(scrub("Unauthorized API key", "k"), "Unauthorized API key");
        assert_eq!(scrub("key k: bad", "k"), "key <redacted>: bad");
        assert_eq!(scrub("x", ""), "x");
    }
}

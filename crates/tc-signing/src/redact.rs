//! Shared helpers that keep secrets out of `Debug` output.

/// What every redacted value is printed as.
pub(crate) const REDACTED: &str = "<redacted>";

/// True when a variable, header or query-parameter name suggests that its value is
/// secret (it contains `key`, `token`, `secret`, `signature` or `authorization`,
/// in any case).
pub(crate) fn is_sensitive_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["key", "token", "secret", "signature", "authorization"]
        .iter()
        .any(|word| lower.contains(word))
}

/// Formats as [`REDACTED`] without quotes, for use inside `debug_struct` fields.
pub(crate) struct Redacted;

impl std::fmt::Debug for Redacted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(REDACTED)
    }
}

/// Debug view of `(name, value)` pairs that hides the values of sensitive names.
pub(crate) struct RedactedPairs<'a, N, V>(pub(crate) &'a [(N, V)]);

impl<N: AsRef<str>, V: AsRef<str>> std::fmt::Debug for RedactedPairs<'_, N, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut list = f.debug_list();
        for (name, value) in self.0 {
            let name = name.as_ref();
            if is_sensitive_name(name) {
                list.entry(&(name, Redacted));
            } else {
                list.entry(&(name, value.as_ref()));
            }
        }
        list.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_names_are_recognised_case_insensitively() {
        assert!(is_sensitive_name("TENCENTCLOUD_SECRET_KEY"));
        assert!(is_sensitive_name("X-TC-Token"));
        assert!(is_sensitive_name("x-cos-security-token"));
        assert!(is_sensitive_name("Authorization"));
        assert!(!is_sensitive_name("host"));
        assert!(!is_sensitive_name("X-TC-Timestamp"));
    }

    #[test]
    fn redacted_pairs_hide_sensitive_values_only() {
        let pairs = [("host", "example.com"), ("X-TC-Token", "hush")];
        let shown = format!("{:?}", RedactedPairs(&pairs));
        assert!(shown.contains("example.com"));
        assert!(!shown.contains("hush"));
        assert!(shown.contains(REDACTED));
    }
}

//! A scan of `fixtures/` for anything secret-shaped: real-looking key ids, signatures in
//! Authorization values or signed URLs, API keys, tokens.
//!
//! The published signing vectors of the Tencent documentation are secret-shaped by design; they
//! are allowed by exact value (and only those).

use std::fs;
use std::path::Path;

use regex::Regex;

use crate::fixtures::list_files;

/// Example credentials published in the official documentation and SDK tests, which the
/// signing vectors must contain to be reproducible.
pub const DOCUMENTED_EXAMPLE_VALUES: &[&str] = &[
    "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
    "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
    "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q",
    "BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz",
    // The LKEAP GetReconstructDocumentResult example's result URL (an expired doc sample).
    "AKIDlWFaadfHLNbidLwPqOrAKGzXrx40scL7l",
];

/// One secret-shaped finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// File, relative to the scanned root.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// What rule matched.
    pub rule: &'static str,
}

struct Rule {
    name: &'static str,
    pattern: Regex,
}

fn rules() -> Result<Vec<Rule>, String> {
    let table: [(&str, &str); 7] = [
        ("Tencent SecretId", r"AKID[0-9A-Za-z]{20,}"),
        ("COS signature", r"q-signature=[0-9a-f]{40}"),
        ("TC3 Authorization signature", r"Signature=[0-9a-f]{64}"),
        ("API key header", r"(?i)x-api-key\W{1,4}[0-9A-Za-z_-]{16,}"),
        (
            "session token header",
            r#"(?i)(x-tc-token|x-cos-security-token|x-ci-security-token)\W{1,4}[0-9A-Za-z+/=_-]{16,}"#,
        ),
        (
            "secret key field",
            r#"(?i)"?(secret_?key|secretkey|tmpsecretkey)"?\s*[:=]\s*"[0-9A-Za-z+/=_-]{20,}""#,
        ),
        (
            "signed URL",
            r"(?i)[?&](sign|signature|x-cos-signature|q-signature)=[0-9a-f]{32,}",
        ),
    ];
    table
        .iter()
        .map(|(name, re)| {
            Regex::new(re)
                .map(|pattern| Rule { name, pattern })
                .map_err(|e| e.to_string())
        })
        .collect()
}

/// Scans every file below `dir` (text files; binary files are scanned as lossy UTF-8).
/// Documented example values are allowed only where documentation is kept verbatim: in
/// `signing/` (the published vectors, which also hold signatures on purpose) and in the
/// hand-kept `<provider>/seed/` folders.
pub fn scan(dir: &Path) -> Result<Vec<Finding>, String> {
    let rules = rules()?;
    let mut findings = Vec::new();
    for path in list_files(dir)? {
        let rel = path
            .strip_prefix(dir)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        let in_vectors = rel.starts_with("signing/");
        let in_seed = rel.contains("/seed/");
        let bytes = fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let text = String::from_utf8_lossy(&bytes);
        for (i, line) in text.lines().enumerate() {
            for rule in &rules {
                for m in rule.pattern.find_iter(line) {
                    let hit = m.as_str();
                    let documented = DOCUMENTED_EXAMPLE_VALUES.iter().any(|v| hit.contains(v));
                    if in_vectors && (documented || rule.name != "Tencent SecretId") {
                        // The vectors hold signatures and documented example keys on purpose.
                        continue;
                    }
                    if in_seed && documented {
                        continue;
                    }
                    findings.push(Finding {
                        file: rel.clone(),
                        line: i + 1,
                        rule: rule.name,
                    });
                }
            }
        }
    }
    Ok(findings)
}

//! A deliberately small INI reader for the profile file.
//!
//! Supported: `[section]` headers, `key = value` lines (split at the first `=`, both
//! sides trimmed), whole-line comments starting with `;` or `#`, and blank lines.
//! Everything else is an error, reported by line number and rule, never by content,
//! because the content may be a secret.

use std::collections::BTreeMap;

/// A rule the file broke, with the 1-based line where it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct IniError {
    pub(super) line: usize,
    pub(super) rule: &'static str,
}

/// The keys of section `wanted`, or `None` when the file has no such section.
///
/// The whole file is validated, not only the wanted section. Keys before the first
/// header belong to no section and are ignored; a section that appears twice is
/// merged; a repeated key keeps its last value.
pub(super) fn read_section(
    text: &str,
    wanted: &str,
) -> Result<Option<BTreeMap<String, String>>, IniError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut found: Option<BTreeMap<String, String>> = None;
    let mut in_wanted = false;

    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let error = |rule| IniError {
            line: index + 1,
            rule,
        };
        if line.is_empty() || line.starts_with(';') || line.starts_with('#') {
            continue;
        }
        if let Some(header) = line.strip_prefix('[') {
            let name = header
                .strip_suffix(']')
                .ok_or_else(|| error("a section header must end with `]`"))?
                .trim();
            if name.is_empty() {
                return Err(error("a section name must not be empty"));
            }
            in_wanted = name == wanted;
            if in_wanted && found.is_none() {
                found = Some(BTreeMap::new());
            }
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| error("expected `key = value`, a `[section]` header or a comment"))?;
        let key = key.trim();
        if key.is_empty() {
            return Err(error("a key must not be empty"));
        }
        if in_wanted {
            if let Some(section) = found.as_mut() {
                section.insert(key.to_owned(), value.trim().to_owned());
            }
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_only_the_wanted_section() {
        let text = "\u{feff}; comment\nstray = 1\n[other]\nsecret_id = x\n\n[default]\n  secret_id =  a=b  \n# c\nsecret_key=k\n";
        let section = read_section(text, "default");
        let section = section.ok().flatten().unwrap_or_default();
        assert_eq!(section.get("secret_id").map(String::as_str), Some("a=b"));
        assert_eq!(section.get("secret_key").map(String::as_str), Some("k"));
        assert_eq!(section.len(), 2);
    }

    #[test]
    fn missing_section_is_none() {
        assert_eq!(read_section("[other]\na = b\n", "default"), Ok(None));
    }

    #[test]
    fn errors_name_the_line_and_rule() {
        assert_eq!(
            read_section("[default]\nsecret_id = a\ngarbage\n", "default"),
            Err(IniError {
                line: 3,
                rule: "expected `key = value`, a `[section]` header or a comment"
            })
        );
        assert_eq!(
            read_section("[default\n", "default").map_err(|e| e.line),
            Err(1)
        );
        assert_eq!(read_section("[ ]\n", "default").map_err(|e| e.line), Err(1));
        assert_eq!(
            read_section("[default]\n= v\n", "default").map_err(|e| e.line),
            Err(2)
        );
    }

    #[test]
    fn repeated_section_merges_and_last_value_wins() {
        let text = "[default]\na = 1\n[x]\n[default]\na = 2\nb = 3\n";
        let section = read_section(text, "default")
            .ok()
            .flatten()
            .unwrap_or_default();
        assert_eq!(section.get("a").map(String::as_str), Some("2"));
        assert_eq!(section.get("b").map(String::as_str), Some("3"));
    }
}

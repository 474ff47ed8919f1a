//! Percent-encoding as COS signing ("UrlEncode") requires it.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::text::TextBuf;

/// Everything except the RFC 3986 unreserved characters `A-Z a-z 0-9 - _ . ~`.
const COS_ENCODE_SET: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// What JavaScript's `encodeURIComponent` escapes: like [`COS_ENCODE_SET`] but keeps
/// `! * ' ( )` literal. The Go SDK's presigned-URL helper encodes this way.
const URI_COMPONENT_SET: &AsciiSet = &COS_ENCODE_SET
    .remove(b'!')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// Percent-encodes a string the way the COS signature does: UTF-8 bytes, every byte
/// that is not RFC 3986 unreserved (`A-Z a-z 0-9 - _ . ~`) written as `%XX` with
/// upper-case hex. Space is `%20` (never `+`); `/ * ! ' ( )` are encoded too.
///
/// ```
/// assert_eq!(tc_signing::cos_encode("a b/c*(1)~"), "a%20b%2Fc%2A%281%29~");
/// assert_eq!(tc_signing::cos_encode("腾"), "%E8%85%BE");
/// ```
pub fn cos_encode(s: &str) -> String {
    if is_cos_unreserved(s) {
        return s.to_owned();
    }
    let mut out = TextBuf::with_capacity(s.len());
    push_cos_encoded(&mut out, s, Case::Upper);
    out.into_string()
}

/// The letter case of a [`push_cos_encoded`] result.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Case {
    /// As [`cos_encode`] returns it (`%XX` in upper-case hex).
    Upper,
    /// `cos_encode(s).to_ascii_lowercase()`: letters and `%xx` escapes lower-cased,
    /// which is how COS signs parameter and header names.
    Lower,
}

/// The bytes [`cos_encode`] keeps: RFC 3986 unreserved, `A-Z a-z 0-9 - _ . ~`.
static UNRESERVED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'~');
        b += 1;
    }
    table
};

/// True when [`cos_encode`] leaves `s` unchanged: every byte is unreserved.
pub(crate) fn is_cos_unreserved(s: &str) -> bool {
    classify(s).unreserved
}

/// What [`classify`] finds out about a string in one pass.
#[derive(Clone, Copy)]
pub(crate) struct Class {
    /// [`cos_encode`] leaves it unchanged.
    pub(crate) unreserved: bool,
    /// It has an upper-case ASCII letter (so lower-casing changes it).
    pub(crate) upper: bool,
}

/// Whether `s` needs percent-encoding, and whether it needs lower-casing.
pub(crate) fn classify(s: &str) -> Class {
    let class = |b: &u8| CLASS[usize::from(*b)];
    // Eight independent lookups per step, then the rest one by one.
    let mut chunks = s.as_bytes().chunks_exact(8);
    let mut flags = 0u8;
    for chunk in &mut chunks {
        flags |= chunk.iter().map(class).fold(0, |a, b| a | b);
    }
    flags |= chunks.remainder().iter().map(class).fold(0, |a, b| a | b);
    Class {
        unreserved: flags & RESERVED == 0,
        upper: flags & UPPER != 0,
    }
}

/// [`CLASS`] flag: `cos_encode` escapes the byte.
const RESERVED: u8 = 1;
/// [`CLASS`] flag: an upper-case ASCII letter.
const UPPER: u8 = 2;

/// [`RESERVED`] and [`UPPER`] flags of every byte.
static CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        if !UNRESERVED[i] {
            table[i] |= RESERVED;
        }
        if b.is_ascii_uppercase() {
            table[i] |= UPPER;
        }
        i += 1;
    }
    table
};

/// Appends [`cos_encode`] of `s` (lower-cased with [`Case::Lower`]) to `out`, without
/// an intermediate `String`.
pub(crate) fn push_cos_encoded(out: &mut TextBuf, s: &str, case: Case) {
    match case {
        Case::Upper => out.push_percent_encoded(s, &UNRESERVED, b"0123456789ABCDEF", false),
        Case::Lower => out.push_percent_encoded(s, &UNRESERVED, b"0123456789abcdef", true),
    }
}

/// Percent-encodes a decoded object path for use in a request URL: each segment as
/// [`cos_encode`] does, `/` kept as the separator.
///
/// (The signature itself uses the decoded path; this is only for the wire.)
///
/// ```
/// assert_eq!(tc_signing::cos_encode_path("/dir/a b+c.jpg"), "/dir/a%20b%2Bc.jpg");
/// ```
pub fn cos_encode_path(path: &str) -> String {
    path.split('/')
        .map(cos_encode)
        .collect::<Vec<_>>()
        .join("/")
}

/// Percent-encodes like JavaScript's `encodeURIComponent` (RFC 3986 unreserved and
/// `! * ' ( )` kept): used for the values of a presigned query.
pub(crate) fn uri_component_encode(s: &str) -> String {
    utf8_percent_encode(s, URI_COMPONENT_SET).to_string()
}

/// Appends [`uri_component_encode`] of `s` to `out`.
pub(crate) fn push_uri_component_encoded(out: &mut String, s: &str) {
    out.extend(utf8_percent_encode(s, URI_COMPONENT_SET));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_ascii_follows_the_doc_list() {
        // The doc lists the printable ASCII characters that must be encoded.
        let must_encode = " !\"#$%&'()*+,/:;<=>?@[\\]^`{|}";
        for c in must_encode.chars() {
            let encoded = cos_encode(&c.to_string());
            assert_eq!(encoded, format!("%{:02X}", c as u32), "{c:?}");
        }
        let unreserved = "ABCXYZabcxyz0189-_.~";
        assert_eq!(cos_encode(unreserved), unreserved);
    }

    #[test]
    fn matches_percent_encoding_in_both_cases() {
        let mut samples: Vec<String> = (0u8..=127).map(|b| char::from(b).to_string()).collect();
        samples.extend(
            [
                "",
                "Ab-_.~z",
                "a b/c*(1)~",
                "腾讯云 OCR",
                "x-cos-Meta=1&2",
                "%2F",
                "\u{1F600}é",
            ]
            .map(String::from),
        );
        for s in &samples {
            let reference = utf8_percent_encode(s, COS_ENCODE_SET).to_string();
            assert_eq!(is_cos_unreserved(s), reference == *s, "{s:?}");
            assert_eq!(classify(s).upper, s.to_ascii_lowercase() != *s, "{s:?}");
            assert_eq!(cos_encode(s), reference, "{s:?}");
            let mut lower = TextBuf::default();
            lower.push_str("k:");
            push_cos_encoded(&mut lower, s, Case::Lower);
            assert_eq!(
                lower.into_string(),
                format!("k:{}", reference.to_ascii_lowercase()),
                "{s:?}"
            );
        }
    }

    #[test]
    fn uri_component_keeps_sub_delims_that_js_keeps() {
        assert_eq!(uri_component_encode("a*!'()b;c=d&e"), "a*!'()b%3Bc%3Dd%26e");
    }
}

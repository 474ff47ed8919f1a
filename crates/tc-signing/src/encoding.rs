//! Percent-encoding as COS signing ("UrlEncode") requires it.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

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
    utf8_percent_encode(s, COS_ENCODE_SET).to_string()
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
    fn uri_component_keeps_sub_delims_that_js_keeps() {
        assert_eq!(uri_component_encode("a*!'()b;c=d&e"), "a*!'()b%3Bc%3Dd%26e");
    }
}

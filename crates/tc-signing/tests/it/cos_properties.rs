//! Properties of COS encoding and canonicalisation over generated inputs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use percent_encoding::percent_decode_str;
use proptest::prelude::*;
use tc_signing::{cos_encode, cos_encode_path, sign_cos, CosRequest, Credential, KeyTime};

const KEY_TIME: KeyTime = KeyTime {
    start: 1_622_702_557,
    end: 1_622_706_157,
};

fn credential() -> Credential {
    Credential::new("AKIDprop", "prop-secret-key")
}

fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8().unwrap().into_owned()
}

/// True when `s` consists only of RFC 3986 unreserved characters and `%XX` escapes
/// with upper-case hex digits.
fn is_strictly_encoded(s: &str) -> bool {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hex_ok = |c: Option<&u8>| c.is_some_and(|c| matches!(c, b'0'..=b'9' | b'A'..=b'F'));
            if !(hex_ok(bytes.get(i + 1)) && hex_ok(bytes.get(i + 2))) {
                return false;
            }
            i += 3;
        } else if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            i += 1;
        } else {
            return false;
        }
    }
    true
}

/// Keys and values mixing ASCII letters, reserved characters, spaces and non-ASCII.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 !*'()&=;:/?#+%,~._-]{0,12}",
        "\\PC{0,8}",
        Just(String::new()),
    ]
}

fn pairs(max: usize) -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec((text(), text()), 0..max)
}

fn as_refs(pairs: &[(String, String)]) -> Vec<(&str, &str)> {
    pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// Splits `k=v&k=v` back into decoded pairs.
fn decode_joined(joined: &str) -> Vec<(String, String)> {
    if joined.is_empty() {
        return Vec::new();
    }
    joined
        .split('&')
        .map(|part| {
            let (k, v) = part.split_once('=').unwrap();
            (decode(k), decode(v))
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn cos_encode_is_strict_and_round_trips(s in any::<String>()) {
        let encoded = cos_encode(&s);
        prop_assert!(is_strictly_encoded(&encoded), "{encoded}");
        prop_assert_eq!(decode(&encoded), s);
    }

    #[test]
    fn cos_encode_path_keeps_slashes_and_round_trips(s in "(/\\PC{0,6}){0,4}") {
        let encoded = cos_encode_path(&s);
        prop_assert!(encoded.split('/').all(is_strictly_encoded), "{encoded}");
        prop_assert_eq!(encoded.matches('/').count(), s.matches('/').count());
        prop_assert_eq!(decode(&encoded), s);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn canonical_forms_encode_every_key_and_value(
        path in "/[^\\x00-\\x1f\\x7f]{0,16}",
        query in pairs(6),
        headers in pairs(4),
    ) {
        let query_refs = as_refs(&query);
        let header_refs = as_refs(&headers);
        let request = CosRequest { method: "GeT", path: &path, query: &query_refs, headers: &header_refs };
        let signed = sign_cos(&request, &credential(), KEY_TIME);

        prop_assert_eq!(
            signed.http_string(),
            format!("get\n{path}\n{}\n{}\n", signed.http_parameters(), signed.http_headers())
        );

        // Parameters: every pair present once, key lower-cased after encoding, value as is.
        let mut expected: Vec<_> = query.iter().map(|(k, v)| (k.to_ascii_lowercase(), v.clone())).collect();
        let mut got = decode_joined(signed.http_parameters());
        expected.sort();
        got.sort();
        prop_assert_eq!(got, expected);
        prop_assert!(signed.http_parameters().split(['&', '=']).all(|p| !p.contains(';')));

        // The param list is exactly the encoded keys, in the order signed.
        let keys: Vec<&str> = if signed.http_parameters().is_empty() {
            Vec::new()
        } else {
            signed.http_parameters().split('&').map(|p| p.split_once('=').unwrap().0).collect()
        };
        prop_assert_eq!(signed.url_param_list(), keys.join(";"));
        let mut sorted_keys = keys.clone();
        sorted_keys.sort();
        prop_assert_eq!(&keys, &sorted_keys);

        // Headers: trimmed before encoding.
        let mut expected: Vec<_> = headers
            .iter()
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let mut got = decode_joined(signed.http_headers());
        expected.sort();
        got.sort();
        prop_assert_eq!(got, expected);

        prop_assert_eq!(signed.signature().len(), 40);
        prop_assert!(signed.signature().bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    }

    #[test]
    fn input_order_does_not_change_the_signature(
        (query, shuffled_query) in pairs(8).prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle())),
        (headers, shuffled_headers) in pairs(5).prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle())),
    ) {
        let sign = |q: &[(String, String)], h: &[(String, String)]| {
            let q = as_refs(q);
            let h = as_refs(h);
            let request = CosRequest { method: "PUT", path: "/obj", query: &q, headers: &h };
            sign_cos(&request, &credential(), KEY_TIME)
        };
        prop_assert_eq!(sign(&query, &headers), sign(&shuffled_query, &shuffled_headers));
    }

    #[test]
    fn empty_values_render_as_key_equals(keys in prop::collection::vec("[a-zA-Z-]{1,10}", 1..6)) {
        let query: Vec<(&str, &str)> = keys.iter().map(|k| (k.as_str(), "")).collect();
        let request = CosRequest { method: "PUT", path: "/jobs/x", query: &query, headers: &[] };
        let signed = sign_cos(&request, &credential(), KEY_TIME);
        for part in signed.http_parameters().split('&') {
            prop_assert!(part.ends_with('=') && part.matches('=').count() == 1, "{part}");
        }
        prop_assert_eq!(signed.url_param_list().split(';').count(), keys.len());
    }

    #[test]
    fn duplicate_keys_are_all_kept_and_sorted_by_value(
        key in "[a-zA-Z*]{1,6}",
        values in prop::collection::vec(text(), 2..5),
    ) {
        let query: Vec<(&str, &str)> = values.iter().map(|v| (key.as_str(), v.as_str())).collect();
        let request = CosRequest { method: "GET", path: "/", query: &query, headers: &[] };
        let signed = sign_cos(&request, &credential(), KEY_TIME);

        let encoded_key = cos_encode(&key).to_ascii_lowercase();
        let listed: Vec<&str> = signed.url_param_list().split(';').collect();
        prop_assert_eq!(listed, vec![encoded_key.as_str(); values.len()]);

        let mut encoded_values: Vec<String> = values.iter().map(|v| cos_encode(v)).collect();
        encoded_values.sort();
        let expected: Vec<String> = encoded_values.iter().map(|v| format!("{encoded_key}={v}")).collect();
        prop_assert_eq!(signed.http_parameters(), expected.join("&"));
    }
}

//! Properties of the TC3 canonical request and signature over generated inputs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use tc_signing::{sign_tc3, Credential, PayloadHash, Tc3Request, Tc3Signer};

fn header_name() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9-]{0,15}"
}

/// Header values: printable, no line breaks (HTTP forbids them), padding allowed.
fn header_value() -> impl Strategy<Value = String> {
    " ?[!-~]{0,20} ?"
}

fn extras() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec((header_name(), header_value()), 0..6)
}

fn as_refs(pairs: &[(String, String)]) -> Vec<(&str, &str)> {
    pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn canonical_request_has_the_blank_line_and_no_trailing_newline(
        extra in extras(),
        body in prop::collection::vec(any::<u8>(), 0..64),
        query in "[A-Za-z0-9=&.%-]{0,24}",
        timestamp in 0u64..4_102_444_800,
    ) {
        let extra_refs = as_refs(&extra);
        let request = Tc3Request {
            method: "POST",
            host: "ocr.tencentcloudapi.com",
            path: "/",
            query: &query,
            content_type: "application/json",
            extra_signed_headers: &extra_refs,
            payload: PayloadHash::Bytes(&body),
        };
        let signed = sign_tc3(&request, &Credential::new("AKIDprop", "prop-key"), "ocr", timestamp);
        let canonical = signed.canonical_request();

        prop_assert!(!canonical.ends_with('\n'));
        let tail = format!("\n\n{}\n{}", signed.signed_headers(), signed.payload_hash());
        prop_assert!(canonical.ends_with(&tail), "{canonical}");
        let head = format!("POST\n/\n{query}\n");
        prop_assert!(canonical.starts_with(&head));

        // One header line per signed header, in the same order.
        let header_lines: Vec<&str> = canonical.lines().skip(3).take_while(|l| !l.is_empty()).collect();
        let names: Vec<&str> = header_lines.iter().map(|l| l.split_once(':').unwrap().0).collect();
        prop_assert_eq!(names.join(";"), signed.signed_headers());
        for line in header_lines {
            prop_assert_eq!(line, line.to_ascii_lowercase());
            let value = line.split_once(':').unwrap().1;
            prop_assert_eq!(value, value.trim());
        }
    }

    #[test]
    fn signed_headers_are_sorted_unique_and_include_the_mandatory_two(extra in extras()) {
        let extra_refs = as_refs(&extra);
        let request = Tc3Request {
            extra_signed_headers: &extra_refs,
            ..Tc3Request::new("POST", "lkeap.tencentcloudapi.com", "application/json", PayloadHash::Unsigned)
        };
        let signed = sign_tc3(&request, &Credential::new("AKIDprop", "prop-key"), "lkeap", 1_700_000_000);
        let names: Vec<&str> = signed.signed_headers().split(';').collect();
        prop_assert!(names.windows(2).all(|w| w[0] < w[1]), "{names:?}");
        prop_assert!(names.contains(&"content-type") && names.contains(&"host"));
        let mut expected: Vec<String> = extra.iter().map(|(n, _)| n.to_ascii_lowercase()).collect();
        expected.extend(["content-type".to_owned(), "host".to_owned()]);
        expected.sort();
        expected.dedup();
        prop_assert_eq!(names, expected);
    }

    #[test]
    fn signing_is_deterministic_and_the_signer_agrees(
        secret in "[A-Za-z0-9]{1,40}",
        token in prop::option::of("[A-Za-z0-9]{1,30}"),
        body in prop::collection::vec(any::<u8>(), 0..64),
        timestamp in 0u64..4_102_444_800,
        service in "[a-z]{2,8}",
    ) {
        let mut credential = Credential::new("AKIDprop", secret);
        if let Some(token) = token {
            credential = credential.with_session_token(token);
        }
        let request = Tc3Request::new("POST", "ocr.tencentcloudapi.com", "application/json", PayloadHash::Bytes(&body));
        let first = sign_tc3(&request, &credential, &service, timestamp);
        let second = sign_tc3(&request, &credential, &service, timestamp);
        prop_assert_eq!(&first, &second);
        let signer = Tc3Signer::new();
        prop_assert_eq!(&signer.sign(&request, &credential, &service, timestamp), &first);
        prop_assert_eq!(&signer.sign(&request, &credential, &service, timestamp), &first);
        prop_assert_eq!(signer.key_derivations(), 1);
        prop_assert_eq!(first.signature().len(), 64);
    }
}

//! The signers against plain reference implementations of both algorithms (the
//! straightforward `BTreeMap` / `format!` versions the allocation-free code replaced),
//! and the signers' key caches.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use hmac::{Hmac, KeyInit, Mac};
use proptest::prelude::*;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use tc_signing::{
    cos_encode, derive_signing_key, sign_cos, sign_tc3, utc_date, CosRequest, CosSigner,
    Credential, KeyTime, PayloadHash, Tc3Request, Tc3Signer,
};

/// TC3 as the documentation states it: (canonical request, string to sign, authorization).
fn reference_tc3(
    request: &Tc3Request<'_>,
    credential: &Credential,
    service: &str,
    timestamp: u64,
) -> (String, String, String) {
    let normalise = |s: &str| s.trim().to_ascii_lowercase();
    let mut headers = BTreeMap::new();
    headers.insert("content-type".to_owned(), normalise(request.content_type));
    headers.insert("host".to_owned(), normalise(request.host));
    for (name, value) in request.extra_signed_headers {
        let name = normalise(name);
        if !name.is_empty() {
            headers.entry(name).or_insert_with(|| normalise(value));
        }
    }
    let canonical_headers: String = headers.iter().map(|(n, v)| format!("{n}:{v}\n")).collect();
    let signed_headers = headers.keys().cloned().collect::<Vec<_>>().join(";");
    let path = if request.path.is_empty() {
        "/"
    } else {
        request.path
    };
    let canonical_request = format!(
        "{}\n{path}\n{}\n{canonical_headers}\n{signed_headers}\n{}",
        request.method.to_ascii_uppercase(),
        request.query,
        request.payload.hex()
    );
    let date = utc_date(timestamp);
    let scope = format!("{date}/{service}/tc3_request");
    let string_to_sign = format!(
        "TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{}",
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    );
    let key = derive_signing_key(credential.secret_key(), &date, service);
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&key).unwrap();
    mac.update(string_to_sign.as_bytes());
    let signature = hex::encode(mac.finalize().into_bytes());
    let authorization = format!(
        "TC3-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
        credential.secret_id()
    );
    (canonical_request, string_to_sign, authorization)
}

/// COS as the documentation states it: (HttpString, StringToSign, Authorization).
fn reference_cos(
    request: &CosRequest<'_>,
    credential: &Credential,
    key_time: KeyTime,
) -> (String, String, String) {
    let encode = |pairs: &mut dyn Iterator<Item = (&str, &str)>| {
        let mut encoded: Vec<(String, String)> = pairs
            .map(|(k, v)| (cos_encode(k).to_ascii_lowercase(), cos_encode(v)))
            .collect();
        encoded.sort();
        let names = encoded
            .iter()
            .map(|(k, _)| k.as_str())
            .collect::<Vec<_>>()
            .join(";");
        let joined = encoded
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&");
        (names, joined)
    };
    let (param_list, params) = encode(&mut request.query.iter().copied());
    let (header_list, headers) =
        encode(&mut request.headers.iter().map(|(n, v)| (n.trim(), v.trim())));
    let path = match request.path {
        "" => "/".to_owned(),
        p if p.starts_with('/') => p.to_owned(),
        p => format!("/{p}"),
    };
    let http_string = format!(
        "{}\n{path}\n{params}\n{headers}\n",
        request.method.to_ascii_lowercase()
    );
    let hmac_sha1 = |key: &[u8], message: &[u8]| {
        let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(key).unwrap();
        mac.update(message);
        hex::encode(mac.finalize().into_bytes())
    };
    let sign_key = hmac_sha1(
        credential.secret_key().as_bytes(),
        key_time.to_string().as_bytes(),
    );
    let string_to_sign = format!(
        "sha1\n{key_time}\n{}\n",
        hex::encode(Sha1::digest(http_string.as_bytes()))
    );
    let signature = hmac_sha1(sign_key.as_bytes(), string_to_sign.as_bytes());
    let authorization = format!(
        "q-sign-algorithm=sha1&q-ak={}&q-sign-time={key_time}&q-key-time={key_time}\
         &q-header-list={header_list}&q-url-param-list={param_list}&q-signature={signature}",
        credential.secret_id()
    );
    (http_string, string_to_sign, authorization)
}

/// Text with what the fast paths special-case: upper case, reserved and non-ASCII
/// characters, surrounding whitespace, and often nothing special at all.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9-]{0,12}",
        "[A-Za-z0-9._~-]{0,12}",
        "[ \t]?[A-Za-z0-9 /=&;:%+*!()'~.-]{0,12}[ \t]?",
        "\\PC{0,8}",
    ]
}

/// Up to 12 pairs: past the 8 the TC3 signer sorts on the stack.
fn pairs() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec((text(), text()), 0..12)
}

fn as_refs(pairs: &[(String, String)]) -> Vec<(&str, &str)> {
    pairs
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn tc3_matches_the_reference(
        method in "[A-Za-z]{1,7}",
        host in text(),
        content_type in text(),
        path in prop_oneof![Just(String::new()), "/[a-z/]{0,10}"],
        query in "[a-z=&]{0,12}",
        extra in pairs(),
        body in prop::collection::vec(any::<u8>(), 0..200),
        payload_kind in 0..3u8,
        secret in "[A-Za-z0-9]{1,40}",
        timestamp in 0u64..4_102_444_800,
    ) {
        let extra = as_refs(&extra);
        let body_hash = hex::encode_upper(Sha256::digest(&body));
        let payload = match payload_kind {
            0 => PayloadHash::Bytes(&body),
            1 => PayloadHash::Precomputed(&body_hash),
            _ => PayloadHash::Unsigned,
        };
        let request = Tc3Request {
            method: &method,
            host: &host,
            path: &path,
            query: &query,
            content_type: &content_type,
            extra_signed_headers: &extra,
            payload,
        };
        let credential = Credential::new("AKIDprop", secret);
        let signed = sign_tc3(&request, &credential, "ocr", timestamp);
        let (canonical, string_to_sign, authorization) =
            reference_tc3(&request, &credential, "ocr", timestamp);
        prop_assert_eq!(signed.canonical_request(), canonical);
        prop_assert_eq!(signed.string_to_sign(), string_to_sign);
        prop_assert_eq!(signed.authorization(), authorization);
        prop_assert_eq!(Tc3Signer::new().sign(&request, &credential, "ocr", timestamp), signed);
    }

    #[test]
    fn cos_matches_the_reference(
        method in "[A-Za-z]{1,7}",
        path in prop_oneof![Just(String::new()), "/?\\PC{0,10}"],
        query in pairs(),
        headers in pairs(),
        secret in "[A-Za-z0-9]{1,40}",
        start in 0u64..4_102_444_800,
        lifetime in 0u64..100_000,
    ) {
        let (query, headers) = (as_refs(&query), as_refs(&headers));
        let request = CosRequest { method: &method, path: &path, query: &query, headers: &headers };
        let credential = Credential::new("AKIDprop", secret);
        let key_time = KeyTime::starting_at(start, lifetime);
        let signed = sign_cos(&request, &credential, key_time);
        let (http_string, string_to_sign, authorization) =
            reference_cos(&request, &credential, key_time);
        prop_assert_eq!(signed.http_string(), http_string);
        prop_assert_eq!(signed.string_to_sign(), string_to_sign);
        prop_assert_eq!(signed.authorization(), authorization);
        prop_assert_eq!(CosSigner::new().sign(&request, &credential, key_time), signed);
    }
}

fn tc3_request() -> Tc3Request<'static> {
    Tc3Request::new(
        "POST",
        "ocr.tencentcloudapi.com",
        "application/json",
        PayloadHash::Bytes(b"{}"),
    )
}

#[test]
fn tc3_cache_tells_secrets_apart_under_one_secret_id() {
    let signer = Tc3Signer::new();
    let request = tc3_request();
    let first = Credential::new("AKIDshared", "first-secret");
    let second = Credential::new("AKIDshared", "second-secret");
    let ts = 1_700_000_000;

    let by_first = signer.sign(&request, &first, "ocr", ts);
    let by_second = signer.sign(&request, &second, "ocr", ts);
    assert_ne!(by_first.signature(), by_second.signature());
    assert_eq!(by_first, sign_tc3(&request, &first, "ocr", ts));
    assert_eq!(by_second, sign_tc3(&request, &second, "ocr", ts));
    assert_eq!((signer.key_derivations(), signer.cached_keys()), (2, 2));
}

#[test]
fn tc3_cache_is_hit_for_the_same_credential() {
    let signer = Tc3Signer::new();
    let request = tc3_request();
    let credential = Credential::new("AKIDexample", "example-key").with_session_token("t");
    signer.sign(&request, &credential, "ocr", 1_700_000_000);
    // The same value again, a clone, and the same keys built anew (as a provider
    // that re-reads its source does): all hits.
    signer.sign(&request, &credential, "ocr", 1_700_000_001);
    signer.sign(&request, &credential.clone(), "ocr", 1_700_000_002);
    let rebuilt = Credential::new("AKIDexample", "example-key");
    assert_eq!(
        signer.sign(&request, &rebuilt, "ocr", 1_700_000_003),
        sign_tc3(&request, &rebuilt, "ocr", 1_700_000_003)
    );
    assert_eq!((signer.key_derivations(), signer.cached_keys()), (1, 1));
}

#[test]
fn cos_cache_tells_secrets_apart_under_one_secret_id_and_is_hit_again() {
    let signer = CosSigner::new();
    let request = CosRequest {
        method: "GET",
        path: "/a.png",
        query: &[("ci-process", "OCR")],
        headers: &[("host", "b-1250000000.cos.ap-beijing.myqcloud.com")],
    };
    let window = KeyTime::starting_at(1_700_000_000, 3_600);
    let first = Credential::new("AKIDshared", "first-secret");
    let second = Credential::new("AKIDshared", "second-secret");

    let by_first = signer.sign(&request, &first, window);
    let by_second = signer.sign(&request, &second, window);
    assert_ne!(by_first.sign_key(), by_second.sign_key());
    assert_eq!(by_first, sign_cos(&request, &first, window));
    assert_eq!(by_second, sign_cos(&request, &second, window));
    assert_eq!((signer.key_derivations(), signer.cached_keys()), (2, 2));

    let rebuilt = Credential::new("AKIDshared", "first-secret");
    assert_eq!(signer.sign(&request, &rebuilt, window), by_first);
    assert_eq!(signer.sign(&request, &second.clone(), window), by_second);
    assert_eq!((signer.key_derivations(), signer.cached_keys()), (2, 2));
}

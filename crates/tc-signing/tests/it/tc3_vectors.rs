//! TC3-HMAC-SHA256 against the published known-answer vectors (spec §1.4) and the
//! header rules around them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sha2::{Digest, Sha256};
use tc_signing::{
    derive_signing_key, derive_tc3_keys, sign_tc3, utc_date, Credential, PayloadHash, Tc3Request,
    Tc3Signer,
};

/// The body of the doc examples: Python `json.dumps` output, with the `\u…` escapes
/// as literal ASCII.
const DOC_BODY: &str =
    r#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
const DOC_TIMESTAMP: u64 = 1_551_113_065;
const DOC_CONTENT_TYPE: &str = "application/json; charset=utf-8";
const DOC_HOST: &str = "cvm.tencentcloudapi.com";
const DOC_PAYLOAD_HASH: &str = "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064";

const NODE_BODY: &str = r#"{"Action":"DescribeInstances","Version":"2017-03-12"}"#;
const NODE_TIMESTAMP: u64 = 1_640_995_200;
const NODE_PAYLOAD_HASH: &str = "8161d71add76597e6dc0e223286ca9a96dec0b7eca6e08f9364680387415b4dc";

fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

fn doc_request<'a>(extra: &'a [(&'a str, &'a str)]) -> Tc3Request<'a> {
    Tc3Request {
        method: "POST",
        host: DOC_HOST,
        path: "/",
        query: "",
        content_type: DOC_CONTENT_TYPE,
        extra_signed_headers: extra,
        payload: PayloadHash::Bytes(DOC_BODY.as_bytes()),
    }
}

fn node_credential() -> Credential {
    Credential::new("test-secret-id", "test-secret-key")
}

#[test]
fn kat_a_current_doc_example_signs_x_tc_action() {
    // The doc masks the keys as asterisks; the published SecretDate shows the key is
    // literally 32 asterisks.
    let secret_key = "*".repeat(32);
    let credential = Credential::new(format!("AKID{}", "*".repeat(32)), secret_key.clone());
    let extra = [("X-TC-Action", "DescribeInstances")];
    let signed = sign_tc3(&doc_request(&extra), &credential, "cvm", DOC_TIMESTAMP);

    assert_eq!(signed.payload_hash(), DOC_PAYLOAD_HASH);
    assert_eq!(
        signed.canonical_request(),
        format!(
            "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\
             x-tc-action:describeinstances\n\ncontent-type;host;x-tc-action\n{DOC_PAYLOAD_HASH}"
        )
    );
    assert_eq!(signed.signed_headers(), "content-type;host;x-tc-action");
    assert_eq!(
        sha256_hex(signed.canonical_request()),
        "7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84"
    );
    assert_eq!(
        signed.string_to_sign(),
        "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n\
         7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84"
    );

    let keys = derive_tc3_keys(&secret_key, "2019-02-25", "cvm");
    assert_eq!(
        hex::encode(keys.secret_date),
        "da98fb70dcf6b112dc21038d1eeeb3a95c74b4dcb12c1131f864f6066bd02be0"
    );
    assert_eq!(
        hex::encode(keys.secret_service),
        "8d70cbefb03939f929db64d32dc2ba89b1095620119fe3e050e2b18c5bd2752f"
    );
    assert_eq!(
        hex::encode(keys.secret_signing),
        "b596b923aad85185e2d1f6659d2a062e0a86731226e021e61bfe06f7ed05f5af"
    );
    assert_eq!(
        derive_signing_key(&secret_key, "2019-02-25", "cvm"),
        keys.secret_signing
    );

    assert_eq!(
        signed.signature(),
        "10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f"
    );
}

#[test]
fn kat_b_older_doc_example_content_type_and_host() {
    let credential = Credential::new(
        "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
        "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
    );
    let signed = sign_tc3(&doc_request(&[]), &credential, "cvm", DOC_TIMESTAMP);

    assert_eq!(signed.payload_hash(), DOC_PAYLOAD_HASH);
    assert_eq!(
        signed.canonical_request(),
        format!(
            "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\n\
             content-type;host\n{DOC_PAYLOAD_HASH}"
        )
    );
    assert_eq!(
        sha256_hex(signed.canonical_request()),
        "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
    );

    // Not published by Tencent; recomputed in the spec.
    let keys = derive_tc3_keys("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE", "2019-02-25", "cvm");
    assert_eq!(
        hex::encode(keys.secret_date),
        "d1308c81fe71cfd4e06437bbc067b2b8a3d2d8c0e375d547f15c41d5214b395a"
    );
    assert_eq!(
        hex::encode(keys.secret_service),
        "3c7cb7c7795393edc14fd2e0e6434a518564b4504b88e94f5d11bf59ba3e7050"
    );
    assert_eq!(
        hex::encode(keys.secret_signing),
        "ac658d5dde49e9bfdd14e04e062f66b05d9f637d44b8a8d845327d4a77f666b1"
    );

    assert_eq!(
        signed.signature(),
        "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
    );
    assert_eq!(
        signed.authorization(),
        "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, \
         SignedHeaders=content-type;host, \
         Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
    );
}

#[test]
fn kat_c_node_sdk_post() {
    let request = Tc3Request::new(
        "POST",
        "cvm.tencentcloudapi.com",
        "application/json",
        PayloadHash::Bytes(NODE_BODY.as_bytes()),
    );
    let signed = sign_tc3(&request, &node_credential(), "cvm", NODE_TIMESTAMP);

    assert_eq!(signed.payload_hash(), NODE_PAYLOAD_HASH);
    assert_eq!(signed.credential_scope(), "2022-01-01/cvm/tc3_request");
    assert_eq!(signed.signed_headers(), "content-type;host");
    assert_eq!(
        sha256_hex(signed.canonical_request()),
        "11b4984250df9d76592a8eb098c42d8c757bebef390e23479ceac3a58148f4d9"
    );
    assert_eq!(
        signed.signature(),
        "96473b50fe407833672a5d6d067238d88bb44c8abcc39ef83baa3132afbfadd3"
    );
}

#[test]
fn kat_c_node_sdk_get_variant() {
    // The Node test feeds the JSON body to the signer even for GET (a real GET would
    // hash the empty body), so the JSON bytes are hashed here too.
    let request = Tc3Request::new(
        "GET",
        "cvm.tencentcloudapi.com",
        "application/x-www-form-urlencoded",
        PayloadHash::Bytes(NODE_BODY.as_bytes()),
    );
    let signed = sign_tc3(&request, &node_credential(), "cvm", NODE_TIMESTAMP);

    assert_eq!(signed.payload_hash(), NODE_PAYLOAD_HASH);
    assert_eq!(
        sha256_hex(signed.canonical_request()),
        "623fcf672bc1f134c7b07fe76eeeba2d4277e988f9b63e609d668c056c82e6f7"
    );
    assert_eq!(
        signed.signature(),
        "39ce411ac32014b7d814118b33f82d3445be566f67e1f4b369ccdc3791ce9a13"
    );
}

#[test]
fn scope_uses_the_utc_date_at_the_midnight_boundary() {
    // 1551113065 is 2019-02-26 00:44:25 in UTC+8 but still 2019-02-25 in UTC.
    assert_eq!(utc_date(DOC_TIMESTAMP), "2019-02-25");
    let signed = sign_tc3(&doc_request(&[]), &node_credential(), "cvm", DOC_TIMESTAMP);
    assert_eq!(signed.credential_scope(), "2019-02-25/cvm/tc3_request");

    // The last second of a UTC day and the first of the next.
    let midnight = 1_551_139_200; // 2019-02-26T00:00:00Z
    assert_eq!(utc_date(midnight - 1), "2019-02-25");
    assert_eq!(utc_date(midnight), "2019-02-26");
    let before = sign_tc3(&doc_request(&[]), &node_credential(), "ocr", midnight - 1);
    let after = sign_tc3(&doc_request(&[]), &node_credential(), "ocr", midnight);
    assert_eq!(before.credential_scope(), "2019-02-25/ocr/tc3_request");
    assert_eq!(after.credential_scope(), "2019-02-26/ocr/tc3_request");
}

#[test]
fn unsigned_payload_signs_the_placeholder_hash_and_adds_its_header() {
    let request = Tc3Request::new(
        "POST",
        "ocr.tencentcloudapi.com",
        "application/json",
        PayloadHash::Unsigned,
    );
    let signed = sign_tc3(&request, &node_credential(), "ocr", NODE_TIMESTAMP);
    assert_eq!(signed.payload_hash(), sha256_hex("UNSIGNED-PAYLOAD"));
    assert!(signed
        .canonical_request()
        .ends_with(&sha256_hex("UNSIGNED-PAYLOAD")));
    assert!(signed.headers().contains(&(
        "X-TC-Content-SHA256".to_owned(),
        "UNSIGNED-PAYLOAD".to_owned()
    )));

    let normal = Tc3Request {
        payload: PayloadHash::Bytes(b"{}"),
        ..request
    };
    let signed = sign_tc3(&normal, &node_credential(), "ocr", NODE_TIMESTAMP);
    assert!(signed
        .headers()
        .iter()
        .all(|(name, _)| name != "X-TC-Content-SHA256"));
}

#[test]
fn precomputed_payload_hash_equals_hashing_the_bytes() {
    let bytes = Tc3Request::new(
        "POST",
        "cvm.tencentcloudapi.com",
        "application/json",
        PayloadHash::Bytes(NODE_BODY.as_bytes()),
    );
    let upper = NODE_PAYLOAD_HASH.to_ascii_uppercase();
    let precomputed = Tc3Request {
        payload: PayloadHash::Precomputed(&upper),
        ..bytes
    };
    assert_eq!(
        sign_tc3(&bytes, &node_credential(), "cvm", NODE_TIMESTAMP),
        sign_tc3(&precomputed, &node_credential(), "cvm", NODE_TIMESTAMP)
    );
}

#[test]
fn get_with_empty_body_hashes_the_empty_string() {
    let request = Tc3Request {
        method: "get",
        host: "ocr.tencentcloudapi.com",
        path: "",
        query: "Limit=1&Offset=0",
        content_type: "application/x-www-form-urlencoded",
        extra_signed_headers: &[],
        payload: PayloadHash::Bytes(b""),
    };
    let signed = sign_tc3(&request, &node_credential(), "ocr", NODE_TIMESTAMP);
    assert!(signed
        .canonical_request()
        .starts_with("GET\n/\nLimit=1&Offset=0\n"));
    assert_eq!(
        signed.payload_hash(),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
}

#[test]
fn token_header_only_when_a_session_token_is_set() {
    let request = Tc3Request::new(
        "POST",
        "lkeap.tencentcloudapi.com",
        "application/json",
        PayloadHash::Bytes(b"{}"),
    );
    let long_term = sign_tc3(&request, &node_credential(), "lkeap", NODE_TIMESTAMP);
    assert_eq!(
        long_term.headers(),
        [("X-TC-Timestamp".to_owned(), "1640995200".to_owned())]
    );

    let temporary = node_credential().with_session_token("session-token-value");
    let signed = sign_tc3(&request, &temporary, "lkeap", NODE_TIMESTAMP);
    assert_eq!(
        signed.headers(),
        [
            ("X-TC-Timestamp".to_owned(), "1640995200".to_owned()),
            ("X-TC-Token".to_owned(), "session-token-value".to_owned()),
        ]
    );
    // The token is sent, not signed: the signature is the same.
    assert_eq!(signed.signature(), long_term.signature());
}

#[test]
fn extra_headers_are_normalised_and_cannot_replace_the_mandatory_ones() {
    let extra = [
        (" X-TC-Action ", " DescribeInstances "),
        ("Host", "evil.example.com"),
        ("x-tc-action", "Other"),
        ("", "ignored"),
    ];
    let signed = sign_tc3(
        &doc_request(&extra),
        &node_credential(),
        "cvm",
        DOC_TIMESTAMP,
    );
    assert_eq!(signed.signed_headers(), "content-type;host;x-tc-action");
    assert!(signed
        .canonical_request()
        .contains("\nhost:cvm.tencentcloudapi.com\nx-tc-action:describeinstances\n\n"));
}

#[test]
fn signer_matches_sign_tc3_and_reuses_the_derived_key() {
    let signer = Tc3Signer::new();
    let credential = node_credential();
    let request = Tc3Request::new(
        "POST",
        "cvm.tencentcloudapi.com",
        "application/json",
        PayloadHash::Bytes(NODE_BODY.as_bytes()),
    );

    // Two timestamps on the same UTC day: one derivation.
    for ts in [NODE_TIMESTAMP, NODE_TIMESTAMP + 3_600] {
        assert_eq!(
            signer.sign(&request, &credential, "cvm", ts),
            sign_tc3(&request, &credential, "cvm", ts)
        );
    }
    assert_eq!(signer.key_derivations(), 1);
    assert_eq!(signer.cached_keys(), 1);

    // Another day, another service, another key: one derivation each.
    signer.sign(&request, &credential, "cvm", NODE_TIMESTAMP + 86_400);
    signer.sign(&request, &credential, "ocr", NODE_TIMESTAMP);
    let other = Credential::new("test-secret-id", "another-secret-key");
    assert_eq!(
        signer.sign(&request, &other, "cvm", NODE_TIMESTAMP),
        sign_tc3(&request, &other, "cvm", NODE_TIMESTAMP)
    );
    assert_eq!(signer.key_derivations(), 4);

    // And the cached keys are used again.
    signer.sign(&request, &credential, "ocr", NODE_TIMESTAMP + 10);
    assert_eq!(signer.key_derivations(), 4);
}

#[test]
fn signer_is_shareable_between_threads() {
    let signer = std::sync::Arc::new(Tc3Signer::default());
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let signer = std::sync::Arc::clone(&signer);
            std::thread::spawn(move || {
                let request = Tc3Request::new(
                    "POST",
                    "cvm.tencentcloudapi.com",
                    "application/json",
                    PayloadHash::Bytes(NODE_BODY.as_bytes()),
                );
                signer
                    .sign(&request, &node_credential(), "cvm", NODE_TIMESTAMP + i)
                    .signature()
                    .to_owned()
            })
        })
        .collect();
    for handle in handles {
        assert_eq!(handle.join().unwrap().len(), 64);
    }
    assert_eq!(signer.cached_keys(), 1);
}

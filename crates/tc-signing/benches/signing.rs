//! Signing cost against its crypto floor (`cargo bench -p tc-signing --bench signing`, or
//! `cargo xtask bench`, which prints the ratios).
//!
//! Each scheme has its real signers and a *floor*: the hashing and HMAC that no implementation
//! of the algorithm can avoid, written here directly on the same crates (`sha1`, `sha2`, `hmac`,
//! `hex`) with every string already built, no allocation and the derived key already known.
//! Before measuring, each floor is checked to produce the same signature as the signer, so a
//! ratio compares like with like.
//!
//! - `tc3/*`: TC3-HMAC-SHA256 of a 1 KiB JSON body, as `tc-api` signs an API 3.0 call
//!   (`content-type;host;x-tc-action`). Floor: SHA-256 of the body, SHA-256 of the canonical
//!   request, one HMAC-SHA256 under the cached signing key, hex of each.
//! - `cos/*`: COS `q-sign-algorithm=sha1` of a CI request (two parameters, two headers),
//!   `Authorization` value included. Floor: SHA-1 of the `HttpString`, one HMAC-SHA1 under the
//!   cached `SignKey`, hex of each.
#![allow(missing_docs)] // criterion_group! generates undocumented items

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use tc_signing::{
    derive_signing_key, sign_cos, sign_tc3, CosRequest, CosSigner, Credential, KeyTime,
    PayloadHash, Tc3Request, Tc3Signer,
};

const TIMESTAMP: u64 = 1_700_000_000;
const HOST: &str = "ocr.tencentcloudapi.com";
const CONTENT_TYPE: &str = "application/json";
const ACTION: &str = "GeneralAccurateOCR";

/// A 1 KiB JSON body: an OCR call with an inline image, padded to exactly 1024 bytes.
fn body_1k() -> Vec<u8> {
    let head = r#"{"ImageBase64":""#;
    let tail = r#"","IsWords":false,"EnableDetectSplit":false,"IsPdf":false,"PdfPageNumber":1}"#;
    let filler = 1024 - head.len() - tail.len();
    let image: String = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg"
        .chars()
        .cycle()
        .take(filler)
        .collect();
    let body = format!("{head}{image}{tail}");
    assert_eq!(body.len(), 1024);
    body.into_bytes()
}

fn credential() -> Credential {
    Credential::new(
        "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
        "Gu5t9xGARNpq86cd98joQYCN3EXAMPLEKEY",
    )
}

/// The TC3 floor: the same signature as the signer, from pre-built text and a known key.
struct Tc3Floor {
    /// The canonical request up to (without) the body hash.
    canonical_prefix: String,
    /// The string to sign up to (without) the canonical request hash.
    string_to_sign_prefix: String,
    key: [u8; 32],
}

impl Tc3Floor {
    fn new(credential: &Credential) -> Self {
        let date = tc_signing::utc_date(TIMESTAMP);
        Self {
            canonical_prefix: format!(
                "POST\n/\n\ncontent-type:{CONTENT_TYPE}\nhost:{HOST}\nx-tc-action:{}\n\n\
                 content-type;host;x-tc-action\n",
                ACTION.to_ascii_lowercase()
            ),
            string_to_sign_prefix: format!(
                "TC3-HMAC-SHA256\n{TIMESTAMP}\n{date}/ocr/tc3_request\n"
            ),
            key: derive_signing_key(credential.secret_key(), &date, "ocr"),
        }
    }

    /// The hex signature: SHA-256(body), SHA-256(canonical request), HMAC-SHA256, hex.
    fn sign(&self, body: &[u8]) -> [u8; 64] {
        let mut body_hex = [0u8; 64];
        hex_into(&Sha256::digest(body), &mut body_hex);
        let mut canonical = Sha256::new();
        canonical.update(self.canonical_prefix.as_bytes());
        canonical.update(body_hex);
        let mut canonical_hex = [0u8; 64];
        hex_into(&canonical.finalize(), &mut canonical_hex);
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(self.string_to_sign_prefix.as_bytes());
        mac.update(&canonical_hex);
        let mut signature = [0u8; 64];
        hex_into(&mac.finalize().into_bytes(), &mut signature);
        signature
    }
}

/// The COS floor: the same signature as the signer, from the pre-built `HttpString`.
struct CosFloor {
    http_string: String,
    string_to_sign_prefix: String,
    sign_key: String,
}

impl CosFloor {
    /// The hex signature: SHA-1(HttpString), HMAC-SHA1 under the hex SignKey, hex.
    fn sign(&self) -> [u8; 40] {
        let mut digest_hex = [0u8; 40];
        hex_into(&Sha1::digest(self.http_string.as_bytes()), &mut digest_hex);
        let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(self.sign_key.as_bytes())
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(self.string_to_sign_prefix.as_bytes());
        mac.update(&digest_hex);
        mac.update(b"\n");
        let mut signature = [0u8; 40];
        hex_into(&mac.finalize().into_bytes(), &mut signature);
        signature
    }
}

fn hex_into(bytes: &[u8], out: &mut [u8]) {
    // `hex::encode_to_slice` fails only on a length mismatch, which the callers rule out.
    let _ = hex::encode_to_slice(bytes, out);
}

fn tc3(c: &mut Criterion) {
    let body = body_1k();
    let credential = credential();
    let extra = [("X-TC-Action", ACTION)];
    let request = Tc3Request {
        extra_signed_headers: &extra,
        ..Tc3Request::new("POST", HOST, CONTENT_TYPE, PayloadHash::Bytes(&body))
    };
    let signer = Tc3Signer::new();
    let floor = Tc3Floor::new(&credential);

    // The floor computes the very signature the signers compute.
    let expected = sign_tc3(&request, &credential, "ocr", TIMESTAMP);
    assert_eq!(floor.sign(&body), expected.signature().as_bytes());
    assert_eq!(
        signer.sign(&request, &credential, "ocr", TIMESTAMP),
        expected
    );

    let mut group = c.benchmark_group("tc3");
    group.bench_function("sign_cached", |b| {
        b.iter(|| {
            signer.sign(
                black_box(&request),
                black_box(&credential),
                "ocr",
                black_box(TIMESTAMP),
            )
        })
    });
    group.bench_function("sign_uncached", |b| {
        b.iter(|| {
            sign_tc3(
                black_box(&request),
                black_box(&credential),
                "ocr",
                black_box(TIMESTAMP),
            )
        })
    });
    group.bench_function("floor", |b| b.iter(|| floor.sign(black_box(&body))));
    group.finish();
}

fn cos(c: &mut Criterion) {
    let credential = credential();
    let query = [("ci-process", "OCR"), ("type", "general")];
    let headers = [
        (
            "host",
            "examplebucket-1250000000.cos.ap-beijing.myqcloud.com",
        ),
        ("x-cos-security-token", "Mv1xYl6kN4bQ2pC8rT5wE3zA9sD7fG0hJ"),
    ];
    let request = CosRequest {
        method: "GET",
        path: "/scans/page 1.png",
        query: &query,
        headers: &headers,
    };
    let key_time = KeyTime::starting_at(TIMESTAMP - 60, 3_660);
    let signer = CosSigner::new();

    let expected = sign_cos(&request, &credential, key_time);
    let floor = CosFloor {
        http_string: expected.http_string().to_owned(),
        string_to_sign_prefix: format!("sha1\n{key_time}\n"),
        sign_key: expected.sign_key().to_owned(),
    };
    assert_eq!(floor.sign(), expected.signature().as_bytes());
    assert_eq!(signer.sign(&request, &credential, key_time), expected);

    let mut group = c.benchmark_group("cos");
    group.bench_function("sign_cached", |b| {
        b.iter(|| {
            signer
                .sign(
                    black_box(&request),
                    black_box(&credential),
                    black_box(key_time),
                )
                .authorization()
        })
    });
    group.bench_function("sign_uncached", |b| {
        b.iter(|| {
            sign_cos(
                black_box(&request),
                black_box(&credential),
                black_box(key_time),
            )
            .authorization()
        })
    });
    group.bench_function("floor", |b| b.iter(|| black_box(&floor).sign()));
    group.finish();
}

criterion_group!(benches, tc3, cos);
criterion_main!(benches);

//! TC3-HMAC-SHA256 verification: published vectors accepted, every failure answered
//! with the code the real service uses.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use ocr_emulator::auth::{verify_tc3, Tc3Input};
use ocr_emulator::{ClockMode, EmulatorConfig};
use serde_json::json;
use tc_signing::Credential;

/// KAT-B of the spec (§1.4): the older doc example signing `content-type;host`.
const KAT_B_ID: &str = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
const KAT_B_KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";
const KAT_B_BODY: &str =
    r#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
const KAT_B_TS: u64 = 1_551_113_065;
const KAT_B_AUTH: &str = "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168";

fn kat_b_headers(auth: &str) -> Vec<(&str, &str)> {
    vec![
        ("Authorization", auth),
        ("Content-Type", "application/json; charset=utf-8"),
        ("Host", "cvm.tencentcloudapi.com"),
        ("X-TC-Action", "DescribeInstances"),
        ("X-TC-Version", "2017-03-12"),
        ("X-TC-Region", "ap-guangzhou"),
        ("X-TC-Timestamp", "1551113065"),
    ]
}

#[test]
fn kat_b_is_accepted_by_the_verifier_at_its_timestamp() {
    let headers = kat_b_headers(KAT_B_AUTH);
    let input = Tc3Input {
        method: "POST",
        path: "/",
        query: "",
        headers: &headers,
        body: KAT_B_BODY.as_bytes(),
    };
    let creds = [Credential::new(KAT_B_ID, KAT_B_KEY)];
    let ok = verify_tc3(&input, &creds, KAT_B_TS + 10).unwrap();
    assert_eq!(ok.service, "cvm");
    assert_eq!(ok.date, "2019-02-25");
    assert_eq!(ok.signed_headers, ["content-type", "host"]);
    assert!(!ok.temporary);

    // Six minutes later the same request has expired.
    let err = verify_tc3(&input, &creds, KAT_B_TS + 360).unwrap_err();
    assert_eq!(err.code, "AuthFailure.SignatureExpire");
    // One changed body byte breaks the signature.
    let tampered = KAT_B_BODY.replace("Limit\": 1", "Limit\": 2");
    let input2 = Tc3Input {
        body: tampered.as_bytes(),
        ..input
    };
    assert_eq!(
        verify_tc3(&input2, &creds, KAT_B_TS).unwrap_err().code,
        "AuthFailure.SignatureFailure"
    );
}

#[test]
fn kat_a_signing_x_tc_action_is_accepted() {
    // KAT-A: SecretKey is 32 asterisks, x-tc-action signed (its value lower-cased).
    let auth = "TC3-HMAC-SHA256 Credential=AKID********************************/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host;x-tc-action, Signature=10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f";
    let headers = kat_b_headers(auth);
    let input = Tc3Input {
        method: "POST",
        path: "/",
        query: "",
        headers: &headers,
        body: KAT_B_BODY.as_bytes(),
    };
    let creds = [Credential::new(
        format!("AKID{}", "*".repeat(32)),
        "*".repeat(32),
    )];
    let ok = verify_tc3(&input, &creds, KAT_B_TS).unwrap();
    assert_eq!(ok.signed_headers, ["content-type", "host", "x-tc-action"]);
}

#[tokio::test]
async fn kat_b_over_http_passes_authentication() {
    let emu = start(
        EmulatorConfig::default()
            .with_clock(ClockMode::Manual {
                start_unix: KAT_B_TS,
            })
            .with_credential(Credential::new(KAT_B_ID, KAT_B_KEY)),
    )
    .await;
    let send = |auth: &'static str| {
        let mut rb = client().post(emu.endpoints().tencent).body(KAT_B_BODY);
        for (k, v) in kat_b_headers(auth) {
            rb = rb.header(k, v);
        }
        rb.send()
    };
    let response = send(KAT_B_AUTH).await.unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    // Authentication passed; the emulator has no CVM, so the action is unknown.
    assert_eq!(error_code(&body["Response"]), "InvalidAction");

    let tampered = "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525169";
    let body: serde_json::Value = send(tampered).await.unwrap().json().await.unwrap();
    assert_eq!(
        error_code(&body["Response"]),
        "AuthFailure.SignatureFailure"
    );
}

#[tokio::test]
async fn a_signed_request_is_accepted_and_every_failure_has_its_code() {
    let emu = start(manual_config()).await;
    let png = ocr_emulator::samples::png_with_text(800, 600, "Total: 12.00");
    let body = json!({ "ImageBase64": b64(&png) });
    let good = Tc3Call::new(&emu, "GeneralBasicOCR", &body);
    let (ok, _) = good.send(&emu).await;
    success(ok["Response"].clone());

    // Tampered signature.
    let (auth, extra) = good.sign(&host(&emu));
    let mut bad_auth = auth.clone();
    let last = bad_auth.pop().unwrap();
    bad_auth.push(if last == '0' { '1' } else { '0' });
    let r: serde_json::Value = good
        .request_with_authorization(&emu, &bad_auth, &extra)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(error_code(&r["Response"]), "AuthFailure.SignatureFailure");
    assert_eq!(r["Response"]["RequestId"].as_str().unwrap().len(), 36);

    // Stale timestamp: refused, and the Date header tells the server time.
    let mut stale = good.clone();
    stale.timestamp = T0 - 301;
    let response = stale.request(&emu).send().await.unwrap();
    let date = response.headers()["date"].to_str().unwrap().to_owned();
    assert_eq!(date, "Tue, 14 Nov 2023 22:13:20 GMT");
    let r: serde_json::Value = response.json().await.unwrap();
    assert_eq!(error_code(&r["Response"]), "AuthFailure.SignatureExpire");
    let mut future = good.clone();
    future.timestamp = T0 + 301;
    let (r, _) = future.send(&emu).await;
    assert_eq!(error_code(&r["Response"]), "AuthFailure.SignatureExpire");
    let mut edge = good.clone();
    edge.timestamp = T0 - 300;
    let (r, _) = edge.send(&emu).await;
    success(r["Response"].clone());

    // Unknown key.
    let mut unknown = good.clone();
    unknown.credential = Credential::new("AKIDnobody", "whatever");
    let (r, _) = unknown.send(&emu).await;
    assert_eq!(error_code(&r["Response"]), "AuthFailure.SecretIdNotFound");

    // Wrong secret for a known id.
    let mut wrong_secret = good.clone();
    wrong_secret.credential = Credential::new(ocr_emulator::SECRET_ID, "not-the-key");
    let (r, _) = wrong_secret.send(&emu).await;
    assert_eq!(error_code(&r["Response"]), "AuthFailure.SignatureFailure");

    // Temporary key without its token, with the wrong one, with the right one.
    let mut temp = good.clone();
    temp.credential = Credential::new(ocr_emulator::TEMP_SECRET_ID, ocr_emulator::TEMP_SECRET_KEY);
    let (r, _) = temp.send(&emu).await;
    assert_eq!(error_code(&r["Response"]), "AuthFailure.TokenFailure");
    temp.credential = Credential::new(ocr_emulator::TEMP_SECRET_ID, ocr_emulator::TEMP_SECRET_KEY)
        .with_session_token("stolen-token");
    let (r, _) = temp.send(&emu).await;
    assert_eq!(error_code(&r["Response"]), "AuthFailure.TokenFailure");
    temp.credential = ocr_emulator::temporary_test_credential();
    let (r, _) = temp.send(&emu).await;
    success(r["Response"].clone());

    // A long-term key must not send a token.
    let (auth, mut extra) = good.sign(&host(&emu));
    extra.push(("X-TC-Token".into(), "some-token".into()));
    let r: serde_json::Value = good
        .request_with_authorization(&emu, &auth, &extra)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(error_code(&r["Response"]), "AuthFailure.TokenFailure");

    // Malformed headers.
    for auth in [
        "Basic abc",
        "TC3-HMAC-SHA256 Credential=x",
        "TC3-HMAC-SHA256 Credential=AKID/2023-11-14/ocr/tc3_request, SignedHeaders=host, Signature=00",
    ] {
        let r: serde_json::Value = good
            .request_with_authorization(&emu, auth, &extra[..1])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(error_code(&r["Response"]), "AuthFailure.InvalidAuthorization", "{auth}");
    }
    // SignedHeaders without content-type.
    let sig = auth.split("Signature=").nth(1).unwrap();
    let no_ct = format!(
        "TC3-HMAC-SHA256 Credential={}/2023-11-14/ocr/tc3_request, SignedHeaders=host, Signature={sig}",
        ocr_emulator::SECRET_ID
    );
    let r: serde_json::Value = good
        .request_with_authorization(&emu, &no_ct, &extra[..1])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        error_code(&r["Response"]),
        "AuthFailure.InvalidAuthorization"
    );
    assert!(r["Response"]["Error"]["Message"]
        .as_str()
        .unwrap()
        .contains("content-type"));

    // No Authorization at all.
    let r: serde_json::Value = client()
        .post(emu.endpoints().tencent)
        .header("X-TC-Action", "GeneralBasicOCR")
        .header("X-TC-Version", "2018-11-19")
        .header("Content-Type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        error_code(&r["Response"]),
        "AuthFailure.InvalidAuthorization"
    );
}

#[tokio::test]
async fn credential_date_and_service_must_match() {
    let emu = start(manual_config()).await;
    let body = json!({ "TaskId": "x" });
    let call = Tc3Call::new(&emu, "GetReconstructDocumentResult", &body);
    // Right signature maths, but a scope date that is not the timestamp's UTC date.
    let (auth, extra) = call.sign(&host(&emu));
    let wrong_date = auth.replace("2023-11-14", "2023-11-15");
    let r: serde_json::Value = call
        .request_with_authorization(&emu, &wrong_date, &extra)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(error_code(&r["Response"]), "AuthFailure.SignatureFailure");

    // Signed for `ocr` while calling an LKEAP action.
    let mut wrong_service = call.clone();
    wrong_service.service = "ocr".into();
    let (r, _) = wrong_service.send(&emu).await;
    assert_eq!(error_code(&r["Response"]), "AuthFailure.SignatureFailure");
    assert!(r["Response"]["Error"]["Message"]
        .as_str()
        .unwrap()
        .contains("lkeap"));
}

#[tokio::test]
async fn versions_actions_and_signed_action_header() {
    let emu = start(manual_config()).await;
    let png = ocr_emulator::samples::png_with_text(800, 600, "Hello");
    let body = json!({ "ImageBase64": b64(&png) });

    let mut wrong_version = Tc3Call::new(&emu, "GeneralBasicOCR", &body);
    wrong_version.version = "2024-05-22".into();
    let (r, _) = wrong_version.send(&emu).await;
    assert_eq!(error_code(&r["Response"]), "NoSuchVersion");

    let unknown = Tc3Call::new(&emu, "DescribeInstances", &body);
    let (r, _) = unknown.send(&emu).await;
    assert_eq!(error_code(&r["Response"]), "InvalidAction");

    // The doc example also signs X-TC-Action: accepted.
    let mut signs_action = Tc3Call::new(&emu, "GeneralBasicOCR", &body);
    signs_action.sign_action = true;
    let (r, _) = signs_action.send(&emu).await;
    success(r["Response"].clone());

    // application/json; charset=utf-8 is fine as long as it is what was signed.
    let mut charset = Tc3Call::new(&emu, "GeneralBasicOCR", &body);
    charset.content_type = "application/json; charset=utf-8".into();
    let (r, _) = charset.send(&emu).await;
    success(r["Response"].clone());

    // Signed one content type, sent another: the canonical request differs.
    let (auth, extra) = Tc3Call::new(&emu, "GeneralBasicOCR", &body).sign(&host(&emu));
    let r: serde_json::Value = charset
        .request_with_authorization(&emu, &auth, &extra)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(error_code(&r["Response"]), "AuthFailure.SignatureFailure");
}

#[tokio::test]
async fn unsigned_payload_mode_is_verified() {
    let emu = start(manual_config()).await;
    let png = ocr_emulator::samples::png_with_text(800, 600, "Hello");
    let body = serde_json::to_vec(&json!({ "ImageBase64": b64(&png) })).unwrap();
    let host = host(&emu);
    let signed = tc_signing::sign_tc3(
        &tc_signing::Tc3Request::new(
            "POST",
            &host,
            "application/json",
            tc_signing::PayloadHash::Unsigned,
        ),
        &ocr_emulator::test_credential(),
        "ocr",
        T0,
    );
    let mut rb = client()
        .post(emu.endpoints().tencent)
        .header("Authorization", signed.authorization())
        .header("Content-Type", "application/json")
        .header("X-TC-Action", "GeneralBasicOCR")
        .header("X-TC-Version", "2018-11-19")
        .body(body);
    for (k, v) in signed.headers() {
        rb = rb.header(k, v);
    }
    let r: serde_json::Value = rb.send().await.unwrap().json().await.unwrap();
    success(r["Response"].clone());
}

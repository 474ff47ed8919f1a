//! `cargo test --workspace` fails on stale fixtures and on anything secret-shaped in them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;

use xtask::fixtures::{self, Mode, REGENERATE};
use xtask::{project_root, secrets};

#[test]
fn generated_fixtures_are_fresh() {
    let report = fixtures::run(&project_root(), Mode::Check).unwrap();
    assert!(report.is_fresh(), "{}", report.stale_message());
}

#[test]
fn a_changed_byte_is_reported_with_the_command_to_run() {
    let dir = tempfile::tempdir().unwrap();
    fixtures::run(dir.path(), Mode::Write).unwrap();
    assert!(fixtures::run(dir.path(), Mode::Check).unwrap().is_fresh());

    let victim = dir.path().join("fixtures/signing/tc3.json");
    let mut bytes = fs::read(&victim).unwrap();
    bytes[10] ^= 1;
    fs::write(&victim, bytes).unwrap();
    fs::write(dir.path().join("fixtures/samples/old.bin"), b"x").unwrap();

    let report = fixtures::run(dir.path(), Mode::Check).unwrap();
    assert_eq!(report.stale, vec!["fixtures/signing/tc3.json".to_owned()]);
    assert_eq!(report.orphans, vec!["fixtures/samples/old.bin".to_owned()]);
    let msg = report.stale_message();
    assert!(msg.contains("fixtures/signing/tc3.json"), "{msg}");
    assert!(msg.contains(REGENERATE), "{msg}");

    // A hand-kept fixture edited by hand is noticed too, through the manifest.
    let seed = dir.path().join("fixtures/lkeap/seed");
    fs::create_dir_all(&seed).unwrap();
    fs::write(seed.join("example.json"), "{}").unwrap();
    let report = fixtures::run(dir.path(), Mode::Check).unwrap();
    assert!(
        report
            .stale
            .contains(&"fixtures/hand-kept.sha256".to_owned()),
        "{report:?}"
    );

    // Write mode repairs everything, and a second run changes nothing.
    fixtures::run(dir.path(), Mode::Write).unwrap();
    assert!(fixtures::run(dir.path(), Mode::Check).unwrap().is_fresh());
}

#[test]
fn fixtures_hold_nothing_secret_shaped() {
    let findings = secrets::scan(&project_root().join("fixtures")).unwrap();
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn the_scanner_catches_planted_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let planted = [
        ("a.json", r#"{"SecretId": "AKIDabcdefghijklmnopqrstuvwxyz12"}"#),
        ("b.txt", "Authorization: q-sign-algorithm=sha1&q-ak=x&q-signature=0123456789abcdef0123456789abcdef01234567"),
        ("c.txt", "Authorization: TC3-HMAC-SHA256 Credential=x/2019-02-25/ocr/tc3_request, SignedHeaders=content-type;host, Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
        ("d.txt", "X-API-KEY: wxyz1234abcd5678efgh"),
        ("e.json", r#"{"x-cos-security-token": "Zm9vYmFyYmF6cXV4cXV1eA=="}"#),
        ("f.json", r#"{"secret_key": "Gu5t9xGARNpq86cd98joQYCN3abcdefg"}"#),
        ("g.txt", "https://files.example/r.zip?expires=1&sign=0123456789abcdef0123456789abcdef"),
        // A documented example key outside the signing vectors is flagged too.
        ("tc-ocr/seed.json", r#"{"id": "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE"}"#),
    ];
    for (name, text) in planted {
        let path = dir.path().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    let findings = secrets::scan(dir.path()).unwrap();
    let files: std::collections::BTreeSet<_> = findings.iter().map(|f| f.file.as_str()).collect();
    for (name, _) in planted {
        assert!(files.contains(name), "{name} not caught: {findings:#?}");
    }
    // ...while the same documented key inside the signing vectors is allowed.
    let vectors = tempfile::tempdir().unwrap();
    fs::create_dir_all(vectors.path().join("signing")).unwrap();
    fs::write(
        vectors.path().join("signing/tc3.json"),
        r#"{"secret_id": "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", "authorization": "Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"}"#,
    )
    .unwrap();
    // A documentation example kept verbatim in a seed folder may quote its documented key.
    fs::create_dir_all(vectors.path().join("lkeap/seed")).unwrap();
    fs::write(
        vectors.path().join("lkeap/seed/result.json"),
        r#"{"url": "https://x/y.zip?q-ak=AKIDlWFaadfHLNbidLwPqOrAKGzXrx40scL7l&q-sign-time=1"}"#,
    )
    .unwrap();
    assert!(secrets::scan(vectors.path()).unwrap().is_empty());
}

#[test]
fn live_without_credentials_refuses_and_touches_nothing() {
    let fixtures = project_root().join("fixtures");
    let before = xtask::fixtures::list_files(&fixtures).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["fixtures", "--live", "--provider", "picwish"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("PICWISH_API_KEY"), "{stderr}");
    assert!(stderr.contains("nothing was recorded"), "{stderr}");
    assert_eq!(xtask::fixtures::list_files(&fixtures).unwrap(), before);
    assert!(!fixtures.join("picwish/live").exists());
}

#[test]
fn help_lists_every_command() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("--help")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for command in [
        "fixtures",
        "fixtures --check",
        "fixtures --live --provider P",
        "secrets",
    ] {
        assert!(text.contains(command), "{command} missing from:\n{text}");
    }
}

#[test]
fn a_hand_kept_fixture_that_no_longer_parses_fails_the_check() {
    let dir = tempfile::tempdir().unwrap();
    fixtures::run(dir.path(), Mode::Write).unwrap();
    let seed = dir.path().join("fixtures/tc-ocr/seed");
    fs::create_dir_all(&seed).unwrap();
    fs::write(seed.join("ok.json"), "{}").unwrap();
    fs::write(seed.join("ok.xml"), "<Response><A>1</A></Response>").unwrap();
    fs::write(seed.join("broken.json"), "{").unwrap();
    fs::write(seed.join("broken.xml"), "<Response><A>1</Response>").unwrap();
    let report = fixtures::run(dir.path(), Mode::Check).unwrap();
    assert_eq!(
        report.unparsable,
        vec![
            "fixtures/tc-ocr/seed/broken.json".to_owned(),
            "fixtures/tc-ocr/seed/broken.xml".to_owned()
        ]
    );
    assert!(!report.is_fresh());
}

//! Providers built from configuration, driven against an emulator started in the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::time::{Duration, Instant};

use cloud_ocr::config::{
    build_provider, check_ready, detect_provider, ConfigFile, CredentialsConfig, ProviderConfig,
    Secret,
};
use cloud_ocr::{Env, ErrorKind, ProviderKind, Request};
use ocr_emulator::{Emulator, EmulatorConfig, Fault, ServiceDurations, TaskDurations};

const INVOICE_TOTAL: &str = "Total: 42.00 USD";

fn invoice() -> Request {
    Request::from_path(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/samples/invoice.png"),
    )
}

async fn emulator() -> Emulator {
    let quick = TaskDurations::new(Duration::from_millis(50), Duration::from_millis(150));
    Emulator::start(
        EmulatorConfig::default()
            .without_rate_limits()
            .with_service_durations(ServiceDurations::all(quick)),
    )
    .await
    .unwrap()
}

fn tencent_by_value() -> CredentialsConfig {
    CredentialsConfig {
        secret_id: Some(ocr_emulator::SECRET_ID.into()),
        secret_key: Some(Secret::new(ocr_emulator::SECRET_KEY)),
        ..CredentialsConfig::default()
    }
}

/// `kind` pointed at the emulator with its credentials by value.
fn emulated(kind: ProviderKind, emu: &Emulator) -> ProviderConfig {
    let e = emu.endpoints();
    let config = ProviderConfig::new(kind).with_polling(0.1, 30.0);
    match kind.as_str() {
        "picwish" => config
            .with_endpoint(e.picwish.as_str())
            .with_credentials(CredentialsConfig {
                api_key: Some(Secret::new(ocr_emulator::PICWISH_API_KEY)),
                ..CredentialsConfig::default()
            }),
        // The emulator's root serves `cos/<bucket>/` and `ci/<bucket>/`.
        "cos-ci" => config
            .with_endpoint(e.tencent.as_str())
            .with_bucket(e.bucket.clone())
            .with_region(e.region.clone())
            .with_credentials(tencent_by_value()),
        _ => config
            .with_endpoint(e.tencent.as_str())
            .with_credentials(tencent_by_value()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_provider_built_from_configuration_recognises_the_invoice() {
    let emu = emulator().await;
    for kind in ProviderKind::ALL {
        let provider = build_provider(&emulated(*kind, &emu), &Env::new()).unwrap();
        assert_eq!(provider.id(), kind.as_str());
        let doc = provider.recognize(&invoice()).await.unwrap();
        assert!(doc.text().contains(INVOICE_TOTAL), "{kind}: {}", doc.text());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn your_own_http_client_carries_the_requests() {
    let emu = emulator().await;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        "x-from-my-client",
        reqwest::header::HeaderValue::from_static("yes"),
    );
    let client = reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap();
    let config = ProviderConfig::new(ProviderKind::PicWish)
        .with_endpoint(emu.endpoints().picwish.as_str())
        .with_polling(0.05, 10.0)
        .with_http_client(client);
    let env = Env::new().with_var("PICWISH_API_KEY", ocr_emulator::PICWISH_API_KEY);
    let doc = build_provider(&config, &env)
        .unwrap()
        .recognize(&invoice())
        .await
        .unwrap();
    assert!(doc.text().contains(INVOICE_TOTAL));
    let sent = emu.recorded_requests();
    assert!(!sent.is_empty());
    assert!(sent.iter().all(|r| r
        .headers
        .iter()
        .any(|(n, v)| n == "x-from-my-client" && v == "yes")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tencent_credentials_from_named_variables_and_from_the_profile_file() {
    let emu = emulator().await;
    let endpoint = emu.endpoints().tencent.to_string();

    // Named variables.
    let mut config = ProviderConfig::new(ProviderKind::TcOcr).with_endpoint(endpoint.as_str());
    config.credentials = CredentialsConfig {
        secret_id_env: Some("MY_ID".into()),
        secret_key_env: Some("MY_KEY".into()),
        ..CredentialsConfig::default()
    };
    let env = Env::new()
        .with_var("MY_ID", ocr_emulator::SECRET_ID)
        .with_var("MY_KEY", ocr_emulator::SECRET_KEY);
    let doc = build_provider(&config, &env)
        .unwrap()
        .recognize(&invoice())
        .await
        .unwrap();
    assert!(doc.text().contains(INVOICE_TOTAL));
    let err = build_provider(&config, &Env::new().with_var("MY_ID", "x")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(err.to_string().contains("set MY_KEY"), "{err}");

    // The profile file under the home directory, default and named sections.
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join(".tencentcloud")).unwrap();
    std::fs::write(
        home.path().join(".tencentcloud/credentials"),
        format!(
            "[default]\nsecret_id = {id}\nsecret_key = {key}\n\n[other]\nsecret_id = {id}\nsecret_key = {key}\n",
            id = ocr_emulator::SECRET_ID,
            key = ocr_emulator::SECRET_KEY
        ),
    )
    .unwrap();
    let env = Env::new().with_home(home.path());
    assert_eq!(detect_provider(&env), Some(ProviderKind::TcOcr));
    for profile in [None, Some("other")] {
        let mut config = ProviderConfig::new(ProviderKind::Lkeap)
            .with_endpoint(endpoint.as_str())
            .with_polling(0.1, 30.0);
        config.credentials.profile = profile.map(str::to_owned);
        let doc = build_provider(&config, &env)
            .unwrap()
            .recognize(&invoice())
            .await
            .unwrap();
        assert!(doc.text().contains(INVOICE_TOTAL));
    }
}

#[test]
fn missing_credentials_name_the_variables_to_set() {
    let cases: [(ProviderKind, &[&str]); 4] = [
        (
            ProviderKind::TcOcr,
            &[
                "TENCENTCLOUD_SECRET_ID",
                "TENCENTCLOUD_SECRET_KEY",
                "~/.tencentcloud/credentials",
            ],
        ),
        (
            ProviderKind::Lkeap,
            &["TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY"],
        ),
        (
            ProviderKind::CosCi,
            &[
                "TENCENTCLOUD_SECRET_ID",
                "TENCENTCLOUD_SECRET_KEY",
                "CLOUD_OCR_COS_BUCKET",
                "CLOUD_OCR_COS_REGION",
            ],
        ),
        (ProviderKind::PicWish, &["PICWISH_API_KEY"]),
    ];
    for (kind, vars) in cases {
        let config = ProviderConfig::new(kind);
        let err = build_provider(&config, &Env::new()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config, "{kind}");
        assert_eq!(err.provider(), Some(kind.as_str()));
        let text = err.to_string();
        assert!(text.starts_with(&format!("{kind}: ")), "{text}");
        for var in vars {
            assert!(text.contains(var), "{kind}: {var} not in {text}");
        }
        assert_eq!(
            check_ready(&config, &Env::new()).unwrap_err().to_string(),
            text
        );
        for var in kind.credential_vars() {
            assert!(text.contains(var));
        }
    }
    // cos-ci with keys but no bucket names only what is missing.
    let env = Env::new()
        .with_var("TENCENTCLOUD_SECRET_ID", "AKIDexample")
        .with_var("TENCENTCLOUD_SECRET_KEY", "example-key")
        .with_var("CLOUD_OCR_COS_REGION", "ap-beijing");
    let err = build_provider(&ProviderConfig::new(ProviderKind::CosCi), &env).unwrap_err();
    assert!(err.to_string().contains("CLOUD_OCR_COS_BUCKET"));
    assert!(!err.to_string().contains("TENCENTCLOUD_SECRET_ID"), "{err}");
    let env = env.with_var("CLOUD_OCR_COS_BUCKET", "examplebucket-1250000000");
    build_provider(&ProviderConfig::new(ProviderKind::CosCi), &env).unwrap();
}

#[test]
fn detection_order_and_nothing_found() {
    assert_eq!(detect_provider(&Env::new()), None);
    let picwish = Env::new().with_var("PICWISH_API_KEY", "k");
    assert_eq!(detect_provider(&picwish), Some(ProviderKind::PicWish));
    let both = picwish
        .with_var("TENCENTCLOUD_SECRET_ID", "AKIDexample")
        .with_var("TENCENTCLOUD_SECRET_KEY", "example-key");
    assert_eq!(detect_provider(&both), Some(ProviderKind::TcOcr));
}

#[test]
fn settings_that_do_not_apply_or_make_no_sense_are_refused() {
    let picwish_key = || {
        ProviderConfig::new(ProviderKind::PicWish).with_credentials(CredentialsConfig {
            api_key: Some(Secret::new("k")),
            ..CredentialsConfig::default()
        })
    };
    let tencent = || ProviderConfig::new(ProviderKind::TcOcr).with_credentials(tencent_by_value());
    let mut cases: Vec<(ProviderConfig, &str)> = vec![
        (
            picwish_key().with_bucket("b-1250000000"),
            "`bucket` does not apply to picwish",
        ),
        (
            picwish_key().with_region("ap-beijing"),
            "`region` does not apply to picwish",
        ),
        (
            ProviderConfig::new(ProviderKind::PicWish).with_credentials(tencent_by_value()),
            "`credentials.secret_id` does not apply to picwish",
        ),
        (
            tencent().with_credentials(CredentialsConfig {
                api_key: Some(Secret::new("k")),
                ..CredentialsConfig::default()
            }),
            "`credentials.api_key` does not apply to tc-ocr",
        ),
        (
            tencent().with_endpoint("ftp://example.com/"),
            "`endpoint` must be an http or https URL",
        ),
        (
            tencent().with_endpoint("not a url"),
            "`endpoint` is not a URL",
        ),
        (
            tencent().with_rate_limit(0.0),
            "`rate_limit` must be a positive number",
        ),
        (
            tencent().with_polling(0.0, 10.0),
            "`poll_interval_secs` must be a positive number of seconds",
        ),
    ];
    let mut c = ProviderConfig::new(ProviderKind::Lkeap).with_credentials(tencent_by_value());
    c.page_concurrency = Some(2);
    cases.push((c, "`page_concurrency` does not apply to lkeap"));
    let mut c = tencent();
    c.page_concurrency = Some(0);
    cases.push((c, "`page_concurrency` must be at least 1"));
    let mut c = ProviderConfig::new(ProviderKind::Lkeap).with_credentials(tencent_by_value());
    c.site = Some("mars".into());
    cases.push((c, "`site` must be `intl` or `domestic`"));
    let mut c = tencent();
    c.rate_limits
        .insert("CreateReconstructDocumentFlow".into(), 1.0);
    cases.push((c, "not an operation of tc-ocr; known: ExtractDocMulti"));
    let mut c = tencent();
    c.timeouts.attempt_secs = Some(-1.0);
    cases.push((
        c,
        "`timeouts.attempt_secs` must be a positive number of seconds",
    ));
    let mut c = tencent();
    c.max_attempts = Some(0);
    cases.push((c, "`max_attempts` must be at least 1"));
    let mut c = tencent();
    c.credentials.secret_key = None;
    cases.push((c, "must be given together"));
    let mut c = ProviderConfig::new(ProviderKind::TcOcr);
    c.credentials.session_token = Some(Secret::new("t"));
    cases.push((c, "a session token needs its secret id and key"));
    for (config, expected) in cases {
        let err = build_provider(&config, &Env::new()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config, "{expected}");
        assert!(err.to_string().contains(expected), "{expected}: {err}");
    }
}

#[test]
fn secrets_never_appear_in_debug_or_errors() {
    let mut config = ProviderConfig::new(ProviderKind::TcOcr).with_credentials(CredentialsConfig {
        secret_id: Some("AKIDexample".into()),
        secret_key: Some(Secret::new("secret-key-value")),
        session_token: Some(Secret::new("session-token-value")),
        ..CredentialsConfig::default()
    });
    config.endpoint = Some("ftp://bad/".into());
    let err = build_provider(&config, &Env::new()).unwrap_err();
    let picwish = ProviderConfig::new(ProviderKind::PicWish).with_credentials(CredentialsConfig {
        api_key: Some(Secret::new("api-key-value")),
        ..CredentialsConfig::default()
    });
    let built = build_provider(&picwish, &Env::new()).unwrap();
    let env = Env::new().with_var("TENCENTCLOUD_SECRET_KEY", "secret-key-value");
    let shown = [
        format!("{config:?}"),
        format!("{picwish:?}"),
        format!("{err:?}"),
        err.to_string(),
        format!("{built:?}"),
        format!("{env:?}"),
    ];
    for text in shown {
        for secret in ["secret-key-value", "session-token-value", "api-key-value"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_and_timeouts_reach_the_client() {
    let emu = emulator().await;
    // Two GeneralAccurateOCR per second (burst 2): five calls take at least 1.5 s.
    let mut config = emulated(ProviderKind::TcOcr, &emu);
    config.rate_limits.insert("GeneralAccurateOCR".into(), 2.0);
    let provider = build_provider(&config, &Env::new()).unwrap();
    let started = Instant::now();
    for _ in 0..5 {
        provider.recognize(&invoice()).await.unwrap();
    }
    assert!(
        started.elapsed() >= Duration::from_millis(1400),
        "{:?}",
        started.elapsed()
    );

    // A 100 ms attempt timeout and one attempt against a 1 s latency: a timeout, once.
    emu.inject(Fault::latency(Duration::from_secs(1)).always());
    let mut config = emulated(ProviderKind::PicWish, &emu);
    config.timeouts.attempt_secs = Some(0.1);
    config.max_attempts = Some(1);
    let provider = build_provider(&config, &Env::new()).unwrap();
    let before = emu.total_requests();
    let err = provider.recognize(&invoice()).await.unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::Timeout | ErrorKind::OutcomeUnknown),
        "{err:?}"
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(emu.total_requests() - before, 1);
}

#[test]
fn a_config_file_feeds_build_provider() {
    let file = ConfigFile::from_toml(
        r#"
provider = "cos-ci"

[cos-ci]
bucket = "examplebucket-1250000000"
region = "ap-beijing"
key_prefix = "scans/"
keep_uploads = true
rate_limits = { SubmitJob = 5.0 }
timeouts = { attempt_secs = 30 }
credentials = { secret_id_env = "MY_ID", secret_key_env = "MY_KEY" }

[picwish]
credentials = { api_key_env = "MY_PICWISH" }
"#,
    )
    .unwrap();
    assert_eq!(file.provider(), Some(ProviderKind::CosCi));
    let cos = file.provider_config(ProviderKind::CosCi).unwrap();
    assert_eq!(cos.bucket.as_deref(), Some("examplebucket-1250000000"));
    assert_eq!(cos.timeouts.attempt_secs, Some(30.0));
    let env = Env::new()
        .with_var("MY_ID", "AKIDexample")
        .with_var("MY_KEY", "example-key")
        .with_var("MY_PICWISH", "k");
    assert_eq!(build_provider(&cos, &env).unwrap().id(), "cos-ci");
    let picwish = file.provider_config(ProviderKind::PicWish).unwrap();
    assert_eq!(build_provider(&picwish, &env).unwrap().id(), "picwish");
    let err = build_provider(&picwish, &Env::new()).unwrap_err();
    assert!(err.to_string().contains("set MY_PICWISH"), "{err}");
}

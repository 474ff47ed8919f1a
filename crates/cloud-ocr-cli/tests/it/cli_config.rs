//! A mistake in configuration or credentials is an error naming it (exit 2), never another
//! provider, never the embedded emulator, and never an echo of a secret.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use std::process::Output;

use common::*;
use ocr_emulator::{EmulatorConfig, Service};

/// Exit 2, one line on stderr containing every `needle`, nothing on stdout, no emulator.
fn assert_config_error(out: &Output, needles: &[&str]) {
    assert_exit(out, 2);
    let err = stderr(out);
    for needle in needles {
        assert!(err.contains(needle), "{needle:?} not in: {err}");
    }
    assert!(!err.contains("embedded emulator"), "{err}");
    assert!(out.stdout.is_empty(), "{}", stdout(out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_key_in_a_table_is_an_error_not_another_provider() {
    let emu = emulator(EmulatorConfig::default()).await;
    let sandbox = Sandbox::new();
    let config = sandbox.write("cloud-ocr.toml", "[tc-ocr]\nregoin = \"ap-guangzhou\"\n");
    let mut cmd = sandbox.cloud_ocr(&tencent_vars());
    cmd.arg("scan")
        .arg(invoice_png())
        .args(["--endpoint", emu.endpoints().tencent.as_str(), "--config"])
        .arg(&config);
    let out = run(cmd).await;
    assert_config_error(&out, &["cloud-ocr.toml", "[tc-ocr]", "`regoin`"]);
    assert_eq!(emu.recorded_requests().len(), 0);

    // Typos in both Tencent tables, with real credentials set: still an error.
    let config = sandbox.write(
        "both.toml",
        "[tc-ocr]\nrate_limt = 1.0\n[lkeap]\npoll_intervall_secs = 1.0\n",
    );
    let mut cmd = sandbox.cloud_ocr(&tencent_vars());
    cmd.arg("scan")
        .arg(invoice_png())
        .arg("--config")
        .arg(&config);
    let out = run(cmd).await;
    assert_config_error(&out, &["both.toml", "`rate_limt`"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_profile_file_is_an_error_not_the_emulator() {
    let sandbox = Sandbox::new();
    for (name, text) in [
        ("garbage line", "[default]\nthis is not a key value line\n"),
        ("only the id", "[default]\nsecret_id = AKIDexample\n"),
    ] {
        sandbox.write("home/.tencentcloud/credentials", text);
        let mut cmd = sandbox.cloud_ocr(&[]);
        cmd.arg("scan").arg(invoice_png());
        let out = run(cmd).await;
        assert_exit(&out, 2);
        let err = stderr(&out);
        assert!(err.contains("credentials"), "{name}: {err}");
        assert!(!err.contains("embedded emulator"), "{name}: {err}");
        assert!(!err.contains("AKIDexample"), "{name}: {err}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credential_variables_named_in_the_configuration_are_read_whatever_their_name() {
    let emu = emulator(EmulatorConfig::default()).await;
    let sandbox = Sandbox::new();
    let config = sandbox.write(
        "cloud-ocr.toml",
        "[picwish]\ncredentials = { api_key_env = \"MY_PICWISH_KEY\" }\npoll_interval_secs = 0.1\n\
         [tc-ocr]\ncredentials = { secret_id_env = \"MY_TC_ID\", secret_key_env = \"MY_TC_KEY\" }\n",
    );
    let mut cmd = sandbox.cloud_ocr(&[("MY_PICWISH_KEY", ocr_emulator::PICWISH_API_KEY)]);
    cmd.arg("scan")
        .arg(invoice_png())
        .args([
            "--provider",
            "picwish",
            "--endpoint",
            emu.endpoints().picwish.as_str(),
            "--config",
        ])
        .arg(&config);
    let out = run(cmd).await;
    assert_exit(&out, 0);
    assert!(
        stdout(&out).contains("Total: 42.00 USD"),
        "{}",
        stdout(&out)
    );
    assert_eq!(emu.submissions(Service::PicWish), 1);

    let mut cmd = sandbox.cloud_ocr(&[
        ("MY_TC_ID", ocr_emulator::SECRET_ID),
        ("MY_TC_KEY", ocr_emulator::SECRET_KEY),
    ]);
    cmd.arg("scan")
        .arg(invoice_png())
        .args([
            "--provider",
            "tc-ocr",
            "--endpoint",
            emu.endpoints().tencent.as_str(),
            "--config",
        ])
        .arg(&config);
    let out = run(cmd).await;
    assert_exit(&out, 0);
    assert_eq!(emu.submissions(Service::Ocr), 1);

    // A named variable that is unset is an error naming it, even without --provider.
    let mut cmd = sandbox.cloud_ocr(&[]);
    cmd.arg("scan")
        .arg(invoice_png())
        .arg("--config")
        .arg(&config);
    let out = run(cmd).await;
    assert_config_error(&out, &["MY_TC_ID"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_in_the_wrong_place_is_never_echoed() {
    let sandbox = Sandbox::new();
    let config = sandbox.write(
        "cloud-ocr.toml",
        "[picwish]\ncredentials = \"SECRET-1234\"\n",
    );
    let mut cmd = sandbox.cloud_ocr(&[]);
    cmd.arg("scan")
        .arg(invoice_png())
        .arg("--config")
        .arg(&config);
    let out = run(cmd).await;
    assert_config_error(&out, &["cloud-ocr.toml", "[picwish] `credentials`"]);
    assert!(!stderr(&out).contains("SECRET-1234"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_regions_and_tokens_are_configuration_errors_naming_their_source() {
    let emu = emulator(EmulatorConfig::default()).await;
    let sandbox = Sandbox::new();
    let endpoints = emu.endpoints();
    // From the environment (cos-ci).
    let mut vars = tencent_vars().to_vec();
    vars.push(("CLOUD_OCR_COS_BUCKET", &endpoints.bucket));
    vars.push(("CLOUD_OCR_COS_REGION", "ap-beijing\r\nX-Evil: 1"));
    let mut cmd = sandbox.cloud_ocr(&vars);
    cmd.arg("scan").arg(invoice_png()).args([
        "--provider",
        "cos-ci",
        "--endpoint",
        endpoints.tencent.as_str(),
    ]);
    let out = run(cmd).await;
    assert_config_error(&out, &["CLOUD_OCR_COS_REGION", "region name"]);
    // A malformed bucket from the environment.
    let mut vars = tencent_vars().to_vec();
    vars.push(("CLOUD_OCR_COS_BUCKET", "Bad Bucket"));
    vars.push(("CLOUD_OCR_COS_REGION", &endpoints.region));
    let mut cmd = sandbox.cloud_ocr(&vars);
    cmd.arg("scan").arg(invoice_png()).args([
        "--provider",
        "cos-ci",
        "--endpoint",
        endpoints.tencent.as_str(),
    ]);
    let out = run(cmd).await;
    assert_config_error(&out, &["CLOUD_OCR_COS_BUCKET"]);
    // From the configuration (tc-ocr).
    let config = sandbox.write("cloud-ocr.toml", "[tc-ocr]\nregion = \"ap guangzhou\"\n");
    let mut cmd = sandbox.cloud_ocr(&tencent_vars());
    cmd.arg("scan")
        .arg(invoice_png())
        .args([
            "--provider",
            "tc-ocr",
            "--endpoint",
            endpoints.tencent.as_str(),
            "--config",
        ])
        .arg(&config);
    let out = run(cmd).await;
    assert_config_error(&out, &["`region`"]);
    // A session token with a line break.
    let mut vars = tencent_vars().to_vec();
    vars.push(("TENCENTCLOUD_SESSION_TOKEN", "token\r\nX-Evil: 1"));
    let mut cmd = sandbox.cloud_ocr(&vars);
    cmd.arg("scan").arg(invoice_png()).args([
        "--provider",
        "tc-ocr",
        "--endpoint",
        endpoints.tencent.as_str(),
    ]);
    let out = run(cmd).await;
    assert_config_error(&out, &["TENCENTCLOUD_SESSION_TOKEN"]);
    assert_eq!(emu.recorded_requests().len(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn named_profiles_and_the_region_come_from_flags_or_the_environment() {
    let emu = emulator(EmulatorConfig::default()).await;
    let sandbox = Sandbox::new();
    sandbox.write(
        "home/.tencentcloud/credentials",
        format!(
            "[default]\nsecret_id = AKIDwrong0000000000000000000000000000\nsecret_key = wrong\n\
             [work]\nsecret_id = {}\nsecret_key = {}\n",
            ocr_emulator::SECRET_ID,
            ocr_emulator::SECRET_KEY
        ),
    );
    let tencent = emu.endpoints().tencent.to_string();
    // --profile work
    // --no-cache: each run must reach the service with its own credentials.
    let mut cmd = sandbox.cloud_ocr(&[]);
    cmd.arg("scan").arg(invoice_png()).args([
        "-p",
        "tc-ocr",
        "--endpoint",
        &tencent,
        "--profile",
        "work",
        "--no-cache",
    ]);
    let out = run(cmd).await;
    assert_exit(&out, 0);
    // --profile is what was asked for: the environment's (wrong) keys never stand in for it.
    let wrong = [
        (
            "TENCENTCLOUD_SECRET_ID",
            "AKIDwrong0000000000000000000000000000",
        ),
        ("TENCENTCLOUD_SECRET_KEY", "wrong"),
    ];
    let mut cmd = sandbox.cloud_ocr(&wrong);
    cmd.arg("scan").arg(invoice_png()).args([
        "-p",
        "tc-ocr",
        "--endpoint",
        &tencent,
        "--profile",
        "work",
        "--no-cache",
    ]);
    assert_exit(&run(cmd).await, 0);
    // Keys in the configuration file and --profile are two sources: refused, nothing sent.
    let config = sandbox.write(
        "keys.toml",
        "[tc-ocr.credentials]\nsecret_id = \"AKIDx\"\nsecret_key = \"y\"\n",
    );
    let mut cmd = sandbox.cloud_ocr(&[]);
    cmd.arg("scan")
        .arg(invoice_png())
        .arg("--config")
        .arg(&config)
        .args(["-p", "tc-ocr", "--endpoint", &tencent, "--profile", "work"]);
    assert_config_error(&run(cmd).await, &["credentials.profile", "two sources"]);
    // TENCENTCLOUD_PROFILE=work, and the provider detected from the profile file.
    let mut cmd = sandbox.cloud_ocr(&[("TENCENTCLOUD_PROFILE", "work")]);
    cmd.arg("scan")
        .arg(invoice_png())
        .args(["--endpoint", &tencent, "--no-cache"]);
    let out = run(cmd).await;
    assert_exit(&out, 0);
    assert_eq!(emu.submissions(Service::Ocr), 3);
    // The default section's keys are refused by the service: exit 3.
    let mut cmd = sandbox.cloud_ocr(&[]);
    cmd.arg("scan")
        .arg(invoice_png())
        .args(["-p", "tc-ocr", "--endpoint", &tencent, "--no-cache"]);
    assert_exit(&run(cmd).await, 3);
    // A profile that is not in the file is an error naming it.
    let mut cmd = sandbox.cloud_ocr(&[]);
    cmd.arg("scan").arg(invoice_png()).args([
        "-p",
        "tc-ocr",
        "--endpoint",
        &tencent,
        "--profile",
        "nope",
    ]);
    assert_config_error(&run(cmd).await, &["[nope]"]);
    // --region reaches cos-ci (the bucket's region) and is checked.
    let endpoints = emu.endpoints();
    let mut vars = tencent_vars().to_vec();
    vars.push(("CLOUD_OCR_COS_BUCKET", &endpoints.bucket));
    let mut cmd = sandbox.cloud_ocr(&vars);
    cmd.arg("scan").arg(invoice_png()).args([
        "-p",
        "cos-ci",
        "--endpoint",
        &tencent,
        "--region",
        &endpoints.region,
    ]);
    assert_exit(&run(cmd).await, 0);
    let mut cmd = sandbox.cloud_ocr(&vars);
    cmd.arg("scan").arg(invoice_png()).args([
        "-p",
        "cos-ci",
        "--endpoint",
        &tencent,
        "--region",
        "Not A Region",
    ]);
    assert_config_error(&run(cmd).await, &["`region`"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endpoint_wins_over_the_sites_and_hosts_of_the_file() {
    let emu = emulator(EmulatorConfig::default()).await;
    let sandbox = Sandbox::new();
    let tencent = emu.endpoints().tencent.to_string();
    // Nothing listens on port 9: a request sent to the file's hosts fails the run.
    let config = sandbox.write(
        "cloud-ocr.toml",
        "[tc-ocr]\nsite = \"domestic\"\n[lkeap]\nsite = \"domestic\"\n\
         [cos-ci]\ncos_endpoint = \"http://127.0.0.1:9/cos/\"\n\
         ci_endpoint = \"http://127.0.0.1:9/ci/\"\n",
    );
    let endpoints = emu.endpoints();
    let mut vars = tencent_vars().to_vec();
    vars.push(("CLOUD_OCR_COS_BUCKET", &endpoints.bucket));
    vars.push(("CLOUD_OCR_COS_REGION", &endpoints.region));
    for provider in ["tc-ocr", "lkeap", "cos-ci"] {
        let mut cmd = sandbox.cloud_ocr(&vars);
        cmd.arg("scan")
            .arg(invoice_png())
            .arg("--config")
            .arg(&config)
            .args(["-p", provider, "--endpoint", &tencent, "--no-cache"]);
        let out = run(cmd).await;
        assert_exit(&out, 0);
        assert!(
            stdout(&out).contains("Total"),
            "{provider}: {}",
            stdout(&out)
        );
    }
}

/// A credentials file or profile named in the environment that is not there is a mistake to
/// report (exit 2), never "nothing configured" and a quiet switch to simulated results.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_named_credentials_file_or_profile_that_is_missing_is_an_error_not_the_emulator() {
    let sandbox = Sandbox::new();
    for (name, value, says) in [
        (
            "TENCENTCLOUD_CREDENTIALS_FILE",
            "/nonexistent/credentials",
            "TENCENTCLOUD_CREDENTIALS_FILE",
        ),
        ("TENCENTCLOUD_PROFILE", "work", "TENCENTCLOUD_PROFILE=work"),
    ] {
        let mut cmd = sandbox.cloud_ocr(&[(name, value)]);
        cmd.arg("scan").arg(invoice_png());
        assert_config_error(&run(cmd).await, &[says]);
    }
}

/// Every table of the file is judged whichever provider runs, the embedded emulator included:
/// a setting that does not apply, or a bad value, is exit 2 naming it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_settings_are_refused_whichever_provider_runs() {
    let sandbox = Sandbox::new();
    for (table, says) in [
        (
            "[tc-ocr]\nbucket = \"x-1250000000\"\n",
            "`bucket` does not apply",
        ),
        ("[lkeap]\nsite = \"mars\"\n", "mars"),
        ("[cos-ci]\npage_concurrency = 0\n", "page_concurrency"),
        ("[picwish]\nendpoint = \"ftp://x/\"\n", "`endpoint`"),
    ] {
        let config = sandbox.write("cloud-ocr.toml", table);
        for extra in [&["--emulator"][..], &["--emulator", "--dry-run"][..]] {
            let mut cmd = sandbox.cloud_ocr(&[]);
            cmd.arg("scan")
                .arg(invoice_png())
                .arg("--config")
                .arg(&config)
                .args(extra);
            assert_config_error(&run(cmd).await, &[says]);
        }
    }
}

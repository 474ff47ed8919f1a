//! `cloud-ocr scan`, run as a process against an emulator started in the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use std::time::Duration;

use common::*;
use ocr_core::Document;
use ocr_emulator::{EmulatorConfig, Fault, Service, ServiceDurations, TaskDurations};

fn quick_tasks() -> EmulatorConfig {
    EmulatorConfig::default().with_service_durations(ServiceDurations::all(TaskDurations::new(
        Duration::from_millis(50),
        Duration::from_millis(150),
    )))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scan_text_prints_the_recognised_invoice() {
    let emu = emulator(EmulatorConfig::default()).await;
    let sandbox = Sandbox::new();
    let mut cmd = sandbox.cloud_ocr(&tencent_vars());
    cmd.arg("scan").arg(invoice_png()).args([
        "--provider",
        "tc-ocr",
        "--endpoint",
        emu.endpoints().tencent.as_str(),
    ]);
    let out = run(cmd).await;
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), format!("{}\n", INVOICE_LINES.join("\n")));
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    assert_eq!(emu.submissions(Service::Ocr), 1);
    let sent = emu.recorded_requests();
    assert!(sent
        .iter()
        .any(|r| r.action.as_deref() == Some("GeneralAccurateOCR")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scan_json_is_the_documented_wrapper() {
    let emu = emulator(EmulatorConfig::default()).await;
    let sandbox = Sandbox::new();
    let input = invoice_png();
    let mut cmd = sandbox.cloud_ocr(&tencent_vars());
    cmd.arg("scan").arg(&input).args([
        "--format",
        "json",
        "--endpoint",
        emu.endpoints().tencent.as_str(),
    ]);
    let out = run(cmd).await;
    assert_exit(&out, 0);
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(value["provider"], "tc-ocr");
    assert_eq!(value["source"], input.to_string_lossy().as_ref());
    assert_eq!(value["simulated"], false);
    let document: Document = serde_json::from_value(value["document"].clone()).unwrap();
    assert_eq!(document.provider, "tc-ocr");
    assert_eq!(document.text(), INVOICE_LINES.join("\n"));
    assert_eq!(document.pages.len(), 1);
    assert!(document.lines().all(|l| l.bbox.is_some()));
    assert!(!document.request_ids.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scan_markdown_renders_lines_as_paragraphs_and_writes_to_output() {
    let emu = emulator(EmulatorConfig::default()).await;
    let sandbox = Sandbox::new();
    let mut cmd = sandbox.cloud_ocr(&tencent_vars());
    cmd.arg("scan").arg(invoice_png()).args([
        "--format",
        "markdown",
        "--output",
        "result/invoice.md",
        "--endpoint",
        emu.endpoints().tencent.as_str(),
    ]);
    std::fs::create_dir_all(sandbox.path().join("result")).unwrap();
    let out = run(cmd).await;
    assert_exit(&out, 0);
    assert!(stdout(&out).is_empty());
    let written = std::fs::read_to_string(sandbox.path().join("result/invoice.md")).unwrap();
    assert_eq!(written, format!("{}\n", INVOICE_LINES.join("\n\n")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scan_with_picwish_and_its_key() {
    let emu = emulator(quick_tasks()).await;
    let sandbox = Sandbox::new();
    let config = sandbox.write("cloud-ocr.toml", "[picwish]\npoll_interval_secs = 0.1\n");
    let mut cmd = sandbox.cloud_ocr(&picwish_vars());
    cmd.arg("scan")
        .arg(invoice_png())
        .args([
            "--provider",
            "picwish",
            "--endpoint",
            emu.endpoints().picwish.as_str(),
        ])
        .arg("--config")
        .arg(&config);
    let out = run(cmd).await;
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), format!("{}\n", INVOICE_LINES.join("\n")));
    assert_eq!(emu.submissions(Service::PicWish), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scan_without_any_credentials_uses_the_embedded_emulator_and_says_so_once() {
    let sandbox = Sandbox::new();
    for format in ["text", "json"] {
        let mut cmd = sandbox.cloud_ocr(&[]);
        cmd.arg("scan")
            .arg(invoice_png())
            .args(["--format", format]);
        let out = run(cmd).await;
        assert_exit(&out, 0);
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.starts_with("cloud-ocr: no credentials found; using the embedded emulator"));
        assert!(err.contains("TENCENTCLOUD_SECRET_ID") && err.contains("PICWISH_API_KEY"));
        if format == "json" {
            let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(value["simulated"], true);
            assert_eq!(value["provider"], "tc-ocr");
        } else {
            assert!(
                stdout(&out).contains("Total: 42.00 USD"),
                "{}",
                stdout(&out)
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scan_with_the_emulator_flag_ignores_credentials() {
    let sandbox = Sandbox::new();
    let mut cmd = sandbox.cloud_ocr(&[("PICWISH_API_KEY", "a-real-looking-key")]);
    cmd.arg("scan").arg(invoice_png()).args([
        "--emulator",
        "--provider",
        "lkeap",
        "--format",
        "json",
    ]);
    let out = run(cmd).await;
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains("embedded emulator"),
        "{}",
        stderr(&out)
    );
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(value["simulated"], true);
    assert_eq!(value["provider"], "lkeap");
    assert!(value["document"]["markdown"]
        .as_str()
        .unwrap()
        .contains("Total: 42.00 USD"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_without_credentials_is_a_usage_error_naming_the_variables() {
    let sandbox = Sandbox::new();
    let cases: [(&str, &[&str]); 4] = [
        (
            "tc-ocr",
            &["TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY"],
        ),
        (
            "lkeap",
            &["TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY"],
        ),
        (
            "cos-ci",
            &[
                "TENCENTCLOUD_SECRET_ID",
                "TENCENTCLOUD_SECRET_KEY",
                "CLOUD_OCR_COS_BUCKET",
                "CLOUD_OCR_COS_REGION",
            ],
        ),
        ("picwish", &["PICWISH_API_KEY"]),
    ];
    for (provider, vars) in cases {
        let mut cmd = sandbox.cloud_ocr(&[]);
        cmd.arg("scan")
            .arg(invoice_png())
            .args(["--provider", provider]);
        let out = run(cmd).await;
        assert_exit(&out, 2);
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.starts_with(&format!("cloud-ocr: {provider}: ")),
            "{err}"
        );
        for var in vars {
            assert!(err.contains(var), "{provider}: {err}");
        }
        assert!(!err.contains("embedded emulator"));
        assert!(out.stdout.is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_task_shows_its_code_and_exits_1() {
    let emu = emulator(quick_tasks()).await;
    emu.inject(
        Fault::task_failure(
            "FailedOperation.FileParseError",
            "the file cannot be parsed",
        )
        .for_service(Service::Lkeap),
    );
    let sandbox = Sandbox::new();
    let config = sandbox.write(
        "cloud-ocr.toml",
        "provider = \"lkeap\"\n[lkeap]\npoll_interval_secs = 0.1\n",
    );
    let mut cmd = sandbox.cloud_ocr(&tencent_vars());
    cmd.arg("scan")
        .arg(invoice_png())
        .arg("--config")
        .arg(&config)
        .args(["--endpoint", emu.endpoints().tencent.as_str()]);
    let out = run(cmd).await;
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("cloud-ocr: lkeap "), "{err}");
    assert!(err.contains("FailedOperation.FileParseError"), "{err}");
    assert!(out.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejected_keys_exit_3_without_showing_the_key() {
    let emu = emulator(EmulatorConfig::default()).await;
    let sandbox = Sandbox::new();
    let mut cmd = sandbox.cloud_ocr(&[
        (
            "TENCENTCLOUD_SECRET_ID",
            "AKIDNOTKNOWNTOTHEEMULATOR0000000000",
        ),
        ("TENCENTCLOUD_SECRET_KEY", "do-not-print-this-secret-key"),
    ]);
    cmd.arg("scan").arg(invoice_png()).args([
        "--provider",
        "tc-ocr",
        "--endpoint",
        emu.endpoints().tencent.as_str(),
        "-v",
    ]);
    let out = run(cmd).await;
    assert_exit(&out, 3);
    let err = stderr(&out);
    assert!(err.contains("AuthFailure"), "{err}");
    assert!(!err.contains("do-not-print-this-secret-key"), "{err}");
    assert!(!err.contains("Signature="), "{err}");
    assert!(!err.to_lowercase().contains("backtrace"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_file_is_a_usage_error() {
    let sandbox = Sandbox::new();
    let mut cmd = sandbox.cloud_ocr(&[]);
    cmd.args(["scan", "no-such-file.png"]);
    let out = run(cmd).await;
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("no-such-file.png: no such file"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_documents_the_exit_codes() {
    let sandbox = Sandbox::new();
    let mut cmd = sandbox.cloud_ocr(&[]);
    cmd.args(["scan", "--help"]);
    let out = run(cmd).await;
    assert_exit(&out, 0);
    let help = stdout(&out);
    for line in [
        "0  success",
        "1  the document failed or is incomplete",
        "2  usage, configuration or input error",
        "--pages",
        "--want",
        "--fields",
        "--strict",
        "3  authentication error",
        "4  throttled or out of quota",
        "5  transport, timeout or service error",
        "--provider",
        "--format",
        "--output",
        "--config",
        "--endpoint",
        "--emulator",
    ] {
        assert!(help.contains(line), "{line}\n{help}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_emulator_subcommand_serves_in_the_foreground() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    let sandbox = Sandbox::new();
    let mut cmd = sandbox.cloud_ocr(&[]);
    cmd.args([
        "emulator",
        "--addr",
        "127.0.0.1:0",
        "--task-duration-ms",
        "200",
    ])
    .stdout(Stdio::piped())
    .stderr(Stdio::null());
    let mut child = cmd.spawn().unwrap();
    // Read the banner's first line, and keep draining the pipe so the emulator never writes
    // into a closed one.
    let banner = child.stdout.take().unwrap();
    let (first_tx, first_rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(banner).lines();
        let first = lines.next().and_then(Result::ok).unwrap_or_default();
        let _ = first_tx.send(first);
        for _ in lines {}
    });
    let first_line = tokio::time::timeout(Duration::from_secs(30), first_rx)
        .await
        .expect("no banner within 30 s")
        .unwrap();
    let url = first_line
        .trim()
        .strip_prefix("ocr-emulator listening on ")
        .unwrap_or_else(|| panic!("{first_line}"))
        .to_owned();

    let mut scan = sandbox.cloud_ocr(&tencent_vars());
    scan.arg("scan")
        .arg(invoice_png())
        .args(["--endpoint", &url]);
    let out = run(scan).await;
    child.kill().unwrap();
    child.wait().unwrap();
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("Total: 42.00 USD"));
}

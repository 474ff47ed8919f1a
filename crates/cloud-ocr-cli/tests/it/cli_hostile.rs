//! Odd or hostile input through the real binary: a journal pointing outside `--out`, an
//! unwritable `--output`, inputs that are not regular files, over-long URLs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use common::*;
use ocr_emulator::EmulatorConfig;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_journal_cannot_send_results_outside_the_output_folder() {
    let emu = emulator(EmulatorConfig::default()).await;
    let sandbox = Sandbox::new();
    let input = sandbox.write("in/a.png", std::fs::read(invoice_png()).unwrap());
    let outside = sandbox.path().join("outside.txt");
    let key = std::fs::canonicalize(&input).unwrap();
    let journal = [
        format!(
            r#"{{"input":{:?},"event":"done","output":{:?}}}"#,
            key.display().to_string(),
            outside.display().to_string()
        ),
        format!(
            r#"{{"input":{:?},"event":"done","output":"../escape.txt"}}"#,
            key.display().to_string()
        ),
    ]
    .join("\n");
    sandbox.write("out/.cloud-ocr-journal.jsonl", format!("{journal}\n"));
    std::fs::write(&outside, "untouched").unwrap();
    let mut cmd = sandbox.cloud_ocr(&tencent_vars());
    cmd.arg("batch").arg(sandbox.path().join("in")).args([
        "--out",
        "out",
        "--provider",
        "tc-ocr",
        "--endpoint",
        emu.endpoints().tencent.as_str(),
    ]);
    let out = run(cmd).await;
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains("ignored 2 journal line(s)"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "untouched");
    assert!(!sandbox.path().join("escape.txt").exists());
    assert!(sandbox.path().join("out/a.png.txt").is_file());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unwritable_output_is_refused_before_anything_is_sent() {
    let emu = emulator(EmulatorConfig::default()).await;
    let sandbox = Sandbox::new();
    std::fs::create_dir_all(sandbox.path().join("a-folder")).unwrap();
    for (dest, needle) in [
        ("a-folder", "is a folder"),
        ("no/such/dir/out.txt", "does not exist"),
    ] {
        let mut cmd = sandbox.cloud_ocr(&tencent_vars());
        cmd.arg("scan").arg(invoice_png()).args([
            "--provider",
            "tc-ocr",
            "--endpoint",
            emu.endpoints().tencent.as_str(),
            "-o",
            dest,
        ]);
        let out = run(cmd).await;
        assert_exit(&out, 2);
        assert!(stderr(&out).contains(needle), "{}", stderr(&out));
    }
    assert_eq!(emu.recorded_requests().len(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inputs_that_are_not_files_say_what_they_are() {
    let sandbox = Sandbox::new();
    std::fs::create_dir_all(sandbox.path().join("docs")).unwrap();
    let mut cases = vec![("docs", "is a folder; `cloud-ocr batch")];
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("loop", sandbox.path().join("loop")).unwrap();
        cases.push(("loop", "symbolic link"));
        cases.push(("/dev/zero", "character device"));
        let fifo = sandbox.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            cases.push(("pipe", "named pipe"));
        }
    }
    for (input, needle) in cases {
        let mut cmd = sandbox.cloud_ocr(&[]);
        cmd.args(["scan", input]);
        let out = run(cmd).await;
        assert_exit(&out, 2);
        assert!(stderr(&out).contains(needle), "{input}: {}", stderr(&out));
        assert!(
            !stderr(&out).contains("no such file"),
            "{input}: {}",
            stderr(&out)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_over_long_url_is_refused_before_it_is_sent() {
    let emu = emulator(EmulatorConfig::default()).await;
    let sandbox = Sandbox::new();
    let url = format!("https://example.com/{}.png", "a".repeat(100_000));
    let mut cmd = sandbox.cloud_ocr(&tencent_vars());
    cmd.args([
        "scan",
        &url,
        "--provider",
        "tc-ocr",
        "--endpoint",
        emu.endpoints().tencent.as_str(),
    ]);
    let out = run(cmd).await;
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("at most 8192"), "{}", stderr(&out));
    assert_eq!(emu.recorded_requests().len(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_key_does_not_garble_the_message() {
    let emu = emulator(EmulatorConfig::default()).await;
    let sandbox = Sandbox::new();
    let mut cmd = sandbox.cloud_ocr(&[("PICWISH_API_KEY", "k")]);
    cmd.arg("scan").arg(invoice_png()).args([
        "-p",
        "picwish",
        "--endpoint",
        emu.endpoints().picwish.as_str(),
    ]);
    let out = run(cmd).await;
    assert_exit(&out, 3);
    let err = stderr(&out);
    assert!(!err.contains("<redacted>ey"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_name_cannot_inject_a_multipart_header() {
    let emu = emulator(EmulatorConfig::default()).await;
    let sandbox = Sandbox::new();
    let name = "in\r\nX-Evil: 1\".png";
    let path = sandbox.write(name, std::fs::read(invoice_png()).unwrap());
    let config = sandbox.write("c.toml", "[picwish]\npoll_interval_secs = 0.1\n");
    let mut cmd = sandbox.cloud_ocr(&picwish_vars());
    cmd.arg("scan")
        .arg(&path)
        .args([
            "-p",
            "picwish",
            "--endpoint",
            emu.endpoints().picwish.as_str(),
            "--config",
        ])
        .arg(config);
    let out = run(cmd).await;
    assert_exit(&out, 0);
    assert!(
        stdout(&out).contains("Total: 42.00 USD"),
        "{}",
        stdout(&out)
    );
}

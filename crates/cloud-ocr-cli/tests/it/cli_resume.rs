//! Resuming a batch: simulated jobs of an earlier embedded emulator are submitted again (nothing
//! was billed), real jobs are never polled against the emulator, and Ctrl-C says how to resume.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use std::time::Duration;

use common::*;

/// A folder with `n` copies of the invoice.
fn inputs(sandbox: &Sandbox, n: usize) {
    let png = std::fs::read(invoice_png()).unwrap();
    for i in 0..n {
        sandbox.write(&format!("in/doc-{i}.png"), &png);
    }
}

fn batch(sandbox: &Sandbox) -> std::process::Command {
    let config = sandbox.write("cloud-ocr.toml", "[lkeap]\npoll_interval_secs = 0.1\n");
    let mut cmd = sandbox.cloud_ocr(&[]);
    cmd.args([
        "batch",
        "in",
        "--out",
        "out",
        "--emulator",
        "--provider",
        "lkeap",
        "--config",
    ])
    .arg(config);
    cmd
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulated_jobs_are_submitted_again_and_real_ones_never_polled_on_the_emulator() {
    let sandbox = Sandbox::new();
    inputs(&sandbox, 2);
    let key = |i: usize| {
        std::fs::canonicalize(sandbox.path().join(format!("in/doc-{i}.png")))
            .unwrap()
            .display()
            .to_string()
    };
    let journal = format!(
        "{{\"input\":{:?},\"event\":\"submitted\",\"job\":{{\"provider\":\"lkeap\",\"task_id\":\"gone-with-its-emulator\",\"created_at\":1}},\"simulated\":true}}\n",
        key(0)
    );
    sandbox.write("out/.cloud-ocr-journal.jsonl", journal);
    let out = run(batch(&sandbox)).await;
    assert_exit(&out, 0);
    let err = stderr(&out);
    assert!(
        err.contains("1 simulated job(s)") && err.contains("nothing was billed"),
        "{err}"
    );
    assert!(sandbox.path().join("out/doc-0.png.txt").is_file());

    // A job the real service took is not polled against the emulator.
    let journal = format!(
        "{{\"input\":{:?},\"event\":\"submitted\",\"job\":{{\"provider\":\"lkeap\",\"task_id\":\"real-task\",\"created_at\":1}}}}\n",
        key(1)
    );
    std::fs::remove_dir_all(sandbox.path().join("out")).unwrap();
    sandbox.write("out/.cloud-ocr-journal.jsonl", journal);
    let out = run(batch(&sandbox)).await;
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert!(
        err.contains("real-task") && err.contains("real service"),
        "{err}"
    );
    assert!(!sandbox.path().join("out/doc-1.png.txt").exists());
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_says_how_to_resume_and_the_next_run_finishes() {
    let sandbox = Sandbox::new();
    inputs(&sandbox, 6);
    let child = batch(&sandbox)
        .args(["-j", "1"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Each LKEAP task takes 2 s on the embedded emulator: interrupt during the first.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    // On the embedded emulator the jobs die with the process: the message says they are
    // submitted again (for nothing), not that they will be polled.
    assert!(
        stderr(&out).contains("the next run submits them again (nothing is billed)"),
        "{}",
        stderr(&out)
    );
    assert!(
        !stderr(&out).contains("not submitted again"),
        "{}",
        stderr(&out)
    );

    let out = run(batch(&sandbox)).await;
    assert_exit(&out, 0);
    for i in 0..6 {
        assert!(
            sandbox
                .path()
                .join(format!("out/doc-{i}.png.txt"))
                .is_file(),
            "{i}"
        );
    }
}

/// An output folder's results are "done earlier" only for a run that asks for the same thing:
/// simulated results are recognised again by a real run, and a run with other options or
/// providers is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn results_are_done_earlier_only_for_the_same_settings_and_never_when_simulated() {
    use ocr_emulator::{EmulatorConfig, Service};
    let sandbox = Sandbox::new();
    inputs(&sandbox, 2);
    // Nothing configured: the embedded emulator simulates both.
    let mut cmd = sandbox.cloud_ocr(&[]);
    cmd.args(["batch", "in", "--out", "out"]);
    assert_exit(&run(cmd).await, 0);

    // With credentials, the simulated results are recognised again for real.
    let emu = emulator(EmulatorConfig::default()).await;
    let tencent = emu.endpoints().tencent.to_string();
    let real = |extra: &[&str]| {
        let mut cmd = sandbox.cloud_ocr(&tencent_vars());
        cmd.args(["batch", "in", "--out", "out", "-p", "tc-ocr", "--no-cache"])
            .args(["--endpoint", &tencent])
            .args(extra);
        cmd
    };
    let out = run(real(&[])).await;
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains("2 result(s) in out were simulated"),
        "{}",
        stderr(&out)
    );
    assert_eq!(emu.submissions(Service::Ocr), 2);

    // Now real: done earlier for the same settings, nothing sent.
    let out = run(real(&[])).await;
    assert_exit(&out, 0);
    assert!(stderr(&out).contains("2 done earlier"), "{}", stderr(&out));
    assert_eq!(emu.submissions(Service::Ocr), 2);

    // Other options, or another provider, in the same folder: refused, nothing sent.
    for extra in [&["--lang", "en"][..], &["--want", "fields"][..]] {
        let out = run(real(extra)).await;
        assert_exit(&out, 2);
        assert!(stderr(&out).contains("other settings"), "{}", stderr(&out));
    }
    let mut cmd = sandbox.cloud_ocr(&tencent_vars());
    cmd.args(["batch", "in", "--out", "out", "-p", "lkeap", "--no-cache"])
        .args(["--endpoint", &tencent]);
    let out = run(cmd).await;
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("other settings"), "{}", stderr(&out));
    assert_eq!(emu.submissions(Service::Ocr), 2);
    assert_eq!(emu.submissions(Service::Lkeap), 0);
}

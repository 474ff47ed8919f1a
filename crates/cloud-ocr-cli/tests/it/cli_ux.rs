//! The command line as people meet it: completions, a man page, standard input, compact JSON,
//! a JSON Lines summary, quiet runs and messages that say what to do.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use std::io::Write;
use std::process::Stdio;

use common::*;
use ocr_emulator::EmulatorConfig;

fn folder_of_invoices(sandbox: &Sandbox, n: usize) {
    let png = std::fs::read(invoice_png()).unwrap();
    for i in 0..n {
        sandbox.write(&format!("in/doc-{i}.png"), &png);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completions_and_the_manual_page_are_printed() {
    let sandbox = Sandbox::new();
    for shell in ["bash", "zsh", "fish"] {
        let mut cmd = sandbox.cloud_ocr(&[]);
        cmd.args(["completions", shell]);
        let out = run(cmd).await;
        assert_exit(&out, 0);
        let script = stdout(&out);
        assert!(
            script.contains("cloud-ocr") && script.contains("batch"),
            "{shell}"
        );
    }
    let mut cmd = sandbox.cloud_ocr(&[]);
    cmd.arg("man");
    let out = run(cmd).await;
    assert_exit(&out, 0);
    assert!(stdout(&out).contains(".TH"), "{}", stdout(&out));
    // The exit codes keep their columns (preformatted, not reflowed).
    assert!(
        stdout(&out).contains(".nf\nCredentials (the providers' own variables):\n"),
        "{}",
        stdout(&out)
    );
    // One page per subcommand, with its options.
    let mut cmd = sandbox.cloud_ocr(&[]);
    cmd.args(["man", "batch"]);
    let out = run(cmd).await;
    assert_exit(&out, 0);
    let page = stdout(&out);
    assert!(page.contains(".TH cloud-ocr-batch 1"), "{page}");
    assert!(page.contains("\\-\\-dry\\-run"), "{page}");
    assert!(page.contains("\\-\\-coordinator"), "{page}");
    let mut cmd = sandbox.cloud_ocr(&[]);
    cmd.args(["man", "nope"]);
    let out = run(cmd).await;
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("the pages: scan, batch"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scan_reads_standard_input_and_writes_compact_json() {
    let emu = emulator(EmulatorConfig::default()).await;
    let sandbox = Sandbox::new();
    let mut cmd = sandbox.cloud_ocr(&tencent_vars());
    cmd.args([
        "scan",
        "-",
        "-p",
        "tc-ocr",
        "--endpoint",
        emu.endpoints().tencent.as_str(),
    ])
    .args(["-f", "json", "--compact"])
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&std::fs::read(invoice_png()).unwrap())
        .unwrap();
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "{text}");
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["source"], "-");
    assert!(text.contains("Total: 42.00 USD"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_writes_a_jsonl_summary_and_counts_what_it_left_out() {
    let emu = emulator(EmulatorConfig::default()).await;
    let sandbox = Sandbox::new();
    folder_of_invoices(&sandbox, 3);
    sandbox.write("in/notes.exe", b"MZ not a document");
    let mut cmd = sandbox.cloud_ocr(&tencent_vars());
    cmd.args([
        "batch",
        "in",
        "--out",
        "out",
        "-p",
        "tc-ocr",
        "--summary",
        "summary.jsonl",
        // The three inputs are the same document: with the cache, one that starts after
        // another has finished would be answered from it (no call), as a busy machine shows.
        "--no-cache",
    ])
    .args(["--endpoint", emu.endpoints().tencent.as_str(), "-q"]);
    let out = run(cmd).await;
    assert_exit(&out, 0);
    // Quiet: nothing on stderr when all went well.
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    let summary = std::fs::read_to_string(sandbox.path().join("summary.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = summary
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // One line per input, then the totals.
    assert_eq!(lines.len(), 4);
    let (total, lines) = lines.split_last().unwrap();
    assert_eq!(total["total"]["done"], 3);
    assert_eq!(total["total"]["usage"]["calls"]["GeneralAccurateOCR"], 3);
    for line in lines {
        assert_eq!(line["status"], "done");
        assert_eq!(line["pages"], 1);
        assert!(line["output"].as_str().unwrap().ends_with(".png.txt"));
        assert!(line["input"].as_str().unwrap().contains("doc-"));
    }
    // Run again in the same folder: still one line per input, each done earlier, with its
    // result file; nothing is sent.
    let before = emu.recorded_len();
    let mut cmd = sandbox.cloud_ocr(&tencent_vars());
    cmd.args(["batch", "in", "--out", "out", "-p", "tc-ocr"])
        .args(["--summary", "summary.jsonl", "-q"])
        .args(["--endpoint", emu.endpoints().tencent.as_str()]);
    let out = run(cmd).await;
    assert_exit(&out, 0);
    assert_eq!(emu.recorded_len(), before);
    let summary = std::fs::read_to_string(sandbox.path().join("summary.jsonl")).unwrap();
    let again: Vec<serde_json::Value> = summary
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(again.len(), 4, "{summary}");
    let (total, again) = again.split_last().unwrap();
    assert_eq!(total["total"]["done"], 0);
    assert_eq!(total["total"]["done_earlier"], 3);
    for (line, first) in again.iter().zip(lines) {
        assert_eq!(line["status"], "done_earlier");
        assert_eq!(line["input"], first["input"]);
        assert_eq!(line["output"], first["output"]);
    }
    // Not quiet: the summary line counts the file left out.
    let mut cmd = sandbox.cloud_ocr(&tencent_vars());
    cmd.args(["batch", "in", "--out", "out2", "-p", "tc-ocr"])
        .args(["--endpoint", emu.endpoints().tencent.as_str()]);
    let out = run(cmd).await;
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains("1 file(s) of a type tc-ocr does not read were left out"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_say_what_to_do() {
    let emu = emulator(EmulatorConfig::default()).await;
    let sandbox = Sandbox::new();
    let tencent = emu.endpoints().tencent.to_string();
    // A Markdown file is not a type tc-ocr reads: exit 2, nothing sent.
    sandbox.write("README.md", "# Title\n\nSome text.\n");
    let mut cmd = sandbox.cloud_ocr(&tencent_vars());
    cmd.args(["scan", "README.md", "-p", "tc-ocr", "--endpoint", &tencent]);
    let out = run(cmd).await;
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(
        err.contains("README.md is a md file: tc-ocr reads"),
        "{err}"
    );
    assert!(!err.contains("ImageBase64"), "{err}");
    assert_eq!(emu.recorded_requests().len(), 0);

    // batch of one document: a hint to use scan.
    let mut cmd = sandbox.cloud_ocr(&tencent_vars());
    cmd.arg("batch").arg(invoice_png()).args([
        "--out",
        "out",
        "-p",
        "tc-ocr",
        "--endpoint",
        &tencent,
    ]);
    let out = run(cmd).await;
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("batch expects a folder or a list file"),
        "{}",
        stderr(&out)
    );

    // An --out made with another format says so.
    folder_of_invoices(&sandbox, 1);
    let mut cmd = sandbox.cloud_ocr(&tencent_vars());
    cmd.args([
        "batch",
        "in",
        "--out",
        "made",
        "-p",
        "tc-ocr",
        "--endpoint",
        &tencent,
        "-f",
        "json",
    ]);
    assert_exit(&run(cmd).await, 0);
    let mut cmd = sandbox.cloud_ocr(&tencent_vars());
    cmd.args([
        "batch",
        "in",
        "--out",
        "made",
        "-p",
        "tc-ocr",
        "--endpoint",
        &tencent,
    ]);
    let out = run(cmd).await;
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("holds results in another format"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_credentials_stop_a_batch_with_one_message() {
    let emu = emulator(EmulatorConfig::default()).await;
    let sandbox = Sandbox::new();
    folder_of_invoices(&sandbox, 8);
    let mut cmd = sandbox.cloud_ocr(&[("PICWISH_API_KEY", "not-the-right-key")]);
    cmd.args(["batch", "in", "--out", "out", "-p", "picwish"])
        .args(["--endpoint", emu.endpoints().picwish.as_str()]);
    let out = run(cmd).await;
    assert_exit(&out, 3);
    let err = stderr(&out);
    let mentions = err
        .lines()
        .filter(|l| l.contains("401") || l.contains("nauthorized"))
        .count();
    assert!(mentions <= 2, "the refusal is repeated:\n{err}");
    assert!(err.contains("refused the credentials"), "{err}");
    assert!(!err.contains("not-the-right-key"), "{err}");

    // The refusal is not the inputs' failure: with the right key, the next run submits every
    // input (none is skipped as "failed earlier").
    let journal = std::fs::read_to_string(sandbox.path().join("out/.cloud-ocr-journal.jsonl"))
        .unwrap_or_default();
    assert!(!journal.contains("\"failed\""), "{journal}");
    let mut cmd = sandbox.cloud_ocr(&picwish_vars());
    cmd.args(["batch", "in", "--out", "out", "-p", "picwish"])
        .args(["--endpoint", emu.endpoints().picwish.as_str()])
        .args(["--config"])
        .arg(sandbox.write("fast.toml", "[picwish]\npoll_interval_secs = 0.1\n"));
    let out = run(cmd).await;
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains("summary: 8 done, 0 failed"),
        "{}",
        stderr(&out)
    );
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_terminal_the_bar_shows_rate_eta_and_failures() {
    // `script` (util-linux) gives the binary a pseudo-terminal, as a person's shell does.
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: `script` (util-linux) is not installed, so no terminal can be faked");
        return;
    }
    let sandbox = Sandbox::new();
    folder_of_invoices(&sandbox, 3);
    sandbox.write("in/broken.png", b"\x89PNG\r\n\x1a\n not really a picture");
    let mut cmd = std::process::Command::new("script");
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", sandbox.path().join("home"))
        .env("TERM", "xterm")
        .current_dir(sandbox.path())
        .arg("-qec")
        .arg(format!(
            "{} batch in --out out --emulator -p lkeap",
            env!("CARGO_BIN_EXE_cloud-ocr")
        ))
        .arg("/dev/null");
    let out = run(cmd).await;
    let screen = String::from_utf8_lossy(&out.stdout).replace('\r', "\n");
    assert!(screen.contains("ETA"), "{screen}");
    assert!(screen.contains("/s"), "{screen}");
    assert!(screen.contains("1 failed"), "{screen}");
}

/// Options a coordinated worker would not apply are refused before anything starts, never
/// dropped without a word.
#[tokio::test]
async fn options_a_coordinated_worker_does_not_apply_are_refused() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "in/a.png",
        ocr_emulator::samples::png_with_text(80, 40, "A"),
    );
    for (extra, named) in [
        (&["--summary", "s.jsonl"][..], "--summary"),
        (&["--max-in-flight", "10"][..], "--max-in-flight"),
    ] {
        let mut cmd = sandbox.cloud_ocr(&tencent_vars());
        // Port 1: nothing listens; the refusal comes before any connection.
        cmd.args([
            "batch",
            "in",
            "--out",
            "out",
            "--coordinator",
            "redis://127.0.0.1:1/0",
        ])
        .args(extra);
        let out = run(cmd).await;
        assert_exit(&out, 2);
        assert!(stderr(&out).contains(named), "{}", stderr(&out));
        assert!(!sandbox.path().join("s.jsonl").exists());
    }
}

/// A provider named twice in a chain is said as such, before any other setting is judged.
#[tokio::test]
async fn a_chain_naming_a_provider_twice_says_so() {
    let sandbox = Sandbox::new();
    let input = sandbox.write("a.png", ocr_emulator::samples::png_with_text(80, 40, "A"));
    let mut cmd = sandbox.cloud_ocr(&tencent_vars());
    cmd.arg("scan")
        .arg(&input)
        .args(["-p", "tc-ocr,tc-ocr", "--endpoint", "http://127.0.0.1:9/"]);
    let out = run(cmd).await;
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(err.contains("names tc-ocr twice"), "{err}");
    assert!(!err.contains("--endpoint"), "{err}");
}

/// A flag that would have no effect in the combination given is refused (exit 2, naming it,
/// nothing sent), never dropped without a word.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flags_without_effect_in_their_combination_are_refused() {
    let emu = emulator(EmulatorConfig::default()).await;
    let sandbox = Sandbox::new();
    folder_of_invoices(&sandbox, 2);
    sandbox.write("list.txt", "in/doc-0.png\n");
    sandbox.write(
        "chain.toml",
        "provider = [\"tc-ocr\", \"lkeap\"]\n[tc-ocr.options]\nlanguages = [\"zh\"]\n",
    );
    let tencent = emu.endpoints().tencent.to_string();
    let with_endpoint = ["--endpoint", tencent.as_str()];
    sandbox.write(
        "layout.toml",
        "provider = \"tc-ocr\"\n[tc-ocr.options]\noutputs = [\"text\", \"layout\"]\n",
    );
    let cases: [(Vec<&str>, &str); 19] = [
        (
            vec![
                "batch",
                "in",
                "--out",
                "o",
                "--summary",
                "no-such-dir/s.jsonl",
            ],
            "--summary no-such-dir/s.jsonl: the folder no-such-dir does not exist",
        ),
        (
            vec![
                "scan",
                "in/doc-0.png",
                "--emulator",
                "-p",
                "picwish",
                "--result-format",
                "docx",
            ],
            "--result-format docx",
        ),
        (
            vec![
                "batch",
                "in",
                "--out",
                "o",
                "--emulator",
                "-p",
                "lkeap",
                "-f",
                "markdown",
                "--want",
                "files",
            ],
            "--want files",
        ),
        (
            vec![
                "batch",
                "in",
                "--out",
                "o",
                "-j",
                "4",
                "--max-in-flight",
                "2",
            ],
            "--max-in-flight 2 is fewer than -j 4",
        ),
        (
            vec!["batch", "in", "--out", "o", "--status", "--retry-failed"],
            "--retry-failed",
        ),
        (
            vec![
                "scan",
                "in/doc-0.png",
                "-p",
                "tc-ocr",
                "--kind",
                "id-card",
                "--card-nationality",
                "PHL",
                "--region",
                "ap-guangzhou",
            ],
            "--region ap-guangzhou has no effect with --kind id-card",
        ),
        (
            vec!["scan", "in/doc-0.png", "-p", "tc-ocr", "--want", "layout"],
            "--want layout",
        ),
        (
            vec![
                "batch",
                "in",
                "--out",
                "o",
                "-f",
                "markdown",
                "--config",
                "layout.toml",
            ],
            "--want layout",
        ),
        (
            vec!["scan", "in/doc-0.png", "--emulator", "--cache", "c"],
            "--cache",
        ),
        (
            vec!["batch", "in", "--out", "o", "--emulator", "--refresh"],
            "--refresh",
        ),
        (vec!["scan", "in/doc-0.png", "--compact"], "--compact"),
        (
            vec!["scan", "in/doc-0.png", "-f", "markdown", "--compact"],
            "--compact",
        ),
        (vec!["batch", "in", "--out", "o", "--compact"], "--compact"),
        (
            vec!["batch", "in", "--out", "o", "--lease-secs", "5"],
            "--lease-secs",
        ),
        (
            vec![
                "batch",
                "in",
                "--out",
                "o",
                "--dry-run",
                "--summary",
                "s.jsonl",
            ],
            "--summary",
        ),
        (vec!["batch", "list.txt", "--out", "o", "-r"], "--recursive"),
        (
            vec!["scan", "in/doc-0.png", "--emulator", "--profile", "work"],
            "--profile",
        ),
        (
            vec![
                "scan",
                "in/doc-0.png",
                "--emulator",
                "--region",
                "ap-beijing",
            ],
            "--region",
        ),
        (
            vec!["scan", "in/doc-0.png", "--config", "chain.toml"],
            "the `options` of [lkeap] differ from those of [tc-ocr]",
        ),
    ];
    for (args, named) in cases {
        let mut cmd = sandbox.cloud_ocr(&tencent_vars());
        cmd.args(&args);
        if !args.contains(&"--emulator") && !args.contains(&"chain.toml") {
            cmd.args(with_endpoint);
        }
        let out = run(cmd).await;
        assert_exit(&out, 2);
        assert!(stderr(&out).contains(named), "{args:?}: {}", stderr(&out));
        assert!(!sandbox.path().join("s.jsonl").exists());
    }
    assert_eq!(emu.recorded_requests().len(), 0, "nothing was sent");
}

/// `scan --dry-run` checks and prices the input without sending it, in the format asked for,
/// to `-o` when given.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scan_dry_run_prints_or_writes_its_estimate_and_sends_nothing() {
    let emu = emulator(EmulatorConfig::default()).await;
    let sandbox = Sandbox::new();
    let tencent = emu.endpoints().tencent.to_string();
    let dry = |extra: &[&str]| {
        let mut cmd = sandbox.cloud_ocr(&tencent_vars());
        cmd.arg("scan")
            .arg(invoice_png())
            .args(["-p", "tc-ocr", "--endpoint", &tencent, "--dry-run"])
            .args(extra);
        cmd
    };
    let out = run(dry(&[])).await;
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("1 billed call"), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("nothing was sent"),
        "{}",
        stderr(&out)
    );

    let out = run(dry(&["-f", "json"])).await;
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(
        text.trim_end().contains('\n'),
        "pretty unless --compact: {text}"
    );
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["dry_run"], true);
    assert_eq!(value["usage"]["calls"]["GeneralAccurateOCR"], 1, "{value}");

    let out = run(dry(&["-f", "json", "--compact", "-o", "estimate.json"])).await;
    assert_exit(&out, 0);
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    let written = std::fs::read_to_string(sandbox.path().join("estimate.json")).unwrap();
    assert_eq!(written.trim_end().lines().count(), 1, "{written}");
    let value: serde_json::Value = serde_json::from_str(&written).unwrap();
    assert_eq!(value["provider"], "tc-ocr");

    // -q: the estimate, and no notice.
    let out = run(dry(&["-q"])).await;
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("1 billed call"), "{}", stdout(&out));
    assert_eq!(stderr(&out), "", "quiet");
    assert_eq!(emu.recorded_requests().len(), 0, "nothing was sent");

    // Nothing configured: the embedded emulator stands in, and a cache flag says it does
    // nothing there.
    let mut cmd = sandbox.cloud_ocr(&[]);
    cmd.arg("scan").arg(invoice_png()).args(["--cache", "c"]);
    let out = run(cmd).await;
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains("simulated results are never cached"),
        "{}",
        stderr(&out)
    );

    // -q: --emulator was asked for, so saying it is used is a notice; simulated results
    // nobody asked for are always said.
    let mut cmd = sandbox.cloud_ocr(&[]);
    cmd.arg("scan")
        .arg(invoice_png())
        .args(["--emulator", "-q"]);
    let out = run(cmd).await;
    assert_exit(&out, 0);
    assert_eq!(stderr(&out), "", "quiet");
    let mut cmd = sandbox.cloud_ocr(&[]);
    cmd.arg("scan").arg(invoice_png()).arg("-q");
    let out = run(cmd).await;
    assert!(
        stderr(&out).contains("no credentials found"),
        "{}",
        stderr(&out)
    );
}

/// A dry run judges the output folder as the real run would: results of another format there
/// are refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_dry_run_refuses_an_output_folder_of_another_format() {
    let emu = emulator(EmulatorConfig::default()).await;
    let sandbox = Sandbox::new();
    folder_of_invoices(&sandbox, 2);
    let tencent = emu.endpoints().tencent.to_string();
    let batch = |extra: &[&str]| {
        let mut cmd = sandbox.cloud_ocr(&tencent_vars());
        cmd.args(["batch", "in", "--out", "out", "-p", "tc-ocr", "--no-cache"])
            .args(["--endpoint", &tencent])
            .args(extra);
        cmd
    };
    // tc-ocr answers with the submission: a cap on waiting jobs does nothing, and says so.
    let out = run(batch(&["--max-in-flight", "10"])).await;
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains("--max-in-flight had no effect"),
        "{}",
        stderr(&out)
    );
    let sent = emu.recorded_requests().len();
    let out = run(batch(&["-f", "json", "--dry-run"])).await;
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("another format"), "{}", stderr(&out));
    let out = run(batch(&["--dry-run"])).await;
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("done earlier"), "{}", stdout(&out));
    assert_eq!(emu.recorded_requests().len(), sent);
}

/// Files that come with a result (the images LKEAP's Markdown refers to) are only in JSON:
/// text and Markdown outputs say they left them out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_that_text_and_markdown_leave_out_are_named() {
    let sandbox = Sandbox::new();
    folder_of_invoices(&sandbox, 2);
    let mut cmd = sandbox.cloud_ocr(&[]);
    cmd.arg("scan")
        .arg(invoice_png())
        .args(["--emulator", "-p", "lkeap", "-f", "markdown"]);
    let out = run(cmd).await;
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains("-f markdown leaves out the 1 file(s)"),
        "{}",
        stderr(&out)
    );
    let mut cmd = sandbox.cloud_ocr(&[]);
    cmd.arg("scan")
        .arg(invoice_png())
        .args(["--emulator", "-p", "lkeap", "-f", "json"]);
    let out = run(cmd).await;
    assert!(!stderr(&out).contains("leaves out"), "{}", stderr(&out));
    let mut cmd = sandbox.cloud_ocr(&[]);
    cmd.args(["batch", "in", "--out", "out", "--emulator", "-p", "lkeap"]);
    let out = run(cmd).await;
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains("2 result(s) came with files"),
        "{}",
        stderr(&out)
    );
}

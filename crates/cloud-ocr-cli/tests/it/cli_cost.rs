//! What a run costs, against the real binary and an emulator: dry runs that predict exactly
//! what a real run sends, the result cache, usage totals, and the fallback chain.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;
use ocr_emulator::{EmulatorConfig, Fault, Service};

/// `n` PNGs, each with its own text, and `pdfs` 5-page PDFs, in `dir`.
fn write_inputs(dir: &Path, n: usize, pdfs: usize) {
    std::fs::create_dir_all(dir).unwrap();
    for i in 0..n {
        let text = format!("Document {i}\nReference: REF-{i:05}");
        let png = ocr_emulator::samples::png_with_text(200, 80, &text);
        std::fs::write(dir.join(format!("doc-{i:03}.png")), png).unwrap();
    }
    for i in 0..pdfs {
        let pages: Vec<Vec<String>> = (1..=5)
            .map(|p| vec![format!("Report {i} page {p}")])
            .collect();
        let pages: Vec<Vec<&str>> = pages
            .iter()
            .map(|p| p.iter().map(String::as_str).collect())
            .collect();
        let pages: Vec<&[&str]> = pages.iter().map(Vec::as_slice).collect();
        let pdf = ocr_emulator::samples::pdf_with_text(&pages);
        std::fs::write(dir.join(format!("report-{i}.pdf")), pdf).unwrap();
    }
}

/// Requests the emulator recorded, per action.
fn recorded_actions(emu: &ocr_emulator::Emulator) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for r in emu.recorded_requests() {
        if let Some(action) = r.action {
            *counts.entry(action).or_insert(0) += 1;
        }
    }
    counts
}

fn jsonl(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_predicts_exactly_what_the_real_run_sends_and_usage_totals_add_up() {
    let emu = emulator(EmulatorConfig::default().without_rate_limits()).await;
    let sandbox = Sandbox::new();
    write_inputs(&sandbox.path().join("in"), 46, 4);
    let tencent = emu.endpoints().tencent.to_string();
    let config = sandbox.write(
        "cloud-ocr.toml",
        "[tc-ocr]\nrate_limit = 500.0\n[prices.tc-ocr]\ncurrency = \"USD\"\nper_call = 0.01\n",
    );
    let batch = |extra: &[&str]| {
        let mut cmd = sandbox.cloud_ocr(&tencent_vars());
        cmd.args(["batch", "in", "--out", "out", "-p", "tc-ocr", "-j", "8"])
            .args(["--endpoint", &tencent, "--config"])
            .arg(&config)
            .args(extra);
        cmd
    };

    let dry = run(batch(&["--dry-run"])).await;
    assert_exit(&dry, 0);
    assert_eq!(emu.recorded_len(), 0, "a dry run sends nothing");
    assert!(
        !sandbox.path().join("out").exists(),
        "a dry run writes nothing"
    );
    let printed = stdout(&dry);
    let per_input: Vec<&str> = printed
        .lines()
        .filter(|l| !l.starts_with("total:"))
        .collect();
    assert_eq!(per_input.len(), 50, "{printed}");
    for line in &per_input {
        let pages = if line.contains("report-") { 5 } else { 1 };
        assert!(
            line.contains(&format!("GeneralAccurateOCR×{pages}), {pages} page(s)")),
            "{line}"
        );
    }
    // 46 images + 4 × 5 pages = 66 calls and pages, at 0.01 USD a call.
    let total = printed.lines().find(|l| l.starts_with("total:")).unwrap();
    assert!(
        total.contains("66 billed call(s) (GeneralAccurateOCR×66), 66 page(s) ≈ 0.6600 USD"),
        "{total}"
    );

    let real = run(batch(&["--summary", "summary.jsonl"])).await;
    assert_exit(&real, 0);
    assert_eq!(
        recorded_actions(&emu),
        BTreeMap::from([("GeneralAccurateOCR".to_owned(), 66)]),
        "the real run sent exactly what the dry run said"
    );
    // The summary's totals are the sums of the per-document usage.
    let lines = jsonl(&sandbox.path().join("summary.jsonl"));
    let (total, inputs) = lines.split_last().unwrap();
    assert_eq!(inputs.len(), 50);
    let calls: u64 = inputs
        .iter()
        .map(|l| l["usage"]["calls"]["GeneralAccurateOCR"].as_u64().unwrap())
        .sum();
    let pages: u64 = inputs
        .iter()
        .map(|l| l["usage"]["pages"].as_u64().unwrap())
        .sum();
    assert_eq!((calls, pages), (66, 66));
    assert_eq!(total["total"]["usage"]["calls"]["GeneralAccurateOCR"], 66);
    assert_eq!(total["total"]["usage"]["pages"], 66);
    assert!(
        stderr(&real).contains("billed: 66 billed call(s) (GeneralAccurateOCR×66), 66 page(s)"),
        "{}",
        stderr(&real)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_second_run_is_answered_from_the_cache_and_refresh_asks_again() {
    let emu = emulator(EmulatorConfig::default().without_rate_limits()).await;
    let sandbox = Sandbox::new();
    write_inputs(&sandbox.path().join("in"), 6, 1);
    let tencent = emu.endpoints().tencent.to_string();
    let batch = |out: &str, extra: &[&str]| {
        let mut cmd = sandbox.cloud_ocr(&tencent_vars());
        cmd.args(["batch", "in", "--out", out, "-p", "tc-ocr", "-f", "json"])
            .args(["--endpoint", &tencent])
            .args(extra);
        cmd
    };
    let first = run(batch("out1", &[])).await;
    assert_exit(&first, 0);
    let sent = emu.submissions(Service::Ocr);
    assert_eq!(sent, 11, "6 images and 5 pages");

    // Another output folder (no journal to skip by): the cache answers everything.
    let second = run(batch("out2", &[])).await;
    assert_exit(&second, 0);
    assert_eq!(
        emu.submissions(Service::Ocr),
        sent,
        "no request the second time"
    );
    assert!(
        stderr(&second).contains("7 answered from the cache"),
        "{}",
        stderr(&second)
    );
    for entry in std::fs::read_dir(sandbox.path().join("out1")).unwrap() {
        let name = entry.unwrap().file_name();
        let name = name.to_str().unwrap();
        if !name.ends_with(".json") {
            continue;
        }
        let a: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(sandbox.path().join("out1").join(name)).unwrap(),
        )
        .unwrap();
        let b: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(sandbox.path().join("out2").join(name)).unwrap(),
        )
        .unwrap();
        assert_eq!(a["cached"], false, "{name}");
        assert_eq!(b["cached"], true, "{name}");
        assert_eq!(a["document"]["pages"], b["document"]["pages"], "{name}");
        // Nothing was billed for the cached answer (an empty usage is left out).
        let billed = b["document"]["usage"]["calls"]
            .as_object()
            .map_or(0, |m| m.len());
        assert_eq!(billed, 0, "{name}");
    }

    // --refresh recognises again (and keeps the new results).
    let third = run(batch("out3", &["--refresh"])).await;
    assert_exit(&third, 0);
    assert_eq!(emu.submissions(Service::Ocr), 2 * sent);
    // --no-cache neither reads nor writes it.
    let fourth = run(batch("out4", &["--no-cache"])).await;
    assert_exit(&fourth, 0);
    assert_eq!(emu.submissions(Service::Ocr), 3 * sent);
    // A dry run knows what the cache will answer.
    let dry = run(batch("out5", &["--dry-run"])).await;
    assert_exit(&dry, 0);
    assert!(
        stdout(&dry).contains("total: 7 input(s): 0 billed call(s), 0 page(s)"),
        "{}",
        stdout(&dry)
    );
    // A cache folder that cannot be written: the results are kept, and one warning says so.
    let not_a_dir = sandbox.write("not-a-dir", b"a file");
    let mut cmd = sandbox.cloud_ocr(&tencent_vars());
    cmd.args(["batch", "in", "--out", "out6", "-p", "tc-ocr", "--refresh"])
        .args(["--endpoint", &tencent, "--cache"])
        .arg(&not_a_dir);
    let out = run(cmd).await;
    assert_exit(&out, 0);
    let err = stderr(&out);
    let warnings: Vec<&str> = err.lines().filter(|l| l.contains("not cached")).collect();
    assert_eq!(warnings.len(), 1, "{err}");
    assert!(
        warnings[0].contains("cannot write in the cache folder")
            && warnings[0].contains("(7 times)"),
        "{err}"
    );
    assert!(!err.contains("at path"), "no temporary file named: {err}");
    // The embedded emulator's results are never cached.
    let sim = sandbox.write(
        "sim.png",
        ocr_emulator::samples::png_with_text(80, 40, "Sim"),
    );
    for _ in 0..2 {
        let mut cmd = sandbox.cloud_ocr(&[]);
        cmd.arg("scan").arg(&sim).args(["-f", "json"]);
        let out = run(cmd).await;
        assert_exit(&out, 0);
        let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(json["simulated"], true);
        assert_eq!(json["cached"], false);
        // Simulated: billed nothing, whatever the emulator counted.
        let usage = &json["document"]["usage"];
        assert_eq!(usage["simulated"], true, "{usage}");
        assert_eq!(usage["calls"], serde_json::json!({}), "{usage}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttled_provider_falls_back_to_the_next_and_says_why() {
    let emu = emulator(EmulatorConfig::default().without_rate_limits()).await;
    emu.inject(Fault::throttle().for_service(Service::Ocr).always());
    let sandbox = Sandbox::new();
    write_inputs(&sandbox.path().join("in"), 4, 0);
    let (config, vars) = fallback_chain(&sandbox, &emu);
    let mut cmd = sandbox.cloud_ocr(&vars);
    cmd.args([
        "batch",
        "in",
        "--out",
        "out",
        "-f",
        "json",
        "--no-cache",
        "--config",
    ])
    .arg(&config);
    let out = run(cmd).await;
    assert_exit(&out, 0);
    let picwish_creates = emu
        .recorded_requests()
        .iter()
        .filter(|r| r.service == Service::PicWish && r.method == "POST")
        .count();
    assert_eq!(picwish_creates, 4, "every input went through picwish");
    for entry in std::fs::read_dir(sandbox.path().join("out")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(json["provider"], "picwish", "{path:?}");
        let skipped = &json["document"]["skipped_providers"][0];
        assert_eq!(skipped["provider"], "tc-ocr", "{json}");
        assert!(
            skipped["message"]
                .as_str()
                .unwrap()
                .contains("RequestLimitExceeded")
                || skipped["code"].as_str().unwrap().contains("LimitExceeded"),
            "{skipped}"
        );
    }

    // The same chain on `scan`, given on the command line, with tc-ocr healthy again: an
    // input the service itself refuses (damaged past its header) is not tried elsewhere.
    emu.clear_faults();
    let before = emu.recorded_len();
    let mut bad = ocr_emulator::samples::png_with_text(80, 40, "Damaged");
    let cut = bad.len() - 20;
    bad[cut..].fill(0);
    let bad = sandbox.write("bad.png", bad);
    let mut cmd = sandbox.cloud_ocr(&vars);
    cmd.arg("scan")
        .arg(&bad)
        .args(["-p", "tc-ocr,picwish", "--no-cache", "--config"])
        .arg(&config);
    let out = run(cmd).await;
    // The service refused the input: the document was sent and failed (exit 2 would say
    // nothing was sent).
    assert_exit(&out, 1);
    assert!(
        stderr(&out).contains("ImageDecodeFailed"),
        "{}",
        stderr(&out)
    );
    let after: Vec<_> = emu.recorded_requests().into_iter().skip(before).collect();
    assert!(
        after.iter().any(|r| r.service == Service::Ocr),
        "tc-ocr was asked and refused it"
    );
    let picwish_after = after
        .iter()
        .filter(|r| r.service == Service::PicWish)
        .count();
    assert_eq!(picwish_after, 0, "no fallback for an invalid input");
}

/// A chain reads what any member reads, and its dry run says which member would answer each
/// input (the first that accepts it) and what each member's part costs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chains_dry_run_names_the_member_that_would_answer_each_input() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "in/a.png",
        ocr_emulator::samples::png_with_text(200, 80, "An image"),
    );
    // A GIF header of 64×48 px: PicWish reads GIF, tc-ocr does not.
    sandbox.write("in/b.gif", b"GIF89a\x40\x00\x30\x00\x00\x00\x00;");
    let mut cmd = sandbox.cloud_ocr(&[]);
    cmd.args(["batch", "in", "--out", "out", "--dry-run", "--emulator"])
        .args(["-p", "tc-ocr,picwish"]);
    let out = run(cmd).await;
    assert_exit(&out, 0);
    let text = stdout(&out);
    let line = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("in/{name}:")))
            .unwrap_or_else(|| panic!("no line for {name}:\n{text}"))
            .to_owned()
    };
    assert!(line("a.png").ends_with("by tc-ocr"), "{text}");
    assert!(line("a.png").contains("GeneralAccurateOCR×1"), "{text}");
    assert!(line("b.gif").contains("by picwish"), "{text}");
    assert!(line("b.gif").contains("1 credit(s)"), "{text}");
    assert!(
        text.contains("total: 2 input(s): 2 billed call(s)"),
        "{text}"
    );
    assert!(text.contains("\n  by picwish: 1 billed call(s)"), "{text}");
    assert!(text.contains("\n  by tc-ocr: 1 billed call(s)"), "{text}");
    assert!(
        stderr(&out).contains("a real run here would be simulated"),
        "{}",
        stderr(&out)
    );
}

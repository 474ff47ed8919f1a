//! Whole documents through the real binary: every page of a multi-page PDF, page selections,
//! missing pages made visible, options honoured or refused, fields and identity documents.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::*;
use ocr_emulator::{Emulator, EmulatorConfig, Fault, Service, ServiceDurations, TaskDurations};

/// `fixtures/samples/report.pdf`: five pages, page N says `Page N: …`.
fn report_pdf() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/samples/report.pdf")
}

fn quick_tasks() -> EmulatorConfig {
    EmulatorConfig::default().with_service_durations(ServiceDurations::all(TaskDurations::new(
        Duration::from_millis(20),
        Duration::from_millis(80),
    )))
}

/// `cloud-ocr scan <input> -p <provider>` against `emu`, with the provider's credentials.
fn scan(
    sandbox: &Sandbox,
    emu: &Emulator,
    provider: &str,
    input: &Path,
    extra: &[&str],
) -> Command {
    let endpoints = emu.endpoints();
    let mut vars: Vec<(&str, &str)> = Vec::new();
    let picwish = picwish_vars();
    let tencent = tencent_vars();
    if provider == "picwish" {
        vars.extend(picwish);
    } else {
        vars.extend(tencent);
    }
    let (bucket, region) = (endpoints.bucket.clone(), endpoints.region.clone());
    if provider == "cos-ci" {
        vars.push(("CLOUD_OCR_COS_BUCKET", &bucket));
        vars.push(("CLOUD_OCR_COS_REGION", &region));
    }
    let config = sandbox.write(
        "cloud-ocr.toml",
        "[lkeap]\npoll_interval_secs = 0.05\n[cos-ci]\npoll_interval_secs = 0.1\n[picwish]\npoll_interval_secs = 0.1\n",
    );
    let mut cmd = sandbox.cloud_ocr(&vars);
    cmd.arg("scan")
        .arg(input)
        .args([
            "--provider",
            provider,
            "--endpoint",
            endpoints.tencent.as_str(),
        ])
        .arg("--config")
        .arg(config)
        .args(extra);
    cmd
}

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_str(&stdout(out)).unwrap_or_else(|e| panic!("{e}: {}", stdout(out)))
}

fn page_numbers(value: &serde_json::Value) -> Vec<u64> {
    value["document"]["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["number"].as_u64().unwrap())
        .collect()
}

fn page_text(page: &serde_json::Value) -> String {
    match page["lines"].as_array() {
        Some(lines) if !lines.is_empty() => lines
            .iter()
            .map(|l| l["text"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
            .join("\n"),
        _ => page["markdown"].as_str().unwrap_or_default().to_owned(),
    }
}

fn count(emu: &Emulator, action: &str) -> usize {
    emu.recorded_requests()
        .iter()
        .filter(|r| r.action.as_deref() == Some(action))
        .count()
}

/// The action that recognises (or submits) one page, per provider.
fn page_action(provider: &str) -> &'static str {
    match provider {
        "tc-ocr" => "GeneralAccurateOCR",
        "lkeap" => "CreateReconstructDocumentFlow",
        _ => "SubmitJob",
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_five_page_pdf_gives_five_pages_and_a_selection_only_its_pages() {
    for provider in ["tc-ocr", "lkeap", "cos-ci"] {
        let emu = emulator(quick_tasks()).await;
        let sandbox = Sandbox::new();
        let out = run(scan(
            &sandbox,
            &emu,
            provider,
            &report_pdf(),
            &["-f", "json"],
        ))
        .await;
        assert_exit(&out, 0);
        let value = json(&out);
        assert_eq!(page_numbers(&value), [1, 2, 3, 4, 5], "{provider}");
        assert_eq!(value["complete"], true);
        assert_eq!(
            value["document"]["pages_requested"],
            serde_json::json!([1, 2, 3, 4, 5])
        );
        for (i, page) in value["document"]["pages"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
        {
            let text = page_text(page);
            assert!(
                text.contains(&format!("Page {}:", i + 1)),
                "{provider} page {}: {text}",
                i + 1
            );
            for other in (1..=5).filter(|n| *n != i + 1) {
                assert!(
                    !text.contains(&format!("Page {other}:")),
                    "{provider}: {text}"
                );
            }
        }
        let per_page = if provider == "lkeap" { 1 } else { 5 };
        assert_eq!(count(&emu, page_action(provider)), per_page, "{provider}");

        emu.clear_recorded();
        let out = run(scan(
            &sandbox,
            &emu,
            provider,
            &report_pdf(),
            &["-f", "json", "--pages", "2-3"],
        ))
        .await;
        assert_exit(&out, 0);
        let value = json(&out);
        assert_eq!(page_numbers(&value), [2, 3], "{provider}");
        assert_eq!(
            value["document"]["pages_requested"],
            serde_json::json!([2, 3])
        );
        let per_page = if provider == "lkeap" { 1 } else { 2 };
        assert_eq!(count(&emu, page_action(provider)), per_page, "{provider}");
        emu.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn picwish_says_its_page_boundaries_are_unknown() {
    let emu = emulator(quick_tasks()).await;
    let sandbox = Sandbox::new();
    let out = run(scan(
        &sandbox,
        &emu,
        "picwish",
        &report_pdf(),
        &["-f", "json"],
    ))
    .await;
    assert_exit(&out, 0);
    let value = json(&out);
    assert_eq!(value["document"]["page_boundaries"], "unknown");
    let text: String = value["document"]["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(page_text)
        .collect();
    let mut from = 0;
    for n in 1..=5 {
        let at = text[from..]
            .find(&format!("Page {n}:"))
            .unwrap_or_else(|| panic!("{text}"));
        from += at;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lkeap_failed_pages_are_named_on_stderr_in_json_and_exit_1() {
    let emu = emulator(quick_tasks()).await;
    emu.inject(Fault::failed_pages([3]).for_service(Service::Lkeap));
    let sandbox = Sandbox::new();
    let out = run(scan(
        &sandbox,
        &emu,
        "lkeap",
        &report_pdf(),
        &["-f", "json"],
    ))
    .await;
    assert_exit(&out, 1);
    let err = stderr(&out);
    let warning = err
        .lines()
        .find(|l| l.contains("incomplete"))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(
        warning.contains("page 3") && warning.contains("FailedPages"),
        "{warning}"
    );
    let value = json(&out);
    assert_eq!(value["complete"], false);
    assert_eq!(value["document"]["missing"][0]["page"], 3);
    assert_eq!(value["document"]["missing"][0]["code"], "FailedPages");
    assert_eq!(page_numbers(&value), [1, 2, 4, 5]);

    // --strict makes it an error: nothing on stdout.
    emu.inject(Fault::failed_pages([3]).for_service(Service::Lkeap));
    let out = run(scan(&sandbox, &emu, "lkeap", &report_pdf(), &["--strict"])).await;
    assert_exit(&out, 1);
    assert!(out.stdout.is_empty());
    assert!(
        stderr(&out).contains("IncompleteDocument"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_option_a_provider_does_not_honour_exits_2_with_nothing_sent() {
    let emu = emulator(quick_tasks()).await;
    let sandbox = Sandbox::new();
    let cases: [(&str, &[&str], &str); 4] = [
        ("tc-ocr", &["--want", "markdown"], "outputs"),
        ("lkeap", &["--fields", "Total"], "field_names"),
        ("cos-ci", &["--kind", "id-card"], "document_kind"),
        ("picwish", &["--pages", "2"], "pages"),
    ];
    for (provider, flags, option) in cases {
        emu.clear_recorded();
        let out = run(scan(&sandbox, &emu, provider, &invoice_png(), flags)).await;
        assert_exit(&out, 2);
        let err = stderr(&out);
        assert!(
            err.contains(&format!("`{option}`")) && err.contains(provider),
            "{err}"
        );
        assert!(out.stdout.is_empty());
        assert_eq!(
            emu.recorded_requests().len(),
            0,
            "{provider}: something was sent"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fields_run_extract_doc_multi_and_print_a_key_value_list() {
    let emu = emulator(quick_tasks()).await;
    let sandbox = Sandbox::new();
    let out = run(scan(
        &sandbox,
        &emu,
        "tc-ocr",
        &invoice_png(),
        &["--fields", "Total"],
    ))
    .await;
    assert_exit(&out, 0);
    assert_eq!(count(&emu, "ExtractDocMulti"), 1);
    let text = stdout(&out);
    assert!(text.contains("Fields:\n  Total: 42.00 USD"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_identity_document_runs_the_polled_card_pair() {
    let emu = emulator(quick_tasks()).await;
    let sandbox = Sandbox::new();
    let card = sandbox.write(
        "card.png",
        ocr_emulator::samples::png_with_text(1000, 630, "FullName: ADA LOVELACE"),
    );
    let flags = [
        "--kind",
        "id-card",
        "--card-nationality",
        "PHL",
        "--card-type",
        "PASSPORT",
    ];
    let out = run(scan(&sandbox, &emu, "tc-ocr", &card, &flags)).await;
    assert_exit(&out, 0);
    assert!(
        stdout(&out).contains("FullName: ADA LOVELACE"),
        "{}",
        stdout(&out)
    );
    assert_eq!(count(&emu, "ApplyCardVerificationExternal"), 1);
    assert!(count(&emu, "GetCardVerificationExternalResult") >= 1);

    // Without a nationality the request is refused before anything is sent.
    emu.clear_recorded();
    let out = run(scan(
        &sandbox,
        &emu,
        "tc-ocr",
        &card,
        &["--kind", "id-card"],
    ))
    .await;
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("Nationality"), "{}", stderr(&out));
    assert_eq!(emu.recorded_requests().len(), 0);
}

/// A batch result with pages missing is incomplete, and stays so: a later run in the same
/// folder skips it as done earlier but says again that it is incomplete, and exits 1.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_says_again_on_the_next_run_that_a_result_is_incomplete() {
    let emu = emulator(quick_tasks()).await;
    emu.inject(Fault::failed_pages([3]).for_service(Service::Lkeap));
    let sandbox = Sandbox::new();
    std::fs::create_dir_all(sandbox.path().join("in")).unwrap();
    std::fs::copy(report_pdf(), sandbox.path().join("in/report.pdf")).unwrap();
    let config = sandbox.write("fast.toml", "[lkeap]\npoll_interval_secs = 0.05\n");
    let batch = || {
        let mut cmd = sandbox.cloud_ocr(&tencent_vars());
        cmd.args(["batch", "in", "--out", "out", "--provider", "lkeap"])
            .args(["--endpoint", emu.endpoints().tencent.as_str(), "--config"])
            .arg(&config);
        cmd
    };
    let out = run(batch()).await;
    assert_exit(&out, 1);
    assert!(
        stderr(&out).contains("1 of the done are incomplete"),
        "{}",
        stderr(&out)
    );
    let before = emu.recorded_len();
    let out = run(batch()).await;
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert!(err.contains("1 done earlier"), "{err}");
    assert!(
        err.contains("1 of the done are incomplete (pages missing; 1 of them done earlier)"),
        "{err}"
    );
    assert!(
        err.contains("page 3") && err.contains("(done earlier)"),
        "{err}"
    );
    assert_eq!(emu.recorded_len(), before, "nothing is sent again");
}

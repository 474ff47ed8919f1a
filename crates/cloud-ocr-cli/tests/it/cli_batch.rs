//! `cloud-ocr batch`, run as a process against an emulator started in the test: many files
//! with concurrency, a run killed with SIGKILL and resumed, failed inputs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;
use ocr_emulator::{EmulatorConfig, Fault, Service, ServiceDurations, TaskDurations};

const JOURNAL: &str = ".cloud-ocr-journal.jsonl";

/// Writes `n` small PNGs, each carrying its own text, and returns (file name, text) pairs.
fn write_inputs(dir: &Path, n: usize) -> Vec<(String, String)> {
    std::fs::create_dir_all(dir).unwrap();
    (0..n)
        .map(|i| {
            let name = format!("doc-{i:03}.png");
            let text = format!("Document {i}\nReference: REF-{i:05}");
            let png = ocr_emulator::samples::png_with_text(200, 80, &text);
            std::fs::write(dir.join(&name), png).unwrap();
            (name, text)
        })
        .collect()
}

/// The journal's records, parsed.
fn journal(out: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(out.join(JOURNAL)).unwrap_or_default();
    text.lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

fn count_events(records: &[serde_json::Value], event: &str) -> usize {
    records.iter().filter(|r| r["event"] == event).count()
}

/// The visible files of the output folder.
fn results(out: &Path) -> BTreeSet<String> {
    std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect()
}

/// Every input has exactly one result file, holding its text (exactly, or each of its lines
/// somewhere when the provider returns Markdown).
fn assert_one_result_each(out: &Path, inputs: &[(String, String)], exact: bool) {
    let expected: BTreeSet<String> = inputs.iter().map(|(n, _)| format!("{n}.txt")).collect();
    assert_eq!(results(out), expected);
    for (name, text) in inputs {
        let got = std::fs::read_to_string(out.join(format!("{name}.txt"))).unwrap();
        if exact {
            assert_eq!(got, format!("{text}\n"), "{name}");
        } else {
            for line in text.lines() {
                assert!(got.contains(line), "{name}: {line:?} not in {got:?}");
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_of_sixty_files_with_concurrency_writes_one_result_each_and_a_consistent_journal() {
    let emu = emulator(EmulatorConfig::default().without_rate_limits()).await;
    let sandbox = Sandbox::new();
    let inputs = write_inputs(&sandbox.path().join("in"), 60);
    sandbox.write("in/notes.exe", b"not a document");
    let config = sandbox.write("cloud-ocr.toml", "[tc-ocr]\nrate_limit = 500.0\n");
    let out_dir = sandbox.path().join("out");
    let batch = || {
        let mut cmd = sandbox.cloud_ocr(&tencent_vars());
        cmd.args(["batch", "in", "--out", "out", "--concurrency", "8"])
            .args([
                "--provider",
                "tc-ocr",
                "--endpoint",
                emu.endpoints().tencent.as_str(),
            ])
            .arg("--config")
            .arg(&config);
        cmd
    };

    let out = run(batch()).await;
    assert_exit(&out, 0);
    assert_one_result_each(&out_dir, &inputs, true);
    let records = journal(&out_dir);
    assert_eq!(count_events(&records, "submitted"), 60);
    assert_eq!(count_events(&records, "done"), 60);
    assert_eq!(count_events(&records, "failed"), 0);
    // Per input: submitted (with the synchronous result inside the job), then done.
    let mut per_input: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in &records {
        per_input
            .entry(r["input"].as_str().unwrap().to_owned())
            .or_default()
            .push(r["event"].as_str().unwrap().to_owned());
        if r["event"] == "submitted" {
            assert_eq!(r["job"]["provider"], "tc-ocr");
            assert!(r["job"]["result"]["pages"].is_array(), "{r}");
        }
        if r["event"] == "done" {
            let name = r["output"].as_str().unwrap();
            assert!(out_dir.join(name).is_file());
            assert!(
                Path::new(r["input"].as_str().unwrap()).ends_with(name.trim_end_matches(".txt"))
            );
        }
    }
    assert_eq!(per_input.len(), 60);
    assert!(per_input
        .values()
        .all(|events| events == &["submitted", "done"]));
    assert_eq!(emu.submissions(Service::Ocr), 60);
    let err = stderr(&out);
    assert!(
        err.contains("summary: 60 done, 0 failed, 0 skipped"),
        "{err}"
    );

    // Run again: everything is skipped and nothing is sent.
    let out = run(batch()).await;
    assert_exit(&out, 0);
    assert!(stderr(&out).contains("summary: 0 done, 0 failed, 60 skipped (60 done earlier"));
    assert_eq!(emu.submissions(Service::Ocr), 60);
    assert_one_result_each(&out_dir, &inputs, true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_killed_mid_run_resumes_without_submitting_anything_twice() {
    // LKEAP tasks take a second; creating one is limited to 3 per second on the client while
    // polls are not, so between submissions the CLI sits in the rate limiter: a kill that
    // lands right after a journal append does not cut a submission in half.
    let durations = TaskDurations::new(Duration::from_millis(250), Duration::from_millis(750));
    let emu = emulator(
        EmulatorConfig::default()
            .without_rate_limits()
            .with_service_durations(ServiceDurations::all(durations)),
    )
    .await;
    let sandbox = Sandbox::new();
    let n = 16;
    let inputs = write_inputs(&sandbox.path().join("in"), n);
    let config = sandbox.write(
        "cloud-ocr.toml",
        "provider = \"lkeap\"\n[lkeap]\nrate_limits = { CreateReconstructDocumentFlow = 3.0 }\n\
         poll_interval_secs = 0.2\n",
    );
    let out_dir = sandbox.path().join("out");
    let batch = || {
        let mut cmd = sandbox.cloud_ocr(&tencent_vars());
        cmd.args(["batch", "in", "--out", "out", "--concurrency", "8"])
            .args(["--endpoint", emu.endpoints().tencent.as_str()])
            .arg("--config")
            .arg(&config);
        cmd
    };

    // First run: SIGKILL once ten submissions are journalled.
    let stderr_path = sandbox.path().join("first-run.stderr");
    let mut first = batch();
    first
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&stderr_path).unwrap());
    let mut child = first.spawn().unwrap();
    let started = Instant::now();
    loop {
        let submitted = count_events(&journal(&out_dir), "submitted");
        if submitted >= 10 {
            child.kill().unwrap(); // SIGKILL on Unix
            break;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!(
                "the first run ended before it could be killed ({status}):\n{}",
                std::fs::read_to_string(&stderr_path).unwrap_or_default()
            );
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no ten submissions within 60 s:\n{}",
            std::fs::read_to_string(&stderr_path).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    child.wait().unwrap();
    let records = journal(&out_dir);
    let submitted_before = count_events(&records, "submitted");
    let done_before = count_events(&records, "done");
    eprintln!("killed after {submitted_before} submissions, {done_before} done");
    assert!(
        submitted_before >= 10 && submitted_before < n,
        "{submitted_before}"
    );
    assert!(done_before < n);

    // Second run: finishes the rest, polling the saved jobs instead of submitting again.
    let out = run(batch()).await;
    assert_exit(&out, 0);
    let err = stderr(&out);
    let pending = submitted_before - done_before;
    assert!(
        err.contains(&format!(
            "{} to submit, {} to resume, {} done earlier",
            n - submitted_before,
            pending,
            done_before
        )),
        "submitted {submitted_before}, done {done_before}:\n{err}"
    );
    // What this run's results billed, and the part the killed run's submissions billed.
    let billed = format!("billed: {} billed call(s)", n - done_before);
    assert!(err.contains(&billed), "{billed:?} not in:\n{err}");
    if pending > 0 {
        let earlier = format!("(of which {pending} billed call(s)");
        assert!(err.contains(&earlier), "{earlier:?} not in:\n{err}");
    }
    assert_one_result_each(&out_dir, &inputs, false);
    assert_eq!(emu.submissions(Service::Lkeap), n as u64);
    assert_eq!(
        emu.submission_counts().get("CreateReconstructDocumentFlow"),
        Some(&(n as u64))
    );
    let records = journal(&out_dir);
    assert_eq!(count_events(&records, "submitted"), n);
    assert_eq!(count_events(&records, "failed"), 0);
    let done: BTreeSet<&str> = records
        .iter()
        .filter(|r| r["event"] == "done")
        .map(|r| r["input"].as_str().unwrap())
        .collect();
    assert_eq!(done.len(), n);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_input_shows_its_code_sets_exit_1_and_is_retried_on_request() {
    let durations = TaskDurations::new(Duration::from_millis(50), Duration::from_millis(150));
    let emu = emulator(
        EmulatorConfig::default()
            .without_rate_limits()
            .with_service_durations(ServiceDurations::all(durations)),
    )
    .await;
    // The first task created fails.
    emu.inject(
        Fault::task_failure(
            "FailedOperation.FileParseError",
            "the file cannot be parsed",
        )
        .for_service(Service::Lkeap),
    );
    let sandbox = Sandbox::new();
    let inputs = write_inputs(&sandbox.path().join("in"), 5);
    let list: String = inputs.iter().map(|(n, _)| format!("in/{n}\n")).collect();
    let list = sandbox.write("inputs.txt", format!("# the inputs\n{list}"));
    let config = sandbox.write("cloud-ocr.toml", "[lkeap]\npoll_interval_secs = 0.1\n");
    let out_dir: PathBuf = sandbox.path().join("out");
    let batch = |extra: &[&str]| {
        let mut cmd = sandbox.cloud_ocr(&tencent_vars());
        cmd.arg("batch")
            .arg(&list)
            .args(["--out", "out", "--concurrency", "1", "--provider", "lkeap"])
            .args(["--endpoint", emu.endpoints().tencent.as_str()])
            .arg("--config")
            .arg(&config)
            .args(extra);
        cmd
    };

    let out = run(batch(&[])).await;
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert!(err.contains("summary: 4 done, 1 failed"), "{err}");
    let failed_line = err
        .lines()
        .find(|l| l.starts_with("cloud-ocr:   failed ") && l.contains("doc-000.png"))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(
        failed_line.contains("FailedOperation.FileParseError"),
        "{failed_line}"
    );
    assert_eq!(results(&out_dir).len(), 4);
    let records = journal(&out_dir);
    let failed: Vec<_> = records.iter().filter(|r| r["event"] == "failed").collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["error"]["kind"], "task_failed");
    assert_eq!(failed[0]["error"]["code"], "FailedOperation.FileParseError");
    assert!(failed[0]["error"]["request_id"].is_string());

    // Again without --retry-failed: nothing is sent, the failure is still reported.
    let out = run(batch(&[])).await;
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert!(
        err.contains("0 done, 0 failed, 5 skipped (4 done earlier, 1 failed earlier)"),
        "{err}"
    );
    assert!(err.contains("FailedOperation.FileParseError"), "{err}");
    assert_eq!(emu.submissions(Service::Lkeap), 5);

    // With --retry-failed: the failed input is submitted again and succeeds.
    let out = run(batch(&["--retry-failed"])).await;
    assert_exit(&out, 0);
    assert_one_result_each(&out_dir, &inputs, false);
    assert_eq!(emu.submissions(Service::Lkeap), 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_folder_is_a_usage_error() {
    let sandbox = Sandbox::new();
    std::fs::create_dir_all(sandbox.path().join("in")).unwrap();
    let mut cmd = sandbox.cloud_ocr(&[]);
    cmd.args(["batch", "in", "--out", "out"]);
    let out = run(cmd).await;
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("nothing to recognise"),
        "{}",
        stderr(&out)
    );
}

/// Submitting is apart from waiting: with `-j 1` and tasks that take a second, an asynchronous
/// provider still gets many jobs in flight (the next input is submitted while earlier tasks
/// run, at the submission rate limit), and the run's task timer asks about most tasks once
/// instead of at once and then every second.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_asynchronous_batch_keeps_jobs_in_flight_and_asks_about_most_tasks_once() {
    let durations = TaskDurations::new(Duration::from_millis(250), Duration::from_millis(750));
    let emu = emulator(
        EmulatorConfig::default().with_service_durations(ServiceDurations {
            lkeap: durations,
            ..ServiceDurations::default()
        }),
    )
    .await;
    let sandbox = Sandbox::new();
    let inputs = write_inputs(&sandbox.path().join("in"), 40);
    let mut cmd = sandbox.cloud_ocr(&tencent_vars());
    cmd.args([
        "batch",
        "in",
        "--out",
        "out",
        "-j",
        "1",
        "--provider",
        "lkeap",
    ])
    .args(["--endpoint", emu.endpoints().tencent.as_str()]);
    let out = run(cmd).await;
    assert_exit(&out, 0);
    assert_one_result_each(&sandbox.path().join("out"), &inputs, false);

    let record = emu.recorded_requests();
    let actions: Vec<&str> = record.iter().filter_map(|r| r.action.as_deref()).collect();
    let creates = actions
        .iter()
        .filter(|a| **a == "CreateReconstructDocumentFlow")
        .count();
    let queries = actions
        .iter()
        .filter(|a| **a == "GetReconstructDocumentResult")
        .count();
    // Paced within the limits: nothing was throttled, so nothing was sent again.
    assert_eq!(emu.throttled_requests(), 0, "{actions:?}");
    assert_eq!(creates, 40, "{actions:?}");
    // Before the first question about a task, more than `-j` tasks were submitted.
    let before_first_query = actions
        .iter()
        .take_while(|a| **a != "GetReconstructDocumentResult")
        .filter(|a| **a == "CreateReconstructDocumentFlow")
        .count();
    assert!(before_first_query >= 5, "{actions:?}");
    // Each task is asked about at least once, and most exactly once (polling at once and
    // then every second would take two or more each).
    assert!(
        (40..=60).contains(&queries),
        "{queries} queries: {actions:?}"
    );
}

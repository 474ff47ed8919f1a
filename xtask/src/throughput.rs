//! The batch section of `cargo xtask bench`: `cloud-ocr batch` of many small images on the
//! embedded emulator, per provider, in documents per second against the provider's ceiling.
//!
//! The ceiling is what the documented rate limits allow at best: for each action a document
//! needs, its limit divided by how many calls of it a document needs at least, and the lowest
//! of those. The emulator enforces the same limits, so the row says how close the batch
//! scheduler comes to what the account allows. The time is wall time from start to exit of
//! the release binary, including the first task's latency (about two seconds on the emulator)
//! and the writing of every result file; every input must be done and none may fail.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::bench::{Goal, Options, Quantity, Row};

/// One provider's batch case: how many inputs, and the ceiling with where it comes from.
#[derive(Debug, Clone, Copy)]
pub struct BatchCase {
    /// The `-p` value.
    pub provider: &'static str,
    /// Documents per second the documented limits allow at best.
    pub ceiling: f64,
    /// Where the ceiling comes from, for the row.
    pub why: &'static str,
    /// Inputs in a full run (the acceptance: 500) and in a quick one.
    pub inputs: (usize, usize),
}

/// The four providers: tc-ocr is synchronous, the others submit a task and poll it.
pub const BATCH_CASES: [BatchCase; 4] = [
    BatchCase {
        provider: "tc-ocr",
        ceiling: 10.0,
        why: "GeneralAccurateOCR 10/s, 1 call each",
        inputs: (500, 40),
    },
    BatchCase {
        provider: "lkeap",
        ceiling: 20.0,
        why: "Create and Get…Result 20/s each, 1+1 calls",
        inputs: (500, 60),
    },
    BatchCase {
        provider: "cos-ci",
        ceiling: 20.0,
        why: "DescribeJobs 20/s, 1 call each; Put/Submit/Delete 100/s",
        inputs: (500, 60),
    },
    BatchCase {
        provider: "picwish",
        ceiling: 1.0,
        why: "2 requests/s for create and query together, 1+1 calls",
        inputs: (500, 12),
    },
];

/// Builds the release `cloud-ocr` and returns its path.
pub fn release_cli(root: &Path) -> Result<PathBuf, String> {
    crate::run_cargo(
        root,
        "bench",
        &["build", "--release", "--locked", "-p", "cloud-ocr-cli"],
    )?;
    Ok(crate::bench::target_dir(root)?
        .join("release")
        .join("cloud-ocr"))
}

/// Runs every case with the release binary `binary`; one row each.
pub fn batch_rows(binary: &Path, options: Options) -> Result<Vec<Row>, String> {
    let mut rows = Vec::new();
    for case in BATCH_CASES {
        let inputs = if options.quick {
            case.inputs.1
        } else {
            case.inputs.0
        };
        let per_second = run_case(binary, case.provider, inputs)?;
        // The goal is for a batch of 500: a quick run's few inputs are mostly the first
        // task's latency (and, for tc-ocr, the initial burst), so its row states none.
        let goal = (!options.quick).then_some(Goal::RatioAtLeast(0.9));
        rows.push(Row::compare(
            &format!(
                "batch {inputs} images, {} docs/s / ceiling ({})",
                case.provider, case.why
            ),
            Quantity::PerSecond(per_second),
            Quantity::PerSecond(case.ceiling),
            goal,
        ));
    }
    Ok(rows)
}

/// Runs one batch of `inputs` distinct small PNG images and returns documents per second.
fn run_case(binary: &Path, provider: &str, inputs: usize) -> Result<f64, String> {
    let dir = Scratch::new(&format!("batch-{provider}"))?;
    let docs = dir.path().join("in");
    let out = dir.path().join("out");
    let summary = dir.path().join("summary.jsonl");
    std::fs::create_dir_all(&docs).map_err(|e| format!("cannot create {}: {e}", docs.display()))?;
    for i in 0..inputs {
        let png = ocr_emulator::samples::png_with_text(160, 24, &format!("BENCH DOC {i:04}"));
        let path = docs.join(format!("doc-{i:04}.png"));
        std::fs::write(&path, png).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    eprintln!("bench: cloud-ocr batch of {inputs} images with {provider}");
    let started = Instant::now();
    let output = Command::new(binary)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir.path())
        .args(["batch", "-q", "--emulator", "--no-cache", "-p", provider])
        .arg(&docs)
        .arg("--out")
        .arg(&out)
        .arg("--summary")
        .arg(&summary)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
    let seconds = started.elapsed().as_secs_f64();
    if !output.status.success() {
        return Err(format!(
            "cloud-ocr batch with {provider} failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let text = std::fs::read_to_string(&summary)
        .map_err(|e| format!("cannot read {}: {e}", summary.display()))?;
    let (done, failed) = totals(&text)?;
    if done != inputs || failed != 0 {
        return Err(format!(
            "cloud-ocr batch with {provider}: {done} of {inputs} done, {failed} failed"
        ));
    }
    Ok(inputs as f64 / seconds)
}

/// `done` and `failed` of the summary's last line (`{"total": {...}}`).
fn totals(summary: &str) -> Result<(usize, usize), String> {
    let last = summary.lines().last().ok_or("the summary is empty")?;
    let value: serde_json::Value =
        serde_json::from_str(last).map_err(|e| format!("the summary's total is not JSON: {e}"))?;
    let count = |name: &str| {
        value["total"][name]
            .as_u64()
            .map(|n| n as usize)
            .ok_or_else(|| format!("the summary's total has no {name}: {last}"))
    };
    Ok((count("done")?, count("failed")?))
}

/// A folder under the system's temporary directory, removed when dropped.
pub struct Scratch(PathBuf);

impl Scratch {
    /// A new empty folder named after `label` and this process.
    pub fn new(label: &str) -> Result<Self, String> {
        let path =
            std::env::temp_dir().join(format!("cloud-ocr-bench-{label}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path)
            .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        Ok(Self(path))
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_totals_line_of_a_summary() {
        let summary = "{\"input\":\"a.png\",\"status\":\"done\"}\n\
                       {\"total\":{\"done\":3,\"failed\":1,\"cached\":0}}\n";
        assert_eq!(totals(summary).unwrap(), (3, 1));
        assert!(totals("").is_err());
        assert!(totals("{\"total\":{}}").is_err());
    }
}

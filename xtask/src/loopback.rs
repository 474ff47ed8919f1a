//! The loopback section of `cargo xtask bench`: one GeneralBasicOCR call through `TencentOcr`
//! against a bare signed `reqwest` POST of the same request, both against the emulator
//! (`crates/tc-ocr/benches/loopback.rs`, which prints one JSON line that this reads): calls per
//! second sequentially and 32 at a time, and the client's CPU time per call.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::bench::{Goal, Options, Quantity, Row};

/// Runs the loopback bench (release) and returns its rows.
pub fn loopback_rows(root: &Path, options: Options) -> Result<Vec<Row>, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut args = vec![
        "bench", "--locked", "-p", "tc-ocr", "--bench", "loopback", "--",
    ];
    if options.quick {
        args.push("--quick");
    }
    eprintln!("bench: {cargo} {}", args.join(" "));
    let output = Command::new(&cargo)
        .current_dir(root)
        .args(&args)
        .output()
        .map_err(|e| format!("cannot run {cargo}: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "the loopback bench failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    rows_of(&stdout)
}

/// The rows of the bench's JSON line (the last line of `stdout` that parses).
fn rows_of(stdout: &str) -> Result<Vec<Row>, String> {
    let figures: Value = stdout
        .lines()
        .rev()
        .find_map(|line| serde_json::from_str(line).ok())
        .ok_or_else(|| format!("the loopback bench printed no figures:\n{stdout}"))?;
    let get = |mode: &str, name: &str| {
        figures[mode][name]
            .as_f64()
            .ok_or_else(|| format!("the loopback figures have no {mode}.{name}"))
    };
    let mut rows = Vec::new();
    for (mode, label) in [
        ("sequential", "sequential"),
        ("concurrent", "32 concurrent"),
    ] {
        rows.push(Row::compare(
            &format!("loopback GeneralBasicOCR, {label}: calls/s / raw reqwest"),
            Quantity::PerSecond(get(mode, "ours_per_s")?),
            Quantity::PerSecond(get(mode, "raw_per_s")?),
            Some(Goal::RatioAtLeast(0.9)),
        ));
        rows.push(Row::compare(
            &format!("loopback GeneralBasicOCR, {label}: client CPU per call / raw reqwest"),
            Quantity::Nanos(get(mode, "ours_cpu_ns")?),
            Quantity::Nanos(get(mode, "raw_cpu_ns")?),
            Some(Goal::RatioAtMost(1.25)),
        ));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_figures_line() {
        let stdout = "running\n{\"sequential\":{\"ours_per_s\":900.0,\"raw_per_s\":1000.0,\
                      \"ours_cpu_ns\":120000,\"raw_cpu_ns\":100000},\"concurrent\":{\
                      \"ours_per_s\":3000.0,\"raw_per_s\":3000.0,\"ours_cpu_ns\":90000,\
                      \"raw_cpu_ns\":100000}}\n";
        let rows = rows_of(stdout).unwrap();
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[0].ratio, Some(0.9));
        assert_eq!(rows[0].goal_met(), Some(true));
        assert_eq!(rows[1].ratio, Some(1.2));
        assert_eq!(rows[3].goal_met(), Some(true));
        assert!(rows_of("no figures\n").is_err());
    }
}

//! The table of `cargo xtask bench` (its [`Row`]s and how they render) and its signing section.
//!
//! Each [`Row`] compares a measured value with a reference measured in the same run (the
//! crypto floor of a signature, a raw `reqwest` call, the ceiling the rate limits allow …)
//! and, where there is one, states the goal. The signing rows come from the `tc-signing`
//! criterion benches (`crates/tc-signing/benches/signing.rs`): each signer against the bare
//! hashing and HMAC it cannot avoid. The other sections add rows to the same table
//! ([`crate::benchmarks::collect_rows`]).
//!
//! Times are criterion's median per iteration, read from
//! `<target>/criterion/<group>/<bench>/new/estimates.json` after each round; a file older than
//! its round is an error, so every figure of a table comes from the same run. The benches run
//! [`ROUNDS`] times and each figure is the lowest of its medians: on a shared machine another
//! process only ever makes a round slower, and a value and its reference measured minutes apart
//! under different load would otherwise give a ratio that says more about the load.
//!
//! The exit status says whether the benchmarks ran and every row could be computed, not
//! whether the goals are met: timings on shared machines (CI runners, `--quick`) are too noisy
//! to gate on. A missed goal is printed as such.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

/// How many times the benches run; each figure is the lowest median of the rounds.
pub const ROUNDS: usize = 3;

/// What `cargo xtask bench` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options {
    /// Short warm-up and measurement (about half a minute once built): what CI runs. Good to
    /// a few percent on a quiet machine; use the full run for published figures.
    pub quick: bool,
}

impl Options {
    /// Parses the arguments after `bench`.
    pub fn parse(args: &[&str]) -> Result<Self, String> {
        match args {
            [] => Ok(Self { quick: false }),
            ["--quick"] => Ok(Self { quick: true }),
            other => Err(format!(
                "unknown arguments to bench: {} (expected nothing or --quick)",
                other.join(" ")
            )),
        }
    }

    /// The criterion arguments for this mode.
    fn criterion_args(self) -> &'static [&'static str] {
        if self.quick {
            &[
                "--warm-up-time",
                "0.2",
                "--measurement-time",
                "0.5",
                "--sample-size",
                "30",
                "--nresamples",
                "10000",
            ]
        } else {
            // criterion's defaults (3 s warm-up, 5 s measurement, 100 samples), spelled out.
            &[
                "--warm-up-time",
                "3",
                "--measurement-time",
                "5",
                "--sample-size",
                "100",
            ]
        }
    }
}

/// A measured quantity with its unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Quantity {
    /// Time per operation, in nanoseconds.
    Nanos(f64),
    /// A size in bytes (resident memory, say).
    Bytes(f64),
    /// Operations per second.
    PerSecond(f64),
}

impl Quantity {
    /// `self / other` when both have the same unit.
    pub fn ratio_to(self, other: Quantity) -> Option<f64> {
        let (a, b) = match (self, other) {
            (Self::Nanos(a), Self::Nanos(b))
            | (Self::Bytes(a), Self::Bytes(b))
            | (Self::PerSecond(a), Self::PerSecond(b)) => (a, b),
            _ => return None,
        };
        (b > 0.0 && a.is_finite() && b.is_finite()).then(|| a / b)
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Nanos(ns) if ns >= 1e6 => write!(f, "{:.2} ms", ns / 1e6),
            Self::Nanos(ns) if ns >= 1e3 => write!(f, "{:.3} µs", ns / 1e3),
            Self::Nanos(ns) => write!(f, "{ns:.1} ns"),
            Self::Bytes(b) if b >= 1024.0 * 1024.0 => write!(f, "{:.1} MiB", b / 1024.0 / 1024.0),
            Self::Bytes(b) if b >= 1024.0 => write!(f, "{:.1} KiB", b / 1024.0),
            Self::Bytes(b) => write!(f, "{b:.0} B"),
            Self::PerSecond(n) if n < 100.0 => write!(f, "{n:.2} /s"),
            Self::PerSecond(n) => write!(f, "{n:.0} /s"),
        }
    }
}

/// What a row should show.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Goal {
    /// The ratio (value / reference) is at most this.
    RatioAtMost(f64),
    /// The ratio is at least this (throughput against a baseline, say).
    RatioAtLeast(f64),
    /// The value itself is at most this (and in the same unit).
    ValueAtMost(Quantity),
}

impl Goal {
    /// Whether `row` meets the goal; `None` when it cannot be told (no ratio, other unit).
    pub fn is_met(&self, row: &Row) -> Option<bool> {
        match *self {
            Self::RatioAtMost(max) => row.ratio.map(|r| r <= max),
            Self::RatioAtLeast(min) => row.ratio.map(|r| r >= min),
            Self::ValueAtMost(max) => row.value.ratio_to(max).map(|r| r <= 1.0),
        }
    }
}

impl fmt::Display for Goal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RatioAtMost(max) => write!(f, "≤ {max:.2}×"),
            Self::RatioAtLeast(min) => write!(f, "≥ {min:.2}×"),
            Self::ValueAtMost(max) => write!(f, "≤ {max}"),
        }
    }
}

/// One line of the table: a measured value, what it is compared with, and the goal.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// What is measured against what, e.g. `TC3 sign (cached) / floor`.
    pub what: String,
    /// The measured value.
    pub value: Quantity,
    /// The reference measured in the same run, if the row is a comparison.
    pub reference: Option<Quantity>,
    /// `value / reference`.
    pub ratio: Option<f64>,
    /// The goal, if the row has one (rows without are for information).
    pub goal: Option<Goal>,
}

impl Row {
    /// A row comparing `value` with `reference`; the ratio is computed.
    pub fn compare(what: &str, value: Quantity, reference: Quantity, goal: Option<Goal>) -> Self {
        Self {
            what: what.to_owned(),
            value,
            reference: Some(reference),
            ratio: value.ratio_to(reference),
            goal,
        }
    }

    /// Whether the goal is met; `None` without a goal or when it cannot be told.
    pub fn goal_met(&self) -> Option<bool> {
        self.goal.as_ref().and_then(|goal| goal.is_met(self))
    }
}

/// Renders rows as an aligned plain-text table (one header line, one line per row).
pub fn render(rows: &[Row]) -> String {
    let header = ["what", "value", "reference", "ratio", "goal", "met"];
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|row| {
            [
                row.what.clone(),
                row.value.to_string(),
                row.reference.map(|r| r.to_string()).unwrap_or_default(),
                row.ratio.map(|r| format!("{r:.2}×")).unwrap_or_default(),
                row.goal.map(|g| g.to_string()).unwrap_or_default(),
                match row.goal_met() {
                    Some(true) => "yes".to_owned(),
                    Some(false) => "NO".to_owned(),
                    None => String::new(),
                },
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for line in &cells {
        for (width, cell) in widths.iter_mut().zip(line) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut push_line = |line: &[String]| {
        let mut text = String::new();
        for (i, (cell, width)) in line.iter().zip(widths).enumerate() {
            let pad = width - cell.chars().count();
            if i == 0 {
                // Left-aligned label, right-aligned figures.
                text.push_str(cell);
                text.push_str(&" ".repeat(pad));
            } else {
                text.push_str("  ");
                text.push_str(&" ".repeat(pad));
                text.push_str(cell);
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    push_line(&header.map(str::to_owned));
    for line in &cells {
        push_line(line);
    }
    out
}

/// The criterion ids (`group/bench`) of the signing benches.
pub const SIGNING_BENCHES: &[&str] = &[
    "tc3/sign_cached",
    "tc3/sign_uncached",
    "tc3/floor",
    "cos/sign_cached",
    "cos/sign_uncached",
    "cos/floor",
];

/// The goal of a cached signer against its floor.
pub const SIGNING_GOAL: Goal = Goal::RatioAtMost(1.3);

/// Median times (ns) of named criterion benchmarks.
pub trait Medians {
    /// The median of benchmark `id` (`group/bench`), in nanoseconds.
    fn median_ns(&self, id: &str) -> Result<f64, String>;
}

/// The lowest median of each benchmark over several rounds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LowestMedians(std::collections::BTreeMap<String, f64>);

impl LowestMedians {
    /// Records the medians of one round of the benchmarks `ids`.
    pub fn record(&mut self, round: &dyn Medians, ids: &[&str]) -> Result<(), String> {
        for id in ids {
            let median = round.median_ns(id)?;
            let lowest = self.0.entry((*id).to_owned()).or_insert(median);
            *lowest = lowest.min(median);
        }
        Ok(())
    }
}

impl Medians for LowestMedians {
    fn median_ns(&self, id: &str) -> Result<f64, String> {
        self.0
            .get(id)
            .copied()
            .ok_or_else(|| format!("no result for {id}"))
    }
}

/// The rows of the signing section.
pub fn signing_rows(medians: &dyn Medians) -> Result<Vec<Row>, String> {
    let ns = |id: &str| medians.median_ns(id).map(Quantity::Nanos);
    let (tc3_floor, cos_floor) = (ns("tc3/floor")?, ns("cos/floor")?);
    Ok(vec![
        Row::compare(
            "TC3 sign 1 KiB (Tc3Signer, cached key) / floor",
            ns("tc3/sign_cached")?,
            tc3_floor,
            Some(SIGNING_GOAL),
        ),
        Row::compare(
            "TC3 sign 1 KiB (sign_tc3, key derived) / floor",
            ns("tc3/sign_uncached")?,
            tc3_floor,
            None,
        ),
        Row::compare(
            "COS q-sign + Authorization (CosSigner, cached key) / floor",
            ns("cos/sign_cached")?,
            cos_floor,
            Some(SIGNING_GOAL),
        ),
        Row::compare(
            "COS q-sign + Authorization (sign_cos, key derived) / floor",
            ns("cos/sign_uncached")?,
            cos_floor,
            None,
        ),
    ])
}

/// Criterion's results on disk, as written by this run.
struct CriterionDir {
    dir: PathBuf,
    /// Results older than this are from an earlier run.
    since: SystemTime,
}

impl Medians for CriterionDir {
    fn median_ns(&self, id: &str) -> Result<f64, String> {
        let path = self.dir.join(id).join("new").join("estimates.json");
        let modified = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .map_err(|e| format!("no result for {id} ({}): {e}", path.display()))?;
        if modified < self.since {
            return Err(format!(
                "{} is older than this run: was {id} measured?",
                path.display()
            ));
        }
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        median_from_estimates(&text).map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// The median point estimate (ns) of a criterion `estimates.json`.
pub fn median_from_estimates(json: &str) -> Result<f64, String> {
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| format!("not JSON: {e}"))?;
    value
        .pointer("/median/point_estimate")
        .and_then(serde_json::Value::as_f64)
        .ok_or_else(|| "no median.point_estimate".to_owned())
}

/// The signing section: runs the `tc-signing` benches [`ROUNDS`] times and compares each
/// signer with its floor.
pub fn signing_section(root: &Path, options: Options) -> Result<Vec<Row>, String> {
    let dir = criterion_dir(root)?;
    let mut args = vec![
        "bench",
        "-p",
        "tc-signing",
        "--bench",
        "signing",
        "--",
        "--noplot",
    ];
    args.extend_from_slice(options.criterion_args());
    let mut signing = LowestMedians::default();
    for round in 1..=ROUNDS {
        eprintln!("bench: round {round} of {ROUNDS}");
        let since = SystemTime::now();
        crate::run_cargo(root, "bench", &args)?;
        let results = CriterionDir {
            dir: dir.clone(),
            since,
        };
        signing.record(&results, SIGNING_BENCHES)?;
    }
    signing_rows(&signing)
}

/// Where criterion writes: `$CRITERION_HOME`, else `<cargo target dir>/criterion`.
fn criterion_dir(root: &Path) -> Result<PathBuf, String> {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return Ok(PathBuf::from(home));
    }
    Ok(target_dir(root)?.join("criterion"))
}

/// The workspace's target directory, as `cargo metadata` tells it.
pub fn target_dir(root: &Path) -> Result<PathBuf, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(&cargo)
        .current_dir(root)
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .output()
        .map_err(|e| format!("cannot run {cargo} metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!("{cargo} metadata failed ({})", output.status));
    }
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("cargo metadata is not JSON: {e}"))?;
    let target = metadata
        .get("target_directory")
        .and_then(serde_json::Value::as_str)
        .ok_or("cargo metadata names no target_directory")?;
    Ok(PathBuf::from(target))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Fixed(HashMap<&'static str, f64>);

    impl Medians for Fixed {
        fn median_ns(&self, id: &str) -> Result<f64, String> {
            self.0.get(id).copied().ok_or_else(|| format!("no {id}"))
        }
    }

    #[test]
    fn options_parse() {
        assert_eq!(Options::parse(&[]), Ok(Options { quick: false }));
        assert_eq!(Options::parse(&["--quick"]), Ok(Options { quick: true }));
        assert!(Options::parse(&["--fast"]).is_err());
    }

    #[test]
    fn signing_rows_compare_with_the_floor_of_the_same_scheme() {
        let medians = Fixed(HashMap::from([
            ("tc3/sign_cached", 1_200.0),
            ("tc3/sign_uncached", 2_000.0),
            ("tc3/floor", 1_000.0),
            ("cos/sign_cached", 600.0),
            ("cos/sign_uncached", 900.0),
            ("cos/floor", 400.0),
        ]));
        let rows = signing_rows(&medians).unwrap();
        let ratios: Vec<Option<f64>> = rows.iter().map(|r| r.ratio).collect();
        assert_eq!(ratios, [Some(1.2), Some(2.0), Some(1.5), Some(2.25)]);
        let met: Vec<Option<bool>> = rows.iter().map(Row::goal_met).collect();
        assert_eq!(met, [Some(true), None, Some(false), None]);
        assert!(signing_rows(&Fixed(HashMap::new())).is_err());
        // Every id the rows read is a bench the harness records.
        for id in medians.0.keys() {
            assert!(SIGNING_BENCHES.contains(id));
        }
    }

    #[test]
    fn table_is_aligned_and_marks_missed_goals() {
        let rows = [
            Row::compare(
                "fast / floor",
                Quantity::Nanos(1_100.0),
                Quantity::Nanos(1_000.0),
                Some(Goal::RatioAtMost(1.3)),
            ),
            Row::compare(
                "slow / floor",
                Quantity::Nanos(550.0),
                Quantity::Nanos(366.0),
                Some(Goal::RatioAtMost(1.3)),
            ),
            Row {
                what: "RSS".to_owned(),
                value: Quantity::Bytes(3.0 * 1024.0 * 1024.0),
                reference: None,
                ratio: None,
                goal: Some(Goal::ValueAtMost(Quantity::Bytes(64.0 * 1024.0 * 1024.0))),
            },
        ];
        let table = render(&rows);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[0].starts_with("what"));
        assert!(lines[1].contains("1.100 µs") && lines[1].contains("1.10×"));
        assert!(lines[1].ends_with("yes"));
        assert!(lines[2].contains("550.0 ns") && lines[2].ends_with("NO"));
        assert!(lines[3].contains("3.0 MiB") && lines[3].ends_with("yes"));
        // Figures are right-aligned: every ratio ends in the same column.
        let column = |line: &str| line.find('×').map(|i| line[..i].chars().count());
        assert_eq!(column(lines[1]), column(lines[2]));
    }

    #[test]
    fn the_lowest_median_of_the_rounds_is_kept() {
        let mut lowest = LowestMedians::default();
        let round = |a: f64, b: f64| Fixed(HashMap::from([("g/a", a), ("g/b", b)]));
        lowest.record(&round(10.0, 7.0), &["g/a", "g/b"]).unwrap();
        lowest.record(&round(8.0, 9.0), &["g/a", "g/b"]).unwrap();
        assert_eq!(lowest.median_ns("g/a"), Ok(8.0));
        assert_eq!(lowest.median_ns("g/b"), Ok(7.0));
        assert!(lowest.median_ns("g/c").is_err());
        assert!(lowest.record(&round(1.0, 1.0), &["g/c"]).is_err());
    }

    #[test]
    fn units_do_not_mix() {
        assert_eq!(Quantity::Nanos(2.0).ratio_to(Quantity::Bytes(1.0)), None);
        assert_eq!(Quantity::Nanos(2.0).ratio_to(Quantity::Nanos(0.0)), None);
        assert_eq!(
            Quantity::PerSecond(300.0).ratio_to(Quantity::PerSecond(100.0)),
            Some(3.0)
        );
    }

    #[test]
    fn reads_the_median_of_criterion_estimates() {
        let json = r#"{"mean":{"confidence_interval":{"confidence_level":0.95,
            "lower_bound":1.0,"upper_bound":3.0},"point_estimate":2.0,"standard_error":0.1},
            "median":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,
            "upper_bound":2.0},"point_estimate":1.5,"standard_error":0.1}}"#;
        assert_eq!(median_from_estimates(json), Ok(1.5));
        assert!(median_from_estimates("{}").is_err());
        assert!(median_from_estimates("nope").is_err());
    }
}

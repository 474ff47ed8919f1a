//! `cargo xtask fuzz`: replay the fuzz regressions, build the cargo-fuzz targets of `fuzz/`,
//! and run each for a while.
//!
//! 1. `cargo test` of `fuzz/checks` on the default toolchain: every seed (`fuzz/corpus/<T>`) and
//!    every input that once failed (`fuzz/regressions/<T>`) goes through the target's checks;
//! 2. `cargo +nightly fuzz build`, all targets (or the one asked for) in one build;
//! 3. `cargo +nightly fuzz run <T>` for `--seconds` each: the corpus it grows is
//!    `fuzz/target/corpus/<T>` (never written back into the repository), read together with the
//!    seeds and the regressions; a failing input is written to `fuzz/regressions/<T>/`, where
//!    step 1 replays it from then on, and the run fails naming it.
//!
//! Everything builds in `fuzz/target` (the fuzz workspace's own, whatever `CARGO_TARGET_DIR`
//! says). Without the nightly toolchain or cargo-fuzz the command fails, naming what to install;
//! it never succeeds without having fuzzed. `--replay` does step 1 only (stable is enough).

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Seconds each target runs by default.
pub const DEFAULT_SECONDS: u64 = 20;

/// The sanitizer the targets are built with by default. Every crate under test forbids
/// `unsafe`, so AddressSanitizer would mostly watch the dependencies; without it the build is
/// faster and each second of fuzzing runs about twice the inputs. `--sanitizer address` turns it
/// on.
pub const DEFAULT_SANITIZER: &str = "none";

/// `cargo fuzz --codegen-units`: 16 instead of its 1 builds faster on few cores, for inputs
/// run only slightly slower.
pub const CODEGEN_UNITS: &str = "16";

/// libFuzzer's limit on one input, in seconds: a hang fails the run instead of stalling it.
pub const INPUT_TIMEOUT_SECS: u64 = 10;

/// How to install what is missing.
pub const INSTALL_NIGHTLY: &str = "rustup toolchain install nightly";
/// How to install cargo-fuzz.
pub const INSTALL_CARGO_FUZZ: &str = "cargo install cargo-fuzz --locked";

/// The usage line.
pub const USAGE: &str =
    "cargo xtask fuzz [--seconds N] [--target T] [--sanitizer address|none] [--replay]";

/// What `cargo xtask fuzz` was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Seconds per target (at least 1).
    pub seconds: u64,
    /// One target only.
    pub target: Option<String>,
    /// The `cargo fuzz --sanitizer` value.
    pub sanitizer: String,
    /// Only replay the seeds and regressions (no nightly, no fuzzing).
    pub replay_only: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            seconds: DEFAULT_SECONDS,
            target: None,
            sanitizer: DEFAULT_SANITIZER.to_owned(),
            replay_only: false,
        }
    }
}

/// Parses the arguments after `fuzz`.
///
/// ```
/// use xtask::fuzz::{parse_args, Options};
/// let o = parse_args(&["--seconds", "5", "--target", "lkeap_sse"]).unwrap();
/// assert_eq!((o.seconds, o.target.as_deref()), (5, Some("lkeap_sse")));
/// assert_eq!(parse_args(&[]).unwrap(), Options::default());
/// assert!(parse_args(&["--seconds", "0"]).is_err());
/// ```
pub fn parse_args(args: &[&str]) -> Result<Options, String> {
    let mut options = Options::default();
    let mut rest = args.iter();
    while let Some(&arg) = rest.next() {
        let mut value = |name: &str| {
            rest.next()
                .map(|v| (*v).to_owned())
                .ok_or_else(|| format!("{name} needs a value\nusage: {USAGE}"))
        };
        match arg {
            "--seconds" => {
                let v = value(arg)?;
                options.seconds = match v.parse::<u64>() {
                    Ok(n) if n >= 1 => n,
                    _ => {
                        return Err(format!(
                            "--seconds takes a whole number of at least 1, not `{v}`"
                        ))
                    }
                };
            }
            "--target" => options.target = Some(value(arg)?),
            "--sanitizer" => {
                let v = value(arg)?;
                if !matches!(v.as_str(), "address" | "none") {
                    return Err(format!("--sanitizer is `address` or `none`, not `{v}`"));
                }
                options.sanitizer = v;
            }
            "--replay" => options.replay_only = true,
            other => return Err(format!("unknown argument `{other}`\nusage: {USAGE}")),
        }
    }
    Ok(options)
}

/// The fuzz targets: the files of `fuzz/fuzz_targets/*.rs`, by name, sorted.
pub fn targets(root: &Path) -> Result<Vec<String>, String> {
    let dir = root.join("fuzz/fuzz_targets");
    let read = fs::read_dir(&dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    let mut out: Vec<String> = read
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".rs").map(str::to_owned)
        })
        .collect();
    out.sort();
    if out.is_empty() {
        return Err(format!("no fuzz target in {}", dir.display()));
    }
    Ok(out)
}

/// The programs run: `cargo` (the rustup proxy, so that `+nightly` selects the toolchain).
#[derive(Debug, Clone)]
pub struct Tools {
    /// The `cargo` to run.
    pub cargo: PathBuf,
}

impl Default for Tools {
    fn default() -> Self {
        // Not `$CARGO`: under `cargo run` that is the toolchain's own cargo, which does not
        // understand `+nightly`.
        Tools {
            cargo: PathBuf::from("cargo"),
        }
    }
}

impl Tools {
    /// A `cargo` command run from `root`, with `fuzz/target` as its target directory and no
    /// toolchain forced by the environment of the `cargo xtask` that started it.
    fn cargo(&self, root: &Path) -> Command {
        let mut cmd = Command::new(&self.cargo);
        cmd.current_dir(root)
            .env("CARGO_TARGET_DIR", root.join("fuzz/target"))
            .env_remove("CARGO_BUILD_TARGET_DIR")
            .env_remove("RUSTUP_TOOLCHAIN")
            .env_remove("CARGO");
        cmd
    }

    /// Fails, naming what to install, unless `cargo +nightly` and `cargo +nightly fuzz` run.
    pub fn preflight(&self, root: &Path) -> Result<(), String> {
        let nightly = self.cargo(root).args(["+nightly", "--version"]).output();
        match nightly {
            Err(e) => {
                return Err(format!(
                    "cannot run `{}`: {e}; fuzzing needs rustup with the nightly toolchain \
                     (`{INSTALL_NIGHTLY}`) and cargo-fuzz (`{INSTALL_CARGO_FUZZ}`)",
                    self.cargo.display()
                ))
            }
            Ok(out) if !out.status.success() => {
                return Err(format!(
                    "the nightly toolchain is missing (`cargo +nightly --version` failed: {}); \
                     install it with `{INSTALL_NIGHTLY}` (through rustup)",
                    first_line(&out)
                ))
            }
            Ok(_) => {}
        }
        let fuzz = self
            .cargo(root)
            .args(["+nightly", "fuzz", "--version"])
            .output()
            .map_err(|e| format!("cannot run `cargo +nightly fuzz`: {e}"))?;
        if !fuzz.status.success() {
            return Err(format!(
                "cargo-fuzz is missing (`cargo +nightly fuzz --version` failed: {}); install it \
                 with `{INSTALL_CARGO_FUZZ}`",
                first_line(&fuzz)
            ));
        }
        Ok(())
    }
}

fn first_line(out: &Output) -> String {
    let text = String::from_utf8_lossy(&out.stderr);
    let line = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("no message");
    line.trim().to_owned()
}

/// How one target's run went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetRun {
    /// The target.
    pub target: String,
    /// libFuzzer's count of inputs run, if it said.
    pub runs: Option<u64>,
    /// Inputs it wrote to `fuzz/regressions/<target>/` (paths relative to the root).
    pub failures: Vec<String>,
    /// Whether libFuzzer (or cargo fuzz) exited with an error.
    pub failed: bool,
    /// How long it took.
    pub elapsed: Duration,
}

/// What a whole `cargo xtask fuzz` did.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// The replay of seeds and regressions.
    pub replay: Duration,
    /// The build of the targets.
    pub build: Duration,
    /// Each target's run.
    pub runs: Vec<TargetRun>,
}

impl Report {
    /// Whether every target ran without finding anything.
    pub fn is_clean(&self) -> bool {
        self.runs.iter().all(|r| !r.failed)
    }

    /// The summary printed at the end.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        for r in &self.runs {
            let runs = r.runs.map_or_else(|| "?".to_owned(), |n| n.to_string());
            let verdict = if r.failed { "FAILED" } else { "ok" };
            out.push_str(&format!(
                "  {:<18} {verdict:<6} {runs:>9} inputs in {}\n",
                r.target,
                secs(r.elapsed)
            ));
            for f in &r.failures {
                out.push_str(&format!("    failing input kept: {f}\n"));
            }
        }
        let total: Duration = self.replay + self.build + self.runs.iter().map(|r| r.elapsed).sum();
        out.push_str(&format!(
            "replay {}, build {}, total {}",
            secs(self.replay),
            secs(self.build),
            secs(total)
        ));
        out
    }
}

fn secs(d: Duration) -> String {
    format!("{:.1}s", d.as_secs_f64())
}

/// Runs `cargo xtask fuzz` with `options` on the tree at `root`.
pub fn run(root: &Path, options: &Options, tools: &Tools) -> Result<Report, String> {
    let all = targets(root)?;
    let chosen: Vec<String> = match &options.target {
        Some(t) if all.contains(t) => vec![t.clone()],
        Some(t) => {
            return Err(format!(
                "no fuzz target `{t}`; the targets are: {}",
                all.join(", ")
            ))
        }
        None => all,
    };
    if !options.replay_only {
        tools.preflight(root)?;
    }
    let mut report = Report::default();

    println!("== fuzz: replaying the seeds and regressions (cargo test, fuzz/checks)");
    let started = Instant::now();
    let status = tools
        .cargo(root)
        .args([
            "test",
            "--quiet",
            "--manifest-path",
            "fuzz/Cargo.toml",
            "-p",
            "fuzz-checks",
        ])
        .status()
        .map_err(|e| format!("cannot run cargo test: {e}"))?;
    report.replay = started.elapsed();
    if !status.success() {
        return Err(
            "a seed or regression input fails its checks (see the test output above); fix the \
             parser, keep the input under fuzz/regressions/"
                .to_owned(),
        );
    }
    if options.replay_only {
        return Ok(report);
    }

    // The same flags for build and run, or `cargo fuzz run` would build again.
    let fuzz_flags = |cmd: &mut Command| {
        cmd.args(["--fuzz-dir", "fuzz", "--sanitizer", &options.sanitizer]);
        cmd.args(["--codegen-units", CODEGEN_UNITS]);
        cmd.arg("--target-dir").arg(root.join("fuzz/target"));
    };
    println!(
        "== fuzz: building {} (cargo +nightly fuzz build)",
        chosen.join(", ")
    );
    let started = Instant::now();
    let mut build = tools.cargo(root);
    build.args(["+nightly", "fuzz", "build"]);
    fuzz_flags(&mut build);
    if let Some(t) = &options.target {
        build.arg(t);
    }
    let status = build
        .status()
        .map_err(|e| format!("cannot run cargo fuzz build: {e}"))?;
    report.build = started.elapsed();
    if !status.success() {
        return Err("cargo +nightly fuzz build failed (see above)".to_owned());
    }

    for target in &chosen {
        println!("== fuzz: {target} for {}s", options.seconds);
        let work = root.join("fuzz/target/corpus").join(target);
        let seeds = root.join("fuzz/corpus").join(target);
        let regressions = root.join("fuzz/regressions").join(target);
        for dir in [&work, &regressions] {
            fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let before = files(&regressions);
        let mut cmd = tools.cargo(root);
        cmd.args(["+nightly", "fuzz", "run"]);
        fuzz_flags(&mut cmd);
        cmd.arg(target)
            .arg(&work)
            .arg(&seeds)
            .arg(&regressions)
            .arg("--");
        let mut prefix = OsString::from("-artifact_prefix=");
        prefix.push(regressions.as_os_str());
        prefix.push("/");
        cmd.arg(prefix)
            .arg(format!("-max_total_time={}", options.seconds))
            // A fixed seed: a run explores the same way each time, so CI's verdict depends on
            // the code, not on luck (new ground comes from the corpus a run grows).
            .arg("-seed=1")
            .arg(format!("-timeout={INPUT_TIMEOUT_SECS}"))
            .arg("-rss_limit_mb=2048")
            .arg("-print_final_stats=1");
        let dict = root.join("fuzz/dict").join(format!("{target}.dict"));
        if dict.is_file() {
            let mut arg = OsString::from("-dict=");
            arg.push(dict.as_os_str());
            cmd.arg(arg);
        }
        let started = Instant::now();
        let output = cmd
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run cargo fuzz run: {e}"))?;
        let elapsed = started.elapsed();
        let log = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let failures: Vec<String> = files(&regressions)
            .difference(&before)
            .map(|p| relative(root, p))
            .collect();
        let failed = !output.status.success() || !failures.is_empty();
        if failed {
            // The whole tail: the panic message, the backtrace and libFuzzer's reproducer line.
            let lines: Vec<&str> = log.lines().collect();
            let tail = lines.len().saturating_sub(120);
            eprintln!("{}", lines[tail..].join("\n"));
        } else if let Some(done) = log.lines().rev().find(|l| l.starts_with("Done ")) {
            println!("   {done}");
        }
        report.runs.push(TargetRun {
            target: target.clone(),
            runs: runs(&log),
            failures,
            failed,
            elapsed,
        });
    }
    Ok(report)
}

/// libFuzzer's count of inputs run: `stat::number_of_executed_units: 1234` (printed also after
/// a crash), else `Done 1234 runs in 20 second(s)`.
fn runs(log: &str) -> Option<u64> {
    let stat = log.lines().rev().find_map(|l| {
        l.strip_prefix("stat::number_of_executed_units:")?
            .trim()
            .parse()
            .ok()
    });
    stat.or_else(|| {
        log.lines().rev().find_map(|l| {
            l.strip_prefix("Done ")?
                .split_whitespace()
                .next()?
                .parse()
                .ok()
        })
    })
}

fn files(dir: &Path) -> BTreeSet<PathBuf> {
    fs::read_dir(dir)
        .map(|read| {
            read.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default()
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments() {
        assert_eq!(
            parse_args(&["--replay", "--sanitizer", "address"]).unwrap(),
            Options {
                replay_only: true,
                sanitizer: "address".into(),
                ..Options::default()
            }
        );
        for bad in [
            &["--seconds"][..],
            &["--seconds", "x"],
            &["--seconds", "-1"],
            &["--sanitizer", "memory"],
            &["--frobnicate"],
        ] {
            assert!(parse_args(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn libfuzzer_counts_are_read() {
        let log = "#1 INITED\nDone 4242 runs in 20 second(s)\nstat::number_of_executed_units: 4242";
        assert_eq!(runs(log), Some(4242));
        assert_eq!(runs("Done 7 runs in 1 second(s)"), Some(7));
        assert_eq!(runs("crashed"), None);
    }
}

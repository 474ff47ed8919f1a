//! `cargo xtask`: see `cargo xtask --help`.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use xtask::fixtures::{self, Mode, REGENERATE};
use xtask::{bench, benchmarks, fuzz, layers, live, project_root, release, secrets};

const HELP: &str = "\
cargo xtask <command>

Commands:
  fixtures            regenerate everything generated under fixtures/ (byte-stable)
  fixtures --check    change nothing; fail, naming each stale file, if anything differs
  fixtures --live --provider P
                      record the cases of provider P (tc-ocr, lkeap, cos-ci, picwish) against the
                      real service into fixtures/P/live/, scrubbed; needs P's credentials in the
                      environment and refuses to run (changing nothing) without them
  secrets             scan fixtures/ for anything secret-shaped
  fuzz [--seconds N] [--target T] [--sanitizer address|none] [--replay]
                      replay the fuzz seeds and regressions (fuzz/corpus, fuzz/regressions) as
                      tests, build the cargo-fuzz targets of fuzz/ and run each for N seconds
                      (default 20); needs the nightly toolchain and cargo-fuzz (fails naming what
                      to install); a failing input is kept under fuzz/regressions/<T>/ and fails
                      the run; --replay only replays (stable is enough)
  release-check [--quick]
                      can every crate be published? packages each one (cargo package), then
                      builds each from its packaged sources in dependency order (cargo publish
                      --dry-run; skipped with --quick); reports the semver baseline
  layers [--crate C]  fail, naming the files and lines, if a module of any crate (or of crate
                      C) imports a module that imports it back (an import circle)
  bench [--quick]     run the signing benchmarks (criterion) and print one table of ratios
                      measured in the same run (TC3 and COS signers against their crypto
                      floor, with the goal); --quick: short measurement, what CI runs
  help, --help        this text

Hand-kept documentation examples live in fixtures/<provider>/seed/ and are never written.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        [] | ["help"] | ["--help"] | ["-h"] => {
            println!("{HELP}");
            ExitCode::SUCCESS
        }
        ["fixtures"] => run_fixtures(Mode::Write),
        ["fixtures", "--check"] => run_fixtures(Mode::Check),
        ["fixtures", "--live", "--provider", provider]
        | ["fixtures", "--provider", provider, "--live"] => run_live(provider),
        ["fixtures", "--live", ..] => {
            eprintln!("--live needs --provider P (tc-ocr, lkeap, cos-ci or picwish)");
            ExitCode::from(2)
        }
        ["secrets"] => run_secrets(),
        ["fuzz", rest @ ..] => run_fuzz(rest),
        ["layers"] => run_layers(None),
        ["layers", "--crate", name] => run_layers(Some(name)),
        ["bench", rest @ ..] => run_bench(rest),
        ["release-check"] => run_release_check(false),
        ["release-check", "--quick"] => run_release_check(true),
        other => {
            eprintln!("unknown arguments: {}\n\n{HELP}", other.join(" "));
            ExitCode::from(2)
        }
    }
}

fn run_fixtures(mode: Mode) -> ExitCode {
    let root = project_root();
    match fixtures::run(&root, mode) {
        Ok(report) if mode == Mode::Check && !report.is_fresh() => {
            eprintln!("{}", report.stale_message());
            ExitCode::FAILURE
        }
        Ok(report) => {
            match mode {
                Mode::Check => println!("{} generated fixtures are up to date", report.generated),
                Mode::Write => println!(
                    "{} fixtures generated; {} rewritten, {} removed",
                    report.generated,
                    report.stale.len(),
                    report.orphans.len()
                ),
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}\n(regenerate with `{REGENERATE}`)");
            ExitCode::FAILURE
        }
    }
}

fn run_secrets() -> ExitCode {
    match secrets::scan(&project_root().join("fixtures")) {
        Ok(findings) if findings.is_empty() => {
            println!("fixtures/: nothing secret-shaped");
            ExitCode::SUCCESS
        }
        Ok(findings) => {
            for f in findings {
                eprintln!("fixtures/{}:{}: {}", f.file, f.line, f.rule);
            }
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run_layers(only: Option<&str>) -> ExitCode {
    match layers::check(&project_root(), only) {
        Ok(report) if report.is_clean() => {
            println!("{}", report.render());
            ExitCode::SUCCESS
        }
        Ok(report) => {
            eprintln!("{}", report.render());
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("layers: {e}");
            ExitCode::from(2)
        }
    }
}

fn run_bench(args: &[&str]) -> ExitCode {
    let options = match bench::Options::parse(args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    match benchmarks::run(&project_root(), options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run_release_check(quick: bool) -> ExitCode {
    match release::run(&project_root(), quick) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("release-check: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run_fuzz(args: &[&str]) -> ExitCode {
    let options = match fuzz::parse_args(args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    match fuzz::run(&project_root(), &options, &fuzz::Tools::default()) {
        Ok(report) if options.replay_only => {
            println!(
                "fuzz: seeds and regressions replayed in {:.1}s",
                report.replay.as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Ok(report) if report.is_clean() => {
            println!("fuzz: nothing found\n{}", report.summary());
            ExitCode::SUCCESS
        }
        Ok(report) => {
            eprintln!(
                "fuzz: a target failed\n{}\nThe failing inputs are kept under fuzz/regressions/ and \
                 replayed by `cargo xtask fuzz --replay`; fix the parser and commit them.",
                report.summary()
            );
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run_live(provider: &str) -> ExitCode {
    match live::run(&project_root(), provider) {
        Ok(n) => {
            println!("{n} live cases recorded under fixtures/{provider}/live/ (scrubbed)");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

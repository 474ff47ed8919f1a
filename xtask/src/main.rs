//! `cargo xtask`: see `cargo xtask --help`.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use xtask::fixtures::{self, Mode, REGENERATE};
use xtask::{live, project_root, secrets};

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

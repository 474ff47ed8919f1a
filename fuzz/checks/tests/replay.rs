//! Replays, on the stable toolchain, every seed (`fuzz/corpus/<target>/`) and every input that
//! once failed (`fuzz/regressions/<target>/`) through the target's checks.
//!
//! `cargo xtask fuzz` runs these first (and so does CI); directly:
//! `cargo test --manifest-path fuzz/Cargo.toml -p fuzz-checks`.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

/// The longest one input may take here (unoptimised, so well above libFuzzer's 10 s).
const PER_INPUT: Duration = Duration::from_secs(120);

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| panic!("no parent of {}", env!("CARGO_MANIFEST_DIR")))
}

/// The files of `dir` (none if it does not exist), sorted, without dot files such as
/// `.gitkeep`.
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let Ok(read) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = read
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    out.sort();
    out
}

fn replay(target: &str) {
    let check = fuzz_checks::TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .map(|(_, check)| *check)
        .unwrap_or_else(|| panic!("no target {target}"));
    let seeds = inputs(&fuzz_dir().join("corpus").join(target));
    assert!(!seeds.is_empty(), "fuzz/corpus/{target} has no seed");
    let regressions = inputs(&fuzz_dir().join("regressions").join(target));
    let mut failed = Vec::new();
    for path in seeds.iter().chain(&regressions) {
        let data = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        // In a thread of its own, so that an input that once hung fails instead of stalling.
        let (done, finished) = mpsc::channel();
        std::thread::spawn(move || {
            let outcome = std::panic::catch_unwind(|| check(&data));
            let _ = done.send(outcome.is_ok());
        });
        match finished.recv_timeout(PER_INPUT) {
            Ok(true) => {}
            Ok(false) | Err(RecvTimeoutError::Disconnected) => {
                failed.push(path.display().to_string())
            }
            Err(RecvTimeoutError::Timeout) => failed.push(format!(
                "{} (still running after {PER_INPUT:?})",
                path.display()
            )),
        }
    }
    assert!(
        failed.is_empty(),
        "{target}: these inputs fail their checks: {failed:#?}"
    );
}

#[test]
fn every_target_has_its_folders() {
    for (name, _) in fuzz_checks::TARGETS {
        let source = fuzz_dir().join("fuzz_targets").join(format!("{name}.rs"));
        assert!(source.is_file(), "{} is missing", source.display());
        assert!(
            fuzz_dir().join("regressions").join(name).is_dir(),
            "fuzz/regressions/{name}"
        );
    }
}

#[test]
fn lkeap_sse() {
    replay("lkeap_sse");
}

#[test]
fn cos_ci_xml() {
    replay("cos_ci_xml");
}

#[test]
fn tc_api_envelope() {
    replay("tc_api_envelope");
}

#[test]
fn lkeap_archive() {
    replay("lkeap_archive");
}

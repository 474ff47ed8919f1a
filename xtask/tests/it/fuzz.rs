//! The fuzz workspace's layout stays whole (every target has its seeds, its regression folder
//! and its `[[bin]]`; the main workspace excludes it), and `cargo xtask fuzz` refuses, naming
//! what to install, when nightly or cargo-fuzz is missing. (The replay of the seeds and
//! regressions is `fuzz/checks/tests/replay.rs`, run by `cargo xtask fuzz` and CI.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs;

use xtask::fuzz::{self, Options, Tools, INSTALL_CARGO_FUZZ, INSTALL_NIGHTLY};
use xtask::project_root;

#[test]
fn every_target_has_seeds_a_regression_folder_and_a_bin() {
    let root = project_root();
    let targets = fuzz::targets(&root).unwrap();
    assert!(targets.len() >= 4, "{targets:?}");
    let manifest = fs::read_to_string(root.join("fuzz/Cargo.toml")).unwrap();
    let checks = fs::read_to_string(root.join("fuzz/checks/src/lib.rs")).unwrap();
    for t in &targets {
        let seeds = root.join("fuzz/corpus").join(t);
        let count = fs::read_dir(&seeds).map(|d| d.count()).unwrap_or(0);
        assert!(count > 0, "{} has no seed", seeds.display());
        assert!(
            root.join("fuzz/regressions").join(t).is_dir(),
            "fuzz/regressions/{t}"
        );
        assert!(
            manifest.contains(&format!("name = \"{t}\"")),
            "no [[bin]] {t} in fuzz/Cargo.toml"
        );
        assert!(
            checks.contains(&format!("(\"{t}\",")),
            "{t} is not in fuzz_checks::TARGETS"
        );
        for entry in fs::read_dir(&seeds).unwrap() {
            let len = entry.unwrap().metadata().unwrap().len();
            assert!(len <= 64 * 1024, "seeds stay small");
        }
    }
}

#[test]
fn the_main_workspace_excludes_the_fuzz_workspace() {
    let root = project_root();
    let manifest = fs::read_to_string(root.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("exclude = [\"fuzz\"]"));
    let fuzz = fs::read_to_string(root.join("fuzz/Cargo.toml")).unwrap();
    assert!(fuzz.contains("[workspace]") && fuzz.contains("cargo-fuzz = true"));
    let ignored = fs::read_to_string(root.join("fuzz/.gitignore")).unwrap();
    assert!(ignored.lines().any(|l| l.trim() == "/target"));
}

/// `fuzz/Cargo.lock` names what the fuzz workspace resolves to: a dependency added to a
/// library crate (the fuzz targets build them) must be added there too, or the fuzz run
/// rewrites the lock file in CI.
#[test]
fn the_fuzz_lock_file_is_up_to_date() {
    let root = project_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = std::process::Command::new(cargo)
        .args([
            "metadata",
            "--locked",
            "--format-version",
            "1",
            "--manifest-path",
        ])
        .arg(root.join("fuzz/Cargo.toml"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "fuzz/Cargo.lock is stale: run `cargo metadata --manifest-path fuzz/Cargo.toml` \
         and commit it\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn an_unknown_target_is_refused_before_anything_runs() {
    let tools = Tools {
        cargo: "/nonexistent/cargo".into(),
    };
    let options = Options {
        target: Some("nope".into()),
        ..Options::default()
    };
    let err = fuzz::run(&project_root(), &options, &tools).unwrap_err();
    assert!(err.contains("no fuzz target `nope`"), "{err}");
}

#[cfg(unix)]
mod missing_tools {
    use std::os::unix::fs::PermissionsExt;
    use std::path::PathBuf;

    use super::*;

    /// A fake `cargo` that knows `+nightly --version` only when `nightly` is true, and no `fuzz`.
    fn fake_cargo(dir: &std::path::Path, nightly: bool) -> PathBuf {
        let path = dir.join("cargo");
        let nightly_answer = if nightly {
            "echo 'cargo 1.99.0-nightly'; exit 0"
        } else {
            "echo \"error: toolchain 'nightly' is not installed\" >&2; exit 1"
        };
        let script = format!(
            "#!/bin/sh\ncase \"$1 $2\" in\n  '+nightly --version') {nightly_answer} ;;\n  \
             '+nightly fuzz') echo \"error: no such command: \\`fuzz\\`\" >&2; exit 101 ;;\nesac\n\
             echo \"unexpected: $*\" >&2\nexit 1\n"
        );
        fs::write(&path, script).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    #[test]
    fn without_cargo_fuzz_the_run_fails_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let tools = Tools {
            cargo: fake_cargo(dir.path(), true),
        };
        let err = fuzz::run(&project_root(), &Options::default(), &tools).unwrap_err();
        assert!(err.contains(INSTALL_CARGO_FUZZ), "{err}");
    }

    #[test]
    fn without_nightly_the_run_fails_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let tools = Tools {
            cargo: fake_cargo(dir.path(), false),
        };
        let err = fuzz::run(&project_root(), &Options::default(), &tools).unwrap_err();
        assert!(err.contains(INSTALL_NIGHTLY), "{err}");
        assert!(err.contains("nightly"), "{err}");
    }

    #[test]
    fn without_cargo_at_all_the_run_fails_naming_both() {
        let tools = Tools {
            cargo: "/nonexistent/cargo".into(),
        };
        let err = fuzz::run(&project_root(), &Options::default(), &tools).unwrap_err();
        assert!(
            err.contains(INSTALL_NIGHTLY) && err.contains(INSTALL_CARGO_FUZZ),
            "{err}"
        );
    }
}

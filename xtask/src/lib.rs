//! Project automation for cloud-ocr, run as `cargo xtask <command>` (see `.cargo/config.toml`).
//!
//! Following rust-analyzer's xtask: one binary with few dependencies, generators whose output is
//! committed, and a `--check` mode (also run by a `#[test]`) that fails with the exact command to
//! run when generated files are stale.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod bench;
pub mod benchmarks;
pub mod cases;
pub mod fixtures;
pub mod fuzz;
pub mod layers;
pub mod live;
pub mod loopback;
pub mod memory;
pub mod proxy;
pub mod release;
pub mod samples;
pub mod secrets;
pub mod throughput;
pub mod vectors;

use std::path::PathBuf;

/// The repository root (the parent of this crate's directory).
pub fn project_root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.parent().map(PathBuf::from).unwrap_or(here)
}

/// Runs `cargo args…` in `root` (the `CARGO` that runs xtask, else `cargo`), announcing it on
/// stderr after `label`; `Err` says which command failed.
pub fn run_cargo(root: &std::path::Path, label: &str, args: &[&str]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    eprintln!("{label}: {cargo} {}", args.join(" "));
    let status = std::process::Command::new(&cargo)
        .current_dir(root)
        .args(args)
        .status()
        .map_err(|e| format!("cannot run {cargo}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "{label}: {cargo} {} failed ({status})",
            args.join(" ")
        ))
    }
}

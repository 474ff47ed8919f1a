//! `cargo xtask release-check [--quick]`: can every crate be published as it stands?
//!
//! 1. `cargo package --workspace --no-verify --locked`: metadata, READMEs and file lists.
//! 2. Unless `--quick`: `cargo publish --workspace --dry-run --locked`, which builds each crate
//!    from its packaged sources in dependency order (a missing file or a path-only dependency
//!    fails here, not after publication).
//! 3. `cargo semver-checks` against the published baseline, where one exists: none of these
//!    crates is published yet, so it says so instead of pretending to have checked.
//! 4. The repository URL in `[workspace.package]` must not be the placeholder when publishing
//!    for real: reported as a warning here.

use std::path::Path;

/// Runs the check; `Err` names the step that failed.
pub fn run(root: &Path, quick: bool) -> Result<(), String> {
    let step =
        |what: &str, args: &[&str]| crate::run_cargo(root, &format!("release-check: {what}"), args);
    step(
        "packaging every crate",
        &[
            "package",
            "--workspace",
            "--exclude",
            "xtask",
            "--no-verify",
            "--locked",
            "--allow-dirty",
        ],
    )?;
    if !quick {
        step(
            "building every crate from its packaged sources",
            &[
                "publish",
                "--workspace",
                "--exclude",
                "xtask",
                "--dry-run",
                "--locked",
                "--allow-dirty",
            ],
        )?;
    }
    eprintln!(
        "release-check: semver: no crate of this workspace is published yet, so there is no \
         baseline for cargo-semver-checks; it applies from the second release on"
    );
    let manifest = std::fs::read_to_string(root.join("Cargo.toml"))
        .map_err(|e| format!("cannot read Cargo.toml: {e}"))?;
    if manifest.contains("example.invalid") {
        eprintln!(
            "release-check: warning: [workspace.package] repository is still the placeholder \
             https://example.invalid/cloud-ocr; set the real URL before publishing"
        );
    }
    eprintln!("release-check: ok");
    Ok(())
}

//! A build with only the `picwish` feature pulls in no Tencent crate (checked with
//! `cargo tree`, the normal dependency edges).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

/// Crates that must not be in the tree of a PicWish-only build.
const TENCENT_CRATES: [&str; 6] = [
    "tc-signing",
    "tc-api",
    "tc-ocr",
    "lkeap",
    "cos-ci",
    "ocr-emulator",
];

fn tree(features: &[&str]) -> Option<String> {
    tree_with(features, true)
}

fn tree_with(features: &[&str], no_default: bool) -> Option<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut cmd = Command::new(&cargo);
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "tree",
            "-p",
            "cloud-ocr",
            "-e",
            "normal",
            "--prefix",
            "none",
        ])
        .args(if no_default {
            &["--no-default-features"][..]
        } else {
            &[][..]
        });
    if !features.is_empty() {
        cmd.arg("--features").arg(features.join(","));
    }
    let out = match cmd.output() {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!(
                "skipped: `{cargo}` is not on PATH, so the dependency tree cannot be checked"
            );
            return None;
        }
        Err(e) => panic!("cannot run {cargo} tree: {e}"),
    };
    assert!(
        out.status.success(),
        "cargo tree failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).unwrap())
}

fn crate_names(tree: &str) -> Vec<String> {
    tree.lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn picwish_only_pulls_no_tencent_crate() {
    let Some(tree) = tree(&["picwish"]) else {
        return;
    };
    let names = crate_names(&tree);
    assert!(names.iter().any(|n| n == "picwish"), "{tree}");
    assert!(names.iter().any(|n| n == "ocr-core"), "{tree}");
    for tencent in TENCENT_CRATES {
        assert!(!names.iter().any(|n| n == tencent), "{tencent} in:\n{tree}");
    }
    // Nor the command-line tool's dependencies.
    for cli in ["clap", "indicatif", "toml"] {
        assert!(!names.iter().any(|n| n == cli), "{cli} in:\n{tree}");
    }
}

#[test]
fn each_tencent_feature_pulls_only_its_own_provider() {
    for (feature, absent) in [
        ("tc-ocr", ["lkeap", "cos-ci", "picwish"]),
        ("lkeap", ["tc-ocr", "cos-ci", "picwish"]),
        ("cos-ci", ["tc-ocr", "lkeap", "picwish"]),
    ] {
        let Some(tree) = tree(&[feature]) else {
            return;
        };
        let names = crate_names(&tree);
        assert!(names.iter().any(|n| n == feature), "{tree}");
        for other in absent {
            assert!(
                !names.iter().any(|n| n == other),
                "{other} with {feature}:\n{tree}"
            );
        }
    }
}

#[test]
fn the_default_library_pulls_no_command_line_dependency() {
    let Some(tree) = tree_with(&[], false) else {
        return;
    };
    let names = crate_names(&tree);
    for provider in ["tc-ocr", "lkeap", "cos-ci", "picwish"] {
        assert!(
            names.iter().any(|n| n == provider),
            "{provider} missing:\n{tree}"
        );
    }
    for cli in [
        "clap",
        "indicatif",
        "tracing-subscriber",
        "ocr-emulator",
        "cloud-ocr-cli",
    ] {
        assert!(!names.iter().any(|n| n == cli), "{cli} in:\n{tree}");
    }
}

//! The declared `rust-version` is true: no locked dependency needs a newer Rust than the one
//! every workspace crate declares (read from `cargo metadata`, so a `cargo update` that raises
//! a dependency's requirement fails here until the declaration follows).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

/// `1.88` / `1.88.0` as comparable numbers.
fn version(text: &str) -> Vec<u32> {
    let mut parts: Vec<u32> = text
        .split('.')
        .map(|p| p.trim().parse().unwrap_or(0))
        .collect();
    parts.resize(3, 0);
    parts
}

/// The dependencies whose `rust-version` is newer than `declared`: `(name@version, needs)`.
fn newer_than(declared: &str, dependencies: &[(String, String)]) -> Vec<(String, String)> {
    dependencies
        .iter()
        .filter(|(_, needs)| version(needs) > version(declared))
        .cloned()
        .collect()
}

#[test]
fn the_comparison_catches_a_raised_requirement() {
    let deps = vec![
        ("a@1.0.0".to_owned(), "1.85".to_owned()),
        ("b@2.0.0".to_owned(), "1.89.0".to_owned()),
    ];
    assert!(newer_than("1.89", &deps).is_empty());
    assert_eq!(
        newer_than("1.88", &deps),
        [("b@2.0.0".to_owned(), "1.89.0".to_owned())]
    );
}

#[test]
fn every_crate_declares_a_rust_version_its_locked_dependencies_accept() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(&cargo)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .args(["metadata", "--format-version", "1", "--locked"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cargo} metadata: {e}"));
    assert!(
        out.status.success(),
        "cargo metadata failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let members: Vec<&str> = meta["workspace_members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    let mut dependencies = Vec::new();
    let mut declared = Vec::new();
    for package in meta["packages"].as_array().unwrap() {
        let id = package["id"].as_str().unwrap();
        let name = format!(
            "{}@{}",
            package["name"].as_str().unwrap(),
            package["version"].as_str().unwrap()
        );
        let rust_version = package["rust_version"].as_str().map(str::to_owned);
        if members.contains(&id) {
            declared.push((name, rust_version));
        } else if let Some(needs) = rust_version {
            dependencies.push((name, needs));
        }
    }
    assert!(!dependencies.is_empty());
    for (krate, rust_version) in declared {
        let Some(rust_version) = rust_version else {
            panic!("{krate} declares no rust-version");
        };
        let newer = newer_than(&rust_version, &dependencies);
        assert!(
            newer.is_empty(),
            "{krate} declares rust-version {rust_version}, but these locked dependencies need more: {newer:?}"
        );
    }
}

//! `cargo xtask layers`: the checker finds import circles in small crates written here (so it
//! can fail), and the workspace has none.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs;
use std::path::Path;

use xtask::layers::{check, Report};
use xtask::project_root;

/// Writes `files` (path under `src/`, content) as the package `name` under `root/crates/`.
fn write_crate(root: &Path, name: &str, files: &[(&str, &str)]) {
    let dir = root.join("crates").join(name);
    fs::create_dir_all(dir.join("src")).unwrap();
    fs::write(
        dir.join("Cargo.toml"),
        format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\n\n[dependencies]\n"),
    )
    .unwrap();
    for (path, text) in files {
        let file = dir.join("src").join(path);
        fs::create_dir_all(file.parent().unwrap()).unwrap();
        fs::write(file, text).unwrap();
    }
}

fn check_one(files: &[(&str, &str)]) -> Report {
    let root = tempfile::tempdir().unwrap();
    write_crate(root.path(), "demo", files);
    check(root.path(), Some("demo")).unwrap()
}

/// The sorted module lists of the report's circles.
fn circles(report: &Report) -> Vec<Vec<String>> {
    report
        .cycles
        .iter()
        .map(|c| c.modules.iter().map(|(m, _)| m.clone()).collect())
        .collect()
}

#[test]
fn finds_a_two_module_circle_with_the_lines_to_cut() {
    let report = check_one(&[
        ("lib.rs", "mod a;\nmod b;\n"),
        (
            "a.rs",
            "use crate::b::helper;\n\npub(crate) struct A;\npub(crate) fn run() { helper() }\n",
        ),
        (
            "b.rs",
            "pub(crate) fn helper() {}\n\npub(crate) fn make() -> crate::a::A {\n    crate::a::A\n}\n",
        ),
    ]);
    assert_eq!(
        circles(&report),
        vec![vec!["a", "b"]],
        "{}",
        report.render()
    );
    let sites: Vec<String> = report.cycles[0]
        .edges
        .iter()
        .map(|e| format!("{}:{} {}->{}", e.file, e.line, e.from, e.to))
        .collect();
    assert_eq!(
        sites,
        [
            "crates/demo/src/a.rs:1 a->b",
            "crates/demo/src/b.rs:3 b->a",
            "crates/demo/src/b.rs:4 b->a",
        ]
    );
    let text = report.render();
    assert!(
        text.contains("crates/demo/src/b.rs:3: b -> a (crate::a::A)"),
        "{text}"
    );
    assert!(
        text.ends_with("1 import circle(s) in 3 modules of 1 crates"),
        "{text}"
    );
}

#[test]
fn finds_a_three_module_circle_through_groups_super_and_child_paths() {
    let report = check_one(&[
        ("lib.rs", "mod top;\nmod x;\n"),
        // top calls its child by a relative path
        ("top/mod.rs", "mod low;\n\npub(crate) fn go() {\n    low::run();\n}\n"),
        // a multi-line group, reaching a sibling of the parent
        (
            "top/low.rs",
            "use crate::{\n    x::{\n        Thing,\n    },\n};\n\npub(crate) fn run() -> Thing { Thing }\n",
        ),
        // and back up, through a path expression
        ("x.rs", "pub(crate) struct Thing;\n\nfn f() { crate::top::go() }\n"),
    ]);
    assert_eq!(
        circles(&report),
        vec![vec!["top", "top::low", "x"]],
        "{}",
        report.render()
    );
    let lines: Vec<(String, usize)> = report.cycles[0]
        .edges
        .iter()
        .map(|e| (e.from.clone(), e.line))
        .collect();
    // the group's leaf is reported on its own line
    assert!(lines.contains(&("top::low".to_owned(), 3)), "{lines:?}");
    assert!(lines.contains(&("top".to_owned(), 4)), "{lines:?}");
    assert!(lines.contains(&("x".to_owned(), 3)), "{lines:?}");
}

#[test]
fn follows_re_exports_to_the_module_that_defines_the_item() {
    // `svc` takes `Limit` and `lock` through the crate root, which only re-exports them (by
    // name from `shared`, by a glob from `util`): the edges go to those modules, so there is
    // no circle with the root (which uses svc).
    let clean = check_one(&[
        (
            "lib.rs",
            "mod shared;\nmod svc;\nmod util;\npub use shared::Limit;\npub(crate) use util::*;\n\npub fn run() { svc::serve() }\n",
        ),
        ("shared.rs", "pub struct Limit;\n"),
        ("util.rs", "pub(crate) fn lock() {}\n"),
        (
            "svc.rs",
            "use crate::Limit;\n\npub(crate) fn serve() {\n    let _ = Limit;\n    crate::lock();\n}\n",
        ),
    ]);
    assert!(clean.is_clean(), "{}", clean.render());
    assert_eq!(clean.modules, 4);

    // Whereas an item the root defines itself is an edge to the root: a circle.
    let circle = check_one(&[
        (
            "lib.rs",
            "mod svc;\npub struct Limit;\n\npub fn run() { svc::serve() }\n",
        ),
        ("svc.rs", "use crate::Limit;\n\npub(crate) fn serve() {}\n"),
    ]);
    assert_eq!(circles(&circle), vec![vec!["crate", "svc"]]);
}

#[test]
fn mod_lines_re_exports_of_children_and_test_code_are_no_edges() {
    let report = check_one(&[
        (
            "lib.rs",
            "mod a;\npub mod b;\nmod c;\nmod outer;\npub use a::{A, More};\npub(crate) use self::b::*;\n\npub(crate) const LIMIT: u32 = 1;\n",
        ),
        (
            "a.rs",
            // a test module, a test-only item and a test-only import reaching b: skipped; and
            // an item of the root, which re-exports a's items (no edge back)
            "pub struct A;\npub struct More;\nfn limit() -> u32 { crate::LIMIT }\n\n#[cfg(test)]\nuse crate::b::B;\n\n#[cfg(test)]\nfn helper() -> crate::b::B { crate::b::B }\n\n#[cfg(test)]\nmod tests {\n    use super::*;\n    use crate::b::B;\n    #[test]\n    fn t() { let _ = (B, crate::b::B); }\n}\n",
        ),
        (
            "b.rs",
            "// crate::a::A in a comment, and in a string: \"crate::a::A\"\nuse crate::a::A;\n\npub struct B(pub A);\nconst C: char = '\"';\n#[cfg(all(test, unix))]\nmod unix_tests { use crate::b::B; }\n",
        ),
        // a whole file that is test-only
        ("c.rs", "#![cfg(test)]\nuse crate::b::B;\n"),
        // a visibility path is no use of the module it names
        ("outer/mod.rs", "mod inner;\n\npub(crate) fn f() { inner::g() }\n"),
        ("outer/inner.rs", "pub(in crate::outer) fn g() {}\n"),
    ]);
    assert!(report.is_clean(), "{}", report.render());
    assert_eq!(report.modules, 5);
    assert_eq!(
        report.render(),
        "no import circles in 5 modules of 1 crates"
    );

    // The same test-only import outside `#[cfg(test)]` closes a circle.
    let report = check_one(&[
        ("lib.rs", "mod a;\nmod b;\n"),
        (
            "a.rs",
            "pub struct A;\nfn helper() -> crate::b::B { todo!() }\n",
        ),
        ("b.rs", "use crate::a::A;\npub struct B(pub A);\n"),
    ]);
    assert_eq!(circles(&report), vec![vec!["a", "b"]]);
}

#[test]
fn a_re_export_of_a_non_descendant_is_an_import() {
    // `svc` re-exports its parent's item: that is an upward import, not structure.
    let report = check_one(&[
        (
            "lib.rs",
            "mod svc;\npub(crate) struct Limit;\n\nfn run() { svc::serve() }\n",
        ),
        (
            "svc.rs",
            "pub(crate) use crate::Limit;\n\npub(crate) fn serve() {}\n",
        ),
    ]);
    assert_eq!(circles(&report), vec![vec!["crate", "svc"]]);
}

#[test]
fn a_module_imported_by_name_counts_where_it_is_used() {
    // `use crate::hub::{self}`: `hub::Item` is followed through hub's re-export to `leaf`.
    let report = check_one(&[
        ("lib.rs", "mod hub;\nmod user;\n"),
        (
            "hub/mod.rs",
            "mod leaf;\npub(crate) use leaf::Item;\n\nfn f() { crate::user::call() }\n",
        ),
        ("hub/leaf.rs", "pub(crate) struct Item;\n"),
        (
            "user.rs",
            "use crate::hub::{self};\n\npub(crate) fn call() -> hub::Item { hub::Item }\n",
        ),
    ]);
    assert!(report.is_clean(), "{}", report.render());
}

#[test]
fn unknown_crate_is_an_error() {
    let root = tempfile::tempdir().unwrap();
    write_crate(root.path(), "demo", &[("lib.rs", "")]);
    let err = check(root.path(), Some("nope")).unwrap_err();
    assert!(err.contains("nope"), "{err}");
}

#[test]
fn the_emulator_has_no_import_circles() {
    let report = check(&project_root(), Some("ocr-emulator")).unwrap();
    assert!(report.modules > 40, "{}", report.modules);
    assert!(report.is_clean(), "{}", report.render());
}

#[test]
fn workspace_has_no_import_circles() {
    let report = check(&project_root(), None).unwrap();
    assert!(report.crates >= 10, "{}", report.crates);
    assert!(report.is_clean(), "{}", report.render());
}

//! `cargo xtask fixtures`: everything generated under `fixtures/`, written or checked.
//!
//! The generator owns whole directories ([`OWNED_DIRS`]); a file there that it no longer
//! produces is stale too. Hand-kept documentation examples live in `fixtures/<provider>/seed/`
//! and are never written by it.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::{cases, samples, vectors};

/// The command that regenerates the fixtures; stale-file messages quote it.
pub const REGENERATE: &str = "cargo xtask fixtures";

/// Directories (relative to the repository root) whose whole content is generated.
pub const OWNED_DIRS: &[&str] = &[
    "fixtures/samples",
    "fixtures/signing",
    "fixtures/tc-ocr/cases",
    "fixtures/lkeap/cases",
    "fixtures/cos-ci/cases",
    "fixtures/picwish/cases",
];

/// One generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// Path relative to the repository root, with `/` separators.
    pub path: String,
    /// Exact bytes.
    pub contents: Vec<u8>,
}

impl Generated {
    fn new(path: &str, contents: Vec<u8>) -> Self {
        Generated {
            path: path.to_owned(),
            contents,
        }
    }

    fn json(path: &str, value: &serde_json::Value) -> Result<Self, String> {
        let mut text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
        text.push('\n');
        Ok(Generated::new(path, text.into_bytes()))
    }
}

/// The generated manifest of hand-kept fixtures: one `sha256  path` line each, so that an edit to
/// a hand-kept file is noticed too (and blessed by regenerating).
pub const HAND_KEPT_MANIFEST: &str = "fixtures/hand-kept.sha256";

/// Everything the generator produces for the tree at `root`, in a stable order.
pub fn generate_for(root: &Path) -> Result<Vec<Generated>, String> {
    let mut out = generate()?;
    out.push(Generated::new(
        HAND_KEPT_MANIFEST,
        hand_kept_manifest(root)?,
    ));
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// The files under `fixtures/` that no generator writes.
pub fn hand_kept_files(root: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    let mut out = Vec::new();
    for path in list_files(&root.join("fixtures"))? {
        let rel = relative(root, &path);
        let generated = rel == HAND_KEPT_MANIFEST
            || OWNED_DIRS.iter().any(|d| rel.starts_with(&format!("{d}/")));
        if !generated {
            out.push((rel, path));
        }
    }
    out.sort();
    Ok(out)
}

/// The paths whose manifest lines differ between the old and the new manifest.
fn manifest_changes(old: Option<&[u8]>, new: &[u8]) -> Vec<String> {
    let lines = |bytes: &[u8]| -> BTreeSet<String> {
        String::from_utf8_lossy(bytes)
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(str::to_owned)
            .collect()
    };
    let old = lines(old.unwrap_or_default());
    let new = lines(new);
    let mut paths: Vec<String> = old
        .symmetric_difference(&new)
        .filter_map(|l| l.split_once("  ").map(|(_, p)| p.to_owned()))
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

fn hand_kept_manifest(root: &Path) -> Result<Vec<u8>, String> {
    use sha2::{Digest, Sha256};
    let mut text = String::from(
        "# SHA-256 of every hand-kept fixture; regenerate with `cargo xtask fixtures` after an\n\
         # intentional edit.\n",
    );
    for (rel, path) in hand_kept_files(root)? {
        let bytes = fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        text.push_str(&format!("{}  {rel}\n", hex::encode(Sha256::digest(&bytes))));
    }
    Ok(text.into_bytes())
}

/// Everything the generators produce that does not depend on the tree, in a stable order.
pub fn generate() -> Result<Vec<Generated>, String> {
    let mut out = vec![
        Generated::new("fixtures/samples/invoice.png", samples::invoice_png()?),
        Generated::new("fixtures/samples/receipt.jpg", samples::receipt_jpeg()?),
        Generated::new("fixtures/samples/letter.pdf", samples::letter_pdf()),
        Generated::new("fixtures/samples/report.pdf", samples::report_pdf()),
        Generated::json("fixtures/signing/tc3.json", &vectors::tc3_vectors())?,
        Generated::json("fixtures/signing/cos.json", &vectors::cos_vectors())?,
    ];
    for (path, value) in cases::record_all()? {
        out.push(Generated::json(&path, &value)?);
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// Write the files, or only compare them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Write what differs, delete orphans in owned directories.
    Write,
    /// Change nothing; report what differs.
    Check,
}

/// What a run found (and, in write mode, did).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Hand-kept files (documentation examples and hand-written bodies) that no longer parse.
    pub unparsable: Vec<String>,
    /// Hand-kept files added, removed or edited since the manifest was generated.
    pub hand_edited: Vec<String>,
    /// Files whose content differs from the generated one (or that are missing).
    pub stale: Vec<String>,
    /// Files in owned directories that the generator does not produce.
    pub orphans: Vec<String>,
    /// Number of files generated.
    pub generated: usize,
}

impl Report {
    /// Whether everything on disk matched.
    pub fn is_fresh(&self) -> bool {
        self.stale.is_empty() && self.orphans.is_empty() && self.unparsable.is_empty()
    }

    /// The failure message of check mode: each stale file and the command to fix it.
    pub fn stale_message(&self) -> String {
        let mut msg = String::from("fixtures are stale:\n");
        for f in &self.stale {
            msg.push_str(&format!("  {f} differs from what the generator produces\n"));
        }
        for f in &self.hand_edited {
            msg.push_str(&format!(
                "  {f} (hand-kept) changed since {HAND_KEPT_MANIFEST} was generated\n"
            ));
        }
        for f in &self.orphans {
            msg.push_str(&format!("  {f} is no longer generated\n"));
        }
        for f in &self.unparsable {
            msg.push_str(&format!(
                "  {f} (hand-kept) does not parse: fix it by hand\n"
            ));
        }
        msg.push_str(&format!("run `{REGENERATE}` and commit the result"));
        msg
    }
}

/// Regenerates into `root` (the repository root), or checks `root` against what would be
/// generated.
pub fn run(root: &Path, mode: Mode) -> Result<Report, String> {
    let files = generate_for(root)?;
    let mut report = Report {
        generated: files.len(),
        ..Report::default()
    };
    let wanted: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    for file in &files {
        let path = root.join(&file.path);
        let current = fs::read(&path).ok();
        if current.as_deref() != Some(file.contents.as_slice()) {
            if file.path == HAND_KEPT_MANIFEST {
                report.hand_edited = manifest_changes(current.as_deref(), &file.contents);
            }
            report.stale.push(file.path.clone());
            if mode == Mode::Write {
                if let Some(parent) = path.parent() {
                    fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
                }
                fs::write(&path, &file.contents).map_err(|e| format!("{}: {e}", path.display()))?;
            }
        }
    }
    for dir in OWNED_DIRS {
        for existing in list_files(&root.join(dir))? {
            let rel = relative(root, &existing);
            if !wanted.contains(rel.as_str()) {
                report.orphans.push(rel);
                if mode == Mode::Write {
                    fs::remove_file(&existing)
                        .map_err(|e| format!("{}: {e}", existing.display()))?;
                }
            }
        }
    }
    report.unparsable = check_hand_kept(root)?;
    Ok(report)
}

/// Files under `fixtures/` outside the generated directories are kept by hand (the
/// documentation's examples in `<provider>/seed/`, and bodies written from the spec tables for
/// edge cases). They are never rewritten; this only checks that JSON and XML still parse.
pub fn check_hand_kept(root: &Path) -> Result<Vec<String>, String> {
    let mut bad = Vec::new();
    for (rel, path) in hand_kept_files(root)? {
        let ok = match path.extension().and_then(|e| e.to_str()) {
            Some("json") => fs::read(&path)
                .ok()
                .is_some_and(|b| serde_json::from_slice::<serde_json::Value>(&b).is_ok()),
            Some("xml") => fs::read_to_string(&path)
                .ok()
                .is_some_and(|t| xml_parses(&t)),
            _ => true,
        };
        if !ok {
            bad.push(rel);
        }
    }
    Ok(bad)
}

fn xml_parses(text: &str) -> bool {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut depth = 0i64;
    let mut seen_root = false;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(_)) => {
                depth += 1;
                seen_root = true;
            }
            Ok(quick_xml::events::Event::End(_)) => depth -= 1,
            Ok(quick_xml::events::Event::Empty(_)) => seen_root = true,
            Ok(quick_xml::events::Event::Eof) => return seen_root && depth == 0,
            Ok(_) => {}
            Err(_) => return false,
        }
    }
}

/// Every regular file below `dir` (none if it does not exist), sorted.
pub fn list_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = match fs::read_dir(&d) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(format!("{}: {e}", d.display())),
        };
        for entry in entries {
            let entry = entry.map_err(|e| e.to_string())?;
            let ty = entry.file_type().map_err(|e| e.to_string())?;
            if ty.is_dir() {
                stack.push(entry.path());
            } else if ty.is_file() {
                out.push(entry.path());
            }
        }
    }
    out.sort();
    Ok(out)
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

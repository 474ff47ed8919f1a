//! `lkeap_archive`: the LKEAP result zip (`lkeap::ResultArchive`), read in memory with small
//! caps, and extracted to a scratch folder when it reads.
//!
//! Input: a zip archive when it starts with `PK`; otherwise a description of entries, turned
//! into a zip here so that entry names and sizes are reached directly (records separated by
//! `0xFF`; in each, one flag byte — bit 0 deflate, bit 1 directory, bit 2 symbolic link — then
//! the name, `0xFE`, and the content).
//!
//! Invariants:
//! - an entry's path is clean and relative: no empty, `.` or `..` component, no leading `/`,
//!   no `\`, no drive letter, no NUL; it is its own `checked_path`; no two entries share one;
//! - the entry count and every size stay within the caps, whatever the archive declares;
//! - each entry's kind is `classify` of its path, and the Markdown and page accessors only
//!   return entries of their kind;
//! - an extraction writes only inside the target folder, writes exactly the entries the
//!   in-memory read returns (same paths, same bytes), and leaves no file behind when refused;
//!   an archive the in-memory read refuses is refused by the extraction too.

use std::collections::HashSet;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use lkeap::archive::{checked_path, classify};
use lkeap::{ArchiveLimits, EntryKind, ResultArchive};
use zip::write::SimpleFileOptions;
use zip::CompressionMethod;

/// Small caps, so that the fuzzer reaches them.
pub fn limits() -> ArchiveLimits {
    ArchiveLimits::default()
        .with_max_archive_bytes(1 << 20)
        .with_max_entries(16)
        .with_max_entry_bytes(2048)
        .with_max_total_bytes(6144)
}

/// Checks one input.
pub fn check(data: &[u8]) {
    let zip = if data.starts_with(b"PK") {
        data.to_vec()
    } else {
        match build(data) {
            Some(z) => z,
            None => return,
        }
    };
    let limits = limits();
    let read = ResultArchive::from_zip(&zip, &limits);
    if let Ok(archive) = &read {
        check_archive(archive, &limits);
    }
    if let Err(err) = &read {
        assert_eq!(err.kind(), ocr_core::ErrorKind::Decode, "{err}");
    }
    // Extraction touches the disk: only for archives whose directory reads (the rest fail the
    // same way before any entry, in the walk both share).
    if zip::ZipArchive::new(Cursor::new(&zip[..])).is_ok() {
        check_extraction(&zip, &limits, read.as_ref().ok());
    }
}

fn check_archive(archive: &ResultArchive, limits: &ArchiveLimits) {
    let entries = archive.entries();
    assert!(
        entries.len() <= limits.max_entries,
        "{} entries",
        entries.len()
    );
    let mut seen = HashSet::new();
    let mut total = 0u64;
    for e in entries {
        let path = e.path();
        clean(path);
        assert!(seen.insert(path), "{path:?} twice");
        let len = e.data().len() as u64;
        assert!(len <= limits.max_entry_bytes, "{path:?} holds {len} bytes");
        total += len;
        assert_eq!(e.kind(), classify(path), "{path:?}");
        assert!(!e.file_name().is_empty() && !e.file_name().contains('/'));
    }
    assert!(total <= limits.max_total_bytes, "{total} bytes in all");
    if let Some(md) = archive.markdown_entry() {
        assert_eq!(md.kind(), EntryKind::Markdown);
    }
    for (n, e) in archive.page_json_entries() {
        assert_eq!(e.kind(), EntryKind::PageJson(n));
    }
    let page_md = archive.page_markdown();
    for e in entries {
        if let EntryKind::PageMarkdown(n) = e.kind() {
            if e.text().is_some() {
                assert!(page_md.contains_key(&n), "page {n} lost");
            }
        }
    }
    for image in archive.images() {
        assert_eq!(image.kind(), EntryKind::Image);
    }
    // The chunk and page JSON parsers must not panic; their errors are data.
    let _ = archive.split_chunks();
    let _ = archive.page_json();
}

fn clean(path: &str) {
    assert!(!path.is_empty(), "an empty path");
    assert!(!path.starts_with('/'), "{path:?} is absolute");
    assert!(!path.contains('\\') && !path.contains('\0'), "{path:?}");
    let b = path.as_bytes();
    assert!(
        !(b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':'),
        "{path:?} has a drive letter"
    );
    for part in path.split('/') {
        assert!(
            !matches!(part, "" | "." | ".."),
            "{path:?} has a {part:?} component"
        );
    }
    match checked_path(path) {
        Ok(Some(p)) => assert_eq!(p, path, "a checked path changes when checked again"),
        other => panic!("a checked path is refused when checked again: {other:?}"),
    }
}

fn check_extraction(zip: &[u8], limits: &ArchiveLimits, read: Option<&ResultArchive>) {
    let scratch = scratch();
    let dir = scratch.join("out");
    let outcome = ResultArchive::extract_zip(zip, &dir, limits);
    let files = files_under(&scratch);
    match outcome {
        Ok(written) => {
            let Some(read) = read else {
                panic!("the extraction took an archive the in-memory read refuses");
            };
            let mut want: Vec<(PathBuf, &[u8])> = read
                .entries()
                .iter()
                .map(|e| (dir.join(e.path()), e.data()))
                .collect();
            want.sort();
            let mut got = written.clone();
            got.sort();
            let want_paths: Vec<&PathBuf> = want.iter().map(|(p, _)| p).collect();
            assert_eq!(
                got.iter().collect::<Vec<_>>(),
                want_paths,
                "other files written"
            );
            assert_eq!(files, got, "files on disk are not the ones reported");
            for (path, data) in want {
                let on_disk = std::fs::read(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
                assert_eq!(on_disk, data, "{path:?} differs from the in-memory read");
            }
        }
        Err(err) => {
            assert!(
                files.is_empty(),
                "a refused extraction left {files:?}: {err}"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
}

/// A fresh scratch folder for this process: in memory (`/dev/shm`) where there is one, since
/// creating and removing folders on a journaled disk waits for it, and the fuzzer then spends
/// its time asleep.
fn scratch() -> PathBuf {
    let shm = Path::new("/dev/shm");
    let base = if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    let dir = base.join(format!("cloud-ocr-fuzz-archive-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{dir:?}: {e}"));
    dir
}

/// Every file (not folder) under `dir`, sorted; panics on a symbolic link.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(read) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in read.flatten() {
            let path = entry.path();
            let meta = std::fs::symlink_metadata(&path).unwrap_or_else(|e| panic!("{e}"));
            assert!(
                !meta.file_type().is_symlink(),
                "a symbolic link was written: {path:?}"
            );
            if meta.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// A zip of the entries `data` describes (see the module documentation).
fn build(data: &[u8]) -> Option<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for record in data.split(|&b| b == 0xFF) {
        let Some((&flags, rest)) = record.split_first() else {
            continue;
        };
        let (name, content) = match rest.iter().position(|&b| b == 0xFE) {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &[][..]),
        };
        let name = String::from_utf8_lossy(name).into_owned();
        let method = if flags & 1 == 1 {
            CompressionMethod::Deflated
        } else {
            CompressionMethod::Stored
        };
        let options = SimpleFileOptions::default().compression_method(method);
        if flags & 2 == 2 {
            zip.add_directory(name, options).ok()?;
        } else if flags & 4 == 4 {
            let target = String::from_utf8_lossy(content).into_owned();
            zip.add_symlink(name, target, options).ok()?;
        } else {
            zip.start_file(name, options).ok()?;
            zip.write_all(content).ok()?;
        }
    }
    Some(zip.finish().ok()?.into_inner())
}

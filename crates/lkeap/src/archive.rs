//! Reading the result zip safely: in memory or into a directory, never outside it.
//!
//! The archive comes from a URL, so it is treated as hostile. Every entry name must be a
//! relative path that stays inside the target (no absolute paths, drive letters or `..`); the
//! number of entries, each entry's size and the total size are capped, both by what the
//! archive *declares* and by the bytes actually produced while inflating (declared sizes can
//! lie). Any breach is an [`ErrorKind::Decode`] error naming the entry and the rule; nothing is
//! written for an entry that breaks a rule, and files already written by a refused extraction
//! are removed. A breach of a rule is final (not retryable: the same archive breaks it again);
//! an archive that cannot be read as a zip, or an entry that cannot be inflated, may have been
//! damaged on the way, so those errors are retryable and a download is tried again.
//!
//! What the files mean is not documented: the service says the archive holds `*.md`, `*.json`
//! (or `*.jsonl` and `*mllm.json` for the split flow) and an `images/` folder, depending on
//! `ResultType`. [`EntryKind`] classifies entries by name (see [`classify`]).

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::io::{self, Cursor, Read, Write};
use std::path::{Path, PathBuf};

use ocr_core::{Error, ErrorKind, Result};

use crate::split::{parse_chunks, SplitChunk};

/// Caps applied when reading a result archive.
///
/// ```
/// let limits = lkeap::ArchiveLimits::default().with_max_entries(100);
/// assert_eq!(limits.max_entries, 100);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ArchiveLimits {
    /// The largest archive (compressed, as downloaded), in bytes. Default 512 MiB.
    pub max_archive_bytes: u64,
    /// The most entries (files and directories). Default 10 000.
    pub max_entries: usize,
    /// The largest uncompressed entry, in bytes. Default 256 MiB.
    pub max_entry_bytes: u64,
    /// The largest uncompressed total, in bytes: what one document may hold in memory.
    /// Default 256 MiB (a parsed document's Markdown, page JSON and images are far smaller;
    /// raise it for huge scans).
    pub max_total_bytes: u64,
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        ArchiveLimits {
            max_archive_bytes: 512 * 1024 * 1024,
            max_entries: 10_000,
            max_entry_bytes: 256 * 1024 * 1024,
            max_total_bytes: 256 * 1024 * 1024,
        }
    }
}

impl ArchiveLimits {
    /// Sets the largest downloaded archive.
    pub fn with_max_archive_bytes(mut self, bytes: u64) -> Self {
        self.max_archive_bytes = bytes;
        self
    }

    /// Sets the most entries.
    pub fn with_max_entries(mut self, entries: usize) -> Self {
        self.max_entries = entries;
        self
    }

    /// Sets the largest uncompressed entry.
    pub fn with_max_entry_bytes(mut self, bytes: u64) -> Self {
        self.max_entry_bytes = bytes;
        self
    }

    /// Sets the largest uncompressed total.
    pub fn with_max_total_bytes(mut self, bytes: u64) -> Self {
        self.max_total_bytes = bytes;
        self
    }
}

/// What an entry is, judged from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryKind {
    /// A Markdown file without a page number: the whole document.
    Markdown,
    /// The Markdown of one page (1-based).
    PageMarkdown(u32),
    /// The OCR JSON of one page (1-based).
    PageJson(u32),
    /// Another JSON file (for example the split flow's `*mllm.json`).
    Json,
    /// A JSON Lines file of chunks (split flow).
    Chunks,
    /// An image (under `images/` or with an image extension).
    Image,
    /// Anything else.
    Other,
}

/// One file of the archive, in memory.
#[derive(Clone, PartialEq, Eq)]
pub struct ArchiveEntry {
    path: String,
    kind: EntryKind,
    data: Vec<u8>,
}

impl std::fmt::Debug for ArchiveEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArchiveEntry")
            .field("path", &self.path)
            .field("kind", &self.kind)
            .field("bytes", &self.data.len())
            .finish()
    }
}

impl ArchiveEntry {
    /// The checked relative path, `/`-separated.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What it is.
    pub fn kind(&self) -> EntryKind {
        self.kind
    }

    /// The content.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// The content as text, if it is UTF-8.
    pub fn text(&self) -> Option<&str> {
        std::str::from_utf8(&self.data).ok()
    }

    /// The media type, from the extension.
    pub fn media_type(&self) -> &'static str {
        media_type(&self.path)
    }

    /// The file name (last path component).
    pub fn file_name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }
}

/// A result archive read into memory, its entries checked and classified.
///
/// ```
/// use std::io::Write;
/// let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
/// zip.start_file("doc.md", zip::write::SimpleFileOptions::default()).unwrap();
/// zip.write_all(b"# Title").unwrap();
/// let bytes = zip.finish().unwrap().into_inner();
///
/// let archive = lkeap::ResultArchive::from_zip(&bytes, &lkeap::ArchiveLimits::default()).unwrap();
/// assert_eq!(archive.markdown(), Some("# Title"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResultArchive {
    entries: Vec<ArchiveEntry>,
}

impl ResultArchive {
    /// Reads and checks every entry of a zip held in memory.
    pub fn from_zip(bytes: &[u8], limits: &ArchiveLimits) -> Result<ResultArchive> {
        let mut entries = Vec::new();
        walk(
            bytes,
            limits,
            |path, file, cap| {
                let mut data = Vec::new();
                let n = copy_capped(file, &mut data, cap).map_err(|e| read_error(path, e))?;
                Ok((n, Some(data)))
            },
            |path, data| {
                entries.push(ArchiveEntry {
                    kind: classify(&path),
                    path,
                    data,
                });
            },
        )?;
        Ok(ResultArchive { entries })
    }

    /// Extracts a zip held in memory into `dir` (created if missing) and returns the paths
    /// written. Entries stream to disk without being held in memory. Existing files of the
    /// same name are replaced; a path through a symbolic link is refused.
    ///
    /// ```no_run
    /// # fn demo(bytes: &[u8]) -> Result<(), ocr_core::Error> {
    /// let written = lkeap::ResultArchive::extract_zip(bytes, "out".as_ref(), &Default::default())?;
    /// println!("{} files", written.len());
    /// # Ok(()) }
    /// ```
    pub fn extract_zip(bytes: &[u8], dir: &Path, limits: &ArchiveLimits) -> Result<Vec<PathBuf>> {
        fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
        let mut written: Vec<PathBuf> = Vec::new();
        let outcome = walk(
            bytes,
            limits,
            |path, file, cap| {
                let target = prepare_target(dir, path)?;
                let mut out = fs::File::create(&target).map_err(|e| io_error(&target, e))?;
                written.push(target.clone());
                let n = copy_capped(file, &mut out, cap).map_err(|e| read_error(path, e))?;
                out.flush().map_err(|e| io_error(&target, e))?;
                Ok((n, None))
            },
            |_, _| {},
        );
        if let Err(err) = outcome {
            for path in &written {
                let _ = fs::remove_file(path);
            }
            return Err(err);
        }
        Ok(written)
    }

    /// Every file, in archive order.
    pub fn entries(&self) -> &[ArchiveEntry] {
        &self.entries
    }

    /// The file at `path`.
    pub fn get(&self, path: &str) -> Option<&ArchiveEntry> {
        self.entries.iter().find(|e| e.path == path)
    }

    /// The whole document as Markdown: the first Markdown file without a page number, the
    /// shallowest one if there are several.
    pub fn markdown(&self) -> Option<&str> {
        self.markdown_entry().and_then(ArchiveEntry::text)
    }

    /// The entry [`markdown`](Self::markdown) reads.
    pub fn markdown_entry(&self) -> Option<&ArchiveEntry> {
        self.entries
            .iter()
            .filter(|e| e.kind == EntryKind::Markdown)
            .min_by_key(|e| e.path.matches('/').count())
    }

    /// Per-page Markdown, by 1-based page number.
    pub fn page_markdown(&self) -> BTreeMap<u32, &str> {
        self.entries
            .iter()
            .filter_map(|e| match e.kind {
                EntryKind::PageMarkdown(n) => e.text().map(|t| (n, t)),
                _ => None,
            })
            .collect()
    }

    /// Per-page OCR JSON files, by 1-based page number.
    pub fn page_json_entries(&self) -> BTreeMap<u32, &ArchiveEntry> {
        self.entries
            .iter()
            .filter_map(|e| match e.kind {
                EntryKind::PageJson(n) => Some((n, e)),
                _ => None,
            })
            .collect()
    }

    /// Per-page OCR JSON, parsed, by 1-based page number. Its schema is not documented.
    pub fn page_json(&self) -> Result<BTreeMap<u32, serde_json::Value>> {
        self.page_json_entries()
            .into_iter()
            .map(|(n, e)| {
                serde_json::from_slice(&e.data)
                    .map(|v| (n, v))
                    .map_err(|err| {
                        decode_error(&e.path, &format!("is not JSON: {err}")).with_source(err)
                    })
            })
            .collect()
    }

    /// The images, in archive order.
    pub fn images(&self) -> impl Iterator<Item = &ArchiveEntry> {
        self.entries.iter().filter(|e| e.kind == EntryKind::Image)
    }

    /// The split flow's chunks: the records of every `*.jsonl` file, in archive order.
    pub fn split_chunks(&self) -> Result<Vec<SplitChunk>> {
        let mut out = Vec::new();
        for e in self.entries.iter().filter(|e| e.kind == EntryKind::Chunks) {
            out.extend(parse_chunks(&e.path, &e.data)?);
        }
        Ok(out)
    }
}

/// Classifies an entry by its (checked) path.
///
/// Page numbers come from the file stem: a stem of digits only (`3.md`), or ending in digits
/// when the stem or its folder mentions "page" (`page_3.md`, `doc_page-3.json`,
/// `pages/doc_3.md`). Archives that number pages from 0 are not told apart here; see
/// [`ResultArchive`] for how pages are used.
///
/// ```
/// use lkeap::archive::{classify, EntryKind};
/// assert_eq!(classify("doc.md"), EntryKind::Markdown);
/// assert_eq!(classify("pages/page_2.md"), EntryKind::PageMarkdown(2));
/// assert_eq!(classify("3.json"), EntryKind::PageJson(3));
/// assert_eq!(classify("doc_mllm.json"), EntryKind::Json);
/// assert_eq!(classify("images/fig1.png"), EntryKind::Image);
/// assert_eq!(classify("chunks.jsonl"), EntryKind::Chunks);
/// ```
pub fn classify(path: &str) -> EntryKind {
    let lower = path.to_ascii_lowercase();
    let (dir, file) = match lower.rsplit_once('/') {
        Some((d, f)) => (d, f),
        None => ("", lower.as_str()),
    };
    let (stem, ext) = match file.rsplit_once('.') {
        Some((s, e)) => (s, e),
        None => (file, ""),
    };
    let in_images = dir
        .split('/')
        .any(|c| c == "images" || c == "image" || c == "imgs");
    if in_images || is_image_ext(ext) {
        return EntryKind::Image;
    }
    let page = page_number(dir, stem);
    match ext {
        "md" | "markdown" => match page {
            Some(n) => EntryKind::PageMarkdown(n),
            None => EntryKind::Markdown,
        },
        "json" => match page {
            Some(n) if !stem.ends_with("mllm") => EntryKind::PageJson(n),
            _ => EntryKind::Json,
        },
        "jsonl" => EntryKind::Chunks,
        _ => EntryKind::Other,
    }
}

fn page_number(dir: &str, stem: &str) -> Option<u32> {
    if !stem.is_empty() && stem.bytes().all(|b| b.is_ascii_digit()) {
        return stem.parse().ok();
    }
    let digits = stem.len() - stem.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 {
        return None;
    }
    let last_dir = dir.rsplit('/').next().unwrap_or("");
    if stem.contains("page") || last_dir.contains("page") {
        return stem[stem.len() - digits..].parse().ok();
    }
    None
}

fn is_image_ext(ext: &str) -> bool {
    matches!(
        ext,
        "png" | "jpg" | "jpeg" | "gif" | "bmp" | "webp" | "tif" | "tiff" | "svg" | "heic"
    )
}

/// The media type of a path, from its extension.
pub fn media_type(path: &str) -> &'static str {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "md" | "markdown" => "text/markdown",
        "json" => "application/json",
        "jsonl" => "application/jsonl",
        "txt" => "text/plain",
        "html" | "htm" => "text/html",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "bmp" => "image/bmp",
        "webp" => "image/webp",
        "tif" | "tiff" => "image/tiff",
        "svg" => "image/svg+xml",
        "heic" => "image/heic",
        _ => "application/octet-stream",
    }
}

/// Checks an entry name and returns it as a clean relative `/`-separated path, `None` for a
/// name that names nothing (such as `./`).
///
/// ```
/// use lkeap::archive::checked_path;
/// assert_eq!(checked_path("a/./b.md").unwrap().as_deref(), Some("a/b.md"));
/// assert!(checked_path("../evil.sh").is_err());
/// assert!(checked_path("/etc/passwd").is_err());
/// assert!(checked_path("C:\\x.txt").is_err());
/// assert!(checked_path("./k:/x.txt").is_err()); // found by the lkeap_archive fuzz target
/// assert_eq!(checked_path("./").unwrap(), None);
/// ```
pub fn checked_path(name: &str) -> Result<Option<String>> {
    if name.contains('\0') {
        return Err(decode_error(name, "has a NUL byte in its name"));
    }
    let unified = name.replace('\\', "/");
    let bytes = unified.as_bytes();
    let drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    if unified.starts_with('/') || drive {
        return Err(decode_error(name, "is an absolute path"));
    }
    let mut parts = Vec::new();
    for part in unified.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err(decode_error(name, "climbs out of the target with `..`")),
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        return Ok(None);
    }
    // `./C:/x` is `C:/x` once the `.` is gone: a drive letter however it is reached.
    let first = parts[0].as_bytes();
    if first.len() >= 2 && first[0].is_ascii_alphabetic() && first[1] == b':' {
        return Err(decode_error(name, "is an absolute path"));
    }
    Ok(Some(parts.join("/")))
}

/// Walks the archive, enforcing every rule, and hands each file to `read` (which copies at
/// most the given cap and returns the count) and its data (if kept) to `keep`.
fn walk<R, K>(bytes: &[u8], limits: &ArchiveLimits, mut read: R, mut keep: K) -> Result<()>
where
    R: FnMut(&str, &mut dyn Read, u64) -> Result<(u64, Option<Vec<u8>>)>,
    K: FnMut(String, Vec<u8>),
{
    if bytes.len() as u64 > limits.max_archive_bytes {
        return Err(archive_error(format!(
            "is {} bytes, over the cap of {} bytes",
            bytes.len(),
            limits.max_archive_bytes
        ))
        .with_retryable(false));
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| archive_error("is not a readable zip archive".to_owned()).with_source(e))?;
    if zip.len() > limits.max_entries {
        return Err(archive_error(format!(
            "has {} entries, over the cap of {}",
            zip.len(),
            limits.max_entries
        ))
        .with_retryable(false));
    }
    let mut seen = HashSet::new();
    // Names that differ only in case would overwrite each other on many file systems.
    let mut folded = HashSet::new();
    let mut total: u64 = 0;
    for index in 0..zip.len() {
        let mut file = zip
            .by_index(index)
            .map_err(|e| archive_error(format!("entry #{index} cannot be read")).with_source(e))?;
        let name = match file.name() {
            Ok(n) => n.into_owned(),
            Err(e) => {
                return Err(
                    archive_error(format!("entry #{index} has an unreadable name")).with_source(e),
                )
            }
        };
        let Some(path) = checked_path(&name)? else {
            continue;
        };
        if file.is_dir() {
            continue;
        }
        if file.is_symlink() {
            return Err(decode_error(&name, "is a symbolic link"));
        }
        if file.encrypted() {
            return Err(decode_error(&name, "is encrypted"));
        }
        if !seen.insert(path.clone()) {
            return Err(decode_error(&name, "appears twice in the archive"));
        }
        if !folded.insert(path.to_lowercase()) {
            return Err(decode_error(
                &name,
                "differs from another entry only in letter case",
            ));
        }
        let declared = file.size();
        if declared > limits.max_entry_bytes {
            return Err(decode_error(
                &name,
                &format!(
                    "declares {declared} bytes uncompressed, over the per-entry cap of {} bytes",
                    limits.max_entry_bytes
                ),
            ));
        }
        if total.saturating_add(declared) > limits.max_total_bytes {
            return Err(decode_error(
                &name,
                &format!(
                    "brings the declared uncompressed total over the cap of {} bytes",
                    limits.max_total_bytes
                ),
            ));
        }
        let cap = limits
            .max_entry_bytes
            .min(limits.max_total_bytes.saturating_sub(total));
        let (n, data) = read(&path, &mut file, cap)?;
        total = total.saturating_add(n);
        if let Some(data) = data {
            keep(path, data);
        }
    }
    Ok(())
}

/// Why a capped copy stopped.
enum CopyError {
    Io(io::Error),
    OverCap(u64),
}

/// Copies at most `cap` bytes; more is an error (a size that lied, or a bomb).
fn copy_capped(
    from: &mut dyn Read,
    to: &mut dyn Write,
    cap: u64,
) -> std::result::Result<u64, CopyError> {
    let mut limited = from.take(cap.saturating_add(1));
    let mut buf = [0u8; 64 * 1024];
    let mut count: u64 = 0;
    loop {
        let n = match limited.read(&mut buf) {
            Ok(0) => return Ok(count),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(CopyError::Io(e)),
        };
        count += n as u64;
        if count > cap {
            return Err(CopyError::OverCap(cap));
        }
        to.write_all(&buf[..n]).map_err(CopyError::Io)?;
    }
}

fn read_error(path: &str, err: CopyError) -> Error {
    match err {
        CopyError::OverCap(cap) => decode_error(
            path,
            &format!(
                "inflates past {cap} bytes (the per-entry or total cap), more than it declares"
            ),
        ),
        CopyError::Io(e) => decode_error(
            path,
            "cannot be inflated or written (corrupt, or larger than it declares)",
        )
        // Corrupt data may have been damaged on the way: another download may read fine.
        .with_retryable(true)
        .with_source(e),
    }
}

/// Creates the parent folders of `rel` under `dir`, refusing to go through symbolic links, and
/// returns the file path.
fn prepare_target(dir: &Path, rel: &str) -> Result<PathBuf> {
    let mut target = dir.to_path_buf();
    let parts: Vec<&str> = rel.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        target.push(part);
        match fs::symlink_metadata(&target) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(decode_error(
                    rel,
                    "would be written through a symbolic link",
                ));
            }
            Ok(meta) if i + 1 < parts.len() && !meta.is_dir() => {
                return Err(decode_error(rel, "has a parent that is not a folder"));
            }
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if i + 1 < parts.len() {
                    fs::create_dir(&target).map_err(|e| io_error(&target, e))?;
                }
            }
            Err(e) => return Err(io_error(&target, e)),
        }
    }
    Ok(target)
}

/// The archive as a whole could not be read (retryable unless marked otherwise: a zip cut
/// short or garbled on the way reads fine when downloaded again).
fn archive_error(rule: String) -> Error {
    Error::new(ErrorKind::Decode, format!("the result archive {rule}"))
        .with_provider(crate::PROVIDER_ID)
}

/// An entry breaks a rule: final, the same archive breaks it again.
fn decode_error(entry: &str, rule: &str) -> Error {
    Error::new(
        ErrorKind::Decode,
        format!("result archive entry {entry:?} refused: it {rule}"),
    )
    .with_provider(crate::PROVIDER_ID)
    .with_retryable(false)
}

/// Checks that `bytes` open as a zip archive (its central directory is there and readable)
/// within the archive caps, without inflating anything: a download cut short or garbled on
/// the way fails here, with a retryable error.
pub(crate) fn check_opens(bytes: &[u8], limits: &ArchiveLimits) -> Result<()> {
    if bytes.len() as u64 > limits.max_archive_bytes {
        return Err(archive_error(format!(
            "is {} bytes, over the cap of {} bytes",
            bytes.len(),
            limits.max_archive_bytes
        ))
        .with_retryable(false));
    }
    zip::ZipArchive::new(Cursor::new(bytes))
        .map(|_| ())
        .map_err(|e| archive_error("is not a readable zip archive".to_owned()).with_source(e))
}

fn io_error(path: &Path, err: io::Error) -> Error {
    Error::new(
        ErrorKind::Config,
        format!("cannot write the result to {}", path.display()),
    )
    .with_provider(crate::PROVIDER_ID)
    .with_source(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers_from_names() {
        assert_eq!(classify("page_12.md"), EntryKind::PageMarkdown(12));
        assert_eq!(classify("out/Page-3.json"), EntryKind::PageJson(3));
        assert_eq!(classify("pages/doc_4.md"), EntryKind::PageMarkdown(4));
        assert_eq!(classify("report2024.md"), EntryKind::Markdown);
        assert_eq!(classify("notes.txt"), EntryKind::Other);
        assert_eq!(classify("images/diagram"), EntryKind::Image);
    }

    #[test]
    fn names_are_checked() {
        for bad in [
            "../x",
            "a/../../x",
            "/abs",
            "\\\\server\\share",
            "c:/x",
            "a\\..\\..\\x",
            "a\0b",
        ] {
            assert!(checked_path(bad).is_err(), "{bad}");
        }
        assert_eq!(checked_path("a\\b.md").unwrap().as_deref(), Some("a/b.md"));
        assert_eq!(checked_path("./").unwrap(), None);
    }

    #[test]
    fn copies_are_counted_whatever_the_archive_declares() {
        let mut out = Vec::new();
        let mut src = io::repeat(7).take(2000);
        assert!(matches!(
            copy_capped(&mut src, &mut out, 1000),
            Err(CopyError::OverCap(1000))
        ));
        assert!(out.len() <= 1000);
        let mut exact = io::repeat(7).take(1000);
        let mut out = Vec::new();
        assert!(matches!(copy_capped(&mut exact, &mut out, 1000), Ok(1000)));
    }

    #[test]
    fn damage_is_retryable_and_broken_rules_are_not() {
        let limits = ArchiveLimits::default();
        let err = ResultArchive::from_zip(b"PK\x03\x04 cut short", &limits).unwrap_err();
        assert!(err.is_retryable(), "{err}");
        assert!(check_opens(b"PK\x03\x04 cut short", &limits)
            .unwrap_err()
            .is_retryable());
        assert!(!checked_path("../evil.sh").unwrap_err().is_retryable());
        let tiny = ArchiveLimits::default().with_max_archive_bytes(4);
        assert!(!check_opens(b"PK\x03\x04 more", &tiny)
            .unwrap_err()
            .is_retryable());
    }

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = io::Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut out);
            for (name, data) in entries {
                zip.start_file(*name, zip::write::SimpleFileOptions::default())
                    .unwrap();
                zip.write_all(data).unwrap();
            }
            zip.finish().unwrap();
        }
        out.into_inner()
    }

    #[test]
    fn entries_differing_only_in_case_are_refused() {
        let bytes = zip_of(&[("doc.md", b"a"), ("DOC.md", b"b")]);
        let err = ResultArchive::from_zip(&bytes, &ArchiveLimits::default()).unwrap_err();
        assert!(err.to_string().contains("only in letter case"), "{err}");
        let ok = zip_of(&[("doc.md", b"a"), ("pages/1.md", b"b")]);
        assert!(ResultArchive::from_zip(&ok, &ArchiveLimits::default()).is_ok());
    }

    #[test]
    fn the_default_total_is_a_quarter_gibibyte() {
        assert_eq!(ArchiveLimits::default().max_total_bytes, 256 * 1024 * 1024);
        let limits = ArchiveLimits::default().with_max_total_bytes(10);
        let bytes = zip_of(&[("a.md", b"0123456"), ("b.md", b"0123456")]);
        let err = ResultArchive::from_zip(&bytes, &limits).unwrap_err();
        assert!(err.to_string().contains("cap of 10 bytes"), "{err}");
    }

    #[test]
    fn garbage_is_a_decode_error() {
        let err = ResultArchive::from_zip(b"not a zip", &ArchiveLimits::default()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode);
    }
}

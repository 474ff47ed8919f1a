//! Files written whole or not at all, through `tempfile` (its `persist` is the rename; it
//! removes the temporary file on every error path), plus an fsync of the directory so the
//! rename itself survives a crash.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Marks temporary files in an output directory: `.<name>.cloud-ocr-tmp-<random>`.
pub const TEMP_MARKER: &str = ".cloud-ocr-tmp-";

/// Writes `data` to `path` atomically: a temporary file in the same directory, flushed to
/// disk, renamed over `path`, and the directory flushed. A reader (or a run killed half-way)
/// never sees half a file.
pub async fn write_atomic(path: PathBuf, data: Vec<u8>) -> std::io::Result<()> {
    tokio::task::spawn_blocking(move || write_atomic_blocking(&path, &data))
        .await
        .map_err(std::io::Error::other)?
}

fn write_atomic_blocking(path: &Path, data: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".to_owned());
    let prefix = format!(".{name}{TEMP_MARKER}");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix);
    // A result file is an ordinary file: an existing one keeps its mode; a new one gets what
    // the umask allows (tempfile would make it private, 0600).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map(|m| m.permissions().mode() & 0o7777)
            .unwrap_or(0o666);
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    let mut file = builder.tempfile_in(dir)?;
    file.write_all(data)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    sync_dir(dir)
}

/// Flushes a directory's entries to disk (the rename), where the platform allows it.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::fs::File::open(dir)?.sync_all()?;
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
    }
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn results_are_ordinary_files_and_keep_an_existing_mode() {
        let dir = tempfile::tempdir().unwrap();
        let new = dir.path().join("new.txt");
        write_atomic_blocking(&new, b"a").unwrap();
        let mode = std::fs::metadata(&new).unwrap().permissions().mode() & 0o777;
        // The mode of any file the process creates (0666 less the umask), not the private
        // 0600 of a temporary file.
        let plain = dir.path().join("plain.txt");
        std::fs::write(&plain, b"a").unwrap();
        let expected = std::fs::metadata(&plain).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, expected, "{mode:o} vs {expected:o}");
        let kept = dir.path().join("kept.txt");
        std::fs::write(&kept, b"old").unwrap();
        std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic_blocking(&kept, b"new").unwrap();
        let mode = std::fs::metadata(&kept).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        assert_eq!(std::fs::read(&kept).unwrap(), b"new");
    }
}

/// Removes temporary files a killed run left in `dir`.
pub fn remove_stale_temps(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') && name.contains(TEMP_MARKER) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

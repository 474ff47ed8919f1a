//! Files written whole or not at all.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Marks temporary files in an output directory: `.<name>.cloud-ocr-tmp-<pid>-<n>`.
pub const TEMP_MARKER: &str = ".cloud-ocr-tmp-";

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Writes `data` to `path` atomically: a temporary file in the same directory, flushed to
/// disk, then renamed over `path`. A reader (or a run killed half-way) never sees half a file.
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
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let tmp = dir.join(format!(".{name}{TEMP_MARKER}{}-{n}", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(data)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
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

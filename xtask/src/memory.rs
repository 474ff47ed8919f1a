//! The memory section of `cargo xtask bench`: the peak resident memory of the release
//! `cloud-ocr scan` of a large input, per provider, against an emulator in this process (so
//! the measured process holds the client only).
//!
//! The peak is the child's `VmHWM` (`/proc/<pid>/status`), read every few milliseconds until
//! it exits; the same scan of a one-kilobyte image gives the process's own footprint, which is
//! taken off. For the base64 APIs (tc-ocr, LKEAP) the row is that growth against the file's
//! size (goal: at most 2.5 times: the file and its base64 in the body, nothing more); for the
//! uploads (PicWish multipart, COS `PutObject`) it is the growth for a 190 MiB file (goal: at
//! most 16 MiB: streamed, never read whole).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use ocr_emulator::{Emulator, EmulatorConfig};

use crate::bench::{Goal, Quantity, Row};
use crate::throughput::Scratch;

const MIB: u64 = 1024 * 1024;

/// One measured scan: the provider, the input's size, and the goal of its row.
struct MemoryCase {
    provider: &'static str,
    size: u64,
    goal: Goal,
}

const CASES: [MemoryCase; 4] = [
    MemoryCase {
        provider: "tc-ocr",
        size: 5 * MIB,
        goal: Goal::RatioAtMost(2.5),
    },
    MemoryCase {
        provider: "lkeap",
        size: 5 * MIB,
        goal: Goal::RatioAtMost(2.5),
    },
    MemoryCase {
        provider: "picwish",
        size: 190 * MIB,
        goal: Goal::ValueAtMost(Quantity::Bytes(16.0 * MIB as f64)),
    },
    MemoryCase {
        provider: "cos-ci",
        size: 5 * MIB,
        goal: Goal::RatioAtMost(2.5),
    },
];

/// Runs every case with the release binary `binary`; one row each.
pub fn memory_rows(binary: &Path) -> Result<Vec<Row>, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start a runtime: {e}"))?;
    let emulator = runtime
        .block_on(Emulator::start(
            EmulatorConfig::default().without_rate_limits(),
        ))
        .map_err(|e| format!("cannot start the emulator: {e}"))?;
    let dir = Scratch::new("memory")?;
    let small = dir.path().join("small.png");
    write_png(&small, 1024)?;
    let mut rows = Vec::new();
    for case in CASES {
        let large = dir.path().join(format!("{}-large.png", case.provider));
        write_png(&large, case.size)?;
        let baseline = peak_rss(binary, &emulator, case.provider, &small, dir.path())?;
        let peak = peak_rss(binary, &emulator, case.provider, &large, dir.path())?;
        std::fs::remove_file(&large)
            .map_err(|e| format!("cannot remove {}: {e}", large.display()))?;
        let growth = peak.saturating_sub(baseline) as f64;
        let what = format!(
            "{} scan of a {} MiB image: peak RSS above a 1 KiB scan{}",
            case.provider,
            case.size / MIB,
            match case.goal {
                Goal::RatioAtMost(_) => " / file size",
                _ => "",
            }
        );
        rows.push(match case.goal {
            Goal::RatioAtMost(_) => Row::compare(
                &what,
                Quantity::Bytes(growth),
                Quantity::Bytes(case.size as f64),
                Some(case.goal),
            ),
            _ => Row {
                what,
                value: Quantity::Bytes(growth),
                reference: None,
                ratio: None,
                goal: Some(case.goal),
            },
        });
    }
    drop(emulator);
    Ok(rows)
}

/// The peak resident memory of `cloud-ocr scan input -p provider` against `emulator`, in bytes.
fn peak_rss(
    binary: &Path,
    emulator: &Emulator,
    provider: &str,
    input: &Path,
    home: &Path,
) -> Result<u64, String> {
    let endpoints = emulator.endpoints();
    let mut command = Command::new(binary);
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("TENCENTCLOUD_SECRET_ID", ocr_emulator::SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", ocr_emulator::SECRET_KEY)
        .env("PICWISH_API_KEY", ocr_emulator::PICWISH_API_KEY)
        .env("CLOUD_OCR_COS_BUCKET", &endpoints.bucket)
        .env("CLOUD_OCR_COS_REGION", &endpoints.region)
        .args(["scan", "-q", "--no-cache", "-p", provider])
        .args(["--endpoint", endpoints.tencent.as_str()])
        .arg(input)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0u64;
    let status = loop {
        if let Ok(text) = std::fs::read_to_string(&status_file) {
            peak = peak.max(vm_hwm(&text).unwrap_or(0));
        }
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => std::thread::sleep(Duration::from_millis(2)),
            Err(e) => return Err(format!("cannot wait for cloud-ocr: {e}")),
        }
    };
    if !status.success() {
        let mut stderr = String::new();
        if let Some(mut pipe) = child.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut pipe, &mut stderr);
        }
        return Err(format!(
            "cloud-ocr scan {} with {provider} failed ({status}): {stderr}",
            input.display()
        ));
    }
    if peak == 0 {
        return Err("could not read the child's VmHWM from /proc".to_owned());
    }
    Ok(peak)
}

/// `VmHWM` (the peak resident set) of a `/proc/<pid>/status` text, in bytes.
fn vm_hwm(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Writes a PNG of `size` bytes that the emulator reads: a small image carrying its text,
/// grown by a private ancillary chunk (`ruSt`, which readers skip) of zeros.
fn write_png(path: &Path, size: u64) -> Result<(), String> {
    let png = ocr_emulator::samples::png_with_text(200, 80, "LARGE INPUT");
    let (head, iend) = png.split_at(png.len() - 12);
    let pad = (size as usize).saturating_sub(png.len() + 12);
    let mut out = Vec::with_capacity(png.len() + 12 + pad);
    out.extend_from_slice(head);
    if pad > 0 {
        let length = u32::try_from(pad).map_err(|_| "the padding is too large".to_owned())?;
        out.extend_from_slice(&length.to_be_bytes());
        let start = out.len();
        out.extend_from_slice(b"ruSt");
        out.resize(out.len() + pad, 0);
        let crc = crc32fast::hash(&out[start..]);
        out.extend_from_slice(&crc.to_be_bytes());
    }
    out.extend_from_slice(iend);
    std::fs::write(path, out).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_vm_hwm() {
        let status = "Name:\tcloud-ocr\nVmPeak:\t  20000 kB\nVmHWM:\t    8192 kB\n";
        assert_eq!(vm_hwm(status), Some(8 * 1024 * 1024));
        assert_eq!(vm_hwm("Name: x\n"), None);
    }

    #[test]
    fn a_grown_png_has_the_asked_size_and_still_reads() {
        let dir = Scratch::new("png-test").unwrap();
        let path = dir.path().join("a.png");
        write_png(&path, 100_000).unwrap();
        let data = std::fs::read(&path).unwrap();
        assert_eq!(data.len(), 100_000);
        assert!(data.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert!(data.ends_with(b"IEND\xAE\x42\x60\x82"));
    }
}

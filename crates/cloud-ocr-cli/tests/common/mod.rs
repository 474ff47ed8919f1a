//! Shared by the CLI tests: the binary with a clean environment, an emulator, sample inputs.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use ocr_emulator::{Emulator, EmulatorConfig};

/// The invoice sample's text (see `xtask/src/samples.rs`).
pub const INVOICE_LINES: [&str; 5] = [
    "INVOICE No. 2026-0117",
    "Date: 2026-11-21",
    "Bill to: Example Trading Co.",
    "Item: OCR credits x 1000",
    "Total: 42.00 USD",
];

/// `fixtures/samples/invoice.png`.
pub fn invoice_png() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/samples/invoice.png")
}

/// A test's private world: an empty home directory and a scratch folder.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("home")).unwrap();
        Sandbox { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The binary with nothing of the test's environment: only `PATH` and an empty `HOME`
    /// (so neither credential variables nor a profile file are found), plus `vars`.
    pub fn cloud_ocr(&self, vars: &[(&str, &str)]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cloud-ocr"));
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.path().join("home"))
            .current_dir(self.path());
        for (name, value) in vars {
            cmd.env(name, value);
        }
        cmd
    }

    /// Writes a file in the sandbox and returns its path.
    pub fn write(&self, name: &str, data: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, data).unwrap();
        path
    }
}

/// The emulator's Tencent test credentials as the usual variables.
pub fn tencent_vars() -> [(&'static str, &'static str); 2] {
    [
        ("TENCENTCLOUD_SECRET_ID", ocr_emulator::SECRET_ID),
        ("TENCENTCLOUD_SECRET_KEY", ocr_emulator::SECRET_KEY),
    ]
}

/// The emulator's PicWish key as the usual variable.
pub fn picwish_vars() -> [(&'static str, &'static str); 1] {
    [("PICWISH_API_KEY", ocr_emulator::PICWISH_API_KEY)]
}

/// A configuration file in `sandbox` naming the fallback chain tc-ocr → picwish on `emu`
/// (tc-ocr gives up at its first failed attempt), and the variables of both providers' keys.
pub fn fallback_chain(
    sandbox: &Sandbox,
    emu: &Emulator,
) -> (PathBuf, Vec<(&'static str, &'static str)>) {
    let endpoints = emu.endpoints();
    let config = sandbox.write(
        "cloud-ocr.toml",
        format!(
            "provider = [\"tc-ocr\", \"picwish\"]\n\
             [tc-ocr]\nendpoint = \"{}\"\nmax_attempts = 1\n\
             [picwish]\nendpoint = \"{}\"\npoll_interval_secs = 0.2\n",
            endpoints.tencent, endpoints.picwish
        ),
    );
    let mut vars = tencent_vars().to_vec();
    vars.extend(picwish_vars());
    (config, vars)
}

pub async fn emulator(config: EmulatorConfig) -> Emulator {
    Emulator::start(config).await.unwrap()
}

/// Runs the command to completion off the async runtime (the emulator keeps serving), with a
/// time limit.
pub async fn run(mut cmd: Command) -> Output {
    let task = tokio::task::spawn_blocking(move || cmd.output().unwrap());
    tokio::time::timeout(Duration::from_secs(120), task)
        .await
        .expect("cloud-ocr did not finish within 120 s")
        .unwrap()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Panics with both streams unless the exit code is `code`.
pub fn assert_exit(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "exit status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        stdout(out),
        stderr(out)
    );
}

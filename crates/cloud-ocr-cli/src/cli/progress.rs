//! What a batch shows while it runs: a progress bar when stderr is a terminal, plain log lines
//! otherwise.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};

use indicatif::{ProgressBar, ProgressStyle};

/// The batch's progress display.
pub struct Progress {
    bar: Option<ProgressBar>,
    total: u64,
    finished: AtomicU64,
    failed: AtomicU64,
    quiet: bool,
}

impl Progress {
    /// A display for `total` inputs: a bar on a terminal (with rate, ETA and failures),
    /// lines otherwise; with `quiet`, only failures.
    pub fn new(total: u64, quiet: bool) -> Progress {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::new(total);
            if let Ok(style) = ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} {per_sec} ETA {eta} {prefix} {msg}",
            ) {
                bar.set_style(style);
            }
            bar.enable_steady_tick(std::time::Duration::from_millis(200));
            bar
        });
        Progress {
            bar,
            total,
            finished: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            quiet,
        }
    }

    /// A message that always shows (above the bar, or as a line).
    pub fn line(&self, message: &str) {
        match &self.bar {
            Some(bar) => bar.println(message),
            None => eprintln!("{message}"),
        }
    }

    /// One input finished well: the bar moves, or a line says so.
    pub fn done(&self, what: &str) {
        let n = self.finished.fetch_add(1, Ordering::Relaxed) + 1;
        match &self.bar {
            Some(bar) => {
                bar.set_message(what.to_owned());
                bar.inc(1);
            }
            None if self.quiet => {}
            None => eprintln!("cloud-ocr: [{n}/{}] done {what}", self.total),
        }
    }

    /// One input failed: always a line.
    pub fn failed(&self, what: &str) {
        let n = self.finished.fetch_add(1, Ordering::Relaxed) + 1;
        let failed = self.failed.fetch_add(1, Ordering::Relaxed) + 1;
        let line = format!("cloud-ocr: [{n}/{}] failed {what}", self.total);
        match &self.bar {
            Some(bar) => {
                bar.println(line);
                bar.set_prefix(format!("{failed} failed"));
                bar.inc(1);
            }
            None => eprintln!("{line}"),
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

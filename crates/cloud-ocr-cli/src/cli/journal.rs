//! The batch journal: `<out>/.cloud-ocr-journal.jsonl`, append-only JSON lines, each flushed to
//! disk before the run moves on, so a run killed at any point can resume without submitting
//! anything twice.
//!
//! ```text
//! {"input":"/abs/a.png","event":"submitted","job":{…Job…}}
//! {"input":"/abs/a.png","event":"done","output":"a.png.txt"}
//! {"input":"/abs/b.png","event":"failed","error":{"kind":"task_failed","code":"…","message":"…","request_id":"…"}}
//! ```

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use cloud_ocr::{Error, ErrorKind, Job};
use serde::{Deserialize, Serialize};

/// The journal's file name inside the output folder.
pub const JOURNAL_FILE: &str = ".cloud-ocr-journal.jsonl";

/// What happened to an input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "lowercase")]
pub enum Event {
    /// Submitted: the job to poll (with the result inside for synchronous providers).
    Submitted {
        /// The job, as the provider returned it.
        job: Job,
        /// Whether the embedded emulator took it (nothing was billed; it exists only in
        /// that run's emulator).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        simulated: bool,
    },
    /// The result file is written.
    Done {
        /// The result file's name inside the output folder.
        output: String,
        /// Why the result is incomplete (pages missing), when it is: a later run that skips
        /// the input as done says so again rather than calling it done.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        incomplete: Option<String>,
    },
    /// It failed.
    Failed {
        /// Why.
        error: ErrorRecord,
    },
}

/// One journal line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// The input's key: an absolute path or a URL.
    pub input: String,
    /// What happened.
    #[serde(flatten)]
    pub event: Event,
}

/// An error as the journal keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorRecord {
    /// The error kind (`task_failed`, `auth` …).
    pub kind: String,
    /// The provider's error code, if any.
    pub code: Option<String>,
    /// The message.
    pub message: String,
    /// The request id, if any.
    pub request_id: Option<String>,
}

impl ErrorRecord {
    /// The record of `err`.
    pub fn of(err: &Error) -> Self {
        ErrorRecord {
            kind: err.kind().as_str().to_owned(),
            code: err.code().map(str::to_owned),
            message: err.message().to_owned(),
            request_id: err.request_id().map(str::to_owned),
        }
    }

    /// Whether the saved job may still be polled after this failure (the task itself did not
    /// fail and its result did not expire), rather than submitted again.
    pub fn job_still_useful(&self) -> bool {
        ![
            ErrorKind::TaskFailed,
            ErrorKind::ResultExpired,
            ErrorKind::InvalidInput,
            ErrorKind::Unsupported,
        ]
        .iter()
        .any(|k| k.as_str() == self.kind)
    }

    /// One line for the summary: `code: message (request id)`.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        if let Some(code) = &self.code {
            out.push_str(code);
            out.push_str(": ");
        }
        out.push_str(&self.message);
        if let Some(id) = &self.request_id {
            out.push_str(&format!(" (request {id})"));
        }
        out
    }
}

/// The last known state of an input.
#[derive(Debug, Clone, PartialEq)]
pub enum Last {
    /// Submitted, not finished.
    Submitted,
    /// Finished, result file written.
    Done(String),
    /// Failed.
    Failed(ErrorRecord),
}

/// An input as the journal left it.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// The last job submitted for it, if any.
    pub job: Option<Job>,
    /// Whether that job was taken by an embedded emulator.
    pub simulated: bool,
    /// Its last event.
    pub last: Last,
    /// When its last event is `Done` with an incomplete result: the warning that said so.
    pub incomplete: Option<String>,
}

/// What an existing journal says.
#[derive(Debug, Default)]
pub struct Replay {
    /// The state of every input it mentions.
    pub states: HashMap<String, State>,
    /// Lines that could not be read (a line cut short by a kill, or damage).
    pub unreadable: usize,
    /// `done` lines whose output is not a plain file name inside the output folder (an
    /// edited or hostile journal): ignored, so the input is recognised again.
    pub refused: usize,
}

/// Whether `name` is a plain file name: it stays inside the output folder when joined to it
/// (no separator, not `.` or `..`, not absolute, no drive prefix, no NUL).
pub fn is_plain_name(name: &str) -> bool {
    let path = Path::new(name);
    !name.is_empty()
        && !name.contains(['/', '\\', '\0', ':'])
        && name != "."
        && name != ".."
        && path.components().count() == 1
        && matches!(
            path.components().next(),
            Some(std::path::Component::Normal(_))
        )
}

/// Reads journal text.
pub fn replay(text: &str) -> Replay {
    let mut out = Replay::default();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let Ok(record) = serde_json::from_str::<Record>(line) else {
            out.unreadable += 1;
            continue;
        };
        let entry = out.states.entry(record.input).or_insert(State {
            job: None,
            simulated: false,
            last: Last::Submitted,
            incomplete: None,
        });
        entry.incomplete = None;
        match record.event {
            Event::Submitted { job, simulated } => {
                entry.job = Some(job);
                entry.simulated = simulated;
                entry.last = Last::Submitted;
            }
            Event::Done { output, incomplete } if is_plain_name(&output) => {
                entry.last = Last::Done(output);
                entry.incomplete = incomplete;
            }
            Event::Done { .. } => out.refused += 1,
            Event::Failed { error } => entry.last = Last::Failed(error),
        }
    }
    out
}

/// The open journal; appends are serialised and each is flushed to disk (fsync) before it
/// returns.
pub struct Journal {
    path: PathBuf,
    file: Mutex<File>,
}

impl Journal {
    /// Opens (or creates) the journal in `dir` and reads what it holds. A last line cut short
    /// by a kill is ended, so the next record starts on its own line.
    pub fn open(dir: &Path) -> std::io::Result<(Arc<Journal>, Replay)> {
        let path = dir.join(JOURNAL_FILE);
        let mut file = OpenOptions::new()
            .read(true)
            .create(true)
            .append(true)
            .open(&path)?;
        let mut text = String::new();
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        text.push_str(&String::from_utf8_lossy(&bytes));
        if !bytes.is_empty() && !bytes.ends_with(b"\n") {
            file.seek(SeekFrom::End(0))?;
            file.write_all(b"\n")?;
            file.sync_data()?;
        }
        let replay = replay(&text);
        Ok((
            Arc::new(Journal {
                path,
                file: Mutex::new(file),
            }),
            replay,
        ))
    }

    /// The journal's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one record and flushes it to disk.
    pub async fn append(self: &Arc<Self>, record: Record) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(&record).map_err(std::io::Error::other)?;
        line.push(b'\n');
        let journal = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let mut file = journal
                .file
                .lock()
                .map_err(|_| std::io::Error::other("the journal lock is poisoned"))?;
            file.write_all(&line)?;
            file.sync_data()
        })
        .await
        .map_err(std::io::Error::other)?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn done_outputs_outside_the_folder_are_refused() {
        let text = [
            r#"{"input":"a","event":"done","output":"/tmp/x.txt"}"#,
            r#"{"input":"b","event":"done","output":"../x.txt"}"#,
            r#"{"input":"c","event":"done","output":"sub/x.txt"}"#,
            r#"{"input":"d","event":"done","output":"d.png.txt"}"#,
        ]
        .join("\n");
        let replay = replay(&text);
        assert_eq!(replay.refused, 3);
        assert!(matches!(replay.states["d"].last, Last::Done(ref n) if n == "d.png.txt"));
        for key in ["a", "b", "c"] {
            assert!(
                !matches!(replay.states.get(key).map(|s| &s.last), Some(Last::Done(_))),
                "{key}"
            );
        }
    }

    fn job(task: &str) -> Job {
        Job::new("picwish", task, 1).with_meta("format", "txt")
    }

    #[test]
    fn records_have_the_documented_shape() {
        let submitted = Record {
            input: "/in/a.png".into(),
            event: Event::Submitted {
                job: job("t1"),
                simulated: false,
            },
        };
        let v = serde_json::to_value(&submitted).unwrap();
        assert_eq!(v["input"], "/in/a.png");
        assert_eq!(v["event"], "submitted");
        assert_eq!(v["job"]["task_id"], "t1");
        let done = Record {
            input: "/in/a.png".into(),
            event: Event::Done {
                incomplete: None,
                output: "a.png.txt".into(),
            },
        };
        assert_eq!(
            serde_json::to_string(&done).unwrap(),
            r#"{"input":"/in/a.png","event":"done","output":"a.png.txt"}"#
        );
        let err = Error::new(ErrorKind::TaskFailed, "bad file")
            .with_code("-7")
            .with_request_id("r-1");
        let failed = Record {
            input: "/in/b.png".into(),
            event: Event::Failed {
                error: ErrorRecord::of(&err),
            },
        };
        assert_eq!(
            serde_json::to_string(&failed).unwrap(),
            r#"{"input":"/in/b.png","event":"failed","error":{"kind":"task_failed","code":"-7","message":"bad file","request_id":"r-1"}}"#
        );
    }

    #[test]
    fn replay_keeps_the_last_event_and_the_last_job_and_skips_a_cut_line() {
        let lines = [
            r#"{"input":"a","event":"submitted","job":{"provider":"picwish","task_id":"t1","created_at":1}}"#,
            r#"{"input":"b","event":"submitted","job":{"provider":"picwish","task_id":"t2","created_at":1}}"#,
            r#"{"input":"a","event":"done","output":"a.txt"}"#,
            r#"{"input":"c","event":"failed","error":{"kind":"task_failed","code":null,"message":"m","request_id":null}}"#,
            r#"{"input":"d","event":"subm"#,
        ];
        let r = replay(&lines.join("\n"));
        assert_eq!(r.unreadable, 1);
        assert_eq!(r.states["a"].last, Last::Done("a.txt".into()));
        assert_eq!(r.states["a"].job.as_ref().unwrap().task_id, "t1");
        assert_eq!(r.states["b"].last, Last::Submitted);
        assert!(matches!(r.states["c"].last, Last::Failed(_)));
        assert!(!r.states.contains_key("d"));
    }

    #[tokio::test]
    async fn append_survives_a_cut_last_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(JOURNAL_FILE), b"{\"input\":\"x\",\"ev").unwrap();
        let (journal, replay) = Journal::open(dir.path()).unwrap();
        assert_eq!(replay.unreadable, 1);
        journal
            .append(Record {
                input: "y".into(),
                event: Event::Done {
                    output: "y.txt".into(),
                    incomplete: None,
                },
            })
            .await
            .unwrap();
        drop(journal);
        let (_, replay) = Journal::open(dir.path()).unwrap();
        assert_eq!(replay.unreadable, 1);
        assert_eq!(replay.states["y"].last, Last::Done("y.txt".into()));
    }

    #[test]
    fn which_failures_keep_the_job() {
        let rec = |kind: ErrorKind| ErrorRecord::of(&Error::new(kind, "m"));
        assert!(rec(ErrorKind::Timeout).job_still_useful());
        assert!(rec(ErrorKind::Transport).job_still_useful());
        assert!(!rec(ErrorKind::TaskFailed).job_still_useful());
        assert!(!rec(ErrorKind::ResultExpired).job_still_useful());
    }
}

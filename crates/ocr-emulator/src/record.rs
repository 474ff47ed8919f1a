//! Every request, recorded for inspection in a bounded ring buffer, with secrets
//! redacted before they are stored.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;

use crate::fault::lock;
use crate::service::Service;

/// What replaces a secret header value or query parameter.
pub const REDACTED: &str = "<redacted>";

/// Header names whose values are never stored.
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "x-tc-token",
    "x-api-key",
    "x-cos-security-token",
    "x-ci-security-token",
];

/// Query parameters whose values are never stored (signatures and tokens).
const SECRET_PARAMS: &[&str] = &[
    "q-signature",
    "sign",
    "x-cos-security-token",
    "x-ci-security-token",
];

/// One request as the emulator saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// Position in arrival order, from 1 (keeps counting after old entries drop out).
    pub seq: u64,
    /// Emulator-clock time of arrival, Unix milliseconds.
    pub at_millis: u64,
    /// HTTP method.
    pub method: String,
    /// Path as received (still percent-encoded).
    pub path: String,
    /// Query string as received, with signature and token values redacted.
    pub query: String,
    /// Headers as received (names lower case), secret values replaced by
    /// [`REDACTED`]: `Authorization`, `X-TC-Token`, `X-API-KEY`,
    /// `x-cos-security-token`, `x-ci-security-token`.
    pub headers: Vec<(String, String)>,
    /// Request body bytes read (or announced by `Content-Length` if not read).
    pub body_size: u64,
    /// The service it was routed to.
    pub service: Service,
    /// The action: the API 3.0 `X-TC-Action`, or the emulator's name for the COS, CI,
    /// PicWish and file operations (`PutObject`, `GetObject`, `HeadObject`,
    /// `DeleteObject`, `CiProcessOCR`, `SubmitJob`, `DescribeJobs`, `ListJobs`,
    /// `CancelJob`, `CreateTemplate`, `UpdateTemplate`, `DescribeTemplates`,
    /// `DeleteTemplate`, `CreateOcrTask`, `QueryOcrTask`, `GetFile`).
    pub action: Option<String>,
    /// The response status; `None` when the connection was dropped on purpose.
    pub status: Option<u16>,
    /// The injected fault that shaped the answer, if any (its `Debug` form).
    pub fault: Option<String>,
}

impl RecordedRequest {
    /// The value of a header (first one, name case-insensitive).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), ocr_emulator::StartError> {
    /// let emulator = ocr_emulator::Emulator::start(Default::default()).await?;
    /// if let Some(last) = emulator.recorded_requests().last() {
    ///     assert_ne!(last.header("authorization"), Some("TC3-HMAC-SHA256 …"));
    /// }
    /// # Ok(()) }
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Redacts the value of a header if it carries a secret.
pub(crate) fn redact_header(name: &str, value: &str) -> String {
    if SECRET_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(name)) {
        REDACTED.to_owned()
    } else {
        value.to_owned()
    }
}

/// Redacts secret parameter values in a raw query string, keeping everything else as is.
pub(crate) fn redact_query(query: &str) -> String {
    query
        .split('&')
        .map(|pair| {
            let (key, _) = pair.split_once('=').unwrap_or((pair, ""));
            let decoded = percent_encoding::percent_decode_str(key)
                .decode_utf8_lossy()
                .to_ascii_lowercase();
            if SECRET_PARAMS.contains(&decoded.as_str()) {
                format!("{key}={REDACTED}")
            } else {
                pair.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

struct Ring {
    entries: VecDeque<RecordedRequest>,
    next_seq: u64,
    submissions: BTreeMap<String, u64>,
    submissions_by_service: BTreeMap<Service, u64>,
}

/// The bounded record.
pub(crate) struct Recorder {
    capacity: usize,
    ring: Mutex<Ring>,
}

impl Recorder {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity,
            ring: Mutex::new(Ring {
                entries: VecDeque::with_capacity(capacity.min(4096)),
                next_seq: 1,
                submissions: BTreeMap::new(),
                submissions_by_service: BTreeMap::new(),
            }),
        }
    }

    /// The next sequence number (reserved at arrival).
    pub(crate) fn next_seq(&self) -> u64 {
        let mut ring = lock(&self.ring);
        let seq = ring.next_seq;
        ring.next_seq += 1;
        seq
    }

    pub(crate) fn push(&self, entry: RecordedRequest) {
        if self.capacity == 0 {
            return;
        }
        let mut ring = lock(&self.ring);
        while ring.entries.len() >= self.capacity {
            ring.entries.pop_front();
        }
        // Keep arrival order even when a slow request finishes late.
        let pos = ring
            .entries
            .iter()
            .rposition(|e| e.seq < entry.seq)
            .map_or(0, |p| p + 1);
        ring.entries.insert(pos, entry);
    }

    pub(crate) fn snapshot(&self) -> Vec<RecordedRequest> {
        lock(&self.ring).entries.iter().cloned().collect()
    }

    pub(crate) fn len(&self) -> usize {
        lock(&self.ring).entries.len()
    }

    pub(crate) fn total(&self) -> u64 {
        lock(&self.ring).next_seq - 1
    }

    pub(crate) fn clear(&self) {
        lock(&self.ring).entries.clear();
    }

    /// Empties the record and the submission counts (sequence numbers keep counting).
    pub(crate) fn reset(&self) {
        let mut ring = lock(&self.ring);
        ring.entries.clear();
        ring.submissions.clear();
        ring.submissions_by_service.clear();
    }

    pub(crate) fn count_submission(&self, service: Service, action: &str) {
        let mut ring = lock(&self.ring);
        *ring.submissions.entry(action.to_owned()).or_insert(0) += 1;
        *ring.submissions_by_service.entry(service).or_insert(0) += 1;
    }

    pub(crate) fn submissions(&self, service: Service) -> u64 {
        lock(&self.ring)
            .submissions_by_service
            .get(&service)
            .copied()
            .unwrap_or(0)
    }

    pub(crate) fn submission_counts(&self) -> BTreeMap<String, u64> {
        lock(&self.ring).submissions.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: u64) -> RecordedRequest {
        RecordedRequest {
            seq,
            at_millis: 0,
            method: "GET".into(),
            path: "/".into(),
            query: String::new(),
            headers: vec![],
            body_size: 0,
            service: Service::Unknown,
            action: None,
            status: Some(404),
            fault: None,
        }
    }

    #[test]
    fn ring_keeps_the_newest_in_order() {
        let r = Recorder::new(3);
        for seq in [1, 2, 4, 3, 5] {
            r.push(entry(seq));
        }
        let seqs: Vec<u64> = r.snapshot().iter().map(|e| e.seq).collect();
        assert_eq!(seqs, [3, 4, 5]);
    }

    #[test]
    fn secrets_are_redacted() {
        assert_eq!(redact_header("Authorization", "TC3 x"), REDACTED);
        assert_eq!(redact_header("X-Api-Key", "k"), REDACTED);
        assert_eq!(redact_header("Content-Type", "a/b"), "a/b");
        assert_eq!(
            redact_query("a=1&q-signature=abc&sign=x%3D&x-cos-security-token=t&cancel"),
            "a=1&q-signature=<redacted>&sign=<redacted>&x-cos-security-token=<redacted>&cancel"
        );
    }
}

//! Identifiers in the shapes the real services use: UUID-like request ids, LKEAP task
//! ids, CI job and template ids, COS request ids. Unique per emulator, derived from a
//! seed and a counter.

use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine as _;
use sha2::{Digest, Sha256};

/// Makes ids.
pub(crate) struct IdGen {
    seed: u64,
    counter: AtomicU64,
}

impl IdGen {
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            seed,
            counter: AtomicU64::new(0),
        }
    }

    fn next_bytes(&self, purpose: &str) -> [u8; 32] {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let mut h = Sha256::new();
        h.update(self.seed.to_le_bytes());
        h.update(n.to_le_bytes());
        h.update(purpose.as_bytes());
        h.finalize().into()
    }

    /// `xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx` (API 3.0 `RequestId`, card tokens,
    /// PicWish task ids).
    pub(crate) fn uuid(&self) -> String {
        let mut b = self.next_bytes("uuid");
        if let Some(x) = b.get_mut(6) {
            *x = (*x & 0x0f) | 0x40;
        }
        if let Some(x) = b.get_mut(8) {
            *x = (*x & 0x3f) | 0x80;
        }
        let h = hex::encode(&b[..16]);
        format!(
            "{}-{}-{}-{}-{}",
            &h[0..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..32]
        )
    }

    /// Lower-case hex of `len` characters (at most 64).
    pub(crate) fn hex(&self, purpose: &str, len: usize) -> String {
        let h = hex::encode(self.next_bytes(purpose));
        h.chars().take(len).collect()
    }

    /// An LKEAP task id: 21 characters of hex and digits like the doc's
    /// `25adcef61750343903609`.
    pub(crate) fn lkeap_task(&self) -> String {
        self.hex("lkeap", 21)
    }

    /// A CI job id: `a` + 32 hex characters.
    pub(crate) fn ci_job(&self) -> String {
        format!("a{}", self.hex("job", 32))
    }

    /// A CI template id: `t1` + 32 hex characters.
    pub(crate) fn ci_template(&self) -> String {
        format!("t1{}", self.hex("template", 32))
    }

    /// A COS / CI request id: base64 text like `NTk0MjdmODlfMjQ4OGY3XzYzYzhf`.
    pub(crate) fn cos_request_id(&self) -> String {
        let b = self.next_bytes("cos");
        base64::engine::general_purpose::STANDARD.encode(hex::encode(&b[..15]).as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let ids = IdGen::new(1);
        let u = ids.uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(u.as_bytes()[14], b'4');
        assert_ne!(ids.uuid(), u);
        assert_eq!(ids.ci_job().len(), 33);
        assert!(ids.ci_template().starts_with("t1"));
        assert_eq!(ids.lkeap_task().len(), 21);
        assert!(!ids.cos_request_id().is_empty());
    }
}

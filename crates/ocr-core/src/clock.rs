//! Time as signing sees it: an injectable [`Clock`] and a learned [`ClockSkew`].
//!
//! Signed requests carry a timestamp the service checks (Tencent allows 5 minutes for API 3.0,
//! 15 for COS). A machine whose clock is off gets every call refused, so clients learn the
//! offset from the server's `Date` header when a call is refused as stale, and sign with
//! "now + offset" from then on.

use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A source of the current time.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock stopped at one instant, for tests and reproducible fixtures.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub SystemTime);

impl FixedClock {
    /// A clock stopped at `secs` Unix seconds.
    pub fn at_unix(secs: u64) -> Self {
        FixedClock(UNIX_EPOCH + Duration::from_secs(secs))
    }
}

impl Clock for FixedClock {
    fn now(&self) -> SystemTime {
        self.0
    }
}

/// The shared, learned difference between the server's clock and ours, in whole seconds.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use ocr_core::clock::ClockSkew;
/// let skew = ClockSkew::default();
/// let local = UNIX_EPOCH + Duration::from_secs(1_000_000);
/// skew.learn_from_date_header("Mon, 12 Jan 1970 13:53:20 GMT", local); // server is 400 s ahead
/// assert_eq!(skew.offset_secs(), 400);
/// assert_eq!(skew.adjust(local), local + Duration::from_secs(400));
/// ```
#[derive(Debug, Default, Clone)]
pub struct ClockSkew {
    offset: Arc<AtomicI64>,
}

impl ClockSkew {
    /// The current offset (server minus local), in seconds.
    pub fn offset_secs(&self) -> i64 {
        self.offset.load(Ordering::Relaxed)
    }

    /// `local` corrected by the learned offset.
    pub fn adjust(&self, local: SystemTime) -> SystemTime {
        let off = self.offset_secs();
        if off >= 0 {
            local + Duration::from_secs(off.unsigned_abs())
        } else {
            local
                .checked_sub(Duration::from_secs(off.unsigned_abs()))
                .unwrap_or(UNIX_EPOCH)
        }
    }

    /// Learns the offset from an HTTP `Date` header value observed at local time `local`.
    /// Returns whether the header could be parsed.
    pub fn learn_from_date_header(&self, date: &str, local: SystemTime) -> bool {
        let Ok(server) = httpdate::parse_http_date(date.trim()) else {
            return false;
        };
        let offset = match server.duration_since(local) {
            Ok(ahead) => ahead.as_secs() as i64,
            Err(behind) => -(behind.duration().as_secs() as i64),
        };
        self.offset.store(offset, Ordering::Relaxed);
        true
    }
}

/// A client's view of the service's time: its [`Clock`] corrected by the [`ClockSkew`] learned
/// from the service's answers. Cheap to clone; clones share what was learned.
///
/// ```
/// use std::sync::Arc;
/// use ocr_core::clock::{FixedClock, ServerClock};
///
/// let clock = ServerClock::new(Arc::new(FixedClock::at_unix(1_000_000)));
/// assert!(!clock.is_known());
/// // A refusal of a stale signature with the server's `Date`: learn it, then sign again.
/// assert!(clock.relearn_after_stale_refusal(Some("Mon, 12 Jan 1970 13:53:20 GMT")));
/// assert_eq!(clock.now_unix(), 1_000_400);
/// assert!(clock.is_known());
/// ```
#[derive(Debug, Clone)]
pub struct ServerClock {
    clock: Arc<dyn Clock>,
    skew: ClockSkew,
    known: Arc<AtomicBool>,
}

impl ServerClock {
    /// `clock`, with nothing learned yet (offset 0).
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        ServerClock {
            clock,
            skew: ClockSkew::default(),
            known: Arc::new(AtomicBool::new(false)),
        }
    }

    /// The client's own time, uncorrected.
    pub fn local_now(&self) -> SystemTime {
        self.clock.now()
    }

    /// The service's time as far as known: the client's clock plus the learned offset.
    pub fn now(&self) -> SystemTime {
        self.skew.adjust(self.clock.now())
    }

    /// [`now`](Self::now) in Unix seconds.
    pub fn now_unix(&self) -> u64 {
        unix_secs(self.now())
    }

    /// The learned offset in seconds (service minus client).
    pub fn offset_secs(&self) -> i64 {
        self.skew.offset_secs()
    }

    /// Whether an answer has told the offset (else it is 0 for want of knowing).
    pub fn is_known(&self) -> bool {
        self.known.load(Ordering::Relaxed)
    }

    /// Learns the offset from an answer's `Date` header; whether it could be read.
    pub fn learn_from_date(&self, date: &str) -> bool {
        let learned = self.skew.learn_from_date_header(date, self.clock.now());
        if learned {
            self.known.store(true, Ordering::Relaxed);
        }
        learned
    }

    /// After the service refused a request's time as stale: learns the offset from the
    /// refusal's `Date`, and says whether signing again can now succeed.
    pub fn relearn_after_stale_refusal(&self, date: Option<&str>) -> bool {
        let learned = date.is_some_and(|d| self.learn_from_date(d));
        if learned {
            tracing::info!(
                offset_secs = self.offset_secs(),
                "clock skew learned from the server; re-signing"
            );
        }
        learned
    }
}

/// Sends a signed request once more when its answer refused the request's time and the
/// service's clock was learned from it (`relearned`), so a client whose clock is off loses one
/// round trip instead of the call. `send` signs anew each time it is called.
pub async fn send_resigning_once<R, S, Fut>(
    mut send: S,
    relearned: impl FnOnce(&R) -> bool,
) -> crate::Result<R>
where
    S: FnMut() -> Fut,
    Fut: Future<Output = crate::Result<R>>,
{
    let first = send().await?;
    if relearned(&first) {
        return send().await;
    }
    Ok(first)
}

/// Unix seconds of `t` (0 before 1970).
pub fn unix_secs(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_negative_offsets_and_ignores_garbage() {
        let skew = ClockSkew::default();
        let local = UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert!(skew.learn_from_date_header("Mon, 12 Jan 1970 13:33:20 GMT", local));
        assert_eq!(skew.offset_secs(), -800);
        assert_eq!(unix_secs(skew.adjust(local)), 999_200);
        assert!(!skew.learn_from_date_header("yesterday", local));
        assert_eq!(skew.offset_secs(), -800);
        let shared = skew.clone();
        assert_eq!(shared.offset_secs(), -800);
    }

    #[test]
    fn fixed_clock_is_fixed() {
        assert_eq!(unix_secs(FixedClock::at_unix(42).now()), 42);
    }
}

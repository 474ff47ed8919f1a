//! The emulator's notion of "now": the system clock, or a manual clock that tests move.
//!
//! Everything time-dependent reads this clock: signature windows, task progress,
//! result-URL expiry and the `Date` response header. Rate limits and injected latency
//! use real time instead (they are about how fast requests really arrive).

use std::fmt;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Which clock the emulator starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClockMode {
    /// The system clock (plus any offset added with [`EmulatorClock::advance`]).
    #[default]
    System,
    /// A clock frozen at this Unix time (seconds) until a test moves it: task
    /// lifecycles and URL expiry become exact and instant.
    Manual {
        /// The starting time, Unix seconds.
        start_unix: u64,
    },
}

/// A shared, cheap-to-clone handle on the emulator clock.
///
/// Internally milliseconds: a manual clock holds a base time, the system clock a base of
/// "whatever the system says"; both add an offset that [`advance`](Self::advance) moves.
///
/// ```
/// use std::time::Duration;
/// use ocr_emulator::{ClockMode, EmulatorClock};
///
/// let clock = EmulatorClock::new(ClockMode::Manual { start_unix: 1_700_000_000 });
/// clock.advance(Duration::from_secs(90));
/// assert_eq!(clock.now_unix(), 1_700_000_090);
/// ```
#[derive(Clone)]
pub struct EmulatorClock {
    inner: Arc<ClockInner>,
}

struct ClockInner {
    manual: bool,
    /// Manual base, milliseconds since the epoch (unused for the system clock).
    base_ms: AtomicU64,
    /// Added to the base, milliseconds; may be negative.
    offset_ms: AtomicI64,
}

impl EmulatorClock {
    /// A clock of the given mode.
    pub fn new(mode: ClockMode) -> Self {
        let (manual, base_ms) = match mode {
            ClockMode::System => (false, 0),
            ClockMode::Manual { start_unix } => (true, start_unix.saturating_mul(1000)),
        };
        Self {
            inner: Arc::new(ClockInner {
                manual,
                base_ms: AtomicU64::new(base_ms),
                offset_ms: AtomicI64::new(0),
            }),
        }
    }

    /// True for a manual clock (time moves only when a test moves it).
    pub fn is_manual(&self) -> bool {
        self.inner.manual
    }

    /// Now, in milliseconds since the Unix epoch.
    pub fn now_millis(&self) -> u64 {
        let base = if self.inner.manual {
            self.inner.base_ms.load(Ordering::SeqCst)
        } else {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
                .unwrap_or(0)
        };
        let offset = self.inner.offset_ms.load(Ordering::SeqCst);
        if offset >= 0 {
            base.saturating_add(offset.unsigned_abs())
        } else {
            base.saturating_sub(offset.unsigned_abs())
        }
    }

    /// Now, in whole Unix seconds.
    pub fn now_unix(&self) -> u64 {
        self.now_millis() / 1000
    }

    /// Now as a `SystemTime`.
    pub fn now_system_time(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(self.now_millis())
    }

    /// Moves the clock forward (works for both modes: the system clock gets an offset).
    pub fn advance(&self, by: Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        let _ = self
            .inner
            .offset_ms
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |o| {
                Some(o.saturating_add(ms))
            });
    }

    /// Moves the clock back (to test requests signed "in the future").
    pub fn rewind(&self, by: Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        let _ = self
            .inner
            .offset_ms
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |o| {
                Some(o.saturating_sub(ms))
            });
    }

    /// Sets the time to this Unix second: for a manual clock exactly; for the system
    /// clock by choosing the matching offset.
    pub fn set_unix(&self, unix: u64) {
        let target = unix.saturating_mul(1000);
        if self.inner.manual {
            self.inner.base_ms.store(target, Ordering::SeqCst);
            self.inner.offset_ms.store(0, Ordering::SeqCst);
        } else {
            self.inner.offset_ms.store(0, Ordering::SeqCst);
            let now = self.now_millis();
            let diff = i128::from(target) - i128::from(now);
            let diff = i64::try_from(diff).unwrap_or(if diff < 0 { i64::MIN } else { i64::MAX });
            self.inner.offset_ms.store(diff, Ordering::SeqCst);
        }
    }
}

impl fmt::Debug for EmulatorClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorClock")
            .field("manual", &self.inner.manual)
            .field("now_millis", &self.now_millis())
            .finish()
    }
}

/// Civil (proleptic Gregorian) date-time of a Unix time, as
/// (year, month, day, hour, minute, second).
pub(crate) fn civil(unix: i64) -> (i64, u32, u32, u32, u32, u32) {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    // Howard Hinnant's days-from-civil inverse.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    let to_u32 = |v: i64| u32::try_from(v).unwrap_or(0);
    (
        y,
        to_u32(m),
        to_u32(d),
        to_u32(secs / 3600),
        to_u32(secs % 3600 / 60),
        to_u32(secs % 60),
    )
}

/// Unix time of a civil date-time (UTC).
pub(crate) fn unix_from_civil(y: i64, m: u32, d: u32, hh: u32, mm: u32, ss: u32) -> i64 {
    let (m, d) = (i64::from(m), i64::from(d));
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * 86_400 + i64::from(hh) * 3600 + i64::from(mm) * 60 + i64::from(ss)
}

/// `YYYY-MM-DDTHH:MM:SS+0800`: the CI time format (China Standard Time, offset
/// without a colon).
pub(crate) fn ci_time(unix: u64) -> String {
    let local = i64::try_from(unix).unwrap_or(i64::MAX - 28_800) + 8 * 3600;
    let (y, mo, d, h, mi, s) = civil(local);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}+0800")
}

/// Parses `YYYY-MM-DDTHH:MM:SS±HHMM` (the CI list filter format) into Unix seconds.
pub(crate) fn parse_ci_time(text: &str) -> Option<i64> {
    let text = text.trim();
    let (date_time, sign, offset) = if let Some(pos) = text.rfind(['+', '-']) {
        if pos < 19 {
            return None;
        }
        let sign = if text.as_bytes().get(pos) == Some(&b'-') {
            -1
        } else {
            1
        };
        (&text[..pos], sign, &text[pos + 1..])
    } else {
        return None;
    };
    let offset = offset.replace(':', "");
    if offset.len() != 4 {
        return None;
    }
    let oh: i64 = offset.get(..2)?.parse().ok()?;
    let om: i64 = offset.get(2..)?.parse().ok()?;
    let (date, time) = date_time.split_once('T')?;
    let mut dp = date.split('-');
    let y: i64 = dp.next()?.parse().ok()?;
    let mo: u32 = dp.next()?.parse().ok()?;
    let d: u32 = dp.next()?.parse().ok()?;
    let mut tp = time.split(':');
    let h: u32 = tp.next()?.parse().ok()?;
    let mi: u32 = tp.next()?.parse().ok()?;
    let s: u32 = tp.next()?.parse().ok()?;
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    Some(unix_from_civil(y, mo, d, h, mi, s) - sign * (oh * 3600 + om * 60))
}

/// The RFC 1123 `Date` header value of a Unix time.
pub(crate) fn http_date(unix: u64) -> String {
    httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(unix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trips() {
        for t in [
            0_i64,
            1_551_113_065,
            1_700_000_000,
            951_782_400,
            4_102_444_799,
        ] {
            let (y, mo, d, h, mi, s) = civil(t);
            assert_eq!(unix_from_civil(y, mo, d, h, mi, s), t);
        }
        assert_eq!(civil(1_551_113_065), (2019, 2, 25, 16, 44, 25));
    }

    #[test]
    fn ci_time_is_china_standard_time() {
        assert_eq!(ci_time(1_551_113_065), "2019-02-26T00:44:25+0800");
        assert_eq!(
            parse_ci_time("2019-02-26T00:44:25+0800"),
            Some(1_551_113_065)
        );
        assert_eq!(
            parse_ci_time("2019-02-25T16:44:25+0000"),
            Some(1_551_113_065)
        );
        assert_eq!(parse_ci_time("nonsense"), None);
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let c = EmulatorClock::new(ClockMode::Manual { start_unix: 100 });
        assert_eq!(c.now_unix(), 100);
        c.advance(Duration::from_millis(1500));
        assert_eq!(c.now_millis(), 101_500);
        c.rewind(Duration::from_secs(1));
        assert_eq!(c.now_millis(), 100_500);
        c.set_unix(5);
        assert_eq!(c.now_unix(), 5);
        let s = EmulatorClock::new(ClockMode::System);
        s.set_unix(1_000);
        assert!((999..=1_001).contains(&s.now_unix()));
    }
}

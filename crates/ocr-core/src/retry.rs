//! When to try again, and how long to wait first.
//!
//! [`RetryPolicy`] is full-jitter exponential backoff: before attempt `n + 1` it waits a random
//! time in `0..=min(max_delay, base_delay * 2^n)`, or at least what the service asked for with
//! `Retry-After`. Randomness comes from an injectable [`Jitter`], so tests are deterministic.
//!
//! Which errors are retried is decided by [`RetryPolicy::decide`] from the error and from the
//! operation's [`Idempotency`]: a billed submission whose request may already have reached the
//! service is never resent; it fails with [`ErrorKind::OutcomeUnknown`] instead. A response
//! that could not be understood ([`ErrorKind::Decode`]: a body cut short or garbled) proves the
//! request arrived, so it counts as "may have reached the service": a read is read again, a
//! billed call is not resent.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::error::{Error, ErrorKind};

/// Whether resending an operation can cause a second effect (a second bill, a second task).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotency {
    /// Reads and polls: resend freely.
    Idempotent,
    /// Submissions that are billed or create a task: resend only when the earlier attempt
    /// certainly did not take effect (it was refused, throttled, or never connected).
    Billed,
}

/// A source of uniform randomness in `[0, 1)` for backoff jitter.
pub trait Jitter: Send + Sync + fmt::Debug {
    /// A sample in `[0, 1)`.
    fn sample(&self) -> f64;
}

/// Jitter from a fast non-cryptographic generator; the default.
#[derive(Debug, Default, Clone, Copy)]
pub struct RandomJitter;

impl Jitter for RandomJitter {
    fn sample(&self) -> f64 {
        fastrand::f64()
    }
}

/// Jitter that always returns the same value, for tests (`1.0` gives the full backoff cap).
#[derive(Debug, Clone, Copy)]
pub struct FixedJitter(pub f64);

impl Jitter for FixedJitter {
    fn sample(&self) -> f64 {
        self.0.clamp(0.0, 1.0)
    }
}

/// What to do after a failed attempt.
#[derive(Debug)]
pub enum Decision {
    /// Wait this long, then try again.
    RetryAfter(Duration),
    /// Stop and return this error.
    GiveUp(Error),
}

/// Retry settings: attempts, backoff and jitter.
///
/// ```
/// use std::time::Duration;
/// use ocr_core::retry::{FixedJitter, RetryPolicy};
/// let policy = RetryPolicy::default()
///     .with_max_attempts(5)
///     .with_jitter(FixedJitter(1.0));
/// assert_eq!(policy.backoff(0), Duration::from_millis(200));
/// assert_eq!(policy.backoff(1), Duration::from_millis(400));
/// assert_eq!(policy.backoff(20), Duration::from_secs(10)); // capped
/// ```
#[derive(Clone)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    jitter: Arc<dyn Jitter>,
}

impl Default for RetryPolicy {
    /// 3 attempts in all, 200 ms base, 10 s cap, random jitter.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            jitter: Arc::new(RandomJitter),
        }
    }
}

impl fmt::Debug for RetryPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryPolicy")
            .field("max_attempts", &self.max_attempts)
            .field("base_delay", &self.base_delay)
            .field("max_delay", &self.max_delay)
            .field("jitter", &self.jitter)
            .finish()
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn disabled() -> Self {
        RetryPolicy::default().with_max_attempts(1)
    }

    /// Total attempts, including the first (at least 1).
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The backoff before the first retry; it doubles with each retry.
    pub fn with_base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The longest backoff.
    pub fn with_max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Replaces the randomness (for deterministic tests).
    pub fn with_jitter(mut self, jitter: impl Jitter + 'static) -> Self {
        self.jitter = Arc::new(jitter);
        self
    }

    /// Total attempts, including the first.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The backoff before retry number `retry` (0 for the first retry): a random duration in
    /// `0..=min(max_delay, base_delay * 2^retry)`.
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.min(31));
        let cap = self.base_delay.saturating_mul(factor).min(self.max_delay);
        cap.mul_f64(self.jitter.sample())
    }

    /// Decides what follows failed attempt number `attempt` (1-based) with `error`.
    ///
    /// A billed call is given up as [`ErrorKind::OutcomeUnknown`] when its request may have
    /// reached the service: the error says so ([`Error::maybe_sent`]), or an answer came back
    /// that could not be understood ([`ErrorKind::Decode`]). Otherwise a retryable error is
    /// retried until `max_attempts`, after the backoff or the wait the service asked for
    /// (`Retry-After`, capped at `max_delay`), whichever is longer.
    pub fn decide(&self, error: Error, attempt: u32, idempotency: Idempotency) -> Decision {
        let reached = error.maybe_sent() || error.kind() == ErrorKind::Decode;
        if idempotency == Idempotency::Billed && reached {
            let message = format!(
                "{} — the request may have reached the service, so it was not resent \
                 (it may have been billed); check before submitting again",
                error.message()
            );
            let mut unknown = Error::new(ErrorKind::OutcomeUnknown, message);
            if let Some(p) = error.provider() {
                unknown = unknown.with_provider(p.to_owned());
            }
            if let Some(o) = error.operation() {
                unknown = unknown.with_operation(o.to_owned());
            }
            return Decision::GiveUp(unknown.with_source(error));
        }
        if !error.is_retryable() || attempt >= self.max_attempts {
            return Decision::GiveUp(error);
        }
        let mut delay = self.backoff(attempt - 1);
        if let Some(asked) = error.retry_after() {
            delay = delay.max(asked.min(self.max_delay));
        }
        Decision::RetryAfter(delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy::default().with_jitter(FixedJitter(0.5))
    }

    #[test]
    fn backoff_stays_within_full_jitter_bounds() {
        let p = RetryPolicy::default();
        for retry in 0..12 {
            let cap = Duration::from_millis(200)
                .saturating_mul(1 << retry)
                .min(Duration::from_secs(10));
            for _ in 0..50 {
                assert!(p.backoff(retry) <= cap);
            }
        }
        let zero = RetryPolicy::default().with_jitter(FixedJitter(0.0));
        assert_eq!(zero.backoff(3), Duration::ZERO);
        assert_eq!(policy().backoff(2), Duration::from_millis(400));
    }

    /// The retry classification table: kind, idempotency, whether it may have been sent,
    /// and whether the first failed attempt is retried.
    #[test]
    fn classification_table() {
        use ErrorKind::*;
        use Idempotency::*;
        let table = [
            (Throttled, Billed, false, true),
            (Throttled, Idempotent, false, true),
            (Transport, Billed, false, true), // never connected: safe
            (Transport, Billed, true, false), // reset after sending: unknown
            (Transport, Idempotent, true, true),
            (Timeout, Billed, true, false),
            (Timeout, Idempotent, true, true),
            (Auth, Idempotent, false, false),
            (InvalidInput, Idempotent, false, false),
            (Quota, Idempotent, false, false),
            (TaskFailed, Idempotent, false, false),
            (Decode, Idempotent, false, true), // a garbled answer to a read: read again
            (Decode, Billed, false, false),    // the service answered: may have acted
            (Service, Idempotent, false, false),
        ];
        for (kind, idem, sent, retried) in table {
            let err = Error::new(kind, "x").with_maybe_sent(sent);
            let got = matches!(policy().decide(err, 1, idem), Decision::RetryAfter(_));
            assert_eq!(got, retried, "{kind:?} {idem:?} sent={sent}");
        }
        let internal = Error::new(Service, "InternalError").with_retryable(true);
        assert!(matches!(
            policy().decide(internal, 1, Billed),
            Decision::RetryAfter(_)
        ));
    }

    #[test]
    fn billed_maybe_sent_becomes_outcome_unknown() {
        let err = Error::new(ErrorKind::Timeout, "timed out")
            .with_provider("picwish")
            .with_maybe_sent(true);
        match policy().decide(err, 1, Idempotency::Billed) {
            Decision::GiveUp(e) => {
                assert_eq!(e.kind(), ErrorKind::OutcomeUnknown);
                assert_eq!(e.provider(), Some("picwish"));
                assert!(std::error::Error::source(&e).is_some());
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn undecodable_answer_to_a_billed_call_is_outcome_unknown() {
        let err = Error::decode("the response is not JSON").with_provider("lkeap");
        match policy().decide(err, 1, Idempotency::Billed) {
            Decision::GiveUp(e) => {
                assert_eq!(e.kind(), ErrorKind::OutcomeUnknown);
                assert!(e.message().starts_with("the response is not JSON"));
            }
            other => panic!("{other:?}"),
        }
        // A decode error another attempt cannot fix is not retried, even for a read.
        let capped = Error::decode("over the cap").with_retryable(false);
        assert!(matches!(
            policy().decide(capped, 1, Idempotency::Idempotent),
            Decision::GiveUp(e) if e.kind() == ErrorKind::Decode
        ));
    }

    #[test]
    fn stops_after_max_attempts_and_honours_retry_after() {
        let err = || Error::new(ErrorKind::Throttled, "x");
        assert!(matches!(
            policy().decide(err(), 3, Idempotency::Idempotent),
            Decision::GiveUp(_)
        ));
        let asked = err().with_retry_after(Duration::from_secs(3));
        match policy().decide(asked, 1, Idempotency::Idempotent) {
            Decision::RetryAfter(d) => assert_eq!(d, Duration::from_secs(3)),
            other => panic!("{other:?}"),
        }
    }
}

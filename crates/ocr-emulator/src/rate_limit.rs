//! Per-action token buckets on real time (rate limits are about how fast requests
//! really arrive, so they ignore the manual clock).

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::Instant;

use crate::fault::lock;

struct Bucket {
    rate: f64,
    tokens: f64,
    last: Instant,
}

struct Limits {
    rates: BTreeMap<String, f64>,
    default_rate: f64,
    buckets: HashMap<String, Bucket>,
}

/// The rate limits of every action.
pub(crate) struct RateLimits {
    inner: Mutex<Limits>,
}

impl RateLimits {
    pub(crate) fn new(rates: BTreeMap<String, f64>, default_rate: f64) -> Self {
        Self {
            inner: Mutex::new(Limits {
                rates,
                default_rate,
                buckets: HashMap::new(),
            }),
        }
    }

    /// Sets one action's limit (`0` or less = unlimited) and resets its bucket.
    pub(crate) fn set(&self, action: &str, per_sec: f64) {
        let mut limits = lock(&self.inner);
        limits.rates.insert(action.to_owned(), per_sec);
        limits.buckets.remove(action);
    }

    /// Sets the limit of unlisted actions.
    pub(crate) fn set_default(&self, per_sec: f64) {
        let mut limits = lock(&self.inner);
        limits.default_rate = per_sec;
        limits.buckets.clear();
    }

    /// The limit in force for an action (`0` = unlimited).
    pub(crate) fn rate(&self, action: &str) -> f64 {
        let limits = lock(&self.inner);
        limits
            .rates
            .get(action)
            .copied()
            .unwrap_or(limits.default_rate)
    }

    /// Takes a token for this action; false means "throttle this request".
    ///
    /// A bucket holds at most `max(rate, 1)` tokens (one second's worth) and refills
    /// continuously.
    pub(crate) fn try_acquire(&self, action: &str) -> bool {
        let now = Instant::now();
        let mut guard = lock(&self.inner);
        let limits = &mut *guard;
        let rate = limits
            .rates
            .get(action)
            .copied()
            .unwrap_or(limits.default_rate);
        if rate.is_nan() || rate <= 0.0 || rate.is_infinite() {
            return true;
        }
        let capacity = rate.max(1.0);
        let bucket = limits
            .buckets
            .entry(action.to_owned())
            .or_insert_with(|| Bucket {
                rate,
                tokens: capacity,
                last: now,
            });
        if (bucket.rate - rate).abs() > f64::EPSILON {
            *bucket = Bucket {
                rate,
                tokens: capacity,
                last: now,
            };
        }
        let elapsed = now.saturating_duration_since(bucket.last).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate).min(capacity);
        bucket.last = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_throttle() {
        let limits = RateLimits::new(BTreeMap::from([("A".to_owned(), 3.0)]), 0.0);
        let granted = (0..5).filter(|_| limits.try_acquire("A")).count();
        assert_eq!(granted, 3);
        assert!(
            (0..100).all(|_| limits.try_acquire("B")),
            "default unlimited"
        );
        limits.set("A", 0.0);
        assert!(limits.try_acquire("A"));
        assert_eq!(limits.rate("A"), 0.0);
    }
}

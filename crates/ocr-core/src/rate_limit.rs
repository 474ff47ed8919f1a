//! A client-side token bucket, so a client stays within a provider's documented request rate
//! instead of collecting throttling errors.
//!
//! A [`RateLimiter`] is cheap to clone and every clone draws from the same bucket, so all clones
//! of a provider client share one budget. It runs on tokio's clock, so tests can use
//! `tokio::time::pause` and measure it exactly.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

/// A token bucket: `rate` requests per second on average, bursts up to `burst`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let limiter = ocr_core::RateLimiter::per_second(5.0);
/// limiter.acquire().await; // returns at once while tokens are left
/// # }
/// ```
#[derive(Clone)]
pub struct RateLimiter {
    inner: Arc<Inner>,
}

struct Inner {
    rate: f64,
    burst: f64,
    state: Mutex<State>,
}

struct State {
    tokens: f64,
    updated: Instant,
}

impl RateLimiter {
    /// `rate` requests per second, with a burst of `burst` (both at least a small positive
    /// value; a non-finite or non-positive rate is treated as 1 per hour rather than dividing by
    /// zero).
    pub fn new(rate: f64, burst: u32) -> Self {
        let rate = if rate.is_finite() && rate > 0.0 {
            rate
        } else {
            1.0 / 3600.0
        };
        let burst = f64::from(burst.max(1));
        RateLimiter {
            inner: Arc::new(Inner {
                rate,
                burst,
                state: Mutex::new(State {
                    tokens: burst,
                    updated: Instant::now(),
                }),
            }),
        }
    }

    /// `rate` requests per second with a burst of one second's worth (at least 1).
    pub fn per_second(rate: f64) -> Self {
        let burst = if rate.is_finite() && rate >= 1.0 {
            rate.floor() as u32
        } else {
            1
        };
        RateLimiter::new(rate, burst)
    }

    /// The configured average rate per second.
    pub fn rate(&self) -> f64 {
        self.inner.rate
    }

    /// Waits until a request may be sent, and takes its token.
    pub async fn acquire(&self) {
        let wait = self.reserve();
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }

    /// Takes a token now (possibly going into debt) and returns how long the caller must wait
    /// before using it. Reserving up front keeps waiters in first-come order.
    fn reserve(&self) -> Duration {
        let now = Instant::now();
        let mut state = match self.inner.state.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let elapsed = now.saturating_duration_since(state.updated).as_secs_f64();
        state.tokens = (state.tokens + elapsed * self.inner.rate).min(self.inner.burst);
        state.updated = now;
        state.tokens -= 1.0;
        if state.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-state.tokens / self.inner.rate)
        }
    }
}

impl fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimiter")
            .field("rate", &self.inner.rate)
            .field("burst", &self.inner.burst)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn limits_to_the_rate_after_the_burst() {
        let limiter = RateLimiter::new(5.0, 5);
        let start = Instant::now();
        for _ in 0..25 {
            limiter.acquire().await;
        }
        // 5 free, then 20 more at 5/s = 4 s.
        let elapsed = start.elapsed();
        assert_eq!(elapsed, Duration::from_secs(4), "{elapsed:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn clones_share_one_bucket() {
        let a = RateLimiter::new(2.0, 1);
        let b = a.clone();
        let start = Instant::now();
        let t1 = tokio::spawn({
            let a = a.clone();
            async move {
                for _ in 0..3 {
                    a.acquire().await;
                }
            }
        });
        let t2 = tokio::spawn(async move {
            for _ in 0..3 {
                b.acquire().await;
            }
        });
        t1.await.unwrap();
        t2.await.unwrap();
        // 6 requests, 1 free, 5 more at 2/s = 2.5 s.
        assert_eq!(start.elapsed(), Duration::from_millis(2500));
    }

    #[tokio::test(start_paused = true)]
    async fn refills_while_idle_up_to_burst() {
        let limiter = RateLimiter::new(1.0, 2);
        limiter.acquire().await;
        limiter.acquire().await;
        tokio::time::sleep(Duration::from_secs(60)).await;
        let start = Instant::now();
        limiter.acquire().await;
        limiter.acquire().await;
        assert_eq!(start.elapsed(), Duration::ZERO);
        limiter.acquire().await;
        assert_eq!(start.elapsed(), Duration::from_secs(1));
    }

    #[test]
    fn nonsense_rates_do_not_divide_by_zero() {
        assert!(RateLimiter::new(0.0, 0).rate() > 0.0);
        assert!(RateLimiter::per_second(f64::NAN).rate() > 0.0);
    }
}

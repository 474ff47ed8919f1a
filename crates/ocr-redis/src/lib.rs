#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod limiter;

pub use limiter::{
    redis_key, RedisRateLimiter, CONNECT_TIMEOUT, DEFAULT_TIMEOUT, GCRA_SCRIPT, KEY_PREFIX,
};

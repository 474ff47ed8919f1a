#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod job_store;
mod jobs;
mod limiter;

pub use job_store::{RedisJobs, JOBS_PREFIX, MAX_JOB_KEY_CHARS};

pub use jobs::{
    input_id, Claim, Failure, InputStatus, RedisJobStore, RunStatus, CLAIM_SCRIPT, RUN_PREFIX,
    STEP_SCRIPT,
};

pub use limiter::{
    redis_key, RedisRateLimiter, CONNECT_TIMEOUT, DEFAULT_TIMEOUT, GCRA_SCRIPT, KEY_PREFIX,
};

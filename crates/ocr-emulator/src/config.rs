//! What the emulator accepts and how it behaves: credentials, bucket, region, task
//! durations, result-URL validity, rate limits, record capacity, clock.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use tc_signing::Credential;

use crate::clock::ClockMode;
use crate::fault::Fault;

/// SecretId of the emulator's long-term test key (Tencent Cloud API 3.0 and COS).
pub const SECRET_ID: &str = "AKIDEMULATOR000000000000000000000000";
/// SecretKey of the emulator's long-term test key. Public on purpose: it opens nothing
/// but the emulator.
pub const SECRET_KEY: &str = "emulator-secret-key-not-a-real-one";
/// SecretId of the emulator's temporary test key (needs [`TEMP_SESSION_TOKEN`]).
pub const TEMP_SECRET_ID: &str = "AKIDEMULATORTEMP00000000000000000000";
/// SecretKey of the emulator's temporary test key.
pub const TEMP_SECRET_KEY: &str = "emulator-temporary-secret-key";
/// Session token of the temporary test key (`X-TC-Token`, `x-cos-security-token`).
pub const TEMP_SESSION_TOKEN: &str = "emulator-session-token";
/// The PicWish API key the emulator accepts (`X-API-KEY`).
pub const PICWISH_API_KEY: &str = "emulator-api-key";
/// The emulator's action name of PicWish task creation (for faults and rate limits).
pub const PICWISH_CREATE_ACTION: &str = "CreateOcrTask";
/// The emulator's action name of PicWish task queries.
pub const PICWISH_QUERY_ACTION: &str = "QueryOcrTask";
/// Largest PicWish upload: 200 MB.
pub(crate) const PICWISH_MAX_FILE: u64 = 200 * 1024 * 1024;
/// The bucket that exists from the start.
pub const DEFAULT_BUCKET: &str = "examplebucket-1250000000";
/// The region reported for the bucket and used in examples.
pub const DEFAULT_REGION: &str = "ap-guangzhou";

/// The emulator's long-term test credential.
///
/// ```
/// let cred = ocr_emulator::test_credential();
/// assert_eq!(cred.secret_id(), ocr_emulator::SECRET_ID);
/// ```
pub fn test_credential() -> Credential {
    Credential::new(SECRET_ID, SECRET_KEY)
}

/// The emulator's temporary test credential (with its session token).
///
/// ```
/// let cred = ocr_emulator::temporary_test_credential();
/// assert_eq!(cred.session_token(), Some(ocr_emulator::TEMP_SESSION_TOKEN));
/// ```
pub fn temporary_test_credential() -> Credential {
    Credential::new(TEMP_SECRET_ID, TEMP_SECRET_KEY).with_session_token(TEMP_SESSION_TOKEN)
}

/// How long an asynchronous task stays queued and then processing.
///
/// Progress is computed from timestamps when a task is polled, never by a ticking
/// background task, so an idle emulator does nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskDurations {
    /// Time in the queue (LKEAP `WaitExecute`, CI `Submitted`, PicWish state 0).
    pub queued: Duration,
    /// Time processing (LKEAP `Processing`, CI `Running`, PicWish states 2–6,
    /// card `PROCESSING` covers both phases).
    pub processing: Duration,
}

impl TaskDurations {
    /// Tasks that finish the moment they are created.
    pub const INSTANT: TaskDurations = TaskDurations {
        queued: Duration::ZERO,
        processing: Duration::ZERO,
    };

    /// Queued for `queued`, then processing for `processing`.
    pub fn new(queued: Duration, processing: Duration) -> Self {
        Self { queued, processing }
    }
}

impl Default for TaskDurations {
    /// Half a second queued, one and a half processing: two seconds in all.
    fn default() -> Self {
        Self {
            queued: Duration::from_millis(500),
            processing: Duration::from_millis(1500),
        }
    }
}

/// Task durations per service family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ServiceDurations {
    /// LKEAP reconstruct and split tasks (and the pacing of the SSE stream).
    pub lkeap: TaskDurations,
    /// Card verification (`ApplyCardVerificationExternal`).
    pub card: TaskDurations,
    /// CI ImageOCR jobs.
    pub ci: TaskDurations,
    /// PicWish OCR tasks.
    pub picwish: TaskDurations,
}

impl ServiceDurations {
    /// The same durations for every service.
    pub fn all(durations: TaskDurations) -> Self {
        Self {
            lkeap: durations,
            card: durations,
            ci: durations,
            picwish: durations,
        }
    }
}

/// The documented default rate limits, requests per second per action.
///
/// `ExtractDocMulti` 5, `GetCardVerificationExternalResult` 20, `GeneralBasicOCR` 20,
/// `GeneralAccurateOCR` 10, every LKEAP document action 20, the PicWish calls 2; CI
/// submissions and synchronous OCR 100 (asynchronous and cloud processing in mainland
/// public regions, such as the emulator's `ap-guangzhou`). For the COS and CI calls without
/// a documented limit, the limits `cos-ci` applies by default: object calls 100, job queries
/// 20. Every other action gets [`EmulatorConfig::default_rate_limit`] (10).
pub fn documented_rate_limits() -> BTreeMap<String, f64> {
    let table: [(&str, f64); 18] = [
        ("ExtractDocMulti", 5.0),
        ("GetCardVerificationExternalResult", 20.0),
        ("GeneralBasicOCR", 20.0),
        ("GeneralAccurateOCR", 10.0),
        ("CreateReconstructDocumentFlow", 20.0),
        ("GetReconstructDocumentResult", 20.0),
        ("ReconstructDocumentSSE", 20.0),
        ("CreateSplitDocumentFlow", 20.0),
        ("GetSplitDocumentResult", 20.0),
        (PICWISH_CREATE_ACTION, 2.0),
        (PICWISH_QUERY_ACTION, 2.0),
        ("SubmitJob", 100.0),
        ("CiProcessOCR", 100.0),
        ("PutObject", 100.0),
        ("GetObject", 100.0),
        ("HeadObject", 100.0),
        ("DeleteObject", 100.0),
        ("DescribeJobs", 20.0),
    ];
    table
        .iter()
        .map(|(name, rate)| ((*name).to_owned(), *rate))
        .collect()
}

/// Configuration of an [`Emulator`](crate::Emulator).
///
/// `EmulatorConfig::default()` listens on `127.0.0.1:0` (a free port), accepts the test
/// credentials ([`SECRET_ID`], [`TEMP_SECRET_ID`] + [`TEMP_SESSION_TOKEN`],
/// [`PICWISH_API_KEY`]), has the bucket [`DEFAULT_BUCKET`] in [`DEFAULT_REGION`],
/// finishes tasks in about two seconds of the system clock, keeps result URLs valid
/// 30 minutes (LKEAP) / 1 hour (PicWish), and enforces the documented rate limits.
///
/// ```
/// use ocr_emulator::{ClockMode, EmulatorConfig, TaskDurations};
///
/// let config = EmulatorConfig::default()
///     .with_clock(ClockMode::Manual { start_unix: 1_700_000_000 })
///     .with_task_durations(TaskDurations::INSTANT)
///     .without_rate_limits();
/// assert_eq!(config.record_capacity, 1_000);
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct EmulatorConfig {
    /// Where to listen; port 0 picks a free one.
    pub addr: SocketAddr,
    /// Keys accepted for TC3 and COS signatures (a key with a session token is a
    /// temporary key: its token must be sent).
    pub credentials: Vec<Credential>,
    /// Accepted PicWish `X-API-KEY` values.
    pub picwish_api_keys: Vec<String>,
    /// The bucket [`Endpoints`](crate::Endpoints) point at.
    pub default_bucket: String,
    /// Further buckets that exist (any other answers `NoSuchBucket`).
    pub extra_buckets: Vec<String>,
    /// The bucket region, reported in CI job details and endpoints.
    pub region: String,
    /// How long tasks stay queued and processing.
    pub durations: ServiceDurations,
    /// Validity of LKEAP result URLs, counted from the poll that returns them.
    pub lkeap_result_validity: Duration,
    /// Validity of PicWish result URLs, counted from task completion.
    pub picwish_result_validity: Duration,
    /// Per-action rate limits in requests per second (`0` = unlimited).
    pub rate_limits: BTreeMap<String, f64>,
    /// Rate limit of actions not listed in `rate_limits` (`0` = unlimited).
    pub default_rate_limit: f64,
    /// How many requests the record keeps (oldest dropped first).
    pub record_capacity: usize,
    /// The clock to start with.
    pub clock: ClockMode,
    /// Largest object a COS PUT accepts (`EntityTooLarge` beyond).
    pub max_object_size: u64,
    /// Largest PicWish upload (HTTP 413 beyond); the documented limit is 200 MB.
    pub picwish_max_upload: u64,
    /// Faults active from the start (the binary's `--fail-rate`, `--drop-every`…).
    pub faults: Vec<Fault>,
    /// Seed of the pseudo-random choices (ids, probabilistic faults); `None` = from
    /// the system clock.
    pub seed: Option<u64>,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            credentials: vec![test_credential(), temporary_test_credential()],
            picwish_api_keys: vec![PICWISH_API_KEY.to_owned()],
            default_bucket: DEFAULT_BUCKET.to_owned(),
            extra_buckets: Vec::new(),
            region: DEFAULT_REGION.to_owned(),
            durations: ServiceDurations::default(),
            lkeap_result_validity: Duration::from_secs(30 * 60),
            picwish_result_validity: Duration::from_secs(60 * 60),
            rate_limits: documented_rate_limits(),
            default_rate_limit: 10.0,
            record_capacity: 1_000,
            clock: ClockMode::System,
            max_object_size: 256 * 1024 * 1024,
            picwish_max_upload: PICWISH_MAX_FILE,
            faults: Vec::new(),
            seed: None,
        }
    }
}

impl EmulatorConfig {
    /// Listen on this address.
    pub fn with_addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// Start with this clock.
    pub fn with_clock(mut self, clock: ClockMode) -> Self {
        self.clock = clock;
        self
    }

    /// The same task durations for every service.
    pub fn with_task_durations(mut self, durations: TaskDurations) -> Self {
        self.durations = ServiceDurations::all(durations);
        self
    }

    /// Durations per service.
    pub fn with_service_durations(mut self, durations: ServiceDurations) -> Self {
        self.durations = durations;
        self
    }

    /// Accept this Tencent credential too (TC3 and COS).
    pub fn with_credential(mut self, credential: Credential) -> Self {
        self.credentials.push(credential);
        self
    }

    /// Accept this PicWish API key too.
    pub fn with_picwish_api_key(mut self, key: impl Into<String>) -> Self {
        self.picwish_api_keys.push(key.into());
        self
    }

    /// Set one action's rate limit (`0` = unlimited).
    pub fn with_rate_limit(mut self, action: impl Into<String>, per_sec: f64) -> Self {
        self.rate_limits.insert(action.into(), per_sec);
        self
    }

    /// No rate limits at all.
    pub fn without_rate_limits(mut self) -> Self {
        self.rate_limits.clear();
        self.default_rate_limit = 0.0;
        self
    }

    /// Keep this many recorded requests.
    pub fn with_record_capacity(mut self, capacity: usize) -> Self {
        self.record_capacity = capacity;
        self
    }

    /// Start with this fault active.
    pub fn with_fault(mut self, fault: Fault) -> Self {
        self.faults.push(fault);
        self
    }

    /// Fix the seed of ids and probabilistic faults.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Use this default bucket (and region).
    pub fn with_bucket(mut self, bucket: impl Into<String>, region: impl Into<String>) -> Self {
        self.default_bucket = bucket.into();
        self.region = region.into();
        self
    }

    /// Result-URL validity of LKEAP and PicWish results.
    pub fn with_result_validity(mut self, lkeap: Duration, picwish: Duration) -> Self {
        self.lkeap_result_validity = lkeap;
        self.picwish_result_validity = picwish;
        self
    }
}

impl fmt::Debug for EmulatorConfig {
    /// Shows the credential ids, never keys, tokens or API keys.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<&str> = self.credentials.iter().map(|c| c.secret_id()).collect();
        f.debug_struct("EmulatorConfig")
            .field("addr", &self.addr)
            .field("credential_ids", &ids)
            .field(
                "picwish_api_keys",
                &format_args!("<{} redacted>", self.picwish_api_keys.len()),
            )
            .field("default_bucket", &self.default_bucket)
            .field("extra_buckets", &self.extra_buckets)
            .field("region", &self.region)
            .field("durations", &self.durations)
            .field("lkeap_result_validity", &self.lkeap_result_validity)
            .field("picwish_result_validity", &self.picwish_result_validity)
            .field("rate_limits", &self.rate_limits)
            .field("default_rate_limit", &self.default_rate_limit)
            .field("record_capacity", &self.record_capacity)
            .field("clock", &self.clock)
            .field("max_object_size", &self.max_object_size)
            .field("picwish_max_upload", &self.picwish_max_upload)
            .field("faults", &self.faults)
            .field("seed", &self.seed)
            .finish()
    }
}

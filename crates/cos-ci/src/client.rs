//! The client: configuration, credentials, rate limits and the learned clock skew.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;

use ocr_core::clock::ServerClock;
use ocr_core::rate_limit::{account_hash, AccountId};
use ocr_core::{
    ClientOptions, ConfigureClient, Error, ErrorKind, Idempotency, PollPolicy, RateLimiter, Result,
    Runtime,
};
use tc_signing::{
    CachedCredentials, ConfigureCredentials, CosSigner, Credential, ProvideCredential,
};

use crate::endpoint::{Base, Service};
use crate::params::ImageOcr;
use crate::validate;

/// The provider id: errors, jobs and documents are tagged with it.
pub const PROVIDER_ID: &str = "cos-ci";

/// The prefix uploaded documents are stored under unless configured otherwise.
pub const DEFAULT_KEY_PREFIX: &str = "cloud-ocr/";

/// How far back a signature's validity starts, to tolerate a client clock ahead of the server.
pub const SIGNATURE_BACKDATE: Duration = Duration::from_secs(60);

/// How long a signature stays valid after "now".
pub const SIGNATURE_LIFETIME: Duration = Duration::from_secs(3600);

/// Mainland public regions, where CI allows 100 asynchronous / cloud processing requests per
/// second (50 in finance and overseas regions).
const MAINLAND_PUBLIC: &[&str] = &[
    "ap-beijing-1",
    "ap-beijing",
    "ap-nanjing",
    "ap-shanghai",
    "ap-guangzhou",
    "ap-chengdu",
    "ap-chongqing",
];

/// Every call this client makes: the unit of rate limits and the operation name in errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum CosCiOp {
    /// `PUT /<key>` on the COS host.
    PutObject,
    /// `HEAD /<key>` on the COS host.
    HeadObject,
    /// `DELETE /<key>` on the COS host.
    DeleteObject,
    /// `POST /jobs` (Tag `ImageOCR`) on the CI host.
    SubmitJob,
    /// `GET /jobs/<ids>` on the CI host.
    DescribeJobs,
    /// `GET /jobs?tag=ImageOCR…` on the CI host.
    ListJobs,
    /// `PUT /jobs/<ids>?cancel` on the CI host.
    CancelJobs,
    /// `POST /template` on the CI host.
    CreateTemplate,
    /// `PUT /template/<id>` on the CI host.
    UpdateTemplate,
    /// `GET /template` on the CI host.
    DescribeTemplates,
    /// `DELETE /template/<id>` on the CI host.
    DeleteTemplate,
    /// `GET /<key>?ci-process=OCR` (or `detect-url`) on the COS host.
    SyncOcr,
}

impl CosCiOp {
    /// Every operation.
    pub const ALL: [CosCiOp; 12] = [
        CosCiOp::PutObject,
        CosCiOp::HeadObject,
        CosCiOp::DeleteObject,
        CosCiOp::SubmitJob,
        CosCiOp::DescribeJobs,
        CosCiOp::ListJobs,
        CosCiOp::CancelJobs,
        CosCiOp::CreateTemplate,
        CosCiOp::UpdateTemplate,
        CosCiOp::DescribeTemplates,
        CosCiOp::DeleteTemplate,
        CosCiOp::SyncOcr,
    ];

    /// The operation name used in errors and traces.
    pub fn name(self) -> &'static str {
        match self {
            CosCiOp::PutObject => "PutObject",
            CosCiOp::HeadObject => "HeadObject",
            CosCiOp::DeleteObject => "DeleteObject",
            CosCiOp::SubmitJob => "SubmitJob",
            CosCiOp::DescribeJobs => "DescribeJobs",
            CosCiOp::ListJobs => "ListJobs",
            CosCiOp::CancelJobs => "CancelJobs",
            CosCiOp::CreateTemplate => "CreateTemplate",
            CosCiOp::UpdateTemplate => "UpdateTemplate",
            CosCiOp::DescribeTemplates => "DescribeTemplates",
            CosCiOp::DeleteTemplate => "DeleteTemplate",
            CosCiOp::SyncOcr => "SyncOcr",
        }
    }

    /// Whether a resend is safe. Job submissions, template creation and synchronous OCR are
    /// billed or create something, so they are not resent after a failure that may have reached
    /// the service. Everything else is resent freely, uploads included: a `PUT Object` writes
    /// the same bytes (checked by `Content-MD5`) to the same key however often it arrives.
    pub fn idempotency(self) -> Idempotency {
        match self {
            CosCiOp::SubmitJob | CosCiOp::CreateTemplate | CosCiOp::SyncOcr => Idempotency::Billed,
            _ => Idempotency::Idempotent,
        }
    }

    /// The host the operation goes to.
    pub fn service(self) -> Service {
        match self {
            CosCiOp::PutObject | CosCiOp::HeadObject | CosCiOp::DeleteObject | CosCiOp::SyncOcr => {
                Service::Cos
            }
            _ => Service::Ci,
        }
    }

    /// The default client-side limit in requests per second for `region`.
    ///
    /// CI documents 100 requests/s for asynchronous and cloud processing in mainland public
    /// regions and 50/s in finance and overseas regions; that limit is used for job submission
    /// and synchronous OCR (the OCR-specific limit is not documented). COS object calls and CI
    /// queries have no documented limit here; they default to 100/s and 20/s.
    pub fn default_rate(self, region: &str) -> f64 {
        match self {
            CosCiOp::SubmitJob | CosCiOp::SyncOcr => {
                if MAINLAND_PUBLIC.contains(&region) {
                    100.0
                } else {
                    50.0
                }
            }
            CosCiOp::PutObject | CosCiOp::HeadObject | CosCiOp::DeleteObject => 100.0,
            _ => 20.0,
        }
    }
}

/// How the [`OcrProvider`](ocr_core::OcrProvider) implementation runs a document.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ProviderSettings {
    pub(crate) key_prefix: String,
    pub(crate) keep_uploads: bool,
    pub(crate) ocr: ImageOcr,
    pub(crate) template_id: Option<String>,
    pub(crate) queue_id: Option<String>,
    pub(crate) poll: PollPolicy,
    pub(crate) page_concurrency: usize,
}

/// Configures a [`CosCi`] client.
///
/// ```
/// use cos_ci::prelude::*;
/// use cos_ci::CosCi;
/// use tc_signing::Credential;
///
/// let client = CosCi::builder()
///     .bucket("examplebucket-1250000000")
///     .region("ap-beijing")
///     .credential(Credential::new("AKIDexample", "example-key"))
///     .build()
///     .unwrap();
/// assert_eq!(client.cos_base_url(), "https://examplebucket-1250000000.cos.ap-beijing.myqcloud.com/");
/// assert_eq!(client.ci_base_url(), "https://examplebucket-1250000000.ci.ap-beijing.myqcloud.com/");
/// ```
#[must_use]
pub struct CosCiBuilder {
    bucket: Option<String>,
    region: Option<String>,
    credentials: Option<Arc<dyn ProvideCredential>>,
    cos_base_url: Option<String>,
    ci_base_url: Option<String>,
    options: ClientOptions,
    settings: ProviderSettings,
}

impl fmt::Debug for CosCiBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CosCiBuilder")
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("credentials", &self.credentials)
            .field("cos_base_url", &self.cos_base_url)
            .field("ci_base_url", &self.ci_base_url)
            .finish_non_exhaustive()
    }
}

impl ConfigureClient for CosCiBuilder {
    fn client_options_mut(&mut self) -> &mut ClientOptions {
        &mut self.options
    }
}

/// Temporary keys carry their session token, which is sent as `x-cos-security-token` (or
/// `x-ci-security-token` on CI hosts).
impl ConfigureCredentials for CosCiBuilder {
    fn credentials(mut self, provider: Arc<dyn ProvideCredential>) -> Self {
        self.credentials = Some(provider);
        self
    }
}

impl AsRef<str> for CosCiOp {
    /// The operation's name, so it can name a rate limit:
    /// `.rate_limit(CosCiOp::SubmitJob, 10.0)`.
    fn as_ref(&self) -> &str {
        self.name()
    }
}

impl CosCiBuilder {
    /// The bucket, `<BucketName>-<APPID>` (e.g. `examplebucket-1250000000`). Required.
    pub fn bucket(mut self, bucket: impl Into<String>) -> Self {
        self.bucket = Some(bucket.into());
        self
    }

    /// The region, e.g. `ap-beijing`. Required.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Sends COS calls (objects, synchronous OCR) to this base URL instead of
    /// `https://<bucket>.cos.<region>.myqcloud.com/`, e.g. a path-style
    /// `http://127.0.0.1:9000/cos/examplebucket-1250000000/`. Object URLs are the base joined
    /// with the key; the signature covers the full path and the `Host` actually sent.
    pub fn cos_base_url(mut self, url: impl Into<String>) -> Self {
        self.cos_base_url = Some(url.into());
        self
    }

    /// Sends CI calls (jobs, templates) to this base URL instead of
    /// `https://<bucket>.ci.<region>.myqcloud.com/`.
    pub fn ci_base_url(mut self, url: impl Into<String>) -> Self {
        self.ci_base_url = Some(url.into());
        self
    }

    /// Where [`OcrProvider`](ocr_core::OcrProvider) uploads local documents (default
    /// `cloud-ocr/`). The key is the prefix, the MD5 of the content in hex, a suffix unique to
    /// the submission, and the format's extension (`cloud-ocr/<md5>-<suffix>.png`), so two
    /// submissions of the same document never share an object (each deletes its own when its
    /// job ends). The key is kept in the job (`Job.meta["key"]`).
    pub fn key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.settings.key_prefix = prefix.into();
        self
    }

    /// How many pages of a PDF are submitted (and, for URLs, recognised) at once (default 4);
    /// the rate limits apply too. At least 1.
    pub fn page_concurrency(mut self, pages: usize) -> Self {
        self.settings.page_concurrency = pages.max(1);
        self
    }

    /// Whether the provider keeps uploaded documents after their job ends (default: delete).
    pub fn keep_uploads(mut self, keep: bool) -> Self {
        self.settings.keep_uploads = keep;
        self
    }

    /// The `ImageOCR` parameters the provider submits (default: the service defaults). The
    /// request's language, PDF page and format fill in `LanguageType`, `IsPdf` and
    /// `PdfPageNumber`.
    pub fn ocr_params(mut self, params: ImageOcr) -> Self {
        self.settings.ocr = params;
        self
    }

    /// Makes the provider submit jobs with this OCR template instead of inline parameters.
    pub fn template_id(mut self, template_id: impl Into<String>) -> Self {
        self.settings.template_id = Some(template_id.into());
        self
    }

    /// The AI queue the provider submits to (default: the bucket's queue).
    pub fn queue_id(mut self, queue_id: impl Into<String>) -> Self {
        self.settings.queue_id = Some(queue_id.into());
        self
    }

    /// How the provider's `recognize` polls (default: every second growing to 10 s, 120 s in
    /// all).
    pub fn poll_policy(mut self, policy: PollPolicy) -> Self {
        self.settings.poll = policy;
        self
    }

    /// Builds the client, checking the bucket name, region, base URLs and provider settings.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a malformed bucket (`Bucket`), region (`Region`), key prefix or
    /// template id; `Config` for missing settings, bad base URLs or a bad transport setup.
    pub fn build(self) -> Result<CosCi> {
        let own = |e: Error| e.with_provider(PROVIDER_ID);
        let bucket = self
            .bucket
            .ok_or_else(|| Error::config("no bucket configured").with_field("Bucket"))
            .map_err(own)?;
        let region = self
            .region
            .ok_or_else(|| Error::config("no region configured").with_field("Region"))
            .map_err(own)?;
        validate::region(&region).map_err(own)?;
        validate::bucket(&bucket, &region).map_err(own)?;
        validate::key_prefix(&self.settings.key_prefix).map_err(own)?;
        if let Some(id) = &self.settings.template_id {
            validate::template_id("Operation.TemplateId", id).map_err(own)?;
        }
        self.settings.ocr.validate().map_err(own)?;
        let credentials = self.credentials.ok_or_else(|| {
            own(Error::config(format!(
                "no credentials configured: set {} and {} or pass a credential",
                tc_signing::ENV_SECRET_ID,
                tc_signing::ENV_SECRET_KEY
            )))
        })?;
        let cos = match &self.cos_base_url {
            Some(url) => Base::parse("cos_base_url", url),
            None => Base::default_for(Service::Cos, &bucket, &region),
        }
        .map_err(own)?;
        let ci = match &self.ci_base_url {
            Some(url) => Base::parse("ci_base_url", url),
            None => Base::default_for(Service::Ci, &bucket, &region),
        }
        .map_err(own)?;
        let runtime = self.options.build_runtime().map_err(own)?;
        let actions = CosCiOp::ALL.map(|op| (op, op.name(), Some(op.default_rate(&region))));
        let credentials = Arc::new(CachedCredentials::new(credentials));
        let account = account_of(&credentials, &self.options);
        let limiters = self
            .options
            .limiters(PROVIDER_ID, &account, &actions)?
            .into_iter()
            .collect();
        Ok(CosCi {
            inner: Arc::new(Inner {
                bucket,
                region,
                cos,
                ci,
                credentials,
                signer: CosSigner::new(),
                runtime,
                limiters,
                clock: ServerClock::new(self.options.clock),
                settings: self.settings,
                uploads: AtomicU64::new(0),
            }),
        })
    }
}

/// A COS + Cloud Infinite client for one bucket: object upload, `ImageOCR` jobs and templates,
/// synchronous OCR, and an [`OcrProvider`](ocr_core::OcrProvider).
///
/// Cheap to clone; clones share the connection pool, rate limiters, credential cache and the
/// learned clock skew. Every call is signed with `q-sign-algorithm=sha1` and goes through the
/// shared runtime (rate limit, per-attempt timeout, retry, total timeout).
///
/// ```no_run
/// use cos_ci::prelude::*;
/// use cos_ci::{CosCi, ImageOcr, OcrType, SubmitJob};
///
/// # async fn demo() -> Result<(), ocr_core::Error> {
/// let client = CosCi::builder()
///     .bucket("examplebucket-1250000000")
///     .region("ap-beijing")
///     .credentials_from_env()
///     .build()?;
/// client.put_object_file("input/test.jpg", "test.jpg", &Default::default()).await?;
/// let job = client
///     .submit_job(&SubmitJob::with_params("input/test.jpg", ImageOcr::new(OcrType::General)))
///     .await?;
/// println!("submitted {}", job.job_id);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct CosCi {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) bucket: String,
    pub(crate) region: String,
    pub(crate) cos: Base,
    pub(crate) ci: Base,
    credentials: Arc<CachedCredentials>,
    pub(crate) signer: CosSigner,
    pub(crate) runtime: Runtime,
    limiters: HashMap<CosCiOp, RateLimiter>,
    pub(crate) clock: ServerClock,
    pub(crate) settings: ProviderSettings,
    /// Uploads made so far, shared by clones: part of each upload key's unique suffix.
    pub(crate) uploads: AtomicU64,
}

impl fmt::Debug for CosCi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CosCi")
            .field("bucket", &self.inner.bucket)
            .field("region", &self.inner.region)
            .field("cos_base_url", &self.inner.cos.as_str())
            .field("ci_base_url", &self.inner.ci.as_str())
            .field("credentials", &self.inner.credentials)
            .field("key_prefix", &self.inner.settings.key_prefix)
            .field("keep_uploads", &self.inner.settings.keep_uploads)
            .finish_non_exhaustive()
    }
}

impl CosCi {
    /// A builder with the default hosts, the system clock and the documented rate limits.
    pub fn builder() -> CosCiBuilder {
        CosCiBuilder {
            bucket: None,
            region: None,
            credentials: None,
            cos_base_url: None,
            ci_base_url: None,
            options: ClientOptions::default(),
            settings: ProviderSettings {
                key_prefix: DEFAULT_KEY_PREFIX.to_owned(),
                keep_uploads: false,
                ocr: ImageOcr::default(),
                template_id: None,
                queue_id: None,
                poll: PollPolicy::default(),
                page_concurrency: ocr_core::pages::DEFAULT_PAGE_CONCURRENCY,
            },
        }
    }

    /// The bucket, `<BucketName>-<APPID>`.
    pub fn bucket(&self) -> &str {
        &self.inner.bucket
    }

    /// The region.
    pub fn region(&self) -> &str {
        &self.inner.region
    }

    /// The base URL of COS calls (ends with `/`).
    pub fn cos_base_url(&self) -> &str {
        self.inner.cos.as_str()
    }

    /// The base URL of CI calls (ends with `/`).
    pub fn ci_base_url(&self) -> &str {
        self.inner.ci.as_str()
    }

    /// The runtime (HTTP client, retry policy, timeouts).
    pub fn runtime(&self) -> &Runtime {
        &self.inner.runtime
    }

    /// The learned clock offset, in seconds (server minus local).
    pub fn clock_skew_secs(&self) -> i64 {
        self.inner.clock.offset_secs()
    }

    /// The current time as the server sees it (the client's clock plus the learned skew).
    pub fn now_unix(&self) -> u64 {
        self.inner.clock.now_unix()
    }

    pub(crate) fn limiter(&self, op: CosCiOp) -> Option<&RateLimiter> {
        self.inner.limiters.get(&op)
    }

    pub(crate) fn credential(&self) -> Result<Credential> {
        self.inner
            .credentials
            .get(self.inner.clock.local_now())
            .map_err(credential_error)
    }
}

/// A credential provider's failure: `Config` when nothing is configured, `Auth` when what is
/// configured cannot be used.
fn credential_error(e: tc_signing::CredentialError) -> Error {
    let kind = if e.is_not_configured() {
        ErrorKind::Config
    } else {
        ErrorKind::Auth
    };
    Error::new(kind, format!("cannot load credentials: {e}"))
        .with_provider(PROVIDER_ID)
        .with_source(e)
}

/// The account shared rate limits are counted against: a hash of the SecretId (never the
/// SecretKey), read from the credentials at the first request that needs it, so building a
/// client still reads no credentials.
fn account_of(credentials: &Arc<CachedCredentials>, options: &ClientOptions) -> AccountId {
    let credentials = credentials.clone();
    let clock = options.clock.clone();
    AccountId::lazy(move || {
        credentials
            .get(clock.now())
            .map(|credential| account_hash(credential.secret_id()))
            .map_err(credential_error)
    })
}

/// Tags an error raised before sending (validation) with the provider and operation, as the
/// runtime tags the errors of calls.
pub(crate) fn tag(err: Error, op: CosCiOp) -> Error {
    err.with_provider(PROVIDER_ID).with_operation(op.name())
}

//! [`Fallback`]: providers tried in order, moving on only when another service could succeed.
//!
//! A chain moves past a provider when it does not accept the input or the options (checked
//! without sending anything, with [`OcrProvider::estimate`]), or when its submission failed
//! certainly unsent for a reason of the service or the account: throttled, out of quota,
//! unavailable. It never moves on after a billed call whose outcome is unknown
//! ([`Error::maybe_sent`]), nor for an input the service itself refused, a bad credential or
//! a configuration error: those would fail the same way, or be paid twice. The document says
//! which provider produced it ([`Document::provider`]) and why the earlier ones were skipped
//! ([`Document::skipped_providers`]); the job names the provider that took it, so it resumes
//! there.
//!
//! ```no_run
//! # async fn demo(tencent: std::sync::Arc<dyn cloud_ocr::OcrProvider>,
//! #               picwish: std::sync::Arc<dyn cloud_ocr::OcrProvider>) -> cloud_ocr::Result<()> {
//! use std::sync::Arc;
//! use cloud_ocr::fallback::Fallback;
//! use cloud_ocr::{OcrProvider, Request};
//!
//! let chain: Arc<dyn OcrProvider> = Arc::new(Fallback::new(vec![tencent, picwish])?);
//! let doc = chain.recognize(&Request::from_path("invoice.png")).await?;
//! for skipped in &doc.skipped_providers {
//!     eprintln!("{} skipped: {}", skipped.provider, skipped.message);
//! }
//! # Ok(()) }
//! ```

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use ocr_core::{
    Capabilities, Document, Error, ErrorKind, InputLimits, Job, JobStatus, OcrProvider, PollPolicy,
    Request, Result, SkippedProvider,
};

/// `Job::meta` key holding, as JSON, the providers skipped before the one that took the job.
pub const META_SKIPPED: &str = "skipped_providers";

/// Providers tried in order (see the [module documentation](self)).
pub struct Fallback {
    members: Vec<Arc<dyn OcrProvider>>,
}

impl fmt::Debug for Fallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fallback")
            .field("members", &self.ids())
            .finish()
    }
}

impl Fallback {
    /// A chain of `members`, tried in this order. At least one, each provider once.
    pub fn new(members: Vec<Arc<dyn OcrProvider>>) -> Result<Self> {
        if members.is_empty() {
            return Err(Error::config(
                "a fallback chain needs at least one provider",
            ));
        }
        for (i, member) in members.iter().enumerate() {
            if members[..i].iter().any(|m| m.id() == member.id()) {
                return Err(Error::config(format!(
                    "a fallback chain names {} twice",
                    member.id()
                )));
            }
        }
        Ok(Fallback { members })
    }

    /// The members' ids, in order.
    pub fn ids(&self) -> Vec<&'static str> {
        self.members.iter().map(|m| m.id()).collect()
    }

    /// The member that owns `job`.
    pub fn member_for(&self, job: &Job) -> Result<&Arc<dyn OcrProvider>> {
        self.members
            .iter()
            .find(|m| m.id() == job.provider)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidInput,
                    format!(
                        "job {} belongs to {}, which is not in the chain ({})",
                        job.task_id,
                        job.provider,
                        self.ids().join(", ")
                    ),
                )
                .with_field("job")
            })
    }

    /// Which member would take `request` and what it would bill: the first member that
    /// accepts the input and the options, as [`submit`](OcrProvider::submit) chooses before
    /// sending (at run time a member can still be moved past for a service failure). Nothing
    /// is sent. An input no member accepts is every member's refusal.
    pub async fn estimate_member(
        &self,
        request: &Request,
    ) -> Result<(&'static str, ocr_core::Usage)> {
        let mut refusals = Vec::new();
        for member in &self.members {
            match member.estimate(request).await {
                Err(e) if e.kind() == ErrorKind::InvalidInput => refusals.push((member.id(), e)),
                other => return other.map(|usage| (member.id(), usage)),
            }
        }
        Err(refused_by_all(refusals))
    }

    /// Whether another service could succeed where a submission failed with `err`: it was
    /// certainly not taken (never "maybe sent"), and the reason is the service's or the
    /// account's (throttled, out of quota, unavailable, unreachable), not the request's.
    pub fn moves_on(err: &Error) -> bool {
        if err.maybe_sent() {
            return false;
        }
        match err.kind() {
            ErrorKind::Throttled | ErrorKind::Quota | ErrorKind::Transport => true,
            ErrorKind::Service => err.is_retryable(),
            _ => false,
        }
    }

    /// The skipped providers recorded in `job`.
    pub fn skipped(job: &Job) -> Vec<SkippedProvider> {
        job.meta(META_SKIPPED)
            .and_then(|json| serde_json::from_str(json).ok())
            .unwrap_or_default()
    }

    /// Adds the skipped providers recorded in `job` to `doc`.
    fn attach(job: &Job, doc: &mut Document) {
        let skipped = Fallback::skipped(job);
        if !skipped.is_empty() {
            doc.skipped_providers = skipped;
        }
    }
}

/// The error for a request no member accepts: every member's reason, the first one's kind and
/// field.
fn refused_by_all(refusals: Vec<(&'static str, Error)>) -> Error {
    let reasons: Vec<String> = refusals
        .iter()
        .map(|(id, e)| format!("{id}: {}", e.message()))
        .collect();
    let Some((_, first)) = refusals.into_iter().next() else {
        return Error::config("an empty fallback chain");
    };
    let mut err = Error::new(
        first.kind(),
        format!(
            "no provider of the chain accepts it ({})",
            reasons.join("; ")
        ),
    );
    if let Some(field) = first.field() {
        err = err.with_field(field.to_owned());
    }
    err
}

fn skipped_because(provider: &str, err: &Error) -> SkippedProvider {
    let code = err
        .code()
        .map(str::to_owned)
        .unwrap_or_else(|| format!("{:?}", err.kind()));
    SkippedProvider {
        provider: provider.to_owned(),
        code,
        message: err.to_string(),
    }
}

/// Widens `limits` to take what `other` takes too.
fn widen(limits: &mut InputLimits, other: &InputLimits) {
    for format in &other.formats {
        if !limits.formats.contains(format) {
            limits.formats.push(*format);
        }
    }
    limits.max_bytes = limits.max_bytes.max(other.max_bytes);
    limits.max_side = limits.max_side.zip(other.max_side).map(|(a, b)| a.max(b));
    limits.min_side = limits.min_side.zip(other.min_side).map(|(a, b)| a.min(b));
    limits.accepts_url |= other.accepts_url;
    limits.accepts_local |= other.accepts_local;
    limits.url_ports = match (limits.url_ports.take(), &other.url_ports) {
        (Some(mut ports), Some(more)) => {
            for port in more {
                if !ports.contains(port) {
                    ports.push(*port);
                }
            }
            Some(ports)
        }
        _ => None,
    };
}

#[async_trait]
impl OcrProvider for Fallback {
    /// `"fallback"`; jobs and documents name the member that produced them.
    fn id(&self) -> &'static str {
        "fallback"
    }

    /// Inputs: what any member takes (a member that refuses an input is skipped, so the
    /// chain reads every format one of them reads, up to the largest size one of them takes).
    /// Outputs and options: the first member's (a member that refuses an option stops the
    /// chain with that refusal).
    fn capabilities(&self) -> Capabilities {
        let mut capabilities = self.members[0].capabilities();
        for member in &self.members[1..] {
            widen(&mut capabilities.input, &member.capabilities().input);
        }
        capabilities
    }

    fn poll_policy(&self) -> PollPolicy {
        self.members[0].poll_policy()
    }

    fn owns(&self, job: &Job) -> bool {
        self.members.iter().any(|m| m.owns(job))
    }

    fn poll_policy_for(&self, job: &Job) -> PollPolicy {
        match self.member_for(job) {
            Ok(member) => member.poll_policy_for(job),
            Err(_) => self.poll_policy(),
        }
    }

    async fn estimate(&self, request: &Request) -> Result<ocr_core::Usage> {
        self.estimate_member(request).await.map(|(_, usage)| usage)
    }

    async fn submit(&self, request: &Request) -> Result<Job> {
        let mut skipped: Vec<SkippedProvider> = Vec::new();
        let mut refusals: Vec<(&'static str, Error)> = Vec::new();
        let mut last_failure: Option<Error> = None;
        for member in &self.members {
            // Does it accept this input and these options? Checked without sending.
            if let Err(e) = member.estimate(request).await {
                if e.kind() == ErrorKind::InvalidInput {
                    skipped.push(skipped_because(member.id(), &e));
                    refusals.push((member.id(), e));
                    continue;
                }
            }
            match member.submit(request).await {
                Ok(mut job) => {
                    if !skipped.is_empty() {
                        if let Some(doc) = job.result.as_deref_mut() {
                            doc.skipped_providers = skipped.clone();
                        }
                        let json = serde_json::to_string(&skipped).map_err(|e| {
                            Error::new(ErrorKind::Decode, format!("cannot record skips: {e}"))
                        })?;
                        job.meta.insert(META_SKIPPED.to_owned(), json);
                    }
                    return Ok(job);
                }
                Err(e) if Fallback::moves_on(&e) => {
                    tracing::warn!(provider = member.id(), error = %e, "moving to the next provider");
                    skipped.push(skipped_because(member.id(), &e));
                    last_failure = Some(e);
                }
                Err(e) => return Err(e),
            }
        }
        // Nobody took it: the last service failure, else every member's refusal (an input that
        // no member accepts is the caller's to fix).
        Err(last_failure.unwrap_or_else(|| refused_by_all(refusals)))
    }

    async fn poll(&self, job: &Job) -> Result<JobStatus> {
        let status = self.member_for(job)?.poll(job).await?;
        Ok(match status {
            JobStatus::Done(mut doc) => {
                Fallback::attach(job, &mut doc);
                JobStatus::Done(doc)
            }
            other => other,
        })
    }
}

#[cfg(all(test, feature = "tc-ocr", feature = "picwish"))]
mod tests {
    use super::*;
    use ocr_core::Format;
    use tc_signing::{ConfigureCredentials, Credential};

    #[test]
    fn a_chain_reads_what_any_member_reads() {
        let tencent = tc_ocr::TencentOcr::builder()
            .credential(Credential::new("id", "key"))
            .build()
            .unwrap();
        let picwish = picwish::PicWish::builder().api_key("key").build().unwrap();
        let (t, p) = (tencent.capabilities().input, picwish.capabilities().input);
        let chain = Fallback::new(vec![Arc::new(tencent), Arc::new(picwish)]).unwrap();
        let input = chain.capabilities().input;
        // tc-ocr's formats first, then what only PicWish reads (GIF, Office files).
        assert_eq!(input.formats[..t.formats.len()], t.formats[..]);
        for format in [Format::Gif, Format::Docx, Format::Png] {
            assert!(input.formats.contains(&format), "{format:?}");
        }
        assert_eq!(input.max_bytes, t.max_bytes.max(p.max_bytes));
        assert!(input.accepts_url && input.accepts_local);
    }
}

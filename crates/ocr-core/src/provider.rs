//! The one trait every provider implements.

use std::fmt;

use async_trait::async_trait;

use crate::document::Document;
use crate::error::{Error, ErrorKind, Result};
use crate::job::{Job, JobStatus};
use crate::poll::{poll_timed, poll_until_done, PollPolicy, TaskTimer};
use crate::request::{DocumentKind, InputLimits, Options, OutputKind, Request};
use crate::usage::Usage;

/// What a provider accepts, honours and returns, so callers can choose one and refuse early.
///
/// It is a contract: a provider honours exactly the options listed here and refuses every
/// other one before sending anything ([`Capabilities::check`]), and it produces every output
/// it lists. The conformance suite (feature `conformance`) checks both.
///
/// ```
/// use ocr_core::{Capabilities, DocumentKind, Format, InputLimits, Options, OutputKind};
/// let caps = Capabilities::new(InputLimits::new(vec![Format::Png], 1 << 20), vec![OutputKind::Text], false)
///     .with_pages()
///     .with_languages();
/// assert!(caps.check("example", &Options::default()).is_ok());
/// let mut options = Options::default();
/// options.field_names = vec!["Total".into()];
/// let err = caps.check("example", &options).unwrap_err();
/// assert_eq!(err.field(), Some("field_names"));
/// assert!(err.to_string().contains("example"));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Capabilities {
    /// Input formats, sizes and source kinds.
    pub input: InputLimits,
    /// Output kinds the provider can produce.
    pub outputs: Vec<OutputKind>,
    /// Whether results arrive later (submit, then poll) rather than in the submit response.
    pub asynchronous: bool,
    /// Whether a page selection ([`Options::pages`]) is honoured.
    pub pages: bool,
    /// Whether languages ([`Options::languages`]) are honoured.
    pub languages: bool,
    /// Whether field names ([`Options::field_names`]) are honoured.
    pub field_names: bool,
    /// Whether a named configuration ([`Options::config_id`]) is honoured.
    pub config_id: bool,
    /// The document kinds recognised ([`Options::document_kind`]).
    pub document_kinds: Vec<DocumentKind>,
    /// The result file formats that can be asked for ([`Options::result_format`]).
    pub result_formats: Vec<String>,
}

impl Capabilities {
    /// Capabilities from their parts; no option beyond `outputs` is honoured until added with
    /// the `with_…` methods, and only [`DocumentKind::General`] is recognised.
    pub fn new(input: InputLimits, outputs: Vec<OutputKind>, asynchronous: bool) -> Self {
        Capabilities {
            input,
            outputs,
            asynchronous,
            pages: false,
            languages: false,
            field_names: false,
            config_id: false,
            document_kinds: vec![DocumentKind::General],
            result_formats: Vec::new(),
        }
    }

    /// Honours page selections.
    pub fn with_pages(mut self) -> Self {
        self.pages = true;
        self
    }

    /// Honours languages.
    pub fn with_languages(mut self) -> Self {
        self.languages = true;
        self
    }

    /// Honours field names.
    pub fn with_field_names(mut self) -> Self {
        self.field_names = true;
        self
    }

    /// Honours a named configuration.
    pub fn with_config_id(mut self) -> Self {
        self.config_id = true;
        self
    }

    /// Recognises these document kinds.
    pub fn with_document_kinds(mut self, kinds: impl Into<Vec<DocumentKind>>) -> Self {
        self.document_kinds = kinds.into();
        self
    }

    /// Produces result files in these formats.
    pub fn with_result_formats<I, S>(mut self, formats: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.result_formats = formats.into_iter().map(Into::into).collect();
        self
    }

    /// Whether the provider can produce `kind`.
    pub fn produces(&self, kind: OutputKind) -> bool {
        self.outputs.contains(&kind)
    }

    /// Refuses every option of `options` that `provider` does not honour, as
    /// [`ErrorKind::InvalidInput`] naming the option (as its field) and the provider. Providers
    /// call this first in `submit`, so nothing is sent for a refused request.
    pub fn check(&self, provider: &str, options: &Options) -> Result<()> {
        let refuse = |field: &'static str, what: String| -> Result<()> {
            Err(Error::invalid_input(
                field,
                format!("{what}: {provider} does not honour this option"),
            )
            .with_provider(provider.to_owned()))
        };
        if let Some(kind) = options.outputs.iter().find(|k| !self.produces(**k)) {
            let offered: Vec<&str> = self.outputs.iter().map(|k| k.as_str()).collect();
            return refuse(
                "outputs",
                format!(
                    "output `{kind}` was asked for, and {provider} produces only {}",
                    offered.join(", ")
                ),
            );
        }
        if let (Some(pages), false) = (&options.pages, self.pages) {
            return refuse("pages", format!("pages {pages} were asked for"));
        }
        if !options.languages.is_empty() && !self.languages {
            return refuse(
                "languages",
                format!("languages {} were asked for", options.languages.join(",")),
            );
        }
        if !options.field_names.is_empty() && !self.field_names {
            return refuse("field_names", "field names were asked for".to_owned());
        }
        if let (Some(id), false) = (&options.config_id, self.config_id) {
            return refuse("config_id", format!("config id `{id}` was asked for"));
        }
        if !self.document_kinds.contains(&options.document_kind) {
            return refuse(
                "document_kind",
                format!("document kind `{}` was asked for", options.document_kind),
            );
        }
        // Card settings without a card: not the provider's limit but the request's own.
        let without_card = |field: &'static str, what: &str| -> Result<()> {
            Err(Error::invalid_input(
                field,
                format!("{what} applies only to document kind id-card, and none was asked for"),
            )
            .with_provider(provider.to_owned()))
        };
        if options.document_kind != DocumentKind::IdCard {
            if options.card_nationality.is_some() {
                return without_card("card_nationality", "a card nationality");
            }
            if options.card_type.is_some() {
                return without_card("card_type", "a card type");
            }
        }
        if let Some(format) = &options.result_format {
            if !self.result_formats.iter().any(|f| f == format) {
                let what = if self.result_formats.is_empty() {
                    format!("result format `{format}` was asked for")
                } else {
                    format!(
                        "result format `{format}` was asked for (offered: {})",
                        self.result_formats.join(", ")
                    )
                };
                return refuse("result_format", what);
            }
        }
        Ok(())
    }
}

/// A document-recognition service.
///
/// The trait is object safe: programs hold an `Arc<dyn OcrProvider>` and switch providers by
/// configuration. It has two primitive operations, [`submit`](OcrProvider::submit) and
/// [`poll`](OcrProvider::poll), so a job can be persisted between them (see [`Job`]);
/// [`recognize`](OcrProvider::recognize) combines them. Synchronous services complete in
/// `submit` and `poll` returns the stored result.
///
/// ```
/// use std::sync::Arc;
/// use ocr_core::{OcrProvider, Request};
///
/// async fn run(provider: Arc<dyn OcrProvider>) -> Result<String, ocr_core::Error> {
///     let doc = provider.recognize(&Request::from_path("invoice.pdf")).await?;
///     Ok(doc.text())
/// }
/// ```
#[async_trait]
pub trait OcrProvider: Send + Sync + fmt::Debug {
    /// The provider id: `"tc-ocr"`, `"lkeap"`, `"cos-ci"`, `"picwish"` …
    fn id(&self) -> &'static str;

    /// What it accepts and produces.
    fn capabilities(&self) -> Capabilities;

    /// How [`recognize`](OcrProvider::recognize) polls this provider.
    fn poll_policy(&self) -> PollPolicy {
        PollPolicy::default()
    }

    /// Validates the request and submits it. Validation failures are returned before anything
    /// is sent.
    async fn submit(&self, request: &Request) -> Result<Job>;

    /// Asks once how a job is doing.
    async fn poll(&self, job: &Job) -> Result<JobStatus>;

    /// What `request` would be billed, without sending anything: the billed calls per action
    /// and the pages [`submit`](OcrProvider::submit) and the polls after it would make, in the
    /// units of the document's [`usage`](Document::usage) (tokens, known only afterwards,
    /// stay `None`).
    ///
    /// The request is validated exactly as `submit` validates it (formats, sizes, pages,
    /// options, [`Capabilities::check`]), so an estimate fails where `submit` would fail
    /// before sending, with the same [`ErrorKind`] and field. A request whose bill cannot be
    /// known without sending (the page count of a document given by URL, say) is
    /// [`ErrorKind::Unsupported`].
    ///
    /// The default refuses every request as [`ErrorKind::Unsupported`]; every provider of this
    /// workspace implements it.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use ocr_core::{OcrProvider, Request};
    ///
    /// async fn dry_run(provider: Arc<dyn OcrProvider>) -> Result<(), ocr_core::Error> {
    ///     let usage = provider.estimate(&Request::from_path("invoice.pdf")).await?;
    ///     println!("{} calls, {} pages", usage.total_calls(), usage.pages);
    ///     Ok(())
    /// }
    /// ```
    async fn estimate(&self, request: &Request) -> Result<Usage> {
        let _ = request;
        Err(Error::unsupported(format!(
            "{} cannot tell what a request would be billed without sending it",
            self.id()
        ))
        .with_provider(self.id()))
    }

    /// Whether `job` is this provider's to poll: its own jobs, or (for a provider composed of
    /// others, such as a fallback chain) a member's.
    fn owns(&self, job: &Job) -> bool {
        job.provider == self.id()
    }

    /// How [`wait`] polls `job` (a composed provider answers with the policy of the member
    /// that owns it).
    fn poll_policy_for(&self, job: &Job) -> PollPolicy {
        let _ = job;
        self.poll_policy()
    }

    /// Submits and polls until the job finishes or the poll deadline passes. With
    /// [`Options::strict`], an incomplete document is an error
    /// ([`Document::require_complete`]).
    async fn recognize(&self, request: &Request) -> Result<Document> {
        let job = self.submit(request).await?;
        let doc = wait(self, &job).await?;
        if request.options.strict {
            return doc.require_complete();
        }
        Ok(doc)
    }
}

/// Polls `job` on `provider` with the provider's [`PollPolicy`] until it finishes.
pub async fn wait<P: OcrProvider + ?Sized>(provider: &P, job: &Job) -> Result<Document> {
    check_owner(provider, job)?;
    if let Some(doc) = &job.result {
        return Ok((**doc).clone());
    }
    let policy = provider.poll_policy_for(job);
    poll_until_done(&policy, &job.task_id, || provider.poll(job), |_| {}).await
}

/// As [`wait`], for a job submitted at `submitted`, polled first when `timer` expects it done
/// ([`poll_timed`]): what a program waiting on many jobs of one
/// provider uses, so that most are asked about once. The provider's policy still sets the
/// deadline and the longest wait between polls.
///
/// ```
/// use std::sync::Arc;
/// use ocr_core::poll::TaskTimer;
/// use ocr_core::{OcrProvider, Request};
///
/// async fn many(provider: Arc<dyn OcrProvider>, paths: &[&str]) -> Result<(), ocr_core::Error> {
///     let timer = Arc::new(TaskTimer::new(provider.poll_policy().interval(0)));
///     for path in paths {
///         let submitted = tokio::time::Instant::now();
///         let job = provider.submit(&Request::from_path(*path)).await?;
///         let doc = ocr_core::provider::wait_timed(provider.as_ref(), &job, &timer, submitted).await?;
///         println!("{}", doc.text());
///     }
///     Ok(())
/// }
/// ```
pub async fn wait_timed<P: OcrProvider + ?Sized>(
    provider: &P,
    job: &Job,
    timer: &TaskTimer,
    submitted: tokio::time::Instant,
) -> Result<Document> {
    check_owner(provider, job)?;
    if let Some(doc) = &job.result {
        return Ok((**doc).clone());
    }
    let policy = provider.poll_policy_for(job);
    poll_timed(
        &policy,
        timer,
        submitted,
        &job.task_id,
        || provider.poll(job),
        |_| {},
    )
    .await
}

fn check_owner<P: OcrProvider + ?Sized>(provider: &P, job: &Job) -> Result<()> {
    if !provider.owns(job) {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!(
                "job {} belongs to provider {}, not {}",
                job.task_id,
                job.provider,
                provider.id()
            ),
        )
        .with_field("job"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Format;

    /// A provider that implements only what it must.
    #[derive(Debug)]
    struct Minimal;

    #[async_trait]
    impl OcrProvider for Minimal {
        fn id(&self) -> &'static str {
            "minimal"
        }

        fn capabilities(&self) -> Capabilities {
            Capabilities::new(
                InputLimits::new(vec![Format::Png], 1024),
                vec![OutputKind::Text],
                false,
            )
        }

        async fn submit(&self, _request: &Request) -> Result<Job> {
            Err(Error::unsupported("submit"))
        }

        async fn poll(&self, _job: &Job) -> Result<JobStatus> {
            Err(Error::unsupported("poll"))
        }
    }

    #[tokio::test]
    async fn estimate_is_unsupported_by_default() {
        let err = Minimal
            .estimate(&Request::from_bytes(&b"x"[..], None))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unsupported);
        assert_eq!(err.provider(), Some("minimal"));
        assert!(err.to_string().contains("billed"), "{err}");
    }
}

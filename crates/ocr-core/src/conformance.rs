//! A conformance suite any [`OcrProvider`] can run against a test backend (object_store's
//! pattern): each check drives the provider through the public trait only and asserts what a
//! user would see, and what the backend received.
//!
//! A provider crate's test implements [`Harness`] over its emulator (fresh provider
//! instances, the count of requests received, sample documents that carry known text, and a
//! way to make the next task fail) and calls [`run_all`]:
//!
//! ```ignore
//! #[tokio::test]
//! async fn conformance() {
//!     let harness = MyHarness::start().await;
//!     ocr_core::conformance::run_all(&harness).await.unwrap();
//! }
//! ```
//!
//! The checks:
//! - [`every_page`]: an N-page PDF gives N pages numbered 1..=N, each with its own text, in
//!   order, complete (or, for a provider without page boundaries, all the text in order and
//!   `page_boundaries: unknown`);
//! - [`page_selection`]: pages 2-3 give pages 2 and 3 only, or a refusal with nothing sent;
//! - [`unsupported_options_are_refused`]: every option outside the capabilities is refused as
//!   `InvalidInput` naming the option, with zero requests sent;
//! - [`job_round_trip`]: a `Job` serialised after `submit`, restored and polled by a fresh
//!   provider instance gives the same document as `recognize`;
//! - [`failed_task_is_reported`]: a task that fails surfaces its code, message and request
//!   id;
//! - [`capabilities_agree`]: every advertised output is produced.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::document::{Document, PageBoundaries};
use crate::error::ErrorKind;
use crate::format::Format;
use crate::job::{Job, JobStatus};
use crate::provider::OcrProvider;
use crate::request::{DocumentKind, Options, OutputKind, PageRange, Request};

/// What the suite needs from a provider's test setup.
#[async_trait]
pub trait Harness: Send + Sync {
    /// A new provider instance against the backend (no state shared with earlier instances
    /// but the backend itself).
    fn provider(&self) -> Arc<dyn OcrProvider>;

    /// How many requests the backend has received so far.
    fn requests_received(&self) -> usize;

    /// A PDF whose pages show these lines, which the backend recognises as such.
    fn pdf(&self, pages: &[Vec<String>]) -> Vec<u8>;

    /// An image (PNG or JPEG) showing these lines, which the backend recognises as such.
    fn image(&self, lines: &[String]) -> Vec<u8>;

    /// Makes the next task (or, for a synchronous path, the next recognition call) fail, and
    /// returns the request that will meet it and the error code the provider must surface.
    async fn arrange_task_failure(&self) -> (Request, String);

    /// Whether the service gives request ids that errors must carry (default true; PicWish's
    /// API has none, its task id is in the message).
    fn service_has_request_ids(&self) -> bool {
        true
    }
}

/// A failed check: which and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The check's name.
    pub check: &'static str,
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.check, self.message)
    }
}

impl std::error::Error for Failure {}

/// The result of one check.
pub type CheckResult = std::result::Result<(), Failure>;

fn fail(check: &'static str, message: impl Into<String>) -> CheckResult {
    Err(Failure {
        check,
        message: message.into(),
    })
}

macro_rules! ensure {
    ($check:expr, $cond:expr, $($msg:tt)+) => {
        if !$cond {
            return fail($check, format!($($msg)+));
        }
    };
}

/// Runs every check and returns the first failure.
pub async fn run_all(h: &dyn Harness) -> CheckResult {
    every_page(h).await?;
    page_selection(h).await?;
    unsupported_options_are_refused(h).await?;
    job_round_trip(h).await?;
    failed_task_is_reported(h).await?;
    capabilities_agree(h).await
}

/// The lines of page `n` of the suite's sample PDF.
fn page_lines(n: u32) -> Vec<String> {
    vec![format!("Conformance page {n}"), format!("Marker P{n}X")]
}

fn sample_pdf(h: &dyn Harness, pages: u32) -> Request {
    let pages: Vec<Vec<String>> = (1..=pages).map(page_lines).collect();
    Request::from_bytes(h.pdf(&pages), Some("conformance.pdf"))
}

fn sample_image(h: &dyn Harness) -> Request {
    let lines = vec!["Conformance image".to_owned(), "Total: 12.50".to_owned()];
    Request::from_bytes(h.image(&lines), Some("conformance.png"))
}

fn accepts_pdf(provider: &dyn OcrProvider) -> bool {
    provider.capabilities().input.formats.contains(&Format::Pdf)
}

/// Checks the pages of `doc` are exactly `pages`, each with its own marker.
fn check_pages(check: &'static str, doc: &Document, pages: &[u32]) -> CheckResult {
    if doc.page_boundaries == PageBoundaries::Unknown {
        let text = doc.text();
        let mut from = 0;
        for n in pages {
            let marker = format!("P{n}X");
            match text[from..].find(&marker) {
                Some(at) => from += at + marker.len(),
                None => return fail(check, format!("page {n}'s text is missing or out of order")),
            }
        }
        return Ok(());
    }
    let numbers: Vec<u32> = doc.pages.iter().map(|p| p.number).collect();
    ensure!(
        check,
        numbers == pages,
        "pages {numbers:?}, expected {pages:?}"
    );
    for page in &doc.pages {
        let text = page.text();
        let marker = format!("P{}X", page.number);
        ensure!(
            check,
            text.contains(&marker),
            "page {} does not hold its own text ({text:?})",
            page.number
        );
        for other in pages.iter().filter(|n| **n != page.number) {
            ensure!(
                check,
                !text.contains(&format!("P{other}X")),
                "page {} holds page {other}'s text",
                page.number
            );
        }
    }
    ensure!(
        check,
        doc.pages_requested == pages,
        "pages_requested is {:?}, expected {pages:?}",
        doc.pages_requested
    );
    ensure!(
        check,
        doc.is_complete(),
        "missing pages: {}",
        doc.missing_summary()
    );
    Ok(())
}

/// A 5-page PDF gives 5 pages, numbered 1-5, each with its own text, in order.
pub async fn every_page(h: &dyn Harness) -> CheckResult {
    const CHECK: &str = "every_page";
    let provider = h.provider();
    if !accepts_pdf(provider.as_ref()) {
        return Ok(());
    }
    let doc = provider
        .recognize(&sample_pdf(h, 5))
        .await
        .map_err(|e| Failure {
            check: CHECK,
            message: format!("a 5-page PDF failed: {e}"),
        })?;
    check_pages(CHECK, &doc, &[1, 2, 3, 4, 5])
}

/// Pages 2-3 of a 5-page PDF give pages 2 and 3 only; a provider without page selection
/// refuses before sending anything.
pub async fn page_selection(h: &dyn Harness) -> CheckResult {
    const CHECK: &str = "page_selection";
    let provider = h.provider();
    if !accepts_pdf(provider.as_ref()) {
        return Ok(());
    }
    let range = PageRange::new(2, 3).map_err(|e| Failure {
        check: CHECK,
        message: e.to_string(),
    })?;
    let request = sample_pdf(h, 5).with_pages(range);
    let before = h.requests_received();
    let result = provider.recognize(&request).await;
    if !provider.capabilities().pages {
        let err = match result {
            Ok(_) => return fail(CHECK, "pages were not honoured, yet the request succeeded"),
            Err(e) => e,
        };
        ensure!(
            CHECK,
            err.kind() == ErrorKind::InvalidInput,
            "refused as {}, not invalid input",
            err.kind()
        );
        ensure!(
            CHECK,
            h.requests_received() == before,
            "a refused request was sent"
        );
        return Ok(());
    }
    let doc = result.map_err(|e| Failure {
        check: CHECK,
        message: format!("pages 2-3 failed: {e}"),
    })?;
    check_pages(CHECK, &doc, &[2, 3])
}

/// One request per option the provider does not honour.
fn unsupported(provider: &dyn OcrProvider, h: &dyn Harness) -> Vec<(&'static str, Request)> {
    let caps = provider.capabilities();
    let base = || sample_image(h);
    let with = |f: &dyn Fn(&mut Options)| {
        let mut request = base();
        f(&mut request.options);
        request
    };
    let mut out = Vec::new();
    for kind in OutputKind::ALL {
        if !caps.produces(kind) {
            out.push(("outputs", base().with_output(kind)));
        }
    }
    if !caps.pages {
        out.push(("pages", with(&|o| o.pages = "2".parse().ok())));
    }
    if !caps.languages {
        out.push(("languages", with(&|o| o.languages = vec!["en".into()])));
    }
    if !caps.field_names {
        out.push((
            "field_names",
            with(&|o| o.field_names = vec!["Total".into()]),
        ));
    }
    if !caps.config_id {
        out.push(("config_id", with(&|o| o.config_id = Some("General".into()))));
    }
    if !caps.document_kinds.contains(&DocumentKind::IdCard) {
        out.push((
            "document_kind",
            with(&|o| o.document_kind = DocumentKind::IdCard),
        ));
    }
    out.push((
        "card_nationality",
        with(&|o| o.card_nationality = Some("PHL".into())),
    ));
    out.push((
        "result_format",
        with(&|o| o.result_format = Some("no-such-format".into())),
    ));
    out
}

/// Every option outside the capabilities is refused as invalid input naming the option,
/// before any request.
pub async fn unsupported_options_are_refused(h: &dyn Harness) -> CheckResult {
    const CHECK: &str = "unsupported_options_are_refused";
    let provider = h.provider();
    for (option, request) in unsupported(provider.as_ref(), h) {
        let before = h.requests_received();
        let err = match provider.submit(&request).await {
            Ok(_) => return fail(CHECK, format!("option `{option}` was accepted")),
            Err(e) => e,
        };
        ensure!(
            CHECK,
            err.kind() == ErrorKind::InvalidInput,
            "option `{option}` refused as {} ({err}), not invalid input",
            err.kind()
        );
        ensure!(
            CHECK,
            err.field() == Some(option),
            "option `{option}` refused naming {:?} ({err})",
            err.field()
        );
        ensure!(
            CHECK,
            err.to_string().contains(provider.id()),
            "the refusal of `{option}` does not name the provider: {err}"
        );
        let sent = h.requests_received() - before;
        ensure!(
            CHECK,
            sent == 0,
            "option `{option}`: {sent} request(s) sent before refusing"
        );
    }
    Ok(())
}

/// A `Job` serialised after `submit`, restored and polled by a fresh provider instance, gives
/// the same document as `recognize`.
pub async fn job_round_trip(h: &dyn Harness) -> CheckResult {
    const CHECK: &str = "job_round_trip";
    let first = h.provider();
    let request = if accepts_pdf(first.as_ref()) {
        sample_pdf(h, 2)
    } else {
        sample_image(h)
    };
    let err = |what: &str| {
        let what = what.to_owned();
        move |e: crate::Error| Failure {
            check: CHECK,
            message: format!("{what}: {e}"),
        }
    };
    let expected = first.recognize(&request).await.map_err(err("recognize"))?;
    let job = first.submit(&request).await.map_err(err("submit"))?;
    let json = serde_json::to_string(&job).map_err(|e| Failure {
        check: CHECK,
        message: format!("the job does not serialise: {e}"),
    })?;
    drop(first);
    let restored: Job = serde_json::from_str(&json).map_err(|e| Failure {
        check: CHECK,
        message: format!("the job does not deserialise: {e}"),
    })?;
    let second = h.provider();
    let mut doc = None;
    for _ in 0..200 {
        match second.poll(&restored).await.map_err(err("poll"))? {
            JobStatus::Done(d) => {
                doc = Some(*d);
                break;
            }
            JobStatus::Failed(e) => return fail(CHECK, format!("the restored job failed: {e}")),
            JobStatus::Pending(_) => tokio::time::sleep(Duration::from_millis(150)).await,
        }
    }
    let Some(doc) = doc else {
        return fail(CHECK, "the restored job did not finish within 30 s");
    };
    let numbers = |d: &Document| d.pages.iter().map(|p| p.number).collect::<Vec<_>>();
    ensure!(
        CHECK,
        doc.text() == expected.text(),
        "text differs:\n{}\n---\n{}",
        doc.text(),
        expected.text()
    );
    ensure!(
        CHECK,
        numbers(&doc) == numbers(&expected),
        "page numbers differ"
    );
    ensure!(CHECK, doc.fields == expected.fields, "fields differ");
    ensure!(
        CHECK,
        doc.pages_requested == expected.pages_requested,
        "pages_requested differ"
    );
    ensure!(
        CHECK,
        doc.missing == expected.missing,
        "missing pages differ"
    );
    Ok(())
}

/// A task that fails surfaces its code, message and request id.
pub async fn failed_task_is_reported(h: &dyn Harness) -> CheckResult {
    const CHECK: &str = "failed_task_is_reported";
    let (request, code) = h.arrange_task_failure().await;
    let err = match h.provider().recognize(&request).await {
        Ok(_) => return fail(CHECK, "the failed task gave a document"),
        Err(e) => e,
    };
    ensure!(
        CHECK,
        err.code() == Some(code.as_str()),
        "code {:?}, expected {code} ({err})",
        err.code()
    );
    ensure!(
        CHECK,
        !err.message().trim().is_empty(),
        "the error has no message"
    );
    if h.service_has_request_ids() {
        ensure!(
            CHECK,
            err.request_id().is_some_and(|id| !id.is_empty()),
            "the error has no request id ({err})"
        );
    }
    Ok(())
}

/// Every advertised output is produced.
pub async fn capabilities_agree(h: &dyn Harness) -> CheckResult {
    const CHECK: &str = "capabilities_agree";
    let provider = h.provider();
    let caps = provider.capabilities();
    for kind in caps.outputs.clone() {
        let request = sample_image(h).with_output(kind);
        let doc = provider.recognize(&request).await.map_err(|e| Failure {
            check: CHECK,
            message: format!("output `{kind}` failed: {e}"),
        })?;
        let produced = match kind {
            OutputKind::Text => !doc.text().trim().is_empty(),
            OutputKind::Layout => doc.lines().any(|l| l.bbox.is_some()),
            OutputKind::Fields => !doc.fields.is_empty(),
            OutputKind::Markdown => {
                doc.markdown.is_some() || doc.pages.iter().any(|p| p.markdown.is_some())
            }
            OutputKind::Files => !doc.files.is_empty(),
        };
        ensure!(
            CHECK,
            produced,
            "output `{kind}` is advertised but was not produced"
        );
    }
    Ok(())
}

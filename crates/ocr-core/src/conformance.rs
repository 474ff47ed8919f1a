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
//! - [`capabilities_agree`]: every advertised output is produced;
//! - [`estimate_matches_billing`]: for an image, a 5-page PDF and pages 2-3 of it,
//!   [`OcrProvider::estimate`] sends nothing and gives the calls, pages and credits the
//!   document of a real `recognize` then carries in its [`Usage`], and those calls are, per
//!   action, exactly the billed calls the backend recorded;
//! - [`estimate_refuses_like_submit`]: every request `submit` refuses before sending (options
//!   outside the capabilities, an unrecognisable file, a page beyond the end) is refused by
//!   `estimate` too, with the same kind and field, and nothing sent.

use std::collections::BTreeMap;
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
use crate::usage::Usage;

/// What the suite needs from a provider's test setup.
#[async_trait]
pub trait Harness: Send + Sync {
    /// A new provider instance against the backend (no state shared with earlier instances
    /// but the backend itself).
    fn provider(&self) -> Arc<dyn OcrProvider>;

    /// How many requests the backend has received so far.
    fn requests_received(&self) -> usize;

    /// The billed calls the backend has accepted so far (since it started), per action, named
    /// as the provider names them in [`Usage::calls`]: submissions, recognitions and billed
    /// uploads, never polls, queries, downloads or deletions. The suite compares the change
    /// around one `recognize` with the document's usage.
    fn billed_calls(&self) -> BTreeMap<String, u64>;

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
    capabilities_agree(h).await?;
    estimate_matches_billing(h).await?;
    estimate_refuses_like_submit(h).await
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
    ensure!(
        CHECK,
        doc.usage == expected.usage,
        "usage differs: restored {:?}, recognize {:?}",
        doc.usage,
        expected.usage
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

/// The billed calls per action recorded between `before` and `after` (actions with none left
/// out).
fn billed_between(
    before: &BTreeMap<String, u64>,
    after: &BTreeMap<String, u64>,
) -> BTreeMap<String, u64> {
    after
        .iter()
        .map(|(action, n)| {
            let earlier = before.get(action).copied().unwrap_or(0);
            (action.clone(), n.saturating_sub(earlier))
        })
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// The requests whose bill the suite checks: an image, and for a provider that reads PDFs a
/// 5-page PDF and (when pages are honoured) pages 2-3 of it.
fn billing_samples(provider: &dyn OcrProvider, h: &dyn Harness) -> Vec<(&'static str, Request)> {
    let mut out = vec![("an image", sample_image(h))];
    if accepts_pdf(provider) {
        out.push(("a 5-page PDF", sample_pdf(h, 5)));
        if provider.capabilities().pages {
            if let Ok(range) = PageRange::new(2, 3) {
                out.push((
                    "pages 2-3 of a 5-page PDF",
                    sample_pdf(h, 5).with_pages(range),
                ));
            }
        }
    }
    out
}

/// Compares an estimate with the usage of the document a real run produced, and that usage
/// with the billed calls the backend recorded during the run. Tokens are not compared with the
/// estimate: they are known only once the work is done.
fn check_usage(
    check: &'static str,
    what: &str,
    estimate: &Usage,
    doc: &Document,
    recorded: &BTreeMap<String, u64>,
) -> CheckResult {
    let usage = &doc.usage;
    ensure!(
        check,
        doc.is_complete(),
        "{what}: missing pages: {}",
        doc.missing_summary()
    );
    ensure!(
        check,
        !usage.simulated && !estimate.simulated,
        "{what}: a real run is marked simulated"
    );
    ensure!(
        check,
        usage.total_calls() > 0,
        "{what}: the document records no billed call ({usage:?})"
    );
    ensure!(
        check,
        estimate.calls == usage.calls,
        "{what}: estimated calls {:?}, the document records {:?}",
        estimate.calls,
        usage.calls
    );
    ensure!(
        check,
        estimate.pages == usage.pages,
        "{what}: estimated {} pages, the document records {}",
        estimate.pages,
        usage.pages
    );
    ensure!(
        check,
        estimate.credits == usage.credits,
        "{what}: estimated credits {:?}, the document records {:?}",
        estimate.credits,
        usage.credits
    );
    ensure!(
        check,
        estimate.tokens.is_none(),
        "{what}: the estimate claims {:?} tokens, which are known only afterwards",
        estimate.tokens
    );
    ensure!(
        check,
        &usage.calls == recorded,
        "{what}: the document records calls {:?}, the backend billed {recorded:?}",
        usage.calls
    );
    if doc.page_boundaries == PageBoundaries::Known && !doc.pages.is_empty() {
        let pages = doc.pages.len() as u64;
        ensure!(
            check,
            usage.pages == pages,
            "{what}: {} pages billed for a document of {pages} pages",
            usage.pages
        );
    }
    Ok(())
}

/// [`OcrProvider::estimate`] sends nothing and tells exactly what a real run bills: for an
/// image, a 5-page PDF and pages 2-3 of it, its calls, pages and credits equal the
/// [`Document::usage`] of a `recognize` of the same request, whose calls equal, per action,
/// the billed calls the backend recorded during that run; a document of pages with known
/// boundaries is billed one page per page.
pub async fn estimate_matches_billing(h: &dyn Harness) -> CheckResult {
    let provider = h.provider();
    for (what, request) in billing_samples(provider.as_ref(), h) {
        billing_matches_estimate(h, what, &request).await?;
    }
    Ok(())
}

/// The comparison [`estimate_matches_billing`] makes, for one request of the caller's (`what`
/// names it in a failure): the estimate sends nothing, and a `recognize` of `request` by a
/// fresh provider gives a complete document whose usage has the estimated calls, pages and
/// credits, whose calls are what the backend billed meanwhile, and whose pages (when it has
/// pages with known boundaries) are one per page returned. Provider crates use it for the sources the suite's
/// samples do not reach (URLs, objects already in a bucket).
pub async fn billing_matches_estimate(
    h: &dyn Harness,
    what: &str,
    request: &Request,
) -> CheckResult {
    const CHECK: &str = "estimate_matches_billing";
    let provider = h.provider();
    let before = h.requests_received();
    let estimate = provider.estimate(request).await.map_err(|e| Failure {
        check: CHECK,
        message: format!("{what}: the estimate failed: {e}"),
    })?;
    let sent = h.requests_received() - before;
    ensure!(
        CHECK,
        sent == 0,
        "{what}: the estimate sent {sent} request(s)"
    );
    let billed_before = h.billed_calls();
    let doc = provider.recognize(request).await.map_err(|e| Failure {
        check: CHECK,
        message: format!("{what}: recognize failed: {e}"),
    })?;
    let recorded = billed_between(&billed_before, &h.billed_calls());
    check_usage(CHECK, what, &estimate, &doc, &recorded)
}

/// Requests `submit` refuses before sending, beyond the unsupported options: an unrecognisable
/// file and, for a provider that reads PDFs, a page beyond the end of one.
fn refused(provider: &dyn OcrProvider, h: &dyn Harness) -> Vec<(&'static str, Request)> {
    let mut out = unsupported(provider, h);
    out.push((
        "an unrecognisable file",
        Request::from_bytes(
            &b"neither an image nor a document, just words"[..],
            Some("garbage.png"),
        ),
    ));
    if accepts_pdf(provider) && provider.capabilities().pages {
        if let Ok(range) = PageRange::new(9, 9) {
            out.push(("page 9 of 5", sample_pdf(h, 5).with_pages(range)));
        }
    }
    out
}

/// Every request `submit` refuses without sending is refused by [`OcrProvider::estimate`] too,
/// with the same [`ErrorKind`] and field; neither sends anything.
pub async fn estimate_refuses_like_submit(h: &dyn Harness) -> CheckResult {
    const CHECK: &str = "estimate_refuses_like_submit";
    let provider = h.provider();
    for (what, request) in refused(provider.as_ref(), h) {
        let before = h.requests_received();
        let estimate = provider.estimate(&request).await;
        let submitted = provider.submit(&request).await;
        let sent = h.requests_received() - before;
        let submit_err = match submitted {
            Ok(_) => return fail(CHECK, format!("{what}: submit accepted it")),
            Err(e) => e,
        };
        ensure!(
            CHECK,
            sent == 0,
            "{what}: {sent} request(s) sent before refusing ({submit_err})"
        );
        let estimate_err = match estimate {
            Ok(usage) => {
                return fail(
                    CHECK,
                    format!("{what}: submit refused it ({submit_err}), estimate gave {usage:?}"),
                )
            }
            Err(e) => e,
        };
        ensure!(
            CHECK,
            (estimate_err.kind(), estimate_err.field()) == (submit_err.kind(), submit_err.field()),
            "{what}: estimate refused it as {} naming {:?} ({estimate_err}), submit as {} naming \
             {:?} ({submit_err})",
            estimate_err.kind(),
            estimate_err.field(),
            submit_err.kind(),
            submit_err.field()
        );
    }
    Ok(())
}

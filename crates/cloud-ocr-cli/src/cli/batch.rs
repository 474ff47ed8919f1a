//! `cloud-ocr batch`: many documents with bounded concurrency, one result file each as it
//! finishes, and a journal that makes an interrupted run resumable without resubmitting.
//!
//! Submitting and waiting are apart: `-j` bounds the calls that submit (for a synchronous
//! service, the whole recognition), while the jobs of an asynchronous service wait in the
//! background, up to `--max-in-flight` of them, polled when their provider's [`TaskTimer`]
//! expects them done. So a provider whose tasks take seconds is kept busy at its submission
//! rate limit instead of idling at `-j` documents in flight, and its query rate limit is
//! spent on answers rather than on "still running". The providers' own rate limiters pace
//! every call, so going faster never means throttling errors.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use cloud_ocr::cache::META_CACHED;
use cloud_ocr::core::poll::TaskTimer;
use cloud_ocr::core::provider::{wait, wait_timed};
use cloud_ocr::core::{Options, Usage};
use cloud_ocr::{Env, Error, ErrorKind, Job, OcrProvider, OutputFormat, ScanOutput};
use serde::Serialize;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;

use super::args::{check_compact, BatchArgs};
use super::coordinated;
use super::cost::{describe, priced, Totals};
use super::exit::{fail, one_line, Exit};
use super::fsutil::{remove_stale_temps, write_atomic};
use super::inputs::{collect, output_names, Input};
use super::journal::{replay, ErrorRecord, Event, Journal, Last, Record, State, JOURNAL_FILE};
use super::progress::Progress;
use super::scan::{
    check_destination, file_only_warning, files_left_out, files_left_out_warning,
    incomplete_warning, skipped_warnings,
};
use super::session::{coordinator_url, Session};

/// `--max-in-flight` when not given: asynchronous jobs waiting at once.
const DEFAULT_MAX_IN_FLIGHT: u32 = 1000;

/// Runs `batch`; with `quiet`, only warnings, failures and errors are shown.
pub async fn run(args: BatchArgs, env: &Env, quiet: bool) -> Exit {
    if let Err(message) = check_compact(args.compact, args.format) {
        eprintln!("cloud-ocr: {message}");
        return Exit::Usage;
    }
    match coordinator_url(args.coordinator.as_deref(), &args.provider) {
        Ok(Some(url)) => return coordinated::run(args, env, quiet, &url).await,
        Ok(None) if args.status || args.run_id.is_some() || args.lease_secs.is_some() => {
            eprintln!(
                "cloud-ocr: --status, --run-id and --lease-secs need a coordinator \
                 (--coordinator URL, or `coordinator` in the configuration file)"
            );
            return Exit::Usage;
        }
        Ok(None) => {}
        Err(e) => return fail(&e),
    }
    if let Some(cap) = args
        .max_in_flight
        .filter(|&cap| cap < u32::from(args.concurrency))
    {
        eprintln!(
            "cloud-ocr: --max-in-flight {cap} is fewer than -j {}: every submitted job may \
             wait, so the cap is at least -j; raise it, or lower -j",
            args.concurrency
        );
        return Exit::Usage;
    }
    if let Some(path) = args.summary.as_ref().filter(|_| !args.cost.dry_run) {
        // Known before anything is sent, not after the whole run.
        if let Err(e) = check_destination(path, "summary") {
            return fail(&e);
        }
    }
    if args.cost.dry_run && args.summary.is_some() {
        eprintln!(
            "cloud-ocr: --summary records what a run did, and a dry run does nothing: drop \
             --summary (the dry run prints each input's estimate and the total)"
        );
        return Exit::Usage;
    }
    if args.cost.dry_run {
        let session = match Session::open(&args.provider, &args.cost, env, quiet).await {
            Ok(s) => s,
            Err(e) => return fail(&e),
        };
        if let Err(exit) = session.refuse_ignored(&args.provider, &args.recognition, args.format) {
            session.close().await;
            return exit;
        }
        let exit = dry_run(&session, &args, quiet).await;
        session.close().await;
        return exit;
    }
    let session = match Session::open(&args.provider, &args.cost, env, quiet).await {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    if let Err(exit) = session.refuse_ignored(&args.provider, &args.recognition, args.format) {
        session.close().await;
        return exit;
    }
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        eprintln!(
            "cloud-ocr: cannot create the output folder {}: {e}",
            args.out.display()
        );
        session.close().await;
        return Exit::Usage;
    }
    let exit = tokio::select! {
        exit = batch(&session, &args, quiet) => exit,
        _ = tokio::signal::ctrl_c() => {
            if session.simulated {
                eprintln!(
                    "\ncloud-ocr: interrupted. The journal in {} keeps what is done; the \
                     simulated jobs lived in this run's embedded emulator, so the next run \
                     submits them again (nothing is billed).",
                    args.out.display()
                );
            } else {
                eprintln!(
                    "\ncloud-ocr: interrupted. The journal in {} keeps every submitted job: \
                     run the same command again to resume (submitted jobs are polled, not \
                     submitted again).",
                    args.out.display()
                );
            }
            Exit::Interrupted
        }
    };
    session.print_cache_warnings();
    session.close().await;
    exit
}

/// Why `args.out` cannot take this run's results: it holds results of another `-f` (a run
/// resumed from it would mix formats).
fn format_conflict(args: &BatchArgs, states: &HashMap<String, State>) -> Option<String> {
    let ext = args.format.extension();
    let other = states.values().find_map(|state| match &state.last {
        Last::Done(name) if !name.ends_with(&format!(".{ext}")) => Some(name.clone()),
        _ => None,
    })?;
    Some(format!(
        "{} holds results in another format ({other}); this run writes .{ext} files (-f {}). \
         Use a new --out for another format, or the same -f to resume.",
        args.out.display(),
        args.format
    ))
}

/// The file in `--out` that records what its results were made with.
pub const SETTINGS_FILE: &str = ".cloud-ocr-settings";

/// Why `args.out` cannot take this run's results: they were made with other settings, so a
/// rerun would call them "done earlier" although they are not what this run asks for.
fn settings_conflict(args: &BatchArgs, settings: &serde_json::Value) -> Option<String> {
    let text = std::fs::read_to_string(args.out.join(SETTINGS_FILE)).ok()?;
    let kept: serde_json::Value = serde_json::from_str(&text).ok()?;
    (kept != *settings).then(|| {
        format!(
            "{} holds results made with other settings ({kept}) than this run's ({settings}): \
             use a new --out for other settings, or the same ones to resume",
            args.out.display()
        )
    })
}

/// `batch --dry-run`: every input checked as a real run checks it, and what the run would
/// bill, per input and in total; nothing is sent and nothing is written.
async fn dry_run(session: &Session, args: &BatchArgs, quiet: bool) -> Exit {
    let formats = session.provider.capabilities().input.formats;
    let (inputs, unsupported) = match collect(&args.input, args.recursive, &formats, &args.out) {
        Ok(found) => found,
        Err(e) => return fail(&e),
    };
    // What an earlier run in the same folder did: a real run would not submit those again.
    let states = std::fs::read_to_string(args.out.join(JOURNAL_FILE))
        .map(|text| replay(&text).states)
        .unwrap_or_default();
    if let Some(message) = format_conflict(args, &states)
        .or_else(|| settings_conflict(args, &session.result_settings(&args.recognition)))
    {
        eprintln!("cloud-ocr: {message}");
        return Exit::Usage;
    }
    let options = args.recognition.apply(session.options.clone());
    let chain = session.ids.len() > 1;
    let mut totals = Totals::default();
    let mut refused = 0usize;
    let mut lines = Vec::new();
    for input in &inputs {
        let state = states.get(&input.key);
        // A simulated job of an earlier run is submitted again by a real run (as `batch` does).
        let resubmitted = state.is_some_and(|s| s.simulated) && !session.simulated;
        let earlier = match state.map(|s| &s.last) {
            Some(Last::Done(name)) if args.out.join(name).is_file() && !resubmitted => {
                Some("done earlier")
            }
            Some(Last::Failed(_)) if !args.retry_failed => Some("failed earlier, skipped"),
            Some(Last::Submitted) if !resubmitted => Some("submitted earlier, resumed"),
            _ => None,
        };
        if let Some(why) = earlier {
            lines.push(format!("{}: 0 billed call(s) ({why})", input.display));
            continue;
        }
        let request = match input.request() {
            Ok(r) => r.with_options(options.clone()),
            Err(e) => {
                refused += 1;
                lines.push(format!("{}: refused: {}", input.display, one_line(&e)));
                continue;
            }
        };
        match session.estimate(&request).await {
            Ok((priced_by, usage)) => {
                let cached = match &session.cache {
                    Some(cache) => cache.is_cached(&request).await,
                    None => false,
                };
                if cached {
                    totals.cached += 1;
                }
                let from_cache = if cached { " (from the cache)" } else { "" };
                // In a chain, which member would answer (the first that accepts the input).
                let by = if chain {
                    format!(" by {priced_by}")
                } else {
                    String::new()
                };
                lines.push(format!(
                    "{}: {}{by}{}{from_cache}",
                    input.display,
                    describe(&usage),
                    priced(&session.prices, priced_by, &usage)
                ));
                totals.add(priced_by, &usage);
            }
            Err(e) => {
                refused += 1;
                lines.push(format!("{}: refused: {}", input.display, one_line(&e)));
            }
        }
    }
    for line in &lines {
        println!("{line}");
    }
    let all = totals.all();
    // One provider: the total priced as its own. A chain whose members would share the
    // inputs: the total in units, then each member's part priced as its own.
    let parts: Vec<(&String, &Usage)> = totals.by_provider.iter().collect();
    let total_price = match parts.as_slice() {
        [(provider, usage)] => priced(&session.prices, provider, usage),
        _ => String::new(),
    };
    println!(
        "total: {} input(s): {}{total_price}",
        inputs.len(),
        describe(&all),
    );
    if parts.len() > 1 {
        for (provider, usage) in parts {
            println!(
                "  by {provider}: {}{}",
                describe(usage),
                priced(&session.prices, provider, usage)
            );
        }
    }
    let unsupported_note = match unsupported {
        0 => String::new(),
        n => format!("; {n} file(s) of a type the provider does not read were left out"),
    };
    if !quiet || refused > 0 {
        let simulated = match session.simulated {
            true => "; a real run here would be simulated (nothing billed)",
            false => "",
        };
        eprintln!(
            "cloud-ocr: dry run: nothing was sent; {refused} input(s) would be refused, {} \
             answered from the cache{unsupported_note}{simulated}",
            totals.cached
        );
    }
    if refused > 0 {
        Exit::Usage
    } else {
        Exit::Ok
    }
}

/// One input to work on, and how.
struct Work {
    input: Input,
    output: String,
    /// A job saved by an earlier run: poll it instead of submitting.
    resume: Option<Job>,
}

/// What every task shares.
struct Context {
    provider: Arc<dyn OcrProvider>,
    journal: Arc<Journal>,
    out_dir: PathBuf,
    format: OutputFormat,
    simulated: bool,
    options: Options,
    compact: bool,
    progress: Progress,
    /// Set once the service refused the credentials: later failures are not listed again,
    /// and nothing more is submitted.
    auth_refused: AtomicBool,
    /// `-j`: permits to submit (held during the submitting call only).
    submitting: Arc<Semaphore>,
    /// How long each provider's tasks take, learned from this run's first polls.
    timers: Mutex<HashMap<String, Arc<TaskTimer>>>,
    /// Jobs of this run that waited for their result after being submitted.
    waited: AtomicUsize,
    /// Results that came with files the result format leaves out.
    files_left_out: AtomicUsize,
}

impl Context {
    /// The task timer of `job`'s provider (one per provider id: a fallback chain's members
    /// learn apart), first guessing the provider's first poll interval.
    fn timer(&self, job: &Job) -> Arc<TaskTimer> {
        let mut timers = self.timers.lock().unwrap_or_else(PoisonError::into_inner);
        let timer = timers.entry(job.provider.clone()).or_insert_with(|| {
            let first = self.provider.poll_policy_for(job).interval(0);
            Arc::new(TaskTimer::new(first))
        });
        Arc::clone(timer)
    }
}

/// How one input ended, for the summary line and `--summary`.
#[derive(Debug, Serialize)]
struct Outcome {
    input: String,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    output: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pages: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    provider: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    cached: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    usage: Option<Usage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

impl Outcome {
    fn new(input: &str, status: &'static str) -> Outcome {
        Outcome {
            input: input.to_owned(),
            status,
            output: None,
            pages: None,
            provider: None,
            cached: false,
            usage: None,
            error_code: None,
            request_id: None,
            message: None,
        }
    }

    fn failed(input: &str, error: &Error) -> Outcome {
        Outcome {
            error_code: error.code().map(str::to_owned),
            request_id: error.request_id().map(str::to_owned),
            message: Some(one_line(error)),
            ..Outcome::new(input, "failed")
        }
    }
}

/// What a finished input produced.
struct Finished {
    warning: Option<String>,
    pages: usize,
    /// The provider that produced it (a chain's member).
    provider: String,
    /// Answered from the result cache.
    cached: bool,
    /// What producing it billed (nothing when cached or simulated).
    usage: Usage,
    /// Its job was submitted (and billed) by an earlier run; this one polled it.
    resumed: bool,
}

async fn batch(session: &Session, args: &BatchArgs, quiet: bool) -> Exit {
    let provider = Arc::clone(&session.provider);
    let shown = session.ids.join(", ");
    let formats = provider.capabilities().input.formats;
    let (inputs, unsupported) = match collect(&args.input, args.recursive, &formats, &args.out) {
        Ok(found) => found,
        Err(e) => return fail(&e),
    };
    if inputs.is_empty() {
        let names: Vec<&str> = formats.iter().map(|f| f.extension()).collect();
        eprintln!(
            "cloud-ocr: nothing to recognise in {}: no file with an extension {} accepts ({})",
            args.input.display(),
            shown,
            names.join(", ")
        );
        return Exit::Usage;
    }
    let (journal, replay) = match Journal::open(&args.out) {
        Ok(j) => j,
        Err(e) => {
            eprintln!(
                "cloud-ocr: cannot open the journal in {}: {e}",
                args.out.display()
            );
            return Exit::Usage;
        }
    };
    if replay.unreadable > 0 {
        tracing::debug!(
            lines = replay.unreadable,
            "skipped unreadable journal lines (a run killed mid-write leaves one)"
        );
    }
    if replay.refused > 0 {
        eprintln!(
            "cloud-ocr: warning: ignored {} journal line(s) whose result file lies outside {}; \
             those inputs are recognised again",
            replay.refused,
            args.out.display()
        );
    }
    remove_stale_temps(&args.out);
    let settings = session.result_settings(&args.recognition);
    if let Some(message) =
        format_conflict(args, &replay.states).or_else(|| settings_conflict(args, &settings))
    {
        eprintln!("cloud-ocr: {message}");
        return Exit::Usage;
    }
    if !args.out.join(SETTINGS_FILE).exists() {
        let path = args.out.join(SETTINGS_FILE);
        if let Err(e) = write_atomic(path.clone(), format!("{settings}\n").into_bytes()).await {
            eprintln!("cloud-ocr: cannot write {}: {e}", path.display());
            return Exit::Usage;
        }
    }

    // Result file names: inputs already done keep theirs; names other runs wrote stay taken.
    let keys: HashSet<&str> = inputs.iter().map(|i| i.key.as_str()).collect();
    let done_name = |state: &State| match &state.last {
        Last::Done(output) => Some(output.clone()),
        _ => None,
    };
    let taken: HashSet<String> = replay
        .states
        .iter()
        .filter(|(key, _)| !keys.contains(key.as_str()))
        .filter_map(|(_, state)| done_name(state))
        .collect();
    let fixed = |input: &Input| replay.states.get(&input.key).and_then(done_name);
    let names = output_names(&inputs, args.format.extension(), &fixed, &taken);

    let mut skipped_done: Vec<(String, String)> = Vec::new();
    let mut incomplete_earlier: Vec<String> = Vec::new();
    let mut skipped_failed: Vec<(String, ErrorRecord)> = Vec::new();
    let mut resubmitted_simulated = 0usize;
    let mut resimulated_done = 0usize;
    let mut real_jobs_on_emulator: Vec<(String, String)> = Vec::new();
    let mut work = Vec::new();
    for (input, output) in inputs.into_iter().zip(names) {
        let state = replay.states.get(&input.key);
        let resume = match state {
            // A simulated result is not what a real run asks for: recognised again.
            Some(State {
                last: Last::Done(_),
                simulated: true,
                ..
            }) if !session.simulated => {
                resimulated_done += 1;
                None
            }
            Some(State {
                last: Last::Done(name),
                incomplete,
                ..
            }) if args.out.join(name).is_file() => {
                skipped_done.push((input.display.clone(), name.clone()));
                // Still incomplete: said again, and the run is not "all well".
                if let Some(warning) = incomplete {
                    incomplete_earlier.push(format!("{warning} (done earlier)"));
                }
                continue;
            }
            Some(State {
                last: Last::Failed(error),
                ..
            }) if !args.retry_failed => {
                skipped_failed.push((input.display.clone(), error.clone()));
                continue;
            }
            Some(State {
                last: Last::Failed(error),
                job,
                ..
            }) => job.clone().filter(|_| error.job_still_useful()),
            Some(State { job, .. }) => job.clone(),
            None => None,
        };
        let was_simulated = state.is_some_and(|s| s.simulated);
        let resume = match resume {
            // A simulated job lived in an earlier run's emulator: submit it again (nothing
            // was billed), to this run's emulator or, now that credentials are set, for real.
            Some(_) if was_simulated => {
                resubmitted_simulated += 1;
                None
            }
            // A real job is never polled against the emulator: its result is at the service.
            Some(job) if session.simulated => {
                real_jobs_on_emulator.push((input.display.clone(), job.task_id.clone()));
                continue;
            }
            other => other,
        };
        work.push(Work {
            input,
            output,
            resume,
        });
    }
    if resimulated_done > 0 {
        eprintln!(
            "cloud-ocr: {resimulated_done} result(s) in {} were simulated by an earlier run on \
             the embedded emulator; they are recognised again by the service",
            args.out.display()
        );
    }
    if resubmitted_simulated > 0 {
        eprintln!(
            "cloud-ocr: {resubmitted_simulated} simulated job(s) of an earlier run lived in that \
             run's embedded emulator; they are submitted again (nothing was billed)"
        );
    }
    for (display, task) in &real_jobs_on_emulator {
        eprintln!(
            "cloud-ocr: skipped {display}: its job {task} was submitted to the real service in an \
             earlier run; run again with the same credentials to collect its result"
        );
    }
    if args.cost.refresh && !skipped_done.is_empty() {
        eprintln!(
            "cloud-ocr: note: {} input(s) done earlier in {} are skipped; --refresh \
             recognises again only what this run submits (use a new --out for those)",
            skipped_done.len(),
            args.out.display()
        );
    }
    let resuming = work.iter().filter(|w| w.resume.is_some()).count();
    let mut outcomes: Vec<Outcome> = Vec::new();
    if !quiet {
        eprintln!(
        "cloud-ocr: {} with {}: {} to submit, {} to resume, {} done earlier, {} failed earlier{}",
        args.input.display(),
        shown,
        work.len() - resuming,
        resuming,
        skipped_done.len(),
        skipped_failed.len(),
        if skipped_failed.is_empty() {
            ""
        } else {
            " (skipped; --retry-failed tries them again)"
        }
    );
    }

    let context = Arc::new(Context {
        provider,
        journal,
        out_dir: args.out.clone(),
        format: args.format,
        simulated: session.simulated,
        options: args.recognition.apply(session.options.clone()),
        compact: args.compact,
        progress: Progress::new(work.len() as u64, quiet),
        auth_refused: AtomicBool::new(false),
        submitting: Arc::new(Semaphore::new(usize::from(args.concurrency))),
        timers: Mutex::new(HashMap::new()),
        waited: AtomicUsize::new(0),
        files_left_out: AtomicUsize::new(0),
    });
    // Never fewer than -j (a smaller --max-in-flight is refused): the in-flight cap bounds
    // waiting jobs, not submitting calls.
    let in_flight = Arc::new(Semaphore::new(
        (args.max_in_flight.unwrap_or(DEFAULT_MAX_IN_FLIGHT) as usize)
            .max(usize::from(args.concurrency)),
    ));
    // Inputs start in order: an in-flight permit, and for a new input its turn to submit,
    // are taken here, before its task is spawned.
    let mut tasks = JoinSet::new();
    for item in work {
        let Ok(permit) = Arc::clone(&in_flight).acquire_owned().await else {
            break;
        };
        let turn = match &item.resume {
            Some(_) => None,
            None => match Arc::clone(&context.submitting).acquire_owned().await {
                Ok(turn) => Some(turn),
                Err(_) => break,
            },
        };
        let context = Arc::clone(&context);
        if context.auth_refused.load(Ordering::Relaxed) {
            break;
        }
        tasks.spawn(async move {
            let _permit = permit;
            let display = item.input.display.clone();
            let output = item.output.clone();
            let result = process(&context, item, turn).await;
            result.map(|result| (display, output, result))
        });
    }
    let mut done = 0usize;
    let mut failed: Vec<(String, String)> = Vec::new();
    // Incomplete results: this run's, then those done earlier and still incomplete.
    let mut incomplete: Vec<String> = Vec::new();
    let mut auth_error: Option<Error> = None;
    let mut totals = Totals::default();
    // The part of `totals` that an earlier, interrupted run billed (it submitted those jobs).
    let mut billed_earlier = Usage::default();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(Some((display, output, Ok(finished)))) => {
                done += 1;
                let status = if finished.warning.is_some() {
                    "incomplete"
                } else {
                    "done"
                };
                totals.add(&finished.provider, &finished.usage);
                if finished.resumed {
                    billed_earlier.add(&finished.usage);
                }
                if finished.cached {
                    totals.cached += 1;
                }
                outcomes.push(Outcome {
                    output: Some(output),
                    pages: Some(finished.pages),
                    provider: Some(finished.provider.clone()),
                    cached: finished.cached,
                    usage: Some(finished.usage.clone()),
                    ..Outcome::new(&display, status)
                });
                if let Some(warning) = finished.warning {
                    incomplete.push(warning);
                }
            }
            // Not started: the credentials were refused while it waited for its turn.
            Ok(None) => {}
            Ok(Some((display, _, Err(e)))) => {
                outcomes.push(Outcome::failed(&display, &e));
                if e.kind() == ErrorKind::Auth {
                    // Every other input would fail the same way: stop, and say it once.
                    tasks.abort_all();
                    auth_error.get_or_insert(e);
                } else {
                    failed.push((display, one_line(&e)));
                }
            }
            Err(e) if e.is_cancelled() => {}
            Err(e) => failed.push(("(a task)".to_owned(), format!("stopped unexpectedly: {e}"))),
        }
    }
    context.progress.finish();
    for (display, output) in &skipped_done {
        outcomes.push(Outcome {
            output: Some(output.clone()),
            ..Outcome::new(display, "done_earlier")
        });
    }
    for (display, error) in &skipped_failed {
        outcomes.push(Outcome {
            error_code: error.code.clone(),
            request_id: error.request_id.clone(),
            message: Some(error.summary()),
            ..Outcome::new(display, "skipped_failed_earlier")
        });
    }
    let mut summary_lost = false;
    if let Some(path) = &args.summary {
        outcomes.sort_by(|a, b| a.input.cmp(&b.input));
        let mut text = String::new();
        for outcome in &outcomes {
            if let Ok(line) = serde_json::to_string(outcome) {
                text.push_str(&line);
                text.push('\n');
            }
        }
        let total = serde_json::json!({
            "total": {
                "done": done,
                "done_earlier": skipped_done.len(),
                "failed": failed.len() + usize::from(auth_error.is_some()),
                "cached": totals.cached,
                "usage": totals.all(),
                "by_provider": &totals.by_provider,
            }
        });
        text.push_str(&total.to_string());
        text.push('\n');
        if let Err(e) = write_atomic(path.clone(), text.into_bytes()).await {
            eprintln!(
                "cloud-ocr: cannot write the summary {}: {e}",
                path.display()
            );
            summary_lost = true;
        }
    }
    if let Some(e) = auth_error {
        eprintln!(
            "cloud-ocr: stopped: the service refused the credentials; nothing more was sent. {}",
            one_line(&e)
        );
        return Exit::Auth;
    }

    let incomplete_earlier_count = incomplete_earlier.len();
    incomplete.extend(incomplete_earlier);
    let incomplete_note = match (incomplete.len(), incomplete_earlier_count) {
        (0, _) => String::new(),
        (n, 0) => format!("; {n} of the done are incomplete (pages missing)"),
        (n, earlier) => format!(
            "; {n} of the done are incomplete (pages missing; {earlier} of them done earlier)"
        ),
    };
    let unsupported_note = match unsupported {
        0 => String::new(),
        n => format!("; {n} file(s) of a type {shown} does not read were left out"),
    };
    let all_well = failed.is_empty() && skipped_failed.is_empty() && incomplete.is_empty();
    if !quiet || !all_well {
        eprintln!(
            "cloud-ocr: summary: {done} done, {} failed, {} skipped ({} done earlier, \
             {} failed earlier){incomplete_note}{unsupported_note}; results in {}",
            failed.len(),
            skipped_done.len() + skipped_failed.len(),
            skipped_done.len(),
            skipped_failed.len(),
            args.out.display()
        );
    }
    let left_out = context.files_left_out.load(Ordering::Relaxed);
    if let Some(warning) = files_left_out_warning(left_out, args.format) {
        eprintln!("{warning}");
    }
    if args.max_in_flight.is_some() && done > 0 && context.waited.load(Ordering::Relaxed) == 0 {
        eprintln!(
            "cloud-ocr: warning: --max-in-flight had no effect: every result of this run came \
             with its submission or from the cache ({shown} answered at once), so only -j \
             bounded it"
        );
    }
    if !quiet && done > 0 {
        let all = totals.all();
        let simulated = if context.simulated {
            " (simulated: nothing was billed)"
        } else {
            ""
        };
        let earlier = match billed_earlier.is_empty() {
            true => String::new(),
            false => format!(
                " (of which {} by the submissions of an earlier run, resumed here)",
                describe(&billed_earlier)
            ),
        };
        eprintln!(
            "cloud-ocr: billed: {}{earlier}; {} answered from the cache{simulated}",
            describe(&all),
            totals.cached
        );
        if totals.by_provider.len() > 1 || !session.prices.is_empty() {
            for line in totals.lines(&session.prices) {
                eprintln!("{line}");
            }
        }
    }
    failed.sort();
    for (display, reason) in &failed {
        eprintln!("cloud-ocr:   failed {display}: {reason}");
    }
    for (display, error) in &skipped_failed {
        eprintln!(
            "cloud-ocr:   skipped {display}: failed earlier: {} (--retry-failed tries again)",
            error.summary()
        );
    }
    incomplete.sort();
    for warning in &incomplete {
        eprintln!("{warning}");
    }
    if failed.is_empty()
        && skipped_failed.is_empty()
        && incomplete.is_empty()
        && real_jobs_on_emulator.is_empty()
        && !summary_lost
    {
        Exit::Ok
    } else {
        Exit::Failed
    }
}

fn journal_error(context: &Context, e: std::io::Error) -> Error {
    Error::config(format!(
        "cannot write the journal {}: {e}",
        context.journal.path().display()
    ))
}

/// Recognises one input: submit (journalled at once) or resume the saved job, wait, write the
/// result file, journal it. A failure is journalled and reported; an incomplete document is
/// written and its warning returned.
///
/// `turn`: a new input's permit to submit, given back once it is submitted. `None` returned:
/// not started, because the service refused the credentials before its turn.
async fn process(
    context: &Context,
    item: Work,
    turn: Option<OwnedSemaphorePermit>,
) -> Option<Result<Finished, Error>> {
    let key = item.input.key.clone();
    if context.auth_refused.load(Ordering::Relaxed) {
        return None;
    }
    let result = recognise(context, &item, turn).await;
    match &result {
        Ok(finished) => {
            let cached = if finished.cached {
                " (from the cache)"
            } else {
                ""
            };
            context.progress.done(&format!(
                "{} -> {}{cached}",
                item.input.display, item.output
            ))
        }
        Err(e) => {
            // After the service refused the credentials, one line says so for all.
            let repeat =
                e.kind() == ErrorKind::Auth && context.auth_refused.swap(true, Ordering::Relaxed);
            if !repeat {
                context
                    .progress
                    .failed(&format!("{}: {}", item.input.display, one_line(e)));
            }
            // Refused credentials are not the input's failure: not journalled, so the next
            // run (with working credentials) submits it rather than skipping it.
            if e.kind() == ErrorKind::Auth {
                return Some(result);
            }
            let record = Record {
                input: key,
                event: Event::Failed {
                    error: ErrorRecord::of(e),
                },
            };
            if let Err(io) = context.journal.append(record).await {
                context
                    .progress
                    .line(&format!("cloud-ocr: {}", journal_error(context, io)));
            }
        }
    }
    Some(result)
}

/// `turn`: the submit permit of a new input, given back once it is submitted.
async fn recognise(
    context: &Context,
    item: &Work,
    turn: Option<OwnedSemaphorePermit>,
) -> Result<Finished, Error> {
    let provider = &context.provider;
    let mut cached = false;
    let document = match &item.resume {
        Some(job) => {
            tracing::debug!(input = %item.input.display, task = %job.task_id, "resuming a saved job");
            wait(provider.as_ref(), job).await?
        }
        None => {
            let request = item.input.request()?.with_options(context.options.clone());
            let submitted = tokio::time::Instant::now();
            let job = provider.submit(&request).await;
            drop(turn);
            let job = job?;
            cached = job.meta(META_CACHED).is_some();
            context
                .journal
                .append(Record {
                    input: item.input.key.clone(),
                    event: Event::Submitted {
                        job: job.clone(),
                        simulated: context.simulated,
                    },
                })
                .await
                .map_err(|e| journal_error(context, e))?;
            match job.result {
                Some(document) => *document,
                None => {
                    context.waited.fetch_add(1, Ordering::Relaxed);
                    let timer = context.timer(&job);
                    wait_timed(provider.as_ref(), &job, &timer, submitted).await?
                }
            }
        }
    };
    let document = if context.options.strict {
        document.require_complete()?
    } else {
        document
    };
    let warning = incomplete_warning(&item.input.display, &document)
        .or_else(|| file_only_warning(&item.input.display, &document, context.format));
    if files_left_out(&document, context.format) > 0 {
        context.files_left_out.fetch_add(1, Ordering::Relaxed);
    }
    let pages = document.pages.len();
    let producer = if document.provider.is_empty() {
        provider.id().to_owned()
    } else {
        document.provider.clone()
    };
    for line in skipped_warnings(&item.input.display, &document) {
        context.progress.line(&line);
    }
    let mut usage = document.usage.clone();
    if context.simulated {
        usage = Usage {
            simulated: true,
            ..Usage::default()
        };
    }
    let text = ScanOutput::new(
        producer.clone(),
        item.input.display.clone(),
        context.simulated,
        document,
    )
    .with_cached(cached)
    .render_with(context.format, context.compact)?;
    let path = context.out_dir.join(&item.output);
    write_atomic(path.clone(), text.into_bytes())
        .await
        .map_err(|e| Error::config(format!("cannot write {}: {e}", path.display())))?;
    context
        .journal
        .append(Record {
            input: item.input.key.clone(),
            event: Event::Done {
                output: item.output.clone(),
                incomplete: warning.clone(),
            },
        })
        .await
        .map_err(|e| journal_error(context, e))?;
    Ok(Finished {
        warning,
        pages,
        provider: producer,
        cached,
        usage,
        resumed: item.resume.is_some(),
    })
}

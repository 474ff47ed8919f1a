//! `cloud-ocr batch --coordinator redis://…`: one run shared by every worker started with the
//! same coordinator and input list, on any number of machines. The inputs and their jobs live
//! in Redis (`ocr_redis::RedisJobStore`); rate limits are shared through the same Redis.
//!
//! Per input: claim (a lease, renewed while this worker holds it) → `submitting`, recorded
//! after the rate limiter admits the first request of the submission and before it is sent
//! (the [`Gate`]) → `submitted` with the job → poll → result file → `done`, or `failed`. A
//! worker that finds a lapsed lease polls the job (`submitted`), submits (`claimed`: nothing
//! was sent), or marks the input failed with an unknown outcome (`submitting`: never sent
//! twice). When Redis cannot be reached the worker stops submitting and says so; what it could
//! not record (a job it got, a request it did not send) goes to a spill file in the output
//! folder that the next worker started there records.

use std::collections::{HashSet, VecDeque};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cloud_ocr::core::async_trait;
use cloud_ocr::core::provider::wait;
use cloud_ocr::core::rate_limit::{LimitKey, RateLimitBackend};
use cloud_ocr::core::Options;
use cloud_ocr::{Env, Error, ErrorKind, Job, OcrProvider, OutputFormat, ScanOutput};
use ocr_redis::{Claim, Failure, RedisJobStore, RedisRateLimiter, RunStatus};
use serde::{Deserialize, Serialize};
use tokio::sync::{Notify, Semaphore};
use tokio::task::JoinSet;

use super::args::BatchArgs;
use super::exit::{fail, one_line, Exit};
use super::fsutil::write_atomic;
use super::inputs::{collect, output_names, Input};
use super::progress::Progress;
use super::scan::{
    file_only_warning, files_left_out, files_left_out_warning, incomplete_warning, skipped_warnings,
};
use super::session::Session;

/// `--lease-secs` when not given.
const DEFAULT_LEASE_SECS: f64 = 30.0;

/// The spill file in the output folder: what a worker could not record in Redis.
pub const SPILL_FILE: &str = ".cloud-ocr-coordinator-spill.jsonl";

tokio::task_local! {
    /// The input whose submission runs in this task, if any.
    static SUBMITTING: Arc<Marker>;
}

/// What the [`Gate`] needs to record `submitting` for the submission running in its task.
struct Marker {
    store: RedisJobStore,
    input: String,
    worker: String,
    lease: Duration,
    marked: AtomicBool,
    store_failed: AtomicBool,
}

/// The shared limiter, plus one step: inside a submission, once the limiter admits its first
/// request (and before it is sent), the input is recorded as `submitting`. So an input waits
/// for its turn still `claimed` (a worker stopped then leaves nothing unknown), and nothing
/// is sent unless `submitting` is recorded.
#[derive(Debug)]
struct Gate {
    limiter: RedisRateLimiter,
}

#[async_trait]
impl RateLimitBackend for Gate {
    async fn acquire(&self, key: &LimitKey, per_second: f64) -> cloud_ocr::Result<()> {
        let marker = SUBMITTING.try_with(Arc::clone).ok();
        if let Err(e) = self.limiter.acquire(key, per_second).await {
            if let Some(m) = &marker {
                m.store_failed.store(true, Ordering::SeqCst);
            }
            return Err(e.with_retryable(false));
        }
        let Some(m) = marker else { return Ok(()) };
        if m.marked.load(Ordering::SeqCst) {
            return Ok(());
        }
        match m.store.submitting(&m.input, &m.worker, m.lease).await {
            Ok(true) => {
                m.marked.store(true, Ordering::SeqCst);
                Ok(())
            }
            Ok(false) => Err(Error::new(
                ErrorKind::Service,
                format!("{} was taken over by another worker; not sent", m.input),
            )
            .with_retryable(false)),
            Err(e) => {
                m.store_failed.store(true, Ordering::SeqCst);
                Err(e.with_retryable(false))
            }
        }
    }
}

/// One line of the spill file.
#[derive(Debug, Serialize, Deserialize)]
struct Spill {
    run: String,
    input: String,
    worker: String,
    #[serde(flatten)]
    event: SpillEvent,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "lowercase")]
enum SpillEvent {
    /// Submitted as this job, not recorded.
    Submitted { job: Box<Job> },
    /// Recorded as `submitting` but not sent.
    Unsent,
}

/// What every task shares.
struct Context {
    provider: Arc<dyn OcrProvider>,
    store: RedisJobStore,
    worker: String,
    lease: Duration,
    /// Whether every submission's first request passes the [`Gate`] (else `submitting` is
    /// recorded before calling the provider).
    gated: bool,
    out_dir: PathBuf,
    format: OutputFormat,
    compact: bool,
    options: Options,
    progress: Progress,
    /// Set when Redis failed: nothing more is claimed or submitted.
    stopped: AtomicBool,
    stop: Notify,
    store_error: Mutex<Option<String>>,
    spill_lock: Mutex<()>,
    done: AtomicUsize,
    /// Results that came with files the result format leaves out.
    files_left_out: AtomicUsize,
    failed: Mutex<Vec<(String, String)>>,
    incomplete: Mutex<Vec<String>>,
}

impl Context {
    fn halt(&self, e: &Error) {
        if let Ok(mut slot) = self.store_error.lock() {
            slot.get_or_insert_with(|| one_line(e));
        }
        self.stopped.store(true, Ordering::SeqCst);
        self.stop.notify_waiters();
    }

    fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::SeqCst)
    }

    async fn stopped(&self) {
        loop {
            let notified = self.stop.notified();
            if self.is_stopped() {
                return;
            }
            notified.await;
        }
    }

    fn spill(&self, input: &str, event: SpillEvent) {
        let record = Spill {
            run: self.store.run().to_owned(),
            input: input.to_owned(),
            worker: self.worker.clone(),
            event,
        };
        let _guard = self.spill_lock.lock();
        let written = serde_json::to_vec(&record)
            .map_err(std::io::Error::other)
            .and_then(|mut line| {
                line.push(b'\n');
                let mut file = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(self.out_dir.join(SPILL_FILE))?;
                file.write_all(&line)?;
                file.sync_data()
            });
        if let Err(e) = written {
            self.progress.line(&format!(
                "cloud-ocr: cannot write {} in {}: {e}; {input}: {record:?}",
                SPILL_FILE,
                self.out_dir.display()
            ));
        }
    }

    fn fail(&self, display: &str, message: String) {
        self.progress.failed(&format!("{display}: {message}"));
        if let Ok(mut failed) = self.failed.lock() {
            failed.push((display.to_owned(), message));
        }
    }
}

/// Runs `batch` as one worker of the run on the coordinator at `url`.
pub async fn run(args: BatchArgs, env: &Env, quiet: bool, url: &str) -> Exit {
    let lease_secs = args.lease_secs.unwrap_or(DEFAULT_LEASE_SECS);
    if !(lease_secs.is_finite() && lease_secs >= 1.0) {
        eprintln!("cloud-ocr: --lease-secs must be a number of seconds, 1 or more");
        return Exit::Usage;
    }
    if args.cost.dry_run {
        eprintln!("cloud-ocr: --dry-run does not take a coordinator: run it without one");
        return Exit::Usage;
    }
    // Options a coordinated worker does not apply are refused, never dropped.
    if args.summary.is_some() {
        eprintln!(
            "cloud-ocr: --summary is not written by a coordinated worker: `batch --coordinator \
             URL --status` prints the whole fleet's summary"
        );
        return Exit::Usage;
    }
    if args.max_in_flight.is_some() {
        eprintln!(
            "cloud-ocr: --max-in-flight does not apply with a coordinator: there -j bounds \
             the inputs each worker holds, from claim to result"
        );
        return Exit::Usage;
    }
    let limiter = match RedisRateLimiter::connect(url).await {
        Ok(l) => l,
        Err(e) => return fail(&e),
    };
    let gate: Arc<dyn RateLimitBackend> = Arc::new(Gate { limiter });
    let session =
        match Session::open_shared(&args.provider, &args.cost, env, Some(gate), quiet).await {
            Ok(s) => s,
            Err(e) => return fail(&e),
        };
    if let Err(exit) = session.refuse_ignored(&args.provider, &args.recognition, args.format) {
        session.close().await;
        return exit;
    }
    let exit = tokio::select! {
        exit = coordinate(&session, &args, quiet, url) => exit,
        _ = tokio::signal::ctrl_c() => {
            eprintln!(
                "\ncloud-ocr: interrupted. The coordinator keeps every submitted job: run the \
                 same command again (here or on another machine) to go on; this worker's inputs \
                 are taken over when their leases end."
            );
            Exit::Interrupted
        }
    };
    session.print_cache_warnings();
    session.close().await;
    exit
}

/// The run id: a hash of the input list, the provider's scope and the result format.
fn run_id(inputs: &[Input], scope: &str, ext: &str) -> String {
    let mut text = format!("{scope}\n{ext}\n");
    for input in inputs {
        text.push_str(&input.key);
        text.push('\n');
    }
    let mut id = ocr_redis::input_id(&text);
    id.truncate(16);
    id
}

/// What every worker of a run must apply the same way: what the results depend on, the
/// shape of the result files, and (since workers record each input's outcome for the whole
/// run) whether an incomplete result counts as failed.
fn settings(args: &BatchArgs, session: &Session) -> String {
    serde_json::json!({
        "results": session.result_settings(&args.recognition),
        "format": args.format.to_string(),
        "compact": args.compact,
        "strict": args.recognition.strict || session.options.strict,
    })
    .to_string()
}

fn worker_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("w{}-{:x}", std::process::id(), nanos & 0xff_ffff)
}

async fn coordinate(session: &Session, args: &BatchArgs, quiet: bool, url: &str) -> Exit {
    let provider = Arc::clone(&session.provider);
    let formats = provider.capabilities().input.formats;
    let (inputs, _) = match collect(&args.input, args.recursive, &formats, &args.out) {
        Ok(found) => found,
        Err(e) => return fail(&e),
    };
    if inputs.is_empty() {
        eprintln!(
            "cloud-ocr: nothing to recognise in {}",
            args.input.display()
        );
        return Exit::Usage;
    }
    let ext = args.format.extension();
    let run = args
        .run_id
        .clone()
        .unwrap_or_else(|| run_id(&inputs, &session.scope, ext));
    let store = match RedisJobStore::connect(url, &run).await {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    if args.status {
        return match store.status().await {
            Ok(status) => {
                print_status(&store, &status, inputs.len() as u64);
                Exit::Ok
            }
            Err(e) => fail(&e),
        };
    }
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        eprintln!(
            "cloud-ocr: cannot create the output folder {}: {e}",
            args.out.display()
        );
        return Exit::Usage;
    }
    if let Err(e) = store.register(inputs.len()).await {
        return fail(&e);
    }
    if let Err(e) = store.agree_settings(&settings(args, session)).await {
        return fail(&e);
    }
    if let Err(e) = recover_spill(&store, &args.out).await {
        return fail(&e);
    }
    let retry_before = if args.retry_failed {
        match store.server_time_ms().await {
            Ok(now) => now,
            Err(e) => return fail(&e),
        }
    } else {
        0
    };
    let names = output_names(&inputs, ext, &|_| None, &HashSet::new());
    let worker = worker_id();
    let lease = Duration::from_secs_f64(args.lease_secs.unwrap_or(DEFAULT_LEASE_SECS));
    let gated = !session.ids.is_empty()
        && session
            .ids
            .iter()
            .all(|id| matches!(*id, "lkeap" | "tc-ocr"));
    if !quiet {
        eprintln!(
            "cloud-ocr: worker {worker} of run {run} on {} ({} inputs, {})",
            store.url(),
            inputs.len(),
            provider.id()
        );
    }
    let context = Arc::new(Context {
        provider,
        store: store.clone(),
        worker: worker.clone(),
        lease,
        gated,
        out_dir: args.out.clone(),
        format: args.format,
        compact: args.compact,
        options: args.recognition.apply(session.options.clone()),
        progress: Progress::new(inputs.len() as u64, quiet),
        stopped: AtomicBool::new(false),
        stop: Notify::new(),
        store_error: Mutex::new(None),
        spill_lock: Mutex::new(()),
        done: AtomicUsize::new(0),
        files_left_out: AtomicUsize::new(0),
        failed: Mutex::new(Vec::new()),
        incomplete: Mutex::new(Vec::new()),
    });
    let permits = Arc::new(Semaphore::new(usize::from(args.concurrency)));
    let mut tasks = JoinSet::new();
    let mut pending: VecDeque<(Input, String)> = inputs.into_iter().zip(names).collect();
    while !pending.is_empty() && !context.is_stopped() {
        let mut later = VecDeque::new();
        let mut soonest = lease;
        while let Some((input, output)) = pending.pop_front() {
            if context.is_stopped() {
                later.push_back((input, output));
                continue;
            }
            let Ok(permit) = Arc::clone(&permits).acquire_owned().await else {
                break;
            };
            while tasks.try_join_next().is_some() {}
            match store.claim(&input.key, &worker, lease, retry_before).await {
                Err(e) => {
                    context.halt(&e);
                    later.push_back((input, output));
                }
                Ok(Claim::Busy(left)) => {
                    soonest = soonest.min(left);
                    later.push_back((input, output));
                }
                Ok(Claim::Done(_) | Claim::Failed(_)) => {}
                Ok(Claim::Submit) => {
                    let context = Arc::clone(&context);
                    tasks.spawn(async move {
                        let _permit = permit;
                        process(&context, &input, &output, None).await;
                    });
                }
                Ok(Claim::Resume(job)) => {
                    let context = Arc::clone(&context);
                    tasks.spawn(async move {
                        let _permit = permit;
                        process(&context, &input, &output, Some(job)).await;
                    });
                }
            }
        }
        pending = later;
        if !pending.is_empty() && !context.is_stopped() {
            // Held by others: ask again when the soonest lease could have lapsed.
            let wait = soonest.clamp(Duration::from_millis(200), Duration::from_secs(2));
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = context.stopped() => {}
            }
        }
    }
    while tasks.join_next().await.is_some() {}
    context.progress.finish();
    summarize(&context, &store, &worker, quiet).await
}

/// This worker's outcome and the whole run's status; with `quiet`, only when something went
/// wrong (as a lone `batch -q`).
async fn summarize(context: &Context, store: &RedisJobStore, worker: &str, quiet: bool) -> Exit {
    let failed = context.failed.lock().map(|f| f.clone()).unwrap_or_default();
    let incomplete = context
        .incomplete
        .lock()
        .map(|f| f.clone())
        .unwrap_or_default();
    let store_error = context.store_error.lock().ok().and_then(|e| e.clone());
    // With Redis down, the status is not asked for (it would only wait for a timeout).
    let status = match &store_error {
        Some(_) => Err(Error::new(
            ErrorKind::Service,
            "the coordinator is unreachable",
        )),
        None => store.status().await,
    };
    let all_well = failed.is_empty()
        && incomplete.is_empty()
        && store_error.is_none()
        && matches!(&status, Ok(s) if s.count("failed") == 0);
    if !quiet || !all_well {
        eprintln!(
            "cloud-ocr: this worker ({worker}): {} done, {} failed",
            context.done.load(Ordering::SeqCst),
            failed.len()
        );
    }
    for (display, reason) in &failed {
        eprintln!("cloud-ocr:   failed {display}: {reason}");
    }
    for warning in &incomplete {
        eprintln!("{warning}");
    }
    let left_out = context.files_left_out.load(Ordering::Relaxed);
    if let Some(warning) = files_left_out_warning(left_out, context.format) {
        eprintln!("{warning}");
    }
    if let Some(error) = store_error {
        eprintln!(
            "cloud-ocr: stopped: {error}. Nothing more was submitted. Run the same command again \
             when the coordinator is back: submitted jobs are polled, not submitted again."
        );
        return Exit::Service;
    }
    match status {
        Ok(status) => {
            if !quiet || !all_well {
                print_status(store, &status, status.total);
            }
            if status.count("failed") > 0 || !failed.is_empty() || !incomplete.is_empty() {
                Exit::Failed
            } else {
                Exit::Ok
            }
        }
        Err(e) => fail(&e),
    }
}

fn print_status(store: &RedisJobStore, status: &RunStatus, total: u64) {
    let total = status.total.max(total);
    let in_progress =
        status.count("claimed") + status.count("submitting") + status.count("submitted");
    let workers: HashSet<&str> = status
        .inputs
        .iter()
        .filter(|i| i.leased)
        .map(|i| i.worker.as_str())
        .collect();
    eprintln!(
        "cloud-ocr: run {} on {}: {total} inputs: {} done, {} failed, {in_progress} in progress, \
         {} not started; {} worker(s) active",
        store.run(),
        store.url(),
        status.count("done"),
        status.count("failed"),
        total.saturating_sub(status.inputs.len() as u64),
        workers.len()
    );
    for input in status.inputs.iter().filter(|i| i.state == "failed") {
        if let Some(f) = &input.failure {
            let code = f
                .code
                .as_deref()
                .map(|c| format!("{c}: "))
                .unwrap_or_default();
            eprintln!("cloud-ocr:   failed {}: {code}{}", input.input, f.message);
        }
    }
}

/// Records what earlier workers in this output folder could not (Redis was unreachable).
async fn recover_spill(store: &RedisJobStore, out: &Path) -> Result<(), Error> {
    let Ok(text) = std::fs::read_to_string(out.join(SPILL_FILE)) else {
        return Ok(());
    };
    for line in text.lines() {
        let Ok(spill) = serde_json::from_str::<Spill>(line) else {
            continue;
        };
        if spill.run != store.run() {
            continue;
        }
        let recorded = match &spill.event {
            SpillEvent::Submitted { job } => {
                store
                    .recover_submitted(&spill.input, &spill.worker, job)
                    .await?
            }
            SpillEvent::Unsent => store.recover_unsent(&spill.input, &spill.worker).await?,
        };
        if recorded {
            eprintln!(
                "cloud-ocr: recorded what worker {} could not ({}): {}",
                spill.worker,
                match spill.event {
                    SpillEvent::Submitted { .. } => "a submitted job",
                    SpillEvent::Unsent => "a request it did not send",
                },
                spill.input
            );
        }
    }
    Ok(())
}

/// Aborts the lease renewal when the input's work ends.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// One input this worker holds: submit (or resume), poll, write, record.
async fn process(context: &Arc<Context>, input: &Input, output: &str, resume: Option<Job>) {
    let lost = Arc::new(AtomicBool::new(false));
    let _renewal = AbortOnDrop(tokio::spawn({
        let context = Arc::clone(context);
        let lost = Arc::clone(&lost);
        let key = input.key.clone();
        async move {
            loop {
                tokio::time::sleep(context.lease / 3).await;
                match context
                    .store
                    .renew(&key, &context.worker, context.lease)
                    .await
                {
                    Ok(true) => {}
                    Ok(false) => {
                        lost.store(true, Ordering::SeqCst);
                        return;
                    }
                    Err(e) => {
                        context.halt(&e);
                        return;
                    }
                }
            }
        }
    }));
    let key = &input.key;
    let job = match resume {
        Some(job) => job,
        None => match submit(context, input).await {
            Some(job) => job,
            None => return,
        },
    };
    let document = match job.result.clone() {
        Some(document) => Ok(*document),
        None => {
            tokio::select! {
                result = wait(context.provider.as_ref(), &job) => result,
                _ = context.stopped() => return,
            }
        }
    };
    let document = document.and_then(|d| {
        if context.options.strict {
            d.require_complete()
        } else {
            Ok(d)
        }
    });
    let document = match document {
        Ok(d) => d,
        Err(e) => {
            if !context.is_stopped() {
                record_failure(context, input, &e).await;
            }
            return;
        }
    };
    // Still ours? (A worker stalled past its lease must not write over the new holder.)
    match context
        .store
        .renew(key, &context.worker, context.lease)
        .await
    {
        Ok(true) => {}
        Ok(false) => return,
        Err(e) => return context.halt(&e),
    }
    if lost.load(Ordering::SeqCst) {
        return;
    }
    let warning = incomplete_warning(&input.display, &document)
        .or_else(|| file_only_warning(&input.display, &document, context.format));
    if files_left_out(&document, context.format) > 0 {
        context.files_left_out.fetch_add(1, Ordering::Relaxed);
    }
    for line in skipped_warnings(&input.display, &document) {
        context.progress.line(&line);
    }
    let producer = if document.provider.is_empty() {
        context.provider.id().to_owned()
    } else {
        document.provider.clone()
    };
    let text = match ScanOutput::new(producer, input.display.clone(), false, document)
        .render_with(context.format, context.compact)
    {
        Ok(t) => t,
        Err(e) => return record_failure(context, input, &e).await,
    };
    let path = context.out_dir.join(output);
    if let Err(e) = write_atomic(path.clone(), text.into_bytes()).await {
        let e = Error::config(format!("cannot write {}: {e}", path.display()));
        return record_failure(context, input, &e).await;
    }
    match context.store.done(key, &context.worker, output).await {
        Ok(true) => {
            context.done.fetch_add(1, Ordering::SeqCst);
            context
                .progress
                .done(&format!("{} -> {output}", input.display));
            if let Some(w) = warning {
                if let Ok(mut list) = context.incomplete.lock() {
                    list.push(w);
                }
            }
        }
        Ok(false) => {}
        Err(e) => context.halt(&e),
    }
}

/// Submits `input`, recording `submitting` before anything is sent and the job after; `None`
/// when there is nothing more to do for it here.
async fn submit(context: &Arc<Context>, input: &Input) -> Option<Job> {
    let store = &context.store;
    let key = &input.key;
    let request = match input.request() {
        Ok(r) => r.with_options(context.options.clone()),
        Err(e) => {
            record_failure(context, input, &e).await;
            return None;
        }
    };
    let marker = Arc::new(Marker {
        store: store.clone(),
        input: key.clone(),
        worker: context.worker.clone(),
        lease: context.lease,
        marked: AtomicBool::new(false),
        store_failed: AtomicBool::new(false),
    });
    if !context.gated {
        match store.submitting(key, &context.worker, context.lease).await {
            Ok(true) => marker.marked.store(true, Ordering::SeqCst),
            Ok(false) => return None,
            Err(e) => {
                context.halt(&e);
                return None;
            }
        }
    }
    let submitted = SUBMITTING
        .scope(Arc::clone(&marker), context.provider.submit(&request))
        .await;
    let marked = marker.marked.load(Ordering::SeqCst);
    match submitted {
        Ok(job) => match store.submitted(key, &context.worker, &job).await {
            Ok(true) => Some(job),
            Ok(false) => {
                context.progress.line(&format!(
                    "cloud-ocr: warning: {}: submitted as task {} of {}, but another worker \
                     took the input over meanwhile; that task is left to it",
                    input.display, job.task_id, job.provider
                ));
                None
            }
            Err(e) => {
                context.spill(key, SpillEvent::Submitted { job: Box::new(job) });
                context.halt(&e);
                None
            }
        },
        Err(e) if marker.store_failed.load(Ordering::SeqCst) || context.is_stopped() => {
            // Redis failed: the request was not sent unless `submitting` was recorded and the
            // error says it may have been. When recording `submitting` itself failed, Redis may
            // still have applied it (the connection lost before the answer): the spill says
            // "not sent" either way, and replaying it changes nothing if it was not applied.
            if !e.maybe_sent() {
                let released = marked && store.release(key, &context.worker).await.is_ok();
                if !released {
                    context.spill(key, SpillEvent::Unsent);
                }
            }
            context.halt(&e);
            None
        }
        Err(e)
            if !marked
                && !e.maybe_sent()
                && e.kind() == ErrorKind::Service
                && e.message().contains("taken over") =>
        {
            None
        }
        Err(e) => {
            record_failure(context, input, &e).await;
            None
        }
    }
}

async fn record_failure(context: &Arc<Context>, input: &Input, e: &Error) {
    context.fail(&input.display, one_line(e));
    if let Err(store_error) = context
        .store
        .failed(&input.key, &context.worker, &Failure::of(e))
        .await
    {
        context.halt(&store_error);
    }
}

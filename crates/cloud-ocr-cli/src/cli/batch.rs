//! `cloud-ocr batch`: many documents with bounded concurrency, one result file each as it
//! finishes, and a journal that makes an interrupted run resumable without resubmitting.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

use cloud_ocr::core::provider::wait;
use cloud_ocr::core::Options;
use cloud_ocr::{Env, Error, Job, OcrProvider, OutputFormat, ScanOutput};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::args::BatchArgs;
use super::exit::{fail, one_line, Exit};
use super::fsutil::{remove_stale_temps, write_atomic};
use super::inputs::{collect, output_names, Input};
use super::journal::{ErrorRecord, Event, Journal, Last, Record, State};
use super::progress::Progress;
use super::scan::incomplete_warning;
use super::session::Session;

/// Runs `batch`.
pub async fn run(args: BatchArgs, env: &Env) -> Exit {
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        eprintln!(
            "cloud-ocr: cannot create the output folder {}: {e}",
            args.out.display()
        );
        return Exit::Usage;
    }
    let session = match Session::open(&args.provider, env).await {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    let exit = tokio::select! {
        exit = batch(&session, &args) => exit,
        _ = tokio::signal::ctrl_c() => {
            eprintln!(
                "\ncloud-ocr: interrupted. The journal in {} keeps every submitted job: run the \
                 same command again to resume (submitted jobs are polled, not submitted again).",
                args.out.display()
            );
            Exit::Interrupted
        }
    };
    session.close().await;
    exit
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
    progress: Progress,
}

async fn batch(session: &Session, args: &BatchArgs) -> Exit {
    let provider = Arc::clone(&session.provider);
    let formats = provider.capabilities().input.formats;
    let inputs = match collect(&args.input, args.recursive, &formats, &args.out) {
        Ok(inputs) => inputs,
        Err(e) => return fail(&e),
    };
    if inputs.is_empty() {
        let names: Vec<&str> = formats.iter().map(|f| f.extension()).collect();
        eprintln!(
            "cloud-ocr: nothing to recognise in {}: no file with an extension {} accepts ({})",
            args.input.display(),
            provider.id(),
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

    let mut skipped_done = 0usize;
    let mut skipped_failed: Vec<(String, ErrorRecord)> = Vec::new();
    let mut resubmitted_simulated = 0usize;
    let mut real_jobs_on_emulator: Vec<(String, String)> = Vec::new();
    let mut work = Vec::new();
    for (input, output) in inputs.into_iter().zip(names) {
        let state = replay.states.get(&input.key);
        let resume = match state {
            Some(State {
                last: Last::Done(name),
                ..
            }) if args.out.join(name).is_file() => {
                skipped_done += 1;
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
    let resuming = work.iter().filter(|w| w.resume.is_some()).count();
    eprintln!(
        "cloud-ocr: {} with {}: {} to submit, {} to resume, {} done earlier, {} failed earlier{}",
        args.input.display(),
        provider.id(),
        work.len() - resuming,
        resuming,
        skipped_done,
        skipped_failed.len(),
        if skipped_failed.is_empty() {
            ""
        } else {
            " (skipped; --retry-failed tries them again)"
        }
    );

    let context = Arc::new(Context {
        provider,
        journal,
        out_dir: args.out.clone(),
        format: args.format,
        simulated: session.simulated,
        options: args.recognition.apply(session.options.clone()),
        progress: Progress::new(work.len() as u64),
    });
    let permits = Arc::new(Semaphore::new(usize::from(args.concurrency)));
    // Inputs start in order: a permit is taken before each task is spawned.
    let mut tasks = JoinSet::new();
    for item in work {
        let Ok(permit) = Arc::clone(&permits).acquire_owned().await else {
            break;
        };
        let context = Arc::clone(&context);
        tasks.spawn(async move {
            let _permit = permit;
            let display = item.input.display.clone();
            let result = process(&context, item).await;
            (display, result)
        });
    }
    let mut done = 0usize;
    let mut failed: Vec<(String, String)> = Vec::new();
    let mut incomplete: Vec<String> = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((_, Ok(None))) => done += 1,
            Ok((_, Ok(Some(warning)))) => {
                done += 1;
                incomplete.push(warning);
            }
            Ok((display, Err(e))) => failed.push((display, one_line(&e))),
            Err(e) => failed.push(("(a task)".to_owned(), format!("stopped unexpectedly: {e}"))),
        }
    }
    context.progress.finish();

    let incomplete_note = match incomplete.len() {
        0 => String::new(),
        n => format!("; {n} of the done are incomplete (pages missing)"),
    };
    eprintln!(
        "cloud-ocr: summary: {done} done, {} failed, {} skipped ({skipped_done} done earlier, {} \
         failed earlier){incomplete_note}; results in {}",
        failed.len(),
        skipped_done + skipped_failed.len(),
        skipped_failed.len(),
        args.out.display()
    );
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
async fn process(context: &Context, item: Work) -> Result<Option<String>, Error> {
    let key = item.input.key.clone();
    let result = recognise(context, &item).await;
    match &result {
        Ok(_) => context
            .progress
            .done(&format!("{} -> {}", item.input.display, item.output)),
        Err(e) => {
            context
                .progress
                .failed(&format!("{}: {}", item.input.display, one_line(e)));
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
    result
}

async fn recognise(context: &Context, item: &Work) -> Result<Option<String>, Error> {
    let provider = &context.provider;
    let document = match &item.resume {
        Some(job) => {
            tracing::debug!(input = %item.input.display, task = %job.task_id, "resuming a saved job");
            wait(provider.as_ref(), job).await?
        }
        None => {
            let request = item.input.request()?.with_options(context.options.clone());
            let job = provider.submit(&request).await?;
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
                None => wait(provider.as_ref(), &job).await?,
            }
        }
    };
    let document = if context.options.strict {
        document.require_complete()?
    } else {
        document
    };
    let warning = incomplete_warning(&item.input.display, &document);
    let text = ScanOutput::new(
        provider.id(),
        item.input.display.clone(),
        context.simulated,
        document,
    )
    .render(context.format)?;
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
            },
        })
        .await
        .map_err(|e| journal_error(context, e))?;
    Ok(warning)
}

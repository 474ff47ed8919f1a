//! `cloud-ocr scan`: one document in, its text, JSON or Markdown out.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use cloud_ocr::cache::META_CACHED;
use cloud_ocr::core::provider::wait;
use cloud_ocr::core::rate_limit::RateLimitBackend;
use cloud_ocr::{Env, Error, OutputFormat, Request, ScanOutput};
use ocr_redis::RedisRateLimiter;
use serde_json::json;

use super::args::{check_compact, ScanArgs};
use super::cost::{describe, priced};
use super::exit::{fail, Exit};
use super::fsutil::write_atomic;
use super::session::{coordinator_url, Session};

/// Whether the input names a URL rather than a local file.
pub fn is_url(input: &str) -> bool {
    let lower = input.get(..8).unwrap_or(input).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// The request for `input`: a URL the provider downloads, or a local file.
pub fn request_for(input: &str) -> Result<Request, Error> {
    if is_url(input) {
        return Request::from_url(input);
    }
    let path = Path::new(input);
    let what = match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => return Ok(Request::from_path(path)),
        Ok(meta) if meta.is_dir() => {
            "is a folder; `cloud-ocr batch <folder> --out <dir>` recognises every file in it"
                .to_owned()
        }
        Ok(meta) => format!(
            "is not a regular file ({}); give a file or an http(s) URL",
            kind_of(&meta)
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if std::fs::symlink_metadata(path).is_ok() {
                "is a symbolic link that leads nowhere (or loops)".to_owned()
            } else {
                "no such file (give a file or an http(s) URL)".to_owned()
            }
        }
        Err(e) => format!("cannot be read: {e}"),
    };
    Err(Error::config(format!("{input}: {what}")).with_field("source"))
}

/// What a non-regular file is, in words.
fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a named pipe";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    let _ = meta;
    "a special file"
}

/// Refuses an `--output` destination that cannot be written, before anything is billed: a
/// folder, a path whose parent folder does not exist, or a read-only place.
pub fn check_destination(path: &Path, flag: &'static str) -> Result<(), Error> {
    let refuse = |why: String| {
        Err(Error::config(format!("--{flag} {}: {why}", path.display())).with_field(flag))
    };
    if path.is_dir() {
        return refuse("is a folder; give a file path".to_owned());
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    if !parent.is_dir() {
        return refuse(format!("the folder {} does not exist", parent.display()));
    }
    // The result is written through a temporary file in the same folder, then renamed.
    let probe = parent.join(format!(".cloud-ocr-probe-{}", std::process::id()));
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
    {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(e) => refuse(format!("cannot write in {}: {e}", parent.display())),
    }
}

/// The most read from standard input (`scan -`): the largest document any provider takes.
const MAX_STDIN_BYTES: u64 = 200 * 1024 * 1024;

/// The document on standard input, in memory.
fn request_from_stdin() -> Result<Request, Error> {
    use std::io::Read;
    let mut data = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_STDIN_BYTES + 1)
        .read_to_end(&mut data)
        .map_err(|e| {
            Error::config(format!("cannot read standard input: {e}")).with_field("source")
        })?;
    if data.is_empty() {
        return Err(
            Error::config("standard input is empty (`scan -` reads the document from it)")
                .with_field("source"),
        );
    }
    if data.len() as u64 > MAX_STDIN_BYTES {
        return Err(Error::config(format!(
            "standard input holds more than {MAX_STDIN_BYTES} bytes; pass the file by path"
        ))
        .with_field("source"));
    }
    Ok(Request::from_bytes(data, None))
}

/// Refuses, before anything is sent, a local file whose type the provider does not read,
/// naming the type and the accepted ones (the provider's own check would name its wire field).
async fn check_file_type(
    request: &Request,
    input: &str,
    provider: &dyn cloud_ocr::OcrProvider,
    shown: &str,
) -> Result<(), Error> {
    let formats = provider.capabilities().input.formats;
    let (head, name) = match &request.source {
        cloud_ocr::Source::Path(path) => {
            use tokio::io::AsyncReadExt;
            let mut head = Vec::new();
            let file = tokio::fs::File::open(path).await.map_err(|e| {
                Error::config(format!("{input}: cannot be read: {e}")).with_field("source")
            })?;
            file.take(cloud_ocr::core::request::SNIFF_LEN as u64)
                .read_to_end(&mut head)
                .await
                .map_err(|e| {
                    Error::config(format!("{input}: cannot be read: {e}")).with_field("source")
                })?;
            (head, request.source.file_name())
        }
        cloud_ocr::Source::Bytes { data, file_name } => (
            data[..data.len().min(cloud_ocr::core::request::SNIFF_LEN)].to_vec(),
            file_name.clone(),
        ),
        cloud_ocr::Source::Url(_) => return Ok(()),
    };
    let accepted: Vec<&str> = formats.iter().map(|f| f.extension()).collect();
    match cloud_ocr::Format::detect(&head, name.as_deref()) {
        Some(format) if formats.contains(&format) => Ok(()),
        found => {
            let what = match found {
                Some(format) => format!("a {format} file"),
                None => "not a recognised document format (its content is no type that \
                         is read, whatever its name)"
                    .to_owned(),
            };
            Err(Error::config(format!(
                "{input} is {what}: {shown} reads {}",
                accepted.join(", ")
            ))
            .with_field("source"))
        }
    }
}

/// Runs `scan`; with `quiet`, only warnings and errors are shown on stderr.
pub async fn run(args: ScanArgs, env: &Env, quiet: bool) -> Exit {
    if let Err(message) = check_compact(args.compact, args.format) {
        eprintln!("cloud-ocr: {message}");
        return Exit::Usage;
    }
    let request = match if args.input == "-" {
        request_from_stdin()
    } else {
        request_for(&args.input)
    } {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    if let Some(path) = &args.output {
        if let Err(e) = check_destination(path, "output") {
            return fail(&e);
        }
    }
    // The configuration's coordinator keeps the account's rate limits for every process
    // that uses it: a scan takes its turn with the batch workers (a dry run sends nothing).
    let shared: Option<Arc<dyn RateLimitBackend>> =
        match args.provider.emulator || args.cost.dry_run {
            true => None,
            false => match coordinator_url(None, &args.provider) {
                Ok(Some(url)) => match RedisRateLimiter::connect(&url).await {
                    Ok(limiter) => Some(Arc::new(limiter)),
                    Err(e) => return fail(&e),
                },
                Ok(None) => None,
                Err(e) => return fail(&e),
            },
        };
    let session = match Session::open_shared(&args.provider, &args.cost, env, shared, quiet).await {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    let request = request.with_options(args.recognition.apply(session.options.clone()));
    if let Err(exit) = session.refuse_ignored(&args.provider, &args.recognition, args.format) {
        session.close().await;
        return exit;
    }
    let shown = session.ids.join(", ");
    if let Err(e) = check_file_type(&request, &args.input, session.provider.as_ref(), &shown).await
    {
        session.close().await;
        return fail(&e);
    }
    let exit = if args.cost.dry_run {
        dry_run(&session, &args, &request, quiet).await
    } else {
        scan(&session, &args, &request, quiet).await
    };
    session.print_cache_warnings();
    session.close().await;
    exit
}

/// `scan --dry-run`: the request checked as a real run checks it, and what it would bill.
async fn dry_run(session: &Session, args: &ScanArgs, request: &Request, quiet: bool) -> Exit {
    // In a chain, the member that would answer: the first that accepts the input.
    let (provider, usage) = match session.estimate(request).await {
        Ok(estimate) => estimate,
        Err(e) => return fail(&e),
    };
    let cached = match &session.cache {
        Some(cache) => cache.is_cached(request).await,
        None => false,
    };
    let text = if args.format == OutputFormat::Json {
        let amount = session.prices.amount(provider, &usage);
        let value = json!({
            "dry_run": true,
            "provider": provider,
            "source": args.input,
            "simulated": session.simulated,
            "cached": cached,
            "usage": usage,
            "amount": amount.as_ref().map(|e| e.amount),
            "currency": amount.as_ref().and_then(|e| e.currency.clone()),
            "unpriced": amount.as_ref().map(|e| e.unpriced.clone()).unwrap_or_default(),
        });
        match args.compact {
            true => format!("{value}\n"),
            false => format!("{value:#}\n"),
        }
    } else {
        let from_cache = if cached { " (from the cache)" } else { "" };
        let by = if session.ids.len() > 1 {
            format!(" by {provider}")
        } else {
            String::new()
        };
        format!(
            "{}: {}{by}{}{from_cache}\n",
            args.input,
            describe(&usage),
            priced(&session.prices, provider, &usage)
        )
    };
    if let Err(exit) = emit(args.output.as_deref(), text).await {
        return exit;
    }
    if quiet {
        return Exit::Ok;
    }
    if session.simulated {
        eprintln!(
            "cloud-ocr: dry run on the embedded emulator: nothing was sent, and a real run \
             here would be simulated (nothing billed)"
        );
    } else {
        eprintln!("cloud-ocr: dry run: nothing was sent");
    }
    Exit::Ok
}

async fn scan(session: &Session, args: &ScanArgs, request: &Request, quiet: bool) -> Exit {
    let provider = &session.provider;
    tracing::debug!(provider = provider.id(), "recognising one document");
    let recognised = async {
        let job = provider.submit(request).await?;
        let cached = job.meta(META_CACHED).is_some();
        let document = match job.result {
            Some(doc) => *doc,
            None => wait(provider.as_ref(), &job).await?,
        };
        let document = if request.options.strict {
            document.require_complete()?
        } else {
            document
        };
        Ok::<_, Error>((document, cached))
    };
    let (document, cached) = match recognised.await {
        Ok(done) => done,
        Err(e) => return fail(&e),
    };
    if cached && !quiet {
        eprintln!(
            "cloud-ocr: {}: from the result cache (no request; --refresh recognises it again)",
            args.input
        );
    }
    for line in skipped_warnings(&args.input, &document) {
        eprintln!("{line}");
    }
    let incomplete = incomplete_warning(&args.input, &document)
        .or_else(|| file_only_warning(&args.input, &document, args.format));
    let left_out = files_left_out(&document, args.format);
    if left_out > 0 {
        let names: Vec<&str> = document.files.iter().map(|f| f.name.as_str()).collect();
        eprintln!(
            "cloud-ocr: warning: {}: -f {} leaves out the {left_out} file(s) that came with the \
             result ({}); -f json keeps them (document.files)",
            args.input,
            args.format,
            names.join(", ")
        );
    }
    let producer = if document.provider.is_empty() {
        provider.id().to_owned()
    } else {
        document.provider.clone()
    };
    let output =
        ScanOutput::new(producer, &args.input, session.simulated, document).with_cached(cached);
    let text = match output.render_with(args.format, args.compact) {
        Ok(t) => t,
        Err(e) => return fail(&e),
    };
    if let Err(exit) = emit(args.output.as_deref(), text).await {
        return exit;
    }
    match incomplete {
        Some(warning) => {
            eprintln!("{warning}");
            Exit::Failed
        }
        None => Exit::Ok,
    }
}

/// Writes what `scan` prints to `-o PATH` (atomically), else to stdout (a closed pipe is not
/// an error).
async fn emit(path: Option<&Path>, text: String) -> Result<(), Exit> {
    match path {
        Some(path) => {
            if let Err(e) = write_atomic(path.to_path_buf(), text.into_bytes()).await {
                eprintln!("cloud-ocr: cannot write {}: {e}", path.display());
                return Err(Exit::Usage);
            }
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            if let Err(e) = stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
            {
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    eprintln!("cloud-ocr: cannot write the result: {e}");
                    return Err(Exit::Failed);
                }
            }
        }
    }
    Ok(())
}

/// One warning line for each provider of a chain that was skipped for `input`, and why.
pub fn skipped_warnings<'a>(
    input: &'a str,
    document: &'a cloud_ocr::core::Document,
) -> impl Iterator<Item = String> + 'a {
    document.skipped_providers.iter().map(move |skipped| {
        format!(
            "cloud-ocr: warning: {input}: {} was skipped: {}",
            skipped.provider, skipped.message
        )
    })
}

/// The warning for a result that is only a file (a docx, a PDF …) written as text or
/// Markdown, which would be empty: the bytes are in the JSON output's `document.files`.
pub fn file_only_warning(
    input: &str,
    document: &cloud_ocr::core::Document,
    format: OutputFormat,
) -> Option<String> {
    if format == OutputFormat::Json
        || document.files.is_empty()
        || !document.text().trim().is_empty()
    {
        return None;
    }
    let names: Vec<&str> = document.files.iter().map(|f| f.name.as_str()).collect();
    Some(format!(
        "cloud-ocr: warning: {input}: the result is a file ({}), which {format} output cannot \
         hold; use -f json (the file's bytes are in document.files)",
        names.join(", ")
    ))
}

/// How many files come with a result that has text too, which `format` leaves out (the
/// images a provider's Markdown refers to, say): only JSON carries them.
pub fn files_left_out(document: &cloud_ocr::core::Document, format: OutputFormat) -> usize {
    match format == OutputFormat::Json || document.text().trim().is_empty() {
        true => 0,
        false => document.files.len(),
    }
}

/// The warning at the end of a batch in which `results` results came with files that
/// `format` left out.
pub fn files_left_out_warning(results: usize, format: OutputFormat) -> Option<String> {
    (results > 0).then(|| {
        format!(
            "cloud-ocr: warning: {results} result(s) came with files (such as the images their \
             Markdown refers to) that -f {format} leaves out; -f json keeps them \
             (document.files)"
        )
    })
}

/// The one-line warning for a document with missing pages, if it has any.
pub fn incomplete_warning(input: &str, document: &cloud_ocr::core::Document) -> Option<String> {
    if document.is_complete() {
        return None;
    }
    Some(format!(
        "cloud-ocr: warning: {input} is incomplete: {} of {} requested page(s) missing: {}",
        document.missing.len(),
        document.pages_requested.len().max(document.missing.len()),
        document.missing_summary()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_files_are_told_apart() {
        assert!(is_url("https://example.com/a.png"));
        assert!(is_url("HTTP://example.com/a.png"));
        assert!(!is_url("a.png"));
        assert!(!is_url("ftp://example.com/a.png"));
        let err = request_for("no/such/file.png").unwrap_err();
        assert_eq!(err.kind(), cloud_ocr::ErrorKind::Config);
        assert!(err.to_string().contains("no such file"));
    }
}

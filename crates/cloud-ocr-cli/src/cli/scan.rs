//! `cloud-ocr scan`: one document in, its text, JSON or Markdown out.

use std::io::Write;
use std::path::Path;

use cloud_ocr::{Env, Error, Request, ScanOutput};

use super::args::ScanArgs;
use super::exit::{fail, Exit};
use super::fsutil::write_atomic;
use super::session::Session;

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
    if !path.is_file() {
        return Err(Error::config(format!(
            "{input}: no such file (give a file or an http(s) URL)"
        ))
        .with_field("source"));
    }
    Ok(Request::from_path(path))
}

/// Runs `scan`.
pub async fn run(args: ScanArgs, env: &Env) -> Exit {
    let request = match request_for(&args.input) {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    let session = match Session::open(&args.provider, env).await {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    let request = request.with_options(args.recognition.apply(session.options.clone()));
    let exit = scan(&session, &args, &request).await;
    session.close().await;
    exit
}

async fn scan(session: &Session, args: &ScanArgs, request: &Request) -> Exit {
    let provider = &session.provider;
    tracing::debug!(provider = provider.id(), "recognising one document");
    let document = match provider.recognize(request).await {
        Ok(doc) => doc,
        Err(e) => return fail(&e),
    };
    let incomplete = incomplete_warning(&args.input, &document);
    let output = ScanOutput::new(provider.id(), &args.input, session.simulated, document);
    let text = match output.render(args.format) {
        Ok(t) => t,
        Err(e) => return fail(&e),
    };
    match &args.output {
        Some(path) => {
            if let Err(e) = write_atomic(path.clone(), text.into_bytes()).await {
                eprintln!("cloud-ocr: cannot write {}: {e}", path.display());
                return Exit::Usage;
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
                    return Exit::Failed;
                }
            }
        }
    }
    match incomplete {
        Some(warning) => {
            eprintln!("{warning}");
            Exit::Failed
        }
        None => Exit::Ok,
    }
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

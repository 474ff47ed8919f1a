//! Exit codes and the one-line error report.

use std::process::ExitCode;

use cloud_ocr::{Error, ErrorKind};

/// The documented exit codes (also in `--help` and the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything worked.
    Ok = 0,
    /// The document failed (scan) or some inputs failed (batch).
    Failed = 1,
    /// Usage, configuration or input error: bad flags, an option the provider does not
    /// honour, missing credentials, an unreadable or unsupported input. Nothing was sent.
    Usage = 2,
    /// The service refused the credentials.
    Auth = 3,
    /// Throttled, or out of quota.
    Throttled = 4,
    /// Transport failure, timeout, or a service error.
    Service = 5,
    /// Interrupted by Ctrl-C; a batch resumes from its journal when run again.
    Interrupted = 130,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit as u8)
    }
}

impl Exit {
    /// The exit code for a run that stopped on `err`.
    pub fn for_error(err: &Error) -> Exit {
        // The service judged the input (it answered with a status or a code): the document
        // was sent and failed, which exit 2 ("nothing was sent") would deny.
        let answered = err.http_status().is_some() || err.code().is_some();
        match err.kind() {
            ErrorKind::InvalidInput | ErrorKind::Unsupported if answered => Exit::Failed,
            ErrorKind::Config | ErrorKind::InvalidInput | ErrorKind::Unsupported => Exit::Usage,
            ErrorKind::Auth => Exit::Auth,
            ErrorKind::Throttled | ErrorKind::Quota => Exit::Throttled,
            ErrorKind::Service
            | ErrorKind::Timeout
            | ErrorKind::Transport
            | ErrorKind::OutcomeUnknown
            | ErrorKind::Decode => Exit::Service,
            _ => Exit::Failed,
        }
    }
}

/// The help text listing the exit codes (`--help` shows it; a test keeps them together).
#[cfg(test)]
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  the document failed or is incomplete (a page asked for did not arrive; stderr names it)
     (scan), or some inputs failed or are incomplete (batch)
  2  usage, configuration or input error (bad flags, an option the provider does not honour,
     missing credentials, an unreadable or unsupported input); nothing was sent
  3  authentication error (the service refused the keys)
  4  throttled or out of quota
  5  transport, timeout or service error
  130 interrupted (Ctrl-C): run the same batch again to resume from its journal";

/// Prints `err` as one line on stderr (provider, operation, code, message, request id, causes)
/// and returns its exit code.
pub fn fail(err: &Error) -> Exit {
    eprintln!("cloud-ocr: {}", one_line(err));
    Exit::for_error(err)
}

/// `err` and its causes on one line, ending with the flag to change when the error names
/// a field that one sets (the library names the option or the wire field).
pub fn one_line(err: &Error) -> String {
    let line = cloud_ocr::core::error::report(err).replace(['\n', '\r'], " ");
    match err.field().and_then(flag_of) {
        Some(flag) if !line.contains(flag) => format!("{line} [{flag}]"),
        _ => line,
    }
}

/// The command-line flag that sets `field` (an option of the request, or the wire field it
/// becomes), if any.
fn flag_of(field: &str) -> Option<&'static str> {
    Some(match field {
        "pages" | "PdfPageNumber" | "FileStartPageNumber" | "FileEndPageNumber" => "--pages",
        "languages" | "LanguageType" => "--lang",
        "outputs" => "--want",
        "field_names" | "ItemNames" => "--fields",
        "config_id" | "ConfigId" => "--config-id",
        "document_kind" => "--kind",
        "card_nationality" | "Nationality" => "--card-nationality",
        "card_type" | "CardType" => "--card-type",
        "result_format" => "--result-format",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_documented_code() {
        let cases = [
            (ErrorKind::Config, 2),
            (ErrorKind::Auth, 3),
            (ErrorKind::Throttled, 4),
            (ErrorKind::Quota, 4),
            (ErrorKind::Service, 5),
            (ErrorKind::Timeout, 5),
            (ErrorKind::Transport, 5),
            (ErrorKind::OutcomeUnknown, 5),
            (ErrorKind::Decode, 5),
            (ErrorKind::InvalidInput, 2),
            (ErrorKind::TaskFailed, 1),
            (ErrorKind::Unsupported, 2),
            (ErrorKind::ResultExpired, 1),
        ];
        for (kind, code) in cases {
            let exit = Exit::for_error(&Error::new(kind, "m"));
            assert_eq!(exit as u8, code, "{kind}");
            assert!(EXIT_CODES_HELP.contains(&format!("  {code}  ")));
        }
    }

    #[test]
    fn an_input_the_service_refused_is_a_failed_document_not_a_usage_error() {
        let local = Error::invalid_input("pages", "past the end");
        assert_eq!(Exit::for_error(&local), Exit::Usage);
        let answered = Error::invalid_input("image", "invalid image file").with_code("-7");
        assert_eq!(Exit::for_error(&answered), Exit::Failed);
        let status = Error::new(ErrorKind::Unsupported, "m").with_http_status(415);
        assert_eq!(Exit::for_error(&status), Exit::Failed);
    }

    #[test]
    fn a_field_a_flag_sets_is_named_as_the_flag() {
        let err = Error::invalid_input("PdfPageNumber", "applies only to a PDF");
        assert!(one_line(&err).ends_with(" [--pages]"), "{}", one_line(&err));
        let err = Error::invalid_input("bucket", "is not a bucket name");
        assert!(!one_line(&err).contains('['), "{}", one_line(&err));
    }

    #[test]
    fn one_line_never_breaks_lines() {
        let err = Error::new(ErrorKind::Service, "first\nsecond").with_provider("p");
        assert_eq!(one_line(&err), "p: first second");
    }
}

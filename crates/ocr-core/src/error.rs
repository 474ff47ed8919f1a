//! The one error type every provider returns.
//!
//! An [`Error`] always has a [`ErrorKind`] to branch on, a one-line message a person can act on,
//! and, where the provider told us, its error code, request id and HTTP status. The underlying
//! cause (an I/O error, a JSON error, a transport error) is kept as [`std::error::Error::source`]
//! and is never folded into `Display`, so a chain printer shows each cause once.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

/// What went wrong, coarsely: the axis callers branch on.
///
/// New kinds may be added in minor releases, so match with a wildcard arm.
///
/// ```
/// use ocr_core::{Error, ErrorKind};
///
/// fn advice(err: &Error) -> &'static str {
///     match err.kind() {
///         ErrorKind::InvalidInput | ErrorKind::Config => "fix the request or the settings",
///         ErrorKind::Auth => "check the credentials",
///         ErrorKind::Throttled | ErrorKind::Quota => "slow down or raise the quota",
///         ErrorKind::OutcomeUnknown => "check the console before sending it again: it may be billed",
///         _ if err.is_retryable() => "try again later",
///         _ => "see the message",
///     }
/// }
/// let err = Error::invalid_input("PdfPageNumber", "takes one page");
/// assert_eq!(advice(&err), "fix the request or the settings");
/// assert_eq!(err.to_string(), "invalid input: `PdfPageNumber` takes one page");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The request was refused before anything was sent (a field broke a documented rule), or
    /// the service said a parameter was invalid.
    InvalidInput,
    /// The client is misconfigured: no credentials, a malformed endpoint, an impossible setting.
    Config,
    /// The service rejected the credentials or the signature.
    Auth,
    /// The service (or our own limiter) asked us to slow down.
    Throttled,
    /// The account is out of quota, in arrears, or its resource package ran out.
    Quota,
    /// The service failed or reported an error that fits no other kind.
    Service,
    /// An asynchronous task ran and failed; the code and message are the task's.
    TaskFailed,
    /// An attempt, the whole operation or a polling deadline ran out of time.
    Timeout,
    /// The request could not be delivered (DNS, connect, TLS, connection reset).
    Transport,
    /// A billed request may or may not have reached the service, and it cannot be resent safely.
    /// Check the provider's console or poll before trying again.
    OutcomeUnknown,
    /// The response could not be understood (malformed JSON/XML, missing fields).
    Decode,
    /// A result (a download URL, a task) is no longer available.
    ResultExpired,
    /// The provider does not support what was asked.
    Unsupported,
}

impl ErrorKind {
    /// A short lowercase name, stable for logs and JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::Config => "config",
            ErrorKind::Auth => "auth",
            ErrorKind::Throttled => "throttled",
            ErrorKind::Quota => "quota",
            ErrorKind::Service => "service",
            ErrorKind::TaskFailed => "task_failed",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Transport => "transport",
            ErrorKind::OutcomeUnknown => "outcome_unknown",
            ErrorKind::Decode => "decode",
            ErrorKind::ResultExpired => "result_expired",
            ErrorKind::Unsupported => "unsupported",
        }
    }

    /// Whether an error of this kind is, by default, worth another attempt of an idempotent call.
    ///
    /// A response that could not be understood ([`ErrorKind::Decode`]) is: a body garbled or cut
    /// short on the way reads fine the next time, and reading again is harmless. (A billed call
    /// whose answer could not be understood is never resent: the retry decision turns it into
    /// [`ErrorKind::OutcomeUnknown`].) A decode error that another attempt cannot fix, such as
    /// a result over a size cap, is marked with [`Error::with_retryable`]`(false)`.
    fn retryable_by_default(self) -> bool {
        matches!(
            self,
            ErrorKind::Throttled | ErrorKind::Transport | ErrorKind::Timeout | ErrorKind::Decode
        )
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The error of every operation in this workspace.
///
/// Build one with [`Error::new`] (or a shortcut such as [`Error::invalid_input`]) and add what is
/// known with the `with_*` methods:
///
/// ```
/// use ocr_core::{Error, ErrorKind};
///
/// let err = Error::new(ErrorKind::Service, "Image decoding failed")
///     .with_provider("tc-ocr")
///     .with_operation("ExtractDocMulti")
///     .with_code("FailedOperation.ImageDecodeFailed")
///     .with_request_id("2378a9b0-4c1e");
/// assert_eq!(
///     err.to_string(),
///     "tc-ocr ExtractDocMulti: FailedOperation.ImageDecodeFailed: Image decoding failed (request 2378a9b0-4c1e)"
/// );
/// assert!(!err.is_retryable());
/// ```
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    message: String,
    provider: Option<Cow<'static, str>>,
    operation: Option<Cow<'static, str>>,
    code: Option<String>,
    request_id: Option<String>,
    http_status: Option<u16>,
    field: Option<String>,
    retryable: bool,
    maybe_sent: bool,
    retry_after: Option<Duration>,
    source: Option<BoxError>,
}

impl Error {
    /// A new error of `kind` with a human-readable `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                provider: None,
                operation: None,
                code: None,
                request_id: None,
                http_status: None,
                field: None,
                retryable: kind.retryable_by_default(),
                maybe_sent: false,
                retry_after: None,
                source: None,
            }),
        }
    }

    /// Input that breaks a documented rule: names the field and the rule, and is raised before
    /// anything is sent.
    ///
    /// ```
    /// let err = ocr_core::Error::invalid_input("PdfPageNumber", "must be at least 1");
    /// assert_eq!(err.field(), Some("PdfPageNumber"));
    /// assert_eq!(err.to_string(), "invalid input: `PdfPageNumber` must be at least 1");
    /// ```
    pub fn invalid_input(field: impl Into<String>, rule: impl Into<String>) -> Self {
        let mut err = Error::new(ErrorKind::InvalidInput, rule);
        err.inner.field = Some(field.into());
        err
    }

    /// A configuration problem (missing credentials, bad endpoint, impossible setting).
    pub fn config(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Config, message)
    }

    /// A response that could not be understood.
    pub fn decode(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Decode, message)
    }

    /// Something the provider does not offer.
    pub fn unsupported(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Unsupported, message)
    }

    /// Classifies a transport error from `reqwest`.
    ///
    /// A failure to connect means nothing reached the service, so it is safe to resend anything.
    /// Every other failure (a timeout, a reset while reading, a body cut short) may have happened
    /// after the service received the request: such errors are marked [`Error::maybe_sent`], and the retry loop will
    /// not resend a billed submission because of them.
    pub fn from_reqwest(err: reqwest::Error) -> Self {
        let (kind, maybe_sent, what) = if err.is_connect() {
            (ErrorKind::Transport, false, "could not connect")
        } else if err.is_timeout() {
            (ErrorKind::Timeout, true, "timed out")
        } else if err.is_body() || err.is_decode() {
            // The body broke off (or its transfer encoding did) after the request was sent:
            // a transport failure, retried for reads, never resent for billed calls.
            (
                ErrorKind::Transport,
                true,
                "the response body could not be read",
            )
        } else if err.is_builder() {
            (ErrorKind::Config, false, "could not build the request")
        } else {
            (ErrorKind::Transport, true, "the connection failed")
        };
        let mut out = Error::new(kind, what);
        if let Some(status) = err.status() {
            out.inner.http_status = Some(status.as_u16());
        }
        out.inner.maybe_sent = maybe_sent;
        out.with_source(err.without_url())
    }

    /// Sets the provider id (`"tc-ocr"`, `"picwish"` …) if none is set yet.
    pub fn with_provider(mut self, provider: impl Into<Cow<'static, str>>) -> Self {
        if self.inner.provider.is_none() {
            self.inner.provider = Some(provider.into());
        }
        self
    }

    /// Sets the operation (the API action, e.g. `"ExtractDocMulti"`) if none is set yet.
    pub fn with_operation(mut self, operation: impl Into<Cow<'static, str>>) -> Self {
        if self.inner.operation.is_none() {
            self.inner.operation = Some(operation.into());
        }
        self
    }

    /// Sets the provider's error code.
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.inner.code = Some(code.into());
        self
    }

    /// Sets the provider's request id.
    pub fn with_request_id(mut self, request_id: impl Into<String>) -> Self {
        let id = request_id.into();
        if !id.is_empty() {
            self.inner.request_id = Some(id);
        }
        self
    }

    /// Sets the HTTP status of the response that carried the error.
    pub fn with_http_status(mut self, status: u16) -> Self {
        self.inner.http_status = Some(status);
        self
    }

    /// Names the input field the error is about.
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.inner.field = Some(field.into());
        self
    }

    /// Overrides whether the error is worth retrying (for example a service `InternalError`).
    pub fn with_retryable(mut self, retryable: bool) -> Self {
        self.inner.retryable = retryable;
        self
    }

    /// Marks that the request may have reached the service before the failure.
    pub fn with_maybe_sent(mut self, maybe_sent: bool) -> Self {
        self.inner.maybe_sent = maybe_sent;
        self
    }

    /// How long the service asked us to wait before trying again.
    pub fn with_retry_after(mut self, after: Duration) -> Self {
        self.inner.retry_after = Some(after);
        self
    }

    /// Attaches the underlying cause.
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.inner.source = Some(source.into());
        self
    }

    /// Replaces the kind, keeping everything else (used to turn a possibly-sent failure of a
    /// billed call into [`ErrorKind::OutcomeUnknown`]).
    pub fn with_kind(mut self, kind: ErrorKind) -> Self {
        self.inner.kind = kind;
        self
    }

    /// The kind, to branch on.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The message, without provider, code or request id.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The provider id, if known.
    pub fn provider(&self) -> Option<&str> {
        self.inner.provider.as_deref()
    }

    /// The operation, if known.
    pub fn operation(&self) -> Option<&str> {
        self.inner.operation.as_deref()
    }

    /// The provider's error code, if it sent one.
    pub fn code(&self) -> Option<&str> {
        self.inner.code.as_deref()
    }

    /// The provider's request id, if it sent one: quote it to the provider's support.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.request_id.as_deref()
    }

    /// The HTTP status of the response, if there was one.
    pub fn http_status(&self) -> Option<u16> {
        self.inner.http_status
    }

    /// The input field the error is about, for [`ErrorKind::InvalidInput`].
    pub fn field(&self) -> Option<&str> {
        self.inner.field.as_deref()
    }

    /// How long the service asked us to wait, if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }

    /// Whether another attempt of an idempotent call may succeed.
    ///
    /// Throttling, transport failures, timeouts, responses that could not be understood and the
    /// provider's internal errors are retryable; invalid input, auth, quota and task failures
    /// are not. Billed calls are resent only when the earlier attempt certainly had no effect
    /// (see [`crate::retry::RetryPolicy::decide`]).
    pub fn is_retryable(&self) -> bool {
        self.inner.retryable
    }

    /// Whether the request may have reached the service before this failure. A billed
    /// submission that failed this way is not resent.
    pub fn maybe_sent(&self) -> bool {
        self.inner.maybe_sent
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        match (&i.provider, &i.operation) {
            (Some(p), Some(o)) => write!(f, "{p} {o}: ")?,
            (Some(p), None) => write!(f, "{p}: ")?,
            (None, Some(o)) => write!(f, "{o}: ")?,
            (None, None) => {}
        }
        if let Some(code) = &i.code {
            write!(f, "{code}: ")?;
        } else if i.kind == ErrorKind::InvalidInput {
            f.write_str("invalid input: ")?;
        }
        match (&i.field, i.kind) {
            (Some(field), ErrorKind::InvalidInput) if i.code.is_none() => {
                write!(f, "`{field}` {}", i.message)?
            }
            _ => f.write_str(&i.message)?,
        }
        match (&i.request_id, i.http_status) {
            (Some(id), _) => write!(f, " (request {id})"),
            (None, Some(status)) if i.code.is_none() => write!(f, " (HTTP {status})"),
            _ => Ok(()),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        let mut d = f.debug_struct("Error");
        d.field("kind", &i.kind).field("message", &i.message);
        if let Some(v) = &i.provider {
            d.field("provider", v);
        }
        if let Some(v) = &i.operation {
            d.field("operation", v);
        }
        if let Some(v) = &i.code {
            d.field("code", v);
        }
        if let Some(v) = &i.request_id {
            d.field("request_id", v);
        }
        if let Some(v) = &i.http_status {
            d.field("http_status", v);
        }
        if let Some(v) = &i.field {
            d.field("field", v);
        }
        d.field("retryable", &i.retryable);
        if let Some(v) = &i.source {
            d.field("source", v);
        }
        d.finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_ref()
            .map(|s| s.as_ref() as &(dyn std::error::Error + 'static))
    }
}

/// Formats an error and all its causes on one line, `": "`-separated, for command-line output.
///
/// ```
/// use ocr_core::{Error, ErrorKind, error::report};
/// let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
/// let err = Error::new(ErrorKind::Transport, "cannot read the document").with_source(io);
/// assert_eq!(report(&err), "cannot read the document: no such file");
/// ```
pub fn report(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut cur = err.source();
    while let Some(cause) = cur {
        let text = cause.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        cur = cause.source();
    }
    out
}

/// The result type of this workspace.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_shapes() {
        let e = Error::new(ErrorKind::Throttled, "slow down").with_provider("picwish");
        assert_eq!(e.to_string(), "picwish: slow down");
        let e = Error::new(ErrorKind::Service, "bad gateway").with_http_status(502);
        assert_eq!(e.to_string(), "bad gateway (HTTP 502)");
        let e = Error::invalid_input("ImageUrl", "must use http or https")
            .with_provider("tc-ocr")
            .with_operation("ExtractDocMulti");
        assert_eq!(
            e.to_string(),
            "tc-ocr ExtractDocMulti: invalid input: `ImageUrl` must use http or https"
        );
    }

    #[test]
    fn provider_is_set_once() {
        let e = Error::config("x").with_provider("a").with_provider("b");
        assert_eq!(e.provider(), Some("a"));
    }

    #[test]
    fn retryable_defaults_follow_kind() {
        for (kind, expected) in [
            (ErrorKind::Throttled, true),
            (ErrorKind::Transport, true),
            (ErrorKind::Timeout, true),
            (ErrorKind::Service, false),
            (ErrorKind::Auth, false),
            (ErrorKind::InvalidInput, false),
            (ErrorKind::Quota, false),
            (ErrorKind::TaskFailed, false),
            (ErrorKind::OutcomeUnknown, false),
            (ErrorKind::Decode, true),
        ] {
            assert_eq!(Error::new(kind, "m").is_retryable(), expected, "{kind}");
        }
        assert!(Error::new(ErrorKind::Service, "m")
            .with_retryable(true)
            .is_retryable());
        assert!(!Error::decode("over the cap")
            .with_retryable(false)
            .is_retryable());
    }
}

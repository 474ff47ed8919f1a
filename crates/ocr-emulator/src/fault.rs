//! Faults injected on demand: throttling, server errors, latency, dropped connections,
//! broken bodies and failing tasks.
//!
//! A [`Fault`] is a kind, a scope (every request, one service or one action) and a
//! trigger (the next N matching requests, every Nth, with a probability, always).
//! Request faults are checked as a request arrives; task faults when a task is created.

use std::sync::Mutex;
use std::time::Duration;

use crate::service::Service;

/// What goes wrong.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum FaultKind {
    /// The service's throttling answer: API 3.0 `RequestLimitExceeded` envelope,
    /// PicWish HTTP 429, COS/CI 503 `SlowDown`.
    Throttle,
    /// The service's internal error: API 3.0 `InternalError` envelope (HTTP 200),
    /// PicWish HTTP 500, COS/CI 500 `InternalError`.
    ServerError,
    /// A bare HTTP status with a short text body, as a gateway in front of the service
    /// would answer (e.g. 502, 503, 504).
    HttpStatus(u16),
    /// Wait this long before handling the request (real time). Combines with others.
    Latency(Duration),
    /// Close the connection without answering: the handler marks the connection dead,
    /// its socket then fails every read and write, so hyper drops it before a single
    /// response byte is written and the client sees the connection closed.
    DropConnection,
    /// Send the status, headers and the full `Content-Length`, then only half the body,
    /// then abort the connection.
    TruncatedBody,
    /// Answer a complete HTTP response whose body is cut in half (invalid JSON / XML).
    MalformedBody,
    /// The next task created fails with this code: LKEAP `Status: Failed` with
    /// `Error{Code,Message}`, CI `State: Failed` with `Code`/`Message`, PicWish a
    /// negative `state` (the code parsed as an integer, `-1` if it is not one), card
    /// verification an error answer to the poll.
    TaskFailure {
        /// The error code (`FailedOperation.FileParseError`, `-7`, `InternalError`…).
        code: String,
        /// The message.
        message: String,
    },
    /// The next LKEAP parse task succeeds but cannot parse these pages (1-based): they are
    /// left out of the result and listed in `FailedPages`, as the service reports pages it
    /// could not parse.
    FailedPages(Vec<u32>),
}

impl FaultKind {
    /// The kind's name in textual fault descriptions (see [`FAULT_KIND_NAMES`]).
    ///
    /// ```
    /// assert_eq!(ocr_emulator::FaultKind::HttpStatus(502).name(), "http_status");
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            FaultKind::Throttle => "throttle",
            FaultKind::ServerError => "server_error",
            FaultKind::HttpStatus(_) => "http_status",
            FaultKind::Latency(_) => "latency",
            FaultKind::DropConnection => "drop_connection",
            FaultKind::TruncatedBody => "truncated_body",
            FaultKind::MalformedBody => "malformed_body",
            FaultKind::TaskFailure { .. } => "task_failure",
            FaultKind::FailedPages(_) => "failed_pages",
        }
    }
}

/// Which requests a fault applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultScope {
    /// Every request.
    Any,
    /// Requests of one service.
    Service(Service),
    /// Requests of one action (`ExtractDocMulti`, `PutObject`, `CreateOcrTask`…, see
    /// [`RecordedRequest::action`](crate::RecordedRequest::action)).
    Action(String),
}

/// When a fault fires among the requests in its scope.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Trigger {
    /// The next N matching requests, then the fault is gone.
    Next(u32),
    /// Every Nth matching request (the Nth, 2Nth, …).
    Every(u32),
    /// Each matching request with this probability (seeded, so repeatable).
    Probability(f64),
    /// Every matching request until cleared.
    Always,
}

/// A fault to inject: what, where and when.
///
/// ```
/// use std::time::Duration;
/// use ocr_emulator::{Fault, Service};
///
/// // The next two ExtractDocMulti calls are throttled.
/// let f = Fault::throttle().for_action("ExtractDocMulti").times(2);
/// // Every third PicWish request loses its connection.
/// let g = Fault::drop_connection().for_service(Service::PicWish).every(3);
/// // All requests are slow.
/// let h = Fault::latency(Duration::from_millis(200)).always();
/// # let _ = (f, g, h);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    /// What goes wrong.
    pub kind: FaultKind,
    /// Which requests.
    pub scope: FaultScope,
    /// When.
    pub trigger: Trigger,
}

impl Fault {
    /// A fault of this kind for the next matching request, on every service.
    pub fn new(kind: FaultKind) -> Self {
        Self {
            kind,
            scope: FaultScope::Any,
            trigger: Trigger::Next(1),
        }
    }

    /// The service's throttling answer.
    pub fn throttle() -> Self {
        Self::new(FaultKind::Throttle)
    }

    /// The service's internal-error answer.
    pub fn server_error() -> Self {
        Self::new(FaultKind::ServerError)
    }

    /// A bare HTTP status (gateway-style).
    pub fn http_status(status: u16) -> Self {
        Self::new(FaultKind::HttpStatus(status))
    }

    /// Added latency.
    pub fn latency(delay: Duration) -> Self {
        Self::new(FaultKind::Latency(delay))
    }

    /// A connection closed without a response.
    pub fn drop_connection() -> Self {
        Self::new(FaultKind::DropConnection)
    }

    /// A body cut short on the wire.
    pub fn truncated_body() -> Self {
        Self::new(FaultKind::TruncatedBody)
    }

    /// A complete response with an unparseable body.
    pub fn malformed_body() -> Self {
        Self::new(FaultKind::MalformedBody)
    }

    /// The next created task fails with this code.
    pub fn task_failure(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(FaultKind::TaskFailure {
            code: code.into(),
            message: message.into(),
        })
    }

    /// The next LKEAP parse task reports `pages` (1-based) in `FailedPages` and leaves them
    /// out of its result.
    ///
    /// ```
    /// let f = ocr_emulator::Fault::failed_pages([2, 4]);
    /// # let _ = f;
    /// ```
    pub fn failed_pages(pages: impl IntoIterator<Item = u32>) -> Self {
        Self::new(FaultKind::FailedPages(pages.into_iter().collect()))
    }

    /// Only requests of this service.
    pub fn for_service(mut self, service: Service) -> Self {
        self.scope = FaultScope::Service(service);
        self
    }

    /// Only requests of this action.
    pub fn for_action(mut self, action: impl Into<String>) -> Self {
        self.scope = FaultScope::Action(action.into());
        self
    }

    /// The next `n` matching requests.
    pub fn times(mut self, n: u32) -> Self {
        self.trigger = Trigger::Next(n);
        self
    }

    /// Every `n`th matching request (`n` of 0 is treated as 1).
    pub fn every(mut self, n: u32) -> Self {
        self.trigger = Trigger::Every(n.max(1));
        self
    }

    /// Each matching request with probability `p` (clamped to 0..=1).
    pub fn with_probability(mut self, p: f64) -> Self {
        self.trigger = Trigger::Probability(if p.is_nan() { 0.0 } else { p.clamp(0.0, 1.0) });
        self
    }

    /// Every matching request until cleared.
    pub fn always(mut self) -> Self {
        self.trigger = Trigger::Always;
        self
    }

    fn category(&self) -> Category {
        match self.kind {
            FaultKind::Latency(_) => Category::Latency,
            FaultKind::TaskFailure { .. } => Category::Task,
            FaultKind::FailedPages(_) => Category::Pages,
            _ => Category::Response,
        }
    }

    fn matches(&self, service: Service, action: Option<&str>) -> bool {
        match &self.scope {
            FaultScope::Any => true,
            FaultScope::Service(s) => *s == service,
            FaultScope::Action(a) => action == Some(a.as_str()),
        }
    }
}

/// Why a textual fault description (see [`Fault`]'s `FromStr`) was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultSpecError(String);

impl std::fmt::Display for FaultSpecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FaultSpecError {}

fn spec_error(message: impl Into<String>) -> FaultSpecError {
    FaultSpecError(message.into())
}

/// The fields of a textual fault description, JSON or query-string form alike.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultSpec {
    kind: String,
    status: Option<u16>,
    latency_ms: Option<u64>,
    code: Option<String>,
    message: Option<String>,
    pages: Option<Vec<u32>>,
    service: Option<String>,
    action: Option<String>,
    times: Option<u32>,
    every: Option<u32>,
    probability: Option<f64>,
    always: Option<bool>,
}

/// The names of the fault kinds in textual descriptions, in [`FaultKind`] order.
pub const FAULT_KIND_NAMES: &[&str] = &[
    "throttle",
    "server_error",
    "http_status",
    "latency",
    "drop_connection",
    "truncated_body",
    "malformed_body",
    "task_failure",
    "failed_pages",
];

impl FaultSpec {
    fn from_query(text: &str) -> Result<Self, FaultSpecError> {
        let mut spec = FaultSpec::default();
        let mut kind = None;
        for (key, value) in crate::http_util::parse_query(text) {
            let number = |what: &str| format!("`{key}` must be {what}, not `{value}`");
            let value_ref = value.trim();
            match key.as_str() {
                "kind" => kind = Some(value_ref.to_owned()),
                "status" => {
                    spec.status = Some(
                        value_ref
                            .parse()
                            .map_err(|_| spec_error(number("an HTTP status")))?,
                    )
                }
                "latency_ms" => {
                    spec.latency_ms = Some(
                        value_ref
                            .parse()
                            .map_err(|_| spec_error(number("a number of milliseconds")))?,
                    )
                }
                "code" => spec.code = Some(value.clone()),
                "message" => spec.message = Some(value.clone()),
                "pages" => {
                    let pages: Result<Vec<u32>, _> = value_ref
                        .split(',')
                        .filter(|p| !p.trim().is_empty())
                        .map(|p| p.trim().parse::<u32>())
                        .collect();
                    spec.pages = Some(
                        pages
                            .map_err(|_| spec_error(number("page numbers separated by commas")))?,
                    );
                }
                "service" => spec.service = Some(value_ref.to_owned()),
                "action" => spec.action = Some(value_ref.to_owned()),
                "times" => {
                    spec.times = Some(
                        value_ref
                            .parse()
                            .map_err(|_| spec_error(number("a count")))?,
                    )
                }
                "every" => {
                    spec.every = Some(
                        value_ref
                            .parse()
                            .map_err(|_| spec_error(number("a count")))?,
                    )
                }
                "probability" => {
                    spec.probability = Some(
                        value_ref
                            .parse()
                            .map_err(|_| spec_error(number("a number from 0 to 1")))?,
                    )
                }
                "always" => {
                    spec.always = Some(match value_ref {
                        "" | "true" | "1" => true,
                        "false" | "0" => false,
                        _ => return Err(spec_error(number("true or false"))),
                    })
                }
                other => return Err(spec_error(format!("unknown field `{other}`"))),
            }
        }
        spec.kind = kind.ok_or_else(|| spec_error("`kind` is required"))?;
        Ok(spec)
    }

    fn into_fault(self) -> Result<Fault, FaultSpecError> {
        let FaultSpec {
            kind: kind_name,
            status,
            latency_ms,
            code,
            message,
            pages,
            service,
            action,
            times,
            every,
            probability,
            always,
        } = self;
        let kind_name = kind_name.trim().to_ascii_lowercase();
        let this = kind_name.as_str();
        for (field, present, owner) in [
            ("status", status.is_some(), "http_status"),
            ("latency_ms", latency_ms.is_some(), "latency"),
            ("code", code.is_some(), "task_failure"),
            ("message", message.is_some(), "task_failure"),
            ("pages", pages.is_some(), "failed_pages"),
        ] {
            if present && this != owner && FAULT_KIND_NAMES.contains(&this) {
                return Err(spec_error(format!(
                    "`{field}` does not apply to kind `{this}`"
                )));
            }
        }
        let kind = match this {
            "http_status" => {
                let status =
                    status.ok_or_else(|| spec_error("kind `http_status` needs `status`"))?;
                if !(100..=599).contains(&status) {
                    return Err(spec_error(format!(
                        "`status` {status} is not an HTTP status (100–599)"
                    )));
                }
                FaultKind::HttpStatus(status)
            }
            "latency" => FaultKind::Latency(Duration::from_millis(
                latency_ms.ok_or_else(|| spec_error("kind `latency` needs `latency_ms`"))?,
            )),
            "task_failure" => FaultKind::TaskFailure {
                code: code
                    .filter(|c| !c.trim().is_empty())
                    .ok_or_else(|| spec_error("kind `task_failure` needs `code`"))?,
                message: message.unwrap_or_else(|| "Injected by the emulator.".to_owned()),
            },
            "failed_pages" => {
                let pages = pages.unwrap_or_default();
                if pages.is_empty() || pages.contains(&0) {
                    return Err(spec_error(
                        "kind `failed_pages` needs `pages`: 1-based page numbers",
                    ));
                }
                FaultKind::FailedPages(pages)
            }
            "throttle" => FaultKind::Throttle,
            "server_error" => FaultKind::ServerError,
            "drop_connection" => FaultKind::DropConnection,
            "truncated_body" => FaultKind::TruncatedBody,
            "malformed_body" => FaultKind::MalformedBody,
            other => {
                return Err(spec_error(format!(
                    "`{other}` is not a fault kind (one of: {})",
                    FAULT_KIND_NAMES.join(", ")
                )))
            }
        };
        let mut fault = Fault::new(kind);
        fault.scope = match (service, action) {
            (Some(_), Some(_)) => {
                return Err(spec_error("give `service` or `action`, not both"));
            }
            (Some(service), None) => {
                FaultScope::Service(service.parse::<Service>().map_err(spec_error)?)
            }
            (None, Some(action)) if !action.trim().is_empty() => {
                FaultScope::Action(action.trim().to_owned())
            }
            (None, Some(_)) => return Err(spec_error("`action` is empty")),
            (None, None) => FaultScope::Any,
        };
        let triggers = [
            times.is_some(),
            every.is_some(),
            probability.is_some(),
            always.is_some(),
        ];
        if triggers.iter().filter(|t| **t).count() > 1 {
            return Err(spec_error(
                "give at most one of `times`, `every`, `probability`, `always`",
            ));
        }
        fault.trigger = match (times, every, probability, always) {
            (Some(0), ..) | (_, Some(0), ..) => {
                return Err(spec_error("`times` and `every` must be at least 1"))
            }
            (Some(n), ..) => Trigger::Next(n),
            (_, Some(n), ..) => Trigger::Every(n),
            (_, _, Some(p), _) => {
                if !(0.0..=1.0).contains(&p) {
                    return Err(spec_error(format!(
                        "`probability` {p} is not between 0 and 1"
                    )));
                }
                Trigger::Probability(p)
            }
            (_, _, _, Some(true)) => Trigger::Always,
            (_, _, _, Some(false)) | (None, None, None, None) => Trigger::Next(1),
        };
        Ok(fault)
    }
}

impl std::str::FromStr for Fault {
    type Err = FaultSpecError;

    /// Parses a fault from text: a JSON object (the control API's `POST /_emulator/faults`
    /// body) or the same fields as a query string (the binary's `--fault`):
    ///
    /// * `kind`: `throttle`, `server_error`, `http_status` (with `status`), `latency`
    ///   (with `latency_ms`), `drop_connection`, `truncated_body`, `malformed_body`,
    ///   `task_failure` (with `code`, optional `message`), `failed_pages` (with `pages`,
    ///   a JSON array or `2,4` in a query string);
    /// * scope (at most one; every request without): `service` (`ocr`, `lkeap`, `cos`,
    ///   `ci`, `picwish`, `files`) or `action` (`ExtractDocMulti`, `PutObject`,
    ///   `CreateOcrTask`…);
    /// * trigger (at most one; the next matching request without): `times`, `every`,
    ///   `probability` or `always` (`true`).
    ///
    /// ```
    /// use ocr_emulator::{Fault, FaultKind, FaultScope, Service, Trigger};
    ///
    /// let f: Fault = "kind=http_status&status=503&service=cos&every=3".parse().unwrap();
    /// assert_eq!(f.kind, FaultKind::HttpStatus(503));
    /// assert_eq!(f.scope, FaultScope::Service(Service::Cos));
    /// assert_eq!(f.trigger, Trigger::Every(3));
    ///
    /// let g: Fault = r#"{"kind":"task_failure","code":"-7","message":"bad image","times":2}"#
    ///     .parse()
    ///     .unwrap();
    /// assert_eq!(g.trigger, Trigger::Next(2));
    /// assert!("kind=throttle&colour=red".parse::<Fault>().is_err());
    /// ```
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let spec = if text.starts_with('{') {
            serde_json::from_str::<FaultSpec>(text)
                .map_err(|e| spec_error(format!("not a fault description: {e}")))?
        } else {
            FaultSpec::from_query(text)?
        };
        spec.into_fault()
    }
}

/// Identifies an injected fault, to remove it again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FaultId(pub u64);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Category {
    Latency,
    Response,
    Task,
    Pages,
}

struct Active {
    id: FaultId,
    fault: Fault,
    matched: u64,
}

struct Book {
    active: Vec<Active>,
    next_id: u64,
    rng: fastrand::Rng,
}

/// The active faults, shared by all requests.
pub(crate) struct FaultBook {
    inner: Mutex<Book>,
}

impl FaultBook {
    pub(crate) fn new(seed: u64, initial: &[Fault]) -> Self {
        let book = FaultBook {
            inner: Mutex::new(Book {
                active: Vec::new(),
                next_id: 1,
                rng: fastrand::Rng::with_seed(seed),
            }),
        };
        for fault in initial {
            book.inject(fault.clone());
        }
        book
    }

    pub(crate) fn inject(&self, fault: Fault) -> FaultId {
        let mut book = lock(&self.inner);
        let id = FaultId(book.next_id);
        book.next_id += 1;
        book.active.push(Active {
            id,
            fault,
            matched: 0,
        });
        id
    }

    pub(crate) fn remove(&self, id: FaultId) -> bool {
        let mut book = lock(&self.inner);
        let before = book.active.len();
        book.active.retain(|a| a.id != id);
        before != book.active.len()
    }

    pub(crate) fn clear(&self) {
        lock(&self.inner).active.clear();
    }

    pub(crate) fn list(&self) -> Vec<(FaultId, Fault)> {
        lock(&self.inner)
            .active
            .iter()
            .map(|a| (a.id, a.fault.clone()))
            .collect()
    }

    /// The first fault of this category that fires for the request, consuming it
    /// if its trigger is a count.
    pub(crate) fn take(
        &self,
        category: Category,
        service: Service,
        action: Option<&str>,
    ) -> Option<FaultKind> {
        let mut guard = lock(&self.inner);
        let book = &mut *guard;
        let mut fired: Option<(usize, FaultKind, bool)> = None;
        for (index, active) in book.active.iter_mut().enumerate() {
            if active.fault.category() != category || !active.fault.matches(service, action) {
                continue;
            }
            active.matched += 1;
            let (fire, exhausted) = match &mut active.fault.trigger {
                Trigger::Next(n) => {
                    if *n == 0 {
                        (false, true)
                    } else {
                        *n -= 1;
                        (true, *n == 0)
                    }
                }
                Trigger::Every(n) => (active.matched % u64::from((*n).max(1)) == 0, false),
                Trigger::Probability(p) => (book.rng.f64() < *p, false),
                Trigger::Always => (true, false),
            };
            if fire {
                fired = Some((index, active.fault.kind.clone(), exhausted));
                break;
            }
        }
        let (index, kind, exhausted) = fired?;
        if exhausted {
            book.active.remove(index);
        }
        Some(kind)
    }
}

/// Locks a mutex, recovering the data if a holder panicked (state stays usable).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_n_is_consumed_and_removed() {
        let book = FaultBook::new(1, &[]);
        book.inject(Fault::throttle().for_action("A").times(2));
        assert_eq!(book.take(Category::Response, Service::Ocr, Some("B")), None);
        assert_eq!(
            book.take(Category::Response, Service::Ocr, Some("A")),
            Some(FaultKind::Throttle)
        );
        assert!(book
            .take(Category::Response, Service::Ocr, Some("A"))
            .is_some());
        assert!(book
            .take(Category::Response, Service::Ocr, Some("A"))
            .is_none());
        assert!(book.list().is_empty());
    }

    #[test]
    fn every_nth_and_categories() {
        let book = FaultBook::new(1, &[Fault::drop_connection().every(3)]);
        let fired: Vec<bool> = (0..6)
            .map(|_| book.take(Category::Response, Service::Cos, None).is_some())
            .collect();
        assert_eq!(fired, [false, false, true, false, false, true]);
        assert!(book.take(Category::Task, Service::Cos, None).is_none());
    }

    #[test]
    fn probability_is_seeded() {
        let run = || {
            let book = FaultBook::new(7, &[Fault::server_error().with_probability(0.5)]);
            (0..50)
                .map(|_| book.take(Category::Response, Service::Ocr, None).is_some())
                .collect::<Vec<_>>()
        };
        let a = run();
        assert_eq!(a, run());
        assert!(a.iter().any(|x| *x) && a.iter().any(|x| !*x));
    }
}

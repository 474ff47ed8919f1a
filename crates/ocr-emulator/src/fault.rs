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

//! Starting, steering and stopping an emulator.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::Router;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use url::Url;

use crate::app::{dispatch, App};
use crate::clock::EmulatorClock;
use crate::config::EmulatorConfig;
use crate::connection::{ConnInfo, Connections, KillableListener};
use crate::endpoints::Endpoints;
use crate::fault::{Fault, FaultId};
use crate::record::RecordedRequest;
use crate::service::Service;

/// How long a graceful shutdown waits for requests in flight.
const GRACE: Duration = Duration::from_secs(3);

/// Why the emulator could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The bound address could not be turned into a URL.
    #[error("cannot build the base URL for {0}")]
    BaseUrl(SocketAddr),
}

/// A running emulator and the handle to inspect and steer it.
///
/// Dropping it stops the server and closes its connections; [`shutdown`](Self::shutdown)
/// does so gracefully.
pub struct Emulator {
    app: Arc<App>,
    base_url: Url,
    local_addr: SocketAddr,
    stop: Option<watch::Sender<bool>>,
    task: Option<JoinHandle<()>>,
    connections: Arc<Connections>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("base_url", &self.base_url.as_str())
            .field("config", &self.app.shared.config)
            .finish()
    }
}

impl Emulator {
    /// Binds `config.addr` (default `127.0.0.1:0`, a free port) and serves every
    /// emulated service on it, in a task of the current tokio runtime.
    ///
    /// ```no_run
    /// use ocr_emulator::{Emulator, EmulatorConfig};
    ///
    /// # async fn demo() -> Result<(), ocr_emulator::StartError> {
    /// let emulator = Emulator::start(EmulatorConfig::default()).await?;
    /// println!("API 3.0 at {}", emulator.endpoints().tencent);
    /// emulator.shutdown().await;
    /// # Ok(()) }
    /// ```
    pub async fn start(config: EmulatorConfig) -> Result<Emulator, StartError> {
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .map_err(|source| StartError::Bind {
                addr: config.addr,
                source,
            })?;
        let local_addr = listener.local_addr().map_err(|source| StartError::Bind {
            addr: config.addr,
            source,
        })?;
        let base_url = Url::parse(&format!("http://{local_addr}/"))
            .map_err(|_| StartError::BaseUrl(local_addr))?;
        let seed = config.seed.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0)
                ^ u64::from(std::process::id())
        });
        let clock = EmulatorClock::new(config.clock);
        let header_case = crate::header_case::template().await;
        let app = Arc::new(App::new(
            config,
            clock,
            seed,
            local_addr,
            base_url.clone(),
            header_case,
        ));
        let connections = Arc::new(Connections::default());
        let listener = KillableListener::new(listener, Arc::clone(&connections));
        let router = Router::new()
            .fallback(dispatch)
            .layer(DefaultBodyLimit::disable())
            .with_state(Arc::clone(&app));
        let (stop_tx, mut stop_rx) = watch::channel(false);
        let server = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<ConnInfo>(),
        )
        .with_graceful_shutdown(async move {
            let _ = stop_rx.wait_for(|stop| *stop).await;
        });
        let task = tokio::spawn(async move {
            let _ = server.await;
        });
        Ok(Emulator {
            app,
            base_url,
            local_addr,
            stop: Some(stop_tx),
            task: Some(task),
            connections,
        })
    }

    /// The root URL, `http://127.0.0.1:<port>/`.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), ocr_emulator::StartError> {
    /// let emulator = ocr_emulator::Emulator::start(Default::default()).await?;
    /// assert!(emulator.base_url().as_str().starts_with("http://127.0.0.1:"));
    /// # Ok(()) }
    /// ```
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    /// The bound address.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), ocr_emulator::StartError> {
    /// let emulator = ocr_emulator::Emulator::start(Default::default()).await?;
    /// let addr = emulator.local_addr();
    /// assert!(addr.ip().is_loopback());
    /// # Ok(()) }
    /// ```
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The base URL of each service, plus the default bucket and region.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), ocr_emulator::StartError> {
    /// let emulator = ocr_emulator::Emulator::start(Default::default()).await?;
    /// let e = emulator.endpoints();
    /// assert_eq!(e.bucket, ocr_emulator::DEFAULT_BUCKET);
    /// assert!(e.cos.as_str().ends_with("/cos/examplebucket-1250000000/"));
    /// # Ok(()) }
    /// ```
    pub fn endpoints(&self) -> Endpoints {
        Endpoints::new(&self.base_url, &self.app.shared.config)
    }

    /// The configuration in force.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), ocr_emulator::StartError> {
    /// let emulator = ocr_emulator::Emulator::start(Default::default()).await?;
    /// assert_eq!(emulator.config().region, "ap-guangzhou");
    /// # Ok(()) }
    /// ```
    pub fn config(&self) -> &EmulatorConfig {
        &self.app.shared.config
    }

    /// The emulator clock: read it, or move it (a manual clock moves only this way).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), ocr_emulator::StartError> {
    /// use std::time::Duration;
    /// use ocr_emulator::{ClockMode, Emulator, EmulatorConfig};
    /// let emulator = Emulator::start(
    ///     EmulatorConfig::default().with_clock(ClockMode::Manual { start_unix: 1_700_000_000 }),
    /// ).await?;
    /// emulator.clock().advance(Duration::from_secs(31 * 60)); // result URLs now expired
    /// # Ok(()) }
    /// ```
    pub fn clock(&self) -> &EmulatorClock {
        &self.app.shared.clock
    }

    /// The recorded requests, oldest first (at most `record_capacity`), with secrets
    /// redacted.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), ocr_emulator::StartError> {
    /// let emulator = ocr_emulator::Emulator::start(Default::default()).await?;
    /// for r in emulator.recorded_requests() {
    ///     println!("{} {} {:?} -> {:?}", r.method, r.path, r.action, r.status);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn recorded_requests(&self) -> Vec<RecordedRequest> {
        self.app.shared.recorder.snapshot()
    }

    /// How many requests the record holds now (never more than its capacity).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), ocr_emulator::StartError> {
    /// let emulator = ocr_emulator::Emulator::start(Default::default()).await?;
    /// assert!(emulator.recorded_len() <= emulator.config().record_capacity);
    /// # Ok(()) }
    /// ```
    pub fn recorded_len(&self) -> usize {
        self.app.shared.recorder.len()
    }

    /// How many requests have arrived since start (recorded or not).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), ocr_emulator::StartError> {
    /// let emulator = ocr_emulator::Emulator::start(Default::default()).await?;
    /// assert_eq!(emulator.total_requests(), 0);
    /// # Ok(()) }
    /// ```
    pub fn total_requests(&self) -> u64 {
        self.app.shared.recorder.total()
    }

    /// Empties the record (the totals keep counting).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), ocr_emulator::StartError> {
    /// let emulator = ocr_emulator::Emulator::start(Default::default()).await?;
    /// emulator.clear_recorded();
    /// assert_eq!(emulator.recorded_len(), 0);
    /// # Ok(()) }
    /// ```
    pub fn clear_recorded(&self) {
        self.app.shared.recorder.clear();
    }

    /// Requests refused because their action's rate limit was reached (injected throttling
    /// faults aside): zero when a client paces itself within the limits.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), ocr_emulator::StartError> {
    /// let emulator = ocr_emulator::Emulator::start(Default::default()).await?;
    /// assert_eq!(emulator.throttled_requests(), 0);
    /// # Ok(()) }
    /// ```
    pub fn throttled_requests(&self) -> u64 {
        self.app
            .shared
            .throttled
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Accepted submissions (billed create calls: tasks created, synchronous
    /// recognitions answered) of one service.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), ocr_emulator::StartError> {
    /// let emulator = ocr_emulator::Emulator::start(Default::default()).await?;
    /// assert_eq!(emulator.submissions(ocr_emulator::Service::Lkeap), 0);
    /// # Ok(()) }
    /// ```
    pub fn submissions(&self, service: Service) -> u64 {
        self.app.shared.recorder.submissions(service)
    }

    /// Accepted submissions per action (`CreateReconstructDocumentFlow`,
    /// `SubmitJob`, `CreateOcrTask`, `ExtractDocMulti`…).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), ocr_emulator::StartError> {
    /// let emulator = ocr_emulator::Emulator::start(Default::default()).await?;
    /// let counts = emulator.submission_counts();
    /// assert_eq!(counts.get("SubmitJob"), None);
    /// # Ok(()) }
    /// ```
    pub fn submission_counts(&self) -> BTreeMap<String, u64> {
        self.app.shared.recorder.submission_counts()
    }

    /// Injects a fault; returns its id.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), ocr_emulator::StartError> {
    /// use ocr_emulator::{Emulator, Fault};
    /// let emulator = Emulator::start(Default::default()).await?;
    /// emulator.inject(Fault::throttle().for_action("ExtractDocMulti").times(2));
    /// # Ok(()) }
    /// ```
    pub fn inject(&self, fault: Fault) -> FaultId {
        self.app.shared.faults.inject(fault)
    }

    /// Removes an injected fault; false if it was already gone.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), ocr_emulator::StartError> {
    /// let emulator = ocr_emulator::Emulator::start(Default::default()).await?;
    /// let id = emulator.inject(ocr_emulator::Fault::server_error().always());
    /// assert!(emulator.remove_fault(id));
    /// # Ok(()) }
    /// ```
    pub fn remove_fault(&self, id: FaultId) -> bool {
        self.app.shared.faults.remove(id)
    }

    /// Removes every fault.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), ocr_emulator::StartError> {
    /// let emulator = ocr_emulator::Emulator::start(Default::default()).await?;
    /// emulator.inject(ocr_emulator::Fault::drop_connection().every(3));
    /// emulator.clear_faults();
    /// assert!(emulator.faults().is_empty());
    /// # Ok(()) }
    /// ```
    pub fn clear_faults(&self) {
        self.app.shared.faults.clear();
    }

    /// The faults still active.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), ocr_emulator::StartError> {
    /// let emulator = ocr_emulator::Emulator::start(Default::default()).await?;
    /// emulator.inject(ocr_emulator::Fault::throttle().times(2));
    /// assert_eq!(emulator.faults().len(), 1);
    /// # Ok(()) }
    /// ```
    pub fn faults(&self) -> Vec<(FaultId, Fault)> {
        self.app.shared.faults.list()
    }

    /// Sets an action's rate limit in requests per second (`0` = unlimited).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), ocr_emulator::StartError> {
    /// let emulator = ocr_emulator::Emulator::start(Default::default()).await?;
    /// emulator.set_rate_limit("ExtractDocMulti", 1.0);
    /// # Ok(()) }
    /// ```
    pub fn set_rate_limit(&self, action: &str, per_sec: f64) {
        self.app.shared.limits.set(action, per_sec);
    }

    /// Sets the rate limit of actions without their own (`0` = unlimited).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), ocr_emulator::StartError> {
    /// let emulator = ocr_emulator::Emulator::start(Default::default()).await?;
    /// emulator.set_default_rate_limit(0.0);
    /// assert_eq!(emulator.rate_limit("PutObject"), 0.0);
    /// # Ok(()) }
    /// ```
    pub fn set_default_rate_limit(&self, per_sec: f64) {
        self.app.shared.limits.set_default(per_sec);
    }

    /// The rate limit in force for an action (`0` = unlimited).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), ocr_emulator::StartError> {
    /// let emulator = ocr_emulator::Emulator::start(Default::default()).await?;
    /// assert_eq!(emulator.rate_limit("ExtractDocMulti"), 5.0);
    /// # Ok(()) }
    /// ```
    pub fn rate_limit(&self, action: &str) -> f64 {
        self.app.shared.limits.rate(action)
    }

    /// Stores an object in a bucket directly (no request, no signature): test setup.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), ocr_emulator::StartError> {
    /// let emulator = ocr_emulator::Emulator::start(Default::default()).await?;
    /// emulator.put_object(ocr_emulator::DEFAULT_BUCKET, "input/a.txt", b"Total: 3".to_vec());
    /// # Ok(()) }
    /// ```
    pub fn put_object(&self, bucket: &str, key: &str, data: Vec<u8>) {
        self.app
            .shared
            .buckets
            .put_direct(bucket, key, data, self.app.shared.clock.now_unix());
    }

    /// An object's bytes, if it exists.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), ocr_emulator::StartError> {
    /// let emulator = ocr_emulator::Emulator::start(Default::default()).await?;
    /// emulator.put_object(ocr_emulator::DEFAULT_BUCKET, "a.txt", b"hi".to_vec());
    /// assert_eq!(emulator.object(ocr_emulator::DEFAULT_BUCKET, "a.txt").as_deref(), Some(&b"hi"[..]));
    /// # Ok(()) }
    /// ```
    pub fn object(&self, bucket: &str, key: &str) -> Option<Vec<u8>> {
        self.app
            .shared
            .buckets
            .object(bucket, key)
            .map(|o| o.data.to_vec())
    }

    /// Stops accepting, lets requests in flight finish (up to a few seconds), then
    /// closes every connection.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), ocr_emulator::StartError> {
    /// let emulator = ocr_emulator::Emulator::start(Default::default()).await?;
    /// emulator.shutdown().await;
    /// # Ok(()) }
    /// ```
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
        if let Some(mut task) = self.task.take() {
            if tokio::time::timeout(GRACE, &mut task).await.is_err() {
                self.connections.kill_all();
                task.abort();
            }
        }
        self.connections.kill_all();
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
        self.connections.kill_all();
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

//! The `ocr-emulator` command line: flags → [`EmulatorConfig`], start, print the
//! endpoints and test credentials, serve until Ctrl-C.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

use crate::config::{
    EmulatorConfig, TaskDurations, DEFAULT_BUCKET, DEFAULT_REGION, PICWISH_API_KEY, SECRET_ID,
    SECRET_KEY, TEMP_SECRET_ID, TEMP_SECRET_KEY, TEMP_SESSION_TOKEN,
};
use crate::fault::Fault;
use crate::server::{Emulator, StartError};

/// What `--help` adds after the options: the fault syntax and the control API.
const AFTER_HELP: &str = "\
Faults (--fault, repeatable) use the fields of the control API, as a query string:
  kind=throttle|server_error|http_status|latency|drop_connection|truncated_body|
       malformed_body|task_failure|failed_pages
  with status=503 (http_status), latency_ms=200 (latency), code=-7&message=... (task_failure),
  pages=2,4 (failed_pages); optional scope service=ocr|lkeap|cos|ci|picwish|files or
  action=ExtractDocMulti; optional trigger times=N | every=N | probability=P | always=true
  (default: the next matching request). Example:
  --fault 'kind=http_status&status=503&service=cos&every=4'

Control API on the same port (JSON; never recorded, never hit by faults):
  GET /_emulator/record          the request record
  DELETE /_emulator/record       empty it
  GET|POST|DELETE /_emulator/faults, DELETE /_emulator/faults/<id>
                                 list, inject (same fields as JSON), clear, remove
  POST /_emulator/reset          empty the record and clear every fault
  GET|POST /_emulator/clock      read, or move: {\"advance_secs\": 1800}, advance_ms,
                                 rewind_secs, rewind_ms, set_unix";

/// Command-line options of the `ocr-emulator` binary.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "ocr-emulator",
    version,
    about = "A local stand-in for Tencent Cloud OCR, LKEAP, COS + Cloud Infinite and PicWish.",
    after_help = AFTER_HELP
)]
pub struct CliOptions {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:18000")]
    pub addr: SocketAddr,
    /// How long asynchronous tasks take in all, in milliseconds (a quarter queued, the
    /// rest processing).
    #[arg(long, default_value_t = 2000)]
    pub task_duration_ms: u64,
    /// Fraction of requests (0–1) answered with the service's internal error.
    #[arg(long, default_value_t = 0.0)]
    pub fail_rate: f64,
    /// Throttle every Nth request.
    #[arg(long, value_name = "N")]
    pub throttle_every: Option<u32>,
    /// Add this much latency to every request, in milliseconds.
    #[arg(long, value_name = "MS")]
    pub latency_ms: Option<u64>,
    /// Drop the connection of every Nth request without an answer.
    #[arg(long, value_name = "N")]
    pub drop_every: Option<u32>,
    /// Truncate the response body of every Nth request.
    #[arg(long, value_name = "N")]
    pub truncate_every: Option<u32>,
    /// Inject any fault: `kind=…` plus its fields, scope and trigger as a query string, e.g.
    /// `kind=malformed_body&action=ExtractDocMulti&every=3` (repeatable; see below).
    #[arg(long = "fault", value_name = "SPEC")]
    pub faults: Vec<Fault>,
    /// Turn every rate limit off.
    #[arg(long)]
    pub no_rate_limits: bool,
    /// Set one action's rate limit, `Action=per_second` (repeatable; 0 = unlimited).
    #[arg(long = "rate-limit", value_name = "ACTION=RATE", value_parser = parse_rate)]
    pub rate_limits: Vec<(String, f64)>,
    /// How many requests the inspection record keeps.
    #[arg(long, default_value_t = 1000)]
    pub record_capacity: usize,
    /// The default bucket.
    #[arg(long, default_value = DEFAULT_BUCKET)]
    pub bucket: String,
    /// The bucket region.
    #[arg(long, default_value = DEFAULT_REGION)]
    pub region: String,
    /// Seed of ids and probabilistic faults.
    #[arg(long)]
    pub seed: Option<u64>,
}

fn parse_rate(text: &str) -> Result<(String, f64), String> {
    let (action, rate) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}` is not ACTION=RATE"))?;
    let rate: f64 = rate
        .trim()
        .parse()
        .map_err(|_| format!("`{rate}` is not a number"))?;
    if rate.is_nan() || rate < 0.0 {
        return Err(format!("rate `{rate}` must be 0 or more"));
    }
    Ok((action.trim().to_owned(), rate))
}

/// Parses command-line arguments (the first is the program name).
///
/// ```
/// let options = ocr_emulator::cli::parse_args([
///     "ocr-emulator", "--addr", "127.0.0.1:0", "--drop-every", "5",
///     "--fault", "kind=task_failure&code=-7&action=CreateOcrTask",
/// ]).unwrap();
/// assert_eq!(options.drop_every, Some(5));
/// assert_eq!(options.faults.len(), 1);
/// ```
pub fn parse_args<I, T>(args: I) -> Result<CliOptions, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    CliOptions::try_parse_from(args)
}

impl CliOptions {
    /// The emulator configuration these options describe.
    ///
    /// ```
    /// let options = ocr_emulator::cli::parse_args(["ocr-emulator", "--no-rate-limits"]).unwrap();
    /// assert_eq!(options.to_config().default_rate_limit, 0.0);
    /// ```
    pub fn to_config(&self) -> EmulatorConfig {
        let total = Duration::from_millis(self.task_duration_ms);
        let mut config = EmulatorConfig::default()
            .with_addr(self.addr)
            .with_task_durations(TaskDurations::new(total / 4, total - total / 4))
            .with_record_capacity(self.record_capacity)
            .with_bucket(self.bucket.clone(), self.region.clone());
        if self.no_rate_limits {
            config = config.without_rate_limits();
        }
        for (action, rate) in &self.rate_limits {
            config = config.with_rate_limit(action.clone(), *rate);
        }
        if self.fail_rate > 0.0 {
            config = config.with_fault(Fault::server_error().with_probability(self.fail_rate));
        }
        if let Some(n) = self.throttle_every {
            config = config.with_fault(Fault::throttle().every(n));
        }
        if let Some(ms) = self.latency_ms {
            config = config.with_fault(Fault::latency(Duration::from_millis(ms)).always());
        }
        if let Some(n) = self.drop_every {
            config = config.with_fault(Fault::drop_connection().every(n));
        }
        if let Some(n) = self.truncate_every {
            config = config.with_fault(Fault::truncated_body().every(n));
        }
        for fault in &self.faults {
            config = config.with_fault(fault.clone());
        }
        if let Some(seed) = self.seed {
            config = config.with_seed(seed);
        }
        config
    }
}

/// What the binary prints on startup: the endpoints and the test credentials.
///
/// ```no_run
/// # async fn demo() -> Result<(), ocr_emulator::StartError> {
/// let emulator = ocr_emulator::Emulator::start(Default::default()).await?;
/// println!("{}", ocr_emulator::cli::banner(&emulator));
/// # Ok(()) }
/// ```
pub fn banner(emulator: &Emulator) -> String {
    let e = emulator.endpoints();
    let faults = emulator.faults();
    let mut out = format!(
        "ocr-emulator listening on {base}\n\
         \n\
         endpoints\n\
         \x20 Tencent Cloud API 3.0 (OCR 2018-11-19, LKEAP 2024-05-22): {tencent}\n\
         \x20 PicWish (base URL; tasks under /api/tasks/document/ocr): {picwish}\n\
         \x20 COS (bucket {bucket}): {cos}\n\
         \x20 CI  (bucket {bucket}): {ci}\n\
         \x20 region: {region}\n\
         \x20 control API (record, faults, reset, clock): {base}_emulator\n\
         \x20 cloud-ocr: --endpoint {base} works for every provider (cos-ci: with \
         CLOUD_OCR_COS_BUCKET={bucket} and CLOUD_OCR_COS_REGION={region})\n\
         \n\
         test credentials (they open nothing but this emulator)\n\
         \x20 TENCENTCLOUD_SECRET_ID={SECRET_ID}\n\
         \x20 TENCENTCLOUD_SECRET_KEY={SECRET_KEY}\n\
         \x20 temporary key: {TEMP_SECRET_ID} / {TEMP_SECRET_KEY}, token {TEMP_SESSION_TOKEN}\n\
         \x20 PICWISH_API_KEY={PICWISH_API_KEY}\n",
        base = emulator.base_url(),
        tencent = e.tencent,
        picwish = e.picwish,
        bucket = e.bucket,
        cos = e.cos,
        ci = e.ci,
        region = e.region,
    );
    if !faults.is_empty() {
        out.push_str("\nfaults\n");
        for (_, fault) in faults {
            out.push_str(&format!(
                "  {:?} on {:?}, {:?}\n",
                fault.kind, fault.scope, fault.trigger
            ));
        }
    }
    out.push_str("\nCtrl-C stops it.\n");
    out
}

/// Starts the emulator with these options, prints the banner and serves until Ctrl-C.
///
/// ```no_run
/// # async fn demo() -> Result<(), ocr_emulator::StartError> {
/// let options = ocr_emulator::cli::parse_args(["ocr-emulator"]).unwrap();
/// ocr_emulator::cli::run(options).await?;
/// # Ok(()) }
/// ```
pub async fn run(options: CliOptions) -> Result<(), StartError> {
    let emulator = Emulator::start(options.to_config()).await?;
    // A closed stdout (a pipe whose reader went away) must not bring the emulator down.
    {
        use std::io::Write as _;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", banner(&emulator));
        let _ = out.flush();
    }
    let _ = tokio::signal::ctrl_c().await;
    {
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), "stopping…");
    }
    emulator.shutdown().await;
    Ok(())
}

/// The whole binary: parse `std::env::args_os()`, run, map errors to an exit code.
pub async fn main() -> ExitCode {
    let options = match parse_args(std::env::args_os()) {
        Ok(o) => o,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ocr-emulator: {e}");
            ExitCode::FAILURE
        }
    }
}

//! `cloud-ocr batch --coordinator redis://…`: several worker processes, one real
//! `redis-server` and one emulator process (`cloud-ocr emulator`), all started here on
//! loopback. Workers are killed with SIGKILL and restarted; Redis is stopped and restarted.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// LKEAP's documented limit of every document action, per second.
const LIMIT: usize = 20;
const CREATE: &str = "CreateReconstructDocumentFlow";
const GET: &str = "GetReconstructDocumentResult";

/// A `redis-server` on a free loopback port, killed when dropped.
struct Redis {
    child: Option<Child>,
    port: u16,
}

impl Redis {
    fn start() -> Redis {
        let port = TcpListener::bind(("127.0.0.1", 0))
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        Redis::start_on(port)
    }

    fn start_on(port: u16) -> Redis {
        Redis::start_in(port, None)
    }

    /// With `dir`: every write appended and fsynced there (AOF), so a restart keeps the data.
    #[allow(clippy::zombie_processes)] // a server that never answers fails the test anyway
    fn start_in(port: u16, dir: Option<&Path>) -> Redis {
        let mut cmd = Command::new("redis-server");
        cmd.args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
        ]);
        match dir {
            Some(dir) => cmd
                .args(["--appendonly", "yes", "--appendfsync", "always"])
                .arg("--dir")
                .arg(dir),
            None => cmd
                .args(["--appendonly", "no", "--dir"])
                .arg(std::env::temp_dir()),
        };
        let child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start redis-server ({e}): install it (apt-get install redis-server)")
            });
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
                let _ = s.write_all(b"PING\r\n");
                let mut buf = [0u8; 8];
                if matches!(s.read(&mut buf), Ok(n) if buf[..n].starts_with(b"+PONG")) {
                    return Redis {
                        child: Some(child),
                        port,
                    };
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("redis-server did not answer on {port}");
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `cloud-ocr emulator` in the foreground, as its own process; its base URL from the banner.
struct EmulatorProcess {
    child: Child,
    base: String,
}

impl EmulatorProcess {
    fn start(task_ms: u64) -> EmulatorProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cloud-ocr"))
            .args(["emulator", "--addr", "127.0.0.1:0"])
            .args(["--task-duration-ms", &task_ms.to_string()])
            .args(["--record-capacity", "100000"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next().unwrap().unwrap();
        let base = first
            .split_whitespace()
            .last()
            .unwrap()
            .trim_end_matches('/')
            .to_owned();
        // Keep reading the banner in the background so the pipe never fills.
        std::thread::spawn(move || for _ in lines {});
        EmulatorProcess { child, base }
    }

    fn get(&self, path: &str) -> serde_json::Value {
        let addr = self.base.trim_start_matches("http://");
        let mut s = TcpStream::connect(addr).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.0\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut text = String::new();
        s.read_to_string(&mut text).unwrap();
        let body = text.split_once("\r\n\r\n").unwrap().1;
        serde_json::from_str(body).unwrap()
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn write_inputs(dir: &Path, n: usize) {
    std::fs::create_dir_all(dir).unwrap();
    for i in 0..n {
        let png = ocr_emulator::samples::png_with_text(120, 40, &format!("Doc {i}"));
        std::fs::write(dir.join(format!("doc-{i:03}.png")), png).unwrap();
    }
}

fn results(out: &Path) -> usize {
    std::fs::read_dir(out)
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|e| e.file_name().to_string_lossy().ends_with(".png.txt"))
                .count()
        })
        .unwrap_or(0)
}

/// The busiest one-second window of `action`'s arrivals.
fn busiest(record: &serde_json::Value, action: &str) -> (usize, usize) {
    let times: Vec<u64> = record["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"] == action)
        .map(|r| r["at_millis"].as_u64().unwrap())
        .collect();
    let max = times
        .iter()
        .map(|&from| {
            times
                .iter()
                .filter(|&&t| t >= from && t < from + 1000)
                .count()
        })
        .max()
        .unwrap_or(0);
    (times.len(), max)
}

struct Fleet<'a> {
    sandbox: &'a Sandbox,
    emulator: &'a EmulatorProcess,
    redis_url: String,
    config: std::path::PathBuf,
}

impl Fleet<'_> {
    fn worker(&self, n: usize) -> Child {
        let mut cmd = self.sandbox.cloud_ocr(&tencent_vars());
        cmd.args(["batch", "in", "--out", "out", "-j", "8", "--no-cache"])
            .args(["--endpoint", &self.emulator.base])
            .args(["--coordinator", &self.redis_url, "--lease-secs", "2"])
            .arg("--config")
            .arg(&self.config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(
                std::fs::File::create(self.sandbox.path().join(format!("w{n}.stderr"))).unwrap(),
            );
        cmd.spawn().unwrap()
    }

    fn stderr(&self, n: usize) -> String {
        std::fs::read_to_string(self.sandbox.path().join(format!("w{n}.stderr")))
            .unwrap_or_default()
    }
}

fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn wait_exit(child: &mut Child, limit: Duration) -> i32 {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code().unwrap_or(-1);
        }
        assert!(
            start.elapsed() < limit,
            "a worker did not finish within {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn three_workers_one_killed_twice_do_every_input_once_within_the_limit() {
    let started = Instant::now();
    let redis = Redis::start();
    let emulator = EmulatorProcess::start(300);
    let sandbox = Sandbox::new();
    let n = 300;
    write_inputs(&sandbox.path().join("in"), n);
    let config = sandbox.write(
        "cloud-ocr.toml",
        "provider = \"lkeap\"\n[lkeap]\npoll_interval_secs = 0.5\n",
    );
    let fleet = Fleet {
        sandbox: &sandbox,
        emulator: &emulator,
        redis_url: redis.url(),
        config,
    };
    let out = sandbox.path().join("out");
    let mut workers: Vec<Child> = (0..3).map(|i| fleet.worker(i)).collect();
    let mut kills = 0;
    for at in [60, 150] {
        wait_for("results", Duration::from_secs(60), || results(&out) >= at);
        workers[0].kill().unwrap(); // SIGKILL
        workers[0].wait().unwrap();
        kills += 1;
        workers[0] = fleet.worker(3 + kills);
    }
    let codes: Vec<i32> = workers
        .iter_mut()
        .map(|w| wait_exit(w, Duration::from_secs(90)))
        .collect();
    // A worker killed between recording `submitting` and recording the job it got leaves that
    // input's outcome unknown: it is reported failed ("may have reached the service"), never
    // submitted again. A kill catches at most -j (4) submissions; every other input is done.
    // --status tells the whole run.
    let mut status = sandbox.cloud_ocr(&tencent_vars());
    status
        .args(["batch", "in", "--out", "out", "--status"])
        .args(["--endpoint", &emulator.base, "--coordinator", &redis.url()])
        .arg("--config")
        .arg(&fleet.config);
    let output = status.output().unwrap();
    let fleet_status = stderr(&output);
    let unknown = fleet_status
        .lines()
        .filter(|l| l.contains("stopped while submitting"))
        .count();
    assert!(unknown <= 4 * kills, "{fleet_status}");
    assert!(
        fleet_status.contains(&format!("{} done, {unknown} failed", n - unknown)),
        "{fleet_status}"
    );
    for (i, code) in codes.iter().enumerate() {
        let w = if i == 0 { 3 + kills } else { i };
        // 0, or 1 for a worker that saw an input failed with an unknown outcome.
        let allowed: &[i32] = if unknown == 0 { &[0] } else { &[0, 1] };
        assert!(
            allowed.contains(code),
            "worker {i} exit {code}:\n{}",
            fleet.stderr(w)
        );
    }
    assert_eq!(results(&out), n - unknown, "one result file per input");
    let record = emulator.get("/_emulator/record");
    let submissions = record["submissions"][CREATE].as_u64().unwrap();
    let (creates, busiest_create) = busiest(&record, CREATE);
    let (gets, busiest_get) = busiest(&record, GET);
    eprintln!(
        "{n} inputs, 3 workers, 2 kills: {submissions} submissions ({creates} create requests), \
         {gets} polls; busiest 1-s window: {busiest_create} creates, {busiest_get} polls \
         (limit {LIMIT}/s); {:.1} s",
        started.elapsed().as_secs_f64()
    );
    // Exactly once each; an input whose worker died mid-submission at most once.
    assert!(
        (n - unknown) as u64 <= submissions && submissions <= n as u64,
        "{submissions} submissions for {n} inputs ({unknown} unknown)"
    );
    assert!(
        busiest_create <= LIMIT + 1,
        "{busiest_create} creates in one second"
    );
    assert!(
        busiest_get <= LIMIT + 1,
        "{busiest_get} polls in one second"
    );
}

#[test]
fn redis_stopped_mid_run_stops_the_workers_and_a_rerun_finishes_without_loss() {
    let sandbox = Sandbox::new();
    let data = sandbox.path().join("redis-data");
    std::fs::create_dir_all(&data).unwrap();
    let port = TcpListener::bind(("127.0.0.1", 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut redis = Redis::start_in(port, Some(&data));
    let emulator = EmulatorProcess::start(300);
    let n = 120;
    write_inputs(&sandbox.path().join("in"), n);
    let config = sandbox.write(
        "cloud-ocr.toml",
        "provider = \"lkeap\"\n[lkeap]\npoll_interval_secs = 0.5\n",
    );
    let fleet = Fleet {
        sandbox: &sandbox,
        emulator: &emulator,
        redis_url: format!("redis://127.0.0.1:{port}/0"),
        config,
    };
    let out = sandbox.path().join("out");
    let mut workers: Vec<Child> = (0..2).map(|i| fleet.worker(i)).collect();
    wait_for("results", Duration::from_secs(60), || results(&out) >= 30);
    redis.stop();
    let codes: Vec<i32> = workers
        .iter_mut()
        .map(|w| wait_exit(w, Duration::from_secs(60)))
        .collect();
    for (i, code) in codes.iter().enumerate() {
        let err = fleet.stderr(i);
        assert_eq!(
            *code, 5,
            "worker {i} stops with the service exit code:\n{err}"
        );
        assert!(err.contains("Redis at redis://127.0.0.1:"), "{err}");
        assert!(err.contains("Nothing more was submitted"), "{err}");
    }
    let before = emulator.get("/_emulator/record")["submissions"][CREATE]
        .as_u64()
        .unwrap_or(0);
    assert!(results(&out) < n, "stopped before the end");
    // The emulator saw no submission after the workers stopped.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        emulator.get("/_emulator/record")["submissions"][CREATE]
            .as_u64()
            .unwrap_or(0),
        before
    );

    // Redis comes back with what it had (AOF): the rerun polls the submitted jobs and
    // submits only what was never sent.
    let _redis = Redis::start_in(port, Some(&data));
    let mut rerun = fleet.worker(9);
    let code = wait_exit(&mut rerun, Duration::from_secs(90));
    assert_eq!(code, 0, "{}", fleet.stderr(9));
    assert_eq!(results(&out), n);
    let submissions = emulator.get("/_emulator/record")["submissions"][CREATE]
        .as_u64()
        .unwrap();
    eprintln!("{before} submitted before Redis stopped; {submissions} in all");
    assert_eq!(
        submissions, n as u64,
        "nothing submitted twice, nothing lost"
    );
}

/// Workers of one run apply the same options: a worker started with others is refused
/// before it claims anything.
#[test]
fn a_worker_with_other_options_is_refused_by_the_run() {
    let redis = Redis::start();
    let emulator = EmulatorProcess::start(50);
    let sandbox = Sandbox::new();
    write_inputs(&sandbox.path().join("in"), 3);
    let config = sandbox.write(
        "cloud-ocr.toml",
        "provider = \"lkeap\"\n[lkeap]\npoll_interval_secs = 0.2\n",
    );
    let worker = |extra: &[&str]| {
        let mut cmd = sandbox.cloud_ocr(&tencent_vars());
        cmd.args(["batch", "in", "--out", "out", "--no-cache"])
            .args(["--endpoint", &emulator.base, "--coordinator", &redis.url()])
            .arg("--config")
            .arg(&config)
            .args(extra);
        cmd.output().unwrap()
    };
    let first = worker(&[]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let sent = emulator.get("/_emulator/record")["submissions"][CREATE]
        .as_u64()
        .unwrap();
    let other = worker(&["--strict"]);
    assert_eq!(other.status.code(), Some(2), "{}", stderr(&other));
    assert!(
        stderr(&other).contains("other settings"),
        "{}",
        stderr(&other)
    );
    // The same settings join the run (nothing left to do); -q: nothing to say when all is well.
    let same = worker(&["-q"]);
    assert_eq!(same.status.code(), Some(0), "{}", stderr(&same));
    assert_eq!(stderr(&same), "", "quiet");
    assert_eq!(
        emulator.get("/_emulator/record")["submissions"][CREATE]
            .as_u64()
            .unwrap(),
        sent
    );
}

/// A coordinated worker warns as a lone `batch` does: a chain member skipped for an input is
/// named on stderr, with why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinated_worker_names_the_chain_members_it_skipped() {
    use ocr_emulator::{EmulatorConfig, Fault, Service};
    let redis = Redis::start();
    let emu = emulator(EmulatorConfig::default().without_rate_limits()).await;
    emu.inject(Fault::throttle().for_service(Service::Ocr).always());
    let sandbox = Sandbox::new();
    write_inputs(&sandbox.path().join("in"), 2);
    let (config, vars) = fallback_chain(&sandbox, &emu);
    let mut cmd = sandbox.cloud_ocr(&vars);
    cmd.args(["batch", "in", "--out", "out", "--no-cache"])
        .args(["--coordinator", &redis.url(), "--config"])
        .arg(&config);
    let out = run(cmd).await;
    assert_exit(&out, 0);
    let err = stderr(&out);
    assert_eq!(
        err.matches("tc-ocr was skipped").count(),
        2,
        "one warning per input: {err}"
    );
}

/// `scan` with the configuration's `coordinator` takes its turn in the account's shared rate
/// limit (a budget key appears in Redis); a coordinator that does not answer is an error,
/// never a scan outside the limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scan_shares_the_rate_limit_of_the_configured_coordinator() {
    use ocr_emulator::EmulatorConfig;
    let redis = Redis::start();
    let emu = emulator(EmulatorConfig::default()).await;
    let sandbox = Sandbox::new();
    let tencent = emu.endpoints().tencent.to_string();
    let scan = |coordinator: &str| {
        let config = sandbox.write(
            "cloud-ocr.toml",
            format!("coordinator = \"{coordinator}\"\nprovider = \"tc-ocr\"\n"),
        );
        let mut cmd = sandbox.cloud_ocr(&tencent_vars());
        cmd.arg("scan")
            .arg(invoice_png())
            .args(["--endpoint", &tencent, "--no-cache", "--config"])
            .arg(config);
        cmd
    };
    let out = run(scan(&redis.url())).await;
    assert_exit(&out, 0);
    let mut s = TcpStream::connect(("127.0.0.1", redis.port)).unwrap();
    s.write_all(b"KEYS cloud-ocr:rl:tc-ocr:*\r\n").unwrap();
    let mut buf = [0u8; 512];
    let n = s.read(&mut buf).unwrap();
    let keys = String::from_utf8_lossy(&buf[..n]);
    assert!(keys.contains(":GeneralAccurateOCR"), "{keys}");

    let dead = TcpListener::bind(("127.0.0.1", 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let sent = emu.recorded_len();
    let out = run(scan(&format!("redis://127.0.0.1:{dead}/0"))).await;
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("cannot connect to the Redis"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        emu.recorded_len(),
        sent,
        "nothing sent outside the shared limit"
    );
}

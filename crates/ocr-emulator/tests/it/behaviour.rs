//! The handle: recording (bounded, redacted), endpoints, the binary's entry points,
//! shutdown and drop.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::time::Duration;

use common::*;
use ocr_emulator::samples::png_with_text;
use ocr_emulator::{cli, Emulator, EmulatorConfig, Service, REDACTED};
use serde_json::{json, Value};

#[tokio::test]
async fn requests_are_recorded_with_secrets_redacted() {
    let emu = start(manual_config()).await;
    let mut call = Tc3Call::new(
        &emu,
        "GeneralBasicOCR",
        &json!({ "ImageBase64": b64(&png_with_text(800, 600, "x")) }),
    );
    call.credential = ocr_emulator::temporary_test_credential();
    let (r, _) = call.send(&emu).await;
    success(r["Response"].clone());
    let recorded = emu.recorded_requests();
    let entry = recorded.last().unwrap();
    assert_eq!(entry.seq, 1);
    assert_eq!(entry.method, "POST");
    assert_eq!(entry.path, "/");
    assert_eq!(entry.service, Service::Ocr);
    assert_eq!(entry.action.as_deref(), Some("GeneralBasicOCR"));
    assert_eq!(entry.status, Some(200));
    assert_eq!(entry.at_millis, T0 * 1000);
    assert_eq!(entry.body_size, call.body.len() as u64);
    assert_eq!(entry.header("authorization"), Some(REDACTED));
    assert_eq!(entry.header("x-tc-token"), Some(REDACTED));
    assert_eq!(entry.header("x-tc-action"), Some("GeneralBasicOCR"));
    let dump = format!("{recorded:?}");
    assert!(!dump.contains(ocr_emulator::TEMP_SESSION_TOKEN));
    assert!(!dump.contains("Signature="));

    let config_dump = format!("{:?}", emu.config());
    for secret in [
        ocr_emulator::SECRET_KEY,
        ocr_emulator::TEMP_SECRET_KEY,
        ocr_emulator::TEMP_SESSION_TOKEN,
        ocr_emulator::PICWISH_API_KEY,
    ] {
        assert!(!config_dump.contains(secret), "{secret} in {config_dump}");
        assert!(!format!("{emu:?}").contains(secret));
    }
    emu.clear_recorded();
    assert_eq!(emu.recorded_len(), 0);
    assert_eq!(emu.total_requests(), 1);
}

#[tokio::test]
async fn memory_stays_bounded_over_ten_thousand_requests() {
    let emu = start(manual_config()).await;
    let client = client();
    let url = emu.endpoints().tencent;
    for _ in 0..10_000 {
        // Unsigned: refused at once, but recorded.
        let r = client
            .post(url.clone())
            .header("X-TC-Action", "GeneralBasicOCR")
            .header("X-TC-Version", "2018-11-19")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        r.bytes().await.unwrap();
    }
    assert_eq!(emu.total_requests(), 10_000);
    assert_eq!(emu.recorded_len(), 1_000);
    let recorded = emu.recorded_requests();
    assert_eq!(recorded.first().unwrap().seq, 9_001);
    assert_eq!(recorded.last().unwrap().seq, 10_000);
}

#[tokio::test]
async fn endpoints_point_at_each_service() {
    let emu = start(manual_config()).await;
    let e = emu.endpoints();
    let base = emu.base_url().as_str().to_owned();
    assert!(base.starts_with("http://127.0.0.1:") && base.ends_with('/'));
    assert_eq!(e.tencent.as_str(), base);
    assert_eq!(e.picwish.as_str(), base);
    assert_eq!(
        e.cos.as_str(),
        format!("{base}cos/examplebucket-1250000000/")
    );
    assert_eq!(e.ci.as_str(), format!("{base}ci/examplebucket-1250000000/"));
    assert_eq!(e.bucket, "examplebucket-1250000000");
    assert_eq!(e.region, "ap-guangzhou");
    let index = client()
        .get(base)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(index.contains(e.cos.as_str()));
    let r = client()
        .get(format!("{}nothing/here", emu.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn the_binary_entry_points_start_a_working_emulator() {
    let options = cli::parse_args([
        "ocr-emulator",
        "--addr",
        "127.0.0.1:0",
        "--task-duration-ms",
        "0",
        "--throttle-every",
        "3",
        "--rate-limit",
        "ExtractDocMulti=7",
        "--seed",
        "1",
    ])
    .unwrap();
    let config = options.to_config();
    assert_eq!(config.rate_limits["ExtractDocMulti"], 7.0);
    assert_eq!(config.faults.len(), 1);
    let emu = Emulator::start(config).await.unwrap();
    let banner = cli::banner(&emu);
    assert!(banner.contains(emu.endpoints().cos.as_str()));
    assert!(banner.contains(ocr_emulator::SECRET_ID));
    assert!(banner.contains(ocr_emulator::PICWISH_API_KEY));
    assert!(banner.contains("Throttle"));
    // Every URL it prints is a base URL that works with `cloud-ocr --endpoint`.
    let picwish_line = banner.lines().find(|l| l.contains("PicWish")).unwrap();
    assert!(
        picwish_line
            .trim_end()
            .ends_with(emu.endpoints().picwish.as_str()),
        "{picwish_line}"
    );
    assert!(banner.contains(&format!("--endpoint {}", emu.base_url())));
    let statuses: Vec<u16> = futures_statuses(&emu, 3).await;
    assert_eq!(statuses, [404, 404, 429]);
    assert!(cli::parse_args(["ocr-emulator", "--rate-limit", "nonsense"]).is_err());
    assert!(cli::parse_args(["ocr-emulator", "--addr", "not-an-addr"]).is_err());
    let defaults = cli::parse_args(["ocr-emulator"]).unwrap();
    assert_eq!(defaults.addr.to_string(), "127.0.0.1:18000");
    let config = cli::parse_args([
        "ocr-emulator",
        "--fail-rate",
        "0.5",
        "--drop-every",
        "4",
        "--latency-ms",
        "5",
        "--no-rate-limits",
    ])
    .unwrap()
    .to_config();
    assert_eq!(config.faults.len(), 3);
    assert_eq!(config.default_rate_limit, 0.0);
}

async fn futures_statuses(emu: &Emulator, n: usize) -> Vec<u16> {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(
            picwish_query(emu, "x")
                .send()
                .await
                .unwrap()
                .status()
                .as_u16(),
        );
    }
    out
}

#[tokio::test]
async fn shutdown_closes_the_port_and_open_connections() {
    let emu = start(manual_config()).await;
    let addr = emu.local_addr();
    let client = client();
    // A keep-alive connection is open when the emulator stops.
    let r = client.get(emu.base_url().as_str()).send().await.unwrap();
    assert_eq!(r.status(), 200);
    r.bytes().await.unwrap();
    emu.shutdown().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
    let again = tokio::time::timeout(
        Duration::from_secs(5),
        client.get(format!("http://{addr}/")).send(),
    )
    .await
    .expect("does not hang");
    assert!(again.is_err());
}

#[tokio::test]
async fn dropping_the_handle_stops_the_server() {
    let emu = start(manual_config()).await;
    let addr = emu.local_addr();
    drop(emu);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn the_system_clock_runs_tasks_in_real_time() {
    let emu = start(
        EmulatorConfig::default()
            .without_rate_limits()
            .with_task_durations(ocr_emulator::TaskDurations::new(
                Duration::ZERO,
                Duration::from_millis(300),
            )),
    )
    .await;
    let r = success(
        tc3(
            &emu,
            "CreateReconstructDocumentFlow",
            json!({ "FileType": "PDF", "FileUrl": "https://example.com/a.pdf" }),
        )
        .await,
    );
    let poll = || {
        tc3(
            &emu,
            "GetReconstructDocumentResult",
            json!({ "TaskId": r["TaskId"] }),
        )
    };
    assert_eq!(success(poll().await)["Status"], "Processing");
    tokio::time::sleep(Duration::from_millis(400)).await;
    let done: Value = success(poll().await);
    assert_eq!(done["Status"], "Success");
}

//! The control API on the emulator's port (`/_emulator/…`): the record, faults of every kind,
//! reset and the clock, driven over plain HTTP as a test in any language would; and the
//! binary's `--fault`, which takes every kind too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use std::time::Duration;

use common::*;
use ocr_emulator::samples::png_with_text;
use ocr_emulator::{Emulator, Fault, FaultKind, FaultScope, Service, Trigger, FAULT_KIND_NAMES};
use serde_json::{json, Value};

fn control_url(emu: &Emulator, path: &str) -> String {
    format!("{}_emulator{path}", emu.base_url())
}

async fn get(emu: &Emulator, path: &str) -> (u16, Value) {
    let r = client().get(control_url(emu, path)).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn send(emu: &Emulator, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut rb = client().request(method, control_url(emu, path));
    if let Some(body) = body {
        rb = rb
            .header("Content-Type", "application/json")
            .body(body.to_string());
    }
    let r = rb.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn png_body() -> Value {
    json!({ "ImageBase64": b64(&png_with_text(800, 600, "Total: 3")) })
}

/// One JSON description per fault kind.
fn every_kind() -> Vec<Value> {
    vec![
        json!({ "kind": "throttle", "service": "ocr", "times": 2 }),
        json!({ "kind": "server_error", "action": "PutObject", "every": 3 }),
        json!({ "kind": "http_status", "status": 502, "probability": 0.5 }),
        json!({ "kind": "latency", "latency_ms": 5, "always": true }),
        json!({ "kind": "drop_connection", "service": "picwish" }),
        json!({ "kind": "truncated_body", "action": "GetObject" }),
        json!({ "kind": "malformed_body", "service": "ci", "every": 2 }),
        json!({ "kind": "task_failure", "code": "-7", "message": "bad", "action": "CreateOcrTask" }),
        json!({ "kind": "failed_pages", "pages": [2, 4], "service": "lkeap" }),
    ]
}

#[tokio::test]
async fn the_record_leaves_out_control_requests() {
    let emu = start(manual_config()).await;
    let (status, record) = get(&emu, "/record").await;
    assert_eq!(status, 200);
    assert_eq!(record["requests"], json!([]));
    assert_eq!(record["total_requests"], 0);

    success(tc3(&emu, "ExtractDocMulti", png_body()).await);
    let (_, record) = get(&emu, "/record").await;
    let requests = record["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 1, "{record}");
    let r = &requests[0];
    assert_eq!(r["action"], "ExtractDocMulti");
    assert_eq!(r["service"], "ocr");
    assert_eq!(r["method"], "POST");
    assert_eq!(r["status"], 200);
    assert_eq!(r["seq"], 1);
    let authorization = r["headers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h[0] == "authorization")
        .unwrap();
    assert_eq!(authorization[1], ocr_emulator::REDACTED);
    assert_eq!(record["submissions"]["ExtractDocMulti"], 1);
    assert_eq!(record["total_requests"], 1);
    assert_eq!(emu.recorded_len(), 1, "control requests are not recorded");

    assert_eq!(send(&emu, "DELETE", "/record", None).await.0, 204);
    let (_, record) = get(&emu, "/record").await;
    assert_eq!(record["requests"], json!([]));
    assert_eq!(record["submissions"], json!({}));
}

#[tokio::test]
async fn faults_of_every_kind_are_injected_listed_and_cleared() {
    let emu = start(manual_config()).await;
    let mut ids = Vec::new();
    for spec in every_kind() {
        let (status, body) = send(&emu, "POST", "/faults", Some(spec.clone())).await;
        assert_eq!(status, 201, "{spec} -> {body}");
        ids.push(body["id"].as_u64().unwrap());
    }
    let (_, listed) = get(&emu, "/faults").await;
    let listed = listed["faults"].as_array().unwrap().clone();
    let kinds: Vec<&str> = listed.iter().map(|f| f["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, FAULT_KIND_NAMES);
    // The listing uses the fields of the request (plus the id).
    for (spec, fault) in every_kind().iter().zip(&listed) {
        for (key, value) in spec.as_object().unwrap() {
            assert_eq!(&fault[key], value, "{key} of {fault}");
        }
    }
    assert_eq!(emu.faults().len(), every_kind().len());
    let (_, faults) = emu.faults()[7].clone();
    assert_eq!(
        faults.kind,
        FaultKind::TaskFailure {
            code: "-7".into(),
            message: "bad".into()
        }
    );
    assert_eq!(faults.scope, FaultScope::Action("CreateOcrTask".into()));

    assert_eq!(
        send(&emu, "DELETE", &format!("/faults/{}", ids[0]), None)
            .await
            .0,
        204
    );
    assert_eq!(
        send(&emu, "DELETE", &format!("/faults/{}", ids[0]), None)
            .await
            .0,
        404
    );
    assert_eq!(send(&emu, "DELETE", "/faults", None).await.0, 204);
    assert!(emu.faults().is_empty());

    // Mistakes are refused with a reason.
    for bad in [
        json!({ "kind": "throttle", "colour": "red" }),
        json!({ "kind": "teapot" }),
        json!({ "kind": "http_status" }),
        json!({ "kind": "throttle", "status": 503 }),
        json!({ "kind": "throttle", "service": "s3" }),
        json!({ "kind": "throttle", "service": "ocr", "action": "ExtractDocMulti" }),
        json!({ "kind": "throttle", "times": 2, "always": true }),
        json!({ "kind": "failed_pages", "pages": [] }),
    ] {
        let (status, body) = send(&emu, "POST", "/faults", Some(bad.clone())).await;
        assert_eq!(status, 400, "{bad}");
        assert!(body["error"].as_str().is_some_and(|e| !e.is_empty()));
    }
    assert!(emu.faults().is_empty());
}

#[tokio::test]
async fn injected_faults_shape_the_answers_and_reset_clears_them() {
    let emu = start(manual_config()).await;
    let (status, _) = send(
        &emu,
        "POST",
        "/faults",
        Some(json!({ "kind": "http_status", "status": 503, "action": "ExtractDocMulti", "times": 1 })),
    )
    .await;
    assert_eq!(status, 201);
    let r = Tc3Call::new(&emu, "ExtractDocMulti", &png_body())
        .request(&emu)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    success(tc3(&emu, "ExtractDocMulti", png_body()).await);

    // A fault on every request leaves the control API alone, so it can be cleared.
    send(
        &emu,
        "POST",
        "/faults",
        Some(json!({ "kind": "drop_connection", "always": true })),
    )
    .await;
    assert!(Tc3Call::new(&emu, "ExtractDocMulti", &png_body())
        .request(&emu)
        .send()
        .await
        .is_err());
    let (_, record) = get(&emu, "/record").await;
    assert_eq!(record["requests"].as_array().unwrap().len(), 3);
    assert_eq!(send(&emu, "POST", "/reset", None).await.0, 204);
    assert!(emu.faults().is_empty());
    let (_, record) = get(&emu, "/record").await;
    assert_eq!(record["requests"], json!([]));
    success(tc3(&emu, "ExtractDocMulti", png_body()).await);
}

#[tokio::test]
async fn the_clock_moves_to_expire_urls_and_skew_signatures() {
    let emu = start(manual_config()).await;
    let (status, clock) = get(&emu, "/clock").await;
    assert_eq!(status, 200);
    assert_eq!(clock["now_unix"], T0);
    assert_eq!(clock["manual"], true);
    let (_, clock) = send(
        &emu,
        "POST",
        "/clock",
        Some(json!({ "advance_secs": 1800 })),
    )
    .await;
    assert_eq!(clock["now_unix"], T0 + 1800);
    assert_eq!(emu.clock().now_unix(), T0 + 1800);
    let (_, clock) = send(&emu, "POST", "/clock", Some(json!({ "rewind_ms": 1000 }))).await;
    assert_eq!(clock["now_unix"], T0 + 1799);
    let (_, clock) = send(&emu, "POST", "/clock", Some(json!({ "set_unix": T0 }))).await;
    assert_eq!(clock["now_unix"], T0);
    // A signature made before the clock moved ten minutes on is refused.
    let call = Tc3Call::new(&emu, "ExtractDocMulti", &png_body());
    send(&emu, "POST", "/clock", Some(json!({ "advance_secs": 600 }))).await;
    let (r, _) = call.send(&emu).await;
    assert_eq!(error_code(&r["Response"]), "AuthFailure.SignatureExpire");
    for bad in [
        json!({}),
        json!({ "advance_secs": 1, "rewind_secs": 1 }),
        json!({ "forward": 1 }),
    ] {
        assert_eq!(send(&emu, "POST", "/clock", Some(bad)).await.0, 400);
    }
}

#[tokio::test]
async fn control_paths_never_shadow_a_service() {
    let emu = start(manual_config()).await;
    assert_eq!(get(&emu, "").await.0, 200);
    assert_eq!(get(&emu, "/nothing").await.0, 404);
    assert_eq!(send(&emu, "PUT", "/record", None).await.0, 405);
    // With X-TC-Action the request is an API 3.0 call, whatever its path.
    let r = client()
        .post(control_url(&emu, "/record"))
        .header("X-TC-Action", "ExtractDocMulti")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert!(body["Response"]["Error"]["Code"]
        .as_str()
        .unwrap()
        .starts_with("AuthFailure"));
    // On a bucket host it is an object key.
    let r = client()
        .get(control_url(&emu, "/record"))
        .header(
            "Host",
            format!(
                "{}.cos.ap-guangzhou.myqcloud.com",
                ocr_emulator::DEFAULT_BUCKET
            ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "an unsigned COS request");
    let recorded = emu.recorded_requests();
    assert_eq!(recorded.len(), 2);
    assert_eq!(recorded[1].action.as_deref(), Some("GetObject"));
}

#[test]
fn the_binary_takes_every_fault_kind() {
    let mut args = vec!["ocr-emulator".to_owned()];
    let specs = [
        "kind=throttle&service=ocr&times=2",
        "kind=server_error&action=PutObject&every=3",
        "kind=http_status&status=502&probability=0.5",
        "kind=latency&latency_ms=5&always=true",
        "kind=drop_connection&service=picwish",
        "kind=truncated_body&action=GetObject",
        "kind=malformed_body&service=ci&every=2",
        "kind=task_failure&code=-7&message=bad+image&action=CreateOcrTask",
        "kind=failed_pages&pages=2,4&service=lkeap",
    ];
    for spec in specs {
        args.push("--fault".into());
        args.push(spec.into());
    }
    let options = ocr_emulator::cli::parse_args(&args).unwrap();
    let config = options.to_config();
    let kinds: Vec<&str> = config.faults.iter().map(|f| f.kind.name()).collect();
    assert_eq!(kinds, FAULT_KIND_NAMES);
    assert_eq!(
        config.faults[7],
        Fault::task_failure("-7", "bad image").for_action("CreateOcrTask")
    );
    assert_eq!(
        config.faults[8],
        Fault::failed_pages([2, 4]).for_service(Service::Lkeap)
    );
    assert_eq!(config.faults[1].trigger, Trigger::Every(3));
    assert_eq!(
        config.faults[3].kind,
        FaultKind::Latency(Duration::from_millis(5))
    );
    assert!(ocr_emulator::cli::parse_args(["ocr-emulator", "--fault", "kind=teapot"]).is_err());
}

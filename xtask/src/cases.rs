//! Provider cases recorded against the emulator: for each case, the exact requests the client
//! sends and the responses it gets (through the recording [`proxy`]), and the
//! `Document` it makes of them.
//!
//! Everything that could vary is pinned: a fresh emulator per case with a manual clock and a
//! fixed seed, clients on a fixed clock with the emulator's fake credentials, loopback addresses
//! replaced by a placeholder, secret headers redacted, multipart boundaries fixed. Polling is
//! driven here (submit, then poll and advance the emulator clock one second), so no case sleeps.

use ocr_core::ConfigureClient;
use std::sync::Arc;
use std::time::Duration;
use tc_signing::ConfigureCredentials;

use ocr_core::clock::FixedClock;
use ocr_core::retry::FixedJitter;
use ocr_core::{DocumentKind, JobStatus, OcrProvider, OutputKind, Request, RetryPolicy};
use ocr_emulator::{ClockMode, Emulator, EmulatorConfig, TaskDurations};
use serde_json::{json, Value};

use crate::proxy;
use crate::samples;

/// The fixed time of every case (2025-11-21T00:00:00Z).
pub const CASE_TIME: u64 = 1_763_683_200;
const SEED: u64 = 20_261_121;
const MAX_POLLS: usize = 30;

/// One recorded scenario.
#[derive(Debug, Clone, Copy)]
pub struct Case {
    /// Provider id, also the fixtures folder.
    pub provider: &'static str,
    /// Case name, the file stem.
    pub name: &'static str,
    /// Which sample document goes in.
    pub sample: Sample,
    /// What is asked of it.
    pub ask: Ask,
}

/// The sample documents of [`samples`].
#[derive(Debug, Clone, Copy)]
pub enum Sample {
    /// `fixtures/samples/invoice.png`.
    InvoicePng,
    /// `fixtures/samples/receipt.jpg`.
    ReceiptJpeg,
    /// `fixtures/samples/letter.pdf`.
    LetterPdf,
}

impl Sample {
    fn bytes(self) -> Result<(Vec<u8>, &'static str), String> {
        Ok(match self {
            Sample::InvoicePng => (samples::invoice_png()?, "invoice.png"),
            Sample::ReceiptJpeg => (samples::receipt_jpeg()?, "receipt.jpg"),
            Sample::LetterPdf => (samples::letter_pdf(), "letter.pdf"),
        })
    }
}

/// The request options of a case.
#[derive(Debug, Clone, Copy)]
pub enum Ask {
    /// Plain text.
    Text,
    /// Named fields.
    Fields(&'static [&'static str]),
    /// Markdown.
    Markdown,
    /// A result file in this format.
    ResultFormat(&'static str),
}

/// Every recorded case.
pub const CASES: &[Case] = &[
    Case {
        provider: "tc-ocr",
        name: "general_accurate_ocr",
        sample: Sample::InvoicePng,
        ask: Ask::Text,
    },
    Case {
        provider: "tc-ocr",
        name: "extract_doc_multi",
        sample: Sample::InvoicePng,
        ask: Ask::Fields(&["Date", "Total"]),
    },
    Case {
        provider: "lkeap",
        name: "reconstruct_document",
        sample: Sample::LetterPdf,
        ask: Ask::Markdown,
    },
    Case {
        provider: "cos-ci",
        name: "image_ocr_job",
        sample: Sample::ReceiptJpeg,
        ask: Ask::Text,
    },
    Case {
        provider: "picwish",
        name: "ocr_task_txt",
        sample: Sample::InvoicePng,
        ask: Ask::ResultFormat("txt"),
    },
];

/// The providers that have cases (each owns `fixtures/<provider>/cases/`).
pub const PROVIDERS: [&str; 4] = ["tc-ocr", "lkeap", "cos-ci", "picwish"];

impl Case {
    /// `fixtures/<provider>/cases/<name>.json`.
    pub fn path(&self) -> String {
        format!("fixtures/{}/cases/{}.json", self.provider, self.name)
    }

    /// The case's request on its sample document, and the sample's file name.
    pub fn sample_request(&self) -> Result<(Request, &'static str), String> {
        let (data, file_name) = self.sample.bytes()?;
        Ok((self.request(data, file_name), file_name))
    }

    fn request(&self, data: Vec<u8>, file_name: &str) -> Request {
        let request = Request::from_bytes(data, Some(file_name));
        match self.ask {
            Ask::Text => request.with_output(OutputKind::Text),
            Ask::Fields(names) => request
                .with_output(OutputKind::Fields)
                .with_field_names(names.iter().copied()),
            Ask::Markdown => request.with_output(OutputKind::Markdown),
            Ask::ResultFormat(format) => request.with_result_format(format),
        }
        .with_document_kind(DocumentKind::General)
    }
}

fn retry() -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(1)
        .with_jitter(FixedJitter(0.0))
}

/// Builds the case's provider against `base` (the proxy in front of the emulator).
fn provider(case: &Case, base: &str, emulator: &Emulator) -> Result<Arc<dyn OcrProvider>, String> {
    let clock = Arc::new(FixedClock::at_unix(CASE_TIME));
    let endpoints = emulator.endpoints();
    let err = |e: ocr_core::Error| e.to_string();
    Ok(match case.provider {
        "tc-ocr" => Arc::new(
            tc_ocr::TencentOcr::builder()
                .endpoint(tc_ocr::Endpoint::custom(base).map_err(err)?)
                .credential(ocr_emulator::test_credential())
                .clock(clock)
                .retry(retry())
                .build()
                .map_err(err)?,
        ),
        "lkeap" => Arc::new(
            lkeap::Lkeap::builder()
                .endpoint(tc_api::Endpoint::custom(base).map_err(err)?)
                .credential(ocr_emulator::test_credential())
                .clock(clock)
                .retry(retry())
                .build()
                .map_err(err)?,
        ),
        "cos-ci" => Arc::new(
            cos_ci::CosCi::builder()
                .bucket(endpoints.bucket.clone())
                .region(endpoints.region.clone())
                .cos_base_url(format!("{base}cos/{}/", endpoints.bucket))
                .ci_base_url(format!("{base}ci/{}/", endpoints.bucket))
                .credential(ocr_emulator::test_credential())
                .clock(clock)
                .retry(retry())
                .build()
                .map_err(err)?,
        ),
        "picwish" => Arc::new(
            picwish::PicWish::builder()
                .api_key(ocr_emulator::PICWISH_API_KEY)
                .base_url(base)
                .clock(clock)
                .retry(retry())
                .build()
                .map_err(err)?,
        ),
        other => return Err(format!("no provider {other}")),
    })
}

/// Runs one case and returns its fixture JSON.
pub async fn record(case: &Case) -> Result<Value, String> {
    let config = EmulatorConfig::default()
        .with_clock(ClockMode::Manual {
            start_unix: CASE_TIME,
        })
        .with_seed(SEED)
        .with_task_durations(TaskDurations {
            queued: Duration::from_secs(1),
            processing: Duration::from_secs(1),
        })
        .without_rate_limits();
    let emulator = Emulator::start(config)
        .await
        .map_err(|e| format!("emulator: {e}"))?;
    let proxy = proxy::start(emulator.base_url().as_str()).await?;
    let provider = provider(case, &proxy.base_url, &emulator)?;
    let (request, file_name) = case.sample_request()?;

    let job = provider
        .submit(&request)
        .await
        .map_err(|e| format!("{}/{}: submit: {e}", case.provider, case.name))?;
    let mut polls = 0;
    let document = loop {
        if let Some(doc) = &job.result {
            break (**doc).clone();
        }
        match provider
            .poll(&job)
            .await
            .map_err(|e| format!("{}/{}: poll: {e}", case.provider, case.name))?
        {
            JobStatus::Done(doc) => break *doc,
            JobStatus::Failed(e) => return Err(format!("{}/{}: {e}", case.provider, case.name)),
            JobStatus::Pending(_) => {
                polls += 1;
                if polls > MAX_POLLS {
                    return Err(format!("{}/{}: still pending", case.provider, case.name));
                }
                emulator.clock().advance(Duration::from_secs(1));
            }
        }
    };
    let exchanges = proxy.recording.take();
    drop(proxy);
    emulator.shutdown().await;
    let mut document = serde_json::to_value(&document).map_err(|e| e.to_string())?;
    scrub_document(&mut document);
    Ok(json!({
        "case": case.name,
        "provider": case.provider,
        "generated_by": "cargo xtask fixtures",
        "input": {
            "sample": format!("fixtures/samples/{file_name}"),
            "options": serde_json::to_value(&request.options).map_err(|e| e.to_string())?,
        },
        "exchanges": exchanges,
        "document": document,
    }))
}

/// Replaces loopback addresses inside the document (artifact URLs) with the placeholder, and
/// redacts URL signatures.
fn scrub_document(value: &mut Value) {
    match value {
        Value::String(s) => {
            if let Some(rest) = s.strip_prefix("http://127.0.0.1:") {
                let path = rest.split_once('/').map(|(_, p)| p).unwrap_or_default();
                *s = format!("http://{}/{path}", proxy::PLACEHOLDER_HOST);
            }
            *s = proxy::redact_url_signatures(s);
        }
        Value::Array(items) => items.iter_mut().for_each(scrub_document),
        Value::Object(map) => map.values_mut().for_each(scrub_document),
        _ => {}
    }
}

/// Runs every case, in order, on a private runtime.
pub fn record_all() -> Result<Vec<(String, Value)>, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let mut out = Vec::new();
        for case in CASES {
            out.push((case.path(), record(case).await?));
        }
        Ok(out)
    })
}

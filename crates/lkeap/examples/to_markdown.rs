//! LKEAP: a PDF parsed to Markdown (create the task, poll it, download the result), against
//! the local emulator. Run: `cargo run -p lkeap --example to_markdown`.
use lkeap::prelude::*;
use lkeap::Lkeap;
use ocr_core::{OcrProvider, Request};
use ocr_emulator::{samples, Emulator, EmulatorConfig};
use tc_api::Endpoint;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = Emulator::start(EmulatorConfig::default()).await?;
    let lkeap = Lkeap::builder()
        .endpoint(Endpoint::Custom(emulator.endpoints().tencent)) // drop this line for the real service
        .credential(ocr_emulator::test_credential()) // or .credentials_from_env()
        .build()?;

    let pdf = samples::pdf_with_text(&[
        &["Annual report", "Revenue grew."],
        &["Outlook", "More of the same."],
    ]);
    let doc = lkeap
        .recognize(&Request::from_bytes(pdf, Some("report.pdf")))
        .await?;
    println!("{}", doc.markdown.as_deref().unwrap_or_default());
    println!("pages: {}, missing: {}", doc.pages.len(), doc.missing.len());
    assert!(doc.is_complete());
    emulator.shutdown().await;
    Ok(())
}

//! COS + Cloud Infinite: upload a document, run an ImageOCR job, poll it, delete the upload;
//! against the local emulator. Run: `cargo run -p cos-ci --example upload_and_ocr`.
use cos_ci::prelude::*;
use cos_ci::CosCi;
use ocr_core::{OcrProvider, Request};
use ocr_emulator::{samples, Emulator, EmulatorConfig};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = Emulator::start(EmulatorConfig::default()).await?;
    let endpoints = emulator.endpoints();
    let ci = CosCi::builder()
        .bucket(&endpoints.bucket) // your <name>-<appid>
        .region(&endpoints.region) // e.g. ap-beijing
        .cos_base_url(endpoints.cos.as_str()) // drop these two lines for the real service
        .ci_base_url(endpoints.ci.as_str())
        .credential(ocr_emulator::test_credential()) // or .credentials_from_env()
        .build()?;

    let png = samples::png_with_text(800, 600, "Receipt\nTotal: 6.20");
    let doc = ci
        .recognize(&Request::from_bytes(png, Some("receipt.png")))
        .await?;
    for line in doc.lines() {
        println!("{:>5.2} {}", line.confidence.unwrap_or_default(), line.text);
    }
    assert!(doc.text().contains("Total: 6.20"));
    emulator.shutdown().await;
    Ok(())
}

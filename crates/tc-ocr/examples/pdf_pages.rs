//! Tencent OCR on a three-page PDF, one call per page, against the local emulator.
//! Run: `cargo run -p tc-ocr --example pdf_pages`.
use ocr_core::{OcrProvider, Request};
use ocr_emulator::{samples, Emulator, EmulatorConfig};
use tc_ocr::prelude::*;
use tc_ocr::{Endpoint, TencentOcr};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = Emulator::start(EmulatorConfig::default()).await?;
    let ocr = TencentOcr::builder()
        .endpoint(Endpoint::Custom(emulator.endpoints().tencent)) // drop this line for the real service
        .credential(ocr_emulator::test_credential()) // or .credentials_from_env()
        .build()?;

    let pdf =
        samples::pdf_with_text(&[&["Page one"], &["Page two", "Total: 3.00"], &["Page three"]]);
    let doc = ocr
        .recognize(&Request::from_bytes(pdf, Some("report.pdf")))
        .await?;
    for page in &doc.pages {
        println!("page {}: {}", page.number, page.text().replace('\n', " | "));
    }
    assert_eq!(doc.pages.len(), 3);

    // Named fields through ExtractDocMulti, on page 2 only.
    let pdf = samples::pdf_with_text(&[&["Page one"], &["Total: 3.00"]]);
    let request = Request::from_bytes(pdf, Some("invoice.pdf"))
        .with_field_names(["Total"])
        .with_pages("2".parse::<ocr_core::PageSet>()?);
    let doc = ocr.recognize(&request).await?;
    println!("Total = {:?}", doc.field("Total").map(|f| &f.value));
    emulator.shutdown().await;
    Ok(())
}

//! PicWish: create an OCR task from a file, poll it, download the result; against the local
//! emulator. Run: `cargo run -p picwish --example ocr_task`.
use ocr_core::{OcrProvider, Request};
use ocr_emulator::{samples, Emulator, EmulatorConfig};
use picwish::PicWish;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = Emulator::start(EmulatorConfig::default()).await?;
    let picwish = PicWish::builder()
        .api_key(ocr_emulator::PICWISH_API_KEY) // your key, e.g. from PICWISH_API_KEY
        .base_url(emulator.endpoints().picwish.as_str()) // drop this line for the real service
        .build()?;

    let png = samples::png_with_text(800, 600, "Hello from PicWish");
    let doc = picwish
        .recognize(&Request::from_bytes(png, Some("hello.png")))
        .await?;
    println!("{}", doc.text());
    assert_eq!(doc.text(), "Hello from PicWish");

    // A Word document instead of text: the result comes back as a file.
    let png = samples::png_with_text(800, 600, "As a document");
    let request = Request::from_bytes(png, Some("doc.png")).with_result_format("docx");
    let doc = picwish.recognize(&request).await?;
    println!(
        "{} ({} bytes)",
        doc.files[0].name,
        doc.files[0].size().unwrap_or(0)
    );
    emulator.shutdown().await;
    Ok(())
}

//! One program, any provider: the provider is configuration (here TOML), the code is the same.
//! Against the local emulator. Run: `cargo run -p cloud-ocr --features toml --example from_config`.
use cloud_ocr::config::ConfigFile;
use cloud_ocr::{build_provider, Env, Request};
use ocr_emulator::{samples, Emulator, EmulatorConfig};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = Emulator::start(EmulatorConfig::default()).await?;
    let endpoints = emulator.endpoints();
    let file = ConfigFile::from_toml(&format!(
        "[tc-ocr]\nendpoint = \"{}\"\n[picwish]\nendpoint = \"{}\"\npoll_interval_secs = 0.1\n",
        endpoints.tencent, endpoints.picwish
    ))?;
    // Credentials come from the environment as usual; here, the emulator's test keys.
    let env = Env::new()
        .with_var("TENCENTCLOUD_SECRET_ID", ocr_emulator::SECRET_ID)
        .with_var("TENCENTCLOUD_SECRET_KEY", ocr_emulator::SECRET_KEY)
        .with_var("PICWISH_API_KEY", ocr_emulator::PICWISH_API_KEY);

    let png = samples::png_with_text(800, 600, "Same code, any provider");
    for name in ["tc-ocr", "picwish"] {
        let provider = build_provider(&file.provider_config(name.parse()?)?, &env)?;
        let doc = provider
            .recognize(&Request::from_bytes(png.clone(), Some("a.png")))
            .await?;
        println!("{name}: {}", doc.text());
    }
    emulator.shutdown().await;
    Ok(())
}

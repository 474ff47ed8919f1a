//! `ocr-emulator --addr 127.0.0.1:18000`: see `ocr_emulator::cli`.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    ocr_emulator::cli::main().await
}

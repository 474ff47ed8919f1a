//! `cloud-ocr emulator`: the emulator crate's own command line, in the foreground.

use super::args::EmulatorArgs;
use super::exit::Exit;

/// Runs the emulator until Ctrl-C.
pub async fn run(args: EmulatorArgs) -> Exit {
    match ocr_emulator::cli::run(args.options).await {
        Ok(()) => Exit::Ok,
        Err(e) => {
            eprintln!("cloud-ocr: cannot start the emulator: {e}");
            Exit::Usage
        }
    }
}

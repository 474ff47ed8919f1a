//! The `cloud-ocr` command-line tool: `scan` one document, `batch` a folder or a list with a
//! resumable journal, or run the `emulator`. See `cloud-ocr --help` and the README.
#![forbid(unsafe_code)]

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}

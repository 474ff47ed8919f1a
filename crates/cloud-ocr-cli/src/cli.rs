//! The command-line tool's modules: arguments, provider session (with the embedded emulator),
//! the three subcommands, and their shared pieces (exit codes, batch inputs, journal, progress,
//! atomic writes).

mod args;
mod batch;
mod coordinated;
mod cost;
mod emulator;
mod exit;
mod fsutil;
mod inputs;
mod journal;
mod manual;
mod progress;
mod scan;
mod session;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};
use cloud_ocr::Env;
use exit::Exit;

/// Parses the arguments, sets up logging and the async runtime, runs the subcommand.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                Exit::Usage.into()
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match &cli.command {
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(*shell, &mut command, "cloud-ocr", &mut std::io::stdout());
            return ExitCode::SUCCESS;
        }
        Command::Man { page } => {
            return match manual::render(page.as_deref(), &mut std::io::stdout()) {
                Ok(()) => ExitCode::SUCCESS,
                // A reader that stopped early (`| head`) is not a failure.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    eprintln!("cloud-ocr: {e}");
                    Exit::Usage.into()
                }
                Err(e) => {
                    eprintln!("cloud-ocr: cannot write the manual page: {e}");
                    Exit::Failed.into()
                }
            };
        }
        _ => {}
    }
    init_tracing(cli.verbose);
    let quiet = cli.quiet;
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cloud-ocr: cannot start the async runtime: {e}");
            return Exit::Service.into();
        }
    };
    let env = Env::from_process();
    let exit = runtime.block_on(async move {
        match cli.command {
            Command::Scan(args) => scan::run(args, &env, quiet).await,
            Command::Batch(args) => batch::run(args, &env, quiet).await,
            Command::Emulator(args) => emulator::run(args).await,
            Command::Completions { .. } | Command::Man { .. } => Exit::Ok,
        }
    });
    exit.into()
}

/// `-v`: debug, `-vv`: trace, to stderr; nothing without it. The providers never log bodies
/// or secrets.
fn init_tracing(verbose: u8) {
    let level = match verbose {
        0 => return,
        1 => tracing::Level::DEBUG,
        _ => tracing::Level::TRACE,
    };
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(level)
        .with_target(true)
        .try_init();
}

//! The command line, as clap derives it.

use std::path::PathBuf;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{ArgAction, Args, Parser, Subcommand};
use cloud_ocr::core::{DocumentKind, Options, OutputKind, PageSet};
use cloud_ocr::{OutputFormat, ProviderKind};

#[cfg(test)]
use super::exit::EXIT_CODES_HELP;

/// Shown after every `--help`: where credentials come from, and the exit codes (the same text
/// as `exit::EXIT_CODES_HELP`, which a test checks).
const AFTER_HELP: &str = "\
Credentials (the providers' own variables):
  tc-ocr, lkeap   TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY [, TENCENTCLOUD_SESSION_TOKEN]
                  or the profile file ~/.tencentcloud/credentials
  cos-ci          the same, plus CLOUD_OCR_COS_BUCKET and CLOUD_OCR_COS_REGION
  picwish         PICWISH_API_KEY
With no --provider and no credentials at all, cloud-ocr runs on an embedded emulator
(simulated results) and says so on stderr.

Exit codes:
  0  success
  1  the document failed or is incomplete (a page asked for did not arrive; stderr names it)
     (scan), or some inputs failed or are incomplete (batch)
  2  usage, configuration or input error (bad flags, an option the provider does not honour,
     missing credentials, an unreadable or unsupported input); nothing was sent
  3  authentication error (the service refused the keys)
  4  throttled or out of quota
  5  transport, timeout or service error
  130 interrupted (Ctrl-C): run the same batch again to resume from its journal";

/// Recognise documents with cloud OCR services (Tencent Cloud OCR, LKEAP, COS + Cloud
/// Infinite, PicWish), or with the embedded emulator when no credentials are set.
#[derive(Debug, Parser)]
#[command(
    name = "cloud-ocr",
    version,
    after_help = AFTER_HELP,
    propagate_version = true
)]
pub struct Cli {
    /// Log to stderr: -v debug, -vv trace (bodies and secrets are never logged).
    #[arg(short, long, action = ArgAction::Count, global = true)]
    pub verbose: u8,

    /// No progress and no notices on stderr: only warnings and errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Recognise one document (a file or an http(s) URL) and print the result.
    #[command(after_help = AFTER_HELP)]
    Scan(ScanArgs),
    /// Recognise every supported file of a folder (or every line of a list file), writing one
    /// result file per input as each finishes; an interrupted run resumes from its journal.
    #[command(after_help = AFTER_HELP)]
    Batch(BatchArgs),
    /// Run the emulator of every service in the foreground until Ctrl-C.
    Emulator(EmulatorArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) to stdout.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print a manual page (roff) to stdout: `cloud-ocr man > cloud-ocr.1`, and one per
    /// subcommand: `cloud-ocr man scan > cloud-ocr-scan.1` (also batch, emulator, completions).
    Man {
        /// The subcommand whose page to print (default: the whole tool's).
        #[arg(value_name = "SUBCOMMAND")]
        page: Option<String>,
    },
}

/// How to choose and configure the provider (shared by `scan` and `batch`).
#[derive(Debug, Clone, Args)]
pub struct ProviderArgs {
    /// The provider; default: the configuration file's, else the first whose credentials are
    /// set, else tc-ocr on the embedded emulator. Several, comma-separated, make a fallback
    /// chain: the next is tried only when one is throttled, out of quota or unavailable, or
    /// does not accept the input (never after a call that may have been billed).
    #[arg(long, short = 'p', value_name = "P[,P…]", value_delimiter = ',', value_parser = provider_parser())]
    pub provider: Vec<ProviderKind>,

    /// A TOML configuration file: `provider = "…"` and one table of settings per provider.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Send the provider's requests to this base URL (a proxy, an emulator) instead of its
    /// default host.
    #[arg(long, value_name = "URL", conflicts_with = "emulator")]
    pub endpoint: Option<String>,

    /// Read the Tencent keys from this section of the profile file
    /// (~/.tencentcloud/credentials), even when TENCENTCLOUD_SECRET_ID is set (without it:
    /// the variables, else the section TENCENTCLOUD_PROFILE names, else `default`).
    #[arg(long, value_name = "NAME", conflicts_with = "emulator")]
    pub profile: Option<String>,

    /// The region (tc-ocr, lkeap: the API region; cos-ci: the bucket's region).
    #[arg(long, value_name = "REGION", conflicts_with = "emulator")]
    pub region: Option<String>,

    /// Use the embedded emulator (simulated results) even if credentials are set.
    #[arg(long)]
    pub emulator: bool,
}

/// What a run may cost, and not paying twice (shared by `scan` and `batch`).
#[derive(Debug, Clone, Default, Args)]
pub struct CostArgs {
    /// Check every input exactly as a real run would and print the billed calls and pages it
    /// would make (priced with the configuration's `[prices]` table, if any); send nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// The result cache folder (default: the platform's cache folder, e.g.
    /// ~/.cache/cloud-ocr). A document recognised before with the same provider, settings and
    /// options is answered from it with no request. Simulated results are never cached.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["no_cache", "emulator"])]
    pub cache: Option<PathBuf>,

    /// Neither read nor write the result cache.
    #[arg(long)]
    pub no_cache: bool,

    /// Recognise again even when the cache holds a result, and keep the new one.
    #[arg(long, conflicts_with_all = ["no_cache", "emulator"])]
    pub refresh: bool,

    /// Also cache documents given by URL (what a URL serves can change: only for URLs whose
    /// content does not).
    #[arg(long, conflicts_with_all = ["no_cache", "emulator"])]
    pub cache_urls: bool,
}

/// What to recognise and how (shared by `scan` and `batch`). Each flag wins over the same
/// option in the configuration file's `options` table. A provider refuses (exit 2) an option
/// it does not honour, before anything is sent.
#[derive(Debug, Clone, Default, Args)]
pub struct RecognitionArgs {
    /// Pages of a multi-page document, e.g. `1-3,7` (default: every page).
    #[arg(long, value_name = "PAGES", value_parser = pages_parser())]
    pub pages: Option<PageSet>,

    /// Languages to recognise, in the provider's naming (comma-separated or repeated).
    #[arg(long = "lang", value_name = "LANG", value_delimiter = ',')]
    pub languages: Vec<String>,

    /// What to return: text, layout, fields, markdown, files (comma-separated or repeated).
    #[arg(long = "want", value_name = "KIND", value_delimiter = ',', value_parser = output_kind_parser())]
    pub outputs: Vec<OutputKind>,

    /// Names of fields to extract, comma-separated (tc-ocr: ExtractDocMulti `ItemNames`).
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    pub fields: Vec<String>,

    /// A named extraction configuration (tc-ocr: ExtractDocMulti `ConfigId`, e.g. InvoiceEng).
    #[arg(long, value_name = "ID")]
    pub config_id: Option<String>,

    /// The kind of document: general or id-card.
    #[arg(long, value_name = "KIND", value_parser = document_kind_parser())]
    pub kind: Option<DocumentKind>,

    /// For --kind id-card: the issuing country, ISO 3166-1 alpha-3 (e.g. PHL).
    #[arg(long, value_name = "CODE")]
    pub card_nationality: Option<String>,

    /// For --kind id-card: the card type (tc-ocr: ID_CARD, PASSPORT, DRIVING_LICENSE, …).
    #[arg(long, value_name = "TYPE")]
    pub card_type: Option<String>,

    /// The result file format (picwish: txt, docx, xlsx, pptx, pdf).
    #[arg(long, value_name = "FORMAT")]
    pub result_format: Option<String>,

    /// Treat an incomplete document (a page that did not arrive) as a failure.
    #[arg(long)]
    pub strict: bool,
}

impl RecognitionArgs {
    /// The configuration's options with these flags applied on top.
    pub fn apply(&self, mut options: Options) -> Options {
        if let Some(pages) = &self.pages {
            options.pages = Some(pages.clone());
        }
        if !self.languages.is_empty() {
            options.languages = self.languages.clone();
        }
        if !self.outputs.is_empty() {
            options.outputs = self.outputs.iter().copied().collect();
        }
        if !self.fields.is_empty() {
            options.field_names = self.fields.iter().map(|f| f.trim().to_owned()).collect();
        }
        if let Some(id) = &self.config_id {
            options.config_id = Some(id.clone());
        }
        if let Some(kind) = self.kind {
            options.document_kind = kind;
        }
        if let Some(n) = &self.card_nationality {
            options.card_nationality = Some(n.clone());
        }
        if let Some(t) = &self.card_type {
            options.card_type = Some(t.clone());
        }
        if let Some(f) = &self.result_format {
            options.result_format = Some(f.clone());
        }
        options.strict |= self.strict;
        options
    }
}

/// `cloud-ocr scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// The document: a local file, `-` for standard input, or an http(s) URL the provider
    /// downloads.
    #[arg(value_name = "FILE|URL|-")]
    pub input: String,

    /// Provider selection and settings.
    #[command(flatten)]
    pub provider: ProviderArgs,

    /// What to recognise and how.
    #[command(flatten)]
    pub recognition: RecognitionArgs,

    /// Dry run and result cache.
    #[command(flatten)]
    pub cost: CostArgs,

    /// Output format: text, json (the stable wrapper with "simulated") or markdown.
    #[arg(long, short = 'f', value_name = "FORMAT", default_value = "text", value_parser = format_parser())]
    pub format: OutputFormat,

    /// Write the result to this file instead of stdout.
    #[arg(long, short = 'o', value_name = "PATH")]
    pub output: Option<PathBuf>,

    /// JSON on one line (JSON Lines), for `-f json`.
    #[arg(long)]
    pub compact: bool,
}

/// `cloud-ocr batch`.
#[derive(Debug, Args)]
pub struct BatchArgs {
    /// A folder of documents, or a list file with one path or URL per line (`#` comments;
    /// relative paths are relative to the list file).
    #[arg(value_name = "DIR|LIST-FILE")]
    pub input: PathBuf,

    /// The output folder: one result file per input, `<input file name>.<txt|json|md>`, and the
    /// journal `.cloud-ocr-journal.jsonl`.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// Provider selection and settings.
    #[command(flatten)]
    pub provider: ProviderArgs,

    /// What to recognise and how.
    #[command(flatten)]
    pub recognition: RecognitionArgs,

    /// Dry run and result cache.
    #[command(flatten)]
    pub cost: CostArgs,

    /// How many calls submit at once; for a synchronous service, how many documents are
    /// recognised at once (the provider's rate limits still apply).
    #[arg(long, short = 'j', value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub concurrency: u16,

    /// How many submitted jobs of an asynchronous service may wait for their results at once
    /// (default 1000; not fewer than -j); the next input is submitted when one finishes. Each
    /// costs a few kilobytes. Not with --coordinator, where -j bounds the inputs a worker
    /// holds.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_in_flight: Option<u32>,

    /// Result format: text, json or markdown.
    #[arg(long, short = 'f', value_name = "FORMAT", default_value = "text", value_parser = format_parser())]
    pub format: OutputFormat,

    /// Also look in sub-folders.
    #[arg(long, short = 'r')]
    pub recursive: bool,

    /// Try inputs that failed in an earlier run again (they are skipped otherwise).
    #[arg(long)]
    pub retry_failed: bool,

    /// JSON result files on one line, for `-f json`.
    #[arg(long)]
    pub compact: bool,

    /// Also write a JSON Lines summary: one line per input (input, status, output, pages,
    /// cached, usage, error code, request id) and a last line with the totals.
    #[arg(long, value_name = "FILE.jsonl")]
    pub summary: Option<PathBuf>,

    /// Share the run with every worker started with the same coordinator and input list (on
    /// any machine): a Redis URL, `redis://[:password@]host:port/db` (default: the
    /// configuration file's `coordinator`). Inputs are split between the workers, each is
    /// submitted at most once, a stopped worker's jobs are polled by the others, and the rate
    /// limits are shared through the same Redis.
    #[arg(long, value_name = "URL")]
    pub coordinator: Option<String>,

    /// The run's name on the coordinator (default: a hash of the input list, the provider's
    /// settings and the format).
    #[arg(long, value_name = "ID")]
    pub run_id: Option<String>,

    /// With a coordinator: how long a worker's hold on an input lasts without renewal
    /// (renewed while it works); a stopped worker's inputs are taken over after it (default
    /// 30).
    #[arg(long, value_name = "SECS")]
    pub lease_secs: Option<f64>,

    /// With a coordinator: print the whole run's progress (every worker) and exit.
    #[arg(long, conflicts_with_all = ["retry_failed", "lease_secs", "strict", "summary"])]
    pub status: bool,
}

/// `cloud-ocr emulator`: the emulator crate's own options.
#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// The emulator's options.
    #[command(flatten)]
    pub options: ocr_emulator::cli::CliOptions,
}

/// `--compact` shapes JSON only: with another format it would be dropped without a word.
pub fn check_compact(compact: bool, format: OutputFormat) -> Result<(), String> {
    match compact && format != OutputFormat::Json {
        true => Err(format!(
            "--compact writes JSON on one line, and -f {format} is not JSON: use -f json, or \
             drop --compact"
        )),
        false => Ok(()),
    }
}

/// Refuses outputs asked for (`--want`, or the configuration's `options.outputs`) that
/// `format` has no place for: they are billed, and would be dropped from the result file.
pub fn check_shown(options: &Options, format: OutputFormat) -> Result<(), String> {
    if format == OutputFormat::Json {
        return Ok(());
    }
    if options.outputs.contains(&OutputKind::Layout) {
        return Err(format!(
            "--want layout (or `outputs` in the configuration's options) asks for the words' \
             positions, and -f {format} has no place for them: use -f json"
        ));
    }
    if options.outputs.contains(&OutputKind::Files) {
        return Err(format!(
            "--want files (or `outputs` in the configuration's options) asks for result files, \
             and -f {format} has no place for them: use -f json (their bytes are in \
             document.files)"
        ));
    }
    if let Some(file) = options.result_format.as_deref().filter(|f| *f != "txt") {
        return Err(format!(
            "--result-format {file} (or `result_format` in the configuration's options) makes \
             the result a {file} file, and -f {format} has no place for it: use -f json (its \
             bytes are in document.files)"
        ));
    }
    Ok(())
}

/// `--region` sets the region of tc-ocr's text actions; its card verification runs in the one
/// documented region whatever it says, so with `--kind id-card` another region is refused.
pub fn check_card_region(
    region: Option<&str>,
    options: &Options,
    providers: &[&str],
) -> Result<(), String> {
    match region {
        Some(region)
            if options.document_kind == DocumentKind::IdCard
                && providers.contains(&"tc-ocr")
                && region != TC_CARD_REGION =>
        {
            Err(format!(
                "--region {region} has no effect with --kind id-card (or `document_kind` in \
                 the configuration's options): tc-ocr verifies cards in {TC_CARD_REGION} only \
                 (its one documented region); drop --region"
            ))
        }
        _ => Ok(()),
    }
}

/// The region of tc-ocr's card-verification pair.
const TC_CARD_REGION: &str = "ap-singapore";

fn provider_parser() -> impl TypedValueParser<Value = ProviderKind> {
    PossibleValuesParser::new(ProviderKind::ALL.iter().map(|k| k.as_str()))
        .try_map(|name| name.parse::<ProviderKind>())
}

fn pages_parser() -> impl TypedValueParser<Value = PageSet> {
    clap::builder::NonEmptyStringValueParser::new()
        .try_map(|text| text.parse::<PageSet>().map_err(|e| e.message().to_owned()))
}

fn output_kind_parser() -> impl TypedValueParser<Value = OutputKind> {
    PossibleValuesParser::new(OutputKind::ALL.map(OutputKind::as_str))
        .try_map(|name| name.parse::<OutputKind>())
}

fn document_kind_parser() -> impl TypedValueParser<Value = DocumentKind> {
    PossibleValuesParser::new(DocumentKind::ALL.map(DocumentKind::as_str))
        .try_map(|name| name.parse::<DocumentKind>())
}

fn format_parser() -> impl TypedValueParser<Value = OutputFormat> {
    PossibleValuesParser::new(OutputFormat::ALL.map(OutputFormat::as_str))
        .try_map(|name| name.parse::<OutputFormat>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn help_lists_the_exit_codes() {
        let help = Cli::command().render_long_help().to_string();
        assert!(AFTER_HELP.contains(EXIT_CODES_HELP));
        assert!(help.contains(EXIT_CODES_HELP), "{help}");
    }

    #[test]
    fn batch_defaults() {
        let cli = Cli::try_parse_from(["cloud-ocr", "batch", "in", "--out", "out"]).unwrap();
        let Command::Batch(b) = cli.command else {
            panic!("not batch")
        };
        assert_eq!(b.concurrency, 4);
        assert_eq!(b.format, OutputFormat::Text);
        assert!(!b.retry_failed && !b.recursive);
    }

    #[test]
    fn endpoint_and_emulator_conflict() {
        let err = Cli::try_parse_from([
            "cloud-ocr",
            "scan",
            "a.png",
            "--emulator",
            "--endpoint",
            "http://127.0.0.1:1/",
        ])
        .unwrap_err();
        assert_eq!(err.exit_code(), 2);
    }
}

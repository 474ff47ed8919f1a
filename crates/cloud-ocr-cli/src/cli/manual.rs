//! `cloud-ocr man [PAGE]`: the manual pages, from the same clap definitions as `--help`.
//!
//! clap_mangen renders each section; the text after the options (credentials and exit codes)
//! is laid out by hand in columns, so it is written here as preformatted text (`.nf`), which
//! the renderer would otherwise reflow into one paragraph.

use std::io::{self, Write};

use clap::CommandFactory;

use super::args::Cli;

/// Writes the page of the whole tool (`page` `None`) or of one subcommand (`cloud-ocr-scan`
/// and so on), or says which pages exist.
pub fn render(page: Option<&str>, w: &mut dyn Write) -> io::Result<()> {
    let mut root = Cli::command().disable_help_subcommand(true);
    root.build();
    let cmd = match page {
        None => root,
        Some(name) => root.find_subcommand(name).cloned().ok_or_else(|| {
            let pages: Vec<&str> = root.get_subcommands().map(|c| c.get_name()).collect();
            io::Error::new(
                io::ErrorKind::NotFound,
                format!("no page `{name}`; the pages: {}", pages.join(", ")),
            )
        })?,
    };
    let man = clap_mangen::Man::new(cmd.clone());
    man.render_title(w)?;
    man.render_name_section(w)?;
    man.render_synopsis_section(w)?;
    man.render_description_section(w)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(w)?;
    }
    if cmd.has_subcommands() {
        man.render_subcommands_section(w)?;
    }
    if let Some(text) = cmd.get_after_long_help().or_else(|| cmd.get_after_help()) {
        writeln!(w, ".SH \"CREDENTIALS AND EXIT STATUS\"\n.nf")?;
        for line in text.to_string().lines() {
            writeln!(w, "{}", roff_line(line))?;
        }
        writeln!(w, ".fi")?;
    }
    man.render_version_section(w)
}

/// One line of preformatted text: backslashes escaped, and a leading `.` or `'` kept from
/// reading as a request.
fn roff_line(line: &str) -> String {
    let escaped = line.replace('\\', "\\e");
    match escaped.starts_with(['.', '\'']) {
        true => format!("\\&{escaped}"),
        false => escaped,
    }
}

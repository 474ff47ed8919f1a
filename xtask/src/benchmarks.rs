//! `cargo xtask bench [--quick]`: runs every section and prints one table of ratios (see
//! [`crate::bench`] for how a row reads): signing against its crypto floor
//! ([`crate::bench::signing_section`]), batches against each provider's ceiling
//! ([`crate::throughput`]), calls against raw `reqwest` ([`crate::loopback`]) and the memory
//! a large input takes ([`crate::memory`]).

use std::path::Path;

use crate::bench::{render, signing_section, Options, Row, ROUNDS};
use crate::loopback::loopback_rows;
use crate::memory::memory_rows;
use crate::throughput::{batch_rows, release_cli};

/// Runs every section and returns the table's rows.
pub fn collect_rows(root: &Path, options: Options) -> Result<Vec<Row>, String> {
    let mut rows = signing_section(root, options)?;
    rows.extend(loopback_rows(root, options)?);
    let cli = release_cli(root)?;
    rows.extend(memory_rows(&cli)?);
    rows.extend(batch_rows(&cli, options)?);
    Ok(rows)
}

/// Runs the benchmarks and prints the table.
pub fn run(root: &Path, options: Options) -> Result<(), String> {
    let rows = collect_rows(root, options)?;
    let mode = if options.quick { "quick" } else { "full" };
    println!(
        "\ncargo xtask bench ({mode} run; signing: lowest of {ROUNDS} criterion medians; \
         ratio = value / reference)\n"
    );
    print!("{}", render(&rows));
    let missed: Vec<&str> = rows
        .iter()
        .filter(|row| row.goal_met() == Some(false))
        .map(|row| row.what.as_str())
        .collect();
    if !missed.is_empty() {
        println!("\ngoal missed: {}", missed.join("; "));
    }
    Ok(())
}

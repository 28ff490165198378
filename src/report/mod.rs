//! Writing results: tables (CSV, Parquet), summaries (JSON, Markdown) and charts (PNG), one file
//! per study's report (`platforms` for `compare` and `simulate`, `percolation`, `observed`, `fit`,
//! `sweep`).
//! The only module that knows polars' writers and plotters, and the only one that writes files.
//!
//! Nothing the user had is overwritten silently: a report directory is built under a temporary
//! name beside its destination and swapped in only when every file is written, so a failure halfway
//! leaves the earlier report intact.

mod charts;
mod fit;
mod graph_formats;
mod observed;
mod output;
mod percolation;
mod platforms;
mod seeds;
mod stats;
mod sweep;
mod tables;
mod text;

pub use charts::{ChartOptions, adoption_chart, new_per_hour_chart};
pub use fit::{markdown as fit_markdown, write_fit};
pub use observed::{markdown as observed_markdown, write_observed};
pub use output::{ReportDir, abandon_pending, write_atomic, write_bytes as write_file};
pub use percolation::{markdown as percolation_markdown, share_or_never, write_percolation};
pub use platforms::{
    compare_json, decomposition_markdown, markdown as platforms_markdown, summary_json,
    write_compare, write_decomposition, write_simulate,
};
pub use seeds::{markdown as seeds_markdown, seeds_frame, seeds_text, write_seeds};
pub use stats::stats_table;
pub use sweep::{markdown as sweep_markdown, sweep_frame, write_sweep};
pub use tables::write_graph;
pub use text::thousands;

/// A summary as pretty JSON with its keys in alphabetical order (the order `percolation`,
/// `observed` and `fit` have always written), ending in a newline.
pub fn sorted_json(v: &impl serde::Serialize) -> String {
    let value = serde_json::to_value(v).expect("summaries serialise");
    format!(
        "{}\n",
        serde_json::to_string_pretty(&value).expect("summaries serialise")
    )
}

/// Draws `curves` into one PNG at `output` (cumulative adopters, or new adopters per hour), written
/// atomically and refused over an existing file unless `force`.
///
/// # Errors
/// An existing file without `force`, a name that does not end in `.png`, or a chart that cannot be
/// written.
pub fn write_chart(
    output: &std::path::Path,
    force: bool,
    curves: &[(crate::curves::Curve, usize)],
    opts: &ChartOptions,
    new_per_hour: bool,
) -> crate::Result<()> {
    if output
        .extension()
        .is_none_or(|e| !e.eq_ignore_ascii_case("png"))
    {
        return Err(crate::Error::file(
            output,
            "the chart is written as PNG: give a .png file name",
        ));
    }
    write_atomic(output, force, |tmp| {
        if new_per_hour {
            new_per_hour_chart(tmp, curves, opts)
        } else {
            adoption_chart(tmp, curves, opts)
        }
    })
}

/// A frame as Parquet bytes (zstd), as the report's `.parquet` files hold it: for front ends that
/// hand tables over in memory (the Python package).
fn parquet_bytes(mut df: polars::prelude::DataFrame) -> crate::Result<Vec<u8>> {
    let mut out = Vec::new();
    tables::parquet_to(&mut df, &mut out)
        .map_err(|e| crate::Error::invalid("table", "", e.to_string()))?;
    Ok(out)
}

/// The curves of `platforms` (the columns of `curves.csv`) as Parquet bytes.
///
/// # Errors
/// The encoder failed (not expected).
pub fn curves_parquet(platforms: &[crate::study::PlatformReport]) -> crate::Result<Vec<u8>> {
    let curves: Vec<_> = platforms
        .iter()
        .map(|p| (p.outcome.curve.clone(), p.outcome.nodes))
        .collect();
    parquet_bytes(tables::curves_frame(&curves))
}

/// The rows of `sweep.csv` as Parquet bytes.
///
/// # Errors
/// The encoder failed (not expected).
pub fn sweep_parquet(s: &crate::study::SweepSummary) -> crate::Result<Vec<u8>> {
    parquet_bytes(sweep_frame(s))
}

/// The rows of `seeds.csv` as Parquet bytes.
///
/// # Errors
/// The encoder failed (not expected).
pub fn seeds_parquet(s: &crate::study::SeedsSummary) -> crate::Result<Vec<u8>> {
    parquet_bytes(seeds_frame(s))
}

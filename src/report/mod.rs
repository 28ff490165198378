//! Writing results: tables (CSV, Parquet), summaries (JSON, Markdown) and charts (PNG).
//! The only module that knows polars' writers and plotters, and the only one that writes files.
//!
//! Nothing the user had is overwritten silently: a report directory is built under a temporary
//! name beside its destination and swapped in only when every file is written, so a failure halfway
//! leaves the earlier report intact.

pub mod charts;
mod output;
pub mod summary;
pub mod tables;

pub use output::{ReportDir, write_atomic, write_bytes as write_file};

use crate::curves::Outcome;

/// One platform's results and the parameters that produced them.
#[derive(Clone, Debug, serde::Serialize)]
pub struct PlatformReport {
    pub label: String,
    #[serde(flatten)]
    pub outcome: Outcome,
    pub parameters: Parameters,
    /// Wall time of the Monte Carlo and its aggregation, in seconds (the seeds chosen and the graph
    /// built before, the report written after). Shown on the terminal; never written to an
    /// output file, whose bytes depend only on the inputs and the seed.
    #[serde(skip)]
    pub sim_seconds: f64,
}

/// Every parameter behind a result, with the reason for each assumption.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Parameters {
    /// Where the graph came from (a generator and its parameters, or a file).
    pub graph: String,
    pub nodes: usize,
    pub edges: usize,
    pub directed: bool,
    pub strong_ties: usize,
    pub weak_ties: usize,
    pub ties: String,
    pub activation: crate::cascade::Activation,
    pub delay_strong: crate::cascade::Delay,
    pub delay_weak: crate::cascade::Delay,
    pub horizon_hours: Option<f64>,
    pub seeds: String,
    pub seed_nodes: usize,
    pub runs: u64,
    pub seed: u64,
    pub step_hours: f64,
    pub curve_hours: f64,
    /// The engine that ran the cascades (`scalar`, `fused` or `plain`), after `auto:` when
    /// `--engine auto` chose it.
    pub engine: String,
    /// One-line rationale per parameter (platform presets; empty for user-given values).
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub rationale: std::collections::BTreeMap<String, String>,
}

/// Writes a whole report into `dir`: `curves.csv`, `curves.parquet`, `summary.json`, `summary.md`,
/// `adoption.png` and `new_per_hour.png`. `summary.json` is the platform's object itself when there
/// is one platform and `single` is set, otherwise `{ "title", "platforms": [...] }`.
pub fn write_report(
    dir: &ReportDir,
    title: &str,
    platforms: &[PlatformReport],
    single: bool,
    chart: &charts::ChartOptions,
) -> crate::Result<()> {
    let curves: Vec<(crate::curves::Curve, usize)> = platforms
        .iter()
        .map(|p| (p.outcome.curve.clone(), p.outcome.nodes))
        .collect();
    let mut df = tables::curves_frame(&curves);
    tables::write_csv(&mut df, &dir.path("curves.csv"))?;
    tables::write_parquet(&mut df, &dir.path("curves.parquet"))?;
    let json = if single && platforms.len() == 1 {
        serde_json::to_string_pretty(&platforms[0])
    } else {
        serde_json::to_string_pretty(&serde_json::json!({ "title": title, "platforms": platforms }))
    }
    .expect("summaries serialise");
    output::write_bytes(&dir.path("summary.json"), format!("{json}\n").as_bytes())?;
    output::write_bytes(
        &dir.path("summary.md"),
        summary::markdown(title, platforms).as_bytes(),
    )?;
    let mut opts = chart.clone();
    opts.title = title.to_string();
    charts::adoption_chart(&dir.path("adoption.png"), &curves, &opts)?;
    opts.title = format!("{title}: new adopters per hour");
    charts::new_per_hour_chart(&dir.path("new_per_hour.png"), &curves, &opts)?;
    Ok(())
}

/// The summary JSON of one platform (what `--json` prints).
pub fn summary_json(p: &PlatformReport) -> String {
    serde_json::to_string_pretty(p).expect("summaries serialise")
}

//! The applications: one module per job a command does. Each takes typed options and returns a
//! typed summary, which `report` writes; nothing here knows the command line, prints, or writes a
//! file. The `hongbao` binary and any other front end (a notebook, a service) call these.
//!
//! | module | job | summary |
//! |---|---|---|
//! | `compare` | every platform of a scenario | [`CompareSummary`] |
//! | `decompose` | the gap between two platforms, ingredient by ingredient | [`Decomposition`] |
//! | `simulate` | one graph file | [`PlatformReport`] |
//! | `percolation` | ties removed weakest / strongest first | [`PercolationSummary`] |
//! | `observed` | real cascades: curves and delays | [`ObservedSummary`] |
//! | `fit` | the time model fitted to real cascades | [`FitSummary`] |
//! | `sweep` | a scenario over a range of one or two values | [`SweepSummary`] |
//! | `seeds` | the k first users who reach the most within H hours | [`SeedsSummary`] |
//! | `plot` | saved curve files read back for a chart | curves |

mod compare;
mod decompose;
mod fit;
mod graph_input;
mod observed;
mod percolation;
mod platform;
mod plot;
mod scenario;
mod seeds;
mod simulate;
mod sweep;

pub use compare::{CompareSummary, compare};
pub use decompose::{CENTOLA_DOSE, Decomposition, Rung, decompose, rungs as decomposition_rungs};
pub use fit::{
    ByGeneration, Chosen, ChosenFit, DelaySummary, FitOptions, FitSamples, FitSummary, Generation,
    GoodnessOfFit, Pair, SimulationSummary, fit,
};
pub use graph_input::GraphInput;
pub use observed::{DelayQuantiles, ObservedOptions, ObservedSummary, Sizes, observed};
pub use percolation::{PercolationOptions, PercolationSummary, Removal, percolation};
pub use platform::{
    Parameters, PlatformReport, RunSettings, build_graph, resolve_seeds, run_platform,
};
pub use plot::{read_curve_files, read_curves};
pub use scenario::{GraphSource, Overrides, Platform, RED_PACKET_TOML, Scenario};
pub use seeds::{
    Performance, RuleCurve, SeedRow, SeedsOptions, SeedsSummary, describe as describe_model,
    forward, seeds, seeds_on,
};
pub use simulate::{SimulateOptions, simulate, simulate_on, simulate_partitioned};
pub use sweep::{
    MAX_POINTS, SweepOptions, SweepRow, SweepSummary, Vary, check as check_sweep, sweep,
};

use crate::graph::Graph;

/// Something a front end may want to say about a job that still runs.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Warning {
    /// Strong and weak ties were given their own chances, but the graph has no strong ties.
    NoStrongTies,
}

/// What a long job tells whoever watches it (a progress bar, a log). Every method does nothing
/// unless implemented; `run_done` is called from any thread.
pub trait Progress: Sync {
    /// The job will make `runs` runs in all.
    fn started(&self, _runs: u64) {}
    /// A platform's graph is ready (built or loaded, ties labelled) after `seconds`.
    fn graph_ready(&self, _label: &str, _graph: &Graph, _seconds: f64) {}
    /// Something the user may want to know.
    fn warn(&self, _warning: Warning) {}
    /// A platform's `runs` runs start.
    fn runs_started(&self, _label: &str, _runs: u64) {}
    /// One more run is done.
    fn run_done(&self) {}
    /// A line of news (a partitioned graph loaded, say).
    fn note(&self, _text: String) {}
    /// A platform's runs are done.
    fn platform_done(&self, _report: &PlatformReport) {}
}

/// A [`Progress`] that hears nothing.
pub struct Silent;

impl Progress for Silent {}

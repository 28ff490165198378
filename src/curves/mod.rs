//! From runs to adoption curves and summaries. Pure: no randomness, no files.
//!
//! [`Accumulator`] streams each run's adoption times into integer counters and per-grid-point
//! histograms, so memory is O(grid points × histogram buckets), independent of the number of runs,
//! and merging is exact. Quantiles come from a log-linear histogram: exact below 256 adopters,
//! within 0.4 % above (128 buckets per doubling).

mod accumulator;
mod grid;
mod run_stats;
mod sketch;

use serde::Serialize;

pub use accumulator::Accumulator;
pub use grid::Grid;
pub use run_stats::RunStats;
pub use sketch::Sketch;

/// Hours at which `reach_at_hours` is reported (plus the horizon).
pub const PROBE_HOURS: [f64; 3] = [1.0, 4.0, 24.0];
/// Fractions of the nodes for `time_to_fraction`.
pub const FRACTIONS: [f64; 3] = [0.1, 0.25, 0.5];

/// One platform's adoption curve on the grid. Column names are the CSV/Parquet columns.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Curve {
    pub label: String,
    pub hour: Vec<f64>,
    /// Mean cumulative adopters (seeds included).
    pub mean: Vec<f64>,
    pub p05: Vec<f64>,
    pub p50: Vec<f64>,
    pub p95: Vec<f64>,
    /// Mean new adopters per hour over the grid step that ends at `hour` (0 at hour 0).
    pub new_per_hour: Vec<f64>,
}

impl Curve {
    /// The columns of a curve file, in order: the contract `label, hour, mean, p05, p50, p95,
    /// new_per_hour`, then `nodes` (so that a saved curve can be drawn as a share of users).
    pub const COLUMNS: [&'static str; 8] = [
        "label",
        "hour",
        "mean",
        "p05",
        "p50",
        "p95",
        "new_per_hour",
        "nodes",
    ];

    /// The curve up to `hours` (for charts that show the early part of a long curve).
    pub fn until(&self, hours: f64) -> Curve {
        let n = self.hour.partition_point(|&h| h <= hours + 1e-12).max(1);
        let cut = |v: &[f64]| v[..n.min(v.len())].to_vec();
        Curve {
            label: self.label.clone(),
            hour: cut(&self.hour),
            mean: cut(&self.mean),
            p05: cut(&self.p05),
            p50: cut(&self.p50),
            p95: cut(&self.p95),
            new_per_hour: cut(&self.new_per_hour),
        }
    }
}

/// Distribution of the final number of adopters over runs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Reach {
    pub mean: f64,
    pub std: f64,
    pub sem: f64,
    pub p05: f64,
    pub p50: f64,
    pub p95: f64,
    pub min: f64,
    pub max: f64,
    /// Mean reach as a fraction of the nodes.
    pub fraction: f64,
}

/// Mean reach at one hour.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReachAt {
    pub hours: f64,
    pub mean: f64,
    pub fraction: f64,
    /// Standard error of the mean.
    pub sem: f64,
}

/// When a fraction of the nodes has adopted.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TimeTo {
    pub fraction: f64,
    pub adopters: usize,
    /// When the mean curve first reaches the fraction (linear between grid points); `None` if it
    /// never does within the curve's hours.
    pub hours: Option<f64>,
    /// Share of runs whose own cascade reached the fraction.
    pub share_of_runs: f64,
    /// Mean hitting time over the runs that reached it; `None` if none did.
    pub mean_hours_in_runs_reaching: Option<f64>,
}

/// Everything a report says about one platform's runs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Outcome {
    pub nodes: usize,
    pub runs: u64,
    pub final_reach: Reach,
    /// Keyed `"1"`, `"4"`, `"24"` and `"horizon"`.
    pub reach_at_hours: std::collections::BTreeMap<String, ReachAt>,
    /// Keyed `"0.1"`, `"0.25"` and `"0.5"`.
    pub time_to_fraction: std::collections::BTreeMap<String, TimeTo>,
    /// Mean arcs examined (attempts) per run.
    pub attempts_per_run: f64,
    #[serde(skip)]
    pub curve: Curve,
}

/// The first hour at which `ys` reaches `target`, by linear interpolation between grid points.
pub fn crossing(xs: &[f64], ys: &[f64], target: f64) -> Option<f64> {
    let b = ys.iter().position(|&y| y >= target)?;
    if b == 0 {
        return Some(xs[0]);
    }
    let (x0, x1, y0, y1) = (xs[b - 1], xs[b], ys[b - 1], ys[b]);
    Some(x0 + (x1 - x0) * (target - y0) / (y1 - y0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crossing_interpolates() {
        assert_eq!(
            crossing(&[0.0, 1.0, 2.0], &[0.0, 10.0, 20.0], 15.0),
            Some(1.5)
        );
        assert_eq!(crossing(&[0.0, 1.0], &[0.0, 1.0], 2.0), None);
    }
}

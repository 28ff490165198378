//! `observed`: real cascades read as adoption curves and parent → child delays.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::Result;
use crate::cascade::Accumulate;
use crate::curves::{Accumulator, Curve, Grid, ReachAt};
use crate::observed::{CascadeFormat, load_cascades};

/// Everything `observed` needs.
#[derive(Clone, Debug, PartialEq)]
pub struct ObservedOptions {
    /// A cascade file, or a directory / `.tar.gz` of them.
    pub cascades: PathBuf,
    pub format: CascadeFormat,
    /// End of the curves, in hours since each cascade's first event.
    pub hours: f64,
    pub step_hours: f64,
    /// The cascades' name in curves and charts; default: the format.
    pub label: Option<String>,
}

/// Sizes of the cascades.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Sizes {
    pub mean: f64,
    pub median: Option<f64>,
    pub max: Option<f64>,
}

/// The parent → child delays, in hours.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct DelayQuantiles {
    pub count: usize,
    pub mean: Option<f64>,
    pub p10: Option<f64>,
    pub median: Option<f64>,
    pub p90: Option<f64>,
}

/// What `observed` found: `summary.json` as written.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ObservedSummary {
    pub input: String,
    pub format: CascadeFormat,
    pub cascades: usize,
    pub adopters: usize,
    pub size: Sizes,
    /// Keyed `"1"`, `"4"`, `"24"`: the share of all adoptions made within that many hours of
    /// their cascade's first event.
    pub share_of_adoptions_within_hours: BTreeMap<String, f64>,
    pub delays_hours: DelayQuantiles,
    /// The mean curve over cascades at 1, 4, 24 h and its end.
    pub mean_curve_at_hours: BTreeMap<String, ReachAt>,
    pub grid: Grid,
    #[serde(skip)]
    pub label: String,
    /// The mean curve over cascades (in adopters: there is no graph).
    #[serde(skip)]
    pub curve: Curve,
    /// Every parent → child delay, sorted.
    #[serde(skip)]
    pub delays: Vec<f64>,
}

/// The value at quantile `p` of a sorted sample (nearest rank).
pub(crate) fn quantile(v: &[f64], p: f64) -> Option<f64> {
    (!v.is_empty()).then(|| v[((p * (v.len() - 1) as f64).round() as usize).min(v.len() - 1)])
}

/// Reads the cascades and summarises them.
///
/// # Errors
/// A bad grid, or cascades that cannot be read.
pub fn observed(opts: &ObservedOptions) -> Result<ObservedSummary> {
    let grid = Grid::new(opts.step_hours, opts.hours)?;
    let cascades = load_cascades(&opts.cascades, opts.format)?;
    let largest = cascades
        .iter()
        .map(|c| c.adoption_hours.len())
        .max()
        .unwrap_or(1);
    let mut acc = Accumulator::new(largest, grid, f64::INFINITY);
    for c in &cascades {
        acc.add_run(&c.adoption_hours, 0);
    }
    let label = opts
        .label
        .clone()
        .unwrap_or_else(|| opts.format.name().to_string());
    let outcome = acc.finish(&label);
    let mut delays: Vec<f64> = cascades
        .iter()
        .flat_map(|c| c.delays_hours.iter().copied())
        .collect();
    delays.sort_by(f64::total_cmp);
    let mut sizes: Vec<f64> = cascades
        .iter()
        .map(|c| c.adoption_hours.len() as f64)
        .collect();
    sizes.sort_by(f64::total_cmp);
    let all: Vec<f64> = cascades
        .iter()
        .flat_map(|c| c.adoption_hours.iter().copied())
        .collect();
    let within = |h: f64| all.iter().filter(|&&t| t <= h).count() as f64 / all.len().max(1) as f64;
    Ok(ObservedSummary {
        input: opts.cascades.display().to_string(),
        format: opts.format,
        cascades: cascades.len(),
        adopters: all.len(),
        size: Sizes {
            mean: sizes.iter().sum::<f64>() / sizes.len() as f64,
            median: quantile(&sizes, 0.5),
            max: sizes.last().copied(),
        },
        share_of_adoptions_within_hours: [1.0, 4.0, 24.0]
            .into_iter()
            .map(|h| (format!("{h}"), within(h)))
            .collect(),
        delays_hours: DelayQuantiles {
            count: delays.len(),
            mean: (!delays.is_empty()).then(|| delays.iter().sum::<f64>() / delays.len() as f64),
            p10: quantile(&delays, 0.1),
            median: quantile(&delays, 0.5),
            p90: quantile(&delays, 0.9),
        },
        mean_curve_at_hours: outcome.reach_at_hours,
        grid,
        label,
        curve: outcome.curve,
        delays,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weibo_paths_summarised() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("w.txt");
        std::fs::write(
            &p,
            "1\t1\t0\t3\t1:0 1/2:1800 1/2/3:7200\n2\t5\t0\t2\t5:0 5/6:36000\n",
        )
        .unwrap();
        let s = observed(&ObservedOptions {
            cascades: p,
            format: CascadeFormat::Weibo,
            hours: 24.0,
            step_hours: 0.5,
            label: None,
        })
        .unwrap();
        assert_eq!((s.cascades, s.adopters, s.label.as_str()), (2, 5, "weibo"));
        assert_eq!(s.size.max, Some(3.0));
        // Adoptions at 0, 0.5, 2 h and 0, 10 h: 3 of 5 within 1 h, 4 within 4 h.
        assert_eq!(s.share_of_adoptions_within_hours["1"], 0.6);
        assert_eq!(s.share_of_adoptions_within_hours["4"], 0.8);
        assert_eq!(s.delays, vec![0.5, 1.5, 10.0]);
        assert_eq!(s.delays_hours.median, Some(1.5));
        assert_eq!(s.mean_curve_at_hours["24"].mean, 2.5);
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["format"], "weibo");
        assert_eq!(json["grid"]["step_hours"], 0.5);
    }
}

//! `fit`: the time model (delay distribution, children per adopter) fitted to real cascades,
//! simulated as a branching process, and compared with what was observed.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::cascade::{Accumulate, Delay, MonteCarlo};
use crate::curves::{Accumulator, Curve, Grid};
use crate::fit::{
    Candidate, Delays, Family, Reproduction, Simulation, TimeModel, fit_delays, ks_two_sample,
    simulate,
};
use crate::observed::{CascadeFormat, load_cascades};
use crate::{Error, Naming, Result};

/// Everything `fit` needs.
#[derive(Clone, Debug, PartialEq)]
pub struct FitOptions {
    pub cascades: PathBuf,
    pub format: CascadeFormat,
    /// `None`: the family with the lowest AIC.
    pub family: Option<Family>,
    /// Delays shorter than this are censored; default 0.6 s for Twitter trees (0.01 minutes),
    /// 1 s otherwise.
    pub resolution_seconds: Option<f64>,
    /// Simulated copies of every observed cascade.
    pub runs: u64,
    pub seed: u64,
    /// Default: the whole hours that cover 99 % of the observed adoptions.
    pub hours: Option<f64>,
    /// Default: 400 points over the hours that hold 95 % of the observed adoptions, at most
    /// 20,000 over the horizon.
    pub step_hours: Option<f64>,
    /// Largest simulated cascade; default 10 × the largest observed one.
    pub max_size: Option<usize>,
    /// Default: the format's name.
    pub label: Option<String>,
}

impl FitOptions {
    /// The time resolution of the data, in seconds.
    pub fn resolution_seconds(&self) -> f64 {
        self.resolution_seconds.unwrap_or(match self.format {
            CascadeFormat::TwitterTree => 0.6,
            _ => 1.0,
        })
    }

    /// Checks what needs no file.
    ///
    /// # Errors
    /// A resolution or horizon that is not positive, or zero runs.
    pub fn check(&self) -> Result<()> {
        let r = self.resolution_seconds();
        if !(r.is_finite() && r > 0.0) {
            return Err(Error::invalid(
                "--resolution-seconds",
                r.to_string(),
                "must be a positive number of seconds",
            ));
        }
        MonteCarlo::new(self.runs, self.seed, Naming::Flag)?;
        if let Some(h) = self.hours
            && !(h.is_finite() && h > 0.0)
        {
            return Err(Error::invalid("--hours", h.to_string(), "must be positive"));
        }
        Ok(())
    }
}

/// The delays, as the data gave them.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct DelaySummary {
    /// Where the delays come from: the trees, or the time since each cascade's first event.
    pub from: String,
    pub count: usize,
    pub resolution_hours: f64,
    pub below_resolution: usize,
    pub mean: f64,
    pub median: Option<f64>,
}

/// The family used, and why.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Chosen {
    pub family: Family,
    pub delay: Delay,
    /// `lowest AIC` or `--family`.
    pub by: String,
}

/// One generation's delays fitted apart.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Generation {
    pub count: usize,
    pub median: Option<f64>,
    pub candidates: Vec<Candidate>,
    pub chosen: ChosenFit,
}

/// A chosen fit without the reason.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ChosenFit {
    pub family: Family,
    pub delay: Delay,
}

/// For comparison: the delays of roots' children and of deeper adopters fitted apart.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ByGeneration {
    pub from_roots: Generation,
    pub deeper: Generation,
    /// AIC of the two fits together.
    pub aic: f64,
    pub aic_one_delay: f64,
    pub time_model: TimeModel,
    /// KS distance of the adoption times simulated with these delays.
    pub ks_distance: f64,
}

/// How the fitted model was simulated.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SimulationSummary {
    pub model: String,
    pub runs: u64,
    pub seed: u64,
    pub horizon_hours: f64,
    pub observed_adoptions_beyond_horizon: usize,
    pub step_hours: f64,
    pub max_size: usize,
    pub simulated_cascades: u64,
    pub stopped_at_max_size: u64,
}

/// An observed and a simulated figure side by side.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Pair<T> {
    pub observed: T,
    pub simulated: T,
}

/// How close the simulated adoption times come to the observed ones.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct GoodnessOfFit {
    pub ks_distance: f64,
    pub ks_distance_delays_by_generation: Option<f64>,
    /// KS distance between the observed delays and the chosen fit.
    pub ks_distance_delays: f64,
    pub mean_size: Pair<f64>,
    pub median_adoption_hour: Pair<Option<f64>>,
    /// Keyed `"1"`, `"4"`, `"24"`.
    pub share_of_adoptions_within_hours: BTreeMap<String, Pair<f64>>,
}

/// What `fit` found: `summary.json` as written, and the samples the charts draw.
#[derive(Clone, Debug, serde::Serialize)]
pub struct FitSummary {
    pub input: String,
    pub format: CascadeFormat,
    pub label: String,
    pub cascades: usize,
    pub adopters: usize,
    pub delays: DelaySummary,
    /// Every family fitted, best AIC first.
    pub candidates: Vec<Candidate>,
    pub chosen: Chosen,
    pub by_generation: Option<ByGeneration>,
    pub reproduction_rate: f64,
    pub reproduction: Reproduction,
    pub simulation: SimulationSummary,
    /// KS distance between observed and simulated adoption times.
    pub ks_distance: f64,
    pub goodness_of_fit: GoodnessOfFit,
    #[serde(skip)]
    pub samples: FitSamples,
}

/// The samples behind a [`FitSummary`], for tables and charts.
#[derive(Clone, Debug, Default)]
pub struct FitSamples {
    /// Observed, simulated and (when fitted) by-generation mean curves; in adopters.
    pub curves: Vec<Curve>,
    /// Every parent → child delay, sorted.
    pub delays: Vec<f64>,
    /// Observed adoption times within the horizon, sorted.
    pub observed: Vec<f64>,
    /// Simulated adoption times, sorted.
    pub simulated: Vec<f64>,
    /// Simulated with delays by generation, sorted.
    pub simulated_by_generation: Option<Vec<f64>>,
    /// Hours the charts show: those that hold 95 % of the observed adoptions.
    pub chart_hours: f64,
    pub grid: Option<Grid>,
}

/// Share of a sorted sample at or below `h`.
pub fn share(sorted: &[f64], h: f64) -> f64 {
    sorted.partition_point(|&t| t <= h) as f64 / sorted.len().max(1) as f64
}

/// 1, 2 or 5 times a power of ten, at or above `x`.
fn nice_ceiling(x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let p = 10f64.powf(x.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * p)
        .find(|&v| v >= x)
        .unwrap_or(10.0 * p)
}

fn median(sorted: &[f64]) -> Option<f64> {
    (!sorted.is_empty()).then(|| sorted[(sorted.len() - 1) / 2])
}

/// The value of a sorted sample at rank `ceil(len · q)`.
fn upper(sorted: &[f64], q: f64, default: f64) -> f64 {
    sorted
        .get(((sorted.len() as f64 * q).ceil() as usize).saturating_sub(1))
        .copied()
        .unwrap_or(default)
}

/// The candidate of `family` (or the best) among fitted candidates.
fn pick(candidates: &[Candidate], family: Option<Family>) -> Candidate {
    match family {
        None => candidates[0].clone(),
        Some(f) => candidates
            .iter()
            .find(|c| c.family == f)
            .cloned()
            .expect("every family is fitted"),
    }
}

fn generation(v: &[f64], candidates: Vec<Candidate>, chosen: &Candidate) -> Generation {
    Generation {
        count: v.len(),
        median: median(v),
        candidates,
        chosen: ChosenFit {
            family: chosen.family,
            delay: chosen.delay,
        },
    }
}

/// Reads the cascades, fits the delays and the reproduction, simulates, and compares.
///
/// # Errors
/// As [`FitOptions::check`], reading the cascades, and too few delays to fit.
pub fn fit(opts: &FitOptions) -> Result<FitSummary> {
    opts.check()?;
    let cascades = load_cascades(&opts.cascades, opts.format)?;
    let label = opts
        .label
        .clone()
        .unwrap_or_else(|| opts.format.name().to_string());
    // Delays: from the trees, or (no tree in the data) the time since the cascade's first event.
    let delays = Delays::from_cascades(&cascades);
    let resolution = opts.resolution_seconds() / 3600.0;
    let candidates = fit_delays(&delays.all, resolution)?;
    let chosen = pick(&candidates, opts.family);
    let one_delay = TimeModel {
        from_roots: chosen.delay,
        deeper: chosen.delay,
    };
    // The same fit for each generation apart, when both have delays to fit.
    let split = if delays.from_roots.len() >= 10 && delays.deeper.len() >= 10 {
        let r = fit_delays(&delays.from_roots, resolution)?;
        let d = fit_delays(&delays.deeper, resolution)?;
        Some((r, d))
    } else {
        None
    };
    let reproduction = Reproduction::from_cascades(&cascades);

    // Default horizon: the whole hours that cover 99 % of the observed adoptions (a few cascades
    // in some data sets run on for years).
    let mut observed: Vec<f64> = cascades
        .iter()
        .flat_map(|c| c.adoption_hours.iter().copied())
        .collect();
    observed.sort_by(f64::total_cmp);
    let horizon = opts
        .hours
        .unwrap_or(upper(&observed, 0.99, 1.0).ceil().max(1.0));
    let within_horizon = observed.partition_point(|&t| t <= horizon);
    let beyond = observed.len() - within_horizon;
    observed.truncate(within_horizon);
    let largest = cascades
        .iter()
        .map(|c| c.adoption_hours.len())
        .max()
        .unwrap_or(1);
    let max_size = opts.max_size.unwrap_or(10 * largest).max(1);
    // Charts show the hours that hold 95 % of the observed adoptions; the default grid step puts
    // 400 points there (and at most 20,000 on the whole horizon).
    let chart_hours = nice_ceiling(upper(&observed, 0.95, horizon)).min(horizon);
    let step = opts
        .step_hours
        .unwrap_or((chart_hours / 400.0).max(horizon / 20_000.0));
    let grid = Grid::new(step, horizon)?;
    let mut observed_acc = Accumulator::new(largest, grid, horizon);
    for c in &cascades {
        let within = &c.adoption_hours[..c.adoption_hours.partition_point(|&t| t <= horizon)];
        observed_acc.add_run(within, 0);
    }
    let sim = Simulation {
        runs: opts.runs,
        seed: opts.seed,
        horizon,
        max_size,
        grid,
    };
    // The fitted model (one delay distribution) and, for comparison, the same branching with
    // delays fitted to each generation apart.
    let simulated = simulate(&cascades, &reproduction, &one_delay, &sim);
    let ks = ks_two_sample(&observed, &simulated.times);
    let by_generation = split.map(|(r, d)| {
        let (rc, dc) = (pick(&r, opts.family), pick(&d, opts.family));
        let model = TimeModel {
            from_roots: rc.delay,
            deeper: dc.delay,
        };
        let times = simulate(&cascades, &reproduction, &model, &sim);
        let ks = ks_two_sample(&observed, &times.times);
        let summary = ByGeneration {
            aic: rc.aic + dc.aic,
            aic_one_delay: chosen.aic,
            from_roots: generation(&delays.from_roots, r, &rc),
            deeper: generation(&delays.deeper, d, &dc),
            time_model: model,
            ks_distance: ks,
        };
        (summary, times)
    });
    let mut curves = vec![
        observed_acc.finish(&format!("{label} observed")).curve,
        simulated
            .accumulator
            .finish(&format!("simulated ({})", chosen.family))
            .curve,
    ];
    if let Some((_, s)) = &by_generation {
        curves.push(
            s.accumulator
                .finish("simulated, delays by generation")
                .curve,
        );
    }
    let n_sim = simulated.cascades.max(1) as f64;
    let all = &delays.all;
    let probes = [1.0, 4.0, 24.0];
    let ks_split = by_generation.as_ref().map(|(b, _)| b.ks_distance);
    Ok(FitSummary {
        input: opts.cascades.display().to_string(),
        format: opts.format,
        label,
        cascades: cascades.len(),
        adopters: cascades.iter().map(|c| c.adoption_hours.len()).sum(),
        delays: DelaySummary {
            from: if reproduction.from_trees {
                "parent→child links in the trees".into()
            } else {
                "time since the cascade's first event (the data has no tree: every adopter is taken as a child of the first)".into()
            },
            count: all.len(),
            resolution_hours: resolution,
            below_resolution: all.partition_point(|&d| d < resolution),
            mean: all.iter().sum::<f64>() / all.len().max(1) as f64,
            median: median(all),
        },
        chosen: Chosen {
            family: chosen.family,
            delay: chosen.delay,
            by: if opts.family.is_some() {
                "--family".into()
            } else {
                "lowest AIC".into()
            },
        },
        candidates,
        reproduction_rate: reproduction.mean_children_per_adopter,
        reproduction,
        simulation: SimulationSummary {
            model: "branching process: observed roots at their observed times; children per adopter drawn from the observed counts (roots and non-roots apart); delays from the chosen fit".into(),
            runs: opts.runs,
            seed: opts.seed,
            horizon_hours: horizon,
            observed_adoptions_beyond_horizon: beyond,
            step_hours: step,
            max_size,
            simulated_cascades: simulated.cascades,
            stopped_at_max_size: simulated.capped,
        },
        ks_distance: ks,
        goodness_of_fit: GoodnessOfFit {
            ks_distance: ks,
            ks_distance_delays_by_generation: ks_split,
            ks_distance_delays: chosen.ks_distance,
            mean_size: Pair {
                observed: observed.len() as f64 / cascades.len() as f64,
                simulated: simulated.times.len() as f64 / n_sim,
            },
            median_adoption_hour: Pair {
                observed: median(&observed),
                simulated: median(&simulated.times),
            },
            share_of_adoptions_within_hours: probes
                .iter()
                .map(|&h| {
                    (
                        format!("{h}"),
                        Pair {
                            observed: share(&observed, h),
                            simulated: share(&simulated.times, h),
                        },
                    )
                })
                .collect(),
        },
        by_generation: by_generation.as_ref().map(|(b, _)| b.clone()),
        samples: FitSamples {
            curves,
            delays: delays.all.clone(),
            observed,
            simulated: simulated.times,
            simulated_by_generation: by_generation.map(|(_, s)| s.times),
            chart_hours: chart_hours.max(step),
            grid: Some(grid),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_ceilings() {
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(nice_ceiling(3.2), 5.0);
        assert_eq!(nice_ceiling(7.0), 10.0);
        assert_eq!(nice_ceiling(120.0), 200.0);
        assert_eq!(share(&[1.0, 2.0, 3.0, 4.0], 2.0), 0.5);
        assert_eq!(median(&[1.0, 2.0, 3.0, 4.0]), Some(2.0));
    }

    #[test]
    fn options_are_checked_before_reading() {
        let o = FitOptions {
            cascades: "missing.txt".into(),
            format: CascadeFormat::Weibo,
            family: None,
            resolution_seconds: Some(-1.0),
            runs: 1,
            seed: 1,
            hours: None,
            step_hours: None,
            max_size: None,
            label: None,
        };
        assert!(
            fit(&o)
                .unwrap_err()
                .to_string()
                .contains("--resolution-seconds")
        );
        let o = FitOptions {
            resolution_seconds: None,
            runs: 0,
            ..o
        };
        assert!(fit(&o).unwrap_err().to_string().contains("--runs"));
    }
}

//! Fitting hongbao's time model to observed cascades, and checking the fit by simulation.
//!
//! Three steps, each a pure function:
//!
//! 1. [`fit_delays`]: maximum-likelihood fits of the parent → child delay distribution (exponential,
//!    log-normal, Weibull). Delays below the data's time resolution (a retweet stamped in the same
//!    second as its source) are treated as left-censored: they contribute `ln F(resolution)` to the
//!    likelihood instead of a density at zero, which no log-normal or Weibull can give. Candidates
//!    are ranked by AIC (`2·parameters − 2·ln L`).
//! 2. [`Reproduction::from_cascades`]: children per adopter read from the trees, separately for roots
//!    (adopters whose source is not itself an adopter: the original post's direct audience) and for
//!    everyone else. The mean over all adopters is the maximum-likelihood offspring mean of a
//!    Galton–Watson process observed in full.
//! 3. [`simulate`]: the independent cascade on a tree-like network is a branching process, so the
//!    fitted model is simulated as one: every observed cascade's roots enter at their observed
//!    times, each adopter draws its number of children from the observed offspring counts of its
//!    kind and each child adopts after a delay drawn from the fitted distribution, up to the
//!    horizon. Run `r` draws only from `rng::stream(seed, r)`, so results do not depend on threads.
//!
//! [`ks_two_sample`] then measures how far simulated adoption times are from the observed ones.

use rayon::prelude::*;

use crate::cascade::{Accumulate, Delay, Grid};
use crate::curves::Accumulator;
use crate::observed::{Cascade, children_of};
use crate::{Error, Result, rng};

/// A delay family.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    Exponential,
    LogNormal,
    Weibull,
}

impl std::fmt::Display for Family {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Family::Exponential => "exponential",
            Family::LogNormal => "log-normal",
            Family::Weibull => "Weibull",
        })
    }
}

impl Family {
    pub const ALL: [Family; 3] = [Family::Exponential, Family::LogNormal, Family::Weibull];

    /// Parses `exp`/`exponential`, `lognormal`, `weibull`.
    pub fn parse(s: &str) -> Result<Family> {
        match s.to_ascii_lowercase().as_str() {
            "exp" | "exponential" => Ok(Family::Exponential),
            "lognormal" | "log-normal" => Ok(Family::LogNormal),
            "weibull" => Ok(Family::Weibull),
            _ => Err(Error::invalid(
                "--family",
                s,
                "expected auto, exp, lognormal or weibull",
            )),
        }
    }

    fn parameters(self) -> usize {
        match self {
            Family::Exponential => 1,
            _ => 2,
        }
    }

    /// The delay for free parameters `x` (log-scale where a parameter must be positive).
    fn delay(self, x: &[f64]) -> Delay {
        match self {
            Family::Exponential => Delay::Exp { mean: x[0].exp() },
            Family::LogNormal => Delay::LogNormal {
                median: x[0].exp(),
                sigma: x[1].exp(),
            },
            Family::Weibull => Delay::Weibull {
                shape: x[0].exp(),
                scale: x[1].exp(),
            },
        }
    }
}

/// ln f(x) for x > 0.
fn log_pdf(d: &Delay, x: f64, ln_x: f64) -> f64 {
    match *d {
        Delay::Exp { mean } => -mean.ln() - x / mean,
        Delay::LogNormal { median, sigma } => {
            let z = (ln_x - median.ln()) / sigma;
            -ln_x - sigma.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln() - 0.5 * z * z
        }
        Delay::Weibull { shape, scale } => {
            let ln_r = ln_x - scale.ln();
            shape.ln() - scale.ln() + (shape - 1.0) * ln_r - (shape * ln_r).exp()
        }
        Delay::Fixed { .. } => f64::NEG_INFINITY,
    }
}

/// F(x), the cumulative distribution.
pub fn cdf(d: &Delay, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    match *d {
        Delay::Exp { mean } => -(-x / mean).exp_m1(),
        Delay::LogNormal { median, sigma } => {
            0.5 * libm::erfc(-(x.ln() - median.ln()) / (sigma * std::f64::consts::SQRT_2))
        }
        Delay::Weibull { shape, scale } => -(-(x / scale).powf(shape)).exp_m1(),
        Delay::Fixed { hours } => f64::from(u8::from(x >= hours)),
    }
}

/// One fitted delay distribution.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Candidate {
    pub family: Family,
    /// The fitted distribution as a `--delay` spec (hours).
    pub delay: Delay,
    pub log_likelihood: f64,
    pub aic: f64,
    /// Kolmogorov–Smirnov distance between the observed delays (at or above the resolution) and
    /// the fitted distribution.
    pub ks_distance: f64,
}

/// Minimises `f` by Nelder–Mead from `x0` (a few parameters, smooth objective).
fn nelder_mead(f: impl Fn(&[f64]) -> f64, x0: &[f64], step: f64) -> Vec<f64> {
    let n = x0.len();
    let mut simplex: Vec<(Vec<f64>, f64)> = (0..=n)
        .map(|i| {
            let mut x = x0.to_vec();
            if i > 0 {
                x[i - 1] += step;
            }
            let v = f(&x);
            (x, v)
        })
        .collect();
    let at = |c: &[f64], d: &[f64], t: f64| -> Vec<f64> {
        c.iter().zip(d).map(|(a, b)| a + t * (b - a)).collect()
    };
    for _ in 0..5000 {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let (best, worst) = (simplex[0].1, simplex[n].1);
        let spread = simplex
            .iter()
            .flat_map(|(x, _)| x.iter().zip(&simplex[0].0).map(|(a, b)| (a - b).abs()))
            .fold(0.0, f64::max);
        if (worst - best).abs() <= 1e-12 * (1.0 + best.abs()) && spread < 1e-9 {
            break;
        }
        let centroid: Vec<f64> = (0..n)
            .map(|j| simplex[..n].iter().map(|(x, _)| x[j]).sum::<f64>() / n as f64)
            .collect();
        let xr = at(&centroid, &simplex[n].0, -1.0);
        let fr = f(&xr);
        if fr < simplex[0].1 {
            let xe = at(&centroid, &simplex[n].0, -2.0);
            let fe = f(&xe);
            simplex[n] = if fe < fr { (xe, fe) } else { (xr, fr) };
        } else if fr < simplex[n - 1].1 {
            simplex[n] = (xr, fr);
        } else {
            let xc = if fr < simplex[n].1 {
                at(&centroid, &xr, 0.5)
            } else {
                at(&centroid, &simplex[n].0, 0.5)
            };
            let fc = f(&xc);
            if fc < fr.min(simplex[n].1) {
                simplex[n] = (xc, fc);
            } else {
                let x0 = simplex[0].0.clone();
                for s in simplex.iter_mut().skip(1) {
                    s.0 = at(&x0, &s.0, 0.5);
                    s.1 = f(&s.0);
                }
            }
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    simplex.swap_remove(0).0
}

/// Fits one family to `delays` (hours); values below `resolution` hours are left-censored.
pub fn fit_family(family: Family, delays: &[f64], resolution: f64) -> Result<Candidate> {
    let exact: Vec<(f64, f64)> = delays
        .iter()
        .filter(|&&d| d >= resolution && d > 0.0)
        .map(|&d| (d, d.ln()))
        .collect();
    let censored = (delays.len() - exact.len()) as f64;
    if exact.len() < 2 {
        return Err(Error::Invalid {
            option: "delays".into(),
            value: format!("{} delays", delays.len()),
            msg: "need at least two parent→child delays above the time resolution to fit a distribution".into(),
        });
    }
    // Starting point: moments of the log-delays (censored ones at half the resolution).
    let lows = (resolution / 2.0).max(f64::MIN_POSITIVE).ln();
    let n = delays.len() as f64;
    let mean_ln = (exact.iter().map(|e| e.1).sum::<f64>() + censored * lows) / n;
    let var_ln = (exact.iter().map(|e| (e.1 - mean_ln).powi(2)).sum::<f64>()
        + censored * (lows - mean_ln).powi(2))
        / n;
    let sd_ln = var_ln.sqrt().max(1e-3);
    let mean = (exact.iter().map(|e| e.0).sum::<f64>() + censored * resolution / 2.0) / n;
    let x0 = match family {
        Family::Exponential => vec![mean.ln()],
        Family::LogNormal => vec![mean_ln, sd_ln.ln()],
        Family::Weibull => {
            let k = (1.28 / sd_ln).clamp(0.05, 20.0);
            vec![k.ln(), mean_ln + 0.5772 / k]
        }
    };
    let log_lik = |d: &Delay| -> f64 {
        let dens: f64 = exact.iter().map(|&(x, lx)| log_pdf(d, x, lx)).sum();
        let cens = if censored > 0.0 {
            censored * cdf(d, resolution).ln()
        } else {
            0.0
        };
        dens + cens
    };
    let objective = |x: &[f64]| -> f64 {
        if x.iter().any(|v| !v.is_finite() || v.abs() > 50.0) {
            return f64::INFINITY;
        }
        let v = -log_lik(&family.delay(x));
        if v.is_nan() { f64::INFINITY } else { v }
    };
    let x = nelder_mead(objective, &x0, 0.3);
    // Reported (and used) to four significant digits, far below the estimates' standard errors.
    let round = |v: f64| format!("{v:.3e}").parse::<f64>().unwrap_or(v);
    let delay = match family.delay(&x) {
        Delay::Exp { mean } => Delay::Exp { mean: round(mean) },
        Delay::LogNormal { median, sigma } => Delay::LogNormal {
            median: round(median),
            sigma: round(sigma),
        },
        Delay::Weibull { shape, scale } => Delay::Weibull {
            shape: round(shape),
            scale: round(scale),
        },
        d => d,
    };
    let ll = log_lik(&delay);
    // KS on the delays at or above the resolution, against the fitted F (the censored mass is
    // compared at the resolution itself).
    let mut sorted: Vec<f64> = delays.iter().map(|&d| d.max(resolution)).collect();
    sorted.sort_by(f64::total_cmp);
    let m = sorted.len() as f64;
    let mut ks: f64 = 0.0;
    for (i, &v) in sorted.iter().enumerate() {
        let f = cdf(&delay, v);
        if v > resolution {
            ks = ks.max(f - i as f64 / m);
        }
        if i + 1 == sorted.len() || sorted[i + 1] > v {
            ks = ks.max((i + 1) as f64 / m - f);
        }
    }
    Ok(Candidate {
        family,
        delay,
        log_likelihood: ll,
        aic: 2.0 * family.parameters() as f64 - 2.0 * ll,
        ks_distance: ks,
    })
}

/// Fits every family and returns them best first (lowest AIC).
pub fn fit_delays(delays: &[f64], resolution: f64) -> Result<Vec<Candidate>> {
    let mut c: Vec<Candidate> = Family::ALL
        .par_iter()
        .map(|&f| fit_family(f, delays, resolution))
        .collect::<Result<_>>()?;
    c.sort_by(|a, b| a.aic.total_cmp(&b.aic));
    Ok(c)
}

/// Children per adopter as read from the trees.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Reproduction {
    /// Mean children per adopter over every adopter: the reproduction rate.
    pub mean_children_per_adopter: f64,
    pub mean_children_per_root: f64,
    pub mean_children_per_non_root: f64,
    /// Share of adopters nobody adopted from.
    pub share_without_children: f64,
    pub adopters: usize,
    pub roots: usize,
    /// Whether the counts come from real trees (false: the data has no tree and every adopter is
    /// taken as a child of the cascade's first adopter).
    pub from_trees: bool,
    #[serde(skip)]
    pub root_children: Vec<u32>,
    #[serde(skip)]
    pub other_children: Vec<u32>,
}

/// Each cascade's tree, or the star around its first adopter when the data has no tree.
pub fn parents_or_star(c: &Cascade) -> Vec<Option<u32>> {
    c.parents.clone().unwrap_or_else(|| {
        (0..c.adoption_hours.len())
            .map(|i| (i > 0).then_some(0))
            .collect()
    })
}

impl Reproduction {
    pub fn from_cascades(cascades: &[Cascade]) -> Reproduction {
        let (mut root_children, mut other_children) = (Vec::new(), Vec::new());
        for c in cascades {
            let parents = parents_or_star(c);
            for (k, p) in children_of(&parents).into_iter().zip(&parents) {
                if p.is_none() {
                    root_children.push(k);
                } else {
                    other_children.push(k);
                }
            }
        }
        let sum = |v: &[u32]| v.iter().map(|&k| k as f64).sum::<f64>();
        let mean = |v: &[u32]| {
            if v.is_empty() {
                0.0
            } else {
                sum(v) / v.len() as f64
            }
        };
        let adopters = root_children.len() + other_children.len();
        let zero = root_children
            .iter()
            .chain(&other_children)
            .filter(|&&k| k == 0)
            .count();
        Reproduction {
            mean_children_per_adopter: (sum(&root_children) + sum(&other_children))
                / adopters.max(1) as f64,
            mean_children_per_root: mean(&root_children),
            mean_children_per_non_root: mean(&other_children),
            share_without_children: zero as f64 / adopters.max(1) as f64,
            adopters,
            roots: root_children.len(),
            from_trees: cascades.iter().all(|c| c.parents.is_some()),
            root_children,
            other_children,
        }
    }
}

/// Parent → child delays split by generation: children of roots (the original post's direct
/// audience) and children of everyone else.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Delays {
    pub all: Vec<f64>,
    pub from_roots: Vec<f64>,
    pub deeper: Vec<f64>,
}

impl Delays {
    /// Reads every delay off the trees (or the stars of [`parents_or_star`]).
    pub fn from_cascades(cascades: &[Cascade]) -> Delays {
        let mut d = Delays::default();
        for c in cascades {
            let parents = parents_or_star(c);
            for (i, p) in parents.iter().enumerate() {
                let Some(p) = *p else { continue };
                let delay = c.adoption_hours[i] - c.adoption_hours[p as usize];
                d.all.push(delay);
                if parents[p as usize].is_none() {
                    d.from_roots.push(delay);
                } else {
                    d.deeper.push(delay);
                }
            }
        }
        for v in [&mut d.all, &mut d.from_roots, &mut d.deeper] {
            v.sort_by(f64::total_cmp);
        }
        d
    }
}

/// The delays the simulation draws: one distribution for the children of roots, one for the rest.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct TimeModel {
    pub from_roots: Delay,
    pub deeper: Delay,
}

/// How to simulate the fitted model.
#[derive(Clone, Debug)]
pub struct Simulation {
    pub runs: u64,
    pub seed: u64,
    /// Adoptions after this many hours since a cascade's first event are not simulated.
    pub horizon: f64,
    /// A simulated cascade stops growing at this many adopters.
    pub max_size: usize,
    pub grid: Grid,
}

/// What the simulation gives.
pub struct Simulated {
    /// Curves over every simulated cascade.
    pub accumulator: Accumulator,
    /// Every simulated adoption time, sorted.
    pub times: Vec<f64>,
    pub cascades: u64,
    /// Simulated cascades stopped by `max_size`.
    pub capped: u64,
}

/// Simulates the fitted branching model once per observed cascade per run. See the module docs.
pub fn simulate(
    cascades: &[Cascade],
    reproduction: &Reproduction,
    model: &TimeModel,
    sim: &Simulation,
) -> Simulated {
    let roots: Vec<Vec<f64>> = cascades
        .iter()
        .map(|c| {
            parents_or_star(c)
                .iter()
                .zip(&c.adoption_hours)
                .filter(|(p, h)| p.is_none() && **h <= sim.horizon)
                .map(|(_, &h)| h)
                .collect()
        })
        .collect();
    let (root_delay, deeper_delay) = (model.from_roots.sampler(), model.deeper.sampler());
    let draw = |v: &[u32], r: &mut rng::Rng| -> u32 {
        if v.is_empty() {
            0
        } else {
            v[rng::below(r, v.len() as u64) as usize]
        }
    };
    let new_part = || {
        (
            Accumulator::new(sim.max_size, sim.grid, sim.horizon),
            Vec::new(),
            0u64,
        )
    };
    // Accumulators merge by integer addition and the times are sorted at the end, so the result
    // does not depend on how rayon splits the runs.
    let (accumulator, mut times, capped) = (0..sim.runs)
        .into_par_iter()
        .fold(new_part, |(mut acc, mut all, mut capped), r| {
            let mut rng = rng::stream(sim.seed, r);
            let mut times: Vec<f64> = Vec::new();
            for root_times in &roots {
                times.clear();
                times.extend_from_slice(root_times);
                let n_roots = times.len();
                let mut i = 0;
                let mut full = false;
                while i < times.len() && !full {
                    let t = times[i];
                    let (kids, sampler) = if i < n_roots {
                        (draw(&reproduction.root_children, &mut rng), &root_delay)
                    } else {
                        (draw(&reproduction.other_children, &mut rng), &deeper_delay)
                    };
                    for _ in 0..kids {
                        let child = t + sampler.sample(&mut rng);
                        if child <= sim.horizon {
                            if times.len() == sim.max_size {
                                full = true;
                                break;
                            }
                            times.push(child);
                        }
                    }
                    i += 1;
                }
                capped += u64::from(full);
                times.sort_by(f64::total_cmp);
                acc.add_run(&times, 0);
                all.extend_from_slice(&times);
            }
            (acc, all, capped)
        })
        .reduce(new_part, |(mut a, mut ta, ca), (b, tb, cb)| {
            a.merge(b);
            ta.extend(tb);
            (a, ta, ca + cb)
        });
    times.par_sort_unstable_by(f64::total_cmp);
    Simulated {
        accumulator,
        times,
        cascades: sim.runs * cascades.len() as u64,
        capped,
    }
}

/// The two-sample Kolmogorov–Smirnov distance `sup |F_a − F_b|` of two sorted samples.
pub fn ks_two_sample(a: &[f64], b: &[f64]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 1.0;
    }
    let (na, nb) = (a.len() as f64, b.len() as f64);
    let (mut i, mut j, mut d) = (0usize, 0usize, 0.0f64);
    while i < a.len() && j < b.len() {
        let x = a[i].min(b[j]);
        while i < a.len() && a[i] <= x {
            i += 1;
        }
        while j < b.len() && b[j] <= x {
            j += 1;
        }
        d = d.max((i as f64 / na - j as f64 / nb).abs());
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(d: &Delay, n: usize, seed: u64) -> Vec<f64> {
        let s = d.sampler();
        let mut r = rng::stream(seed, 0);
        (0..n).map(|_| s.sample(&mut r)).collect()
    }

    #[test]
    fn recovers_the_parameters_it_was_given() {
        for (truth, family) in [
            (Delay::Exp { mean: 2.0 }, Family::Exponential),
            (
                Delay::LogNormal {
                    median: 0.5,
                    sigma: 1.5,
                },
                Family::LogNormal,
            ),
            (
                Delay::Weibull {
                    shape: 0.6,
                    scale: 3.0,
                },
                Family::Weibull,
            ),
        ] {
            let x = sample(&truth, 20_000, 7);
            let fits = fit_delays(&x, 1e-9).unwrap();
            assert_eq!(fits[0].family, family, "{truth}: {fits:?}");
            let (got, want) = (fits[0].delay.to_string(), truth.to_string());
            let nums = |s: &str| -> Vec<f64> {
                s.split(':')
                    .nth(1)
                    .unwrap()
                    .split(',')
                    .map(|v| v.parse().unwrap())
                    .collect()
            };
            for (g, w) in nums(&got).iter().zip(nums(&want)) {
                // 20,000 draws: MLE standard errors are about 1 % of these parameters.
                assert!((g / w - 1.0).abs() < 0.05, "{got} vs {want}");
            }
            assert!(fits[0].ks_distance < 0.02, "{fits:?}");
        }
    }

    #[test]
    fn censored_delays_are_fitted_without_bias() {
        // Exponential, mean 1 h, recorded with a resolution of half an hour: 39 % of the delays
        // are only known to be below 0.5 h (stored as 0).
        let truth = Delay::Exp { mean: 1.0 };
        let x: Vec<f64> = sample(&truth, 20_000, 3)
            .into_iter()
            .map(|d| if d < 0.5 { 0.0 } else { d })
            .collect();
        let fit = fit_family(Family::Exponential, &x, 0.5).unwrap();
        let Delay::Exp { mean } = fit.delay else {
            panic!()
        };
        // SE of the MLE is about 1/sqrt(0.61 · 20,000) = 0.009.
        assert!((mean - 1.0).abs() < 0.04, "{mean}");
        // Dropping the censored delays instead would give 1.5 (memorylessness): the censoring matters.
        let kept: Vec<f64> = x.iter().copied().filter(|&d| d > 0.0).collect();
        let Delay::Exp { mean } = fit_family(Family::Exponential, &kept, 1e-9).unwrap().delay
        else {
            panic!()
        };
        assert!((mean - 1.5).abs() < 0.05, "{mean}");
    }

    #[test]
    fn cdf_matches_the_sampler() {
        for d in [
            Delay::Exp { mean: 0.7 },
            Delay::LogNormal {
                median: 2.0,
                sigma: 0.8,
            },
            Delay::Weibull {
                shape: 1.7,
                scale: 0.4,
            },
        ] {
            let mut x = sample(&d, 50_000, 11);
            x.sort_by(f64::total_cmp);
            let n = x.len() as f64;
            let ks = x
                .iter()
                .enumerate()
                .map(|(i, &v)| {
                    (cdf(&d, v) - i as f64 / n)
                        .abs()
                        .max((cdf(&d, v) - (i + 1) as f64 / n).abs())
                })
                .fold(0.0, f64::max);
            // KS critical value at the 0.1 % level is 1.95/sqrt(n) = 0.0087.
            assert!(ks < 0.0087, "{d}: {ks}");
        }
    }

    #[test]
    fn ks_two_sample_known_values() {
        assert_eq!(ks_two_sample(&[1.0, 2.0], &[1.0, 2.0]), 0.0);
        assert_eq!(ks_two_sample(&[1.0, 2.0], &[3.0, 4.0]), 1.0);
        assert!((ks_two_sample(&[1.0, 2.0, 3.0, 4.0], &[2.5, 3.5]) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn branching_simulation_matches_closed_forms() {
        // One root per cascade; every root has 3 children, every child none; fixed delay 2 h.
        let c = Cascade {
            id: "x".into(),
            adoption_hours: vec![0.0, 2.0, 2.0, 2.0],
            delays_hours: vec![2.0; 3],
            parents: Some(vec![None, Some(0), Some(0), Some(0)]),
        };
        let rep = Reproduction::from_cascades(std::slice::from_ref(&c));
        assert_eq!(rep.mean_children_per_adopter, 0.75);
        assert_eq!(rep.mean_children_per_root, 3.0);
        assert_eq!(rep.mean_children_per_non_root, 0.0);
        let sim = Simulation {
            runs: 10,
            seed: 1,
            horizon: 10.0,
            max_size: 100,
            grid: Grid::new(0.5, 10.0).unwrap(),
        };
        let fixed = |hours: f64| TimeModel {
            from_roots: Delay::Fixed { hours },
            deeper: Delay::Fixed { hours },
        };
        let out = simulate(std::slice::from_ref(&c), &rep, &fixed(2.0), &sim);
        assert_eq!(out.times.len(), 40);
        assert_eq!(ks_two_sample(&out.times, &c.adoption_hours), 0.0);
        // A line root → a → b: the root has one child; a non-root has one child with probability
        // 1/2 (the counts {1, 0}), so the line goes on geometrically.
        let line = Cascade {
            id: "y".into(),
            adoption_hours: vec![0.0, 1.0, 2.0],
            delays_hours: vec![1.0, 1.0],
            parents: Some(vec![None, Some(0), Some(1)]),
        };
        let rep = Reproduction::from_cascades(std::slice::from_ref(&line));
        assert_eq!(rep.root_children, vec![1]);
        assert_eq!(rep.other_children.len(), 2);
        let sim = Simulation {
            runs: 20_000,
            ..sim
        };
        let line_delays = Delays::from_cascades(std::slice::from_ref(&line));
        assert_eq!(line_delays.from_roots, vec![1.0]);
        assert_eq!(line_delays.deeper, vec![1.0]);
        // Children of the root wait 1 h, deeper children 5 h: a line's times are 0, 1, 6 (then 11
        // is past the horizon of 10 h).
        let two = TimeModel {
            from_roots: Delay::Fixed { hours: 1.0 },
            deeper: Delay::Fixed { hours: 5.0 },
        };
        let out = simulate(std::slice::from_ref(&line), &rep, &two, &sim);
        assert!(out.times.iter().all(|&t| [0.0, 1.0, 6.0].contains(&t)));
        assert!(out.times.contains(&6.0));
        let out = simulate(&[line], &rep, &fixed(1e-3), &sim);
        // Sizes: 1 root + 1 child + a Geometric chain with continuation 1/2: mean 1 + 1 + 1 = 3.
        let mean = out.times.len() as f64 / 20_000.0;
        // Variance of the chain length is 2, so the SE is sqrt(2/20000) = 0.01.
        assert!((mean - 3.0).abs() < 0.04, "{mean}");
    }

    #[test]
    fn simulation_is_reproducible() {
        let c = Cascade {
            id: "x".into(),
            adoption_hours: vec![0.0, 0.5, 0.7, 3.0],
            delays_hours: vec![0.5, 0.2, 2.5],
            parents: Some(vec![None, Some(0), Some(1), Some(0)]),
        };
        let rep = Reproduction::from_cascades(std::slice::from_ref(&c));
        let sim = Simulation {
            runs: 50,
            seed: 9,
            horizon: 24.0,
            max_size: 1000,
            grid: Grid::new(0.5, 24.0).unwrap(),
        };
        let d = TimeModel {
            from_roots: Delay::Exp { mean: 1.0 },
            deeper: Delay::Exp { mean: 0.1 },
        };
        let a = simulate(std::slice::from_ref(&c), &rep, &d, &sim).times;
        let b = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| simulate(std::slice::from_ref(&c), &rep, &d, &sim).times);
        assert_eq!(a, b);
    }
}

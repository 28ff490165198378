//! The fitted time model simulated as a branching process: observed roots at their observed times,
//! children per adopter drawn from the observed counts, delays from the fitted distribution.

use rayon::prelude::*;

use crate::cascade::{Accumulate, Delay};
use crate::curves::{Accumulator, Grid};
use crate::observed::{Cascade, children_of};
use crate::rng;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::ks_two_sample;

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

//! `seeds`: the first users who reach the most people within H hours, and how they compare, by
//! forward simulation, with top-degree, degree-discount and random seeds.

use std::time::Instant;

use super::{GraphInput, Progress};
use crate::cascade::{self, Model, MonteCarlo, SeedSpec};
use crate::curves::RunStats;
use crate::graph::Graph;
use crate::influence::{self, SelectOptions, Selection};
use crate::rng;
use crate::{Naming, Result};

/// Everything `seeds` needs.
#[derive(Clone, Debug, PartialEq)]
pub struct SeedsOptions {
    pub graph: GraphInput,
    /// The model; its horizon is the deadline H (none: final reach).
    pub model: Model,
    pub select: SelectOptions,
    /// Forward runs per point of the comparison chart (0: no comparison).
    pub eval_runs: u64,
}

impl SeedsOptions {
    /// Checks everything that needs no graph.
    ///
    /// # Errors
    /// An invalid model, ε or δ, or k = 0.
    pub fn check(&self) -> Result<()> {
        self.model.check(Naming::Flag)?;
        influence::check(&self.select, usize::MAX)?;
        Ok(())
    }
}

/// One chosen seed.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SeedRow {
    pub rank: usize,
    /// The node id as in the input.
    pub node: String,
    /// Estimated adopters within H that this seed adds to those before it.
    pub marginal_gain: f64,
    /// Estimated adopters within H of the seeds up to this one.
    pub cumulative: f64,
}

/// Expected adopters within H of the first k seeds of one rule, by forward simulation.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct RuleCurve {
    pub rule: String,
    /// (k, mean adopters, standard error).
    pub points: Vec<(usize, f64, f64)>,
}

/// Time and memory of the command (they vary from run to run; every other field is fixed by
/// the inputs and the seed).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Performance {
    pub load_seconds: f64,
    pub select_seconds: f64,
    pub sample_seconds: f64,
    pub greedy_seconds: f64,
    pub evaluate_seconds: f64,
    pub peak_memory_bytes: Option<u64>,
    pub threads: usize,
}

/// What `seeds` found.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SeedsSummary {
    pub graph: String,
    pub nodes: usize,
    pub edges: usize,
    pub directed: bool,
    /// The model in words, and the deadline (None: final reach).
    pub model: String,
    pub hours: Option<f64>,
    pub k: usize,
    pub eps: f64,
    pub seed: u64,
    pub seeds: Vec<SeedRow>,
    pub selection: Selection,
    /// Bytes per RR-set entry, all in (sets, their starts, the greedy's index).
    pub rr_bytes_per_entry: f64,
    /// The chosen seeds, and the other rules, simulated forward with an independent seed.
    pub forward: Vec<RuleCurve>,
    pub eval_runs: u64,
    pub performance: Performance,
}

impl SeedsSummary {
    /// The forward simulation of all `k` chosen seeds, if it ran.
    pub fn forward_chosen(&self) -> Option<(f64, f64)> {
        let c = self.forward.first()?;
        c.points
            .last()
            .filter(|p| p.0 == self.k)
            .map(|p| (p.1, p.2))
    }
}

/// The k values the comparison evaluates: 1, then four steps up to `k`.
fn eval_points(k: usize) -> Vec<usize> {
    let mut ks: Vec<usize> = (0..=4)
        .map(|i| ((k as f64 * i as f64 / 4.0).round() as usize).max(1))
        .collect();
    ks.dedup();
    ks
}

/// Peak resident memory of this process (Linux `VmHWM`).
fn peak_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = text.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Mean and standard error of the adopters within the horizon of `seeds`, by `runs` forward runs.
///
/// # Errors
/// An invalid model.
pub fn forward(
    graph: &Graph,
    model: &Model,
    seeds: &[u32],
    runs: u64,
    seed: u64,
    tick: &(dyn Fn() + Sync),
) -> Result<(f64, f64)> {
    let starts: Vec<(u32, f64)> = seeds.iter().map(|&u| (u, 0.0)).collect();
    let stats = cascade::simulate(
        graph,
        model,
        &starts,
        MonteCarlo { runs, seed },
        RunStats::default,
        tick,
    )?;
    Ok((stats.mean(), stats.sem()))
}

/// Loads the graph, chooses the seeds, and compares them with the other rules.
///
/// # Errors
/// As [`SeedsOptions::check`] and [`influence::select`]; loading the graph; k more than its nodes.
pub fn seeds(opts: &SeedsOptions, progress: &dyn Progress) -> Result<SeedsSummary> {
    opts.check()?;
    let t = Instant::now();
    // The selection reads the arcs into each node. With no forward runs to make, nothing reads
    // the arcs out of them: a directed graph is then built turned round from its file, and never
    // forward (its transpose would cost as much as the sampling on soc-Slashdot0902); an
    // undirected one is its own.
    let reversed = opts.eval_runs == 0;
    let (graph, _) = if reversed {
        opts.graph.load_reversed()?
    } else {
        opts.graph.load()?
    };
    let load_seconds = t.elapsed().as_secs_f64();
    progress.graph_ready(&opts.graph.file_name(), &graph, load_seconds);
    seeds_in(opts, &graph, reversed, load_seconds, progress)
}

/// [`seeds`] on a graph already loaded (from `opts.graph`, which the summary names), which took
/// `load_seconds`.
///
/// # Errors
/// As [`seeds`], without the loading.
pub fn seeds_on(
    opts: &SeedsOptions,
    graph: &Graph,
    load_seconds: f64,
    progress: &dyn Progress,
) -> Result<SeedsSummary> {
    seeds_in(opts, graph, false, load_seconds, progress)
}

/// [`seeds_on`] on `graph`, or on its transpose when `reversed` (then with no forward runs).
fn seeds_in(
    opts: &SeedsOptions,
    graph: &Graph,
    reversed: bool,
    load_seconds: f64,
    progress: &dyn Progress,
) -> Result<SeedsSummary> {
    opts.check()?;
    assert!(
        !reversed || opts.eval_runs == 0,
        "forward runs need the forward graph"
    );
    let label = opts.graph.file_name();
    let t = Instant::now();
    let sel = if reversed {
        influence::select_reversed(graph, &opts.model, &opts.select)?
    } else {
        influence::select(graph, &opts.model, &opts.select)?
    };
    let select_seconds = t.elapsed().as_secs_f64();
    let ids = graph.ids();
    let seeds = sel
        .seeds
        .iter()
        .enumerate()
        .map(|(i, &u)| SeedRow {
            rank: i + 1,
            node: ids.label(u),
            marginal_gain: sel.cumulative[i] - if i == 0 { 0.0 } else { sel.cumulative[i - 1] },
            cumulative: sel.cumulative[i],
        })
        .collect();
    let t = Instant::now();
    let forward = compare_rules(graph, opts, &sel.seeds, progress)?;
    let evaluate_seconds = t.elapsed().as_secs_f64();
    Ok(SeedsSummary {
        graph: label,
        nodes: graph.node_count(),
        edges: graph.edge_count(),
        directed: graph.is_directed(),
        model: describe(&opts.model),
        hours: opts.model.horizon_hours,
        k: opts.select.k,
        eps: opts.select.eps,
        seed: opts.select.seed,
        seeds,
        rr_bytes_per_entry: sel.rr_bytes as f64 / sel.rr_entries.max(1) as f64,
        performance: Performance {
            load_seconds,
            select_seconds,
            sample_seconds: sel.sample_seconds,
            greedy_seconds: sel.greedy_seconds,
            evaluate_seconds,
            peak_memory_bytes: peak_memory(),
            threads: rayon::current_num_threads(),
        },
        selection: sel,
        forward,
        eval_runs: opts.eval_runs,
    })
}

/// The model in words: chances, delays, deadline.
pub fn describe(m: &Model) -> String {
    let delays = if m.delay_strong == m.delay_weak {
        format!("delay {}", m.delay_strong)
    } else {
        format!("delays strong {}, weak {}", m.delay_strong, m.delay_weak)
    };
    format!("independent cascade, {}; {delays}", m.activation)
}

/// The chosen seeds and the three other rules, each simulated forward at the points of
/// [`eval_points`], from a seed independent of the selection's.
fn compare_rules(
    graph: &Graph,
    opts: &SeedsOptions,
    chosen: &[u32],
    progress: &dyn Progress,
) -> Result<Vec<RuleCurve>> {
    if opts.eval_runs == 0 {
        return Ok(Vec::new());
    }
    let k = opts.select.k;
    let seed = rng::splitmix64(opts.select.seed ^ 0x5EED_C4EC);
    let top: Vec<u32> = SeedSpec::TopDegree(k)
        .resolve(graph, seed)?
        .into_iter()
        .map(|s| s.0)
        .collect();
    let discount = influence::degree_discount(graph, &opts.model, k)?;
    let random: Vec<u32> = SeedSpec::Random(k)
        .resolve(graph, seed)?
        .into_iter()
        .map(|s| s.0)
        .collect();
    let rules: [(&str, &[u32]); 4] = [
        ("chosen (RR sets)", chosen),
        ("top-degree", &top),
        ("degree discount", &discount),
        ("random", &random),
    ];
    let points = eval_points(k);
    // Without a deadline only the final reach counts, whose law does not depend on the delays:
    // simulate in rounds (one-hour delays), the cheapest engine.
    let model = if opts.model.horizon_hours.is_none() {
        let one = crate::cascade::Delay::Fixed { hours: 1.0 };
        Model {
            delay_strong: one,
            delay_weak: one,
            ..opts.model.clone()
        }
    } else {
        opts.model.clone()
    };
    progress.started(opts.eval_runs * (rules.len() * points.len()) as u64);
    let mut out = Vec::new();
    for (rule, order) in rules {
        let mut curve = RuleCurve {
            rule: rule.to_string(),
            points: Vec::new(),
        };
        for &j in &points {
            let (mean, sem) = forward(graph, &model, &order[..j], opts.eval_runs, seed, &|| {
                progress.run_done()
            })?;
            curve.points.push((j, mean, sem));
        }
        out.push(curve);
    }
    Ok(out)
}

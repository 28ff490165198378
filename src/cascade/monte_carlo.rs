//! Many runs in parallel with rayon, reproducible bit for bit on any number of threads.
//!
//! Run `r` draws only from [`crate::rng::stream`]`(seed, r)`, so its outcome does not depend on which
//! thread runs it. Each thread streams its runs into its own accumulator; accumulators merge with
//! exact integer additions (see [`Accumulate`]), which are associative and commutative, so any
//! split of the runs over threads gives the same bytes. Memory does not grow with the number of runs.

use rayon::prelude::*;

use super::fused::{FusedScratch, run_batch};
use super::model::Model;
use super::run::{Scratch, run};
use crate::graph::Graph;
use crate::rng;
use crate::{Error, Result};

/// What a Monte-Carlo batch streams its runs into.
///
/// Implementations must make `merge` exact and order-free (integer sums and counts, not floating
/// sums), so that the result does not depend on how rayon splits the runs.
pub trait Accumulate: Send + Sized {
    /// Records one run: its adoption times in hours (sorted increasingly, seeds included) and the
    /// number of arcs it examined.
    fn add_run(&mut self, adoption_times: &[f64], attempts: u64);
    /// Adds another accumulator's runs to this one.
    fn merge(&mut self, other: Self);
}

/// How many runs and from which seed.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MonteCarlo {
    pub runs: u64,
    pub seed: u64,
}

/// Which implementation runs the cascades. Both give the same distribution of results.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    /// Fused when it applies (every delay the same fixed time, every seed at the same hour),
    /// scalar otherwise.
    #[default]
    Auto,
    /// One run at a time: Dijkstra, or breadth-first search for equal fixed delays; failed coins
    /// skipped geometrically when probabilities are set per tie class.
    Scalar,
    /// The reference path: one run at a time and one coin per arc, nothing skipped (for checking
    /// the faster paths, which give the same distribution).
    Plain,
    /// 64 runs per pass over the graph (breadth-first cases only).
    Fused,
}

impl Engine {
    /// Parses `auto`, `scalar` or `fused`.
    pub fn parse(s: &str) -> Result<Engine> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Ok(Engine::Auto),
            "scalar" => Ok(Engine::Scalar),
            "plain" => Ok(Engine::Plain),
            "fused" => Ok(Engine::Fused),
            _ => Err(Error::invalid(
                "--engine",
                s,
                "expected auto, scalar, fused or plain",
            )),
        }
    }
}

/// Scratch buffers passed from one piece of work to the next.
struct Pool<T>(std::sync::Mutex<Vec<T>>);

impl<T> Default for Pool<T> {
    fn default() -> Self {
        Pool(std::sync::Mutex::new(Vec::new()))
    }
}

impl<T> Pool<T> {
    fn take(&self, make: impl FnOnce() -> T) -> T {
        let spare = self.0.lock().map(|mut v| v.pop()).unwrap_or(None);
        spare.unwrap_or_else(make)
    }

    fn give(&self, t: T) {
        if let Ok(mut v) = self.0.lock() {
            v.push(t);
        }
    }
}

/// Runs `mc.runs` cascades of `model` on `graph` from `seeds` and streams them into accumulators
/// made by `new_acc`. `progress` is called once after each run (from any thread). The engine is
/// chosen automatically ([`Engine::Auto`]).
///
/// # Errors
/// Zero runs, an invalid model, or seeds outside the graph.
pub fn simulate<A: Accumulate>(
    graph: &Graph,
    model: &Model,
    seeds: &[(u32, f64)],
    mc: MonteCarlo,
    new_acc: impl Fn() -> A + Sync,
    progress: &(dyn Fn() + Sync),
) -> Result<A> {
    simulate_with(graph, model, seeds, mc, Engine::Auto, new_acc, progress)
}

/// [`simulate`] with an explicit [`Engine`].
///
/// # Errors
/// As [`simulate`]; also [`Engine::Fused`] for a model or seeds it cannot run.
pub fn simulate_with<A: Accumulate>(
    graph: &Graph,
    model: &Model,
    seeds: &[(u32, f64)],
    mc: MonteCarlo,
    engine: Engine,
    new_acc: impl Fn() -> A + Sync,
    progress: &(dyn Fn() + Sync),
) -> Result<A> {
    if mc.runs == 0 {
        return Err(Error::invalid("--runs", "0", "need at least one run"));
    }
    let n = graph.node_count();
    if seeds.is_empty() {
        return Err(Error::invalid("--seeds", "", "no seed nodes"));
    }
    if let Some(&(u, _)) = seeds.iter().find(|&&(u, _)| u as usize >= n) {
        return Err(Error::invalid(
            "--seeds",
            u.to_string(),
            "not a node of the graph",
        ));
    }
    let mut prepared = model.prepare(graph)?;
    prepared.skip = engine != Engine::Plain;
    let runs = usize::try_from(mc.runs).map_err(|_| {
        Error::invalid(
            "--runs",
            mc.runs.to_string(),
            "too many runs for this machine",
        )
    })?;
    let start = seeds[0].1;
    let fusable = prepared
        .uniform_fixed_delay()
        .filter(|_| seeds.iter().all(|s| s.1 == start));
    let delay = match (engine, fusable) {
        (Engine::Scalar | Engine::Plain, _) | (Engine::Auto, None) => None,
        (_, Some(d)) => Some(d),
        (Engine::Fused, None) => {
            return Err(Error::invalid(
                "--engine",
                "fused",
                "needs every delay fixed to the same time (e.g. --delay fixed:1) and every seed at one start hour",
            ));
        }
    };
    // Work is cut into a fixed number of contiguous pieces (4 per thread, for balance); each piece
    // makes one accumulator, and takes a scratch buffer from a pool (made when the pool is empty)
    // and returns it when it ends. Pieces do not nest, so at most one scratch per thread exists,
    // each made (and its pages mapped) once, whatever rayon's splitting; the merged result does
    // not depend on it. The pool is dropped when the batch ends.
    let pieces = |units: usize| (rayon::current_num_threads() * 4).clamp(1, units);
    let merge = |mut a: A, b: A| {
        a.merge(b);
        a
    };
    let fused_pool = Pool::default();
    let pool = Pool::default();
    let acc = if let Some(delay) = delay {
        let batches = runs.div_ceil(64);
        let k = pieces(batches);
        (0..k)
            .into_par_iter()
            .map(|piece| {
                let mut scratch = fused_pool.take(|| FusedScratch::new(n));
                let mut acc = new_acc();
                for b in batches * piece / k..batches * (piece + 1) / k {
                    let in_batch = (runs - 64 * b).min(64);
                    let lanes = if in_batch == 64 {
                        u64::MAX
                    } else {
                        (1u64 << in_batch) - 1
                    };
                    let mut stream = rng::stream(mc.seed, rng::purpose::FUSED_BATCH + b as u64);
                    run_batch(
                        graph,
                        &prepared,
                        seeds,
                        start,
                        delay,
                        lanes,
                        &mut stream,
                        &mut scratch,
                    );
                    for lane in 0..in_batch {
                        let attempts = scratch.lane_attempts(lane);
                        acc.add_run(scratch.lane_times(lane, start, delay), attempts);
                        progress();
                    }
                }
                fused_pool.give(scratch);
                acc
            })
            .reduce_with(merge)
    } else {
        let k = pieces(runs);
        (0..k)
            .into_par_iter()
            .map(|piece| {
                let mut scratch = pool.take(|| Scratch::new(n));
                let mut acc = new_acc();
                for r in runs * piece / k..runs * (piece + 1) / k {
                    let mut stream = rng::stream(mc.seed, r as u64);
                    run(graph, &prepared, seeds, &mut stream, &mut scratch);
                    acc.add_run(&scratch.times, scratch.attempts);
                    progress();
                }
                pool.give(scratch);
                acc
            })
            .reduce_with(merge)
    };
    Ok(acc.expect("at least one run"))
}

/// Runs one cascade and returns its sorted adoption times (a convenience for tests and examples).
pub fn single_run(
    graph: &Graph,
    model: &Model,
    seeds: &[(u32, f64)],
    seed: u64,
    run_index: u64,
) -> Result<Vec<f64>> {
    let prepared = model.prepare(graph)?;
    let mut scratch = Scratch::new(graph.node_count());
    let mut stream = rng::stream(seed, run_index);
    run(graph, &prepared, seeds, &mut stream, &mut scratch);
    Ok(scratch.times.clone())
}

/// An accumulator that keeps only final reach counts: sum, sum of squares, runs, attempts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunStats {
    pub runs: u64,
    pub reach_sum: u64,
    pub reach_sq_sum: u128,
    pub attempts: u64,
}

impl RunStats {
    /// Mean final reach.
    pub fn mean(&self) -> f64 {
        self.reach_sum as f64 / self.runs as f64
    }
    /// Standard error of the mean final reach.
    pub fn sem(&self) -> f64 {
        let r = self.runs as f64;
        let var = (self.reach_sq_sum as f64 - (self.reach_sum as f64).powi(2) / r) / (r - 1.0);
        (var.max(0.0) / r).sqrt()
    }
}

impl Accumulate for RunStats {
    fn add_run(&mut self, t: &[f64], attempts: u64) {
        self.runs += 1;
        self.reach_sum += t.len() as u64;
        self.reach_sq_sum += (t.len() as u128).pow(2);
        self.attempts += attempts;
    }
    fn merge(&mut self, o: Self) {
        self.runs += o.runs;
        self.reach_sum += o.reach_sum;
        self.reach_sq_sum += o.reach_sq_sum;
        self.attempts += o.attempts;
    }
}

/// The time grid on which curves are sampled: `0, step, 2·step, …, end`.
#[derive(Copy, Clone, Debug, PartialEq, serde::Serialize)]
pub struct Grid {
    pub step_hours: f64,
    pub end_hours: f64,
}

impl Grid {
    /// Checks the step and the end.
    pub fn new(step_hours: f64, end_hours: f64) -> Result<Grid> {
        if !(step_hours.is_finite() && step_hours > 0.0) {
            return Err(Error::invalid(
                "--step-hours",
                step_hours.to_string(),
                "must be a positive number",
            ));
        }
        if !(end_hours.is_finite() && end_hours > 0.0) {
            return Err(Error::invalid(
                "--hours",
                end_hours.to_string(),
                "must be a positive number",
            ));
        }
        let points = (end_hours / step_hours + 1e-9).floor() + 1.0;
        if points > 1_000_000.0 {
            return Err(Error::invalid(
                "--step-hours",
                step_hours.to_string(),
                "gives more than a million grid points; use a larger step",
            ));
        }
        Ok(Grid {
            step_hours,
            end_hours,
        })
    }

    /// The grid's hours: `i × step`, rounded to 1e-9 h so that files show `0.3`, not
    /// `0.30000000000000004`.
    pub fn hours(&self) -> Vec<f64> {
        let k = (self.end_hours / self.step_hours + 1e-9).floor() as usize;
        (0..=k)
            .map(|i| (i as f64 * self.step_hours * 1e9).round() / 1e9)
            .collect()
    }
}

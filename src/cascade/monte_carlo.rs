//! Many runs in parallel with rayon, reproducible bit for bit on any number of threads.
//!
//! Run `r` draws only from [`crate::rng::stream`]`(seed, r)`, so its outcome does not depend on which
//! thread runs it. Each thread streams its runs into its own accumulator; accumulators merge with
//! exact integer additions (see [`Accumulate`]), which are associative and commutative, so any
//! split of the runs over threads gives the same bytes. Memory does not grow with the number of runs.

use rayon::prelude::*;

use super::engine::Engine;
use super::fused::{FusedScratch, run_batch};
use super::model::Model;
use super::prepared::{Prepared, Rule};
use super::scalar::{Scratch, run};
use crate::Naming;
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
    /// Records one run given by rounds: `(hour, adopters)` pairs, hours increasing, the run's
    /// adopters at each hour (the fused engine's form). The same as [`Accumulate::add_run`]
    /// with each hour repeated as many times as it has adopters, which is what the default does.
    fn add_rounds(&mut self, rounds: &[(f64, u64)], attempts: u64) {
        let times: Vec<f64> = rounds
            .iter()
            .flat_map(|&(t, c)| std::iter::repeat_n(t, c as usize))
            .collect();
        self.add_run(&times, attempts);
    }
    /// Records one run given by its adoption times in any order (the live engine's form, which
    /// does not sort them). The same as [`Accumulate::add_run`] on the times sorted, which is what
    /// the default does; an accumulator that needs only counts below given hours and a few order
    /// statistics can take them unsorted, in linear time. `times` may be reordered.
    fn add_unsorted(&mut self, times: &mut [f64], attempts: u64) {
        times.sort_unstable_by(f64::total_cmp);
        self.add_run(times, attempts);
    }
    /// Adds another accumulator's runs to this one.
    fn merge(&mut self, other: Self);
    /// This accumulator as bytes, to be merged in another process (runs sharded over a
    /// cluster, see [`crate::cluster`]); `None` (the default) when it cannot leave its process,
    /// and a cluster then refuses the computation.
    fn encode(&self) -> Option<Vec<u8>> {
        None
    }
    /// An accumulator from [`Accumulate::encode`]'s bytes.
    fn decode(_bytes: &[u8]) -> Option<Self> {
        None
    }
}

/// How many runs and from which seed.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MonteCarlo {
    pub runs: u64,
    pub seed: u64,
}

impl MonteCarlo {
    /// `runs` runs from the user seed `seed`.
    ///
    /// # Errors
    /// Zero runs, named by `naming` (`--runs` or `runs`).
    pub fn new(runs: u64, seed: u64, naming: Naming) -> Result<MonteCarlo> {
        if runs == 0 {
            return Err(naming.invalid("runs", 0, "need at least one run"));
        }
        Ok(MonteCarlo { runs, seed })
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
    simulate_chosen(graph, model, seeds, mc, engine, new_acc, progress).map(|(acc, _)| acc)
}

/// [`simulate_with`], also saying which engine ran the runs: `engine` itself, or for
/// [`Engine::Auto`] the one it chose ([`Engine::Scalar`] or [`Engine::Fused`]; with fused, the
/// first 64 runs, its pilot, ran scalar).
///
/// # Errors
/// As [`simulate_with`].
pub fn simulate_chosen<A: Accumulate>(
    graph: &Graph,
    model: &Model,
    seeds: &[(u32, f64)],
    mc: MonteCarlo,
    engine: Engine,
    new_acc: impl Fn() -> A + Sync,
    progress: &(dyn Fn() + Sync),
) -> Result<(A, Engine)> {
    let plan = SeedPlan::Fixed(seeds.to_vec());
    simulate_plan(graph, model, &plan, mc, engine, new_acc, progress)
}

/// Who starts each run.
#[derive(Clone, Debug, PartialEq)]
pub enum SeedPlan {
    /// The same nodes, with their start hours, in every run.
    Fixed(Vec<(u32, f64)>),
    /// `k` distinct nodes drawn uniformly afresh in every run, at hour 0: run `r` draws them from
    /// its own stream before its cascade.
    PerRun(usize),
}

/// Draws `k` distinct nodes of `0..n` (Floyd's algorithm: `k` draws, whatever `n`), sorted.
fn draw_seeds(rng: &mut rng::Rng, n: usize, k: usize, out: &mut Vec<(u32, f64)>) {
    out.clear();
    let mut set = std::collections::HashSet::new();
    for j in n - k..n {
        let t = rng::below(rng, j as u64 + 1) as u32;
        let pick = if set.contains(&t) { j as u32 } else { t };
        set.insert(pick);
        out.push((pick, 0.0));
    }
    out.sort_unstable_by_key(|s| s.0);
}

/// [`simulate_chosen`] with seeds that may change from run to run.
///
/// # Errors
/// As [`simulate_with`]; also no seeds, seeds outside the graph, or more per-run seeds than nodes.
pub fn simulate_plan<A: Accumulate>(
    graph: &Graph,
    model: &Model,
    plan: &SeedPlan,
    mc: MonteCarlo,
    engine: Engine,
    new_acc: impl Fn() -> A + Sync,
    progress: &(dyn Fn() + Sync),
) -> Result<(A, Engine)> {
    MonteCarlo::new(mc.runs, mc.seed, Naming::Flag)?;
    let n = graph.node_count();
    let seeds: &[(u32, f64)] = match plan {
        SeedPlan::Fixed(v) => v,
        SeedPlan::PerRun(k) if *k == 0 || *k > n => {
            return Err(Error::invalid(
                "--seeds",
                format!("random-per-run:{k}"),
                format!("K must be 1 to the {n} nodes of the graph"),
            ));
        }
        SeedPlan::PerRun(_) => &[(0, 0.0)],
    };
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
    let mut prepared = Prepared::new(model, graph)?;
    prepared.skip = engine != Engine::Plain;
    prepared.heap = matches!(engine, Engine::Plain | Engine::Dijkstra);
    // Continuous delays without a horizon: the live engine (rounds, then shortest times over
    // the live arcs found), which Auto prefers to the calendar queue there (benches/RESULTS.md,
    // 2026-12-06, third session). With a horizon the calendar stops at it; the rounds cannot.
    let bfs = prepared.uniform_fixed_delay().is_some() && seeds.iter().all(|s| s.1 == seeds[0].1);
    let live_fits = matches!(prepared.rule, Rule::Ic)
        && !bfs
        && (prepared.skipper().is_some() || prepared.per_arc().is_some());
    prepared.live = live_fits
        && (engine == Engine::Live || (engine == Engine::Auto && prepared.horizon.is_infinite()));
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
        .filter(|_| seeds.iter().all(|s| s.1 == start))
        .filter(|_| matches!(prepared.rule, Rule::Ic) && matches!(plan, SeedPlan::Fixed(_)));
    let delay = match (engine, fusable) {
        (Engine::Scalar | Engine::Plain | Engine::Dijkstra | Engine::Live, _)
        | (Engine::Auto, None) => None,
        (_, Some(d)) => Some(d),
        (Engine::Fused, None) => {
            return Err(Error::invalid(
                "--engine",
                "fused",
                "runs the independent cascade only, with every delay fixed to the same time (e.g. --delay fixed:1) and the same seeds in every run, all at one start hour",
            ));
        }
    };
    // Each thread keeps per-node buffers: refuse before making them if they cannot fit.
    crate::mem::check_run_scratch(n, rayon::current_num_threads().min(runs))?;
    let mut job = Job {
        part: (0, 1),
        graph,
        prepared: &prepared,
        seeds,
        per_run: match plan {
            SeedPlan::PerRun(k) => Some(*k),
            SeedPlan::Fixed(_) => None,
        },
        seed: mc.seed,
        runs,
        new_acc: &new_acc,
        progress,
        pool: Pool::default(),
        fused_pool: Pool::default(),
        live_off: std::sync::atomic::AtomicBool::new(false),
    };
    let acc = match crate::cluster::shards() {
        // A member of a cluster: this process's shards, then every process's, merged.
        Some((first, local, total)) => {
            let mut mine = Vec::with_capacity(local);
            let mut chosen = engine;
            for part in first..first + local {
                job.part = (part, total);
                let (acc, e) = job.all(engine, delay, start);
                crate::cluster::check()?;
                crate::cancel::check()?;
                mine.push(acc.encode().ok_or_else(|| {
                    Error::Cluster(
                        "this computation's results cannot be sent between processes".into(),
                    )
                })?);
                chosen = e;
            }
            let all = crate::cluster::all_gather(mine)?;
            if all.len() != total {
                return Err(Error::Cluster(format!(
                    "{} of {total} shards of runs came back: a process stopped before its share; no report was written",
                    all.len()
                )));
            }
            let mut merged: Option<A> = None;
            for b in &all {
                let acc = A::decode(b).ok_or_else(|| {
                    Error::Cluster("a process sent results that do not decode".into())
                })?;
                merged = Some(match merged {
                    Some(m) => job.merge(m, acc),
                    None => acc,
                });
            }
            (merged.expect("at least one shard"), chosen)
        }
        _ => job.all(engine, delay, start),
    };
    // Runs skipped after a stop was asked for: the accumulators are not the whole job.
    crate::cluster::check()?;
    crate::cancel::check()?;
    Ok(acc)
}

/// Runs that [`Engine::Auto`] makes before it chooses between the scalar and the fused engine for
/// the others (breadth-first cases only; see `Job::pilot`): one fused batch's worth.
const PILOT: usize = 64;

/// Runs that [`Engine::Auto`] makes on the live engine (continuous delays, no horizon) before it
/// chooses between it and the calendar queue for the others.
const LIVE_PILOT: usize = 16;

/// [`Engine::Auto`] keeps the live engine when the pilot's live arcs that reached a node already
/// adopted are at most this many per adopter; the calendar queue above. Measured (2 threads,
/// this ratio → live time / calendar time): ws_100k p = 0.05: 0.05 → 0.63; wc200k p = 0.05:
/// 0.07 → 0.87; ba_1m p = 0.05: 0.10 → 0.85; ba_100k p = 0.05: 0.11 → 0.81; ba_100k p = 0.1:
/// 0.43 → 1.08; ws_100k p = 0.15: 0.54 → 1.04; wc200k p = 0.1: 0.46 → 1.26; ba_100k p = 0.2:
/// 1.25 → 1.28; ws_100k p = 0.25: 1.50 → 1.49; wc200k p = 0.2: 1.74 → 2.0 (wc200k: the
/// WeChat-like generator, 200 k nodes, mean degree 13.4).
const LIVE_UP_TO: f64 = 0.2;

/// [`Engine::Auto`] runs fused batches when, in its pilot runs, a node adopted in a given round
/// in at least this many runs on average (see `Job::pilot`): a fused batch then reads the node's
/// arcs once for all of them. Below, the scalar engine's per-run work is cheaper (a bitmap of
/// adopters that stays in cache instead of a 16-byte record per node). Measured (2 threads,
/// sharing → fused time / scalar time, medians of 3 alternated): ba_1m p = 0.05: 1.26 → 1.82;
/// ba_1m p = 0.1: 2.66 → 1.62; ba_100k p = 0.01: 1.59 → 1.31; ba_100k p = 0.05: 1.50 → 1.32;
/// ba_100k p = 0.1: 2.82 → 1.15; ba_100k p = 0.2: 8.0 → 0.61; ws_100k p = 0.05: 3.35 → 0.82;
/// ws_100k p = 0.1: 2.02 → 1.01; ws_100k p = 0.15: 1.27 → 1.24; ws_100k p = 0.2: 1.59 → 1.13;
/// ws_100k p = 0.3: 4.35 → 0.78.
const FUSE_FROM: f64 = 3.0;

/// Pilot runs that examine fewer arcs than this in all (judging by run 0) run on the calling
/// thread, as the lanes of one fused batch.
const SEQUENTIAL_PILOT: usize = 1 << 21;

/// At most about this many (round, node) pairs are kept to measure the sharing of the pilot runs.
const SHARING_SAMPLE: usize = 1 << 18;

/// Below this many sampled keys the pilot sorts them on its own thread (waking the pool for a
/// small sort costs more than the sort).
const SEQUENTIAL_SORT: usize = 1 << 16;

/// One call's runs: what every piece of work needs.
struct Job<'a, A, F: Fn() -> A + Sync> {
    /// This piece of a cluster's work, and how many there are: `(0, 1)` outside a cluster.
    /// Every range of runs or batches is cut into `part.1` contiguous shares; this job runs
    /// share `part.0`.
    part: (usize, usize),
    graph: &'a Graph,
    prepared: &'a Prepared,
    seeds: &'a [(u32, f64)],
    /// Seeds drawn afresh in every run, this many (scalar runs only).
    per_run: Option<usize>,
    seed: u64,
    runs: usize,
    new_acc: &'a F,
    progress: &'a (dyn Fn() + Sync),
    // Scratch buffers passed from one piece of work to the next. Pieces do not nest, so at most
    // one scratch per thread exists, each made (and its pages mapped) once, whatever rayon's
    // splitting.
    pool: Pool<Scratch>,
    fused_pool: Pool<FusedScratch>,
    /// Set once auto's pilot found the live engine unsuited (before the other runs start, so
    /// every run reads the same value): the runs go on the calendar queue instead.
    live_off: std::sync::atomic::AtomicBool,
}

impl<A: Accumulate, F: Fn() -> A + Sync> Job<'_, A, F> {
    /// All of this job's runs (its share of them in a cluster), on `engine`; also the engine
    /// that ran them, as [`simulate_chosen`] reports it (the same for every share).
    fn all(&self, engine: Engine, delay: Option<f64>, start: f64) -> (A, Engine) {
        match (engine, delay) {
            (Engine::Auto, Some(delay)) => {
                // Scalar or fused, whichever suits this graph and model: the first PILOT runs go
                // one by one and measure how much a fused batch would share (see `Job::pilot`).
                // Every share makes the pilot (its choice must be the same everywhere); only the
                // first keeps its runs.
                let pilot = self.runs.min(PILOT);
                let (acc, shared, piloted) = self.pilot(pilot, start, delay);
                let acc = if self.part.0 == 0 {
                    acc
                } else {
                    (self.new_acc)()
                };
                let (rest, chosen) = if shared >= FUSE_FROM {
                    (self.fused(start, delay, pilot.div_ceil(64)), Engine::Fused)
                } else {
                    (self.scalar(pilot), Engine::Scalar)
                };
                let chosen = if pilot < self.runs { chosen } else { piloted };
                match rest {
                    Some(r) => (self.merge(acc, r), chosen),
                    None => (acc, chosen),
                }
            }
            (_, Some(delay)) => (
                self.fused(start, delay, 0)
                    .unwrap_or_else(|| (self.new_acc)()),
                Engine::Fused,
            ),
            (Engine::Plain | Engine::Dijkstra | Engine::Live, None) => {
                (self.scalar(0).unwrap_or_else(|| (self.new_acc)()), engine)
            }
            (Engine::Auto, None) if self.prepared.live => {
                // Live or calendar: the first LIVE_PILOT runs go live and count how many of their
                // live arcs reached a node that had adopted already (arcs the label correction may
                // have to follow again); the other runs stay live if few did. Every share makes the
                // pilot; only the first keeps its runs.
                let pilot = self.runs.min(LIVE_PILOT);
                let (acc, (adopters, aside)) = self
                    .scalar_runs(
                        0..pilot,
                        Self::pieces(pilot),
                        || (0u64, 0u64),
                        |s, c| {
                            let (m, e) = s.live.counts();
                            *c = (c.0 + m, c.1 + e);
                        },
                        |a, b| (a.0 + b.0, a.1 + b.1),
                    )
                    .unwrap_or_else(|| ((self.new_acc)(), (0, 0)));
                let acc = if self.part.0 == 0 {
                    acc
                } else {
                    (self.new_acc)()
                };
                let live = aside as f64 <= LIVE_UP_TO * adopters as f64;
                self.live_off
                    .store(!live, std::sync::atomic::Ordering::Relaxed);
                let rest = self.scalar(pilot);
                let acc = match rest {
                    Some(r) => self.merge(acc, r),
                    None => acc,
                };
                (acc, if live { Engine::Live } else { Engine::Scalar })
            }
            // Auto and live were taken above: the runs here never go live.
            (_, None) => (
                self.scalar(0).unwrap_or_else(|| (self.new_acc)()),
                Engine::Scalar,
            ),
        }
    }

    /// This job's share of `r` (all of it outside a cluster).
    fn share(&self, r: std::ops::Range<usize>) -> std::ops::Range<usize> {
        let (i, k) = self.part;
        let n = r.len();
        r.start + n * i / k..r.start + n * (i + 1) / k
    }

    fn merge(&self, mut a: A, b: A) -> A {
        a.merge(b);
        a
    }

    /// Work is cut into a fixed number of contiguous pieces (16 per thread, so that the last ones balance the threads); each
    /// piece makes one accumulator. The merged result does not depend on the split.
    fn pieces(units: usize) -> usize {
        (rayon::current_num_threads() * 16).clamp(1, units.max(1))
    }

    /// Runs `from..self.runs` one at a time; `None` if there are none.
    fn scalar(&self, from: usize) -> Option<A> {
        let runs = self.share(from.min(self.runs)..self.runs);
        let k = Self::pieces(runs.len());
        self.scalar_runs(runs, k, || (), |_, _| {}, |_, _| ())
            .map(|(acc, ())| acc)
    }

    /// Runs `runs` one at a time in `k` pieces, and after each run lets `each` look at it and
    /// note what it wants in the piece's `K` (made by `init`, joined by `join` in run order);
    /// `None` if there are no runs.
    fn scalar_runs<K: Send>(
        &self,
        runs: std::ops::Range<usize>,
        k: usize,
        init: impl Fn() -> K + Sync,
        each: impl Fn(&Scratch, &mut K) + Sync,
        join: impl Fn(K, K) -> K + Sync,
    ) -> Option<(A, K)> {
        let (from, units) = (runs.start, runs.len());
        if units == 0 {
            return None;
        }
        (0..k)
            .into_par_iter()
            .map(|piece| {
                let mut scratch = self.pool.take(|| Scratch::new(self.graph.node_count()));
                scratch.live_off = self.live_off.load(std::sync::atomic::Ordering::Relaxed);
                let mut acc = (self.new_acc)();
                let mut noted = init();
                let mut drawn = Vec::new();
                for r in from + units * piece / k..from + units * (piece + 1) / k {
                    if crate::cancel::requested() {
                        break;
                    }
                    let mut stream = rng::stream(self.seed, r as u64);
                    let seeds = match self.per_run {
                        Some(k) => {
                            draw_seeds(&mut stream, self.graph.node_count(), k, &mut drawn);
                            &drawn
                        }
                        None => self.seeds,
                    };
                    run(self.graph, self.prepared, seeds, &mut stream, &mut scratch);
                    scratch.record(&mut acc);
                    (self.progress)();
                    each(&scratch, &mut noted);
                }
                self.pool.give(scratch);
                (acc, noted)
            })
            .reduce_with(|(a, x), (b, y)| (self.merge(a, b), join(x, y)))
    }

    /// Runs fused batches `first..`, batch `b` being runs `64·b .. 64·b + 64`; `None` if there
    /// are none.
    fn fused(&self, start: f64, delay: f64, first: usize) -> Option<A> {
        let batches = self.share(first.min(self.runs.div_ceil(64))..self.runs.div_ceil(64));
        let (first, units) = (batches.start, batches.len());
        if units == 0 {
            return None;
        }
        let k = Self::pieces(units);
        (0..k)
            .into_par_iter()
            .map(|piece| {
                let mut scratch = self
                    .fused_pool
                    .take(|| FusedScratch::new(self.graph.node_count()));
                let mut acc = (self.new_acc)();
                for b in first + units * piece / k..first + units * (piece + 1) / k {
                    if crate::cancel::requested() {
                        break;
                    }
                    let in_batch = (self.runs - 64 * b).min(64);
                    let lanes = if in_batch == 64 {
                        u64::MAX
                    } else {
                        (1u64 << in_batch) - 1
                    };
                    self.batch(b, lanes, start, delay, &mut scratch, &mut acc);
                }
                self.fused_pool.give(scratch);
                acc
            })
            .reduce_with(|a, b| self.merge(a, b))
    }

    /// Runs fused batch `b` (runs `64·b ..`) in the lanes of `lanes` into `acc`.
    fn batch(
        &self,
        b: usize,
        lanes: u64,
        start: f64,
        delay: f64,
        scratch: &mut FusedScratch,
        acc: &mut A,
    ) {
        let mut stream = rng::stream(self.seed, rng::purpose::FUSED_BATCH + b as u64);
        run_batch(
            self.graph,
            self.prepared,
            self.seeds,
            start,
            delay,
            lanes,
            &mut stream,
            scratch,
        );
        for lane in (0..64).filter(|l| lanes >> l & 1 == 1) {
            let attempts = scratch.lane_attempts(lane);
            acc.add_rounds(scratch.lane_rounds(lane, start, delay), attempts);
            (self.progress)();
        }
    }

    /// Runs `0..pilot` one at a time (run 0 first, alone) and measures their sharing: over the
    /// (round, node) pairs of their adoptions, how many runs a pair stands for on average. That
    /// is the average number of lanes a fused batch of these runs would handle per node it reads.
    /// When there are many adoptions, a fixed hashed sample of the nodes is measured (its size
    /// set from run 0), so that the measurement costs little time and memory.
    ///
    /// When run 0 is small (the pilot would run on one thread anyway), runs `1..pilot` are lanes
    /// of fused batch 0 instead, which measures the sharing directly, at fused speed.
    /// Returns the runs, the sharing and the engine that made runs `1..pilot`.
    fn pilot(&self, pilot: usize, start: f64, delay: f64) -> (A, f64, Engine) {
        let join = |mut a: Vec<u64>, b: Vec<u64>| {
            a.extend(b);
            a
        };
        let (first, (attempts, mut keys)) = self
            .scalar_runs(
                0..1,
                1,
                || (0, Vec::new()),
                |s, out| *out = (s.attempts, s.round_pairs().collect()),
                |a, _| a,
            )
            .expect("one run");
        // Small runs go on this thread: waking the pool would cost more than they do.
        let small = attempts as usize * pilot < SEQUENTIAL_PILOT;
        if small && pilot > 1 {
            let mut scratch = self
                .fused_pool
                .take(|| FusedScratch::new(self.graph.node_count()));
            let mut acc = (self.new_acc)();
            // Lanes 1..pilot of batch 0 (lane 0 is run 0, made above).
            let lanes = (u64::MAX >> (64 - pilot)) & !1;
            self.batch(0, lanes, start, delay, &mut scratch, &mut acc);
            let shared = scratch.sharing(lanes);
            self.fused_pool.give(scratch);
            return (self.merge(first, acc), shared, Engine::Fused);
        }
        // Keep a node when the top `shift` bits of its hash are zero.
        let expected = keys.len().max(1) * pilot;
        let shift = (expected
            .div_ceil(SHARING_SAMPLE)
            .next_power_of_two()
            .trailing_zeros())
        .min(31);
        let keep = move |key: &u64| {
            let u = u64::from(*key as u32);
            shift == 0 || (u.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - shift)) == 0
        };
        keys.retain(keep);
        let k = if small { 1 } else { Self::pieces(pilot - 1) };
        let rest = self.scalar_runs(
            1..pilot,
            k,
            Vec::new,
            |s, keys| keys.extend(s.round_pairs().filter(keep)),
            join,
        );
        let acc = match rest {
            Some((acc, more)) => {
                keys.extend(more);
                self.merge(first, acc)
            }
            None => first,
        };
        let total = keys.len();
        if keys.len() < SEQUENTIAL_SORT {
            keys.sort_unstable();
        } else {
            keys.par_sort_unstable();
        }
        keys.dedup();
        let shared = if keys.is_empty() {
            0.0
        } else {
            total as f64 / keys.len() as f64
        };
        (acc, shared, Engine::Scalar)
    }
}

/// Runs one cascade and returns its sorted adoption times (a convenience for tests and examples).
pub fn single_run(
    graph: &Graph,
    model: &Model,
    seeds: &[(u32, f64)],
    seed: u64,
    run_index: u64,
) -> Result<Vec<f64>> {
    let prepared = Prepared::new(model, graph)?;
    let mut scratch = Scratch::new(graph.node_count());
    let mut stream = rng::stream(seed, run_index);
    run(graph, &prepared, seeds, &mut stream, &mut scratch);
    Ok(scratch.adoption_times())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_run_seeds_are_distinct_and_uniform() {
        let (n, k, draws) = (10usize, 3usize, 60_000);
        let mut counts = vec![0u64; n];
        let mut out = Vec::new();
        for r in 0..draws {
            draw_seeds(&mut rng::stream(4, r as u64), n, k, &mut out);
            assert_eq!(out.len(), k);
            assert!(
                out.windows(2).all(|w| w[0].0 < w[1].0),
                "distinct and sorted: {out:?}"
            );
            for &(u, h) in &out {
                assert_eq!(h, 0.0);
                counts[u as usize] += 1;
            }
        }
        // Each node is in a draw with chance k / n.
        let (p, m) = (k as f64 / n as f64, draws as f64);
        let sd = (m * p * (1.0 - p)).sqrt();
        for (u, &c) in counts.iter().enumerate() {
            assert!((c as f64 - m * p).abs() < 5.0 * sd, "node {u}: {c}");
        }
        draw_seeds(&mut rng::stream(4, 0), 5, 5, &mut out);
        assert_eq!(
            out.iter().map(|s| s.0).collect::<Vec<_>>(),
            vec![0, 1, 2, 3, 4]
        );
    }
}

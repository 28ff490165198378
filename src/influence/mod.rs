//! Seed selection: the `k` users whose first red packets reach the most people within H hours.
//!
//! Reverse-reachable sets (Borgs et al. 2014) with the online bounds of OPIM-C (Tang et al.,
//! SIGMOD 2018), with a deadline. For a uniformly drawn user `v` and a sampled world, the RR set
//! of `v` holds every node whose distance to `v` over live arcs is at most H hours (see [`rr`]);
//! then the expected number of adopters within H of a seed set S is n · P(S meets the RR set). As
//! a function of S that is an average of coverage functions, so it is monotone and submodular,
//! and everything the untimed method proves carries over: greedy maximum coverage on θ sets is
//! within (1 − 1/e) of the best coverage on them, and the concentration bounds on coverage hold
//! whatever the sets are. Two collections are drawn: R1 to choose (greedy, and an upper bound on
//! the best coverage), R2, half its size, to check (a lower bound on the chosen set's spread).
//! When the ratio of the bounds reaches 1 − 1/e − ε (and the choice rests on at least 32 covered
//! sets per seed, fewer for ε above 0.1) the choice is returned; otherwise both double, up to the size
//! that guarantees the ratio outright (at probability 1 − δ).

mod cover;
mod rr;
mod sets;

use std::sync::Mutex;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use crate::cascade::Model;
use crate::graph::Graph;
use crate::{Error, Result};

/// The seed selection's parameters.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SelectOptions {
    /// Seeds to choose.
    pub k: usize,
    /// The approximation is 1 − 1/e − ε.
    pub eps: f64,
    /// The guarantee holds with probability 1 − δ (default 1/n).
    pub delta: Option<f64>,
    /// The user seed.
    pub seed: u64,
    /// Refuse to use more than this many bytes for RR sets (default: 80 % of the memory available).
    pub max_memory: Option<u64>,
}

/// The chosen seeds and what is known of their spread.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Selection {
    /// Dense node ids, in the order chosen.
    pub seeds: Vec<u32>,
    /// Estimated adopters within the horizon of the first i + 1 seeds (from the checking sets,
    /// which the choice did not see: unbiased).
    pub cumulative: Vec<f64>,
    /// The estimate for all `k` seeds, and its standard error.
    pub estimate: f64,
    pub estimate_sem: f64,
    /// Bounds on the chosen set's expected spread (probability 1 − δ/3 each).
    pub lower: f64,
    pub upper: f64,
    /// An upper bound on the best spread any `k` seeds have.
    pub optimum_upper: f64,
    /// lower / optimum_upper: the approximation ratio proved.
    pub ratio: f64,
    /// The ratio asked for: 1 − 1/e − ε.
    pub target_ratio: f64,
    pub delta: f64,
    /// RR sets drawn (both collections), their entries, and their bytes (with the greedy's index).
    pub rr_sets: u64,
    pub rr_entries: u64,
    pub rr_bytes: u64,
    /// Rounds of doubling.
    pub rounds: u32,
    /// Seconds spent on sampling and on choosing.
    pub sample_seconds: f64,
    pub greedy_seconds: f64,
}

/// The choosing collection (R1) holds this many times as many sets as the checking one (R2).
/// OPIM-C's bounds allow any two sizes; choosing on more sets buys better seeds at the same
/// proof: at the cost of half as much sampling again, the choice is as good as one round of
/// doubling later would give, which is where equal collections often stop short.
const CHOOSE: f64 = 2.0;

/// Besides the proved ratio, the choice must rest on at least this many covered sets per seed:
/// a floor on how precisely the greedy's picks are measured. With a large ε the ratio can be
/// proved on a few hundred sets, whose greedy picks are mostly noise; more sets never weaken
/// the guarantee, so the floor only costs time. At 20 the seeds varied with the user seed by 5 %
/// on ba_1m under the weighted cascade (seeds 1–4 reached 50,419–52,974 people by 2,000 forward
/// runs; SUBSIM's 49,568–52,775 over its runs), at 32 and at 50 52,793–53,520; on ego-Facebook
/// 1,147–1,172 at 20, 1,172–1,189 at 32, 1,192–1,202 at 50. 50 made the red-packet comparison
/// with `best:50` 2.3× slower (each round doubles the sets, and the WeChat-like graph's sets are
/// large), 32 costs it 14 % (benches/RESULTS.md, 2026-12-02 evening).
///
/// That floor is for ε ≤ 0.1. A user who asks a looser ε asks for a faster, rougher choice, so past
/// 0.1 the floor falls as 1/ε: ⌈32 · 0.1/ε⌉, 7 at ε = 0.5 (with 32 there, ε = 0.5 sampled as many
/// sets as ε = 0.1 and cost the same time). A floor falling as 1/ε² (2 at ε = 0.5) made seeds up to
/// 3.8 % worse than SUBSIM's on ba_1m (benches/RESULTS.md, 2026-12-03 18:00); see the 2026-12-06
/// section for 1/ε.
const MIN_COVERED_PER_SEED: u64 = 32;

/// The floor of covered sets per seed at `eps` (see [`MIN_COVERED_PER_SEED`]).
fn min_covered_per_seed(eps: f64) -> u64 {
    if eps <= 0.1 {
        MIN_COVERED_PER_SEED
    } else {
        (MIN_COVERED_PER_SEED as f64 * 0.1 / eps).ceil() as u64
    }
}

/// ln C(n, k).
fn ln_choose(n: usize, k: usize) -> f64 {
    (1..=k)
        .map(|i| ((n - k + i) as f64).ln() - (i as f64).ln())
        .sum()
}

/// Checks `k`, `eps` and `delta` against a graph of `n` nodes, naming the flag.
///
/// # Errors
/// k = 0 or more than `n`; ε or δ outside (0, 1).
pub fn check(opts: &SelectOptions, n: usize) -> Result<()> {
    if opts.k == 0 {
        return Err(Error::invalid("--k", "0", "choose at least one seed"));
    }
    if opts.k > n {
        return Err(Error::invalid(
            "--k",
            opts.k.to_string(),
            format!("more seeds than the {n} nodes of the graph"),
        ));
    }
    if !(opts.eps > 0.0 && opts.eps < 1.0) {
        return Err(Error::invalid(
            "--eps",
            opts.eps.to_string(),
            "ε must be in (0, 1)",
        ));
    }
    if let Some(d) = opts.delta
        && !(d > 0.0 && d < 1.0)
    {
        return Err(Error::invalid(
            "--delta",
            d.to_string(),
            "δ must be in (0, 1)",
        ));
    }
    Ok(())
}

/// Chooses `opts.k` seeds for `model` (the independent cascade; its horizon is the deadline).
///
/// # Errors
/// As [`check`]; a model other than the independent cascade; a selection that would need more
/// memory than allowed (said before allocating it).
pub fn select(graph: &Graph, model: &Model, opts: &SelectOptions) -> Result<Selection> {
    check(opts, graph.node_count())?;
    select_with(&rr::Sampler::new(graph, model)?, graph.node_count(), opts)
}

/// As [`select`], on a graph whose arcs are turned round ([`Graph::transposed`], or loaded so
/// by [`crate::graph::load::load_reversed`]): the RR sets read its arcs as they are, with no
/// copy. The same seeds as [`select`] on the forward graph.
///
/// # Errors
/// As [`select`].
pub fn select_reversed(reversed: &Graph, model: &Model, opts: &SelectOptions) -> Result<Selection> {
    check(opts, reversed.node_count())?;
    select_with(
        &rr::Sampler::over_reversed(reversed, model)?,
        reversed.node_count(),
        opts,
    )
}

fn select_with(sampler: &rr::Sampler, n: usize, opts: &SelectOptions) -> Result<Selection> {
    let (k, eps) = (opts.k, opts.eps);
    let delta = opts.delta.unwrap_or(1.0 / n as f64).min(0.5);
    let approx = 1.0 - (-1.0f64).exp();
    let alpha = (6.0 / delta).ln().sqrt();
    let beta = (approx * (ln_choose(n, k) + (6.0 / delta).ln())).sqrt();
    let theta_0 = (2.0 * (approx * alpha + beta).powi(2)).ceil().max(1.0);
    let theta_max =
        (2.0 * n as f64 * (approx * alpha + beta).powi(2) / (k as f64 * eps * eps)).ceil();
    let rounds_max = ((theta_max / theta_0).log2().floor() as u32 + 1).max(1);
    let a = (3.0 * rounds_max as f64 / delta).ln();
    let limit = opts
        .max_memory
        .or_else(|| crate::mem::allowance().map(|m| m / 10 * 8))
        .unwrap_or(u64::MAX);

    let pool = Mutex::new(Vec::new());
    let mut choose = sets::RrSets::new(opts.seed, crate::rng::purpose::RR_CHOOSE);
    let mut check_sets = sets::RrSets::in_order(opts.seed, crate::rng::purpose::RR_CHECK);
    let (mut sample_s, mut greedy_s) = (0.0, 0.0);
    // Round `round`'s check-collection size from its doubled predecessor's: the last round takes
    // the size that proves the ratio whatever the bounds say.
    let sized = |round: u32, doubled: f64| {
        if round >= rounds_max {
            doubled.max(theta_max)
        } else {
            doubled
        }
    };
    let mut theta = theta_0;
    let mut round = 1;
    loop {
        crate::cancel::check()?;
        let last = round >= rounds_max;
        theta = sized(round, theta);
        // Refuse before allocating: entries so far per set predict the next round's.
        let sets_total = (CHOOSE + 1.0) * theta;
        let need = round_bytes(&choose, &check_sets, theta, sampler);
        if need > limit {
            return Err(Error::invalid(
                "--eps",
                eps.to_string(),
                format!(
                    "this selection needs about {} RR sets ({}), more than the {} allowed; \
                     raise --eps, lower --k, set --hours, or allow more with --max-memory",
                    thousands(sets_total),
                    crate::mem::human(need),
                    crate::mem::human(limit)
                ),
            ));
        }
        let t = Instant::now();
        let fits = choose.grow(sampler, &pool, (CHOOSE * theta) as usize)
            && check_sets.grow(sampler, &pool, theta as usize);
        sample_s += t.elapsed().as_secs_f64();
        // Sampling stops early when asked to: the sets are then not the ones the bounds need.
        crate::cancel::check()?;
        if !fits {
            return Err(Error::invalid(
                "--eps",
                eps.to_string(),
                format!(
                    "this selection needs more than 2^32 entries in one collection of RR sets \
                     (about {} sets); raise --eps, lower --k or set --hours",
                    thousands(sets_total)
                ),
            ));
        }
        // The greedy and its check run on one thread; meanwhile the next round's sets, should it
        // come to one, are drawn on the others (the greedy left one core idle: on
        // soc-Slashdot0902 at p = 0.01 it took a third of the selection). Set `i` comes from
        // stream `i` whenever it is drawn, so the sets are the same; if this round is the last,
        // the drawing stops and its sets are dropped.
        let next = (!last)
            .then(|| {
                let next = sized(round + 1, 2.0 * theta);
                // Drawn ahead only within the memory the next round may take anyway.
                let need = round_bytes(&choose, &check_sets, next, sampler);
                (need <= limit && (CHOOSE * next) as usize <= u32::MAX as usize).then_some(next)
            })
            .flatten();
        let stop = AtomicBool::new(false);
        let scale = n as f64 / theta;
        let t = Instant::now();
        let (round_out, ahead) = rayon::join(
            || {
                let t = Instant::now();
                let g = cover::greedy(&choose, n, k);
                let greedy = t.elapsed().as_secs_f64();
                let firsts = check_sets.coverage_by_rank(n, &g.seeds);
                let cov2: u64 = firsts.iter().sum();
                let opt_upper = ((g.best_upper + a / 2.0).sqrt() + (a / 2.0).sqrt()).powi(2)
                    * n as f64
                    / (CHOOSE * theta);
                let lower = lower_bound(cov2, a) * scale;
                let ratio = lower / opt_upper;
                let done = (ratio >= approx - eps
                    && g.covered >= min_covered_per_seed(eps) * k as u64)
                    || last;
                if done {
                    stop.store(true, std::sync::atomic::Ordering::Relaxed);
                }
                (g, firsts, cov2, opt_upper, lower, ratio, done, greedy)
            },
            || {
                next.and_then(|next| {
                    let c = choose.draw(sampler, &pool, (CHOOSE * next) as usize, &stop)?;
                    let r = check_sets.draw(sampler, &pool, next as usize, &stop)?;
                    Some((c, r))
                })
            },
        );
        let (g, firsts, cov2, opt_upper, lower, ratio, done, greedy) = round_out;
        greedy_s += greedy;
        sample_s += t.elapsed().as_secs_f64() - greedy;
        let upper = ((cov2 as f64 + a / 2.0).sqrt() + (a / 2.0).sqrt()).powi(2) * scale;
        if !done && let Some((c, r)) = ahead {
            // Added only if they fit; otherwise the next round's `grow` finds out and says so.
            let _ = choose.append(c) && check_sets.append(r);
        }
        if done {
            let mut cumulative = Vec::with_capacity(k);
            let mut total = 0u64;
            for f in &firsts {
                total += f;
                cumulative.push(total as f64 * scale);
            }
            let share = cov2 as f64 / theta;
            let entries = (choose.entries() + check_sets.entries()) as u64;
            return Ok(Selection {
                seeds: g.seeds,
                estimate: cov2 as f64 * scale,
                estimate_sem: n as f64 * (share * (1.0 - share) / theta).sqrt(),
                cumulative,
                lower,
                upper,
                optimum_upper: opt_upper,
                ratio,
                target_ratio: approx - eps,
                delta,
                rr_sets: sets_total as u64,
                rr_entries: entries,
                // Sets of both collections (4 bytes per entry and per set of two nodes or more),
                // plus the greedy's index of R1 at its largest (see `cover`).
                rr_bytes: (choose.bytes() + check_sets.bytes() + g.index_bytes) as u64,
                rounds: round,
                sample_seconds: sample_s,
                greedy_seconds: greedy_s,
            });
        }
        theta *= 2.0;
        round += 1;
    }
}

/// Bytes a round of `theta` sets in the check collection (and `CHOOSE` times as many in the other)
/// will hold, the entries per set so far predicting the next ones', with the reversed graph's own.
fn round_bytes(
    choose: &sets::RrSets,
    check: &sets::RrSets,
    theta: f64,
    sampler: &rr::Sampler,
) -> u64 {
    let per_set = (choose.entries() + check.entries()) as f64
        / (choose.len().max(1) as f64 + check.len().max(1) as f64);
    ((CHOOSE + 1.0) * theta * (per_set.max(1.0) * 8.0 + 16.0)) as u64 + sampler.own_bytes() as u64
}

/// The lower confidence bound on the sets covered, from `cov2` covered in the check collection
/// (OPIM-C's bound, before scaling to people), with `a` = ln(3 · rounds / δ).
fn lower_bound(cov2: u64, a: f64) -> f64 {
    (((cov2 as f64 + 2.0 * a / 9.0).sqrt() - (a / 2.0).sqrt()).powi(2) - a / 18.0).max(0.0)
}

fn thousands(x: f64) -> String {
    crate::report::thousands(x)
}

/// Degree discount (Chen, Wang and Yang, KDD 2009): `k` nodes, each time the one with the highest
/// discounted degree d − 2t − (d − t)·t·p, where t counts its neighbours already chosen and p is
/// the mean chance of an arc (ties: the lower id).
pub fn degree_discount(graph: &Graph, model: &Model, k: usize) -> Result<Vec<u32>> {
    use std::cmp::Ordering;
    use std::collections::BinaryHeap;
    /// A node's score when it was pushed: the largest first, the lower id on a tie.
    struct Entry(f64, u32);
    impl Ord for Entry {
        fn cmp(&self, o: &Self) -> Ordering {
            self.0.total_cmp(&o.0).then(o.1.cmp(&self.1))
        }
    }
    impl PartialOrd for Entry {
        fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
            Some(self.cmp(o))
        }
    }
    impl PartialEq for Entry {
        fn eq(&self, o: &Self) -> bool {
            self.cmp(o) == Ordering::Equal
        }
    }
    impl Eq for Entry {}
    let n = graph.node_count();
    let p = rr::mean_chance(graph, model)?;
    let degree: Vec<f64> = (0..n as u32).map(|u| graph.degree(u) as f64).collect();
    let mut score = degree.clone();
    let mut t = vec![0f64; n];
    let mut chosen = vec![false; n];
    // Every score change pushes the new score, so each unchosen node's current score is in the
    // heap; an entry whose score is no longer its node's is skipped when it comes up. (A
    // discounted degree can rise again, so stale entries cannot simply be trusted as bounds.)
    let mut heap: BinaryHeap<Entry> = (0..n as u32).map(|v| Entry(score[v as usize], v)).collect();
    let mut out = Vec::with_capacity(k.min(n));
    while out.len() < k.min(n) {
        let Entry(s, u) = heap.pop().expect("every unchosen node has an entry");
        let ui = u as usize;
        if chosen[ui] || s.to_bits() != score[ui].to_bits() {
            continue;
        }
        chosen[ui] = true;
        out.push(u);
        for &v in graph.neighbors(u) {
            let v = v as usize;
            if !chosen[v] {
                t[v] += 1.0;
                score[v] = degree[v] - 2.0 * t[v] - (degree[v] - t[v]) * t[v] * p;
                heap.push(Entry(score[v], v as u32));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cascade::{Activation, Delay};
    use crate::graph::EdgeList;
    use rand::{RngExt as _, SeedableRng};

    /// Degree discount by a scan over all nodes per pick, as the method is written.
    fn by_scan(graph: &Graph, p: f64, k: usize) -> Vec<u32> {
        let n = graph.node_count();
        let degree: Vec<f64> = (0..n as u32).map(|u| graph.degree(u) as f64).collect();
        let (mut score, mut t, mut chosen) = (degree.clone(), vec![0f64; n], vec![false; n]);
        let mut out = Vec::new();
        for _ in 0..k.min(n) {
            let mut best: Option<usize> = None;
            for v in 0..n {
                if !chosen[v] && best.is_none_or(|b| score[v] > score[b]) {
                    best = Some(v);
                }
            }
            let u = best.unwrap();
            chosen[u] = true;
            out.push(u as u32);
            for &v in graph.neighbors(u as u32) {
                let v = v as usize;
                if !chosen[v] {
                    t[v] += 1.0;
                    score[v] = degree[v] - 2.0 * t[v] - (degree[v] - t[v]) * t[v] * p;
                }
            }
        }
        out
    }

    #[test]
    fn degree_discount_picks_as_the_scan_over_all_nodes_does() {
        // Random graphs with hubs (so that discounted degrees rise again at high chances and tie
        // often), directed and not, at chances from none to sure.
        for seed in 0..12u64 {
            let mut rng = crate::rng::Rng::seed_from_u64(seed);
            let n = 60 + rng.random_range(0..60u32);
            let pairs: Vec<(u32, u32)> = (0..n * 4)
                .map(|_| {
                    let hub = rng.random_range(0..6u32);
                    let u = if rng.random_bool(0.5) {
                        hub
                    } else {
                        rng.random_range(0..n)
                    };
                    (u, rng.random_range(0..n))
                })
                .filter(|(u, v)| u != v)
                .collect();
            let directed = seed % 2 == 0;
            let g = Graph::from_edges(EdgeList::from_pairs(n as usize, &pairs), directed);
            for p in [0.0, 0.01, 0.3, 1.0] {
                let model = Model {
                    activation: Activation::Uniform { p },
                    ..Model::uniform(p, Delay::Exp { mean: 1.0 })
                };
                for k in [1, 7, n as usize] {
                    assert_eq!(
                        degree_discount(&g, &model, k).unwrap(),
                        by_scan(&g, p, k),
                        "seed {seed}, p {p}, k {k}"
                    );
                }
            }
        }
    }
}

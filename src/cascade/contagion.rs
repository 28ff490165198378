//! The engine of the models where adoption needs reinforcement (threshold, fractional, linear
//! threshold, dose–response; see `adoption.rs`): one run at a time, in hours.
//!
//! Under the independent cascade a node's adoption time is its earliest successful landing, so
//! Dijkstra keeps one tentative time per node. Here a node adopts at the exposure that meets its
//! need, which may be its second or tenth, so every exposure is an event: a min-heap of
//! (arrival hour, node, weight) entries, popped in time order. When every delay is the same fixed
//! time and every seed starts together, exposures arrive in rounds and a round is a pass over the
//! frontier's arcs with no heap at all.
//!
//! A node's need (K, the count for its share F, the dose for its uniform U, or its linear
//! threshold θ) is fixed at its first exposure in a run, drawn from the run's stream when it is
//! random, so nodes never exposed cost nothing. Per node and run the engine keeps one 16-byte
//! record (epoch stamps, exposures so far, need); nothing is cleared in O(n) between runs.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rand::Rng as _;

use super::prepared::{Need, Prepared, Rule};
use crate::graph::Graph;
use crate::rng::{self, Rng};

/// A heap tag that adopts whatever the need: a seed.
const SEED: u32 = u32::MAX;

/// What a run knows about one node. Fields count only when their stamp equals the run's epoch.
#[derive(Copy, Clone, Default)]
struct Exposed {
    /// `seen == epoch` once the node has been exposed (its need is then set).
    seen: u32,
    /// `done == epoch` once the node has adopted.
    done: u32,
    /// Exposures so far, or (linear threshold) the f32 bits of the weight so far.
    acc: u32,
    /// Exposures needed (`u32::MAX`: never), or the f32 bits of the threshold θ.
    need: u32,
}

/// Per-thread buffers of the engine, reused across runs.
#[derive(Default)]
pub(crate) struct ContagionScratch {
    nodes: Vec<Exposed>,
    epoch: u32,
    /// Min-heap on (arrival hour bits, node, weight): non-negative f64 bit patterns order like
    /// the numbers.
    heap: BinaryHeap<Reverse<(u64, u32, u32)>>,
    frontier: Vec<u32>,
    next: Vec<u32>,
}

impl ContagionScratch {
    fn next_epoch(&mut self, n: usize) {
        if self.nodes.len() != n {
            self.nodes = vec![Exposed::default(); n];
            self.epoch = 0;
        }
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            // After 2^32 - 1 runs the stamps wrap: clear once, then start again at 1.
            self.nodes.fill(Exposed::default());
            self.epoch = 1;
        }
        self.heap.clear();
    }
}

/// How a model turns exposures into a decision; one implementation per kind of need, so the
/// inner loops are compiled for each.
trait Decide {
    /// The weight an exposure over arc `i` into `v` carries (its bits).
    fn weight(&self, i: usize, v: u32) -> u32;
    /// The need of `v`, fixed at its first exposure (drawn from `rng` when random).
    fn need(&self, v: u32, rng: &mut Rng) -> u32;
    /// Adds an exposure of weight `w`; whether the node now adopts.
    fn add(&self, st: &mut Exposed, w: u32) -> bool;
}

/// Counting rules: one per exposure, adopt when the count meets the need.
struct Count<'a>(&'a Need);

impl Decide for Count<'_> {
    #[inline(always)]
    fn weight(&self, _: usize, _: u32) -> u32 {
        1
    }

    #[inline(always)]
    fn need(&self, v: u32, rng: &mut Rng) -> u32 {
        match self.0 {
            Need::Fixed(k) => *k,
            Need::PerNode(k) => k[v as usize],
            Need::Dose(c) => {
                // The first k with U < C_k; never when U is at or above the last.
                let u = rng::unit(rng);
                let k = c.partition_point(|&x| x <= u);
                if k == c.len() { u32::MAX } else { k as u32 + 1 }
            }
        }
    }

    #[inline(always)]
    fn add(&self, st: &mut Exposed, w: u32) -> bool {
        st.acc = st.acc.saturating_add(w);
        st.acc >= st.need
    }
}

/// The linear threshold: weights per node (1 / in-degree) or per arc (the graph's), θ ~ U(0, 1].
struct Linear<'a> {
    per_node: Option<&'a [f32]>,
    per_arc: &'a [f32],
}

impl Decide for Linear<'_> {
    #[inline(always)]
    fn weight(&self, i: usize, v: u32) -> u32 {
        match self.per_node {
            Some(w) => w[v as usize].to_bits(),
            None => self.per_arc[i].to_bits(),
        }
    }

    #[inline(always)]
    fn need(&self, _: u32, rng: &mut Rng) -> u32 {
        // θ in (0, 1]: 1 − U with U in [0, 1).
        ((1.0 - rng::unit(rng)) as f32).to_bits()
    }

    #[inline(always)]
    fn add(&self, st: &mut Exposed, w: u32) -> bool {
        let sum = f32::from_bits(st.acc) + f32::from_bits(w);
        st.acc = sum.to_bits();
        sum >= f32::from_bits(st.need)
    }
}

/// Runs one cascade of a reinforcement model from `seeds`; adoption times land in `times` (sorted)
/// and, for breadth-first runs, `rounds`; arcs examined in `attempts`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn run(
    graph: &Graph,
    model: &Prepared,
    seeds: &[(u32, f64)],
    rng: &mut Rng,
    c: &mut ContagionScratch,
    times: &mut Vec<f64>,
    rounds: &mut Vec<(f64, u64)>,
    attempts: &mut u64,
) {
    c.next_epoch(graph.node_count());
    let fixed = model
        .uniform_fixed_delay()
        .filter(|_| seeds.iter().all(|&(_, t)| t == seeds[0].1));
    let mut out = Out {
        times,
        rounds,
        attempts,
    };
    match &model.rule {
        Rule::Ic => unreachable!("the independent cascade runs in scalar.rs"),
        Rule::Count(need) => go(graph, model, &Count(need), seeds, fixed, rng, c, &mut out),
        Rule::Linear { per_node } => {
            let d = Linear {
                per_node: per_node.as_deref(),
                per_arc: graph.weights().unwrap_or(&[]),
            };
            go(graph, model, &d, seeds, fixed, rng, c, &mut out)
        }
    }
}

/// Where a run's results go.
struct Out<'a> {
    times: &'a mut Vec<f64>,
    rounds: &'a mut Vec<(f64, u64)>,
    attempts: &'a mut u64,
}

#[allow(clippy::too_many_arguments)]
fn go<D: Decide>(
    graph: &Graph,
    model: &Prepared,
    d: &D,
    seeds: &[(u32, f64)],
    fixed: Option<f64>,
    rng: &mut Rng,
    c: &mut ContagionScratch,
    out: &mut Out,
) {
    match fixed {
        Some(delay) => rounds(graph, model, d, seeds, delay, rng, c, out),
        None => events(graph, model, d, seeds, rng, c, out),
    }
}

/// Calls `hit(arc, rng)` for every arc of `u` whose exposure gets through, in arc order.
#[inline(always)]
fn exposures(
    graph: &Graph,
    model: &Prepared,
    u: u32,
    rng: &mut Rng,
    mut hit: impl FnMut(usize, &mut Rng),
) -> u64 {
    let (a, b) = graph.arc_range(u);
    let ties = graph.ties();
    match model.skipper() {
        Some(sk) if sk.q_max() >= 1.0 && !sk.thins() => (a..b).for_each(|i| hit(i, rng)),
        Some(sk) => sk.for_each_success(rng, ties, a, b, hit),
        None => {
            for i in a..b {
                if rng.next_u64() >> 11 < model.threshold(ties, i) {
                    hit(i, rng);
                }
            }
        }
    }
    (b - a) as u64
}

/// Exposures as events in time order (any delays).
fn events<D: Decide>(
    graph: &Graph,
    model: &Prepared,
    d: &D,
    seeds: &[(u32, f64)],
    rng: &mut Rng,
    c: &mut ContagionScratch,
    out: &mut Out,
) {
    let epoch = c.epoch;
    let horizon = model.horizon;
    for &(u, t) in seeds {
        if t <= horizon {
            c.heap.push(Reverse((t.to_bits(), u, SEED)));
        }
    }
    let targets = graph.targets();
    let ties = graph.ties();
    while let Some(Reverse((bits, v, w))) = c.heap.pop() {
        let st = &mut c.nodes[v as usize];
        if st.done == epoch {
            continue;
        }
        if w != SEED {
            if st.seen != epoch {
                st.seen = epoch;
                st.acc = 0;
                st.need = d.need(v, rng);
            }
            if !d.add(st, w) {
                continue;
            }
        }
        st.done = epoch;
        let t = f64::from_bits(bits);
        out.times.push(t);
        let (nodes, heap) = (&c.nodes, &mut c.heap);
        *out.attempts += exposures(graph, model, v, rng, |i, rng| {
            let x = targets[i];
            if nodes[x as usize].done == epoch {
                return;
            }
            let land = t + model.delays[ties[i].index()].sample(rng);
            if land <= horizon {
                heap.push(Reverse((land.to_bits(), x, d.weight(i, x))));
            }
        });
    }
}

/// Exposures in rounds: every delay is `delay` hours and every seed starts together.
#[allow(clippy::too_many_arguments)]
fn rounds<D: Decide>(
    graph: &Graph,
    model: &Prepared,
    d: &D,
    seeds: &[(u32, f64)],
    delay: f64,
    rng: &mut Rng,
    c: &mut ContagionScratch,
    out: &mut Out,
) {
    let epoch = c.epoch;
    let start = seeds.first().map_or(0.0, |s| s.1);
    c.frontier.clear();
    if start <= model.horizon {
        for &(u, _) in seeds {
            let st = &mut c.nodes[u as usize];
            if st.done != epoch {
                st.done = epoch;
                c.frontier.push(u);
            }
        }
    }
    let targets = graph.targets();
    let mut t = start;
    while !c.frontier.is_empty() {
        out.times.extend(std::iter::repeat_n(t, c.frontier.len()));
        out.rounds.push((t, c.frontier.len() as u64));
        if t + delay > model.horizon {
            // No exposure of this round can land in time; its arcs count as examined, as in
            // the other engines (arcs examined = the adopters' out-degrees).
            *out.attempts += c
                .frontier
                .iter()
                .map(|&u| graph.degree(u) as u64)
                .sum::<u64>();
            break;
        }
        c.next.clear();
        let (nodes, next) = (&mut c.nodes, &mut c.next);
        for &u in &c.frontier {
            *out.attempts += exposures(graph, model, u, rng, |i, rng| {
                let x = targets[i];
                let st = &mut nodes[x as usize];
                if st.done == epoch {
                    return;
                }
                if st.seen != epoch {
                    st.seen = epoch;
                    st.acc = 0;
                    st.need = d.need(x, rng);
                }
                if d.add(st, d.weight(i, x)) {
                    st.done = epoch;
                    next.push(x);
                }
            });
        }
        std::mem::swap(&mut c.frontier, &mut c.next);
        t += delay;
    }
}

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
//! random, so nodes never exposed cost nothing. Per node and run the engine keeps one 12-byte
//! record (an epoch stamp, exposures so far, need); nothing is cleared in O(n) between runs.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rand::Rng as _;

use super::prepared::{Need, Prepared, Rule};
use super::scalar::{push_span, to_arcs};
use super::skip::GeometricSkip;
use crate::graph::Graph;
use crate::rng::{self, Rng};

/// A heap tag that adopts whatever the need: a seed.
const SEED: u32 = u32::MAX;

/// What a run knows about one node. Fields count only when `seen` equals the run's epoch.
///
/// An adopter's need is set to one no exposure can meet ([`Decide::ADOPTED`]), so an exposure
/// of an adopter falls through the same arithmetic as any other: no branch on "adopted yet?",
/// which is as random as the cascade.
#[derive(Copy, Clone, Default)]
struct Exposed {
    /// `seen == epoch` once the node has been exposed or seeded (its need is then set).
    seen: u32,
    /// Exposures so far, or (linear threshold) the f32 bits of the weight so far.
    acc: u32,
    /// Exposures needed (`u32::MAX`: never), or the f32 bits of the threshold θ; after adoption,
    /// [`Decide::ADOPTED`].
    need: u32,
    /// Counting rules with continuous delays: where the node's earliest arrivals are kept.
    slot: u32,
}

impl Exposed {
    /// Whether the node has adopted in the run of `epoch`.
    #[inline(always)]
    fn adopted<D: Decide>(&self, epoch: u32) -> bool {
        self.seen == epoch && self.need == D::ADOPTED
    }
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
    /// Rounds: the targets of the round's exposures that got through, and (weighted rules) their
    /// weights.
    hits: Vec<u32>,
    weights: Vec<u32>,
    /// Rounds with skipping: the round's arc ranges, and the positions of its successes.
    spans: Vec<(usize, usize)>,
    positions: Vec<usize>,
    /// Counting rules with continuous delays: each exposed node's `need` earliest arrival hours,
    /// a max-heap per node, laid end to end.
    arrivals: Vec<f64>,
}

impl ContagionScratch {
    /// Files the seeds that start by the horizon as the first events.
    fn push_seeds(&mut self, seeds: &[(u32, f64)], horizon: f64) {
        for &(u, t) in seeds {
            if t <= horizon {
                self.heap.push(Reverse((t.to_bits(), u, SEED)));
            }
        }
    }

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
        self.arrivals.clear();
    }
}

/// How a model turns exposures into a decision; one implementation per kind of need, so the
/// inner loops are compiled for each.
trait Decide {
    /// Whether exposures carry weights of their own (otherwise each counts 1).
    const WEIGHTED: bool;
    /// The need of an adopter: no sum of exposures meets it.
    const ADOPTED: u32;
    /// The weight an exposure over arc `i` into `v` carries (its bits).
    fn weight(&self, i: usize, v: u32) -> u32;
    /// The need of `v`, fixed at its first exposure (drawn from `rng` when random).
    fn need(&self, v: u32, rng: &mut Rng) -> u32;
    /// Adds an exposure of weight `w`; whether the node now adopts.
    fn add(&self, st: &mut Exposed, w: u32) -> bool;
}

/// Counting rules: one per exposure, adopt when the count meets the need.
struct Count<'a> {
    need: &'a Need,
    in_degrees: &'a [u32],
}

impl Decide for Count<'_> {
    const WEIGHTED: bool = false;
    // A count reaches it only after 2^32 - 1 exposures, more than any node has arcs.
    const ADOPTED: u32 = u32::MAX;

    #[inline(always)]
    fn weight(&self, _: usize, _: u32) -> u32 {
        1
    }

    #[inline(always)]
    fn need(&self, v: u32, rng: &mut Rng) -> u32 {
        match self.need {
            Need::Fixed(k) => *k,
            Need::PerNode(k) => k[v as usize],
            Need::Dose(c) => {
                // The first k with U < C_k; never when U is at or above the last.
                let u = rng::unit(rng);
                let k = c.partition_point(|&x| x <= u);
                if k == c.len() { u32::MAX } else { k as u32 + 1 }
            }
            Need::InDegreeShare => {
                // θ in (0, 1]: the smallest k with k / d ≥ θ, ⌈θ·d⌉ (without a call to ceil).
                let x = (1.0 - rng::unit(rng)) * self.in_degrees[v as usize] as f64;
                let k = x as u32;
                (k + u32::from((k as f64) < x)).max(1)
            }
        }
    }

    #[inline(always)]
    fn add(&self, st: &mut Exposed, w: u32) -> bool {
        st.acc = st.acc.saturating_add(w);
        st.acc >= st.need
    }
}

/// The linear threshold with the graph's weights (per arc), θ ~ U(0, 1]. (With weights
/// 1 / in-degree it is a counting rule, `Need::InDegreeShare`.)
struct Linear<'a> {
    per_arc: &'a [f32],
}

impl Decide for Linear<'_> {
    const WEIGHTED: bool = true;
    // Weights are finite, so their sum never reaches infinity.
    const ADOPTED: u32 = 0x7f80_0000;

    #[inline(always)]
    fn weight(&self, i: usize, _: u32) -> u32 {
        self.per_arc[i].to_bits()
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
        Rule::Count { need, in_degrees } => {
            let d = Count { need, in_degrees };
            match fixed {
                Some(delay) => in_rounds(graph, model, &d, seeds, delay, rng, c, &mut out),
                None => earliest_arrivals(graph, model, &d, seeds, rng, c, &mut out),
            }
        }
        Rule::Linear => {
            let d = Linear {
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
        Some(delay) => in_rounds(graph, model, d, seeds, delay, rng, c, out),
        None => events(graph, model, d, seeds, rng, c, out),
    }
}

/// Which exposures get through: every one, skipping by the tie's chance, or (the reference
/// engine) one coin per arc. Fixed once per run.
#[derive(Copy, Clone)]
enum Through {
    All,
    Skip(GeometricSkip),
    Coins,
}

impl Through {
    fn of(model: &Prepared) -> Through {
        match model.skipper() {
            Some(sk) if sk.q_max() >= 1.0 && !sk.thins() => Through::All,
            Some(sk) => Through::Skip(sk),
            None => Through::Coins,
        }
    }
}

/// Calls `hit(arc, rng)` for every arc of `u` whose exposure gets through, in arc order;
/// returns the arcs examined.
#[inline(always)]
fn exposures(
    graph: &Graph,
    model: &Prepared,
    through: Through,
    u: u32,
    rng: &mut Rng,
    mut hit: impl FnMut(usize, &mut Rng),
) -> u64 {
    let (a, b) = graph.arc_range(u);
    let ties = graph.ties();
    match through {
        Through::All => (a..b).for_each(|i| hit(i, rng)),
        Through::Skip(sk) => sk.for_each_success(rng, ties, a, b, hit),
        Through::Coins => {
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
    c.push_seeds(seeds, horizon);
    let targets = graph.targets();
    let ties = graph.ties();
    let through = Through::of(model);
    while let Some(Reverse((bits, v, w))) = c.heap.pop() {
        let st = &mut c.nodes[v as usize];
        if st.adopted::<D>(epoch) {
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
        st.seen = epoch;
        st.need = D::ADOPTED;
        let t = f64::from_bits(bits);
        out.times.push(t);
        let (nodes, heap) = (&c.nodes, &mut c.heap);
        *out.attempts += exposures(graph, model, through, v, rng, |i, rng| {
            let x = targets[i];
            if nodes[x as usize].adopted::<D>(epoch) {
                return;
            }
            let land = t + model.delays[ties[i].index()].sample(rng);
            if land <= horizon {
                heap.push(Reverse((land.to_bits(), x, d.weight(i, x))));
            }
        });
    }
}

/// A need no node meets: it has fewer in-neighbours than it needs exposures.
const HOPELESS: u32 = u32::MAX - 1;

/// A heap tag: a node's tentative adoption (its need-th earliest arrival so far).
const TENTATIVE: u32 = 0;

/// Restores the max-heap order of `h` after its root was replaced.
fn sift_down(h: &mut [f64]) {
    let mut i = 0;
    loop {
        let (l, r) = (2 * i + 1, 2 * i + 2);
        let mut top = i;
        if l < h.len() && h[l] > h[top] {
            top = l;
        }
        if r < h.len() && h[r] > h[top] {
            top = r;
        }
        if top == i {
            return;
        }
        h.swap(i, top);
        i = top;
    }
}

/// Restores the max-heap order of `h` after `x` was pushed at its end.
fn sift_up(h: &mut [f64]) {
    let mut i = h.len() - 1;
    while i > 0 {
        let parent = (i - 1) / 2;
        if h[parent] >= h[i] {
            return;
        }
        h.swap(parent, i);
        i = parent;
    }
}

/// Counting rules with any delays: a node adopts at its need-th arrival, so it keeps only its
/// `need` earliest arrivals (a small max-heap) and the global heap holds one tentative adoption
/// per node, the largest of them once there are `need`; a later, earlier arrival replaces the
/// largest and makes a new tentative entry (the old one is then stale and skipped). Arrivals that
/// cannot matter cost nothing: no delay is drawn for an exposure of a node that needs more
/// exposures than it has in-neighbours, nor of one whose kept arrivals all come before the
/// exposure even leaves.
///
/// The adoption times are those of [`events`], which keeps every exposure: a node adopts at the
/// need-th smallest arrival of the exposures made before then, in both.
fn earliest_arrivals(
    graph: &Graph,
    model: &Prepared,
    d: &Count,
    seeds: &[(u32, f64)],
    rng: &mut Rng,
    c: &mut ContagionScratch,
    out: &mut Out,
) {
    let epoch = c.epoch;
    let horizon = model.horizon;
    c.push_seeds(seeds, horizon);
    let targets = graph.targets();
    let ties = graph.ties();
    let through = Through::of(model);
    while let Some(Reverse((bits, v, tag))) = c.heap.pop() {
        let st = &mut c.nodes[v as usize];
        if st.adopted::<Count>(epoch) {
            continue;
        }
        if tag == TENTATIVE {
            // Stale unless it is still the need-th earliest arrival.
            let s = st.slot as usize;
            if st.seen != epoch || st.acc != st.need || c.arrivals[s].to_bits() != bits {
                continue;
            }
        }
        st.seen = epoch;
        st.need = Count::ADOPTED;
        let t = f64::from_bits(bits);
        out.times.push(t);
        let (nodes, heap, arrivals) = (&mut c.nodes, &mut c.heap, &mut c.arrivals);
        *out.attempts += exposures(graph, model, through, v, rng, |i, rng| {
            let x = targets[i];
            let st = &mut nodes[x as usize];
            if st.seen != epoch {
                st.seen = epoch;
                st.acc = 0;
                let need = d.need(x, rng);
                st.need = if need > d.in_degrees[x as usize] {
                    HOPELESS
                } else {
                    need
                };
                if st.need != HOPELESS {
                    st.slot = arrivals.len() as u32;
                    arrivals.resize(arrivals.len() + st.need as usize, f64::INFINITY);
                }
            }
            if st.need == HOPELESS || st.need == Count::ADOPTED {
                return;
            }
            let (s, full) = (st.slot as usize, st.acc == st.need);
            if full && t >= arrivals[s] {
                return;
            }
            let land = t + model.delays[ties[i].index()].sample(rng);
            if land > horizon {
                return;
            }
            if !full {
                let end = s + st.acc as usize;
                arrivals[end] = land;
                st.acc += 1;
                sift_up(&mut arrivals[s..=end]);
                if st.acc == st.need {
                    heap.push(Reverse((arrivals[s].to_bits(), x, TENTATIVE)));
                }
            } else if land < arrivals[s] {
                let h = &mut arrivals[s..s + st.need as usize];
                h[0] = land;
                sift_down(h);
                heap.push(Reverse((h[0].to_bits(), x, TENTATIVE)));
            }
        });
    }
}

/// How many exposures ahead the round's second pass asks for a target's record.
const PREFETCH: usize = 16;

/// Exposures in rounds: every delay is `delay` hours and every seed starts together.
///
/// A round goes in two passes so that the random reads are asked for ahead of time: first the
/// targets of the exposures that get through (a copy of the frontier's target ids when every
/// exposure does), then each target's record, prefetched a fixed distance ahead.
#[allow(clippy::too_many_arguments)]
fn in_rounds<D: Decide>(
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
            if !st.adopted::<D>(epoch) {
                st.seen = epoch;
                st.need = D::ADOPTED;
                c.frontier.push(u);
            }
        }
    }
    let targets = graph.targets();
    let ties = graph.ties();
    let through = Through::of(model);
    let mut t = start;
    while !c.frontier.is_empty() {
        out.rounds.push((t, c.frontier.len() as u64));
        *out.attempts += c
            .frontier
            .iter()
            .map(|&u| graph.degree(u) as u64)
            .sum::<u64>();
        if t + delay > model.horizon {
            // No exposure of this round can land in time.
            break;
        }
        c.hits.clear();
        c.weights.clear();
        if let Through::Skip(sk) = through {
            // One geometric walk through all of the round's arcs, as the scalar rounds of the
            // independent cascade go: the successes' positions, then their arcs, then (two tie
            // classes) the thinning.
            c.spans.clear();
            let mut len = 0;
            for &u in &c.frontier {
                len = push_span(&mut c.spans, len, graph.arc_range(u));
            }
            c.positions.clear();
            sk.candidates(rng, len, &mut c.positions);
            to_arcs(&mut c.spans, &mut c.positions);
            for &i in &c.positions {
                if sk.keep(rng, ties, i) {
                    c.hits.push(targets[i]);
                    if D::WEIGHTED {
                        c.weights.push(d.weight(i, targets[i]));
                    }
                }
            }
        } else {
            for &u in &c.frontier {
                let (a, b) = graph.arc_range(u);
                let (hits, weights) = (&mut c.hits, &mut c.weights);
                let mut hit = |i: usize| {
                    hits.push(targets[i]);
                    if D::WEIGHTED {
                        weights.push(d.weight(i, targets[i]));
                    }
                };
                match through {
                    // A loop, not a call to memmove: a node's arcs are few.
                    Through::All if !D::WEIGHTED => {
                        targets[a..b].iter().for_each(|&x| hits.push(x))
                    }
                    Through::All | Through::Skip(_) => (a..b).for_each(hit),
                    Through::Coins => {
                        for i in a..b {
                            if rng.next_u64() >> 11 < model.threshold(ties, i) {
                                hit(i);
                            }
                        }
                    }
                }
            }
        }
        // Every exposed node is written into `next`, whose end moves by one only when it adopts:
        // whether an exposure completes a need is as random as the cascade, and a branch on it
        // would be mispredicted about as often.
        c.next.clear();
        c.next.resize(c.hits.len(), 0);
        let (nodes, next) = (&mut c.nodes, &mut c.next);
        let mut adopted = 0;
        for h in 0..c.hits.len() {
            if let Some(&ahead) = c.hits.get(h + PREFETCH) {
                crate::mem::prefetch(nodes, ahead as usize);
            }
            let x = c.hits[h];
            let st = &mut nodes[x as usize];
            if st.seen != epoch {
                st.seen = epoch;
                st.acc = 0;
                st.need = d.need(x, rng);
            }
            // An adopter's need is out of reach: its exposures change nothing.
            let w = if D::WEIGHTED { c.weights[h] } else { 1 };
            let adopts = d.add(st, w);
            st.need = if adopts { D::ADOPTED } else { st.need };
            next[adopted] = x;
            adopted += usize::from(adopts);
        }
        next.truncate(adopted);
        std::mem::swap(&mut c.frontier, &mut c.next);
        t += delay;
    }
}

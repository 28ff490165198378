//! Reverse-reachable (RR) sets with a deadline: who would have reached a random user within H
//! hours, in one sampled world.
//!
//! A world of the independent cascade is a live-or-dead coin and a delay for every arc. Seeds
//! starting at hour 0 reach `v` by hour H exactly when some seed's distance to `v` over live arcs,
//! with the delays as lengths, is at most H. So the RR set of `v` is a Dijkstra from `v` over the
//! reversed arcs, each arc's coin and delay drawn when its head is settled (once: a node settles
//! once), cut at H. Without a deadline it is a breadth-first search and no delay is drawn.
//!
//! The linear threshold has a live-edge world too: every node keeps one in-arc, drawn with the
//! arc's weight (none with the rest), live when its exposure gets through. Conditioned on the
//! landings so far, the chance that a uniform threshold is crossed by the next landing equals the
//! chance that the kept arc is that one, so adoption times match in distribution, not just final
//! sets; the RR set is then one reverse path, cut at H.

use std::borrow::Cow;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rand_distr::Distribution;

use crate::cascade::{Activation, DelaySampler, Model};
use crate::graph::{Graph, TieClass};
use crate::rng::{self, Rng};
use crate::{Error, Result};

/// How a reversed arc's coin is tossed.
enum Coins {
    /// One chance on every arc: skip geometrically (`inv_rate` = 1 / −ln(1 − p)).
    Uniform { p: f64, inv_rate: f64 },
    /// A chance per tie class: skip at the larger one and keep a candidate with the ratio.
    ByClass {
        p: [f64; 2],
        p_max: f64,
        inv_rate: f64,
    },
    /// The weighted cascade: every arc into `v` has the chance 1 / in-degree(v). `inv_rates[d]`
    /// is [`inv_rate`]`(1 / d)` for the in-degrees below [`IN_DEGREE_TABLE`] (a logarithm per node
    /// sampled otherwise); larger ones compute it.
    InDegree { inv_rates: Vec<f64> },
    /// A chance per reversed arc (from the graph's weights).
    PerArc(Vec<f64>),
}

/// How the linear threshold's live-edge world keeps one in-arc per node (Kempe, Kleinberg and
/// Tardos 2003: a node whose threshold is uniform adopts exactly when the one in-neighbour it drew,
/// with chance equal to the arc's weight, has adopted and its exposure reached it).
enum Pick {
    /// Weights 1 / in-degree: one in-arc uniformly.
    InDegree,
    /// The graph's weights (their sum into any node at most 1): per reversed arc, the running
    /// sum of the weights into its head up to and including it.
    Weights(Vec<f64>),
}

/// The graph reversed, with what an RR set needs of every arc.
pub(crate) struct Sampler<'g> {
    pub(crate) n: usize,
    /// In-arcs by head: `sources[offsets[v]..offsets[v + 1]]` are the tails of the arcs into `v`.
    offsets: Cow<'g, [u64]>,
    sources: Cow<'g, [u32]>,
    /// The tie class of each reversed arc (read only when the chance or the delay depends on it).
    ties: Cow<'g, [TieClass]>,
    coins: Coins,
    /// The linear threshold: each node keeps at most one in-arc, drawn by its weight.
    pick: Option<Pick>,
    delays: [DelaySampler; 2],
    one_delay: bool,
    horizon: f64,
}

/// What one thread needs to sample RR sets: marks by generation, tentative distances, a heap.
pub(crate) struct Scratch {
    generation: u32,
    seen: Vec<u32>,
    done: Vec<u32>,
    dist: Vec<f64>,
    queue: Buckets,
}

impl Scratch {
    /// For a sampler over `n` nodes; `timed`: with a horizon (the search's marks of settled nodes
    /// and its distances are needed only then).
    ///
    /// The marks are read before they are written: from a lazily zeroed allocation the first read
    /// of a page maps the shared zero page, and the first write then replaces it, flushing the
    /// other threads' TLBs (soc-Slashdot0902's RR sets spent 3 % of their samples there). They are
    /// mapped up front instead ([`crate::mem::zeroed`]).
    pub(crate) fn new(n: usize, timed: bool) -> Scratch {
        let timed_n = if timed { n } else { 0 };
        Scratch {
            generation: 0,
            seen: crate::mem::zeroed(n),
            done: crate::mem::zeroed(timed_n),
            dist: crate::mem::zeroed(timed_n),
            queue: Buckets::default(),
        }
    }

    fn next_generation(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.seen.fill(0);
            self.done.fill(0);
            self.generation = 1;
        }
    }
}

/// Buckets of [`Buckets`]' queue over `[0, H]`.
const BUCKETS: usize = 4096;

/// The timed search's queue of (distance, node), which hands them out in the order of (distance,
/// node), exactly as a binary heap of the pairs would (so the RR sets, and the coins drawn for
/// them in that order, are the same), for less: the distances lie in `[0, H]`, so an entry is
/// first filed in one of [`BUCKETS`] buckets by its distance, and only the bucket being emptied
/// is a heap, of a few entries (landings in it while it is emptied join that heap). On the
/// red-packet graph a binary heap of the whole frontier (thousands of entries) was 28 % of the
/// timed RR sets' time.
struct Buckets {
    /// Buckets per hour.
    scale: f64,
    /// The bucket being emptied, and its entries as a min-heap of (distance bits, node).
    now: usize,
    heap: BinaryHeap<Reverse<(u64, u32)>>,
    /// The later buckets, and a bit per non-empty one.
    later: Vec<Vec<(u64, u32)>>,
    full: [u64; BUCKETS / 64],
}

impl Default for Buckets {
    fn default() -> Buckets {
        Buckets {
            scale: 0.0,
            now: 0,
            heap: BinaryHeap::new(),
            later: vec![Vec::new(); BUCKETS],
            full: [0; BUCKETS / 64],
        }
    }
}

impl Buckets {
    /// Empties the queue for distances up to `horizon` (finite).
    fn start(&mut self, horizon: f64) {
        self.scale = BUCKETS as f64 / horizon;
        self.now = 0;
        self.heap.clear();
        for (w, word) in self.full.iter_mut().enumerate() {
            while *word != 0 {
                self.later[w * 64 + word.trailing_zeros() as usize].clear();
                *word &= *word - 1;
            }
        }
    }

    /// Files node `v` at distance `d` (in `[0, horizon]`, at least the last distance handed out).
    #[inline]
    fn push(&mut self, d: f64, v: u32) {
        // Monotone in `d` (a division and a product by positive numbers, rounded): no entry goes
        // to a bucket before a smaller distance's.
        let b = ((d * self.scale) as usize).min(BUCKETS - 1);
        debug_assert!(b >= self.now);
        if b <= self.now {
            self.heap.push(Reverse((d.to_bits(), v)));
        } else {
            self.later[b].push((d.to_bits(), v));
            self.full[b / 64] |= 1 << (b % 64);
        }
    }

    /// The node most likely handed out next: the smallest in the bucket being emptied.
    #[inline]
    fn peek(&self) -> Option<u32> {
        self.heap.peek().map(|e| e.0.1)
    }

    /// The entry with the smallest (distance bits, node).
    #[inline]
    fn pop(&mut self) -> Option<(u64, u32)> {
        loop {
            if let Some(Reverse(e)) = self.heap.pop() {
                return Some(e);
            }
            // The next non-empty bucket becomes the heap.
            let mut w = self.now / 64;
            let mut word = self.full[w] & (u64::MAX << (self.now % 64));
            while word == 0 {
                w += 1;
                if w == self.full.len() {
                    return None;
                }
                word = self.full[w];
            }
            let b = w * 64 + word.trailing_zeros() as usize;
            self.full[w] &= !(1 << (b % 64));
            self.now = b;
            let mut entries = std::mem::take(&mut self.heap).into_vec();
            entries.extend(self.later[b].drain(..).map(Reverse));
            self.heap = BinaryHeap::from(entries);
        }
    }
}

/// Calls `hit(i, rng)` for every `i` in `0..len` whose coin of chance `p` (skipping at
/// `inv_rate` = 1 / −ln(1 − p)) succeeds, in increasing order: one exponential draw per success.
#[inline(always)]
fn skip_walk(
    rng: &mut Rng,
    len: usize,
    p: f64,
    inv_rate: f64,
    mut hit: impl FnMut(usize, &mut Rng),
) {
    if p >= 1.0 {
        for i in 0..len {
            hit(i, rng);
        }
        return;
    }
    if p <= 0.0 {
        return;
    }
    let mut i = 0usize;
    while i < len {
        let e: f64 = rand_distr::Exp1.sample(rng);
        let gap = e * inv_rate;
        if gap >= (len - i) as f64 {
            return;
        }
        i += gap as usize;
        hit(i, rng);
        i += 1;
    }
}

/// How far ahead in an RR set's queue its nodes' offsets are asked for (their in-arcs at half
/// that distance).
const AHEAD: usize = 8;

/// In-degrees below this have their weighted-cascade skip rate in a table (8 KB).
const IN_DEGREE_TABLE: usize = 1024;

fn inv_rate(p: f64) -> f64 {
    if p <= 0.0 || p >= 1.0 {
        0.0
    } else {
        -1.0 / (-p).ln_1p()
    }
}

/// The linear threshold's weights, `None` for the independent cascade; an error for the other
/// models, which have no reverse-reachable sets.
fn lt_weights(model: &Model) -> Result<Option<crate::cascade::LtWeights>> {
    use crate::cascade::Adoption;
    match &model.adoption {
        Adoption::Ic => Ok(None),
        Adoption::LinearThreshold { weights } => Ok(Some(*weights)),
        other => Err(Error::invalid(
            "--model",
            other.to_string(),
            "seed selection covers the independent cascade (--model ic) and the linear \
             threshold (--model lt): the other models have no reverse-reachable sets",
        )),
    }
}

/// The weights that `--p-from-weight p` turns into chances, or the error naming the flag.
fn weights_for_chances(weights: Option<&[f32]>, p: f64) -> Result<&[f32]> {
    weights.ok_or_else(|| {
        Error::invalid(
            "--p-from-weight",
            p.to_string(),
            "this graph has no weights (give a weight column)",
        )
    })
}

/// The mean chance of an arc of `graph` under `model` (degree discount's p), read off the graph
/// as it is: a directed graph is not turned round for it, as a [`Sampler`] would be. Under the
/// weighted cascade an arc into `v` has chance 1/in-degree(v), so the chances sum to the number of
/// nodes with an arc in.
///
/// # Errors
/// As [`Sampler::new`] for a model without reverse-reachable sets, or chances from weights on a
/// graph without them.
pub(crate) fn mean_chance(graph: &Graph, model: &Model) -> Result<f64> {
    lt_weights(model)?;
    let arcs = graph.targets().len();
    let per_arc = arcs.max(1) as f64;
    Ok(match model.activation {
        Activation::Uniform { p } => p,
        Activation::ByTie { strong, weak } => {
            let s = graph
                .ties()
                .iter()
                .filter(|t| **t == TieClass::Strong)
                .count() as f64;
            (strong * s + weak * (per_arc - s)) / per_arc
        }
        Activation::WeightedCascade => {
            let has_in = graph.in_degrees().iter().filter(|&&d| d > 0).count();
            has_in as f64 / per_arc
        }
        Activation::FromWeight { p } => {
            let w = weights_for_chances(graph.weights(), p)?;
            w.iter()
                .map(|&w| crate::cascade::weight_chance(p, w))
                .sum::<f64>()
                / per_arc
        }
    })
}

/// The arcs into each node (offsets, sources, tie classes, weights), borrowed from an undirected
/// graph or owned when a directed one is reversed.
type Reversed<'a> = (
    Cow<'a, [u64]>,
    Cow<'a, [u32]>,
    Cow<'a, [TieClass]>,
    Option<Cow<'a, [f32]>>,
);

impl<'g> Sampler<'g> {
    /// The sampler for `model` (the independent cascade, or the linear threshold) on `graph`.
    ///
    /// # Errors
    /// Another model, chances or LT weights from a graph without weights, or LT weights into a
    /// node that sum to more than 1.
    pub(crate) fn new(graph: &'g Graph, model: &Model) -> Result<Sampler<'g>> {
        // An undirected graph holds every edge both ways with the same class and weight, so its
        // arcs out of `v` are, reversed, its arcs into `v`: no copy.
        if !graph.is_directed() {
            return Sampler::over_reversed(graph, model);
        }
        let (o, s, t, w) = graph.transposed_arcs();
        Sampler::with_arcs_in(
            graph,
            (o.into(), s.into(), t.into(), w.map(Cow::Owned)),
            model,
        )
    }

    /// The sampler for `model` reading `reversed`, a graph whose arcs are already turned round
    /// ([`Graph::transposed`], or loaded so by [`crate::graph::load::load_reversed`]): its arcs
    /// out of `v` are the arcs into `v`, borrowed, not copied.
    ///
    /// # Errors
    /// As [`Sampler::new`].
    pub(crate) fn over_reversed(reversed: &'g Graph, model: &Model) -> Result<Sampler<'g>> {
        let arcs: Reversed = (
            reversed.offsets().into(),
            reversed.targets().into(),
            reversed.ties().into(),
            reversed.weights().map(Cow::Borrowed),
        );
        Sampler::with_arcs_in(reversed, arcs, model)
    }

    /// The sampler over the arcs into each node of `graph` (which names the nodes in errors).
    fn with_arcs_in(graph: &Graph, arcs: Reversed<'g>, model: &Model) -> Result<Sampler<'g>> {
        use crate::cascade::LtWeights;
        let lt = lt_weights(model)?;
        let n = graph.node_count();
        let (offsets, sources, ties, weights) = arcs;
        let coins = match model.activation {
            Activation::Uniform { p } => Coins::Uniform {
                p,
                inv_rate: inv_rate(p),
            },
            Activation::ByTie { strong, weak } => {
                let mut p = [0.0; 2];
                p[TieClass::Strong.index()] = strong;
                p[TieClass::Weak.index()] = weak;
                let p_max = strong.max(weak);
                Coins::ByClass {
                    p,
                    p_max,
                    inv_rate: inv_rate(p_max),
                }
            }
            Activation::WeightedCascade => Coins::InDegree {
                inv_rates: (0..IN_DEGREE_TABLE)
                    .map(|d| inv_rate(1.0 / d.max(1) as f64))
                    .collect(),
            },
            Activation::FromWeight { p } => {
                let w = weights_for_chances(weights.as_deref(), p)?;
                Coins::PerArc(
                    w.iter()
                        .map(|&w| crate::cascade::weight_chance(p, w))
                        .collect(),
                )
            }
        };
        let pick = match lt {
            None => None,
            Some(LtWeights::InDegree) => Some(Pick::InDegree),
            Some(LtWeights::Graph) => {
                let w = weights.as_deref().ok_or_else(|| {
                    Error::invalid(
                        "--lt-weights",
                        "graph",
                        "this graph has no weights (give a weight column)",
                    )
                })?;
                let mut running = vec![0.0; w.len()];
                for v in 0..n {
                    let (a, b) = (offsets[v] as usize, offsets[v + 1] as usize);
                    let mut sum = 0.0;
                    for i in a..b {
                        sum += f64::from(w[i]);
                        running[i] = sum;
                    }
                    // The live-edge world needs a distribution: the weights into a node sum to 1
                    // at most (the threshold is then crossed with a chance equal to that sum).
                    if sum > 1.0 + 1e-6 {
                        return Err(Error::invalid(
                            "--lt-weights",
                            "graph",
                            format!(
                                "the weights into node {} sum to {sum:.3}: seed selection under the \
                                 linear threshold needs each node's in-weights to sum to 1 at most \
                                 (use --lt-weights in-degree, or normalise the weights)",
                                graph.ids().label(v as u32)
                            ),
                        ));
                    }
                }
                Some(Pick::Weights(running))
            }
        };
        let delays = [model.delay_weak.sampler(), model.delay_strong.sampler()];
        Ok(Sampler {
            n,
            offsets,
            sources,
            ties,
            pick,
            one_delay: delays[0] == delays[1],
            delays,
            coins,
            horizon: model.horizon(),
        })
    }

    /// Whether an RR set is a timed search (a horizon, and not the linear threshold's walk).
    pub(crate) fn timed(&self) -> bool {
        self.pick.is_none() && self.horizon.is_finite()
    }

    /// Bytes the reversed graph holds beyond the graph itself.
    pub(crate) fn own_bytes(&self) -> usize {
        let owned = |c: bool, b: usize| if c { b } else { 0 };
        owned(
            matches!(self.offsets, Cow::Owned(_)),
            self.offsets.len() * 8,
        ) + owned(
            matches!(self.sources, Cow::Owned(_)),
            self.sources.len() * 4,
        ) + owned(matches!(self.ties, Cow::Owned(_)), self.ties.len())
            + match &self.coins {
                Coins::PerArc(v) => v.len() * 8,
                _ => 0,
            }
            + match &self.pick {
                Some(Pick::Weights(v)) => v.len() * 8,
                _ => 0,
            }
    }

    /// Calls `hit(arc, rng)` for every live arc into `v` (an index into `sources`).
    #[inline(always)]
    fn live_in_arcs(&self, v: u32, rng: &mut Rng, mut hit: impl FnMut(usize, &mut Rng)) {
        let (a, b) = (
            self.offsets[v as usize] as usize,
            self.offsets[v as usize + 1] as usize,
        );
        match &self.coins {
            Coins::Uniform { p, inv_rate } => {
                skip_walk(rng, b - a, *p, *inv_rate, |i, r| hit(a + i, r))
            }
            Coins::ByClass { p, p_max, inv_rate } => {
                skip_walk(rng, b - a, *p_max, *inv_rate, |i, r| {
                    let q = p[self.ties[a + i].index()];
                    if q >= *p_max || crate::rng::unit(r) * p_max < q {
                        hit(a + i, r)
                    }
                })
            }
            Coins::InDegree { inv_rates } => {
                let d = b - a;
                if d > 0 {
                    let p = 1.0 / d as f64;
                    let rate = match inv_rates.get(d) {
                        Some(&r) => r,
                        None => inv_rate(p),
                    };
                    skip_walk(rng, d, p, rate, |i, r| hit(a + i, r))
                }
            }
            Coins::PerArc(q) => {
                for (i, &qi) in q.iter().enumerate().take(b).skip(a) {
                    if qi > 0.0 && crate::rng::unit(rng) < qi {
                        hit(i, rng)
                    }
                }
            }
        }
    }

    /// Appends to `out` one RR set: the nodes that reach a uniformly drawn user within the horizon
    /// in a world drawn from `rng` (the user first).
    pub(crate) fn sample(&self, rng: &mut Rng, s: &mut Scratch, out: &mut Vec<u32>) {
        s.next_generation();
        let g = s.generation;
        let root = rng::below(rng, self.n as u64) as u32;
        let start = out.len();
        if let Some(pick) = &self.pick {
            self.walk(pick, root, rng, s, out);
            return;
        }
        if self.horizon.is_infinite() {
            s.seen[root as usize] = g;
            out.push(root);
            let mut head = start;
            while head < out.len() {
                let v = out[head];
                // The in-arcs of a node a few places on in the queue are asked for now (read
                // at random), as are its offsets.
                if let Some(&w) = out.get(head + AHEAD) {
                    crate::mem::prefetch(&self.offsets, w as usize);
                }
                if let Some(&w) = out.get(head + AHEAD / 2) {
                    crate::mem::prefetch(&self.sources, self.offsets[w as usize] as usize);
                }
                head += 1;
                self.live_in_arcs(v, rng, |i, _| {
                    let u = self.sources[i];
                    if s.seen[u as usize] != g {
                        s.seen[u as usize] = g;
                        out.push(u);
                    }
                });
            }
            return;
        }
        s.queue.start(self.horizon);
        s.seen[root as usize] = g;
        s.dist[root as usize] = 0.0;
        s.queue.push(0.0, root);
        while let Some((bits, v)) = s.queue.pop() {
            if s.done[v as usize] == g {
                continue;
            }
            s.done[v as usize] = g;
            out.push(v);
            // The next node out is usually the queue's smallest now (this one's landings fall
            // later): its in-arcs are asked for while this one's are walked (unasked, their
            // loads were most of the search's time).
            if let Some(w) = s.queue.peek() {
                let a = self.offsets[w as usize] as usize;
                crate::mem::prefetch(&self.sources, a);
                if !self.one_delay || matches!(self.coins, Coins::ByClass { .. }) {
                    crate::mem::prefetch(&self.ties, a);
                }
            }
            let t = f64::from_bits(bits);
            let (seen, done, dist, queue) = (&mut s.seen, &s.done, &mut s.dist, &mut s.queue);
            self.live_in_arcs(v, rng, |i, r| {
                let d = if self.one_delay {
                    self.delays[0].sample(r)
                } else {
                    self.delays[self.ties[i].index()].sample(r)
                };
                let land = t + d;
                let u = self.sources[i] as usize;
                if land > self.horizon || done[u] == g {
                    return;
                }
                if seen[u] != g || land < dist[u] {
                    seen[u] = g;
                    dist[u] = land;
                    queue.push(land, u as u32);
                }
            });
        }
    }
}

impl Sampler<'_> {
    /// Whether the exposure over reversed arc `i` (into `v`) gets through: its coin.
    #[inline]
    fn exposure(&self, v: u32, i: usize, rng: &mut Rng) -> bool {
        let q = match &self.coins {
            Coins::Uniform { p, .. } => *p,
            Coins::ByClass { p, .. } => p[self.ties[i].index()],
            Coins::InDegree { .. } => {
                let d = self.offsets[v as usize + 1] - self.offsets[v as usize];
                1.0 / d.max(1) as f64
            }
            Coins::PerArc(q) => q[i],
        };
        q >= 1.0 || (q > 0.0 && crate::rng::unit(rng) < q)
    }

    /// The linear threshold's RR set of `root`: in the live-edge world every node keeps at most
    /// one in-arc, so the nodes that reach `root` lie on one reverse path, followed while its
    /// arcs are live and the landing times stay within the horizon, until it closes a cycle.
    fn walk(&self, pick: &Pick, root: u32, rng: &mut Rng, s: &mut Scratch, out: &mut Vec<u32>) {
        let g = s.generation;
        s.seen[root as usize] = g;
        out.push(root);
        let (mut v, mut t) = (root, 0.0);
        loop {
            let (a, b) = (
                self.offsets[v as usize] as usize,
                self.offsets[v as usize + 1] as usize,
            );
            if a == b {
                return;
            }
            let i = match pick {
                Pick::InDegree => a + rng::below(rng, (b - a) as u64) as usize,
                Pick::Weights(running) => {
                    let x = crate::rng::unit(rng);
                    match running[a..b].iter().position(|&c| x < c) {
                        Some(j) => a + j,
                        None => return, // no in-arc kept: the threshold is never crossed
                    }
                }
            };
            if !self.exposure(v, i, rng) {
                return;
            }
            if self.horizon.is_finite() {
                t += if self.one_delay {
                    self.delays[0].sample(rng)
                } else {
                    self.delays[self.ties[i].index()].sample(rng)
                };
                if t > self.horizon {
                    return;
                }
            }
            let u = self.sources[i];
            if s.seen[u as usize] == g {
                return;
            }
            s.seen[u as usize] = g;
            out.push(u);
            v = u;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cascade::Delay;
    use crate::graph::EdgeList;
    use crate::influence::sets::RrSets;
    use std::sync::Mutex;

    fn path(n: u32) -> Graph {
        let pairs: Vec<(u32, u32)> = (0..n - 1).map(|i| (i, i + 1)).collect();
        Graph::from_edges(EdgeList::from_pairs(n as usize, &pairs), true)
    }

    fn sets(g: &Graph, model: &Model, count: usize) -> RrSets {
        let sampler = Sampler::new(g, model).unwrap();
        let mut r = RrSets::new(5, 0);
        assert!(r.grow(&sampler, &Mutex::new(Vec::new()), count));
        r
    }

    #[test]
    fn the_mean_chance_of_an_arc_is_read_off_the_graph_as_given() {
        use crate::graph::TieClass::{Strong, Weak};
        // Directed: 0→1, 0→2, 1→2, 3→2 (node 2 has three arcs in, nodes 0 and 3 none).
        let pairs = [(0, 1), (0, 2), (1, 2), (3, 2)];
        let edges = EdgeList {
            ties: Some(vec![Strong, Weak, Weak, Weak]),
            weights: Some(vec![1.0, 2.0, 0.0, 1.0]),
            ..EdgeList::from_pairs(4, &pairs)
        };
        let g = Graph::from_edges(edges, true);
        let with = |activation| Model {
            activation,
            ..Model::uniform(0.0, Delay::Exp { mean: 1.0 })
        };
        let close = |a: f64, b: f64| assert!((a - b).abs() < 1e-12, "{a} against {b}");
        close(
            mean_chance(&g, &with(Activation::Uniform { p: 0.3 })).unwrap(),
            0.3,
        );
        let by_tie = with(Activation::ByTie {
            strong: 0.6,
            weak: 0.2,
        });
        close(mean_chance(&g, &by_tie).unwrap(), (0.6 + 3.0 * 0.2) / 4.0);
        // Weighted cascade: 1 into node 1 (one arc), 3 × 1/3 into node 2: two nodes' worth.
        close(
            mean_chance(&g, &with(Activation::WeightedCascade)).unwrap(),
            2.0 / 4.0,
        );
        let p = 0.5f64;
        let from_weight = with(Activation::FromWeight { p });
        close(
            mean_chance(&g, &from_weight).unwrap(),
            (p + (1.0 - (1.0 - p).powi(2)) + 0.0 + p) / 4.0,
        );
        // The graph turned round is another graph: nodes 0, 1 and 3 have arcs in, node 2 none.
        let t = g.clone().transposed();
        close(
            mean_chance(&t, &with(Activation::WeightedCascade)).unwrap(),
            3.0 / 4.0,
        );
        close(mean_chance(&t, &by_tie).unwrap(), (0.6 + 3.0 * 0.2) / 4.0);
        // Without weights, chances from weights are refused, naming the flag.
        let plain = Graph::from_edges(EdgeList::from_pairs(4, &pairs), true);
        let e = mean_chance(&plain, &from_weight).unwrap_err().to_string();
        assert!(e.contains("--p-from-weight"), "{e}");
    }

    #[test]
    fn the_buckets_hand_out_entries_as_a_binary_heap_would() {
        // Dijkstra's use: each push at least the last distance handed out, up to the horizon;
        // ties in distance (equal fixed delays, zero delays, the same node twice) broken by node.
        use rand::RngExt;
        let mut rng = crate::rng::stream(3, 0);
        let mut q = Buckets::default();
        for (case, horizon) in [(0, 24.0), (1, 1.0), (2, 1e-3), (3, 5e6)]
            .into_iter()
            .cycle()
            .take(40)
        {
            q.start(horizon);
            let mut reference: BinaryHeap<Reverse<(u64, u32)>> = BinaryHeap::new();
            let mut last = 0.0f64;
            let push = |q: &mut Buckets, r: &mut BinaryHeap<_>, d: f64, v: u32| {
                q.push(d, v);
                r.push(Reverse((d.to_bits(), v)));
            };
            push(&mut q, &mut reference, 0.0, 7);
            for _ in 0..2000 {
                if rng.random_bool(0.45) {
                    let e = q.pop();
                    let r = reference.pop().map(|r| r.0);
                    assert_eq!(e, r, "case {case}");
                    if let Some((bits, _)) = e {
                        last = f64::from_bits(bits);
                    }
                } else {
                    let v = rng.random_range(0..50u32);
                    let d = match rng.random_range(0..4u32) {
                        0 => last,                                 // a zero delay
                        1 => (last + 0.25 * horizon).min(horizon), // a fixed delay, ties
                        2 => horizon,                              // at the deadline
                        _ => last + rng.random_range(0.0..=(horizon - last)),
                    };
                    push(&mut q, &mut reference, d, v);
                }
            }
            while let Some(r) = reference.pop() {
                assert_eq!(q.pop(), Some(r.0), "case {case}");
            }
            assert_eq!(q.pop(), None);
        }
    }

    #[test]
    fn on_a_path_with_sure_arcs_an_rr_set_is_the_nodes_within_the_deadline() {
        let g = path(6);
        for (hours, back) in [(Some(2.0), 2), (Some(2.5), 2), (Some(0.5), 0), (None, 5)] {
            let model = Model {
                horizon_hours: hours,
                ..Model::uniform(1.0, Delay::Fixed { hours: 1.0 })
            };
            let r = sets(&g, &model, 200);
            for s in r.all() {
                let root = s[0];
                let mut want: Vec<u32> = (root.saturating_sub(back)..=root).collect();
                let mut got = s.to_vec();
                want.sort_unstable();
                got.sort_unstable();
                assert_eq!(got, want, "H {hours:?}, root {root}");
            }
        }
    }

    #[test]
    fn with_exponential_delays_a_node_j_arcs_away_is_in_with_the_erlang_chance() {
        // P(Erlang(j, 1) <= H) = 1 - e^-H sum_{i<j} H^i / i!: node 0 is in the RR set of node j
        // with that chance (p = 1), so its share of the sets rooted at j says the deadline is cut
        // right.
        let g = path(5);
        let h = 2.0;
        let model = Model {
            horizon_hours: Some(h),
            ..Model::uniform(1.0, Delay::Exp { mean: 1.0 })
        };
        let r = sets(&g, &model, 100_000);
        let mut hits = [0u64; 5];
        let mut roots = [0u64; 5];
        for s in r.all() {
            roots[s[0] as usize] += 1;
            if s.contains(&0) {
                hits[s[0] as usize] += 1;
            }
        }
        let mut term = 1.0;
        let mut sum = 0.0;
        for j in 1..5 {
            sum += term;
            term *= h / j as f64;
            let p = 1.0 - (-h).exp() * sum;
            let n = roots[j] as f64;
            let share = hits[j] as f64 / n;
            let se = (p * (1.0 - p) / n).sqrt();
            assert!((share - p).abs() < 4.0 * se, "j {j}: {share} vs {p} ± {se}");
        }
    }

    #[test]
    fn coins_by_tie_class_keep_each_class_at_its_chance() {
        use crate::graph::TieClass::{Strong, Weak};
        // A star into node 0 from 1..=400: half strong (p 0.6), half weak (p 0.1); count how
        // often each leaf is in the RR set of node 0.
        let n = 401u32;
        let pairs: Vec<(u32, u32)> = (1..n).map(|u| (u, 0)).collect();
        let ties = Some(
            (1..n)
                .map(|u| if u % 2 == 0 { Strong } else { Weak })
                .collect(),
        );
        let g = Graph::from_edges(
            EdgeList {
                ties,
                ..EdgeList::from_pairs(n as usize, &pairs)
            },
            true,
        );
        let model = Model {
            activation: Activation::ByTie {
                strong: 0.6,
                weak: 0.1,
            },
            ..Model::uniform(0.0, Delay::Exp { mean: 1.0 })
        };
        let r = sets(&g, &model, 40_000);
        let (mut strong, mut weak, mut rooted) = (0u64, 0u64, 0u64);
        for s in r.all() {
            if s[0] == 0 {
                rooted += 1;
                strong += s[1..].iter().filter(|&&u| u % 2 == 0).count() as u64;
                weak += s[1..].iter().filter(|&&u| u % 2 == 1).count() as u64;
            }
        }
        let per = rooted as f64 * 200.0;
        for (got, p) in [(strong, 0.6), (weak, 0.1)] {
            let share = got as f64 / per;
            let se = (p * (1.0 - p) / per).sqrt();
            assert!((share - p).abs() < 4.0 * se, "{share} vs {p}");
        }
    }
}

//! The scalar engine: one time-resolved IC run at a time on reusable buffers: Dijkstra over the
//! sampled live arcs (with a calendar queue, `calendar.rs`, or with a binary heap, the reference),
//! or breadth-first rounds when every delay is the same fixed time; `--engine live` runs
//! continuous delays as rounds and then shortest times (`live.rs`).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rand::Rng as _;

use super::calendar::{self, Calendar};
use super::contagion::{self, ContagionScratch};
use super::prepared::{Prepared, Rule};
use super::skip::GeometricSkip;
use crate::graph::{Graph, TieClass};
use crate::rng::Rng;

/// Per-thread buffers, reused across runs. Nothing here is cleared in O(n) between runs: a node's
/// Dijkstra entries count only when its stamp equals the current run's epoch, and the
/// breadth-first bitmap is cleared through the run's adopters.
pub(crate) struct Scratch {
    /// Per-node state, one 16-byte record so that a visit costs one cache miss, not three
    /// (made on the first run that needs it: breadth-first runs use `adopted`).
    pub(super) nodes: Vec<NodeState>,
    /// Breadth-first and calendar runs: one bit per node, set once it adopted (cleared after
    /// each run).
    pub(super) adopted: Vec<u64>,
    /// Breadth-first and calendar runs: the adopters in order of adoption.
    pub(super) order: Vec<u32>,
    /// Breadth-first runs: this round's arc ranges, and the arcs whose coins succeeded.
    spans: Vec<(usize, usize)>,
    hits: Vec<usize>,
    n: usize,
    pub(super) epoch: u32,
    /// Min-heap on (time bits, node): non-negative f64 bit patterns order like the numbers.
    heap: BinaryHeap<Reverse<(u64, u32)>>,
    /// Adoption times of this run, in increasing order (Dijkstra settles in time order); empty
    /// after a breadth-first run, whose adopters are in `rounds` (see [`Scratch::adoption_times`]).
    pub(crate) times: Vec<f64>,
    /// `times` is not sorted (a live-engine run: the accumulator takes them as they are).
    pub(super) unsorted: bool,
    /// Runs that the prepared model would send to the live engine go on the calendar queue
    /// (auto's pilot found the live engine unsuited).
    pub(super) live_off: bool,
    /// Breadth-first runs: `(hour, adopters)` per round, the form accumulators take fastest;
    /// empty after a Dijkstra run.
    rounds: Vec<(f64, u64)>,
    /// Arcs examined (attempts made) in this run.
    pub(crate) attempts: u64,
    /// The buffers of the reinforcement models' engine.
    contagion: ContagionScratch,
    /// The calendar queue of continuous-delay runs.
    pub(super) calendar: Calendar,
    /// The buffers of live-arc runs.
    pub(super) live: super::live::Live,
}

/// What a run knows about one node. Fields count only when their stamp equals the run's epoch.
#[derive(Copy, Clone, Default)]
pub(super) struct NodeState {
    /// Best landing time found so far, valid when `seen == epoch`.
    pub(super) best: f64,
    pub(super) seen: u32,
    /// `done == epoch` once the node has adopted in this run.
    pub(super) done: u32,
}

impl Scratch {
    /// Buffers for a graph of `n` nodes.
    pub(crate) fn new(n: usize) -> Scratch {
        Scratch {
            nodes: Vec::new(),
            adopted: Vec::new(),
            order: Vec::new(),
            spans: Vec::new(),
            hits: Vec::new(),
            rounds: Vec::new(),
            n,
            epoch: 0,
            heap: BinaryHeap::new(),
            times: Vec::new(),
            unsorted: false,
            live_off: false,
            attempts: 0,
            contagion: ContagionScratch::default(),
            calendar: Calendar::default(),
            live: Default::default(),
        }
    }

    fn next_epoch(&mut self) {
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            // After 2^32 - 1 runs the stamps wrap: clear once, then start again at 1.
            self.nodes.fill(NodeState::default());
            self.epoch = 1;
        }
        self.heap.clear();
        self.times.clear();
        self.unsorted = false;
        self.rounds.clear();
        self.attempts = 0;
    }

    /// The last breadth-first run's adoptions as `round << 32 | node`, in order of adoption.
    pub(crate) fn round_pairs(&self) -> impl Iterator<Item = u64> + '_ {
        self.rounds
            .iter()
            .enumerate()
            .flat_map(|(r, &(_, c))| std::iter::repeat_n(r as u64, c as usize))
            .zip(&self.order)
            .map(|(r, &u)| r << 32 | u64::from(u))
    }

    /// Makes the bitmap of adopters (a bit per node, all clear) on the first run that needs it.
    pub(super) fn ensure_adopted(&mut self, n: usize) {
        if self.adopted.len() != n.div_ceil(64) {
            self.adopted = crate::mem::zeroed(n.div_ceil(64));
        }
    }

    /// Clears the bits of this run's adopters (`order`): the whole bitmap at once when they are
    /// many, their words one by one when they are few.
    pub(super) fn clear_adopted(&mut self, n: usize) {
        if self.order.len() > n / 64 {
            self.adopted.fill(0);
        } else {
            for &u in &self.order {
                self.adopted[u as usize / 64] = 0;
            }
        }
    }

    /// Makes the per-node records on the first run that needs them.
    pub(super) fn ensure_nodes(&mut self) {
        if self.nodes.len() != self.n {
            self.nodes = vec![NodeState::default(); self.n];
        }
    }

    /// The last run's adoption times, sorted (rebuilt from its rounds after a breadth-first run).
    pub(crate) fn adoption_times(&self) -> Vec<f64> {
        if self.rounds.is_empty() {
            let mut times = self.times.clone();
            if self.unsorted {
                times.sort_unstable_by(f64::total_cmp);
            }
            times
        } else {
            self.rounds
                .iter()
                .flat_map(|&(t, c)| std::iter::repeat_n(t, c as usize))
                .collect()
        }
    }

    /// Records the last run in `acc`: by rounds after a breadth-first run, by times otherwise.
    pub(crate) fn record<A: super::Accumulate>(&mut self, acc: &mut A) {
        if !self.rounds.is_empty() {
            acc.add_rounds(&self.rounds, self.attempts);
        } else if self.unsorted {
            acc.add_unsorted(&mut self.times, self.attempts);
        } else {
            acc.add_run(&self.times, self.attempts);
        }
    }
}

/// Runs one cascade from `seeds` with random stream `rng`; the adoption times land in
/// `scratch.times`, sorted.
///
/// Each adopter draws one coin per out-arc, in arc order, before looking at the target (so the
/// stream of draws does not depend on the state of the target), then a delay for each successful
/// attempt on a target that has not adopted yet. Complexity: O(arcs of adopters + live arcs × log n);
/// when every delay is the same fixed number of hours, a FIFO replaces the heap (breadth-first
/// search is Dijkstra with equal weights) and the log factor goes.
pub(crate) fn run(
    graph: &Graph,
    model: &Prepared,
    seeds: &[(u32, f64)],
    rng: &mut Rng,
    s: &mut Scratch,
) {
    s.next_epoch();
    if !matches!(model.rule, Rule::Ic) {
        let (times, rounds, attempts) = (&mut s.times, &mut s.rounds, &mut s.attempts);
        contagion::run(
            graph,
            model,
            seeds,
            rng,
            &mut s.contagion,
            times,
            rounds,
            attempts,
        );
        return;
    }
    match model.uniform_fixed_delay() {
        Some(d) if seeds.iter().all(|&(_, t)| t == seeds[0].1) => {
            run_bfs(graph, model, seeds, d, rng, s)
        }
        _ if model.heap || (model.skipper().is_none() && model.per_arc().is_none()) => {
            run_dijkstra(graph, model, seeds, rng, s)
        }
        // A live run too large for its memory cap gives up and runs on the calendar.
        _ if model.live && !s.live_off && super::live::run(graph, model, seeds, rng, s) => {}
        _ => calendar::run(graph, model, seeds, rng, s),
    }
}

/// Breadth-first cascade when every delay is `d` hours and every seed starts at the same hour:
/// nodes adopt in rounds, round `k` at `start + k·d`.
///
/// A round goes in two passes so that every random read is asked for ahead of time: the coins
/// of all of the round's arcs, one geometric walk through them (random numbers only, no memory),
/// giving the arcs that succeed; then their targets, each tested and marked in a bitmap of
/// adopters (one bit per node, small enough to stay in cache). A new adopter's arc range joins
/// the next round's sequence of coins at once: the target pass reads the target ids far ahead
/// and, with them, the offsets of the nodes they name, so both are in cache when needed.
fn run_bfs(
    graph: &Graph,
    model: &Prepared,
    seeds: &[(u32, f64)],
    d: f64,
    rng: &mut Rng,
    s: &mut Scratch,
) {
    let horizon = model.horizon;
    let n = graph.node_count();
    s.ensure_adopted(n);
    let offsets = graph.offsets();
    let targets = graph.targets();
    let ties = graph.ties();
    let skipper = model.skipper();
    let per_arc = model.per_arc();
    let start = seeds.first().map_or(0.0, |&(_, t)| t);
    s.order.clear();
    // Each frontier node's arcs as a piece of the round's sequence of coins: (end of the piece
    // in the sequence, arc index minus sequence position, wrapping); `len` is the sequence's
    // length so far.
    s.spans.clear();
    let mut len = 0usize;
    if start <= horizon {
        for &(u, _) in seeds {
            if mark(&mut s.adopted, u) {
                s.order.push(u);
                len = push_span(&mut s.spans, len, graph.arc_range(u));
            }
        }
    }
    let mut lo = 0;
    let mut round = 0usize;
    while lo < s.order.len() {
        let hi = s.order.len();
        let t = start + round as f64 * d;
        s.rounds.push((t, (hi - lo) as u64));
        s.attempts += len as u64;
        lo = hi;
        round += 1;
        if t + d > horizon {
            break;
        }
        round_coins::<false>(
            model,
            &skipper,
            ties,
            rng,
            &mut s.spans,
            len,
            &mut s.hits,
            &mut Vec::new(),
        );
        s.spans.clear();
        len = 0;
        let hits = &s.hits;
        for h in 0..hits.len() {
            ask_ahead(hits, h, targets, offsets);
            let v = targets[hits[h]];
            if mark(&mut s.adopted, v) {
                s.order.push(v);
                let range = graph.arc_range(v);
                ask_thresholds(per_arc, range);
                len = push_span(&mut s.spans, len, range);
            }
        }
    }
    s.clear_adopted(n);
}

/// One round's coins, shared by the breadth-first and live engines: the arcs of the round's
/// sequence of `len` coins (laid out by `spans`, see [`to_arcs`]) whose coins succeed, in order,
/// into `hits`; with `PIECES`, the piece of each (the frontier node it leaves, counted from the
/// round's first) into `pieces`. Per-class chances walk geometric gaps (one draw per success,
/// then thinning when the classes differ), per-arc chances toss a coin per arc.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(super) fn round_coins<const PIECES: bool>(
    model: &Prepared,
    skipper: &Option<GeometricSkip>,
    ties: &[TieClass],
    rng: &mut Rng,
    spans: &mut Vec<(usize, usize)>,
    len: usize,
    hits: &mut Vec<usize>,
    pieces: &mut Vec<u32>,
) {
    hits.clear();
    pieces.clear();
    if let Some(sk) = skipper {
        // The candidates' positions, then their arcs, then (two tie classes) the thinning.
        sk.candidates(rng, len, hits);
        to_arcs_with(spans, hits, |k| {
            if PIECES {
                pieces.push(k as u32)
            }
        });
        if sk.thins() {
            let mut kept = 0;
            for h in 0..hits.len() {
                ask_tie_ahead(hits, h, ties);
                let i = hits[h];
                if sk.keep(rng, ties, i) {
                    hits[kept] = i;
                    if PIECES {
                        pieces[kept] = pieces[h];
                    }
                    kept += 1;
                }
            }
            hits.truncate(kept);
            if PIECES {
                pieces.truncate(kept);
            }
        }
    } else {
        // One coin per arc, against a threshold read without a match per arc (the loop is
        // made once per kind of threshold, not called through a pointer).
        #[inline(always)]
        fn toss<const PIECES: bool>(
            spans: &[(usize, usize)],
            rng: &mut Rng,
            hits: &mut Vec<usize>,
            pieces: &mut Vec<u32>,
            threshold: impl Fn(usize) -> u64,
        ) {
            let mut start_x = 0usize;
            for (k, &(end, off)) in spans.iter().enumerate() {
                for x in start_x..end {
                    let i = x.wrapping_add(off);
                    if rng.next_u64() >> 11 < threshold(i) {
                        hits.push(i);
                        if PIECES {
                            pieces.push(k as u32);
                        }
                    }
                }
                start_x = end;
            }
        }
        match model.per_arc() {
            Some(th) => toss::<PIECES>(spans, rng, hits, pieces, |i| th[i]),
            None => toss::<PIECES>(spans, rng, hits, pieces, |i| model.threshold(ties, i)),
        }
    }
}

/// The target pass's reads ahead: the target id of the success `PREFETCH_FAR` ahead of `h`, and
/// the offsets of the node that the one `PREFETCH` ahead names.
#[inline(always)]
pub(super) fn ask_ahead(hits: &[usize], h: usize, targets: &[u32], offsets: &[u64]) {
    if let Some(&i2) = hits.get(h + PREFETCH_FAR) {
        crate::mem::prefetch(targets, i2);
    }
    if let Some(&i1) = hits.get(h + PREFETCH) {
        crate::mem::prefetch(offsets, targets[i1] as usize);
    }
}

/// A success's tie class is read at the same random place as its target, in an array of its
/// own: asked for ahead too (unasked, it was a cache miss per success on ba_1m, and chances or
/// delays by tie class took twice as long as one for all).
#[inline(always)]
pub(super) fn ask_tie_ahead<T>(hits: &[usize], h: usize, ties: &[T]) {
    if let Some(&i1) = hits.get(h + PREFETCH) {
        crate::mem::prefetch(ties, i1);
    }
}

/// A new adopter's arcs' thresholds are read in the next round's coin pass: ask now for their
/// first and last lines (a range of a few arcs often spans two).
#[inline(always)]
pub(super) fn ask_thresholds(per_arc: Option<&[u64]>, (a, b): (usize, usize)) {
    if let Some(th) = per_arc {
        crate::mem::prefetch(th, a);
        crate::mem::prefetch(th, b.wrapping_sub(1).max(a));
    }
}

/// Turns positions in a round's sequence of coins (increasing, each below the last piece's end)
/// into arc indices, in place. `pieces[k] = (end, shift)`: the piece covers positions up to `end`
/// (ends never decrease; an empty piece repeats the previous end), position `x` in it standing
/// for arc `x + shift` (wrapping).
///
/// A position's piece is the number of piece ends at or before it, counted from the previous
/// position's piece four ends at a time without a branch: a position rarely passes more than three
/// pieces, and a branch per piece, taken or not at random, costs more than the extra comparisons.
pub(super) fn to_arcs(pieces: &mut Vec<(usize, usize)>, positions: &mut [usize]) {
    to_arcs_with(pieces, positions, |_| ());
}

/// [`to_arcs`], telling `piece(k)` the piece of each position in turn.
#[inline(always)]
pub(super) fn to_arcs_with(
    pieces: &mut Vec<(usize, usize)>,
    positions: &mut [usize],
    mut piece: impl FnMut(usize),
) {
    let n = pieces.len();
    // Past the last piece, ends that no position reaches, so that four ends can always be read.
    pieces.extend([(usize::MAX, 0); 3]);
    let mut k = 0;
    for p in positions.iter_mut() {
        let x = *p;
        loop {
            let e = &pieces[k..k + 4];
            let c = usize::from(e[0].0 <= x)
                + usize::from(e[1].0 <= x)
                + usize::from(e[2].0 <= x)
                + usize::from(e[3].0 <= x);
            k += c;
            if c < 4 {
                break;
            }
        }
        *p = x.wrapping_add(pieces[k].1);
        piece(k);
    }
    pieces.truncate(n);
}

/// Appends a node's arcs `a..b` to a round's sequence of coins of length `len` as its next piece;
/// returns the new length.
#[inline(always)]
pub(super) fn push_span(
    spans: &mut Vec<(usize, usize)>,
    len: usize,
    (a, b): (usize, usize),
) -> usize {
    spans.push((len + (b - a), a.wrapping_sub(len)));
    len + (b - a)
}

/// How many successful arcs ahead the target pass reads a target id (to ask for its node's
/// offsets), and further ahead asks for the id itself.
pub(super) const PREFETCH: usize = 16;
const PREFETCH_FAR: usize = 32;

/// Sets node `u`'s bit; true if it was not set.
#[inline(always)]
pub(super) fn mark(bits: &mut [u64], u: u32) -> bool {
    let (w, b) = (u as usize / 64, u % 64);
    let was = bits[w] >> b & 1;
    bits[w] |= 1 << b;
    was == 0
}

fn run_dijkstra(
    graph: &Graph,
    model: &Prepared,
    seeds: &[(u32, f64)],
    rng: &mut Rng,
    s: &mut Scratch,
) {
    s.ensure_nodes();
    let epoch = s.epoch;
    let horizon = model.horizon;
    for &(u, t) in seeds {
        if t <= horizon {
            let st = &mut s.nodes[u as usize];
            if st.seen != epoch || t < st.best {
                st.seen = epoch;
                st.best = t;
                s.heap.push(Reverse((t.to_bits(), u)));
            }
        }
    }
    let offsets = graph.offsets();
    let targets = graph.targets();
    let ties = graph.ties();
    let skipper = model.skipper();
    while let Some(Reverse((bits, u))) = s.heap.pop() {
        let ui = u as usize;
        if s.nodes[ui].done == epoch {
            continue;
        }
        let t = f64::from_bits(bits);
        s.nodes[ui].done = epoch;
        s.times.push(t);
        let (a, b) = (offsets[ui] as usize, offsets[ui + 1] as usize);
        s.attempts += (b - a) as u64;
        if let Some(sk) = &skipper {
            let (nodes, heap) = (&mut s.nodes, &mut s.heap);
            sk.for_each_success(rng, ties, a, b, |i, rng| {
                let v = targets[i] as usize;
                if nodes[v].done == epoch {
                    return;
                }
                let land = t + model.delays[ties[i].index()].sample(rng);
                if land > horizon {
                    return;
                }
                let st = &mut nodes[v];
                if st.seen != epoch || land < st.best {
                    st.seen = epoch;
                    st.best = land;
                    heap.push(Reverse((land.to_bits(), v as u32)));
                }
            });
            continue;
        }
        for i in a..b {
            let draw = rng.next_u64() >> 11;
            if draw >= model.threshold(ties, i) {
                continue;
            }
            let v = targets[i] as usize;
            if s.nodes[v].done == epoch {
                continue;
            }
            let land = t + model.delays[ties[i].index()].sample(rng);
            if land > horizon {
                continue;
            }
            let st = &mut s.nodes[v];
            if st.seen != epoch || land < st.best {
                st.seen = epoch;
                st.best = land;
                s.heap.push(Reverse((land.to_bits(), v as u32)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{push_span, to_arcs};
    use proptest::prelude::*;

    proptest! {
        /// The branch-free search agrees with a plain scan over the pieces, with empty pieces,
        /// long stretches of pieces without a position, and several positions in one piece.
        #[test]
        fn to_arcs_matches_a_scan(
            lens in proptest::collection::vec(0usize..12, 1..60),
            starts in proptest::collection::vec(0usize..1000, 60),
            picks in proptest::collection::vec(any::<bool>(), 0..700),
        ) {
            let mut pieces = Vec::new();
            let mut len = 0;
            for (k, &d) in lens.iter().enumerate() {
                len = push_span(&mut pieces, len, (starts[k], starts[k] + d));
            }
            let positions: Vec<usize> =
                (0..len).filter(|&x| picks.get(x).copied().unwrap_or(x % 7 == 0)).collect();
            let expected: Vec<usize> = positions
                .iter()
                .map(|&x| {
                    let k = pieces.iter().position(|p| x < p.0).unwrap();
                    x.wrapping_add(pieces[k].1)
                })
                .collect();
            let mut got = positions.clone();
            let before = pieces.clone();
            to_arcs(&mut pieces, &mut got);
            prop_assert_eq!(got, expected);
            prop_assert_eq!(pieces, before);
        }
    }
}

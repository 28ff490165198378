//! Sixty-four runs at once ("fused" sampling, after the bit-parallel Monte Carlo of Ripples/FuseIM).
//!
//! When every delay is the same fixed time and every seed starts at the same hour, a run is a
//! breadth-first search in rounds. Here 64 runs (lanes) share one search: a node's 64-bit mask says
//! in which lanes it has adopted, and the node's neighbour list is read once for all the lanes that
//! reached it together in a round, instead of once per run. Each (arc, lane) pair gets its own
//! coin, drawn once, when the arc's source adopts in that lane, so every lane is an exact
//! independent cascade. The coins are skipped through geometrically (one walk per round over all
//! of its (arc, lane) pairs) or, for a node reached in many lanes at once, drawn bit-sliced
//! ([`coin_mask`]: a few random words for all of them instead of one per lane). Lanes differ from
//! the scalar path's runs only in which random numbers they use; the statistical equality of the
//! paths is tested in `tests/it/engine.rs`.

use rand::Rng as _;

use super::prepared::Prepared;
use super::skip::GapsAhead;
use crate::graph::Graph;
use crate::rng::Rng;

/// Per-thread buffers for fused batches.
pub(crate) struct FusedScratch {
    /// Per node: `[lanes it has adopted in, lanes it adopted in this round]`. The second word is
    /// non-zero exactly while the node waits in `next`, so a node reached twice in a round is one
    /// entry, and its lanes are read back when the next frontier is built.
    state: Vec<[u64; 2]>,
    touched: Stack,
    /// This round's nodes: (new lanes, first arc, end of arcs).
    frontier: Vec<(u64, usize, usize)>,
    /// This round's successful attempts: (arc, then its target; lane bit), applied after all
    /// coins are drawn.
    hits: Vec<(u64, u64)>,
    /// Nodes that adopted this round, one entry per node (their new lanes are in `state`).
    next: Stack,
    /// `rounds[r][lane]`: adoptions in round `r` of lane `lane`, besides `rounds[r][ALL]`, those
    /// made in every lane of the batch at once (seeds, hubs), counted once instead of per lane.
    rounds: Vec<[u32; 65]>,
    /// Arcs examined per lane, besides `attempts[ALL]`, those examined in every lane.
    attempts: [u64; 65],
    /// (round, node) adoptions of the batch: the frontier entries of all its rounds.
    entries: u64,
    /// The rounds of one lane, rebuilt by [`FusedScratch::lane_rounds`].
    lane_rounds: Vec<(f64, u64)>,
    /// Gaps of the skipping walks, drawn ahead.
    gaps: GapsAhead,
}

impl FusedScratch {
    pub(crate) fn new(n: usize) -> FusedScratch {
        FusedScratch {
            state: crate::mem::zeroed(n),
            touched: Stack::default(),
            frontier: Vec::new(),
            hits: Vec::new(),
            next: Stack::default(),
            rounds: Vec::new(),
            attempts: [0; 65],
            entries: 0,
            lane_rounds: Vec::new(),
            gaps: GapsAhead::default(),
        }
    }

    /// The rounds of `lane` in the last batch, as `(hour, adopters)`: round `r` lands at
    /// `start + r·delay`.
    pub(crate) fn lane_rounds(&mut self, lane: usize, start: f64, delay: f64) -> &[(f64, u64)] {
        self.lane_rounds.clear();
        for (r, counts) in self.rounds.iter().enumerate() {
            let c = counts[lane] + counts[ALL];
            if c > 0 {
                self.lane_rounds
                    .push((start + r as f64 * delay, u64::from(c)));
            }
        }
        &self.lane_rounds
    }

    /// How many lanes a (round, node) adoption of the last batch (run in `lanes`) stood for on
    /// average: the lanes whose node records were read once for all of them. Derived from the
    /// per-round counts, so the batch itself only counts its frontier entries.
    pub(crate) fn sharing(&self, lanes: u64) -> f64 {
        let all = u64::from(lanes.count_ones());
        let adoptions: u64 = self
            .rounds
            .iter()
            .map(|r| r[..ALL].iter().map(|&c| u64::from(c)).sum::<u64>() + all * u64::from(r[ALL]))
            .sum();
        adoptions as f64 / self.entries.max(1) as f64
    }

    /// Arcs examined by `lane` in the last batch.
    pub(crate) fn lane_attempts(&self, lane: usize) -> u64 {
        self.attempts[lane] + self.attempts[ALL]
    }
}

/// How many arcs ahead the target's state is prefetched, and the target id itself.
const PREFETCH: usize = 12;
const PREFETCH_FAR: usize = 28;
/// How many nodes ahead the frontier build asks for a node's offsets and state (its loop is
/// short, so it looks further ahead).
const PREFETCH_NEXT: usize = 32;

/// A position in a round's stream of arcs (all arcs of all frontier nodes, in order), kept a fixed
/// number of arcs ahead of the arc being processed.
struct Cursor {
    k: usize,
    j: usize,
}

impl Cursor {
    fn new(spans: &[(u64, usize, usize)], ahead: usize) -> Cursor {
        let mut c = Cursor {
            k: 0,
            j: spans.first().map_or(0, |s| s.1),
        };
        c.settle(spans);
        for _ in 0..ahead {
            c.next(spans);
        }
        c
    }

    #[inline(always)]
    fn settle(&mut self, spans: &[(u64, usize, usize)]) {
        while self.k < spans.len() && self.j >= spans[self.k].2 {
            self.k += 1;
            if self.k < spans.len() {
                self.j = spans[self.k].1;
            }
        }
    }

    /// Moves one arc on and returns the arc there, if the stream has not ended.
    #[inline(always)]
    fn next(&mut self, spans: &[(u64, usize, usize)]) -> Option<usize> {
        if self.k < spans.len() {
            self.j += 1;
            self.settle(spans);
        }
        (self.k < spans.len()).then_some(self.j)
    }
}

/// With skipping, a node reached in so many lanes that each of its arcs succeeds in this many of
/// them on average has its coins drawn as masks ([`coin_mask`]): a few random words per arc and one
/// success entry per arc, instead of a draw and an entry per success. (Measured on ws_100k and
/// ba_100k/ba_1m at p = 0.05: 2 was as fast as or faster than 0.5, 1 and never.)
const MASK_HITS: f64 = 2.0;

/// How many of a node's lanes are listed without a branch per lane.
const FEW_LANES: usize = 4;

/// Lanes at or below this count draw one coin each; above it, [`coin_mask`] decides them together.
const PER_LANE_MAX: u32 = 4;

/// One coin per lane in `lanes`, all at once: lane `l` succeeds iff its 53-bit uniform number `U_l`
/// is below `thr`, exactly as a scalar coin. The numbers are compared with `thr` bit by bit from
/// the top, one random word per bit position giving that bit for all 64 lanes; a lane is decided at
/// the first bit where it differs from `thr`, so half the undecided lanes are settled per word and
/// about log2(lanes) + 2 words decide all of them (instead of one word per lane).
#[inline]
pub(crate) fn coin_mask(rng: &mut Rng, thr: u64, lanes: u64) -> u64 {
    if thr == 0 || lanes == 0 {
        return 0;
    }
    if thr >= 1 << 53 {
        return lanes;
    }
    let mut undecided = lanes;
    let mut yes = 0u64;
    let mut bit = 52u32;
    loop {
        let r = rng.next_u64();
        // All ones where thr has a 1 at this bit. There, U_l having a 0 means U_l < thr, a 1
        // means still equal; where thr has a 0, U_l having a 1 means U_l > thr. (Branch-free.)
        let t = 0u64.wrapping_sub((thr >> bit) & 1);
        yes |= undecided & !r & t;
        undecided &= !(r ^ t);
        if undecided == 0 || bit == 0 {
            // Lanes still undecided after all 53 bits equal thr: not below it.
            return yes;
        }
        bit -= 1;
    }
}

/// The slot of the per-round counts and of the attempts that stands for every lane of the batch.
const ALL: usize = 64;

/// Runs the lanes in `lanes` (a mask; bit `l` = lane `l`) from `seeds`, all starting at `start`,
/// every delay `delay` hours, up to the model's horizon. Results: `s.rounds`, `s.attempts`.
// The engine's hot entry: its inputs are passed apart, not bundled, so that none is read through
// another indirection.
#[allow(clippy::too_many_arguments)]
pub(crate) fn run_batch(
    graph: &Graph,
    model: &Prepared,
    seeds: &[(u32, f64)],
    start: f64,
    delay: f64,
    lanes: u64,
    rng: &mut Rng,
    s: &mut FusedScratch,
) {
    s.rounds.clear();
    s.gaps.reset();
    s.attempts = [0; 65];
    s.entries = 0;
    s.frontier.clear();
    s.next.clear();
    let horizon = model.horizon;
    if start > horizon {
        return;
    }
    let offsets = graph.offsets();
    let targets = graph.targets();
    let ties = graph.ties();
    let uniform = model.uniform_threshold();
    let skipper = model.skipper();
    let thr_at = |i: usize| uniform.unwrap_or_else(|| model.threshold(ties, i));
    // From how many lanes a node's coins are drawn as masks rather than skipped through: when
    // an arc succeeds in MASK_HITS of them on average.
    let mask_from = skipper.as_ref().map_or(usize::MAX, |sk| {
        (MASK_HITS / sk.q_max()).ceil().clamp(2.0, 65.0) as usize
    });
    s.touched.reserve(seeds.len());
    s.next.reserve(seeds.len());
    for &(u, _) in seeds {
        adopt(s, u, lanes);
    }
    let mut round = 0usize;
    while !s.next.as_slice().is_empty() {
        // This round's nodes, each with the lanes it adopted in during the last round, in the
        // order they were reached (deterministic; sorting them by node did not pay).
        s.frontier.clear();
        let next = s.next.as_slice();
        for j in 0..next.len() {
            if let Some(&u2) = next.get(j + PREFETCH_NEXT) {
                crate::mem::prefetch(offsets, u2 as usize);
                crate::mem::prefetch(&s.state, u2 as usize);
            }
            let ui = next[j] as usize;
            let m = std::mem::take(&mut s.state[ui][1]);
            s.frontier
                .push((m, offsets[ui] as usize, offsets[ui + 1] as usize));
        }
        s.next.clear();
        // The round's adoptions and the arcs they examine, per lane (once for those in every
        // lane).
        let mut row = [0u32; 65];
        for &(m, a, b) in &s.frontier {
            let deg = (b - a) as u64;
            if m == lanes {
                row[ALL] += 1;
                s.attempts[ALL] += deg;
                continue;
            }
            let mut bits = m;
            while bits != 0 {
                let l = bits.trailing_zeros() as usize;
                row[l] += 1;
                s.attempts[l] += deg;
                bits &= bits - 1;
            }
        }
        s.rounds.push(row);
        s.entries += s.frontier.len() as u64;
        let land = start + (round + 1) as f64 * delay;
        if land > horizon {
            // Whatever the coins say, nothing lands before the horizon.
            break;
        }
        if let Some(sk) = &skipper {
            // Three passes, so that each random read is asked for ahead of time: coins first
            // (only random numbers, no memory), giving the arcs that succeed; then their
            // targets; then the targets' states. All the round's (arc, lane) coins, node after
            // node, are one sequence skipped through together: a draw per success, not per node
            // or per lane.
            s.hits.clear();
            let mut walk = sk.walk(&mut s.gaps, rng);
            for k in 0..s.frontier.len() {
                let (m, a, b) = s.frontier[k];
                let n_lanes = m.count_ones() as usize;
                let hits = &mut s.hits;
                let gaps = &mut s.gaps;
                if n_lanes >= mask_from {
                    // So many lanes that an arc succeeds in MASK_HITS of them on average: its coins
                    // in all of them are drawn together ([`coin_mask`]), giving one success entry
                    // per arc with all its lanes instead of one per (arc, lane).
                    for i in a..b {
                        let live = coin_mask(rng, thr_at(i), m);
                        if live != 0 {
                            hits.push((i as u64, live));
                        }
                    }
                } else if !walk.reaches((b - a) * n_lanes) {
                    walk.pass((b - a) * n_lanes);
                    continue;
                } else {
                    // The lanes in order; the first few without a branch on how many there are
                    // (most nodes are reached in one to four lanes of a round, and which is
                    // anyone's guess).
                    let mut lanes = [0u8; 64];
                    let mut bits = m;
                    for l in lanes.iter_mut().take(FEW_LANES) {
                        *l = bits.trailing_zeros() as u8;
                        bits &= bits.wrapping_sub(1);
                    }
                    if n_lanes > FEW_LANES {
                        for l in lanes.iter_mut().take(n_lanes).skip(FEW_LANES) {
                            *l = bits.trailing_zeros() as u8;
                            bits &= bits - 1;
                        }
                    }
                    sk.block(
                        &mut walk,
                        gaps,
                        rng,
                        ties,
                        (a, b - a),
                        n_lanes,
                        |i, j, _| hits.push((i as u64, 1u64 << lanes[j])),
                    );
                }
                // Bounded memory: apply the successes a block at a time (within a round the
                // order does not matter).
                if s.hits.len() >= HITS_BLOCK {
                    apply_hits(s, targets);
                }
            }
            apply_hits(s, targets);
        } else {
            // One coin per (arc, lane). Random reads asked for ahead of time: the target ids
            // PREFETCH_FAR arcs ahead, the targets' states PREFETCH arcs ahead, over the round's
            // whole stream of arcs.
            let mut far = Cursor::new(&s.frontier, PREFETCH_FAR);
            let mut near = Cursor::new(&s.frontier, PREFETCH);
            for k in 0..s.frontier.len() {
                let (m, a, b) = s.frontier[k];
                s.touched.reserve(b - a);
                s.next.reserve(b - a);
                let many = m.count_ones() > PER_LANE_MAX;
                for i in a..b {
                    if let Some(j) = far.next(&s.frontier) {
                        crate::mem::prefetch(targets, j);
                    }
                    if let Some(j) = near.next(&s.frontier) {
                        crate::mem::prefetch(&s.state, targets[j] as usize);
                    }
                    let thr = thr_at(i);
                    let live = if many {
                        coin_mask(rng, thr, m)
                    } else {
                        let mut live = 0u64;
                        let mut bits = m;
                        while bits != 0 {
                            let l = bits.trailing_zeros();
                            bits &= bits - 1;
                            if rng.next_u64() >> 11 < thr {
                                live |= 1 << l;
                            }
                        }
                        live
                    };
                    if live != 0 {
                        adopt(s, targets[i], live);
                    }
                }
            }
        }
        round += 1;
    }
    if s.touched.as_slice().len() > s.state.len() / 8 {
        // Most records were touched: clearing them all in order is cheaper than at random.
        s.state.fill([0, 0]);
    } else {
        for &u in s.touched.as_slice() {
            s.state[u as usize] = [0, 0];
        }
    }
    s.touched.clear();
    s.next.clear();
}

/// Successes gathered before they are applied (16 bytes each).
const HITS_BLOCK: usize = 1 << 16;

/// Applies the gathered successes, arc → target → state, each random read asked for ahead of
/// time, and empties the buffer.
fn apply_hits(s: &mut FusedScratch, targets: &[u32]) {
    let n_hits = s.hits.len();
    s.touched.reserve(n_hits);
    s.next.reserve(n_hits);
    for h in 0..n_hits.min(PREFETCH) {
        s.hits[h].0 = targets[s.hits[h].0 as usize] as u64;
    }
    for h in 0..n_hits {
        if h + PREFETCH_FAR < n_hits {
            crate::mem::prefetch(targets, s.hits[h + PREFETCH_FAR].0 as usize);
        }
        if h + PREFETCH < n_hits {
            let e = &mut s.hits[h + PREFETCH];
            e.0 = targets[e.0 as usize] as u64;
            crate::mem::prefetch(&s.state, e.0 as usize);
        }
        let (v, live) = s.hits[h];
        adopt(s, v as u32, live);
    }
    s.hits.clear();
}

/// Node `v` is reached in the lanes of `live` (not empty); those where it had not adopted yet
/// adopt in this round and join the next frontier (where they are counted). Branch-free: whether
/// the node is already in a lane or a list is a coin flip to the branch predictor. `touched` and
/// `next` must have room for one more node ([`Stack::reserve`]).
#[inline(always)]
fn adopt(s: &mut FusedScratch, v: u32, live: u64) {
    let st = &mut s.state[v as usize];
    let new = live & !st[0];
    s.touched.push_if(v, st[0] == 0);
    s.next.push_if(v, (st[1] == 0) & (new != 0));
    st[0] |= new;
    st[1] |= new;
}

/// A list of nodes that grows without a branch per push: room is made ahead
/// ([`Stack::reserve`]), and a push writes the slot after the end and moves the end only if asked.
#[derive(Default)]
struct Stack {
    buf: Vec<u32>,
    len: usize,
}

impl Stack {
    /// Makes room for `extra` more pushes.
    fn reserve(&mut self, extra: usize) {
        if self.buf.len() < self.len + extra {
            self.buf
                .resize((self.len + extra).max(2 * self.buf.len()), 0);
        }
    }

    #[inline(always)]
    fn push_if(&mut self, v: u32, keep: bool) {
        self.buf[self.len] = v;
        self.len += usize::from(keep);
    }

    fn as_slice(&self) -> &[u32] {
        &self.buf[..self.len]
    }

    fn clear(&mut self) {
        self.len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coin_mask_is_bernoulli_per_lane_and_independent() {
        let mut rng = crate::rng::stream(3, 0);
        for p in [0.0, 1e-3, 0.05, 0.3, 0.5, 0.77, 1.0] {
            let thr = crate::cascade::skip::threshold(p);
            let n = 40_000u64;
            let mut per_lane = [0u64; 64];
            let mut pairs = 0u64; // lanes 0 and 1 together
            for _ in 0..n {
                let m = coin_mask(&mut rng, thr, u64::MAX);
                for (l, c) in per_lane.iter_mut().enumerate() {
                    *c += (m >> l) & 1;
                }
                pairs += u64::from(m & 3 == 3);
                // Only the given lanes are ever set.
                assert_eq!(coin_mask(&mut rng, thr, 0b1010) & !0b1010, 0);
            }
            let total: u64 = per_lane.iter().sum();
            let mean = total as f64 / (64 * n) as f64;
            let se = (p * (1.0 - p) / (64 * n) as f64).sqrt().max(1e-12);
            assert!((mean - p).abs() <= 4.0 * se + 1e-12, "p {p}: {mean}");
            for c in per_lane {
                let sd = (p * (1.0 - p) * n as f64).sqrt();
                assert!(
                    (c as f64 - p * n as f64).abs() <= 5.0 * sd + 1e-9,
                    "p {p}: lane {c}"
                );
            }
            // Independence of two lanes: P(both) = p².
            let both = pairs as f64 / n as f64;
            let se2 = (p * p * (1.0 - p * p) / n as f64).sqrt().max(1e-12);
            assert!((both - p * p).abs() <= 4.0 * se2 + 1e-12, "p {p}: {both}");
        }
    }
}

//! The scalar engine for continuous delays: Dijkstra over the sampled live arcs with a calendar
//! queue (Brown 1988) in place of a binary heap, and one bit of state per node.
//!
//! Time is cut into buckets of a fixed width, a small fraction of the typical delay. A landing
//! goes into its bucket by an append; a bucket is sorted when its turn comes (a few dozen entries),
//! and its nodes are settled in time order, their arc ranges asked for ahead of time since the
//! whole bucket is known. A landing in the bucket being settled (a delay shorter than the width: rare)
//! goes into a small heap merged with the sorted bucket. Buckets are a ring that covers a window
//! of time; landings beyond it wait in a heap of their own until the window reaches them. As in
//! lazy Dijkstra, a node may have several entries (every landing on it before it adopts); all but
//! the earliest are skipped.
//!
//! Nodes are settled in the order of their adoption times (ties by node id; times within a bucket
//! kept to 2^-32 of its width, so entries are single words that sort as integers), so a run is
//! the same cascade, in distribution, as with the heap (`--engine dijkstra`, kept as the reference);
//! the random numbers go to other uses (a delay is drawn for every success, before its target is
//! read), so the runs themselves differ.

use rand::Rng as _;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::delay::DelaySampler;
use super::draws::{BATCH, Draws, Law};
use super::prepared::Prepared;
use super::scalar::{Scratch, mark};
use super::skip::GapsOnDemand;
use crate::graph::{Graph, TieClass};
use crate::rng::Rng;

/// Buckets in the ring (a power of two).
const RING: usize = 1 << 13;

/// A calendar queue. An entry in the ring is one word: where in its bucket the landing falls, in
/// 2^-32ths of the bucket's width, above the node id; a bucket's entries then sort as plain
/// integers, by time and then by node. (Times are thus kept to 2^-32 of a bucket, a few
/// picoseconds' worth of hours, when a node adopts.) Entries beyond the ring keep their exact
/// hour bits until the ring reaches them.
#[derive(Default)]
pub(crate) struct Calendar {
    width: f64,
    inv_width: f64,
    ring: Vec<Vec<u64>>,
    /// The bucket being settled (an absolute bucket number).
    cur: u64,
    /// Entries in the ring, and which of its buckets hold any (a bit per bucket).
    in_ring: usize,
    occupied: Vec<u64>,
    /// Entries at or beyond `cur + RING`, earliest first.
    far: BinaryHeap<Reverse<(u64, u32)>>,
    /// The bucket being settled, sorted, and how far it is done.
    work: Vec<u64>,
    /// Landings into the bucket being settled, made while it is settled.
    same: BinaryHeap<Reverse<u64>>,
    /// Landings in later buckets made while settling this one: (hour, arc), targets unread.
    parked: Vec<(f64, usize)>,
    /// A large bucket spread over finer slices before sorting.
    spread: Vec<u64>,
    /// The delays, by tie class, 64 at a time (`draws.rs`), and the place in each batch.
    draws: [Draws; 2],
    cursor: [usize; 2],
    /// Tests: every delay drawn, as (source, target, delay): the run's live arcs.
    #[cfg(test)]
    log: Vec<(u32, u32, f64)>,
}

/// Positions in a bucket per bucket width: a ring entry's upper 32 bits.
const POSITIONS: f64 = 4_294_967_296.0;

/// The packed entry of node `v` at hour `t` in bucket `k` (`t`'s own, or the bucket being settled
/// for a landing into it: rounding may put it a hair before the bucket's start).
///
/// The position is rounded up, so that a time is never reported earlier than it is: a landing a
/// hair after a bucket's start (a seed's hour plus a delay below 2^-32 of a bucket, which a
/// Weibull shape of 0.3 draws once in three thousand) stays after it, and after the hour that
/// starts there, instead of counting at that hour.
#[inline(always)]
fn pack(t: f64, inv_width: f64, k: u64, v: u32) -> u64 {
    // k ≤ 9.2 · 10^18 (see `floor_u64`): a signed conversion, one instruction, the same value.
    let x = (t * inv_width - k as i64 as f64) * POSITIONS;
    // `as` saturates: below 0 gives 0, at or past 2^32 the last position. Rounded up by hand:
    // `f64::ceil` is a library call on baseline x86-64.
    let p = x as u32;
    let p = p + u32::from((p as f64) < x && p < u32::MAX);
    u64::from(p) << 32 | u64::from(v)
}

/// `x` (not negative) rounded down to a whole number, as `x as u64` gives it up to 9.2 · 10^18
/// (bucket numbers past that, hours beyond any cascade, all become 9.2 · 10^18). Two instructions
/// without a branch: `as u64` is a branchy sequence on x86-64 without AVX-512, and a bucket
/// number is computed for every success.
#[inline(always)]
fn floor_u64(x: f64) -> u64 {
    // SAFETY: `min` gives at most 9.2e18 < 2^63 (and 9.2e18 for NaN), never below 0 as x ≥ 0:
    // in i64's range.
    unsafe { x.min(9.2e18).to_int_unchecked::<i64>() as u64 }
}

/// The node of a packed entry.
#[inline(always)]
fn node(e: u64) -> u32 {
    e as u32
}

/// Buckets larger than this are spread over [`SPLIT`] slices before they are sorted.
const SPLIT_FROM: usize = 128;
const SPLIT: usize = 64;

impl Calendar {
    /// An empty queue with buckets `width` hours wide. A run ends only once every bucket is
    /// empty, so the ring needs no clearing between runs (a run of a hundred adopters would
    /// otherwise spend most of its time on it).
    fn reset(&mut self, width: f64) {
        if self.ring.len() != RING {
            self.ring = (0..RING).map(|_| Vec::new()).collect();
            self.occupied = vec![0; RING / 64];
        }
        debug_assert!(self.ring.iter().all(Vec::is_empty));
        self.width = width;
        self.inv_width = 1.0 / width;
        self.cur = 0;
        self.in_ring = 0;
        self.far.clear();
        self.work.clear();
        self.same.clear();
    }

    #[inline(always)]
    fn bucket(&self, t: f64) -> u64 {
        // Monotone in t: a later landing never goes into an earlier bucket.
        floor_u64(t * self.inv_width)
    }

    /// The hour of a packed entry of the bucket being settled.
    #[inline(always)]
    fn hour(&self, e: u64) -> f64 {
        // Bucket numbers stay below 2^63 (see `floor_u64`) and positions below 2^32: signed
        // conversions, one instruction each, the same values.
        (self.cur as i64 as f64 + (e >> 32) as i64 as f64 / POSITIONS) * self.width
    }

    /// Adds an entry at hour `t` (never earlier than the entry being settled).
    #[inline(always)]
    fn push(&mut self, t: f64, v: u32, settling: bool) {
        let k = self.bucket(t);
        if settling && k <= self.cur {
            self.same
                .push(Reverse(pack(t, self.inv_width, self.cur, v)));
        } else if k < self.cur + RING as u64 {
            let slot = (k as usize) & (RING - 1);
            self.ring[slot].push(pack(t, self.inv_width, k, v));
            self.occupied[slot / 64] |= 1 << (slot % 64);
            self.in_ring += 1;
        } else {
            self.far.push(Reverse((t.to_bits(), v)));
        }
    }

    /// Moves the far entries that the window now covers into the ring.
    fn admit(&mut self) {
        let end = self.cur + RING as u64;
        while let Some(&Reverse((bits, v))) = self.far.peek() {
            let t = f64::from_bits(bits);
            let k = self.bucket(t);
            if k >= end {
                break;
            }
            self.far.pop();
            let slot = (k as usize) & (RING - 1);
            self.ring[slot].push(pack(t, self.inv_width, k, v));
            self.occupied[slot / 64] |= 1 << (slot % 64);
            self.in_ring += 1;
        }
    }

    /// Sorts the bucket being settled by hour. A large bucket (the first hours of a cascade seeded
    /// at hubs hold thousands) is first spread over `SPLIT` finer slices by a counting pass, a
    /// radix step on the hour that is monotone in it, and each slice sorted alone.
    fn sort_work(&mut self) {
        if self.work.len() <= SPLIT_FROM {
            self.work.sort_unstable();
            return;
        }
        // The top bits of the position in the bucket.
        let slice = |e: u64| -> usize { (e >> (64 - SPLIT.trailing_zeros())) as usize };
        let mut counts = [0usize; SPLIT + 1];
        for &e in &self.work {
            counts[slice(e) + 1] += 1;
        }
        for k in 1..=SPLIT {
            counts[k] += counts[k - 1];
        }
        self.spread.clear();
        self.spread.resize(self.work.len(), 0);
        let mut next = counts;
        for &e in &self.work {
            let k = slice(e);
            self.spread[next[k]] = e;
            next[k] += 1;
        }
        for k in 0..SPLIT {
            self.spread[counts[k]..counts[k + 1]].sort_unstable();
        }
        std::mem::swap(&mut self.work, &mut self.spread);
    }

    /// Buckets from `cur` to the next one that holds entries (the ring holds some).
    fn to_next_occupied(&self) -> u64 {
        let start = (self.cur as usize) & (RING - 1);
        let (w0, b0) = (start / 64, start % 64);
        let first = self.occupied[w0] & (u64::MAX << b0);
        if first != 0 {
            return (first.trailing_zeros() as usize - b0) as u64;
        }
        let words = RING / 64;
        for k in 1..=words {
            let w = self.occupied[(w0 + k) % words];
            if w != 0 {
                return (k * 64 + w.trailing_zeros() as usize - b0) as u64;
            }
        }
        unreachable!("the ring holds entries")
    }

    /// Makes the next non-empty bucket the work, sorted; false when the queue is empty. Empty
    /// buckets are passed over through a bitmap of occupied ones, not one by one.
    fn next_bucket(&mut self, first: bool) -> bool {
        if !first {
            self.cur += 1;
        }
        if self.in_ring == 0 {
            let Some(&Reverse((bits, _))) = self.far.peek() else {
                return false;
            };
            self.cur = self.cur.max(self.bucket(f64::from_bits(bits)));
        }
        self.admit();
        // Far entries all come after the ring's, so the jump passes none of them.
        self.cur += self.to_next_occupied();
        self.admit();
        let slot = (self.cur as usize) & (RING - 1);
        std::mem::swap(&mut self.work, &mut self.ring[slot]);
        self.ring[slot].clear();
        self.occupied[slot / 64] &= !(1 << (slot % 64));
        self.in_ring -= self.work.len();
        self.sort_work();
        true
    }
}

/// How many entries of a bucket ahead the first pass asks for a node's arc range, and reads
/// it to ask for the tie classes of its arcs (when the delay depends on the class); how many
/// parked landings ahead the second pass asks for a target id.
const AHEAD_OFFSETS: usize = 16;
const AHEAD_TIES: usize = 8;
const AHEAD_TARGET: usize = 24;

/// What a success of a settling node (adopted at hour `t`) needs: its delay is drawn, and its
/// landing parked for the bucket's second pass or, inside this bucket, filed at once.
struct Success<'a> {
    one_delay: Option<&'a DelaySampler>,
    delays: &'a [DelaySampler; 2],
    /// The delays drawn in batches (every law but a fixed delay), by tie class.
    draws: Option<(&'a mut [Draws; 2], &'a mut [usize; 2])>,
    ties: &'a [TieClass],
    targets: &'a [u32],
    adopted: &'a [u64],
    t: f64,
    horizon: f64,
    inv_width: f64,
    cur: u64,
    parked: &'a mut Vec<(f64, usize)>,
    same: &'a mut BinaryHeap<Reverse<u64>>,
    #[cfg(test)]
    log: &'a mut Vec<(u32, u32, f64)>,
    #[cfg(test)]
    u: u32,
}

impl Success<'_> {
    /// Arc `i`'s coin succeeded. In line in the coin walk, always: it runs for every success.
    #[inline(always)]
    fn hit(&mut self, i: usize, rng: &mut Rng) {
        let d = match (&mut self.draws, self.one_delay) {
            (Some((draws, cursor)), Some(_)) => draws[0].at(&mut cursor[0]) as f64,
            (Some((draws, cursor)), None) => {
                let c = self.ties[i].index();
                draws[c].at(&mut cursor[c]) as f64
            }
            (None, Some(d)) => d.sample(rng),
            (None, None) => self.delays[self.ties[i].index()].sample(rng),
        };
        #[cfg(test)]
        self.log.push((self.u, self.targets[i], d));
        let land = self.t + d;
        if land > self.horizon {
            return;
        }
        if floor_u64(land * self.inv_width) > self.cur {
            // Its target is read after this bucket's other nodes: ask for it now.
            crate::mem::prefetch(self.targets, i);
            self.parked.push((land, i));
            return;
        }
        land_in_bucket(
            self.same,
            self.adopted,
            self.targets[i],
            land,
            self.inv_width,
            self.cur,
        );
    }
}

/// A landing in the bucket being settled (a delay shorter than a bucket: rare), filed at once
/// unless its target has adopted. Kept out of line, so that the success path it branches from
/// stays small enough to be inlined into the coin walk.
#[cold]
#[inline(never)]
fn land_in_bucket(
    same: &mut BinaryHeap<Reverse<u64>>,
    adopted: &[u64],
    v: u32,
    land: f64,
    inv_width: f64,
    cur: u64,
) {
    if !is_marked(adopted, v) {
        same.push(Reverse(pack(land, inv_width, cur, v)));
    }
}

/// One run with continuous delays; the adoption times land in `s.times`, sorted; the adopters,
/// in order, in `s.order`.
///
/// Nodes settle in time order, so an entry that a better landing replaced always comes after
/// that better one, whose node has adopted by then: whether a node has adopted is all an entry's
/// check needs. So every landing on a node not yet adopted is filed (no best landing is kept per
/// node) and the per-node state is one bit, in cache, as in the breadth-first rounds.
///
/// A bucket goes in two passes. The first settles its nodes in time order (the sorted bucket,
/// merged with landings made into it meanwhile) and walks their coins, one walk through all of
/// their arcs, drawing a delay per success; a landing in a later bucket is parked as (hour, arc)
/// without reading its target; a landing in this bucket (a delay shorter than a bucket: rare)
/// is handled at once, as it may come before the bucket's later entries. The second pass reads
/// the parked landings' targets, each asked for ahead, and files them. The reads that cost (arc
/// ranges, target ids) are all asked for ahead; the price is a delay drawn for a success whose
/// target turns out to have adopted already.
///
/// With a chance per arc (weights, the weighted cascade) there is no skipping: every arc of an
/// adopter tosses its own coin against its own threshold, read in order (the first ones asked
/// for ahead with the arc range).
pub(crate) fn run(
    graph: &Graph,
    model: &Prepared,
    seeds: &[(u32, f64)],
    rng: &mut Rng,
    s: &mut Scratch,
) {
    let n = graph.node_count();
    s.ensure_adopted(n);
    s.order.clear();
    let horizon = model.horizon;
    let q = &mut s.calendar;
    q.reset(model.bucket_width());
    for &(u, t) in seeds {
        if t <= horizon {
            q.push(t, u, false);
        }
    }
    let offsets = graph.offsets();
    let targets = graph.targets();
    let ties = graph.ties();
    // Coins by tie class are skipped through; a chance per arc is a coin per arc.
    let skipper = model.skipper();
    let per_arc = model.per_arc();
    debug_assert!(skipper.is_some() || per_arc.is_some());
    // With one delay for both tie classes a success's class need not be read.
    let one_delay = model.uniform_delay();
    // Continuous delays come 64 at a time from a stream of their own, keyed by a word of the
    // run's (drawn one at a time by the samplers, they were 27 % of the red-packet job's time);
    // a fixed delay stays the constant in double precision, as in the breadth-first rounds.
    let batched = !model.laws.iter().any(|l| matches!(l, Law::Fixed(_)));
    if batched {
        let key = rng.next_u64();
        Draws::start_by_class(&mut q.draws, model.laws, key);
        q.cursor = [BATCH; 2];
    }
    let adopted = &mut s.adopted;
    // One walk through the coins of all of the run's adopters, in the order they settle: the
    // coins are one sequence, so a bucket takes up the walk where the previous one left it (a
    // new walk per bucket would cost a draw per bucket, most of a small cascade's buckets).
    let mut walk = skipper.map(|sk| sk.walk(&mut GapsOnDemand, rng));
    let mut first = true;
    while q.next_bucket(first) {
        first = false;
        q.parked.clear();
        // A bucket holds a few dozen entries: ask for the first ones' arc ranges all at once, and
        // for those of the next bucket (as it stands) while this one is settled.
        for &e in q.work.iter().take(AHEAD_OFFSETS) {
            crate::mem::prefetch(offsets, node(e) as usize);
        }
        for &e in &q.ring[(q.cur as usize + 1) & (RING - 1)] {
            crate::mem::prefetch(offsets, node(e) as usize);
        }
        let mut i = 0;
        loop {
            // The earliest of the sorted bucket and the landings made into it meanwhile.
            let from_work =
                i < q.work.len() && q.same.peek().is_none_or(|Reverse(e)| q.work[i] <= *e);
            let e = if from_work {
                if let Some(&ahead) = q.work.get(i + AHEAD_OFFSETS) {
                    crate::mem::prefetch(offsets, node(ahead) as usize);
                }
                if one_delay.is_none()
                    && let Some(&ahead) = q.work.get(i + AHEAD_TIES)
                {
                    crate::mem::prefetch(ties, offsets[node(ahead) as usize] as usize);
                }
                if let Some(th) = per_arc
                    && let Some(&ahead) = q.work.get(i + AHEAD_TIES)
                {
                    crate::mem::prefetch(th, offsets[node(ahead) as usize] as usize);
                }
                i += 1;
                q.work[i - 1]
            } else if let Some(Reverse(e)) = q.same.pop() {
                e
            } else {
                break;
            };
            let u = node(e);
            if !mark(adopted, u) {
                // Adopted already: at an earlier landing.
                continue;
            }
            s.order.push(u);
            let t = q.hour(e);
            s.times.push(t);
            let (a, b) = graph.arc_range(u);
            s.attempts += (b - a) as u64;
            let mut success = Success {
                one_delay,
                delays: &model.delays,
                draws: batched.then_some((&mut q.draws, &mut q.cursor)),
                ties,
                targets,
                adopted,
                t,
                horizon,
                inv_width: q.inv_width,
                cur: q.cur,
                parked: &mut q.parked,
                same: &mut q.same,
                #[cfg(test)]
                log: &mut q.log,
                #[cfg(test)]
                u,
            };
            let mut hit = |i: usize, rng: &mut Rng| success.hit(i, rng);
            match (&skipper, &mut walk, per_arc) {
                (Some(sk), Some(walk), _) => sk.block(
                    walk,
                    &mut GapsOnDemand,
                    rng,
                    ties,
                    (a, b - a),
                    1,
                    |i, _, rng| hit(i, rng),
                ),
                (_, _, Some(th)) => {
                    for (i, &thr) in th.iter().enumerate().take(b).skip(a) {
                        if rng.next_u64() >> 11 < thr {
                            hit(i, rng);
                        }
                    }
                }
                _ => unreachable!("coins by class or by arc"),
            }
        }
        // The parked landings: target ids asked for ahead; the bitmap is in cache.
        let parked = std::mem::take(&mut q.parked);
        for &(_, i) in parked.iter().take(AHEAD_TARGET) {
            crate::mem::prefetch(targets, i);
        }
        for (h, &(land, i)) in parked.iter().enumerate() {
            if let Some(&(_, ahead)) = parked.get(h + AHEAD_TARGET) {
                crate::mem::prefetch(targets, ahead);
            }
            let v = targets[i];
            if !is_marked(adopted, v) {
                // The node's arc range is read when its turn comes: ask for it now, so that it
                // is at least in the last-level cache then.
                crate::mem::prefetch(offsets, v as usize);
                q.push(land, v, false);
            }
        }
        q.parked = parked;
    }
    s.clear_adopted(n);
}

/// Whether node `u`'s bit is set.
#[inline(always)]
fn is_marked(bits: &[u64], u: u32) -> bool {
    bits[u as usize / 64] >> (u % 64) & 1 == 1
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::cascade::{Activation, Delay, Model};
    use crate::graph::generate::Generator;

    /// Shortest times from `seeds` over `arcs` (source, target, delay) up to `horizon`, in
    /// increasing order, by a plain heap (the reference the calendar and live engines are
    /// checked against run by run).
    pub(in crate::cascade) fn dijkstra(
        n: usize,
        arcs: &[(u32, u32, f64)],
        seeds: &[(u32, f64)],
        horizon: f64,
    ) -> Vec<f64> {
        let mut out: Vec<Vec<(u32, f64)>> = vec![Vec::new(); n];
        for &(u, v, d) in arcs {
            out[u as usize].push((v, d));
        }
        let mut best = vec![f64::INFINITY; n];
        let mut heap = BinaryHeap::new();
        for &(u, t) in seeds {
            heap.push(Reverse((t.to_bits(), u)));
        }
        let mut times = Vec::new();
        while let Some(Reverse((bits, u))) = heap.pop() {
            let t = f64::from_bits(bits);
            if best[u as usize].is_finite() || t > horizon {
                continue;
            }
            best[u as usize] = t;
            times.push(t);
            for &(v, d) in &out[u as usize] {
                if best[v as usize].is_infinite() {
                    heap.push(Reverse(((t + d).to_bits(), v)));
                }
            }
        }
        times
    }

    /// Runs an engine 200 times per model on a 3,000-node WeChat-like graph from seeds at
    /// different hours (one reached before its own hour, one given twice) and checks each run's
    /// times, in any order, against a plain Dijkstra's over the arcs the engine says it drew
    /// (`engine` runs once and returns them), to within `tol(bucket width, time)`. The models:
    /// a uniform chance with Weibull delays of shape 0.3 (heavy-tailed: many landings close
    /// together); per-class chances with exponential weak delays and a 3 h horizon; the
    /// weighted cascade with `third` as its weak delays.
    pub(in crate::cascade) fn check_against_dijkstra(
        third: Delay,
        mut engine: impl FnMut(
            &Graph,
            &Prepared,
            &[(u32, f64)],
            &mut Rng,
            &mut Scratch,
        ) -> Vec<(u32, u32, f64)>,
        tol: impl Fn(f64, f64) -> f64,
    ) {
        let g = Generator::by_name("wechat")
            .unwrap()
            .generate(3000, 4)
            .unwrap();
        let heavy = Delay::Weibull {
            shape: 0.3,
            scale: 1.0,
        };
        let by_tie = Activation::ByTie {
            strong: 0.2,
            weak: 0.05,
        };
        for (activation, weak, horizon) in [
            (Activation::Uniform { p: 0.1 }, heavy, None),
            (by_tie, Delay::Exp { mean: 0.5 }, Some(3.0)),
            (Activation::WeightedCascade, third, None),
        ] {
            let m = Model {
                activation,
                delay_strong: heavy,
                delay_weak: weak,
                horizon_hours: horizon,
                ..Model::uniform(0.0, heavy)
            };
            let prepared = Prepared::new(&m, &g).unwrap();
            let width = prepared.bucket_width();
            let mut s = Scratch::new(g.node_count());
            let seeds = [(0u32, 0.0), (17, 0.0), (1200, 0.25), (2500, 1.0), (17, 2.0)];
            for r in 0..200 {
                let mut rng = crate::rng::stream(7, r);
                s.times.clear();
                let arcs = engine(&g, &prepared, &seeds, &mut rng, &mut s);
                let want = dijkstra(g.node_count(), &arcs, &seeds, prepared.horizon);
                let mut got = s.times.clone();
                got.sort_by(f64::total_cmp);
                assert_eq!(got.len(), want.len(), "run {r}: adopters");
                for (k, (&a, &b)) in got.iter().zip(&want).enumerate() {
                    assert!(
                        (a - b).abs() <= tol(width, b),
                        "run {r}, adopter {k}: {a} vs {b}"
                    );
                }
            }
        }
    }

    #[test]
    fn times_are_the_shortest_over_the_arcs_drawn_with_landings_inside_a_bucket() {
        // About a fifth of the heavy-tailed successes land inside the bucket being settled (the
        // small heap merged with it). Times in a bucket are kept to 2^-32 of its width, and a
        // path of many hops adds that up: a millionth of a width is allowed.
        let mut inside = 0;
        let heavy = Delay::Weibull {
            shape: 0.3,
            scale: 1.0,
        };
        check_against_dijkstra(
            heavy,
            |g, prepared, seeds, rng, s| {
                s.calendar.log.clear();
                run(g, prepared, seeds, rng, s);
                let width = prepared.bucket_width();
                inside += s.calendar.log.iter().filter(|a| a.2 < width).count();
                s.calendar.log.clone()
            },
            |width, _| width * 1e-6,
        );
        assert!(inside > 1000, "landings inside a bucket: {inside}");
    }
}

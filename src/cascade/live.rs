//! The `live` engine, auto's choice for continuous delays without a horizon (`--engine live`
//! asks for it with one): the live arcs first, by breadth-first rounds, then the adoption times
//! over them.
//!
//! In the independent cascade a node's coins do not depend on when it adopts, and without a
//! horizon every node reachable from the seeds over live arcs adopts. So a run can be cut in
//! two: the breadth-first rounds of the fixed-delay engine find the adopters and every live arc
//! between them (each adopter's coins walked once, as one sequence per round); then the
//! adoption times are the shortest times from the seeds over these arcs, found on a small graph
//! that holds only the adopters, numbered in the order they were found (arrays as long as the
//! run's adopters, not the graph's nodes). The arcs' delays are drawn there, as that pass first
//! reads each arc, from a stream of their own keyed by the run's (drawn in the rounds, they and
//! their array pushed the bitmap of adopters out of the core's cache while the rounds probed it
//! at random: ba_1m, one thread, the rounds 6.6-7.0 M cycles a run against 5.5-5.9 M after),
//! 64 at a time on eight lanes (`draws.rs`).
//!
//! The rounds make a tree: an adopter's first live arc in comes from its parent, found in the
//! round before, so an adopter keeps only its parent's number and that arc's delay, and a
//! node's children are a run of consecutive numbers. The other live arcs (their targets had
//! adopted already: about one success in ten at p = 0.05 on the BA graphs) are kept aside with
//! their target's node id; after the rounds the ids become numbers through a bitmap of those
//! targets and a small table, without a per-node array (a store per adopter into one, at a
//! random place, cost as much as the rounds themselves on ba_1m). On a graph small enough for
//! such an array to stay in the core's cache (`DIRECT_UP_TO` nodes) it is used instead: each
//! adopter's number is written by node as it is found, and an arc kept aside takes its
//! target's number at once (ws_100k: about 700 instructions less a run). One pass in the order found
//! then gives each adopter its parent's time plus its delay, or sooner through an arc kept aside
//! from a node passed earlier; a node that an arc from a later node reaches sooner is put right
//! by label correction, along its children and its own arcs kept aside, in sweeps over the
//! numbers (a sweep meets the nodes to put right in order, so their children and arcs are read
//! in order too).
//!
//! A run is therefore the same cascade, in distribution, as Dijkstra on the binary heap
//! (`--engine dijkstra`): the same coins, the same delays, the shortest times (tested run by
//! run against a plain Dijkstra over the arcs found). The random numbers go to other uses, so the
//! runs themselves differ from the calendar's; but the rounds toss the coins of the fixed-delay
//! engine's rounds (`scalar::run_bfs`) of the same run, the delays coming from their own stream,
//! so a run reaches the same adopters whatever its delays (tested in `tests/it/engine.rs`).
//! With a horizon the run is the same, its times past the horizon left out: a node that adopts
//! after the horizon passes nothing on before it, so the times up to it are those of the
//! cascade cut there; but the rounds walk past the horizon, work the calendar queue does not
//! do, so auto keeps the calendar when there is a horizon.
//!
//! The times are left unsorted: the accumulator counts them per grid point in one pass
//! (`Accumulate::add_unsorted`). Memory per thread: a bit per node (the targets kept aside),
//! and per adopter of the run about 21 bytes, per arc kept aside 12; a run that would pass
//! `Prepared::live_cap` stops after that round and runs on the calendar instead.
//!
//! The label correction is the weak side: where many live arcs reach nodes already adopted (a
//! dense graph at a high chance: 0.4 to 1.7 such arcs per adopter) it sweeps again and again,
//! and the calendar is faster (1.04–2.0× here); auto therefore tries this engine on its
//! first runs and keeps it only where such arcs are few (`monte_carlo::LIVE_UP_TO`).

use super::draws::{BATCH, Draws};
use super::prepared::Prepared;
use super::scalar::{
    Scratch, ask_ahead, ask_thresholds, ask_tie_ahead, mark, push_span, round_coins,
};
use crate::graph::Graph;
use crate::rng::Rng;

/// Buffers of [`run`], reused across runs.
#[derive(Default)]
pub(crate) struct Live {
    /// A bit per node: the target of an arc kept aside (cleared after each run).
    wanted: Vec<u64>,
    /// Those targets' numbers: an open-addressing table of (node + 1, number), 0 for empty.
    table: Vec<(u32, u32)>,
    /// On a graph of at most [`DIRECT_UP_TO`] nodes, instead of the bitmap and the table: each
    /// adopter's number, written by node as it is found (never cleared: only this run's
    /// adopters are read).
    number: Vec<u32>,
    /// For the tests: the lookup after the rounds whatever the graph's size.
    #[cfg(test)]
    force_lookup: bool,
    /// By adopter number: the adopter that reached it first (its parent in the rounds' tree;
    /// `NONE` for a seed) and the delay of that arc. Parents never decrease past the seeds.
    /// Delays are kept in single precision (7 digits: 5 ms on a delay of a day): four bytes
    /// less per live arc made the whole run 2-4 % faster on ba_1m, where these arrays outgrow
    /// the per-core cache; times are summed in double precision.
    parent: Vec<u32>,
    tree_delay: Vec<f32>,
    /// The other live arcs (their targets had adopted when they were found): source number,
    /// target (a node id until resolved, then its number; its number at once with `number`),
    /// delay. Sources never decrease.
    from: Vec<u32>,
    to: Vec<u32>,
    delay: Vec<f32>,
    /// Adoption times by adopter number.
    time: Vec<f64>,
    /// A bit per adopter number: adopters waiting to pass an earlier time on (all clear between
    /// runs).
    dirty: Vec<u64>,
    /// Adopters put right after their turn in the last run's pass (for the tests).
    corrected: usize,
    /// A round's sequence of coins, its candidates and their pieces.
    spans: Vec<(usize, usize)>,
    hits: Vec<usize>,
    pieces: Vec<u32>,
    /// With delays by tie class: the class of each adopter's first arc in (past the seeds) and
    /// of each arc kept aside.
    tree_tie: Vec<u8>,
    aside_tie: Vec<u8>,
    /// The seeds' part of the last run, to start the next from if its seeds are the same.
    start: Start,
    /// The delays, by tie class (`draws.rs`).
    draws: [Draws; 2],
}

/// A run's start from its seeds: the seeds as given, and what the run made of them (the seeds
/// once each, in order, their times, their pieces of the first round's coins, their bits).
/// Every run of a command but those with seeds drawn per run starts from the same seeds; 50 of
/// them set one by one took a tenth of a ws_100k run.
#[derive(Default)]
struct Start {
    /// The graph (its offsets' address and length: a scratch serves one graph, the pools of
    /// `monte_carlo` living as long as one batch of runs; this is a guard) and the seeds.
    graph: (usize, usize),
    seeds: Vec<(u32, u64)>,
    /// Whether the rest was made from `seeds` (only when the same seeds came twice in a row).
    made: bool,
    order: Vec<u32>,
    time: Vec<f64>,
    spans: Vec<(usize, usize)>,
    len: usize,
    /// The adopters' bitmap words the seeds set, and their bits.
    words: Vec<(usize, u64)>,
}

impl Start {
    /// True if `seeds` are those the start was made from.
    fn same_seeds(&self, graph: &Graph, seeds: &[(u32, f64)]) -> bool {
        self.made && self.is(graph, seeds)
    }

    fn is(&self, graph: &Graph, seeds: &[(u32, f64)]) -> bool {
        self.graph == key(graph)
            && self.seeds.len() == seeds.len()
            && self
                .seeds
                .iter()
                .zip(seeds)
                .all(|(&(a, x), &(b, y))| a == b && x == y.to_bits())
    }

    /// After a run started from `seeds` by hand: the same seeds twice in a row make the start.
    fn keep(
        &mut self,
        graph: &Graph,
        seeds: &[(u32, f64)],
        order: &[u32],
        time: &[f64],
        spans: &[(usize, usize)],
        len: usize,
    ) {
        if !self.is(graph, seeds) {
            self.graph = key(graph);
            self.seeds.clear();
            self.seeds
                .extend(seeds.iter().map(|&(u, t)| (u, t.to_bits())));
            self.made = false;
            return;
        }
        self.order.clear();
        self.order.extend_from_slice(order);
        self.time.clear();
        self.time.extend_from_slice(time);
        self.spans.clear();
        self.spans.extend_from_slice(spans);
        self.len = len;
        self.words.clear();
        let mut sorted = order.to_vec();
        sorted.sort_unstable();
        for u in sorted {
            let (w, b) = (u as usize / 64, 1u64 << (u % 64));
            match self.words.last_mut() {
                Some((v, bits)) if *v == w => *bits |= b,
                _ => self.words.push((w, b)),
            }
        }
        self.made = true;
    }
}

fn key(graph: &Graph) -> (usize, usize) {
    let o = graph.offsets();
    (o.as_ptr() as usize, o.len())
}

impl Live {
    /// The last live run's adopters and live arcs kept aside (zeros before any).
    pub(crate) fn counts(&self) -> (u64, u64) {
        (self.parent.len() as u64, self.from.len() as u64)
    }
}

/// A seed's parent.
const NONE: u32 = u32::MAX;

/// Graphs of at most this many nodes keep each adopter's number in a per-node array, written
/// as the adopter is found, so that an arc kept aside knows its target's number at once: the
/// array (4 bytes a node, 1 MiB here) stays in the core's cache, and a store per adopter costs
/// less than the lookup after the rounds. On larger graphs these stores land at random in an
/// array the cache cannot hold (on ba_1m they cost as much as the rounds themselves), and the
/// lookup after the rounds (a bitmap of the targets and a small table) takes their place.
const DIRECT_UP_TO: usize = 1 << 18;

/// Bytes a run holds per adopter (its number, parent, delay, time and mark, rounded up) and per
/// live arc kept aside (source, target, delay).
const PER_ADOPTER: usize = 21;
const PER_ARC_ASIDE: usize = 12;

/// One run with continuous delays; the adoption times up to the horizon land in `s.times`, in
/// no particular order (`s.unsorted`); the nodes reached, within the horizon or not, in
/// `s.order`, in the order found. False if the run would have held more than `model.live_cap`
/// bytes: it then stops after the round that crossed it, leaving `rng` and `s` as they were given
/// (the caller runs it on the calendar queue instead, from the same random stream).
pub(crate) fn run(
    graph: &Graph,
    model: &Prepared,
    seeds: &[(u32, f64)],
    rng: &mut Rng,
    s: &mut Scratch,
) -> bool {
    if model.uniform_delay().is_some() {
        run_with::<false>(graph, model, seeds, rng, s)
    } else {
        run_with::<true>(graph, model, seeds, rng, s)
    }
}

/// [`run`]; with `TIES`, the rounds keep each live arc's tie class, and its delay comes from
/// that class's law (without, every delay from the first class's law, both being the same).
#[inline(always)]
fn run_with<const TIES: bool>(
    graph: &Graph,
    model: &Prepared,
    seeds: &[(u32, f64)],
    rng: &mut Rng,
    s: &mut Scratch,
) -> bool {
    let given = (rng.clone(), s.attempts);
    let n = graph.node_count();
    s.ensure_adopted(n);
    let w = &mut s.live;
    if w.wanted.len() != n.div_ceil(64) {
        w.wanted = crate::mem::zeroed(n.div_ceil(64));
    }
    let offsets = graph.offsets();
    let targets = graph.targets();
    let ties = graph.ties();
    let skipper = model.skipper();
    let per_arc = model.per_arc();
    debug_assert!(skipper.is_some() || per_arc.is_some());
    #[cfg(not(test))]
    let direct = n <= DIRECT_UP_TO;
    #[cfg(test)]
    let direct = n <= DIRECT_UP_TO && !w.force_lookup;
    if direct && w.number.len() != n {
        w.number = crate::mem::zeroed(n);
    }
    let Live {
        wanted,
        table,
        number,
        parent,
        tree_delay,
        from,
        to,
        delay,
        time,
        dirty,
        corrected,
        spans,
        hits,
        pieces,
        tree_tie,
        aside_tie,
        start,
        draws,
        ..
    } = w;
    let order = &mut s.order;
    let adopted = &mut s.adopted;
    order.clear();
    parent.clear();
    tree_delay.clear();
    from.clear();
    to.clear();
    delay.clear();
    time.clear();
    spans.clear();
    tree_tie.clear();
    aside_tie.clear();
    let mut len = 0usize;
    if start.same_seeds(graph, seeds) {
        // The seeds of the last run again (the usual case): their part copied, their bits set
        // a word at a time.
        order.extend_from_slice(&start.order);
        time.extend_from_slice(&start.time);
        spans.extend_from_slice(&start.spans);
        len = start.len;
        for &(w, bits) in &start.words {
            adopted[w] |= bits;
        }
    } else {
        for &(u, t) in seeds {
            if mark(adopted, u) {
                order.push(u);
                time.push(t);
                len = push_span(spans, len, graph.arc_range(u));
            } else {
                // A node given twice starts at its earliest hour.
                let k = order
                    .iter()
                    .position(|&x| x == u)
                    .expect("a marked seed is in order");
                time[k] = time[k].min(t);
            }
        }
        start.keep(graph, seeds, order, time, spans, len);
    }
    let first = order.len();
    parent.resize(first, NONE);
    if direct {
        for (k, &u) in order.iter().enumerate() {
            number[u as usize] = k as u32;
        }
    }
    // The rounds: each finds the live arcs out of the last round's adopters. An arc to a node
    // not yet reached makes it an adopter, its child; any other is kept aside with its target's
    // id (its number is looked up after the rounds, all at once), or, on a small graph, with its
    // target's number, read from the array written as adopters are found.
    let mut lo = 0;
    while lo < order.len() {
        let hi = order.len();
        s.attempts += len as u64;
        round_coins::<true>(model, &skipper, ties, rng, spans, len, hits, pieces);
        spans.clear();
        len = 0;
        for h in 0..hits.len() {
            ask_ahead(hits, h, targets, offsets);
            if TIES {
                ask_tie_ahead(hits, h, ties);
            }
            let i = hits[h];
            let v = targets[i];
            let u = lo as u32 + pieces[h];
            if mark(adopted, v) {
                if direct {
                    number[v as usize] = order.len() as u32;
                }
                order.push(v);
                parent.push(u);
                if TIES {
                    tree_tie.push(ties[i] as u8);
                }
                let range = graph.arc_range(v);
                ask_thresholds(per_arc, range);
                len = push_span(spans, len, range);
            } else {
                from.push(u);
                to.push(if direct { number[v as usize] } else { v });
                if TIES {
                    aside_tie.push(ties[i] as u8);
                }
            }
        }
        lo = hi;
        // With delays by tie class, a byte more per arc for its class.
        let more = usize::from(TIES);
        if order.len() * (PER_ADOPTER + more) + from.len() * (PER_ARC_ASIDE + more) > model.live_cap
        {
            (*rng, s.attempts) = given;
            s.clear_adopted(n);
            s.order.clear();
            return false;
        }
    }
    let m = order.len();
    // The delays are drawn after the rounds, from a stream of their own, each as the pass below
    // first needs it: drawn in the rounds, they and their array pushed the bitmap of adopters
    // out of the core's cache while the rounds probed it at random.
    let key = {
        use rand::Rng as _;
        rng.next_u64()
    };
    Draws::start_by_class(draws, model.laws, key);
    // The other arcs' targets by number. Writing every adopter's number into a per-node array
    // as it is found would be a store to a random place per adopter (measured: as costly as the
    // rounds themselves on ba_1m); instead the targets are marked in a bitmap, the adopters
    // scanned once for the marked ones, and these few numbers kept in a small table.
    if !direct && !to.is_empty() {
        let mut distinct = 0usize;
        for &v in to.iter() {
            distinct += usize::from(mark(wanted, v));
        }
        let slots = (2 * to.len()).next_power_of_two().max(16);
        table.clear();
        table.resize(slots, (0, 0));
        let mask = slots - 1;
        let slot = |v: u32| (v.wrapping_mul(0x9e37_79b1) as usize) & mask;
        // The adopters are scanned 64 at a time, the numbers of the wanted ones written to a
        // small buffer without a branch (about one adopter in ten is wanted on ba_1m, at random
        // places: a branch per adopter was mispredicted at each), then filed.
        let mut found = [0u32; 64];
        for (c, chunk) in order.chunks(64).enumerate() {
            let mut f = 0;
            for (i, &v) in chunk.iter().enumerate() {
                found[f] = (c * 64 + i) as u32;
                f += (wanted[v as usize / 64] >> (v % 64) & 1) as usize;
            }
            for &k in &found[..f] {
                let v = order[k as usize];
                let mut j = slot(v);
                while table[j].0 != 0 {
                    j = (j + 1) & mask;
                }
                table[j] = (v + 1, k);
            }
            // Often all are found early (the seeds, on small cascades): stop there.
            distinct -= f;
            if distinct == 0 {
                break;
            }
        }
        for x in to.iter_mut() {
            let v = *x;
            wanted[v as usize / 64] = 0;
            let mut j = slot(v);
            while table[j].0 != v + 1 {
                j = (j + 1) & mask;
            }
            *x = table[j].1;
        }
    }
    // One pass in the order found: each adopter's time from its parent's (found before it) and
    // from the other arcs into it found so far; then its other arcs out. A node that such an arc
    // reaches sooner after its own turn is marked to be put right.
    let words = m.div_ceil(64);
    if dirty.len() < words {
        dirty.resize(words, 0);
    }
    time.resize(m, f64::INFINITY);
    tree_delay.resize(m, 0.0);
    delay.resize(from.len(), 0.0);
    let mut restart = usize::MAX;
    let mut e = 0;
    let mut next = from.first().map_or(usize::MAX, |&u| u as usize);
    let mut cursor = [BATCH; 2];
    for k in 0..m {
        if k >= first {
            let c = if TIES {
                tree_tie[k - first] as usize
            } else {
                0
            };
            let d = draws[c].at(&mut cursor[c]);
            tree_delay[k] = d;
            let t = time[parent[k] as usize] + d as f64;
            let was = time[k];
            time[k] = if t < was { t } else { was };
        }
        if k == next {
            while e < from.len() && from[e] as usize == k {
                let v = to[e] as usize;
                let c = if TIES { aside_tie[e] as usize } else { 0 };
                let d = draws[c].at(&mut cursor[c]);
                delay[e] = d;
                let t = time[k] + d as f64;
                if t < time[v] {
                    time[v] = t;
                    if v < k {
                        mark(dirty, v as u32);
                        restart = restart.min(v);
                    }
                }
                e += 1;
            }
            next = from.get(e).map_or(usize::MAX, |&u| u as usize);
        }
    }
    *corrected = 0;
    // Label correction, in sweeps over the numbers: a node put right passes its time on to its
    // children and its arcs kept aside; those it reaches sooner are marked, and a mark at a
    // higher number is met later in the same sweep (children always have higher numbers). A mark
    // at a lower number starts another sweep from there. The children (parents never decrease)
    // and the arcs kept aside (sources never decrease) are found by two cursors moving forward
    // with the sweep: the nodes put right are met in order, so their data is read in order too
    // (a queue met them at random, and needed a table of where each one's children end).
    while restart != usize::MAX {
        let lowest = restart;
        restart = usize::MAX;
        let mut c = first + parent[first..].partition_point(|&p| (p as usize) < lowest);
        let mut e = from.partition_point(|&u| (u as usize) < lowest);
        for w in lowest / 64..words {
            let mut bits = dirty[w];
            while bits != 0 {
                let b = bits.trailing_zeros() as usize;
                let u = w * 64 + b;
                dirty[w] &= !(1 << b);
                *corrected += 1;
                let tu = time[u];
                if c < m && (parent[c] as usize) < u {
                    c = first_at_least(parent, c, u as u32);
                }
                while c < m && parent[c] as usize == u {
                    let t = tu + tree_delay[c] as f64;
                    if t < time[c] {
                        time[c] = t;
                        mark(dirty, c as u32);
                    }
                    c += 1;
                }
                if e < from.len() && (from[e] as usize) < u {
                    e = first_at_least(from, e, u as u32);
                }
                while e < from.len() && from[e] as usize == u {
                    let v = to[e] as usize;
                    let t = tu + delay[e] as f64;
                    if t < time[v] {
                        time[v] = t;
                        mark(dirty, v as u32);
                        if v < u {
                            restart = restart.min(v);
                        }
                    }
                    e += 1;
                }
                // Marks made above `u` in this word are met now; those below, by the next sweep.
                bits = dirty[w] & (u64::MAX << b << 1);
            }
        }
    }
    if model.horizon.is_finite() {
        let horizon = model.horizon;
        time.retain(|&t| t <= horizon);
    }
    std::mem::swap(time, &mut s.times);
    s.unsorted = true;
    s.clear_adopted(n);
    true
}

/// The first place after `i` whose value is at least `x` (`v.len()` if none), where `v` does not
/// decrease from `i` on and `v[i] < x`: steps doubling from `i`, then a binary search within the
/// last. The sweep's cursors pass the children and arcs of the nodes between two marks this way
/// (one step at a time they took two-thirds of the label correction's time on ba_1m).
#[inline]
fn first_at_least(v: &[u32], mut i: usize, x: u32) -> usize {
    let mut step = 1;
    while i + step < v.len() && v[i + step] < x {
        i += step;
        step *= 2;
    }
    let end = (i + step).min(v.len());
    i + 1 + v[i + 1..end].partition_point(|&p| p < x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cascade::calendar::tests::check_against_dijkstra;
    use crate::cascade::{Delay, Model};
    use crate::graph::generate::Generator;

    #[test]
    fn times_are_the_shortest_over_the_live_arcs_found() {
        // Every run's times must be a plain Dijkstra's over the live arcs the rounds found
        // (each adopter's first arc in, and the arcs kept aside), whatever the order the label
        // correction put them right in.
        let mut corrected = 0;
        let third = Delay::LogNormal {
            median: 1.0,
            sigma: 1.5,
        };
        let mut calls = 0u64;
        check_against_dijkstra(
            third,
            |g, prepared, seeds, rng, s| {
                // Every other run looks its kept-aside targets up after the rounds.
                calls += 1;
                s.live.force_lookup = calls.is_multiple_of(2);
                assert!(run(g, prepared, seeds, rng, s));
                let w = &s.live;
                let node = |k: u32| s.order[k as usize];
                let mut arcs: Vec<(u32, u32, f64)> = (0..s.order.len())
                    .filter(|&k| w.parent[k] != NONE)
                    .map(|k| (node(w.parent[k]), s.order[k], w.tree_delay[k] as f64))
                    .collect();
                for e in 0..w.from.len() {
                    arcs.push((node(w.from[e]), node(w.to[e]), w.delay[e] as f64));
                }
                corrected += w.corrected;
                arcs
            },
            |_, t| 1e-9 * t.max(1.0),
        );
        assert!(
            corrected > 1000,
            "nodes put right after their turn: {corrected}"
        );
    }

    #[test]
    fn numbers_written_as_found_are_those_looked_up_after() {
        // The two ways an arc kept aside gets its target's number (a per-node array written as
        // adopters are found, never cleared; a bitmap and a table after the rounds) must give the
        // same runs, on scratches reused from run to run with seeds that change.
        let g = Generator::by_name("wechat")
            .unwrap()
            .generate(3000, 5)
            .unwrap();
        let m = Model::uniform(
            0.15,
            Delay::LogNormal {
                median: 1.0,
                sigma: 1.0,
            },
        );
        let prepared = Prepared::new(&m, &g).unwrap();
        let (mut direct, mut lookup) = (Scratch::new(g.node_count()), Scratch::new(g.node_count()));
        lookup.live.force_lookup = true;
        let mut aside = 0;
        for r in 0..60u64 {
            let seeds = [((r % 7) as u32 * 11, 0.0), (3, 0.0), (400 + r as u32, 0.5)];
            for s in [&mut direct, &mut lookup] {
                s.times.clear();
                assert!(run(&g, &prepared, &seeds, &mut crate::rng::stream(7, r), s));
            }
            assert_eq!(direct.order, lookup.order, "run {r}");
            assert_eq!(direct.live.to, lookup.live.to, "run {r}");
            assert_eq!(direct.times, lookup.times, "run {r}");
            aside += direct.live.to.len();
        }
        assert!(aside > 1000, "arcs kept aside: {aside}");
    }

    #[test]
    fn first_at_least_finds_what_a_scan_finds() {
        let mut rng = crate::rng::stream(9, 0);
        use rand::RngExt;
        for len in 1..200usize {
            let mut v: Vec<u32> = (0..len).map(|_| rng.random_range(0..50)).collect();
            v.sort_unstable();
            for i in 0..len {
                for x in v[i] + 1..60 {
                    let scan = (i..len).find(|&j| v[j] >= x).unwrap_or(len);
                    assert_eq!(first_at_least(&v, i, x), scan, "{v:?} from {i} for {x}");
                }
            }
        }
    }

    #[test]
    fn runs_started_from_the_last_runs_seeds_are_those_started_by_hand() {
        // A scratch that ran the same seeds before starts from their copy: every run must give
        // what a fresh scratch gives, seeds given twice (the earlier hour kept) included, and
        // other seeds in between must not be started from the old copy.
        let g = Generator::by_name("wechat")
            .unwrap()
            .generate(2000, 3)
            .unwrap();
        let m = Model::uniform(0.1, Delay::Exp { mean: 1.0 });
        let prepared = Prepared::new(&m, &g).unwrap();
        let a = [(0u32, 0.0), (5, 0.5), (0, 0.25), (70, 0.0)];
        let b = [(0u32, 0.0), (5, 0.5), (0, 0.25), (71, 0.0)];
        let mut s = Scratch::new(g.node_count());
        let mut copied = 0;
        for r in 0..40 {
            let seeds: &[(u32, f64)] = if r % 7 == 6 { &b } else { &a };
            copied += usize::from(s.live.start.same_seeds(&g, seeds));
            let mut fresh = Scratch::new(g.node_count());
            for t in [&mut s, &mut fresh] {
                t.times.clear();
                assert!(run(&g, &prepared, seeds, &mut crate::rng::stream(5, r), t));
            }
            assert_eq!(s.times, fresh.times, "run {r}");
            assert_eq!(s.order, fresh.order, "run {r}");
        }
        assert!(copied > 20, "runs started from the copy: {copied}");
    }

    #[test]
    fn a_run_past_its_memory_cap_leaves_everything_as_given() {
        // With no room at all every run gives up after its first round; the calendar then run
        // from the stream and scratch it left must give what it gives on its own, run by run.
        let g = Generator::by_name("wechat")
            .unwrap()
            .generate(2000, 3)
            .unwrap();
        let m = Model::uniform(0.1, Delay::Exp { mean: 1.0 });
        let mut prepared = Prepared::new(&m, &g).unwrap();
        let seeds = [(0u32, 0.0), (5, 0.5)];
        let (mut s, mut alone) = (Scratch::new(g.node_count()), Scratch::new(g.node_count()));
        let mut reached = 0;
        for r in 0..50 {
            prepared.live_cap = 0;
            let mut rng = crate::rng::stream(3, r);
            s.times.clear();
            s.attempts = 0;
            assert!(!run(&g, &prepared, &seeds, &mut rng, &mut s));
            super::super::calendar::run(&g, &prepared, &seeds, &mut rng, &mut s);
            let mut rng = crate::rng::stream(3, r);
            alone.times.clear();
            alone.attempts = 0;
            super::super::calendar::run(&g, &prepared, &seeds, &mut rng, &mut alone);
            assert_eq!(s.times, alone.times, "run {r}");
            assert_eq!(s.attempts, alone.attempts, "run {r}");
            reached += s.times.len();
            // With room, the same scratch runs live again.
            prepared.live_cap = usize::MAX;
            s.times.clear();
            assert!(run(
                &g,
                &prepared,
                &seeds,
                &mut crate::rng::stream(4, r),
                &mut s
            ));
        }
        assert!(reached > 500, "the cascades are not trivial: {reached}");
    }
}

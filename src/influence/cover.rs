//! Greedy maximum coverage over RR sets, with the upper bound on the best coverage that the
//! greedy run itself proves.
//!
//! The index is over the nodes that occur in at least two sets, not over the whole graph: with
//! small RR sets on a large graph (the weighted cascade on a million nodes) most nodes are in no
//! set and most of the rest in one, and per-node arrays would outweigh the sets themselves. A node
//! in one set gains at most one set, so it matters only once no indexed node gains two or more;
//! from then on every set not yet covered has its own lowest id, and the greedy takes the lowest
//! of those, found in one pass over the sets. Only sets of two nodes or more are listed per node;
//! a node's one-node sets are counted in its gain and covered when it is taken.
//!
//! Bytes, besides the sets: 4 per entry of an indexed node in a set of two or more (2 when the
//! collection has at most 65,536 such sets: a set id then fits in 16 bits), 8 per indexed node, a
//! bit per set of two or more and per graph node (or a sorted list of the indexed ids when the
//! graph is large beside the entries), and a heap of at most max(4k, min(4,096, m/4)) candidates
//! for m indexed nodes.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rayon::prelude::*;

use super::sets::RrSets;

/// The greedy choice on one collection of RR sets.
pub(crate) struct Greedy {
    /// Chosen nodes, in the order chosen.
    pub(crate) seeds: Vec<u32>,
    /// Sets they cover.
    pub(crate) covered: u64,
    /// An upper bound on the sets any `k` nodes cover: the least, over the greedy's steps, of the
    /// sets covered so far plus the `k` largest marginal coverages then (submodularity), and the
    /// greedy's own (1 − (1 − 1/k)^k) bound.
    pub(crate) best_upper: f64,
    /// Bytes the index held at its largest while the greedy ran (the sets themselves not counted).
    pub(crate) index_bytes: usize,
}

/// Graph ids of the nodes in two sets or more to dense local ids `0..m`, in increasing graph-id
/// order (so a tie broken by the lower local id is broken by the lower graph id).
struct Index {
    lookup: Lookup,
    /// Nodes indexed.
    m: usize,
    /// The most bytes held while the index was built.
    built_bytes: usize,
}

enum Lookup {
    /// A bit per graph node (set: indexed) and, per 64 nodes, how many indexed nodes come before
    /// them: a look-up is a popcount, and the whole costs 0.19 bytes per graph node.
    Bits { bits: Vec<u64>, before: Vec<u32> },
    /// The indexed graph ids, increasing: a look-up is a binary search. For a graph large beside
    /// the entries, where even a bit per node would outweigh them.
    Sorted(Vec<u32>),
}

impl Index {
    fn new(sets: &RrSets, n: usize) -> Index {
        let entries = sets.entries();
        let all = || sets.nodes.iter().chain(&sets.single);
        let words = n.div_ceil(64);
        // Bits cost 20 bytes per 64 nodes while built (seen once, seen twice, counts); the search
        // a sorted copy of the entries (4 bytes each): bits whenever they are the smaller.
        if words * 20 <= entries * 4 {
            let (mut once, mut twice) = (vec![0u64; words], vec![0u64; words]);
            for &u in all() {
                let (w, b) = ((u >> 6) as usize, 1u64 << (u & 63));
                if once[w] & b != 0 {
                    twice[w] |= b;
                } else {
                    once[w] |= b;
                }
            }
            drop(once);
            let mut before = Vec::with_capacity(words);
            let mut m = 0u32;
            for w in &twice {
                before.push(m);
                m += w.count_ones();
            }
            Index {
                lookup: Lookup::Bits {
                    bits: twice,
                    before,
                },
                m: m as usize,
                built_bytes: words * 20,
            }
        } else {
            let mut sorted: Vec<u32> = all().copied().collect();
            sorted.par_sort_unstable();
            let mut ids = Vec::new();
            for run in sorted.chunk_by(|a, b| a == b) {
                if run.len() >= 2 {
                    ids.push(run[0]);
                }
            }
            let built_bytes = sorted.capacity() * 4 + ids.capacity() * 4;
            drop(sorted);
            ids.shrink_to_fit();
            Index {
                m: ids.len(),
                lookup: Lookup::Sorted(ids),
                built_bytes,
            }
        }
    }

    /// The local id of graph node `u`, if it is in two sets or more.
    #[inline]
    fn of(&self, u: u32) -> Option<usize> {
        match &self.lookup {
            Lookup::Bits { bits, before } => {
                let (w, b) = ((u >> 6) as usize, 1u64 << (u & 63));
                let word = bits[w];
                (word & b != 0).then(|| before[w] as usize + (word & (b - 1)).count_ones() as usize)
            }
            Lookup::Sorted(ids) => ids.binary_search(&u).ok(),
        }
    }

    /// The graph id of local id `v`.
    fn id(&self, v: usize) -> u32 {
        match &self.lookup {
            Lookup::Bits { bits, before } => {
                let w = before.partition_point(|&c| c as usize <= v) - 1;
                let mut word = bits[w];
                for _ in 0..v - before[w] as usize {
                    word &= word - 1;
                }
                (w as u32) * 64 + word.trailing_zeros()
            }
            Lookup::Sorted(ids) => ids[v],
        }
    }

    fn bytes(&self) -> usize {
        match &self.lookup {
            Lookup::Bits { bits, before } => bits.len() * 8 + before.len() * 4,
            Lookup::Sorted(ids) => ids.capacity() * 4,
        }
    }
}

/// The `cap` largest of `items` (ties: the earlier kept), as a min-heap with room for
/// `capacity`, and whether any were left out.
fn largest<T: Ord>(
    items: impl Iterator<Item = T>,
    cap: usize,
    capacity: usize,
) -> (BinaryHeap<Reverse<T>>, bool) {
    let mut keep = BinaryHeap::with_capacity(capacity);
    let mut left_out = false;
    for x in items {
        if keep.len() < cap {
            keep.push(Reverse(x));
            continue;
        }
        left_out = true;
        if keep.peek().is_some_and(|r: &Reverse<T>| x > r.0) {
            keep.pop();
            keep.push(Reverse(x));
        }
    }
    (keep, left_out)
}

/// The sum of the `k` largest marginal coverages: of the indexed nodes' `degree` and of `loose`
/// nodes outside the index that still gain one set each.
fn top_sum(degree: &[u32], k: usize, loose: u64) -> u64 {
    let (heap, _) = largest(degree.iter().copied().filter(|&x| x > 0), k, k);
    let short = (k - heap.len()) as u64;
    heap.into_iter().map(|r| r.0 as u64).sum::<u64>() + short.min(loose)
}

/// A node's place in the greedy's order: more sets gained first, then the lower id.
type Key = (u32, Reverse<u32>);

/// The indexed nodes that gain the most, two sets or more, as a lazy max-heap: the `cap` largest
/// keys when it was filled, and `floor`, the least of them, when some were left out (`None`:
/// every node gaining two sets or more is in). Gains only fall, so a node left out stays below
/// `floor`: a current key on top at or above it is the largest of all; one below it means the
/// heap is filled again from the current gains. A heap over every indexed node would cost
/// 8 bytes each.
struct Top {
    heap: BinaryHeap<Key>,
    floor: Option<Key>,
    cap: usize,
}

impl Top {
    fn fill(degree: &[u32], cap: usize) -> Top {
        let candidates = degree.iter().filter(|&&d| d >= 2).count();
        let keys = degree
            .iter()
            .enumerate()
            .filter(|&(_, &d)| d >= 2)
            .map(|(v, &d)| (d, Reverse(v as u32)));
        let (keep, left_out) = largest(keys, cap, cap.min(candidates));
        let floor = left_out.then(|| keep.peek().map(|r| r.0)).flatten();
        Top {
            // In place: the same allocation, heapified again by the other order.
            heap: BinaryHeap::from(
                keep.into_vec()
                    .into_iter()
                    .map(|r| r.0)
                    .collect::<Vec<Key>>(),
            ),
            floor,
            cap,
        }
    }

    /// The indexed node a full scan would pick (most sets gained, lower id), if one gains two or
    /// more.
    fn pick(&mut self, degree: &[u32]) -> Option<usize> {
        loop {
            let Some((d, Reverse(v))) = self.heap.pop() else {
                self.floor?;
                *self = Top::fill(degree, self.cap);
                continue;
            };
            let now = degree[v as usize];
            if now < 2 {
                continue; // it gains one set at most: picked by ones if needed
            }
            if now != d {
                self.heap.push((now, Reverse(v)));
                continue;
            }
            if self.floor.is_some_and(|f| (d, Reverse(v)) < f) {
                *self = Top::fill(degree, self.cap);
                continue;
            }
            return Some(v as usize);
        }
    }
}

/// A set id in the greedy's node-to-sets index: 16 bits when the collection's sets of two nodes
/// or more number at most 2^16, else 32. With few sets (a large ε, a small graph) the index's
/// entries are most of the greedy's bytes; two bytes each keep the whole under 8 per RR entry.
trait SetId: Copy + Default {
    /// Set ids below this fit.
    const LIMIT: usize;
    fn new(s: usize) -> Self;
    fn get(self) -> usize;
}

macro_rules! set_id {
    ($($t:ty),*) => {$(
        impl SetId for $t {
            const LIMIT: usize = 1 << <$t>::BITS;
            #[inline(always)]
            fn new(s: usize) -> $t {
                s as $t
            }
            #[inline(always)]
            fn get(self) -> usize {
                self as usize
            }
        }
    )*};
}
set_id!(u16, u32);

/// The greedy's heap of candidates for `k` seeds over `m` indexed nodes: 4,096 keeps refills
/// rare; with few indexed nodes a quarter of them does as well and costs less than the index's
/// other arrays; never fewer than 4k.
fn heap_cap(k: usize, m: usize) -> usize {
    (4 * k).max(4096.min(m / 4))
}

/// What the greedy has left to cover, and what each node would still gain.
struct Uncovered<'a, S: SetId> {
    sets: &'a RrSets,
    index: &'a Index,
    /// The sets of two nodes or more that hold indexed node `v`: `member[starts[v]..starts[v + 1]]`.
    starts: &'a [u32],
    member: &'a [S],
    /// A bit per set of two nodes or more: covered.
    done: Vec<u64>,
    /// Sets not yet covered that hold each indexed node (of both kinds).
    degree: Vec<u32>,
    covered: u64,
    /// Entries of nodes outside the index in sets not yet covered: each such node gains one set.
    loose: u64,
}

impl<S: SetId> Uncovered<'_, S> {
    fn is_done(&self, s: usize) -> bool {
        self.done[s >> 6] & (1 << (s & 63)) != 0
    }

    /// Covers set `s` of two nodes or more.
    fn cover_set(&mut self, s: usize) {
        if self.is_done(s) {
            return;
        }
        self.done[s >> 6] |= 1 << (s & 63);
        self.covered += 1;
        for &w in self.sets.set(s) {
            match self.index.of(w) {
                Some(x) => self.degree[x] -= 1,
                None => self.loose -= 1,
            }
        }
    }

    /// Covers every set of indexed node `v`: those of two nodes or more, then its one-node sets,
    /// which are what its gain still counts (no other node covers them).
    fn cover_node(&mut self, v: usize) {
        for i in self.starts[v] as usize..self.starts[v + 1] as usize {
            self.cover_set(self.member[i].get());
        }
        self.covered += u64::from(self.degree[v]);
        self.degree[v] = 0;
    }

    /// Covers the one-node set of `u`, not yet covered.
    fn cover_single(&mut self, u: u32) {
        match self.index.of(u) {
            Some(x) => self.cover_node(x),
            None => {
                self.covered += 1;
                self.loose -= 1;
            }
        }
    }

    /// Sets covered plus the `k` largest gains: a bound on what any `k` nodes cover.
    fn bound(&self, k: usize) -> f64 {
        (self.covered + top_sum(&self.degree, k, self.loose)) as f64
    }

    /// When every node gains one set at most: the `r` lowest of the lowest ids of the sets not
    /// yet covered, increasing, each with its set (`u32::MAX`: the node's one-node set). Such a
    /// set's lowest id is in no other set not yet covered, so taking it covers that set alone,
    /// and the greedy (ties to the lower id) takes exactly these in this order.
    fn lowest(&self, r: usize) -> Vec<(u32, u32)> {
        let multi = (0..self.sets.multi())
            .filter(|&s| !self.is_done(s))
            .filter_map(|s| self.sets.set(s).iter().min().map(|&u| (u, s as u32)));
        // An indexed node's one-node set is covered once the node is taken (its gain 0); a node
        // outside the index is taken only from here on.
        let single = self
            .sets
            .single
            .iter()
            .filter(|&&u| self.index.of(u).is_none_or(|x| self.degree[x] > 0))
            .map(|&u| (u, u32::MAX));
        // The largest of the reversed: the lowest, increasing once sorted.
        let (keep, _) = largest(multi.chain(single).map(Reverse), r, r);
        keep.into_sorted_vec().into_iter().map(|x| x.0.0).collect()
    }
}

/// Chooses `k` of the `n` nodes greedily: each time the node in the most sets not yet covered
/// (ties: the lower id). When no node covers anything more, the lowest ids not yet chosen fill the
/// rest (their gain is zero).
///
/// The sets of one collection number less than 2^32, and so do their entries (`select` refuses
/// more): positions are `u32`, set ids `u32`, or `u16` when they fit.
pub(crate) fn greedy(sets: &RrSets, n: usize, k: usize) -> Greedy {
    let index = Index::new(sets, n);
    let cap = heap_cap(k, index.m);
    if sets.multi() <= u16::LIMIT {
        greedy_by::<u16>(sets, index, k, cap)
    } else {
        greedy_by::<u32>(sets, index, k, cap)
    }
}

/// [`greedy`] with set ids of type `S` (every set id of two nodes or more must fit) and at most
/// `cap` nodes in its heap at a time.
fn greedy_by<S: SetId>(sets: &RrSets, index: Index, k: usize, cap: usize) -> Greedy {
    assert!(sets.multi() <= S::LIMIT, "set ids fit");
    let m = index.m;
    // Which sets of two nodes or more hold each indexed node: counts, then a counting sort of
    // the set ids by node.
    let mut starts = vec![0u32; m + 1];
    for &u in &sets.nodes {
        if let Some(v) = index.of(u) {
            starts[v + 1] += 1;
        }
    }
    for v in 0..m {
        starts[v + 1] += starts[v];
    }
    let indexed = starts[m] as usize;
    let mut member = vec![S::default(); indexed];
    // `starts[v + 1]` is where node v's run ends; filled backwards from there, it ends where it
    // began, so no second array of positions is needed.
    for s in (0..sets.multi()).rev() {
        for &u in sets.set(s).iter().rev() {
            if let Some(v) = index.of(u) {
                starts[v + 1] -= 1;
                member[starts[v + 1] as usize] = S::new(s);
            }
        }
    }
    // Each run now begins at `starts[v + 1]`; shift back to `starts[v]..starts[v + 1]`.
    starts.copy_within(1..=m, 0);
    starts[m] = indexed as u32;
    let mut degree: Vec<u32> = starts.windows(2).map(|w| w[1] - w[0]).collect();
    let mut in_single = 0;
    for &u in &sets.single {
        if let Some(v) = index.of(u) {
            degree[v] += 1;
            in_single += 1;
        }
    }
    let mut top = Top::fill(&degree, cap);
    let mut left = Uncovered {
        sets,
        index: &index,
        starts: &starts,
        member: &member,
        done: vec![0u64; sets.multi().div_ceil(64)],
        degree,
        covered: 0,
        loose: (sets.entries() - indexed - in_single) as u64,
    };
    let index_bytes = index.built_bytes.max(
        index.bytes()
            + left.degree.capacity() * 4
            + starts.capacity() * 4
            + member.capacity() * size_of::<S>()
            + top.cap.min(m) * 8
            + left.done.capacity() * 8,
    );
    let mut seeds = Vec::with_capacity(k);
    let mut best_upper = f64::INFINITY;
    let every = (k / 8).max(1);
    let mut step = 0;
    // While some node gains two sets or more.
    while step < k {
        if step % every == 0 {
            best_upper = best_upper.min(left.bound(k));
        }
        let Some(v) = top.pick(&left.degree) else {
            break;
        };
        seeds.push(index.id(v));
        left.cover_node(v);
        step += 1;
    }
    drop(top);
    // Then every node gains one set or none.
    let mut picks = if step < k {
        left.lowest(k - step).into_iter()
    } else {
        Vec::new().into_iter()
    };
    let mut filler = 0u32;
    while step < k {
        if step % every == 0 {
            best_upper = best_upper.min(left.bound(k));
        }
        match picks.next() {
            Some((u, u32::MAX)) => {
                seeds.push(u);
                left.cover_single(u);
            }
            Some((u, s)) => {
                seeds.push(u);
                left.cover_set(s as usize);
            }
            None => {
                // No node covers anything more: the lowest ids not yet chosen (gain zero).
                while seeds.contains(&filler) {
                    filler += 1;
                }
                seeds.push(filler);
            }
        }
        step += 1;
    }
    best_upper = best_upper.min(left.bound(k));
    let covered = left.covered;
    let kf = k as f64;
    best_upper = best_upper.min(covered as f64 / (1.0 - (1.0 - 1.0 / kf).powf(kf)));
    Greedy {
        seeds,
        covered,
        best_upper,
        index_bytes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng;

    /// Sets of 1 to `longest` nodes drawn from `0..ids` (fewer when a node repeats).
    fn random_sets(seed: u64, sets: usize, ids: u32, longest: u64) -> RrSets {
        let mut rng = rng::stream(seed, 0);
        let mut out = RrSets::new(0, 0);
        for _ in 0..sets {
            let len = 1 + rng::below(&mut rng, longest);
            let mut set: Vec<u32> = (0..len)
                .map(|_| rng::below(&mut rng, ids as u64) as u32)
                .collect();
            set.sort_unstable();
            set.dedup();
            if set.len() == 1 {
                out.single.push(set[0]);
            } else {
                out.nodes.extend_from_slice(&set);
                out.starts.push(out.nodes.len() as u32);
            }
        }
        out
    }

    /// The greedy by full scans: each step the node in most uncovered sets, ties to the lower id;
    /// and the bound on the best coverage from the `k` largest gains, taken as `greedy` takes it.
    fn by_scan(sets: &RrSets, n: usize, k: usize) -> (Vec<u32>, u64, f64) {
        let sets: Vec<&[u32]> = sets.all();
        let mut done = vec![false; sets.len()];
        let mut chosen = vec![false; n];
        let (mut seeds, mut covered) = (Vec::new(), 0);
        let mut upper = f64::INFINITY;
        let gains = |done: &[bool]| {
            let mut gain = vec![0u64; n];
            for s in (0..sets.len()).filter(|&s| !done[s]) {
                for &u in sets[s] {
                    gain[u as usize] += 1;
                }
            }
            gain
        };
        let top = |gain: &[u64]| {
            let mut g: Vec<u64> = gain.iter().copied().filter(|&x| x > 0).collect();
            g.sort_unstable_by(|a, b| b.cmp(a));
            g[..k.min(g.len())].iter().sum::<u64>()
        };
        for step in 0..k {
            let gain = gains(&done);
            if step % (k / 8).max(1) == 0 {
                upper = upper.min((covered + top(&gain)) as f64);
            }
            let best = (0..n)
                .filter(|&u| !chosen[u])
                .max_by_key(|&u| (gain[u], Reverse(u)))
                .unwrap();
            chosen[best] = true;
            seeds.push(best as u32);
            for s in 0..sets.len() {
                if !done[s] && sets[s].contains(&(best as u32)) {
                    done[s] = true;
                    covered += 1;
                }
            }
        }
        upper = upper.min((covered + top(&gains(&done))) as f64);
        let kf = k as f64;
        upper = upper.min(covered as f64 / (1.0 - (1.0 - 1.0 / kf).powf(kf)));
        (seeds, covered, upper)
    }

    #[test]
    fn both_indexes_pick_as_a_full_scan_does() {
        let mut searched = 0;
        for seed in 0..20 {
            // 400 sets over 30 ids (about 1,200 entries: every node in many sets) and over 3,000
            // ids (most nodes in one set or none, so the greedy soon picks by ones); sets of up to
            // 5 nodes, or of 1 or 2 (most of one node, as with small chances). Graphs of `ids`
            // and 10,000 nodes take the bits, 50,000 the search; heaps of 4,096 nodes hold every
            // candidate, the default's (4k here) most, of 1 or 3 they are filled again and again;
            // set ids of 16 and 32 bits; the seeds differ only when no node gains (fill by
            // lowest id).
            for (ids, longest) in [(30, 5), (3_000, 5), (30, 2), (3_000, 2)] {
                let sets = random_sets(seed, 400, ids, longest);
                for (n, k) in [
                    (ids as usize, 5),
                    (ids as usize, 30),
                    (10_000, 5),
                    (50_000, 40),
                ] {
                    let index = Index::new(&sets, n);
                    searched += matches!(index.lookup, Lookup::Sorted(_)) as u32;
                    for v in 0..index.m {
                        assert_eq!(index.of(index.id(v)), Some(v));
                    }
                    let (seeds, covered, upper) = by_scan(&sets, n, k);
                    let heap = heap_cap(k, index.m);
                    for cap in [4096, heap, 3, 1] {
                        for (wide, g) in [
                            (false, greedy_by::<u16>(&sets, Index::new(&sets, n), k, cap)),
                            (true, greedy_by::<u32>(&sets, Index::new(&sets, n), k, cap)),
                        ] {
                            let at =
                                format!("seed {seed} ids {ids} n {n} k {k} cap {cap} u32 {wide}");
                            assert_eq!(g.seeds, seeds, "{at}");
                            assert_eq!(g.covered, covered, "{at}");
                            assert_eq!(g.best_upper, upper, "{at}");
                            assert!(g.index_bytes > 0);
                        }
                    }
                }
            }
        }
        assert!(searched > 0 && searched < 20 * 16, "both look-ups tried");
    }

    /// A collection of at most 2^16 sets of two nodes or more keeps the index's set ids in two
    /// bytes: the same choice as with four, in fewer bytes.
    #[test]
    fn few_sets_keep_their_ids_in_two_bytes() {
        let sets = random_sets(5, 2_000, 100, 6);
        let narrow = greedy(&sets, 100, 5);
        let index = Index::new(&sets, 100);
        let cap = heap_cap(5, index.m);
        let wide = greedy_by::<u32>(&sets, index, 5, cap);
        assert_eq!(narrow.seeds, wide.seeds);
        assert_eq!(narrow.covered, wide.covered);
        assert!(
            narrow.index_bytes < wide.index_bytes,
            "{} against {}",
            narrow.index_bytes,
            wide.index_bytes
        );
    }

    #[test]
    fn the_index_is_over_the_nodes_in_sets_not_the_graph() {
        let sets = random_sets(7, 100, 50, 5);
        let small = greedy(&sets, 100_000, 3).index_bytes;
        let large = greedy(&sets, 50_000_000, 3).index_bytes;
        // No per-node array of the graph's size: the same bytes for 10^5 or 5 · 10^7 nodes,
        // when the entries are too few for a bit per node.
        assert_eq!(small, large);
    }
}

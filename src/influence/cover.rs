//! Greedy maximum coverage over RR sets, with the upper bound on the best coverage that the
//! greedy run itself proves.
//!
//! The index is over the nodes that occur in at least two sets, not over the whole graph: with
//! small RR sets on a large graph (the weighted cascade on a million nodes) most nodes are in no
//! set and most of the rest in one, and per-node arrays would outweigh the sets themselves. A node
//! in one set gains at most one set, so it matters only once no indexed node gains two or more;
//! from then on the greedy picks, each step, the lowest id in a set not yet covered, found by a
//! scan of the sets.

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
    /// A table over the whole graph (`u32::MAX`: not indexed), when the graph is small beside
    /// the entries; otherwise a binary search in `ids`.
    table: Option<Vec<u32>>,
    /// Graph id of each local id, increasing.
    ids: Vec<u32>,
    /// The most bytes held while the index was built.
    built_bytes: usize,
}

impl Index {
    fn new(sets: &RrSets, n: usize) -> Index {
        let entries = sets.nodes.len();
        // The table costs 4 bytes per graph node, the search a sorted copy of the entries while
        // it is built (4 bytes per entry) and a binary search per look-up: the table whenever it
        // is the smaller.
        if n <= entries {
            let mut table = vec![0u32; n];
            for &u in &sets.nodes {
                table[u as usize] = table[u as usize].saturating_add(1);
            }
            let mut ids = Vec::new();
            for (u, t) in table.iter_mut().enumerate() {
                if *t >= 2 {
                    *t = ids.len() as u32;
                    ids.push(u as u32);
                } else {
                    *t = u32::MAX;
                }
            }
            let built_bytes = n * 4 + ids.capacity() * 4;
            Index {
                table: Some(table),
                ids,
                built_bytes,
            }
        } else {
            let mut sorted = sets.nodes.clone();
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
                table: None,
                ids,
                built_bytes,
            }
        }
    }

    /// The local id of graph node `u`, if it is in two sets or more.
    #[inline]
    fn of(&self, u: u32) -> Option<usize> {
        match &self.table {
            Some(t) => {
                let v = t[u as usize];
                (v != u32::MAX).then_some(v as usize)
            }
            None => self.ids.binary_search(&u).ok(),
        }
    }

    fn bytes(&self) -> usize {
        self.ids.capacity() * 4 + self.table.as_ref().map_or(0, |t| t.len() * 4)
    }
}

/// The sum of the `k` largest marginal coverages: of the indexed nodes' `degree` and of `loose`
/// nodes outside the index that still gain one set each.
fn top_sum(degree: &[u32], k: usize, loose: u64) -> u64 {
    let mut heap: BinaryHeap<Reverse<u32>> = BinaryHeap::with_capacity(k + 1);
    for &x in degree.iter().filter(|&&x| x > 0) {
        if heap.len() < k {
            heap.push(Reverse(x));
        } else if x > heap.peek().map_or(0, |r| r.0) {
            heap.pop();
            heap.push(Reverse(x));
        }
    }
    let short = (k - heap.len()) as u64;
    heap.into_iter().map(|r| r.0 as u64).sum::<u64>() + short.min(loose)
}

/// What the greedy has left to cover, and what each node would still gain.
struct Uncovered<'a> {
    sets: &'a RrSets,
    index: &'a Index,
    /// The sets of indexed node `v`: `member[starts[v]..starts[v + 1]]`.
    starts: &'a [u32],
    member: &'a [u32],
    done: Vec<bool>,
    /// Sets not yet covered that hold each indexed node.
    degree: Vec<u32>,
    covered: u64,
    /// Entries of nodes outside the index in sets not yet covered: each such node gains one set.
    loose: u64,
}

impl Uncovered<'_> {
    fn cover_set(&mut self, s: usize) {
        if self.done[s] {
            return;
        }
        self.done[s] = true;
        self.covered += 1;
        for &w in self.sets.set(s) {
            match self.index.of(w) {
                Some(x) => self.degree[x] -= 1,
                None => self.loose -= 1,
            }
        }
    }

    /// Covers every set of indexed node `v`.
    fn cover_node(&mut self, v: usize) {
        for i in self.starts[v] as usize..self.starts[v + 1] as usize {
            self.cover_set(self.member[i] as usize);
        }
    }

    /// Sets covered plus the `k` largest gains: a bound on what any `k` nodes cover.
    fn bound(&self, k: usize) -> f64 {
        (self.covered + top_sum(&self.degree, k, self.loose)) as f64
    }
}

/// Chooses `k` of the `n` nodes greedily: each time the node in the most sets not yet covered
/// (ties: the lower id). When no node covers anything more, the lowest ids not yet chosen fill the
/// rest (their gain is zero).
///
/// The sets of one collection number less than 2^32, and so do their entries (`select` refuses
/// more): set ids and positions are `u32`.
pub(crate) fn greedy(sets: &RrSets, n: usize, k: usize) -> Greedy {
    let index = Index::new(sets, n);
    let m = index.ids.len();
    // Which sets hold each indexed node: counts, then a counting sort of the set ids by node.
    let mut degree = vec![0u32; m];
    for &u in &sets.nodes {
        if let Some(v) = index.of(u) {
            degree[v] += 1;
        }
    }
    let mut starts = vec![0u32; m + 1];
    for v in 0..m {
        starts[v + 1] = starts[v] + degree[v];
    }
    let indexed = starts[m] as usize;
    let mut member = vec![0u32; indexed];
    // `starts[v + 1]` is where node v's run ends; filled backwards from there, it ends where it
    // began, so no second array of positions is needed.
    for s in (0..sets.len()).rev() {
        for &u in sets.set(s).iter().rev() {
            if let Some(v) = index.of(u) {
                starts[v + 1] -= 1;
                member[starts[v + 1] as usize] = s as u32;
            }
        }
    }
    // Each run now begins at `starts[v + 1]`; shift back to `starts[v]..starts[v + 1]`.
    starts.copy_within(1..=m, 0);
    starts[m] = indexed as u32;
    // A lazy max-heap over the local ids, by (coverage, lower id): an entry whose coverage has
    // dropped since it was pushed goes back with the new one, so the first current entry on top
    // is the node a full scan would pick among the indexed ones.
    let mut heap: BinaryHeap<(u32, Reverse<u32>)> = (0..m as u32)
        .map(|v| (degree[v as usize], Reverse(v)))
        .collect();
    let mut left = Uncovered {
        sets,
        index: &index,
        starts: &starts,
        member: &member,
        done: vec![false; sets.len()],
        degree,
        covered: 0,
        loose: (sets.nodes.len() - indexed) as u64,
    };
    let index_bytes = index.built_bytes.max(
        index.bytes()
            + left.degree.capacity() * 4
            + starts.capacity() * 4
            + member.capacity() * 4
            + heap.capacity() * 8
            + left.done.capacity(),
    );
    let mut seeds = Vec::with_capacity(k);
    let mut best_upper = f64::INFINITY;
    let mut filler = 0u32;
    // Once no indexed node gains two sets, every node gains one or none.
    let mut by_ones = false;
    let every = (k / 8).max(1);
    for step in 0..k {
        if step % every == 0 {
            best_upper = best_upper.min(left.bound(k));
        }
        if !by_ones {
            let mut pick = None;
            while let Some((d, Reverse(v))) = heap.pop() {
                let now = left.degree[v as usize];
                if now < 2 {
                    continue; // it gains one set at most: the scan below finds it if needed
                }
                if now == d {
                    pick = Some(v as usize);
                    break;
                }
                heap.push((now, Reverse(v)));
            }
            if let Some(v) = pick {
                seeds.push(index.ids[v]);
                left.cover_node(v);
                continue;
            }
            by_ones = true;
            heap = BinaryHeap::new();
        }
        // Every node gains at most one set: the lowest id in a set not yet covered. A node
        // chosen before is in no such set.
        let lowest = (0..sets.len())
            .filter(|&s| !left.done[s])
            .filter_map(|s| sets.set(s).iter().min().map(|&u| (u, s)))
            .min();
        let Some((u, s)) = lowest else {
            // No node covers anything more: the lowest ids not yet chosen (gain zero).
            while seeds.contains(&filler) {
                filler += 1;
            }
            seeds.push(filler);
            continue;
        };
        seeds.push(u);
        match index.of(u) {
            Some(v) => left.cover_node(v),
            None => left.cover_set(s),
        }
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

    fn random_sets(seed: u64, sets: usize, ids: u32) -> RrSets {
        let mut rng = rng::stream(seed, 0);
        let mut out = RrSets::new(0, 0);
        for _ in 0..sets {
            let len = 1 + rng::below(&mut rng, 5);
            let mut set: Vec<u32> = (0..len)
                .map(|_| rng::below(&mut rng, ids as u64) as u32)
                .collect();
            set.sort_unstable();
            set.dedup();
            out.nodes.extend_from_slice(&set);
            out.starts.push(out.nodes.len() as u32);
        }
        out
    }

    /// The greedy by full scans: each step the node in most uncovered sets, ties to the lower id;
    /// and the bound on the best coverage from the `k` largest gains, taken as `greedy` takes it.
    fn by_scan(sets: &RrSets, n: usize, k: usize) -> (Vec<u32>, u64, f64) {
        let mut done = vec![false; sets.len()];
        let (mut seeds, mut covered) = (Vec::new(), 0);
        let mut upper = f64::INFINITY;
        let gains = |done: &[bool]| {
            let mut gain = vec![0u64; n];
            for s in (0..sets.len()).filter(|&s| !done[s]) {
                for &u in sets.set(s) {
                    gain[u as usize] += 1;
                }
            }
            gain
        };
        let top = |gain: &[u64]| {
            let mut g = gain.to_vec();
            g.sort_unstable_by(|a, b| b.cmp(a));
            g[..k.min(n)].iter().sum::<u64>()
        };
        for step in 0..k {
            let gain = gains(&done);
            if step % (k / 8).max(1) == 0 {
                upper = upper.min((covered + top(&gain)) as f64);
            }
            let best = (0..n)
                .filter(|u| !seeds.contains(&(*u as u32)))
                .max_by_key(|&u| (gain[u], Reverse(u)))
                .unwrap();
            seeds.push(best as u32);
            for s in 0..sets.len() {
                if !done[s] && sets.set(s).contains(&(best as u32)) {
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
        for seed in 0..20 {
            // 400 sets over 30 ids (about 1,200 entries: every node in many sets) and over 3,000
            // ids (most nodes in one set or none, so the greedy soon picks by ones); 30 nodes take
            // the table, 10,000 the search (as 3,000 do); the seeds differ only when no node
            // gains (fill by lowest id).
            for ids in [30, 3_000] {
                let sets = random_sets(seed, 400, ids);
                for (n, k) in [
                    (ids as usize, 5),
                    (ids as usize, 30),
                    (10_000, 5),
                    (10_000, 40),
                ] {
                    let g = greedy(&sets, n, k);
                    let (seeds, covered, upper) = by_scan(&sets, n, k);
                    assert_eq!(g.seeds, seeds, "seed {seed} ids {ids} n {n} k {k}");
                    assert_eq!(g.covered, covered);
                    assert_eq!(g.best_upper, upper);
                    assert!(g.index_bytes > 0);
                }
            }
        }
    }

    #[test]
    fn the_index_is_over_the_nodes_in_sets_not_the_graph() {
        let sets = random_sets(7, 100, 50);
        let small = greedy(&sets, 1_000, 3).index_bytes;
        let large = greedy(&sets, 50_000_000, 3).index_bytes;
        // No per-node array of the graph's size: the same bytes for a thousand or 50 million
        // nodes, when the entries are too few for a table.
        assert_eq!(small, large);
    }
}

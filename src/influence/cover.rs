//! Greedy maximum coverage over RR sets, with the upper bound on the best coverage that the
//! greedy run itself proves.

use super::rr::RrSets;

/// The greedy choice on one collection of RR sets.
pub(crate) struct Greedy {
    /// Chosen nodes, in the order chosen.
    pub(crate) seeds: Vec<u32>,
    /// An upper bound on the sets any `k` nodes cover: the least, over the greedy's steps, of the
    /// sets covered so far plus the `k` largest marginal coverages then (submodularity), and the
    /// greedy's own (1 − (1 − 1/k)^k) bound.
    pub(crate) best_upper: f64,
}

/// The sum of the `k` largest values.
fn top_sum(values: &[u32], k: usize) -> u64 {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let mut heap: BinaryHeap<Reverse<u32>> = BinaryHeap::with_capacity(k + 1);
    for &x in values {
        if heap.len() < k {
            heap.push(Reverse(x));
        } else if x > heap.peek().map_or(0, |r| r.0) {
            heap.pop();
            heap.push(Reverse(x));
        }
    }
    heap.into_iter().map(|r| r.0 as u64).sum()
}

/// Chooses `k` of the `n` nodes greedily: each time the node in the most sets not yet covered
/// (ties: the lower id). When no node covers anything more, the lowest ids not yet chosen fill the
/// rest (their gain is zero).
pub(crate) fn greedy(sets: &RrSets, n: usize, k: usize) -> Greedy {
    // Which sets hold each node: counts, then a counting sort of the set ids by node.
    let mut degree = vec![0u32; n];
    for &u in &sets.nodes {
        degree[u as usize] += 1;
    }
    let mut starts = vec![0u64; n + 1];
    for u in 0..n {
        starts[u + 1] = starts[u] + degree[u] as u64;
    }
    let mut at: Vec<u64> = starts[..n].to_vec();
    let mut member = vec![0u32; sets.nodes.len()];
    for s in 0..sets.len() {
        for &u in sets.set(s) {
            member[at[u as usize] as usize] = s as u32;
            at[u as usize] += 1;
        }
    }
    drop(at);
    let mut done = vec![false; sets.len()];
    let mut chosen = vec![false; n];
    let mut seeds = Vec::with_capacity(k);
    let mut covered = 0u64;
    let mut best_upper = f64::INFINITY;
    let every = (k / 8).max(1);
    for step in 0..k {
        if step % every == 0 {
            best_upper = best_upper.min((covered + top_sum(&degree, k)) as f64);
        }
        let (mut u, mut best) = (0usize, 0u32);
        for (v, &d) in degree.iter().enumerate() {
            if d > best {
                (u, best) = (v, d);
            }
        }
        if best == 0 {
            u = chosen.iter().position(|c| !c).expect("k <= n");
        }
        chosen[u] = true;
        seeds.push(u as u32);
        for &s in &member[starts[u] as usize..starts[u + 1] as usize] {
            if !done[s as usize] {
                done[s as usize] = true;
                covered += 1;
                for &w in sets.set(s as usize) {
                    degree[w as usize] -= 1;
                }
            }
        }
    }
    best_upper = best_upper.min((covered + top_sum(&degree, k)) as f64);
    let kf = k as f64;
    best_upper = best_upper.min(covered as f64 / (1.0 - (1.0 - 1.0 / kf).powf(kf)));
    Greedy { seeds, best_upper }
}

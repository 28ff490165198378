//! Greedy maximum coverage over RR sets, with the upper bound on the best coverage that the
//! greedy run itself proves.

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
}

/// The sum of the `k` largest of `degree[u]` over `nodes`.
fn top_sum(degree: &[u32], nodes: &[u32], k: usize) -> u64 {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let mut heap: BinaryHeap<Reverse<u32>> = BinaryHeap::with_capacity(k + 1);
    for &u in nodes {
        let x = degree[u as usize];
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
    // Only nodes in some set can gain; a lazy max-heap over them, by (coverage, lower id): an
    // entry whose coverage has dropped since it was pushed goes back with the new one, so the
    // first current entry on top is the node a full scan would pick.
    let nodes: Vec<u32> = (0..n as u32).filter(|&u| degree[u as usize] > 0).collect();
    let mut heap: std::collections::BinaryHeap<(u32, std::cmp::Reverse<u32>)> = nodes
        .iter()
        .map(|&u| (degree[u as usize], std::cmp::Reverse(u)))
        .collect();
    let mut done = vec![false; sets.len()];
    let mut chosen = vec![false; n];
    let mut seeds = Vec::with_capacity(k);
    let mut covered = 0u64;
    let mut best_upper = f64::INFINITY;
    let every = (k / 8).max(1);
    for step in 0..k {
        if step % every == 0 {
            best_upper = best_upper.min((covered + top_sum(&degree, &nodes, k)) as f64);
        }
        let mut pick = None;
        while let Some((d, std::cmp::Reverse(u))) = heap.pop() {
            let now = degree[u as usize];
            if now == 0 {
                continue;
            }
            if now == d {
                pick = Some(u as usize);
                break;
            }
            heap.push((now, std::cmp::Reverse(u)));
        }
        // When no node covers anything more, the lowest ids not yet chosen (gain zero).
        let u = pick.unwrap_or_else(|| chosen.iter().position(|c| !c).expect("k <= n"));
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
    best_upper = best_upper.min((covered + top_sum(&degree, &nodes, k)) as f64);
    let kf = k as f64;
    best_upper = best_upper.min(covered as f64 / (1.0 - (1.0 - 1.0 / kf).powf(kf)));
    Greedy {
        seeds,
        covered,
        best_upper,
    }
}

//! Who adopts first: the seed nodes and their start hours.

use super::monte_carlo::SeedPlan;
use crate::graph::Graph;
use crate::rng;
use crate::{Error, Result};

/// How seeds are chosen.
#[derive(Clone, Debug, PartialEq)]
pub enum SeedSpec {
    /// The `k` nodes of highest out-degree, ties broken by the lower node id.
    TopDegree(usize),
    /// `k` distinct nodes drawn uniformly, once, from the user seed (the same set in every run).
    Random(usize),
    /// `k` distinct nodes drawn uniformly afresh in every run.
    RandomPerRun(usize),
    /// Explicit `(node, start hour)` pairs (dense ids; see `graph::load::load_seed_file`).
    Nodes(Vec<(u32, f64)>),
    /// A seed file, resolved by the caller that reads files.
    File(String),
    /// The `k` nodes that reach the most people within the horizon, chosen by RR sets with the
    /// (1 − 1/e − ε) guarantee (see `influence::select`); resolved by the caller, which has the
    /// model.
    Best { k: usize, eps: f64 },
}

/// The `k` nodes of highest out-degree, ties broken by the lower id, in that order: one pass over
/// the nodes in id order keeping the best `k` in a heap whose top is the worst kept (lowest
/// degree, then highest id), so a node enters only if its degree beats that one's.
fn top_degree(graph: &Graph, k: usize) -> Vec<u32> {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let n = graph.node_count();
    let k = k.min(n);
    if k == 0 {
        return Vec::new();
    }
    let mut heap: BinaryHeap<Reverse<(usize, Reverse<u32>)>> = BinaryHeap::with_capacity(k + 1);
    for u in 0..n as u32 {
        let d = graph.degree(u);
        if heap.len() < k {
            heap.push(Reverse((d, Reverse(u))));
        } else if d > heap.peek().map_or(0, |w| w.0.0) {
            heap.pop();
            heap.push(Reverse((d, Reverse(u))));
        }
    }
    // Ascending by (degree, reversed id) → reverse to get highest degree, then lowest id, first.
    let mut kept: Vec<(usize, Reverse<u32>)> = heap.into_iter().map(|r| r.0).collect();
    kept.sort_unstable_by(|a, b| b.cmp(a));
    kept.into_iter().map(|(_, Reverse(u))| u).collect()
}

impl SeedSpec {
    /// Help text for `--seeds`.
    pub const HELP: &'static str = "top-degree:K | random:K | random-per-run:K | best:K[,EPS] (the K who reach the most within the horizon) | file:PATH (original ids, optional start hour per line)";

    /// Parses `top-degree:K`, `random:K` or `file:PATH`.
    pub fn parse(s: &str) -> Result<SeedSpec> {
        let bad = |msg: &str| Error::invalid("--seeds", s, msg);
        let (kind, arg) = s
            .split_once(':')
            .ok_or_else(|| bad(&format!("expected {}", Self::HELP)))?;
        let k = || -> Result<usize> {
            match arg.trim().parse::<usize>() {
                Ok(k) if k > 0 => Ok(k),
                _ => Err(bad("K must be a positive whole number")),
            }
        };
        match kind.trim().to_ascii_lowercase().as_str() {
            "top-degree" | "top" | "degree" => Ok(SeedSpec::TopDegree(k()?)),
            "random" => Ok(SeedSpec::Random(k()?)),
            "random-per-run" => Ok(SeedSpec::RandomPerRun(k()?)),
            "file" => Ok(SeedSpec::File(arg.to_string())),
            "best" => {
                let (k_text, eps) = match arg.split_once(',') {
                    Some((k, e)) => match e.trim().parse::<f64>() {
                        Ok(e) if e > 0.0 && e < 1.0 => (k, e),
                        _ => return Err(bad("EPS must be a number in (0, 1)")),
                    },
                    None => (arg, 0.1),
                };
                match k_text.trim().parse::<usize>() {
                    Ok(k) if k > 0 => Ok(SeedSpec::Best { k, eps }),
                    _ => Err(bad("K must be a positive whole number")),
                }
            }
            _ => Err(bad(&format!("unknown seed rule; expected {}", Self::HELP))),
        }
    }

    /// Who starts each run on `graph`: fixed nodes (see [`SeedSpec::resolve`]) or nodes drawn in
    /// every run.
    ///
    /// # Errors
    /// As [`SeedSpec::resolve`].
    pub fn plan(&self, graph: &Graph, seed: u64) -> Result<SeedPlan> {
        match self {
            SeedSpec::RandomPerRun(k) if *k > graph.node_count() => Err(Error::invalid(
                "--seeds",
                self.to_string(),
                format!(
                    "K = {k} is more than the {} nodes of the graph",
                    graph.node_count()
                ),
            )),
            SeedSpec::RandomPerRun(k) => Ok(SeedPlan::PerRun(*k)),
            other => other.resolve(graph, seed).map(SeedPlan::Fixed),
        }
    }

    /// The seed nodes and start hours on `graph`; random choices come from the stream reserved for
    /// seed selection of `seed`.
    ///
    /// # Errors
    /// More seeds than nodes, listed nodes outside the graph, a seed file (the caller reads it), or
    /// seeds drawn per run (see [`SeedSpec::plan`]).
    pub fn resolve(&self, graph: &Graph, seed: u64) -> Result<Vec<(u32, f64)>> {
        let n = graph.node_count();
        let too_many = |k: usize| {
            Error::invalid(
                "--seeds",
                self.to_string(),
                format!("K = {k} is more than the {n} nodes of the graph"),
            )
        };
        match self {
            SeedSpec::TopDegree(k) => {
                if *k > n {
                    return Err(too_many(*k));
                }
                Ok(top_degree(graph, *k)
                    .into_iter()
                    .map(|u| (u, 0.0))
                    .collect())
            }
            SeedSpec::Random(k) => {
                if *k > n {
                    return Err(too_many(*k));
                }
                // Partial Fisher–Yates over 0..n.
                let mut r = rng::stream(seed, rng::purpose::SEED_NODES);
                let mut nodes: Vec<u32> = (0..n as u32).collect();
                for i in 0..*k {
                    let j = i + rng::below(&mut r, (n - i) as u64) as usize;
                    nodes.swap(i, j);
                }
                let mut chosen = nodes[..*k].to_vec();
                chosen.sort_unstable();
                Ok(chosen.into_iter().map(|u| (u, 0.0)).collect())
            }
            SeedSpec::Nodes(v) => {
                if v.is_empty() {
                    return Err(Error::invalid("--seeds", "", "no seed nodes"));
                }
                for &(u, h) in v {
                    if u as usize >= n {
                        return Err(Error::invalid(
                            "--seeds",
                            u.to_string(),
                            "not a node of the graph",
                        ));
                    }
                    if !(h.is_finite() && h >= 0.0) {
                        return Err(Error::invalid(
                            "--seeds",
                            h.to_string(),
                            "start hour must be >= 0",
                        ));
                    }
                }
                Ok(v.clone())
            }
            SeedSpec::RandomPerRun(_) => Err(Error::invalid(
                "--seeds",
                self.to_string(),
                "seeds drawn in every run have no fixed list (use SeedSpec::plan)",
            )),
            SeedSpec::File(p) => Err(Error::invalid(
                "--seeds",
                format!("file:{p}"),
                "seed files are read by graph::load::load_seed_file before simulation",
            )),
            SeedSpec::Best { .. } => Err(Error::invalid(
                "--seeds",
                self.to_string(),
                "the best seeds depend on the model: study::resolve_seeds chooses them",
            )),
        }
    }
}

impl std::fmt::Display for SeedSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SeedSpec::TopDegree(k) => write!(f, "top-degree:{k}"),
            SeedSpec::Random(k) => write!(f, "random:{k}"),
            SeedSpec::RandomPerRun(k) => write!(f, "random-per-run:{k}"),
            SeedSpec::Nodes(v) => write!(f, "{} listed nodes", v.len()),
            SeedSpec::File(p) => write!(f, "file:{p}"),
            SeedSpec::Best { k, eps } if *eps == 0.1 => write!(f, "best:{k}"),
            SeedSpec::Best { k, eps } => write!(f, "best:{k},{eps}"),
        }
    }
}

serde_as_spec!(SeedSpec, SeedSpec::parse);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::EdgeList;
    use proptest::prelude::*;

    proptest! {
        /// The heap scan picks what a full sort by (degree descending, id ascending) picks.
        #[test]
        fn top_degree_matches_a_full_sort(
            n in 1usize..60,
            pairs in proptest::collection::vec((0u32..60, 0u32..60), 0..200),
            k in 1usize..70,
        ) {
            let pairs: Vec<(u32, u32)> = pairs
                .into_iter()
                .map(|(a, b)| (a % n as u32, b % n as u32))
                .collect();
            let g = Graph::from_edges(EdgeList::from_pairs(n, &pairs), false);
            let mut all: Vec<u32> = (0..n as u32).collect();
            all.sort_by_key(|&u| (std::cmp::Reverse(g.degree(u)), u));
            all.truncate(k);
            prop_assert_eq!(top_degree(&g, k), all);
        }
    }
}

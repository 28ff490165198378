//! Who adopts first: the seed nodes and their start hours.

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
    /// Explicit `(node, start hour)` pairs (dense ids; see `graph::load::load_seed_file`).
    Nodes(Vec<(u32, f64)>),
    /// A seed file, resolved by the caller that reads files.
    File(String),
}

impl SeedSpec {
    /// Help text for `--seeds`.
    pub const HELP: &'static str =
        "top-degree:K | random:K | file:PATH (original ids, optional start hour per line)";

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
            "file" => Ok(SeedSpec::File(arg.to_string())),
            _ => Err(bad(&format!("unknown seed rule; expected {}", Self::HELP))),
        }
    }

    /// The seed nodes and start hours on `graph`; random choices come from the stream reserved for
    /// seed selection of `seed`.
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
                // The k smallest (−degree, id) keys: a linear-time selection, then a sort of k.
                let key = |u: u32| (std::cmp::Reverse(graph.degree(u)), u);
                let mut nodes: Vec<u32> = (0..n as u32).collect();
                if *k > 0 && *k < n {
                    nodes.select_nth_unstable_by_key(*k - 1, |&u| key(u));
                }
                nodes.truncate(*k);
                nodes.sort_unstable_by_key(|&u| key(u));
                Ok(nodes.into_iter().map(|u| (u, 0.0)).collect())
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
            SeedSpec::File(p) => Err(Error::invalid(
                "--seeds",
                format!("file:{p}"),
                "seed files are read by graph::load::load_seed_file before simulation",
            )),
        }
    }
}

impl std::fmt::Display for SeedSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SeedSpec::TopDegree(k) => write!(f, "top-degree:{k}"),
            SeedSpec::Random(k) => write!(f, "random:{k}"),
            SeedSpec::Nodes(v) => write!(f, "{} listed nodes", v.len()),
            SeedSpec::File(p) => write!(f, "file:{p}"),
        }
    }
}

serde_as_spec!(SeedSpec, SeedSpec::parse);

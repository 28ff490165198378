//! Degree-preserving random rewiring (Maslov & Sneppen 2002): the random twin of a graph.
//!
//! Two edges `(a, b)` and `(c, d)` are picked at random and swapped to `(a, d)` and `(c, b)`
//! unless that would make a self-loop or a duplicate. Every node keeps its degree; after some ten
//! swaps per edge the clustering and the communities are gone. This is how Centola (2010) built the
//! random networks he compared with his clustered lattices: the same number of neighbours for
//! everyone, none of the redundancy.

use std::collections::HashSet;

use super::{EdgeList, Graph, NodeIds, TieClass};
use crate::rng::{self, Rng};

/// Attempted swaps per edge.
pub const SWAPS_PER_EDGE: usize = 10;

/// How a generated graph is post-processed.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum Rewire {
    /// As generated.
    #[default]
    None,
    /// Rewired into its degree-preserving random twin.
    DegreePreserving,
}

impl Rewire {
    /// The name a scenario or `-p rewire=` gives.
    pub fn name(self) -> &'static str {
        match self {
            Rewire::None => "none",
            Rewire::DegreePreserving => "degree-preserving",
        }
    }

    /// Parses `degree-preserving` or `none`.
    pub fn parse(s: &str) -> Option<Rewire> {
        match s.trim().to_ascii_lowercase().as_str() {
            "degree-preserving" | "maslov-sneppen" => Some(Rewire::DegreePreserving),
            "none" => Some(Rewire::None),
            _ => None,
        }
    }
}

/// The degree-preserving random twin of an undirected `graph`: [`SWAPS_PER_EDGE`] attempted
/// double-edge swaps per edge, drawn from the stream reserved for rewiring of `seed`. A swapped
/// edge is a new, random tie and is labelled weak; an edge never swapped keeps its label and
/// weight. Complexity: O(m) expected.
pub fn degree_preserving(graph: &Graph, seed: u64) -> Graph {
    let mut edges: Vec<(u32, u32, TieClass, Option<f32>)> = graph.edges().collect();
    let m = edges.len();
    let key = |a: u32, b: u32| if a < b { (a, b) } else { (b, a) };
    let mut present: HashSet<(u32, u32)> = edges.iter().map(|e| key(e.0, e.1)).collect();
    let mut r: Rng = rng::stream(seed, rng::purpose::REWIRE);
    if m >= 2 {
        for _ in 0..SWAPS_PER_EDGE * m {
            let i = rng::below(&mut r, m as u64) as usize;
            let j = rng::below(&mut r, m as u64) as usize;
            if i == j {
                continue;
            }
            let (a, b) = (edges[i].0, edges[i].1);
            // Either orientation of the second edge, at random.
            let (c, d) = if rng::below(&mut r, 2) == 0 {
                (edges[j].0, edges[j].1)
            } else {
                (edges[j].1, edges[j].0)
            };
            if a == d || c == b || key(a, d) == key(c, b) {
                continue;
            }
            if present.contains(&key(a, d)) || present.contains(&key(c, b)) {
                continue;
            }
            present.remove(&key(a, b));
            present.remove(&key(c, d));
            present.insert(key(a, d));
            present.insert(key(c, b));
            edges[i] = (a, d, TieClass::Weak, edges[i].3);
            edges[j] = (c, b, TieClass::Weak, edges[j].3);
        }
    }
    let weighted = graph.weights().is_some();
    Graph::from_edges(
        EdgeList {
            n: graph.node_count(),
            src: edges.iter().map(|e| e.0).collect(),
            dst: edges.iter().map(|e| e.1).collect(),
            ties: Some(edges.iter().map(|e| e.2).collect()),
            weights: weighted.then(|| edges.iter().map(|e| e.3.unwrap_or(1.0)).collect()),
            ids: match graph.ids() {
                NodeIds::Range(n) => NodeIds::Range(*n),
                other => other.clone(),
            },
        },
        false,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::generate::Generator;
    use crate::graph::stats::stats;

    #[test]
    fn the_twin_keeps_every_degree_and_loses_the_clustering() {
        let g = Generator::by_name("ws").unwrap().generate(2000, 3).unwrap();
        let t = degree_preserving(&g, 9);
        for u in 0..2000u32 {
            assert_eq!(g.degree(u), t.degree(u), "node {u}");
        }
        let (sg, st) = (stats(&g), stats(&t));
        assert_eq!(
            (st.edges, st.self_loops_dropped, st.duplicates_dropped),
            (sg.edges, 0, 0)
        );
        assert!(
            sg.avg_clustering > 0.5,
            "the lattice is clustered: {}",
            sg.avg_clustering
        );
        assert!(
            st.avg_clustering < 0.02,
            "the twin is not: {}",
            st.avg_clustering
        );
        // Nearly every edge was swapped at least once, so nearly every tie is weak now.
        let (strong, _) = t.tie_split();
        assert!(strong < st.edges / 100, "{strong} strong ties left");
        assert_eq!(t.edge_count(), degree_preserving(&g, 9).edge_count());
        assert_eq!(
            t.targets(),
            degree_preserving(&g, 9).targets(),
            "a function of the seed"
        );
    }
}

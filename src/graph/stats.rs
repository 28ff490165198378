//! Descriptive statistics of a graph: size, degrees, clustering, components, tie split.

use std::borrow::Cow;

use petgraph::unionfind::UnionFind;
use rayon::prelude::*;

use super::Graph;

/// What `hongbao stats` reports. Field names are the JSON keys.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct GraphStats {
    pub nodes: usize,
    /// Edges (undirected) or arcs (directed).
    pub edges: usize,
    pub directed: bool,
    /// Mean out-degree (= mean degree when undirected).
    pub mean_degree: f64,
    pub max_degree: usize,
    /// Mean local clustering coefficient over all nodes (nodes of degree < 2 count 0), on the
    /// undirected view of the graph (Watts & Strogatz 1998).
    pub avg_clustering: f64,
    /// Global transitivity: 3 × triangles / connected triples.
    pub transitivity: f64,
    pub triangles: u64,
    /// Connected components (weakly connected for directed graphs), isolated nodes included.
    pub components: usize,
    pub largest_component: usize,
    pub strong_ties: usize,
    pub weak_ties: usize,
    /// Edges (lines or rows) read from the input, before self-loops and duplicates were dropped.
    pub input_edges: u64,
    pub self_loops_dropped: u64,
    pub duplicates_dropped: u64,
}

/// Computes every statistic. Complexity: O(m^1.5) for triangles (degree-ordered forward algorithm,
/// Latapy 2008), O(m α(n)) for components; parallel over nodes.
pub fn stats(g: &Graph) -> GraphStats {
    let n = g.node_count();
    let (und_targets, und_offsets) = undirected_view(g);
    let (per_node, triangles) = triangle_counts(&und_targets, &und_offsets);
    let mut clustering_sum = 0.0;
    let mut triples = 0u64;
    for u in 0..n {
        let d = und_offsets[u + 1] - und_offsets[u];
        if d >= 2 {
            let pairs = d * (d - 1) / 2;
            triples += pairs;
            clustering_sum += per_node[u] as f64 / pairs as f64;
        }
    }
    let mut uf = UnionFind::<u32>::new(n);
    for u in 0..n as u32 {
        for &v in g.neighbors(u) {
            uf.union(u, v);
        }
    }
    let mut sizes = vec![0usize; n];
    for u in 0..n as u32 {
        sizes[uf.find(u) as usize] += 1;
    }
    let components = sizes.iter().filter(|&&s| s > 0).count();
    let largest = sizes.iter().copied().max().unwrap_or(0);
    let max_degree = (0..n as u32).map(|u| g.degree(u)).max().unwrap_or(0);
    let (strong, weak) = g.tie_split();
    let counts = g.build_counts();
    GraphStats {
        nodes: n,
        edges: g.edge_count(),
        directed: g.is_directed(),
        mean_degree: if n == 0 {
            0.0
        } else {
            g.arc_count() as f64 / n as f64
        },
        max_degree,
        avg_clustering: if n == 0 {
            0.0
        } else {
            clustering_sum / n as f64
        },
        transitivity: if triples == 0 {
            0.0
        } else {
            3.0 * triangles as f64 / triples as f64
        },
        triangles,
        components,
        largest_component: largest,
        strong_ties: strong,
        weak_ties: weak,
        input_edges: counts.input_edges,
        self_loops_dropped: counts.self_loops,
        duplicates_dropped: counts.duplicates,
    }
}

/// Sorted, symmetric neighbour lists (targets, offsets) of the graph with directions forgotten:
/// the graph's own arrays when it is undirected, a new CSR only for a directed graph.
fn undirected_view(g: &Graph) -> (Cow<'_, [u32]>, Cow<'_, [u64]>) {
    let n = g.node_count();
    if !g.is_directed() {
        return (Cow::Borrowed(g.targets()), Cow::Borrowed(g.offsets()));
    }
    let mut lists: Vec<Vec<u32>> = vec![Vec::new(); n];
    for u in 0..n as u32 {
        for &v in g.neighbors(u) {
            lists[u as usize].push(v);
            lists[v as usize].push(u);
        }
    }
    lists.par_iter_mut().for_each(|l| {
        l.sort_unstable();
        l.dedup();
    });
    let mut offsets = Vec::with_capacity(n + 1);
    let mut targets = Vec::new();
    offsets.push(0u64);
    for l in lists {
        targets.extend_from_slice(&l);
        offsets.push(targets.len() as u64);
    }
    (Cow::Owned(targets), Cow::Owned(offsets))
}

/// Triangles through each node, and in total.
pub(crate) fn triangle_counts(targets: &[u32], offsets: &[u64]) -> (Vec<u64>, u64) {
    let n = offsets.len() - 1;
    let deg = |u: usize| (offsets[u + 1] - offsets[u]) as usize;
    // Orient every edge from lower to higher (degree, id) rank; each triangle is then found once.
    let higher = |u: usize, v: usize| (deg(v), v) > (deg(u), u);
    let fwd: Vec<Vec<u32>> = (0..n)
        .into_par_iter()
        .map(|u| {
            targets[offsets[u] as usize..offsets[u + 1] as usize]
                .iter()
                .copied()
                .filter(|&v| higher(u, v as usize))
                .collect()
        })
        .collect();
    use std::sync::atomic::{AtomicU64, Ordering};
    let per: Vec<AtomicU64> = (0..n).map(|_| AtomicU64::new(0)).collect();
    let total: u64 = (0..n)
        .into_par_iter()
        .map(|u| {
            let mut t = 0u64;
            let fu = &fwd[u];
            for &v in fu {
                // Sorted intersection of the forward lists of u and v.
                let fv = &fwd[v as usize];
                let (mut i, mut j) = (0, 0);
                while i < fu.len() && j < fv.len() {
                    match fu[i].cmp(&fv[j]) {
                        std::cmp::Ordering::Less => i += 1,
                        std::cmp::Ordering::Greater => j += 1,
                        std::cmp::Ordering::Equal => {
                            let w = fu[i];
                            per[u].fetch_add(1, Ordering::Relaxed);
                            per[v as usize].fetch_add(1, Ordering::Relaxed);
                            per[w as usize].fetch_add(1, Ordering::Relaxed);
                            t += 1;
                            i += 1;
                            j += 1;
                        }
                    }
                }
            }
            t
        })
        .sum();
    (per.into_iter().map(|a| a.into_inner()).collect(), total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::EdgeList;

    fn graph(n: usize, e: &[(u32, u32)], directed: bool) -> Graph {
        Graph::from_edges(EdgeList::from_pairs(n, e), directed)
    }

    #[test]
    fn triangle_with_a_tail() {
        // 0-1-2 triangle, 2-3 tail, 4 isolated: C = (1 + 1 + 1/3 + 0 + 0) / 5.
        let s = stats(&graph(5, &[(0, 1), (1, 2), (2, 0), (2, 3)], false));
        assert_eq!(s.triangles, 1);
        assert!((s.avg_clustering - (7.0 / 3.0) / 5.0).abs() < 1e-12);
        assert!((s.transitivity - 3.0 / 5.0).abs() < 1e-12);
        assert_eq!(s.components, 2);
        assert_eq!(s.largest_component, 4);
        assert_eq!(s.max_degree, 3);
        assert_eq!(s.edges, 4);
    }

    #[test]
    fn complete_graph_has_clustering_one() {
        let mut e = vec![];
        for i in 0..6u32 {
            for j in i + 1..6 {
                e.push((i, j));
            }
        }
        let s = stats(&graph(6, &e, false));
        assert_eq!(s.triangles, 20);
        assert!((s.avg_clustering - 1.0).abs() < 1e-12);
    }

    #[test]
    fn directed_cycle_is_one_weak_component_with_a_triangle() {
        let s = stats(&graph(3, &[(0, 1), (1, 2), (2, 0)], true));
        assert_eq!(s.edges, 3);
        assert_eq!(s.components, 1);
        assert_eq!(s.triangles, 1);
        assert!((s.mean_degree - 1.0).abs() < 1e-12);
    }
}

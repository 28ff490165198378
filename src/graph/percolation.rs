//! Tie-removal percolation (Onnela et al. 2007): remove ties in order of strength, weakest first or
//! strongest first, and watch the largest connected component. In their mobile-phone network the
//! network fell apart far sooner when the weak ties went first: weak ties hold the communities
//! together.

use petgraph::unionfind::UnionFind;

use super::Graph;
use crate::rng::{self, Rng};

/// Which ties go first.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Order {
    WeakestFirst,
    StrongestFirst,
}

impl Order {
    pub fn as_str(self) -> &'static str {
        match self {
            Order::WeakestFirst => "weakest-first",
            Order::StrongestFirst => "strongest-first",
        }
    }
}

/// One point of a percolation curve.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Point {
    /// Fraction of the ties removed.
    pub fraction_removed: f64,
    /// Largest connected component (weakly, for directed graphs) as a fraction of the nodes.
    pub largest_component: f64,
    /// Onnela's susceptibility: Σ n_s s² / N over the components other than the largest.
    pub susceptibility: f64,
}

/// Removes the edges of `graph` in the order of `score` (one score per edge, in the order of
/// [`Graph::edges`]; equal scores are ordered at random from `seed`), and returns `points + 1`
/// evenly spaced points from 0 to 1 of the fraction removed.
///
/// Complexity: O(m log m) to sort, O(m α(n)) to add the edges back in reverse order with a union-find,
/// O(n) per point for the susceptibility.
pub fn percolation(
    graph: &Graph,
    score: &[f32],
    order: Order,
    points: usize,
    seed: u64,
) -> Vec<Point> {
    let edges: Vec<(u32, u32)> = graph.edges().map(|(u, v, _, _)| (u, v)).collect();
    assert_eq!(edges.len(), score.len(), "one score per edge");
    let m = edges.len();
    let n = graph.node_count();
    // Random tie-breaks: a key per edge from the seed.
    let mut r: Rng = rng::stream(seed, rng::purpose::PERCOLATION);
    let jitter: Vec<u64> = (0..m).map(|_| rand::Rng::next_u64(&mut r)).collect();
    let mut idx: Vec<u32> = (0..m as u32).collect();
    idx.sort_unstable_by(|&a, &b| {
        let (a, b) = (a as usize, b as usize);
        let by_score = score[a].total_cmp(&score[b]);
        let by_score = if order == Order::StrongestFirst {
            by_score.reverse()
        } else {
            by_score
        };
        by_score.then(jitter[a].cmp(&jitter[b]))
    });
    // idx is the removal order. Removing the first k edges leaves idx[k..]: add edges back from the
    // end, and read off the state when m - k edges are present.
    let ks: Vec<usize> = (0..=points)
        .map(|i| ((i as f64 / points as f64) * m as f64).round() as usize)
        .collect();
    let mut uf = UnionFind::<u32>::new(n);
    let mut size = vec![1u32; n];
    let mut largest = if n > 0 { 1u32 } else { 0 };
    // The points, by the number of edges present when they are read (increasing).
    let mut due: Vec<(usize, usize)> = ks.iter().enumerate().map(|(i, &k)| (m - k, i)).collect();
    due.sort_unstable();
    let mut next_due = 0;
    let mut out: Vec<Option<Point>> = vec![None; ks.len()];
    let mut read = |present: usize,
                    uf: &mut UnionFind<u32>,
                    size: &[u32],
                    largest: u32,
                    next_due: &mut usize| {
        while *next_due < due.len() && due[*next_due].0 == present {
            let i = due[*next_due].1;
            *next_due += 1;
            // Susceptibility over the components other than (one) largest.
            let mut sum = 0f64;
            let mut skipped = false;
            for u in 0..n as u32 {
                if uf.find_mut(u) == u {
                    let s = size[u as usize];
                    if s == largest && !skipped {
                        skipped = true;
                    } else {
                        sum += (s as f64) * (s as f64);
                    }
                }
            }
            out[i] = Some(Point {
                fraction_removed: if m == 0 { 0.0 } else { ks[i] as f64 / m as f64 },
                largest_component: largest as f64 / n.max(1) as f64,
                susceptibility: sum / n.max(1) as f64,
            });
        }
    };
    read(0, &mut uf, &size, largest, &mut next_due);
    for (present, &e) in idx.iter().rev().enumerate() {
        let (u, v) = edges[e as usize];
        let (ru, rv) = (uf.find_mut(u), uf.find_mut(v));
        if ru != rv {
            uf.union(ru, rv);
            let root = uf.find_mut(ru);
            let s = size[ru as usize] + size[rv as usize];
            size[root as usize] = s;
            largest = largest.max(s);
        }
        read(present + 1, &mut uf, &size, largest, &mut next_due);
    }
    out.into_iter()
        .map(|p| p.expect("every point recorded"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::EdgeList;

    #[test]
    fn two_cliques_and_a_bridge() {
        // Two triangles joined by one bridge (edge 2-3), whose score is lowest.
        let g = Graph::from_edges(
            EdgeList::from_pairs(6, &[(0, 1), (1, 2), (0, 2), (2, 3), (3, 4), (4, 5), (3, 5)]),
            false,
        );
        let edges: Vec<(u32, u32)> = g.edges().map(|e| (e.0, e.1)).collect();
        let score: Vec<f32> = edges
            .iter()
            .map(|&(u, v)| if (u, v) == (2, 3) { 0.0 } else { 1.0 })
            .collect();
        let weak = percolation(&g, &score, Order::WeakestFirst, 7, 1);
        assert_eq!(weak[0].largest_component, 1.0);
        assert_eq!(weak[0].susceptibility, 0.0);
        // One tie of seven removed (the bridge): two components of 3.
        assert_eq!(weak[1].largest_component, 0.5);
        assert_eq!(weak[1].susceptibility, 9.0 / 6.0);
        let strong = percolation(&g, &score, Order::StrongestFirst, 7, 1);
        assert_eq!(
            strong[1].largest_component, 1.0,
            "removing a clique tie keeps everyone connected"
        );
        assert_eq!(weak[7].largest_component, 1.0 / 6.0);
        assert_eq!(strong[7].largest_component, 1.0 / 6.0);
    }
}

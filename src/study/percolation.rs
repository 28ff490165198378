//! `percolation`: ties removed weakest first and strongest first, and the largest component
//! watched as they go (Onnela et al. 2007).

use super::GraphInput;
use crate::graph::load::load;
use crate::graph::percolation::{Order, Point, percolation as curve};
use crate::ties::{TieSpec, classify, edge_strength};
use crate::{Error, Result};

/// Everything `percolation` needs.
#[derive(Clone, Debug, PartialEq)]
pub struct PercolationOptions {
    /// The graph; its tie rule ranks the ties (default `overlap-quantile:0.5`).
    pub graph: GraphInput,
    /// Points on each curve, evenly spaced from 0 to 1 of the ties removed.
    pub points: usize,
    /// Breaks ties between equally strong ties.
    pub seed: u64,
}

impl PercolationOptions {
    /// The rule that ranks ties.
    pub fn spec(&self) -> TieSpec {
        self.graph
            .ties
            .clone()
            .unwrap_or(TieSpec::OverlapQuantile(0.5))
    }

    /// Checks what needs no file.
    ///
    /// # Errors
    /// Fewer than 2 or more than 100,000 points.
    pub fn check(&self) -> Result<()> {
        if !(2..=100_000).contains(&self.points) {
            return Err(Error::invalid(
                "--points",
                self.points.to_string(),
                "must be 2 to 100000",
            ));
        }
        Ok(())
    }
}

/// One removal order: where the largest component first falls below half the nodes, where the
/// susceptibility peaks (the percolation transition), and every point.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Removal {
    pub largest_below_half_at: Option<f64>,
    pub susceptibility_peak_at: Option<f64>,
    pub points: Vec<Point>,
}

impl Removal {
    fn new(points: Vec<Point>) -> Removal {
        Removal {
            largest_below_half_at: points
                .iter()
                .find(|p| p.largest_component < 0.5)
                .map(|p| p.fraction_removed),
            susceptibility_peak_at: points
                .iter()
                .max_by(|x, y| x.susceptibility.total_cmp(&y.susceptibility))
                .map(|p| p.fraction_removed),
            points,
        }
    }
}

/// What `percolation` found: `summary.json` as written.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct PercolationSummary {
    pub graph: String,
    pub nodes: usize,
    pub edges: usize,
    /// The tie rule.
    pub ties: String,
    /// What ranks the ties: `overlap`, `weight` or `tie class`.
    pub strength: String,
    pub strong_ties: usize,
    pub weak_ties: usize,
    pub seed: u64,
    pub weakest_first: Removal,
    pub strongest_first: Removal,
    /// The graph file's name (titles).
    #[serde(skip)]
    pub name: String,
}

/// Loads the graph, ranks its ties and removes them in both orders.
///
/// # Errors
/// As [`PercolationOptions::check`], loading, and a tie rule the graph cannot serve.
pub fn percolation(opts: &PercolationOptions) -> Result<PercolationSummary> {
    opts.check()?;
    let spec = opts.spec();
    let graph = load(&opts.graph.path, &opts.graph.load)?;
    let (score, measure) = edge_strength(&graph, &spec)?;
    let graph = classify(graph, &spec)?;
    let (strong, weak) = graph.tie_split();
    let removal = |order| Removal::new(curve(&graph, &score, order, opts.points, opts.seed));
    Ok(PercolationSummary {
        graph: opts.graph.path.display().to_string(),
        nodes: graph.node_count(),
        edges: graph.edge_count(),
        ties: spec.to_string(),
        strength: measure.to_string(),
        strong_ties: strong,
        weak_ties: weak,
        seed: opts.seed,
        weakest_first: removal(Order::WeakestFirst),
        strongest_first: removal(Order::StrongestFirst),
        name: opts.graph.file_name(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ring_of_cliques_falls_apart_only_when_bridges_go_first() {
        // Eight 5-cliques joined in a ring by one bridge each.
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("ring.txt");
        let mut text = String::new();
        for c in 0..8u32 {
            for a in 0..5 {
                for b in a + 1..5 {
                    text += &format!("{} {}\n", 5 * c + a, 5 * c + b);
                }
            }
            text += &format!("{} {}\n", 5 * c, (5 * c + 7) % 40);
        }
        std::fs::write(&p, text).unwrap();
        let opts = PercolationOptions {
            graph: GraphInput {
                path: p,
                ties: Some(TieSpec::OverlapQuantile(0.5)),
                ..Default::default()
            },
            points: 50,
            seed: 1,
        };
        let s = percolation(&opts).unwrap();
        assert_eq!((s.nodes, s.edges, s.strength.as_str()), (40, 88, "overlap"));
        let weak = s.weakest_first.largest_below_half_at.unwrap();
        let strong = s.strongest_first.largest_below_half_at.unwrap();
        assert!(
            weak < 0.1 && strong > 0.5,
            "weak first {weak}, strong first {strong}"
        );
        assert_eq!(s.weakest_first.points.len(), 51);
        let e = percolation(&PercolationOptions { points: 1, ..opts })
            .unwrap_err()
            .to_string();
        assert!(e.contains("--points"), "{e}");
    }
}

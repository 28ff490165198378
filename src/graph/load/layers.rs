//! Interaction layers over the same people, added to a graph as tie weights: every row of a layer
//! between two tied people adds 1 to that tie's weight (calls, texts, messages).

use std::path::Path;

use super::super::Graph;
use super::{Format, LoadOptions, table, text};
use crate::Result;

/// Weights every tie by the number of rows between its ends (self-loops are not ties).
pub(super) fn count_rows(graph: Graph, src: &[u32], dst: &[u32], directed: bool) -> Graph {
    let mut weights = vec![0f32; graph.arc_count()];
    for (&u, &v) in src.iter().zip(dst) {
        if u == v {
            continue;
        }
        if let Some(i) = graph.find_arc(u, v) {
            weights[i] += 1.0;
        }
        if !directed && let Some(i) = graph.find_arc(v, u) {
            weights[i] += 1.0;
        }
    }
    graph.with_weights(weights)
}

/// What [`add_layers`] did: rows that matched a tie, and rows between people without one.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct LayerCounts {
    pub matched: u64,
    pub outside: u64,
}

/// Adds interaction layers to `graph` as tie weights (see [`LoadOptions::layers`]). A graph without
/// weights starts from 0 on every tie.
///
/// # Errors
/// A layer that cannot be read, or a malformed `PATH[:SRC,DST]` spec.
pub fn add_layers(graph: Graph, layers: &[String]) -> Result<(Graph, LayerCounts)> {
    let mut weights: Vec<f32> = graph
        .weights()
        .map(|w| w.to_vec())
        .unwrap_or_else(|| vec![0.0; graph.arc_count()]);
    let mut counts = LayerCounts::default();
    for spec in layers {
        // PATH or PATH:SRC,DST (a path may itself contain ':', so split at the last one only when
        // what follows looks like two column names).
        let (file, cols) = match spec.rsplit_once(':') {
            Some((f, c)) if c.split(',').count() == 2 && !c.contains('/') => (f, Some(c)),
            _ => (spec.as_str(), None),
        };
        let (src, dst) = match cols {
            Some(c) => {
                let (a, b) = c.split_once(',').expect("two names");
                (Some(a.trim().to_string()), Some(b.trim().to_string()))
            }
            None => (None, None),
        };
        let path = Path::new(file);
        let opts = LoadOptions {
            directed: true,
            src,
            dst,
            ..Default::default()
        };
        let format = Format::from_path(path)?;
        let layer = match format {
            Format::Text => text::read(path, &opts)?,
            _ => table::read(path, format, &opts)?,
        };
        // Map the layer's ids onto the graph's.
        let to_graph: Vec<Option<u32>> = (0..layer.ids.len() as u32)
            .map(|u| graph.ids().find(&layer.ids.label(u)))
            .collect();
        for (&a, &b) in layer.src.iter().zip(&layer.dst) {
            let (Some(u), Some(v)) = (to_graph[a as usize], to_graph[b as usize]) else {
                counts.outside += 1;
                continue;
            };
            let mut hit = false;
            for (x, y) in [(u, v), (v, u)] {
                if let Some(i) = graph.find_arc(x, y) {
                    weights[i] += 1.0;
                    hit = true;
                }
            }
            if hit {
                counts.matched += 1;
            } else {
                counts.outside += 1;
            }
        }
    }
    Ok((graph.with_weights(weights), counts))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::EdgeList;

    #[test]
    fn rows_between_tied_people_add_weight() {
        let d = tempfile::tempdir().unwrap();
        let calls = d.path().join("calls.csv");
        std::fs::write(&calls, "caller,callee\n0,1\n1,0\n1,2\n0,3\n7,8\n").unwrap();
        // A path 0 - 1 - 2 - 3: the call 0 -> 3 is between people without a tie.
        let g = Graph::from_edges(EdgeList::from_pairs(4, &[(0, 1), (1, 2), (2, 3)]), false);
        let spec = format!("{}:caller,callee", calls.display());
        let (g, counts) = add_layers(g, &[spec]).unwrap();
        assert_eq!(
            counts,
            LayerCounts {
                matched: 3,
                outside: 2
            }
        );
        let w = g.weights().unwrap();
        assert_eq!(w[g.find_arc(0, 1).unwrap()], 2.0);
        assert_eq!(w[g.find_arc(2, 1).unwrap()], 1.0);
        assert_eq!(w[g.find_arc(2, 3).unwrap()], 0.0);
        let e = add_layers(g, &[d.path().join("none.csv").display().to_string()]);
        assert!(e.unwrap_err().to_string().contains("none.csv"));
    }
}

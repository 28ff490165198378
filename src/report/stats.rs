//! `stats` as a table a person reads.

use crate::graph::stats::GraphStats;

/// One line per figure, names right-aligned: what `hongbao stats` prints.
pub fn stats_table(file: &str, s: &GraphStats) -> String {
    let rows: Vec<(&str, String)> = vec![
        ("file", file.to_string()),
        ("nodes", s.nodes.to_string()),
        (
            if s.directed { "arcs" } else { "edges" },
            s.edges.to_string(),
        ),
        ("directed", s.directed.to_string()),
        ("mean degree", format!("{:.3}", s.mean_degree)),
        ("max degree", s.max_degree.to_string()),
        ("avg clustering", format!("{:.4}", s.avg_clustering)),
        ("transitivity", format!("{:.4}", s.transitivity)),
        ("triangles", s.triangles.to_string()),
        ("components", s.components.to_string()),
        (
            "largest component",
            format!(
                "{} ({:.1} %)",
                s.largest_component,
                100.0 * s.largest_component as f64 / s.nodes.max(1) as f64
            ),
        ),
        ("strong ties", s.strong_ties.to_string()),
        ("weak ties", s.weak_ties.to_string()),
        ("edges read", s.input_edges.to_string()),
        ("self-loops dropped", s.self_loops_dropped.to_string()),
        ("duplicates dropped", s.duplicates_dropped.to_string()),
    ];
    rows.iter()
        .map(|(k, v)| format!("{k:>19}  {v}\n"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::stats::stats;
    use crate::graph::{EdgeList, Graph};

    #[test]
    fn a_triangle_with_a_tail() {
        let g = Graph::from_edges(
            EdgeList::from_pairs(4, &[(0, 1), (1, 2), (2, 0), (2, 3), (3, 3), (0, 1)]),
            false,
        );
        let t = stats_table("t.txt", &stats(&g));
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[0], "               file  t.txt");
        assert!(t.contains("              edges  4\n"), "{t}");
        assert!(t.contains("          triangles  1\n"), "{t}");
        assert!(t.contains("  largest component  4 (100.0 %)\n"), "{t}");
        assert!(t.contains(" self-loops dropped  1\n"), "{t}");
        assert!(t.contains(" duplicates dropped  1\n"), "{t}");
    }
}

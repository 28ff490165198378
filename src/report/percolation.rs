//! The report of `percolation`: `percolation.csv`, `summary.json`, `summary.md`, `percolation.png`.

use std::fmt::Write as _;

use super::charts::{self, ChartOptions, XAxis};
use super::output::{ReportDir, write_bytes};
use super::sorted_json;
use super::tables;
use crate::Result;
use crate::study::{PercolationSummary, Removal};

/// Writes the report into `dir`.
///
/// # Errors
/// A file that cannot be written.
pub fn write_percolation(
    dir: &ReportDir,
    s: &PercolationSummary,
    chart: &ChartOptions,
) -> Result<()> {
    let orders = [
        ("weakest-first", &s.weakest_first),
        ("strongest-first", &s.strongest_first),
    ];
    let rows: Vec<(&str, &[crate::graph::percolation::Point])> = orders
        .iter()
        .map(|(o, r)| (*o, r.points.as_slice()))
        .collect();
    tables::write_csv(
        &mut tables::percolation_frame(&rows),
        &dir.path("percolation.csv"),
    )?;
    write_bytes(&dir.path("summary.json"), sorted_json(s).as_bytes())?;
    write_bytes(&dir.path("summary.md"), markdown(s).as_bytes())?;
    let series: Vec<(String, Vec<(f64, f64)>)> = orders
        .iter()
        .map(|(o, r)| {
            (
                format!(
                    "{} ties removed first ({})",
                    o.trim_end_matches("-first"),
                    s.strength
                ),
                r.points
                    .iter()
                    .map(|p| (p.fraction_removed, p.largest_component))
                    .collect(),
            )
        })
        .collect();
    let opts = ChartOptions {
        title: format!("Tie-removal percolation on {}", s.name),
        ..chart.clone()
    };
    charts::line_chart(
        &dir.path("percolation.png"),
        &series,
        (
            "fraction of ties removed",
            "largest component (fraction of nodes)",
        ),
        (XAxis::Linear(1.0), 1.05),
        &opts,
    )
}

/// `41 %`, or `never`.
pub fn share_or_never(x: Option<f64>) -> String {
    x.map_or("never".to_string(), |x| format!("{:.0} %", 100.0 * x))
}

/// The Markdown summary.
pub fn markdown(s: &PercolationSummary) -> String {
    let mut md = format!(
        "# Tie-removal percolation on {}\n\n{} nodes, {} edges; ties ranked by {} (`{}`: {} strong, {} weak); random tie-breaks from seed {}.\n\n\
         | removal order | largest component below half the nodes after removing | susceptibility peaks at |\n|---|---:|---:|\n",
        s.name, s.nodes, s.edges, s.strength, s.ties, s.strong_ties, s.weak_ties, s.seed
    );
    let row = |md: &mut String, name: &str, r: &Removal| {
        let _ = writeln!(
            md,
            "| {name} | {} of the ties | {} |",
            share_or_never(r.largest_below_half_at),
            share_or_never(r.susceptibility_peak_at)
        );
    };
    row(&mut md, "weakest first", &s.weakest_first);
    row(&mut md, "strongest first", &s.strongest_first);
    md += "\nWhen the network falls apart far sooner with the weak ties removed first, weak ties are \
           what holds its communities together (Onnela et al. 2007).\n";
    md
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::percolation::Point;

    #[test]
    fn markdown_names_both_orders() {
        let pt = |f, l| Point {
            fraction_removed: f,
            largest_component: l,
            susceptibility: 0.0,
        };
        let removal = |at: Option<f64>| Removal {
            largest_below_half_at: at,
            susceptibility_peak_at: Some(0.1),
            points: vec![pt(0.0, 1.0), pt(1.0, 0.1)],
        };
        let s = PercolationSummary {
            graph: "g.txt".into(),
            nodes: 10,
            edges: 20,
            ties: "overlap-quantile:0.5".into(),
            strength: "overlap".into(),
            strong_ties: 10,
            weak_ties: 10,
            seed: 3,
            weakest_first: removal(Some(0.17)),
            strongest_first: removal(None),
            name: "g.txt".into(),
        };
        let md = markdown(&s);
        assert!(
            md.contains("| weakest first | 17 % of the ties | 10 % |"),
            "{md}"
        );
        assert!(
            md.contains("| strongest first | never of the ties |"),
            "{md}"
        );
        assert!(md.contains("ranked by overlap (`overlap-quantile:0.5`: 10 strong, 10 weak)"));
        let json: serde_json::Value = serde_json::from_str(&sorted_json(&s)).unwrap();
        assert_eq!(json["weakest_first"]["largest_below_half_at"], 0.17);
        assert!(json.get("name").is_none());
    }
}

//! The report of `seeds`: `seeds.csv` (rank, node, marginal gain, cumulative), `seeds.txt` (one
//! node per line, for `--seeds file:`), `summary.json`, `summary.md` and `seeds.png` (expected
//! adopters within H against k for the chosen seeds and the other rules).

use std::fmt::Write as _;

use polars::prelude::*;

use super::charts::{self, ChartOptions, XAxis};
use super::output::{ReportDir, write_bytes};
use super::text::thousands;
use super::{sorted_json, tables};
use crate::Result;
use crate::study::{SeedRow, SeedsSummary};

/// The chosen seeds as a table.
pub fn seeds_frame(s: &SeedsSummary) -> DataFrame {
    rows_frame(&s.seeds)
}

fn rows_frame(r: &[SeedRow]) -> DataFrame {
    DataFrame::new(
        r.len(),
        vec![
            Column::new(
                "rank".into(),
                r.iter().map(|x| x.rank as u64).collect::<Vec<_>>(),
            ),
            Column::new(
                "node".into(),
                r.iter().map(|x| x.node.clone()).collect::<Vec<_>>(),
            ),
            Column::new(
                "marginal_gain".into(),
                r.iter().map(|x| x.marginal_gain).collect::<Vec<_>>(),
            ),
            Column::new(
                "cumulative".into(),
                r.iter().map(|x| x.cumulative).collect::<Vec<_>>(),
            ),
        ],
    )
    .expect("columns of equal length")
}

/// `seeds.csv`, made here rather than by polars' CSV writer: a process's first call into polars
/// starts polars' own thread pool (two threads, and a look at the cgroup's CPU quota), which cost
/// more than the rest of the `seeds` report. The same bytes as polars writes from [`seeds_frame`]
/// (tested): floats in zmij's shortest form, node ids quoted only where needed.
pub fn seeds_csv(rows: &[SeedRow]) -> String {
    let mut out = String::from("rank,node,marginal_gain,cumulative\n");
    let mut float = zmij::Buffer::new();
    for r in rows {
        let _ = write!(out, "{},", r.rank);
        push_csv_field(&mut out, &r.node);
        out.push(',');
        out.push_str(float.format(r.marginal_gain));
        out.push(',');
        out.push_str(float.format(r.cumulative));
        out.push('\n');
    }
    out
}

/// A text field as polars' CSV writer puts it (its "necessary" quoting): quoted, with its
/// quotes doubled, if it holds a comma, a quote or a line end; `""` if empty.
fn push_csv_field(out: &mut String, s: &str) {
    if tables::csv_plain(s) {
        out.push_str(s);
    } else {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    }
}

/// `seeds.txt`: a comment line, then one node id per line.
pub fn seeds_text(s: &SeedsSummary) -> String {
    let mut t = format!(
        "# {} seeds chosen by hongbao seeds for {} ({}); use with --seeds file:seeds.txt\n",
        s.k,
        within(s.hours),
        s.graph
    );
    for r in &s.seeds {
        let _ = writeln!(t, "{}", r.node);
    }
    t
}

fn within(hours: Option<f64>) -> String {
    match hours {
        Some(h) => format!("adopters within {h} h"),
        None => "final reach".to_string(),
    }
}

/// Writes the report into `dir`.
///
/// # Errors
/// A file that cannot be written.
pub fn write_seeds(dir: &ReportDir, s: &SeedsSummary, chart: &ChartOptions) -> Result<()> {
    write_bytes(&dir.path("seeds.csv"), seeds_csv(&s.seeds).as_bytes())?;
    write_bytes(&dir.path("seeds.txt"), seeds_text(s).as_bytes())?;
    write_bytes(&dir.path("summary.json"), sorted_json(s).as_bytes())?;
    write_bytes(&dir.path("summary.md"), markdown(s).as_bytes())?;
    if !s.forward.is_empty() {
        let series: Vec<(String, Vec<(f64, f64)>)> = s
            .forward
            .iter()
            .map(|c| {
                (
                    c.rule.clone(),
                    c.points.iter().map(|&(k, m, _)| (k as f64, m)).collect(),
                )
            })
            .collect();
        let top = series
            .iter()
            .flat_map(|(_, p)| p.iter().map(|q| q.1))
            .fold(1.0, f64::max);
        let opts = ChartOptions {
            title: format!(
                "Expected {} on {}, by seeds given",
                within(s.hours),
                s.graph
            ),
            ..chart.clone()
        };
        charts::line_chart(
            &dir.path("seeds.png"),
            &series,
            ("seeds given (k)", "expected adopters"),
            (XAxis::Linear(s.k as f64), top * 1.1),
            &opts,
        )?;
    }
    Ok(())
}

/// `summary.md`.
pub fn markdown(s: &SeedsSummary) -> String {
    let sel = &s.selection;
    let mut m = String::new();
    let _ = writeln!(m, "# The best {} first users on {}\n", s.k, s.graph);
    let _ = writeln!(
        m,
        "{} nodes, {} edges ({}); {}; goal: expected {}.\n",
        thousands(s.nodes as f64),
        thousands(s.edges as f64),
        if s.directed { "directed" } else { "undirected" },
        s.model,
        within(s.hours)
    );
    let _ = writeln!(m, "| | adopters |\n|---|---|");
    let _ = writeln!(
        m,
        "| estimate (checking RR sets) | {:.1} ± {:.1} |",
        sel.estimate, sel.estimate_sem
    );
    let _ = writeln!(
        m,
        "| lower bound (probability ≥ 1 − δ/3) | {:.1} |",
        sel.lower
    );
    let _ = writeln!(m, "| upper bound | {:.1} |", sel.upper);
    let _ = writeln!(
        m,
        "| upper bound on the best {} seeds | {:.1} |",
        s.k, sel.optimum_upper
    );
    if let Some((mean, sem)) = s.forward_chosen() {
        let _ = writeln!(
            m,
            "| forward simulation ({} runs, independent seed) | {mean:.1} ± {sem:.1} |",
            s.eval_runs
        );
    }
    let _ = writeln!(
        m,
        "\nApproximation ratio proved: {:.3} (asked: 1 − 1/e − ε = {:.3}, ε = {}, δ = {:.3e}), with {} RR sets \
         ({} entries, {:.1} bytes per entry all in) in {} round{}.\n",
        sel.ratio,
        sel.target_ratio,
        s.eps,
        sel.delta,
        thousands(sel.rr_sets as f64),
        thousands(sel.rr_entries as f64),
        s.rr_bytes_per_entry,
        sel.rounds,
        if sel.rounds == 1 { "" } else { "s" }
    );
    if !s.forward.is_empty() {
        let _ = writeln!(
            m,
            "## Against other rules (forward simulation, {} runs per point)\n",
            s.eval_runs
        );
        let ks: Vec<usize> = s.forward[0].points.iter().map(|p| p.0).collect();
        let _ = writeln!(
            m,
            "| rule | {} |",
            ks.iter()
                .map(|k| format!("k = {k}"))
                .collect::<Vec<_>>()
                .join(" | ")
        );
        let _ = writeln!(m, "|---|{}", "---|".repeat(ks.len()));
        for c in &s.forward {
            let cells: Vec<String> = c
                .points
                .iter()
                .map(|p| format!("{:.1} ± {:.1}", p.1, p.2))
                .collect();
            let _ = writeln!(m, "| {} | {} |", c.rule, cells.join(" | "));
        }
        let _ = writeln!(m);
    }
    let _ = writeln!(
        m,
        "## Seeds\n\n| rank | node | marginal gain | cumulative |\n|---|---|---|---|"
    );
    for r in &s.seeds {
        let _ = writeln!(
            m,
            "| {} | {} | {:.1} | {:.1} |",
            r.rank, r.node, r.marginal_gain, r.cumulative
        );
    }
    let p = &s.performance;
    let _ = writeln!(
        m,
        "\nTime (varies between runs): graph loaded in {:.2} s, seeds chosen in {:.2} s (sampling {:.2} s, greedy {:.2} s), \
         rules compared in {:.2} s on {} threads{}.",
        p.load_seconds,
        p.select_seconds,
        p.sample_seconds,
        p.greedy_seconds,
        p.evaluate_seconds,
        p.threads,
        p.peak_memory_bytes
            .map(|b| format!("; peak memory {:.0} MiB", b as f64 / (1u64 << 20) as f64))
            .unwrap_or_default()
    );
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table made here is, byte for byte, the one polars' CSV writer makes of the same rows.
    #[test]
    fn seeds_csv_is_what_polars_writes() {
        let values = [
            0.0,
            -0.0,
            1.0,
            0.1 + 0.2,
            1e-9,
            123_456.5,
            1629.3937677053823,
            1e21,
            2.5e-300,
            f64::MAX,
            f64::NAN,
            f64::INFINITY,
        ];
        let ids = [
            "4805", "", "a,b", "c\"d", "e\nf", "g\rh", " lead", "tab\tin", "ü",
        ];
        let rows: Vec<SeedRow> = (0..values.len().max(ids.len()) * 2)
            .map(|i| SeedRow {
                rank: i + 1,
                node: ids[i % ids.len()].to_string(),
                marginal_gain: values[i % values.len()],
                cumulative: values[(i * 7 + 3) % values.len()],
            })
            .collect();
        let mut theirs = Vec::new();
        CsvWriter::new(&mut theirs)
            .include_header(true)
            .finish(&mut rows_frame(&rows))
            .unwrap();
        assert_eq!(
            seeds_csv(&rows),
            String::from_utf8(theirs).unwrap(),
            "ours, then polars'"
        );
        assert_eq!(seeds_csv(&[]), "rank,node,marginal_gain,cumulative\n");
    }
}

//! The report of `compare` and `simulate`: curves (CSV, Parquet), `summary.json`, `summary.md`
//! (a table a person reads, then every parameter with its reason), and the two charts.

use std::fmt::Write as _;

use super::charts::{self, ChartOptions};
use super::output::{ReportDir, write_bytes};
use super::text::{hours, pct, thousands};
use super::{sorted_json, tables};
use crate::Result;
use crate::study::{CompareSummary, PlatformReport};

/// Writes the report of `compare` into `dir`: `curves.csv`, `curves.parquet`, `summary.json`
/// (`{ "platforms": [...], "title" }`, every object's keys in alphabetical order), `summary.md`,
/// `adoption.png` and `new_per_hour.png`.
///
/// # Errors
/// A file that cannot be written.
pub fn write_compare(
    dir: &ReportDir,
    summary: &CompareSummary,
    chart: &ChartOptions,
) -> Result<()> {
    let json = compare_json(summary);
    write_platforms(dir, &summary.title, &summary.platforms, &json, chart)
}

/// Writes the report of `compare --decompose` into `dir`: the files of [`write_compare`] for all
/// eight platforms, with `summary.md` opening on the rungs side by side and what they say,
/// `summary.json` holding `decomposition` beside `platforms`, and `decomposition.csv`.
///
/// # Errors
/// A file that cannot be written.
pub fn write_decomposition(
    dir: &ReportDir,
    d: &crate::study::Decomposition,
    chart: &ChartOptions,
) -> Result<()> {
    let c = &d.compare;
    let json = sorted_json(d).trim_end().to_string();
    write_platforms(dir, &c.title, &c.platforms, &json, chart)?;
    let md = format!(
        "{}{}",
        decomposition_markdown(d),
        markdown(&c.title, &c.platforms)
    );
    write_bytes(&dir.path("summary.md"), md.as_bytes())?;
    tables::write_csv(
        &mut tables::rungs_frame(&d.rungs),
        &dir.path("decomposition.csv"),
    )
}

/// The rungs side by side and what they say.
pub fn decomposition_markdown(d: &crate::study::Decomposition) -> String {
    let mut md = String::new();
    let r0 = &d.rungs[0];
    let _ = writeln!(
        md,
        "# {}
",
        d.compare.title
    );
    let _ = writeln!(
        md,
        "The same users, seeds and runs on every rung; reach is the mean share of users (± one standard error).
"
    );
    let _ = writeln!(
        md,
        "| rung | {s} at 4 h | {s} at 24 h | {w} at 4 h | {w} at 24 h | gap at 24 h | what the rung sets |",
        s = r0.strong_label,
        w = r0.weak_label
    );
    let _ = writeln!(md, "|---|---:|---:|---:|---:|---:|---|");
    for r in &d.rungs {
        let c = |x: f64, e: f64| format!("{} ± {}", pct(x), pct(e));
        let _ = writeln!(
            md,
            "| ({}) {} | {} | {} | {} | {} | {:+.1} pts | {} |",
            r.rung,
            r.name,
            c(r.strong_4h, r.strong_4h_sem),
            c(r.strong_24h, r.strong_24h_sem),
            c(r.weak_4h, r.weak_4h_sem),
            c(r.weak_24h, r.weak_24h_sem),
            r.gap_24h(),
            r.setting
        );
    }
    let _ = writeln!(
        md,
        "
Rung (a) gives every tie the chance {:.4} (the mean over the strong-tie graph's ties) and the weak-tie graph the strong-tie graph's mean degree, {:.2}.
",
        d.mean_p, d.mean_degree
    );
    for f in &d.findings {
        let _ = writeln!(md, "- {f}");
    }
    md.push('\n');
    md
}

/// `compare`'s summary JSON (what `summary.json` holds and `--json` prints).
pub fn compare_json(summary: &CompareSummary) -> String {
    sorted_json(summary).trim_end().to_string()
}

/// Writes the report of `simulate` into `dir`: as [`write_compare`], with `summary.json` the
/// platform's own object.
///
/// # Errors
/// A file that cannot be written.
pub fn write_simulate(
    dir: &ReportDir,
    title: &str,
    report: &PlatformReport,
    chart: &ChartOptions,
) -> Result<()> {
    write_platforms(
        dir,
        title,
        std::slice::from_ref(report),
        &summary_json(report),
        chart,
    )
}

fn write_platforms(
    dir: &ReportDir,
    title: &str,
    platforms: &[PlatformReport],
    json: &str,
    chart: &ChartOptions,
) -> Result<()> {
    let curves: Vec<(crate::curves::Curve, usize)> = platforms
        .iter()
        .map(|p| (p.outcome.curve.clone(), p.outcome.nodes))
        .collect();
    // The tables and the two charts are drawn at once (each file on its own; the charts were
    // most of a small command's time, one after the other). The first error in this order wins.
    let write_tables = || -> Result<()> {
        let mut df = tables::curves_frame(&curves);
        tables::write_csv(&mut df, &dir.path("curves.csv"))?;
        tables::write_parquet(&mut df, &dir.path("curves.parquet"))?;
        write_bytes(&dir.path("summary.json"), format!("{json}\n").as_bytes())?;
        write_bytes(
            &dir.path("summary.md"),
            markdown(title, platforms).as_bytes(),
        )
    };
    let adoption = || {
        let mut opts = chart.clone();
        opts.title = title.to_string();
        charts::adoption_chart(&dir.path("adoption.png"), &curves, &opts)
    };
    let per_hour = || {
        let mut opts = chart.clone();
        opts.title = format!("{title}: new adopters per hour");
        charts::new_per_hour_chart(&dir.path("new_per_hour.png"), &curves, &opts)
    };
    let (t, (a, h)) = rayon::join(write_tables, || rayon::join(adoption, per_hour));
    t?;
    a?;
    h
}

/// The summary JSON of one platform (`simulate`'s `summary.json`, and what `--json` prints).
pub fn summary_json(p: &PlatformReport) -> String {
    serde_json::to_string_pretty(p).expect("summaries serialise")
}

/// The Markdown summary of one or more platforms.
pub fn markdown(title: &str, platforms: &[PlatformReport]) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# {title}\n");
    let _ = writeln!(
        md,
        "Mean over Monte-Carlo runs; adopters include the seeds. Time to a share is when the mean curve \
         reaches it (in brackets: share of runs that got there).\n"
    );
    let _ = writeln!(
        md,
        "| platform | users | reach at 1 h | reach at 4 h | reach at 24 h | time to 10 % | time to 25 % | time to 50 % | final reach (mean ± sem) | final p05–p95 |"
    );
    let _ = writeln!(md, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for p in platforms {
        let o = &p.outcome;
        let at = |k: &str| {
            o.reach_at_hours
                .get(k)
                .map(|r| format!("{} ({})", thousands(r.mean), pct(r.fraction)))
                .unwrap_or_else(|| "beyond horizon".into())
        };
        let tt = |k: &str| {
            o.time_to_fraction
                .get(k)
                .map(|t| format!("{} ({:.0} %)", hours(t.hours), 100.0 * t.share_of_runs))
                .unwrap_or_default()
        };
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} ± {:.1} ({}) | {}–{} |",
            p.label,
            thousands(o.nodes as f64),
            at("1"),
            at("4"),
            at("24"),
            tt("0.1"),
            tt("0.25"),
            tt("0.5"),
            thousands(o.final_reach.mean),
            o.final_reach.sem,
            pct(o.final_reach.fraction),
            thousands(o.final_reach.p05),
            thousands(o.final_reach.p95),
        );
    }
    for p in platforms {
        let q = &p.parameters;
        let _ = writeln!(md, "\n## {}: parameters\n", p.label);
        let _ = writeln!(md, "| parameter | value | why |");
        let _ = writeln!(md, "|---|---|---|");
        let why = |k: &str| q.rationale.get(k).cloned().unwrap_or_default();
        let horizon = q
            .horizon_hours
            .map_or("unbounded".to_string(), |h| format!("{h} h"));
        let rows: Vec<(&str, String)> = vec![
            ("graph", q.graph.clone()),
            (
                "nodes / edges",
                format!(
                    "{} / {}",
                    thousands(q.nodes as f64),
                    thousands(q.edges as f64)
                ),
            ),
            (
                "strong / weak ties",
                format!(
                    "{} / {}",
                    thousands(q.strong_ties as f64),
                    thousands(q.weak_ties as f64)
                ),
            ),
            ("ties", q.ties.clone()),
            ("model", q.model.to_string()),
            ("activation", q.activation.to_string()),
            (
                "delay_strong",
                format!("{} (mean {:.2} h)", q.delay_strong, q.delay_strong.mean()),
            ),
            (
                "delay_weak",
                format!("{} (mean {:.2} h)", q.delay_weak, q.delay_weak.mean()),
            ),
            ("horizon", horizon),
            ("seeds", format!("{} ({} nodes)", q.seeds, q.seed_nodes)),
            ("runs", q.runs.to_string()),
            ("seed", q.seed.to_string()),
            (
                "grid",
                format!("every {} h to {} h", q.step_hours, q.curve_hours),
            ),
            ("engine", q.engine.clone()),
        ];
        for (k, v) in rows {
            let key = k.split(' ').next().unwrap_or(k);
            let _ = writeln!(md, "| {k} | {v} | {} |", why(key));
        }
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cascade::{Activation, Delay, Engine, SeedSpec};
    use crate::graph::{EdgeList, Graph};
    use crate::study::{GraphSource, Platform, RunSettings, Silent, run_platform};
    use crate::ties::TieSpec;

    /// A star of 20 leaves, its centre seeded, p = 1 and 1-hour delays: every run reaches all 21
    /// at hour 1, so every figure of the summary is known.
    fn star_report() -> PlatformReport {
        let pairs: Vec<(u32, u32)> = (1..=20).map(|i| (0, i)).collect();
        let g = Graph::from_edges(EdgeList::from_pairs(21, &pairs), false);
        let p = Platform {
            label: "star".into(),
            graph: GraphSource::File {
                path: "star.txt".into(),
                load: Default::default(),
            },
            ties: TieSpec::AllWeak,
            adoption: crate::cascade::Adoption::Ic,
            activation: Activation::Uniform { p: 1.0 },
            delay_strong: Delay::Fixed { hours: 1.0 },
            delay_weak: Delay::Fixed { hours: 1.0 },
            seeds: SeedSpec::TopDegree(1),
            rationale: [("seeds".to_string(), "the hub".to_string())].into(),
        };
        let s = RunSettings {
            nodes: 0,
            runs: 10,
            seed: 1,
            horizon_hours: Some(24.0),
            curve_hours: 24.0,
            step_hours: 0.5,
            engine: Engine::Scalar,
        };
        run_platform(&p, &g, &s, &Silent).unwrap()
    }

    #[test]
    fn markdown_states_the_figures_and_every_parameter() {
        let md = markdown("Star", &[star_report()]);
        assert!(md.starts_with("# Star\n"), "{md}");
        // At 1 h all 21 (100 %), reached 10 % and 50 % at 1 h in every run (the mean curve
        // crosses between 0.5 h and 1 h).
        assert!(
            md.contains("| star | 21 | 21 (100.0 %) | 21 (100.0 %) | 21 (100.0 %) |"),
            "{md}"
        );
        assert!(md.contains("21 ± 0.0 (100.0 %) | 21–21 |"), "{md}");
        assert!(md.contains("| activation | uniform p=1 |"), "{md}");
        assert!(
            md.contains("| seeds | top-degree:1 (1 nodes) | the hub |"),
            "{md}"
        );
        assert!(md.contains("| engine | scalar |"), "{md}");
        let json: serde_json::Value = serde_json::from_str(&summary_json(&star_report())).unwrap();
        assert_eq!(json["final_reach"]["mean"], 21.0);
        assert_eq!(json["reach_at_hours"]["1"]["fraction"], 1.0);
        assert_eq!(json["parameters"]["rationale"]["seeds"], "the hub");
        assert!(json.get("sim_seconds").is_none(), "no timing in the files");
    }
}

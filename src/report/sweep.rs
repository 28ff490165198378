//! The report of `sweep`: `sweep.csv` and `sweep.parquet` (one row per point and platform),
//! `sweep.png` (lines for one key; heat maps for two, one panel per platform plus the ratio of the
//! first two), `summary.md` and `summary.json`.

use std::fmt::Write as _;

use polars::prelude::*;

use super::charts::{self, ChartOptions, Heat};
use super::output::{ReportDir, write_bytes};
use super::text::pct;
use super::{sorted_json, tables};
use crate::study::{SweepRow, SweepSummary};
use crate::{Error, Result};

/// The table: the varied keys (one column each, named by the key), then the figures.
pub fn sweep_frame(s: &SweepSummary) -> DataFrame {
    let rows = &s.rows;
    let f = |g: fn(&SweepRow) -> f64| rows.iter().map(g).collect::<Vec<f64>>();
    let o = |g: fn(&SweepRow) -> Option<f64>| rows.iter().map(g).collect::<Vec<Option<f64>>>();
    let mut cols: Vec<Column> = s
        .keys
        .iter()
        .enumerate()
        .map(|(k, key)| {
            Column::new(
                key.as_str().into(),
                rows.iter().map(|r| r.values[k]).collect::<Vec<f64>>(),
            )
        })
        .collect();
    cols.extend([
        Column::new(
            "platform".into(),
            rows.iter().map(|r| r.platform.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "nodes".into(),
            rows.iter().map(|r| r.nodes as u64).collect::<Vec<_>>(),
        ),
        Column::new(
            "runs".into(),
            rows.iter().map(|r| r.runs).collect::<Vec<_>>(),
        ),
        Column::new("final_reach".into(), f(|r| r.final_reach)),
        Column::new("final_reach_sem".into(), f(|r| r.final_reach_sem)),
        Column::new("final_share".into(), f(|r| r.final_share)),
        Column::new("reach_1h".into(), o(|r| r.reach_1h)),
        Column::new("reach_1h_sem".into(), o(|r| r.reach_1h_sem)),
        Column::new("reach_4h".into(), o(|r| r.reach_4h)),
        Column::new("reach_4h_sem".into(), o(|r| r.reach_4h_sem)),
        Column::new("reach_24h".into(), o(|r| r.reach_24h)),
        Column::new("reach_24h_sem".into(), o(|r| r.reach_24h_sem)),
        Column::new("time_to_10pct_hours".into(), o(|r| r.time_to_10pct_hours)),
        Column::new("time_to_50pct_hours".into(), o(|r| r.time_to_50pct_hours)),
        Column::new("runs_reaching_10pct".into(), f(|r| r.runs_reaching_10pct)),
        Column::new(
            "runs_reaching_10pct_sem".into(),
            f(|r| r.runs_reaching_10pct_sem),
        ),
        Column::new("runs_reaching_50pct".into(), f(|r| r.runs_reaching_50pct)),
        Column::new(
            "runs_reaching_50pct_sem".into(),
            f(|r| r.runs_reaching_50pct_sem),
        ),
    ]);
    DataFrame::new(rows.len(), cols).expect("columns of equal length")
}

/// Writes the report into `dir`.
///
/// # Errors
/// A file that cannot be written.
pub fn write_sweep(dir: &ReportDir, s: &SweepSummary, chart: &ChartOptions) -> Result<()> {
    let mut df = sweep_frame(s);
    tables::write_csv(&mut df, &dir.path("sweep.csv"))?;
    tables::write_parquet(&mut df, &dir.path("sweep.parquet"))?;
    write_bytes(&dir.path("summary.json"), sorted_json(s).as_bytes())?;
    write_bytes(&dir.path("summary.md"), markdown(s).as_bytes())?;
    let opts = ChartOptions {
        title: format!("{}: {}", s.title, s.keys.join(" × ")),
        ..chart.clone()
    };
    let path = dir.path("sweep.png");
    match s.keys.len() {
        1 => lines(&path, s, &opts),
        2 => heat_maps(&path, s, &opts),
        _ => Err(Error::file(&path, "a sweep varies one or two keys")),
    }
}

/// One key: the mean final share of every platform (with a band of two standard errors), and the
/// share of runs that reached 10 % of the users (dashed), against the key.
fn lines(path: &std::path::Path, s: &SweepSummary, opts: &ChartOptions) -> Result<()> {
    let xs = &s.values[0];
    let mut series = Vec::new();
    for p in &s.platforms {
        let rows: Vec<&SweepRow> = xs.iter().filter_map(|&x| s.row(p, &[x])).collect();
        let mean: Vec<(f64, f64)> = rows.iter().map(|r| (r.values[0], r.final_share)).collect();
        let band = |sign: f64| -> Vec<(f64, f64)> {
            rows.iter()
                .map(|r| {
                    let e = 2.0 * r.final_reach_sem / r.nodes.max(1) as f64;
                    (r.values[0], (r.final_share + sign * e).clamp(0.0, 1.0))
                })
                .collect()
        };
        series.push(charts::Line {
            label: format!("{p}: mean final share"),
            points: mean,
            band: Some((band(-1.0), band(1.0))),
            dashed: false,
        });
        series.push(charts::Line {
            label: format!("{p}: share of runs reaching 10 %"),
            points: rows
                .iter()
                .map(|r| (r.values[0], r.runs_reaching_10pct))
                .collect(),
            band: None,
            dashed: true,
        });
    }
    let (lo, hi) = (
        xs.iter().copied().fold(f64::INFINITY, f64::min),
        xs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    );
    charts::lines_chart(
        path,
        &series,
        (&s.keys[0], "share"),
        (lo, hi.max(lo + 1e-9)),
        opts,
    )
}

/// Two keys: one heat map of the mean final share per platform, then the ratio of the first two
/// platforms' final reach.
fn heat_maps(path: &std::path::Path, s: &SweepSummary, opts: &ChartOptions) -> Result<()> {
    let (xs, ys) = (&s.values[0], &s.values[1]);
    let grid = |f: &dyn Fn(&SweepRow) -> f64, p: &str| -> Vec<Vec<f64>> {
        ys.iter()
            .map(|&y| {
                xs.iter()
                    .map(|&x| s.row(p, &[x, y]).map_or(f64::NAN, f))
                    .collect()
            })
            .collect()
    };
    let mut panels: Vec<Heat> = s
        .platforms
        .iter()
        .map(|p| Heat {
            title: format!("{p}: mean final share"),
            values: grid(&|r| r.final_share, p),
            range: (0.0, 1.0),
            log: false,
            percent: true,
        })
        .collect();
    if s.platforms.len() >= 2 {
        let (a, b) = (&s.platforms[0], &s.platforms[1]);
        let ratio: Vec<Vec<f64>> = ys
            .iter()
            .map(|&y| {
                xs.iter()
                    .map(|&x| match (s.row(a, &[x, y]), s.row(b, &[x, y])) {
                        (Some(ra), Some(rb)) if rb.final_reach > 0.0 => {
                            ra.final_reach / rb.final_reach
                        }
                        _ => f64::NAN,
                    })
                    .collect()
            })
            .collect();
        let finite = ratio
            .iter()
            .flatten()
            .copied()
            .filter(|v| v.is_finite() && *v > 0.0);
        let (lo, hi) = finite.fold((f64::INFINITY, 0.0f64), |(l, h), v| (l.min(v), h.max(v)));
        panels.push(Heat {
            title: format!("final reach, {a} ÷ {b}"),
            values: ratio,
            range: if lo.is_finite() {
                (lo.min(1.0), hi.max(1.0))
            } else {
                (0.5, 2.0)
            },
            log: true,
            percent: false,
        });
    }
    charts::heat_chart(path, &panels, (xs, ys), (&s.keys[0], &s.keys[1]), opts)
}

fn cell(x: Option<f64>, f: impl Fn(f64) -> String) -> String {
    x.map_or("–".into(), f)
}

/// The Markdown summary: every point and platform in a table.
pub fn markdown(s: &SweepSummary) -> String {
    let mut md = format!(
        "# Sweep of {}\n\nScenario: {}. Varied: {}. {} runs per point and platform, seed {} at every point \
         (the same random numbers throughout). Shares are of each platform's users; ± is one standard error.\n\n",
        s.title,
        s.scenario,
        s.keys
            .iter()
            .zip(&s.values)
            .map(|(k, v)| format!(
                "`{k}` from {} to {} ({} values)",
                v.first().copied().unwrap_or(f64::NAN),
                v.last().copied().unwrap_or(f64::NAN),
                v.len()
            ))
            .collect::<Vec<_>>()
            .join(" and "),
        s.runs,
        s.seed
    );
    let keys = s.keys.join(" | ");
    let _ = writeln!(
        md,
        "| {keys} | platform | final share | reach at 4 h | reach at 24 h | time to 10 % | time to 50 % | runs reaching 10 % |"
    );
    let _ = writeln!(
        md,
        "|{}---|---|---:|---:|---:|---:|---:|---:|",
        "---:|".repeat(s.keys.len())
    );
    for r in &s.rows {
        let values: Vec<String> = r.values.iter().map(|v| format!("{v}")).collect();
        let share = |x: Option<f64>, e: Option<f64>| {
            cell(x, |x| {
                format!(
                    "{} ± {}",
                    pct(x / r.nodes.max(1) as f64),
                    pct(e.unwrap_or(0.0) / r.nodes.max(1) as f64)
                )
            })
        };
        let _ = writeln!(
            md,
            "| {} | {} | {} ± {} | {} | {} | {} | {} | {} |",
            values.join(" | "),
            r.platform,
            pct(r.final_share),
            pct(r.final_reach_sem / r.nodes.max(1) as f64),
            share(r.reach_4h, r.reach_4h_sem),
            share(r.reach_24h, r.reach_24h_sem),
            cell(r.time_to_10pct_hours, |h| format!("{h:.1} h")),
            cell(r.time_to_50pct_hours, |h| format!("{h:.1} h")),
            pct(r.runs_reaching_10pct),
        );
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(values: Vec<f64>, platform: &str, share: f64) -> SweepRow {
        SweepRow {
            values,
            platform: platform.into(),
            nodes: 1000,
            runs: 10,
            final_reach: 1000.0 * share,
            final_reach_sem: 10.0,
            final_share: share,
            reach_1h: Some(5.0),
            reach_1h_sem: Some(1.0),
            reach_4h: Some(50.0),
            reach_4h_sem: Some(2.0),
            reach_24h: None,
            reach_24h_sem: None,
            time_to_10pct_hours: Some(3.25),
            time_to_50pct_hours: None,
            runs_reaching_10pct: 0.7,
            runs_reaching_10pct_sem: 0.14,
            runs_reaching_50pct: 0.0,
            runs_reaching_50pct_sem: 0.0,
        }
    }

    #[test]
    fn table_and_markdown_carry_every_point() {
        let s = SweepSummary {
            title: "t".into(),
            scenario: "s.toml".into(),
            keys: vec!["p_weak".into()],
            values: vec![vec![0.1, 0.2]],
            platforms: vec!["A".into()],
            runs: 10,
            seed: 1,
            rows: vec![row(vec![0.1], "A", 0.25), row(vec![0.2], "A", 0.5)],
        };
        let df = sweep_frame(&s);
        assert_eq!(df.height(), 2);
        let names: Vec<String> = df
            .get_column_names()
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(&names[..3], &["p_weak", "platform", "nodes"]);
        assert!(names.contains(&"time_to_50pct_hours".to_string()));
        let md = markdown(&s);
        assert!(
            md.contains("| 0.2 | A | 50.0 % ± 1.00 % | 5.00 % ± 0.20 % | – | 3.2 h | – | 70.0 % |"),
            "{md}"
        );
        assert!(md.contains("`p_weak` from 0.1 to 0.2 (2 values)"), "{md}");
    }
}

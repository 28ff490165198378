//! Summaries: `summary.json` (machine-readable) and `summary.md` (a table a person reads).

use std::fmt::Write as _;

use super::PlatformReport;

/// Formats a count with thousands separators: `12345.6` → `12,346`.
pub fn thousands(x: f64) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let s = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if x < -0.5 { format!("-{out}") } else { out }
}

fn pct(f: f64) -> String {
    if f >= 0.0995 {
        format!("{:.1} %", 100.0 * f)
    } else {
        format!("{:.2} %", 100.0 * f)
    }
}

fn hours(h: Option<f64>) -> String {
    match h {
        Some(h) if h < 1.0 => format!("{:.0} min", h * 60.0),
        Some(h) => format!("{h:.1} h"),
        None => "not reached".into(),
    }
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
        "| platform | users | reach at 1 h | reach at 4 h | reach at 24 h | time to 10 % | time to 50 % | final reach (mean ± sem) | final p05–p95 |"
    );
    let _ = writeln!(md, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
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
            "| {} | {} | {} | {} | {} | {} | {} | {} ± {:.1} ({}) | {}–{} |",
            p.label,
            thousands(o.nodes as f64),
            at("1"),
            at("4"),
            at("24"),
            tt("0.1"),
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

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(999.4), "999");
        assert_eq!(thousands(1234.0), "1,234");
        assert_eq!(thousands(1234567.0), "1,234,567");
        assert_eq!(thousands(f64::NAN), "–");
    }
}

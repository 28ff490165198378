//! The report of `observed`: `curves.csv`, `curves.parquet`, `delays.csv`, `summary.json`,
//! `summary.md`, `adoption.png`.

use super::charts::{self, ChartOptions};
use super::output::{ReportDir, write_bytes};
use super::text::pct;
use super::{sorted_json, tables};
use crate::Result;
use crate::study::ObservedSummary;

/// Writes the report into `dir`. Curves are in adopters (`nodes` = 0: there is no graph).
///
/// # Errors
/// A file that cannot be written.
pub fn write_observed(dir: &ReportDir, s: &ObservedSummary, chart: &ChartOptions) -> Result<()> {
    let curves = vec![(s.curve.clone(), 0usize)];
    let mut df = tables::curves_frame(&curves);
    tables::write_csv(&mut df, &dir.path("curves.csv"))?;
    tables::write_parquet(&mut df, &dir.path("curves.parquet"))?;
    tables::write_csv(
        &mut tables::number_frame("delay_hours", &s.delays),
        &dir.path("delays.csv"),
    )?;
    write_bytes(&dir.path("summary.json"), sorted_json(s).as_bytes())?;
    write_bytes(&dir.path("summary.md"), markdown(s).as_bytes())?;
    let opts = ChartOptions {
        title: format!("Observed adoption: {} ({} cascades)", s.label, s.cascades),
        ..chart.clone()
    };
    charts::adoption_chart(&dir.path("adoption.png"), &curves, &opts)
}

/// `1.25 h`, or `–`.
fn h(x: Option<f64>) -> String {
    x.map_or("–".to_string(), |x| format!("{x:.2} h"))
}

/// The Markdown summary.
pub fn markdown(s: &ObservedSummary) -> String {
    let within = |k: &str| {
        s.share_of_adoptions_within_hours
            .get(k)
            .map_or("–".to_string(), |&x| pct(x))
    };
    let d = &s.delays_hours;
    format!(
        "# Observed cascades: {}\n\n{} cascades ({}, `{}`), {} adopters; cascade size mean {:.1}, median {}, largest {}.\n\n\
         | adoptions within | 1 h | 4 h | 24 h |\n|---|---:|---:|---:|\n| share of all adoptions | {} | {} | {} |\n\n\
         Parent → child delays ({}): p10 {}, median {}, p90 {}, mean {}.\n",
        s.label,
        s.cascades,
        s.format.name(),
        s.input,
        s.adopters,
        s.size.mean,
        s.size.median.map_or("–".into(), |x| format!("{x:.0}")),
        s.size.max.map_or("–".into(), |x| format!("{x:.0}")),
        within("1"),
        within("4"),
        within("24"),
        d.count,
        h(d.p10),
        h(d.median),
        h(d.p90),
        h(d.mean),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observed::CascadeFormat;
    use crate::study::{ObservedOptions, observed};

    #[test]
    fn markdown_gives_shares_and_delays() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("w.txt");
        std::fs::write(&p, "1\t1\t0\t3\t1:0 1/2:1800 1/2/3:7200\n").unwrap();
        let s = observed(&ObservedOptions {
            cascades: p,
            format: CascadeFormat::Weibo,
            hours: 24.0,
            step_hours: 1.0,
            label: Some("tiny".into()),
        })
        .unwrap();
        let md = markdown(&s);
        assert!(md.starts_with("# Observed cascades: tiny\n"), "{md}");
        assert!(
            md.contains("| share of all adoptions | 66.7 % | 100.0 % | 100.0 % |"),
            "{md}"
        );
        assert!(
            md.contains("Parent → child delays (2): p10 0.50 h, median 1.50 h"),
            "{md}"
        );
    }
}

//! The report of `fit`: `summary.json`, `summary.md`, `curves.csv`, `curves.parquet`,
//! `delays.csv`, and three charts: `fit.png` (mean curves), `adoption_times.png` (what the KS
//! distance measures) and `delays.png` (the delays against every fitted family).

use super::charts::{self, ChartOptions, XAxis};
use super::output::{ReportDir, write_bytes};
use super::{sorted_json, tables};
use crate::Result;
use crate::curves::Curve;
use crate::fit::cdf;
use crate::study::{FitSummary, Generation};

/// Share of a sorted sample at or below `h`.
fn share(sorted: &[f64], h: f64) -> f64 {
    sorted.partition_point(|&t| t <= h) as f64 / sorted.len().max(1) as f64
}

/// Writes the report into `dir`. Curves are in adopters (`nodes` = 0: there is no graph).
///
/// # Errors
/// A file that cannot be written.
pub fn write_fit(dir: &ReportDir, s: &FitSummary, chart: &ChartOptions) -> Result<()> {
    let d = &s.samples;
    let curves: Vec<(Curve, usize)> = d.curves.iter().map(|c| (c.clone(), 0)).collect();
    let mut df = tables::curves_frame(&curves);
    tables::write_csv(&mut df, &dir.path("curves.csv"))?;
    tables::write_parquet(&mut df, &dir.path("curves.parquet"))?;
    tables::write_csv(
        &mut tables::number_frame("delay_hours", &d.delays),
        &dir.path("delays.csv"),
    )?;
    write_bytes(&dir.path("summary.json"), sorted_json(s).as_bytes())?;
    write_bytes(&dir.path("summary.md"), markdown(s).as_bytes())?;

    let label = &s.label;
    let opts = ChartOptions {
        title: format!("{label}: observed vs simulated adoption (mean per cascade)"),
        ..chart.clone()
    };
    let early: Vec<_> = curves
        .iter()
        .map(|(c, n)| (c.until(d.chart_hours), *n))
        .collect();
    charts::adoption_chart(&dir.path("fit.png"), &early, &opts)?;
    let hours: Vec<f64> = d
        .grid
        .map(|g| g.hours())
        .unwrap_or_default()
        .into_iter()
        .filter(|&h| h <= d.chart_hours + 1e-12)
        .collect();
    let cdf_of =
        |v: &[f64]| -> Vec<(f64, f64)> { hours.iter().map(|&h| (h, share(v, h))).collect() };
    let mut cdf_series = vec![
        (
            format!("observed ({} adoptions)", d.observed.len()),
            cdf_of(&d.observed),
        ),
        (
            format!("simulated: KS distance {:.3}", s.ks_distance),
            cdf_of(&d.simulated),
        ),
    ];
    if let (Some(sim), Some(b)) = (&d.simulated_by_generation, &s.by_generation) {
        cdf_series.push((
            format!("simulated, delays by generation: KS {:.3}", b.ks_distance),
            cdf_of(sim),
        ));
    }
    charts::line_chart(
        &dir.path("adoption_times.png"),
        &cdf_series,
        (
            "hours since the cascade's first event",
            "share of adoptions",
        ),
        (XAxis::Linear(d.chart_hours), 1.05),
        &ChartOptions {
            title: format!("{label}: when adoptions happen"),
            ..chart.clone()
        },
    )?;
    let all = &d.delays;
    let resolution = s.delays.resolution_hours;
    let lo = (resolution / 2.0).max(all.first().copied().unwrap_or(resolution));
    let hi = all.last().copied().unwrap_or(1.0).max(lo * 10.0);
    let xs: Vec<f64> = (0..=300)
        .map(|i| lo * (hi / lo).powf(i as f64 / 300.0))
        .collect();
    let mut delay_series = vec![(
        format!("observed ({} delays)", all.len()),
        xs.iter().map(|&x| (x, share(all, x))).collect(),
    )];
    let mut candidates = s.candidates.clone();
    candidates.sort_by_key(|c| c.family != s.chosen.family);
    for c in &candidates {
        delay_series.push((
            format!("{} (AIC {:.0})", c.delay, c.aic),
            xs.iter().map(|&x| (x, cdf(&c.delay, x))).collect(),
        ));
    }
    charts::line_chart(
        &dir.path("delays.png"),
        &delay_series,
        ("parent → child delay, hours (log scale)", "share of delays"),
        (XAxis::Log(lo, hi), 1.05),
        &ChartOptions {
            title: format!("{label}: delay distribution and fits"),
            ..chart.clone()
        },
    )
}

fn f3(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.3}")
    } else {
        "–".into()
    }
}

fn f3o(x: Option<f64>) -> String {
    x.map_or("–".into(), f3)
}

/// The Markdown summary.
pub fn markdown(s: &FitSummary) -> String {
    let g = &s.goodness_of_fit;
    let r = &s.reproduction;
    let mut m = format!(
        "# Time model fitted to {}\n\n{} cascades, {} adopters, {} delays ({}).\n\n\
         | family | fitted delay | log-likelihood | AIC | KS to the delays |\n|---|---|---|---|---|\n",
        s.label, s.cascades, s.adopters, s.delays.count, s.delays.from
    );
    for c in &s.candidates {
        m += &format!(
            "| {} | `{}` | {:.1} | {:.1} | {:.3} |\n",
            c.family, c.delay, c.log_likelihood, c.aic, c.ks_distance
        );
    }
    let w = |k: &str| {
        g.share_of_adoptions_within_hours
            .get(k)
            .map_or(("–".into(), "–".into()), |p| {
                (f3(p.observed), f3(p.simulated))
            })
    };
    let (w1, w4, w24) = (w("1"), w("4"), w("24"));
    m += &format!(
        "\nChosen: `{}` ({}).\n\nChildren per adopter: {} overall (the reproduction rate), {} per root, {} per non-root; {} of adopters have none.\n\n\
         | | observed | simulated |\n|---|---|---|\n| mean cascade size | {} | {} |\n| median adoption hour | {} | {} |\n\
         | share of adoptions within 1 h | {} | {} |\n| within 4 h | {} | {} |\n| within 24 h | {} | {} |\n\n\
         KS distance between observed and simulated adoption times: **{}** ({} simulated cascades).\n",
        s.chosen.delay,
        s.chosen.by,
        f3(r.mean_children_per_adopter),
        f3(r.mean_children_per_root),
        f3(r.mean_children_per_non_root),
        f3(r.share_without_children),
        f3(g.mean_size.observed),
        f3(g.mean_size.simulated),
        f3o(g.median_adoption_hour.observed),
        f3o(g.median_adoption_hour.simulated),
        w1.0,
        w1.1,
        w4.0,
        w4.1,
        w24.0,
        w24.1,
        f3(g.ks_distance),
        s.simulation.simulated_cascades,
    );
    if let Some(b) = &s.by_generation {
        let row = |k: &str, x: &Generation| {
            format!(
                "| {} | {} | {} | `{}` |\n",
                k.replace('_', " "),
                x.count,
                f3o(x.median),
                x.chosen.delay
            )
        };
        m += &format!(
            "\nFor comparison, by generation (children of roots, the original post's direct audience, vs everyone deeper):\n\n\
             | delays | count | median (h) | fit |\n|---|---|---|---|\n{}{}\nAIC {:.1} by generation vs {:.1} for one delay; simulated with these, the KS distance to the observed adoption times is {}.\n",
            row("from_roots", &b.from_roots),
            row("deeper", &b.deeper),
            b.aic,
            b.aic_one_delay,
            f3(b.ks_distance),
        );
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observed::CascadeFormat;
    use crate::study::{FitOptions, fit};

    #[test]
    fn markdown_of_a_small_fit() {
        // 40 two-level trees: a root at 0, children after 0.5, 1, 1.5 ... hours.
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("w.txt");
        let mut text = String::new();
        for c in 0..40 {
            let kids: Vec<String> = (1..=3)
                .map(|k| format!("r{c}/u{c}_{k}:{}", 600 * (k + c % 5)))
                .collect();
            text += &format!("{c}\tr{c}\t0\t4\tr{c}:0 {}\n", kids.join(" "));
        }
        std::fs::write(&p, text).unwrap();
        let s = fit(&FitOptions {
            cascades: p,
            format: CascadeFormat::Weibo,
            family: None,
            resolution_seconds: None,
            runs: 5,
            seed: 1,
            hours: None,
            step_hours: None,
            max_size: None,
            label: Some("toy".into()),
        })
        .unwrap();
        let md = markdown(&s);
        assert!(
            md.starts_with("# Time model fitted to toy\n\n40 cascades, 160 adopters, 120 delays"),
            "{md}"
        );
        for fam in ["exponential", "log-normal", "Weibull"] {
            assert!(md.contains(&format!("| {fam} |")), "{md}");
        }
        assert!(md.contains("Children per adopter: 0.750 overall"), "{md}");
        assert!(md.contains("(200 simulated cascades)"), "{md}");
        // Every root has three children and nobody else has any: too few deeper delays to fit.
        assert!(s.by_generation.is_none() && !md.contains("by generation"));
        let json: serde_json::Value = serde_json::from_str(&sorted_json(&s)).unwrap();
        assert_eq!(json["by_generation"], serde_json::Value::Null);
        assert_eq!(json["reproduction"]["roots"], 40);
    }
}

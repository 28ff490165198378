//! `hongbao fit`: the time model fitted to observed cascades, simulated, and compared with them.

use anyhow::Result;
use serde_json::json;

use super::args::FitArgs;
use super::{chart_options, say};
use hongbao::cascade::{Accumulate, Grid};
use hongbao::curves::{Accumulator, Outcome};
use hongbao::fit::{self, Delays, Family, Reproduction, Simulation, TimeModel};
use hongbao::observed::{CascadeFormat, load_cascades};
use hongbao::report::{self, ReportDir, charts::ChartOptions, charts::XAxis};

/// Share of a sorted sample at or below `h`.
fn share(sorted: &[f64], h: f64) -> f64 {
    sorted.partition_point(|&t| t <= h) as f64 / sorted.len().max(1) as f64
}

/// 1, 2 or 5 times a power of ten, at or above `x`.
fn nice_ceiling(x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let p = 10f64.powf(x.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * p)
        .find(|&v| v >= x)
        .unwrap_or(10.0 * p)
}

fn median(sorted: &[f64]) -> Option<f64> {
    (!sorted.is_empty()).then(|| sorted[(sorted.len() - 1) / 2])
}

pub(super) fn run(a: FitArgs) -> Result<()> {
    let format = CascadeFormat::parse(&a.format)?;
    let forced = match a.family.to_ascii_lowercase().as_str() {
        "auto" => None,
        f => Some(Family::parse(f)?),
    };
    let resolution_s = a.resolution_seconds.unwrap_or(match format {
        CascadeFormat::TwitterTree => 0.6,
        _ => 1.0,
    });
    if !(resolution_s.is_finite() && resolution_s > 0.0) {
        return Err(hongbao::Error::invalid(
            "--resolution-seconds",
            resolution_s.to_string(),
            "must be a positive number of seconds",
        )
        .into());
    }
    if a.runs == 0 {
        return Err(hongbao::Error::invalid("--runs", "0", "need at least one run").into());
    }
    if let Some(h) = a.hours
        && !(h.is_finite() && h > 0.0)
    {
        return Err(hongbao::Error::invalid("--hours", h.to_string(), "must be positive").into());
    }
    let chart = chart_options(&a.output)?;
    let dir = ReportDir::create(&a.out, a.output.force)?;
    let cascades = load_cascades(&a.cascades, format)?;
    let label = a
        .label
        .clone()
        .unwrap_or_else(|| a.format.to_ascii_lowercase());

    // Delays: from the trees, or (no tree in the data) the time since the cascade's first event.
    let delays = Delays::from_cascades(&cascades);
    let resolution = resolution_s / 3600.0;
    let pick = |candidates: &[fit::Candidate]| match forced {
        None => candidates[0].clone(),
        Some(f) => candidates
            .iter()
            .find(|c| c.family == f)
            .cloned()
            .expect("every family is fitted"),
    };
    let mut candidates = fit::fit_delays(&delays.all, resolution)?;
    let chosen = pick(&candidates);
    let one_delay = TimeModel {
        from_roots: chosen.delay,
        deeper: chosen.delay,
    };
    // The same fit for each generation apart, when both have delays to fit.
    let split = if delays.from_roots.len() >= 10 && delays.deeper.len() >= 10 {
        let r = fit::fit_delays(&delays.from_roots, resolution)?;
        let d = fit::fit_delays(&delays.deeper, resolution)?;
        Some((r, d))
    } else {
        None
    };
    let by_generation = split.as_ref().map(|(r, d)| {
        let (r, d) = (pick(r), pick(d));
        let aic = r.aic + d.aic;
        (
            TimeModel {
                from_roots: r.delay,
                deeper: d.delay,
            },
            r,
            d,
            aic,
        )
    });
    let reproduction = Reproduction::from_cascades(&cascades);

    // Observed and simulated adoption times within the horizon.
    // Default horizon: the whole hours that cover 99 % of the observed adoptions (a few cascades
    // in some data sets run on for years).
    let mut observed: Vec<f64> = cascades
        .iter()
        .flat_map(|c| c.adoption_hours.iter().copied())
        .collect();
    observed.sort_by(f64::total_cmp);
    let p99 = observed
        .get(((observed.len() as f64 * 0.99).ceil() as usize).saturating_sub(1))
        .copied()
        .unwrap_or(1.0);
    let horizon = a.hours.unwrap_or(p99.ceil().max(1.0));
    // The observed adoption times within the horizon (sorted, so a prefix).
    let within_horizon = observed.partition_point(|&t| t <= horizon);
    let beyond = observed.len() - within_horizon;
    observed.truncate(within_horizon);
    let largest = cascades
        .iter()
        .map(|c| c.adoption_hours.len())
        .max()
        .unwrap_or(1);
    let max_size = a.max_size.unwrap_or(10 * largest).max(1);
    // Charts show the hours that hold 95 % of the observed adoptions; the default grid step puts
    // 400 points there (and at most 20,000 on the whole horizon).
    let p95 = observed
        .get(((observed.len() as f64 * 0.95).ceil() as usize).saturating_sub(1))
        .copied()
        .unwrap_or(horizon);
    let chart_hours = nice_ceiling(p95).min(horizon);
    let step = a
        .step_hours
        .unwrap_or((chart_hours / 400.0).max(horizon / 20_000.0));
    let grid = Grid::new(step, horizon)?;
    let mut observed_acc = Accumulator::new(largest, grid, horizon);
    for c in &cascades {
        let within = &c.adoption_hours[..c.adoption_hours.partition_point(|&t| t <= horizon)];
        observed_acc.add_run(within, 0);
    }
    let sim = Simulation {
        runs: a.runs,
        seed: a.seed,
        horizon,
        max_size,
        grid,
    };
    // Simulate the fitted model (one delay distribution) and, for comparison, the same branching
    // with delays fitted to each generation apart.
    let simulated = fit::simulate(&cascades, &reproduction, &one_delay, &sim);
    let ks = fit::ks_two_sample(&observed, &simulated.times);
    let split_sim = by_generation
        .as_ref()
        .map(|(m, ..)| fit::simulate(&cascades, &reproduction, m, &sim));
    let ks_split = split_sim
        .as_ref()
        .map(|s| fit::ks_two_sample(&observed, &s.times));
    let obs: Outcome = observed_acc.finish(&format!("{label} observed"));
    let pooled_out: Outcome = simulated
        .accumulator
        .finish(&format!("simulated ({})", chosen.family));
    let split_out: Option<Outcome> = split_sim
        .as_ref()
        .map(|s| s.accumulator.finish("simulated, delays by generation"));

    // Tables. nodes = 0: there is no graph, so curves are in adopters, not shares of users.
    let mut curves = vec![(obs.curve.clone(), 0), (pooled_out.curve.clone(), 0)];
    if let Some(o) = &split_out {
        curves.push((o.curve.clone(), 0));
    }
    let mut df = report::tables::curves_frame(&curves);
    report::tables::write_csv(&mut df, &dir.path("curves.csv"))?;
    report::tables::write_parquet(&mut df, &dir.path("curves.parquet"))?;
    report::tables::write_csv(
        &mut report::tables::number_frame("delay_hours", &delays.all),
        &dir.path("delays.csv"),
    )?;

    let probes = [1.0, 4.0, 24.0];
    let within = |h: f64| json!({ "observed": share(&observed, h), "simulated": share(&simulated.times, h) });
    let n_sim = simulated.cascades.max(1) as f64;
    let all = &delays.all;
    let group = |v: &[f64], c: &[fit::Candidate], chosen: &fit::Candidate| {
        json!({
            "count": v.len(),
            "median": median(v),
            "candidates": c,
            "chosen": { "family": chosen.family, "delay": chosen.delay },
        })
    };
    let summary = json!({
        "input": a.cascades.display().to_string(),
        "format": format,
        "label": label,
        "cascades": cascades.len(),
        "adopters": cascades.iter().map(|c| c.adoption_hours.len()).sum::<usize>(),
        "delays": {
            "from": if reproduction.from_trees { "parent→child links in the trees" } else { "time since the cascade's first event (the data has no tree: every adopter is taken as a child of the first)" },
            "count": all.len(),
            "resolution_hours": resolution,
            "below_resolution": all.partition_point(|&d| d < resolution),
            "mean": all.iter().sum::<f64>() / all.len().max(1) as f64,
            "median": median(all),
        },
        "candidates": candidates,
        "chosen": {
            "family": chosen.family,
            "delay": chosen.delay,
            "by": if forced.is_some() { "--family" } else { "lowest AIC" },
        },
        // A comparison: the delays of roots' children and of deeper adopters fitted apart.
        "by_generation": match (&split, &by_generation) {
            (Some((r, d)), Some((m, rc, dc, aic))) => json!({
                "from_roots": group(&delays.from_roots, r, rc),
                "deeper": group(&delays.deeper, d, dc),
                "aic": aic,
                "aic_one_delay": chosen.aic,
                "time_model": m,
                "ks_distance": ks_split,
            }),
            _ => serde_json::Value::Null,
        },
        "reproduction_rate": reproduction.mean_children_per_adopter,
        "reproduction": reproduction,
        "simulation": {
            "model": "branching process: observed roots at their observed times; children per adopter drawn from the observed counts (roots and non-roots apart); delays from the chosen fit",
            "runs": a.runs,
            "seed": a.seed,
            "horizon_hours": horizon,
            "observed_adoptions_beyond_horizon": beyond,
            "step_hours": step,
            "max_size": max_size,
            "simulated_cascades": simulated.cascades,
            "stopped_at_max_size": simulated.capped,
        },
        "ks_distance": ks,
        "goodness_of_fit": {
            "ks_distance": ks,
            "ks_distance_delays_by_generation": ks_split,
            "ks_distance_delays": chosen.ks_distance,
            "mean_size": {
                "observed": observed.len() as f64 / cascades.len() as f64,
                "simulated": simulated.times.len() as f64 / n_sim,
            },
            "median_adoption_hour": { "observed": median(&observed), "simulated": median(&simulated.times) },
            "share_of_adoptions_within_hours": {
                "1": within(probes[0]), "4": within(probes[1]), "24": within(probes[2]),
            },
        },
    });
    report::write_file(
        &dir.path("summary.json"),
        format!("{}\n", serde_json::to_string_pretty(&summary)?).as_bytes(),
    )?;
    report::write_file(
        &dir.path("summary.md"),
        markdown(&label, &summary, &candidates).as_bytes(),
    )?;

    // Charts: mean curves, adoption-time distributions (what the KS distance measures), delays.
    let chart_hours = chart_hours.max(step);
    let opts = ChartOptions {
        title: format!("{label}: observed vs simulated adoption (mean per cascade)"),
        ..chart.clone()
    };
    let early: Vec<_> = curves
        .iter()
        .map(|(c, n)| (c.until(chart_hours), *n))
        .collect();
    report::charts::adoption_chart(&dir.path("fit.png"), &early, &opts)?;
    let hours: Vec<f64> = grid
        .hours()
        .into_iter()
        .filter(|&h| h <= chart_hours + 1e-12)
        .collect();
    let cdf = |v: &[f64]| -> Vec<(f64, f64)> { hours.iter().map(|&h| (h, share(v, h))).collect() };
    let mut cdf_series = vec![
        (
            format!("observed ({} adoptions)", observed.len()),
            cdf(&observed),
        ),
        (
            format!("simulated: KS distance {ks:.3}"),
            cdf(&simulated.times),
        ),
    ];
    if let (Some(sim), Some(k)) = (&split_sim, ks_split) {
        cdf_series.push((
            format!("simulated, delays by generation: KS {k:.3}"),
            cdf(&sim.times),
        ));
    }
    report::charts::line_chart(
        &dir.path("adoption_times.png"),
        &cdf_series,
        (
            "hours since the cascade's first event",
            "share of adoptions",
        ),
        (XAxis::Linear(chart_hours), 1.05),
        &ChartOptions {
            title: format!("{label}: when adoptions happen"),
            ..chart.clone()
        },
    )?;
    let lo = (resolution / 2.0).max(all.first().copied().unwrap_or(resolution));
    let hi = all.last().copied().unwrap_or(1.0).max(lo * 10.0);
    let xs: Vec<f64> = (0..=300)
        .map(|i| lo * (hi / lo).powf(i as f64 / 300.0))
        .collect();
    let mut delay_series = vec![(
        format!("observed ({} delays)", all.len()),
        xs.iter().map(|&x| (x, share(all, x))).collect(),
    )];
    candidates.sort_by_key(|c| c.family != chosen.family);
    for c in &candidates {
        delay_series.push((
            format!("{} (AIC {:.0})", c.delay, c.aic),
            xs.iter().map(|&x| (x, fit::cdf(&c.delay, x))).collect(),
        ));
    }
    report::charts::line_chart(
        &dir.path("delays.png"),
        &delay_series,
        ("parent → child delay, hours (log scale)", "share of delays"),
        (XAxis::Log(lo, hi), 1.05),
        &ChartOptions {
            title: format!("{label}: delay distribution and fits"),
            ..chart
        },
    )?;
    let out = dir.commit()?;
    if a.output.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    }
    say(
        a.output.quiet,
        format!(
            "{} cascades; delays fit best by {} (of {} delays, {} below the {:.1} s resolution); {:.2} children per adopter ({:.2} per root, {:.3} per non-root)\nsimulated {} cascades: KS distance to the observed adoption times {:.3}{}; median adoption at {:.2} h observed, {:.2} h simulated\nwrote {}",
            cascades.len(),
            chosen.delay,
            all.len(),
            summary["delays"]["below_resolution"],
            resolution_s,
            reproduction.mean_children_per_adopter,
            reproduction.mean_children_per_root,
            reproduction.mean_children_per_non_root,
            simulated.cascades,
            ks,
            ks_split.map_or(String::new(), |k| format!(
                " (with delays fitted per generation: {k:.3})"
            )),
            median(&observed).unwrap_or(f64::NAN),
            median(&simulated.times).unwrap_or(f64::NAN),
            out.display()
        ),
    );
    Ok(())
}

fn markdown(label: &str, s: &serde_json::Value, candidates: &[fit::Candidate]) -> String {
    let g = &s["goodness_of_fit"];
    let r = &s["reproduction"];
    let f = |v: &serde_json::Value| v.as_f64().map_or("–".to_string(), |x| format!("{x:.3}"));
    let mut m = format!(
        "# Time model fitted to {label}\n\n{} cascades, {} adopters, {} delays ({}).\n\n\
         | family | fitted delay | log-likelihood | AIC | KS to the delays |\n|---|---|---|---|---|\n",
        s["cascades"],
        s["adopters"],
        s["delays"]["count"],
        s["delays"]["from"].as_str().unwrap_or("")
    );
    for c in candidates {
        m += &format!(
            "| {} | `{}` | {:.1} | {:.1} | {:.3} |\n",
            c.family, c.delay, c.log_likelihood, c.aic, c.ks_distance
        );
    }
    m += &format!(
        "\nChosen: `{}` ({}).\n\nChildren per adopter: {} overall (the reproduction rate), {} per root, {} per non-root; {} of adopters have none.\n\n\
         | | observed | simulated |\n|---|---|---|\n| mean cascade size | {} | {} |\n| median adoption hour | {} | {} |\n\
         | share of adoptions within 1 h | {} | {} |\n| within 4 h | {} | {} |\n| within 24 h | {} | {} |\n\n\
         KS distance between observed and simulated adoption times: **{}** ({} simulated cascades).\n",
        s["chosen"]["delay"].as_str().unwrap_or(""),
        s["chosen"]["by"].as_str().unwrap_or(""),
        f(&r["mean_children_per_adopter"]),
        f(&r["mean_children_per_root"]),
        f(&r["mean_children_per_non_root"]),
        f(&r["share_without_children"]),
        f(&g["mean_size"]["observed"]),
        f(&g["mean_size"]["simulated"]),
        f(&g["median_adoption_hour"]["observed"]),
        f(&g["median_adoption_hour"]["simulated"]),
        f(&g["share_of_adoptions_within_hours"]["1"]["observed"]),
        f(&g["share_of_adoptions_within_hours"]["1"]["simulated"]),
        f(&g["share_of_adoptions_within_hours"]["4"]["observed"]),
        f(&g["share_of_adoptions_within_hours"]["4"]["simulated"]),
        f(&g["share_of_adoptions_within_hours"]["24"]["observed"]),
        f(&g["share_of_adoptions_within_hours"]["24"]["simulated"]),
        f(&g["ks_distance"]),
        s["simulation"]["simulated_cascades"],
    );
    if let Some(b) = s["by_generation"].as_object() {
        let row = |k: &str| {
            format!(
                "| {} | {} | {} | `{}` |\n",
                k.replace('_', " "),
                b[k]["count"],
                f(&b[k]["median"]),
                b[k]["chosen"]["delay"].as_str().unwrap_or("")
            )
        };
        m += &format!(
            "\nFor comparison, by generation (children of roots, the original post's direct audience, vs everyone deeper):\n\n\
             | delays | count | median (h) | fit |\n|---|---|---|---|\n{}{}\nAIC {:.1} by generation vs {:.1} for one delay; simulated with these, the KS distance to the observed adoption times is {}.\n",
            row("from_roots"),
            row("deeper"),
            b["aic"].as_f64().unwrap_or(f64::NAN),
            b["aic_one_delay"].as_f64().unwrap_or(f64::NAN),
            f(&b["ks_distance"]),
        );
    }
    m
}

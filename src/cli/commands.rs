//! One function per command: options from the flags, the library's study, its report, a line or
//! two on the terminal. Each refuses bad input and an existing report before the long work.

use std::time::Instant;

use anyhow::Result;

use super::args::{
    CompareArgs, FitArgs, GenerateArgs, ObservedArgs, PercolationArgs, PlotArgs, SeedsArgs,
    SimulateArgs, StatsArgs, SweepArgs,
};
use super::options;
use super::output::print_stdout;
use super::progress::{Style, Terminal, say};
use hongbao::cluster::Member;
use hongbao::graph::generate::Generator;
use hongbao::graph::load::Format;
use hongbao::graph::stats::stats as graph_stats;
use hongbao::report::{self, ChartOptions, ReportDir};
use hongbao::study;

pub fn generate(a: GenerateArgs) -> Result<()> {
    let (generator, rewire) = Generator::with_params(&a.model, &a.params)?;
    Format::from_path(&a.output)?;
    let t = Instant::now();
    let g = generator.generate_rewired(rewire, a.nodes, a.seed)?;
    let gen_s = t.elapsed().as_secs_f64();
    report::write_graph(&g, &a.output, a.force)?;
    let (strong, weak) = g.tie_split();
    say(
        a.quiet,
        format!(
            "wrote {}: {} nodes, {} edges ({strong} strong, {weak} weak); generated in {gen_s:.2} s",
            a.output.display(),
            g.node_count(),
            g.edge_count(),
        ),
    );
    Ok(())
}

pub fn stats(a: StatsArgs) -> Result<()> {
    let (g, _) = options::graph(&a.graph)?.load()?;
    let s = graph_stats(&g);
    if a.json {
        print_stdout(&format!("{}\n", serde_json::to_string_pretty(&s)?))
    } else {
        print_stdout(&report::stats_table(
            &a.graph.graph.display().to_string(),
            &s,
        ))
    }
}

pub fn simulate(a: SimulateArgs) -> Result<()> {
    let opts = options::simulate(&a)?;
    let chart = options::report_chart(&a.output)?;
    opts.check()?;
    let member = options::cluster(&a.cluster)?;
    let run = |progress: &Terminal| {
        if a.partition {
            study::simulate_partitioned(&opts, progress)
        } else {
            study::simulate(&opts, progress)
        }
    };
    let Some(dir) = report_dir(&member, &a.out, a.output.force)? else {
        let progress = Terminal::new(true, Style::Compare);
        run(&progress)?;
        return helper_done(member, a.output.quiet);
    };
    let path = a.graph.graph.display().to_string();
    let progress = Terminal::new(a.output.quiet, Style::Simulate { path });
    let rep = run(&progress)?;
    progress.finish();
    leave(member, a.output.quiet)?;
    report::write_simulate(&dir, &opts.title(), &rep, &chart)?;
    let out = commit(dir, a.output.json, || {
        Ok(format!("{}\n", report::summary_json(&rep)))
    })?;
    let (o, runs, s) = (&rep.outcome, a.runs as f64, rep.sim_seconds);
    say(
        a.output.quiet,
        format!(
            "{} runs in {s:.4} s ({} engine; {:.0} runs/s, {:.1} M arcs examined/s): final reach {:.1} ± {:.1} of {} ({:.2} %)\nwrote {}",
            a.runs,
            rep.parameters.engine,
            runs / s,
            o.attempts_per_run * runs / s / 1e6,
            o.final_reach.mean,
            o.final_reach.sem,
            o.nodes,
            100.0 * o.final_reach.fraction,
            out.display()
        ),
    );
    Ok(())
}

pub fn compare(a: CompareArgs) -> Result<()> {
    let chart = options::report_chart(&a.output)?;
    let sc = options::scenario(&a)?;
    let member = options::cluster(&a.cluster)?;
    let Some(dir) = report_dir(&member, &a.out, a.output.force)? else {
        let progress = Terminal::new(true, Style::Compare);
        if a.decompose {
            study::decompose(&sc, &progress)?;
        } else {
            study::compare(&sc, &progress)?;
        }
        return helper_done(member, a.output.quiet);
    };
    let q = a.output.quiet;
    let n = sc.platforms.len();
    say(
        q,
        format!(
            "{}: {n} platforms, {} runs each, {} h",
            sc.title, sc.runs, sc.hours
        ),
    );
    let started = Instant::now();
    let progress = Terminal::new(q, Style::Compare);
    if a.decompose {
        let d = study::decompose(&sc, &progress)?;
        progress.finish();
        leave(member, a.output.quiet)?;
        report::write_decomposition(&dir, &d, &chart)?;
        let out = commit(dir, a.output.json, || hongbao_json(&d))?;
        if !q {
            eprint!("\n{}", report::decomposition_markdown(&d));
            eprintln!(
                "wrote {} in {:.1} s",
                out.display(),
                started.elapsed().as_secs_f64()
            );
        }
        return Ok(());
    }
    let summary = study::compare(&sc, &progress)?;
    progress.finish();
    leave(member, a.output.quiet)?;
    report::write_compare(&dir, &summary, &chart)?;
    let out = commit(dir, a.output.json, || {
        Ok(format!("{}\n", report::compare_json(&summary)))
    })?;
    if !q {
        let md = report::platforms_markdown(&summary.title, &summary.platforms);
        eprintln!();
        eprint!("{}", md.split("\n## ").next().unwrap_or(""));
        eprintln!(
            "\nwrote {} in {:.1} s (adoption.png, new_per_hour.png, curves.csv, curves.parquet, summary.json, summary.md)",
            out.display(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

pub fn plot(a: PlotArgs) -> Result<()> {
    let opts = ChartOptions {
        title: a.title.clone(),
        log_y: a.log,
        ..options::chart(a.width, a.height)?
    };
    let curves = study::read_curve_files(&a.curves)?;
    report::write_chart(&a.output, a.force, &curves, &opts, a.new_per_hour)?;
    eprintln!("wrote {}", a.output.display());
    Ok(())
}

pub fn percolation(a: PercolationArgs) -> Result<()> {
    let chart = options::report_chart(&a.output)?;
    let opts = options::percolation(&a)?;
    let dir = ReportDir::create(&a.out, a.output.force)?;
    let s = study::percolation(&opts)?;
    report::write_percolation(&dir, &s, &chart)?;
    let out = commit(dir, a.output.json, || hongbao_json(&s))?;
    say(
        a.output.quiet,
        format!(
            "{}: ranked by {}; the largest component falls below half the nodes after removing {} of the ties weakest first, {} strongest first\nwrote {}",
            s.name,
            s.strength,
            report::share_or_never(s.weakest_first.largest_below_half_at),
            report::share_or_never(s.strongest_first.largest_below_half_at),
            out.display()
        ),
    );
    Ok(())
}

pub fn observed(a: ObservedArgs) -> Result<()> {
    let chart = options::report_chart(&a.output)?;
    let opts = options::observed(&a)?;
    let dir = ReportDir::create(&a.out, a.output.force)?;
    let s = study::observed(&opts)?;
    report::write_observed(&dir, &s, &chart)?;
    let out = commit(dir, a.output.json, || hongbao_json(&s))?;
    let within = |k: &str| 100.0 * s.share_of_adoptions_within_hours[k];
    say(
        a.output.quiet,
        format!(
            "{} cascades, {} adopters; median parent-child delay {}; {:.0} % of adoptions within 1 h, {:.0} % within 24 h\nwrote {}",
            s.cascades,
            s.adopters,
            s.delays_hours
                .median
                .map_or("unknown".to_string(), |d| format!("{d:.2} h")),
            within("1"),
            within("24"),
            out.display()
        ),
    );
    Ok(())
}

pub fn fit(a: FitArgs) -> Result<()> {
    let chart = options::report_chart(&a.output)?;
    let opts = options::fit(&a)?;
    let dir = ReportDir::create(&a.out, a.output.force)?;
    let s = study::fit(&opts)?;
    report::write_fit(&dir, &s, &chart)?;
    let out = commit(dir, a.output.json, || hongbao_json(&s))?;
    let (r, g) = (&s.reproduction, &s.goodness_of_fit);
    say(
        a.output.quiet,
        format!(
            "{} cascades; delays fit best by {} (of {} delays, {} below the {:.1} s resolution); {:.2} children per adopter ({:.2} per root, {:.3} per non-root)\nsimulated {} cascades: KS distance to the observed adoption times {:.3}{}; median adoption at {:.2} h observed, {:.2} h simulated\nwrote {}",
            s.cascades,
            s.chosen.delay,
            s.delays.count,
            s.delays.below_resolution,
            opts.resolution_seconds(),
            r.mean_children_per_adopter,
            r.mean_children_per_root,
            r.mean_children_per_non_root,
            s.simulation.simulated_cascades,
            s.ks_distance,
            s.by_generation.as_ref().map_or(String::new(), |b| format!(
                " (with delays fitted per generation: {:.3})",
                b.ks_distance
            )),
            g.median_adoption_hour.observed.unwrap_or(f64::NAN),
            g.median_adoption_hour.simulated.unwrap_or(f64::NAN),
            out.display()
        ),
    );
    Ok(())
}

pub fn sweep(a: SweepArgs) -> Result<()> {
    let chart = options::report_chart(&a.output)?;
    let opts = options::sweep(&a)?;
    let member = options::cluster(&a.cluster)?;
    let Some(dir) = report_dir(&member, &a.out, a.output.force)? else {
        study::sweep(&opts, &Terminal::new(true, Style::Compare))?;
        return helper_done(member, a.output.quiet);
    };
    let started = Instant::now();
    let progress = Terminal::new(a.output.quiet, Style::Compare);
    let s = study::sweep(&opts, &progress)?;
    progress.finish();
    leave(member, a.output.quiet)?;
    report::write_sweep(&dir, &s, &chart)?;
    let out = commit(dir, a.output.json, || hongbao_json(&s))?;
    say(
        a.output.quiet,
        format!(
            "{} points × {} platforms in {:.1} s\nwrote {} (sweep.csv, sweep.parquet, sweep.png, summary.md, summary.json)",
            s.rows.len() / s.platforms.len().max(1),
            s.platforms.len(),
            started.elapsed().as_secs_f64(),
            out.display()
        ),
    );
    Ok(())
}

pub fn seeds(a: SeedsArgs) -> Result<()> {
    let chart = options::report_chart(&a.output)?;
    let opts = options::seeds(&a)?;
    let member = options::cluster(&a.cluster)?;
    let Some(dir) = report_dir(&member, &a.out, a.output.force)? else {
        study::seeds(&opts, &Terminal::new(true, Style::Compare))?;
        return helper_done(member, a.output.quiet);
    };
    let path = a.graph.graph.display().to_string();
    let progress = Terminal::new(a.output.quiet, Style::Simulate { path });
    let s = study::seeds(&opts, &progress)?;
    progress.finish();
    leave(member, a.output.quiet)?;
    report::write_seeds(&dir, &s, &chart)?;
    let out = commit(dir, a.output.json, || hongbao_json(&s))?;
    let sel = &s.selection;
    say(
        a.output.quiet,
        format!(
            "{} seeds chosen in {:.2} s from {} RR sets: estimated {:.1} ± {:.1} adopters ({}), \
             at least {:.1}; ratio {:.3} of the best (asked {:.3})\nwrote {} (seeds.csv, seeds.txt, {}summary.md, summary.json)",
            s.k,
            s.performance.select_seconds,
            hongbao::report::thousands(sel.rr_sets as f64),
            sel.estimate,
            sel.estimate_sem,
            s.hours
                .map_or("final reach".to_string(), |h| format!("within {h} h")),
            sel.lower,
            sel.ratio,
            sel.target_ratio,
            out.display(),
            // The chart is drawn from the forward evaluation, which `--eval-runs 0` skips.
            if s.forward.is_empty() {
                ""
            } else {
                "seeds.png, "
            },
        ),
    );
    Ok(())
}

/// The report directory, staged, for the process that writes the report: every process outside
/// a cluster, process 0 in one (the others only run their share of the runs, and touch no file).
fn report_dir(
    member: &Option<Member>,
    out: &std::path::Path,
    force: bool,
) -> Result<Option<ReportDir>> {
    match member {
        Some(m) if m.process() != 0 => Ok(None),
        _ => Ok(Some(ReportDir::create(out, force)?)),
    }
}

/// Leaves the cluster, if any, once every exchange is done: the report is written only when the
/// whole cluster finished.
fn leave(member: Option<Member>, quiet: bool) -> Result<()> {
    if let Some(m) = member {
        let (i, n, sent) = (m.process(), m.processes(), m.bytes_sent());
        m.leave()?;
        say(
            quiet,
            format!(
                "process {i} of {n}: sent {} bytes to the other processes",
                hongbao::report::thousands(sent as f64)
            ),
        );
    }
    Ok(())
}

/// A process other than 0 after its share: leaves the cluster and says so.
fn helper_done(member: Option<Member>, quiet: bool) -> Result<()> {
    let (i, n) = member
        .as_ref()
        .map_or((0, 1), |m| (m.process(), m.processes()));
    leave(member, quiet)?;
    say(
        quiet,
        format!("process {i} of {n}: its runs are done and merged; process 0 writes the report"),
    );
    Ok(())
}

/// Puts the staged report in place; then, with `--json`, prints the summary that `json` makes.
fn commit(
    dir: ReportDir,
    json: bool,
    summary: impl FnOnce() -> Result<String>,
) -> Result<std::path::PathBuf> {
    let out = dir.commit()?;
    if json {
        print_stdout(&summary()?)?;
    }
    Ok(out)
}

/// A summary as `--json` prints it: as its `summary.json`.
fn hongbao_json(s: &impl serde::Serialize) -> Result<String> {
    let v = serde_json::to_value(s)?;
    Ok(format!("{}\n", serde_json::to_string_pretty(&v)?))
}

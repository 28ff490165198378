//! The command line: turns raw flags into typed options in one place, runs the library, prints,
//! shows progress, and maps errors to exit codes (1 for any error the user can fix).

mod args;
mod fit;

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Parser;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use args::{
    Cli, Command, CompareArgs, GenerateArgs, GraphArgs, ModelArgs, ObservedArgs, PercolationArgs,
    PlotArgs, SimulateArgs, StatsArgs,
};
use hongbao::cascade::{Activation, Delay, SeedSpec};
use hongbao::graph::generate::Generator;
use hongbao::graph::load::{self, Format, LoadOptions};
use hongbao::graph::{Graph, stats};
use hongbao::report::{self, ReportDir, charts::ChartOptions};
use hongbao::scenario::{self, GraphSource, Platform, RunSettings, Scenario};
use hongbao::ties::{self, TieSpec};

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let result = match cli.command {
        Command::Compare(a) => compare(a),
        Command::Generate(a) => generate(a),
        Command::Stats(a) => stats_cmd(a),
        Command::Simulate(a) => simulate(a),
        Command::Plot(a) => plot(a),
        Command::Percolation(a) => percolation(a),
        Command::Observed(a) => observed(a),
        Command::Fit(a) => fit::run(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hongbao: error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(1)
        }
    }
}

/// One progress-bar factory: a bar on a terminal, nothing when piped or quiet.
fn progress_bar(total: u64, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    pb.set_style(
        ProgressStyle::with_template(
            "{msg:28} [{bar:40.cyan/blue}] {pos}/{len} runs ({rate}, eta {eta})",
        )
        .expect("valid template")
        .with_key(
            "rate",
            |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.0} runs/s", s.per_sec());
            },
        )
        .progress_chars("=> "),
    );
    pb
}

/// Prints a status line to stderr unless quiet.
fn say(quiet: bool, msg: impl AsRef<str>) {
    if !quiet {
        eprintln!("{}", msg.as_ref());
    }
}

fn load_options(g: &GraphArgs) -> Result<LoadOptions> {
    Ok(LoadOptions {
        directed: g.directed,
        format: g.format.as_deref().map(Format::parse).transpose()?,
        src: g.src.clone(),
        dst: g.dst.clone(),
        weight: g.weight.clone(),
        tie: g.tie.clone(),
        layers: g.layers.clone(),
    })
}

/// Loads the graph and applies `--ties` (default: keep the file's labels, if any).
fn load_graph(g: &GraphArgs) -> Result<(Graph, String)> {
    let spec = g.ties.as_deref().map(str::parse::<TieSpec>).transpose()?;
    let opts = load_options(g)?;
    let graph = load::load(&g.graph, &opts)?;
    match spec {
        Some(spec) => {
            let desc = spec.to_string();
            Ok((ties::classify(graph, &spec)?, desc))
        }
        None if graph.has_tie_labels() => Ok((graph, "column".into())),
        None => Ok((graph, "none (every tie weak)".into())),
    }
}

fn generate(a: GenerateArgs) -> Result<()> {
    let mut table = toml::Table::new();
    table.insert(
        "model".into(),
        toml::Value::String(a.model.to_ascii_lowercase()),
    );
    Generator::by_name(&a.model)?;
    for kv in &a.params {
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| hongbao::Error::invalid("--param", kv.as_str(), "expected KEY=VALUE"))?;
        let value = if let Ok(i) = v.parse::<i64>() {
            toml::Value::Integer(i)
        } else if let Ok(f) = v.parse::<f64>() {
            toml::Value::Float(f)
        } else {
            toml::Value::String(v.to_string())
        };
        table.insert(k.trim().to_string(), value);
    }
    let generator: Generator =
        toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| {
                hongbao::Error::invalid("--param", a.params.join(" "), e.message().to_string())
            })?;
    Format::from_path(&a.output)?;
    let t = Instant::now();
    let g = generator.generate(a.nodes, a.seed)?;
    let gen_s = t.elapsed().as_secs_f64();
    report::tables::write_graph(&g, &a.output, a.force)?;
    let (strong, weak) = g.tie_split();
    say(
        a.quiet,
        format!(
            "wrote {}: {} nodes, {} edges ({} strong, {} weak); generated in {:.2} s",
            a.output.display(),
            g.node_count(),
            g.edge_count(),
            strong,
            weak,
            gen_s
        ),
    );
    Ok(())
}

fn stats_cmd(a: StatsArgs) -> Result<()> {
    let (g, _) = load_graph(&a.graph)?;
    let s = stats::stats(&g);
    if a.json {
        println!("{}", serde_json::to_string_pretty(&s)?);
        return Ok(());
    }
    let rows: Vec<(&str, String)> = vec![
        ("file", a.graph.graph.display().to_string()),
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
    for (k, v) in rows {
        println!("{k:>19}  {v}");
    }
    Ok(())
}

/// Typed model options from the flags.
fn model_options(m: &ModelArgs) -> Result<(Activation, Delay, Delay)> {
    let activation = scenario::activation_from(
        m.p,
        m.p_strong,
        m.p_weak,
        m.p_from_weight,
        m.weighted_cascade,
        Activation::Uniform { p: 0.1 },
    )?;
    let (ds, dw) = match &m.delay {
        Some(d) => (Delay::parse("--delay", d)?, Delay::parse("--delay", d)?),
        None => (
            Delay::parse("--delay-strong", &m.delay_strong)?,
            Delay::parse("--delay-weak", &m.delay_weak)?,
        ),
    };
    Ok((activation, ds, dw))
}

fn chart_options(o: &args::OutputArgs) -> Result<ChartOptions> {
    check_size(o.width, o.height)?;
    Ok(ChartOptions {
        width: o.width,
        height: o.height,
        ..Default::default()
    })
}

fn check_size(w: u32, h: u32) -> Result<()> {
    if !(200..=10_000).contains(&w) || !(150..=10_000).contains(&h) {
        return Err(hongbao::Error::invalid(
            "--width/--height",
            format!("{w}x{h}"),
            "must be 200-10000 by 150-10000 pixels",
        )
        .into());
    }
    Ok(())
}

fn simulate(a: SimulateArgs) -> Result<()> {
    let (activation, delay_strong, delay_weak) = model_options(&a.model)?;
    let seeds = SeedSpec::parse(&a.seeds)?;
    let chart = chart_options(&a.output)?;
    let horizon = a.model.hours;
    let curve_hours = a.curve_hours.unwrap_or(horizon.unwrap_or(72.0));
    let settings = RunSettings {
        nodes: 0,
        runs: a.runs,
        seed: a.seed,
        horizon_hours: horizon,
        curve_hours,
        step_hours: a.step_hours,
        engine: hongbao::cascade::Engine::parse(&a.engine)?,
    };
    // Validate everything cheap before the long work.
    hongbao::cascade::Model {
        activation: activation.clone(),
        delay_strong,
        delay_weak,
        horizon_hours: horizon,
    }
    .validate()?;
    hongbao::cascade::Grid::new(a.step_hours, curve_hours)?;
    if a.runs == 0 {
        return Err(hongbao::Error::invalid("--runs", "0", "need at least one run").into());
    }
    let dir = ReportDir::create(&a.out, a.output.force)?;

    let t = Instant::now();
    let (graph, ties_desc) = load_graph(&a.graph)?;
    let load_s = t.elapsed().as_secs_f64();
    let label = a.label.clone().unwrap_or_else(|| {
        a.graph
            .graph
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "graph".into())
    });
    say(
        a.output.quiet,
        format!(
            "loaded {}: {} nodes, {} edges in {:.2} s",
            a.graph.graph.display(),
            graph.node_count(),
            graph.edge_count(),
            load_s
        ),
    );
    if matches!(activation, Activation::ByTie { .. }) && graph.tie_split().0 == 0 {
        say(
            a.output.quiet,
            "note: the graph has no strong ties, so --p-strong has no effect (see --ties)",
        );
    }
    let platform = Platform {
        label,
        graph: GraphSource::File {
            path: a.graph.graph.clone(),
            load: load_options(&a.graph)?,
        },
        ties: a
            .graph
            .ties
            .as_deref()
            .map(str::parse)
            .transpose()?
            .unwrap_or(TieSpec::Labels),
        activation,
        delay_strong,
        delay_weak,
        seeds,
        rationale: Default::default(),
    };
    let pb = progress_bar(a.runs, a.output.quiet);
    pb.set_message(platform.label.clone());
    let hidden = pb.is_hidden();
    let mut rep = scenario::run_platform(&platform, &graph, &settings, &|| {
        if !hidden {
            pb.inc(1)
        }
    })?;
    pb.finish_and_clear();
    let sim_s = rep.sim_seconds;
    rep.parameters.ties = ties_desc;
    let title = format!("Adoption on {}", rep.label);
    report::write_report(&dir, &title, std::slice::from_ref(&rep), true, &chart)?;
    let out = dir.commit()?;
    if a.output.json {
        println!("{}", report::summary_json(&rep));
    }
    let o = &rep.outcome;
    say(
        a.output.quiet,
        format!(
            "{} runs in {:.4} s ({} engine; {:.0} runs/s, {:.1} M arcs examined/s): final reach {:.1} ± {:.1} of {} ({:.2} %)\nwrote {}",
            a.runs,
            sim_s,
            rep.parameters.engine,
            a.runs as f64 / sim_s,
            o.attempts_per_run * a.runs as f64 / sim_s / 1e6,
            o.final_reach.mean,
            o.final_reach.sem,
            o.nodes,
            100.0 * o.final_reach.fraction,
            out.display()
        ),
    );
    Ok(())
}

fn compare(a: CompareArgs) -> Result<()> {
    let chart = chart_options(&a.output)?;
    let mut sc = match &a.scenario {
        Some(p) => Scenario::from_file(p)?,
        None => Scenario::red_packet(),
    };
    if let Some(n) = a.nodes {
        sc.nodes = n;
    }
    if let Some(r) = a.runs {
        sc.runs = r;
    }
    if let Some(h) = a.hours {
        sc.hours = h;
    }
    if let Some(s) = a.seed {
        sc.seed = s;
    }
    if let Some(s) = a.step_hours {
        sc.step_hours = s;
    }
    if sc.runs == 0 {
        return Err(hongbao::Error::invalid("--runs", "0", "need at least one run").into());
    }
    let settings = RunSettings {
        nodes: sc.nodes,
        runs: sc.runs,
        seed: sc.seed,
        horizon_hours: Some(sc.hours),
        curve_hours: sc.hours,
        step_hours: sc.step_hours,
        engine: hongbao::cascade::Engine::Auto,
    };
    hongbao::cascade::Grid::new(sc.step_hours, sc.hours)?;
    for p in &sc.platforms {
        hongbao::cascade::Model {
            activation: p.activation.clone(),
            delay_strong: p.delay_strong,
            delay_weak: p.delay_weak,
            horizon_hours: Some(sc.hours),
        }
        .validate()
        .with_context(|| format!("platform {:?}", p.label))?;
    }
    let dir = ReportDir::create(&a.out, a.output.force)?;
    let q = a.output.quiet;
    say(
        q,
        format!(
            "{}: {} platforms, {} runs each, {} h",
            sc.title,
            sc.platforms.len(),
            sc.runs,
            sc.hours
        ),
    );
    let started = Instant::now();
    let pb = progress_bar(sc.runs * sc.platforms.len() as u64, q);
    let mut reports = Vec::new();
    for p in &sc.platforms {
        let t = Instant::now();
        let graph = scenario::build_graph(&p.graph, &p.ties, sc.nodes, sc.seed)
            .with_context(|| format!("platform {:?}", p.label))?;
        let build_s = t.elapsed().as_secs_f64();
        pb.set_message(p.label.clone());
        let hidden = pb.is_hidden();
        let rep = scenario::run_platform(p, &graph, &settings, &|| {
            if !hidden {
                pb.inc(1)
            }
        })
        .with_context(|| format!("platform {:?}", p.label))?;
        let sim_s = rep.sim_seconds;
        pb.suspend(|| {
            say(
                q,
                format!(
                    "  {}: {} nodes, {} edges (built in {:.1} s); {} runs in {:.1} s; final reach {:.1} %",
                    p.label,
                    graph.node_count(),
                    graph.edge_count(),
                    build_s,
                    sc.runs,
                    sim_s,
                    100.0 * rep.outcome.final_reach.fraction
                ),
            )
        });
        reports.push(rep);
    }
    pb.finish_and_clear();
    report::write_report(&dir, &sc.title, &reports, false, &chart)?;
    let out = dir.commit()?;
    if a.output.json {
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({ "title": sc.title, "platforms": reports })
            )?
        );
    }
    if !q {
        eprintln!();
        eprint!(
            "{}",
            report::summary::markdown(&sc.title, &reports)
                .split("\n## ")
                .next()
                .unwrap_or("")
        );
        eprintln!(
            "\nwrote {} in {:.1} s (adoption.png, new_per_hour.png, curves.csv, curves.parquet, summary.json, summary.md)",
            out.display(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

fn plot(a: PlotArgs) -> Result<()> {
    check_size(a.width, a.height)?;
    if a.output
        .extension()
        .is_none_or(|e| !e.eq_ignore_ascii_case("png"))
    {
        return Err(hongbao::Error::file(
            &a.output,
            "the chart is written as PNG: give a .png file name",
        )
        .into());
    }
    let mut curves = Vec::new();
    for p in &a.curves {
        let mut c = report::tables::read_curves(p)?;
        if a.curves.len() > 1 {
            let stem = Path::new(p)
                .parent()
                .and_then(|d| d.file_name())
                .map(|s| s.to_string_lossy().into_owned());
            if let Some(stem) = stem {
                for (curve, _) in &mut c {
                    if curves
                        .iter()
                        .any(|(x, _): &(hongbao::curves::Curve, usize)| x.label == curve.label)
                    {
                        curve.label = format!("{} ({stem})", curve.label);
                    }
                }
            }
        }
        curves.extend(c);
    }
    let opts = ChartOptions {
        width: a.width,
        height: a.height,
        title: a.title.clone(),
        log_y: a.log,
    };
    report::write_atomic(&a.output, a.force, |tmp| {
        if a.new_per_hour {
            report::charts::new_per_hour_chart(tmp, &curves, &opts)
        } else {
            report::charts::adoption_chart(tmp, &curves, &opts)
        }
    })?;
    eprintln!("wrote {}", a.output.display());
    Ok(())
}

fn percolation(a: PercolationArgs) -> Result<()> {
    use hongbao::graph::percolation::{Order, percolation};
    let chart = chart_options(&a.output)?;
    if !(2..=100_000).contains(&a.points) {
        return Err(hongbao::Error::invalid(
            "--points",
            a.points.to_string(),
            "must be 2 to 100000",
        )
        .into());
    }
    let spec: TieSpec = a
        .graph
        .ties
        .as_deref()
        .unwrap_or("overlap-quantile:0.5")
        .parse()?;
    let dir = ReportDir::create(&a.out, a.output.force)?;
    let graph = load::load(&a.graph.graph, &load_options(&a.graph)?)?;
    let (score, measure) = ties::edge_strength(&graph, &spec)?;
    let classified = ties::classify(graph, &spec)?;
    let (strong, weak) = classified.tie_split();
    let graph = classified;
    let mut rows: Vec<(Order, Vec<hongbao::graph::percolation::Point>)> = Vec::new();
    for order in [Order::WeakestFirst, Order::StrongestFirst] {
        rows.push((order, percolation(&graph, &score, order, a.points, a.seed)));
    }
    let tables: Vec<(&str, &[hongbao::graph::percolation::Point])> = rows
        .iter()
        .map(|(o, pts)| (o.as_str(), pts.as_slice()))
        .collect();
    report::tables::write_csv(
        &mut report::tables::percolation_frame(&tables),
        &dir.path("percolation.csv"),
    )?;
    // Summary: where the largest component first falls below half the nodes, and where the
    // susceptibility peaks (the percolation transition).
    let describe = |pts: &[hongbao::graph::percolation::Point]| {
        let half = pts
            .iter()
            .find(|p| p.largest_component < 0.5)
            .map(|p| p.fraction_removed);
        let peak = pts
            .iter()
            .max_by(|x, y| x.susceptibility.total_cmp(&y.susceptibility))
            .map(|p| p.fraction_removed);
        serde_json::json!({ "largest_below_half_at": half, "susceptibility_peak_at": peak, "points": pts })
    };
    let name = a
        .graph
        .graph
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let summary = serde_json::json!({
        "graph": a.graph.graph.display().to_string(),
        "nodes": graph.node_count(),
        "edges": graph.edge_count(),
        "ties": spec.to_string(),
        "strength": measure,
        "strong_ties": strong,
        "weak_ties": weak,
        "seed": a.seed,
        "weakest_first": describe(&rows[0].1),
        "strongest_first": describe(&rows[1].1),
    });
    report::write_file(
        &dir.path("summary.json"),
        format!("{}\n", serde_json::to_string_pretty(&summary)?).as_bytes(),
    )?;
    let series: Vec<(String, Vec<(f64, f64)>)> = rows
        .iter()
        .map(|(o, pts)| {
            (
                format!(
                    "{} ties removed first ({measure})",
                    if *o == Order::WeakestFirst {
                        "weakest"
                    } else {
                        "strongest"
                    }
                ),
                pts.iter()
                    .map(|p| (p.fraction_removed, p.largest_component))
                    .collect(),
            )
        })
        .collect();
    let opts = ChartOptions {
        title: format!("Tie-removal percolation on {name}"),
        ..chart
    };
    report::charts::line_chart(
        &dir.path("percolation.png"),
        &series,
        (
            "fraction of ties removed",
            "largest component (fraction of nodes)",
        ),
        (report::charts::XAxis::Linear(1.0), 1.05),
        &opts,
    )?;
    let out = dir.commit()?;
    if a.output.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    }
    let fmt = |v: &serde_json::Value| {
        v.as_f64()
            .map_or("never".to_string(), |x| format!("{:.0} %", 100.0 * x))
    };
    say(
        a.output.quiet,
        format!(
            "{name}: ranked by {measure}; the largest component falls below half the nodes after removing {} of the ties weakest first, {} strongest first\nwrote {}",
            fmt(&summary["weakest_first"]["largest_below_half_at"]),
            fmt(&summary["strongest_first"]["largest_below_half_at"]),
            out.display()
        ),
    );
    Ok(())
}

fn observed(a: ObservedArgs) -> Result<()> {
    use hongbao::cascade::{Accumulate, Grid};
    use hongbao::curves::Accumulator;
    use hongbao::observed::{CascadeFormat, load_cascades};
    let format = CascadeFormat::parse(&a.format)?;
    let grid = Grid::new(a.step_hours, a.hours)?;
    let chart = chart_options(&a.output)?;
    let dir = ReportDir::create(&a.out, a.output.force)?;
    let cascades = load_cascades(&a.cascades, format)?;
    let largest = cascades
        .iter()
        .map(|c| c.adoption_hours.len())
        .max()
        .unwrap_or(1);
    let mut acc = Accumulator::new(largest, grid, f64::INFINITY);
    for c in &cascades {
        acc.add_run(&c.adoption_hours, 0);
    }
    let label = a
        .label
        .clone()
        .unwrap_or_else(|| a.format.to_ascii_lowercase());
    let outcome = acc.finish(&label);
    // Tables: the mean curve over cascades (nodes = 0: there is no graph), and every delay.
    let curves = vec![(outcome.curve.clone(), 0usize)];
    let mut df = report::tables::curves_frame(&curves);
    report::tables::write_csv(&mut df, &dir.path("curves.csv"))?;
    report::tables::write_parquet(&mut df, &dir.path("curves.parquet"))?;
    let mut delays: Vec<f64> = cascades
        .iter()
        .flat_map(|c| c.delays_hours.iter().copied())
        .collect();
    delays.sort_by(f64::total_cmp);
    report::tables::write_csv(
        &mut report::tables::number_frame("delay_hours", &delays),
        &dir.path("delays.csv"),
    )?;
    let q = |v: &[f64], p: f64| -> Option<f64> {
        (!v.is_empty()).then(|| v[((p * (v.len() - 1) as f64).round() as usize).min(v.len() - 1)])
    };
    let mut sizes: Vec<f64> = cascades
        .iter()
        .map(|c| c.adoption_hours.len() as f64)
        .collect();
    sizes.sort_by(f64::total_cmp);
    let all: Vec<f64> = cascades
        .iter()
        .flat_map(|c| c.adoption_hours.iter().copied())
        .collect();
    let within = |h: f64| all.iter().filter(|&&t| t <= h).count() as f64 / all.len().max(1) as f64;
    let summary = serde_json::json!({
        "input": a.cascades.display().to_string(),
        "format": format,
        "cascades": cascades.len(),
        "adopters": all.len(),
        "size": { "mean": sizes.iter().sum::<f64>() / sizes.len() as f64, "median": q(&sizes, 0.5), "max": sizes.last() },
        "share_of_adoptions_within_hours": { "1": within(1.0), "4": within(4.0), "24": within(24.0) },
        "delays_hours": {
            "count": delays.len(),
            "mean": (!delays.is_empty()).then(|| delays.iter().sum::<f64>() / delays.len() as f64),
            "p10": q(&delays, 0.1), "median": q(&delays, 0.5), "p90": q(&delays, 0.9),
        },
        "mean_curve_at_hours": outcome.reach_at_hours,
        "grid": { "step_hours": a.step_hours, "end_hours": a.hours },
    });
    report::write_file(
        &dir.path("summary.json"),
        format!("{}\n", serde_json::to_string_pretty(&summary)?).as_bytes(),
    )?;
    let opts = ChartOptions {
        title: format!("Observed adoption: {label} ({} cascades)", cascades.len()),
        ..chart
    };
    report::charts::adoption_chart(&dir.path("adoption.png"), &curves, &opts)?;
    let out = dir.commit()?;
    if a.output.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    }
    say(
        a.output.quiet,
        format!(
            "{} cascades, {} adopters; median parent-child delay {}; {:.0} % of adoptions within 1 h, {:.0} % within 24 h\nwrote {}",
            cascades.len(),
            all.len(),
            q(&delays, 0.5).map_or("unknown".to_string(), |d| format!("{:.2} h", d)),
            100.0 * within(1.0),
            100.0 * within(24.0),
            out.display()
        ),
    );
    Ok(())
}

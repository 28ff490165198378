//! Flags to typed options: the one place where the command line becomes the library's input.
//! Specs (`--ties`, `--delay-*`, `--seeds`) are parsed by the library, so a bad one gets the
//! library's message, naming the flag.

use anyhow::Result;

use super::args::{
    ClusterArgs, CompareArgs, FitArgs, GraphArgs, ModelArgs, ObservedArgs, OutputArgs,
    PercolationArgs, SeedsArgs, SimulateArgs, SweepArgs,
};
use hongbao::Naming;
use hongbao::cascade::{Engine, Model, ModelSpec, SeedSpec};
use hongbao::cluster::{ClusterConfig, Member, join, read_hosts};
use hongbao::fit::Family;
use hongbao::graph::load::{Format, LoadOptions};
use hongbao::observed::CascadeFormat;
use hongbao::report::ChartOptions;
use hongbao::study::{
    FitOptions, GraphInput, ObservedOptions, Overrides, PercolationOptions, Scenario, SeedsOptions,
    SimulateOptions, SweepOptions,
};

/// How to read the graph, and its tie rule.
pub fn graph(g: &GraphArgs) -> Result<GraphInput> {
    let max_memory = g
        .max_memory
        .as_deref()
        .map(|m| bytes("--max-memory", m))
        .transpose()?;
    // The cap also bounds every later estimate of this process (runs' scratch, RR sets).
    hongbao::set_memory_cap(max_memory);
    Ok(GraphInput {
        path: g.graph.clone(),
        load: LoadOptions {
            directed: g.directed,
            format: g.format.as_deref().map(Format::parse).transpose()?,
            src: g.src.clone(),
            dst: g.dst.clone(),
            weight: g.weight.clone(),
            tie: g.tie.clone(),
            layers: g.layers.clone(),
            max_memory,
        },
        ties: g.ties.as_deref().map(str::parse).transpose()?,
    })
}

/// The model, built and checked by the library's one builder.
pub fn model(m: &ModelArgs) -> Result<Model> {
    Ok(ModelSpec {
        model: m.model.clone(),
        lt_weights: m.lt_weights.clone(),
        p: m.p,
        p_strong: m.p_strong,
        p_weak: m.p_weak,
        p_from_weight: m.p_from_weight,
        weighted_cascade: m.weighted_cascade,
        delay: m.delay.clone(),
        delay_strong: m.delay_strong.clone(),
        delay_weak: m.delay_weak.clone(),
        hours: m.hours,
    }
    .build(Naming::Flag)?)
}

/// Chart size, checked.
pub fn chart(width: u32, height: u32) -> Result<ChartOptions> {
    if !(200..=10_000).contains(&width) || !(150..=10_000).contains(&height) {
        return Err(hongbao::Error::invalid(
            "--width/--height",
            format!("{width}x{height}"),
            "must be 200-10000 by 150-10000 pixels",
        )
        .into());
    }
    Ok(ChartOptions {
        width,
        height,
        ..Default::default()
    })
}

/// The chart size of a report.
pub fn report_chart(o: &OutputArgs) -> Result<ChartOptions> {
    chart(o.width, o.height)
}

pub fn simulate(a: &SimulateArgs) -> Result<SimulateOptions> {
    Ok(SimulateOptions {
        graph: graph(&a.graph)?,
        model: model(&a.model)?,
        seeds: SeedSpec::parse(&a.seeds)?,
        runs: a.runs,
        seed: a.seed,
        step_hours: a.step_hours,
        curve_hours: a.curve_hours,
        label: a.label.clone(),
        engine: Engine::parse(&a.engine)?,
    })
}

/// The scenario (a file, or the built-in red packet) with the flags' values in place.
pub fn scenario(a: &CompareArgs) -> Result<Scenario> {
    let sc = match &a.scenario {
        Some(p) => Scenario::from_file(p)?,
        None => Scenario::red_packet(),
    };
    Ok(sc.with_overrides(&Overrides {
        nodes: a.nodes,
        runs: a.runs,
        hours: a.hours,
        seed: a.seed,
        step_hours: a.step_hours,
    })?)
}

pub fn percolation(a: &PercolationArgs) -> Result<PercolationOptions> {
    let opts = PercolationOptions {
        graph: graph(&a.graph)?,
        points: a.points,
        seed: a.seed,
    };
    opts.check()?;
    Ok(opts)
}

pub fn observed(a: &ObservedArgs) -> Result<ObservedOptions> {
    let opts = ObservedOptions {
        cascades: a.cascades.clone(),
        format: CascadeFormat::parse(&a.format)?,
        hours: a.hours,
        step_hours: a.step_hours,
        label: a.label.clone(),
    };
    hongbao::curves::Grid::new(opts.step_hours, opts.hours)?;
    Ok(opts)
}

pub fn fit(a: &FitArgs) -> Result<FitOptions> {
    let opts = FitOptions {
        cascades: a.cascades.clone(),
        format: CascadeFormat::parse(&a.format)?,
        family: match a.family.to_ascii_lowercase().as_str() {
            "auto" => None,
            f => Some(Family::parse(f)?),
        },
        resolution_seconds: a.resolution_seconds,
        runs: a.runs,
        seed: a.seed,
        hours: a.hours,
        step_hours: a.step_hours,
        max_size: a.max_size,
        label: a.label.clone(),
    };
    opts.check()?;
    Ok(opts)
}

/// The sweep: the scenario's text (a file, or the built-in one), the ranges, checked.
pub fn sweep(a: &SweepArgs) -> Result<SweepOptions> {
    Ok(SweepOptions::from_source(
        &a.scenario,
        &a.vary,
        a.output.force,
        a.runs,
        a.seed,
    )?)
}

/// A size in bytes: a number with an optional K, M, G or T (powers of 1024).
pub fn bytes(flag: &str, text: &str) -> Result<u64> {
    let t = text.trim();
    let (num, mult) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let m = match c.to_ascii_uppercase() {
                'K' => 1u64 << 10,
                'M' => 1 << 20,
                'G' => 1 << 30,
                'T' => 1 << 40,
                _ => 0,
            };
            (&t[..i], m)
        }
        _ => (t, 1),
    };
    match num.trim().parse::<f64>() {
        Ok(x) if mult > 0 && x.is_finite() && x > 0.0 => Ok((x * mult as f64) as u64),
        _ => {
            Err(
                hongbao::Error::invalid(flag, text, "expected a size such as 4G, 512M or 1000000")
                    .into(),
            )
        }
    }
}

/// Seed selection: the graph, the model (its --hours is the deadline), k, ε, δ.
pub fn seeds(a: &SeedsArgs) -> Result<SeedsOptions> {
    let opts = SeedsOptions {
        graph: graph(&a.graph)?,
        model: model(&a.model)?,
        select: hongbao::influence::SelectOptions {
            k: a.k,
            eps: a.eps,
            delta: a.delta,
            seed: a.seed,
            max_memory: a
                .graph
                .max_memory
                .as_deref()
                .map(|m| bytes("--max-memory", m))
                .transpose()?,
        },
        eval_runs: a.eval_runs,
    };
    opts.check()?;
    Ok(opts)
}

/// The cluster the flags describe: `None` for one process (the default: no socket), else this
/// process's membership once every process is connected.
pub fn cluster(c: &ClusterArgs) -> Result<Option<Member>> {
    if c.processes == 0 {
        anyhow::bail!(hongbao::Error::invalid(
            "--processes",
            "0",
            "need at least one process"
        ));
    }
    if c.processes == 1 {
        if c.process != 0 {
            anyhow::bail!(hongbao::Error::invalid(
                "--process",
                c.process.to_string(),
                "with one process (--processes 1) its index is 0"
            ));
        }
        if c.hosts.is_none() {
            return Ok(None);
        }
    }
    let Some(hosts) = &c.hosts else {
        anyhow::bail!(hongbao::Error::invalid(
            "--hosts",
            "",
            format!(
                "{} processes need a hosts file: one host:port per line, one line per process",
                c.processes
            )
        ));
    };
    if c.cluster_timeout == 0 {
        anyhow::bail!(hongbao::Error::invalid(
            "--cluster-timeout",
            "0",
            "need at least one second"
        ));
    }
    let config = ClusterConfig {
        processes: c.processes,
        process: c.process,
        addresses: read_hosts(hosts, c.processes)?,
        workers: c.workers,
        timeout: std::time::Duration::from_secs(c.cluster_timeout),
    };
    Ok(join(config)?)
}

//! `simulate`: the time-resolved cascade on one graph file.

use super::platform::{PlatformReport, RunSettings, run_platform};
use super::scenario::{GraphSource, Platform};
use super::{GraphInput, Progress, Warning};
use crate::cascade::{Activation, Engine, Model, MonteCarlo, SeedSpec};
use crate::curves::Grid;
use crate::graph::Graph;
use crate::ties::TieSpec;
use crate::{Naming, Result};

/// Everything `simulate` needs.
#[derive(Clone, Debug, PartialEq)]
pub struct SimulateOptions {
    pub graph: GraphInput,
    /// The model, horizon included (built by [`crate::cascade::ModelSpec`]).
    pub model: Model,
    pub seeds: SeedSpec,
    pub runs: u64,
    pub seed: u64,
    /// Grid step of the curves, in hours.
    pub step_hours: f64,
    /// End of the curves; default: the horizon, or 72 h when it is unbounded.
    pub curve_hours: Option<f64>,
    /// The name of the run in curves and charts; default: the file's name.
    pub label: Option<String>,
    pub engine: Engine,
}

impl SimulateOptions {
    /// The hours the curves cover.
    pub fn curve_hours(&self) -> f64 {
        self.curve_hours
            .unwrap_or(self.model.horizon_hours.unwrap_or(72.0))
    }

    /// The run's label.
    pub fn label(&self) -> String {
        self.label.clone().unwrap_or_else(|| self.graph.file_name())
    }

    /// The report's title.
    pub fn title(&self) -> String {
        format!("Adoption on {}", self.label())
    }

    /// Checks everything that needs no file, so that a mistake is reported before the long work.
    ///
    /// # Errors
    /// An invalid model, grid or number of runs.
    pub fn check(&self) -> Result<()> {
        self.model.check(Naming::Flag)?;
        Grid::new(self.step_hours, self.curve_hours())?;
        MonteCarlo::new(self.runs, self.seed, Naming::Flag)?;
        Ok(())
    }
}

/// Loads the graph, simulates, and summarises.
///
/// # Errors
/// As [`SimulateOptions::check`], loading the graph, and resolving the seeds.
pub fn simulate(opts: &SimulateOptions, progress: &dyn Progress) -> Result<PlatformReport> {
    opts.check()?;
    let t = std::time::Instant::now();
    let (graph, ties_desc) = opts.graph.load()?;
    progress.graph_ready(&opts.label(), &graph, t.elapsed().as_secs_f64());
    simulate_on(opts, &graph, ties_desc, progress)
}

/// [`simulate`] on a graph already loaded (from `opts.graph`, whose path and options the report
/// names) with its tie rule applied, described as `ties_desc`.
///
/// # Errors
/// As [`SimulateOptions::check`], and resolving the seeds.
pub fn simulate_on(
    opts: &SimulateOptions,
    graph: &Graph,
    ties_desc: String,
    progress: &dyn Progress,
) -> Result<PlatformReport> {
    opts.check()?;
    let label = opts.label();
    if matches!(opts.model.activation, Activation::ByTie { .. }) && graph.tie_split().0 == 0 {
        progress.warn(Warning::NoStrongTies);
    }
    let platform = Platform {
        label,
        graph: GraphSource::File {
            path: opts.graph.path.clone(),
            load: opts.graph.load.clone(),
        },
        ties: opts.graph.ties.clone().unwrap_or(TieSpec::Labels),
        adoption: opts.model.adoption.clone(),
        activation: opts.model.activation.clone(),
        delay_strong: opts.model.delay_strong,
        delay_weak: opts.model.delay_weak,
        seeds: opts.seeds.clone(),
        rationale: Default::default(),
    };
    let settings = RunSettings {
        nodes: 0,
        runs: opts.runs,
        seed: opts.seed,
        horizon_hours: opts.model.horizon_hours,
        curve_hours: opts.curve_hours(),
        step_hours: opts.step_hours,
        engine: opts.engine,
    };
    progress.started(opts.runs);
    let mut rep = run_platform(&platform, graph, &settings, progress)?;
    rep.parameters.ties = ties_desc;
    progress.platform_done(&rep);
    Ok(rep)
}

/// [`simulate`] on a graph partitioned over the processes of the cluster this process belongs
/// to (one process outside a cluster): each holds the arcs of the nodes it owns, and cascades
/// cross processes as messages (see [`crate::partition`]). The report (filled on process 0) has
/// the same bytes for any number of processes; it agrees with [`simulate`]'s in distribution.
///
/// # Errors
/// As [`SimulateOptions::check`], and what the partitioned path does not take: a compressed or
/// table file, a tie rule or model that needs the whole graph, random or best seeds.
pub fn simulate_partitioned(
    opts: &SimulateOptions,
    progress: &dyn Progress,
) -> Result<PlatformReport> {
    use crate::partition::{Part, simulate};
    opts.check()?;
    let format = match opts.graph.load.format {
        Some(f) => f,
        None => crate::graph::load::Format::from_path(&opts.graph.path)?,
    };
    if format != crate::graph::load::Format::Text {
        return Err(crate::Error::file(
            &opts.graph.path,
            "--partition reads a plain text edge list (SNAP format)",
        ));
    }
    if !opts.graph.load.layers.is_empty() {
        return Err(crate::Error::invalid(
            "--layer",
            opts.graph.load.layers.join(","),
            "--partition does not add interaction layers",
        ));
    }
    let t = std::time::Instant::now();
    let sent0 = crate::cluster::bytes_sent();
    let part = Part::load(&opts.graph.path, &opts.graph.load, opts.graph.ties.as_ref())?;
    let (own_nodes, own_arcs) = part.own();
    progress.note(format!(
        "loaded {}, partitioned over {} process{}: {} nodes, {} edges in all; {} nodes and {} \
         arcs ({:.1} MB) held by process {} in {:.2} s, {} bytes sent to the others",
        opts.graph.path.display(),
        part.parts,
        if part.parts == 1 { "" } else { "es" },
        part.nodes,
        part.edges,
        own_nodes,
        own_arcs,
        part.bytes() as f64 / 1e6,
        part.me,
        t.elapsed().as_secs_f64(),
        crate::cluster::bytes_sent() - sent0
    ));
    let sent1 = crate::cluster::bytes_sent();
    if matches!(opts.model.activation, Activation::ByTie { .. }) && part.strong_ties == 0 {
        progress.warn(Warning::NoStrongTies);
    }
    let seeds = part.seeds(&opts.seeds)?;
    let grid = Grid::new(opts.step_hours, opts.curve_hours())?;
    progress.started(opts.runs);
    progress.runs_started(&opts.label(), opts.runs);
    let timer = std::time::Instant::now();
    let out = simulate(
        &part,
        &opts.model,
        &seeds,
        opts.runs,
        opts.seed,
        grid,
        &|| progress.run_done(),
    )?;
    let sent = crate::cluster::bytes_sent() - sent1;
    progress.note(format!(
        "process {}: {} exchanges with the other processes, {} bytes sent in {} runs ({:.0} per run)",
        part.me,
        out.exchanges,
        sent,
        opts.runs,
        sent as f64 / opts.runs.max(1) as f64
    ));
    let label = opts.label();
    let outcome = out.acc.finish(&label);
    let sim_seconds = timer.elapsed().as_secs_f64();
    let graph = GraphSource::File {
        path: opts.graph.path.clone(),
        load: opts.graph.load.clone(),
    };
    let model = &opts.model;
    let rep = PlatformReport {
        label,
        outcome,
        parameters: super::platform::Parameters {
            graph: graph.to_string(),
            nodes: part.nodes,
            edges: part.edges,
            directed: part.directed,
            strong_ties: part.strong_ties,
            weak_ties: part.weak_ties,
            ties: part.ties_desc.clone(),
            model: model.adoption.clone(),
            activation: model.activation.clone(),
            delay_strong: model.delay_strong,
            delay_weak: model.delay_weak,
            horizon_hours: model.horizon_hours,
            seeds: opts.seeds.to_string(),
            seed_nodes: seeds.len(),
            runs: opts.runs,
            seed: opts.seed,
            step_hours: opts.step_hours,
            curve_hours: opts.curve_hours(),
            engine: "partitioned".into(),
            rationale: Default::default(),
        },
        sim_seconds,
    };
    progress.platform_done(&rep);
    Ok(rep)
}

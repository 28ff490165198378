//! One platform end to end: its graph built (generated or loaded, ties labelled), its seeds
//! resolved, its runs simulated and aggregated into a [`PlatformReport`]. `compare` runs this for
//! every platform of a scenario, `simulate` for one graph file.

use std::collections::BTreeMap;
use std::path::Path;

use super::Progress;
use super::scenario::{GraphSource, Platform};
use crate::cascade::{
    Activation, Adoption, Delay, Engine, Model, MonteCarlo, SeedPlan, SeedSpec, simulate_plan,
};
use crate::curves::{Accumulator, Grid, Outcome};
use crate::graph::Graph;
use crate::ties::TieSpec;
use crate::{Error, Result};

/// Settings shared by every platform of a run.
#[derive(Clone, Debug, PartialEq)]
pub struct RunSettings {
    /// Node count for generated graphs (a platform's own `nodes` wins).
    pub nodes: usize,
    pub runs: u64,
    pub seed: u64,
    /// Model horizon; `None` = unbounded.
    pub horizon_hours: Option<f64>,
    /// Curves are sampled every `step_hours` up to `curve_hours`.
    pub curve_hours: f64,
    pub step_hours: f64,
    /// Which implementation runs the cascades.
    pub engine: Engine,
}

/// One platform's results and the parameters that produced them: what `summary.json` holds for
/// it (the outcome's fields, then `parameters`).
#[derive(Clone, Debug, serde::Serialize)]
pub struct PlatformReport {
    pub label: String,
    #[serde(flatten)]
    pub outcome: Outcome,
    pub parameters: Parameters,
    /// Wall time of the Monte Carlo and its aggregation, in seconds (the seeds chosen and the graph
    /// built before, the report written after). Shown on the terminal; never written to an
    /// output file, whose bytes depend only on the inputs and the seed.
    #[serde(skip)]
    pub sim_seconds: f64,
}

/// Every parameter behind a result, with the reason for each assumption.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Parameters {
    /// Where the graph came from (a generator and its parameters, or a file).
    pub graph: String,
    pub nodes: usize,
    pub edges: usize,
    pub directed: bool,
    pub strong_ties: usize,
    pub weak_ties: usize,
    pub ties: String,
    /// How a node decides to adopt (`ic`, `threshold:K`, ...).
    pub model: Adoption,
    pub activation: Activation,
    pub delay_strong: Delay,
    pub delay_weak: Delay,
    pub horizon_hours: Option<f64>,
    pub seeds: String,
    pub seed_nodes: usize,
    pub runs: u64,
    pub seed: u64,
    pub step_hours: f64,
    pub curve_hours: f64,
    /// The engine that ran the cascades (`scalar`, `fused` or `plain`), after `auto:` when
    /// `--engine auto` chose it.
    pub engine: String,
    /// One-line rationale per parameter (platform presets; empty for user-given values).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub rationale: BTreeMap<String, String>,
}

/// Builds (generates or loads) a platform's graph and applies its tie rule.
///
/// # Errors
/// A generator or file that cannot give a graph, or a tie rule the graph cannot serve.
pub fn build_graph(source: &GraphSource, ties: &TieSpec, nodes: usize, seed: u64) -> Result<Graph> {
    let g = match source {
        GraphSource::Generated {
            generator,
            nodes: own,
            rewire,
        } => {
            let n = own.unwrap_or(nodes);
            // Arcs (both ways), with the edge list, sort buffers and CSR: about 24 bytes each.
            let need = (n as f64 * (generator.mean_degree_bound() * 24.0 + 16.0)) as u64;
            if let Some(limit) = crate::mem::allowance()
                && need > limit
            {
                return Err(Error::invalid(
                    "nodes",
                    n.to_string(),
                    format!(
                        "generating a {} graph of {n} nodes needs about {} of memory, more than the {} available; use fewer nodes",
                        generator.name(),
                        crate::mem::human(need),
                        crate::mem::human(limit)
                    ),
                ));
            }
            generator.generate_rewired(*rewire, n, seed)?
        }
        GraphSource::File { path, load } => crate::graph::load::load(path, load)?,
    };
    crate::ties::classify(g, ties)
}

/// Resolves a seed spec on a graph, reading a seed file when the spec names one.
///
/// # Errors
/// More seeds than nodes, or a seed file that cannot be read or names unknown nodes.
pub fn resolve_seeds(spec: &SeedSpec, graph: &Graph, seed: u64, model: &Model) -> Result<SeedPlan> {
    match spec {
        SeedSpec::File(p) => {
            crate::graph::load::load_seed_file(Path::new(p), graph).map(SeedPlan::Fixed)
        }
        SeedSpec::Best { k, eps } => {
            let opts = crate::influence::SelectOptions {
                k: *k,
                eps: *eps,
                delta: None,
                seed,
                max_memory: None,
            };
            crate::influence::select(graph, model, &opts)
                .map_err(|e| match e {
                    Error::Invalid { option, value, msg } if option == "--k" => Error::invalid(
                        "--seeds",
                        spec.to_string(),
                        format!("{option} = {value}: {msg}"),
                    ),
                    other => other,
                })
                .map(|sel| SeedPlan::Fixed(sel.seeds.into_iter().map(|u| (u, 0.0)).collect()))
        }
        other => other.plan(graph, seed),
    }
}

/// Runs one platform on an already built graph: seeds, Monte Carlo, aggregation. `progress`
/// hears of every run.
///
/// # Errors
/// An invalid model or grid, or seeds that cannot be resolved on the graph.
pub fn run_platform(
    p: &Platform,
    graph: &Graph,
    s: &RunSettings,
    progress: &dyn Progress,
) -> Result<PlatformReport> {
    let model = p.model(s.horizon_hours);
    model.validate()?;
    let grid = Grid::new(s.step_hours, s.curve_hours)?;
    let seeds = resolve_seeds(&p.seeds, graph, s.seed, &model)?;
    let n = graph.node_count();
    progress.runs_started(&p.label, s.runs);
    let timer = std::time::Instant::now();
    let (acc, engine) = simulate_plan(
        graph,
        &model,
        &seeds,
        MonteCarlo {
            runs: s.runs,
            seed: s.seed,
        },
        s.engine,
        || Accumulator::new(n, grid, model.horizon()),
        &|| progress.run_done(),
    )?;
    let outcome = acc.finish(&p.label);
    let sim_seconds = timer.elapsed().as_secs_f64();
    let (strong, weak) = graph.tie_split();
    let graph_desc = match &p.graph {
        GraphSource::Generated { .. } => format!("{} (seed {})", p.graph, s.seed),
        other => other.to_string(),
    };
    Ok(PlatformReport {
        label: p.label.clone(),
        outcome,
        parameters: Parameters {
            graph: graph_desc,
            nodes: n,
            edges: graph.edge_count(),
            directed: graph.is_directed(),
            strong_ties: strong,
            weak_ties: weak,
            ties: p.ties.to_string(),
            model: model.adoption,
            activation: model.activation,
            delay_strong: model.delay_strong,
            delay_weak: model.delay_weak,
            horizon_hours: model.horizon_hours,
            seeds: p.seeds.to_string(),
            seed_nodes: match &seeds {
                SeedPlan::Fixed(v) => v.len(),
                SeedPlan::PerRun(k) => *k,
            },
            runs: s.runs,
            seed: s.seed,
            step_hours: s.step_hours,
            curve_hours: s.curve_hours,
            engine: match s.engine {
                Engine::Auto => format!("auto:{}", engine.name()),
                _ => engine.name().to_string(),
            },
            rationale: p.rationale.clone(),
        },
        sim_seconds,
    })
}

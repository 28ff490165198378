//! Scenarios: any number of platforms, each a graph, a tie rule, a model and seeds. The built-in
//! red-packet scenario compares a WeChat-like strong-tie network with an Alipay-like weak-tie one;
//! a TOML file describes any other (`hongbao compare --scenario FILE`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::cascade::{Activation, Delay, SeedSpec};
use crate::graph::generate::Generator;
use crate::graph::load::{Format, LoadOptions};
use crate::ties::TieSpec;
use crate::{Error, Result};

/// Where a platform's graph comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum GraphSource {
    /// A seeded generator; `nodes` overrides the scenario's node count.
    Generated {
        generator: Generator,
        nodes: Option<usize>,
    },
    /// An edge-list file (a relative path is relative to the scenario file).
    File { path: PathBuf, load: LoadOptions },
}

impl std::fmt::Display for GraphSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GraphSource::Generated { generator, .. } => {
                let params = toml::to_string(generator).unwrap_or_default();
                let params: Vec<String> = params
                    .lines()
                    .filter(|l| !l.starts_with("model"))
                    .map(|l| l.replace(' ', ""))
                    .collect();
                if params.is_empty() {
                    write!(f, "generated {}", generator.name())
                } else {
                    write!(f, "generated {} ({})", generator.name(), params.join(", "))
                }
            }
            GraphSource::File { path, load } => {
                write!(
                    f,
                    "file {}{}",
                    path.display(),
                    if load.directed { " (directed)" } else { "" }
                )
            }
        }
    }
}

/// One platform of a scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Platform {
    pub label: String,
    pub graph: GraphSource,
    pub ties: TieSpec,
    pub activation: Activation,
    pub delay_strong: Delay,
    pub delay_weak: Delay,
    pub seeds: SeedSpec,
    /// One-line rationale per parameter name (`graph`, `activation`, `delay_strong`, ...).
    pub rationale: BTreeMap<String, String>,
}

/// A whole scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub title: String,
    pub nodes: usize,
    pub runs: u64,
    pub hours: f64,
    pub seed: u64,
    pub step_hours: f64,
    pub platforms: Vec<Platform>,
}

/// Turns the activation options (CLI flags or scenario keys) into an [`Activation`]; at most one rule
/// may be given; `default` applies when none is.
pub fn activation_from(
    p: Option<f64>,
    p_strong: Option<f64>,
    p_weak: Option<f64>,
    p_from_weight: Option<f64>,
    weighted_cascade: bool,
    default: Activation,
) -> Result<Activation> {
    let rules = [
        p.is_some(),
        p_strong.is_some() || p_weak.is_some(),
        p_from_weight.is_some(),
        weighted_cascade,
    ];
    if rules.iter().filter(|&&x| x).count() > 1 {
        return Err(Error::invalid(
            "--p",
            "several rules",
            "give only one of --p, --p-strong/--p-weak, --p-from-weight, --weighted-cascade",
        ));
    }
    Ok(if let Some(p) = p {
        Activation::Uniform { p }
    } else if p_strong.is_some() || p_weak.is_some() {
        let (ds, dw) = match default {
            Activation::ByTie { strong, weak } => (strong, weak),
            Activation::Uniform { p } => (p, p),
            _ => (0.1, 0.1),
        };
        Activation::ByTie {
            strong: p_strong.unwrap_or(ds),
            weak: p_weak.unwrap_or(dw),
        }
    } else if let Some(p) = p_from_weight {
        Activation::FromWeight { p }
    } else if weighted_cascade {
        Activation::WeightedCascade
    } else {
        default
    })
}

/// The built-in red-packet scenario, with every assumption and its rationale next to it.
pub const RED_PACKET_TOML: &str = include_str!("../scenarios/red-packet.toml");

impl Scenario {
    /// The built-in red-packet comparison (`scenarios/red-packet.toml`, compiled in): WeChat-like
    /// strong ties against Alipay-like weak ties, 100,000 users each, 200 runs, 24 hours.
    pub fn red_packet() -> Scenario {
        Scenario::from_toml(RED_PACKET_TOML, Path::new("."))
            .expect("the built-in scenario is valid")
    }

    /// Reads a TOML scenario. Relative graph paths are taken relative to the file's directory.
    pub fn from_file(path: &Path) -> Result<Scenario> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let base = path.parent().unwrap_or(Path::new("."));
        Scenario::from_toml(&text, base).map_err(|e| match e {
            Error::Invalid { option, value, msg } => {
                Error::file(path, format!("{option} = {value}: {msg}"))
            }
            Error::File { msg, .. } => Error::file(path, msg),
            other => other,
        })
    }

    /// Parses a TOML scenario; `base` resolves relative graph paths.
    pub fn from_toml(text: &str, base: &Path) -> Result<Scenario> {
        let doc: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| Error::file("scenario", e.to_string()))?;
        let mut known = Keys::new(&doc, "");
        let title = known.string("title")?.unwrap_or_else(|| "Scenario".into());
        let nodes = known.uint("nodes")?.map(|x| x as usize).unwrap_or(10_000);
        let runs = known.uint("runs")?.unwrap_or(1000);
        let hours = known.float("hours")?.unwrap_or(24.0);
        let seed = known.uint("seed")?.unwrap_or(1);
        let step_hours = known.float("step_hours")?.unwrap_or(0.1);
        let platforms_val = known.take("platform");
        known.finish()?;
        let Some(toml::Value::Array(items)) = platforms_val else {
            return Err(Error::invalid(
                "platform",
                "",
                "a scenario needs at least one [[platform]] table",
            ));
        };
        let mut platforms = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let toml::Value::Table(t) = item else {
                return Err(Error::invalid(
                    format!("platform[{i}]"),
                    item.to_string(),
                    "must be a table",
                ));
            };
            platforms.push(platform(t, i, base)?);
        }
        if platforms.is_empty() {
            return Err(Error::invalid(
                "platform",
                "",
                "a scenario needs at least one [[platform]] table",
            ));
        }
        Ok(Scenario {
            title,
            nodes,
            runs,
            hours,
            seed,
            step_hours,
            platforms,
        })
    }
}

/// Reads keys from a TOML table and complains about any key left unread (typos).
struct Keys<'a> {
    table: &'a toml::Table,
    prefix: String,
    seen: Vec<String>,
}

impl<'a> Keys<'a> {
    fn new(table: &'a toml::Table, prefix: &str) -> Keys<'a> {
        Keys {
            table,
            prefix: prefix.to_string(),
            seen: vec![],
        }
    }
    fn name(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }
    fn take(&mut self, key: &str) -> Option<&'a toml::Value> {
        self.seen.push(key.to_string());
        self.table.get(key)
    }
    fn string(&mut self, key: &str) -> Result<Option<String>> {
        match self.take(key) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s.clone())),
            Some(v) => Err(Error::invalid(
                self.name(key),
                v.to_string(),
                "must be a string",
            )),
        }
    }
    fn float(&mut self, key: &str) -> Result<Option<f64>> {
        match self.take(key) {
            None => Ok(None),
            Some(toml::Value::Float(x)) => Ok(Some(*x)),
            Some(toml::Value::Integer(x)) => Ok(Some(*x as f64)),
            Some(v) => Err(Error::invalid(
                self.name(key),
                v.to_string(),
                "must be a number",
            )),
        }
    }
    fn uint(&mut self, key: &str) -> Result<Option<u64>> {
        match self.take(key) {
            None => Ok(None),
            Some(toml::Value::Integer(x)) if *x >= 0 => Ok(Some(*x as u64)),
            Some(v) => Err(Error::invalid(
                self.name(key),
                v.to_string(),
                "must be a non-negative integer",
            )),
        }
    }
    fn boolean(&mut self, key: &str) -> Result<Option<bool>> {
        match self.take(key) {
            None => Ok(None),
            Some(toml::Value::Boolean(b)) => Ok(Some(*b)),
            Some(v) => Err(Error::invalid(
                self.name(key),
                v.to_string(),
                "must be true or false",
            )),
        }
    }
    fn finish(self) -> Result<()> {
        for k in self.table.keys() {
            if !self.seen.contains(k) {
                return Err(Error::invalid(self.name(k), "", "unknown key"));
            }
        }
        Ok(())
    }
}

fn platform(t: &toml::Table, i: usize, base: &Path) -> Result<Platform> {
    let mut k = Keys::new(t, &format!("platform[{i}]."));
    let label = k
        .string("label")?
        .unwrap_or_else(|| format!("platform {}", i + 1));
    let graph = match k.take("graph") {
        Some(toml::Value::Table(g)) => graph_source(g, i, base)?,
        _ => {
            return Err(Error::invalid(
                k.name("graph"),
                "",
                "needs a graph table: { model = \"wechat\" } or { file = \"edges.txt\" }",
            ));
        }
    };
    let ties = match k.string("ties")? {
        Some(s) => s.parse()?,
        None => TieSpec::Labels,
    };
    let activation = activation_from(
        k.float("p")?,
        k.float("p_strong")?,
        k.float("p_weak")?,
        k.float("p_from_weight")?,
        k.boolean("weighted_cascade")?.unwrap_or(false),
        Activation::Uniform { p: 0.1 },
    )?;
    let delay = |k: &mut Keys, key: &str, default: &str| -> Result<Delay> {
        let s = k.string(key)?.unwrap_or_else(|| default.to_string());
        Delay::parse(&k.name(key), &s)
    };
    let delay_strong = delay(&mut k, "delay_strong", "exp:1")?;
    let delay_weak = delay(&mut k, "delay_weak", "exp:1")?;
    let seeds = SeedSpec::parse(&k.string("seeds")?.unwrap_or_else(|| "top-degree:10".into()))?;
    let seeds = match seeds {
        SeedSpec::File(p) => SeedSpec::File(base.join(p).to_string_lossy().into_owned()),
        s => s,
    };
    let mut rationale = BTreeMap::new();
    if let Some(toml::Value::Table(w)) = k.take("why") {
        for (key, v) in w {
            rationale.insert(
                key.clone(),
                v.as_str()
                    .map(String::from)
                    .unwrap_or_else(|| v.to_string()),
            );
        }
    }
    k.finish()?;
    Ok(Platform {
        label,
        graph,
        ties,
        activation,
        delay_strong,
        delay_weak,
        seeds,
        rationale,
    })
}

fn graph_source(g: &toml::Table, i: usize, base: &Path) -> Result<GraphSource> {
    let prefix = format!("platform[{i}].graph.");
    if g.contains_key("file") {
        let mut k = Keys::new(g, &prefix);
        let file = k.string("file")?.unwrap_or_default();
        let load = LoadOptions {
            directed: k.boolean("directed")?.unwrap_or(false),
            format: k.string("format")?.map(|f| Format::parse(&f)).transpose()?,
            src: k.string("src")?,
            dst: k.string("dst")?,
            weight: k.string("weight")?,
            tie: k.string("tie")?,
            layers: match k.take("layers") {
                None => vec![],
                Some(toml::Value::Array(a)) => a
                    .iter()
                    .map(|v| {
                        v.as_str()
                            .map(|s| base.join(s).to_string_lossy().into_owned())
                            .ok_or_else(|| {
                                Error::invalid(
                                    format!("{prefix}layers"),
                                    v.to_string(),
                                    "must be strings",
                                )
                            })
                    })
                    .collect::<Result<_>>()?,
                Some(v) => {
                    return Err(Error::invalid(
                        format!("{prefix}layers"),
                        v.to_string(),
                        "must be a list of paths",
                    ));
                }
            },
        };
        k.finish()?;
        Ok(GraphSource::File {
            path: base.join(file),
            load,
        })
    } else if g.contains_key("model") {
        let mut g = g.clone();
        let nodes = match g.remove("nodes") {
            None => None,
            Some(toml::Value::Integer(n)) if n > 0 => Some(n as usize),
            Some(v) => {
                return Err(Error::invalid(
                    format!("{prefix}nodes"),
                    v.to_string(),
                    "must be a positive integer",
                ));
            }
        };
        let generator: Generator =
            toml::Value::Table(g.clone())
                .try_into()
                .map_err(|e: toml::de::Error| {
                    Error::invalid(
                        format!("{prefix}model"),
                        toml::Value::Table(g).to_string(),
                        e.message().to_string(),
                    )
                })?;
        Ok(GraphSource::Generated { generator, nodes })
    } else {
        Err(Error::invalid(
            prefix.trim_end_matches('.'),
            "",
            "needs model = \"wechat\"|\"alipay\"|\"ba\"|\"ws\"|\"er\" or file = \"PATH\"",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_scenario_with_both_sources() {
        let s = Scenario::from_toml(
            r#"
            title = "t"
            nodes = 500
            runs = 10
            hours = 12
            [[platform]]
            label = "A"
            graph = { model = "wechat", overlap = 0.5 }
            p_strong = 0.2
            [platform.why]
            p_strong = "because"
            [[platform]]
            label = "B"
            graph = { file = "edges.txt", directed = true }
            ties = "overlap:0.2"
            p = 0.1
            delay_weak = "exp:3"
            "#,
            Path::new("/data"),
        )
        .unwrap();
        assert_eq!(s.nodes, 500);
        assert_eq!(s.hours, 12.0);
        assert_eq!(s.platforms.len(), 2);
        assert_eq!(
            s.platforms[0].activation,
            Activation::ByTie {
                strong: 0.2,
                weak: 0.1
            }
        );
        assert_eq!(s.platforms[0].rationale["p_strong"], "because");
        match &s.platforms[0].graph {
            GraphSource::Generated {
                generator: Generator::Wechat(w),
                ..
            } => assert_eq!(w.overlap, 0.5),
            g => panic!("{g:?}"),
        }
        match &s.platforms[1].graph {
            GraphSource::File { path, load } => {
                assert_eq!(path, Path::new("/data/edges.txt"));
                assert!(load.directed);
            }
            g => panic!("{g:?}"),
        }
        assert_eq!(s.platforms[1].delay_weak, Delay::Exp { mean: 3.0 });
    }

    #[test]
    fn typos_and_bad_values_are_named() {
        let e = Scenario::from_toml(
            "runz = 3\n[[platform]]\ngraph = { model = \"er\" }",
            Path::new("."),
        )
        .unwrap_err();
        assert!(e.to_string().contains("runz"), "{e}");
        let e = Scenario::from_toml(
            "[[platform]]\ngraph = { model = \"er\" }\np = 2.0",
            Path::new("."),
        );
        // p is range-checked when the model is validated; the parse itself succeeds.
        assert!(e.is_ok());
        let e = Scenario::from_toml(
            "[[platform]]\ngraph = { model = \"er\" }\ndelay_weak = \"exp:-1\"",
            Path::new("."),
        )
        .unwrap_err();
        assert!(e.to_string().contains("delay_weak"), "{e}");
        let e = Scenario::from_toml("[[platform]]\ngraph = { model = \"nope\" }", Path::new("."))
            .unwrap_err();
        assert!(e.to_string().contains("model"), "{e}");
        assert!(Scenario::from_toml("title = \"x\"", Path::new(".")).is_err());
    }

    #[test]
    fn built_in_presets_are_valid() {
        let s = Scenario::red_packet();
        assert_eq!(s.platforms.len(), 2);
        assert_eq!((s.nodes, s.runs, s.hours), (100_000, 200, 24.0));
        for p in &s.platforms {
            for key in ["graph", "activation", "delay_strong", "delay_weak", "seeds"] {
                assert!(
                    p.rationale.contains_key(key),
                    "{}: {key} has a rationale",
                    p.label
                );
            }
        }
    }
}

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
    pub engine: crate::cascade::Engine,
}

/// Builds (generates or loads) a platform's graph and applies its tie rule.
pub fn build_graph(
    source: &GraphSource,
    ties: &TieSpec,
    nodes: usize,
    seed: u64,
) -> Result<crate::graph::Graph> {
    let g = match source {
        GraphSource::Generated {
            generator,
            nodes: own,
        } => generator.generate(own.unwrap_or(nodes), seed)?,
        GraphSource::File { path, load } => crate::graph::load::load(path, load)?,
    };
    crate::ties::classify(g, ties)
}

/// Resolves a seed spec on a graph, reading a seed file when the spec names one.
pub fn resolve_seeds(
    spec: &SeedSpec,
    graph: &crate::graph::Graph,
    seed: u64,
) -> Result<Vec<(u32, f64)>> {
    match spec {
        SeedSpec::File(p) => crate::graph::load::load_seed_file(Path::new(p), graph),
        other => other.resolve(graph, seed),
    }
}

/// Runs one platform end to end on an already built graph: seeds, Monte Carlo, aggregation.
/// `progress` is called after every run.
pub fn run_platform(
    p: &Platform,
    graph: &crate::graph::Graph,
    s: &RunSettings,
    progress: &(dyn Fn() + Sync),
) -> Result<crate::report::PlatformReport> {
    use crate::cascade::{Engine, Grid, Model, MonteCarlo, simulate_chosen};
    use crate::curves::Accumulator;
    let model = Model {
        activation: p.activation.clone(),
        delay_strong: p.delay_strong,
        delay_weak: p.delay_weak,
        horizon_hours: s.horizon_hours,
    };
    model.validate()?;
    let grid = Grid::new(s.step_hours, s.curve_hours)?;
    let seeds = resolve_seeds(&p.seeds, graph, s.seed)?;
    let n = graph.node_count();
    let timer = std::time::Instant::now();
    let (acc, engine) = simulate_chosen(
        graph,
        &model,
        &seeds,
        MonteCarlo {
            runs: s.runs,
            seed: s.seed,
        },
        s.engine,
        || Accumulator::new(n, grid, model.horizon()),
        progress,
    )?;
    let outcome = acc.finish(&p.label);
    let sim_seconds = timer.elapsed().as_secs_f64();
    let (strong, weak) = graph.tie_split();
    let graph_desc = match &p.graph {
        GraphSource::Generated { .. } => format!("{} (seed {})", p.graph, s.seed),
        other => other.to_string(),
    };
    Ok(crate::report::PlatformReport {
        label: p.label.clone(),
        outcome,
        parameters: crate::report::Parameters {
            graph: graph_desc,
            nodes: n,
            edges: graph.edge_count(),
            directed: graph.is_directed(),
            strong_ties: strong,
            weak_ties: weak,
            ties: p.ties.to_string(),
            activation: model.activation,
            delay_strong: model.delay_strong,
            delay_weak: model.delay_weak,
            horizon_hours: model.horizon_hours,
            seeds: p.seeds.to_string(),
            seed_nodes: seeds.len(),
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

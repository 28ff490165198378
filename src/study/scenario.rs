//! Scenarios: any number of platforms, each a graph, a tie rule, a model and seeds. The built-in
//! red-packet scenario compares a WeChat-like strong-tie network with an Alipay-like weak-tie one;
//! a TOML file describes any other (`hongbao compare --scenario FILE`).
//!
//! Files are read with serde derives that refuse unknown keys; the model keys of a platform go
//! through [`ModelSpec`], the one place where a model is built and checked. An error names the
//! file, the platform and the key as the user wrote it:
//! `red.toml: platform 2: p_strong = 1.5: a probability must be in [0, 1]`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::cascade::{Activation, Adoption, Delay, ModelSpec, MonteCarlo, SeedSpec};
use crate::curves::Grid;
use crate::graph::generate::{Generator, take_rewire};
use crate::graph::load::{Format, LoadOptions};
use crate::graph::rewire::Rewire;
use crate::ties::TieSpec;
use crate::{Error, Naming, Result};

/// Where a platform's graph comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum GraphSource {
    /// A seeded generator; `nodes` overrides the scenario's node count; `rewire` turns the graph
    /// into its degree-preserving random twin.
    Generated {
        generator: Generator,
        nodes: Option<usize>,
        rewire: Rewire,
    },
    /// An edge-list file (a relative path is relative to the scenario file).
    File { path: PathBuf, load: LoadOptions },
}

impl std::fmt::Display for GraphSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GraphSource::Generated {
                generator, rewire, ..
            } => {
                let params = toml::to_string(generator).unwrap_or_default();
                let params: Vec<String> = params
                    .lines()
                    .filter(|l| !l.starts_with("model"))
                    .map(|l| l.replace(' ', ""))
                    .collect();
                if params.is_empty() {
                    write!(f, "generated {}", generator.name())?;
                } else {
                    write!(f, "generated {} ({})", generator.name(), params.join(", "))?;
                }
                if *rewire == Rewire::DegreePreserving {
                    write!(f, ", rewired into its degree-preserving random twin")?;
                }
                Ok(())
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
    /// How a node decides to adopt.
    pub adoption: Adoption,
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

/// Values given on the command line that replace a scenario's own.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Overrides {
    pub nodes: Option<usize>,
    pub runs: Option<u64>,
    pub hours: Option<f64>,
    pub seed: Option<u64>,
    pub step_hours: Option<f64>,
}

/// The built-in red-packet scenario, with every assumption and its rationale next to it.
pub const RED_PACKET_TOML: &str = include_str!("../../scenarios/red-packet.toml");

/// A scenario file as written: every key optional, unknown keys refused.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    title: Option<String>,
    nodes: Option<usize>,
    runs: Option<u64>,
    hours: Option<f64>,
    seed: Option<u64>,
    step_hours: Option<f64>,
    #[serde(default)]
    platform: Vec<PlatformFile>,
}

/// One `[[platform]]` table as written.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PlatformFile {
    label: Option<String>,
    graph: Option<toml::Table>,
    ties: Option<String>,
    model: Option<String>,
    lt_weights: Option<String>,
    p: Option<f64>,
    p_strong: Option<f64>,
    p_weak: Option<f64>,
    p_from_weight: Option<f64>,
    #[serde(default)]
    weighted_cascade: bool,
    delay: Option<String>,
    delay_strong: Option<String>,
    delay_weak: Option<String>,
    seeds: Option<String>,
    #[serde(default)]
    why: BTreeMap<String, String>,
}

/// A `graph = { file = ... }` table as written.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct GraphFile {
    file: String,
    #[serde(default)]
    directed: bool,
    format: Option<String>,
    src: Option<String>,
    dst: Option<String>,
    weight: Option<String>,
    tie: Option<String>,
    #[serde(default)]
    layers: Vec<String>,
}

/// `key = value: message` for an invalid value, the value written as TOML writes it.
fn keyed(e: Error) -> String {
    match e {
        Error::Invalid { option, value, msg } if value.is_empty() => format!("{option}: {msg}"),
        Error::Invalid { option, value, msg } => {
            let bare = value.parse::<f64>().is_ok() || value == "true" || value == "false";
            if bare {
                format!("{option} = {value}: {msg}")
            } else {
                format!("{option} = {value:?}: {msg}")
            }
        }
        other => other.to_string(),
    }
}

/// Checks the run settings shared by every platform, naming them by `naming`.
fn check_runs(runs: u64, seed: u64, step_hours: f64, hours: f64, naming: Naming) -> Result<()> {
    MonteCarlo::new(runs, seed, naming)?;
    Grid::named(step_hours, hours, naming)?;
    Ok(())
}

impl Scenario {
    /// The built-in red-packet comparison (`scenarios/red-packet.toml`, compiled in): WeChat-like
    /// strong ties against Alipay-like weak ties, 100,000 users each, 200 runs, 24 hours.
    pub fn red_packet() -> Scenario {
        Scenario::from_toml(RED_PACKET_TOML, Path::new("."))
            .expect("the built-in scenario is valid")
    }

    /// Reads a TOML scenario. Relative graph, layer and seed-file paths are taken relative to the
    /// file's directory.
    ///
    /// # Errors
    /// An unreadable file, malformed TOML, an unknown key, a missing graph, or an invalid value;
    /// the message names the file, the platform (counted from 1) and the key.
    pub fn from_file(path: &Path) -> Result<Scenario> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let base = path.parent().unwrap_or(Path::new("."));
        Scenario::from_toml(&text, base).map_err(|e| match e {
            Error::File { msg, .. } => Error::file(path, msg),
            other => Error::file(path, keyed(other)),
        })
    }

    /// Parses a TOML scenario; `base` resolves relative paths. Errors name the platform and key
    /// (see [`Scenario::from_file`]) but no file.
    pub fn from_toml(text: &str, base: &Path) -> Result<Scenario> {
        let doc: ScenarioFile =
            toml::from_str(text).map_err(|e| Error::file("scenario", e.to_string()))?;
        let sc = Scenario {
            title: doc.title.unwrap_or_else(|| "Scenario".into()),
            nodes: doc.nodes.unwrap_or(10_000),
            runs: doc.runs.unwrap_or(1000),
            hours: doc.hours.unwrap_or(24.0),
            seed: doc.seed.unwrap_or(1),
            step_hours: doc.step_hours.unwrap_or(0.1),
            platforms: Vec::new(),
        };
        check_runs(sc.runs, sc.seed, sc.step_hours, sc.hours, Naming::Key)
            .map_err(|e| Error::file("scenario", keyed(e)))?;
        if doc.platform.is_empty() {
            return Err(Error::file(
                "scenario",
                "a scenario needs at least one [[platform]] table",
            ));
        }
        let platforms = doc
            .platform
            .into_iter()
            .enumerate()
            .map(|(i, p)| {
                platform(p, i, base, sc.hours).map_err(|e| {
                    Error::file("scenario", format!("platform {}: {}", i + 1, keyed(e)))
                })
            })
            .collect::<Result<_>>()?;
        Ok(Scenario { platforms, ..sc })
    }

    /// The scenario with the command line's values in place of its own, each checked and named
    /// by its flag.
    ///
    /// # Errors
    /// Zero runs, zero nodes, a non-positive horizon or grid step.
    pub fn with_overrides(mut self, o: &Overrides) -> Result<Scenario> {
        if let Some(n) = o.nodes {
            if n == 0 {
                return Err(Error::invalid("--nodes", "0", "need at least one node"));
            }
            self.nodes = n;
        }
        self.runs = o.runs.unwrap_or(self.runs);
        self.hours = o.hours.unwrap_or(self.hours);
        self.seed = o.seed.unwrap_or(self.seed);
        self.step_hours = o.step_hours.unwrap_or(self.step_hours);
        check_runs(
            self.runs,
            self.seed,
            self.step_hours,
            self.hours,
            Naming::Flag,
        )?;
        for p in &self.platforms {
            p.model(Some(self.hours)).check(Naming::Flag)?;
        }
        Ok(self)
    }
}

impl Platform {
    /// The platform's model with the given horizon.
    pub fn model(&self, horizon_hours: Option<f64>) -> crate::cascade::Model {
        crate::cascade::Model {
            adoption: self.adoption.clone(),
            activation: self.activation.clone(),
            delay_strong: self.delay_strong,
            delay_weak: self.delay_weak,
            horizon_hours,
        }
    }
}

/// One platform from its table; `i` counts from 0; `hours` is the scenario's horizon.
fn platform(t: PlatformFile, i: usize, base: &Path, hours: f64) -> Result<Platform> {
    let naming = Naming::Key;
    let graph = match t.graph {
        Some(g) => graph_source(g, base)?,
        None => {
            return Err(Error::invalid(
                "graph",
                "",
                "needs a graph table: { model = \"wechat\" } or { file = \"edges.txt\" }",
            ));
        }
    };
    let ties = match t.ties {
        Some(s) => s.parse().map_err(|e| rename(e, "--ties", "ties"))?,
        None => TieSpec::Labels,
    };
    let model = ModelSpec {
        model: t.model,
        lt_weights: t.lt_weights,
        p: t.p,
        p_strong: t.p_strong,
        p_weak: t.p_weak,
        p_from_weight: t.p_from_weight,
        weighted_cascade: t.weighted_cascade,
        delay: t.delay,
        delay_strong: t.delay_strong,
        delay_weak: t.delay_weak,
        hours: Some(hours),
    }
    .build(naming)?;
    let seeds = SeedSpec::parse(t.seeds.as_deref().unwrap_or("top-degree:10"))
        .map_err(|e| rename(e, "--seeds", "seeds"))?;
    let seeds = match seeds {
        SeedSpec::File(p) => SeedSpec::File(base.join(p).to_string_lossy().into_owned()),
        s => s,
    };
    Ok(Platform {
        label: t.label.unwrap_or_else(|| format!("platform {}", i + 1)),
        graph,
        ties,
        adoption: model.adoption,
        activation: model.activation,
        delay_strong: model.delay_strong,
        delay_weak: model.delay_weak,
        seeds,
        rationale: t.why,
    })
}

/// The same error, naming the key `key` where it named the flag `flag`.
fn rename(e: Error, flag: &str, key: &str) -> Error {
    match e {
        Error::Invalid { option, value, msg } if option == flag => Error::Invalid {
            option: key.into(),
            value,
            msg,
        },
        other => other,
    }
}

fn graph_source(mut g: toml::Table, base: &Path) -> Result<GraphSource> {
    let bad = |e: toml::de::Error| Error::invalid("graph", "", e.message().to_string());
    if g.contains_key("file") {
        let f: GraphFile = toml::Value::Table(g).try_into().map_err(bad)?;
        let format = f
            .format
            .map(|s| Format::parse(&s).map_err(|e| rename(e, "--format", "graph.format")))
            .transpose()?;
        let load = LoadOptions {
            directed: f.directed,
            format,
            src: f.src,
            dst: f.dst,
            weight: f.weight,
            tie: f.tie,
            layers: f
                .layers
                .iter()
                .map(|s| base.join(s).to_string_lossy().into_owned())
                .collect(),
            max_memory: None,
        };
        Ok(GraphSource::File {
            path: base.join(f.file),
            load,
        })
    } else if g.contains_key("model") {
        let nodes = match g.remove("nodes") {
            None => None,
            Some(toml::Value::Integer(n)) if n > 0 => Some(n as usize),
            Some(v) => {
                return Err(Error::invalid(
                    "graph.nodes",
                    v.to_string(),
                    "must be a positive integer",
                ));
            }
        };
        let rewire = take_rewire(&mut g).map_err(|v| {
            Error::invalid(
                "graph.rewire",
                v,
                "expected \"degree-preserving\" (or a number for wechat's in-circle rewiring)",
            )
        })?;
        let generator: Generator = toml::Value::Table(g).try_into().map_err(bad)?;
        Ok(GraphSource::Generated {
            generator,
            nodes,
            rewire,
        })
    } else {
        Err(Error::invalid(
            "graph",
            "",
            "needs model = \"wechat\"|\"alipay\"|\"ba\"|\"ws\"|\"er\"|\"centola\" or file = \"PATH\"",
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
            graph = { file = "edges.txt", directed = true, layers = ["calls.csv"] }
            ties = "overlap:0.2"
            p = 0.1
            delay_weak = "exp:3"
            seeds = "file:seeds.txt"
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
                assert_eq!(load.layers, vec!["/data/calls.csv".to_string()]);
            }
            g => panic!("{g:?}"),
        }
        assert_eq!(s.platforms[1].delay_weak, Delay::Exp { mean: 3.0 });
        assert_eq!(
            s.platforms[1].seeds,
            SeedSpec::File("/data/seeds.txt".into())
        );
    }

    /// The error of `text` as a file `red.toml` would give it.
    fn error(text: &str) -> String {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("red.toml");
        std::fs::write(&p, text).unwrap();
        Scenario::from_file(&p).unwrap_err().to_string()
    }

    const ER: &str = "[[platform]]\ngraph = { model = \"er\" }\n";

    #[test]
    fn errors_name_the_file_the_platform_and_the_key() {
        let two = format!("{ER}{ER}p_strong = 1.5\n");
        let e = error(&two);
        assert!(
            e.contains("red.toml: platform 2: p_strong = 1.5: a probability must be in [0, 1]"),
            "{e}"
        );
        assert!(!e.contains("--"), "no flags in a file's errors: {e}");
        for (text, needles) in [
            (
                format!("runz = 3\n{ER}"),
                vec!["red.toml", "runz", "line 1"],
            ),
            (
                format!("{ER}delay_weak = \"exp:-1\""),
                vec!["platform 1", "delay_weak = \"exp:-1\""],
            ),
            (
                format!("{ER}p = 0.1\np_weak = 0.2"),
                vec!["platform 1", "give only one of p, p_strong/p_weak"],
            ),
            (format!("runs = 0\n{ER}"), vec!["red.toml: runs = 0"]),
            (format!("hours = -1\n{ER}"), vec!["hours = -1"]),
            (
                format!("{ER}ties = \"overlap:2\""),
                vec!["platform 1: ties = \"overlap:2\""],
            ),
            (
                format!("{ER}seeds = \"finest:1\""),
                vec!["seeds = \"finest:1\""],
            ),
            (format!("{ER}colour = \"red\""), vec!["colour"]),
            (
                "[[platform]]\ngraph = { model = \"nope\" }".into(),
                vec!["platform 1: graph", "nope"],
            ),
            (
                "[[platform]]\ngraph = { file = \"a.txt\", sep = \",\" }".into(),
                vec!["graph", "sep"],
            ),
            (
                "[[platform]]\nlabel = \"x\"".into(),
                vec!["platform 1: graph"],
            ),
            ("title = \"x\"".into(), vec!["at least one [[platform]]"]),
        ] {
            let e = error(&text);
            for n in needles {
                assert!(e.contains(n), "{n:?} not in {e:?}");
            }
        }
    }

    #[test]
    fn overrides_are_checked_by_flag() {
        let s = Scenario::red_packet();
        let o = Overrides {
            runs: Some(0),
            ..Default::default()
        };
        let e = s.clone().with_overrides(&o).unwrap_err().to_string();
        assert!(e.contains("--runs"), "{e}");
        let o = Overrides {
            nodes: Some(500),
            hours: Some(4.0),
            ..Default::default()
        };
        let s = s.with_overrides(&o).unwrap();
        assert_eq!((s.nodes, s.hours), (500, 4.0));
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

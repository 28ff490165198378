//! Fuzz targets: every parser that reads a user's bytes, behind one signature. `examples/fuzz.rs`
//! mutates a corpus (`fuzz/corpus/TARGET/`) through them for as long as it is told, and a test
//! replays the corpus on every `cargo test`.
//!
//! A target writes the input to a file with the extension its parser expects and reads it as a
//! user's file would be read. An input passes when it is accepted, or refused with an error that
//! names the file; it fails when the parser panics (caught here and reported) or takes more than
//! a second.

use std::path::{Path, PathBuf};

use crate::graph::Graph;
use crate::graph::load::{LoadOptions, load, load_seed_file};

/// What a target made of an input.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Accepted,
    /// Refused with this message (it names the file).
    Refused(String),
    /// Refused with a message that does not name the file: a finding.
    Unnamed(String),
    /// The parser panicked: a finding.
    Panicked(String),
}

/// A named parser.
pub struct Target {
    pub name: &'static str,
    /// The file name the input is written to (its extension chooses the format).
    pub file: &'static str,
    run: fn(&Path) -> crate::Result<()>,
}

fn graph_file(p: &Path) -> crate::Result<()> {
    load(p, &LoadOptions::default()).map(drop)
}

fn small_graph() -> Graph {
    Graph::from_edges(
        crate::graph::EdgeList::from_pairs(4, &[(0, 1), (1, 2), (2, 3)]),
        false,
    )
}

fn seed_file(p: &Path) -> crate::Result<()> {
    load_seed_file(p, &small_graph()).map(drop)
}

fn layer_file(p: &Path) -> crate::Result<()> {
    let dir = p.parent().unwrap_or(Path::new("."));
    let base = dir.join("base.txt");
    std::fs::write(&base, "1 2\n2 3\n3 4\n4 1\n").map_err(|e| crate::Error::io(&base, e))?;
    let opts = LoadOptions {
        layers: vec![p.display().to_string()],
        ..LoadOptions::default()
    };
    load(&base, &opts).map(drop)
}

fn scenario_file(p: &Path) -> crate::Result<()> {
    crate::study::Scenario::from_file(p).map(drop)
}

fn curve_file(p: &Path) -> crate::Result<()> {
    crate::study::read_curves(p).map(drop)
}

fn cascades(format: crate::observed::CascadeFormat) -> impl Fn(&Path) -> crate::Result<()> {
    move |p| crate::observed::load_cascades(p, format).map(drop)
}

fn higgs(p: &Path) -> crate::Result<()> {
    cascades(crate::observed::CascadeFormat::Higgs)(p)
}
fn weibo(p: &Path) -> crate::Result<()> {
    cascades(crate::observed::CascadeFormat::Weibo)(p)
}
fn twitter_tree(p: &Path) -> crate::Result<()> {
    cascades(crate::observed::CascadeFormat::TwitterTree)(p)
}
fn seismic(p: &Path) -> crate::Result<()> {
    cascades(crate::observed::CascadeFormat::Seismic)(p)
}

/// Every target.
pub const TARGETS: &[Target] = &[
    Target {
        name: "snap-text",
        file: "graph.txt",
        run: graph_file,
    },
    Target {
        name: "snap-gz",
        file: "graph.txt.gz",
        run: graph_file,
    },
    Target {
        name: "csv",
        file: "graph.csv",
        run: graph_file,
    },
    Target {
        name: "parquet",
        file: "graph.parquet",
        run: graph_file,
    },
    Target {
        name: "graphml",
        file: "graph.graphml",
        run: graph_file,
    },
    Target {
        name: "pajek",
        file: "graph.net",
        run: graph_file,
    },
    Target {
        name: "mtx",
        file: "graph.mtx",
        run: graph_file,
    },
    Target {
        name: "seeds",
        file: "seeds.txt",
        run: seed_file,
    },
    Target {
        name: "layer",
        file: "layer.csv",
        run: layer_file,
    },
    Target {
        name: "scenario",
        file: "scenario.toml",
        run: scenario_file,
    },
    Target {
        name: "curves",
        file: "curves.csv",
        run: curve_file,
    },
    Target {
        name: "higgs",
        file: "higgs.txt",
        run: higgs,
    },
    Target {
        name: "weibo",
        file: "weibo.txt",
        run: weibo,
    },
    Target {
        name: "twitter-tree",
        file: "tree.tar.gz",
        run: twitter_tree,
    },
    Target {
        name: "seismic",
        file: "seismic.txt",
        run: seismic,
    },
];

/// The target called `name`.
pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}

impl Target {
    /// The path this target's input is written to inside `dir`.
    pub fn path(&self, dir: &Path) -> PathBuf {
        dir.join(self.file)
    }

    /// Writes `input` into `dir` and parses it.
    pub fn check(&self, dir: &Path, input: &[u8]) -> Verdict {
        let path = self.path(dir);
        if std::fs::write(&path, input).is_err() {
            return Verdict::Panicked(format!("could not write {}", path.display()));
        }
        let run = self.run;
        let result = std::panic::catch_unwind(|| run(&path));
        match result {
            Ok(Ok(())) => Verdict::Accepted,
            Ok(Err(e)) => {
                let msg = e.to_string();
                if msg.contains(self.file) {
                    Verdict::Refused(msg)
                } else {
                    Verdict::Unnamed(msg)
                }
            }
            Err(p) => Verdict::Panicked(
                p.downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "a panic".into()),
            ),
        }
    }
}

//! A graph file and how to read it: the input of `stats`, `simulate` and `percolation`.

use std::path::PathBuf;

use crate::Result;
use crate::graph::Graph;
use crate::graph::load::{LoadOptions, load, load_reversed};
use crate::ties::{TieSpec, classify};

/// A graph file, how to read it, and which tie rule to apply.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GraphInput {
    pub path: PathBuf,
    pub load: LoadOptions,
    /// `None`: keep the file's tie labels if it has any, else every tie is weak.
    pub ties: Option<TieSpec>,
}

impl GraphInput {
    /// Loads the graph and applies the tie rule. Returns the graph and what the rule was, as the
    /// report prints it (`overlap:0.2`, `column`, `none (every tie weak)`).
    ///
    /// # Errors
    /// As [`load`] and [`classify`].
    pub fn load(&self) -> Result<(Graph, String)> {
        let graph = load(&self.path, &self.load)?;
        match &self.ties {
            Some(spec) => Ok((classify(graph, spec)?, spec.to_string())),
            None => Ok(as_given(graph)),
        }
    }

    /// As [`GraphInput::load`], the graph with its arcs turned round ([`Graph::transposed`]):
    /// built so from the file when no tie rule needs the forward graph.
    ///
    /// # Errors
    /// As [`GraphInput::load`].
    pub fn load_reversed(&self) -> Result<(Graph, String)> {
        if self.ties.is_some() {
            // A tie rule reads the graph as it is (neighbourhoods out of each node).
            let (g, rule) = self.load()?;
            return Ok((g.transposed(), rule));
        }
        Ok(as_given(load_reversed(&self.path, &self.load)?))
    }

    /// The file's name, for labels and titles.
    pub fn file_name(&self) -> String {
        self.path
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "graph".into())
    }
}

/// A graph with the classes its file gave (or none), and that rule in words.
fn as_given(graph: Graph) -> (Graph, String) {
    let rule = if graph.has_tie_labels() {
        "column"
    } else {
        "none (every tie weak)"
    };
    (graph, rule.into())
}

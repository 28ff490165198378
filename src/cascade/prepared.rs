//! A model bound to one graph: every arc's success threshold (by tie class, or per arc from a
//! weight or the in-degree) and the delay samplers, ready for the engines.

use super::delay::DelaySampler;
use super::model::{Activation, Model};
use super::skip::{GeometricSkip, threshold};
use crate::graph::{Graph, TieClass};
use crate::{Error, Result};

/// Per-arc success thresholds, by class or per arc.
#[derive(Clone, Debug)]
pub(crate) enum ArcProbs {
    PerClass([u64; 2]),
    PerArc(Vec<u64>),
}

/// A model bound to one graph.
#[derive(Clone, Debug)]
pub(crate) struct Prepared {
    pub(crate) probs: ArcProbs,
    pub(crate) delays: [DelaySampler; 2],
    pub(crate) horizon: f64,
    /// Whether runs may skip failed coins geometrically (off for the reference `plain` engine).
    pub(crate) skip: bool,
}

impl Prepared {
    /// Precomputes what one run of `model` needs on `graph`.
    ///
    /// # Errors
    /// An invalid model, or a rule the graph cannot serve (weights asked of a graph without them).
    pub(crate) fn new(model: &Model, graph: &Graph) -> Result<Prepared> {
        model.validate()?;
        let probs = match &model.activation {
            Activation::Uniform { p } => ArcProbs::PerClass([threshold(*p); 2]),
            Activation::ByTie { strong, weak } => {
                let mut t = [0; 2];
                t[TieClass::Strong.index()] = threshold(*strong);
                t[TieClass::Weak.index()] = threshold(*weak);
                ArcProbs::PerClass(t)
            }
            Activation::FromWeight { p } => {
                let w = graph.weights().ok_or_else(|| {
                    Error::invalid(
                        "--p-from-weight",
                        p.to_string(),
                        "this graph has no weights (give a weight column)",
                    )
                })?;
                let q = 1.0 - p;
                ArcProbs::PerArc(
                    w.iter()
                        .map(|&w| {
                            if w <= 0.0 {
                                0
                            } else {
                                threshold(1.0 - q.powf(w as f64))
                            }
                        })
                        .collect(),
                )
            }
            Activation::WeightedCascade => {
                let indeg = graph.in_degrees();
                ArcProbs::PerArc(
                    graph
                        .targets()
                        .iter()
                        .map(|&v| threshold(1.0 / indeg[v as usize] as f64))
                        .collect(),
                )
            }
        };
        // Indexed by `TieClass::index()`: weak = 0, strong = 1.
        let delays = [model.delay_weak.sampler(), model.delay_strong.sampler()];
        Ok(Prepared {
            probs,
            delays,
            horizon: model.horizon(),
            skip: true,
        })
    }

    /// The success threshold of arc `i` (whose tie class is `ties[i]`).
    #[inline(always)]
    pub(crate) fn threshold(&self, ties: &[TieClass], i: usize) -> u64 {
        match &self.probs {
            ArcProbs::PerClass(c) => c[ties[i].index()],
            ArcProbs::PerArc(v) => v[i],
        }
    }

    /// `Some(t)` when every arc has the same threshold (no need to read tie classes).
    pub(crate) fn uniform_threshold(&self) -> Option<u64> {
        match &self.probs {
            ArcProbs::PerClass([a, b]) if a == b => Some(*a),
            _ => None,
        }
    }

    /// Geometric skipping over arcs, when the probabilities are set per tie class.
    pub(crate) fn skipper(&self) -> Option<GeometricSkip> {
        if !self.skip {
            return None;
        }
        match self.probs {
            ArcProbs::PerClass(c) => Some(GeometricSkip::new(c)),
            ArcProbs::PerArc(_) => None,
        }
    }

    /// `Some(d)` when every tie's delay is the same fixed `d` hours (runs can then go breadth-first).
    pub(crate) fn uniform_fixed_delay(&self) -> Option<f64> {
        match self.delays {
            [DelaySampler::Fixed(a), DelaySampler::Fixed(b)] if a == b && a > 0.0 => Some(a),
            _ => None,
        }
    }
}

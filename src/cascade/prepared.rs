//! A model bound to one graph: every arc's success threshold (by tie class, or per arc from a
//! weight or the in-degree) and the delay samplers, ready for the engines.

use super::adoption::{Adoption, LtWeights};
use super::delay::DelaySampler;
use super::draws::Law;
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

/// How many exposures a node needs, under the counting models.
#[derive(Clone, Debug)]
pub(crate) enum Need {
    /// The same for every node (`threshold:K`).
    Fixed(u32),
    /// Per node (`fractional:F`: the count that makes the share; `u32::MAX` for a node without
    /// in-neighbours).
    PerNode(Vec<u32>),
    /// Drawn per node and run from the cumulative chances (`dose:C1,C2,...`).
    Dose(Vec<f64>),
    /// The linear threshold with weights 1 / in-degree: with θ ~ U(0, 1] drawn per node and run,
    /// k exposures weigh k / d ≥ θ exactly when k ≥ ⌈θ·d⌉ (d the node's in-degree), so it counts
    /// like the others.
    InDegreeShare,
}

/// How nodes decide, bound to the graph.
#[derive(Clone, Debug)]
pub(crate) enum Rule {
    /// The independent cascade (the scalar and fused engines).
    Ic,
    /// Adopt when the count of exposures meets the need; `in_degrees` bound what a node can get.
    Count { need: Need, in_degrees: Vec<u32> },
    /// Adopt when the exposures' weights (the graph's, per arc) sum to the node's threshold.
    Linear,
}

/// The smallest count `k` with `k / d >= f` (`u32::MAX` when `d` is 0).
fn share_need(f: f64, d: u32) -> u32 {
    if d == 0 {
        return u32::MAX;
    }
    let d = d as f64;
    let mut k = (f * d).ceil().max(1.0);
    while k > 1.0 && (k - 1.0) / d >= f {
        k -= 1.0;
    }
    while k / d < f {
        k += 1.0;
    }
    k as u32
}

/// The chance of a tie of weight `w` under `--p-from-weight p`: `w` independent chances of `p`,
/// 1 − (1 − p)^w (none for a weight of zero or less).
pub(crate) fn weight_chance(p: f64, w: f32) -> f64 {
    if w <= 0.0 {
        0.0
    } else {
        1.0 - (1.0 - p).powf(w as f64)
    }
}

/// A model bound to one graph.
#[derive(Clone, Debug)]
pub(crate) struct Prepared {
    pub(crate) probs: ArcProbs,
    pub(crate) delays: [DelaySampler; 2],
    /// The same delays as the live engine draws them, 64 at a time (`draws.rs`).
    pub(crate) laws: [Law; 2],
    /// Both classes have the same delay (compared once here: a Weibull sampler's tables made
    /// the comparison cost 4 % of a run on ws_100k when the engines made it every run).
    same_delay: bool,
    pub(crate) horizon: f64,
    pub(crate) rule: Rule,
    /// Width in hours of the calendar queue's buckets: a thirty-second of the faster class's
    /// median delay, so that a bucket holds a few dozen landings and few land in their own.
    pub(crate) bucket: f64,
    /// Continuous delays run on the binary heap (the reference engines) instead of the calendar.
    pub(crate) heap: bool,
    /// Continuous delays without a horizon run as live-arc rounds (`live.rs`) instead of on the
    /// calendar (the `live` engine).
    pub(crate) live: bool,
    /// A live-engine run that would hold more than this many bytes of adopters and live arcs
    /// gives up and runs again, from the same random stream, on the calendar queue (which holds
    /// only the landings not yet settled). Set by `Prepared::new` from the graph's size.
    pub(crate) live_cap: usize,
    /// Whether runs may skip failed coins geometrically (off for the reference `plain` engine).
    pub(crate) skip: bool,
}

/// A live-engine run's buffers may take 4 bytes per arc of the graph, or 64 MiB if that is more
/// (per thread). On ba_1m at p = 0.05 a run takes about 1.7 MB.
const LIVE_CAP_PER_ARC: usize = 4;
const LIVE_CAP_MIN: usize = 64 << 20;

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
                ArcProbs::PerArc(w.iter().map(|&w| threshold(weight_chance(*p, w))).collect())
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
        let count = |need| Rule::Count {
            need,
            in_degrees: graph.in_degrees(),
        };
        let rule = match &model.adoption {
            Adoption::Ic => Rule::Ic,
            Adoption::Threshold { k } => count(Need::Fixed(*k)),
            Adoption::Fractional { f } => count(Need::PerNode(
                graph
                    .in_degrees()
                    .iter()
                    .map(|&d| share_need(*f, d))
                    .collect(),
            )),
            Adoption::Dose { c } => count(Need::Dose(c.clone())),
            Adoption::LinearThreshold {
                weights: LtWeights::InDegree,
            } => count(Need::InDegreeShare),
            Adoption::LinearThreshold {
                weights: LtWeights::Graph,
            } => {
                if graph.weights().is_none() {
                    return Err(Error::invalid(
                        "--lt-weights",
                        "graph",
                        "this graph has no weights (give a weight column)",
                    ));
                }
                Rule::Linear
            }
        };
        let medians = [model.delay_strong.median(), model.delay_weak.median()];
        let fastest = medians
            .into_iter()
            .filter(|m| m.is_finite() && *m > 0.0)
            .fold(f64::INFINITY, f64::min);
        Ok(Prepared {
            probs,
            same_delay: delays[0] == delays[1],
            delays,
            laws: [Law::of(&model.delay_weak), Law::of(&model.delay_strong)],
            horizon: model.horizon(),
            rule,
            bucket: if fastest.is_finite() {
                fastest / 32.0
            } else {
                1.0
            },
            heap: false,
            live: false,
            live_cap: LIVE_CAP_PER_ARC
                .saturating_mul(graph.arc_count())
                .max(LIVE_CAP_MIN),
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

    /// The per-arc success thresholds, when there are such (weights or the weighted cascade).
    pub(crate) fn per_arc(&self) -> Option<&[u64]> {
        match &self.probs {
            ArcProbs::PerArc(v) => Some(v),
            ArcProbs::PerClass(_) => None,
        }
    }

    /// The delay sampler when both tie classes have the same delay (no need to read a class).
    pub(crate) fn uniform_delay(&self) -> Option<&DelaySampler> {
        self.same_delay.then_some(&self.delays[0])
    }

    /// The width of the calendar queue's buckets, in hours.
    pub(crate) fn bucket_width(&self) -> f64 {
        self.bucket
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_needs_are_the_smallest_counts_that_make_the_share() {
        for d in 1..=200u32 {
            for f in [0.01, 0.18, 0.25, 1.0 / 3.0, 0.5, 0.51, 0.999, 1.0] {
                let k = share_need(f, d);
                assert!(k as f64 / d as f64 >= f, "{k}/{d} >= {f}");
                assert!(
                    k == 1 || (k - 1) as f64 / (d as f64) < f,
                    "{k}/{d} is the least for {f}"
                );
            }
        }
        assert_eq!(share_need(0.18, 5), 1);
        assert_eq!(share_need(0.18, 6), 2);
        assert_eq!(share_need(0.5, 2), 1);
        assert_eq!(share_need(0.51, 2), 2);
        assert_eq!(share_need(0.5, 0), u32::MAX);
    }
}

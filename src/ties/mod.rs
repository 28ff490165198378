//! Tie classification: which ties are strong and which weak.
//!
//! One spec syntax for every rule (`--ties SPEC`):
//!
//! | spec | strong ties are |
//! |---|---|
//! | `generator`, `column` | as labelled by the generator or the file's tie column |
//! | `weight:T` | ties with weight ≥ T |
//! | `weight-quantile:Q` | ties with weight above the Q-quantile of all weights |
//! | `overlap:T` | ties with neighbourhood overlap ≥ T (Onnela et al. 2007) |
//! | `overlap-quantile:Q` | ties with overlap above the Q-quantile of all overlaps |
//! | `all-strong`, `all-weak` | every tie, or none |

use rayon::prelude::*;

use crate::graph::{Graph, TieClass};
use crate::{Error, Result};

/// A tie-classification rule. Serialises as its spec string (`overlap:0.5`).
#[derive(Clone, Debug, PartialEq)]
pub enum TieSpec {
    /// Keep the labels the graph came with (generator or tie column).
    Labels,
    WeightThreshold(f64),
    WeightQuantile(f64),
    OverlapThreshold(f64),
    OverlapQuantile(f64),
    AllStrong,
    AllWeak,
}

/// The help text for `--ties`.
pub const TIES_HELP: &str = "How ties are split into strong and weak: \
generator | column (labels the graph came with), weight:T (weight >= T is strong), \
weight-quantile:Q (weight above the Q-quantile is strong), overlap:T (neighbourhood overlap >= T, \
Onnela et al. 2007), overlap-quantile:Q, all-strong, all-weak";

impl std::str::FromStr for TieSpec {
    type Err = Error;
    fn from_str(s: &str) -> Result<TieSpec> {
        let bad = |msg: &str| Error::invalid("--ties", s, msg);
        let (kind, arg) = match s.split_once(':') {
            Some((k, a)) => (k.trim(), Some(a.trim())),
            None => (s.trim(), None),
        };
        let number = |arg: Option<&str>| -> Result<f64> {
            let a = arg.ok_or_else(|| bad("this rule needs a value after ':'"))?;
            a.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| bad("the value after ':' is not a number"))
        };
        let quantile = |arg| -> Result<f64> {
            let q = number(arg)?;
            if (0.0..=1.0).contains(&q) {
                Ok(q)
            } else {
                Err(bad("a quantile must be in [0, 1]"))
            }
        };
        let spec = match kind.to_ascii_lowercase().as_str() {
            "generator" | "column" | "labels" => TieSpec::Labels,
            "weight" => TieSpec::WeightThreshold(number(arg)?),
            "weight-quantile" => TieSpec::WeightQuantile(quantile(arg)?),
            "overlap" => {
                let t = number(arg)?;
                if !(0.0..=1.0).contains(&t) {
                    return Err(bad("an overlap threshold must be in [0, 1]"));
                }
                TieSpec::OverlapThreshold(t)
            }
            "overlap-quantile" => TieSpec::OverlapQuantile(quantile(arg)?),
            "all-strong" | "strong" => TieSpec::AllStrong,
            "all-weak" | "weak" => TieSpec::AllWeak,
            _ => {
                return Err(bad(
                    "unknown rule; expected generator, column, weight:T, weight-quantile:Q, \
                     overlap:T, overlap-quantile:Q, all-strong or all-weak",
                ));
            }
        };
        if matches!(
            spec,
            TieSpec::Labels | TieSpec::AllStrong | TieSpec::AllWeak
        ) && arg.is_some()
        {
            return Err(bad("this rule takes no value"));
        }
        Ok(spec)
    }
}

impl std::fmt::Display for TieSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TieSpec::Labels => write!(f, "generator"),
            TieSpec::WeightThreshold(t) => write!(f, "weight:{t}"),
            TieSpec::WeightQuantile(q) => write!(f, "weight-quantile:{q}"),
            TieSpec::OverlapThreshold(t) => write!(f, "overlap:{t}"),
            TieSpec::OverlapQuantile(q) => write!(f, "overlap-quantile:{q}"),
            TieSpec::AllStrong => write!(f, "all-strong"),
            TieSpec::AllWeak => write!(f, "all-weak"),
        }
    }
}

serde_as_spec!(TieSpec, |s| s.parse());

/// Applies `spec` to `graph`, returning the relabelled graph.
///
/// # Errors
/// `generator`/`column` on a graph without labels; `weight…` on a graph without weights.
pub fn classify(graph: Graph, spec: &TieSpec) -> Result<Graph> {
    let ties = match spec {
        TieSpec::Labels => {
            if !graph.has_tie_labels() {
                return Err(Error::invalid(
                    "--ties",
                    spec.to_string(),
                    "this graph has no tie labels (no generator and no tie column); \
                     use weight:T, overlap:T or a quantile rule",
                ));
            }
            return Ok(graph);
        }
        TieSpec::AllStrong => vec![TieClass::Strong; graph.arc_count()],
        TieSpec::AllWeak => vec![TieClass::Weak; graph.arc_count()],
        TieSpec::WeightThreshold(t) => by_threshold(weights(&graph, spec)?, *t as f32, false),
        TieSpec::WeightQuantile(q) => {
            let w = weights(&graph, spec)?;
            by_threshold(w, quantile(w, *q), true)
        }
        TieSpec::OverlapThreshold(t) => by_threshold(&overlap(&graph), *t as f32, false),
        TieSpec::OverlapQuantile(q) => {
            let o = overlap(&graph);
            by_threshold(&o, quantile(&o, *q), true)
        }
    };
    Ok(graph.with_ties(ties))
}

/// The strength of every edge, in [`Graph::edges`] order, by which `spec` ranks ties: the weight for
/// weight rules, the neighbourhood overlap for overlap rules, the tie class (weak 0, strong 1) for
/// label rules. Returns the scores and the name of the measure.
///
/// # Errors
/// A weight rule on a graph without weights.
pub fn edge_strength(graph: &Graph, spec: &TieSpec) -> Result<(Vec<f32>, &'static str)> {
    let (per_arc, name): (std::borrow::Cow<[f32]>, &str) = match spec {
        TieSpec::WeightThreshold(_) | TieSpec::WeightQuantile(_) => {
            (weights(graph, spec)?.into(), "weight")
        }
        TieSpec::OverlapThreshold(_) | TieSpec::OverlapQuantile(_) => {
            (overlap(graph).into(), "overlap")
        }
        TieSpec::Labels | TieSpec::AllStrong | TieSpec::AllWeak => (
            graph
                .ties()
                .iter()
                .map(|&t| if t == TieClass::Strong { 1.0 } else { 0.0 })
                .collect::<Vec<f32>>()
                .into(),
            "tie class",
        ),
    };
    let mut out = Vec::with_capacity(graph.edge_count());
    for u in 0..graph.node_count() as u32 {
        let (a, b) = graph.arc_range(u);
        for i in a..b {
            if graph.is_directed() || u < graph.targets()[i] {
                out.push(per_arc[i]);
            }
        }
    }
    Ok((out, name))
}

fn weights<'g>(graph: &'g Graph, spec: &TieSpec) -> Result<&'g [f32]> {
    graph.weights().ok_or_else(|| {
        Error::invalid(
            "--ties",
            spec.to_string(),
            "this graph has no weights (give a weight column, e.g. --weight count)",
        )
    })
}

/// Strong iff value ≥ t (threshold rules) or value > t (quantile rules, so that a quantile equal to
/// the most common value does not make every tie strong).
fn by_threshold(values: &[f32], t: f32, strict: bool) -> Vec<TieClass> {
    values
        .par_iter()
        .map(|&x| {
            if (strict && x > t) || (!strict && x >= t) {
                TieClass::Strong
            } else {
                TieClass::Weak
            }
        })
        .collect()
}

/// The `q`-quantile of `values` (lower value; no interpolation).
fn quantile(values: &[f32], q: f64) -> f32 {
    if values.is_empty() {
        return 0.0;
    }
    let mut v = values.to_vec();
    let k = ((q * (v.len() - 1) as f64).round() as usize).min(v.len() - 1);
    let (_, x, _) = v.select_nth_unstable_by(k, |a, b| a.total_cmp(b));
    *x
}

/// Neighbourhood overlap of every arc `u→v` (Onnela et al. 2007):
/// `O_uv = n_uv / ((k_u - 1) + (k_v - 1) - n_uv)`, with `n_uv` the common neighbours and `k` the
/// degrees; 0 when the denominator is 0 (both ends of degree 1). For a directed graph, out-neighbour
/// sets and out-degrees are used.
///
/// Complexity: O(Σ_(u,v) (k_u + k_v)) by sorted-list intersection, parallel over nodes.
pub fn overlap(graph: &Graph) -> Vec<f32> {
    let n = graph.node_count() as u32;
    let per_node: Vec<Vec<f32>> = (0..n)
        .into_par_iter()
        .map(|u| {
            let nu = graph.neighbors(u);
            nu.iter()
                .map(|&v| {
                    let nv = graph.neighbors(v);
                    let common = sorted_intersection(nu, nv) as f64;
                    let denom = (nu.len() as f64 - 1.0) + (nv.len() as f64 - 1.0) - common;
                    if denom > 0.0 {
                        (common / denom) as f32
                    } else {
                        0.0
                    }
                })
                .collect()
        })
        .collect();
    per_node.into_iter().flatten().collect()
}

fn sorted_intersection(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut c) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                c += 1;
                i += 1;
                j += 1;
            }
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::EdgeList;

    fn graph(n: usize, e: &[(u32, u32)], w: Option<Vec<f32>>) -> Graph {
        Graph::from_edges(
            EdgeList {
                weights: w,
                ..EdgeList::from_pairs(n, e)
            },
            false,
        )
    }

    #[test]
    fn spec_syntax() {
        assert_eq!(
            "overlap:0.5".parse::<TieSpec>().unwrap(),
            TieSpec::OverlapThreshold(0.5)
        );
        assert_eq!(
            "weight-quantile:0.7".parse::<TieSpec>().unwrap(),
            TieSpec::WeightQuantile(0.7)
        );
        assert_eq!("column".parse::<TieSpec>().unwrap(), TieSpec::Labels);
        for bad in [
            "overlap",
            "weight:x",
            "overlap-quantile:1.5",
            "magic",
            "generator:3",
            "overlap:2",
        ] {
            let e = bad.parse::<TieSpec>().unwrap_err().to_string();
            assert!(e.contains("--ties") && e.contains(bad), "{e}");
        }
    }

    #[test]
    fn overlap_matches_hand_computation() {
        // Triangle 0-1-2 plus 1-3: O_01 = 1/((1)+(2)-1) = 0.5; O_13 = 0/(2+0-0) = 0; O_02 = 1/(1+1-1) = 1.
        let g = graph(4, &[(0, 1), (1, 2), (2, 0), (1, 3)], None);
        let o = overlap(&g);
        assert_eq!(o[g.find_arc(0, 1).unwrap()], 0.5);
        assert_eq!(o[g.find_arc(1, 0).unwrap()], 0.5);
        assert_eq!(o[g.find_arc(1, 3).unwrap()], 0.0);
        assert_eq!(o[g.find_arc(0, 2).unwrap()], 1.0);
        let c = classify(g, &TieSpec::OverlapThreshold(0.5)).unwrap();
        assert_eq!(c.tie_split(), (3, 1));
    }

    #[test]
    fn weight_rules() {
        let g = graph(4, &[(0, 1), (1, 2), (2, 3)], Some(vec![1.0, 1.0, 5.0]));
        let c = classify(g.clone(), &TieSpec::WeightThreshold(2.0)).unwrap();
        assert_eq!(c.tie_split(), (1, 2));
        // The 0.5-quantile is 1.0 and only ties strictly above it are strong.
        let c = classify(g.clone(), &TieSpec::WeightQuantile(0.5)).unwrap();
        assert_eq!(c.tie_split(), (1, 2));
        assert!(classify(graph(2, &[(0, 1)], None), &TieSpec::WeightThreshold(1.0)).is_err());
        assert!(classify(graph(2, &[(0, 1)], None), &TieSpec::Labels).is_err());
    }
}

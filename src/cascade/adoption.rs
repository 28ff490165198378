//! How a node decides to adopt: the independent cascade, or a model where adoption needs
//! reinforcement (threshold, fractional threshold, linear threshold, dose–response).
//!
//! Every model runs in hours with the tie-aware delays: when `u` adopts at `t_u`, its exposure
//! reaches each friend `v` with the tie's chance (`--p`, `--p-strong`, `--p-weak`, ...) at
//! `t_u + d`, `d` drawn from the tie class's delay. A node counts the distinct adopted neighbours
//! whose exposure has reached it so far and decides at each exposure:
//!
//! | model | adopts at an exposure when |
//! |---|---|
//! | `ic` | the exposure itself succeeds (the tie's chance is the chance to adopt) |
//! | `threshold:K` | it is the K-th |
//! | `fractional:F` | exposures / in-degree ≥ F (Watts 2002) |
//! | `lt` | the exposing neighbours' weights sum to the node's threshold θ ~ U(0, 1] (Kempe, Kleinberg & Tardos 2003); weights 1/in-degree, or the graph's with `--lt-weights graph` |
//! | `dose:C1,C2,…` | U < C_k at the k-th, U ~ U(0, 1) per node (Dodds & Watts 2004): C_k is the chance of having adopted after k exposures |
//!
//! Each of them is one "general threshold" mechanism: a node needs some number of exposures (or
//! some weight), fixed or drawn once per node and run, and adopts at the exposure that meets it.
//! With C_k = 1 − (1 − p)^k and every exposure reaching, dose–response is the independent cascade
//! with chance p in distribution, adoption times included.

use crate::{Error, Naming, Result};

/// Where the weights of the linear threshold model come from.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LtWeights {
    /// `1 / in-degree(v)` on every arc into `v` (CyNetDiff's default).
    #[default]
    InDegree,
    /// The graph's weights, as they are (an arc with weight 0 carries none).
    Graph,
}

impl LtWeights {
    /// Parses `in-degree` or `graph`, naming the parameter by `naming`.
    pub fn parse(naming: Naming, s: &str) -> Result<LtWeights> {
        match s.trim().to_ascii_lowercase().as_str() {
            "in-degree" | "indegree" | "1/in-degree" => Ok(LtWeights::InDegree),
            "graph" | "weight" | "weights" => Ok(LtWeights::Graph),
            _ => Err(naming.invalid("lt_weights", s, "expected in-degree or graph")),
        }
    }

    /// The name `--lt-weights` takes.
    pub fn name(self) -> &'static str {
        match self {
            LtWeights::InDegree => "in-degree",
            LtWeights::Graph => "graph",
        }
    }
}

/// The adoption model. Serialises as its spec (`threshold:2`, `dose:0.15,0.3,0.4`, `lt`).
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Adoption {
    /// The independent cascade: each exposure adopts with the tie's chance.
    #[default]
    Ic,
    /// Adopt at the `k`-th distinct exposure.
    Threshold { k: u32 },
    /// Adopt once the exposed share of one's in-neighbours reaches `f` (in (0, 1]).
    Fractional { f: f64 },
    /// The linear threshold model.
    LinearThreshold { weights: LtWeights },
    /// Dose–response: `c[k - 1]` is the chance of having adopted after `k` exposures
    /// (non-decreasing; the last value holds for every later exposure).
    Dose { c: Vec<f64> },
}

/// The help text for `--model`.
pub const MODEL_HELP: &str = "ic | threshold:K | fractional:F | lt | dose:C1,C2,...";

impl Adoption {
    /// Parses a model spec, naming the parameter by `naming` (`--model` or `model`).
    pub fn parse(naming: Naming, s: &str) -> Result<Adoption> {
        let bad = |msg: &str| naming.invalid("model", s, msg.to_string());
        let (kind, arg) = match s.split_once(':') {
            Some((k, a)) => (k.trim().to_ascii_lowercase(), Some(a.trim())),
            None => (s.trim().to_ascii_lowercase(), None),
        };
        let number = |a: &str| -> Result<f64> {
            a.trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| bad(&format!("{a:?} is not a number")))
        };
        let model = match (kind.as_str(), arg) {
            ("ic" | "independent-cascade", None) => Adoption::Ic,
            ("lt" | "linear-threshold", None) => Adoption::LinearThreshold {
                weights: LtWeights::InDegree,
            },
            ("threshold", Some(a)) => match a.parse::<u32>() {
                Ok(k) if k >= 1 => Adoption::Threshold { k },
                _ => return Err(bad("K must be a whole number of exposures, at least 1")),
            },
            ("fractional", Some(a)) => {
                let f = number(a)?;
                if !(f > 0.0 && f <= 1.0) {
                    return Err(bad("F is a share of neighbours, in (0, 1]"));
                }
                Adoption::Fractional { f }
            }
            ("dose", Some(a)) => {
                if a.is_empty() {
                    return Err(bad("give the chances C1,C2,... after dose:"));
                }
                let c = a.split(',').map(number).collect::<Result<Vec<f64>>>()?;
                if let Some(x) = c.iter().find(|x| !(0.0..=1.0).contains(*x)) {
                    return Err(bad(&format!("{x} is not a chance in [0, 1]")));
                }
                if let Some(w) = c.windows(2).find(|w| w[1] < w[0]) {
                    return Err(bad(&format!(
                        "the chances must not decrease ({} then {})",
                        w[0], w[1]
                    )));
                }
                Adoption::Dose { c }
            }
            ("ic" | "lt" | "independent-cascade" | "linear-threshold", Some(_)) => {
                return Err(bad("this model takes no value after ':'"));
            }
            ("threshold" | "fractional" | "dose", None) => {
                return Err(bad(&format!("{kind} needs a value: {MODEL_HELP}")));
            }
            _ => return Err(bad(&format!("unknown model; expected {MODEL_HELP}"))),
        };
        Ok(model)
    }

    /// Whether this is the independent cascade.
    pub fn is_ic(&self) -> bool {
        matches!(self, Adoption::Ic)
    }

    /// Sets the linear threshold's weights (an error for any other model).
    pub fn with_lt_weights(self, naming: Naming, w: LtWeights) -> Result<Adoption> {
        match self {
            Adoption::LinearThreshold { .. } => Ok(Adoption::LinearThreshold { weights: w }),
            other => Err(naming.invalid(
                "lt_weights",
                w.name(),
                format!(
                    "applies to the linear threshold model ({} lt), not {other}",
                    naming.name("model")
                ),
            )),
        }
    }

    /// The dose–response curve equal in distribution to the independent cascade with chance `p`,
    /// over `k` exposures: C_j = 1 − (1 − p)^j.
    pub fn dose_like_ic(p: f64, k: usize) -> Adoption {
        Adoption::Dose {
            c: (1..=k as i32).map(|j| 1.0 - (1.0 - p).powi(j)).collect(),
        }
    }
}

impl std::fmt::Display for Adoption {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Adoption::Ic => write!(f, "ic"),
            Adoption::Threshold { k } => write!(f, "threshold:{k}"),
            Adoption::Fractional { f: x } => write!(f, "fractional:{x}"),
            Adoption::LinearThreshold {
                weights: LtWeights::InDegree,
            } => write!(f, "lt"),
            Adoption::LinearThreshold {
                weights: LtWeights::Graph,
            } => write!(f, "lt (graph weights)"),
            Adoption::Dose { c } => {
                let c: Vec<String> = c.iter().map(|x| x.to_string()).collect();
                write!(f, "dose:{}", c.join(","))
            }
        }
    }
}

impl serde::Serialize for Adoption {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> serde::Deserialize<'de> for Adoption {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = <String as serde::Deserialize>::deserialize(d)?;
        match s.strip_suffix(" (graph weights)") {
            Some(lt) => Adoption::parse(Naming::Key, lt)
                .and_then(|m| m.with_lt_weights(Naming::Key, LtWeights::Graph)),
            None => Adoption::parse(Naming::Key, &s),
        }
        .map_err(|e: Error| serde::de::Error::custom(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse_and_print_back() {
        for s in [
            "ic",
            "threshold:2",
            "fractional:0.18",
            "lt",
            "dose:0.15,0.3,0.4",
        ] {
            let m = Adoption::parse(Naming::Flag, s).unwrap();
            assert_eq!(m.to_string(), s);
            let back: Adoption = serde_json::from_value(serde_json::to_value(&m).unwrap()).unwrap();
            assert_eq!(back, m);
        }
        let lt = Adoption::parse(Naming::Flag, "LT")
            .unwrap()
            .with_lt_weights(Naming::Flag, LtWeights::Graph)
            .unwrap();
        let back: Adoption = serde_json::from_value(serde_json::to_value(&lt).unwrap()).unwrap();
        assert_eq!(back, lt);
        assert_eq!(
            Adoption::dose_like_ic(0.5, 3),
            Adoption::Dose {
                c: vec![0.5, 0.75, 0.875]
            }
        );
    }

    #[test]
    fn bad_specs_name_the_parameter_and_the_value() {
        for (s, needle) in [
            ("threshold:0", "at least 1"),
            ("threshold:1.5", "whole number"),
            ("threshold", "needs a value"),
            ("fractional:1.5", "(0, 1]"),
            ("fractional:0", "(0, 1]"),
            ("fractional:x", "not a number"),
            ("dose:", "C1,C2"),
            ("dose:0.2,1.2", "1.2 is not a chance"),
            ("dose:0.3,0.2", "must not decrease"),
            ("dose:0.1,,0.2", "not a number"),
            ("lt:2", "no value"),
            ("sir", "unknown model"),
        ] {
            let e = Adoption::parse(Naming::Flag, s).unwrap_err().to_string();
            assert!(
                e.contains("--model") && e.contains(s) && e.contains(needle),
                "{e}"
            );
            let e = Adoption::parse(Naming::Key, s).unwrap_err().to_string();
            assert!(e.contains("model") && !e.contains("--"), "{e}");
        }
        let e = Adoption::Ic
            .with_lt_weights(Naming::Flag, LtWeights::Graph)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("--lt-weights") && e.contains("--model lt"),
            "{e}"
        );
    }
}

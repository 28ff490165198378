//! The cascade model as a user states it: how likely an attempt on a tie succeeds, how long it
//! takes, and the horizon. [`ModelSpec`] is the one place where flags and scenario keys become a
//! validated [`Model`]; errors name the parameter as the user wrote it ([`Naming`]).

use super::adoption::{Adoption, LtWeights};
use super::delay::Delay;
use crate::{Naming, Result};

/// How the probability that an attempt on arc `u→v` succeeds is set.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "rule", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Activation {
    /// The same `p` on every arc.
    Uniform { p: f64 },
    /// `strong` on strong ties, `weak` on weak ties.
    ByTie { strong: f64, weak: f64 },
    /// From the arc weight `w` (an interaction count): `1 - (1 - p)^w`, i.e. `w` independent chances
    /// of probability `p` each; weights ≤ 0 give 0.
    FromWeight { p: f64 },
    /// Weighted cascade (Kempe, Kleinberg & Tardos 2003): `1 / in-degree(v)`.
    WeightedCascade,
}

impl std::fmt::Display for Activation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Activation::Uniform { p } => write!(f, "uniform p={p}"),
            Activation::ByTie { strong, weak } => write!(f, "by tie: strong {strong}, weak {weak}"),
            Activation::FromWeight { p } => write!(f, "from weight w: 1-(1-{p})^w"),
            Activation::WeightedCascade => write!(f, "weighted cascade: 1/in-degree"),
        }
    }
}

/// The full cascade model.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Model {
    /// How a node decides to adopt (the independent cascade unless told otherwise).
    #[serde(default)]
    pub adoption: Adoption,
    /// The chance that an attempt succeeds (under the independent cascade), or that an exposure
    /// reaches the friend (under the other models).
    pub activation: Activation,
    pub delay_strong: Delay,
    pub delay_weak: Delay,
    /// Adoptions after this many hours are not counted; `None` = unbounded.
    pub horizon_hours: Option<f64>,
}

fn check_p(naming: Naming, key: &str, p: f64) -> Result<()> {
    if p.is_nan() || !(0.0..=1.0).contains(&p) {
        return Err(naming.invalid(key, p, "a probability must be in [0, 1]"));
    }
    Ok(())
}

impl Model {
    /// The same probability `p` on every arc and the same delay on every tie, no horizon: the
    /// classic independent cascade (with `Delay::Fixed { hours: 1.0 }`, in rounds).
    pub fn uniform(p: f64, delay: Delay) -> Model {
        Model {
            adoption: Adoption::Ic,
            activation: Activation::Uniform { p },
            delay_strong: delay,
            delay_weak: delay,
            horizon_hours: None,
        }
    }

    /// The same model deciding adoption by `adoption`.
    pub fn with_adoption(self, adoption: Adoption) -> Model {
        Model { adoption, ..self }
    }

    /// Checks every parameter, naming a bad one as the command line does.
    pub fn validate(&self) -> Result<()> {
        self.check(Naming::Flag)
    }

    /// Checks every parameter, naming a bad one by `naming`.
    pub fn check(&self, naming: Naming) -> Result<()> {
        match self.activation {
            Activation::Uniform { p } => check_p(naming, "p", p)?,
            Activation::ByTie { strong, weak } => {
                check_p(naming, "p_strong", strong)?;
                check_p(naming, "p_weak", weak)?;
            }
            Activation::FromWeight { p } => check_p(naming, "p_from_weight", p)?,
            Activation::WeightedCascade => {}
        }
        self.delay_strong.validate(&naming.name("delay_strong"))?;
        self.delay_weak.validate(&naming.name("delay_weak"))?;
        if let Some(h) = self.horizon_hours
            && !(h.is_finite() && h > 0.0)
        {
            return Err(naming.invalid(
                "hours",
                h,
                "the horizon must be a positive number of hours",
            ));
        }
        Ok(())
    }

    /// The horizon, or infinity.
    pub fn horizon(&self) -> f64 {
        self.horizon_hours.unwrap_or(f64::INFINITY)
    }
}

/// A model as the user gives it, every parameter optional: the flags of `simulate` or the keys
/// of a scenario's platform. [`ModelSpec::build`] applies the defaults and checks everything.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ModelSpec {
    /// The adoption model (`ic`, `threshold:K`, `fractional:F`, `lt`, `dose:C1,C2,...`).
    pub model: Option<String>,
    /// The linear threshold's weights: `in-degree` (default) or `graph`.
    pub lt_weights: Option<String>,
    /// The same chance on every tie.
    pub p: Option<f64>,
    /// The chance on strong ties (weak ties keep the default unless `p_weak` is given).
    pub p_strong: Option<f64>,
    /// The chance on weak ties.
    pub p_weak: Option<f64>,
    /// The chance from a tie's weight `w`: `1 - (1 - p)^w`.
    pub p_from_weight: Option<f64>,
    /// The chance `1 / in-degree` of the target.
    pub weighted_cascade: bool,
    /// The delay on every tie (instead of `delay_strong` and `delay_weak`).
    pub delay: Option<String>,
    pub delay_strong: Option<String>,
    pub delay_weak: Option<String>,
    /// The horizon in hours; `None` = unbounded.
    pub hours: Option<f64>,
}

impl ModelSpec {
    /// The chance on every tie when no rule is given, under the independent cascade.
    pub const DEFAULT_P: f64 = 0.1;
    /// The chance that an exposure reaches a friend when no rule is given, under the other
    /// models: every exposure does.
    pub const DEFAULT_EXPOSURE: f64 = 1.0;
    /// The delay on a tie class when none is given.
    pub const DEFAULT_DELAY: Delay = Delay::Exp { mean: 1.0 };

    /// The validated model.
    ///
    /// # Errors
    /// More than one activation rule, a probability outside [0, 1], a malformed or out-of-range
    /// delay, both `delay` and a per-class delay, a horizon that is not a positive number of hours;
    /// each names the parameter by `naming` and quotes the value.
    pub fn build(&self, naming: Naming) -> Result<Model> {
        let rules = [
            self.p.is_some(),
            self.p_strong.is_some() || self.p_weak.is_some(),
            self.p_from_weight.is_some(),
            self.weighted_cascade,
        ];
        if rules.iter().filter(|&&x| x).count() > 1 {
            let n = |k| naming.name(k);
            return Err(naming.invalid(
                "p",
                "",
                format!(
                    "give only one of {}, {}/{}, {}, {}",
                    n("p"),
                    n("p_strong"),
                    n("p_weak"),
                    n("p_from_weight"),
                    n("weighted_cascade")
                ),
            ));
        }
        let mut adoption = match &self.model {
            Some(s) => Adoption::parse(naming, s)?,
            None => Adoption::Ic,
        };
        if let Some(w) = &self.lt_weights {
            adoption = adoption.with_lt_weights(naming, LtWeights::parse(naming, w)?)?;
        }
        let default_p = if adoption.is_ic() {
            Self::DEFAULT_P
        } else {
            Self::DEFAULT_EXPOSURE
        };
        let activation = if let Some(p) = self.p {
            Activation::Uniform { p }
        } else if self.p_strong.is_some() || self.p_weak.is_some() {
            Activation::ByTie {
                strong: self.p_strong.unwrap_or(default_p),
                weak: self.p_weak.unwrap_or(default_p),
            }
        } else if let Some(p) = self.p_from_weight {
            Activation::FromWeight { p }
        } else if self.weighted_cascade {
            Activation::WeightedCascade
        } else {
            Activation::Uniform { p: default_p }
        };
        let delay = |key: &str, given: &Option<String>| -> Result<Delay> {
            match given {
                Some(s) => Delay::parse(&naming.name(key), s),
                None => Ok(Self::DEFAULT_DELAY),
            }
        };
        let (delay_strong, delay_weak) = match &self.delay {
            Some(d) if self.delay_strong.is_some() || self.delay_weak.is_some() => {
                return Err(naming.invalid(
                    "delay",
                    d,
                    format!(
                        "give {} or {}/{}, not both",
                        naming.name("delay"),
                        naming.name("delay_strong"),
                        naming.name("delay_weak")
                    ),
                ));
            }
            Some(_) => (delay("delay", &self.delay)?, delay("delay", &self.delay)?),
            None => (
                delay("delay_strong", &self.delay_strong)?,
                delay("delay_weak", &self.delay_weak)?,
            ),
        };
        let model = Model {
            adoption,
            activation,
            delay_strong,
            delay_weak,
            horizon_hours: self.hours,
        };
        model.check(naming)?;
        Ok(model)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_validation_names_the_option() {
        let m = |a| Model {
            adoption: Adoption::Ic,
            activation: a,
            delay_strong: Delay::Fixed { hours: 1.0 },
            delay_weak: Delay::Fixed { hours: 1.0 },
            horizon_hours: None,
        };
        let e = m(Activation::Uniform { p: 1.5 })
            .validate()
            .unwrap_err()
            .to_string();
        assert!(e.contains("--p") && e.contains("1.5"), "{e}");
        let e = m(Activation::ByTie {
            strong: 0.5,
            weak: f64::NAN,
        })
        .validate()
        .unwrap_err()
        .to_string();
        assert!(e.contains("--p-weak") && e.contains("NaN"), "{e}");
        let mut bad_h = m(Activation::Uniform { p: 0.5 });
        bad_h.horizon_hours = Some(0.0);
        assert!(
            bad_h
                .validate()
                .unwrap_err()
                .to_string()
                .contains("--hours")
        );
    }

    #[test]
    fn specs_build_with_defaults_and_name_what_is_wrong() {
        let m = ModelSpec::default().build(Naming::Flag).unwrap();
        assert_eq!(m.activation, Activation::Uniform { p: 0.1 });
        assert_eq!(m.delay_strong, ModelSpec::DEFAULT_DELAY);
        let m = ModelSpec {
            p_strong: Some(0.3),
            delay: Some("fixed:1".into()),
            hours: Some(24.0),
            ..Default::default()
        }
        .build(Naming::Key)
        .unwrap();
        assert_eq!(
            m.activation,
            Activation::ByTie {
                strong: 0.3,
                weak: 0.1
            }
        );
        assert_eq!(m.delay_weak, Delay::Fixed { hours: 1.0 });
        assert_eq!(m.horizon_hours, Some(24.0));
        let err = |spec: ModelSpec, naming: Naming| spec.build(naming).unwrap_err().to_string();
        let e = err(
            ModelSpec {
                p_strong: Some(1.5),
                ..Default::default()
            },
            Naming::Key,
        );
        assert!(
            e.contains("p_strong") && e.contains("1.5") && !e.contains("--"),
            "{e}"
        );
        let e = err(
            ModelSpec {
                p: Some(0.1),
                weighted_cascade: true,
                ..Default::default()
            },
            Naming::Flag,
        );
        assert!(e.contains("--p") && e.contains("--weighted-cascade"), "{e}");
        let e = err(
            ModelSpec {
                delay: Some("exp:1".into()),
                delay_weak: Some("exp:2".into()),
                ..Default::default()
            },
            Naming::Flag,
        );
        assert!(e.contains("--delay") && e.contains("not both"), "{e}");
        let e = err(
            ModelSpec {
                delay_weak: Some("exp:-1".into()),
                ..Default::default()
            },
            Naming::Key,
        );
        assert!(e.contains("delay_weak") && e.contains("exp:-1"), "{e}");
        let m = ModelSpec {
            model: Some("dose:0.15,0.3,0.4".into()),
            p_weak: Some(0.5),
            ..Default::default()
        }
        .build(Naming::Flag)
        .unwrap();
        assert_eq!(
            m.activation,
            Activation::ByTie {
                strong: 1.0,
                weak: 0.5
            },
            "exposures reach by default"
        );
        assert_eq!(m.adoption.to_string(), "dose:0.15,0.3,0.4");
        for model in ["lt", "threshold:2", "fractional:0.2"] {
            let m = ModelSpec {
                model: Some(model.into()),
                ..Default::default()
            }
            .build(Naming::Flag)
            .unwrap();
            assert_eq!(
                m.activation,
                Activation::Uniform { p: 1.0 },
                "{model}: every exposure reaches"
            );
        }
        let e = err(
            ModelSpec {
                lt_weights: Some("graph".into()),
                ..Default::default()
            },
            Naming::Key,
        );
        assert!(e.contains("lt_weights") && e.contains("model lt"), "{e}");
        let e = err(
            ModelSpec {
                hours: Some(0.0),
                ..Default::default()
            },
            Naming::Flag,
        );
        assert!(e.contains("--hours"), "{e}");
    }
}

//! The delay, in hours, between an adoption and the moment it reaches a friend: the spec a user
//! writes (`exp:0.5`, `lognormal:0.3,1`, `weibull:0.7,16`, `fixed:1`) and its sampler.

use rand_distr::{Distribution, StandardNormal};

use super::fastmath::{FastExp, FastPow};

use crate::rng::Rng;
use crate::{Error, Result};

/// The delay, in hours, between an adopter's adoption and a successful attempt's landing.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum Delay {
    /// Exponential with the given mean (hours).
    Exp { mean: f64 },
    /// Log-normal with the given median (hours) and log-scale sigma.
    LogNormal { median: f64, sigma: f64 },
    /// Weibull with the given shape and scale (hours).
    Weibull { shape: f64, scale: f64 },
    /// Always the same number of hours.
    Fixed { hours: f64 },
}

impl Delay {
    /// The help text for `--delay-*`.
    pub const HELP: &'static str =
        "exp:MEAN_HOURS | lognormal:MEDIAN_HOURS,SIGMA | weibull:SHAPE,SCALE_HOURS | fixed:HOURS";

    /// Parses a delay spec, naming `option` in errors.
    pub fn parse(option: &str, s: &str) -> Result<Delay> {
        let bad = |msg: &str| Error::invalid(option, s, msg);
        let (kind, args) = s
            .split_once(':')
            .ok_or_else(|| bad(&format!("expected {}", Delay::HELP)))?;
        let nums: Vec<f64> = args
            .split(',')
            .map(|a| a.trim().parse::<f64>())
            .collect::<std::result::Result<_, _>>()
            .map_err(|_| bad("parameters must be numbers"))?;
        let want = |k: usize| -> Result<()> {
            if nums.len() == k {
                Ok(())
            } else {
                Err(bad(&format!("{kind} takes {k} parameter(s)")))
            }
        };
        let d = match kind.trim().to_ascii_lowercase().as_str() {
            "exp" | "exponential" => {
                want(1)?;
                Delay::Exp { mean: nums[0] }
            }
            "lognormal" | "log-normal" => {
                want(2)?;
                Delay::LogNormal {
                    median: nums[0],
                    sigma: nums[1],
                }
            }
            "weibull" => {
                want(2)?;
                Delay::Weibull {
                    shape: nums[0],
                    scale: nums[1],
                }
            }
            "fixed" => {
                want(1)?;
                Delay::Fixed { hours: nums[0] }
            }
            _ => {
                return Err(bad(&format!(
                    "unknown distribution; expected {}",
                    Delay::HELP
                )));
            }
        };
        d.validate(option)?;
        Ok(d)
    }

    /// Checks that every parameter is finite and positive (a fixed delay may be 0).
    pub fn validate(&self, option: &str) -> Result<()> {
        let params: Vec<f64> = match *self {
            Delay::Exp { mean } => vec![mean],
            Delay::LogNormal { median, sigma } => vec![median, sigma],
            Delay::Weibull { shape, scale } => vec![shape, scale],
            Delay::Fixed { hours } => {
                if !(hours.is_finite() && hours >= 0.0) {
                    return Err(Error::invalid(
                        option,
                        self.to_string(),
                        "hours must be finite and >= 0",
                    ));
                }
                vec![]
            }
        };
        if params.iter().any(|x| !(x.is_finite() && *x > 0.0)) {
            return Err(Error::invalid(
                option,
                self.to_string(),
                "parameters must be finite and > 0",
            ));
        }
        Ok(())
    }

    /// The distribution's mean, in hours.
    pub fn mean(&self) -> f64 {
        match *self {
            Delay::Exp { mean } => mean,
            Delay::LogNormal { median, sigma } => median * (sigma * sigma / 2.0).exp(),
            Delay::Weibull { shape, scale } => scale * gamma(1.0 + 1.0 / shape),
            Delay::Fixed { hours } => hours,
        }
    }

    /// The distribution's median, in hours.
    pub fn median(&self) -> f64 {
        match *self {
            Delay::Exp { mean } => mean * std::f64::consts::LN_2,
            Delay::LogNormal { median, .. } => median,
            Delay::Weibull { shape, scale } => scale * std::f64::consts::LN_2.powf(1.0 / shape),
            Delay::Fixed { hours } => hours,
        }
    }

    pub(crate) fn sampler(&self) -> DelaySampler {
        match *self {
            // `rand_distr::Exp::new(1 / mean)` keeps `1 / (1 / mean)`; the same number here, so
            // the draws are the same bytes as through it.
            Delay::Exp { mean } => DelaySampler::Exp {
                scale: 1.0 / (1.0 / mean),
            },
            Delay::LogNormal { median, sigma } => DelaySampler::LogNormal {
                mu: median.ln(),
                sigma,
                exp: FastExp::new(),
            },
            Delay::Weibull { shape, scale } => {
                DelaySampler::Weibull(Box::new(FastPow::new(1.0 / shape, scale)))
            }
            Delay::Fixed { hours } => DelaySampler::Fixed(hours),
        }
    }
}

impl std::fmt::Display for Delay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Delay::Exp { mean } => write!(f, "exp:{mean}"),
            Delay::LogNormal { median, sigma } => write!(f, "lognormal:{median},{sigma}"),
            Delay::Weibull { shape, scale } => write!(f, "weibull:{shape},{scale}"),
            Delay::Fixed { hours } => write!(f, "fixed:{hours}"),
        }
    }
}

serde_as_spec!(Delay, |s| Delay::parse("delay", s));

/// Lanczos approximation of the gamma function (g = 7, n = 9), accurate to ~1e-15 for x > 0.
fn gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        return std::f64::consts::PI / ((std::f64::consts::PI * x).sin() * gamma(1.0 - x));
    }
    let x = x - 1.0;
    let mut a = G[0];
    let t = x + 7.5;
    for (i, &g) in G.iter().enumerate().skip(1) {
        a += g / (x + i as f64);
    }
    (2.0 * std::f64::consts::PI).sqrt() * t.powf(x + 0.5) * (-t).exp() * a
}

/// A delay distribution ready to draw from.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum DelaySampler {
    /// `scale · E` with E ~ Exp(1) from the ziggurat, drawn in line (`rand_distr::Exp::sample`
    /// makes the same product, but its ziggurat stayed behind a call; in line: the same bytes,
    /// and ba_1m's 1,000 runs in 1.05 s against 1.12 s on two threads, within the noise on one).
    Exp {
        scale: f64,
    },
    /// `e^(mu + sigma·Z)`, Z standard normal from the ziggurat, the exponential inlined.
    LogNormal {
        mu: f64,
        sigma: f64,
        exp: FastExp,
    },
    /// `scale · E^(1/shape)` with E ~ Exp(1): P(X ≤ x) = P(E ≤ (x/scale)^shape), the Weibull law.
    /// E comes from the ziggurat and the power from tables made for this shape, so a draw costs
    /// neither a logarithm nor an exponential (the usual inversion, `scale · (−ln U)^(1/shape)`,
    /// costs a logarithm and a power).
    Weibull(Box<FastPow>),
    Fixed(f64),
}

impl DelaySampler {
    /// A delay. The exponential, the default, is drawn in line (a ziggurat: one random word and a
    /// table look-up in all but about 1 % of draws); the others through a call.
    #[inline(always)]
    pub(crate) fn sample(&self, rng: &mut Rng) -> f64 {
        match self {
            DelaySampler::Exp { scale } => {
                let e: f64 = rand_distr::Exp1.sample(rng);
                e * scale
            }
            _ => self.sample_other(rng),
        }
    }

    #[inline(never)]
    fn sample_other(&self, rng: &mut Rng) -> f64 {
        match self {
            DelaySampler::Exp { scale } => {
                let e: f64 = rand_distr::Exp1.sample(rng);
                e * scale
            }
            DelaySampler::LogNormal { mu, sigma, exp } => {
                let z: f64 = StandardNormal.sample(rng);
                exp.exp(mu + sigma * z)
            }
            DelaySampler::Weibull(pow) => {
                let e: f64 = rand_distr::Exp1.sample(rng);
                pow.pow(e)
            }
            DelaySampler::Fixed(h) => *h,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_specs_parse_and_reject() {
        assert_eq!(
            Delay::parse("--d", "exp:0.5").unwrap(),
            Delay::Exp { mean: 0.5 }
        );
        assert_eq!(
            Delay::parse("--d", "lognormal:1.5,1.0").unwrap(),
            Delay::LogNormal {
                median: 1.5,
                sigma: 1.0
            }
        );
        assert_eq!(
            Delay::parse("--d", "fixed:0").unwrap(),
            Delay::Fixed { hours: 0.0 }
        );
        for bad in [
            "exp:-1",
            "exp:0",
            "exp:nan",
            "weibull:1",
            "gamma:2",
            "exp",
            "lognormal:1,x",
            "fixed:-2",
        ] {
            let e = Delay::parse("--delay-weak", bad).unwrap_err().to_string();
            assert!(e.contains("--delay-weak"), "{e}");
        }
    }

    #[test]
    fn weibull_draws_follow_the_weibull_law() {
        // Kolmogorov–Smirnov against the distribution function, 200,000 draws: the critical
        // distance at the 0.1 % level is 1.95 / sqrt(n).
        // Shape 0.2 takes the power's fallback (a = 5 is past its tables), the others its tables.
        for (shape, scale) in [(0.2, 1.0), (0.7, 16.0), (1.0, 2.0), (1.5, 1.13), (3.0, 0.5)] {
            let d = Delay::Weibull { shape, scale };
            let s = d.sampler();
            let mut r = crate::rng::stream(3, 0);
            let n = 200_000;
            let mut x: Vec<f64> = (0..n).map(|_| s.sample(&mut r)).collect();
            x.sort_by(f64::total_cmp);
            let cdf = |v: f64| 1.0 - (-(v / scale).powf(shape)).exp();
            let ks = x
                .iter()
                .enumerate()
                .map(|(i, &v)| {
                    let f = cdf(v);
                    (f - i as f64 / n as f64)
                        .abs()
                        .max(((i + 1) as f64 / n as f64 - f).abs())
                })
                .fold(0.0, f64::max);
            assert!(
                ks < 1.95 / (n as f64).sqrt(),
                "weibull {shape},{scale}: KS {ks}"
            );
        }
    }

    #[test]
    fn means_and_medians() {
        assert!((gamma(5.0) - 24.0).abs() < 1e-10);
        assert!((gamma(0.5) - std::f64::consts::PI.sqrt()).abs() < 1e-12);
        let w = Delay::Weibull {
            shape: 1.0,
            scale: 2.0,
        };
        assert!((w.mean() - 2.0).abs() < 1e-12);
        assert!((Delay::Exp { mean: 2.0 }.median() - 2.0 * 2f64.ln()).abs() < 1e-12);
    }
}

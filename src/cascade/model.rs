//! Model parameters: activation probabilities and delay distributions per tie class, and the horizon.

use rand::Rng as _;
use rand_distr::{Distribution, Exp, LogNormal, Weibull};

use crate::graph::{Graph, TieClass};
use crate::rng::Rng;
use crate::{Error, Result};

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
            Delay::Exp { mean } => DelaySampler::Exp(Exp::new(1.0 / mean).expect("validated")),
            Delay::LogNormal { median, sigma } => {
                DelaySampler::LogNormal(LogNormal::new(median.ln(), sigma).expect("validated"))
            }
            Delay::Weibull { shape, scale } => {
                DelaySampler::Weibull(Weibull::new(scale, shape).expect("validated"))
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
#[derive(Clone, Debug)]
pub(crate) enum DelaySampler {
    Exp(Exp<f64>),
    LogNormal(LogNormal<f64>),
    Weibull(Weibull<f64>),
    Fixed(f64),
}

impl DelaySampler {
    #[inline]
    pub(crate) fn sample(&self, rng: &mut Rng) -> f64 {
        match self {
            DelaySampler::Exp(d) => d.sample(rng),
            DelaySampler::LogNormal(d) => d.sample(rng),
            DelaySampler::Weibull(d) => d.sample(rng),
            DelaySampler::Fixed(h) => *h,
        }
    }
}

/// The full cascade model.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Model {
    pub activation: Activation,
    pub delay_strong: Delay,
    pub delay_weak: Delay,
    /// Adoptions after this many hours are not counted; `None` = unbounded.
    pub horizon_hours: Option<f64>,
}

fn check_p(option: &str, p: f64) -> Result<()> {
    if p.is_nan() || !(0.0..=1.0).contains(&p) {
        return Err(Error::invalid(
            option,
            p.to_string(),
            "a probability must be in [0, 1]",
        ));
    }
    Ok(())
}

impl Model {
    /// The same probability `p` on every arc and the same delay on every tie, no horizon: the
    /// classic independent cascade (with `Delay::Fixed { hours: 1.0 }`, in rounds).
    pub fn uniform(p: f64, delay: Delay) -> Model {
        Model {
            activation: Activation::Uniform { p },
            delay_strong: delay,
            delay_weak: delay,
            horizon_hours: None,
        }
    }

    /// Checks every parameter, naming the command-line option of a bad one.
    pub fn validate(&self) -> Result<()> {
        match self.activation {
            Activation::Uniform { p } => check_p("--p", p)?,
            Activation::ByTie { strong, weak } => {
                check_p("--p-strong", strong)?;
                check_p("--p-weak", weak)?;
            }
            Activation::FromWeight { p } => check_p("--p-from-weight", p)?,
            Activation::WeightedCascade => {}
        }
        self.delay_strong.validate("--delay-strong")?;
        self.delay_weak.validate("--delay-weak")?;
        if let Some(h) = self.horizon_hours
            && !(h.is_finite() && h > 0.0)
        {
            return Err(Error::invalid(
                "--hours",
                h.to_string(),
                "the horizon must be a positive number of hours",
            ));
        }
        Ok(())
    }

    /// The horizon, or infinity.
    pub fn horizon(&self) -> f64 {
        self.horizon_hours.unwrap_or(f64::INFINITY)
    }

    /// Precomputes what one run needs on `graph`.
    pub(crate) fn prepare(&self, graph: &Graph) -> Result<Prepared> {
        self.validate()?;
        let probs = match &self.activation {
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
        let delays = [self.delay_weak.sampler(), self.delay_strong.sampler()];
        Ok(Prepared {
            probs,
            delays,
            horizon: self.horizon(),
            skip: true,
        })
    }
}

/// The success threshold for a 53-bit uniform draw: an attempt succeeds iff `draw < threshold`, so
/// p = 0 never succeeds and p = 1 always does.
#[inline]
pub(crate) fn threshold(p: f64) -> u64 {
    (p.clamp(0.0, 1.0) * (1u64 << 53) as f64).round() as u64
}

/// Per-arc success thresholds, by class or per arc.
#[derive(Clone, Debug)]
pub(crate) enum ArcProbs {
    PerClass([u64; 2]),
    PerArc(Vec<u64>),
}

/// Geometric skipping: instead of one coin per arc, draw how many arcs fail before the next
/// success. For a coin of probability q the gap is `floor(E / −ln(1 − q))` with E exponential of
/// mean 1: P(gap ≥ k) = (1 − q)^k, the same law as k failed coins in a row. With two tie classes the
/// gaps use the larger probability and each candidate is kept with probability `q_arc / q_max`
/// (thinning), which again gives every arc its own independent coin. The cost is one draw per
/// success instead of one per arc, which is what makes small probabilities cheap.
#[derive(Copy, Clone, Debug)]
pub(crate) struct Skipper {
    thr_max: u64,
    /// 1 / λ with λ = −ln(1 − q_max).
    inv_rate: f64,
    classes: Option<[u64; 2]>,
}

impl Skipper {
    /// The largest success probability of one coin (the one the gaps are drawn for).
    pub(crate) fn q_max(&self) -> f64 {
        self.thr_max as f64 / (1u64 << 53) as f64
    }

    /// Arcs to skip before the next candidate.
    #[inline(always)]
    fn gap(&self, rng: &mut Rng) -> usize {
        if self.thr_max >= 1 << 53 {
            return 0;
        }
        if self.thr_max == 0 {
            return usize::MAX;
        }
        // floor(E / λ) with E ~ Exp(1) and λ = −ln(1 − q): P(gap ≥ k) = e^(−kλ) = (1 − q)^k.
        // The ziggurat sampler for E needs a logarithm only in its rare tail.
        let e: f64 = rand_distr::Exp1.sample(rng);
        let g = e * self.inv_rate;
        if g < 1e18 { g as usize } else { usize::MAX }
    }

    /// Starts a walk over a sequence of coins laid out block after block (see [`Skipper::block`]),
    /// its gaps taken from `gaps`.
    #[inline(always)]
    pub(crate) fn walk(&self, gaps: &mut impl Gaps, rng: &mut Rng) -> Walk {
        Walk {
            x: gaps.gap(self, rng),
        }
    }

    /// The next block of a walk: the `d · k` coins of arcs `a..a + d` in `k` lanes, arc-major
    /// (position `x` is arc `a + x / k`, lane `x % k`). Calls `hit(i, lane, rng)` for every
    /// (arc, lane) pair whose coin succeeds. The blocks of one walk are skipped through as one
    /// sequence, so a block costs one draw per success and nothing else: an arc tried in many
    /// runs, or many small blocks in a row, cost no more draws than their successes (plus one
    /// for the walk).
    #[inline(always)]
    pub(crate) fn block(
        &self,
        w: &mut Walk,
        gaps: &mut impl Gaps,
        rng: &mut Rng,
        ties: &[TieClass],
        (a, d): (usize, usize),
        k: usize,
        mut hit: impl FnMut(usize, usize, &mut Rng),
    ) {
        let end = d.saturating_mul(k);
        if w.x >= end {
            w.x -= end;
            return;
        }
        let div = Divider::new(k);
        let mut x = w.x;
        while x < end {
            let (q, lane) = div.div_rem(x);
            let i = a + q;
            if self.keep(rng, ties, i) {
                hit(i, lane, rng);
            }
            x = x.saturating_add(1).saturating_add(gaps.gap(self, rng));
        }
        w.x = x - end;
    }

    /// Appends to `out` the positions in `0..len` of a sequence of `len` coins at which a
    /// candidate success falls: every success, and with two tie classes also the candidates
    /// that [`Skipper::keep`] must then thin. One draw per candidate and no branch per block:
    /// the caller maps positions to arcs afterwards.
    #[inline(always)]
    pub(crate) fn candidates(&self, rng: &mut Rng, len: usize, out: &mut Vec<usize>) {
        let mut x = self.gap(rng);
        while x < len {
            out.push(x);
            x = x.saturating_add(1).saturating_add(self.gap(rng));
        }
    }

    /// Whether [`Skipper::keep`] can turn a candidate down (two tie classes with different
    /// probabilities); without it every candidate is a success.
    #[inline(always)]
    pub(crate) fn thins(&self) -> bool {
        self.classes.is_some()
    }

    /// Whether a candidate success on arc `i` (from [`Skipper::candidates`] or a block's walk) is
    /// kept: always with one probability, with probability `p_arc / p_max` (one draw) with two
    /// tie classes.
    #[inline(always)]
    pub(crate) fn keep(&self, rng: &mut Rng, ties: &[TieClass], i: usize) -> bool {
        match self.classes {
            None => true,
            Some(c) => {
                let t = c[ties[i].index()];
                t == self.thr_max
                    || ((rng.next_u64() >> 11) as u128 * self.thr_max as u128) < (t as u128) << 53
            }
        }
    }

    /// Calls `hit(i, rng)` for every arc `i` in `a..b` whose coin succeeds, in increasing order
    /// (one lane: the divisions by `k = 1` fold away).
    #[inline(always)]
    pub(crate) fn for_each_success(
        &self,
        rng: &mut Rng,
        ties: &[TieClass],
        a: usize,
        b: usize,
        mut hit: impl FnMut(usize, &mut Rng),
    ) {
        let mut w = self.walk(&mut Fresh, rng);
        self.block(&mut w, &mut Fresh, rng, ties, (a, b - a), 1, |i, _, rng| {
            hit(i, rng)
        });
    }
}

/// Where a walk's gaps come from. Either way each gap is a fresh independent draw; only when it
/// is drawn differs.
pub(crate) trait Gaps {
    /// The next gap of `sk`'s law.
    fn gap(&mut self, sk: &Skipper, rng: &mut Rng) -> usize;
}

/// Gaps drawn when they are needed.
pub(crate) struct Fresh;

impl Gaps for Fresh {
    #[inline(always)]
    fn gap(&mut self, sk: &Skipper, rng: &mut Rng) -> usize {
        sk.gap(rng)
    }
}

/// Gaps drawn ahead, [`GAPS_AHEAD`] at a time, so that a walk waits for a load instead of a
/// sampler: after a mispredicted branch in a walk (how many successes a block has is anyone's
/// guess), the next decision needs the next gap at once. Must be [`Drawn::reset`] whenever the
/// random stream changes, so that what a stream gives never depends on what came before.
#[derive(Default)]
pub(crate) struct Drawn {
    buf: Vec<usize>,
    pos: usize,
}

/// How many gaps [`Drawn`] draws at a time.
const GAPS_AHEAD: usize = 64;

impl Drawn {
    /// Forgets the gaps drawn from the last stream.
    pub(crate) fn reset(&mut self) {
        self.pos = self.buf.len();
    }

    #[inline(never)]
    fn refill(&mut self, sk: &Skipper, rng: &mut Rng) {
        self.buf.clear();
        self.buf.extend((0..GAPS_AHEAD).map(|_| sk.gap(rng)));
        self.pos = 0;
    }
}

impl Gaps for Drawn {
    #[inline(always)]
    fn gap(&mut self, sk: &Skipper, rng: &mut Rng) -> usize {
        if self.pos >= self.buf.len() {
            self.refill(sk, rng);
        }
        let g = self.buf[self.pos];
        self.pos += 1;
        g
    }
}

/// Where a walk of [`Skipper::block`]s stands: the next candidate coin is `x` positions after the
/// start of the next block.
pub(crate) struct Walk {
    x: usize,
}

impl Walk {
    /// Whether the next block, of `len` coins, has a success (its coins must then be walked by
    /// [`Skipper::block`]; otherwise [`Walk::pass`] it).
    #[inline(always)]
    pub(crate) fn reaches(&self, len: usize) -> bool {
        self.x < len
    }

    /// Passes a block of `len` coins that [`Walk::reaches`] said has no success.
    #[inline(always)]
    pub(crate) fn pass(&mut self, len: usize) {
        self.x -= len;
    }
}

/// `ceil(2^32 / k)` for `k` in `1..=64` (a table: a division would cost more than the walk it
/// serves on a small block).
const RECIPROCALS: [u64; 65] = {
    let mut t = [0u64; 65];
    let mut k = 1;
    while k <= 64 {
        t[k] = (1u64 << 32).div_ceil(k as u64);
        k += 1;
    }
    t
};

/// Division by a small divisor `k` (1 ≤ k ≤ 64) by a multiplication: for `x < 2^26`,
/// `floor(x · ceil(2^32 / k) / 2^32) = floor(x / k)` exactly (the error of the reciprocal,
/// below `k / 2^32` per unit of `x`, stays below `1 / k`); larger `x` divide.
#[derive(Copy, Clone)]
struct Divider {
    k: usize,
    m: u64,
}

impl Divider {
    #[inline(always)]
    fn new(k: usize) -> Divider {
        let k = k.max(1);
        Divider {
            k,
            m: if k <= 64 {
                RECIPROCALS[k]
            } else {
                (1u64 << 32).div_ceil(k as u64)
            },
        }
    }

    /// `(x / k, x % k)`.
    #[inline(always)]
    fn div_rem(self, x: usize) -> (usize, usize) {
        if x < 1 << 26 && self.k <= 64 {
            let q = ((x as u64 * self.m) >> 32) as usize;
            (q, x - q * self.k)
        } else {
            (x / self.k, x % self.k)
        }
    }
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
    pub(crate) fn skipper(&self) -> Option<Skipper> {
        if !self.skip {
            return None;
        }
        match self.probs {
            ArcProbs::PerClass(c) => {
                let thr_max = c[0].max(c[1]);
                let q = thr_max as f64 / (1u64 << 53) as f64;
                Some(Skipper {
                    thr_max,
                    inv_rate: -1.0 / (-q).ln_1p(),
                    classes: (c[0] != c[1]).then_some(c),
                })
            }
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
    fn skipping_gives_each_arc_its_own_coin() {
        let n = 400_000usize;
        let ties: Vec<TieClass> = (0..n)
            .map(|i| {
                if i % 3 == 0 {
                    TieClass::Strong
                } else {
                    TieClass::Weak
                }
            })
            .collect();
        let mut rng = crate::rng::stream(8, 0);
        for (strong, weak) in [
            (0.05, 0.05),
            (0.3, 0.01),
            (1.0, 0.2),
            (0.0, 0.0),
            (0.02, 0.5),
        ] {
            let sk = skipper(weak, strong);
            let (mut hits, mut last) = ([0u64; 2], None);
            let mut runs_of_two = 0u64; // arcs 3j+1 and 3j+2 (both weak) hit together
            let mut hit = vec![false; n];
            sk.for_each_success(&mut rng, &ties, 0, n, |i, _| {
                assert!(last.is_none_or(|l| l < i), "increasing");
                last = Some(i);
                hits[ties[i].index()] += 1;
                hit[i] = true;
            });
            for j in 0..n / 3 {
                runs_of_two += u64::from(hit[3 * j + 1] && hit[3 * j + 2]);
            }
            for (k, p, count) in [(1, strong, n / 3 + 1), (0, weak, n - n / 3 - 1)] {
                let sd = (p * (1.0 - p) * count as f64).sqrt();
                let got = hits[k] as f64;
                assert!(
                    (got - p * count as f64).abs() <= 5.0 * sd + 1e-9,
                    "p {p}: {got} of {count}"
                );
            }
            // The same coins over 7 lanes at once: every (arc, lane) pair succeeds with its arc's
            // probability, whatever its lane.
            let (d, k) = (n / 7, 7usize);
            let mut by = [[0u64; 7]; 2];
            let mut w = sk.walk(&mut Fresh, &mut rng);
            sk.block(&mut w, &mut Fresh, &mut rng, &ties, (0, d), k, |i, j, _| {
                by[ties[i].index()][j] += 1;
            });
            let strong_arcs = (0..d).filter(|i| i % 3 == 0).count();
            for j in 0..k {
                for (cls, p, count) in [(1, strong, strong_arcs), (0, weak, d - strong_arcs)] {
                    let sd = (p * (1.0 - p) * count as f64).sqrt();
                    let got = by[cls][j] as f64;
                    assert!(
                        (got - p * count as f64).abs() <= 5.0 * sd + 1e-9,
                        "lane {j}, p {p}: {got} of {count}"
                    );
                }
            }
            // Neighbouring arcs are independent: P(both) = p².
            let m = (n / 3) as f64;
            let sd = (weak * weak * (1.0 - weak * weak) * m).sqrt();
            assert!(
                (runs_of_two as f64 - weak * weak * m).abs() <= 5.0 * sd + 1e-9,
                "pairs at {weak}: {runs_of_two}"
            );
        }
    }

    /// The skipper of a model with these probabilities on weak and strong ties.
    fn skipper(weak: f64, strong: f64) -> Skipper {
        Prepared {
            probs: ArcProbs::PerClass([threshold(weak), threshold(strong)]),
            delays: [DelaySampler::Fixed(1.0), DelaySampler::Fixed(1.0)],
            horizon: f64::INFINITY,
            skip: true,
        }
        .skipper()
        .unwrap()
    }

    #[test]
    fn divider_divides_exactly() {
        let mut rng = crate::rng::stream(2, 0);
        for k in 1..=64usize {
            let d = Divider::new(k);
            let edge = [0, 1, k - 1, k, k + 1, (1 << 26) - 1, 1 << 26, usize::MAX];
            let near = (1..=64).flat_map(|j| [(1usize << 26) - j * k, (1 << 26) - j]);
            let random = (0..20_000).map(|_| (rng.next_u64() >> 38) as usize);
            for x in edge.into_iter().chain(near).chain(random) {
                assert_eq!(d.div_rem(x), (x / k, x % k), "{x} / {k}");
            }
        }
    }

    #[test]
    fn blocks_of_a_walk_are_one_sequence_of_coins() {
        // Gaps drawn when needed, and drawn ahead (reset at every walk, as at every batch).
        blocks_are_one_sequence(&mut Fresh, |_| {});
        blocks_are_one_sequence(&mut Drawn::default(), Drawn::reset);
    }

    /// Many small blocks in a row (1 to 5 arcs, 1 to 9 lanes): every (arc, lane) pair succeeds
    /// with probability p, independently of its neighbours, across block boundaries.
    fn blocks_are_one_sequence<G: Gaps>(gaps: &mut G, reset: impl Fn(&mut G)) {
        let p = 0.2;
        let sk = skipper(p, p);
        let mut rng = crate::rng::stream(4, 0);
        let (mut coins, mut wins, mut pairs, mut both) = (0u64, 0u64, 0u64, 0u64);
        let mut prev_last = None;
        for _ in 0..2_000 {
            reset(gaps);
            let mut w = sk.walk(gaps, &mut rng);
            for b in 0..50usize {
                let (d, k) = (1 + b % 5, 1 + b % 9);
                let mut got = vec![false; d * k];
                sk.block(&mut w, gaps, &mut rng, &[], (0, d), k, |i, j, _| {
                    got[i * k + j] = true
                });
                coins += (d * k) as u64;
                wins += got.iter().filter(|&&g| g).count() as u64;
                // The last coin of a block and the first of the next.
                if let Some(l) = prev_last {
                    pairs += 1;
                    both += u64::from(l && got[0]);
                }
                prev_last = got.last().copied();
            }
            prev_last = None;
        }
        let sd = (p * (1.0 - p) * coins as f64).sqrt();
        assert!(
            (wins as f64 - p * coins as f64).abs() <= 5.0 * sd,
            "{wins} of {coins}"
        );
        let sd2 = (p * p * (1.0 - p * p) * pairs as f64).sqrt();
        assert!(
            (both as f64 - p * p * pairs as f64).abs() <= 5.0 * sd2,
            "{both} of {pairs}"
        );
    }

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

    #[test]
    fn model_validation_names_the_option() {
        let m = |a| Model {
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
    fn thresholds_are_exact_at_the_ends() {
        assert_eq!(threshold(0.0), 0);
        assert_eq!(threshold(1.0), 1u64 << 53);
    }
}

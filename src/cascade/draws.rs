//! The live engine's delays, drawn 64 at a time on eight lanes side by side.
//!
//! A live run draws one delay per adopter and per arc kept aside (about 54,000 on a ba_1m run),
//! all after its rounds, in the order its pass reads them. Drawn one at a time they cost about
//! 12 cycles an exponential (the ziggurat: a random word, a table look-up, a rare slow path) and
//! 25 a log-normal or a Weibull. Here eight xoshiro128++ generators, one per lane, make 64 random
//! words at once, and the laws are computed from them without a branch — a logarithm, an
//! exponential, a sine and a cosine as polynomials in single precision — so the compiler runs
//! each step over all lanes at once (SSE2 everywhere, AVX2 or AVX-512 where the processor has
//! them; all give the same bits, as none fuses a multiply with an add).
//!
//! The laws, from a uniform `u` in (0, 1) with 31 random bits:
//! - exponential: `−mean · ln u`;
//! - log-normal: `2^(log₂ median + σ log₂e · Z)`, Z standard normal by Box–Muller (two uniforms
//!   give two normals: `√(−2 ln u₁) · (cos, sin)(π(2u₂ − 1))`);
//! - Weibull: `scale · E^(1/shape) = scale · 2^(log₂ E / shape)`, `E = −ln u`.
//!
//! Delays are kept in single precision by the live engine, and each function here is within a
//! few units in the last place of single precision (the tests check it against double
//! precision). What the 31 bits cannot give: exponentials beyond 21.5 means (probability
//! 4.6 · 10⁻¹⁰) and normals beyond 6.66 (probability 2.7 · 10⁻¹¹); a power of two past the
//! single precision range is held within 2^−126 … 2^127.

use super::delay::Delay;
use crate::rng::splitmix64;

const LANES: usize = 8;
const STEPS: usize = 8;
/// Delays made by one refill.
pub(crate) const BATCH: usize = LANES * STEPS;

/// A delay law in the form the lanes compute it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Law {
    /// `scale · E`, E ~ Exp(1).
    Exp {
        scale: f32,
    },
    /// `2^(a + b·Z)`, Z ~ N(0, 1): `a = log₂ median`, `b = σ · log₂ e`.
    LogNormal {
        a: f32,
        b: f32,
    },
    /// `scale · 2^(log₂ E / shape)`, E ~ Exp(1).
    Weibull {
        inv_shape: f32,
        scale: f32,
    },
    Fixed(f32),
}

impl Law {
    pub(crate) fn of(d: &Delay) -> Law {
        match *d {
            Delay::Exp { mean } => Law::Exp { scale: mean as f32 },
            Delay::LogNormal { median, sigma } => Law::LogNormal {
                a: median.log2() as f32,
                b: (sigma * std::f64::consts::LOG2_E) as f32,
            },
            Delay::Weibull { shape, scale } => Law::Weibull {
                inv_shape: (1.0 / shape) as f32,
                scale: scale as f32,
            },
            Delay::Fixed { hours } => Law::Fixed(hours as f32),
        }
    }
}

/// A stream of delays of one law, refilled 64 at a time. [`Draws::start`] keys it (cheaply: the
/// lanes are seeded at the first refill, so a run that draws nothing pays nothing).
#[derive(Clone, Debug)]
pub(crate) struct Draws {
    law: Law,
    key: u64,
    seeded: bool,
    /// xoshiro128++ state: word `w` of lane `l` at `s[w][l]`.
    s: [[u32; LANES]; 4],
    buf: [f32; BATCH],
}

impl Default for Draws {
    fn default() -> Draws {
        Draws {
            law: Law::Fixed(0.0),
            key: 0,
            seeded: false,
            s: [[0; LANES]; 4],
            buf: [0.0; BATCH],
        }
    }
}

impl Draws {
    /// Starts a stream of `law` keyed by `key`.
    pub(crate) fn start(&mut self, law: Law, key: u64) {
        self.law = law;
        self.key = key;
        self.seeded = false;
    }

    /// Starts a run's delays by tie class (`laws` and `draws` indexed as [`TieClass::index`]):
    /// the first class's stream keyed by `key`, a word of the run's stream, the second's by
    /// SplitMix64 of it. The live and calendar engines key their delays so. Nothing is drawn
    /// until a class's first delay is asked for.
    ///
    /// [`TieClass::index`]: crate::graph::TieClass::index
    pub(crate) fn start_by_class(draws: &mut [Draws; 2], laws: [Law; 2], key: u64) {
        draws[0].start(laws[0], key);
        draws[1].start(laws[1], splitmix64(key));
    }

    /// The next delay. The place in the batch is kept by the caller in `cursor`, [`BATCH`] after
    /// [`Draws::start`]: a local that the compiler keeps in a register (a field of `self` was
    /// read back from memory after each of the caller's stores, a chain through its loop).
    #[inline(always)]
    pub(crate) fn at(&mut self, cursor: &mut usize) -> f32 {
        if *cursor >= BATCH {
            self.refill();
            *cursor = 0;
        }
        let d = self.buf[*cursor % BATCH];
        *cursor += 1;
        d
    }

    #[inline(never)]
    fn refill(&mut self) {
        if !self.seeded {
            // The lanes' 32 words: SplitMix64's sequence from the key, two words from each.
            for i in 0..(4 * LANES / 2) {
                let z = splitmix64(self.key.wrapping_add((i as u64).wrapping_mul(GAMMA)));
                let (w, l) = (2 * i / LANES, 2 * i % LANES);
                self.s[w][l] = z as u32;
                self.s[w][l + 1] = (z >> 32) as u32;
            }
            self.seeded = true;
        }
        #[cfg(target_arch = "x86_64")]
        {
            if has_avx512() {
                // SAFETY: the processor has these features (checked just above).
                unsafe { fill_avx512(&mut self.s, &mut self.buf, self.law) };
                return;
            }
            if std::is_x86_feature_detected!("avx2") {
                // SAFETY: the processor has AVX2 (checked just above).
                unsafe { fill_avx2(&mut self.s, &mut self.buf, self.law) };
                return;
            }
        }
        fill(&mut self.s, &mut self.buf, self.law);
    }
}

const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// Whether the processor has the AVX-512 parts that [`fill_avx512`] is built with.
#[cfg(target_arch = "x86_64")]
fn has_avx512() -> bool {
    std::is_x86_feature_detected!("avx512f")
        && std::is_x86_feature_detected!("avx512vl")
        && std::is_x86_feature_detected!("avx512dq")
        && std::is_x86_feature_detected!("avx512bw")
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn fill_avx2(s: &mut [[u32; LANES]; 4], buf: &mut [f32; BATCH], law: Law) {
    fill(s, buf, law)
}

/// [`fill`] on sixteen lanes at a time where the processor has AVX-512 (the laws' arithmetic:
/// the generators stay eight lanes wide, so the bits are the same). Measured per delay (one
/// thread, AMD EPYC): exponential 0.66 → 0.63 ns, log-normal 2.04 → 1.37 ns, Weibull 2.84 →
/// 1.84 ns against AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vl,avx512dq,avx512bw,avx2")]
fn fill_avx512(s: &mut [[u32; LANES]; 4], buf: &mut [f32; BATCH], law: Law) {
    fill(s, buf, law)
}

/// 64 delays of `law` into `buf`.
#[inline(always)]
fn fill(s: &mut [[u32; LANES]; 4], buf: &mut [f32; BATCH], law: Law) {
    let mut u = [0f32; BATCH];
    let [mut s0, mut s1, mut s2, mut s3] = *s;
    for step in 0..STEPS {
        for l in 0..LANES {
            // xoshiro128++ (Blackman and Vigna).
            let r = s0[l].wrapping_add(s3[l]).rotate_left(7).wrapping_add(s0[l]);
            let t = s1[l] << 9;
            s2[l] ^= s0[l];
            s3[l] ^= s1[l];
            s1[l] ^= s2[l];
            s0[l] ^= s3[l];
            s2[l] ^= t;
            s3[l] = s3[l].rotate_left(11);
            u[step * LANES + l] = unit(r);
        }
    }
    *s = [s0, s1, s2, s3];
    match law {
        Law::Exp { scale } => {
            for (d, &u) in buf.iter_mut().zip(&u) {
                *d = ln(u) * -scale;
            }
        }
        Law::LogNormal { a, b } => {
            let (u1, u2) = u.split_at(BATCH / 2);
            let (d1, d2) = buf.split_at_mut(BATCH / 2);
            for i in 0..BATCH / 2 {
                let r = (-2.0 * ln(u1[i])).sqrt();
                let (sin, cos) = sin_cos_pi(2.0 * u2[i] - 1.0);
                d1[i] = exp2(a + b * (r * cos));
                d2[i] = exp2(a + b * (r * sin));
            }
        }
        Law::Weibull { inv_shape, scale } => {
            for (d, &u) in buf.iter_mut().zip(&u) {
                let e = -ln(u);
                *d = scale * exp2(inv_shape * LOG2_E * ln(e));
            }
        }
        Law::Fixed(h) => buf.fill(h),
    }
}

const LOG2_E: f32 = std::f32::consts::LOG2_E;

/// `(r >> 1 + ½) / 2^31`, at most `1 − 2^−24`: in (0, 1), never 0 or 1.
#[inline(always)]
fn unit(r: u32) -> f32 {
    const ONE_BELOW: f32 = f32::from_bits(0x3f7f_ffff);
    let u = (r >> 1) as i32 as f32 * (1.0 / 2_147_483_648.0) + (1.0 / 4_294_967_296.0);
    if u < ONE_BELOW { u } else { ONE_BELOW }
}

/// `ln x` for a positive normal `x`: `x = 2^e · m` with `m` in [√½, √2), `ln m = 2 atanh s`,
/// `s = (m − 1)/(m + 1)`, `|s| ≤ 0.1716`, by its series to `s⁹` (next term below 10⁻⁹).
#[inline(always)]
fn ln(x: f32) -> f32 {
    // ln 2 in two parts, the first with trailing zeros so that e · HI is exact.
    const HI: f32 = f32::from_bits(0x3f31_7200);
    const LO: f32 = 1.428_606_8e-6;
    let bits = x.to_bits();
    let e = (bits.wrapping_sub(0x3f35_04f3) as i32) >> 23;
    let m = f32::from_bits(bits.wrapping_sub((e << 23) as u32));
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let p = s2 * (2.0 / 3.0 + s2 * (2.0 / 5.0 + s2 * (2.0 / 7.0 + s2 * (2.0 / 9.0))));
    let e = e as f32;
    e * HI + (2.0 * s + (s * p + e * LO))
}

/// `2^x`, `x` held within [−126, 127]: `2^k · e^(f ln 2)` with `k` the nearest whole number and
/// `|f| ≤ ½`, the exponential by its series to the seventh power (next term below 6 · 10⁻⁹).
#[inline(always)]
fn exp2(x: f32) -> f32 {
    // Adding 1.5 · 2^23 rounds to a whole number, which then sits in the low bits.
    const SHIFT: f32 = 12_582_912.0;
    let x = if x > -126.0 { x } else { -126.0 };
    let x = if x < 127.0 { x } else { 127.0 };
    let big = x + SHIFT;
    let k = big.to_bits().wrapping_sub(SHIFT.to_bits()) as i32;
    let f = x - (big - SHIFT);
    let y = f * std::f32::consts::LN_2;
    let p = 1.0
        + y * (1.0
            + y * (1.0 / 2.0
                + y * (1.0 / 6.0
                    + y * (1.0 / 24.0
                        + y * (1.0 / 120.0 + y * (1.0 / 720.0 + y * (1.0 / 5040.0)))))));
    f32::from_bits(((k + 127) as u32) << 23) * p
}

/// `(sin πx, cos πx)` for `x` in [−1, 1]: with `a = |x|` and `b = min(a, 1 − a)` in [0, ½],
/// `sin πx = ±sin πb` (the sign of x) and `cos πx = ±cos πb` (the sign of ½ − a); the two on
/// [0, π/2] by their series to the 11th and 12th powers (next terms below 6 · 10⁻⁸).
#[inline(always)]
fn sin_cos_pi(x: f32) -> (f32, f32) {
    let a = x.abs();
    let c = 1.0 - a;
    let b = if a < c { a } else { c };
    let y = std::f32::consts::PI * b;
    let y2 = y * y;
    let sin = y + y
        * y2
        * (-1.0 / 6.0
            + y2 * (1.0 / 120.0
                + y2 * (-1.0 / 5040.0 + y2 * (1.0 / 362_880.0 + y2 * (-1.0 / 39_916_800.0)))));
    let cos = 1.0
        + y2 * (-1.0 / 2.0
            + y2 * (1.0 / 24.0
                + y2 * (-1.0 / 720.0
                    + y2 * (1.0 / 40_320.0
                        + y2 * (-1.0 / 3_628_800.0 + y2 * (1.0 / 479_001_600.0))))));
    (sin.copysign(x), cos.copysign(0.5 - a))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(a: f32, b: f64) -> f64 {
        if b == 0.0 {
            (a as f64).abs()
        } else {
            ((a as f64 - b) / b).abs()
        }
    }

    #[test]
    fn the_functions_agree_with_double_precision() {
        // ln over (0, 1) on a geometric grid and near 1, where the exponential's small draws are.
        let mut worst: f64 = 0.0;
        let mut x = 2f64.powi(-33);
        while x < 1.0 {
            let xf = x as f32;
            worst = worst.max(rel(ln(xf), (xf as f64).ln()));
            x *= 1.000_37;
        }
        for k in 1..100_000u32 {
            let xf = 1.0 - k as f32 * f32::EPSILON / 2.0;
            worst = worst.max(rel(ln(xf), (xf as f64).ln()));
        }
        for k in 1..10_000u32 {
            let xf = 1.0 + k as f32 * f32::EPSILON * 100.0;
            worst = worst.max(rel(ln(xf), (xf as f64).ln()));
        }
        assert!(worst < 4e-7, "ln: worst relative error {worst:e}");

        let mut worst: f64 = 0.0;
        let mut x = -126.0f32;
        while x <= 127.0 {
            worst = worst.max(rel(exp2(x), (x as f64).exp2()));
            x += 0.000_731;
        }
        assert!(worst < 4e-7, "exp2: worst relative error {worst:e}");
        assert_eq!(exp2(-1000.0), 2f32.powi(-126));
        assert_eq!(exp2(1000.0), 2f32.powi(127));

        let mut worst: f64 = 0.0;
        let mut x = -1.0f32;
        while x <= 1.0 {
            let (s, c) = sin_cos_pi(x);
            let t = std::f64::consts::PI * x as f64;
            worst = worst
                .max((s as f64 - t.sin()).abs())
                .max((c as f64 - t.cos()).abs());
            x += 0.000_017;
        }
        assert!(worst < 3e-7, "sin, cos: worst error {worst:e}");

        // The uniforms: never 0 or 1, the smallest and largest words at the ends.
        assert_eq!(unit(0), 2f32.powi(-32));
        assert_eq!(unit(1), 2f32.powi(-32));
        assert_eq!(unit(2), 1.5 * 2f32.powi(-31));
        assert_eq!(unit(u32::MAX), f32::from_bits(0x3f7f_ffff));
    }

    /// The largest distance between the sample's distribution function and `cdf`.
    fn ks(mut x: Vec<f64>, cdf: impl Fn(f64) -> f64) -> f64 {
        x.sort_by(f64::total_cmp);
        let n = x.len() as f64;
        x.iter()
            .enumerate()
            .map(|(i, &v)| {
                let f = cdf(v);
                (f - i as f64 / n).abs().max(((i + 1) as f64 / n - f).abs())
            })
            .fold(0.0, f64::max)
    }

    fn draws(d: Delay, key: u64, n: usize) -> Vec<f64> {
        let mut s = Draws::default();
        s.start(Law::of(&d), key);
        let mut cursor = BATCH;
        (0..n).map(|_| s.at(&mut cursor) as f64).collect()
    }

    fn normal_cdf(z: f64) -> f64 {
        0.5 * libm::erfc(-z / std::f64::consts::SQRT_2)
    }

    #[test]
    fn draws_follow_their_laws() {
        // Kolmogorov–Smirnov against the distribution function, 200,000 draws: the critical
        // distance at the 0.1 % level is 1.95 / sqrt(n). Also the mean within 4 standard errors.
        let n = 200_000;
        let crit = 1.95 / (n as f64).sqrt();
        // A law, its distribution function, mean and standard deviation.
        type Case = (Delay, Box<dyn Fn(f64) -> f64>, f64, f64);
        let laws: Vec<Case> = vec![
            (
                Delay::Exp { mean: 1.0 },
                Box::new(|v: f64| 1.0 - (-v).exp()),
                1.0,
                1.0,
            ),
            (
                Delay::Exp { mean: 0.25 },
                Box::new(|v: f64| 1.0 - (-v / 0.25).exp()),
                0.25,
                0.25,
            ),
            (
                Delay::LogNormal {
                    median: 2.0,
                    sigma: 1.0,
                },
                Box::new(|v: f64| normal_cdf((v / 2.0).ln())),
                2.0 * 0.5f64.exp(),
                2.0 * (1f64.exp() * (1f64.exp() - 1.0)).sqrt(),
            ),
            (
                Delay::LogNormal {
                    median: 0.3,
                    sigma: 0.5,
                },
                Box::new(|v: f64| normal_cdf((v / 0.3).ln() / 0.5)),
                0.3 * 0.125f64.exp(),
                0.3 * (0.25f64.exp() * (0.25f64.exp() - 1.0)).sqrt(),
            ),
        ];
        for (i, (d, cdf, mean, sd)) in laws.into_iter().enumerate() {
            let x = draws(d, 11 + i as u64, n);
            let m = x.iter().sum::<f64>() / n as f64;
            assert!(
                (m - mean).abs() < 4.0 * sd / (n as f64).sqrt(),
                "{d}: mean {m}"
            );
            let k = ks(x, cdf);
            assert!(k < crit, "{d}: KS {k}");
        }
        for (shape, scale) in [(0.2, 1.0), (0.7, 16.0), (1.0, 2.0), (1.5, 1.13), (3.0, 0.5)] {
            let d = Delay::Weibull { shape, scale };
            let k = ks(draws(d, 5, n), |v| 1.0 - (-(v / scale).powf(shape)).exp());
            assert!(k < crit, "{d}: KS {k}");
        }
        let x = draws(Delay::Fixed { hours: 1.5 }, 1, 100);
        assert!(x.iter().all(|&v| v == 1.5));
    }

    #[test]
    fn neighbouring_draws_are_unrelated_and_keys_give_other_streams() {
        // Lag-1 to lag-70 correlations of the uniforms behind exponential draws (the lanes are
        // interleaved, so lag 8 is the same lane's next word, lag 64 the next refill's).
        let n = 400_000;
        let x: Vec<f64> = draws(Delay::Exp { mean: 1.0 }, 7, n)
            .into_iter()
            .map(|e| 1.0 - (-e).exp())
            .collect();
        for lag in [1, 2, 7, 8, 9, 32, 63, 64, 65, 70] {
            let c = x
                .iter()
                .zip(&x[lag..])
                .map(|(a, b)| (a - 0.5) * (b - 0.5))
                .sum::<f64>()
                / (n - lag) as f64
                * 12.0;
            assert!(
                c.abs() < 4.0 / (n as f64).sqrt(),
                "lag {lag}: correlation {c}"
            );
        }
        let a = draws(Delay::Exp { mean: 1.0 }, 7, 64);
        let b = draws(Delay::Exp { mean: 1.0 }, 8, 64);
        assert_ne!(a, b);
        assert_eq!(a, draws(Delay::Exp { mean: 1.0 }, 7, 64));
    }

    #[test]
    fn every_path_gives_the_same_bits() {
        // The AVX-512 and AVX2 builds of the refill and the portable one, on every law.
        for law in [
            Law::Exp { scale: 0.7 },
            Law::LogNormal { a: 0.3, b: 1.2 },
            Law::Weibull {
                inv_shape: 1.0 / 1.5,
                scale: 1.13,
            },
        ] {
            let mut a = Draws::default();
            a.start(law, 99);
            let mut cursor = BATCH;
            let _ = a.at(&mut cursor);
            let (mut s1, mut s2) = (a.s, a.s);
            let (mut b1, mut b2) = ([0f32; BATCH], [0f32; BATCH]);
            #[cfg(target_arch = "x86_64")]
            let (mut s3, mut b3) = (a.s, [0f32; BATCH]);
            for _ in 0..50 {
                fill(&mut s1, &mut b1, law);
                #[cfg(target_arch = "x86_64")]
                if has_avx512() {
                    // SAFETY: checked just above.
                    unsafe { fill_avx512(&mut s3, &mut b3, law) };
                    assert_eq!(b1.map(f32::to_bits), b3.map(f32::to_bits));
                }
                #[cfg(target_arch = "x86_64")]
                if std::is_x86_feature_detected!("avx2") {
                    // SAFETY: checked just above.
                    unsafe { fill_avx2(&mut s2, &mut b2, law) };
                } else {
                    fill(&mut s2, &mut b2, law);
                }
                #[cfg(not(target_arch = "x86_64"))]
                fill(&mut s2, &mut b2, law);
                assert_eq!(b1.map(f32::to_bits), b2.map(f32::to_bits));
            }
        }
    }
}

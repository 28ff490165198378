//! The exponential and the power that the log-normal and Weibull delays need, inlined and
//! table-driven. A continuous run draws a delay per success, so these sit in the engines' hot
//! loop, where the C library's `exp` and `log` (calls, each with its own special-case checks) took
//! 22 % of a Weibull run on ba_1m, which needed both. Both functions here are short, with one
//! range check, and within a few units in the last place of the exact value (the tests check
//! 1e-14 relative against the standard library); outside their range they fall back to the
//! standard library.

use std::sync::OnceLock;

/// Table entries per doubling.
const N: usize = 128;

/// `2^(j/N)`, `j < N`, as bits.
fn exp2_table() -> &'static [u64; N] {
    static T: OnceLock<[u64; N]> = OnceLock::new();
    T.get_or_init(|| std::array::from_fn(|j| (j as f64 / N as f64).exp2().to_bits()))
}

/// `e^x`, by `x = k·ln2/N + r` with `|r| ≤ ln2/(2N)`: `2^(k/N)` from the table (its whole
/// part in the exponent bits), `e^r` by its series to the fourth power (error below r⁵/120, about
/// 1e-15 relative).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct FastExp {
    table: &'static [u64; N],
}

impl FastExp {
    pub(crate) fn new() -> FastExp {
        FastExp {
            table: exp2_table(),
        }
    }

    #[inline(always)]
    pub(crate) fn exp(&self, x: f64) -> f64 {
        // ln 2 / N in two parts, the first with trailing zeros so that k · HI is exact.
        const HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000) / N as f64;
        const LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76) / N as f64;
        const INV: f64 = N as f64 / std::f64::consts::LN_2;
        // Adding 1.5 · 2^52 rounds to an integer (the round-to-nearest of the hardware).
        const SHIFT: f64 = 6_755_399_441_055_744.0;
        if x.is_nan() || x.abs() > 700.0 {
            return x.exp();
        }
        let kd = (x * INV + SHIFT) - SHIFT;
        let k = kd as i64;
        let r = (x - kd * HI) - kd * LO;
        let r2 = r * r;
        let p = 1.0 + r + r2 * (0.5 + r * (1.0 / 6.0) + r2 * (1.0 / 24.0));
        let t = self.table[(k as usize) & (N - 1)];
        // |k / N| ≤ 1010: the exponent stays in the normal range.
        f64::from_bits(t.wrapping_add(((k >> N.trailing_zeros()) as u64) << 52)) * p
    }
}

/// `1 / (1 + (j + ½)/N)`: the inverse of the middle of mantissa slice `j`.
const INV_MID: [f64; N] = {
    let mut t = [0.0; N];
    let mut j = 0;
    while j < N {
        t[j] = (2 * N) as f64 / (2 * N + 2 * j + 1) as f64;
        j += 1;
    }
    t
};

/// Binary exponents that the table covers: `-EXPS/2 .. EXPS/2`.
const EXPS: usize = 128;

/// The largest power the tables serve: past it the series' error grows (|C(a,6)| · r⁶).
const MAX_A: f64 = 4.0;

/// `scale · x^a` for `x > 0`: with `x = m · 2^e`, `m` in slice `j` of `[1, 2)` around its middle
/// `c`, `x^a = 2^(e·a) · c^a · (1 + r)^a` where `r = m/c − 1`, `|r| ≤ 1/(2N+1)`; the first two
/// factors come from tables made for this `a`, the last from its binomial series to the fifth
/// power (error below |C(a,6)| · r⁶, about 1e-16 relative for a ≤ [`MAX_A`]). Exponents outside
/// the table, and larger powers, take `powf`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct FastPow {
    a: f64,
    scale: f64,
    /// The series' coefficients: C(a, 1..=5).
    c: [f64; 5],
    /// `2^(e·a)` for `e = -EXPS/2 ..`.
    pow2: Box<[f64; EXPS]>,
    /// `scale · c_j^a`.
    mid: Box<[f64; N]>,
}

impl FastPow {
    pub(crate) fn new(a: f64, scale: f64) -> FastPow {
        let c1 = a;
        let c2 = c1 * (a - 1.0) / 2.0;
        let c3 = c2 * (a - 2.0) / 3.0;
        let c4 = c3 * (a - 3.0) / 4.0;
        let c5 = c4 * (a - 4.0) / 5.0;
        FastPow {
            a,
            scale,
            c: [c1, c2, c3, c4, c5],
            pow2: Box::new(std::array::from_fn(|i| {
                ((i as f64 - (EXPS / 2) as f64) * a).exp2()
            })),
            mid: Box::new(std::array::from_fn(|j| {
                scale * ((2 * N + 2 * j + 1) as f64 / (2 * N) as f64).powf(a)
            })),
        }
    }

    #[inline(always)]
    pub(crate) fn pow(&self, x: f64) -> f64 {
        let bits = x.to_bits();
        // The biased exponent, shifted so that the table's range starts at 0 (a sign bit, a
        // zero, a subnormal or an infinity falls outside it).
        let e = (bits >> 52).wrapping_sub(1023 - (EXPS / 2) as u64);
        if !(self.a <= MAX_A && e < EXPS as u64) {
            return self.scale * x.powf(self.a);
        }
        let j = (bits >> (52 - N.trailing_zeros())) as usize & (N - 1);
        let m = f64::from_bits(bits & ((1 << 52) - 1) | 1f64.to_bits());
        let r = (m * INV_MID[j]) - 1.0;
        let [c1, c2, c3, c4, c5] = self.c;
        let r2 = r * r;
        let s = 1.0 + r * c1 + r2 * (c2 + r * c3 + r2 * (c4 + r * c5));
        self.pow2[e as usize] * self.mid[j] * s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(a: f64, b: f64) -> f64 {
        if a == b { 0.0 } else { ((a - b) / b).abs() }
    }

    #[test]
    fn the_exponential_agrees_with_the_standard_library() {
        let f = FastExp::new();
        let mut worst: f64 = 0.0;
        let mut x = -745.0;
        while x < 710.0 {
            worst = worst.max(rel(f.exp(x), x.exp()));
            x += 0.000_731;
        }
        assert!(worst < 1e-14, "worst relative error {worst:e}");
        // Beyond the table's range, the standard library's answers.
        assert_eq!(f.exp(-800.0), 0.0);
        assert_eq!(f.exp(800.0), f64::INFINITY);
        assert!(f.exp(f64::NAN).is_nan());
        assert_eq!(f.exp(0.0), 1.0);
    }

    #[test]
    fn the_power_agrees_with_the_standard_library() {
        for a in [
            1.0 / 0.3,
            2.0,
            1.0 / 0.7,
            1.0,
            1.0 / 1.5,
            0.5,
            1.0 / 3.0,
            0.1,
            4.0,
            5.0,
        ] {
            let p = FastPow::new(a, 1.13);
            let mut worst: f64 = 0.0;
            // From below the table's exponents to above them, with every mantissa slice.
            let mut x = 1e-25;
            while x < 1e25 {
                worst = worst.max(rel(p.pow(x), 1.13 * x.powf(a)));
                x *= 1.000_37;
            }
            assert!(worst < 1e-14, "a = {a}: worst relative error {worst:e}");
            assert_eq!(p.pow(0.0), 0.0, "a = {a}");
            assert!(rel(p.pow(1.0), 1.13) < 1e-14, "a = {a}: {}", p.pow(1.0));
            assert_eq!(p.pow(f64::INFINITY), f64::INFINITY, "a = {a}");
        }
    }
}

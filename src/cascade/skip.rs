//! The sampling kernel: how the engines decide which attempts succeed without tossing one coin
//! per arc.
//!
//! [`GeometricSkip`] draws the number of failed coins before the next success (one draw per
//! success); a [`CoinWalk`] carries that count across the blocks of one long sequence of coins (a
//! round's arcs, or its (arc, run) pairs in the fused engine); a [`GapSource`] says when the gaps
//! are drawn ([`GapsOnDemand`], or [`GapsAhead`] in batches); [`SmallDivisor`] maps a position in
//! a block of `k` lanes to its (arc, lane) pair without a division.

use rand::Rng as _;
use rand_distr::Distribution;

use crate::graph::TieClass;
use crate::rng::Rng;

/// The success threshold for a 53-bit uniform draw: an attempt succeeds iff `draw < threshold`, so
/// p = 0 never succeeds and p = 1 always does.
#[inline]
pub(crate) fn threshold(p: f64) -> u64 {
    (p.clamp(0.0, 1.0) * (1u64 << 53) as f64).round() as u64
}

/// Geometric skipping: instead of one coin per arc, draw how many arcs fail before the next
/// success. For a coin of probability q the gap is `floor(E / −ln(1 − q))` with E exponential of
/// mean 1: P(gap ≥ k) = (1 − q)^k, the same law as k failed coins in a row. With two tie classes the
/// gaps use the larger probability and each candidate is kept with probability `q_arc / q_max`
/// (thinning), which again gives every arc its own independent coin. The cost is one draw per
/// success instead of one per arc, which is what makes small probabilities cheap.
#[derive(Copy, Clone, Debug)]
pub(crate) struct GeometricSkip {
    thr_max: u64,
    /// 1 / λ with λ = −ln(1 − q_max).
    inv_rate: f64,
    classes: Option<[u64; 2]>,
}

impl GeometricSkip {
    /// Skipping for coins whose success thresholds (see [`threshold`]) are `classes`, indexed by
    /// [`TieClass::index`].
    pub(crate) fn new(classes: [u64; 2]) -> GeometricSkip {
        let thr_max = classes[0].max(classes[1]);
        let q = thr_max as f64 / (1u64 << 53) as f64;
        GeometricSkip {
            thr_max,
            inv_rate: -1.0 / (-q).ln_1p(),
            classes: (classes[0] != classes[1]).then_some(classes),
        }
    }

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
        if g < 1e18 {
            // SAFETY: 0 ≤ g < 1e18 < 2^63: one signed conversion (`as usize` from f64 is a
            // branchy sequence on x86-64 without AVX-512, and a gap is drawn for every success).
            unsafe { g.to_int_unchecked::<i64>() as usize }
        } else {
            usize::MAX
        }
    }

    /// Starts a walk over a sequence of coins laid out block after block (see [`GeometricSkip::block`]),
    /// its gaps taken from `gaps`.
    #[inline(always)]
    pub(crate) fn walk(&self, gaps: &mut impl GapSource, rng: &mut Rng) -> CoinWalk {
        CoinWalk {
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
    #[allow(clippy::too_many_arguments)] // a hot entry, inlined: its inputs passed apart
    pub(crate) fn block(
        &self,
        w: &mut CoinWalk,
        gaps: &mut impl GapSource,
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
        let div = SmallDivisor::new(k);
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
    /// that [`GeometricSkip::keep`] must then thin. One draw per candidate and no branch per block:
    /// the caller maps positions to arcs afterwards.
    #[inline(always)]
    pub(crate) fn candidates(&self, rng: &mut Rng, len: usize, out: &mut Vec<usize>) {
        let mut x = self.gap(rng);
        while x < len {
            out.push(x);
            x = x.saturating_add(1).saturating_add(self.gap(rng));
        }
    }

    /// Whether [`GeometricSkip::keep`] can turn a candidate down (two tie classes with different
    /// probabilities); without it every candidate is a success.
    #[inline(always)]
    pub(crate) fn thins(&self) -> bool {
        self.classes.is_some()
    }

    /// Whether a candidate success on arc `i` (from [`GeometricSkip::candidates`] or a block's walk) is
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
        let mut w = self.walk(&mut GapsOnDemand, rng);
        self.block(
            &mut w,
            &mut GapsOnDemand,
            rng,
            ties,
            (a, b - a),
            1,
            |i, _, rng| hit(i, rng),
        );
    }
}

/// Where a walk's gaps come from. Either way each gap is a fresh independent draw; only when it
/// is drawn differs.
pub(crate) trait GapSource {
    /// The next gap of `sk`'s law.
    fn gap(&mut self, sk: &GeometricSkip, rng: &mut Rng) -> usize;
}

/// GapSource drawn when they are needed.
pub(crate) struct GapsOnDemand;

impl GapSource for GapsOnDemand {
    #[inline(always)]
    fn gap(&mut self, sk: &GeometricSkip, rng: &mut Rng) -> usize {
        sk.gap(rng)
    }
}

/// GapSource drawn ahead, [`GAPS_AHEAD`] at a time, so that a walk waits for a load instead of a
/// sampler: after a mispredicted branch in a walk (how many successes a block has is anyone's
/// guess), the next decision needs the next gap at once. Must be [`GapsAhead::reset`] whenever the
/// random stream changes, so that what a stream gives never depends on what came before.
#[derive(Default)]
pub(crate) struct GapsAhead {
    buf: Vec<usize>,
    pos: usize,
}

/// How many gaps [`GapsAhead`] draws at a time.
const GAPS_AHEAD: usize = 64;

impl GapsAhead {
    /// Forgets the gaps drawn from the last stream.
    pub(crate) fn reset(&mut self) {
        self.pos = self.buf.len();
    }

    #[inline(never)]
    fn refill(&mut self, sk: &GeometricSkip, rng: &mut Rng) {
        self.buf.clear();
        self.buf.extend((0..GAPS_AHEAD).map(|_| sk.gap(rng)));
        self.pos = 0;
    }
}

impl GapSource for GapsAhead {
    #[inline(always)]
    fn gap(&mut self, sk: &GeometricSkip, rng: &mut Rng) -> usize {
        if self.pos >= self.buf.len() {
            self.refill(sk, rng);
        }
        let g = self.buf[self.pos];
        self.pos += 1;
        g
    }
}

/// Where a walk of [`GeometricSkip::block`]s stands: the next candidate coin is `x` positions after the
/// start of the next block.
pub(crate) struct CoinWalk {
    x: usize,
}

impl CoinWalk {
    /// Whether the next block, of `len` coins, has a success (its coins must then be walked by
    /// [`GeometricSkip::block`]; otherwise [`CoinWalk::pass`] it).
    #[inline(always)]
    pub(crate) fn reaches(&self, len: usize) -> bool {
        self.x < len
    }

    /// Passes a block of `len` coins that [`CoinWalk::reaches`] said has no success.
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
struct SmallDivisor {
    k: usize,
    m: u64,
}

impl SmallDivisor {
    #[inline(always)]
    fn new(k: usize) -> SmallDivisor {
        let k = k.max(1);
        SmallDivisor {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_are_exact_at_the_ends() {
        assert_eq!(threshold(0.0), 0);
        assert_eq!(threshold(1.0), 1u64 << 53);
    }

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
            let mut w = sk.walk(&mut GapsOnDemand, &mut rng);
            sk.block(
                &mut w,
                &mut GapsOnDemand,
                &mut rng,
                &ties,
                (0, d),
                k,
                |i, j, _| {
                    by[ties[i].index()][j] += 1;
                },
            );
            let strong_arcs = (0..d).filter(|i| i % 3 == 0).count();
            for (cls, p, count) in [(1, strong, strong_arcs), (0, weak, d - strong_arcs)] {
                let sd = (p * (1.0 - p) * count as f64).sqrt();
                for (j, &got) in by[cls].iter().enumerate().take(k) {
                    let got = got as f64;
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

    /// The skipping of a model with these probabilities on weak and strong ties.
    fn skipper(weak: f64, strong: f64) -> GeometricSkip {
        GeometricSkip::new([threshold(weak), threshold(strong)])
    }

    #[test]
    fn divider_divides_exactly() {
        let mut rng = crate::rng::stream(2, 0);
        for k in 1..=64usize {
            let d = SmallDivisor::new(k);
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
        // GapSource drawn when needed, and drawn ahead (reset at every walk, as at every batch).
        blocks_are_one_sequence(&mut GapsOnDemand, |_| {});
        blocks_are_one_sequence(&mut GapsAhead::default(), GapsAhead::reset);
    }

    /// Many small blocks in a row (1 to 5 arcs, 1 to 9 lanes): every (arc, lane) pair succeeds
    /// with probability p, independently of its neighbours, across block boundaries.
    fn blocks_are_one_sequence<G: GapSource>(gaps: &mut G, reset: impl Fn(&mut G)) {
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
}

//! A mergeable histogram over counts `0..=n` for quantiles of adopters across runs.

/// Log-linear histogram: one bucket per value below 256, then 128 buckets per doubling, so a
/// bucket's width is at most 1/128 of its lower bound and its midpoint within 0.4 % of any value in
/// it. Counts are integers, so merging histograms is exact and order-free.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Sketch {
    counts: Vec<u32>,
    total: u64,
}

const LINEAR: u64 = 256;
const SUB_BITS: u32 = 7;
const SUB: u64 = 1 << SUB_BITS;

#[inline]
fn bucket(v: u64) -> usize {
    if v < LINEAR {
        v as usize
    } else {
        let e = 63 - v.leading_zeros() as u64; // >= 8
        let sub = (v >> (e - SUB_BITS as u64)) & (SUB - 1);
        (LINEAR + (e - 8) * SUB + sub) as usize
    }
}

/// Smallest value in bucket `b` and the bucket's width.
#[inline]
fn bucket_range(b: usize) -> (u64, u64) {
    let b = b as u64;
    if b < LINEAR {
        (b, 1)
    } else {
        let e = (b - LINEAR) / SUB + 8;
        let sub = (b - LINEAR) % SUB;
        let width = 1u64 << (e - SUB_BITS as u64);
        ((SUB + sub) * width, width)
    }
}

impl Sketch {
    /// A histogram for values in `0..=max`.
    pub fn new(max: usize) -> Sketch {
        Sketch {
            counts: vec![0; bucket(max as u64) + 1],
            total: 0,
        }
    }

    /// Records one value.
    #[inline]
    pub fn add(&mut self, v: u64) {
        let b = bucket(v);
        if b >= self.counts.len() {
            self.counts.resize(b + 1, 0);
        }
        self.counts[b] += 1;
        self.total += 1;
    }

    /// The bucket index of a value (for histograms kept as differences, see `Accumulator`).
    #[inline]
    pub(crate) fn bucket_of(v: u64) -> usize {
        bucket(v)
    }

    /// A histogram from bucket counts (as produced with [`Sketch::bucket_of`]).
    pub(crate) fn from_counts(counts: impl IntoIterator<Item = u64>) -> Sketch {
        let counts: Vec<u32> = counts.into_iter().map(|c| c as u32).collect();
        let total = counts.iter().map(|&c| c as u64).sum();
        Sketch { counts, total }
    }

    /// Adds another histogram's counts.
    pub fn merge(&mut self, o: &Sketch) {
        if o.counts.len() > self.counts.len() {
            self.counts.resize(o.counts.len(), 0);
        }
        for (a, b) in self.counts.iter_mut().zip(&o.counts) {
            *a += b;
        }
        self.total += o.total;
    }

    fn value(b: usize) -> f64 {
        let (lo, w) = bucket_range(b);
        lo as f64 + (w - 1) as f64 / 2.0
    }

    /// The nearest-rank `q`-quantile: the smallest recorded value (up to bucket precision) with at
    /// least `ceil(q · total)` values at or below it. NaN when empty.
    pub fn quantile(&self, q: f64) -> f64 {
        if self.total == 0 {
            return f64::NAN;
        }
        let rank = ((q * self.total as f64).ceil() as u64).clamp(1, self.total);
        let mut seen = 0u64;
        for (b, &c) in self.counts.iter().enumerate() {
            seen += c as u64;
            if seen >= rank {
                return Self::value(b);
            }
        }
        unreachable!("rank <= total")
    }

    /// Smallest recorded value (bucket precision).
    pub fn min(&self) -> f64 {
        self.counts
            .iter()
            .position(|&c| c > 0)
            .map_or(f64::NAN, Self::value)
    }

    /// Largest recorded value (bucket precision).
    pub fn max(&self) -> f64 {
        self.counts
            .iter()
            .rposition(|&c| c > 0)
            .map_or(f64::NAN, Self::value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn exact_below_256() {
        let mut s = Sketch::new(1000);
        for v in 1..=100 {
            s.add(v);
        }
        assert_eq!(s.quantile(0.5), 50.0);
        assert_eq!(s.quantile(0.05), 5.0);
        assert_eq!(s.quantile(0.95), 95.0);
        assert_eq!(s.min(), 1.0);
        assert_eq!(s.max(), 100.0);
    }

    proptest! {
        #[test]
        fn buckets_cover_values_with_small_relative_error(v in 0u64..(1u64 << 40)) {
            let b = bucket(v);
            let (lo, w) = bucket_range(b);
            prop_assert!(lo <= v && v < lo + w);
            let mid = Sketch::value(b);
            prop_assert!((mid - v as f64).abs() <= 0.004 * v.max(1) as f64);
        }

        #[test]
        fn median_close_to_exact(mut xs in proptest::collection::vec(0u64..1_000_000, 1..200)) {
            let mut s = Sketch::new(1_000_000);
            for &x in &xs { s.add(x); }
            xs.sort_unstable();
            let rank = ((0.5 * xs.len() as f64).ceil() as usize).max(1);
            let exact = xs[rank - 1] as f64;
            prop_assert!((s.quantile(0.5) - exact).abs() <= 0.004 * exact.max(1.0));
        }
    }
}

//! Seeded randomness. Every random stream in hongbao is derived from an explicit user seed and a
//! stream index through [`stream`], so results never depend on thread count, scheduling or the
//! version of `rand`'s `StdRng`.

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// The generator every component uses: small, fast, and specified (it will not change under us).
pub type Rng = Xoshiro256PlusPlus;

/// SplitMix64 finaliser (Steele, Lea and Flood 2014): a bijective mixer on 64-bit words.
#[inline]
pub fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// The random stream number `index` of the user seed `seed`.
///
/// Mixing the seed before adding the index keeps the streams of seed 1 and seed 2 unrelated (a plain
/// `seed ^ index` would make run 3 of seed 1 the same as run 0 of seed 2).
pub fn stream(seed: u64, index: u64) -> Rng {
    Rng::seed_from_u64(splitmix64(splitmix64(seed).wrapping_add(index)))
}

/// Stream indices reserved for purposes other than Monte-Carlo runs (runs use `0..R`).
pub mod purpose {
    /// Random seed-node selection.
    pub const SEED_NODES: u64 = u64::MAX - 1;
    /// Graph generators.
    pub const GENERATOR: u64 = u64::MAX - 2;
    /// Random tie-breaks in percolation orders.
    pub const PERCOLATION: u64 = u64::MAX - 3;
    /// Degree-preserving rewiring of generated graphs.
    pub const REWIRE: u64 = u64::MAX - 4;
    /// RR sets for choosing seeds use streams `RR_CHOOSE + i`, those for checking the choice
    /// `RR_CHECK + i` (2^60 streams each, apart from the runs' and the fused batches').
    pub const RR_CHOOSE: u64 = 1 << 61;
    pub const RR_CHECK: u64 = 3 << 60;
    /// Fused batches of 64 runs use streams `FUSED_BATCH + b`.
    pub const FUSED_BATCH: u64 = 1 << 62;
}

/// A uniform draw in `[0, 1)` with 53 random bits.
#[inline]
pub fn unit(rng: &mut Rng) -> f64 {
    use rand::Rng as _;
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A uniform integer in `0..n` (Lemire's multiply-shift; the bias is below 2^-32 for n < 2^32).
#[inline]
pub fn below(rng: &mut Rng, n: u64) -> u64 {
    use rand::Rng as _;
    ((rng.next_u64() as u128 * n as u128) >> 64) as u64
}

//! Fitting hongbao's time model to observed cascades, and checking the fit by simulation.
//!
//! Three steps, each a pure function:
//!
//! 1. [`fit_delays`]: maximum-likelihood fits of the parent → child delay distribution (exponential,
//!    log-normal, Weibull). Delays below the data's time resolution (a retweet stamped in the same
//!    second as its source) are treated as left-censored: they contribute `ln F(resolution)` to the
//!    likelihood instead of a density at zero, which no log-normal or Weibull can give. Candidates
//!    are ranked by AIC (`2·parameters − 2·ln L`).
//! 2. [`Reproduction::from_cascades`]: children per adopter read from the trees, separately for roots
//!    (adopters whose source is not itself an adopter: the original post's direct audience) and for
//!    everyone else. The mean over all adopters is the maximum-likelihood offspring mean of a
//!    Galton–Watson process observed in full.
//! 3. [`simulate`]: the independent cascade on a tree-like network is a branching process, so the
//!    fitted model is simulated as one: every observed cascade's roots enter at their observed
//!    times, each adopter draws its number of children from the observed offspring counts of its
//!    kind and each child adopts after a delay drawn from the fitted distribution, up to the
//!    horizon. Run `r` draws only from `rng::stream(seed, r)`, so results do not depend on threads.
//!
//! [`ks_two_sample`] then measures how far simulated adoption times are from the observed ones.
//!
//! One file per step: `delays` (likelihoods and the fit), `branching` (reproduction and the
//! simulation), `ks` (the distance).

mod branching;
mod delays;
mod ks;

pub use branching::{
    Delays, Reproduction, Simulated, Simulation, TimeModel, parents_or_star, simulate,
};
pub use delays::{Candidate, Family, cdf, fit_delays, fit_family};
pub use ks::ks_two_sample;

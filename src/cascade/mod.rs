//! The time-resolved independent cascade (IC) measured in hours, and its Monte-Carlo driver.
//!
//! When a user adopts at hour `t_u`, they make exactly one attempt on each friend `v`: it succeeds
//! with probability `p(u,v)` (by tie class, weight, or in-degree) and lands at `t_u + d`, with `d`
//! drawn from the tie class's delay distribution. `v` adopts at the earliest successful landing
//! within the horizon. One run is Dijkstra over the sampled live arcs. With every delay fixed to
//! 1 h this is the discrete-round IC of Kempe, Kleinberg & Tardos (2003); whatever the delays, the
//! final adopter set (no horizon) has the distribution of classic IC.
//!
//! Beside the independent cascade, models where adoption needs reinforcement (`adoption`):
//! threshold, fractional threshold, linear threshold, dose–response, run by `contagion`.
//!
//! The files, from what the user states to what the machine runs: `model`, `adoption` and `delay`
//! (the spec, validated in one place), `seeds`, `prepared` (a model bound to a graph), `skip` (the sampling
//! kernel), `scalar` and `fused` (the engines), `engine` (their names), `monte_carlo` (runs in
//! parallel, the same bytes on any thread count).
//!
//! This module knows nothing of files.

mod adoption;
mod calendar;
mod contagion;
mod delay;
mod draws;
mod engine;
mod fastmath;
mod fused;
mod live;
mod model;
mod monte_carlo;
mod prepared;
mod scalar;
mod seeds;
mod skip;

pub use adoption::{Adoption, LtWeights, MODEL_HELP};
pub use delay::Delay;
pub(crate) use delay::DelaySampler;
pub use engine::Engine;
pub use model::{Activation, Model, ModelSpec};
pub use monte_carlo::{
    Accumulate, MonteCarlo, SeedPlan, simulate, simulate_chosen, simulate_plan, simulate_with,
    single_run,
};
pub(crate) use prepared::weight_chance;
pub use seeds::SeedSpec;

//! The time-resolved independent cascade (IC) measured in hours, and its Monte-Carlo driver.
//!
//! When a user adopts at hour `t_u`, they make exactly one attempt on each friend `v`: it succeeds
//! with probability `p(u,v)` (by tie class, weight, or in-degree) and lands at `t_u + d`, with `d`
//! drawn from the tie class's delay distribution. `v` adopts at the earliest successful landing
//! within the horizon. One run is Dijkstra over the sampled live arcs. With every delay fixed to
//! 1 h this is the discrete-round IC of Kempe, Kleinberg & Tardos (2003); whatever the delays, the
//! final adopter set (no horizon) has the distribution of classic IC.
//!
//! This module knows nothing of files.

mod fused;
pub mod model;
pub mod monte_carlo;
pub mod run;
pub mod seeds;

pub use model::{Activation, Delay, Model};
pub use monte_carlo::{
    Accumulate, Engine, Grid, MonteCarlo, RunStats, simulate, simulate_chosen, simulate_with,
    single_run,
};
pub use seeds::SeedSpec;

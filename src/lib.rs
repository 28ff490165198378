//! # hongbao (红包)
//!
//! How a viral item spreads over a social graph, hour by hour, and how the shape of the network decides it.
//! The pipeline, in module order:
//!
//! `graph` (load, generate, CSR, stats) → `ties` (strong / weak labels) → `cascade` (time-resolved
//! independent cascade, Monte Carlo with rayon) → `curves` (aggregate runs into adoption curves and
//! summaries) → `report` (CSV, Parquet, JSON, Markdown, PNG).
//!
//! Invariants: a [`graph::Graph`] never changes after it is built; `cascade` knows nothing of files;
//! `curves` has no randomness; a result is a pure function of (graph, ties, model, seeds, seed).

/// Implements serde's traits for a spec type through its `Display` and a parser, so that the spec
/// is written as the same string a user types (`exp:0.5`, `overlap:0.3`, `top-degree:10`).
macro_rules! serde_as_spec {
    ($t:ty, $parse:expr) => {
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(
                &self,
                s: S,
            ) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str(&self.to_string())
            }
        }
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(
                d: D,
            ) -> std::result::Result<Self, D::Error> {
                let s = <String as serde::Deserialize>::deserialize(d)?;
                let parse: fn(&str) -> crate::Result<$t> = $parse;
                parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

pub mod cancel;
pub mod cascade;
pub mod cluster;
pub mod curves;
mod error;
pub mod fit;
#[doc(hidden)]
pub mod fuzz;
pub mod graph;
pub mod influence;
mod input;
mod mem;
pub mod observed;
pub mod partition;
pub mod report;
pub mod rng;
pub mod study;
pub mod ties;

pub use error::{Error, Naming, Result, Within};
/// Caps the memory every later estimate plans for (`--max-memory`): graphs, runs' scratch, RR sets.
pub use mem::set_cap as set_memory_cap;

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

pub mod cascade;
pub mod curves;
pub mod error;
pub mod graph;
pub mod report;
pub mod rng;
pub mod scenario;
pub mod ties;

pub use error::{Error, Result};

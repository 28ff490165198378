//! Graphs: the immutable CSR [`Graph`], loaders for real edge lists, seeded generators, and statistics.

mod build;
mod csr;
pub mod generate;
pub mod load;
pub mod percolation;
pub mod rewire;
mod shapes;
pub mod stats;

pub use build::{EdgeList, NodeIds};
pub use csr::{BuildCounts, Graph};

/// The strength class of a tie (an arc of the graph).
///
/// Strong ties are close friends: clustered, embedded in shared circles (Granovetter 1973). Weak ties
/// are acquaintances and commerce: they bridge circles. Stored as one byte per arc.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
#[repr(u8)]
pub enum TieClass {
    Weak = 0,
    Strong = 1,
}

impl TieClass {
    /// Index for per-class tables (`[weak, strong]`).
    #[inline]
    pub fn index(self) -> usize {
        self as usize
    }

    /// The word written to files: `strong` or `weak`.
    pub fn as_str(self) -> &'static str {
        match self {
            TieClass::Weak => "weak",
            TieClass::Strong => "strong",
        }
    }

    /// Parses `strong`/`weak` (also `s`/`w`, `1`/`0`, any case).
    pub fn parse(s: &str) -> Option<TieClass> {
        match s.trim().to_ascii_lowercase().as_str() {
            "strong" | "s" | "1" | "true" => Some(TieClass::Strong),
            "weak" | "w" | "0" | "false" => Some(TieClass::Weak),
            _ => None,
        }
    }
}

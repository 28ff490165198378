//! One integration-test binary (faster to link than one per file).

/// The reinforcement models (threshold, fractional, linear threshold, dose) against closed forms,
/// exact enumeration and the independent cascade they contain.
mod adoption;
/// The binary end to end: every command, bad input (exit 1, file/line/value named), same bytes
/// on any thread count, closed pipes.
mod cli;
/// Runs sharded over local processes: same bytes, faults, bad flags.
mod cluster;
/// The cascade engine against closed forms, exact enumeration, an independent simulator, and
/// its engines against each other.
mod engine;
/// Faults: interrupted runs, a file-size limit, two commands writing one report.
mod faults;
/// GraphML, Pajek and Matrix Market: round trips, other tools' files, bad input.
mod formats;
/// The fuzz corpus replayed through every parser.
mod fuzz_corpus;
/// The reinforcement models, sweeps and the decomposition through the binary, bad input included.
mod models_cli;
/// The real data sets of `../shared/data` (skipped when absent): counts and peer references.
mod real_data;
/// The report files: chart sizes and pixels, the Markdown snapshot, Parquet equal to CSV.
mod report;
/// Seed selection against exhaustive search, forward simulation, and bad input.
mod seeds;

use hongbao::graph::{EdgeList, Graph, TieClass};

/// A graph from an edge list over ids `0..n`.
pub fn graph(n: usize, edges: &[(u32, u32)], directed: bool) -> Graph {
    Graph::from_edges(EdgeList::from_pairs(n, edges), directed)
}

/// A graph with a tie class per edge.
pub fn tied_graph(n: usize, edges: &[(u32, u32, TieClass)]) -> Graph {
    let pairs: Vec<(u32, u32)> = edges.iter().map(|e| (e.0, e.1)).collect();
    let ties = Some(edges.iter().map(|e| e.2).collect());
    Graph::from_edges(
        EdgeList {
            ties,
            ..EdgeList::from_pairs(n, &pairs)
        },
        false,
    )
}

/// `../shared/data/<rel>` if it exists (tests that need it skip cleanly otherwise).
pub fn shared(rel: &str) -> Option<std::path::PathBuf> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(rel);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipped: {} is not present", p.display());
        None
    }
}

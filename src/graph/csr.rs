//! The compressed-sparse-row graph that every later stage reads.

use super::{NodeIds, TieClass};

/// What the builder dropped while turning an edge list into a simple graph.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct BuildCounts {
    /// Input lines (or rows) that became edges, before cleaning.
    pub input_edges: u64,
    /// Edges from a node to itself, dropped.
    pub self_loops: u64,
    /// Repeated edges (in an undirected graph, `u v` and `v u` are the same edge), dropped.
    pub duplicates: u64,
}

/// An immutable graph in compressed sparse row form.
///
/// Nodes are dense ids `0..n`; [`NodeIds`] maps them back to the ids of the input. An undirected edge
/// is stored as two arcs, one in each endpoint's list. Per arc, in lock-step with `targets`, the graph
/// keeps a [`TieClass`] and, when the input had one, a weight.
///
/// Invariants (established by the builder, never broken afterwards):
/// * `offsets.len() == n + 1`, `offsets[0] == 0`, `offsets[n] == targets.len()`, non-decreasing;
/// * each neighbour list `targets[offsets[u]..offsets[u+1]]` is strictly increasing (sorted, no
///   duplicates) and never contains `u` (no self-loops);
/// * `ties.len() == targets.len()` and, when present, `weights.len() == targets.len()`;
/// * if `!directed`, arc `u→v` exists iff arc `v→u` exists, with the same tie class and weight.
///
/// Memory: 4 bytes per arc for the target, 1 for the tie class, 4 more with weights; 8 per node.
#[derive(Clone, Debug)]
pub struct Graph {
    pub(crate) offsets: Vec<u64>,
    pub(crate) targets: Vec<u32>,
    pub(crate) ties: Vec<TieClass>,
    pub(crate) weights: Option<Vec<f32>>,
    pub(crate) directed: bool,
    pub(crate) ids: NodeIds,
    pub(crate) counts: BuildCounts,
    /// True when the tie classes came from the input (a generator's labels or a tie column), false
    /// when every arc defaulted to weak.
    pub(crate) labelled: bool,
}

impl Graph {
    /// Number of nodes.
    #[inline]
    pub fn node_count(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Number of arcs (twice the number of edges for an undirected graph).
    #[inline]
    pub fn arc_count(&self) -> usize {
        self.targets.len()
    }

    /// Number of edges: arcs for a directed graph, arcs / 2 for an undirected one.
    pub fn edge_count(&self) -> usize {
        if self.directed {
            self.arc_count()
        } else {
            self.arc_count() / 2
        }
    }

    /// Whether arcs are one-way.
    pub fn is_directed(&self) -> bool {
        self.directed
    }

    /// The out-neighbours of `u`, sorted increasingly.
    #[inline]
    pub fn neighbors(&self, u: u32) -> &[u32] {
        let (a, b) = self.arc_range(u);
        &self.targets[a..b]
    }

    /// The index range of `u`'s out-arcs in [`Graph::targets`], [`Graph::ties`] and [`Graph::weights`].
    #[inline]
    pub fn arc_range(&self, u: u32) -> (usize, usize) {
        (
            self.offsets[u as usize] as usize,
            self.offsets[u as usize + 1] as usize,
        )
    }

    /// Out-degree of `u`.
    #[inline]
    pub fn degree(&self, u: u32) -> usize {
        let (a, b) = self.arc_range(u);
        b - a
    }

    /// CSR offsets (`n + 1` entries).
    pub fn offsets(&self) -> &[u64] {
        &self.offsets
    }

    /// Arc targets, grouped by source.
    pub fn targets(&self) -> &[u32] {
        &self.targets
    }

    /// Tie class of every arc, in lock-step with [`Graph::targets`].
    pub fn ties(&self) -> &[TieClass] {
        &self.ties
    }

    /// Weight of every arc, when the input had weights.
    pub fn weights(&self) -> Option<&[f32]> {
        self.weights.as_deref()
    }

    /// The table from dense ids back to the input's ids.
    pub fn ids(&self) -> &NodeIds {
        &self.ids
    }

    /// What the builder dropped.
    pub fn build_counts(&self) -> BuildCounts {
        self.counts
    }

    /// Whether the tie classes were given by the input (generator or tie column).
    pub fn has_tie_labels(&self) -> bool {
        self.labelled
    }

    /// Edges (not arcs) of each class: `(strong, weak)`.
    pub fn tie_split(&self) -> (usize, usize) {
        // Summed a block at a time in 32 bits, which the compiler turns into vector adds.
        let strong: usize = self
            .ties
            .chunks(1 << 16)
            .map(|c| c.iter().map(|&t| u32::from(t as u8)).sum::<u32>() as usize)
            .sum();
        let weak = self.ties.len() - strong;
        if self.directed {
            (strong, weak)
        } else {
            (strong / 2, weak / 2)
        }
    }

    /// A new graph with the same arcs and the given tie classes (one per arc).
    ///
    /// The graph itself is never mutated: classification consumes one value and returns another.
    ///
    /// # Panics
    /// If `ties.len() != self.arc_count()` (a programming error, not a user error).
    pub fn with_ties(mut self, ties: Vec<TieClass>) -> Graph {
        assert_eq!(ties.len(), self.targets.len(), "one tie class per arc");
        self.ties = ties;
        self.labelled = true;
        self
    }

    /// A new graph with the same arcs and the given weights (one per arc).
    ///
    /// # Panics
    /// If `weights.len() != self.arc_count()` (a programming error, not a user error).
    pub fn with_weights(mut self, weights: Vec<f32>) -> Graph {
        assert_eq!(weights.len(), self.targets.len(), "one weight per arc");
        self.weights = Some(weights);
        self
    }

    /// In-degree of every node (equal to the degree for an undirected graph).
    pub fn in_degrees(&self) -> Vec<u32> {
        let mut indeg = vec![0u32; self.node_count()];
        for &v in &self.targets {
            indeg[v as usize] += 1;
        }
        indeg
    }

    /// Iterates every edge once as `(u, v, tie, weight)`: for an undirected graph only arcs with
    /// `u < v`.
    pub fn edges(&self) -> impl Iterator<Item = (u32, u32, TieClass, Option<f32>)> + '_ {
        (0..self.node_count() as u32).flat_map(move |u| {
            let (a, b) = self.arc_range(u);
            (a..b).filter_map(move |i| {
                let v = self.targets[i];
                if self.directed || u < v {
                    Some((u, v, self.ties[i], self.weights.as_ref().map(|w| w[i])))
                } else {
                    None
                }
            })
        })
    }

    /// The same graph with every arc turned round: `v`'s list holds the sources of its in-arcs,
    /// increasing, with their classes and weights. An undirected graph is its own transpose, and
    /// comes back as it is. Built from the input with [`crate::graph::load::load_reversed`]
    /// instead, the forward graph is never made (the same arrays: a test).
    pub fn transposed(self) -> Graph {
        if !self.directed {
            return self;
        }
        let (offsets, targets, ties, weights) = self.transposed_arcs();
        Graph {
            offsets,
            targets,
            ties,
            weights,
            directed: true,
            ids: self.ids,
            counts: self.counts,
            labelled: self.labelled,
        }
    }

    /// The arrays of [`Graph::transposed`]: offsets, sources, classes, weights.
    pub(crate) fn transposed_arcs(&self) -> (Vec<u64>, Vec<u32>, Vec<TieClass>, Option<Vec<f32>>) {
        let n = self.node_count();
        let targets = &self.targets;
        let mut offsets = Vec::with_capacity(n + 1);
        offsets.push(0u64);
        for d in self.in_degrees() {
            offsets.push(offsets.last().unwrap() + u64::from(d));
        }
        let mut next: Vec<u64> = offsets[..n].to_vec();
        let m = targets.len();
        let mut sources = vec![0u32; m];
        let mut ties = vec![TieClass::Weak; m];
        let mut weights = self.weights.as_ref().map(|_| vec![0f32; m]);
        for u in 0..n as u32 {
            let (a, b) = self.arc_range(u);
            for i in a..b {
                let v = targets[i] as usize;
                let j = next[v] as usize;
                next[v] += 1;
                sources[j] = u;
                ties[j] = self.ties[i];
                if let (Some(w), Some(gw)) = (weights.as_mut(), &self.weights) {
                    w[j] = gw[i];
                }
            }
        }
        (offsets, sources, ties, weights)
    }

    /// Position of arc `u→v` in the arc arrays, if it exists (binary search, O(log deg u)).
    pub fn find_arc(&self, u: u32, v: u32) -> Option<usize> {
        let (a, _) = self.arc_range(u);
        self.neighbors(u).binary_search(&v).ok().map(|i| a + i)
    }
}

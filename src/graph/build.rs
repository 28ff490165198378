//! From an edge list with arbitrary node ids to a clean [`Graph`]: intern ids, drop self-loops and
//! duplicates (counting both), mirror undirected edges, sort neighbour lists.

use std::collections::HashMap;

use rayon::prelude::*;

use super::{BuildCounts, Graph, TieClass};

/// The table from dense node ids `0..n` back to the ids the input used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeIds {
    /// The input ids are exactly `0..n` (generated graphs).
    Range(usize),
    /// Numeric input ids, sorted increasingly: dense id `i` is `ids[i]`.
    Numeric(Vec<u64>),
    /// Text input ids, sorted increasingly: dense id `i` is `ids[i]`.
    Text(Vec<String>),
}

impl NodeIds {
    /// Number of nodes.
    pub fn len(&self) -> usize {
        match self {
            NodeIds::Range(n) => *n,
            NodeIds::Numeric(v) => v.len(),
            NodeIds::Text(v) => v.len(),
        }
    }

    /// True if there are no nodes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The input's id of dense node `u`, as text.
    pub fn label(&self, u: u32) -> String {
        match self {
            NodeIds::Range(_) => u.to_string(),
            NodeIds::Numeric(v) => v[u as usize].to_string(),
            NodeIds::Text(v) => v[u as usize].clone(),
        }
    }

    /// The dense id of the input id `original`, if the graph has such a node.
    pub fn find(&self, original: &str) -> Option<u32> {
        let original = original.trim();
        match self {
            NodeIds::Range(n) => original
                .parse::<u64>()
                .ok()
                .filter(|&x| x < *n as u64)
                .map(|x| x as u32),
            NodeIds::Numeric(v) => {
                let x: u64 = original.parse().ok()?;
                v.binary_search(&x).ok().map(|i| i as u32)
            }
            NodeIds::Text(v) => v
                .binary_search_by(|s| s.as_str().cmp(original))
                .ok()
                .map(|i| i as u32),
        }
    }

    /// Whether the ids are numbers (and so can be written to a numeric column).
    pub fn is_numeric(&self) -> bool {
        !matches!(self, NodeIds::Text(_))
    }
}

/// Edges over dense ids, as a loader or generator produced them, before cleaning.
#[derive(Clone, Debug)]
pub struct EdgeList {
    /// Number of nodes (ids are `0..n`).
    pub n: usize,
    pub src: Vec<u32>,
    pub dst: Vec<u32>,
    /// Tie class per edge, when the input labels ties.
    pub ties: Option<Vec<TieClass>>,
    /// Weight per edge, when the input has weights.
    pub weights: Option<Vec<f32>>,
    pub ids: NodeIds,
}

/// Maps numeric ids to dense ids `0..n`, in increasing order of the original id.
///
/// Uses a direct table when the largest id is not much larger than the number of ids (SNAP files
/// number their nodes densely), a hash map otherwise.
pub(crate) fn intern_numeric(raw: &[u64]) -> (Vec<u32>, NodeIds) {
    let mut uniq: Vec<u64> = raw.to_vec();
    uniq.par_sort_unstable();
    uniq.dedup();
    let n = uniq.len();
    let max = uniq.last().copied().unwrap_or(0);
    let dense: Vec<u32> = if max <= 4 * raw.len() as u64 + 1024 {
        let mut table = vec![u32::MAX; max as usize + 1];
        for (i, &x) in uniq.iter().enumerate() {
            table[x as usize] = i as u32;
        }
        raw.par_iter().map(|&x| table[x as usize]).collect()
    } else {
        let map: HashMap<u64, u32> = uniq
            .iter()
            .enumerate()
            .map(|(i, &x)| (x, i as u32))
            .collect();
        raw.par_iter().map(|x| map[x]).collect()
    };
    let ids = if n as u64 == max + 1 {
        NodeIds::Range(n)
    } else {
        NodeIds::Numeric(uniq)
    };
    (dense, ids)
}

/// Maps text ids to dense ids `0..n`, in increasing (byte) order of the original id.
pub(crate) fn intern_text<S: AsRef<str> + Sync>(raw: &[S]) -> (Vec<u32>, NodeIds) {
    let mut uniq: Vec<&str> = raw.iter().map(|s| s.as_ref()).collect();
    uniq.par_sort_unstable();
    uniq.dedup();
    let map: HashMap<&str, u32> = uniq
        .iter()
        .enumerate()
        .map(|(i, &s)| (s, i as u32))
        .collect();
    let dense = raw.par_iter().map(|s| map[s.as_ref()]).collect();
    (
        dense,
        NodeIds::Text(uniq.into_iter().map(String::from).collect()),
    )
}

/// One arc before deduplication: key = `target << 1 | weak`, so sorting puts a node's strong copy of
/// a duplicated arc first (strong wins), then heavier weights first.
#[derive(Copy, Clone)]
struct RawArc {
    key: u64,
    weight: f32,
}

impl Graph {
    /// Builds a graph from an edge list.
    ///
    /// Self-loops are dropped; repeated edges are merged (the merged tie is strong if any copy is
    /// strong, its weight the largest copy's) and counted as duplicates. Undirected edges become two
    /// arcs. Complexity: O(m log d_max) time, O(m) extra memory; neighbour lists are sorted in
    /// parallel.
    pub fn from_edges(edges: EdgeList, directed: bool) -> Graph {
        let EdgeList {
            n,
            src,
            dst,
            ties,
            weights,
            ids,
        } = edges;
        debug_assert_eq!(src.len(), dst.len());
        let mut counts = BuildCounts {
            input_edges: src.len() as u64,
            ..Default::default()
        };
        let labelled = ties.is_some();

        // Pass 1: out-degree before cleaning.
        let mut deg = vec![0u64; n + 1];
        for (&u, &v) in src.iter().zip(&dst) {
            if u == v {
                counts.self_loops += 1;
                continue;
            }
            deg[u as usize] += 1;
            if !directed {
                deg[v as usize] += 1;
            }
        }
        let mut start = Vec::with_capacity(n + 1);
        let mut acc = 0u64;
        for &d in &deg[..n] {
            start.push(acc);
            acc += d;
        }
        start.push(acc);
        let total = acc as usize;

        // Pass 2: scatter arcs into their source's block.
        let mut raw = vec![
            RawArc {
                key: 0,
                weight: 0.0
            };
            total
        ];
        let mut fill = start.clone();
        for i in 0..src.len() {
            let (u, v) = (src[i], dst[i]);
            if u == v {
                continue;
            }
            let weak = ties.as_ref().is_none_or(|t| t[i] == TieClass::Weak) as u64;
            let weight = weights.as_ref().map_or(1.0, |w| w[i]);
            let mut put = |a: u32, b: u32| {
                let pos = &mut fill[a as usize];
                raw[*pos as usize] = RawArc {
                    key: (b as u64) << 1 | weak,
                    weight,
                };
                *pos += 1;
            };
            put(u, v);
            if !directed {
                put(v, u);
            }
        }
        drop((src, dst, ties));

        // Pass 3: sort and deduplicate every neighbour list in parallel.
        let mut blocks: Vec<&mut [RawArc]> = Vec::with_capacity(n);
        let mut rest: &mut [RawArc] = &mut raw;
        for u in 0..n {
            let (block, tail) = rest.split_at_mut((start[u + 1] - start[u]) as usize);
            blocks.push(block);
            rest = tail;
        }
        let kept: Vec<u64> = blocks
            .par_iter_mut()
            .map(|block| {
                block
                    .sort_unstable_by(|a, b| a.key.cmp(&b.key).then(b.weight.total_cmp(&a.weight)));
                let mut len = 0usize;
                for i in 0..block.len() {
                    if len == 0 || block[i].key >> 1 != block[len - 1].key >> 1 {
                        block[len] = block[i];
                        len += 1;
                    }
                }
                len as u64
            })
            .collect();
        drop(blocks);

        // Pass 4: compact into the final arrays.
        let arcs: u64 = kept.iter().sum();
        let mut offsets = Vec::with_capacity(n + 1);
        let mut targets = Vec::with_capacity(arcs as usize);
        let mut tie_vec = Vec::with_capacity(arcs as usize);
        let mut weight_vec = weights.as_ref().map(|_| Vec::with_capacity(arcs as usize));
        offsets.push(0u64);
        for u in 0..n {
            let s = start[u] as usize;
            for a in &raw[s..s + kept[u] as usize] {
                targets.push((a.key >> 1) as u32);
                tie_vec.push(if a.key & 1 == 1 {
                    TieClass::Weak
                } else {
                    TieClass::Strong
                });
                if let Some(w) = weight_vec.as_mut() {
                    w.push(a.weight);
                }
            }
            offsets.push(targets.len() as u64);
        }
        let removed = total as u64 - arcs;
        counts.duplicates = if directed { removed } else { removed / 2 };

        Graph {
            offsets,
            targets,
            ties: tie_vec,
            weights: weight_vec,
            directed,
            ids,
            counts,
            labelled,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(n: usize, e: &[(u32, u32)]) -> EdgeList {
        EdgeList {
            n,
            src: e.iter().map(|x| x.0).collect(),
            dst: e.iter().map(|x| x.1).collect(),
            ties: None,
            weights: None,
            ids: NodeIds::Range(n),
        }
    }

    fn check_invariants(g: &Graph) {
        let n = g.node_count();
        assert_eq!(g.offsets.len(), n + 1);
        assert_eq!(g.offsets[0], 0);
        assert_eq!(*g.offsets.last().unwrap() as usize, g.targets.len());
        assert_eq!(g.ties.len(), g.targets.len());
        for u in 0..n as u32 {
            let nb = g.neighbors(u);
            assert!(nb.windows(2).all(|w| w[0] < w[1]), "sorted, no duplicates");
            assert!(!nb.contains(&u), "no self-loop");
            if !g.directed {
                for &v in nb {
                    let back = g.find_arc(v, u).expect("mirror arc");
                    let fwd = g.find_arc(u, v).unwrap();
                    assert_eq!(g.ties[back], g.ties[fwd]);
                }
            }
        }
    }

    #[test]
    fn undirected_mirrors_dedupes_and_counts() {
        let g = Graph::from_edges(
            list(4, &[(0, 1), (1, 0), (1, 2), (2, 2), (0, 1), (3, 1)]),
            false,
        );
        check_invariants(&g);
        assert_eq!(g.edge_count(), 3);
        assert_eq!(g.arc_count(), 6);
        assert_eq!(g.neighbors(1), &[0, 2, 3]);
        assert_eq!(g.build_counts().self_loops, 1);
        assert_eq!(g.build_counts().duplicates, 2);
        assert_eq!(g.build_counts().input_edges, 6);
    }

    #[test]
    fn directed_keeps_direction() {
        let g = Graph::from_edges(list(3, &[(0, 1), (1, 0), (0, 1), (2, 0)]), true);
        check_invariants(&g);
        assert_eq!(g.arc_count(), 3);
        assert_eq!(g.neighbors(0), &[1]);
        assert_eq!(g.neighbors(2), &[0]);
        assert_eq!(g.build_counts().duplicates, 1);
    }

    #[test]
    fn strong_copy_wins_and_heaviest_weight_kept() {
        let mut e = list(3, &[(0, 1), (1, 0), (1, 2)]);
        e.ties = Some(vec![TieClass::Weak, TieClass::Strong, TieClass::Weak]);
        e.weights = Some(vec![2.0, 5.0, 1.0]);
        let g = Graph::from_edges(e, false);
        check_invariants(&g);
        let a = g.find_arc(0, 1).unwrap();
        assert_eq!(g.ties()[a], TieClass::Strong);
        assert_eq!(g.weights().unwrap()[a], 5.0);
        assert_eq!(g.tie_split(), (1, 1));
    }

    #[test]
    fn isolated_nodes_have_empty_lists() {
        let g = Graph::from_edges(list(5, &[(0, 4)]), false);
        check_invariants(&g);
        assert_eq!(g.degree(2), 0);
        assert_eq!(g.node_count(), 5);
    }

    #[test]
    fn interning_numeric_and_text() {
        let (d, ids) = intern_numeric(&[10, 5, 10, 7]);
        assert_eq!(d, vec![2, 0, 2, 1]);
        assert_eq!(ids, NodeIds::Numeric(vec![5, 7, 10]));
        assert_eq!(ids.find("7"), Some(1));
        assert_eq!(ids.find("8"), None);
        let (d, ids) = intern_numeric(&[0, 2, 1]);
        assert_eq!(d, vec![0, 2, 1]);
        assert_eq!(ids, NodeIds::Range(3));
        let big = [1u64 << 40, 3];
        let (d, _) = intern_numeric(&big);
        assert_eq!(d, vec![1, 0]);
        let (d, ids) = intern_text(&["bob", "alice", "bob"]);
        assert_eq!(d, vec![1, 0, 1]);
        assert_eq!(ids.label(0), "alice");
        assert_eq!(ids.find("bob"), Some(1));
    }
}

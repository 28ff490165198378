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

impl EdgeList {
    /// Edges between nodes known by numeric ids (any `u64`; numbered densely in increasing order),
    /// without tie labels or weights.
    ///
    /// # Example
    /// ```
    /// use hongbao::graph::{EdgeList, Graph};
    /// let g = Graph::from_edges(EdgeList::from_ids(&[10, 20], &[20, 30]), false);
    /// assert_eq!((g.node_count(), g.ids().label(2)), (3, "30".to_string()));
    /// ```
    pub fn from_ids(src: &[u64], dst: &[u64]) -> EdgeList {
        let m = src.len().min(dst.len());
        let mut raw = Vec::with_capacity(2 * m);
        raw.extend_from_slice(&src[..m]);
        raw.extend_from_slice(&dst[..m]);
        let (dense, ids) = intern_numeric(&raw);
        EdgeList {
            n: ids.len(),
            src: dense[..m].to_vec(),
            dst: dense[m..].to_vec(),
            ties: None,
            weights: None,
            ids,
        }
    }

    /// Edges given as positions into `labels` (one label per node, isolated nodes included): the
    /// labels become the node ids, numeric when every label is a number. Positions must be below
    /// `labels.len()`.
    pub fn from_labelled(labels: &[String], src: &[u32], dst: &[u32]) -> EdgeList {
        let numbers: Option<Vec<u64>> = labels.iter().map(|s| s.parse::<u64>().ok()).collect();
        let (dense, ids) = match numbers {
            Some(v) if !v.is_empty() => intern_numeric(&v),
            _ => intern_text(labels),
        };
        EdgeList {
            n: ids.len(),
            src: src.iter().map(|&i| dense[i as usize]).collect(),
            dst: dst.iter().map(|&i| dense[i as usize]).collect(),
            ties: None,
            weights: None,
            ids,
        }
    }

    /// Edges over ids `0..n`, without tie labels or weights (for examples and tests).
    ///
    /// # Example
    /// ```
    /// use hongbao::graph::{EdgeList, Graph};
    /// let g = Graph::from_edges(EdgeList::from_pairs(3, &[(0, 1), (1, 2)]), false);
    /// assert_eq!(g.neighbors(1), &[0, 2]);
    /// ```
    pub fn from_pairs(n: usize, pairs: &[(u32, u32)]) -> EdgeList {
        EdgeList {
            n,
            src: pairs.iter().map(|e| e.0).collect(),
            dst: pairs.iter().map(|e| e.1).collect(),
            ties: None,
            weights: None,
            ids: NodeIds::Range(n),
        }
    }
}

/// A numbering of the distinct ids of an edge list, in increasing order of the id.
pub(crate) enum Numbering {
    /// Every id from 0 to the largest is present (generated graphs, most SNAP files): an id is
    /// its own number, and no table is made (12 MB for a million ids).
    Identity(usize),
    /// The table from an id to its number, and the distinct ids in order.
    Table(Vec<u32>, Vec<u64>),
}

impl Numbering {
    /// Nodes numbered.
    pub(crate) fn len(&self) -> usize {
        match self {
            Numbering::Identity(n) => *n,
            Numbering::Table(_, uniq) => uniq.len(),
        }
    }

    /// The id table of the graph.
    pub(crate) fn into_ids(self) -> NodeIds {
        match self {
            Numbering::Identity(n) => NodeIds::Range(n),
            Numbering::Table(_, uniq) => NodeIds::Numeric(uniq),
        }
    }
}

/// Numbers the distinct values of `ids` (all ≤ `max`) in increasing order, without sorting.
pub(crate) fn dense_numbering(max: u64, ids: impl ParallelIterator<Item = u64>) -> Numbering {
    use std::sync::atomic::{AtomicU8, Ordering};
    // Mark in parallel (every writer stores the same 1; a byte per id, so that the marks of a
    // million ids stay in cache), then number in order.
    let marks: Vec<AtomicU8> = (0..=max).map(|_| AtomicU8::new(0)).collect();
    // Read first: a store to a line the other core holds takes it away (both cores storing 1s
    // all over the marks moved their lines back and forth); a line read by both stays in both.
    ids.for_each(|x| {
        let m = &marks[x as usize];
        if m.load(Ordering::Relaxed) == 0 {
            m.store(1, Ordering::Relaxed);
        }
    });
    let marks: Vec<u8> = marks.into_iter().map(AtomicU8::into_inner).collect();
    if marks.iter().all(|&m| m == 1) {
        return Numbering::Identity(marks.len());
    }
    let mut table = vec![0u32; marks.len()];
    let mut uniq = Vec::new();
    for (x, (slot, mark)) in table.iter_mut().zip(marks).enumerate() {
        if mark == 1 {
            *slot = uniq.len() as u32;
            uniq.push(x as u64);
        }
    }
    Numbering::Table(table, uniq)
}

/// Maps numeric ids to dense ids `0..n`, in increasing order of the original id.
///
/// Uses a direct table when the largest id is not much larger than the number of ids (SNAP files
/// number their nodes densely), a hash map otherwise.
pub(crate) fn intern_numeric(raw: &[u64]) -> (Vec<u32>, NodeIds) {
    let max = raw.par_iter().copied().max().unwrap_or(0);
    if max <= 4 * raw.len() as u64 + 1024 {
        // Dense ids (SNAP numbers its nodes 0..n or 1..n): mark, number in order, map. No sort.
        let numbering = dense_numbering(max, raw.par_iter().copied());
        let dense: Vec<u32> = match &numbering {
            Numbering::Identity(_) => raw.par_iter().map(|&x| x as u32).collect(),
            Numbering::Table(table, _) => raw.par_iter().map(|&x| table[x as usize]).collect(),
        };
        return (dense, numbering.into_ids());
    }
    let mut uniq: Vec<u64> = raw.to_vec();
    uniq.par_sort_unstable();
    uniq.dedup();
    let map: HashMap<u64, u32> = uniq
        .iter()
        .enumerate()
        .map(|(i, &x)| (x, i as u32))
        .collect();
    let dense: Vec<u32> = raw.par_iter().map(|x| map[x]).collect();
    (dense, NodeIds::Numeric(uniq))
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
#[derive(Copy, Clone, Default)]
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
        Graph::from_pieces(
            n,
            Pieces::new(vec![src], vec![dst]),
            ties,
            weights,
            ids,
            directed,
        )
    }

    /// [`Graph::from_edges`] for an edge list in consecutive pieces (a loader's parsed chunks),
    /// which are read where they are instead of being copied into one list first. `ties` and
    /// `weights`, when given, are per edge of the whole list.
    pub(crate) fn from_pieces(
        n: usize,
        mut pieces: Pieces,
        ties: Option<Vec<TieClass>>,
        weights: Option<Vec<f32>>,
        ids: NodeIds,
        directed: bool,
    ) -> Graph {
        let m = pieces.len();
        let mut counts = BuildCounts {
            input_edges: m as u64,
            ..Default::default()
        };
        let labelled = ties.is_some();

        // Pass 1: out-degree before cleaning, counted per chunk of the edge list so that pass 2 can
        // scatter the chunks in parallel into disjoint slots.
        let chunks = rayon::current_num_threads().clamp(1, 4);
        let chunk_len = m.div_ceil(chunks).max(1);
        let mut per_chunk: Vec<(Vec<u32>, u64)> = (0..m.div_ceil(chunk_len))
            .into_par_iter()
            .map(|c| {
                // Counted into (read, then written): mapped up front, not page by page from the
                // shared zero page (see `rr::Scratch::new`).
                let mut deg: Vec<u32> = crate::mem::zeroed(n);
                let mut loops = 0u64;
                for (_, s, d) in pieces.range(c * chunk_len, ((c + 1) * chunk_len).min(m)) {
                    for (k, (&u, &v)) in s.iter().zip(d).enumerate() {
                        // The counters of the edge AHEAD on are asked for now (read at random).
                        if let (Some(&a), Some(&b)) = (s.get(k + AHEAD), d.get(k + AHEAD)) {
                            crate::mem::prefetch(&deg, a as usize);
                            if !directed {
                                crate::mem::prefetch(&deg, b as usize);
                            }
                        }
                        if u == v {
                            loops += 1;
                            continue;
                        }
                        deg[u as usize] += 1;
                        if !directed {
                            deg[v as usize] += 1;
                        }
                    }
                }
                (deg, loops)
            })
            .collect();
        counts.self_loops = per_chunk.iter().map(|c| c.1).sum();
        // start[u] = first slot of u's block; cursors[c][u] = first slot of chunk c inside it.
        let (start, cursors) = cursors(&mut per_chunk, n);
        drop(per_chunk);
        let total = start[n] as usize;

        // Passes 2-4: scatter arcs into their source's block, sort and deduplicate each block in
        // parallel, compact. Without weights an arc is one u64 key (half the memory traffic).
        let tie_of = |i: usize| ties.as_ref().is_none_or(|t| t[i] == TieClass::Weak) as u64;
        let (targets, tie_vec, weight_vec, offsets) = match &weights {
            // Below 2^31 nodes a key fits in a u32: half the memory traffic again.
            None if n < (1 << 31) => {
                // The arcs go on huge pages: with no duplicate they become the targets in place.
                let raw = scatter(
                    &pieces,
                    directed,
                    cursors,
                    chunk_len,
                    total,
                    true,
                    |i, b| b << 1 | tie_of(i) as u32,
                );
                // The edge list is in the arcs now: free it before sorting and compacting.
                pieces = Pieces::default();
                let (raw, kept) = sort_blocks(raw, &start, |a| (*a >> 1) as u64, |a, b| a.cmp(b));
                compact_keys(raw, start, &kept)
            }
            None => {
                let raw = scatter(
                    &pieces,
                    directed,
                    cursors,
                    chunk_len,
                    total,
                    false,
                    |i, b| (b as u64) << 1 | tie_of(i),
                );
                // The edge list is in the arcs now: free it before sorting and compacting.
                pieces = Pieces::default();
                let (raw, kept) = sort_blocks(raw, &start, |a| *a >> 1, |a, b| a.cmp(b));
                compact(&raw, &start, &kept, |a| *a, |_| 1.0, false)
            }
            Some(w) => {
                let raw = scatter(
                    &pieces,
                    directed,
                    cursors,
                    chunk_len,
                    total,
                    false,
                    |i, b| RawArc {
                        key: (b as u64) << 1 | tie_of(i),
                        weight: w[i],
                    },
                );
                // The edge list is in the arcs now: free it before sorting and compacting.
                pieces = Pieces::default();
                let (raw, kept) = sort_blocks(
                    raw,
                    &start,
                    |a| a.key >> 1,
                    |a, b| a.key.cmp(&b.key).then(b.weight.total_cmp(&a.weight)),
                );
                compact(&raw, &start, &kept, |a| a.key, |a| a.weight, true)
            }
        };
        drop((pieces, ties));
        let arcs = targets.len() as u64;
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

/// Places each arc in its source's block; chunk `c` of the edge list (edges `c·chunk_len..`) writes
/// from `cursors[c][u]` on, in parallel with the other chunks. `make(i, target)` builds the arc of
/// input edge `i`. With `huge`, the arcs are advised onto huge pages (see [`crate::mem::zeroed`]);
/// `T` must then be a plain number type.
#[allow(clippy::too_many_arguments)]
fn scatter<T: Copy + Default + Send + Sync>(
    pieces: &Pieces,
    directed: bool,
    cursors: Cursors,
    chunk_len: usize,
    total: usize,
    huge: bool,
    make: impl Fn(usize, u32) -> T + Sync,
) -> Vec<T> {
    match cursors {
        Cursors::Narrow(c) => scatter_with(pieces, directed, c, chunk_len, total, huge, make),
        Cursors::Wide(c) => scatter_with(pieces, directed, c, chunk_len, total, huge, make),
    }
}

/// [`scatter`] with cursors of one width.
#[allow(clippy::too_many_arguments)]
fn scatter_with<T: Copy + Default + Send + Sync, C: Cursor>(
    pieces: &Pieces,
    directed: bool,
    cursors: Vec<Vec<C>>,
    chunk_len: usize,
    total: usize,
    huge: bool,
    make: impl Fn(usize, u32) -> T + Sync,
) -> Vec<T> {
    struct Slots<T>(*mut T);
    // SAFETY: shared across threads only to write disjoint slots (see below).
    unsafe impl<T: Send> Sync for Slots<T> {}
    let mut raw = if huge {
        crate::mem::zeroed(total)
    } else {
        vec![T::default(); total]
    };
    let slots = Slots(raw.as_mut_ptr());
    let slots = &slots;
    let m = pieces.len();
    cursors
        .into_par_iter()
        .enumerate()
        .for_each(|(c, mut fill)| {
            let put = |fill: &mut [C], a: u32, b: u32, i: usize| {
                let pos = &mut fill[a as usize];
                // SAFETY: chunk c owns slots cursors[c][a] .. cursors[c][a] + (its arcs from a), which
                // pass 1 counted exactly, so no two writes (in any chunk) touch the same slot, and
                // every slot is below `total`.
                unsafe { slots.0.add(pos.slot()).write(make(i, b)) };
                pos.step();
            };
            let (lo, hi) = (c * chunk_len, ((c + 1) * chunk_len).min(m));
            for (first, s, d) in pieces.range(lo, hi) {
                for k in 0..s.len() {
                    // The cursors of the edge AHEAD on are asked for now (both ends: an undirected
                    // edge writes from both); they are read at random over a node-sized array.
                    if k + AHEAD < s.len() {
                        crate::mem::prefetch(&fill, s[k + AHEAD] as usize);
                        if !directed {
                            crate::mem::prefetch(&fill, d[k + AHEAD] as usize);
                        }
                    }
                    let (u, v) = (s[k], d[k]);
                    if u == v {
                        continue;
                    }
                    put(&mut fill, u, v, first + k);
                    if !directed {
                        put(&mut fill, v, u, first + k);
                    }
                }
            }
        });
    raw
}

/// Where each chunk of the edge list writes its next arc from each node: 4 bytes a cursor when
/// the arcs number below 2^32 (the degree counters themselves, turned into cursors in place), 8
/// otherwise.
enum Cursors {
    Narrow(Vec<Vec<u32>>),
    Wide(Vec<Vec<u64>>),
}

/// A cursor: the next slot to write.
trait Cursor: Copy + Send + Sync {
    fn slot(self) -> usize;
    fn step(&mut self);
}

macro_rules! cursor {
    ($t:ty) => {
        impl Cursor for $t {
            #[inline(always)]
            fn slot(self) -> usize {
                self as usize
            }
            #[inline(always)]
            fn step(&mut self) {
                *self += 1;
            }
        }
    };
}
cursor!(u32);
cursor!(u64);

/// From each chunk's degree counts (`per_chunk[c].0[u]`: arcs from `u` in chunk `c`): where each
/// node's block starts (`start[u]`, the total last) and where each chunk writes in it. Parallel
/// over ranges of nodes: the arcs of the ranges before one are summed first.
fn cursors(per_chunk: &mut [(Vec<u32>, u64)], n: usize) -> (Vec<u64>, Cursors) {
    cursors_narrow_below(per_chunk, n, 1 << 32)
}

/// [`cursors`], narrow when the arcs number below `limit` (tests lower it).
fn cursors_narrow_below(
    per_chunk: &mut [(Vec<u32>, u64)],
    n: usize,
    limit: u64,
) -> (Vec<u64>, Cursors) {
    let per = n.div_ceil(rayon::current_num_threads() * 4).max(1);
    let sums: Vec<u64> = (0..n.div_ceil(per))
        .into_par_iter()
        .map(|p| {
            let (lo, hi) = (p * per, ((p + 1) * per).min(n));
            per_chunk
                .iter()
                .map(|(deg, _)| deg[lo..hi].iter().map(|&d| d as u64).sum::<u64>())
                .sum()
        })
        .collect();
    let mut bases = Vec::with_capacity(sums.len());
    let mut total = 0u64;
    for s in &sums {
        bases.push(total);
        total += s;
    }
    // Kept as the graph's offsets when no arc is dropped: on huge pages, as `compact` makes them.
    let mut start: Vec<u64> = crate::mem::zeroed(n + 1);
    start[n] = total;
    if total < limit {
        // The counters become the cursors where they are.
        let mut cols: Vec<_> = per_chunk
            .iter_mut()
            .map(|(deg, _)| deg.chunks_mut(per))
            .collect();
        let parts: Vec<(&mut [u64], Vec<&mut [u32]>)> = start[..n]
            .chunks_mut(per)
            .map(|st| (st, cols.iter_mut().map(|c| c.next().unwrap()).collect()))
            .collect();
        parts
            .into_par_iter()
            .zip(bases)
            .for_each(|((st, mut degs), base)| {
                let mut acc = base;
                for (i, s) in st.iter_mut().enumerate() {
                    *s = acc;
                    for d in degs.iter_mut() {
                        let k = d[i] as u64;
                        // Below 2^32: at most the total.
                        d[i] = acc as u32;
                        acc += k;
                    }
                }
            });
        let narrow = per_chunk
            .iter_mut()
            .map(|(deg, _)| std::mem::take(deg))
            .collect();
        return (start, Cursors::Narrow(narrow));
    }
    let mut wide: Vec<Vec<u64>> = vec![vec![0u64; n]; per_chunk.len()];
    let mut acc = 0u64;
    for (u, s) in start[..n].iter_mut().enumerate() {
        *s = acc;
        for (c, (deg, _)) in per_chunk.iter().enumerate() {
            wide[c][u] = acc;
            acc += deg[u] as u64;
        }
    }
    (start, Cursors::Wide(wide))
}

/// An edge list in consecutive pieces (sources and targets of equal lengths): a loader's parsed
/// chunks, or one whole list.
#[derive(Default)]
pub(crate) struct Pieces {
    src: Vec<Vec<u32>>,
    dst: Vec<Vec<u32>>,
    /// Where each piece starts in the whole list, and the whole's length last.
    starts: Vec<usize>,
}

impl Pieces {
    pub(crate) fn new(src: Vec<Vec<u32>>, dst: Vec<Vec<u32>>) -> Pieces {
        assert_eq!(src.len(), dst.len());
        let mut starts = vec![0];
        for (s, d) in src.iter().zip(&dst) {
            assert_eq!(s.len(), d.len());
            starts.push(starts.last().unwrap() + s.len());
        }
        Pieces { src, dst, starts }
    }

    /// The pieces joined into one list of sources and one of targets.
    pub(crate) fn concat(self) -> (Vec<u32>, Vec<u32>) {
        if self.src.len() == 1 {
            let (mut s, mut d) = (self.src, self.dst);
            return (s.pop().unwrap(), d.pop().unwrap());
        }
        (self.src.concat(), self.dst.concat())
    }

    /// Every edge turned round: sources become targets (classes and weights stay with their
    /// edge).
    pub(crate) fn turn_round(&mut self) {
        std::mem::swap(&mut self.src, &mut self.dst);
    }

    /// Edges in all.
    pub(crate) fn len(&self) -> usize {
        self.starts.last().copied().unwrap_or(0)
    }

    /// Edges `lo..hi` as slices of the pieces that hold them: (index of the slice's first
    /// edge in the whole list, sources, targets).
    fn range(&self, lo: usize, hi: usize) -> impl Iterator<Item = (usize, &[u32], &[u32])> {
        // The last piece starting at or before `lo` (the pieces before it end by then).
        let first = self.starts.partition_point(|&x| x <= lo).saturating_sub(1);
        (first..self.src.len())
            .map_while(move |p| {
                let (a, b) = (self.starts[p], self.starts[p + 1]);
                (a < hi).then(|| {
                    let (x, y) = (lo.max(a), hi.min(b).max(lo.max(a)));
                    (x, &self.src[p][x - a..y - a], &self.dst[p][x - a..y - a])
                })
            })
            .filter(|(_, s, _)| !s.is_empty())
    }
}

/// How many edges ahead the degree count and [`scatter`] ask for the counters and cursors they
/// will move.
const AHEAD: usize = 16;

/// Splits nodes `0..n` into about `8 × threads` ranges of similar arc counts, so that parallel
/// work is balanced and each range's arcs are one contiguous slice.
fn node_ranges(start: &[u64]) -> Vec<(usize, usize)> {
    let n = start.len() - 1;
    let total = start[n];
    let parts = (rayon::current_num_threads() * 8).max(1) as u64;
    let per = total.div_ceil(parts).max(1);
    let mut ranges = Vec::new();
    let mut lo = 0usize;
    while lo < n {
        // First node whose block starts at or beyond the next quota.
        let goal = start[lo] + per;
        let mut hi = start.partition_point(|&x| x < goal).clamp(lo + 1, n);
        if hi == lo {
            hi = lo + 1;
        }
        ranges.push((lo, hi));
        lo = hi;
    }
    ranges
}

/// Cuts `data` into consecutive slices of the given lengths.
fn split_lengths<T>(mut data: &mut [T], lengths: impl Iterator<Item = usize>) -> Vec<&mut [T]> {
    let mut out = Vec::new();
    for len in lengths {
        let (head, tail) = data.split_at_mut(len);
        out.push(head);
        data = tail;
    }
    out
}

/// Cuts `data` into the contiguous slices that `ranges` own (`start[lo]..start[hi]` each).
fn split_by_ranges<'a, T>(
    data: &'a mut [T],
    start: &[u64],
    ranges: &[(usize, usize)],
) -> Vec<&'a mut [T]> {
    split_lengths(
        data,
        ranges
            .iter()
            .map(|&(lo, hi)| (start[hi] - start[lo]) as usize),
    )
}

/// Sorts every block by `cmp` and keeps the first arc of each run of equal `target(arc)`; returns
/// the arcs and the kept length of each block. Parallel over node ranges.
fn sort_blocks<T: Copy + Send>(
    mut raw: Vec<T>,
    start: &[u64],
    target: impl Fn(&T) -> u64 + Sync,
    cmp: impl Fn(&T, &T) -> std::cmp::Ordering + Sync,
) -> (Vec<T>, Vec<u64>) {
    let n = start.len() - 1;
    let ranges = node_ranges(start);
    let mut kept = vec![0u64; n];
    let kept_parts = split_lengths(&mut kept, ranges.iter().map(|&(lo, hi)| hi - lo));
    let raw_parts = split_by_ranges(&mut raw, start, &ranges);
    raw_parts
        .into_par_iter()
        .zip(kept_parts)
        .zip(ranges.par_iter())
        .for_each(|((arcs, kept), &(lo, hi))| {
            let base = start[lo];
            for u in lo..hi {
                let block = &mut arcs[(start[u] - base) as usize..(start[u + 1] - base) as usize];
                // A block already in strictly increasing order of target (every block of a file
                // sorted by its ends, as SNAP's are) has nothing to sort or drop: one comparison
                // an arc, a branch that goes the same way.
                if block.windows(2).all(|w| target(&w[0]) < target(&w[1])) {
                    kept[u - lo] = block.len() as u64;
                    continue;
                }
                block.sort_unstable_by(&cmp);
                let mut len = 0usize;
                for i in 0..block.len() {
                    if len == 0 || target(&block[i]) != target(&block[len - 1]) {
                        block[len] = block[i];
                        len += 1;
                    }
                }
                kept[u - lo] = len as u64;
            }
        });
    (raw, kept)
}

/// The tie class of an arc key (`target << 1 | weak`).
#[inline]
fn class_of_key(k: u64) -> TieClass {
    if k & 1 == 1 {
        TieClass::Weak
    } else {
        TieClass::Strong
    }
}

/// [`compact`] for arcs that are `u32` keys (`target << 1 | weak`): when no arc was dropped (the
/// usual case), the keys become the targets in place, so the graph's largest array is not
/// allocated, faulted in and written a second time.
fn compact_keys(
    mut raw: Vec<u32>,
    start: Vec<u64>,
    kept: &[u64],
) -> (Vec<u32>, Vec<TieClass>, Option<Vec<f32>>, Vec<u64>) {
    if kept.iter().sum::<u64>() as usize != raw.len() {
        return compact(&raw, &start, kept, |a| *a as u64, |_| 1.0, false);
    }
    // Nothing dropped: the blocks start where the offsets do (`start` is on huge pages, as
    // `compact` puts the offsets).
    let offsets = start;
    let ties = raw.par_iter().map(|&k| class_of_key(k as u64)).collect();
    raw.par_iter_mut().for_each(|k| *k >>= 1);
    (raw, ties, None, offsets)
}

/// Copies the kept arcs into the final arrays: targets, tie classes, weights (if `weighted`),
/// offsets. `key(arc)` is `target << 1 | weak`. Parallel over node ranges.
#[allow(clippy::type_complexity)]
fn compact<T: Sync>(
    raw: &[T],
    start: &[u64],
    kept: &[u64],
    key: impl Fn(&T) -> u64 + Sync,
    weight: impl Fn(&T) -> f32 + Sync,
    weighted: bool,
) -> (Vec<u32>, Vec<TieClass>, Option<Vec<f32>>, Vec<u64>) {
    let n = start.len() - 1;
    // Read at random by the engine (a node's arc range): on huge pages, like the targets.
    let mut offsets: Vec<u64> = crate::mem::zeroed(n + 1);
    let mut acc = 0u64;
    for (o, &k) in offsets[1..].iter_mut().zip(kept) {
        acc += k;
        *o = acc;
    }
    let arcs = acc as usize;
    if arcs == raw.len() {
        // Nothing was dropped (the usual case): the arcs are already in place; map them flat.
        // Targets are the engine's hottest random reads: on huge pages where available.
        let mut targets: Vec<u32> = crate::mem::zeroed(arcs);
        targets
            .par_iter_mut()
            .zip(raw.par_iter())
            .for_each(|(t, a)| *t = (key(a) >> 1) as u32);
        let ties = raw.par_iter().map(|a| class_of_key(key(a))).collect();
        let weights = weighted.then(|| raw.par_iter().map(&weight).collect());
        return (targets, ties, weights, offsets);
    }
    let mut targets: Vec<u32> = crate::mem::zeroed(arcs);
    let mut ties = vec![TieClass::Weak; arcs];
    let mut weights = vec![0f32; if weighted { arcs } else { 0 }];
    let ranges = node_ranges(&offsets);
    let t_parts = split_by_ranges(&mut targets, &offsets, &ranges);
    let c_parts = split_by_ranges(&mut ties, &offsets, &ranges);
    let w_parts = if weighted {
        split_by_ranges(&mut weights, &offsets, &ranges)
    } else {
        split_lengths(&mut weights, ranges.iter().map(|_| 0))
    };
    t_parts
        .into_par_iter()
        .zip(c_parts)
        .zip(w_parts)
        .zip(ranges.par_iter())
        .for_each(|(((t, c), w), &(lo, hi))| {
            let mut j = 0;
            for u in lo..hi {
                let s = start[u] as usize;
                for a in &raw[s..s + kept[u] as usize] {
                    let k = key(a);
                    t[j] = (k >> 1) as u32;
                    c[j] = class_of_key(k);
                    if weighted {
                        w[j] = weight(a);
                    }
                    j += 1;
                }
            }
        });
    (targets, ties, weighted.then_some(weights), offsets)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(n: usize, e: &[(u32, u32)]) -> EdgeList {
        EdgeList::from_pairs(n, e)
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

    /// Blocks already in order (a file sorted by its ends) skip the sort; those with a duplicate
    /// or out of order do not. Against the set of distinct pairs, for lists sorted, sorted with
    /// every edge twice (a duplicate next to its copy), and shuffled; a strong copy next to a
    /// weak one keeps the strong class.
    #[test]
    fn blocks_in_order_skip_the_sort_and_duplicates_still_go() {
        use std::collections::BTreeSet;
        let mut rng = crate::rng::stream(7, 0);
        let n = 60u32;
        let mut pairs: Vec<(u32, u32)> = (0..400)
            .map(|_| {
                (
                    crate::rng::below(&mut rng, n as u64) as u32,
                    crate::rng::below(&mut rng, n as u64) as u32,
                )
            })
            .filter(|(u, v)| u != v)
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        let twice: Vec<(u32, u32)> = pairs.iter().flat_map(|&e| [e, e]).collect();
        let mut shuffled = twice.clone();
        for i in (1..shuffled.len()).rev() {
            let j = crate::rng::below(&mut rng, i as u64 + 1) as usize;
            shuffled.swap(i, j);
        }
        for directed in [true, false] {
            let want: Vec<BTreeSet<u32>> = (0..n)
                .map(|u| {
                    pairs
                        .iter()
                        .filter_map(|&(a, b)| {
                            if a == u {
                                Some(b)
                            } else if !directed && b == u {
                                Some(a)
                            } else {
                                None
                            }
                        })
                        .collect()
                })
                .collect();
            for edges in [&pairs, &twice, &shuffled] {
                let g = Graph::from_edges(list(n as usize, edges), directed);
                check_invariants(&g);
                for u in 0..n {
                    let got: Vec<u32> = g.neighbors(u).to_vec();
                    let expect: Vec<u32> = want[u as usize].iter().copied().collect();
                    assert_eq!(got, expect, "node {u}, directed {directed}");
                }
            }
        }
        // In order by target, a weak copy before its strong twin: the strong one is kept.
        let mut e = list(3, &[(0, 1), (0, 1), (0, 2)]);
        e.ties = Some(vec![TieClass::Weak, TieClass::Strong, TieClass::Weak]);
        let g = Graph::from_edges(e, true);
        assert_eq!(g.neighbors(0), &[1, 2]);
        assert_eq!(g.ties()[g.find_arc(0, 1).unwrap()], TieClass::Strong);
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
        // No edge at all (a generator at p = 0): every list empty.
        for directed in [false, true] {
            let g = Graph::from_edges(list(5, &[]), directed);
            check_invariants(&g);
            assert_eq!((g.node_count(), g.arc_count()), (5, 0));
        }
    }

    /// An edge list with self-loops, duplicates, tie labels and weights, split at `cuts`.
    fn split(e: &EdgeList, cuts: &[usize]) -> Pieces {
        let bounds: Vec<usize> = std::iter::once(0)
            .chain(cuts.iter().copied())
            .chain(std::iter::once(e.src.len()))
            .collect();
        let part = |v: &Vec<u32>| -> Vec<Vec<u32>> {
            bounds.windows(2).map(|w| v[w[0]..w[1]].to_vec()).collect()
        };
        Pieces::new(part(&e.src), part(&e.dst))
    }

    #[test]
    fn a_list_in_pieces_builds_the_graph_the_whole_list_builds() {
        // Pieces of every size, empty ones too, with the threads' chunks cutting through them
        // (1, 3 and 4 threads: 1, 3 and 4 chunks): the graph, its tie classes, weights and counts
        // must be those of the list in one piece.
        let mut x = 12345u64;
        let mut next = |k: u64| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 33) % k
        };
        let m = 997;
        let pairs: Vec<(u32, u32)> = (0..m).map(|_| (next(60) as u32, next(60) as u32)).collect();
        let mut e = EdgeList::from_pairs(60, &pairs);
        e.ties = Some(
            (0..m)
                .map(|_| [TieClass::Strong, TieClass::Weak][next(2) as usize])
                .collect(),
        );
        let weights: Vec<f32> = (0..m).map(|_| next(100) as f32).collect();
        for directed in [false, true] {
            for weighted in [false, true] {
                let mut e = e.clone();
                e.weights = weighted.then(|| weights.clone());
                let whole = Graph::from_edges(e.clone(), directed);
                check_invariants(&whole);
                for cuts in [
                    vec![],
                    vec![0, 0, 1, 500, 500, 996],
                    vec![3, 250, 251, 700, 997],
                ] {
                    for threads in [1, 3, 4] {
                        let pool = rayon::ThreadPoolBuilder::new()
                            .num_threads(threads)
                            .build()
                            .unwrap();
                        let g = pool.install(|| {
                            Graph::from_pieces(
                                60,
                                split(&e, &cuts),
                                e.ties.clone(),
                                e.weights.clone(),
                                NodeIds::Range(60),
                                directed,
                            )
                        });
                        let at = format!(
                            "directed {directed}, weighted {weighted}, cuts {cuts:?}, {threads} threads"
                        );
                        assert_eq!(g.offsets, whole.offsets, "{at}");
                        assert_eq!(g.targets, whole.targets, "{at}");
                        assert_eq!(g.ties, whole.ties, "{at}");
                        assert_eq!(g.weights, whole.weights, "{at}");
                        assert_eq!(g.build_counts(), whole.build_counts(), "{at}");
                    }
                }
            }
        }
    }

    #[test]
    fn arcs_become_targets_in_place_as_they_are_copied_with_a_duplicate() {
        // Without a duplicate the arcs turn into the targets where they lie; with one they are
        // copied over (`compact`): both must give the same graph.
        let mut x = 99u64;
        let pairs: Vec<(u32, u32)> = (0..400)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((x >> 33) as u32 % 50, (x >> 13) as u32 % 50)
            })
            .filter(|(a, b)| a != b)
            .collect();
        let mut seen = std::collections::HashSet::new();
        let mut simple: Vec<(u32, u32)> = pairs
            .into_iter()
            .filter(|&(a, b)| seen.insert((a.min(b), a.max(b))))
            .collect();
        let weak = |e: &[(u32, u32)]| -> Vec<TieClass> {
            e.iter()
                .map(|&(a, b)| [TieClass::Strong, TieClass::Weak][((a + b) % 2) as usize])
                .collect()
        };
        let mut plain = list(50, &simple);
        plain.ties = Some(weak(&simple));
        let a = Graph::from_edges(plain, false);
        assert_eq!(a.build_counts().duplicates, 0);
        simple.push(simple[7]);
        let mut dup = list(50, &simple);
        dup.ties = Some(weak(&simple));
        let b = Graph::from_edges(dup, false);
        assert_eq!(b.build_counts().duplicates, 1);
        check_invariants(&a);
        assert_eq!(
            (&a.offsets, &a.targets, &a.ties),
            (&b.offsets, &b.targets, &b.ties)
        );
    }

    #[test]
    fn cursors_are_the_same_narrow_in_place_and_wide() {
        let mut x = 7u64;
        let mut deg = |n: usize| -> Vec<u32> {
            (0..n)
                .map(|_| {
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    (x >> 60) as u32
                })
                .collect()
        };
        for (n, chunks, threads) in [(0, 2, 2), (1, 1, 1), (1000, 3, 3), (77, 4, 2), (5, 2, 4)] {
            let counts: Vec<(Vec<u32>, u64)> = (0..chunks).map(|_| (deg(n), 0)).collect();
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let (s1, narrow) = pool.install(|| cursors(&mut counts.clone(), n));
            let (s2, wide) = pool.install(|| cursors_narrow_below(&mut counts.clone(), n, 0));
            let (Cursors::Narrow(narrow), Cursors::Wide(wide)) = (narrow, wide) else {
                panic!("n = {n}: both cursor widths");
            };
            assert_eq!(s1, s2, "n = {n}");
            let widened: Vec<Vec<u64>> = narrow
                .iter()
                .map(|c| c.iter().map(|&x| x as u64).collect())
                .collect();
            assert_eq!(widened, wide, "n = {n}");
            // Each chunk's cursor sits after the earlier chunks' arcs of the same node.
            let mut acc = 0u64;
            for u in 0..n {
                assert_eq!(s1[u], acc);
                for (c, (d, _)) in counts.iter().enumerate() {
                    assert_eq!(wide[c][u], acc);
                    acc += d[u] as u64;
                }
            }
            assert_eq!(s1[n], acc);
        }
    }

    #[test]
    fn pieces_give_back_any_range_of_the_list() {
        let e = EdgeList::from_pairs(9, &(0..9).map(|i| (i, i + 1)).collect::<Vec<_>>());
        let p = split(&e, &[0, 2, 2, 5, 9]);
        assert_eq!(p.len(), 9);
        for lo in 0..=9 {
            for hi in lo..=9 {
                let mut got = Vec::new();
                for (first, s, d) in p.range(lo, hi) {
                    assert_eq!(s.len(), d.len());
                    for k in 0..s.len() {
                        assert_eq!((s[k], d[k]), (e.src[first + k], e.dst[first + k]));
                        got.push(first + k);
                    }
                }
                assert_eq!(got, (lo..hi).collect::<Vec<_>>(), "{lo}..{hi}");
            }
        }
        assert_eq!(p.concat(), (e.src.clone(), e.dst.clone()));
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

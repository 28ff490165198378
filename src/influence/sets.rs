//! RR sets stored flat, sampled in parallel pieces joined in order, and their coverage.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::iter::Either;
use rayon::prelude::*;

use super::rr::{Sampler, Scratch};
use crate::rng;

/// Sets sampled by [`RrSets::draw`], not yet added: per piece of consecutive streams, its sets of
/// two nodes or more (nodes, lengths) and its one-node sets.
pub(crate) struct Drawn {
    from: usize,
    pieces: Vec<Piece>,
}

/// A piece of consecutive streams' sets: nodes of its sets of two or more, their lengths, its
/// one-node sets.
type Piece = (Vec<u32>, Vec<u32>, Vec<u32>);

/// RR sets, flat. Sets of two nodes or more: set `i` is `nodes[starts[i]..starts[i + 1]]`; sets of
/// one node (most of them when chances are small: the root alone) are that node in `single`, with
/// no offset. One collection holds fewer than 2^32 sets and entries (`grow` refuses more), so
/// offsets, like node and set ids, are `u32`. Coverage does not depend on the sets' order, so the
/// two kinds are kept apart.
///
/// A collection that is only ever read in order (the checking one: its coverage by a seed list)
/// keeps a length byte per set instead of an offset ([`Lengths`]); `starts` then stays `[0]`.
pub(crate) struct RrSets {
    pub(crate) starts: Vec<u32>,
    pub(crate) nodes: Vec<u32>,
    pub(crate) single: Vec<u32>,
    lengths: Option<Lengths>,
    /// The user seed and the stream family the sets come from (set `i` from stream `family + i`).
    seed: u64,
    family: u64,
}

/// Sets of two nodes or more read in order: a byte per set holds its length, or 255 when the
/// length is in `long`; every [`MARK`] sets a mark says where the set begins in `nodes` and in
/// `long`, so that the sets can be read in parallel pieces.
#[derive(Default)]
struct Lengths {
    len: Vec<u8>,
    long: Vec<u32>,
    marks: Vec<(u32, u32)>,
}

const MARK: usize = 1024;

impl Lengths {
    /// Appends the length of a set beginning at `at` in `nodes`.
    fn push(&mut self, at: u32, l: u32) {
        if self.len.len().is_multiple_of(MARK) {
            self.marks.push((at, self.long.len() as u32));
        }
        if l < 255 {
            self.len.push(l as u8);
        } else {
            self.len.push(255);
            self.long.push(l);
        }
    }

    /// The sets from `MARK * m` on, up to `MARK` of them, as slices of `nodes`.
    fn piece<'a>(&'a self, nodes: &'a [u32], m: usize) -> impl Iterator<Item = &'a [u32]> + 'a {
        let (mut at, mut long) = (self.marks[m].0 as usize, self.marks[m].1 as usize);
        let end = (MARK * (m + 1)).min(self.len.len());
        self.len[MARK * m..end].iter().map(move |&b| {
            let l = if b < 255 {
                b as usize
            } else {
                long += 1;
                self.long[long - 1] as usize
            };
            at += l;
            &nodes[at - l..at]
        })
    }

    fn bytes(&self) -> usize {
        self.len.len() + self.long.len() * 4 + self.marks.len() * 8
    }
}

/// At most this many sets per piece of parallel work. Pieces are joined in order and set `i` draws
/// only from its own stream, so the sets are the same however the work is cut; a round of few
/// sets (large ones, when the spread is large) is cut finer so that every thread gets some.
const CHUNK: u64 = 1024;

impl RrSets {
    pub(crate) fn new(seed: u64, family: u64) -> RrSets {
        RrSets {
            starts: vec![0],
            nodes: Vec::new(),
            single: Vec::new(),
            lengths: None,
            seed,
            family,
        }
    }

    /// A collection read only in order: a length byte per set instead of a 4-byte offset;
    /// [`RrSets::set`] is not available.
    pub(crate) fn in_order(seed: u64, family: u64) -> RrSets {
        RrSets {
            lengths: Some(Lengths::default()),
            ..RrSets::new(seed, family)
        }
    }

    /// Sets drawn, of both kinds.
    pub(crate) fn len(&self) -> usize {
        self.multi() + self.single.len()
    }

    /// Sets of two nodes or more.
    pub(crate) fn multi(&self) -> usize {
        match &self.lengths {
            Some(l) => l.len.len(),
            None => self.starts.len() - 1,
        }
    }

    /// Set `i` of two nodes or more (not in a collection read only in order).
    pub(crate) fn set(&self, i: usize) -> &[u32] {
        debug_assert!(self.lengths.is_none());
        &self.nodes[self.starts[i] as usize..self.starts[i + 1] as usize]
    }

    /// The sets of two nodes or more, in parallel pieces.
    fn multi_par(&self) -> impl ParallelIterator<Item = &[u32]> {
        let pieces = match &self.lengths {
            Some(l) => l.marks.len(),
            None => self.multi().div_ceil(MARK),
        };
        (0..pieces)
            .into_par_iter()
            .flat_map_iter(move |m| match &self.lengths {
                Some(l) => Either::Left(l.piece(&self.nodes, m)),
                None => Either::Right(
                    (MARK * m..(MARK * (m + 1)).min(self.multi())).map(|i| self.set(i)),
                ),
            })
    }

    /// Every set: those of two nodes or more, then those of one.
    #[cfg(test)]
    pub(crate) fn all(&self) -> Vec<&[u32]> {
        let mut out: Vec<&[u32]> = self.multi_par().collect();
        out.extend(self.single.iter().map(std::slice::from_ref));
        out
    }

    /// Nodes in sets, counted with repetition.
    pub(crate) fn entries(&self) -> usize {
        self.nodes.len() + self.single.len()
    }

    /// Bytes held: 4 per entry, and 4 per set of two nodes or more (about 1 when read in order).
    pub(crate) fn bytes(&self) -> usize {
        (self.nodes.len() + self.single.len() + self.starts.len()) * 4
            + self.lengths.as_ref().map_or(0, Lengths::bytes)
    }

    /// Samples sets until there are `total`, in parallel; set `i` draws only from its own stream.
    /// False, with nothing added, when the collection would pass 2^32 entries.
    #[must_use]
    pub(crate) fn grow(
        &mut self,
        sampler: &Sampler,
        pool: &Mutex<Vec<Scratch>>,
        total: usize,
    ) -> bool {
        if total <= self.len() {
            return true;
        }
        if total > u32::MAX as usize {
            return false;
        }
        match self.draw(sampler, pool, total, &AtomicBool::new(false)) {
            Some(drawn) => self.append(drawn),
            None => true, // stopped by a cancel: the caller's next check fails the selection
        }
    }

    /// The sets from this collection's end up to `total` (at most 2^32), sampled in parallel
    /// without adding them (see [`RrSets::append`]); `None` if `stop` was raised (or a cancel
    /// asked for) before they were all made.
    pub(crate) fn draw(
        &self,
        sampler: &Sampler,
        pool: &Mutex<Vec<Scratch>>,
        total: usize,
        stop: &AtomicBool,
    ) -> Option<Drawn> {
        let from = self.len() as u64;
        let to = (total as u64).min(u32::MAX as u64).max(from);
        let (seed, family) = (self.seed, self.family);
        let pieces_wanted = 8 * rayon::current_num_threads() as u64;
        let chunk = (to - from).div_ceil(pieces_wanted).clamp(1, CHUNK);
        let pieces: Vec<Option<Piece>> = (from..to)
            .step_by(chunk as usize)
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|lo| {
                let hi = (lo + chunk).min(to);
                let mut s = pool
                    .lock()
                    .ok()
                    .and_then(|mut p| p.pop())
                    .unwrap_or_else(|| Scratch::new(sampler.n, sampler.timed()));
                let (mut nodes, mut lens, mut single) = (Vec::new(), Vec::new(), Vec::new());
                let mut whole = true;
                for i in lo..hi {
                    if crate::cancel::requested() || stop.load(Ordering::Relaxed) {
                        whole = false;
                        break;
                    }
                    let mut rng = rng::stream(seed, family + i);
                    let before = nodes.len();
                    sampler.sample(&mut rng, &mut s, &mut nodes);
                    let len = nodes.len() - before;
                    if len == 1 {
                        single.extend(nodes.pop());
                    } else {
                        lens.push(len as u32);
                    }
                }
                if let Ok(mut p) = pool.lock() {
                    p.push(s);
                }
                whole.then_some((nodes, lens, single))
            })
            .collect();
        Some(Drawn {
            from: from as usize,
            pieces: pieces.into_iter().collect::<Option<Vec<_>>>()?,
        })
    }

    /// Adds sets made by [`RrSets::draw`] from this collection's present end. False, with nothing
    /// added, when the collection would pass 2^32 entries (or the sets were drawn from another
    /// end).
    #[must_use]
    pub(crate) fn append(&mut self, drawn: Drawn) -> bool {
        if drawn.from != self.len() {
            return false;
        }
        let pieces = drawn.pieces;
        let extra: usize = pieces.iter().map(|p| p.0.len()).sum();
        let (sets, singles) = pieces
            .iter()
            .fold((0, 0), |(a, b), p| (a + p.1.len(), b + p.2.len()));
        if self.nodes.len() + extra > u32::MAX as usize
            || self.single.len() + singles > u32::MAX as usize
        {
            return false;
        }
        self.nodes.reserve_exact(extra);
        match &mut self.lengths {
            Some(l) => l.len.reserve_exact(sets),
            None => self.starts.reserve_exact(sets),
        }
        self.single.reserve_exact(singles);
        for (nodes, lens, single) in pieces {
            let mut at = self.nodes.len() as u32;
            for l in lens {
                match &mut self.lengths {
                    Some(ls) => ls.push(at, l),
                    None => self.starts.push(at + l),
                }
                at += l;
            }
            self.nodes.extend_from_slice(&nodes);
            self.single.extend_from_slice(&single);
        }
        true
    }

    /// How many sets hold at least one of `seeds`, and for each prefix of `seeds` how many sets
    /// its first node in that order covers first (`first[i]`: sets whose earliest seed is the
    /// i-th).
    pub(crate) fn coverage_by_rank(&self, n: usize, seeds: &[u32]) -> Vec<u64> {
        // Each seed's rank: a table over the graph when it is small beside the entries (at most
        // a byte per entry), else a binary search among the seeds.
        let table = n <= self.entries() / 4;
        let mut rank = Vec::new();
        let mut sorted: Vec<(u32, u32)> = Vec::new();
        if table {
            rank = vec![u32::MAX; n];
            for (r, &u) in seeds.iter().enumerate() {
                rank[u as usize] = rank[u as usize].min(r as u32);
            }
        } else {
            sorted = seeds
                .iter()
                .enumerate()
                .map(|(r, &u)| (u, r as u32))
                .collect();
            sorted.sort_unstable();
            sorted.dedup_by_key(|p| p.0); // a repeated seed keeps its first rank
        }
        let rank_of = |u: u32| {
            if table {
                rank[u as usize]
            } else {
                sorted
                    .binary_search_by_key(&u, |p| p.0)
                    .map_or(u32::MAX, |i| sorted[i].1)
            }
        };
        let add = |mut acc: Vec<u64>, best: u32| {
            if best != u32::MAX {
                acc[best as usize] += 1;
            }
            acc
        };
        let firsts: Vec<u64> = self
            .multi_par()
            .map(|set| set.iter().map(|&u| rank_of(u)).min().unwrap_or(u32::MAX))
            .chain(self.single.par_iter().map(|&u| rank_of(u)))
            .fold(|| vec![0u64; seeds.len()], add)
            .reduce(
                || vec![0u64; seeds.len()],
                |mut a, b| {
                    for (x, y) in a.iter_mut().zip(b) {
                        *x += y;
                    }
                    a
                },
            );
        firsts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cascade::{Delay, Model};
    use crate::graph::{EdgeList, Graph};
    use crate::influence::rr::Sampler;

    #[test]
    fn sets_read_in_order_are_the_sets_with_offsets() {
        // A path with sure arcs and no deadline: the RR set of node r is 0..=r, so lengths run
        // from 1 to 600 (past the 255 of a length byte), over several marks of 1,024 sets; at
        // p = 0.3 most sets hold one or two nodes.
        let n = 600u32;
        let pairs: Vec<(u32, u32)> = (0..n - 1).map(|i| (i, i + 1)).collect();
        let g = Graph::from_edges(EdgeList::from_pairs(n as usize, &pairs), true);
        for p in [1.0, 0.3] {
            let model = Model::uniform(p, Delay::Exp { mean: 1.0 });
            let sampler = Sampler::new(&g, &model).unwrap();
            let pool = Mutex::new(Vec::new());
            let (mut a, mut b) = (RrSets::new(3, 0), RrSets::in_order(3, 0));
            // Grown in two steps, as the doubling rounds do.
            for total in [1_500, 3_100] {
                assert!(a.grow(&sampler, &pool, total) && b.grow(&sampler, &pool, total));
            }
            assert_eq!((a.len(), a.entries()), (b.len(), b.entries()));
            assert_eq!(a.all(), b.all());
            if p == 1.0 {
                assert!(a.all().iter().any(|s| s.len() > 255));
                assert!(b.bytes() < a.bytes());
            }
            for seeds in [vec![0u32], vec![599, 3, 300], vec![10, 10, 20]] {
                assert_eq!(
                    a.coverage_by_rank(n as usize, &seeds),
                    b.coverage_by_rank(n as usize, &seeds)
                );
            }
        }
    }

    /// Sets drawn ahead (as the selection draws the next round's during the greedy) and added
    /// later are the sets grown in place; a draw stopped before it ends gives nothing, and sets
    /// drawn from another end are refused.
    #[test]
    fn sets_drawn_ahead_then_added_are_the_sets_grown() {
        let n = 300u32;
        let pairs: Vec<(u32, u32)> = (0..n - 1)
            .flat_map(|i| [(i, i + 1), (i, (i * 7 + 3) % n)])
            .filter(|(u, v)| u != v)
            .collect();
        let g = Graph::from_edges(EdgeList::from_pairs(n as usize, &pairs), true);
        let model = Model::uniform(0.4, Delay::Exp { mean: 1.0 });
        let sampler = Sampler::new(&g, &model).unwrap();
        let pool = Mutex::new(Vec::new());
        for in_order in [false, true] {
            let make = || {
                if in_order {
                    RrSets::in_order(5, 7)
                } else {
                    RrSets::new(5, 7)
                }
            };
            let (mut grown, mut ahead) = (make(), make());
            assert!(grown.grow(&sampler, &pool, 1_000) && grown.grow(&sampler, &pool, 2_500));
            assert!(ahead.grow(&sampler, &pool, 1_000));
            let go = AtomicBool::new(false);
            let drawn = ahead
                .draw(&sampler, &pool, 2_500, &go)
                .expect("not stopped");
            // Not added yet: the collection is as it was.
            assert_eq!(ahead.len(), 1_000);
            assert!(ahead.append(drawn));
            assert_eq!(
                (ahead.len(), ahead.entries()),
                (grown.len(), grown.entries())
            );
            assert_eq!(ahead.all(), grown.all());
            let seeds = [4u32, 150, 299];
            assert_eq!(
                ahead.coverage_by_rank(n as usize, &seeds),
                grown.coverage_by_rank(n as usize, &seeds)
            );
            // Stopped: nothing comes back.
            assert!(
                ahead
                    .draw(&sampler, &pool, 4_000, &AtomicBool::new(true))
                    .is_none()
            );
            // Drawn from 2,500, offered to a collection of 1,000: refused, nothing added.
            let mut short = make();
            assert!(short.grow(&sampler, &pool, 1_000));
            let late = ahead.draw(&sampler, &pool, 3_000, &go).unwrap();
            assert!(!short.append(late));
            assert_eq!(short.len(), 1_000);
        }
    }
}

//! RR sets stored flat, sampled in parallel pieces joined in order, and their coverage.

use std::sync::Mutex;

use rayon::prelude::*;

use super::rr::{Sampler, Scratch};
use crate::rng;

/// RR sets, flat. Sets of two nodes or more: set `i` is `nodes[starts[i]..starts[i + 1]]`; sets of
/// one node (most of them when chances are small: the root alone) are that node in `single`, with
/// no offset. One collection holds fewer than 2^32 sets and entries (`grow` refuses more), so
/// offsets, like node and set ids, are `u32`. Coverage does not depend on the sets' order, so the
/// two kinds are kept apart.
pub(crate) struct RrSets {
    pub(crate) starts: Vec<u32>,
    pub(crate) nodes: Vec<u32>,
    pub(crate) single: Vec<u32>,
    /// The user seed and the stream family the sets come from (set `i` from stream `family + i`).
    seed: u64,
    family: u64,
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
            seed,
            family,
        }
    }

    /// Sets drawn, of both kinds.
    pub(crate) fn len(&self) -> usize {
        self.multi() + self.single.len()
    }

    /// Sets of two nodes or more.
    pub(crate) fn multi(&self) -> usize {
        self.starts.len() - 1
    }

    /// Set `i` of two nodes or more.
    pub(crate) fn set(&self, i: usize) -> &[u32] {
        &self.nodes[self.starts[i] as usize..self.starts[i + 1] as usize]
    }

    /// Every set: those of two nodes or more, then those of one.
    #[cfg(test)]
    pub(crate) fn all(&self) -> impl Iterator<Item = &[u32]> {
        (0..self.multi())
            .map(|i| self.set(i))
            .chain(self.single.iter().map(std::slice::from_ref))
    }

    /// Nodes in sets, counted with repetition.
    pub(crate) fn entries(&self) -> usize {
        self.nodes.len() + self.single.len()
    }

    /// Bytes held: 4 per entry, and 4 per set of two nodes or more.
    pub(crate) fn bytes(&self) -> usize {
        (self.nodes.len() + self.single.len() + self.starts.len()) * 4
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
        let from = self.len() as u64;
        let to = total as u64;
        if to <= from {
            return true;
        }
        if total > u32::MAX as usize {
            return false;
        }
        let (seed, family) = (self.seed, self.family);
        let pieces_wanted = 8 * rayon::current_num_threads() as u64;
        let chunk = (to - from).div_ceil(pieces_wanted).clamp(1, CHUNK);
        let pieces: Vec<(Vec<u32>, Vec<u32>, Vec<u32>)> = (from..to)
            .step_by(chunk as usize)
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|lo| {
                let hi = (lo + chunk).min(to);
                let mut s = pool
                    .lock()
                    .ok()
                    .and_then(|mut p| p.pop())
                    .unwrap_or_else(|| Scratch::new(sampler.n));
                let (mut nodes, mut lens, mut single) = (Vec::new(), Vec::new(), Vec::new());
                for i in lo..hi {
                    if crate::cancel::requested() {
                        break; // the caller's next check fails the selection
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
                (nodes, lens, single)
            })
            .collect();
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
        self.starts.reserve_exact(sets);
        self.single.reserve_exact(singles);
        for (nodes, lens, single) in pieces {
            let mut at = *self.starts.last().expect("starts begins with 0");
            for l in lens {
                at += l;
                self.starts.push(at);
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
        let firsts: Vec<u64> = (0..self.multi())
            .into_par_iter()
            .map(|i| {
                self.set(i)
                    .iter()
                    .map(|&u| rank_of(u))
                    .min()
                    .unwrap_or(u32::MAX)
            })
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

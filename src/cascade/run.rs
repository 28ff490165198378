//! One time-resolved IC run on reusable buffers.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rand::Rng as _;

use super::model::{ArcProbs, Prepared};
use crate::graph::Graph;
use crate::rng::Rng;

/// Per-thread buffers, reused across runs. Nothing here is cleared in O(n) between runs: a node's
/// entries count only when its stamp equals the current run's epoch.
pub struct Scratch {
    /// Best landing time found so far, valid when `seen[v] == epoch`.
    best: Vec<f64>,
    seen: Vec<u32>,
    /// `done[v] == epoch` once `v` has adopted in this run.
    done: Vec<u32>,
    epoch: u32,
    /// Min-heap on (time bits, node): non-negative f64 bit patterns order like the numbers.
    heap: BinaryHeap<Reverse<(u64, u32)>>,
    /// Adoption times of this run, in increasing order (Dijkstra settles in time order).
    pub(crate) times: Vec<f64>,
    /// Arcs examined (attempts made) in this run.
    pub(crate) attempts: u64,
}

impl Scratch {
    /// Buffers for a graph of `n` nodes.
    pub fn new(n: usize) -> Scratch {
        Scratch {
            best: vec![0.0; n],
            seen: vec![0; n],
            done: vec![0; n],
            epoch: 0,
            heap: BinaryHeap::new(),
            times: Vec::new(),
            attempts: 0,
        }
    }

    fn next_epoch(&mut self) {
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            // After 2^32 - 1 runs the stamps wrap: clear once, then start again at 1.
            self.seen.fill(0);
            self.done.fill(0);
            self.epoch = 1;
        }
        self.heap.clear();
        self.times.clear();
        self.attempts = 0;
    }

    /// Adoption times of the last run, sorted increasingly.
    pub fn adoption_times(&self) -> &[f64] {
        &self.times
    }
}

/// Runs one cascade from `seeds` with random stream `rng`; the adoption times land in
/// `scratch.times`, sorted.
///
/// Each adopter draws one coin per out-arc, in arc order, before looking at the target (so the
/// stream of draws does not depend on the state of the target), then a delay for each successful
/// attempt on a target that has not adopted yet. Complexity: O(arcs of adopters + live arcs × log n).
pub(crate) fn run(
    graph: &Graph,
    model: &Prepared,
    seeds: &[(u32, f64)],
    rng: &mut Rng,
    s: &mut Scratch,
) {
    s.next_epoch();
    let epoch = s.epoch;
    let horizon = model.horizon;
    for &(u, t) in seeds {
        if t <= horizon {
            let ui = u as usize;
            if s.seen[ui] != epoch || t < s.best[ui] {
                s.seen[ui] = epoch;
                s.best[ui] = t;
                s.heap.push(Reverse((t.to_bits(), u)));
            }
        }
    }
    let offsets = graph.offsets();
    let targets = graph.targets();
    let ties = graph.ties();
    while let Some(Reverse((bits, u))) = s.heap.pop() {
        let ui = u as usize;
        if s.done[ui] == epoch {
            continue;
        }
        let t = f64::from_bits(bits);
        s.done[ui] = epoch;
        s.times.push(t);
        let (a, b) = (offsets[ui] as usize, offsets[ui + 1] as usize);
        s.attempts += (b - a) as u64;
        for i in a..b {
            let draw = rng.next_u64() >> 11;
            let thr = match &model.probs {
                ArcProbs::PerClass(c) => c[ties[i].index()],
                ArcProbs::PerArc(v) => v[i],
            };
            if draw >= thr {
                continue;
            }
            let v = targets[i] as usize;
            if s.done[v] == epoch {
                continue;
            }
            let land = t + model.delays[ties[i].index()].sample(rng);
            if land > horizon {
                continue;
            }
            if s.seen[v] != epoch || land < s.best[v] {
                s.seen[v] = epoch;
                s.best[v] = land;
                s.heap.push(Reverse((land.to_bits(), v as u32)));
            }
        }
    }
}

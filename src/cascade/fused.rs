//! Sixty-four runs at once ("fused" sampling, after the bit-parallel Monte Carlo of Ripples/FuseIM).
//!
//! When every delay is the same fixed time and every seed starts at the same hour, a run is a
//! breadth-first search in rounds. Here 64 runs (lanes) share one search: a node's 64-bit mask says
//! in which lanes it has adopted, and the node's neighbour list is read once for all the lanes that
//! reached it in the same round, instead of once per run. Each (arc, lane) pair gets its own coin,
//! drawn once, when the arc's source adopts in that lane, so every lane is an exact independent
//! cascade; lanes differ from the scalar path's runs only in which random numbers they use. The
//! statistical equality of the two paths is tested in `tests/it/engine.rs`.

use rand::Rng as _;

use super::model::Prepared;
use crate::graph::Graph;
use crate::rng::Rng;

/// Per-thread buffers for fused batches.
pub struct FusedScratch {
    active: Vec<u64>,
    pending: Vec<u64>,
    touched: Vec<u32>,
    frontier: Vec<(u32, u64)>,
    next: Vec<u32>,
    /// `rounds[r][lane]`: adoptions in round `r` of lane `lane`.
    pub(crate) rounds: Vec<[u32; 64]>,
    /// Arcs examined per lane.
    pub(crate) attempts: [u64; 64],
    /// Adoption times of one lane, rebuilt by [`FusedScratch::lane_times`].
    times: Vec<f64>,
}

impl FusedScratch {
    pub fn new(n: usize) -> FusedScratch {
        FusedScratch {
            active: vec![0; n],
            pending: vec![0; n],
            touched: Vec::new(),
            frontier: Vec::new(),
            next: Vec::new(),
            rounds: Vec::new(),
            attempts: [0; 64],
            times: Vec::new(),
        }
    }

    /// The sorted adoption times of `lane` in the last batch: round `r` lands at `start + r·delay`.
    pub(crate) fn lane_times(&mut self, lane: usize, start: f64, delay: f64) -> &[f64] {
        self.times.clear();
        for (r, counts) in self.rounds.iter().enumerate() {
            let t = start + r as f64 * delay;
            self.times
                .extend(std::iter::repeat_n(t, counts[lane] as usize));
        }
        &self.times
    }
}

#[inline]
fn count_lanes(row: &mut [u32; 64], mut mask: u64) {
    while mask != 0 {
        row[mask.trailing_zeros() as usize] += 1;
        mask &= mask - 1;
    }
}

/// Runs the lanes in `lanes` (a mask; bit `l` = lane `l`) from `seeds`, all starting at `start`,
/// every delay `delay` hours, up to the model's horizon. Results: `s.rounds`, `s.attempts`.
pub(crate) fn run_batch(
    graph: &Graph,
    model: &Prepared,
    seeds: &[(u32, f64)],
    start: f64,
    delay: f64,
    lanes: u64,
    rng: &mut Rng,
    s: &mut FusedScratch,
) {
    s.rounds.clear();
    s.attempts = [0; 64];
    s.frontier.clear();
    let horizon = model.horizon;
    if start > horizon {
        return;
    }
    let offsets = graph.offsets();
    let targets = graph.targets();
    let ties = graph.ties();
    s.rounds.push([0; 64]);
    for &(u, _) in seeds {
        let ui = u as usize;
        if s.active[ui] == 0 {
            s.touched.push(u);
            s.active[ui] = lanes;
            s.next.push(u);
            count_lanes(&mut s.rounds[0], lanes);
        }
    }
    let mut round = 0usize;
    while !s.next.is_empty() {
        // Take this round's nodes and their new lanes, in node order (for memory locality), before
        // touching the masks of the next round.
        s.next.sort_unstable();
        s.frontier.clear();
        for &u in &s.next {
            let ui = u as usize;
            let m = if round == 0 {
                s.active[ui]
            } else {
                std::mem::take(&mut s.pending[ui])
            };
            s.frontier.push((u, m));
        }
        s.next.clear();
        let land = start + (round + 1) as f64 * delay;
        let open = land <= horizon;
        if open {
            s.rounds.push([0; 64]);
        }
        for k in 0..s.frontier.len() {
            let (u, m) = s.frontier[k];
            let ui = u as usize;
            let (a, b) = (offsets[ui] as usize, offsets[ui + 1] as usize);
            let deg = (b - a) as u64;
            let mut bits = m;
            while bits != 0 {
                s.attempts[bits.trailing_zeros() as usize] += deg;
                bits &= bits - 1;
            }
            if !open {
                // Whatever the coins say, nothing lands before the horizon.
                continue;
            }
            for i in a..b {
                let thr = model.threshold(ties, i);
                // One coin per lane in which the source has just adopted.
                let mut live = 0u64;
                let mut bits = m;
                while bits != 0 {
                    let l = bits.trailing_zeros();
                    bits &= bits - 1;
                    if rng.next_u64() >> 11 < thr {
                        live |= 1 << l;
                    }
                }
                if live == 0 {
                    continue;
                }
                let v = targets[i] as usize;
                let new = live & !s.active[v];
                if new == 0 {
                    continue;
                }
                if s.active[v] == 0 {
                    s.touched.push(v as u32);
                }
                s.active[v] |= new;
                if s.pending[v] == 0 {
                    s.next.push(v as u32);
                }
                s.pending[v] |= new;
                count_lanes(&mut s.rounds[round + 1], new);
            }
        }
        round += 1;
    }
    for &u in &s.touched {
        s.active[u as usize] = 0;
        s.pending[u as usize] = 0;
    }
    s.touched.clear();
}

//! One time-resolved IC run on reusable buffers.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rand::Rng as _;

use super::model::Prepared;
use crate::graph::Graph;
use crate::rng::Rng;

/// Per-thread buffers, reused across runs. Nothing here is cleared in O(n) between runs: a node's
/// entries count only when its stamp equals the current run's epoch.
pub struct Scratch {
    /// Per-node state, one 16-byte record so that a visit costs one cache miss, not three.
    nodes: Vec<NodeState>,
    epoch: u32,
    /// FIFO frontier for the breadth-first path (every delay the same fixed number of hours).
    queue: std::collections::VecDeque<(u32, f64)>,
    /// Min-heap on (time bits, node): non-negative f64 bit patterns order like the numbers.
    heap: BinaryHeap<Reverse<(u64, u32)>>,
    /// Adoption times of this run, in increasing order (Dijkstra settles in time order).
    pub(crate) times: Vec<f64>,
    /// Arcs examined (attempts made) in this run.
    pub(crate) attempts: u64,
}

/// What a run knows about one node. Fields count only when their stamp equals the run's epoch.
#[derive(Copy, Clone, Default)]
struct NodeState {
    /// Best landing time found so far, valid when `seen == epoch`.
    best: f64,
    seen: u32,
    /// `done == epoch` once the node has adopted in this run.
    done: u32,
}

impl Scratch {
    /// Buffers for a graph of `n` nodes.
    pub fn new(n: usize) -> Scratch {
        Scratch {
            nodes: vec![NodeState::default(); n],
            epoch: 0,
            queue: std::collections::VecDeque::new(),
            heap: BinaryHeap::new(),
            times: Vec::new(),
            attempts: 0,
        }
    }

    fn next_epoch(&mut self) {
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            // After 2^32 - 1 runs the stamps wrap: clear once, then start again at 1.
            self.nodes.fill(NodeState::default());
            self.epoch = 1;
        }
        self.heap.clear();
        self.queue.clear();
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
/// attempt on a target that has not adopted yet. Complexity: O(arcs of adopters + live arcs × log n);
/// when every delay is the same fixed number of hours, a FIFO replaces the heap (breadth-first
/// search is Dijkstra with equal weights) and the log factor goes.
pub(crate) fn run(
    graph: &Graph,
    model: &Prepared,
    seeds: &[(u32, f64)],
    rng: &mut Rng,
    s: &mut Scratch,
) {
    s.next_epoch();
    match model.uniform_fixed_delay() {
        Some(d) if seeds.iter().all(|&(_, t)| t == seeds[0].1) => {
            run_bfs(graph, model, seeds, d, rng, s)
        }
        _ => run_dijkstra(graph, model, seeds, rng, s),
    }
}

/// Breadth-first cascade when every delay is `d` hours and every seed starts at the same hour:
/// nodes adopt in rounds, round `k` at `start + k·d`.
fn run_bfs(
    graph: &Graph,
    model: &Prepared,
    seeds: &[(u32, f64)],
    d: f64,
    rng: &mut Rng,
    s: &mut Scratch,
) {
    let epoch = s.epoch;
    let horizon = model.horizon;
    for &(u, t) in seeds {
        let st = &mut s.nodes[u as usize];
        if t <= horizon && st.done != epoch {
            st.done = epoch;
            s.queue.push_back((u, t));
        }
    }
    let offsets = graph.offsets();
    let targets = graph.targets();
    let ties = graph.ties();
    let skipper = model.skipper();
    while let Some((u, t)) = s.queue.pop_front() {
        s.times.push(t);
        let land = t + d;
        let ui = u as usize;
        let (a, b) = (offsets[ui] as usize, offsets[ui + 1] as usize);
        s.attempts += (b - a) as u64;
        if let Some(sk) = &skipper {
            if land > horizon {
                continue;
            }
            let (nodes, queue) = (&mut s.nodes, &mut s.queue);
            sk.for_each_success(rng, ties, a, b, |i, _| {
                let v = targets[i];
                let st = &mut nodes[v as usize];
                if st.done != epoch {
                    st.done = epoch;
                    queue.push_back((v, land));
                }
            });
            continue;
        }
        for i in a..b {
            let draw = rng.next_u64() >> 11;
            if draw >= model.threshold(ties, i) {
                continue;
            }
            let v = targets[i];
            let st = &mut s.nodes[v as usize];
            if st.done != epoch && land <= horizon {
                st.done = epoch;
                s.queue.push_back((v, land));
            }
        }
    }
}

fn run_dijkstra(
    graph: &Graph,
    model: &Prepared,
    seeds: &[(u32, f64)],
    rng: &mut Rng,
    s: &mut Scratch,
) {
    let epoch = s.epoch;
    let horizon = model.horizon;
    for &(u, t) in seeds {
        if t <= horizon {
            let st = &mut s.nodes[u as usize];
            if st.seen != epoch || t < st.best {
                st.seen = epoch;
                st.best = t;
                s.heap.push(Reverse((t.to_bits(), u)));
            }
        }
    }
    let offsets = graph.offsets();
    let targets = graph.targets();
    let ties = graph.ties();
    let skipper = model.skipper();
    while let Some(Reverse((bits, u))) = s.heap.pop() {
        let ui = u as usize;
        if s.nodes[ui].done == epoch {
            continue;
        }
        let t = f64::from_bits(bits);
        s.nodes[ui].done = epoch;
        s.times.push(t);
        let (a, b) = (offsets[ui] as usize, offsets[ui + 1] as usize);
        s.attempts += (b - a) as u64;
        if let Some(sk) = &skipper {
            let (nodes, heap) = (&mut s.nodes, &mut s.heap);
            sk.for_each_success(rng, ties, a, b, |i, rng| {
                let v = targets[i] as usize;
                if nodes[v].done == epoch {
                    return;
                }
                let land = t + model.delays[ties[i].index()].sample(rng);
                if land > horizon {
                    return;
                }
                let st = &mut nodes[v];
                if st.seen != epoch || land < st.best {
                    st.seen = epoch;
                    st.best = land;
                    heap.push(Reverse((land.to_bits(), v as u32)));
                }
            });
            continue;
        }
        for i in a..b {
            let draw = rng.next_u64() >> 11;
            if draw >= model.threshold(ties, i) {
                continue;
            }
            let v = targets[i] as usize;
            if s.nodes[v].done == epoch {
                continue;
            }
            let land = t + model.delays[ties[i].index()].sample(rng);
            if land > horizon {
                continue;
            }
            let st = &mut s.nodes[v];
            if st.seen != epoch || land < st.best {
                st.seen = epoch;
                st.best = land;
                s.heap.push(Reverse((land.to_bits(), v as u32)));
            }
        }
    }
}

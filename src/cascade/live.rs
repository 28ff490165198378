//! The `live` engine (`--engine live`, not chosen automatically): continuous delays, the live
//! arcs first, by breadth-first rounds, then the adoption times over them.
//!
//! In the independent cascade a node's coins do not depend on when it adopts, and without a
//! horizon every node reachable from the seeds over live arcs adopts. So a run can be cut in
//! two: the breadth-first rounds of the fixed-delay engine find the adopters and every live arc
//! between them (each adopter's coins walked once, as one sequence per round), each live arc
//! drawing its delay as it is found; then the adoption times are the shortest times from the
//! seeds over these arcs, found on a small graph that holds only the adopters, numbered in
//! the order they were found (a few cache-resident arrays, not the whole graph). One pass over
//! the live arcs in that order settles every node reached first by its fastest path; the nodes
//! that a later-found arc reaches sooner are put right by label correction from there.
//!
//! A run is therefore the same cascade, in distribution, as Dijkstra on the binary heap
//! (`--engine dijkstra`): the same coins, the same delays, the shortest times. The random numbers
//! go to other uses, so the runs themselves differ. With a horizon the run is the same, its times
//! past the horizon left out: a node that adopts after the horizon passes nothing on before it, so
//! the times up to it are those of the cascade cut there (the rounds then walk past the horizon,
//! work the calendar queue does not do).
//!
//! Measured against the calendar (benches/RESULTS.md): about 15 % faster on ba_100k, even on
//! ba_1m, not faster on 10 M nodes, where the per-node numbers (4 bytes a node, per thread) no
//! longer stay in cache; and a run holds its live arcs (16 bytes each), which a run at a high
//! p on a dense graph makes large. Hence an engine to ask for, not the default.

use rand::Rng as _;

use super::prepared::Prepared;
use super::scalar::{Scratch, mark, push_span, to_arcs_with};
use crate::graph::Graph;
use crate::rng::Rng;

/// Buffers of [`run`], reused across runs.
#[derive(Default)]
pub(crate) struct Live {
    /// Each node's number among the run's adopters (valid for the run's adopters only).
    number: Vec<u32>,
    /// The live arcs, by adopter number: source, target, delay. Sources never decrease.
    from: Vec<u32>,
    to: Vec<u32>,
    delay: Vec<f64>,
    /// Where each adopter's live arcs start in the lists above (one more entry at the end).
    first: Vec<u32>,
    /// Adoption times by adopter number, and whether one waits to be put right.
    time: Vec<f64>,
    queued: Vec<bool>,
    todo: Vec<u32>,
    /// A round's sequence of coins, its candidates and their pieces.
    spans: Vec<(usize, usize)>,
    hits: Vec<usize>,
    pieces: Vec<u32>,
    /// How many times fall in each bucket of the sort.
    count: Vec<u32>,
}

/// How many live arcs ahead the target pass asks for a target id, and reads one to ask for its
/// node's offsets and number.
const AHEAD_FAR: usize = 32;
const AHEAD: usize = 16;

/// One run with continuous delays; the adoption times up to the horizon land in `s.times`,
/// sorted; the nodes reached, within the horizon or not, in `s.order`, in the order found.
pub(crate) fn run(
    graph: &Graph,
    model: &Prepared,
    seeds: &[(u32, f64)],
    rng: &mut Rng,
    s: &mut Scratch,
) {
    let n = graph.node_count();
    s.ensure_adopted(n);
    let w = &mut s.live;
    if w.number.len() != n {
        w.number = crate::mem::zeroed(n);
    }
    let offsets = graph.offsets();
    let targets = graph.targets();
    let ties = graph.ties();
    let skipper = model.skipper();
    let per_arc = model.per_arc();
    debug_assert!(skipper.is_some() || per_arc.is_some());
    let one_delay = model.uniform_delay();
    let Live {
        number,
        from,
        to,
        delay,
        first,
        time,
        queued,
        todo,
        spans,
        hits,
        pieces,
        count,
    } = w;
    let order = &mut s.order;
    let adopted = &mut s.adopted;
    order.clear();
    from.clear();
    to.clear();
    delay.clear();
    time.clear();
    spans.clear();
    let mut len = 0usize;
    for &(u, t) in seeds {
        if mark(adopted, u) {
            number[u as usize] = order.len() as u32;
            order.push(u);
            time.push(t);
            len = push_span(spans, len, graph.arc_range(u));
        } else {
            // A node given twice starts at its earliest hour.
            let k = number[u as usize] as usize;
            time[k] = time[k].min(t);
        }
    }
    // The rounds: each finds the live arcs out of the last round's adopters.
    let mut lo = 0;
    while lo < order.len() {
        let hi = order.len();
        s.attempts += len as u64;
        hits.clear();
        pieces.clear();
        if let Some(sk) = &skipper {
            sk.candidates(rng, len, hits);
            to_arcs_with(spans, hits, |k| pieces.push(k as u32));
            if sk.thins() {
                let mut kept = 0;
                for h in 0..hits.len() {
                    let i = hits[h];
                    if sk.keep(rng, ties, i) {
                        hits[kept] = i;
                        pieces[kept] = pieces[h];
                        kept += 1;
                    }
                }
                hits.truncate(kept);
                pieces.truncate(kept);
            }
        } else if let Some(th) = per_arc {
            let mut start_x = 0usize;
            for (k, &(end, off)) in spans.iter().enumerate() {
                for x in start_x..end {
                    let i = x.wrapping_add(off);
                    if rng.next_u64() >> 11 < th[i] {
                        hits.push(i);
                        pieces.push(k as u32);
                    }
                }
                start_x = end;
            }
        }
        spans.clear();
        len = 0;
        for h in 0..hits.len() {
            if let Some(&i2) = hits.get(h + AHEAD_FAR) {
                crate::mem::prefetch(targets, i2);
            }
            if let Some(&i1) = hits.get(h + AHEAD) {
                let v1 = targets[i1] as usize;
                crate::mem::prefetch(offsets, v1);
                crate::mem::prefetch(number, v1);
            }
            let i = hits[h];
            let v = targets[i];
            let d = match one_delay {
                Some(d) => d.sample(rng),
                None => model.delays[ties[i].index()].sample(rng),
            };
            let k = if mark(adopted, v) {
                let k = order.len() as u32;
                number[v as usize] = k;
                order.push(v);
                time.push(f64::INFINITY);
                let range = graph.arc_range(v);
                if let Some(th) = per_arc {
                    crate::mem::prefetch(th, range.0);
                    crate::mem::prefetch(th, range.1.wrapping_sub(1).max(range.0));
                }
                len = push_span(spans, len, range);
                k
            } else {
                number[v as usize]
            };
            from.push(lo as u32 + pieces[h]);
            to.push(k);
            delay.push(d);
        }
        lo = hi;
    }
    // Where each adopter's live arcs start.
    let m = order.len();
    first.clear();
    first.resize(m + 1, 0);
    for &u in from.iter() {
        first[u as usize + 1] += 1;
    }
    for k in 0..m {
        first[k + 1] += first[k];
    }
    // One pass in the order found; a node reached sooner by an arc found after its own arcs
    // were passed is queued to be put right.
    queued.clear();
    queued.resize(m, false);
    todo.clear();
    for e in 0..from.len() {
        let (u, v) = (from[e] as usize, to[e] as usize);
        let t = time[u] + delay[e];
        if t < time[v] {
            time[v] = t;
            if v <= u && !queued[v] {
                queued[v] = true;
                todo.push(v as u32);
            }
        }
    }
    let mut head = 0;
    while head < todo.len() {
        let u = todo[head] as usize;
        head += 1;
        queued[u] = false;
        for e in first[u] as usize..first[u + 1] as usize {
            let v = to[e] as usize;
            let t = time[u] + delay[e];
            if t < time[v] {
                time[v] = t;
                if !queued[v] {
                    queued[v] = true;
                    todo.push(v as u32);
                }
            }
        }
    }
    if model.horizon.is_finite() {
        let horizon = model.horizon;
        time.retain(|&t| t <= horizon);
    }
    sort_hours(time, &mut s.times, count);
    s.clear_adopted(n);
}

/// Appends `time` to `out`, sorted increasingly: a bucket sort (as many buckets as times, or a
/// little more, evenly over the times' range; each bucket then sorted on its own), linear in the
/// number of times when they are spread as adoption times are, and a comparison sort's cost at
/// worst. The times are finite and not negative.
fn sort_hours(time: &[f64], out: &mut Vec<f64>, count: &mut Vec<u32>) {
    let base = out.len();
    out.extend_from_slice(time);
    let m = time.len();
    let (lo, hi) = time
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &t| {
            (lo.min(t), hi.max(t))
        });
    if m < 64 || hi <= lo {
        out[base..].sort_unstable_by(f64::total_cmp);
        return;
    }
    let buckets = m.next_power_of_two();
    let scale = buckets as f64 / (hi - lo);
    // Monotone in t, so every bucket's times come before the next bucket's.
    let bucket = |t: f64| (((t - lo) * scale) as usize).min(buckets - 1);
    count.clear();
    count.resize(buckets + 1, 0);
    for &t in time {
        count[bucket(t) + 1] += 1;
    }
    for b in 0..buckets {
        count[b + 1] += count[b];
    }
    let out = &mut out[base..];
    for &t in time {
        let b = bucket(t);
        out[count[b] as usize] = t;
        count[b] += 1;
    }
    // `count[b]` is now where bucket b ends.
    let mut start = 0;
    for &end in &count[..buckets] {
        let piece = &mut out[start..end as usize];
        match piece.len() {
            0 | 1 => {}
            2..=16 => {
                for i in 1..piece.len() {
                    let t = piece[i];
                    let mut j = i;
                    while j > 0 && piece[j - 1] > t {
                        piece[j] = piece[j - 1];
                        j -= 1;
                    }
                    piece[j] = t;
                }
            }
            _ => piece.sort_unstable_by(f64::total_cmp),
        }
        start = end as usize;
    }
}

#[cfg(test)]
mod tests {
    use super::sort_hours;

    #[test]
    fn sort_hours_sorts_spread_clumped_and_tied_times() {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let cases: Vec<Vec<f64>> = vec![
            vec![],
            vec![3.0],
            vec![2.0; 100],
            (0..1000).map(|_| next() * 30.0).collect(),
            // Heavy-tailed: nearly all in the first bucket, a few far out.
            (0..5000).map(|_| (next() * 20.0).exp()).collect(),
            // Ties and zeros (seeds at hour 0).
            (0..3000).map(|_| (next() * 8.0).floor()).collect(),
        ];
        let mut count = Vec::new();
        for time in cases {
            let mut out = vec![-1.0];
            sort_hours(&time, &mut out, &mut count);
            let mut want = time.clone();
            want.sort_by(f64::total_cmp);
            assert_eq!(out[0], -1.0, "what was in the output stays");
            assert_eq!(&out[1..], &want[..]);
        }
    }
}

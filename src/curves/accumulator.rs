//! [`Accumulator`]: runs streamed into integer counters and per-grid-point histograms, then
//! finished into an [`Outcome`].

use super::sketch::Sketch;
use super::{Curve, FRACTIONS, Grid, Outcome, PROBE_HOURS, Reach, ReachAt, TimeTo, crossing};
use crate::cascade::Accumulate;

/// Streams runs into counters. See the module docs.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Accumulator {
    nodes: usize,
    grid: Vec<f64>,
    probes: Vec<f64>,
    targets: Vec<usize>,
    runs: u64,
    attempts: u64,
    /// Per grid point, the change (from the previous grid point) of the summed adopters and of the
    /// histogram of adopters over runs, by bucket: a run costs one entry per grid point where its
    /// count changes, not one per grid point. `finish` adds them up.
    grid_dsum: Vec<i64>,
    grid_dhist: Vec<Row>,
    final_sum: u64,
    final_sq: u128,
    final_hist: Sketch,
    probe_sum: Vec<u64>,
    /// Sums of squares of the adopters at each probe hour (for standard errors).
    probe_sq: Vec<u128>,
    reached: Vec<u64>,
    /// Hitting times summed in nanohours (integers, so that merging is exact).
    reached_nanohours: Vec<u128>,
    /// `add_unsorted`'s counts per grid point (a buffer reused from run to run; not state).
    #[serde(skip)]
    per_point: Vec<u64>,
    /// `add_unsorted`'s points marked by `count_grid_points`, a bit a point (a buffer too).
    #[serde(skip)]
    marks: Vec<u64>,
    /// Where `add_unsorted` counts each probe hour, worked out on its first run (the grid and
    /// the probes never change; before, a binary search per probe in every run, on runs of a
    /// hundred adopters a fair part of the run's accounting).
    #[serde(skip)]
    probe_plan: Option<ProbePlan>,
    /// `count_grid_points`' slack of the grid (worked out on first use).
    #[serde(skip)]
    slack: Option<f64>,
}

/// A slack past which `count_grid_points` works one time at a time (a grid this far from even is
/// not one `Grid` makes).
const MAX_SLACK: f64 = 1e-3;

/// How far the grid's points lie from whole multiples of the step, as `Quotient` computes their
/// quotients: the largest `|(grid[i] − grid[0]) · inv_step − i|`, and a little more.
fn grid_slack(grid: &[f64], q: Quotient) -> f64 {
    let worst = grid
        .iter()
        .enumerate()
        .map(|(i, &h)| (q.rounded_up(h).2 - i as f64).abs())
        .fold(0.0, f64::max);
    if worst.is_finite() {
        worst + 1e-9
    } else {
        f64::INFINITY
    }
}

/// A time's quotient by the grid's step, counted from its first point and held to `[0, top]`
/// (`top` the number of grid points; a NaN to 0).
#[derive(Clone, Copy)]
struct Quotient {
    first: f64,
    inv_step: f64,
    top: f64,
}

impl Quotient {
    /// The quotient of `t` rounded up, its distance from the nearest whole number (exact: the two
    /// are within a factor of two, or the whole number is 0), and the quotient itself.
    ///
    /// The ceiling by hand (`f64::ceil` is a library call on baseline x86-64, and this runs once
    /// per adopter): adding 2^52 rounds the quotient to a whole number, left in the low bits, and
    /// one more when it rounded down. Without the two conversions between integers and floats
    /// that a cast there and back costs, the loop over a run's times took a fifth less (ba_1m,
    /// one thread: 137–152 µs against 171–175 µs a run).
    #[inline(always)]
    fn rounded_up(self, t: f64) -> (u32, f64, f64) {
        const TWO_52: f64 = 4_503_599_627_370_496.0;
        let x = (t - self.first) * self.inv_step;
        let x = if x > 0.0 { x } else { 0.0 };
        let x = if x < self.top { x } else { self.top };
        let y = x + TWO_52;
        let whole = y - TWO_52;
        // In 32 bits (a grid has fewer points), which the compiler packs twice as many of.
        let up = (y.to_bits() as u32).wrapping_sub(TWO_52.to_bits() as u32) + u32::from(whole < x);
        (up, x - whole, x)
    }
}

/// The first grid point at or after each time (`grid.len()` past the last), if no time's
/// quotient by the step lies within `slack` of a whole number; true if one does (`out` is then
/// to be worked out again).
///
/// Why this is exact otherwise: `x(t) = (t − first) · inv_step` never decreases as `t` grows
/// (each operation rounds to nearest), and the grid point `i` has `x = i` within `slack`. A time
/// with `grid[b − 1] < t ≤ grid[b]` therefore has `x(t)` in `[b − 1 − slack, b + slack]`, and if
/// it is not within `slack` of `b − 1` or `b`, it lies strictly between them: its ceiling is `b`.
/// Times at or before the first point have `x ≤ 0` (held to 0: point 0); times past the last
/// have `x ≥ g − 1 − slack`, and unless within `slack` of `g − 1` their ceiling, once held to
/// `[0, g]`, is `g`; a time that is not a number goes to 0, as in `grid_point_from`.
fn estimate_grid_points(times: &[f64], out: &mut [u32], q: Quotient, slack: f64) -> bool {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2 (checked just above).
        return unsafe { estimate_avx2(times, out, q, slack) };
    }
    estimate(times, out, q, slack)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn estimate_avx2(times: &[f64], out: &mut [u32], q: Quotient, slack: f64) -> bool {
    estimate(times, out, q, slack)
}

#[inline(always)]
fn estimate(times: &[f64], out: &mut [u32], q: Quotient, slack: f64) -> bool {
    let mut near = 0u32;
    for (o, &t) in out.iter_mut().zip(times) {
        let (up, d, x) = q.rounded_up(t);
        *o = up;
        near |= u32::from((d <= slack) & (d >= -slack) & (t > q.first) & (x < q.top));
    }
    near != 0
}

/// The probe hours that are grid points, as (grid point, probe) by grid point, and the others
/// (an infinite horizon is neither: it counts every adopter).
#[derive(Clone, Debug, Default)]
struct ProbePlan {
    on_grid: Vec<(usize, usize)>,
    off_grid: Vec<(usize, f64)>,
}

impl Accumulator {
    /// An empty accumulator for a graph of `nodes` nodes, sampling curves on `grid`; `horizon` is the
    /// model's horizon (reported as the last probe).
    pub fn new(nodes: usize, grid: Grid, horizon: f64) -> Accumulator {
        let grid = grid.hours();
        let mut probes: Vec<f64> = PROBE_HOURS
            .iter()
            .copied()
            .filter(|&h| h <= horizon)
            .collect();
        probes.push(horizon);
        let targets = FRACTIONS
            .iter()
            .map(|f| ((f * nodes as f64).ceil() as usize).max(1))
            .collect();
        Accumulator {
            nodes,
            grid_dsum: vec![0; grid.len()],
            grid_dhist: vec![Row::default(); grid.len()],
            grid,
            probe_sum: vec![0; probes.len()],
            probe_sq: vec![0; probes.len()],
            probes,
            targets,
            runs: 0,
            attempts: 0,
            final_sum: 0,
            final_sq: 0,
            final_hist: Sketch::new(nodes),
            reached: vec![0; FRACTIONS.len()],
            reached_nanohours: vec![0; FRACTIONS.len()],
            per_point: Vec::new(),
            marks: Vec::new(),
            probe_plan: None,
            slack: None,
        }
    }
}

/// One grid point's changes of the histogram of adopters over runs, kept only over the buckets
/// they touch: `vals[i]` is bucket `lo + i`. With continuous delays nearly every grid point has
/// changes, and the counts at one point spread over a few dozen buckets of the thousand or so
/// up to the graph's size: a row from bucket 0 weighed about 10 KB a point on ba_1m, and each
/// piece of runs made and zeroed its own (about 5 MB), then merged them.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
struct Row {
    lo: usize,
    vals: Vec<i64>,
}

impl Row {
    /// Makes room for buckets `a..b` (a < b).
    fn cover(&mut self, a: usize, b: usize) {
        if self.vals.is_empty() {
            self.lo = a;
        } else if a < self.lo {
            let grow = self.lo - a;
            self.vals.splice(0..0, std::iter::repeat_n(0, grow));
            self.lo = a;
        }
        if b - self.lo > self.vals.len() {
            self.vals.resize(b - self.lo, 0);
        }
    }

    #[inline(always)]
    fn add(&mut self, bucket: usize, d: i64) {
        match self.vals.get_mut(bucket.wrapping_sub(self.lo)) {
            Some(x) => *x += d,
            None => self.widen_add(bucket, d),
        }
    }

    #[cold]
    #[inline(never)]
    fn widen_add(&mut self, bucket: usize, d: i64) {
        self.cover(bucket, bucket + 1);
        self.vals[bucket - self.lo] += d;
    }

    fn merge(&mut self, o: &Row) {
        if o.vals.is_empty() {
            return;
        }
        self.cover(o.lo, o.lo + o.vals.len());
        let at = o.lo - self.lo;
        for (x, y) in self.vals[at..].iter_mut().zip(&o.vals) {
            *x += y;
        }
    }
}

/// A hitting time in nanohours, for the exact sums. Times past 10^20 hours (only absurd delay
/// parameters draw them, e.g. `exp:1e35`) count as 10^20 hours: a sum of 3·10^9 such times still
/// fits, where one time of 10^30 hours used to overflow it.
#[inline]
fn nanohours(t: f64) -> u128 {
    (t * 1e9).round().min(1e29) as u128
}

impl Accumulator {
    /// A run reached target `k` (a share of the nodes) at hour `t`.
    #[inline]
    fn reach(&mut self, k: usize, t: f64) {
        self.reached[k] += 1;
        self.reached_nanohours[k] = self.reached_nanohours[k].saturating_add(nanohours(t));
    }

    /// The first grid point at or after hour `t` (the grid's length if none): computed from the
    /// grid step (given as its inverse), then corrected against the stored grid values.
    #[inline]
    fn grid_point_from(&self, t: f64, inv_step: f64) -> usize {
        let g = self.grid.len();
        let mut b = self.quotient(inv_step).rounded_up(t).0 as usize;
        while b > 0 && self.grid[b - 1] >= t {
            b -= 1;
        }
        while b < g && self.grid[b] < t {
            b += 1;
        }
        b
    }

    /// Adds 1 to `per_point[b]` for each time whose first grid point at or after it is `b`, as
    /// `grid_point_from` finds it; returns the largest such `b` (0 if none).
    ///
    /// By blocks of times: first the quotients by the step rounded up, in a loop without a
    /// branch that the compiler runs over several times at once (four with AVX2, where the
    /// processor has it). That rounding is `grid_point_from`'s answer unless a quotient lies
    /// within the grid's slack of a whole number (the grid points are rounded to 10⁻⁹ h, so not
    /// exactly a step apart): then the block is done again one time at a time. One time at a
    /// time, with `grid_point_from`'s two steps as loops, this was 12 % of a live run on ba_100k.
    ///
    /// Each point past the first that a time falls at is also marked in `marks` (a bit a point),
    /// so that the run's changes can be found without looking at every point up to its last.
    fn count_grid_points(
        &mut self,
        times: &[f64],
        per_point: &mut [u64],
        marks: &mut [u64],
    ) -> usize {
        const BLOCK: usize = 256;
        let inv_step = self.inv_step();
        let q = self.quotient(inv_step);
        let slack = match self.slack {
            Some(s) => s,
            None => *self.slack.insert(grid_slack(&self.grid, q)),
        };
        let mut last = 0u32;
        let mut at = [0u32; BLOCK];
        for block in times.chunks(BLOCK) {
            let at = &mut at[..block.len()];
            let near = slack >= MAX_SLACK || estimate_grid_points(block, at, q, slack);
            if near {
                for (b, &t) in at.iter_mut().zip(block) {
                    *b = self.grid_point_from(t, inv_step) as u32;
                }
            }
            // The times at the first point (the seeds, first in a live run's order) are counted
            // apart: one counter incremented once for each chained its increments through memory
            // (each waiting for the store before it; 40 % of this function on ws_100k, where 50
            // of a run's 106 adopters are seeds). The branch below is taken in one stretch.
            let mut first = 0;
            for &b in at.iter() {
                if b == 0 {
                    first += 1;
                } else {
                    per_point[b as usize] += 1;
                    marks[b as usize / 64] |= 1 << (b % 64);
                }
                last = last.max(b);
            }
            per_point[0] += first;
        }
        last as usize
    }

    /// The quotients by the step (given as its inverse) from this grid's first point.
    fn quotient(&self, inv_step: f64) -> Quotient {
        Quotient {
            first: self.grid[0],
            inv_step,
            top: self.grid.len() as f64,
        }
    }

    /// One over the grid's step (1 for a grid of one point), for `grid_point_from`.
    fn inv_step(&self) -> f64 {
        match self.grid.as_slice() {
            [a, b, ..] => 1.0 / (b - a),
            _ => 1.0,
        }
    }

    /// Counts a run of `total` adopters that examined `attempts` arcs (its final reach).
    fn count_run(&mut self, total: u64, attempts: u64) {
        self.runs += 1;
        self.attempts += attempts;
        self.final_sum += total;
        self.final_sq += (total as u128).pow(2);
        self.final_hist.add(total);
    }

    /// Records that a run's count becomes `v` at grid point `b` (it was `prev` before).
    #[inline(always)]
    fn change(&mut self, prev: &mut Option<u64>, b: usize, v: u64) {
        let old = prev.unwrap_or(0);
        self.grid_dsum[b] += v as i64 - old as i64;
        let row = &mut self.grid_dhist[b];
        let nb = Sketch::bucket_of(v);
        let ob = prev.map(Sketch::bucket_of);
        if ob != Some(nb) {
            row.add(nb, 1);
            if let Some(ob) = ob {
                row.add(ob, -1);
            }
        }
        *prev = Some(v);
    }
}

impl Accumulate for Accumulator {
    fn add_run(&mut self, times: &[f64], attempts: u64) {
        let total = times.len();
        self.count_run(total as u64, attempts);
        // The grid points where this run's count changes, with the new count: the first grid
        // point always (the count there may be 0), then each later point whose count differs.
        let g = self.grid.len();
        let mut prev: Option<u64> = None;
        if total < g {
            // Few adopters: find each one's first grid point at or after it.
            let mut i = 0;
            let first = times.partition_point(|&t| t <= self.grid[0]);
            self.change(&mut prev, 0, first as u64);
            i = i.max(first);
            let inv_step = self.inv_step();
            while i < total {
                let t = times[i];
                let b = self.grid_point_from(t, inv_step);
                if b >= g {
                    break;
                }
                // Every adopter up to grid[b] counts from b on.
                let mut upto = i + 1;
                while upto < total && times[upto] <= self.grid[b] {
                    upto += 1;
                }
                self.change(&mut prev, b, upto as u64);
                i = upto;
            }
        } else {
            let mut j = 0;
            for b in 0..g {
                let h = self.grid[b];
                while j < total && times[j] <= h {
                    j += 1;
                }
                if b == 0 || prev != Some(j as u64) {
                    self.change(&mut prev, b, j as u64);
                }
                if j == total {
                    break;
                }
            }
        }
        for (k, &h) in self.probes.iter().enumerate() {
            let c = times.partition_point(|&t| t <= h) as u64;
            self.probe_sum[k] += c;
            self.probe_sq[k] += (c as u128).pow(2);
        }
        for k in 0..self.targets.len() {
            let target = self.targets[k];
            if total >= target {
                self.reach(k, times[target - 1]);
            }
        }
    }

    fn add_unsorted(&mut self, times: &mut [f64], attempts: u64) {
        // As `add_run` on the sorted times, without sorting them: how many times have each grid
        // point as their first at or after them, in one pass; the counts up to each grid point
        // and probe hour from those; the hitting times of the target counts by selection.
        let g = self.grid.len();
        let total = times.len();
        self.count_run(total as u64, attempts);
        // A probe hour that is a grid point (the usual case) counts as that grid point; an
        // infinite horizon counts every adopter; any other probe hour is counted on its own.
        let mut probe = [total as u64; PROBE_HOURS.len() + 1];
        let plan = match self.probe_plan.take() {
            Some(plan) => plan,
            None => {
                let mut plan = ProbePlan::default();
                for (k, &h) in self.probes.iter().enumerate().take(probe.len()) {
                    if h == f64::INFINITY {
                        continue;
                    } else if let Ok(j) = self.grid.binary_search_by(|x| x.total_cmp(&h)) {
                        plan.on_grid.push((j, k));
                    } else {
                        plan.off_grid.push((k, h));
                    }
                }
                plan.on_grid.sort_unstable();
                plan
            }
        };
        for &(k, _) in &plan.off_grid {
            probe[k] = 0;
        }
        // `per_point[b]`: the times whose first grid point at or after them is b (g: none). All
        // zero between runs: the scan below clears what it reads.
        let mut per_point = std::mem::take(&mut self.per_point);
        let mut marks = std::mem::take(&mut self.marks);
        if per_point.len() != g + 1 {
            per_point = vec![0; g + 1];
            marks = vec![0; (g + 1).div_ceil(64)];
        }
        let last = self.count_grid_points(times, &mut per_point, &mut marks);
        for &(k, h) in &plan.off_grid {
            probe[k] += times.iter().map(|&t| u64::from(t <= h)).sum::<u64>();
        }
        // The counts up to each grid point, with the same changes, at the same grid points, as
        // `add_run` makes: the first grid point always, then each where the count grows, up to
        // the last one any time falls at.
        //
        // The points where the count grows are those marked, found a word of marks at a time in
        // increasing order (on a small run a few dozen points grow, at random among the hundreds
        // up to its last, which a walk over every point passed one by one). A probe point takes
        // the count before the first change past it. The marks are cleared as they are read
        // (the one of point g too, if set).
        let lastc = last.min(g - 1);
        let mut prev: Option<u64> = None;
        let mut count = std::mem::take(&mut per_point[0]);
        self.change(&mut prev, 0, count);
        let mut next_probe = plan.on_grid.iter().peekable();
        for (w, word) in marks[..=last / 64].iter_mut().enumerate() {
            let mut bits = std::mem::take(word);
            while bits != 0 {
                let b = w * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                if b > lastc {
                    break;
                }
                while let Some(&(_, k)) = next_probe.next_if(|&&(j, _)| j < b) {
                    probe[k] = count;
                }
                count += std::mem::take(&mut per_point[b]);
                self.change(&mut prev, b, count);
            }
        }
        for &(j, k) in next_probe {
            if j <= lastc {
                probe[k] = count;
            }
        }
        self.marks = marks;
        per_point[g] = 0;
        self.per_point = per_point;
        self.probe_plan = Some(plan);
        for (k, &c) in probe.iter().enumerate().take(self.probes.len()) {
            self.probe_sum[k] += c;
            self.probe_sq[k] += (c as u128).pow(2);
        }
        // The hitting times: the target-th smallest time, largest target first, each later
        // selection within the part below the last.
        let mut upto = total;
        for k in (0..self.targets.len()).rev() {
            let target = self.targets[k];
            if total >= target {
                let (_, t, _) = times[..upto].select_nth_unstable_by(target - 1, f64::total_cmp);
                let t = *t;
                self.reach(k, t);
                upto = target;
            }
        }
    }

    fn add_rounds(&mut self, rounds: &[(f64, u64)], attempts: u64) {
        // As `add_run` on the expanded times, a round at a time instead of an adopter at a time.
        let total: u64 = rounds.iter().map(|r| r.1).sum();
        self.count_run(total, attempts);
        let g = self.grid.len();
        let mut prev: Option<u64> = None;
        // The rounds up to the first grid point, then `count`: adopters so far.
        let mut k = rounds.partition_point(|r| r.0 <= self.grid[0]);
        let mut count: u64 = rounds[..k].iter().map(|r| r.1).sum();
        self.change(&mut prev, 0, count);
        let inv_step = self.inv_step();
        while k < rounds.len() {
            let b = self.grid_point_from(rounds[k].0, inv_step);
            if b >= g {
                break;
            }
            while k < rounds.len() && rounds[k].0 <= self.grid[b] {
                count += rounds[k].1;
                k += 1;
            }
            if prev != Some(count) {
                self.change(&mut prev, b, count);
            }
        }
        for (j, &h) in self.probes.iter().enumerate() {
            let c = rounds
                .iter()
                .take_while(|r| r.0 <= h)
                .map(|r| r.1)
                .sum::<u64>();
            self.probe_sum[j] += c;
            self.probe_sq[j] += (c as u128).pow(2);
        }
        for j in 0..self.targets.len() {
            let target = self.targets[j];
            if total >= target as u64 {
                let mut cum = 0;
                let t = rounds
                    .iter()
                    .find(|r| {
                        cum += r.1;
                        cum >= target as u64
                    })
                    .map_or(0.0, |r| r.0);
                self.reach(j, t);
            }
        }
    }

    fn encode(&self) -> Option<Vec<u8>> {
        bincode::serialize(self).ok()
    }
    fn decode(bytes: &[u8]) -> Option<Self> {
        bincode::deserialize(bytes).ok()
    }
    fn merge(&mut self, o: Self) {
        self.runs += o.runs;
        self.attempts += o.attempts;
        self.final_sum += o.final_sum;
        self.final_sq += o.final_sq;
        self.final_hist.merge(&o.final_hist);
        for (a, b) in self.grid_dsum.iter_mut().zip(&o.grid_dsum) {
            *a += b;
        }
        for (a, b) in self.grid_dhist.iter_mut().zip(&o.grid_dhist) {
            a.merge(b);
        }
        for (a, b) in self.probe_sum.iter_mut().zip(&o.probe_sum) {
            *a += b;
        }
        for (a, b) in self.probe_sq.iter_mut().zip(&o.probe_sq) {
            *a += b;
        }
        for k in 0..self.reached.len() {
            self.reached[k] += o.reached[k];
            self.reached_nanohours[k] =
                self.reached_nanohours[k].saturating_add(o.reached_nanohours[k]);
        }
    }
}

impl Accumulator {
    /// The curve and summary figures of the runs so far, labelled `label`.
    pub fn finish(&self, label: &str) -> Outcome {
        let r = self.runs.max(1) as f64;
        let n = self.nodes as f64;
        // Add up the changes: the sum and the histogram of adopters at each grid point.
        let mut sum = 0i64;
        let mean: Vec<f64> = self
            .grid_dsum
            .iter()
            .map(|&d| {
                sum += d;
                sum as f64 / r
            })
            .collect();
        let mut cum: Vec<i64> = Vec::new();
        let hists: Vec<Sketch> = self
            .grid_dhist
            .iter()
            .map(|row| {
                let end = row.lo + row.vals.len();
                if end > cum.len() {
                    cum.resize(end, 0);
                }
                for (c, d) in cum[row.lo..].iter_mut().zip(&row.vals) {
                    *c += d;
                }
                Sketch::from_counts(cum.iter().map(|&c| c.max(0) as u64))
            })
            .collect();
        let step = if self.grid.len() > 1 {
            self.grid[1] - self.grid[0]
        } else {
            1.0
        };
        let new_per_hour = (0..mean.len())
            .map(|b| {
                if b == 0 {
                    0.0
                } else {
                    round6((mean[b] - mean[b - 1]) / step)
                }
            })
            .collect();
        let q = |p: f64| -> Vec<f64> { hists.iter().map(|h| h.quantile(p)).collect() };
        let curve = Curve {
            label: label.to_string(),
            hour: self.grid.clone(),
            p05: q(0.05),
            p50: q(0.5),
            p95: q(0.95),
            mean,
            new_per_hour,
        };
        let fm = self.final_sum as f64 / r;
        let var = if self.runs > 1 {
            ((self.final_sq as f64 - (self.final_sum as f64).powi(2) / r) / (r - 1.0)).max(0.0)
        } else {
            0.0
        };
        let final_reach = Reach {
            mean: fm,
            std: var.sqrt(),
            sem: (var / r).sqrt(),
            p05: self.final_hist.quantile(0.05),
            p50: self.final_hist.quantile(0.5),
            p95: self.final_hist.quantile(0.95),
            min: self.final_hist.min(),
            max: self.final_hist.max(),
            fraction: fm / n,
        };
        let mut reach_at_hours = std::collections::BTreeMap::new();
        for (k, &h) in self.probes.iter().enumerate() {
            let key = if k + 1 == self.probes.len() {
                "horizon".to_string()
            } else {
                format!("{h}")
            };
            let m = self.probe_sum[k] as f64 / r;
            let var = if self.runs > 1 {
                ((self.probe_sq[k] as f64 - (self.probe_sum[k] as f64).powi(2) / r) / (r - 1.0))
                    .max(0.0)
            } else {
                0.0
            };
            reach_at_hours.insert(
                key,
                ReachAt {
                    hours: h,
                    mean: m,
                    fraction: m / n,
                    sem: (var / r).sqrt(),
                },
            );
        }
        let mut time_to_fraction = std::collections::BTreeMap::new();
        for (k, &f) in FRACTIONS.iter().enumerate() {
            let target = self.targets[k] as f64;
            time_to_fraction.insert(
                format!("{f}"),
                TimeTo {
                    fraction: f,
                    adopters: self.targets[k],
                    hours: crossing(&curve.hour, &curve.mean, target),
                    share_of_runs: self.reached[k] as f64 / r,
                    mean_hours_in_runs_reaching: (self.reached[k] > 0)
                        .then(|| self.reached_nanohours[k] as f64 / 1e9 / self.reached[k] as f64),
                },
            );
        }
        Outcome {
            nodes: self.nodes,
            runs: self.runs,
            final_reach,
            reach_at_hours,
            time_to_fraction,
            attempts_per_run: self.attempts as f64 / r,
            curve,
        }
    }
}

/// Rounds to 6 decimals, so that files show `43.3`, not `43.29999999999998`.
fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::{Just, Strategy};

    proptest::proptest! {
        /// A run given by rounds counts exactly as the same run given by adoption times.
        #[test]
        fn rounds_count_as_their_adoption_times(
            runs in proptest::collection::vec(
                proptest::collection::vec((0u32..40, 0u64..30), 0..12), 1..8),
            // Hours on the grid (the usual case: fixed delays of whole hours, a 0.1 h grid) as
            // well as anywhere.
            step in proptest::prop_oneof![
                proptest::sample::select(vec![0.05, 0.1, 0.25, 0.3, 0.5, 1.0, 2.0]),
                0.05f64..2.0
            ],
            start in proptest::prop_oneof![
                proptest::sample::select(vec![0.0, 0.5, 1.0, 2.0]),
                0.0f64..3.0
            ],
            delay in proptest::prop_oneof![
                proptest::sample::select(vec![0.1, 0.25, 0.5, 1.0, 2.0]),
                0.1f64..2.5
            ],
            nodes in 1usize..300,
        ) {
            let grid = Grid::new(step, 10.0).unwrap();
            let mut by_times = Accumulator::new(nodes, grid, 20.0);
            let mut by_rounds = by_times.clone();
            for r in &runs {
                // Increasing distinct rounds, some with no adopters.
                let mut rounds: Vec<(u32, u64)> = r.clone();
                rounds.sort_by_key(|x| x.0);
                rounds.dedup_by_key(|x| x.0);
                let rounds: Vec<(f64, u64)> =
                    rounds.iter().map(|&(k, c)| (start + k as f64 * delay, c)).collect();
                let times: Vec<f64> = rounds
                    .iter()
                    .flat_map(|&(t, c)| std::iter::repeat_n(t, c as usize))
                    .collect();
                by_times.add_run(&times, 7);
                by_rounds.add_rounds(&rounds, 7);
            }
            proptest::prop_assert_eq!(format!("{by_times:?}"), format!("{by_rounds:?}"));
        }

        /// A run given by its times in any order counts exactly as the same times sorted.
        #[test]
        fn unsorted_times_count_as_sorted(
            runs in proptest::collection::vec(
                proptest::collection::vec(
                    proptest::prop_oneof![
                        0.0f64..14.0,
                        // On grid points and probe hours, and ties.
                        (0u32..60).prop_map(|k| k as f64 * 0.25),
                    ],
                    0..400),
                1..8),
            step in proptest::prop_oneof![
                proptest::sample::select(vec![0.1, 0.25, 0.5, 1.0]),
                0.05f64..2.0
            ],
            nodes in 400usize..3000,
            horizon in proptest::prop_oneof![Just(f64::INFINITY), 2.0f64..30.0],
            shuffle in 0u64..1000,
        ) {
            let grid = Grid::new(step, 10.0).unwrap();
            let mut sorted = Accumulator::new(nodes, grid, horizon);
            let mut unsorted = sorted.clone();
            for (r, times) in runs.iter().enumerate() {
                let mut t = times.clone();
                t.sort_by(f64::total_cmp);
                sorted.add_run(&t, 5);
                // Reversed, or rotated: any order.
                let mut u = times.clone();
                if (shuffle + r as u64).is_multiple_of(2) {
                    u.reverse();
                } else {
                    let k = (shuffle as usize) % u.len().max(1);
                    u.rotate_left(k);
                }
                unsorted.add_unsorted(&mut u, 5);
            }
            proptest::prop_assert_eq!(sorted.encode(), unsorted.encode());
        }

        /// The difference-coded curves equal a direct count at every grid point.
        #[test]
        fn curves_equal_a_direct_count(
            runs in proptest::collection::vec(proptest::collection::vec(0.0f64..12.0, 0..400), 1..12),
            step in 0.05f64..2.0,
            cut in 0usize..12,
        ) {
            let grid = Grid::new(step, 10.0).unwrap();
            let hours = grid.hours();
            let mut acc = Accumulator::new(500, grid, f64::INFINITY);
            // The same runs in two pieces, merged: the rows' bucket windows differ in each.
            let (mut first, mut second) = (acc.clone(), acc.clone());
            let mut direct: Vec<Vec<u64>> = vec![Vec::new(); hours.len()];
            for (i, r) in runs.iter().enumerate() {
                let mut t = r.clone();
                t.sort_by(f64::total_cmp);
                acc.add_run(&t, 0);
                if i < cut { &mut first } else { &mut second }.add_run(&t, 0);
                for (b, &h) in hours.iter().enumerate() {
                    direct[b].push(t.iter().filter(|&&x| x <= h).count() as u64);
                }
            }
            first.merge(second);
            let out = acc.finish("x");
            proptest::prop_assert_eq!(format!("{out:?}"), format!("{:?}", first.finish("x")));
            for (b, at) in direct.iter().enumerate().take(hours.len()) {
                let mean = at.iter().sum::<u64>() as f64 / runs.len() as f64;
                proptest::prop_assert!((out.curve.mean[b] - mean).abs() < 1e-9);
                let mut sk = Sketch::new(500);
                for &v in at {
                    sk.add(v);
                }
                proptest::prop_assert_eq!(out.curve.p05[b], sk.quantile(0.05));
                proptest::prop_assert_eq!(out.curve.p50[b], sk.quantile(0.5));
                proptest::prop_assert_eq!(out.curve.p95[b], sk.quantile(0.95));
            }
        }
    }

    #[test]
    fn accumulator_counts_by_hand() {
        let grid = Grid::new(1.0, 3.0).unwrap();
        let mut a = Accumulator::new(10, grid, f64::INFINITY);
        a.add_run(&[0.0, 0.5, 2.0], 7);
        a.add_run(&[0.0, 1.0, 1.5, 2.5, 9.0], 3);
        let o = a.finish("x");
        assert_eq!(o.curve.hour, vec![0.0, 1.0, 2.0, 3.0]);
        assert_eq!(o.curve.mean, vec![1.0, 2.0, 3.0, 3.5]);
        assert_eq!(o.curve.new_per_hour, vec![0.0, 1.0, 1.0, 0.5]);
        assert_eq!(o.final_reach.mean, 4.0);
        assert!((o.final_reach.std - 2f64.sqrt()).abs() < 1e-12);
        assert_eq!(o.final_reach.min, 3.0);
        assert_eq!(o.final_reach.max, 5.0);
        assert_eq!(o.reach_at_hours["1"].mean, 2.0);
        assert_eq!(o.reach_at_hours["horizon"].mean, 4.0);
        // 10 % of 10 nodes = 1 adopter: at hour 0 in both runs; 50 % = 5: only run 2, at 9 h.
        assert_eq!(
            o.time_to_fraction["0.1"].mean_hours_in_runs_reaching,
            Some(0.0)
        );
        assert_eq!(o.time_to_fraction["0.5"].share_of_runs, 0.5);
        assert_eq!(
            o.time_to_fraction["0.5"].mean_hours_in_runs_reaching,
            Some(9.0)
        );
        assert_eq!(o.time_to_fraction["0.5"].hours, None);
        assert_eq!(o.attempts_per_run, 5.0);
    }

    #[test]
    fn absurd_hitting_times_neither_overflow_nor_wrap() {
        // `exp:1e35` draws times near 1e35 hours: in nanohours past u128. Each counts as 1e20
        // hours, the sums saturate instead of wrapping (or panicking in a debug build), and a
        // time in range is summed exactly as before.
        let grid = Grid::new(1.0, 3.0).unwrap();
        // Four nodes: half of them is the second adopter, here at 1e35 hours.
        let mut a = Accumulator::new(4, grid, f64::INFINITY);
        let mut b = Accumulator::new(4, grid, f64::INFINITY);
        for _ in 0..3 {
            a.add_run(&[0.0, 1e35], 1);
            b.add_unsorted(&mut [1e35, 0.0], 1);
        }
        a.merge(b);
        let o = a.finish("x");
        let mean = o.time_to_fraction["0.5"]
            .mean_hours_in_runs_reaching
            .unwrap();
        assert_eq!(mean, 1e20);
        assert_eq!(o.time_to_fraction["0.5"].share_of_runs, 1.0);
        assert_eq!(o.final_reach.mean, 2.0);
        assert_eq!(nanohours(2.5), 2_500_000_000);
        assert_eq!(nanohours(f64::INFINITY), 1e29 as u128);
    }

    #[test]
    fn grid_points_by_blocks_are_those_found_one_at_a_time() {
        // Grids a rounded step apart, short and long, and times on their points, a unit in the
        // last place either side, between them, before the first and past the last, and not a
        // number: the blocks must give `grid_point_from`'s answer for every one.
        let mut rng = crate::rng::stream(17, 0);
        use rand::RngExt;
        for (step, end) in [
            (0.5, 24.0),
            (0.1, 48.0),
            (1.0 / 3.0, 200.0),
            (0.01, 300.0),
            (0.7, 0.5),
            (2.0, 100.0),
        ] {
            let mut acc = Accumulator::new(100, Grid::new(step, end).unwrap(), f64::INFINITY);
            let grid = acc.grid.clone();
            let last = *grid.last().unwrap();
            let mut times = vec![-1.0, 0.0, f64::NAN, last + 1.0, 1e-300, 5e-324];
            for &h in &grid {
                times.extend([h, h.next_up(), h.next_down(), h + step / 2.0]);
            }
            for _ in 0..5000 {
                times.push(rng.random_range(-0.1..last * 1.1 + 0.1));
            }
            let inv = acc.inv_step();
            let want: Vec<usize> = times.iter().map(|&t| acc.grid_point_from(t, inv)).collect();
            let mut per_point = vec![0u64; grid.len() + 1];
            let mut marks = vec![0u64; (grid.len() + 1).div_ceil(64)];
            // Each time alone (a block of one), then all at once.
            for (k, &t) in times.iter().enumerate() {
                per_point.fill(0);
                marks.fill(0);
                let b = acc.count_grid_points(&[t], &mut per_point, &mut marks);
                assert_eq!(b, want[k], "step {step}: time {t:e}");
                assert_eq!(per_point[b], 1);
            }
            per_point.fill(0);
            marks.fill(0);
            let top = acc.count_grid_points(&times, &mut per_point, &mut marks);
            let mut direct = vec![0u64; grid.len() + 1];
            for &b in &want {
                direct[b] += 1;
            }
            assert_eq!(per_point, direct, "step {step}");
            // Marked: every point past the first that a time falls at, and no other.
            for (b, &c) in direct.iter().enumerate() {
                let marked = marks[b / 64] >> (b % 64) & 1 == 1;
                assert_eq!(marked, b > 0 && c > 0, "step {step}: point {b}");
            }
            assert_eq!(top, *want.iter().max().unwrap());
            assert!(
                acc.slack.unwrap() < MAX_SLACK,
                "step {step}: {:?}",
                acc.slack
            );
        }
    }

    #[test]
    fn merge_equals_sequential() {
        let grid = Grid::new(0.5, 2.0).unwrap();
        let runs: Vec<Vec<f64>> = vec![
            vec![0.0, 0.2],
            vec![0.0],
            vec![0.0, 1.0, 1.9],
            vec![0.0, 0.1, 0.2, 3.0],
        ];
        let mut seq = Accumulator::new(5, grid, 10.0);
        for r in &runs {
            seq.add_run(r, 1);
        }
        let mut a = Accumulator::new(5, grid, 10.0);
        let mut b = Accumulator::new(5, grid, 10.0);
        a.add_run(&runs[2], 1);
        b.add_run(&runs[0], 1);
        b.add_run(&runs[3], 1);
        a.add_run(&runs[1], 1);
        a.merge(b);
        assert_eq!(seq.finish("s"), a.finish("s"));
    }
}

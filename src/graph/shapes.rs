//! The shapes the generators draw: WeChat-like friend circles, the Alipay-like Chung–Lu graph,
//! Barabási–Albert, Watts–Strogatz, Erdős–Rényi and Centola's lattices. Each appends edges with
//! their tie class; `generate.rs` validates parameters and builds the graph.

use super::TieClass;
use super::generate::{AlipayParams, Lattice, WechatParams, lattice_sides};
use crate::rng::{self, Rng};

#[derive(Default)]
pub(super) struct Edges {
    pub(super) src: Vec<u32>,
    pub(super) dst: Vec<u32>,
    pub(super) ties: Vec<TieClass>,
}

impl Edges {
    #[inline]
    pub(super) fn push(&mut self, u: u32, v: u32, t: TieClass) {
        self.src.push(u);
        self.dst.push(v);
        self.ties.push(t);
    }
}

/// Centola's lattices on a `w × h` torus, node `(x, y)` numbered `y·w + x`: every node links
/// right, down and (hex) down-left, or (Moore) down-left and down-right too.
pub(super) fn centola(lattice: Lattice, n: usize, e: &mut Edges) {
    let (w, h) = lattice_sides(n).expect("validated");
    let id = |x: usize, y: usize| ((y % h) * w + (x % w)) as u32;
    for y in 0..h {
        for x in 0..w {
            let u = id(x, y);
            e.push(u, id(x + 1, y), TieClass::Strong);
            e.push(u, id(x, y + 1), TieClass::Strong);
            e.push(u, id(x + w - 1, y + 1), TieClass::Strong);
            if lattice == Lattice::Moore {
                e.push(u, id(x + 1, y + 1), TieClass::Strong);
            }
        }
    }
}

/// A draw from the continuous power law on `[a, b)` with density ∝ x^-alpha, by inversion.
fn power_law(rng: &mut Rng, a: f64, b: f64, alpha: f64) -> f64 {
    let u = rng::unit(rng);
    if (alpha - 1.0).abs() < 1e-9 {
        a * (b / a).powf(u)
    } else {
        let e = 1.0 - alpha;
        (a.powf(e) + u * (b.powf(e) - a.powf(e))).powf(1.0 / e)
    }
}

pub(super) fn wechat(p: &WechatParams, n: usize, rng: &mut Rng, e: &mut Edges) {
    // Primary circles: consecutive blocks of nodes, so that a circle is also close in memory.
    let mut circles: Vec<Vec<u32>> = Vec::new();
    let mut next = 0usize;
    while next < n {
        let s = power_law(
            rng,
            p.min_circle as f64,
            (p.max_circle + 1) as f64,
            p.circle_exponent,
        )
        .floor() as usize;
        let s = s.clamp(p.min_circle, p.max_circle);
        let end = (next + s).min(n);
        if end - next < p.min_circle && !circles.is_empty() {
            circles.last_mut().unwrap().extend(next as u32..end as u32);
        } else {
            circles.push((next as u32..end as u32).collect());
        }
        next = end;
    }
    // Second circles: a fraction `overlap` of people join another, uniformly chosen circle.
    let c = circles.len() as u64;
    if c > 1 {
        for u in 0..n as u32 {
            if rng::unit(rng) < p.overlap {
                let k = rng::below(rng, c) as usize;
                if !circles[k].contains(&u) {
                    circles[k].push(u);
                }
            }
        }
    }
    // Inside each circle: shuffle, then a rewired ring lattice.
    for members in &mut circles {
        let s = members.len();
        for i in (1..s).rev() {
            members.swap(i, rng::below(rng, i as u64 + 1) as usize);
        }
        if s <= p.circle_degree + 1 {
            for i in 0..s {
                for j in i + 1..s {
                    e.push(members[i], members[j], TieClass::Strong);
                }
            }
            continue;
        }
        let half = p.circle_degree / 2;
        for i in 0..s {
            for j in 1..=half {
                let mut w = members[(i + j) % s];
                if rng::unit(rng) < p.rewire {
                    let r = members[rng::below(rng, s as u64) as usize];
                    if r != members[i] {
                        w = r;
                    }
                }
                e.push(members[i], w, TieClass::Strong);
            }
        }
    }
    // Bridges: acquaintances across circles.
    let bridges = (p.bridges_per_node * n as f64).round() as usize;
    for _ in 0..bridges {
        let u = rng::below(rng, n as u64) as u32;
        let v = rng::below(rng, n as u64) as u32;
        if u != v {
            e.push(u, v, TieClass::Weak);
        }
    }
}

pub(super) fn chung_lu(p: &AlipayParams, n: usize, rng: &mut Rng, e: &mut Edges) {
    // Expected degree of node i ∝ (i + i0)^-beta, beta = 1/(exponent-1); i0 puts the largest
    // expected degree at the structural cutoff sqrt(n · mean_degree).
    let beta = 1.0 / (p.exponent - 1.0);
    let nf = n as f64;
    let cutoff = (nf * p.mean_degree).sqrt();
    // Mean of (i+i0)^-beta over i in [0, n) ≈ integral / n; pick i0 so that
    // mean_degree · i0^-beta / mean((i+i0)^-beta) = cutoff, by bisection on log i0.
    let mean_w = |i0: f64| ((nf + i0).powf(1.0 - beta) - i0.powf(1.0 - beta)) / ((1.0 - beta) * nf);
    let (mut lo, mut hi) = (1e-6f64.ln(), nf.ln());
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        let i0 = mid.exp();
        let top = p.mean_degree * i0.powf(-beta) / mean_w(i0);
        if top > cutoff {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let i0 = hi.exp();
    let (a, b) = (i0.powf(1.0 - beta), (nf + i0).powf(1.0 - beta));
    // Endpoints drawn proportionally to the expected degree, by inverting its integral.
    let draw = |rng: &mut Rng| -> u32 {
        let u = rng::unit(rng);
        let x = (a + u * (b - a)).powf(1.0 / (1.0 - beta)) - i0;
        (x.max(0.0) as usize).min(n - 1) as u32
    };
    let m = (p.mean_degree * nf / 2.0).round() as usize;
    for _ in 0..m {
        let u = draw(rng);
        let v = draw(rng);
        e.push(u, v, TieClass::Weak);
    }
}

pub(super) fn barabasi_albert(m: usize, n: usize, rng: &mut Rng, e: &mut Edges) {
    // Batagelj & Brandes (2005): sampling from the list of edge endpoints is sampling
    // proportionally to degree. The first new node links to the m initial nodes.
    let mut ends: Vec<u32> = Vec::with_capacity(2 * m * n);
    let mut chosen: Vec<u32> = (0..m as u32).collect();
    for v in m..n {
        for &t in &chosen {
            e.push(v as u32, t, TieClass::Weak);
            ends.push(t);
            ends.push(v as u32);
        }
        chosen.clear();
        while chosen.len() < m {
            let t = ends[rng::below(rng, ends.len() as u64) as usize];
            if !chosen.contains(&t) {
                chosen.push(t);
            }
        }
    }
}

pub(super) fn watts_strogatz(k: usize, beta: f64, n: usize, rng: &mut Rng, e: &mut Edges) {
    for u in 0..n {
        for j in 1..=k / 2 {
            let v = (u + j) % n;
            if rng::unit(rng) < beta {
                let mut w = rng::below(rng, n as u64) as usize;
                while w == u {
                    w = rng::below(rng, n as u64) as usize;
                }
                e.push(u as u32, w as u32, TieClass::Weak);
            } else {
                e.push(u as u32, v as u32, TieClass::Strong);
            }
        }
    }
}

pub(super) fn erdos_renyi(p: f64, n: usize, rng: &mut Rng, e: &mut Edges) {
    // Batagelj & Brandes (2005), geometric skipping over the pairs v > w: O(n + m).
    if p <= 0.0 {
        return;
    }
    if p >= 1.0 {
        for v in 1..n {
            for w in 0..v {
                e.push(v as u32, w as u32, TieClass::Weak);
            }
        }
        return;
    }
    let lp = (1.0 - p).ln();
    let (mut v, mut w): (i64, i64) = (1, -1);
    while (v as usize) < n {
        let r = 1.0 - rng::unit(rng);
        w += 1 + (r.ln() / lp).floor() as i64;
        while w >= v && (v as usize) < n {
            w -= v;
            v += 1;
        }
        if (v as usize) < n {
            e.push(v as u32, w as u32, TieClass::Weak);
        }
    }
}

//! Seeded graph generators: the two platform shapes of the red-packet story and the classics.
//!
//! Every generator is a pure function of `(parameters, n, seed)`: the same arguments give the same
//! graph, bit for bit, on any machine and thread count. Each labels its ties: edges inside a friend
//! circle (or a lattice neighbourhood) are [`TieClass::Strong`], edges that bridge circles are
//! [`TieClass::Weak`].

use super::{EdgeList, Graph, NodeIds, TieClass};
use crate::rng::{self, Rng};
use crate::{Error, Result};

/// A graph model and its parameters. Serialises as `{ model = "wechat", ... }` in scenario files.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "model", rename_all = "lowercase", deny_unknown_fields)]
pub enum Generator {
    /// Strong-tie shape: overlapping friend circles, dense and clustered inside, few bridges.
    Wechat(WechatParams),
    /// Weak-tie shape: sparse, heavy-tailed, hardly any clustering.
    Alipay(AlipayParams),
    /// Barabási–Albert preferential attachment.
    Ba {
        /// Edges each new node brings.
        #[serde(default = "default_ba_m")]
        m: usize,
    },
    /// Watts–Strogatz small world.
    Ws {
        /// Lattice degree (even).
        #[serde(default = "default_ws_k")]
        k: usize,
        /// Rewiring probability.
        #[serde(default = "default_ws_beta")]
        beta: f64,
    },
    /// Erdős–Rényi G(n, p) with p chosen for the given mean degree.
    Er {
        #[serde(default = "default_er_degree")]
        mean_degree: f64,
    },
}

fn default_ba_m() -> usize {
    5
}
fn default_ws_k() -> usize {
    10
}
fn default_ws_beta() -> f64 {
    0.05
}
fn default_er_degree() -> f64 {
    10.0
}

/// Parameters of the WeChat-like strong-tie shape.
///
/// Each person has one primary friend circle (family, classmates, colleagues); circle sizes follow a
/// truncated power law between `min_circle` and `max_circle` (Dunbar's ~150 is the ceiling of
/// stable relationships; Dunbar 1992, Hill & Dunbar 2003). A fraction `overlap` of people also
/// belong to a second circle. Inside a circle, friends form a ring lattice of degree
/// `circle_degree` with a fraction `rewire` of its edges rewired inside the circle (Watts &
/// Strogatz 1998 applied per circle), which makes circles dense and clustered. On top,
/// `bridges_per_node × n` acquaintance edges join uniformly random pairs: the weak ties.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WechatParams {
    pub min_circle: usize,
    pub max_circle: usize,
    /// Exponent of the circle-size power law, P(s) ∝ s^-exponent.
    pub circle_exponent: f64,
    pub circle_degree: usize,
    pub rewire: f64,
    pub overlap: f64,
    pub bridges_per_node: f64,
}

impl Default for WechatParams {
    fn default() -> Self {
        WechatParams {
            min_circle: 10,
            max_circle: 150,
            circle_exponent: 2.0,
            circle_degree: 10,
            rewire: 0.05,
            overlap: 0.3,
            bridges_per_node: 0.3,
        }
    }
}

/// Parameters of the Alipay-like weak-tie shape: a Chung–Lu random graph (Chung & Lu 2002) whose
/// expected degrees follow a power law with exponent `exponent` and mean `mean_degree`, capped at
/// the structural cutoff sqrt(n · mean_degree) so that hubs do not close triangles among themselves.
/// Every tie is weak: payments between acquaintances, customers and merchants.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AlipayParams {
    pub mean_degree: f64,
    pub exponent: f64,
}

impl Default for AlipayParams {
    fn default() -> Self {
        AlipayParams {
            mean_degree: 6.0,
            exponent: 2.5,
        }
    }
}

impl Generator {
    /// The generator named `name` (`wechat`, `alipay`, `ba`, `ws`, `er`) with default parameters.
    pub fn by_name(name: &str) -> Result<Generator> {
        Ok(match name.to_ascii_lowercase().as_str() {
            "wechat" => Generator::Wechat(WechatParams::default()),
            "alipay" => Generator::Alipay(AlipayParams::default()),
            "ba" => Generator::Ba { m: default_ba_m() },
            "ws" => Generator::Ws {
                k: default_ws_k(),
                beta: default_ws_beta(),
            },
            "er" => Generator::Er {
                mean_degree: default_er_degree(),
            },
            _ => {
                return Err(Error::invalid(
                    "generator",
                    name,
                    "expected wechat, alipay, ba, ws or er",
                ));
            }
        })
    }

    /// The generator named `name` with parameters given as `KEY=VALUE` text (`m=3`, `beta=0.1`),
    /// each value read as an integer, a number or a word, as a scenario file would hold it.
    ///
    /// # Errors
    /// An unknown generator, a parameter without `=`, or one the generator does not take or
    /// cannot use; named as `--param` with the value.
    pub fn with_params(name: &str, params: &[String]) -> Result<Generator> {
        Generator::by_name(name)?;
        let mut table = toml::Table::new();
        table.insert(
            "model".into(),
            toml::Value::String(name.to_ascii_lowercase()),
        );
        for kv in params {
            let (k, v) = kv
                .split_once('=')
                .ok_or_else(|| Error::invalid("--param", kv.as_str(), "expected KEY=VALUE"))?;
            let value = if let Ok(i) = v.parse::<i64>() {
                toml::Value::Integer(i)
            } else if let Ok(f) = v.parse::<f64>() {
                toml::Value::Float(f)
            } else {
                toml::Value::String(v.to_string())
            };
            table.insert(k.trim().to_string(), value);
        }
        toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| {
                Error::invalid("--param", params.join(" "), e.message().to_string())
            })
    }

    /// The generator's short name.
    pub fn name(&self) -> &'static str {
        match self {
            Generator::Wechat(_) => "wechat",
            Generator::Alipay(_) => "alipay",
            Generator::Ba { .. } => "ba",
            Generator::Ws { .. } => "ws",
            Generator::Er { .. } => "er",
        }
    }

    fn validate(&self, n: usize) -> Result<()> {
        let bad = |opt: &str, v: String, msg: &str| Err(Error::invalid(opt, v, msg));
        if n < 2 {
            return bad("--nodes", n.to_string(), "a graph needs at least 2 nodes");
        }
        if n > u32::MAX as usize - 1 {
            return bad("--nodes", n.to_string(), "at most 2^32 - 2 nodes");
        }
        let prob = |opt: &str, p: f64| -> Result<()> {
            if !(0.0..=1.0).contains(&p) {
                return bad(opt, p.to_string(), "must be in [0, 1]");
            }
            Ok(())
        };
        match self {
            Generator::Wechat(w) => {
                if w.min_circle < 2 || w.max_circle < w.min_circle {
                    return bad(
                        "min_circle/max_circle",
                        format!("{}/{}", w.min_circle, w.max_circle),
                        "need 2 <= min_circle <= max_circle",
                    );
                }
                if w.circle_degree < 2 {
                    return bad(
                        "circle_degree",
                        w.circle_degree.to_string(),
                        "must be at least 2",
                    );
                }
                if !(w.circle_exponent.is_finite()) {
                    return bad(
                        "circle_exponent",
                        w.circle_exponent.to_string(),
                        "must be finite",
                    );
                }
                prob("rewire", w.rewire)?;
                prob("overlap", w.overlap)?;
                if !(w.bridges_per_node >= 0.0 && w.bridges_per_node.is_finite()) {
                    return bad(
                        "bridges_per_node",
                        w.bridges_per_node.to_string(),
                        "must be >= 0",
                    );
                }
            }
            Generator::Alipay(a) => {
                if !(a.mean_degree > 0.0 && a.mean_degree < n as f64) {
                    return bad(
                        "mean_degree",
                        a.mean_degree.to_string(),
                        "must be in (0, n)",
                    );
                }
                if !(a.exponent > 2.0 && a.exponent.is_finite()) {
                    return bad("exponent", a.exponent.to_string(), "must be > 2");
                }
            }
            Generator::Ba { m } => {
                if *m < 1 || *m >= n {
                    return bad("m", m.to_string(), "must be in [1, n)");
                }
            }
            Generator::Ws { k, beta } => {
                if *k < 2 || k % 2 == 1 || *k >= n {
                    return bad("k", k.to_string(), "must be even, >= 2 and < n");
                }
                prob("beta", *beta)?;
            }
            Generator::Er { mean_degree } => {
                if !(*mean_degree >= 0.0 && *mean_degree <= (n - 1) as f64) {
                    return bad(
                        "mean_degree",
                        mean_degree.to_string(),
                        "must be in [0, n-1]",
                    );
                }
            }
        }
        Ok(())
    }

    /// Generates a graph of `n` nodes from seed `seed`.
    ///
    /// Complexity: O(n + m) time and memory for every model.
    ///
    /// # Example
    /// ```
    /// use hongbao::graph::generate::Generator;
    /// let g = Generator::by_name("ws").unwrap().generate(1000, 7).unwrap();
    /// assert_eq!(g.node_count(), 1000);
    /// ```
    pub fn generate(&self, n: usize, seed: u64) -> Result<Graph> {
        self.validate(n)?;
        let mut rng = rng::stream(seed, rng::purpose::GENERATOR);
        let mut e = Edges::default();
        match self {
            Generator::Wechat(p) => wechat(p, n, &mut rng, &mut e),
            Generator::Alipay(p) => chung_lu(p, n, &mut rng, &mut e),
            Generator::Ba { m } => barabasi_albert(*m, n, &mut rng, &mut e),
            Generator::Ws { k, beta } => watts_strogatz(*k, *beta, n, &mut rng, &mut e),
            Generator::Er { mean_degree } => {
                erdos_renyi(*mean_degree / (n - 1) as f64, n, &mut rng, &mut e)
            }
        }
        Ok(Graph::from_edges(
            EdgeList {
                n,
                src: e.src,
                dst: e.dst,
                ties: Some(e.ties),
                weights: None,
                ids: NodeIds::Range(n),
            },
            false,
        ))
    }
}

#[derive(Default)]
struct Edges {
    src: Vec<u32>,
    dst: Vec<u32>,
    ties: Vec<TieClass>,
}

impl Edges {
    #[inline]
    fn push(&mut self, u: u32, v: u32, t: TieClass) {
        self.src.push(u);
        self.dst.push(v);
        self.ties.push(t);
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

fn wechat(p: &WechatParams, n: usize, rng: &mut Rng, e: &mut Edges) {
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

fn chung_lu(p: &AlipayParams, n: usize, rng: &mut Rng, e: &mut Edges) {
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

fn barabasi_albert(m: usize, n: usize, rng: &mut Rng, e: &mut Edges) {
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

fn watts_strogatz(k: usize, beta: f64, n: usize, rng: &mut Rng, e: &mut Edges) {
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

fn erdos_renyi(p: f64, n: usize, rng: &mut Rng, e: &mut Edges) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn all() -> Vec<Generator> {
        ["wechat", "alipay", "ba", "ws", "er"]
            .iter()
            .map(|n| Generator::by_name(n).unwrap())
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn generators_are_simple_symmetric_and_deterministic(n in 30usize..600, seed in any::<u64>(), which in 0usize..5) {
            let g = &all()[which];
            let a = g.generate(n, seed).unwrap();
            let b = g.generate(n, seed).unwrap();
            prop_assert_eq!(a.node_count(), n);
            prop_assert_eq!(a.targets(), b.targets());
            prop_assert_eq!(a.ties(), b.ties());
            for u in 0..n as u32 {
                prop_assert!(!a.neighbors(u).contains(&u));
                for &v in a.neighbors(u) {
                    prop_assert!(a.find_arc(v, u).is_some());
                }
            }
        }
    }

    #[test]
    fn different_seeds_give_different_graphs() {
        for g in all() {
            let a = g.generate(500, 1).unwrap();
            let b = g.generate(500, 2).unwrap();
            assert_ne!(a.targets(), b.targets(), "{}", g.name());
        }
    }

    #[test]
    fn er_mean_degree_is_close_to_target() {
        let g = Generator::Er { mean_degree: 8.0 }
            .generate(20_000, 3)
            .unwrap();
        let mean = g.arc_count() as f64 / g.node_count() as f64;
        // Edge count ~ Binomial(C(n,2), p): sd of the mean degree ≈ sqrt(8 / n) · ... ≈ 0.03.
        assert!((mean - 8.0).abs() < 0.15, "mean degree {mean}");
    }

    #[test]
    fn ba_has_m_edges_per_new_node() {
        let g = Generator::Ba { m: 3 }.generate(1000, 9).unwrap();
        assert_eq!(g.edge_count(), (1000 - 3) * 3);
        assert_eq!(g.build_counts().duplicates, 0);
    }

    #[test]
    fn ws_without_rewiring_is_a_ring_lattice() {
        let g = Generator::Ws { k: 4, beta: 0.0 }.generate(10, 1).unwrap();
        assert_eq!(g.neighbors(0), &[1, 2, 8, 9]);
        assert_eq!(g.tie_split(), (20, 0));
    }

    #[test]
    fn wechat_circles_are_strong_and_bridges_weak() {
        let g = Generator::by_name("wechat")
            .unwrap()
            .generate(5000, 4)
            .unwrap();
        let (strong, weak) = g.tie_split();
        assert!(strong > 5 * weak, "strong {strong} weak {weak}");
        assert!(weak > 0);
    }

    #[test]
    fn bad_parameters_are_refused() {
        assert!(Generator::Ba { m: 10 }.generate(5, 1).is_err());
        assert!(Generator::Ws { k: 3, beta: 0.1 }.generate(50, 1).is_err());
        assert!(Generator::by_name("nope").is_err());
        assert!(Generator::Er { mean_degree: 1.0 }.generate(1, 1).is_err());
    }
}

//! Seeded graph generators: the two platform shapes of the red-packet story and the classics.
//!
//! Every generator is a pure function of `(parameters, n, seed)`: the same arguments give the same
//! graph, bit for bit, on any machine and thread count. Each labels its ties: edges inside a friend
//! circle (or a lattice neighbourhood) are [`TieClass::Strong`], edges that bridge circles are
//! [`TieClass::Weak`].

use super::rewire::{Rewire, degree_preserving};
use super::shapes::{
    Edges, barabasi_albert, centola, chung_lu, erdos_renyi, watts_strogatz, wechat,
};
use super::{EdgeList, Graph, NodeIds};
use crate::rng;
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
    /// Centola's (2010) clustered networks: a periodic lattice, hexagonal (every node with 6
    /// neighbours) or Moore (8), of `w × h = n` nodes. Every tie is strong.
    Centola {
        #[serde(default)]
        lattice: Lattice,
    },
}

/// The lattice of [`Generator::Centola`].
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lattice {
    /// The triangular lattice on a torus: 6 neighbours each, each pair of neighbours sharing two.
    #[default]
    Hex,
    /// The Moore neighbourhood on a torus: 8 neighbours each.
    Moore,
}

/// Takes a textual `rewire` (the twin) out of a generator's table, leaving a number (wechat's
/// in-circle rewiring) in place; `Err(value)` for a word that is not a rewiring.
pub fn take_rewire(table: &mut toml::Table) -> std::result::Result<Rewire, String> {
    match table.get("rewire") {
        Some(toml::Value::String(s)) => {
            let r = Rewire::parse(s).ok_or_else(|| s.clone())?;
            table.remove("rewire");
            Ok(r)
        }
        _ => Ok(Rewire::None),
    }
}

/// The sides `w ≤ h` of a lattice of `n` nodes, as square as `n` allows, each at least 3.
pub fn lattice_sides(n: usize) -> Option<(usize, usize)> {
    (3..=n.isqrt())
        .rev()
        .find(|&w| n.is_multiple_of(w) && n / w >= 3)
        .map(|w| (w, n / w))
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
    /// An upper bound on the mean degree the generator draws (for memory estimates).
    pub fn mean_degree_bound(&self) -> f64 {
        match self {
            Generator::Wechat(p) => {
                p.circle_degree as f64 * (1.0 + p.overlap) + 2.0 * p.bridges_per_node + 1.0
            }
            Generator::Alipay(p) => p.mean_degree * 1.5 + 1.0,
            Generator::Ba { m } => 2.0 * *m as f64,
            Generator::Ws { k, .. } => *k as f64,
            Generator::Er { mean_degree } => mean_degree * 1.5 + 1.0,
            Generator::Centola { lattice } => match lattice {
                Lattice::Hex => 6.0,
                Lattice::Moore => 8.0,
            },
        }
    }

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
            "centola" => Generator::Centola {
                lattice: Lattice::Hex,
            },
            _ => {
                return Err(Error::invalid(
                    "generator",
                    name,
                    "expected wechat, alipay, ba, ws, er or centola",
                ));
            }
        })
    }

    /// The generator named `name` with parameters given as `KEY=VALUE` text (`m=3`, `beta=0.1`),
    /// each value read as an integer, a number or a word, as a scenario file would hold it;
    /// `rewire=degree-preserving` asks for the graph's random twin (see [`Rewire`]).
    ///
    /// # Errors
    /// An unknown generator, a parameter without `=`, or one the generator does not take or
    /// cannot use; named as `--param` with the value.
    pub fn with_params(name: &str, params: &[String]) -> Result<(Generator, Rewire)> {
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
        let rewire = take_rewire(&mut table).map_err(|v| {
            Error::invalid(
                "--param",
                format!("rewire={v}"),
                "expected rewire=degree-preserving (or a number for wechat's in-circle rewiring)",
            )
        })?;
        let generator = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| {
                Error::invalid("--param", params.join(" "), e.message().to_string())
            })?;
        Ok((generator, rewire))
    }

    /// Generates a graph of `n` nodes from seed `seed`, then rewires it as `rewire` says.
    ///
    /// # Errors
    /// As [`Generator::generate`].
    pub fn generate_rewired(&self, rewire: Rewire, n: usize, seed: u64) -> Result<Graph> {
        let g = self.generate(n, seed)?;
        Ok(match rewire {
            Rewire::None => g,
            Rewire::DegreePreserving => degree_preserving(&g, seed),
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
            Generator::Centola { .. } => "centola",
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
            Generator::Centola { .. } => {
                if lattice_sides(n).is_none() {
                    return bad(
                        "--nodes",
                        n.to_string(),
                        "a lattice needs w × h nodes with w, h >= 3 (Centola used 98 = 7×14, 128 = 8×16 and 144 = 12×12)",
                    );
                }
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
            Generator::Centola { lattice } => centola(*lattice, n, &mut e),
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

    #[test]
    fn centola_lattices_have_the_degree_and_clustering_of_the_experiment() {
        assert_eq!(lattice_sides(98), Some((7, 14)));
        assert_eq!(lattice_sides(128), Some((8, 16)));
        assert_eq!(lattice_sides(144), Some((12, 12)));
        assert_eq!(lattice_sides(97), None);
        assert_eq!(lattice_sides(8), None, "2 × 4 is too narrow for a torus");
        for (lattice, degree, clustering) in
            [(Lattice::Hex, 6, 0.4), (Lattice::Moore, 8, 3.0 / 7.0)]
        {
            for n in [98, 128, 144] {
                let g = Generator::Centola { lattice }.generate(n, 1).unwrap();
                assert!(
                    (0..n as u32).all(|u| g.degree(u) == degree),
                    "{lattice:?} {n}"
                );
                let s = crate::graph::stats::stats(&g);
                assert!(
                    (s.avg_clustering - clustering).abs() < 1e-9,
                    "{lattice:?} {n}: {}",
                    s.avg_clustering
                );
                assert_eq!((s.components, s.duplicates_dropped), (1, 0));
                assert_eq!(g.tie_split(), (n * degree / 2, 0), "every tie strong");
            }
        }
        let e = Generator::by_name("centola")
            .unwrap()
            .generate(97, 1)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("--nodes") && e.contains("97") && e.contains("12×12"),
            "{e}"
        );
    }

    #[test]
    fn params_ask_for_the_twin_and_wechat_keeps_its_number() {
        let p = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let (g, r) = Generator::with_params(
            "centola",
            &p(&["lattice=moore", "rewire=degree-preserving"]),
        )
        .unwrap();
        assert_eq!(
            (g, r),
            (
                Generator::Centola {
                    lattice: Lattice::Moore
                },
                Rewire::DegreePreserving
            )
        );
        let (g, r) = Generator::with_params("wechat", &p(&["rewire=0.2"])).unwrap();
        assert_eq!(r, Rewire::None);
        assert!(matches!(g, Generator::Wechat(w) if w.rewire == 0.2));
        let e = Generator::with_params("ba", &p(&["rewire=sideways"]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("--param") && e.contains("sideways"), "{e}");
        let twin = Generator::Centola {
            lattice: Lattice::Hex,
        }
        .generate_rewired(Rewire::DegreePreserving, 144, 3)
        .unwrap();
        assert!((0..144).all(|u| twin.degree(u) == 6));
        assert!(crate::graph::stats::stats(&twin).avg_clustering < 0.15);
    }
}

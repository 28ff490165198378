//! The models where adoption needs reinforcement (threshold, fractional, linear threshold,
//! dose–response) against closed forms, exact enumeration of the least fixpoint, and the
//! independent cascade they contain as special cases.

use hongbao::Naming;
use hongbao::cascade::{Adoption, Delay, Engine, Model, MonteCarlo, simulate, simulate_with};
use hongbao::curves::{Accumulator, Grid, Outcome, RunStats};
use hongbao::graph::generate::Generator;
use hongbao::graph::{EdgeList, Graph};

use super::graph;

const FIXED1: Delay = Delay::Fixed { hours: 1.0 };
const EXP1: Delay = Delay::Exp { mean: 1.0 };

fn model(spec: &str, p: f64, delay: Delay) -> Model {
    Model::uniform(p, delay).with_adoption(Adoption::parse(Naming::Flag, spec).unwrap())
}

fn reach(g: &Graph, m: &Model, seeds: &[(u32, f64)], runs: u64, seed: u64) -> RunStats {
    simulate(
        g,
        m,
        seeds,
        MonteCarlo { runs, seed },
        RunStats::default,
        &|| {},
    )
    .unwrap()
}

fn outcome(
    g: &Graph,
    m: &Model,
    seeds: &[(u32, f64)],
    runs: u64,
    seed: u64,
    hours: f64,
) -> Outcome {
    let grid = Grid::new(1.0, hours).unwrap();
    let n = g.node_count();
    simulate(
        g,
        m,
        seeds,
        MonteCarlo { runs, seed },
        || Accumulator::new(n, grid, f64::INFINITY),
        &|| {},
    )
    .unwrap()
    .finish("x")
}

/// `E[X]` within four standard errors of `expected`.
fn near(what: &str, s: &RunStats, expected: f64) {
    assert!(
        (s.mean() - expected).abs() <= 4.0 * s.sem() + 1e-9,
        "{what}: mean {} expected {expected} (sem {})",
        s.mean(),
        s.sem()
    );
}

fn ring(n: u32) -> Graph {
    graph(
        n as usize,
        &(0..n).map(|i| (i, (i + 1) % n)).collect::<Vec<_>>(),
        false,
    )
}

fn complete(n: u32) -> Graph {
    let pairs: Vec<(u32, u32)> = (0..n)
        .flat_map(|a| (a + 1..n).map(move |b| (a, b)))
        .collect();
    graph(n as usize, &pairs, false)
}

#[test]
fn threshold_one_with_every_exposure_is_reachability() {
    // Two components: a path 0-1-2-3 and a triangle 4-5-6.
    let g = graph(7, &[(0, 1), (1, 2), (2, 3), (4, 5), (5, 6), (6, 4)], false);
    for delay in [FIXED1, EXP1] {
        let s = reach(&g, &model("threshold:1", 1.0, delay), &[(1, 0.0)], 50, 3);
        assert_eq!((s.reach_sum, s.reach_sq_sum), (4 * 50, 16 * 50), "{delay}");
        let s = reach(&g, &model("threshold:2", 1.0, delay), &[(1, 0.0)], 50, 3);
        assert_eq!(s.reach_sum, 50, "nobody has two exposures: {delay}");
        let s = reach(
            &g,
            &model("threshold:2", 1.0, delay),
            &[(4, 0.0), (5, 0.0)],
            50,
            3,
        );
        assert_eq!(s.reach_sum, 3 * 50, "6 sees both: {delay}");
    }
}

#[test]
fn fractional_on_a_ring_and_on_a_complete_graph() {
    let g = ring(30);
    // Half of two neighbours is one exposure: the ring falls, node at distance d at hour d.
    let o = outcome(
        &g,
        &model("fractional:0.5", 1.0, FIXED1),
        &[(0, 0.0)],
        20,
        1,
        20.0,
    );
    assert_eq!(o.final_reach.mean, 30.0);
    for h in 0..=15 {
        assert_eq!(o.curve.mean[h], (1 + 2 * h).min(30) as f64, "hour {h}");
    }
    // Just over half needs both neighbours: two adjacent seeds give each neighbour only one.
    let s = reach(
        &g,
        &model("fractional:0.51", 1.0, EXP1),
        &[(0, 0.0), (1, 0.0)],
        20,
        1,
    );
    assert_eq!(s.reach_sum, 2 * 20);
    // Two seeds two apart close the node between them, and only it.
    let s = reach(
        &g,
        &model("fractional:0.51", 1.0, EXP1),
        &[(0, 0.0), (2, 0.0)],
        20,
        1,
    );
    assert_eq!(s.reach_sum, 3 * 20);
    // K10: a node has 9 neighbours; F = 0.3 needs 3 of them (2.7 rounded up).
    let k10 = complete(10);
    let seeds = |s: u32| (0..s).map(|u| (u, 0.0)).collect::<Vec<_>>();
    let s = reach(
        &k10,
        &model("fractional:0.3", 1.0, FIXED1),
        &seeds(2),
        10,
        1,
    );
    assert_eq!(s.reach_sum, 2 * 10);
    let o = outcome(
        &k10,
        &model("fractional:0.3", 1.0, FIXED1),
        &seeds(3),
        10,
        1,
        3.0,
    );
    assert_eq!(
        (o.curve.mean[0], o.curve.mean[1]),
        (3.0, 10.0),
        "all at hour 1"
    );
}

#[test]
fn linear_threshold_on_a_line_and_a_star() {
    // Path 0..9 seeded at 0: interior nodes have in-degree 2, so one active neighbour carries
    // 1/2 and node i adopts with chance (1/2)^i; the far end (in-degree 1) follows its neighbour.
    let n = 10u32;
    let path = graph(
        n as usize,
        &(0..n - 1).map(|i| (i, i + 1)).collect::<Vec<_>>(),
        false,
    );
    let expected =
        1.0 + (1..=n - 2).map(|i| 0.5f64.powi(i as i32)).sum::<f64>() + 0.5f64.powi(n as i32 - 2);
    for delay in [FIXED1, EXP1] {
        let s = reach(&path, &model("lt", 1.0, delay), &[(0, 0.0)], 200_000, 4);
        near(&format!("path, {delay}"), &s, expected);
    }
    // Star of 20 leaves: the centre seeded reaches every leaf (each has in-degree 1).
    let leaves = 20u32;
    let star = graph(
        leaves as usize + 1,
        &(1..=leaves).map(|i| (0, i)).collect::<Vec<_>>(),
        false,
    );
    let s = reach(&star, &model("lt", 1.0, EXP1), &[(0, 0.0)], 100, 2);
    assert_eq!(s.reach_sum, 21 * 100);
    // Five leaves seeded: the centre adopts with chance 5/20, and then every leaf does.
    let seeds: Vec<(u32, f64)> = (1..=5).map(|u| (u, 0.0)).collect();
    let s = reach(&star, &model("lt", 1.0, FIXED1), &seeds, 200_000, 5);
    near("star, five leaves", &s, 5.0 + 0.25 * 16.0);
}

#[test]
fn graph_weights_drive_the_linear_threshold() {
    // 0 - 2 - 1 with weights 0.3 (0-2) and 0.7 (1-2): node 2 seeded from 0 alone adopts with
    // chance 0.3, from both surely.
    let el = EdgeList {
        weights: Some(vec![0.3, 0.7]),
        ..EdgeList::from_pairs(3, &[(0, 2), (1, 2)])
    };
    let g = Graph::from_edges(el, false);
    let m = Model::uniform(1.0, FIXED1).with_adoption(
        Adoption::parse(Naming::Flag, "lt")
            .unwrap()
            .with_lt_weights(Naming::Flag, hongbao::cascade::LtWeights::Graph)
            .unwrap(),
    );
    let s = reach(&g, &m, &[(0, 0.0)], 200_000, 6);
    // Node 2 at 0.3; then node 1 (in-degree 1, weight 0.7) with chance 0.7.
    near("weighted path", &s, 1.0 + 0.3 + 0.3 * 0.7);
    let s = reach(&g, &m, &[(0, 0.0), (1, 0.0)], 100, 6);
    assert_eq!(s.reach_sum, 300);
    let unweighted = graph(3, &[(0, 2), (1, 2)], false);
    let e = simulate(
        &unweighted,
        &m,
        &[(0, 0.0)],
        MonteCarlo { runs: 1, seed: 1 },
        RunStats::default,
        &|| {},
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("--lt-weights") && e.contains("no weights"),
        "{e}"
    );
}

/// The least fixpoint above the seeds of "adopt with K live in-arcs from adopters", for every
/// live-arc configuration of a small graph, weighted by its probability.
fn exact_threshold_spread(g: &Graph, seeds: &[u32], p: f64, k: usize) -> f64 {
    let arcs: Vec<(u32, u32)> = (0..g.node_count() as u32)
        .flat_map(|u| g.neighbors(u).iter().map(move |&v| (u, v)))
        .collect();
    let m = arcs.len();
    let mut total = 0.0;
    for mask in 0u32..(1 << m) {
        let live = mask.count_ones() as i32;
        let prob = p.powi(live) * (1.0 - p).powi(m as i32 - live);
        let mut active = vec![false; g.node_count()];
        for &s in seeds {
            active[s as usize] = true;
        }
        loop {
            let mut changed = false;
            for v in 0..g.node_count() {
                if active[v] {
                    continue;
                }
                let count = arcs
                    .iter()
                    .enumerate()
                    .filter(|(j, (a, b))| {
                        *b as usize == v && mask >> j & 1 == 1 && active[*a as usize]
                    })
                    .count();
                if count >= k {
                    active[v] = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        total += prob * active.iter().filter(|&&x| x).count() as f64;
    }
    total
}

#[test]
fn thresholds_match_exact_enumeration_whatever_the_delays() {
    // Two triangles sharing node 2, plus a tail: 7 edges, 14 arcs.
    let g = graph(
        6,
        &[(0, 1), (1, 2), (2, 0), (2, 3), (3, 4), (4, 2), (4, 5)],
        false,
    );
    for (k, p, seeds) in [
        (2, 0.7, vec![0, 1]),
        (1, 0.4, vec![0]),
        (2, 0.9, vec![0, 3]),
    ] {
        let exact = exact_threshold_spread(&g, &seeds, p, k);
        let seeds: Vec<(u32, f64)> = seeds.iter().map(|&u| (u, 0.0)).collect();
        for delay in [
            FIXED1,
            Delay::LogNormal {
                median: 1.0,
                sigma: 1.5,
            },
        ] {
            let s = reach(
                &g,
                &model(&format!("threshold:{k}"), p, delay),
                &seeds,
                200_000,
                9,
            );
            near(&format!("threshold:{k} p {p} {delay}"), &s, exact);
        }
    }
}

/// Two outcomes agree: final reach within 4 combined standard errors, and the mean curve at every
/// whole hour within 4 standard errors.
fn same_distribution(what: &str, a: &Outcome, b: &Outcome) {
    let (x, y) = (&a.final_reach, &b.final_reach);
    let z = (x.mean - y.mean) / (x.sem.powi(2) + y.sem.powi(2)).sqrt();
    assert!(
        z.abs() < 4.0,
        "{what}: final reach {} vs {} (z {z})",
        x.mean,
        y.mean
    );
    for h in 0..a.curve.hour.len() {
        let d = a.curve.mean[h] - b.curve.mean[h];
        let sd = x.std.max(y.std);
        assert!(
            d.abs() < 4.0 * 2f64.sqrt() * sd / (a.runs as f64).sqrt() + 1e-9,
            "{what}: hour {h}: {} vs {}",
            a.curve.mean[h],
            b.curve.mean[h]
        );
    }
}

#[test]
fn dose_one_minus_one_minus_p_to_the_k_is_the_independent_cascade() {
    let g = Generator::by_name("wechat")
        .unwrap()
        .generate(3000, 2)
        .unwrap();
    let seeds: Vec<(u32, f64)> = (0..10).map(|i| (i * 97, 0.0)).collect();
    let p = 0.08;
    let delays = [
        EXP1,
        Delay::LogNormal {
            median: 0.5,
            sigma: 1.2,
        },
        Delay::Weibull {
            shape: 0.7,
            scale: 1.0,
        },
        FIXED1,
    ];
    for delay in delays {
        let ic = outcome(&g, &Model::uniform(p, delay), &seeds, 4000, 21, 24.0);
        // Every exposure reaches; the dose curve decides. Long enough for the largest degree.
        let max_degree = (0..g.node_count() as u32)
            .map(|u| g.degree(u))
            .max()
            .unwrap();
        let dose = Model::uniform(1.0, delay).with_adoption(Adoption::dose_like_ic(p, max_degree));
        let d = outcome(&g, &dose, &seeds, 4000, 22, 24.0);
        same_distribution(&format!("dose vs ic, {delay}"), &ic, &d);
        // threshold:1 with the chance on the exposures is the independent cascade too.
        let t1 = outcome(&g, &model("threshold:1", p, delay), &seeds, 4000, 23, 24.0);
        same_distribution(&format!("threshold:1 vs ic, {delay}"), &ic, &t1);
        assert!(
            ic.final_reach.mean > 30.0,
            "it spreads: {}",
            ic.final_reach.mean
        );
    }
}

#[test]
fn reinforcement_models_give_the_same_bytes_on_any_thread_count() {
    let g = Generator::by_name("ws").unwrap().generate(4000, 8).unwrap();
    let seeds: Vec<(u32, f64)> = (0..30).map(|i| (i * 131, 0.0)).collect();
    let grid = Grid::new(0.25, 30.0).unwrap();
    for spec in ["threshold:2", "fractional:0.2", "lt", "dose:0.2,0.5,0.6"] {
        for delay in [
            FIXED1,
            Delay::LogNormal {
                median: 1.0,
                sigma: 1.0,
            },
        ] {
            let m = model(spec, 0.8, delay);
            let on = |threads: usize| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap()
                    .install(|| {
                        simulate(
                            &g,
                            &m,
                            &seeds,
                            MonteCarlo { runs: 200, seed: 5 },
                            || Accumulator::new(4000, grid, f64::INFINITY),
                            &|| {},
                        )
                        .unwrap()
                        .finish("x")
                    })
            };
            let one = on(1);
            assert_eq!(one, on(2), "{spec} {delay}");
            assert_eq!(one, on(8), "{spec} {delay}");
        }
    }
}

#[test]
fn the_reference_engine_agrees_and_the_fused_engine_refuses() {
    let g = Generator::by_name("ws").unwrap().generate(2000, 8).unwrap();
    let seeds: Vec<(u32, f64)> = (0..20).map(|i| (i * 97, 0.0)).collect();
    let m = model("dose:0.3,0.6,0.7", 0.7, FIXED1);
    let run = |engine| {
        simulate_with(
            &g,
            &m,
            &seeds,
            MonteCarlo {
                runs: 3000,
                seed: 3,
            },
            engine,
            RunStats::default,
            &|| {},
        )
    };
    let (a, b) = (run(Engine::Scalar).unwrap(), run(Engine::Plain).unwrap());
    let z = (a.mean() - b.mean()) / (a.sem().powi(2) + b.sem().powi(2)).sqrt();
    assert!(z.abs() < 4.0, "scalar {} plain {}", a.mean(), b.mean());
    let e = run(Engine::Fused).unwrap_err().to_string();
    assert!(
        e.contains("--engine") && e.contains("independent cascade"),
        "{e}"
    );
}

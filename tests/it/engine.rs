//! The cascade engine against closed forms, exact enumeration and an independent discrete-round
//! simulator. Tolerances are multiples of the standard error, never guesses.

use hongbao::cascade::{Activation, Delay, Model, MonteCarlo, simulate, single_run};
use hongbao::curves::{Accumulator, Grid, Outcome, RunStats};
use hongbao::graph::generate::Generator;
use hongbao::graph::{Graph, TieClass};
use rand::{RngExt as _, SeedableRng};

use super::{graph, tied_graph};

fn model(p: f64, delay: Delay) -> Model {
    Model::uniform(p, delay)
}

const FIXED1: Delay = Delay::Fixed { hours: 1.0 };

/// Two engines' outcomes agree: final reach within 4 combined standard errors, and the mean curve
/// at every hour `0..=hours` within 4 standard errors (the sd of an hour's count is at most the sd
/// of the final reach).
fn assert_same_distribution(what: &str, a: &Outcome, b: &Outcome, hours: usize) {
    let (x, y) = (&a.final_reach, &b.final_reach);
    let z = (x.mean - y.mean) / (x.sem.powi(2) + y.sem.powi(2)).sqrt();
    assert!(
        z.abs() < 4.0,
        "{what}: final reach {} vs {} (z {z})",
        x.mean,
        y.mean
    );
    for h in 0..=hours {
        let d = a.curve.mean[h] - b.curve.mean[h];
        assert!(
            d.abs() < 4.0 * (2.0f64).sqrt() * x.std / (a.runs as f64).sqrt() + 1e-9,
            "{what}: hour {h}: {d}"
        );
    }
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

fn star(leaves: u32) -> Graph {
    graph(
        leaves as usize + 1,
        &(1..=leaves).map(|i| (0, i)).collect::<Vec<_>>(),
        false,
    )
}

fn path(n: u32) -> Graph {
    graph(
        n as usize,
        &(0..n - 1).map(|i| (i, i + 1)).collect::<Vec<_>>(),
        false,
    )
}

/// Delays of any size keep every adopter, in time order: a log-normal of σ = 20 draws delays up to
/// about e^100 hours, whose bucket numbers pass 2^64 (the calendar's window overflowed there before
/// bucket numbers were capped).
#[test]
fn huge_delays_keep_every_adopter_in_time_order() {
    let g = path(6);
    let m = model(
        1.0,
        Delay::LogNormal {
            median: 1.0,
            sigma: 20.0,
        },
    );
    for r in 0..300 {
        let t = single_run(&g, &m, &[(0, 0.0)], 5, r).unwrap();
        assert_eq!(t.len(), 6, "run {r}: {t:?}");
        assert!(t.windows(2).all(|w| w[0] <= w[1]), "run {r}: {t:?}");
        assert!(t.iter().all(|x| x.is_finite()), "run {r}: {t:?}");
    }
}

#[test]
fn star_with_centre_seeded_reaches_one_plus_leaves_times_p() {
    let (leaves, p, runs) = (100u32, 0.3, 20_000u64);
    let s = reach(
        &star(leaves),
        &model(p, Delay::Exp { mean: 2.0 }),
        &[(0, 0.0)],
        runs,
        7,
    );
    let expected = 1.0 + leaves as f64 * p;
    // Reach - 1 is Binomial(leaves, p): the standard error of the mean is known exactly.
    let se = (leaves as f64 * p * (1.0 - p) / runs as f64).sqrt();
    assert!(
        (s.mean() - expected).abs() < 4.0 * se,
        "mean {} expected {expected} se {se}",
        s.mean()
    );
}

#[test]
fn path_seeded_at_one_end_reaches_sum_of_powers() {
    use hongbao::cascade::{Engine, simulate_with};
    let (n, p, runs) = (12u32, 0.8f64, 40_000u64);
    let expected: f64 = (0..n).map(|i| p.powi(i as i32)).sum();
    for engine in [Engine::Auto, Engine::Scalar, Engine::Fused, Engine::Plain] {
        let s = simulate_with(
            &path(n),
            &model(p, FIXED1),
            &[(0, 0.0)],
            MonteCarlo { runs, seed: 3 },
            engine,
            RunStats::default,
            &|| {},
        )
        .unwrap();
        assert!(
            (s.mean() - expected).abs() < 4.0 * s.sem(),
            "{engine:?}: mean {} expected {expected} sem {}",
            s.mean(),
            s.sem()
        );
    }
}

#[test]
fn p_zero_gives_the_seeds_and_p_one_their_component() {
    // Two components: a 5-cycle with a chord, and a triangle; plus an isolated node.
    let g = graph(
        9,
        &[
            (0, 1),
            (1, 2),
            (2, 3),
            (3, 4),
            (4, 0),
            (0, 2),
            (5, 6),
            (6, 7),
            (7, 5),
        ],
        false,
    );
    let s0 = reach(
        &g,
        &model(0.0, Delay::Exp { mean: 1.0 }),
        &[(1, 0.0), (6, 0.0)],
        200,
        1,
    );
    assert_eq!((s0.reach_sum, s0.reach_sq_sum), (2 * 200, 4 * 200));
    let s1 = reach(
        &g,
        &model(
            1.0,
            Delay::LogNormal {
                median: 1.0,
                sigma: 2.0,
            },
        ),
        &[(1, 0.0)],
        200,
        1,
    );
    assert_eq!((s1.reach_sum, s1.reach_sq_sum), (5 * 200, 25 * 200));
    let s2 = reach(&g, &model(1.0, FIXED1), &[(1, 0.0), (8, 0.0)], 50, 1);
    assert_eq!(s2.reach_sum, 6 * 50);
}

/// Exact expected spread by enumerating every live-arc configuration of a small graph.
fn exact_spread(g: &Graph, seeds: &[u32], p: f64) -> f64 {
    let arcs: Vec<(u32, u32)> = (0..g.node_count() as u32)
        .flat_map(|u| g.neighbors(u).iter().map(move |&v| (u, v)))
        .collect();
    let m = arcs.len();
    assert!(m <= 22);
    let mut total = 0.0;
    for mask in 0u32..(1 << m) {
        let live = mask.count_ones() as i32;
        let prob = p.powi(live) * (1.0 - p).powi(m as i32 - live);
        let mut active = vec![false; g.node_count()];
        let mut stack: Vec<u32> = seeds.to_vec();
        for &s in seeds {
            active[s as usize] = true;
        }
        while let Some(u) = stack.pop() {
            for (k, &(a, b)) in arcs.iter().enumerate() {
                if a == u && mask >> k & 1 == 1 && !active[b as usize] {
                    active[b as usize] = true;
                    stack.push(b);
                }
            }
        }
        total += prob * active.iter().filter(|&&x| x).count() as f64;
    }
    total
}

#[test]
fn small_graph_matches_exact_enumeration() {
    // 7 nodes, 9 edges = 18 arcs: 2^18 configurations.
    let g = graph(
        7,
        &[
            (0, 1),
            (1, 2),
            (2, 0),
            (2, 3),
            (3, 4),
            (4, 5),
            (5, 3),
            (5, 6),
            (1, 6),
        ],
        false,
    );
    for (p, delay) in [
        (0.3, FIXED1),
        (
            0.6,
            Delay::Weibull {
                shape: 0.7,
                scale: 3.0,
            },
        ),
    ] {
        let exact = exact_spread(&g, &[0], p);
        let s = reach(&g, &model(p, delay), &[(0, 0.0)], 100_000, 11);
        assert!(
            (s.mean() - exact).abs() < 4.0 * s.sem(),
            "p {p}: mean {} exact {exact} sem {}",
            s.mean(),
            s.sem()
        );
    }
}

#[test]
fn fixed_one_hour_delays_with_p_one_give_bfs_distances() {
    let g = Generator::by_name("ws").unwrap().generate(2000, 5).unwrap();
    let times = single_run(&g, &model(1.0, FIXED1), &[(0, 0.0), (999, 0.0)], 1, 0).unwrap();
    // Independent BFS.
    let mut dist = vec![u32::MAX; g.node_count()];
    let mut queue = std::collections::VecDeque::from([0u32, 999]);
    dist[0] = 0;
    dist[999] = 0;
    while let Some(u) = queue.pop_front() {
        for &v in g.neighbors(u) {
            if dist[v as usize] == u32::MAX {
                dist[v as usize] = dist[u as usize] + 1;
                queue.push_back(v);
            }
        }
    }
    let mut expected: Vec<f64> = dist
        .iter()
        .filter(|&&d| d != u32::MAX)
        .map(|&d| d as f64)
        .collect();
    expected.sort_by(f64::total_cmp);
    assert_eq!(times, expected);
}

/// Classic discrete-round IC (Kempe et al. 2003), written independently of the engine: mean number
/// of nodes active after each round, and the standard error of each mean.
fn discrete_rounds(
    g: &Graph,
    seeds: &[u32],
    p: f64,
    rounds: usize,
    runs: usize,
) -> (Vec<f64>, Vec<f64>) {
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(999);
    let mut sum = vec![0.0; rounds + 1];
    let mut sq = vec![0.0; rounds + 1];
    for _ in 0..runs {
        let mut active = vec![false; g.node_count()];
        let mut frontier: Vec<u32> = seeds.to_vec();
        for &s in seeds {
            active[s as usize] = true;
        }
        let mut count = seeds.len() as f64;
        for r in 0..=rounds {
            sum[r] += count;
            sq[r] += count * count;
            let mut next = vec![];
            for &u in &frontier {
                for &v in g.neighbors(u) {
                    let coin: f64 = rng.random();
                    if coin < p && !active[v as usize] {
                        active[v as usize] = true;
                        next.push(v);
                    }
                }
            }
            count += next.len() as f64;
            frontier = next;
        }
    }
    let r = runs as f64;
    let mean: Vec<f64> = sum.iter().map(|s| s / r).collect();
    let se = sq
        .iter()
        .zip(&mean)
        .map(|(q, m)| ((q / r - m * m).max(0.0) * r / (r - 1.0) / r).sqrt())
        .collect();
    (mean, se)
}

#[test]
fn fixed_one_hour_curve_steps_match_discrete_rounds() {
    use hongbao::cascade::{Engine, simulate_with};
    let g = Generator::Ba { m: 3 }.generate(3000, 2).unwrap();
    let p = 0.08;
    let seeds = [(0u32, 0.0), (10, 0.0), (20, 0.0)];
    let runs = 4000u64;
    let grid = Grid::new(0.5, 6.0).unwrap();
    let (mean, se) = discrete_rounds(&g, &[0, 10, 20], p, 6, 4000);
    for engine in [Engine::Auto, Engine::Scalar, Engine::Fused, Engine::Plain] {
        let acc = simulate_with(
            &g,
            &model(p, FIXED1),
            &seeds,
            MonteCarlo { runs, seed: 5 },
            engine,
            || Accumulator::new(3000, grid, f64::INFINITY),
            &|| {},
        )
        .unwrap()
        .finish("x");
        for round in 0..=6 {
            let b = round * 2; // grid every 0.5 h: hour `round` is point 2·round
            assert_eq!(acc.curve.hour[b], round as f64);
            // Between whole hours nothing happens: the curve is a staircase.
            if round < 6 {
                assert_eq!(
                    acc.curve.mean[b],
                    acc.curve.mean[b + 1],
                    "flat inside round {round}"
                );
            }
            let diff = acc.curve.mean[b] - mean[round];
            // Two independent estimates: the difference has standard error ≈ sqrt(2)·se.
            assert!(
                diff.abs() <= 4.0 * (2.0f64).sqrt() * se[round] + 1e-9,
                "{engine:?}: round {round}: engine {} discrete {} se {}",
                acc.curve.mean[b],
                mean[round],
                se[round]
            );
        }
    }
}

#[test]
fn exponential_delays_on_a_path_give_gamma_hitting_times() {
    let (n, mean_h, runs) = (8u32, 1.5, 20_000u64);
    let g = path(n);
    let m = model(1.0, Delay::Exp { mean: mean_h });
    let mut sum = vec![0.0; n as usize];
    for r in 0..runs {
        let t = single_run(&g, &m, &[(0, 0.0)], 42, r).unwrap();
        // On a path with p = 1 the i-th adoption is node i.
        for i in 0..n as usize {
            sum[i] += t[i];
        }
    }
    for (i, &total) in sum.iter().enumerate().skip(1) {
        let got = total / runs as f64;
        // Hitting time ~ Gamma(i, mean): mean i·mean, sd sqrt(i)·mean.
        let se = (i as f64).sqrt() * mean_h / (runs as f64).sqrt();
        assert!(
            (got - i as f64 * mean_h).abs() < 4.0 * se,
            "node {i}: {got} vs {}",
            i as f64 * mean_h
        );
    }
}

#[test]
fn a_later_found_shorter_path_puts_the_times_right() {
    // 0 -> 1 directly and 0 -> 2 -> 3 -> 1 round about; 1 -> 4. With p = 1 and exponential
    // delays of mean 1, node 1 adopts at min(Exp, Gamma(3)), and node 4 one delay later. A run
    // that finds its live arcs round by round finds the round-about way into 1 after 1's own
    // arcs, and must correct 1's and then 4's times. Mean times: 2 at 1 h, 3 at 2 h,
    // 1 at E[min(E, Gamma(3))] = ∫ e^{-2t}(1 + t + t²/2) dt = 7/8 h, 4 at 15/8 h: 5.75 h in all
    // (6 h if 1 kept its first time).
    use hongbao::cascade::{Engine, simulate_with};
    let g = graph(5, &[(0, 1), (0, 2), (2, 3), (3, 1), (1, 4)], true);
    let m = model(1.0, Delay::Exp { mean: 1.0 });
    struct TimeSum {
        runs: u64,
        sum: f64,
        sq: f64,
        all: bool,
    }
    impl hongbao::cascade::Accumulate for TimeSum {
        fn add_run(&mut self, t: &[f64], _: u64) {
            let x: f64 = t.iter().sum();
            self.runs += 1;
            self.sum += x;
            self.sq += x * x;
            self.all &= t.len() == 5 && t.windows(2).all(|w| w[0] <= w[1]);
        }
        fn merge(&mut self, o: Self) {
            self.runs += o.runs;
            self.sum += o.sum;
            self.sq += o.sq;
            self.all &= o.all;
        }
    }
    let runs = 40_000;
    for engine in [Engine::Scalar, Engine::Live, Engine::Dijkstra] {
        let acc = simulate_with(
            &g,
            &m,
            &[(0, 0.0)],
            MonteCarlo { runs, seed: 8 },
            engine,
            || TimeSum {
                runs: 0,
                sum: 0.0,
                sq: 0.0,
                all: true,
            },
            &|| {},
        )
        .unwrap();
        assert!(acc.all, "{}: five adopters, times sorted", engine.name());
        let r = acc.runs as f64;
        let mean = acc.sum / r;
        let se = ((acc.sq / r - mean * mean) / r).sqrt();
        assert!(
            (mean - 5.75).abs() < 4.0 * se,
            "{}: mean sum of times {mean} (se {se}), want 5.75",
            engine.name()
        );
    }
}

#[test]
fn final_reach_does_not_depend_on_the_delay_distribution() {
    let g = Generator::by_name("wechat")
        .unwrap()
        .generate(3000, 8)
        .unwrap();
    let seeds = [(1u32, 0.0), (500, 0.0)];
    let delays = [
        FIXED1,
        Delay::Exp { mean: 0.5 },
        Delay::LogNormal {
            median: 2.0,
            sigma: 1.5,
        },
        Delay::Weibull {
            shape: 0.5,
            scale: 1.0,
        },
    ];
    let results: Vec<RunStats> = delays
        .iter()
        .map(|&d| reach(&g, &model(0.1, d), &seeds, 3000, 21))
        .collect();
    for r in &results[1..] {
        let z =
            (r.mean() - results[0].mean()) / (r.sem().powi(2) + results[0].sem().powi(2)).sqrt();
        assert!(
            z.abs() < 4.0,
            "z = {z}: {} vs {}",
            r.mean(),
            results[0].mean()
        );
    }
}

#[test]
fn tie_classes_get_their_own_probability_and_delay() {
    // Centre 0 with 50 strong and 50 weak leaves.
    let edges: Vec<(u32, u32, TieClass)> = (1..=100)
        .map(|i| {
            (
                0,
                i,
                if i <= 50 {
                    TieClass::Strong
                } else {
                    TieClass::Weak
                },
            )
        })
        .collect();
    let g = tied_graph(101, &edges);
    let m = Model {
        adoption: hongbao::cascade::Adoption::Ic,
        activation: Activation::ByTie {
            strong: 0.9,
            weak: 0.1,
        },
        delay_strong: Delay::Fixed { hours: 1.0 },
        delay_weak: Delay::Fixed { hours: 5.0 },
        horizon_hours: None,
    };
    let runs = 10_000;
    let s = reach(&g, &m, &[(0, 0.0)], runs, 4);
    let expected = 1.0 + 50.0 * 0.9 + 50.0 * 0.1;
    let se = ((50.0 * 0.9 * 0.1 + 50.0 * 0.1 * 0.9) / runs as f64).sqrt();
    assert!((s.mean() - expected).abs() < 4.0 * se);
    let t = single_run(&g, &m, &[(0, 0.0)], 4, 0).unwrap();
    assert!(t[1..].iter().all(|&x| x == 1.0 || x == 5.0));
}

#[test]
fn horizon_and_seed_start_hours() {
    let g = path(10);
    let mut m = model(1.0, FIXED1);
    m.horizon_hours = Some(3.5);
    assert_eq!(
        single_run(&g, &m, &[(0, 0.0)], 1, 0).unwrap(),
        vec![0.0, 1.0, 2.0, 3.0]
    );
    m.horizon_hours = None;
    let t = single_run(&g, &m, &[(0, 2.0), (9, 0.0)], 1, 0).unwrap();
    // From node 9 at hour 0 and node 0 at hour 2: they meet in the middle.
    assert_eq!(t, vec![0.0, 1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 4.0, 5.0, 5.0]);
}

#[test]
fn weighted_rules() {
    use hongbao::graph::{EdgeList, NodeIds};
    // Star with weights 1..=4 on its 4 leaves; from-weight p = 0.2: p_i = 1 - 0.8^w.
    let g = Graph::from_edges(
        EdgeList {
            n: 5,
            src: vec![0; 4],
            dst: vec![1, 2, 3, 4],
            ties: None,
            weights: Some(vec![1.0, 2.0, 3.0, 4.0]),
            ids: NodeIds::Range(5),
        },
        false,
    );
    let m = Model {
        adoption: hongbao::cascade::Adoption::Ic,
        activation: Activation::FromWeight { p: 0.2 },
        ..model(0.0, FIXED1)
    };
    let ps: Vec<f64> = (1..=4).map(|w| 1.0 - 0.8f64.powi(w)).collect();
    let runs = 40_000;
    let s = reach(&g, &m, &[(0, 0.0)], runs, 9);
    let expected = 1.0 + ps.iter().sum::<f64>();
    let se = (ps.iter().map(|p| p * (1.0 - p)).sum::<f64>() / runs as f64).sqrt();
    assert!(
        (s.mean() - expected).abs() < 4.0 * se,
        "{} vs {expected}",
        s.mean()
    );
    // Weighted cascade on a directed in-star: each of 4 sources points at node 0 (in-degree 4).
    let g = graph(5, &[(1, 0), (2, 0), (3, 0), (4, 0)], true);
    let m = Model {
        adoption: hongbao::cascade::Adoption::Ic,
        activation: Activation::WeightedCascade,
        ..model(0.0, FIXED1)
    };
    let s = reach(&g, &m, &[(1, 0.0)], runs, 9);
    let se = (0.25 * 0.75 / runs as f64).sqrt();
    assert!((s.mean() - 1.25).abs() < 4.0 * se);
    // Weight rule on a graph without weights is refused.
    let m = Model {
        adoption: hongbao::cascade::Adoption::Ic,
        activation: Activation::FromWeight { p: 0.2 },
        ..model(0.0, FIXED1)
    };
    assert!(
        simulate(
            &path(3),
            &m,
            &[(0, 0.0)],
            MonteCarlo { runs: 1, seed: 1 },
            RunStats::default,
            &|| {}
        )
        .is_err()
    );
}

#[test]
fn directed_arcs_are_one_way() {
    let g = graph(3, &[(0, 1), (2, 1)], true);
    let s = reach(&g, &model(1.0, FIXED1), &[(1, 0.0)], 10, 1);
    assert_eq!(s.reach_sum, 10, "node 1 has no out-arcs");
    let s = reach(&g, &model(1.0, FIXED1), &[(0, 0.0)], 10, 1);
    assert_eq!(s.reach_sum, 20);
}

#[test]
fn same_result_on_one_two_and_eight_threads() {
    let g = Generator::by_name("alipay")
        .unwrap()
        .generate(5000, 3)
        .unwrap();
    let m = Model {
        horizon_hours: Some(30.0),
        ..model(
            0.15,
            Delay::LogNormal {
                median: 1.0,
                sigma: 1.0,
            },
        )
    };
    let seeds: Vec<(u32, f64)> = (0..20).map(|i| (i * 7, 0.0)).collect();
    let grid = Grid::new(0.1, 30.0).unwrap();
    let run_on = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                simulate(
                    &g,
                    &m,
                    &seeds,
                    MonteCarlo {
                        runs: 300,
                        seed: 77,
                    },
                    || Accumulator::new(5000, grid, 30.0),
                    &|| {},
                )
                .unwrap()
                .finish("x")
            })
    };
    let one = run_on(1);
    assert_eq!(one, run_on(2));
    assert_eq!(one, run_on(8));
    assert!(one.final_reach.mean > 20.0, "the cascade spread at all");
}

#[test]
fn reach_grows_with_p() {
    let g = Generator::by_name("er").unwrap().generate(2000, 1).unwrap();
    let mut last = 0.0;
    for p in [0.0, 0.05, 0.1, 0.2, 0.4] {
        let s = reach(&g, &model(p, FIXED1), &[(0, 0.0)], 400, 2);
        assert!(s.mean() >= last, "p {p}: {} < {last}", s.mean());
        assert!(s.mean() <= 2000.0);
        last = s.mean();
    }
}

#[test]
fn bad_monte_carlo_inputs_are_refused() {
    let g = path(5);
    let m = model(0.5, FIXED1);
    let err = |seeds: &[(u32, f64)], runs| {
        simulate(
            &g,
            &m,
            seeds,
            MonteCarlo { runs, seed: 1 },
            RunStats::default,
            &|| {},
        )
        .unwrap_err()
        .to_string()
    };
    assert!(err(&[(0, 0.0)], 0).contains("--runs"));
    assert!(err(&[(9, 0.0)], 1).contains("--seeds"));
    assert!(err(&[], 1).contains("--seeds"));
}

#[test]
fn fused_and_scalar_engines_agree_in_distribution() {
    use hongbao::cascade::{Engine, simulate_with};
    let g = Generator::Ba { m: 4 }.generate(20_000, 6).unwrap();
    let seeds: Vec<(u32, f64)> = (0..10).map(|i| (i * 3, 0.0)).collect();
    let grid = Grid::new(1.0, 12.0).unwrap();
    let m = model(0.06, FIXED1);
    let runs = 3000u64;
    let go = |engine| {
        simulate_with(
            &g,
            &m,
            &seeds,
            MonteCarlo { runs, seed: 12 },
            engine,
            || Accumulator::new(20_000, grid, f64::INFINITY),
            &|| {},
        )
        .unwrap()
        .finish("x")
    };
    let (scalar, fused) = (go(Engine::Scalar), go(Engine::Fused));
    assert_ne!(scalar, fused, "different random numbers");
    assert_same_distribution("scalar vs fused", &scalar, &fused, 12);
    // Arcs examined per run: the same expectation.
    let rel = (scalar.attempts_per_run - fused.attempts_per_run).abs() / scalar.attempts_per_run;
    assert!(
        rel < 0.05,
        "attempts {} vs {}",
        scalar.attempts_per_run,
        fused.attempts_per_run
    );
    // Runs not a multiple of 64, a horizon, and thread counts: still exact and reproducible.
    let mut m2 = model(0.3, Delay::Fixed { hours: 2.0 });
    m2.horizon_hours = Some(5.0);
    let run_on = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                simulate_with(
                    &g,
                    &m2,
                    &seeds,
                    MonteCarlo { runs: 100, seed: 3 },
                    Engine::Fused,
                    || Accumulator::new(20_000, grid, 5.0),
                    &|| {},
                )
                .unwrap()
                .finish("y")
            })
    };
    let one = run_on(1);
    assert_eq!(one, run_on(2));
    assert_eq!(one, run_on(8));
    assert_eq!(one.runs, 100);
    // Nothing lands after the horizon: rounds at 0, 2 and 4 h only.
    assert_eq!(one.curve.mean[4], one.curve.mean[12]);
}

#[test]
fn fused_engine_refuses_what_it_cannot_run() {
    use hongbao::cascade::{Engine, simulate_with};
    let g = path(5);
    let e = simulate_with(
        &g,
        &model(0.5, Delay::Exp { mean: 1.0 }),
        &[(0, 0.0)],
        MonteCarlo { runs: 1, seed: 1 },
        Engine::Fused,
        RunStats::default,
        &|| {},
    );
    assert!(e.unwrap_err().to_string().contains("--engine"));
    // Seeds starting at different hours need the scalar engine.
    let e = simulate_with(
        &g,
        &model(0.5, FIXED1),
        &[(0, 0.0), (4, 1.0)],
        MonteCarlo { runs: 1, seed: 1 },
        Engine::Fused,
        RunStats::default,
        &|| {},
    );
    assert!(e.is_err());
    // p = 1 with the fused engine reaches the whole path in every run, in rounds.
    let s = simulate_with(
        &g,
        &model(1.0, FIXED1),
        &[(0, 0.0)],
        MonteCarlo { runs: 70, seed: 1 },
        Engine::Fused,
        RunStats::default,
        &|| {},
    )
    .unwrap();
    assert_eq!((s.runs, s.reach_sum), (70, 5 * 70));
}

#[test]
fn skipping_and_fused_paths_agree_with_one_coin_per_arc() {
    use hongbao::cascade::{Engine, simulate_with};
    // ws: lattice ties strong, shortcuts weak, so two probabilities (thinning) are exercised too.
    let g = Generator::Ws { k: 10, beta: 0.1 }
        .generate(20_000, 4)
        .unwrap();
    let seeds: Vec<(u32, f64)> = (0..20).map(|i| (i * 997, 0.0)).collect();
    let grid = Grid::new(1.0, 10.0).unwrap();
    let runs = 2000u64;
    let go = |m: &Model, engine| {
        simulate_with(
            &g,
            m,
            &seeds,
            MonteCarlo { runs, seed: 5 },
            engine,
            || Accumulator::new(20_000, grid, f64::INFINITY),
            &|| {},
        )
        .unwrap()
        .finish("x")
    };
    let mut two_class = model(0.0, FIXED1);
    two_class.activation = Activation::ByTie {
        strong: 0.14,
        weak: 0.03,
    };
    let mut exp_two = two_class.clone();
    exp_two.delay_strong = Delay::Exp { mean: 1.0 };
    exp_two.delay_weak = Delay::Exp { mean: 3.0 };
    for (name, m, fast) in [
        (
            "uniform p, fixed delays",
            model(0.12, FIXED1),
            Engine::Fused,
        ),
        (
            "uniform p, fixed delays",
            model(0.12, FIXED1),
            Engine::Scalar,
        ),
        (
            "two classes, fixed delays",
            two_class.clone(),
            Engine::Fused,
        ),
        ("two classes, fixed delays", two_class, Engine::Scalar),
        ("two classes, exp delays", exp_two, Engine::Scalar),
    ] {
        let (plain, quick) = (go(&m, Engine::Plain), go(&m, fast));
        assert_ne!(plain, quick, "{name}: different random numbers");
        let (a, b) = (&plain.final_reach, &quick.final_reach);
        assert!(a.mean > 40.0, "{name}: the cascade spreads ({})", a.mean);
        assert_same_distribution(&format!("{name}, {fast:?}"), &plain, &quick, 10);
        // The spread of the final reach agrees too (variance ratio within sampling error).
        let ratio = a.std / b.std;
        assert!(
            (0.85..1.18).contains(&ratio),
            "{name} {fast:?}: sd ratio {ratio}"
        );
    }
}

/// `runs` runs of `m` from `seeds` (user seed 9) on `engine` and `threads` threads, curves on
/// `grid`: the outcome, and the engine that ran them (auto's choice).
fn chosen_on(
    g: &Graph,
    m: &Model,
    seeds: &[(u32, f64)],
    runs: u64,
    engine: hongbao::cascade::Engine,
    threads: usize,
    grid: Grid,
) -> (Outcome, hongbao::cascade::Engine) {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(|| {
            let (acc, chosen) = hongbao::cascade::simulate_chosen(
                g,
                m,
                seeds,
                MonteCarlo { runs, seed: 9 },
                engine,
                || Accumulator::new(g.node_count(), grid, f64::INFINITY),
                &|| {},
            )
            .unwrap();
            (acc.finish("x"), chosen)
        })
}

#[test]
fn auto_engine_chooses_by_the_sharing_of_its_pilot_runs_and_stays_exact() {
    use hongbao::cascade::{Engine, simulate_chosen, simulate_with};
    let g = Generator::Ba { m: 4 }.generate(20_000, 8).unwrap();
    let seeds: Vec<(u32, f64)> = (0..10).map(|i| (i * 5, 0.0)).collect();
    let grid = Grid::new(1.0, 12.0).unwrap();
    let runs = 1000u64;
    let go = |p: f64, engine, threads| {
        chosen_on(&g, &model(p, FIXED1), &seeds, runs, engine, threads, grid)
    };
    // p = 0.2 reaches most nodes in most runs, often in the same round: fused. p = 0.03 gives
    // small cascades that rarely meet: scalar.
    for (p, expect) in [(0.2, Engine::Fused), (0.03, Engine::Scalar)] {
        let (auto, chosen) = go(p, Engine::Auto, 2);
        assert_eq!(chosen, expect, "p {p}");
        assert_eq!(auto.runs, runs);
        // Reproducible on any number of threads, the choice included.
        assert_eq!((auto.clone(), chosen), go(p, Engine::Auto, 1));
        assert_eq!((auto.clone(), chosen), go(p, Engine::Auto, 8));
        // The same distribution as one coin per arc.
        let plain = simulate_with(
            &g,
            &model(p, FIXED1),
            &seeds,
            MonteCarlo { runs, seed: 10 },
            Engine::Plain,
            || Accumulator::new(20_000, grid, f64::INFINITY),
            &|| {},
        )
        .unwrap()
        .finish("x");
        assert_same_distribution(&format!("auto at p {p}"), &auto, &plain, 12);
    }
    // Fewer runs than the pilot: all of them pilot runs, made one by one when run 0 is large
    // (p = 0.2), as lanes of one fused batch when it is small (p = 0.03).
    for (p, expect) in [(0.2, Engine::Scalar), (0.03, Engine::Fused)] {
        let few = simulate_chosen(
            &g,
            &model(p, FIXED1),
            &seeds,
            MonteCarlo { runs: 40, seed: 9 },
            Engine::Auto,
            RunStats::default,
            &|| {},
        )
        .unwrap();
        assert_eq!((few.0.runs, few.1), (40, expect), "p {p}");
    }
}

#[test]
fn auto_engine_chooses_live_or_calendar_by_its_pilot_and_stays_exact() {
    // Continuous delays without a horizon: the live engine's pilot counts the live arcs that
    // reached a node already adopted. At p = 0.03 on a BA graph (mean degree 8) few do: live.
    // At p = 0.3 most adopters are reached several times: the calendar. With a horizon: the
    // calendar, without a pilot.
    use hongbao::cascade::{Engine, simulate_with};
    let g = Generator::Ba { m: 4 }.generate(20_000, 8).unwrap();
    let seeds: Vec<(u32, f64)> = (0..10).map(|i| (i * 5, 0.0)).collect();
    let grid = Grid::new(1.0, 12.0).unwrap();
    let exp = Delay::Exp { mean: 1.0 };
    let runs = 400u64;
    let go = |m: &Model, engine, threads| chosen_on(&g, m, &seeds, runs, engine, threads, grid);
    let cut = Model {
        horizon_hours: Some(6.0),
        ..model(0.03, exp)
    };
    for (m, expect) in [
        (model(0.03, exp), Engine::Live),
        (model(0.3, exp), Engine::Scalar),
        (cut, Engine::Scalar),
    ] {
        let what = format!("{:?}, horizon {:?}", m.activation, m.horizon_hours);
        let (auto, chosen) = go(&m, Engine::Auto, 2);
        assert_eq!(chosen, expect, "{what}");
        assert_eq!(auto.runs, runs);
        // Reproducible on any number of threads, the choice included.
        assert_eq!((auto.clone(), chosen), go(&m, Engine::Auto, 1), "{what}");
        assert_eq!((auto.clone(), chosen), go(&m, Engine::Auto, 3), "{what}");
        // The same distribution as the binary heap.
        let heap = simulate_with(
            &g,
            &m,
            &seeds,
            MonteCarlo { runs, seed: 10 },
            Engine::Dijkstra,
            || Accumulator::new(20_000, grid, f64::INFINITY),
            &|| {},
        )
        .unwrap()
        .finish("x");
        // Final reach within 4 standard errors; each hour's mean within 4 standard errors of
        // that hour's count, its sd estimated from its 5-95 % range (at p = 0.3 the final reach
        // varies far less from run to run than the count at hour 1 does).
        let (x, y) = (&auto.final_reach, &heap.final_reach);
        let z = (x.mean - y.mean) / (x.sem.powi(2) + y.sem.powi(2)).sqrt().max(1e-9);
        assert!(
            z.abs() < 4.0,
            "{what}: final reach {} vs {}",
            x.mean,
            y.mean
        );
        for h in 0..=12 {
            let sd = |o: &Outcome| (o.curve.p95[h] - o.curve.p05[h]) / 3.29;
            let se = (sd(&auto).powi(2) + sd(&heap).powi(2)).sqrt() / (runs as f64).sqrt();
            let d = auto.curve.mean[h] - heap.curve.mean[h];
            assert!(d.abs() < 4.0 * se + 1.0, "{what}: hour {h}: {d} (se {se})");
        }
    }
}

#[test]
fn seeds_drawn_in_every_run() {
    use hongbao::cascade::{Engine, SeedPlan, simulate_plan};
    // A path of 10 and 10 isolated nodes, p = 1: a seed on the path reaches 10, elsewhere 1.
    let mut pairs: Vec<(u32, u32)> = (0..9).map(|i| (i, i + 1)).collect();
    pairs.extend((10..20).map(|i| (i, i)));
    let g = graph(20, &pairs, false);
    let m = model(1.0, FIXED1);
    let run = |plan: &SeedPlan, threads: usize, engine| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                simulate_plan(
                    &g,
                    &m,
                    plan,
                    MonteCarlo {
                        runs: 20_000,
                        seed: 2,
                    },
                    engine,
                    RunStats::default,
                    &|| {},
                )
                .map(|(s, _)| s)
            })
    };
    let s = run(&SeedPlan::PerRun(1), 1, Engine::Auto).unwrap();
    // Half the runs start on the path: mean 5.5, variance 20.25.
    assert!(
        (s.mean() - 5.5).abs() < 4.0 * 4.5 / (20_000f64).sqrt(),
        "{}",
        s.mean()
    );
    assert_eq!(
        s,
        run(&SeedPlan::PerRun(1), 4, Engine::Auto).unwrap(),
        "same on any thread count"
    );
    let e = run(&SeedPlan::PerRun(1), 1, Engine::Fused)
        .unwrap_err()
        .to_string();
    assert!(e.contains("same seeds in every run"), "{e}");
    let e = run(&SeedPlan::PerRun(21), 1, Engine::Auto)
        .unwrap_err()
        .to_string();
    assert!(e.contains("random-per-run:21"), "{e}");
}

/// Adopters at every whole hour: sums and sums of squares, for means and spreads per hour.
#[derive(Clone, Debug, PartialEq)]
struct HourStats {
    hours: usize,
    runs: u64,
    sum: Vec<u64>,
    sq: Vec<u128>,
}

impl HourStats {
    /// `runs` cascades of `m` from `seeds` on `engine`, counted at every whole hour up to `hours`.
    fn simulate(
        g: &Graph,
        m: &Model,
        seeds: &[(u32, f64)],
        (runs, seed): (u64, u64),
        engine: hongbao::cascade::Engine,
        hours: usize,
    ) -> HourStats {
        hongbao::cascade::simulate_with(
            g,
            m,
            seeds,
            MonteCarlo { runs, seed },
            engine,
            || HourStats::new(hours),
            &|| {},
        )
        .unwrap()
    }

    fn new(hours: usize) -> HourStats {
        HourStats {
            hours,
            runs: 0,
            sum: vec![0; hours + 1],
            sq: vec![0; hours + 1],
        }
    }
    fn mean(&self, h: usize) -> f64 {
        self.sum[h] as f64 / self.runs as f64
    }
    fn var(&self, h: usize) -> f64 {
        let r = self.runs as f64;
        ((self.sq[h] as f64 - (self.sum[h] as f64).powi(2) / r) / (r - 1.0)).max(0.0)
    }
    /// Asserts that `self` and `other` (as many runs each) have the same distribution at every
    /// whole hour: means within 4 standard errors, spreads within 10 %.
    fn assert_same_hours(&self, other: &HourStats, what: &str) {
        let runs = self.runs as f64;
        for h in 0..=self.hours {
            let (va, vb) = (self.var(h), other.var(h));
            let se = ((va + vb) / runs).sqrt();
            let d = self.mean(h) - other.mean(h);
            assert!(
                d.abs() <= 4.0 * se + 1e-9,
                "{what}: hour {h}: {d} (se {se})"
            );
            if va > 1.0 {
                let ratio = (va / vb).sqrt();
                assert!(
                    (ratio - 1.0).abs() < 0.1,
                    "{what}: hour {h}: sd ratio {ratio}"
                );
            }
        }
    }
}

impl hongbao::cascade::Accumulate for HourStats {
    fn add_run(&mut self, t: &[f64], _: u64) {
        self.runs += 1;
        for h in 0..=self.hours {
            let c = t.partition_point(|&x| x <= h as f64) as u64;
            self.sum[h] += c;
            self.sq[h] += (c as u128).pow(2);
        }
    }
    fn merge(&mut self, o: Self) {
        self.runs += o.runs;
        for h in 0..=self.hours {
            self.sum[h] += o.sum[h];
            self.sq[h] += o.sq[h];
        }
    }
}

#[test]
fn live_rounds_and_the_calendar_queue_give_the_heaps_cascades_in_distribution() {
    use hongbao::cascade::Engine;
    let g = Generator::by_name("wechat")
        .unwrap()
        .generate(4000, 6)
        .unwrap();
    let seeds: Vec<(u32, f64)> = (0..12).map(|i| (i * 331, 0.0)).collect();
    let delays = [
        Delay::Exp { mean: 1.0 },
        Delay::LogNormal {
            median: 0.5,
            sigma: 1.2,
        },
        Delay::Weibull {
            shape: 0.7,
            scale: 1.0,
        },
    ];
    let activations = [
        Activation::Uniform { p: 0.07 },
        Activation::ByTie {
            strong: 0.15,
            weak: 0.03,
        },
        // A chance per arc: a coin per arc, no skipping.
        Activation::WeightedCascade,
    ];
    let runs = 4000;
    for delay in delays {
        for activation in &activations {
            for weak in [
                delay,
                Delay::LogNormal {
                    median: 2.0,
                    sigma: 1.0,
                },
            ] {
                let m = Model {
                    activation: activation.clone(),
                    delay_strong: delay,
                    delay_weak: weak,
                    ..model(0.0, delay)
                };
                let run = |engine, seed, threads| {
                    rayon::ThreadPoolBuilder::new()
                        .num_threads(threads)
                        .build()
                        .unwrap()
                        .install(|| HourStats::simulate(&g, &m, &seeds, (runs, seed), engine, 24))
                };
                // The calendar queue (scalar) and live-arc rounds (live: no horizon here).
                let heap = run(Engine::Dijkstra, 5, 2);
                for (engine, seed) in [(Engine::Scalar, 4), (Engine::Live, 6)] {
                    let cal = run(engine, seed, 2);
                    assert_eq!(cal, run(engine, seed, 1), "same bytes on any thread count");
                    // Against the heap's runs: the same distribution, hour by hour, in mean and in
                    // spread.
                    let what = format!("{} engine: {delay} / {weak}, {activation}", engine.name());
                    cal.assert_same_hours(&heap, &what);
                    assert!(cal.mean(24) > 15.0, "it spreads: {}", cal.mean(24));
                }
            }
        }
    }
}

#[test]
fn landings_inside_their_own_bucket_keep_the_heaps_cascade() {
    use hongbao::cascade::Engine;
    // Weibull delays of shape 0.3 put about a fifth of all successes inside the bucket being
    // settled (buckets are a thirty-second of the median), where the calendar merges them with
    // the sorted bucket. Its cascade must still be the heap's, hour by hour, in mean and spread
    // (an error of less than a bucket would not show in hours: calendar.rs's own test checks each
    // run's times against a plain Dijkstra over the arcs it drew).
    let g = Generator::by_name("wechat")
        .unwrap()
        .generate(3000, 4)
        .unwrap();
    let seeds: Vec<(u32, f64)> = (0..8).map(|i| (i * 371, 0.0)).collect();
    let fast = Delay::Weibull {
        shape: 0.3,
        scale: 1.0,
    };
    let runs = 4000;
    for (activation, weak) in [
        (Activation::Uniform { p: 0.08 }, fast),
        (
            Activation::ByTie {
                strong: 0.15,
                weak: 0.04,
            },
            Delay::Exp { mean: 0.5 },
        ),
    ] {
        let m = Model {
            activation: activation.clone(),
            delay_strong: fast,
            delay_weak: weak,
            ..model(0.0, fast)
        };
        let run = |engine, seed| HourStats::simulate(&g, &m, &seeds, (runs, seed), engine, 12);
        let (cal, heap) = (run(Engine::Scalar, 21), run(Engine::Dijkstra, 22));
        cal.assert_same_hours(&heap, &activation.to_string());
        assert!(cal.mean(12) > 15.0, "it spreads: {}", cal.mean(12));
    }
}

#[test]
fn live_rounds_leave_out_what_comes_after_the_horizon() {
    use hongbao::cascade::{Engine, simulate_with};
    let g = Generator::by_name("wechat")
        .unwrap()
        .generate(3000, 5)
        .unwrap();
    let seeds = [(0u32, 0.0), (1000, 0.0), (2000, 2.0)];
    let runs = 3000;
    let reach = |m: &Model, engine, seed| {
        simulate_with(
            &g,
            m,
            &seeds,
            MonteCarlo { runs, seed },
            engine,
            RunStats::default,
            &|| {},
        )
        .unwrap()
    };
    let open = model(0.2, Delay::Exp { mean: 1.0 });
    let cut = Model {
        horizon_hours: Some(3.0),
        ..open.clone()
    };
    let (live, heap) = (
        reach(&cut, Engine::Live, 1),
        reach(&cut, Engine::Dijkstra, 2),
    );
    let z = (live.mean() - heap.mean()) / (live.sem().powi(2) + heap.sem().powi(2)).sqrt();
    assert!(z.abs() < 4.0, "{} vs {} (z {z})", live.mean(), heap.mean());
    let all = reach(&open, Engine::Live, 1);
    assert!(
        all.mean() > live.mean() * 1.5,
        "the horizon cuts: {} vs {}",
        all.mean(),
        live.mean()
    );
}

#[test]
fn the_calendar_queue_holds_far_landings_and_late_seeds() {
    use hongbao::cascade::Engine;
    // Log-normal delays with sigma 2 land far beyond the ring's window (256 medians) now and then;
    // a seed starts at 400 h, also beyond it.
    let g = Generator::by_name("ws").unwrap().generate(3000, 2).unwrap();
    let seeds = [(0u32, 0.0), (1500, 400.0)];
    let m = Model {
        horizon_hours: Some(1000.0),
        ..model(
            0.3,
            Delay::LogNormal {
                median: 0.2,
                sigma: 2.0,
            },
        )
    };
    let runs = 2000;
    let run = |engine, seed| HourStats::simulate(&g, &m, &seeds, (runs, seed), engine, 1000);
    let heap = run(Engine::Dijkstra, 10);
    // The calendar queue, and live-arc rounds with their times past the horizon left out.
    for (engine, seed) in [(Engine::Scalar, 9), (Engine::Live, 11)] {
        let cal = run(engine, seed);
        assert_eq!(cal.runs, runs);
        for h in [1, 10, 100, 399, 400, 401, 450, 600, 1000] {
            let se = ((cal.var(h) + heap.var(h)) / runs as f64).sqrt();
            let d = cal.mean(h) - heap.mean(h);
            assert!(
                d.abs() <= 4.0 * se + 1e-9,
                "{}: hour {h}: {} vs {}",
                engine.name(),
                cal.mean(h),
                heap.mean(h)
            );
        }
        // The late seed starts a second wave.
        assert!(
            cal.mean(1000) > cal.mean(399) + 1.0,
            "{} {}",
            cal.mean(399),
            cal.mean(1000)
        );
    }
}

#[test]
fn without_a_horizon_live_runs_have_the_fixed_delay_runs_adopters() {
    // The live engine draws its delays after the rounds, from a stream of their own: its
    // rounds toss the very coins of the fixed-delay rounds of the same run, so without a
    // horizon every run reaches the same adopters whatever the delays (checked here on their
    // numbers, as the sorted list over the runs: the accumulators merge in any order), and a
    // comparison of delays carries no noise in the final reach.
    use hongbao::cascade::{Accumulate, Engine, simulate_with};
    struct Reach(Vec<u64>);
    impl Accumulate for Reach {
        fn add_run(&mut self, times: &[f64], _: u64) {
            self.0.push(times.len() as u64);
        }
        fn merge(&mut self, other: Self) {
            self.0.extend(other.0);
        }
    }
    let g = Generator::by_name("wechat")
        .unwrap()
        .generate(3000, 8)
        .unwrap();
    let seeds = [(0u32, 0.5), (1000, 0.5), (2000, 0.5)];
    let mc = MonteCarlo { runs: 400, seed: 3 };
    let reach = |m: &Model, engine| {
        let mut r = simulate_with(&g, m, &seeds, mc, engine, || Reach(Vec::new()), &|| {})
            .unwrap()
            .0;
        r.sort_unstable();
        r
    };
    let by_tie = Activation::ByTie {
        strong: 0.15,
        weak: 0.04,
    };
    for activation in [
        Activation::Uniform { p: 0.08 },
        by_tie,
        Activation::WeightedCascade,
    ] {
        let with = |strong, weak| Model {
            activation: activation.clone(),
            delay_strong: strong,
            delay_weak: weak,
            ..model(0.0, FIXED1)
        };
        let fixed = reach(&with(FIXED1, FIXED1), Engine::Scalar);
        assert!(
            fixed.iter().sum::<u64>() > 400 * 20,
            "not trivial: {fixed:?}"
        );
        let exp = Delay::Exp { mean: 1.0 };
        let ln = Delay::LogNormal {
            median: 0.7,
            sigma: 1.0,
        };
        for (strong, weak) in [(exp, exp), (ln, ln), (exp, ln)] {
            assert_eq!(
                reach(&with(strong, weak), Engine::Live),
                fixed,
                "{activation:?}"
            );
        }
        // The calendar queue draws coins and delays from one stream: the same only in
        // distribution, so not run by run.
        assert_ne!(
            reach(&with(exp, exp), Engine::Scalar),
            fixed,
            "{activation:?}"
        );
    }
}

//! Criterion benchmarks for each pipeline stage on seeded graphs.
//!
//! `cargo bench --bench pipeline` (all), or `cargo bench --bench pipeline -- load` (one group).
//! Figures and the machine they came from are recorded in `benches/RESULTS.md`.

use std::hint::black_box;
use std::io::Write;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hongbao::cascade::{Delay, Engine, Model, MonteCarlo, simulate, simulate_with, single_run};
use hongbao::curves::RunStats;
use hongbao::graph::generate::Generator;
use hongbao::graph::load::{LoadOptions, load};
use hongbao::ties::{TieSpec, classify};

/// Parsing a 5 M-edge SNAP text edge list and building the CSR.
fn bench_load(c: &mut Criterion) {
    let g = Generator::Ba { m: 5 }.generate(1_000_000, 1).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ba_1m.txt");
    {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        writeln!(w, "# 1M nodes, 5M edges").unwrap();
        for (u, v, _, _) in g.edges() {
            writeln!(w, "{u}\t{v}").unwrap();
        }
    }
    let edges = g.edge_count() as u64;
    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    group.throughput(Throughput::Elements(edges));
    group.bench_function("snap_text_5M_edges", |b| {
        b.iter(|| black_box(load(&path, &LoadOptions::default()).unwrap().arc_count()))
    });
    group.finish();
}

fn bench_generate(c: &mut Criterion) {
    let mut group = c.benchmark_group("generate");
    group.sample_size(10);
    for name in ["wechat", "alipay", "ba", "ws", "er"] {
        let g = Generator::by_name(name).unwrap();
        group.throughput(Throughput::Elements(1_000_000));
        group.bench_with_input(BenchmarkId::new(name, "1M_nodes"), &g, |b, g| {
            b.iter(|| black_box(g.generate(1_000_000, 7).unwrap().arc_count()))
        });
    }
    group.finish();
}

fn bench_ties(c: &mut Criterion) {
    let g = Generator::by_name("wechat")
        .unwrap()
        .generate(100_000, 1)
        .unwrap();
    let mut group = c.benchmark_group("ties");
    group.sample_size(10);
    group.throughput(Throughput::Elements(g.arc_count() as u64));
    for spec in ["overlap:0.2", "overlap-quantile:0.7"] {
        let s: TieSpec = spec.parse().unwrap();
        group.bench_with_input(BenchmarkId::new("wechat_100k", spec), &s, |b, s| {
            b.iter(|| black_box(classify(g.clone(), s).unwrap().tie_split()))
        });
    }
    group.finish();
}

fn model(p: f64, delay: Delay) -> Model {
    Model::uniform(p, delay)
}

fn bench_cascade(c: &mut Criterion) {
    let g = Generator::Ba { m: 5 }.generate(100_000, 1).unwrap();
    let seeds = hongbao::cascade::SeedSpec::TopDegree(50)
        .resolve(&g, 1)
        .unwrap();
    let mut group = c.benchmark_group("cascade");
    for (name, delay) in [
        ("fixed1", Delay::Fixed { hours: 1.0 }),
        ("exp1", Delay::Exp { mean: 1.0 }),
    ] {
        let m = model(0.05, delay);
        let mut r = 0u64;
        group.bench_function(BenchmarkId::new("one_run_ba_100k_p0.05", name), |b| {
            b.iter(|| {
                r += 1;
                black_box(single_run(&g, &m, &seeds, 1, r).unwrap().len())
            })
        });
    }
    group.sample_size(10);
    let m = model(0.05, Delay::Exp { mean: 1.0 });
    group.throughput(Throughput::Elements(100));
    group.bench_function("monte_carlo_100_runs_ba_100k_p0.05_exp1", |b| {
        b.iter(|| {
            let s: RunStats = simulate(
                &g,
                &m,
                &seeds,
                MonteCarlo { runs: 100, seed: 3 },
                RunStats::default,
                &|| {},
            )
            .unwrap();
            black_box(s.reach_sum)
        })
    });
    // Breadth-first rounds (fixed delays), 640 runs, by engine: auto measures its first 64 runs
    // and picks scalar or fused for the rest.
    let m = model(0.05, Delay::Fixed { hours: 1.0 });
    group.throughput(Throughput::Elements(640));
    for engine in [Engine::Auto, Engine::Scalar, Engine::Fused] {
        group.bench_function(
            BenchmarkId::new("monte_carlo_640_runs_ba_100k_p0.05_fixed1", engine.name()),
            |b| {
                b.iter(|| {
                    let s: RunStats = simulate_with(
                        &g,
                        &m,
                        &seeds,
                        MonteCarlo { runs: 640, seed: 3 },
                        engine,
                        RunStats::default,
                        &|| {},
                    )
                    .unwrap();
                    black_box(s.reach_sum)
                })
            },
        );
    }
    group.finish();
}

/// Seed selection with a deadline on the red-packet scenario's WeChat-like graph and model
/// (per-class chances and log-normal delays, 24 h): RR sets of about 57 % of the users each, a
/// reverse shortest-path search apiece. What `seeds --hours` and `best:K` in a scenario cost.
fn bench_seeds(c: &mut Criterion) {
    use hongbao::cascade::{Activation, Adoption};
    use hongbao::influence::{SelectOptions, select};
    let g = Generator::by_name("wechat")
        .unwrap()
        .generate(100_000, 1)
        .unwrap();
    let model = Model {
        adoption: Adoption::Ic,
        activation: Activation::ByTie {
            strong: 0.12,
            weak: 0.03,
        },
        delay_strong: Delay::LogNormal {
            median: 0.3,
            sigma: 1.0,
        },
        delay_weak: Delay::LogNormal {
            median: 2.0,
            sigma: 1.2,
        },
        horizon_hours: Some(24.0),
    };
    let opts = SelectOptions {
        k: 10,
        eps: 0.3,
        delta: None,
        seed: 1,
        max_memory: None,
    };
    let mut group = c.benchmark_group("seeds");
    group.sample_size(10);
    group.bench_function("timed_wechat_100k_24h_k10_eps0.3", |b| {
        b.iter(|| black_box(select(&g, &model, &opts).unwrap().estimate))
    });
    group.finish();
}

criterion_group!(
    benches,
    bench_load,
    bench_generate,
    bench_ties,
    bench_cascade,
    bench_seeds
);
criterion_main!(benches);

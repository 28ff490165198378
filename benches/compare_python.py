#!/usr/bin/env python3
"""hongbao's Python package against CyNetDiff, both called from one Python process.

The untimed independent cascade of ../shared/peers (every undirected edge two arcs, each tried once
with probability p; seeds the K highest-degree nodes, ties by lower id; R runs; the mean final number
of adopters, seeds included). For each graph and p, alternated --reps times:

  hongbao:   hongbao.Graph.load(path) + hongbao.IndependentCascade(g, p, seeds).run(R, seed)
  CyNetDiff: load the edge list with numpy, build its CSR + IndependentCascadeModel, set_seeds, and
             its loop over runs (reset_model, advance_until_completion, get_num_activated_nodes),
             as ../shared/peers/bench_cynetdiff.py times it; also its C-level batch
             (compute_marginal_gains), whichever is faster.

Prints a Markdown table: means ± sem with the z-score of their difference, the medians of the
simulation call and of load + simulation, and the ratios. Needs both packages in one environment:

  python3 -m venv /tmp/cmp && /tmp/cmp/bin/pip install ./python cynetdiff==0.1.18 networkx
  /tmp/cmp/bin/python benches/compare_python.py [--configs ba_1m:0.05:50:1000 ...] [--reps 3]

Graphs: ../shared/peers/gen_graphs.py writes them to ~/.cache/peers/graphs (GRAPHS sets another
place). Exits 1 if any |z| >= 3, 2 if a graph or a package is missing.
"""
import argparse
import math
import os
import statistics
import sys
import time

import numpy as np

DEFAULT = ["ba_100k:0.05:50:1000", "ws_100k:0.05:50:1000", "ba_1m:0.01:50:1000", "ba_1m:0.05:50:1000"]


def top_k(n, e, k):
    deg = np.bincount(e.ravel(), minlength=n)
    order = np.lexsort((np.arange(n), -deg))
    return [int(x) for x in order[:k]]


def cynetdiff_run(path, p, k, runs, seed):
    from cynetdiff.models import IndependentCascadeModel

    t0 = time.perf_counter()
    arr = np.fromfile(path, dtype=np.int64, sep=" ").reshape(-1, 2)
    n = int(arr.max()) + 1
    src = np.concatenate([arr[:, 0], arr[:, 1]])
    dst = np.concatenate([arr[:, 1], arr[:, 0]])
    order = np.lexsort((dst, src))
    edges = dst[order].astype(np.uint32)
    starts = np.zeros(n, dtype=np.uint32)
    starts[1:] = np.cumsum(np.bincount(src, minlength=n))[:-1]
    model = IndependentCascadeModel(starts, edges, activation_prob=p, rng=seed)
    seeds = top_k(n, arr, k)
    model.set_seeds(seeds)
    load = time.perf_counter() - t0
    t = time.perf_counter()
    sizes = []
    for _ in range(runs):
        model.reset_model()
        model.advance_until_completion()
        sizes.append(model.get_num_activated_nodes())
    loop = time.perf_counter() - t
    t = time.perf_counter()
    model.compute_marginal_gains(seeds, [], runs)
    batch = time.perf_counter() - t
    sizes = np.asarray(sizes, dtype=float)
    return {
        "mean": sizes.mean(),
        "sem": sizes.std(ddof=1) / math.sqrt(runs),
        "sim": min(loop, batch),
        "load": load,
        "seeds": seeds,
    }


def hongbao_run(path, p, seeds, runs, seed):
    import hongbao

    t0 = time.perf_counter()
    g = hongbao.Graph.load(path)
    load = time.perf_counter() - t0
    model = hongbao.IndependentCascade(g, p, seeds)
    t = time.perf_counter()
    mean, sem = model.run(runs, seed=seed)
    sim = time.perf_counter() - t
    return {"mean": mean, "sem": sem, "sim": sim, "load": load}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--configs", nargs="*", default=DEFAULT, help="GRAPH:P:K:RUNS")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    try:
        import cynetdiff  # noqa: F401
        import hongbao
    except ImportError as e:
        print(f"missing package: {e}", file=sys.stderr)
        return 2
    graphs = os.environ.get("GRAPHS", os.path.expanduser("~/.cache/peers/graphs"))
    print(f"hongbao {hongbao.__version__} on {hongbao.threads()} threads; CyNetDiff {cynetdiff.__version__ if hasattr(cynetdiff, '__version__') else '0.1.18'} (one thread)\n")
    print("| graph | p | k | runs | hongbao mean ± sem | CyNetDiff mean ± sem | z | hongbao sim s | CyNetDiff sim s | sim ratio | hongbao load+sim s | CyNetDiff load+sim s | whole ratio |")
    print("|---|---:|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|")
    worst = 0.0
    for c in args.configs:
        name, p, k, runs = c.split(":")
        p, k, runs = float(p), int(k), int(runs)
        path = os.path.join(graphs, f"{name}.txt")
        if not os.path.exists(path):
            print(f"missing graph {path}: run ../shared/peers/gen_graphs.py", file=sys.stderr)
            return 2
        hb, cy = [], []
        for _ in range(args.reps):
            cy.append(cynetdiff_run(path, p, k, runs, args.seed))
            hb.append(hongbao_run(path, p, cy[-1]["seeds"], runs, args.seed))
        med = lambda rs, f: statistics.median(f(r) for r in rs)  # noqa: E731
        h, y = hb[0], cy[0]
        z = (h["mean"] - y["mean"]) / math.sqrt(h["sem"] ** 2 + y["sem"] ** 2 or 1.0)
        worst = max(worst, abs(z))
        hs, ys = med(hb, lambda r: r["sim"]), med(cy, lambda r: r["sim"])
        hw, yw = med(hb, lambda r: r["sim"] + r["load"]), med(cy, lambda r: r["sim"] + r["load"])
        print(
            f"| {name} | {p} | {k} | {runs} | {h['mean']:.1f} ± {h['sem']:.1f} | {y['mean']:.1f} ± {y['sem']:.1f} | {z:+.2f} "
            f"| {hs:.3f} | {ys:.3f} | {ys / hs:.1f}× | {hw:.3f} | {yw:.3f} | {yw / hw:.1f}× |",
            flush=True,
        )
    return 1 if worst >= 3 else 0


if __name__ == "__main__":
    sys.exit(main())

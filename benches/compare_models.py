#!/usr/bin/env python3
"""hongbao's reinforcement models side by side with the peer libraries, and against its own
independent cascade. Three tables, printed as Markdown:

1. Linear threshold (`--model lt --delay fixed:1`: rounds, weights 1/in-degree, a threshold per
   node uniform on (0, 1], drawn afresh every run) against CyNetDiff's LinearThresholdModel (the
   same semantics: it draws each node's threshold lazily per run, uniform on (0, 1), and activates
   when the summed influence reaches it), seeds the K highest-degree nodes. Mean final reach ±
   sem per tool and the z-score of the difference; simulation time of each (hongbao: the "runs
   in" of `simulate`, median of --reps runs; CyNetDiff: the faster of its Python loop over runs and
   its C-level batch, compute_marginal_gains, median of --peer-reps runs, alternated with
   hongbao's); the ratio.
2. Fractional threshold (`--model fractional:F --delay fixed:1 --seeds random-per-run:K`)
   against NDlib's ThresholdModel (synchronous rounds, the same threshold F on every node, a node
   adopts when the infected share of its neighbours reaches it, fraction_infected = K / n drawn
   afresh each run) on an Erdős–Rényi graph hongbao generates: final reach and z.
3. What reinforcement costs: time per run and per arc examined of every model against the
   independent cascade on the same graph and seeds, with the default delays (exp:1) and with
   fixed:1. threshold:1 with the tie's chance p and dose with C_k = 1 - (1 - p)^k give the
   independent cascade's cascades in distribution, so their ratio to `ic` is like for like.

  python3 benches/compare_models.py                  # all three
  python3 benches/compare_models.py --skip-ndlib --lt-configs ws_100k:50:10000

Graphs come from ../shared/peers/gen_graphs.py (made on first use); the virtual environment with
the peers (../shared/peers/requirements.txt) is made on first use. Exits 1 if any |z| >= 3, 2 if
../shared/peers is absent.
"""
import argparse
import json
import math
import re
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# CyNetDiff's linear threshold takes 18 ms (ba_100k) to 0.3 s (ba_1m) per run (a std::map per run), hence
# the smaller R there.
LT_CONFIGS = ["karate:3:100000", "ws_100k:50:10000", "ba_100k:50:1000", "ba_1m:50:100"]
COST_GRAPHS = ["ws_100k", "ba_100k"]
# (label, p, spec): every model at the same per-tie chance as the independent cascade it is set
# against, and dose with C_k = 1 - 0.95^k at p = 1 (every exposure reaches), which has the same
# cascades in distribution as ic at p = 0.05.
COST_MODELS = [
    ("ic", 0.05, "ic"),
    ("ic, scalar engine", 0.05, "ic --engine scalar"),
    ("threshold:1", 0.05, "threshold:1"),
    ("threshold:2", 0.05, "threshold:2"),
    ("lt", 0.05, "lt"),
    ("dose:0.15,0.3,0.4", 0.05, "dose:0.15,0.3,0.4"),
    ("fractional:0.1", 0.05, "fractional:0.1"),
    ("dose like ic p=0.05", 1.0, None),  # C_k = 1 - 0.95^k
    ("ic", 1.0, "ic"),
    ("threshold:2", 1.0, "threshold:2"),
    ("lt", 1.0, "lt"),
    ("dose:0.15,0.3,0.4", 1.0, "dose:0.15,0.3,0.4"),
]

CYNETDIFF_LT = textwrap.dedent(
    """
    import json, sys, time
    import numpy as np
    sys.path.insert(0, sys.argv[5])
    import peers_common as pc
    from bench_cynetdiff import build_csr
    from cynetdiff.models import LinearThresholdModel
    graph, k, runs, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    n, e = pc.load_edges(graph)
    seeds = pc.top_k_seeds(pc.degrees(n, e), k)
    starts, edges = build_csr(n, e)
    model = LinearThresholdModel(starts, edges, rng=seed)
    model.set_seeds(seeds)
    counts = np.empty(runs, dtype=np.int64)
    t = time.perf_counter()
    for r in range(runs):
        model.reset_model()
        model.advance_until_completion()
        counts[r] = model.get_num_activated_nodes()
    loop = time.perf_counter() - t
    model.set_rng(seed)
    t = time.perf_counter()
    batch_mean = float(model.compute_marginal_gains(seeds, [], runs)[0])
    batch = time.perf_counter() - t
    print(json.dumps({"mean": float(counts.mean()), "sem": float(counts.std(ddof=1) / np.sqrt(runs)),
                      "loop_s": loop, "batch_s": batch, "batch_mean": batch_mean}))
    """
)

NDLIB_THRESHOLD = textwrap.dedent(
    """
    import json, sys, time
    import networkx as nx
    import numpy as np
    import ndlib.models.ModelConfig as mc
    import ndlib.models.epidemics as ep
    graph, f, k, runs, seed = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    g = nx.Graph()
    with open(graph) as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            a, b = line.split()[:2]
            g.add_edge(int(a), int(b))
    # NDlib seeds int(nodes * fraction) nodes: this fraction gives exactly k on the graph as read.
    frac = (k + 0.5) / g.number_of_nodes()
    sizes = []
    t = time.perf_counter()
    for r in range(runs):
        np.random.seed(seed + r)
        model = ep.ThresholdModel(g)
        config = mc.Configuration()
        config.add_model_parameter("fraction_infected", frac)
        for v in g.nodes():
            config.add_node_configuration("threshold", v, f)
        model.set_initial_status(config)
        last = -1
        while True:
            it = model.iteration(node_status=False)
            infected = it["node_count"][1]
            if infected == last:
                break
            last = infected
        sizes.append(infected)
    s = np.array(sizes, dtype=float)
    print(json.dumps({"mean": float(s.mean()), "sem": float(s.std(ddof=1) / np.sqrt(runs)),
                      "seconds": time.perf_counter() - t, "nodes": g.number_of_nodes()}))
    """
)


def sh(cmd, **kw):
    print("+", " ".join(map(str, cmd)), file=sys.stderr)
    return subprocess.run(cmd, check=True, **kw)


def venv(peers: Path, path: Path) -> Path:
    py = path / "bin" / "python"
    if not py.exists():
        sh([sys.executable, "-m", "venv", str(path)])
        sh([str(py), "-m", "pip", "install", "-q", "-r", str(peers / "requirements.txt")])
    return py


def hongbao(binary, graph, args):
    """One `hongbao simulate` run; returns its summary, simulation seconds and arcs per run."""
    with tempfile.TemporaryDirectory() as d:
        cmd = [str(binary), "simulate", str(graph), *args, "--seed", "1",
               "--curve-hours", "1", "--step-hours", "1", "--json", "--out", f"{d}/r"]
        res = subprocess.run(cmd, capture_output=True, text=True)
        if res.returncode != 0:
            raise SystemExit(f"hongbao failed: {' '.join(cmd)}\n{res.stderr}")
        s = json.loads(res.stdout)
        sim = re.search(r"(\d+) runs in ([0-9.]+) s", res.stderr)
        return {"mean": s["final_reach"]["mean"], "sem": s["final_reach"]["sem"],
                "sim_s": float(sim.group(2)), "arcs_per_run": s["attempts_per_run"],
                "engine": s["parameters"]["engine"]}


def median_by(reps, key):
    reps = sorted(reps, key=key)
    return reps[len(reps) // 2]


def z(a, b):
    se = math.hypot(a["sem"], b["sem"])
    if se == 0:
        return 0.0 if a["mean"] == b["mean"] else math.inf
    return (a["mean"] - b["mean"]) / se


def lt_table(args, py):
    print("## Linear threshold: `hongbao simulate --model lt --delay fixed:1` vs CyNetDiff LinearThresholdModel\n")
    print("| graph | k | R | hongbao mean ± sem | CyNetDiff mean ± sem (z) | hongbao s | CyNetDiff s (loop / batch) | ratio |")
    print("|---|---|---|---|---|---|---|---|")
    worst = 0.0
    for c in args.lt_configs:
        g, k, runs = c.split(":")
        graph = args.graphs / f"{g}.txt"
        h_reps, c_reps = [], []
        for i in range(max(args.reps, args.peer_reps)):
            if i < args.reps:
                h_reps.append(hongbao(args.hongbao, graph, ["--model", "lt", "--delay", "fixed:1",
                                                            "--seeds", f"top-degree:{k}", "--runs", runs]))
            if i < args.peer_reps:
                out = subprocess.run([str(py), "-c", CYNETDIFF_LT, str(graph), k, runs, str(1 + i), str(args.peers)],
                                     capture_output=True, text=True, check=True, cwd=args.peers).stdout
                c_reps.append(json.loads(out.strip().splitlines()[-1]))
        h = median_by(h_reps, lambda r: r["sim_s"])
        cy = median_by(c_reps, lambda r: min(r["loop_s"], r["batch_s"]))
        cy_s = min(cy["loop_s"], cy["batch_s"])
        zz = z(h, cy)
        worst = max(worst, abs(zz))
        print(f"| {g} | {k} | {runs} | {h['mean']:.2f} ± {h['sem']:.2f} | {cy['mean']:.2f} ± {cy['sem']:.2f} ({zz:+.2f}) "
              f"| {h['sim_s']:.4f} | {cy_s:.3f} ({cy['loop_s']:.3f} / {cy['batch_s']:.3f}) | {cy_s / h['sim_s']:.0f}× |", flush=True)
    print(f"\nhongbao: 2 threads, median of {args.reps} runs; CyNetDiff: one thread, the faster of its loop and "
          f"its batch, median of {args.peer_reps} runs (each with its own seed), alternated with hongbao's.\n")
    return worst


def ndlib_table(args, py):
    print("## Fractional threshold: `hongbao simulate --model fractional:F --seeds random-per-run:K --delay fixed:1` "
          "vs NDlib ThresholdModel\n")
    print("| graph | F | K | hongbao R | hongbao mean ± sem | NDlib R | NDlib mean ± sem (z) | hongbao s | NDlib s |")
    print("|---|---|---|---|---|---|---|---|---|")
    worst = 0.0
    with tempfile.TemporaryDirectory() as d:
        # Settings where runs differ (with many seeds or a low threshold every run takes the
        # whole graph and both tools agree trivially): a share of runs cascades, or none does.
        for n, degree, f, k in [(2000, 6.0, 0.25, 20), (2000, 6.0, 0.25, 40), (2000, 4.0, 0.3, 40)]:
            graph = Path(d) / f"er_{n}_{degree}.txt"
            sh([str(args.hongbao), "generate", "er", "-n", str(n), "-s", "3", "-p", f"mean_degree={degree}",
                "-o", str(graph), "-q", "--force"])
            h = hongbao(args.hongbao, graph, ["--model", f"fractional:{f}", "--delay", "fixed:1",
                                             "--seeds", f"random-per-run:{k}", "--runs", "20000"])
            out = subprocess.run([str(py), "-c", NDLIB_THRESHOLD, str(graph), str(f), str(k),
                                  str(args.ndlib_runs), "1"], capture_output=True, text=True, check=True).stdout
            nd = json.loads(out.strip().splitlines()[-1])
            if nd["nodes"] != n:
                # NDlib's graph holds only nodes with an edge; hongbao's counts every generated node.
                print(f"note: NDlib read {nd['nodes']} nodes of {n}", file=sys.stderr)
            zz = z(h, nd)
            worst = max(worst, abs(zz))
            print(f"| ER n={n}, mean degree {degree} | {f} | {k} | 20000 | {h['mean']:.1f} ± {h['sem']:.1f} | "
                  f"{args.ndlib_runs} | {nd['mean']:.1f} ± {nd['sem']:.1f} ({zz:+.2f}) | {h['sim_s']:.3f} | {nd['seconds']:.1f} |",
                  flush=True)
    print()
    return worst


def cost_table(args):
    print("## What reinforcement costs: every model against the independent cascade (hongbao, top-degree 50 seeds)\n")
    print("| graph | delays | model | p | R | final reach | engine | s per 1,000 runs | ns per arc examined | vs ic per run | vs ic per arc |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for g in args.cost_graphs:
        graph = args.graphs / f"{g}.txt"
        for delay, runs in [("exp:1", 2000), ("fixed:1", 10000)]:
            ic = None
            for label, p, spec in COST_MODELS:
                if spec is None:
                    spec = "dose:" + ",".join(f"{1 - 0.95 ** j:.12g}" for j in range(1, 400))
                reps = [hongbao(args.hongbao, graph, ["--model", *spec.split(), "--p", str(p), "--delay", delay,
                                                      "--seeds", "top-degree:50", "--runs", str(runs)])
                        for _ in range(args.reps)]
                h = median_by(reps, lambda r: r["sim_s"])
                per_run = h["sim_s"] / runs
                per_arc = h["sim_s"] / (runs * h["arcs_per_run"]) * 1e9
                if label == "ic":
                    ic = (per_run, per_arc)  # the rows below compare with the ic row above them
                print(f"| {g} | {delay} | {label} | {p} | {runs} | {h['mean']:.1f} | {h['engine']} | {1000 * per_run:.3f} "
                      f"| {per_arc:.2f} | {per_run / ic[0]:.2f} | {per_arc / ic[1]:.2f} |", flush=True)
    print(f"\nMedians of {args.reps} runs, 2 threads. The dose curve like ic is C_k = 1 - 0.95^k for k up to 399.\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hongbao", type=Path, default=ROOT / "target" / "release" / "hongbao")
    ap.add_argument("--peers", type=Path, default=ROOT.parent / "shared" / "peers")
    ap.add_argument("--graphs", type=Path, default=Path.home() / ".cache" / "peers" / "graphs")
    ap.add_argument("--venv", type=Path, default=Path.home() / ".cache" / "hongbao-peers" / "venv")
    ap.add_argument("--lt-configs", nargs="*", default=LT_CONFIGS, help="GRAPH:K:RUNS")
    ap.add_argument("--cost-graphs", nargs="*", default=COST_GRAPHS)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--peer-reps", type=int, default=3)
    # Enough that a rare global cascade (a few in a thousand runs) shows in NDlib's mean as in
    # hongbao's: with 300 runs one row disagreed by 4 standard errors for want of them.
    ap.add_argument("--ndlib-runs", type=int, default=3000)
    ap.add_argument("--skip-lt", action="store_true")
    ap.add_argument("--skip-ndlib", action="store_true")
    ap.add_argument("--skip-cost", action="store_true")
    args = ap.parse_args()
    if not args.peers.exists():
        print(f"{args.peers} is absent: nothing to compare with", file=sys.stderr)
        return 2
    if not args.hongbao.exists():
        sh(["cargo", "build", "--release"], cwd=ROOT)
    py = venv(args.peers, args.venv)
    needed = {c.split(":")[0] for c in args.lt_configs} | set(args.cost_graphs)
    if not all((args.graphs / f"{g}.txt").exists() for g in needed):
        sh([str(py), str(args.peers / "gen_graphs.py"), str(args.graphs)], cwd=args.peers)
    worst = 0.0
    if not args.skip_lt:
        worst = max(worst, lt_table(args, py))
    if not args.skip_ndlib:
        worst = max(worst, ndlib_table(args, py))
    if not args.skip_cost:
        cost_table(args)
    print(f"largest |z| = {worst:.2f} ({'agree' if worst < 3 else 'DISAGREE'}: 3 standard errors is the bar)")
    return 0 if worst < 3 else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""What continuous delays cost: `hongbao simulate` on the same graph, seeds (top-degree 50) and
p = 0.05 with every delay fixed at 1 h (breadth-first rounds) and with exponential (mean 1 h),
log-normal and Weibull delays (the default engine there: the live arcs by the same rounds, then
their shortest times; and, for reference, Dijkstra on the calendar queue, `--engine scalar`, and
on the binary heap, `--engine dijkstra`). The runs of one graph alternate, delay
after delay, so every delay is timed over the same stretch of this shared machine; the table
gives the median simulation time ("runs in" of `simulate`) and the ratios the targets speak of:
continuous over fixed (at most 1.5), log-normal and Weibull over exponential (at most 1.1).

  python3 benches/delays.py                         # ws_100k, ba_100k, ba_1m
  python3 benches/delays.py --graphs-at DIR --only ba_1m --reps 7

Graphs come from ../shared/peers/gen_graphs.py (see compare_peers.py). The 10 M-node graph is
measured by benches/scale.sh.
"""
import argparse
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = {"ws_100k": 10000, "ba_100k": 2000, "ba_1m": 1000}
DELAYS = [
    ("fixed:1", "fixed:1", "auto"),
    ("exp:1", "exp:1", "auto"),
    # The same medians' order of magnitude as exp:1 (median 0.69 h).
    ("lognormal:0.69,1", "lognormal:0.69,1", "auto"),
    ("weibull:1.5,1.13", "weibull:1.5,1.13", "auto"),
    # The engines auto does not choose here: the calendar queue (auto's choice with a horizon)
    # and the binary heap (the reference).
    ("exp:1, calendar queue", "exp:1", "scalar"),
    ("exp:1, binary heap", "exp:1", "dijkstra"),
]


def once(binary, graph, delay, engine, runs):
    with tempfile.TemporaryDirectory() as d:
        cmd = [str(binary), "simulate", str(graph), "--p", "0.05", "--seeds", "top-degree:50",
               "--runs", str(runs), "--seed", "1", "--delay", delay, "--engine", engine,
               "--curve-hours", "24", "--step-hours", "0.5", "--out", f"{d}/r"]
        res = subprocess.run(cmd, capture_output=True, text=True)
        if res.returncode != 0:
            raise SystemExit(f"hongbao failed: {' '.join(cmd)}\n{res.stderr}")
        m = re.search(r"(\d+) runs in ([0-9.]+) s \(([^ ]+) engine.*final reach ([0-9.]+)", res.stderr)
        return float(m.group(2)), m.group(3), float(m.group(4))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hongbao", type=Path, default=ROOT / "target" / "release" / "hongbao")
    ap.add_argument("--graphs-at", type=Path, default=Path.home() / ".cache" / "peers" / "graphs")
    ap.add_argument("--only", nargs="*", default=list(RUNS))
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()
    if not args.hongbao.exists():
        subprocess.run(["cargo", "build", "--release"], cwd=ROOT, check=True)
    print("| graph | R | delays | engine | median s | reach | vs fixed:1 | vs exp:1 |")
    print("|---|---|---|---|---|---|---|---|")
    worst = {"continuous": 0.0, "shape": 0.0}
    for g in args.only:
        graph = args.graphs_at / f"{g}.txt"
        if not graph.exists():
            print(f"{graph} is absent (see benches/compare_peers.py)", file=sys.stderr)
            return 2
        runs = RUNS.get(g, 1000)
        times = {label: [] for label, _, _ in DELAYS}
        info = {}
        for _ in range(args.reps):
            for label, delay, engine in DELAYS:
                s, used, reach = once(args.hongbao, graph, delay, engine, runs)
                times[label].append(s)
                info[label] = (used, reach)
        med = {k: statistics.median(v) for k, v in times.items()}
        for label, _, _ in DELAYS:
            vf, ve = med[label] / med["fixed:1"], med[label] / med["exp:1"]
            if label != "fixed:1" and ", " not in label:
                worst["continuous"] = max(worst["continuous"], vf)
            if label.startswith(("lognormal", "weibull")):
                worst["shape"] = max(worst["shape"], ve)
            print(f"| {g} | {runs} | {label} | {info[label][0]} | {med[label]:.3f} | {info[label][1]:.1f} "
                  f"| {vf:.2f} | {ve:.2f} |", flush=True)
    print(f"\nMedians of {args.reps} alternated runs, 2 threads. Largest continuous / fixed: "
          f"{worst['continuous']:.2f} (target 1.5); largest log-normal or Weibull / exp: {worst['shape']:.2f} "
          f"(target 1.1).")
    return 0


if __name__ == "__main__":
    sys.exit(main())

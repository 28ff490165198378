#!/usr/bin/env python3
"""hongbao side by side with CyNetDiff and EoN on the same graphs, semantics and seeds.

Runs `hongbao simulate` (uniform p, the K highest-degree nodes as seeds, ties by lower id, R runs,
seed 1) and, with --live, the peer scripts of ../shared/peers in a virtual environment this script
creates; otherwise it reads the peers' recorded results (../shared/peers/results-*.jsonl). Prints a
Markdown table: mean final reach ± sem per tool, z-scores of the differences, wall times, ratios,
arcs examined per second and hongbao's peak memory.

  python3 benches/compare_peers.py                 # recorded peer figures, hongbao live
  python3 benches/compare_peers.py --live          # everything live, in one run
  python3 benches/compare_peers.py --configs ws_100k:0.01:50:10000 ba_100k:0.05:50:10000

Graphs come from ../shared/peers/gen_graphs.py (made on first use, ~1 min, 1.5 GB). Exits 1 if any
|z| >= 3 (a disagreement), 2 if ../shared/peers is absent.
"""
import argparse
import glob
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIGS = [
    "karate:0.1:3:100000",
    "ws_100k:0.01:50:10000",
    "ws_100k:0.05:50:10000",
    "ba_100k:0.01:50:10000",
    "ba_100k:0.05:50:10000",
    "ba_1m:0.01:50:1000",
    "ba_1m:0.05:50:1000",
]
EON_RUNS = {"karate": 20000, "ws_100k": 2000, "ba_100k": 100, "ba_1m": 0}


def sh(cmd, **kw):
    print("+", " ".join(map(str, cmd)), file=sys.stderr)
    return subprocess.run(cmd, check=True, **kw)


def venv(peers: Path, path: Path) -> Path:
    py = path / "bin" / "python"
    if not py.exists():
        sh([sys.executable, "-m", "venv", str(path)])
        sh([str(py), "-m", "pip", "install", "-q", "-r", str(peers / "requirements.txt")])
    return py


def hongbao(binary, graph, p, k, runs):
    """Runs hongbao under /usr/bin/time (peak RSS); returns its figures."""
    with tempfile.TemporaryDirectory() as d:
        cmd = ["/usr/bin/time", "-f", "%M", str(binary), "simulate", str(graph), "--p", str(p),
               "--seeds", f"top-degree:{k}", "--runs", str(runs), "--seed", "1", "--delay", "fixed:1",
               "--curve-hours", "1", "--step-hours", "1", "--json", "--out", f"{d}/r"]
        t = time.perf_counter()
        res = subprocess.run(cmd, capture_output=True, text=True)
        wall = time.perf_counter() - t
        if res.returncode != 0:
            raise SystemExit(f"hongbao failed:\n{res.stderr}")
        s = json.loads(res.stdout)
        err = res.stderr
        sim = re.search(r"(\d+) runs in ([0-9.]+) s", err)
        loaded = re.search(r"edges in ([0-9.]+) s", err)
        return {
            "mean": s["final_reach"]["mean"], "sem": s["final_reach"]["sem"],
            "sim_s": float(sim.group(2)), "load_s": float(loaded.group(1)),
            "wall_s": wall, "arcs_per_run": s["attempts_per_run"],
            "rss_mib": int(err.strip().splitlines()[-1]) / 1024,
        }


def recorded(peers: Path):
    rows = []
    for f in sorted(glob.glob(str(peers / "results-*.jsonl"))):
        rows += [json.loads(l) for l in open(f) if l.strip()]
    return rows


def best_recorded(rows, lib, graph, p, k, runs=None):
    cand = [r for r in rows if r["library"].lower() == lib and r["graph"] == graph
            and abs(r["p"] - p) < 1e-12 and r["k"] == k and (runs is None or r["runs"] == runs)]
    if not cand:
        return None
    cand.sort(key=lambda r: r["sim_seconds"])
    return cand[len(cand) // 2]  # the median rep


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--peers", type=Path, default=ROOT.parent / "shared" / "peers")
    ap.add_argument("--graphs", type=Path, default=Path.home() / ".cache" / "peers" / "graphs")
    ap.add_argument("--venv", type=Path, default=Path.home() / ".cache" / "hongbao-peers" / "venv")
    ap.add_argument("--hongbao", type=Path, default=ROOT / "target" / "release" / "hongbao")
    ap.add_argument("--live", action="store_true", help="run CyNetDiff and EoN now instead of reading recorded results")
    ap.add_argument("--configs", nargs="*", default=DEFAULT_CONFIGS, help="GRAPH:P:K:RUNS")
    args = ap.parse_args()
    if not args.peers.exists():
        print(f"{args.peers} is absent: nothing to compare with", file=sys.stderr)
        return 2
    if not args.hongbao.exists():
        sh(["cargo", "build", "--release"], cwd=ROOT)
    py = None
    if args.live or not all((args.graphs / f"{c.split(':')[0]}.txt").exists() for c in args.configs):
        py = venv(args.peers, args.venv)
    if not all((args.graphs / f"{c.split(':')[0]}.txt").exists() for c in args.configs):
        sh([str(py), str(args.peers / "gen_graphs.py"), str(args.graphs)], cwd=args.peers)
    rows = recorded(args.peers)

    print(f"# hongbao vs peers — {time.strftime('%Y-%m-%d %H:%M')} — {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.2f} — peers {'live' if args.live else 'recorded (../shared/peers)'}\n")
    print("| graph | p | k | R | hongbao mean ± sem | CyNetDiff mean ± sem (z) | EoN mean ± sem (z) | "
          "hongbao s | CyNetDiff s | EoN s (R) | vs CyNetDiff | vs EoN per run | hongbao arcs/s | hongbao peak MiB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    worst = 0.0
    for c in args.configs:
        g, p, k, runs = c.split(":")
        p, k, runs = float(p), int(k), int(runs)
        graph = args.graphs / f"{g}.txt"
        h = hongbao(args.hongbao, graph, p, k, runs)
        peer = {}
        for lib, script, r in [("cynetdiff", "bench_cynetdiff.py", runs), ("eon", "bench_eon.py", EON_RUNS.get(g, 0))]:
            if r == 0:
                continue
            if args.live:
                out = subprocess.run([str(py), script, str(graph), "--p", str(p), "--k", str(k), "--runs", str(r),
                                      "--seed", "1"], cwd=args.peers, capture_output=True, text=True, check=True).stdout
                peer[lib] = json.loads(out.strip().splitlines()[-1])
            else:
                peer[lib] = best_recorded(rows, lib, g, p, k, r) or best_recorded(rows, lib, g, p, k)

        def agree(lib):
            x = peer.get(lib)
            if not x:
                return "–", None
            z = (h["mean"] - x["mean_activated"]) / math.hypot(h["sem"], x["sem"])
            return f"{x['mean_activated']:.2f} ± {x['sem']:.2f} ({z:+.2f})", z

        cs, cz = agree("cynetdiff")
        es, ez = agree("eon")
        worst = max([worst] + [abs(z) for z in (cz, ez) if z is not None])
        cyn, eon = peer.get("cynetdiff"), peer.get("eon")
        c_s = cyn["sim_seconds"] * runs / cyn["runs"] if cyn else None  # scaled to the same R
        e_per_run = eon["sim_seconds"] / eon["runs"] if eon else None
        h_per_run = h["sim_s"] / runs
        cells = [
            g, p, k, runs, f"{h['mean']:.2f} ± {h['sem']:.2f}", cs, es, f"{h['sim_s']:.3f}",
            f"{c_s:.3f}" if c_s else "–",
            f"{eon['sim_seconds']:.2f} ({eon['runs']})" if eon else "–",
            f"{c_s / h['sim_s']:.1f}×" if c_s else "–",
            f"{e_per_run / h_per_run:.0f}×" if e_per_run else "–",
            f"{h['arcs_per_run'] * runs / h['sim_s'] / 1e6:.0f} M",
            f"{h['rss_mib']:.0f}",
        ]
        print("| " + " | ".join(map(str, cells)) + " |", flush=True)
    print(f"\nlargest |z| = {worst:.2f} ({'agree' if worst < 3 else 'DISAGREE'}: 3 standard errors is the bar)")
    return 0 if worst < 3 else 1


if __name__ == "__main__":
    sys.exit(main())

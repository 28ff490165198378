#!/usr/bin/env python3
"""`hongbao seeds` side by side with SUBSIM (Guo et al., SIGMOD 2020), the state of the art in
reverse-reachable-set seed selection, in one run on the same graphs, models, k and ε.

For every configuration (graph × model × ε), alternating the two tools --reps times:

- SUBSIM through ../shared/peers/bench_subsim.py (one thread): its selection run's wall time with its
  binary graph loading (`wall_seconds`; its one-off text conversion is not counted), its RR sets, its seeds.
- `hongbao seeds GRAPH --k 50 --eps E (--weighted-cascade | --p P)` (two threads), the whole command timed
  from outside with its text graph loading: once with its defaults (which also simulate four seed rules
  forward for seeds.png) and once with `--eval-runs 0` (the selection alone, what SUBSIM does).
- For a gzipped graph, `hongbao seeds --eval-runs 0` once more on the same edge list unzipped (once,
  before the runs, not timed: as SUBSIM's text conversion is not): inflating is sequential, and on
  soc-Slashdot0902 takes about 20 ms of hongbao's time, while SUBSIM reads its binary file.

Both seed sets are then simulated forward by the same engine (`hongbao simulate --delay fixed:1`, final
reach, --eval-runs runs, seed 7; hongbao's and CyNetDiff's final reach agree, see compare_peers.py),
and the table says how many each reaches, with standard errors.

Usage: benches/compare_seeds.py [--graphs NAME ...] [--models wc p=0.01] [--eps 0.1 0.5] [--reps 3]
Graphs: ego-facebook and soc-slashdot0902 from ../shared/data, ba_1m from ~/.cache/peers/graphs
(../shared/peers/gen_graphs.py). A graph that is absent is skipped with a note.
"""
import argparse
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
GRAPHS = {
    # name: (path, directed)
    "ego-facebook": (SHARED / "data/ego-facebook/facebook_combined.txt.gz", False),
    "soc-slashdot0902": (SHARED / "data/soc-slashdot0902/soc-Slashdot0902.txt.gz", True),
    "ba_1m": (Path.home() / ".cache/peers/graphs/ba_1m.txt", False),
}


# The peers' virtual environment (numpy for bench_subsim.py), as compare_peers.py makes it.
VENV = Path(os.environ.get("HONGBAO_PEERS_VENV", Path.home() / ".cache/hongbao-peers/venv"))
PY = str(VENV / "bin/python") if (VENV / "bin/python").exists() else sys.executable


def run(cmd, **kw):
    t = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, **kw)
    return time.perf_counter() - t, out.stdout


def subsim(path, directed, model, k, eps, seeds_out):
    cmd = [PY, str(SHARED / "peers/bench_subsim.py"), str(path), "--k", str(k), "--eps", str(eps),
           "--seeds-out", seeds_out]
    cmd += ["--wc"] if model == "wc" else ["--p", model.split("=")[1]]
    if not directed:
        cmd.append("--undirected")
    _, out = run(cmd)
    return json.loads(out.strip().splitlines()[-1])


def hongbao(binary, path, directed, model, k, eps, out, extra=()):
    cmd = [str(binary), "seeds", str(path), "--k", str(k), "--eps", str(eps), "--seed", "1", "-q", "--json",
           "--out", out, *extra]
    cmd += ["--weighted-cascade"] if model == "wc" else ["--p", model.split("=")[1]]
    if directed:
        cmd.append("--directed")
    wall, text = run(cmd)
    return wall, json.loads(text)


def reach(binary, path, directed, model, seeds_file, runs):
    cmd = [str(binary), "simulate", str(path), "--seeds", f"file:{seeds_file}", "--delay", "fixed:1",
           "--runs", str(runs), "--seed", "7", "-q", "--json", "--out", tempfile.mkdtemp() + "/r"]
    cmd += ["--weighted-cascade"] if model == "wc" else ["--p", model.split("=")[1]]
    if directed:
        cmd.append("--directed")
    _, text = run(cmd)
    s = json.loads(text)
    return s["final_reach"]["mean"], s["final_reach"]["sem"]


def picks(seeds_txt):
    """The node ids of a seeds.txt, without its comment lines (which name the input file)."""
    return [x for x in Path(seeds_txt).read_text().splitlines() if not x.startswith("#")]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--graphs", nargs="*", default=list(GRAPHS))
    ap.add_argument("--models", nargs="*", default=["wc", "p=0.01"])
    ap.add_argument("--eps", nargs="*", type=float, default=[0.1, 0.5])
    ap.add_argument("--k", type=int, default=50)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--eval-runs", type=int, default=10000)
    ap.add_argument("--hongbao", default=str(ROOT / "target/release/hongbao"))
    a = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    print("| graph | model | ε | SUBSIM s (1 thread) | hongbao seeds s, default (2 threads) | "
          "hongbao --eval-runs 0 s | speed-up (selection) | hongbao --eval-runs 0, text unzipped s | "
          "speed-up (unzipped) | RR sets SUBSIM / hongbao | hongbao B/entry | "
          "SUBSIM seeds reach | hongbao seeds reach | difference |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for g in a.graphs:
        path, directed = GRAPHS[g]
        if not path.exists():
            print(f"| {g} | skipped: {path} is absent |")
            continue
        plain = None
        if path.suffix == ".gz":
            plain = Path(tempfile.mkdtemp()) / path.stem
            with gzip.open(path, "rb") as src, open(plain, "wb") as dst:
                shutil.copyfileobj(src, dst)
        for model in a.models:
            for eps in a.eps:
                d = tempfile.mkdtemp()
                s_wall, h_wall, h0_wall, hp_wall = [], [], [], []
                for r in range(a.reps):
                    s = subsim(path, directed, model, a.k, eps, f"{d}/subsim.txt")
                    s_wall.append(s["wall_seconds"])
                    w, h = hongbao(a.hongbao, path, directed, model, a.k, eps, f"{d}/h{r}")
                    h_wall.append(w)
                    w0, h0 = hongbao(a.hongbao, path, directed, model, a.k, eps, f"{d}/z{r}", ("--eval-runs", "0"))
                    h0_wall.append(w0)
                    if plain is not None:
                        wp, _ = hongbao(a.hongbao, plain, directed, model, a.k, eps, f"{d}/p{r}",
                                        ("--eval-runs", "0"))
                        hp_wall.append(wp)
                        # The same graph and seed: the same picks from either file.
                        same = picks(f"{d}/p{r}/seeds.txt") == picks(f"{d}/z{r}/seeds.txt")
                        assert same, f"{g}: the unzipped text gave other seeds than the gzipped file"
                sm, ss = reach(a.hongbao, path, directed, model, f"{d}/subsim.txt", a.eval_runs)
                hm, hs = reach(a.hongbao, path, directed, model, f"{d}/h0/seeds.txt", a.eval_runs)
                med = statistics.median
                sel = h["selection"]
                print(f"| {g} | {model} | {eps} | {med(s_wall):.3f} | {med(h_wall):.3f} | {med(h0_wall):.3f} | "
                      f"{med(s_wall) / med(h0_wall):.2f}× | "
                      + (f"{med(hp_wall):.3f} | {med(s_wall) / med(hp_wall):.2f}× | " if hp_wall else "— | — | ")
                      + f"{s['rr_sets']:,} / {sel['rr_sets']:,} | "
                      f"{h['rr_bytes_per_entry']:.1f} | {sm:,.1f} ± {ss:.1f} | {hm:,.1f} ± {hs:.1f} | "
                      f"{100 * (hm - sm) / sm:+.2f} % |", flush=True)
        if plain is not None:
            shutil.rmtree(plain.parent)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Runs sharded over a local timely cluster (issue 20): what the cluster path costs, and what
several processes buy on this machine.

Every configuration runs the same whole command (graph loading included, every process loads
the graph), and the configurations alternate, repetition after repetition, so each is timed over
the same stretch of this shared machine. The table gives medians of the wall time from starting
the first process to the last one's exit, and:

- `alone, 2 threads`: today's engine, no cluster (the reference for the cluster path);
- `cluster path, N = 1`: the same command with `--processes 1 --hosts FILE`: the runs go through
  the sharding, encoding and timely exchange with one process (target: at most 5 % slower);
- `N single-worker processes`, N = 1, 2, 4, each with one rayon thread (`RAYON_NUM_THREADS=1`):
  the runs-sharded speed-up. This machine has 2 cores, so at most 2 is possible, and 4 processes
  share 2 cores;
- `alone, 1 thread`: the best single-thread time, McSherry's COST: a cluster configuration is
  worth it only when it beats this.

Bytes sent are the encoded accumulators process 0 handed to the other processes (the figure
`simulate` prints), per exchange (one exchange per simulate).

  python3 benches/cluster.py                       # ba_1m (../shared peers graph) or generated
  python3 benches/cluster.py --graph g.txt --runs 2000 --reps 7
"""
import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def hosts_file(d, n):
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    p = Path(d) / f"hosts-{n}-{time.monotonic_ns()}.txt"
    p.write_text("".join(f"127.0.0.1:{port}\n" for port in ports))
    return p


def run(binary, args, d, n, cluster, threads):
    """Wall seconds of one configuration, and the bytes process 0 sent."""
    env = dict(os.environ)
    if threads:
        env["RAYON_NUM_THREADS"] = str(threads)
    else:
        env.pop("RAYON_NUM_THREADS", None)
    out = Path(d) / f"r-{time.monotonic_ns()}"
    cmd = [str(binary)] + args + ["--out", str(out)]
    start = time.perf_counter()
    if not cluster:
        p = subprocess.run(cmd, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - start
        if p.returncode != 0:
            sys.exit(f"failed: {' '.join(cmd)}\n{p.stderr}")
        return wall, 0
    hosts = hosts_file(d, n)
    procs = [
        subprocess.Popen(cmd + ["--processes", str(n), "--process", str(i), "--hosts", str(hosts)],
                         env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for i in range(n)
    ]
    errs = [p.communicate()[1] for p in procs]
    wall = time.perf_counter() - start
    for i, p in enumerate(procs):
        if p.returncode != 0:
            sys.exit(f"process {i} of {n} failed: {' '.join(cmd)}\n{errs[i]}")
    m = re.search(r"process 0 of \d+: sent ([\d,]+) bytes", errs[0])
    return wall, int(m.group(1).replace(",", "")) if m else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--graph", type=Path, help="edge list (default: ba_1m of the peers, else generated)")
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--binary", type=Path, default=ROOT / "target/release/hongbao")
    a = ap.parse_args()
    if not a.binary.exists():
        subprocess.run(["cargo", "build", "--release", "--bin", "hongbao"], cwd=ROOT, check=True)
    with tempfile.TemporaryDirectory() as d:
        graph = a.graph
        if graph is None:
            peers = Path.home() / ".cache/peers/graphs/ba_1m.txt"
            if peers.exists():
                graph = peers
            else:
                graph = Path(d) / "ba_1m.txt"
                subprocess.run([str(a.binary), "generate", "ba", "-n", "1000000", "--m", "5",
                                "--seed", "1", "-q", "-o", str(graph)], check=True)
        args = ["simulate", str(graph), "--p", "0.05", "--seeds", "top-degree:50",
                "--runs", str(a.runs), "--seed", "1"]
        configs = [
            ("alone, 2 threads (today's engine)", 1, False, None),
            ("cluster path, N = 1, 2 threads", 1, True, None),
            ("N = 1 single-worker process, 1 thread", 1, True, 1),
            ("N = 2 single-worker processes, 1 thread each", 2, True, 1),
            ("N = 4 single-worker processes, 1 thread each", 4, True, 1),
            ("N = 2 processes, 2 threads each", 2, True, None),
            ("alone, 1 thread (COST)", 1, False, 1),
        ]
        times = {c[0]: [] for c in configs}
        sent = {}
        for rep in range(a.reps):
            for name, n, cluster, threads in configs:
                w, b = run(a.binary, args, d, n, cluster, threads)
                times[name].append(w)
                sent[name] = b
            print(f"rep {rep + 1}/{a.reps} done", file=sys.stderr)
        ref = statistics.median(times[configs[0][0]])
        one = statistics.median(times[configs[2][0]])
        cost = statistics.median(times[configs[-1][0]])
        print(f"\n{graph.name}, p = 0.05, top-degree 50, {a.runs} runs, default delays, "
              f"whole command, medians of {a.reps} alternated runs\n")
        print("| configuration | median s | vs alone, 2 threads | speed-up vs N = 1 single-worker | vs COST | bytes sent by process 0 |")
        print("|---|---:|---:|---:|---:|---:|")
        for name, n, cluster, threads in configs:
            m = statistics.median(times[name])
            up = f"{one / m:.2f}×" if threads == 1 and cluster else ""
            print(f"| {name} | {m:.2f} | {m / ref:.3f} | {up} | {cost / m:.2f}× | "
                  f"{sent[name]:,} |")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The time-resolved independent cascade in EoN, for benches/compare_peers.py (run in the peers' venv).

EoN.fast_nonMarkov_SIR with a transmission time that is Exp(mean) with probability p and infinite
otherwise, and an infinite infectious period: each newly infected node tries each neighbour once,
succeeding with probability p after an exponential delay; the neighbour adopts at its earliest
successful arrival. That is hongbao's model with `--p P --delay exp:MEAN`. Graph, seeds (the K
highest-degree nodes, ties by lower id) and loader come from ../shared/peers/peers_common.py.

Usage: eon_time_resolved.py GRAPH --p P --k K --runs R [--seed S] [--mean-delay H] --peers DIR
Prints one JSON object: mean/sem of the final reach and of the reach at 1 h and 4 h, seconds.
"""
import argparse
import json
import math
import sys
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("graph")
    ap.add_argument("--p", type=float, required=True)
    ap.add_argument("--k", type=int, required=True)
    ap.add_argument("--runs", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--mean-delay", type=float, default=1.0)
    ap.add_argument("--peers", required=True, help="the ../shared/peers directory (peers_common.py)")
    args = ap.parse_args()
    sys.path.insert(0, args.peers)
    import networkx as nx
    import numpy as np
    import EoN
    import peers_common as pc

    n, e = pc.load_edges(args.graph)
    seeds = pc.top_k_seeds(pc.degrees(n, e), args.k)
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from(e.tolist())
    rng = np.random.default_rng(args.seed)
    p, mean = args.p, args.mean_delay

    def trans_time(_u, _v):
        return rng.exponential(mean) if rng.random() < p else math.inf

    def rec_time(_u):
        return math.inf

    final, at1, at4 = [], [], []
    t0 = time.perf_counter()
    for _ in range(args.runs):
        t, S, I, R = EoN.fast_nonMarkov_SIR(g, trans_time_fxn=trans_time, rec_time_fxn=rec_time,
                                            initial_infecteds=seeds, rng=rng)
        ever = I + R
        final.append(float(ever[-1]))
        for h, out in ((1.0, at1), (4.0, at4)):
            out.append(float(ever[np.searchsorted(t, h, side="right") - 1]))
    seconds = time.perf_counter() - t0

    def stats(xs):
        m = sum(xs) / len(xs)
        sd = math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1)) if len(xs) > 1 else 0.0
        return {"mean": m, "sem": sd / math.sqrt(len(xs))}

    print(json.dumps({"library": "EoN", "mode": "fast_nonMarkov_SIR", "runs": args.runs,
                      "sim_seconds": seconds, "final": stats(final), "at_1h": stats(at1),
                      "at_4h": stats(at4)}))


if __name__ == "__main__":
    sys.exit(main())

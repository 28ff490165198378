"""The Python package against the CLI (same bytes), closed forms, bad input, the GIL and Ctrl-C.

Run from the repository root after `pip install ./python`: `python -m pytest python/tests`.
The CLI comparisons use HONGBAO_BIN, or target/{debug,release}/hongbao, and skip without one.
"""

import doctest
import faulthandler
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import hongbao

ROOT = Path(__file__).resolve().parents[2]
GRAPH = ROOT / "data" / "wechat-2k.txt.gz"


def cli():
    for c in [os.environ.get("HONGBAO_BIN"), ROOT / "target/debug/hongbao", ROOT / "target/release/hongbao"]:
        if c and Path(c).exists():
            return str(c)
    pytest.skip("no hongbao binary (set HONGBAO_BIN or build it)")


def run_cli(*args):
    r = subprocess.run([cli(), *map(str, args)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r


def same_files(a: Path, b: Path, names):
    for n in names:
        assert (a / n).read_bytes() == (b / n).read_bytes(), n


def test_the_docstrings_examples_run():
    failures, tried = doctest.testmod(hongbao, optionflags=doctest.ELLIPSIS)
    assert tried > 10 and failures == 0


def test_simulate_writes_the_same_bytes_as_the_cli(tmp_path):
    args = dict(p_strong=0.12, p_weak=0.03, delay_strong="lognormal:0.3,1", delay_weak="lognormal:2,1.2", hours=24)
    run_cli("simulate", GRAPH, "--ties", "column", "--p-strong", 0.12, "--p-weak", 0.03,
            "--delay-strong", "lognormal:0.3,1", "--delay-weak", "lognormal:2,1.2", "--hours", 24,
            "--seeds", "top-degree:20", "--runs", 300, "--seed", 7, "-q", "--out", tmp_path / "cli")
    g = hongbao.Graph.load(str(GRAPH), ties="column")
    r = hongbao.simulate(g, seeds="top-degree:20", runs=300, seed=7, **args)
    r.save(tmp_path / "py")
    same_files(tmp_path / "cli", tmp_path / "py",
               ["curves.csv", "curves.parquet", "summary.json", "summary.md", "adoption.png", "new_per_hour.png"])
    assert r.summary_json + "\n" == (tmp_path / "cli" / "summary.json").read_text()
    # The frame is the CSV's table.
    import polars as pl
    assert r.curves.equals(pl.read_csv(tmp_path / "cli" / "curves.csv"))


def test_compare_sweep_and_seeds_match_the_cli(tmp_path):
    run_cli("compare", "--nodes", 3000, "--runs", 40, "--seed", 2, "-q", "--out", tmp_path / "cli")
    r = hongbao.compare(nodes=3000, runs=40, seed=2)
    r.save(tmp_path / "py")
    same_files(tmp_path / "cli", tmp_path / "py", ["curves.csv", "summary.json", "summary.md"])

    run_cli("sweep", "red-packet", "--vary", "p_strong=0.05:0.15:3", "--runs", 20, "-q", "--out", tmp_path / "cli-sweep")
    s = hongbao.sweep("red-packet", "p_strong=0.05:0.15:3", runs=20)
    s.save(tmp_path / "py-sweep")
    same_files(tmp_path / "cli-sweep", tmp_path / "py-sweep", ["sweep.csv", "summary.md"])

    run_cli("seeds", GRAPH, "--k", 5, "--p", 0.05, "--hours", 4, "--eval-runs", 20, "-q", "--out", tmp_path / "cli-seeds")
    g = hongbao.Graph.load(str(GRAPH))
    k = hongbao.seeds(g, 5, p=0.05, hours=4, eval_runs=20)
    k.save(tmp_path / "py-seeds")
    same_files(tmp_path / "cli-seeds", tmp_path / "py-seeds", ["seeds.csv", "seeds.txt"])
    assert k.table["node"].to_list() == (tmp_path / "cli-seeds" / "seeds.txt").read_text().split()[-5:]


def test_errors_carry_the_cli_message(tmp_path):
    g = hongbao.Graph.generate("wechat", nodes=300, seed=1)
    with pytest.raises(ValueError, match=r"p_strong.*1\.5"):
        hongbao.simulate(g, p_strong=1.5, runs=10)
    with pytest.raises(ValueError, match="unknown model argument"):
        hongbao.simulate(g, pp=0.1, runs=10)
    with pytest.raises(ValueError, match="runs"):
        hongbao.simulate(g, runs=0)
    with pytest.raises(FileNotFoundError, match="nothing.txt"):
        hongbao.Graph.load(tmp_path / "nothing.txt")
    bad = tmp_path / "bad.txt"
    bad.write_text("1 2\n2 x\n")
    with pytest.raises(ValueError, match=r"bad\.txt:2:.*x"):
        hongbao.Graph.load(bad)
    with pytest.raises(ValueError, match=r"src\[1\] = -4"):
        hongbao.Graph.from_edges([1, -4], [2, 3])
    with pytest.raises(ValueError, match="tie"):
        hongbao.Graph.from_edges([1], [2], tie=["medium"])
    with pytest.raises(ValueError, match="generator|model"):
        hongbao.Graph.generate("facebook", nodes=10)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine")
    r = hongbao.simulate(g, runs=5)
    with pytest.raises(ValueError, match="force"):
        r.save(tmp_path / "out")
    assert (tmp_path / "out" / "keep.txt").read_text() == "mine"


def test_the_engine_meets_closed_forms():
    path = hongbao.Graph.from_edges(np.arange(9), np.arange(1, 10), directed=True)
    assert hongbao.IndependentCascade(path, 1.0, [0]).run(50) == (10.0, 0.0)
    assert hongbao.IndependentCascade(path, 0.0, [0]).run(50) == (1.0, 0.0)
    # A star from its centre: 1 + p (n - 1) on average.
    n, p = 201, 0.3
    star = hongbao.Graph.from_edges(np.zeros(n - 1, dtype=np.int64), np.arange(1, n))
    mean, sem = hongbao.IndependentCascade(star, p, [0]).run(4000, seed=5)
    assert abs(mean - (1 + p * (n - 1))) < 4 * sem
    # Along a directed path, reaching node k needs k successes: E = sum p^k.
    mean, sem = hongbao.IndependentCascade(path, 0.5, [0]).run(20000, seed=9)
    assert abs(mean - sum(0.5 ** k for k in range(10))) < 4 * sem


def test_networkx_graphs_and_arrays_load_like_files(tmp_path):
    nx = pytest.importorskip("networkx")
    G = nx.karate_club_graph()
    for i, (u, v) in enumerate(G.edges()):
        G[u][v]["tie"] = "strong" if i % 2 else "weak"
    g = hongbao.Graph.from_networkx(G, tie="tie", weight="weight")
    path = tmp_path / "karate.graphml"
    nx.write_graphml(G, path)
    f = hongbao.Graph.load(path)
    assert g.stats() == f.stats()
    assert (g.strong_ties, g.weak_ties) == (39, 39)
    D = nx.DiGraph([("a", "b"), ("b", "c")])
    D.add_node("lonely")
    d = hongbao.Graph.from_networkx(D)
    assert d.directed and d.nodes == 4 and sorted(d.labels()) == ["a", "b", "c", "lonely"]
    # A graph saved in each format loads back with the same counts.
    for ext in ["txt", "csv", "parquet", "graphml", "net", "mtx"]:
        g.save(tmp_path / f"k.{ext}")
        h = hongbao.Graph.load(tmp_path / f"k.{ext}")
        assert (h.nodes, h.edges) == (34, 78), ext


def test_the_gil_is_released_while_simulating():
    g = hongbao.Graph.generate("wechat", nodes=20000, seed=1)
    done = threading.Event()
    ticks = 0

    def work():
        hongbao.simulate(g, runs=300, seed=1)
        done.set()

    t = threading.Thread(target=work)
    t.start()
    while not done.is_set():
        ticks += 1
        time.sleep(0.001)
    t.join()
    assert ticks > 20, "the main thread could not run while the simulation did"


def test_ctrl_c_stops_a_long_simulation_within_a_second():
    g = hongbao.Graph.generate("wechat", nodes=50000, seed=1)
    fired = []

    def interrupt():
        time.sleep(0.5)
        fired.append(time.perf_counter())
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=interrupt, daemon=True).start()
    # Should the Ctrl-C be lost, fail with every thread's stack rather than hang the suite.
    faulthandler.dump_traceback_later(120, exit=True)
    try:
        with pytest.raises(KeyboardInterrupt):
            hongbao.simulate(g, runs=10_000_000, seed=1)
    finally:
        faulthandler.cancel_dump_traceback_later()
    stopped = time.perf_counter()
    print(f"stopped {stopped - fired[0]:.3f} s after SIGINT")
    assert fired and stopped - fired[0] < 1.0, stopped - fired[0]
    # The next call runs normally.
    assert hongbao.simulate(g, runs=5, seed=1).summary["runs"] == 5

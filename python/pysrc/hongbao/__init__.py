"""hongbao: how a viral item spreads over a social graph, hour by hour, and how the shape of the
network decides it (strong ties against weak ties).

The same engine as the ``hongbao`` command line, called in process: graphs are loaded or
generated once and simulated many times; results carry the CLI's tables as polars frames and its
``summary.json`` as a dict, and ``save`` writes the very files the CLI writes.

>>> import hongbao
>>> g = hongbao.Graph.generate("wechat", nodes=2000, seed=1)
>>> g.nodes, g.strong_ties > g.weak_ties
(2000, True)
>>> r = hongbao.simulate(g, p_strong=0.12, p_weak=0.03, hours=24, seeds="top-degree:10", runs=200, seed=1)
>>> r.summary["nodes"], 0 < r.summary["final_reach"]["fraction"] <= 1
(2000, True)
>>> list(r.curves.columns)
['label', 'hour', 'mean', 'p05', 'p50', 'p95', 'new_per_hour', 'nodes']

Long calls release the GIL and stop within about a second on Ctrl-C (``KeyboardInterrupt``). Errors
raise ``ValueError`` (bad values, bad files, with the file, line and value), ``FileNotFoundError``
or ``OSError``, carrying the CLI's message.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

from . import _hongbao

__all__ = [
    "Graph",
    "Result",
    "IndependentCascade",
    "simulate",
    "compare",
    "sweep",
    "seeds",
    "threads",
    "__version__",
]

__version__: str = _hongbao.__version__

PathLike = Union[str, "os.PathLike[str]"]

_MODEL_DOC = """
    Model arguments (as the CLI's flags, ``_`` for ``-``; all optional):
        model: ``"ic"`` (default), ``"threshold:K"``, ``"fractional:F"``, ``"lt"``, ``"dose:C1,C2,..."``.
        p: the same chance on every tie; or p_strong / p_weak per tie class; or p_from_weight
            (``1 - (1 - p)^weight``); or weighted_cascade=True (``1 / in-degree``).
        delay: the delay on every tie, or delay_strong / delay_weak: ``"exp:MEAN"``,
            ``"lognormal:MEDIAN,SIGMA"``, ``"weibull:SHAPE,SCALE"``, ``"fixed:HOURS"`` (hours).
        hours: the horizon in hours (default: unbounded).
        lt_weights: ``"in-degree"`` or ``"graph"`` for the linear threshold.
"""


def _polars():
    import polars

    return polars


class Graph:
    """A friendship graph with every tie labelled strong or weak.

    Make one with :meth:`load`, :meth:`generate`, :meth:`from_edges` or :meth:`from_networkx`.

    >>> g = Graph.from_edges([1, 2, 3], [2, 3, 1], strong=[True, False, True])
    >>> g
    <hongbao.Graph edges: 3 nodes, 3 edges (2 strong, 1 weak)>
    >>> g.stats()["triangles"]
    1
    """

    __slots__ = ("_g",)

    def __init__(self, inner: "_hongbao.Graph"):
        self._g = inner

    @staticmethod
    def load(
        path: PathLike,
        ties: Optional[str] = None,
        directed: bool = False,
        format: Optional[str] = None,
        src: Optional[str] = None,
        dst: Optional[str] = None,
        weight: Optional[str] = None,
        tie: Optional[str] = None,
        layers: Optional[Sequence[str]] = None,
        max_memory: Optional[int] = None,
    ) -> "Graph":
        """Loads a graph file as the CLI does: SNAP text (``.txt``, ``.gz``), CSV, Parquet,
        GraphML, Pajek ``.net`` or Matrix Market ``.mtx``.

        ``ties`` is the tie rule (``"column"``, ``"weight:T"``, ``"overlap:T"``,
        ``"overlap-quantile:Q"``, ``"all-strong"``...); the other arguments are the CLI's
        ``--directed``, ``--format``, ``--src``, ``--dst``, ``--weight``, ``--tie``, ``--layer``
        and ``--max-memory`` (bytes).

        >>> Graph.load("no-such-file.txt")
        Traceback (most recent call last):
        ...
        FileNotFoundError: no-such-file.txt: No such file or directory (os error 2)
        """
        return Graph(
            _hongbao.Graph.load(
                os.fspath(path),
                ties=ties,
                directed=directed,
                format=format,
                src=src,
                dst=dst,
                weight=weight,
                tie=tie,
                layers=list(layers) if layers is not None else None,
                max_memory=max_memory,
            )
        )

    @staticmethod
    def generate(model: str, nodes: int, seed: int = 1, **params: Any) -> "Graph":
        """Generates a graph: ``wechat`` (friend circles, mostly strong ties), ``alipay`` (sparse,
        mostly weak), ``ba``, ``ws``, ``er`` or ``centola``; ``params`` are the CLI's ``-p key=value``.

        >>> Graph.generate("ws", nodes=100, seed=3, k=4, beta=0.1).edges
        200
        """
        ps = [f"{k}={v}" for k, v in params.items()]
        return Graph(_hongbao.Graph.generate(model, nodes, seed=seed, params=ps))

    @staticmethod
    def from_edges(
        src: Iterable[int],
        dst: Iterable[int],
        tie: Optional[Iterable[Any]] = None,
        weight: Optional[Iterable[float]] = None,
        directed: bool = False,
        strong: Optional[Iterable[bool]] = None,
        name: str = "edges",
    ) -> "Graph":
        """A graph from two arrays of node ids (numpy arrays or sequences of non-negative ints).

        ``tie`` labels each edge ``"strong"``/``"weak"`` (or ``strong`` gives booleans); ``weight``
        gives weights. int64 and float64 arrays are read in place (other dtypes are converted).

        >>> import numpy as np
        >>> g = Graph.from_edges(np.array([0, 1]), np.array([1, 2]), tie=["strong", "weak"], weight=[2.0, 0.5])
        >>> g.nodes, g.edges, g.strong_ties
        (3, 2, 1)
        """
        import numpy as np

        s = np.ascontiguousarray(np.asarray(src), dtype=np.int64)
        d = np.ascontiguousarray(np.asarray(dst), dtype=np.int64)
        st = _strong_array(tie, strong)
        w = None if weight is None else np.ascontiguousarray(np.asarray(weight), dtype=np.float64)
        return Graph(
            _hongbao.Graph.from_arrays(s, d, strong=st, weight=w, directed=directed, name=name)
        )

    @staticmethod
    def from_networkx(G: Any, tie: Optional[str] = None, weight: Optional[str] = None) -> "Graph":
        """A graph from a NetworkX graph: nodes keep their names (as text, or as numbers when all
        are), isolated nodes included; ``tie`` and ``weight`` name edge attributes. A DiGraph gives
        a directed graph.

        >>> import networkx as nx
        >>> g = Graph.from_networkx(nx.karate_club_graph(), weight="weight")
        >>> g.nodes, g.edges
        (34, 78)
        """
        import numpy as np

        nodes = list(G.nodes())
        index = {v: i for i, v in enumerate(nodes)}
        edges = list(G.edges(data=True))
        s = np.fromiter((index[u] for u, _, _ in edges), dtype=np.int64, count=len(edges))
        d = np.fromiter((index[v] for _, v, _ in edges), dtype=np.int64, count=len(edges))

        def column(attr: str) -> list:
            out = []
            for u, v, data in edges:
                if attr not in data:
                    raise ValueError(f"edge ({u!r}, {v!r}) has no attribute {attr!r}")
                out.append(data[attr])
            return out

        st = _strong_array(column(tie), None) if tie else None
        w = np.asarray(column(weight), dtype=np.float64) if weight else None
        return Graph(
            _hongbao.Graph.from_arrays(
                s,
                d,
                strong=st,
                weight=w,
                directed=bool(G.is_directed()),
                labels=[str(v) for v in nodes],
                name=str(G.name or "networkx"),
            )
        )

    def with_ties(self, spec: str) -> "Graph":
        """The same graph with ties classified by a rule (``"overlap-quantile:0.7"``, ``"weight:1"``...).

        >>> Graph.generate("alipay", nodes=500, seed=1).with_ties("all-strong").weak_ties
        0
        """
        return Graph(self._g.with_ties(spec))

    def stats(self) -> dict:
        """Nodes, edges, degrees, clustering, components and tie counts (the keys of
        ``hongbao stats --json``)."""
        return json.loads(self._g.stats_json())

    def save(self, path: PathLike, force: bool = False) -> None:
        """Writes the graph in the format its extension names (``.txt``, ``.csv``, ``.parquet``,
        ``.graphml``, ``.net``, ``.mtx``, optionally ``.gz``); never over a file without ``force``."""
        self._g.save(os.fspath(path), force=force)

    def labels(self) -> list:
        """Node ids as the input gave them, in the graph's order."""
        return self._g.labels()

    nodes = property(lambda self: self._g.nodes, doc="Number of nodes.")
    edges = property(lambda self: self._g.edges, doc="Number of edges (arcs when directed).")
    directed = property(lambda self: self._g.directed, doc="Whether ties are one-way.")
    strong_ties = property(lambda self: self._g.strong_ties, doc="Edges labelled strong.")
    weak_ties = property(lambda self: self._g.weak_ties, doc="Edges labelled weak.")
    ties = property(lambda self: self._g.ties, doc="The tie rule, as reports print it.")
    source = property(lambda self: self._g.source, doc="The file or generator it came from.")

    def __repr__(self) -> str:
        return repr(self._g)


def _strong_array(tie: Optional[Iterable[Any]], strong: Optional[Iterable[bool]]):
    import numpy as np

    if tie is not None and strong is not None:
        raise ValueError("give tie or strong, not both")
    if strong is not None:
        return np.ascontiguousarray(np.asarray(strong), dtype=np.bool_)
    if tie is None:
        return None
    out = []
    for i, t in enumerate(tie):
        if isinstance(t, (bool, np.bool_)):
            out.append(bool(t))
            continue
        s = str(t).strip().lower()
        if s not in ("strong", "weak"):
            raise ValueError(f"invalid tie[{i}] {t!r}: a tie class must be strong or weak")
        out.append(s == "strong")
    return np.asarray(out, dtype=np.bool_)


class Result:
    """What a job produced: ``summary`` (the dict of ``summary.json``), ``table`` (its main table
    as a polars DataFrame: ``curves`` for simulate and compare, ``rows`` for sweep, ``seeds`` for
    seed selection), ``markdown`` (``summary.md``), :meth:`plot` and :meth:`save`."""

    __slots__ = ("_r", "_summary", "_table")

    def __init__(self, inner: "_hongbao.Report"):
        self._r = inner
        self._summary = None
        self._table = None

    @property
    def kind(self) -> str:
        """``simulate``, ``compare``, ``decompose``, ``sweep`` or ``seeds``."""
        return self._r.kind

    @property
    def summary(self) -> dict:
        """``summary.json`` as a dict (the same keys and values as the CLI's file)."""
        if self._summary is None:
            self._summary = json.loads(self._r.summary_json())
        return self._summary

    @property
    def summary_json(self) -> str:
        """``summary.json``'s text, as the CLI writes it (without its final newline)."""
        return self._r.summary_json()

    @property
    def table(self):
        """The main table as a polars DataFrame, the columns of the CLI's CSV file."""
        if self._table is None:
            self._table = _polars().read_parquet(io.BytesIO(self._r.table_parquet()))
        return self._table

    @property
    def curves(self):
        """Adoption curves: one row per (label, hour) with ``mean``, ``p05``, ``p50``, ``p95``,
        ``new_per_hour`` and ``nodes`` (the columns of ``curves.csv``)."""
        if self.kind not in ("simulate", "compare", "decompose"):
            raise ValueError(f"a {self.kind} result has no adoption curves; see .table")
        return self.table

    @property
    def markdown(self) -> str:
        """``summary.md``: the table a person reads, then every parameter with its reason."""
        return self._r.markdown()

    def plot(self, path: PathLike, new_per_hour: bool = False, force: bool = False,
             width: int = 1600, height: int = 1000) -> None:
        """Draws the adoption curves with their 5-95 % bands (or new adopters per hour) as a PNG."""
        self._r.plot(os.fspath(path), new_per_hour=new_per_hour, force=force, width=width, height=height)

    def save(self, out: PathLike, force: bool = False, width: int = 1600, height: int = 1000) -> str:
        """Writes the report directory the CLI writes with ``--out``: the same files, the same
        bytes. Returns its path. An existing non-empty directory is replaced only with ``force``."""
        return self._r.save(os.fspath(out), force=force, width=width, height=height)

    def __repr__(self) -> str:
        return f"<hongbao.Result {self.kind}>"


def simulate(
    graph: Graph,
    *,
    seeds: str = "top-degree:10",
    runs: int = 1000,
    seed: int = 1,
    step_hours: float = 0.1,
    curve_hours: Optional[float] = None,
    label: Optional[str] = None,
    engine: str = "auto",
    **model: Any,
) -> Result:
    """Monte-Carlo runs of a spreading model on ``graph`` (``hongbao simulate``), in parallel and
    the same bytes on any number of threads.

    ``seeds``: ``"top-degree:K"``, ``"random:K"``, ``"random-per-run:K"``, ``"best:K"``,
    ``"file:PATH"``.
    """
    return Result(
        _hongbao.simulate(
            graph._g,
            dict(model),
            seeds=seeds,
            runs=runs,
            seed=seed,
            step_hours=step_hours,
            curve_hours=curve_hours,
            label=label,
            engine=engine,
        )
    )


simulate.__doc__ += _MODEL_DOC


def compare(
    scenario: Optional[PathLike] = None,
    *,
    nodes: Optional[int] = None,
    runs: Optional[int] = None,
    hours: Optional[float] = None,
    seed: Optional[int] = None,
    step_hours: Optional[float] = None,
    decompose: bool = False,
) -> Result:
    """The red-packet comparison (``hongbao compare``): the built-in scenario, or a scenario file,
    with the CLI's overrides; ``decompose=True`` takes the gap apart rung by rung.

    >>> r = compare(nodes=3000, runs=50, seed=1)
    >>> r.table["label"].unique(maintain_order=True).to_list()
    ['WeChat-like (strong ties)', 'Alipay-like (weak ties)']
    """
    return Result(
        _hongbao.compare(
            None if scenario is None else os.fspath(scenario),
            nodes=nodes,
            runs=runs,
            hours=hours,
            seed=seed,
            step_hours=step_hours,
            decompose=decompose,
        )
    )


def sweep(
    scenario: Union[PathLike, str],
    vary: Union[str, Sequence[str]],
    *,
    runs: Optional[int] = None,
    seed: Optional[int] = None,
    force: bool = False,
) -> Result:
    """A scenario over a range of one or two values (``hongbao sweep``): ``vary`` is
    ``"KEY=FROM:TO:STEPS"`` (or two of them); ``scenario`` a file or ``"red-packet"``.
    ``table`` holds one row per point and platform."""
    vs = [vary] if isinstance(vary, str) else list(vary)
    return Result(_hongbao.sweep(os.fspath(scenario), vs, runs=runs, seed=seed, force=force))


def seeds(
    graph: Graph,
    k: int,
    *,
    eps: float = 0.1,
    delta: Optional[float] = None,
    seed: int = 1,
    eval_runs: int = 100,
    max_memory: Optional[int] = None,
    **model: Any,
) -> Result:
    """The ``k`` first users who reach the most people within ``hours`` (``hongbao seeds``):
    reverse-reachable sets with the (1 - 1/e - eps) guarantee at probability 1 - delta. ``table``
    holds the seeds in order (``rank``, ``node``, ``marginal_gain``, ``cumulative``)."""
    return Result(
        _hongbao.seeds(
            graph._g,
            k,
            dict(model),
            eps=eps,
            delta=delta,
            seed=seed,
            eval_runs=eval_runs,
            max_memory=max_memory,
        )
    )


seeds.__doc__ += _MODEL_DOC


class IndependentCascade:
    """The independent cascade with one chance ``p`` on every arc and no clock, shaped like
    CyNetDiff's model so that comparisons run in one Python process.

    >>> g = Graph.from_edges([0, 1, 2], [1, 2, 3])
    >>> IndependentCascade(g, 1.0, [0]).run(10, seed=1)
    (4.0, 0.0)
    """

    __slots__ = ("_m",)

    def __init__(self, graph: Graph, p: float, seeds: Iterable[Any]):
        self._m = _hongbao.IndependentCascade(graph._g, p, [str(s) for s in seeds])

    def run(self, runs: int, seed: int = 1) -> tuple:
        """``runs`` cascades from ``seed``: (mean, standard error) of the final adopters, seeds
        included."""
        return self._m.run(runs, seed=seed)


def threads() -> int:
    """Threads the simulations use (``RAYON_NUM_THREADS`` sets it before the first call)."""
    return _hongbao.threads()

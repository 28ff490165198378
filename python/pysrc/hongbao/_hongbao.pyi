"""Type stubs of the compiled module (see hongbao/__init__.py for the documented API)."""

from typing import Optional, Sequence

import numpy as np
import numpy.typing as npt

__version__: str

class Graph:
    @staticmethod
    def load(
        path: str,
        ties: Optional[str] = ...,
        directed: bool = ...,
        format: Optional[str] = ...,
        src: Optional[str] = ...,
        dst: Optional[str] = ...,
        weight: Optional[str] = ...,
        tie: Optional[str] = ...,
        layers: Optional[Sequence[str]] = ...,
        max_memory: Optional[int] = ...,
    ) -> Graph: ...
    @staticmethod
    def generate(model: str, nodes: int, seed: int = ..., params: Optional[Sequence[str]] = ...) -> Graph: ...
    @staticmethod
    def from_arrays(
        src: npt.NDArray[np.int64],
        dst: npt.NDArray[np.int64],
        strong: Optional[npt.NDArray[np.bool_]] = ...,
        weight: Optional[npt.NDArray[np.float64]] = ...,
        directed: bool = ...,
        labels: Optional[Sequence[str]] = ...,
        name: str = ...,
    ) -> Graph: ...
    def with_ties(self, spec: str) -> Graph: ...
    def stats_json(self) -> str: ...
    def save(self, path: str, force: bool = ...) -> None: ...
    def labels(self) -> list[str]: ...
    @property
    def nodes(self) -> int: ...
    @property
    def edges(self) -> int: ...
    @property
    def directed(self) -> bool: ...
    @property
    def strong_ties(self) -> int: ...
    @property
    def weak_ties(self) -> int: ...
    @property
    def ties(self) -> str: ...
    @property
    def source(self) -> str: ...

class Report:
    @property
    def kind(self) -> str: ...
    def summary_json(self) -> str: ...
    def table_parquet(self) -> bytes: ...
    def markdown(self) -> str: ...
    def save(self, out: str, force: bool = ..., width: int = ..., height: int = ...) -> str: ...
    def plot(self, path: str, new_per_hour: bool = ..., force: bool = ..., width: int = ..., height: int = ...) -> None: ...

class IndependentCascade:
    def __init__(self, graph: Graph, p: float, seeds: Sequence[str]) -> None: ...
    def run(self, runs: int, seed: int = ...) -> tuple[float, float]: ...

def simulate(
    graph: Graph,
    model_args: dict,
    seeds: str = ...,
    runs: int = ...,
    seed: int = ...,
    step_hours: float = ...,
    curve_hours: Optional[float] = ...,
    label: Optional[str] = ...,
    engine: str = ...,
) -> Report: ...
def compare(
    scenario: Optional[str] = ...,
    nodes: Optional[int] = ...,
    runs: Optional[int] = ...,
    hours: Optional[float] = ...,
    seed: Optional[int] = ...,
    step_hours: Optional[float] = ...,
    decompose: bool = ...,
) -> Report: ...
def sweep(scenario: str, vary: Sequence[str], runs: Optional[int] = ..., seed: Optional[int] = ..., force: bool = ...) -> Report: ...
def seeds(
    graph: Graph,
    k: int,
    model_args: dict,
    eps: float = ...,
    delta: Optional[float] = ...,
    seed: int = ...,
    eval_runs: int = ...,
    max_memory: Optional[int] = ...,
) -> Report: ...
def threads() -> int: ...

"""Type stubs of the native module (src/python/ in the repository)."""

from __future__ import annotations

import os
from typing import Any, Iterable, Literal, Optional, Sequence, Tuple, Union, overload

import numpy as np
import numpy.typing as npt

__version__: str

ArrayLike = npt.ArrayLike
PathLike = Union[str, "os.PathLike[str]"]
Norm = Literal["l2", "linf"]
Box = Union[PathLike, Tuple[ArrayLike, ArrayLike]]

class CountResult:
    """The outcome of a count: exact, or an honest sandwich lower <= N <= upper."""

    @property
    def regions(self) -> int:
        """The exact count when `exact`, else the regions found so far (equal to `lower`)."""
    @property
    def exact(self) -> bool:
        """True when `regions` is the exact count: every decision behind it was proven."""
    @property
    def lower(self) -> int:
        """A certified lower bound: distinct regions, each proven by a witness point."""
    @property
    def upper(self) -> int:
        """A certified upper bound (it may be astronomically large)."""
    @property
    def undecided_bound(self) -> int:
        """The bound of the undecided parts alone (0 when every decision was settled)."""
    @property
    def stopped_by(self) -> Optional[str]:
        """Why the count is not exact ("time limit", "max regions", "cancelled", "undecided: ...",
        "out of range: ..."), None when it is."""
    @property
    def solver(self) -> str:
        """The solver of the decisions the closed forms left: "highs" or "clarabel"."""
    @property
    def solver_calls(self) -> int: ...
    @property
    def elapsed_s(self) -> float: ...
    @property
    def threads(self) -> int: ...
    @property
    def witnesses(self) -> Optional[npt.NDArray[np.float64]]:
        """(k, n0) witness points, one per region (rows ordered by pattern); None unless
        `witnesses=True`."""
    @property
    def patterns(self) -> Optional[npt.NDArray[np.bool_]]:
        """(k, hidden units) activation patterns of the witnesses; None unless `witnesses=True`."""
    @property
    def unfinished(self) -> list[str]:
        """Subtrees a count with `frontier=True` did not finish (prefix strings)."""
    def to_dict(self) -> dict[str, Any]:
        """The CLI's `count --json` object."""

class Network:
    """A ReLU network: affine layers with a ReLU after every one but the last."""

    @staticmethod
    def load(path: PathLike) -> Network:
        """Reads .onnx, .nnet or relu-regions .json with the CLI's readers."""
    @staticmethod
    def from_layers(layers: Iterable[Tuple[ArrayLike, ArrayLike]]) -> Network:
        """[(W1, b1), (W2, b2), ...], each W of shape (out, in)."""
    @staticmethod
    def from_torch(model: Any) -> Network:
        """A PyTorch nn.Sequential of Linear, ReLU and Flatten (duck-typed)."""
    def save(self, path: PathLike) -> None:
        """Writes .json or .onnx."""
    @property
    def input_dim(self) -> int: ...
    @property
    def output_dim(self) -> int: ...
    @property
    def hidden_widths(self) -> list[int]: ...
    @property
    def num_hidden_units(self) -> int: ...
    @property
    def model(self) -> Optional[str]:
        """The file the network was read from; None when built from arrays."""
    @property
    def notes(self) -> list[str]:
        """What the reader changed or dropped, one sentence each."""
    def layers(self) -> list[Tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]]: ...
    def forward(self, x: ArrayLike) -> npt.NDArray[np.float64]:
        """Output at a point (n0,) or a batch (m, n0)."""
    def activation_pattern(self, x: ArrayLike) -> npt.NDArray[np.bool_]:
        """Unit states (pre-activation > 0), hidden layers concatenated; (units,) or (m, units)."""
    def bound(
        self,
        center: Optional[ArrayLike] = None,
        radius: Optional[float] = None,
        norm: Norm = "l2",
        method: Literal["analytic", "lp", "split", "all"] = "analytic",
        *,
        time_limit: Optional[float] = None,
        threads: Optional[int] = None,
        split_depth: Optional[int] = None,
        box: Optional[Box] = None,
    ) -> dict[str, Any]:
        """Every bound as a Python int (montufar2017, serra2018, local_analytic, local_lp,
        local_split), the sandwich (upper, lower, exact), per-layer details and the CLI's report."""
    def count(
        self,
        center: Optional[ArrayLike] = None,
        radius: Optional[float] = None,
        norm: Norm = "l2",
        *,
        time_limit: Optional[float] = None,
        threads: Optional[int] = None,
        max_regions: Optional[int] = None,
        witnesses: bool = False,
        progress: bool = False,
        solver: Optional[Literal["highs", "clarabel"]] = None,
        exact_fallback: bool = True,
        box: Optional[Box] = None,
    ) -> CountResult:
        """The exact number of linear regions meeting the open ball (or box)."""
    def split(
        self,
        center: Optional[ArrayLike] = None,
        radius: Optional[float] = None,
        norm: Norm = "l2",
        *,
        at_least: int = 8,
        threads: Optional[int] = None,
        box: Optional[Box] = None,
    ) -> list[str]:
        """A partition of the search tree into >= at_least subtrees ("0110..." prefixes)."""
    def count_subproblems(
        self,
        subproblems: Sequence[str],
        center: Optional[ArrayLike] = None,
        radius: Optional[float] = None,
        norm: Norm = "l2",
        *,
        time_limit: Optional[float] = None,
        threads: Optional[int] = None,
        max_regions: Optional[int] = None,
        frontier: bool = False,
        solver: Optional[Literal["highs", "clarabel"]] = None,
        exact_fallback: bool = True,
        box: Optional[Box] = None,
    ) -> CountResult:
        """The regions of the union of disjoint subtrees; `frontier=True` lists what a stopped
        count did not finish in `unfinished`."""
    def count_many(
        self,
        centers: ArrayLike,
        radius: float,
        norm: Norm = "l2",
        *,
        time_limit: Optional[float] = None,
        threads: Optional[int] = None,
        max_regions: Optional[int] = None,
        witnesses: bool = False,
        solver: Optional[Literal["highs", "clarabel"]] = None,
        exact_fallback: bool = True,
    ) -> list[CountResult]:
        """count around every row of `centers` (m, n0), the points in parallel."""
    @overload
    def distance(self, point: ArrayLike, norm: Norm = "l2", *, details: Literal[False] = False) -> float: ...
    @overload
    def distance(self, point: ArrayLike, norm: Norm = "l2", *, details: Literal[True]) -> dict[str, Any]: ...

def _panic_for_tests() -> None: ...

"""PyTorch ``nn.Sequential`` to ``[(W, b), ...]``, duck-typed: torch is not imported.

A module is recognised by its class name: ``Linear`` (``weight`` of shape (out, in), optional
``bias``), ``ReLU``, ``Flatten``, and the inference no-ops ``Identity`` and ``Dropout``. Nested
``Sequential`` containers are walked. The network must read Linear (ReLU Linear)*: a ReLU after
every Linear but the last, nothing else.
"""

from __future__ import annotations

import numpy as np

_IGNORED = {"Identity", "Dropout", "Flatten"}


def _as_numpy(tensor) -> np.ndarray:
    for step in ("detach", "cpu"):
        if hasattr(tensor, step):
            tensor = getattr(tensor, step)()
    if hasattr(tensor, "numpy"):
        tensor = tensor.numpy()
    return np.asarray(tensor, dtype=np.float64)


def _leaves(module, path="model"):
    """(path, class name, module) of every module of a (nested) Sequential, in order."""
    name = type(module).__name__
    if name == "Sequential":
        children = list(module.children()) if hasattr(module, "children") else list(module)
        for i, child in enumerate(children):
            yield from _leaves(child, f"{path}[{i}]")
    else:
        yield path, name, module


def layers_from_torch(model) -> list[tuple[np.ndarray, np.ndarray]]:
    """The affine layers of ``model`` as (W, b) float64 arrays, W of shape (out, in)."""
    layers: list[tuple[np.ndarray, np.ndarray]] = []
    expect_relu = False
    last = None
    for path, name, module in _leaves(model):
        if name in _IGNORED:
            continue
        if name == "Linear":
            if expect_relu:
                raise ValueError(
                    f"{path}: Linear follows {last} without a ReLU between them; expected a ReLU after every Linear but the last"
                )
            w = _as_numpy(module.weight)
            bias = getattr(module, "bias", None)
            b = _as_numpy(bias) if bias is not None else np.zeros(w.shape[0])
            layers.append((w, b))
            expect_relu, last = True, path
        elif name == "ReLU":
            if not expect_relu:
                raise ValueError(
                    f"{path}: ReLU without a Linear before it; expected Linear (ReLU Linear)*"
                )
            expect_relu, last = False, path
        else:
            raise ValueError(
                f"{path}: unsupported module {name}; expected an nn.Sequential of Linear, ReLU and Flatten"
            )
    if not layers:
        raise ValueError("model: no Linear layer found; expected an nn.Sequential of Linear, ReLU and Flatten")
    if not expect_relu:
        raise ValueError(
            f"{last}: the network ends with a ReLU; expected a Linear output layer (a ReLU on the output adds regions of its own)"
        )
    return layers

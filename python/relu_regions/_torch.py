"""PyTorch ``nn.Sequential`` to ``[(W, b), ...]``, duck-typed: torch is not imported.

A module is recognised by its class name: ``Linear`` (``weight`` of shape (out, in), optional
``bias``), ``ReLU``, ``LeakyReLU`` (``negative_slope``), ``PReLU`` (``weight``: one slope, or one
per feature), ``Flatten``, and the inference no-ops ``Identity`` and ``Dropout``. Nested
``Sequential`` containers are walked. The network must read Linear (act Linear)*: an activation
after every Linear but the last, nothing else.

A leaky activation is written with ReLUs, leaky(t) = relu(t) − α·relu(−t) (as the ONNX reader
does, docs/onnx.md): the Linear before it gets the exactly negated rows (W; −W), (b; −b) after its
own, and the Linear after it reads both halves, (V, −V·diag(α)). A unit and its mirror have
opposite signs, so the regions are those of the leaky network.
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
    slopes = None  # α of a leaky activation after the last Linear, one per unit
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
            if slopes is not None:
                w_prev, b_prev = layers[-1]
                layers[-1] = (np.vstack([w_prev, -w_prev]), np.concatenate([b_prev, -b_prev]))
                w = np.hstack([w, -w * slopes[np.newaxis, :]])
                slopes = None
            layers.append((w, b))
            expect_relu, last = True, path
        elif name in ("ReLU", "LeakyReLU", "PReLU"):
            if not expect_relu:
                raise ValueError(
                    f"{path}: {name} without a Linear before it; expected Linear (ReLU Linear)*"
                )
            units = layers[-1][0].shape[0]
            if name == "LeakyReLU":
                slopes = np.full(units, float(getattr(module, "negative_slope", 0.01)))
            elif name == "PReLU":
                a = _as_numpy(module.weight).reshape(-1)
                if a.size not in (1, units):
                    raise ValueError(
                        f"{path}: PReLU has {a.size} slopes for {units} units; expected 1 or {units}"
                    )
                slopes = np.broadcast_to(a, (units,)).copy()
            if slopes is not None and not np.all(np.isfinite(slopes)):
                raise ValueError(f"{path}: {name} slope is not finite; expected finite numbers")
            expect_relu, last = False, path
        else:
            raise ValueError(
                f"{path}: unsupported module {name}; expected an nn.Sequential of Linear, ReLU, LeakyReLU, PReLU and Flatten"
            )
    if not layers:
        raise ValueError("model: no Linear layer found; expected an nn.Sequential of Linear, ReLU and Flatten")
    if not expect_relu:
        raise ValueError(
            f"{last}: the network ends with an activation; expected a Linear output layer (an activation on the output adds regions of its own)"
        )
    return layers

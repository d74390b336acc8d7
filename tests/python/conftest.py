"""Shared fixtures of the Python package's tests: the repository's data, ../shared (skipped with
a printed note when absent), and the CLI binary that cargo test builds (to compare numbers)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"


def shared_path(rel: str) -> Path | None:
    """`<shared>/<rel>`, `<shared>` being $RELU_REGIONS_SHARED or ../shared beside the checkout."""
    base = Path(os.environ.get("RELU_REGIONS_SHARED", ROOT.parent / "shared"))
    p = base / rel
    return p if p.exists() else None


def require_shared(rel: str) -> Path:
    p = shared_path(rel)
    if p is None:
        print(f"note: skipped: {rel} not found under ../shared (or $RELU_REGIONS_SHARED)")
        pytest.skip(f"{rel} not found under ../shared")
    return p


def cli_binary() -> Path | None:
    """The CLI: $RELU_REGIONS_CLI, else the one cargo built (debug first)."""
    if "RELU_REGIONS_CLI" in os.environ:
        return Path(os.environ["RELU_REGIONS_CLI"])
    targets = [Path(os.environ["CARGO_TARGET_DIR"])] if "CARGO_TARGET_DIR" in os.environ else []
    targets.append(ROOT / "target")
    for t in targets:
        for profile in ("debug", "release"):
            p = t / profile / "relu-regions"
            if p.exists():
                return p
    return None


@pytest.fixture(scope="session")
def cli():
    """Runs the CLI with `--json` and returns the parsed object."""
    binary = cli_binary()
    if binary is None:
        print("note: skipped: no relu-regions binary (run cargo build, or set RELU_REGIONS_CLI)")
        pytest.skip("no relu-regions binary")

    def run(*args: str) -> dict:
        out = subprocess.run(
            [str(binary), *args, "--json", "--quiet"], capture_output=True, text=True, check=True
        )
        return json.loads(out.stdout)

    return run


@pytest.fixture(scope="session")
def digits() -> np.ndarray:
    """The digits images of data/digits.csv scaled to [0, 1] (the inputs of the shipped MLP)."""
    table = np.loadtxt(DATA / "digits.csv", delimiter=",", skiprows=1)
    return table[:, :64] / 16.0


@pytest.fixture(scope="session")
def digits_net():
    import relu_regions as rr

    return rr.Network.load(DATA / "digits-mlp-64-16-16-10.onnx")

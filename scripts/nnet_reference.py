#!/usr/bin/env python3
"""Independent NNet parser and forward pass (NumPy) for the reader's tests.

For every .nnet file under ../shared/benchmarks (acasxu/ and nnet/), evaluates the network at a
few fixed *normalized* inputs (the space the weights act on; no input normalization, no output
rescaling) and writes tests/fixtures/nnet/reference_outputs.json: only sizes and numbers, never
the third-party files themselves.

Input k (k = 0..K-1) of a network with n0 inputs has coordinates
    x_i = (((7 * i + 3 * k) % 11) - 5) / 10,   i = 0..n0-1,
exactly representable as the same f64 in Rust and NumPy.

Usage: python3 scripts/nnet_reference.py [SHARED_DIR]   (default: ../shared next to the repository)
"""
import json
import os
import sys

import numpy as np

NUM_INPUTS = 4


def read_records(path):
    """Non-blank, non-comment lines split at commas, trailing empty fields dropped."""
    records = []
    with open(path) as f:
        for line in f:
            s = line.strip()
            if not s or s.startswith("//"):
                continue
            fields = [t.strip() for t in s.split(",")]
            while fields and fields[-1] == "":
                fields.pop()
            records.append([float(t) for t in fields])
    return records


def parse_nnet(path):
    rec = iter(read_records(path))
    num_layers, n0, n_out = (int(v) for v in next(rec)[:3])
    sizes = [int(v) for v in next(rec)]
    assert len(sizes) == num_layers + 1 and sizes[0] == n0 and sizes[-1] == n_out
    next(rec)  # symmetric flag
    for _ in range(4):  # mins, maxes, means, ranges
        next(rec)
    layers = []
    for k in range(num_layers):
        w = np.array([next(rec) for _ in range(sizes[k + 1])], dtype=np.float64)
        assert w.shape == (sizes[k + 1], sizes[k]), (path, k, w.shape)
        b = np.array([next(rec)[0] for _ in range(sizes[k + 1])], dtype=np.float64)
        layers.append((w, b))
    assert next(rec, None) is None, path
    return sizes, layers


def forward(layers, x):
    h = x
    for i, (w, b) in enumerate(layers):
        h = w @ h + b
        if i + 1 < len(layers):
            h = np.maximum(h, 0.0)
    return h


def fixed_input(n0, k):
    return np.array([(((7 * i + 3 * k) % 11) - 5) / 10 for i in range(n0)], dtype=np.float64)


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "..", "shared")
    bench = os.path.join(shared, "benchmarks")
    out = {"input_formula": "x_i = (((7*i + 3*k) % 11) - 5) / 10", "num_inputs": NUM_INPUTS, "networks": {}}
    for sub in ("acasxu", "nnet"):
        folder = os.path.join(bench, sub)
        if not os.path.isdir(folder):
            sys.exit(f"{folder} is absent")
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".nnet"):
                continue
            sizes, layers = parse_nnet(os.path.join(folder, name))
            outputs = [forward(layers, fixed_input(sizes[0], k)).tolist() for k in range(NUM_INPUTS)]
            out["networks"][f"{sub}/{name}"] = {"sizes": sizes, "outputs": outputs}
    target = os.path.join(root, "tests", "fixtures", "nnet", "reference_outputs.json")
    with open(target, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {target} ({len(out['networks'])} networks)")


if __name__ == "__main__":
    main()

"""Speed of the Python package (issue 14), not a test: the per-call overhead over the library and
count_many on 2 threads against a Python loop over count on one, around 200 digit images.

    python3 benches/python_overhead.py        # in the venv of scripts/setup-python.sh

Wall-clock figures, noisy on a shared machine: each figure is the best of 5 repetitions.
"""

import time
from pathlib import Path

import numpy as np
import relu_regions as rr

ROOT = Path(__file__).resolve().parents[1]
net = rr.Network.load(ROOT / "data/digits-mlp-64-16-16-10.onnx")
images = np.loadtxt(ROOT / "data/digits.csv", delimiter=",", skiprows=1)[:200, :64] / 16.0
RADIUS = 0.2


def best(f, repeats=5):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t)
    return min(times), out


loop_s, results = best(lambda: [net.count(x, radius=RADIUS, threads=1) for x in images])
inside_s = sum(r.elapsed_s for r in results)
many_s, many = best(lambda: net.count_many(images, radius=RADIUS, threads=2))
assert [r.regions for r in many] == [r.regions for r in results]
bound_s, _ = best(lambda: [net.bound(x, radius=RADIUS) for x in images])
print(f"{len(images)} digit images, l2 ball r = {RADIUS}: {sum(r.regions for r in results)} regions")
print(f"loop of count(threads=1)   {loop_s * 1e3:8.1f} ms  ({loop_s / len(images) * 1e3:.3f} ms per call)")
print(f"  of which inside the count  {inside_s * 1e3:6.1f} ms  -> overhead {(loop_s - inside_s) / len(images) * 1e3:.3f} ms per call")
print(f"count_many(threads=2)      {many_s * 1e3:8.1f} ms  ({loop_s / many_s:.2f}x the loop)")
print(f"loop of bound (analytic)   {bound_s * 1e3:8.1f} ms  ({bound_s / len(images) * 1e3:.3f} ms per call)")

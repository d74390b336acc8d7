"""Scaling of the Dask driver (issue 15), not a test: ACAS Xu 1_1, L-inf box of half-width 0.1
around (0.64, 0, 0, 0.475, -0.475) (117,164 regions), on a LocalCluster of 1 and of 2 worker
processes (one thread each), against the local count on one thread.

    python3 benches/dask_scaling.py [HALF_WIDTH] [SHARD_SECONDS]

Needs ../shared/benchmarks (or $RELU_REGIONS_SHARED). Wall-clock, noisy: best of 3 runs each.
"""

import os
import sys
import time
from pathlib import Path

import relu_regions as rr
from distributed import Client, LocalCluster
from relu_regions.distributed import count

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("RELU_REGIONS_SHARED", ROOT.parent / "shared"))
MODEL = SHARED / "benchmarks/acasxu/ACASXU_experimental_v2a_1_1.nnet"
CENTER = [0.64, 0, 0, 0.475, -0.475]
HALF = float(sys.argv[1]) if len(sys.argv) > 1 else 0.1
SHARD_S = float(sys.argv[2]) if len(sys.argv) > 2 else 0.2

def main():
    if not MODEL.exists():
        sys.exit(f"note: {MODEL} not found; this benchmark needs ../shared/benchmarks")
    net = rr.Network.load(MODEL)
    t = time.perf_counter()
    local = net.count(CENTER, radius=HALF, norm="linf", threads=1)
    local_s = time.perf_counter() - t
    print(f"local, 1 thread: {local.regions} regions, {local_s:.2f} s")
    for workers in (1, 2):
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, Client(cluster) as client:
            runs = []
            for _ in range(3):
                r = count(MODEL, CENTER, radius=HALF, norm="linf", client=client, shard_seconds=SHARD_S)
                assert r.exact and r.regions == local.regions, r
                runs.append(r)
            best = min(runs, key=lambda r: r.elapsed_s)
            idle = best.elapsed_s - best.busy_s / workers
            print(
                f"dask, {workers} worker(s): {best.elapsed_s:.2f} s (best of 3), {best.shards} shards, "
                f"{best.resubmitted} resubmitted, {best.retries} retries, counting {best.busy_s:.2f} s, "
                f"scheduling/idle {idle:.2f} s ({idle / best.shards * 1e3:.1f} ms per shard)"
            )


if __name__ == "__main__":  # worker processes are spawned: they re-import this file
    main()

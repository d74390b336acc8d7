"""Exact region counts on a Dask cluster (``dask.distributed``): the search tree is split into
shards (subtrees named by their activation-pattern prefix), the shards are counted on the workers
with a time budget each, the unfinished rest of a shard that hits its budget goes back to the
queue as new shards (so long subtrees are split as they are found), a shard whose worker died is
counted again, and the results are merged: exact only when every shard is exact and nothing is
left unfinished. The shards partition the tree, so the merged count is the single-machine count.

    from dask.distributed import Client, LocalCluster
    from relu_regions.distributed import count
    with Client(LocalCluster(n_workers=2, threads_per_worker=1)) as client:
        r = count("model.onnx", center, radius=0.1, norm="linf", client=client, shard_seconds=5)

Works with any ``distributed.Client`` (LocalCluster, dask-jobqueue's SLURMCluster, ...).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

from ._native import Network

#: Why a merged count is not exact when a shard stopped by its budget had undecided decisions.
UNDECIDED = "undecided: floating point could not settle some decisions (see the shards' details)"

#: The prefix of the event topic under which each shard task of a count reports its start (to count re-runs of shards
#: whose worker died: the scheduler re-runs them on its own).
START_EVENTS = "relu-regions-shard-start"


@dataclass
class DistributedCountResult:
    """The merged result of a distributed count: the fields of a local count, and how it ran."""

    regions: int
    exact: bool
    lower: int
    upper: int
    stopped_by: Optional[str]
    undecided: int
    solver_calls: int
    #: Decisions settled by closed-form proofs (no solver), summed over the shards.
    decided_without_solver: int
    #: Decisions near the tolerance, summed over the shards.
    near_tolerance: int
    #: Calls of the exact-arithmetic fallback, summed over the shards.
    exact_fallback_calls: int
    elapsed_s: float
    #: Shard tasks completed (the initial split and every resubmitted unfinished rest).
    shards: int
    #: Shard runs started beyond one per shard: re-runs after a worker died (the scheduler's,
    #: seen through the shards' start events) and the driver's own resubmissions after errors.
    retries: int
    #: Unfinished rests sent back to the queue after a shard hit ``shard_seconds``.
    resubmitted: int
    #: Seconds the workers spent counting (the sum over shards); elapsed_s minus
    #: busy / workers is the time lost to scheduling and idling.
    busy_s: float
    workers: int
    details: list = field(default_factory=list, repr=False)

    def to_dict(self) -> dict[str, Any]:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "details"}
        d["upper"] = str(self.upper)
        return d


def _count_shard(
    net: Network, parts: Sequence[str], domain: dict, seconds: Optional[float], topic: str
) -> dict:
    """Runs on a worker: counts the subtrees `parts` with a time budget (one thread). Each run
    logs one event under `topic` (one topic per submission: the scheduler keeps a bounded log
    per topic), so the driver sees how often the scheduler ran it."""
    try:
        from distributed import get_worker

        get_worker().log_event(topic, 1)
    except Exception:  # not on a worker (synchronous scheduler): nothing to report
        pass
    r = net.count_subproblems(
        list(parts), time_limit=seconds, threads=1, frontier=True, **domain
    )
    d = r.to_dict()
    return {
        "regions": r.regions,
        "exact": r.exact,
        "lower": r.lower,
        "upper": r.upper,
        "stopped_by": r.stopped_by,
        "undecided": d["undecided"],
        "undecided_bound": r.undecided_bound,
        "solver_calls": r.solver_calls,
        "decided_without_solver": d["decided_without_solver"],
        "near_tolerance": d["near_tolerance"],
        "exact_fallback_calls": d["exact_fallback_calls"],
        "elapsed_s": r.elapsed_s,
        "unfinished": list(r.unfinished),
    }


def _reruns(dask_scheduler=None, topics=()):
    """On the scheduler: runs beyond the first of each submission (counted there, so only a
    number crosses the wire)."""
    return sum(max(0, len(dask_scheduler.get_events(t)) - 1) for t in topics)


def _batches(rests: Sequence[str], room: int) -> list[list[str]]:
    """The unfinished rests of a shard as new shards: one each while the queue has room (about
    four tasks per worker, so every worker always finds work), the remainder as one more shard,
    so the number of tasks stays bounded however wide the frontier."""
    rests = list(rests)
    if not rests:
        return []
    room = max(1, room)
    if len(rests) <= room:
        return [[u] for u in rests]
    return [[u] for u in rests[: room - 1]] + [rests[room - 1 :]]


def count(
    model,
    center=None,
    radius: Optional[float] = None,
    norm: str = "l2",
    *,
    box=None,
    client=None,
    shard_seconds: Optional[float] = 5.0,
    shards: Optional[int] = None,
    max_retries: int = 3,
) -> DistributedCountResult:
    """The exact number of linear regions of `model` (a path or a `Network`) meeting the open ball
    of `radius` around `center` in `norm` (or the open `box`), counted on the workers of `client`
    (default: the current client).

    `shards`: how many shards the first split makes (default 4 per worker); `shard_seconds`: the
    time budget of one shard task (None: no budget, no dynamic splitting); a shard that fails
    (its worker died too often for the scheduler's own retries) is submitted again up to
    `max_retries` times.
    """
    from distributed import as_completed, get_client

    if shard_seconds is not None and not shard_seconds > 0:
        raise ValueError(f"shard_seconds: {shard_seconds} is not valid; expected a number > 0 or None")
    start = time.perf_counter()
    client = client or get_client()
    net = model if isinstance(model, Network) else Network.load(model)
    domain = {"center": center, "radius": radius, "norm": norm, "box": box}
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    parts = net.split(at_least=shards or 4 * workers, **domain)
    # the network, sent once to every worker; sent again if every worker holding it died
    on_workers = {"net": client.scatter(net, broadcast=True, hash=False)}
    run = f"{START_EVENTS}-{uuid.uuid4().hex}"  # this count's shard-start topics
    submitted, topics = {}, []

    def submit(batch, attempt, budget=shard_seconds):
        topic = f"{run}-{len(topics)}"
        topics.append(topic)
        f = client.submit(_count_shard, on_workers["net"], batch, domain, budget, topic, pure=False)
        submitted[f.key] = (batch, attempt, budget)
        return f

    pending = as_completed([submit([p], 0) for p in parts])
    summed = ("regions", "lower", "undecided", "solver_calls", "decided_without_solver",
              "near_tolerance", "exact_fallback_calls")
    totals = dict.fromkeys(summed, 0)
    totals.update(upper=0, busy=0.0)
    exact, stopped_by, done, retries, resubmitted, details = True, None, 0, 0, 0, []
    for f in pending:
        batch, attempt, budget = submitted.pop(f.key)
        try:
            r = f.result()
        except Exception:
            if attempt >= max_retries:
                raise
            retries += 1
            if on_workers["net"].status != "finished":
                # every worker that held the network died with it: send it again
                on_workers["net"] = client.scatter(net, broadcast=True, hash=False)
            pending.add(submit(batch, attempt + 1, budget))
            continue
        done += 1
        details.append(r)
        for k in summed:
            totals[k] += r[k]
        totals["busy"] += r["elapsed_s"]
        # a shard stopped by its budget has its unfinished rest counted by new shards: what it
        # adds is its proven regions and the bound of its undecided parts
        if r["exact"]:
            totals["upper"] += r["regions"]
        elif r["stopped_by"] == "time limit":
            totals["upper"] += r["regions"] + r["undecided_bound"]
            if r["undecided"] > 0:
                exact = False
                stopped_by = stopped_by or UNDECIDED
        else:
            exact = False
            stopped_by = stopped_by or r["stopped_by"]
            totals["upper"] += r["upper"]
        if r["stopped_by"] == "time limit":
            rests = r["unfinished"]
            if r["regions"] == 0 and sorted(rests) == sorted(batch):
                # no progress within the budget (the set-up alone took longer): double it
                resubmitted += 1
                pending.add(submit(batch, 0, None if budget is None else 2 * budget))
                continue
            # the rests keep the budget that made progress
            for rest in _batches(rests, room=4 * workers - pending.count()):
                resubmitted += 1
                pending.add(submit(rest, 0, budget))
    # the scheduler's own re-runs (a worker died mid-shard): runs beyond one per submission
    retries += client.run_on_scheduler(_reruns, topics=topics)
    upper = totals["regions"] if exact else totals["upper"]
    return DistributedCountResult(
        regions=totals["regions"],
        exact=exact,
        lower=totals["lower"],
        upper=max(upper, totals["regions"]),
        stopped_by=stopped_by,
        undecided=totals["undecided"],
        solver_calls=totals["solver_calls"],
        decided_without_solver=totals["decided_without_solver"],
        near_tolerance=totals["near_tolerance"],
        exact_fallback_calls=totals["exact_fallback_calls"],
        elapsed_s=time.perf_counter() - start,
        shards=done,
        retries=retries,
        resubmitted=resubmitted,
        busy_s=totals["busy"],
        workers=workers,
        details=details,
    )

"""The Dask driver: the distributed count equals the local count (shards partition the search
tree), also when shards hit their time budget and are split again, and when a worker dies."""

import os
import signal

import numpy as np
import pytest
import relu_regions as rr

from conftest import DATA, require_shared
from test_network import random_layers

distributed = pytest.importorskip("distributed")
from distributed.diagnostics.plugin import WorkerPlugin  # noqa: E402
from relu_regions.distributed import count as dask_count  # noqa: E402


class KillOnFirstShard(WorkerPlugin):
    """SIGKILLs a worker's process (as the OOM killer would) the moment its first shard has been
    computed, before the result leaves the process, once per worker name (a marker file per name
    outlives the nanny's restart). To the scheduler the worker died mid-shard and its work is lost,
    whatever the machine's speed; a timer started by the test could fire while the worker sits
    idle between shards, or before the shard's start was logged."""

    name = "kill-on-first-shard"

    def __init__(self, marker_dir, names):
        self.marker_dir, self.names = str(marker_dir), {str(n) for n in names}

    def setup(self, worker):
        self.worker = worker

    def transition(self, key, start, finish, **kwargs):
        if start != "executing" or not str(key).startswith("_count_shard"):
            return
        name = str(self.worker.name)
        marker = os.path.join(self.marker_dir, f"killed-{name}")
        if name not in self.names or os.path.exists(marker):
            return
        open(marker, "w").close()
        os.kill(os.getpid(), signal.SIGKILL)


def killed_mid_shard(c, names, tmp_path):
    """Arms `KillOnFirstShard` on the workers `names` of client `c`."""
    c.register_plugin(KillOnFirstShard(tmp_path, names))
    return lambda: sorted(f.name for f in tmp_path.iterdir())


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def same(dist, local):
    assert dist.exact and local.exact
    assert (dist.regions, dist.lower, dist.upper) == (local.regions, local.lower, int(local.upper))


def test_the_dask_count_equals_the_local_count_on_digits(client, digits, digits_net):
    for row, radius, norm in [(0, 0.6, "l2"), (3, 0.08, "linf")]:
        local = digits_net.count(digits[row], radius=radius, norm=norm)
        dist = dask_count(digits_net, digits[row], radius=radius, norm=norm, client=client)
        same(dist, local)
        assert dist.shards >= 8


def test_short_shard_budgets_resubmit_the_rest_and_lose_nothing(client, digits, digits_net):
    local = digits_net.count(digits[0], radius=1.0)
    dist = dask_count(
        str(DATA / "digits-mlp-64-16-16-10.onnx"), digits[0], radius=1.0, client=client,
        shard_seconds=0.05, shards=4,
    )
    same(dist, local)
    assert dist.resubmitted > 0, "a 50 ms budget leaves unfinished rests"
    print(f"digits r=1.0: {dist.regions} regions, {dist.shards} shards, {dist.resubmitted} resubmitted, "
          f"{dist.elapsed_s:.2f} s on {dist.workers} workers (busy {dist.busy_s:.2f} s)")


def test_a_budget_shorter_than_the_set_up_still_finishes(client, digits, digits_net):
    # 0.1 ms cannot even replay a prefix: the driver doubles the budget of a shard that made no
    # progress instead of resubmitting it unchanged forever
    local = digits_net.count(digits[1], radius=0.5)
    same(dask_count(digits_net, digits[1], radius=0.5, client=client, shard_seconds=1e-4, shards=4), local)
    with pytest.raises(ValueError, match="shard_seconds"):
        dask_count(digits_net, digits[1], radius=0.5, client=client, shard_seconds=0)


@pytest.mark.parametrize("seed", range(3))
def test_random_nets(client, seed):
    net = rr.Network.from_layers(random_layers([3, 10, 10, 8, 1], seed=seed))
    c = np.array([0.1, -0.2, 0.3])
    for norm in ("l2", "linf"):
        same(dask_count(net, c, radius=1.5, norm=norm, client=client, shards=6), net.count(c, radius=1.5, norm=norm))


@pytest.mark.parametrize("half_width", [0.02, 0.05])
def test_acasxu_boxes(client, half_width):
    path = require_shared("benchmarks/acasxu/ACASXU_experimental_v2a_1_1.nnet")
    net = rr.Network.load(path)
    center = [0.64, 0, 0, 0.475, -0.475]
    same(
        dask_count(path, center, radius=half_width, norm="linf", client=client, shard_seconds=1.0),
        net.count(center, radius=half_width, norm="linf"),
    )


def test_a_worker_killed_mid_run_changes_nothing(digits, digits_net, tmp_path):
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    with distributed.Client(cluster) as c:
        local = digits_net.count(digits[0], radius=1.0)
        victim = sorted(w["name"] for w in c.scheduler_info()["workers"].values())[0]
        killed = killed_mid_shard(c, [victim], tmp_path)  # its nanny starts a new process
        dist = dask_count(digits_net, digits[0], radius=1.0, client=c, shard_seconds=0.3, shards=8)
        assert killed() == [f"killed-{victim}"]
        same(dist, local)
        print(f"worker killed: {dist.regions} regions, {dist.shards} shards, {dist.retries} retries")
        assert dist.retries >= 1, f"the killed worker's shard ran again: {dist}"
    cluster.close()


def test_every_worker_killed_mid_run_changes_nothing(digits, digits_net, tmp_path):
    """Both workers die in their first shard: the network scattered to them is lost with them
    and is sent again; the count is still the local one."""
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    with distributed.Client(cluster) as c:
        local = digits_net.count(digits[0], radius=1.0)
        names = sorted(w["name"] for w in c.scheduler_info()["workers"].values())
        killed = killed_mid_shard(c, names, tmp_path)
        dist = dask_count(digits_net, digits[0], radius=1.0, client=c, shard_seconds=0.3, shards=8)
        assert killed() == sorted(f"killed-{n}" for n in names)
        same(dist, local)
        print(f"all workers killed: {dist.regions} regions, {dist.shards} shards, {dist.retries} retries")
        assert dist.retries >= 1, f"the killed workers' shards ran again: {dist}"
        assert dist.decided_without_solver >= local.to_dict()["decided_without_solver"] > 0
    cluster.close()

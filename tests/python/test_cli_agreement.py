"""The package answers with the CLI's numbers: same counts, bounds and distances, on the shipped
examples and on the real benchmark networks of ../shared."""

import numpy as np
import pytest
import relu_regions as rr

from conftest import DATA, require_shared

COUNT_KEYS = ["regions", "exact", "lower", "upper", "norm", "radius", "solver", "stopped_by"]


def csv_point(x) -> str:
    return "--center=" + ",".join(repr(float(v)) for v in x)


@pytest.mark.parametrize("norm,radius", [("l2", 0.2), ("linf", 0.05), ("l2", 0.6)])
def test_digits_count_equals_cli(cli, digits, digits_net, norm, radius):
    model = str(DATA / "digits-mlp-64-16-16-10.onnx")
    for row in (0, 7, 42):
        ours = digits_net.count(digits[row], radius=radius, norm=norm, threads=2).to_dict()
        theirs = cli("count", model, csv_point(digits[row]), "--radius", str(radius), "--norm", norm)
        assert {k: ours[k] for k in COUNT_KEYS} == {k: theirs[k] for k in COUNT_KEYS}
        assert ours["exact"] and ours["regions"] >= 1


def test_digits_bound_equals_cli(cli, digits, digits_net):
    model = str(DATA / "digits-mlp-64-16-16-10.onnx")
    for method in ("analytic", "lp"):
        b = digits_net.bound(digits[3], radius=0.3, method=method)
        theirs = cli("bound", model, csv_point(digits[3]), "--radius", "0.3", "--method", method)
        for name in ("montufar2017", "serra2018", "local_analytic"):
            assert b[name] == int(theirs["bounds"][name]["value"])
        assert b["layers"] == theirs["bounds"]["local_analytic"]["layers"]
        if method == "lp":
            assert b["local_lp"] == int(theirs["bounds"]["local_lp"]["value"])
            assert b["upper"] == int(theirs["bounds"]["certified"]["upper"])
        assert b["report"]["bounds"]["local_analytic"] == theirs["bounds"]["local_analytic"]


def test_bounds_are_python_ints_above_the_exact_count(digits, digits_net):
    for row in range(5):
        b = digits_net.bound(digits[row], radius=0.3, method="lp")
        n = digits_net.count(digits[row], radius=0.3).regions
        for name in ("montufar2017", "serra2018", "local_analytic", "local_lp", "upper"):
            assert isinstance(b[name], int) and b[name] >= n, name
        assert b["lower"] <= n


def test_moons_distance_equals_cli(cli):
    model = str(DATA / "moons-2-16-16-1.json")
    net = rr.Network.load(model)
    for norm in ("l2", "linf"):
        d = net.distance([0.3, -0.2], norm=norm, details=True)
        theirs = cli("distance", model, "--center=0.3,-0.2", "--norm", norm)
        assert d["distance"] == theirs["distance"]
        assert (d["unit"], d["layer"], d["index"]) == (theirs["unit"], theirs["layer"], theirs["index"])
        assert net.distance([0.3, -0.2], norm=norm) == theirs["distance"]


def test_acasxu_box_equals_cli(cli):
    path = require_shared("benchmarks/acasxu/ACASXU_experimental_v2a_1_1.nnet")
    net = rr.Network.load(path)
    center = [0.64, 0, 0, 0.475, -0.475]
    ours = net.count(center, radius=0.02, norm="linf", threads=2).to_dict()
    theirs = cli("count", str(path), "--center=0.64,0,0,0.475,-0.475", "--norm", "linf", "--radius", "0.02")
    assert {k: ours[k] for k in COUNT_KEYS} == {k: theirs[k] for k in COUNT_KEYS}
    assert ours["regions"] > 100


def test_vnnlib_box_equals_cli(cli):
    model = require_shared("benchmarks/onnx/ACASXU_run2a_1_1_batch_2000.onnx")
    prop = require_shared("benchmarks/onnx/acasxu_prop_1.vnnlib")
    net = rr.Network.load(model)
    ours = net.count(box=prop, max_regions=3000, threads=2).to_dict()
    theirs = cli("count", str(model), "--box-file", str(prop), "--max-regions", "3000", "--threads", "2")
    for key in ("regions", "exact", "lower", "upper", "stopped_by", "norm", "radius"):
        assert ours[key] == theirs[key], key


def test_mnist_image_bound_equals_cli(cli):
    model = require_shared("benchmarks/mnist/mnist-net_256x4.onnx")
    images = require_shared("benchmarks/mnist/images.csv")
    net = rr.Network.load(model)
    x = np.loadtxt(images, delimiter=",", max_rows=1)
    b = net.bound(x, radius=0.01, norm="linf")
    theirs = cli("bound", str(model), "--center-file", str(images), "--row", "0", "--norm", "linf", "--radius", "0.01")
    assert b["local_analytic"] == int(theirs["bounds"]["local_analytic"]["value"])
    assert b["serra2018"] == int(theirs["bounds"]["serra2018"]["value"])

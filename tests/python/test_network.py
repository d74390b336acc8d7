"""Building networks: files, NumPy layers, a duck-typed PyTorch nn.Sequential; forward passes and
patterns; what bad input raises."""

import numpy as np
import pytest
import relu_regions as rr

from conftest import DATA


def random_layers(widths, seed=0):
    rng = np.random.default_rng(seed)
    return [
        (rng.normal(size=(o, i)), rng.normal(size=o) * 0.3) for i, o in zip(widths[:-1], widths[1:])
    ]


def numpy_forward(layers, x):
    for k, (w, b) in enumerate(layers):
        x = w @ x + b
        if k < len(layers) - 1:
            x = np.maximum(x, 0)
    return x


def test_from_layers_matches_numpy_and_a_saved_copy(tmp_path):
    layers = random_layers([3, 5, 4, 2])
    net = rr.Network.from_layers(layers)
    assert (net.input_dim, net.hidden_widths, net.output_dim) == (3, [5, 4], 2)
    x = np.array([0.2, -0.4, 0.9])
    np.testing.assert_allclose(net.forward(x), numpy_forward(layers, x), rtol=1e-12)
    batch = np.random.default_rng(1).normal(size=(6, 3))
    np.testing.assert_allclose(net.forward(batch), [numpy_forward(layers, r) for r in batch], rtol=1e-12)
    for suffix in ("json", "onnx"):
        net.save(tmp_path / f"net.{suffix}")
        again = rr.Network.load(tmp_path / f"net.{suffix}")
        for (w1, b1), (w2, b2) in zip(net.layers(), again.layers()):
            np.testing.assert_array_equal(w1, w2)
            np.testing.assert_array_equal(b1, b2)
        assert again.count(x, radius=0.5).regions == net.count(x, radius=0.5).regions


def test_activation_pattern_is_the_sign_of_the_pre_activations():
    layers = random_layers([2, 4, 3, 1], seed=3)
    net = rr.Network.from_layers(layers)
    x = np.array([0.3, -0.1])
    h1 = layers[0][0] @ x + layers[0][1]
    h2 = layers[1][0] @ np.maximum(h1, 0) + layers[1][1]
    np.testing.assert_array_equal(net.activation_pattern(x), np.concatenate([h1 > 0, h2 > 0]))


def test_centers_of_any_dtype_and_memory_order_give_the_same_count(digits, digits_net):
    x = digits[5]
    want = digits_net.count(x, radius=0.3).regions
    fortran = np.asfortranarray(np.stack([x, x]))[0]
    strided = np.repeat(x, 2)[::2]
    for c in (list(x), tuple(x), x.astype(np.float32).astype(np.float64), fortran, strided):
        assert digits_net.count(c, radius=0.3).regions == want
    # float32 rounds the center: the count is of the rounded point, exactly
    x32 = x.astype(np.float32)
    assert digits_net.count(x32, radius=0.3).regions == digits_net.count(x32.astype(np.float64), radius=0.3).regions


class FakeTensor:
    """What from_torch uses of a torch.Tensor: detach().cpu().numpy()."""

    def __init__(self, a):
        self.a = np.asarray(a, dtype=np.float32)

    def detach(self):
        return self

    def cpu(self):
        return self

    def numpy(self):
        return self.a


class Linear:
    def __init__(self, w, b):
        self.weight, self.bias = FakeTensor(w), (None if b is None else FakeTensor(b))


class ReLU:
    pass


class Flatten:
    pass


class Dropout:
    pass


class Sequential:
    def __init__(self, *mods):
        self.mods = list(mods)

    def children(self):
        return iter(self.mods)


def test_from_torch_reads_a_duck_typed_sequential():
    layers = random_layers([4, 6, 5, 3], seed=7)
    model = Sequential(
        Flatten(),
        Linear(*layers[0]),
        ReLU(),
        Sequential(Dropout(), Linear(*layers[1]), ReLU()),
        Linear(layers[2][0], None),
    )
    net = rr.Network.from_torch(model)
    f32 = [(w.astype(np.float32).astype(np.float64), b.astype(np.float32).astype(np.float64)) for w, b in layers]
    f32[2] = (f32[2][0], np.zeros(3))
    want = rr.Network.from_layers(f32)
    for (w1, b1), (w2, b2) in zip(net.layers(), want.layers()):
        np.testing.assert_array_equal(w1, w2)
        np.testing.assert_array_equal(b1, b2)
    x = np.array([0.1, 0.2, -0.3, 0.4])
    assert net.count(x, radius=1.0).regions == want.count(x, radius=1.0).regions


@pytest.mark.parametrize(
    "model,message",
    [
        (Sequential(Linear(np.eye(2), None), Linear(np.eye(2), None)), "without a ReLU between them"),
        (Sequential(Linear(np.eye(2), None), ReLU()), "ends with an activation"),
        (Sequential(ReLU(), Linear(np.eye(2), None)), "ReLU without a Linear"),
        (Sequential(Linear(np.eye(2), None), ReLU(), object()), "unsupported module object"),
        (Sequential(), "no Linear layer"),
    ],
)
def test_from_torch_refuses_what_it_cannot_read(model, message):
    with pytest.raises(ValueError, match=message):
        rr.Network.from_torch(model)


def test_bad_input_raises_value_error_with_the_parameter_name(digits_net, digits):
    x = digits[0]
    cases = [
        (dict(center=x[:3], radius=0.2), "center has 3 values; the network expects 64 inputs"),
        (dict(center=x, radius=-1.0), "radius: -1 is not valid"),
        (dict(center=x, radius=float("inf")), "radius: inf is not valid"),
        (dict(center=np.full(64, np.nan), radius=0.1), "center: value 0 .* is NaN"),
        (dict(center=x.reshape(8, 8), radius=0.1), "center: has shape \\[8, 8\\]; expected a 1-D array"),
        (dict(center=["a"] * 64, radius=0.1), "center: has dtype <U1; expected an array of real numbers"),
        (dict(center=[[0.1], [0.2, 0.3]], radius=0.1), "center: expected an array of numbers"),
        (dict(center=x, radius=0.1, norm="l3"), "norm: 'l3' is not valid; expected l2 or linf"),
        (dict(center=x, radius=0.1, time_limit=-1), "time_limit: -1 is not valid"),
        (dict(center=x, radius=0.1, time_limit=1e19), "time_limit: .* is not valid"),
        (dict(center=x, radius=0.1, threads=0), "threads: 0 is not valid"),
        (dict(center=x, radius=0.1, threads=10**6), "threads: 1000000 is not valid; expected 1 to 1024"),
        (dict(center=x + 0j, radius=0.1), "center: has dtype complex128; expected an array of real numbers"),
        (dict(center=x > 0.5, radius=0.1), "center: has dtype bool"),
        (
            dict(center=np.ma.masked_array(x, mask=np.arange(64) < 2), radius=0.1),
            "center: is a masked array with 2 masked entries",
        ),
        (dict(center=x, radius=0.1, solver="gurobi"), "solver: 'gurobi' is not valid"),
        (dict(center=x, radius=0.1, norm="l2", solver="highs"), "solver highs does not support l2"),
        (dict(radius=0.1), "center: missing"),
        (dict(center=x), "radius: missing"),
        (dict(center=x, radius=0.1, box=(x - 0.1, x + 0.1)), "box: .*not both"),
        (dict(box=(x + 0.1, x - 0.1)), "box: box coordinate 0"),
        (dict(box=(x[:2], x[:2] + 1)), "box lower: has 2 values; the network expects 64"),
        (dict(box=3), "box: expected a VNN-LIB file's path or a pair"),
    ]
    for kwargs, message in cases:
        with pytest.raises(ValueError, match=message):
            digits_net.count(**kwargs)
    with pytest.raises(ValueError, match="method: 'exact' is not valid"):
        digits_net.bound(x, radius=0.1, method="exact")
    # a masked array with nothing masked is an array like any other
    unmasked = np.ma.masked_array(x, mask=np.zeros(64, dtype=bool))
    assert digits_net.count(unmasked, radius=0.1).regions == digits_net.count(x, radius=0.1).regions
    with pytest.raises(ValueError, match="x: points have 3 coordinates"):
        digits_net.forward(x[:3])
    with pytest.raises(ValueError, match="point: points have 3 coordinates"):
        digits_net.distance(x[:3])
    with pytest.raises(ValueError, match="centers: has 3 values; the network expects 64"):
        digits_net.count_many([x[:3]], radius=0.1)
    with pytest.raises(ValueError, match="radius: -1 is not valid"):
        digits_net.count_many(np.zeros((0, 64)), radius=-1.0)


def test_files_that_cannot_be_read_raise_os_error_or_value_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.onnx"):
        rr.Network.load(tmp_path / "nope.onnx")
    with pytest.raises(ValueError, match="unknown network format"):
        rr.Network.load(DATA / "README.md")
    bad = tmp_path / "bad.json"
    bad.write_text('{"layers": [{"weight": [[1, 2]], "bias": [0, 1]}]}')
    with pytest.raises(ValueError, match="bad.json"):
        rr.Network.load(bad)
    with pytest.raises(FileNotFoundError, match="none.vnnlib"):
        rr.Network.load(DATA / "moons-2-16-16-1.json").count(box=tmp_path / "none.vnnlib")


def test_from_layers_checks_shapes_and_values():
    with pytest.raises(ValueError, match="layer 1: weight takes 3 inputs; expected 2"):
        rr.Network.from_layers([(np.eye(2), np.zeros(2)), (np.ones((1, 3)), np.zeros(1))])
    with pytest.raises(ValueError, match="layers\\[0\\] W: value 1 .* is inf"):
        rr.Network.from_layers([(np.array([[1.0, np.inf]]), np.zeros(1)), (np.ones((1, 1)), np.zeros(1))])
    with pytest.raises(ValueError, match="layers\\[1\\]: expected a pair"):
        rr.Network.from_layers([(np.eye(2), np.zeros(2)), np.eye(2)])
    with pytest.raises(ValueError, match="at least one hidden layer"):
        rr.Network.from_layers([(np.eye(2), np.zeros(2))])


def test_a_network_pickles_exactly(tmp_path):
    import pickle

    layers = random_layers([3, 5, 4, 2], seed=9)
    net = rr.Network.from_layers(layers)
    again = pickle.loads(pickle.dumps(net))
    for (w1, b1), (w2, b2) in zip(net.layers(), again.layers()):
        np.testing.assert_array_equal(w1, w2)
        np.testing.assert_array_equal(b1, b2)
    loaded = rr.Network.load(DATA / "digits-mlp-64-16-16-10.onnx")
    copy = pickle.loads(pickle.dumps(loaded))
    assert (copy.model, copy.notes) == (loaded.model, loaded.notes)
    x = np.full(64, 0.5)
    assert copy.count(x, radius=0.3).to_dict() | {"elapsed_s": 0, "threads": 0} == loaded.count(
        x, radius=0.3
    ).to_dict() | {"elapsed_s": 0, "threads": 0}


def test_onnx_graphs_with_residual_blocks_and_maxpool_load_and_count():
    """The reader's graph support reaches the package: a residual block and a MaxPool are carried
    by copy units (said in the notes), and the count is exact and equals the CLI's."""
    fixtures = DATA.parent / "tests" / "fixtures" / "onnx_cnn"
    for name, widths in [("residual_tiny.onnx", [2, 4, 2, 3]), ("maxpool_tiny.onnx", [4, 4, 4, 2])]:
        net = rr.Network.load(fixtures / name)
        assert net.hidden_widths == widths
        assert any("copy units" in n for n in net.notes), net.notes
        x = np.zeros(net.input_dim)
        result = net.count(x, radius=2.0)
        assert result.exact and result.regions >= 2


class LeakyReLU:
    def __init__(self, negative_slope=0.01):
        self.negative_slope = negative_slope


class PReLU:
    def __init__(self, slopes):
        self.weight = FakeTensor(slopes)


def test_from_torch_writes_leaky_activations_as_units_and_mirrors():
    rng = np.random.default_rng(12)
    layers = random_layers([3, 6, 4, 2], seed=11)
    slopes = np.linspace(-0.5, 0.5, 4).astype(np.float32).astype(np.float64)
    model = Sequential(Linear(*layers[0]), LeakyReLU(0.2), Linear(*layers[1]), PReLU(slopes), Linear(*layers[2]))
    net = rr.Network.from_torch(model)
    assert net.hidden_widths == [12, 8]
    f32 = [(w.astype(np.float32).astype(np.float64), b.astype(np.float32).astype(np.float64)) for w, b in layers]
    alpha = [np.full(6, 0.2), slopes]
    for _ in range(20):
        x = rng.uniform(-2, 2, 3)
        h = x
        for k, (w, b) in enumerate(f32):
            h = w @ h + b
            if k < 2:
                h = np.where(h > 0, h, alpha[k] * h)
        np.testing.assert_allclose(net.forward(x), h, rtol=1e-12, atol=1e-12)
    # one hidden layer: the leaky net's regions are the ReLU net's (the same hyperplanes)
    out = rng.normal(size=(2, 6))
    leaky = rr.Network.from_torch(Sequential(Linear(*layers[0]), LeakyReLU(0.3), Linear(out, None)))
    plain = rr.Network.from_torch(Sequential(Linear(*layers[0]), ReLU(), Linear(out, None)))
    center = np.array([0.1, -0.2, 0.3])
    for radius in (0.5, 2.0):
        a, b = leaky.count(center, radius=radius), plain.count(center, radius=radius)
        assert a.exact and b.exact
        assert a.regions == b.regions > 1
    with pytest.raises(ValueError, match="3 slopes for 6 units"):
        rr.Network.from_torch(Sequential(Linear(*layers[0]), PReLU([0.1, 0.2, 0.3]), Linear(out, None)))

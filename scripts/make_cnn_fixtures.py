#!/usr/bin/env python3
"""Builds the small convolutional ONNX fixtures and the reference outputs the Rust tests compare
against (tests/formats_onnx_cnn.rs).

Every model is assembled with onnx.helper (no torch); its outputs at fixed inputs are computed by
onnxruntime, independently of relu-regions, and written to
tests/fixtures/onnx_cnn/reference_outputs.json. The models (inputs of 3 to 98 values):

- tiny_2d.onnx: [1,1,3,3] -> Conv(2, 2x2) -> BatchNormalization -> Relu -> AveragePool(2x2)
  -> Flatten -> Gemm(3) -> Relu -> Gemm(1): 11 hidden units, small enough for brute force.
- tiny_1d.onnx: [1,1,6] -> Sub/Div (input normalisation) -> Conv1d(2, k3, stride 2, pads 1)
  -> Relu -> Pad(constant 0.5, opset-13 inputs) -> AveragePool(k2, count_include_pad=1)
  -> Flatten -> Gemm(4) -> Relu -> Gemm(2): 10 hidden units.
- groups_dilation.onnx: [1,4,7,7] -> Conv(4, groups 2, dilation 2, 3x3, asymmetric pads)
  -> Relu -> Pad(opset-13 inputs, zero) -> AveragePool(3x3, stride 2, pads 1, count_include_pad=0,
  ceil_mode=1 where it agrees with the floor) -> Transpose(0,2,3,1) -> Flatten -> Gemm(5).
- same_global.onnx: [1,3,4,4] -> Mul/Add per channel -> Conv(depthwise, 3x3, stride 2,
  auto_pad SAME_LOWER) -> BatchNormalization -> Relu -> Conv(6, 1x1, auto_pad SAME_UPPER)
  -> Relu -> GlobalAveragePool -> Squeeze(axes input) -> Unsqueeze -> Reshape([1, 6]) -> Dropout
  -> Gemm(4) -> Relu -> MatMul + Add (3).
- opset9_pad.onnx: [1,2,4,4] -> Pad (opset 9 attributes) -> Conv(3, 3x3, stride 2, auto_pad VALID)
  -> Relu -> Identity -> Flatten -> Gemm(2), as PyTorch 1.x exported (Convnet_avgpool's style).
- residual_tiny.onnx: [1,1,2,2] -> Conv(2, 2x2) -> Relu -> Conv(2, 1x1) -> Relu -> Conv(2, 1x1)
  -> Add(the first Relu's output: a residual block) -> Relu -> Flatten -> Gemm(3) -> Relu -> Gemm(1).
- maxpool_tiny.onnx: [1,1,2,3] -> Conv(1, 1x2) -> Relu -> MaxPool(2x2) -> Flatten -> Gemm(2)
  -> Relu -> Gemm(1).
- leaky_branches.onnx: [1,1,2,2] -> two branches, Sub(Conv(2, 2x2), Conv(2, 1x1 stride 2)) ->
  PRelu(one slope per channel) and Conv(1, 2x2) -> LeakyRelu(0.2), joined by Concat(axis 1)
  -> Flatten -> Gemm(2) -> LeakyRelu(0.1) -> Gemm(1).
- broadcast_sub.onnx: [1,2] -> two Gemm+Relu branches, the second reshaped to [3, 1], Sub: ONNX
  broadcasts to [3, 3]; a negative fixture (no reference outputs), refused by the reader.
- shared_cnn: Convnet_avgpool.onnx (the two VNN-LIB box centres and a perturbed one),
  Convnet_maxpool.onnx (its VNN-LIB box centre and a perturbed one) and
  cifar_base_kw.onnx and resnet_2b.onnx (three random images each) from ../shared/benchmarks/cnn,
  only the numbers.

Usage: /work/nnenv/bin/python scripts/make_cnn_fixtures.py [SHARED_DIR, default ../shared]
(from the repository root; needs numpy, onnx, onnxruntime)
"""
import json
import pathlib
import re
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "onnx_cnn"
SHARED = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ROOT.parent / "shared") / "benchmarks" / "cnn"
RNG = np.random.default_rng(20261130)


def const(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


def rand(*shape, scale=1.0):
    return (RNG.uniform(-scale, scale, size=shape)).astype(np.float32)


def bn_params(prefix, c):
    return [
        const(f"{prefix}.scale", RNG.uniform(0.5, 1.5, c).astype(np.float32)),
        const(f"{prefix}.B", rand(c, scale=0.3)),
        const(f"{prefix}.mean", rand(c, scale=0.3)),
        const(f"{prefix}.var", RNG.uniform(0.3, 2.0, c).astype(np.float32)),
    ]


def gemm(inp, out, name, n_in, n_out, inits):
    inits += [const(f"{name}.weight", rand(n_out, n_in, scale=1 / np.sqrt(n_in))), const(f"{name}.bias", rand(n_out, scale=0.3))]
    return helper.make_node("Gemm", [inp, f"{name}.weight", f"{name}.bias"], [out], name=name, transB=1)


def model(nodes, inits, in_shape, out_name, opset, n_out):
    graph = helper.make_graph(
        nodes,
        "cnn",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, in_shape)],
        [helper.make_tensor_value_info(out_name, TensorProto.FLOAT, [1, n_out])],
        initializer=inits,
    )
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="make_cnn_fixtures")
    m.ir_version = 7
    onnx.checker.check_model(m)
    return m


def tiny_2d():
    inits = [const("c.weight", rand(2, 1, 2, 2)), const("c.bias", rand(2, scale=0.3))] + bn_params("bn", 2)
    nodes = [
        helper.make_node("Conv", ["input", "c.weight", "c.bias"], ["c"], name="conv", kernel_shape=[2, 2]),
        helper.make_node("BatchNormalization", ["c", "bn.scale", "bn.B", "bn.mean", "bn.var"], ["bn"], name="bn", epsilon=1e-3),
        helper.make_node("Relu", ["bn"], ["r"], name="relu"),
        helper.make_node("AveragePool", ["r"], ["p"], name="pool", kernel_shape=[2, 2]),
        helper.make_node("Flatten", ["p"], ["f"], name="flatten"),
        gemm("f", "g1", "fc1", 2, 3, inits),
        helper.make_node("Relu", ["g1"], ["r1"], name="relu1"),
        gemm("r1", "output", "fc2", 3, 1, inits),
    ]
    return model(nodes, inits, [1, 1, 3, 3], "output", 13, 1)


def tiny_1d():
    inits = [
        const("mean", np.float32(0.1)),
        const("std", np.float32(0.5)),
        const("c.weight", rand(2, 1, 3)),
        const("c.bias", rand(2, scale=0.3)),
        const("pads", np.array([0, 0, 1, 0, 0, 0], dtype=np.int64)),
        const("pad_value", np.float32(0.5)),
    ]
    nodes = [
        helper.make_node("Sub", ["input", "mean"], ["s"], name="sub"),
        helper.make_node("Div", ["s", "std"], ["d"], name="div"),
        helper.make_node("Conv", ["d", "c.weight", "c.bias"], ["c"], name="conv", strides=[2], pads=[1, 1]),
        helper.make_node("Relu", ["c"], ["r"], name="relu"),
        helper.make_node("Pad", ["r", "pads", "pad_value"], ["pd"], name="pad", mode="constant"),
        helper.make_node("AveragePool", ["pd"], ["p"], name="pool", kernel_shape=[2], count_include_pad=1),
        helper.make_node("Flatten", ["p"], ["f"], name="flatten"),
        gemm("f", "g1", "fc1", 6, 4, inits),
        helper.make_node("Relu", ["g1"], ["r1"], name="relu1"),
        gemm("r1", "output", "fc2", 4, 2, inits),
    ]
    return model(nodes, inits, [1, 1, 6], "output", 13, 2)


def groups_dilation():
    inits = [
        const("c.weight", rand(4, 2, 3, 3, scale=0.5)),
        const("c.bias", rand(4, scale=0.3)),
        const("pads", np.array([0, 0, 1, 0, 0, 0, 0, 1], dtype=np.int64)),
    ]
    nodes = [
        helper.make_node("Conv", ["input", "c.weight", "c.bias"], ["c"], name="conv", group=2, dilations=[2, 2], pads=[1, 0, 2, 1]),
        helper.make_node("Relu", ["c"], ["r"], name="relu"),
        helper.make_node("Pad", ["r", "pads"], ["pd"], name="pad"),
        helper.make_node("AveragePool", ["pd"], ["p"], name="pool", kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=1),
        helper.make_node("Transpose", ["p"], ["t"], name="transpose", perm=[0, 2, 3, 1]),
        helper.make_node("Flatten", ["t"], ["f"], name="flatten"),
        gemm("f", "output", "fc", 4 * 4 * 3, 5, inits),
    ]
    return model(nodes, inits, [1, 4, 7, 7], "output", 13, 5)


def same_global():
    inits = [
        const("scale", RNG.uniform(0.5, 2, (1, 3, 1, 1)).astype(np.float32)),
        const("shift", rand(3, 1, 1, scale=0.5)),
        const("dw.weight", rand(3, 1, 3, 3)),
        const("pw.weight", rand(6, 3, 1, 1)),
        const("pw.bias", rand(6, scale=0.3)),
        const("axes", np.array([2, 3], dtype=np.int64)),
        const("axes0", np.array([0], dtype=np.int64)),
        const("target", np.array([1, 6], dtype=np.int64)),
        const("w3", rand(4, 3)),
        const("b3", rand(3, scale=0.3)),
    ] + bn_params("bn", 3)
    nodes = [
        helper.make_node("Mul", ["input", "scale"], ["m"], name="mul"),
        helper.make_node("Add", ["shift", "m"], ["a"], name="add"),
        helper.make_node("Conv", ["a", "dw.weight"], ["c"], name="depthwise", group=3, strides=[2, 2], auto_pad="SAME_LOWER"),
        helper.make_node("BatchNormalization", ["c", "bn.scale", "bn.B", "bn.mean", "bn.var"], ["bn"], name="bn"),
        helper.make_node("Relu", ["bn"], ["r"], name="relu"),
        helper.make_node("Conv", ["r", "pw.weight", "pw.bias"], ["c2"], name="pointwise", auto_pad="SAME_UPPER"),
        helper.make_node("Relu", ["c2"], ["r2"], name="relu2"),
        helper.make_node("GlobalAveragePool", ["r2"], ["gp"], name="gap"),
        helper.make_node("Squeeze", ["gp", "axes"], ["sq"], name="squeeze"),
        helper.make_node("Unsqueeze", ["sq", "axes0"], ["us"], name="unsqueeze"),
        helper.make_node("Reshape", ["us", "target"], ["rs"], name="reshape"),
        helper.make_node("Dropout", ["rs"], ["dr"], name="dropout"),
        gemm("dr", "g", "fc", 6, 4, inits),
        helper.make_node("Relu", ["g"], ["r3"], name="relu3"),
        helper.make_node("MatMul", ["r3", "w3"], ["mm"], name="matmul"),
        helper.make_node("Add", ["mm", "b3"], ["output"], name="bias"),
    ]
    return model(nodes, inits, [1, 3, 4, 4], "output", 13, 3)


def opset9_pad():
    inits = [const("c.weight", rand(3, 2, 3, 3, scale=0.5)), const("c.bias", rand(3, scale=0.3))]
    nodes = [
        helper.make_node("Pad", ["input"], ["pd"], name="Pad_0", mode="constant", pads=[0, 0, 1, 1, 0, 0, 1, 1], value=0.0),
        helper.make_node("Conv", ["pd", "c.weight", "c.bias"], ["c"], name="Conv_1", strides=[2, 2], auto_pad="VALID"),
        helper.make_node("Relu", ["c"], ["r"], name="Relu_2"),
        helper.make_node("Identity", ["r"], ["i"], name="Identity_3"),
        helper.make_node("Flatten", ["i"], ["f"], name="Flatten_4", axis=1),
        gemm("f", "output", "Gemm_5", 3 * 2 * 2, 2, inits),
    ]
    return model(nodes, inits, [1, 2, 4, 4], "output", 9, 2)


def residual_tiny():
    inits = [
        const("c0.weight", rand(2, 1, 2, 2)), const("c0.bias", rand(2, scale=0.3)),
        const("c1.weight", rand(2, 2, 1, 1)), const("c1.bias", rand(2, scale=0.3)),
        const("c2.weight", rand(2, 2, 1, 1)), const("c2.bias", rand(2, scale=0.3)),
    ]
    nodes = [
        helper.make_node("Conv", ["input", "c0.weight", "c0.bias"], ["c0"], name="conv0", kernel_shape=[2, 2]),
        helper.make_node("Relu", ["c0"], ["r0"], name="relu0"),
        helper.make_node("Conv", ["r0", "c1.weight", "c1.bias"], ["c1"], name="conv1", kernel_shape=[1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
        helper.make_node("Conv", ["r1", "c2.weight", "c2.bias"], ["c2"], name="conv2", kernel_shape=[1, 1]),
        helper.make_node("Add", ["c2", "r0"], ["sum"], name="residual"),
        helper.make_node("Relu", ["sum"], ["r2"], name="relu2"),
        helper.make_node("Flatten", ["r2"], ["f"], name="flatten"),
        gemm("f", "g1", "fc1", 2, 3, inits),
        helper.make_node("Relu", ["g1"], ["r3"], name="relu3"),
        gemm("r3", "output", "fc2", 3, 1, inits),
    ]
    return model(nodes, inits, [1, 1, 2, 2], "output", 13, 1)


def maxpool_tiny():
    inits = [const("c.weight", rand(1, 1, 1, 2)), const("c.bias", rand(1, scale=0.3))]
    nodes = [
        helper.make_node("Conv", ["input", "c.weight", "c.bias"], ["c"], name="conv", kernel_shape=[1, 2]),
        helper.make_node("Relu", ["c"], ["r"], name="relu"),
        helper.make_node("MaxPool", ["r"], ["p"], name="pool", kernel_shape=[2, 2]),
        helper.make_node("Flatten", ["p"], ["f"], name="flatten"),
        gemm("f", "g1", "fc1", 1, 2, inits),
        helper.make_node("Relu", ["g1"], ["r1"], name="relu1"),
        gemm("r1", "output", "fc2", 2, 1, inits),
    ]
    return model(nodes, inits, [1, 1, 2, 3], "output", 13, 1)


def leaky_branches():
    inits = [
        const("a.weight", rand(2, 1, 2, 2)), const("a.bias", rand(2, scale=0.3)),
        const("a.slope", np.array([[[0.3]], [[-0.5]]], dtype=np.float32)),
        const("b.weight", rand(1, 1, 2, 2)), const("b.bias", rand(1, scale=0.3)),
        const("s.weight", rand(2, 1, 1, 1)),
    ]
    nodes = [
        helper.make_node("Conv", ["input", "a.weight", "a.bias"], ["a0"], name="conv_a", kernel_shape=[2, 2]),
        helper.make_node("Conv", ["input", "s.weight"], ["s"], name="conv_s", kernel_shape=[1, 1], strides=[2, 2]),
        helper.make_node("Sub", ["a0", "s"], ["a"], name="sub"),
        helper.make_node("PRelu", ["a", "a.slope"], ["pa"], name="prelu"),
        helper.make_node("Conv", ["input", "b.weight", "b.bias"], ["b"], name="conv_b", kernel_shape=[2, 2]),
        helper.make_node("LeakyRelu", ["b"], ["lb"], name="leaky", alpha=0.2),
        helper.make_node("Concat", ["pa", "lb"], ["cat"], name="concat", axis=1),
        helper.make_node("Flatten", ["cat"], ["f"], name="flatten"),
        gemm("f", "g1", "fc1", 3, 2, inits),
        helper.make_node("LeakyRelu", ["g1"], ["l1"], name="leaky1", alpha=0.1),
        gemm("l1", "output", "fc2", 2, 1, inits),
    ]
    return model(nodes, inits, [1, 1, 2, 2], "output", 13, 1)


def broadcast_sub():
    """A Sub of two computed tensors that ONNX broadcasts, [1, 3] − [3, 1] = [3, 3]: the reader must
    refuse it (it once added them elementwise). Fixed weights, no RNG."""
    inits = [
        const("w1", np.array([[1, 0], [0, 1], [1, 1]], np.float32)), const("b1", np.zeros(3, np.float32)),
        const("w2", np.array([[1, -1], [-1, 1], [0, 1]], np.float32)), const("b2", np.zeros(3, np.float32)),
        const("shape", np.array([3, 1], np.int64)),
        const("w3", np.ones((1, 3), np.float32)), const("b3", np.zeros(1, np.float32)),
    ]
    nodes = [
        helper.make_node("Gemm", ["input", "w1", "b1"], ["g1"], name="fc1", transB=1),
        helper.make_node("Relu", ["g1"], ["r1"], name="relu1"),
        helper.make_node("Gemm", ["input", "w2", "b2"], ["g2"], name="fc2", transB=1),
        helper.make_node("Relu", ["g2"], ["r2"], name="relu2"),
        helper.make_node("Reshape", ["r2", "shape"], ["col"], name="column"),
        helper.make_node("Sub", ["r1", "col"], ["d"], name="sub"),
        helper.make_node("Gemm", ["d", "w3", "b3"], ["output"], name="out", transB=1),
    ]
    graph = helper.make_graph(
        nodes, "broadcast", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 2])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [3, 1])], initializer=inits,
    )
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="make_cnn_fixtures")
    m.ir_version = 7
    onnx.checker.check_model(m)
    return m


def short(xs, digits=4):
    """Inputs rounded to a few decimals (a small fixture file); the same values are fed to onnxruntime."""
    return np.round(np.asarray(xs, dtype=np.float64), digits)


def run(model_bytes, inputs, shape):
    """onnxruntime's outputs with graph optimizations off: its Pad fusion folds a Pad into the next
    AveragePool's pads, which changes the divisor under count_include_pad = 0 (onnxruntime 1.19 gives
    2x the ONNX value at the border of groups_dilation.onnx); the reference is the unoptimized graph."""
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])
    name = sess.get_inputs()[0].name
    return [sess.run(None, {name: np.asarray(x, np.float32).reshape(shape)})[0].astype(np.float64).reshape(-1).tolist() for x in inputs]


def box_center(path):
    """The centre of the input box of a VNN-LIB file (X_i bounds)."""
    lo, hi = {}, {}
    for op, i, v in re.findall(r"\(assert \((<=|>=) X_(\d+) ([-+0-9.eE]+)\)\)", path.read_text()):
        (hi if op == "<=" else lo)[int(i)] = float(v)
    return [(lo[i] + hi[i]) / 2 for i in range(len(lo))]


def main():
    FIXTURES.mkdir(parents=True, exist_ok=True)
    refs = {}
    for make in (tiny_2d, tiny_1d, groups_dilation, same_global, opset9_pad, residual_tiny, maxpool_tiny, leaky_branches):
        m = make()
        name = f"{make.__name__}.onnx"
        (FIXTURES / name).write_bytes(m.SerializeToString())
        shape = [d.dim_value for d in m.graph.input[0].type.tensor_type.shape.dim]
        xs = short(RNG.uniform(-1, 1, size=(4, int(np.prod(shape)))))
        refs[name] = {"inputs": xs.tolist(), "outputs": run(m.SerializeToString(), xs, shape)}
    (FIXTURES / "broadcast_sub.onnx").write_bytes(broadcast_sub().SerializeToString())
    shared = {}
    avg = SHARED / "Convnet_avgpool.onnx"
    if avg.exists():
        centres = [box_center(SHARED / f"avgpool_prop_{k}_0.02.vnnlib") for k in (0, 1)]
        perturbed = np.clip(np.asarray(centres[0]) + RNG.uniform(-0.02, 0.02, 784), 0, 1)
        xs = short(centres + [perturbed.tolist()], 6)
        shared["Convnet_avgpool.onnx"] = {"inputs": xs.tolist(), "outputs": run(avg.read_bytes(), xs, [1, 1, 28, 28])}
    cifar = SHARED / "cifar_base_kw.onnx"
    if cifar.exists():
        xs = short(RNG.uniform(0, 1, size=(3, 3072)), 3)
        shared["cifar_base_kw.onnx"] = {"inputs": xs.tolist(), "outputs": run(cifar.read_bytes(), xs, [1, 3, 32, 32])}
    resnet = SHARED / "resnet_2b.onnx"
    if resnet.exists():
        xs = short(RNG.uniform(0, 1, size=(3, 3072)), 3)
        shared["resnet_2b.onnx"] = {"inputs": xs.tolist(), "outputs": run(resnet.read_bytes(), xs, [1, 3, 32, 32])}
    maxpool = SHARED / "Convnet_maxpool.onnx"
    if maxpool.exists():
        centres = [box_center(SHARED / "maxpool_prop_0_0.004.vnnlib")]
        perturbed = np.clip(np.asarray(centres[0]) + RNG.uniform(-0.02, 0.02, 784), 0, 1)
        xs = short(centres + [perturbed.tolist()], 6)
        shared["Convnet_maxpool.onnx"] = {"inputs": xs.tolist(), "outputs": run(maxpool.read_bytes(), xs, [1, 1, 28, 28])}
    if not shared:
        print(f"note: {SHARED} is absent; no reference outputs for the shared CNNs")
    refs["shared"] = shared
    (FIXTURES / "reference_outputs.json").write_text(json.dumps(refs) + "\n")
    print(f"wrote {sorted(refs)} and {sorted(shared)} to {FIXTURES.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

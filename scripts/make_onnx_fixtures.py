#!/usr/bin/env python3
"""Builds the ONNX test fixtures and the reference outputs the Rust tests compare against.

- tests/fixtures/onnx/pytorch_style.onnx: the graph torch.onnx.export writes for
  nn.Sequential(Flatten, Linear(6, 8), ReLU, Linear(8, 7), ReLU, Linear(7, 3)) on inputs of
  shape [batch, 2, 3] (Gemm with transB=1, alpha=beta=1, initializers "1.weight", ...).
  torch is not needed: the graph is assembled with onnx.helper.
- tests/fixtures/onnx/matmul_add.onnx: the scikit-learn / TensorFlow style: a Sub of a constant
  in front, MatMul + Add (both operand orders), a Gemm with alpha, beta and transB=0, an Identity,
  and a Softmax head as a second graph output.
- tests/fixtures/onnx/normalized_view.onnx: an older PyTorch export with Sub/Div input
  normalization and x.view(x.size(0), -1) (Shape, Gather, Constant, Concat, Reshape).
- tests/fixtures/onnx/reference_outputs.json: outputs computed by onnxruntime (independently of
  relu-regions) at fixed inputs, for those fixtures, data/digits-mlp-64-16-16-10.onnx (its
  pre-softmax logits, exposed in an in-memory copy of the graph, and its class probabilities), and
  the third-party benchmarks in ../shared/benchmarks/onnx (only the computed numbers are stored).

Usage: python3 scripts/make_onnx_fixtures.py [SHARED_DIR, default ../shared]   (from the repository root; needs numpy, onnx, onnxruntime)
"""
import json
import pathlib
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "onnx"
SHARED = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ROOT.parent / "shared") / "benchmarks" / "onnx"
RNG = np.random.default_rng(20261127)


def linear(n_in, n_out):
    bound = 1.0 / np.sqrt(n_in)
    w = RNG.uniform(-bound, bound, size=(n_out, n_in)).astype(np.float32)
    b = RNG.uniform(-bound, bound, size=(n_out,)).astype(np.float32)
    return w, b


def pytorch_style():
    widths = [6, 8, 7, 3]
    inits, nodes = [], [helper.make_node("Flatten", ["input"], ["/0/Flatten_output_0"], name="/0/Flatten", axis=1)]
    current = "/0/Flatten_output_0"
    for i, (n_in, n_out) in enumerate(zip(widths[:-1], widths[1:])):
        k = 1 + 2 * i
        w, b = linear(n_in, n_out)
        inits += [numpy_helper.from_array(w, f"{k}.weight"), numpy_helper.from_array(b, f"{k}.bias")]
        last = i == len(widths) - 2
        out = "output" if last else f"/{k}/Gemm_output_0"
        nodes.append(
            helper.make_node("Gemm", [current, f"{k}.weight", f"{k}.bias"], [out], name=f"/{k}/Gemm", alpha=1.0, beta=1.0, transB=1)
        )
        current = out
        if not last:
            relu = f"/{k + 1}/Relu_output_0"
            nodes.append(helper.make_node("Relu", [current], [relu], name=f"/{k + 1}/Relu"))
            current = relu
    graph = helper.make_graph(
        nodes,
        "main_graph",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch_size", 2, 3])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch_size", 3])],
        inits,
    )
    model = helper.make_model(graph, producer_name="pytorch", opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def matmul_add():
    shift = RNG.uniform(-1, 1, size=(1, 4)).astype(np.float32)
    w1, b1 = linear(4, 6)
    w2, b2 = linear(6, 5)
    w3, b3 = linear(5, 2)
    inits = [
        numpy_helper.from_array(shift, "mean"),
        numpy_helper.from_array(w1.T.copy(), "W1"),  # MatMul takes (in, out)
        numpy_helper.from_array(b1, "B1"),
        numpy_helper.from_array((w2.T / 0.5).astype(np.float32), "W2"),  # Gemm transB=0, alpha=0.5
        numpy_helper.from_array((b2 / 2.0).astype(np.float32), "B2"),  # beta=2
        numpy_helper.from_array(w3.T.copy(), "W3"),
        numpy_helper.from_array(b3.reshape(1, 2), "B3"),
    ]
    nodes = [
        helper.make_node("Sub", ["x", "mean"], ["centered"], name="sub_mean"),
        helper.make_node("MatMul", ["centered", "W1"], ["h1_mm"], name="matmul_1"),
        helper.make_node("Add", ["B1", "h1_mm"], ["h1"], name="add_1"),  # constant first
        helper.make_node("Relu", ["h1"], ["a1"], name="relu_1"),
        helper.make_node("Identity", ["a1"], ["a1_id"], name="identity"),
        helper.make_node("Gemm", ["a1_id", "W2", "B2"], ["h2"], name="gemm_2", alpha=0.5, beta=2.0, transB=0),
        helper.make_node("Relu", ["h2"], ["a2"], name="relu_2"),
        helper.make_node("MatMul", ["a2", "W3"], ["h3_mm"], name="matmul_3"),
        helper.make_node("Add", ["h3_mm", "B3"], ["logits"], name="add_3"),
        helper.make_node("Softmax", ["logits"], ["probabilities"], name="softmax", axis=1),
    ]
    graph = helper.make_graph(
        nodes,
        "matmul_add",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [
            helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 2]),
            helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [1, 2]),
        ],
        inits,
    )
    model = helper.make_model(graph, producer_name="make_onnx_fixtures", opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def normalized_view():
    """Old PyTorch exports: Sub/Div input normalization and x.view(x.size(0), -1) as Shape → Gather →
    Unsqueeze → Concat → Reshape, with a Constant node."""
    mean = RNG.uniform(-0.5, 0.5, size=(1, 1, 2, 2)).astype(np.float32)
    std = RNG.uniform(0.5, 2.0, size=(1, 1, 2, 2)).astype(np.float32)
    w1, b1 = linear(4, 5)
    w2, b2 = linear(5, 3)
    w3, b3 = linear(3, 2)
    inits = [
        numpy_helper.from_array(mean, "mean"),
        numpy_helper.from_array(std, "std"),
        numpy_helper.from_array(np.array([0], dtype=np.int64), "zero"),
        numpy_helper.from_array(w1, "fc1.weight"),
        numpy_helper.from_array(b1, "fc1.bias"),
        numpy_helper.from_array(w2, "fc2.weight"),
        numpy_helper.from_array(b2, "fc2.bias"),
        numpy_helper.from_array(w3.T.copy(), "fc3.weight_t"),
        numpy_helper.from_array(b3, "fc3.bias"),
    ]
    nodes = [
        helper.make_node("Sub", ["input.1", "mean"], ["centered"], name="Sub_0"),
        helper.make_node("Div", ["centered", "std"], ["scaled"], name="Div_1"),
        helper.make_node("Shape", ["scaled"], ["shape"], name="Shape_2"),
        helper.make_node("Gather", ["shape", "zero"], ["batch"], name="Gather_3", axis=0),
        helper.make_node(
            "Constant", [], ["minus_one"], name="Constant_4", value=numpy_helper.from_array(np.array([-1], dtype=np.int64))
        ),
        helper.make_node("Concat", ["batch", "minus_one"], ["new_shape"], name="Concat_5", axis=0),
        helper.make_node("Reshape", ["scaled", "new_shape"], ["flat"], name="Reshape_6"),
        helper.make_node("Gemm", ["flat", "fc1.weight", "fc1.bias"], ["h1"], name="Gemm_7", transB=1),
        helper.make_node("Relu", ["h1"], ["a1"], name="Relu_8"),
        helper.make_node("Gemm", ["a1", "fc2.weight", "fc2.bias"], ["h2"], name="Gemm_9", transB=1),
        helper.make_node("Relu", ["h2"], ["a2"], name="Relu_10"),
        helper.make_node("MatMul", ["a2", "fc3.weight_t"], ["h3"], name="MatMul_11"),
        helper.make_node("Add", ["h3", "fc3.bias"], ["output"], name="Add_12"),
    ]
    graph = helper.make_graph(
        nodes,
        "torch-jit-export",
        [helper.make_tensor_value_info("input.1", TensorProto.FLOAT, [1, 1, 2, 2])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 2])],
        inits,
    )
    model = helper.make_model(graph, producer_name="pytorch", opset_imports=[helper.make_opsetid("", 11)])
    model.ir_version = 6
    onnx.checker.check_model(model)
    return model


def run(model_bytes, inputs, output_names=None):
    """Runs the model one input at a time (some benchmarks have batch 1) and returns the named outputs."""
    sess = ort.InferenceSession(model_bytes, providers=["CPUExecutionProvider"])
    inp = [i for i in sess.get_inputs()]
    real = [i for i in inp if not i.name.endswith(("_W", "_B", "AvgImg"))] if len(inp) > 1 else inp
    name, shape = real[0].name, real[0].shape
    fixed = [d if isinstance(d, int) else 1 for d in shape]
    names = output_names or [o.name for o in sess.get_outputs()]
    results = {n: [] for n in names}
    for x in inputs:
        feed = {name: np.asarray(x, dtype=np.float32).reshape(fixed)}
        for n, v in zip(names, sess.run(names, feed)):
            results[n].append(np.asarray(v, dtype=np.float64).reshape(-1).tolist())
    return results


def entry(inputs, outputs, output_name, **extra):
    return {"inputs": [list(map(float, x)) for x in inputs], "outputs": outputs[output_name], **extra}


def main():
    FIXTURES.mkdir(parents=True, exist_ok=True)
    refs = {}

    m = pytorch_style()
    (FIXTURES / "pytorch_style.onnx").write_bytes(m.SerializeToString())
    xs = RNG.uniform(-2, 2, size=(4, 6)).astype(np.float32)
    refs["pytorch_style.onnx"] = entry(xs, run(m.SerializeToString(), xs), "output")

    m = matmul_add()
    (FIXTURES / "matmul_add.onnx").write_bytes(m.SerializeToString())
    xs = RNG.uniform(-2, 2, size=(4, 4)).astype(np.float32)
    refs["matmul_add.onnx"] = entry(xs, run(m.SerializeToString(), xs), "logits")

    m = normalized_view()
    (FIXTURES / "normalized_view.onnx").write_bytes(m.SerializeToString())
    xs = RNG.uniform(-2, 2, size=(4, 4)).astype(np.float32)
    refs["normalized_view.onnx"] = entry(xs, run(m.SerializeToString(), xs), "output")

    digits_path = ROOT / "data" / "digits-mlp-64-16-16-10.onnx"
    digits = onnx.load(str(digits_path))
    rows = np.loadtxt(ROOT / "data" / "digits.csv", delimiter=",", skiprows=1, max_rows=5)
    xs = (rows[:, :64] / 16.0).astype(np.float32)
    exposed = onnx.load(str(digits_path))
    for hidden in ("add_result2", "out_activations_result"):
        exposed.graph.output.append(helper.make_tensor_value_info(hidden, TensorProto.FLOAT, None))
    logits = run(exposed.SerializeToString(), xs, ["add_result2"])["add_result2"]
    probs = run(exposed.SerializeToString(), xs, ["out_activations_result"])["out_activations_result"]
    refs["digits-mlp-64-16-16-10.onnx"] = {
        "inputs": xs.astype(np.float64).tolist(),
        "outputs": logits,
        "probabilities": probs,
        "labels": rows[:, 64].astype(int).tolist(),
    }

    benchmarks = {
        "ACASXU_run2a_1_1_batch_2000.onnx": RNG.uniform(-0.5, 0.5, size=(4, 5)).astype(np.float32),
        "mnist-net_256x2.onnx": RNG.uniform(0, 1, size=(3, 784)).astype(np.float32),
    }
    for name, xs in benchmarks.items():
        path = SHARED / name
        if not path.exists():
            print(f"note: {path} is absent; no reference outputs for it")
            continue
        outs = run(path.read_bytes(), xs)
        (key,) = outs.keys()
        refs[name] = entry(xs, outs, key)

    (FIXTURES / "reference_outputs.json").write_text(json.dumps(refs, indent=1) + "\n")
    print(f"wrote {sorted(refs)} to {FIXTURES.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

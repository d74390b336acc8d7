//! The convolutional-network operators on the data path: each is an affine map on the flattened
//! NCHW tensor (a sparse matrix plus a shift, or a per-entry scale and shift) composed onto the
//! pending map, or a change of shape only. The formulas are in the modules that build them
//! ([`super::conv`], [`super::pool`], [`super::batch_norm`], [`super::layout`]).

use super::data_path::DataPath;
use super::proto::NodeProto;
use super::tensor::{finite, ConstTensor};
use super::{batch_norm, conv, layout, pool};
use ndarray::Array1;

/// The operators this module handles.
pub(super) const CNN_OPS: &[&str] = &[
    "Conv",
    "BatchNormalization",
    "AveragePool",
    "GlobalAveragePool",
    "Pad",
    "Transpose",
    "Squeeze",
    "Unsqueeze",
    "Dropout",
];

/// Applies the operator `node` (one of [`CNN_OPS`]) to the data path; `consts[k]` is input k when
/// it is a constant.
pub(super) fn cnn_step(
    node: &NodeProto,
    consts: &[Option<&ConstTensor>],
    p: &mut DataPath,
) -> Result<(), String> {
    let op = node.op_type.as_str();
    if op == "Dropout" {
        return dropout(node, consts);
    }
    let shape = p
        .shape
        .clone()
        .ok_or("needs the tensor's static shape; expected the graph input to declare its shape (e.g. [1, 1, 28, 28])")?;
    let (matrix, shift, out_shape) = match op {
        "Conv" => {
            let weight = required(node, consts, 1, "W")?;
            finite(weight)?;
            let bias = optional(node, consts, 2, "B")?;
            bias.map(finite).transpose()?;
            conv::conv(node, &shape, weight, bias)?
        }
        "AveragePool" => with_zero_shift(pool::average_pool(node, &shape)?),
        "GlobalAveragePool" => with_zero_shift(pool::global_average_pool(&shape)?),
        "Pad" => {
            let [pads, value, axes] = [1, 2, 3]
                .map(|k| optional(node, consts, k, ["pads", "constant_value", "axes"][k - 1]));
            layout::pad(node, &shape, pads?, value?, axes?)?
        }
        "Transpose" => layout::transpose(node, &shape)?,
        "Squeeze" | "Unsqueeze" => return reshape_only(node, consts, &shape, p),
        "BatchNormalization" => {
            let names = ["scale", "B", "input_mean", "input_var"];
            let [g, b, m, v] = [1, 2, 3, 4].map(|k| required(node, consts, k, names[k - 1]));
            let (s, t) = batch_norm::batch_norm(node, &shape, [g?, b?, m?, v?])?;
            p.scale(&s);
            p.shift(&t);
            return Ok(());
        }
        other => {
            return Err(format!(
                "operator {other} is not a convolutional-network operator (internal)"
            ))
        }
    };
    p.linear_op(matrix, &shift, out_shape)
}

fn with_zero_shift(
    (m, shape): (super::sparse::SparseRows, Vec<usize>),
) -> (super::sparse::SparseRows, Array1<f64>, Vec<usize>) {
    let n = m.nrows();
    (m, Array1::zeros(n), shape)
}

/// Squeeze / Unsqueeze: axes from the attribute (opset < 13) or the constant input 1.
fn reshape_only(
    node: &NodeProto,
    consts: &[Option<&ConstTensor>],
    shape: &[usize],
    p: &mut DataPath,
) -> Result<(), String> {
    let axes = match optional(node, consts, 1, "axes")? {
        Some(t) => Some(t.values.iter().map(|&v| v as i64).collect()),
        None => super::attrs::ints(node, "axes"),
    };
    p.shape = Some(if node.op_type == "Squeeze" {
        layout::squeeze(shape, axes)?
    } else {
        layout::unsqueeze(shape, axes)?
    });
    Ok(())
}

/// Dropout in inference: the identity (its mask output is not used by the network).
fn dropout(node: &NodeProto, consts: &[Option<&ConstTensor>]) -> Result<(), String> {
    match optional(node, consts, 2, "training_mode")? {
        Some(t) if t.values.iter().any(|&v| v != 0.0) => Err(
            "input training_mode is true; expected false (inference: Dropout is the identity)"
                .into(),
        ),
        _ => Ok(()),
    }
}

/// Input `k` (named `what` in the ONNX operator's signature) as a constant.
fn required<'a>(
    node: &NodeProto,
    consts: &[Option<&'a ConstTensor>],
    k: usize,
    what: &str,
) -> Result<&'a ConstTensor, String> {
    optional(node, consts, k, what)?
        .ok_or_else(|| format!("input {k} ({what}) is missing; expected a constant tensor"))
}

/// Input `k` as a constant, None when the node omits it, an error when it is computed.
fn optional<'a>(
    node: &NodeProto,
    consts: &[Option<&'a ConstTensor>],
    k: usize,
    what: &str,
) -> Result<Option<&'a ConstTensor>, String> {
    match (node.input.get(k).filter(|n| !n.is_empty()), consts.get(k).copied().flatten()) {
        (None, _) => Ok(None),
        (Some(_), Some(c)) => Ok(Some(c)),
        (Some(name), None) => Err(format!(
            "input {k} ({what}) \"{name}\" is computed from the network input; expected a constant (an initializer or a Constant node)"
        )),
    }
}

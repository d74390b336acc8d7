//! Operators that move entries without arithmetic: `Pad` (constant mode), `Transpose`,
//! `Squeeze` and `Unsqueeze`, on the flattened row-major (NCHW) tensor.
//!
//! Pad and Transpose are gathers: output entry y_r = x_{σ(r)}, or the constant v where σ(r) falls
//! in the padding. As a matrix, row r holds a single 1 at column σ(r) (or nothing, with v in the
//! shift). Pad with begins p_b (negative values crop) reads input index o − p_b along every axis;
//! Transpose with `perm` reads input index i with i[perm[k]] = o[k]. Squeeze and Unsqueeze change
//! only the shape.

use super::attrs;
use super::proto::NodeProto;
use super::sparse::{check_size, SparseRows};
use super::tensor::ConstTensor;
use ndarray::Array1;

/// Calls `f` with every index of `shape` in row-major order.
fn for_each_index(shape: &[usize], mut f: impl FnMut(&[usize])) {
    if shape.contains(&0) {
        return;
    }
    let mut idx = vec![0usize; shape.len()];
    loop {
        f(&idx);
        let Some(ax) = (0..shape.len()).rev().find(|&a| idx[a] + 1 < shape[a]) else {
            return;
        };
        idx[ax] += 1;
        idx[ax + 1..].iter_mut().for_each(|v| *v = 0);
    }
}

/// Row-major strides of `shape`.
fn strides(shape: &[usize]) -> Vec<usize> {
    let mut s = vec![1; shape.len()];
    for a in (0..shape.len().saturating_sub(1)).rev() {
        s[a] = s[a + 1] * shape[a + 1];
    }
    s
}

/// An axis attribute in -rank..rank as 0..rank.
fn axis_index(v: i64, rank: usize, what: &str) -> Result<usize, String> {
    let r = rank as i64;
    if (-r..r).contains(&v) {
        Ok(((v + r) % r) as usize)
    } else {
        Err(format!(
            "{what} has axis {v}; expected -{r}..{r} for a tensor of rank {rank}"
        ))
    }
}

/// Pad in constant mode: (matrix, shift, output shape). `pads`, `value`, `axes` are the
/// opset-11+ inputs; older files give `pads` and `value` as attributes.
pub(super) fn pad(
    node: &NodeProto,
    shape: &[usize],
    pads: Option<&ConstTensor>,
    value: Option<&ConstTensor>,
    axes: Option<&ConstTensor>,
) -> Result<(SparseRows, Array1<f64>, Vec<usize>), String> {
    let mode = attrs::string(node, "mode").unwrap_or_else(|| "constant".into());
    if mode != "constant" {
        return Err(format!("attribute mode = \"{mode}\" is not supported; expected \"constant\" (an affine map; reflect/edge/wrap are not)"));
    }
    let rank = shape.len();
    let axes: Vec<usize> = match axes {
        Some(a) => a
            .values
            .iter()
            .map(|&v| axis_index(v as i64, rank, "input axes"))
            .collect::<Result<_, _>>()?,
        None => (0..rank).collect(),
    };
    let list: Vec<i64> = match pads {
        Some(t) => t.values.iter().map(|&v| v as i64).collect(),
        None => attrs::ints(node, "pads")
            .ok_or("has no pads (input 1 or attribute pads); expected the padding per axis")?,
    };
    if list.len() != 2 * axes.len() {
        return Err(format!(
            "pads = {list:?} has {} entries; expected {} (begin and end per padded axis)",
            list.len(),
            2 * axes.len()
        ));
    }
    let mut begin = vec![0i64; rank];
    let mut out_shape = shape.to_vec();
    for (k, &a) in axes.iter().enumerate() {
        let (b, e) = (list[k], list[k + axes.len()]);
        let limit = -(1i64 << 24)..=1 << 24;
        let fits = limit.contains(&b) && limit.contains(&e) && shape[a] <= 1 << 24;
        let size = if fits { shape[a] as i64 + b + e } else { 0 };
        if a == 0 && (b, e) != (0, 0) || !(1..=1 << 24).contains(&size) {
            return Err(format!("pads = {list:?} is not valid on shape {shape:?}; expected no padding of the batch axis and sizes >= 1"));
        }
        begin[a] = b;
        out_shape[a] = size as usize;
    }
    let v = match value {
        Some(t) if t.values.len() == 1 && t.values[0].is_finite() => t.values[0],
        Some(t) => {
            return Err(format!(
                "constant_value has shape {} ({:?}); expected one finite number",
                t.shape_text(),
                t.values
            ))
        }
        None => attrs::float(node, "value").unwrap_or(0.0),
    };
    check_size(
        out_shape
            .iter()
            .try_fold(1usize, |a, &d| a.checked_mul(d))
            .unwrap_or(usize::MAX),
        "the padding",
    )?;
    let in_strides = strides(shape);
    gather(shape, &out_shape, v, |o| {
        o.iter().zip(&begin).zip(shape).zip(&in_strides).try_fold(
            0usize,
            |acc, (((&o, &b), &n), &st)| {
                let i = o as i64 - b;
                (0..n as i64).contains(&i).then(|| acc + i as usize * st)
            },
        )
    })
}

/// Transpose by `perm` (default: reversed axes): (matrix, output shape).
pub(super) fn transpose(
    node: &NodeProto,
    shape: &[usize],
) -> Result<(SparseRows, Array1<f64>, Vec<usize>), String> {
    let rank = shape.len();
    let perm: Vec<usize> = match attrs::ints(node, "perm") {
        None => (0..rank).rev().collect(),
        Some(p) => p
            .iter()
            .map(|&v| usize::try_from(v).unwrap_or(usize::MAX))
            .collect(),
    };
    let mut sorted = perm.clone();
    sorted.sort_unstable();
    if sorted != (0..rank).collect::<Vec<_>>() {
        return Err(format!(
            "attribute perm = {perm:?} is not a permutation of the {rank} axes of shape {shape:?}"
        ));
    }
    let out_shape: Vec<usize> = perm.iter().map(|&p| shape[p]).collect();
    let in_strides = strides(shape);
    gather(shape, &out_shape, 0.0, |o| {
        Some(o.iter().zip(&perm).map(|(&i, &p)| i * in_strides[p]).sum())
    })
}

/// The gather y_r = x_{source(r)} (or `fill` where the source is None) as (matrix, shift, shape).
fn gather(
    in_shape: &[usize],
    out_shape: &[usize],
    fill: f64,
    source: impl Fn(&[usize]) -> Option<usize>,
) -> Result<(SparseRows, Array1<f64>, Vec<usize>), String> {
    let mut m = SparseRows::with_columns(in_shape.iter().product());
    let mut shift = Vec::with_capacity(out_shape.iter().product());
    for_each_index(out_shape, |o| {
        let s = source(o);
        m.push_row(s.map(|c| (c, 1.0)));
        shift.push(if s.is_some() { 0.0 } else { fill });
    });
    Ok((m, Array1::from(shift), out_shape.to_vec()))
}

/// Squeeze: the shape without the listed axes (each of size 1), or without every axis of size 1.
pub(super) fn squeeze(shape: &[usize], axes: Option<Vec<i64>>) -> Result<Vec<usize>, String> {
    let Some(axes) = axes else {
        return Ok(shape.iter().copied().filter(|&d| d != 1).collect());
    };
    let axes: Vec<usize> = axes
        .iter()
        .map(|&a| axis_index(a, shape.len(), "axes"))
        .collect::<Result<_, _>>()?;
    if let Some(&a) = axes.iter().find(|&&a| shape[a] != 1) {
        return Err(format!(
            "squeezes axis {a} of shape {shape:?}, which has size {}; expected axes of size 1",
            shape[a]
        ));
    }
    Ok(shape
        .iter()
        .enumerate()
        .filter(|(a, _)| !axes.contains(a))
        .map(|(_, &d)| d)
        .collect())
}

/// Unsqueeze: axes of size 1 inserted at the listed positions of the output.
pub(super) fn unsqueeze(shape: &[usize], axes: Option<Vec<i64>>) -> Result<Vec<usize>, String> {
    let axes = axes.ok_or("has no axes (attribute or input 1); expected the axes to insert")?;
    let rank = shape.len() + axes.len();
    let mut positions: Vec<usize> = axes
        .iter()
        .map(|&a| axis_index(a, rank, "axes"))
        .collect::<Result<_, _>>()?;
    positions.sort_unstable();
    positions.dedup();
    if positions.len() != axes.len() {
        return Err(format!(
            "axes = {axes:?} repeats an axis; expected distinct axes"
        ));
    }
    let mut rest = shape.iter().copied();
    Ok((0..rank)
        .map(|a| {
            if positions.contains(&a) {
                1
            } else {
                rest.next().unwrap_or(1)
            }
        })
        .collect())
}

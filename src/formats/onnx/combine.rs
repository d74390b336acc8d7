//! Operators that combine tensors computed from the input: `Add` and `Sub` of two (a residual
//! block: the sum of the block's output and its shortcut) and `Concat` (branches joined along an
//! axis; constant operands allowed). The result is again an affine map of the input and of the
//! hidden layers found so far, summed term by term ([`super::affine::TensorMap::plus`]).

use super::attrs;
use super::data_path::DataPath;
use super::proto::NodeProto;
use super::sparse::SparseRows;
use super::tensor::ConstTensor;
use ndarray::Array1;
use std::rc::Rc;

/// The operators this module handles.
pub(super) const COMBINE_OPS: &[&str] = &["Add", "Sub", "Concat"];

/// Applies `node` (one of [`COMBINE_OPS`]) to its computed inputs `data` (input position, path);
/// `consts[k]` is input k when it is a constant.
pub(super) fn combine_step(
    node: &NodeProto,
    consts: &[Option<&ConstTensor>],
    data: Vec<(usize, Rc<DataPath>)>,
) -> Result<DataPath, String> {
    let own = |p: Rc<DataPath>| Rc::try_unwrap(p).unwrap_or_else(|shared| (*shared).clone());
    match node.op_type.as_str() {
        "Concat" => concat(
            node,
            consts,
            data.into_iter().map(|(k, p)| (k, own(p))).collect(),
        ),
        op => {
            let mut it = data.into_iter();
            let (Some((_, a)), Some((_, b)), None) = (it.next(), it.next(), it.next()) else {
                return Err(format!("{op} takes 2 inputs; expected 2"));
            };
            let (mut a, mut b) = (own(a), own(b));
            if op == "Sub" {
                let n = b.dim.ok_or("needs the tensors' static shapes")?;
                b.scale(&Array1::from_elem(n, -1.0));
            }
            a.plus(b)?;
            Ok(a)
        }
    }
}

/// Concat along `axis` of computed tensors and constants, in input order.
fn concat(
    node: &NodeProto,
    consts: &[Option<&ConstTensor>],
    mut data: Vec<(usize, DataPath)>,
) -> Result<DataPath, String> {
    let axis = attrs::int(node, "axis")
        .ok_or("attribute axis is missing; expected the axis to join along")?;
    let mut shapes: Vec<Vec<usize>> = Vec::with_capacity(node.input.len());
    for k in 0..node.input.len() {
        let shape = match (
            data.iter().find(|(j, _)| *j == k),
            consts.get(k).copied().flatten(),
        ) {
            (Some((_, p)), _) => p.shape.clone().ok_or(
                "needs the tensors' static shapes; expected the graph input to declare its shape",
            )?,
            (None, Some(c)) => c.dims.clone(),
            (None, None) => return Err(format!("input {k} is missing; expected a tensor")),
        };
        shapes.push(shape);
    }
    let rank = shapes[0].len();
    let a = if axis < 0 { axis + rank as i64 } else { axis };
    if !(0..rank as i64).contains(&a) || shapes.iter().any(|s| s.len() != rank) {
        return Err(format!(
            "joins shapes {shapes:?} along axis {axis}; expected tensors of one rank and an axis in -{rank}..{rank}"
        ));
    }
    let a = a as usize;
    let agree = |s: &Vec<usize>| (0..rank).all(|d| d == a || s[d] == shapes[0][d]);
    if !shapes.iter().all(agree) {
        return Err(format!(
            "joins shapes {shapes:?} along axis {a}; expected equal sizes on every other axis"
        ));
    }
    let outer: usize = shapes[0][..a].iter().product();
    let inner: usize = shapes[0][a + 1..].iter().product();
    let sizes: Vec<usize> = shapes.iter().map(|s| s[a]).collect();
    let total_axis: usize = sizes.iter().sum();
    let mut out_shape = shapes[0].clone();
    out_shape[a] = total_axis;
    let rows = outer * total_axis * inner;
    // the placements cost rows × inputs: bounded like any operator's entries
    super::sparse::check_size(rows.saturating_mul(sizes.len()), "the Concat")?;
    // placement of input k: output row ← input entry
    let mut result: Option<DataPath> = None;
    let mut shift = Array1::zeros(rows);
    let mut offset = 0;
    for (k, &size) in sizes.iter().enumerate() {
        let n = outer * size * inner;
        let mut place = SparseRows::with_columns(n);
        for r in 0..rows {
            let (o, rem) = (r / (total_axis * inner), r % (total_axis * inner));
            let (ax, q) = (rem / inner, rem % inner);
            let from = (offset..offset + size)
                .contains(&ax)
                .then(|| (o * size + (ax - offset)) * inner + q);
            place.push_row(from.map(|i| (i, 1.0)));
        }
        offset += size;
        if let Some(pos) = data.iter().position(|(j, _)| *j == k) {
            let (_, mut p) = data.swap_remove(pos);
            p.linear_op(place, &Array1::zeros(rows), out_shape.clone())?;
            match result.as_mut() {
                Some(acc) => acc.plus(p)?,
                None => result = Some(p),
            }
        } else if let Some(c) = consts.get(k).copied().flatten() {
            if c.values.len() != n {
                return Err(format!(
                    "input {k} has {} values for shape {}; expected {n}",
                    c.values.len(),
                    c.shape_text()
                ));
            }
            shift += &place.mul_vec(&Array1::from(c.values.clone()));
        }
    }
    let mut out =
        result.ok_or("joins only constants; expected a tensor computed from the input")?;
    out.shift(&shift);
    out.shape = Some(out_shape);
    Ok(out)
}

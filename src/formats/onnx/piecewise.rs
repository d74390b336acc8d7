//! Piecewise-linear operators written with ReLUs, so that the graph stays a ReLU graph:
//!
//! - **LeakyRelu / PRelu**: leaky(t) = relu(t) − α·relu(−t) (t > 0: t; t < 0: α t). The hidden
//!   layer holds t's units, then their mirrors −t, exactly negated rows; a unit and its mirror
//!   have opposite signs, so the layer's activation patterns are those of t's signs, the leaky
//!   net's regions (the same regions as the ReLU net with the same weights).
//! - **MaxPool**: max(a, b) = b + relu(a − b), over a balanced tree of pairs per window (pairs
//!   (1, 2), (3, 4), … then the pairs of their maxima; an odd item passes up). Each tree level is
//!   one hidden layer of comparisons; the values passed up are carried to the next level as skip
//!   connections. The regions of such a network are the activation patterns of the rewritten
//!   net: which comparisons hold as well as which ReLUs are active. A comparison can split a
//!   linear piece of the pooled function (max(a, b) is the same affine function on both sides
//!   when a and b are, e.g. two inactive units).

use super::attrs;
use super::data_path::DataPath;
use super::graph_builder::GraphBuilder;
use super::proto::NodeProto;
use super::sparse::{check_size, SparseRows};
use super::tensor::{finite, ConstTensor};
use super::window;
use crate::network::Source;
use ndarray::Array1;

/// LeakyRelu with slope `alpha` on the negative side.
pub(super) fn leaky_relu(p: &mut DataPath, g: &mut GraphBuilder, alpha: f64) -> Result<(), String> {
    if !alpha.is_finite() {
        return Err(format!(
            "attribute alpha = {alpha}; expected a finite number"
        ));
    }
    let n = p
        .dim
        .ok_or("needs the tensor's width; expected an affine layer before it")?;
    two_slopes(p, g, &Array1::from_elem(n, alpha))
}

/// PRelu with the constant slopes `slope` (broadcast to the tensor, e.g. one per channel).
pub(super) fn prelu(
    p: &mut DataPath,
    g: &mut GraphBuilder,
    slope: &ConstTensor,
) -> Result<(), String> {
    finite(slope)?;
    let shape = p.shape.clone();
    let alpha = p.broadcast(slope)?;
    p.shape = shape;
    two_slopes(p, g, &alpha)
}

/// relu(t) − α ⊙ relu(−t), through one hidden layer [t; −t].
fn two_slopes(p: &mut DataPath, g: &mut GraphBuilder, alpha: &Array1<f64>) -> Result<(), String> {
    match p.map.bare() {
        // a ReLU output is ≥ 0, where both slopes give the identity
        Some(Source::Hidden(_)) => {
            p.activation = Some("leaky ReLU (LeakyRelu or PRelu)");
            return Ok(());
        }
        Some(Source::Input) => {
            return Err("applies it to the network input; expected an affine layer (Gemm, MatMul or Conv) before it".into())
        }
        None => {}
    }
    let n = alpha.len();
    let shape = p.shape.clone();
    let mut both = SparseRows::with_columns(n);
    for sign in [1.0, -1.0] {
        for i in 0..n {
            both.push_row([(i, sign)]);
        }
    }
    p.linear_op(both, &Array1::zeros(2 * n), vec![1, 2 * n])?;
    p.relu(g)?;
    let mut back = SparseRows::with_columns(2 * n);
    for (i, &a) in alpha.iter().enumerate() {
        back.push_row(
            [(i, 1.0), (n + i, -a)]
                .into_iter()
                .filter(|&(_, v)| v != 0.0),
        );
    }
    p.linear_op(back, &Array1::zeros(n), shape.clone().unwrap_or(vec![1, n]))?;
    p.shape = shape;
    p.activation = Some("leaky ReLU (LeakyRelu or PRelu)");
    Ok(())
}

/// MaxPool (values only) on an [1, C, H, W] or [1, C, L] tensor: the window of each output
/// (padding excluded: ONNX pads with −∞), then the tree of pairs (see the module doc).
pub(super) fn max_pool(
    node: &NodeProto,
    p: &mut DataPath,
    g: &mut GraphBuilder,
) -> Result<(), String> {
    let shape = p.shape.clone().ok_or(
        "needs the tensor's static shape; expected the graph input to declare its shape (e.g. [1, 1, 28, 28])",
    )?;
    if p.map.terms.iter().any(|(s, _)| *s == Source::Input) {
        return Err(
            "reads a tensor computed from the input before any Relu; expected Relu before MaxPool (relu(max(·)) = \
             max(relu(·)) as functions, but b + relu(a − b) would read the raw input after a ReLU, which the graph \
             cannot carry: put the Relu first)"
                .into(),
        );
    }
    let (channels, spatial) = window::spatial_of(&shape, "MaxPool")?;
    let kernel = attrs::sizes(node, "kernel_shape", spatial.len(), 1)?
        .ok_or("attribute kernel_shape is missing; expected the pooling window's size")?;
    let ceil = match attrs::int(node, "ceil_mode").unwrap_or(0) {
        0 => false,
        1 => true,
        v => {
            return Err(format!(
                "attribute ceil_mode = {v} is not valid; expected 0 or 1"
            ))
        }
    };
    let [h, w] = window::read(node, &spatial, &kernel, ceil)?;
    let outputs = channels.saturating_mul(h.output * w.output);
    check_size(outputs.saturating_mul(h.kernel * w.kernel), "the pooling")?;
    let mut gather = SparseRows::with_columns(channels * h.input * w.input);
    let mut counts = Vec::with_capacity(outputs);
    for c in 0..channels {
        for (oh, ow) in (0..h.output).flat_map(|a| (0..w.output).map(move |b| (a, b))) {
            let before = gather.nrows();
            for ih in (0..h.kernel).filter_map(|j| h.source(oh, j)) {
                for iw in (0..w.kernel).filter_map(|j| w.source(ow, j)) {
                    gather.push_row([((c * h.input + ih) * w.input + iw, 1.0)]);
                }
            }
            let count = gather.nrows() - before;
            if count == 0 {
                return Err(format!(
                    "the window of output ({oh}, {ow}) lies entirely in the padding; expected pads smaller than kernel_shape = {kernel:?}"
                ));
            }
            counts.push(count);
        }
    }
    let items = gather.nrows();
    p.linear_op(gather, &Array1::zeros(items), vec![1, items])?;
    while counts.iter().any(|&c| c > 1) {
        counts = tree_level(p, g, &counts)?;
    }
    let mut out_shape = vec![1, channels];
    out_shape.extend(if spatial.len() == 1 {
        vec![w.output]
    } else {
        vec![h.output, w.output]
    });
    p.shape = Some(out_shape);
    p.activation = Some("MaxPool");
    Ok(())
}

/// One level of the max tree: `p` holds, window after window, `counts[o]` items of window o;
/// pairs (2i, 2i + 1) become b + relu(a − b), an odd last item passes. The new counts.
fn tree_level(
    p: &mut DataPath,
    g: &mut GraphBuilder,
    counts: &[usize],
) -> Result<Vec<usize>, String> {
    let width: usize = counts.iter().sum();
    let mut diff = SparseRows::with_columns(width);
    let mut keep = SparseRows::with_columns(width);
    let mut place_rows: Vec<Option<usize>> = Vec::new();
    let mut next = Vec::with_capacity(counts.len());
    let mut offset = 0;
    for &c in counts {
        for i in 0..c / 2 {
            let (a, b) = (offset + 2 * i, offset + 2 * i + 1);
            place_rows.push(Some(diff.nrows()));
            diff.push_row([(a, 1.0), (b, -1.0)]);
            keep.push_row([(b, 1.0)]);
        }
        if c % 2 == 1 {
            place_rows.push(None);
            keep.push_row([(offset + c - 1, 1.0)]);
        }
        next.push(c.div_ceil(2));
        offset += c;
    }
    let (pairs, rows) = (diff.nrows(), keep.nrows());
    let mut larger = p.clone();
    larger.linear_op(diff, &Array1::zeros(pairs), vec![1, pairs])?;
    larger.relu(g)?;
    let mut place = SparseRows::with_columns(pairs);
    for r in place_rows {
        place.push_row(r.map(|k| (k, 1.0)));
    }
    larger.linear_op(place, &Array1::zeros(rows), vec![1, rows])?;
    p.linear_op(keep, &Array1::zeros(rows), vec![1, rows])?;
    p.plus(larger)?;
    Ok(next)
}

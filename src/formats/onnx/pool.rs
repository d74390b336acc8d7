//! `AveragePool` and `GlobalAveragePool` as sparse matrices on the flattened NCHW tensor.
//!
//! AveragePool: Y[c, o_h, o_w] = (1 / D) Σ_{(i_h, i_w) in the window, inside the input} X[c, i_h, i_w],
//! the window as in [`super::window`] (dilation 1). D is the kernel size k_h·k_w when
//! `count_include_pad = 1` (the padding counts as zeros), else the number of window positions
//! inside the input (ONNX's default, count_include_pad = 0). `ceil_mode = 1` is accepted where it
//! gives the same output size as the floor.
//!
//! GlobalAveragePool: Y[c] = (1 / (H·W)) Σ_{i_h, i_w} X[c, i_h, i_w], output shape [1, C, 1, 1].

use super::attrs;
use super::proto::NodeProto;
use super::sparse::{check_size, SparseRows};
use super::window;

/// AveragePool as (matrix, output shape); the map has no shift.
pub(super) fn average_pool(
    node: &NodeProto,
    shape: &[usize],
) -> Result<(SparseRows, Vec<usize>), String> {
    let (channels, spatial) = window::spatial_of(shape, "AveragePool")?;
    let kernel = attrs::sizes(node, "kernel_shape", spatial.len(), 1)?
        .ok_or("attribute kernel_shape is missing; expected the pooling window's size")?;
    if let Some(d) = attrs::ints(node, "dilations").filter(|d| d.iter().any(|&v| v != 1)) {
        return Err(format!(
            "attribute dilations = {d:?} is not supported; expected 1 along every axis"
        ));
    }
    let include_pad = match attrs::int(node, "count_include_pad").unwrap_or(0) {
        0 => false,
        1 => true,
        v => {
            return Err(format!(
                "attribute count_include_pad = {v} is not valid; expected 0 or 1"
            ))
        }
    };
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
    let rows = channels.saturating_mul(h.output * w.output);
    check_size(
        rows.saturating_mul(h.kernel * w.kernel)
            .max(channels * h.input * w.input),
        "the pooling",
    )?;
    let mut m = SparseRows::with_columns(channels * h.input * w.input);
    let mut cols = Vec::with_capacity(h.kernel * w.kernel);
    for c in 0..channels {
        for (oh, ow) in (0..h.output).flat_map(|a| (0..w.output).map(move |b| (a, b))) {
            cols.clear();
            for ih in (0..h.kernel).filter_map(|j| h.source(oh, j)) {
                for iw in (0..w.kernel).filter_map(|j| w.source(ow, j)) {
                    cols.push((c * h.input + ih) * w.input + iw);
                }
            }
            let divisor = if include_pad {
                h.kernel * w.kernel
            } else {
                cols.len()
            };
            if cols.is_empty() {
                return Err(format!(
                    "the window of output ({oh}, {ow}) lies entirely in the padding; expected pads smaller than kernel_shape = {kernel:?}"
                ));
            }
            m.push_row(cols.iter().map(|&col| (col, 1.0 / divisor as f64)));
        }
    }
    let mut out_shape = vec![1, channels];
    out_shape.extend(if spatial.len() == 1 {
        vec![w.output]
    } else {
        vec![h.output, w.output]
    });
    Ok((m, out_shape))
}

/// GlobalAveragePool over every spatial axis of [1, C, spatial…]: (matrix, output shape [1, C, 1…]).
pub(super) fn global_average_pool(shape: &[usize]) -> Result<(SparseRows, Vec<usize>), String> {
    let (channels, area) = match shape {
        [1, c, rest @ ..] if !rest.is_empty() && rest.iter().all(|&d| d > 0) => (*c, rest.iter().product::<usize>()),
        _ => {
            return Err(format!(
                "input has shape {shape:?}; expected [1, C, spatial…] (batch 1, at least one spatial axis)"
            ))
        }
    };
    check_size(channels.saturating_mul(area), "the pooling")?;
    let mut m = SparseRows::with_columns(channels * area);
    for c in 0..channels {
        m.push_row((0..area).map(|i| (c * area + i, 1.0 / area as f64)));
    }
    let mut out_shape = vec![1, channels];
    out_shape.extend(std::iter::repeat_n(1, shape.len() - 2));
    Ok((m, out_shape))
}

//! `Conv` (1-D and 2-D, with strides, pads, dilations, groups, bias, auto_pad) as a sparse
//! (Toeplitz-structured) matrix on the flattened NCHW tensor.
//!
//! With input X of shape [1, C, H, W], weight K of shape [M, C/g, k_h, k_w] and g groups, output
//! channel m belongs to group q = ⌊m / (M/g)⌋ and reads input channels c = q·(C/g) + c' for
//! c' < C/g:
//!
//! Y[m, o_h, o_w] = b[m] + Σ_{c', j_h, j_w} K[m, c', j_h, j_w] · X[c, o_h·s_h − p_h + j_h·d_h, o_w·s_w − p_w + j_w·d_w],
//!
//! taps in the padding read 0 (see [`super::window`]). So the row of Y[m, o_h, o_w] in the matrix
//! holds K[m, c', j_h, j_w] at the column of X[c, i_h, i_w], i.e. (c·H + i_h)·W + i_w.

use super::attrs;
use super::proto::NodeProto;
use super::sparse::{check_size, SparseRows};
use super::tensor::ConstTensor;
use super::window::{self, Window};
use ndarray::Array1;

/// The convolution as (matrix, bias per output entry, output shape).
pub(super) fn conv(
    node: &NodeProto,
    shape: &[usize],
    weight: &ConstTensor,
    bias: Option<&ConstTensor>,
) -> Result<(SparseRows, Array1<f64>, Vec<usize>), String> {
    let (channels, spatial) = window::spatial_of(shape, "Conv")?;
    let group = attrs::int(node, "group").unwrap_or(1);
    let groups = usize::try_from(group)
        .ok()
        .filter(|&g| g >= 1 && channels % g == 0)
        .ok_or_else(|| format!("attribute group = {group} is not valid; expected a divisor of the {channels} input channels"))?;
    let (outputs, kernel) = kernel_dims(weight, channels / groups, spatial.len())?;
    if outputs % groups != 0 {
        return Err(format!(
            "weight has {outputs} output channels; expected a multiple of group = {groups}"
        ));
    }
    if let Some(k) = attrs::sizes(node, "kernel_shape", kernel.len(), 1)? {
        if k != kernel {
            return Err(format!("attribute kernel_shape = {k:?} differs from the weight's kernel {kernel:?}; expected them equal"));
        }
    }
    let win = window::read(node, &spatial, &kernel, false)?;
    let bias = match bias {
        Some(b) if b.values.len() == outputs => b.values.clone(),
        Some(b) => {
            return Err(format!(
                "bias has shape {}; expected [{outputs}] (one per output channel)",
                b.shape_text()
            ))
        }
        None => vec![0.0; outputs],
    };
    let per_row = (channels / groups) * kernel.iter().product::<usize>();
    let rows = outputs.saturating_mul(win[0].output * win[1].output);
    check_size(
        rows.saturating_mul(per_row)
            .max(channels * spatial.iter().product::<usize>()),
        "the convolution",
    )?;
    let geometry = Geometry {
        win,
        channels,
        groups,
        outputs,
    };
    let matrix = geometry.matrix(&weight.values);
    let per_channel = win[0].output * win[1].output;
    let shift = Array1::from_shape_fn(outputs * per_channel, |r| bias[r / per_channel]);
    let mut out_shape = vec![1, outputs];
    out_shape.extend(if spatial.len() == 1 {
        vec![win[1].output]
    } else {
        vec![win[0].output, win[1].output]
    });
    Ok((matrix, shift, out_shape))
}

/// (M, kernel sizes) from a weight of shape [M, C/g, k…] with as many k as spatial axes.
fn kernel_dims(
    weight: &ConstTensor,
    per_group: usize,
    rank: usize,
) -> Result<(usize, Vec<usize>), String> {
    match weight.dims.as_slice() {
        [m, c, k @ ..] if *c == per_group && k.len() == rank && *m > 0 && k.iter().all(|&v| v > 0) => {
            Ok((*m, k.to_vec()))
        }
        _ => Err(format!(
            "weight has shape {}; expected [M, {per_group}, {}] (output channels, input channels per group, kernel)",
            weight.shape_text(),
            if rank == 1 { "k" } else { "k_h, k_w" }
        )),
    }
}

/// What the matrix of a convolution needs besides its weights.
struct Geometry {
    win: Window,
    channels: usize,
    groups: usize,
    outputs: usize,
}

impl Geometry {
    /// The sparse matrix: one row per output entry (m, o_h, o_w), row-major.
    fn matrix(&self, k: &[f64]) -> SparseRows {
        let [h, w] = self.win;
        let per_group_in = self.channels / self.groups;
        let per_group_out = self.outputs / self.groups;
        let taps = h.kernel * w.kernel;
        let mut m = SparseRows::with_columns(self.channels * h.input * w.input);
        let mut row = Vec::with_capacity(per_group_in * taps);
        for out_c in 0..self.outputs {
            let first_in = (out_c / per_group_out) * per_group_in;
            for (oh, ow) in (0..h.output).flat_map(|a| (0..w.output).map(move |b| (a, b))) {
                row.clear();
                for c in 0..per_group_in {
                    let kernel_base = (out_c * per_group_in + c) * taps;
                    for jh in 0..h.kernel {
                        let Some(ih) = h.source(oh, jh) else { continue };
                        for jw in 0..w.kernel {
                            let Some(iw) = w.source(ow, jw) else { continue };
                            let v = k[kernel_base + jh * w.kernel + jw];
                            let col = ((first_in + c) * h.input + ih) * w.input + iw;
                            if v != 0.0 {
                                row.push((col, v));
                            }
                        }
                    }
                }
                m.push_row(row.iter().copied());
            }
        }
        m
    }
}

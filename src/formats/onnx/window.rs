//! The sliding-window geometry shared by `Conv` and `AveragePool`: kernel, strides, dilations,
//! pads and `auto_pad`, per spatial axis. A 1-D operator is read as a 2-D one whose height axis has
//! size 1 (kernel 1, stride 1, no padding), so one code path serves both.
//!
//! Along an axis of size n with kernel k, stride s, dilation d and pads (p_b, p_e), output o reads
//! input positions o·s − p_b + j·d for j = 0..k (positions outside 0..n are padding), and there are
//! ⌊(n + p_b + p_e − ((k − 1)·d + 1)) / s⌋ + 1 outputs. `auto_pad = SAME_UPPER|SAME_LOWER` picks
//! ⌈n / s⌉ outputs and total padding max(0, (⌈n/s⌉ − 1)·s + (k − 1)·d + 1 − n), split with the
//! extra unit at the end (UPPER) or the beginning (LOWER); `VALID` pads nothing.

use super::attrs;
use super::proto::NodeProto;

/// One spatial axis of a window operator.
#[derive(Clone, Copy, Debug)]
pub(super) struct AxisWindow {
    pub input: usize,
    pub kernel: usize,
    pub stride: usize,
    pub dilation: usize,
    pub pad_begin: usize,
    pub output: usize,
}

impl AxisWindow {
    /// The input position that kernel tap `j` of output `o` reads, or None in the padding.
    pub fn source(&self, o: usize, j: usize) -> Option<usize> {
        (o * self.stride + j * self.dilation)
            .checked_sub(self.pad_begin)
            .filter(|&i| i < self.input)
    }
}

/// The windows along (height, width).
pub(super) type Window = [AxisWindow; 2];

/// The geometry of `node` over `spatial` input sizes (1 or 2 axes) with `kernel` sizes; `ceil`
/// is the pooling `ceil_mode` (accepted only where it gives the floor's output size).
pub(super) fn read(
    node: &NodeProto,
    spatial: &[usize],
    kernel: &[usize],
    ceil: bool,
) -> Result<Window, String> {
    let r = spatial.len();
    if !(1..=2).contains(&r) || kernel.len() != r {
        return Err(format!(
            "has {r} spatial axes and a {}-axis kernel; expected 1 or 2 spatial axes (1-D or 2-D)",
            kernel.len()
        ));
    }
    let strides = attrs::sizes(node, "strides", r, 1)?.unwrap_or(vec![1; r]);
    let dilations = attrs::sizes(node, "dilations", r, 1)?.unwrap_or(vec![1; r]);
    let pads = attrs::sizes(node, "pads", 2 * r, 0)?;
    let auto_pad = attrs::string(node, "auto_pad").unwrap_or_else(|| "NOTSET".into());
    let mut axes = Vec::with_capacity(2);
    for a in 0..r {
        let span = (kernel[a] - 1) * dilations[a] + 1;
        let (n, s) = (spatial[a], strides[a]);
        let (pad_begin, pad_end) = match auto_pad.as_str() {
            "NOTSET" => pads.as_ref().map_or((0, 0), |p| (p[a], p[a + r])),
            _ if pads.as_ref().is_some_and(|p| p.iter().any(|&v| v != 0)) => {
                return Err(format!(
                    "attributes pads and auto_pad = {auto_pad} are both set; expected one of them"
                ))
            }
            "VALID" => (0, 0),
            "SAME_UPPER" | "SAME_LOWER" => {
                let total = ((n.div_ceil(s) - 1) * s + span).saturating_sub(n);
                let small = total / 2;
                if auto_pad == "SAME_UPPER" { (small, total - small) } else { (total - small, small) }
            }
            other => {
                return Err(format!(
                    "attribute auto_pad = \"{other}\" is not supported; expected NOTSET, VALID, SAME_UPPER or SAME_LOWER"
                ))
            }
        };
        let padded = n + pad_begin + pad_end;
        if padded < span {
            return Err(format!(
                "the window (kernel {}, dilation {}) spans {span} positions but the padded input has {padded} \
                 along spatial axis {a}; expected a window that fits",
                kernel[a], dilations[a]
            ));
        }
        let output = (padded - span) / s + 1;
        if ceil && (padded - span).div_ceil(s) + 1 != output {
            return Err(format!(
                "attribute ceil_mode = 1 gives {} outputs instead of {output} along spatial axis {a}; \
                 expected ceil_mode = 0 (or sizes where both modes agree)",
                (padded - span).div_ceil(s) + 1
            ));
        }
        axes.push(AxisWindow {
            input: n,
            kernel: kernel[a],
            stride: s,
            dilation: dilations[a],
            pad_begin,
            output,
        });
    }
    let flat = AxisWindow {
        input: 1,
        kernel: 1,
        stride: 1,
        dilation: 1,
        pad_begin: 0,
        output: 1,
    };
    match axes.as_slice() {
        [w] => Ok([flat, *w]),
        [h, w] => Ok([*h, *w]),
        _ => Err(format!("has {r} spatial axes; expected 1 or 2")),
    }
}

/// The spatial sizes of an [1, C, spatial…] tensor with 1 or 2 spatial axes, or an error naming
/// the shape.
pub(super) fn spatial_of(shape: &[usize], op: &str) -> Result<(usize, Vec<usize>), String> {
    match shape {
        [1, c, rest @ ..] if (1..=2).contains(&rest.len()) && rest.iter().all(|&d| d > 0) => Ok((*c, rest.to_vec())),
        _ => Err(format!(
            "input has shape {shape:?}; expected [1, C, L] or [1, C, H, W] (batch 1, NCHW) for a 1-D or 2-D {op}"
        )),
    }
}

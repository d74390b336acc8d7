//! `BatchNormalization` in inference mode as a per-channel affine map, folded into the pending
//! affine map (the convolution or Gemm before it, or the one after it when it comes first):
//!
//! y = γ (x − μ) / √(σ² + ε) + β = s·x + t,  s = γ / √(σ² + ε),  t = β − s·μ,
//!
//! per channel c (axis 1 of [1, C, …]); a conv W x + b followed by it becomes
//! diag(s) W x + (s·b + t).

use super::attrs;
use super::proto::NodeProto;
use super::tensor::ConstTensor;
use ndarray::Array1;

/// The per-entry (s, t) of the map y = s·x + t over a tensor of `shape`; `params` are the
/// constant inputs scale γ, B β, mean μ and var σ².
pub(super) fn batch_norm(
    node: &NodeProto,
    shape: &[usize],
    params: [&ConstTensor; 4],
) -> Result<(Array1<f64>, Array1<f64>), String> {
    if attrs::int(node, "training_mode").unwrap_or(0) != 0 {
        return Err("attribute training_mode = 1 is not supported; expected 0 (inference)".into());
    }
    if attrs::int(node, "spatial").unwrap_or(1) != 1 {
        return Err(
            "attribute spatial = 0 is not supported; expected 1 (statistics per channel)".into(),
        );
    }
    let eps = attrs::float(node, "epsilon").unwrap_or(1e-5);
    let (channels, area) = match shape {
        [1, c, rest @ ..] => (*c, rest.iter().product::<usize>()),
        _ => {
            return Err(format!(
                "input has shape {shape:?}; expected [1, C, …] (batch 1, channels on axis 1)"
            ))
        }
    };
    let names = ["scale", "B", "input_mean", "input_var"];
    for (p, name) in params.iter().zip(names) {
        if p.values.len() != channels || p.values.iter().any(|v| !v.is_finite()) {
            return Err(format!(
                "{name} has shape {}; expected {channels} finite values (one per channel)",
                p.shape_text()
            ));
        }
    }
    let [gamma, beta, mean, var] = params.map(|p| &p.values);
    let mut s_c = Vec::with_capacity(channels);
    for c in 0..channels {
        let denom = (var[c] + eps).sqrt();
        if denom.is_nan() || denom <= 0.0 {
            return Err(format!(
                "input_var[{c}] + epsilon = {}; expected a positive number",
                var[c] + eps
            ));
        }
        s_c.push(gamma[c] / denom);
    }
    let s = Array1::from_shape_fn(channels * area, |i| s_c[i / area]);
    let t = Array1::from_shape_fn(channels * area, |i| {
        beta[i / area] - s_c[i / area] * mean[i / area]
    });
    Ok((s, t))
}

//! Enclosures of the image of the domain layer by layer
//! (docs/math.md#24-the-local-analytic-bound, "Layer l ≥ 2" and "The ball"):
//! per-unit intervals of the pre-activations (exact on layer 1, interval bound propagation and an
//! enclosing ball after it), from which each unit is classified stable or unstable.

use super::opnorm::{
    gamma, inflate, linf_operator_norm_upper, sparse_operator_norm_upper, spectral_norm_upper,
};
use crate::domain::{Domain, Norm};
use crate::error::{Error, Result};
use crate::network::{Layer, Network, Weights};
use crate::tolerance::{surely_nonpositive, surely_positive};
use ndarray::{Array1, Array2};

/// What an enclosure proves about one unit on the whole domain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stability {
    /// May take both signs.
    Unstable,
    /// Pre-activation > 0 on the whole domain (with the safety margin).
    Active,
    /// Pre-activation < 0 on the whole domain (with the safety margin).
    Inactive,
}

/// The enclosure of one hidden layer's pre-activations z_l(x) for x in the domain.
#[derive(Clone, Debug)]
pub struct LayerEnclosure {
    /// `lower[i] ≤ z_l(x)_i ≤ upper[i]` for every x in the domain (rounding accounted for).
    pub lower: Array1<f64>,
    /// See `lower`: a certified upper bound on each pre-activation of the layer.
    pub upper: Array1<f64>,
    /// What the bounds prove about each unit of the layer.
    pub stability: Vec<Stability>,
    /// Center c_l of the enclosing ball of the post-activations σ(z_l(x)).
    pub center: Array1<f64>,
    /// ‖σ(z_l(x)) − c_l‖ ≤ radius in the domain's norm (L2 for an L2 ball, L∞ for a box).
    pub radius: f64,
}

impl LayerEnclosure {
    /// Number of units of the layer with stability `kind`.
    pub fn count(&self, kind: Stability) -> usize {
        self.stability.iter().filter(|&&s| s == kind).count()
    }
}

/// Encloses every hidden layer's pre-activations over the open domain.
///
/// - Layer 1 (exact): z_i ∈ w_i·c + b_i ± support(w_i) (Domain::affine_range; support = r‖w_i‖₂
///   for an L2 ball, Σ_j h_j |w_ij| for a box).
/// - Layer l ≥ 2: the intersection of two enclosures of z_l = W_l h_{l−1} + b_l:
///   (a) interval bound propagation from the box [σ(lo_{l−1}), σ(hi_{l−1})] of h_{l−1};
///   (b) the ball ‖h_{l−1} − c_{l−1}‖ ≤ r_{l−1}: z_i ∈ w_i·c_{l−1} + b_i ± r_{l−1}‖w_i‖_* (dual norm
///   over the columns of units that are not stably inactive: there h_{l−1} = c_{l−1} = 0).
/// - Ball update: c_l = σ(W_l c_{l−1} + b_l), r_l = min(‖D_l W_l‖ r_{l−1} + ‖D_l e‖, ρ_l) where D_l
///   zeroes stably inactive rows (they are 0 at x and at c_l), e bounds the rounding of W_l c + b,
///   ‖·‖ is a certified upper bound of the operator norm (spectral for L2, max row L1 for L∞),
///   since σ is 1-Lipschitz per coordinate and both norms are monotone; and ρ_l is the distance
///   from c_l to the farthest point of the post-activation box.
///
/// Each interval is widened by the floating-point error bound γ_k·Σ|terms|, and a unit is
/// called stable only with the margin of crate::tolerance (a tangent hyperplane stays
/// "unstable", which only loosens the bounds). Errors if the domain dimension is not n_0.
pub fn enclose(net: &Network, domain: &Domain) -> Result<Vec<LayerEnclosure>> {
    if domain.dim() != net.input_dim() {
        return Err(Error::invalid(format!(
            "domain center has {} coordinates; expected {} (the network's input dimension)",
            domain.dim(),
            net.input_dim()
        )));
    }
    let norm = domain.norm();
    let hidden = net.hidden_layers();
    let mut out: Vec<LayerEnclosure> = Vec::with_capacity(hidden.len());

    // Layer 1.
    let first = &hidden[0];
    let radius_in = domain.max_half_width() * inflate(1);
    let mut enc = finish_layer(
        &first.weight,
        None,
        norm,
        radius_in,
        first_layer_intervals(net.first_weight(), first, domain),
    );
    // For a box the per-unit deviation |z_i(x) − z_i(c)| ≤ support(w_i) is already in ρ_1
    // (the post-activation box), which is at least as tight as ‖W‖_∞ · max half width.
    out.push(enc.clone());

    for layer in &hidden[1..] {
        let prev = enc;
        let live: Vec<bool> = prev
            .stability
            .iter()
            .map(|&s| s != Stability::Inactive)
            .collect();
        let intervals = next_layer_intervals(layer, &prev, &live, norm);
        // the ball enclosure acts on the live columns only
        enc = finish_layer(&layer.weight, Some(&live), norm, prev.radius, intervals);
        out.push(enc.clone());
    }
    Ok(out)
}

/// A layer's certified pre-activation intervals before its ball is computed: per unit the
/// bounds, the stability, the computed value at the previous ball's center and its rounding
/// allowance.
struct LayerIntervals {
    lower: Array1<f64>,
    upper: Array1<f64>,
    stability: Vec<Stability>,
    /// z_i at the center of the previous layer's ball (of the domain on layer 1).
    z_center: Array1<f64>,
    /// The rounding allowance e_i added to each side of unit i's interval.
    slack: Array1<f64>,
}

impl LayerIntervals {
    fn zeros(units: usize) -> Self {
        LayerIntervals {
            lower: Array1::zeros(units),
            upper: Array1::zeros(units),
            stability: Vec::with_capacity(units),
            z_center: Array1::zeros(units),
            slack: Array1::zeros(units),
        }
    }
}

/// Layer 1, exact: z_i ∈ w_i·c + b_i ± support(w_i), widened by its rounding allowance.
fn first_layer_intervals(weight: &Array2<f64>, first: &Layer, domain: &Domain) -> LayerIntervals {
    let n_in = first.input_dim();
    let (units, _) = weight.dim();
    let mut out = LayerIntervals::zeros(units);
    for i in 0..units {
        let w = weight.row(i);
        let b = first.bias[i];
        let (lo, hi) = domain.affine_range(w, b);
        let mid = w.dot(domain.center()) + b;
        let support = domain.support(w);
        let scale = w
            .iter()
            .zip(domain.center().iter())
            .map(|(a, c)| (a * c).abs())
            .sum::<f64>()
            + b.abs()
            + support;
        let e = gamma(n_in + 2) * scale;
        out.lower[i] = lo - e;
        out.upper[i] = hi + e;
        out.z_center[i] = mid;
        out.slack[i] = e;
        out.stability
            .push(classify(out.lower[i], out.upper[i], scale));
    }
    out
}

/// Layer l ≥ 2: the intersection of interval bound propagation from the previous layer's
/// post-activation box and of the previous ball's reach, over its `live` units.
fn next_layer_intervals(
    layer: &Layer,
    prev: &LayerEnclosure,
    live: &[bool],
    norm: Norm,
) -> LayerIntervals {
    let n_in = layer.input_dim();
    let units = layer.output_dim();
    let plo = prev.lower.mapv(|v| v.max(0.0));
    let phi = prev.upper.mapv(|v| v.max(0.0));
    let mut out = LayerIntervals::zeros(units);
    for i in 0..units {
        let w = layer.weight.row(i);
        let b = layer.bias[i];
        let (mut ibp_lo, mut ibp_hi, mut mid, mut mag) = (b, b, b, b.abs());
        let (mut dual2, mut dual1) = (0.0f64, 0.0f64);
        let mut reads_live = false;
        for (j, a) in w {
            if !live[j] || a == 0.0 {
                continue;
            }
            reads_live = true;
            let (p, q) = (a * plo[j], a * phi[j]);
            ibp_lo += p.min(q);
            ibp_hi += p.max(q);
            mid += a * prev.center[j];
            mag += a.abs() * (phi[j].max(prev.center[j].abs()) + prev.radius);
            dual2 += a * a;
            dual1 += a.abs();
        }
        let dual = match norm {
            Norm::L2 => dual2.sqrt(),
            Norm::Linf => dual1,
        } * inflate(n_in);
        if !reads_live {
            // every unit it reads is stably off (an exact 0 on the whole domain): z ≡ b exactly,
            // e.g. MaxPool's comparison a − b of two units that are both off
            out.lower[i] = b;
            out.upper[i] = b;
            out.z_center[i] = b;
            out.stability.push(if b > 0.0 {
                Stability::Active
            } else {
                Stability::Inactive
            });
            continue;
        }
        let reach = prev.radius * dual;
        let scale = mag + reach;
        let e = gamma(n_in + 2) * scale;
        out.lower[i] = ibp_lo.max(mid - reach) - e;
        out.upper[i] = ibp_hi.min(mid + reach) + e;
        out.z_center[i] = mid;
        out.slack[i] = e;
        out.stability
            .push(classify(out.lower[i], out.upper[i], scale));
    }
    out
}

/// A unit's stability from its certified interval [lo, hi], with the margin of crate::tolerance.
pub(crate) fn classify(lo: f64, hi: f64, scale: f64) -> Stability {
    if surely_positive(lo, scale) {
        Stability::Active
    } else if surely_nonpositive(hi, scale) {
        Stability::Inactive
    } else {
        Stability::Unstable
    }
}

/// The ball (c_l, r_l) of the post-activations, from the layer's intervals and the input ball.
/// Only the columns of `weight` acting on the previous layer's `live` units count (all of them
/// on layer 1, whose input ball is the domain's enclosing ball: radius = largest half width).
fn finish_layer(
    weight: &Weights,
    live: Option<&[bool]>,
    norm: Norm,
    radius_in: f64,
    intervals: LayerIntervals,
) -> LayerEnclosure {
    let LayerIntervals {
        lower,
        upper,
        stability,
        z_center,
        slack,
    } = intervals;
    let units = lower.len();
    let center = z_center.mapv(|v| v.max(0.0));
    let rows: Vec<usize> = (0..units)
        .filter(|&i| stability[i] != Stability::Inactive)
        .collect();
    // ρ: distance from c to the farthest point of the post-activation box
    let dev: Vec<f64> = rows
        .iter()
        .map(|&i| {
            (upper[i].max(0.0) - center[i])
                .max(center[i] - lower[i].max(0.0))
                .max(0.0)
        })
        .collect();
    let slack_live: Vec<f64> = rows.iter().map(|&i| slack[i]).collect();
    let vec_norm = |v: &[f64]| -> f64 {
        match norm {
            Norm::L2 => v.iter().map(|x| x * x).sum::<f64>().sqrt(),
            Norm::Linf => v.iter().cloned().fold(0.0, f64::max),
        }
    };
    let rho = vec_norm(&dev) * inflate(dev.len() + 2);
    let radius = if rows.is_empty() {
        0.0
    } else {
        let op = match weight {
            Weights::Dense(w) => {
                let dw = w.select(ndarray::Axis(0), &rows);
                let dw = match live {
                    Some(live) => {
                        let cols: Vec<usize> = (0..w.ncols()).filter(|&j| live[j]).collect();
                        dw.select(ndarray::Axis(1), &cols)
                    }
                    None => dw,
                };
                match norm {
                    Norm::L2 => spectral_norm_upper(dw.view()),
                    Norm::Linf => linf_operator_norm_upper(dw.view()),
                }
            }
            Weights::Sparse(w) => sparse_operator_norm_upper(w, &rows, live, norm),
        };
        let lipschitz = (op * radius_in + vec_norm(&slack_live)) * inflate(4);
        lipschitz.min(rho)
    };
    LayerEnclosure {
        lower,
        upper,
        stability,
        center,
        radius,
    }
}

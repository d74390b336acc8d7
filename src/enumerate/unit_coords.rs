//! The enumerator works in the domain's own unit coordinates, so that no decision depends on
//! where the domain sits or how the layers are scaled (README, "Exactness").
//!
//! Input coordinates: x = c + s ⊙ u with s_j = 2^{k_j} a power of two chosen so that the domain
//! becomes D' = {‖u‖₂ < ρ} with ρ = r / 2^k ∈ [1, 2) (an L2 ball, one k for every coordinate) or
//! D' = {|u_j| < w'_j} with w'_j = w_j / 2^{k_j} ∈ [1, 2) (a box, one k_j per coordinate).
//!
//! The network in these coordinates: the first layer W' = W diag(s), b' = W c + b, and every
//! hidden unit u of layer l rescaled by a power of two 2^{m_u} (its row of W_l and b_l times
//! 2^{m_u}, its column of W_{l+1} times 2^{−m_u}) so that its largest weight lies in [1, 2).
//! A positive rescaling of a unit changes neither its sign nor the function of the next layer,
//! and in unit coordinates the regions are the images of the original ones, so the activation
//! patterns in D' are exactly those in the original domain.
//!
//! Every scaling is by a power of two and so exact in floating point, unless a result leaves the
//! normal range (recorded per layer in [`UnitCoordinates::entry_err`], a bound on the absolute
//! error of any weight or bias of that layer, 0 when exact). The one rounding that remains is
//! b' = W c + b: it is computed exactly (big integers) and rounded once; the rounding is bounded
//! per unit in [`UnitCoordinates::first_bias_err`] and the exact value is kept for the exact
//! fallback.

// numerical loops over coordinates read clearer with indices
#![allow(clippy::needless_range_loop)]

use crate::domain::{Domain, Shape};
use crate::dyadic::{binary_exponent, ldexp, rational, rational_to_f64};
use crate::error::{Error, Result};
use crate::network::{Layer, Network, SparseRows, Weights};
use ndarray::{Array1, Array2};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{Float, Signed, Zero};

/// The network and domain in unit coordinates, and what the transformation rounded.
pub struct UnitCoordinates {
    /// Hidden layers in unit coordinates (rows rescaled by powers of two); the output layer is a
    /// zero row (it does not shape the regions).
    pub net: Network,
    /// The domain in unit coordinates, centered at the origin.
    pub domain: Domain,
    /// x = center + scale ⊙ u (powers of two).
    pub scale: Array1<f64>,
    /// scale_j = 2^{scale_exp_j}.
    pub scale_exp: Vec<i32>,
    /// Per hidden layer, per unit: the exponent m_u by which the unit was rescaled, so that its
    /// pre-activation here is 2^{m_u} times the original unit's at x = center + scale ⊙ u.
    pub unit_exp: Vec<Vec<i32>>,
    /// The original domain's center.
    pub center: Array1<f64>,
    /// |b'_u − (W c + b)_u scaled| for every first-layer unit u: the rounding of b'.
    pub first_bias_err: Array1<f64>,
    /// Per hidden layer, a bound on the absolute error of any of its weights or biases caused by
    /// a power-of-two scaling leaving the normal range (0.0: that layer is exact).
    pub entry_err: Vec<f64>,
    /// The exact first-layer bias b' (for the exact fallback).
    pub exact_first_bias: Vec<BigRational>,
    /// max |u_j| over the closed domain D' (ρ for a ball, w'_j for a box).
    pub reach: Array1<f64>,
    /// When the original domain is an exact box that D' only encloses (`Domain::exact_bounds`):
    /// float bounds (lo, hi) in unit coordinates with lo < u < hi ⇒ u in the exact box. Witnesses
    /// must pass them; D' itself serves the emptiness proofs (it contains the exact box).
    pub inner: Option<(Array1<f64>, Array1<f64>)>,
    /// The same exact box in unit coordinates, exactly: ((l − c)/s, (u − c)/s) (for the exact
    /// fallback, which then decides on the exact box, not on its enclosure).
    pub inner_exact: Option<(Vec<BigRational>, Vec<BigRational>)>,
    /// When a scaling was inexact ([`Self::is_exact`] false): the first such entry, in words.
    pub inexact: Option<String>,
}

/// The absolute error of the scaled value `y` of an exact x · 2^k: 0 when y is normal (the
/// scaling was exact), at most 2^−1074 after an underflow (two roundings of half an ulp of the
/// smallest subnormal).
fn scaling_error(y: f64) -> f64 {
    if y != 0.0 && y.abs() < f64::MIN_POSITIVE || y == 0.0 {
        f64::from_bits(1) // 2^-1074
    } else {
        0.0
    }
}

/// Exactly Σ_j a_j b_j + c · 2^k, as a big rational (the products of two f64 are exact in 106
/// bits; the sum is accumulated in one big integer at the smallest exponent).
fn exact_affine(a: &[f64], b: &[f64], c: f64, k: i32) -> BigRational {
    let mut terms: Vec<(i128, i32)> = Vec::with_capacity(a.len() + 1);
    for (&x, &y) in a.iter().zip(b) {
        if x == 0.0 || y == 0.0 {
            continue;
        }
        let (mx, ex, sx) = x.integer_decode();
        let (my, ey, sy) = y.integer_decode();
        let m = (mx as i128) * (my as i128) * (sx as i128) * (sy as i128);
        terms.push((m, ex as i32 + ey as i32));
    }
    if c != 0.0 {
        let (mc, ec, sc) = c.integer_decode();
        terms.push(((mc as i128) * (sc as i128), ec as i32));
    }
    let Some(e_min) = terms.iter().map(|t| t.1).min() else {
        return BigRational::zero();
    };
    let mut sum = BigInt::zero();
    for (m, e) in terms {
        sum += BigInt::from(m) << ((e - e_min) as usize);
    }
    let e = e_min + k;
    if e >= 0 {
        BigRational::from_integer(sum << e as usize)
    } else {
        BigRational::new(sum, BigInt::from(1) << (-e) as usize)
    }
}

/// The f64 nearest to `x` (within a rounding) and a rigorous bound on |f64 − x|.
fn round_with_error(x: &BigRational) -> Result<(f64, f64)> {
    let f = rational_to_f64(x);
    if !f.is_finite() {
        return Err(Error::invalid(
            "a first-layer pre-activation at the domain's center is out of the floating-point range \
             in the domain's unit coordinates",
        ));
    }
    let diff = rational_to_f64(&(rational(f) - x).abs());
    Ok((f, diff * (1.0 + 2f64.powi(-40)) + f64::from_bits(2)))
}

/// One hidden layer with its rows scaled by powers of two (see the module doc).
struct ScaledLayer {
    weight: Weights,
    /// The scaled bias (zero on the first layer, whose bias [`first_layer_bias`] computes).
    bias: Array1<f64>,
    /// The largest rounding error of a scaled entry ([`scaling_error`]).
    err: f64,
    /// The exponent m_u each row was scaled by.
    row_exp: Vec<i32>,
    /// The first entry (row, column; the bias as column `cols`) whose scaling was inexact.
    first_inexact: Option<(usize, usize)>,
}

/// Scales layer `l`'s weights by 2^(col_exp_j + m_u), m_u chosen per row so that its largest
/// entry is in [1, 2), and (after the first layer) its bias by 2^m_u.
fn scale_layer(layer: &Layer, l: usize, col_exp: &[i32]) -> ScaledLayer {
    let (rows, cols) = layer.weight.dim();
    // the same storage as the layer's: a dense layer's rows hold every column
    let mut dense = match &layer.weight {
        Weights::Dense(_) => Array2::zeros((rows, cols)),
        Weights::Sparse(_) => Array2::zeros((0, 0)),
    };
    let mut scaled = SparseRows::with_columns(cols);
    let mut bias = Array1::zeros(rows);
    let mut err: f64 = 0.0;
    let mut row_exp = vec![0; rows];
    let mut first_inexact = None;
    for u in 0..rows {
        let top = layer
            .weight
            .row(u)
            .filter(|&(_, w)| w != 0.0)
            .map(|(j, w)| binary_exponent(w) + col_exp[j])
            .max();
        let m = match top {
            Some(t) => -t,
            None if layer.bias[u] != 0.0 && l > 0 => -binary_exponent(layer.bias[u]),
            None => 0,
        };
        row_exp[u] = m;
        let mut entries = Vec::new();
        for (j, w) in layer.weight.row(u) {
            let y = ldexp(w, col_exp[j] + m);
            if w != 0.0 && scaling_error(y) > 0.0 {
                err = err.max(scaling_error(y));
                first_inexact = first_inexact.or(Some((u, j)));
            }
            match &layer.weight {
                Weights::Dense(_) => dense[[u, j]] = y,
                Weights::Sparse(_) => entries.push((j, y)),
            }
        }
        scaled.push_row(entries);
        if l > 0 {
            let y = ldexp(layer.bias[u], m);
            if layer.bias[u] != 0.0 && scaling_error(y) > 0.0 {
                err = err.max(scaling_error(y));
                first_inexact = first_inexact.or(Some((u, cols)));
            }
            bias[u] = y;
        }
    }
    let weight = match &layer.weight {
        Weights::Dense(_) => Weights::Dense(dense),
        Weights::Sparse(_) => Weights::sparse(scaled),
    };
    ScaledLayer {
        weight,
        bias,
        err,
        row_exp,
        first_inexact,
    }
}

/// What the first inexact scaling of hidden layer `l` (0-based) was, in words (for the reason
/// of a count that is not exact because of it).
fn inexact_entry(layer: &Layer, l: usize, (u, j): (usize, usize)) -> String {
    let (what, value) = if j == layer.input_dim() {
        ("bias".to_string(), layer.bias[u])
    } else {
        (format!("weight {j}"), layer.weight.get(u, j))
    };
    let scaled = if l == 0 {
        " (each weight times the domain's radius or half width along its input)"
    } else {
        ""
    };
    format!(
        "hidden layer {}, unit {u}: {what} ({value:e}) is too small beside the largest weight \
         of its row in the domain's unit coordinates{scaled}: their ratio leaves the \
         floating-point range",
        l + 1
    )
}

/// The first layer's bias in unit coordinates: 2^m_u (w_u·c + b_u) computed exactly, rounded
/// to f64 with its error bound.
struct FirstBias {
    bias: Array1<f64>,
    err: Array1<f64>,
    exact: Vec<BigRational>,
}

/// The [`FirstBias`] of the first `layer` at the domain's center, its rows scaled by `row_exp`.
fn first_layer_bias(layer: &Layer, domain: &Domain, row_exp: &[i32]) -> Result<FirstBias> {
    let rows = layer.weight.nrows();
    let c = domain
        .center()
        .as_slice()
        .map(|s| s.to_vec())
        .unwrap_or_else(|| domain.center().to_vec());
    let mut bias = Array1::zeros(rows);
    let mut errs = Array1::zeros(rows);
    let mut exact_first_bias = Vec::new();
    for u in 0..rows {
        let w: Vec<f64> = layer.weight.row(u).map(|(_, v)| v).collect();
        let exact = exact_affine(&w, &c, layer.bias[u], row_exp[u]);
        let (b, e) = round_with_error(&exact)?;
        bias[u] = b;
        errs[u] = e;
        exact_first_bias.push(exact);
    }
    Ok(FirstBias {
        bias,
        err: errs,
        exact: exact_first_bias,
    })
}

impl UnitCoordinates {
    /// The network and domain in the domain's unit coordinates (see the module doc). Errors when
    /// a value leaves the floating-point range (the caller reports the count as not exact).
    pub fn new(net: &Network, domain: &Domain) -> Result<Self> {
        let n = domain.dim();
        let (scale_exp, unit_shape, reach) = unit_shape(domain);
        let scale = Array1::from_iter(scale_exp.iter().map(|&k| ldexp(1.0, k)));
        let hidden = net.hidden_layers();
        let mut layers = Vec::with_capacity(hidden.len() + 1);
        let mut entry_err = Vec::with_capacity(hidden.len());
        // exponent by which each unit of the previous layer was scaled
        let mut prev_exp: Vec<i32> = Vec::new();
        let mut first_bias_err = Array1::zeros(0);
        let mut exact_first_bias = Vec::new();
        let mut unit_exp = Vec::with_capacity(hidden.len());
        let mut inexact = None;
        for (l, layer) in hidden.iter().enumerate() {
            // column exponents: k_j for the first layer, −m_v of the previous units after it
            let col_exp: Vec<i32> = if l == 0 {
                scale_exp.clone()
            } else {
                prev_exp.iter().map(|m| -m).collect()
            };
            let ScaledLayer {
                weight,
                mut bias,
                err,
                row_exp,
                first_inexact,
            } = scale_layer(layer, l, &col_exp);
            if let (None, Some(at)) = (&inexact, first_inexact) {
                inexact = Some(inexact_entry(layer, l, at));
            }
            if l == 0 {
                let first = first_layer_bias(layer, domain, &row_exp)?;
                bias = first.bias;
                first_bias_err = first.err;
                exact_first_bias = first.exact;
            }
            if weight.first_non_finite().is_some() || bias.iter().any(|v| !v.is_finite()) {
                return Err(Error::invalid(format!(
                    "hidden layer {l}: a weight or bias is out of the floating-point range in the \
                     domain's unit coordinates"
                )));
            }
            entry_err.push(err);
            layers.push(Layer::new(weight, bias));
            unit_exp.push(row_exp.clone());
            prev_exp = row_exp;
        }
        let last = hidden.last().map_or(n, |l| l.output_dim());
        layers.push(Layer::new(Array2::zeros((1, last)), Array1::zeros(1)));
        Ok(UnitCoordinates {
            net: Network::new(layers)?,
            inner: inner_bounds(domain, &scale),
            inner_exact: exact_unit_bounds(domain, &scale),
            domain: Domain::new(Array1::zeros(n), unit_shape)?,
            scale,
            scale_exp,
            unit_exp,
            center: domain.center().clone(),
            first_bias_err,
            entry_err,
            exact_first_bias,
            reach,
            inexact,
        })
    }

    /// The point c + s ⊙ u of the original input space, rounded to the nearest f64 per
    /// coordinate (the products are exact; the sum rounds once).
    pub fn to_input(&self, u: &Array1<f64>) -> Array1<f64> {
        &self.center + &(&self.scale * u)
    }

    /// Whether every scaling was exact (then [`Self::exact_first_bias`] and the scaled weights
    /// describe the original network exactly, and the exact fallback can use them).
    pub fn is_exact(&self) -> bool {
        self.entry_err.iter().all(|&e| e == 0.0)
    }
}

/// The exact box of `domain`, if it has one, in unit coordinates: ((l − c)/s, (u − c)/s).
fn exact_unit_bounds(
    domain: &Domain,
    scale: &Array1<f64>,
) -> Option<(Vec<BigRational>, Vec<BigRational>)> {
    let (lower, upper) = domain.exact_bounds().as_ref()?;
    let to_unit =
        |x: f64, j: usize| (rational(x) - rational(domain.center()[j])) / rational(scale[j]);
    Some((
        (0..domain.dim()).map(|j| to_unit(lower[j], j)).collect(),
        (0..domain.dim()).map(|j| to_unit(upper[j], j)).collect(),
    ))
}

/// Inner float bounds in unit coordinates of the exact box of `domain`, if it has one:
/// lo_j ≥ (l_j − c_j)/s_j and hi_j ≤ (u_j − c_j)/s_j, each rounded inward and checked exactly.
fn inner_bounds(domain: &Domain, scale: &Array1<f64>) -> Option<(Array1<f64>, Array1<f64>)> {
    let (l, u) = exact_unit_bounds(domain, scale)?;
    let inward = |x: &BigRational, up: bool| {
        let mut f = rational_to_f64(x);
        while (up && rational(f) < *x) || (!up && rational(f) > *x) {
            f = if up { f.next_up() } else { f.next_down() };
        }
        f
    };
    Some((
        l.iter().map(|x| inward(x, true)).collect(),
        u.iter().map(|x| inward(x, false)).collect(),
    ))
}

/// The power-of-two exponents k_j of the scaling, the unit-coordinate shape of the domain and
/// max |u_j| over it.
fn unit_shape(domain: &Domain) -> (Vec<i32>, Shape, Array1<f64>) {
    let n = domain.dim();
    match domain.shape() {
        Shape::L2Ball { radius } => {
            let k = binary_exponent(*radius);
            let rho = ldexp(*radius, -k);
            (
                vec![k; n],
                Shape::L2Ball { radius: rho },
                Array1::from_elem(n, rho),
            )
        }
        Shape::Box { half_widths } => {
            let ks: Vec<i32> = half_widths.iter().map(|&w| binary_exponent(w)).collect();
            let w = Array1::from_iter(half_widths.iter().zip(&ks).map(|(&w, &k)| ldexp(w, -k)));
            (
                ks,
                Shape::Box {
                    half_widths: w.clone(),
                },
                w,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Norm;
    use ndarray::array;

    #[test]
    fn exponents_and_ldexp_are_exact() {
        assert_eq!(binary_exponent(1.0), 0);
        assert_eq!(binary_exponent(1.5), 0);
        assert_eq!(binary_exponent(0.75), -1);
        assert_eq!(binary_exponent(1e-310), -1030);
        assert_eq!(binary_exponent(1e300), 996);
        assert_eq!(ldexp(3.0, -1500), 3.0 * 2f64.powi(-1000) * 2f64.powi(-500));
        assert_eq!(ldexp(ldexp(1.25, -1020), 2000), 1.25 * 2f64.powi(980));
    }

    #[test]
    fn rationals_of_any_size_convert_to_floats() {
        let tiny = rational(1e-300) * rational(1e-300) * rational(1e-300);
        assert_eq!(rational_to_f64(&tiny), 0.0);
        let sub = rational(f64::from_bits(3));
        assert_eq!(rational_to_f64(&sub), f64::from_bits(3));
        let third = BigRational::new(BigInt::from(1), BigInt::from(3)) * rational(2f64.powi(-1030));
        let f = rational_to_f64(&third);
        assert!(f > 0.0 && (f - 2f64.powi(-1030) / 3.0).abs() <= f64::from_bits(1));
        let big = rational(1e300) * rational(-7.0) / rational(1e-300) / rational(1e300);
        assert_eq!(rational_to_f64(&big), -7e300);
        assert_eq!(
            rational_to_f64(&(rational(1e300) * rational(1e300))),
            f64::INFINITY
        );
    }

    #[test]
    fn the_far_ball_becomes_the_unit_ball_and_the_bias_is_exact() {
        // one unit 3x − 1500.75 near x = 500.25 with radius 2^-20
        let net = Network::new(vec![
            Layer::new(array![[3.0]], array![-1500.75]),
            Layer::new(array![[1.0]], array![0.0]),
        ])
        .unwrap();
        let dom = Domain::ball(array![500.25], 2f64.powi(-20), Norm::L2).unwrap();
        let uc = UnitCoordinates::new(&net, &dom).unwrap();
        let &Shape::L2Ball { radius } = uc.domain.shape() else {
            panic!()
        };
        assert_eq!(radius, 1.0);
        // W' = 3 · 2^-20 · 2^m with 3·2^(m−20) ∈ [1, 2): m = 19
        assert_eq!(uc.net.layers()[0].weight.get(0, 0), 1.5);
        // b' = (3 · 500.25 − 1500.75) · 2^19 = 0 exactly
        assert_eq!(uc.net.layers()[0].bias[0], 0.0);
        assert_eq!(uc.first_bias_err[0], f64::from_bits(2));
        assert!(uc.is_exact());
    }

    #[test]
    fn extreme_weights_are_brought_to_unit_size() {
        let net = Network::new(vec![
            Layer::new(array![[1e200, -3e199]], array![2e199]),
            Layer::new(array![[1e-170], [2.0]], array![1e-171, 0.5]),
            Layer::new(array![[1.0, 1.0]], array![0.0]),
        ])
        .unwrap();
        let dom = Domain::ball(array![0.1, 0.2], 1e-3, Norm::Linf).unwrap();
        let uc = UnitCoordinates::new(&net, &dom).unwrap();
        for l in uc.net.hidden_layers() {
            for r in 0..l.weight.nrows() {
                let m = l.weight.row(r).fold(0.0f64, |a, (_, v)| a.max(v.abs()));
                assert!((1.0..2.0).contains(&m), "row {r}: {m}");
            }
        }
        assert!(uc.is_exact());
        // the same signs at a point: x = c + s ⊙ u
        let u = array![0.3, -0.7];
        let x = uc.to_input(&u);
        let orig = net.hidden_pre_activations(x.view());
        let unit = uc.net.hidden_pre_activations(u.view());
        for (a, b) in orig.iter().zip(&unit) {
            for (p, q) in a.iter().zip(b) {
                assert_eq!(p.signum(), q.signum());
            }
        }
    }
}

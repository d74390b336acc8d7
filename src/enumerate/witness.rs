//! The proof behind every counted region (docs/math.md#38-witnesses): a witness point strictly
//! inside the open domain at which every pre-activation provably has the sign of the claimed
//! pattern. By continuity a small ball around it has the same pattern, so the region has a
//! non-empty interior.
//!
//! The forward pass runs in floating point with a rigorous error bound per unit (Higham 2002,
//! §3.1): with e the error bound of the previous layer's outputs h (0 at the input, which is
//! exact),
//!
//!   |z_u − z_u exact| ≤ Σ_k |W_uk| e_k + γ_{n+1} (Σ_k |W_uk| |h_k| + |b_u|) + δ_u,
//!
//! δ_u the error of the layer's own numbers (the rounded first-layer bias in unit coordinates,
//! the scaling error of a layer). A sign is proven when |z_u| exceeds that bound; an inactive
//! unit then has h_u = 0 exactly, an active one carries its bound to the next layer (ReLU is
//! 1-Lipschitz). No absolute or relative margin enters: the bound is the rounding itself, so the
//! check is invariant under any rescaling of the units or of the input coordinates.

// numerical loops over coordinates read clearer with indices
#![allow(clippy::needless_range_loop)]

use super::copies::{is_settled_tie, tie_sources, Exactness, Tie};
use super::tracked::TrackedMap;
use super::unit_coords::UnitCoordinates;
use crate::domain::{Domain, Shape};
use crate::network::{Network, Weights};
use crate::tolerance::gamma;
use ndarray::{Array1, Array2, ArrayView1};

/// Proves witnesses for one network: its absolute weights and the error of its own numbers.
pub struct WitnessChecker {
    abs_weights: Vec<Weights>,
    /// Σ_k |W_uk| for every unit of every hidden layer (for the cheap first bound).
    abs_row_sums: Vec<Array1<f64>>,
    /// Per first-layer unit, the error of its bias.
    first_bias_err: Array1<f64>,
    /// Per hidden layer, the error of any weight or bias.
    entry_err: Vec<f64>,
    /// Inner bounds a witness must also lie strictly within (see `UnitCoordinates::inner`).
    inner: Option<(Array1<f64>, Array1<f64>)>,
    /// Per hidden unit (flat), its tie (`super::copies`): a copy claimed with its source's sign
    /// needs no check of its own (its pre-activation is c·relu(z_source)), nor does a mirror
    /// claimed with the opposite of its source's sign where the source's sign is strictly
    /// proven (its pre-activation is −c·z_source).
    ties: Vec<Option<Tie>>,
    /// Per hidden unit (flat), whether a mirror takes the opposite of its sign: such a unit is
    /// never accepted as a weak constant (the mirror of the constant 0 is 0 too, off as well).
    mirror_source: Vec<bool>,
}

impl WitnessChecker {
    /// A checker for the network in unit coordinates, with the errors of that transformation.
    pub fn new(uc: &UnitCoordinates) -> Self {
        let mut checker = Self::with_errors(
            &uc.net,
            uc.first_bias_err.clone(),
            uc.entry_err.clone(),
            Some(&uc.exact_first_bias),
        );
        checker.inner = uc.inner.clone();
        checker
    }

    /// A checker for a network whose numbers are exact.
    pub fn exact(net: &Network) -> Self {
        let widths = net.hidden_widths();
        Self::with_errors(net, Array1::zeros(widths[0]), vec![0.0; widths.len()], None)
    }

    fn with_errors(
        net: &Network,
        first_bias_err: Array1<f64>,
        entry_err: Vec<f64>,
        exact_first_bias: Option<&[num_rational::BigRational]>,
    ) -> Self {
        let ties = tie_sources(
            net,
            &Exactness {
                entry_err: &entry_err,
                first_bias: exact_first_bias,
            },
        );
        // |W| of layers ≥ 1; layer 0's products are taken row by row (`abs_times`): a
        // 23,328 × 784 first layer would cost another 146 MB
        let abs_weights: Vec<Weights> = net
            .hidden_layers()
            .iter()
            .enumerate()
            .map(|(l, layer)| {
                if l == 0 {
                    Weights::Dense(Array2::zeros((0, 0)))
                } else {
                    layer.weight.map_entries(f64::abs)
                }
            })
            .collect();
        let mut mirror_source = vec![false; ties.len()];
        for t in ties.iter().flatten().filter(|t| !t.same_sign) {
            if let Some(m) = mirror_source.get_mut(t.source) {
                *m = true;
            }
        }
        WitnessChecker {
            mirror_source,
            abs_row_sums: net
                .hidden_layers()
                .iter()
                .map(|layer| {
                    let w = &layer.weight;
                    w.abs_row_sums() * (1.0 + gamma(w.ncols() + 1))
                })
                .collect(),
            abs_weights,
            first_bias_err,
            entry_err,
            inner: None,
            ties,
        }
    }

    /// Whether `x` provably lies in the open domain and the network's pattern at `x` is provably
    /// `pattern` (flat, layer by layer): every unit claimed on has z > its error bound, every
    /// unit claimed off has z < −its error bound.
    pub fn proves(
        &self,
        net: &Network,
        domain: &Domain,
        x: ArrayView1<f64>,
        pattern: &[bool],
    ) -> bool {
        if pattern.len() != net.num_hidden_units()
            || !strictly_inside(domain, x)
            || !self.within_inner(x)
        {
            return false;
        }
        let mut h: Array1<f64> = x.to_owned();
        let mut e: Array1<f64> = Array1::zeros(h.len());
        let mut k = 0;
        for (l, layer) in net.hidden_layers().iter().enumerate() {
            let g = gamma(h.len() + 1);
            let inflate = 1.0 + gamma(h.len() + 4);
            let own = if self.entry_err[l] > 0.0 {
                self.entry_err[l] * (h.iter().map(|v| v.abs()).sum::<f64>() + e.sum() + 1.0)
            } else {
                0.0
            };
            let z = layer.weight.dot(&h) + &layer.bias;
            // the error of z_u is at most |W_u|·t + γ|b_u| + own errors, t = γ|h| + e: first
            // bounded by (Σ_k |W_uk|) max_k t_k (one pass), by the matvec only where that fails
            e.zip_mut_with(&h, |ek, hk| *ek += g * hk.abs());
            let t_max = e.iter().cloned().fold(0.0, f64::max);
            let pattern_l = &pattern[k..k + z.len()];
            // products that underflow err absolutely, by at most 2^-1075 each (a zero input
            // gives an exact zero product: a unit fed only zeros is computed exactly)
            let nonzero = h.iter().filter(|&&v| v != 0.0).count();
            let underflow = nonzero as f64 * f64::from_bits(1);
            let bound_of = |u: usize, spread: f64| {
                let first = if l == 0 { self.first_bias_err[u] } else { 0.0 };
                (spread + g * layer.bias[u].abs() + own + first + underflow) * inflate
            };
            // a tied unit with its tie's sign is settled without a check of its own: a copy
            // always (z = c·relu(z_source), the source's sign proven before it), a mirror where
            // its source's sign is strictly proven (z = −c·z_source ≠ 0), not merely ≤ 0 on a
            // constant unit (`weak`: there z_source may be 0 and the mirror is off as well)
            let tied = |u: usize, weak: &[bool]| {
                is_settled_tie(&self.ties, pattern, k + u)
                    && self.ties[k + u].is_some_and(|t| {
                        t.same_sign
                            || t.source.checked_sub(k).and_then(|i| weak.get(i)) == Some(&false)
                    })
            };
            let proven = |u: usize, bound: f64| {
                bound.is_finite()
                    && if pattern_l[u] {
                        z[u] > bound
                    } else {
                        z[u] < -bound
                    }
            };
            let mut weak = vec![false; z.len()];
            // (a mirror's source is never tied and comes before it: when every other unit is
            // proven strictly, so is the source)
            let cheap = (0..z.len())
                .all(|u| tied(u, &weak) || proven(u, bound_of(u, self.abs_row_sums[l][u] * t_max)));
            let spread = if cheap {
                self.abs_row_sums[l].mapv(|s| s * t_max)
            } else {
                let spread = self.abs_times(l, layer, &e);
                // a unit constant on the region (every input into it off or constant) is off
                // where its value is ≤ 0: z = −bound (typically 0) is then enough
                let mut constant: Option<Vec<bool>> = None;
                for u in 0..z.len() {
                    let bound = bound_of(u, spread[u]);
                    if tied(u, &weak) || proven(u, bound) {
                        continue;
                    }
                    // (the zero pattern of the weights is exact only when no scaling underflowed)
                    let zero_off = !pattern_l[u]
                        && z[u] <= -bound
                        && self.entry_err.iter().all(|&e| e == 0.0)
                        && constant.get_or_insert_with(|| net.locally_constant_units(pattern))
                            [k + u];
                    // a unit reading no unit that is on (every weight from one exactly 0) is
                    // z = b exactly (a sum of exact zeros and b, in a layer whose numbers are
                    // exact): its sign is its bias's, e.g. MaxPool's comparison of two off units
                    let reads_none = l > 0
                        && self.entry_err[l] == 0.0
                        && !self.mirror_source[k + u]
                        && z[u] == layer.bias[u]
                        && pattern_l[u] == (layer.bias[u] > 0.0)
                        && layer
                            .weight
                            .row(u)
                            .all(|(j, w)| w == 0.0 || !pattern[k - layer.input_dim() + j]);
                    if !(zero_off || reads_none) {
                        return false;
                    }
                    weak[u] = true;
                }
                spread
            };
            // active units carry their bound on (a settled tie's z is computed as any other
            // unit's, with the same bound); inactive ones are exactly 0: every unit claimed off
            // has a proven exact z ≤ 0 (its own, its copy source's or its mirror source's sign),
            // even where its float z is not ≤ 0 (a mirror's is rounded on its own)
            e = Array1::from_shape_fn(z.len(), |u| {
                if pattern_l[u] {
                    bound_of(u, spread[u])
                } else {
                    0.0
                }
            });
            k += z.len();
            h = Array1::from_shape_fn(z.len(), |u| if pattern_l[u] { z[u].max(0.0) } else { 0.0 });
        }
        true
    }
}

impl WitnessChecker {
    /// |W_l| e: by the stored |W_l|, or row by row for layer 0 (not stored). Both are float
    /// sums of non-negative terms, within γ_{n} of the exact value; the caller's `inflate`
    /// covers that.
    fn abs_times(&self, l: usize, layer: &crate::network::Layer, e: &Array1<f64>) -> Array1<f64> {
        if l > 0 {
            return self.abs_weights[l].dot(e);
        }
        layer.weight.abs_dot(e)
    }

    /// The cheap proof of a leaf's witness, from the node's error-tracked maps (`tracked`): one
    /// map per hidden layer, the map of layer l being the exact network's pre-activations of
    /// layer l wherever the units of the layers before l have the pattern's signs, up to its
    /// `err` on the closed domain. So, layer by layer: if x lies in the open domain and every unit
    /// of layers < l provably has its sign at x, the exact pre-activation z_u(x) of a unit of
    /// layer l is within err_u of the exact value of the float map, which is within the rounding
    /// of its evaluation (γ_{n+1} Σ_j |A_uj x_j| + |β_u|, plus 2^−1074 per product for
    /// underflow) of the computed a·x + β. A sign counts only when the computed value exceeds
    /// the sum of both. Costs units × n per layer instead of the forward pass's units × width;
    /// `false` (the caller then runs [`Self::proves`]) where any unit is not settled.
    ///
    /// A map that keeps its matrix by columns too (low input dimension) is evaluated for all its
    /// units at once, column by column: each unit's terms still in the order of its entries, so
    /// the same floats; on x86-64 with AVX (detected at run time) compiled for AVX (no fused
    /// multiply-add).
    pub fn proves_on_maps<'m>(
        &self,
        domain: &Domain,
        x: ArrayView1<f64>,
        pattern: &[bool],
        maps: impl Iterator<Item = &'m TrackedMap>,
    ) -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx") {
                // SAFETY: the CPU supports AVX, checked just above
                return unsafe { self.proves_on_maps_avx(domain, x, pattern, maps) };
            }
        }
        self.proves_on_maps_plain(domain, x, pattern, maps)
    }

    /// [`Self::proves_on_maps`] compiled with AVX enabled.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx")]
    fn proves_on_maps_avx<'m>(
        &self,
        domain: &Domain,
        x: ArrayView1<f64>,
        pattern: &[bool],
        maps: impl Iterator<Item = &'m TrackedMap>,
    ) -> bool {
        self.proves_on_maps_plain(domain, x, pattern, maps)
    }

    /// The body of [`Self::proves_on_maps`] (inlined into each caller, so compiled for its
    /// target features).
    #[inline(always)]
    fn proves_on_maps_plain<'m>(
        &self,
        domain: &Domain,
        x: ArrayView1<f64>,
        pattern: &[bool],
        maps: impl Iterator<Item = &'m TrackedMap>,
    ) -> bool {
        if !strictly_inside(domain, x) || !self.within_inner(x) {
            return false;
        }
        let Some(xs) = x.as_slice() else {
            return false;
        };
        let n = xs.len();
        let rel = gamma(n + 1);
        let underflow = (n + 1) as f64 * f64::from_bits(1);
        let inflate = 1.0 + gamma(4);
        let mut k = 0;
        let mut layers = 0;
        let (mut value, mut magnitude) = (Vec::new(), Vec::new());
        for m in maps {
            let units = m.map.b.len();
            let (Some(a), Some(b), Some(err)) =
                (m.map.a.as_slice(), m.map.b.as_slice(), m.err.as_slice())
            else {
                return false;
            };
            if k + units > pattern.len() || a.len() != units * n || err.len() != units {
                return false;
            }
            // v_u = β_u + Σ_j A_uj x_j and Σ|terms|, each unit's terms in the order of its entries:
            // by columns (every unit at once) where the map keeps them, else row by row
            value.clear();
            magnitude.clear();
            if let Some(cols) = m.cols.as_ref().filter(|c| c.len() == units * n) {
                value.extend_from_slice(b);
                magnitude.extend(b.iter().map(|v| v.abs()));
                if units > 0 {
                    for (col, &xj) in cols.chunks_exact(units).zip(xs) {
                        for ((v, mag), &c) in value.iter_mut().zip(magnitude.iter_mut()).zip(col) {
                            let p = c * xj;
                            *v += p;
                            *mag += p.abs();
                        }
                    }
                }
            } else {
                for (row, &beta) in a.chunks_exact(n).zip(b) {
                    let mut v = beta;
                    let mut mag = beta.abs();
                    for (r, xj) in row.iter().zip(xs) {
                        let p = r * xj;
                        v += p;
                        mag += p.abs();
                    }
                    value.push(v);
                    magnitude.push(mag);
                }
            }
            for (u, ((&v, &mag), &e)) in value.iter().zip(&magnitude).zip(err).enumerate() {
                // a tie with its tie's sign: a copy's source is proven in the layer before, a
                // mirror's (never itself tied) strictly in this one, or the proof fails there
                // (a unit that is exactly a constant is left to the forward pass, `proves`)
                if is_settled_tie(&self.ties, pattern, k + u) {
                    continue;
                }
                let bound = (e + rel * mag + underflow) * inflate;
                let proven = bound.is_finite()
                    && if pattern[k + u] {
                        v > bound
                    } else {
                        v < -bound
                    };
                if !proven {
                    return false;
                }
            }
            k += units;
            layers += 1;
        }
        layers > 0 && k == pattern.len()
    }

    /// Per hidden unit (flat), its tie, if it is a copy or a mirror unit (`super::copies`).
    pub(super) fn ties(&self) -> &[Option<Tie>] {
        &self.ties
    }

    /// Whether x lies strictly within the inner bounds, if any (exact float comparisons).
    pub fn within_inner(&self, x: ArrayView1<f64>) -> bool {
        self.inner
            .as_ref()
            .is_none_or(|(lo, hi)| x.iter().zip(lo).zip(hi).all(|((v, l), h)| l < v && v < h))
    }
}

/// Whether x provably lies in the open domain: |x_j − c_j| < w_j for a box (with the rounding of
/// the difference), ‖x − c‖₂² < r² for a ball (both sides rounded outward).
fn strictly_inside(domain: &Domain, x: ArrayView1<f64>) -> bool {
    if !x.iter().all(|v| v.is_finite()) {
        return false;
    }
    let eps = f64::EPSILON;
    match domain.shape() {
        Shape::Box { half_widths } => x
            .iter()
            .zip(domain.center())
            .zip(half_widths)
            .all(|((xi, ci), w)| (xi - ci).abs() * (1.0 + eps) < *w * (1.0 - eps)),
        Shape::L2Ball { radius } => {
            let d = &x - domain.center();
            let s = d.dot(&d) * (1.0 + gamma(d.len() + 2));
            s < radius * radius * (1.0 - 2.0 * eps)
        }
    }
}

/// Whether the network's pattern at the input point `x` is provably `pattern` and x provably
/// lies in the open domain (the network's numbers taken as exact).
pub fn check_witness(net: &Network, domain: &Domain, x: ArrayView1<f64>, pattern: &[bool]) -> bool {
    WitnessChecker::exact(net).proves(net, domain, x, pattern)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Norm;
    use crate::enumerate::tracked::LayerWeights;
    use crate::network::Layer;

    /// A unit reading no unit that is on takes its bias's sign, never a NaN's: an on unit whose
    /// value overflowed to +inf makes 0·inf = NaN in the unit that reads it with weight 0, and
    /// that unit (exactly 0.5 > 0: on) must not be accepted as off.
    #[test]
    fn a_constant_unit_is_decided_by_its_bias_not_by_a_nan() {
        let net = Network::new(vec![
            Layer::new(ndarray::array![[1.0], [1.0]], ndarray::array![1e308, 0.0]),
            Layer::new(
                ndarray::array![[2.0, 0.0], [0.0, 1.0]],
                ndarray::array![0.0, -10.0],
            ),
            Layer::new(ndarray::array![[0.0, 1.0]], ndarray::array![0.5]),
            Layer::new(ndarray::array![[1.0]], ndarray::array![0.0]),
        ])
        .unwrap();
        let domain = Domain::ball(ndarray::array![0.5], 0.25, Norm::Linf).unwrap();
        let checker = WitnessChecker::exact(&net);
        let x = ndarray::array![0.5];
        let (t, f) = (true, false);
        // (the true pattern, last unit on, is not provable in floats either: z is NaN there)
        assert!(!checker.proves(&net, &domain, x.view(), &[t, t, t, f, f]));
    }

    /// The leaf proof on maps evaluates a map kept by columns (every unit at once) exactly as
    /// by rows: on random points of a small net, with their own patterns and with one sign
    /// flipped, both give the same answers, and the true patterns are proven.
    #[test]
    fn maps_by_columns_prove_what_maps_by_rows_prove() {
        let mut rng = crate::enumerate::test_rng::Rng(17);
        let mut rnd = || rng.next();
        let n = 3;
        let mut layer = |rows: usize, cols: usize| {
            Layer::new(
                Array2::from_shape_fn((rows, cols), |_| rnd()),
                Array1::from_shape_fn(rows, |_| 0.3 * rnd()),
            )
        };
        let (l0, l1, out) = (layer(6, n), layer(5, 6), layer(1, 5));
        let net = Network::new(vec![l0.clone(), l1.clone(), out]).unwrap();
        let domain = Domain::ball(Array1::zeros(n), 1.0, Norm::Linf).unwrap();
        let reach = Array1::from_elem(n, 1.0);
        let checker = WitnessChecker::exact(&net);
        let mut proven = 0;
        for t in 0..40 {
            let x = Array1::from_shape_fn(n, |j| 0.9 * ((t * 7 + j * 3) as f64 * 0.37).sin());
            let z0 = l0.weight.dot(&x) + &l0.bias;
            let h0 = z0.mapv(|v| v.max(0.0));
            let z1 = l1.weight.dot(&h0) + &l1.bias;
            let mut pattern: Vec<bool> = z0.iter().chain(z1.iter()).map(|&v| v > 0.0).collect();
            let first = TrackedMap::first(&l0, &Array1::zeros(6), 0.0, &reach);
            let second =
                first.through_relu_layer(&pattern[..6], &l1, &LayerWeights::new(&l1), 0.0, &reach);
            assert!(first.cols.is_some() && second.cols.is_some());
            let rows_only = |m: &TrackedMap| TrackedMap {
                cols: None,
                ..m.clone()
            };
            let (r1, r2) = (rows_only(&first), rows_only(&second));
            for flip in [None, Some(t % 11)] {
                if let Some(u) = flip {
                    pattern[u] = !pattern[u];
                }
                let by_cols = checker.proves_on_maps(
                    &domain,
                    x.view(),
                    &pattern,
                    [&first, &second].into_iter(),
                );
                let by_rows =
                    checker.proves_on_maps(&domain, x.view(), &pattern, [&r1, &r2].into_iter());
                assert_eq!(by_cols, by_rows, "point {t}, flip {flip:?}");
                if flip.is_none() && by_cols {
                    proven += 1;
                }
                if let Some(u) = flip {
                    pattern[u] = !pattern[u];
                }
            }
        }
        assert!(proven >= 30, "only {proven} of 40 true patterns proven");
    }
}

//! A node's pre-activation map with a rigorous bound on its floating-point error.
//!
//! On a node, the pre-activations of layer l are the affine map h(u) = A u + β obtained by
//! multiplying the masked layer maps (docs/math.md#13-affine-maps-on-a-pattern). The enumerator
//! computes A and β in floating
//! point; [`TrackedMap::err`] bounds, for every unit, |h_float(u) − h_exact(u)| over the closed
//! domain (|u_j| ≤ reach_j), so every emptiness proof can widen its bound by it.
//!
//! Layer 1 (unit coordinates, see `unit_coords`): A = W', exact; β = b' rounded once:
//! δ_u = |b'_u − b'_exact| (+ the scaling error of the layer, if any).
//!
//! Next layer, A⁺ = fl(W D A), β⁺ = fl(W D β + b), D = diag(mask): a dot product of k terms
//! computed in any order errs by at most γ_k Σ|terms| (Higham 2002, §3.1), so over the domain
//!
//!   δ⁺_u ≤ Σ_k |W_uk| D_k (δ_k + γ v_k) + γ |b_u| + e (Σ_k D_k (v_k + δ_k) + 1),
//!   v_k = Σ_j |A_kj| reach_j + |β_k|  (a bound on |h_k| over the domain),
//!
//! with γ = γ_{n_l + 1} and e the layer's scaling error, plus (#on units) 2^−1074 (Σ reach + 1)
//! for products that underflow (their error is absolute, not relative). The bound itself is evaluated in
//! floating point on non-negative terms and then inflated by its own γ.

use crate::network::{AffineMap, Layer, Weights};
use crate::tolerance::gamma;
use ndarray::{Array1, Array2};

/// An affine map on a node and the per-unit bound on its error over the domain.
#[derive(Clone, Debug)]
pub struct TrackedMap {
    pub map: AffineMap,
    /// err[u] ≥ |h_u(x) computed − h_u(x) exact| for every x in the closed domain.
    pub err: Array1<f64>,
    /// In low input dimension (up to [`SMALL_INPUT`]), A by columns as well (column j: A_uj for
    /// every unit u, contiguous), for the leaf proof's evaluation of every unit at once.
    pub cols: Option<Vec<f64>>,
}

impl TrackedMap {
    /// The first layer's map with the error of its bias (`bias_err`) and of its scaling
    /// (`entry_err`, per entry).
    pub fn first(
        layer: &Layer,
        bias_err: &Array1<f64>,
        entry_err: f64,
        reach: &Array1<f64>,
    ) -> Self {
        let reach_sum: f64 = reach.sum();
        let err =
            bias_err.mapv(|e| (e + entry_err * (reach_sum + 1.0)) * (1.0 + gamma(reach.len() + 3)));
        let (units, n) = layer.weight.dim();
        // a network's first layer is stored dense; any other layer is written out densely here
        let a = match &layer.weight {
            Weights::Dense(m) => m.clone(),
            sparse => sparse.dot_matrix(&Array2::eye(n)),
        };
        let cols = (n <= SMALL_INPUT).then(|| {
            let mut cols = Vec::with_capacity(units * n);
            for j in 0..n {
                cols.extend(a.column(j).iter());
            }
            cols
        });
        TrackedMap {
            map: AffineMap::new(a, layer.bias.clone()),
            err,
            cols,
        }
    }

    /// The map of the next layer where this layer's units follow `mask`, with its error bound.
    /// `weights` holds `next`'s weights transposed (see [`LayerWeights`]); `entry_err` the
    /// scaling error of `next`'s entries.
    ///
    /// On x86-64 with AVX (detected at run time) the same code is compiled for AVX: twice the
    /// entries per instruction in the row updates, each entry's products and sums still separate
    /// and in the same order (no fused multiply-add), so the same floats.
    pub fn through_relu_layer(
        &self,
        mask: &[bool],
        next: &Layer,
        weights: &LayerWeights,
        entry_err: f64,
        reach: &Array1<f64>,
    ) -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx") {
                // SAFETY: the CPU supports AVX, checked just above
                return unsafe {
                    self.through_relu_layer_avx(mask, next, weights, entry_err, reach)
                };
            }
        }
        self.through_relu_layer_plain(mask, next, weights, entry_err, reach)
    }

    /// [`Self::through_relu_layer`] compiled with AVX enabled.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx")]
    fn through_relu_layer_avx(
        &self,
        mask: &[bool],
        next: &Layer,
        weights: &LayerWeights,
        entry_err: f64,
        reach: &Array1<f64>,
    ) -> Self {
        self.through_relu_layer_plain(mask, next, weights, entry_err, reach)
    }

    /// The body of [`Self::through_relu_layer`] (inlined into each caller, so compiled for its
    /// target features).
    #[inline(always)]
    fn through_relu_layer_plain(
        &self,
        mask: &[bool],
        next: &Layer,
        weights: &LayerWeights,
        entry_err: f64,
        reach: &Array1<f64>,
    ) -> Self {
        let k = mask.len();
        let on: Vec<usize> = (0..k).filter(|&i| mask[i]).collect();
        let (map, cols) = self.masked_product(&on, mask, next, weights);
        let g = gamma(k + 1);
        let g_reach = 1.0 + gamma(reach.len() + 1);
        let mut err = vec![0.0; next.bias.len()];
        let mut magnitude_sum = 0.0;
        // q_k = δ_k + γ v_k for the units that are on (0 for the others)
        let mut q = match next.weight {
            Weights::Sparse(_) => vec![0.0; k],
            Weights::Dense(_) => Vec::new(),
        };
        for &i in &on {
            let row = self.map.a.row(i);
            let spread: f64 = row.iter().zip(reach).map(|(a, r)| a.abs() * r).sum();
            let v = (spread + self.map.b[i].abs()) * g_reach;
            // the precise Σ_k |W_uk| D_k q_k over the units that are on, one scaled row of |W|ᵀ
            // per unit (a bound looser by the width, (Σ_k |W_uk|) max q_k, left near-degenerate
            // splits unproven and sent them to the exact fallback)
            match next.weight {
                Weights::Dense(_) => axpy(&mut err, weights.abs_row(i), self.err[i] + g * v),
                Weights::Sparse(_) => q[i] = self.err[i] + g * v,
            }
            magnitude_sum += v + self.err[i];
        }
        // units that read no unit that is on (every weight from an on unit exactly 0): A⁺_u = 0
        // and β⁺_u = b_u exactly (no term is added), so their only error is the layer's scaling
        // error `own` (0 when its numbers are exact). Found by the sparse rows, or for a dense layer with zero weights (copies,
        // MaxPool's comparisons) by a scan; a dense layer without zeros reads every unit.
        let mut reads_none = Vec::new();
        match &next.weight {
            Weights::Sparse(w) => {
                // the same sums by the rows of W, over their stored entries
                reads_none = vec![false; err.len()];
                for (u, e) in err.iter_mut().enumerate() {
                    let mut reads = false;
                    *e = w
                        .row(u)
                        .filter(|&(i, _)| mask[i])
                        .map(|(i, wi)| {
                            reads = true;
                            wi.abs() * q[i]
                        })
                        .sum();
                    reads_none[u] = !reads;
                }
            }
            Weights::Dense(_) if weights.has_zeros => {
                reads_none = vec![true; err.len()];
                for &i in &on {
                    for (none, &w) in reads_none.iter_mut().zip(weights.row(i)) {
                        *none &= w == 0.0;
                    }
                }
            }
            Weights::Dense(_) => {}
        }
        let inflate = 1.0 + gamma(k + 4);
        let own = entry_err * (magnitude_sum + 1.0);
        // products that underflow err absolutely (≤ 2^-1075 each, in every entry of A⁺ and β⁺);
        // units that are off contribute exact zeros
        let underflow = on.len() as f64 * f64::from_bits(1) * (reach.sum() + 1.0);
        let mut err = Array1::from(err);
        err.zip_mut_with(&next.bias, |e, b| {
            *e = (*e + g * b.abs() + own + underflow) * inflate
        });
        // (a weight that underflowed to 0 when the layer was scaled hides a term of at most
        // e·|h_k|: `own` keeps it; it is 0 in a layer whose numbers are exact)
        for (u, _) in reads_none.iter().enumerate().filter(|(_, &none)| none) {
            err[u] = own * inflate;
        }
        TrackedMap { map, err, cols }
    }

    /// fl(W D A) and fl(W D β + b) for `next` = (W, b), D the mask whose on units are `on`: each
    /// entry a sum over the on units only (the off ones would add exact zeros), in any order —
    /// the error bound above holds for every order. In low input dimension as one scaled row of
    /// Wᵀ per on unit and input coordinate (contiguous, so the additions vectorize; a general
    /// matrix product costs more in packing than in arithmetic there); in high dimension the on
    /// rows and columns are gathered for one matrix product.
    #[inline(always)]
    fn masked_product(
        &self,
        on: &[usize],
        mask: &[bool],
        next: &Layer,
        weights: &LayerWeights,
    ) -> (AffineMap, Option<Vec<f64>>) {
        let n = self.map.a.ncols();
        let units = next.bias.len();
        let mut b = vec![0.0; units];
        match &next.weight {
            Weights::Dense(_) => {
                for &i in on {
                    axpy(&mut b, weights.row(i), self.map.b[i]);
                }
            }
            Weights::Sparse(w) => {
                for (u, bu) in b.iter_mut().enumerate() {
                    *bu = w
                        .row(u)
                        .filter(|&(i, _)| mask[i])
                        .map(|(i, wi)| wi * self.map.b[i])
                        .sum();
                }
            }
        }
        for (bu, nb) in b.iter_mut().zip(&next.bias) {
            *bu += nb;
        }
        let b = Array1::from(b);
        if let Weights::Sparse(w) = &next.weight {
            return (self.sparse_product(mask, next, w, b), None);
        }
        let a = self.map.a.as_standard_layout();
        // invariant: `as_standard_layout` returns a C-contiguous array, which always has a slice
        let Some(as_) = a.as_slice() else {
            unreachable!("standard layout is contiguous")
        };
        let mut kept = None;
        let a = if n <= SMALL_INPUT && n > 0 && units > 0 {
            // column j of A⁺, contiguous: Σ_i W_{·i} A_ij
            let mut cols = vec![0.0; n * units];
            for &i in on {
                let wi = weights.row(i);
                for (col, &aij) in cols.chunks_exact_mut(units).zip(&as_[i * n..(i + 1) * n]) {
                    axpy(col, wi, aij);
                }
            }
            let mut rows = vec![0.0; units * n];
            for (j, col) in cols.chunks_exact(units).enumerate() {
                for (u, &v) in col.iter().enumerate() {
                    rows[u * n + j] = v;
                }
            }
            kept = Some(cols);
            // invariant: `rows` holds exactly units × n entries
            Array2::from_shape_vec((units, n), rows)
                .unwrap_or_else(|_| unreachable!("units × n entries make a units × n matrix"))
        } else {
            // invariant: a sparse `next` returned through `sparse_product` above
            let Some(w) = next.weight.as_dense() else {
                unreachable!("sparse layers return above")
            };
            let w = w.as_standard_layout();
            let k = self.map.b.len();
            // invariant: `as_standard_layout` returns a C-contiguous array, which always has a slice
            let Some(ws) = w.as_slice() else {
                unreachable!("standard layout is contiguous")
            };
            let w_on = Array2::from_shape_fn((units, on.len()), |(u, s)| ws[u * k + on[s]]);
            let a_on = Array2::from_shape_fn((on.len(), n), |(s, j)| as_[on[s] * n + j]);
            w_on.dot(&a_on)
        };
        (AffineMap::new(a, b), kept)
    }
}

impl TrackedMap {
    /// fl(W D A) for a sparse W (the bias is computed by the caller): row u of A⁺ is
    /// Σ_{i on} W_ui A_i over the stored entries of W's row u.
    fn sparse_product(
        &self,
        mask: &[bool],
        next: &Layer,
        w: &crate::network::SparseRows,
        b: Array1<f64>,
    ) -> AffineMap {
        let n = self.map.a.ncols();
        let mut a = Array2::zeros((next.bias.len(), n));
        for (u, mut row) in a.outer_iter_mut().enumerate() {
            for (i, wi) in w.row(u).filter(|&(i, _)| mask[i]) {
                row.scaled_add(wi, &self.map.a.row(i));
            }
        }
        AffineMap::new(a, b)
    }
}

/// y += s·x (same lengths): one pass, in order, so every entry of y gets its terms in the order
/// of the calls.
#[inline(always)]
fn axpy(y: &mut [f64], x: &[f64], s: f64) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += xi * s;
    }
}

/// A layer's weights transposed, Wᵀ and |W|ᵀ (one contiguous row per input unit), so that a
/// masked product Σ_{i on} W_{·i} (·) is a sum of whole rows. (The default is empty: the first
/// layer's, which is never entered through a masked product.)
#[derive(Default)]
pub struct LayerWeights {
    w_t: Vec<f64>,
    abs_t: Vec<f64>,
    units: usize,
    /// Whether some weight is exactly 0 (then units reading no on unit are looked for).
    has_zeros: bool,
}

impl LayerWeights {
    /// Wᵀ and |W|ᵀ of `layer` (nothing for a sparse layer, which is read by its rows).
    pub fn new(layer: &Layer) -> Self {
        let Weights::Dense(w) = &layer.weight else {
            return LayerWeights::default();
        };
        let (units, k) = w.dim();
        let mut w_t = Vec::with_capacity(units * k);
        for i in 0..k {
            w_t.extend(w.column(i).iter());
        }
        let abs_t = w_t.iter().map(|v: &f64| v.abs()).collect();
        let has_zeros = w_t.contains(&0.0);
        LayerWeights {
            w_t,
            abs_t,
            units,
            has_zeros,
        }
    }

    /// Column i of W (the weights out of input unit i).
    fn row(&self, i: usize) -> &[f64] {
        &self.w_t[i * self.units..(i + 1) * self.units]
    }

    /// Column i of |W|.
    fn abs_row(&self, i: usize) -> &[f64] {
        &self.abs_t[i * self.units..(i + 1) * self.units]
    }
}

/// Input dimension up to which [`TrackedMap::masked_product`] loops directly.
const SMALL_INPUT: usize = 16;

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    /// The masked product by scaled rows of Wᵀ takes, for every entry, the on units' terms in
    /// their order, as a row-by-row loop does: the same floats, in low input dimension (the
    /// column path) and high (the matrix product path, whose bias and error are the same
    /// passes); and the map agrees with the plain composition `AffineMap::through_relu_layer`
    /// within the error bound.
    #[test]
    fn masked_product_takes_the_terms_in_order() {
        let mut state = 5u64;
        let mut rnd = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
        };
        for (n, k, units) in [(5, 7, 9), (1, 3, 4), (20, 6, 5)] {
            let a = Array2::from_shape_fn((k, n), |_| rnd());
            let b = Array1::from_shape_fn(k, |_| rnd());
            let reach = Array1::from_elem(n, 1.0);
            let t = TrackedMap::first(
                &Layer::new(a.clone(), b.clone()),
                &Array1::zeros(k),
                0.0,
                &reach,
            );
            let next = Layer::new(
                Array2::from_shape_fn((units, k), |_| rnd()),
                Array1::from_shape_fn(units, |_| rnd()),
            );
            let mask: Vec<bool> = (0..k).map(|i| i % 3 != 1).collect();
            let got = t.through_relu_layer(&mask, &next, &LayerWeights::new(&next), 0.0, &reach);
            for u in 0..units {
                let mut bu = 0.0;
                for i in (0..k).filter(|&i| mask[i]) {
                    bu += next.weight.get(u, i) * b[i];
                }
                assert_eq!(got.map.b[u], bu + next.bias[u], "bias of unit {u}");
                if n <= SMALL_INPUT {
                    for j in 0..n {
                        let mut auj = 0.0;
                        for i in (0..k).filter(|&i| mask[i]) {
                            auj += next.weight.get(u, i) * a[[i, j]];
                        }
                        assert_eq!(got.map.a[[u, j]], auj, "entry ({u}, {j})");
                    }
                }
            }
            // the columns kept for the leaf proof are the entries of A⁺, exactly
            match &got.cols {
                Some(cols) => {
                    assert!(n <= SMALL_INPUT);
                    for (j, col) in cols.chunks_exact(units).enumerate() {
                        for (u, &v) in col.iter().enumerate() {
                            assert_eq!(v, got.map.a[[u, j]], "column entry ({u}, {j})");
                        }
                    }
                }
                None => assert!(n > SMALL_INPUT),
            }
            let plain = AffineMap::new(a, b).through_relu_layer(&mask, &next);
            for u in 0..units {
                let off = (&got.map.a.row(u) - &plain.a.row(u)).mapv(f64::abs).sum()
                    + (got.map.b[u] - plain.b[u]).abs();
                assert!(off <= got.err[u], "unit {u}: {off:e} > {:e}", got.err[u]);
            }
        }
    }

    /// Composing through a layer whose products cancel: the float map is off from the exact one
    /// (computed by hand in exact arithmetic) by less than the bound, and the bound is not huge.
    #[test]
    fn the_bound_covers_cancellation() {
        let a = array![[1.0 + 2f64.powi(-30), 1.0], [1.0, 1.0]];
        let first = Layer::new(a.clone(), array![0.1, 0.1]);
        let reach = array![1.0, 1.0];
        let t = TrackedMap::first(&first, &array![1e-17, 1e-17], 0.0, &reach);
        let next = Layer::new(array![[1e8, -1e8]], array![0.0]);
        let t2 = t.through_relu_layer(&[true, true], &next, &LayerWeights::new(&next), 0.0, &reach);
        // exact: 1e8 · 2^-30 x_0 + 0; bias 1e8 (0.1 − 0.1) = 0 but each 0.1 carries 1e-17
        let exact_a0 = 1e8 * 2f64.powi(-30);
        let off = (t2.map.a[[0, 0]] - exact_a0).abs() + t2.map.a[[0, 1]].abs() + t2.map.b[0].abs();
        assert!(off <= t2.err[0], "off {off:e} > bound {:e}", t2.err[0]);
        assert!(t2.err[0] > 0.0 && t2.err[0] < 1e-6, "{:e}", t2.err[0]);
    }
}

//! Certified upper bounds on matrix operator norms, safe against floating-point rounding.

use crate::domain::Norm;
use crate::network::SparseRows;
use ndarray::{Array2, ArrayView2};

/// Unit roundoff of f64, u = 2^-53.
const U: f64 = f64::EPSILON / 2.0;

/// γ_k = k u / (1 − k u), doubled: a bound on the relative error of any floating-point sum of k
/// terms (any order, with or without fma) is γ_k Σ|terms| (Higham, "Accuracy and Stability of
/// Numerical Algorithms", §3.1); the factor 2 also covers the few operations around it.
pub(crate) fn gamma(k: usize) -> f64 {
    let ku = (k as f64 + 2.0) * U;
    2.0 * ku / (1.0 - ku)
}

/// (1 + γ): the factor by which a computed non-negative sum of k terms is inflated to a bound.
pub(crate) fn inflate(k: usize) -> f64 {
    1.0 + gamma(k)
}

/// Upper bound on ‖A‖_∞ = max_i Σ_j |a_ij| (the operator norm of L∞).
pub(crate) fn linf_operator_norm_upper(a: ArrayView2<f64>) -> f64 {
    let raw = a
        .rows()
        .into_iter()
        .map(|r| r.iter().map(|v| v.abs()).sum::<f64>())
        .fold(0.0, f64::max);
    raw * inflate(a.ncols())
}

/// min(‖A‖_F, √(‖A‖₁‖A‖_∞)), each with its rounding allowance (`extra` more terms allowed for
/// in each, for callers that check the value again by another route): two upper bounds on ‖A‖₂
/// that need no iteration.
pub(crate) fn direct_spectral_upper(a: ArrayView2<f64>, extra: usize) -> f64 {
    let (rows, cols) = a.dim();
    let fro = a.iter().map(|v| v * v).sum::<f64>().sqrt() * inflate(rows * cols + extra);
    let one = a
        .columns()
        .into_iter()
        .map(|c| c.iter().map(|v| v.abs()).sum::<f64>())
        .fold(0.0, f64::max);
    let inf = a
        .rows()
        .into_iter()
        .map(|r| r.iter().map(|v| v.abs()).sum::<f64>())
        .fold(0.0, f64::max);
    let mixed = (one * inf).sqrt() * inflate(rows + cols + extra);
    fro.min(mixed)
}

/// Upper bound on the operator norm (L∞: ‖A‖_∞; L2: min(‖A‖_F, √(‖A‖₁‖A‖_∞)) as in
/// [`direct_spectral_upper`]) of the submatrix of sparse `w` on `rows` and on the columns where
/// `live` holds (all when None), from its stored entries only. Each sum has fewer terms than the
/// rows or columns it runs over, so the same rounding allowances hold.
pub(crate) fn sparse_operator_norm_upper(
    w: &SparseRows,
    rows: &[usize],
    live: Option<&[bool]>,
    norm: Norm,
) -> f64 {
    let keep = |c: usize| live.is_none_or(|l| l[c]);
    let cols = w.ncols();
    let mut inf: f64 = 0.0;
    let mut fro2 = 0.0;
    let mut col_sums = vec![0.0; cols];
    for &r in rows {
        let mut row_sum = 0.0;
        for (c, v) in w.row(r).filter(|&(c, _)| keep(c)) {
            row_sum += v.abs();
            fro2 += v * v;
            col_sums[c] += v.abs();
        }
        inf = inf.max(row_sum);
    }
    match norm {
        Norm::Linf => inf * inflate(cols),
        Norm::L2 => {
            let one = col_sums.iter().cloned().fold(0.0, f64::max);
            let fro = fro2.sqrt() * inflate(rows.len() * cols);
            let mixed = (one * inf).sqrt() * inflate(rows.len() + cols);
            fro.min(mixed)
        }
    }
}

/// Certified upper bound on the spectral norm ‖A‖₂ (largest singular value):
/// the minimum of ‖A‖_F, √(‖A‖₁ ‖A‖_∞) and a repeated-squaring bound
/// ‖A‖₂ = ‖G‖₂^{1/2}, G = A Aᵀ (or AᵀA), ‖X‖₂² = ‖XᵀX‖₂ ≤ ‖fl(XᵀX)‖₂ + γ_k ‖X‖_F²,
/// ending in ‖X_s‖₂ ≤ ‖X_s‖_F. After s squarings the bound exceeds ‖A‖₂ by at most the factor
/// rank^{1/2^{s+2}} (exact arithmetic), and every rounding error is accounted for by the γ terms
/// (each X is scaled by a power of two, which is exact, to avoid overflow). Unlike power
/// iteration, which under-estimates, every step is an upper bound.
pub(crate) fn spectral_norm_upper(a: ArrayView2<f64>) -> f64 {
    let (rows, cols) = a.dim();
    if rows == 0 || cols == 0 {
        return 0.0;
    }
    let base = direct_spectral_upper(a, 0);
    let k = rows.min(cols);
    if k <= 1 || k > 512 || !base.is_finite() || base == 0.0 {
        return base;
    }
    let squarings = if k <= 300 { 4 } else { 3 };
    match squaring_bound(a, squarings) {
        Some(v) if v.is_finite() => v.min(base),
        _ => base,
    }
}

/// ‖X‖_F with a rounding allowance.
fn frobenius_upper(x: &Array2<f64>) -> f64 {
    x.iter().map(|v| v * v).sum::<f64>().sqrt() * inflate(x.len())
}

/// Scales x by 2^{-e} (exact) so that its Frobenius norm is about 1; returns 2^{e}.
fn normalize(x: &mut Array2<f64>) -> Option<f64> {
    let f = x.iter().map(|v| v * v).sum::<f64>().sqrt();
    if !(f.is_finite() && f > 0.0) {
        return None;
    }
    let scale = 2f64.powi(f.log2().round() as i32);
    x.mapv_inplace(|v| v / scale);
    Some(scale)
}

fn squaring_bound(a: ArrayView2<f64>, squarings: usize) -> Option<f64> {
    let (rows, cols) = a.dim();
    let fro_a = a.iter().map(|v| v * v).sum::<f64>().sqrt() * inflate(rows * cols);
    // G = fl(A Aᵀ) (or AᵀA, the smaller one); ‖A‖₂² ≤ ‖G‖₂ + γ ‖A‖_F².
    let (mut x, inner) = if rows <= cols {
        (a.dot(&a.t()), cols)
    } else {
        (a.t().dot(&a), rows)
    };
    let g_error = gamma(inner) * fro_a * fro_a;
    let k = x.nrows();
    // Underflow of entries after scaling: an absolute error of at most MIN_POSITIVE per product.
    let underflow = (k * k) as f64 * f64::MIN_POSITIVE;
    let g_scale = normalize(&mut x)?;
    // scales[t], errors[t]: ‖Y_t‖₂² ≤ scales[t+1]·‖Y_{t+1}‖₂ + errors[t]
    let mut scales = Vec::with_capacity(squarings);
    let mut errors = Vec::with_capacity(squarings);
    for _ in 0..squarings {
        let f = frobenius_upper(&x);
        errors.push(gamma(k) * f * f + underflow);
        let mut next = x.t().dot(&x);
        scales.push(normalize(&mut next)?);
        x = next;
    }
    let mut u = frobenius_upper(&x);
    for t in (0..squarings).rev() {
        u = (scales[t] * u + errors[t]).sqrt() * inflate(4);
    }
    // u ≥ ‖G‖₂ / g_scale
    Some((g_scale * u * inflate(4) + g_error).sqrt() * inflate(4))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn bounds_on_known_norms() {
        let d = array![[3.0, 0.0], [0.0, -2.0]];
        let s = spectral_norm_upper(d.view());
        assert!((3.0..3.0 * 1.05).contains(&s), "{s}");
        let ones = Array2::from_elem((40, 30), 1.0);
        // rank one: ‖·‖₂ = √1200
        let s = spectral_norm_upper(ones.view());
        assert!(s >= 1200f64.sqrt() && s < 1200f64.sqrt() * 1.001, "{s}");
        assert!((linf_operator_norm_upper(d.view()) - 3.0).abs() < 1e-12);
    }
}

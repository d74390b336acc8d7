//! Dense vector kernels of the closed-form proofs (the hot loops of `dual` and `ball_lp`), on
//! plain slices.

use ndarray::ArrayView1;

/// a·b by ndarray's unrolled dot product (several partial sums, so the additions pipeline).
/// Every caller passes two vectors of the input dimension n (ndarray asserts equal lengths).
#[inline]
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    debug_assert_eq!(a.len(), b.len());
    if a.len() <= SHORT {
        // ndarray's dispatch costs more than the products themselves for a few entries
        return a.iter().zip(b).map(|(x, y)| x * y).sum();
    }
    ArrayView1::from(a).dot(&ArrayView1::from(b))
}

/// Lengths up to which [`dot`] is a plain loop.
const SHORT: usize = 16;

/// Removes from `v` its components along the orthonormal vectors stored in `q` (n entries each).
pub fn project_out(q: &[f64], n: usize, v: &mut [f64]) {
    for qk in q.chunks(n) {
        let p = dot(qk, v);
        for j in 0..n {
            v[j] -= p * qk[j];
        }
    }
}

/// Gram–Schmidt: orthogonalizes `v` (in place) against `q`, normalizes it and appends it to `q`;
/// `None` (q unchanged) when what is left of v has norm ≤ `min_norm` (v depends on q).
pub fn append_orthonormal(q: &mut Vec<f64>, n: usize, v: &mut [f64], min_norm: f64) -> Option<()> {
    project_out(q, n, v);
    let vn = dot(v, v).sqrt();
    if vn <= min_norm {
        return None;
    }
    q.extend(v.iter().map(|e| e / vn));
    Some(())
}

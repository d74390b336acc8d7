//! Dense vector kernels of the closed-form proofs (the hot loops of `dual` and `ball_lp`), on
//! plain slices.

use ndarray::ArrayView1;

/// a·b by ndarray's unrolled dot product (several partial sums, so the additions pipeline).
#[inline]
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    ArrayView1::from(a).dot(&ArrayView1::from(b))
}

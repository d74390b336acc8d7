//! The affine map pending on the data path, x ↦ A x + a, with A kept in the cheapest form that
//! holds it: the identity, a sparse matrix (convolutions, pooling, padding, transposes, per-channel
//! scales) or a dense one (Gemm, MatMul). Composing an operator x ↦ M x + m on top gives
//! x ↦ (M A) x + (M a + m); the product is dense only once a dense factor enters.

use super::sparse::{dense_zeros, SparseRows};
use ndarray::{Array1, Array2, Axis};

/// The linear part A of a pending map.
#[derive(Clone, Debug)]
pub(super) enum Linear {
    Identity,
    Sparse(SparseRows),
    Dense(Array2<f64>),
}

/// An affine map x ↦ A x + a.
#[derive(Clone, Debug)]
pub(super) struct Affine {
    pub linear: Linear,
    pub bias: Array1<f64>,
}

impl Affine {
    /// x ↦ x on vectors of length n.
    pub fn identity(n: usize) -> Self {
        Affine {
            linear: Linear::Identity,
            bias: Array1::zeros(n),
        }
    }

    /// The map followed by x ↦ M x + m: x ↦ (M A) x + (M a + m).
    pub fn then(self, m: Linear, shift: &Array1<f64>) -> Result<Affine, String> {
        let bias = apply(&m, &self.bias) + shift;
        let linear = match (m, self.linear) {
            (m, Linear::Identity) => m,
            (Linear::Identity, a) => a,
            (Linear::Sparse(s), Linear::Sparse(t)) => Linear::Sparse(s.mul_sparse(&t)),
            (Linear::Sparse(s), Linear::Dense(a)) => Linear::Dense(s.mul_dense(&a)?),
            (Linear::Dense(w), Linear::Sparse(s)) => Linear::Dense(SparseRows::dense_mul(&w, &s)?),
            (Linear::Dense(w), Linear::Dense(a)) => {
                dense_zeros(w.nrows(), a.ncols())?;
                Linear::Dense(w.dot(&a))
            }
        };
        Ok(Affine { linear, bias })
    }

    /// diag(c) (A x + a): every output row scaled.
    pub fn scale(mut self, c: &Array1<f64>) -> Affine {
        self.bias *= c;
        self.linear = match self.linear {
            Linear::Identity => Linear::Sparse(SparseRows::diagonal(c)),
            Linear::Sparse(mut s) => {
                s.scale_rows(c);
                Linear::Sparse(s)
            }
            Linear::Dense(m) => Linear::Dense(m * c.view().insert_axis(Axis(1))),
        };
        self
    }

    /// The dense matrix A (`inputs` columns) and a.
    pub fn into_dense(self, inputs: usize) -> Result<(Array2<f64>, Array1<f64>), String> {
        let matrix = match self.linear {
            Linear::Identity => {
                let mut eye = dense_zeros(inputs, inputs)?;
                eye.diag_mut().fill(1.0);
                eye
            }
            Linear::Sparse(s) => s.to_dense()?,
            Linear::Dense(m) => m,
        };
        Ok((matrix, self.bias))
    }
}

/// M v.
fn apply(m: &Linear, v: &Array1<f64>) -> Array1<f64> {
    match m {
        Linear::Identity => v.clone(),
        Linear::Sparse(s) => s.mul_vec(v),
        Linear::Dense(w) => w.dot(v),
    }
}

//! The affine map that computes one tensor of the graph from the tensors computed before it:
//!
//!   t = Σ_s A_s h_s + a,
//!
//! over sources s — the network input x, or the output h_j = relu(z_j) of hidden layer j — each
//! A_s kept in the cheapest form that holds it: the identity, a sparse matrix (convolutions,
//! pooling, padding, transposes, per-channel scales) or a dense one (Gemm, MatMul). Composing an
//! operator t ↦ M t + m on top gives Σ_s (M A_s) h_s + (M a + m); a product is dense only once a
//! dense factor enters. Adding two tensors (a residual block) adds their terms source by source.

use super::sparse::{dense_zeros, SparseRows};
use crate::network::{Source, Weights};
use ndarray::{Array1, Array2, Axis};

/// The linear part A of one term.
#[derive(Clone, Debug)]
pub(super) enum Linear {
    Identity,
    Sparse(SparseRows),
    Dense(Array2<f64>),
}

impl Linear {
    /// M A (`self` = A, then `m`).
    fn then(self, m: Linear) -> Result<Linear, String> {
        Ok(match (m, self) {
            (m, Linear::Identity) => m,
            (Linear::Identity, a) => a,
            (Linear::Sparse(s), Linear::Sparse(t)) => Linear::Sparse(s.mul_sparse(&t)),
            (Linear::Sparse(s), Linear::Dense(a)) => Linear::Dense(s.mul_dense(&a)?),
            (Linear::Dense(w), Linear::Sparse(s)) => Linear::Dense(SparseRows::dense_mul(&w, &s)?),
            (Linear::Dense(w), Linear::Dense(a)) => {
                dense_zeros(w.nrows(), a.ncols())?;
                Linear::Dense(w.dot(&a))
            }
        })
    }

    /// diag(c) A.
    fn scale(self, c: &Array1<f64>) -> Linear {
        match self {
            Linear::Identity => Linear::Sparse(SparseRows::diagonal(c)),
            Linear::Sparse(mut s) => {
                s.scale_rows(c);
                Linear::Sparse(s)
            }
            Linear::Dense(m) => Linear::Dense(m * c.view().insert_axis(Axis(1))),
        }
    }

    /// A + B for matrices of `rows` rows: sparse unless either is dense.
    fn plus(self, other: Linear, rows: usize) -> Result<Linear, String> {
        let identity = || SparseRows::diagonal(&Array1::ones(rows));
        match (self, other) {
            (Linear::Dense(a), b) | (b, Linear::Dense(a)) => {
                let cols = a.ncols();
                Ok(Linear::Dense(b.into_dense(rows, cols)? + &a))
            }
            (Linear::Identity, Linear::Identity) => {
                Ok(Linear::Sparse(identity().plus(&identity())?))
            }
            (Linear::Identity, Linear::Sparse(s)) | (Linear::Sparse(s), Linear::Identity) => {
                Ok(Linear::Sparse(s.plus(&identity())?))
            }
            (Linear::Sparse(a), Linear::Sparse(b)) => Ok(Linear::Sparse(a.plus(&b)?)),
        }
    }

    /// M v.
    fn apply(&self, v: &Array1<f64>) -> Array1<f64> {
        match self {
            Linear::Identity => v.clone(),
            Linear::Sparse(s) => s.mul_vec(v),
            Linear::Dense(w) => w.dot(v),
        }
    }

    /// The rows × cols weights: dense as given, sparse ones kept sparse when mostly zeros and
    /// large ([`Weights::compact`]); an error when the shape does not fit.
    pub fn into_weights(self, rows: usize, cols: usize) -> Result<Weights, String> {
        let weights = match self {
            Linear::Identity if rows == cols => {
                Weights::compact(SparseRows::diagonal(&Array1::ones(rows)))?
            }
            Linear::Sparse(s) if s.ncols() == cols && s.nrows() == rows => Weights::compact(s)?,
            other => Weights::Dense(other.into_dense(rows, cols)?),
        };
        Ok(weights)
    }

    /// The dense rows × cols matrix (an error when the shape does not fit).
    pub fn into_dense(self, rows: usize, cols: usize) -> Result<Array2<f64>, String> {
        let matrix = match self {
            Linear::Identity if rows == cols => {
                let mut eye = dense_zeros(rows, cols)?;
                eye.diag_mut().fill(1.0);
                eye
            }
            Linear::Identity => Array2::zeros((0, 0)),
            Linear::Sparse(s) => s.to_dense()?,
            Linear::Dense(m) => m,
        };
        if matrix.dim() != (rows, cols) {
            return Err(format!(
                "maps {} values to {}; expected {cols} to {rows} (shape mismatch)",
                matrix.ncols(),
                matrix.nrows()
            ));
        }
        Ok(matrix)
    }
}

/// t = Σ_s A_s h_s + a (see the module doc): terms sorted by source, one per source; `bias` None
/// is a = 0 (its length may not be known yet).
#[derive(Clone, Debug)]
pub(super) struct TensorMap {
    pub terms: Vec<(Source, Linear)>,
    pub bias: Option<Array1<f64>>,
}

impl TensorMap {
    /// t = h_source.
    pub fn of(source: Source) -> Self {
        TensorMap {
            terms: vec![(source, Linear::Identity)],
            bias: None,
        }
    }

    /// The source when t is exactly one source's values (no map, no shift).
    pub fn bare(&self) -> Option<Source> {
        match self.terms.as_slice() {
            [(s, Linear::Identity)] if self.bias.is_none() => Some(*s),
            _ => None,
        }
    }

    /// The map followed by t ↦ M t + m.
    pub fn then(self, m: Linear, shift: &Array1<f64>) -> Result<TensorMap, String> {
        let bias = match &self.bias {
            Some(a) => m.apply(a) + shift,
            None => shift.clone(),
        };
        let mut terms = Vec::with_capacity(self.terms.len());
        for (s, a) in self.terms {
            terms.push((s, a.then(m.clone())?));
        }
        Ok(TensorMap {
            terms,
            bias: Some(bias),
        })
    }

    /// diag(c) t.
    pub fn scale(self, c: &Array1<f64>) -> TensorMap {
        TensorMap {
            terms: self
                .terms
                .into_iter()
                .map(|(s, a)| (s, a.scale(c)))
                .collect(),
            bias: self.bias.map(|a| a * c),
        }
    }

    /// t + c.
    pub fn shift(mut self, c: &Array1<f64>) -> TensorMap {
        self.bias = Some(match self.bias {
            Some(a) => a + c,
            None => c.clone(),
        });
        self
    }

    /// t + u, for tensors of `rows` entries.
    pub fn plus(self, other: TensorMap, rows: usize) -> Result<TensorMap, String> {
        let mut terms: Vec<(Source, Linear)> = Vec::new();
        let mut rest = other.terms.into_iter().peekable();
        for (s, a) in self.terms {
            while let Some((t, b)) = rest.next_if(|(t, _)| *t < s) {
                terms.push((t, b));
            }
            match rest.next_if(|(t, _)| *t == s) {
                Some((_, b)) => terms.push((s, a.plus(b, rows)?)),
                None => terms.push((s, a)),
            }
        }
        terms.extend(rest);
        let bias = match (self.bias, other.bias) {
            (Some(a), Some(b)) => Some(a + &b),
            (a, b) => a.or(b),
        };
        Ok(TensorMap { terms, bias })
    }
}

//! Affine maps x ↦ A x + β from the input space, the pre-activations of a layer on a region.

use super::Layer;
use ndarray::{Array1, Array2, ArrayView1};

/// x ↦ A x + β with A of shape (units, n_0).
#[derive(Clone, Debug, PartialEq)]
pub struct AffineMap {
    /// The matrix A, one row per unit, one column per network input.
    pub a: Array2<f64>,
    /// The offset β, one entry per unit.
    pub b: Array1<f64>,
}

impl AffineMap {
    /// The map x ↦ a x + b; `a` has one row per entry of `b`.
    pub fn new(a: Array2<f64>, b: Array1<f64>) -> Self {
        debug_assert_eq!(a.nrows(), b.len());
        AffineMap { a, b }
    }

    /// Number of output units.
    pub fn units(&self) -> usize {
        self.b.len()
    }

    /// Evaluates A x + β.
    pub fn apply(&self, x: ArrayView1<f64>) -> Array1<f64> {
        self.a.dot(&x) + &self.b
    }

    /// The map of the next layer on the region where this layer's units follow `mask`:
    /// W D A x + (W D β + b), D = diag(mask).
    pub fn through_relu_layer(&self, mask: &[bool], next: &Layer) -> AffineMap {
        debug_assert_eq!(mask.len(), self.units());
        let mut da = self.a.clone();
        let mut db = self.b.clone();
        for (i, &on) in mask.iter().enumerate() {
            if !on {
                da.row_mut(i).fill(0.0);
                db[i] = 0.0;
            }
        }
        AffineMap {
            a: next.weight.dot_matrix(&da),
            b: next.weight.dot(&db) + &next.bias,
        }
    }
}

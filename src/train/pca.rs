//! Principal component analysis by the eigenvectors of the covariance matrix, with a cyclic
//! Jacobi eigen-solver for symmetric matrices (ndarray has no SVD or eigen-solver; this needs no
//! system BLAS/LAPACK).

use crate::error::{Error, Result};
use ndarray::{Array1, Array2, ArrayView2, Axis};

/// Sweeps of the cyclic Jacobi method before giving up (it converges quadratically; a 64×64
/// covariance needs fewer than 15).
const MAX_SWEEPS: usize = 100;

/// Eigen-decomposition of a symmetric matrix S = V diag(λ) Vᵀ by cyclic Jacobi rotations
/// (Golub & Van Loan, "Matrix Computations", §8.5): each rotation zeroes one off-diagonal entry;
/// sweeps repeat until the off-diagonal Frobenius norm is below 1e-14 · ‖S‖_F.
///
/// Returns (λ, V): eigenvalues in decreasing order and the eigenvectors as the columns of V
/// (orthonormal). Errors when the matrix is not square, not symmetric or not finite.
pub fn symmetric_eigen(s: ArrayView2<f64>) -> Result<(Array1<f64>, Array2<f64>)> {
    let n = s.nrows();
    if s.ncols() != n {
        return Err(Error::invalid(format!(
            "eigen-decomposition: matrix is {}x{}; expected a square matrix",
            n,
            s.ncols()
        )));
    }
    let scale = s.iter().map(|v| v * v).sum::<f64>().sqrt();
    if !scale.is_finite() {
        return Err(Error::invalid(
            "eigen-decomposition: matrix has a non-finite entry; expected finite values",
        ));
    }
    for i in 0..n {
        for j in 0..i {
            if (s[[i, j]] - s[[j, i]]).abs() > 1e-9 * scale.max(1.0) {
                return Err(Error::invalid(format!(
                    "eigen-decomposition: entries [{i}][{j}] = {} and [{j}][{i}] = {} differ; expected a symmetric matrix",
                    s[[i, j]],
                    s[[j, i]]
                )));
            }
        }
    }
    let mut a = s.to_owned();
    let mut v = Array2::<f64>::eye(n);
    for _ in 0..MAX_SWEEPS {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[[i, j]] * a[[i, j]])
            .sum::<f64>()
            .sqrt();
        if off <= 1e-14 * scale || scale == 0.0 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[[p, q]];
                if apq == 0.0 {
                    continue;
                }
                // Rotation angle that zeroes a[p][q] (stable form, Golub & Van Loan Alg. 8.5.1).
                let tau = (a[[q, q]] - a[[p, p]]) / (2.0 * apq);
                let t = tau.signum() / (tau.abs() + (1.0 + tau * tau).sqrt());
                let t = if tau == 0.0 { 1.0 } else { t };
                let c = 1.0 / (1.0 + t * t).sqrt();
                let sn = t * c;
                for k in 0..n {
                    let (akp, akq) = (a[[k, p]], a[[k, q]]);
                    a[[k, p]] = c * akp - sn * akq;
                    a[[k, q]] = sn * akp + c * akq;
                }
                for k in 0..n {
                    let (apk, aqk) = (a[[p, k]], a[[q, k]]);
                    a[[p, k]] = c * apk - sn * aqk;
                    a[[q, k]] = sn * apk + c * aqk;
                }
                for k in 0..n {
                    let (vkp, vkq) = (v[[k, p]], v[[k, q]]);
                    v[[k, p]] = c * vkp - sn * vkq;
                    v[[k, q]] = sn * vkp + c * vkq;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| a[[j, j]].total_cmp(&a[[i, i]]));
    let values = Array1::from_iter(order.iter().map(|&i| a[[i, i]]));
    let vectors = v.select(Axis(1), &order);
    Ok((values, vectors))
}

/// A fitted PCA: x ↦ Cᵀ (x − μ) / σ, where C holds the top-d eigenvectors of the sample
/// covariance (1/(m−1)) Σ (x − μ)(x − μ)ᵀ (Pearson 1901; Hotelling 1933) and σ is the standard
/// deviation of the first component, so the projected data have a unit-scale first axis.
#[derive(Clone, Debug, PartialEq)]
pub struct Pca {
    /// μ, the sample mean subtracted before projecting.
    pub mean: Array1<f64>,
    /// (input dim, d): the principal directions as columns, by decreasing variance.
    pub components: Array2<f64>,
    /// The variances (eigenvalues) of all input dimensions, decreasing.
    pub variances: Array1<f64>,
    /// Divisor applied after projection (√ of the largest eigenvalue, or 1 if it is 0).
    pub scale: f64,
}

impl Pca {
    /// Fits a d-component PCA to the rows of `x`. Errors when d is 0 or above the input
    /// dimension, or there are fewer than 2 rows.
    pub fn fit(x: ArrayView2<f64>, d: usize) -> Result<Pca> {
        let (m, n) = x.dim();
        if d == 0 || d > n {
            return Err(Error::invalid(format!(
                "PCA: {d} components requested; expected 1..={n} (the input dimension)"
            )));
        }
        if m < 2 {
            return Err(Error::invalid(format!(
                "PCA: {m} rows; expected at least 2"
            )));
        }
        let mean = x.mean_axis(Axis(0)).unwrap_or_else(|| Array1::zeros(n));
        let centered = &x - &mean;
        let cov = centered.t().dot(&centered) / (m as f64 - 1.0);
        let (variances, vectors) = symmetric_eigen(cov.view())?;
        let components = vectors.slice(ndarray::s![.., 0..d]).to_owned();
        let top = variances[0].max(0.0).sqrt();
        let scale = if top > 0.0 { top } else { 1.0 };
        Ok(Pca {
            mean,
            components,
            variances,
            scale,
        })
    }

    /// Projects the rows of `x` onto the components (and divides by `scale`).
    pub fn transform(&self, x: ArrayView2<f64>) -> Array2<f64> {
        (&x - &self.mean).dot(&self.components) / self.scale
    }
}

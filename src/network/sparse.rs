//! Sparse matrices in compressed rows: the linear operators of a convolutional graph (Conv,
//! AveragePool, Pad, Transpose, per-channel scales) while the ONNX reader composes them, and the
//! layers that stay sparse in the network (MaxPool's comparisons read two units each).
//!
//! Row r holds the entries (cols[k], vals[k]) for k in starts[r]..starts[r+1]. A convolution with
//! a k×k kernel over C channels has C·k² entries per row, so composing it with the maps around it
//! costs (rows × C·k²) instead of the (rows × inputs) of a dense product.

use ndarray::{Array1, Array2};

/// Largest dense matrix built from a sparse one (entries of f64: 2^27 = 1 GiB).
pub const MAX_DENSE_ENTRIES: usize = 1 << 27;

/// A sparse matrix stored by rows.
#[derive(Clone, Debug, PartialEq)]
pub struct SparseRows {
    ncols: usize,
    starts: Vec<usize>,
    cols: Vec<usize>,
    vals: Vec<f64>,
}

impl SparseRows {
    /// An empty matrix with `ncols` columns; rows are added by [`Self::push_row`].
    pub fn with_columns(ncols: usize) -> Self {
        SparseRows {
            ncols,
            starts: vec![0],
            cols: Vec::new(),
            vals: Vec::new(),
        }
    }

    /// Appends a row given by its (column, value) entries (columns < ncols).
    pub fn push_row(&mut self, entries: impl IntoIterator<Item = (usize, f64)>) {
        for (c, v) in entries {
            debug_assert!(c < self.ncols);
            self.cols.push(c);
            self.vals.push(v);
        }
        self.starts.push(self.cols.len());
    }

    /// diag(d).
    pub fn diagonal(d: &Array1<f64>) -> Self {
        let mut m = SparseRows::with_columns(d.len());
        for (i, &v) in d.iter().enumerate() {
            m.push_row([(i, v)]);
        }
        m
    }

    /// Number of rows.
    pub fn nrows(&self) -> usize {
        self.starts.len() - 1
    }

    /// Number of columns.
    pub fn ncols(&self) -> usize {
        self.ncols
    }

    /// Number of stored entries.
    pub fn nnz(&self) -> usize {
        self.vals.len()
    }

    /// Row r as its stored columns and values (two slices of equal length).
    pub fn row_slices(&self, r: usize) -> (&[usize], &[f64]) {
        let range = self.starts[r]..self.starts[r + 1];
        (&self.cols[range.clone()], &self.vals[range])
    }

    /// Every stored value (row by row).
    pub fn values(&self) -> &[f64] {
        &self.vals
    }

    /// The same pattern with every value replaced by f(value).
    pub fn map_values(&self, f: impl Fn(f64) -> f64) -> SparseRows {
        SparseRows {
            ncols: self.ncols,
            starts: self.starts.clone(),
            cols: self.cols.clone(),
            vals: self.vals.iter().map(|&v| f(v)).collect(),
        }
    }

    /// The entries of a dense matrix that are not zero, by rows.
    pub fn from_dense(m: &Array2<f64>) -> SparseRows {
        let mut out = SparseRows::with_columns(m.ncols());
        for row in m.rows() {
            out.push_row(row.iter().copied().enumerate().filter(|&(_, v)| v != 0.0));
        }
        out
    }

    /// The entries of row r.
    pub fn row(&self, r: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let range = self.starts[r]..self.starts[r + 1];
        self.cols[range.clone()]
            .iter()
            .copied()
            .zip(self.vals[range].iter().copied())
    }

    /// S x.
    pub fn mul_vec(&self, x: &Array1<f64>) -> Array1<f64> {
        Array1::from_shape_fn(self.nrows(), |r| self.row(r).map(|(c, v)| v * x[c]).sum())
    }

    /// S T, row by row: (S T)_r = Σ_k S_rk T_k (a dense accumulator of T's width, reset per row).
    pub(crate) fn mul_sparse(&self, t: &SparseRows) -> SparseRows {
        let mut out = SparseRows::with_columns(t.ncols);
        let mut acc = vec![0.0; t.ncols];
        let mut touched: Vec<usize> = Vec::new();
        for r in 0..self.nrows() {
            for (k, s) in self.row(r) {
                for (c, v) in t.row(k) {
                    if acc[c] == 0.0 {
                        touched.push(c);
                    }
                    acc[c] += s * v;
                }
            }
            touched.sort_unstable();
            touched.dedup();
            out.push_row(touched.iter().map(|&c| (c, std::mem::take(&mut acc[c]))));
            touched.clear();
        }
        out
    }

    /// S A for a dense A: row r of the result is Σ_k S_rk A_k.
    pub(crate) fn mul_dense(&self, a: &Array2<f64>) -> Result<Array2<f64>, String> {
        let mut out = dense_zeros(self.nrows(), a.ncols())?;
        for (r, mut row) in out.outer_iter_mut().enumerate() {
            for (k, s) in self.row(r) {
                row.scaled_add(s, &a.row(k));
            }
        }
        Ok(out)
    }

    /// W S for a dense W: (W S)_rj = Σ_k W_rk S_kj, scattering the sparse rows of S.
    pub(crate) fn dense_mul(w: &Array2<f64>, s: &SparseRows) -> Result<Array2<f64>, String> {
        let mut out = dense_zeros(w.nrows(), s.ncols)?;
        for (w_row, mut out_row) in w.outer_iter().zip(out.outer_iter_mut()) {
            for (k, &wk) in w_row.iter().enumerate().filter(|(_, &v)| v != 0.0) {
                for (c, v) in s.row(k) {
                    out_row[c] += wk * v;
                }
            }
        }
        Ok(out)
    }

    /// The dense matrix.
    pub(crate) fn to_dense(&self) -> Result<Array2<f64>, String> {
        let mut out = dense_zeros(self.nrows(), self.ncols)?;
        for (r, mut row) in out.outer_iter_mut().enumerate() {
            for (c, v) in self.row(r) {
                row[c] += v;
            }
        }
        Ok(out)
    }

    /// S + T (same shape), row by row.
    pub(crate) fn plus(&self, t: &SparseRows) -> Result<SparseRows, String> {
        if (self.nrows(), self.ncols) != (t.nrows(), t.ncols) {
            return Err(format!(
                "adds a {}x{} map to a {}x{} one; expected equal shapes (shape mismatch)",
                t.nrows(),
                t.ncols,
                self.nrows(),
                self.ncols
            ));
        }
        let mut out = SparseRows::with_columns(self.ncols);
        let mut row: Vec<(usize, f64)> = Vec::new();
        for r in 0..self.nrows() {
            row.clear();
            row.extend(self.row(r).chain(t.row(r)));
            out.push_row(merge_columns(&mut row));
        }
        Ok(out)
    }

    /// Whether every row's columns are strictly increasing and no stored value is 0 (the form
    /// [`crate::network::Weights::sparse`] makes).
    pub fn is_canonical(&self) -> bool {
        (0..self.nrows()).all(|r| {
            let (cols, vals) = self.row_slices(r);
            cols.windows(2).all(|w| w[0] < w[1]) && vals.iter().all(|&v| v != 0.0)
        })
    }

    /// diag(c) S: row r scaled by c_r.
    pub(crate) fn scale_rows(&mut self, c: &Array1<f64>) {
        for r in 0..self.nrows() {
            for k in self.starts[r]..self.starts[r + 1] {
                self.vals[k] *= c[r];
            }
        }
    }
}

/// The entries of `row` (any order) sorted by column with the values of a repeated column
/// summed, in their order of appearance.
pub(crate) fn merge_columns(row: &mut [(usize, f64)]) -> Vec<(usize, f64)> {
    row.sort_by_key(|&(c, _)| c);
    let mut merged: Vec<(usize, f64)> = Vec::with_capacity(row.len());
    for &(c, v) in row.iter() {
        match merged.last_mut() {
            Some((last, sum)) if *last == c => *sum += v,
            _ => merged.push((c, v)),
        }
    }
    merged
}

/// A zero dense matrix, or an error when it would exceed [`MAX_DENSE_ENTRIES`].
pub(crate) fn dense_zeros(rows: usize, cols: usize) -> Result<Array2<f64>, String> {
    match rows.checked_mul(cols) {
        Some(n) if n <= MAX_DENSE_ENTRIES => Ok(Array2::zeros((rows, cols))),
        _ => Err(format!(
            "expanding it to a dense {rows}x{cols} matrix needs more than {MAX_DENSE_ENTRIES} entries (1 GiB); \
             expected smaller layers"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn sample() -> SparseRows {
        let mut s = SparseRows::with_columns(3);
        s.push_row([(0, 1.0), (2, -2.0)]);
        s.push_row([]);
        s.push_row([(1, 3.0)]);
        s
    }

    #[test]
    fn products_agree_with_dense_products() {
        let s = sample();
        let d = s.to_dense().unwrap();
        let a = array![[1.0, 2.0], [3.0, -1.0], [0.5, 4.0]];
        assert_eq!(s.mul_dense(&a).unwrap(), d.dot(&a));
        let w = array![[1.0, 0.0, 2.0], [-1.0, 1.0, 1.0]];
        assert_eq!(SparseRows::dense_mul(&w, &s).unwrap(), w.dot(&d));
        assert_eq!(s.mul_sparse(&s).to_dense().unwrap(), d.dot(&d));
        let x = array![1.0, 2.0, 3.0];
        assert_eq!(s.mul_vec(&x), d.dot(&x));
        let mut t = SparseRows::with_columns(3);
        t.push_row([(2, 1.0), (1, 4.0)]);
        t.push_row([(0, -1.0)]);
        t.push_row([(1, -3.0)]);
        let td = t.to_dense().unwrap();
        assert!(s.is_canonical() && !t.is_canonical());
        assert_eq!(s.plus(&t).unwrap().to_dense().unwrap(), &d + &td);
        assert!(s.plus(&SparseRows::with_columns(2)).is_err());
    }

    #[test]
    fn oversized_dense_matrices_are_refused() {
        let e = dense_zeros(1 << 20, 1 << 20).unwrap_err();
        assert!(e.contains("1048576x1048576"), "{e}");
    }
}

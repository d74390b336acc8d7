//! A layer's weight matrix W (out × in), dense or sparse by rows.
//!
//! Dense is the default and the fast path for fully connected layers. Sparse rows hold the
//! layers a convolutional graph lowers to when a dense matrix would be mostly zeros: MaxPool's
//! comparisons a − b read two units of a 23,328-unit layer each, so the dense 9,216 × 23,328
//! matrix (1.7 GB) is 18,432 entries sparse. Both forms mean the same matrix; every operation
//! here gives the same values for both up to the order of float additions (the error bounds
//! that use them hold for every order), and sparse rows are kept canonical (columns increasing,
//! no repeated column, no stored zero), so entry-wise exact checks read the same numbers.

use super::sparse::{merge_columns, SparseRows, MAX_DENSE_ENTRIES};
use ndarray::{Array1, Array2, ArrayView1};

/// W, one row per output unit, one column per input.
#[derive(Clone, Debug, PartialEq)]
pub enum Weights {
    /// Every entry stored (row-major or not).
    Dense(Array2<f64>),
    /// Non-zero entries by rows (canonical: see the module doc).
    Sparse(SparseRows),
}

impl From<Array2<f64>> for Weights {
    fn from(m: Array2<f64>) -> Self {
        Weights::Dense(m)
    }
}

impl Weights {
    /// Sparse weights from rows in any order, with repeated columns summed and zeros dropped.
    pub fn sparse(m: SparseRows) -> Self {
        let mut out = SparseRows::with_columns(m.ncols());
        let mut row: Vec<(usize, f64)> = Vec::new();
        for r in 0..m.nrows() {
            row.clear();
            row.extend(m.row(r));
            let merged = merge_columns(&mut row);
            out.push_row(merged.into_iter().filter(|&(_, v)| v != 0.0));
        }
        Weights::Sparse(out)
    }

    /// The sparse form when at most `1/DENSE_FRACTION` of the entries are non-zero and the
    /// matrix is large (over [`SPARSE_FROM_ENTRIES`] entries), else the dense one.
    pub fn compact(m: SparseRows) -> Result<Self, String> {
        let entries = m.nrows().saturating_mul(m.ncols());
        if entries > SPARSE_FROM_ENTRIES && m.nnz().saturating_mul(DENSE_FRACTION) < entries {
            Ok(Weights::sparse(m))
        } else {
            Ok(Weights::Dense(m.to_dense()?))
        }
    }

    /// (rows, columns).
    pub fn dim(&self) -> (usize, usize) {
        match self {
            Weights::Dense(m) => m.dim(),
            Weights::Sparse(s) => (s.nrows(), s.ncols()),
        }
    }

    /// Number of rows (output units).
    pub fn nrows(&self) -> usize {
        self.dim().0
    }

    /// Number of columns (inputs).
    pub fn ncols(&self) -> usize {
        self.dim().1
    }

    /// The dense matrix, when stored dense.
    pub fn as_dense(&self) -> Option<&Array2<f64>> {
        match self {
            Weights::Dense(m) => Some(m),
            Weights::Sparse(_) => None,
        }
    }

    /// The dense matrix, mutably, when stored dense.
    pub fn as_dense_mut(&mut self) -> Option<&mut Array2<f64>> {
        match self {
            Weights::Dense(m) => Some(m),
            Weights::Sparse(_) => None,
        }
    }

    /// The sparse rows, when stored sparse.
    pub fn as_sparse(&self) -> Option<&SparseRows> {
        match self {
            Weights::Dense(_) => None,
            Weights::Sparse(s) => Some(s),
        }
    }

    /// The dense matrix (a copy), or an error naming its shape when it would exceed
    /// [`MAX_DENSE_ENTRIES`] entries.
    pub fn to_dense(&self) -> Result<Array2<f64>, String> {
        match self {
            Weights::Dense(m) => Ok(m.clone()),
            Weights::Sparse(s) => s.to_dense(),
        }
    }

    /// Whether [`Self::to_dense`] fits in [`MAX_DENSE_ENTRIES`].
    pub fn fits_dense(&self) -> bool {
        let (r, c) = self.dim();
        r.checked_mul(c).is_some_and(|n| n <= MAX_DENSE_ENTRIES)
    }

    /// W_rc.
    pub fn get(&self, r: usize, c: usize) -> f64 {
        match self {
            Weights::Dense(m) => m[[r, c]],
            Weights::Sparse(s) => {
                let (cols, vals) = s.row_slices(r);
                cols.binary_search(&c).map_or(0.0, |k| vals[k])
            }
        }
    }

    /// The entries of row r as (column, value): every column for a dense matrix, the stored
    /// (non-zero) ones for a sparse one, by increasing column either way.
    pub fn row(&self, r: usize) -> RowEntries<'_> {
        match self {
            Weights::Dense(m) => RowEntries::Dense(m.row(r).into_iter().enumerate()),
            Weights::Sparse(s) => {
                let (cols, vals) = s.row_slices(r);
                RowEntries::Sparse(cols, vals, 0)
            }
        }
    }

    /// Every entry, zeros included, row by row (row-major order, as a dense tensor stores them).
    pub fn dense_values(&self) -> impl Iterator<Item = f64> + '_ {
        let cols = self.ncols();
        (0..self.nrows()).flat_map(move |r| {
            let mut row = vec![0.0; cols];
            for (c, v) in self.row(r) {
                row[c] = v;
            }
            row
        })
    }

    /// Every entry that may be non-zero as (row, column, value), by rows.
    pub fn entries(&self) -> impl Iterator<Item = (usize, usize, f64)> + '_ {
        (0..self.nrows()).flat_map(move |r| self.row(r).map(move |(c, v)| (r, c, v)))
    }

    /// Whether every entry is finite; else the first entry that is not.
    pub fn first_non_finite(&self) -> Option<(usize, usize, f64)> {
        match self {
            // the plain scan first (vectorizes), the position only when there is one
            Weights::Dense(m) if m.iter().all(|v| v.is_finite()) => None,
            Weights::Dense(m) => m
                .indexed_iter()
                .find(|(_, v)| !v.is_finite())
                .map(|((r, c), &v)| (r, c, v)),
            Weights::Sparse(_) => self.entries().find(|(_, _, v)| !v.is_finite()),
        }
    }

    /// W x.
    pub fn dot(&self, x: &Array1<f64>) -> Array1<f64> {
        match self {
            Weights::Dense(m) => m.dot(x),
            Weights::Sparse(s) => s.mul_vec(x),
        }
    }

    /// W x for a view.
    pub fn dot_view(&self, x: ArrayView1<f64>) -> Array1<f64> {
        match self {
            Weights::Dense(m) => m.dot(&x),
            Weights::Sparse(s) => {
                Array1::from_shape_fn(s.nrows(), |r| s.row(r).map(|(c, v)| v * x[c]).sum())
            }
        }
    }

    /// |W| e (entry-wise absolute values), summed in any order.
    pub fn abs_dot(&self, e: &Array1<f64>) -> Array1<f64> {
        match self {
            Weights::Dense(m) => Array1::from_iter(m.rows().into_iter().map(|r| {
                r.iter()
                    .zip(e.iter())
                    .map(|(w, ek)| w.abs() * ek)
                    .sum::<f64>()
            })),
            Weights::Sparse(s) => Array1::from_shape_fn(s.nrows(), |r| {
                s.row(r).map(|(c, v)| v.abs() * e[c]).sum::<f64>()
            }),
        }
    }

    /// Σ_c |W_rc| for every row r.
    pub fn abs_row_sums(&self) -> Array1<f64> {
        match self {
            Weights::Dense(m) => Array1::from_iter(
                m.rows()
                    .into_iter()
                    .map(|r| r.iter().map(|v| v.abs()).sum::<f64>()),
            ),
            Weights::Sparse(s) => {
                Array1::from_shape_fn(s.nrows(), |r| s.row(r).map(|(_, v)| v.abs()).sum::<f64>())
            }
        }
    }

    /// W A for a dense A (rows of A indexed by W's columns).
    pub fn dot_matrix(&self, a: &Array2<f64>) -> Array2<f64> {
        match self {
            Weights::Dense(m) => m.dot(a),
            Weights::Sparse(s) => {
                let mut out = Array2::zeros((s.nrows(), a.ncols()));
                for (r, mut row) in out.outer_iter_mut().enumerate() {
                    for (k, v) in s.row(r) {
                        row.scaled_add(v, &a.row(k));
                    }
                }
                out
            }
        }
    }

    /// The same matrix with every entry replaced by f(entry) (f(0) must be 0 for sparse rows).
    pub fn map_entries(&self, f: impl Fn(f64) -> f64) -> Weights {
        match self {
            Weights::Dense(m) => Weights::Dense(m.mapv(f)),
            Weights::Sparse(s) => Weights::Sparse(s.map_values(f)),
        }
    }

    /// Number of entries that may be non-zero (all of them for a dense matrix).
    pub fn stored(&self) -> usize {
        match self {
            Weights::Dense(m) => m.len(),
            Weights::Sparse(s) => s.nnz(),
        }
    }
}

/// Matrices up to this many entries stay dense whatever their zeros (2^20: 8 MB).
pub const SPARSE_FROM_ENTRIES: usize = 1 << 20;

/// A large matrix is stored sparse when at most 1/DENSE_FRACTION of its entries are non-zero.
pub const DENSE_FRACTION: usize = 8;

/// The entries of one row of [`Weights`], (column, value) by increasing column.
pub enum RowEntries<'a> {
    /// A dense row's entries with their columns.
    Dense(std::iter::Enumerate<ndarray::iter::Iter<'a, f64, ndarray::Ix1>>),
    /// A sparse row's columns and values, and the next position.
    Sparse(&'a [usize], &'a [f64], usize),
}

impl Iterator for RowEntries<'_> {
    type Item = (usize, f64);

    fn next(&mut self) -> Option<(usize, f64)> {
        match self {
            RowEntries::Dense(entries) => entries.next().map(|(c, &v)| (c, v)),
            RowEntries::Sparse(cols, vals, next) => {
                let k = *next;
                let c = *cols.get(k)?;
                *next += 1;
                Some((c, vals[k]))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn pair() -> (Weights, Weights) {
        let d = array![
            [0.0, 2.0, 0.0, -1.5],
            [0.0, 0.0, 0.0, 0.0],
            [3.0, 0.0, 0.25, 0.0]
        ];
        let mut s = SparseRows::with_columns(4);
        // out of order, a repeated column, a stored zero: canonicalised
        s.push_row([(3, -1.0), (1, 2.0), (3, -0.5)]);
        s.push_row([(2, 0.0)]);
        s.push_row([(2, 0.25), (0, 3.0)]);
        (Weights::Dense(d), Weights::sparse(s))
    }

    #[test]
    fn sparse_and_dense_weights_agree_on_every_operation() {
        let (d, s) = pair();
        assert_eq!(s.to_dense().unwrap(), d.to_dense().unwrap());
        assert_eq!(s.dim(), d.dim());
        for r in 0..3 {
            for c in 0..4 {
                assert_eq!(s.get(r, c), d.get(r, c));
            }
            let nz: Vec<_> = d.row(r).filter(|&(_, v)| v != 0.0).collect();
            assert_eq!(s.row(r).collect::<Vec<_>>(), nz);
        }
        let x = array![1.0, -2.0, 3.0, 0.5];
        assert_eq!(s.dot(&x), d.dot(&x));
        assert_eq!(s.dot_view(x.view()), d.dot(&x));
        assert_eq!(s.abs_dot(&x.mapv(f64::abs)), d.abs_dot(&x.mapv(f64::abs)));
        assert_eq!(s.abs_row_sums(), d.abs_row_sums());
        let a = array![[1.0, 2.0], [3.0, -1.0], [0.5, 4.0], [-2.0, 1.0]];
        assert_eq!(s.dot_matrix(&a), d.dot_matrix(&a));
        assert_eq!(
            s.map_entries(f64::abs).to_dense().unwrap(),
            d.map_entries(f64::abs).to_dense().unwrap()
        );
        assert_eq!(s.stored(), 4);
        assert!(s.as_sparse().unwrap().is_canonical());
    }

    #[test]
    fn only_large_mostly_zero_matrices_are_kept_sparse() {
        let mut small = SparseRows::with_columns(4);
        small.push_row([(0, 1.0)]);
        assert!(Weights::compact(small).unwrap().as_dense().is_some());
        let n = 2048;
        let mut big = SparseRows::with_columns(n);
        for r in 0..n {
            big.push_row([(r, 1.0)]);
        }
        let w = Weights::compact(big).unwrap();
        assert!(w.as_sparse().is_some());
        assert_eq!(w.get(7, 7), 1.0);
        assert_eq!(w.get(7, 8), 0.0);
    }
}

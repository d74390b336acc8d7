//! A minimal dense-objective LP on one reused HiGHS instance (raw `highs-sys` C API), for the
//! LP-tightened bounds: load a model once, then minimize many objectives over it (the previous
//! optimal basis stays valid after a cost change, so each re-solve is warm-started).
//!
//! Only the row duals are used, and only as multipliers of a bound that is valid for *any*
//! multipliers (see `relaxation::certified_upper`): the solver's accuracy affects tightness,
//! never soundness.

use crate::error::{Error, Result};
use crate::solver::highs_instance::{check, HighsInstance};
use highs_sys::*;
use std::ffi::c_void;

/// A model in row-wise sparse form: `row_lower ≤ A v ≤ row_upper`, `col_lower ≤ v ≤ col_upper`.
#[derive(Clone, Debug, Default)]
pub struct LpModel {
    /// Lower bound of each column (−∞ allowed).
    pub col_lower: Vec<f64>,
    /// Upper bound of each column (+∞ allowed).
    pub col_upper: Vec<f64>,
    /// Lower bound of each row (−∞ allowed).
    pub row_lower: Vec<f64>,
    /// Upper bound of each row (+∞ allowed).
    pub row_upper: Vec<f64>,
    /// Row i holds the entries `row_start[i] .. row_start[i + 1]` of `index` / `value`.
    pub row_start: Vec<usize>,
    /// Column index of each non-zero entry, row by row.
    pub index: Vec<usize>,
    /// Value of each non-zero entry, parallel to `index`.
    pub value: Vec<f64>,
}

impl LpModel {
    /// Adds a column with bounds [lo, hi]; returns its index.
    pub fn add_col(&mut self, lo: f64, hi: f64) -> usize {
        self.col_lower.push(lo);
        self.col_upper.push(hi);
        self.col_lower.len() - 1
    }

    /// Adds the row lo ≤ Σ coef_k v_{idx_k} ≤ hi.
    pub fn add_row(&mut self, entries: &[(usize, f64)], lo: f64, hi: f64) {
        if self.row_start.is_empty() {
            self.row_start.push(0);
        }
        for &(j, v) in entries {
            if v != 0.0 {
                self.index.push(j);
                self.value.push(v);
            }
        }
        self.row_start.push(self.index.len());
        self.row_lower.push(lo);
        self.row_upper.push(hi);
    }

    /// Number of columns (variables).
    pub(crate) fn num_cols(&self) -> usize {
        self.col_lower.len()
    }

    /// Number of rows (constraints).
    pub(crate) fn num_rows(&self) -> usize {
        self.row_lower.len()
    }

    /// The entries of row i.
    pub fn row(&self, i: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let (a, b) = (self.row_start[i], self.row_start[i + 1]);
        self.index[a..b]
            .iter()
            .copied()
            .zip(self.value[a..b].iter().copied())
    }
}

/// One HiGHS instance holding one [`LpModel`].
pub struct HighsLp {
    /// The owned, configured HiGHS instance.
    highs: HighsInstance,
    cols: usize,
    rows: usize,
}

fn to_int(v: usize, what: &str) -> Result<HighsInt> {
    HighsInt::try_from(v)
        .map_err(|_| Error::solver("highs", format!("{what} = {v} exceeds HiGHS's index range")))
}

impl HighsLp {
    /// Loads `model` (zero objective) into a new instance: output off, presolve off (keeps the
    /// basis between objectives), dual simplex, feasibility tolerances 1e-9.
    pub fn new(model: &LpModel) -> Result<Self> {
        let lp = HighsLp {
            highs: HighsInstance::new()?,
            cols: model.num_cols(),
            rows: model.num_rows(),
        };
        let cost = vec![0.0; lp.cols];
        let start: Vec<HighsInt> = if model.row_start.is_empty() {
            Vec::new()
        } else {
            model.row_start[..lp.rows]
                .iter()
                .map(|&s| to_int(s, "matrix entry"))
                .collect::<Result<_>>()?
        };
        let index: Vec<HighsInt> = model
            .index
            .iter()
            .map(|&j| to_int(j, "column"))
            .collect::<Result<_>>()?;
        // SAFETY: valid instance; every array has the length HiGHS expects (cols, rows, nnz).
        check(
            unsafe {
                Highs_passLp(
                    lp.ptr(),
                    to_int(lp.cols, "columns")?,
                    to_int(lp.rows, "rows")?,
                    to_int(model.value.len(), "entries")?,
                    kHighsMatrixFormatRowwise,
                    kHighsObjSenseMinimize,
                    0.0,
                    cost.as_ptr(),
                    model.col_lower.as_ptr(),
                    model.col_upper.as_ptr(),
                    model.row_lower.as_ptr(),
                    model.row_upper.as_ptr(),
                    start.as_ptr(),
                    index.as_ptr(),
                    model.value.as_ptr(),
                )
            },
            "Highs_passLp",
        )?;
        Ok(lp)
    }

    fn ptr(&self) -> *mut c_void {
        self.highs.ptr()
    }

    /// Minimizes `cost · v` (one entry per column) and returns the row duals, or `None` when
    /// HiGHS does not report an optimum (the caller then falls back to a bound without LP).
    pub fn minimize(&mut self, cost: &[f64]) -> Result<Option<Vec<f64>>> {
        if cost.len() != self.cols {
            return Err(Error::invalid(format!(
                "LP objective has {} entries; expected {} (one per column)",
                cost.len(),
                self.cols
            )));
        }
        if self.cols == 0 {
            return Ok(Some(vec![0.0; self.rows]));
        }
        // SAFETY: valid instance; `cost` has `cols` entries.
        check(
            unsafe {
                Highs_changeColsCostByRange(
                    self.ptr(),
                    0,
                    to_int(self.cols - 1, "column")?,
                    cost.as_ptr(),
                )
            },
            "Highs_changeColsCostByRange",
        )?;
        // SAFETY: valid instance with a loaded model.
        check(unsafe { Highs_run(self.ptr()) }, "Highs_run")?;
        // SAFETY: valid instance.
        let status = unsafe { Highs_getModelStatus(self.ptr()) };
        if status != MODEL_STATUS_OPTIMAL {
            return Ok(None);
        }
        let mut col_value = vec![0.0; self.cols];
        let mut col_dual = vec![0.0; self.cols];
        let mut row_value = vec![0.0; self.rows];
        let mut row_dual = vec![0.0; self.rows];
        // SAFETY: valid instance; each buffer has the length HiGHS writes (cols or rows).
        check(
            unsafe {
                Highs_getSolution(
                    self.ptr(),
                    col_value.as_mut_ptr(),
                    col_dual.as_mut_ptr(),
                    row_value.as_mut_ptr(),
                    row_dual.as_mut_ptr(),
                )
            },
            "Highs_getSolution",
        )?;
        Ok(Some(row_dual))
    }
}

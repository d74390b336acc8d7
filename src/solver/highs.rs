//! The HiGHS backend (dual simplex through the raw C API of `highs-sys`), box domains only.
//!
//! HiGHS (Huangfu & Hall, "Parallelizing the dual revised simplex method", Math. Prog. Comp.
//! 2018) keeps its basis across modifications of one instance, so the depth-first search of the
//! enumerator re-solves after each `push` / `pop` from the previous optimal basis (warm start,
//! docs/math.md#36-the-solver-question: ~120–150 µs instead of ~230–330 µs at n = 10, m = 20).
//!
//! The LP in y = x − c (columns y_0 … y_{n−1} free, column t ≤ max_j w_j, maximize t):
//!
//! - rows 0 … 2n−1, the box:  y_j + t ≤ w_j  and  −y_j + t ≤ w_j;
//! - one row per half-space on the stack, in stack order:  ĝ_i·y + t ≤ ĥ_i  (unit normal, see
//!   `Row`); a half-space with g = 0 gets no row, only a note whether 0 ≤ h holds.
//!
//! `pop` does not delete the row: it switches it off (bounds −∞ … +∞), and the next `push`
//! rewrites that row's coefficients and bound. A free row's slack is basic, so the basis stays
//! valid; deleting a binding row instead left HiGHS a deficient basis to repair, and a
//! push/solve/pop cycle then cost about 1.5× a cold load and solve (measured at n = 10, m = 20).
//!
//! t is free below, so the LP is always feasible and (the box rows bound t) bounded.

use super::highs_instance::{check, HighsInstance};
use super::{interior_from_optimum, HalfSpace, Interior, InteriorSolver, Row};
use crate::domain::{Domain, Shape};
use crate::error::{Error, Result};
use highs_sys::*;
use std::ffi::c_void;

/// Primal and dual feasibility tolerance given to HiGHS (its default is 1e-7). The returned
/// radius is re-evaluated at the returned center, so this only bounds how far t* may fall short
/// of the optimum.
pub use super::highs_instance::HIGHS_FEAS_TOL;

/// What one entry of the stack contributed to the LP.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Entry {
    /// A row of the LP (the last of the rows present).
    Lp,
    /// g = 0 and 0 ≤ h: no row, always satisfied.
    Always,
    /// g = 0 and h < 0: no row, never satisfied.
    Never,
}

/// An inscribed-ball solver backed by one reused HiGHS instance (box domains only).
pub struct HighsSolver {
    /// The owned, configured HiGHS instance.
    highs: HighsInstance,
    domain: Option<Domain>,
    stack: Vec<HalfSpace>,
    entries: Vec<Entry>,
    never: usize,
    /// Half-space rows in use: LP rows 2n … 2n + active − 1, in stack order.
    active: usize,
    /// Half-space rows allocated in the LP (≥ `active`); rows past `active` are switched off
    /// (bounds −∞ … +∞) and reused by the next `push`.
    pool: usize,
    n: usize,
    calls: u64,
    col_value: Vec<f64>,
}

fn model_status_name(s: HighsInt) -> &'static str {
    match s {
        MODEL_STATUS_NOTSET => "not set",
        MODEL_STATUS_LOAD_ERROR => "load error",
        MODEL_STATUS_MODEL_ERROR => "model error",
        MODEL_STATUS_PRESOLVE_ERROR => "presolve error",
        MODEL_STATUS_SOLVE_ERROR => "solve error",
        MODEL_STATUS_POSTSOLVE_ERROR => "postsolve error",
        MODEL_STATUS_MODEL_EMPTY => "model empty",
        MODEL_STATUS_OPTIMAL => "optimal",
        MODEL_STATUS_INFEASIBLE => "infeasible",
        MODEL_STATUS_UNBOUNDED_OR_INFEASIBLE => "unbounded or infeasible",
        MODEL_STATUS_UNBOUNDED => "unbounded",
        MODEL_STATUS_REACHED_TIME_LIMIT => "time limit",
        MODEL_STATUS_REACHED_ITERATION_LIMIT => "iteration limit",
        _ => "unknown",
    }
}

impl HighsSolver {
    /// A new HiGHS instance with output off, presolve off (it would discard the warm basis) and
    /// the dual simplex method.
    pub fn new() -> Result<Self> {
        Ok(HighsSolver {
            highs: HighsInstance::new()?,
            domain: None,
            stack: Vec::new(),
            entries: Vec::new(),
            never: 0,
            active: 0,
            pool: 0,
            n: 0,
            calls: 0,
            col_value: Vec::new(),
        })
    }

    /// A solver loaded with `domain` (a box) and `halfspaces`.
    pub fn with_problem(domain: &Domain, halfspaces: &[HalfSpace]) -> Result<Self> {
        let mut s = Self::new()?;
        s.load(domain, halfspaces)?;
        Ok(s)
    }

    /// How many times [`InteriorSolver::max_inscribed_ball`] has run HiGHS.
    pub fn calls(&self) -> u64 {
        self.calls
    }

    /// Simplex iterations of the last [`InteriorSolver::max_inscribed_ball`] (0 when the warm
    /// basis was already optimal): a direct measure of how much the warm start saved. HiGHS
    /// reports −1 once the model was modified after that solve.
    pub fn last_simplex_iterations(&self) -> i64 {
        // SAFETY: valid instance; the call only reads its info record.
        i64::from(unsafe { Highs_getSimplexIterationCount(self.ptr()) })
    }

    fn ptr(&self) -> *mut c_void {
        self.highs.ptr()
    }

    fn add_row(&mut self, g: &[f64], rhs: f64) -> Result<()> {
        let n = self.n;
        if self.active < self.pool {
            self.highs.rewrite_row(2 * n + self.active, g, rhs)?;
        } else {
            // the row's coefficients, and 1 for the radius column t
            let (mut index, mut value): (Vec<HighsInt>, Vec<f64>) = g
                .iter()
                .enumerate()
                .filter(|(_, &gj)| gj != 0.0)
                .map(|(j, &gj)| (j as HighsInt, gj))
                .unzip();
            index.push(n as HighsInt);
            value.push(1.0);
            self.highs.append_row(&index, &value, rhs)?;
            self.pool += 1;
        }
        self.active += 1;
        Ok(())
    }

    fn push_row(&mut self, row: Row) -> Result<()> {
        let entry = match row {
            Row::Unit { g, rhs } => {
                self.add_row(&g, rhs)?;
                Entry::Lp
            }
            Row::Constant { holds: true } => Entry::Always,
            Row::Constant { holds: false } => {
                self.never += 1;
                Entry::Never
            }
        };
        self.entries.push(entry);
        Ok(())
    }
}

impl InteriorSolver for HighsSolver {
    fn name(&self) -> &'static str {
        "highs"
    }

    fn load(&mut self, domain: &Domain, halfspaces: &[HalfSpace]) -> Result<()> {
        let Shape::Box { half_widths } = domain.shape() else {
            return Err(Error::UnsupportedSolver {
                solver: self.name().into(),
                norm: domain.norm().name().into(),
            });
        };
        let rows = halfspaces
            .iter()
            .map(|hs| Row::new(hs, domain.center().view()))
            .collect::<Result<Vec<_>>>()?;
        let n = domain.dim();
        let inf = f64::INFINITY;
        let mut cost = vec![0.0; n + 1];
        cost[n] = 1.0;
        let mut col_lower = vec![-inf; n + 1];
        let mut col_upper = vec![inf; n + 1];
        col_lower[n] = -inf;
        col_upper[n] = domain.max_half_width();
        let (mut start, mut index, mut value) = (Vec::new(), Vec::new(), Vec::new());
        let mut row_lower = Vec::new();
        let mut row_upper = Vec::new();
        for (j, &w) in half_widths.iter().enumerate() {
            for sign in [1.0, -1.0] {
                start.push(index.len() as HighsInt);
                index.extend([j as HighsInt, n as HighsInt]);
                value.extend([sign, 1.0]);
                row_lower.push(-inf);
                row_upper.push(w);
            }
        }
        // SAFETY: valid instance; Highs_clearModel has no other preconditions.
        check(unsafe { Highs_clearModel(self.ptr()) }, "Highs_clearModel")?;
        // SAFETY: every array has the length passpassLp expects: costs and column bounds n + 1,
        // row bounds and starts 2n, index/value `index.len()` entries with columns < n + 1.
        let st = unsafe {
            Highs_passLp(
                self.ptr(),
                (n + 1) as HighsInt,
                (2 * n) as HighsInt,
                index.len() as HighsInt,
                kHighsMatrixFormatRowwise,
                kHighsObjSenseMaximize,
                0.0,
                cost.as_ptr(),
                col_lower.as_ptr(),
                col_upper.as_ptr(),
                row_lower.as_ptr(),
                row_upper.as_ptr(),
                start.as_ptr(),
                index.as_ptr(),
                value.as_ptr(),
            )
        };
        check(st, "Highs_passLp")?;
        self.domain = Some(domain.clone());
        self.stack.clear();
        self.entries.clear();
        self.never = 0;
        self.active = 0;
        self.pool = 0;
        self.n = n;
        self.col_value = vec![0.0; n + 1];
        for (row, hs) in rows.into_iter().zip(halfspaces) {
            self.push_row(row)?;
            self.stack.push(hs.clone());
        }
        Ok(())
    }

    fn push(&mut self, halfspace: &HalfSpace) -> Result<()> {
        let domain = self.domain.as_ref().ok_or_else(not_loaded)?;
        let row = Row::new(halfspace, domain.center().view())?;
        self.push_row(row)?;
        self.stack.push(halfspace.clone());
        Ok(())
    }

    fn pop(&mut self) -> Result<()> {
        let entry = self
            .entries
            .last()
            .copied()
            .ok_or_else(|| Error::solver("highs", "pop on an empty stack of half-spaces"))?;
        match entry {
            Entry::Lp => {
                self.highs.switch_off_row(2 * self.n + self.active - 1)?;
                self.active -= 1;
            }
            Entry::Never => self.never -= 1,
            Entry::Always => {}
        }
        self.entries.pop();
        self.stack.pop();
        Ok(())
    }

    fn depth(&self) -> usize {
        self.stack.len()
    }

    fn stack_duals(&mut self) -> Option<Vec<f64>> {
        let n = self.n;
        if self.never > 0 {
            // a constant row 0 ≤ h < 0: multiplier 1 on it alone is the certificate
            return Some(
                self.entries
                    .iter()
                    .map(|e| if *e == Entry::Never { 1.0 } else { 0.0 })
                    .collect(),
            );
        }
        let rows = 2 * n + self.pool;
        let mut row_dual = vec![0.0; rows];
        let mut col = vec![0.0; n + 1];
        // SAFETY: col has n + 1 = number of columns entries and row_dual one per LP row; null
        // pointers skip the column duals and row values.
        let st = unsafe {
            Highs_getSolution(
                self.ptr(),
                col.as_mut_ptr(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                row_dual.as_mut_ptr(),
            )
        };
        if st == kHighsStatusError {
            return None;
        }
        let mut lp_row = 2 * n;
        let mut y = Vec::with_capacity(self.entries.len());
        for e in &self.entries {
            if *e == Entry::Lp {
                y.push(row_dual[lp_row].abs());
                lp_row += 1;
            } else {
                y.push(0.0);
            }
        }
        y.iter().all(|v| v.is_finite()).then_some(y)
    }

    fn max_inscribed_ball(&mut self) -> Result<Interior> {
        let domain = self.domain.as_ref().ok_or_else(not_loaded)?;
        if self.never > 0 {
            return Ok(Interior::Empty {
                radius: f64::NEG_INFINITY,
            });
        }
        self.calls += 1;
        // SAFETY: valid instance with a loaded model.
        check(unsafe { Highs_run(self.ptr()) }, "Highs_run")?;
        // SAFETY: valid instance.
        let status = unsafe { Highs_getModelStatus(self.ptr()) };
        if status != MODEL_STATUS_OPTIMAL {
            // Feasible (t is free below) and bounded (the box rows bound t) by construction, so
            // any other status, infeasible included, is a numerical failure: calling it Empty
            // could drop a region.
            return Err(Error::solver(
                "highs",
                format!(
                    "model status '{}' ({status}) on the inscribed-ball LP ({} half-spaces, dimension {}); expected optimal",
                    model_status_name(status),
                    self.stack.len(),
                    domain.dim()
                ),
            ));
        }
        let n = domain.dim();
        // SAFETY: col_value has n + 1 = number of columns entries; null pointers skip the rest.
        let st = unsafe {
            Highs_getSolution(
                self.ptr(),
                self.col_value.as_mut_ptr(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            )
        };
        check(st, "Highs_getSolution")?;
        let t = self.col_value[n];
        if !self.col_value.iter().all(|v| v.is_finite()) {
            return Err(Error::solver(
                "highs",
                "optimal status with a non-finite solution",
            ));
        }
        Ok(interior_from_optimum(
            domain,
            &self.stack,
            &self.col_value[..n],
            t,
        ))
    }
}

fn not_loaded() -> Error {
    Error::solver(
        "highs",
        "no problem loaded; call load(domain, half-spaces) first",
    )
}

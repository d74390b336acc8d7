//! max c·x over P ∩ box with the box as column bounds (HiGHS, dual simplex, warm started).
//!
//! The inscribed-ball LP of [`super::highs`] writes a box as 2n rows (x_j ± t ≤ w_j), so in high
//! dimension (784 inputs) every solve is large. An emptiness test needs less: the maximum of one
//! linear function over the node, where the box is just the columns' bounds (a nonbasic column
//! sits at a bound) and the rows are the node's half-spaces only, a few dozen. Its row duals y
//! then feed the weak-duality bound, evaluated in closed form by the caller (the optimum itself is
//! never trusted), and its maximizer is a direction toward which a point of the side is sought.
//!
//! One instance serves a worker's whole depth-first search: `push` adds (or re-enables) a row,
//! `pop` switches the last one off (bounds −∞ … +∞, as in [`super::highs`]), and each `maximize`
//! only changes the costs, so HiGHS re-optimizes from the previous basis.

use super::highs_instance::{check, HighsInstance};
use super::HalfSpace;
use crate::domain::{Domain, Shape};
use crate::error::{Error, Result};
use highs_sys::*;

/// The LP's answer: the maximizer and one multiplier per half-space on the stack (≥ 0).
pub(crate) struct BoxLpOptimum {
    /// The maximizer, one entry per input coordinate.
    pub x: Vec<f64>,
    /// The multipliers, one per half-space on the stack, bottom first, each ≥ 0.
    pub y: Vec<f64>,
}

/// A warm-started LP max c·x over {g_i·x ≤ h_i} ∩ box (box domains only).
pub(crate) struct BoxLp {
    highs: HighsInstance,
    n: usize,
    /// Rows in use (stack order) and allocated (rows past `active` are switched off).
    active: usize,
    pool: usize,
    /// Per stack entry: whether it has a row (a zero half-space has none).
    has_row: Vec<bool>,
    /// Per stack entry with g = 0: whether 0 ≤ h fails (the node is empty).
    never: usize,
    col: Vec<f64>,
    row_dual: Vec<f64>,
}

impl BoxLp {
    /// An instance over the box `domain` with the half-spaces `halfspaces` on its stack.
    pub fn new(domain: &Domain, halfspaces: &[HalfSpace]) -> Result<Self> {
        let Shape::Box { half_widths } = domain.shape() else {
            return Err(Error::solver("highs", "the box LP needs a box domain"));
        };
        let n = domain.dim();
        let lower: Vec<f64> = (0..n)
            .map(|j| domain.center()[j] - half_widths[j])
            .collect();
        let upper: Vec<f64> = (0..n)
            .map(|j| domain.center()[j] + half_widths[j])
            .collect();
        let cost = vec![0.0; n];
        let highs = HighsInstance::new()?;
        let start: Vec<HighsInt> = Vec::new();
        // SAFETY: n columns with costs and bounds of length n; no rows, so the row arrays are
        // empty and never read.
        let st = unsafe {
            Highs_passLp(
                highs.ptr(),
                n as HighsInt,
                0,
                0,
                kHighsMatrixFormatRowwise,
                kHighsObjSenseMaximize,
                0.0,
                cost.as_ptr(),
                lower.as_ptr(),
                upper.as_ptr(),
                std::ptr::null(),
                std::ptr::null(),
                start.as_ptr(),
                std::ptr::null(),
                std::ptr::null(),
            )
        };
        check(st, "Highs_passLp")?;
        let mut lp = BoxLp {
            highs,
            n,
            active: 0,
            pool: 0,
            has_row: Vec::new(),
            never: 0,
            col: vec![0.0; n],
            row_dual: Vec::new(),
        };
        for hs in halfspaces {
            lp.push(hs)?;
        }
        Ok(lp)
    }

    fn ptr(&self) -> *mut std::ffi::c_void {
        self.highs.ptr()
    }

    /// Adds g·x ≤ h on top of the stack.
    pub fn push(&mut self, hs: &HalfSpace) -> Result<()> {
        if hs.g.iter().all(|&v| v == 0.0) {
            self.has_row.push(false);
            if never_holds(hs) {
                self.never += 1;
            }
            return Ok(());
        }
        if self.active < self.pool {
            let g = hs.g.to_vec();
            self.highs.rewrite_row(self.active, &g, hs.h)?;
        } else {
            let (index, value): (Vec<HighsInt>, Vec<f64>) =
                hs.g.iter()
                    .enumerate()
                    .filter(|(_, &v)| v != 0.0)
                    .map(|(j, &v)| (j as HighsInt, v))
                    .unzip();
            self.highs.append_row(&index, &value, hs.h)?;
            self.pool += 1;
        }
        self.active += 1;
        self.has_row.push(true);
        Ok(())
    }

    /// Removes the top of the stack.
    pub fn pop(&mut self, top: &HalfSpace) -> Result<()> {
        match self.has_row.pop() {
            Some(true) => {
                self.highs.switch_off_row(self.active - 1)?;
                self.active -= 1;
            }
            Some(false) => {
                if never_holds(top) {
                    self.never -= 1;
                }
            }
            None => {
                return Err(Error::solver(
                    "highs",
                    "pop on an empty stack of half-spaces",
                ))
            }
        }
        Ok(())
    }

    /// max c·x over the stack ∩ box: the maximizer and the stack's multipliers, or `None` when
    /// HiGHS does not reach an optimum (or a zero half-space with h < 0 makes the stack empty:
    /// the caller's proofs decide then).
    pub(crate) fn maximize(&mut self, c: &[f64]) -> Result<Option<BoxLpOptimum>> {
        if self.never > 0 {
            return Ok(None);
        }
        // SAFETY: valid instance; c has n entries, one per column 0 … n − 1.
        check(
            unsafe {
                Highs_changeColsCostByRange(self.ptr(), 0, (self.n - 1) as HighsInt, c.as_ptr())
            },
            "Highs_changeColsCostByRange",
        )?;
        // SAFETY: valid instance with a loaded model.
        check(unsafe { Highs_run(self.ptr()) }, "Highs_run")?;
        // SAFETY: valid instance.
        if unsafe { Highs_getModelStatus(self.ptr()) } != MODEL_STATUS_OPTIMAL {
            return Ok(None);
        }
        self.row_dual.resize(self.pool, 0.0);
        // SAFETY: col has n entries (one per column), row_dual one per LP row; null pointers skip
        // the column duals and row values.
        let st = unsafe {
            Highs_getSolution(
                self.ptr(),
                self.col.as_mut_ptr(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                self.row_dual.as_mut_ptr(),
            )
        };
        check(st, "Highs_getSolution")?;
        let mut rows = self.row_dual.iter();
        let y: Vec<f64> = self
            .has_row
            .iter()
            .map(|&r| {
                if r {
                    rows.next().map_or(0.0, |v| v.abs())
                } else {
                    0.0
                }
            })
            .collect();
        let finite = self.col.iter().chain(&y).all(|v| v.is_finite());
        Ok(finite.then(|| BoxLpOptimum {
            x: self.col.clone(),
            y,
        }))
    }
}

/// A zero half-space 0 ≤ h that no point satisfies (h < 0, or NaN).
fn never_holds(hs: &HalfSpace) -> bool {
    hs.h.is_nan() || hs.h < 0.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Norm;
    use ndarray::array;

    #[test]
    fn maximizes_over_the_box_and_the_stack_with_warm_pushes_and_pops() {
        let dom = Domain::ball(array![0.0, 0.0], 1.0, Norm::Linf).unwrap();
        let mut lp = BoxLp::new(&dom, &[]).unwrap();
        let opt = lp.maximize(&[1.0, 1.0]).unwrap().unwrap();
        assert_eq!(opt.x, vec![1.0, 1.0]);
        // x + y ≤ 1: optimum 1, multiplier 1 on the row
        let row = HalfSpace {
            g: array![1.0, 1.0],
            h: 1.0,
        };
        lp.push(&row).unwrap();
        let opt = lp.maximize(&[1.0, 1.0]).unwrap().unwrap();
        assert!((opt.x[0] + opt.x[1] - 1.0).abs() < 1e-12);
        assert!((opt.y[0] - 1.0).abs() < 1e-9, "{:?}", opt.y);
        // a zero row with h < 0 empties the stack
        let never = HalfSpace {
            g: array![0.0, 0.0],
            h: -1.0,
        };
        lp.push(&never).unwrap();
        assert!(lp.maximize(&[1.0, 0.0]).unwrap().is_none());
        lp.pop(&never).unwrap();
        lp.pop(&row).unwrap();
        let opt = lp.maximize(&[-1.0, 0.5]).unwrap().unwrap();
        assert_eq!(opt.x, vec![-1.0, 1.0]);
        // the switched-off row is reused
        lp.push(&HalfSpace {
            g: array![0.0, 1.0],
            h: 0.25,
        })
        .unwrap();
        let opt = lp.maximize(&[0.0, 1.0]).unwrap().unwrap();
        assert!((opt.x[1] - 0.25).abs() < 1e-12);
        assert_eq!(lp.pool, 1);
    }
}

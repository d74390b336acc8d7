//! One owned HiGHS instance through the raw C API of `highs-sys`, set up as every HiGHS user in
//! this crate needs it: output off, presolve off (it would discard a warm basis), the dual
//! simplex method, primal and dual feasibility tolerances [`HIGHS_FEAS_TOL`]. Shared by the
//! inscribed-ball backend ([`super::highs`]) and the LP bounds (`bounds::lp`).

use crate::error::{Error, Result};
use highs_sys::*;
use std::ffi::{c_void, CStr};
use std::ptr::NonNull;

/// Primal and dual feasibility tolerance of every HiGHS instance.
pub const HIGHS_FEAS_TOL: f64 = 1e-9;

/// A `Highs` object from `Highs_create`, owned by this value and freed in `Drop`.
pub(crate) struct HighsInstance {
    highs: NonNull<c_void>,
}

// SAFETY: the instance is reachable only through this value (the pointer is never copied out or
// shared), so moving the value to another thread moves sole ownership of the instance; a `Highs`
// object has no thread affinity. The value is not `Sync`: two threads never use it at once.
unsafe impl Send for HighsInstance {}

impl Drop for HighsInstance {
    fn drop(&mut self) {
        // SAFETY: `highs` came from `Highs_create`, is non-null and is destroyed exactly once.
        unsafe { Highs_destroy(self.highs.as_ptr()) }
    }
}

/// Turns a HiGHS status into an error naming the call.
pub fn check(status: HighsInt, what: &str) -> Result<()> {
    if status == kHighsStatusError {
        Err(Error::solver(
            "highs",
            format!("{what} returned an error status"),
        ))
    } else {
        Ok(())
    }
}

impl HighsInstance {
    /// A new instance with the crate's settings (see the module doc).
    pub fn new() -> Result<Self> {
        // SAFETY: Highs_create has no preconditions; a null result is handled below.
        let raw = unsafe { Highs_create() };
        let highs = NonNull::new(raw)
            .ok_or_else(|| Error::solver("highs", "Highs_create returned null"))?;
        let s = HighsInstance { highs };
        s.set_bool(c"output_flag", false)?;
        s.set_string(c"presolve", c"off")?;
        s.set_string(c"solver", c"simplex")?;
        s.set_double(c"primal_feasibility_tolerance", HIGHS_FEAS_TOL)?;
        s.set_double(c"dual_feasibility_tolerance", HIGHS_FEAS_TOL)?;
        Ok(s)
    }

    /// The raw pointer for `highs-sys` calls; valid while `self` lives. Crate-private: the FFI
    /// stays inside the crate's solver backends.
    pub(crate) fn ptr(&self) -> *mut c_void {
        self.highs.as_ptr()
    }

    /// Sets the boolean HiGHS option `name`; errors when HiGHS rejects it.
    pub(crate) fn set_bool(&self, name: &CStr, v: bool) -> Result<()> {
        // SAFETY: valid instance, NUL-terminated option name.
        check(
            unsafe { Highs_setBoolOptionValue(self.ptr(), name.as_ptr(), v as HighsInt) },
            "Highs_setBoolOptionValue",
        )
    }

    /// Sets the string HiGHS option `name`; errors when HiGHS rejects it.
    pub(crate) fn set_string(&self, name: &CStr, v: &CStr) -> Result<()> {
        // SAFETY: valid instance, NUL-terminated strings.
        check(
            unsafe { Highs_setStringOptionValue(self.ptr(), name.as_ptr(), v.as_ptr()) },
            "Highs_setStringOptionValue",
        )
    }

    /// Sets the floating-point HiGHS option `name`; errors when HiGHS rejects it.
    pub(crate) fn set_double(&self, name: &CStr, v: f64) -> Result<()> {
        // SAFETY: valid instance, NUL-terminated option name.
        check(
            unsafe { Highs_setDoubleOptionValue(self.ptr(), name.as_ptr(), v) },
            "Highs_setDoubleOptionValue",
        )
    }

    /// Rewrites row `row` as Σ_j coeffs_j x_j ≤ upper (columns 0 … coeffs.len() − 1; the other
    /// columns keep their coefficients): the reuse of a switched-off row keeps the basis valid.
    pub(crate) fn rewrite_row(&self, row: usize, coeffs: &[f64], upper: f64) -> Result<()> {
        let row = row as HighsInt;
        for (j, &v) in coeffs.iter().enumerate() {
            // SAFETY: valid instance; the caller passes an existing row and columns.
            check(
                unsafe { Highs_changeCoeff(self.ptr(), row, j as HighsInt, v) },
                "Highs_changeCoeff",
            )?;
        }
        // SAFETY: valid instance; `row` exists.
        check(
            unsafe { Highs_changeRowBounds(self.ptr(), row, f64::NEG_INFINITY, upper) },
            "Highs_changeRowBounds",
        )
    }

    /// Appends the row Σ value_k x_{index_k} ≤ upper.
    pub(crate) fn append_row(&self, index: &[HighsInt], value: &[f64], upper: f64) -> Result<()> {
        debug_assert_eq!(index.len(), value.len());
        let len = index.len().min(value.len()) as HighsInt;
        // SAFETY: valid instance; index and value hold at least `len` entries, and the caller
        // passes existing columns.
        let st = unsafe {
            Highs_addRow(
                self.ptr(),
                f64::NEG_INFINITY,
                upper,
                len,
                index.as_ptr(),
                value.as_ptr(),
            )
        };
        check(st, "Highs_addRow")
    }

    /// Switches row `row` off (bounds −∞ … +∞) instead of deleting it: deleting a binding
    /// (nonbasic) row leaves HiGHS a deficient basis to repair, which cost more than a cold solve.
    pub(crate) fn switch_off_row(&self, row: usize) -> Result<()> {
        // SAFETY: valid instance; `row` exists.
        check(
            unsafe {
                Highs_changeRowBounds(
                    self.ptr(),
                    row as HighsInt,
                    f64::NEG_INFINITY,
                    f64::INFINITY,
                )
            },
            "Highs_changeRowBounds",
        )
    }
}

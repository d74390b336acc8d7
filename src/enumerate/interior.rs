//! The interior threshold of the enumerator: how deep a point found in floating point must lie
//! in a side of a split for the search to take it as that side's witness.
//!
//! It decides nothing about the count. A side is removed only when its emptiness is proven (a
//! bound with the rounding and map errors added is ≤ 0, a certificate, or the exact fallback),
//! and a region is counted only when its witness is proven (see `witness`). The threshold only
//! chooses between the fast path (a point deeper than [`interior_tol`]: the side is non-empty,
//! go on) and the slow ones (the solver, then exact arithmetic) for sides that are thin or may
//! be empty. It is relative to the domain's inradius and applied in the domain's unit
//! coordinates, so it does not depend on where the domain sits or on its size.
//! `near_tolerance` counts the decisions that came within a factor [`NEAR_FACTOR`] of it.

use crate::domain::Domain;

/// Relative interior threshold: a point found in floating point is taken as a side's witness
/// when it lies deeper than `INTERIOR_REL_TOL × inradius` in it (in unit coordinates: about
/// 1e-9, far above the ~1e-15 rounding of the closed forms, so such a witness is almost always
/// proven at the leaf). Thinner sides go to the solver and the exact fallback.
pub const INTERIOR_REL_TOL: f64 = 1e-9;

/// Width (as a factor on each side) of the band around the interior tolerance in which a
/// decision is counted as `near_tolerance`: radii in [tol / NEAR_FACTOR, tol × NEAR_FACTOR].
pub const NEAR_FACTOR: f64 = 100.0;

/// The interior threshold of a domain in its own coordinates: `INTERIOR_REL_TOL` × its inradius
/// (the radius of a ball, the smallest half width of a box). The enumerator applies it in the
/// domain's unit coordinates, where both are in [1, 2).
pub fn interior_tol(domain: &Domain) -> f64 {
    let inradius = match domain.shape() {
        crate::domain::Shape::L2Ball { radius } => *radius,
        crate::domain::Shape::Box { half_widths } => {
            half_widths.iter().cloned().fold(f64::INFINITY, f64::min)
        }
    };
    INTERIOR_REL_TOL * inradius
}

/// Whether a radius decided against `tol` lies in the near-tolerance band
/// [tol / NEAR_FACTOR, tol × NEAR_FACTOR].
pub fn near_band(radius: f64, tol: f64) -> bool {
    radius >= tol / NEAR_FACTOR && radius <= tol * NEAR_FACTOR
}

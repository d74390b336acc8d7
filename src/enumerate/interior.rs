//! The interior criterion of the enumerator: when a side of a split counts as non-empty.
//!
//! A set S = P ∩ domain (P a polytope) has a non-empty interior iff it contains a Euclidean ball
//! of positive radius. Floating point cannot decide "positive" exactly, so the enumerator counts a
//! side as non-empty only when it holds a ball of radius greater than
//! `INTERIOR_REL_TOL × (largest half width of the domain)` — see [`interior_tol`]. Regions thinner
//! than that (in every direction) are not counted; every such decision that came close to the
//! threshold is reported as `near_tolerance` (see [`near_band`]).

use crate::domain::Domain;

/// Relative interior tolerance: a side is non-empty only if it contains a Euclidean ball of
/// radius > `INTERIOR_REL_TOL × domain.max_half_width()`. 1e-6 keeps the threshold above the
/// feasibility tolerances of the LP / SOCP solvers (≈1e-8 relative) while regions that thin are
/// far below anything a network resolves in practice.
pub const INTERIOR_REL_TOL: f64 = 1e-6;

/// Width (as a factor on each side) of the band around the interior tolerance in which a
/// decision is counted as `near_tolerance`: radii in [tol / NEAR_FACTOR, tol × NEAR_FACTOR].
pub const NEAR_FACTOR: f64 = 100.0;

/// The absolute interior tolerance of a domain: `INTERIOR_REL_TOL × max half width`.
pub fn interior_tol(domain: &Domain) -> f64 {
    INTERIOR_REL_TOL * domain.max_half_width()
}

/// Whether a radius decided against `tol` lies in the near-tolerance band
/// [tol / NEAR_FACTOR, tol × NEAR_FACTOR].
pub fn near_band(radius: f64, tol: f64) -> bool {
    radius >= tol / NEAR_FACTOR && radius <= tol * NEAR_FACTOR
}

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
/// radius > `INTERIOR_REL_TOL × domain.max_half_width()`. Most decisions are closed-form proofs
/// (domain ranges, dual bounds checked with the support function, ray searches whose depth is
/// recomputed directly), accurate to rounding (~1e-15 relative), and every solver answer is
/// re-checked at its center, so the threshold can sit far below the solvers' own tolerances.
/// 1e-9 is what ACAS Xu 1_1 needs: in the box of half-width 0.05 it has a region with an
/// inscribed radius between 5e-11 and 5e-8 that two independent tools count (17,849 regions; a
/// threshold of 1e-6 found 17,848).
pub const INTERIOR_REL_TOL: f64 = 1e-9;

/// Absolute floor of the tolerance, relative to the size of the center's coordinates: below
/// ~1e-13 × (1 + ‖c‖∞) the rounding of h(x) = a·x + β itself (a few ulps of its terms) decides
/// signs, so no radius smaller than `INTERIOR_ABS_FLOOR × (1 + ‖c‖∞)` is trusted.
pub const INTERIOR_ABS_FLOOR: f64 = 1e-12;

/// Width (as a factor on each side) of the band around the interior tolerance in which a
/// decision is counted as `near_tolerance`: radii in [tol / NEAR_FACTOR, tol × NEAR_FACTOR].
pub const NEAR_FACTOR: f64 = 100.0;

/// The absolute interior tolerance of a domain:
/// max(`INTERIOR_REL_TOL` × max half width, `INTERIOR_ABS_FLOOR` × (1 + ‖c‖∞)).
pub fn interior_tol(domain: &Domain) -> f64 {
    let cmax = domain.center.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    (INTERIOR_REL_TOL * domain.max_half_width()).max(INTERIOR_ABS_FLOOR * (1.0 + cmax))
}

/// Whether a radius decided against `tol` lies in the near-tolerance band
/// [tol / NEAR_FACTOR, tol × NEAR_FACTOR].
pub fn near_band(radius: f64, tol: f64) -> bool {
    radius >= tol / NEAR_FACTOR && radius <= tol * NEAR_FACTOR
}

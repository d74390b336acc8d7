//! Solver backends behind one trait, so HiGHS (LP, box domains), Clarabel (SOCP, L2 balls and
//! boxes) and any later backend can be swapped and cross-checked on the same questions.
//!
//! The one question the enumerator asks (docs/math.md#36-the-solver-question): does a polytope
//! P = {x : g_i·x ≤ h_i}
//! intersected with the domain have a non-empty interior? It is answered by the largest
//! inscribed Euclidean ball (a Chebyshev center):
//!
//! maximize t  subject to  g_i·x + t‖g_i‖₂ ≤ h_i  (every half-space),
//!                         box:  |x_j − c_j| ≤ w_j − t,     L2 ball: ‖x − c‖₂ ≤ r − t,
//!
//! an LP for a box and a second-order cone program for an L2 ball. The optimum t* > 0 iff the
//! interior is non-empty, and x* is a witness at depth t* inside every constraint.
//!
//! The state is a stack of half-spaces (`push`/`pop`), so a depth-first search reuses one
//! instance per worker and a backend can warm-start.

use crate::domain::Domain;
use crate::error::Result;
use ndarray::Array1;

/// A closed half-space g·x ≤ h in input space.
#[derive(Clone, Debug, PartialEq)]
pub struct HalfSpace {
    /// The normal g (one entry per input coordinate; need not be unit length).
    pub g: Array1<f64>,
    /// The offset h, in the units of g·x.
    pub h: f64,
}

/// The answer to "how large a ball fits inside P ∩ domain?".
#[derive(Clone, Debug, PartialEq)]
pub enum Interior {
    /// A Euclidean ball of `radius` > 0 around `center` lies inside every constraint (up to the
    /// solver's feasibility tolerance, which the caller re-checks exactly).
    Found {
        /// The ball's center, in input coordinates.
        center: Array1<f64>,
        /// The ball's Euclidean radius, in input units.
        radius: f64,
    },
    /// The optimal inscribed radius is ≤ 0 (or the problem is infeasible, radius = −∞):
    /// P ∩ domain has an empty interior.
    Empty {
        /// The optimal inscribed radius: ≤ 0, or −∞ when infeasible.
        radius: f64,
    },
}

/// One solver instance: a domain and a stack of half-spaces.
pub trait InteriorSolver: Send {
    /// The backend's name as `--solver` takes it.
    fn name(&self) -> &'static str;
    /// Replaces the whole problem: the domain and the stack of half-spaces.
    fn load(&mut self, domain: &Domain, halfspaces: &[HalfSpace]) -> Result<()>;
    /// Adds one half-space on top of the stack.
    fn push(&mut self, halfspace: &HalfSpace) -> Result<()>;
    /// Removes the top half-space.
    fn pop(&mut self) -> Result<()>;
    /// Number of half-spaces on the stack.
    fn depth(&self) -> usize;
    /// The largest inscribed ball of the current P ∩ domain.
    fn max_inscribed_ball(&mut self) -> Result<Interior>;
    /// After [`Self::max_inscribed_ball`]: non-negative multipliers of the stack's half-spaces
    /// (one per half-space, in stack order) from the last solve, for a weak-duality certificate
    /// that the caller evaluates itself; `None` when the backend has none.
    fn stack_duals(&mut self) -> Option<Vec<f64>> {
        None
    }
}

pub(crate) mod box_lp;
pub mod clarabel;
pub mod highs;
pub(crate) mod highs_instance;
pub mod kind;

pub use self::clarabel::ClarabelSolver;
pub use self::highs::HighsSolver;
pub use self::kind::{default_for, make_solver, SolverKind};

use crate::error::Error;
use ndarray::ArrayView1;

/// A half-space prepared for a backend: in coordinates y = x − c around the domain center and
/// scaled to a unit normal, so the row of the inscribed-ball problem reads ĝ·y + t ≤ ĥ with
/// ĝ = g/‖g‖₂ and ĥ = (h − g·c)/‖g‖₂. Shifting keeps the numbers small when c is far from the
/// origin; scaling leaves t in input-space Euclidean units (the distance from y to the plane).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Row {
    /// ĝ·y + t ≤ ĥ with ‖ĝ‖₂ = 1.
    Unit { g: Vec<f64>, rhs: f64 },
    /// g = 0: the constant condition 0 ≤ h, true or false for every x.
    Constant { holds: bool },
}

impl Row {
    /// Prepares `hs` for a domain centered at `center`. Errors on a dimension mismatch or a
    /// non-finite coefficient (the caller's bug or corrupt input, never a solver outcome).
    pub(crate) fn new(hs: &HalfSpace, center: ArrayView1<f64>) -> Result<Row> {
        if hs.g.len() != center.len() {
            return Err(Error::invalid(format!(
                "half-space has {} coefficients; expected {} (the input dimension of the domain)",
                hs.g.len(),
                center.len()
            )));
        }
        if !hs.h.is_finite() || hs.g.iter().any(|v| !v.is_finite()) {
            return Err(Error::invalid(format!(
                "half-space g·x ≤ h has a non-finite coefficient (h = {}); expected finite numbers",
                hs.h
            )));
        }
        let norm = hs.g.dot(&hs.g).sqrt();
        if norm == 0.0 {
            return Ok(Row::Constant { holds: 0.0 <= hs.h });
        }
        let rhs = (hs.h - hs.g.dot(&center)) / norm;
        Ok(Row::Unit {
            g: hs.g.iter().map(|v| v / norm).collect(),
            rhs,
        })
    }
}

/// The radius of the largest Euclidean ball around `x` inside P ∩ domain, evaluated directly
/// (no solver): min( min_i (h_i − g_i·x)/‖g_i‖₂ , depth of x in the domain ), where a row with
/// g_i = 0 contributes +∞ if 0 ≤ h_i and −∞ otherwise, and the domain depth is r − ‖x − c‖₂ (L2
/// ball) or min_j (w_j − |x_j − c_j|) (box). Positive iff x is an interior point of P ∩ domain
/// (up to floating-point rounding in the dot products).
pub fn inscribed_radius_at(domain: &Domain, halfspaces: &[HalfSpace], x: ArrayView1<f64>) -> f64 {
    let mut r = domain.depth(x);
    for hs in halfspaces {
        let norm = hs.g.dot(&hs.g).sqrt();
        let slack = if norm == 0.0 {
            if 0.0 <= hs.h {
                f64::INFINITY
            } else {
                f64::NEG_INFINITY
            }
        } else {
            (hs.h - hs.g.dot(&x)) / norm
        };
        r = r.min(slack);
    }
    r
}

/// Turns a backend's optimum (y*, t*) in shifted coordinates into an [`Interior`].
///
/// The center is x* = c + y*. The reported radius is min(t*, ρ(x*)) where ρ is
/// [`inscribed_radius_at`]: the solver's t* may exceed the true depth of its own x* by its
/// feasibility tolerance, and the recomputed ρ(x*) removes that error, so a `Found` radius is the
/// radius of a ball that really lies inside every constraint (up to rounding of one dot product).
/// `Found` iff that radius is > 0; otherwise `Empty` with that number (t* itself when t* ≤ 0).
pub(crate) fn interior_from_optimum(
    domain: &Domain,
    halfspaces: &[HalfSpace],
    y: &[f64],
    t: f64,
) -> Interior {
    if t <= 0.0 {
        return Interior::Empty { radius: t };
    }
    let center = domain.center() + &ArrayView1::from(y);
    let radius = t.min(inscribed_radius_at(domain, halfspaces, center.view()));
    if radius > 0.0 {
        Interior::Found { center, radius }
    } else {
        Interior::Empty { radius }
    }
}

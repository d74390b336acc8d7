//! Solver backends behind one trait, so HiGHS (LP, box domains), Clarabel (SOCP, L2 balls and
//! boxes) and any later backend can be swapped and cross-checked on the same questions.
//!
//! The one question the enumerator asks (DESIGN.md §3): does a polytope P = {x : g_i·x ≤ h_i}
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
    pub g: Array1<f64>,
    pub h: f64,
}

/// The answer to "how large a ball fits inside P ∩ domain?".
#[derive(Clone, Debug, PartialEq)]
pub enum Interior {
    /// A Euclidean ball of `radius` > 0 around `center` lies inside every constraint (up to the
    /// solver's feasibility tolerance, which the caller re-checks exactly).
    Found { center: Array1<f64>, radius: f64 },
    /// The optimal inscribed radius is ≤ 0 (or the problem is infeasible, radius = −∞):
    /// P ∩ domain has an empty interior.
    Empty { radius: f64 },
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
}

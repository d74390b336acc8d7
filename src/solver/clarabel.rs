//! The Clarabel backend (interior point, pure Rust): the inscribed-ball problem of the module
//! docs as an LP for a box and as a second-order cone program for an L2 ball.
//!
//! Clarabel (Goulart & Chen, "Clarabel: An interior-point solver for conic programs with
//! quadratic objectives", 2024) solves  min ½zᵀPz + qᵀz  s.t.  Az + s = b, s ∈ K.  Here
//! z = (y, t) with y = x − c, P = 0, q = (0, …, 0, −1) and
//!
//! - one nonnegative row  ĝ_i·y + t ≤ ĥ_i  per half-space (unit normal, see `Row`);
//! - box:  y_j + t ≤ w_j  and  −y_j + t ≤ w_j  (2n nonnegative rows);
//! - L2 ball: the cone  (r − t, y) ∈ SOC(n + 1), i.e. ‖y‖₂ ≤ r − t.
//!
//! The domain rows bound t above (t ≤ min_j w_j, or t ≤ r), and t is free below, so the problem
//! is always feasible and bounded: the optimum is finite, and negative when P ∩ domain has an
//! empty interior. Clarabel has no warm start, so the problem is built from the stack per call.

use super::{interior_from_optimum, HalfSpace, Interior, InteriorSolver, Row};
use crate::domain::{Domain, Shape};
use crate::error::{Error, Result};
use clarabel::algebra::CscMatrix;
use clarabel::solver::{DefaultSettings, DefaultSolver, IPSolver, SolverStatus, SupportedConeT};

/// Relative and absolute duality-gap tolerance and primal/dual feasibility tolerance given to
/// Clarabel (its defaults are 1e-8). The returned radius is re-evaluated at the returned center
/// (see `interior_from_optimum`), so these bound only how far t* may fall short of the optimum.
pub const CLARABEL_TOL: f64 = 1e-9;

/// Clarabel's iteration limit (its default); hitting it is reported as an error.
pub const CLARABEL_MAX_ITER: u32 = 200;

/// An inscribed-ball solver backed by Clarabel. Holds the domain and the stack; each
/// [`InteriorSolver::max_inscribed_ball`] builds and solves a fresh conic problem.
#[derive(Clone, Debug, Default)]
pub struct ClarabelSolver {
    domain: Option<Domain>,
    stack: Vec<HalfSpace>,
    rows: Vec<Row>,
    calls: u64,
    /// The multipliers of the stack's rows at the last solve (see `stack_duals`).
    last_duals: Option<Vec<f64>>,
}

impl ClarabelSolver {
    /// An empty solver; call [`InteriorSolver::load`] before solving.
    pub fn new() -> Self {
        Self::default()
    }

    /// A solver loaded with `domain` and `halfspaces`.
    pub fn with_problem(domain: &Domain, halfspaces: &[HalfSpace]) -> Result<Self> {
        let mut s = Self::new();
        s.load(domain, halfspaces)?;
        Ok(s)
    }

    /// How many times [`InteriorSolver::max_inscribed_ball`] has called Clarabel.
    pub fn calls(&self) -> u64 {
        self.calls
    }
}

fn settings() -> DefaultSettings<f64> {
    DefaultSettings {
        verbose: false,
        max_iter: CLARABEL_MAX_ITER,
        tol_gap_abs: CLARABEL_TOL,
        tol_gap_rel: CLARABEL_TOL,
        tol_feas: CLARABEL_TOL,
        ..DefaultSettings::default()
    }
}

impl InteriorSolver for ClarabelSolver {
    fn name(&self) -> &'static str {
        "clarabel"
    }

    fn load(&mut self, domain: &Domain, halfspaces: &[HalfSpace]) -> Result<()> {
        let rows = halfspaces
            .iter()
            .map(|hs| Row::new(hs, domain.center().view()))
            .collect::<Result<Vec<_>>>()?;
        self.domain = Some(domain.clone());
        self.stack = halfspaces.to_vec();
        self.rows = rows;
        Ok(())
    }

    fn push(&mut self, halfspace: &HalfSpace) -> Result<()> {
        let domain = self.domain.as_ref().ok_or_else(not_loaded)?;
        self.rows.push(Row::new(halfspace, domain.center().view())?);
        self.stack.push(halfspace.clone());
        Ok(())
    }

    fn pop(&mut self) -> Result<()> {
        if self.stack.pop().is_none() {
            return Err(Error::solver(
                "clarabel",
                "pop on an empty stack of half-spaces",
            ));
        }
        self.rows.pop();
        Ok(())
    }

    fn depth(&self) -> usize {
        self.stack.len()
    }

    fn stack_duals(&mut self) -> Option<Vec<f64>> {
        self.take_duals()
    }

    fn max_inscribed_ball(&mut self) -> Result<Interior> {
        let domain = self.domain.as_ref().ok_or_else(not_loaded)?;
        self.last_duals = None;
        if self
            .rows
            .iter()
            .any(|r| matches!(r, Row::Constant { holds: false }))
        {
            // multiplier 1 on a never-satisfied constant row is the certificate
            self.last_duals = Some(
                self.rows
                    .iter()
                    .map(|r| f64::from(u8::from(matches!(r, Row::Constant { holds: false }))))
                    .collect(),
            );
            return Ok(Interior::Empty {
                radius: f64::NEG_INFINITY,
            });
        }
        let n = domain.dim();
        let t = n; // column of t
        let ConicProblem { a, b, cones } = conic_problem(&self.rows, domain);
        let p = CscMatrix::zeros((n + 1, n + 1));
        let mut q = vec![0.0; n + 1];
        q[t] = -1.0;
        let mut solver = DefaultSolver::new(&p, &q, &a, &b, &cones, settings())
            .map_err(|e| Error::solver("clarabel", format!("problem setup failed: {e}")))?;
        self.calls += 1;
        solver.solve();
        let sol = &solver.solution;
        match sol.status {
            SolverStatus::Solved | SolverStatus::AlmostSolved => {
                let tstar = sol.x[t];
                if !tstar.is_finite() || sol.x.iter().any(|v| !v.is_finite()) {
                    return Err(Error::solver("clarabel", format!("status {:?} with a non-finite solution", sol.status)));
                }
                self.last_duals = Some(row_duals(&self.rows, &sol.z));
                Ok(interior_from_optimum(domain, &self.stack, &sol.x[..n], tstar))
            }
            // t is free below, so the problem is feasible by construction (every constant row
            // was checked above): an infeasibility report is a numerical failure, and calling it
            // Empty could drop a region.
            other => Err(Error::solver(
                "clarabel",
                format!(
                    "status {other:?} after {} iterations on the inscribed-ball problem ({} half-spaces, dimension {n}); expected Solved",
                    sol.iterations,
                    self.stack.len()
                ),
            )),
        }
    }
}

/// The largest inscribed ball's conic program: max t over (z, t) with g_i·z + t ≤ rhs_i per
/// half-space row (‖g_i‖ = 1), and the domain's own constraint: 2n rows ±z_j + t ≤ w_j for a
/// box (all in the non-negative cone), or (r − t, c − z) in the second-order cone for an L2 ball.
struct ConicProblem {
    /// The constraint matrix A (m × (n + 1), column n is t) and right side b: s = b − A(z, t).
    a: CscMatrix<f64>,
    b: Vec<f64>,
    /// The cones of s, in row order.
    cones: Vec<SupportedConeT<f64>>,
}

/// Builds the [`ConicProblem`] of `rows` (their constant rows all hold) over `domain`.
fn conic_problem(rows: &[Row], domain: &Domain) -> ConicProblem {
    let n = domain.dim();
    let t = n; // column of t
    let (mut ri, mut cj, mut v, mut b) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut m = 0usize;
    for row in rows {
        if let Row::Unit { g, rhs } = row {
            for (j, &gj) in g.iter().enumerate() {
                if gj != 0.0 {
                    ri.push(m);
                    cj.push(j);
                    v.push(gj);
                }
            }
            ri.push(m);
            cj.push(t);
            v.push(1.0);
            b.push(*rhs);
            m += 1;
        }
    }
    let mut cones = Vec::new();
    match domain.shape() {
        Shape::Box { half_widths } => {
            for (j, &w) in half_widths.iter().enumerate() {
                for sign in [1.0, -1.0] {
                    ri.extend([m, m]);
                    cj.extend([j, t]);
                    v.extend([sign, 1.0]);
                    b.push(w);
                    m += 1;
                }
            }
            cones.push(SupportedConeT::NonnegativeConeT(m));
        }
        Shape::L2Ball { radius } => {
            if m > 0 {
                cones.push(SupportedConeT::NonnegativeConeT(m));
            }
            // s = b − Az = (r − t, y_0, …, y_{n−1}) ∈ SOC(n + 1).
            ri.push(m);
            cj.push(t);
            v.push(1.0);
            b.push(*radius);
            for j in 0..n {
                ri.push(m + 1 + j);
                cj.push(j);
                v.push(-1.0);
                b.push(0.0);
            }
            m += n + 1;
            cones.push(SupportedConeT::SecondOrderConeT(n + 1));
        }
    }
    ConicProblem {
        a: CscMatrix::new_from_triplets(m, n + 1, ri, cj, v),
        b,
        cones,
    }
}

/// The multipliers of the stack's rows from the conic duals `z`: the half-space rows come first
/// in `z`, one per Unit row, in stack order; a constant row gets 0.
fn row_duals(rows: &[Row], z: &[f64]) -> Vec<f64> {
    let mut k = 0;
    rows.iter()
        .map(|r| match r {
            Row::Unit { .. } => {
                k += 1;
                z[k - 1].max(0.0)
            }
            Row::Constant { .. } => 0.0,
        })
        .collect()
}

impl ClarabelSolver {
    /// The last solve's multipliers of the stack's rows (for `InteriorSolver::stack_duals`).
    fn take_duals(&mut self) -> Option<Vec<f64>> {
        self.last_duals.take()
    }
}

fn not_loaded() -> Error {
    Error::solver(
        "clarabel",
        "no problem loaded; call load(domain, half-spaces) first",
    )
}

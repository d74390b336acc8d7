//! Choosing a backend by name (`--solver highs|clarabel`) or by domain.

use super::{ClarabelSolver, HighsSolver, InteriorSolver};
use crate::domain::{Domain, Shape};
use crate::error::{Error, Field, Result};

/// The available backends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SolverKind {
    /// HiGHS dual simplex, warm-started on one reused instance; box domains only.
    Highs,
    /// Clarabel interior point; boxes (LP) and L2 balls (SOCP).
    Clarabel,
}

impl SolverKind {
    /// The name `--solver` takes.
    pub fn name(self) -> &'static str {
        match self {
            SolverKind::Highs => "highs",
            SolverKind::Clarabel => "clarabel",
        }
    }

    /// Whether this backend can solve problems on `domain`.
    pub fn supports(self, domain: &Domain) -> bool {
        match self {
            SolverKind::Highs => matches!(domain.shape(), Shape::Box { .. }),
            SolverKind::Clarabel => true,
        }
    }
}

impl std::fmt::Display for SolverKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for SolverKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "highs" => Ok(SolverKind::Highs),
            "clarabel" => Ok(SolverKind::Clarabel),
            other => Err(Error::invalid_value(
                Field::Solver,
                format!("'{other}'"),
                "highs or clarabel",
            )),
        }
    }
}

/// The fastest backend for `domain`: HiGHS (warm-started LP) for a box, Clarabel (SOCP) for an
/// L2 ball.
pub fn default_for(domain: &Domain) -> SolverKind {
    match domain.shape() {
        Shape::Box { .. } => SolverKind::Highs,
        Shape::L2Ball { .. } => SolverKind::Clarabel,
    }
}

/// A new solver of `kind` loaded with `domain` and no half-spaces. Errors if the backend does
/// not support the domain (HiGHS with an L2 ball). Each solver counts its own calls
/// ([`HighsSolver::calls`], [`ClarabelSolver::calls`]); through the trait object the caller
/// counts `max_inscribed_ball` calls itself.
pub fn make_solver(kind: SolverKind, domain: &Domain) -> Result<Box<dyn InteriorSolver>> {
    Ok(match kind {
        SolverKind::Highs => Box::new(HighsSolver::with_problem(domain, &[])?),
        SolverKind::Clarabel => Box::new(ClarabelSolver::with_problem(domain, &[])?),
    })
}

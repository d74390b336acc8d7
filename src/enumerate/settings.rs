//! The enumerator's settings, its streamed output and its result.

use crate::network::ActivationPattern;
use crate::solver::SolverKind;
use ndarray::Array1;
use num_bigint::BigUint;
use std::time::Duration;

/// How [`super::count_regions`] runs.
#[derive(Clone, Debug, PartialEq)]
pub struct CountSettings {
    /// Worker threads (a rayon pool of this size); 0 is treated as 1. The count never depends on it.
    pub threads: usize,
    /// Stop after this wall-clock time; the result is then a lower and an upper bound.
    pub time_limit: Option<Duration>,
    /// Stop after this many regions; the result is then a lower and an upper bound.
    pub max_regions: Option<u64>,
    /// The solver backend; `None` picks the default for the domain (`solver::default_for`).
    pub solver: Option<SolverKind>,
    /// Show a progress bar on stderr (regions found, open tasks, rate).
    pub progress: bool,
    /// Settle in exact rational arithmetic the decisions floating point cannot (see
    /// `FALLBACK_MAX_WORK`); when off, such a decision makes the count not exact.
    pub exact_fallback: bool,
    /// Record a certificate of the count (`CountResult::certificate`, docs/certificate.md).
    pub certificate: bool,
}

impl Default for CountSettings {
    fn default() -> Self {
        CountSettings {
            threads: 1,
            time_limit: None,
            max_regions: None,
            solver: None,
            progress: false,
            exact_fallback: true,
            certificate: false,
        }
    }
}

/// Receives every region as it is found, with a witness point in the network's input space:
/// the float nearest (per coordinate) the point c + s ⊙ u at which the region was proven (u in
/// the domain's unit coordinates, see README "Exactness"). For a region wider than the float grid
/// around c it lies in region ∩ domain; for a thinner one (or one near a face of a box that floats
/// can only enclose) it may fall a rounding outside — the proof was made on the exact point.
/// Called from worker threads, in no particular order; the enumerator keeps nothing per region,
/// so memory does not grow with the number of regions.
pub trait WitnessSink: Sync {
    /// One region: its witness (in the network's input space) and its activation pattern.
    fn region(&self, witness: &Array1<f64>, pattern: &ActivationPattern);
}

/// What [`super::count_regions`] found.
#[derive(Clone, Debug, PartialEq)]
pub struct CountResult {
    /// Regions found (each with a checked witness).
    pub regions: u64,
    /// True when the whole tree was explored and every decision behind the count was proven
    /// (README, "Exactness"): `regions` is the exact count.
    pub exact: bool,
    /// A lower bound on the count (= `regions`).
    pub lower: u64,
    /// An upper bound on the count: `regions` plus, for every unexplored node, a bound on the
    /// regions below it (equal to `regions` when exact).
    pub upper: BigUint,
    /// Calls of the solver (`max_inscribed_ball`).
    pub solver_calls: u64,
    /// Side decisions settled by closed-form tests (domain range, witness, ray search).
    pub decided_without_solver: u64,
    /// Decisions whose deciding radius fell within a factor `NEAR_FACTOR` of the interior
    /// tolerance, or whose witness needed a repair (see `interior`).
    pub near_tolerance: u64,
    /// Decisions that neither floating point nor the exact fallback settled; each left its part
    /// of the tree bounded, not explored, and any makes the count not exact.
    pub undecided: u64,
    /// Decisions made by the exact fallback, and their total time.
    pub exact_calls: u64,
    pub exact_time: Duration,
    /// Wall-clock time.
    pub elapsed: Duration,
    /// Worker threads used.
    pub threads: usize,
    /// Why the count is not exact (`"time limit"`, `"max regions"`, `"undecided: …"`,
    /// `"out of range: …"`), `None` when exact.
    pub stopped_by: Option<String>,
    /// The certificate's tree, when `CountSettings::certificate` asked for it (write it with
    /// [`super::certificate::CertificateTree::write`]).
    pub certificate: Option<super::certificate::CertificateTree>,
}

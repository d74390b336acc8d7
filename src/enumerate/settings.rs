//! The enumerator's settings, its streamed output and its result.

use super::control::{CancelToken, Observer, Stop};
use super::subproblem::Subproblem;
use crate::network::ActivationPattern;
use crate::solver::SolverKind;
use ndarray::Array1;
use num_bigint::BigUint;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// How a count runs: threads, limits, the solver, the exact fallback, a certificate, and the
/// caller's cancellation token and progress observer. Build it with the chained setters:
///
/// ```
/// use relu_regions::CountOptions;
/// use std::time::Duration;
/// let options = CountOptions::new().threads(2).time_limit(Duration::from_secs(60));
/// assert_eq!(options.threads, 2);
/// ```
#[derive(Clone)]
pub struct CountOptions {
    /// Worker threads (a rayon pool of this size); 0 is treated as 1. The count never depends on it.
    pub threads: usize,
    /// Stop after this wall-clock time; the outcome is then a lower and an upper bound.
    pub time_limit: Option<Duration>,
    /// Stop after this many regions; the outcome is then a lower and an upper bound.
    pub max_regions: Option<u64>,
    /// The solver backend; `None` picks the default for the domain (`solver::default_for`).
    pub solver: Option<SolverKind>,
    /// Settle in exact rational arithmetic the decisions floating point cannot (see
    /// `FALLBACK_MAX_WORK`); when off, such a decision makes the count not exact.
    pub exact_fallback: bool,
    /// Record a certificate of the count (`CountOutcome::certificate`, docs/certificate.md).
    pub certificate: bool,
    /// Stops the count early when tripped ([`Stop::Cancelled`](super::Stop::Cancelled)).
    pub cancel: Option<CancelToken>,
    /// Hears the count's progress (the CLI's progress bar).
    pub observer: Option<Arc<dyn Observer>>,
    /// When the count stops early (time limit, cancellation, region cap), return every node it
    /// leaves unexplored because of the stop as a [`Subproblem`] in
    /// [`CountOutcome::unfinished`], so that the rest can be counted later
    /// ([`super::count_subproblems`]). Not with `certificate`.
    pub frontier: bool,
}

impl Default for CountOptions {
    fn default() -> Self {
        CountOptions {
            threads: 1,
            time_limit: None,
            max_regions: None,
            solver: None,
            exact_fallback: true,
            certificate: false,
            cancel: None,
            observer: None,
            frontier: false,
        }
    }
}

impl CountOptions {
    /// One thread, no limits, the default solver, the exact fallback on, no certificate.
    pub fn new() -> Self {
        Self::default()
    }

    /// Worker threads (0 is treated as 1).
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = threads;
        self
    }

    /// Stop after `limit` of wall-clock time.
    pub fn time_limit(mut self, limit: Duration) -> Self {
        self.time_limit = Some(limit);
        self
    }

    /// Stop after `regions` regions.
    pub fn max_regions(mut self, regions: u64) -> Self {
        self.max_regions = Some(regions);
        self
    }

    /// The solver backend for the decisions the closed forms leave.
    pub fn solver(mut self, solver: SolverKind) -> Self {
        self.solver = Some(solver);
        self
    }

    /// Switch the exact rational fallback on or off.
    pub fn exact_fallback(mut self, on: bool) -> Self {
        self.exact_fallback = on;
        self
    }

    /// Record a certificate of the count.
    pub fn certificate(mut self, on: bool) -> Self {
        self.certificate = on;
        self
    }

    /// Stop early when `token` is tripped.
    pub fn cancel(mut self, token: CancelToken) -> Self {
        self.cancel = Some(token);
        self
    }

    /// Report progress to `observer`.
    pub fn observer(mut self, observer: Arc<dyn Observer>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// Return the unexplored nodes of an early stop as subproblems (see [`CountOptions::frontier`]).
    pub fn frontier(mut self, on: bool) -> Self {
        self.frontier = on;
        self
    }
}

impl fmt::Debug for CountOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CountOptions")
            .field("threads", &self.threads)
            .field("time_limit", &self.time_limit)
            .field("max_regions", &self.max_regions)
            .field("solver", &self.solver)
            .field("exact_fallback", &self.exact_fallback)
            .field("certificate", &self.certificate)
            .field("cancel", &self.cancel)
            .field("observer", &self.observer.as_ref().map(|_| "…"))
            .field("frontier", &self.frontier)
            .finish()
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

/// What a count found.
#[derive(Clone, Debug, PartialEq)]
pub struct CountOutcome {
    /// Regions found (each with a checked witness).
    pub regions: u64,
    /// True when the whole tree was explored and every decision behind the count was proven
    /// (README, "Exactness"): `regions` is the exact count. The same as `stop.is_exact()`.
    pub exact: bool,
    /// Why the count ended: [`Stop::Exact`], or why it is only a lower and an upper bound.
    pub stop: Stop,
    /// A lower bound on the count (= `regions`).
    pub lower: u64,
    /// An upper bound on the count: `regions` plus, for every unexplored node, a bound on the
    /// regions below it (equal to `regions` when exact).
    pub upper: BigUint,
    /// Calls of the solver (`max_inscribed_ball`).
    pub solver_calls: u64,
    /// Side decisions settled by closed-form tests (domain range, witness, node box, dual bound,
    /// ray search).
    pub decided_without_solver: u64,
    /// Decisions whose deciding radius fell within a factor `NEAR_FACTOR` of the interior
    /// tolerance, or whose witness needed a repair (see `interior`).
    pub near_tolerance: u64,
    /// Decisions that neither floating point nor the exact fallback settled; each left its part
    /// of the tree bounded, not explored, and any makes the count not exact.
    pub undecided: u64,
    /// Decisions made by the exact fallback, and their total time.
    pub exact_calls: u64,
    /// Total time of the exact fallback decisions (see `exact_calls`).
    pub exact_time: Duration,
    /// Wall-clock time.
    pub elapsed: Duration,
    /// Worker threads used.
    pub threads: usize,
    /// The certificate's tree, when `CountOptions::certificate` asked for it (write it with
    /// [`super::certificate::CertificateTree::write`]).
    pub certificate: Option<super::certificate::CertificateTree>,
    /// With [`CountOptions::frontier`]: every node left unexplored because the count stopped
    /// early, as a subproblem to count later; empty otherwise. Undecided parts are not in it
    /// (they stay undecided).
    pub unfinished: Vec<Subproblem>,
    /// A bound on the regions in the undecided parts alone (included in `upper`; 0 when
    /// `undecided` is 0). With `unfinished`, `regions + undecided_bound` bounds the finished part
    /// of the tree.
    pub undecided_bound: BigUint,
}

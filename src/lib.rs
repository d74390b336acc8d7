//! relu-regions: exact counts and certified bounds of the linear regions of ReLU networks inside
//! a ball or box around a point.
//!
//! Count the regions of a small network in the unit disk (three lines through it: seven regions):
//!
//! ```
//! use ndarray::array;
//! use relu_regions::{count, CountOptions, Domain, Layer, Network, Norm};
//! # fn main() -> relu_regions::Result<()> {
//! let hidden = Layer::new(array![[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], array![0.0, 0.0, -0.5]);
//! let net = Network::new(vec![hidden, Layer::new(array![[1.0, 1.0, 1.0]], array![0.0])])?;
//! let disk = Domain::ball(array![0.0, 0.0], 1.0, Norm::L2)?;
//! let outcome = count(&net, &disk, &CountOptions::new().threads(2))?;
//! assert_eq!((outcome.regions, outcome.stop.is_exact()), (7, true));
//! # Ok(())
//! # }
//! ```
//!
//! The facade, re-exported here:
//! - [`Network`] ([`Network::load`] reads ONNX, NNet or our JSON; [`Network::new`] from
//!   [`Layer`]s) and [`Domain`] (an L2 ball or L∞ box around a point, or a box by its bounds).
//! - [`count`] / [`count_with_witnesses`] (and [`count_many`] for many domains): the exact count, steered by [`CountOptions`] (threads,
//!   limits, solver, certificate, a [`CancelToken`], an [`Observer`] of [`Progress`]); its
//!   [`CountOutcome`] says why it ended ([`Stop`]) and carries the lower/upper sandwich.
//! - [`bound`]: the global bounds of the literature, the local analytic bound and, with
//!   [`BoundOptions`]' [`BoundMethod`], the LP, split or enumerated sandwich ([`BoundOutcome`]).
//! - [`Error`]: what can go wrong, with the file, field and value.
//!
//! The modules form a ladder, listed here from the bottom up: each one uses only modules listed
//! before it, never one after it (`tests/module_ladder.rs` checks this); `main.rs`, the command
//! line, stands on top of all of them.
//!
//! - [`error`]: the library's error type.
//! - [`cancel`]: stopping long work early (a cancellation token, a deadline).
//! - [`tolerance`]: every named numerical tolerance.
//! - [`dyadic`]: exact float ↔ rational conversions and power-of-two scaling.
//! - [`exact`]: exact rational decisions (pattern feasibility) behind the enumerator's fallback.
//! - [`network`]: the network model, its forward pass, activation patterns, affine maps and
//!   half-spaces of regions.
//! - [`domain`]: the L2 ball or box.
//! - [`points`]: centers from the command line, CSV, JSON or .npy.
//! - [`vnnlib`]: the input box of a VNN-LIB property.
//! - [`formats`]: readers and writers (JSON, ONNX, NNet) and [`formats::load_network`].
//! - [`solver`]: LP / SOCP backends behind one trait (HiGHS, Clarabel).
//! - [`bounds`]: the global bounds of the literature and the local bounds in a ball.
//! - [`check`]: the independent exact checker of region-count certificates (docs/certificate.md).
//! - [`enumerate`]: the exact branch-and-bound region counter.
//! - [`sandwich`]: the bounds that run the enumerator: the split bound and the anytime sandwich.
//! - [`slice`](mod@slice), [`plot`]: exact pictures of the regions in a 2-D slice; bounds against the radius.
//! - [`train`]: a small seeded MLP trainer, its data sets, the distance to a region's boundary and
//!   the training-dynamics experiment.
//! - [`inputs`], [`report`]: what the command line resolves and prints (text and JSON).

#![warn(missing_docs)]

pub mod bounds;
pub mod cancel;
pub mod check;
pub mod domain;
pub mod dyadic;
pub mod enumerate;
pub mod error;
pub mod exact;
pub mod formats;
pub mod inputs;
pub mod network;
pub mod plot;
pub mod points;
#[cfg(feature = "python")]
mod python;
pub mod report;
pub mod sandwich;
pub mod slice;
pub mod solver;
pub mod tolerance;
pub mod train;
pub mod vnnlib;

pub use domain::{Domain, Norm, Shape};
pub use enumerate::{
    count_subproblems, estimate_sizes, merge, split, split_balanced, CancelToken, CountOptions,
    CountOutcome, Observer, Progress, SplitGroup, Stop, Subproblem, Undecided, WitnessSink,
};
pub use error::{Error, Field, Result};
pub use network::{ActivationPattern, AffineMap, InputNormalization, Layer, Network};
pub use sandwich::{BoundMethod, BoundOptions, BoundOutcome};

/// Counts exactly the linear regions of `net` meeting the open `domain`: the activation patterns
/// whose region has an interior point inside the domain, each proven by a witness point
/// (docs/exactness.md). The outcome is exact when `outcome.stop` is [`Stop::Exact`]; a time
/// limit, a region cap, a cancellation or an unprovable decision leaves an honest sandwich
/// `lower ≤ count ≤ upper`.
///
/// Errors when the domain's dimension differs from the network's input, the chosen solver does
/// not support the domain's norm, or a solver fails.
pub fn count(net: &Network, domain: &Domain, options: &CountOptions) -> Result<CountOutcome> {
    enumerate::count_regions(net, domain, options, None)
}

/// [`count`], passing every region found to `witnesses` (from the worker threads, in no
/// particular order) with a witness point and its activation pattern; memory does not grow with
/// the number of regions.
pub fn count_with_witnesses(
    net: &Network,
    domain: &Domain,
    options: &CountOptions,
    witnesses: &dyn WitnessSink,
) -> Result<CountOutcome> {
    enumerate::count_regions(net, domain, options, Some(witnesses))
}

/// [`count`] in each of `domains` (balls around many points, say), in parallel over the domains on
/// `options.threads` workers, each count on one worker; a time limit or region cap applies to
/// each count, the observer is not called. The outcomes come in the order of the domains.
///
/// ```
/// use ndarray::array;
/// use relu_regions::{count, count_many, CountOptions, Domain, Network, Norm};
/// # fn main() -> relu_regions::Result<()> {
/// let net = Network::load("data/moons-2-16-16-1.json")?;
/// let balls = [array![0.3, -0.2], array![1.0, 0.5]].map(|c| Domain::ball(c, 0.25, Norm::L2));
/// let balls = balls.into_iter().collect::<relu_regions::Result<Vec<_>>>()?;
/// let each = count_many(&net, &balls, &CountOptions::new().threads(2))?;
/// assert_eq!(each[1].regions, count(&net, &balls[1], &CountOptions::new())?.regions);
/// # Ok(())
/// # }
/// ```
pub fn count_many(
    net: &Network,
    domains: &[Domain],
    options: &CountOptions,
) -> Result<Vec<CountOutcome>> {
    enumerate::count_regions_each(net, domains, options, None)
}

/// [`count_many`], passing the regions of `domains[k]` to `witnesses[k]` (one sink per domain).
pub fn count_many_with_witnesses(
    net: &Network,
    domains: &[Domain],
    options: &CountOptions,
    witnesses: &[&dyn WitnessSink],
) -> Result<Vec<CountOutcome>> {
    enumerate::count_regions_each(net, domains, options, Some(witnesses))
}

/// Bounds on the number of linear regions of `net` meeting the open `domain`: the global bounds of
/// the literature, the local analytic bound, and with `options.method` the LP-tightened bound,
/// the split bound or the enumerator, within `options.time_limit`. Every upper bound is certified
/// (docs/math.md#2-bounds); `outcome.lower ≤ N ≤ outcome.upper`, exact when they meet.
///
/// ```
/// use ndarray::array;
/// use relu_regions::{bound, BoundMethod, BoundOptions, Domain, Network, Norm};
/// # fn main() -> relu_regions::Result<()> {
/// let net = Network::load("data/moons-2-16-16-1.json")?;
/// let ball = Domain::ball(array![0.3, -0.2], 0.25, Norm::L2)?;
/// let b = bound(&net, &ball, &BoundOptions::new(BoundMethod::Lp))?;
/// assert!(b.upper <= b.analytic.value && b.analytic.value <= b.global.serra2018);
/// # Ok(())
/// # }
/// ```
pub fn bound(net: &Network, domain: &Domain, options: &BoundOptions) -> Result<BoundOutcome> {
    sandwich::anytime_bounds(net, domain, options)
}

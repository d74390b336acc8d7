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
//! - [`count`] / [`count_with_witnesses`]: the exact count, steered by [`CountOptions`] (threads,
//!   limits, solver, certificate, a [`CancelToken`], an [`Observer`] of [`Progress`]); its
//!   [`CountOutcome`] says why it ended ([`Stop`]) and carries the lower/upper sandwich.
//! - [`bounds`]: the analytic bounds ([`bounds::local_analytic`], the global ones).
//! - [`Error`]: what can go wrong, with the file, field and value.
//!
//! The modules, from the bottom of the ladder up:
//!
//! - [`network`]: the network model, its forward pass, activation patterns, affine maps on regions.
//! - [`formats`]: readers and writers (JSON, ONNX, NNet) and [`formats::load_network`].
//! - [`points`]: centers from the command line, CSV, JSON or .npy.
//! - [`domain`]: the L2 ball or box.
//! - [`dyadic`]: exact float ↔ rational conversions and power-of-two scaling.
//! - [`vnnlib`]: the input box of a VNN-LIB property.
//! - [`bounds`]: the global bounds of the literature and the local bounds in a ball.
//! - [`solver`]: LP / SOCP backends behind one trait (HiGHS, Clarabel).
//! - [`enumerate`]: the exact branch-and-bound region counter.
//! - [`check`]: the independent exact checker of region-count certificates (docs/certificate.md).
//! - [`exact`]: exact rational decisions (pattern feasibility) behind its fallback.
//! - [`slice`](mod@slice), [`plot`]: exact pictures of the regions in a 2-D slice; bounds against the radius.
//! - [`inputs`], [`report`]: what the command line resolves and prints (text and JSON).
//! - [`tolerance`]: every named numerical tolerance.
//! - [`train`]: a small seeded MLP trainer, its data sets, the distance to a region's boundary and
//!   the training-dynamics experiment.

#![warn(missing_docs)]

// TODO(issue 13): document `AnytimeSettings::method`, the `AnytimeBounds` fields
// (src/bounds/anytime.rs) and `SplitBound::{value, stages}` (src/bounds/split.rs), then drop
// this allow (those files are being moved concurrently).
#[allow(missing_docs)]
pub mod bounds;
pub mod check;
pub mod domain;
pub mod dyadic;
pub mod enumerate;
pub mod error;
pub mod exact;
pub mod formats;
pub mod inputs;
// TODO(issue 13): document `Layer` (fields, `new`, `input_dim`, `output_dim`) in
// src/network/mod.rs, then drop this allow (that file is being edited concurrently).
#[allow(missing_docs)]
pub mod network;
pub mod plot;
pub mod points;
pub mod report;
pub mod slice;
pub mod solver;
pub mod tolerance;
pub mod train;
pub mod vnnlib;

pub use domain::{Domain, Norm, Shape};
pub use enumerate::{
    CancelToken, CountOptions, CountOutcome, Observer, Progress, Stop, Undecided, WitnessSink,
};
pub use error::{Error, Field, Result};
pub use network::{ActivationPattern, AffineMap, InputNormalization, Layer, Network};

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

//! relu-regions: exact counts and certified bounds of the linear regions of ReLU networks inside
//! a ball or box around a point.
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
//! - [`sandwich`]: the bounds that run the enumerator: the split bound and the anytime sandwich.
//! - [`check`]: the independent exact checker of region-count certificates (docs/certificate.md).
//! - [`exact`]: exact rational decisions (pattern feasibility) behind its fallback.
//! - [`slice`](mod@slice), [`plot`]: exact pictures of the regions in a 2-D slice; bounds against the radius.
//! - [`inputs`], [`report`]: what the command line resolves and prints (text and JSON).
//! - [`tolerance`]: every named numerical tolerance.
//! - [`train`]: a small seeded MLP trainer, its data sets, the distance to a region's boundary and
//!   the training-dynamics experiment.

pub mod bounds;
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
pub mod report;
pub mod sandwich;
pub mod slice;
pub mod solver;
pub mod tolerance;
pub mod train;
pub mod vnnlib;

pub use domain::{Domain, Norm, Shape};
pub use error::{Error, Result};
pub use network::{ActivationPattern, AffineMap, InputNormalization, Layer, Network};

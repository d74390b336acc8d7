//! relu-regions: exact counts and certified bounds of the linear regions of ReLU networks inside
//! a ball or box around a point.
//!
//! The modules form a ladder, listed here from the bottom up: each one uses only modules listed
//! before it, never one after it (`tests/module_ladder.rs` checks this); `main.rs`, the command
//! line, stands on top of all of them.
//!
//! - [`error`]: the library's error type.
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

//! A small, deterministic trainer for fully connected ReLU networks (no Python), the data sets it
//! trains on, the exact distance from a point to its region's boundary, and the training-dynamics
//! experiment that tests the findings of Zhu, Lin & Tang (2020).
//!
//! - [`data`]: digits (and their PCA), two moons, Gaussian blobs, seeded splits.
//! - [`pca`]: PCA by a Jacobi eigen-solver.
//! - [`trainer`]: mini-batch Adam on softmax cross-entropy, [`train`].
//! - [`distance`]: the exact distance to the region boundary, [`boundary_distance`].
//! - [`dynamics`]: the training-dynamics experiment, [`run_dynamics`].
//! - [`points_experiment`]: the points experiment, [`run_points`].
//! - [`stats`], [`chart`]: quantiles, sign test, Mann–Whitney U; median/IQR charts.

pub mod chart;
pub mod data;
pub mod distance;
pub mod dynamics;
pub mod pca;
pub mod points_experiment;
pub mod stats;
pub mod trainer;

pub use data::{digits, digits_pca, gaussian_blobs, two_moons, Dataset};
pub use distance::{boundary_distance, BoundaryDistance};
pub use dynamics::{run_dynamics, DataChoice, DynamicsSettings, DynamicsSummary};
pub use pca::{symmetric_eigen, Pca};
pub use points_experiment::{run_points, run_points_over_seeds, PointsSettings, PointsSummary};
pub use trainer::{evaluate, train, EpochCallback, EpochRecord, TrainResult, TrainSettings};

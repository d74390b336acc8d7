//! Exact pictures of the linear regions of a ReLU network on a 2-D slice of its input space.
//!
//! The slice is the affine plane {c + s u + t v} through the center c with orthonormal
//! directions u, v ([`plane`]); the network restricted to it is again a ReLU network, with two
//! inputs ([`Plane::restrict`]). Its regions inside the domain restricted to the plane (a disc for
//! L2, a polygon for L∞) are counted by the exact enumerator, and each region's polygon is built
//! exactly from its activation pattern ([`regions`]).

pub mod compute;
pub mod plane;
pub mod polygon;
pub mod radii;
pub mod regions;

pub use compute::{compute_slice, Slice, SliceReport, SliceSettings};
pub use plane::{plane_spec_from_args, Plane, PlaneSpec};
pub use polygon::{circumscribed_excess, Polygon};
pub use radii::parse_radii;
pub use regions::{polygons_from_witnesses, region_polygon, split_regions, SliceRegion};

/// Number of vertices of the regular polygon circumscribed about the L2 disc (one per 0.25°).
pub const CIRCLE_VERTICES: usize = 1440;

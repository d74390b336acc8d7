//! Bounds that run the exact enumerator: above [`crate::enumerate`], which itself uses the
//! analytic bounds of [`crate::bounds`].
//!
//! - [`split`]: exact regions of the first k layers, an LP-tightened bound inside each.
//! - [`anytime`]: the best certified upper and lower bounds within a time limit (the sandwich
//!   lower ≤ N ≤ upper), from the analytic, LP and split bounds and the enumerator.

pub mod anytime;
pub mod split;

pub use anytime::{anytime_bounds, BoundMethod, BoundOptions, BoundOutcome};
pub use split::{local_split, SplitBound, SplitStage};

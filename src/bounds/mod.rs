//! Analytic bounds on the number of linear regions (docs/math.md#2-bounds), as exact big integers.
//!
//! - [`combinatorics`]: binomials, Zaslavsky's count, log10 of huge values.
//! - [`global`]: Montúfar 2017 and Serra, Tjandraatmadja & Ramalingam 2018 on all of R^{n0}.
//! - [`jset`]: the J-set count with stable units, for a domain or an enumerator's open node.
//! - [`enclosure`]: enclosures of the domain's image layer by layer, deciding stable units.
//! - [`local`]: the local bound in a ball or box.
//! - [`lp`]: the LP-tightened local bound (certified LP bounds of every unit).
//!
//! The bounds that call the exact enumerator (the split bound and the anytime sandwich) are in
//! [`crate::sandwich`], above [`crate::enumerate`].

pub mod combinatorics;
pub mod enclosure;
pub mod global;
pub mod jset;
pub mod local;
pub mod lp;
pub(crate) mod opnorm;

pub use combinatorics::{binomial, log10, zaslavsky};
pub use enclosure::{enclose, LayerEnclosure, Stability};
pub use global::{global_bounds, montufar2017, serra2018, GlobalBounds};
pub use jset::{jset_bound, local_bound_from_layer, LayerCounts};
pub use local::{local_analytic, LayerStability, LocalBound};
pub use lp::{local_lp, LpBound};

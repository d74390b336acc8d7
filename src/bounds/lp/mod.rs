//! The LP-tightened local bound (docs/math.md#25-the-lp-tightened-local-bound): per-unit
//! pre-activation
//! bounds over the domain from LPs over the triangle relaxation of the network, layer by layer,
//! then the J-set count with the stable units removed.
//!
//! - [`relaxation`]: the LP of a chain of layers over P ∩ domain and the certified bound from
//!   its duals (Neumaier & Shcherbina 2004), so no floating-point optimum is trusted.
//! - [`highs_lp`]: one HiGHS instance per layer, objectives changed in place (warm start).
//!
//! Why `highs-sys` directly and not `good_lp`: good_lp builds a new model for every objective
//! (no warm start, docs/math.md#36-the-solver-question) and its HiGHS backend does not expose
//! the row duals this module
//! needs for the certified bound; the crate already links `highs-sys` 1.16 (src/solver/highs.rs).

pub mod certificate;
pub mod highs_lp;
pub mod relaxation;

use super::enclosure::{enclose, LayerEnclosure, Stability};
use super::global::serra2018;
use super::jset::{jset_bound, LayerCounts};
use crate::cancel::StopAt;
use crate::domain::Domain;
use crate::error::{Error, Result};
use crate::network::Network;
use certificate::Recorder;
use num_bigint::BigUint;
use relaxation::{chain_bounds_recorded, Chain, LpStats, UnitBounds};
use std::time::Instant;

/// The LP-tightened local bound, the per-layer stability behind it and the certified
/// per-unit bounds (reused by the split bound).
#[derive(Clone, Debug, PartialEq)]
pub struct LpBound {
    /// The upper bound on the number of regions meeting the domain.
    pub value: BigUint,
    /// Per hidden layer, input side first: the stability counts under the LP bounds.
    pub layers: Vec<LayerCounts>,
    /// Per hidden layer: the certified bounds on each unit's pre-activation.
    pub bounds: Vec<UnitBounds>,
    /// LPs solved and units skipped for time.
    pub stats: LpStats,
}

/// Converts per-unit bounds into the counts [`jset_bound`] takes.
///
/// `tied[l][u]`: unit u of that layer is a copy or a mirror (`crate::network::ties`); an
/// unstable one is counted as [`LayerCounts::tied`] (it splits no region of its own).
pub(crate) fn layer_counts(bounds: &[UnitBounds], tied: &[Vec<bool>]) -> Vec<LayerCounts> {
    bounds
        .iter()
        .zip(tied)
        .map(|(b, t)| {
            let tied = super::local::tied_unstable(&b.stability, t);
            LayerCounts {
                width: b.stability.len(),
                unstable: b.count(Stability::Unstable) - tied,
                stably_active: b.count(Stability::Active),
                stably_inactive: b.count(Stability::Inactive),
                tied,
            }
        })
        .collect()
}

/// Upper bound on the number of linear regions meeting the open `domain` (L2 ball or box):
///
/// N(domain) ≤ min( jset_bound(n_0, (m_l, A_l, I_l, T_l)_l), serra2018(n_0, widths) ),
///
/// as [`super::local_analytic`] (T_l the unstable units that are tied: copies and mirrors,
/// [`super::jset::LayerCounts::tied`]), but with the stable units decided by certified LP bounds over
/// the triangle relaxation ([`relaxation::chain_bounds`]) intersected with the analytic
/// enclosures ([`super::enclose`]): every unit stable there stays stable, so the value is never
/// above `local_analytic`. Layer 1 is exact (closed form over the ball or box); layer l ≥ 2 is
/// bounded by two LPs per unit that the intervals leave unstable, over the relaxation of layers
/// < l. After `deadline`, no further LP is solved (the remaining units keep interval bounds).
/// Errors when the domain's dimension is not the network's input dimension, or HiGHS fails.
pub fn local_lp(net: &Network, domain: &Domain, deadline: Option<Instant>) -> Result<LpBound> {
    local_lp_until(net, domain, &StopAt::deadline_only(deadline))
}

/// [`local_lp`] until `stop` (a deadline or a tripped cancellation token): from then on no LP is
/// solved and the remaining units keep their interval bounds (the value stays certified).
pub fn local_lp_until(net: &Network, domain: &Domain, stop: &StopAt) -> Result<LpBound> {
    same_dimension(net, domain)?;
    let enclosures = enclose(net, domain)?;
    local_lp_with(net, domain, stop.clone(), enclosures, None)
}

/// Errors unless the domain lives in the network's input space.
pub(crate) fn same_dimension(net: &Network, domain: &Domain) -> Result<()> {
    if domain.dim() != net.input_dim() {
        return Err(Error::invalid(format!(
            "domain center has {} coordinates; expected {} (the network's input dimension)",
            domain.dim(),
            net.input_dim()
        )));
    }
    Ok(())
}

/// [`local_lp`] from the domain's enclosures, the proofs of its bounds handed to `rec` when
/// given (see [`certificate`]; without a recorder the result is [`local_lp`]'s).
pub(crate) fn local_lp_with(
    net: &Network,
    domain: &Domain,
    stop: StopAt,
    enclosures: Vec<LayerEnclosure>,
    rec: Option<&mut Recorder>,
) -> Result<LpBound> {
    let prior: Vec<UnitBounds> = enclosures
        .into_iter()
        .map(|e| UnitBounds {
            lower: e.lower.to_vec(),
            upper: e.upper.to_vec(),
            stability: e.stability,
        })
        .collect();
    let first = net.first_layer_map();
    let chain = Chain {
        domain,
        rows: &[],
        first: &first,
        rest: &net.hidden_layers()[1..],
        prior: &prior,
        stop,
    };
    let (bounds, stats) = chain_bounds_recorded(&chain, rec)?;
    let layers = layer_counts(&bounds, &crate::network::ties::tied_units(net));
    let local = jset_bound(net.input_dim(), &layers);
    let global = serra2018(net.input_dim(), &net.hidden_widths());
    Ok(LpBound {
        value: local.min(global),
        layers,
        bounds,
        stats,
    })
}

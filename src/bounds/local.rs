//! The local analytic bound on the number of regions meeting a ball or box
//! (docs/math.md#24-the-local-analytic-bound).

use super::enclosure::{enclose, Stability};
use super::global::serra2018;
use super::jset::{jset_bound, LayerCounts};
use crate::domain::Domain;
use crate::error::Result;
use crate::network::ties::tied_units;
use crate::network::Network;
use num_bigint::BigUint;

/// The units of a layer that are unstable but tied (`tied[u]`, from
/// `crate::network::ties::tied_units`): counted as [`LayerCounts::tied`] instead.
pub(crate) fn tied_unstable(stability: &[Stability], tied: &[bool]) -> usize {
    stability
        .iter()
        .zip(tied)
        .filter(|(s, &t)| t && **s == Stability::Unstable)
        .count()
}

/// What the enclosures prove about one hidden layer on the domain.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerStability {
    /// Number of units in the layer.
    pub width: usize,
    /// Units whose pre-activation may take either sign on the domain.
    pub unstable: usize,
    /// Units with pre-activation ≥ 0 on the whole domain.
    pub stably_active: usize,
    /// Units with pre-activation ≤ 0 on the whole domain.
    pub stably_inactive: usize,
    /// Units that may change sign on the domain but are tied to another unit (copies and
    /// mirrors, [`LayerCounts::tied`]): they split no region of their own.
    pub tied: usize,
    /// Radius of the enclosing ball of this layer's post-activations, in the domain's norm
    /// (L2 for an L2 ball, L∞ for a box).
    pub radius: f64,
}

impl LayerStability {
    /// The counts in the form [`jset_bound`] takes.
    pub fn counts(&self) -> LayerCounts {
        LayerCounts {
            width: self.width,
            unstable: self.unstable,
            stably_active: self.stably_active,
            stably_inactive: self.stably_inactive,
            tied: self.tied,
        }
    }
}

/// The local bound and the per-layer stability behind it.
#[derive(Clone, Debug, PartialEq)]
pub struct LocalBound {
    /// The upper bound on the number of regions meeting the domain.
    pub value: BigUint,
    /// Per hidden layer, input side first: the stability counts and enclosing radius.
    pub layers: Vec<LayerStability>,
}

/// Upper bound on the number of linear regions whose interior meets the open domain (an L2
/// ball, an L∞ ball or a general box):
///
/// N(domain) ≤ min( jset_bound(n_0, (m_l, A_l, I_l, T_l)_l), serra2018(n_0, widths) ),
///
/// where m_l, A_l, I_l are the unstable (and not tied), stably active and stably inactive units
/// of layer l, T_l the unstable units tied to another (copies and mirrors, which split no region:
/// [`LayerCounts::tied`]),
/// decided by the enclosures of [`super::enclosure::enclose`] (exact on layer 1; interval bound
/// propagation and an enclosing ball with a certified operator-norm bound after it, with
/// rounding accounted for and the stability margin of crate::tolerance). See
/// [`jset_bound`] for the counting argument (Serra, Tjandraatmadja & Ramalingam 2018, Theorem 1;
/// stable units as in Serra & Ramalingam 2020).
///
/// Errors when the domain's dimension is not the network's input dimension.
pub fn local_analytic(net: &Network, domain: &Domain) -> Result<LocalBound> {
    let enclosures = enclose(net, domain)?;
    let tied = tied_units(net);
    let layers: Vec<LayerStability> = enclosures
        .iter()
        .zip(&tied)
        .map(|(e, t)| {
            let tied = tied_unstable(&e.stability, t);
            LayerStability {
                width: e.stability.len(),
                unstable: e.count(Stability::Unstable) - tied,
                stably_active: e.count(Stability::Active),
                stably_inactive: e.count(Stability::Inactive),
                tied,
                radius: e.radius,
            }
        })
        .collect();
    let counts: Vec<LayerCounts> = layers.iter().map(LayerStability::counts).collect();
    let local = jset_bound(net.input_dim(), &counts);
    let global = serra2018(net.input_dim(), &net.hidden_widths());
    Ok(LocalBound {
        value: local.min(global),
        layers,
    })
}

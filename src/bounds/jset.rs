//! The J-set count of Serra, Tjandraatmadja & Ramalingam (2018), generalized to layers whose
//! units are partly known to be stable on the set of interest (Serra & Ramalingam 2020).

use super::combinatorics::{binomial_row, prefix_sums};
use num_bigint::BigUint;
use num_traits::{One, Zero};

/// The stability counts of one hidden layer on a set K of inputs.
///
/// Contract (what [`jset_bound`] relies on): every unit counted in `stably_active` has
/// pre-activation ≥ 0 on all of K, every unit counted in `stably_inactive` has pre-activation
/// ≤ 0 on all of K, every unit counted in `tied` is a copy or a mirror unit
/// (`crate::network::ties`); every other unit must be counted in `unstable`. Over-counting
/// `unstable` (calling a stable or tied unit unstable) only loosens the bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LayerCounts {
    /// Number of units in the layer.
    pub width: usize,
    /// Units whose pre-activation may take either sign on K.
    pub unstable: usize,
    /// Units with pre-activation ≥ 0 on all of K.
    pub stably_active: usize,
    /// Units with pre-activation ≤ 0 on all of K.
    pub stably_inactive: usize,
    /// Units not counted above that are tied to another unit: a copy (row c·e_i on unit i of
    /// the layer before, c > 0, bias 0) or a mirror (row and bias −c times an earlier unit's of
    /// the same layer, c > 0). On a region R of the layers before, a copy's pre-activation is
    /// c·relu(z_i) with z_i of one strict sign on int R (or ≡ 0), so it never changes sign on
    /// F(R); a mirror's is −c times its source's, so once the source's sign is fixed on a cell
    /// it changes sign only on {z_source = 0}, which has no interior unless z_source ≡ 0 (then
    /// both are 0). Either way it splits no cell of the units before it: the cells of the layer
    /// are those of its untied units, and the lemma below labels them with subsets of those.
    /// It may still be active, so it stays in n_l − I_l.
    pub tied: usize,
}

impl LayerCounts {
    /// A layer of `width` units, none known to be stable (the global setting).
    pub fn all_unstable(width: usize) -> Self {
        LayerCounts {
            width,
            unstable: width,
            stably_active: 0,
            stably_inactive: 0,
            tied: 0,
        }
    }
}

/// Upper bound on the number of linear regions of hidden layers 1..L on an open convex set K of
/// dimension ≤ `input_dim` (e.g. an open ball or box in R^{n0}; or, for an enumerator, the image
/// of an open region of the first k layers, with `input_dim` the rank of that region's map and
/// `layers` the counts of the remaining layers on it), where a region is an activation pattern
/// of these layers whose set of inputs in K has non-empty interior:
///
/// N(K) ≤ Σ_{(j_1..j_L) ∈ J} Π_l C(m_l, j_l),
/// J = {0 ≤ j_l ≤ min(m_l, d_{l−1})}, d_0 = input_dim, d_l = min(d_{l−1}, n_l − I_l − j_l),
///
/// with m_l the unstable and I_l the stably inactive units of layer l (see [`LayerCounts`]).
/// With no stable unit (m_l = n_l, I_l = 0) this is exactly Theorem 1 of Serra, Tjandraatmadja &
/// Ramalingam, "Bounding and counting linear regions of deep neural networks", ICML 2018.
///
/// Derivation (the same argument as Serra et al. 2018, with the stable units of Serra &
/// Ramalingam 2020, AAAI, "Empirical bounds on linear regions of deep rectifier networks"):
/// 1. Lemma. Let K be a relatively open convex set of dimension d and h_1..h_m affine functions;
///    a cell is a non-empty set {x ∈ K : sign pattern of h = p} with non-empty relative interior.
///    There is an injection T from cells to subsets of the hyperplanes that cut K, with
///    |T(C)| ≤ d and T(C) ⊆ {i : h_i ≤ 0 on C}. Proof by induction on m + d: add h_m; a cell C it
///    does not cut keeps T(C); a cut cell splits into C⁺ (keeps T(C)) and C⁻, and C ∩ {h_m = 0}
///    is a cell of the arrangement restricted to the (d−1)-dimensional set K ∩ {h_m = 0}, whose
///    injection T' gives C⁻ ↦ T'(C ∩ {h_m = 0}) ∪ {m}. Sets with and without m never collide.
/// 2. Layer l acts on a region R of layers < l through the image F(R) of R, a relatively open
///    convex set of dimension ≤ d_{l−1}(R); the sub-regions of R are the cells of layer l's units
///    on F(R). Only unstable units cut (tied units split no cell, see [`LayerCounts::tied`]:
///    the cells are those of the untied units), so T maps into the m_l unstable units: at most C(m_l, j)
///    sub-regions have |T| = j, with j ≤ min(m_l, d_{l−1}). Such a sub-region has at least j
///    inactive unstable units and I_l stably inactive ones, so at most n_l − I_l − j active
///    units, and its image after the ReLU has dimension ≤ min(d_{l−1}, n_l − I_l − j).
/// 3. The chain (T_1, …, T_L) identifies a region; counting chains by their sizes gives the sum.
///
/// Computed by dynamic programming over the layers with the current dimension cap as the state
/// (at most input_dim + 1 states), never by enumerating tuples.
/// If the counts of a layer do not add up to its width, the missing units are treated as unstable.
pub fn jset_bound(input_dim: usize, layers: &[LayerCounts]) -> BigUint {
    // counts[d] = Σ over partial tuples with cap d of Π C(m_l, j_l)
    let mut counts: Vec<BigUint> = vec![BigUint::zero(); input_dim + 1];
    counts[input_dim] = BigUint::one();
    for layer in layers {
        let m = layer
            .unstable
            .max(
                layer
                    .width
                    .saturating_sub(layer.stably_active + layer.stably_inactive + layer.tied),
            )
            .min(layer.width);
        let inactive = layer.stably_inactive.min(layer.width - m);
        // n_l − I_l: the units that may be active; ≥ m, so the cap n_l − I_l − j never underflows
        let may_be_active = layer.width - inactive;
        // j never exceeds the largest cap, input_dim
        let row = binomial_row(m, input_dim);
        let prefix = prefix_sums(&row);
        let mut next: Vec<BigUint> = vec![BigUint::zero(); input_dim + 1];
        // a tuple (d, j) keeps the cap d when j ≤ may_be_active − d (a prefix sum of the row) …
        for (d, c) in counts.iter().enumerate() {
            if c.is_zero() {
                continue;
            }
            let jmax = d.min(m);
            if may_be_active >= d {
                next[d] += c * &prefix[jmax.min(may_be_active - d)];
            }
        }
        // … and otherwise moves to cap may_be_active − j, which depends on j alone: every state
        // d ≥ max(j, may_be_active + 1 − j) sends C(m, j)·counts[d] there, so one product with
        // a suffix sum of the counts per j (O(input_dim + m) products per layer, not their product)
        let mut suffix: Vec<BigUint> = vec![BigUint::zero(); input_dim + 2];
        for d in (0..=input_dim).rev() {
            suffix[d] = &suffix[d + 1] + &counts[d];
        }
        for j in 0..=m.min(input_dim) {
            let lowest = j.max(may_be_active + 1 - j);
            if lowest <= input_dim && !suffix[lowest].is_zero() {
                next[may_be_active - j] += &row[j] * &suffix[lowest];
            }
        }
        counts = next;
    }
    counts.iter().sum()
}

/// Bound of [`jset_bound`] for the layers `from..` of a network, given the dimension cap of the
/// set they act on: e.g. the rank of the affine map of an open region of layers `..from`
/// (at most n_0), and the stability counts of the remaining layers on that region's image.
pub fn local_bound_from_layer(dim_cap: usize, layers: &[LayerCounts], from: usize) -> BigUint {
    jset_bound(dim_cap, layers.get(from..).unwrap_or(&[]))
}

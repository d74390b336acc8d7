//! Global bounds of the literature on the number of linear regions of a ReLU network on R^{n0}.

use super::combinatorics::zaslavsky;
use super::jset::{jset_bound, LayerCounts};
use num_bigint::BigUint;
use num_traits::One;

/// Montúfar 2017 ("Notes on the number of linear regions of deep neural networks"):
/// N ≤ Π_{l=1}^{L} Σ_{j=0}^{d_l} C(n_l, j), d_l = min(n_0, n_1, …, n_l).
pub fn montufar2017(n0: usize, widths: &[usize]) -> BigUint {
    let mut d = n0;
    let mut product = BigUint::one();
    for &n in widths {
        d = d.min(n);
        product *= zaslavsky(n, d);
    }
    product
}

/// Serra, Tjandraatmadja & Ramalingam 2018 ("Bounding and counting linear regions of deep neural
/// networks", ICML), Theorem 1: N ≤ Σ_{(j_1..j_L) ∈ J} Π_l C(n_l, j_l),
/// J = {0 ≤ j_l ≤ min(n_0, n_1 − j_1, …, n_{l−1} − j_{l−1}, n_l)}.
/// Tight for L = 1. For n_0 = 1 it is Π(n_l + 1) only when every hidden layer but the last has
/// at least two units (widths (1, 1) give 3, not 4). Computed by [`jset_bound`] with every unit unstable.
pub fn serra2018(n0: usize, widths: &[usize]) -> BigUint {
    let layers: Vec<LayerCounts> = widths
        .iter()
        .map(|&n| LayerCounts::all_unstable(n))
        .collect();
    jset_bound(n0, &layers)
}

/// The global bounds of a network shape (input dimension n0, hidden widths n_1..n_L).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GlobalBounds {
    /// Montúfar et al. (2017)'s upper bound on the number of regions in the whole input space.
    pub montufar2017: BigUint,
    /// Serra et al. (2018)'s upper bound, never above `montufar2017`.
    pub serra2018: BigUint,
}

/// Both global bounds: [`montufar2017`] ≥ [`serra2018`].
pub fn global_bounds(n0: usize, widths: &[usize]) -> GlobalBounds {
    GlobalBounds {
        montufar2017: montufar2017(n0, widths),
        serra2018: serra2018(n0, widths),
    }
}

//! Upper bounds for the unexplored part of the tree when the search stops early.
//!
//! A node at hidden layer l whose first `decided` units of that layer are decided is a convex set
//! K ⊆ domain in R^{n_0} on which layers < l are fixed. The regions below it are the regions of the
//! remaining units on K, bounded by the generalized J-set count of Serra, Tjandraatmadja &
//! Ramalingam 2018 ([`jset_bound`]) with the stability of each layer on the whole domain (from
//! [`crate::bounds::local_analytic`]'s enclosures): a unit stable on the domain is stable on K.
//! At layer l at most min(n_l − decided, m_l) units can still cut, and the decided units are
//! counted as possibly active (that only raises the dimension caps, so the bound stays valid);
//! every later layer l' has m_{l'} units that can cut and I_{l'} stably inactive ones.
//! The total is also capped by the local analytic bound of the whole domain.

use crate::bounds::{jset_bound, LayerCounts, LayerStability};
use num_bigint::BigUint;
use num_traits::One;

/// Bounds for open nodes, from the stability of every hidden layer on the whole domain.
pub struct OpenNodeBound {
    n0: usize,
    layers: Vec<LayerStability>,
}

impl OpenNodeBound {
    pub fn new(n0: usize, layers: &[LayerStability]) -> Self {
        OpenNodeBound {
            n0,
            layers: layers.to_vec(),
        }
    }

    /// Bound on the regions below a node at `layer` whose first `decided` units of that layer
    /// are decided.
    pub fn below(&self, layer: usize, decided: usize) -> BigUint {
        let Some(here) = self.layers.get(layer) else {
            return BigUint::one();
        };
        let open = here.width.saturating_sub(decided).min(here.unstable);
        let mut counts = vec![LayerCounts {
            width: here.width,
            unstable: open,
            stably_active: here.width - open,
            stably_inactive: 0,
            tied: 0,
        }];
        counts.extend(self.layers[layer + 1..].iter().map(|l| LayerCounts {
            width: l.width,
            unstable: l.unstable,
            stably_active: l.stably_active,
            stably_inactive: l.stably_inactive,
            tied: l.tied,
        }));
        jset_bound(self.n0, &counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bounds::serra2018;

    fn unstable(width: usize) -> LayerStability {
        LayerStability {
            width,
            unstable: width,
            stably_active: 0,
            stably_inactive: 0,
            tied: 0,
            radius: 1.0,
        }
    }

    #[test]
    fn root_bound_is_serra_and_shrinks_with_decisions() {
        let b = OpenNodeBound::new(2, &[unstable(3), unstable(2)]);
        assert_eq!(b.below(0, 0), serra2018(2, &[3, 2]));
        assert!(b.below(0, 2) <= b.below(0, 1));
        assert_eq!(b.below(2, 0), BigUint::one());
        // a fully decided layer leaves the later layers' count on a set of dimension <= n0
        assert_eq!(b.below(1, 2), BigUint::one());
    }

    #[test]
    fn stable_units_shrink_the_bound() {
        let mut second = unstable(4);
        second.unstable = 1;
        second.stably_inactive = 3;
        let b = OpenNodeBound::new(2, &[unstable(3), second]);
        assert!(b.below(0, 0) < OpenNodeBound::new(2, &[unstable(3), unstable(4)]).below(0, 0));
    }
}

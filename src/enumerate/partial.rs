//! Upper bounds for the unexplored part of the tree when the search stops early.
//!
//! A node at layer l with r units of that layer still undecided is a convex set in R^{n_0}. Its r
//! remaining units cut it by r hyperplanes into at most Σ_{j=0}^{n_0} C(r, j) pieces (Zaslavsky's
//! bound for an arrangement of r hyperplanes in R^{n_0}, which also bounds the cells meeting a
//! convex set), and every later layer l' cuts each piece by n_{l'} hyperplanes into at most
//! Σ_{j=0}^{n_0} C(n_{l'}, j) pieces. The product bounds the regions below the node (the
//! Montúfar 2017 argument with d = n_0).
// TODO: use crate::bounds::jset_bound (Serra et al. 2018, tighter) once the bounds branch is merged.

use num_bigint::BigUint;
use num_traits::One;

/// Σ_{j=0}^{d} C(m, j), the Zaslavsky bound for m hyperplanes in R^d.
pub fn zaslavsky(m: usize, d: usize) -> BigUint {
    let mut term = BigUint::one();
    let mut sum = BigUint::one();
    for j in 1..=d.min(m) {
        term = term * BigUint::from(m - j + 1) / BigUint::from(j);
        sum += &term;
    }
    sum
}

/// Precomputed bounds for open nodes of a network with hidden `widths` and input dimension `n0`.
pub struct OpenNodeBound {
    n0: usize,
    widths: Vec<usize>,
    /// suffix[l] = Π_{l' ≥ l} zaslavsky(n_{l'}, n0); suffix[L] = 1.
    suffix: Vec<BigUint>,
}

impl OpenNodeBound {
    /// Prepares the suffix products.
    pub fn new(n0: usize, widths: &[usize]) -> Self {
        let mut suffix = vec![BigUint::one(); widths.len() + 1];
        for l in (0..widths.len()).rev() {
            suffix[l] = &suffix[l + 1] * zaslavsky(widths[l], n0);
        }
        OpenNodeBound {
            n0,
            widths: widths.to_vec(),
            suffix,
        }
    }

    /// Bound on the regions below a node at `layer` whose first `decided` units of that layer
    /// are decided.
    pub fn below(&self, layer: usize, decided: usize) -> BigUint {
        if layer >= self.widths.len() {
            return BigUint::one();
        }
        let r = self.widths[layer].saturating_sub(decided);
        zaslavsky(r, self.n0) * &self.suffix[layer + 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zaslavsky_small_values() {
        assert_eq!(zaslavsky(3, 2), BigUint::from(7u32)); // 3 lines in the plane
        assert_eq!(zaslavsky(4, 1), BigUint::from(5u32));
        assert_eq!(zaslavsky(2, 5), BigUint::from(4u32));
        let b = OpenNodeBound::new(2, &[3, 2]);
        assert_eq!(b.below(0, 0), BigUint::from(7u32 * 4));
        assert_eq!(b.below(1, 2), BigUint::one());
    }
}

//! Exact combinatorics on big integers: binomial coefficients, Zaslavsky's count, log10.

use num_bigint::BigUint;
use num_traits::{One, ToPrimitive, Zero};

/// The start C(n, 0), C(n, 1), …, C(n, min(k, n)) of row n of Pascal's triangle, exactly, by the
/// multiplicative recurrence C(n, j + 1) = C(n, j) · (n − j) / (j + 1) (each division is exact).
///
/// Only the first k + 1 entries: every bound takes j ≤ the input dimension, and the whole row of
/// a wide layer costs O(n²) bits (n = 10⁵: gigabytes and seconds, issue 17).
pub(crate) fn binomial_row(n: usize, k: usize) -> Vec<BigUint> {
    let k = k.min(n);
    let mut row = Vec::with_capacity(k + 1);
    let mut c = BigUint::one();
    row.push(c.clone());
    for j in 0..k {
        c = c * BigUint::from(n - j) / BigUint::from(j + 1);
        row.push(c.clone());
    }
    row
}

/// The binomial coefficient C(n, k) (0 when k > n), exactly.
pub fn binomial(n: usize, k: usize) -> BigUint {
    if k > n {
        return BigUint::zero();
    }
    let k = k.min(n - k);
    let mut c = BigUint::one();
    for j in 0..k {
        c = c * BigUint::from(n - j) / BigUint::from(j + 1);
    }
    c
}

/// Zaslavsky's bound Σ_{j=0}^{d} C(m, j): the largest number of regions that m affine hyperplanes
/// cut R^d (or any open convex set of dimension d) into; attained in general position on R^d
/// (Zaslavsky 1975, "Facing up to arrangements").
pub fn zaslavsky(m: usize, d: usize) -> BigUint {
    prefix_sums(&binomial_row(m, d))[d.min(m)].clone()
}

/// Prefix sums P[k] = Σ_{j ≤ k} row[j].
pub(crate) fn prefix_sums(row: &[BigUint]) -> Vec<BigUint> {
    let mut acc = BigUint::zero();
    row.iter()
        .map(|c| {
            acc += c;
            acc.clone()
        })
        .collect()
}

/// log10(x) as an f64, also for values far beyond f64's range (from the bit length and the
/// leading 64 bits; relative error about 1e-16 in the mantissa). log10(0) = −∞.
pub fn log10(x: &BigUint) -> f64 {
    let bits = x.bits();
    if bits == 0 {
        return f64::NEG_INFINITY;
    }
    let shift = bits.saturating_sub(64);
    // The shifted value has at most 64 bits, so to_u64 cannot fail; 0 is a harmless fallback.
    let top = (x >> shift).to_u64().unwrap_or(0) as f64;
    top.log10() + shift as f64 * std::f64::consts::LOG10_2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_binomials() {
        assert_eq!(binomial(5, 2), BigUint::from(10u32));
        assert_eq!(binomial(5, 7), BigUint::zero());
        assert_eq!(
            binomial_row(4, 9),
            [1u32, 4, 6, 4, 1].map(BigUint::from).to_vec()
        );
        assert_eq!(
            binomial_row(100_000, 2),
            [1u64, 100_000, 4_999_950_000].map(BigUint::from).to_vec()
        );
        assert!((log10(&BigUint::from(1000u32)) - 3.0).abs() < 1e-12);
        let big = BigUint::from(10u32).pow(400);
        assert!((log10(&big) - 400.0).abs() < 1e-9);
    }
}

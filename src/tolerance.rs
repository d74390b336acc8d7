//! Named numerical tolerances. Every decision that compares a floating-point quantity against a
//! threshold uses one of these, and the code that makes such decisions counts how many fell
//! within the tolerance ("near_tolerance") so a user can see how close the answer came to an edge.

/// Relative safety margin for deciding that a unit is *stable* on a set from an enclosure:
/// h is called positive on the set only if its lower bound exceeds
/// `STABLE_REL * scale + STABLE_ABS`, where `scale` is the magnitude of the numbers combined
/// (|h(c)| + support). This covers rounding in the dot products (a few ulps per term) with a wide
/// margin; a unit within the margin is treated as unstable, which keeps every bound an upper bound.
pub const STABLE_REL: f64 = 1e-9;

/// Absolute part of the stability margin (see [`STABLE_REL`]): only the underflow floor. Products
/// that underflow into subnormals carry an absolute error of at most 2^-1075 each, which no
/// relative margin covers; 1e-300 covers ~10^23 of them and is far below any number a network's
/// pre-activations reach, so a network scaled by any power of ten calls the same units stable.
pub const STABLE_ABS: f64 = 1e-300;

/// Rounding allowance of a computed sum of `terms` products whose absolute values add up to
/// `magnitude`: |fl(Σ) − Σ| ≤ γ_k · magnitude with γ_k = kε/(1 − kε) (Higham, *Accuracy and
/// Stability of Numerical Algorithms*, 2002, §3.1), doubled for the nested sums of a certificate.
/// The enumerator's emptiness proofs add it to a computed upper bound before comparing it with
/// the interior tolerance, so cancellation between large terms cannot fake a proof.
pub fn rounding_allowance(terms: usize, magnitude: f64) -> f64 {
    let factor = match GAMMA_TABLE.get(terms) {
        Some(&g) => g,
        None => gamma_factor(terms),
    };
    factor * magnitude.abs()
}

/// 2k/(1 − k) with k = (terms + 2)ε: the factor of [`rounding_allowance`] (evaluated in this
/// order, so `factor · |magnitude|` is the float that `2k/(1 − k)·|magnitude|` gives).
const fn gamma_factor(terms: usize) -> f64 {
    let k = (terms + 2) as f64 * f64::EPSILON;
    2.0 * k / (1.0 - k)
}

/// [`gamma_factor`] of the short sums (the enumerator's hot loops take one per decision in
/// input dimension n, with n + 1 or so terms), computed at compile time: constant evaluation
/// rounds each operation as IEEE 754 does at run time, so the table holds the same floats and
/// the allowance costs a multiplication instead of a division.
const GAMMA_TABLE: [f64; 64] = {
    let mut t = [0.0; 64];
    let mut i = 0;
    while i < t.len() {
        t[i] = gamma_factor(i);
        i += 1;
    }
    t
};

/// The relative factor of [`rounding_allowance`]: the rounding of a sum of `terms` products,
/// relative to the sum of their absolute values (twice Higham's γ_k).
pub fn gamma(terms: usize) -> f64 {
    rounding_allowance(terms, 1.0)
}

/// The margin below which a claimed sign of h on a set with enclosure [lo, hi] is not trusted.
pub fn stability_margin(scale: f64) -> f64 {
    STABLE_REL * scale.abs() + STABLE_ABS
}

/// Whether the interval [lo, hi] of a pre-activation proves the unit stably active (> 0 on the
/// whole set), with the safety margin of [`stability_margin`].
pub fn surely_positive(lo: f64, scale: f64) -> bool {
    lo > stability_margin(scale)
}

/// Whether the interval [lo, hi] proves the unit stably inactive (≤ 0 on the whole set). A unit
/// whose upper bound is exactly 0 never turns on in the open set either, but we still require the
/// margin: calling an unstable unit stable would break an upper bound, the reverse only loosens it.
pub fn surely_nonpositive(hi: f64, scale: f64) -> bool {
    hi < -stability_margin(scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The allowance read from the compile-time table is, bit for bit, the float that the
    /// formula 2k/(1 − k)·|magnitude| gives at run time, for every tabulated length and past
    /// the table.
    #[test]
    fn tabulated_allowance_equals_the_formula_at_run_time() {
        for terms in 0..200 {
            let k = std::hint::black_box((terms + 2) as f64) * f64::EPSILON;
            for magnitude in [0.0, 1.0, -3.5, 1e300, 7e-310, f64::INFINITY] {
                let want = 2.0 * k / (1.0 - std::hint::black_box(k)) * magnitude.abs();
                let got = rounding_allowance(terms, magnitude);
                assert_eq!(got.to_bits(), want.to_bits(), "terms {terms}, {magnitude}");
            }
        }
        assert_eq!(gamma(5).to_bits(), rounding_allowance(5, 1.0).to_bits());
    }
}

//! Small statistics for the experiments: quantiles and the exact two-sided sign test.

/// The q-quantile (0 ≤ q ≤ 1) of `values` by linear interpolation between order statistics
/// (Hyndman & Fan 1996, type 7; NumPy's default). NaN for an empty slice.
pub fn quantile(values: &[f64], q: f64) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let h = (v.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}

/// Exact two-sided sign test: with `plus` positive and `minus` negative paired differences (ties
/// dropped), the probability under H0 (each sign with probability ½) of a split at least as
/// uneven: p = min(1, 2 Σ_{k ≤ min(plus, minus)} C(n, k) / 2ⁿ), n = plus + minus. 1 when n = 0.
pub fn sign_test(plus: usize, minus: usize) -> f64 {
    let n = plus + minus;
    if n == 0 {
        return 1.0;
    }
    let k = plus.min(minus);
    // Σ C(n, i) 2^{-n} in logs to stay finite for large n.
    let ln2n = n as f64 * std::f64::consts::LN_2;
    let mut ln_c = 0.0; // ln C(n, 0)
    let mut tail = 0.0;
    for i in 0..=k {
        if i > 0 {
            ln_c += ((n - i + 1) as f64).ln() - (i as f64).ln();
        }
        tail += (ln_c - ln2n).exp();
    }
    (2.0 * tail).min(1.0)
}

/// The Mann–Whitney U test of two independent samples (Mann & Whitney 1947).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct MannWhitney {
    /// U of the first sample: the number of pairs (a, b) with a > b, ties counted ½.
    pub u: f64,
    /// Probability of superiority A = U / (n₁ n₂) (Vargha & Delaney 2000): P(a > b) + ½ P(a = b).
    pub prob_superiority: f64,
    /// Rank-biserial correlation 2A − 1 ∈ [−1, 1] (Kerby 2014).
    pub rank_biserial: f64,
    /// z of the normal approximation, with tie and continuity corrections.
    pub z: f64,
    /// Two-sided p-value of the normal approximation.
    pub p: f64,
}

/// Mann–Whitney U of `a` against `b` with average ranks for ties:
/// U = R_a − n_a(n_a + 1)/2, E\[U\] = n_a n_b / 2,
/// Var\[U\] = n_a n_b / 12 · ((n + 1) − Σ(t³ − t) / (n(n − 1))), z = (U − E\[U\] ∓ ½)/√Var,
/// p = erfc(|z|/√2). NaN values are dropped; p = 1 when a sample is empty or all values tie.
pub fn mann_whitney(a: &[f64], b: &[f64]) -> MannWhitney {
    let a: Vec<f64> = a.iter().copied().filter(|v| !v.is_nan()).collect();
    let b: Vec<f64> = b.iter().copied().filter(|v| !v.is_nan()).collect();
    let (na, nb) = (a.len() as f64, b.len() as f64);
    let mut all: Vec<(f64, bool)> = a
        .iter()
        .map(|&v| (v, true))
        .chain(b.iter().map(|&v| (v, false)))
        .collect();
    all.sort_by(|x, y| x.0.total_cmp(&y.0));
    let n = all.len();
    let (mut rank_a, mut ties) = (0.0, 0.0);
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && all[j + 1].0 == all[i].0 {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        let t = (j - i + 1) as f64;
        ties += t * t * t - t;
        rank_a += avg * all[i..=j].iter().filter(|x| x.1).count() as f64;
        i = j + 1;
    }
    let u = rank_a - na * (na + 1.0) / 2.0;
    let pairs = na * nb;
    let prob = if pairs > 0.0 { u / pairs } else { 0.5 };
    let nf = n as f64;
    let var = if n > 1 {
        pairs / 12.0 * ((nf + 1.0) - ties / (nf * (nf - 1.0)))
    } else {
        0.0
    };
    let diff = u - pairs / 2.0;
    let (z, p) = if var > 0.0 {
        let z = (diff - 0.5 * diff.signum()) / var.sqrt();
        let z = if diff.abs() < 0.5 { 0.0 } else { z };
        (z, erfc(z.abs() / std::f64::consts::SQRT_2).min(1.0))
    } else {
        (0.0, 1.0)
    };
    MannWhitney {
        u,
        prob_superiority: prob,
        rank_biserial: 2.0 * prob - 1.0,
        z,
        p,
    }
}

/// The complementary error function for x ≥ 0, by the rational approximation of Numerical
/// Recipes (`erfcc`, Press et al. 1992, §6.2; relative error < 1.2e-7 everywhere).
pub fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.26551223
        + t * (1.00002368
            + t * (0.37409196
                + t * (0.09678418
                    + t * (-0.18628806
                        + t * (0.27886807
                            + t * (-1.13520398
                                + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
    let r = t * poly.exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

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

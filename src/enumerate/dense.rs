//! Dense vector kernels of the closed-form proofs (the hot loops of `dual` and `ball_lp`), on
//! plain slices: dot products, Gram–Schmidt and the least-squares multipliers of a working set.
//! Both solvers use them and neither imports the other (`dual` calls `ball_lp`).

use ndarray::ArrayView1;

/// a·b by ndarray's unrolled dot product (several partial sums, so the additions pipeline).
/// Every caller passes two vectors of the input dimension n (ndarray asserts equal lengths).
#[inline]
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    debug_assert_eq!(a.len(), b.len());
    if a.len() <= SHORT {
        // ndarray's dispatch costs more than the products themselves for a few entries
        return a.iter().zip(b).map(|(x, y)| x * y).sum();
    }
    ArrayView1::from(a).dot(&ArrayView1::from(b))
}

/// Lengths up to which [`dot`] is a plain loop.
const SHORT: usize = 16;

/// Removes from `v` its components along the orthonormal vectors stored in `q` (n entries each).
/// Dimensions up to 8 run a copy compiled for that n (unrolled, no bounds checks):
/// the same products and sums in the same order, so the same floats.
pub fn project_out(q: &[f64], n: usize, v: &mut [f64]) {
    match n {
        1 => project_out_fixed::<1>(q, v),
        2 => project_out_fixed::<2>(q, v),
        3 => project_out_fixed::<3>(q, v),
        4 => project_out_fixed::<4>(q, v),
        5 => project_out_fixed::<5>(q, v),
        6 => project_out_fixed::<6>(q, v),
        7 => project_out_fixed::<7>(q, v),
        8 => project_out_fixed::<8>(q, v),
        _ => project_out_any(q, n, v),
    }
}

/// [`project_out`] for any n.
fn project_out_any(q: &[f64], n: usize, v: &mut [f64]) {
    for qk in q.chunks(n) {
        let p = dot(qk, v);
        for j in 0..n {
            v[j] -= p * qk[j];
        }
    }
}

/// [`project_out`] for n = N (≤ [`SHORT`], so [`dot`]'s plain loop, as here).
#[inline(always)]
fn project_out_fixed<const N: usize>(q: &[f64], v: &mut [f64]) {
    let Some(v) = v.first_chunk_mut::<N>() else {
        return project_out_any(q, N, v);
    };
    let (chunks, _) = q.as_chunks::<N>();
    for qk in chunks {
        let p: f64 = qk.iter().zip(v.iter()).map(|(x, y)| x * y).sum();
        for j in 0..N {
            v[j] -= p * qk[j];
        }
    }
}

/// Gram–Schmidt: orthogonalizes `v` (in place) against `q`, normalizes it and appends it to `q`;
/// `None` (q unchanged) when what is left of v has norm ≤ `min_norm` (v depends on q).
pub fn append_orthonormal(q: &mut Vec<f64>, n: usize, v: &mut [f64], min_norm: f64) -> Option<()> {
    project_out(q, n, v);
    let v = &mut v[..n];
    let vn = dot(v, v).sqrt();
    if vn <= min_norm {
        return None;
    }
    q.extend(v.iter().map(|e| e / vn));
    Some(())
}

/// A ratio test's step length for one row, slack / g·d clamped at 0, as `(slack / gd).max(0.0)`
/// computes it (0 for a NaN or a signed zero quotient): `t` when the row `blocks`, NaN (never
/// chosen by [`first_least`]) otherwise. Branch-free, so the ratios of all rows are computed in
/// one vectorizable pass, their divisions off the chain of comparisons that picks the step.
#[inline(always)]
pub fn ratio_or_nan(slack: f64, gd: f64, blocks: bool) -> f64 {
    let q = slack / gd;
    let t = if q > 0.0 { q } else { 0.0 };
    // t, or a NaN (all exponent bits and the quiet bit set) when the row does not block, by a
    // mask rather than a branch the compiler would keep
    let keep = u64::from(blocks).wrapping_sub(1);
    f64::from_bits(t.to_bits() | (keep & f64::NAN.to_bits()))
}

/// The choice of a ratio test that takes the rows in order and keeps a row's ratio when it is
/// strictly below the best so far (the first that blocks is taken, whatever its ratio): the
/// first index of the least of the entries of `t` that are not NaN, with that entry. The
/// entries are the ratios of the rows that block (≥ 0 or +∞, never NaN) and NaN for the others
/// ([`ratio_or_nan`]). A scan from +∞ finds the first least finite entry; when there is none,
/// every blocking row's ratio is +∞ and the first of them is the choice. `None` when no row
/// blocks.
#[inline(always)]
pub fn first_least(t: &[f64]) -> Option<(f64, usize)> {
    let (mut best, mut at) = (f64::INFINITY, usize::MAX);
    for (i, &v) in t.iter().enumerate() {
        if v < best {
            best = v;
            at = i;
        }
    }
    if at != usize::MAX {
        return Some((best, at));
    }
    t.iter().position(|v| !v.is_nan()).map(|i| (t[i], i))
}

/// Solves G_Wᵀ y = c in the least-squares sense for the working set W = `active` (rows of `g`),
/// given `q`, its Gram–Schmidt basis built in that order: [`back_substitute`] with the rows of `g`.
pub fn multipliers(
    g: &[f64],
    n: usize,
    active: &[usize],
    q: &[f64],
    c: &[f64],
    y: &mut Vec<f64>,
) -> Option<()> {
    back_substitute(q, n, c, y, |l, v| {
        let i = active[l];
        dot(&g[i * n..(i + 1) * n], v)
    })
}

/// The least-squares solution of G_Wᵀ y = c for k working-set rows whose Gram–Schmidt basis `q`
/// (k vectors of n entries) was built in their order: G_W = L Q with L lower triangular,
/// L_il = row_i·q_l, so G_Wᵀ y = Qᵀ Lᵀ y and the solution is Lᵀ y = Q c, by back substitution
/// (k + k(k+1)/2 dot products; no Gram matrix, whose condition number is the square of G_W's).
/// `row_dot(i, v)` is row i of the working set dotted with v. Into `y` (caller-owned: no
/// allocation per call); `None` if a diagonal entry vanishes or is NaN (Gram–Schmidt keeps them
/// away from 0).
// i indexes both y and the working set's rows (through `row_dot`)
#[allow(clippy::needless_range_loop)]
#[inline(always)]
pub fn back_substitute(
    q: &[f64],
    n: usize,
    c: &[f64],
    y: &mut Vec<f64>,
    row_dot: impl Fn(usize, &[f64]) -> f64,
) -> Option<()> {
    let k = q.len() / n;
    y.clear();
    // y first holds Q c, then the solution from the last entry up
    y.extend(q.chunks_exact(n).map(|ql| dot(ql, c)));
    for l in (0..k).rev() {
        let ql = &q[l * n..(l + 1) * n];
        let mut acc = y[l];
        for i in l + 1..k {
            acc -= row_dot(i, ql) * y[i];
        }
        let diag = row_dot(l, ql);
        if diag.is_nan() || diag == 0.0 {
            return None;
        }
        y[l] = acc / diag;
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enumerate::test_rng::Rng;

    /// The Gram-system solver that [`multipliers`] replaced, the reference of its test: G_Wᵀ y = c
    /// in the least-squares sense through (G_W G_Wᵀ) y = G_W c (Gaussian elimination with partial
    /// pivoting) into `y`, with `a` as the system's buffer (both
    /// caller-owned: no allocation per call); `None` if singular.
    fn gram_multipliers(
        g: &[f64],
        n: usize,
        active: &[usize],
        c: &[f64],
        a: &mut Vec<f64>,
        y: &mut Vec<f64>,
    ) -> Option<()> {
        let k = active.len();
        a.clear();
        a.resize(k * (k + 1), 0.0);
        for (r, &i) in active.iter().enumerate() {
            let gi = &g[i * n..(i + 1) * n];
            for (s, &jrow) in active.iter().enumerate() {
                let gj = &g[jrow * n..(jrow + 1) * n];
                a[r * (k + 1) + s] = gi.iter().zip(gj).map(|(u, v)| u * v).sum();
            }
            a[r * (k + 1) + k] = gi.iter().zip(c).map(|(u, v)| u * v).sum();
        }
        for col in 0..k {
            let piv = (col..k).max_by(|&r1, &r2| {
                a[r1 * (k + 1) + col]
                    .abs()
                    .total_cmp(&a[r2 * (k + 1) + col].abs())
            })?;
            if a[piv * (k + 1) + col].abs() < 1e-14 {
                return None;
            }
            for s in 0..=k {
                a.swap(col * (k + 1) + s, piv * (k + 1) + s);
            }
            for r in 0..k {
                if r != col {
                    let f = a[r * (k + 1) + col] / a[col * (k + 1) + col];
                    if f != 0.0 {
                        for s in col..=k {
                            a[r * (k + 1) + s] -= f * a[col * (k + 1) + s];
                        }
                    }
                }
            }
        }
        y.clear();
        y.extend((0..k).map(|r| a[r * (k + 1) + k] / a[r * (k + 1) + r]));
        Some(())
    }

    #[test]
    fn triangular_multipliers_match_the_gram_system() {
        let mut rng = Rng(5);
        let mut checked = 0;
        for case in 0..300 {
            let n = 1 + case % 9;
            let k = 1 + case % n;
            let m = k + 3;
            let g: Vec<f64> = (0..m * n).map(|_| rng.next()).collect();
            // the working set: k of the m rows, in a scrambled order
            let active: Vec<usize> = (0..k).map(|l| (l * 3 + case) % m).collect();
            let mut dedup = active.clone();
            dedup.sort_unstable();
            dedup.dedup();
            if dedup.len() < k {
                continue;
            }
            let mut q = Vec::new();
            let mut ok = true;
            for &i in &active {
                let mut v = g[i * n..(i + 1) * n].to_vec();
                ok &= append_orthonormal(&mut q, n, &mut v, 1e-10).is_some();
            }
            if !ok {
                continue;
            }
            // c in the rows' span (as at the optimum of a working set) plus a little off it
            let y_true: Vec<f64> = (0..k).map(|_| rng.next()).collect();
            let mut c = vec![0.0; n];
            for (l, &i) in active.iter().enumerate() {
                for j in 0..n {
                    c[j] += y_true[l] * g[i * n + j];
                }
            }
            let (mut y, mut y_ref, mut buf) = (Vec::new(), Vec::new(), Vec::new());
            multipliers(&g, n, &active, &q, &c, &mut y).expect("independent rows");
            gram_multipliers(&g, n, &active, &c, &mut buf, &mut y_ref).expect("independent rows");
            for l in 0..k {
                let scale = 1.0 + y_true[l].abs();
                assert!(
                    (y[l] - y_true[l]).abs() < 1e-8 * scale,
                    "case {case}: {y:?} vs {y_true:?}"
                );
                assert!(
                    (y[l] - y_ref[l]).abs() < 1e-8 * scale,
                    "case {case}: {y:?} vs {y_ref:?}"
                );
            }
            checked += 1;
        }
        assert!(checked > 150, "only {checked} working sets checked");
    }

    /// The ratio test of the active-set methods as it was written: rows in order, a row that
    /// blocks taken when none is yet or when its ratio is strictly below the best.
    fn sequential(slack: &[f64], gd: &[f64], blocks: &[bool]) -> Option<(f64, usize)> {
        let mut best: Option<(f64, usize)> = None;
        for i in 0..slack.len() {
            if blocks[i] {
                let t = (slack[i] / gd[i]).max(0.0);
                if best.is_none_or(|(b, _)| t < b) {
                    best = Some((t, i));
                }
            }
        }
        best
    }

    /// The branch-free ratios and `first_least` choose the same row with the same step (bit for
    /// bit, sign of zero included) as the sequential test, on ties, zeros of either sign,
    /// negative and NaN slacks, infinite ratios and rows that do not block.
    #[test]
    fn first_least_matches_the_sequential_ratio_test() {
        let mut rng = Rng(5);
        let pick = |rng: &mut Rng, vals: &[f64]| {
            vals[((rng.next() + 1.0) / 2.0 * vals.len() as f64) as usize % vals.len()]
        };
        let slacks = [
            0.0,
            -0.0,
            1.0,
            2.0,
            0.5,
            -1.0,
            f64::NAN,
            f64::INFINITY,
            1e-300,
            3.0,
        ];
        let gds = [1.0, 2.0, 0.5, 1e-300, 4.0, 1e300, 0.25];
        for m in 0..40 {
            for _ in 0..200 {
                let slack: Vec<f64> = (0..m)
                    .map(|_| {
                        if rng.next() < 0.0 {
                            pick(&mut rng, &slacks)
                        } else {
                            rng.next().abs() * 3.0
                        }
                    })
                    .collect();
                let gd: Vec<f64> = (0..m).map(|_| pick(&mut rng, &gds)).collect();
                let blocks: Vec<bool> = (0..m).map(|_| rng.next() < 0.4).collect();
                let t: Vec<f64> = (0..m)
                    .map(|i| ratio_or_nan(slack[i], gd[i], blocks[i]))
                    .collect();
                let got = first_least(&t);
                let want = sequential(&slack, &gd, &blocks);
                match (got, want) {
                    (None, None) => {}
                    (Some((a, i)), Some((b, k))) => {
                        assert_eq!(i, k, "row, m = {m}");
                        assert_eq!(a.to_bits(), b.to_bits(), "step, m = {m}");
                    }
                    _ => panic!("{got:?} vs {want:?}, m = {m}"),
                }
            }
        }
    }
}

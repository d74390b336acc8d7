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

/// Solves G_Wᵀ y = c in the least-squares sense through the Gram system (G_W G_Wᵀ) y = G_W c
/// (Gaussian elimination with partial pivoting) into `y`, with `a` as the system's buffer (both
/// caller-owned: no allocation per call); `None` if singular.
pub fn multipliers(
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

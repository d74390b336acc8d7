//! Closed-form geometry on a node: normalized half-spaces, the depth of a point inside a node,
//! and a line search for a deep point on one side of a hyperplane. These decide most splits
//! without a solver (docs/math.md#34-closed-form-decisions).

// numerical loops over coordinates read clearer with indices
#![allow(clippy::needless_range_loop)]

use super::rows::Rows;
use crate::domain::{Domain, Shape};
use crate::solver::HalfSpace;
use ndarray::{Array1, ArrayView1};

/// The half-space `sign·(a·x + β) ≥ 0` written as `g·x ≤ h` with ‖g‖₂ = 1:
/// g = −sign·a/‖a‖₂, h = sign·β/‖a‖₂. Requires a ≠ 0. `positive` is the side a·x + β ≥ 0.
pub fn side_halfspace(a: ArrayView1<f64>, beta: f64, positive: bool) -> HalfSpace {
    let norm = vdot(a, a).sqrt();
    let s = if positive { 1.0 } else { -1.0 };
    HalfSpace {
        g: a.mapv(|v| -s * v / norm),
        h: s * beta / norm,
    }
}

/// The half-space `sign·(a·x + β) ≥ −δ`, normalized as in [`side_halfspace`] and widened by
/// the rounding of that normalization: it contains {x : sign·h(x) ≥ 0} for every affine h
/// within δ of a·x + β on the domain (|x_j| ≤ reach_j), so a stack of such half-spaces contains
/// the exact node and every emptiness proof over the stack holds for the exact node.
///
/// For any N > 0, {−s a·x ≤ sβ + δ} = {(−s a/N)·x ≤ (sβ + δ)/N}; with N = fl(‖a‖₂) the
/// computed g_j err by ε|g_j| and h by 2ε|h|, which moves g·x − h by at most
/// ε Σ_j |g_j| reach_j + 2ε|h| on the domain: that much is added to h (doubled).
pub fn relaxed_halfspace(
    a: ArrayView1<f64>,
    beta: f64,
    delta: f64,
    positive: bool,
    reach: &Array1<f64>,
) -> HalfSpace {
    let norm = vdot(a, a).sqrt();
    let s = if positive { 1.0 } else { -1.0 };
    let g = a.mapv(|v| -s * v / norm);
    let h = (s * beta + delta) / norm;
    let spread: f64 = g.iter().zip(reach).map(|(gj, r)| gj.abs() * r).sum();
    let eps = f64::EPSILON;
    HalfSpace {
        g,
        h: h + 2.0 * eps * (spread + 2.0 * h.abs()) * (1.0 + 4.0 * eps * (reach.len() + 2) as f64),
    }
}

/// a·b: for contiguous vectors of fewer than 8 entries the plain loop ndarray's `dot` runs
/// there (a sum from +0 in the order of the entries: the same floats, without its dispatch);
/// ndarray's `dot` otherwise.
#[inline]
pub(super) fn vdot(a: ArrayView1<f64>, b: ArrayView1<f64>) -> f64 {
    if let (Some(x), Some(y)) = (a.as_slice(), b.as_slice()) {
        if x.len() < 8 && x.len() == y.len() {
            let mut sum = 0.0;
            for (p, q) in x.iter().zip(y) {
                sum += p * q;
            }
            return sum;
        }
    }
    a.dot(&b)
}

/// Slack of `x` in a normalized half-space: h − g·x (its Euclidean distance to the boundary
/// when positive, since ‖g‖₂ = 1).
pub fn slack(hs: &HalfSpace, x: ArrayView1<f64>) -> f64 {
    hs.h - vdot(hs.g.view(), x)
}

/// Depth of x in P ∩ domain: the radius of the largest Euclidean ball around x inside every
/// (normalized) half-space and the domain, min(domain.depth(x), min_i slack_i(x)). The domain's
/// depth is r − ‖x − c‖₂ for a ball and min_j (w_j − |x_j − c_j|) for a box; both are the radius
/// of the largest Euclidean ball around x inside the domain.
pub fn depth(
    domain: &Domain,
    halfspaces: &[HalfSpace],
    extra: Option<&HalfSpace>,
    x: ArrayView1<f64>,
) -> f64 {
    let mut d = domain.depth(x);
    for hs in halfspaces.iter().chain(extra) {
        d = d.min(slack(hs, x));
    }
    d
}

/// [`depth`] over the half-spaces of `rows` (and `extra`): the same slacks h_i − g_i·x, all rows
/// at once.
pub(super) fn depth_on(
    domain: &Domain,
    rows: &Rows,
    extra: Option<&HalfSpace>,
    x: ArrayView1<f64>,
) -> f64 {
    let mut d = domain.depth(x);
    let Some(xs) = x.as_slice() else {
        return f64::NAN;
    };
    let mut gx = Vec::with_capacity(rows.len());
    rows.times(xs, &mut gx);
    for (h, gxi) in rows.rhs().iter().zip(&gx) {
        d = d.min(h - gxi);
    }
    if let Some(hs) = extra {
        d = d.min(slack(hs, x));
    }
    d
}

/// Golden-section steps of [`deepest_on_ray`]: the bracket shrinks to 0.618^40 ≈ 4e-9 of its
/// start (the returned depth is recomputed at the returned point, so this affects only how deep
/// the point is, never correctness).
const RAY_ITERATIONS: usize = 40;

/// Searches the ray {w + s u : s ≥ 0} (u a unit vector) for the point deepest in
/// P ∩ domain ∩ `target` (all half-spaces normalized). The depth along a line is concave in s
/// (a minimum of affine slacks and the concave domain depth), so golden-section search finds its
/// maximum; the returned depth is recomputed directly at the returned point, so it is a valid
/// inscribed radius whatever the search did.
pub(super) fn deepest_on_ray(
    domain: &Domain,
    rows: &Rows,
    target: &HalfSpace,
    w: ArrayView1<f64>,
    u: ArrayView1<f64>,
) -> (Array1<f64>, f64) {
    let (Some(ws), Some(us)) = (w.as_slice(), u.as_slice()) else {
        return (w.to_owned(), f64::NAN);
    };
    // slack_i(s) = s0_i − s·d_i (every row's products at once, then the target's)
    let (mut gw, mut gu) = (
        Vec::with_capacity(rows.len()),
        Vec::with_capacity(rows.len()),
    );
    rows.times(ws, &mut gw);
    rows.times(us, &mut gu);
    let mut lines: Vec<(f64, f64)> = Vec::with_capacity(rows.len() + 1);
    lines.extend(
        rows.rhs()
            .iter()
            .zip(&gw)
            .zip(&gu)
            .map(|((h, gwi), gui)| (h - gwi, *gui)),
    );
    lines.push((slack(target, w), vdot(target.g.view(), u)));
    let wc = &w - domain.center();
    // ‖wc + s u‖² = s² ‖u‖² + 2 s (wc·u) + ‖wc‖², so a ball's depth costs O(1) per s
    let (uu, wu, ww) = (u.dot(&u), wc.dot(&u), wc.dot(&wc));
    let dom = |s: f64| -> f64 {
        match domain.shape() {
            Shape::L2Ball { radius } => radius - (s * s * uu + 2.0 * s * wu + ww).max(0.0).sqrt(),
            Shape::Box { half_widths } => {
                let mut d = f64::INFINITY;
                for j in 0..wc.len() {
                    d = d.min(half_widths[j] - (wc[j] + s * u[j]).abs());
                }
                d
            }
        }
    };
    let f = |s: f64| -> f64 {
        let mut d = dom(s);
        for &(s0, dd) in &lines {
            d = d.min(s0 - s * dd);
        }
        d
    };
    // Beyond twice the domain's diameter the point is outside the domain.
    let mut lo = 0.0;
    let mut hi = 4.0 * domain.max_half_width() * (wc.len() as f64).sqrt();
    if let Shape::Box { half_widths } = domain.shape() {
        // the depth is the minimum of affine functions of s: its maximum in closed form
        let s = box_ray_argmax(&lines, wc.view(), u, half_widths.view(), hi);
        let p = &w + &(&u * s);
        let d = depth_on(domain, rows, Some(target), p.view());
        return (p, d);
    }
    const INV_PHI: f64 = 0.618_033_988_749_894_8;
    let mut x1 = hi - INV_PHI * (hi - lo);
    let mut x2 = lo + INV_PHI * (hi - lo);
    let (mut f1, mut f2) = (f(x1), f(x2));
    for _ in 0..RAY_ITERATIONS {
        if f1 < f2 {
            lo = x1;
            x1 = x2;
            f1 = f2;
            x2 = lo + INV_PHI * (hi - lo);
            f2 = f(x2);
        } else {
            hi = x2;
            x2 = x1;
            f2 = f1;
            x1 = hi - INV_PHI * (hi - lo);
            f1 = f(x1);
        }
    }
    let s = 0.5 * (lo + hi);
    let p = &w + &(&u * s);
    let d = depth_on(domain, rows, Some(target), p.view());
    (p, d)
}

/// The s in [0, `hi`] maximizing min(min_i (s0_i − s d_i), min_j (w_j − |wc_j + s u_j|)) — the
/// depth along a ray in a box, a concave piecewise-linear function of s — by walking its
/// graph from s = 0: on the lowest line at s, while its slope is positive, move to the first
/// point where a line of smaller slope crosses below it. Each step lowers the slope, so there
/// are at most as many steps as lines. Only a heuristic's point: the caller recomputes the depth
/// at the returned point.
fn box_ray_argmax(
    lines: &[(f64, f64)],
    wc: ArrayView1<f64>,
    u: ArrayView1<f64>,
    hw: ArrayView1<f64>,
    hi: f64,
) -> f64 {
    // every line as (intercept, slope): the half-spaces', then each box coordinate's two faces
    let n = wc.len();
    let line = |k: usize| -> (f64, f64) {
        if k < lines.len() {
            (lines[k].0, -lines[k].1)
        } else {
            let j = (k - lines.len()) / 2;
            if (k - lines.len()).is_multiple_of(2) {
                (hw[j] - wc[j], -u[j])
            } else {
                (hw[j] + wc[j], u[j])
            }
        }
    };
    let count = lines.len() + 2 * n;
    // the lowest line at s = 0 (among ties the smallest slope: it is the lowest just after 0)
    let (mut a, mut b) = (f64::INFINITY, f64::INFINITY);
    for k in 0..count {
        let (ak, bk) = line(k);
        if ak < a || (ak == a && bk < b) {
            (a, b) = (ak, bk);
        }
    }
    let mut s = 0.0;
    for _ in 0..=count {
        if b.is_nan() || b <= 0.0 {
            break;
        }
        // the first crossing at or after s of a line of smaller slope
        let mut next = f64::INFINITY;
        let mut nb = b;
        let mut na = a;
        for k in 0..count {
            let (ak, bk) = line(k);
            if bk < b {
                let t = ((ak - a) / (b - bk)).max(s);
                if t < next || (t == next && bk < nb) {
                    (next, na, nb) = (t, ak, bk);
                }
            }
        }
        if next.is_nan() || next >= hi {
            return if next.is_nan() { s } else { hi };
        }
        s = next;
        (a, b) = (na, nb);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Norm;
    use ndarray::array;

    #[test]
    fn ray_search_finds_center_of_half_box() {
        let dom = Domain::ball(array![0.0, 0.0], 1.0, Norm::Linf).unwrap();
        // x0 ≥ 0.0 side, start at (-0.5, 0), move along +x0
        let t = side_halfspace(array![1.0, 0.0].view(), 0.0, true);
        let (p, d) = deepest_on_ray(
            &dom,
            &Rows::of(&[], 2),
            &t,
            array![-0.5, 0.0].view(),
            array![1.0, 0.0].view(),
        );
        assert!(
            (p[0] - 0.5).abs() < 1e-6 && (d - 0.5).abs() < 1e-6,
            "{p} {d}"
        );
    }

    #[test]
    fn depth_counts_every_constraint() {
        let dom = Domain::ball(array![0.0, 0.0], 1.0, Norm::L2).unwrap();
        let hs = side_halfspace(array![0.0, 2.0].view(), -0.2, true); // y ≥ 0.1
        assert!((depth(&dom, &[hs], None, array![0.0, 0.3].view()) - 0.2).abs() < 1e-12);
    }
}

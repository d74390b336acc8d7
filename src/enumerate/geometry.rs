//! Closed-form geometry on a node: normalized half-spaces, the depth of a point inside a node,
//! and a line search for a deep point on one side of a hyperplane. These decide most splits
//! without a solver (docs/math.md#34-closed-form-decisions).

// numerical loops over coordinates read clearer with indices
#![allow(clippy::needless_range_loop)]

use crate::domain::{Domain, Shape};
use crate::solver::HalfSpace;
use ndarray::{Array1, ArrayView1};

/// The half-space `sign·(a·x + β) ≥ 0` written as `g·x ≤ h` with ‖g‖₂ = 1:
/// g = −sign·a/‖a‖₂, h = sign·β/‖a‖₂. Requires a ≠ 0. `positive` is the side a·x + β ≥ 0.
pub fn side_halfspace(a: ArrayView1<f64>, beta: f64, positive: bool) -> HalfSpace {
    let norm = a.dot(&a).sqrt();
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
    let norm = a.dot(&a).sqrt();
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

/// Slack of `x` in a normalized half-space: h − g·x (its Euclidean distance to the boundary
/// when positive, since ‖g‖₂ = 1).
pub fn slack(hs: &HalfSpace, x: ArrayView1<f64>) -> f64 {
    hs.h - hs.g.dot(&x)
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

/// Golden-section steps of [`deepest_on_ray`]: the bracket shrinks to 0.618^40 ≈ 4e-9 of its
/// start (the returned depth is recomputed at the returned point, so this affects only how deep
/// the point is, never correctness).
const RAY_ITERATIONS: usize = 40;

/// Searches the ray {w + s u : s ≥ 0} (u a unit vector) for the point deepest in
/// P ∩ domain ∩ `target` (all half-spaces normalized). The depth along a line is concave in s
/// (a minimum of affine slacks and the concave domain depth), so golden-section search finds its
/// maximum; the returned depth is recomputed directly at the returned point, so it is a valid
/// inscribed radius whatever the search did.
pub fn deepest_on_ray(
    domain: &Domain,
    halfspaces: &[HalfSpace],
    target: &HalfSpace,
    w: ArrayView1<f64>,
    u: ArrayView1<f64>,
) -> (Array1<f64>, f64) {
    // slack_i(s) = s0_i − s·d_i
    let lines: Vec<(f64, f64)> = halfspaces
        .iter()
        .chain(std::iter::once(target))
        .map(|hs| (slack(hs, w), hs.g.dot(&u)))
        .collect();
    let wc = &w - &domain.center;
    let dom = |s: f64| -> f64 {
        match &domain.shape {
            Shape::L2Ball { radius } => {
                let mut n2 = 0.0;
                for j in 0..wc.len() {
                    let v = wc[j] + s * u[j];
                    n2 += v * v;
                }
                radius - n2.sqrt()
            }
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
    let d = depth(domain, halfspaces, Some(target), p.view());
    (p, d)
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
            &[],
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

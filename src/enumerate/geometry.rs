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

/// Searches the ray {w + s u : s ≥ 0} (u a unit vector) for the point deepest in
/// P ∩ domain ∩ `target` (all half-spaces normalized). The depth along a line is concave in s
/// (a minimum of affine slacks and the concave domain depth), and its maximum is found in closed
/// form ([`box_ray_argmax`], [`ball_ray_argmax`]); the returned depth is recomputed directly at
/// the returned point, so it is a valid inscribed radius whatever the search did.
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
    // Beyond twice the domain's diameter the point is outside the domain.
    let hi = 4.0 * domain.max_half_width() * (wc.len() as f64).sqrt();
    let s = match domain.shape() {
        // the depth is the minimum of affine functions of s: its maximum in closed form
        Shape::Box { half_widths } => box_ray_argmax(&lines, wc.view(), u, half_widths.view(), hi),
        // ‖wc + s u‖² = s² ‖u‖² + 2 s (wc·u) + ‖wc‖²: the ball's depth along the ray is
        // ρ − √(that), and the maximum of the minimum in closed form too
        &Shape::L2Ball { radius } => {
            let (uu, wu, ww) = (u.dot(&u), wc.dot(&u), wc.dot(&wc));
            ball_ray_argmax(&lines, uu, wu, ww, radius, hi)
        }
    };
    let p = &w + &(&u * s);
    let d = depth_on(domain, rows, Some(target), p.view());
    (p, d)
}

/// The s in [0, `hi`] maximizing F(s) = min(φ(s), min_i (s0_i − s d_i)), φ(s) = ρ − √q(s),
/// q(s) = uu s² + 2 wu s + ww — the depth along a ray in an L2 ball of radius ρ, a concave
/// function of s — by walking its graph from s = 0 as [`box_ray_argmax`] does, with the ball's
/// depth as one more piece: on the lowest piece at s, while it rises, move to the first point
/// where another piece crosses below it (a line of smaller slope, or the ball, whose crossings
/// with a line are the roots of a quadratic), or stop at the piece's own maximum (the ball's:
/// s = −wu/uu). Each move goes to a piece of smaller slope there, so the walk is short; it is
/// capped all the same. Only a heuristic's point: the caller recomputes the depth at the
/// returned point.
fn ball_ray_argmax(lines: &[(f64, f64)], uu: f64, wu: f64, ww: f64, rho: f64, hi: f64) -> f64 {
    let q = |t: f64| (t * t * uu + 2.0 * t * wu + ww).max(0.0);
    // the ball's slope at t (NaN at its center, where it has none: no crossing is taken there)
    let slope = |t: f64| -(uu * t + wu) / q(t).sqrt();
    // the ball's own maximum along the ray
    let top = if uu > 0.0 {
        (-wu / uu).clamp(0.0, hi)
    } else {
        0.0
    };
    // the points t ≥ s where φ meets the line a + b·t: the roots of q(t) = (ρ − a − b t)² with
    // ρ − a − b t ≥ 0, i.e. A t² + 2B t + C = 0 (stable form: a vanishing A leaves the finite
    // root accurate and sends the other to ±∞)
    let meets = |a: f64, b: f64, s: f64| -> [f64; 2] {
        let r = rho - a;
        let (qa, qb, qc) = (uu - b * b, wu + r * b, ww - r * r);
        let disc = qb * qb - qa * qc;
        if disc.is_nan() || disc < 0.0 {
            return [f64::NAN; 2];
        }
        let qq = -(qb + qb.signum() * disc.sqrt());
        let ok = |t: f64| {
            if t.is_finite() && t >= s && r - b * t >= -1e-12 * (rho.abs() + a.abs()) {
                t
            } else {
                f64::NAN
            }
        };
        [ok(qq / qa), ok(qc / qq)]
    };
    // the lowest piece at 0 (among tied lines the smallest slope); the ball when it is lower
    let (mut a, mut b) = (f64::INFINITY, f64::INFINITY);
    for &(s0, d) in lines {
        let bk = -d;
        if s0 < a || (s0 == a && bk < b) {
            (a, b) = (s0, bk);
        }
    }
    let mut s = 0.0;
    let mut on_ball = rho - q(0.0).sqrt() <= a;
    for _ in 0..2 * lines.len() + 4 {
        if on_ball {
            if s >= top {
                return s;
            }
            // the first line crossing below the ball (its slope below the ball's there)
            let mut next = top;
            let mut pick = None;
            for &(s0, d) in lines {
                let bk = -d;
                for t in meets(s0, bk, s) {
                    if t < next && bk < slope(t) {
                        (next, pick) = (t, Some((s0, bk)));
                    }
                }
            }
            match pick {
                Some(line) => {
                    s = next;
                    (a, b) = line;
                    on_ball = false;
                }
                None => return top,
            }
        } else {
            if b.is_nan() || b <= 0.0 {
                return s;
            }
            // the first crossing at or after s of a line of smaller slope, or of the ball
            let mut next = f64::INFINITY;
            let (mut na, mut nb) = (a, b);
            let mut to_ball = false;
            for &(s0, d) in lines {
                let bk = -d;
                if bk < b {
                    let t = ((s0 - a) / (b - bk)).max(s);
                    if t < next || (t == next && bk < nb) {
                        (next, na, nb) = (t, s0, bk);
                    }
                }
            }
            for t in meets(a, b, s) {
                if t < next && slope(t) < b {
                    next = t;
                    to_ball = true;
                }
            }
            if next.is_nan() || next >= hi {
                return if next.is_nan() { s } else { hi };
            }
            s = next;
            if to_ball {
                on_ball = true;
            } else {
                (a, b) = (na, nb);
            }
        }
    }
    s.clamp(0.0, hi)
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

    /// The golden-section search the ball's ray used before its closed form (40 steps: the
    /// bracket shrinks to 0.618^40 ≈ 4e-9 of its start), as the reference.
    fn golden_argmax(f: impl Fn(f64) -> f64, hi: f64) -> f64 {
        const INV_PHI: f64 = 0.618_033_988_749_894_8;
        let (mut lo, mut hi) = (0.0, hi);
        let mut x1 = hi - INV_PHI * (hi - lo);
        let mut x2 = lo + INV_PHI * (hi - lo);
        let (mut f1, mut f2) = (f(x1), f(x2));
        for _ in 0..40 {
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
        0.5 * (lo + hi)
    }

    /// On random rays through random polytopes in an L2 ball (dimensions 2–8, up to 40 rows,
    /// the target's own normal among the directions), the closed-form maximum of the depth along
    /// the ray is at least as deep as golden-section search finds (up to that search's own
    /// precision), and never outside [0, hi].
    #[test]
    fn ball_ray_argmax_matches_golden_section() {
        let mut rng = crate::enumerate::test_rng::Rng(17);
        let mut better = 0;
        for trial in 0..3000 {
            let n = 2 + trial % 7;
            let m = trial % 41;
            let rho = 0.05 + rng.next().abs();
            let c0: Vec<f64> = (0..n).map(|_| rng.next()).collect();
            // the start: inside the ball, or (every fifth) outside it
            let scale = if trial % 5 == 0 { 1.5 } else { 0.7 };
            let w: Vec<f64> = c0
                .iter()
                .map(|c| c + scale * rho * rng.next() / (n as f64).sqrt())
                .collect();
            let mut u: Vec<f64> = (0..n).map(|_| rng.next()).collect();
            let mut rows = Vec::new();
            for _ in 0..m {
                let mut g: Vec<f64> = (0..n).map(|_| rng.next()).collect();
                let gn = g.iter().map(|v| v * v).sum::<f64>().sqrt();
                g.iter_mut().for_each(|v| *v /= gn);
                let gw: f64 = g.iter().zip(&w).map(|(a, b)| a * b).sum();
                rows.push(HalfSpace {
                    g: Array1::from(g),
                    h: gw + rho * (rng.next() + 0.3),
                });
            }
            let un = u.iter().map(|v| v * v).sum::<f64>().sqrt();
            u.iter_mut().for_each(|v| *v /= un);
            // the target: every third one along the ray (its normal −u, as the search's callers
            // use it: slope 1 up to rounding) with w outside it, else a random one
            let g: Vec<f64> = if trial % 3 == 0 {
                u.iter().map(|v| -v).collect()
            } else {
                let g: Vec<f64> = (0..n).map(|_| rng.next()).collect();
                let gn = g.iter().map(|v| v * v).sum::<f64>().sqrt();
                g.iter().map(|v| v / gn).collect()
            };
            let gw: f64 = g.iter().zip(&w).map(|(a, b)| a * b).sum();
            let margin = if trial % 3 == 0 {
                -0.1 * rho * rng.next().abs()
            } else {
                0.2 * rho * rng.next()
            };
            let target = HalfSpace {
                g: Array1::from(g),
                h: gw + margin,
            };
            let dom = Domain::ball(Array1::from(c0.clone()), rho, Norm::L2).unwrap();
            let all = Rows::of(&rows, n);
            let (wv, uv) = (Array1::from(w.clone()), Array1::from(u.clone()));
            let (p, d) = deepest_on_ray(&dom, &all, &target, wv.view(), uv.view());
            let hi = 4.0 * rho * (n as f64).sqrt();
            let at = |s: f64| -> f64 {
                let x = &wv + &(&uv * s);
                let mut hs = rows.clone();
                hs.push(target.clone());
                depth(&dom, &hs, None, x.view())
            };
            let s_ref = golden_argmax(at, hi);
            let d_ref = at(s_ref);
            let s_got = (&p - &wv).dot(&uv);
            assert!(
                (-1e-12..=hi * (1.0 + 1e-12)).contains(&s_got),
                "trial {trial}: s = {s_got} outside [0, {hi}]"
            );
            assert!(
                d >= d_ref - 1e-7 * rho,
                "trial {trial}: depth {d} below golden section's {d_ref}"
            );
            if d > d_ref + 1e-9 * rho {
                better += 1;
            }
        }
        eprintln!("closed form deeper than golden section on {better} rays");
    }
}

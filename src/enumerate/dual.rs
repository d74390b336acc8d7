//! A solver-free proof that a side of a split is empty: a certified upper bound on a linear
//! function over P ∩ domain from Lagrange multipliers.
//!
//! Weak duality (docs/math.md#35-the-weak-duality-bound): for P = {x : g_i·x ≤ h_i} and any
//! y ≥ 0, every x in P ∩ domain
//! satisfies c·x = (c − Σ y_i g_i)·x + Σ y_i g_i·x ≤ max_{x∈domain} (c − Σ y_i g_i)·x + Σ y_i h_i
//! = Σ y_i h_i + r·center + support(r),  r = c − Σ y_i g_i.
//! The bound holds for every y ≥ 0, so the multipliers may come from any heuristic:
//! - L2 ball: the primal active-set method of `ball_lp` on max c·x over P ∩ ball itself, whose
//!   KKT multipliers make the bound tight (equal to the maximum up to rounding);
//! - box (and an L2 ball where `ball_lp` gives up): a small dense primal active-set method
//!   (simplex from an interior point) on the LP max c·x over P ∩ (the domain's bounding box),
//!   a few microseconds in low dimension, its multipliers then improved on the ball by
//!   coordinate descent ([`refine_on_ball`]).
//!
//! The bound is then evaluated in closed form with the true domain (box or L2 ball), so the proof
//! does not depend on the accuracy of either method.

// numerical loops over coordinates read clearer with indices
#![allow(clippy::needless_range_loop)]

use super::ball_lp::{ball_lp, BallEnd, BallLpScratch};
use super::dense::{
    append_orthonormal, back_substitute, dot, first_least, project_out, ratio_or_nan,
};
use super::geometry::slack;
use super::rows::Rows;
use crate::domain::{Domain, Shape};
use crate::solver::HalfSpace;
use ndarray::{Array1, ArrayView1};

/// Iteration cap of the active-set method (each iteration adds or drops one active row).
pub(super) const MAX_ITER: usize = 200;

/// Whether the box LP can settle max c·x over P ∩ a box of dimension `n`: a vertex of a box LP
/// has n active constraints, one per iteration at least, so with n > [`MAX_ITER`] it always gives
/// up (measured on MNIST 256x2, 784 inputs: 44% of all instructions spent there for nothing).
/// An L2 ball has its own closed form (`ball_lp`) and no such limit.
pub(super) fn box_lp_can_settle(domain: &Domain, n: usize) -> bool {
    !matches!(domain.shape(), Shape::Box { .. }) || n <= MAX_ITER
}

/// Reusable buffers of [`dual_bound_with`] (one per worker: no allocation per call).
#[derive(Default)]
pub struct DualScratch {
    /// The rows of the last call by half-spaces ([`dual_bound_until`]; a worker keeps its own
    /// [`Rows`] with its stack instead).
    rows: Rows,
    x: Vec<f64>,
    d: Vec<f64>,
    v: Vec<f64>,
    q: Vec<f64>,
    active: Vec<usize>,
    is_active: Vec<bool>,
    ball: BallLpScratch,
    /// The objective, the domain's bounding box, per polytope row its slack h_i − g_i·x (kept up
    /// to date along the steps) and g_i·d, and the active rows' multipliers (box path).
    c: Vec<f64>,
    lo: Vec<f64>,
    hi: Vec<f64>,
    slack: Vec<f64>,
    gd: Vec<f64>,
    /// Per polytope row, its ratio in the ratio test (NaN where it does not block).
    ratio: Vec<f64>,
    yk: Vec<f64>,
    /// After a successful [`dual_bound_with`]: the multipliers (one per half-space, ≥ 0) at
    /// which its bound was evaluated (for certificates, `super::certificate`).
    pub(super) y_out: Vec<f64>,
}

/// The outcome of [`dual_bound_with`].
pub struct DualBound {
    /// A certified upper bound on max{c·x : x ∈ P ∩ domain}.
    pub value: f64,
    /// The LP's final point: a maximizer over P ∩ (the domain's bounding box), up to rounding.
    pub lp_point: Array1<f64>,
    /// For an L2 ball B(c0, ρ): the maximizer c0 + ρ v/‖v‖ of the Lagrangian at the refined
    /// multipliers, an approximate maximizer over P ∩ ball (not necessarily inside P).
    pub ball_point: Option<Array1<f64>>,
    /// Whether the method stopped early at a point where c·x exceeds the caller's `stop_above`
    /// ([`dual_bound_until`]): then `value` is +∞ (no bound) and `lp_point` is that point.
    pub early: bool,
}

/// A certified upper bound on max{c·x : x ∈ P ∩ domain} (P = the normalized `halfspaces`),
/// with approximate maximizers, or `None` when the active-set method did not settle (the caller
/// then asks a solver). `x0` must be strictly inside P and the domain.
#[cfg(test)]
pub fn dual_bound(
    domain: &Domain,
    halfspaces: &[HalfSpace],
    c: ArrayView1<f64>,
    x0: ArrayView1<f64>,
) -> Option<(f64, Array1<f64>)> {
    dual_bound_with(&mut DualScratch::default(), domain, halfspaces, c, x0)
        .map(|d| (d.value, d.lp_point))
}

/// The dual bound of ±h over a node, with caller-owned buffers.
pub fn dual_bound_with(
    sc: &mut DualScratch,
    domain: &Domain,
    halfspaces: &[HalfSpace],
    c: ArrayView1<f64>,
    x0: ArrayView1<f64>,
) -> Option<DualBound> {
    dual_bound_until(sc, domain, halfspaces, c, x0, f64::INFINITY)
}

/// [`dual_bound_with`], except that the walk (the box LP's, or on an L2 ball `ball_lp`'s: each
/// raises c·x at every step and stays in P ∩ box, resp. P ∩ ball) stops as soon as
/// c·x > `stop_above`: the caller only wants to know whether the maximum exceeds that level,
/// and a point of P ∩ domain past it answers that (`early`; no bound then).
pub(super) fn dual_bound_until(
    sc: &mut DualScratch,
    domain: &Domain,
    halfspaces: &[HalfSpace],
    c: ArrayView1<f64>,
    x0: ArrayView1<f64>,
    stop_above: f64,
) -> Option<DualBound> {
    let mut rows = std::mem::take(&mut sc.rows);
    rows.load(halfspaces, c.len());
    let out = dual_bound_on(sc, domain, &rows, c, x0, stop_above);
    sc.rows = rows;
    out
}

/// [`dual_bound_until`] over the polytope of `rows` (kept by the caller).
pub(super) fn dual_bound_on(
    sc: &mut DualScratch,
    domain: &Domain,
    rows: &Rows,
    c: ArrayView1<f64>,
    x0: ArrayView1<f64>,
    stop_above: f64,
) -> Option<DualBound> {
    let n = c.len();
    let m_poly = rows.len();
    debug_assert!(m_poly == 0 || rows.n == n);
    sc.c.clear();
    sc.c.extend(c.iter());
    if let &Shape::L2Ball { radius } = domain.shape() {
        // exact over P ∩ ball when the active-set method settles; the box LP below otherwise
        let c0 = domain.center().as_slice()?;
        match ball_lp(
            &mut sc.ball,
            rows,
            &sc.c,
            c0,
            radius,
            x0.as_slice()?,
            stop_above,
        ) {
            Some(BallEnd::Optimal) => {
                sc.v.resize(n, 0.0);
                let (g, h) = (&rows.g[..], &rows.h[..]);
                let value = certificate(domain, g, h, n, &sc.c, &mut sc.ball.y, &mut sc.v);
                sc.y_out.clear();
                sc.y_out.extend_from_slice(&sc.ball.y[..m_poly]);
                // the exact maximizer: no separate Lagrangian point to aim at
                return Some(DualBound {
                    value,
                    lp_point: Array1::from(sc.ball.x.clone()),
                    ball_point: None,
                    early: false,
                });
            }
            Some(BallEnd::Above) => {
                return Some(DualBound {
                    value: f64::INFINITY,
                    lp_point: Array1::from(sc.ball.x.clone()),
                    ball_point: None,
                    early: true,
                });
            }
            None => {}
        }
    }
    box_active_set(sc, rows, domain, m_poly, n, x0, stop_above)
}

/// The primal active-set method of [`dual_bound_with`] on the LP max c·x over P ∩ (the domain's
/// bounding box), `rows` holding P's rows and `sc.c` the objective. The box rows
/// x_j ≤ hi_j (index m_poly + 2j) and −x_j ≤ −lo_j (m_poly + 2j + 1) stay implicit: O(1) each in
/// the ratio test, written out only when they join the active set. The rows' slacks are kept up
/// to date along the steps (one product per row and step), and at a vertex the multipliers come
/// from the Gram–Schmidt basis already built: G_W = L Q, c = Qᵀ(Q c), so Lᵀ y = Q c (triangular).
/// Only the multipliers matter for the bound, which is evaluated from scratch.
///
/// Each step moves along d, the projection of c on the null space of the active rows, so c·x
/// rises by t‖d‖² (c·d = d·d): once it exceeds `stop_above` the walk stops with its point.
///
/// On x86-64 with AVX (detected at run time) the method is compiled for AVX: the same
/// operations in the same order (no fused multiply-add), so the same floats.
fn box_active_set(
    sc: &mut DualScratch,
    rows: &Rows,
    domain: &Domain,
    m_poly: usize,
    n: usize,
    x0: ArrayView1<f64>,
    stop_above: f64,
) -> Option<DualBound> {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx") {
            // SAFETY: the CPU supports AVX, checked just above
            return unsafe { box_active_set_avx(sc, rows, domain, m_poly, n, x0, stop_above) };
        }
    }
    box_active_set_plain(sc, rows, domain, m_poly, n, x0, stop_above)
}

/// [`box_active_set`] compiled with AVX enabled.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
fn box_active_set_avx(
    sc: &mut DualScratch,
    rows: &Rows,
    domain: &Domain,
    m_poly: usize,
    n: usize,
    x0: ArrayView1<f64>,
    stop_above: f64,
) -> Option<DualBound> {
    box_active_set_plain(sc, rows, domain, m_poly, n, x0, stop_above)
}

/// The body of [`box_active_set`] (inlined into each caller, so compiled for its target
/// features).
#[inline(always)]
fn box_active_set_plain(
    sc: &mut DualScratch,
    rows: &Rows,
    domain: &Domain,
    m_poly: usize,
    n: usize,
    x0: ArrayView1<f64>,
    stop_above: f64,
) -> Option<DualBound> {
    let cnorm = dot(&sc.c, &sc.c).sqrt();
    if cnorm == 0.0 {
        sc.y_out.clear();
        sc.y_out.resize(m_poly, 0.0);
        return Some(DualBound {
            value: 0.0,
            lp_point: x0.to_owned(),
            ball_point: None,
            early: false,
        });
    }
    start_at(sc, rows, domain, m_poly, n, x0);
    let mut objective = dot(&sc.c, &sc.x);
    for _ in 0..MAX_ITER {
        let dnorm = dot(&sc.d, &sc.d).sqrt();
        if dnorm <= 1e-12 * cnorm {
            // a vertex of the active rows: done when their multipliers are ≥ 0, else the most
            // negative one's row leaves the active set
            active_multipliers(sc, rows, m_poly, n)?;
            let (kmin, ymin) = sc
                .yk
                .iter()
                .enumerate()
                .fold(
                    (0, f64::INFINITY),
                    |acc, (k, &v)| if v < acc.1 { (k, v) } else { acc },
                );
            if ymin >= -1e-12 * cnorm || sc.active.is_empty() {
                return Some(settled_bound(sc, rows, domain, m_poly, n));
            }
            drop_active(sc, rows, kmin, m_poly, n)?;
            continue;
        }
        let step = ratio_test(sc, rows, m_poly, n, dnorm)?;
        objective += step.t * dnorm * dnorm;
        take_step(sc, rows, m_poly, n, step)?;
        if objective > stop_above {
            return Some(DualBound {
                value: f64::INFINITY,
                lp_point: Array1::from(sc.x.clone()),
                ball_point: None,
                early: true,
            });
        }
    }
    None
}

/// Sets up the active-set method at `x0` with no active row: the domain's bounding box, the
/// polytope rows' slacks, and the direction d = c.
#[inline(always)]
fn start_at(
    sc: &mut DualScratch,
    rows: &Rows,
    domain: &Domain,
    m_poly: usize,
    n: usize,
    x0: ArrayView1<f64>,
) {
    let m = m_poly + 2 * n;
    // the domain's bounding box, as `Domain::bounding_box` computes it
    sc.lo.clear();
    sc.hi.clear();
    for j in 0..n {
        let w = domain.half_width(j);
        sc.lo.push(domain.center()[j] - w);
        sc.hi.push(domain.center()[j] + w);
    }
    sc.x.clear();
    sc.x.extend(x0.iter());
    // the slacks h_i − g_i·x (g_i·x by columns into `slack` first)
    rows.times(&sc.x, &mut sc.slack);
    for (si, hi) in sc.slack.iter_mut().zip(&rows.h) {
        *si = hi - *si;
    }
    sc.gd.clear();
    sc.gd.resize(m_poly, 0.0);
    sc.active.clear();
    sc.is_active.clear();
    sc.is_active.resize(m, false);
    sc.q.clear(); // orthonormal basis of the active rows, n entries per vector
    sc.d.resize(n, 0.0);
    sc.v.resize(n, 0.0);
    // d = projection of c onto the null space of the active rows (kept up to date as rows join)
    sc.d.copy_from_slice(&sc.c);
}

/// The bound at a vertex whose active multipliers (`sc.yk`) are ≥ 0 up to rounding: any y ≥ 0
/// gives a valid bound, so box rows and negative multipliers are dropped; on an L2 ball the
/// multipliers are refined there first ([`bound`]).
#[inline(always)]
fn settled_bound(
    sc: &mut DualScratch,
    rows: &Rows,
    domain: &Domain,
    m_poly: usize,
    n: usize,
) -> DualBound {
    sc.y_out.clear();
    sc.y_out.resize(m_poly, 0.0);
    for (k, &i) in sc.active.iter().enumerate() {
        if i < m_poly && sc.yk[k] > 0.0 {
            sc.y_out[i] = sc.yk[k];
        }
    }
    let lp_point = Array1::from(sc.x.clone());
    match domain.shape() {
        Shape::Box { .. } => {
            let value = certificate(domain, &rows.g, &rows.h, n, &sc.c, &mut sc.y_out, &mut sc.v);
            DualBound {
                value,
                lp_point,
                ball_point: None,
                early: false,
            }
        }
        Shape::L2Ball { .. } => {
            let (value, ball_point) = bound(
                domain,
                &rows.g,
                &rows.h,
                m_poly,
                n,
                &sc.c,
                &sc.active,
                &sc.yk,
                &mut sc.y_out,
            );
            DualBound {
                value,
                lp_point,
                ball_point,
                early: false,
            }
        }
    }
}

/// Drops the `k`-th active row, rebuilds the basis of the others and projects c onto their null
/// space again. `None` if Gram–Schmidt fails.
#[inline(always)]
fn drop_active(sc: &mut DualScratch, rows: &Rows, k: usize, m_poly: usize, n: usize) -> Option<()> {
    let dropped = sc.active.remove(k);
    sc.is_active[dropped] = false;
    sc.q.clear();
    for k in 0..sc.active.len() {
        let i = sc.active[k];
        gram_schmidt(&rows.g, m_poly, n, i, &mut sc.q, &mut sc.v)?;
    }
    sc.d.copy_from_slice(&sc.c);
    project_out(&sc.q, n, &mut sc.d);
    Some(())
}

/// A step of the active-set method: x += t·d, which makes `row` active.
#[derive(Clone, Copy)]
struct Step {
    t: f64,
    row: usize,
}

/// The ratio test along d (of norm `dnorm`): the first inactive row reached, polytope rows then
/// the box rows in closed form (storing g_i·d in `sc.gd`). `None` when no row blocks d.
#[inline(always)]
fn ratio_test(
    sc: &mut DualScratch,
    rows: &Rows,
    m_poly: usize,
    n: usize,
    dnorm: f64,
) -> Option<Step> {
    let thr = 1e-14 * dnorm;
    rows.times(&sc.d, &mut sc.gd);
    // the polytope rows' ratios in one pass, then the first least (the rows in order, as one
    // loop over them would choose)
    // (every buffer zipped here holds at least the m_poly polytope rows)
    sc.ratio.resize(m_poly, 0.0);
    for (((r, &gd), &slack), &active) in sc
        .ratio
        .iter_mut()
        .zip(&sc.gd)
        .zip(&sc.slack)
        .zip(&sc.is_active)
    {
        *r = ratio_or_nan(slack, gd, (gd > thr) & !active);
    }
    let mut best = first_least(&sc.ratio).map(|(t, row)| Step { t, row });
    let mut consider = |t: f64, row: usize| {
        if best.is_none_or(|b| t < b.t) {
            best = Some(Step { t, row });
        }
    };
    for j in 0..n {
        let (dj, i) = (sc.d[j], m_poly + 2 * j);
        if dj > thr && !sc.is_active[i] {
            consider(((sc.hi[j] - sc.x[j]) / dj).max(0.0), i);
        } else if -dj > thr && !sc.is_active[i + 1] {
            consider(((sc.x[j] - sc.lo[j]) / -dj).max(0.0), i + 1);
        }
    }
    best
}

/// Moves x by `step`, updates the slacks, makes its row active and removes the row's new basis
/// vector from d. `None` if Gram–Schmidt fails.
#[inline(always)]
fn take_step(sc: &mut DualScratch, rows: &Rows, m_poly: usize, n: usize, step: Step) -> Option<()> {
    let Step { t, row: i } = step;
    for (xj, dj) in sc.x.iter_mut().zip(&sc.d) {
        *xj += t * dj;
    }
    for (sr, gr) in sc.slack.iter_mut().zip(&sc.gd) {
        *sr -= t * gr;
    }
    sc.active.push(i);
    sc.is_active[i] = true;
    gram_schmidt(&rows.g, m_poly, n, i, &mut sc.q, &mut sc.v)?;
    // d was orthogonal to the earlier basis vectors: only the new one is removed
    let at = sc.q.len() - n;
    project_out(&sc.q[at..], n, &mut sc.d);
    Some(())
}

/// The multipliers y of the active rows (in `sc.yk`) with G_Wᵀ y = c, c in their span: the
/// Gram–Schmidt basis Q of the rows (built in their order) gives G_W = L Q with L lower
/// triangular, L_il = row_i·q_l, so Lᵀ y = Q c by back substitution. `None` if a diagonal entry
/// vanishes (Gram–Schmidt keeps them above 1e-12, so only on NaN).
#[inline(always)]
fn active_multipliers(sc: &mut DualScratch, rows: &Rows, m_poly: usize, n: usize) -> Option<()> {
    let active = &sc.active;
    back_substitute(&sc.q, n, &sc.c, &mut sc.yk, |i, v| {
        row_dot(&rows.g, m_poly, n, active[i], v)
    })
}

/// Row i of the LP (see [`lp_row`]) dotted with v.
fn row_dot(g: &[f64], m_poly: usize, n: usize, i: usize, v: &[f64]) -> f64 {
    if i < m_poly {
        dot(&g[i * n..(i + 1) * n], v)
    } else {
        let j = (i - m_poly) / 2;
        if (i - m_poly).is_multiple_of(2) {
            v[j]
        } else {
            -v[j]
        }
    }
}

/// Row i of the LP written densely into `out`: a polytope row of `g` (i < m_poly) or a box row,
/// +e_j for x_j ≤ hi_j (i = m_poly + 2j) and −e_j for −x_j ≤ −lo_j (i = m_poly + 2j + 1).
fn lp_row(g: &[f64], m_poly: usize, n: usize, i: usize, out: &mut [f64]) {
    if i < m_poly {
        out[..n].copy_from_slice(&g[i * n..(i + 1) * n]);
    } else {
        out[..n].iter_mut().for_each(|v| *v = 0.0);
        let j = (i - m_poly) / 2;
        out[j] = if (i - m_poly).is_multiple_of(2) {
            1.0
        } else {
            -1.0
        };
    }
}

/// Appends row i, orthogonalized against `q` (Gram–Schmidt) and normalized, to `q`; `None` if it
/// depends on the rows already there.
fn gram_schmidt(
    g: &[f64],
    m_poly: usize,
    n: usize,
    i: usize,
    q: &mut Vec<f64>,
    v: &mut [f64],
) -> Option<()> {
    lp_row(g, m_poly, n, i, v);
    append_orthonormal(q, n, v, 1e-12)
}

/// Σ y_i h_i + r·center + support(r) with r = c − Σ y_i g_i over the active polytope rows with
/// y_i > 0 (box rows and negative multipliers are dropped: any y ≥ 0 gives a valid bound).
/// For an L2 ball the multipliers, which come from the LP over the ball's bounding box, are
/// then improved by [`refine_on_ball`]; the smaller of the two bounds is returned, with the
/// Lagrangian's maximizer over the ball at the refined multipliers.
#[allow(clippy::too_many_arguments)]
fn bound(
    domain: &Domain,
    g: &[f64],
    h: &[f64],
    m_poly: usize,
    n: usize,
    c: &[f64],
    active: &[usize],
    y: &[f64],
    y_out: &mut Vec<f64>,
) -> (f64, Option<Array1<f64>>) {
    let mut y_full = vec![0.0; m_poly];
    for (k, &i) in active.iter().enumerate() {
        if i < m_poly && y[k] > 0.0 {
            y_full[i] = y[k];
        }
    }
    let mut v = vec![0.0; n];
    let lp_bound = certificate(domain, g, h, n, c, &mut y_full, &mut v);
    y_out.clear();
    y_out.extend_from_slice(&y_full);
    match domain.shape() {
        &Shape::L2Ball { radius } => {
            let refined = refine_on_ball(domain, g, h, n, c, radius, &mut y_full, &mut v);
            let vn = v.iter().map(|e| e * e).sum::<f64>().sqrt();
            let point = (vn > 0.0).then(|| {
                Array1::from_iter((0..n).map(|j| domain.center()[j] + radius * v[j] / vn))
            });
            if refined < lp_bound {
                y_out.clear();
                y_out.extend_from_slice(&y_full);
            }
            (lp_bound.min(refined), point)
        }
        Shape::Box { .. } => (lp_bound, None),
    }
}

/// Passes of coordinate descent in [`refine_on_ball`].
const BALL_PASSES: usize = 8;

/// Improves the multipliers for an L2 ball B(c0, ρ): minimizes the weak-duality bound
/// f(y) = Σ y_i h_i + v·c0 + ρ‖v‖₂, v = c − Σ y_i g_i, over y ≥ 0 by exact coordinate descent.
/// Along one coordinate, y_i + t, f changes by φ(t) = t(h_i − g_i·c0) + ρ‖v − t g_i‖, a convex
/// function minimized in closed form: with A = ‖g_i‖², B = −g_i·v, D = A‖v‖² − B² and
/// κ = −(h_i − g_i·c0)/ρ, the stationary point has u = A t + B = κ √(D / (A − κ²)) when |κ| < √A.
/// Every y ≥ 0 gives a valid bound, so the descent only has to be a good heuristic: the bound
/// returned is evaluated from scratch at the final y.
#[allow(clippy::too_many_arguments)]
fn refine_on_ball(
    domain: &Domain,
    g: &[f64],
    h: &[f64],
    n: usize,
    c: &[f64],
    rho: f64,
    y: &mut [f64],
    v: &mut [f64],
) -> f64 {
    let m = y.len();
    let c0: Vec<f64> = domain.center().to_vec();
    for _ in 0..BALL_PASSES {
        let mut moved = false;
        for i in 0..m {
            let gi = &g[i * n..(i + 1) * n];
            let a = dot(gi, gi);
            if a == 0.0 {
                continue;
            }
            let beta = h[i] - dot(gi, &c0);
            let kappa = -beta / rho;
            let t = if kappa * kappa >= a {
                // φ is monotone. Increasing (β ≥ ρ‖g_i‖): drop the row. Decreasing would mean
                // the row excludes the whole ball, impossible with a witness inside: skip it.
                if beta > 0.0 {
                    -y[i]
                } else {
                    continue;
                }
            } else {
                let b = -dot(gi, v);
                let d = (a * dot(v, v) - b * b).max(0.0);
                let u = kappa * (d / (a - kappa * kappa)).sqrt();
                ((u - b) / a).max(-y[i])
            };
            if t != 0.0 && t.is_finite() {
                y[i] += t;
                for j in 0..n {
                    v[j] -= t * gi[j];
                }
                moved = true;
            }
        }
        if !moved {
            break;
        }
    }
    certificate(domain, g, h, n, c, y, v)
}

/// A certificate that the open set {x in int domain : g_i·x < h_i for all i} is empty: with
/// multipliers y ≥ 0 (not all 0), every x of the domain has Σ y_i (h_i − g_i·x) ≤ value, so
/// value ≤ 0 leaves no x with every slack positive. `value` is [`certificate`] with c = 0, with
/// its rounding allowance. Any y ≥ 0 is valid (a solver's multipliers, say), except y = 0,
/// which proves nothing and gets +∞.
pub(super) fn emptiness_certificate(domain: &Domain, halfspaces: &[HalfSpace], y: &[f64]) -> f64 {
    let n = domain.dim();
    if y.len() != halfspaces.len() || !y.iter().any(|&v| v > 0.0) {
        return f64::INFINITY;
    }
    let (g, h) = flat_rows(halfspaces, n);
    // the value is linear in y: scaled to max y_i = 1, no product of a tiny multiplier can
    // underflow and fake a negative value (the support's ‖v‖₂ would vanish first)
    let top = y.iter().fold(0.0f64, |m, v| m.max(*v));
    if !top.is_finite() {
        return f64::INFINITY;
    }
    let mut y: Vec<f64> = y.iter().map(|v| v / top).collect();
    let c = vec![0.0; n];
    let mut v = vec![0.0; n];
    certificate(domain, &g, &h, n, &c, &mut y, &mut v)
}

/// The weak-duality bound on max{c·x : x ∈ P ∩ domain} at multipliers y ≥ 0 (one per
/// half-space; negative entries are clamped to 0 in place), with its rounding allowance: valid
/// whatever produced y (here: the box LP's row duals).
pub(super) fn bound_at(domain: &Domain, halfspaces: &[HalfSpace], c: &[f64], y: &mut [f64]) -> f64 {
    let n = domain.dim();
    let (g, h) = flat_rows(halfspaces, n);
    let mut v = vec![0.0; n];
    certificate(domain, &g, &h, n, c, y, &mut v)
}

/// The weak-duality bound on max{s·a·x : x ∈ P ∩ domain} at multipliers y supported on a few
/// rows (`support`: (row, y_i); entries not > 0 are skipped): [`certificate`] with every other
/// multiplier 0 (its rounding allowance counted for all m rows), without writing the rows out.
/// Valid for every y ≥ 0.
pub(super) fn sparse_bound(
    domain: &Domain,
    halfspaces: &[HalfSpace],
    a: ArrayView1<f64>,
    s: f64,
    support: impl Iterator<Item = (usize, f64)>,
) -> f64 {
    let n = a.len();
    let m = halfspaces.len();
    let c0 = domain.center();
    let reach = |j: usize| c0[j].abs() + domain.half_width(j);
    let mut v: Array1<f64> = a.mapv(|x| s * x);
    let mut total = 0.0;
    let mut magnitude = 0.0;
    for j in 0..n {
        magnitude += 2.0 * v[j].abs() * reach(j);
    }
    for (i, y) in support {
        let Some(hs) = halfspaces.get(i) else {
            return f64::INFINITY;
        };
        if y.is_nan() || y <= 0.0 {
            continue;
        }
        total += y * hs.h;
        magnitude += y * hs.h.abs();
        let mut row = 0.0;
        for j in 0..n {
            let gij = hs.g[j];
            v[j] -= y * gij;
            row += gij.abs() * reach(j);
        }
        magnitude += 2.0 * y * row;
    }
    let value = total + v.dot(c0) + domain.support(v.view());
    value + crate::tolerance::rounding_allowance(m + n + 2, magnitude)
}

/// The rows g_i (n entries each, in one flat vector) and right-hand sides h_i of half-spaces.
fn flat_rows(halfspaces: &[HalfSpace], n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut g = Vec::with_capacity(halfspaces.len() * n);
    let mut h = Vec::with_capacity(halfspaces.len());
    for hs in halfspaces {
        g.extend(hs.g.iter());
        h.push(hs.h);
    }
    (g, h)
}

/// [`certificate`] for the test of `ball_lp`'s multipliers.
#[cfg(test)]
fn certificate_for_tests(domain: &Domain, g: &[f64], h: &[f64], c: &[f64], y: &mut [f64]) -> f64 {
    let mut v = vec![0.0; c.len()];
    certificate(domain, g, h, c.len(), c, y, &mut v)
}

/// The weak-duality bound on max{c·x : x ∈ P ∩ domain} at multipliers y (one per polytope row,
/// clamped to ≥ 0 in place), evaluated from scratch: Σ y_i h_i + v·c0 + support(v) with
/// v = c − Σ y_i g_i (left in `v`), plus the rounding allowance of that evaluation
/// (`tolerance::rounding_allowance` of Σ y_i|h_i| + 2 Σ_j (|c_j| + Σ_i y_i|g_ij|)(|c0_j| + w_j),
/// w_j the domain's half width: an error δ_j in v_j moves v·c0 + support(v) by at most
/// δ_j (|c0_j| + w_j)). Valid for every y ≥ 0, whatever method produced it.
#[allow(clippy::too_many_arguments)]
fn certificate(
    domain: &Domain,
    g: &[f64],
    h: &[f64],
    n: usize,
    c: &[f64],
    y: &mut [f64],
    v: &mut [f64],
) -> f64 {
    let m = y.len();
    let c0 = domain.center();
    let reach_at = |j: usize| c0[j].abs() + domain.half_width(j);
    // in low dimension the reaches once, on the stack (the same values)
    let mut few = [0.0; 16];
    if n <= few.len() {
        for (j, r) in few.iter_mut().enumerate().take(n) {
            *r = reach_at(j);
        }
    }
    let reach = |j: usize| if n <= few.len() { few[j] } else { reach_at(j) };
    v.copy_from_slice(c);
    let mut total = 0.0;
    let mut magnitude = 0.0;
    for j in 0..n {
        magnitude += 2.0 * c[j].abs() * reach(j);
    }
    for i in 0..m {
        y[i] = y[i].max(0.0);
        if y[i] > 0.0 {
            total += y[i] * h[i];
            magnitude += y[i] * h[i].abs();
            let mut row = 0.0;
            for j in 0..n {
                let gij = g[i * n + j];
                v[j] -= y[i] * gij;
                row += gij.abs() * reach(j);
            }
            magnitude += 2.0 * y[i] * row;
        }
    }
    let vv = ndarray::ArrayView1::from(&v[..]);
    let value = total + vv.dot(c0) + domain.support(vv);
    value + crate::tolerance::rounding_allowance(m + n + 2, magnitude)
}

/// The slack-based sanity check used in tests: every half-space holds at x with slack ≥ 0.
#[allow(dead_code)]
fn feasible(halfspaces: &[HalfSpace], x: ArrayView1<f64>) -> bool {
    halfspaces.iter().all(|hs| slack(hs, x) >= 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Norm;
    use crate::enumerate::geometry::side_halfspace;
    use clarabel::algebra::CscMatrix;
    use clarabel::solver::{
        DefaultSettings, DefaultSolver, IPSolver, SolverStatus, SupportedConeT,
    };
    use ndarray::{array, Array1};

    /// Tiny multipliers cannot fake a certificate: the L2 support ‖v‖₂ would underflow to 0 while
    /// Σ y_i h_i stays negative (a review's case: 1-D unit ball, x ≤ −1/2 is not empty).
    #[test]
    fn tiny_multipliers_do_not_fake_an_emptiness_certificate() {
        let dom = Domain::ball(array![0.0], 1.0, Norm::L2).unwrap();
        let row = HalfSpace {
            g: array![1.0],
            h: -0.5,
        };
        for y in [1.0, 1e-170, 1e-300, 5e-324] {
            let v = emptiness_certificate(&dom, std::slice::from_ref(&row), &[y]);
            assert!(v > 0.0, "y = {y:e}: {v:e}");
        }
        // and a real certificate still passes: x ≤ −1 − 1/8 misses the unit ball
        let far = HalfSpace {
            g: array![1.0],
            h: -1.125,
        };
        assert!(emptiness_certificate(&dom, &[far], &[1e-200]) <= 0.0);
    }

    /// A box LP stopped early returns a point of P ∩ box past the level asked and no bound
    /// (+∞); asked for a level above the maximum it settles with the usual certified bound.
    #[test]
    fn an_early_stop_returns_a_feasible_point_past_the_level() {
        // max x over the unit box cut by x + y ≤ 1.5 from (−0.5, −0.5): the maximum is 1
        let dom = Domain::ball(array![0.0, 0.0], 1.0, Norm::Linf).unwrap();
        let hs = side_halfspace(array![1.0, 1.0].view(), -1.5, false);
        let c = array![1.0, 0.0];
        let x0 = array![-0.5, -0.5];
        let mut sc = DualScratch::default();
        let d = dual_bound_until(
            &mut sc,
            &dom,
            std::slice::from_ref(&hs),
            c.view(),
            x0.view(),
            0.25,
        )
        .unwrap();
        assert!(d.early && d.value == f64::INFINITY);
        assert!(d.lp_point[0] > 0.25, "{}", d.lp_point);
        assert!(
            dom.depth(d.lp_point.view()) >= -1e-12
                && feasible_within(std::slice::from_ref(&hs), d.lp_point.view(), 1e-12)
        );
        let d = dual_bound_until(&mut sc, &dom, &[hs], c.view(), x0.view(), 1.5).unwrap();
        assert!(!d.early && (d.value - 1.0).abs() < 1e-12, "{}", d.value);
    }

    #[test]
    fn bound_is_the_lp_value_on_a_box() {
        // max x + y over the unit box cut by x + 2y ≤ 1 (from (0,0)): optimum at (1, 0) → 1
        let dom = Domain::ball(array![0.0, 0.0], 1.0, Norm::Linf).unwrap();
        let hs = side_halfspace(array![1.0, 2.0].view(), -1.0, false); // x + 2y − 1 ≤ 0
        let (b, _) = dual_bound(
            &dom,
            &[hs],
            array![1.0, 1.0].view(),
            array![0.0, 0.0].view(),
        )
        .unwrap();
        assert!((b - 1.0).abs() < 1e-12, "{b}");
        // without the cut: 2
        let (b, _) =
            dual_bound(&dom, &[], array![1.0, 1.0].view(), array![0.0, 0.0].view()).unwrap();
        assert!((b - 2.0).abs() < 1e-12, "{b}");
    }

    /// The ball-refined bound stays above the true maximum (sampled) on random polytopes
    /// around the center.
    #[test]
    fn ball_refined_bound_is_valid() {
        let dom = Domain::ball(array![0.2, -0.1, 0.3], 1.0, Norm::L2).unwrap();
        let mut state = 12345u64;
        let mut rnd = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
        };
        for _ in 0..200 {
            let hs: Vec<HalfSpace> = (0..6)
                .map(|_| {
                    let g = array![rnd(), rnd(), rnd()];
                    // through a point near the center, oriented to keep the center inside
                    let h = g.dot(dom.center()) + 0.05 + 0.5 * rnd().abs();
                    HalfSpace { g, h }
                })
                .collect();
            let c = array![rnd(), rnd(), rnd()];
            let Some((b, _)) = dual_bound(&dom, &hs, c.view(), dom.center().view()) else {
                continue;
            };
            let mut best = f64::NEG_INFINITY;
            for _ in 0..4000 {
                let x = array![rnd(), rnd(), rnd()];
                let x = dom.center() + &x;
                if dom.contains(x.view()) && feasible(&hs, x.view()) {
                    best = best.max(c.dot(&x));
                }
            }
            assert!(b >= best - 1e-12, "bound {b} below a feasible value {best}");
        }
    }

    /// On random polytopes in boxes (2 to 200 dimensions) the box LP's bound equals the LP
    /// optimum: HiGHS's own certified bound (from its row duals) agrees, and the LP's final
    /// point is feasible with that value (a feasible value equal to a valid upper bound).
    #[test]
    fn box_bound_matches_highs() {
        use crate::bounds::lp::highs_lp::{HighsLp, LpModel};
        use crate::bounds::lp::relaxation::certified_upper;
        let mut state = 99u64;
        let mut rnd = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
        };
        let mut settled = 0;
        let mut total = 0;
        for trial in 0..120 {
            let n = [2, 3, 5, 8, 40, 200][trial % 6];
            let m = (trial * 7) % 25;
            let center = Array1::from_shape_fn(n, |_| rnd());
            let hw = 0.1 + rnd().abs();
            let dom = Domain::ball(center.clone(), hw, Norm::Linf).unwrap();
            let x0 = center.mapv(|v| v + 0.01 * hw * rnd());
            let hs: Vec<HalfSpace> = (0..m)
                .map(|_| {
                    let g = Array1::from_shape_fn(n, |_| rnd());
                    let g = &g / g.dot(&g).sqrt();
                    let h = g.dot(&x0) + hw * (0.02 + 0.5 * rnd().abs());
                    HalfSpace { g, h }
                })
                .collect();
            let c = Array1::from_shape_fn(n, |_| rnd());
            // a vertex in 200 dimensions needs about 200 iterations: the method may give up
            // there (MAX_ITER; the caller then asks a solver), but must be right when it answers
            if n <= 40 {
                total += 1;
            }
            let Some((ours, x)) = dual_bound(&dom, &hs, c.view(), x0.view()) else {
                continue;
            };
            if n <= 40 {
                settled += 1;
            }
            let mut model = LpModel::default();
            for j in 0..n {
                model.add_col(center[j] - hw, center[j] + hw);
            }
            for h in &hs {
                let row: Vec<(usize, f64)> = h.g.iter().copied().enumerate().collect();
                model.add_row(&row, f64::NEG_INFINITY, h.h);
            }
            let mut lp = HighsLp::new(&model).unwrap();
            let neg: Vec<f64> = c.iter().map(|v| -v).collect();
            let y = lp.minimize(&neg).unwrap().expect("HiGHS finds the optimum");
            let theirs = certified_upper(&model, &dom, c.as_slice().unwrap(), 0.0, &y);
            let scale = 1.0 + ours.abs();
            assert!(
                (ours - theirs).abs() <= 1e-7 * scale,
                "trial {trial} (n = {n}, m = {m}): ours {ours}, HiGHS {theirs}"
            );
            assert!(dom.depth(x.view()) >= -1e-9 && feasible_within(&hs, x.view(), 1e-9));
            assert!(
                c.dot(&x) >= ours - 1e-7 * scale,
                "trial {trial}: gap at the LP point"
            );
        }
        assert!(
            settled * 100 >= total * 95,
            "settled on {settled} of {total}"
        );
    }

    fn feasible_within(halfspaces: &[HalfSpace], x: ArrayView1<f64>, tol: f64) -> bool {
        halfspaces.iter().all(|hs| slack(hs, x) >= -tol)
    }

    #[test]
    fn bound_is_valid_on_a_ball() {
        // max x over the unit disc cut by x ≤ 0.5: bound must be ≥ 0.5 and here equals it
        let dom = Domain::ball(array![0.0, 0.0], 1.0, Norm::L2).unwrap();
        let hs = side_halfspace(array![1.0, 0.0].view(), -0.5, false);
        let (b, _) = dual_bound(
            &dom,
            &[hs],
            array![1.0, 0.0].view(),
            array![0.0, 0.0].view(),
        )
        .unwrap();
        assert!((b - 0.5).abs() < 1e-12, "{b}");
        assert!(feasible(&[], array![0.0, 0.0].view()));
    }

    /// max c·x s.t. Gx ≤ h, ‖x − c0‖ ≤ ρ by Clarabel (the reference).
    fn clarabel_max(g: &[f64], h: &[f64], n: usize, c: &[f64], c0: &[f64], rho: f64) -> f64 {
        let m = h.len();
        let (mut ri, mut cj, mut v, mut b) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for i in 0..m {
            for j in 0..n {
                ri.push(i);
                cj.push(j);
                v.push(g[i * n + j]);
            }
            b.push(h[i]);
        }
        // (ρ, x − c0) ∈ SOC: s = b − Ax with rows (ρ; c0_j − (−x_j)·…)
        b.push(rho);
        for j in 0..n {
            ri.push(m + 1 + j);
            cj.push(j);
            v.push(-1.0);
            b.push(-c0[j]);
        }
        let a = CscMatrix::new_from_triplets(m + n + 1, n, ri, cj, v);
        let p = CscMatrix::zeros((n, n));
        let q: Vec<f64> = c.iter().map(|v| -v).collect();
        let cones = [
            SupportedConeT::NonnegativeConeT(m),
            SupportedConeT::SecondOrderConeT(n + 1),
        ];
        let settings = DefaultSettings {
            verbose: false,
            tol_gap_abs: 1e-9,
            tol_gap_rel: 1e-9,
            tol_feas: 1e-9,
            ..DefaultSettings::default()
        };
        let mut s = DefaultSolver::new(&p, &q, &a, &b, &cones, settings).unwrap();
        s.solve();
        assert!(
            matches!(
                s.solution.status,
                SolverStatus::Solved | SolverStatus::AlmostSolved
            ),
            "{:?}",
            s.solution.status
        );
        -s.solution.obj_val
    }

    use crate::enumerate::test_rng::Rng;

    /// A random polytope through an L2 ball for instance `trial` (dimensions 2–6, and every
    /// eleventh instance 40 or 200; up to 30 rows): rows g (flat), h, the center c0, a point x0
    /// strictly inside both, the radius.
    struct BallInstance {
        n: usize,
        g: Vec<f64>,
        h: Vec<f64>,
        c0: Vec<f64>,
        x0: Vec<f64>,
        rho: f64,
    }

    fn random_ball_instance(rng: &mut Rng, trial: usize) -> BallInstance {
        let n = match trial % 11 {
            10 => [40, 200][(trial / 11) % 2],
            k => 2 + k % 5,
        };
        let m = 1 + (trial * 7) % 30;
        let rho = 0.5 + rng.next().abs();
        let c0: Vec<f64> = (0..n).map(|_| rng.next()).collect();
        // rows through points near c0, oriented to keep x0 = c0 + small offset inside
        let x0: Vec<f64> = c0.iter().map(|v| v + 0.01 * rng.next()).collect();
        let mut g = Vec::new();
        let mut h = Vec::new();
        for _ in 0..m {
            let gi: Vec<f64> = (0..n).map(|_| rng.next()).collect();
            let gx: f64 = gi.iter().zip(&x0).map(|(a, b)| a * b).sum();
            h.push(gx + 0.02 + 0.6 * rng.next().abs());
            g.extend(gi);
        }
        BallInstance {
            n,
            g,
            h,
            c0,
            x0,
            rho,
        }
    }

    /// x satisfies every row and lies in the ball, up to rounding.
    fn assert_in_polytope_and_ball(trial: usize, inst: &BallInstance, x: &[f64]) {
        let n = inst.n;
        for (i, hi) in inst.h.iter().enumerate() {
            let gx: f64 = inst.g[i * n..(i + 1) * n]
                .iter()
                .zip(x)
                .map(|(a, b)| a * b)
                .sum();
            assert!(
                gx <= hi + 1e-9,
                "trial {trial}: row {i} violated by {}",
                gx - hi
            );
        }
        let r: f64 = x
            .iter()
            .zip(&inst.c0)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>()
            .sqrt();
        assert!(
            r <= inst.rho * (1.0 + 1e-9),
            "trial {trial}: outside the ball"
        );
    }

    /// `ball_lp`'s answer in `sc` for objective c against Clarabel's maximum: its point is
    /// feasible, its value is the maximum and its multipliers' weak-duality bound closes the gap.
    fn assert_ball_lp_optimal(trial: usize, inst: &BallInstance, c: &[f64], sc: &BallLpScratch) {
        let BallInstance {
            n,
            ref g,
            ref h,
            ref c0,
            rho,
            ..
        } = *inst;
        let reference = clarabel_max(g, h, n, c, c0, rho);
        let scale = 1.0 + reference.abs();
        let x = &sc.x;
        let obj: f64 = c.iter().zip(x).map(|(a, b)| a * b).sum();
        assert_in_polytope_and_ball(trial, inst, x);
        assert!(
            (obj - reference).abs() <= 1e-7 * scale,
            "trial {trial}: {obj} vs {reference}"
        );
        let mut y = sc.y.clone();
        let domain = crate::domain::Domain::ball(
            ndarray::Array1::from(c0.clone()),
            rho,
            crate::domain::Norm::L2,
        )
        .unwrap();
        let bound = certificate_for_tests(&domain, g, h, c, &mut y);
        assert!(
            bound >= reference - 1e-9 * scale,
            "trial {trial}: bound {bound} below {reference}"
        );
        assert!(
            bound - reference <= 1e-7 * scale,
            "trial {trial}: gap {}",
            bound - reference
        );
    }

    /// On random polytopes through a ball (`random_ball_instance`) `ball_lp`'s active-set
    /// maximum matches Clarabel's, its point is feasible and its multipliers' weak-duality bound
    /// closes the gap; it settles on nearly every instance.
    #[test]
    fn ball_lp_matches_clarabel_on_random_instances() {
        let mut rng = Rng(7);
        let (mut solved, mut total) = (0, 0);
        for trial in 0..440 {
            let inst = random_ball_instance(&mut rng, trial);
            let c: Vec<f64> = (0..inst.n).map(|_| rng.next()).collect();
            total += 1;
            let mut sc = BallLpScratch::default();
            let rows = crate::enumerate::ball_lp::rows_for_tests(&inst.g, &inst.h, inst.n);
            let (c0, x0) = (&inst.c0, &inst.x0);
            if ball_lp(&mut sc, &rows, &c, c0, inst.rho, x0, f64::INFINITY).is_none() {
                continue;
            }
            solved += 1;
            assert_ball_lp_optimal(trial, &inst, &c, &sc);
        }
        eprintln!("settled on {solved} of {total}");
        assert!(solved * 100 >= total * 95, "settled on {solved} of {total}");
    }

    /// A node's LPs one after the other on the same rows and scratch, as the enumerator asks
    /// them (a random objective, its opposite, ± coordinates, a level that stops the walk
    /// early): each answer is Clarabel's maximum whether the walk started where the last call
    /// ended or from x0, and calls do start warm.
    #[test]
    fn ball_lp_started_where_the_last_call_ended_matches_clarabel() {
        let mut rng = Rng(19);
        let (mut solved, mut total, mut warm) = (0, 0, 0);
        for trial in 0..120 {
            let inst = random_ball_instance(&mut rng, trial);
            let n = inst.n;
            let rows = crate::enumerate::ball_lp::rows_for_tests(&inst.g, &inst.h, n);
            let mut sc = BallLpScratch::default();
            let c: Vec<f64> = (0..n).map(|_| rng.next()).collect();
            let mut objectives = vec![c.clone(), c.iter().map(|v| -v).collect()];
            for j in 0..n.min(4) {
                for s in [1.0, -1.0] {
                    let mut e = vec![0.0; n];
                    e[j] = s;
                    objectives.push(e);
                }
            }
            objectives.push(c.iter().map(|v| v + 0.3 * rng.next()).collect());
            for (k, c) in objectives.iter().enumerate() {
                let (c0, x0) = (&inst.c0, &inst.x0);
                // every third call stops at a level just above x0's value
                let level = if k % 3 == 2 {
                    c.iter().zip(x0).map(|(a, b)| a * b).sum::<f64>() + 0.01
                } else {
                    f64::INFINITY
                };
                let before = sc.warm_starts;
                total += 1;
                match ball_lp(&mut sc, &rows, c, c0, inst.rho, x0, level) {
                    Some(BallEnd::Optimal) => {
                        solved += 1;
                        warm += sc.warm_starts - before;
                        assert_ball_lp_optimal(trial, &inst, c, &sc);
                    }
                    Some(BallEnd::Above) => {
                        solved += 1;
                        let x = &sc.x;
                        let value: f64 = c.iter().zip(x).map(|(a, b)| a * b).sum();
                        assert!(value > level, "trial {trial}: stopped below the level");
                        assert_in_polytope_and_ball(trial, &inst, x);
                    }
                    None => {}
                }
            }
        }
        eprintln!("settled on {solved} of {total}, {warm} optimal answers started warm");
        assert!(solved * 100 >= total * 95, "settled on {solved} of {total}");
        assert!(warm * 4 >= total, "only {warm} of {total} started warm");
    }
}

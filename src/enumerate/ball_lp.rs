//! max{c·x : g_i·x ≤ h_i (i < m), ‖x − c0‖₂ ≤ ρ} — a linear function over a polytope cut by an
//! L2 ball — by a dense primal active-set method: the multipliers behind the dual bound of
//! `dual` on L2 balls, and the maximizer the ray searches aim at.
//!
//! With a working set W of rows held with equality and Q an orthonormal basis of their normals,
//! the subproblem max{c·x : G_W x = h_W, ‖x − c0‖ ≤ ρ} is solved in closed form:
//!
//!   x_W = p + ρ' d/‖d‖,  p = c0 + QQᵀ(x − c0),  ρ'² = ρ² − ‖p − c0‖²,  d = c − QQᵀc,
//!
//! (p is the projection of c0 on the affine set through any of its points x, d the projection of
//! c on the set's directions). Its KKT conditions c = G_Wᵀy + μ(x_W − c0) with μ = ‖d‖/ρ' give
//! the rows' multipliers y by least squares. From a point strictly inside, each iteration moves
//! toward x_W — the segment stays in the ball, which is convex — until a row blocks (it joins W)
//! or x_W is reached; there a negative multiplier leaves W, and y ≥ 0 is the KKT point of this
//! convex problem, hence optimal.
//!
//! A call on the same rows as one of the last two (`Rows::stamp`) may go on from where that one
//! ended instead of from x0 (`resume_where_last_ended`): its point lies in P ∩ ball with its
//! working set's rows at equality, a valid start of the same method.
//!
//! The walk raises c·x at every step (x_W maximizes c·x over a set that contains x), so a caller
//! that only asks whether the maximum exceeds a level may stop it at the first point past that
//! level (`stop_above`), as the box LP of `dual` does.
//!
//! Nothing here needs to be exact for the counter to be: `dual` re-evaluates the weak-duality
//! bound Σ y_i h_i + v·c0 + ρ‖v‖ (v = c − Gᵀy) from scratch for the y ≥ 0 returned, which is
//! valid for every y ≥ 0, and a ray target only has to be a good guess. `None` (dependent rows,
//! a working set touching the ball in one point, no progress) sends the caller to its fallback.

// numerical loops over coordinates read clearer with indices
#![allow(clippy::needless_range_loop)]

use super::dense::{append_orthonormal, dot, first_least, multipliers, project_out, ratio_or_nan};
use super::rows::Rows;

/// Iteration cap (each iteration adds a row, drops a row, or reaches x_W).
const MAX_ITER: usize = 100;

/// Reusable buffers (one per worker).
#[derive(Default)]
pub struct BallLpScratch {
    /// Multipliers of the m rows at the end (0 outside the working set, clamped to ≥ 0).
    pub y: Vec<f64>,
    /// The final point: the maximizer, up to rounding.
    pub x: Vec<f64>,
    q: Vec<f64>,
    d: Vec<f64>,
    p: Vec<f64>,
    r: Vec<f64>,
    v: Vec<f64>,
    /// Per row: slack h_i − g_i·x (kept up to date along the steps) and g_i·Δ.
    slack: Vec<f64>,
    gd: Vec<f64>,
    /// Per row, its ratio in the ratio test (NaN where it does not block).
    ratio: Vec<f64>,
    active: Vec<usize>,
    is_active: Vec<bool>,
    /// The working set's multipliers (`dense::multipliers`).
    yw: Vec<f64>,
    /// The rows and ball of the last call, when it succeeded: the buffers (point, working set,
    /// basis, slacks) are as it left them.
    last: Option<LastEnd>,
    /// The end state before the last one (its rows and ball, point, working set, basis, slacks).
    saved: SavedEnd,
    /// How many calls started where the last one ended ([`resume_where_last_ended`]).
    pub warm_starts: u64,
}

/// An end state kept aside.
#[derive(Default)]
struct SavedEnd {
    last: Option<LastEnd>,
    x: Vec<f64>,
    active: Vec<usize>,
    is_active: Vec<bool>,
    q: Vec<f64>,
    slack: Vec<f64>,
}

/// The rows and ball of the last call of [`ball_lp`], whose end state the buffers still hold.
struct LastEnd {
    stamp: u64,
    c0: Vec<f64>,
    rho: f64,
}

/// How [`ball_lp`] ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BallEnd {
    /// At the maximizer: the multipliers are in `y`.
    Optimal,
    /// At a point of P ∩ ball (`x`) where c·x exceeds the caller's `stop_above`; no multipliers.
    Above,
}

/// Runs the active-set method from `x0` (strictly inside the polytope of `rows` and the ball);
/// on success the multipliers are in `sc.y` and the maximizer in `sc.x`, or (when c·x passes
/// `stop_above` on the way, [`BallEnd::Above`]) the point past that level is in `sc.x`.
#[allow(clippy::too_many_arguments)]
pub fn ball_lp(
    sc: &mut BallLpScratch,
    rows: &Rows,
    c: &[f64],
    c0: &[f64],
    rho: f64,
    x0: &[f64],
    stop_above: f64,
) -> Option<BallEnd> {
    let m = rows.len();
    let cnorm = dot(c, c).sqrt();
    sc.y.clear();
    sc.y.resize(m, 0.0);
    if cnorm == 0.0 {
        sc.last = None;
        sc.x.clear();
        sc.x.extend_from_slice(x0);
        return Some(BallEnd::Optimal);
    }
    let warm = resume_where_last_ended(sc, rows, c, c0, rho, x0);
    if !warm {
        start_at(sc, rows, x0);
    }
    let mut end = walk(sc, rows, c, c0, rho, cnorm, stop_above);
    if end.is_none() && warm {
        // the warm start's walk gave up: from x0 as without one
        start_at(sc, rows, x0);
        end = walk(sc, rows, c, c0, rho, cnorm, stop_above);
    }
    remember_end(sc, rows, c0, rho, end);
    end
}

/// The active-set iterations of [`ball_lp`] from the point and working set set up in `sc`.
fn walk(
    sc: &mut BallLpScratch,
    rows: &Rows,
    c: &[f64],
    c0: &[f64],
    rho: f64,
    cnorm: f64,
    stop_above: f64,
) -> Option<BallEnd> {
    let n = c.len();
    // d: c on the working set's directions, with the first `done` basis vectors of Q projected
    // out already: a row joining W appends one vector, which is all that is left to remove
    // (the same operations in the same order as projecting c from scratch); a dropped row
    // rebuilds Q, and d from c
    sc.d.copy_from_slice(c);
    let mut done = 0;
    for _ in 0..MAX_ITER {
        let k = sc.q.len() / n;
        if k < done {
            sc.d.copy_from_slice(c);
            done = 0;
        }
        project_out(&sc.q[done * n..], n, &mut sc.d);
        done = k;
        let dnorm = dot(&sc.d, &sc.d).sqrt();
        if dnorm <= 1e-12 * cnorm {
            // c·x is constant on the affine set: x is optimal there, with μ = 0
            sc.r.copy_from_slice(c);
        } else {
            let step = step_on_ball(sc, rows, c, c0, rho, dnorm)?;
            if stop_above < f64::INFINITY && dot(c, &sc.x) > stop_above {
                return Some(BallEnd::Above);
            }
            if step == BallStep::Blocked {
                continue;
            }
        }
        if settle_or_drop(sc, &rows.g, n, cnorm)? {
            return Some(BallEnd::Optimal);
        }
    }
    None
}

/// Warm start: when the last call, or the one before it, ran on the same rows (same stamp) and
/// ball and ended at a point where c is higher than at `x0`, the method goes on from where that
/// call ended: its point, its working set (whose rows hold with equality there) with their
/// orthonormal basis, and the rows' slacks — a valid start of the primal method, as the point
/// lies in P ∩ ball up to rounding, and one that costs nothing to set up (the last end state is
/// in the buffers, the one before it kept aside in `saved` and swapped in). Successive LPs of a
/// node (its bounding box's coordinates ±x_j, the two sides ±a of a unit) share most of their
/// final working sets, so the walk then needs fewer steps; the second end state serves the
/// calls whose objective points away from the last one's (−a right after +a). `false` (cold
/// start, the last end state kept aside) otherwise.
/// The answer's proof never depends on the start: `dual` re-evaluates the bound from the
/// multipliers alone.
fn resume_where_last_ended(
    sc: &mut BallLpScratch,
    rows: &Rows,
    c: &[f64],
    c0: &[f64],
    rho: f64,
    x0: &[f64],
) -> bool {
    let usable = |sc: &BallLpScratch| {
        sc.last.as_ref().is_some_and(|last| {
            last.stamp == rows.stamp()
                && last.rho == rho
                && last.c0 == c0
                && sc.x.len() == x0.len()
                && sc.slack.len() == rows.len()
                && dot(c, &sc.x) > dot(c, x0)
        })
    };
    let mut resumes = usable(sc);
    if !resumes {
        // the end before the last one: swapped in (the last one kept aside in its place)
        swap_with_saved(sc);
        resumes = usable(sc);
    }
    sc.warm_starts += u64::from(resumes);
    resumes
}

/// Exchanges the end state in the buffers with the one kept aside (a swap of vectors).
fn swap_with_saved(sc: &mut BallLpScratch) {
    let kept = &mut sc.saved;
    std::mem::swap(&mut sc.last, &mut kept.last);
    std::mem::swap(&mut sc.x, &mut kept.x);
    std::mem::swap(&mut sc.active, &mut kept.active);
    std::mem::swap(&mut sc.is_active, &mut kept.is_active);
    std::mem::swap(&mut sc.q, &mut kept.q);
    std::mem::swap(&mut sc.slack, &mut kept.slack);
}

/// Notes the rows and ball this call ended on for [`resume_where_last_ended`] (nothing after a
/// failure: the buffers may then be half updated).
fn remember_end(sc: &mut BallLpScratch, rows: &Rows, c0: &[f64], rho: f64, end: Option<BallEnd>) {
    if end.is_none() {
        sc.last = None;
        return;
    }
    let last = sc.last.get_or_insert_with(|| LastEnd {
        stamp: 0,
        c0: Vec::new(),
        rho: 0.0,
    });
    last.stamp = rows.stamp();
    last.rho = rho;
    last.c0.clear();
    last.c0.extend_from_slice(c0);
}

/// Sets up the method at `x0` with an empty working set: the rows' slacks (all products at
/// once, by columns: the floats of each row's own dot product), the buffers sized.
fn start_at(sc: &mut BallLpScratch, rows: &Rows, x0: &[f64]) {
    let (m, n) = (rows.len(), x0.len());
    sc.x.clear();
    sc.x.extend_from_slice(x0);
    sc.active.clear();
    sc.is_active.clear();
    sc.is_active.resize(m, false);
    sc.q.clear();
    for buf in [&mut sc.d, &mut sc.p, &mut sc.r, &mut sc.v] {
        buf.clear();
        buf.resize(n, 0.0);
    }
    rows.times(x0, &mut sc.slack);
    for (si, hi) in sc.slack.iter_mut().zip(rows.rhs()) {
        *si = hi - *si;
    }
}

/// What [`step_on_ball`] did.
#[derive(PartialEq, Eq)]
enum BallStep {
    /// A row outside the working set stopped the step and joined it.
    Blocked,
    /// x reached the optimum x_W of the working set on the ball; `sc.r` = c − μ(x − c0).
    Reached,
}

/// Steps from x toward x_W = p + ρ' d/‖d‖, the maximizer of c·x on the working set's affine
/// set ∩ ball (p: the projection of c0 on the affine set, ρ'² = ρ² − ‖p − c0‖², `d` = c on the
/// set's directions, of norm `dnorm`), stopping at the first row outside the working set. `None`
/// when the affine set barely meets the ball or a blocking row depends on the working set.
#[allow(clippy::too_many_arguments)]
fn step_on_ball(
    sc: &mut BallLpScratch,
    rows: &Rows,
    c: &[f64],
    c0: &[f64],
    rho: f64,
    dnorm: f64,
) -> Option<BallStep> {
    let n = c.len();
    // p: projection of c0 on the affine set; x_W = p + ρ' d/‖d‖
    for j in 0..n {
        sc.v[j] = sc.x[j] - c0[j];
    }
    sc.p.copy_from_slice(&sc.v);
    project_out(&sc.q, n, &mut sc.v); // null-space part of x − c0
    let mut off2 = 0.0;
    for j in 0..n {
        let row_part = sc.p[j] - sc.v[j];
        sc.p[j] = c0[j] + row_part;
        off2 += row_part * row_part;
    }
    let rho2 = rho * rho - off2;
    if rho2 <= (1e-9 * rho) * (1e-9 * rho) {
        return None;
    }
    let rp = rho2.sqrt();
    // step Δ = x_W − x, ratio test over the rows outside W
    for j in 0..n {
        sc.v[j] = sc.p[j] + rp * sc.d[j] / dnorm - sc.x[j];
    }
    let dlen = dot(&sc.v, &sc.v).sqrt();
    rows.times(&sc.v, &mut sc.gd);
    // the rows' ratios in one pass, then the first least: one loop over the rows that keeps a
    // ratio below 1 and below the best so far chooses the same row (the first least ratio of
    // all, when it is below 1)
    let k = 1e-14 * dlen;
    let len = sc
        .gd
        .len()
        .min(rows.len())
        .min(sc.is_active.len())
        .min(sc.slack.len());
    sc.ratio.resize(len, 0.0);
    for ((((r, &gd), &norm), &active), &slack) in sc
        .ratio
        .iter_mut()
        .zip(&sc.gd)
        .zip(rows.norms())
        .zip(&sc.is_active)
        .zip(&sc.slack)
    {
        *r = ratio_or_nan(slack, gd, !active & (gd > k * norm));
    }
    let best = first_least(&sc.ratio).filter(|&(t, _)| t < 1.0);
    let t = best.map_or(1.0, |(t, _)| t);
    for j in 0..n {
        sc.x[j] += t * sc.v[j];
    }
    for (si, gi) in sc.slack.iter_mut().zip(&sc.gd) {
        *si -= t * gi;
    }
    if let Some((_, i)) = best {
        add_row(sc, &rows.g, n, i)?;
        return Some(BallStep::Blocked);
    }
    let mu = dnorm / rp;
    for j in 0..n {
        sc.r[j] = c[j] - mu * (sc.x[j] - c0[j]);
    }
    Some(BallStep::Reached)
}

/// At the optimum of the working set: its multipliers y with G_Wᵀ y = r (`sc.r`). When they
/// are ≥ 0 (up to rounding) they are stored in `sc.y` and the answer is `true`; otherwise the
/// row of the most negative one leaves the working set, Q is rebuilt from that row on, and the
/// answer is `false`.
/// `None` if the multipliers or the rebuilt basis fail.
fn settle_or_drop(sc: &mut BallLpScratch, g: &[f64], n: usize, cnorm: f64) -> Option<bool> {
    // multipliers of W: G_Wᵀ y = c − μ(x − c0)
    multipliers(g, n, &sc.active, &sc.q, &sc.r, &mut sc.yw)?;
    let y = &sc.yw;
    let (kmin, ymin) =
        y.iter().enumerate().fold(
            (0, f64::INFINITY),
            |acc, (k, &v)| {
                if v < acc.1 {
                    (k, v)
                } else {
                    acc
                }
            },
        );
    if sc.active.is_empty() || ymin >= -1e-12 * cnorm {
        for (k, &i) in sc.active.iter().enumerate() {
            sc.y[i] = y[k].max(0.0);
        }
        return Some(true);
    }
    let dropped = sc.active.remove(kmin);
    sc.is_active[dropped] = false;
    // rebuild Q from the rows after the dropped one (still marked active: none is re-pushed);
    // Gram–Schmidt in order left the basis vectors of the rows before it as they are
    sc.q.truncate(kmin * n);
    let act = std::mem::take(&mut sc.active);
    let rebuilt = act[kmin..].iter().try_for_each(|&i| add_row(sc, g, n, i));
    sc.active = act;
    rebuilt?;
    Some(false)
}

/// Adds row i to the working set: Gram–Schmidt its normal into Q; `None` if it depends on W.
fn add_row(sc: &mut BallLpScratch, g: &[f64], n: usize, i: usize) -> Option<()> {
    sc.r.copy_from_slice(&g[i * n..(i + 1) * n]);
    let gn = dot(&sc.r, &sc.r).sqrt();
    append_orthonormal(&mut sc.q, n, &mut sc.r, 1e-10 * gn)?;
    if !sc.is_active[i] {
        sc.is_active[i] = true;
        sc.active.push(i);
    }
    Some(())
}

/// The rows of m flat rows `g` (n entries each) with right-hand sides `h`, for tests.
#[cfg(test)]
pub(super) fn rows_for_tests(g: &[f64], h: &[f64], n: usize) -> Rows {
    let hs: Vec<crate::solver::HalfSpace> = h
        .iter()
        .enumerate()
        .map(|(i, &hi)| crate::solver::HalfSpace {
            g: ndarray::Array1::from(g[i * n..(i + 1) * n].to_vec()),
            h: hi,
        })
        .collect();
    Rows::of(&hs, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row that cuts off the ball's best point: the maximum lies on the row, inside the ball.
    #[test]
    fn maximum_on_a_cutting_row() {
        // max x over the unit disc cut by x ≤ 0.5 → 0.5, multiplier 1 on the row
        let mut sc = BallLpScratch::default();
        let end = ball_lp(
            &mut sc,
            &rows_for_tests(&[1.0, 0.0], &[0.5], 2),
            &[1.0, 0.0],
            &[0.0, 0.0],
            1.0,
            &[0.0, 0.0],
            f64::INFINITY,
        )
        .unwrap();
        assert_eq!(end, BallEnd::Optimal);
        assert!((sc.x[0] - 0.5).abs() < 1e-12, "{:?}", sc.x);
        assert!((sc.y[0] - 1.0).abs() < 1e-12, "{:?}", sc.y);
        // a row that does not cut: the ball's own maximizer, multiplier 0
        ball_lp(
            &mut sc,
            &rows_for_tests(&[1.0, 0.0], &[2.0], 2),
            &[0.0, 1.0],
            &[0.0, 0.0],
            1.0,
            &[0.0, 0.0],
            f64::INFINITY,
        )
        .unwrap();
        assert!(
            (sc.x[1] - 1.0).abs() < 1e-12 && sc.y[0] == 0.0,
            "{:?} {:?}",
            sc.x,
            sc.y
        );
    }

    /// A level below the maximum stops the walk at a point of P ∩ ball past it; a level above
    /// the maximum does not stop it (the maximum and its multipliers as without a level).
    #[test]
    fn a_level_stops_the_walk_past_it() {
        // max x + y over the unit disc cut by x ≤ 0.5: 0.5 + √0.75 ≈ 1.366
        let rows = rows_for_tests(&[1.0, 0.0], &[0.5], 2);
        let (c, c0, x0) = ([1.0, 1.0], [0.0, 0.0], [-0.2, 0.1]);
        let mut sc = BallLpScratch::default();
        let end = ball_lp(&mut sc, &rows, &c, &c0, 1.0, &x0, 0.5).unwrap();
        assert_eq!(end, BallEnd::Above);
        let (x, y) = (sc.x[0], sc.x[1]);
        assert!(
            x + y > 0.5 && x <= 0.5 + 1e-12 && x * x + y * y <= 1.0 + 1e-12,
            "{x} {y}"
        );
        let end = ball_lp(&mut sc, &rows, &c, &c0, 1.0, &x0, 2.0).unwrap();
        assert_eq!(end, BallEnd::Optimal);
        let mut full = BallLpScratch::default();
        ball_lp(&mut full, &rows, &c, &c0, 1.0, &x0, f64::INFINITY).unwrap();
        assert_eq!((sc.x.clone(), sc.y.clone()), (full.x, full.y));
        assert!((sc.x[0] + sc.x[1] - (0.5 + 0.75f64.sqrt())).abs() < 1e-12);
    }
}

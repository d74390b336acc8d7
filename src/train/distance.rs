//! The distance from a point to the boundary of its own linear region (a Clarabel SOCP in
//! floating point, checked to within `FOOT_TOL`; not an exact rational value).

use crate::domain::Norm;
use crate::error::{Error, Result};
use crate::network::{Network, RowScale};
use clarabel::algebra::CscMatrix;
use clarabel::solver::{DefaultSettings, DefaultSolver, IPSolver, SolverStatus, SupportedConeT};
use ndarray::{Array1, ArrayView1};

/// Relative slack allowed when checking that a hyperplane's foot point stays in the region.
const FOOT_TOL: f64 = 1e-10;

/// The distance from x to the boundary of its region and the unit that changes sign there.
#[derive(Clone, Debug, PartialEq)]
pub struct BoundaryDistance {
    /// min over facets of ‖y − x‖ (the given norm).
    pub distance: f64,
    /// The flipping unit, numbered over all hidden units in layer order.
    pub unit: usize,
    /// The same unit as (hidden layer 0-based, index in the layer).
    pub layer: usize,
    /// Index of the unit within its hidden layer (0-based).
    pub index: usize,
    /// Conic programs solved (the others were settled by the hyperplane bound or foot point).
    pub solver_calls: usize,
}

/// One unit's pre-activation on x's region, h(y) = a·y + β, and its sign s = ±1 at x.
struct Constraint {
    a: Array1<f64>,
    /// h(x)
    hx: f64,
    sign: f64,
    layer: usize,
    index: usize,
}

/// Exact distance from `x` to the boundary of its linear region R = {y : s(y) = s(x)} (closure),
/// in the L2 or L∞ norm.
///
/// Given x's activation pattern, every hidden pre-activation is affine on R, h_i(y) = a_i·y + β_i
/// (`Network::pre_activation_maps`), and R = {y : s_i h_i(y) ≥ 0 ∀i}, s_i = ±1 the sign at x.
/// The boundary of R is the union of the faces F_i = R ∩ {h_i = 0}, so
///
///   dist(x, ∂R) = min_i dist(x, F_i),
///
/// each dist(x, F_i) a conic program min t s.t. ‖y − x‖ ≤ t, y ∈ R, h_i(y) = 0 (an SOCP for L2,
/// an LP for L∞; solved with Clarabel). The distance to the hyperplane, |h_i(x)|/‖a_i‖_* (dual
/// norm), is a lower bound: units are visited by increasing bound, stop when the bound reaches the
/// best distance, and when the hyperplane's nearest point lies in R the bound is the answer (no
/// solve). Units whose map is constant on R (‖a_i‖ = 0) bound nothing and are skipped.
///
/// A point exactly on a unit's hyperplane gets distance 0. Errors when x has the wrong dimension
/// or is not finite, a solver fails, or no unit bounds the region (R is the whole input space).
pub fn boundary_distance(
    net: &Network,
    x: ArrayView1<f64>,
    norm: Norm,
) -> Result<BoundaryDistance> {
    distance_impl(net, x, norm, true)
}

/// [`boundary_distance`] without the foot-point shortcut: every facet not pruned by the
/// hyperplane bound is solved. For tests of the conic programs.
#[doc(hidden)]
pub fn boundary_distance_solver_only(
    net: &Network,
    x: ArrayView1<f64>,
    norm: Norm,
) -> Result<BoundaryDistance> {
    distance_impl(net, x, norm, false)
}

fn distance_impl(
    net: &Network,
    x: ArrayView1<f64>,
    norm: Norm,
    shortcut: bool,
) -> Result<BoundaryDistance> {
    if x.len() != net.input_dim() {
        return Err(Error::invalid(format!(
            "point has dimension {}; expected {} (the network's input dimension)",
            x.len(),
            net.input_dim()
        )));
    }
    if let Some(i) = x.iter().position(|v| !v.is_finite()) {
        return Err(Error::invalid(format!(
            "point coordinate {i} is {}; expected a finite number",
            x[i]
        )));
    }
    let pattern = net.activation_pattern(x);
    // rescaled by a power of two so that the largest entry lies in [1, 2): the distance
    // |h(x)|/‖a‖ is unchanged, and ‖a‖ can neither overflow nor underflow
    let region = net.region_halfspaces(&pattern.layers, RowScale::PowerOfTwo);
    let hx: Vec<Array1<f64>> = region.maps.iter().map(|map| map.apply(x)).collect();
    let mut cons = Vec::new();
    for row in region.rows {
        let (l, i) = (row.layer, row.unit);
        if !hx[l][i].is_finite() || !row.largest.is_finite() {
            return Err(Error::invalid(format!(
                "hidden layer {}, unit {i}: its pre-activation at the point is out of the floating-point range",
                l + 1
            )));
        }
        cons.push(Constraint {
            hx: crate::dyadic::ldexp(hx[l][i], row.exponent),
            a: row.a,
            sign: if row.on { 1.0 } else { -1.0 },
            layer: l,
            index: i,
        });
    }
    let widths = net.hidden_widths();
    let flat = |l: usize, i: usize| widths[..l].iter().sum::<usize>() + i;
    let bound = |c: &Constraint| c.hx.abs() / norm.dual(c.a.view());
    let mut order: Vec<usize> = (0..cons.len()).collect();
    order.sort_by(|&i, &j| bound(&cons[i]).total_cmp(&bound(&cons[j])));
    let mut best: Option<(f64, usize)> = None;
    let mut calls = 0;
    for &k in &order {
        let lb = bound(&cons[k]);
        if best.is_some_and(|(d, _)| lb >= d) {
            break;
        }
        if let Some(u) = foot_point(&cons[k], norm).filter(|_| shortcut) {
            if inside(&cons, k, &u) {
                best = Some((lb, k));
                break; // every later bound is ≥ lb
            }
        }
        calls += 1;
        if let Some(d) = facet_distance(&cons, k, norm)? {
            let d = d.max(lb);
            if best.is_none_or(|(b, _)| d < b) {
                best = Some((d, k));
            }
        }
    }
    let (distance, k) = best.ok_or_else(|| {
        Error::invalid("the point's region has no boundary (no unit's hyperplane bounds it)")
    })?;
    let c = &cons[k];
    Ok(BoundaryDistance {
        distance,
        unit: flat(c.layer, c.index),
        layer: c.layer,
        index: c.index,
        solver_calls: calls,
    })
}

/// The displacement u from x to the nearest point of {h = 0}: −h(x) a/‖a‖₂² (L2),
/// −h(x) sign(a)/‖a‖₁ (L∞).
fn foot_point(c: &Constraint, norm: Norm) -> Option<Array1<f64>> {
    let u = match norm {
        Norm::L2 => &c.a * (-c.hx / c.a.dot(&c.a)),
        Norm::Linf => c.a.mapv(f64::signum) * (-c.hx / norm.dual(c.a.view())),
    };
    u.iter().all(|v| v.is_finite()).then_some(u)
}

/// Whether x + u satisfies every constraint but `skip` (s_j h_j(x + u) ≥ −tol).
fn inside(cons: &[Constraint], skip: usize, u: &Array1<f64>) -> bool {
    cons.iter().enumerate().all(|(j, c)| {
        j == skip || {
            let scale = c.hx.abs() + c.a.iter().map(|v| v.abs()).sum::<f64>();
            c.sign * (c.hx + c.a.dot(u)) >= -FOOT_TOL * scale.max(1.0)
        }
    })
}

/// The conic program of [`facet_distance`]: s = b − A z in `cones`, z = (u, t).
struct FacetProblem {
    a: CscMatrix<f64>,
    b: Vec<f64>,
    cones: Vec<SupportedConeT<f64>>,
}

/// Builds the [`FacetProblem`] of dist(x, F_k): the facet's equality, the other constraints
/// (rows scaled to unit ‖a_j‖₂), and the norm's cone.
fn facet_problem(cons: &[Constraint], k: usize, norm: Norm) -> FacetProblem {
    let n = cons[k].a.len();
    let t = n;
    let (mut ri, mut cj, mut v, mut b) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut m = 0;
    let mut row = |m: &mut usize, a: &Array1<f64>, coef: f64, rhs: f64, b: &mut Vec<f64>| {
        for (j, &aj) in a.iter().enumerate() {
            if aj != 0.0 {
                ri.push(*m);
                cj.push(j);
                v.push(coef * aj);
            }
        }
        b.push(rhs);
        *m += 1;
    };
    let ck = &cons[k];
    let nk = ck.a.dot(&ck.a).sqrt();
    row(&mut m, &ck.a, 1.0 / nk, -ck.hx / nk, &mut b);
    let mut cones = vec![SupportedConeT::ZeroConeT(1)];
    let start = m;
    for (j, c) in cons.iter().enumerate() {
        if j != k {
            let nj = c.a.dot(&c.a).sqrt();
            row(&mut m, &c.a, -c.sign / nj, c.sign * c.hx / nj, &mut b);
        }
    }
    match norm {
        Norm::Linf => {
            for i in 0..n {
                for s in [1.0, -1.0] {
                    ri.extend([m, m]);
                    cj.extend([i, t]);
                    v.extend([s, -1.0]);
                    b.push(0.0);
                    m += 1;
                }
            }
            cones.push(SupportedConeT::NonnegativeConeT(m - start));
        }
        Norm::L2 => {
            if m > start {
                cones.push(SupportedConeT::NonnegativeConeT(m - start));
            }
            // s = b − Az = (t, u) ∈ SOC(n + 1)
            ri.push(m);
            cj.push(t);
            v.push(-1.0);
            b.push(0.0);
            for i in 0..n {
                ri.push(m + 1 + i);
                cj.push(i);
                v.push(-1.0);
                b.push(0.0);
            }
            m += n + 1;
            cones.push(SupportedConeT::SecondOrderConeT(n + 1));
        }
    }
    FacetProblem {
        a: CscMatrix::new_from_triplets(m, n + 1, ri, cj, v),
        b,
        cones,
    }
}

/// dist(x, F_k) by Clarabel in the displacement u = y − x, z = (u, t):
/// min t s.t. a_k·u = −h_k(x); −s_j â_j·u ≤ s_j ĥ_j(x) (rows scaled to unit ‖a_j‖₂);
/// (t, u) ∈ SOC (L2) or ±u_i − t ≤ 0 (L∞). `None` when F_k is empty (infeasible).
fn facet_distance(cons: &[Constraint], k: usize, norm: Norm) -> Result<Option<f64>> {
    let n = cons[k].a.len();
    let t = n;
    let ck = &cons[k];
    let FacetProblem { a, b, cones } = facet_problem(cons, k, norm);
    let p = CscMatrix::zeros((n + 1, n + 1));
    let mut q = vec![0.0; n + 1];
    q[t] = 1.0;
    let settings = DefaultSettings {
        verbose: false,
        tol_gap_abs: 1e-10,
        tol_gap_rel: 1e-10,
        tol_feas: 1e-10,
        ..DefaultSettings::default()
    };
    let mut solver = DefaultSolver::new(&p, &q, &a, &b, &cones, settings)
        .map_err(|e| Error::solver("clarabel", format!("facet-distance setup failed: {e}")))?;
    solver.solve();
    let sol = &solver.solution;
    match sol.status {
        SolverStatus::Solved | SolverStatus::AlmostSolved if sol.x[t].is_finite() => {
            Ok(Some(sol.x[t]))
        }
        SolverStatus::PrimalInfeasible | SolverStatus::AlmostPrimalInfeasible => Ok(None),
        other => Err(Error::solver(
            "clarabel",
            format!(
                "status {other:?} on the facet-distance problem of hidden layer {} unit {} ({} constraints, dimension {n}); expected Solved or PrimalInfeasible",
                ck.layer,
                ck.index,
                cons.len()
            ),
        )),
    }
}

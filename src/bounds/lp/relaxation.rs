//! Certified per-unit bounds of a chain of ReLU layers over P ∩ domain, from LPs over the
//! triangle relaxation (Ehlers 2017, "Formal verification of piece-wise linear feed-forward
//! neural networks"; the "LP relaxation" of Salman et al. 2019), layer by layer.
//!
//! The chain: x ∈ domain, x ∈ P = {g_i·x ≤ h_i}; z_1 = A x + β (exact: an affine map of the input,
//! e.g. layer 1, or layer k+1 on a region of the first k layers); z_{t+1} = W_t σ(z_t) + b_t.
//! LP variables: x (bounds: the domain's bounding box), and per unit of a processed layer with
//! certified bounds [l, u]: stably inactive → no variable (σ(z) = 0); l ≥ 0 → one variable
//! z = σ(z); l < 0 < u → z ∈ [l, u] and h ∈ [0, u] with h ≥ z and h − s z ≤ τ, s = u/(u − l)
//! (the triangle's upper side; τ ≥ max(−s l, u − s u) rounded upwards, so the row is valid for the
//! stored float s); the equalities z = W h + b use the network's own float weights.
//!
//! Soundness. An LP solved in floating point is not trusted. Its row duals y are only used as
//! multipliers in the weak-duality bound of Neumaier & Shcherbina (2004, "Safe bounds in linear
//! and mixed-integer linear programming", Math. Prog. 99): for every y and every v with
//! row_lower ≤ A v ≤ row_upper, v in its column box, and x in the domain,
//!
//! c·v = (c − Aᵀy)·v + y·(A v) ≤ Σ_i (y_i > 0 ? y_i row_upper_i : y_i row_lower_i)
//!       + Σ_{j non-input} max(r_j l_j, r_j u_j) + r_x·center + support(r_x),   r = c − Aᵀy,
//!
//! (a multiplier on an infinite side is set to 0), evaluated in closed form with the true domain
//! (L2 ball or box: this is where the L2 ball enters exactly, the LP itself only sees its box and
//! the first layer's exact ranges), plus a rounding allowance γ_k Σ|terms| for every sum and for
//! the computed r. The bound holds whatever the LP's accuracy (also with y of the wrong sign
//! convention: both y and −y are tried). A unit is then called stable only with the margin of
//! crate::tolerance; a unit that an earlier (valid) enclosure proves stable stays stable.
//!
//! `chain_bounds_recorded` runs the same computation and hands every bound with its proof
//! (interval, multipliers, or the enclosure's ball) to the certificate writer
//! (`super::certificate`, docs/certificate.md "Bound certificates").

use crate::bounds::enclosure::{classify, Stability};
use crate::bounds::opnorm::gamma;
use crate::domain::Domain;
use crate::error::Result;
use crate::network::{AffineMap, Layer};
use crate::solver::HalfSpace;
use crate::tolerance::surely_nonpositive;
use ndarray::ArrayView2;
use std::time::Instant;

use super::certificate::{LpSide, Recorder, UnitFacts};
use super::highs_lp::{HighsLp, LpModel};

/// Certified bounds of one layer's pre-activations on the set: lower ≤ z ≤ upper.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitBounds {
    /// Certified lower bound of each unit's pre-activation.
    pub lower: Vec<f64>,
    /// Certified upper bound of each unit's pre-activation.
    pub upper: Vec<f64>,
    /// What the bounds prove about each unit.
    pub stability: Vec<Stability>,
}

impl UnitBounds {
    /// Number of units with the given stability.
    pub fn count(&self, kind: Stability) -> usize {
        self.stability.iter().filter(|&&s| s == kind).count()
    }
}

/// The chain of layers whose units are bounded over P ∩ domain.
pub struct Chain<'a> {
    /// The domain the chain starts from.
    pub domain: &'a Domain,
    /// The polytope P in input space (empty: the whole domain).
    pub rows: &'a [HalfSpace],
    /// Pre-activations of the chain's first layer as an affine map of the input x.
    pub first: &'a AffineMap,
    /// The later hidden layers, in order.
    pub rest: &'a [Layer],
    /// Bounds already known to hold on a superset of P ∩ domain, one per layer of the chain
    /// (`1 + rest.len()`), or empty. They are intersected with the LP's, and their stable units
    /// stay stable.
    pub prior: &'a [UnitBounds],
    /// After this instant no LP is solved: the remaining units keep their interval bounds
    /// (still valid, only looser).
    pub deadline: Option<Instant>,
}

/// Statistics of one [`chain_bounds`] run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LpStats {
    /// LPs solved (each min or max of one unit).
    pub lps: u64,
    /// Units left with interval bounds because the deadline passed.
    pub skipped: u64,
}

/// Bounds every layer of `chain` over P ∩ domain (see the module documentation for the LP and
/// why its numbers are certified). Layer t's LP uses the certified bounds of layers < t.
/// LPs are solved only for units that the interval bounds (and `prior`) leave unstable, and only
/// for the side that is not settled yet.
pub fn chain_bounds(chain: &Chain) -> Result<(Vec<UnitBounds>, LpStats)> {
    chain_bounds_recorded(chain, None)
}

/// [`chain_bounds`], with the proof of every claimed bound handed to `rec` when given (the LP
/// bound's certificate, [`super::certificate`]). Without a recorder the computation is exactly
/// [`chain_bounds`]'s. With one, a bound that only the analytic enclosure (`prior`) proves and
/// that the recorder cannot reproduce is replaced by the best bound it can prove (an LP solved on
/// a second HiGHS instance, so the first one's warm starts stay as they are), and every later
/// layer is built from the bounds so claimed. A certificate covers the whole domain: a chain
/// with rows (a polytope P) cannot be recorded.
pub(crate) fn chain_bounds_recorded(
    chain: &Chain,
    mut rec: Option<&mut Recorder>,
) -> Result<(Vec<UnitBounds>, LpStats)> {
    if rec.is_some() && !chain.rows.is_empty() {
        return Err(crate::error::Error::invalid(
            "a bound certificate covers the whole domain; this chain has rows",
        ));
    }
    let n0 = chain.domain.dim();
    let (box_lo, box_hi) = chain.domain.bounding_box();
    let mut model = LpModel::default();
    for j in 0..n0 {
        model.add_col(box_lo[j], box_hi[j]);
    }
    for hs in chain.rows {
        let entries: Vec<(usize, f64)> = hs.g.iter().copied().enumerate().collect();
        model.add_row(&entries, f64::NEG_INFINITY, hs.h);
    }
    let mut stats = LpStats::default();
    let mut out: Vec<UnitBounds> = Vec::with_capacity(chain.rest.len() + 1);
    // inputs of the current layer: LP column of each input (None = identically 0)
    let mut inputs: Vec<Option<usize>> = (0..n0).map(Some).collect();
    for t in 0..=chain.rest.len() {
        let (w, b): (ArrayView2<f64>, Vec<f64>) = if t == 0 {
            (chain.first.a.view(), chain.first.b.to_vec())
        } else {
            let l = &chain.rest[t - 1];
            (l.weight.view(), l.bias.to_vec())
        };
        let units = w.nrows();
        let prior = chain.prior.get(t);
        let mut lower = vec![0.0; units];
        let mut upper = vec![0.0; units];
        let mut stability = vec![Stability::Unstable; units];
        let mut scales = vec![0.0; units];
        let mut lp: Option<HighsLp> = None;
        // the recorder's own LPs (never the instance above: its warm starts stay untouched)
        let mut extra_lp: Option<HighsLp> = None;
        for i in 0..units {
            let row = w.row(i);
            // interval bounds (exact over the domain for t = 0)
            let (mut lo, mut hi, scale) = if t == 0 {
                let (lo, hi) = chain.domain.affine_range(row, b[i]);
                let mag = row
                    .iter()
                    .zip(chain.domain.center().iter())
                    .map(|(a, c)| (a * c).abs())
                    .sum::<f64>()
                    + b[i].abs()
                    + chain.domain.support(row);
                let e = gamma(n0 + 2) * mag;
                (lo - e, hi + e, mag)
            } else {
                let (mut lo, mut hi, mut mag) = (b[i], b[i], b[i].abs());
                for (j, &a) in row.iter().enumerate() {
                    if let Some(col) = inputs[j] {
                        let (p, q) = (a * model.col_lower[col], a * model.col_upper[col]);
                        lo += p.min(q);
                        hi += p.max(q);
                        mag += p.abs().max(q.abs());
                    }
                }
                let e = gamma(row.len() + 2) * mag;
                (lo - e, hi + e, mag)
            };
            let interval = (lo, hi);
            let mut lp_lower: Option<LpSide> = None;
            let mut lp_upper: Option<LpSide> = None;
            let mut stab = Stability::Unstable;
            if let Some(p) = prior {
                lo = lo.max(p.lower[i]);
                hi = hi.min(p.upper[i]);
                stab = p.stability[i];
            }
            if stab == Stability::Unstable {
                stab = classify(lo, hi, scale);
            }
            let needs_lp = stab == Stability::Unstable && (t > 0 || !chain.rows.is_empty());
            if needs_lp {
                if chain.deadline.is_some_and(|d| Instant::now() >= d) {
                    stats.skipped += 1;
                } else {
                    let lp = match &mut lp {
                        Some(lp) => lp,
                        None => lp.insert(HighsLp::new(&model)?),
                    };
                    let mut cost = vec![0.0; model.num_cols()];
                    for (j, &a) in row.iter().enumerate() {
                        if let Some(col) = inputs[j] {
                            cost[col] += a;
                        }
                    }
                    // upper: minimize −c
                    let neg: Vec<f64> = cost.iter().map(|v| -v).collect();
                    if let Some(y) = lp.minimize(&neg)? {
                        stats.lps += 1;
                        let (ub, sign) =
                            certified_upper_signed(&model, chain.domain, &cost, b[i], &y);
                        hi = hi.min(ub);
                        if rec.is_some() {
                            lp_upper = Some(LpSide::new(&model, ub, &y, sign));
                        }
                    }
                    if !surely_nonpositive(hi, scale) {
                        if let Some(y) = lp.minimize(&cost)? {
                            stats.lps += 1;
                            let (ub, sign) =
                                certified_upper_signed(&model, chain.domain, &neg, -b[i], &y);
                            lo = lo.max(-ub);
                            if rec.is_some() {
                                lp_lower = Some(LpSide::new(&model, -ub, &y, sign));
                            }
                        }
                    }
                    stab = classify(lo, hi, scale);
                }
            }
            if let Some(rec) = rec.as_deref_mut() {
                let facts = UnitFacts {
                    layer: t,
                    unit: i,
                    row,
                    bias: b[i],
                    interval,
                    lp_lower,
                    lp_upper,
                    lower: lo,
                    upper: hi,
                    stability: stab,
                    scale,
                };
                // an LP of this unit on the recorder's own instance (layers after the first)
                let mut solve = |upper: bool| -> Result<Option<LpSide>> {
                    if (t == 0 && chain.rows.is_empty())
                        || chain.deadline.is_some_and(|d| Instant::now() >= d)
                    {
                        return Ok(None);
                    }
                    let lp = match &mut extra_lp {
                        Some(lp) => lp,
                        None => extra_lp.insert(HighsLp::new(&model)?),
                    };
                    let mut cost = vec![0.0; model.num_cols()];
                    for (j, &a) in row.iter().enumerate() {
                        if let Some(col) = inputs[j] {
                            cost[col] += a;
                        }
                    }
                    let neg: Vec<f64> = cost.iter().map(|v| -v).collect();
                    let side = if upper {
                        lp.minimize(&neg)?.map(|y| {
                            let (ub, sign) =
                                certified_upper_signed(&model, chain.domain, &cost, b[i], &y);
                            LpSide::new(&model, ub, &y, sign)
                        })
                    } else {
                        lp.minimize(&cost)?.map(|y| {
                            let (ub, sign) =
                                certified_upper_signed(&model, chain.domain, &neg, -b[i], &y);
                            LpSide::new(&model, -ub, &y, sign)
                        })
                    };
                    Ok(side)
                };
                (lo, hi, stab) = rec.unit(facts, &mut solve)?;
            }
            lower[i] = lo;
            upper[i] = hi;
            stability[i] = stab;
            scales[i] = scale;
        }
        // add this layer's variables for the next one
        if t < chain.rest.len() {
            let mut next_inputs = Vec::with_capacity(units);
            for i in 0..units {
                let mut entries: Vec<(usize, f64)> = Vec::new();
                let row = w.row(i);
                for (j, &a) in row.iter().enumerate() {
                    if let Some(col) = inputs[j] {
                        entries.push((col, -a));
                    }
                }
                let (lo, hi) = (lower[i], upper[i]);
                if stability[i] == Stability::Inactive || hi <= 0.0 {
                    // σ(z) = 0 on the set
                    next_inputs.push(None);
                } else if stability[i] == Stability::Active || lo >= 0.0 {
                    // σ(z) = z on the set
                    let z = model.add_col(lo, hi);
                    entries.push((z, 1.0));
                    model.add_row(&entries, b[i], b[i]);
                    next_inputs.push(Some(z));
                } else {
                    let z = model.add_col(lo, hi);
                    let h = model.add_col(0.0, hi);
                    entries.push((z, 1.0));
                    model.add_row(&entries, b[i], b[i]);
                    model.add_row(&[(h, 1.0), (z, -1.0)], 0.0, f64::INFINITY);
                    let s = hi / (hi - lo);
                    let tau = (-s * lo).max(hi - s * hi);
                    let tau = tau + gamma(4) * ((s * lo).abs() + hi.abs() + (s * hi).abs());
                    model.add_row(&[(h, 1.0), (z, -s)], f64::NEG_INFINITY, tau);
                    if let Some(rec) = rec.as_deref_mut() {
                        rec.triangle(i, s, tau);
                    }
                    next_inputs.push(Some(h));
                }
            }
            inputs = next_inputs;
        }
        if let Some(rec) = rec.as_deref_mut() {
            rec.end_layer(&lower, &upper);
        }
        out.push(UnitBounds {
            lower,
            upper,
            stability,
        });
    }
    Ok((out, stats))
}

/// A certified upper bound on c·v + c0 over the LP's feasible set intersected with x ∈ domain
/// (the first `domain.dim()` columns are x), from multipliers y (see the module documentation);
/// the smaller of the bounds from y and −y (both valid). +∞ if neither is finite.
pub fn certified_upper(model: &LpModel, domain: &Domain, c: &[f64], c0: f64, y: &[f64]) -> f64 {
    certified_upper_signed(model, domain, c, c0, y).0
}

/// [`certified_upper`] and the sign (+1 or −1) of the multipliers that gave it: the bound is
/// the weak-duality bound of the multipliers sign·y.
pub(crate) fn certified_upper_signed(
    model: &LpModel,
    domain: &Domain,
    c: &[f64],
    c0: f64,
    y: &[f64],
) -> (f64, f64) {
    let a = weak_duality_bound(model, domain, c, c0, y, 1.0);
    let b = weak_duality_bound(model, domain, c, c0, y, -1.0);
    if a <= b || b.is_nan() {
        (a.min(b), 1.0)
    } else {
        (b, -1.0)
    }
}

fn weak_duality_bound(
    model: &LpModel,
    domain: &Domain,
    c: &[f64],
    c0: f64,
    y: &[f64],
    sign: f64,
) -> f64 {
    let n0 = domain.dim();
    let cols = model.num_cols();
    let mut r: Vec<f64> = c.to_vec();
    // |c_j| + Σ_i |y_i a_ij|: the scale of the rounding error of the computed r_j
    let mut rmag: Vec<f64> = c.iter().map(|v| v.abs()).collect();
    let mut total = c0;
    let mut absum = c0.abs();
    let mut max_row_len = 1usize;
    for (i, &yi) in y.iter().enumerate().take(model.num_rows()) {
        let yi = sign * yi;
        let side = if yi > 0.0 {
            model.row_upper[i]
        } else {
            model.row_lower[i]
        };
        if yi == 0.0 || !side.is_finite() {
            continue;
        }
        let term = yi * side;
        total += term;
        absum += term.abs();
        let mut len = 0;
        for (j, aij) in model.row(i) {
            r[j] -= yi * aij;
            rmag[j] += (yi * aij).abs();
            len += 1;
        }
        max_row_len = max_row_len.max(len);
    }
    let k = y.len() + 2;
    // non-input columns: max over the column box, plus the error of r_j times max |v_j|
    for j in n0..cols {
        let (lo, hi) = (model.col_lower[j], model.col_upper[j]);
        let term = (r[j] * lo).max(r[j] * hi);
        let err = gamma(k) * rmag[j] * lo.abs().max(hi.abs());
        total += term + err;
        absum += term.abs() + err;
    }
    // input columns: the true domain (L2 ball or box) around its center
    let rx = ndarray::Array1::from(r[..n0].to_vec());
    let (blo, bhi) = domain.bounding_box();
    let mid = rx.dot(domain.center());
    let sup = domain.support(rx.view());
    let mut err = 0.0;
    for j in 0..n0 {
        err += gamma(k) * rmag[j] * blo[j].abs().max(bhi[j].abs());
    }
    let mid_mag: f64 = rx
        .iter()
        .zip(domain.center().iter())
        .map(|(a, b)| (a * b).abs())
        .sum();
    total += mid + sup + err;
    absum += mid_mag + sup.abs() + err;
    let value = total + gamma(cols + y.len() + max_row_len + 4) * absum;
    if value.is_finite() {
        value
    } else {
        f64::INFINITY
    }
}

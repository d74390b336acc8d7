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
use crate::cancel::StopAt;
use crate::domain::Domain;
use crate::error::Result;
use crate::network::{AffineMap, Layer, SparseRows, Weights};
use crate::solver::HalfSpace;
use crate::tolerance::surely_nonpositive;
use ndarray::{Array1, ArrayView1, ArrayView2};

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
    /// Once reached (a deadline passed, a token tripped) no LP is solved: the remaining units
    /// keep their interval bounds (still valid, only looser).
    pub stop: StopAt,
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
    let mut model = input_model(chain);
    let mut stats = LpStats::default();
    let mut out: Vec<UnitBounds> = Vec::with_capacity(chain.rest.len() + 1);
    // inputs of the current layer: LP column of each input (None = identically 0)
    let mut inputs: Vec<Option<usize>> = (0..chain.domain.dim()).map(Some).collect();
    for t in 0..=chain.rest.len() {
        let (w, b) = layer_map(chain, t);
        let layer = LayerLp {
            chain,
            t,
            model: &model,
            inputs: &inputs,
        };
        let bounds = layer.bound_units(w, &b, &mut stats, rec.as_deref_mut())?;
        // add this layer's variables for the next one
        if t < chain.rest.len() {
            inputs = add_layer_variables(&mut model, &inputs, w, &b, &bounds, rec.as_deref_mut());
        }
        if let Some(rec) = rec.as_deref_mut() {
            rec.end_layer(&bounds.lower, &bounds.upper);
        }
        out.push(bounds);
    }
    Ok((out, stats))
}

/// The LP before the first layer: a column per input x_j within the domain's bounding box, and
/// a row per half-space of P.
fn input_model(chain: &Chain) -> LpModel {
    let (box_lo, box_hi) = chain.domain.bounding_box();
    let mut model = LpModel::default();
    for j in 0..chain.domain.dim() {
        model.add_col(box_lo[j], box_hi[j]);
    }
    for hs in chain.rows {
        let entries: Vec<(usize, f64)> = hs.g.iter().copied().enumerate().collect();
        model.add_row(&entries, f64::NEG_INFINITY, hs.h);
    }
    model
}

/// Layer `t` of the chain as (weights, bias): the first map for t = 0, `rest[t − 1]` after it.
fn layer_map<'a>(chain: &Chain<'a>, t: usize) -> (LayerView<'a>, Vec<f64>) {
    if t == 0 {
        (
            LayerView::Dense(chain.first.a.view()),
            chain.first.b.to_vec(),
        )
    } else {
        let l = &chain.rest[t - 1];
        let w = match &l.weight {
            Weights::Dense(m) => LayerView::Dense(m.view()),
            Weights::Sparse(s) => LayerView::Sparse(s),
        };
        (w, l.bias.to_vec())
    }
}

/// A layer's weights as the LP reads them: row by row, dense (a sparse row is written into a
/// buffer of the layer's width, so both forms give the same rows).
#[derive(Clone, Copy)]
enum LayerView<'a> {
    Dense(ArrayView2<'a, f64>),
    Sparse(&'a SparseRows),
}

impl<'a> LayerView<'a> {
    fn nrows(&self) -> usize {
        match self {
            LayerView::Dense(w) => w.nrows(),
            LayerView::Sparse(s) => s.nrows(),
        }
    }

    /// Row i as a dense view (of `buf`, resized to the width, for sparse rows).
    fn row<'b>(&self, i: usize, buf: &'b mut Array1<f64>) -> ArrayView1<'b, f64>
    where
        'a: 'b,
    {
        match *self {
            LayerView::Dense(w) => w.index_axis_move(ndarray::Axis(0), i).reborrow(),
            LayerView::Sparse(s) => {
                if buf.len() != s.ncols() {
                    *buf = Array1::zeros(s.ncols());
                } else {
                    buf.fill(0.0);
                }
                for (c, v) in s.row(i) {
                    buf[c] = v;
                }
                buf.view()
            }
        }
    }
}

/// The certified interval bounds lo ≤ z ≤ hi of one unit before any LP, and the magnitude
/// (`scale`) of the terms they were computed from, which the stability margin is relative to.
struct Interval {
    lo: f64,
    hi: f64,
    scale: f64,
}

/// One layer of the chain against the relaxation of the layers before it.
struct LayerLp<'c, 'a> {
    chain: &'c Chain<'a>,
    /// The layer's index in the chain (0: the first map).
    t: usize,
    /// The relaxation of layers < t.
    model: &'c LpModel,
    /// The LP column of each of the layer's inputs (None: identically 0).
    inputs: &'c [Option<usize>],
}

impl LayerLp<'_, '_> {
    /// Bounds every unit of the layer (weights `w`, bias `b`): interval bounds, intersected with
    /// the prior's, then the LP for a side the interval leaves open, then (with a recorder) the
    /// bound the certificate can prove.
    fn bound_units(
        &self,
        w: LayerView,
        b: &[f64],
        stats: &mut LpStats,
        mut rec: Option<&mut Recorder>,
    ) -> Result<UnitBounds> {
        let chain = self.chain;
        let units = w.nrows();
        let prior = chain.prior.get(self.t);
        let mut lower = vec![0.0; units];
        let mut upper = vec![0.0; units];
        let mut stability = vec![Stability::Unstable; units];
        let mut lp: Option<HighsLp> = None;
        // the recorder's own LPs (never the instance above: its warm starts stay untouched)
        let mut extra_lp: Option<HighsLp> = None;
        let mut buf = Array1::zeros(0);
        for i in 0..units {
            let row = w.row(i, &mut buf);
            let Interval {
                mut lo,
                mut hi,
                scale,
            } = self.interval(row, b[i]);
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
            let needs_lp = stab == Stability::Unstable && (self.t > 0 || !chain.rows.is_empty());
            if needs_lp {
                if self.deadline_passed() {
                    stats.skipped += 1;
                } else {
                    let lp = match &mut lp {
                        Some(lp) => lp,
                        None => lp.insert(HighsLp::new(self.model)?),
                    };
                    let mut tightened = Interval { lo, hi, scale };
                    (lp_lower, lp_upper) =
                        self.tighten(lp, row, b[i], &mut tightened, stats, rec.is_some())?;
                    (lo, hi) = (tightened.lo, tightened.hi);
                    stab = classify(lo, hi, scale);
                }
            }
            if let Some(rec) = rec.as_deref_mut() {
                let facts = UnitFacts {
                    layer: self.t,
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
                let mut solve = |upper: bool| self.recorder_side(&mut extra_lp, row, b[i], upper);
                (lo, hi, stab) = rec.unit(facts, &mut solve)?;
            }
            lower[i] = lo;
            upper[i] = hi;
            stability[i] = stab;
        }
        Ok(UnitBounds {
            lower,
            upper,
            stability,
        })
    }

    /// Whether the chain's deadline has passed (no more LPs).
    fn deadline_passed(&self) -> bool {
        self.chain.stop.reached()
    }

    /// The interval bounds of the unit row·input + bias: exact over the domain for t = 0, from
    /// the input columns' bounds after it; both widened by their rounding allowance.
    fn interval(&self, row: ArrayView1<f64>, bias: f64) -> Interval {
        let chain = self.chain;
        if self.t == 0 {
            let (lo, hi) = chain.domain.affine_range(row, bias);
            let mag = row
                .iter()
                .zip(chain.domain.center().iter())
                .map(|(a, c)| (a * c).abs())
                .sum::<f64>()
                + bias.abs()
                + chain.domain.support(row);
            let e = gamma(chain.domain.dim() + 2) * mag;
            Interval {
                lo: lo - e,
                hi: hi + e,
                scale: mag,
            }
        } else {
            let (mut lo, mut hi, mut mag) = (bias, bias, bias.abs());
            for (j, &a) in row.iter().enumerate() {
                if let Some(col) = self.inputs[j] {
                    let (p, q) = (a * self.model.col_lower[col], a * self.model.col_upper[col]);
                    lo += p.min(q);
                    hi += p.max(q);
                    mag += p.abs().max(q.abs());
                }
            }
            let e = gamma(row.len() + 2) * mag;
            Interval {
                lo: lo - e,
                hi: hi + e,
                scale: mag,
            }
        }
    }

    /// The LP objective of the unit's weights `row` over the model's columns.
    fn cost(&self, row: ArrayView1<f64>) -> Vec<f64> {
        let mut cost = vec![0.0; self.model.num_cols()];
        for (j, &a) in row.iter().enumerate() {
            if let Some(col) = self.inputs[j] {
                cost[col] += a;
            }
        }
        cost
    }

    /// Tightens the interval `bounds` of the unit row·input + bias by the LP: the upper side,
    /// then the lower one unless the upper bound already makes the unit inactive. Returns, when
    /// `record`, the LP sides (lower, upper) that proved the new bounds.
    fn tighten(
        &self,
        lp: &mut HighsLp,
        row: ArrayView1<f64>,
        bias: f64,
        bounds: &mut Interval,
        stats: &mut LpStats,
        record: bool,
    ) -> Result<(Option<LpSide>, Option<LpSide>)> {
        let (model, domain) = (self.model, self.chain.domain);
        let (mut lp_lower, mut lp_upper) = (None, None);
        let cost = self.cost(row);
        // upper: minimize −c
        let neg: Vec<f64> = cost.iter().map(|v| -v).collect();
        if let Some(y) = lp.minimize(&neg)? {
            stats.lps += 1;
            let (ub, sign) = certified_upper_signed(model, domain, &cost, bias, &y);
            bounds.hi = bounds.hi.min(ub);
            if record {
                lp_upper = Some(LpSide::new(model, ub, &y, sign));
            }
        }
        if !surely_nonpositive(bounds.hi, bounds.scale) {
            if let Some(y) = lp.minimize(&cost)? {
                stats.lps += 1;
                let (ub, sign) = certified_upper_signed(model, domain, &neg, -bias, &y);
                bounds.lo = bounds.lo.max(-ub);
                if record {
                    lp_lower = Some(LpSide::new(model, -ub, &y, sign));
                }
            }
        }
        Ok((lp_lower, lp_upper))
    }

    /// The recorder's LP of the unit row·input + bias on its own instance `extra_lp` (built on
    /// first use): its upper side when `upper`, else its lower side; `None` on layer 1 over the
    /// whole domain (the closed form is exact there) or once the deadline has passed.
    fn recorder_side(
        &self,
        extra_lp: &mut Option<HighsLp>,
        row: ArrayView1<f64>,
        bias: f64,
        upper: bool,
    ) -> Result<Option<LpSide>> {
        let (model, domain) = (self.model, self.chain.domain);
        if (self.t == 0 && self.chain.rows.is_empty()) || self.deadline_passed() {
            return Ok(None);
        }
        let lp = match extra_lp {
            Some(lp) => lp,
            None => extra_lp.insert(HighsLp::new(model)?),
        };
        let cost = self.cost(row);
        let neg: Vec<f64> = cost.iter().map(|v| -v).collect();
        let side = if upper {
            lp.minimize(&neg)?.map(|y| {
                let (ub, sign) = certified_upper_signed(model, domain, &cost, bias, &y);
                LpSide::new(model, ub, &y, sign)
            })
        } else {
            lp.minimize(&cost)?.map(|y| {
                let (ub, sign) = certified_upper_signed(model, domain, &neg, -bias, &y);
                LpSide::new(model, -ub, &y, sign)
            })
        };
        Ok(side)
    }
}

/// Adds the variables of a bounded layer (weights `w`, bias `b`, on the columns `inputs`) to the
/// relaxation and returns the LP column of each of its units as an input of the next layer:
/// none for a unit inactive on the set (σ(z) = 0), z for an active one, and for an unstable one
/// z and h with the triangle's rows (handed to the recorder).
// i indexes the weights' rows, the bias and the bounds alike
#[allow(clippy::needless_range_loop)]
fn add_layer_variables(
    model: &mut LpModel,
    inputs: &[Option<usize>],
    w: LayerView,
    b: &[f64],
    bounds: &UnitBounds,
    mut rec: Option<&mut Recorder>,
) -> Vec<Option<usize>> {
    let units = w.nrows();
    let mut next_inputs = Vec::with_capacity(units);
    let mut buf = Array1::zeros(0);
    for i in 0..units {
        let mut entries: Vec<(usize, f64)> = Vec::new();
        let row = w.row(i, &mut buf);
        for (j, &a) in row.iter().enumerate() {
            if let Some(col) = inputs[j] {
                entries.push((col, -a));
            }
        }
        let (lo, hi) = (bounds.lower[i], bounds.upper[i]);
        if bounds.stability[i] == Stability::Inactive || hi <= 0.0 {
            // σ(z) = 0 on the set
            next_inputs.push(None);
        } else if bounds.stability[i] == Stability::Active || lo >= 0.0 {
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
    next_inputs
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

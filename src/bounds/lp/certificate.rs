//! The writer of LP-bound certificates (docs/certificate.md, "Bound certificates").
//!
//! [`certify_local_lp`] runs [`super::local_lp`]'s computation with a `Recorder` that keeps, for
//! every hidden unit, the bounds later layers and the J-set count rely on, each with its proof:
//!
//! - weak-duality multipliers over the triangle relaxation of the earlier layers: the row
//!   multipliers (with the sign choice of `relaxation::certified_upper`) that gave the LP bound,
//!   or none at all for an interval bound (the closed form over the domain on layer 1, interval
//!   arithmetic over the previous layer's column bounds after it: the weak-duality bound with
//!   zero multipliers is exactly that interval);
//! - the previous layer's enclosing ball, for a bound that only the analytic enclosure proves
//!   (`prior` in `relaxation::chain_bounds`): the ball (center, radius) is recorded with the
//!   proof of its radius, from the layer's box or by a Lipschitz step from the ball before it
//!   (an operator-norm bound, for L2 with a Cholesky factor when the norm bound is below the
//!   Frobenius and the √(‖A‖₁‖A‖_∞) bounds).
//!
//! Every claimed number is one the float computation proved rigorously (outward rounding
//! allowances included), so its exact counterpart, which the checker computes, is never larger.
//! A bound the recorder cannot reproduce with one of these proofs (it would need the analytic
//! enclosure's own radius, which can be a hair smaller than the recorder's: its rounding
//! allowances differ, by at most 10⁻¹¹ relative in the tests) is replaced by the best one it can
//! prove, an LP solved on a second HiGHS instance included (when that LP reaches `local_lp`'s
//! value, the value is claimed as it is); a looser claim is counted in
//! [`BoundCertificate::deviations`], and later layers are built from it.

use super::{local_lp_with, same_dimension, LpBound};
use crate::bounds::enclosure::{classify, enclose, Stability};
use crate::bounds::opnorm::{
    direct_spectral_upper, gamma, inflate, linf_operator_norm_upper, spectral_norm_upper,
};
use crate::domain::{Domain, Norm};
use crate::error::{Error, Result};
use crate::formats::container::{
    container, file_sha256, floats, payload_header, varint, write_atomically, CertificateFile,
};
use crate::network::{Network, Weights};
use flate2::Compression;
use ndarray::{Array1, Array2, ArrayView1, Axis};
use num_bigint::BigUint;
use std::path::Path;
use std::time::Instant;

/// The file's first bytes (distinct from the count certificate's `RRCERT`).
pub const MAGIC: &[u8; 7] = b"RRBOUND";
/// Format version written after the magic.
pub(crate) const FORMAT_VERSION: u16 = 1;

/// The method byte of the claim: the LP-tightened local bound.
const METHOD_LP: u8 = 0;
const PROOF_DUALITY: u8 = 0;
const PROOF_BALL: u8 = 1;
const BALL_NONE: u8 = 0;
const BALL_BOX: u8 = 1;
const BALL_LIPSCHITZ: u8 = 2;
const BALL_LIPSCHITZ_CHOLESKY: u8 = 3;
const END: u8 = 0xFF;
/// Largest live block of a sparse layer written out densely for a ball's norm (2^22 entries).
const SPARSE_BLOCK: usize = 1 << 22;

/// How one bound of one unit is proven.
#[derive(Clone, Debug, PartialEq)]
pub enum SideProof {
    /// Weak duality over the triangle relaxation of the earlier layers: (row, multiplier y ≠ 0)
    /// by increasing row. No multiplier: the closed form over the domain (layer 1) or interval
    /// arithmetic over the previous layer's column bounds.
    Duality(Vec<(u32, f64)>),
    /// The enclosing ball of the previous layer's post-activations.
    Ball,
}

/// A claimed bound of a pre-activation (lower: z ≥ value, upper: z ≤ value on the closed
/// domain) and its proof.
#[derive(Clone, Debug, PartialEq)]
pub struct SideClaim {
    /// The claimed bound of the pre-activation.
    pub value: f64,
    /// Why it holds.
    pub proof: SideProof,
}

/// What the certificate claims of one hidden unit.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitClaim {
    /// Active needs the lower bound ≥ 0, Inactive the upper bound ≤ 0.
    pub stability: Stability,
    /// The claimed lower bound, when the stability or a later layer needs it.
    pub lower: Option<SideClaim>,
    /// The claimed upper bound, when the stability or a later layer needs it.
    pub upper: Option<SideClaim>,
    /// (s, τ) of the triangle's upper side h ≤ s z + τ, for a unit with l < 0 < u before the
    /// last layer.
    pub triangle: Option<(f64, f64)>,
}

/// Why a ball's radius holds.
#[derive(Clone, Debug, PartialEq)]
pub enum RadiusProof {
    /// From the layer's claimed bounds: every post-activation lies in [σ(l), σ(u)].
    Box,
    /// From the previous ball (the domain's for layer 1): radius ≥ N·r_prev + ‖σ(ẑ) − c‖ with N
    /// an operator-norm bound of the live block of the weights; for L2, `cholesky` is an upper
    /// triangular R (row-major upper triangle) with N²I − G − RᵀR diagonally dominant, G the
    /// block's smaller Gram matrix.
    Lipschitz {
        /// N, the claimed operator-norm bound of the live block of the weights.
        norm_bound: f64,
        /// For L2: the row-major upper triangle of R; `None` for a box.
        cholesky: Option<Vec<f64>>,
    },
}

/// The enclosing ball of one layer's post-activations over its live units (those whose claimed
/// upper bound is > 0), in the domain's norm (L2 for a ball, L∞ for a box).
#[derive(Clone, Debug, PartialEq)]
pub struct BallClaim {
    /// One entry per unit of the layer (only the live ones matter).
    pub center: Vec<f64>,
    /// The claimed radius, in the domain's norm.
    pub radius: f64,
    /// Why it holds.
    pub proof: RadiusProof,
}

/// The claims of one hidden layer.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerClaims {
    /// One claim per unit of the layer.
    pub units: Vec<UnitClaim>,
    /// Present when a bound of the next layer (or the next layer's ball) uses it.
    pub ball: Option<BallClaim>,
}

/// A certificate of the LP-tightened local bound, before its model hash is known.
#[derive(Clone, Debug, PartialEq)]
pub struct BoundCertificate {
    /// The domain the claims hold on (closed).
    pub domain: Domain,
    /// Input dimension n0 of the network.
    pub input_dim: usize,
    /// Widths of the hidden layers, input side first.
    pub widths: Vec<usize>,
    /// The claimed bound: min(J-set bound of the claimed stabilities, Serra 2018).
    pub value: BigUint,
    /// One entry per hidden layer, input side first.
    pub layers: Vec<LayerClaims>,
    /// Unit bounds claimed looser than `local_lp`'s (no proof reproduced the analytic
    /// enclosure's); 0 in the usual case, where the certified value is `local_lp`'s.
    pub deviations: u64,
}

/// The LP-tightened local bound ([`super::local_lp`]) and its certificate. Its value is
/// `local_lp`'s unless a bound could not be reproduced (then `deviations` > 0 and the value is
/// the certificate's, possibly larger).
pub fn certify_local_lp(
    net: &Network,
    domain: &Domain,
    deadline: Option<Instant>,
) -> Result<(LpBound, BoundCertificate)> {
    same_dimension(net, domain)?;
    let enclosures = enclose(net, domain)?;
    let centers = enclosures.iter().map(|e| e.center.clone()).collect();
    let mut rec = Recorder::new(net, domain, centers);
    let stop = crate::cancel::StopAt::deadline_only(deadline);
    let bound = local_lp_with(net, domain, stop, enclosures, Some(&mut rec))?;
    let cert = rec.finish(bound.value.clone())?;
    Ok((bound, cert))
}

/// An LP's certified bound of one side of a unit and the multipliers that prove it.
#[derive(Clone, Debug)]
pub(crate) struct LpSide {
    pub value: f64,
    pub multipliers: Vec<(u32, f64)>,
}

impl LpSide {
    /// The bound `value` of the multipliers sign·y over `model`.
    pub fn new(model: &super::highs_lp::LpModel, value: f64, y: &[f64], sign: f64) -> LpSide {
        LpSide {
            value,
            multipliers: used_multipliers(model, y, sign),
        }
    }
}

/// The multipliers of a weak-duality bound as `relaxation`'s `weak_duality_bound` uses them:
/// sign·y_i on the rows where it is non-zero and multiplies a finite side (the others count as
/// 0), by row.
fn used_multipliers(model: &super::highs_lp::LpModel, y: &[f64], sign: f64) -> Vec<(u32, f64)> {
    y.iter()
        .take(model.num_rows())
        .enumerate()
        .filter_map(|(i, &yi)| {
            let yi = sign * yi;
            let side = if yi > 0.0 {
                model.row_upper[i]
            } else {
                model.row_lower[i]
            };
            (yi != 0.0 && side.is_finite()).then_some((i as u32, yi))
        })
        .collect()
}

/// What `chain_bounds` knows of one unit when it has bounded it.
pub(crate) struct UnitFacts<'a> {
    pub layer: usize,
    pub unit: usize,
    /// The unit's weights (on the previous layer, or the input for layer 1) and bias.
    pub row: ArrayView1<'a, f64>,
    pub bias: f64,
    /// The interval bounds (closed form on layer 1), before the enclosure and the LP.
    pub interval: (f64, f64),
    pub lp_lower: Option<LpSide>,
    pub lp_upper: Option<LpSide>,
    /// The bounds and stability `local_lp` decided.
    pub lower: f64,
    pub upper: f64,
    pub stability: Stability,
    pub scale: f64,
}

/// A ball as the recorder computed it, with its live units.
#[derive(Clone, Debug)]
struct Ball {
    center: Vec<f64>,
    radius: f64,
    proof: RadiusProof,
    live: Vec<bool>,
}

/// Collects the claims while `relaxation::chain_bounds_recorded` runs (one layer at a time:
/// [`Recorder::unit`] for each unit, [`Recorder::triangle`] for each unstable unit before the
/// last layer, then [`Recorder::end_layer`]).
pub(crate) struct Recorder<'a> {
    net: &'a Network,
    domain: &'a Domain,
    /// The analytic enclosure's ball centers, one per layer.
    centers: Vec<Array1<f64>>,
    current: Vec<UnitClaim>,
    layers: Vec<LayerClaims>,
    /// The claimed (lower, upper) of every finished layer.
    claimed: Vec<(Vec<f64>, Vec<f64>)>,
    /// Per finished layer: not computed yet (None), or the ball if one could be made.
    balls: Vec<Option<Option<Ball>>>,
    deviations: u64,
}

impl<'a> Recorder<'a> {
    pub fn new(net: &'a Network, domain: &'a Domain, centers: Vec<Array1<f64>>) -> Self {
        Recorder {
            net,
            domain,
            centers,
            current: Vec::new(),
            layers: Vec::new(),
            claimed: Vec::new(),
            balls: Vec::new(),
            deviations: 0,
        }
    }

    fn depth(&self) -> usize {
        self.net.depth()
    }

    /// Records the claims of one unit; returns the (lower, upper, stability) the chain goes on
    /// with: `local_lp`'s, or looser ones if a bound could not be proven (see the module doc).
    /// `solve(upper)` solves the unit's LP for one side (None: no LP for this unit).
    pub fn unit(
        &mut self,
        mut f: UnitFacts,
        solve: &mut dyn FnMut(bool) -> Result<Option<LpSide>>,
    ) -> Result<(f64, f64, Stability)> {
        let last = f.layer + 1 == self.depth();
        let (mut lo, mut hi, mut stab) = (f.lower, f.upper, f.stability);
        let mut deviated = false;
        let mut upper = None;
        if !last || stab == Stability::Inactive {
            let lp = f.lp_upper.take();
            let claim = self.side(&f, true, hi, lp, solve)?;
            if claim.value > hi {
                deviated = true;
                hi = claim.value;
            }
            upper = Some(claim);
        }
        let mut lower = None;
        let need_lower = if last {
            stab == Stability::Active
        } else {
            hi > 0.0
        };
        if need_lower {
            let lp = f.lp_lower.take();
            let claim = self.side(&f, false, lo, lp, solve)?;
            if claim.value < lo {
                deviated = true;
                lo = claim.value;
            }
            lower = Some(claim);
        }
        if deviated {
            self.deviations += 1;
            // never stronger than local_lp's decision
            stab = match (stab, classify(lo, hi, f.scale)) {
                (Stability::Active, Stability::Active) => Stability::Active,
                (Stability::Inactive, Stability::Inactive) => Stability::Inactive,
                _ => Stability::Unstable,
            };
        }
        self.current.push(UnitClaim {
            stability: stab,
            lower,
            upper,
            triangle: None,
        });
        Ok((lo, hi, stab))
    }

    /// The proof of one side whose `local_lp` value is `v`: the interval, the LP or the previous
    /// ball when one of them reaches v; otherwise the best of them and of a fresh LP, claiming v
    /// when that reaches it (never a tighter value than the one the chain goes on with: the
    /// checker rebuilds the relaxation from the claims).
    fn side(
        &mut self,
        f: &UnitFacts,
        upper: bool,
        v: f64,
        lp: Option<LpSide>,
        solve: &mut dyn FnMut(bool) -> Result<Option<LpSide>>,
    ) -> Result<SideClaim> {
        let at_least_as_good = |a: f64, b: f64| if upper { a <= b } else { a >= b };
        let interval = if upper { f.interval.1 } else { f.interval.0 };
        let claim = |value: f64, proof: SideProof| SideClaim { value, proof };
        if interval.is_finite() && at_least_as_good(interval, v) {
            return Ok(claim(v, SideProof::Duality(Vec::new())));
        }
        if let Some(s) = &lp {
            if s.value.is_finite() && at_least_as_good(s.value, v) {
                return Ok(claim(v, SideProof::Duality(s.multipliers.clone())));
            }
        }
        let ball = if f.layer > 0 {
            self.ball_candidate(f.layer, f.row, f.bias, upper)
        } else {
            None
        };
        if let Some(b) = ball {
            if at_least_as_good(b, v) {
                return Ok(claim(v, SideProof::Ball));
            }
        }
        // not reproduced: the best provable bound
        let mut best = claim(interval, SideProof::Duality(Vec::new()));
        let fresh = if lp.is_none() { solve(upper)? } else { None };
        for s in lp.into_iter().chain(fresh) {
            if s.value.is_finite() && at_least_as_good(s.value, best.value) {
                best = claim(s.value, SideProof::Duality(s.multipliers));
            }
        }
        if let Some(b) = ball {
            if at_least_as_good(b, best.value) {
                best = claim(b, SideProof::Ball);
            }
        }
        if at_least_as_good(best.value, v) {
            // (a fresh LP can beat local_lp's value): claim local_lp's, which the chain goes on
            // with, so that the checker rebuilds the same relaxation
            best.value = v;
        }
        if !best.value.is_finite() {
            return Err(Error::invalid(format!(
                "certificate: no finite {} bound of hidden layer {}, unit {} can be proven",
                if upper { "upper" } else { "lower" },
                f.layer + 1,
                f.unit
            )));
        }
        Ok(best)
    }

    /// The triangle (s, τ) of unit `i` of the current layer.
    pub fn triangle(&mut self, i: usize, s: f64, tau: f64) {
        if let Some(u) = self.current.get_mut(i) {
            u.triangle = Some((s, tau));
        }
    }

    /// Closes the current layer with the bounds the chain keeps for it.
    pub(crate) fn end_layer(&mut self, lower: &[f64], upper: &[f64]) {
        self.layers.push(LayerClaims {
            units: std::mem::take(&mut self.current),
            ball: None,
        });
        self.claimed.push((lower.to_vec(), upper.to_vec()));
        self.balls.push(None);
    }

    /// A rigorous float bound of one side of b + w·h over the ball of layer `layer − 1`:
    /// b + Σ_live w_j c_j ± r‖w_live‖_* (dual norm: L2 for a ball, L1 for a box), with
    /// rounding allowances, or None when that layer has no ball.
    fn ball_candidate(
        &mut self,
        layer: usize,
        row: ArrayView1<f64>,
        bias: f64,
        upper: bool,
    ) -> Option<f64> {
        let norm = self.domain.norm();
        let ball = self.ball(layer - 1)?;
        let (mut mid, mut mag, mut dual2, mut dual1) = (bias, bias.abs(), 0.0, 0.0);
        for (j, &w) in row.iter().enumerate() {
            if !ball.live.get(j).copied().unwrap_or(false) {
                continue;
            }
            let p = w * ball.center[j];
            mid += p;
            mag += p.abs();
            dual2 += w * w;
            dual1 += w.abs();
        }
        let n = row.len();
        let dual = match norm {
            Norm::L2 => dual2.sqrt(),
            Norm::Linf => dual1,
        } * inflate(n + 2);
        let reach = ball.radius * dual * inflate(2);
        let err = gamma(n + 4) * (mag + reach);
        let v = if upper {
            mid + reach + err
        } else {
            mid - reach - err
        };
        v.is_finite().then_some(v)
    }

    /// The ball of finished layer `l`, computed on first use.
    fn ball(&mut self, l: usize) -> Option<&Ball> {
        if l >= self.balls.len() {
            return None;
        }
        if self.balls[l].is_none() {
            if l > 0 {
                self.ball(l - 1);
            }
            let b = self.compute_ball(l);
            self.balls[l] = Some(b);
        }
        self.balls[l].as_ref().and_then(Option::as_ref)
    }

    /// The smaller of the box radius and the Lipschitz radius of layer `l`'s ball around the
    /// analytic enclosure's center.
    fn compute_ball(&self, l: usize) -> Option<Ball> {
        let (lower, upper) = &self.claimed[l];
        let center = self.centers.get(l)?.to_vec();
        if center.len() != upper.len() || !center.iter().all(|c| c.is_finite()) {
            return None;
        }
        let live: Vec<bool> = upper.iter().map(|&u| u > 0.0).collect();
        let norm = self.domain.norm();
        // box: |σ(z_j) − c_j| ≤ max(σ(u_j) − c_j, c_j − σ(l_j), 0)
        let devs: Vec<f64> = (0..upper.len())
            .filter(|&j| live[j])
            .map(|j| {
                let a = upper[j].max(0.0) - center[j];
                let b = center[j] - lower[j].max(0.0);
                a.max(b).max(0.0)
            })
            .collect();
        let rho = vec_norm(norm, &devs) * inflate(devs.len() + 4);
        let mut best = (rho, RadiusProof::Box);
        if let Some((r, proof)) = self.lipschitz(l, &live, &center) {
            if r < best.0 {
                best = (r, proof);
            }
        }
        if !best.0.is_finite() {
            return None;
        }
        Some(Ball {
            center,
            radius: best.0,
            proof: best.1,
            live,
        })
    }

    /// The Lipschitz radius of layer `l`'s ball: (N·r_prev + ‖d‖)·(1 + γ) with N an operator-norm
    /// bound of the weights from the previous ball's live units to this layer's live units and
    /// d_i ≥ |σ(ẑ_i) − c_i|, ẑ = W c_prev + b (exact) bounded from its float value.
    fn lipschitz(&self, l: usize, live: &[bool], center: &[f64]) -> Option<(f64, RadiusProof)> {
        let n0 = self.domain.dim();
        let (prev_center, prev_radius, prev_live): (Vec<f64>, f64, Vec<bool>) = if l == 0 {
            // the checker's layer-0 ball is the domain itself (center and radius, or the box's
            // midpoint and largest half width): only a domain given by center ± radius is it
            if self.domain.exact_bounds().is_some() {
                return None;
            }
            (
                self.domain.center().to_vec(),
                self.domain.max_half_width(),
                vec![true; n0],
            )
        } else {
            let p = self.balls.get(l - 1)?.as_ref()?.as_ref()?;
            (p.center.clone(), p.radius, p.live.clone())
        };
        let layer = &self.net.hidden_layers()[l];
        let rows: Vec<usize> = (0..live.len()).filter(|&i| live[i]).collect();
        let cols: Vec<usize> = (0..prev_live.len()).filter(|&j| prev_live[j]).collect();
        if rows.is_empty() {
            return None;
        }
        // the live block, dense (a sparse layer's block only when small: no ball otherwise)
        let a: Array2<f64> = match &layer.weight {
            Weights::Dense(w) => w.select(Axis(0), &rows).select(Axis(1), &cols),
            Weights::Sparse(_) if rows.len().saturating_mul(cols.len()) <= SPARSE_BLOCK => {
                Array2::from_shape_fn((rows.len(), cols.len()), |(r, c)| {
                    layer.weight.get(rows[r], cols[c])
                })
            }
            Weights::Sparse(_) => return None,
        };
        let norm = self.domain.norm();
        let (norm_bound, cholesky) = match norm {
            Norm::Linf => (linf_operator_norm_upper(a.view()), None),
            Norm::L2 => {
                let spectral = spectral_norm_upper(a.view());
                let direct = direct_spectral_bound(&a);
                if spectral >= direct {
                    (direct, None)
                } else {
                    match cholesky_certificate(&a, spectral) {
                        Some((n, r)) if n < direct => (n, Some(r)),
                        _ => (direct, None),
                    }
                }
            }
        };
        let d: Vec<f64> = rows
            .iter()
            .map(|&i| {
                let mut m = layer.bias[i];
                let mut mag = m.abs();
                for &j in &cols {
                    let p = layer.weight.get(i, j) * prev_center[j];
                    m += p;
                    mag += p.abs();
                }
                (m.max(0.0) - center[i]).abs() * inflate(1) + gamma(cols.len() + 2) * mag
            })
            .collect();
        let dn = vec_norm(norm, &d) * inflate(d.len() + 4);
        let radius = (norm_bound * prev_radius + dn) * inflate(4);
        (radius.is_finite() && norm_bound.is_finite()).then_some((
            radius,
            RadiusProof::Lipschitz {
                norm_bound,
                cholesky,
            },
        ))
    }

    /// The certificate: the claims, with the balls that some bound (or a later ball) uses.
    pub fn finish(mut self, value: BigUint) -> Result<BoundCertificate> {
        let depth = self.layers.len();
        if depth != self.depth() {
            return Err(Error::invalid(format!(
                "certificate: {depth} layers recorded; the network has {}",
                self.depth()
            )));
        }
        let mut needed = vec![false; depth];
        for l in (0..depth.saturating_sub(1)).rev() {
            let by_units = self.layers[l + 1].units.iter().any(|u| {
                [&u.lower, &u.upper].iter().any(|s| {
                    matches!(
                        s,
                        Some(SideClaim {
                            proof: SideProof::Ball,
                            ..
                        })
                    )
                })
            });
            let by_next = l + 2 < depth
                && needed[l + 1]
                && matches!(
                    self.balls[l + 1],
                    Some(Some(Ball {
                        proof: RadiusProof::Lipschitz { .. },
                        ..
                    }))
                );
            needed[l] = by_units || by_next;
        }
        for (l, layer) in self.layers.iter_mut().enumerate() {
            if !needed[l] {
                continue;
            }
            match self.balls[l].take().flatten() {
                Some(b) => {
                    layer.ball = Some(BallClaim {
                        center: b.center,
                        radius: b.radius,
                        proof: b.proof,
                    })
                }
                None => {
                    return Err(Error::invalid(format!(
                        "certificate: hidden layer {} has no ball but a bound uses it",
                        l + 1
                    )))
                }
            }
        }
        Ok(BoundCertificate {
            domain: self.domain.clone(),
            input_dim: self.domain.dim(),
            widths: self.net.hidden_widths(),
            value,
            layers: self.layers,
            deviations: self.deviations,
        })
    }
}

/// ‖v‖₂ or ‖v‖_∞ of a non-negative vector, as computed (the caller inflates it).
fn vec_norm(norm: Norm, v: &[f64]) -> f64 {
    match norm {
        Norm::L2 => v.iter().map(|x| x * x).sum::<f64>().sqrt(),
        Norm::Linf => v.iter().cloned().fold(0.0, f64::max),
    }
}

/// min(‖A‖_F, √(‖A‖₁‖A‖_∞)) with rounding allowances: spectral-norm bounds the checker verifies
/// by squares alone.
fn direct_spectral_bound(a: &Array2<f64>) -> f64 {
    direct_spectral_upper(a.view(), 4)
}

/// A norm bound N' ≥ `n` (n itself, or n enlarged by 2⁻⁴⁰ to 2⁻²⁰ relative when the gap
/// between n² and ‖A‖₂² is too thin to certify: the squaring bound can be within a few ulps of
/// ‖A‖₂) and an upper triangular R (packed row-major upper triangle) with N'²I − G − RᵀR
/// diagonally dominant (so N'²I − G ⪰ 0 and ‖A‖₂ ≤ N'), G the smaller Gram matrix of A: the
/// Cholesky factor of (N'² − δ)I − G for a δ the gap leaves room for. None when nothing works
/// (the float check of the residual asks for a margin of δ/4, far above its rounding).
fn cholesky_certificate(a: &Array2<f64>, n: f64) -> Option<(f64, Vec<f64>)> {
    let (rows, cols) = a.dim();
    let g = if rows <= cols {
        a.dot(&a.t())
    } else {
        a.t().dot(a)
    };
    for enlarge in [0, 40, 30, 20] {
        let n = if enlarge == 0 {
            n
        } else {
            (n * (1.0 + 2f64.powi(-enlarge))).next_up()
        };
        if let Some(r) = cholesky_with(&g, n, enlarge) {
            return Some((n, r));
        }
    }
    None
}

/// [`cholesky_certificate`] for one N: shifts δ = N²·2⁻ˢ from s = 6 down to just past the
/// enlargement (whose gap is about N²·2^{1−enlarge}).
fn cholesky_with(g: &Array2<f64>, n: f64, enlarge: i32) -> Option<Vec<f64>> {
    let k = g.nrows();
    let n2 = n * n;
    if !n2.is_finite() || n2 <= 0.0 {
        return None;
    }
    let deepest = if enlarge == 0 { 20 } else { enlarge + 1 };
    for shift in (6..=deepest).step_by(7) {
        let delta = n2 * 2f64.powi(-shift);
        let Some(r) = cholesky_upper(g, n2 - delta) else {
            continue;
        };
        // E = N²I − G − RᵀR, diagonally dominant by at least δ/4
        let dominant = (0..k).all(|i| {
            let mut off = 0.0;
            let mut diag = 0.0;
            for j in 0..k {
                let rtr: f64 = (0..=i.min(j)).map(|p| r[[p, i]] * r[[p, j]]).sum();
                let e = if i == j { n2 } else { 0.0 } - g[[i, j]] - rtr;
                if i == j {
                    diag = e;
                } else {
                    off += e.abs();
                }
            }
            diag - off >= delta / 4.0
        });
        if dominant {
            let mut packed = Vec::with_capacity(k * (k + 1) / 2);
            for i in 0..k {
                for j in i..k {
                    packed.push(r[[i, j]]);
                }
            }
            if packed.iter().all(|v| v.is_finite()) {
                return Some(packed);
            }
        }
    }
    None
}

/// The upper triangular Cholesky factor R (RᵀR = sI − G) in floats, or None if a pivot is not
/// positive.
fn cholesky_upper(g: &Array2<f64>, s: f64) -> Option<Array2<f64>> {
    let k = g.nrows();
    let mut r = Array2::<f64>::zeros((k, k));
    for j in 0..k {
        let mut d = s - g[[j, j]];
        for p in 0..j {
            d -= r[[p, j]] * r[[p, j]];
        }
        if !(d > 0.0 && d.is_finite()) {
            return None;
        }
        let rjj = d.sqrt();
        r[[j, j]] = rjj;
        for i in j + 1..k {
            let mut v = -g[[j, i]];
            for p in 0..j {
                v -= r[[p, j]] * r[[p, i]];
            }
            r[[j, i]] = v / rjj;
        }
    }
    Some(r)
}

impl BoundCertificate {
    /// The uncompressed payload (docs/certificate.md, "Bound certificates").
    pub fn payload(&self, model_sha256: &[u8; 32]) -> Vec<u8> {
        let mut p = Vec::with_capacity(1 << 12);
        payload_header(&mut p, model_sha256, &self.widths, &self.domain);
        let floats = |p: &mut Vec<u8>, v: &[f64]| floats(p, v);
        p.push(METHOD_LP);
        let value = self.value.to_bytes_le();
        varint(&mut p, value.len() as u64);
        p.extend_from_slice(&value);
        for (l, layer) in self.layers.iter().enumerate() {
            for u in &layer.units {
                let stability = match u.stability {
                    Stability::Unstable => 0,
                    Stability::Active => 1,
                    Stability::Inactive => 2,
                };
                let flags = stability
                    | if u.lower.is_some() { 4 } else { 0 }
                    | if u.upper.is_some() { 8 } else { 0 };
                p.push(flags);
                for side in [&u.lower, &u.upper].into_iter().flatten() {
                    floats(&mut p, &[side.value]);
                    match &side.proof {
                        SideProof::Duality(y) => {
                            p.push(PROOF_DUALITY);
                            varint(&mut p, y.len() as u64);
                            let mut next = 0u64;
                            for &(row, v) in y {
                                let row = u64::from(row);
                                varint(&mut p, row.saturating_sub(next));
                                floats(&mut p, &[v]);
                                next = row + 1;
                            }
                        }
                        SideProof::Ball => p.push(PROOF_BALL),
                    }
                }
                if l + 1 < self.layers.len() {
                    if let Some((s, tau)) = u.triangle {
                        floats(&mut p, &[s, tau]);
                    }
                }
            }
            if l + 1 < self.layers.len() {
                match &layer.ball {
                    None => p.push(BALL_NONE),
                    Some(b) => {
                        let kind = match &b.proof {
                            RadiusProof::Box => BALL_BOX,
                            RadiusProof::Lipschitz { cholesky: None, .. } => BALL_LIPSCHITZ,
                            RadiusProof::Lipschitz { .. } => BALL_LIPSCHITZ_CHOLESKY,
                        };
                        p.push(kind);
                        floats(&mut p, &b.center);
                        floats(&mut p, &[b.radius]);
                        if let RadiusProof::Lipschitz {
                            norm_bound,
                            cholesky,
                        } = &b.proof
                        {
                            floats(&mut p, &[*norm_bound]);
                            if let Some(r) = cholesky {
                                floats(&mut p, r);
                            }
                        }
                    }
                }
            }
        }
        p.push(END);
        p
    }

    /// The certificate file's bytes: magic, version, zlib-compressed payload.
    pub fn to_bytes(&self, model_sha256: &[u8; 32]) -> Result<Vec<u8>> {
        container(
            MAGIC,
            FORMAT_VERSION,
            &self.payload(model_sha256),
            Compression::default(),
        )
    }

    /// Writes the certificate of the model file `model` to `path` (atomically).
    pub fn write(&self, model: &Path, path: &Path) -> Result<CertificateFile> {
        write_atomically(&self.to_bytes(&file_sha256(model)?)?, path)
    }

    /// Proofs in the certificate: (claimed bounds, weak-duality multipliers, balls).
    pub fn sizes(&self) -> (usize, usize, usize) {
        let mut sides = 0;
        let mut multipliers = 0;
        for u in self.layers.iter().flat_map(|l| &l.units) {
            for s in [&u.lower, &u.upper].into_iter().flatten() {
                sides += 1;
                if let SideProof::Duality(y) = &s.proof {
                    multipliers += y.len();
                }
            }
        }
        let balls = self.layers.iter().filter(|l| l.ball.is_some()).count();
        (sides, multipliers, balls)
    }
}

//! Exact (rational-arithmetic) decision of whether an activation-pattern region has a non-empty
//! interior inside a centered ball or box — the fallback of the enumerator when floating point
//! cannot settle a case. It never answers wrongly: over its work budget it says `TooLarge`.
//!
//! # The math
//! Hidden layers `z_1 = W_1 x + b_1`, `z_{l+1} = W_{l+1} relu(z_l) + b_{l+1}`, units numbered flat
//! layer by layer. Weights are f64 (exact dyadic rationals), biases exact rationals. Along a
//! pattern prefix `p` (the first `k` units, possibly ending mid-layer) unit `u` of layer `l` has
//! the affine map `z_u(x) = A_u x + β_u` with
//! `A_1 = W_1, β_1 = b_1, A_{l+1} = W_{l+1} diag(p_l) A_l, β_{l+1} = W_{l+1} diag(p_l) β_l + b_{l+1}`.
//! The question is whether the open set
//! `S(p) = {x ∈ int D : z_u(x) > 0 if p[u], z_u(x) < 0 if not, for u < k}`
//! is non-empty, except that a unit whose map is constant `c_u` (`A_u = 0`) requires `c_u > 0`
//! when on and `c_u ≤ 0` when off. With the rows `g_i·x < h_i` (`g = −s_u A_u`, `h = s_u β_u`,
//! `s_u = ±1`):
//! * Box `|x_j| < w_j`: LP `max t s.t. g_i·x + t ≤ h_i, ±x_j + t ≤ w_j, t ≤ 1`; non-empty iff `t* > 0`.
//! * Ball `‖x‖ < ρ`: non-empty iff (a) `{g_i·x < h_i}` meets the bounding box `|x_j| < ρ` (the LP)
//!   and (b) `dist(0, P̄)² < ρ²` for the closed polyhedron `P̄ = {g_i·x ≤ h_i}` — `P̄` is convex with
//!   non-empty interior, so the interior comes arbitrarily close to every point of `P̄`. (b) is the
//!   convex QP `min ‖x‖²` over `P̄`, solved exactly by an active-set method with KKT verification.
//!
//! Every returned point is re-verified exactly through the network's forward pass (strict
//! inequalities, strictly inside `D`); a failed verification would be an internal bug and is
//! reported as `TooLarge`, never as an answer.

mod arith;
mod lp;
mod net;
mod qp;

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};

use arith::{f64_to_rational, gcd_of, squared_norm, Meter, OutOfBudget};
use lp::LpOutcome;
pub use net::{ExactNet, WeightRows};
use qp::QpOutcome;

/// The input domain: the open L2 ball `‖x‖₂ < radius` or the open box `|x_j| < half_widths[j]`
/// (both centered at the origin), or a general open box `lower_j < x_j < upper_j` with rational
/// bounds (a VNN-LIB box whose center and half widths are not floats), 0 inside it.
#[derive(Debug, Clone, PartialEq)]
pub enum ExactDomain {
    /// The open L2 ball around the origin.
    Ball {
        /// Its radius, positive and finite.
        radius: f64,
    },
    /// The open box around the origin.
    Box {
        /// Half width along each coordinate, each positive and finite.
        half_widths: Vec<f64>,
    },
    /// The general open box (0 inside it).
    Bounds {
        /// Lower bound of each coordinate, exclusive.
        lower: Vec<BigRational>,
        /// Upper bound of each coordinate, exclusive, above `lower`.
        upper: Vec<BigRational>,
    },
}

/// Work limit of one decision.
///
/// `max_work` is a rough count of big-integer/rational multiply-adds: composing the maps costs
/// `n_1·(n_0+1) + Σ_{l≥2} n_l·(#on units of layer l−1)·(n_0+1)` (checked before any work, so a
/// 784-256-256 network is refused at once under 5e6), each LP pivot `(2m + 3d)·d` with `m` rows
/// and `d = n_0 + 1`, each QP step `m·n_0 + |W|²·n_0 + |W|³`, the final check `Σ n_l·(n_0+1)`.
/// Measured: about 1 µs per unit with the ~700-bit numbers of a 5-50×6 network (so ~2e6 ≈ 2 s).
/// The deadline is checked at every charge (per composed unit, LP pivot and QP step); without a
/// deadline and with an unbounded `max_work` the QP could in principle cycle on a degenerate
/// vertex, so always give a finite budget.
#[derive(Debug, Clone)]
pub struct Budget {
    /// Most multiply-adds allowed (see above).
    pub max_work: u64,
    /// Wall-clock time after which the decision gives up; `None`: no deadline.
    pub deadline: Option<std::time::Instant>,
}

/// Outcome of [`pattern_interior`].
#[derive(Debug, Clone, PartialEq)]
pub enum Feasibility {
    /// `S(prefix)` is non-empty; `point` lies in it (verified exactly).
    NonEmpty {
        /// An exact point of `S(prefix)`, one rational per input coordinate.
        point: Vec<BigRational>,
    },
    /// `S(prefix)` is empty (exact proof).
    Empty,
    /// The budget or the deadline ran out, or the input was invalid (a non-finite or non-positive
    /// radius or half-width, a box of the wrong dimension, a prefix longer than the network).
    TooLarge,
}

/// Whether `S(prefix)` — the open set of points strictly inside the domain where the first
/// `prefix.len()` units follow `prefix` (on ⇔ `z_u > 0`, off ⇔ `z_u < 0`; a unit with a constant
/// composed map `c_u` needs `c_u > 0` when on, `c_u ≤ 0` when off) — is non-empty. Exact; see the
/// module doc for the criterion.
pub fn pattern_interior(
    net: &ExactNet,
    domain: &ExactDomain,
    prefix: &[bool],
    budget: &Budget,
) -> Feasibility {
    match decide(net, domain, prefix, budget) {
        Ok(answer) => answer,
        Err(OutOfBudget) => Feasibility::TooLarge,
    }
}

/// Whether the network's pattern at the f64 point `x` strictly equals `prefix` on its units
/// (every `z_u(x)` computed exactly: on ⇒ `z_u > 0`, off ⇒ `z_u < 0`) and `x` lies strictly inside
/// the domain. A cheap exact witness check (no LP). False for malformed input.
pub fn strict_pattern_at(net: &ExactNet, domain: &ExactDomain, x: &[f64], prefix: &[bool]) -> bool {
    strict_pattern_at_with_constants(net, domain, x, prefix, &[])
}

/// [`strict_pattern_at`], except that the units flagged in `constant_units` (those whose
/// composed map is constant on the pattern's region, e.g. every input into them off) need only
/// `z_u ≤ 0` to be off: they are ≤ 0 on a whole neighbourhood. The caller vouches for the flags.
pub fn strict_pattern_at_with_constants(
    net: &ExactNet,
    domain: &ExactDomain,
    x: &[f64],
    prefix: &[bool],
    constant_units: &[bool],
) -> bool {
    let Some(point) = x
        .iter()
        .map(|&v| f64_to_rational(v))
        .collect::<Option<Vec<_>>>()
    else {
        return false;
    };
    let Some(domain) = ValidDomain::new(domain, net.input_dim()) else {
        return false;
    };
    prefix.len() <= net.unit_count()
        && domain.strictly_contains(&point)
        && follows_pattern(net, &point, prefix, constant_units)
}

/// The domain in exact rationals.
enum ValidDomain {
    Ball {
        radius_squared: BigRational,
        radius: BigRational,
    },
    Box {
        half_widths: Vec<BigRational>,
    },
    /// lower < x < upper; `half_widths` bound |x_j| over it (for the LP's own box).
    Bounds {
        half_widths: Vec<BigRational>,
        lower: Vec<BigRational>,
        upper: Vec<BigRational>,
    },
}

impl ValidDomain {
    fn new(domain: &ExactDomain, dim: usize) -> Option<Self> {
        let positive = |v: f64| f64_to_rational(v).filter(|q| q.is_positive());
        match domain {
            ExactDomain::Ball { radius } => {
                let radius = positive(*radius)?;
                Some(ValidDomain::Ball {
                    radius_squared: &radius * &radius,
                    radius,
                })
            }
            ExactDomain::Box { half_widths } if half_widths.len() == dim => {
                Some(ValidDomain::Box {
                    half_widths: half_widths
                        .iter()
                        .map(|&w| positive(w))
                        .collect::<Option<_>>()?,
                })
            }
            ExactDomain::Box { .. } => None,
            ExactDomain::Bounds { lower, upper }
                if lower.len() == dim
                    && upper.len() == dim
                    && lower.iter().zip(upper).all(|(l, u)| l < u) =>
            {
                let half_widths = lower
                    .iter()
                    .zip(upper)
                    .map(|(l, u)| l.abs().max(u.abs()) + BigRational::one())
                    .collect();
                Some(ValidDomain::Bounds {
                    half_widths,
                    lower: lower.clone(),
                    upper: upper.clone(),
                })
            }
            ExactDomain::Bounds { .. } => None,
        }
    }

    fn strictly_contains(&self, x: &[BigRational]) -> bool {
        match self {
            ValidDomain::Ball { radius_squared, .. } => squared_norm(x) < *radius_squared,
            ValidDomain::Box { half_widths } => {
                x.len() == half_widths.len() && x.iter().zip(half_widths).all(|(v, w)| v.abs() < *w)
            }
            ValidDomain::Bounds { lower, upper, .. } => {
                x.len() == lower.len()
                    && x.iter()
                        .zip(lower.iter().zip(upper))
                        .all(|(v, (l, u))| l < v && v < u)
            }
        }
    }

    /// The strict rows of a general box's faces, x_j < u_j and −x_j < −l_j, as integer rows
    /// (q x_j < p for u_j = p/q); none for the centered domains.
    fn face_rows(&self, dim: usize) -> IntegerRows {
        let mut rows = IntegerRows {
            g: Vec::new(),
            h: Vec::new(),
        };
        if let ValidDomain::Bounds { lower, upper, .. } = self {
            for j in 0..dim {
                for (bound, sign) in [(&upper[j], 1), (&lower[j], -1)] {
                    let mut g = vec![BigInt::zero(); dim];
                    g[j] = bound.denom() * BigInt::from(sign);
                    rows.g.push(g);
                    rows.h.push(bound.numer() * BigInt::from(sign));
                }
            }
        }
        rows
    }

    /// Half-widths of the box the LP works in (the bounding box for a ball).
    fn bounding_half_widths(&self, dim: usize) -> Vec<BigRational> {
        match self {
            ValidDomain::Ball { radius, .. } => vec![radius.clone(); dim],
            ValidDomain::Box { half_widths } | ValidDomain::Bounds { half_widths, .. } => {
                half_widths.clone()
            }
        }
    }
}

/// Exact check of the pattern at `x`: on ⇒ `z_u > 0`, off ⇒ `z_u < 0`, or `z_u ≤ 0` for the units
/// flagged in `constant_units` (whose composed map is constant).
fn follows_pattern(
    net: &ExactNet,
    x: &[BigRational],
    prefix: &[bool],
    constant_units: &[bool],
) -> bool {
    let z = net.pre_activations(x);
    if z.len() < prefix.len() {
        return false;
    }
    prefix.iter().zip(&z).enumerate().all(|(u, (&on, value))| {
        if on {
            value.is_positive()
        } else if constant_units.get(u).copied().unwrap_or(false) {
            !value.is_positive()
        } else {
            value.is_negative()
        }
    })
}

/// Strict constraints `g_i·x < h_i` with primitive integer `g_i`, one per distinct direction.
struct StrictRows {
    g: Vec<Vec<BigInt>>,
    h: Vec<BigRational>,
}

/// Outcome of turning the composed units into rows: either rows, or an infeasible constant unit.
enum RowsOrEmpty {
    Rows(IntegerRows, Vec<bool>),
    Empty,
}

/// `s(2^e·a·x + β) > 0` ⇔ `(−s·a/γ)·x < s·β·2^{−e}/γ` with `γ = gcd(a)`; rows with the same
/// primitive direction keep only the smallest bound (the others are implied).
fn strict_rows(
    net: &ExactNet,
    prefix: &[bool],
    meter: &mut Meter,
) -> Result<RowsOrEmpty, OutOfBudget> {
    let units = net.compose(prefix, meter)?;
    let constant_units: Vec<bool> = units.iter().map(net::ComposedUnit::is_constant).collect();
    let mut index_of: std::collections::HashMap<Vec<BigInt>, usize> =
        std::collections::HashMap::new();
    let mut rows = StrictRows {
        g: Vec::new(),
        h: Vec::new(),
    };
    for (unit, &on) in units.iter().zip(prefix) {
        if unit.is_constant() {
            let satisfied = if on {
                unit.bias.is_positive()
            } else {
                !unit.bias.is_positive()
            };
            if !satisfied {
                return Ok(RowsOrEmpty::Empty);
            }
            continue;
        }
        let gcd = gcd_of(&unit.row);
        let sign = if on { BigInt::from(-1) } else { BigInt::one() };
        let g: Vec<BigInt> = unit.row.iter().map(|a| a / &gcd * &sign).collect();
        let scale = arith::dyadic_to_rational(BigInt::one(), -unit.exponent)
            / BigRational::from_integer(gcd);
        let h = -(&unit.bias * scale * BigRational::from_integer(sign));
        match index_of.get(&g) {
            Some(&i) if rows.h[i] <= h => {}
            Some(&i) => rows.h[i] = h,
            None => {
                index_of.insert(g.clone(), rows.g.len());
                rows.g.push(g);
                rows.h.push(h);
            }
        }
    }
    Ok(RowsOrEmpty::Rows(rows.into_integer(), constant_units))
}

impl StrictRows {
    /// `g·x < p/q` ⇔ `(q·g)·x < p`: integer rows and bounds (stored with `h` as integers).
    fn into_integer(self) -> IntegerRows {
        let (g, h) = self
            .g
            .into_iter()
            .zip(self.h)
            .map(|(row, bound)| {
                let (numerator, denominator) = (bound.numer().clone(), bound.denom().clone());
                let scaled = if denominator.is_one() {
                    row
                } else {
                    row.iter().map(|a| a * &denominator).collect()
                };
                (scaled, numerator)
            })
            .unzip();
        IntegerRows { g, h }
    }
}

/// Strict constraints `g_i·x < h_i` with integer `g_i` and `h_i`.
struct IntegerRows {
    g: Vec<Vec<BigInt>>,
    h: Vec<BigInt>,
}

fn decide(
    net: &ExactNet,
    domain: &ExactDomain,
    prefix: &[bool],
    budget: &Budget,
) -> Result<Feasibility, OutOfBudget> {
    let dim = net.input_dim();
    let Some(domain) = ValidDomain::new(domain, dim) else {
        return Ok(Feasibility::TooLarge);
    };
    if prefix.len() > net.unit_count() || net.composition_work(prefix) > budget.max_work {
        return Ok(Feasibility::TooLarge);
    }
    let mut meter = Meter::new(budget);
    meter.charge(0)?;
    let (mut rows, constant_units) = match strict_rows(net, prefix, &mut meter)? {
        RowsOrEmpty::Empty => return Ok(Feasibility::Empty),
        RowsOrEmpty::Rows(rows, constant_units) => (rows, constant_units),
    };
    let faces = domain.face_rows(dim);
    rows.g.extend(faces.g);
    rows.h.extend(faces.h);
    let half_widths = domain.bounding_half_widths(dim);
    let interior = match lp::strict_interior_point(&rows.g, &rows.h, &half_widths, &mut meter)? {
        LpOutcome::Empty => return Ok(Feasibility::Empty),
        LpOutcome::Interior(point) => point,
    };
    let candidate = match &domain {
        ValidDomain::Box { .. } | ValidDomain::Bounds { .. } => interior,
        ValidDomain::Ball { radius_squared, .. } => {
            if squared_norm(&interior) < *radius_squared {
                interior
            } else {
                match qp::min_norm_below(
                    &rows.g,
                    &rows.h,
                    interior.clone(),
                    radius_squared,
                    &mut meter,
                )? {
                    QpOutcome::NotBelow => return Ok(Feasibility::Empty),
                    QpOutcome::Below(close) => pull_into_ball(&close, &interior, radius_squared),
                }
            }
        }
    };
    meter.charge(net.unit_count() as u64 * (dim as u64 + 1))?;
    let verified = domain.strictly_contains(&candidate)
        && follows_pattern(net, &candidate, prefix, &constant_units);
    debug_assert!(verified, "exact witness failed its verification");
    Ok(if verified {
        Feasibility::NonEmpty { point: candidate }
    } else {
        Feasibility::TooLarge
    })
}

/// `x = (1−θ)·close + θ·interior` with `θ ∈ (0, 1/2]` small enough that `‖x‖² < r²`, given
/// `‖close‖² < r²`, `close ∈ P̄` and `interior` strictly inside `P` (so `x` is strictly inside `P`).
/// With `d = interior − close`: `‖x‖² = ‖close‖² + 2θ·close·d + θ²‖d‖² ≤ ‖close‖² + θ(2|close·d| + ‖d‖²)`
/// for `θ ≤ 1`, so `θ = min(1/2, slack / (2(2|close·d| + ‖d‖²)))` leaves half the slack.
fn pull_into_ball(
    close: &[BigRational],
    interior: &[BigRational],
    radius_squared: &BigRational,
) -> Vec<BigRational> {
    let difference: Vec<BigRational> = interior.iter().zip(close).map(|(a, b)| a - b).collect();
    let mut cross = BigRational::zero();
    for (a, b) in close.iter().zip(&difference) {
        cross += a * b;
    }
    let growth = BigRational::from_integer(2.into()) * cross.abs() + squared_norm(&difference);
    let slack = radius_squared - squared_norm(close);
    let half = BigRational::new(BigInt::one(), BigInt::from(2));
    let theta = if growth.is_zero() {
        half
    } else {
        let bound = slack / (BigRational::from_integer(2.into()) * growth);
        simplest_power_of_two_below(&bound).min(half)
    };
    close
        .iter()
        .zip(&difference)
        .map(|(c, d)| c + &theta * d)
        .collect()
}

/// The largest `2^{−k} ≤ value` (`k ≥ 0`) for `0 < value` (keeps the witness' denominators small).
fn simplest_power_of_two_below(value: &BigRational) -> BigRational {
    if *value >= BigRational::one() {
        return BigRational::one();
    }
    // value = n/d < 1: 2^{−k} ≤ n/d ⇔ d ≤ n·2^k; start from k = bits(d) − bits(n) (too small by ≤ 1).
    let (numerator, denominator) = (value.numer(), value.denom());
    let mut k = denominator.bits().saturating_sub(numerator.bits());
    while &(numerator << k) < denominator {
        k += 1;
    }
    BigRational::new(BigInt::one(), BigInt::one() << k)
}

#[cfg(test)]
mod tests;

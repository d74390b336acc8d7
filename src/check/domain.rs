//! The domain, exactly: its reading (item 3 of the payload), the strict membership of a witness
//! in the open domain, and the maximum of an affine function over the closed domain.
//!
//! Every number is stored as integers with one shared exponent e ≤ 0 per vector (value = m·2^e),
//! so that sums of products are integer sums ([`Acc`]).

use super::nodebox::NodeBox;
use super::num::{approx, cmp_scaled, decompose, min_exponent, Acc, Int};
use super::stream::Payload;
use super::Fault;
use num_bigint::BigInt;
use num_traits::Zero;
use std::cmp::Ordering;
use std::io::BufRead;

/// A vector of dyadic rationals m_i·2^e with one exponent e ≤ 0.
#[derive(Clone, Debug)]
pub struct DyVec {
    pub m: Vec<BigInt>,
    /// The same integers for the kernel.
    pub int: Vec<Int>,
    pub e: i64,
    /// 2^{−e}: multiplies a number of exponent 0 up to this vector's exponent.
    pub up: Int,
}

impl DyVec {
    /// From exact parts m·2^e (at most 2^11 apart in exponent for f64 parts, so the shifts stay
    /// small).
    pub fn from_parts(parts: &[(BigInt, i64)]) -> DyVec {
        let e = min_exponent(
            parts
                .iter()
                .map(|(m, e)| (i64::from(m.sign() != num_bigint::Sign::NoSign), *e)),
        )
        .unwrap_or(0)
        .min(0);
        let m: Vec<BigInt> = parts
            .iter()
            .map(|(m, x)| {
                if m.is_zero() {
                    BigInt::zero()
                } else {
                    m << ((x - e) as u64)
                }
            })
            .collect();
        DyVec {
            int: m.iter().map(Int::from_bigint).collect(),
            m,
            e,
            up: Int::pow2((-e) as u64),
        }
    }
}

/// The exact domain.
#[derive(Clone, Debug)]
pub enum Shape {
    /// {x : ‖x − c‖₂ < r}, r = r_m·2^{r_e} > 0.
    Ball {
        center: DyVec,
        r_m: BigInt,
        r_e: i64,
    },
    /// {x : lo < x < hi}, both with one shared exponent.
    Box { lo: DyVec, hi: DyVec },
}

/// The domain of a certificate and its description for the verdict.
#[derive(Clone, Debug)]
pub struct ExactDomain {
    pub shape: Shape,
    pub description: String,
    /// The closed domain's bounding box (the domain itself for a box): the root's node box.
    pub bounding: NodeBox,
}

/// A finite f64 field, exactly: (m, e) with x = m·2^e.
fn finite(x: f64, what: &str) -> Result<(BigInt, i64), Fault> {
    decompose(x)
        .map(|(m, e)| (BigInt::from(m), i64::from(e)))
        .ok_or_else(|| Fault::failed("domain", format!("{what} is {x}; expected a finite number")))
}

/// `n` f64 fields.
fn floats<R: BufRead>(p: &mut Payload<R>, n: usize, what: &str) -> Result<Vec<f64>, Fault> {
    (0..n).map(|_| p.f64(what)).collect()
}

/// "v" when all entries are equal, else "from a to b".
fn spread(values: &[f64]) -> String {
    let lo = values.iter().cloned().fold(f64::INFINITY, f64::min);
    let hi = values.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    if lo == hi {
        format!("{lo}")
    } else {
        format!("from {lo} to {hi}")
    }
}

impl ExactDomain {
    /// Reads item 3: `u8` kind, then the kind's numbers (n inputs). Refuses non-finite numbers,
    /// a radius or half width that is not > 0 and bounds with lo ≥ hi (an empty domain).
    pub fn read<R: BufRead>(p: &mut Payload<R>, n: usize) -> Result<ExactDomain, Fault> {
        let kind = p.u8("the domain kind")?;
        match kind {
            0 => Self::read_ball(p, n),
            1 => Self::read_box(p, n),
            2 => Self::read_bounds(p, n),
            k => Err(Fault::unreadable(format!(
                "unknown domain kind {k}; expected 0 (L2 ball), 1 (box) or 2 (box by bounds)"
            ))),
        }
    }

    /// Kind 0: an L2 ball, its center (n numbers) and radius (> 0).
    fn read_ball<R: BufRead>(p: &mut Payload<R>, n: usize) -> Result<ExactDomain, Fault> {
        let c = floats(p, n, "the ball's center")?;
        let r = p.f64("the ball's radius")?;
        if !(r.is_finite() && r > 0.0) {
            return Err(Fault::failed(
                "domain",
                format!("radius {r} is not a finite number > 0"),
            ));
        }
        let center = c
            .iter()
            .map(|&x| finite(x, "a center coordinate"))
            .collect::<Result<Vec<_>, _>>()?;
        let (r_m, r_e) = finite(r, "the radius")?;
        Ok(ExactDomain::new(
            Shape::Ball {
                center: DyVec::from_parts(&center),
                r_m,
                r_e,
            },
            format!("L2 ball, radius {r}"),
        ))
    }

    /// Kind 1: a box by its center and half widths (n numbers each, the widths > 0).
    fn read_box<R: BufRead>(p: &mut Payload<R>, n: usize) -> Result<ExactDomain, Fault> {
        let c = floats(p, n, "the box's center")?;
        let w = floats(p, n, "the box's half widths")?;
        if let Some((j, &wj)) = w
            .iter()
            .enumerate()
            .find(|(_, w)| !(w.is_finite() && **w > 0.0))
        {
            return Err(Fault::failed(
                "domain",
                format!("half width {j} is {wj}; expected a finite number > 0"),
            ));
        }
        let mut lo = Vec::with_capacity(n);
        let mut hi = Vec::with_capacity(n);
        for (&cj, &wj) in c.iter().zip(&w) {
            let (cm, ce) = finite(cj, "a center coordinate")?;
            let (wm, we) = finite(wj, "a half width")?;
            // c ± w at the smaller exponent
            let e = ce.min(we);
            let cs = &cm << ((ce - e) as u64);
            let ws = &wm << ((we - e) as u64);
            lo.push((&cs - &ws, e));
            hi.push((cs + ws, e));
        }
        Ok(ExactDomain::new(
            Self::boxed(&lo, &hi),
            format!("box, half width {}", spread(&w)),
        ))
    }

    /// Kind 2: a box by its lower and upper bounds (n numbers each, lower < upper).
    fn read_bounds<R: BufRead>(p: &mut Payload<R>, n: usize) -> Result<ExactDomain, Fault> {
        let l = floats(p, n, "the box's lower bounds")?;
        let u = floats(p, n, "the box's upper bounds")?;
        let mut lo = Vec::with_capacity(n);
        let mut hi = Vec::with_capacity(n);
        for (j, (&lj, &uj)) in l.iter().zip(&u).enumerate() {
            let a = finite(lj, "a lower bound")?;
            let b = finite(uj, "an upper bound")?;
            if lj >= uj {
                return Err(Fault::failed(
                    "domain",
                    format!("input {j}: lower bound {lj} is not below upper bound {uj}"),
                ));
            }
            lo.push(a);
            hi.push(b);
        }
        let widths: Vec<f64> = l.iter().zip(&u).map(|(a, b)| b - a).collect();
        Ok(ExactDomain::new(
            Self::boxed(&lo, &hi),
            format!("box by bounds, width {}", spread(&widths)),
        ))
    }

    /// The domain with its bounding box: [c − r, c + r] per coordinate for a ball, the box
    /// itself for a box.
    fn new(shape: Shape, description: String) -> ExactDomain {
        let bounding = match &shape {
            Shape::Ball { center, r_m, r_e } => {
                let e = center.e.min(*r_e);
                let r = r_m << ((r_e - e) as u64);
                let (lo, hi) = center
                    .m
                    .iter()
                    .map(|c| {
                        let c = c << ((center.e - e) as u64);
                        ((&c - &r, e), (c + &r, e))
                    })
                    .unzip();
                NodeBox::from_bounds(lo, hi)
            }
            Shape::Box { lo, hi } => {
                let pairs = |v: &DyVec| v.m.iter().map(|m| (m.clone(), v.e)).collect();
                NodeBox::from_bounds(pairs(lo), pairs(hi))
            }
        };
        ExactDomain {
            shape,
            description,
            bounding,
        }
    }

    /// A box with lower and upper bounds sharing one exponent.
    fn boxed(lo: &[(BigInt, i64)], hi: &[(BigInt, i64)]) -> Shape {
        let all: Vec<(BigInt, i64)> = lo.iter().chain(hi).cloned().collect();
        let joint = DyVec::from_parts(&all);
        let n = lo.len();
        let split = |range: std::ops::Range<usize>| DyVec {
            m: joint.m[range.clone()].to_vec(),
            int: joint.int[range].to_vec(),
            e: joint.e,
            up: joint.up.clone(),
        };
        Shape::Box {
            lo: split(0..n),
            hi: split(n..2 * n),
        }
    }

    /// Whether x = m_x·2^{e_x} lies in the open domain, exactly:
    /// lo_j < x_j < hi_j for a box, Σ (x_j − c_j)² < r² for a ball.
    pub fn contains(&self, x: &[BigInt], e_x: i64) -> bool {
        match &self.shape {
            Shape::Box { lo, hi } => x.iter().zip(&lo.m).zip(&hi.m).all(|((xj, l), h)| {
                cmp_scaled(l, lo.e, xj, e_x) == Ordering::Less
                    && cmp_scaled(xj, e_x, h, hi.e) == Ordering::Less
            }),
            Shape::Ball { center, r_m, r_e } => {
                let e = e_x.min(center.e);
                let d2: BigInt = x
                    .iter()
                    .zip(&center.m)
                    .map(|(xj, cj)| {
                        let d = (xj << ((e_x - e) as u64)) - (cj << ((center.e - e) as u64));
                        &d * &d
                    })
                    .sum();
                cmp_scaled(&d2, 2 * e, &(r_m * r_m), 2 * r_e) == Ordering::Less
            }
        }
    }

    /// Decides max over the closed domain of L(x) = ±2^{e_v}(Σ_j v_j x_j + v_n) ≤ 0, exactly
    /// (`v` holds the n coefficients, then the constant; `negate` takes the minus sign). On
    /// failure returns an approximation of the maximum, for the message.
    ///
    /// Box: max L = Σ_j max(v_j lo_j, v_j hi_j) + κ. Ball: max L = v·c + κ + r‖v‖, which is ≤ 0
    /// iff v·c + κ ≤ 0 and r²(v·v) ≤ (v·c + κ)².
    pub fn max_nonpositive(
        &self,
        v: &[Int],
        negate: bool,
        e_v: i64,
        acc: &mut Acc,
    ) -> Result<(), f64> {
        let (coef, kappa) = v.split_at(v.len() - 1);
        let kappa = kappa[0].view_signed(negate);
        match &self.shape {
            Shape::Box { .. } => self.bounding.max_nonpositive(v, negate, e_v, acc),
            Shape::Ball { center, r_m, r_e } => {
                acc.clear();
                for (vj, cj) in coef.iter().zip(&center.int) {
                    acc.add_mul(vj.view_signed(negate), cj.view());
                }
                acc.add_mul(kappa, center.up.view());
                let q = acc.finish().to_bigint();
                acc.clear();
                for vj in coef {
                    acc.add_mul(vj.view(), vj.view());
                }
                let vv = acc.finish().to_bigint();
                let q_ok = q.sign() != num_bigint::Sign::Plus;
                if q_ok
                    && cmp_scaled(&(r_m * r_m * &vv), 2 * r_e, &(&q * &q), 2 * center.e)
                        != Ordering::Greater
                {
                    return Ok(());
                }
                let norm = approx(&vv, 2 * e_v).sqrt();
                Err(approx(&q, e_v + center.e) + approx(r_m, *r_e) * norm)
            }
        }
    }
}

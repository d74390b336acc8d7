//! The node's box B = [lo, hi] (docs/certificate.md, "The node's box"): a box containing the
//! node ∩ closed domain, for the box proofs (kind m = 1).
//!
//! The root's box is the closed domain's bounding box. A BRANCH child's box is its parent's box
//! tightened by the child's constraint t(x) = σ(a·x + β) ≥ 0, i.e. g·x ≤ σβ with g = −σa: for
//! every j with g_j ≠ 0, from the parent's box,
//!
//!   R_j = σβ − Σ_{k≠j} min(g_k lo_k, g_k hi_k);  g_j > 0: hi_j ← min(hi_j, R_j/g_j);
//!   g_j < 0: lo_j ← max(lo_j, R_j/g_j),
//!
//! each new bound R_j/g_j rounded outward to a dyadic of at least 64 significant bits
//! ([`round_quotient`]). Every point of the child in the closed domain satisfies
//! g_j x_j ≤ σβ − Σ_{k≠j} g_k x_k ≤ R_j, so it stays in the result.

use super::num::{approx, cmp_scaled, min_exponent, round_quotient, trim, Acc, Int};
use num_bigint::BigInt;
use num_traits::Zero;
use std::cmp::Ordering;

/// A bound m·2^x as (m, x).
type Bound = (BigInt, i64);

/// A box with one shared exponent e ≤ 0: lo_j = lo[j]·2^e, hi_j = hi[j]·2^e.
#[derive(Clone, Debug)]
pub struct NodeBox {
    lo: Vec<Int>,
    hi: Vec<Int>,
    e: i64,
    /// 2^{−e}.
    up: Int,
}

impl NodeBox {
    /// From bounds (m, x) = m·2^x, at the smallest exponent of their trimmed mantissas (≤ 0).
    pub fn from_bounds(lo: Vec<Bound>, hi: Vec<Bound>) -> NodeBox {
        let trimmed =
            |v: Vec<Bound>| -> Vec<Bound> { v.into_iter().map(|(m, x)| trim(m, x)).collect() };
        let (lo, hi) = (trimmed(lo), trimmed(hi));
        let e = min_exponent(
            lo.iter()
                .chain(&hi)
                .map(|(m, x)| (i64::from(!m.is_zero()), *x)),
        )
        .unwrap_or(0)
        .min(0);
        let at = |v: &[Bound]| -> Vec<Int> {
            v.iter()
                .map(|(m, x)| {
                    if m.is_zero() {
                        Int::zero()
                    } else {
                        Int::from_bigint(&(m << ((x - e) as u64)))
                    }
                })
                .collect()
        };
        NodeBox {
            lo: at(&lo),
            hi: at(&hi),
            e,
            up: Int::pow2((-e) as u64),
        }
    }

    /// The bounds as (m, x) pairs.
    fn bounds(&self) -> (Vec<Bound>, Vec<Bound>) {
        let big = |v: &[Int]| v.iter().map(|m| (m.to_bigint(), self.e)).collect();
        (big(&self.lo), big(&self.hi))
    }

    /// The child's box for the constraint σ·(a·x + β) ≥ 0, `row` = (a | β) in integers (any
    /// common exponent: it cancels in R_j/g_j), σ = +1 when `on`.
    pub fn tighten(&self, row: &[Int], on: bool) -> NodeBox {
        let n = self.lo.len();
        let sigma = |v: BigInt| if on { v } else { -v };
        // g = −σa, in units of the row's exponent
        let g: Vec<BigInt> = row[..n].iter().map(|a| -sigma(a.to_bigint())).collect();
        let (mut lo, mut hi) = self.bounds();
        // min(g_k lo_k, g_k hi_k) in units of 2^{E_row + e}
        let mins: Vec<BigInt> = g
            .iter()
            .zip(&lo)
            .zip(&hi)
            .map(|((g, (l, _)), (h, _))| {
                if g.sign() == num_bigint::Sign::Plus {
                    g * l
                } else {
                    g * h
                }
            })
            .collect();
        let total: BigInt = mins.iter().sum();
        let rhs = sigma(row[n].to_bigint()) << ((-self.e) as u64);
        let (old_lo, old_hi) = (lo.clone(), hi.clone());
        for j in 0..n {
            if g[j].is_zero() {
                continue;
            }
            let r = &rhs - &total + &mins[j];
            let positive = g[j].sign() == num_bigint::Sign::Plus;
            // R_j / g_j in units of 2^e: rounded up for an upper bound, down for a lower one
            let (m, f) = round_quotient(&r, &g[j], positive);
            let bound = (m, f + self.e);
            if positive {
                let (h, x) = &old_hi[j];
                if cmp_scaled(&bound.0, bound.1, h, *x) == Ordering::Less {
                    hi[j] = bound;
                }
            } else {
                let (l, x) = &old_lo[j];
                if cmp_scaled(&bound.0, bound.1, l, *x) == Ordering::Greater {
                    lo[j] = bound;
                }
            }
        }
        NodeBox::from_bounds(lo, hi)
    }

    /// Decides max over the box of L(x) = ±2^{E}(a·x + β) ≤ 0 for `row` = (a | β) (the minus
    /// sign when `negate`): Σ_k max(a_k lo_k, a_k hi_k) + β ≤ 0 with the signed coefficients,
    /// in units of 2^{E + e}. On failure returns an approximation of the maximum (for the
    /// message), with `e_row` = E. (The max of a linear function over a box whose lo_k > hi_k for
    /// some k is not this sum, but such a box holds no point, and every conclusion on it holds.)
    pub fn max_nonpositive(
        &self,
        row: &[Int],
        negate: bool,
        e_row: i64,
        acc: &mut Acc,
    ) -> Result<(), f64> {
        let n = self.lo.len();
        acc.clear();
        for ((a, l), h) in row[..n].iter().zip(&self.lo).zip(&self.hi) {
            let positive = match a.signum() {
                Ordering::Equal => continue,
                s => (s == Ordering::Greater) != negate,
            };
            acc.add_mul(
                a.view_signed(negate),
                if positive { h.view() } else { l.view() },
            );
        }
        acc.add_mul(row[n].view_signed(negate), self.up.view());
        if acc.sign() != Ordering::Greater {
            Ok(())
        } else {
            Err(approx(&acc.finish().to_bigint(), e_row + self.e))
        }
    }
}

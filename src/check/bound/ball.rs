//! Enclosing balls of a layer's post-activations, and the bounds they prove.
//!
//! A ball record of layer l claims: for every x in the closed domain, the live units of layer l
//! (claimed upper bound > 0; the others have σ(z) = 0) satisfy ‖σ(z_live(x)) − c_live‖ ≤ r, in the
//! domain's norm (L2 for an L2 ball, L∞ for a box). Its radius is verified one of two ways:
//!
//! - box: σ(z_j) ∈ [σ(L_j), σ(U_j)], so |σ(z_j) − c_j| ≤ dev_j = max(σ(U_j) − c_j, c_j − σ(L_j), 0);
//!   the check is ‖dev‖ ≤ r (L2: Σ dev² ≤ r²);
//! - Lipschitz: from the previous ball (c', r') (layer 1: the domain, its center and radius, or
//!   for a box its midpoint and largest half width), with A the weights from the previous live
//!   units to these and ẑ = A c' + b exactly: ‖σ(z) − c‖ ≤ ‖σ(z) − σ(ẑ)‖ + ‖σ(ẑ) − c‖ ≤
//!   ‖A‖·r' + ‖d‖, d = σ(ẑ) − c (σ is 1-Lipschitz per coordinate); the check is N ≥ ‖A‖ and
//!   r − N r' ≥ ‖d‖ (L2: r − N r' ≥ 0 and (r − N r')² ≥ Σ d²). ‖A‖_∞ is the largest row sum of
//!   |A|; ‖A‖₂ ≤ N holds when ‖A‖_F² ≤ N², or (max column sum)(max row sum) ≤ N², or when a
//!   given upper triangular R makes E = N²I − G − RᵀR diagonally dominant with a non-negative
//!   diagonal (G the smaller Gram matrix AAᵀ or AᵀA): then E ⪰ 0 (Gershgorin), so N²I − G ⪰ 0.
//!
//! A bound of unit i of layer l + 1 from the ball: z_i = b_i + Σ_live w_j σ(z_j) ∈
//! b_i + w·c ± r‖w_live‖_* (Hölder; dual norm L2 or L1); the check is
//! ±(claim − b_i − w·c) ≥ r‖w‖_* (L2: with squares).

use super::super::domain::Shape;
use super::super::num::Int;
use super::super::stream::Payload;
use super::super::Fault;
use super::exact::{sum, to_ints, Dy};
use super::layer_ball::Ball;
use super::proofs::{finite, Checker, Closed};
use std::cmp::Ordering;
use std::io::BufRead;

/// The domain as the ball before layer 1: (center, radius) in the domain's norm.
pub fn domain_ball(checker: &Checker) -> Ball {
    match &checker.domain.shape {
        Shape::Ball { center, r_m, r_e } => Ball {
            live: (0..center.m.len()).collect(),
            center: center
                .m
                .iter()
                .map(|m| Dy {
                    m: m.clone(),
                    e: center.e,
                })
                .collect(),
            radius: Dy {
                m: r_m.clone(),
                e: *r_e,
            },
        },
        Shape::Box { lo, hi } => {
            let n = lo.m.len();
            let mut center = Vec::with_capacity(n);
            let mut radius = Dy::zero();
            for j in 0..n {
                let l = Dy {
                    m: lo.m[j].clone(),
                    e: lo.e,
                };
                let h = Dy {
                    m: hi.m[j].clone(),
                    e: hi.e,
                };
                let mid = l.add(&h);
                center.push(Dy {
                    m: mid.m,
                    e: mid.e - 1,
                });
                let half = h.sub(&l);
                radius = radius.max(Dy {
                    m: half.m,
                    e: half.e - 1,
                });
            }
            Ball {
                live: (0..n).collect(),
                center,
                radius,
            }
        }
    }
}

impl Checker<'_> {
    /// Reads and verifies the ball record after layer `t`'s units (`layer` is layer t, not yet
    /// closed): `u8` kind (0 none, 1 box, 2 Lipschitz, 3 Lipschitz with a Cholesky factor), then
    /// the center (one f64 per unit), the radius, N (kinds 2, 3) and R's upper triangle (kind 3).
    pub fn ball<R: BufRead>(
        &mut self,
        p: &mut Payload<R>,
        t: usize,
        layer: &Closed,
    ) -> Result<Option<Ball>, Fault> {
        let kind = p.u8("a ball's kind")?;
        if kind == 0 {
            return Ok(None);
        }
        if kind > 3 {
            return Err(Fault::unreadable(format!(
                "layer {}: unknown ball kind {kind}; expected 0 to 3",
                t + 1
            )));
        }
        let path = format!("layer {}, ball", t + 1);
        let ball = read_ball(p, layer, &path)?;
        if kind == 1 {
            self.box_radius(&ball, layer)
                .map_err(|w| Fault::failed(&path, w))?;
        } else {
            self.check_lipschitz(p, t, kind, &ball, &path)?;
        }
        self.tally.balls += 1;
        Ok(Some(ball))
    }

    /// Reads the rest of a Lipschitz ball record (`kind` 2 or 3: N, and for 3 R's upper
    /// triangle) and verifies ‖A‖ ≤ N for the weights A from the previous ball's live units to
    /// `ball`'s, then the radius r − N r' ≥ ‖d‖ (`path` names the record in a failure).
    fn check_lipschitz<R: BufRead>(
        &mut self,
        p: &mut Payload<R>,
        t: usize,
        kind: u8,
        ball: &Ball,
        path: &str,
    ) -> Result<(), Fault> {
        let norm = finite(p.f64("a ball's norm bound")?, path, "the norm bound N")?;
        if norm.sign() == Ordering::Less {
            return Err(Fault::failed(path, "the norm bound N is < 0"));
        }
        let prev = if t == 0 {
            domain_ball(self)
        } else {
            self.closed[t - 1].ball.clone().ok_or_else(|| {
                Fault::failed(
                    path,
                    format!("a Lipschitz radius, but layer {t} has no ball"),
                )
            })?
        };
        let a: Vec<Vec<&Int>> = ball
            .live
            .iter()
            .map(|&i| prev.live.iter().map(|&j| self.net[t].int(i, j)).collect())
            .collect();
        let cholesky = if kind == 3 {
            let k = ball.live.len().min(prev.live.len());
            let count = k * (k + 1) / 2;
            let mut r = Vec::with_capacity(count);
            for _ in 0..count {
                r.push(finite(
                    p.f64("a Cholesky factor's entry")?,
                    path,
                    "an entry of R",
                )?);
            }
            Some(r)
        } else {
            None
        };
        let ew = self.net[t].ew;
        if self.l2 {
            spectral_norm_at_most(&a, ew, &norm, cholesky.as_deref(), &mut self.acc)
        } else {
            linf_norm_at_most(&a, ew, &norm)
        }
        .map_err(|w| Fault::failed(path, w))?;
        self.lipschitz_radius(ball, &prev, &norm, t)
            .map_err(|w| Fault::failed(path, w))?;
        Ok(())
    }

    /// ‖dev‖ ≤ r, dev_j = max(σ(U_j) − c_j, c_j − σ(L_j), 0) over the live units.
    fn box_radius(&self, ball: &Ball, layer: &Closed) -> Result<(), String> {
        let mut devs = Vec::with_capacity(ball.live.len());
        for (&j, c) in ball.live.iter().zip(&ball.center) {
            let (lo, hi) = match (&layer.lower[j], &layer.upper[j]) {
                (Some(lo), Some(hi)) => (lo, hi),
                _ => return Err(format!("unit {j} is live but has no bounds")),
            };
            let dev = hi.relu().sub(c).max(c.sub(&lo.relu())).relu();
            devs.push(dev);
        }
        self.norm_at_most(&devs, &ball.radius).map_err(|n| {
            format!(
                "the box of the layer's bounds is {n:e} from the center, beyond the radius {}",
                ball.radius.approx()
            )
        })
    }

    /// r ≥ N r' + ‖σ(ẑ) − c‖ with ẑ = A c' + b exactly.
    fn lipschitz_radius(
        &self,
        ball: &Ball,
        prev: &Ball,
        norm: &Dy,
        t: usize,
    ) -> Result<(), String> {
        let layer = &self.net[t];
        let d: Vec<Dy> = ball
            .live
            .iter()
            .zip(&ball.center)
            .map(|(&i, c)| {
                let terms: Vec<Dy> = prev
                    .live
                    .iter()
                    .zip(&prev.center)
                    .map(|(&j, cj)| layer.weight(i, j).mul(cj))
                    .collect();
                let z = layer.b[i].add(&sum(&terms));
                z.relu().sub(c).abs()
            })
            .collect();
        let room = ball.radius.sub(&norm.mul(&prev.radius));
        if room.sign() == Ordering::Less {
            return Err(format!(
                "the radius {} is below N·r' = {}",
                ball.radius.approx(),
                norm.mul(&prev.radius).approx()
            ));
        }
        self.norm_at_most(&d, &room).map_err(|n| {
            format!(
                "the center is {n:e} from the image of the previous center, beyond r − N·r' = {}",
                room.approx()
            )
        })
    }

    /// ‖v‖ ≤ bound (v ≥ 0 entrywise, bound ≥ 0) in the domain's norm; on failure ≈ ‖v‖.
    fn norm_at_most(&self, v: &[Dy], bound: &Dy) -> Result<(), f64> {
        if self.l2 {
            let s = sum(&v.iter().map(|x| x.mul(x)).collect::<Vec<_>>());
            if s.cmp(&bound.mul(bound)) == Ordering::Greater {
                return Err(s.approx().sqrt());
            }
        } else if let Some(x) = v.iter().find(|x| x.cmp(bound) == Ordering::Greater) {
            return Err(x.approx());
        }
        Ok(())
    }
}

/// Reads a ball record's center (one f64 per unit of `layer`) and radius (≥ 0); the ball keeps
/// the live units (claimed upper bound > 0) and their centers.
fn read_ball<R: BufRead>(p: &mut Payload<R>, layer: &Closed, path: &str) -> Result<Ball, Fault> {
    let width = layer.cat.len();
    let mut all = Vec::with_capacity(width);
    for _ in 0..width {
        all.push(finite(
            p.f64("a ball's center")?,
            path,
            "a center coordinate",
        )?);
    }
    let radius = finite(p.f64("a ball's radius")?, path, "the radius")?;
    if radius.sign() == Ordering::Less {
        return Err(Fault::failed(path, "the radius is < 0"));
    }
    let live: Vec<usize> = (0..width)
        .filter(|&j| {
            layer.upper[j]
                .as_ref()
                .is_some_and(|u| u.sign() == Ordering::Greater)
        })
        .collect();
    let center: Vec<Dy> = live.iter().map(|&j| all[j].clone()).collect();
    Ok(Ball {
        live,
        center,
        radius,
    })
}

/// Σ |a| of a row of integers, as a dyadic at exponent `e`.
fn abs_sum<'a>(row: impl Iterator<Item = &'a Int>, e: i64) -> Dy {
    let terms: Vec<Dy> = row.map(|a| Dy::from_int(a, e).abs()).collect();
    sum(&terms)
}

/// ‖A‖_∞ = max_i Σ_j |a_ij| ≤ N (A = a·2^ew).
fn linf_norm_at_most(a: &[Vec<&Int>], ew: i64, n: &Dy) -> Result<(), String> {
    for (i, row) in a.iter().enumerate() {
        let s = abs_sum(row.iter().copied(), ew);
        if s.cmp(n) == Ordering::Greater {
            return Err(format!(
                "row {i} of the weights has absolute sum {} > N = {}",
                s.approx(),
                n.approx()
            ));
        }
    }
    Ok(())
}

/// ‖A‖₂ ≤ N: by the Frobenius norm, by √(‖A‖₁‖A‖_∞), or by the Cholesky residual.
fn spectral_norm_at_most(
    a: &[Vec<&Int>],
    ew: i64,
    n: &Dy,
    cholesky: Option<&[Dy]>,
    acc: &mut super::super::num::Acc,
) -> Result<(), String> {
    let n2 = n.mul(n);
    let rows = a.len();
    let cols = a.first().map_or(0, Vec::len);
    if rows == 0 || cols == 0 {
        return Ok(());
    }
    let fro2 = frobenius_squared(a, ew, acc);
    if fro2.cmp(&n2) != Ordering::Greater {
        return Ok(());
    }
    // √(‖A‖₁ ‖A‖_∞)
    let inf = a
        .iter()
        .map(|row| abs_sum(row.iter().copied(), ew))
        .fold(Dy::zero(), Dy::max);
    let one = (0..cols)
        .map(|j| abs_sum(a.iter().map(|row| row[j]), ew))
        .fold(Dy::zero(), Dy::max);
    if one.mul(&inf).cmp(&n2) != Ordering::Greater {
        return Ok(());
    }
    let Some(r) = cholesky else {
        return Err(format!(
            "N = {} is below both the Frobenius norm {} and √(‖A‖₁‖A‖_∞) = {}, and no Cholesky factor is given",
            n.approx(),
            fro2.approx().sqrt(),
            one.mul(&inf).approx().sqrt()
        ));
    };
    cholesky_residual_dominant(a, ew, n, r, acc)
}

/// ‖A‖_F² of the integer matrix `a` at exponent `ew`, exactly.
fn frobenius_squared(a: &[Vec<&Int>], ew: i64, acc: &mut super::super::num::Acc) -> Dy {
    acc.clear();
    for row in a {
        for x in row {
            acc.add_mul(x.view(), x.view());
        }
    }
    Dy::from_int(&acc.finish(), 2 * ew)
}

/// ‖A‖₂ ≤ N by the Cholesky residual: with G the smaller Gram matrix of A and R the given upper
/// triangular factor, E = N²I − G − RᵀR diagonally dominant with a non-negative diagonal.
fn cholesky_residual_dominant(
    a: &[Vec<&Int>],
    ew: i64,
    n: &Dy,
    r: &[Dy],
    acc: &mut super::super::num::Acc,
) -> Result<(), String> {
    let n2 = n.mul(n);
    let rows = a.len();
    let cols = a.first().map_or(0, Vec::len);
    // G: the smaller Gram matrix, at exponent 2·ew
    let k = rows.min(cols);
    let g = |i: usize, j: usize, acc: &mut super::super::num::Acc| -> Dy {
        acc.clear();
        if rows <= cols {
            for (x, y) in a[i].iter().zip(&a[j]) {
                acc.add_mul(x.view(), y.view());
            }
        } else {
            for row in a {
                acc.add_mul(row[i].view(), row[j].view());
            }
        }
        Dy::from_int(&acc.finish(), 2 * ew)
    };
    // R, upper triangle row-major: R_pq at index p·k − p(p−1)/2 + (q − p)
    let (r_int, er) = to_ints(r);
    let at = |p: usize, q: usize| -> &Int { &r_int[packed_index(k, p, q)] };
    for i in 0..k {
        let mut diag = Dy::zero();
        let mut off = Vec::with_capacity(k);
        for j in 0..k {
            acc.clear();
            for p in 0..=i.min(j) {
                acc.add_mul(at(p, i).view(), at(p, j).view());
            }
            let rtr = Dy::from_int(&acc.finish(), 2 * er);
            let mut e = g(i, j, acc).add(&rtr).neg();
            if i == j {
                e = e.add(&n2);
                diag = e;
            } else {
                off.push(e.abs());
            }
        }
        let margin = diag.sub(&sum(&off));
        if margin.sign() == Ordering::Less {
            return Err(format!(
                "N = {}: row {i} of N²I − G − RᵀR is not diagonally dominant (diagonal minus off-diagonal sum {})",
                n.approx(),
                margin.approx()
            ));
        }
    }
    Ok(())
}

/// Index of R_pq (p ≤ q) in the row-major upper triangle of a k×k matrix.
fn packed_index(k: usize, p: usize, q: usize) -> usize {
    // rows 0..p hold k + (k − 1) + … + (k − p + 1) = p·k − p(p − 1)/2 entries
    p * k - p * p.saturating_sub(1) / 2 + (q - p)
}

#[cfg(test)]
mod tests {
    use super::packed_index;

    #[test]
    fn packed_upper_triangle_is_row_major() {
        let k = 4;
        let mut expect = 0;
        for p in 0..k {
            for q in p..k {
                assert_eq!(packed_index(k, p, q), expect);
                expect += 1;
            }
        }
    }
}

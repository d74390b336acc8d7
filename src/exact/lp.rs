//! Exact strict-feasibility LP: is `{x : g_i·x < h_i, |x_j| < w_j}` non-empty?
//!
//! Solved as `max t s.t. g_i·x + t ≤ h_i, ±x_j + t ≤ w_j, t ≤ 1` (non-empty iff `t* > 0`) by a
//! primal simplex on the inequality form in the `d = n+1` variables `y = (x, t)`: a basis is a set
//! of `d` linearly independent tight rows with its exact inverse, a pivot releases one basis row
//! (negative multiplier) and the ratio test picks the row that becomes tight. Bland's rule
//! (smallest row index both for the released and for the blocking row) prevents cycling; this is
//! the ordinary primal simplex on the standard form with slacks and the free `y` kept basic.
//! The start `x = 0, t = min(1, w, h)` is feasible; a crash phase walks from it to a vertex
//! without lowering `t`. The search stops early as soon as `t > 0`.
//! Everything is kept in integers (rows scaled to integers, the vertex over one common
//! denominator, the basis inverse as adjugate/determinant with exact Bareiss divisions), so the
//! inner loops need no gcd. Work per pivot ≈ `(2m + 3d)·d` big-integer multiply-adds (`m` rows).

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};

use super::arith::{int_dot, Meter, OutOfBudget};

/// Result of the strict-feasibility LP.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum LpOutcome {
    /// A point with `g_i·x < h_i` for every row and `|x_j| < w_j`.
    Interior(Vec<BigRational>),
    Empty,
}

/// A basis position holds either a real row (by index) or the artificial row `e_k` of the crash.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Slot {
    Artificial,
    Row(usize),
}

/// All quantities are integers (no gcd in the inner loops): rows `a_i·y ≤ b_i`, the vertex
/// `y = numerators / denominator`, and the basis inverse as `adjugate / determinant`
/// (integer-preserving Bareiss-style updates, exact divisions).
struct Simplex {
    /// Integer rows `(g_i, 1)`, then `(F_j e_j, 1)`, `(−F_j e_j, 1)` for `w_j = W_j/F_j`, then the cap `(0, 1)`.
    rows: Vec<Vec<BigInt>>,
    rhs: Vec<BigInt>,
    y_numerators: Vec<BigInt>,
    y_denominator: BigInt,
    basis: Vec<Slot>,
    in_basis: Vec<bool>,
    /// `adjugate[r][k] / determinant` is the inverse of the basis matrix; column `k` belongs to
    /// basis position `k`.
    adjugate: Vec<Vec<BigInt>>,
    determinant: BigInt,
}

/// Decides exactly whether `{x : g_i·x < h_i (all i), |x_j| < w_j (all j)}` is non-empty.
/// `g` rows are integer vectors of length `half_widths.len()`, `h` integers.
pub(crate) fn strict_interior_point(
    g: &[Vec<BigInt>],
    h: &[BigInt],
    half_widths: &[BigRational],
    meter: &mut Meter,
) -> Result<LpOutcome, OutOfBudget> {
    let mut simplex = Simplex::start(g, h, half_widths);
    if let Some(point) = simplex.interior_point() {
        return Ok(LpOutcome::Interior(point));
    }
    for position in 0..simplex.dim() {
        if let Some(point) = simplex.crash_step(position, meter)? {
            return Ok(LpOutcome::Interior(point));
        }
    }
    loop {
        let Some(position) = simplex.bland_releasable_position() else {
            return Ok(LpOutcome::Empty); // optimal with t* ≤ 0
        };
        // Direction −inverse[:, k], as an integer column up to the positive factor 1/|det|.
        let direction = simplex.signed_column(position, -1);
        if !simplex.move_and_pivot(position, &direction, meter)? {
            return Err(OutOfBudget); // unbounded is impossible (cap row t ≤ 1); refuse defensively
        }
        if let Some(point) = simplex.interior_point() {
            return Ok(LpOutcome::Interior(point));
        }
    }
}

impl Simplex {
    fn start(g: &[Vec<BigInt>], h: &[BigInt], half_widths: &[BigRational]) -> Self {
        let n = half_widths.len();
        let d = n + 1;
        let mut rows = Vec::with_capacity(g.len() + 2 * n + 1);
        let mut rhs = Vec::with_capacity(rows.capacity());
        for (row, bound) in g.iter().zip(h) {
            let mut full = row.clone();
            full.push(BigInt::one());
            rows.push(full);
            rhs.push(bound.clone());
        }
        for sign in [1, -1] {
            for (j, w) in half_widths.iter().enumerate() {
                let mut full = vec![BigInt::zero(); d];
                full[j] = w.denom() * BigInt::from(sign);
                full[n] = BigInt::one();
                rows.push(full);
                rhs.push(w.numer().clone());
            }
        }
        let mut cap = vec![BigInt::zero(); d];
        cap[n] = BigInt::one();
        rows.push(cap);
        rhs.push(BigInt::one());
        // Every row has t-coefficient 1, so at x = 0 the row value is t: start at t0 = min b_i.
        // invariant: the cap row was pushed just above, so `rhs` is not empty.
        let t0 = rhs
            .iter()
            .min()
            .cloned()
            .expect("the cap row is always present");
        let mut y_numerators = vec![BigInt::zero(); d];
        y_numerators[n] = t0;
        let adjugate = (0..d)
            .map(|r| {
                (0..d)
                    .map(|c| {
                        if r == c {
                            BigInt::one()
                        } else {
                            BigInt::zero()
                        }
                    })
                    .collect()
            })
            .collect();
        let row_count = rows.len();
        Simplex {
            rows,
            rhs,
            y_numerators,
            y_denominator: BigInt::one(),
            basis: vec![Slot::Artificial; d],
            in_basis: vec![false; row_count],
            adjugate,
            determinant: BigInt::one(),
        }
    }

    fn dim(&self) -> usize {
        self.y_numerators.len()
    }

    /// The x part of y when `t > 0` (then every strict inequality holds with margin ≥ t).
    fn interior_point(&self) -> Option<Vec<BigRational>> {
        let d = self.dim();
        if self.y_numerators[d - 1].is_positive() {
            Some(
                self.y_numerators[..d - 1]
                    .iter()
                    .map(|v| BigRational::new(v.clone(), self.y_denominator.clone()))
                    .collect(),
            )
        } else {
            None
        }
    }

    /// `sign · inverse[:, k]` times the positive factor `|det|`: an integer column.
    fn signed_column(&self, position: usize, sign: i32) -> Vec<BigInt> {
        let flip = (sign < 0) != self.determinant.is_negative();
        self.adjugate
            .iter()
            .map(|row| {
                if flip {
                    -&row[position]
                } else {
                    row[position].clone()
                }
            })
            .collect()
    }

    /// Replaces the artificial row at `position` by a real tight row, moving along `±inverse[:, position]`
    /// in the sense that does not lower `t` and meets a row.
    fn crash_step(
        &mut self,
        position: usize,
        meter: &mut Meter,
    ) -> Result<Option<Vec<BigRational>>, OutOfBudget> {
        let d = self.dim();
        let column = self.signed_column(position, 1);
        let direction = if column[d - 1].is_positive() {
            column
        } else if column[d - 1].is_negative() {
            column.iter().map(|v| -v).collect()
        } else {
            let meets_a_row = self
                .rows
                .iter()
                .enumerate()
                .any(|(i, row)| !self.in_basis[i] && int_dot(row, &column).is_positive());
            if meets_a_row {
                column
            } else {
                column.iter().map(|v| -v).collect()
            }
        };
        if !self.move_and_pivot(position, &direction, meter)? {
            return Err(OutOfBudget); // the rows have full column rank: some row always blocks
        }
        Ok(self.interior_point())
    }

    /// Bland's rule: among basis positions with a negative multiplier `λ_k = inverse[t][k]`,
    /// the one holding the smallest row index.
    fn bland_releasable_position(&self) -> Option<usize> {
        let t_row = &self.adjugate[self.dim() - 1];
        let det_negative = self.determinant.is_negative();
        (0..self.dim())
            .filter(|&k| !t_row[k].is_zero() && t_row[k].is_negative() != det_negative)
            .min_by_key(|&k| match self.basis[k] {
                Slot::Row(i) => i,
                Slot::Artificial => usize::MAX,
            })
    }

    /// Moves `y` along the integer `direction` to the first blocking row (ties: smallest index),
    /// which enters the basis at `position`. Returns false when no row blocks.
    fn move_and_pivot(
        &mut self,
        position: usize,
        direction: &[BigInt],
        meter: &mut Meter,
    ) -> Result<bool, OutOfBudget> {
        let d = self.dim();
        meter.charge(((2 * self.rows.len() + 3 * d) * d) as u64)?;
        // Row i: slack_i = s_i / D with s_i = b_i·D − a_i·Y, rate_i ∝ r_i = a_i·direction;
        // the step to row i is ∝ s_i / r_i (same positive factor for every row).
        let mut blocking: Option<(usize, BigInt, BigInt)> = None;
        for (i, row) in self.rows.iter().enumerate() {
            if self.in_basis[i] {
                continue;
            }
            let rate = int_dot(row, direction);
            if !rate.is_positive() {
                continue;
            }
            let slack = &self.rhs[i] * &self.y_denominator - int_dot(row, &self.y_numerators);
            let better = match &blocking {
                None => true,
                Some((_, best_slack, best_rate)) => &slack * best_rate < best_slack * &rate,
            };
            if better {
                blocking = Some((i, slack, rate));
            }
        }
        let Some((entering, slack, rate)) = blocking else {
            return Ok(false);
        };
        if !slack.is_zero() {
            // y' = Y/D + (s/(D·r))·direction = (Y·r + s·direction) / (D·r).
            let numerators: Vec<BigInt> = self
                .y_numerators
                .iter()
                .zip(direction)
                .map(|(y, dir)| y * &rate + &slack * dir)
                .collect();
            let denominator = &self.y_denominator * &rate;
            self.set_reduced_point(numerators, denominator);
        }
        self.replace_basis_row(position, entering);
        Ok(true)
    }

    fn set_reduced_point(&mut self, mut numerators: Vec<BigInt>, mut denominator: BigInt) {
        let mut common = denominator.clone();
        for value in &numerators {
            if common.is_one() {
                break;
            }
            if !value.is_zero() {
                common = common.gcd(value);
            }
        }
        if !common.is_one() {
            for value in numerators.iter_mut() {
                *value = &*value / &common;
            }
            denominator /= &common;
        }
        self.y_numerators = numerators;
        self.y_denominator = denominator;
    }

    /// Basis update in adjugate form. With `V = a·adj` (so `a·A_B^{-1} = V/det`), the new
    /// determinant is `V_k`, column `k` of the adjugate is kept and every other column becomes
    /// `(adj[:, j]·V_k − adj[:, k]·V_j) / det` (an exact division, Bareiss).
    fn replace_basis_row(&mut self, position: usize, entering: usize) {
        let d = self.dim();
        let row = &self.rows[entering];
        let v: Vec<BigInt> = (0..d)
            .map(|c| {
                let mut sum = BigInt::zero();
                for (r, a) in row.iter().enumerate() {
                    if !a.is_zero() && !self.adjugate[r][c].is_zero() {
                        sum += a * &self.adjugate[r][c];
                    }
                }
                sum
            })
            .collect();
        let pivot = v[position].clone();
        debug_assert!(
            !pivot.is_zero(),
            "the entering row is independent of the rest of the basis"
        );
        for adjugate_row in self.adjugate.iter_mut() {
            let kept = adjugate_row[position].clone();
            for (c, factor) in v.iter().enumerate() {
                if c == position {
                    continue;
                }
                let updated = &adjugate_row[c] * &pivot - &kept * factor;
                let (quotient, remainder) = updated.div_rem(&self.determinant);
                debug_assert!(remainder.is_zero(), "Bareiss division is exact");
                adjugate_row[c] = quotient;
            }
        }
        self.determinant = pivot;
        if let Slot::Row(leaving) = self.basis[position] {
            self.in_basis[leaving] = false;
        }
        self.basis[position] = Slot::Row(entering);
        self.in_basis[entering] = true;
    }
}

#[cfg(test)]
mod tests {
    use super::super::arith::test_values::{ints, q};
    use super::super::Budget;
    use super::*;

    fn solve(g: &[Vec<BigInt>], h: &[BigRational], w: &[BigRational]) -> LpOutcome {
        // Scale each row to integers: g·x < p/q ⇔ (q·g)·x < p.
        let g: Vec<Vec<BigInt>> = g
            .iter()
            .zip(h)
            .map(|(row, b)| row.iter().map(|a| a * b.denom()).collect())
            .collect();
        let h: Vec<BigInt> = h.iter().map(|b| b.numer().clone()).collect();
        let budget = Budget {
            max_work: u64::MAX,
            deadline: None,
        };
        let mut meter = Meter::new(&budget);
        strict_interior_point(&g, &h, w, &mut meter).expect("unlimited budget")
    }

    fn assert_strictly_inside(
        point: &[BigRational],
        g: &[Vec<BigInt>],
        h: &[BigRational],
        w: &[BigRational],
    ) {
        for (row, bound) in g.iter().zip(h) {
            let mut value = BigRational::zero();
            for (a, x) in row.iter().zip(point) {
                value += BigRational::from_integer(a.clone()) * x;
            }
            assert!(value < *bound);
        }
        for (x, bound) in point.iter().zip(w) {
            assert!(x.abs() < *bound);
        }
    }

    #[test]
    fn triangle_and_degenerate_cases() {
        // x > 0, y > 0, x + y < 1/1000: a thin triangle far from the start corner.
        let g = vec![ints(&[-1, 0]), ints(&[0, -1]), ints(&[1, 1])];
        let h = vec![q(0, 1), q(0, 1), q(1, 1000)];
        let w = vec![q(1, 1), q(1, 1)];
        match solve(&g, &h, &w) {
            LpOutcome::Interior(p) => assert_strictly_inside(&p, &g, &h, &w),
            LpOutcome::Empty => panic!("the triangle is open and non-empty"),
        }
        // x > 0, y > 0, x + y < 0: only the closed corner remains → empty.
        let h_empty = vec![q(0, 1), q(0, 1), q(0, 1)];
        assert_eq!(solve(&g, &h_empty, &w), LpOutcome::Empty);
        // Many copies of the same hyperplane through the optimum (degenerate).
        let g_dup: Vec<Vec<BigInt>> = (0..20).map(|k| ints(&[1 + k % 3, -(1 + k % 3)])).collect();
        let h_dup = vec![q(0, 1); 20];
        let g_opp = [g_dup.clone(), vec![ints(&[-1, 1])]].concat();
        let h_opp = [h_dup.clone(), vec![q(0, 1)]].concat();
        assert_eq!(solve(&g_opp, &h_opp, &w), LpOutcome::Empty);
        match solve(&g_dup, &h_dup, &w) {
            LpOutcome::Interior(p) => assert_strictly_inside(&p, &g_dup, &h_dup, &w),
            LpOutcome::Empty => panic!("x < y is non-empty"),
        }
        // Outside the box: x > 2 in |x| < 1.
        assert_eq!(
            solve(&[ints(&[-1])], &[q(-2, 1)], &[q(1, 1)]),
            LpOutcome::Empty
        );
    }
}

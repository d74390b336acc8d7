//! Exact minimum-norm point of a closed polyhedron `P̄ = {x : g_i·x ≤ h_i}`, as far as needed to
//! compare `min_{x∈P̄} ‖x‖²` with a threshold `r²`.
//!
//! Primal active-set method from a strictly feasible start. With working set `W` (linearly
//! independent rows, tight at the iterate) the equality-constrained minimizer is
//! `x_W = G_Wᵀ y`, `(G_W G_Wᵀ) y = h_W`, with KKT multipliers `μ_W = −2y`. If `x_W` differs from
//! the iterate, step towards it until the first blocking row (which joins `W`; it is independent
//! of `W` because it has a non-zero rate along a direction in `null(G_W)`); otherwise, if every
//! `μ ≥ 0` the iterate is the exact optimum (KKT for a convex problem), else the row with the
//! most negative multiplier leaves `W`. The objective never increases; the search stops as soon
//! as an iterate has `‖x‖² < r²`. Work per step ≈ `m·n + |W|²·n + |W|³`.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};

use super::arith::{common_denominator, int_dot, solve_square, squared_norm, Meter, OutOfBudget};

/// Result of the threshold comparison.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum QpOutcome {
    /// A point of `P̄` with `‖x‖² < r²`.
    Below(Vec<BigRational>),
    /// `min_{x∈P̄} ‖x‖² ≥ r²` (proved by the exact KKT point).
    NotBelow,
}

/// Compares `min ‖x‖²` over `{g_i·x ≤ h_i}` with `r_squared`, starting from `start`, which must
/// satisfy every row strictly.
pub(crate) fn min_norm_below(
    g: &[Vec<BigInt>],
    h: &[BigInt],
    start: Vec<BigRational>,
    r_squared: &BigRational,
    meter: &mut Meter,
) -> Result<QpOutcome, OutOfBudget> {
    let n = start.len();
    let mut x = start;
    let mut working: Vec<usize> = Vec::new();
    loop {
        if squared_norm(&x) < *r_squared {
            return Ok(QpOutcome::Below(x));
        }
        let w = working.len();
        meter.charge((g.len() * n + w * w * n + w * w * w + n) as u64)?;
        let (target, y) = equality_minimizer(g, h, &working, n).ok_or(OutOfBudget)?;
        if target != x {
            let step: Vec<BigRational> = target.iter().zip(&x).map(|(a, b)| a - b).collect();
            let (alpha, blocking) = ratio_test(g, h, &working, &x, &step);
            for (value, delta) in x.iter_mut().zip(&step) {
                *value += &alpha * delta;
            }
            if let Some(row) = blocking {
                working.push(row);
            }
            continue;
        }
        // μ = −2y: the most negative multiplier is the largest positive y.
        let leaving = (0..w)
            .filter(|&k| y[k].is_positive())
            .max_by(|&a, &b| y[a].cmp(&y[b]).then(b.cmp(&a)));
        match leaving {
            Some(k) => {
                working.remove(k);
            }
            None => return Ok(QpOutcome::NotBelow),
        }
    }
}

/// Minimizer of `‖x‖²` on `{G_W x = h_W}` and the solution `y` of `(G_W G_Wᵀ) y = h_W`;
/// `None` only if the working rows were dependent (an internal invariant).
fn equality_minimizer(
    g: &[Vec<BigInt>],
    h: &[BigInt],
    working: &[usize],
    n: usize,
) -> Option<(Vec<BigRational>, Vec<BigRational>)> {
    if working.is_empty() {
        return Some((vec![BigRational::zero(); n], Vec::new()));
    }
    let gram: Vec<Vec<BigRational>> = working
        .iter()
        .map(|&a| {
            working
                .iter()
                .map(|&b| BigRational::from_integer(int_dot(&g[a], &g[b])))
                .collect()
        })
        .collect();
    let rhs: Vec<BigRational> = working
        .iter()
        .map(|&i| BigRational::from_integer(h[i].clone()))
        .collect();
    let y = solve_square(gram, rhs)?;
    let mut target = vec![BigRational::zero(); n];
    for (&i, coefficient) in working.iter().zip(&y) {
        for (value, a) in target.iter_mut().zip(&g[i]) {
            if !a.is_zero() {
                *value += BigRational::from_integer(a.clone()) * coefficient;
            }
        }
    }
    Some((target, y))
}

/// Largest `α ∈ [0, 1]` keeping `x + α·step` in `P̄`, and the first blocking row (smallest index
/// on ties) when `α < 1`. Integer comparisons: with `x = X/D_x`, `step = P/D_p`, row `i` allows
/// `α ≤ s_i·D_p / (D_x·r_i)` where `s_i = h_i·D_x − g_i·X ≥ 0` and `r_i = g_i·P > 0`.
fn ratio_test(
    g: &[Vec<BigInt>],
    h: &[BigInt],
    working: &[usize],
    x: &[BigRational],
    step: &[BigRational],
) -> (BigRational, Option<usize>) {
    let (x_numerators, x_denominator) = common_denominator(x);
    let (step_numerators, step_denominator) = common_denominator(step);
    let mut best: Option<(usize, BigInt, BigInt)> = None;
    for (i, row) in g.iter().enumerate() {
        if working.contains(&i) {
            continue;
        }
        let rate = int_dot(row, &step_numerators);
        if !rate.is_positive() {
            continue;
        }
        let slack = &h[i] * &x_denominator - int_dot(row, &x_numerators);
        let better = match &best {
            None => true,
            Some((_, best_slack, best_rate)) => &slack * best_rate < best_slack * &rate,
        };
        if better {
            best = Some((i, slack, rate));
        }
    }
    match best {
        Some((i, slack, rate)) if &slack * &step_denominator < &x_denominator * &rate => (
            BigRational::new(slack * step_denominator, x_denominator * rate),
            Some(i),
        ),
        _ => (BigRational::one(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::super::arith::test_values::{ints, q};
    use super::super::Budget;
    use super::*;

    fn run(
        g: &[Vec<BigInt>],
        h: &[BigRational],
        start: Vec<BigRational>,
        r2: BigRational,
    ) -> QpOutcome {
        let h: Vec<BigInt> = h.iter().map(|b| b.to_integer()).collect();
        let budget = Budget {
            max_work: u64::MAX,
            deadline: None,
        };
        let mut meter = Meter::new(&budget);
        min_norm_below(g, &h, start, &r2, &mut meter).expect("unlimited budget")
    }

    #[test]
    fn distance_to_a_corner_is_exact() {
        // x ≥ 3, y ≥ 4: closest point (3, 4), squared distance 25.
        let g = vec![ints(&[-1, 0]), ints(&[0, -1])];
        let h = vec![q(-3, 1), q(-4, 1)];
        let start = vec![q(10, 1), q(10, 1)];
        assert_eq!(run(&g, &h, start.clone(), q(25, 1)), QpOutcome::NotBelow);
        match run(&g, &h, start, q(25, 1) + q(1, 1_000_000_000)) {
            QpOutcome::Below(p) => assert!(squared_norm(&p) < q(25, 1) + q(1, 1_000_000_000)),
            QpOutcome::NotBelow => panic!("25 < 25 + 1e-9"),
        }
    }

    #[test]
    fn distance_to_a_slanted_halfplane() {
        // x + y ≥ 2: closest point (1, 1), squared distance 2; a redundant row x + 2y ≥ 2 and a
        // row x ≤ 5 that binds only on the way.
        let g = vec![ints(&[-1, -1]), ints(&[-1, -2]), ints(&[1, 0])];
        let h = vec![q(-2, 1), q(-2, 1), q(5, 1)];
        let start = vec![q(4, 1), q(7, 1)];
        assert_eq!(run(&g, &h, start.clone(), q(2, 1)), QpOutcome::NotBelow);
        assert!(matches!(
            run(&g, &h, start, q(2, 1) + q(1, 1 << 40)),
            QpOutcome::Below(_)
        ));
    }
}

//! Small exact-arithmetic helpers shared by the composition, the LP and the QP.

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{Float, One, Signed, Zero};

use super::{Budget, Feasibility};

/// Marker: the work budget or the deadline ran out (maps to [`Feasibility::TooLarge`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OutOfBudget;

impl From<OutOfBudget> for Feasibility {
    fn from(_: OutOfBudget) -> Self {
        Feasibility::TooLarge
    }
}

/// Counts rational multiply-adds against a [`Budget`] and watches its deadline.
pub(crate) struct Meter<'a> {
    budget: &'a Budget,
    used: u64,
}

impl<'a> Meter<'a> {
    pub(crate) fn new(budget: &'a Budget) -> Self {
        Meter { budget, used: 0 }
    }

    /// Fails when `work` more operations would exceed the budget or the deadline has passed.
    pub(crate) fn charge(&mut self, work: u64) -> Result<(), OutOfBudget> {
        self.used = self.used.saturating_add(work);
        if self.used > self.budget.max_work {
            return Err(OutOfBudget);
        }
        match self.budget.deadline {
            Some(deadline) if std::time::Instant::now() >= deadline => Err(OutOfBudget),
            _ => Ok(()),
        }
    }

    /// Work spent so far.
    #[cfg(test)]
    pub(crate) fn used(&self) -> u64 {
        self.used
    }
}

/// The exact value of a finite f64 as `mantissa · 2^exponent` (`None` when not finite).
pub(crate) fn f64_to_dyadic(value: f64) -> Option<(BigInt, i64)> {
    if !value.is_finite() {
        return None;
    }
    let (mantissa, exponent, sign) = Float::integer_decode(value);
    let signed = BigInt::from(mantissa) * BigInt::from(sign);
    Some((signed, i64::from(exponent)))
}

/// `mantissa · 2^exponent` as a rational.
pub(crate) fn dyadic_to_rational(mantissa: BigInt, exponent: i64) -> BigRational {
    if exponent >= 0 {
        BigRational::from_integer(mantissa << exponent_as_shift(exponent))
    } else {
        BigRational::new(mantissa, BigInt::one() << exponent_as_shift(-exponent))
    }
}

fn exponent_as_shift(exponent: i64) -> usize {
    // invariant: callers pass a non-negative exponent (its sign was just tested), and an f64
    // product's exponent is far below usize::MAX
    usize::try_from(exponent).expect("dyadic exponents of f64 products fit in usize")
}

/// The exact value of a finite f64 as a rational (`None` when not finite).
pub(crate) fn f64_to_rational(value: f64) -> Option<BigRational> {
    f64_to_dyadic(value).map(|(m, e)| dyadic_to_rational(m, e))
}

/// Writes rationals over one common positive denominator: `values[i] = numerators[i] / denominator`.
pub(crate) fn common_denominator(values: &[BigRational]) -> (Vec<BigInt>, BigInt) {
    let mut denominator = BigInt::one();
    for value in values {
        if !value.denom().is_one() {
            denominator = denominator.lcm(value.denom());
        }
    }
    let numerators = values
        .iter()
        .map(|value| value.numer() * (&denominator / value.denom()))
        .collect();
    (numerators, denominator)
}

/// Integer dot product.
pub(crate) fn int_dot(a: &[BigInt], b: &[BigInt]) -> BigInt {
    let mut sum = BigInt::zero();
    for (x, y) in a.iter().zip(b) {
        if !x.is_zero() && !y.is_zero() {
            sum += x * y;
        }
    }
    sum
}

/// Squared Euclidean norm.
pub(crate) fn squared_norm(x: &[BigRational]) -> BigRational {
    let mut sum = BigRational::zero();
    for value in x {
        sum += value * value;
    }
    sum
}

/// The gcd of the entries (zero for a zero vector), always non-negative.
pub(crate) fn gcd_of(row: &[BigInt]) -> BigInt {
    let mut g = BigInt::zero();
    for value in row {
        if !value.is_zero() {
            g = g.gcd(value);
            if g.is_one() {
                break;
            }
        }
    }
    g.abs()
}

/// Solves the square system `matrix · y = rhs` exactly by Gaussian elimination;
/// `None` when the matrix is singular.
pub(crate) fn solve_square(
    mut matrix: Vec<Vec<BigRational>>,
    mut rhs: Vec<BigRational>,
) -> Option<Vec<BigRational>> {
    let n = rhs.len();
    for col in 0..n {
        let pivot = (col..n).find(|&r| !matrix[r][col].is_zero())?;
        matrix.swap(col, pivot);
        rhs.swap(col, pivot);
        let inverse = matrix[col][col].recip();
        for r in 0..n {
            if r == col || matrix[r][col].is_zero() {
                continue;
            }
            let factor = &matrix[r][col] * &inverse;
            let pivot_row = matrix[col].clone();
            for (entry, pivot_entry) in matrix[r].iter_mut().zip(&pivot_row).skip(col) {
                *entry -= &factor * pivot_entry;
            }
            let delta = &factor * &rhs[col];
            rhs[r] -= delta;
        }
    }
    Some((0..n).map(|i| &rhs[i] / &matrix[i][i]).collect())
}

/// Small exact values for the tests of every submodule.
#[cfg(test)]
pub(super) mod test_values {
    use num_bigint::BigInt;
    use num_rational::BigRational;

    /// n / d.
    pub fn q(n: i64, d: i64) -> BigRational {
        BigRational::new(BigInt::from(n), BigInt::from(d))
    }

    /// A row of big integers.
    pub fn ints(values: &[i64]) -> Vec<BigInt> {
        values.iter().map(|&v| BigInt::from(v)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::test_values::q;
    use super::*;

    #[test]
    fn f64_conversion_is_exact() {
        assert_eq!(f64_to_rational(0.5), Some(q(1, 2)));
        assert_eq!(f64_to_rational(-3.0), Some(q(-3, 1)));
        assert_eq!(f64_to_rational(0.0), Some(q(0, 1)));
        let tiny = f64_to_rational(f64::from_bits(1)).expect("finite");
        assert_eq!(
            tiny,
            BigRational::new(BigInt::one(), BigInt::one() << 1074usize)
        );
        let third = f64_to_rational(1.0 / 3.0).expect("finite");
        assert_ne!(third, q(1, 3));
        assert!(f64_to_rational(f64::NAN).is_none());
        assert!(f64_to_rational(f64::INFINITY).is_none());
    }

    #[test]
    fn common_denominator_and_solve() {
        let values = vec![q(1, 2), q(-1, 3), q(5, 1)];
        let (nums, den) = common_denominator(&values);
        assert_eq!(den, BigInt::from(6));
        assert_eq!(
            nums,
            vec![BigInt::from(3), BigInt::from(-2), BigInt::from(30)]
        );
        let m = vec![vec![q(0, 1), q(2, 1)], vec![q(3, 1), q(1, 1)]];
        let y = solve_square(m, vec![q(4, 1), q(5, 1)]).expect("regular");
        assert_eq!(y, vec![q(1, 1), q(2, 1)]);
        let singular = vec![vec![q(1, 1), q(2, 1)], vec![q(2, 1), q(4, 1)]];
        assert!(solve_square(singular, vec![q(1, 1), q(1, 1)]).is_none());
        assert_eq!(
            gcd_of(&[BigInt::from(-6), BigInt::from(9), BigInt::zero()]),
            BigInt::from(3)
        );
    }
}

//! Exact conversions between floats and rationals, and exact scaling by powers of two: the
//! small arithmetic that keeps unit coordinates and box bounds exact (every finite f64 is a
//! dyadic rational).

use num_rational::BigRational;
use num_traits::{Float, Signed, ToPrimitive, Zero};

/// Largest e with 2^e ≤ |x| (x finite, non-zero).
pub fn binary_exponent(x: f64) -> i32 {
    let (mantissa, exp, _) = x.integer_decode();
    // x = mantissa · 2^exp with mantissa < 2^53
    exp as i32 + 63 - mantissa.leading_zeros() as i32
}

/// x · 2^k, by exact steps (each step is exact while the result stays normal).
pub fn ldexp(x: f64, k: i32) -> f64 {
    let (mut x, mut k) = (x, k);
    while k > 1000 {
        x *= 2f64.powi(1000);
        k -= 1000;
    }
    while k < -1000 {
        x *= 2f64.powi(-1000);
        k += 1000;
    }
    x * 2f64.powi(k)
}

/// The exact value of an f64 as a big rational.
pub fn rational(x: f64) -> BigRational {
    BigRational::from_float(x).unwrap_or_else(BigRational::zero)
}

/// A float within a relative 2^-52 (or 2^-1073 absolute, near the underflow) of `x`, for any
/// size of numerator and denominator: the quotient is formed with 64 significant bits in big
/// integers and scaled by a power of two (`Ratio::to_f64` divides two floats, which gives NaN or
/// 0 once either side leaves the float range). ±∞ when |x| is beyond the float range.
pub fn rational_to_f64(x: &BigRational) -> f64 {
    if x.is_zero() {
        return 0.0;
    }
    let (n, d) = (x.numer().abs(), x.denom().clone());
    let shift = 64 + d.bits() as i64 - n.bits() as i64;
    let q = if shift >= 0 {
        (n << shift as usize) / d
    } else {
        n / (d << (-shift) as usize)
    };
    let f = ldexp(
        q.to_f64().unwrap_or(f64::INFINITY),
        -(shift.clamp(-100_000, 100_000) as i32),
    );
    if x.is_negative() {
        -f
    } else {
        f
    }
}

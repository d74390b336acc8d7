//! Exact numbers for the checker.
//!
//! - [`decompose`] / [`f64_to_dyadic`]: a finite f64 as the exact dyadic rational m·2^e it
//!   denotes, read from its bits (subnormals and ±0 included).
//! - [`Int`]: a signed integer as sign + magnitude in little-endian u64 limbs (no allocation
//!   per operation on the hot path, unlike `BigInt`), convertible to and from `BigInt`.
//! - [`Acc`]: the multiply-accumulate kernel Σ a_i·b_i that every hot sum of the checker uses
//!   (layer maps, proofs, witnesses). Partial products are added into u128 columns with
//!   deferred carries; positive and negative terms go to separate columns and are subtracted
//!   once at the end, so the result is the exact integer sum.
//! - [`cmp_scaled`]: the exact comparison of A·2^a with B·2^b.

use num_bigint::{BigInt, BigUint, Sign};
use std::cmp::Ordering;

/// Decomposes a finite f64 into (m, e) with x = m·2^e exactly and m odd (or m = 0, e = 0 for
/// ±0). Returns `None` for ±∞ and NaN.
///
/// Bits: sign s, biased exponent E (11 bits), fraction F (52 bits). Normal (0 < E < 2047):
/// x = (−1)^s (2^52 + F)·2^{E−1075}; subnormal (E = 0): x = (−1)^s F·2^{−1074}. Trailing zero
/// bits of the mantissa are moved into the exponent, so |m| < 2^53 and −1074 ≤ e ≤ 971.
pub fn decompose(x: f64) -> Option<(i64, i32)> {
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1u64 << 52) - 1);
    if biased == 0x7ff {
        return None;
    }
    let (mut m, mut e) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1u64 << 52), biased - 1075)
    };
    if m == 0 {
        return Some((0, 0));
    }
    let tz = m.trailing_zeros();
    m >>= tz;
    e += tz as i32;
    // m < 2^53 fits i64
    let m = m as i64;
    Some((if bits >> 63 == 1 { -m } else { m }, e))
}

/// A finite f64 as the exact dyadic rational it denotes: (m, e) with x = m·2^e, m odd or 0
/// (`None` for ±∞ and NaN). Read from the bits, subnormals and ±0 included.
pub fn f64_to_dyadic(x: f64) -> Option<(BigInt, i32)> {
    decompose(x).map(|(m, e)| (BigInt::from(m), e))
}

/// The smallest exponent of the non-zero entries m·2^e (`None` when all are zero): the shared
/// exponent E of a vector stored as integers m_i·2^{e_i−E}.
pub fn min_exponent(parts: impl IntoIterator<Item = (i64, i64)>) -> Option<i64> {
    parts
        .into_iter()
        .filter(|&(m, _)| m != 0)
        .map(|(_, e)| e)
        .min()
}

/// m·2^e as an integer in units of 2^base (e ≥ base): m·2^{e−base}.
pub fn scaled(m: i64, e: i64, base: i64) -> Int {
    if m == 0 {
        return Int::zero();
    }
    debug_assert!(e >= base);
    Int::shifted(m, (e - base) as u64)
}

/// An exact signed integer: sign and magnitude in little-endian u64 limbs.
/// Invariant: no top zero limb; zero has an empty magnitude and is not negative.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Int {
    neg: bool,
    mag: Vec<u64>,
}

/// A borrowed [`Int`] (or a negated one), the operand type of [`Acc`].
#[derive(Clone, Copy, Debug)]
pub struct IntRef<'a> {
    neg: bool,
    mag: &'a [u64],
}

impl IntRef<'_> {
    /// The same magnitude with the opposite sign.
    pub fn negated(self) -> Self {
        IntRef {
            neg: !self.neg,
            mag: self.mag,
        }
    }
}

impl Int {
    /// 0.
    pub fn zero() -> Int {
        Int::default()
    }

    /// From a sign and a magnitude (top zero limbs removed).
    pub fn from_parts(neg: bool, mut mag: Vec<u64>) -> Int {
        while mag.last() == Some(&0) {
            mag.pop();
        }
        let neg = neg && !mag.is_empty();
        Int { neg, mag }
    }

    /// m·2^shift.
    pub fn shifted(m: i64, shift: u64) -> Int {
        let mag = m.unsigned_abs();
        if mag == 0 {
            return Int::zero();
        }
        let words = (shift / 64) as usize;
        let bits = (shift % 64) as u32;
        let mut limbs = vec![0u64; words];
        limbs.push(mag << bits);
        if bits > 0 {
            limbs.push(mag >> (64 - bits));
        }
        Int::from_parts(m < 0, limbs)
    }

    /// 2^shift.
    pub fn pow2(shift: u64) -> Int {
        Int::shifted(1, shift)
    }

    /// From a `BigInt`.
    pub fn from_bigint(b: &BigInt) -> Int {
        Int::from_parts(
            b.sign() == Sign::Minus,
            b.magnitude().iter_u64_digits().collect(),
        )
    }

    /// To a `BigInt`.
    pub fn to_bigint(&self) -> BigInt {
        let mut digits = Vec::with_capacity(self.mag.len() * 2);
        for &limb in &self.mag {
            digits.push(limb as u32);
            digits.push((limb >> 32) as u32);
        }
        let sign = if self.neg { Sign::Minus } else { Sign::Plus };
        BigInt::from_biguint(sign, BigUint::new(digits))
    }

    /// The borrowed view.
    pub fn view(&self) -> IntRef<'_> {
        IntRef {
            neg: self.neg,
            mag: &self.mag,
        }
    }

    /// The borrowed view of −self when `negate`, of self otherwise.
    pub fn view_signed(&self, negate: bool) -> IntRef<'_> {
        IntRef {
            neg: self.neg != negate,
            mag: &self.mag,
        }
    }

    pub fn is_zero(&self) -> bool {
        self.mag.is_empty()
    }

    /// The sign as an ordering against 0.
    pub fn signum(&self) -> Ordering {
        match (self.is_zero(), self.neg) {
            (true, _) => Ordering::Equal,
            (false, true) => Ordering::Less,
            (false, false) => Ordering::Greater,
        }
    }
}

/// A·2^a compared with B·2^b, exactly (the operand with the larger exponent is shifted left by
/// the difference).
pub fn cmp_scaled(a: &BigInt, ea: i64, b: &BigInt, eb: i64) -> Ordering {
    if ea >= eb {
        (a << ((ea - eb) as u64)).cmp(b)
    } else {
        a.cmp(&(b << ((eb - ea) as u64)))
    }
}

/// A finite f64 approximation of m·2^e, for messages only (never for a decision).
pub fn approx(m: &BigInt, e: i64) -> f64 {
    let bits = m.bits() as i64;
    let drop = (bits - 64).max(0);
    let top = m >> (drop as u64);
    let mut v = num_traits::ToPrimitive::to_f64(&top).unwrap_or(0.0);
    let mut exp = e + drop;
    // scale by 2^exp in steps that cannot overflow an i32 or skip past the f64 range
    while exp != 0 && v != 0.0 && v.is_finite() {
        let step = exp.clamp(-1000, 1000);
        v *= 2f64.powi(step as i32);
        exp -= step;
    }
    v
}

/// Additions of values < 2^64 a u128 column can take after a normalization without
/// overflowing (kept well below 2^64 for margin).
const MAX_LOAD: u64 = 1 << 62;

/// Σ a_i·b_i, exact: u128 columns for the positive and the negative terms.
///
/// Each product of limbs x·y < 2^128 is split into its low and high 64 bits, added into columns
/// i+t and i+t+1 (the high part is carried into the next add of the row, so a column takes at
/// most two additions < 2^64 per row of the outer operand). `load` bounds the additions since
/// the last normalization; before it could overflow a column, carries are propagated.
#[derive(Clone, Debug, Default)]
pub struct Acc {
    pos: Vec<u128>,
    neg: Vec<u128>,
    /// Columns in use (both vectors have at least this length).
    used: usize,
    load: u64,
    /// The settled sum's limbs.
    out: Vec<u64>,
}

impl Acc {
    pub fn new() -> Acc {
        Acc::default()
    }

    /// Back to 0.
    pub fn clear(&mut self) {
        self.pos[..self.used].fill(0);
        self.neg[..self.used].fill(0);
        self.used = 0;
        self.load = 0;
    }

    fn reserve(&mut self, columns: usize) {
        if self.pos.len() < columns {
            self.pos.resize(columns, 0);
            self.neg.resize(columns, 0);
        }
        self.used = self.used.max(columns);
    }

    /// Adds a·b.
    #[inline]
    pub fn add_mul(&mut self, a: IntRef<'_>, b: IntRef<'_>) {
        if a.mag.is_empty() || b.mag.is_empty() {
            return;
        }
        // the shorter operand outside: fewer rows, longer inner loops
        let (outer, inner) = if a.mag.len() <= b.mag.len() {
            (a.mag, b.mag)
        } else {
            (b.mag, a.mag)
        };
        let rows = outer.len() as u64;
        if self.load + 2 * rows >= MAX_LOAD {
            self.normalize();
        }
        self.load += 2 * rows;
        self.reserve(outer.len() + inner.len() + 1);
        let columns = if a.neg != b.neg {
            &mut self.neg
        } else {
            &mut self.pos
        };
        for (i, &x) in outer.iter().enumerate() {
            if x == 0 {
                continue;
            }
            let x = u128::from(x);
            let dst = &mut columns[i..i + inner.len() + 1];
            let mut high: u128 = 0;
            for (d, &y) in dst.iter_mut().zip(inner) {
                let p = x * u128::from(y);
                *d += u128::from(p as u64) + high;
                high = p >> 64;
            }
            dst[inner.len()] += high;
        }
    }

    /// Adds a.
    pub fn add(&mut self, a: IntRef<'_>) {
        self.add_mul(
            a,
            IntRef {
                neg: false,
                mag: &[1],
            },
        );
    }

    /// Propagates carries: every column < 2^64 afterwards (the columns grow when needed).
    fn normalize(&mut self) {
        let used = self.used;
        let mut top = used;
        for columns in [&mut self.pos, &mut self.neg] {
            let mut carry: u128 = 0;
            for c in columns[..used].iter_mut() {
                let v = *c + carry;
                *c = u128::from(v as u64);
                carry = v >> 64;
            }
            // the columns from `used` on are zero: the carry goes there
            let mut at = used;
            while carry != 0 {
                if columns.len() <= at {
                    columns.push(0);
                }
                columns[at] = u128::from(carry as u64);
                carry >>= 64;
                at += 1;
            }
            top = top.max(at);
        }
        let longest = self.pos.len().max(self.neg.len());
        self.pos.resize(longest, 0);
        self.neg.resize(longest, 0);
        self.used = top;
        self.load = 1;
    }

    /// Writes |Σ| to `out` (top zero limbs possible) and returns whether Σ < 0: one pass over
    /// the columns, pos_i − neg_i plus a signed carry. The columns are < 2^126 (at most
    /// [`MAX_LOAD`] additions < 2^64 since a normalization), so every step fits an i128 and the
    /// carry c stays in [−2^63, 2^63). The limbs L and the final carry give Σ = L + c·2^{64u}; for
    /// c < 0 the magnitude is (2^{64u} − L) + (−c − 1)·2^{64u}.
    fn settle(&mut self) -> bool {
        self.out.clear();
        let mut carry: i128 = 0;
        for (&p, &q) in self.pos[..self.used].iter().zip(&self.neg[..self.used]) {
            let v = p as i128 - q as i128 + carry;
            self.out.push(v as u64);
            carry = v >> 64;
        }
        if carry >= 0 {
            self.out.push(carry as u64);
            return false;
        }
        // two's complement of L, with the carry out of the + 1
        let mut plus = 1u64;
        for x in self.out.iter_mut() {
            let (y, o) = (!*x).overflowing_add(plus);
            *x = y;
            plus = u64::from(o);
        }
        self.out.push((-(carry + 1)) as u64 + plus);
        true
    }

    /// The sign of the sum (the accumulator keeps its value).
    pub fn sign(&mut self) -> Ordering {
        let negative = self.settle();
        if self.out.iter().all(|&x| x == 0) {
            Ordering::Equal
        } else if negative {
            Ordering::Less
        } else {
            Ordering::Greater
        }
    }

    /// The sum as an [`Int`] (the accumulator keeps its value).
    pub fn finish(&mut self) -> Int {
        let mut out = Int::zero();
        self.finish_into(&mut out);
        out
    }

    /// The sum written into `out`, reusing its allocation.
    pub fn finish_into(&mut self, out: &mut Int) {
        let negative = self.settle();
        let mut top = self.out.len();
        while top > 0 && self.out[top - 1] == 0 {
            top -= 1;
        }
        out.mag.clear();
        out.mag.extend_from_slice(&self.out[..top]);
        out.neg = negative && top > 0;
    }
}

/// Significant bits kept by [`round_quotient`].
pub const QUOTIENT_BITS: u64 = 64;

/// n/d (d ≠ 0) rounded up (`up`) or down to a dyadic m·2^f with |m| ≥ 2^63: at least
/// [`QUOTIENT_BITS`] significant bits (exactly 0 for n = 0). With f = bits(n) − bits(d) − 64,
/// |n/d|·2^{−f} ≥ 2^{bits(n)−1−bits(d)−f} = 2^63, so rounding to an integer keeps |m| ≥ 2^63;
/// its grid 2^f is no coarser than that of any dyadic of 64 (or fewer) significant bits near
/// n/d, so the rounded value is at least as tight as any of theirs.
pub fn round_quotient(n: &BigInt, d: &BigInt, up: bool) -> (BigInt, i64) {
    use num_integer::Integer;
    use num_traits::Zero;
    if n.is_zero() {
        return (BigInt::zero(), 0);
    }
    let f = n.bits() as i64 - d.bits() as i64 - QUOTIENT_BITS as i64;
    let (num, den) = if f <= 0 {
        (n << ((-f) as u64), d.clone())
    } else {
        (n.clone(), d << (f as u64))
    };
    let m = if up {
        num.div_ceil(&den)
    } else {
        num.div_floor(&den)
    };
    (m, f)
}

/// m·2^e with the trailing zero bits of m moved into e (m = 0 keeps e).
pub fn trim(m: BigInt, e: i64) -> (BigInt, i64) {
    match m.trailing_zeros() {
        Some(tz) if tz > 0 => (m >> tz, e + tz as i64),
        _ => (m, e),
    }
}

//! Exact dyadic rationals m·2^e for the bound checker, and the network's hidden layers as
//! integers.
//!
//! Every f64 of the model and of the certificate is the dyadic it denotes ([`decompose`]);
//! sums, products and comparisons of dyadics are exact. The heavy sums (a layer's weights times
//! a vector of multipliers) go through the integer kernel [`Acc`] with one exponent per vector.

use super::super::num::{approx, cmp_scaled, decompose, min_exponent, scaled, Acc, Int};
use super::super::Fault;
use crate::network::Network;
use num_bigint::BigInt;
use num_traits::{Signed, Zero};
use std::cmp::Ordering;

/// The exact value m·2^e.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dy {
    pub m: BigInt,
    pub e: i64,
}

impl Dy {
    pub fn zero() -> Dy {
        Dy::default()
    }

    /// A finite f64 exactly; None for ±∞ and NaN.
    pub fn from_f64(x: f64) -> Option<Dy> {
        decompose(x).map(|(m, e)| Dy {
            m: BigInt::from(m),
            e: i64::from(e),
        })
    }

    /// An integer of the kernel at exponent e.
    pub fn from_int(i: &Int, e: i64) -> Dy {
        Dy {
            m: i.to_bigint(),
            e,
        }
    }

    pub fn is_zero(&self) -> bool {
        self.m.is_zero()
    }

    /// The sign as an ordering against 0.
    pub fn sign(&self) -> Ordering {
        self.m.sign().cmp(&num_bigint::Sign::NoSign)
    }

    pub fn neg(&self) -> Dy {
        Dy {
            m: -&self.m,
            e: self.e,
        }
    }

    pub fn abs(&self) -> Dy {
        Dy {
            m: self.m.abs(),
            e: self.e,
        }
    }

    /// self + o, at the smaller exponent.
    pub fn add(&self, o: &Dy) -> Dy {
        if o.is_zero() {
            return self.clone();
        }
        if self.is_zero() {
            return o.clone();
        }
        let e = self.e.min(o.e);
        Dy {
            m: (&self.m << ((self.e - e) as u64)) + (&o.m << ((o.e - e) as u64)),
            e,
        }
    }

    pub fn sub(&self, o: &Dy) -> Dy {
        self.add(&o.neg())
    }

    pub fn mul(&self, o: &Dy) -> Dy {
        if self.is_zero() || o.is_zero() {
            return Dy::zero();
        }
        Dy {
            m: &self.m * &o.m,
            e: self.e + o.e,
        }
    }

    /// The exact comparison.
    pub fn cmp(&self, o: &Dy) -> Ordering {
        cmp_scaled(&self.m, self.e, &o.m, o.e)
    }

    /// max(self, 0).
    pub fn relu(&self) -> Dy {
        if self.sign() == Ordering::Less {
            Dy::zero()
        } else {
            self.clone()
        }
    }

    pub fn max(self, o: Dy) -> Dy {
        if self.cmp(&o) == Ordering::Less {
            o
        } else {
            self
        }
    }

    /// A finite f64 approximation, for messages only.
    pub fn approx(&self) -> f64 {
        if self.is_zero() {
            0.0
        } else {
            approx(&self.m, self.e)
        }
    }
}

/// Σ terms, exactly.
pub fn sum<'a>(terms: impl IntoIterator<Item = &'a Dy>) -> Dy {
    let mut total = Dy::zero();
    for t in terms {
        total = total.add(t);
    }
    total
}

/// Dyadics as kernel integers at one shared exponent (the smallest of the non-zero ones).
pub fn to_ints(v: &[Dy]) -> (Vec<Int>, i64) {
    let e = v
        .iter()
        .filter(|d| !d.is_zero())
        .map(|d| d.e)
        .min()
        .unwrap_or(0);
    let ints = v
        .iter()
        .map(|d| {
            if d.is_zero() {
                Int::zero()
            } else {
                Int::from_bigint(&(&d.m << ((d.e - e) as u64)))
            }
        })
        .collect();
    (ints, e)
}

/// One hidden layer exactly: weights as integers at one exponent, biases as dyadics.
#[derive(Clone, Debug)]
pub struct ExactLayer {
    /// By rows, units × inputs, the stored entries (column, w) with columns increasing:
    /// W_ij = w·2^ew, zero where not stored.
    w: Vec<Vec<(usize, Int)>>,
    inputs: usize,
    pub ew: i64,
    pub b: Vec<Dy>,
    zero: Int,
}

impl ExactLayer {
    pub fn units(&self) -> usize {
        self.w.len()
    }

    /// The layer's inputs (columns of W).
    pub fn inputs(&self) -> usize {
        self.inputs
    }

    /// W_ij's integer (at exponent `ew`).
    pub fn int(&self, i: usize, j: usize) -> &Int {
        let row = &self.w[i];
        match row.binary_search_by_key(&j, |(c, _)| *c) {
            Ok(k) => &row[k].1,
            Err(_) => &self.zero,
        }
    }

    /// W_ij as a dyadic.
    pub fn weight(&self, i: usize, j: usize) -> Dy {
        Dy::from_int(self.int(i, j), self.ew)
    }

    /// Σ_v y_v W_vj for every input j, over the units v of `y` (sparse, exact): the product of
    /// the transposed weights with a vector of multipliers.
    pub fn transposed_times(&self, y: &[(usize, Dy)], acc: &mut Acc) -> Vec<Dy> {
        let inputs = self.inputs;
        if y.is_empty() {
            return vec![Dy::zero(); inputs];
        }
        let values: Vec<Dy> = y.iter().map(|(_, d)| d.clone()).collect();
        let (ints, ey) = to_ints(&values);
        // the terms of each column j: (y_v, W_vj) over the rows storing column j
        let mut columns: Vec<Vec<(&Int, &Int)>> = vec![Vec::new(); inputs];
        for ((v, _), yv) in y.iter().zip(&ints) {
            for (j, w) in &self.w[*v] {
                columns[*j].push((yv, w));
            }
        }
        columns
            .iter()
            .map(|terms| {
                acc.clear();
                for (yv, w) in terms {
                    acc.add_mul(yv.view(), w.view());
                }
                Dy::from_int(&acc.finish(), ey + self.ew)
            })
            .collect()
    }
}

/// The hidden layers of `net`, exactly. Errors (unreadable) on a non-finite weight or bias.
pub fn exact_layers(net: &Network) -> Result<Vec<ExactLayer>, Fault> {
    net.hidden_layers()
        .iter()
        .enumerate()
        .map(|(l, layer)| {
            let bad = |what: &str, v: f64| {
                Fault::unreadable(format!(
                    "the model's hidden layer {} has a non-finite {what} {v}",
                    l + 1
                ))
            };
            let parts: Vec<Vec<(usize, (i64, i64))>> = (0..layer.weight.nrows())
                .map(|r| {
                    layer
                        .weight
                        .row(r)
                        .filter(|&(_, v)| v != 0.0)
                        .map(|(c, v)| {
                            decompose(v)
                                .map(|(m, e)| (c, (m, i64::from(e))))
                                .ok_or_else(|| bad("weight", v))
                        })
                        .collect::<Result<Vec<_>, _>>()
                })
                .collect::<Result<_, _>>()?;
            let ew = min_exponent(parts.iter().flatten().map(|&(_, x)| x)).unwrap_or(0);
            let w = parts
                .iter()
                .map(|row| {
                    row.iter()
                        .map(|&(c, (m, e))| (c, scaled(m, e, ew)))
                        .collect()
                })
                .collect();
            let b = layer
                .bias
                .iter()
                .map(|&v| Dy::from_f64(v).ok_or_else(|| bad("bias", v)))
                .collect::<Result<_, _>>()?;
            Ok(ExactLayer {
                w,
                inputs: layer.input_dim(),
                ew,
                b,
                zero: Int::zero(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(x: f64) -> Dy {
        Dy::from_f64(x).unwrap()
    }

    #[test]
    fn dyadic_arithmetic_is_exact() {
        // 0.1 + 0.2 ≠ 0.3 in binary, exactly as the dyadics say
        let s = d(0.1).add(&d(0.2));
        assert_ne!(s.cmp(&d(0.3)), Ordering::Equal);
        assert_eq!(d(0.5).add(&d(0.25)).cmp(&d(0.75)), Ordering::Equal);
        assert_eq!(d(3.0).mul(&d(-0.5)).cmp(&d(-1.5)), Ordering::Equal);
        assert_eq!(d(-2.0).relu(), Dy::zero());
        assert_eq!(d(-2.0).abs().cmp(&d(2.0)), Ordering::Equal);
        assert_eq!(
            sum(&[d(1e300), d(-1e300), d(1e-300)]).cmp(&d(1e-300)),
            Ordering::Equal
        );
        let (ints, e) = to_ints(&[d(0.5), Dy::zero(), d(3.0)]);
        assert_eq!(Dy::from_int(&ints[0], e).cmp(&d(0.5)), Ordering::Equal);
        assert_eq!(Dy::from_int(&ints[2], e).cmp(&d(3.0)), Ordering::Equal);
        assert!(ints[1].is_zero());
    }
}

//! Tied units of a network (the detection; the enumerator's use is `enumerate::copies`, the
//! bounds' `bounds::jset::LayerCounts::tied`): a hidden unit whose sign is another unit's
//! pattern bit (a copy) or its negation (a mirror) by the network's own numbers.
//!
//! A **copy**: a unit of layer l ≥ 1 whose weight row has a single non-zero entry c > 0, at
//! unit i of layer l − 1, and whose bias is exactly 0 (pre-activation c·relu(z_i)).
//! A **mirror**: a unit m whose weight row and bias are exactly −c times those of an earlier
//! unit u of the same layer, c > 0 a power of two (checked entry by entry by scaling the smaller
//! side up, which is exact), u itself neither a copy nor a mirror (pre-activation −c·z_u).
//!
//! The detection is exact on the network it is given; a layer whose numbers were rounded
//! (`Exactness::entry_err` > 0) has no tied units, and a first-layer mirror must also hold for
//! the exact biases when the float ones were rounded from them.

use super::Network;
use crate::dyadic::{binary_exponent, ldexp};
use num_bigint::BigInt;
use num_rational::BigRational;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

/// A unit's tie to an earlier unit: its sign is `source`'s pattern bit (`same_sign`, a copy) or
/// its negation (a mirror).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Tie {
    /// The flat index of the unit it is tied to (layer l − 1 for a copy, earlier in the same
    /// layer for a mirror).
    pub source: usize,
    /// true for a copy (same sign), false for a mirror (opposite sign).
    pub same_sign: bool,
}

/// What makes the network's numbers exact: per hidden layer the error of its entries (0 when
/// exact), and the exact first-layer biases when the float ones were rounded from them.
pub(crate) struct Exactness<'a> {
    pub entry_err: &'a [f64],
    pub first_bias: Option<&'a [BigRational]>,
}

/// Per hidden unit (flat: hidden layers input side first, units in order), its tie, if it is a
/// copy or a mirror unit.
pub(crate) fn tie_sources(net: &Network, exact: &Exactness) -> Vec<Option<Tie>> {
    let mut out: Vec<Option<Tie>> = Vec::with_capacity(net.num_hidden_units());
    let mut previous_start = 0;
    for (l, layer) in net.hidden_layers().iter().enumerate() {
        let start = out.len();
        let exact_layer = exact.entry_err.get(l).is_some_and(|&e| e == 0.0);
        // first unit (not itself tied) of each hash of a normalized row, by its leading sign
        let mut sources: HashMap<(u64, bool), Vec<usize>> = HashMap::new();
        // a row and its bias (as column usize::MAX), the non-zero entries only
        let entries = |u: usize| {
            let bias = (usize::MAX, layer.bias[u]);
            layer.weight.row(u).chain([bias]).filter(|&(_, v)| v != 0.0)
        };
        let (mut row, mut other) = (Vec::new(), Vec::new());
        for u in 0..layer.output_dim() {
            let copy = (exact_layer && l > 0 && layer.bias[u] == 0.0)
                .then(|| single_positive_entry(entries(u)))
                .flatten();
            if let Some(i) = copy {
                out.push(Some(Tie {
                    source: previous_start + i,
                    same_sign: true,
                }));
                continue;
            }
            let Some((key, positive)) = exact_layer.then(|| row_key(entries(u))).flatten() else {
                out.push(None);
                continue;
            };
            // the rows are gathered only for a candidate (rare): hashing reads them in place
            let mirror = sources.get(&(key, !positive)).and_then(|cands| {
                row.clear();
                row.extend(entries(u));
                cands.iter().copied().find(|&v| {
                    other.clear();
                    other.extend(entries(v));
                    negative_multiple(&row, &other).is_some_and(|s| {
                        l > 0 || exact.first_bias.is_none_or(|b| exact_first(b, u, v, s))
                    })
                })
            });
            match mirror {
                Some(v) => out.push(Some(Tie {
                    source: start + v,
                    same_sign: false,
                })),
                None => {
                    sources.entry((key, positive)).or_default().push(u);
                    out.push(None);
                }
            }
        }
        previous_start = start;
    }
    out
}

/// Per hidden layer, per unit: whether it is tied (a copy or a mirror of the network as given,
/// whose numbers are exact), for the bounds: a tied unit never splits a region of the units
/// before it (`bounds::jset::LayerCounts::tied`).
pub(crate) fn tied_units(net: &Network) -> Vec<Vec<bool>> {
    let widths = net.hidden_widths();
    let exact = vec![0.0; widths.len()];
    let ties = tie_sources(
        net,
        &Exactness {
            entry_err: &exact,
            first_bias: None,
        },
    );
    let mut out = Vec::with_capacity(widths.len());
    let mut start = 0;
    for w in widths {
        out.push(ties[start..start + w].iter().map(Option::is_some).collect());
        start += w;
    }
    out
}

/// A hash of the row's first [`KEY_ENTRIES`] non-zero entries (the bias last, as column
/// `usize::MAX`), their values divided by the power of two of the first one and by its sign, and
/// that sign (true: positive). `None` for a zero row, or a non-finite entry among them. Rows that
/// are positive power-of-two multiples of each other have the same key and sign; negative
/// multiples the same key and opposite signs. Only a candidate: [`negative_multiple`] compares
/// whole rows.
fn row_key(row: impl IntoIterator<Item = (usize, f64)>) -> Option<(u64, bool)> {
    let mut row = row.into_iter().take(KEY_ENTRIES).peekable();
    let &(_, lead) = row.peek()?;
    if !lead.is_finite() {
        return None;
    }
    let (e, positive) = (binary_exponent(lead), lead > 0.0);
    let mut h = DefaultHasher::new();
    for (c, v) in row {
        if !v.is_finite() {
            return None;
        }
        let n = ldexp(v, -e);
        // +0 and −0 hash alike
        let n = if positive { n } else { -n } + 0.0;
        c.hash(&mut h);
        n.to_bits().hash(&mut h);
    }
    Some((h.finish(), positive))
}

/// The non-zero entries [`row_key`] hashes (a few: a dense row of 784 weights is not read whole
/// for a key).
const KEY_ENTRIES: usize = 8;

/// The exponent s when (row_m, bias_m) = −2^s (row_u, bias_u) exactly, else `None` (also for a
/// zero row); each row given by its non-zero entries as in [`row_key`]. Each comparison scales
/// the smaller side up, which is exact.
fn negative_multiple(m: &[(usize, f64)], u: &[(usize, f64)]) -> Option<i32> {
    if m.len() != u.len() {
        return None;
    }
    let (&(_, lm), &(_, lu)) = (m.first()?, u.first()?);
    if !(lm.is_finite() && lu.is_finite() && (lm > 0.0) != (lu > 0.0)) {
        return None;
    }
    let s = binary_exponent(lm) - binary_exponent(lu);
    m.iter()
        .zip(u)
        .all(|(&(ca, a), &(cb, b))| {
            ca == cb
                && a.is_finite()
                && b.is_finite()
                && if s >= 0 {
                    ldexp(b, s) == -a
                } else {
                    ldexp(a, -s) == -b
                }
        })
        .then_some(s)
}

/// Whether the exact first-layer biases satisfy b_m = −2^s b_u.
fn exact_first(bias: &[BigRational], m: usize, u: usize, s: i32) -> bool {
    match (bias.get(m), bias.get(u)) {
        (Some(bm), Some(bu)) => {
            let one = BigInt::from(1);
            let c = if s >= 0 {
                BigRational::from_integer(one << s as usize)
            } else {
                BigRational::new(BigInt::from(1), one << (-s) as usize)
            };
            *bm == -(bu * c)
        }
        _ => false,
    }
}

/// The column of the only non-zero entry of `row` (its non-zero entries, the bias as column
/// `usize::MAX`) when there is exactly one, it is a weight and it is > 0.
fn single_positive_entry(row: impl IntoIterator<Item = (usize, f64)>) -> Option<usize> {
    let mut row = row.into_iter();
    match (row.next(), row.next()) {
        (Some((c, v)), None) if c != usize::MAX && v > 0.0 && v.is_finite() => Some(c),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{negative_multiple, single_positive_entry, tie_sources, Exactness, Tie};
    use crate::network::{Layer, Network};
    use ndarray::{array, Array1};

    /// A row and its bias as the helpers take them: the non-zero entries, the bias last.
    fn nz(row: Array1<f64>, bias: f64) -> Vec<(usize, f64)> {
        row.iter()
            .copied()
            .enumerate()
            .chain([(usize::MAX, bias)])
            .filter(|&(_, v)| v != 0.0)
            .collect()
    }

    #[test]
    fn negative_power_of_two_multiples_make_a_mirror() {
        let u = array![0.5, -3.0, 0.0];
        let nm = |m: Array1<f64>, bm: f64| negative_multiple(&nz(m, bm), &nz(u.clone(), 0.25));
        assert_eq!(nm(array![-0.5, 3.0, 0.0], -0.25), Some(0));
        assert_eq!(nm(array![-2.0, 12.0, 0.0], -1.0), Some(2));
        assert_eq!(nm(array![-0.125, 0.75, 0.0], -0.0625), Some(-2));
        assert_eq!(nm(array![-0.5, 3.0, 0.0], -0.25000000000000006), None);
        assert_eq!(nm(array![0.5, -3.0, 0.0], 0.25), None);
        assert_eq!(nm(array![-0.75, 4.5, 0.0], -0.375), None);
        assert_eq!(nm(array![-0.5, 3.0, 1e-300], -0.25), None);
        let zero = array![0.0, 0.0];
        assert_eq!(
            negative_multiple(&nz(zero.clone(), 0.0), &nz(zero, 0.0)),
            None
        );
    }

    #[test]
    fn ties_of_a_leaky_layer_and_its_copies() {
        // layer 1: u0, u1, −u0, 2·u0 (a duplicate, not tied), −0.5·u1; layer 2: a copy of unit 1
        // and its mirror (which is no mirror: its source is a copy), and a plain unit
        let first = Layer::new(
            array![
                [1.0, -2.0],
                [0.5, 0.25],
                [-1.0, 2.0],
                [2.0, -4.0],
                [-0.25, -0.125]
            ],
            array![0.5, -1.0, -0.5, 1.0, 0.5],
        );
        let second = Layer::new(
            array![
                [0.0, 3.0, 0.0, 0.0, 0.0],
                [0.0, -3.0, 0.0, 0.0, 0.0],
                [1.0, 1.0, 1.0, 1.0, 1.0]
            ],
            array![0.0, 0.0, 0.5],
        );
        let out = Layer::new(array![[1.0, 1.0, 1.0]], array![0.0]);
        let net = Network::new(vec![first, second, out]).unwrap();
        let ties = tie_sources(
            &net,
            &Exactness {
                entry_err: &[0.0, 0.0],
                first_bias: None,
            },
        );
        let mirror = |source| {
            Some(Tie {
                source,
                same_sign: false,
            })
        };
        let copy = Some(Tie {
            source: 1,
            same_sign: true,
        });
        assert_eq!(
            ties,
            vec![None, None, mirror(0), None, mirror(1), copy, None, None]
        );
        // an inexact layer has no ties
        let ties = tie_sources(
            &net,
            &Exactness {
                entry_err: &[1e-300, 1e-300],
                first_bias: None,
            },
        );
        assert!(ties.iter().all(Option::is_none));
    }

    #[test]
    fn only_one_positive_entry_makes_a_copy() {
        assert_eq!(
            single_positive_entry(nz(array![0.0, 1.0, 0.0], 0.0)),
            Some(1)
        );
        assert_eq!(
            single_positive_entry(nz(array![0.0, 0.5, 0.0], 0.0)),
            Some(1)
        );
        assert_eq!(single_positive_entry(nz(array![0.0, -1.0, 0.0], 0.0)), None);
        assert_eq!(single_positive_entry(nz(array![1.0, 1.0, 0.0], 0.0)), None);
        assert_eq!(single_positive_entry(nz(array![0.0, 0.0], 0.0)), None);
        assert_eq!(single_positive_entry(nz(array![0.0, 0.0], 1.0)), None);
        assert_eq!(single_positive_entry(nz(array![f64::NAN, 0.0], 0.0)), None);
    }
}

//! Copy units: a hidden unit of layer l ≥ 1 whose weight row has a single non-zero entry c > 0,
//! at unit i of layer l − 1, and whose bias is exactly 0. Its pre-activation is c·relu(z_i), so
//! it is active (> 0) exactly where unit i is: its sign is unit i's pattern bit, with no geometric
//! decision. This is exact on the network as given (a statement about the real-valued function:
//! c > 0, and relu(z_i) > 0 ⟺ z_i > 0), so it needs no tolerance.
//!
//! Such units carry a post-ReLU tensor through a later ReLU layer unchanged (relu(h) = h for
//! h ≥ 0): the chain form of a skip connection, or of MaxPool's max(a, b) = b + relu(a − b).
//! Decided geometrically, their empty side lies on a band as thin as the rounding error, which
//! floating point cannot call empty: before this shortcut each went to the exact fallback
//! (two-moons with its 16 first-layer outputs carried through: 3,511 fallback calls and 8.5 s
//! against 1.9 ms at radius 2).

use crate::network::Network;

/// Per hidden unit (flat: hidden layers input side first, units in order), the flat index of the
/// unit it copies, if it is a copy unit. Positive power-of-two rescaling of rows and units (unit
/// coordinates) keeps a copy a copy.
pub(super) fn copy_sources(net: &Network) -> Vec<Option<usize>> {
    let mut out = Vec::with_capacity(net.num_hidden_units());
    let mut previous_start = 0;
    for (l, layer) in net.hidden_layers().iter().enumerate() {
        let start = out.len();
        for u in 0..layer.output_dim() {
            let copy = (l > 0 && layer.bias[u] == 0.0)
                .then(|| single_positive_entry(layer.weight.row(u)))
                .flatten();
            out.push(copy.map(|i| previous_start + i));
        }
        previous_start = start;
    }
    out
}

/// Whether unit `k` (flat) of `pattern` is a copy unit whose sign is its source's, so that its
/// sign needs no other proof.
pub(super) fn is_settled_copy(copy_of: &[Option<usize>], pattern: &[bool], k: usize) -> bool {
    match copy_of.get(k).copied().flatten() {
        Some(s) => pattern.get(s).is_some() && pattern.get(s) == pattern.get(k),
        None => false,
    }
}

/// The index of the only non-zero entry of `row` when there is exactly one and it is > 0.
fn single_positive_entry(row: ndarray::ArrayView1<f64>) -> Option<usize> {
    let mut found = None;
    for (i, &v) in row.iter().enumerate() {
        if v != 0.0 {
            if found.is_some() || !(v > 0.0 && v.is_finite()) {
                return None;
            }
            found = Some(i);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::single_positive_entry;
    use ndarray::array;

    #[test]
    fn only_one_positive_entry_makes_a_copy() {
        assert_eq!(single_positive_entry(array![0.0, 1.0, 0.0].view()), Some(1));
        assert_eq!(single_positive_entry(array![0.0, 0.5, 0.0].view()), Some(1));
        assert_eq!(single_positive_entry(array![0.0, -1.0, 0.0].view()), None);
        assert_eq!(single_positive_entry(array![1.0, 1.0, 0.0].view()), None);
        assert_eq!(single_positive_entry(array![0.0, 0.0].view()), None);
        assert_eq!(single_positive_entry(array![f64::NAN, 0.0].view()), None);
    }
}

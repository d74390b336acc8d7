//! Tied units: hidden units whose sign is another unit's pattern bit (or its negation) by the
//! network's own numbers, with no geometric decision. Both are exact statements about the
//! real-valued function, so they need no tolerance.
//!
//! **Copy units**: a hidden unit of layer l ≥ 1 whose weight row has a single non-zero entry
//! c > 0, at unit i of layer l − 1, and whose bias is exactly 0. Its pre-activation is
//! c·relu(z_i), so it is active (> 0) exactly where unit i is: its sign is unit i's pattern bit
//! (relu(z_i) > 0 ⟺ z_i > 0).
//!
//! Such units carry a post-ReLU tensor through a later ReLU layer unchanged (relu(h) = h for
//! h ≥ 0): the chain form of a skip connection, or of MaxPool's max(a, b) = b + relu(a − b).
//! Decided geometrically, their empty side lies on a band as thin as the rounding error, which
//! floating point cannot call empty: before this shortcut each went to the exact fallback
//! (two-moons with its 16 first-layer outputs carried through: 3,511 fallback calls and 8.5 s
//! against 1.9 ms at radius 2).
//!
//! **Mirror units**: a hidden unit m of layer l whose weight row and bias are exactly −c times
//! those of an earlier unit u of the same layer (c > 0 a power of two; u itself neither a copy
//! nor a mirror). Its pre-activation is z_m = −c·z_u, so wherever z_u ≠ 0 it is active exactly
//! where u is inactive: its sign is the negation of u's bit. This is the form of LeakyReLU and
//! PReLU, leaky(z) = relu(z) − α·relu(−z): the pair (u, m) carries z_u through ReLUs. Where
//! z_u = 0 both are off; that set has no interior unless z_u is the constant 0 on the node,
//! which the search and the witness check exclude (`Tie::same_sign` false is only taken where
//! u's sign is strictly proven, or u's map is provably not the constant 0).
//!
//! The detection is `crate::network::ties`. Positive power-of-two rescaling of rows and units
//! (unit coordinates) keeps a copy a copy and a mirror a mirror. The detection is exact on the
//! network it is given; a layer whose numbers
//! were rounded by that rescaling (an underflow, `entry_err` > 0) has no tied units, and a
//! first-layer mirror must also hold for the exact biases b' = W c + b before their rounding.

pub(crate) use crate::network::ties::{tie_sources, Exactness, Tie};

/// Whether unit `k` (flat) of `pattern` is a tied unit whose claimed sign is the one its tie
/// gives: its source's bit for a copy, the negation for a mirror. For a mirror this proves its
/// sign only where the source's sign is strictly proven (the caller's part).
pub(super) fn is_settled_tie(ties: &[Option<Tie>], pattern: &[bool], k: usize) -> bool {
    match ties.get(k).copied().flatten() {
        Some(t) => match (pattern.get(t.source), pattern.get(k)) {
            (Some(&s), Some(&b)) => (s == b) == t.same_sign,
            _ => false,
        },
        None => false,
    }
}

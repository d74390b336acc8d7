//! The network in exact integers, and the pre-activation maps of the hidden layers on the
//! current node of the tree.
//!
//! Layer l's map on a node is M_l with h_l(x) = 2^{E_l}·M_l·(x, 1): one integer row
//! (a_j | β_j) per unit and one exponent E_l per layer, which does not depend on the pattern:
//!
//! - M_1 = (W_1·2^{e(W_1)−E_1} | b_1·2^{e(b_1)−E_1}), E_1 = min(e(W_1), e(b_1));
//! - M_{l+1} = W'_{l+1} diag(p_l) M_l + (0 | b'_{l+1}), with E_{l+1} = min(e(W_{l+1}) + E_l,
//!   e(b_{l+1})), W' = W_{l+1}'s integers · 2^{e(W_{l+1}) + E_l − E_{l+1}} and
//!   b' = b_{l+1}'s integers · 2^{e(b_{l+1}) − E_{l+1}},
//!
//! where e(·) is the smallest exponent of a matrix's non-zero entries (m·2^e, m odd). A layer's
//! map is computed when the walk enters the layer and kept while the node stays below that
//! entry: layer l's map depends only on the bits of layers < l.

use super::num::{decompose, min_exponent, scaled, Acc, Int};
use super::Fault;
use crate::network::{Layer, Network};

/// One hidden layer after the first, in integers: W' (rows × previous width) by its non-zero
/// entries (column, value), columns increasing, and b'.
#[derive(Clone, Debug)]
struct Step {
    w: Vec<Vec<(usize, Int)>>,
    b: Vec<Int>,
}

impl Step {
    /// W'[r][k] (zero when not stored).
    fn entry(&self, r: usize, k: usize) -> Option<&Int> {
        let row = &self.w[r];
        row.binary_search_by_key(&k, |(c, _)| *c)
            .ok()
            .map(|i| &row[i].1)
    }
}

/// The hidden layers of the network as integers with the exponents E_l.
#[derive(Clone, Debug)]
pub struct ExactNet {
    /// Inputs n.
    pub n: usize,
    /// offsets[l] is the first unit of hidden layer l (0-based); offsets[L] = N.
    pub offsets: Vec<usize>,
    /// E_l, the exponent of layer l's map.
    pub exps: Vec<i64>,
    /// M_1's rows.
    first: Vec<Vec<Int>>,
    /// steps[l − 1] maps layer l − 1's map to layer l's.
    steps: Vec<Step>,
}

/// A weight or bias as (m, e): m·2^e exactly.
type Exact = (i64, i64);

/// A layer's weights exactly, by rows of (column, (m, e)): every entry the layer stores (all of
/// a dense row, the non-zero ones of a sparse row).
type ExactRows = Vec<Vec<(usize, Exact)>>;

/// The exact (m, e) of every stored entry of a layer's weights, and of its biases.
fn exact_layer(layer: &Layer, index: usize) -> Result<(ExactRows, Vec<Exact>), Fault> {
    let bad = |what: &str, v: f64| {
        Fault::unreadable(format!(
            "the model's layer {index} has a non-finite {what} {v}"
        ))
    };
    let exact = |v: f64, what: &str| {
        decompose(v)
            .map(|(m, e)| (m, i64::from(e)))
            .ok_or_else(|| bad(what, v))
    };
    let w = (0..layer.weight.nrows())
        .map(|r| {
            layer
                .weight
                .row(r)
                .map(|(c, v)| Ok((c, exact(v, "weight")?)))
                .collect()
        })
        .collect::<Result<ExactRows, _>>()?;
    let b = layer
        .bias
        .iter()
        .map(|&v| exact(v, "bias"))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((w, b))
}

impl ExactNet {
    /// Converts the hidden layers of `net` (the output layer is not needed).
    pub fn new(net: &Network) -> Result<ExactNet, Fault> {
        let hidden = net.hidden_layers();
        let mut offsets = vec![0];
        let mut exps: Vec<i64> = Vec::with_capacity(hidden.len());
        let mut first = Vec::new();
        let mut steps = Vec::new();
        for (l, layer) in hidden.iter().enumerate() {
            offsets.push(offsets[l] + layer.output_dim());
            let (w, b) = exact_layer(layer, l)?;
            let e_w = min_exponent(w.iter().flatten().map(|&(_, x)| x));
            let e_b = min_exponent(b.iter().copied());
            let prev = exps.last().copied().unwrap_or(0);
            // E_1 = min(e(W_1), e(b_1)); E_{l+1} = min(e(W) + E_l, e(b))
            let via_w = e_w.map(|e| e + prev);
            let e = match (via_w, e_b) {
                (Some(a), Some(b)) => a.min(b),
                (Some(a), None) => a,
                (None, Some(b)) => b,
                (None, None) => prev,
            };
            exps.push(e);
            let b_int: Vec<Int> = b.iter().map(|&(m, x)| scaled(m, x, e)).collect();
            if l == 0 {
                let n = layer.input_dim();
                first = w
                    .iter()
                    .zip(b_int)
                    .map(|(row, bias)| {
                        let mut r: Vec<Int> = vec![Int::zero(); n];
                        for &(c, (m, x)) in row {
                            r[c] = scaled(m, x, e);
                        }
                        r.push(bias);
                        r
                    })
                    .collect();
            } else {
                let w_int = w
                    .iter()
                    .map(|row| {
                        row.iter()
                            .filter(|(_, (m, _))| *m != 0)
                            .map(|&(c, (m, x))| (c, scaled(m, x + prev, e)))
                            .collect()
                    })
                    .collect();
                steps.push(Step { w: w_int, b: b_int });
            }
        }
        Ok(ExactNet {
            n: net.input_dim(),
            offsets,
            exps,
            first,
            steps,
        })
    }

    /// N, the number of hidden units.
    pub fn units(&self) -> usize {
        self.offsets[self.offsets.len() - 1]
    }

    /// The unit u < N copies, if it is a copy: in a hidden layer l ≥ 1, its exact weight row has
    /// a single non-zero entry, positive, on unit i of layer l − 1, and its bias is 0 (then its
    /// pre-activation is c·relu(h_i), c > 0: on exactly where unit i is). Returns i's index < N.
    pub fn copy_source(&self, u: usize) -> Option<usize> {
        let (layer, row) = self.locate(u);
        let step = self.steps.get(layer.checked_sub(1)?)?;
        if !step.b.get(row)?.is_zero() {
            return None;
        }
        let mut nonzero = step.w.get(row)?.iter().filter(|(_, v)| !v.is_zero());
        let (i, v) = nonzero.next()?;
        (nonzero.next().is_none() && v.signum() == std::cmp::Ordering::Greater)
            .then(|| self.offsets[layer - 1] + *i)
    }

    /// Whether unit m < N mirrors unit u: u lies earlier in the same hidden layer and m's exact
    /// weight row and bias are −c times u's, c > 0 (checked by cross-multiplication, so exactly;
    /// the enumerator writes it only for a power of two c), u's not all zero. Then
    /// h_m = −c·h_u on every node, and m is on exactly where u is off, except where h_u = 0.
    pub fn mirrors(&self, m: usize, u: usize) -> bool {
        use num_traits::Signed;
        let ((lm, rm), (lu, ru)) = (self.locate(m), self.locate(u));
        if lm != lu || ru >= rm || m >= self.units() {
            return false;
        }
        // a row and its bias as (column, value) over its non-zero entries (the bias last)
        let row = |r: usize| -> Option<Vec<(usize, num_bigint::BigInt)>> {
            let ints: Vec<(usize, &Int)> = match lm.checked_sub(1) {
                None => self.first.get(r)?.iter().enumerate().collect(),
                Some(s) => {
                    let step = self.steps.get(s)?;
                    let bias = (usize::MAX, step.b.get(r)?);
                    step.w
                        .get(r)?
                        .iter()
                        .map(|(c, v)| (*c, v))
                        .chain([bias])
                        .collect()
                }
            };
            Some(
                ints.into_iter()
                    .filter(|(_, v)| !v.is_zero())
                    .map(|(c, v)| (c, v.to_bigint()))
                    .collect(),
            )
        };
        let (Some(a), Some(b)) = (row(rm), row(ru)) else {
            return false;
        };
        // u's row is not all zero; its first non-zero entry fixes c = −a_k / b_k
        let (Some((_, ak)), Some((_, bk))) = (a.first(), b.first()) else {
            return false;
        };
        if a.len() != b.len() || ak.sign() == bk.sign() {
            return false;
        }
        let (ak, bk) = (ak.abs(), bk.abs());
        // the same non-zero columns, and a_i = −(|a_k| / |b_k|) b_i on each
        a.iter()
            .zip(&b)
            .all(|((ca, ai), (cb, bi))| ca == cb && ai * &bk == -(bi * &ak))
    }

    /// (layer, index in the layer) of unit `u` < N.
    pub fn locate(&self, u: usize) -> (usize, usize) {
        // the last offset ≤ u
        let layer = self.offsets.partition_point(|&o| o <= u) - 1;
        (layer, u - self.offsets[layer])
    }
}

/// One hidden layer's map, kept after the walk leaves the layer so that the next entry made
/// from the same map of the layer below is an update instead of a recomputation.
#[derive(Clone, Debug, Default)]
struct Slot {
    rows: Vec<Vec<Int>>,
    /// A number that changes whenever `rows` changes.
    version: u64,
    /// The version of the layer below that `rows` was made from, and its bits.
    source: u64,
    bits: Vec<bool>,
}

/// The maps of the layers entered on the current node: `slots[..live]`.
///
/// Entering layer l with bits p of layer l − 1: when the slot still holds M_l for the same map
/// M_{l−1} and bits p⁰, M_l is updated by the units whose bit changed,
/// M_l += Σ_{k: p_k ≠ p⁰_k} ±W'[·][k]·M_{l−1}[k] (+ when k turned on), if that is fewer
/// products than the full W' diag(p) M_{l−1} (consecutive entries of a depth-first walk mostly
/// differ in a bit or two).
#[derive(Debug, Default)]
pub struct Maps {
    slots: Vec<Slot>,
    live: usize,
    versions: u64,
    acc: Acc,
}

impl Maps {
    /// The root: layer 1's map, which no bit changes.
    pub fn new(net: &ExactNet) -> Maps {
        Maps {
            slots: vec![Slot {
                rows: net.first.clone(),
                ..Slot::default()
            }],
            live: 1,
            versions: 0,
            acc: Acc::new(),
        }
    }

    /// Number of layers with a map on the current node.
    pub fn depth(&self) -> usize {
        self.live
    }

    /// Keeps the maps of the first `layers` ≥ 1 layers (backtracking to a node in layer
    /// `layers − 1`); the others stay as caches.
    pub fn truncate(&mut self, layers: usize) {
        self.live = self.live.min(layers.max(1));
    }

    /// Enters layer l = depth() with the bits `prev_bits` of layer l − 1.
    pub fn enter(&mut self, net: &ExactNet, prev_bits: &[bool]) {
        let l = self.live;
        if self.slots.len() == l {
            self.slots.push(Slot::default());
        }
        self.versions += 1;
        let (below, here) = self.slots.split_at_mut(l);
        let (prev, slot) = (&below[l - 1], &mut here[0]);
        let step = &net.steps[l - 1];
        let changed: Vec<usize> =
            if slot.source == prev.version && slot.bits.len() == prev_bits.len() {
                (0..prev_bits.len())
                    .filter(|&k| slot.bits[k] != prev_bits[k])
                    .collect()
            } else {
                Vec::new()
            };
        let on = prev_bits.iter().filter(|&&b| b).count();
        let fresh = slot.source != prev.version || slot.bits.len() != prev_bits.len();
        if fresh || changed.len() + 1 >= on {
            slot.rows = (0..step.w.len())
                .map(|r| full_row(net, step, r, &prev.rows, prev_bits, &mut self.acc))
                .collect();
        } else {
            for (r, row) in slot.rows.iter_mut().enumerate() {
                update_row(
                    net,
                    step,
                    r,
                    row,
                    &prev.rows,
                    prev_bits,
                    &changed,
                    &mut self.acc,
                );
            }
        }
        slot.source = prev.version;
        slot.version = self.versions;
        slot.bits.clear();
        slot.bits.extend_from_slice(prev_bits);
        self.live = l + 1;
    }

    /// Row r (a_r | β_r) of layer l's map on the current node.
    pub fn get(&self, l: usize, r: usize) -> Result<&[Int], Fault> {
        self.slots[..self.live]
            .get(l)
            .and_then(|s| s.rows.get(r))
            .map(Vec::as_slice)
            .ok_or_else(|| Fault::internal(format!("row {r} of layer {l} has no map on this node")))
    }
}

/// Row r of M_l (l ≥ 1): Σ_{k on} W'[r][k]·M_{l−1}[k] + (0 | b'[r]).
fn full_row(
    net: &ExactNet,
    step: &Step,
    r: usize,
    prev: &[Vec<Int>],
    bits: &[bool],
    acc: &mut Acc,
) -> Vec<Int> {
    let sources: Vec<(&Int, &Vec<Int>)> = step.w[r]
        .iter()
        .filter(|(k, w)| bits[*k] && !w.is_zero())
        .map(|(k, w)| (w, &prev[*k]))
        .collect();
    (0..=net.n)
        .map(|c| {
            acc.clear();
            for (w, row) in &sources {
                acc.add_mul(w.view(), row[c].view());
            }
            if c == net.n {
                acc.add(step.b[r].view());
            }
            acc.finish()
        })
        .collect()
}

/// Row r of M_l updated in place for the units of layer l − 1 whose bit changed:
/// + W'[r][k]·M_{l−1}[k] for a unit turned on, − for a unit turned off.
#[allow(clippy::too_many_arguments)]
fn update_row(
    net: &ExactNet,
    step: &Step,
    r: usize,
    row: &mut [Int],
    prev: &[Vec<Int>],
    bits: &[bool],
    changed: &[usize],
    acc: &mut Acc,
) {
    let terms: Vec<(usize, &Int)> = changed
        .iter()
        .filter_map(|&k| step.entry(r, k).map(|w| (k, w)))
        .filter(|(_, w)| !w.is_zero())
        .collect();
    if terms.is_empty() {
        return;
    }
    for c in 0..=net.n {
        acc.clear();
        acc.add(row[c].view());
        for &(k, w) in &terms {
            let w = w.view();
            let w = if bits[k] { w } else { w.negated() };
            acc.add_mul(w, prev[k][c].view());
        }
        acc.finish_into(&mut row[c]);
    }
}

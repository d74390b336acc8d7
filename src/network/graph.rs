//! Feed-forward ReLU graphs with skip connections (residual blocks, MaxPool written as
//! max(a, b) = b + relu(a − b)), lowered to a chain [`Network`] with copy units.
//!
//! A graph has hidden ReLU layers 0 … L−1 and an affine output. The pre-activation of hidden
//! layer k is affine in the outputs of earlier hidden layers:
//!
//!   z_k = Σ_{(j, W) ∈ terms_k} W h_j + b_k,   h_j = relu(z_j),
//!
//! where layer 0 reads the input x (h_{−1} = x) and the output reads hidden layers too. The
//! lowering carries every h_j that a later layer reads through the ReLU layers in between as
//! **copy units**: rows with a single entry 1 on h_j's unit and bias 0. Since h_j ≥ 0,
//! relu(h_j) = h_j, so the chain computes the same function; a copy is active exactly where its
//! source is, so the chain's activation patterns are in bijection with the graph's and its
//! regions are the graph's. The enumerator takes a copy's sign from its source
//! (`enumerate::copies`, docs/math.md §3.4). The raw input can be negative, so it cannot be
//! carried this way: only layer 0 reads it.

use super::{Layer, Network, SparseRows, Weights};
use crate::error::{Error, Result};
use ndarray::{s, Array1, ArrayView1};
use std::collections::BTreeMap;

/// What a term of a layer reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    /// The network's input x (only hidden layer 0 may read it).
    Input,
    /// The output h_j = relu(z_j) of hidden layer j.
    Hidden(usize),
}

/// One layer of a graph: z = Σ W_t h_{source_t} + b.
#[derive(Clone, Debug, PartialEq)]
pub struct GraphLayer {
    /// (source, W) pairs; W has one row per unit of this layer and one column per value of the
    /// source.
    pub terms: Vec<(Source, Weights)>,
    /// b, one entry per unit.
    pub bias: Array1<f64>,
}

/// A validated feed-forward ReLU graph (see the module doc).
#[derive(Clone, Debug, PartialEq)]
pub struct ReluGraph {
    input_dim: usize,
    hidden: Vec<GraphLayer>,
    output: GraphLayer,
}

impl ReluGraph {
    /// A graph from its hidden layers and its output layer. Errors when there is no hidden
    /// layer, a layer has no term, a term reads a later layer (or its own) or reads the input
    /// after layer 0, a matrix does not fit its source or its layer, or a number is not finite.
    pub fn new(input_dim: usize, hidden: Vec<GraphLayer>, output: GraphLayer) -> Result<Self> {
        if hidden.is_empty() {
            return Err(Error::invalid(
                "a ReLU graph needs at least one hidden layer",
            ));
        }
        let mut widths = Vec::with_capacity(hidden.len());
        for (k, layer) in hidden.iter().chain([&output]).enumerate() {
            let name = if k == hidden.len() {
                "the output layer".to_string()
            } else {
                format!("hidden layer {k}")
            };
            check_layer(layer, &name, k, input_dim, &widths)?;
            widths.push(layer.bias.len());
        }
        Ok(ReluGraph {
            input_dim,
            hidden,
            output,
        })
    }

    /// Input dimension.
    pub fn input_dim(&self) -> usize {
        self.input_dim
    }

    /// The hidden layers' widths.
    pub fn hidden_widths(&self) -> Vec<usize> {
        self.hidden.iter().map(|l| l.bias.len()).collect()
    }

    /// The graph's output at x.
    pub fn forward(&self, x: ArrayView1<f64>) -> Array1<f64> {
        let h = self.hidden_outputs(x);
        pre_activation(&self.output, x, &h)
    }

    /// The activation pattern of the hidden units at x (active: z > 0), layer by layer.
    pub fn activation_pattern(&self, x: ArrayView1<f64>) -> Vec<Vec<bool>> {
        self.hidden_outputs(x)
            .iter()
            .map(|h| h.iter().map(|&v| v > 0.0).collect())
            .collect()
    }

    /// h_0 … h_{L−1} at x.
    fn hidden_outputs(&self, x: ArrayView1<f64>) -> Vec<Array1<f64>> {
        let mut h: Vec<Array1<f64>> = Vec::with_capacity(self.hidden.len());
        for layer in &self.hidden {
            let z = pre_activation(layer, x, &h);
            h.push(z.mapv(|v| v.max(0.0)));
        }
        h
    }

    /// The chain network computing the same function with the same regions: hidden layer k of
    /// the chain holds layer k's units first, then a copy of every unit of an h_j (j < k) that a
    /// layer after k reads (a non-zero weight on it), by increasing j and unit. Hidden unit u of
    /// the graph's layer k is unit u of the chain's layer k.
    pub fn to_chain(&self) -> Result<Network> {
        self.clone().into_chain()
    }

    /// [`Self::to_chain`], moving the weights of layers that need no copies instead of copying
    /// them (a convolution expanded to 23,328 × 784 is 150 MB).
    pub fn into_chain(self) -> Result<Network> {
        let carried = self.carried_units();
        let widths = self.hidden_widths();
        let last_use = self.last_uses();
        let mut layers = Vec::with_capacity(self.hidden.len() + 1);
        let mut before = Layout::default();
        let input_dim = self.input_dim;
        // the layers j < k that a layer after k reads, kept up to date as k grows (a set, not a
        // scan of all earlier layers: a 30,000-layer chain would cost O(L²))
        let mut open: std::collections::BTreeSet<usize> = Default::default();
        for (k, layer) in self.hidden.into_iter().enumerate() {
            if k > 0 && last_use[k - 1] > k {
                open.insert(k - 1);
            }
            open.retain(|&j| last_use[j] > k);
            let copies: Vec<usize> = open.iter().copied().collect();
            let here = Layout::new(k, widths[k], &copies, &carried);
            layers.push(chain_layer(layer, input_dim, &before, &here)?);
            before = here;
        }
        let out_width = self.output.bias.len();
        let mut rows = vec![Vec::new(); out_width];
        add_terms(&mut rows, &self.output, &before)?;
        layers.push(Layer::new(compact(rows, before.width)?, self.output.bias));
        Network::new(layers)
    }

    /// For each hidden layer j, the last layer reading it (L for the output).
    fn last_uses(&self) -> Vec<usize> {
        let mut last = vec![0; self.hidden.len()];
        for (k, layer) in self.hidden.iter().chain([&self.output]).enumerate() {
            for (source, _) in &layer.terms {
                if let Source::Hidden(j) = source {
                    last[*j] = last[*j].max(k);
                }
            }
        }
        last
    }

    /// For each hidden layer j, its units that a layer after j + 1 reads (a non-zero weight):
    /// the units the chain must carry past layer j + 1.
    fn carried_units(&self) -> Vec<Vec<usize>> {
        let mut used = vec![Vec::new(); self.hidden.len()];
        for (k, layer) in self.hidden.iter().chain([&self.output]).enumerate() {
            for (source, w) in &layer.terms {
                if let Source::Hidden(j) = *source {
                    if k >= j + 2 {
                        let read = w.entries().filter(|&(_, _, v)| v != 0.0).map(|(_, u, _)| u);
                        used[j].extend(read);
                    }
                }
            }
        }
        for u in &mut used {
            u.sort_unstable();
            u.dedup();
        }
        used
    }
}

/// The chain's layer for graph layer `layer`: its own rows, then identity rows copying the
/// carried units, reading the chain's previous layer laid out as `before` (the input when
/// `before` is empty). A layer with no copy on either side keeps its weight matrix as it is.
fn chain_layer(
    layer: GraphLayer,
    input_dim: usize,
    before: &Layout,
    here: &Layout,
) -> Result<Layer> {
    let plain = here.width == layer.bias.len()
        && layer.terms.len() == 1
        && match layer.terms[0].0 {
            Source::Input => before.width == 0,
            Source::Hidden(j) => before.width == before.own_width && before.own == j,
        };
    if plain {
        let GraphLayer { mut terms, bias } = layer;
        let (_, weight) = terms.remove(0);
        return Ok(Layer::new(weight, bias));
    }
    let cols = if before.width == 0 {
        input_dim
    } else {
        before.width
    };
    let own = layer.bias.len();
    let mut rows: Vec<Vec<(usize, f64)>> = vec![Vec::new(); here.width];
    let mut bias = Array1::zeros(here.width);
    bias.slice_mut(s![..own]).assign(&layer.bias);
    add_terms(&mut rows, &layer, before)?;
    for (j, block) in &here.copies {
        for (i, &u) in block.units.iter().enumerate() {
            rows[block.offset + i].push((before.column(*j, u)?, 1.0));
        }
    }
    Ok(Layer::new(compact(rows, cols)?, bias))
}

/// The weights with these rows of (column, value) entries: sparse when mostly zeros and large,
/// else dense ([`Weights::compact`]); an error when a dense matrix would be too large.
fn compact(rows: Vec<Vec<(usize, f64)>>, cols: usize) -> Result<Weights> {
    let mut m = SparseRows::with_columns(cols);
    for row in rows {
        m.push_row(row);
    }
    Weights::compact(m).map_err(|e| {
        Error::invalid(format!(
            "lowering the graph to a chain (a layer's units and the copies it carries): {e}"
        ))
    })
}

/// The carried units of one h_j in a chain layer: they sit at `offset`, `offset + 1`, ….
#[derive(Default)]
struct CopyBlock {
    offset: usize,
    units: Vec<usize>,
}

/// The output of one chain layer: graph layer `own`'s units first, then the copies.
#[derive(Default)]
struct Layout {
    own: usize,
    own_width: usize,
    copies: BTreeMap<usize, CopyBlock>,
    width: usize,
}

impl Layout {
    /// Layer k's `own_width` units, then the carried units of each layer in `copies`.
    fn new(k: usize, own_width: usize, copies: &[usize], carried: &[Vec<usize>]) -> Self {
        let mut blocks = BTreeMap::new();
        let mut width = own_width;
        for &j in copies {
            let units = carried[j].clone();
            let n = units.len();
            blocks.insert(
                j,
                CopyBlock {
                    offset: width,
                    units,
                },
            );
            width += n;
        }
        Layout {
            own: k,
            own_width,
            copies: blocks,
            width,
        }
    }

    /// The chain column holding unit u of h_j (an internal error when this layer does not hold
    /// it: [`ReluGraph::carried_units`] carries every unit read later).
    fn column(&self, j: usize, u: usize) -> Result<usize> {
        let found = if j == self.own && self.width > 0 {
            (u < self.own_width).then_some(u)
        } else {
            self.copies
                .get(&j)
                .and_then(|b| b.units.binary_search(&u).ok().map(|i| b.offset + i))
        };
        found.ok_or_else(|| {
            Error::invalid(format!(
                "internal: unit {u} of hidden layer {j} is not carried to the layer reading it"
            ))
        })
    }
}

/// Adds `layer`'s terms into the first rows, each entry at its source unit's column in
/// `before` (the input's columns are 0… when `before` is empty).
fn add_terms(rows: &mut [Vec<(usize, f64)>], layer: &GraphLayer, before: &Layout) -> Result<()> {
    for (source, w) in &layer.terms {
        for (r, u, v) in w.entries() {
            if v != 0.0 {
                let c = match source {
                    Source::Input => u,
                    Source::Hidden(j) => before.column(*j, u)?,
                };
                rows[r].push((c, v));
            }
        }
    }
    Ok(())
}

/// z = Σ W h_source + b, with h_{Input} = x.
fn pre_activation(layer: &GraphLayer, x: ArrayView1<f64>, h: &[Array1<f64>]) -> Array1<f64> {
    let mut z = layer.bias.clone();
    for (source, w) in &layer.terms {
        match source {
            Source::Input => z += &w.dot_view(x),
            Source::Hidden(j) => z += &w.dot(&h[*j]),
        }
    }
    z
}

/// Checks layer `k` (named `name`) against the input dimension and the widths of the layers
/// before it.
fn check_layer(
    layer: &GraphLayer,
    name: &str,
    k: usize,
    input_dim: usize,
    widths: &[usize],
) -> Result<()> {
    let units = layer.bias.len();
    if units == 0 || layer.terms.is_empty() {
        return Err(Error::invalid(format!(
            "{name}: has {units} units and {} terms; expected at least one of each",
            layer.terms.len()
        )));
    }
    for (t, (source, w)) in layer.terms.iter().enumerate() {
        let cols = match *source {
            Source::Input if k == 0 => input_dim,
            Source::Input => return Err(Error::invalid(format!(
                "{name}: term {t} reads the network's input; only hidden layer 0 may (a skip connection from the input cannot be carried through a ReLU, the input can be negative)"
            ))),
            Source::Hidden(j) if j < k => widths[j],
            Source::Hidden(j) => return Err(Error::invalid(format!(
                "{name}: term {t} reads hidden layer {j}; expected a layer before it"
            ))),
        };
        if w.dim() != (units, cols) {
            return Err(Error::invalid(format!(
                "{name}: term {t} has shape {}x{}; expected {units}x{cols} ({units} units, {cols} values read)",
                w.nrows(),
                w.ncols()
            )));
        }
        if let Some((r, c, v)) = w.first_non_finite() {
            return Err(Error::invalid(format!(
                "{name}: term {t}: weight[{r}][{c}] = {v}; expected a finite number"
            )));
        }
    }
    if let Some((i, v)) = layer.bias.indexed_iter().find(|(_, v)| !v.is_finite()) {
        return Err(Error::invalid(format!(
            "{name}: bias[{i}] = {v}; expected a finite number"
        )));
    }
    Ok(())
}

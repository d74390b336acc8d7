//! The feed-forward ReLU network (docs/math.md#11-the-network):
//!
//! f(x) = W_{L+1} σ(W_L … σ(W_1 x + b_1) … + b_L) + b_{L+1},
//!
//! σ = ReLU after every hidden layer, the last layer affine. Weights are stored (out × in), as
//! PyTorch's `nn.Linear` stores them. Only the hidden layers shape the linear regions; a region's
//! closed half-spaces come from its activation pattern ([`Network::region_halfspaces`]).

mod affine;
mod graph;
mod normalization;
mod pattern;
mod region;
pub(crate) mod sparse;
pub(crate) mod ties;
mod weights;

pub use affine::AffineMap;
pub use graph::{GraphLayer, ReluGraph, Source};
pub use normalization::InputNormalization;
pub use pattern::ActivationPattern;
pub use region::{RegionHalfspaces, RowScale, UnitHalfspace};
pub use sparse::SparseRows;
pub use weights::{RowEntries, Weights};

use crate::error::{Error, Result};
use ndarray::{Array1, Array2, ArrayView1};

/// One affine layer `x ↦ W x + b` with `W` of shape (out, in).
#[derive(Clone, Debug, PartialEq)]
pub struct Layer {
    /// W, one row per output unit (as `nn.Linear`'s weight), dense or sparse.
    pub weight: Weights,
    /// b, one entry per output unit.
    pub bias: Array1<f64>,
}

impl Layer {
    /// The layer `x ↦ weight · x + bias` (a dense `Array2` or [`Weights`]); [`Network::new`]
    /// checks that the shapes chain.
    pub fn new(weight: impl Into<Weights>, bias: Array1<f64>) -> Self {
        Layer {
            weight: weight.into(),
            bias,
        }
    }
    /// Inputs of the layer (columns of W).
    pub fn input_dim(&self) -> usize {
        self.weight.ncols()
    }
    /// Outputs of the layer (rows of W).
    pub fn output_dim(&self) -> usize {
        self.weight.nrows()
    }
}

/// A validated ReLU network: at least one hidden layer, consistent shapes, finite values; the
/// first layer stored dense, later layers dense or sparse ([`Weights`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    layers: Vec<Layer>,
    normalization: Option<InputNormalization>,
}

impl Network {
    /// Builds a network from its affine layers (ReLU after every one but the last).
    ///
    /// Errors (as [`Error::Invalid`]) when there is no hidden layer, a layer is empty, the shapes
    /// do not chain, or a weight or bias is not finite. Callers that know the file wrap the message.
    pub fn new(mut layers: Vec<Layer>) -> Result<Self> {
        if layers.len() < 2 {
            return Err(Error::invalid(format!(
                "a ReLU network needs at least one hidden layer and an output layer (2 affine layers), found {}",
                layers.len()
            )));
        }
        for (i, layer) in layers.iter().enumerate() {
            let (rows, cols) = layer.weight.dim();
            if rows == 0 || cols == 0 {
                return Err(Error::invalid(format!(
                    "layer {i}: weight has shape {rows}x{cols}; expected non-empty"
                )));
            }
            if layer.bias.len() != rows {
                return Err(Error::invalid(format!(
                    "layer {i}: bias has {} entries; expected {rows} (one per output of the {rows}x{cols} weight)",
                    layer.bias.len()
                )));
            }
            if i > 0 {
                let prev = layers[i - 1].output_dim();
                if cols != prev {
                    return Err(Error::invalid(format!(
                        "layer {i}: weight takes {cols} inputs; expected {prev} (the outputs of layer {})",
                        i - 1
                    )));
                }
            }
            if let Some((r, c, v)) = layer.weight.first_non_finite() {
                return Err(Error::invalid(format!(
                    "layer {i}: weight[{r}][{c}] = {v}; expected a finite number"
                )));
            }
            let sparse_entries = layer.weight.as_sparse().map(|_| layer.weight.entries());
            if let Some((r, c, _)) = sparse_entries.and_then(|mut e| e.find(|&(_, c, _)| c >= cols))
            {
                return Err(Error::invalid(format!(
                    "layer {i}: weight row {r} has an entry in column {c}; expected columns below {cols}"
                )));
            }
            if let Some((pos, v)) = layer.bias.indexed_iter().find(|(_, v)| !v.is_finite()) {
                return Err(Error::invalid(format!(
                    "layer {i}: bias[{pos}] = {v}; expected a finite number"
                )));
            }
        }
        // sparse rows in canonical form (columns increasing, each once, no stored zero): every
        // reader (binary searches, exact rows, the LP's dense rows) then sees the same matrix
        for layer in layers.iter_mut() {
            if let Weights::Sparse(s) = &layer.weight {
                if !s.is_canonical() {
                    layer.weight = Weights::sparse(s.clone());
                }
            }
        }
        // layer 0 is kept dense: it is the first affine map of every node, a dense matrix
        if let Weights::Sparse(_) = layers[0].weight {
            let dense = layers[0]
                .weight
                .to_dense()
                .map_err(|e| Error::invalid(format!("layer 0 (read densely): {e}")))?;
            layers[0].weight = Weights::Dense(dense);
        }
        Ok(Network {
            layers,
            normalization: None,
        })
    }

    /// Attaches the input normalization of an NNet file (its length must be the input dimension).
    pub fn with_normalization(mut self, normalization: InputNormalization) -> Result<Self> {
        if normalization.dim() != self.input_dim() {
            return Err(Error::invalid(format!(
                "input normalization has {} entries; expected {} (the input dimension)",
                normalization.dim(),
                self.input_dim()
            )));
        }
        self.normalization = Some(normalization);
        Ok(self)
    }

    /// Input normalization (NNet); the weights act on normalized inputs.
    pub fn normalization(&self) -> Option<&InputNormalization> {
        self.normalization.as_ref()
    }

    /// All affine layers, the output layer last.
    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// The hidden layers (every layer followed by a ReLU).
    pub fn hidden_layers(&self) -> &[Layer] {
        &self.layers[..self.layers.len() - 1]
    }

    /// Number of hidden layers L.
    pub fn depth(&self) -> usize {
        self.layers.len() - 1
    }

    /// Input dimension n_0.
    pub fn input_dim(&self) -> usize {
        self.layers[0].input_dim()
    }

    /// Output dimension.
    pub fn output_dim(&self) -> usize {
        self.layers[self.layers.len() - 1].output_dim()
    }

    /// Hidden widths n_1..n_L.
    pub fn hidden_widths(&self) -> Vec<usize> {
        self.hidden_layers().iter().map(Layer::output_dim).collect()
    }

    /// Total number of hidden units n_1 + … + n_L.
    pub fn num_hidden_units(&self) -> usize {
        self.hidden_widths().iter().sum()
    }

    /// The network's output f(x).
    pub fn forward(&self, x: ArrayView1<f64>) -> Array1<f64> {
        let mut h = x.to_owned();
        for (i, layer) in self.layers.iter().enumerate() {
            h = layer.weight.dot(&h) + &layer.bias;
            if i + 1 < self.layers.len() {
                h.mapv_inplace(|v| v.max(0.0));
            }
        }
        h
    }

    /// Pre-activations of every hidden layer at x.
    pub fn hidden_pre_activations(&self, x: ArrayView1<f64>) -> Vec<Array1<f64>> {
        let mut out = Vec::with_capacity(self.depth());
        let mut h = x.to_owned();
        for layer in self.hidden_layers() {
            let z = layer.weight.dot(&h) + &layer.bias;
            h = z.mapv(|v| v.max(0.0));
            out.push(z);
        }
        out
    }

    /// The activation pattern s(x): unit on where its pre-activation is > 0
    /// (docs/math.md#12-pre-activations-and-activation-patterns).
    pub fn activation_pattern(&self, x: ArrayView1<f64>) -> ActivationPattern {
        ActivationPattern::new(
            self.hidden_pre_activations(x)
                .iter()
                .map(|z| z.iter().map(|&v| v > 0.0).collect())
                .collect(),
        )
    }

    /// The smallest |pre-activation| over all hidden units at x: how far (in output units) x is
    /// from flipping a unit. Used to check witnesses with a margin.
    pub fn min_abs_pre_activation(&self, x: ArrayView1<f64>) -> f64 {
        self.hidden_pre_activations(x)
            .iter()
            .flat_map(|z| z.iter().map(|v| v.abs()).collect::<Vec<_>>())
            .fold(f64::INFINITY, f64::min)
    }

    /// Which units (flat, layer by layer, the first `pattern.len()`) have a constant
    /// pre-activation on the region of `pattern`: a unit of layer 1 iff its weight row is zero; a
    /// unit of a later layer iff every non-zero weight into it comes from a unit that is off or
    /// itself constant. Exact: it reads only which weights are zero.
    pub fn locally_constant_units(&self, pattern: &[bool]) -> Vec<bool> {
        let mut constant = Vec::with_capacity(pattern.len());
        let mut start: usize = 0;
        for (l, layer) in self.hidden_layers().iter().enumerate() {
            let width = layer.output_dim();
            let prev = start.saturating_sub(if l == 0 { 0 } else { layer.input_dim() });
            for u in 0..width {
                if constant.len() == pattern.len() {
                    return constant;
                }
                let mut row = layer.weight.row(u);
                let is_constant = if l == 0 {
                    row.all(|(_, w)| w == 0.0)
                } else {
                    row.all(|(k, w)| w == 0.0 || !pattern[prev + k] || constant[prev + k])
                };
                constant.push(is_constant);
            }
            start += width;
        }
        constant
    }

    /// Affine pre-activation map of layer 1 (the first hidden layer): W_1 x + b_1 (dense: an
    /// affine map's matrix is dense).
    pub fn first_layer_map(&self) -> AffineMap {
        AffineMap::new(self.first_weight().clone(), self.layers[0].bias.clone())
    }

    /// W_1, the first layer's weights, always stored dense ([`Network::new`] makes it so).
    pub fn first_weight(&self) -> &Array2<f64> {
        match &self.layers[0].weight {
            Weights::Dense(m) => m,
            // invariant: `Network::new` stores layer 0 dense
            Weights::Sparse(_) => unreachable!("layer 0 is stored dense"),
        }
    }

    /// Affine pre-activation maps of hidden layers 1..=k+1 given the pattern of layers 1..=k
    /// (`prefix.len() = k < L`): on the region with that prefix, layer l's pre-activation is
    /// A_l x + β_l with A_1 = W_1, β_1 = b_1 and
    /// A_{l+1} = W_{l+1} D_l A_l, β_{l+1} = W_{l+1} D_l β_l + b_{l+1}, D_l = diag(pattern of layer l).
    pub fn pre_activation_maps(&self, prefix: &[Vec<bool>]) -> Vec<AffineMap> {
        let k = prefix.len().min(self.depth() - 1);
        let mut maps = Vec::with_capacity(k + 1);
        maps.push(self.first_layer_map());
        for (l, mask) in prefix.iter().take(k).enumerate() {
            let next = maps[l].through_relu_layer(mask, &self.layers[l + 1]);
            maps.push(next);
        }
        maps
    }
}

/// Hidden widths for a one-line message: all of them up to 12 layers, else the first four and
/// the last two with the number of layers (a 10,000-layer net printed 30 KB on one line).
pub fn widths_text(widths: &[usize]) -> String {
    const SHOWN: usize = 12;
    if widths.len() <= SHOWN {
        return format!("{widths:?}");
    }
    let head: Vec<String> = widths[..4].iter().map(usize::to_string).collect();
    let tail: Vec<String> = widths[widths.len() - 2..]
        .iter()
        .map(usize::to_string)
        .collect();
    format!(
        "[{}, …, {}] ({} layers)",
        head.join(", "),
        tail.join(", "),
        widths.len()
    )
}

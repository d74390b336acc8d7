//! The hidden ReLU layers found while reading an ONNX graph, in node order, shared by all its
//! tensors: a `Relu` closes a tensor's affine map ([`TensorMap`]) into the next hidden layer, and
//! tensors read earlier layers by index. At the end the graph's output map closes the
//! [`ReluGraph`], which is lowered to a chain [`Network`] with copy units carrying the skip
//! connections (`network::graph`).

use super::affine::{Linear, TensorMap};
use super::sparse::SparseRows;
use crate::network::{GraphLayer, Network, ReluGraph, Source, Weights};
use ndarray::Array1;

/// The hidden layers read so far.
#[derive(Debug, Default)]
pub(super) struct GraphBuilder {
    hidden: Vec<GraphLayer>,
    /// Width of the network input (None until known).
    input_dim: Option<usize>,
}

/// The network read from a graph, with what the lowering did.
pub(super) struct Lowered {
    pub network: Network,
    /// Units of the chain that copy an earlier layer's output (skip connections).
    pub copies: usize,
    /// Hidden layers no path to the output reads (dropped).
    pub dead_layers: usize,
}

impl GraphBuilder {
    pub fn new(input_dim: Option<usize>) -> Self {
        GraphBuilder {
            hidden: Vec::new(),
            input_dim,
        }
    }

    /// Closes `map` (a tensor of `rows` entries) into a new hidden layer; its index.
    pub fn relu(&mut self, map: TensorMap, rows: usize) -> Result<usize, String> {
        let layer = self.graph_layer(map, rows)?;
        if layer.terms.is_empty() {
            return Err(
                "applies ReLU to a constant; expected a tensor computed from the network input"
                    .into(),
            );
        }
        self.hidden.push(layer);
        Ok(self.hidden.len() - 1)
    }

    /// The network whose output is `output` (a tensor of `rows` entries).
    pub fn finish(mut self, output: TensorMap, rows: usize) -> Result<Lowered, String> {
        if let Some(Source::Hidden(_)) = output.bare() {
            return Err(
                "the output comes from a Relu; expected an affine output layer (Gemm, MatMul + Add or Conv) last"
                    .into(),
            );
        }
        let output = self.graph_layer(output, rows)?;
        let (hidden, output, dead_layers) = without_dead_layers(self.hidden, output);
        let (hidden, output) = by_depth(hidden, output)?;
        if hidden.is_empty() {
            return Err(
                "has no Relu between the input and the output; expected at least one hidden ReLU layer".into(),
            );
        }
        let input_dim = self.input_dim.unwrap_or(0);
        let own_units: usize = hidden.iter().map(|l| l.bias.len()).sum();
        let graph = ReluGraph::new(input_dim, hidden, output).map_err(strip_invalid)?;
        let network = graph.into_chain().map_err(strip_invalid)?;
        Ok(Lowered {
            copies: network.num_hidden_units() - own_units,
            network,
            dead_layers,
        })
    }

    /// The layer t = Σ A_s h_s + a, each A_s dense or sparse ([`Weights::compact`]).
    fn graph_layer(&mut self, map: TensorMap, rows: usize) -> Result<GraphLayer, String> {
        let mut terms = Vec::with_capacity(map.terms.len());
        for (source, linear) in map.terms {
            let known = match source {
                Source::Input => self.input_dim,
                Source::Hidden(j) => Some(self.hidden[j].bias.len()),
            };
            let cols = match (known, &linear) {
                (Some(w), _) => w,
                (None, Linear::Sparse(m)) => m.ncols(),
                (None, Linear::Dense(m)) => m.ncols(),
                (None, Linear::Identity) => rows,
            };
            if source == Source::Input {
                self.input_dim = Some(cols);
            }
            terms.push((source, linear.into_weights(rows, cols)?));
        }
        let bias = map.bias.unwrap_or_else(|| Array1::zeros(rows));
        if bias.len() != rows {
            return Err(format!(
                "has {} shifts for {rows} values (shape mismatch)",
                bias.len()
            ));
        }
        Ok(GraphLayer { terms, bias })
    }
}

/// The hidden layers the output reads, directly or through other layers, renumbered in order;
/// and how many were dropped.
fn without_dead_layers(
    hidden: Vec<GraphLayer>,
    mut output: GraphLayer,
) -> (Vec<GraphLayer>, GraphLayer, usize) {
    let mut live = vec![false; hidden.len()];
    let mark = |layer: &GraphLayer, live: &mut Vec<bool>| {
        for (s, _) in &layer.terms {
            if let Source::Hidden(j) = s {
                live[*j] = true;
            }
        }
    };
    mark(&output, &mut live);
    for j in (0..hidden.len()).rev() {
        if live[j] {
            mark(&hidden[j], &mut live);
        }
    }
    let dead = live.iter().filter(|&&l| !l).count();
    if dead == 0 {
        return (hidden, output, 0);
    }
    let mut index = vec![0; hidden.len()];
    let mut next = 0;
    for (j, &l) in live.iter().enumerate() {
        index[j] = next;
        next += usize::from(l);
    }
    let renumber = |layer: &mut GraphLayer| {
        for (s, _) in &mut layer.terms {
            if let Source::Hidden(j) = s {
                *j = index[*j];
            }
        }
    };
    let mut kept = Vec::with_capacity(next);
    for (mut layer, l) in hidden.into_iter().zip(&live) {
        if *l {
            renumber(&mut layer);
            kept.push(layer);
        }
    }
    renumber(&mut output);
    (kept, output, dead)
}

/// The layers merged by depth: layer j's depth is 0 when it reads only the input, else one more
/// than the deepest hidden layer it reads. Layers of one depth read only shallower ones, so they
/// side by side form one layer (parallel branches, e.g. two convolutions of the input joined by
/// a Concat): the result reads the input in layer 0 only, and carries fewer copies.
fn by_depth(
    hidden: Vec<GraphLayer>,
    output: GraphLayer,
) -> Result<(Vec<GraphLayer>, GraphLayer), String> {
    let mut depth = Vec::with_capacity(hidden.len());
    for layer in &hidden {
        let d = layer
            .terms
            .iter()
            .filter_map(|(s, _)| match s {
                Source::Hidden(j) => Some(depth[*j] + 1),
                Source::Input => None,
            })
            .max()
            .unwrap_or(0);
        depth.push(d);
    }
    let levels = depth.iter().max().map_or(0, |d| d + 1);
    if levels == hidden.len() {
        return Ok((hidden, output)); // already one layer per depth
    }
    // where each old layer's units go: (depth, offset)
    let mut widths = vec![0usize; levels];
    let mut place = Vec::with_capacity(hidden.len());
    for (layer, &d) in hidden.iter().zip(&depth) {
        place.push((d, widths[d]));
        widths[d] += layer.bias.len();
    }
    let merge = |layers: Vec<(usize, GraphLayer)>, rows: usize| -> Result<GraphLayer, String> {
        // per target source: its width and one list of (column, value) per row
        type Rows = Vec<Vec<(usize, f64)>>;
        let mut terms: Vec<(Source, usize, Rows)> = Vec::new();
        let mut bias = Array1::zeros(rows);
        for (offset, layer) in layers {
            let n = layer.bias.len();
            bias.slice_mut(ndarray::s![offset..offset + n])
                .assign(&layer.bias);
            for (s, w) in layer.terms {
                let (target, col0) = match s {
                    Source::Input => (Source::Input, 0),
                    Source::Hidden(j) => (Source::Hidden(place[j].0), place[j].1),
                };
                let cols = match target {
                    Source::Input => w.ncols(),
                    Source::Hidden(d) => widths[d],
                };
                let k = match terms.iter().position(|(t, _, _)| *t == target) {
                    Some(k) => k,
                    None => {
                        terms.push((target, cols, vec![Vec::new(); rows]));
                        terms.len() - 1
                    }
                };
                for (r, c, v) in w.entries().filter(|&(_, _, v)| v != 0.0) {
                    terms[k].2[offset + r].push((col0 + c, v));
                }
            }
        }
        terms.sort_by_key(|(s, _, _)| *s);
        let mut out = Vec::with_capacity(terms.len());
        for (s, cols, entries) in terms {
            let mut m = SparseRows::with_columns(cols);
            for row in entries {
                m.push_row(row);
            }
            out.push((s, Weights::compact(m)?));
        }
        Ok(GraphLayer { terms: out, bias })
    };
    let mut groups: Vec<Vec<(usize, GraphLayer)>> = (0..levels).map(|_| Vec::new()).collect();
    for (j, layer) in hidden.into_iter().enumerate() {
        groups[place[j].0].push((place[j].1, layer));
    }
    let mut merged = Vec::with_capacity(levels);
    for (d, group) in groups.into_iter().enumerate() {
        merged.push(merge(group, widths[d])?);
    }
    let rows = output.bias.len();
    let output = merge(vec![(0, output)], rows)?;
    Ok((merged, output))
}

/// The message of an [`crate::error::Error::Invalid`] without its variant wrapper.
fn strip_invalid(e: crate::error::Error) -> String {
    match e {
        crate::error::Error::Invalid { message } => message,
        other => other.to_string(),
    }
}

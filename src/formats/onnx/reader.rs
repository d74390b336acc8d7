//! Reading a ReLU network from an ONNX graph.
//!
//! The graph is walked once in its (topological) node order. Every tensor gets a symbolic value:
//! a constant, a data path ([`DataPath`]: an affine map of the input and of the hidden ReLU layers
//! found so far, which a [`GraphBuilder`] holds), a head (a value derived from the output after
//! the last affine layer, e.g. Softmax, dropped with a note), or shape metadata (ignored). Tensors
//! computed from the input may be combined (`Add`, `Sub`, `Concat`: residual blocks and
//! branches); `MaxPool`, `LeakyRelu` and `PRelu` are rewritten with ReLUs ([`super::piecewise`]).

use super::attrs;
use super::combine::{combine_step, COMBINE_OPS};
use super::data_path::{checked_product, DataPath};
use super::graph_builder::GraphBuilder;
use super::piecewise::{leaky_relu, max_pool, prelu};
use super::proto::{
    attribute_type, DimensionValue, GraphProto, ModelProto, NodeProto, ValueInfoProto,
};
use super::steps::{cnn_step, CNN_OPS};
use super::tensor::{decode_tensor, finite, ConstTensor};
use crate::error::{Error, Result};
use crate::network::Network;
use ndarray::{Array1, Array2};
use prost::Message;
use std::collections::HashMap;
use std::path::Path;
use std::rc::Rc;

const SUPPORTED: &str =
    "expected Gemm, MatMul, Conv, BatchNormalization, AveragePool, GlobalAveragePool, MaxPool, Pad, Add, Sub \
     (of constants or of computed tensors), Mul or Div by a constant, Concat, Relu, LeakyRelu, PRelu, Flatten, \
     Reshape, Transpose, Squeeze, Unsqueeze, Identity, Dropout, Cast to float, or (after the last affine \
     layer) Softmax, LogSoftmax, ArgMax, ZipMap";

/// Ops that may follow the last affine layer without changing the linear regions (dropped with a note).
const HEAD_OPS: &[&str] = &["Softmax", "LogSoftmax", "ArgMax", "ZipMap"];
/// Ops that may in turn follow a head (scikit-learn's label output: ArgMax → ArrayFeatureExtractor → Reshape → Cast).
const AFTER_HEAD_OPS: &[&str] = &[
    "Softmax",
    "LogSoftmax",
    "ArgMax",
    "ZipMap",
    "Cast",
    "ArrayFeatureExtractor",
    "Reshape",
    "Flatten",
    "Identity",
    "Squeeze",
    "Unsqueeze",
];
/// Ops that compute shapes (e.g. PyTorch's `x.view(x.size(0), -1)`), allowed on shape metadata.
const META_OPS: &[&str] = &[
    "Shape",
    "Gather",
    "Unsqueeze",
    "Squeeze",
    "Concat",
    "Slice",
    "Cast",
    "Identity",
];

#[derive(Clone, Debug)]
enum Value {
    Const(Rc<ConstTensor>),
    Data(Rc<DataPath>),
    /// Derived from the data path's output by a head op; `source` is the path it came from.
    Head(Rc<DataPath>),
    /// Shape metadata (ignored).
    Meta,
}

/// What an op on the data path did.
enum DataStep {
    /// The data path one step further (to be stored under the node's first output).
    Next(DataPath),
    /// The node's outputs are already stored.
    Stored,
}

/// Reads an ONNX model from bytes; `file_label` names the file in error messages and notes.
pub fn read_bytes(bytes: &[u8], file_label: &Path) -> Result<(Network, Vec<String>)> {
    let model = ModelProto::decode(bytes).map_err(|e| {
        Error::format(
            file_label,
            "protobuf",
            format!("cannot decode ({e}); expected a binary ONNX ModelProto"),
        )
    })?;
    let graph = model.graph.as_ref().ok_or_else(|| {
        Error::format(
            file_label,
            "ModelProto.graph",
            "missing; expected a graph (is this an ONNX model file?)",
        )
    })?;
    GraphReader {
        file: file_label,
        values: HashMap::new(),
        uses: use_counts(graph),
        notes: Vec::new(),
        post_head: Vec::new(),
        graph: GraphBuilder::default(),
    }
    .read(graph)
}

struct GraphReader<'a> {
    file: &'a Path,
    values: HashMap<String, Value>,
    /// How many node inputs still read each tensor (graph outputs count once more): a tensor
    /// leaves `values` at its last read, so the data path moves on instead of being copied.
    uses: HashMap<String, usize>,
    notes: Vec<String>,
    /// Nodes that only post-process a dropped head (one note lists them all).
    post_head: Vec<String>,
    /// The hidden ReLU layers found so far.
    graph: GraphBuilder,
}

impl GraphReader<'_> {
    fn read(mut self, graph: &GraphProto) -> Result<(Network, Vec<String>)> {
        for t in &graph.initializer {
            let c = decode_tensor(t)
                .map_err(|m| Error::format(self.file, format!("initializer \"{}\"", t.name), m))?;
            self.values.insert(t.name.clone(), Value::Const(Rc::new(c)));
        }
        // VNN-COMP files list the initializers as graph inputs too: the real input is the other one.
        let inputs: Vec<&ValueInfoProto> = graph
            .input
            .iter()
            .filter(|i| !self.values.contains_key(&i.name))
            .collect();
        let input = match inputs.as_slice() {
            [one] => *one,
            _ => {
                let names: Vec<&str> = inputs.iter().map(|i| i.name.as_str()).collect();
                return Err(Error::format(
                    self.file,
                    "graph inputs",
                    format!(
                        "found {} non-constant inputs {names:?}; expected exactly one (the network input)",
                        names.len()
                    ),
                ));
            }
        };
        let start = DataPath::input(input_shape(input));
        let dim = start.dim;
        self.graph = GraphBuilder::new(dim);
        self.values
            .insert(input.name.clone(), Value::Data(Rc::new(start)));
        for (index, node) in graph.node.iter().enumerate() {
            self.node(index, node)?;
        }
        let path = self.output_path(graph)?;
        self.values.clear();
        let path = Rc::try_unwrap(path).unwrap_or_else(|shared| (*shared).clone());
        let at_output = || format!("graph output \"{}\"", output_names(graph));
        if let Some(op) = path.activation {
            return Err(Error::format(
                self.file,
                at_output(),
                format!(
                    "the output comes from a {op}; expected an affine output layer (Gemm, MatMul + Add or Conv) last \
                     (an activation on the output adds regions of its own)"
                ),
            ));
        }
        let rows = path.dim.ok_or_else(|| {
            Error::format(
                self.file,
                at_output(),
                "has no known width; expected an affine output layer (Gemm, MatMul + Add or Conv) last",
            )
        })?;
        let lowered = std::mem::take(&mut self.graph)
            .finish(path.map, rows)
            .map_err(|m| Error::format(self.file, at_output(), m))?;
        let net = lowered.network;
        if lowered.copies > 0 {
            self.notes.push(format!(
                "{}: skip connections (residual Add, MaxPool, LeakyRelu or PRelu rewritten with ReLUs) are carried \
                 by {} copy units: hidden widths {} (a copy is active exactly where the unit it copies is, so the \
                 regions are the graph's; docs/onnx.md)",
                self.file.display(),
                lowered.copies,
                crate::network::widths_text(&net.hidden_widths())
            ));
        }
        if lowered.dead_layers > 0 {
            self.notes.push(format!(
                "{}: dropped {} ReLU layer(s) that the output does not read",
                self.file.display(),
                lowered.dead_layers
            ));
        }
        if let Some(n0) = dim {
            if net.input_dim() != n0 {
                return Err(Error::format(
                    self.file,
                    format!("graph input \"{}\"", input.name),
                    format!(
                        "has {n0} entries; expected {} (the first layer's inputs)",
                        net.input_dim()
                    ),
                ));
            }
        }
        if !self.post_head.is_empty() {
            self.notes.push(format!(
                "{}: also dropped {} node(s) that only post-process that head: {}",
                self.file.display(),
                self.post_head.len(),
                self.post_head.join(", ")
            ));
        }
        Ok((net, self.notes))
    }

    /// The data path that reaches the graph outputs (directly, or through dropped heads).
    fn output_path(&self, graph: &GraphProto) -> Result<Rc<DataPath>> {
        let mut data: Vec<Rc<DataPath>> = Vec::new();
        let mut heads: Vec<Rc<DataPath>> = Vec::new();
        for o in &graph.output {
            match self.values.get(&o.name) {
                Some(Value::Data(p)) => data.push(p.clone()),
                Some(Value::Head(p)) => heads.push(p.clone()),
                Some(_) => {}
                None => {
                    return Err(Error::format(
                        self.file,
                        format!("graph output \"{}\"", o.name),
                        "is not computed by any node; expected the output of a node",
                    ))
                }
            }
        }
        let candidates = if data.is_empty() { heads } else { data };
        let mut unique: Vec<Rc<DataPath>> = Vec::new();
        for c in candidates {
            if !unique.iter().any(|u| Rc::ptr_eq(u, &c)) {
                unique.push(c);
            }
        }
        match unique.len() {
            1 => Ok(unique.remove(0)),
            n => Err(Error::format(
                self.file,
                format!("graph outputs \"{}\"", output_names(graph)),
                format!(
                    "{n} distinct network outputs; expected exactly one computed from the input"
                ),
            )),
        }
    }

    /// One node: its inputs resolved, then what it computes — a step on the network's data path
    /// ([`Self::data_step`]), a constant, ignored metadata, or an op after the output head — stored
    /// under its outputs.
    fn node(&mut self, index: usize, node: &NodeProto) -> Result<()> {
        let name = if node.name.is_empty() {
            format!("#{index}")
        } else {
            node.name.clone()
        };
        let op = node.op_type.as_str();
        let here = format!("node \"{name}\" (op {op})");
        let file = self.file;
        let err = |msg: String| Error::format(file, here.clone(), msg);
        let mut inputs = self.resolve_inputs(node, &err)?;
        let head_source = inputs.iter().flatten().find_map(|v| match v {
            Value::Head(p) => Some(p.clone()),
            _ => None,
        });
        let mut data: Vec<(usize, Rc<DataPath>)> = Vec::new();
        for (k, v) in inputs.iter_mut().enumerate() {
            if let Some(Value::Data(_)) = v {
                if let Some(Value::Data(p)) = v.take() {
                    data.push((k, p));
                }
            }
        }
        let unsupported = || err(format!("unsupported operator; {SUPPORTED}"));
        let out = if let Some(source) = head_source {
            if !AFTER_HEAD_OPS.contains(&op) {
                return Err(unsupported());
            }
            self.post_head.push(format!("\"{name}\" ({op})"));
            Value::Head(source)
        } else if data.len() > 1 || (op == "Concat" && !data.is_empty()) {
            if !COMBINE_OPS.contains(&op) {
                return Err(err(format!(
                    "combines {} tensors computed from the input; expected Add, Sub or Concat (a product of two \
                     computed tensors is not piecewise linear)",
                    data.len()
                )));
            }
            Value::Data(Rc::new(
                combine_step(node, &constants(&inputs), data).map_err(err)?,
            ))
        } else if let Some((pos, path)) = data.into_iter().next() {
            match self.data_step(node, &here, &inputs, pos, path, &err)? {
                DataStep::Next(p) => Value::Data(Rc::new(p)),
                DataStep::Stored => return Ok(()),
            }
        } else if op == "Constant" {
            Value::Const(Rc::new(constant_node(node).map_err(err)?))
        } else if META_OPS.contains(&op) {
            Value::Meta
        } else if SUPPORTED
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|w| w == op)
        {
            return Err(err(
                "reads only constants; expected a tensor computed from the network input (constant subgraphs \
                 are not folded, except Constant nodes and shape computations)"
                    .into(),
            ));
        } else {
            return Err(unsupported());
        };
        self.store_outputs(node, out);
        Ok(())
    }

    /// The node's inputs by name: `None` for an omitted optional input; an error for a name no
    /// initializer, graph input or earlier node defines.
    fn resolve_inputs(
        &mut self,
        node: &NodeProto,
        err: &dyn Fn(String) -> Error,
    ) -> Result<Vec<Option<Value>>> {
        let mut inputs: Vec<Option<Value>> = Vec::with_capacity(node.input.len());
        for i in &node.input {
            if i.is_empty() {
                inputs.push(None); // an omitted optional input
                continue;
            }
            let last_read = match self.uses.get_mut(i) {
                Some(n) => {
                    *n = n.saturating_sub(1);
                    *n == 0
                }
                None => false,
            };
            let value = if last_read {
                self.values.remove(i)
            } else {
                self.values.get(i).cloned()
            };
            match value {
                Some(v) => inputs.push(Some(v)),
                None => {
                    return Err(err(format!(
                        "input \"{i}\" is missing; expected an initializer, the graph input or an earlier node's output"
                    )))
                }
            }
        }
        Ok(inputs)
    }

    /// An op applied to the network's data path (`path`, the node's input number `pos`): the
    /// path one step further, or [`DataStep::Stored`] when the node's outputs were stored here
    /// (shape metadata; an output head, dropped with a note).
    fn data_step(
        &mut self,
        node: &NodeProto,
        here: &str,
        inputs: &[Option<Value>],
        pos: usize,
        path: Rc<DataPath>,
        err: &dyn Fn(String) -> Error,
    ) -> Result<DataStep> {
        let op = node.op_type.as_str();
        if HEAD_OPS.contains(&op) || op == "Cast" && !is_float_cast(node) {
            self.notes.push(format!(
                "{}: dropped {here} after the last affine layer: it does not change the linear regions; \
                 the network's output is the affine layer before it",
                self.file.display()
            ));
            for o in &node.output {
                self.values.insert(o.clone(), Value::Head(path.clone()));
            }
            return Ok(DataStep::Stored);
        }
        // the only reader of this tensor owns it: no copy (a copy per node made deep graphs quadratic)
        let mut p = Rc::try_unwrap(path).unwrap_or_else(|shared| (*shared).clone());
        match op {
            "Identity" => {}
            "Flatten" => p
                .flatten(attrs::int(node, "axis").unwrap_or(1))
                .map_err(err)?,
            "Reshape" => {
                let target = match inputs.get(1) {
                    Some(Some(Value::Const(t))) => Some(t.as_ref()),
                    _ => None,
                };
                p.reshape(target).map_err(err)?
            }
            "Cast" if is_float_cast(node) => {}
            "Gemm" => gemm_step(node, inputs, pos, &mut p, err)?,
            "MatMul" => {
                if pos != 0 {
                    return Err(err(
                        "the network tensor is the second operand; expected MatMul(x, W)".into(),
                    ));
                }
                matmul(&mut p, const_input(inputs, 1, err)?.as_ref()).map_err(err)?;
            }
            "Add" | "Sub" => shift_step(op, inputs, pos, &mut p, err)?,
            "Mul" | "Div" => scale_step(op, inputs, pos, &mut p, err)?,
            "Relu" => p.relu(&mut self.graph).map_err(err)?,
            "LeakyRelu" => {
                let alpha = attrs::float(node, "alpha").unwrap_or(0.01);
                leaky_relu(&mut p, &mut self.graph, alpha).map_err(err)?
            }
            "PRelu" => {
                if pos != 0 {
                    return Err(err(
                        "the network tensor is the slope; expected PRelu(x, slope)".into(),
                    ));
                }
                prelu(
                    &mut p,
                    &mut self.graph,
                    const_input(inputs, 1, err)?.as_ref(),
                )
                .map_err(err)?
            }
            "MaxPool" => {
                if node.output.get(1).is_some_and(|o| !o.is_empty()) {
                    return Err(err(
                        "has an Indices output; expected only the pooled values (the indices are not piecewise linear)".into(),
                    ));
                }
                max_pool(node, &mut p, &mut self.graph).map_err(err)?;
                self.note_max_pool();
            }
            "Shape" => {
                for o in &node.output {
                    self.values.insert(o.clone(), Value::Meta);
                }
                return Ok(DataStep::Stored);
            }
            _ if CNN_OPS.contains(&op) => {
                cnn_step(node, &constants(inputs), &mut p).map_err(err)?
            }
            _ => return Err(err(format!("unsupported operator; {SUPPORTED}"))),
        }
        Ok(DataStep::Next(p))
    }

    /// Says once per file what a region means after a MaxPool.
    fn note_max_pool(&mut self) {
        let note = format!(
            "{}: MaxPool is rewritten as max(a, b) = b + relu(a − b) over a tree of pairs per window: a region is \
             an activation pattern of the rewritten net (which comparisons hold as well as which ReLUs are active), \
             which can split a linear piece of the network (docs/onnx.md)",
            self.file.display()
        );
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
    }

    /// Stores `out` under the node's first output; further outputs are metadata, or the same
    /// head value after the output head.
    fn store_outputs(&mut self, node: &NodeProto, out: Value) {
        if let Some(first) = node.output.first() {
            self.values.insert(first.clone(), out.clone());
        }
        for o in node.output.iter().skip(1) {
            self.values.insert(
                o.clone(),
                if matches!(out, Value::Head(_)) {
                    out.clone()
                } else {
                    Value::Meta
                },
            );
        }
    }
}

/// Input `k` of a node as a constant tensor, or a failure.
fn const_input(
    inputs: &[Option<Value>],
    k: usize,
    err: &dyn Fn(String) -> Error,
) -> Result<Rc<ConstTensor>> {
    match inputs.get(k) {
        Some(Some(Value::Const(c))) => Ok(c.clone()),
        _ => Err(err(format!(
            "input {k} is not a constant; expected an initializer or a Constant node"
        ))),
    }
}

/// Gemm(x, W, b) on the data path `p` (the network tensor must be input A, 2-D).
fn gemm_step(
    node: &NodeProto,
    inputs: &[Option<Value>],
    pos: usize,
    p: &mut DataPath,
    err: &dyn Fn(String) -> Error,
) -> Result<()> {
    if pos != 0 {
        return Err(err(
            "the network tensor is input B; expected Gemm(x, W, b) with x as input A".into(),
        ));
    }
    if let Some(s) = p.shape.as_ref().filter(|s| s.len() != 2) {
        return Err(err(format!(
            "input A has shape {s:?}; expected a 2-D [batch, features] tensor"
        )));
    }
    let b = const_input(inputs, 1, err)?;
    let c = inputs
        .get(2)
        .and_then(|c| c.as_ref())
        .map(|_| const_input(inputs, 2, err))
        .transpose()?;
    let (w, b) = gemm(node, &b, c).map_err(err)?;
    p.affine(w, b).map_err(err)?;
    Ok(())
}

/// Add or Sub of a constant on the data path `p` (the network tensor is input `pos`): x + c,
/// x − c, or c − x.
fn shift_step(
    op: &str,
    inputs: &[Option<Value>],
    pos: usize,
    p: &mut DataPath,
    err: &dyn Fn(String) -> Error,
) -> Result<()> {
    let c = const_input(inputs, if pos == 0 { 1 } else { 0 }, err)?;
    finite(&c).map_err(err)?;
    let c = p.broadcast(&c).map_err(err)?;
    if op == "Sub" && pos == 1 {
        p.scale(&Array1::from_elem(c.len(), -1.0)); // c − x
        p.shift(&c);
    } else if op == "Sub" {
        p.shift(&-c);
    } else {
        p.shift(&c);
    }
    Ok(())
}

/// Mul or Div by a constant on the data path `p` (the network tensor is input `pos`; a divisor
/// only as x / c, with non-zero c).
fn scale_step(
    op: &str,
    inputs: &[Option<Value>],
    pos: usize,
    p: &mut DataPath,
    err: &dyn Fn(String) -> Error,
) -> Result<()> {
    if op == "Div" && pos != 0 {
        return Err(err(
            "divides a constant by the network tensor; expected x / c".into(),
        ));
    }
    let c = const_input(inputs, if pos == 0 { 1 } else { 0 }, err)?;
    finite(&c).map_err(err)?;
    let c = p.broadcast(&c).map_err(err)?;
    if op == "Div" {
        if c.iter().any(|&v| v == 0.0) {
            return Err(err("divides by 0; expected non-zero divisors".into()));
        }
        p.scale(&c.mapv(|v| 1.0 / v));
    } else {
        p.scale(&c);
    }
    Ok(())
}

/// MatMul(x, W) on the data path: W (inputs × outputs) multiplies the row vector x, so our
/// weight (outputs × inputs) is Wᵀ, with a zero bias.
fn matmul(p: &mut DataPath, w: &ConstTensor) -> std::result::Result<(), String> {
    let (rows, cols) = w.matrix_dims().ok_or_else(|| {
        format!(
            "weight has shape {}; expected a 2-D matrix (inputs × outputs)",
            w.shape_text()
        )
    })?;
    finite(w)?;
    let wt = Array2::from_shape_fn((cols, rows), |(o, i)| w.values[i * cols + o]);
    p.affine(wt, Array1::zeros(cols))
}

/// Gemm's weight (out × in) and bias: Y = alpha · A · op(B) + beta · C, A = the input row.
fn gemm(
    node: &NodeProto,
    b: &ConstTensor,
    c: Option<Rc<ConstTensor>>,
) -> std::result::Result<(Array2<f64>, Array1<f64>), String> {
    let alpha = attrs::float(node, "alpha").unwrap_or(1.0);
    let beta = attrs::float(node, "beta").unwrap_or(1.0);
    if attrs::int(node, "transA").unwrap_or(0) != 0 {
        return Err(
            "transA=1 is not supported; expected transA=0 (the batch along the rows of A)".into(),
        );
    }
    let trans_b = attrs::int(node, "transB").unwrap_or(0) != 0;
    let (r, k) = b
        .matrix_dims()
        .ok_or_else(|| format!("B has shape {}; expected a 2-D matrix", b.shape_text()))?;
    finite(b)?;
    let (out, inp) = if trans_b { (r, k) } else { (k, r) };
    let w = Array2::from_shape_fn((out, inp), |(o, i)| {
        alpha
            * if trans_b {
                b.values[o * k + i]
            } else {
                b.values[i * k + o]
            }
    });
    let bias = match c {
        None => Array1::zeros(out),
        Some(c) => {
            finite(&c)?;
            let non_unit = c.dims.iter().filter(|&&d| d != 1).count();
            if c.values.len() == 1 {
                Array1::from_elem(out, beta * c.values[0])
            } else if c.values.len() == out && non_unit <= 1 {
                Array1::from_iter(c.values.iter().map(|v| beta * v))
            } else {
                return Err(format!(
                    "C has shape {}; expected {out} values (one per output of B) or 1 (shape mismatch)",
                    c.shape_text()
                ));
            }
        }
    };
    Ok((w, bias))
}

/// True for a Cast to FLOAT, DOUBLE or FLOAT16 (a no-op for the region structure).
fn is_float_cast(node: &NodeProto) -> bool {
    matches!(attrs::int(node, "to"), Some(1) | Some(10) | Some(11))
}

/// The tensor of a `Constant` node (`value`, `value_float(s)` or `value_int(s)`).
fn constant_node(node: &NodeProto) -> std::result::Result<ConstTensor, String> {
    let a = node
        .attribute
        .first()
        .ok_or("has no attribute; expected `value`")?;
    match (a.name.as_str(), a.r#type) {
        ("value", _) => decode_tensor(a.t.as_ref().ok_or("attribute `value` holds no tensor")?),
        ("value_float", _) | (_, attribute_type::FLOAT) => Ok(ConstTensor { dims: vec![], values: vec![a.f as f64] }),
        ("value_int", _) | (_, attribute_type::INT) => Ok(ConstTensor { dims: vec![], values: vec![a.i as f64] }),
        ("value_floats", _) => {
            Ok(ConstTensor { dims: vec![a.floats.len()], values: a.floats.iter().map(|&v| v as f64).collect() })
        }
        ("value_ints", _) => {
            Ok(ConstTensor { dims: vec![a.ints.len()], values: a.ints.iter().map(|&v| v as f64).collect() })
        }
        (other, _) => {
            Err(format!("attribute `{other}` is not supported; expected `value`, `value_float(s)` or `value_int(s)`"))
        }
    }
}

/// The input's shape with symbolic or unknown (batch) axes as 1, e.g. [1,1,1,5], [batch, 64] →
/// [1, 64], [1,784,1]; n0 is its product. None without a static shape.
fn input_shape(input: &ValueInfoProto) -> Option<Vec<usize>> {
    let shape = input
        .r#type
        .as_ref()?
        .tensor_type
        .as_ref()?
        .shape
        .as_ref()?;
    let dims: Vec<usize> = shape
        .dim
        .iter()
        .map(|d| match d.value {
            Some(DimensionValue::DimValue(v)) if v > 0 => usize::try_from(v).ok(),
            _ => Some(1),
        })
        .collect::<Option<_>>()?;
    checked_product(&dims).map(|_| dims)
}

fn output_names(graph: &GraphProto) -> String {
    graph
        .output
        .iter()
        .map(|o| o.name.as_str())
        .collect::<Vec<_>>()
        .join("\", \"")
}

/// The node's inputs that are constants (None for the others).
fn constants(inputs: &[Option<Value>]) -> Vec<Option<&ConstTensor>> {
    inputs
        .iter()
        .map(|v| match v {
            Some(Value::Const(c)) => Some(c.as_ref()),
            _ => None,
        })
        .collect()
}

/// How many times each tensor is read: once per node input naming it, once more per graph output.
fn use_counts(graph: &GraphProto) -> HashMap<String, usize> {
    let mut uses: HashMap<String, usize> = HashMap::new();
    let names = graph.node.iter().flat_map(|n| n.input.iter());
    for name in names.chain(graph.output.iter().map(|o| &o.name)) {
        *uses.entry(name.clone()).or_default() += 1;
    }
    uses
}

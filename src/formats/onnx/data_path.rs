//! The data path of an ONNX graph: one tensor computed from the input, as an affine map over
//! the input and the hidden ReLU layers found so far ([`TensorMap`]), with its width and shape.
//!
//! Consecutive affine operations compose: a map x ↦ A x + a followed by x ↦ W x + w becomes
//! x ↦ (W A) x + (W a + w). So a `Sub` of a constant before the first layer folds into it,
//! W (x − s) + b = W x + (b − W s), and affine layers with no ReLU between become one. A `Relu`
//! closes the map into a hidden layer of the [`GraphBuilder`].

use super::affine::{Linear, TensorMap};
use super::graph_builder::GraphBuilder;
use super::sparse::SparseRows;
use super::tensor::ConstTensor;
use crate::network::Source;
use ndarray::{Array1, Array2};

/// One tensor computed from the network input.
#[derive(Clone, Debug)]
pub(super) struct DataPath {
    /// The tensor as an affine map of the input and earlier ReLU outputs.
    pub map: TensorMap,
    /// Width of the current tensor (None while unknown: the input has no static shape).
    pub dim: Option<usize>,
    /// Full shape of the current tensor, batch axes counted as 1 (None while unknown).
    pub shape: Option<Vec<usize>>,
    /// The activation (Relu, LeakyRelu, PRelu, MaxPool) this tensor comes out of with no affine
    /// map since: the network's output must not (an activation there adds regions of its own).
    pub activation: Option<&'static str>,
}

impl DataPath {
    /// The path at the network input (no layer yet).
    pub fn input(shape: Option<Vec<usize>>) -> Self {
        DataPath {
            map: TensorMap::of(Source::Input),
            dim: shape.as_ref().and_then(|s| checked_product(s)),
            shape,
            activation: None,
        }
    }

    /// Replaces the map by `f(map)`: an affine step, after which the tensor no longer comes
    /// straight out of an activation.
    fn map_with(
        &mut self,
        f: impl FnOnce(TensorMap) -> std::result::Result<TensorMap, String>,
    ) -> std::result::Result<(), String> {
        self.map = f(self.take_map())?;
        self.activation = None;
        Ok(())
    }

    /// The map, leaving an empty one in its place.
    fn take_map(&mut self) -> TensorMap {
        std::mem::replace(
            &mut self.map,
            TensorMap {
                terms: Vec::new(),
                bias: None,
            },
        )
    }

    /// Composes x ↦ W x + b onto the map.
    pub fn affine(&mut self, w: Array2<f64>, b: Array1<f64>) -> std::result::Result<(), String> {
        if let Some(d) = self.dim {
            if w.ncols() != d {
                return Err(format!(
                    "weight takes {} inputs; expected {d} (shape mismatch with the tensor it multiplies)",
                    w.ncols()
                ));
            }
        }
        if let Some(s) = &self.shape {
            let (last, rest) = s
                .split_last()
                .ok_or("multiplies a scalar; expected a vector of features")?;
            if *last != w.ncols() || rest.iter().product::<usize>() != 1 {
                return Err(format!(
                    "weight takes {} inputs but the tensor has shape {s:?}; expected one row of {} features \
                     (shape mismatch)",
                    w.ncols(),
                    w.ncols()
                ));
            }
        }
        if let Some(a) = &self.map.bias {
            if a.len() != w.ncols() {
                return Err(format!(
                    "weight takes {} inputs; expected {} (shape mismatch)",
                    w.ncols(),
                    a.len()
                ));
            }
        }
        let rows = w.nrows();
        self.map_with(|m| m.then(Linear::Dense(w), &b))?;
        self.dim = Some(rows);
        if let Some(s) = self.shape.as_mut().and_then(|s| s.last_mut()) {
            *s = rows;
        }
        Ok(())
    }

    /// Composes a sparse operator x ↦ M x + m (a convolution, a pooling, a padding, a transpose)
    /// onto the map; the tensor then has shape `out_shape` (M's rows, row-major).
    pub fn linear_op(
        &mut self,
        m: SparseRows,
        shift: &Array1<f64>,
        out_shape: Vec<usize>,
    ) -> std::result::Result<(), String> {
        let width = self.dim.ok_or(
            "needs the tensor's static shape; expected the graph input to declare its shape",
        )?;
        if m.ncols() != width || m.nrows() != shift.len() {
            return Err(format!(
                "maps {} entries to {}; expected {width} inputs (internal shape mismatch)",
                m.ncols(),
                m.nrows()
            ));
        }
        self.dim = Some(m.nrows());
        self.map_with(|p| p.then(Linear::Sparse(m), shift))?;
        self.shape = Some(out_shape);
        Ok(())
    }

    /// Adds a constant vector: x ↦ x + c on top of the map.
    pub fn shift(&mut self, c: &Array1<f64>) {
        let map = self.take_map();
        self.map = map.shift(c);
        self.activation = None;
    }

    /// Multiplies elementwise by a constant vector: x ↦ diag(c) x on top of the map.
    pub fn scale(&mut self, c: &Array1<f64>) {
        let map = self.take_map();
        self.map = map.scale(c);
        self.activation = None;
    }

    /// Adds another tensor computed from the input, of the same shape.
    pub fn plus(&mut self, other: DataPath) -> std::result::Result<(), String> {
        let (a, b) = (self.dim, other.dim);
        let rows = match (a, b) {
            (Some(a), Some(b)) if a == b => a,
            _ => {
                return Err(format!(
                    "adds tensors of shapes {} and {}; expected equal static shapes (no broadcast between computed tensors)",
                    shape_text(&self.shape, a),
                    shape_text(&other.shape, b)
                ))
            }
        };
        if let (Some(s), Some(t)) = (&self.shape, &other.shape) {
            // equal after leading axes of size 1 (a batch axis) are added to the shorter:
            // anything else broadcasts in ONNX ([1, 3] + [3, 1] is [3, 3])
            let rank = s.len().max(t.len());
            if pad_leading(s, rank) != pad_leading(t, rank) {
                return Err(format!(
                    "adds tensors of shapes {s:?} and {t:?}; expected equal shapes (no broadcast between computed tensors)"
                ));
            }
        }
        self.map_with(|m| m.plus(other.map, rows))
    }

    /// Closes the map into a hidden layer of `graph` followed by a ReLU: the tensor becomes that
    /// layer's output. ReLU(ReLU(x)) = ReLU(x) adds no layer.
    pub fn relu(&mut self, graph: &mut GraphBuilder) -> std::result::Result<(), String> {
        self.close_relu(graph)?;
        self.activation = Some("Relu");
        Ok(())
    }

    fn close_relu(&mut self, graph: &mut GraphBuilder) -> std::result::Result<(), String> {
        match self.map.bare() {
            Some(Source::Hidden(_)) => Ok(()),
            Some(Source::Input) => Err(
                "applies ReLU to the network input; expected an affine layer (Gemm, MatMul or Conv) before it".into(),
            ),
            None => {
                let rows = self
                    .dim
                    .ok_or("needs the tensor's width; expected an affine layer before the ReLU")?;
                let j = graph.relu(self.take_map(), rows)?;
                self.map = TensorMap::of(Source::Hidden(j));
                Ok(())
            }
        }
    }

    /// A constant broadcast (numpy rules) against the current tensor, as one value per entry.
    /// The result must keep the tensor's entries (only leading axes of size 1 may be added):
    /// a constant that would enlarge the tensor is a shape mismatch.
    pub fn broadcast(&mut self, c: &ConstTensor) -> std::result::Result<Array1<f64>, String> {
        let n = c.values.len();
        let Some(shape) = self.shape.clone() else {
            // no static shape: only a single value or one per entry of a vector
            let non_unit = c.dims.iter().filter(|&&d| d != 1).count();
            return match self.dim {
                Some(d) if n == 1 => Ok(Array1::from_elem(d, c.values[0])),
                None if n != 1 && non_unit <= 1 => {
                    self.dim = Some(n);
                    Ok(Array1::from(c.values.clone()))
                }
                _ => Err(format!(
                    "constant of shape {} applied to a tensor of unknown shape; expected the graph input to \
                     declare its shape",
                    c.shape_text()
                )),
            };
        };
        let rank = shape.len().max(c.dims.len());
        let pad = |v: &[usize]| -> Vec<usize> {
            std::iter::repeat_n(1, rank - v.len())
                .chain(v.iter().copied())
                .collect()
        };
        let (s, k) = (pad(&shape), pad(&c.dims));
        let mismatch = || {
            format!(
                "constant of shape {} does not broadcast to the network tensor of shape {shape:?} \
                 (shape mismatch); expected 1 value or the tensor's shape",
                c.shape_text()
            )
        };
        if s.iter().zip(&k).any(|(&a, &b)| a != b && b != 1) {
            return Err(mismatch());
        }
        // row-major strides of the constant, 0 along its broadcast axes
        let mut strides = vec![0usize; rank];
        let mut step = 1;
        for ax in (0..rank).rev() {
            if k[ax] != 1 {
                strides[ax] = step;
            }
            step *= k[ax];
        }
        let total: usize = s.iter().product();
        let mut out = Vec::with_capacity(total);
        let mut idx = vec![0usize; rank];
        for _ in 0..total {
            out.push(
                c.values[idx
                    .iter()
                    .zip(&strides)
                    .map(|(i, st)| i * st)
                    .sum::<usize>()],
            );
            for ax in (0..rank).rev() {
                idx[ax] += 1;
                if idx[ax] < s[ax] {
                    break;
                }
                idx[ax] = 0;
            }
        }
        self.shape = Some(s);
        Ok(Array1::from(out))
    }

    /// Flatten(axis): shape [∏ dims[..axis], ∏ dims[axis..]].
    pub fn flatten(&mut self, axis: i64) -> std::result::Result<(), String> {
        if let Some(s) = &self.shape {
            let rank = s.len() as i64;
            let a = if axis < 0 { axis + rank } else { axis };
            if !(0..=rank).contains(&a) {
                return Err(format!(
                    "axis {axis} is out of range for shape {s:?}; expected -{rank}..={rank}"
                ));
            }
            let (head, tail) = s.split_at(a as usize);
            self.shape = Some(vec![head.iter().product(), tail.iter().product()]);
        }
        Ok(())
    }

    /// Reshape to a constant target (0 copies an axis, -1 takes the rest); a computed target
    /// (PyTorch's `x.view(x.size(0), -1)`) is taken as [batch, features].
    pub fn reshape(&mut self, target: Option<&ConstTensor>) -> std::result::Result<(), String> {
        let Some(d) = self.dim else { return Ok(()) };
        let Some(t) = target else {
            self.shape = Some(vec![1, d]);
            return Ok(());
        };
        let old = self.shape.clone().unwrap_or_else(|| vec![d]);
        let mut new: Vec<Option<usize>> = Vec::with_capacity(t.values.len());
        for (i, &v) in t.values.iter().enumerate() {
            new.push(match v {
                -1.0 => None,
                0.0 => {
                    Some(*old.get(i).ok_or_else(|| {
                        format!("target {:?} copies a missing axis {i}", t.values)
                    })?)
                }
                v if v >= 1.0 && v.fract() == 0.0 => Some(v as usize),
                _ => {
                    return Err(format!(
                        "target shape {:?} has entry {v}; expected sizes, 0 or -1",
                        t.values
                    ))
                }
            });
        }
        let sizes: Vec<usize> = new.iter().flatten().copied().collect();
        let known = checked_product(&sizes)
            .ok_or_else(|| format!("target shape {:?} overflows", t.values))?;
        let free = new.iter().filter(|v| v.is_none()).count();
        let fits = match free {
            0 => known == d,
            1 => known > 0 && d % known == 0,
            _ => false,
        };
        if !fits {
            return Err(format!(
                "reshapes a tensor of {d} entries to {:?}; expected a shape holding {d} entries (shape mismatch)",
                t.values
            ));
        }
        self.shape = Some(
            new.into_iter()
                .map(|v| v.unwrap_or(d / known.max(1)))
                .collect(),
        );
        Ok(())
    }
}

/// A shape for messages: the static shape, else the width.
fn shape_text(shape: &Option<Vec<usize>>, dim: Option<usize>) -> String {
    match (shape, dim) {
        (Some(s), _) => format!("{s:?}"),
        (None, Some(d)) => format!("[{d}]"),
        (None, None) => "unknown".into(),
    }
}

/// The shape with leading axes of size 1 up to `rank` axes.
fn pad_leading(s: &[usize], rank: usize) -> Vec<usize> {
    std::iter::repeat_n(1, rank - s.len())
        .chain(s.iter().copied())
        .collect()
}

/// ∏ v, or None on overflow.
pub(super) fn checked_product(v: &[usize]) -> Option<usize> {
    v.iter().try_fold(1usize, |a, &b| a.checked_mul(b))
}

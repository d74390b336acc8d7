//! The data path of an ONNX graph: the affine layers found so far and the affine map pending on
//! top of the last ReLU, with the current tensor's width and shape.
//!
//! Consecutive affine operations compose: a pending map x ↦ A x + a followed by x ↦ W x + w
//! becomes x ↦ (W A) x + (W a + w). So a `Sub` of a constant before the first layer folds into
//! it, W (x − s) + b = W x + (b − W s), and affine layers with no ReLU between become one.

use super::affine::{Affine, Linear};
use super::layer_chain::LayerChain;
use super::sparse::SparseRows;
use super::tensor::ConstTensor;
use crate::error::{Error, Result};
use crate::network::Layer;
use ndarray::{Array1, Array2};

/// The network computed so far along the data path.
#[derive(Clone, Debug)]
pub(super) struct DataPath {
    /// Affine layers, each followed by a ReLU.
    pub layers: LayerChain,
    /// Affine map on the output of the last ReLU (or the input), not yet closed by a ReLU.
    pub pending: Option<Affine>,
    /// Width of the current tensor (None while unknown: the input has no static shape).
    pub dim: Option<usize>,
    /// Full shape of the current tensor, batch axes counted as 1 (None while unknown).
    pub shape: Option<Vec<usize>>,
}

impl DataPath {
    /// The path at the network input (no layer yet).
    pub fn input(shape: Option<Vec<usize>>) -> Self {
        DataPath {
            layers: LayerChain::default(),
            pending: None,
            dim: shape.as_ref().and_then(|s| checked_product(s)),
            shape,
        }
    }

    /// Composes x ↦ W x + b onto the pending map.
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
        if let Some(p) = &self.pending {
            if p.bias.len() != w.ncols() {
                return Err(format!(
                    "weight takes {} inputs; expected {} (shape mismatch)",
                    w.ncols(),
                    p.bias.len()
                ));
            }
        }
        let rows = w.nrows();
        let pending = self
            .pending
            .take()
            .unwrap_or_else(|| Affine::identity(w.ncols()));
        self.pending = Some(pending.then(Linear::Dense(w), &b)?);
        self.dim = Some(rows);
        if let Some(s) = self.shape.as_mut().and_then(|s| s.last_mut()) {
            *s = rows;
        }
        Ok(())
    }

    /// Composes a sparse operator x ↦ M x + m (a convolution, a pooling, a padding, a transpose)
    /// onto the pending map; the tensor then has shape `out_shape` (M's rows, row-major).
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
        let pending = self
            .pending
            .take()
            .unwrap_or_else(|| Affine::identity(width));
        self.pending = Some(pending.then(Linear::Sparse(m), shift)?);
        self.shape = Some(out_shape);
        Ok(())
    }

    /// Adds a constant vector: x ↦ x + c on top of the pending map.
    pub fn shift(&mut self, c: &Array1<f64>) {
        let p = self
            .pending
            .get_or_insert_with(|| Affine::identity(c.len()));
        p.bias += c;
    }

    /// Multiplies elementwise by a constant vector: x ↦ diag(c) x on top of the pending map.
    pub fn scale(&mut self, c: &Array1<f64>) {
        let p = self
            .pending
            .take()
            .unwrap_or_else(|| Affine::identity(c.len()));
        self.pending = Some(p.scale(c));
    }

    /// Closes the pending map into a layer followed by a ReLU.
    pub fn relu(&mut self) -> std::result::Result<(), String> {
        match self.pending.take() {
            Some(p) => {
                let n = p.bias.len();
                let (matrix, bias) = p.into_dense(n)?;
                self.layers.push(Layer::new(matrix, bias));
                Ok(())
            }
            // ReLU(ReLU(x)) = ReLU(x)
            None if !self.layers.is_empty() => Ok(()),
            None => {
                Err("applies ReLU to the network input; expected an affine layer (Gemm, MatMul or Conv) before it".into())
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

/// The network from the final data path: its layers plus the pending map as output layer.
pub(super) fn finish(path: DataPath) -> Result<Vec<Layer>> {
    match path.pending {
        Some(p) => {
            let n = p.bias.len();
            let (matrix, bias) = p.into_dense(n).map_err(Error::invalid)?;
            let mut layers = path.layers.into_vec();
            layers.push(Layer::new(matrix, bias));
            Ok(layers)
        }
        None => Err(Error::invalid(
            "the output comes from a Relu (or is the input); expected an affine output layer (Gemm, MatMul + Add or Conv) last",
        )),
    }
}

/// ∏ v, or None on overflow.
pub(super) fn checked_product(v: &[usize]) -> Option<usize> {
    v.iter().try_fold(1usize, |a, &b| a.checked_mul(b))
}

//! ONNX network format: the feed-forward ReLU networks that PyTorch (`torch.onnx.export` of an
//! `nn.Sequential`), scikit-learn (skl2onnx) and VNN-COMP (ACAS Xu, MNIST) write.
//!
//! - [`proto`]: the needed subset of `onnx.proto` as prost messages (no protoc).
//! - [`read`] / [`read_bytes`]: Gemm, MatMul + Add, Sub/Add/Mul/Div by constants (folded into
//!   the next affine layer), Flatten, Reshape, Identity, Cast to float, Relu; the convolutional
//!   operators (Conv, BatchNormalization, AveragePool, GlobalAveragePool, Pad, Transpose, Squeeze,
//!   Unsqueeze, Dropout) as sparse affine maps composed and expanded into dense layers; Add, Sub
//!   and Concat of computed tensors (residual blocks, branches) and MaxPool, LeakyRelu, PRelu
//!   written with ReLUs, as a ReLU graph lowered to a chain with copy units (docs/onnx.md);
//!   Softmax / ArgMax / ZipMap heads after the last affine layer are dropped with a note.
//! - [`write`](fn@write) / [`to_bytes`]: the graph PyTorch writes for `nn.Sequential(Linear, ReLU, …, Linear)`.

mod affine;
mod attrs;
mod batch_norm;
mod combine;
mod conv;
mod data_path;
mod graph_builder;
mod layout;
mod piecewise;
mod pool;
pub mod proto;
mod reader;
mod sparse;
mod steps;
mod tensor;
mod window;
mod writer;

pub use reader::read_bytes;
pub use writer::{model, to_bytes};

use crate::error::{Error, Result};
use crate::network::Network;
use std::path::Path;

/// Reads an ONNX model; the notes tell the user what was dropped (e.g. a softmax head).
pub fn read(path: &Path) -> Result<(Network, Vec<String>)> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    read_bytes(&bytes, path)
}

/// Writes the network as PyTorch exports `nn.Sequential(Linear, ReLU, …, Linear)` (see [`to_bytes`]).
///
/// Errors when the network carries an NNet input normalization (ONNX has no place for it and
/// the file would describe a different function of the raw inputs), or when the file cannot be written.
pub fn write(network: &Network, path: &Path) -> Result<()> {
    if network.normalization().is_some() {
        return Err(Error::format(
            path,
            "network",
            "has an NNet input normalization, which ONNX cannot hold; expected a network without one (write JSON instead)",
        ));
    }
    crate::formats::check_dense_writable(network, path, "ONNX (as written here)")?;
    std::fs::write(path, to_bytes(network)).map_err(|e| Error::io(path, e))
}

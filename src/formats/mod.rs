//! Network file formats: our JSON, ONNX (as PyTorch, scikit-learn and VNN-COMP export it) and NNet
//! (ACAS Xu, Marabou). One file per format; [`load_network`] picks the reader by file extension.

pub mod container;
pub mod json;
pub mod nnet;
pub mod onnx;

use crate::error::{Error, Result};
use crate::network::Network;
use std::path::Path;

/// A network file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Our JSON format: the list of layers, each a weight matrix and a bias (`formats::json`).
    Json,
    /// ONNX protobuf: a feed-forward chain of affine and ReLU nodes (`formats::onnx`).
    Onnx,
    /// NNet, the ACAS Xu text format with its input normalization.
    Nnet,
}

impl Format {
    /// The format named by the file's extension (`.json`, `.onnx`, `.nnet`, any case).
    pub fn from_path(path: &Path) -> Result<Format> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("json") => Ok(Format::Json),
            Some("onnx") => Ok(Format::Onnx),
            Some("nnet") => Ok(Format::Nnet),
            _ => Err(Error::format(
                path,
                "file name",
                "unknown network format; expected a file ending in .json, .onnx or .nnet",
            )),
        }
    }

    /// The lowercase name used in reports: `"json"`, `"onnx"` or `"nnet"`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Onnx => "onnx",
            Format::Nnet => "nnet",
        }
    }
}

/// A network read from a file, with notes for the user (e.g. an ONNX softmax head that was dropped).
#[derive(Clone, Debug)]
pub struct LoadedModel {
    /// The network read.
    pub network: Network,
    /// The format it was read as.
    pub format: Format,
    /// Notes for the user, one sentence each, about what the reader changed or dropped.
    pub notes: Vec<String>,
}

/// Reads a network, choosing the reader by extension.
pub fn load_network(path: &Path) -> Result<LoadedModel> {
    let format = Format::from_path(path)?;
    let (network, notes) = match format {
        Format::Json => (json::read(path)?, Vec::new()),
        Format::Nnet => (nnet::read(path)?, Vec::new()),
        Format::Onnx => onnx::read(path)?,
    };
    Ok(LoadedModel {
        network,
        format,
        notes,
    })
}

impl Network {
    /// Reads a network from a file, choosing the reader by extension: `.onnx` (PyTorch,
    /// scikit-learn and VNN-COMP exports), `.nnet` (ACAS Xu) or `.json` (ours). What the reader
    /// dropped or assumed (an output head, a flattening) is in [`load_network`]'s notes.
    ///
    /// ```
    /// use relu_regions::{count, CancelToken, CountOptions, Domain, Network, Norm};
    /// # fn main() -> relu_regions::Result<()> {
    /// let net = Network::load("data/moons-2-16-16-1.json")?;
    /// let ball = Domain::ball(ndarray::array![0.3, -0.2], 0.25, Norm::L2)?;
    /// let stop = CancelToken::new(); // trip it from another thread to stop early
    /// let outcome = count(&net, &ball, &CountOptions::new().threads(2).cancel(stop))?;
    /// assert!(outcome.stop.is_exact() && outcome.lower == outcome.regions);
    /// # Ok(())
    /// # }
    /// ```
    pub fn load(path: impl AsRef<Path>) -> Result<Network> {
        Ok(load_network(path.as_ref())?.network)
    }
}

/// An error naming `path` when some layer of `network` cannot be written out densely (over
/// 2^27 entries): formats that hold dense matrices only (JSON, our ONNX writer) say so.
pub(crate) fn check_dense_writable(network: &Network, path: &Path, format: &str) -> Result<()> {
    match network.layers().iter().position(|l| !l.weight.fits_dense()) {
        Some(i) => {
            let (r, c) = network.layers()[i].weight.dim();
            Err(Error::format(
                path,
                "network",
                format!(
                    "layer {i} is a sparse {r}x{c} matrix; {format} holds dense matrices and this one exceeds 2^27 entries (1 GiB); expected a network whose layers fit"
                ),
            ))
        }
        None => Ok(()),
    }
}

/// Writes a network, choosing the writer by extension (JSON or ONNX; NNet is read-only).
pub fn save_network(network: &Network, path: &Path) -> Result<()> {
    match Format::from_path(path)? {
        Format::Json => json::write(network, path),
        Format::Onnx => onnx::write(network, path),
        Format::Nnet => Err(Error::format(
            path,
            "file name",
            "writing NNet is not supported; expected .json or .onnx",
        )),
    }
}

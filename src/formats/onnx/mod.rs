//! ONNX network format (in progress).
use crate::error::{Error, Result};
use crate::network::Network;
use std::path::Path;

/// Reads an ONNX model; the notes tell the user what was dropped (e.g. a softmax head).
pub fn read(path: &Path) -> Result<(Network, Vec<String>)> {
    Err(Error::format(path, "file", "ONNX reader not implemented yet"))
}

pub fn write(_network: &Network, path: &Path) -> Result<()> {
    Err(Error::format(path, "file", "ONNX writer not implemented yet"))
}

//! JSON network format (in progress).
use crate::error::{Error, Result};
use crate::network::Network;
use std::path::Path;

pub fn read(path: &Path) -> Result<Network> {
    Err(Error::format(path, "file", "JSON reader not implemented yet"))
}

pub fn write(_network: &Network, path: &Path) -> Result<()> {
    Err(Error::format(path, "file", "JSON writer not implemented yet"))
}

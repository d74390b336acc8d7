//! NNet network format (in progress).
use crate::error::{Error, Result};
use crate::network::Network;
use std::path::Path;

pub fn read(path: &Path) -> Result<Network> {
    Err(Error::format(path, "file", "NNet reader not implemented yet"))
}

//! The container of certificate files (docs/certificate.md): magic bytes, a u16 little-endian
//! format version, then the payload as one zlib stream; written atomically (a temporary file
//! beside the target, then a rename). Shared by the count's and the bound's certificate writers;
//! the checker (`crate::check`) reads containers with its own code.

use crate::error::{Error, Result};
use flate2::write::ZlibEncoder;
use flate2::Compression;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Where a certificate was written.
#[derive(Clone, Debug, PartialEq)]
pub struct CertificateFile {
    pub path: PathBuf,
    pub bytes: u64,
    /// SHA-256 of the certificate file, hex.
    pub sha256: String,
}

/// SHA-256 of a file's bytes.
pub fn file_sha256(path: &Path) -> Result<[u8; 32]> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    Ok(Sha256::digest(&bytes).into())
}

/// Lower-case hex of a digest.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The container's bytes: `magic`, `version`, and `payload` compressed at `level`.
pub fn container(
    magic: &[u8],
    version: u16,
    payload: &[u8],
    level: Compression,
) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(payload.len() / 2 + 64);
    out.extend_from_slice(magic);
    out.extend_from_slice(&version.to_le_bytes());
    let mut z = ZlibEncoder::new(out, level);
    z.write_all(payload)
        .and_then(|_| z.finish())
        .map_err(|e| Error::invalid(format!("compressing the certificate: {e}")))
}

/// Writes `bytes` to `path` atomically and describes the file.
pub fn write_atomically(bytes: &[u8], path: &Path) -> Result<CertificateFile> {
    let tmp = path.with_extension("partial");
    std::fs::write(&tmp, bytes).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))?;
    Ok(CertificateFile {
        path: path.to_path_buf(),
        bytes: bytes.len() as u64,
        sha256: hex(&Sha256::digest(bytes)),
    })
}

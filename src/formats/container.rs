//! The container of certificate files (docs/certificate.md): magic bytes, a u16 little-endian
//! format version, then the payload as one zlib stream; written atomically (a temporary file
//! beside the target, then a rename). Shared by the count's and the bound's certificate writers;
//! the checker (`crate::check`) reads containers with its own code.

use crate::domain::{Domain, Shape};
use crate::error::{Error, Result};
use flate2::write::ZlibEncoder;
use flate2::Compression;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Where a certificate was written.
#[derive(Clone, Debug, PartialEq)]
pub struct CertificateFile {
    /// Where it was written.
    pub path: PathBuf,
    /// Its size in bytes.
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

/// Unsigned LEB128.
pub fn varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// A signed integer zigzag-encoded for [`varint`]: (n << 1) ^ (n >> 63).
pub fn zigzag(n: i64) -> u64 {
    ((n << 1) ^ (n >> 63)) as u64
}

/// f64 values, 8 bytes little endian each.
pub fn floats<'a>(out: &mut Vec<u8>, values: impl IntoIterator<Item = &'a f64>) {
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
}

/// The items every certificate payload starts with (docs/certificate.md, items 1–3): the
/// model's SHA-256; n, L and the hidden widths; the domain exactly as counted — kind 0, an L2
/// ball (center, radius); 1, a box (center, half widths); 2, a box by its bounds (lower, upper),
/// for a box that center ± half width cannot represent exactly.
pub fn payload_header(
    out: &mut Vec<u8>,
    model_sha256: &[u8; 32],
    widths: &[usize],
    domain: &Domain,
) {
    out.extend_from_slice(model_sha256);
    varint(out, domain.dim() as u64);
    varint(out, widths.len() as u64);
    for &w in widths {
        varint(out, w as u64);
    }
    match (domain.shape(), domain.exact_bounds()) {
        (_, Some((lo, hi))) => {
            out.push(2);
            floats(out, lo);
            floats(out, hi);
        }
        (Shape::L2Ball { radius }, None) => {
            out.push(0);
            floats(out, domain.center());
            floats(out, [radius]);
        }
        (Shape::Box { half_widths }, None) => {
            out.push(1);
            floats(out, domain.center());
            floats(out, half_widths);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_and_zigzag_follow_leb128() {
        let mut v = Vec::new();
        varint(&mut v, 0);
        varint(&mut v, 127);
        varint(&mut v, 128);
        varint(&mut v, u64::MAX);
        assert_eq!(&v[..4], &[0, 127, 0x80, 0x01]);
        assert_eq!(v.len(), 4 + 10);
        assert_eq!(zigzag(0), 0);
        assert_eq!(zigzag(-1), 1);
        assert_eq!(zigzag(1), 2);
        assert_eq!(zigzag(-3), 5);
    }
}

//! The writer of region-count certificates (format: `docs/certificate.md`, version 1).
//!
//! The search records, per task, the depth-first stream of its decisions: for each unit, which
//! sides were kept and, for a removed side, its proof of emptiness — multipliers z ≥ 0 over the
//! node's branch half-spaces (its ancestors) such that, by weak duality,
//! max over the closed domain of s·h_j(x) + Σ_i z_i σ_i h_{u_i}(x) ≤ 0, in the original input
//! coordinates and the original units; at each leaf its proven witness. The independent checker
//! (`crate::check`) verifies every item in exact arithmetic.
//!
//! The enumerator's own proofs are made over normalized, relaxed half-spaces in unit coordinates
//! (`unit_coords`): ancestor i there reads g_i·u ≤ h_i with slack h_i − g_i·u ≈ f_i·σ_i h_{u_i}(x),
//! f_i = 2^{e_i} / ‖a_i‖ (e_i the power of two of the unit's rescaling), and the removed side's
//! target is 2^{e_j}·s·h_j. A multiplier y_i found there becomes z_i = y_i f_i / 2^{e_j}. The
//! conversion rounds (a relative 2⁻⁵² per multiplier); the checker decides the result exactly.

use crate::domain::Domain;
use crate::error::Result;
use crate::formats::container::{
    container, floats, payload_header, varint, write_atomically, zigzag,
};
pub use crate::formats::container::{file_sha256, hex, CertificateFile};
use flate2::Compression;
use ndarray::Array1;
use std::path::Path;

/// Format version written in the header.
pub(crate) const FORMAT_VERSION: u16 = 1;
/// The file's first bytes.
pub const MAGIC: &[u8; 6] = b"RRCERT";

const KEEP_ON: u8 = 0x01;
const KEEP_OFF: u8 = 0x02;
const BRANCH: u8 = 0x03;
const EMPTY: u8 = 0x04;
const KEEP_ON_OPEN: u8 = 0x05;
const KEEP_OFF_OPEN: u8 = 0x06;
const KEEP_COPY: u8 = 0x07;
const KEEP_MIRROR: u8 = 0x08;
const LEAF: u8 = 0x10;
const OPEN: u8 = 0x11;
const END: u8 = 0xFF;

/// How a removed side of a split was proven empty.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Proof {
    /// Over the domain alone (no multiplier): the unit is stable on the whole domain.
    Domain,
    /// Over the node's box: the domain's bounding box propagated through the branch half-spaces
    /// (the checker recomputes it).
    Box,
    /// Multipliers (ancestor position, z > 0) in the original coordinates and units.
    Multipliers(Vec<(u32, f64)>),
    /// Proven by a method that leaves no multipliers (the exact fallback), or not recorded: the
    /// certificate marks the side open.
    Unproven,
    /// The unit copies a unit of the layer before (`super::copies`): its sign is its source's,
    /// which the checker reads off the weights.
    Copy,
    /// The unit mirrors unit `i` (index within the same layer, `super::copies`): its sign is the
    /// negation of unit i's, which the checker reads off the weights.
    Mirror(u32),
}

impl Proof {
    /// Multipliers from the enumerator's y over its ancestors (`factors` f_i, see the module
    /// doc), divided by `target` = 2^{e_j} (times any extra positive factor); entries that are
    /// not positive and finite after conversion are dropped (a smaller multiplier set is still a
    /// valid candidate: the checker decides). `narrow`: round each to f32 (4 bytes in the file)
    /// where it stays positive and finite.
    pub(crate) fn from_multipliers(y: &[f64], factors: &[f64], target: f64, narrow: bool) -> Proof {
        if !(target > 0.0 && target.is_finite()) {
            return Proof::Unproven;
        }
        let z: Vec<(u32, f64)> = y
            .iter()
            .zip(factors)
            .enumerate()
            .filter_map(|(i, (&y, &f))| {
                let mut z = y * f / target;
                if narrow {
                    let z32 = f64::from(z as f32);
                    if z32 > 0.0 && z32.is_finite() {
                        z = z32;
                    }
                }
                (z > 0.0 && z.is_finite()).then_some((i as u32, z))
            })
            .collect();
        if z.is_empty() {
            Proof::Domain
        } else {
            Proof::Multipliers(z)
        }
    }

    fn is_proven(&self) -> bool {
        !matches!(self, Proof::Unproven)
    }
}

/// One task's part of the depth-first stream, with its counts.
#[derive(Default, Debug)]
pub(crate) struct Recording {
    /// The task's records, in the certificate's stream encoding.
    pub bytes: Vec<u8>,
    /// Leaves (witnessed regions) recorded.
    pub leaves: u64,
    /// Parts left open (unexplored nodes, sides removed without multipliers).
    pub open: u64,
}

impl Recording {
    /// A unit kept on one side, the other removed with `proof` (open when unproven).
    pub fn keep(&mut self, on: bool, proof: &Proof) {
        if *proof == Proof::Copy {
            self.bytes.push(KEEP_COPY);
        } else if let Proof::Mirror(i) = proof {
            self.bytes.push(KEEP_MIRROR);
            varint(&mut self.bytes, u64::from(*i));
        } else if proof.is_proven() {
            self.bytes.push(if on { KEEP_ON } else { KEEP_OFF });
            self.proof(proof);
        } else {
            self.bytes
                .push(if on { KEEP_ON_OPEN } else { KEEP_OFF_OPEN });
            self.open += 1;
        }
    }

    /// Both sides kept: the positive child's stream follows, then the negative child's.
    pub fn branch(&mut self) {
        self.bytes.push(BRANCH);
    }

    /// Both sides removed (the node has no region); open when either proof is missing.
    pub fn empty(&mut self, on: &Proof, off: &Proof) {
        if on.is_proven() && off.is_proven() {
            self.bytes.push(EMPTY);
            self.proof(on);
            self.proof(off);
        } else {
            self.open();
        }
    }

    /// A node (or leaf) not explored or not decided.
    pub fn open(&mut self) {
        self.bytes.push(OPEN);
        self.open += 1;
    }

    /// A region: its proven witness u in unit coordinates.
    pub fn leaf(&mut self, u: &Array1<f64>) {
        self.bytes.push(LEAF);
        for v in u {
            self.bytes.extend_from_slice(&v.to_le_bytes());
        }
        self.leaves += 1;
    }

    /// Appends a child task's stream.
    pub(crate) fn append(&mut self, child: Recording) {
        self.bytes.extend_from_slice(&child.bytes);
        self.leaves += child.leaves;
        self.open += child.open;
    }

    /// A proof: varint m = 0 (domain), 1 (box), or k + 1 followed by k multipliers, each a
    /// varint 2i + w (ancestor position i; w = 1: an f64 follows, w = 0: an f32).
    fn proof(&mut self, proof: &Proof) {
        match proof {
            Proof::Multipliers(z) => {
                varint(&mut self.bytes, z.len() as u64 + 1);
                for &(i, v) in z {
                    let narrow = v as f32;
                    if f64::from(narrow) == v {
                        varint(&mut self.bytes, u64::from(i) << 1);
                        self.bytes.extend_from_slice(&narrow.to_le_bytes());
                    } else {
                        varint(&mut self.bytes, (u64::from(i) << 1) | 1);
                        self.bytes.extend_from_slice(&v.to_le_bytes());
                    }
                }
            }
            Proof::Box => varint(&mut self.bytes, 1),
            // a tie is only ever kept (`keep`), never a removed side's proof
            Proof::Domain | Proof::Unproven | Proof::Copy | Proof::Mirror(_) => {
                varint(&mut self.bytes, 0)
            }
        }
    }
}

/// A finished count's certificate, before its model hash is known.
#[derive(Clone, Debug, PartialEq)]
pub struct CertificateTree {
    /// The domain as counted.
    pub domain: Domain,
    /// Hidden layer widths.
    pub widths: Vec<usize>,
    /// Witness frame: x = origin + 2^exponents ⊙ u.
    pub origin: Array1<f64>,
    /// The power-of-two scale of each coordinate in the witness frame.
    pub exponents: Vec<i32>,
    /// The depth-first stream (without the end marker).
    pub tree: Vec<u8>,
    /// Leaves (witnessed regions) in the stream.
    pub leaves: u64,
    /// Parts left open (unexplored nodes, sides removed without multipliers); 0 when exact.
    pub open: u64,
}

impl CertificateTree {
    /// The certificate of a count that explored nothing: one open root.
    pub(crate) fn open_root(net: &crate::network::Network, domain: &Domain) -> Self {
        let mut r = Recording::default();
        r.open();
        CertificateTree {
            domain: domain.clone(),
            widths: net.hidden_widths(),
            origin: domain.center().clone(),
            exponents: vec![0; domain.dim()],
            tree: r.bytes,
            leaves: 0,
            open: r.open,
        }
    }

    /// The uncompressed payload (items 1–7 of the format).
    pub fn payload(&self, model_sha256: &[u8; 32]) -> Vec<u8> {
        let mut p = Vec::with_capacity(self.tree.len() + 256);
        payload_header(&mut p, model_sha256, &self.widths, &self.domain);
        floats(&mut p, &self.origin);
        for &k in &self.exponents {
            varint(&mut p, zigzag(i64::from(k)));
        }
        p.push(if self.open == 0 { 0 } else { 1 });
        varint(&mut p, self.leaves);
        varint(&mut p, self.open);
        p.extend_from_slice(&self.tree);
        p.push(END);
        p
    }

    /// The certificate file's bytes: magic, version, zlib-compressed payload (the fast level:
    /// on ACAS Xu box 0.05 it writes 3.2 MB in +10% of the count's time, the default level
    /// 2.5 MB in +30%).
    pub fn to_bytes(&self, model_sha256: &[u8; 32]) -> Result<Vec<u8>> {
        container(
            MAGIC,
            FORMAT_VERSION,
            &self.payload(model_sha256),
            Compression::fast(),
        )
    }

    /// Writes the certificate of the model file `model` to `path` (atomically).
    pub fn write(&self, model: &Path, path: &Path) -> Result<CertificateFile> {
        write_atomically(&self.to_bytes(&file_sha256(model)?)?, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipliers_convert_and_drop_zeros() {
        let p = Proof::from_multipliers(&[0.0, 2.0, 1.0], &[1.0, 0.5, 0.0], 2.0, false);
        assert_eq!(p, Proof::Multipliers(vec![(1, 0.5)]));
        assert_eq!(
            Proof::from_multipliers(&[0.0], &[1.0], 1.0, false),
            Proof::Domain
        );
        assert_eq!(
            Proof::from_multipliers(&[1.0], &[1.0], 0.0, false),
            Proof::Unproven
        );
        let third = 1.0 / 3.0;
        let wide = Proof::from_multipliers(&[third], &[1.0], 1.0, false);
        let narrow = Proof::from_multipliers(&[third], &[1.0], 1.0, true);
        assert_eq!(wide, Proof::Multipliers(vec![(0, third)]));
        assert_eq!(
            narrow,
            Proof::Multipliers(vec![(0, f64::from(third as f32))])
        );
    }
}

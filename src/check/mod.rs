//! The independent exact checker of region-count certificates (`docs/certificate.md`, version 1).
//!
//! [`check_certificate`] re-hashes the model file, reads it with [`crate::formats::load_network`]
//! and replays the certificate's tree in exact integer arithmetic. It shares no code with the
//! counter: no enumerator, solver, bound, tolerance or float decision. Every f64 of the model
//! and of the certificate is the dyadic rational m·2^e it denotes (`num::decompose`); affine
//! maps, signs, membership in the domain and the weak-duality inequalities are integer
//! computations (`num::Acc`, `num_bigint`).
//!
//! What is checked (the format's page says why it proves the count):
//! - every LEAF's witness lies in the open domain and has the leaf's pattern at every unit
//!   (strict signs; z = 0 only for an off unit whose map on the node has a = 0), and the leaves'
//!   patterns are distinct: the count is a lower bound;
//! - every removed side carries a proof of emptiness: max over the closed domain of
//!   s·h_j + Σ z_i σ_i h_{u_i} ≤ 0 (multipliers z_i > 0 on the BRANCH ancestors, none for a
//!   domain proof), or max of s·h_j over the node's box ≤ 0 (the box the checker propagates
//!   itself through the BRANCH constraints); KEEP_ON and EMPTY are refused on a unit whose map is
//!   the constant 0, and the tree decides every unit on every path: with no open item the count
//!   is exact;
//! - the claimed regions and open items are the ones counted.
//!
//! Layout: `num` (f64 → dyadic, integers and the multiply-accumulate kernel), `stream`
//! (container and bounded reads), `header`, `domain`, `maps` (the layer maps on a node),
//! `nodebox` (the node's box), `walk` (the tree, depth-first with an explicit stack).

mod bound;
mod domain;
mod header;
mod maps;
mod nodebox;
mod num;
mod stream;
mod walk;

#[cfg(test)]
mod tests;

pub use bound::{check_bound_bytes, check_bound_certificate, check_file, BoundVerdict, Checked};
pub use num::f64_to_dyadic;

use crate::formats::load_network;
use crate::network::Network;
use sha2::{Digest, Sha256};
use std::fmt;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The file name reported by [`check_bytes`] for an unreadable certificate.
pub const IN_MEMORY: &str = "<certificate bytes>";

/// A verified certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// Leaves: regions with a checked witness.
    pub regions: u64,
    /// Open items (unexplored nodes and unproven sides).
    pub open: u64,
    /// open == 0: the count is exact.
    pub exact: bool,
    /// SHA-256 of the model file, hex.
    pub model_sha256: String,
    /// The domain, e.g. "L2 ball, radius 0.05".
    pub domain: String,
    /// Leaves (regions with their witness) checked.
    pub leaves_checked: u64,
    /// Proofs of emptiness checked (an EMPTY record has two).
    pub proofs_checked: u64,
    /// Wall-clock time of the check.
    pub elapsed: Duration,
}

/// Why a certificate is not accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckError {
    /// Exit 2: unreadable, truncated, not a certificate, or the model is unreadable.
    Unreadable {
        /// The file that could not be read or parsed.
        file: PathBuf,
        /// What went wrong.
        what: String,
    },
    /// Exit 1: a record fails; `path` locates it, `what` says what failed.
    Failed {
        /// Where the failing record is in the certificate.
        path: String,
        /// What failed.
        what: String,
    },
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckError::Unreadable { file, what } => write!(f, "{}: {what}", file.display()),
            CheckError::Failed { path, what } => write!(f, "certificate fails at {path}: {what}"),
        }
    }
}

impl std::error::Error for CheckError {}

/// An internal failure, before the certificate's file name is attached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Fault {
    Unreadable(String),
    Failed { path: String, what: String },
}

impl Fault {
    fn unreadable(what: impl Into<String>) -> Fault {
        Fault::Unreadable(what.into())
    }

    fn failed(path: impl Into<String>, what: impl Into<String>) -> Fault {
        Fault::Failed {
            path: path.into(),
            what: what.into(),
        }
    }

    /// A broken invariant of the checker itself (never expected): the certificate is not
    /// accepted.
    fn internal(what: impl Into<String>) -> Fault {
        Fault::failed("checker", format!("internal error: {}", what.into()))
    }

    fn into_error(self, file: &Path) -> CheckError {
        match self {
            Fault::Unreadable(what) => CheckError::Unreadable {
                file: file.to_path_buf(),
                what,
            },
            Fault::Failed { path, what } => CheckError::Failed { path, what },
        }
    }
}

/// Lower-case hex of a digest.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The model file's network (read by the project's reader) and the SHA-256 of its bytes, and
/// the certificate file opened for reading.
fn open_both(
    model: &Path,
    certificate: &Path,
) -> Result<(Network, [u8; 32], BufReader<std::fs::File>), CheckError> {
    let unreadable = |file: &Path, what: String| CheckError::Unreadable {
        file: file.to_path_buf(),
        what,
    };
    let bytes = std::fs::read(model)
        .map_err(|e| unreadable(model, format!("cannot read the model: {e}")))?;
    let sha: [u8; 32] = Sha256::digest(&bytes).into();
    let loaded = load_network(model)
        .map_err(|e| unreadable(model, format!("cannot load the model: {e}")))?;
    let file = std::fs::File::open(certificate)
        .map_err(|e| unreadable(certificate, format!("cannot open the certificate: {e}")))?;
    Ok((loaded.network, sha, BufReader::new(file)))
}

/// Checks the certificate file `certificate` of the model file `model`.
pub fn check_certificate(model: &Path, certificate: &Path) -> Result<Verdict, CheckError> {
    let (network, sha, file) = open_both(model, certificate)?;
    check_reader(&network, sha, file).map_err(|f| f.into_error(certificate))
}

/// Checks a certificate held in memory against `network` whose model file has SHA-256
/// `model_sha256`. An unreadable certificate is reported with the file name [`IN_MEMORY`].
pub fn check_bytes(
    network: &Network,
    model_sha256: [u8; 32],
    bytes: &[u8],
) -> Result<Verdict, CheckError> {
    check_reader(network, model_sha256, bytes).map_err(|f| f.into_error(Path::new(IN_MEMORY)))
}

/// The whole check: header, payload items 1–5, the tree, the end marker, the claim.
fn check_reader<R: BufRead>(
    network: &Network,
    model_sha256: [u8; 32],
    mut input: R,
) -> Result<Verdict, Fault> {
    let start = Instant::now();
    stream::read_header(&mut input)?;
    let mut payload = stream::Payload::new(input);
    let header = header::Header::read(&mut payload, network, &model_sha256)?;
    let net = maps::ExactNet::new(network)?;
    let counts = walk::walk(&mut payload, &net, &header.domain, &header.frame)?;
    let at = payload.offset();
    let end = payload.u8("the end marker")?;
    if end != 0xFF {
        return Err(Fault::unreadable(format!(
            "expected the end marker 0xFF after the tree at payload byte {at}, found 0x{end:02x}"
        )));
    }
    payload.finish()?;
    if header.claim_regions != counts.leaves {
        return Err(Fault::failed(
            "claim",
            format!(
                "claimed {} regions, the tree has {} leaves",
                header.claim_regions, counts.leaves
            ),
        ));
    }
    if header.claim_open != counts.open {
        return Err(Fault::failed(
            "claim",
            format!(
                "claimed {} open items, the tree has {}",
                header.claim_open, counts.open
            ),
        ));
    }
    if counts.leaves == 0 && counts.open == 0 {
        // a sanity invariant (issue 17), independent of every proof above
        return Err(Fault::failed(
            "claim",
            "an exact count of 0 regions; a non-empty open domain meets at least one",
        ));
    }
    Ok(Verdict {
        regions: counts.leaves,
        open: counts.open,
        exact: counts.open == 0,
        model_sha256: hex(&model_sha256),
        domain: header.domain.description.clone(),
        leaves_checked: counts.leaves,
        proofs_checked: counts.proofs,
        elapsed: start.elapsed(),
    })
}

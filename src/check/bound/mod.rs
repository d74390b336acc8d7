//! The exact checker of LP-bound certificates (docs/certificate.md, "Bound certificates").
//!
//! [`check_bound_certificate`] re-hashes the model file, reads it with
//! [`crate::formats::load_network`] and verifies, layer by layer in exact arithmetic, every
//! claimed pre-activation bound (weak duality over the triangle relaxation it rebuilds from the
//! network and the claims it already verified, or the previous layer's verified ball; see
//! `proofs` and `ball`), every triangle, every ball and every claimed stability (active: lower
//! bound ≥ 0; inactive: upper bound ≤ 0, on the closed domain). It then recomputes the bound
//! from the verified per-layer counts with the project's combinatorics,
//! min(jset_bound(n, counts), serra2018(n, widths)), and compares it with the claim. It uses
//! no solver, no enumerator, no tolerance and no float decision; the only code it shares with
//! the writer's side is those two counting functions, the detection of copy and mirror units
//! they take (`network::ties::tied_units`: exact comparisons of the model's own numbers),
//! the model reader and the checker's own exact kernel (`check::num`, `check::domain`).
//!
//! [`check_file`] dispatches a certificate file on its magic: `RRCERT` (a count's,
//! [`super::check_certificate`]) or `RRBOUND` (a bound's).

mod ball;
mod exact;
mod layer_ball;
mod proofs;

use super::domain::ExactDomain;
use super::stream::Payload;
use super::{check_certificate, hex, CheckError, Fault, Verdict};
use crate::bounds::global::serra2018;
use crate::bounds::jset::{jset_bound, LayerCounts};
use crate::network::Network;
use num_bigint::BigUint;
use proofs::{Checker, Closed, Stab};
use std::io::{BufRead, Read};
use std::path::Path;
use std::time::{Duration, Instant};

/// The file's first seven bytes.
pub const MAGIC: &[u8; 7] = b"RRBOUND";
/// The only format version this checker reads.
pub const VERSION: u16 = 1;
/// Longest claimed bound accepted, in bytes (2^8192 is far above any bound of a network that
/// loads).
const MAX_CLAIM_BYTES: u64 = 1 << 10;

/// A verified bound certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BoundVerdict {
    /// The bound the checker recomputed (equal to the claim).
    pub value: BigUint,
    /// "lp".
    pub method: String,
    /// The verified stability counts per hidden layer.
    pub layers: Vec<LayerCounts>,
    /// SHA-256 of the model file, hex.
    pub model_sha256: String,
    /// The domain, e.g. "L2 ball, radius 0.05".
    pub domain: String,
    /// Claimed bounds verified, multipliers in their proofs, balls verified.
    pub sides_checked: u64,
    /// Multipliers checked in the proofs of the claimed bounds.
    pub multipliers_checked: u64,
    /// Enclosing balls verified.
    pub balls_checked: u64,
    /// Wall-clock time of the check.
    pub elapsed: Duration,
}

/// The verdict on a certificate of either kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Checked {
    /// A region-count certificate and what it proves.
    Count(Verdict),
    /// A bound certificate and what it proves.
    Bound(BoundVerdict),
}

/// Checks the certificate file `certificate` of the model file `model`, of either kind: its
/// first bytes say which (`RRCERT`: a count, `RRBOUND`: a bound).
pub fn check_file(model: &Path, certificate: &Path) -> Result<Checked, CheckError> {
    let mut head = Vec::with_capacity(MAGIC.len());
    std::fs::File::open(certificate)
        .and_then(|f| f.take(MAGIC.len() as u64).read_to_end(&mut head))
        .map_err(|e| CheckError::Unreadable {
            file: certificate.to_path_buf(),
            what: format!("cannot open the certificate: {e}"),
        })?;
    if head.as_slice() == MAGIC {
        check_bound_certificate(model, certificate).map(Checked::Bound)
    } else if head.starts_with(super::stream::MAGIC) {
        check_certificate(model, certificate).map(Checked::Count)
    } else {
        Err(CheckError::Unreadable {
            file: certificate.to_path_buf(),
            what: "not a certificate: the file starts with neither RRCERT (a count's) nor RRBOUND (a bound's)".into(),
        })
    }
}

/// Checks the bound certificate file `certificate` of the model file `model`.
pub fn check_bound_certificate(
    model: &Path,
    certificate: &Path,
) -> Result<BoundVerdict, CheckError> {
    let (network, sha, file) = super::open_both(model, certificate)?;
    check_reader(&network, sha, file).map_err(|f| f.into_error(certificate))
}

/// Checks a bound certificate held in memory against `network` whose model file has SHA-256
/// `model_sha256`. An unreadable certificate is reported with the file name
/// [`super::IN_MEMORY`].
pub fn check_bound_bytes(
    network: &Network,
    model_sha256: [u8; 32],
    bytes: &[u8],
) -> Result<BoundVerdict, CheckError> {
    check_reader(network, model_sha256, bytes)
        .map_err(|f| f.into_error(Path::new(super::IN_MEMORY)))
}

/// The whole check.
fn check_reader<R: BufRead>(
    network: &Network,
    model_sha256: [u8; 32],
    mut input: R,
) -> Result<BoundVerdict, Fault> {
    let start = Instant::now();
    super::stream::read_container_header(&mut input, MAGIC, VERSION, "bound certificate")?;
    let mut p = Payload::new(input);
    let certified: [u8; 32] = p.bytes::<32>("the model's SHA-256")?;
    if certified != model_sha256 {
        return Err(Fault::failed(
            "model",
            format!(
                "model file differs from the one certified: the certificate is for SHA-256 {}, the model file has {}",
                hex(&certified),
                hex(&model_sha256)
            ),
        ));
    }
    super::header::read_shape(&mut p, network)?;
    let n = network.input_dim();
    let domain = ExactDomain::read(&mut p, n)?;
    let claim = read_claim(&mut p)?;

    let layers = exact::exact_layers(network)?;
    let depth = layers.len();
    let mut checker = Checker::new(layers, &domain);
    check_layers(&mut checker, &mut p, depth)?;
    let at = p.offset();
    let end = p.u8("the end marker")?;
    if end != 0xFF {
        return Err(Fault::unreadable(format!(
            "expected the end marker 0xFF after the last layer at payload byte {at}, found 0x{end:02x}"
        )));
    }
    p.finish()?;

    let counts = verified_counts(&checker, &crate::network::ties::tied_units(network));
    let value = jset_bound(n, &counts).min(serra2018(n, &network.hidden_widths()));
    if value != claim {
        return Err(Fault::failed(
            "claim",
            format!("claimed the bound {claim}; the verified stabilities give {value}"),
        ));
    }
    Ok(BoundVerdict {
        value,
        method: "lp".into(),
        layers: counts,
        model_sha256: hex(&model_sha256),
        domain: domain.description.clone(),
        sides_checked: checker.tally.sides,
        multipliers_checked: checker.tally.multipliers,
        balls_checked: checker.tally.balls,
        elapsed: start.elapsed(),
    })
}

/// The bound method (0: lp, the only one) and the claimed bound (little-endian bytes).
fn read_claim<R: BufRead>(p: &mut Payload<R>) -> Result<BigUint, Fault> {
    let method = p.u8("the method")?;
    if method != 0 {
        return Err(Fault::unreadable(format!(
            "unknown bound method {method}; expected 0 (lp)"
        )));
    }
    let k = p.varint("the claimed bound's length")?;
    if k == 0 || k > MAX_CLAIM_BYTES {
        return Err(Fault::unreadable(format!(
            "the claimed bound has {k} bytes; expected 1 to {MAX_CLAIM_BYTES}"
        )));
    }
    let claim_bytes: Vec<u8> = (0..k)
        .map(|_| p.u8("the claimed bound"))
        .collect::<Result<_, _>>()?;
    Ok(BigUint::from_bytes_le(&claim_bytes))
}

/// Reads and verifies every unit of the `depth` layers in order, each layer's ball before the
/// next, and closes each layer.
fn check_layers<R: BufRead>(
    checker: &mut Checker,
    p: &mut Payload<R>,
    depth: usize,
) -> Result<(), Fault> {
    for t in 0..depth {
        let width = checker.net[t].units();
        let mut layer = Closed::default();
        for u in 0..width {
            checker.unit(p, t, u, &mut layer)?;
        }
        if t + 1 < depth {
            layer.ball = checker.ball(p, t, &layer)?;
        }
        checker.close(layer);
    }
    Ok(())
}

/// The per-layer stability counts the verified claims give.
fn verified_counts(checker: &Checker, tied: &[Vec<bool>]) -> Vec<LayerCounts> {
    checker
        .closed
        .iter()
        .zip(tied)
        .map(|(c, t)| {
            let count = |s: Stab| c.stab.iter().filter(|&&x| x == s).count();
            let tied = c
                .stab
                .iter()
                .zip(t)
                .filter(|(s, &t)| t && **s == Stab::Unstable)
                .count();
            LayerCounts {
                width: c.stab.len(),
                unstable: count(Stab::Unstable) - tied,
                stably_active: count(Stab::Active),
                stably_inactive: count(Stab::Inactive),
                tied,
            }
        })
        .collect()
}

//! Items 1–5 of the payload: the model's hash, the shape, the domain, the witness frame and the
//! claim.

use super::domain::ExactDomain;
use super::num::decompose;
use super::stream::Payload;
use super::{hex, Fault};
use crate::network::Network;
use num_bigint::BigInt;
use std::io::BufRead;

/// Largest |k_j| accepted in the witness frame. The format does not bound k; the writer's k is
/// the power of two of a domain half width (an f64, so |k| ≤ 1100). A bound keeps a hostile
/// frame from making the witnesses' integers arbitrarily long.
pub const MAX_FRAME_EXPONENT: i64 = 4096;

/// The witness frame: x_j = o_j + 2^{k_j}·u_j.
#[derive(Clone, Debug)]
pub struct Frame {
    /// o_j = m·2^e.
    origin: Vec<(i64, i64)>,
    /// k_j.
    exps: Vec<i64>,
}

impl Frame {
    /// The exact point of a stored witness u: integers x_j and one exponent e ≤ 0 with
    /// x_j·2^e = o_j + 2^{k_j} u_j. Errors with the index of a non-finite coordinate.
    pub fn point(&self, u: &[f64]) -> Result<(Vec<BigInt>, i64), usize> {
        let mut terms = Vec::with_capacity(2 * u.len());
        for (j, (&uj, (&o, &k))) in u.iter().zip(self.origin.iter().zip(&self.exps)).enumerate() {
            let (m, e) = decompose(uj).ok_or(j)?;
            terms.push((o, (m, i64::from(e) + k)));
        }
        let e = terms
            .iter()
            .flat_map(|&(a, b)| [a, b])
            .filter(|&(m, _)| m != 0)
            .map(|(_, e)| e)
            .fold(0, i64::min);
        let at = |(m, x): (i64, i64)| -> BigInt {
            if m == 0 {
                BigInt::from(0)
            } else {
                BigInt::from(m) << ((x - e) as u64)
            }
        };
        Ok((terms.into_iter().map(|(a, b)| at(a) + at(b)).collect(), e))
    }
}

/// The certificate's header after the container.
#[derive(Clone, Debug)]
pub struct Header {
    pub domain: ExactDomain,
    pub frame: Frame,
    /// The claimed regions and open items (the claim's kind agrees with them: checked).
    pub claim_regions: u64,
    pub claim_open: u64,
}

impl Header {
    /// Reads items 1–5, checking the hash against `model_sha256` and the shape against `net`.
    pub fn read<R: BufRead>(
        p: &mut Payload<R>,
        net: &Network,
        model_sha256: &[u8; 32],
    ) -> Result<Header, Fault> {
        let certified: [u8; 32] = p.bytes::<32>("the model's SHA-256")?;
        if &certified != model_sha256 {
            return Err(Fault::failed(
                "model",
                format!(
                    "model file differs from the one certified: the certificate is for SHA-256 {}, the model file has {}",
                    hex(&certified),
                    hex(model_sha256)
                ),
            ));
        }
        read_shape(p, net)?;
        let n = net.input_dim();
        let domain = ExactDomain::read(p, n)?;
        let frame = read_frame(p, n)?;
        let kind = p.u8("the claim")?;
        let claim_regions = p.varint("the claimed regions")?;
        let claim_open = p.varint("the claimed open items")?;
        // the kind must say what the counts say: exact (0) iff nothing is open
        match (kind, claim_open) {
            (0, 0) => {}
            (1, m) if m > 0 => {}
            (0, m) => {
                return Err(Fault::failed(
                    "claim",
                    format!("the claim is an exact count but lists {m} open items"),
                ))
            }
            (1, _) => {
                return Err(Fault::failed(
                    "claim",
                    "the claim is a lower bound only but lists no open item",
                ))
            }
            (k, _) => {
                return Err(Fault::unreadable(format!(
                    "unknown claim kind {k}; expected 0 (exact) or 1 (lower bound)"
                )))
            }
        }
        Ok(Header {
            domain,
            frame,
            claim_regions,
            claim_open,
        })
    }
}

/// Item 2: n, L and the widths must be the model's (bound certificates use it too).
pub(super) fn read_shape<R: BufRead>(p: &mut Payload<R>, net: &Network) -> Result<(), Fault> {
    let widths = net.hidden_widths();
    let n = p.varint("the number of inputs")?;
    let depth = p.varint("the number of hidden layers")?;
    let mismatch = |certified: String| {
        Fault::failed(
            "shape",
            format!(
                "shape mismatch: the certificate is for {certified}; the model has {} inputs and hidden widths {widths:?}",
                net.input_dim()
            ),
        )
    };
    if depth != widths.len() as u64 {
        return Err(mismatch(format!("{n} inputs and {depth} hidden layers")));
    }
    let certified: Vec<u64> = (0..depth)
        .map(|_| p.varint("a hidden layer's width"))
        .collect::<Result<_, _>>()?;
    if n != net.input_dim() as u64 || certified.iter().zip(&widths).any(|(&a, &b)| a != b as u64) {
        return Err(mismatch(format!(
            "{n} inputs and hidden widths {certified:?}"
        )));
    }
    Ok(())
}

/// Item 4: n × f64 origin, n × zvarint exponents.
fn read_frame<R: BufRead>(p: &mut Payload<R>, n: usize) -> Result<Frame, Fault> {
    let mut origin = Vec::with_capacity(n);
    for j in 0..n {
        let o = p.f64("the witness frame's origin")?;
        let (m, e) = decompose(o).ok_or_else(|| {
            Fault::failed(
                "witness frame",
                format!("origin {j} is {o}; expected a finite number"),
            )
        })?;
        origin.push((m, i64::from(e)));
    }
    let mut exps = Vec::with_capacity(n);
    for j in 0..n {
        let k = p.zvarint("the witness frame's exponents")?;
        if k.unsigned_abs() > MAX_FRAME_EXPONENT as u64 {
            return Err(Fault::failed(
                "witness frame",
                format!("exponent {j} is {k}; this checker accepts |k| ≤ {MAX_FRAME_EXPONENT}"),
            ));
        }
        exps.push(k);
    }
    Ok(Frame { origin, exps })
}

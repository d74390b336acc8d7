//! The tree (item 6): a depth-first walk with an explicit stack, checking every record.
//!
//! State on the current node: the pattern bits of the decided units, the ancestor stack (unit
//! and side of every BRANCH above, root-most first), the node boxes after each ancestor
//! ([`NodeBox`], computed when a box proof needs them), the layer maps ([`Maps`]), and the
//! BRANCH nodes whose off child is still to come. When a node ends (LEAF, OPEN, EMPTY), the walk
//! resumes at the most recent such BRANCH: the maps of the layers after its unit's layer are
//! dropped, the ancestors (and boxes) pushed below it are popped, and (j, −1) is pushed.

use super::domain::ExactDomain;
use super::header::Frame;
use super::maps::{ExactNet, Maps};
use super::nodebox::NodeBox;
use super::num::{decompose, Acc, Int};
use super::stream::Payload;
use super::Fault;
use std::cmp::Ordering;
use std::collections::HashSet;
use std::io::BufRead;

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

/// Branches listed in a failure's path (the most recent ones).
const PATH_BRANCHES: usize = 64;
/// Pattern bits listed in a failure's path.
const PATH_BITS: usize = 1024;

/// What the tree holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub leaves: u64,
    pub open: u64,
    pub proofs: u64,
}

/// The (unit, side) of a BRANCH above the node; t(x) = σ·h_unit(x) ≥ 0 holds on the node.
#[derive(Clone, Copy, Debug)]
struct Ancestor {
    unit: usize,
    layer: usize,
    row: usize,
    on: bool,
}

/// A BRANCH whose off child comes after its on child's subtree.
#[derive(Clone, Copy, Debug)]
struct Pending {
    unit: usize,
    /// The ancestor stack's length at the BRANCH.
    ancestors: usize,
}

/// The distinct patterns of the leaves (the tree already makes them distinct; kept as a
/// second line of defense), packed 64 units a word.
#[derive(Debug, Default)]
pub struct PatternSet {
    seen: HashSet<Vec<u64>>,
}

impl PatternSet {
    /// Adds a pattern; false when it was already there.
    pub fn insert(&mut self, bits: &[bool]) -> bool {
        let mut packed = vec![0u64; bits.len().div_ceil(64)];
        for (u, _) in bits.iter().enumerate().filter(|(_, &b)| b) {
            packed[u / 64] |= 1 << (u % 64);
        }
        self.seen.insert(packed)
    }
}

/// What follows a record.
enum Next {
    /// The node's child with p_j = on (true) or off.
    Child(bool),
    /// The node is finished.
    Done,
}

/// Walks the tree from the root; the reader is left on the byte after it.
pub fn walk<R: BufRead>(
    p: &mut Payload<R>,
    net: &ExactNet,
    domain: &ExactDomain,
    frame: &Frame,
) -> Result<Counts, Fault> {
    let mut w = Walker {
        net,
        domain,
        frame,
        maps: Maps::new(net),
        bits: vec![false; net.units()],
        ancestors: Vec::new(),
        pending: Vec::new(),
        patterns: PatternSet::default(),
        counts: Counts::default(),
        acc: Acc::new(),
        v: Vec::new(),
        boxes: vec![Some(domain.bounding.clone())],
    };
    w.run(p)?;
    Ok(w.counts)
}

struct Walker<'a> {
    net: &'a ExactNet,
    domain: &'a ExactDomain,
    frame: &'a Frame,
    maps: Maps,
    bits: Vec<bool>,
    ancestors: Vec<Ancestor>,
    pending: Vec<Pending>,
    patterns: PatternSet,
    counts: Counts,
    acc: Acc,
    /// The proof's L, n coefficients and the constant.
    v: Vec<Int>,
    /// The node boxes: `boxes[t]` after the first t ancestors, computed when a box proof needs
    /// them (`None` until then).
    boxes: Vec<Option<NodeBox>>,
}

impl Walker<'_> {
    /// The walk: one record per node, depth-first.
    fn run<R: BufRead>(&mut self, p: &mut Payload<R>) -> Result<(), Fault> {
        let total = self.net.units();
        let mut j = 0;
        loop {
            let next = if j == total {
                self.terminal(p)?
            } else {
                self.decision(p, j)?
            };
            match next {
                Next::Child(on) => {
                    self.bits[j] = on;
                    j += 1;
                }
                Next::Done => {
                    let Some(back) = self.pending.pop() else {
                        return Ok(());
                    };
                    // the off child of the BRANCH at `back.unit`
                    j = back.unit;
                    let (layer, row) = self.net.locate(j);
                    self.ancestors.truncate(back.ancestors);
                    self.boxes.truncate(back.ancestors + 1);
                    self.boxes.push(None);
                    self.ancestors.push(Ancestor {
                        unit: j,
                        layer,
                        row,
                        on: false,
                    });
                    self.maps.truncate(layer + 1);
                    self.bits[j] = false;
                    j += 1;
                }
            }
        }
    }

    /// A node with every unit decided: LEAF or OPEN.
    fn terminal<R: BufRead>(&mut self, p: &mut Payload<R>) -> Result<Next, Fault> {
        let at = p.offset();
        match p.u8("a leaf record")? {
            LEAF => self.leaf(p)?,
            OPEN => self.counts.open += 1,
            tag => {
                return Err(Fault::unreadable(format!(
                    "unexpected tag 0x{tag:02x} at payload byte {at}: every unit is decided there, expected LEAF (0x10) or OPEN (0x11)"
                )))
            }
        }
        Ok(Next::Done)
    }

    /// A node deciding unit j < N.
    fn decision<R: BufRead>(&mut self, p: &mut Payload<R>, j: usize) -> Result<Next, Fault> {
        let (layer, row) = self.net.locate(j);
        if self.maps.depth() == layer {
            let below = &self.net.offsets[layer - 1..=layer];
            self.maps.enter(self.net, &self.bits[below[0]..below[1]]);
        }
        let at = p.offset();
        let tag = p.u8("a decision record")?;
        if tag == OPEN {
            self.counts.open += 1;
            return Ok(Next::Done);
        }
        let constant_zero = self.maps.get(layer, row)?.iter().all(Int::is_zero);
        let refuse = |name: &str| {
            Err(Fault::failed(
                self.path(j),
                format!("{name} on a unit whose map on this node is the constant 0 (its regions are off)"),
            ))
        };
        match tag {
            KEEP_ON if constant_zero => refuse("KEEP_ON"),
            EMPTY if constant_zero => refuse("EMPTY"),
            KEEP_ON => {
                self.proof(p, j, false)?;
                Ok(Next::Child(true))
            }
            KEEP_OFF => {
                self.proof(p, j, true)?;
                Ok(Next::Child(false))
            }
            BRANCH => {
                self.pending.push(Pending {
                    unit: j,
                    ancestors: self.ancestors.len(),
                });
                self.ancestors.push(Ancestor {
                    unit: j,
                    layer,
                    row,
                    on: true,
                });
                self.boxes.push(None);
                Ok(Next::Child(true))
            }
            EMPTY => {
                self.proof(p, j, true)?;
                self.proof(p, j, false)?;
                Ok(Next::Done)
            }
            KEEP_ON_OPEN | KEEP_OFF_OPEN => {
                self.counts.open += 1;
                Ok(Next::Child(tag == KEEP_ON_OPEN))
            }
            KEEP_COPY => match self.net.copy_source(j) {
                Some(source) => {
                    self.counts.proofs += 1;
                    Ok(Next::Child(self.bits[source]))
                }
                None => Err(Fault::failed(
                    self.path(j),
                    format!("KEEP_COPY on unit {j}, which is not a copy: expected a weight row with one positive entry on the layer before and bias 0"),
                )),
            },
            KEEP_MIRROR => {
                let i = p.varint("a mirror's source")?;
                let source = usize::try_from(i)
                    .ok()
                    .filter(|&i| i < row)
                    .map(|i| self.net.offsets[layer] + i);
                match source {
                    // h_j = −c·h_i is not the constant 0 on the node, so it vanishes only on a
                    // set without interior: elsewhere j is on exactly where i is off
                    Some(s) if self.net.mirrors(j, s) && !constant_zero => {
                        self.counts.proofs += 1;
                        Ok(Next::Child(!self.bits[s]))
                    }
                    Some(_) if constant_zero => refuse("KEEP_MIRROR"),
                    _ => Err(Fault::failed(
                        self.path(j),
                        format!("KEEP_MIRROR on unit {j} with source {i}, which it does not mirror: expected an earlier unit of the same layer whose weight row and bias are −1/c times unit {j}'s, c > 0"),
                    )),
                }
            }
            _ => Err(Fault::unreadable(format!(
                "unknown tag 0x{tag:02x} at payload byte {at}, where unit {j} is to be decided"
            ))),
        }
    }

    /// A proof that the removed side s of unit j (s = +1, on, when `removed_on`) is empty on
    /// the node. It starts with a varint m:
    /// - m = 0, domain: max over the closed domain of s·h_j ≤ 0;
    /// - m = 1, box: max over the node's box of s·h_j ≤ 0;
    /// - m = k + 1 ≥ 2: k multipliers z_i > 0 on ancestors i (strictly increasing) such that
    ///   L = s·h_j + Σ z_i σ_i h_{u_i} has max ≤ 0 over the closed domain.
    fn proof<R: BufRead>(
        &mut self,
        p: &mut Payload<R>,
        j: usize,
        removed_on: bool,
    ) -> Result<(), Fault> {
        let (layer, row) = self.net.locate(j);
        let e_row = self.net.exps[layer];
        let kind = p.varint("a proof's kind")?;
        let outcome = match kind {
            0 => {
                let v = self.maps.get(layer, row)?;
                self.domain
                    .max_nonpositive(v, !removed_on, e_row, &mut self.acc)
                    .map_err(|max| ("max of s·h_j over the closed domain", max))
            }
            1 => {
                self.fill_boxes()?;
                let v = self.maps.get(layer, row)?;
                let node_box = self.boxes.last().and_then(Option::as_ref);
                let node_box =
                    node_box.ok_or_else(|| Fault::internal("the node's box is missing"))?;
                node_box
                    .max_nonpositive(v, !removed_on, e_row, &mut self.acc)
                    .map_err(|max| ("max of s·h_j over the node's box", max))
            }
            _ => {
                let terms = self.multipliers(p, j, removed_on, kind - 1)?;
                let base = self.combine(&terms)?;
                self.domain
                    .max_nonpositive(&self.v, false, base, &mut self.acc)
                    .map_err(|max| ("max of L over the closed domain", max))
            }
        };
        outcome.map_err(|(what, max)| {
            Fault::failed(
                self.path(j),
                format!(
                    "proof of emptiness fails for unit {j}, {} side: {what} is positive (≈ {max:e})",
                    if removed_on { "on" } else { "off" }
                ),
            )
        })?;
        self.counts.proofs += 1;
        Ok(())
    }

    /// Reads k multipliers (`varint` 2i + w, then z as an f64 when w = 1, an f32 when w = 0) and
    /// returns the terms (m, e, layer, row) of L = s·h_j + Σ z_i σ_i h_{u_i}, c = m·2^e.
    fn multipliers<R: BufRead>(
        &mut self,
        p: &mut Payload<R>,
        j: usize,
        removed_on: bool,
        k: u64,
    ) -> Result<Vec<(i64, i64, usize, usize)>, Fault> {
        let depth = self.ancestors.len();
        if k > depth as u64 {
            return Err(Fault::failed(
                self.path(j),
                format!("bad ancestor index: the proof lists {k} multipliers but the node has {depth} ancestors"),
            ));
        }
        let (layer, row) = self.net.locate(j);
        let mut terms = vec![(if removed_on { 1 } else { -1 }, 0i64, layer, row)];
        let mut previous: Option<u64> = None;
        for _ in 0..k {
            let entry = p.varint("an ancestor index")?;
            let (i, wide) = (entry >> 1, entry & 1 == 1);
            let z = if wide {
                p.f64("a multiplier")?
            } else {
                f64::from(f32::from_le_bytes(p.bytes::<4>("a multiplier")?))
            };
            if i >= depth as u64 || previous.is_some_and(|q| i <= q) {
                return Err(Fault::failed(
                    self.path(j),
                    format!("bad ancestor index {i}: indices must increase strictly and stay below the {depth} ancestors"),
                ));
            }
            previous = Some(i);
            let a = self.ancestors[i as usize];
            let (m, e) = decompose(z).filter(|&(m, _)| m > 0).ok_or_else(|| {
                Fault::failed(
                    self.path(j),
                    format!(
                        "bad multiplier {z} ({}) for ancestor {i}: expected a finite number > 0",
                        if wide { "f64" } else { "f32" }
                    ),
                )
            })?;
            terms.push((if a.on { m } else { -m }, i64::from(e), a.layer, a.row));
        }
        Ok(terms)
    }

    /// Computes the boxes of the ancestor levels not computed yet, up to the node's:
    /// `boxes[t]` is the box after the first t ancestors (`boxes[0]` the root's).
    fn fill_boxes(&mut self) -> Result<(), Fault> {
        let top = self.ancestors.len();
        let mut t = top;
        while self.boxes.get(t).is_some_and(Option::is_none) {
            t -= 1;
        }
        while t < top {
            let a = self.ancestors[t];
            let row = self.maps.get(a.layer, a.row)?;
            let parent = self.boxes[t]
                .as_ref()
                .ok_or_else(|| Fault::internal("a parent box is missing"))?;
            self.boxes[t + 1] = Some(parent.tighten(row, a.on));
            t += 1;
        }
        Ok(())
    }

    /// Writes Σ_t c_t·(row of term t) to `self.v` for terms (m, e, layer, row) with
    /// c_t = m·2^e, at the smallest exponent T of all terms, and returns T: every term is
    /// m_t 2^{e_t + E_{l_t} − T} times its integer row.
    fn combine(&mut self, terms: &[(i64, i64, usize, usize)]) -> Result<i64, Fault> {
        let exps = &self.net.exps;
        let base = terms
            .iter()
            .map(|&(_, e, l, _)| e + exps[l])
            .min()
            .unwrap_or(0);
        let coefs: Vec<Int> = terms
            .iter()
            .map(|&(m, e, l, _)| Int::shifted(m, (e + exps[l] - base) as u64))
            .collect();
        self.v.resize(self.net.n + 1, Int::zero());
        for c in 0..=self.net.n {
            self.acc.clear();
            for (coef, &(_, _, l, r)) in coefs.iter().zip(terms) {
                self.acc
                    .add_mul(coef.view(), self.maps.get(l, r)?[c].view());
            }
            self.acc.finish_into(&mut self.v[c]);
        }
        Ok(base)
    }

    /// A LEAF: its witness x = o + 2^k ⊙ u lies in the open domain and every unit has the
    /// pattern's sign at x (z = 0 allowed for an off unit whose row a is 0 on the node).
    ///
    /// z_u = 2^{E_l + e_x}(Σ_c M[u][c] x_c + M[u][n]·2^{−e_x}) with e_x ≤ 0, so its sign is the
    /// sign of the integer sum.
    fn leaf<R: BufRead>(&mut self, p: &mut Payload<R>) -> Result<(), Fault> {
        let n = self.net.n;
        let u: Vec<f64> = (0..n)
            .map(|_| p.f64("a witness"))
            .collect::<Result<_, _>>()?;
        let (x, e_x) = self.frame.point(&u).map_err(|c| {
            Fault::failed(
                self.leaf_path(),
                format!(
                    "witness coordinate {c} is {}; expected a finite number",
                    u[c]
                ),
            )
        })?;
        if !self.domain.contains(&x, e_x) {
            return Err(Fault::failed(
                self.leaf_path(),
                format!("witness outside the domain: u = {u:?}"),
            ));
        }
        let x: Vec<Int> = x.iter().map(Int::from_bigint).collect();
        let up = Int::pow2((-e_x) as u64);
        let units = (0..self.net.offsets.len() - 1)
            .flat_map(|l| (self.net.offsets[l]..self.net.offsets[l + 1]).map(move |u| (u, l)));
        for (unit, layer) in units {
            let r = unit - self.net.offsets[layer];
            let row = self.maps.get(layer, r)?;
            self.acc.clear();
            for (a, xc) in row.iter().zip(&x) {
                self.acc.add_mul(a.view(), xc.view());
            }
            self.acc.add_mul(row[n].view(), up.view());
            let sign = self.acc.sign();
            let on = self.bits[unit];
            let ok = match (on, sign) {
                (true, Ordering::Greater) | (false, Ordering::Less) => true,
                (false, Ordering::Equal) => row[..n].iter().all(Int::is_zero),
                _ => false,
            };
            if !ok {
                let z = match sign {
                    Ordering::Greater => "z > 0",
                    Ordering::Less => "z < 0",
                    Ordering::Equal => "z = 0",
                };
                return Err(Fault::failed(
                    self.leaf_path(),
                    format!(
                        "witness has the wrong sign at unit {unit} (layer {}, unit {r}): the pattern says {}, the witness gives {z}",
                        layer + 1,
                        if on { "on" } else { "off" }
                    ),
                ));
            }
        }
        if !self.patterns.insert(&self.bits) {
            return Err(Fault::failed(
                self.leaf_path(),
                "two leaves with the same pattern",
            ));
        }
        self.counts.leaves += 1;
        Ok(())
    }

    /// "unit j (layer l, unit r) after branches [u4 on, u9 off]".
    fn path(&self, j: usize) -> String {
        let (layer, r) = self.net.locate(j);
        format!(
            "unit {j} (layer {}, unit {r}) after branches {}",
            layer + 1,
            self.branches()
        )
    }

    /// "leaf 0110|10 after branches [...]": the bits layer by layer.
    fn leaf_path(&self) -> String {
        let mut bits = String::new();
        for (u, &b) in self.bits.iter().enumerate().take(PATH_BITS) {
            if u > 0 && self.net.offsets.contains(&u) {
                bits.push('|');
            }
            bits.push(if b { '1' } else { '0' });
        }
        if self.bits.len() > PATH_BITS {
            bits.push('…');
        }
        format!("leaf {bits} after branches {}", self.branches())
    }

    /// The ancestor stack, the most recent [`PATH_BRANCHES`] entries.
    fn branches(&self) -> String {
        let skip = self.ancestors.len().saturating_sub(PATH_BRANCHES);
        let mut items: Vec<String> = self.ancestors[skip..]
            .iter()
            .map(|a| format!("u{} {}", a.unit, if a.on { "on" } else { "off" }))
            .collect();
        if skip > 0 {
            items.insert(0, format!("… {skip} earlier"));
        }
        format!("[{}]", items.join(", "))
    }
}

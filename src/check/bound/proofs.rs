//! The per-unit records of a bound certificate and their proofs: weak duality over the triangle
//! relaxation of the earlier layers (rebuilt here from the network and the verified claims), or
//! the previous layer's verified ball.
//!
//! The relaxation of layers 1 … t (t = the target's layer − 1): variables x in the domain, and
//! per unit of those layers with verified bounds [L, U]:
//! - U ≤ 0 (zero): no variable, σ(z) = 0, no row;
//! - L ≥ 0 (linear): z ∈ [L, U], one row z − W h_prev = b (the equality);
//! - L < 0 < U (triangle): z ∈ [L, U], h ∈ [0, U], rows z − W h_prev = b, h − z ≥ 0 and
//!   h − s z ≤ τ (s ≥ 0, τ ≥ −s L, τ ≥ U − s U: checked, so the row holds for h = σ(z)),
//!
//! rows numbered in that order, layer by layer, unit by unit. For the objective c·v + c0 (the
//! target's ± weights on its inputs, ± its bias) and multipliers y, every feasible point has
//!
//!   c·v + c0 ≤ c0 + Σ_r y_r side_r + Σ_{z, h columns} max(r_j lo_j, r_j hi_j) + max_{x ∈ D} r_x·x,
//!
//! r = c − Aᵀy, side_r the row's upper side for y_r > 0 and its lower side for y_r < 0 (a
//! multiplier on an infinite side is refused). The checker evaluates the right side exactly and
//! accepts the claim when it is at most the claimed bound (times ±1).

use super::super::domain::ExactDomain;
use super::super::num::Acc;
use super::super::stream::Payload;
use super::super::Fault;
use super::exact::{sum, to_ints, Dy, ExactLayer};
use super::layer_ball::Ball;
use std::cmp::Ordering;
use std::io::BufRead;

/// How a unit enters the relaxation of later layers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cat {
    Zero,
    Linear,
    Triangle,
}

/// A unit's claimed stability.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stab {
    Unstable,
    Active,
    Inactive,
}

/// The rows of a unit in the relaxation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RowKind {
    /// z − W h_prev = b.
    Equality,
    /// h − z ≥ 0.
    Above,
    /// h − s z ≤ τ.
    Triangle,
}

/// A verified layer.
#[derive(Clone, Debug, Default)]
pub struct Closed {
    pub lower: Vec<Option<Dy>>,
    pub upper: Vec<Option<Dy>>,
    pub cat: Vec<Option<Cat>>,
    pub slope: Vec<Dy>,
    pub tau: Vec<Dy>,
    pub stab: Vec<Stab>,
    pub ball: Option<Ball>,
}

/// What was checked, for the verdict.
#[derive(Clone, Copy, Debug, Default)]
pub struct Tally {
    pub sides: u64,
    pub multipliers: u64,
    pub balls: u64,
}

/// The checker's state: the exact network, the domain, the verified layers and the rows.
pub struct Checker<'a> {
    pub net: Vec<ExactLayer>,
    pub domain: &'a ExactDomain,
    /// The domain is an L2 ball (else a box, with the L∞ norm).
    pub l2: bool,
    pub closed: Vec<Closed>,
    rows: Vec<(u32, u32, RowKind)>,
    pub acc: Acc,
    pub tally: Tally,
}

/// A side's proof as read.
enum Proof {
    Duality(Vec<(usize, Dy)>),
    Ball,
}

/// "layer l, unit u, what" (1-based layer, 0-based unit).
pub fn at(layer: usize, unit: usize, what: &str) -> String {
    format!("layer {}, unit {unit}, {what}", layer + 1)
}

/// A finite f64 field or a failure naming it.
pub fn finite(x: f64, path: &str, what: &str) -> Result<Dy, Fault> {
    Dy::from_f64(x)
        .ok_or_else(|| Fault::failed(path, format!("{what} is {x}; expected a finite number")))
}

impl<'a> Checker<'a> {
    pub fn new(net: Vec<ExactLayer>, domain: &'a ExactDomain) -> Self {
        let l2 = matches!(domain.shape, super::super::domain::Shape::Ball { .. });
        Checker {
            net,
            domain,
            l2,
            closed: Vec::new(),
            rows: Vec::new(),
            acc: Acc::new(),
            tally: Tally::default(),
        }
    }

    /// Reads and checks the record of unit `u` of layer `t` (the layers before are closed): its
    /// flags, its claimed bounds with their proofs, its place in the relaxation of the later
    /// layers, and its claimed stability.
    pub fn unit<R: BufRead>(
        &mut self,
        p: &mut Payload<R>,
        t: usize,
        u: usize,
        layer: &mut Closed,
    ) -> Result<(), Fault> {
        let last = t + 1 == self.net.len();
        let flags = p.u8("a unit's flags")?;
        if flags & 0xF0 != 0 || flags & 3 == 3 {
            return Err(Fault::unreadable(format!(
                "layer {}, unit {u}: bad flags 0x{flags:02x} (bits 0–1 stability 0, 1 or 2; bit 2 lower; bit 3 upper)",
                t + 1
            )));
        }
        let stab = match flags & 3 {
            0 => Stab::Unstable,
            1 => Stab::Active,
            _ => Stab::Inactive,
        };
        let (lower, upper) = self.claimed_bounds(p, t, u, flags)?;
        let relaxation = if last {
            UnitRelaxation {
                cat: None,
                slope: Dy::zero(),
                tau: Dy::zero(),
            }
        } else {
            read_relaxation(p, t, u, lower.as_ref(), upper.as_ref())?
        };
        check_stability(stab, &at(t, u, "stability"), &lower, &upper)?;
        layer.lower.push(lower);
        layer.upper.push(upper);
        layer.cat.push(relaxation.cat);
        layer.slope.push(relaxation.slope);
        layer.tau.push(relaxation.tau);
        layer.stab.push(stab);
        Ok(())
    }

    /// Reads and checks the bounds (lower, upper) the `flags` say unit `u` of layer `t` claims,
    /// each with its proof.
    fn claimed_bounds<R: BufRead>(
        &mut self,
        p: &mut Payload<R>,
        t: usize,
        u: usize,
        flags: u8,
    ) -> Result<(Option<Dy>, Option<Dy>), Fault> {
        let mut lower = None;
        let mut upper = None;
        for (bit, is_upper) in [(4u8, false), (8u8, true)] {
            if flags & bit == 0 {
                continue;
            }
            let name = if is_upper {
                "upper bound"
            } else {
                "lower bound"
            };
            let path = at(t, u, name);
            let value = finite(p.f64("a claimed bound")?, &path, "the claimed bound")?;
            let proof = self.read_proof(p, t)?;
            self.check_side(t, u, is_upper, &value, &proof)
                .map_err(|what| Fault::failed(path.clone(), what))?;
            self.tally.sides += 1;
            if is_upper {
                upper = Some(value);
            } else {
                lower = Some(value);
            }
        }
        Ok((lower, upper))
    }

    /// Appends a verified layer and its rows.
    pub fn close(&mut self, layer: Closed) {
        let l = self.closed.len() as u32;
        for (u, cat) in layer.cat.iter().enumerate() {
            let u = u as u32;
            match cat {
                Some(Cat::Linear) => self.rows.push((l, u, RowKind::Equality)),
                Some(Cat::Triangle) => {
                    self.rows.push((l, u, RowKind::Equality));
                    self.rows.push((l, u, RowKind::Above));
                    self.rows.push((l, u, RowKind::Triangle));
                }
                Some(Cat::Zero) | None => {}
            }
        }
        self.closed.push(layer);
    }

    /// A side proof: `u8` kind, then (duality) `varint` k and k × (`varint` gap, `f64` y).
    fn read_proof<R: BufRead>(&mut self, p: &mut Payload<R>, t: usize) -> Result<Proof, Fault> {
        match p.u8("a proof's kind")? {
            0 => {
                let k = p.varint("the number of multipliers")?;
                let rows = self.rows.len() as u64;
                if k > rows {
                    return Err(Fault::unreadable(format!(
                        "layer {}: a proof lists {k} multipliers; the relaxation has {rows} rows",
                        t + 1
                    )));
                }
                let mut out = Vec::with_capacity(k as usize);
                let mut next = 0u64;
                for _ in 0..k {
                    let gap = p.varint("a multiplier's row")?;
                    let row = next.checked_add(gap).filter(|&r| r < rows).ok_or_else(|| {
                        Fault::unreadable(format!(
                            "layer {}: a multiplier's row is past the relaxation's {rows} rows",
                            t + 1
                        ))
                    })?;
                    let y = p.f64("a multiplier")?;
                    let y = Dy::from_f64(y).ok_or_else(|| {
                        Fault::unreadable(format!(
                            "layer {}: multiplier of row {row} is {y}; expected a finite number",
                            t + 1
                        ))
                    })?;
                    out.push((row as usize, y));
                    next = row + 1;
                }
                Ok(Proof::Duality(out))
            }
            1 => Ok(Proof::Ball),
            k => Err(Fault::unreadable(format!(
                "layer {}: unknown proof kind {k}; expected 0 (multipliers) or 1 (ball)",
                t + 1
            ))),
        }
    }

    /// Checks that the claim bounds unit `i` of layer `t` (upper: z ≤ claim, else z ≥ claim) on
    /// the closed domain.
    fn check_side(
        &mut self,
        t: usize,
        i: usize,
        upper: bool,
        claim: &Dy,
        proof: &Proof,
    ) -> Result<(), String> {
        match proof {
            Proof::Duality(y) => {
                self.tally.multipliers += y.len() as u64;
                self.duality(t, i, upper, claim, y)
            }
            Proof::Ball => {
                if t == 0 {
                    return Err(
                        "a ball proof on layer 1 (it needs the previous layer's ball)".into(),
                    );
                }
                let ball = self.closed[t - 1]
                    .ball
                    .as_ref()
                    .ok_or_else(|| format!("a ball proof, but layer {} has no ball", t))?;
                let layer = &self.net[t];
                let w: Vec<Dy> = (0..layer.inputs()).map(|j| layer.weight(i, j)).collect();
                ball.bounds(&w, &layer.b[i], upper, claim, self.l2)
            }
        }
    }

    /// The weak-duality check of the module documentation for unit `i` of layer `t`: the
    /// multipliers sorted by row, the z and h columns' terms, then the input columns' maximum
    /// over the domain.
    fn duality(
        &mut self,
        t: usize,
        i: usize,
        upper: bool,
        claim: &Dy,
        y: &[(usize, Dy)],
    ) -> Result<(), String> {
        let signed = |d: Dy| if upper { d } else { d.neg() };
        let m = self.sort_multipliers(t, i, upper, claim, y)?;
        let terms = self.column_terms(t, i, upper, &m)?;
        // the input columns: x enters layer 1's equality rows with −W_1 (or the target itself)
        let rx: Vec<Dy> = if t == 0 {
            (0..self.net[0].inputs())
                .map(|j| signed(self.net[0].weight(i, j)))
                .collect()
        } else {
            self.net[0].transposed_times(&m.eq_list[0], &mut self.acc)
        };
        let rest = sum(m.constant.iter().chain(&terms));
        let mut v = rx;
        v.push(rest);
        let (ints, e) = to_ints(&v);
        self.domain
            .max_nonpositive(&ints, false, e, &mut self.acc)
            .map_err(|excess| {
                format!(
                    "the weak-duality bound of its {} multipliers exceeds the claimed {} by {excess:e}",
                    y.len(),
                    claim.approx()
                )
            })
    }

    /// The multipliers `y` of the bound on unit `i` of layer `t` by layer and row kind, refusing
    /// one on a later layer's row or on an infinite side, with the constant terms they bring
    /// (±the target's bias, ∓the claim, y·b of the equality rows and y·τ of the triangles).
    fn sort_multipliers(
        &self,
        t: usize,
        i: usize,
        upper: bool,
        claim: &Dy,
        y: &[(usize, Dy)],
    ) -> Result<Multipliers, String> {
        let signed = |d: Dy| if upper { d } else { d.neg() };
        let eq: Vec<Vec<Dy>> = self.closed[..t]
            .iter()
            .map(|c| vec![Dy::zero(); c.cat.len()])
            .collect();
        let mut m = Multipliers {
            above: eq.clone(),
            tri: eq.clone(),
            eq,
            eq_list: vec![Vec::new(); t],
            constant: vec![
                signed(self.net[t].b[i].clone()),
                signed(claim.clone()).neg(),
            ],
        };
        for (row, v) in y {
            let (l, u, kind) = self.rows[*row];
            let (l, u) = (l as usize, u as usize);
            if l >= t {
                return Err(format!(
                    "multiplier of row {row}, which belongs to layer {}",
                    l + 1
                ));
            }
            match kind {
                RowKind::Equality => {
                    m.constant.push(v.mul(&self.net[l].b[u]));
                    m.eq[l][u] = v.clone();
                    m.eq_list[l].push((u, v.clone()));
                }
                RowKind::Above => {
                    if v.sign() == Ordering::Greater {
                        return Err(format!(
                            "multiplier {} > 0 on row {row} (h − z ≥ 0 of layer {}, unit {u}), which has no upper side",
                            v.approx(),
                            l + 1
                        ));
                    }
                    m.above[l][u] = v.clone();
                }
                RowKind::Triangle => {
                    if v.sign() == Ordering::Less {
                        return Err(format!(
                            "multiplier {} < 0 on row {row} (h − s z ≤ τ of layer {}, unit {u}), which has no lower side",
                            v.approx(),
                            l + 1
                        ));
                    }
                    m.constant.push(v.mul(&self.closed[l].tau[u]));
                    m.tri[l][u] = v.clone();
                }
            }
        }
        Ok(m)
    }

    /// Σ over the z and h columns of the relaxation of max(r lo, r hi), r = c − Aᵀy the column's
    /// reduced cost, one term per column.
    fn column_terms(
        &mut self,
        t: usize,
        i: usize,
        upper: bool,
        m: &Multipliers,
    ) -> Result<Vec<Dy>, String> {
        let signed = |d: Dy| if upper { d } else { d.neg() };
        let Multipliers {
            eq,
            above,
            tri,
            eq_list,
            ..
        } = m;
        let mut terms = Vec::new();
        for l in 0..t {
            let back = if l + 1 < t && !eq_list[l + 1].is_empty() {
                Some(self.net[l + 1].transposed_times(&eq_list[l + 1], &mut self.acc))
            } else {
                None
            };
            let c = &self.closed[l];
            for u in 0..c.cat.len() {
                let cat = match c.cat[u] {
                    Some(Cat::Zero) | None => continue,
                    Some(cat) => cat,
                };
                let mut input = back.as_ref().map_or_else(Dy::zero, |b| b[u].clone());
                if l + 1 == t {
                    input = input.add(&signed(self.net[t].weight(i, u)));
                }
                let (lo, hi) = match (&c.lower[u], &c.upper[u]) {
                    (Some(lo), Some(hi)) => (lo, hi),
                    _ => return Err(format!("layer {}, unit {u} has no bounds", l + 1)),
                };
                match cat {
                    Cat::Linear => {
                        // z: +1 in its equality row, −W in the next layer's
                        let r = input.sub(&eq[l][u]);
                        terms.push(r.mul(lo).max(r.mul(hi)));
                    }
                    _ => {
                        // z: +1 (equality), −1 (h − z), −s (h − s z); h: +1, +1, −W
                        let rz = c.slope[u].mul(&tri[l][u]).add(&above[l][u]).sub(&eq[l][u]);
                        terms.push(rz.mul(lo).max(rz.mul(hi)));
                        let rh = input.sub(&above[l][u]).sub(&tri[l][u]);
                        terms.push(rh.mul(hi).relu());
                    }
                }
            }
        }
        Ok(terms)
    }
}

/// The multipliers of one weak-duality claim by closed layer and unit, per row kind.
struct Multipliers {
    /// On the equality rows z − W h_prev = b.
    eq: Vec<Vec<Dy>>,
    /// On the rows h − z ≥ 0 (≤ 0 each).
    above: Vec<Vec<Dy>>,
    /// On the rows h − s z ≤ τ (≥ 0 each).
    tri: Vec<Vec<Dy>>,
    /// The non-zero equality multipliers of each layer as (unit, y), for Wᵀy.
    eq_list: Vec<Vec<(usize, Dy)>>,
    /// The constant terms of the bound.
    constant: Vec<Dy>,
}

/// How a unit before the last enters the relaxation of the later layers.
struct UnitRelaxation {
    /// None on the last layer.
    cat: Option<Cat>,
    /// The triangle's slope s and offset τ (zero unless the unit is a triangle).
    slope: Dy,
    tau: Dy,
}

/// The relaxation category of unit `u` of layer `t` (not the last) from its verified bounds:
/// zero when its upper bound is ≤ 0, linear when its lower bound is ≥ 0, else a triangle whose
/// slope and offset are read and checked.
fn read_relaxation<R: BufRead>(
    p: &mut Payload<R>,
    t: usize,
    u: usize,
    lower: Option<&Dy>,
    upper: Option<&Dy>,
) -> Result<UnitRelaxation, Fault> {
    let cat;
    let (mut slope, mut tau) = (Dy::zero(), Dy::zero());
    let path = at(t, u, "relaxation");
    let up = upper.ok_or_else(|| {
        Fault::failed(
            &path,
            "no upper bound: the relaxation of the later layers needs one for every unit",
        )
    })?;
    if up.sign() != Ordering::Greater {
        cat = Cat::Zero;
    } else {
        let lo = lower.ok_or_else(|| {
            Fault::failed(
                &path,
                "no lower bound: the relaxation of the later layers needs one for every unit whose upper bound is > 0",
            )
        })?;
        if lo.sign() != Ordering::Less {
            cat = Cat::Linear;
        } else {
            let tpath = at(t, u, "triangle");
            slope = finite(p.f64("a triangle's slope")?, &tpath, "the slope s")?;
            tau = finite(p.f64("a triangle's offset")?, &tpath, "the offset τ")?;
            check_triangle(lo, up, &slope, &tau).map_err(|w| Fault::failed(tpath, w))?;
            cat = Cat::Triangle;
        }
    }
    Ok(UnitRelaxation {
        cat: Some(cat),
        slope,
        tau,
    })
}

/// A claimed stability against the verified bounds: stably active needs a lower bound ≥ 0,
/// stably inactive an upper bound ≤ 0 (`spath` names the field in a failure).
fn check_stability(
    stab: Stab,
    spath: &str,
    lower: &Option<Dy>,
    upper: &Option<Dy>,
) -> Result<(), Fault> {
    match stab {
        Stab::Active => match lower {
            Some(l) if l.sign() != Ordering::Less => {}
            Some(l) => {
                return Err(Fault::failed(
                    spath,
                    format!(
                        "claimed stably active, but its lower bound {} is < 0",
                        l.approx()
                    ),
                ))
            }
            None => {
                return Err(Fault::failed(
                    spath,
                    "claimed stably active without a lower bound",
                ))
            }
        },
        Stab::Inactive => match upper {
            Some(v) if v.sign() != Ordering::Greater => {}
            Some(v) => {
                return Err(Fault::failed(
                    spath,
                    format!(
                        "claimed stably inactive, but its upper bound {} is > 0",
                        v.approx()
                    ),
                ))
            }
            None => {
                return Err(Fault::failed(
                    spath,
                    "claimed stably inactive without an upper bound",
                ))
            }
        },
        Stab::Unstable => {}
    }
    Ok(())
}

/// The triangle h ≤ s z + τ holds for h = σ(z) on [l, u] (l < 0 < u) iff it holds at both ends
/// (σ is convex): τ ≥ −s l and τ ≥ u − s u. The format also asks s ≥ 0.
fn check_triangle(l: &Dy, u: &Dy, s: &Dy, tau: &Dy) -> Result<(), String> {
    if s.sign() == Ordering::Less {
        return Err(format!("slope s = {} < 0", s.approx()));
    }
    let at_l = s.mul(l).neg();
    if tau.cmp(&at_l) == Ordering::Less {
        return Err(format!(
            "τ = {} < −s·l = {}: the line is below σ at the lower bound",
            tau.approx(),
            at_l.approx()
        ));
    }
    let at_u = u.sub(&s.mul(u));
    if tau.cmp(&at_u) == Ordering::Less {
        return Err(format!(
            "τ = {} < u − s·u = {}: the line is below σ at the upper bound",
            tau.approx(),
            at_u.approx()
        ));
    }
    Ok(())
}

//! Exact polygons of the linear regions of a network with 2 inputs inside a convex polygon.
//!
//! On the region with activation pattern p, the pre-activation of hidden unit i of layer l is the
//! affine function a·x + β given by [`Network::pre_activation_maps`] on the pattern of layers
//! 1..l−1; the region is the intersection of the half-planes a·x + β ≥ 0 (unit on) and
//! a·x + β ≤ 0 (unit off) over all hidden units (docs/math.md#13-affine-maps-on-a-pattern,
//! [`Network::region_halfspaces`]).
//! Intersected with the convex domain polygon by Sutherland–Hodgman, this gives the region's
//! polygon without sampling.

use super::polygon::Polygon;
use crate::error::{Error, Result};
use crate::network::{ActivationPattern, Network};
use ndarray::Array1;
use serde::Serialize;

/// One linear region of the slice: its pattern, an interior point and its polygon (plane
/// coordinates, clipped to the domain polygon).
#[derive(Clone, Debug, Serialize)]
pub struct SliceRegion {
    /// The activation pattern in compact form (`1` on, `0` off, layers separated by `|`).
    pub pattern: String,
    /// A point strictly inside the region and the domain (plane coordinates).
    pub witness: [f64; 2],
    /// The region's polygon inside the domain, in plane coordinates.
    pub polygon: Polygon,
    /// Its area, in plane units².
    pub area: f64,
}

/// The polygon of the region with `pattern` of the 2-input network `net2`, inside `domain`.
pub fn region_polygon(
    net2: &Network,
    pattern: &ActivationPattern,
    domain: &Polygon,
) -> Result<Polygon> {
    if net2.input_dim() != 2 {
        return Err(Error::invalid(format!(
            "region polygons need a network with 2 inputs; this one has {}",
            net2.input_dim()
        )));
    }
    let widths = net2.hidden_widths();
    let shape_ok = pattern.layers.len() == widths.len()
        && pattern
            .layers
            .iter()
            .zip(&widths)
            .all(|(l, w)| l.len() == *w);
    if !shape_ok {
        return Err(Error::invalid(format!(
            "activation pattern {} does not match the hidden widths {widths:?}",
            pattern.to_compact()
        )));
    }
    // Units constant on the plane are left out: either the whole region or nothing; the witness
    // check of the caller catches an inconsistent constant.
    // the rows of `Network::region_halfspaces`, read in place (no allocation per unit)
    let maps = net2.pre_activation_maps(&pattern.layers);
    let rows = maps.iter().zip(&pattern.layers).flat_map(|(map, sides)| {
        sides.iter().enumerate().filter_map(move |(unit, &on)| {
            let (a, b) = ([map.a[[unit, 0]], map.a[[unit, 1]]], map.b[unit]);
            let constant = a[0] == 0.0 && a[1] == 0.0;
            (!constant).then_some((a, b, on))
        })
    });
    let mut poly = domain.clone();
    let mut disc = enclosing_disc(&poly);
    for (a, b, on) in rows {
        let (a, b) = if on { (a, b) } else { ([-a[0], -a[1]], -b) };
        if keeps_whole_disc(a, b, disc) {
            continue;
        }
        poly = poly.clip(a, b);
        if poly.is_empty() {
            return Ok(poly);
        }
        disc = enclosing_disc(&poly);
    }
    Ok(poly)
}

/// A disc (center, radius) holding every vertex of `poly`: its vertex mean and the largest
/// distance to a vertex, widened by a relative 1e-9 against rounding.
fn enclosing_disc(poly: &Polygon) -> ([f64; 2], f64) {
    let c = poly.vertex_mean();
    let r = poly
        .vertices
        .iter()
        .map(|v| (v[0] - c[0]).hypot(v[1] - c[1]))
        .fold(0.0, f64::max);
    (c, r * (1.0 + 1e-9))
}

/// Whether the half-plane a·x + b ≥ 0 holds the whole disc with room to spare, so that clipping
/// by it would change nothing: a wide layer's region meets most of its units' lines nowhere
/// (2→10⁵→1: 10⁵ clips of a polygon of hundreds of vertices per region, 20 s a picture, became
/// one dot product each).
fn keeps_whole_disc(a: [f64; 2], b: f64, (c, r): ([f64; 2], f64)) -> bool {
    let at_center = a[0] * c[0] + a[1] * c[1] + b;
    let reach = (a[0] * a[0] + a[1] * a[1]).sqrt() * r;
    at_center.is_finite() && at_center - reach > 1e-9 * (at_center.abs() + reach)
}

/// Builds the polygon of every (witness, pattern) pair found by the enumerator, and checks that
/// each witness lies inside its polygon up to `1e-9 ×` the domain's extent.
///
/// When `drop_empty` is set (a general-plane L∞ slice, enumerated in the bounding box of the
/// domain polygon), regions whose polygon has area ≤ `1e-12 ×` the domain area are dropped and a
/// witness outside the domain polygon is replaced by the polygon's vertex mean.
pub fn polygons_from_witnesses(
    net2: &Network,
    domain: &Polygon,
    found: &[(Array1<f64>, ActivationPattern)],
    drop_empty: bool,
) -> Result<Vec<SliceRegion>> {
    let (lo, hi) = domain.bounding_box();
    let extent = (hi[0] - lo[0]).max(hi[1] - lo[1]);
    let area_floor = 1e-12 * domain.area();
    let mut out = Vec::with_capacity(found.len());
    for (w, pattern) in found {
        if w.len() != 2 {
            return Err(Error::invalid(format!(
                "witness of region {} has {} coordinates; expected 2",
                pattern.to_compact(),
                w.len()
            )));
        }
        let polygon = region_polygon(net2, pattern, domain)?;
        let area = polygon.area();
        let mut witness = [w[0], w[1]];
        if drop_empty {
            if area <= area_floor {
                continue;
            }
            if domain.depth(witness) <= 0.0 {
                witness = polygon.vertex_mean();
            }
        }
        let depth = polygon.depth(witness);
        if depth < -1e-9 * extent {
            return Err(Error::invalid(format!(
                "region {}: witness ({}, {}) lies {:.3e} outside its polygon; the enumerator and the \
                 polygon construction disagree",
                pattern.to_compact(),
                witness[0],
                witness[1],
                -depth
            )));
        }
        out.push(SliceRegion {
            pattern: pattern.to_compact(),
            witness,
            polygon,
            area,
        });
    }
    Ok(out)
}

/// An independent, purely geometric enumeration of the regions of a 2-input network inside a
/// convex polygon: split the polygon by every hidden unit in layer order, keeping both sides
/// where each has area above `rel_area × domain area`. The pre-activations of layer l are affine
/// on each piece once the pattern of layers < l is fixed, so every split is by a straight line.
/// Floating-point and area-threshold based: a cross-check of the certified enumerator and a
/// fallback, not a certificate.
pub fn split_regions(net2: &Network, domain: &Polygon, rel_area: f64) -> Result<Vec<SliceRegion>> {
    if net2.input_dim() != 2 {
        return Err(Error::invalid(format!(
            "slice regions need a network with 2 inputs; this one has {}",
            net2.input_dim()
        )));
    }
    let floor = rel_area * domain.area();
    let mut out = Vec::new();
    let mut stack: Vec<(Polygon, Vec<Vec<bool>>)> = vec![(domain.clone(), Vec::new())];
    let depth = net2.depth();
    while let Some((poly, prefix)) = stack.pop() {
        if prefix.len() == depth {
            let pattern = ActivationPattern::new(prefix);
            let area = poly.area();
            let witness = poly.vertex_mean();
            out.push(SliceRegion {
                pattern: pattern.to_compact(),
                witness,
                polygon: poly,
                area,
            });
            continue;
        }
        let l = prefix.len();
        let map = net2.pre_activation_maps(&prefix).swap_remove(l);
        // Split by every unit of layer l, collecting (piece, mask) pairs.
        let mut pieces: Vec<(Polygon, Vec<bool>)> = vec![(poly, Vec::new())];
        for i in 0..map.units() {
            let (a, b) = ([map.a[[i, 0]], map.a[[i, 1]]], map.b[i]);
            let mut next = Vec::with_capacity(pieces.len() * 2);
            for (p, mask) in pieces {
                let on = p.clip(a, b);
                let off = p.clip([-a[0], -a[1]], -b);
                let (aon, aoff) = (on.area(), off.area());
                if aon > floor && aoff > floor {
                    next.push((on, push(&mask, true)));
                    next.push((off, push(&mask, false)));
                } else {
                    // One side only: the unit's sign there is the sign at an interior point.
                    let m = p.vertex_mean();
                    let side = a[0] * m[0] + a[1] * m[1] + b > 0.0;
                    next.push((p, push(&mask, side)));
                }
            }
            pieces = next;
        }
        for (p, mask) in pieces {
            let mut pre = prefix.clone();
            pre.push(mask);
            stack.push((p, pre));
        }
    }
    out.sort_by(|x, y| x.pattern.cmp(&y.pattern));
    Ok(out)
}

fn push(mask: &[bool], b: bool) -> Vec<bool> {
    let mut m = mask.to_vec();
    m.push(b);
    m
}

//! Region colours: a fixed palette, assigned greedily so that regions sharing an edge differ.

use crate::slice::Polygon;
use plotters::style::RGBColor;

/// ColorBrewer Set3 (12) followed by Pastel1 (9): light colours on which black boundaries show.
pub const PALETTE: [RGBColor; 21] = [
    RGBColor(141, 211, 199),
    RGBColor(255, 255, 179),
    RGBColor(190, 186, 218),
    RGBColor(251, 128, 114),
    RGBColor(128, 177, 211),
    RGBColor(253, 180, 98),
    RGBColor(179, 222, 105),
    RGBColor(252, 205, 229),
    RGBColor(217, 217, 217),
    RGBColor(188, 128, 189),
    RGBColor(204, 235, 197),
    RGBColor(255, 237, 111),
    RGBColor(251, 180, 174),
    RGBColor(179, 205, 227),
    RGBColor(204, 235, 197),
    RGBColor(222, 203, 228),
    RGBColor(254, 217, 166),
    RGBColor(255, 255, 204),
    RGBColor(229, 216, 189),
    RGBColor(253, 218, 236),
    RGBColor(242, 242, 242),
];

/// A palette index per polygon, deterministic (polygons in the given order), such that two
/// polygons sharing a boundary segment of positive length get different colours whenever the
/// palette allows (greedy colouring of the adjacency graph; planar graphs need far fewer than 21).
pub fn assign_colours(polys: &[Polygon]) -> Vec<usize> {
    let eps = extent(polys) * 1e-9;
    let boxes: Vec<_> = polys.iter().map(Polygon::bounding_box).collect();
    let mut neighbours: Vec<Vec<usize>> = vec![Vec::new(); polys.len()];
    for i in 0..polys.len() {
        for j in i + 1..polys.len() {
            let (a, b) = (&boxes[i], &boxes[j]);
            let apart = a.1[0] + eps < b.0[0]
                || b.1[0] + eps < a.0[0]
                || a.1[1] + eps < b.0[1]
                || b.1[1] + eps < a.0[1];
            if !apart && share_edge(&polys[i], &polys[j], eps) {
                neighbours[i].push(j);
                neighbours[j].push(i);
            }
        }
    }
    let mut colour = vec![usize::MAX; polys.len()];
    for i in 0..polys.len() {
        let used: Vec<usize> = neighbours[i]
            .iter()
            .map(|&j| colour[j])
            .filter(|&c| c != usize::MAX)
            .collect();
        // Start the search at a colour that moves with i, so that the picture uses the whole
        // palette rather than the two colours a line arrangement would need.
        let start = (i * 8) % PALETTE.len();
        colour[i] = (0..PALETTE.len())
            .map(|k| (start + k) % PALETTE.len())
            .find(|c| !used.contains(c))
            .unwrap_or(start);
    }
    colour
}

fn extent(polys: &[Polygon]) -> f64 {
    polys
        .iter()
        .map(|p| {
            let (lo, hi) = p.bounding_box();
            (hi[0] - lo[0]).max(hi[1] - lo[1])
        })
        .fold(0.0, f64::max)
        .max(f64::MIN_POSITIVE)
}

/// Two convex polygons share a boundary segment of positive length iff at least two distinct
/// points among their vertices lie on both boundaries (within eps).
fn share_edge(a: &Polygon, b: &Polygon, eps: f64) -> bool {
    let mut common: Vec<[f64; 2]> = Vec::new();
    for (p, q) in [(a, b), (b, a)] {
        for &v in &p.vertices {
            if on_boundary(q, v, eps)
                && on_boundary(p, v, eps)
                && !common.iter().any(|c| dist(*c, v) <= 10.0 * eps)
            {
                common.push(v);
                if common.len() >= 2 {
                    return true;
                }
            }
        }
    }
    false
}

fn on_boundary(poly: &Polygon, p: [f64; 2], eps: f64) -> bool {
    let v = &poly.vertices;
    (0..v.len()).any(|k| segment_distance(p, v[k], v[(k + 1) % v.len()]) <= eps)
}

fn segment_distance(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    dist(p, [a[0] + t * dx, a[1] + t * dy])
}

fn dist(a: [f64; 2], b: [f64; 2]) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neighbours_differ_and_colouring_is_deterministic() {
        // Four unit squares around the origin: edge neighbours must differ.
        let sq = |x: f64, y: f64| {
            Polygon::new(vec![[x, y], [x + 1.0, y], [x + 1.0, y + 1.0], [x, y + 1.0]])
        };
        let polys = vec![sq(-1.0, -1.0), sq(0.0, -1.0), sq(0.0, 0.0), sq(-1.0, 0.0)];
        let c = assign_colours(&polys);
        for (i, j) in [(0, 1), (1, 2), (2, 3), (3, 0)] {
            assert_ne!(c[i], c[j]);
        }
        // Deterministic.
        assert_eq!(c, assign_colours(&polys));
        // A T-junction: a long rectangle below two squares neighbours both.
        let long = Polygon::new(vec![[-1.0, -2.0], [1.0, -2.0], [1.0, -1.0], [-1.0, -1.0]]);
        let polys = vec![sq(-1.0, -1.0), sq(0.0, -1.0), long];
        let c = assign_colours(&polys);
        assert!(c[2] != c[0] && c[2] != c[1] && c[0] != c[1]);
    }
}

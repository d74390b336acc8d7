//! Convex polygons in the plane of a slice, and the one operation the slice needs on them:
//! clipping by a half-plane (Sutherland & Hodgman, "Reentrant polygon clipping", CACM 1974,
//! specialised to one clip edge at a time). All polygons here are convex and counter-clockwise.

use serde::Serialize;

/// A convex polygon, vertices counter-clockwise, no repeated closing vertex.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Polygon {
    /// The vertices (x, y), counter-clockwise.
    pub vertices: Vec<[f64; 2]>,
}

impl Polygon {
    /// The polygon with these vertices (expected convex and counter-clockwise).
    pub fn new(vertices: Vec<[f64; 2]>) -> Self {
        Polygon { vertices }
    }

    /// The axis-aligned square [-h, h]².
    pub fn square(h: f64) -> Self {
        Polygon::new(vec![[-h, -h], [h, -h], [h, h], [-h, h]])
    }

    /// The regular polygon with `n` vertices *circumscribed* about the circle of radius `r`
    /// around the origin: its edges touch the circle, so it contains the disc. Its circumradius is
    /// r / cos(π/n) and its area n r² tan(π/n), which exceeds π r² by the relative amount
    /// tan(π/n)/(π/n) − 1 ≈ (π/n)²/3 (1.6·10⁻⁶ for n = 1,440); see [`circumscribed_excess`].
    pub fn circumscribed_regular(n: usize, r: f64) -> Self {
        let n = n.max(3);
        let step = std::f64::consts::TAU / n as f64;
        let rho = r / (step / 2.0).cos();
        // Vertices at angles (k + ½)·step so that edge k touches the circle at angle k·step.
        Polygon::new(
            (0..n)
                .map(|k| {
                    let a = (k as f64 + 0.5) * step;
                    [rho * a.cos(), rho * a.sin()]
                })
                .collect(),
        )
    }

    /// Whether the polygon has no vertices (an empty intersection).
    pub fn is_empty(&self) -> bool {
        self.vertices.len() < 3
    }

    /// Signed area by the shoelace formula ½ Σ (x_k y_{k+1} − x_{k+1} y_k); positive for
    /// counter-clockwise vertices, 0 for fewer than 3 vertices.
    pub fn area(&self) -> f64 {
        let v = &self.vertices;
        if v.len() < 3 {
            return 0.0;
        }
        let mut s = 0.0;
        for k in 0..v.len() {
            let (p, q) = (v[k], v[(k + 1) % v.len()]);
            s += p[0] * q[1] - q[0] * p[1];
        }
        s / 2.0
    }

    /// The vertex average: a point strictly inside a non-degenerate convex polygon.
    pub fn vertex_mean(&self) -> [f64; 2] {
        let n = self.vertices.len().max(1) as f64;
        let (sx, sy) = self
            .vertices
            .iter()
            .fold((0.0, 0.0), |(a, b), p| (a + p[0], b + p[1]));
        [sx / n, sy / n]
    }

    /// (min corner, max corner) of the vertices.
    pub fn bounding_box(&self) -> ([f64; 2], [f64; 2]) {
        let mut lo = [f64::INFINITY; 2];
        let mut hi = [f64::NEG_INFINITY; 2];
        for p in &self.vertices {
            for i in 0..2 {
                lo[i] = lo[i].min(p[i]);
                hi[i] = hi[i].max(p[i]);
            }
        }
        (lo, hi)
    }

    /// How far inside the polygon `p` lies: the smallest signed distance from `p` to the lines of
    /// the edges (positive inside, negative outside). `-∞` for an empty polygon.
    pub fn depth(&self, p: [f64; 2]) -> f64 {
        let v = &self.vertices;
        if v.len() < 3 {
            return f64::NEG_INFINITY;
        }
        let mut d = f64::INFINITY;
        for k in 0..v.len() {
            let (a, b) = (v[k], v[(k + 1) % v.len()]);
            let (ex, ey) = (b[0] - a[0], b[1] - a[1]);
            let len = (ex * ex + ey * ey).sqrt();
            if len == 0.0 {
                continue;
            }
            // Left of a counter-clockwise edge is inside.
            d = d.min((ex * (p[1] - a[1]) - ey * (p[0] - a[0])) / len);
        }
        d
    }

    /// The part of the polygon where `a·x + beta ≥ 0` (one Sutherland–Hodgman pass). Crossing
    /// points are interpolated on the edge between a vertex with a positive and one with a
    /// negative value; consecutive vertices closer than `1e-15 ×` the polygon's extent merge.
    pub fn clip(&self, a: [f64; 2], beta: f64) -> Polygon {
        let v = &self.vertices;
        if v.len() < 3 {
            return Polygon::new(Vec::new());
        }
        let h = |p: [f64; 2]| a[0] * p[0] + a[1] * p[1] + beta;
        let mut out: Vec<[f64; 2]> = Vec::with_capacity(v.len() + 1);
        for k in 0..v.len() {
            let (p, q) = (v[k], v[(k + 1) % v.len()]);
            let (hp, hq) = (h(p), h(q));
            if hp >= 0.0 {
                out.push(p);
            }
            if (hp >= 0.0) != (hq >= 0.0) {
                let t = hp / (hp - hq);
                out.push([p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])]);
            }
        }
        let (lo, hi) = self.bounding_box();
        let tol = 1e-15
            * (hi[0] - lo[0])
                .abs()
                .max((hi[1] - lo[1]).abs())
                .max(f64::MIN_POSITIVE);
        out.dedup_by(|q, p| (q[0] - p[0]).abs() <= tol && (q[1] - p[1]).abs() <= tol);
        while out.len() > 1 {
            let (f, l) = (out[0], out[out.len() - 1]);
            if (f[0] - l[0]).abs() <= tol && (f[1] - l[1]).abs() <= tol {
                out.pop();
            } else {
                break;
            }
        }
        if out.len() < 3 {
            out.clear();
        }
        Polygon::new(out)
    }
}

/// Relative area excess of the regular n-gon circumscribed about a circle over the disc:
/// n tan(π/n) / π − 1.
pub fn circumscribed_excess(n: usize) -> f64 {
    let n = n.max(3) as f64;
    n * (std::f64::consts::PI / n).tan() / std::f64::consts::PI - 1.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn square_area_and_clip_by_diagonal() {
        let sq = Polygon::square(1.0);
        assert_eq!(sq.area(), 4.0);
        // x + y ≥ 0 keeps half the square.
        let half = sq.clip([1.0, 1.0], 0.0);
        assert!((half.area() - 2.0).abs() < 1e-15);
        assert_eq!(half.vertices.len(), 3);
        // x ≥ 2 keeps nothing, x ≥ -2 keeps everything.
        assert!(sq.clip([1.0, 0.0], -2.0).is_empty());
        assert_eq!(sq.clip([1.0, 0.0], 2.0).area(), 4.0);
    }

    #[test]
    fn circumscribed_polygon_contains_disc_with_stated_excess() {
        let r = 0.7;
        let p = Polygon::circumscribed_regular(1440, r);
        let disc = std::f64::consts::PI * r * r;
        let excess = circumscribed_excess(1440);
        assert!(excess > 0.0 && excess < 1.7e-6);
        assert!((p.area() / disc - 1.0 - excess).abs() < 1e-12);
        // Every edge touches the circle: the center is at depth exactly r.
        assert!((p.depth([0.0, 0.0]) - r).abs() < 1e-12);
        // A point just inside the circle in any direction is inside the polygon.
        for k in 0..97 {
            let a = k as f64 * 0.0647;
            assert!(p.depth([0.999999 * r * a.cos(), 0.999999 * r * a.sin()]) > 0.0);
        }
    }

    #[test]
    fn depth_signs() {
        let sq = Polygon::square(1.0);
        assert!((sq.depth([0.5, 0.0]) - 0.5).abs() < 1e-15);
        assert!(sq.depth([1.5, 0.0]) < 0.0);
    }
}

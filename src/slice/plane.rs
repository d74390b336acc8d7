//! The 2-D affine plane of a slice, {c + s u + t v : (s, t) ∈ R²}, with u, v orthonormal, and
//! the network restricted to it.

use super::polygon::Polygon;
use crate::domain::Norm;
use crate::error::{Error, Field, Result};
use crate::network::{Layer, Network};
use ndarray::{Array1, Array2};
use serde::Serialize;

/// How the user chose the plane's two directions.
#[derive(Clone, Debug, PartialEq)]
pub enum PlaneSpec {
    /// Coordinate axes e_i, e_j (0-based); the default is (0, 1).
    Axes(usize, usize),
    /// Two directions u, v (any length, not parallel).
    Directions(Array1<f64>, Array1<f64>),
    /// The directions P1 − c and P2 − c through two points.
    Through(Array1<f64>, Array1<f64>),
}

/// An affine plane through `center` with orthonormal directions `u`, `v`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Plane {
    /// A point of the plane, in input coordinates; (s, t) = (0, 0).
    pub center: Vec<f64>,
    /// First direction (unit length), the s axis.
    pub u: Vec<f64>,
    /// Second direction (unit length, orthogonal to `u`), the t axis.
    pub v: Vec<f64>,
}

impl Plane {
    /// Builds the plane of `spec` through `center`, orthonormalizing the two directions by
    /// Gram–Schmidt: u = d₁/‖d₁‖, v = w/‖w‖ with w = d₂ − (d₂·u) u. Because u, v are
    /// orthonormal, ‖s u + t v‖₂ = ‖(s, t)‖₂: the L2 ball restricted to the plane is the disc of
    /// the same radius in plane coordinates.
    ///
    /// Errors when a direction or point has the wrong length or is not finite
    /// ([`Error::DimensionMismatch`], [`Error::InvalidValue`]), an axis index is out of range
    /// ([`Error::IndexOutOfRange`]) or repeated, a direction is zero (a point is the center), or
    /// the two directions are parallel (‖w‖ ≤ 10⁻¹⁰ ‖d₂‖).
    pub fn new(center: &Array1<f64>, spec: &PlaneSpec) -> Result<Plane> {
        let n = center.len();
        let (d1, d2) = match spec {
            PlaneSpec::Axes(i, j) => {
                if let Some(&index) = [*i, *j].iter().find(|k| **k >= n) {
                    return Err(Error::IndexOutOfRange {
                        field: Field::PlaneAxes,
                        index,
                        len: n,
                    });
                }
                if i == j {
                    return Err(Error::invalid_value(
                        Field::PlaneAxes,
                        "the same axis twice",
                        "two different input axes",
                    ));
                }
                let mut a = Array1::zeros(n);
                let mut b = Array1::zeros(n);
                a[*i] = 1.0;
                b[*j] = 1.0;
                (a, b)
            }
            PlaneSpec::Directions(a, b) => {
                check_len(Field::PlaneDirection(0), a, n)?;
                check_len(Field::PlaneDirection(1), b, n)?;
                (a.clone(), b.clone())
            }
            PlaneSpec::Through(p1, p2) => {
                check_len(Field::PlanePoint(0), p1, n)?;
                check_len(Field::PlanePoint(1), p2, n)?;
                (p1 - center, p2 - center)
            }
        };
        let n1 = d1.dot(&d1).sqrt();
        let n2 = d2.dot(&d2).sqrt();
        for (k, length) in [n1, n2].into_iter().enumerate() {
            if !(length > 0.0 && length.is_finite()) {
                return Err(match spec {
                    PlaneSpec::Through(..) => Error::invalid_value(
                        Field::PlanePoint(k),
                        format!("a point at distance {length} from the center"),
                        "a point other than the center, at a finite distance",
                    ),
                    _ => Error::invalid_value(
                        Field::PlaneDirection(k),
                        format!("a vector of length {length}"),
                        "a non-zero finite vector",
                    ),
                });
            }
        }
        let u = &d1 / n1;
        let w = &d2 - &(&u * d2.dot(&u));
        let nw = w.dot(&w).sqrt();
        if nw <= 1e-10 * n2 {
            return Err(match spec {
                PlaneSpec::Through(..) => Error::invalid_value(
                    Field::PlanePoint(1),
                    "a point on the line through the center and the first point",
                    "a point off that line (two linearly independent directions)",
                ),
                _ => Error::invalid_value(
                    Field::PlaneDirection(1),
                    "a direction parallel to the first",
                    "two linearly independent directions",
                ),
            });
        }
        let v = &w / nw;
        Ok(Plane {
            center: center.to_vec(),
            u: u.to_vec(),
            v: v.to_vec(),
        })
    }

    /// The input-space point c + s u + t v.
    pub fn point(&self, s: f64, t: f64) -> Array1<f64> {
        Array1::from_iter(
            (0..self.center.len()).map(|i| self.center[i] + s * self.u[i] + t * self.v[i]),
        )
    }

    /// Whether both directions are coordinate axes (±e_i, ±e_j), so that the L∞ box restricted to
    /// the plane is exactly the square (s, t) ∈ (−r, r)².
    pub fn is_axis_aligned(&self) -> bool {
        let unit = |d: &[f64]| {
            d.iter().filter(|x| **x != 0.0).count() == 1 && d.iter().any(|x| x.abs() == 1.0)
        };
        unit(&self.u) && unit(&self.v)
    }

    /// The domain restricted to the plane, in plane coordinates (s, t) around the origin:
    /// - L2: the disc of radius r, as the regular polygon with `circle_vertices` vertices
    ///   circumscribed about it (it contains the disc; relative area excess ≈ (π/n)²/3);
    /// - L∞ on an axis-aligned plane: the square (−r, r)²;
    /// - L∞ on a general plane: {(s, t) : |s u_i + t v_i| < r for every i}, obtained by clipping
    ///   the square |s|, |t| ≤ r√n (which contains it, since ‖(s, t)‖₂ = ‖s u + t v‖₂ ≤ √n r)
    ///   by the 2n half-planes ±(s u_i + t v_i) ≤ r.
    pub fn domain_polygon(&self, norm: Norm, radius: f64, circle_vertices: usize) -> Polygon {
        match norm {
            Norm::L2 => Polygon::circumscribed_regular(circle_vertices, radius),
            Norm::Linf if self.is_axis_aligned() => Polygon::square(radius),
            Norm::Linf => {
                let big = radius * (self.center.len() as f64).sqrt() * 1.000001;
                let mut p = Polygon::square(big);
                for i in 0..self.center.len() {
                    let a = [self.u[i], self.v[i]];
                    if a[0] == 0.0 && a[1] == 0.0 {
                        continue;
                    }
                    p = p.clip([-a[0], -a[1]], radius).clip(a, radius);
                }
                p
            }
        }
    }

    /// The network restricted to the plane: a network with 2 inputs (s, t) whose first layer is
    /// W₁ [u v] with bias b₁ + W₁ c and whose other layers are unchanged, so that
    /// g(s, t) = f(c + s u + t v) exactly (up to floating-point rounding of the products).
    /// An input normalization of the original network is not carried over: the plane lives in
    /// the space the weights act on (the normalized space of an NNet file).
    pub fn restrict(&self, net: &Network) -> Result<Network> {
        if net.input_dim() != self.center.len() {
            return Err(Error::DimensionMismatch {
                field: Field::Center,
                got: self.center.len(),
                expected: net.input_dim(),
            });
        }
        let first = &net.layers()[0];
        let w = net.first_weight();
        let n = self.center.len();
        let uv = Array2::from_shape_fn((n, 2), |(i, k)| if k == 0 { self.u[i] } else { self.v[i] });
        let c = Array1::from_vec(self.center.clone());
        let mut layers = Vec::with_capacity(net.layers().len());
        layers.push(Layer::new(w.dot(&uv), &first.bias + &w.dot(&c)));
        layers.extend(net.layers()[1..].iter().cloned());
        Network::new(layers)
    }
}

/// The plane as a front end gives it: two input axes I J (1-based, as the picture's axis names
/// x_I, x_J), two directions U V, or two points P1 P2 (each a list of numbers, see
/// [`parse_number_list`](crate::points::parse_number_list)); at most one of them; none gives the
/// first two coordinate axes. Errors are about [`Field::PlaneAxes`], [`Field::PlaneDirection`],
/// [`Field::PlanePoint`] or, for more than one choice, [`Field::Plane`].
pub fn plane_spec_from_args(
    axes_one_based: Option<(usize, usize)>,
    directions: Option<(&str, &str)>,
    through: Option<(&str, &str)>,
) -> Result<PlaneSpec> {
    let given: Vec<&str> = [
        (axes_one_based.is_some(), "axes"),
        (directions.is_some(), "directions"),
        (through.is_some(), "points"),
    ]
    .into_iter()
    .filter_map(|(g, name)| g.then_some(name))
    .collect();
    if given.len() > 1 {
        return Err(Error::invalid_value(
            Field::Plane,
            format!("{} together", given.join(" and ")),
            "at most one of axes, directions and points",
        ));
    }
    let list = crate::points::parse_number_list;
    if let Some((i, j)) = axes_one_based {
        if i == 0 || j == 0 {
            return Err(Error::invalid_value(
                Field::PlaneAxes,
                format!("{i} {j}"),
                "input indices from 1 (1-based)",
            ));
        }
        return Ok(PlaneSpec::Axes(i - 1, j - 1));
    }
    if let Some((u, v)) = directions {
        return Ok(PlaneSpec::Directions(
            list(u, Field::PlaneDirection(0))?,
            list(v, Field::PlaneDirection(1))?,
        ));
    }
    if let Some((p1, p2)) = through {
        return Ok(PlaneSpec::Through(
            list(p1, Field::PlanePoint(0))?,
            list(p2, Field::PlanePoint(1))?,
        ));
    }
    Ok(PlaneSpec::Axes(0, 1))
}

/// `x` has one finite coordinate per input of the network (`n`).
fn check_len(field: Field, x: &Array1<f64>, n: usize) -> Result<()> {
    if x.len() != n {
        return Err(Error::DimensionMismatch {
            field,
            got: x.len(),
            expected: n,
        });
    }
    if let Some((i, v)) = x.indexed_iter().find(|(_, v)| !v.is_finite()) {
        return Err(Error::invalid_value(
            field,
            format!("coordinate {i} = {v}"),
            "finite coordinates",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn gram_schmidt_is_orthonormal_and_spans_the_directions() {
        let c = array![1.0, 2.0, 3.0];
        let p = Plane::new(
            &c,
            &PlaneSpec::Directions(array![2.0, 0.0, 0.0], array![1.0, 1.0, 0.0]),
        )
        .unwrap();
        assert_eq!(p.u, vec![1.0, 0.0, 0.0]);
        assert_eq!(p.v, vec![0.0, 1.0, 0.0]);
        assert!(p.is_axis_aligned());
        let parallel = PlaneSpec::Directions(array![1.0, 1.0, 0.0], array![-2.0, -2.0, 0.0]);
        assert!(matches!(
            Plane::new(&c, &parallel),
            Err(Error::InvalidValue {
                field: Field::PlaneDirection(1),
                ..
            })
        ));
        assert!(matches!(
            Plane::new(&c, &PlaneSpec::Axes(0, 3)),
            Err(Error::IndexOutOfRange {
                field: Field::PlaneAxes,
                index: 3,
                len: 3
            })
        ));
        assert!(matches!(
            Plane::new(&c, &PlaneSpec::Axes(1, 1)),
            Err(Error::InvalidValue {
                field: Field::PlaneAxes,
                ..
            })
        ));
        assert!(matches!(
            Plane::new(&c, &PlaneSpec::Through(c.clone(), array![0.0, 0.0, 0.0])),
            Err(Error::InvalidValue {
                field: Field::PlanePoint(0),
                ..
            })
        ));
        assert!(matches!(
            Plane::new(
                &c,
                &PlaneSpec::Directions(array![1.0, 0.0], array![0.0, 1.0, 0.0])
            ),
            Err(Error::DimensionMismatch {
                field: Field::PlaneDirection(0),
                got: 2,
                expected: 3
            })
        ));
    }

    #[test]
    fn command_line_planes() {
        assert_eq!(
            plane_spec_from_args(None, None, None).unwrap(),
            PlaneSpec::Axes(0, 1)
        );
        assert_eq!(
            plane_spec_from_args(Some((2, 5)), None, None).unwrap(),
            PlaneSpec::Axes(1, 4)
        );
        assert!(matches!(
            plane_spec_from_args(Some((0, 1)), None, None),
            Err(Error::InvalidValue { field: Field::PlaneAxes, value, .. }) if value == "0 1"
        ));
        assert_eq!(
            plane_spec_from_args(None, Some(("1,0", "0,-1")), None).unwrap(),
            PlaneSpec::Directions(array![1.0, 0.0], array![0.0, -1.0])
        );
        assert!(matches!(
            plane_spec_from_args(Some((1, 2)), None, Some(("1,0", "0,1"))),
            Err(Error::InvalidValue {
                field: Field::Plane,
                ..
            })
        ));
        assert!(matches!(
            plane_spec_from_args(None, None, Some(("1,x", "0,1"))),
            Err(Error::InvalidValue { field: Field::PlanePoint(0), value, .. })
                if value == "value 2 (\"x\") at character 3"
        ));
        assert!(matches!(
            plane_spec_from_args(None, Some(("1,0", "0,x")), None),
            Err(Error::InvalidValue {
                field: Field::PlaneDirection(1),
                ..
            })
        ));
    }

    #[test]
    fn linf_polygon_of_a_diagonal_plane() {
        // Plane spanned by (e1 + e2)/√2 and e3 in R³: |s/√2| < r, |t| < r → a 2√2 r × 2r rectangle.
        let c = array![0.0, 0.0, 0.0];
        let p = Plane::new(
            &c,
            &PlaneSpec::Directions(array![1.0, 1.0, 0.0], array![0.0, 0.0, 1.0]),
        )
        .unwrap();
        assert!(!p.is_axis_aligned());
        let poly = p.domain_polygon(Norm::Linf, 0.5, 1440);
        assert!((poly.area() - 2.0 * 2f64.sqrt() * 0.5 * 1.0).abs() < 1e-12);
        assert_eq!(p.domain_polygon(Norm::Linf, 0.5, 8).vertices.len(), 4);
    }
}

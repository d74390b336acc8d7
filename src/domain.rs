//! The domain in input space (docs/math.md#15-domains): an open ball
//! B(c, r) = {x : ‖x − c‖ < r} in the L2
//! norm, or an open box (the L∞ ball c ± r, or a general box from a VNN-LIB property).

use crate::error::{Error, Field, Result};
use ndarray::{Array1, ArrayView1};
use serde::{Deserialize, Serialize};

/// The norm of a ball.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Norm {
    /// Euclidean ball (the "sphere" of the seed paper).
    L2,
    /// Box c ± r in every coordinate.
    Linf,
}

impl Norm {
    /// The name used on the command line and in reports: `"l2"` or `"linf"`.
    pub fn name(self) -> &'static str {
        match self {
            Norm::L2 => "l2",
            Norm::Linf => "linf",
        }
    }

    /// The dual norm ‖a‖_*: the L2 norm for an L2 ball, the L1 norm for an L∞ box.
    /// max_{‖x−c‖≤r} a·x = a·c + r‖a‖_*.
    pub fn dual(self, a: ArrayView1<f64>) -> f64 {
        match self {
            Norm::L2 => a.dot(&a).sqrt(),
            Norm::Linf => a.iter().map(|v| v.abs()).sum(),
        }
    }
}

impl std::str::FromStr for Norm {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "l2" | "2" | "euclidean" => Ok(Norm::L2),
            "linf" | "inf" | "l_inf" | "box" => Ok(Norm::Linf),
            other => Err(Error::invalid_value(
                Field::Norm,
                format!("'{other}'"),
                "l2 or linf",
            )),
        }
    }
}

/// The shape of the domain around its center.
#[derive(Clone, Debug, PartialEq)]
pub enum Shape {
    /// {x : ‖x − c‖₂ < radius}.
    L2Ball {
        /// The ball radius, positive and finite.
        radius: f64,
    },
    /// {x : |x_i − c_i| < half_widths\[i\] for all i}.
    Box {
        /// Half width of the box along each coordinate, each positive and finite.
        half_widths: Array1<f64>,
    },
}

/// An open ball or box in input space.
#[derive(Clone, Debug, PartialEq)]
pub struct Domain {
    /// The center point c, one entry per network input.
    center: Array1<f64>,
    /// The shape around the center: ball radius or box half widths.
    shape: Shape,
    /// For a box made from bounds (`from_bounds`) that center ± half widths cannot represent
    /// exactly in floating point: the exact bounds (lower, upper). `center` and `shape` are then
    /// the smallest float box found that contains them; the count is of the exact box.
    exact_bounds: Option<(Array1<f64>, Array1<f64>)>,
}

impl Domain {
    /// The open domain of `shape` around `center`: an L2 ball of the given radius or a box of the
    /// given half widths. The center must be finite, the radius or every half width finite and
    /// > 0, with one half width per coordinate.
    pub fn new(center: Array1<f64>, shape: Shape) -> Result<Self> {
        check_finite_center(&center)?;
        match &shape {
            Shape::L2Ball { radius } => check_radius(*radius)?,
            Shape::Box { half_widths } => {
                if half_widths.len() != center.len() {
                    return Err(Error::invalid(format!(
                        "box has {} half widths for a center of {} coordinates; expected the same number",
                        half_widths.len(),
                        center.len()
                    )));
                }
                if let Some((i, w)) = half_widths
                    .indexed_iter()
                    .find(|(_, w)| !(w.is_finite() && **w > 0.0))
                {
                    return Err(Error::invalid(format!(
                        "box coordinate {i}: half width {w} is not a finite number > 0"
                    )));
                }
            }
        }
        Ok(Domain {
            center,
            shape,
            exact_bounds: None,
        })
    }

    /// The open ball B(center, radius) in `norm`. Radius must be finite and > 0, the center finite.
    pub fn ball(center: Array1<f64>, radius: f64, norm: Norm) -> Result<Self> {
        check_radius(radius)?;
        check_finite_center(&center)?;
        let shape = match norm {
            Norm::L2 => Shape::L2Ball { radius },
            Norm::Linf => Shape::Box {
                half_widths: Array1::from_elem(center.len(), radius),
            },
        };
        Ok(Domain {
            center,
            shape,
            exact_bounds: None,
        })
    }

    /// The open box lower < x < upper (a VNN-LIB input box). Requires lower_i < upper_i.
    pub fn from_bounds(lower: &Array1<f64>, upper: &Array1<f64>) -> Result<Self> {
        if lower.len() != upper.len() {
            return Err(Error::invalid(format!(
                "box has {} lower and {} upper bounds; expected the same number",
                lower.len(),
                upper.len()
            )));
        }
        for i in 0..lower.len() {
            if !(lower[i].is_finite() && upper[i].is_finite() && lower[i] < upper[i]) {
                return Err(Error::invalid(format!(
                    "box coordinate {i}: [{}, {}] is not a finite interval with lower < upper",
                    lower[i], upper[i]
                )));
            }
            // every region counted needs a float witness strictly inside the box
            if lower[i].next_up() >= upper[i] {
                return Err(Error::invalid(format!(
                    "box coordinate {i}: [{:e}, {:e}] holds no floating-point number strictly \
                     inside; expected a box at least two floats wide",
                    lower[i], upper[i]
                )));
            }
        }
        // halves first: l/2 + u/2 and u/2 − l/2 cannot overflow
        let center: Array1<f64> = lower.mapv(|l| l / 2.0) + upper.mapv(|u| u / 2.0);
        let mut half_widths: Array1<f64> = upper.mapv(|u| u / 2.0) - lower.mapv(|l| l / 2.0);
        let mut exact = true;
        for i in 0..lower.len() {
            let (c, l, u) = (rat(center[i]), rat(lower[i]), rat(upper[i]));
            // the smallest float w with [c − w, c + w] ⊇ [l, u] (exactly)
            let need = (&c - &l).max(&u - &c);
            if rat(half_widths[i]) < need {
                half_widths[i] = crate::dyadic::rational_to_f64(&need);
                while rat(half_widths[i]) < need {
                    half_widths[i] = half_widths[i].next_up();
                }
            }
            let w = rat(half_widths[i]);
            exact &= &c - &w == l && &c + &w == u;
            if !(half_widths[i] > 0.0 && half_widths[i].is_finite() && center[i].is_finite()) {
                return Err(Error::invalid(format!(
                    "box coordinate {i}: [{:e}, {:e}] cannot be represented as a center and a half width > 0 in floating point (too narrow or too wide)",
                    lower[i], upper[i]
                )));
            }
        }
        Ok(Domain {
            center,
            shape: Shape::Box { half_widths },
            exact_bounds: (!exact).then(|| (lower.clone(), upper.clone())),
        })
    }

    /// The center point c, one entry per network input.
    pub fn center(&self) -> &Array1<f64> {
        &self.center
    }

    /// The shape around the center: ball radius or box half widths.
    pub fn shape(&self) -> &Shape {
        &self.shape
    }

    /// For a box made from bounds ([`Domain::from_bounds`]) that center ± half widths cannot
    /// represent exactly in floating point: the exact bounds (lower, upper). [`Domain::center`]
    /// and [`Domain::shape`] are then the smallest float box found that contains them; the count
    /// is of the exact box. `None` when center ± half widths is the domain exactly.
    pub fn exact_bounds(&self) -> Option<&(Array1<f64>, Array1<f64>)> {
        self.exact_bounds.as_ref()
    }

    /// Dimension of the input space.
    pub fn dim(&self) -> usize {
        self.center.len()
    }

    /// L2 for a Euclidean ball, L∞ for any box.
    pub fn norm(&self) -> Norm {
        match self.shape {
            Shape::L2Ball { .. } => Norm::L2,
            Shape::Box { .. } => Norm::Linf,
        }
    }

    /// The radius of a ball (an L∞ ball is a box with equal half widths); `None` for an uneven box.
    pub fn radius(&self) -> Option<f64> {
        if self.exact_bounds.is_some() {
            return None;
        }
        match &self.shape {
            Shape::L2Ball { radius } => Some(*radius),
            Shape::Box { half_widths } => {
                let first = half_widths[0];
                half_widths.iter().all(|&h| h == first).then_some(first)
            }
        }
    }

    /// The largest half width (the radius of the smallest enclosing L∞ ball).
    pub fn max_half_width(&self) -> f64 {
        match &self.shape {
            Shape::L2Ball { radius } => *radius,
            Shape::Box { half_widths } => half_widths.iter().cloned().fold(0.0, f64::max),
        }
    }

    /// Support function around the center: max over the closed domain of a·(x − c).
    /// L2 ball: r‖a‖₂; box: Σ h_i |a_i|.
    pub fn support(&self, a: ArrayView1<f64>) -> f64 {
        match &self.shape {
            Shape::L2Ball { radius } => radius * a.dot(&a).sqrt(),
            Shape::Box { half_widths } => a
                .iter()
                .zip(half_widths.iter())
                .map(|(ai, hi)| ai.abs() * hi)
                .sum(),
        }
    }

    /// The interval {a·x + b : x in the closed domain} = a·c + b ± support(a), widened by the
    /// rounding allowance of its computation (`tolerance::rounding_allowance`), so it encloses
    /// the exact range.
    pub fn affine_range(&self, a: ArrayView1<f64>, b: f64) -> (f64, f64) {
        if let (Some(av), Some(cv), Shape::Box { half_widths }) =
            (a.as_slice(), self.center.as_slice(), &self.shape)
        {
            if let Some(wv) = half_widths.as_slice() {
                // one pass over a box (the hot case of the enumerator): the same sums as below
                let (mut dot, mut s, mut spread) = (0.0, 0.0, 0.0);
                for ((ai, ci), wi) in av.iter().zip(cv).zip(wv) {
                    let p = ai * ci;
                    dot += p;
                    spread += p.abs();
                    s += ai.abs() * wi;
                }
                let mid = dot + b;
                let e = crate::tolerance::rounding_allowance(a.len() + 2, spread + b.abs() + s);
                return (mid - s - e, mid + s + e);
            }
        }
        if let (Some(av), Some(cv), Shape::L2Ball { radius }) =
            (a.as_slice(), self.center.as_slice(), &self.shape)
        {
            // one pass over an L2 ball: a·c, Σ|a_i c_i| and ‖a‖², the same sums as below (in
            // another order, which the allowance covers: it holds for every order)
            let (mut dot, mut spread, mut sq) = (0.0, 0.0, 0.0);
            for (ai, ci) in av.iter().zip(cv) {
                let p = ai * ci;
                dot += p;
                spread += p.abs();
                sq += ai * ai;
            }
            let s = radius * sq.sqrt();
            let mid = dot + b;
            let e = crate::tolerance::rounding_allowance(a.len() + 2, spread + b.abs() + s);
            return (mid - s - e, mid + s + e);
        }
        let mid = a.dot(&self.center) + b;
        let s = self.support(a);
        let magnitude: f64 = a
            .iter()
            .zip(self.center.iter())
            .map(|(ai, ci)| (ai * ci).abs())
            .sum::<f64>()
            + b.abs()
            + s;
        let e = crate::tolerance::rounding_allowance(a.len() + 2, magnitude);
        (mid - s - e, mid + s + e)
    }

    /// The largest |x_j − c_j| over the domain: the radius of a ball, w_j of a box.
    pub fn half_width(&self, j: usize) -> f64 {
        match &self.shape {
            Shape::L2Ball { radius } => *radius,
            Shape::Box { half_widths } => half_widths[j],
        }
    }

    /// Whether x lies in the open domain.
    pub fn contains(&self, x: ArrayView1<f64>) -> bool {
        self.depth(x) > 0.0
    }

    /// How deep x lies inside the domain: r − ‖x − c‖₂ for a ball, min_i (h_i − |x_i − c_i|) for a
    /// box. Positive inside, zero on the boundary, negative outside.
    pub fn depth(&self, x: ArrayView1<f64>) -> f64 {
        if !x.iter().all(|v| v.is_finite()) {
            return f64::NEG_INFINITY;
        }
        if let Shape::Box { half_widths } = &self.shape {
            // the same floats as below, without the vector of differences
            return x
                .iter()
                .zip(self.center.iter())
                .zip(half_widths.iter())
                .map(|((xi, ci), hi)| hi - (xi - ci).abs())
                .fold(f64::INFINITY, f64::min);
        }
        let d = &x - &self.center;
        match &self.shape {
            Shape::L2Ball { radius } => radius - d.dot(&d).sqrt(),
            Shape::Box { half_widths } => d
                .iter()
                .zip(half_widths.iter())
                .map(|(di, hi)| hi - di.abs())
                .fold(f64::INFINITY, f64::min),
        }
    }

    /// The smallest box containing the domain: (lower, upper).
    pub fn bounding_box(&self) -> (Array1<f64>, Array1<f64>) {
        let h = match &self.shape {
            Shape::L2Ball { radius } => Array1::from_elem(self.dim(), *radius),
            Shape::Box { half_widths } => half_widths.clone(),
        };
        (&self.center - &h, &self.center + &h)
    }
}

use crate::dyadic::rational as rat;

fn check_radius(radius: f64) -> Result<()> {
    if !(radius.is_finite() && radius > 0.0) {
        return Err(Error::invalid_value(
            Field::Radius,
            radius,
            "a finite number > 0",
        ));
    }
    Ok(())
}

fn check_finite_center(center: &Array1<f64>) -> Result<()> {
    if center.is_empty() {
        return Err(Error::invalid_value(
            Field::Center,
            "no coordinates",
            "one value per network input",
        ));
    }
    if let Some((i, v)) = center.indexed_iter().find(|(_, v)| !v.is_finite()) {
        return Err(Error::invalid_value(
            Field::Center,
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

    /// Σ x_i y_i nearly exactly: products split by fma (TwoProduct), sums by TwoSum (Ogita,
    /// Rump & Oishi 2005, Dot2), accurate to about ε·|result| + ε²·Σ|x_i y_i|.
    fn dot2(x: &[f64], y: &[f64]) -> f64 {
        let (mut s, mut c) = (0.0f64, 0.0f64);
        for (a, b) in x.iter().zip(y) {
            let p = a * b;
            let pe = a.mul_add(*b, -p);
            let t = s + p;
            let z = t - s;
            let se = (s - (t - z)) + (p - z);
            s = t;
            c += se + pe;
        }
        s + c
    }

    /// A deterministic stream of numbers uniform in [−1, 1) (a 64-bit LCG, its top 53 bits).
    fn uniform_stream(seed: u64) -> impl FnMut() -> f64 {
        let mut state = seed;
        move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
        }
    }

    /// Under heavy cancellation (terms ~1e6 summing to ~1) the padded range still encloses the
    /// nearly exact one, while the plain evaluation misses it on some instances.
    #[test]
    fn affine_range_encloses_the_exact_range_despite_cancellation() {
        let mut rnd = uniform_stream(5);
        let mut plain_missed = 0;
        for _ in 0..500 {
            let n = 40;
            let a: Vec<f64> = (0..n).map(|_| 1e3 * rnd()).collect();
            let c: Vec<f64> = (0..n).map(|_| 1e3 * rnd()).collect();
            let w: Vec<f64> = (0..n).map(|_| 1e-6 * (1.0 + rnd().abs())).collect();
            let b = -dot2(&a, &c) + 0.5 * rnd(); // a·c + b is O(1)
            let dom = Domain::from_bounds(
                &Array1::from_iter(c.iter().zip(&w).map(|(ci, wi)| ci - wi)),
                &Array1::from_iter(c.iter().zip(&w).map(|(ci, wi)| ci + wi)),
            )
            .unwrap();
            // the domain's own center and half widths (rounded by from_bounds) define the truth
            let cc = dom.center.to_vec();
            let hw: Vec<f64> = (0..n).map(|j| dom.half_width(j)).collect();
            let mid = dot2(&a, &cc) + b;
            let abs_a: Vec<f64> = a.iter().map(|v| v.abs()).collect();
            let s = dot2(&abs_a, &hw);
            let (lo, hi) = dom.affine_range(ndarray::ArrayView1::from(&a[..]), b);
            assert!(
                lo <= mid - s && hi >= mid + s,
                "[{lo}, {hi}] misses [{}, {}]",
                mid - s,
                mid + s
            );
            let plain_mid = ndarray::ArrayView1::from(&a[..]).dot(&dom.center) + b;
            let plain_s = dom.support(ndarray::ArrayView1::from(&a[..]));
            if plain_mid - plain_s > mid - s || plain_mid + plain_s < mid + s {
                plain_missed += 1;
            }
        }
        assert!(plain_missed > 0, "the instances do not exercise rounding");
    }

    /// The same on an L2 ball (the one-pass path): the padded range encloses a·c + b ± r‖a‖₂
    /// computed with compensated sums, under heavy cancellation.
    #[test]
    fn affine_range_on_an_l2_ball_encloses_the_exact_range() {
        let mut rnd = uniform_stream(11);
        for _ in 0..500 {
            let n = 40;
            let a: Vec<f64> = (0..n).map(|_| 1e3 * rnd()).collect();
            let c: Vec<f64> = (0..n).map(|_| 1e3 * rnd()).collect();
            let b = -dot2(&a, &c) + 0.5 * rnd();
            let r = 1e-6 * (1.0 + rnd().abs());
            let dom = Domain::ball(Array1::from(c.clone()), r, Norm::L2).unwrap();
            let mid = dot2(&a, &c) + b;
            // r‖a‖₂ from a compensated ‖a‖², its sqrt and product rounded up by a few ulps
            let s = r * dot2(&a, &a).sqrt() * (1.0 + 4.0 * f64::EPSILON);
            let (lo, hi) = dom.affine_range(ndarray::ArrayView1::from(&a[..]), b);
            assert!(
                lo <= mid - s && hi >= mid + s,
                "[{lo}, {hi}] misses [{}, {}]",
                mid - s,
                mid + s
            );
        }
    }

    #[test]
    fn support_matches_vertices_and_norms() {
        let b = Domain::ball(array![1.0, 2.0], 0.5, Norm::Linf).unwrap();
        assert_eq!(b.support(array![1.0, -2.0].view()), 1.5);
        let l2 = Domain::ball(array![0.0, 0.0], 2.0, Norm::L2).unwrap();
        assert!((l2.support(array![3.0, 4.0].view()) - 10.0).abs() < 1e-12);
        assert!(Domain::ball(array![0.0], 0.0, Norm::L2).is_err());
        match Domain::ball(array![0.0], -1.0, Norm::L2) {
            Err(
                e @ Error::InvalidValue {
                    field: Field::Radius,
                    ..
                },
            ) => assert_eq!(
                e.to_string(),
                "radius: -1 is not valid; expected a finite number > 0"
            ),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            "l7".parse::<Norm>(),
            Err(Error::InvalidValue {
                field: Field::Norm,
                ..
            })
        ));
        assert!(Domain::ball(array![0.0], f64::NAN, Norm::L2).is_err());
        assert!(Domain::ball(array![f64::INFINITY], 1.0, Norm::L2).is_err());
    }

    #[test]
    fn new_validates_like_the_other_constructors() {
        let ball = Domain::new(array![1.0, 2.0], Shape::L2Ball { radius: 0.5 }).unwrap();
        assert_eq!(ball, Domain::ball(array![1.0, 2.0], 0.5, Norm::L2).unwrap());
        let linf = Domain::ball(array![1.0, 2.0], 0.5, Norm::Linf).unwrap();
        let half_widths = array![0.5, 0.5];
        assert_eq!(
            Domain::new(array![1.0, 2.0], Shape::Box { half_widths }).unwrap(),
            linf
        );
        assert!(Domain::new(array![0.0], Shape::L2Ball { radius: -1.0 }).is_err());
        assert!(Domain::new(array![f64::NAN], Shape::L2Ball { radius: 1.0 }).is_err());
        for half_widths in [array![1.0], array![1.0, 0.0], array![1.0, f64::INFINITY]] {
            assert!(Domain::new(array![0.0, 0.0], Shape::Box { half_widths }).is_err());
        }
    }

    #[test]
    fn depth_is_positive_inside_only() {
        let b = Domain::from_bounds(&array![0.0, 0.0], &array![2.0, 1.0]).unwrap();
        assert!(b.contains(array![1.0, 0.5].view()));
        assert!(!b.contains(array![2.0, 0.5].view()));
        assert_eq!(b.radius(), None);
        assert!(Domain::from_bounds(&array![1.0], &array![1.0]).is_err());
    }
}

#[cfg(test)]
mod exact_bounds_tests {
    use super::*;
    use ndarray::array;

    /// [1, 1 + 3u] (u = 2^-52): its center 1 + 1.5u is not a float, so the domain is a float box
    /// enclosing it, and the exact bounds are kept.
    #[test]
    fn a_box_not_representable_as_center_and_half_width_keeps_its_bounds() {
        let (l, u) = (1.0, 1.0 + 3.0 * f64::EPSILON);
        let d = Domain::from_bounds(&array![l], &array![u]).unwrap();
        let w = d.half_width(0);
        assert!(d.center[0] - w <= l && d.center[0] + w >= u);
        assert_eq!(d.exact_bounds(), Some(&(array![l], array![u])));
        let exact = Domain::from_bounds(&array![-1.0], &array![0.5]).unwrap();
        assert_eq!(exact.exact_bounds, None);
        assert_eq!((exact.center[0], exact.half_width(0)), (-0.25, 0.75));
        let wide = Domain::from_bounds(&array![-1e308], &array![1e308]).unwrap();
        assert_eq!((wide.center[0], wide.half_width(0)), (0.0, 1e308));
        assert!(Domain::from_bounds(&array![0.0], &array![f64::MAX]).is_ok());
    }
}

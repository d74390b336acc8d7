//! The closed half-spaces of a linear region, from its activation pattern.

use super::{AffineMap, Network};
use crate::dyadic::ldexp;
use ndarray::Array1;

/// How [`Network::region_halfspaces`] writes each row (a, β).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowScale {
    /// As the pre-activation maps give them.
    Unscaled,
    /// Multiplied by 2^k, k = −⌊log₂ max_j |a_j|⌋, which brings the largest |a_j| into [1, 2):
    /// the half-space is the same (up to the underflow of tiny entries), and ‖a‖ can neither
    /// overflow nor underflow. A row with an infinite entry is left unscaled (k = 0).
    PowerOfTwo,
}

/// One hidden unit's side of a region: {x : a·x + β ≥ 0} when the unit is on,
/// {x : a·x + β ≤ 0} when it is off.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitHalfspace {
    /// The hidden layer, 0-based.
    pub layer: usize,
    /// The unit in its layer.
    pub unit: usize,
    /// The unit's side in the pattern.
    pub on: bool,
    /// a of the unit's pre-activation a·x + β on the region, times 2^`exponent`.
    pub a: Array1<f64>,
    /// β of the unit's pre-activation on the region, times 2^`exponent`.
    pub beta: f64,
    /// k of [`RowScale::PowerOfTwo`]; 0 for unscaled rows.
    pub exponent: i32,
    /// max_j |a_j| before scaling (> 0).
    pub largest: f64,
}

impl UnitHalfspace {
    /// The row as g·x ≤ h: g = −s a, h = s β, with s = +1 for a unit on, −1 for a unit off.
    pub fn into_le(self) -> (Array1<f64>, f64) {
        if self.on {
            (-self.a, self.beta)
        } else {
            (self.a, -self.beta)
        }
    }
}

/// The half-spaces of a region and the pre-activation maps they come from.
#[derive(Clone, Debug, PartialEq)]
pub struct RegionHalfspaces {
    /// [`Network::pre_activation_maps`] of the pattern: the maps of hidden layers
    /// 1..=min(m + 1, L) on the region, m the number of layers in the pattern (unscaled).
    pub maps: Vec<AffineMap>,
    /// One row per unit of the pattern's layers whose map is not constant on the region, in layer
    /// and unit order.
    pub rows: Vec<UnitHalfspace>,
}

impl Network {
    /// The closed half-spaces of the region of `pattern`, the sides of the units of the first
    /// m = `pattern.len()` hidden layers (m ≤ L; the region of the first m layers when m < L).
    ///
    /// On the region, unit u of hidden layer l has the affine pre-activation
    /// h_{l,u}(x) = a_{l,u}·x + β_{l,u} ([`Network::pre_activation_maps`]), and the closure of the
    /// region is
    ///
    ///   R̄ = { x : s_{l,u} (a_{l,u}·x + β_{l,u}) ≥ 0 for l ≤ m and every unit u },
    ///
    /// s_{l,u} = +1 for a unit on, −1 for a unit off. Units with a_{l,u} = 0 (constant on the
    /// region: their side holds on all of it) are left out. `scale` says how the rows are
    /// written ([`RowScale`]).
    pub fn region_halfspaces(&self, pattern: &[Vec<bool>], scale: RowScale) -> RegionHalfspaces {
        let maps = self.pre_activation_maps(pattern);
        let mut rows = Vec::new();
        for (layer, (map, sides)) in maps.iter().zip(pattern).enumerate() {
            for (unit, &on) in sides.iter().enumerate() {
                let a = map.a.row(unit);
                let largest = a.iter().fold(0.0f64, |t, v| t.max(v.abs()));
                if largest == 0.0 {
                    continue;
                }
                let exponent = match scale {
                    RowScale::PowerOfTwo if largest.is_finite() => -(largest.log2().floor() as i32),
                    _ => 0,
                };
                let (a, beta) = match scale {
                    RowScale::PowerOfTwo if exponent != 0 => {
                        (a.mapv(|v| ldexp(v, exponent)), ldexp(map.b[unit], exponent))
                    }
                    _ => (a.to_owned(), map.b[unit]),
                };
                rows.push(UnitHalfspace {
                    layer,
                    unit,
                    on,
                    a,
                    beta,
                    exponent,
                    largest,
                });
            }
        }
        RegionHalfspaces { maps, rows }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::Layer;
    use ndarray::array;

    /// Two layers: the rows follow the pattern's sides, a unit constant on the region is left
    /// out, and the scaled rows are the unscaled ones times 2^exponent.
    #[test]
    fn rows_follow_the_pattern() {
        let net = Network::new(vec![
            Layer::new(
                array![[1.0, 2.0], [0.0, 0.0], [-8.0, 4.0]],
                array![1.0, 3.0, 0.5],
            ),
            Layer::new(array![[1.0, 1.0, 1.0]], array![-1.0]),
            Layer::new(array![[1.0]], array![0.0]),
        ])
        .unwrap();
        let pattern = vec![vec![true, true, false], vec![true]];
        let plain = net.region_halfspaces(&pattern, RowScale::Unscaled);
        assert_eq!(plain.maps.len(), 2);
        let units: Vec<(usize, usize, bool)> =
            plain.rows.iter().map(|r| (r.layer, r.unit, r.on)).collect();
        assert_eq!(units, [(0, 0, true), (0, 2, false), (1, 0, true)]);
        // layer 2 on the region: (x + 2y + 1) + 3 (unit 1, constant) − 1 = x + 2y + 3
        assert_eq!(plain.rows[2].a, array![1.0, 2.0]);
        assert_eq!(plain.rows[2].beta, 3.0);
        assert_eq!(
            plain.rows[1].clone().into_le(),
            (array![-8.0, 4.0], -0.5),
            "off: a·x + β ≤ 0"
        );
        assert_eq!(plain.rows[0].clone().into_le(), (array![-1.0, -2.0], 1.0));
        let scaled = net.region_halfspaces(&pattern, RowScale::PowerOfTwo);
        for (p, s) in plain.rows.iter().zip(&scaled.rows) {
            assert_eq!(s.a, p.a.mapv(|v| ldexp(v, s.exponent)));
            assert_eq!(s.beta, ldexp(p.beta, s.exponent));
            let top = s.a.iter().fold(0.0f64, |t, v| t.max(v.abs()));
            assert!((1.0..2.0).contains(&top), "{top}");
        }
        assert_eq!(scaled.rows[1].exponent, -3);
    }
}

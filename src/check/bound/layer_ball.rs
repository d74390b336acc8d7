//! A verified ball of one layer's post-activations and the bound it proves for a unit of the
//! next layer: z_i = b_i + Σ_live w_j σ(z_j) ∈ b_i + w·c ± r‖w_live‖_* (Hölder; dual norm L2 or
//! L1); the check is ±(claim − b_i − w·c) ≥ r‖w‖_* (L2: with squares).
//!
//! The ball records are read and their radii verified in `ball`; the unit records that use a
//! ball as their proof in `proofs`.

use super::exact::{sum, Dy};
use std::cmp::Ordering;

/// A verified ball of one layer.
#[derive(Clone, Debug)]
pub struct Ball {
    /// The live units (claimed upper bound > 0) and their centers.
    pub live: Vec<usize>,
    pub center: Vec<Dy>,
    pub radius: Dy,
}

impl Ball {
    /// Checks that `claim` bounds b + w·h (upper: from above) over the ball (`w` has one entry
    /// per unit of the ball's layer; only the live ones count).
    pub fn bounds(
        &self,
        w: &[Dy],
        b: &Dy,
        upper: bool,
        claim: &Dy,
        l2: bool,
    ) -> Result<(), String> {
        let live_w: Vec<&Dy> = self.live.iter().map(|&j| &w[j]).collect();
        let products: Vec<Dy> = live_w
            .iter()
            .zip(&self.center)
            .map(|(w, c)| w.mul(c))
            .collect();
        let mid = b.add(&sum(&products));
        let slack = if upper {
            claim.sub(&mid)
        } else {
            mid.sub(claim)
        };
        let fail = |reach: f64| {
            format!(
                "the ball of the previous layer gives {} {} {reach:e}, beyond the claimed {}",
                mid.approx(),
                if upper { "+" } else { "−" },
                claim.approx()
            )
        };
        if slack.sign() == Ordering::Less {
            return Err(fail(0.0));
        }
        if l2 {
            let w2 = sum(&live_w.iter().map(|w| w.mul(w)).collect::<Vec<_>>());
            let need = self.radius.mul(&self.radius).mul(&w2);
            if slack.mul(&slack).cmp(&need) == Ordering::Less {
                return Err(fail(need.approx().sqrt()));
            }
        } else {
            let w1 = sum(&live_w.iter().map(|w| w.abs()).collect::<Vec<_>>());
            let need = self.radius.mul(&w1);
            if slack.cmp(&need) == Ordering::Less {
                return Err(fail(need.approx()));
            }
        }
        Ok(())
    }
}

//! The exact re-check of a witness (DESIGN.md §4, lower side): the point lies in the domain and
//! re-running the network on it reproduces the claimed pattern with a margin.

use crate::domain::Domain;
use crate::network::Network;
use crate::tolerance::stability_margin;
use ndarray::{Array1, Array2, ArrayView1};

/// Re-checks witnesses of one network; keeps the absolute weights |W_l| for the rounding scale.
pub struct WitnessChecker {
    abs_weights: Vec<Array2<f64>>,
}

impl WitnessChecker {
    /// Prepares the absolute weights of every hidden layer.
    pub fn new(net: &Network) -> Self {
        WitnessChecker {
            abs_weights: net
                .hidden_layers()
                .iter()
                .map(|l| l.weight.mapv(f64::abs))
                .collect(),
        }
    }

    /// Whether `x` is inside the open domain and the network's pattern at `x` is `pattern` (flat,
    /// layer by layer) with a margin: every unit claimed on has pre-activation z > m, every unit
    /// claimed off has z < −m, where m = `tolerance::stability_margin(Σ_j |W_uj| |h_j| + |b_u|)`
    /// bounds the rounding of the dot product. A unit claimed off with z exactly 0 is accepted:
    /// that only happens when its affine map on the region is identically zero (a dead unit),
    /// which is inactive by definition (s = 1 only where z > 0).
    pub fn check(
        &self,
        net: &Network,
        domain: &Domain,
        x: ArrayView1<f64>,
        pattern: &[bool],
    ) -> bool {
        let inside = domain.depth(x) > 0.0;
        if !inside || pattern.len() != net.num_hidden_units() {
            return false;
        }
        let mut h: Array1<f64> = x.to_owned();
        let mut k = 0;
        for (layer, abs_w) in net.hidden_layers().iter().zip(&self.abs_weights) {
            let z = layer.weight.dot(&h) + &layer.bias;
            let scale = abs_w.dot(&h.mapv(f64::abs)) + &layer.bias.mapv(f64::abs);
            for u in 0..z.len() {
                let m = stability_margin(scale[u]);
                let ok = if pattern[k] {
                    z[u] > m
                } else {
                    z[u] < -m || z[u] == 0.0
                };
                if !ok {
                    return false;
                }
                k += 1;
            }
            h = z.mapv(|v| v.max(0.0));
        }
        true
    }
}

/// `WitnessChecker::check` for a single witness.
pub fn check_witness(net: &Network, domain: &Domain, x: ArrayView1<f64>, pattern: &[bool]) -> bool {
    WitnessChecker::new(net).check(net, domain, x, pattern)
}

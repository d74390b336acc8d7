//! The exact re-check of a witness (DESIGN.md §4, lower side): the point lies in the domain and
//! re-running the network on it reproduces the claimed pattern with a margin.

use crate::domain::Domain;
use crate::network::Network;
use crate::tolerance::stability_margin;
use ndarray::ArrayView1;

/// Whether `x` is inside the open domain and the network's pattern at `x` is `pattern` (flat,
/// layer by layer) with a margin: every unit claimed on has pre-activation z > m, every unit
/// claimed off has z < −m, where m = `tolerance::stability_margin(Σ_j |W_uj h_j| + |b_u|)` bounds
/// the rounding of the dot product. A unit claimed off with z exactly 0 is accepted: that only
/// happens when its affine map on the region is identically zero (a dead unit), which is
/// inactive by definition (s = 1 only where z > 0).
pub fn check_witness(net: &Network, domain: &Domain, x: ArrayView1<f64>, pattern: &[bool]) -> bool {
    if !(domain.depth(x) > 0.0) {
        return false;
    }
    let mut h = x.to_owned();
    let mut k = 0;
    for layer in net.hidden_layers() {
        let mut next = ndarray::Array1::zeros(layer.output_dim());
        for u in 0..layer.output_dim() {
            let row = layer.weight.row(u);
            let mut z = layer.bias[u];
            let mut scale = layer.bias[u].abs();
            for j in 0..row.len() {
                let t = row[j] * h[j];
                z += t;
                scale += t.abs();
            }
            let m = stability_margin(scale);
            let ok = match pattern.get(k) {
                Some(true) => z > m,
                Some(false) => z < -m || z == 0.0,
                None => false,
            };
            if !ok {
                return false;
            }
            next[u] = z.max(0.0);
            k += 1;
        }
        h = next;
    }
    k == pattern.len()
}

//! The report of `relu-regions bound`: global bounds of the literature and the local bound in the ball.

use super::BigValue;
use crate::bounds::{self, LayerStability};
use crate::domain::Domain;
use crate::error::Result;
use crate::network::Network;
use serde::Serialize;
use std::fmt::Write as _;

/// `--json` output of `bound`.
#[derive(Clone, Debug, Serialize)]
pub struct BoundReport {
    pub model: String,
    pub input_dim: usize,
    pub hidden: Vec<usize>,
    pub norm: &'static str,
    pub radius: Option<f64>,
    pub bounds: Bounds,
}

#[derive(Clone, Debug, Serialize)]
pub struct Bounds {
    pub montufar2017: BigValue,
    pub serra2018: BigValue,
    pub local_analytic: LocalReport,
}

#[derive(Clone, Debug, Serialize)]
pub struct LocalReport {
    pub value: String,
    pub log10: f64,
    pub layers: Vec<LayerReport>,
}

#[derive(Clone, Debug, Serialize)]
pub struct LayerReport {
    pub width: usize,
    pub unstable: usize,
    pub stably_active: usize,
    pub stably_inactive: usize,
    /// Radius of the enclosing ball of the domain's image after this layer, in the domain's norm.
    pub radius: f64,
}

impl From<&LayerStability> for LayerReport {
    fn from(l: &LayerStability) -> Self {
        LayerReport {
            width: l.width,
            unstable: l.unstable,
            stably_active: l.stably_active,
            stably_inactive: l.stably_inactive,
            radius: l.radius,
        }
    }
}

impl BoundReport {
    /// Computes every analytic bound for `network` in `domain`.
    pub fn compute(model: &str, network: &Network, domain: &Domain) -> Result<BoundReport> {
        let n0 = network.input_dim();
        let hidden = network.hidden_widths();
        let global = bounds::global_bounds(n0, &hidden);
        let local = bounds::local_analytic(network, domain)?;
        let lv = BigValue::new(&local.value);
        Ok(BoundReport {
            model: model.to_string(),
            input_dim: n0,
            hidden,
            norm: domain.norm().name(),
            radius: domain.radius(),
            bounds: Bounds {
                montufar2017: BigValue::new(&global.montufar2017),
                serra2018: BigValue::new(&global.serra2018),
                local_analytic: LocalReport {
                    value: lv.value,
                    log10: lv.log10,
                    layers: local.layers.iter().map(LayerReport::from).collect(),
                },
            },
        })
    }

    /// A small readable table.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let radius = self.radius.map_or("(box)".to_string(), |r| format!("{r}"));
        let _ = writeln!(s, "model      {}", self.model);
        let _ = writeln!(
            s,
            "network    {} inputs, hidden {:?}",
            self.input_dim, self.hidden
        );
        let _ = writeln!(s, "domain     {} ball, radius {radius}", self.norm);
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "{:<16} {:>26} {:>10}",
            "bound", "regions at most", "log10"
        );
        let local = BigValue {
            value: self.bounds.local_analytic.value.clone(),
            log10: self.bounds.local_analytic.log10,
        };
        for (name, v) in [
            ("montufar2017", &self.bounds.montufar2017),
            ("serra2018", &self.bounds.serra2018),
            ("local_analytic", &local),
        ] {
            let _ = writeln!(s, "{name:<16} {:>26} {:>10.3}", v.short(), v.log10);
        }
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "local_analytic per layer (units that can change sign inside the ball):"
        );
        let _ = writeln!(
            s,
            "{:>5} {:>6} {:>9} {:>8} {:>9} {:>14}",
            "layer", "width", "unstable", "active", "inactive", "encl. radius"
        );
        for (i, l) in self.bounds.local_analytic.layers.iter().enumerate() {
            let _ = writeln!(
                s,
                "{:>5} {:>6} {:>9} {:>8} {:>9} {:>14.6e}",
                i + 1,
                l.width,
                l.unstable,
                l.stably_active,
                l.stably_inactive,
                l.radius
            );
        }
        s
    }
}

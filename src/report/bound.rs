//! The report of `relu-regions bound`: global bounds of the literature and the local bound in the ball.

use super::BigValue;
use crate::bounds::lp::LpBound;
use crate::bounds::{LayerCounts, LayerStability};
use crate::domain::Domain;
use crate::error::Result;
use crate::network::Network;
use crate::sandwich::{BoundMethod, BoundOptions, BoundOutcome};
use serde::Serialize;
use std::fmt::Write as _;

/// `--json` output of `bound`.
#[derive(Clone, Debug, Serialize)]
pub struct BoundReport {
    /// The model file, as given on the command line.
    pub model: String,
    /// Input dimension n0 of the network.
    pub input_dim: usize,
    /// Widths of the hidden (ReLU) layers, input side first.
    pub hidden: Vec<usize>,
    /// Norm of the domain: `"l2"` or `"linf"`.
    pub norm: &'static str,
    /// Radius of the ball (in `norm`); `null` for a general box (VNN-LIB).
    pub radius: Option<f64>,
    /// The bounds on the number of regions.
    pub bounds: Bounds,
    /// The certificate written (`--certificate`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate: Option<super::FileReport>,
}

#[derive(Clone, Debug, Serialize)]
/// `bounds` in the JSON output: global bounds of the literature and the local ones in the domain.
pub struct Bounds {
    /// Montúfar et al. (2017): the global upper bound for the whole input space.
    pub montufar2017: BigValue,
    /// Serra et al. (2018): the tighter global upper bound for the whole input space.
    pub serra2018: BigValue,
    /// The local analytic upper bound in the domain, with its per-layer stability counts.
    pub local_analytic: LocalReport,
    /// The LP-tightened local bound (`--method lp|split|all`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_lp: Option<LpReport>,
    /// The split bound (`--method split|all`, when it ran).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_split: Option<SplitReport>,
    /// The sandwich lower ≤ N ≤ upper over everything computed (`--method` other than the default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certified: Option<SandwichReport>,
}

/// `bounds.local_lp` in the JSON output.
#[derive(Clone, Debug, Serialize)]
pub struct LpReport {
    /// The LP-tightened upper bound, in decimal digits.
    pub value: String,
    /// Its base-10 logarithm.
    pub log10: f64,
    /// Per-layer stability counts under the LP pre-activation bounds, input side first.
    pub layers: Vec<CountsReport>,
    /// LPs solved.
    pub lps: u64,
    /// Units left with interval bounds because the time limit passed.
    pub skipped_units: u64,
}

impl From<&LpBound> for LpReport {
    fn from(lp: &LpBound) -> Self {
        let v = BigValue::new(&lp.value);
        LpReport {
            value: v.value,
            log10: v.log10,
            layers: lp.layers.iter().map(CountsReport::from).collect(),
            lps: lp.stats.lps,
            skipped_units: lp.stats.skipped,
        }
    }
}

/// Per-layer stability counts of the LP bound.
#[derive(Clone, Debug, Serialize)]
pub struct CountsReport {
    /// Number of units in the layer.
    pub width: usize,
    /// Units whose pre-activation may take either sign in the domain.
    pub unstable: usize,
    /// Of the unstable units, those tied to another unit (copies and mirrors): they split no
    /// region of their own, and the bound leaves them out.
    pub tied: usize,
    /// Units positive on the whole domain.
    pub stably_active: usize,
    /// Units non-positive on the whole domain.
    pub stably_inactive: usize,
}

impl From<&LayerCounts> for CountsReport {
    fn from(l: &LayerCounts) -> Self {
        CountsReport {
            width: l.width,
            // tied units (copies, mirrors) may change sign too; the bound leaves them out
            unstable: l.unstable + l.tied,
            tied: l.tied,
            stably_active: l.stably_active,
            stably_inactive: l.stably_inactive,
        }
    }
}

/// `bounds.local_split` in the JSON output.
#[derive(Clone, Debug, Serialize)]
pub struct SplitReport {
    /// The split upper bound, in decimal digits.
    pub value: String,
    /// Its base-10 logarithm.
    pub log10: f64,
    /// True when the last depth (L) completed: `value` is the exact count.
    pub exact: bool,
    /// The largest exact region count of a completed depth (a certified lower bound).
    pub lower: String,
    /// The completed depths, shallowest first.
    pub stages: Vec<StageReport>,
}

/// One completed depth k of the split bound.
#[derive(Clone, Debug, Serialize)]
pub struct StageReport {
    /// Depth k: the number of leading hidden layers counted exactly.
    pub depth: usize,
    /// The upper bound after this depth, in decimal digits.
    pub value: String,
    /// Regions of the first k layers.
    pub regions: u64,
    /// LPs solved for this depth.
    pub lps: u64,
    /// Seconds since the start of the bound computation when this depth completed.
    pub seconds: f64,
}

/// The anytime sandwich: lower ≤ number of regions ≤ upper.
#[derive(Clone, Debug, Serialize)]
pub struct SandwichReport {
    /// The bound method that produced the sandwich (`--method`).
    pub method: String,
    /// The certified upper bound, in decimal digits.
    pub upper: String,
    /// Base-10 logarithm of `upper`.
    pub upper_log10: f64,
    /// Distinct regions witnessed (or counted exactly for a prefix of the layers).
    pub lower: String,
    /// True when `lower` equals `upper`: the count is exact.
    pub exact: bool,
    /// Wall-clock seconds spent on the sandwich.
    pub seconds: f64,
}

#[derive(Clone, Debug, Serialize)]
/// `bounds.local_analytic` in the JSON output.
pub struct LocalReport {
    /// The local analytic upper bound, in decimal digits.
    pub value: String,
    /// Its base-10 logarithm.
    pub log10: f64,
    /// Per-layer stability counts and enclosing radii, input side first.
    pub layers: Vec<LayerReport>,
}

#[derive(Clone, Debug, Serialize)]
/// One hidden layer of the local analytic bound.
pub struct LayerReport {
    /// Number of units in the layer.
    pub width: usize,
    /// Units whose pre-activation may take either sign in the domain.
    pub unstable: usize,
    /// Of the unstable units, those tied to another unit (copies and mirrors): they split no
    /// region of their own, and the bound leaves them out.
    pub tied: usize,
    /// Units positive on the whole domain.
    pub stably_active: usize,
    /// Units non-positive on the whole domain.
    pub stably_inactive: usize,
    /// Radius of the enclosing ball of the domain's image after this layer, in the domain's norm.
    pub radius: f64,
}

impl From<&LayerStability> for LayerReport {
    fn from(l: &LayerStability) -> Self {
        LayerReport {
            width: l.width,
            // tied units (copies, mirrors) may change sign too; the bound leaves them out
            unstable: l.unstable + l.tied,
            tied: l.tied,
            stably_active: l.stably_active,
            stably_inactive: l.stably_inactive,
            radius: l.radius,
        }
    }
}

impl BoundReport {
    /// Computes every analytic bound for `network` in `domain` (the facade's
    /// [`crate::bound`] with [`BoundMethod::Analytic`]).
    pub fn compute(model: &str, network: &Network, domain: &Domain) -> Result<BoundReport> {
        let options = BoundOptions::new(BoundMethod::Analytic);
        let outcome = crate::sandwich::anytime_bounds(network, domain, &options)?;
        Ok(Self::from_outcome(
            model, network, domain, &outcome, &options, 0.0,
        ))
    }

    /// The report of a [`BoundOutcome`] computed with `options` in `seconds`: every bound, and
    /// the sandwich unless the method was `Analytic`.
    pub fn from_outcome(
        model: &str,
        network: &Network,
        domain: &Domain,
        any: &BoundOutcome,
        options: &BoundOptions,
        seconds: f64,
    ) -> BoundReport {
        let lv = BigValue::new(&any.analytic.value);
        let mut report = BoundReport {
            model: model.to_string(),
            input_dim: network.input_dim(),
            hidden: network.hidden_widths(),
            norm: domain.norm().name(),
            radius: domain.radius(),
            bounds: Bounds {
                montufar2017: BigValue::new(&any.global.montufar2017),
                serra2018: BigValue::new(&any.global.serra2018),
                local_analytic: LocalReport {
                    value: lv.value,
                    log10: lv.log10,
                    layers: any.analytic.layers.iter().map(LayerReport::from).collect(),
                },
                local_lp: None,
                local_split: None,
                certified: None,
            },
            certificate: None,
        };
        if options.method == BoundMethod::Analytic {
            return report;
        }
        report.bounds.local_lp = any.lp.as_ref().map(LpReport::from);
        if let Some(sp) = &any.split {
            let v = BigValue::new(&sp.value);
            report.bounds.local_split = Some(SplitReport {
                value: v.value,
                log10: v.log10,
                exact: sp.exact,
                lower: sp.lower.to_string(),
                stages: sp
                    .stages
                    .iter()
                    .map(|s| StageReport {
                        depth: s.depth,
                        value: s.value.to_str_radix(10),
                        regions: s.regions,
                        lps: s.lps,
                        seconds: s.seconds,
                    })
                    .collect(),
            });
        }
        let up = BigValue::new(&any.upper);
        report.bounds.certified = Some(SandwichReport {
            method: format!("{:?}", options.method).to_lowercase(),
            upper: up.value,
            upper_log10: up.log10,
            lower: any.lower.to_string(),
            exact: any.exact,
            seconds,
        });
        report
    }

    /// A small readable table.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        self.write_header(&mut s);
        self.write_bounds(&mut s);
        self.write_certified(&mut s);
        self.write_split_stages(&mut s);
        self.write_layers(&mut s);
        self.write_certificate(&mut s);
        s
    }

    /// The model, the network's shape and the domain.
    fn write_header(&self, s: &mut String) {
        let radius = self.radius.map_or("(box)".to_string(), super::number);
        let _ = writeln!(s, "model      {}", self.model);
        let _ = writeln!(
            s,
            "network    {} inputs, hidden {}",
            self.input_dim,
            super::widths_text(&self.hidden)
        );
        let _ = writeln!(s, "domain     {} ball, radius {radius}", self.norm);
    }

    /// The table of the bounds computed, global then local.
    fn write_bounds(&self, s: &mut String) {
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
        let mut rows: Vec<(&str, BigValue)> = vec![
            ("montufar2017", self.bounds.montufar2017.clone()),
            ("serra2018", self.bounds.serra2018.clone()),
            ("local_analytic", local),
        ];
        if let Some(lp) = &self.bounds.local_lp {
            rows.push((
                "local_lp",
                BigValue {
                    value: lp.value.clone(),
                    log10: lp.log10,
                },
            ));
        }
        if let Some(sp) = &self.bounds.local_split {
            rows.push((
                if sp.exact {
                    "local_split=exact"
                } else {
                    "local_split"
                },
                BigValue {
                    value: sp.value.clone(),
                    log10: sp.log10,
                },
            ));
        }
        for (name, v) in &rows {
            let _ = writeln!(s, "{name:<16} {:>26} {:>10.3}", v.short(), v.log10);
        }
    }

    /// The certified sandwich, when one was computed.
    fn write_certified(&self, s: &mut String) {
        if let Some(c) = &self.bounds.certified {
            let _ = writeln!(s);
            let _ = writeln!(
                s,
                "certified  {} <= regions <= {}{}  (method {}, {:.2} s)",
                c.lower,
                BigValue {
                    value: c.upper.clone(),
                    log10: c.upper_log10
                }
                .short(),
                if c.exact { "  (exact)" } else { "" },
                c.method,
                c.seconds
            );
        }
    }

    /// The split bound's stages, when it was computed.
    fn write_split_stages(&self, s: &mut String) {
        if let Some(sp) = &self.bounds.local_split {
            let _ = writeln!(s);
            let _ = writeln!(
                s,
                "local_split depths (k leading layers enumerated exactly):"
            );
            let _ = writeln!(
                s,
                "{:>5} {:>12} {:>26} {:>8} {:>9}",
                "k", "regions(k)", "bound", "LPs", "seconds"
            );
            for st in &sp.stages {
                let v = BigValue {
                    log10: crate::bounds::log10(
                        &st.value.parse::<num_bigint::BigUint>().unwrap_or_default(),
                    ),
                    value: st.value.clone(),
                };
                let _ = writeln!(
                    s,
                    "{:>5} {:>12} {:>26} {:>8} {:>9.2}",
                    st.depth,
                    st.regions,
                    v.short(),
                    st.lps,
                    st.seconds
                );
            }
        }
    }

    /// The local analytic bound's per-layer stability.
    fn write_layers(&self, s: &mut String) {
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "local_analytic per layer (units that can change sign inside the ball; tied: of those, \
             copies and mirrors, which split no region of their own):"
        );
        let _ = writeln!(
            s,
            "{:>5} {:>6} {:>9} {:>6} {:>8} {:>9} {:>14}",
            "layer", "width", "unstable", "tied", "active", "inactive", "encl. radius"
        );
        for (i, l) in self.bounds.local_analytic.layers.iter().enumerate() {
            let _ = writeln!(
                s,
                "{:>5} {:>6} {:>9} {:>6} {:>8} {:>9} {:>14.6e}",
                i + 1,
                l.width,
                l.unstable,
                l.tied,
                l.stably_active,
                l.stably_inactive,
                l.radius
            );
        }
    }

    /// The certificate file written, if any.
    fn write_certificate(&self, s: &mut String) {
        if let Some(c) = &self.certificate {
            let _ = writeln!(
                s,
                "certificate {} ({} bytes, sha256 {})",
                c.path, c.bytes, c.sha256
            );
        }
    }
}

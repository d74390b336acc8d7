//! The report of `relu-regions check`: the checker's verdict on a count or a bound certificate.

use crate::check::{BoundVerdict, Checked, Verdict};
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

/// What `check` prints on success: one verdict line, then details (text), or one JSON object.
pub struct CheckReport {
    /// The first line printed: `verified: …` with what the certificate proves.
    pub verdict: String,
    json: Value,
    lines: Vec<String>,
}

impl CheckReport {
    /// The report of a successful check of a certificate for the model file `model`.
    pub fn new(model: &Path, checked: &Checked) -> Self {
        let Parts {
            verdict,
            model_sha256,
            domain,
            elapsed,
            mut json,
            details,
        } = match checked {
            Checked::Count(v) => count_parts(v),
            Checked::Bound(v) => bound_parts(v),
        };
        if let Value::Object(map) = &mut json {
            map.insert("verified".into(), json!(true));
            map.insert("verdict".into(), json!(verdict));
            map.insert("model_sha256".into(), json!(model_sha256));
            map.insert("domain".into(), json!(domain));
            map.insert("elapsed_s".into(), json!(elapsed.as_secs_f64()));
        }
        let mut lines = vec![
            format!("model      {} (sha256 {model_sha256})", model.display()),
            format!("domain     {domain}"),
        ];
        lines.extend(details);
        CheckReport {
            verdict,
            json,
            lines,
        }
    }

    /// The JSON object (`--json`), pretty-printed.
    pub fn to_json(&self) -> String {
        format!("{:#}", self.json)
    }

    /// The text form: the verdict line, then one detail per line.
    pub fn to_text(&self) -> String {
        let mut s = format!("{}\n", self.verdict);
        for l in &self.lines {
            s.push_str(l);
            s.push('\n');
        }
        s
    }
}

/// What a report is made of, before the common fields are added.
struct Parts<'a> {
    verdict: String,
    model_sha256: &'a String,
    domain: &'a String,
    elapsed: Duration,
    /// The JSON object of the kind's own fields.
    json: Value,
    /// The text lines after the model and the domain.
    details: Vec<String>,
}

/// The [`Parts`] of a count certificate's verdict.
fn count_parts(v: &Verdict) -> Parts<'_> {
    Parts {
        verdict: if v.exact {
            format!("verified: {} regions (exact)", v.regions)
        } else {
            format!("verified lower bound {} ({} open items)", v.regions, v.open)
        },
        model_sha256: &v.model_sha256,
        domain: &v.domain,
        elapsed: v.elapsed,
        json: json!({
            "regions": v.regions,
            "exact": v.exact,
            "open": v.open,
            "leaves_checked": v.leaves_checked,
            "proofs_checked": v.proofs_checked,
        }),
        details: vec![format!(
            "checked    {} witnesses and {} proofs of emptiness in exact arithmetic, {:.3} s",
            v.leaves_checked,
            v.proofs_checked,
            v.elapsed.as_secs_f64()
        )],
    }
}

/// The [`Parts`] of a bound certificate's verdict: per layer its stability counts.
fn bound_parts(v: &BoundVerdict) -> Parts<'_> {
    let mut details: Vec<String> = v
        .layers
        .iter()
        .enumerate()
        .map(|(l, c)| {
            format!(
                "layer {:<4} {} units: {} unstable, {} stably active, {} stably inactive",
                l + 1,
                c.width,
                c.unstable + c.tied,
                c.stably_active,
                c.stably_inactive
            )
        })
        .collect();
    details.push(format!(
        "checked    {} unit bounds ({} multipliers) and {} balls in exact arithmetic, {:.3} s",
        v.sides_checked,
        v.multipliers_checked,
        v.balls_checked,
        v.elapsed.as_secs_f64()
    ));
    let layers: Vec<Value> = v
        .layers
        .iter()
        .map(|l| {
            json!({
                "width": l.width,
                "unstable": l.unstable + l.tied,
                "stably_active": l.stably_active,
                "stably_inactive": l.stably_inactive,
            })
        })
        .collect();
    Parts {
        verdict: format!(
            "verified: the local bound is at most {} ({})",
            v.value, v.method
        ),
        model_sha256: &v.model_sha256,
        domain: &v.domain,
        elapsed: v.elapsed,
        json: json!({
            "kind": "bound",
            "method": v.method,
            "bound": v.value.to_string(),
            "layers": layers,
            "bounds_checked": v.sides_checked,
            "multipliers_checked": v.multipliers_checked,
            "balls_checked": v.balls_checked,
        }),
        details,
    }
}

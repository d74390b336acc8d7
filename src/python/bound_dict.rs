//! The dict `Network.bound` returns: every bound as a Python int, the sandwich, the per-layer
//! details, and the CLI's `bound --json` object.

use crate::report::bound::BoundReport;
use crate::sandwich::BoundOutcome;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

/// `{montufar2017, serra2018, local_analytic, [local_lp], [local_split]: int, upper, lower: int,
/// exact: bool, seconds: float, layers: [...], [lp_layers: [...]], [split_stages: [...]],
/// report: dict}`.
pub(super) fn bound_dict<'py>(
    py: Python<'py>,
    outcome: &BoundOutcome,
    report: &BoundReport,
    seconds: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("montufar2017", outcome.global.montufar2017.clone())?;
    d.set_item("serra2018", outcome.global.serra2018.clone())?;
    d.set_item("local_analytic", outcome.analytic.value.clone())?;
    if let Some(lp) = &outcome.lp {
        d.set_item("local_lp", lp.value.clone())?;
    }
    if let Some(split) = &outcome.split {
        d.set_item("local_split", split.value.clone())?;
    }
    d.set_item("upper", outcome.upper.clone())?;
    d.set_item("lower", outcome.lower)?;
    d.set_item("exact", outcome.exact)?;
    d.set_item("seconds", seconds)?;
    let json = py.import("json")?;
    let report = serde_json::to_string(report)
        .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
    let report = json.call_method1("loads", (report,))?;
    let bounds = report.get_item("bounds")?;
    d.set_item(
        "layers",
        bounds.get_item("local_analytic")?.get_item("layers")?,
    )?;
    if let Ok(lp) = bounds.get_item("local_lp") {
        d.set_item("lp_layers", lp.get_item("layers")?)?;
    }
    if let Ok(split) = bounds.get_item("local_split") {
        let stages = PyList::empty(py);
        for stage in split.get_item("stages")?.try_iter()? {
            let stage = stage?;
            let value: String = stage.get_item("value")?.extract()?;
            stage.set_item(
                "value",
                value
                    .parse::<num_bigint::BigUint>()
                    .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?,
            )?;
            stages.append(stage)?;
        }
        d.set_item("split_stages", stages)?;
    }
    d.set_item("report", report)?;
    Ok(d)
}

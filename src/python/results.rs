//! `relu_regions.CountResult`: the outcome of a count, with the CLI's `--json` object.

use crate::domain::Domain;
use crate::enumerate::CountOutcome;
use crate::network::ActivationPattern;
use crate::report::count::CountReport;
use ndarray::{Array1, Array2};
use num_bigint::BigUint;
use numpy::{PyArray2, ToPyArray};
use pyo3::prelude::*;

/// The regions a count collected: one witness point and activation pattern per region.
pub(super) type Regions = Vec<(Array1<f64>, ActivationPattern)>;

/// The result of `Network.count`: the exact count, or an honest sandwich `lower ≤ N ≤ upper`
/// with the reason the count stopped.
#[pyclass(name = "CountResult", module = "relu_regions", frozen)]
pub struct PyCountResult {
    report: CountReport,
    upper: BigUint,
    undecided_bound: BigUint,
    witnesses: Option<Py<PyArray2<f64>>>,
    patterns: Option<Py<PyArray2<bool>>>,
    unfinished: Vec<String>,
}

impl PyCountResult {
    /// The result of `outcome`, counted on the model `model` in `domain` with `solver`; with the
    /// collected `regions` as arrays (sorted by pattern, so the order does not depend on threads).
    pub(super) fn new(
        py: Python<'_>,
        model: &str,
        domain: &Domain,
        solver: &str,
        outcome: &CountOutcome,
        regions: Option<Regions>,
    ) -> Self {
        let (witnesses, patterns) = match regions {
            Some(r) => {
                let (w, p) = region_arrays(r, domain.dim());
                (
                    Some(w.to_pyarray(py).unbind()),
                    Some(p.to_pyarray(py).unbind()),
                )
            }
            None => (None, None),
        };
        PyCountResult {
            report: CountReport::new(model, domain, solver, outcome),
            upper: outcome.upper.clone(),
            undecided_bound: outcome.undecided_bound.clone(),
            witnesses,
            patterns,
            unfinished: outcome.unfinished.iter().map(|p| p.to_text()).collect(),
        }
    }
}

/// Witnesses (k, n0) and patterns (k, units; hidden layers concatenated, input side first).
fn region_arrays(mut regions: Regions, n0: usize) -> (Array2<f64>, Array2<bool>) {
    regions.sort_by(|a, b| a.1.layers.cmp(&b.1.layers));
    let units = regions
        .first()
        .map_or(0, |(_, p)| p.layers.iter().map(Vec::len).sum());
    let mut w = Array2::zeros((regions.len(), n0));
    let mut p = Array2::from_elem((regions.len(), units), false);
    for (k, (x, pattern)) in regions.iter().enumerate() {
        w.row_mut(k).assign(x);
        flat_pattern(pattern, p.row_mut(k));
    }
    (w, p)
}

/// Writes `pattern` into `row`, the hidden layers concatenated input side first.
pub(super) fn flat_pattern(pattern: &ActivationPattern, mut row: ndarray::ArrayViewMut1<bool>) {
    for (slot, active) in row.iter_mut().zip(pattern.layers.iter().flatten()) {
        *slot = *active;
    }
}

#[pymethods]
impl PyCountResult {
    /// The exact count when `exact`, else the regions found so far (equal to `lower`).
    #[getter]
    fn regions(&self) -> u64 {
        self.report.regions
    }

    /// True when `regions` is the exact count: every decision behind it was proven.
    #[getter]
    fn exact(&self) -> bool {
        self.report.exact
    }

    /// A certified lower bound: distinct regions, each proven by a witness point.
    #[getter]
    fn lower(&self) -> u64 {
        self.report.lower
    }

    /// A certified upper bound (a Python int; it may be astronomically large).
    #[getter]
    fn upper(&self) -> BigUint {
        self.upper.clone()
    }

    /// The bound of the undecided parts alone (a Python int; 0 when every decision was settled):
    /// with `frontier=True`, `regions + undecided_bound` bounds the count of everything but the
    /// `unfinished` subtrees.
    #[getter]
    fn undecided_bound(&self) -> BigUint {
        self.undecided_bound.clone()
    }

    /// Why the count is not exact (`"time limit"`, `"max regions"`, `"cancelled"`,
    /// `"undecided: …"`, `"out of range: …"`), or None when it is exact.
    #[getter]
    fn stopped_by(&self) -> Option<String> {
        self.report.stopped_by.clone()
    }

    /// The solver that decided the feasibility problems the closed forms left (`highs`/`clarabel`).
    #[getter]
    fn solver(&self) -> String {
        self.report.solver.clone()
    }

    /// Calls of the solver.
    #[getter]
    fn solver_calls(&self) -> u64 {
        self.report.solver_calls
    }

    /// Wall-clock seconds of the count.
    #[getter]
    fn elapsed_s(&self) -> f64 {
        self.report.elapsed_s
    }

    /// Worker threads used.
    #[getter]
    fn threads(&self) -> usize {
        self.report.threads
    }

    /// One witness point per region found, shape (k, n0), float64 (rows ordered by pattern); None
    /// unless the count was asked for `witnesses=True`.
    #[getter]
    fn witnesses(&self, py: Python<'_>) -> Option<Py<PyArray2<f64>>> {
        self.witnesses.as_ref().map(|w| w.clone_ref(py))
    }

    /// The activation pattern of each witness, shape (k, hidden units), bool, the hidden layers
    /// concatenated input side first; None unless asked for `witnesses=True`.
    #[getter]
    fn patterns(&self, py: Python<'_>) -> Option<Py<PyArray2<bool>>> {
        self.patterns.as_ref().map(|p| p.clone_ref(py))
    }

    /// The subtrees a count with `frontier=True` did not finish when it stopped (prefix strings
    /// for `Network.count_subproblems`); empty otherwise.
    #[getter]
    fn unfinished(&self) -> Vec<String> {
        self.unfinished.clone()
    }

    /// The CLI's `count --json` object as a dict (`upper` a decimal string there, as in the CLI).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let text = serde_json::to_string(&self.report)
            .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
        py.import("json")?.call_method1("loads", (text,))
    }

    fn __repr__(&self) -> String {
        if self.report.exact {
            format!("CountResult(regions={}, exact=True)", self.report.regions)
        } else {
            format!(
                "CountResult(regions={}, exact=False, lower={}, upper={}, stopped_by={:?})",
                self.report.regions,
                self.report.lower,
                self.upper,
                self.report.stopped_by.as_deref().unwrap_or("")
            )
        }
    }
}

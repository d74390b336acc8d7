//! `relu_regions.Network`: a network loaded from a file, built from NumPy layers or a PyTorch
//! `nn.Sequential`, and the library's questions about it.

use super::arrays;
use super::errors::{invalid, to_py};
use super::interrupt::{run_detached, run_guarded};
use super::options;
use super::results::{flat_pattern, PyCountResult, Regions};
use crate::domain::Domain;
use crate::enumerate::{CancelToken, CollectingSink, CountOptions, CountOutcome};
use crate::network::{Layer, Network};
use crate::report::bound::BoundReport;
use crate::report::progress_bar::ProgressBarObserver;
use crate::sandwich::{BoundMethod, BoundOptions};
use crate::solver::SolverKind;
use numpy::{PyArray1, PyArray2, ToPyArray};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use std::path::PathBuf;
use std::sync::Arc;

/// A ReLU network: affine layers with a ReLU after every one but the last.
#[pyclass(name = "Network", module = "relu_regions", frozen)]
pub struct PyNetwork {
    net: Arc<Network>,
    /// The file it was read from, as given (`"<memory>"` when built from arrays).
    model: String,
    /// What the reader changed or dropped, one sentence each.
    notes: Vec<String>,
}

/// The arguments of `Network._from_json` that rebuild a pickled network: its JSON text, the file
/// name it came from and the reader's notes.
type PickledNetwork = (String, String, Vec<String>);

/// What a count needs besides the network and the domain.
struct CountRequest {
    options: CountOptions,
    witnesses: bool,
}

impl PyNetwork {
    fn in_memory(net: Network) -> Self {
        PyNetwork {
            net: Arc::new(net),
            model: "<memory>".into(),
            notes: Vec::new(),
        }
    }

    /// Counts in `domain` on this thread (the caller has released the GIL).
    fn count_in(
        &self,
        domain: &Domain,
        request: &CountRequest,
    ) -> crate::Result<(CountOutcome, Option<Regions>)> {
        if request.witnesses {
            let sink = CollectingSink::new();
            let outcome = crate::count_with_witnesses(&self.net, domain, &request.options, &sink)?;
            Ok((outcome, Some(sink.into_regions())))
        } else {
            Ok((crate::count(&self.net, domain, &request.options)?, None))
        }
    }
}

/// The solver of a count: the one named, or the fastest for the domain.
fn solver_for(name: Option<&str>, domain: &Domain) -> PyResult<SolverKind> {
    match name {
        Some(s) => s.parse().map_err(to_py),
        None => Ok(crate::solver::default_for(domain)),
    }
}

#[pymethods]
impl PyNetwork {
    /// Reads a network file: ONNX (`.onnx`, as PyTorch, scikit-learn and VNN-COMP export MLPs),
    /// NNet (`.nnet`) or relu-regions JSON (`.json`), with the CLI's readers.
    #[staticmethod]
    fn load(path: PathBuf) -> PyResult<Self> {
        let loaded = run_guarded(|| crate::formats::load_network(&path))?;
        Ok(PyNetwork {
            net: Arc::new(loaded.network),
            model: path.display().to_string(),
            notes: loaded.notes,
        })
    }

    /// Builds a network from `[(W1, b1), (W2, b2), …]`: NumPy arrays (or anything
    /// `numpy.asarray` takes), each W of shape (out, in) as in PyTorch's `nn.Linear`, with a ReLU
    /// after every layer but the last.
    #[staticmethod]
    fn from_layers(layers: &Bound<'_, PyAny>) -> PyResult<Self> {
        let mut built = Vec::new();
        for (i, item) in layers.try_iter()?.enumerate() {
            let item = item?;
            let (w, b): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract().map_err(|_| {
                invalid(&format!("layers[{i}]"), "expected a pair (W, b) of arrays")
            })?;
            let weight = arrays::matrix(&w, &format!("layers[{i}] W"))?;
            let bias = arrays::vector(&b, &format!("layers[{i}] b"))?;
            built.push(Layer::new(weight, bias));
        }
        let net = run_guarded(|| Network::new(built))?;
        Ok(Self::in_memory(net))
    }

    /// Builds a network from a PyTorch `nn.Sequential` of `Linear`, `ReLU`, `LeakyReLU`, `PReLU`
    /// and `Flatten` (also `Identity` and `Dropout`, which inference ignores); a leaky activation
    /// becomes units and their exact mirrors, relu(t) − α·relu(−t) (the same regions).
    /// Duck-typed: torch is not a dependency.
    #[staticmethod]
    fn from_torch(model: &Bound<'_, PyAny>) -> PyResult<Self> {
        let layers = model
            .py()
            .import("relu_regions._torch")?
            .call_method1("layers_from_torch", (model,))?;
        Self::from_layers(&layers)
    }

    /// Writes the network to `path`: `.json` (relu-regions JSON) or `.onnx` (as PyTorch exports
    /// an `nn.Sequential`).
    fn save(&self, path: PathBuf) -> PyResult<()> {
        run_guarded(|| crate::formats::save_network(&self.net, &path))
    }

    /// The number of inputs n0.
    #[getter]
    fn input_dim(&self) -> usize {
        self.net.input_dim()
    }

    /// The number of outputs.
    #[getter]
    fn output_dim(&self) -> usize {
        self.net.output_dim()
    }

    /// The widths of the hidden (ReLU) layers, input side first.
    #[getter]
    fn hidden_widths(&self) -> Vec<usize> {
        self.net.hidden_widths()
    }

    /// The number of hidden (ReLU) units.
    #[getter]
    fn num_hidden_units(&self) -> usize {
        self.net.num_hidden_units()
    }

    /// The file the network was read from, or None when built from arrays.
    #[getter]
    fn model(&self) -> Option<String> {
        (self.model != "<memory>").then(|| self.model.clone())
    }

    /// What the reader changed or dropped (e.g. scikit-learn's softmax head), one sentence each.
    #[getter]
    fn notes(&self) -> Vec<String> {
        self.notes.clone()
    }

    /// The layers as a list of `(W, b)` NumPy arrays, W of shape (out, in) (a sparse layer
    /// written out densely; a ValueError when that would exceed 2^27 entries).
    fn layers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let mut pairs = Vec::with_capacity(self.net.layers().len());
        for (i, l) in self.net.layers().iter().enumerate() {
            let w = l
                .weight
                .to_dense()
                .map_err(|e| pyo3::exceptions::PyValueError::new_err(format!("layer {i}: {e}")))?;
            pairs.push((w.to_pyarray(py), l.bias.to_pyarray(py)));
        }
        PyList::new(py, pairs)
    }

    /// The network's output at `x`: a point (n0,) gives (outputs,), a batch (m, n0) gives
    /// (m, outputs).
    fn forward<'py>(&self, py: Python<'py>, x: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.per_point(py, x, self.net.output_dim(), 0.0, |p, mut row| {
            row.assign(&self.net.forward(p))
        })
    }

    /// The activation pattern at `x` (unit active when its pre-activation is > 0), the hidden
    /// layers concatenated input side first: (units,) bool for a point, (m, units) for a batch.
    fn activation_pattern<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.per_point(py, x, self.net.num_hidden_units(), false, |p, row| {
            flat_pattern(&self.net.activation_pattern(p), row)
        })
    }

    /// Bounds on the number of linear regions meeting the open ball of `radius` around `center`
    /// in `norm` (`"l2"` or `"linf"`), or the open `box` (a VNN-LIB path or `(lower, upper)`).
    ///
    /// `method`: `"analytic"` (instant), `"lp"` (LP-tightened), `"split"` (exact regions of the
    /// first layers) or `"all"` (a certified sandwich with the enumerator), within `time_limit`
    /// seconds. Returns a dict of Python ints per bound (`montufar2017`, `serra2018`,
    /// `local_analytic`, `local_lp`, `local_split` when computed), the sandwich `lower ≤ N ≤
    /// upper` with `exact`, the per-layer details, and `report`, the CLI's `bound --json` object.
    #[pyo3(signature = (center=None, radius=None, norm="l2", method="analytic", *, time_limit=None, threads=None, split_depth=None, r#box=None))]
    #[allow(clippy::too_many_arguments)]
    fn bound<'py>(
        &self,
        py: Python<'py>,
        center: Option<&Bound<'py, PyAny>>,
        radius: Option<f64>,
        norm: &str,
        method: &str,
        time_limit: Option<f64>,
        threads: Option<usize>,
        split_depth: Option<usize>,
        r#box: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let domain = options::domain(&self.net, center, radius, options::norm(norm)?, r#box)?;
        let method: BoundMethod = method.parse().map_err(to_py)?;
        if split_depth == Some(0) {
            return Err(invalid(
                "split_depth",
                "0 is not valid; expected at least 1 (depth 0 is method=\"lp\")",
            ));
        }
        let cancel = CancelToken::new();
        let bound_options = BoundOptions {
            method,
            time_limit: options::time_limit(time_limit)?,
            split_depth,
            threads: options::threads(threads)?,
            cancel: Some(cancel.clone()),
        };
        let start = std::time::Instant::now();
        let outcome = run_detached(py, &cancel, || {
            crate::bound(&self.net, &domain, &bound_options)
        })?;
        let seconds = start.elapsed().as_secs_f64();
        let report = BoundReport::from_outcome(
            &self.model,
            &self.net,
            &domain,
            &outcome,
            &bound_options,
            seconds,
        );
        super::bound_dict::bound_dict(py, &outcome, &report, seconds)
    }

    /// Counts exactly the linear regions meeting the open ball of `radius` around `center` in
    /// `norm` (`"l2"` or `"linf"`), or the open `box` (a VNN-LIB path or `(lower, upper)`).
    ///
    /// A `time_limit` (seconds) or `max_regions` gives an honest partial result (`exact` False,
    /// `lower ≤ N ≤ upper`). `threads`: worker threads (None: every core; the count never
    /// depends on it). `witnesses=True` keeps one witness point and pattern per region.
    /// `progress=True` draws a progress bar on stderr. Ctrl-C stops the workers and raises
    /// KeyboardInterrupt.
    #[pyo3(signature = (center=None, radius=None, norm="l2", *, time_limit=None, threads=None, max_regions=None, witnesses=false, progress=false, solver=None, exact_fallback=true, r#box=None))]
    #[allow(clippy::too_many_arguments)]
    fn count(
        &self,
        py: Python<'_>,
        center: Option<&Bound<'_, PyAny>>,
        radius: Option<f64>,
        norm: &str,
        time_limit: Option<f64>,
        threads: Option<usize>,
        max_regions: Option<u64>,
        witnesses: bool,
        progress: bool,
        solver: Option<&str>,
        exact_fallback: bool,
        r#box: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyCountResult> {
        let domain = options::domain(&self.net, center, radius, options::norm(norm)?, r#box)?;
        let solver = solver_for(solver, &domain)?;
        let cancel = CancelToken::new();
        let mut count_options = CountOptions {
            threads: options::threads(threads)?,
            time_limit: options::time_limit(time_limit)?,
            max_regions,
            solver: Some(solver),
            exact_fallback,
            certificate: false,
            cancel: Some(cancel.clone()),
            observer: None,
            frontier: false,
        };
        if progress {
            count_options.observer = Some(Arc::new(ProgressBarObserver::new()));
        }
        let request = CountRequest {
            options: count_options,
            witnesses,
        };
        let (outcome, regions) = run_detached(py, &cancel, || self.count_in(&domain, &request))?;
        Ok(PyCountResult::new(
            py,
            &self.model,
            &domain,
            solver.name(),
            &outcome,
            regions,
        ))
    }

    /// A partition of the search tree of the ball of `radius` around `center` (or of `box`) into
    /// at least `at_least` subproblems (fewer only when the tree has fewer leaves): each the
    /// pattern prefix of a subtree as a string of `0`/`1`, inactive/active, one per hidden unit
    /// decided on its path. Their counts ([`count_subproblems`]) add up to the count of the domain.
    #[pyo3(signature = (center=None, radius=None, norm="l2", *, at_least=8, threads=None, r#box=None))]
    #[allow(clippy::too_many_arguments)]
    fn split(
        &self,
        py: Python<'_>,
        center: Option<&Bound<'_, PyAny>>,
        radius: Option<f64>,
        norm: &str,
        at_least: usize,
        threads: Option<usize>,
        r#box: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<String>> {
        let domain = options::domain(&self.net, center, radius, options::norm(norm)?, r#box)?;
        let cancel = CancelToken::new();
        let split_options = CountOptions::new()
            .threads(options::threads(threads)?)
            .cancel(cancel.clone());
        let parts = run_detached(py, &cancel, || {
            crate::split(&self.net, &domain, at_least, &split_options)
        })?;
        Ok(parts.iter().map(|p| p.to_text()).collect())
    }

    /// Counts the regions of the union of the disjoint subtrees `subproblems` (prefix strings
    /// from `split` or a stopped count's `unfinished`) in the ball of `radius` around `center`
    /// (or `box`). With `frontier=True`, a count stopped by `time_limit` lists in `unfinished`
    /// the subtrees it did not finish (count them later: nothing is lost or counted twice).
    #[pyo3(signature = (subproblems, center=None, radius=None, norm="l2", *, time_limit=None, threads=None, max_regions=None, frontier=false, solver=None, exact_fallback=true, r#box=None))]
    #[allow(clippy::too_many_arguments)]
    fn count_subproblems(
        &self,
        py: Python<'_>,
        subproblems: Vec<String>,
        center: Option<&Bound<'_, PyAny>>,
        radius: Option<f64>,
        norm: &str,
        time_limit: Option<f64>,
        threads: Option<usize>,
        max_regions: Option<u64>,
        frontier: bool,
        solver: Option<&str>,
        exact_fallback: bool,
        r#box: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyCountResult> {
        let domain = options::domain(&self.net, center, radius, options::norm(norm)?, r#box)?;
        let parts = subproblems
            .iter()
            .map(|t| crate::Subproblem::from_text(t))
            .collect::<crate::Result<Vec<_>>>()
            .map_err(to_py)?;
        let solver = solver_for(solver, &domain)?;
        let cancel = CancelToken::new();
        let count_options = CountOptions {
            threads: options::threads(threads)?,
            time_limit: options::time_limit(time_limit)?,
            max_regions,
            solver: Some(solver),
            exact_fallback,
            cancel: Some(cancel.clone()),
            ..CountOptions::new()
        }
        .frontier(frontier);
        let outcome = run_detached(py, &cancel, || {
            crate::count_subproblems(&self.net, &domain, &parts, &count_options)
        })?;
        Ok(PyCountResult::new(
            py,
            &self.model,
            &domain,
            solver.name(),
            &outcome,
            None,
        ))
    }

    /// `count` around every row of `centers` (shape (m, n0)), the points in parallel on
    /// `threads` workers (None: every core), each count on one thread; the results in the order
    /// of the rows. `time_limit` and `max_regions` apply to each point.
    #[pyo3(signature = (centers, radius, norm="l2", *, time_limit=None, threads=None, max_regions=None, witnesses=false, solver=None, exact_fallback=true))]
    #[allow(clippy::too_many_arguments)]
    fn count_many(
        &self,
        py: Python<'_>,
        centers: &Bound<'_, PyAny>,
        radius: f64,
        norm: &str,
        time_limit: Option<f64>,
        threads: Option<usize>,
        max_regions: Option<u64>,
        witnesses: bool,
        solver: Option<&str>,
        exact_fallback: bool,
    ) -> PyResult<Vec<PyCountResult>> {
        let norm = options::norm(norm)?;
        let points = arrays::matrix(centers, "centers")?;
        if !(radius.is_finite() && radius > 0.0) {
            let e =
                crate::Error::invalid_value(crate::Field::Radius, radius, "a finite number > 0");
            return Err(to_py(e));
        }
        let domains = points
            .rows()
            .into_iter()
            .map(|c| options::ball_named(&self.net, c.to_owned(), radius, norm, "centers"))
            .collect::<PyResult<Vec<Domain>>>()?;
        let solvers = domains
            .iter()
            .map(|d| solver_for(solver, d))
            .collect::<PyResult<Vec<SolverKind>>>()?;
        let workers = options::threads(threads)?;
        let cancel = CancelToken::new();
        let request = CountRequest {
            options: CountOptions {
                threads: 1,
                time_limit: options::time_limit(time_limit)?,
                max_regions,
                solver: solver.map(str::parse).transpose().map_err(to_py)?,
                exact_fallback,
                certificate: false,
                cancel: Some(cancel.clone()),
                observer: None,
                frontier: false,
            },
            witnesses,
        };
        let outcomes = run_detached(py, &cancel, || {
            self.count_points(&domains, &request, workers)
        })?;
        Ok(outcomes
            .into_iter()
            .zip(domains.iter().zip(&solvers))
            .map(|((outcome, regions), (domain, solver))| {
                PyCountResult::new(py, &self.model, domain, solver.name(), &outcome, regions)
            })
            .collect())
    }

    /// The exact distance from `point` to the boundary of its own linear region, in `norm`
    /// (`"l2"` or `"linf"`). With `details=True`, a dict with the distance, the unit that flips
    /// there (`unit` over all hidden units, `layer` 1-based and `index` within it) and the conic
    /// programs solved, as the CLI's `distance --json`.
    #[pyo3(signature = (point, norm="l2", *, details=false))]
    fn distance<'py>(
        &self,
        py: Python<'py>,
        point: &Bound<'py, PyAny>,
        norm: &str,
        details: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let norm = options::norm(norm)?;
        let x = arrays::vector(point, "point")?;
        self.check_inputs(x.len(), "point")?;
        let d = run_detached(py, &CancelToken::new(), || {
            crate::train::boundary_distance(&self.net, x.view(), norm)
        })?;
        if !details {
            return Ok(d.distance.into_pyobject(py)?.into_any());
        }
        let dict = PyDict::new(py);
        dict.set_item("norm", norm.name())?;
        dict.set_item("distance", d.distance)?;
        dict.set_item("unit", d.unit)?;
        dict.set_item("layer", d.layer + 1)?;
        dict.set_item("index", d.index)?;
        dict.set_item("solver_calls", d.solver_calls)?;
        Ok(dict.into_any())
    }

    /// Pickling (multiprocessing, Dask): the network travels as its relu-regions JSON text, which
    /// keeps every float exactly, with the file name and the reader's notes.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, PickledNetwork)> {
        let rebuild = py.get_type::<PyNetwork>().getattr("_from_json")?;
        let text = crate::formats::json::to_string(&self.net);
        Ok((rebuild, (text, self.model.clone(), self.notes.clone())))
    }

    /// The inverse of `__reduce__`.
    #[staticmethod]
    fn _from_json(text: &str, model: String, notes: Vec<String>) -> PyResult<Self> {
        let net = run_guarded(|| {
            crate::formats::json::from_str(text, std::path::Path::new("<pickled network>"))
        })?;
        Ok(PyNetwork {
            net: Arc::new(net),
            model,
            notes,
        })
    }

    fn __repr__(&self) -> String {
        format!(
            "Network(input_dim={}, hidden_widths={:?}, output_dim={})",
            self.net.input_dim(),
            self.net.hidden_widths(),
            self.net.output_dim()
        )
    }
}

impl PyNetwork {
    /// `fill(point, out_row)` for the point or each point of the batch `x`, as a (width,) or
    /// (m, width) array.
    fn per_point<'py, T: numpy::Element + Clone>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        width: usize,
        zero: T,
        fill: impl Fn(ndarray::ArrayView1<f64>, ndarray::ArrayViewMut1<T>),
    ) -> PyResult<Bound<'py, PyAny>> {
        let (points, batched) = arrays::points(x, "x")?;
        self.check_inputs(points.ncols(), "x")?;
        let mut out = ndarray::Array2::from_elem((points.nrows(), width), zero);
        for (p, row) in points.rows().into_iter().zip(out.rows_mut()) {
            fill(p, row);
        }
        Ok(if batched {
            PyArray2::from_owned_array(py, out).into_any()
        } else {
            PyArray1::from_owned_array(py, out.row(0).to_owned()).into_any()
        })
    }

    /// A ValueError unless `got` is the number of inputs.
    fn check_inputs(&self, got: usize, name: &str) -> PyResult<()> {
        if got == self.net.input_dim() {
            Ok(())
        } else {
            Err(invalid(
                name,
                format!(
                    "points have {got} coordinates; the network expects {} inputs",
                    self.net.input_dim()
                ),
            ))
        }
    }

    /// Counts every domain, in parallel over the domains on `workers` threads (one each).
    fn count_points(
        &self,
        domains: &[Domain],
        request: &CountRequest,
        workers: usize,
    ) -> crate::Result<Vec<(CountOutcome, Option<Regions>)>> {
        let options = request.options.clone().threads(workers);
        if !request.witnesses {
            let outcomes = crate::count_many(&self.net, domains, &options)?;
            return Ok(outcomes.into_iter().map(|o| (o, None)).collect());
        }
        let sinks: Vec<CollectingSink> = domains.iter().map(|_| CollectingSink::new()).collect();
        let refs: Vec<&dyn crate::WitnessSink> = sinks.iter().map(|s| s as _).collect();
        let outcomes = crate::count_many_with_witnesses(&self.net, domains, &options, &refs)?;
        Ok(outcomes
            .into_iter()
            .zip(sinks)
            .map(|(o, s)| (o, Some(s.into_regions())))
            .collect())
    }
}

//! The Python module `relu_regions._native` (feature `python`; built by maturin from
//! `pyproject.toml`, wrapped by the pure-Python package in `python/relu_regions/`).
//!
//! A thin front end over the facade, like the CLI: [`network::PyNetwork`] is `relu_regions.Network`
//! (load, from_layers, bound, count, count_many, distance), [`results::PyCountResult`] is what a
//! count returns. Every call into the library runs with the GIL released on a thread of its own
//! ([`interrupt::run_detached`]): Ctrl-C trips the count's cancellation token and raises
//! `KeyboardInterrupt`, a Rust panic becomes a `RuntimeError`, and library errors become
//! `ValueError`/`OSError` with the keyword argument's name ([`errors`]).

mod arrays;
mod bound_dict;
mod errors;
mod interrupt;
mod network;
mod options;
mod results;

use pyo3::prelude::*;

/// The native part of the `relu_regions` Python package.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<network::PyNetwork>()?;
    m.add_class::<results::PyCountResult>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(_panic_for_tests, m)?)?;
    Ok(())
}

/// Panics on a worker thread, as a bug would: the tests check it arrives as a `RuntimeError`.
#[pyfunction]
fn _panic_for_tests(py: Python<'_>) -> PyResult<()> {
    interrupt::run_detached(
        py,
        &crate::enumerate::CancelToken::new(),
        || -> crate::Result<()> {
            panic!("a deliberate panic (relu_regions._native._panic_for_tests)")
        },
    )
}

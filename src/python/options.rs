//! Keyword arguments shared by `bound`, `count` and `count_many`, checked as the CLI checks its
//! flags, and the domain they describe.

use super::arrays;
use super::errors::{invalid, to_py};
use crate::domain::{Domain, Norm};
use crate::error::{Error, Field};
use crate::network::Network;
use ndarray::Array1;
use pyo3::prelude::*;
use std::path::PathBuf;
use std::time::Duration;

/// `norm="l2"` or `"linf"` (the CLI's spellings).
pub(super) fn norm(name: &str) -> PyResult<Norm> {
    name.parse().map_err(to_py)
}

/// `time_limit` in seconds: None, or a number > 0 (at most about 31 years).
pub(super) fn time_limit(seconds: Option<f64>) -> PyResult<Option<Duration>> {
    crate::inputs::parse_time_limit(seconds).map_err(to_py)
}

/// `threads`: None takes every core; otherwise 1 to `inputs::MAX_THREADS` (1024).
pub(super) fn threads(threads: Option<usize>) -> PyResult<usize> {
    crate::inputs::parse_threads(threads).map_err(to_py)
}

/// The ball of `radius` in `norm` around `center` (checked: dimension, finite values, radius).
pub(super) fn ball(
    net: &Network,
    center: &Bound<'_, PyAny>,
    radius: f64,
    norm: Norm,
) -> PyResult<Domain> {
    let c = arrays::vector(center, "center")?;
    ball_at(net, c, radius, norm).map_err(to_py)
}

/// A ValueError about `name` unless it has one value per input of the network.
fn one_value_per_input(net: &Network, got: usize, name: &str) -> PyResult<()> {
    if got == net.input_dim() {
        return Ok(());
    }
    let expected = net.input_dim();
    Err(invalid(
        name,
        format!("has {got} values; the network expects {expected} inputs"),
    ))
}

/// The ball of `radius` in `norm` around the point `c` (dimension and radius checked); errors
/// name the point `name` (the keyword argument it came from).
pub(super) fn ball_named(
    net: &Network,
    c: Array1<f64>,
    radius: f64,
    norm: Norm,
    name: &str,
) -> PyResult<Domain> {
    one_value_per_input(net, c.len(), name)?;
    Domain::ball(c, radius, norm).map_err(to_py)
}

/// The ball of `radius` in `norm` around the point `c` (dimension and radius checked).
pub(super) fn ball_at(
    net: &Network,
    c: Array1<f64>,
    radius: f64,
    norm: Norm,
) -> crate::Result<Domain> {
    crate::points::check_dimension(&c, net.input_dim(), Field::Center)?;
    Domain::ball(c, radius, norm)
}

/// The domain of a call: `box` (a VNN-LIB file, or a pair `(lower, upper)`) or the ball of
/// `radius` around `center`; exactly one of the two.
pub(super) fn domain(
    net: &Network,
    center: Option<&Bound<'_, PyAny>>,
    radius: Option<f64>,
    norm: Norm,
    bx: Option<&Bound<'_, PyAny>>,
) -> PyResult<Domain> {
    match (bx, center, radius) {
        (Some(bx), None, None) => input_box(net, bx),
        (Some(_), _, _) => Err(invalid(
            "box",
            "a box is the whole domain; give either box or center and radius, not both",
        )),
        (None, Some(c), Some(r)) => ball(net, c, r, norm),
        (None, None, _) => Err(invalid(
            "center",
            "missing; give center and radius (a ball) or box (a VNN-LIB file or (lower, upper))",
        )),
        (None, Some(_), None) => Err(invalid("radius", "missing; expected a number > 0")),
    }
}

/// `box`: a path to a VNN-LIB property (its input box) or a pair `(lower, upper)`.
fn input_box(net: &Network, bx: &Bound<'_, PyAny>) -> PyResult<Domain> {
    if let Ok(path) = bx.extract::<PathBuf>() {
        let (lo, hi) = crate::vnnlib::read_input_box(&path, net.input_dim()).map_err(to_py)?;
        return Domain::from_bounds(&lo, &hi)
            .map_err(|e| to_py(Error::format(&path, "input box", e.to_string())));
    }
    let (lower, upper): (Bound<'_, PyAny>, Bound<'_, PyAny>) = bx.extract().map_err(|_| {
        invalid(
            "box",
            "expected a VNN-LIB file's path or a pair (lower, upper) of arrays",
        )
    })?;
    let lo = arrays::vector(&lower, "box lower")?;
    let hi = arrays::vector(&upper, "box upper")?;
    for (name, v) in [("box lower", &lo), ("box upper", &hi)] {
        one_value_per_input(net, v.len(), name)?;
    }
    Domain::from_bounds(&lo, &hi).map_err(|e| invalid("box", e))
}

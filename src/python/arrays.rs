//! NumPy arrays in and out: anything `numpy.asarray` takes (lists, tuples, float32 or float64
//! arrays in any memory order, objects with `__array__`) becomes an owned float64 array.

use super::errors::invalid;
use ndarray::{Array1, Array2, ArrayD, Ix1, Ix2};
use numpy::PyReadonlyArrayDyn;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyModule};

/// `value` as an owned float64 array of any dimension.
fn float_array(value: &Bound<'_, PyAny>, name: &str) -> PyResult<ArrayD<f64>> {
    let py = value.py();
    let numpy = py.import("numpy")?;
    no_masked_entries(&numpy, value, name)?;
    let raw = numpy
        .call_method1("asarray", (value,))
        .map_err(|e| invalid(name, format!("expected an array of numbers ({e})")))?;
    // real numbers only: complex would lose its imaginary part, bool and text are not numbers
    let kind: String = raw.getattr("dtype")?.getattr("kind")?.extract()?;
    if !matches!(kind.as_str(), "i" | "u" | "f") {
        let dtype = raw.getattr("dtype")?.str()?.to_string();
        return Err(invalid(
            name,
            format!("has dtype {dtype}; expected an array of real numbers (int or float)"),
        ));
    }
    let kwargs = PyDict::new(py);
    kwargs.set_item("dtype", "float64")?;
    let array = numpy.call_method("asarray", (raw,), Some(&kwargs))?;
    let array: PyReadonlyArrayDyn<'_, f64> = array.extract()?;
    Ok(array.as_array().to_owned())
}

/// A ValueError when `value` is a NumPy masked array with masked entries: `numpy.asarray` would
/// silently use the values under the mask.
fn no_masked_entries(
    numpy: &Bound<'_, PyModule>,
    value: &Bound<'_, PyAny>,
    name: &str,
) -> PyResult<()> {
    let ma = numpy.getattr("ma")?;
    if !ma.call_method1("isMaskedArray", (value,))?.is_truthy()? {
        return Ok(());
    }
    let masked: usize = ma.call_method1("count_masked", (value,))?.extract()?;
    if masked > 0 {
        return Err(invalid(
            name,
            format!("is a masked array with {masked} masked entries; expected none (fill them first, e.g. with .filled(value))"),
        ));
    }
    Ok(())
}

/// `value` as a vector (1-D) of finite numbers.
pub(super) fn vector(value: &Bound<'_, PyAny>, name: &str) -> PyResult<Array1<f64>> {
    let a = float_array(value, name)?;
    let shape = a.shape().to_vec();
    let v = a
        .into_dimensionality::<Ix1>()
        .map_err(|_| invalid(name, format!("has shape {shape:?}; expected a 1-D array")))?;
    finite(v.iter(), name)?;
    Ok(v)
}

/// `value` as a matrix (2-D) of finite numbers.
pub(super) fn matrix(value: &Bound<'_, PyAny>, name: &str) -> PyResult<Array2<f64>> {
    let a = float_array(value, name)?;
    let shape = a.shape().to_vec();
    let m = a
        .into_dimensionality::<Ix2>()
        .map_err(|_| invalid(name, format!("has shape {shape:?}; expected a 2-D array")))?;
    finite(m.iter(), name)?;
    Ok(m)
}

/// `value` as a batch of points: a 1-D array is one point (`batched` false), a 2-D array one
/// point per row.
pub(super) fn points(value: &Bound<'_, PyAny>, name: &str) -> PyResult<(Array2<f64>, bool)> {
    let a = float_array(value, name)?;
    finite(a.iter(), name)?;
    match a.ndim() {
        1 => {
            let n = a.len();
            // invariant: n entries always reshape to 1 × n
            let row = a
                .into_shape_with_order((1, n))
                .expect("a 1-D array is one row");
            Ok((row, false))
        }
        // invariant: the match arm has just checked ndim() == 2
        2 => Ok((a.into_dimensionality::<Ix2>().expect("checked 2-D"), true)),
        _ => Err(invalid(
            name,
            format!(
                "has shape {:?}; expected a 1-D point or a 2-D array of points (one per row)",
                a.shape()
            ),
        )),
    }
}

/// A ValueError at the first value that is not finite.
fn finite<'a>(values: impl Iterator<Item = &'a f64>, name: &str) -> PyResult<()> {
    match values.enumerate().find(|(_, v)| !v.is_finite()) {
        Some((i, v)) => Err(invalid(
            name,
            format!("value {i} (flat index) is {v}; expected finite numbers"),
        )),
        None => Ok(()),
    }
}

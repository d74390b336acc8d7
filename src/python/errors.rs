//! Library errors as Python exceptions: a bad value is a `ValueError` naming the keyword argument
//! that carried it, an unreadable file an `OSError` (`FileNotFoundError`, `PermissionError`), a
//! solver failure or a Rust panic a `RuntimeError`.

use crate::error::{Error, Field};
use pyo3::exceptions::{
    PyFileNotFoundError, PyOSError, PyPermissionError, PyRuntimeError, PyValueError,
};
use pyo3::PyErr;
use std::any::Any;
use std::io::ErrorKind;

/// The keyword argument of the Python API that sets `field`.
fn keyword(field: Field) -> String {
    match field {
        Field::Center => "center".into(),
        Field::Radius => "radius".into(),
        Field::Norm => "norm".into(),
        Field::TimeLimit => "time_limit".into(),
        Field::Threads => "threads".into(),
        Field::Method => "method".into(),
        Field::Solver => "solver".into(),
        Field::Radii => "radii".into(),
        Field::Seeds => "seeds".into(),
        Field::PlaneAxes => "axes".into(),
        Field::PlaneDirection(k) => format!("plane direction {}", k + 1),
        Field::PlanePoint(k) => format!("plane point {}", k + 1),
        Field::Plane => "plane".into(),
    }
}

/// The Python exception for a library error.
pub(super) fn to_py(e: Error) -> PyErr {
    match &e {
        Error::Io { source, .. } => match source.kind() {
            ErrorKind::NotFound => PyFileNotFoundError::new_err(e.to_string()),
            ErrorKind::PermissionDenied => PyPermissionError::new_err(e.to_string()),
            _ => PyOSError::new_err(e.to_string()),
        },
        Error::InvalidValue {
            field,
            value,
            expected,
        } => PyValueError::new_err(format!(
            "{}: {value} is not valid; expected {expected}",
            keyword(*field)
        )),
        Error::IndexOutOfRange { field, index, len } => PyValueError::new_err(format!(
            "{}: index {index} is out of range; expected an index below {len} (0-based)",
            keyword(*field)
        )),
        Error::Solver { .. } | Error::ThreadPool { .. } => PyRuntimeError::new_err(e.to_string()),
        _ => PyValueError::new_err(e.to_string()),
    }
}

/// A `ValueError` about the keyword argument `name`.
pub(super) fn invalid(name: &str, message: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(format!("{name}: {message}"))
}

/// The `RuntimeError` for a Rust panic (a bug in relu-regions, never the caller's fault).
pub(super) fn panic_to_py(payload: Box<dyn Any + Send>) -> PyErr {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_string());
    PyRuntimeError::new_err(format!(
        "internal error in relu-regions (please report it): {what}"
    ))
}

//! Running library work from Python: off the GIL, interruptible, panic-safe.

use super::errors;
use crate::enumerate::CancelToken;
use crate::error::Result;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{channel, RecvTimeoutError};
use std::sync::Mutex;
use std::time::Duration;

/// How often the waiting Python thread looks for a pending signal (Ctrl-C): the interrupt is
/// raised within this time plus the workers' reaction to the cancellation token.
const SIGNAL_POLL: Duration = Duration::from_millis(40);

/// Runs `work` on a thread of its own while the calling thread waits with the GIL released,
/// waking every [`SIGNAL_POLL`] to run Python's signal handlers. When one raises (Ctrl-C gives
/// `KeyboardInterrupt`), `cancel` is tripped, the work is waited for (it stops at its next
/// check of the token) and the exception is raised. A panic in `work` becomes a `RuntimeError`.
pub(super) fn run_detached<T: Send>(
    py: Python<'_>,
    cancel: &CancelToken,
    work: impl FnOnce() -> Result<T> + Send,
) -> PyResult<T> {
    let (tx, rx) = channel();
    // the receiver is waited on with the GIL released, from a closure that must be Send
    let rx = Mutex::new(rx);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let _ = tx.send(catch_unwind(AssertUnwindSafe(work)));
        });
        loop {
            let got = py.detach(|| lock(&rx).recv_timeout(SIGNAL_POLL));
            match got {
                Ok(Ok(result)) => return result.map_err(errors::to_py),
                Ok(Err(panic)) => return Err(errors::panic_to_py(panic)),
                Err(RecvTimeoutError::Timeout) => {
                    if let Err(interrupt) = py.check_signals() {
                        cancel.cancel();
                        py.detach(|| {
                            let _ = lock(&rx).recv();
                        });
                        return Err(interrupt);
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(PyRuntimeError::new_err(
                        "internal error in relu-regions: the worker thread ended without a result",
                    ))
                }
            }
        }
    })
}

/// Runs quick library work under the GIL, a panic becoming a `RuntimeError`.
pub(super) fn run_guarded<T>(work: impl FnOnce() -> Result<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(work)) {
        Ok(result) => result.map_err(errors::to_py),
        Err(panic) => Err(errors::panic_to_py(panic)),
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

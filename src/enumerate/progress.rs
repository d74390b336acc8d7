//! The observer's thread: a snapshot of the running count every [`PROGRESS_INTERVAL`], read from
//! the workers' counters without locking, until the count ends.

use super::control::{Observer, Progress, PROGRESS_INTERVAL};
use super::search::Shared;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Calls `observer.progress` at once, then every [`PROGRESS_INTERVAL`] until `done` is set, then
/// once more with the final figures (its `regions` is the outcome's), then `observer.finished`.
pub(super) fn run(sh: &Shared, observer: &dyn Observer, done: &AtomicBool, start: Instant) {
    const POLL: Duration = Duration::from_millis(20);
    loop {
        let last = done.load(Ordering::SeqCst);
        observer.progress(&Progress {
            regions: sh.regions.load(Ordering::SeqCst),
            open_tasks: sh.open_tasks.load(Ordering::SeqCst),
            solver_calls: sh.solver_calls.load(Ordering::SeqCst),
            elapsed: start.elapsed(),
        });
        if last {
            break;
        }
        let next = Instant::now() + PROGRESS_INTERVAL;
        while !done.load(Ordering::SeqCst) && Instant::now() < next {
            std::thread::sleep(POLL);
        }
    }
    observer.finished();
}

//! Stopping long work early: a [`CancelToken`] a caller trips from another thread (a Ctrl-C
//! handler, a Python front end), and the [`StopAt`] of one computation (a wall-clock deadline, a
//! token, both or neither). Every computation that honours them returns what it has proven so
//! far, marked as such; none claims more.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// A flag the caller trips to stop a running count or bound early; the count then returns what
/// it found with `Stop::Cancelled` (a lower and an upper bound, never marked exact), a bound the
/// looser but still certified value it reached. Clones share the flag, so one can go to a signal
/// handler or another thread while the work runs.
#[derive(Clone, Debug, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A token not yet tripped.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks all work holding this token (or a clone) to stop as soon as it can.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// True once [`CancelToken::cancel`] was called on this token or a clone.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Two tokens are equal when they share one flag (clones of each other).
impl PartialEq for CancelToken {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// When a computation stops: at a wall-clock deadline, when a token is tripped, whichever comes
/// first; never when it has neither.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StopAt {
    deadline: Option<Instant>,
    cancel: Option<CancelToken>,
}

impl StopAt {
    /// Stop at `deadline` (if any) or when `cancel` (if any) is tripped.
    pub fn new(deadline: Option<Instant>, cancel: Option<CancelToken>) -> Self {
        StopAt { deadline, cancel }
    }

    /// Stop only at `deadline` (if any).
    pub fn deadline_only(deadline: Option<Instant>) -> Self {
        StopAt::new(deadline, None)
    }

    /// The deadline, if any.
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// The token, if any.
    pub fn token(&self) -> Option<&CancelToken> {
        self.cancel.as_ref()
    }

    /// True once the deadline has passed or the token was tripped.
    pub fn reached(&self) -> bool {
        self.cancel.as_ref().is_some_and(CancelToken::is_cancelled)
            || self.deadline.is_some_and(|d| Instant::now() >= d)
    }
}

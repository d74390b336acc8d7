//! How a count ends and how its caller steers it while it runs: the typed [`Stop`] reason, the
//! [`CancelToken`] a front end trips on an interrupt, and the [`Observer`] that sees progress.
//!
//! A count is exact only when it ends with [`Stop::Exact`]; every other reason leaves an honest
//! lower/upper sandwich (`CountOutcome::lower`, `CountOutcome::upper`).

use std::fmt;
use std::time::Duration;

/// Why a count ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stop {
    /// The whole tree was explored and every decision behind the count was proven.
    Exact,
    /// The time limit (`CountOptions::time_limit`) ran out.
    TimeLimit,
    /// The region cap (`CountOptions::max_regions`) was reached.
    MaxRegions,
    /// The caller's [`CancelToken`] was tripped (e.g. on Ctrl-C).
    Cancelled,
    /// Some decision could not be proven; its part of the tree is bounded, not counted.
    Undecided(Undecided),
}

/// Why some decision of a count could not be proven.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Undecided {
    /// Floating point could not settle it, nor the exact fallback within its work budget
    /// (`FALLBACK_MAX_WORK`), or the region was found only in the float box enclosing an exact box.
    FallbackBudget,
    /// Floating point could not settle it and the exact fallback was switched off
    /// (`CountOptions::exact_fallback`).
    FallbackOff,
    /// Floating point could not settle it and the exact fallback is unavailable: the weights span
    /// more than the floating-point range, so the network in unit coordinates is not an exact
    /// image of it.
    FallbackUnavailable {
        /// Which weight or bias left the range, in words.
        detail: String,
    },
    /// The network cannot be written in the domain's unit coordinates within the floating-point
    /// range: nothing was counted, the upper bound is the local analytic bound. `detail` says
    /// which layer or value overflowed.
    OutOfRange {
        /// What overflowed.
        detail: String,
    },
    /// The search ended with a result that a sanity invariant rules out (an exact count of 0,
    /// or more regions than the local bound; see `enumerate::sanity`): something behind it went
    /// wrong, so it is not reported as exact. `detail` says which invariant failed.
    Implausible {
        /// The invariant that failed, in words.
        detail: String,
    },
}

impl Stop {
    /// True for [`Stop::Exact`].
    pub fn is_exact(&self) -> bool {
        *self == Stop::Exact
    }

    /// The reason in words, `None` for an exact count (the `stopped_by` of the JSON output).
    pub fn reason(&self) -> Option<String> {
        (!self.is_exact()).then(|| self.to_string())
    }
}

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stop::Exact => f.write_str("exact"),
            Stop::TimeLimit => f.write_str("time limit"),
            Stop::MaxRegions => f.write_str("max regions"),
            Stop::Cancelled => f.write_str("cancelled"),
            Stop::Undecided(u) => u.fmt(f),
        }
    }
}

impl fmt::Display for Undecided {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Undecided::FallbackBudget => f.write_str(
                "undecided: floating point could not settle some decisions, nor the exact fallback within its budget",
            ),
            Undecided::FallbackOff => f.write_str(
                "undecided: floating point could not settle some decisions and the exact fallback is off",
            ),
            Undecided::FallbackUnavailable { detail } => write!(
                f,
                "undecided: floating point could not settle some decisions, and the exact fallback is unavailable: out of range: {detail}",
            ),
            Undecided::OutOfRange { detail } => write!(f, "out of range: {detail}"),
            Undecided::Implausible { detail } => {
                write!(f, "implausible result, not reported as exact: {detail}")
            }
        }
    }
}

pub use crate::cancel::CancelToken;

/// A snapshot of a running count, passed to the [`Observer`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Progress {
    /// Regions found so far (each with a proven witness).
    pub regions: u64,
    /// Tasks being searched now.
    pub open_tasks: u64,
    /// Solver calls so far.
    pub solver_calls: u64,
    /// Time since the count started.
    pub elapsed: Duration,
}

/// Sees a running count: [`Observer::progress`] every [`PROGRESS_INTERVAL`] from a thread of its
/// own (never from the workers, so a slow observer does not slow the count), and
/// [`Observer::finished`] once at the end. The CLI draws its progress bar from it; a Python
/// front end can check for an interrupt there and trip a [`CancelToken`].
pub trait Observer: Send + Sync {
    /// The count's state: at the start, about every [`PROGRESS_INTERVAL`], and once at the end
    /// with the final figures (its `regions` is the outcome's).
    fn progress(&self, progress: &Progress);

    /// The count has ended (called once, after the last `progress`).
    fn finished(&self) {}
}

/// How often an [`Observer`] hears of a running count.
pub const PROGRESS_INTERVAL: Duration = Duration::from_millis(200);

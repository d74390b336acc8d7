//! The anytime sandwich: the smallest certified upper bound and the largest certified lower bound
//! (distinct witnessed regions) on the number of regions meeting the domain, reached within a
//! time limit, from the analytic, LP and split bounds and the exact enumerator.

use super::split::{split_from_lp, SplitBound};
use crate::bounds::lp::local_lp_until;
use crate::bounds::{global_bounds, local_analytic, GlobalBounds, LocalBound, LpBound};
use crate::cancel::{CancelToken, StopAt};
use crate::domain::Domain;
use crate::enumerate::{count_regions, CountOptions};
use crate::error::{Error, Result};
use crate::network::Network;
use num_bigint::BigUint;
use std::time::{Duration, Instant};

/// Which bounds to compute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoundMethod {
    /// The analytic local bound only (instant).
    Analytic,
    /// Analytic and LP-tightened.
    Lp,
    /// Analytic, LP and the split bound deepened while time allows (its last depth is the
    /// exact count).
    Split,
    /// Analytic, LP, then the exact enumerator with all the remaining time, so the sandwich
    /// closes whenever the enumerator alone would finish within the limit; when it stops early
    /// its lower and upper bounds stand (with LP's), and the split bound runs only if time is
    /// left (no time limit: the enumerator finishes and split is not needed).
    All,
}

impl std::str::FromStr for BoundMethod {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "analytic" => Ok(BoundMethod::Analytic),
            "lp" => Ok(BoundMethod::Lp),
            "split" => Ok(BoundMethod::Split),
            "all" => Ok(BoundMethod::All),
            other => Err(Error::invalid_value(
                crate::error::Field::Method,
                format!("'{other}'"),
                "analytic, lp, split or all",
            )),
        }
    }
}

/// How [`anytime_bounds`] (the facade's `relu_regions::bound`) runs:
///
/// ```
/// use relu_regions::{BoundMethod, BoundOptions};
/// let options = BoundOptions::new(BoundMethod::Lp).threads(2);
/// assert_eq!(options.method, BoundMethod::Lp);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct BoundOptions {
    /// Which bounds to compute beyond the global and analytic ones.
    pub method: BoundMethod,
    /// Wall-clock budget; `None` runs every requested bound to completion.
    pub time_limit: Option<Duration>,
    /// Deepest split depth (default: the number of hidden layers, i.e. up to the exact count).
    pub split_depth: Option<usize>,
    /// Worker threads of the enumerator and the per-region LPs.
    pub threads: usize,
    /// Stops the computation early when tripped: the bounds reached by then stand (still
    /// certified), as after a time limit.
    pub cancel: Option<CancelToken>,
}

impl Default for BoundOptions {
    fn default() -> Self {
        BoundOptions::new(BoundMethod::Analytic)
    }
}

impl BoundOptions {
    /// `method` on one thread, without a time limit, the split bound up to the exact count.
    pub fn new(method: BoundMethod) -> Self {
        BoundOptions {
            method,
            time_limit: None,
            split_depth: None,
            threads: 1,
            cancel: None,
        }
    }

    /// Stop deepening after `limit`; every bound reached by then stands.
    pub fn time_limit(mut self, limit: Duration) -> Self {
        self.time_limit = Some(limit);
        self
    }

    /// The deepest split depth.
    pub fn split_depth(mut self, depth: usize) -> Self {
        self.split_depth = Some(depth);
        self
    }

    /// Worker threads (0 is treated as 1).
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = threads;
        self
    }

    /// Stop early when `token` is tripped (the bounds reached by then stand).
    pub fn cancel(mut self, token: CancelToken) -> Self {
        self.cancel = Some(token);
        self
    }
}

/// Everything [`anytime_bounds`] computed, and the sandwich lower ≤ N ≤ upper.
#[derive(Clone, Debug, PartialEq)]
pub struct BoundOutcome {
    /// The global bounds of the literature (the whole input space).
    pub global: GlobalBounds,
    /// The local analytic bound in the domain, with its per-layer stability.
    pub analytic: LocalBound,
    /// The LP-tightened local bound (any method but `Analytic`).
    pub lp: Option<LpBound>,
    /// The split bound (`Split`, or `All` when the enumerator stopped early and time was left).
    pub split: Option<SplitBound>,
    /// The smallest certified upper bound reached (min of all bounds computed, and of the
    /// enumerator's partial upper bound).
    pub upper: BigUint,
    /// The largest certified lower bound: distinct regions with a checked witness (or the exact
    /// region count of a completed split depth, never more than the network's).
    pub lower: u64,
    /// True when upper = lower (the exact count).
    pub exact: bool,
}

/// Computes the bounds of `settings.method` within `settings.time_limit` (see [`BoundMethod`]).
/// Every upper bound is certified (see each bound's documentation), so their minimum is too.
pub fn anytime_bounds(
    net: &Network,
    domain: &Domain,
    settings: &BoundOptions,
) -> Result<BoundOutcome> {
    let start = Instant::now();
    let deadline = settings.time_limit.map(|t| start + t);
    let stop = StopAt::new(deadline, settings.cancel.clone());
    let threads = settings.threads.max(1);
    let analytic = local_analytic(net, domain)?;
    let mut upper = analytic.value.clone();
    let mut lower: u64 = 1; // the open domain meets at least one region
    let mut lp = None;
    let mut split = None;
    if settings.method != BoundMethod::Analytic {
        let l = local_lp_until(net, domain, &stop)?;
        upper = upper.min(l.value.clone());
        let lp_done = Instant::now();
        if matches!(settings.method, BoundMethod::All) {
            let left = deadline.map(|d| d.saturating_duration_since(lp_done));
            if left.is_none_or(|t| !t.is_zero()) && !stop.reached() {
                let cs = CountOptions {
                    threads,
                    time_limit: left,
                    cancel: settings.cancel.clone(),
                    ..Default::default()
                };
                let counted = count_regions(net, domain, &cs, None)?;
                lower = lower.max(counted.lower);
                upper = upper.min(counted.upper.clone());
            }
        }
        let want_split = match settings.method {
            BoundMethod::Split => true,
            BoundMethod::All => BigUint::from(lower) < upper && !stop.reached(),
            _ => false,
        };
        if want_split {
            // in `All` mode the full count already failed: stop one layer short of it
            let max_depth = match settings.method {
                BoundMethod::All => Some(
                    settings
                        .split_depth
                        .unwrap_or(net.depth())
                        .min(net.depth().saturating_sub(1)),
                ),
                _ => settings.split_depth,
            };
            let s = split_from_lp(net, domain, &l, start, max_depth, &stop, threads)?;
            upper = upper.min(s.value.clone());
            lower = lower.max(s.lower);
            split = Some(s);
        }
        lp = Some(l);
    }
    let exact = BigUint::from(lower) == upper;
    Ok(BoundOutcome {
        global: global_bounds(net.input_dim(), &net.hidden_widths()),
        analytic,
        lp,
        split,
        upper,
        lower,
        exact,
    })
}

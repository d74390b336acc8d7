//! The anytime sandwich: the smallest certified upper bound and the largest certified lower bound
//! (distinct witnessed regions) on the number of regions meeting the domain, reached within a
//! time limit, from the analytic, LP and split bounds and the exact enumerator.

use super::split::{split_from_lp, SplitBound};
use crate::bounds::{local_analytic, local_lp, LocalBound, LpBound};
use crate::domain::Domain;
use crate::enumerate::{count_regions, CountOptions};
use crate::error::{Error, Result};
use crate::network::Network;
use num_bigint::BigUint;
use std::time::{Duration, Instant};

/// Which bounds to compute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
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

impl std::str::FromStr for Method {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "analytic" => Ok(Method::Analytic),
            "lp" => Ok(Method::Lp),
            "split" => Ok(Method::Split),
            "all" => Ok(Method::All),
            other => Err(Error::invalid_value(
                crate::error::Field::Method,
                format!("'{other}'"),
                "analytic, lp, split or all",
            )),
        }
    }
}

/// How [`anytime_bounds`] runs.
#[derive(Clone, Debug, PartialEq)]
pub struct AnytimeSettings {
    pub method: Method,
    /// Wall-clock budget; `None` runs every requested bound to completion.
    pub time_limit: Option<Duration>,
    /// Deepest split depth (default: the number of hidden layers, i.e. up to the exact count).
    pub split_depth: Option<usize>,
    /// Worker threads of the enumerator and the per-region LPs.
    pub threads: usize,
}

/// Everything [`anytime_bounds`] computed, and the sandwich lower ≤ N ≤ upper.
#[derive(Clone, Debug, PartialEq)]
pub struct AnytimeBounds {
    pub analytic: LocalBound,
    pub lp: Option<LpBound>,
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

/// Computes the bounds of `settings.method` within `settings.time_limit` (see [`Method`]).
/// Every upper bound is certified (see each bound's documentation), so their minimum is too.
pub fn anytime_bounds(
    net: &Network,
    domain: &Domain,
    settings: &AnytimeSettings,
) -> Result<AnytimeBounds> {
    let start = Instant::now();
    let deadline = settings.time_limit.map(|t| start + t);
    let threads = settings.threads.max(1);
    let analytic = local_analytic(net, domain)?;
    let mut upper = analytic.value.clone();
    let mut lower: u64 = 1; // the open domain meets at least one region
    let mut lp = None;
    let mut split = None;
    if settings.method != Method::Analytic {
        let l = local_lp(net, domain, deadline)?;
        upper = upper.min(l.value.clone());
        let lp_done = Instant::now();
        if matches!(settings.method, Method::All) {
            let left = deadline.map(|d| d.saturating_duration_since(lp_done));
            if left.is_none_or(|t| !t.is_zero()) {
                let cs = CountOptions {
                    threads,
                    time_limit: left,
                    ..Default::default()
                };
                let counted = count_regions(net, domain, &cs, None)?;
                lower = lower.max(counted.lower);
                upper = upper.min(counted.upper.clone());
            }
        }
        let want_split = match settings.method {
            Method::Split => true,
            Method::All => {
                BigUint::from(lower) < upper && deadline.is_none_or(|d| Instant::now() < d)
            }
            _ => false,
        };
        if want_split {
            // in `All` mode the full count already failed: stop one layer short of it
            let max_depth = match settings.method {
                Method::All => Some(
                    settings
                        .split_depth
                        .unwrap_or(net.depth())
                        .min(net.depth().saturating_sub(1)),
                ),
                _ => settings.split_depth,
            };
            let s = split_from_lp(net, domain, &l, start, max_depth, deadline, threads)?;
            upper = upper.min(s.value.clone());
            lower = lower.max(s.lower);
            split = Some(s);
        }
        lp = Some(l);
    }
    let exact = BigUint::from(lower) == upper;
    Ok(AnytimeBounds {
        analytic,
        lp,
        split,
        upper,
        lower,
        exact,
    })
}

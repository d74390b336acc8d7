//! The split bound (docs/math.md#26-the-split-bound): enumerate exactly the
//! regions of the first k hidden layers inside the domain, and inside each region R bound the
//! rest of the network separately:
//!
//! N(domain) ≤ Σ_R jset_bound( d_R, counts of layers k+1..L on R ∩ domain ),
//! d_R = min(n_0, a_1(R), …, a_k(R)),
//!
//! with a_l(R) the active units of layer l in R's pattern (the image of R after layer k lies in
//! an affine space of dimension ≤ rank(D_k A_k) ≤ d_R), and the stable units of layers > k decided
//! on R ∩ domain by the certified LP bounds of [`crate::bounds::lp::relaxation`] (layer k+1 is
//! the exact affine map A x + β of R, R's inequalities constrain x), intersected with the
//! domain-wide LP bounds of [`crate::bounds::local_lp`] (a unit stable on the domain stays stable
//! on R).
//!
//! Why the sum is an upper bound: every region of the network lies in exactly one region R of
//! its first k layers, and the regions inside R are the cells of layers k+1..L on R's image,
//! counted by [`jset_bound`]. It is also never above `local_lp` (the J-set of the whole network
//! groups the same chains by their prefix: R is identified by its chain of layers ≤ k, whose cap
//! is at least d_R, and R's unstable units are a subset of the domain's), and at k = L it is the
//! number of regions itself, the exact count.

use crate::bounds::lp::relaxation::{chain_bounds, Chain, UnitBounds};
use crate::bounds::lp::{layer_counts, local_lp_until, LpBound};
use crate::bounds::{jset_bound, LayerCounts};
use crate::cancel::StopAt;
use crate::domain::Domain;
use crate::enumerate::{count_regions, CollectingSink, CountOptions};
use crate::error::{Error, Result};
use crate::network::ties::tied_units;
use crate::network::{ActivationPattern, Layer, Network, RowScale};
use crate::solver::HalfSpace;
use ndarray::{Array1, Array2};
use num_bigint::BigUint;
use num_traits::One;
use rayon::prelude::*;
use std::time::{Duration, Instant};

/// One completed depth of the split bound.
#[derive(Clone, Debug, PartialEq)]
pub struct SplitStage {
    /// k: the number of leading hidden layers enumerated exactly.
    pub depth: usize,
    /// The bound at this depth.
    pub value: BigUint,
    /// Regions of the first k layers in the domain (exact; a lower bound on the count).
    pub regions: u64,
    /// LPs solved at this depth.
    pub lps: u64,
    /// Wall-clock seconds from the start of the bound computation until this depth completed
    /// (as returned by [`split_at_depth`]: the seconds of this depth alone).
    pub seconds: f64,
}

/// The split bound: the smallest value over the completed depths.
#[derive(Clone, Debug, PartialEq)]
pub struct SplitBound {
    /// The bound: the smallest of the completed depths' values.
    pub value: BigUint,
    /// True when depth L completed: `value` is the exact count.
    pub exact: bool,
    /// The largest exact region count of a completed depth (regions of the first k layers are
    /// never more than the regions of the network): a certified lower bound.
    pub lower: u64,
    /// Every completed depth, shallowest first.
    pub stages: Vec<SplitStage>,
}

/// The network made of hidden layers 1..=k of `net` and a 1-unit zero output layer (the regions
/// of a network depend only on its hidden layers).
pub fn truncated(net: &Network, k: usize) -> Result<Network> {
    let hidden = net.hidden_layers();
    if k == 0 || k > hidden.len() {
        return Err(Error::invalid(format!(
            "split depth {k}: expected 1..={} (the number of hidden layers)",
            hidden.len()
        )));
    }
    let mut layers: Vec<Layer> = hidden[..k].to_vec();
    let width = hidden[k - 1].output_dim();
    layers.push(Layer::new(Array2::zeros((1, width)), Array1::zeros(1)));
    Network::new(layers)
}

/// The split bound at depth k (1 ≤ k ≤ L), given the domain-wide LP bound `lp`; `None` when the
/// enumeration of the first k layers did not finish before `deadline`. After the deadline the
/// regions not yet processed are bounded with the domain-wide stability only (still valid).
pub fn split_at_depth(
    net: &Network,
    domain: &Domain,
    lp: &LpBound,
    k: usize,
    threads: usize,
    deadline: Option<Instant>,
) -> Result<Option<SplitStage>> {
    let stop = StopAt::deadline_only(deadline);
    split_at_depth_until(net, domain, lp, k, threads, &stop)
}

/// [`split_at_depth`] until `stop` (a deadline or a tripped cancellation token).
fn split_at_depth_until(
    net: &Network,
    domain: &Domain,
    lp: &LpBound,
    k: usize,
    threads: usize,
    stop: &StopAt,
) -> Result<Option<SplitStage>> {
    let start = Instant::now();
    let Some(prefix) = prefix_regions(net, domain, k, threads, stop, start)? else {
        return Ok(None);
    };
    if k == net.depth() {
        return Ok(Some(SplitStage {
            depth: k,
            value: BigUint::from(prefix.regions),
            regions: prefix.regions,
            lps: 0,
            seconds: start.elapsed().as_secs_f64(),
        }));
    }
    let prior: &[UnitBounds] = &lp.bounds[k..];
    let bounder = RegionBounder {
        net,
        domain,
        k,
        prior,
        prior_counts: layer_counts(prior, &tied_units(net)[k..]),
        rest: &net.hidden_layers()[k + 1..],
        stop: stop.clone(),
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|source| Error::ThreadPool { threads, source })?;
    let results: Vec<Result<RegionBound>> = pool.install(|| {
        prefix
            .patterns
            .par_iter()
            .map(|p| bounder.bound(p))
            .collect()
    });
    let mut value = BigUint::default();
    let mut lps = 0;
    for r in results {
        let r = r?;
        value += r.bound;
        lps += r.lps;
    }
    Ok(Some(SplitStage {
        depth: k,
        value,
        regions: prefix.regions,
        lps,
        seconds: start.elapsed().as_secs_f64(),
    }))
}

/// The regions of the first k layers meeting the domain, by their patterns.
struct PrefixRegions {
    patterns: Vec<ActivationPattern>,
    regions: u64,
}

/// Enumerates the regions of the first `k` hidden layers of `net` in `domain` (the time left
/// until `stop`'s deadline, counted from `start`, unless its token is tripped); `None` when it
/// did not finish exactly.
fn prefix_regions(
    net: &Network,
    domain: &Domain,
    k: usize,
    threads: usize,
    stop: &StopAt,
    start: Instant,
) -> Result<Option<PrefixRegions>> {
    let prefix_net = if k == net.depth() {
        net.clone()
    } else {
        truncated(net, k)?
    };
    let time_limit = match stop.deadline() {
        Some(d) => {
            let left = d.saturating_duration_since(start);
            if left.is_zero() {
                return Ok(None);
            }
            Some(left)
        }
        None => None,
    };
    let settings = CountOptions {
        threads,
        time_limit,
        cancel: stop.token().cloned(),
        ..Default::default()
    };
    let sink = CollectingSink::new();
    let counted = count_regions(&prefix_net, domain, &settings, Some(&sink))?;
    if !counted.exact {
        return Ok(None);
    }
    let patterns: Vec<ActivationPattern> =
        sink.into_regions().into_iter().map(|(_, p)| p).collect();
    Ok(Some(PrefixRegions {
        patterns,
        regions: counted.regions,
    }))
}

/// The bound on the regions of the whole network inside one region of the first k layers, and
/// the LPs it took.
struct RegionBound {
    bound: BigUint,
    lps: u64,
}

/// Bounds the regions inside each region of the first k layers: the J-set bound of the later
/// layers, from the domain-wide LP bounds (`prior`) or tightened by the LP over the region.
struct RegionBounder<'a> {
    net: &'a Network,
    domain: &'a Domain,
    k: usize,
    /// The domain-wide LP bounds of layers k+1…L, and their counts.
    prior: &'a [UnitBounds],
    prior_counts: Vec<LayerCounts>,
    /// Hidden layers k+2…L.
    rest: &'a [Layer],
    stop: StopAt,
}

impl RegionBounder<'_> {
    /// The bound inside the region of `pattern`: the domain-wide one when it is 1 or the deadline
    /// has passed, else the LP chain over the region's closed polytope, starting from layer k+1's
    /// map on it.
    fn bound(&self, pattern: &ActivationPattern) -> Result<RegionBound> {
        let (net, k) = (self.net, self.k);
        let cap = pattern
            .layers
            .iter()
            .map(|l| l.iter().filter(|&&on| on).count())
            .fold(net.input_dim(), usize::min);
        let loose = jset_bound(cap, &self.prior_counts);
        if loose.is_one() || self.stop.reached() {
            return Ok(RegionBound {
                bound: loose,
                lps: 0,
            });
        }
        // the closed polytope of the pattern of the first k layers, and layer k+1's map on it
        let region = net.region_halfspaces(&pattern.layers, RowScale::Unscaled);
        let rows: Vec<HalfSpace> = region
            .rows
            .into_iter()
            .map(|r| {
                let (g, h) = r.into_le();
                HalfSpace { g, h }
            })
            .collect();
        let chain = Chain {
            domain: self.domain,
            rows: &rows,
            first: &region.maps[k],
            rest: self.rest,
            prior: self.prior,
            stop: self.stop.clone(),
        };
        let (bounds, stats) = chain_bounds(&chain)?;
        Ok(RegionBound {
            bound: jset_bound(cap, &layer_counts(&bounds, &tied_units(self.net)[self.k..])),
            lps: stats.lps,
        })
    }
}

/// The split bound, deepening k = 1, 2, … up to `max_depth` (default L, the exact count) while
/// `time_limit` allows; stage 0 is [`local_lp`]. A depth whose enumeration does not finish in
/// time is dropped and deepening stops: the completed depths stand, and `value` is the smallest
/// of their values (each is a certified upper bound). `threads` workers (enumerator and LPs).
pub fn local_split(
    net: &Network,
    domain: &Domain,
    max_depth: Option<usize>,
    time_limit: Option<Duration>,
    threads: usize,
) -> Result<SplitBound> {
    let start = Instant::now();
    let stop = StopAt::deadline_only(time_limit.map(|t| start + t));
    let lp = local_lp_until(net, domain, &stop)?;
    split_from_lp(net, domain, &lp, start, max_depth, &stop, threads)
}

/// [`local_split`] from an already computed `lp` (computed at `start`).
pub(crate) fn split_from_lp(
    net: &Network,
    domain: &Domain,
    lp: &LpBound,
    start: Instant,
    max_depth: Option<usize>,
    stop: &StopAt,
    threads: usize,
) -> Result<SplitBound> {
    let depth = net.depth();
    let max_depth = max_depth.unwrap_or(depth).min(depth);
    let mut stages = vec![SplitStage {
        depth: 0,
        value: lp.value.clone(),
        regions: 1,
        lps: lp.stats.lps,
        seconds: start.elapsed().as_secs_f64(),
    }];
    for k in 1..=max_depth {
        if stop.reached() {
            break;
        }
        match split_at_depth_until(net, domain, lp, k, threads, stop)? {
            Some(mut stage) => {
                stage.seconds = start.elapsed().as_secs_f64();
                stages.push(stage)
            }
            None => break,
        }
    }
    let value = stages
        .iter()
        .map(|s| s.value.clone())
        .min()
        .unwrap_or_else(|| lp.value.clone());
    let exact = stages.last().is_some_and(|s| s.depth == depth);
    let lower = stages.iter().map(|s| s.regions).max().unwrap_or(1);
    Ok(SplitBound {
        value,
        exact,
        lower,
        stages,
    })
}

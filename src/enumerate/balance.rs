//! Shards of similar expected size: the parts of a [`split`] weighed by random dives
//! ([`super::dive`], Knuth's estimator), the heaviest refined further, then dealt into groups
//! by longest-processing-time-first (each part, heaviest first, to the lightest group; Graham
//! 1969: the heaviest group is at most 4/3 of the optimum's when the weights are right).
//!
//! The weights are estimates, not proofs: they only decide which shard does which work. The
//! parts stay a partition of the search tree whatever the estimates, so the counts of the groups
//! always add up to the count of the domain.

use super::frontier::{split, without_limits};
use super::settings::CountOptions;
use super::subproblem::Subproblem;
use super::{search_in_pool, Plan};
use crate::domain::Domain;
use crate::error::Result;
use crate::network::Network;
use std::collections::HashSet;

/// Dives per part when weighing the parts of a split.
pub const DIVES_PER_PART: usize = 8;

/// Parts per group the first split aims at; refinement may add more.
const PARTS_PER_GROUP: usize = 16;

/// Refinement stops at this many parts per group.
const MAX_PARTS_PER_GROUP: usize = 64;

/// Rounds of refinement at most.
const REFINE_ROUNDS: usize = 4;

/// The seed of the dives (fixed: the same split weighs the same every time).
const DIVE_SEED: u64 = 0x005E_ED0F_D1CE;

/// A group of disjoint parts and the regions their dives expect below them.
#[derive(Clone, Debug, PartialEq)]
pub struct SplitGroup {
    /// The parts, in lexicographic order of their prefixes.
    pub parts: Vec<Subproblem>,
    /// The sum of the parts' estimates (a mean of [`DIVES_PER_PART`] dives each).
    pub expected_regions: f64,
}

/// The expected number of regions below each of `parts`: the mean of `dives` random dives per
/// part (Knuth's estimator, unbiased, of high variance on unbalanced trees). A part whose dives
/// all stopped early (cancelled, or its prefix undecided) weighs 1. Uses `options.threads`, the
/// solver, the fallback and the cancel token; ignores the limits. Deterministic for given parts.
pub fn estimate_sizes(
    net: &Network,
    domain: &Domain,
    parts: &[Subproblem],
    dives: usize,
    options: &CountOptions,
) -> Result<Vec<f64>> {
    let dives = dives.max(1);
    let settings = without_limits(options, false);
    let plan = Plan::Dives {
        parts,
        per_part: dives,
        seed: DIVE_SEED,
    };
    let (_, found) = search_in_pool(net, domain, &settings, plan)?;
    let mut sums = vec![0.0; parts.len()];
    let mut logged = vec![0usize; parts.len()];
    for (i, e) in found.dives {
        sums[i] += e;
        logged[i] += 1;
    }
    Ok(sums
        .iter()
        .zip(&logged)
        .map(|(&s, &n)| if n == 0 { 1.0 } else { s / n as f64 })
        .collect())
}

/// A partition of the whole search tree into at most `groups` groups of similar expected size
/// (fewer only when the tree has fewer parts): [`split`] into about 4 parts per group, each part
/// weighed by [`estimate_sizes`]; a part heavier than half a group's share is split 2 branchings
/// deeper and its children weighed (up to 4 rounds, 64 parts per group); then the parts are dealt
/// heaviest first to the lightest group. The counts of the groups add up to the domain's.
pub fn split_balanced(
    net: &Network,
    domain: &Domain,
    groups: usize,
    options: &CountOptions,
) -> Result<Vec<SplitGroup>> {
    if groups <= 1 {
        let root = vec![Subproblem::root()];
        let weight = estimate_sizes(net, domain, &root, DIVES_PER_PART, options)?[0];
        return Ok(vec![SplitGroup {
            parts: root,
            expected_regions: weight,
        }]);
    }
    let mut parts = split(net, domain, PARTS_PER_GROUP * groups, options)?;
    parts.sort();
    let mut weights = estimate_sizes(net, domain, &parts, DIVES_PER_PART, options)?;
    let mut leaves: HashSet<Vec<bool>> = HashSet::new();
    for _ in 0..REFINE_ROUNDS {
        let cancelled = options.cancel.as_ref().is_some_and(|c| c.is_cancelled());
        if cancelled || parts.len() >= MAX_PARTS_PER_GROUP * groups {
            break;
        }
        let share = weights.iter().sum::<f64>() / groups as f64;
        let heavy: Vec<usize> = (0..parts.len())
            .filter(|&i| weights[i] > share / 4.0 && !leaves.contains(&parts[i].prefix))
            .collect();
        if heavy.is_empty() {
            break;
        }
        let (kept, refined) = refine(net, domain, &parts, &heavy, options, &mut leaves)?;
        let new_weights = estimate_sizes(net, domain, &refined, DIVES_PER_PART, options)?;
        let mut next: Vec<(Subproblem, f64)> = kept
            .into_iter()
            .map(|i| (parts[i].clone(), weights[i]))
            .chain(refined.into_iter().zip(new_weights))
            .collect();
        next.sort_by(|a, b| a.0.cmp(&b.0));
        (parts, weights) = next.into_iter().unzip();
    }
    Ok(deal(parts, &weights, groups))
}

/// Splits the parts `heavy` of `parts` 2 branchings deeper: the indices of the parts kept as
/// they are, and the parts replacing the heavy ones. A heavy part that cannot be split (a leaf,
/// or undecided) comes back as itself and is remembered in `leaves`.
fn refine(
    net: &Network,
    domain: &Domain,
    parts: &[Subproblem],
    heavy: &[usize],
    options: &CountOptions,
    leaves: &mut HashSet<Vec<bool>>,
) -> Result<(Vec<usize>, Vec<Subproblem>)> {
    let heavy_parts: Vec<Subproblem> = heavy.iter().map(|&i| parts[i].clone()).collect();
    let settings = without_limits(options, true);
    let plan = Plan::Split {
        parts: &heavy_parts,
        depth: 2,
    };
    let (outcome, _) = search_in_pool(net, domain, &settings, plan)?;
    let before: HashSet<&Vec<bool>> = heavy_parts.iter().map(|p| &p.prefix).collect();
    for p in &outcome.unfinished {
        if before.contains(&p.prefix) {
            leaves.insert(p.prefix.clone());
        }
    }
    let kept = (0..parts.len()).filter(|i| !heavy.contains(i)).collect();
    Ok((kept, outcome.unfinished))
}

/// Longest processing time first: parts by decreasing weight, each to the group with the least
/// weight so far (ties to the lower index); empty groups are dropped.
fn deal(parts: Vec<Subproblem>, weights: &[f64], groups: usize) -> Vec<SplitGroup> {
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|&a, &b| weights[b].total_cmp(&weights[a]).then(a.cmp(&b)));
    let mut out: Vec<SplitGroup> = (0..groups.min(parts.len()).max(1))
        .map(|_| SplitGroup {
            parts: Vec::new(),
            expected_regions: 0.0,
        })
        .collect();
    for i in order {
        let lightest = (0..out.len())
            .min_by(|&a, &b| out[a].expected_regions.total_cmp(&out[b].expected_regions))
            .unwrap_or(0);
        out[lightest].parts.push(parts[i].clone());
        out[lightest].expected_regions += weights[i];
    }
    for g in &mut out {
        g.parts.sort();
    }
    out.retain(|g| !g.parts.is_empty());
    out
}

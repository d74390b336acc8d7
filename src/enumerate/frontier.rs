//! Counts past one machine: open nodes of the search as [`Subproblem`]s, counted on their own
//! ([`count_subproblems`]), a partition of the whole tree into many of them ([`split`]), and
//! the sum of the parts' outcomes ([`merge`]).
//!
//! A subproblem is the pattern prefix of a node: the signs of the hidden units decided on its
//! path, in search order (hidden layers input side first, units in index order). Counting it
//! replays the prefix from the root, following only the prescribed side at each unit, then
//! explores the subtree below as the whole count would. Disjoint prefixes have disjoint
//! regions, so the counts of a partition add up to the count of the whole domain.
//!
//! ```
//! use ndarray::array;
//! use relu_regions::{count, count_subproblems, merge, split, CountOptions, Domain, Network, Norm};
//! # fn main() -> relu_regions::Result<()> {
//! let net = Network::load("data/moons-2-16-16-1.json")?;
//! let ball = Domain::ball(array![0.3, -0.2], 0.25, Norm::L2)?;
//! let options = CountOptions::new();
//! let parts = split(&net, &ball, 4, &options)?;
//! let each = parts
//!     .iter()
//!     .map(|p| count_subproblems(&net, &ball, std::slice::from_ref(p), &options))
//!     .collect::<relu_regions::Result<Vec<_>>>()?;
//! let total = merge(&each);
//! assert!(total.exact);
//! assert_eq!(total.regions, count(&net, &ball, &options)?.regions);
//! # Ok(())
//! # }
//! ```

use super::control::{Stop, Undecided};
use super::settings::{CountOptions, CountOutcome};
use super::subproblem::{shorten, Subproblem};
use super::{search_in_pool, Plan};
use crate::domain::Domain;
use crate::error::{Error, Result};
use crate::network::Network;
use num_bigint::BigUint;
use std::time::Duration;

/// Counts the regions of the union of the subtrees `parts` (disjoint subproblems, e.g. from
/// [`split`] or a stopped count's [`CountOutcome::unfinished`]): each prefix is replayed from the
/// root following only its prescribed side at each unit (a side proven empty contributes 0, a
/// side that cannot be decided is undecided), then its subtree is explored as [`super::count_regions`]
/// would. Parallel over the parts and within them on `options.threads`. With
/// `options.frontier`, a stopped count returns what it did not finish in `unfinished`.
///
/// Errors as [`super::count_regions`], when a prefix is longer than the network has hidden units,
/// or with `options.certificate`.
pub fn count_subproblems(
    net: &Network,
    domain: &Domain,
    parts: &[Subproblem],
    options: &CountOptions,
) -> Result<CountOutcome> {
    if options.certificate {
        return Err(Error::invalid(
            "count_subproblems: a certificate covers a whole count; switch `certificate` off",
        ));
    }
    let units: usize = net.hidden_widths().iter().sum();
    if let Some(p) = parts.iter().find(|p| p.prefix.len() > units) {
        return Err(Error::invalid(format!(
            "subproblem '{}' decides {} units; the network has {units} hidden units",
            shorten(&p.to_text()),
            p.prefix.len()
        )));
    }
    disjoint(parts)?;
    Ok(search_in_pool(net, domain, options, Plan::Parts(parts))?.0)
}

/// Errors unless the subtrees of `parts` are disjoint: no part given twice, none the prefix of
/// another (its subtree would be counted twice). In lexicographic order a prefix is followed
/// directly by the parts it contains, so neighbours suffice.
fn disjoint(parts: &[Subproblem]) -> Result<()> {
    let mut sorted: Vec<&Subproblem> = parts.iter().collect();
    sorted.sort_by(|a, b| a.prefix.cmp(&b.prefix));
    for pair in sorted.windows(2) {
        if pair[1].prefix.starts_with(&pair[0].prefix) {
            return Err(Error::invalid(format!(
                "subproblems '{}' and '{}' overlap: the first contains the second; expected disjoint subtrees",
                shorten(&pair[0].to_text()),
                shorten(&pair[1].to_text())
            )));
        }
    }
    Ok(())
}

/// A partition of the whole search tree into at least `at_least` subproblems when the tree has
/// that many leaves (fewer only when the whole tree is smaller): the search runs down to a cap
/// of D branchings (first ⌈log₂ at_least⌉ + 1, deepened until enough) and returns every node
/// reached at depth D, every leaf above it and every undecided part above it as a subproblem,
/// counting nothing. The parts are disjoint and cover every region, so the counts of
/// [`count_subproblems`] over them add up to the count of the domain. Uses `options.threads`,
/// the solver, the fallback and the cancel token; ignores the limits.
pub fn split(
    net: &Network,
    domain: &Domain,
    at_least: usize,
    options: &CountOptions,
) -> Result<Vec<Subproblem>> {
    if at_least <= 1 {
        return Ok(vec![Subproblem::root()]);
    }
    let settings = without_limits(options, true);
    let mut depth = (usize::BITS - (at_least - 1).leading_zeros()) as usize + 1;
    let root = [Subproblem::root()];
    loop {
        let plan = Plan::Split {
            parts: &root,
            depth,
        };
        let (outcome, found) = search_in_pool(net, domain, &settings, plan)?;
        let reached = found.split_reached;
        if matches!(outcome.stop, Stop::Undecided(Undecided::OutOfRange { .. })) {
            // nothing can be decided in this domain: the root is the only part
            return Ok(vec![Subproblem::root()]);
        }
        if outcome.unfinished.len() >= at_least || !reached || outcome.stop == Stop::Cancelled {
            return Ok(outcome.unfinished);
        }
        depth += 1;
    }
}

/// `options` for a search that counts nothing of its own (a split, dives): no time or region
/// limit, no certificate, no observer; `frontier` as given. The solver, the fallback, the threads
/// and the cancel token stay.
pub(super) fn without_limits(options: &CountOptions, frontier: bool) -> CountOptions {
    CountOptions {
        time_limit: None,
        max_regions: None,
        certificate: false,
        observer: None,
        frontier,
        ..options.clone()
    }
}

/// The outcome of counting the union of disjoint parts, from their outcomes: regions, lower and
/// upper bounds, undecided decisions and every counter summed (`elapsed` is the sum of the
/// parts' times, `threads` their largest), exact only if every part is exact (`stop` is the first
/// non-exact part's), `unfinished` concatenated. The merge of nothing is an exact 0.
pub fn merge(parts: &[CountOutcome]) -> CountOutcome {
    let mut total = CountOutcome {
        regions: 0,
        exact: true,
        stop: Stop::Exact,
        lower: 0,
        upper: BigUint::default(),
        solver_calls: 0,
        decided_without_solver: 0,
        near_tolerance: 0,
        undecided: 0,
        exact_calls: 0,
        exact_time: Duration::ZERO,
        elapsed: Duration::ZERO,
        threads: 0,
        certificate: None,
        unfinished: Vec::new(),
        undecided_bound: BigUint::default(),
    };
    for p in parts {
        total.regions += p.regions;
        total.lower += p.lower;
        total.upper += &p.upper;
        total.solver_calls += p.solver_calls;
        total.decided_without_solver += p.decided_without_solver;
        total.near_tolerance += p.near_tolerance;
        total.undecided += p.undecided;
        total.exact_calls += p.exact_calls;
        total.exact_time += p.exact_time;
        total.elapsed += p.elapsed;
        total.threads = total.threads.max(p.threads);
        total.unfinished.extend(p.unfinished.iter().cloned());
        total.undecided_bound += &p.undecided_bound;
        if total.exact && !p.exact {
            total.exact = false;
            total.stop = p.stop.clone();
        }
    }
    if total.exact {
        total.upper = BigUint::from(total.regions);
    }
    total
}

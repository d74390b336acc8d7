//! The exact branch-and-bound region counter (docs/math.md#16-the-count-and-its-invariances,
//! docs/math.md#3-the-exact-enumerator).
//!
//! [`count_regions`] counts the activation patterns p whose set {x in the open domain : s(x) = p}
//! has a non-empty interior — the linear regions of the network meeting the domain. It searches
//! depth-first over the hidden units in layer order (see `search` for how each split is decided,
//! mostly without a solver), streams every region with a checked witness point to an optional
//! [`WitnessSink`], and keeps no per-region state, so memory does not grow with the count.
//!
//! Interior threshold: a point found in floating point is taken as a side's witness when it lies
//! deeper than [`interior_tol`] = [`INTERIOR_REL_TOL`] × the domain's inradius (in unit
//! coordinates); thinner sides go to the solver and the exact fallback. It chooses the path, not
//! the answer: a side is removed only when its emptiness is proven and a region is counted only
//! with a proven witness (see `interior`). The outcome reports how many decisions came within a
//! factor [`NEAR_FACTOR`] of the threshold (`near_tolerance`).
//!
//! ```no_run
//! use relu_regions::enumerate::{count_regions, CountOptions, WitnessSink};
//! use relu_regions::{ActivationPattern, Domain, Network, Norm};
//! # fn demo(net: &Network) -> relu_regions::Result<()> {
//! struct Print;
//! impl WitnessSink for Print {
//!     fn region(&self, witness: &ndarray::Array1<f64>, pattern: &ActivationPattern) {
//!         println!("{} at {witness}", pattern.to_compact());
//!     }
//! }
//! let domain = Domain::ball(ndarray::array![0.0, 0.0], 1.0, Norm::L2)?;
//! let settings = CountOptions { threads: 2, ..Default::default() };
//! let result = count_regions(net, &domain, &settings, Some(&Print))?;
//! println!("{} regions (exact: {})", result.regions, result.exact);
//! # Ok(())
//! # }
//! ```
//!
//! Parallelism: a branching is split into two rayon tasks whenever fewer stealable tasks wait
//! than there are threads; each task has its own solver instance (taken from a pool and loaded
//! with its node's half-spaces on first use, then push/pop in its own depth-first search). Every
//! decision depends only on its node, so the count does not depend on the number of threads.
//!
//! Early stop (time limit, region cap): `lower` = regions found, `upper` = regions found plus a
//! bound for every unexplored node (see `partial`).

mod balance;
mod ball_lp;
pub mod certificate;
mod control;
mod copies;
mod dense;
mod dive;
mod dual;
mod fallback;
mod frontier;
mod geometry;
mod interior;
mod partial;
mod progress;
mod rows;
mod sanity;
mod search;
mod settings;
mod sink;
mod subproblem;
#[cfg(test)]
mod test_rng;
mod tracked;
mod unit_coords;
mod witness;

pub use balance::{estimate_sizes, split_balanced, SplitGroup};
pub use control::{CancelToken, Observer, Progress, Stop, Undecided, PROGRESS_INTERVAL};
/// The closed-form dual bound of a split (for the solver benchmarks, which compare its cost with
/// a solver call).
#[doc(hidden)]
pub use dual::{dual_bound_with, DualScratch};
pub use fallback::{FALLBACK_MAX_WORK, FALLBACK_SECONDS};
pub use frontier::{count_subproblems, merge, split};
pub use interior::{interior_tol, INTERIOR_REL_TOL, NEAR_FACTOR};
pub use settings::{CountOptions, CountOutcome, WitnessSink};
pub use sink::CollectingSink;
pub use subproblem::Subproblem;
pub use witness::check_witness;

use crate::domain::Domain;
use crate::error::{Error, Result};
use crate::network::Network;
use crate::solver::{default_for, make_solver, InteriorSolver};
use num_bigint::BigUint;
use search::{Node, Shared};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// Stack size of the worker threads (the search recurses once per branching on a path).
const WORKER_STACK_BYTES: usize = 64 << 20;

/// Counts the linear regions of `net` meeting the open `domain`
/// (docs/math.md#16-the-count-and-its-invariances): the number of
/// activation patterns p with int{x ∈ domain : s(x) = p} ≠ ∅, by exact branch and bound
/// (docs/math.md#31-the-search-tree). Every region found is passed to `sink` with a witness
/// strictly inside
/// region ∩ domain. Errors when the domain's dimension differs from the network's input, or a
/// solver fails.
pub fn count_regions(
    net: &Network,
    domain: &Domain,
    settings: &CountOptions,
    sink: Option<&dyn WitnessSink>,
) -> Result<CountOutcome> {
    let kind = solver_kind(settings, domain)?;
    let factory = || make_solver(kind, domain);
    count_regions_with(net, domain, settings, sink, &factory)
}

/// [`count_regions`] in each of `domains`, in parallel over the domains: `settings.threads`
/// workers, each count on one of them (so a batch of small counts pays no per-count thread
/// pool), every count with the other settings (a time limit or region cap applies to each; the
/// observer is not called). `sinks`, when given, holds one witness sink per domain. The outcomes
/// come in the order of the domains; the first error stops the batch.
pub fn count_regions_each(
    net: &Network,
    domains: &[Domain],
    settings: &CountOptions,
    sinks: Option<&[&dyn WitnessSink]>,
) -> Result<Vec<CountOutcome>> {
    use rayon::prelude::*;
    if let Some(s) = sinks {
        if s.len() != domains.len() {
            return Err(Error::invalid(format!(
                "{} witness sinks for {} domains; expected one per domain",
                s.len(),
                domains.len()
            )));
        }
    }
    let single = CountOptions {
        threads: 1,
        observer: None,
        ..settings.clone()
    };
    let pool = worker_pool(settings.threads.max(1))?;
    pool.install(|| {
        domains
            .par_iter()
            .enumerate()
            .map(|(k, domain)| {
                let kind = solver_kind(&single, domain)?;
                let factory = || make_solver(kind, domain);
                let sink = sinks.map(|s| s[k]);
                count_on_this_worker(net, domain, &single, sink, &factory, true)
            })
            .collect()
    })
}

/// The solver of a count: the one chosen, or the default for the domain; an error when it
/// cannot solve problems on the domain.
fn solver_kind(settings: &CountOptions, domain: &Domain) -> Result<crate::solver::SolverKind> {
    let kind = settings.solver.unwrap_or_else(|| default_for(domain));
    if !kind.supports(domain) {
        return Err(Error::UnsupportedSolver {
            solver: kind.name().into(),
            norm: domain.norm().name().into(),
        });
    }
    Ok(kind)
}

/// A pool of `threads` workers with room for the search's recursion.
fn worker_pool(threads: usize) -> Result<rayon::ThreadPool> {
    // The depth-first search recurses once per branching on a path (at most the number of hidden
    // units): give the workers room for deep networks.
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .stack_size(WORKER_STACK_BYTES)
        .build()
        .map_err(|source| Error::ThreadPool { threads, source })
}

/// [`count_regions`] with the solver instances built by `factory` (one per concurrent task);
/// lets tests and benchmarks cross-check backends.
pub fn count_regions_with(
    net: &Network,
    domain: &Domain,
    settings: &CountOptions,
    sink: Option<&dyn WitnessSink>,
    factory: &(dyn Fn() -> Result<Box<dyn InteriorSolver>> + Sync),
) -> Result<CountOutcome> {
    count_regions_impl(net, domain, settings, sink, factory, true)
}

/// [`count_regions_with`] deciding every split that the domain alone does not settle with the
/// solver (no witness shortcut, no bounding-box, dual or ray proofs). For tests: it exercises
/// the solver paths and cross-checks the closed-form proofs.
#[doc(hidden)]
pub fn count_regions_solver_only(
    net: &Network,
    domain: &Domain,
    settings: &CountOptions,
    sink: Option<&dyn WitnessSink>,
    factory: &(dyn Fn() -> Result<Box<dyn InteriorSolver>> + Sync),
) -> Result<CountOutcome> {
    count_regions_impl(net, domain, settings, sink, factory, false)
}

fn count_regions_impl(
    net: &Network,
    domain: &Domain,
    settings: &CountOptions,
    sink: Option<&dyn WitnessSink>,
    factory: &(dyn Fn() -> Result<Box<dyn InteriorSolver>> + Sync),
    closed_form: bool,
) -> Result<CountOutcome> {
    let pool = worker_pool(settings.threads.max(1))?;
    pool.install(|| count_on_this_worker(net, domain, settings, sink, factory, closed_form))
}

/// What a search covers: the whole tree, the union of subproblems, or a split at a depth.
#[derive(Clone, Copy)]
pub(crate) enum Plan<'p> {
    /// The whole tree (a count).
    Whole,
    /// The subtrees of these prefixes (`count_subproblems`).
    Parts(&'p [Subproblem]),
    /// A split of each of `parts` at `depth` branchings below it (`split`): the new parts come
    /// in `unfinished`.
    Split {
        parts: &'p [Subproblem],
        depth: usize,
    },
    /// `per_part` random dives below each of `parts` (`estimate_sizes`), the j-th dive of part i
    /// seeded by (`seed`, i, j): the estimates come in the outcome's `dives`.
    Dives {
        parts: &'p [Subproblem],
        per_part: usize,
        seed: u64,
    },
}

/// A search of `plan` with the default solver, in a pool of `settings.threads` workers; also
/// what a split or dives found.
fn search_in_pool(
    net: &Network,
    domain: &Domain,
    settings: &CountOptions,
    plan: Plan,
) -> Result<(CountOutcome, Found)> {
    let kind = solver_kind(settings, domain)?;
    let factory = || make_solver(kind, domain);
    let pool = worker_pool(settings.threads.max(1))?;
    pool.install(|| search_on_this_worker(net, domain, settings, None, &factory, true, plan))
}

/// The count, run on a worker of a pool of `settings.threads` threads with
/// [`WORKER_STACK_BYTES`] stacks (the search's branchings become tasks of that pool).
fn count_on_this_worker(
    net: &Network,
    domain: &Domain,
    settings: &CountOptions,
    sink: Option<&dyn WitnessSink>,
    factory: &(dyn Fn() -> Result<Box<dyn InteriorSolver>> + Sync),
    closed_form: bool,
) -> Result<CountOutcome> {
    search_on_this_worker(
        net,
        domain,
        settings,
        sink,
        factory,
        closed_form,
        Plan::Whole,
    )
    .map(|r| r.0)
}

/// [`count_on_this_worker`] of a [`Plan`]; also what a split or dives found.
fn search_on_this_worker(
    net: &Network,
    domain: &Domain,
    settings: &CountOptions,
    sink: Option<&dyn WitnessSink>,
    factory: &(dyn Fn() -> Result<Box<dyn InteriorSolver>> + Sync),
    closed_form: bool,
    plan: Plan,
) -> Result<(CountOutcome, Found)> {
    if settings.frontier && settings.certificate {
        return Err(Error::invalid(
            "a count with a frontier (unfinished subproblems) cannot record a certificate: switch one off",
        ));
    }
    if domain.dim() != net.input_dim() {
        return Err(Error::invalid(format!(
            "domain has dimension {}; expected {} (the network's input dimension)",
            domain.dim(),
            net.input_dim()
        )));
    }
    let start = Instant::now();
    let threads = settings.threads.max(1);
    // The local analytic bound of the whole domain caps an early-stopped count, and its per-layer
    // stability tightens the bound of every open node (milliseconds even for 784-256-256).
    let local = crate::bounds::local_analytic(net, domain)?;
    // Every decision is made in the domain's unit coordinates (see `unit_coords`).
    let uc = match unit_coords::UnitCoordinates::new(net, domain) {
        Ok(uc) => uc,
        Err(e) => {
            let mut r = out_of_range(&local.value, threads, start, &e.to_string());
            if settings.certificate {
                r.certificate = Some(certificate::CertificateTree::open_root(net, domain));
            }
            return Ok((r, Found::default()));
        }
    };
    let shared = Shared::new(&uc, &local, settings, sink, factory, closed_form, start);
    let shared = match plan {
        Plan::Split { depth, .. } => shared.splitting(depth),
        Plan::Dives { .. } => shared.diving(),
        _ => shared,
    };
    let done = AtomicBool::new(false);
    let result = std::thread::scope(|scope| {
        if let Some(observer) = &settings.observer {
            let (sh, done) = (&shared, &done);
            scope.spawn(move || progress::run(sh, observer.as_ref(), done, start));
        }
        let r = match plan {
            Plan::Whole => {
                let root = Node::root(&uc, settings.certificate);
                shared.run_task(root, Vec::new(), Vec::new(), Vec::new(), &[])
            }
            Plan::Parts(parts) | Plan::Split { parts, .. } => run_parts(&shared, &uc, parts),
            Plan::Dives {
                parts,
                per_part,
                seed,
            } => run_dives(&shared, &uc, parts, per_part, seed),
        };
        done.store(true, Ordering::SeqCst);
        r
    });
    let recording = result?;
    let found = Found {
        split_reached: shared.split_reached.load(Ordering::SeqCst),
        dives: std::mem::take(&mut *shared.dives.lock().unwrap_or_else(|e| e.into_inner())),
    };
    let r = outcome(
        &shared,
        recording,
        domain,
        &uc,
        &local.value,
        settings,
        start,
    );
    // the invariants hold for the whole tree only (a part may hold no region)
    let r = match plan {
        Plan::Whole => sanity::checked(r, &local.value),
        Plan::Parts(_) | Plan::Split { .. } | Plan::Dives { .. } => r,
    };
    Ok((r, found))
}

/// What a search found besides its outcome.
#[derive(Default)]
struct Found {
    /// Whether a split reached its depth somewhere (so a deeper split may give more parts).
    split_reached: bool,
    /// The dives' (part index, estimate) pairs.
    dives: Vec<(usize, f64)>,
}

/// Searches the subtrees of `parts` in parallel (no certificate: a certificate covers a whole
/// count).
fn run_parts(
    shared: &Shared,
    uc: &unit_coords::UnitCoordinates,
    parts: &[Subproblem],
) -> Result<Option<certificate::Recording>> {
    use rayon::prelude::*;
    parts
        .par_iter()
        .map(|p| {
            let root = Node::root(uc, false);
            shared.run_task(root, Vec::new(), Vec::new(), Vec::new(), &p.prefix)
        })
        .collect::<Result<Vec<_>>>()
        .map(|_| None)
}

/// `per_part` random dives below each of `parts`, in parallel.
fn run_dives(
    shared: &Shared,
    uc: &unit_coords::UnitCoordinates,
    parts: &[Subproblem],
    per_part: usize,
    seed: u64,
) -> Result<Option<certificate::Recording>> {
    use rayon::prelude::*;
    (0..parts.len() * per_part)
        .into_par_iter()
        .map(|k| {
            let (i, j) = (k / per_part, k % per_part);
            let dive_seed =
                seed ^ ((i as u64) << 32 | j as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            shared.run_dive(Node::root(uc, false), &parts[i].prefix, i, dive_seed)
        })
        .collect::<Result<Vec<_>>>()
        .map(|_| None)
}

/// The outcome once the search has ended: why it ended, the sandwich (capped by the local
/// bound), the counters, and the certificate's tree when one was recorded.
fn outcome(
    shared: &Shared,
    recording: Option<certificate::Recording>,
    domain: &Domain,
    uc: &unit_coords::UnitCoordinates,
    local: &BigUint,
    settings: &CountOptions,
    start: Instant,
) -> CountOutcome {
    let certificate = recording.map(|r| certificate::CertificateTree {
        domain: domain.clone(),
        widths: uc.net.hidden_widths(),
        origin: uc.center.clone(),
        exponents: uc.scale_exp.clone(),
        tree: r.bytes,
        leaves: r.leaves,
        open: r.open,
    });
    let regions = shared.regions.load(Ordering::SeqCst);
    let undecided = shared.undecided.load(Ordering::SeqCst);
    let mut stop = shared
        .stopped_by
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    if stop.is_none() && undecided > 0 {
        stop = Some(Stop::Undecided(if !settings.exact_fallback {
            Undecided::FallbackOff
        } else if !shared.fallback.available() {
            Undecided::FallbackUnavailable {
                detail: uc.inexact.clone().unwrap_or_else(|| {
                    "the weights span more than the floating-point range".into()
                }),
            }
        } else {
            Undecided::FallbackBudget
        }));
    }
    let stop = stop.unwrap_or(Stop::Exact);
    let open = shared
        .open_bound
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let exact = stop.is_exact();
    let mut unfinished: Vec<Subproblem> =
        std::mem::take(&mut *shared.unfinished.lock().unwrap_or_else(|e| e.into_inner()))
            .into_iter()
            .map(|prefix| Subproblem { prefix })
            .collect();
    unfinished.sort_unstable();
    let undecided_bound = shared
        .undecided_bound
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    CountOutcome {
        regions,
        exact,
        lower: regions,
        upper: if exact {
            BigUint::from(regions)
        } else {
            (BigUint::from(regions) + open).min(local.clone())
        },
        solver_calls: shared.solver_calls.load(Ordering::SeqCst),
        decided_without_solver: shared.decided_without_solver.load(Ordering::SeqCst),
        near_tolerance: shared.near_tolerance.load(Ordering::SeqCst),
        undecided,
        exact_calls: shared.fallback.calls.load(Ordering::SeqCst),
        exact_time: std::time::Duration::from_nanos(shared.fallback.nanos.load(Ordering::SeqCst)),
        elapsed: start.elapsed(),
        threads: shared.threads,
        stop,
        certificate,
        unfinished,
        undecided_bound,
    }
}

/// The honest answer when the network cannot be written in the domain's unit coordinates
/// within the floating-point range: nothing is counted, the upper bound is the local bound.
fn out_of_range(local: &BigUint, threads: usize, start: Instant, why: &str) -> CountOutcome {
    CountOutcome {
        regions: 0,
        exact: false,
        lower: 0,
        upper: local.clone(),
        solver_calls: 0,
        decided_without_solver: 0,
        near_tolerance: 0,
        undecided: 0,
        exact_calls: 0,
        exact_time: std::time::Duration::ZERO,
        elapsed: start.elapsed(),
        threads,
        stop: Stop::Undecided(Undecided::OutOfRange {
            detail: why.to_string(),
        }),
        certificate: None,
        unfinished: Vec::new(),
        undecided_bound: local.clone(),
    }
}

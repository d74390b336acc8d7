//! The enumerator's settings and guarantees: every solver backend gives the same count, early
//! stops give valid lower and upper bounds, streaming sinks see every region, and random
//! networks / domains (proptest) agree with brute force and sampling.

mod common;
mod enumerate_support;

use common::{random_network, sampled_patterns};
use enumerate_support::{brute_force, check_witnesses, enumerate};
use ndarray::array;
use num_bigint::BigUint;
use proptest::prelude::*;
use relu_regions::bounds::serra2018;
use relu_regions::enumerate::{interior_tol, CollectingSink, CountOptions, Stop};
use relu_regions::solver::SolverKind;
use relu_regions::{count, count_with_witnesses};
use relu_regions::{Domain, Norm};
use std::time::Duration;

#[test]
fn every_solver_gives_the_same_count() {
    let net = random_network(&[2, 16, 16, 16, 1], 11, 0.5);
    let domain = Domain::ball(array![0.0, 0.0], 1.0, Norm::Linf).unwrap();
    let mut counts = Vec::new();
    for solver in [None, Some(SolverKind::Highs), Some(SolverKind::Clarabel)] {
        let settings = CountOptions {
            solver,
            ..Default::default()
        };
        let sink = CollectingSink::new();
        let res = count_with_witnesses(&net, &domain, &settings, &sink).unwrap();
        let regions = sink.into_regions();
        check_witnesses(&net, &domain, &regions);
        assert_eq!(regions.len() as u64, res.regions);
        assert!(res.exact && res.upper == BigUint::from(res.regions));
        counts.push(res.regions);
    }
    assert!(counts.windows(2).all(|w| w[0] == w[1]), "{counts:?}");
    // L2 ball: the default (Clarabel) works, HiGHS is refused with a clear error
    let ball = Domain::ball(array![0.0, 0.0], 1.0, Norm::L2).unwrap();
    assert!(count(&net, &ball, &CountOptions::default()).unwrap().exact);
    let highs = CountOptions {
        solver: Some(SolverKind::Highs),
        ..Default::default()
    };
    let err = count(&net, &ball, &highs).unwrap_err();
    assert!(
        matches!(&err, relu_regions::Error::UnsupportedSolver { solver, norm } if solver == "highs" && norm == "l2"),
        "{err:?}"
    );
    let err = err.to_string();
    assert!(err.contains("highs") && err.contains("clarabel"), "{err}");
}

#[test]
fn early_stops_bound_the_count() {
    let net = random_network(&[2, 12, 12, 1], 5, 0.5);
    let domain = Domain::ball(array![0.1, -0.1], 1.0, Norm::L2).unwrap();
    let full = count(&net, &domain, &CountOptions::default()).unwrap();
    assert!(full.regions > 20);
    for threads in [1, 2] {
        let capped = CountOptions {
            max_regions: Some(10),
            threads,
            ..Default::default()
        };
        let r = count(&net, &domain, &capped).unwrap();
        assert_eq!(r.regions, 10);
        assert!(!r.exact && r.stop == Stop::MaxRegions);
        assert_eq!(r.lower, 10);
        assert!(
            r.upper >= BigUint::from(full.regions),
            "{} < {}",
            r.upper,
            full.regions
        );
    }
    let timed = CountOptions {
        time_limit: Some(Duration::ZERO),
        ..Default::default()
    };
    let r = count(&net, &domain, &timed).unwrap();
    assert!(!r.exact && r.stop == Stop::TimeLimit);
    assert!(r.upper >= BigUint::from(full.regions));
    // an untouched root is bounded by the global J-set count (Serra et al. 2018)
    assert!(r.upper <= BigUint::from(r.regions) + serra2018(2, &[12, 12]));
    // a cap at or above the count changes nothing
    let loose = CountOptions {
        max_regions: Some(full.regions),
        ..Default::default()
    };
    let r = count(&net, &domain, &loose).unwrap();
    assert!(r.exact && r.regions == full.regions);
}

#[test]
fn dimension_mismatch_is_an_error() {
    let net = random_network(&[3, 4, 1], 1, 0.5);
    let domain = Domain::ball(array![0.0, 0.0], 1.0, Norm::L2).unwrap();
    let err = count(&net, &domain, &CountOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("dimension 2") && err.contains("expected 3"),
        "{err}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]

    #[test]
    fn random_nets_and_domains_agree_with_brute_force(
        seed in 0u64..10_000,
        three_d in any::<bool>(),
        l2 in any::<bool>(),
        radius in 0.05f64..2.0,
        cx in -1.0f64..1.0,
        cy in -1.0f64..1.0,
    ) {
        let n = if three_d { 3 } else { 2 };
        let net = random_network(&[n, 4, 4, 1], seed, 0.7);
        let c = if three_d { array![cx, cy, 0.3] } else { array![cx, cy] };
        let norm = if l2 { Norm::L2 } else { Norm::Linf };
        let domain = Domain::ball(c, radius, norm).unwrap();
        let (res, regions) = enumerate(&net, &domain, 2);
        let found = check_witnesses(&net, &domain, &regions);
        let (truth, _) = brute_force(&net, &domain, interior_tol(&domain));
        prop_assert_eq!(&found, &truth);
        prop_assert_eq!(res.regions as usize, truth.len());
        for p in sampled_patterns(&net, &domain, 2000, seed) {
            prop_assert!(found.contains(&p));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    /// Deeper nets (3 hidden layers, up to 3-D): the exact count lies between the distinct
    /// patterns of dense sampling and every analytic bound (local ≤ serra2018 ≤ montufar2017),
    /// and it does not depend on the number of threads.
    #[test]
    fn count_lies_between_sampling_and_every_bound(
        seed in 0u64..10_000,
        three_d in any::<bool>(),
        l2 in any::<bool>(),
        radius in 0.05f64..1.5,
        cx in -1.0f64..1.0,
    ) {
        let n = if three_d { 3 } else { 2 };
        let net = random_network(&[n, 8, 6, 5, 1], seed, 0.6);
        let c = if three_d { array![cx, 0.2, -0.1] } else { array![cx, 0.2] };
        let norm = if l2 { Norm::L2 } else { Norm::Linf };
        let domain = Domain::ball(c, radius, norm).unwrap();
        let (res, regions) = enumerate(&net, &domain, 1);
        let found = check_witnesses(&net, &domain, &regions);
        prop_assert_eq!(found.len() as u64, res.regions);
        for p in sampled_patterns(&net, &domain, 3000, seed ^ 0x5eed) {
            prop_assert!(found.contains(&p), "sampling found an uncounted region");
        }
        let local = relu_regions::bounds::local_analytic(&net, &domain).unwrap();
        prop_assert!(BigUint::from(res.regions) <= local.value, "count {} > local bound {}", res.regions, local.value);
        let (two, _) = enumerate(&net, &domain, 2);
        prop_assert_eq!(two.regions, res.regions);
    }
}

/// `count_many` runs each count on one worker of a shared pool: every outcome and every region
/// equals what `count` finds alone, the results come in the order of the domains, and each
/// count matches brute force over the patterns.
#[test]
fn count_many_equals_one_count_per_domain() {
    use relu_regions::{count_many, count_many_with_witnesses, WitnessSink};
    let net = random_network(&[2, 7, 6, 1], 5, 0.5);
    let mut domains = Vec::new();
    for (k, c) in [[0.0, 0.0], [0.7, -0.3], [-1.5, 2.0], [0.2, 0.2]]
        .iter()
        .enumerate()
    {
        let norm = if k % 2 == 0 { Norm::L2 } else { Norm::Linf };
        domains.push(Domain::ball(array![c[0], c[1]], 0.4 + 0.3 * k as f64, norm).unwrap());
    }
    let options = CountOptions::new().threads(2);
    let each = count_many(&net, &domains, &options).unwrap();
    let sinks: Vec<CollectingSink> = domains.iter().map(|_| CollectingSink::new()).collect();
    let refs: Vec<&dyn WitnessSink> = sinks.iter().map(|s| s as _).collect();
    let with = count_many_with_witnesses(&net, &domains, &options, &refs).unwrap();
    // one sink per domain, and solvers that cannot solve a domain are refused
    let err = count_many_with_witnesses(&net, &domains, &options, &refs[..1]).unwrap_err();
    assert!(
        err.to_string().contains("1 witness sinks for 4 domains"),
        "{err}"
    );
    let highs = CountOptions::new().solver(SolverKind::Highs);
    assert!(matches!(
        count_many(&net, &domains, &highs),
        Err(relu_regions::Error::UnsupportedSolver { .. })
    ));
    drop(refs);
    for (((domain, many), witnessed), sink) in domains.iter().zip(&each).zip(&with).zip(sinks) {
        let alone = count(&net, domain, &CountOptions::new()).unwrap();
        assert!(many.exact && alone.exact);
        assert_eq!((many.regions, &many.upper), (alone.regions, &alone.upper));
        assert_eq!(witnessed.regions, alone.regions);
        assert_eq!(
            many.threads, 1,
            "each count of the batch runs on one worker"
        );
        let regions = sink.into_regions();
        check_witnesses(&net, domain, &regions);
        let found: std::collections::BTreeSet<_> = regions.into_iter().map(|(_, p)| p).collect();
        let (truth, _) = brute_force(&net, domain, interior_tol(domain));
        assert_eq!(found, truth);
        assert_eq!(truth.len() as u64, alone.regions);
    }
}

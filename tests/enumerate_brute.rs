//! The enumerator against independent answers: brute force over all 2^N patterns (one Chebyshev
//! program each), exact 1-D counts, sampling lower bounds, and degenerate networks.

mod common;
mod enumerate_support;

use common::{exact_patterns_on_segment, random_network, sampled_patterns};
use enumerate_support::{brute_force, check_witnesses, enumerate};
use ndarray::{array, Array1};
use relu_regions::enumerate::interior_tol;
use relu_regions::{Domain, Network, Norm};
use std::collections::BTreeSet;

fn compare_with_brute_force(net: &Network, domain: &Domain) {
    let (res, regions) = enumerate(net, domain, 1);
    let found = check_witnesses(net, domain, &regions);
    assert_eq!(res.regions as usize, found.len());
    assert!(res.exact);
    let (truth, radii) = brute_force(net, domain, interior_tol(domain));
    if found != truth {
        let tol = interior_tol(domain);
        for (p, t) in &radii {
            if found.contains(p) != truth.contains(p) {
                eprintln!(
                    "mismatch {} radius {t:e} (tol {tol:e}) enumerator {}",
                    p.to_compact(),
                    found.contains(p)
                );
            }
        }
        panic!(
            "enumerator {} regions, brute force {}",
            found.len(),
            truth.len()
        );
    }
}

#[test]
fn matches_brute_force_on_random_2d_and_3d_nets() {
    let cases: &[(&[usize], u64)] = &[
        (&[2, 6, 1], 1),
        (&[2, 4, 3, 1], 2),
        (&[2, 5, 5, 1], 3),
        (&[3, 5, 4, 1], 4),
        (&[2, 3, 3, 3, 1], 5),
        (&[3, 4, 4, 2, 1], 6),
    ];
    for &(widths, seed) in cases {
        let net = random_network(widths, seed, 0.5);
        let n = widths[0];
        let c = Array1::from_shape_fn(n, |i| 0.1 * (i as f64 + 1.0) - 0.15);
        for (norm, r) in [(Norm::L2, 0.7), (Norm::Linf, 0.5), (Norm::L2, 2.0)] {
            let domain = Domain::ball(c.clone(), r, norm).unwrap();
            compare_with_brute_force(&net, &domain);
        }
    }
}

#[test]
fn one_dimensional_counts_are_exact() {
    for seed in 0..6 {
        let net = random_network(&[1, 8, 6, 5, 1], 100 + seed, 1.0);
        let c = array![0.2 * seed as f64 - 0.3];
        for r in [0.1, 0.8, 3.0] {
            let exact = exact_patterns_on_segment(&net, &c, &array![1.0], -r, r);
            for norm in [Norm::L2, Norm::Linf] {
                let domain = Domain::ball(c.clone(), r, norm).unwrap();
                let (res, regions) = enumerate(&net, &domain, 1);
                let found = check_witnesses(&net, &domain, &regions);
                let truth: BTreeSet<_> = exact.iter().cloned().collect();
                assert_eq!(found, truth, "seed {seed} r {r}");
                assert_eq!(res.regions as usize, exact.len());
            }
        }
    }
}

#[test]
fn sampling_never_finds_more() {
    for seed in 0..4 {
        let net = random_network(&[2, 10, 10, 1], 200 + seed, 0.5);
        for (c, r, norm) in [
            (array![0.0, 0.0], 1.0, Norm::Linf),
            (array![0.3, -0.2], 0.6, Norm::L2),
        ] {
            let domain = Domain::ball(c, r, norm).unwrap();
            let (res, regions) = enumerate(&net, &domain, 1);
            let found = check_witnesses(&net, &domain, &regions);
            let sampled = sampled_patterns(&net, &domain, 20_000, seed);
            for p in &sampled {
                assert!(
                    found.contains(p),
                    "sampled pattern {} missed",
                    p.to_compact()
                );
            }
            assert!(res.regions as usize >= sampled.len());
        }
    }
}

#[test]
fn thread_count_does_not_change_the_count() {
    let net = random_network(&[2, 12, 12, 1], 7, 0.5);
    for norm in [Norm::L2, Norm::Linf] {
        let domain = Domain::ball(array![0.1, 0.0], 1.0, norm).unwrap();
        let (r1, g1) = enumerate(&net, &domain, 1);
        let (r2, g2) = enumerate(&net, &domain, 2);
        assert_eq!(r1.regions, r2.regions);
        assert_eq!(
            check_witnesses(&net, &domain, &g1),
            check_witnesses(&net, &domain, &g2)
        );
    }
}

/// Counts of the closed-form enumerator and of the solver-only runs with every backend that
/// supports the domain (witnesses checked in each).
fn all_mode_counts(net: &Network, domain: &Domain) -> Vec<u64> {
    use relu_regions::solver::SolverKind;
    let (res, regions) = enumerate(net, domain, 1);
    check_witnesses(net, domain, &regions);
    let mut counts = vec![res.regions];
    for kind in [SolverKind::Highs, SolverKind::Clarabel] {
        if kind.supports(domain) {
            let (res, regions) = enumerate_support::enumerate_solver_only(net, domain, kind, 1);
            check_witnesses(net, domain, &regions);
            counts.push(res.regions);
        }
    }
    counts
}

#[test]
fn degenerate_units_do_not_create_regions() {
    // two lines through the origin (x = 0 twice, duplicate), y = 0, a zero row, a unit with zero
    // row and positive bias: 4 quadrants.
    let net = common::net_from(vec![
        (
            vec![
                vec![1.0, 0.0],
                vec![2.0, 0.0],
                vec![0.0, 1.0],
                vec![0.0, 0.0],
                vec![0.0, 0.0],
            ],
            vec![0.0, 0.0, 0.0, 0.0, 0.3],
        ),
        (vec![vec![1.0, 1.0, 1.0, 1.0, 1.0]], vec![0.0]),
    ]);
    for norm in [Norm::L2, Norm::Linf] {
        let domain = Domain::ball(array![0.0, 0.0], 1.0, norm).unwrap();
        for count in all_mode_counts(&net, &domain) {
            assert_eq!(count, 4, "{norm:?}");
        }
        compare_with_brute_force(&net, &domain);
    }
}

#[test]
fn tangent_hyperplanes_do_not_cut() {
    // ball of radius 1 around (0.5, 0.25); the line 3x + 4y = 5·1 + 3·0.5 + 4·0.25 touches it:
    // |w·c + b| = r‖w‖ exactly (3·0.5 + 4·0.25 − 7.5 = −5, ‖w‖ = 5). Plus a line through the center.
    let net = common::net_from(vec![
        (vec![vec![3.0, 4.0], vec![1.0, -1.0]], vec![-7.5, -0.25]),
        (vec![vec![1.0, 1.0]], vec![0.0]),
    ]);
    let domain = Domain::ball(array![0.5, 0.25], 1.0, Norm::L2).unwrap();
    for count in all_mode_counts(&net, &domain) {
        assert_eq!(count, 2);
    }
    // box: the line x = 1.5 touches the box [−0.5, 1.5] × [−0.75, 1.25] from outside
    let net = common::net_from(vec![
        (vec![vec![1.0, 0.0], vec![0.0, 1.0]], vec![-1.5, -0.25]),
        (vec![vec![1.0, 1.0]], vec![0.0]),
    ]);
    let domain = Domain::ball(array![0.5, 0.25], 1.0, Norm::Linf).unwrap();
    for count in all_mode_counts(&net, &domain) {
        assert_eq!(count, 2);
    }
}

#[test]
fn a_unit_repeating_an_earlier_layer_does_not_cut_again() {
    // layer 1: relu(x), relu(-x), relu(y); layer 2 unit 0 = relu(x) − relu(−x) = x (same line x = 0),
    // unit 1 = relu(y) − 0.2 (a new line y = 0.2 on the y > 0 side).
    let net = common::net_from(vec![
        (
            vec![vec![1.0, 0.0], vec![-1.0, 0.0], vec![0.0, 1.0]],
            vec![0.0, 0.0, 0.0],
        ),
        (
            vec![vec![1.0, -1.0, 0.0], vec![0.0, 0.0, 1.0]],
            vec![0.0, -0.2],
        ),
        (vec![vec![1.0, 1.0]], vec![0.0]),
    ]);
    for norm in [Norm::L2, Norm::Linf] {
        let domain = Domain::ball(array![0.0, 0.0], 1.0, norm).unwrap();
        for count in all_mode_counts(&net, &domain) {
            assert_eq!(count, 6, "{norm:?}");
        }
        compare_with_brute_force(&net, &domain);
    }
}

#[test]
fn solver_paths_agree_with_closed_form_proofs_and_brute_force() {
    use enumerate_support::enumerate_solver_only;
    use relu_regions::solver::SolverKind;
    for (widths, seed) in [
        (&[2usize, 5, 5, 1][..], 31u64),
        (&[3, 4, 4, 1][..], 32),
        (&[2, 8, 8, 1][..], 33),
    ] {
        let net = random_network(widths, seed, 0.5);
        let n = widths[0];
        for (norm, kinds) in [
            (Norm::Linf, &[SolverKind::Highs, SolverKind::Clarabel][..]),
            (Norm::L2, &[SolverKind::Clarabel][..]),
        ] {
            let domain = Domain::ball(Array1::from_elem(n, 0.1), 0.8, norm).unwrap();
            let (_, closed) = enumerate(&net, &domain, 1);
            let closed = check_witnesses(&net, &domain, &closed);
            for &kind in kinds {
                for threads in [1, 2] {
                    let (res, regions) = enumerate_solver_only(&net, &domain, kind, threads);
                    assert!(res.solver_calls > 0);
                    let found = check_witnesses(&net, &domain, &regions);
                    assert_eq!(
                        found, closed,
                        "{kind:?} {norm:?} seed {seed} threads {threads}"
                    );
                }
            }
            if widths.iter().skip(1).take(widths.len() - 2).sum::<usize>() <= 10 {
                let (truth, _) = brute_force(&net, &domain, interior_tol(&domain));
                assert_eq!(closed, truth);
            }
        }
    }
}

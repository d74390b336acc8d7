//! The frontier API: subproblems counted on their own, a split of the whole tree, stopped counts'
//! unfinished parts, and merged outcomes (issue 15).

mod common;
mod enumerate_support;

use common::{data_path, random_network};
use enumerate_support::brute_force;
use ndarray::{array, Array1};
use relu_regions::enumerate::interior_tol;
use relu_regions::{
    count, count_subproblems, estimate_sizes, merge, split, split_balanced, CountOptions, Domain,
    Network, Norm, Stop, Subproblem,
};
use std::time::Duration;

fn flat(p: &relu_regions::ActivationPattern) -> Vec<bool> {
    p.layers.iter().flatten().copied().collect()
}

#[test]
fn subproblem_text_round_trips() {
    let p = Subproblem::from_text("0110").unwrap();
    assert_eq!(p.prefix, vec![false, true, true, false]);
    assert_eq!(p.to_text(), "0110");
    assert_eq!(Subproblem::root().to_text(), "");
    assert!(Subproblem::from_text("01x").is_err());
    let json = serde_json::to_string(&p).unwrap();
    assert_eq!(json, "\"0110\"");
    assert_eq!(serde_json::from_str::<Subproblem>(&json).unwrap(), p);
}

#[test]
fn every_part_of_a_split_matches_brute_force() {
    let cases: &[(&[usize], u64)] = &[
        (&[2, 6, 1], 1),
        (&[2, 4, 3, 1], 2),
        (&[2, 5, 5, 1], 3),
        (&[3, 4, 4, 2, 1], 6),
    ];
    for &(widths, seed) in cases {
        let net = random_network(widths, seed, 0.5);
        let n = widths[0];
        let c = Array1::from_shape_fn(n, |i| 0.1 * (i as f64 + 1.0) - 0.15);
        for (norm, r) in [(Norm::L2, 0.7), (Norm::Linf, 0.5)] {
            let domain = Domain::ball(c.clone(), r, norm).unwrap();
            let (truth, _) = brute_force(&net, &domain, interior_tol(&domain));
            let whole = count(&net, &domain, &CountOptions::new()).unwrap();
            assert!(whole.exact);
            for threads in [1, 2] {
                let options = CountOptions::new().threads(threads);
                let parts = split(&net, &domain, 4, &options).unwrap();
                let mut sum = 0;
                for part in &parts {
                    let r = count_subproblems(&net, &domain, std::slice::from_ref(part), &options)
                        .unwrap();
                    assert!(r.exact, "{widths:?} part {part}");
                    let expected = truth
                        .iter()
                        .filter(|p| flat(p).starts_with(&part.prefix))
                        .count() as u64;
                    assert_eq!(r.regions, expected, "{widths:?} {norm:?} part {part}");
                    sum += r.regions;
                }
                assert_eq!(sum, truth.len() as u64, "{widths:?} {norm:?}");
                assert_eq!(sum, whole.regions);
                let all = count_subproblems(&net, &domain, &parts, &options).unwrap();
                assert_eq!(all.regions, whole.regions);
                assert!(all.exact && all.unfinished.is_empty());
            }
        }
    }
}

#[test]
fn a_prefix_off_the_tree_counts_nothing_and_the_root_counts_all() {
    let net = Network::load(data_path("moons-2-16-16-1.json")).unwrap();
    let ball = Domain::ball(array![0.3, -0.2], 0.25, Norm::L2).unwrap();
    let options = CountOptions::new();
    let whole = count(&net, &ball, &options).unwrap();
    let root = count_subproblems(&net, &ball, &[Subproblem::root()], &options).unwrap();
    assert_eq!(root.regions, whole.regions);
    let none = count_subproblems(&net, &ball, &[], &options).unwrap();
    assert!(none.exact && none.regions == 0);
    // the two sides of the first unit partition the tree
    let halves = [
        Subproblem::from_text("0").unwrap(),
        Subproblem::from_text("1").unwrap(),
    ];
    let sum: u64 = halves
        .iter()
        .map(|h| {
            count_subproblems(&net, &ball, std::slice::from_ref(h), &options)
                .unwrap()
                .regions
        })
        .sum();
    assert_eq!(sum, whole.regions);
    let too_long = Subproblem {
        prefix: vec![true; 33],
    };
    assert!(count_subproblems(&net, &ball, &[too_long], &options).is_err());
}

#[test]
fn a_split_has_at_least_the_parts_asked_for() {
    let net = Network::load(data_path("moons-2-16-16-1.json")).unwrap();
    let ball = Domain::ball(array![0.3, -0.2], 0.5, Norm::Linf).unwrap();
    let options = CountOptions::new().threads(2);
    let whole = count(&net, &ball, &options).unwrap();
    for n in [1, 2, 7, 16] {
        let parts = split(&net, &ball, n, &options).unwrap();
        assert!(
            parts.len() >= n.min(whole.regions as usize),
            "{n}: {}",
            parts.len()
        );
        let r = count_subproblems(&net, &ball, &parts, &options).unwrap();
        assert_eq!(r.regions, whole.regions, "split into {n}");
        let mut sorted = parts.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), parts.len(), "parts are distinct");
    }
    // more parts than regions: the whole tree, leaf by leaf
    let many = split(&net, &ball, 100_000, &options).unwrap();
    assert!(many.len() as u64 >= whole.regions);
    let r = count_subproblems(&net, &ball, &many, &options).unwrap();
    assert_eq!(r.regions, whole.regions);
}

#[test]
fn stopped_counts_return_their_unfinished_rest() {
    let net = Network::load(data_path("moons-2-16-16-1.json")).unwrap();
    let ball = Domain::ball(array![0.3, -0.2], 1.0, Norm::L2).unwrap();
    let whole = count(&net, &ball, &CountOptions::new().threads(2)).unwrap();
    assert!(whole.exact);
    for threads in [1, 2] {
        for cap in [1, 7, whole.regions / 2] {
            let options = CountOptions::new()
                .threads(threads)
                .max_regions(cap)
                .frontier(true);
            let first = count(&net, &ball, &options).unwrap();
            assert_eq!(first.stop, Stop::MaxRegions);
            assert!(!first.unfinished.is_empty());
            // the rest, itself stopped again and again until done
            let mut outcomes = vec![first.clone()];
            let mut todo = first.unfinished.clone();
            let mut total = first.regions;
            while !todo.is_empty() {
                let r = count_subproblems(&net, &ball, &todo, &options).unwrap();
                total += r.regions;
                todo = r.unfinished.clone();
                outcomes.push(r);
            }
            assert_eq!(total, whole.regions, "threads {threads} cap {cap}");
            let merged = merge(&outcomes);
            assert_eq!(merged.regions, whole.regions);
            assert!(!merged.exact, "a stopped part makes the merge not exact");
        }
    }
    let timed = CountOptions::new()
        .time_limit(Duration::ZERO)
        .frontier(true);
    let r = count(&net, &ball, &timed).unwrap();
    assert_eq!(r.stop, Stop::TimeLimit);
    assert_eq!(r.unfinished, vec![Subproblem::root()]);
    let off = count(&net, &ball, &CountOptions::new().max_regions(3)).unwrap();
    assert!(off.unfinished.is_empty(), "no frontier unless asked");
    assert!(count(
        &net,
        &ball,
        &CountOptions::new().frontier(true).certificate(true)
    )
    .is_err());
}

#[test]
fn merge_sums_and_is_exact_only_when_every_part_is() {
    let net = Network::load(data_path("moons-2-16-16-1.json")).unwrap();
    let ball = Domain::ball(array![0.3, -0.2], 0.25, Norm::L2).unwrap();
    let options = CountOptions::new();
    let parts = split(&net, &ball, 3, &options).unwrap();
    let each: Vec<_> = parts
        .iter()
        .map(|p| count_subproblems(&net, &ball, std::slice::from_ref(p), &options).unwrap())
        .collect();
    let m = merge(&each);
    assert!(m.exact && m.stop == Stop::Exact);
    assert_eq!(m.regions, count(&net, &ball, &options).unwrap().regions);
    assert_eq!(m.upper, m.regions.into());
    let empty = merge(&[]);
    assert!(empty.exact && empty.regions == 0);
}

/// Overlapping parts would count a subtree twice: a part given twice, or one containing another,
/// is refused before anything is counted.
#[test]
fn overlapping_parts_are_refused() {
    use relu_regions::{count_subproblems, CountOptions, Subproblem};
    let net = common::random_network(&[2, 4, 3, 1], 3, 0.5);
    let disk =
        relu_regions::Domain::ball(ndarray::array![0.0, 0.0], 1.0, relu_regions::Norm::L2).unwrap();
    let parts = |texts: &[&str]| -> Vec<Subproblem> {
        texts
            .iter()
            .map(|t| Subproblem::from_text(t).unwrap())
            .collect()
    };
    for bad in [&["", "1"][..], &["0", "1", "1"], &["01", "0110", "1"]] {
        let err = count_subproblems(&net, &disk, &parts(bad), &CountOptions::new()).unwrap_err();
        assert!(err.to_string().contains("overlap"), "{bad:?}: {err}");
    }
    let whole = count_subproblems(&net, &disk, &parts(&["0", "1"]), &CountOptions::new()).unwrap();
    let root = count_subproblems(&net, &disk, &parts(&[""]), &CountOptions::new()).unwrap();
    assert_eq!(whole.regions, root.regions);
}

#[test]
fn balanced_groups_partition_the_tree_and_match_brute_force() {
    let cases: &[(&[usize], u64)] = &[(&[2, 6, 1], 1), (&[2, 5, 5, 1], 3), (&[3, 4, 4, 2, 1], 6)];
    for &(widths, seed) in cases {
        let net = random_network(widths, seed, 0.5);
        let c = Array1::from_shape_fn(widths[0], |i| 0.1 * (i as f64 + 1.0) - 0.15);
        let domain = Domain::ball(c, 0.7, Norm::L2).unwrap();
        let (truth, _) = brute_force(&net, &domain, interior_tol(&domain));
        for (groups, threads) in [(1, 1), (3, 2), (5, 1)] {
            let options = CountOptions::new().threads(threads);
            let split = split_balanced(&net, &domain, groups, &options).unwrap();
            assert!(!split.is_empty() && split.len() <= groups, "{widths:?}");
            let mut all: Vec<Subproblem> = Vec::new();
            for g in &split {
                assert!(g.expected_regions >= 0.0 && !g.parts.is_empty());
                let r = count_subproblems(&net, &domain, &g.parts, &options).unwrap();
                let expected = truth
                    .iter()
                    .filter(|p| g.parts.iter().any(|q| flat(p).starts_with(&q.prefix)))
                    .count() as u64;
                assert!(r.exact);
                assert_eq!(r.regions, expected, "{widths:?} group of {groups}");
                all.extend(g.parts.iter().cloned());
            }
            // together the groups are one partition: disjoint, and every region in one of them
            let r = count_subproblems(&net, &domain, &all, &options).unwrap();
            assert_eq!(r.regions, truth.len() as u64, "{widths:?} {groups} groups");
        }
    }
}

#[test]
fn dives_estimate_the_number_of_regions() {
    let net = Network::load(data_path("moons-2-16-16-1.json")).unwrap();
    let ball = Domain::ball(array![0.3, -0.2], 2.0, Norm::L2).unwrap();
    let options = CountOptions::new().threads(2);
    let whole = count(&net, &ball, &options).unwrap().regions as f64;
    // Knuth's estimator is unbiased: the mean of many dives from the root is near the count
    let root = [Subproblem::root()];
    let est = estimate_sizes(&net, &ball, &root, 2_000, &options).unwrap()[0];
    assert!(
        (est - whole).abs() < 0.25 * whole,
        "estimate {est} for {whole} regions"
    );
    // the same parts weigh the same every time, on any number of threads
    let parts = split(&net, &ball, 8, &options).unwrap();
    let a = estimate_sizes(&net, &ball, &parts, 8, &options).unwrap();
    let b = estimate_sizes(&net, &ball, &parts, 8, &CountOptions::new()).unwrap();
    assert_eq!(a, b);
    // a split's leaves weigh 1 each
    let leaves = split(&net, &ball, 100_000, &options).unwrap();
    let w = estimate_sizes(&net, &ball, &leaves, 2, &options).unwrap();
    assert!(w.iter().all(|&x| x == 1.0), "{w:?}");
}

#[test]
fn balanced_groups_have_similar_counts() {
    let net = Network::load(data_path("moons-2-16-16-1.json")).unwrap();
    let ball = Domain::ball(array![0.3, -0.2], 2.0, Norm::L2).unwrap();
    let options = CountOptions::new().threads(2);
    let groups = split_balanced(&net, &ball, 4, &options).unwrap();
    assert_eq!(groups.len(), 4);
    let counts: Vec<u64> = groups
        .iter()
        .map(|g| {
            count_subproblems(&net, &ball, &g.parts, &options)
                .unwrap()
                .regions
        })
        .collect();
    let mean = counts.iter().sum::<u64>() as f64 / 4.0;
    let max = *counts.iter().max().unwrap() as f64;
    assert!(max <= 1.6 * mean, "group counts {counts:?}");
}
